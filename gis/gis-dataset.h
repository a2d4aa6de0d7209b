/* gis-dataset.h: opening user files through an allow-list, layer facts, feature cursors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gis-crs.h"
#include "gis-geometry.h"

G_BEGIN_DECLS

typedef enum {
  GIS_OPEN_VECTOR = 1 << 0,
  GIS_OPEN_RASTER = 1 << 1,
  GIS_OPEN_UPDATE = 1 << 2,
} GisOpenFlags;

typedef enum {
  GIS_FIELD_STRING,
  GIS_FIELD_INTEGER,
  GIS_FIELD_REAL,
  GIS_FIELD_DATE,
  GIS_FIELD_DATETIME,
  GIS_FIELD_OTHER,
} GisFieldType;

typedef struct {
  char         *name;
  GisFieldType  type;
} GisFieldInfo;

const char *gis_field_type_to_string (GisFieldType type);

#define GIS_TYPE_LAYER_INFO (gis_layer_info_get_type ())

/**
 * GisLayerInfo:
 * @name: the layer's name in its dataset
 * @geometry_type: its declared geometry type (%GIS_GEOMETRY_UNKNOWN for mixed or none)
 * @has_geometry: whether it has a geometry column at all
 * @feature_count: number of features
 * @extent: extent in the layer's CRS
 * @crs: (nullable): its CRS; %NULL when the source does not say
 * @fields: (element-type GisFieldInfo): the attribute fields
 * @description: (nullable): the layer's description, when the format stores one
 * @synthetic: the layer is labelled as synthetic demo data in its metadata
 */
typedef struct {
  char            *name;
  GisGeometryType  geometry_type;
  gboolean         has_geometry;
  gint64           feature_count;
  GisEnvelope      extent;
  GisCrs          *crs;
  GPtrArray       *fields;
  char            *description;
  gboolean         synthetic;
} GisLayerInfo;

GType         gis_layer_info_get_type   (void) G_GNUC_CONST;
void          gis_layer_info_free       (GisLayerInfo *info);
GisLayerInfo *gis_layer_info_copy       (const GisLayerInfo *info);
int           gis_layer_info_find_field (const GisLayerInfo *info,
                                         const char         *name);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisLayerInfo, gis_layer_info_free)

#define GIS_TYPE_FEATURE (gis_feature_get_type ())

/**
 * GisFeature:
 * @fid: the feature id in its layer
 * @geometry: (nullable): the 2D geometry
 * @values: (array length=n_values): field values as machine text (dates as YYYY-MM-DD,
 *   numbers with a dot), %NULL for a null field
 * @n_values: number of fields
 */
typedef struct {
  gint64       fid;
  GisGeometry *geometry;
  char       **values;
  guint        n_values;
} GisFeature;

GType       gis_feature_get_type (void) G_GNUC_CONST;
void        gis_feature_free     (GisFeature *feature);
const char *gis_feature_get      (GisFeature *feature,
                                  int         index);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisFeature, gis_feature_free)

typedef struct {
  char   *value;
  guint64 count;
} GisValueCount;

void        gis_value_count_free (GisValueCount *vc);

#define GIS_TYPE_DATASET (gis_dataset_get_type ())
G_DECLARE_FINAL_TYPE (GisDataset, gis_dataset, GIS, DATASET, GObject)

GisDataset   *gis_dataset_open              (const char   *path,
                                             GisOpenFlags  flags,
                                             GError      **error);
const char   *gis_dataset_get_path          (GisDataset   *self);
const char   *gis_dataset_get_driver_name   (GisDataset   *self);
guint         gis_dataset_get_n_layers      (GisDataset   *self);
const char   *gis_dataset_get_layer_name    (GisDataset   *self,
                                             guint         index);
gboolean      gis_dataset_is_raster         (GisDataset   *self);
GisLayerInfo *gis_dataset_describe_layer    (GisDataset   *self,
                                             const char   *layer,
                                             GError      **error);
GPtrArray    *gis_dataset_distinct_values_many (GisDataset  *self,
                                               const char  *layer_name,
                                               const char **fields,
                                               guint        n_fields,
                                               guint        max_values,
                                               GError     **error);
GPtrArray    *gis_dataset_distinct_values   (GisDataset   *self,
                                             const char   *layer,
                                             const char   *field,
                                             guint         max_values,
                                             GError      **error);
GPtrArray    *gis_dataset_read_features     (GisDataset   *self,
                                             const char   *layer,
                                             const GisEnvelope *filter,
                                             GCancellable *cancellable,
                                             GError      **error);

typedef gboolean (*GisFeatureFunc) (GisFeature *feature,
                                    gpointer    user_data,
                                    GError    **error);
gboolean      gis_dataset_foreach_feature   (GisDataset   *self,
                                             const char   *layer,
                                             const GisEnvelope *filter,
                                             GisFeatureFunc func,
                                             gpointer      user_data,
                                             GCancellable *cancellable,
                                             GError      **error);

char         *gis_file_sha256               (const char   *path,
                                             GError      **error);

G_END_DECLS
