/* test-cli.c: placer-cli as a script sees it: exit codes, JSON, messages naming the input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"
#include "test-cli-run.h"

#include <string.h>

#include <json-glib/json-glib.h>


static void
test_usage_errors (void **state)
{
  g_auto(Run) a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, v = { 0 };

  cli (&a, NULL);
  assert_int_equal (a.status, 2);
  cli (&b, "frobnicate", NULL);
  assert_int_equal (b.status, 2);
  assert_non_null (strstr (b.err, "frobnicate"));
  cli (&c, "area", NULL);
  assert_int_equal (c.status, 2);
  cli (&d, "project", "add-layer", "x.gpkg", "y.shp", NULL);
  assert_int_equal (d.status, 2);
  assert_non_null (strstr (d.err, "--role"));
  cli (&v, "--version", NULL);
  assert_int_equal (v.status, 0);
  assert_non_null (strstr (v.out, "GDAL 3."));
  assert_non_null (strstr (v.out, "PROJ 9."));
  assert_non_null (strstr (v.out, "GEOS 3."));
}

static void
test_area_drc_cell (void **state)
{
  /* A 30" cell whose north edge is at 6.5° S: 84.94 ha (DOMAIN.md, Planimeter). */
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "cell.geojson", NULL);
  const char *geojson =
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[27.0,-6.508333333333333],"
    "[27.008333333333333,-6.508333333333333],[27.008333333333333,-6.5],[27.0,-6.5],"
    "[27.0,-6.508333333333333]]]}}]}";
  g_auto(Run) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *o;

  assert_true (g_file_set_contents (path, geojson, -1, NULL));
  cli (&r, "area", path, "--json", NULL);
  assert_int_equal (r.status, 0);
  o = parse (r.out, &parser);
  assert_close_abs (json_object_get_double_member (o, "total_ha"), 84.94, 0.005);
  /* Planimeter: 849440.80121 m² */
  assert_close_abs (json_object_get_double_member (o, "total_m2"), 849440.80121, 0.001);
  test_rmtree (dir);
}

static void
test_area_planimeter_polygons (void **state)
{
  g_autofree char *path = test_data_path ("oracles/admin-polygons.geojson");
  g_auto(Run) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) oracle_parser = json_parser_new ();
  JsonObject *o;
  JsonArray *features, *oracle;
  double total = 0;

  cli (&r, "area", path, "--json", "--label", "name", NULL);
  assert_int_equal (r.status, 0);
  o = parse (r.out, &parser);
  features = json_object_get_array_member (o, "features");
  assert_true (json_parser_load_from_file (oracle_parser, path, NULL));
  oracle = json_object_get_array_member (json_node_get_object (json_parser_get_root (oracle_parser)),
                                         "features");
  assert_int_equal (json_array_get_length (features), json_array_get_length (oracle));
  for (guint i = 0; i < json_array_get_length (oracle); i++)
    {
      JsonObject *props = json_object_get_object_member (json_array_get_object_element (oracle, i),
                                                         "properties");
      JsonObject *f = json_array_get_object_element (features, i);
      double expected = json_object_get_double_member (props, "planimeter_m2");

      assert_string_equal (json_object_get_string_member (f, "label"),
                           json_object_get_string_member (props, "name"));
      /* Acceptance: within 0.01 % of Planimeter. */
      assert_close_rel (json_object_get_double_member (f, "area_m2"), expected, 1e-4);
      assert_close_rel (json_object_get_double_member (f, "area_m2"), expected, 1e-9);
      total += expected;
    }
  assert_close_rel (json_object_get_double_member (o, "total_m2"), total, 1e-9);
}

static void
test_area_bad_inputs (void **state)
{
  g_autofree char *square = test_data_path ("data/square-utm.geojson");
  g_autofree char *vrt = test_data_path ("data/disguised-vrt.tif");
  g_autofree char *nocrs = test_data_path ("data/points-no-crs.csv");
  g_auto(Run) a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *o;
  JsonObject *bow;

  /* The bow-tie is a finding: exit 1, flagged with GEOS's reason. */
  cli (&a, "area", square, "--json", NULL);
  assert_int_equal (a.status, 1);
  o = parse (a.out, &parser);
  assert_int_equal (json_object_get_int_member (o, "invalid"), 1);
  bow = json_array_get_object_element (json_object_get_array_member (o, "features"), 1);
  assert_false (json_object_get_boolean_member (bow, "valid"));
  assert_true (g_str_has_prefix (json_object_get_string_member (bow, "invalid_reason"),
                                 "Self-intersection"));

  cli (&b, "area", vrt, NULL);
  assert_int_equal (b.status, 3);
  assert_non_null (strstr (b.err, vrt));
  assert_non_null (strstr (b.err, "VRT"));

  cli (&c, "area", "/nonexistent/file.shp", NULL);
  assert_int_equal (c.status, 3);
  assert_non_null (strstr (c.err, "/nonexistent/file.shp"));

  cli (&d, "area", nocrs, NULL);
  assert_int_equal (d.status, 3);
  assert_non_null (strstr (d.err, "no CRS"));
}

static void
test_project_workflow (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *proj = g_build_filename (dir, "demo.gpkg", NULL);
  g_autofree char *cadastre = test_source_path ("sample-data/sources/cadastre.gpkg");
  g_autofree char *sites = test_data_path ("data/points-no-crs.csv");
  g_autofree char *cover = test_data_path ("data/classes-4x3.tif");
  g_auto(Run) a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 }, f = { 0 }, g = { 0 },
    h = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *o;
  JsonArray *layers;

  cli (&a, "project", "new", proj, "--country", "COD", "--as-of", "2026-01-01", NULL);
  assert_int_equal (a.status, 0);
  /* Never overwrites. */
  cli (&b, "project", "new", proj, NULL);
  assert_int_equal (b.status, 3);
  assert_non_null (strstr (b.err, proj));

  cli (&c, "project", "add-layer", proj, cadastre, "--role", "concessions", "--name", "titres",
       NULL);
  assert_int_equal (c.status, 0);
  /* A CSV without CRS is refused until the user gives one. */
  cli (&d, "project", "add-layer", proj, sites, "--role", "sites", NULL);
  assert_int_equal (d.status, 3);
  assert_non_null (strstr (d.err, "no CRS"));
  cli (&e, "project", "add-layer", proj, sites, "--role", "sites", "--crs", "EPSG:4326",
       "--map", "site_id=site", NULL);
  assert_int_equal (e.status, 0);
  /* A mapping to a field the file lacks is bad input naming the field. */
  cli (&f, "project", "add-layer", proj, sites, "--role", "sites", "--crs", "EPSG:4326",
       "--name", "again", "--map", "workers=nombre", NULL);
  assert_int_equal (f.status, 3);
  assert_non_null (strstr (f.err, "nombre"));
  cli (&g, "project", "add-layer", proj, cover, "--role", "landuse", NULL);
  assert_int_equal (g.status, 0);

  cli (&h, "project", "info", proj, "--json", NULL);
  assert_int_equal (h.status, 0);
  o = parse (h.out, &parser);
  assert_string_equal (json_object_get_string_member (json_object_get_object_member (o, "metadata"),
                                                      "country"), "COD");
  layers = json_object_get_array_member (o, "layers");
  assert_int_equal (json_array_get_length (layers), 3);
  {
    JsonObject *t = json_array_get_object_element (layers, 0);
    JsonObject *mapping = json_object_get_object_member (t, "mapping");
    JsonObject *values = json_object_get_object_member (
      json_object_get_object_member (mapping, "values"), "status");

    assert_string_equal (json_object_get_string_member (t, "role"), "concessions");
    assert_true (json_object_get_boolean_member (t, "embedded"));
    assert_true (json_object_get_boolean_member (t, "synthetic"));
    assert_int_equal (json_object_get_int_member (json_object_get_object_member (t, "crs"),
                                                  "epsg"), 4326);
    /* 396 titles in the generated cadastre (ogrinfo -so sample-data/sources/cadastre.gpkg) */
    assert_int_equal (json_object_get_int_member (t, "feature_count"), 396);
    assert_string_equal (json_object_get_string_member (
                           json_object_get_object_member (mapping, "fields"), "status"), "statut");
    assert_string_equal (json_object_get_string_member (values, "Actif"), "active");
    assert_string_equal (json_object_get_string_member (values, "En instruction"), "pending");
    assert_string_equal (json_object_get_string_member (values, "Expiré"), "expired");
    assert_string_equal (json_object_get_string_member (values, "Déchu"), "revoked");
  }
  {
    JsonObject *s = json_array_get_object_element (layers, 1);
    assert_int_equal (json_object_get_int_member (s, "feature_count"), 3);
    assert_int_equal (json_object_get_int_member (json_object_get_object_member (s, "crs"),
                                                  "epsg"), 4326);
  }
  {
    JsonObject *r = json_array_get_object_element (layers, 2);
    assert_string_equal (json_object_get_string_member (r, "kind"), "raster");
    assert_false (json_object_get_boolean_member (r, "embedded"));
    assert_int_equal (json_object_get_int_member (r, "pixel_count"), 12);
  }
  test_rmtree (dir);
}

static void
test_unallocated_on_project (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *sources = g_build_filename (dir, "sources", NULL);
  g_autofree char *proj = g_build_filename (dir, "demo.gpkg", NULL);
  g_autofree char *out = g_build_filename (dir, "result.gpkg", NULL);
  g_autofree char *demo = test_source_path ("sample-data/kivu-demo.gpkg");
  g_autofree char *cover = test_source_path ("sample-data/sources/landcover.tif");
  g_autofree char *cover_copy = g_build_filename (sources, "landcover.tif", NULL);
  g_auto(Run) a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 }, f = { 0 };
  g_autoptr(JsonParser) pa = NULL;
  g_autoptr(JsonParser) pc = NULL;
  g_autoptr(JsonParser) pd = NULL;
  JsonObject *o, *areas;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len = 0, after_len = 0;
  double sum_minerals = 0;
  g_autoptr(GList) minerals = NULL;

  g_mkdir (sources, 0755);
  test_copy_file (demo, proj);
  test_copy_file (cover, cover_copy);

  cli (&a, "unallocated", proj, "--json", "--deposit-total", "--out", out, NULL);
  assert_int_equal (a.status, 0);
  o = parse (a.out, &pa);
  assert_string_equal (json_object_get_string_member (o, "as_of"), "2026-01-01");
  assert_true (json_object_get_double_member (o, "total_ha") > 1000);
  assert_true (json_object_get_double_member (o, "total_ha") <
               json_object_get_double_member (o, "deposit_ha"));
  assert_true (json_array_get_length (json_object_get_array_member (o, "lsm_review")) > 0);
  assert_int_equal (json_array_get_length (json_object_get_array_member (o, "invalid_inputs")), 0);
  /* Minerals overlap each other, never themselves: their areas add up to at least the total. */
  areas = json_object_get_object_member (o, "by_mineral");
  minerals = json_object_get_members (areas);
  for (GList *l = minerals; l; l = l->next)
    sum_minerals += json_object_get_double_member (areas, l->data);
  assert_true (sum_minerals >= json_object_get_double_member (o, "total_ha") - 1e-6);

  /* The written layer holds every piece, and its polygons measure what the run said. */
  cli (&c, "area", out, "--layer", "candidate_land", "--json", NULL);
  assert_int_equal (c.status, 0);
  {
    JsonObject *ao = parse (c.out, &pc);
    JsonArray *features = json_object_get_array_member (ao, "features");
    assert_int_equal (json_array_get_length (features), json_object_get_int_member (o, "features"));
    assert_true (json_object_get_double_member (ao, "total_ha") >=
                 json_object_get_double_member (o, "total_ha") - 1e-6);
  }

  /* The run is recorded in the project, with an audit entry. */
  cli (&d, "project", "info", proj, "--json", NULL);
  {
    JsonObject *io = parse (d.out, &pd);
    g_autoptr(JsonParser) demo_parser = NULL;
    g_auto(Run) orig = { 0 };
    cli (&orig, "project", "info", demo, "--json", NULL);
    assert_int_equal (json_object_get_int_member (io, "audit_entries"),
                      json_object_get_int_member (parse (orig.out, &demo_parser), "audit_entries") + 1);
  }

  /* An existing --out is never overwritten; it stays as it was. */
  assert_true (g_file_get_contents (out, &before, &before_len, NULL));
  cli (&b, "unallocated", proj, "--out", out, NULL);
  assert_int_equal (b.status, 3);
  assert_non_null (strstr (b.err, out));
  assert_true (g_file_get_contents (out, &after, &after_len, NULL));
  assert_int_equal (before_len, after_len);
  assert_memory_equal (before, after, before_len);

  /* The analysis parks its shapes in a temporary file: where it cannot make one, the run
   * stops naming the directory, and no result file appears. */
  {
    g_auto(Run) t = { 0 };
    g_autofree char *out2 = g_build_filename (dir, "result2.gpkg", NULL);
    g_autofree char *old_tmp = g_strdup (g_getenv ("TMPDIR"));
    g_autofree char *missing = g_build_filename (dir, "no-such-dir", NULL);

    g_setenv ("TMPDIR", missing, TRUE);
    cli (&t, "unallocated", proj, "--out", out2, NULL);
    if (old_tmp != NULL)
      g_setenv ("TMPDIR", old_tmp, TRUE);
    else
      g_unsetenv ("TMPDIR");
    assert_int_equal (t.status, 3);
    assert_non_null (strstr (t.err, "temporary file"));
    assert_non_null (strstr (t.err, missing));
    assert_false (g_file_test (out2, G_FILE_TEST_EXISTS));
  }

  /* A zone drawn on the project, validated: the JSON carries every field of a finding. */
  {
    g_auto(Run) za = { 0 }, zv = { 0 }, zp = { 0 }, zu = { 0 };
    g_autoptr(JsonParser) pz = NULL;
    JsonObject *zo;
    JsonArray *fs;

    cli (&za, "zone", "add", proj, "--wkt",
         "POLYGON ((28.80 -2.30, 28.85 -2.30, 28.85 -2.25, 28.80 -2.25, 28.80 -2.30))",
         "--name", "Drawn", "--mineral", "gold", "--id", "Z-DRAWN", NULL);
    assert_int_equal (za.status, 0);
    assert_non_null (strstr (za.out, "Z-DRAWN"));
    cli (&zv, "zone", "validate", proj, "Z-DRAWN", "--json", NULL);
    /* 0.05° × 0.05° at 2.3° S with no gold deposit under it: an error, so exit 1. */
    assert_int_equal (zv.status, 1);
    zo = parse (zv.out, &pz);
    assert_string_equal (json_object_get_string_member (zo, "zone"), "Z-DRAWN");
    assert_false (json_object_get_boolean_member (zo, "ok"));
    assert_close_rel (json_object_get_double_member (zo, "area_ha"),
                      quad_ha (28.80, -2.30, 28.85, -2.25), 1e-6);
    fs = json_object_get_array_member (zo, "findings");
    assert_true (json_array_get_length (fs) >= 1);
    {
      JsonObject *f0 = json_array_get_object_element (fs, 0);
      assert_string_equal (json_object_get_string_member (f0, "severity"), "error");
      assert_true (json_object_has_member (f0, "code"));
      assert_true (json_object_has_member (f0, "message"));
      assert_true (json_object_has_member (f0, "area_ha"));
      assert_true (json_object_has_member (f0, "share"));
      assert_true (json_object_has_member (f0, "ref"));
    }
    /* Errors block a proposal; an override with a reason lets it through; undo reverts. */
    cli (&zp, "zone", "propose", proj, "Z-DRAWN", NULL);
    assert_int_equal (zp.status, 1);
    cli (&zu, "zone", "undo", proj, NULL);
    assert_int_equal (zu.status, 0);
    assert_non_null (strstr (zu.out, "Z-DRAWN"));
  }

  /* Usage errors: a mineral Placer does not know, no deposits at all. */
  cli (&e, "unallocated", proj, "--minerals", "unobtainium", NULL);
  assert_int_equal (e.status, 2);
  assert_non_null (strstr (e.err, "unobtainium"));
  cli (&f, "unallocated", "--as-of", "2026-01-01", NULL);
  assert_int_equal (f.status, 2);
  test_rmtree (dir);
}

static void
test_capacity_load (void **state)
{
  /* Three sites with 300 + 400 + 500 workers in a zone whose capacity is 800 (parameters
   * chosen so): load 1.5, flagged, exit 1. The zone is exactly the deposit, so the workable
   * area is the quadrangle's area, computed here in closed form. */
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *proj = g_build_filename (dir, "p.gpkg", NULL);
  g_autofree char *dep = g_build_filename (dir, "deposits.geojson", NULL);
  g_autofree char *sites = g_build_filename (dir, "sites.csv", NULL);
  g_autofree char *params = g_build_filename (dir, "params.csv", NULL);
  double area = quad_ha (29.0, -2.05, 29.05, -2.0);
  double plot = area * 7 / 800;
  g_autofree char *plot_text = NULL;
  g_autoptr(GString) table = g_string_new ("commodity,deposit_type,method,parameter,low,central,high,provenance\n");
  const char *big[] = { "thickness_m", "density_t_m3", "mineable_fraction", "water_allowed_share",
                        "grade_kg_per_t", "recovery", "price_usd_per_kg", "miner_share" };
  const char *small[] = { "ore_t_per_miner_day", "working_days_per_year",
                          "planning_horizon_years", "water_m3_per_t",
                          "domestic_m3_per_person_day", "household_factor",
                          "living_income_usd_per_year" };
  g_auto(Run) a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *o;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  assert_true (g_file_set_contents (dep,
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
    "{\"COMMOD\":\"Gold\",\"CONF\":\"Known\"},\"geometry\":{\"type\":\"Polygon\","
    "\"coordinates\":[[[29.0,-2.05],[29.05,-2.05],[29.05,-2.0],[29.0,-2.0],[29.0,-2.05]]]}}]}",
    -1, NULL));
  assert_true (g_file_set_contents (sites,
    "pcode,name,visit_date,longitude,latitude,workers_numb,mineral1\n"
    "s1,Alpha,2020-01-01,29.01,-2.01,300,Or\n"
    "s2,Beta,2020-01-01,29.02,-2.02,400,Or\n"
    "s3,Gamma,2020-01-01,29.03,-2.03,500,Or\n"
    "s4,Outside,2020-01-01,29.30,-2.30,900,Or\n", -1, NULL));
  plot_text = g_strdup (g_ascii_dtostr (buf, sizeof buf, plot));
  g_string_append_printf (table, "*,*,*,plot_ha_per_team,%s,%s,%s,test\n", plot_text, plot_text,
                          plot_text);
  g_string_append (table, "*,*,*,team_size,7,7,7,test\n");
  for (guint i = 0; i < G_N_ELEMENTS (big); i++)
    g_string_append_printf (table, "*,*,*,%s,1000,1000,1000,test\n", big[i]);
  for (guint i = 0; i < G_N_ELEMENTS (small); i++)
    g_string_append_printf (table, "*,*,*,%s,1,1,1,test\n", small[i]);
  assert_true (g_file_set_contents (params, table->str, -1, NULL));

  cli (&a, "project", "new", proj, "--as-of", "2026-01-01", NULL);
  cli (&b, "project", "add-layer", proj, dep, "--role", "deposits", NULL);
  cli (&c, "sites", "import", proj, sites, "--crs", "EPSG:4326", NULL);
  cli (&d, "zone", "add", proj, "--wkt",
       "POLYGON ((29.0 -2.05, 29.05 -2.05, 29.05 -2.0, 29.0 -2.0, 29.0 -2.05))", "--mineral",
       "gold", NULL);
  assert_int_equal (a.status + b.status + d.status, 0);
  assert_true (c.status == 0);
  cli (&e, "capacity", proj, "Z-0001", "--params", params, "--json", NULL);
  assert_int_equal (e.status, 1);
  o = parse (e.out, &parser);
  assert_close_rel (json_object_get_double_member (o, "workable_ha"), area, 1e-6);
  assert_close_rel (json_object_get_double_member (json_object_get_object_member (o, "capacity"),
                                                   "central"), 800, 1e-6);
  assert_string_equal (json_object_get_string_member (o, "binding"), "area");
  assert_int_equal (json_object_get_int_member (o, "observed_workers"), 1200);
  assert_int_equal (json_object_get_int_member (o, "sites"), 3);
  assert_close_rel (json_object_get_double_member (o, "load_ratio"), 1.5, 1e-6);
  assert_true (json_object_get_boolean_member (o, "over_capacity"));
  /* Kept in the project, the table serves later runs without --params. */
  {
    g_auto(Run) f = { 0 }, g = { 0 };
    g_autoptr(JsonParser) p2 = NULL;
    cli (&f, "capacity", proj, "Z-0001", "--params", params, "--save-params", NULL);
    assert_int_equal (f.status, 1);
    cli (&g, "capacity", proj, "Z-0001", "--json", NULL);
    assert_close_rel (json_object_get_double_member (
                        json_object_get_object_member (parse (g.out, &p2), "capacity"), "central"),
                      800, 1e-6);
  }
  test_rmtree (dir);
}

/* placer-cli compare on a small world built with placer-cli: two square countries meeting at
 * 29.2 E (WST, EST) and a third apart (FAR), a title across their border, a gold deposit,
 * sites. Expected areas: Planimeter (tests/oracles/compare.csv). */
static char *
compare_world (const char *dir, gboolean with_borders)
{
  char *proj = g_build_filename (dir, with_borders ? "w.gpkg" : "nb.gpkg", NULL);
  g_autofree char *borders = g_build_filename (dir, "countries.geojson", NULL);
  g_autofree char *titles = g_build_filename (dir, "titles.geojson", NULL);
  g_autofree char *deposits = g_build_filename (dir, "deposits.geojson", NULL);
  g_autofree char *sites = g_build_filename (dir, "sites.csv", NULL);
  g_auto(Run) a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 }, f = { 0 };

  assert_true (g_file_set_contents (borders,
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"iso3\":\"WST\",\"name\":\"Westland\"},\"geometry\":"
    "{\"type\":\"Polygon\",\"coordinates\":[[[29.0,-2.1],[29.2,-2.1],[29.2,-1.9],[29.0,-1.9],[29.0,-2.1]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"iso3\":\"EST\",\"name\":\"Eastland\"},\"geometry\":"
    "{\"type\":\"Polygon\",\"coordinates\":[[[29.2,-2.1],[29.4,-2.1],[29.4,-1.9],[29.2,-1.9],[29.2,-2.1]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"iso3\":\"FAR\",\"name\":\"Farland\"},\"geometry\":"
    "{\"type\":\"Polygon\",\"coordinates\":[[[29.6,-2.1],[29.8,-2.1],[29.8,-1.9],[29.6,-1.9],[29.6,-2.1]]]}}]}",
    -1, NULL));
  assert_true (g_file_set_contents (titles,
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"code\":\"T1\",\"type\":\"PE\",\"statut\":\"Actif\","
    "\"titulaire\":\"A\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[29.15,-2.0],[29.25,-2.0],[29.25,-1.95],[29.15,-1.95],[29.15,-2.0]]]}}]}", -1, NULL));
  assert_true (g_file_set_contents (deposits,
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"COMMOD\":\"Gold\",\"CONF\":\"Known\"},\"geometry\":"
    "{\"type\":\"Polygon\",\"coordinates\":[[[29.1,-2.05],[29.3,-2.05],[29.3,-1.95],[29.1,-1.95],[29.1,-2.05]]]}}]}",
    -1, NULL));
  assert_true (g_file_set_contents (sites,
    "pcode,name,visit_date,longitude,latitude,workers_numb,mineral1\n"
    "s1,Alpha,2024-05-01,29.12,-2.02,120,Or\n"
    "s4,Delta,2023-01-01,29.3,-2.0,200,Coltan\n", -1, NULL));

  cli (&a, "project", "new", proj, "--as-of", "2026-01-01", NULL);
  if (with_borders)
    cli (&b, "project", "add-layer", proj, borders, "--role", "borders", NULL);
  cli (&c, "project", "add-layer", proj, titles, "--role", "concessions", NULL);
  cli (&d, "project", "add-layer", proj, deposits, "--role", "deposits", NULL);
  cli (&e, "sites", "import", proj, sites, NULL);
  cli (&f, "zone", "add", proj, "--wkt",
       "POLYGON ((29.11 -2.04, 29.14 -2.04, 29.14 -2.0, 29.11 -2.0, 29.11 -2.04))", "--mineral",
       "gold", NULL);
  assert_int_equal (a.status + b.status + c.status + d.status + e.status + f.status, 0);
  return proj;
}

#define COMPARE_AREA \
  "wkt:POLYGON ((29.05 -2.08, 29.35 -2.08, 29.35 -1.85, 29.05 -1.85, 29.05 -2.08))"

static void
test_compare (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *proj = compare_world (dir, TRUE);
  g_autofree char *out = g_build_filename (dir, "compare.gpkg", NULL);
  g_autofree char *nowhere = g_build_filename (dir, "missing", "compare.gpkg", NULL);
  g_autofree char *before = NULL, *after = NULL;
  gsize before_len = 0, after_len = 0;
  g_auto(Run) a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 };
  g_autoptr(JsonParser) pa = NULL;
  g_autoptr(JsonParser) pc = NULL;
  JsonObject *o, *wst, *est, *term = NULL;
  JsonArray *terms;

  cli (&a, "compare", proj, "--area", COMPARE_AREA, "--countries", "wst,EST", "--json", "--out",
       out, NULL);
  assert_int_equal (a.status, 0);
  o = parse (a.out, &pa);
  assert_string_equal (json_object_get_string_member (json_object_get_object_member (o, "area"), "kind"),
                       "polygon");
  assert_close_rel (json_object_get_double_member (json_object_get_object_member (o, "area"), "ha"),
                    test_oracle_value ("oracles/compare.csv", "area") / 1e4, 1e-6);
  wst = json_array_get_object_element (json_object_get_array_member (o, "countries"), 0);
  est = json_array_get_object_element (json_object_get_array_member (o, "countries"), 1);
  assert_string_equal (json_object_get_string_member (wst, "iso3"), "WST");
  assert_close_rel (json_object_get_double_member (wst, "area_ha"),
                    test_oracle_value ("oracles/compare.csv", "part_wst") / 1e4, 1e-6);
  assert_int_equal (json_object_get_int_member (json_object_get_object_member (est, "titles"), "count"), 1);
  assert_close_rel (json_object_get_double_member (json_object_get_object_member (est, "titles"), "ha"),
                    test_oracle_value ("oracles/compare.csv", "t1_est") / 1e4, 1e-6);
  assert_int_equal (json_object_get_int_member (json_object_get_object_member (wst, "zones"), "count"), 1);
  assert_int_equal (json_object_get_int_member (json_object_get_object_member (
                      json_object_get_object_member (json_object_get_object_member (wst, "sites"),
                                                     "by_mineral"), "gold"), "workers"), 120);
  assert_int_equal (json_object_get_int_member (json_object_get_object_member (est, "sites"), "count"), 1);
  assert_close_rel (json_object_get_double_member (wst, "unallocated_ha"),
                    test_oracle_value ("oracles/compare.csv", "free_wst") / 1e4, 1e-6);
  /* Neither country has a rule pack: every term says so, and none differs. */
  assert_true (json_object_get_null_member (wst, "rule_pack"));
  terms = json_object_get_array_member (o, "terms");
  for (guint i = 0; i < json_array_get_length (terms); i++)
    {
      JsonObject *t = json_array_get_object_element (terms, i);
      assert_false (json_object_get_boolean_member (t, "differs"));
      if (g_str_equal (json_object_get_string_member (t, "term"), "licence.duration_years"))
        term = t;
    }
  assert_non_null (term);
  assert_string_equal (json_object_get_string_member (json_object_get_object_member (term, "states"), "EST"),
                       "no rule pack");
  assert_true (json_object_get_null_member (json_object_get_object_member (term, "values"), "WST"));

  /* The parts written to --out measure what the run said. */
  cli (&c, "area", out, "--layer", "compare_countries", "--json", NULL);
  assert_int_equal (c.status, 0);
  assert_close_rel (json_object_get_double_member (parse (c.out, &pc), "total_ha"),
                    (test_oracle_value ("oracles/compare.csv", "part_wst") +
                     test_oracle_value ("oracles/compare.csv", "part_est")) / 1e4, 1e-6);

  /* The same area from a file. */
  {
    g_autofree char *file = g_build_filename (dir, "area.geojson", NULL);
    g_autofree char *spec = g_strconcat ("file:", file, NULL);
    g_auto(Run) f = { 0 };
    g_autoptr(JsonParser) pf = NULL;

    assert_true (g_file_set_contents (file,
      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[29.05,-2.08],[29.35,-2.08],"
      "[29.35,-1.85],[29.05,-1.85],[29.05,-2.08]]]}}]}", -1, NULL));
    cli (&f, "compare", proj, "--area", spec, "--countries", "WST", "--json", NULL);
    assert_int_equal (f.status, 0);
    assert_close_rel (json_object_get_double_member (
                        json_object_get_object_member (parse (f.out, &pf), "area"), "ha"),
                      test_oracle_value ("oracles/compare.csv", "area") / 1e4, 1e-6);
  }

  /* The table for people. */
  cli (&b, "compare", proj, "--area", "strip:5", "--countries", "WST,EST", NULL);
  assert_int_equal (b.status, 0);
  assert_non_null (strstr (b.out, "5 km either side of the WST–EST border"));
  assert_non_null (strstr (b.out, "Harmonisation table"));
  assert_non_null (strstr (b.out, "WST has no rule pack"));

  /* An existing --out is left as it was; a missing folder leaves no file behind. */
  assert_true (g_file_get_contents (out, &before, &before_len, NULL));
  cli (&d, "compare", proj, "--area", "strip:5", "--countries", "WST,EST", "--out", out, NULL);
  assert_int_equal (d.status, 3);
  assert_non_null (strstr (d.err, out));
  assert_true (g_file_get_contents (out, &after, &after_len, NULL));
  assert_int_equal (before_len, after_len);
  assert_memory_equal (before, after, before_len);
  cli (&e, "compare", proj, "--area", "strip:5", "--countries", "WST,EST", "--out", nowhere, NULL);
  assert_int_equal (e.status, 3);
  assert_false (g_file_test (nowhere, G_FILE_TEST_EXISTS));
  test_rmtree (dir);
}

static void
test_compare_bad_input (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *proj = compare_world (dir, TRUE);
  g_autofree char *bare = compare_world (dir, FALSE);
  const struct {
    const char *project;
    const char *area;
    const char *countries;
    int         status;
    const char *message;
  } cases[] = {
    { proj, "strip:5", "WST,XYZ", 3, "No country XYZ" },
    { proj, "strip:5", "WST,FAR", 3, "WST and FAR share no border" },
    { proj, "strip:5", "WST", 2, "exactly two countries" },
    { proj, "strip:0", "WST,EST", 2, "above 0 km" },
    { proj, "cluster:9", "WST,EST", 3, "No cluster 9" },
    { proj, "cluster:x", "WST,EST", 2, "cluster number" },
    { proj, "wkt:POLYGON ((29 -2, 29.1", "WST", 2, "WKT" },
    { proj, "wkt:POLYGON EMPTY", "WST", 3, "empty" },
    { proj, "wkt:POLYGON ((10 10, 11 10, 11 11, 10 11, 10 10))", "WST", 3, "lies outside WST" },
    { proj, "circle:3", "WST", 2, "--area is" },
    { proj, "strip:5", "WST,WEST", 2, "--countries" },
    { proj, "strip:5", "WST,WST", 2, "--countries" },
    { bare, "strip:5", "WST,EST", 3, "no borders layer" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) r = { 0 };
      cli (&r, "compare", cases[i].project, "--area", cases[i].area, "--countries",
           cases[i].countries, NULL);
      if (r.status != cases[i].status || strstr (r.err, cases[i].message) == NULL)
        fail_msg ("--area %s --countries %s: exit %d (expected %d), “%s” (expected “%s”)",
                  cases[i].area, cases[i].countries, r.status, cases[i].status, r.err,
                  cases[i].message);
      assert_int_equal (r.out[0], '\0');
    }
  test_rmtree (dir);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_usage_errors),
    cmocka_unit_test (test_area_drc_cell),
    cmocka_unit_test (test_area_planimeter_polygons),
    cmocka_unit_test (test_area_bad_inputs),
    cmocka_unit_test (test_project_workflow),
    cmocka_unit_test (test_unallocated_on_project),
    cmocka_unit_test (test_capacity_load),
    cmocka_unit_test (test_compare),
    cmocka_unit_test (test_compare_bad_input),
  };

  return cmocka_run_group_tests_name ("cli", tests, NULL, NULL);
}
