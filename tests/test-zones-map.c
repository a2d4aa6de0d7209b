/* test-zones-map.c: a project's layers as a map — default styles from roles and mappings,
 * drawing order, and display state kept in the project
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include "zones.h"

static GisProject *
project_with (const char *dir, const char *const *sources, const char *const *roles)
{
  g_autofree char *path = g_build_filename (dir, "p.gpkg", NULL);
  g_autoptr(GisCrs) wgs84 = gis_crs_new_from_epsg (4326, NULL);
  g_autoptr(GError) error = NULL;
  GisProject *project = gis_project_create (path, wgs84, &error);

  assert_non_null (project);
  for (guint i = 0; sources[i] != NULL; i++)
    {
      g_autofree char *src = test_source_path (sources[i]);
      g_autoptr(ZonesLayerCandidate) c = zones_layer_inspect (src, NULL, roles[i], NULL, NULL,
                                                              &error);
      assert_non_null (c);
      assert_true (zones_layer_add_to_project (project, c, NULL, TRUE, NULL, &error));
    }
  return project;
}

static GisMapLayer *
find (GPtrArray *layers, const char *role)
{
  for (guint i = 0; i < layers->len; i++)
    if (g_strcmp0 (gis_map_layer_get_role (g_ptr_array_index (layers, i)), role) == 0)
      return g_ptr_array_index (layers, i);
  fail_msg ("no %s layer", role);
  return NULL;
}

static gboolean
class_has (GisStyle *style, const char *label, const char *value)
{
  for (guint k = 0; k < gis_style_get_n_classes (style); k++)
    {
      const GisStyleClass *c = gis_style_get_class (style, k);
      if (g_strcmp0 (c->label, label) == 0)
        return g_strv_contains ((const char *const *) c->values, value);
    }
  return FALSE;
}

static void
test_default_styles_follow_mapping (void **state)
{
  /* The generated cadastre speaks French: statut "Actif", "En instruction"... */
  const char *sources[] = { "sample-data/sources/cadastre.gpkg",
                            "sample-data/sources/landcover.tif",
                            "sample-data/sources/deposits.gpkg", NULL };
  const char *roles[] = { "concessions", "landuse", "deposits" };
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GisProject) project = project_with (dir, sources, roles);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) layers = zones_map_load (project, NULL, &problems, NULL, &error);
  GisStyle *titles;

  assert_non_null (layers);
  assert_int_equal (problems->len, 0);
  assert_int_equal (layers->len, 3);
  /* Bottom to top: the raster, deposits, titles. */
  assert_non_null (gis_map_layer_get_raster (g_ptr_array_index (layers, 0)));
  assert_string_equal (gis_map_layer_get_role (g_ptr_array_index (layers, 1)), "deposits");
  assert_string_equal (gis_map_layer_get_role (g_ptr_array_index (layers, 2)), "concessions");
  /* A land-cover raster starts as a see-through backdrop. */
  assert_true (gis_map_layer_get_opacity (g_ptr_array_index (layers, 0)) < 0.5);

  titles = gis_map_layer_get_style (find (layers, "concessions"));
  assert_int_equal (gis_style_get_kind (titles), GIS_STYLE_CATEGORIZED);
  assert_string_equal (gis_style_get_field (titles), "statut");
  assert_true (class_has (titles, "Title in force", "Actif"));
  assert_true (class_has (titles, "Application", "En instruction"));
  assert_true (class_has (titles, "Expired title", "Expiré"));
  /* Titles in force are hatched, expired ones outlined only: status reads without colour. */
  assert_int_equal (gis_style_get_symbol (titles, gis_style_classify (titles, "Actif"))->pattern,
                    GIS_FILL_HATCH);
  assert_int_equal (gis_style_get_symbol (titles, gis_style_classify (titles, "Expiré"))->pattern,
                    GIS_FILL_NONE);
  g_clear_object (&project);
  test_rmtree (dir);
}

static void
test_display_state_round_trip (void **state)
{
  const char *sources[] = { "sample-data/sources/cadastre.gpkg",
                            "sample-data/sources/deposits.gpkg", NULL };
  const char *roles[] = { "concessions", "deposits" };
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GisProject) project = project_with (dir, sources, roles);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) layers = zones_map_load (project, NULL, NULL, NULL, &error);
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) audit_before = gis_project_list_audit (project, &error);
  g_autoptr(GPtrArray) audit_after = NULL;
  GisSymbol red = gis_symbol_default ((GisColor) { 1, 0, 0, 1 });
  g_autoptr(GisStyle) style = gis_style_new_single (&red);
  gpointer top;

  /* Titles hidden and restyled, deposits half transparent and moved on top. */
  gis_map_layer_set_visible (find (layers, "concessions"), FALSE);
  gis_map_layer_set_style (find (layers, "concessions"), style);
  gis_map_layer_set_opacity (find (layers, "deposits"), 0.5);
  top = layers->pdata[0];
  layers->pdata[0] = layers->pdata[1];
  layers->pdata[1] = top;
  assert_true (zones_map_save_state (project, layers, &error));

  again = zones_map_load (project, NULL, NULL, NULL, &error);
  assert_string_equal (gis_map_layer_get_role (g_ptr_array_index (again, 1)), "deposits");
  assert_false (gis_map_layer_get_visible (find (again, "concessions")));
  assert_true (gis_style_equal (gis_map_layer_get_style (find (again, "concessions")), style));
  assert_true (gis_map_layer_get_opacity (find (again, "deposits")) == 0.5);
  assert_true (gis_map_layer_get_visible (find (again, "deposits")));
  /* Display state is not part of the plan's history. */
  audit_after = gis_project_list_audit (project, &error);
  assert_int_equal (audit_after->len, audit_before->len);
  g_clear_object (&project);
  test_rmtree (dir);
}

static void
test_broken_state_is_ignored (void **state)
{
  const char *sources[] = { "sample-data/sources/deposits.gpkg", NULL };
  const char *roles[] = { "deposits" };
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GisProject) project = project_with (dir, sources, roles);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) layers = NULL;

  /* Garbage, a layer that is gone, and a style this version cannot read: the map still
   * opens with its defaults. */
  assert_true (gis_project_set_meta (project, "view:map_layers",
                                     "[{\"key\":\"layer:99\"},{\"key\":\"layer:1\",\"opacity\":"
                                     "0.25,\"style\":{\"kind\":\"hexbin\"}}, 7]", &error));
  layers = zones_map_load (project, NULL, NULL, NULL, &error);
  assert_non_null (layers);
  assert_int_equal (layers->len, 1);
  assert_true (gis_map_layer_get_opacity (g_ptr_array_index (layers, 0)) == 0.25);
  assert_int_equal (gis_style_get_kind (gis_map_layer_get_style (g_ptr_array_index (layers, 0))),
                    GIS_STYLE_CATEGORIZED);
  assert_true (gis_project_set_meta (project, "view:map_layers", "not json", &error));
  g_clear_pointer (&layers, g_ptr_array_unref);
  layers = zones_map_load (project, NULL, NULL, NULL, &error);
  assert_int_equal (layers->len, 1);
  g_clear_object (&project);
  test_rmtree (dir);
}

static void
added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GisMapLayer **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = zones_workspace_add_layer_finish (ZONES_WORKSPACE (source), result, &error);
  assert_no_error (error);
}

static void
test_workspace (void **state)
{
  /* The demo copied without its sources folder: the raster it references cannot be read
   * and is reported by name; everything embedded opens. */
  g_autofree char *demo = test_source_path ("sample-data/kivu-demo.gpkg");
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "demo.gpkg", NULL);
  g_autofree char *deposits = test_source_path ("sample-data/sources/deposits.gpkg");
  g_autoptr(ZonesWorkspace) ws = NULL;
  g_autoptr(ZonesWorkspace) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesLayerCandidate) candidate = NULL;
  GListModel *layers;
  GisMapLayer *added = NULL;
  GisEnvelope view = { 28.0, -3.0, 29.0, -2.0 }, home;
  guint n;

  test_copy_file (demo, path);
  ws = zones_workspace_open (path, NULL, &error);
  assert_no_error (error);
  assert_string_equal (zones_workspace_get_title (ws), "Eastern DRC border region (demo)");
  assert_int_equal (zones_workspace_get_problems (ws)->len, 1);
  assert_non_null (strstr (g_ptr_array_index (zones_workspace_get_problems (ws), 0),
                           "Layer “landcover”"));
  layers = zones_workspace_get_layers (ws);
  n = g_list_model_get_n_items (layers);
  assert_int_equal (n, 10);
  {
    g_autoptr(GisMapLayer) top = g_list_model_get_item (layers, 0);
    g_autoptr(GisMapLayer) bottom = g_list_model_get_item (layers, n - 1);
    assert_string_equal (gis_map_layer_get_title (top), "ipis_sites");
    assert_string_equal (gis_map_layer_get_role (bottom), "landuse");
  }
  assert_non_null (zones_workspace_find_layer (ws, "ASM zones"));

  /* Deposits added again under another name land with the deposits, under the titles. */
  candidate = zones_layer_inspect (deposits, NULL, "deposits", NULL, NULL, &error);
  assert_no_error (error);
  zones_workspace_add_layer_async (ws, g_steal_pointer (&candidate), "deposits 2", NULL,
                                   added_cb, &added);
  while (added == NULL)
    g_main_context_iteration (NULL, TRUE);
  assert_int_equal (g_list_model_get_n_items (layers), 11);
  {
    guint at = 0;
    g_list_store_find (G_LIST_STORE (layers), added, &at);
    g_autoptr(GisMapLayer) above = g_list_model_get_item (layers, at - 1);
    g_autoptr(GisMapLayer) below = g_list_model_get_item (layers, at + 1);
    assert_string_equal (gis_map_layer_get_role (above), "concessions");
    assert_string_equal (gis_map_layer_get_title (below), "deposits");
  }

  /* The sites moved to the bottom and the view are there when the project reopens. */
  zones_workspace_move_layer (ws, 0, 10);
  assert_true (zones_workspace_save_view (ws, &view, &error));
  g_clear_object (&ws);
  again = zones_workspace_open (path, NULL, &error);
  assert_no_error (error);
  {
    g_autoptr(GisMapLayer) bottom = g_list_model_get_item (zones_workspace_get_layers (again), 10);
    assert_string_equal (gis_map_layer_get_title (bottom), "ipis_sites");
  }
  assert_true (zones_workspace_get_home (again, &home));
  assert_true (home.min_x == 28.0 && home.max_y == -2.0);
  g_clear_object (&again);
  test_rmtree (dir);
}

static void
test_guess_role (void **state)
{
  /* The sample sources, whose roles are known: French field names for titles and land
   * use, IPIS's CSV for sites, a classified raster, and rivers as lines. */
  const char *cases[][2] = {
    { "sample-data/sources/borders.gpkg", "borders" },
    { "sample-data/sources/cadastre.gpkg", "concessions" },
    { "sample-data/sources/deposits.gpkg", "deposits" },
    { "sample-data/sources/landuse.gpkg", "landuse" },
    { "sample-data/sources/ipis_sites.csv", "sites" },
    { "sample-data/sources/landcover.tif", "landuse" },
    { "sample-data/sources/rivers.geojson", "water" },
  };
  g_autofree char *missing = test_data_path ("data/no-such-file.gpkg");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = test_source_path (cases[i][0]);
      const char *role = zones_layer_guess_role (path, &error);
      assert_no_error (error);
      if (g_strcmp0 (role, cases[i][1]) != 0)
        fail_msg ("%s: guessed %s, is %s", cases[i][0], role, cases[i][1]);
    }
  assert_null (zones_layer_guess_role (missing, &error));
  assert_non_null (error);
  assert_non_null (strstr (error->message, "no-such-file.gpkg"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_default_styles_follow_mapping),
    cmocka_unit_test (test_display_state_round_trip),
    cmocka_unit_test (test_broken_state_is_ignored),
    cmocka_unit_test (test_workspace),
    cmocka_unit_test (test_guess_role),
  };

  gis_init ();
  return cmocka_run_group_tests (tests, NULL, NULL);
}
