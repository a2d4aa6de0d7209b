/* gis-writer.c: result GeoPackages written to a temporary file and renamed into place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-writer"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <cpl_string.h>

#include "gis-init.h"
#include "gis-private.h"
#include "gis-writer.h"

struct _GisWriter {
  char         *path;
  char         *tmp_path;
  GDALDatasetH  ds;
  OGRLayerH     layer;
  GisFieldType *types;
  guint         n_fields;
  gboolean      finished;
};

/* The partial files of @path that no running process writes any more: left by a run that
 * was killed (a crash, a power cut). Their names carry the writer's process number; a
 * number that no process has now is a dead run's. A number in use again by another
 * program keeps its file, which is the safe way to be wrong. */
static void
remove_stale_partials (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strconcat (base, ".partial-", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      char *end = NULL;
      gint64 pid;

      if (!g_str_has_prefix (name, prefix) || !g_str_has_suffix (name, ".gpkg"))
        continue;
      pid = g_ascii_strtoll (name + strlen (prefix), &end, 10);
      if (end == NULL || *end != '-' || pid <= 0 || pid > G_MAXINT || pid == getpid ())
        continue;
      if (kill ((pid_t) pid, 0) == 0 || errno != ESRCH)
        continue;
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);
        g_autofree char *journal = g_strconcat (file, "-journal", NULL);
        g_unlink (file);
        g_unlink (journal);
      }
    }
}

/**
 * gis_writer_new:
 * @path: the GeoPackage to write (it must end in .gpkg)
 * @overwrite: replace an existing file; without it an existing file is an error
 *
 * The layers go into `PATH.partial-PID-N.gpkg` beside @path until gis_writer_finish()
 * renames it. Partial files of @path left by runs that were killed are removed first.
 *
 * Returns: (transfer full): the writer
 */
GisWriter *
gis_writer_new (const char *path, gboolean overwrite, GError **error)
{
  GisWriter *w;
  GDALDriverH driver;
  const char *options[] = { "ADD_GPKG_OGR_CONTENTS=NO", NULL };
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  gis_init ();
  if (!g_str_has_suffix (path, ".gpkg"))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "Output “%s” must be a .gpkg file", path);
      return NULL;
    }
  if (!overwrite && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_EXISTS,
                   "“%s” already exists; Placer does not overwrite it (choose another name)",
                   path);
      return NULL;
    }
  dir = g_path_get_dirname (path);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "Cannot write “%s”: no folder “%s”", path, dir);
      return NULL;
    }
  w = g_new0 (GisWriter, 1);
  w->path = g_strdup (path);
  remove_stale_partials (path);
  w->tmp_path = g_strdup_printf ("%s.partial-%d-%u.gpkg", path, (int) getpid (),
                                 (guint) g_random_int ());
  driver = GDALGetDriverByName ("GPKG");
  _gis_cpl_begin ();
  w->ds = GDALCreate (driver, w->tmp_path, 0, 0, 0, GDT_Unknown, (char **) options);
  if (w->ds == NULL)
    {
      _gis_cpl_end (error, GIS_ERROR_IO, path);
      if (error != NULL && *error == NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "Could not create “%s”", path);
      gis_writer_free (w);
      return NULL;
    }
  _gis_cpl_end (NULL, GIS_ERROR_IO, NULL);
  /* One transaction for the whole file: fast, and nothing half-written is ever visible. */
  GDALDatasetStartTransaction (w->ds, FALSE);
  return w;
}

static OGRwkbGeometryType
to_ogr_type (GisGeometryType t)
{
  switch (t)
    {
    case GIS_GEOMETRY_POINT: return wkbPoint;
    case GIS_GEOMETRY_LINESTRING: return wkbLineString;
    case GIS_GEOMETRY_POLYGON: return wkbPolygon;
    case GIS_GEOMETRY_MULTIPOINT: return wkbMultiPoint;
    case GIS_GEOMETRY_MULTILINESTRING: return wkbMultiLineString;
    case GIS_GEOMETRY_MULTIPOLYGON: return wkbMultiPolygon;
    case GIS_GEOMETRY_COLLECTION: return wkbGeometryCollection;
    case GIS_GEOMETRY_UNKNOWN:
    default: return wkbNone;
    }
}

static OGRFieldType
to_ogr_field (GisFieldType t)
{
  switch (t)
    {
    case GIS_FIELD_INTEGER: return OFTInteger64;
    case GIS_FIELD_REAL: return OFTReal;
    case GIS_FIELD_DATE: return OFTDate;
    case GIS_FIELD_DATETIME: return OFTDateTime;
    case GIS_FIELD_STRING:
    case GIS_FIELD_OTHER:
    default: return OFTString;
    }
}

/**
 * gis_writer_begin_layer:
 * @crs: (nullable): the layer's CRS (%NULL for a table without geometry)
 * @geometry_type: %GIS_GEOMETRY_UNKNOWN for a table without geometry
 * @fields: (array length=n_fields): the attribute fields
 */
gboolean
gis_writer_begin_layer (GisWriter *w, const char *name, GisCrs *crs,
                        GisGeometryType geometry_type, const GisFieldInfo *fields,
                        guint n_fields, const char *description, GError **error)
{
  OGRSpatialReferenceH srs = NULL;
  char **options = NULL;

  g_return_val_if_fail (w != NULL && name != NULL, FALSE);
  g_return_val_if_fail (!w->finished, FALSE);

  if (crs != NULL)
    {
      const char *p = gis_crs_get_wkt (crs);
      srs = OSRNewSpatialReference (NULL);
      OSRImportFromWkt (srs, (char **) &p);
      OSRSetAxisMappingStrategy (srs, OAMS_TRADITIONAL_GIS_ORDER);
    }
  options = CSLSetNameValue (options, "FID", "fid");
  if (geometry_type != GIS_GEOMETRY_UNKNOWN)
    options = CSLSetNameValue (options, "GEOMETRY_NAME", "geom");
  if (description != NULL)
    options = CSLSetNameValue (options, "DESCRIPTION", description);
  _gis_cpl_begin ();
  w->layer = GDALDatasetCreateLayer (w->ds, name, srs, to_ogr_type (geometry_type), options);
  CSLDestroy (options);
  if (srs != NULL)
    OSRDestroySpatialReference (srs);
  if (w->layer == NULL)
    {
      _gis_cpl_end (error, GIS_ERROR_IO, w->path);
      if (error != NULL && *error == NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not create layer %s", w->path,
                     name);
      return FALSE;
    }
  g_free (w->types);
  w->types = g_new0 (GisFieldType, MAX (n_fields, 1));
  w->n_fields = n_fields;
  for (guint i = 0; i < n_fields; i++)
    {
      OGRFieldDefnH fd = OGR_Fld_Create (fields[i].name, to_ogr_field (fields[i].type));
      OGRErr err = OGR_L_CreateField (w->layer, fd, TRUE);
      OGR_Fld_Destroy (fd);
      w->types[i] = fields[i].type;
      if (err != OGRERR_NONE)
        {
          _gis_cpl_end (error, GIS_ERROR_IO, w->path);
          return FALSE;
        }
    }
  return _gis_cpl_end (error, GIS_ERROR_IO, w->path);
}

/**
 * gis_writer_add:
 * @geometry: (nullable): in the layer's CRS
 * @values: (array): one machine-text value per field (numbers with a dot, dates
 *   YYYY-MM-DD), %NULL for null
 */
gboolean
gis_writer_add (GisWriter *w, GisGeometry *geometry, const char *const *values, GError **error)
{
  OGRFeatureH f;
  OGRErr err;

  g_return_val_if_fail (w != NULL && w->layer != NULL, FALSE);

  f = OGR_F_Create (OGR_L_GetLayerDefn (w->layer));
  for (guint i = 0; i < w->n_fields; i++)
    {
      if (values == NULL || values[i] == NULL)
        OGR_F_SetFieldNull (f, (int) i);
      else
        OGR_F_SetFieldString (f, (int) i, values[i]);
    }
  if (geometry != NULL)
    {
      OGRGeometryH g = _gis_geometry_to_ogr (geometry, error);
      if (g == NULL)
        {
          OGR_F_Destroy (f);
          return FALSE;
        }
      OGR_F_SetGeometryDirectly (f, g);
    }
  _gis_cpl_begin ();
  err = OGR_L_CreateFeature (w->layer, f);
  OGR_F_Destroy (f);
  if (err != OGRERR_NONE)
    {
      _gis_cpl_end (error, GIS_ERROR_IO, w->path);
      if (error != NULL && *error == NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: could not write a feature", w->path);
      return FALSE;
    }
  return _gis_cpl_end (error, GIS_ERROR_IO, w->path);
}

/**
 * gis_writer_finish:
 *
 * Commits, closes and moves the file into place.
 */
gboolean
gis_writer_finish (GisWriter *w, GError **error)
{
  g_return_val_if_fail (w != NULL && !w->finished, FALSE);

  _gis_cpl_begin ();
  if (GDALDatasetCommitTransaction (w->ds) != OGRERR_NONE)
    {
      _gis_cpl_end (error, GIS_ERROR_IO, w->path);
      return FALSE;
    }
  GDALClose (w->ds);
  w->ds = NULL;
  if (!_gis_cpl_end (error, GIS_ERROR_IO, w->path))
    return FALSE;
  if (g_rename (w->tmp_path, w->path) != 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "Could not move the result into “%s”: %s",
                   w->path, g_strerror (errno));
      return FALSE;
    }
  w->finished = TRUE;
  return TRUE;
}

void
gis_writer_free (GisWriter *w)
{
  if (w == NULL)
    return;
  if (w->ds != NULL)
    GDALClose (w->ds);
  if (!w->finished && w->tmp_path != NULL)
    {
      g_autofree char *journal = g_strconcat (w->tmp_path, "-journal", NULL);
      g_unlink (w->tmp_path);
      g_unlink (journal);
    }
  g_free (w->types);
  g_free (w->path);
  g_free (w->tmp_path);
  g_free (w);
}
