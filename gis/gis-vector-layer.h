/* gis-vector-layer.h: a vector layer held in memory for drawing and picking
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gis-crs.h"
#include "gis-dataset.h"
#include "gis-envelope.h"
#include "gis-geometry.h"

G_BEGIN_DECLS

/**
 * GisShapeKind:
 *
 * What a layer holds, as far as drawing goes.
 */
typedef enum {
  GIS_SHAPE_NONE,
  GIS_SHAPE_POINT,
  GIS_SHAPE_LINE,
  GIS_SHAPE_POLYGON,
  GIS_SHAPE_MIXED,
} GisShapeKind;

/**
 * GisProgressFunc:
 * @fraction: 0..1
 *
 * Called from the thread doing the work.
 */
typedef void (*GisProgressFunc) (double   fraction,
                                 gpointer user_data);

#define GIS_TYPE_VECTOR_LAYER (gis_vector_layer_get_type ())
G_DECLARE_FINAL_TYPE (GisVectorLayer, gis_vector_layer, GIS, VECTOR_LAYER, GObject)

GisVectorLayer *gis_vector_layer_load           (GisDataset      *dataset,
                                                 const char      *layer_name,
                                                 GisCrs          *target_crs,
                                                 GisProgressFunc  progress,
                                                 gpointer         progress_data,
                                                 GCancellable    *cancellable,
                                                 GError         **error);
GisVectorLayer *gis_vector_layer_new_from_features (GPtrArray    *features,
                                                 const char *const *field_names,
                                                 GisCrs          *crs,
                                                 GError         **error);
const char     *gis_vector_layer_get_name       (GisVectorLayer  *self);
GisCrs         *gis_vector_layer_get_crs        (GisVectorLayer  *self);
GisShapeKind    gis_vector_layer_get_shape_kind (GisVectorLayer  *self);
guint           gis_vector_layer_get_n_features (GisVectorLayer  *self);
guint64         gis_vector_layer_get_n_vertices (GisVectorLayer  *self);
void            gis_vector_layer_get_extent     (GisVectorLayer  *self,
                                                 GisEnvelope     *extent);
guint           gis_vector_layer_get_n_fields   (GisVectorLayer  *self);
const char     *gis_vector_layer_get_field_name (GisVectorLayer  *self,
                                                 guint            field);
int             gis_vector_layer_find_field     (GisVectorLayer  *self,
                                                 const char      *name);
gint64          gis_vector_layer_get_fid        (GisVectorLayer  *self,
                                                 guint            feature);
const char     *gis_vector_layer_get_value      (GisVectorLayer  *self,
                                                 guint            feature,
                                                 guint            field);
void            gis_vector_layer_get_feature_extent (GisVectorLayer *self,
                                                 guint            feature,
                                                 GisEnvelope     *extent);
GisGeometry    *gis_vector_layer_dup_geometry   (GisVectorLayer  *self,
                                                 guint            feature);
GArray         *gis_vector_layer_query          (GisVectorLayer  *self,
                                                 const GisEnvelope *envelope);
gboolean        gis_vector_layer_pick           (GisVectorLayer  *self,
                                                 double           x,
                                                 double           y,
                                                 double           tolerance,
                                                 guint           *feature);

G_END_DECLS
