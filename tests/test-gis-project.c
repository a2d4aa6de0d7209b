/* test-gis-project.c: the project GeoPackage: schema, registry, metadata, audit, and
 * all-or-nothing writes under kill -9
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "gis.h"

static GisProject *
new_project (const char *dir, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GisCrs) crs = gis_crs_new_from_epsg (4326, &error);
  GisProject *p = gis_project_create (path, crs, &error);

  assert_no_error (error);
  assert_non_null (p);
  return p;
}

static char *
sql_text (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  char *result = NULL;

  assert_int_equal (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), SQLITE_OK);
  if (sqlite3_step (st) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (st, 0));
  sqlite3_finalize (st);
  sqlite3_close (db);
  return result;
}

static void
test_create_is_a_geopackage (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GisProject) p = new_project (dir, "p.gpkg");
  g_autofree char *path = g_build_filename (dir, "p.gpkg", NULL);
  g_autofree char *app_id = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *check = NULL;

  g_clear_object (&p);
  /* GeoPackage application_id 'GPKG' = 0x47504B47 = 1196444487 */
  app_id = sql_text (path, "PRAGMA application_id");
  assert_string_equal (app_id, "1196444487");
  check = sql_text (path, "PRAGMA integrity_check");
  assert_string_equal (check, "ok");
  /* Placer's tables are registered as GeoPackage attribute tables, so GIS tools list them. */
  contents = sql_text (path, "SELECT group_concat(table_name || ':' || data_type, ' ') FROM "
                             "(SELECT * FROM gpkg_contents ORDER BY table_name)");
  assert_string_equal (contents, "placer_audit:attributes placer_layers:attributes "
                                 "placer_project:attributes placer_runs:attributes");
  test_rmtree (dir);
}

static void
test_save_copy_and_recognise (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "p.gpkg", NULL);
  g_autofree char *copy = g_build_filename (dir, "copy.gpkg", NULL);
  g_autofree char *lost = g_build_filename (dir, "no", "copy.gpkg", NULL);
  g_autofree char *text = g_build_filename (dir, "notes.gpkg", NULL);
  g_autofree char *plain = test_source_path ("sample-data/sources/deposits.gpkg");
  g_autoptr(GisProject) p = new_project (dir, "p.gpkg");
  g_autoptr(GisProject) q = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autofree char *check = NULL, *app_id = NULL, *as_of = NULL, *extent = NULL;
  g_autoptr(GDir) d = NULL;
  const char *name;

  /* Display state ("view:") is kept, but not in the audit log. */
  assert_true (gis_project_set_meta (p, "as_of", "2026-03-31", &error));
  assert_true (gis_project_set_meta (p, "view:extent", "28,-3,29,-2", &error));

  /* What a dropped file is: a project, a plain GeoPackage, something else, nothing. */
  g_file_set_contents (text, "not a database", -1, NULL);
  assert_true (gis_project_is_project (path));
  assert_false (gis_project_is_project (plain));
  assert_false (gis_project_is_project (text));
  assert_false (gis_project_is_project (copy));

  /* A copy taken while the project is open is a whole, valid project. */
  assert_true (gis_project_save_copy (p, copy, &error));
  assert_no_error (error);
  check = sql_text (copy, "PRAGMA integrity_check");
  assert_string_equal (check, "ok");
  app_id = sql_text (copy, "PRAGMA application_id");
  assert_string_equal (app_id, "1196444487");
  q = gis_project_open (copy, FALSE, &error);
  assert_no_error (error);
  as_of = gis_project_dup_meta (q, "as_of");
  assert_string_equal (as_of, "2026-03-31");
  extent = gis_project_dup_meta (q, "view:extent");
  assert_string_equal (extent, "28,-3,29,-2");
  audit = gis_project_list_audit (q, &error);
  assert_int_equal (audit->len, 2);   /* create-project and the as_of change */

  /* Refusals: onto itself, into a missing folder; nothing half-written is left. */
  assert_false (gis_project_save_copy (p, path, &error));
  assert_true (g_error_matches (error, GIS_ERROR, GIS_ERROR_EXISTS));
  g_clear_error (&error);
  assert_false (gis_project_save_copy (p, lost, &error));
  assert_true (g_error_matches (error, GIS_ERROR, GIS_ERROR_IO));
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    if (strstr (name, ".part") != NULL)
      fail_msg ("“%s” was left behind", name);
  g_clear_object (&q);
  g_clear_object (&p);
  test_rmtree (dir);
}

static void
test_reopen_meta_and_audit (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "p.gpkg", NULL);
  g_autoptr(GisProject) p = new_project (dir, "p.gpkg");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autofree char *as_of = NULL;
  g_autofree char *version = NULL;

  assert_true (gis_project_set_meta (p, "as_of", "2026-01-01", &error));
  assert_true (gis_project_set_meta (p, "as_of", "2026-06-30", &error));
  assert_no_error (error);
  /* The format version and CRS are fixed at creation. */
  assert_false (gis_project_set_meta (p, "crs", "EPSG:32735", &error));
  assert_true (g_error_matches (error, GIS_ERROR, GIS_ERROR_INVALID));
  g_clear_error (&error);
  g_clear_object (&p);

  p = gis_project_open (path, FALSE, &error);
  assert_no_error (error);
  assert_int_equal (gis_crs_get_epsg (gis_project_get_crs (p)), 4326);
  as_of = gis_project_dup_meta (p, "as_of");
  assert_string_equal (as_of, "2026-06-30");
  version = gis_project_dup_meta (p, "format_version");
  assert_string_equal (version, "1");
  audit = gis_project_list_audit (p, &error);
  assert_no_error (error);
  /* create-project, then two set-meta entries with before and after */
  assert_int_equal (audit->len, 3);
  {
    GisAuditEntry *e = g_ptr_array_index (audit, 2);
    assert_string_equal (e->action, "set-meta");
    assert_string_equal (e->object, "as_of");
    assert_string_equal (e->before, "\"2026-01-01\"");
    assert_string_equal (e->after, "\"2026-06-30\"");
    assert_string_equal (e->who, g_get_user_name ());
  }
  /* Read-only: writes are refused, nothing changes. */
  assert_false (gis_project_set_meta (p, "as_of", "2027-01-01", &error));
  assert_true (g_error_matches (error, GIS_ERROR, GIS_ERROR_IO));
  g_clear_object (&p);
  test_rmtree (dir);
}

static void
test_refusals (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "p.gpkg", NULL);
  g_autoptr(GisProject) p = new_project (dir, "p.gpkg");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) crs = gis_crs_new_from_epsg (4326, NULL);
  g_autoptr(GisProject) q = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *garbage = test_data_path ("data/garbage.gpkg");
  g_autofree char *plain = g_build_filename (dir, "plain.gpkg", NULL);
  g_autofree char *txt = g_build_filename (dir, "p.txt", NULL);

  g_clear_object (&p);
  g_file_get_contents (path, &before, NULL, NULL);
  /* Never overwrites. */
  q = gis_project_create (path, crs, &error);
  assert_null (q);
  assert_true (g_error_matches (error, GIS_ERROR, GIS_ERROR_EXISTS));
  assert_error_contains (error, path);
  g_clear_error (&error);
  g_file_get_contents (path, &after, NULL, NULL);
  assert_string_equal (before, after);
  /* Wrong extension, missing file, not a GeoPackage. */
  q = gis_project_create (txt, crs, &error);
  assert_null (q);
  assert_error_contains (error, ".gpkg");
  g_clear_error (&error);
  q = gis_project_open ("/nonexistent/x.gpkg", FALSE, &error);
  assert_null (q);
  assert_error_contains (error, "/nonexistent/x.gpkg");
  g_clear_error (&error);
  q = gis_project_open (garbage, FALSE, &error);
  assert_null (q);
  assert_error_contains (error, garbage);
  g_clear_error (&error);
  /* A GeoPackage that is not a Placer project. */
  {
    g_autofree char *cmd = g_strdup_printf ("sqlite3 '%s' 'PRAGMA application_id=1196444487;"
                                            " CREATE TABLE gpkg_contents(table_name TEXT);'",
                                            plain);
    assert_int_equal (system (cmd), 0);
    q = gis_project_open (plain, FALSE, &error);
    assert_null (q);
    assert_non_null (error);
    g_clear_error (&error);
  }
  /* A project from a newer Placer. */
  {
    g_autofree char *cmd = g_strdup_printf ("sqlite3 '%s' \"UPDATE placer_project SET value='99'"
                                            " WHERE key='format_version'\"", path);
    assert_int_equal (system (cmd), 0);
    q = gis_project_open (path, FALSE, &error);
    assert_null (q);
    assert_true (g_error_matches (error, GIS_ERROR, GIS_ERROR_PROJECT));
    assert_error_contains (error, "newer Placer");
  }
  test_rmtree (dir);
}

static void
test_add_embedded_layer (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "p.gpkg", NULL);
  g_autoptr(GisProject) p = new_project (dir, "p.gpkg");
  g_autoptr(GError) error = NULL;
  g_autofree char *src = test_data_path ("data/square-utm.geojson");
  g_autoptr(GisProjectLayer) l = g_new0 (GisProjectLayer, 1);
  g_autoptr(GisProjectLayer) found = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GPtrArray) features = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  const char *table_name = NULL;
  g_autofree char *count = NULL;

  l->name = g_strdup ("squares");
  l->role = g_strdup ("zones");
  l->kind = g_strdup ("vector");
  l->source = g_strdup (src);
  l->mapping = g_strdup ("{\"fields\":{\"name\":\"name\"}}");
  l->crs = gis_crs_new_from_epsg (32735, NULL);
  l->geometry_type = GIS_GEOMETRY_POLYGON;
  l->feature_count = 2;
  l->extent = (GisEnvelope) { 700000, 9800000, 701000, 9801000 };
  assert_true (gis_project_add_layer (p, l, TRUE, NULL, &error));
  assert_no_error (error);
  assert_string_equal (l->table, "layer_squares");

  /* A second layer of the same name is refused and changes nothing. */
  {
    g_autoptr(GisProjectLayer) dup = gis_project_layer_copy (l);
    g_clear_pointer (&dup->table, g_free);
    assert_false (gis_project_add_layer (p, dup, TRUE, NULL, &error));
    assert_true (g_error_matches (error, GIS_ERROR, GIS_ERROR_EXISTS));
    g_clear_error (&error);
  }
  layers = gis_project_list_layers (p, &error);
  assert_int_equal (layers->len, 1);

  found = gis_project_find_layer (p, "squares", &error);
  assert_no_error (error);
  assert_string_equal (found->role, "zones");
  assert_int_equal (gis_crs_get_epsg (found->crs), 32735);
  assert_int_equal (found->feature_count, 2);
  assert_true (found->extent.max_y == 9801000);
  assert_string_equal (found->mapping, "{\"fields\":{\"name\":\"name\"}}");

  /* The embedded copy holds the same geometries, bit for bit. */
  ds = gis_project_open_layer (p, found, &table_name, &error);
  assert_no_error (error);
  features = gis_dataset_read_features (ds, table_name, NULL, NULL, &error);
  assert_no_error (error);
  assert_int_equal (features->len, 2);
  {
    GisFeature *f = g_ptr_array_index (features, 0);
    g_autofree char *wkt = gis_geometry_to_wkt (f->geometry, -1);
    assert_string_equal (wkt, "POLYGON ((700000 9800000, 701000 9800000, 701000 9801000, "
                              "700000 9801000, 700000 9800000))");
  }
  g_clear_object (&ds);

  /* Mapping changes and removal are logged. */
  assert_true (gis_project_set_layer_mapping (p, "squares", "{}", &error));
  assert_true (gis_project_remove_layer (p, "squares", &error));
  assert_no_error (error);
  assert_false (gis_project_remove_layer (p, "squares", &error));
  assert_true (g_error_matches (error, GIS_ERROR, GIS_ERROR_NOT_FOUND));
  g_clear_object (&p);
  count = sql_text (path, "SELECT count(*) FROM sqlite_master WHERE name='layer_squares'");
  assert_string_equal (count, "0");
  g_free (count);
  count = sql_text (path, "SELECT group_concat(action, ',') FROM placer_audit");
  assert_string_equal (count, "create-project,add-layer,set-mapping,remove-layer");
  test_rmtree (dir);
}

static void
test_source_stored_relative (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GisProject) p = new_project (dir, "p.gpkg");
  g_autoptr(GError) error = NULL;
  g_autofree char *sub = g_build_filename (dir, "sources", NULL);
  g_autofree char *src = g_build_filename (sub, "c.tif", NULL);
  g_autofree char *fixture = test_data_path ("data/classes-4x3.tif");
  g_autoptr(GisProjectLayer) l = g_new0 (GisProjectLayer, 1);
  g_autofree char *resolved = NULL;

  g_mkdir (sub, 0755);
  test_copy_file (fixture, src);
  l->name = g_strdup ("cover");
  l->role = g_strdup ("landuse");
  l->kind = g_strdup ("raster");
  l->source = g_strdup (src);
  l->extent = GIS_ENVELOPE_EMPTY;
  /* Rasters stay in their file. */
  assert_false (gis_project_add_layer (p, l, TRUE, NULL, &error));
  assert_true (g_error_matches (error, GIS_ERROR, GIS_ERROR_INVALID));
  g_clear_error (&error);
  assert_true (gis_project_add_layer (p, l, FALSE, NULL, &error));
  assert_no_error (error);
  assert_string_equal (l->source, "sources/c.tif");
  resolved = gis_project_resolve_source (p, l);
  assert_string_equal (resolved, src);
  g_clear_object (&p);
  test_rmtree (dir);
}

/* kill -9 at random moments while a child writes: the file must pass integrity_check and
 * hold a state in which the metadata counter and the audit log agree, i.e. exactly the old
 * or the new state of the interrupted write. */
static void
child_writes (const char *path, const char *layer_src)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisProject) p = gis_project_open (path, TRUE, &error);

  if (p == NULL)
    _exit (2);
  for (int i = 1;; i++)
    {
      g_autofree char *v = g_strdup_printf ("%d", i);
      if (!gis_project_set_meta (p, "counter", v, &error))
        _exit (3);
      if (i % 5 == 0)
        {
          g_autoptr(GisProjectLayer) l = g_new0 (GisProjectLayer, 1);
          l->name = g_strdup_printf ("layer-%d-%d", (int) getpid (), i);
          l->role = g_strdup ("other");
          l->kind = g_strdup ("vector");
          l->source = g_strdup (layer_src);
          l->crs = gis_crs_new_from_epsg (4326, NULL);
          l->extent = GIS_ENVELOPE_EMPTY;
          l->feature_count = 16;
          if (!gis_project_add_layer (p, l, TRUE, NULL, &error))
            _exit (4);
        }
    }
}

static void
test_kill9_leaves_old_or_new (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "p.gpkg", NULL);
  g_autoptr(GisProject) p = new_project (dir, "p.gpkg");
  g_autofree char *layer_src = test_data_path ("oracles/admin-polygons.geojson");
  GRand *rand = g_rand_new_with_seed (20261126);
  int last_counter = 0;
  guint kills = 0;
  guint hot = 0;
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);

  g_clear_object (&p);
  for (int round = 0; round < 25; round++)
    {
      pid_t pid = fork ();
      int status;

      assert_true (pid >= 0);
      if (pid == 0)
        child_writes (path, layer_src);
      g_usleep (g_rand_int_range (rand, 20000, 150000));
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      if (WIFSIGNALED (status))
        kills++;
      else
        fail_msg ("writer exited with %d instead of being killed", WEXITSTATUS (status));

      if (g_file_test (journal, G_FILE_TEST_EXISTS))
        hot++;
      /* The next reader, even a read-only one, finds the old or the new state. */
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GisProject) reader = gis_project_open (path, FALSE, &error);
        assert_no_error (error);
      }

      {
        g_autofree char *check = sql_text (path, "PRAGMA integrity_check");
        g_autofree char *counter = sql_text (path, "SELECT value FROM placer_project "
                                                   "WHERE key='counter'");
        g_autofree char *audited = sql_text (path, "SELECT after FROM placer_audit WHERE "
                                                   "action='set-meta' ORDER BY fid DESC LIMIT 1");
        g_autofree char *layers = sql_text (path, "SELECT count(*) FROM placer_layers");
        g_autofree char *tables = sql_text (path, "SELECT count(*) FROM gpkg_contents WHERE "
                                                  "table_name LIKE 'layer_%'");
        g_autofree char *added = sql_text (path, "SELECT count(*) FROM placer_audit "
                                                 "WHERE action='add-layer'");
        g_autofree char *quoted = NULL;
        int value;

        assert_string_equal (check, "ok");
        if (counter == NULL)
          continue;
        /* The counter and its audit entry were written together. */
        quoted = g_strdup_printf ("\"%s\"", counter);
        assert_string_equal (audited, quoted);
        /* Every registered layer has its table, and vice versa, and its audit entry. */
        assert_string_equal (layers, tables);
        assert_string_equal (layers, added);
        value = atoi (counter);
        /* Each round restarts at 1; an interrupted round leaves any value ≥ 1. */
        assert_true (value >= 1);
        last_counter = value;
      }
      /* Every embedded table is complete: 16 features each. */
      {
        g_autofree char *bad = sql_text (path, "SELECT count(*) FROM placer_layers l WHERE "
                                               "l.feature_count <> 16");
        assert_string_equal (bad, "0");
      }
    }
  g_rand_free (rand);
  assert_true (kills == 25);
  /* The kills did land inside transactions (a rollback journal was left behind). */
  if (hot == 0)
    fail_msg ("no kill interrupted a transaction; the test proved nothing");
  assert_true (last_counter >= 1);

  /* The project still opens and every embedded layer reads back in full. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GisProject) q = gis_project_open (path, FALSE, &error);
    g_autoptr(GPtrArray) layers = NULL;

    assert_no_error (error);
    layers = gis_project_list_layers (q, &error);
    for (guint i = 0; i < layers->len; i++)
      {
        GisProjectLayer *l = g_ptr_array_index (layers, i);
        const char *t = NULL;
        g_autoptr(GisDataset) ds = gis_project_open_layer (q, l, &t, &error);
        g_autoptr(GisLayerInfo) info = NULL;
        assert_no_error (error);
        info = gis_dataset_describe_layer (ds, t, &error);
        assert_no_error (error);
        assert_int_equal (info->feature_count, 16);
      }
  }
  test_rmtree (dir);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_create_is_a_geopackage),
    cmocka_unit_test (test_reopen_meta_and_audit),
    cmocka_unit_test (test_save_copy_and_recognise),
    cmocka_unit_test (test_refusals),
    cmocka_unit_test (test_add_embedded_layer),
    cmocka_unit_test (test_source_stored_relative),
    cmocka_unit_test (test_kill9_leaves_old_or_new),
  };

  gis_init ();
  return cmocka_run_group_tests_name ("gis-project", tests, NULL, NULL);
}
