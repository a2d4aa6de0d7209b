/* gis-project.h: the project file, a GeoPackage with Placer's registry tables
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gis-crs.h"
#include "gis-dataset.h"

G_BEGIN_DECLS

#define GIS_PROJECT_FORMAT_VERSION 1

#define GIS_TYPE_PROJECT_LAYER (gis_project_layer_get_type ())

/**
 * GisProjectLayer:
 * @name: unique name in the project
 * @role: deposits, concessions, landuse, borders, sites, zones, water (or "other")
 * @kind: "vector" or "raster"
 * @source: the file it came from, relative to the project's folder when it lies below it
 * @source_layer: (nullable): the layer inside @source
 * @table: (nullable): the table inside the project when the layer is embedded
 * @mapping: the field mapping as JSON text ("{}" when none)
 * @crs: (nullable): its CRS
 * @geometry_type: declared geometry type (vector layers)
 * @feature_count: features (vector) or pixels (raster)
 * @extent: extent in @crs
 * @checksum: SHA-256 of the source file when it was added
 * @synthetic: the source is labelled synthetic demo data
 * @description: (nullable): the source's own description
 * @added: ISO 8601 time it was added
 */
typedef struct {
  gint64           id;
  char            *name;
  char            *role;
  char            *kind;
  char            *source;
  char            *source_layer;
  char            *table;
  char            *mapping;
  GisCrs          *crs;
  GisGeometryType  geometry_type;
  gint64           feature_count;
  GisEnvelope      extent;
  char            *checksum;
  gboolean         synthetic;
  char            *description;
  char            *added;
} GisProjectLayer;

GType            gis_project_layer_get_type (void) G_GNUC_CONST;
GisProjectLayer *gis_project_layer_copy     (const GisProjectLayer *layer);
void             gis_project_layer_free     (GisProjectLayer       *layer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisProjectLayer, gis_project_layer_free)

/**
 * GisAuditEntry:
 * @at: ISO 8601 UTC time
 * @who: the user name
 * @action: what was done, e.g. "add-layer", "set-meta"
 * @object: what it was done to
 * @before: (nullable): JSON of the state before
 * @after: (nullable): JSON of the state after
 */
typedef struct {
  gint64  id;
  char   *at;
  char   *who;
  char   *action;
  char   *object;
  char   *before;
  char   *after;
} GisAuditEntry;

void gis_audit_entry_free (GisAuditEntry *entry);

#define GIS_TYPE_PROJECT (gis_project_get_type ())
G_DECLARE_FINAL_TYPE (GisProject, gis_project, GIS, PROJECT, GObject)

GisProject      *gis_project_create           (const char   *path,
                                               GisCrs       *crs,
                                               GError      **error);
GisProject      *gis_project_open             (const char   *path,
                                               gboolean      writable,
                                               GError      **error);
const char      *gis_project_get_path         (GisProject   *self);
gboolean         gis_project_is_project       (const char   *path);
gboolean         gis_project_save_copy        (GisProject   *self,
                                               const char   *dest,
                                               GError      **error);
GisCrs          *gis_project_get_crs          (GisProject   *self);
char            *gis_project_dup_meta         (GisProject   *self,
                                               const char   *key);
gboolean         gis_project_set_meta         (GisProject   *self,
                                               const char   *key,
                                               const char   *value,
                                               GError      **error);
GHashTable      *gis_project_dup_all_meta     (GisProject   *self,
                                               GError      **error);

GPtrArray       *gis_project_list_layers      (GisProject   *self,
                                               GError      **error);
GisProjectLayer *gis_project_find_layer       (GisProject   *self,
                                               const char   *name,
                                               GError      **error);
gboolean         gis_project_add_layer        (GisProject   *self,
                                               GisProjectLayer *layer,
                                               gboolean      embed,
                                               GCancellable *cancellable,
                                               GError      **error);
gboolean         gis_project_set_layer_mapping (GisProject  *self,
                                               const char   *name,
                                               const char   *mapping,
                                               GError      **error);
gboolean         gis_project_remove_layer     (GisProject   *self,
                                               const char   *name,
                                               GError      **error);
char            *gis_project_resolve_source   (GisProject   *self,
                                               const GisProjectLayer *layer);
GisDataset      *gis_project_open_layer       (GisProject   *self,
                                               const GisProjectLayer *layer,
                                               const char  **layer_name,
                                               GError      **error);

gboolean         gis_project_append_audit     (GisProject   *self,
                                               const char   *action,
                                               const char   *object,
                                               const char   *before,
                                               const char   *after,
                                               GError      **error);
GPtrArray       *gis_project_list_audit       (GisProject   *self,
                                               GError      **error);

gint64           gis_project_record_run       (GisProject   *self,
                                               const char   *analysis,
                                               const char   *parameters,
                                               const char   *inputs,
                                               const char   *summary,
                                               GError      **error);
guint            gis_project_count_runs       (GisProject   *self);

/**
 * GisRegisterChange:
 * @table: the register table
 * @key: the value of the table's first field identifying the row
 * @geometry: (nullable): the row's geometry (project CRS)
 * @values: (nullable) (array): every field's machine text in table order; %NULL deletes the
 *   row
 *
 * One row to write (insert or replace) or delete, as part of one atomic change.
 */
typedef struct {
  const char        *table;
  const char        *key;
  GisGeometry       *geometry;
  const char *const *values;
} GisRegisterChange;

gboolean         gis_project_register_ensure  (GisProject   *self,
                                               const char   *table,
                                               gboolean      spatial,
                                               const GisFieldInfo *fields,
                                               guint         n_fields,
                                               const char   *description,
                                               GError      **error);
GPtrArray       *gis_project_register_read    (GisProject   *self,
                                               const char   *table,
                                               GError      **error);
gint64           gis_project_register_apply   (GisProject   *self,
                                               const GisRegisterChange *changes,
                                               guint         n_changes,
                                               const char   *action,
                                               const char   *object,
                                               const char   *before,
                                               const char   *after,
                                               const char   *meta_key,
                                               const char   *meta_value,
                                               GError      **error);

char            *gis_now_iso8601              (void);

G_END_DECLS
