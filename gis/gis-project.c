/* gis-project.c: the project GeoPackage
 *
 * A project is one GeoPackage that QGIS and GDAL open like any other. Next to the layers it
 * embeds it holds three attribute tables of Placer's own (registered in gpkg_contents so GIS
 * tools list them): placer_project (key/value metadata), placer_layers (the layer registry:
 * role, source, field mapping...) and placer_audit (every change: who, when, before, after).
 *
 * Every change is one SQLite transaction, so a crash or a kill at any moment leaves the file
 * holding either the old or the new state, never half of one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-project"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <sqlite3.h>

#include "gis-init.h"
#include "gis-private.h"
#include "gis-project.h"

#define TABLE_META   "placer_project"
#define TABLE_LAYERS "placer_layers"
#define TABLE_AUDIT  "placer_audit"
#define TABLE_RUNS   "placer_runs"

struct _GisProject {
  GObject       parent_instance;

  /* Owned */
  GDALDatasetH  handle;
  char         *path;
  char         *dir;
  GisCrs       *crs;
  gboolean      writable;
  gint64        last_audit_id;
};

G_DEFINE_FINAL_TYPE (GisProject, gis_project, G_TYPE_OBJECT)

static void
gis_project_finalize (GObject *object)
{
  GisProject *self = GIS_PROJECT (object);

  if (self->handle != NULL)
    GDALClose (self->handle);
  g_free (self->path);
  g_free (self->dir);
  g_clear_pointer (&self->crs, gis_crs_unref);

  G_OBJECT_CLASS (gis_project_parent_class)->finalize (object);
}

static void
gis_project_class_init (GisProjectClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gis_project_finalize;
}

static void
gis_project_init (GisProject *self)
{
}

/* ---------------------------------------------------------------------------------------- */

GisProjectLayer *
gis_project_layer_copy (const GisProjectLayer *layer)
{
  GisProjectLayer *c;

  g_return_val_if_fail (layer != NULL, NULL);

  c = g_memdup2 (layer, sizeof *layer);
  c->name = g_strdup (layer->name);
  c->role = g_strdup (layer->role);
  c->kind = g_strdup (layer->kind);
  c->source = g_strdup (layer->source);
  c->source_layer = g_strdup (layer->source_layer);
  c->table = g_strdup (layer->table);
  c->mapping = g_strdup (layer->mapping);
  c->crs = layer->crs ? gis_crs_ref (layer->crs) : NULL;
  c->checksum = g_strdup (layer->checksum);
  c->description = g_strdup (layer->description);
  c->added = g_strdup (layer->added);
  return c;
}

void
gis_project_layer_free (GisProjectLayer *layer)
{
  if (layer == NULL)
    return;
  g_free (layer->name);
  g_free (layer->role);
  g_free (layer->kind);
  g_free (layer->source);
  g_free (layer->source_layer);
  g_free (layer->table);
  g_free (layer->mapping);
  g_clear_pointer (&layer->crs, gis_crs_unref);
  g_free (layer->checksum);
  g_free (layer->description);
  g_free (layer->added);
  g_free (layer);
}

G_DEFINE_BOXED_TYPE (GisProjectLayer, gis_project_layer, gis_project_layer_copy,
                     gis_project_layer_free)

void
gis_audit_entry_free (GisAuditEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->at);
  g_free (entry->who);
  g_free (entry->action);
  g_free (entry->object);
  g_free (entry->before);
  g_free (entry->after);
  g_free (entry);
}

/**
 * gis_now_iso8601:
 *
 * The current UTC time, or SOURCE_DATE_EPOCH when set, so that builds of the sample project
 * are reproducible.
 *
 * Returns: (transfer full): e.g. "2026-11-26T23:50:17Z"
 */
char *
gis_now_iso8601 (void)
{
  const char *epoch = g_getenv ("SOURCE_DATE_EPOCH");
  g_autoptr(GDateTime) now = NULL;

  if (epoch != NULL && *epoch != '\0')
    now = g_date_time_new_from_unix_utc (g_ascii_strtoll (epoch, NULL, 10));
  if (now == NULL)
    now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* ---------------------------------------------------------------------------------------- */
/* Schema */

typedef struct {
  const char   *name;
  OGRFieldType  type;
} Column;

static const Column meta_columns[] = {
  { "key", OFTString }, { "value", OFTString }, { NULL, 0 }
};

static const Column layer_columns[] = {
  { "name", OFTString }, { "role", OFTString }, { "kind", OFTString },
  { "source", OFTString }, { "source_layer", OFTString }, { "table_name", OFTString },
  { "mapping", OFTString }, { "crs_wkt", OFTString }, { "epsg", OFTInteger },
  { "geometry_type", OFTString }, { "feature_count", OFTInteger64 },
  { "min_x", OFTReal }, { "min_y", OFTReal }, { "max_x", OFTReal }, { "max_y", OFTReal },
  { "checksum", OFTString }, { "synthetic", OFTInteger }, { "description", OFTString },
  { "added", OFTString }, { NULL, 0 }
};

static const Column run_columns[] = {
  { "at", OFTString }, { "who", OFTString }, { "analysis", OFTString },
  { "software", OFTString }, { "parameters", OFTString }, { "inputs", OFTString },
  { "summary", OFTString }, { NULL, 0 }
};

static const Column audit_columns[] = {
  { "at", OFTString }, { "who", OFTString }, { "action", OFTString }, { "object", OFTString },
  { "before", OFTString }, { "after", OFTString }, { NULL, 0 }
};

static gboolean
create_table (GDALDatasetH ds, const char *name, const char *description,
              const Column *columns, GError **error)
{
  OGRLayerH layer;
  g_autofree char *desc = g_strdup_printf ("DESCRIPTION=%s", description);
  const char *options[] = { "FID=fid", desc, NULL };

  layer = GDALDatasetCreateLayer (ds, name, NULL, wkbNone, (char **) options);
  if (layer == NULL)
    {
      g_autofree char *why = _gis_cpl_last_message ();
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "Could not create table %s: %s", name,
                   why ? why : "unknown error");
      return FALSE;
    }
  for (guint i = 0; columns[i].name != NULL; i++)
    {
      OGRFieldDefnH fd = OGR_Fld_Create (columns[i].name, columns[i].type);
      OGRErr err = OGR_L_CreateField (layer, fd, TRUE);
      OGR_Fld_Destroy (fd);
      if (err != OGRERR_NONE)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "Could not create column %s.%s", name,
                       columns[i].name);
          return FALSE;
        }
    }
  return TRUE;
}

static OGRLayerH
table (GisProject *self, const char *name)
{
  return GDALDatasetGetLayerByName (self->handle, name);
}

/* ---------------------------------------------------------------------------------------- */
/* Transactions */

static gboolean
begin (GisProject *self, GError **error)
{
  if (!self->writable)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s” is open read-only", self->path);
      return FALSE;
    }
  _gis_cpl_begin ();
  if (GDALDatasetStartTransaction (self->handle, FALSE) != OGRERR_NONE)
    {
      _gis_cpl_end (error, GIS_ERROR_IO, self->path);
      if (error != NULL && *error == NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not start a transaction",
                     self->path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
commit (GisProject *self, GError **error)
{
  if (GDALDatasetCommitTransaction (self->handle) != OGRERR_NONE)
    {
      GDALDatasetRollbackTransaction (self->handle);
      _gis_cpl_end (error, GIS_ERROR_IO, self->path);
      if (error != NULL && *error == NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not commit", self->path);
      return FALSE;
    }
  return _gis_cpl_end (error, GIS_ERROR_IO, self->path);
}

static void
rollback (GisProject *self)
{
  GDALDatasetRollbackTransaction (self->handle);
  _gis_cpl_end (NULL, GIS_ERROR_IO, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Audit */

static gboolean
audit_insert (GisProject *self,
              const char *action,
              const char *object,
              const char *before,
              const char *after,
              GError    **error)
{
  OGRLayerH layer = table (self, TABLE_AUDIT);
  OGRFeatureH f;
  g_autofree char *at = gis_now_iso8601 ();
  OGRErr err;

  f = OGR_F_Create (OGR_L_GetLayerDefn (layer));
  OGR_F_SetFieldString (f, 0, at);
  OGR_F_SetFieldString (f, 1, g_get_user_name ());
  OGR_F_SetFieldString (f, 2, action);
  OGR_F_SetFieldString (f, 3, object);
  if (before != NULL)
    OGR_F_SetFieldString (f, 4, before);
  else
    OGR_F_SetFieldNull (f, 4);
  if (after != NULL)
    OGR_F_SetFieldString (f, 5, after);
  else
    OGR_F_SetFieldNull (f, 5);
  err = OGR_L_CreateFeature (layer, f);
  self->last_audit_id = OGR_F_GetFID (f);
  OGR_F_Destroy (f);
  if (err != OGRERR_NONE)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not write the audit log",
                   self->path);
      return FALSE;
    }
  return TRUE;
}

/**
 * gis_project_append_audit:
 *
 * Writes one audit entry in a transaction of its own.
 */
gboolean
gis_project_append_audit (GisProject *self,
                          const char *action,
                          const char *object,
                          const char *before,
                          const char *after,
                          GError    **error)
{
  g_return_val_if_fail (GIS_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (action != NULL && object != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;
  if (!audit_insert (self, action, object, before, after, error))
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

/**
 * gis_project_list_audit:
 *
 * Returns: (transfer full) (element-type GisAuditEntry): the log, oldest first
 */
GPtrArray *
gis_project_list_audit (GisProject *self, GError **error)
{
  OGRLayerH layer;
  OGRFeatureH f;
  GPtrArray *result;

  g_return_val_if_fail (GIS_IS_PROJECT (self), NULL);

  layer = table (self, TABLE_AUDIT);
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_audit_entry_free);
  OGR_L_ResetReading (layer);
  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      GisAuditEntry *e = g_new0 (GisAuditEntry, 1);
      e->id = OGR_F_GetFID (f);
      e->at = g_strdup (OGR_F_GetFieldAsString (f, 0));
      e->who = g_strdup (OGR_F_GetFieldAsString (f, 1));
      e->action = g_strdup (OGR_F_GetFieldAsString (f, 2));
      e->object = g_strdup (OGR_F_GetFieldAsString (f, 3));
      e->before = OGR_F_IsFieldSetAndNotNull (f, 4) ? g_strdup (OGR_F_GetFieldAsString (f, 4)) : NULL;
      e->after = OGR_F_IsFieldSetAndNotNull (f, 5) ? g_strdup (OGR_F_GetFieldAsString (f, 5)) : NULL;
      g_ptr_array_add (result, e);
      OGR_F_Destroy (f);
    }
  return result;
}

/* ---------------------------------------------------------------------------------------- */
/* Metadata */

/* The row of @table_name whose first column is @key (metadata key, layer name). The tables
 * hold tens of rows, so a scan is all it takes. */
static OGRFeatureH
find_row (GisProject *self, const char *table_name, const char *key)
{
  OGRLayerH layer = table (self, table_name);
  OGRFeatureH f;

  OGR_L_ResetReading (layer);
  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      if (g_strcmp0 (OGR_F_GetFieldAsString (f, 0), key) == 0)
        return f;
      OGR_F_Destroy (f);
    }
  return NULL;
}

static OGRFeatureH
meta_find (GisProject *self, const char *key)
{
  return find_row (self, TABLE_META, key);
}

static gboolean
meta_write (GisProject *self, const char *key, const char *value, char **old, GError **error)
{
  OGRLayerH layer = table (self, TABLE_META);
  OGRFeatureH f = meta_find (self, key);
  OGRErr err;

  if (old != NULL)
    *old = f ? g_strdup (OGR_F_GetFieldAsString (f, 1)) : NULL;
  if (f == NULL)
    {
      f = OGR_F_Create (OGR_L_GetLayerDefn (layer));
      OGR_F_SetFieldString (f, 0, key);
      OGR_F_SetFieldString (f, 1, value);
      err = OGR_L_CreateFeature (layer, f);
    }
  else
    {
      OGR_F_SetFieldString (f, 1, value);
      err = OGR_L_SetFeature (layer, f);
    }
  OGR_F_Destroy (f);
  if (err != OGRERR_NONE)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not write metadata “%s”",
                   self->path, key);
      return FALSE;
    }
  return TRUE;
}

/**
 * gis_project_dup_meta:
 *
 * Returns: (transfer full) (nullable): the value of @key
 */
char *
gis_project_dup_meta (GisProject *self, const char *key)
{
  OGRFeatureH f;
  char *value;

  g_return_val_if_fail (GIS_IS_PROJECT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  f = meta_find (self, key);
  if (f == NULL)
    return NULL;
  value = g_strdup (OGR_F_GetFieldAsString (f, 1));
  OGR_F_Destroy (f);
  return value;
}

/**
 * gis_project_dup_all_meta:
 *
 * Returns: (transfer full) (element-type utf8 utf8): every key and value
 */
GHashTable *
gis_project_dup_all_meta (GisProject *self, GError **error)
{
  OGRLayerH layer;
  OGRFeatureH f;
  GHashTable *result;

  g_return_val_if_fail (GIS_IS_PROJECT (self), NULL);

  result = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  layer = table (self, TABLE_META);
  OGR_L_ResetReading (layer);
  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      g_hash_table_insert (result, g_strdup (OGR_F_GetFieldAsString (f, 0)),
                           g_strdup (OGR_F_GetFieldAsString (f, 1)));
      OGR_F_Destroy (f);
    }
  return result;
}

static char *
json_string (const char *s)
{
  GString *out = g_string_new ("\"");

  for (const char *p = s; p && *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        default:
          if ((guchar) *p < 0x20)
            g_string_append_printf (out, "\\u%04x", (guchar) *p);
          else
            g_string_append_c (out, *p);
        }
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

/**
 * gis_project_set_meta:
 *
 * Sets one metadata value and logs the change, in one transaction. Keys starting with
 * "view:" hold display state and are not logged.
 */
gboolean
gis_project_set_meta (GisProject *self, const char *key, const char *value, GError **error)
{
  g_autofree char *old = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_return_val_if_fail (GIS_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  if (g_str_equal (key, "format_version") || g_str_equal (key, "crs"))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "Project key “%s” cannot be changed",
                   key);
      return FALSE;
    }
  if (!begin (self, error))
    return FALSE;
  if (!meta_write (self, key, value, &old, error))
    {
      rollback (self);
      return FALSE;
    }
  before = old ? json_string (old) : NULL;
  after = json_string (value);
  /* How the map looks ("view:" keys: layer order, styles, the last extent) changes with
   * every click in the app and says nothing about the plan: it is not audited. */
  if (!g_str_has_prefix (key, "view:") &&
      !audit_insert (self, "set-meta", key, before, after, error))
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Create and open */

/**
 * gis_project_create:
 * @path: a new .gpkg file; an existing file is never overwritten
 * @crs: the project CRS: results are written in it
 *
 * Returns: (transfer full): the new project, open for writing
 */
GisProject *
gis_project_create (const char *path, GisCrs *crs, GError **error)
{
  g_autoptr(GisProject) self = NULL;
  GDALDriverH driver;
  g_autofree char *now = NULL;
  g_autofree char *version = NULL;
  g_autofree char *crs_text = NULL;
  /* No gpkg_ogr_contents: GDAL keeps its feature counts there with triggers that it drops and
   * recreates around writes, which a killed process leaves half done and a read-only opener
   * then tries to repair. Counting rows is cheap at Placer's sizes. */
  const char *options[] = { "VERSION=1.2", "ADD_GPKG_OGR_CONTENTS=NO", NULL };

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (crs != NULL, NULL);

  gis_init ();
  if (!g_str_has_suffix (path, ".gpkg"))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID,
                   "A project file name must end in .gpkg: “%s”", path);
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_EXISTS,
                   "“%s” already exists; Placer does not overwrite it", path);
      return NULL;
    }

  self = g_object_new (GIS_TYPE_PROJECT, NULL);
  self->path = g_strdup (path);
  self->dir = g_path_get_dirname (path);
  self->crs = gis_crs_ref (crs);
  self->writable = TRUE;

  driver = GDALGetDriverByName ("GPKG");
  _gis_cpl_begin ();
  self->handle = GDALCreate (driver, path, 0, 0, 0, GDT_Unknown, (char **) options);
  if (self->handle == NULL)
    {
      _gis_cpl_end (error, GIS_ERROR_IO, path);
      if (error != NULL && *error == NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "Could not create “%s”", path);
      return NULL;
    }
  _gis_cpl_end (NULL, GIS_ERROR_IO, NULL);

  /* The schema and the first metadata go in as one transaction: a project file either has
   * all of Placer's tables or is not a Placer project. */
  if (!begin (self, error))
    goto fail;
  if (!create_table (self->handle, TABLE_META,
                     "Placer project metadata (key, value)", meta_columns, error) ||
      !create_table (self->handle, TABLE_LAYERS,
                     "Placer layer registry: role, source and field mapping of each layer",
                     layer_columns, error) ||
      !create_table (self->handle, TABLE_AUDIT,
                     "Placer audit log: who changed what, when, before and after",
                     audit_columns, error) ||
      !create_table (self->handle, TABLE_RUNS,
                     "Placer analysis runs: inputs with checksums, parameters, software, "
                     "summary", run_columns, error))
    {
      rollback (self);
      goto fail;
    }
  now = gis_now_iso8601 ();
  version = g_strdup_printf ("%d", GIS_PROJECT_FORMAT_VERSION);
  crs_text = gis_crs_get_epsg (crs) > 0 ? g_strdup_printf ("EPSG:%d", gis_crs_get_epsg (crs))
                                        : g_strdup (gis_crs_get_wkt (crs));
  if (!meta_write (self, "format_version", version, NULL, error) ||
      !meta_write (self, "crs", crs_text, NULL, error) ||
      !meta_write (self, "created", now, NULL, error) ||
      !meta_write (self, "software", "Placer " PLACER_VERSION, NULL, error) ||
      !audit_insert (self, "create-project", path, NULL, NULL, error))
    {
      rollback (self);
      goto fail;
    }
  if (!commit (self, error))
    goto fail;
  return g_steal_pointer (&self);

fail:
  GDALClose (self->handle);
  self->handle = NULL;
  g_unlink (path);
  return NULL;
}

/* A process killed mid-write leaves a hot rollback journal beside the file. SQLite rolls it
 * back on the next open, but only a writer can, so a read-only open (`project info`, the app
 * opening a file it may not change) would fail with "readonly database". Roll it back
 * first, the way SQLite itself would, when the folder lets us. */
static void
recover_hot_journal (const char *path)
{
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  sqlite3 *db = NULL;

  if (!g_file_test (journal, G_FILE_TEST_EXISTS))
    return;
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
    sqlite3_exec (db, "PRAGMA schema_version", NULL, NULL, NULL);
  sqlite3_close (db);
}

/**
 * gis_project_open:
 * @writable: open for changes
 *
 * Returns: (transfer full): the project, or %NULL with an error saying why the file is not
 *   a Placer project
 */
GisProject *
gis_project_open (const char *path, gboolean writable, GError **error)
{
  g_autoptr(GisProject) self = NULL;
  const char *drivers[] = { "GPKG", NULL };
  g_autofree char *version = NULL;
  g_autofree char *crs_text = NULL;
  int v;

  g_return_val_if_fail (path != NULL, NULL);

  gis_init ();
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_OPEN, "“%s” does not exist", path);
      return NULL;
    }
  recover_hot_journal (path);
  self = g_object_new (GIS_TYPE_PROJECT, NULL);
  self->path = g_strdup (path);
  self->dir = g_path_get_dirname (path);
  self->writable = writable;
  _gis_cpl_begin ();
  self->handle = GDALOpenEx (path, GDAL_OF_VECTOR | (writable ? GDAL_OF_UPDATE : 0), drivers,
                             NULL, NULL);
  if (self->handle == NULL)
    {
      g_autofree char *why = _gis_cpl_last_message ();
      _gis_cpl_end (NULL, GIS_ERROR_OPEN, NULL);
      g_set_error (error, GIS_ERROR, GIS_ERROR_OPEN, "Could not open “%s” as a GeoPackage%s%s",
                   path, why ? ": " : "", why ? why : "");
      return NULL;
    }
  _gis_cpl_end (NULL, GIS_ERROR_OPEN, NULL);

  if (table (self, TABLE_META) == NULL || table (self, TABLE_LAYERS) == NULL ||
      table (self, TABLE_AUDIT) == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_PROJECT,
                   "“%s” is a GeoPackage but not a Placer project (no %s table)", path,
                   TABLE_META);
      return NULL;
    }
  version = gis_project_dup_meta (self, "format_version");
  v = version ? (int) g_ascii_strtoll (version, NULL, 10) : 0;
  if (v < 1)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_PROJECT, "“%s”: no project format version",
                   path);
      return NULL;
    }
  if (v > GIS_PROJECT_FORMAT_VERSION)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_PROJECT,
                   "“%s” was written by a newer Placer (project format %d; this one reads "
                   "up to %d)", path, v, GIS_PROJECT_FORMAT_VERSION);
      return NULL;
    }
  crs_text = gis_project_dup_meta (self, "crs");
  if (crs_text == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_PROJECT, "“%s”: the project has no CRS", path);
      return NULL;
    }
  self->crs = gis_crs_new_from_user_input (crs_text, error);
  if (self->crs == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

const char *
gis_project_get_path (GisProject *self)
{
  g_return_val_if_fail (GIS_IS_PROJECT (self), NULL);
  return self->path;
}

/**
 * gis_project_get_crs:
 *
 * Returns: (transfer none): the project CRS
 */
GisCrs *
gis_project_get_crs (GisProject *self)
{
  g_return_val_if_fail (GIS_IS_PROJECT (self), NULL);
  return self->crs;
}

/* ---------------------------------------------------------------------------------------- */
/* Layers */

static GisProjectLayer *
layer_from_feature (OGRFeatureH f)
{
  GisProjectLayer *l = g_new0 (GisProjectLayer, 1);
  const char *wkt;

#define STR(i) (OGR_F_IsFieldSetAndNotNull (f, i) ? g_strdup (OGR_F_GetFieldAsString (f, i)) : NULL)
  l->id = OGR_F_GetFID (f);
  l->name = STR (0);
  l->role = STR (1);
  l->kind = STR (2);
  l->source = STR (3);
  l->source_layer = STR (4);
  l->table = STR (5);
  l->mapping = STR (6);
  if (l->mapping == NULL)
    l->mapping = g_strdup ("{}");
  wkt = OGR_F_IsFieldSetAndNotNull (f, 7) ? OGR_F_GetFieldAsString (f, 7) : NULL;
  if (wkt != NULL && *wkt != '\0')
    l->crs = gis_crs_new_from_wkt (wkt, NULL);
  {
    const char *t = OGR_F_GetFieldAsString (f, 9);
    l->geometry_type = GIS_GEOMETRY_UNKNOWN;
    for (int i = GIS_GEOMETRY_POINT; i <= GIS_GEOMETRY_COLLECTION; i++)
      if (g_strcmp0 (t, gis_geometry_type_to_string (i)) == 0)
        l->geometry_type = i;
  }
  l->feature_count = OGR_F_GetFieldAsInteger64 (f, 10);
  if (OGR_F_IsFieldSetAndNotNull (f, 11))
    l->extent = (GisEnvelope) { OGR_F_GetFieldAsDouble (f, 11), OGR_F_GetFieldAsDouble (f, 12),
                                OGR_F_GetFieldAsDouble (f, 13), OGR_F_GetFieldAsDouble (f, 14) };
  else
    l->extent = GIS_ENVELOPE_EMPTY;
  l->checksum = STR (15);
  l->synthetic = OGR_F_GetFieldAsInteger (f, 16) != 0;
  l->description = STR (17);
  l->added = STR (18);
#undef STR
  return l;
}

/**
 * gis_project_list_layers:
 *
 * Returns: (transfer full) (element-type GisProjectLayer): the layers in the order added
 */
GPtrArray *
gis_project_list_layers (GisProject *self, GError **error)
{
  OGRLayerH layer;
  OGRFeatureH f;
  GPtrArray *result;

  g_return_val_if_fail (GIS_IS_PROJECT (self), NULL);

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_project_layer_free);
  layer = table (self, TABLE_LAYERS);
  OGR_L_ResetReading (layer);
  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      g_ptr_array_add (result, layer_from_feature (f));
      OGR_F_Destroy (f);
    }
  return result;
}

static OGRFeatureH
layer_feature_find (GisProject *self, const char *name)
{
  return find_row (self, TABLE_LAYERS, name);
}

/**
 * gis_project_find_layer:
 *
 * Returns: (transfer full): the layer named @name, or %NULL with #GIS_ERROR_NOT_FOUND
 */
GisProjectLayer *
gis_project_find_layer (GisProject *self, const char *name, GError **error)
{
  OGRFeatureH f;
  GisProjectLayer *l;

  g_return_val_if_fail (GIS_IS_PROJECT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  f = layer_feature_find (self, name);
  if (f == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, "“%s” has no layer “%s”", self->path,
                   name);
      return NULL;
    }
  l = layer_from_feature (f);
  OGR_F_Destroy (f);
  return l;
}

/* A file path as stored in the registry: relative to the project's folder when the file
 * lies below it, so that a project folder can be moved or shared as a whole. */
static char *
source_for_registry (GisProject *self, const char *path)
{
  g_autoptr(GFile) dir = g_file_new_for_path (self->dir);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  char *relative = g_file_get_relative_path (dir, file);

  return relative ? relative : g_file_get_path (file);
}

/**
 * gis_project_resolve_source:
 *
 * Returns: (transfer full): the absolute path of a layer's source file
 */
char *
gis_project_resolve_source (GisProject *self, const GisProjectLayer *layer)
{
  g_return_val_if_fail (GIS_IS_PROJECT (self), NULL);
  g_return_val_if_fail (layer != NULL && layer->source != NULL, NULL);

  if (g_path_is_absolute (layer->source))
    return g_strdup (layer->source);
  return g_build_filename (self->dir, layer->source, NULL);
}

static char *
table_name_for (GisProject *self, const char *name)
{
  GString *s = g_string_new ("layer_");

  for (const char *p = name; *p; p++)
    g_string_append_c (s, g_ascii_isalnum (*p) ? g_ascii_tolower (*p) : '_');
  /* Make it unique if another table already has this name. */
  if (table (self, s->str) != NULL)
    {
      guint n = 2;
      g_autofree char *base = g_strdup (s->str);
      do
        {
          g_string_printf (s, "%s_%u", base, n++);
        }
      while (table (self, s->str) != NULL);
    }
  return g_string_free (s, FALSE);
}

static char *
layer_json (const GisProjectLayer *l)
{
  g_autofree char *name = json_string (l->name);
  g_autofree char *role = json_string (l->role);
  g_autofree char *source = json_string (l->source);

  return g_strdup_printf ("{\"name\":%s,\"role\":%s,\"source\":%s,\"mapping\":%s}", name, role,
                          source, l->mapping ? l->mapping : "{}");
}

static void
set_layer_fields (OGRFeatureH f, const GisProjectLayer *l)
{
  OGR_F_SetFieldString (f, 0, l->name);
  OGR_F_SetFieldString (f, 1, l->role);
  OGR_F_SetFieldString (f, 2, l->kind);
  OGR_F_SetFieldString (f, 3, l->source);
  if (l->source_layer)
    OGR_F_SetFieldString (f, 4, l->source_layer);
  else
    OGR_F_SetFieldNull (f, 4);
  if (l->table)
    OGR_F_SetFieldString (f, 5, l->table);
  else
    OGR_F_SetFieldNull (f, 5);
  OGR_F_SetFieldString (f, 6, l->mapping ? l->mapping : "{}");
  if (l->crs != NULL)
    {
      OGR_F_SetFieldString (f, 7, gis_crs_get_wkt (l->crs));
      OGR_F_SetFieldInteger (f, 8, gis_crs_get_epsg (l->crs));
    }
  OGR_F_SetFieldString (f, 9, gis_geometry_type_to_string (l->geometry_type));
  OGR_F_SetFieldInteger64 (f, 10, l->feature_count);
  if (!gis_envelope_is_empty (&l->extent))
    {
      OGR_F_SetFieldDouble (f, 11, l->extent.min_x);
      OGR_F_SetFieldDouble (f, 12, l->extent.min_y);
      OGR_F_SetFieldDouble (f, 13, l->extent.max_x);
      OGR_F_SetFieldDouble (f, 14, l->extent.max_y);
    }
  if (l->checksum)
    OGR_F_SetFieldString (f, 15, l->checksum);
  OGR_F_SetFieldInteger (f, 16, l->synthetic ? 1 : 0);
  if (l->description)
    OGR_F_SetFieldString (f, 17, l->description);
  OGR_F_SetFieldString (f, 18, l->added);
}

static const char *
unused_column_name (OGRFeatureDefnH defn, const char *const *candidates)
{
  guint c;

  for (c = 0; candidates[c + 1] != NULL; c++)
    {
      gboolean clash = FALSE;
      for (int i = 0; i < OGR_FD_GetFieldCount (defn) && !clash; i++)
        clash = g_ascii_strcasecmp (OGR_Fld_GetNameRef (OGR_FD_GetFieldDefn (defn, i)),
                                    candidates[c]) == 0;
      if (!clash)
        return candidates[c];
    }
  /* The last candidate is Placer's own prefix, which no source uses. */
  return candidates[c];
}

/* Copies the source layer into the project, inside the caller's transaction. */
static gboolean
embed_layer (GisProject *self, GisProjectLayer *l, GCancellable *cancellable, GError **error)
{
  g_autofree char *path = gis_project_resolve_source (self, l);
  const char *drivers[] = { "GPKG", "ESRI Shapefile", "GeoJSON", "CSV", "KML", "FlatGeobuf",
                            NULL };
  g_autofree char *lower = g_ascii_strdown (path, -1);
  GDALDatasetH src;
  OGRLayerH src_layer;
  OGRLayerH dst_layer;
  OGRLayerH out;
  g_autofree char *table_name = table_name_for (self, l->name);
  g_autofree char *desc = NULL;
  char **options = NULL;
  OGRSpatialReferenceH srs = NULL;

  src = GDALOpenEx (path, GDAL_OF_VECTOR, drivers,
                    g_str_has_suffix (lower, ".csv") ? _gis_csv_open_options () : NULL, NULL);
  if (src == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_OPEN, "Could not open “%s” to embed it", path);
      return FALSE;
    }
  src_layer = l->source_layer ? GDALDatasetGetLayerByName (src, l->source_layer)
                              : GDALDatasetGetLayer (src, 0);
  if (src_layer == NULL)
    {
      GDALClose (src);
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, "“%s” has no layer “%s”", path,
                   l->source_layer ? l->source_layer : "(first)");
      return FALSE;
    }

  /* The FID and geometry columns must not clash with a field of the source (IPIS's CSV has
   * fields named "FID" and "geom"); GeoPackage column names compare without case. */
  {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn (src_layer);
    const char *fids[] = { "fid", "placer_fid", NULL };
    const char *geoms[] = { "geom", "geometry", "placer_geom", NULL };
    options = CSLSetNameValue (options, "FID", unused_column_name (defn, fids));
    options = CSLSetNameValue (options, "GEOMETRY_NAME", unused_column_name (defn, geoms));
  }
  desc = l->description ? g_strdup (l->description)
                        : g_strdup_printf ("%s, from %s", l->role, l->source);
  options = CSLSetNameValue (options, "DESCRIPTION", desc);
  if (l->crs != NULL)
    {
      const char *p = gis_crs_get_wkt (l->crs);
      srs = OSRNewSpatialReference (NULL);
      OSRImportFromWkt (srs, (char **) &p);
      OSRSetAxisMappingStrategy (srs, OAMS_TRADITIONAL_GIS_ORDER);
    }

  /* Created by hand rather than with CopyLayer so that the CRS given by the user (a CSV has
   * none of its own) is the one written. */
  {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn (src_layer);
    OGRwkbGeometryType gtype = OGR_FD_GetGeomFieldCount (defn) > 0
                               ? wkbFlatten (OGR_L_GetGeomType (src_layer)) : wkbNone;
    OGRFeatureH f;
    guint64 n = 0;
    g_autofree int *map = NULL;
    int n_fields = OGR_FD_GetFieldCount (defn);

    /* Curves and 3D are stored as Placer reads them: linear and 2D. */
    if (gtype == wkbCurvePolygon || gtype == wkbMultiSurface)
      gtype = gtype == wkbCurvePolygon ? wkbPolygon : wkbMultiPolygon;
    else if (gtype == wkbCompoundCurve || gtype == wkbCircularString)
      gtype = wkbLineString;
    else if (gtype == wkbMultiCurve)
      gtype = wkbMultiLineString;
    dst_layer = GDALDatasetCreateLayer (self->handle, table_name, srs, gtype, options);
    CSLDestroy (options);
    if (srs != NULL)
      OSRDestroySpatialReference (srs);
    if (dst_layer == NULL)
      {
        g_autofree char *why = _gis_cpl_last_message ();
        GDALClose (src);
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "Could not create table %s in “%s”: %s",
                     table_name, self->path, why ? why : "unknown error");
        return FALSE;
      }
    map = g_new0 (int, MAX (n_fields, 1));
    for (int i = 0; i < n_fields; i++)
      {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn (defn, i);
        if (OGR_L_CreateField (dst_layer, fd, TRUE) != OGRERR_NONE)
          {
            g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "Could not copy field “%s” of “%s”",
                         OGR_Fld_GetNameRef (fd), path);
            GDALClose (src);
            return FALSE;
          }
        map[i] = i;
      }
    out = dst_layer;
    OGR_L_ResetReading (src_layer);
    while ((f = OGR_L_GetNextFeature (src_layer)) != NULL)
      {
        OGRFeatureH g = OGR_F_Create (OGR_L_GetLayerDefn (out));
        OGRGeometryH geom = OGR_F_GetGeometryRef (f);
        OGRErr err;

        OGR_F_SetFromWithMap (g, f, TRUE, map);
        if (geom != NULL && (OGR_G_Is3D (geom) || OGR_G_IsMeasured (geom) ||
                             OGR_GT_IsNonLinear (OGR_G_GetGeometryType (geom))))
          {
            OGRGeometryH lin = OGR_G_GetLinearGeometry (geom, 0, NULL);
            if (lin != NULL)
              {
                OGR_G_FlattenTo2D (lin);
                OGR_G_SetMeasured (lin, FALSE);
                OGR_F_SetGeometryDirectly (g, lin);
              }
          }
        /* A source FID is kept so that error messages about an embedded layer name the
         * same feature as the original file. */
        OGR_F_SetFID (g, OGR_F_GetFID (f) >= 0 ? OGR_F_GetFID (f) : OGRNullFID);
        err = OGR_L_CreateFeature (out, g);
        if (err != OGRERR_NONE)
          {
            g_autofree char *why = _gis_cpl_last_message ();
            gint64 fid = OGR_F_GetFID (f);
            OGR_F_Destroy (g);
            OGR_F_Destroy (f);
            GDALClose (src);
            g_set_error (error, GIS_ERROR, GIS_ERROR_IO,
                         "Could not copy feature %" G_GINT64_FORMAT " of “%s”: %s", fid, path,
                         why ? why : "unknown error");
            return FALSE;
          }
        OGR_F_Destroy (g);
        OGR_F_Destroy (f);
        if ((++n & 1023) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
          {
            GDALClose (src);
            return FALSE;
          }
      }
  }
  GDALClose (src);
  l->table = g_steal_pointer (&table_name);
  return TRUE;
}

/**
 * gis_project_add_layer:
 * @layer: the layer to register; its @name must be new to the project. On success its
 *   @table, @added and @source (made relative to the project) are filled in.
 * @embed: copy a vector layer's features into the project, so the project is self-contained
 *
 * Registers a layer (and embeds it) in one transaction, with an audit entry.
 */
gboolean
gis_project_add_layer (GisProject      *self,
                       GisProjectLayer *layer,
                       gboolean         embed,
                       GCancellable    *cancellable,
                       GError         **error)
{
  OGRLayerH registry;
  OGRFeatureH f;
  OGRErr err;
  g_autofree char *source = NULL;
  g_autofree char *after = NULL;
  OGRFeatureH existing;

  g_return_val_if_fail (GIS_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (layer != NULL && layer->name != NULL && layer->role != NULL, FALSE);
  g_return_val_if_fail (layer->source != NULL && layer->kind != NULL, FALSE);

  if (*layer->name == '\0')
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_INVALID, "A layer needs a name");
      return FALSE;
    }
  existing = layer_feature_find (self, layer->name);
  if (existing != NULL)
    {
      OGR_F_Destroy (existing);
      g_set_error (error, GIS_ERROR, GIS_ERROR_EXISTS, "“%s” already has a layer “%s”",
                   self->path, layer->name);
      return FALSE;
    }
  if (embed && g_strcmp0 (layer->kind, "vector") != 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID,
                   "Layer “%s”: only vector layers are embedded; rasters stay in their file",
                   layer->name);
      return FALSE;
    }

  source = source_for_registry (self, layer->source);
  g_free (layer->source);
  layer->source = g_steal_pointer (&source);
  g_free (layer->added);
  layer->added = gis_now_iso8601 ();

  if (!begin (self, error))
    return FALSE;
  if (embed && !embed_layer (self, layer, cancellable, error))
    {
      rollback (self);
      g_clear_pointer (&layer->table, g_free);
      return FALSE;
    }
  registry = table (self, TABLE_LAYERS);
  f = OGR_F_Create (OGR_L_GetLayerDefn (registry));
  set_layer_fields (f, layer);
  err = OGR_L_CreateFeature (registry, f);
  layer->id = OGR_F_GetFID (f);
  OGR_F_Destroy (f);
  after = layer_json (layer);
  if (err != OGRERR_NONE ||
      !audit_insert (self, "add-layer", layer->name, NULL, after, error))
    {
      rollback (self);
      if (error != NULL && *error == NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not register layer “%s”",
                     self->path, layer->name);
      return FALSE;
    }
  return commit (self, error);
}

/**
 * gis_project_set_layer_mapping:
 * @mapping: JSON text of the new field mapping
 */
gboolean
gis_project_set_layer_mapping (GisProject *self,
                               const char *name,
                               const char *mapping,
                               GError    **error)
{
  OGRFeatureH f;
  g_autofree char *before = NULL;
  OGRErr err;

  g_return_val_if_fail (GIS_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (name != NULL && mapping != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;
  f = layer_feature_find (self, name);
  if (f == NULL)
    {
      rollback (self);
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, "“%s” has no layer “%s”", self->path,
                   name);
      return FALSE;
    }
  before = g_strdup (OGR_F_GetFieldAsString (f, 6));
  OGR_F_SetFieldString (f, 6, mapping);
  err = OGR_L_SetFeature (table (self, TABLE_LAYERS), f);
  OGR_F_Destroy (f);
  if (err != OGRERR_NONE ||
      !audit_insert (self, "set-mapping", name, before, mapping, error))
    {
      rollback (self);
      if (error != NULL && *error == NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not change layer “%s”",
                     self->path, name);
      return FALSE;
    }
  return commit (self, error);
}

/**
 * gis_project_remove_layer:
 *
 * Unregisters a layer and drops its embedded table, in one transaction.
 */
gboolean
gis_project_remove_layer (GisProject *self, const char *name, GError **error)
{
  OGRFeatureH f;
  g_autoptr(GisProjectLayer) l = NULL;
  g_autofree char *before = NULL;

  g_return_val_if_fail (GIS_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;
  f = layer_feature_find (self, name);
  if (f == NULL)
    {
      rollback (self);
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, "“%s” has no layer “%s”", self->path,
                   name);
      return FALSE;
    }
  l = layer_from_feature (f);
  before = layer_json (l);
  if (OGR_L_DeleteFeature (table (self, TABLE_LAYERS), OGR_F_GetFID (f)) != OGRERR_NONE)
    {
      OGR_F_Destroy (f);
      rollback (self);
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not remove layer “%s”",
                   self->path, name);
      return FALSE;
    }
  OGR_F_Destroy (f);
  if (l->table != NULL)
    {
      for (int i = 0; i < GDALDatasetGetLayerCount (self->handle); i++)
        if (g_strcmp0 (OGR_L_GetName (GDALDatasetGetLayer (self->handle, i)), l->table) == 0)
          {
            if (GDALDatasetDeleteLayer (self->handle, i) != OGRERR_NONE)
              {
                rollback (self);
                g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not drop table %s",
                             self->path, l->table);
                return FALSE;
              }
            break;
          }
    }
  if (!audit_insert (self, "remove-layer", name, before, NULL, error))
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

/**
 * gis_project_open_layer:
 * @layer_name: (out) (transfer none): the name of the layer to read inside the returned
 *   dataset (valid as long as @layer is)
 *
 * Opens the data behind a registered layer: the project itself for an embedded layer, the
 * source file otherwise.
 *
 * Returns: (transfer full): a dataset for reading
 */
GisDataset *
gis_project_open_layer (GisProject            *self,
                        const GisProjectLayer *layer,
                        const char           **layer_name,
                        GError               **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (GIS_IS_PROJECT (self), NULL);
  g_return_val_if_fail (layer != NULL, NULL);

  if (layer->table != NULL)
    {
      if (layer_name)
        *layer_name = layer->table;
      return gis_dataset_open (self->path, GIS_OPEN_VECTOR, error);
    }
  path = gis_project_resolve_source (self, layer);
  if (layer_name)
    *layer_name = layer->source_layer;
  return gis_dataset_open (path, g_strcmp0 (layer->kind, "raster") == 0 ? GIS_OPEN_RASTER
                                                                         : GIS_OPEN_VECTOR,
                           error);
}

/**
 * gis_project_record_run:
 * @analysis: e.g. "unallocated"
 * @parameters: JSON text of the run's parameters
 * @inputs: JSON text of its inputs (files, layers, checksums)
 * @summary: JSON text of its headline results
 *
 * Records an analysis run so that its numbers can be reproduced, with an audit entry, in
 * one transaction.
 *
 * Returns: the run's id, or -1 with @error set
 */
gint64
gis_project_record_run (GisProject *self,
                        const char *analysis,
                        const char *parameters,
                        const char *inputs,
                        const char *summary,
                        GError    **error)
{
  OGRLayerH runs;
  OGRFeatureH f;
  OGRErr err;
  gint64 id;
  g_autofree char *at = gis_now_iso8601 ();
  g_autofree char *object = NULL;

  g_return_val_if_fail (GIS_IS_PROJECT (self), -1);
  g_return_val_if_fail (analysis != NULL, -1);

  if (!begin (self, error))
    return -1;
  runs = table (self, TABLE_RUNS);
  if (runs == NULL)
    {
      if (!create_table (self->handle, TABLE_RUNS,
                         "Placer analysis runs: inputs with checksums, parameters, software, "
                         "summary", run_columns, error))
        {
          rollback (self);
          return -1;
        }
      runs = table (self, TABLE_RUNS);
    }
  f = OGR_F_Create (OGR_L_GetLayerDefn (runs));
  OGR_F_SetFieldString (f, 0, at);
  OGR_F_SetFieldString (f, 1, g_get_user_name ());
  OGR_F_SetFieldString (f, 2, analysis);
  OGR_F_SetFieldString (f, 3, "Placer " PLACER_VERSION);
  OGR_F_SetFieldString (f, 4, parameters ? parameters : "{}");
  OGR_F_SetFieldString (f, 5, inputs ? inputs : "[]");
  OGR_F_SetFieldString (f, 6, summary ? summary : "{}");
  err = OGR_L_CreateFeature (runs, f);
  id = OGR_F_GetFID (f);
  OGR_F_Destroy (f);
  object = g_strdup_printf ("%s run %" G_GINT64_FORMAT, analysis, id);
  if (err != OGRERR_NONE || !audit_insert (self, "run", object, NULL, summary, error))
    {
      rollback (self);
      if (error != NULL && *error == NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not record the run",
                     self->path);
      return -1;
    }
  if (!commit (self, error))
    return -1;
  return id;
}

/**
 * gis_project_count_runs:
 *
 * Returns: how many analysis runs are recorded
 */
guint
gis_project_count_runs (GisProject *self)
{
  OGRLayerH runs;

  g_return_val_if_fail (GIS_IS_PROJECT (self), 0);
  runs = table (self, TABLE_RUNS);
  return runs ? (guint) OGR_L_GetFeatureCount (runs, TRUE) : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Registers: tables of Placer's own records (zones, consents...) edited atomically with
 * their audit entries. The first field of a register is its key. */

/**
 * gis_project_register_ensure:
 * @spatial: the rows have polygons, in the project CRS
 *
 * Creates the register table if the project does not have it yet (in its own transaction).
 */
gboolean
gis_project_register_ensure (GisProject *self, const char *table_name, gboolean spatial,
                             const GisFieldInfo *fields, guint n_fields,
                             const char *description, GError **error)
{
  OGRLayerH layer;
  OGRSpatialReferenceH srs = NULL;
  char **options = NULL;

  g_return_val_if_fail (GIS_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (table_name != NULL && fields != NULL && n_fields > 0, FALSE);

  if (table (self, table_name) != NULL)
    return TRUE;
  if (!begin (self, error))
    return FALSE;
  if (spatial)
    {
      const char *p = gis_crs_get_wkt (self->crs);
      srs = OSRNewSpatialReference (NULL);
      OSRImportFromWkt (srs, (char **) &p);
      OSRSetAxisMappingStrategy (srs, OAMS_TRADITIONAL_GIS_ORDER);
      options = CSLSetNameValue (options, "GEOMETRY_NAME", "geom");
    }
  options = CSLSetNameValue (options, "FID", "fid");
  options = CSLSetNameValue (options, "DESCRIPTION", description);
  layer = GDALDatasetCreateLayer (self->handle, table_name, srs,
                                  spatial ? wkbMultiPolygon : wkbNone, options);
  CSLDestroy (options);
  if (srs != NULL)
    OSRDestroySpatialReference (srs);
  if (layer == NULL)
    {
      rollback (self);
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not create table %s", self->path,
                   table_name);
      return FALSE;
    }
  for (guint i = 0; i < n_fields; i++)
    {
      OGRFieldType t = fields[i].type == GIS_FIELD_INTEGER ? OFTInteger64
                       : fields[i].type == GIS_FIELD_REAL ? OFTReal : OFTString;
      OGRFieldDefnH fd = OGR_Fld_Create (fields[i].name, t);
      OGRErr err = OGR_L_CreateField (layer, fd, TRUE);
      OGR_Fld_Destroy (fd);
      if (err != OGRERR_NONE)
        {
          rollback (self);
          g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not create %s.%s", self->path,
                       table_name, fields[i].name);
          return FALSE;
        }
    }
  return commit (self, error);
}

/**
 * gis_project_register_read:
 *
 * Returns: (transfer full) (element-type GisFeature): the rows (empty when the register
 *   does not exist yet)
 */
GPtrArray *
gis_project_register_read (GisProject *self, const char *table_name, GError **error)
{
  OGRLayerH layer;
  OGRFeatureH f;
  GPtrArray *rows;
  int n_fields;

  g_return_val_if_fail (GIS_IS_PROJECT (self), NULL);

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_feature_free);
  layer = table (self, table_name);
  if (layer == NULL)
    return rows;
  n_fields = OGR_FD_GetFieldCount (OGR_L_GetLayerDefn (layer));
  OGR_L_SetSpatialFilter (layer, NULL);
  OGR_L_ResetReading (layer);
  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      GisFeature *row = g_new0 (GisFeature, 1);
      OGRGeometryH g = OGR_F_GetGeometryRef (f);

      row->fid = OGR_F_GetFID (f);
      row->n_values = (guint) n_fields;
      row->values = g_new0 (char *, n_fields + 1);
      for (int i = 0; i < n_fields; i++)
        row->values[i] = OGR_F_IsFieldSetAndNotNull (f, i)
                         ? g_strdup (OGR_F_GetFieldAsString (f, i)) : NULL;
      if (g != NULL)
        row->geometry = _gis_geometry_from_ogr (g, NULL);
      OGR_F_Destroy (f);
      g_ptr_array_add (rows, row);
    }
  return rows;
}

static OGRFeatureH
register_find (OGRLayerH layer, const char *key)
{
  OGRFeatureH f;

  OGR_L_SetSpatialFilter (layer, NULL);
  OGR_L_ResetReading (layer);
  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      if (g_strcmp0 (OGR_F_GetFieldAsString (f, 0), key) == 0)
        return f;
      OGR_F_Destroy (f);
    }
  return NULL;
}

/**
 * gis_project_register_apply:
 * @changes: (array length=n_changes): rows to write or delete
 * @action: the audit action, e.g. "zone-edit"
 * @object: what the audit entry is about, e.g. the zone id
 * @meta_key: (nullable): a project metadata value to set in the same transaction
 *
 * Applies every change, the audit entry and the metadata value as one SQLite transaction:
 * all or nothing, whatever happens to the process.
 *
 * Returns: the audit entry's id, or -1 with @error set
 */
gint64
gis_project_register_apply (GisProject *self, const GisRegisterChange *changes, guint n_changes,
                            const char *action, const char *object, const char *before,
                            const char *after, const char *meta_key, const char *meta_value,
                            GError **error)
{
  gint64 audit_id;

  g_return_val_if_fail (GIS_IS_PROJECT (self), -1);
  g_return_val_if_fail (changes != NULL || n_changes == 0, -1);
  g_return_val_if_fail (action != NULL && object != NULL, -1);

  if (!begin (self, error))
    return -1;
  for (guint i = 0; i < n_changes; i++)
    {
      const GisRegisterChange *c = &changes[i];
      OGRLayerH layer = table (self, c->table);
      OGRFeatureH f;
      OGRErr err = OGRERR_NONE;

      if (layer == NULL)
        {
          rollback (self);
          g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, "“%s” has no table %s", self->path,
                       c->table);
          return -1;
        }
      f = register_find (layer, c->key);
      if (c->values == NULL)
        {
          if (f != NULL)
            {
              err = OGR_L_DeleteFeature (layer, OGR_F_GetFID (f));
              OGR_F_Destroy (f);
            }
        }
      else
        {
          OGRFeatureDefnH defn = OGR_L_GetLayerDefn (layer);
          gboolean is_new = f == NULL;

          if (is_new)
            f = OGR_F_Create (defn);
          for (int k = 0; k < OGR_FD_GetFieldCount (defn); k++)
            {
              if (c->values[k] != NULL)
                OGR_F_SetFieldString (f, k, c->values[k]);
              else
                OGR_F_SetFieldNull (f, k);
            }
          if (c->geometry != NULL)
            {
              OGRGeometryH g = _gis_geometry_to_ogr (c->geometry, error);
              if (g == NULL)
                {
                  OGR_F_Destroy (f);
                  rollback (self);
                  return -1;
                }
              OGR_F_SetGeometryDirectly (f, g);
            }
          err = is_new ? OGR_L_CreateFeature (layer, f) : OGR_L_SetFeature (layer, f);
          OGR_F_Destroy (f);
        }
      if (err != OGRERR_NONE)
        {
          rollback (self);
          g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not write %s “%s”",
                       self->path, c->table, c->key);
          return -1;
        }
    }
  if (meta_key != NULL && !meta_write (self, meta_key, meta_value ? meta_value : "", NULL, error))
    {
      rollback (self);
      return -1;
    }
  if (!audit_insert (self, action, object, before, after, error))
    {
      rollback (self);
      return -1;
    }
  audit_id = self->last_audit_id;
  if (!commit (self, error))
    return -1;
  return audit_id;
}

/**
 * gis_project_is_project:
 *
 * Whether @path is a Placer project (a GeoPackage with Placer's tables), looked at
 * read-only and without GDAL: cheap enough to decide what a dropped file is.
 */
gboolean
gis_project_is_project (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (path != NULL, FALSE);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '"
                          TABLE_META "'", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    found = TRUE;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return found;
}

/**
 * gis_project_save_copy:
 * @dest: where the copy goes; an existing file there is replaced only once the copy is
 *   complete
 *
 * Copies the project with SQLite's VACUUM INTO, never by copying the file: a file copy
 * of an open database can miss what is still in its journal.
 */
gboolean
gis_project_save_copy (GisProject *self, const char *dest, GError **error)
{
  sqlite3 *db = NULL;
  g_autofree char *tmp = NULL;
  char *sql, *message = NULL;
  int rc;

  g_return_val_if_fail (GIS_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (dest != NULL, FALSE);

  if (g_strcmp0 (dest, self->path) == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_EXISTS, "“%s” is the project itself", dest);
      return FALSE;
    }
  tmp = g_strdup_printf ("%s.part-%d", dest, (int) getpid ());
  g_unlink (tmp);
  if (sqlite3_open_v2 (self->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s” could not be read: %s", self->path,
                   sqlite3_errmsg (db));
      sqlite3_close (db);
      return FALSE;
    }
  sql = sqlite3_mprintf ("VACUUM INTO %Q", tmp);
  rc = sqlite3_exec (db, sql, NULL, NULL, &message);
  sqlite3_free (sql);
  sqlite3_close (db);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "The copy “%s” could not be written: %s",
                   dest, message ? message : "unknown error");
      sqlite3_free (message);
      g_unlink (tmp);
      return FALSE;
    }
  if (g_rename (tmp, dest) != 0)
    {
      int saved = errno;
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "The copy could not be put at “%s”: %s",
                   dest, g_strerror (saved));
      g_unlink (tmp);
      return FALSE;
    }
  return TRUE;
}
