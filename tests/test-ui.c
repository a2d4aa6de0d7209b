/* test-ui.c: the widgets, in a real display (Xvfb), with GTK's accessibility test backend
 *
 * Run under tests/ui/with-display.sh: a session bus, Xvfb, GTK_A11Y=test, in-memory
 * settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#include "ui.h"

static GSettings *settings;

/* Helpers */

static void
wait_until (gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        fail_msg ("timed out");
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Destroys a window and checks that it and everything in it are freed. */
static void
destroy_and_check (GtkWidget *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  wait_until (is_null, &weak);
}

static GtkWidget *
find_button (GtkWidget *root, const char *label)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;
      if (GTK_IS_BUTTON (c) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (c)), label) == 0)
        return c;
      if ((found = find_button (c, label)) != NULL)
        return found;
    }
  return NULL;
}

static char *
copy_demo (const char *dir)
{
  g_autofree char *demo = test_source_path ("sample-data/kivu-demo.gpkg");
  g_autofree char *sources = test_source_path ("sample-data/sources");
  g_autofree char *link = g_build_filename (dir, "sources", NULL);
  char *path = g_build_filename (dir, "demo.gpkg", NULL);

  test_copy_file (demo, path);
  assert_int_equal (symlink (sources, link), 0);
  return path;
}

static GisMapLayer *
square_layer (const char *title)
{
  g_autoptr(GPtrArray) features = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_feature_free);
  g_autoptr(GisCrs) crs = gis_crs_new_from_epsg (4326, NULL);
  const char *fields[] = { "name", NULL };
  GisFeature *f = g_new0 (GisFeature, 1);
  g_autoptr(GisVectorLayer) data = NULL;
  GisSymbol s = gis_symbol_default ((GisColor) { 0.9, 0.6, 0, 1 });
  g_autoptr(GisStyle) style = gis_style_new_single (&s);

  f->fid = 1;
  f->geometry = gis_geometry_new_from_wkt ("POLYGON((29 0,29.1 0,29.1 0.1,29 0.1,29 0))", NULL);
  f->n_values = 1;
  f->values = g_new0 (char *, 2);
  f->values[0] = g_strdup ("a square");
  g_ptr_array_add (features, f);
  data = gis_vector_layer_new_from_features (features, fields, crs, NULL);
  return gis_map_layer_new_vector (title, data, style);
}

static gboolean
has_size (gpointer data)
{
  return gtk_widget_get_width (data) > 100;
}

/* Tests */

static void
test_window_template (void **state)
{
  UiWindow *window = ui_window_new (NULL, settings);

  /* Built from its template: the actions the menus and D-Bus use exist. */
  assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "zoom-layer"));
  assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "visible-layers"));
  /* Nothing to add layers to before a project is open. */
  assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "add-layer"));
  gtk_window_present (GTK_WINDOW (window));
  destroy_and_check (GTK_WIDGET (window));
}

static void
test_map_view_accessible (void **state)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = ui_map_view_new ();
  g_autoptr(GListStore) layers = g_list_store_new (GIS_TYPE_MAP_LAYER);
  g_autoptr(GisMapLayer) layer = square_layer ("squares");
  g_autoptr(GisCrs) crs = gis_crs_new_from_epsg (4326, NULL);

  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Map with no visible layer");
  g_list_store_append (layers, layer);
  ui_map_view_set_layers (UI_MAP_VIEW (view), G_LIST_MODEL (layers), crs);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Map showing squares");
  gis_map_layer_set_visible (layer, FALSE);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Map with no visible layer");
  destroy_and_check (window);
}

static void
test_map_view_zoom_and_measure (void **state)
{
  GtkWidget *window = gtk_window_new ();
  UiMapView *view = UI_MAP_VIEW (ui_map_view_new ());
  g_autoptr(GListStore) layers = g_list_store_new (GIS_TYPE_MAP_LAYER);
  g_autoptr(GisMapLayer) layer = square_layer ("squares");
  g_autoptr(GisCrs) crs = gis_crs_new_from_epsg (4326, NULL);
  GisEnvelope square = { 29, 0, 29.1, 0.1 }, shown;
  double x0, y0, res, cx, cy, x1, y1;
  int w, h;

  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  g_list_store_append (layers, layer);
  ui_map_view_set_layers (view, G_LIST_MODEL (layers), crs);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (has_size, view);
  w = gtk_widget_get_width (GTK_WIDGET (view));
  h = gtk_widget_get_height (GTK_WIDGET (view));

  /* Zoom to the square: all of it in view, centred, with a 5 % margin on the tight side. */
  ui_map_view_zoom_to (view, &square);
  assert_true (ui_map_view_get_extent (view, &shown));
  assert_true (shown.min_x <= 29 && shown.max_x >= 29.1 && shown.min_y <= 0 && shown.max_y >= 0.1);
  res = ui_map_view_get_resolution (view);
  assert_true (fabs (res - 0.1 / MIN (w, h) * 1.05) < 1e-12);

  /* Zooming about a pixel leaves the map point under it where it was. */
  ui_map_view_get_center (view, &cx, &cy);
  x0 = cx + (100 - w / 2.0) * res;
  y0 = cy - (50 - h / 2.0) * res;
  ui_map_view_zoom_by (view, 2.5, 100, 50);
  res = ui_map_view_get_resolution (view);
  ui_map_view_get_center (view, &cx, &cy);
  x1 = cx + (100 - w / 2.0) * res;
  y1 = cy - (50 - h / 2.0) * res;
  assert_true (fabs (x1 - x0) < 1e-9 && fabs (y1 - y0) < 1e-9);

  /* Geodesic measures (GeodSolve: 0.1° along the equator is 11 131.949 m; Planimeter: the
   * 0.1° square at the equator is 123 090 691.4 m²). */
  ui_map_view_set_tool (view, UI_MAP_TOOL_MEASURE_DISTANCE);
  ui_map_view_add_point (view, 29, 0);
  assert_null (ui_map_view_get_measurement (view));
  ui_map_view_add_point (view, 29.1, 0);
  assert_string_equal (ui_map_view_get_measurement (view), "Distance 11.132 km");
  ui_map_view_set_tool (view, UI_MAP_TOOL_MEASURE_AREA);
  assert_null (ui_map_view_get_measurement (view));
  ui_map_view_add_point (view, 29, 0);
  ui_map_view_add_point (view, 29.1, 0);
  ui_map_view_add_point (view, 29.1, 0.1);
  ui_map_view_add_point (view, 29, 0.1);
  assert_string_equal (ui_map_view_get_measurement (view), "Area 123.09 km² (12309.1 ha)");
  /* Browsing ignores points. */
  ui_map_view_set_tool (view, UI_MAP_TOOL_BROWSE);
  ui_map_view_add_point (view, 29, 0);
  assert_null (ui_map_view_get_measurement (view));
  destroy_and_check (window);
}

typedef struct {
  UiWindow *window;
} OpenWait;

static gboolean
project_open (gpointer data)
{
  OpenWait *w = data;
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (w->window),
                                                               "project");
  return *g_variant_get_string (state, NULL) != '\0';
}

static gboolean
view_shown (gpointer data)
{
  OpenWait *w = data;
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (w->window),
                                                               "view-extent");
  return *g_variant_get_string (state, NULL) != '\0';
}

static gboolean
visible_contains (UiWindow *window, const char *title)
{
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (window),
                                                               "visible-layers");
  g_autofree const char **titles = g_variant_get_strv (state, NULL);

  return g_strv_contains (titles, title);
}

static void
test_window_actions (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = copy_demo (dir);
  OpenWait w = { ui_window_new (NULL, settings) };
  g_autoptr(GVariant) extent = NULL;
  g_autoptr(GVariant) states = NULL;
  double v[4];
  g_auto(GStrv) parts = NULL;

  gtk_window_present (GTK_WINDOW (w.window));
  ui_window_open (w.window, path);
  wait_until (project_open, &w);
  wait_until (view_shown, &w);

  /* All eleven layers show; toggling one hides it, twice shows it again. */
  states = g_action_group_get_action_state (G_ACTION_GROUP (w.window), "visible-layers");
  assert_int_equal (g_variant_n_children (states), 11);
  assert_true (visible_contains (w.window, "deposits"));
  g_action_group_activate_action (G_ACTION_GROUP (w.window), "toggle-layer",
                                  g_variant_new_string ("deposits"));
  assert_false (visible_contains (w.window, "deposits"));
  g_action_group_activate_action (G_ACTION_GROUP (w.window), "toggle-layer",
                                  g_variant_new_string ("deposits"));
  assert_true (visible_contains (w.window, "deposits"));
  assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (w.window), "add-layer"));

  /* Zooming to the zone register shows the three zones (ogrinfo -so: 28.150000–28.958333 E,
   * 3.091667–1.541667 S). */
  g_action_group_activate_action (G_ACTION_GROUP (w.window), "zoom-layer",
                                  g_variant_new_string ("ASM zones"));
  extent = g_action_group_get_action_state (G_ACTION_GROUP (w.window), "view-extent");
  parts = g_strsplit (g_variant_get_string (extent, NULL), ",", 4);
  assert_int_equal (g_strv_length (parts), 4);
  for (guint i = 0; i < 4; i++)
    v[i] = g_ascii_strtod (parts[i], NULL);
  assert_true (v[0] <= 28.15 && v[2] >= 28.958333 && v[1] <= -3.091667 && v[3] >= -1.541667);
  /* ... and not much more: they span 1.55° north–south, the view's tight side. */
  assert_true (v[3] - v[1] < 1.55 * 1.06);

  /* A layer the project lacks is refused without harm. */
  g_action_group_activate_action (G_ACTION_GROUP (w.window), "toggle-layer",
                                  g_variant_new_string ("no such layer"));
  states = (g_variant_unref (states),
            g_action_group_get_action_state (G_ACTION_GROUP (w.window), "visible-layers"));
  assert_int_equal (g_variant_n_children (states), 11);

  destroy_and_check (GTK_WIDGET (w.window));
  test_rmtree (dir);
}

typedef struct {
  ZonesLayerCandidate *candidate;
  char                *name;
} Confirmed;

static void
on_confirmed (UiImportDialog *dialog, gpointer candidate, const char *name, Confirmed *c)
{
  c->candidate = candidate;
  c->name = g_strdup (name);
}

static gboolean
add_sensitive (gpointer data)
{
  GtkWidget *add = find_button (data, "_Add");
  return add != NULL && gtk_widget_get_sensitive (add);
}

static gboolean
confirmed (gpointer data)
{
  return ((Confirmed *) data)->candidate != NULL;
}

static void
test_import_dialog_guesses (void **state)
{
  /* The generated cadastre: French field names, guessed as mining titles with "statut"
   * for the status; the planner only has to press Add. */
  g_autofree char *cadastre = test_source_path ("sample-data/sources/cadastre.gpkg");
  GtkWidget *parent = gtk_window_new ();
  UiImportDialog *dialog;
  Confirmed c = { 0 };

  gtk_window_present (GTK_WINDOW (parent));
  dialog = ui_import_dialog_new (GTK_WINDOW (parent), cadastre);
  g_signal_connect (dialog, "confirmed", G_CALLBACK (on_confirmed), &c);
  wait_until (add_sensitive, dialog);
  gtk_widget_activate (find_button (GTK_WIDGET (dialog), "_Add"));
  wait_until (confirmed, &c);
  assert_string_equal (c.candidate->layer->role, "concessions");
  assert_string_equal (zones_mapping_get_field (c.candidate->mapping, "status"), "statut");
  assert_string_equal (c.name, "cadastre");
  zones_layer_candidate_free (c.candidate);
  g_free (c.name);
  destroy_and_check (parent);
}

static void
test_import_dialog_refuses_missing_crs (void **state)
{
  /* A CSV of x/y without a CRS: no Add until a CRS is given. */
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *csv = g_build_filename (dir, "sites.csv", NULL);
  GtkWidget *parent = gtk_window_new ();
  UiImportDialog *dialog;
  gint64 until;

  g_file_set_contents (csv, "site,x,y\nA,29.1,-1.5\n", -1, NULL);
  gtk_window_present (GTK_WINDOW (parent));
  dialog = ui_import_dialog_new (GTK_WINDOW (parent), csv);
  until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  assert_false (gtk_widget_get_sensitive (find_button (GTK_WIDGET (dialog), "_Add")));
  destroy_and_check (parent);
  test_rmtree (dir);
}

static void
test_translated (void **state)
{
  /* The catalogues built from po/: the app in French and in Portuguese. Last, since it
   * switches the language of the whole process. */
  GtkWidget *view;

  bindtextdomain (GETTEXT_PACKAGE, PLACER_BUILD_ROOT "/po");
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_setenv ("LANGUAGE", "fr", TRUE);
  setlocale (LC_ALL, "");
  assert_string_equal (ui_role_label ("concessions"), "Titres miniers");
  /* The import dialog's field names come from the schema, translated. */
  assert_string_equal (g_dgettext (GETTEXT_PACKAGE, zones_role_find_field ("concessions", "holder")->label),
                       "titulaire du titre");
  view = g_object_ref_sink (ui_map_view_new ());
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Carte sans couche visible");
  g_object_unref (view);
  g_setenv ("LANGUAGE", "pt", TRUE);
  setlocale (LC_ALL, "");
  assert_string_equal (ui_role_label ("concessions"), "Títulos mineiros");
  assert_string_equal (g_dgettext (GETTEXT_PACKAGE, zones_role_find_field ("sites", "workers")->label),
                       "número de trabalhadores");
  g_unsetenv ("LANGUAGE");
}

int
main (int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_window_template),
    cmocka_unit_test (test_map_view_accessible),
    cmocka_unit_test (test_map_view_zoom_and_measure),
    cmocka_unit_test (test_window_actions),
    cmocka_unit_test (test_import_dialog_guesses),
    cmocka_unit_test (test_import_dialog_refuses_missing_crs),
    cmocka_unit_test (test_translated),
  };
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  gis_init ();
  settings = g_settings_new (PLACER_APPLICATION_ID);
  status = cmocka_run_group_tests (tests, NULL, NULL);
  g_clear_object (&settings);
  return status;
}
