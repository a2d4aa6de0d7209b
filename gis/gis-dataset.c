/* gis-dataset.c: user files opened through an allow-list of GDAL drivers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-dataset"

#include <string.h>

#include <cpl_conv.h>
#include <cpl_string.h>

#include "gis-dataset.h"
#include "gis-init.h"
#include "gis-private.h"

struct _GisDataset {
  GObject       parent_instance;

  /* Owned */
  GDALDatasetH  handle;
  char         *path;
  char         *driver;
};

G_DEFINE_FINAL_TYPE (GisDataset, gis_dataset, G_TYPE_OBJECT)

/* The formats a ministry's data comes in. Everything else, VRT above all, is refused for
 * user files (TRUST.md, hostile files). */
static const char *const vector_drivers[] = {
  "GPKG", "ESRI Shapefile", "GeoJSON", "CSV", "KML", "FlatGeobuf", NULL
};
static const char *const raster_drivers[] = { "GTiff", "GPKG", NULL };

static void
gis_dataset_finalize (GObject *object)
{
  GisDataset *self = GIS_DATASET (object);

  if (self->handle != NULL)
    GDALClose (self->handle);
  g_free (self->path);
  g_free (self->driver);

  G_OBJECT_CLASS (gis_dataset_parent_class)->finalize (object);
}

static void
gis_dataset_class_init (GisDatasetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gis_dataset_finalize;
}

static void
gis_dataset_init (GisDataset *self)
{
}

/* Says what a refused file is, when its first bytes tell. */
static const char *
sniff_refused_format (const char *path)
{
  char head[1024] = { 0 };
  FILE *f = fopen (path, "rb");
  size_t n;

  if (f == NULL)
    return NULL;
  n = fread (head, 1, sizeof head - 1, f);
  fclose (f);
  head[n] = '\0';
  if (strstr (head, "<VRTDataset") != NULL)
    return "a GDAL virtual dataset (VRT)";
  if (strstr (head, "<OGRVRTDataSource") != NULL)
    return "an OGR virtual dataset (VRT)";
  return NULL;
}

const char *const *
_gis_csv_open_options (void)
{
  static const char *const options[] = {
    "X_POSSIBLE_NAMES=longitude,lon,long,x,lng,Longitude,LONGITUDE,LON,X",
    "Y_POSSIBLE_NAMES=latitude,lat,y,Latitude,LATITUDE,LAT,Y",
    "KEEP_GEOM_COLUMNS=YES",
    "AUTODETECT_TYPE=NO",
    "EMPTY_STRING_AS_NULL=YES",
    NULL
  };
  return options;
}

/**
 * gis_dataset_open:
 * @path: a local file; URLs, `/vsi` paths and database strings are refused here
 * @flags: what kind of data to open it as
 *
 * Returns: (transfer full): the dataset, or %NULL with an error naming the file
 */
GisDataset *
gis_dataset_open (const char *path, GisOpenFlags flags, GError **error)
{
  g_autoptr(GisDataset) self = NULL;
  g_autoptr(GPtrArray) allowed = g_ptr_array_new ();
  g_autoptr(GPtrArray) open_options = g_ptr_array_new_with_free_func (g_free);
  unsigned int gdal_flags = GDAL_OF_VERBOSE_ERROR;
  const char *refused;
  g_autofree char *lower = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gis_init ();

  if (g_str_has_prefix (path, "/vsi") || strstr (path, "://") != NULL ||
      g_ascii_strncasecmp (path, "PG:", 3) == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_DRIVER,
                   "“%s” is not a local file; Placer opens local files only here", path);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_OPEN, "“%s” does not exist", path);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_OPEN, "“%s” is not a regular file", path);
      return NULL;
    }
  refused = sniff_refused_format (path);
  if (refused != NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_DRIVER,
                   "“%s” is %s, which Placer does not open: it can make GDAL read other "
                   "files or the network", path, refused);
      return NULL;
    }

  if (flags & GIS_OPEN_VECTOR)
    {
      gdal_flags |= GDAL_OF_VECTOR;
      for (guint i = 0; vector_drivers[i] != NULL; i++)
        g_ptr_array_add (allowed, (gpointer) vector_drivers[i]);
    }
  if (flags & GIS_OPEN_RASTER)
    {
      gdal_flags |= GDAL_OF_RASTER;
      for (guint i = 0; raster_drivers[i] != NULL; i++)
        g_ptr_array_add (allowed, (gpointer) raster_drivers[i]);
    }
  if (flags & GIS_OPEN_UPDATE)
    gdal_flags |= GDAL_OF_UPDATE;
  g_ptr_array_add (allowed, NULL);

  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".csv"))
    for (const char *const *o = _gis_csv_open_options (); *o; o++)
      g_ptr_array_add (open_options, g_strdup (*o));
  g_ptr_array_add (open_options, NULL);

  self = g_object_new (GIS_TYPE_DATASET, NULL);
  self->path = g_strdup (path);

  _gis_cpl_begin ();
  self->handle = GDALOpenEx (path, gdal_flags, (const char *const *) allowed->pdata,
                             (const char *const *) open_options->pdata, NULL);
  if (self->handle == NULL)
    {
      g_autofree char *why = _gis_cpl_last_message ();
      _gis_cpl_end (NULL, GIS_ERROR_OPEN, NULL);
      g_set_error (error, GIS_ERROR, GIS_ERROR_OPEN,
                   "Could not open “%s”: %s", path,
                   why != NULL ? why : "not a supported vector or raster format "
                                       "(GeoPackage, Shapefile, GeoJSON, CSV, KML, "
                                       "FlatGeobuf, GeoTIFF)");
      return NULL;
    }
  _gis_cpl_end (NULL, GIS_ERROR_OPEN, NULL);
  self->driver = g_strdup (GDALGetDriverShortName (GDALGetDatasetDriver (self->handle)));
  return g_steal_pointer (&self);
}

const char *
gis_dataset_get_path (GisDataset *self)
{
  g_return_val_if_fail (GIS_IS_DATASET (self), NULL);
  return self->path;
}

const char *
gis_dataset_get_driver_name (GisDataset *self)
{
  g_return_val_if_fail (GIS_IS_DATASET (self), NULL);
  return self->driver;
}

guint
gis_dataset_get_n_layers (GisDataset *self)
{
  g_return_val_if_fail (GIS_IS_DATASET (self), 0);
  return (guint) GDALDatasetGetLayerCount (self->handle);
}

const char *
gis_dataset_get_layer_name (GisDataset *self, guint index)
{
  OGRLayerH layer;

  g_return_val_if_fail (GIS_IS_DATASET (self), NULL);

  layer = GDALDatasetGetLayer (self->handle, (int) index);
  return layer ? OGR_L_GetName (layer) : NULL;
}

gboolean
gis_dataset_is_raster (GisDataset *self)
{
  g_return_val_if_fail (GIS_IS_DATASET (self), FALSE);
  return GDALGetRasterCount (self->handle) > 0;
}

static OGRLayerH
find_layer (GisDataset *self, const char *name, GError **error)
{
  OGRLayerH layer;

  if (name == NULL)
    {
      if (GDALDatasetGetLayerCount (self->handle) < 1)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, "“%s” has no vector layer",
                       self->path);
          return NULL;
        }
      return GDALDatasetGetLayer (self->handle, 0);
    }
  layer = GDALDatasetGetLayerByName (self->handle, name);
  if (layer == NULL)
    g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, "“%s” has no layer “%s”", self->path,
                 name);
  return layer;
}

const char *
gis_field_type_to_string (GisFieldType type)
{
  switch (type)
    {
    case GIS_FIELD_STRING: return "string";
    case GIS_FIELD_INTEGER: return "integer";
    case GIS_FIELD_REAL: return "real";
    case GIS_FIELD_DATE: return "date";
    case GIS_FIELD_DATETIME: return "datetime";
    case GIS_FIELD_OTHER:
    default: return "other";
    }
}

static GisFieldType
field_type_from_ogr (OGRFieldType t)
{
  switch (t)
    {
    case OFTString: return GIS_FIELD_STRING;
    case OFTInteger:
    case OFTInteger64: return GIS_FIELD_INTEGER;
    case OFTReal: return GIS_FIELD_REAL;
    case OFTDate: return GIS_FIELD_DATE;
    case OFTDateTime: return GIS_FIELD_DATETIME;
    default: return GIS_FIELD_OTHER;
    }
}

static void
field_info_free (gpointer p)
{
  GisFieldInfo *f = p;
  g_free (f->name);
  g_free (f);
}

void
gis_layer_info_free (GisLayerInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_clear_pointer (&info->crs, gis_crs_unref);
  g_clear_pointer (&info->fields, g_ptr_array_unref);
  g_free (info->description);
  g_free (info);
}

GisLayerInfo *
gis_layer_info_copy (const GisLayerInfo *info)
{
  GisLayerInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_memdup2 (info, sizeof *info);
  copy->name = g_strdup (info->name);
  copy->crs = info->crs ? gis_crs_ref (info->crs) : NULL;
  copy->description = g_strdup (info->description);
  copy->fields = g_ptr_array_new_with_free_func (field_info_free);
  for (guint i = 0; info->fields && i < info->fields->len; i++)
    {
      const GisFieldInfo *f = g_ptr_array_index (info->fields, i);
      GisFieldInfo *c = g_new0 (GisFieldInfo, 1);
      c->name = g_strdup (f->name);
      c->type = f->type;
      g_ptr_array_add (copy->fields, c);
    }
  return copy;
}

G_DEFINE_BOXED_TYPE (GisLayerInfo, gis_layer_info, gis_layer_info_copy, gis_layer_info_free)

/**
 * gis_layer_info_find_field:
 *
 * Returns: the index of the field named @name (exact match first, then ignoring case), or -1
 */
int
gis_layer_info_find_field (const GisLayerInfo *info, const char *name)
{
  g_return_val_if_fail (info != NULL && name != NULL, -1);

  for (guint i = 0; i < info->fields->len; i++)
    if (g_str_equal (((GisFieldInfo *) g_ptr_array_index (info->fields, i))->name, name))
      return (int) i;
  for (guint i = 0; i < info->fields->len; i++)
    if (g_ascii_strcasecmp (((GisFieldInfo *) g_ptr_array_index (info->fields, i))->name,
                            name) == 0)
      return (int) i;
  return -1;
}

static GisGeometryType
geometry_type_from_ogr (OGRwkbGeometryType t)
{
  switch (wkbFlatten (t))
    {
    case wkbPoint: return GIS_GEOMETRY_POINT;
    case wkbLineString: return GIS_GEOMETRY_LINESTRING;
    case wkbPolygon: return GIS_GEOMETRY_POLYGON;
    case wkbMultiPoint: return GIS_GEOMETRY_MULTIPOINT;
    case wkbMultiLineString: return GIS_GEOMETRY_MULTILINESTRING;
    case wkbMultiPolygon: return GIS_GEOMETRY_MULTIPOLYGON;
    case wkbGeometryCollection: return GIS_GEOMETRY_COLLECTION;
    case wkbCurvePolygon: return GIS_GEOMETRY_POLYGON;
    case wkbMultiSurface: return GIS_GEOMETRY_MULTIPOLYGON;
    case wkbCompoundCurve:
    case wkbCircularString: return GIS_GEOMETRY_LINESTRING;
    case wkbMultiCurve: return GIS_GEOMETRY_MULTILINESTRING;
    default: return GIS_GEOMETRY_UNKNOWN;
    }
}

/**
 * gis_dataset_describe_layer:
 * @layer: (nullable): the layer's name, or %NULL for the first layer
 *
 * Returns: (transfer full): the layer's facts
 */
GisLayerInfo *
gis_dataset_describe_layer (GisDataset *self, const char *layer_name, GError **error)
{
  OGRLayerH layer;
  OGRFeatureDefnH defn;
  OGRSpatialReferenceH srs;
  g_autoptr(GisLayerInfo) info = g_new0 (GisLayerInfo, 1);
  OGREnvelope env;
  const char *desc;
  const char *synthetic;

  g_return_val_if_fail (GIS_IS_DATASET (self), NULL);

  layer = find_layer (self, layer_name, error);
  if (layer == NULL)
    return NULL;
  defn = OGR_L_GetLayerDefn (layer);
  /* Facts describe the whole layer, whatever a caller filtered before. */
  OGR_L_SetSpatialFilter (layer, NULL);
  OGR_L_SetAttributeFilter (layer, NULL);
  info->name = g_strdup (OGR_L_GetName (layer));
  info->has_geometry = OGR_FD_GetGeomFieldCount (defn) > 0;
  info->geometry_type = geometry_type_from_ogr (OGR_L_GetGeomType (layer));
  info->feature_count = OGR_L_GetFeatureCount (layer, TRUE);
  info->extent = GIS_ENVELOPE_EMPTY;
  _gis_cpl_begin ();
  if (info->has_geometry && info->feature_count > 0 &&
      OGR_L_GetExtent (layer, &env, TRUE) == OGRERR_NONE)
    info->extent = (GisEnvelope) { env.MinX, env.MinY, env.MaxX, env.MaxY };
  _gis_cpl_end (NULL, GIS_ERROR_IO, NULL);

  srs = OGR_L_GetSpatialRef (layer);
  if (srs != NULL)
    {
      g_autoptr(GError) crs_error = NULL;
      char *wkt = NULL;
      const char *options[] = { "FORMAT=WKT2_2019", NULL };

      if (OSRExportToWktEx (srs, &wkt, options) == OGRERR_NONE && wkt != NULL)
        info->crs = gis_crs_new_from_wkt (wkt, &crs_error);
      CPLFree (wkt);
      if (info->crs == NULL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, "“%s”, layer “%s”: unusable CRS: %s",
                       self->path, info->name, crs_error ? crs_error->message : "unknown");
          return NULL;
        }
    }

  info->fields = g_ptr_array_new_with_free_func (field_info_free);
  for (int i = 0; i < OGR_FD_GetFieldCount (defn); i++)
    {
      OGRFieldDefnH fd = OGR_FD_GetFieldDefn (defn, i);
      GisFieldInfo *f = g_new0 (GisFieldInfo, 1);
      f->name = g_strdup (OGR_Fld_GetNameRef (fd));
      f->type = field_type_from_ogr (OGR_Fld_GetType (fd));
      g_ptr_array_add (info->fields, f);
    }

  desc = GDALGetMetadataItem ((GDALMajorObjectH) layer, "DESCRIPTION", NULL);
  if (desc == NULL || *desc == '\0')
    desc = GDALGetMetadataItem (self->handle, "DESCRIPTION", NULL);
  info->description = desc && *desc ? g_strdup (desc) : NULL;
  synthetic = GDALGetMetadataItem ((GDALMajorObjectH) layer, "PLACER_SYNTHETIC", NULL);
  info->synthetic = synthetic != NULL && g_ascii_strcasecmp (synthetic, "YES") == 0;
  return g_steal_pointer (&info);
}

void
gis_value_count_free (GisValueCount *vc)
{
  if (vc == NULL)
    return;
  g_free (vc->value);
  g_free (vc);
}

static int
compare_counts (gconstpointer a, gconstpointer b)
{
  const GisValueCount *x = *(const GisValueCount *const *) a;
  const GisValueCount *y = *(const GisValueCount *const *) b;

  if (x->count != y->count)
    return x->count < y->count ? 1 : -1;
  return g_strcmp0 (x->value, y->value);
}

/* Field values as machine text: GDAL writes dates as 2016/07/04, Placer wants 2016-07-04. */
static char *
field_to_text (OGRFeatureH f, int i, OGRFieldType type)
{
  if (!OGR_F_IsFieldSetAndNotNull (f, i))
    return NULL;
  if (type == OFTDate || type == OFTDateTime)
    {
      int y, mo, d, h, mi, tz;
      float s;
      if (!OGR_F_GetFieldAsDateTimeEx (f, i, &y, &mo, &d, &h, &mi, &s, &tz))
        return NULL;
      if (type == OFTDate)
        return g_strdup_printf ("%04d-%02d-%02d", y, mo, d);
      return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, (int) s);
    }
  return g_strdup (OGR_F_GetFieldAsString (f, i));
}

/**
 * gis_dataset_distinct_values_many:
 * @fields: (array length=n_fields): field names
 * @max_values: per field, stop collecting new values past this many (counts of known ones
 *   go on)
 *
 * The distinct values of several fields in one pass over the layer, reading those fields
 * only (not the shapes, which are most of the bytes).
 *
 * Returns: (transfer full) (element-type GPtrArray): per field, its #GisValueCount, most
 *   frequent first
 */
GPtrArray *
gis_dataset_distinct_values_many (GisDataset  *self,
                                  const char  *layer_name,
                                  const char **fields,
                                  guint        n_fields,
                                  guint        max_values,
                                  GError     **error)
{
  OGRLayerH layer;
  OGRFeatureDefnH defn;
  OGRFeatureH f;
  g_autofree int *index = NULL;
  g_autofree OGRFieldType *type = NULL;
  g_autoptr(GPtrArray) counts = NULL;   /* GHashTable* per field */
  g_autoptr(GPtrArray) ignored = g_ptr_array_new ();
  GPtrArray *result;

  g_return_val_if_fail (GIS_IS_DATASET (self), NULL);
  g_return_val_if_fail (fields != NULL || n_fields == 0, NULL);

  layer = find_layer (self, layer_name, error);
  if (layer == NULL)
    return NULL;
  defn = OGR_L_GetLayerDefn (layer);
  index = g_new (int, MAX (n_fields, 1));
  type = g_new (OGRFieldType, MAX (n_fields, 1));
  counts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  for (guint k = 0; k < n_fields; k++)
    {
      index[k] = OGR_FD_GetFieldIndex (defn, fields[k]);
      if (index[k] < 0)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, "“%s”, layer “%s”: no field “%s”",
                       self->path, OGR_L_GetName (layer), fields[k]);
          return NULL;
        }
      type[k] = OGR_Fld_GetType (OGR_FD_GetFieldDefn (defn, index[k]));
      g_ptr_array_add (counts, g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL));
    }
  g_ptr_array_add (ignored, (gpointer) "OGR_GEOMETRY");
  for (int i = 0; i < OGR_FD_GetFieldCount (defn); i++)
    {
      gboolean wanted = FALSE;
      for (guint k = 0; k < n_fields && !wanted; k++)
        wanted = index[k] == i;
      if (!wanted)
        g_ptr_array_add (ignored, (gpointer) OGR_Fld_GetNameRef (OGR_FD_GetFieldDefn (defn, i)));
    }
  g_ptr_array_add (ignored, NULL);
  OGR_L_SetIgnoredFields (layer, (const char **) ignored->pdata);
  OGR_L_ResetReading (layer);
  OGR_L_SetSpatialFilter (layer, NULL);
  OGR_L_SetAttributeFilter (layer, NULL);
  _gis_cpl_begin ();
  while (n_fields > 0 && (f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      for (guint k = 0; k < n_fields; k++)
        {
          GHashTable *c = g_ptr_array_index (counts, k);
          g_autofree char *text = field_to_text (f, index[k], type[k]);
          gpointer old;

          if (text == NULL)
            continue;
          if (g_hash_table_lookup_extended (c, text, NULL, &old))
            g_hash_table_insert (c, g_steal_pointer (&text),
                                 GSIZE_TO_POINTER (GPOINTER_TO_SIZE (old) + 1));
          else if (g_hash_table_size (c) < max_values)
            g_hash_table_insert (c, g_steal_pointer (&text), GSIZE_TO_POINTER (1));
        }
      OGR_F_Destroy (f);
    }
  OGR_L_SetIgnoredFields (layer, NULL);
  if (!_gis_cpl_end (error, GIS_ERROR_IO, self->path))
    return NULL;

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint k = 0; k < n_fields; k++)
    {
      GPtrArray *values = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_value_count_free);
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, g_ptr_array_index (counts, k));
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          GisValueCount *vc = g_new0 (GisValueCount, 1);
          vc->value = g_strdup (key);
          vc->count = GPOINTER_TO_SIZE (value);
          g_ptr_array_add (values, vc);
        }
      g_ptr_array_sort (values, compare_counts);
      g_ptr_array_add (result, values);
    }
  return result;
}

/**
 * gis_dataset_distinct_values:
 * @max_values: stop collecting new values past this many (counts of known ones go on)
 *
 * Returns: (transfer full) (element-type GisValueCount): values of @field, most frequent first
 */
GPtrArray *
gis_dataset_distinct_values (GisDataset *self,
                             const char *layer_name,
                             const char *field,
                             guint       max_values,
                             GError    **error)
{
  g_autoptr(GPtrArray) all = NULL;

  g_return_val_if_fail (field != NULL, NULL);

  all = gis_dataset_distinct_values_many (self, layer_name, &field, 1, max_values, error);
  return all ? g_ptr_array_ref (g_ptr_array_index (all, 0)) : NULL;
}

void
gis_feature_free (GisFeature *feature)
{
  if (feature == NULL)
    return;
  g_clear_pointer (&feature->geometry, gis_geometry_unref);
  for (guint i = 0; i < feature->n_values; i++)
    g_free (feature->values[i]);
  g_free (feature->values);
  g_free (feature);
}

static GisFeature *
gis_feature_copy (const GisFeature *feature)
{
  GisFeature *copy = g_new0 (GisFeature, 1);

  copy->fid = feature->fid;
  copy->geometry = feature->geometry ? gis_geometry_ref (feature->geometry) : NULL;
  copy->n_values = feature->n_values;
  copy->values = g_new0 (char *, feature->n_values + 1);
  for (guint i = 0; i < feature->n_values; i++)
    copy->values[i] = g_strdup (feature->values[i]);
  return copy;
}

G_DEFINE_BOXED_TYPE (GisFeature, gis_feature, gis_feature_copy, gis_feature_free)

const char *
gis_feature_get (GisFeature *feature, int index)
{
  g_return_val_if_fail (feature != NULL, NULL);
  if (index < 0 || (guint) index >= feature->n_values)
    return NULL;
  return feature->values[index];
}

/**
 * gis_dataset_foreach_feature:
 * @filter: (nullable): only features whose geometry's envelope meets this box
 * @func: called for each feature; return %FALSE with an error to stop
 *
 * A feature whose geometry GDAL cannot read stops the walk with an error naming the file,
 * the layer and the feature id; nothing is skipped silently.
 *
 * Returns: %TRUE if every feature was visited
 */
gboolean
gis_dataset_foreach_feature (GisDataset        *self,
                             const char        *layer_name,
                             const GisEnvelope *filter,
                             GisFeatureFunc     func,
                             gpointer           user_data,
                             GCancellable      *cancellable,
                             GError           **error)
{
  OGRLayerH layer;
  OGRFeatureDefnH defn;
  OGRFeatureH f;
  int n_fields;
  g_autofree OGRFieldType *types = NULL;
  guint64 count = 0;

  g_return_val_if_fail (GIS_IS_DATASET (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  layer = find_layer (self, layer_name, error);
  if (layer == NULL)
    return FALSE;
  defn = OGR_L_GetLayerDefn (layer);
  n_fields = OGR_FD_GetFieldCount (defn);
  types = g_new0 (OGRFieldType, MAX (n_fields, 1));
  for (int i = 0; i < n_fields; i++)
    types[i] = OGR_Fld_GetType (OGR_FD_GetFieldDefn (defn, i));

  OGR_L_SetAttributeFilter (layer, NULL);
  if (filter != NULL)
    OGR_L_SetSpatialFilterRect (layer, filter->min_x, filter->min_y, filter->max_x,
                                filter->max_y);
  else
    OGR_L_SetSpatialFilter (layer, NULL);
  OGR_L_ResetReading (layer);

  _gis_cpl_begin ();
  while (TRUE)
    {
      g_autoptr(GisFeature) feature = NULL;
      OGRGeometryH g;
      g_autoptr(GError) local_error = NULL;

      if ((++count & 1023) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          OGR_L_SetSpatialFilter (layer, NULL);
          _gis_cpl_end (NULL, GIS_ERROR_IO, NULL);
          return FALSE;
        }
      f = OGR_L_GetNextFeature (layer);
      if (f == NULL)
        break;
      feature = g_new0 (GisFeature, 1);
      feature->fid = OGR_F_GetFID (f);
      feature->n_values = (guint) n_fields;
      feature->values = g_new0 (char *, n_fields + 1);
      for (int i = 0; i < n_fields; i++)
        feature->values[i] = field_to_text (f, i, types[i]);
      g = OGR_F_GetGeometryRef (f);
      if (g != NULL)
        {
          feature->geometry = _gis_geometry_from_ogr (g, &local_error);
          if (feature->geometry == NULL)
            {
              OGR_F_Destroy (f);
              OGR_L_SetSpatialFilter (layer, NULL);
              _gis_cpl_end (NULL, GIS_ERROR_IO, NULL);
              g_set_error (error, GIS_ERROR, GIS_ERROR_GEOMETRY,
                           "“%s”, layer “%s”, feature %" G_GINT64_FORMAT ": %s", self->path,
                           OGR_L_GetName (layer), feature->fid, local_error->message);
              return FALSE;
            }
        }
      OGR_F_Destroy (f);
      if (!func (feature, user_data, error))
        {
          OGR_L_SetSpatialFilter (layer, NULL);
          _gis_cpl_end (NULL, GIS_ERROR_IO, NULL);
          return FALSE;
        }
    }
  OGR_L_SetSpatialFilter (layer, NULL);
  {
    g_autofree char *context = g_strdup_printf ("“%s”, layer “%s”", self->path,
                                                OGR_L_GetName (layer));
    return _gis_cpl_end (error, GIS_ERROR_IO, context);
  }
}

static gboolean
collect_cb (GisFeature *feature, gpointer user_data, GError **error)
{
  g_ptr_array_add (user_data, gis_feature_copy (feature));
  return TRUE;
}

/**
 * gis_dataset_read_features:
 *
 * Returns: (transfer full) (element-type GisFeature): every feature of the layer
 */
GPtrArray *
gis_dataset_read_features (GisDataset        *self,
                           const char        *layer_name,
                           const GisEnvelope *filter,
                           GCancellable      *cancellable,
                           GError           **error)
{
  g_autoptr(GPtrArray) features =
    g_ptr_array_new_with_free_func ((GDestroyNotify) gis_feature_free);

  if (!gis_dataset_foreach_feature (self, layer_name, filter, collect_cb, features,
                                    cancellable, error))
    return NULL;
  return g_steal_pointer (&features);
}

/**
 * gis_file_sha256:
 *
 * Returns: (transfer full): the hex SHA-256 of a file's bytes, for the run record
 */
char *
gis_file_sha256 (const char *path, GError **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  guint8 buf[65536];
  gssize n;

  in = g_file_read (file, NULL, error);
  if (in == NULL)
    return NULL;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, sizeof buf, NULL, error)) > 0)
    g_checksum_update (sum, buf, n);
  if (n < 0)
    return NULL;
  return g_strdup (g_checksum_get_string (sum));
}
