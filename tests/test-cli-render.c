/* test-cli-render.c: placer-cli render, run as a script would, and the images it writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <cairo.h>

#include "test-cli-run.h"

/* A project in lon/lat with one land-use polygon, a 0.1° square whose French class
 * "Parc national" the mapping turns into a protected area. */
static char *
make_project (const char *dir)
{
  char *proj = g_build_filename (dir, "p.gpkg", NULL);
  g_autofree char *src = g_build_filename (dir, "aires.geojson", NULL);
  g_auto(Run) a = { 0 }, b = { 0 };

  g_file_set_contents (src,
                       "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                       "\"properties\":{\"classe\":\"Parc national\",\"nom\":\"Kahuzi\"},"
                       "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[29.0,-1.0],"
                       "[29.1,-1.0],[29.1,-0.9],[29.0,-0.9],[29.0,-1.0]]]}}]}", -1, NULL);
  cli (&a, "project", "new", proj, NULL);
  assert_int_equal (a.status, 0);
  cli (&b, "project", "add-layer", proj, src, "--role", "landuse", "--name", "aires", NULL);
  assert_int_equal (b.status, 0);
  return proj;
}

static guint32
pixel (cairo_surface_t *s, int x, int y)
{
  return ((guint32 *) (gpointer) (cairo_image_surface_get_data (s) +
                                  (gsize) y * cairo_image_surface_get_stride (s)))[x];
}

static void
test_render_styled_by_role (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *proj = make_project (dir);
  g_autofree char *png = g_build_filename (dir, "map.png", NULL);
  g_auto(Run) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *o;
  JsonArray *extent;
  cairo_surface_t *img;
  guint non_white = 0;

  /* 0.3° over 300 px: 0.001° per pixel; the square covers columns and rows 100..199. */
  cli (&r, "render", proj, "--out", png, "--extent", "28.9,-1.1,29.2,-0.8", "--size", "300x300",
       "--no-decorations", "--json", NULL);
  assert_int_equal (r.status, 0);
  o = parse (r.out, &parser);
  assert_int_equal (json_object_get_int_member (o, "width"), 300);
  assert_int_equal (json_object_get_int_member (o, "height"), 300);
  extent = json_object_get_array_member (o, "extent");
  assert_true (fabs (json_array_get_double_element (extent, 0) - 28.9) < 1e-9);
  assert_true (fabs (json_array_get_double_element (extent, 3) + 0.8) < 1e-9);
  assert_int_equal (json_array_get_length (json_object_get_array_member (o, "layers")), 1);

  img = cairo_image_surface_create_from_png (png);
  assert_int_equal (cairo_surface_status (img), CAIRO_STATUS_SUCCESS);
  assert_int_equal (cairo_image_surface_get_width (img), 300);
  for (int y = 0; y < 300; y++)
    for (int x = 0; x < 300; x++)
      {
        guint32 p = pixel (img, x, y);
        gboolean inside = x >= 100 && x < 200 && y >= 100 && y < 200;
        int red = (p >> 16) & 255, green = (p >> 8) & 255;

        non_white += p != 0xffffffffu;
        /* Protected areas are Okabe-Ito bluish green (#009e73) hatched over a tint. */
        if (x >= 103 && x < 197 && y >= 103 && y < 197)
          assert_true (green > red + 20);
        if (!inside && (x < 97 || x >= 203 || y < 97 || y >= 203))
          assert_int_equal (p, 0xffffffffu);
      }
  /* The square and its one-pixel outline. */
  assert_in_range (non_white, 100 * 100, 103 * 103);
  cairo_surface_destroy (img);
  test_rmtree (dir);
}

static void
test_render_decorations_and_home (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *proj = make_project (dir);
  g_autofree char *png = g_build_filename (dir, "map.png", NULL);
  g_auto(Run) r = { 0 }, again = { 0 }, over = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *o;
  JsonArray *extent;

  /* Without --extent the map shows the whole project: the square, centred, at
   * 0.1° / 400 px (the limiting side). */
  cli (&r, "render", proj, "--out", png, "--size", "600x400", "--json", NULL);
  assert_int_equal (r.status, 0);
  o = parse (r.out, &parser);
  extent = json_object_get_array_member (o, "extent");
  assert_true (fabs (json_array_get_double_element (extent, 1) + 1.0) < 1e-9);
  assert_true (fabs (json_array_get_double_element (extent, 3) + 0.9) < 1e-9);
  assert_true (fabs (json_array_get_double_element (extent, 0) - 28.975) < 1e-9);
  assert_true (json_object_get_boolean_member (o, "legend"));
  /* Never overwrites without being told. */
  cli (&again, "render", proj, "--out", png, NULL);
  assert_int_equal (again.status, 2);
  assert_non_null (strstr (again.err, "--overwrite"));
  cli (&over, "render", proj, "--out", png, "--overwrite", NULL);
  assert_int_equal (over.status, 0);
  test_rmtree (dir);
}

static void
test_render_bad_input (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *proj = make_project (dir);
  g_autofree char *png = g_build_filename (dir, "map.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "none.gpkg", NULL);
  g_autofree char *src = g_build_filename (dir, "aires.geojson", NULL);
  g_autofree char *moved = g_build_filename (dir, "moved.geojson", NULL);
  struct { const char *args[8]; int status; const char *says; } cases[] = {
    { { "render", proj, NULL }, 2, "--out" },
    { { "render", proj, "--out", png, "--extent", "1,2,3", NULL }, 2, "MINX,MINY,MAXX,MAXY" },
    { { "render", proj, "--out", png, "--extent", "5,5,1,1", NULL }, 2, "min < max" },
    { { "render", proj, "--out", png, "--extent", "layer:nope", NULL }, 2, "no layer “nope”" },
    { { "render", proj, "--out", png, "--extent", "zone:Z-9", NULL }, 2, "no zone “Z-9”" },
    { { "render", proj, "--out", png, "--size", "10x10", NULL }, 2, "--size" },
    { { "render", proj, "--out", png, "--hide", "nope", NULL }, 2, "no layer “nope”" },
    { { "render", missing, "--out", png, NULL }, 3, "none.gpkg" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) r = { 0 };
      const char **a = cases[i].args;
      cli (&r, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], NULL);
      if (r.status != cases[i].status || strstr (r.err, cases[i].says) == NULL)
        fail_msg ("case %u: exit %d, “%s”", i, r.status, r.err);
      /* Nothing is written on a refusal. */
      assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
    }

  /* The land-use layer is embedded in the project: moving its source changes nothing. A
   * layer that cannot be read is reported by name, the rest is still drawn, and the exit
   * status says there were findings. */
  assert_int_equal (g_rename (src, moved), 0);
  {
    g_auto(Run) ok = { 0 }, bad = { 0 };
    g_autofree char *cover = test_data_path ("data/classes-4x3.tif");
    g_autofree char *cover_copy = g_build_filename (dir, "cover.tif", NULL);
    g_autofree char *cover_moved = g_build_filename (dir, "cover-moved.tif", NULL);
    g_auto(Run) add = { 0 };

    cli (&ok, "render", proj, "--out", png, NULL);
    assert_int_equal (ok.status, 0);
    g_unlink (png);
    test_copy_file (cover, cover_copy);
    cli (&add, "project", "add-layer", proj, cover_copy, "--role", "landuse", "--name", "cover",
         NULL);
    assert_int_equal (add.status, 0);
    assert_int_equal (g_rename (cover_copy, cover_moved), 0);
    cli (&bad, "render", proj, "--out", png, NULL);
    assert_int_equal (bad.status, 1);
    assert_non_null (strstr (bad.err, "Layer “cover”"));
    assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  }
  test_rmtree (dir);
}

static void
test_render_demo (void **state)
{
  /* The bundled demo: every layer loads, the three candidate zones are labelled. */
  g_autofree char *demo = test_source_path ("sample-data/kivu-demo.gpkg");
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *png = g_build_filename (dir, "demo.png", NULL);
  g_auto(Run) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *o;
  JsonArray *layers;

  cli (&r, "render", demo, "--out", png, "--extent", "28.1,-3.2,29.5,-1.4", "--json", NULL);
  assert_int_equal (r.status, 0);
  o = parse (r.out, &parser);
  layers = json_object_get_array_member (o, "layers");
  /* Ten project layers and the zone register. */
  assert_int_equal (json_array_get_length (layers), 11);
  assert_int_equal (json_array_get_length (json_object_get_array_member (o, "problems")), 0);
  /* Bottom: the land-cover raster; top: the sites. */
  assert_string_equal (json_array_get_string_element (layers, 0), "landcover");
  assert_string_equal (json_array_get_string_element (layers, 10), "ipis_sites");
  assert_true (json_object_get_int_member (o, "labels") >= 3);
  test_rmtree (dir);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_render_styled_by_role),
    cmocka_unit_test (test_render_decorations_and_home),
    cmocka_unit_test (test_render_bad_input),
    cmocka_unit_test (test_render_demo),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
