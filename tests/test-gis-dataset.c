/* test-gis-dataset.c: opening user files through the allow-list, layer facts, feature
 * cursors, distinct values, raster windows and file checksums
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <string.h>

#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>

#include "gis.h"

/* Writes @text to @dir/@name and returns the file's path. */
static char *
write_file (const char *dir, const char *name, const char *text, gssize len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  assert_true (g_file_set_contents (path, text, len, &error));
  assert_no_error (error);
  return path;
}

/* ---------------------------------------------------------------------------------------- */
/* Opening */

typedef struct {
  guint       n;
  GisEnvelope e;
  int         name_field;
  char       *name;
} OneFeature;

static gboolean
one_feature_cb (GisFeature *f, gpointer user_data, GError **error)
{
  OneFeature *o = user_data;

  o->n++;
  gis_geometry_get_envelope (f->geometry, &o->e);
  g_free (o->name);
  o->name = g_strdup (gis_feature_get (f, o->name_field));
  return TRUE;
}

/* Every vector format on the allow-list opens with the drivers Placer registers (not all
 * of GDAL's): the same square, written by GDAL in each, reads back with its corners and
 * its name. */
static void
test_allowed_vector_formats_open (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *src = write_file (dir, "src.geojson",
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
    "{\"name\":\"Kamituga\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[28.25,-3.5],[28.5,-3.5],[28.5,-3.25],[28.25,-3.25],[28.25,-3.5]]]}}]}", -1);
  const struct { const char *driver, *file; } formats[] = {
    { "GPKG", "a.gpkg" }, { "ESRI Shapefile", "a.shp" }, { "GeoJSON", "a.json" },
    { "KML", "a.kml" }, { "FlatGeobuf", "a.fgb" }, { "CSV", "a.csv" },
  };
  GDALDatasetH in;

  gis_init ();
  in = GDALOpenEx (src, GDAL_OF_VECTOR, NULL, NULL, NULL);
  assert_non_null (in);
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *out = g_build_filename (dir, formats[i].file, NULL);
      char *argv[] = { (char *) "-f", (char *) formats[i].driver, (char *) "-lco",
                       (char *) "GEOMETRY=AS_WKT", NULL };
      GDALVectorTranslateOptions *opts;
      GDALDatasetH made;
      g_autoptr(GError) error = NULL;
      g_autoptr(GisDataset) ds = NULL;
      OneFeature o = { 0 };

      /* CSV needs its geometry column asked for; the others take no such option. */
      if (!g_str_equal (formats[i].driver, "CSV"))
        argv[2] = NULL;
      opts = GDALVectorTranslateOptionsNew (argv, NULL);
      made = GDALVectorTranslate (out, NULL, 1, &in, opts, NULL);
      GDALVectorTranslateOptionsFree (opts);
      assert_non_null (made);
      GDALClose (made);

      ds = gis_dataset_open (out, GIS_OPEN_VECTOR, &error);
      assert_no_error (error);
      assert_string_equal (gis_dataset_get_driver_name (ds), formats[i].driver);
      {
        g_autoptr(GisLayerInfo) info = gis_dataset_describe_layer (ds, NULL, &error);
        assert_no_error (error);
        o.name_field = gis_layer_info_find_field (info, "name");
        assert_true (o.name_field >= 0);
      }
      assert_true (gis_dataset_foreach_feature (ds, NULL, NULL, one_feature_cb, &o, NULL, &error));
      assert_no_error (error);
      assert_int_equal (o.n, 1);
      assert_string_equal (o.name, "Kamituga");
      assert_close_abs (o.e.min_x, 28.25, 0);
      assert_close_abs (o.e.max_x, 28.5, 0);
      assert_close_abs (o.e.min_y, -3.5, 0);
      assert_close_abs (o.e.max_y, -3.25, 0);
      g_free (o.name);
    }
  GDALClose (in);
  test_rmtree (dir);
}

static void
test_open_missing_file (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "nope.gpkg", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR | GIS_OPEN_RASTER, &error);
  assert_null (ds);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_OPEN);
  assert_error_contains (error, path);
  assert_error_contains (error, "does not exist");
  test_rmtree (dir);
}

static void
test_open_directory (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;

  /* A folder (a shapefile folder, an unzipped export) is not opened as a dataset. */
  ds = gis_dataset_open (dir, GIS_OPEN_VECTOR, &error);
  assert_null (ds);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_OPEN);
  assert_error_contains (error, dir);
  assert_error_contains (error, "not a regular file");
  test_rmtree (dir);
}

static void
test_open_refuses_non_local (void **state)
{
  /* Network paths, GDAL virtual file systems and database strings, whatever their case. */
  const char *paths[] = {
    "/vsicurl/http://127.0.0.1/x.gpkg",
    "/vsizip//tmp/x.zip/x.shp",
    "https://127.0.0.1/x.geojson",
    "PG:dbname=x",
    "pg:dbname=x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisDataset) ds = gis_dataset_open (paths[i], GIS_OPEN_VECTOR | GIS_OPEN_RASTER,
                                                   &error);
      assert_null (ds);
      assert_error_matches (error, GIS_ERROR, GIS_ERROR_DRIVER);
      assert_error_contains (error, paths[i]);
      assert_error_contains (error, "not a local file");
    }
}

static void
test_open_refuses_disguised_vrt (void **state)
{
  g_autofree char *path = test_data_path ("data/disguised-vrt.tif");
  const GisOpenFlags flags[] = { GIS_OPEN_RASTER, GIS_OPEN_VECTOR,
                                 GIS_OPEN_VECTOR | GIS_OPEN_RASTER };

  /* The file names a URL as its source: the refusal comes from its first bytes, before GDAL
   * sees it, whatever kind of data it is opened as. */
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisDataset) ds = gis_dataset_open (path, flags[i], &error);
      assert_null (ds);
      assert_error_matches (error, GIS_ERROR, GIS_ERROR_DRIVER);
      assert_error_contains (error, path);
      assert_error_contains (error, "VRT");
    }
}

static void
test_open_garbage (void **state)
{
  g_autofree char *path = test_data_path ("data/garbage.gpkg");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;

  /* garbage.gpkg is a line of text with a .gpkg name. */
  ds = gis_dataset_open (path, GIS_OPEN_VECTOR | GIS_OPEN_RASTER, &error);
  assert_null (ds);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_OPEN);
  assert_error_contains (error, path);
  assert_error_contains (error, "Could not open");
}

/* ---------------------------------------------------------------------------------------- */
/* Layer facts */

static void
test_describe_geojson_utm (void **state)
{
  g_autofree char *path = test_data_path ("data/square-utm.geojson");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  const GisFieldInfo *field;

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_no_error (error);
  assert_non_null (ds);
  assert_string_equal (gis_dataset_get_path (ds), path);
  assert_string_equal (gis_dataset_get_driver_name (ds), "GeoJSON");
  assert_int_equal (gis_dataset_get_n_layers (ds), 1);
  assert_string_equal (gis_dataset_get_layer_name (ds, 0), "square-utm");
  assert_false (gis_dataset_is_raster (ds));

  /* NULL is the first layer. */
  info = gis_dataset_describe_layer (ds, NULL, &error);
  assert_no_error (error);
  assert_non_null (info);
  assert_string_equal (info->name, "square-utm");
  assert_true (info->has_geometry);
  assert_int_equal (info->geometry_type, GIS_GEOMETRY_POLYGON);
  assert_int_equal (info->feature_count, 2);
  assert_non_null (info->crs);
  assert_int_equal (gis_crs_get_epsg (info->crs), 32735);
  assert_false (gis_crs_is_geographic (info->crs));
  assert_false (info->synthetic);

  /* Both features span the same 1 km square, written in whole metres in the file. */
  assert_true (info->extent.min_x == 700000.0);
  assert_true (info->extent.min_y == 9800000.0);
  assert_true (info->extent.max_x == 701000.0);
  assert_true (info->extent.max_y == 9801000.0);

  assert_int_equal (info->fields->len, 1);
  field = g_ptr_array_index (info->fields, 0);
  assert_string_equal (field->name, "name");
  assert_int_equal (field->type, GIS_FIELD_STRING);
  assert_string_equal (gis_field_type_to_string (field->type), "string");
  /* Exact match first, then ignoring case. */
  assert_int_equal (gis_layer_info_find_field (info, "name"), 0);
  assert_int_equal (gis_layer_info_find_field (info, "NAME"), 0);
  assert_int_equal (gis_layer_info_find_field (info, "title"), -1);

  /* The same layer by name. */
  {
    g_autoptr(GisLayerInfo) again = gis_dataset_describe_layer (ds, "square-utm", &error);
    assert_no_error (error);
    assert_int_equal (again->feature_count, 2);
  }

  g_assert_finalize_object (g_steal_pointer (&ds));
}

static void
test_describe_unknown_layer (void **state)
{
  g_autofree char *path = test_data_path ("data/square-utm.geojson");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(GPtrArray) values = NULL;

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_no_error (error);

  info = gis_dataset_describe_layer (ds, "titres", &error);
  assert_null (info);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  assert_error_contains (error, "“titres”");
  assert_error_contains (error, path);
  g_clear_error (&error);

  /* Every entry point that takes a layer name says the same. */
  values = gis_dataset_distinct_values (ds, "titres", "name", 10, &error);
  assert_null (values);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  assert_error_contains (error, "“titres”");
  g_clear_error (&error);

  values = gis_dataset_read_features (ds, "titres", NULL, NULL, &error);
  assert_null (values);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  assert_error_contains (error, "“titres”");

  g_assert_finalize_object (g_steal_pointer (&ds));
}

static void
test_csv_points_without_crs (void **state)
{
  g_autofree char *path = test_data_path ("data/points-no-crs.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(GPtrArray) features = NULL;
  const char *expected_fields[] = { "site", "longitude", "latitude", "workers" };
  const GisFieldType expected_types[] = { GIS_FIELD_STRING, GIS_FIELD_REAL, GIS_FIELD_REAL,
                                          GIS_FIELD_STRING };
  int workers;
  GisEnvelope env;
  GisFeature *a, *b, *c;

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_no_error (error);
  assert_string_equal (gis_dataset_get_driver_name (ds), "CSV");

  info = gis_dataset_describe_layer (ds, NULL, &error);
  assert_no_error (error);
  /* The file has a header and three rows A, B, C; a CSV says nothing of its CRS. */
  assert_int_equal (info->feature_count, 3);
  assert_true (info->has_geometry);
  assert_int_equal (info->geometry_type, GIS_GEOMETRY_POINT);
  assert_null (info->crs);
  /* The coordinate columns are kept (as reals: GDAL types the columns it reads as X/Y);
   * every other column stays text, with no type guessing. */
  assert_int_equal (info->fields->len, G_N_ELEMENTS (expected_fields));
  for (guint i = 0; i < G_N_ELEMENTS (expected_fields); i++)
    {
      const GisFieldInfo *f = g_ptr_array_index (info->fields, i);
      assert_string_equal (f->name, expected_fields[i]);
      assert_int_equal (f->type, expected_types[i]);
    }
  /* Extent: longitudes 28.86..29.22, latitudes -3.40..-1.68 from the three rows. */
  assert_true (info->extent.min_x == 28.86);
  assert_true (info->extent.max_x == 29.22);
  assert_true (info->extent.min_y == -3.40);
  assert_true (info->extent.max_y == -1.68);

  features = gis_dataset_read_features (ds, NULL, NULL, NULL, &error);
  assert_no_error (error);
  assert_int_equal (features->len, 3);
  workers = gis_layer_info_find_field (info, "workers");
  assert_int_equal (workers, 3);
  a = g_ptr_array_index (features, 0);
  b = g_ptr_array_index (features, 1);
  c = g_ptr_array_index (features, 2);
  assert_int_equal (a->n_values, 4);
  assert_string_equal (gis_feature_get (a, 0), "A");
  assert_string_equal (gis_feature_get (b, 0), "B");
  assert_string_equal (gis_feature_get (c, 0), "C");
  assert_string_equal (gis_feature_get (a, workers), "120");
  /* Reals come back as machine text, as written. */
  assert_string_equal (gis_feature_get (a, 1), "29.22");
  assert_string_equal (gis_feature_get (a, 2), "-1.68");
  /* B's workers cell is empty: unknown, not "0" and not "". */
  assert_null (gis_feature_get (b, workers));
  assert_null (b->values[workers]);
  assert_string_equal (gis_feature_get (c, workers), "35");
  /* Out-of-range indices are NULL, not a crash. */
  assert_null (gis_feature_get (a, 4));
  assert_null (gis_feature_get (a, -1));

  /* A is at 29.22 E, 1.68 S, exactly as written (same decimal-to-double rounding). */
  assert_non_null (a->geometry);
  assert_int_equal (gis_geometry_get_geometry_type (a->geometry), GIS_GEOMETRY_POINT);
  gis_geometry_get_envelope (a->geometry, &env);
  assert_true (env.min_x == 29.22 && env.max_x == 29.22);
  assert_true (env.min_y == -1.68 && env.max_y == -1.68);
  gis_geometry_get_envelope (c->geometry, &env);
  assert_true (env.min_x == 29.14 && env.min_y == -3.40);

  g_assert_finalize_object (g_steal_pointer (&ds));
}

static void
test_csv_without_geometry (void **state)
{
  g_autofree char *path = test_data_path ("data/no-geometry.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(GPtrArray) features = NULL;

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_no_error (error);
  info = gis_dataset_describe_layer (ds, NULL, &error);
  assert_no_error (error);
  /* Columns id,name: nothing looks like a coordinate. */
  assert_false (info->has_geometry);
  assert_int_equal (info->geometry_type, GIS_GEOMETRY_UNKNOWN);
  assert_int_equal (info->feature_count, 2);
  assert_true (gis_envelope_is_empty (&info->extent));
  assert_null (info->crs);
  assert_int_equal (info->fields->len, 2);

  /* Rows are still readable, without geometry. */
  features = gis_dataset_read_features (ds, NULL, NULL, NULL, &error);
  assert_no_error (error);
  assert_int_equal (features->len, 2);
  assert_null (((GisFeature *) g_ptr_array_index (features, 0))->geometry);
  assert_string_equal (gis_feature_get (g_ptr_array_index (features, 1), 1), "b");

  g_assert_finalize_object (g_steal_pointer (&ds));
}

static void
test_describe_sample_cadastre (void **state)
{
  g_autofree char *path = test_source_path ("sample-data/sources/cadastre.gpkg");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(GisLayerInfo) copy = NULL;
  int carres;

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_no_error (error);
  assert_string_equal (gis_dataset_get_driver_name (ds), "GPKG");
  assert_int_equal (gis_dataset_get_n_layers (ds), 1);
  info = gis_dataset_describe_layer (ds, "titres", &error);
  assert_no_error (error);

  /* Facts as `ogrinfo -so cadastre.gpkg titres` prints them. */
  assert_int_equal (info->feature_count, 396);
  assert_int_equal (info->geometry_type, GIS_GEOMETRY_MULTIPOLYGON);
  assert_int_equal (gis_crs_get_epsg (info->crs), 4326);
  assert_close_abs (info->extent.min_x, 28.0, 1e-9);
  assert_close_abs (info->extent.min_y, -3.6, 1e-9);
  assert_close_abs (info->extent.max_x, 29.6, 1e-9);
  assert_close_abs (info->extent.max_y, -1.0, 1e-9);
  /* The layer's metadata says PLACER_SYNTHETIC=YES and carries a DESCRIPTION. */
  assert_true (info->synthetic);
  assert_non_null (info->description);
  assert_true (g_str_has_prefix (info->description, "SYNTHETIC demo data"));
  assert_int_equal (info->fields->len, 9);
  carres = gis_layer_info_find_field (info, "carres");
  assert_int_equal (carres, 8);
  assert_int_equal (((GisFieldInfo *) g_ptr_array_index (info->fields, carres))->type,
                    GIS_FIELD_INTEGER);

  /* A copy is deep: it outlives the original. */
  copy = gis_layer_info_copy (info);
  g_clear_pointer (&info, gis_layer_info_free);
  assert_string_equal (copy->name, "titres");
  assert_int_equal (copy->fields->len, 9);
  assert_string_equal (((GisFieldInfo *) g_ptr_array_index (copy->fields, 3))->name, "statut");
  assert_int_equal (gis_crs_get_epsg (copy->crs), 4326);
  assert_true (copy->synthetic);

  g_assert_finalize_object (g_steal_pointer (&ds));
}

static void
test_describe_oracle_polygons (void **state)
{
  g_autofree char *path = test_data_path ("oracles/admin-polygons.geojson");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(GPtrArray) features = NULL;
  int area;

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_no_error (error);
  info = gis_dataset_describe_layer (ds, NULL, &error);
  assert_no_error (error);
  area = gis_layer_info_find_field (info, "planimeter_m2");
  assert_true (area >= 0);
  assert_int_equal (((GisFieldInfo *) g_ptr_array_index (info->fields, area))->type,
                    GIS_FIELD_REAL);

  /* The oracle file holds 16 polygons, each with a positive area written with a dot. */
  features = gis_dataset_read_features (ds, NULL, NULL, NULL, &error);
  assert_no_error (error);
  assert_int_equal (features->len, 16);
  assert_int_equal (info->feature_count, 16);
  for (guint i = 0; i < features->len; i++)
    {
      GisFeature *f = g_ptr_array_index (features, i);
      const char *text = gis_feature_get (f, area);
      GisGeometryType t;
      char *end = NULL;

      assert_non_null (f->geometry);
      t = gis_geometry_get_geometry_type (f->geometry);
      assert_true (t == GIS_GEOMETRY_POLYGON || t == GIS_GEOMETRY_MULTIPOLYGON);
      assert_non_null (text);
      assert_null (strchr (text, ','));
      assert_true (g_ascii_strtod (text, &end) > 0);
      assert_true (*end == '\0');
    }
  g_assert_finalize_object (g_steal_pointer (&ds));
}

/* ---------------------------------------------------------------------------------------- */
/* Feature cursors */

typedef struct {
  GPtrArray *sites;
  int        stop_at;
} WalkState;

static gboolean
collect_site_cb (GisFeature *feature, gpointer user_data, GError **error)
{
  WalkState *w = user_data;

  g_ptr_array_add (w->sites, g_strdup (gis_feature_get (feature, 0)));
  if (w->stop_at > 0 && w->sites->len >= (guint) w->stop_at)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "stopped at site %s",
                   gis_feature_get (feature, 0));
      return FALSE;
    }
  return TRUE;
}

static char *
join_sites (GPtrArray *sites)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < sites->len; i++)
    g_string_append_printf (s, "%s%s", i ? "," : "", (char *) g_ptr_array_index (sites, i));
  return g_strdup (s->str);
}

static void
test_foreach_bbox_filter (void **state)
{
  g_autofree char *path = test_data_path ("data/points-no-crs.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;
  /* Goma is A (29.22, -1.68); B (28.86, -2.51) is west and south of the box, C (29.14, -3.40)
   * south of it. */
  const GisEnvelope goma = { 29.0, -1.8, 29.4, -1.5 };
  /* From 29.0 E and 3.5 S to 29.3 E and 1.5 S: A and C, not B (28.86 E). */
  const GisEnvelope east = { 29.0, -3.5, 29.3, -1.5 };
  /* Nothing there: Lake Tanganyika's south end. */
  const GisEnvelope none = { 30.0, -9.0, 31.0, -8.0 };
  struct {
    const GisEnvelope *filter;
    const char        *expected;
  } cases[] = {
    { &goma, "A" },
    { &east, "A,C" },
    { &none, "" },
    { NULL, "A,B,C" },
  };

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) sites = g_ptr_array_new_with_free_func (g_free);
      WalkState w = { sites, 0 };
      g_autofree char *got = NULL;

      assert_true (gis_dataset_foreach_feature (ds, NULL, cases[i].filter, collect_site_cb, &w,
                                                NULL, &error));
      assert_no_error (error);
      got = join_sites (sites);
      assert_string_equal (got, cases[i].expected);
    }

  /* read_features takes the same filter. */
  {
    g_autoptr(GPtrArray) features = gis_dataset_read_features (ds, NULL, &goma, NULL, &error);
    assert_no_error (error);
    assert_int_equal (features->len, 1);
    assert_string_equal (gis_feature_get (g_ptr_array_index (features, 0), 0), "A");
  }
  g_assert_finalize_object (g_steal_pointer (&ds));
}

static void
test_foreach_callback_error_stops (void **state)
{
  g_autofree char *path = test_data_path ("data/points-no-crs.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GPtrArray) sites = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *got = NULL;
  WalkState w = { sites, 2 };

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_no_error (error);

  /* The callback fails on the second feature: C is never visited and the callback's own
   * error comes back unchanged. */
  assert_false (gis_dataset_foreach_feature (ds, NULL, NULL, collect_site_cb, &w, NULL,
                                             &error));
  assert_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  assert_string_equal (error->message, "stopped at site B");
  got = join_sites (sites);
  assert_string_equal (got, "A,B");
  g_clear_error (&error);

  /* The dataset is still usable: a new walk starts from the first feature. */
  g_ptr_array_set_size (sites, 0);
  w.stop_at = 0;
  assert_true (gis_dataset_foreach_feature (ds, NULL, NULL, collect_site_cb, &w, NULL,
                                            &error));
  assert_no_error (error);
  assert_int_equal (sites->len, 3);

  /* A walk with an area filter that stops early leaves no filter behind: the layer's facts
   * still describe all of it. */
  {
    GisEnvelope goma = { 29.0, -1.8, 29.4, -1.5 };
    g_autoptr(GisLayerInfo) info = NULL;

    g_ptr_array_set_size (sites, 0);
    w.stop_at = 1;
    assert_false (gis_dataset_foreach_feature (ds, NULL, &goma, collect_site_cb, &w, NULL,
                                               &error));
    g_clear_error (&error);
    info = gis_dataset_describe_layer (ds, NULL, &error);
    assert_no_error (error);
    assert_int_equal (info->feature_count, 3);
    assert_close_abs (info->extent.min_x, 28.86, 1e-12);
  }

  g_assert_finalize_object (g_steal_pointer (&ds));
}

static void
test_foreach_cancelled (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GString) csv = g_string_new ("id,x,y\n");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) sites = g_ptr_array_new_with_free_func (g_free);
  WalkState w = { sites, 0 };

  /* The cursor polls the cancellable every 1024 features: 3000 rows let it notice. */
  for (int i = 0; i < 3000; i++)
    g_string_append_printf (csv, "%d,%d.5,1.5\n", i, i % 90);
  path = write_file (dir, "many.csv", csv->str, -1);

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_no_error (error);
  g_cancellable_cancel (cancellable);
  assert_false (gis_dataset_foreach_feature (ds, NULL, NULL, collect_site_cb, &w, cancellable,
                                             &error));
  assert_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Checks come before features 1024 (the 1024th count): 1023 were visited. */
  assert_int_equal (sites->len, 1023);

  g_assert_finalize_object (g_steal_pointer (&ds));
  test_rmtree (dir);
}

/* ---------------------------------------------------------------------------------------- */
/* Distinct values */

/* Nine points; mineral: gold ×3, tin ×2, coltan ×2, copper ×1 and one null, in this order:
 * gold, tin, gold, coltan, tin, copper, gold, coltan, null. n: 5 ×5, 7 ×4. visited:
 * 2016-07-04 ×6, 2017-01-31 ×2, 2018-12-01 ×1; it is a date column (GDAL's GeoJSON reader
 * types YYYY-MM-DD strings as dates). */
static const struct {
  const char *mineral;
  int         n;
  const char *visited;
} distinct_rows[] = {
  { "gold", 5, "2016-07-04" },
  { "tin", 5, "2016-07-04" },
  { "gold", 7, "2017-01-31" },
  { "coltan", 5, "2016-07-04" },
  { "tin", 7, "2017-01-31" },
  { "copper", 5, "2016-07-04" },
  { "gold", 7, "2018-12-01" },
  { "coltan", 5, "2016-07-04" },
  { NULL, 7, "2016-07-04" },
};

/* The rows above as GeoJSON points along 2° S, in this order. */
static char *
distinct_geojson (void)
{
  g_autoptr(GString) s = g_string_new ("{\"type\":\"FeatureCollection\",\"features\":[\n");

  for (guint i = 0; i < G_N_ELEMENTS (distinct_rows); i++)
    {
      g_autofree char *mineral = distinct_rows[i].mineral
                                   ? g_strdup_printf ("\"%s\"", distinct_rows[i].mineral)
                                   : g_strdup ("null");
      g_string_append_printf (s,
                              "%s{\"type\":\"Feature\",\"properties\":{\"mineral\":%s,"
                              "\"n\":%d,\"visited\":\"%s\"},\"geometry\":{\"type\":"
                              "\"Point\",\"coordinates\":[29.%u,-2.0]}}\n",
                              i ? "," : "", mineral, distinct_rows[i].n,
                              distinct_rows[i].visited, i);
    }
  g_string_append (s, "]}\n");
  return g_strdup (s->str);
}

static void
assert_counts (GPtrArray *values, const char *const *expected_values,
               const guint64 *expected_counts, guint n)
{
  assert_non_null (values);
  assert_int_equal (values->len, n);
  for (guint i = 0; i < n; i++)
    {
      GisValueCount *vc = g_ptr_array_index (values, i);
      assert_string_equal (vc->value, expected_values[i]);
      assert_int_equal (vc->count, expected_counts[i]);
    }
}

static void
test_distinct_values (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *text = distinct_geojson ();
  g_autofree char *path = write_file (dir, "minerals.geojson", text, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_no_error (error);
  info = gis_dataset_describe_layer (ds, NULL, &error);
  assert_no_error (error);
  assert_int_equal (info->feature_count, 9);
  assert_int_equal (((GisFieldInfo *) g_ptr_array_index (info->fields, 2))->type,
                    GIS_FIELD_DATE);

  /* Most frequent first; coltan and tin tie at 2 and sort by value; the null is not a
   * value. */
  {
    const char *v[] = { "gold", "coltan", "tin", "copper" };
    const guint64 c[] = { 3, 2, 2, 1 };
    g_autoptr(GPtrArray) values = gis_dataset_distinct_values (ds, NULL, "mineral", 100,
                                                               &error);
    assert_no_error (error);
    assert_counts (values, v, c, G_N_ELEMENTS (v));
  }

  /* Past max_values no new value is collected, but known ones go on counting: gold and tin
   * come first in the file, so they are the two kept, with their full counts. */
  {
    const char *v[] = { "gold", "tin" };
    const guint64 c[] = { 3, 2 };
    g_autoptr(GPtrArray) values = gis_dataset_distinct_values (ds, NULL, "mineral", 2, &error);
    assert_no_error (error);
    assert_counts (values, v, c, G_N_ELEMENTS (v));
  }

  /* Integers as machine text: 5 five times, 7 four times. */
  {
    const char *v[] = { "5", "7" };
    const guint64 c[] = { 5, 4 };
    g_autoptr(GPtrArray) values = gis_dataset_distinct_values (ds, NULL, "n", 100, &error);
    assert_no_error (error);
    assert_counts (values, v, c, G_N_ELEMENTS (v));
  }

  /* Several fields in one pass: each with the counts it has alone. */
  {
    const char *fields[] = { "n", "mineral" };
    const char *vn[] = { "5", "7" }, *vm[] = { "gold", "coltan", "tin", "copper" };
    const guint64 cn[] = { 5, 4 }, cm[] = { 3, 2, 2, 1 };
    g_autoptr(GPtrArray) all = gis_dataset_distinct_values_many (ds, NULL, fields, 2, 100,
                                                                 &error);
    assert_no_error (error);
    assert_int_equal (all->len, 2);
    assert_counts (g_ptr_array_index (all, 0), vn, cn, G_N_ELEMENTS (vn));
    assert_counts (g_ptr_array_index (all, 1), vm, cm, G_N_ELEMENTS (vm));
  }

  /* Dates as YYYY-MM-DD (GDAL's own text is 2016/07/04). */
  {
    const char *v[] = { "2016-07-04", "2017-01-31", "2018-12-01" };
    const guint64 c[] = { 6, 2, 1 };
    g_autoptr(GPtrArray) values = gis_dataset_distinct_values (ds, NULL, "visited", 100,
                                                               &error);
    assert_no_error (error);
    assert_counts (values, v, c, G_N_ELEMENTS (v));
  }

  /* An unknown field is named with the file and the layer. */
  {
    g_autoptr(GPtrArray) values = gis_dataset_distinct_values (ds, NULL, "commodity", 100,
                                                               &error);
    assert_null (values);
    assert_error_matches (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
    assert_error_contains (error, path);
    assert_error_contains (error, "“minerals”");
    assert_error_contains (error, "“commodity”");
  }

  g_assert_finalize_object (g_steal_pointer (&ds));
  test_rmtree (dir);
}

static void
test_distinct_values_sample_statuses (void **state)
{
  g_autofree char *path = test_source_path ("sample-data/sources/cadastre.gpkg");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GPtrArray) values = NULL;
  /* From `ogrinfo cadastre.gpkg -sql "SELECT statut, count(*) FROM titres GROUP BY statut"`,
   * sorted by count; accented values come back as the UTF-8 the file holds. */
  const char *v[] = { "Actif", "En instruction", "Expiré", "Déchu", "Actif-En Renouvellement" };
  const guint64 c[] = { 237, 72, 43, 23, 21 };

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_no_error (error);
  values = gis_dataset_distinct_values (ds, "titres", "statut", 200, &error);
  assert_no_error (error);
  assert_counts (values, v, c, G_N_ELEMENTS (v));
  g_assert_finalize_object (g_steal_pointer (&ds));
}

/* ---------------------------------------------------------------------------------------- */
/* Rasters */

/* classes-4x3.tif, row by row. */
static const guint8 classes[12] = { 10, 10, 80, 80,
                                    40, 50, 80, 0,
                                    10, 90, 90, 0 };

static void
test_raster_open_and_read (void **state)
{
  g_autofree char *path = test_data_path ("data/classes-4x3.tif");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisRaster) raster = NULL;
  GisEnvelope extent;
  double gt[6];
  double nodata = -1;
  guint8 all[12];
  guint8 window[4];
  double as_double[4];
  const guint8 expected_window[4] = { 50, 80, 90, 90 };

  raster = gis_raster_open (path, &error);
  assert_no_error (error);
  assert_non_null (raster);
  assert_string_equal (gis_raster_get_path (raster), path);
  assert_int_equal (gis_raster_get_width (raster), 4);
  assert_int_equal (gis_raster_get_height (raster), 3);
  assert_int_equal (gis_raster_get_n_bands (raster), 1);
  assert_int_equal (gis_crs_get_epsg (gis_raster_get_crs (raster)), 4326);

  /* Origin (29.0, -2.0), 0.01° pixels, north up: 4 columns to 29.04, 3 rows down to -2.03. */
  gis_raster_get_geotransform (raster, gt);
  assert_close_abs (gt[0], 29.0, 1e-12);
  assert_close_abs (gt[1], 0.01, 1e-12);
  assert_true (gt[2] == 0 && gt[4] == 0);
  assert_close_abs (gt[3], -2.0, 1e-12);
  assert_close_abs (gt[5], -0.01, 1e-12);
  gis_raster_get_extent (raster, &extent);
  assert_close_abs (extent.min_x, 29.0, 1e-12);
  assert_close_abs (extent.min_y, -2.03, 1e-12);
  assert_close_abs (extent.max_x, 29.04, 1e-12);
  assert_close_abs (extent.max_y, -2.0, 1e-12);

  assert_true (gis_raster_get_nodata (raster, 1, &nodata));
  assert_true (nodata == 0);

  assert_true (gis_raster_read_window_u8 (raster, 1, 0, 0, 4, 3, all, &error));
  assert_no_error (error);
  assert_memory_equal (all, classes, sizeof classes);

  /* Columns 1-2 of rows 1-2. */
  assert_true (gis_raster_read_window_u8 (raster, 1, 1, 1, 2, 2, window, &error));
  assert_no_error (error);
  assert_memory_equal (window, expected_window, sizeof window);

  /* The same window as doubles. */
  assert_true (gis_raster_read_window (raster, 1, 1, 1, 2, 2, as_double, &error));
  assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    assert_true (as_double[i] == expected_window[i]);

  /* The last pixel alone (bottom right): nodata. */
  assert_true (gis_raster_read_window_u8 (raster, 1, 3, 2, 1, 1, window, &error));
  assert_no_error (error);
  assert_int_equal (window[0], 0);

  assert_string_equal (gis_raster_get_metadata_item (raster, "CLASS_80"), "Permanent water");
  assert_string_equal (gis_raster_get_metadata_item (raster, "CLASS_10"), "Tree cover");
  assert_null (gis_raster_get_metadata_item (raster, "CLASS_20"));

  g_assert_finalize_object (g_steal_pointer (&raster));
}

static void
test_raster_bad_windows (void **state)
{
  g_autofree char *path = test_data_path ("data/classes-4x3.tif");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisRaster) raster = NULL;
  guint8 buffer[16] = { 0 };
  /* Windows that reach past the 4×3 grid by one pixel or lie wholly outside it. */
  const guint windows[][4] = {
    { 3, 0, 2, 1 },
    { 0, 2, 1, 2 },
    { 0, 0, 5, 3 },
    { 4, 0, 1, 1 },
    { 10, 10, 1, 1 },
  };

  raster = gis_raster_open (path, &error);
  assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (windows); i++)
    {
      g_autoptr(GError) e = NULL;
      assert_false (gis_raster_read_window_u8 (raster, 1, windows[i][0], windows[i][1],
                                               windows[i][2], windows[i][3], buffer, &e));
      assert_error_matches (e, GIS_ERROR, GIS_ERROR_INVALID);
      assert_error_contains (e, path);
      assert_error_contains (e, "outside the raster");
    }

  /* The raster has one band: 2 and 0 do not exist. */
  assert_false (gis_raster_read_window_u8 (raster, 2, 0, 0, 1, 1, buffer, &error));
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  assert_error_contains (error, path);
  assert_error_contains (error, "no band 2");
  g_clear_error (&error);
  assert_false (gis_raster_read_window_u8 (raster, 0, 0, 0, 1, 1, buffer, &error));
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  assert_error_contains (error, "no band 0");

  g_assert_finalize_object (g_steal_pointer (&raster));
}

/* A new GeoTIFF in UTM 35S, 10 m pixels from (500000, 9000000) down and right. */
static GDALDatasetH
create_utm_tiff (const char *path, int width, int height, GDALDataType type)
{
  const double gt[6] = { 500000, 10, 0, 9000000, 0, -10 };
  GDALDatasetH ds = GDALCreate (GDALGetDriverByName ("GTiff"), path, width, height, 1, type, NULL);
  OGRSpatialReferenceH srs = OSRNewSpatialReference (NULL);
  char *wkt = NULL;

  assert_non_null (ds);
  GDALSetGeoTransform (ds, (double *) gt);
  OSRImportFromEPSG (srs, 32735);
  OSRExportToWkt (srs, &wkt);
  GDALSetProjection (ds, wkt);
  CPLFree (wkt);
  OSRDestroySpatialReference (srs);
  return ds;
}

/* A window larger than one strip of rows (4 Mpx / 2048 columns = 2048 rows) is read strip by
 * strip: a 10 × 100 pixel block across the strips' seam (rows 2000–2099) comes out as one
 * rectangle of exactly those pixels, 10 m each. */
static void
test_raster_polygonize_across_strips (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "strips.tif", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GisRaster) raster = NULL;
  g_autoptr(GPtrArray) polys = NULL;
  g_autofree guint8 *row = g_new0 (guint8, 2048);
  const double wanted[] = { 1 };
  GisEnvelope e;
  GDALDatasetH ds = create_utm_tiff (path, 2048, 2100, GDT_Byte);

  memset (row + 10, 1, 10);
  for (int y = 2000; y < 2100; y++)
    assert_int_equal (GDALRasterIO (GDALGetRasterBand (ds, 1), GF_Write, 0, y, 2048, 1, row, 2048,
                                    1, GDT_Byte, 0, 0), CE_None);
  GDALClose (ds);

  raster = gis_raster_open (path, &error);
  assert_no_error (error);
  polys = gis_raster_polygonize (raster, 1, NULL, wanted, 1, NULL, FALSE, NULL, &error);
  assert_no_error (error);
  assert_int_equal (polys->len, 1);
  gis_geometry_get_envelope (((GisRasterPolygon *) g_ptr_array_index (polys, 0))->geometry, &e);
  assert_close_abs (e.min_x, 500100, 0);
  assert_close_abs (e.max_x, 500200, 0);
  assert_close_abs (e.max_y, 9000000 - 2000 * 10, 0);
  assert_close_abs (e.min_y, 9000000 - 2100 * 10, 0);
  assert_close_abs (gis_geometry_planar_area (((GisRasterPolygon *) g_ptr_array_index (polys, 0))->geometry),
                    10 * 100 * 100, 0);
  g_clear_object (&raster);
  test_rmtree (dir);
}

static gboolean
stop_at_third (double value, GisGeometry *geometry, gpointer user_data, GError **error)
{
  guint *calls = user_data;

  if (++*calls == 3)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "the disk is full");
      return FALSE;
    }
  return TRUE;
}

/* A raster of 300 classes, one pixel each: asked for 254 of them, the codes fit in one
 * byte; for 255 or 300, in four. Either way every class comes out once, with its own value
 * and its one pixel. */
static void
test_raster_polygonize_many_classes (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "classes.tif", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GisRaster) raster = NULL;
  gint16 row[300];
  double wanted[300];
  const guint asked[] = { 254, 255, 300 };
  GDALDatasetH ds = create_utm_tiff (path, 300, 2, GDT_Int16);

  for (int x = 0; x < 300; x++)
    {
      row[x] = (gint16) (1000 + 3 * x);   /* values 1000, 1003, … */
      wanted[x] = row[x];
    }
  assert_int_equal (GDALRasterIO (GDALGetRasterBand (ds, 1), GF_Write, 0, 0, 300, 1, row, 300, 1,
                                  GDT_Int16, 0, 0), CE_None);
  GDALClose (ds);

  raster = gis_raster_open (path, &error);
  assert_no_error (error);
  for (guint a = 0; a < G_N_ELEMENTS (asked); a++)
    {
      g_autoptr(GPtrArray) polys = gis_raster_polygonize (raster, 1, NULL, wanted, asked[a], NULL,
                                                          FALSE, NULL, &error);
      g_autofree guint *seen = g_new0 (guint, 300);

      assert_no_error (error);
      assert_int_equal (polys->len, asked[a]);
      for (guint i = 0; i < polys->len; i++)
        {
          GisRasterPolygon *p = g_ptr_array_index (polys, i);
          int k = (int) (p->value - 1000) / 3;
          GisEnvelope e;

          assert_true (k >= 0 && k < (int) asked[a]);
          assert_close_abs (p->value, 1000 + 3 * k, 0);
          seen[k]++;
          gis_geometry_get_envelope (p->geometry, &e);
          assert_close_abs (e.min_x, 500000 + 10 * k, 0);
          assert_close_abs (e.max_y, 9000000, 0);
          assert_close_abs (gis_geometry_planar_area (p->geometry), 100, 0);
        }
      for (guint k = 0; k < asked[a]; k++)
        assert_int_equal (seen[k], 1);
    }
  /* Handed over one at a time: a caller that fails stops it, with its own error. */
  {
    guint calls = 0;
    assert_false (gis_raster_polygonize_each (raster, 1, NULL, wanted, 300, NULL, FALSE,
                                              stop_at_third, &calls, NULL, &error));
    assert_int_equal (calls, 3);
    assert_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
    g_clear_error (&error);
  }
  g_clear_object (&raster);
  test_rmtree (dir);
}

static void
test_raster_refused (void **state)
{
  g_autofree char *vrt = test_data_path ("data/disguised-vrt.tif");
  g_autofree char *garbage = test_data_path ("data/garbage.gpkg");
  g_autofree char *csv = test_data_path ("data/points-no-crs.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisRaster) raster = NULL;

  raster = gis_raster_open (vrt, &error);
  assert_null (raster);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_DRIVER);
  assert_error_contains (error, vrt);
  assert_error_contains (error, "VRT");
  g_clear_error (&error);

  raster = gis_raster_open (garbage, &error);
  assert_null (raster);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_OPEN);
  assert_error_contains (error, garbage);
  g_clear_error (&error);

  /* A vector file is no raster. */
  raster = gis_raster_open (csv, &error);
  assert_null (raster);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_OPEN);
  assert_error_contains (error, csv);
  g_clear_error (&error);

  raster = gis_raster_open ("/vsicurl/http://127.0.0.1/x.tif", &error);
  assert_null (raster);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_DRIVER);
}

/* ---------------------------------------------------------------------------------------- */
/* Checksums */

static void
test_file_sha256 (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *abc = write_file (dir, "abc.txt", "abc", 3);
  g_autofree char *empty = write_file (dir, "empty.txt", "", 0);
  g_autofree char *missing = g_build_filename (dir, "missing.txt", NULL);
  g_autofree char *big = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  const gsize big_len = 200000;

  /* FIPS 180-2 test vectors for "abc" and the empty message. */
  sum = gis_file_sha256 (abc, &error);
  assert_no_error (error);
  assert_string_equal (sum, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_clear_pointer (&sum, g_free);

  sum = gis_file_sha256 (empty, &error);
  assert_no_error (error);
  assert_string_equal (sum, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  g_clear_pointer (&sum, g_free);

  /* A file longer than the 64 KiB read buffer: GLib's one-shot checksum of the same bytes. */
  data = g_malloc (big_len);
  for (gsize i = 0; i < big_len; i++)
    data[i] = (char) (i * 7 + 3);
  big = write_file (dir, "big.bin", data, big_len);
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, big_len);
  sum = gis_file_sha256 (big, &error);
  assert_no_error (error);
  assert_string_equal (sum, expected);
  g_clear_pointer (&sum, g_free);

  sum = gis_file_sha256 (missing, &error);
  assert_null (sum);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  assert_error_contains (error, missing);

  test_rmtree (dir);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_open_missing_file),
    cmocka_unit_test (test_allowed_vector_formats_open),
    cmocka_unit_test (test_open_directory),
    cmocka_unit_test (test_open_refuses_non_local),
    cmocka_unit_test (test_open_refuses_disguised_vrt),
    cmocka_unit_test (test_open_garbage),
    cmocka_unit_test (test_describe_geojson_utm),
    cmocka_unit_test (test_describe_unknown_layer),
    cmocka_unit_test (test_csv_points_without_crs),
    cmocka_unit_test (test_csv_without_geometry),
    cmocka_unit_test (test_describe_sample_cadastre),
    cmocka_unit_test (test_describe_oracle_polygons),
    cmocka_unit_test (test_foreach_bbox_filter),
    cmocka_unit_test (test_foreach_callback_error_stops),
    cmocka_unit_test (test_foreach_cancelled),
    cmocka_unit_test (test_distinct_values),
    cmocka_unit_test (test_distinct_values_sample_statuses),
    cmocka_unit_test (test_raster_open_and_read),
    cmocka_unit_test (test_raster_bad_windows),
    cmocka_unit_test (test_raster_polygonize_across_strips),
    cmocka_unit_test (test_raster_polygonize_many_classes),
    cmocka_unit_test (test_raster_refused),
    cmocka_unit_test (test_file_sha256),
  };

  gis_init ();
  return cmocka_run_group_tests_name ("gis-dataset", tests, NULL, NULL);
}
