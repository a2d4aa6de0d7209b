/* test-gis-render.c: styles, in-memory vector layers and the map renderer
 *
 * Frames are checked pixel by pixel against hand-computed expectations: the colour of a
 * filled square, the exact number of pixels whose centres fall inside it, the share of
 * a hatch, where a reprojected point lands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <cpl_conv.h>
#include <gdal.h>

#include "gis.h"
#include "gis-render-private.h"

/* Helpers */

static GisFeature *
feature_new (gint64 fid, const char *wkt, const char *value)
{
  GisFeature *f = g_new0 (GisFeature, 1);

  f->fid = fid;
  f->geometry = gis_geometry_new_from_wkt (wkt, NULL);
  assert_non_null (f->geometry);
  f->n_values = 1;
  f->values = g_new0 (char *, 2);
  f->values[0] = g_strdup (value);
  return f;
}

static GisVectorLayer *
layer_from_wkts (const char *const *wkts, const char *const *values, int epsg)
{
  g_autoptr(GPtrArray) features = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_feature_free);
  g_autoptr(GisCrs) crs = gis_crs_new_from_epsg (epsg, NULL);
  const char *fields[] = { "status", NULL };
  GisVectorLayer *layer;

  for (guint i = 0; wkts[i] != NULL; i++)
    g_ptr_array_add (features, feature_new (i + 1, wkts[i], values ? values[i] : "x"));
  layer = gis_vector_layer_new_from_features (features, fields, crs, NULL);
  assert_non_null (layer);
  return layer;
}

static GisSymbol
solid (guint32 rgb, double stroke_width)
{
  GisSymbol s = gis_symbol_default ((GisColor) { ((rgb >> 16) & 255) / 255.0,
                                                 ((rgb >> 8) & 255) / 255.0,
                                                 (rgb & 255) / 255.0, 1 });
  s.stroke_width = stroke_width;
  return s;
}

/* Renders one layer over a 100 × 100 map of 1 unit per pixel, (0,0)–(100,100). */
static cairo_surface_t *
render_one (GisVectorLayer *data, GisStyle *style, GisRenderStats *stats)
{
  g_autoptr(GisMapLayer) layer = gis_map_layer_new_vector ("t", data, style);
  g_autoptr(GisLayerSnapshot) snap = gis_map_layer_snapshot (layer);
  GisEnvelope e = { 0, 0, 100, 100 };
  g_autoptr(GisMapSettings) settings =
    gis_map_settings_new (gis_vector_layer_get_crs (data), &e, 100, 100, 1.0);
  g_autoptr(GError) error = NULL;
  cairo_surface_t *frame;

  gis_map_settings_add_layer (settings, snap);
  frame = gis_map_render (settings, NULL, stats, NULL, &error);
  assert_null (error);
  assert_non_null (frame);
  return frame;
}

static guint32
pixel (cairo_surface_t *s, int x, int y)
{
  cairo_surface_flush (s);
  return ((guint32 *) (gpointer) (cairo_image_surface_get_data (s) +
                                  (gsize) y * cairo_image_surface_get_stride (s)))[x];
}

static guint
count_pixels (cairo_surface_t *s, guint32 value)
{
  guint n = 0;
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      n += pixel (s, x, y) == value;
  return n;
}

#define WHITE 0xffffffffu
#define RED 0xffff0000u

/* Styles */

static void
test_style_json_round_trip (void **state)
{
  GisSymbol a = solid (0xe69f00, 0.6), b = solid (0x0072b2, 1.2);
  const char *active[] = { "active", "Actif", NULL };
  const char *expired[] = { "expired", NULL };
  g_autoptr(GisStyle) style = gis_style_new_categorized ("status", &a);
  g_autoptr(GisStyle) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  b.pattern = GIS_FILL_HATCH;
  b.dash = TRUE;
  gis_style_add_category (style, "Active", active, &a);
  gis_style_add_category (style, "Expired", expired, &b);
  gis_style_set_label_field (style, "code");
  node = gis_style_to_json (style);
  back = gis_style_new_from_json (node, &error);
  assert_null (error);
  assert_true (gis_style_equal (style, back));
  assert_int_equal (gis_style_classify (back, "Actif"), 0);
  assert_int_equal (gis_style_classify (back, "expired"), 1);
  assert_int_equal (gis_style_classify (back, "pending"), 2);
  assert_int_equal (gis_style_classify (back, NULL), 2);
  assert_string_equal (gis_style_get_label_field (back), "code");
  assert_int_equal (gis_style_get_symbol (back, 1)->pattern, GIS_FILL_HATCH);
  assert_true (gis_style_get_symbol (back, 1)->dash);
}

static void
test_style_graduated (void **state)
{
  GisSymbol s = solid (0x440154, 0);
  g_autoptr(GisStyle) style = gis_style_new_graduated ("ha", &s);

  gis_style_add_range (style, "0–10", 0, 10, &s);
  gis_style_add_range (style, "10–50", 10, 50, &s);
  assert_int_equal (gis_style_classify (style, "0"), 0);
  assert_int_equal (gis_style_classify (style, "9.99"), 0);
  assert_int_equal (gis_style_classify (style, "10"), 1);
  assert_int_equal (gis_style_classify (style, "50"), 1);   /* the last range is closed */
  assert_int_equal (gis_style_classify (style, "50.1"), 2);
  assert_int_equal (gis_style_classify (style, "-1"), 2);
  assert_int_equal (gis_style_classify (style, "abc"), 2);
  assert_int_equal (gis_style_classify (style, "12abc"), 2);
}

static void
test_style_bad_json (void **state)
{
  const char *cases[][2] = {
    { "[]", "not a JSON object" },
    { "{\"kind\":\"pie\"}", "unknown kind" },
    { "{\"kind\":\"single\",\"other\":{\"fill\":\"red\",\"stroke\":\"#000000\","
      "\"stroke_width\":1,\"marker_size\":4}}", "“fill” must be a colour" },
    { "{\"kind\":\"single\",\"other\":{\"fill\":\"#ff0000\",\"stroke\":\"#000000\","
      "\"stroke_width\":-1,\"marker_size\":4}}", "“stroke_width” is -1" },
    { "{\"kind\":\"single\",\"other\":{\"fill\":\"#ff0000\",\"stroke\":\"#000000\","
      "\"stroke_width\":1,\"marker_size\":4,\"pattern\":\"plaid\"}}", "unknown fill pattern" },
    { "{\"kind\":\"categorized\",\"other\":{\"fill\":\"#ff0000\",\"stroke\":\"#000000\","
      "\"stroke_width\":1,\"marker_size\":4}}", "needs a field" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (cases[i][0], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GisStyle) style = NULL;

      assert_non_null (node);
      style = gis_style_new_from_json (node, &error);
      assert_null (style);
      assert_non_null (error);
      if (strstr (error->message, cases[i][1]) == NULL)
        fail_msg ("case %u: “%s” lacks “%s”", i, error->message, cases[i][1]);
    }
}

static void
test_palettes (void **state)
{
  GisColor c = gis_palette_okabe_ito (0), v0 = gis_palette_viridis (0),
           v1 = gis_palette_viridis (1), vm = gis_palette_viridis (0.5);
  g_autofree char *o = gis_color_to_string (&c);
  g_autofree char *s0 = gis_color_to_string (&v0);
  g_autofree char *s1 = gis_color_to_string (&v1);
  g_autofree char *sm = gis_color_to_string (&vm);

  assert_string_equal (o, "#e69f00");
  assert_string_equal (s0, "#440154");
  assert_string_equal (s1, "#fde725");
  assert_string_equal (sm, "#21918c");
  /* The cycle has seven hues and repeats. */
  c = gis_palette_okabe_ito (7);
  g_free (o);
  o = gis_color_to_string (&c);
  assert_string_equal (o, "#e69f00");
}

/* Vector layers */

static void
test_vector_layer_pick_and_geometry (void **state)
{
  /* A square with a square hole, given clockwise: stored counter-clockwise. */
  const char *wkts[] = {
    "POLYGON((10 10,10 90,90 90,90 10,10 10),(40 40,60 40,60 60,40 60,40 40))",
    "LINESTRING(0 0,100 100)",
    "POINT(95 5)",
    NULL,
  };
  g_autoptr(GisVectorLayer) layer = layer_from_wkts (wkts, NULL, 32735);
  g_autoptr(GisGeometry) g = NULL;
  g_autoptr(GisGeometry) expected = NULL;
  guint hit, square = G_MAXUINT, line = G_MAXUINT, point = G_MAXUINT;
  GisEnvelope e;

  assert_int_equal (gis_vector_layer_get_n_features (layer), 3);
  assert_int_equal (gis_vector_layer_get_shape_kind (layer), GIS_SHAPE_MIXED);
  /* Features are stored in spatial order; find them by fid. */
  for (guint i = 0; i < 3; i++)
    switch (gis_vector_layer_get_fid (layer, i))
      {
      case 1: square = i; break;
      case 2: line = i; break;
      case 3: point = i; break;
      default: fail ();
      }
  gis_vector_layer_get_extent (layer, &e);
  assert_true (e.min_x == 0 && e.min_y == 0 && e.max_x == 100 && e.max_y == 100);

  assert_true (gis_vector_layer_pick (layer, 20, 80, 0.5, &hit));
  assert_int_equal (hit, square);
  /* In the hole, only the diagonal line is near. */
  assert_true (gis_vector_layer_pick (layer, 50.2, 50, 0.5, &hit));
  assert_int_equal (hit, line);
  assert_false (gis_vector_layer_pick (layer, 45, 55, 0.5, &hit));
  assert_true (gis_vector_layer_pick (layer, 95.3, 5.4, 1, &hit));
  assert_int_equal (hit, point);
  assert_false (gis_vector_layer_pick (layer, 97, 95, 1, &hit));

  g = gis_vector_layer_dup_geometry (layer, square);
  expected = gis_geometry_new_from_wkt (
    "POLYGON((10 10,90 10,90 90,10 90,10 10),(40 40,40 60,60 60,60 40,40 40))", NULL);
  assert_true (gis_geometry_equal_exact (g, expected));
  assert_string_equal (gis_vector_layer_get_value (layer, square, 0), "x");
}

static void
test_vector_layer_reprojects (void **state)
{
  /* TRUST.md's golden: 12° N, 1° W is 717758.85 E, 1327344.06 N in UTM 30N. */
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "p.geojson", NULL);
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisVectorLayer) layer = NULL;
  g_autoptr(GisCrs) utm = gis_crs_new_from_epsg (32630, NULL);
  g_autoptr(GError) error = NULL;
  GisEnvelope e;

  g_file_set_contents (path,
                       "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                       "\"properties\":{\"name\":\"a\"},\"geometry\":{\"type\":\"Point\","
                       "\"coordinates\":[-1,12]}}]}", -1, NULL);
  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_non_null (ds);
  layer = gis_vector_layer_load (ds, NULL, utm, NULL, NULL, NULL, &error);
  assert_null (error);
  gis_vector_layer_get_extent (layer, &e);
  assert_true (fabs (e.min_x - 717758.85) < 0.01);
  assert_true (fabs (e.min_y - 1327344.06) < 0.01);
  assert_string_equal (gis_vector_layer_get_value (layer, 0, 0), "a");
  g_clear_object (&ds);
  test_rmtree (dir);
}

static void
test_vector_layer_refuses_missing_crs (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "nocrs.csv", NULL);
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisVectorLayer) layer = NULL;
  g_autoptr(GError) error = NULL;

  /* A CSV of plain x/y columns carries no CRS; it is not guessed. */
  g_file_set_contents (path, "id,x,y\n1,10,20\n", -1, NULL);
  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  assert_non_null (ds);
  layer = gis_vector_layer_load (ds, NULL, NULL, NULL, NULL, NULL, &error);
  assert_null (layer);
  assert_non_null (error);
  assert_non_null (strstr (error->message, "nocrs.csv"));
  g_clear_object (&ds);
  test_rmtree (dir);
}

/* Rendering */

static void
test_render_solid_squares (void **state)
{
  /* A 20-pixel square (drawn by the direct scan converter) and a 60-pixel square with a
   * 20-pixel hole (drawn by cairo). Edges on pixel boundaries: the counts are exact. */
  const char *wkts[] = {
    "POLYGON((5 5,25 5,25 25,5 25,5 5))",
    "POLYGON((30 30,90 30,90 90,30 90,30 30),(50 50,70 50,70 70,50 70,50 50))",
    NULL,
  };
  g_autoptr(GisVectorLayer) data = layer_from_wkts (wkts, NULL, 32735);
  GisSymbol s = solid (0xff0000, 0);
  g_autoptr(GisStyle) style = gis_style_new_single (&s);
  GisRenderStats stats;
  cairo_surface_t *frame = render_one (data, style, &stats);

  assert_int_equal (cairo_image_surface_get_width (frame), 100);
  assert_int_equal (count_pixels (frame, RED), 20 * 20 + 60 * 60 - 20 * 20);
  /* Map y grows up, pixel y down: (15, 15) on the map is pixel (15, 84). */
  assert_int_equal (pixel (frame, 15, 84), RED);
  assert_int_equal (pixel (frame, 60, 39), WHITE);  /* the hole */
  assert_int_equal (pixel (frame, 2, 2), WHITE);
  assert_int_equal (stats.n_drawn, 1);
  assert_int_equal (stats.n_features, 2);
  cairo_surface_destroy (frame);
}

static void
test_render_tiny_features_are_pixels (void **state)
{
  /* Features under two pixels are one pixel each, inked by how much of it they cover: a
   * 0.6-unit square inks 0.75 × 0.36 of its pixel, raised to the floor of 35 %; a 0.8-unit
   * triangle's box 0.75 × 0.64 = 48 %. Over white: G = B = 255 × (1 − ink). */
  const char *wkts[] = {
    "POLYGON((10.2 10.2,10.8 10.2,10.8 10.8,10.2 10.8,10.2 10.2))",
    "POLYGON((70.1 20.1,70.9 20.1,70.5 20.9,70.1 20.1))",
    NULL,
  };
  g_autoptr(GisVectorLayer) data = layer_from_wkts (wkts, NULL, 32735);
  GisSymbol s = solid (0xff0000, 0);
  g_autoptr(GisStyle) style = gis_style_new_single (&s);
  GisRenderStats stats;
  cairo_surface_t *frame = render_one (data, style, &stats);
  guint32 a, b;

  assert_int_equal (stats.n_pixels, 2);
  assert_int_equal (count_pixels (frame, WHITE), 100 * 100 - 2);
  a = pixel (frame, 10, 89);
  b = pixel (frame, 70, 79);
  assert_int_equal ((a >> 16) & 255, 255);
  assert_in_range (a & 255, 163, 168);           /* 255 × 0.65 = 165.75 */
  assert_int_equal ((b >> 16) & 255, 255);
  assert_in_range (b & 255, 130, 135);           /* 255 × 0.52 = 132.6 */
  cairo_surface_destroy (frame);
}

static void
test_render_hatch (void **state)
{
  /* A 40-pixel square with a diagonal hatch of period 8 and width 1: pixels with
   * (x + y) mod 8 = 0 carry the colour, 1,600 / 8 = 200 of them; the others a 22 % tint. */
  const char *wkts[] = { "POLYGON((10 10,50 10,50 50,10 50,10 10))", NULL };
  g_autoptr(GisVectorLayer) data = layer_from_wkts (wkts, NULL, 32735);
  GisSymbol s = solid (0xff0000, 0);
  g_autoptr(GisStyle) style = NULL;
  cairo_surface_t *frame;
  guint tinted;

  s.pattern = GIS_FILL_HATCH;
  style = gis_style_new_single (&s);
  frame = render_one (data, style, NULL);
  assert_int_equal (count_pixels (frame, RED), 200);
  /* 22 % red over white: R = 255, G = B = round(255 × 0.78) = 199. */
  tinted = count_pixels (frame, 0xffffc7c7u);
  assert_int_equal (tinted, 1600 - 200);
  cairo_surface_destroy (frame);
}

static void
test_render_categories_and_order (void **state)
{
  /* Two overlapping squares: the category listed second is drawn on top, whatever the
   * order of the features. */
  const char *wkts[] = {
    "POLYGON((10 10,40 10,40 40,10 40,10 10))",
    "POLYGON((20 20,50 20,50 50,20 50,20 20))",
    NULL,
  };
  const char *values[] = { "designated", "proposed", NULL };
  const char *designated[] = { "designated", NULL }, *proposed[] = { "proposed", NULL };
  g_autoptr(GisVectorLayer) data = layer_from_wkts (wkts, values, 32735);
  GisSymbol grey = solid (0x808080, 0), red = solid (0xff0000, 0), blue = solid (0x0000ff, 0);
  g_autoptr(GisStyle) style = gis_style_new_categorized ("status", &grey);
  cairo_surface_t *frame;

  gis_style_add_category (style, "Proposed", proposed, &red);
  gis_style_add_category (style, "Designated", designated, &blue);
  frame = render_one (data, style, NULL);
  /* The overlap (20..40)² is blue: designated comes second. */
  assert_int_equal (pixel (frame, 30, 69), 0xff0000ffu);
  assert_int_equal (count_pixels (frame, 0xff0000ffu), 30 * 30);
  assert_int_equal (count_pixels (frame, RED), 30 * 30 - 20 * 20);
  cairo_surface_destroy (frame);
}

static void
test_render_classes_worked_out_with_the_layer (void **state)
{
  /* A layer made with a categorized style has its features' classes at hand before its
   * first frame (the app makes layers in the worker that loads them); a style set later
   * is classified by the next frame. The same pixels either way. */
  const char *wkts[] = {
    "POLYGON((10 10,40 10,40 40,10 40,10 10))",
    "POLYGON((20 20,50 20,50 50,20 50,20 20))",
    "POLYGON((60 60,64 60,64 64,60 64,60 60))",
    NULL,
  };
  const char *values[] = { "designated", "proposed", "designated", NULL };
  const char *designated[] = { "designated", NULL }, *proposed[] = { "proposed", NULL };
  g_autoptr(GisVectorLayer) data = layer_from_wkts (wkts, values, 32735);
  g_autoptr(GisVectorLayer) later = layer_from_wkts (wkts, values, 32735);
  GisSymbol grey = solid (0x808080, 0), red = solid (0xff0000, 0.5), blue = solid (0x0000ff, 0);
  g_autoptr(GisStyle) style = gis_style_new_categorized ("status", &grey);
  g_autoptr(GisStyle) plain = gis_style_new_single (&grey);
  g_autoptr(GisMapLayer) layer = NULL;
  g_autoptr(GisMapLayer) restyled = NULL;
  GisEnvelope e = { 0, 0, 100, 100 };
  cairo_surface_t *frames[2];

  gis_style_add_category (style, "Proposed", proposed, &red);
  gis_style_add_category (style, "Designated", designated, &blue);
  layer = gis_map_layer_new_vector ("t", data, style);
  assert_true (_gis_vector_layer_is_classified (data, style));
  restyled = gis_map_layer_new_vector ("t", later, plain);
  assert_false (_gis_vector_layer_is_classified (later, style));
  gis_map_layer_set_style (restyled, style);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GisLayerSnapshot) snap = gis_map_layer_snapshot (i == 0 ? layer : restyled);
      g_autoptr(GisMapSettings) settings = gis_map_settings_new (gis_vector_layer_get_crs (data),
                                                                 &e, 100, 100, 1.0);
      gis_map_settings_add_layer (settings, snap);
      frames[i] = gis_map_render (settings, NULL, NULL, NULL, NULL);
      assert_non_null (frames[i]);
      cairo_surface_flush (frames[i]);
    }
  assert_true (_gis_vector_layer_is_classified (later, style));
  assert_memory_equal (cairo_image_surface_get_data (frames[0]),
                       cairo_image_surface_get_data (frames[1]), 100 * 100 * 4);
  assert_int_equal (count_pixels (frames[0], 0xff0000ffu), 30 * 30 + 4 * 4);
  cairo_surface_destroy (frames[0]);
  cairo_surface_destroy (frames[1]);
}

static void
test_render_outline_darkens_edges (void **state)
{
  /* With a black outline, the square's edge pixels are darker than its inside, and
   * pixels just outside stay white. */
  const char *wkts[] = { "POLYGON((10 10,30 10,30 30,10 30,10 10))", NULL };
  g_autoptr(GisVectorLayer) data = layer_from_wkts (wkts, NULL, 32735);
  GisSymbol s = solid (0xff0000, 1.0);
  g_autoptr(GisStyle) style = NULL;
  cairo_surface_t *frame;
  guint32 edge;

  s.stroke = (GisColor) { 0, 0, 0, 1 };
  style = gis_style_new_single (&s);
  frame = render_one (data, style, NULL);
  assert_int_equal (pixel (frame, 20, 79), RED);
  edge = pixel (frame, 20, 70);   /* the top edge runs through row 70 */
  assert_true (((edge >> 16) & 255) < 200);
  assert_int_equal (pixel (frame, 20, 67), WHITE);
  cairo_surface_destroy (frame);
}

static void
test_render_mid_size_features_in_order (void **state)
{
  /* Two overlapping 60-pixel squares with outlines, in one class: each is filled and
   * outlined in turn, so the one drawn second hides the outline of the first where they
   * overlap, and its own outline shows over the first's fill. */
  const char *wkts[] = {
    "POLYGON((10 10,70 10,70 70,10 70,10 10))",
    "POLYGON((30 30,90 30,90 90,30 90,30 30))",
    NULL,
  };
  g_autoptr(GisVectorLayer) data = layer_from_wkts (wkts, NULL, 32735);
  GisSymbol s = solid (0xff0000, 1.0);
  g_autoptr(GisStyle) style = NULL;
  cairo_surface_t *frame;
  gboolean a_first;
  int hidden_x, shown_x;

  s.stroke = (GisColor) { 0, 0, 0, 1 };
  style = gis_style_new_single (&s);
  frame = render_one (data, style, NULL);
  /* Features are drawn in the order the layer stores them. */
  a_first = gis_vector_layer_get_fid (data, 0) == 1;
  hidden_x = a_first ? 70 : 30;    /* the first square's edge, inside the second */
  shown_x = a_first ? 30 : 70;     /* the second square's edge, inside the first */
  for (int y = 40; y < 60; y++)
    {
      assert_int_equal (pixel (frame, hidden_x - 1, y), RED);
      assert_int_equal (pixel (frame, hidden_x, y), RED);
      assert_true (((pixel (frame, shown_x, y) >> 16) & 255) < 200);
    }
  cairo_surface_destroy (frame);
}

static void
test_render_cache_and_cancel (void **state)
{
  const char *wkts[] = { "POLYGON((5 5,25 5,25 25,5 25,5 5))", NULL };
  g_autoptr(GisVectorLayer) data = layer_from_wkts (wkts, NULL, 32735);
  GisSymbol s = solid (0xff0000, 0), t = solid (0x00ff00, 0);
  g_autoptr(GisStyle) red = gis_style_new_single (&s);
  g_autoptr(GisStyle) green = gis_style_new_single (&t);
  g_autoptr(GisMapLayer) layer = gis_map_layer_new_vector ("t", data, red);
  g_autoptr(GisRenderCache) cache = gis_render_cache_new (64 * 1024 * 1024);
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  GisEnvelope e = { 0, 0, 100, 100 };
  GisRenderStats stats;
  g_autoptr(GError) error = NULL;

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(GisLayerSnapshot) snap = NULL;
      g_autoptr(GisMapSettings) settings = gis_map_settings_new (gis_vector_layer_get_crs (data),
                                                                 &e, 100, 100, 1.0);
      cairo_surface_t *frame;

      if (round == 2)
        gis_map_layer_set_style (layer, green);
      snap = gis_map_layer_snapshot (layer);
      gis_map_settings_add_layer (settings, snap);
      frame = gis_map_render (settings, cache, &stats, NULL, &error);
      assert_non_null (frame);
      /* Round 1 reuses round 0's image; a new style is drawn anew. */
      assert_int_equal (stats.n_cached, round == 1 ? 1 : 0);
      assert_int_equal (stats.n_drawn, round == 1 ? 0 : 1);
      assert_int_equal (count_pixels (frame, round == 2 ? 0xff00ff00u : RED), 400);
      cairo_surface_destroy (frame);
    }
  assert_true (gis_render_cache_get_size (cache) > 0);

  {
    g_autoptr(GisLayerSnapshot) snap = gis_map_layer_snapshot (layer);
    g_autoptr(GisMapSettings) settings = gis_map_settings_new (gis_vector_layer_get_crs (data),
                                                               &e, 100, 100, 1.0);
    gis_map_settings_add_layer (settings, snap);
    gis_render_cache_clear (cache);
    g_cancellable_cancel (cancel);
    assert_null (gis_map_render (settings, cache, NULL, cancel, &error));
    assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  }
}

static void
test_render_labels_avoid_collisions (void **state)
{
  /* Two points 3 px apart: one label fits, the other would overlap it and is dropped;
   * a point far away gets its own. */
  const char *wkts[] = { "POINT(20 50)", "POINT(20 47)", "POINT(20 10)", NULL };
  const char *values[] = { "Z-0001", "Z-0002", "Z-0003", NULL };
  g_autoptr(GisVectorLayer) data = layer_from_wkts (wkts, values, 32735);
  GisSymbol s = solid (0xff0000, 0);
  g_autoptr(GisStyle) style = gis_style_new_single (&s);
  GisRenderStats stats;
  cairo_surface_t *frame;

  gis_style_set_label_field (style, "status");
  frame = render_one (data, style, &stats);
  assert_int_equal (stats.n_labels, 2);
  assert_int_equal (stats.n_labels_dropped, 1);
  cairo_surface_destroy (frame);
}

static void
test_render_raster_categories (void **state)
{
  /* A 4 × 4 Byte raster, pixel values 0..3 by column, 0 is nodata; categories colour 1
   * red, 2 blue; 3 falls to "other" (grey). Rendered at 25 px per raster pixel. */
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "r.tif", NULL);
  GDALDriverH drv;
  GDALDatasetH ds;
  double gt[6] = { 0, 25, 0, 100, 0, -25 };
  guint8 values[16];
  g_autoptr(GisRaster) raster = NULL;
  g_autoptr(GisMapLayer) layer = NULL;
  g_autoptr(GisLayerSnapshot) snap = NULL;
  g_autoptr(GisMapSettings) settings = NULL;
  GisSymbol grey = solid (0x808080, 0), red = solid (0xff0000, 0), blue = solid (0x0000ff, 0);
  g_autoptr(GisStyle) style = gis_style_new_categorized ("value", &grey);
  const char *one[] = { "1", NULL }, *two[] = { "2", NULL };
  g_autoptr(GError) error = NULL;
  cairo_surface_t *frame;
  GisEnvelope e = { 0, 0, 100, 100 };

  gis_init ();
  for (guint i = 0; i < 16; i++)
    values[i] = (guint8) (i % 4);
  drv = GDALGetDriverByName ("GTiff");
  ds = GDALCreate (drv, path, 4, 4, 1, GDT_Byte, NULL);
  GDALSetGeoTransform (ds, gt);
  {
    g_autoptr(GisCrs) crs = gis_crs_new_from_epsg (32735, NULL);
    GDALSetProjection (ds, gis_crs_get_wkt (crs));
  }
  GDALSetRasterNoDataValue (GDALGetRasterBand (ds, 1), 0);
  assert_int_equal (GDALRasterIO (GDALGetRasterBand (ds, 1), GF_Write, 0, 0, 4, 4, values, 4, 4,
                                  GDT_Byte, 0, 0), CE_None);
  GDALClose (ds);

  gis_style_add_category (style, "one", one, &red);
  gis_style_add_category (style, "two", two, &blue);
  raster = gis_raster_open (path, &error);
  assert_non_null (raster);
  layer = gis_map_layer_new_raster ("r", raster, style);
  snap = gis_map_layer_snapshot (layer);
  settings = gis_map_settings_new (gis_raster_get_crs (raster), &e, 100, 100, 1.0);
  gis_map_settings_add_layer (settings, snap);
  frame = gis_map_render (settings, NULL, NULL, NULL, &error);
  assert_non_null (frame);
  assert_int_equal (count_pixels (frame, WHITE), 25 * 100);   /* nodata column */
  assert_int_equal (count_pixels (frame, RED), 25 * 100);
  assert_int_equal (count_pixels (frame, 0xff0000ffu), 25 * 100);
  assert_int_equal (count_pixels (frame, 0xff808080u), 25 * 100);
  assert_int_equal (pixel (frame, 30, 50), RED);
  cairo_surface_destroy (frame);
  g_clear_pointer (&snap, gis_layer_snapshot_unref);
  g_clear_pointer (&settings, gis_map_settings_unref);
  g_clear_object (&layer);
  g_clear_object (&raster);
  test_rmtree (dir);
}

static void
test_png_written_atomically (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "map.png", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "map.png", NULL);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 8, 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = NULL;
  guint n = 0;

  assert_true (gis_surface_write_png (s, path, &error));
  assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  assert_false (gis_surface_write_png (s, bad, &error));
  assert_non_null (error);
  /* Nothing but the finished file is left in the folder. */
  d = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (d) != NULL)
    n++;
  assert_int_equal (n, 1);
  cairo_surface_destroy (s);
  test_rmtree (dir);
}

static void
test_render_partial_views (void **state)
{
  /* Squares across a 1 km layer, seen through two windows of it at 1 unit per pixel: a
   * small one (under 10 % of the layer: the index picks the features) and a large one
   * (the envelopes are walked). Each shows exactly the squares inside it. */
  const char *wkts[] = {
    "POLYGON((10 10,30 10,30 30,10 30,10 10))",
    "POLYGON((500 500,520 500,520 520,500 520,500 500))",
    "POLYGON((90 40,130 40,130 80,90 80,90 40))",     /* 10 of its 40 columns in view A */
    "POLYGON((980 980,1000 980,1000 1000,980 1000,980 980))",
    NULL,
  };
  g_autoptr(GisVectorLayer) data = layer_from_wkts (wkts, NULL, 32735);
  GisSymbol s = solid (0xff0000, 0);
  g_autoptr(GisStyle) style = gis_style_new_single (&s);
  g_autoptr(GisMapLayer) layer = gis_map_layer_new_vector ("t", data, style);
  g_autoptr(GisLayerSnapshot) snap = gis_map_layer_snapshot (layer);
  GisEnvelope a = { 0, 0, 100, 100 }, b = { 0, 0, 600, 600 };
  g_autoptr(GisMapSettings) sa = gis_map_settings_new (gis_vector_layer_get_crs (data), &a, 100,
                                                       100, 1.0);
  g_autoptr(GisMapSettings) sb = gis_map_settings_new (gis_vector_layer_get_crs (data), &b, 600,
                                                       600, 1.0);
  cairo_surface_t *frame;

  gis_map_settings_add_layer (sa, snap);
  gis_map_settings_add_layer (sb, snap);
  frame = gis_map_render (sa, NULL, NULL, NULL, NULL);
  assert_int_equal (count_pixels (frame, RED), 20 * 20 + 10 * 40);
  cairo_surface_destroy (frame);
  frame = gis_map_render (sb, NULL, NULL, NULL, NULL);
  assert_int_equal (count_pixels (frame, RED), 20 * 20 + 20 * 20 + 40 * 40);
  cairo_surface_destroy (frame);
}

static void
test_render_cache_keeps_two_views (void **state)
{
  /* Panning leaves old views behind: a layer keeps its last two in the cache, so going
   * back one view is free and going back two is drawn again. */
  const char *wkts[] = { "POLYGON((5 5,25 5,25 25,5 25,5 5))", NULL };
  g_autoptr(GisVectorLayer) data = layer_from_wkts (wkts, NULL, 32735);
  GisSymbol s = solid (0xff0000, 0);
  g_autoptr(GisStyle) style = gis_style_new_single (&s);
  g_autoptr(GisMapLayer) layer = gis_map_layer_new_vector ("t", data, style);
  g_autoptr(GisLayerSnapshot) snap = gis_map_layer_snapshot (layer);
  g_autoptr(GisRenderCache) cache = gis_render_cache_new (64 * 1024 * 1024);
  const double centers[] = { 50, 60, 70, 60, 50 };
  const guint cached[] = { 0, 0, 0, 1, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (centers); i++)
    {
      g_autoptr(GisMapSettings) settings = gis_map_settings_new_centered (
        gis_vector_layer_get_crs (data), centers[i], 50, 1.0, 100, 100, 1.0);
      GisRenderStats stats;
      cairo_surface_t *frame;

      gis_map_settings_add_layer (settings, snap);
      frame = gis_map_render (settings, cache, &stats, NULL, NULL);
      assert_non_null (frame);
      if (stats.n_cached != cached[i])
        fail_msg ("view %u: %u layers from the cache, expected %u", i, stats.n_cached, cached[i]);
      cairo_surface_destroy (frame);
    }
}

static void
test_envelope_text (void **state)
{
  GisEnvelope e = { 717758.85, 1327344.06, 720000.125, 1330000.1 }, back;
  g_autofree char *text = gis_envelope_to_string (&e);
  const char *bad[] = { "1,2,3", "5,5,1,1", "1,2,3,x", "1,2,3,nan", "1,2,3,4,5", "", NULL };

  assert_string_equal (text, "717758.84999999998,1327344.0600000001,720000.125,1330000.1000000001");
  assert_true (gis_envelope_parse (text, &back));
  assert_memory_equal (&back, &e, sizeof e);
  assert_true (gis_envelope_parse (" 28.1, -3.2 ,29.5,-1.4", &back));
  assert_true (back.min_x == 28.1 && back.min_y == -3.2 && back.max_x == 29.5 && back.max_y == -1.4);
  for (guint i = 0; bad[i] != NULL; i++)
    if (gis_envelope_parse (bad[i], &back))
      fail_msg ("“%s” was read as an envelope", bad[i]);
  assert_false (gis_envelope_parse (NULL, &back));
}

/* Golden image */

static GisMapLayer *
golden_layer (const char *title, GPtrArray *wkts, GPtrArray *values, GisStyle *style)
{
  g_autoptr(GisVectorLayer) data = NULL;

  g_ptr_array_add (wkts, NULL);
  g_ptr_array_add (values, NULL);
  data = layer_from_wkts ((const char *const *) wkts->pdata, (const char *const *) values->pdata,
                          32735);
  return gis_map_layer_new_vector (title, data, style);
}

static GisMapSettings *
golden_settings (void)
{
  /* A 4 × 3 km scene in UTM 35S, 10 m per pixel: large land-use polygons (cairo, patterns),
   * 300 small titles (the direct scan converter), sub-pixel features, rivers and sites. */
  GRand *rand = g_rand_new_with_seed (20261126);
  g_autoptr(GPtrArray) lu = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) lu_v = g_ptr_array_new ();
  g_autoptr(GPtrArray) small = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) small_v = g_ptr_array_new ();
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) lines_v = g_ptr_array_new ();
  g_autoptr(GPtrArray) pts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) pts_v = g_ptr_array_new ();
  const double X = 500000, Y = 8500000;
  const char *protect[] = { "protected", NULL }, *farm[] = { "farm", NULL };
  const char *gold[] = { "gold", NULL }, *tin[] = { "tin", NULL };
  GisSymbol base = gis_symbol_default ((GisColor) { 0.9, 0.9, 0.9, 1 });
  GisSymbol green = gis_symbol_default (gis_palette_okabe_ito (2));
  GisSymbol yellow = gis_symbol_default (gis_palette_okabe_ito (3));
  GisSymbol title = gis_symbol_default (gis_palette_okabe_ito (5));
  GisSymbol river = gis_symbol_default (gis_palette_okabe_ito (4));
  GisSymbol orange = gis_symbol_default (gis_palette_okabe_ito (0));
  GisSymbol blue = gis_symbol_default (gis_palette_okabe_ito (1));
  g_autoptr(GisStyle) lu_style = gis_style_new_categorized ("status", &base);
  g_autoptr(GisStyle) small_style = NULL;
  g_autoptr(GisStyle) line_style = NULL;
  g_autoptr(GisStyle) pt_style = gis_style_new_categorized ("status", &base);
  g_autoptr(GisCrs) crs = gis_crs_new_from_epsg (32735, NULL);
  GisEnvelope e = { X, Y, X + 4000, Y + 3000 };
  g_autoptr(GisMapSettings) settings = gis_map_settings_new (crs, &e, 400, 300, 1.0);
  GisMapLayer *layers[4];

  green.pattern = GIS_FILL_CROSS_HATCH;
  yellow.fill.a = 0.5;
  title.pattern = GIS_FILL_HATCH;
  title.stroke_width = 0.8;
  river.stroke_width = 1.3;
  orange.marker_size = blue.marker_size = 7;
  orange.stroke = blue.stroke = (GisColor) { 1, 1, 1, 1 };
  gis_style_add_category (lu_style, "farm", farm, &yellow);
  gis_style_add_category (lu_style, "protected", protect, &green);
  gis_style_add_category (pt_style, "gold", gold, &orange);
  gis_style_add_category (pt_style, "tin", tin, &blue);
  small_style = gis_style_new_single (&title);
  line_style = gis_style_new_single (&river);

  g_ptr_array_add (lu, g_strdup_printf ("POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f),"
                                        "(%f %f,%f %f,%f %f,%f %f,%f %f))",
                                        X + 200, Y + 200, X + 2200, Y + 300, X + 2000, Y + 2500,
                                        X + 300, Y + 2700, X + 200, Y + 200, X + 800, Y + 800,
                                        X + 800, Y + 1400, X + 1400, Y + 1400, X + 1400, Y + 800,
                                        X + 800, Y + 800));
  g_ptr_array_add (lu_v, "protected");
  g_ptr_array_add (lu, g_strdup_printf ("POLYGON((%f %f,%f %f,%f %f,%f %f))", X + 1800, Y + 1000,
                                        X + 3900, Y + 1200, X + 3600, Y + 2900, X + 1800, Y + 1000));
  g_ptr_array_add (lu_v, "farm");
  for (int i = 0; i < 300; i++)
    {
      double cx = X + g_rand_double_range (rand, 100, 3900), cy = Y + g_rand_double_range (rand, 100, 2900);
      double r = i < 60 ? 6 : g_rand_double_range (rand, 20, 120);
      g_ptr_array_add (small, g_strdup_printf ("POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))",
                                               cx - r, cy - r, cx + r, cy - r * 0.6, cx + r * 0.8,
                                               cy + r, cx - r * 0.7, cy + r * 0.9, cx - r, cy - r));
      g_ptr_array_add (small_v, "x");
    }
  g_ptr_array_add (lines, g_strdup_printf ("LINESTRING(%f %f,%f %f,%f %f,%f %f)", X, Y + 1500,
                                           X + 1200, Y + 1700, X + 2500, Y + 1300, X + 4000, Y + 1900));
  g_ptr_array_add (lines_v, "x");
  for (int i = 0; i < 40; i++)
    {
      g_ptr_array_add (pts, g_strdup_printf ("POINT(%f %f)", X + g_rand_double_range (rand, 0, 4000),
                                             Y + g_rand_double_range (rand, 0, 3000)));
      g_ptr_array_add (pts_v, i % 3 ? "gold" : "tin");
    }
  layers[0] = golden_layer ("landuse", lu, lu_v, lu_style);
  layers[1] = golden_layer ("titles", small, small_v, small_style);
  layers[2] = golden_layer ("rivers", lines, lines_v, line_style);
  layers[3] = golden_layer ("sites", pts, pts_v, pt_style);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GisLayerSnapshot) snap = gis_map_layer_snapshot (layers[i]);
      gis_map_settings_add_layer (settings, snap);
      g_object_unref (layers[i]);
    }
  gis_map_settings_set_labels (settings, FALSE);
  g_rand_free (rand);
  return g_steal_pointer (&settings);
}

static cairo_surface_t *
golden_scene (void)
{
  g_autoptr(GisMapSettings) settings = golden_settings ();

  return gis_map_render (settings, NULL, NULL, NULL, NULL);
}

static void
test_render_composited_by_bands_as_by_cairo (void **state)
{
  /* Drawn now, each vector layer is composited into the frame by the threads that draw
   * it, through an image of its own for the cache or, with no cache, through a band-sized
   * buffer; taken from the cache, by cairo. The same frame every way, bit for bit. */
  g_autoptr(GisMapSettings) settings = golden_settings ();
  g_autoptr(GisRenderCache) cache = gis_render_cache_new (64 * 1024 * 1024);
  GisRenderStats stats;
  cairo_surface_t *drawn = gis_map_render (settings, cache, &stats, NULL, NULL);
  cairo_surface_t *frames[2];
  gsize size = (gsize) cairo_image_surface_get_stride (drawn) *
               cairo_image_surface_get_height (drawn);

  assert_int_equal (stats.n_drawn, 4);
  frames[0] = gis_map_render (settings, cache, &stats, NULL, NULL);
  assert_int_equal (stats.n_cached, 4);
  frames[1] = gis_map_render (settings, NULL, &stats, NULL, NULL);
  assert_int_equal (stats.n_drawn, 4);
  cairo_surface_flush (drawn);
  for (guint i = 0; i < 2; i++)
    {
      cairo_surface_flush (frames[i]);
      assert_memory_equal (cairo_image_surface_get_data (drawn),
                           cairo_image_surface_get_data (frames[i]), size);
      cairo_surface_destroy (frames[i]);
    }
  cairo_surface_destroy (drawn);
}

static void
test_render_golden (void **state)
{
  /* Compared with a committed image, with a tolerance for rounding: at most 0.5 % of the
   * pixels may differ by more than 24 levels in a channel. PLACER_UPDATE_GOLDENS=1 writes
   * the image anew (look at it before committing). */
  g_autofree char *golden = test_data_path ("data/golden/scene.png");
  cairo_surface_t *frame = golden_scene ();
  cairo_surface_t *expected;
  int w, h;
  guint differing = 0;

  assert_non_null (frame);
  if (g_getenv ("PLACER_UPDATE_GOLDENS") != NULL)
    assert_true (gis_surface_write_png (frame, golden, NULL));
  expected = cairo_image_surface_create_from_png (golden);
  assert_int_equal (cairo_surface_status (expected), CAIRO_STATUS_SUCCESS);
  w = cairo_image_surface_get_width (frame);
  h = cairo_image_surface_get_height (frame);
  assert_int_equal (cairo_image_surface_get_width (expected), w);
  assert_int_equal (cairo_image_surface_get_height (expected), h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 a = pixel (frame, x, y), b = pixel (expected, x, y);
        int worst = 0;
        for (int k = 0; k < 32; k += 8)
          worst = MAX (worst, abs ((int) ((a >> k) & 255) - (int) ((b >> k) & 255)));
        differing += worst > 24;
      }
  if (differing > (guint) (w * h / 200))
    fail_msg ("%u of %d pixels differ from %s", differing, w * h, golden);
  cairo_surface_destroy (expected);
  cairo_surface_destroy (frame);
}

/* Overviews */

static char *
write_blocks_raster (const char *dir, int n)
{
  /* Classes 10 and 20 in 3 × 3-pixel blocks: an average would make 15s. */
  char *path = g_build_filename (dir, "classes.tif", NULL);
  GDALDatasetH ds = GDALCreate (GDALGetDriverByName ("GTiff"), path, n, n, 1, GDT_Byte, NULL);
  double gt[6] = { 500000, 10, 0, 8500000, 0, -10 };
  g_autofree guint8 *row = g_new (guint8, n);
  g_autoptr(GisCrs) crs = gis_crs_new_from_epsg (32735, NULL);

  GDALSetGeoTransform (ds, gt);
  GDALSetProjection (ds, gis_crs_get_wkt (crs));
  for (int y = 0; y < n; y++)
    {
      for (int x = 0; x < n; x++)
        row[x] = ((x / 3 + y / 3) % 2) ? 20 : 10;
      assert_int_equal (GDALRasterIO (GDALGetRasterBand (ds, 1), GF_Write, 0, y, n, 1, row, n, 1,
                                      GDT_Byte, 0, 0), CE_None);
    }
  GDALClose (ds);
  return path;
}

static void
test_overviews_built_once_and_categorical (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = write_blocks_raster (dir, 3000);
  g_autofree char *ovr = g_strconcat (path, ".ovr", NULL);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GisRaster) raster = NULL;
  GDALDatasetH ds;
  GDALRasterBandH ov;
  g_autofree guint8 *pixels = NULL;
  guint n_other = 0;
  int w, h;

  /* Cancelled: an error, and no half-written .ovr. */
  g_cancellable_cancel (cancelled);
  assert_false (gis_raster_build_overviews (path, TRUE, NULL, NULL, cancelled, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  assert_false (g_file_test (ovr, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* 3000 px: halvings to 1500, 750 and 375 (the next, 187, is under 256). */
  assert_true (gis_raster_build_overviews (path, TRUE, NULL, NULL, NULL, &error));
  assert_true (g_file_test (ovr, G_FILE_TEST_IS_REGULAR));
  raster = gis_raster_open (path, &error);
  assert_int_equal (gis_raster_get_n_overviews (raster), 3);
  /* Built once: a second call leaves the file as it is. */
  assert_true (gis_raster_build_overviews (path, TRUE, NULL, NULL, NULL, &error));

  /* Nearest, not average: only the classes that exist. */
  /* (GDAL's folder listing from before the build would hide the .ovr.) */
  CPLSetThreadLocalConfigOption ("GDAL_DISABLE_READDIR_ON_OPEN", "TRUE");
  ds = GDALOpen (path, GA_ReadOnly);
  CPLSetThreadLocalConfigOption ("GDAL_DISABLE_READDIR_ON_OPEN", NULL);
  ov = GDALGetOverview (GDALGetRasterBand (ds, 1), 0);
  w = GDALGetRasterBandXSize (ov);
  h = GDALGetRasterBandYSize (ov);
  assert_int_equal (w, 1500);
  pixels = g_malloc ((gsize) w * h);
  assert_int_equal (GDALRasterIO (ov, GF_Read, 0, 0, w, h, pixels, w, h, GDT_Byte, 0, 0), CE_None);
  for (int i = 0; i < w * h; i++)
    n_other += pixels[i] != 10 && pixels[i] != 20;
  assert_int_equal (n_other, 0);
  GDALClose (ds);
  g_clear_object (&raster);
  test_rmtree (dir);
}

/* The scan converter */

#define SC_SIZE 64

typedef struct {
  guint32  pixels[SC_SIZE * SC_SIZE];
  GisPixmap pm;
} Canvas;

static void
canvas_init (Canvas *c, int y0, int y1)
{
  memset (c->pixels, 0, sizeof c->pixels);
  c->pm = (GisPixmap) { (guint8 *) c->pixels, SC_SIZE * 4, SC_SIZE, y0, y1 };
}

/* A star-shaped ring of @n vertices on half pixels, closed as layers store them. */
static guint
random_ring (GRand *rand, double *xy, guint n, double cx, double cy, double radius)
{
  for (guint i = 0; i < n; i++)
    {
      double a = 2 * G_PI * i / n, r = radius * g_rand_double_range (rand, 0.4, 1.0);
      xy[2 * i] = rint ((cx + r * cos (a)) * 2) / 2;
      xy[2 * i + 1] = rint ((cy - r * sin (a)) * 2) / 2;
    }
  xy[2 * n] = xy[0];
  xy[2 * n + 1] = xy[1];
  return n + 1;
}

static void
test_small_polygon_matches_fill_then_lines (void **state)
{
  /* Two hundred overlapping polygons of 2 to 40 px, filled and outlined, drawn in turn:
   * the one-pass tile against the fill followed by a Wu line along each edge. The same
   * pixels are drawn, each channel within a few levels of rounding. */
  GRand *rand = g_rand_new_with_seed (7);
  g_autoptr(GArray) scratch = g_array_new (FALSE, FALSE, 32);
  GisPaint paint = { 0xffccddaa, 0x382c3025, GIS_FILL_SOLID, 8, 1 };
  GisOutline outline;
  guint32 line = 0x80000000;
  Canvas a, b;
  int worst = 0;

  _gis_outline_init (&outline, line);
  canvas_init (&a, 0, SC_SIZE);
  canvas_init (&b, 0, SC_SIZE);
  for (guint k = 0; k < 200; k++)
    {
      double xy[2 * 25];
      guint n = random_ring (rand, xy, g_rand_int_range (rand, 4, 24),
                             g_rand_double_range (rand, 4, 60), g_rand_double_range (rand, 4, 60),
                             g_rand_double_range (rand, 1, 20));

      _gis_fill_polygon (&a.pm, xy, &n, 1, &paint, scratch);
      for (guint i = 0; i < n; i++)
        {
          guint j = (i + 1) % n;
          _gis_draw_line (&a.pm, xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1], line);
        }
      _gis_draw_small_polygon (&b.pm, xy, &n, 1, &paint, &outline, scratch);
    }
  for (guint i = 0; i < SC_SIZE * SC_SIZE; i++)
    {
      if ((a.pixels[i] == 0) != (b.pixels[i] == 0))
        fail_msg ("pixel %u: %08x against %08x", i, a.pixels[i], b.pixels[i]);
      for (int ch = 0; ch < 32; ch += 8)
        worst = MAX (worst, abs ((int) ((a.pixels[i] >> ch) & 255) -
                                 (int) ((b.pixels[i] >> ch) & 255)));
    }
  if (worst > 4)
    fail_msg ("a channel differs by %d levels", worst);
  g_rand_free (rand);
}

static void
test_small_polygon_fill_alone_is_exact (void **state)
{
  /* Without an outline the tile gives exactly the fill's pixels, solid (four pixels at a
   * time) or hatched (one at a time); drawn in two bands, exactly the same again. */
  GRand *rand = g_rand_new_with_seed (11);
  g_autoptr(GArray) scratch = g_array_new (FALSE, FALSE, 32);
  GisPaint solid = { 0xffccddaa, 0x382c3025, GIS_FILL_SOLID, 8, 1 };
  GisPaint hatch = { 0xff0072b2, 0x38001927, GIS_FILL_HATCH, 8, 1 };
  Canvas a, b, top, bottom;

  canvas_init (&a, 0, SC_SIZE);
  canvas_init (&b, 0, SC_SIZE);
  canvas_init (&top, 0, 29);
  canvas_init (&bottom, 29, SC_SIZE);
  for (guint k = 0; k < 200; k++)
    {
      double xy[2 * 25];
      guint n = random_ring (rand, xy, g_rand_int_range (rand, 4, 24),
                             g_rand_double_range (rand, 0, 64), g_rand_double_range (rand, 0, 64),
                             g_rand_double_range (rand, 1, 20));
      const GisPaint *paint = k % 3 == 0 ? &hatch : &solid;

      _gis_fill_polygon (&a.pm, xy, &n, 1, paint, scratch);
      _gis_draw_small_polygon (&b.pm, xy, &n, 1, paint, NULL, scratch);
    }
  assert_memory_equal (a.pixels, b.pixels, sizeof a.pixels);

  /* Outlined, in two bands of one image: the same as in one. */
  g_rand_set_seed (rand, 11);
  canvas_init (&b, 0, SC_SIZE);
  {
    GisOutline outline;

    _gis_outline_init (&outline, 0x80000000);
    for (guint k = 0; k < 200; k++)
      {
        double xy[2 * 25];
        guint n = random_ring (rand, xy, g_rand_int_range (rand, 4, 24),
                               g_rand_double_range (rand, 0, 64),
                               g_rand_double_range (rand, 0, 64),
                               g_rand_double_range (rand, 1, 20));

        _gis_draw_small_polygon (&b.pm, xy, &n, 1, &solid, &outline, scratch);
        bottom.pm.data = top.pm.data = (guint8 *) top.pixels;
        _gis_draw_small_polygon (&top.pm, xy, &n, 1, &solid, &outline, scratch);
        _gis_draw_small_polygon (&bottom.pm, xy, &n, 1, &solid, &outline, scratch);
      }
  }
  assert_memory_equal (b.pixels, top.pixels, sizeof b.pixels);
  g_rand_free (rand);
}

static void
test_small_polygon_at_the_image_edge (void **state)
{
  /* The same outlined polygon inside the image (its pixels blended four at a time) and
   * across its right edge (the last ones one at a time): the same pixels where both are
   * in the image. */
  const double ring[] = { 40.5, 10, 61, 14.5, 58, 30.5, 47.5, 27, 40.5, 10 };
  double shifted[G_N_ELEMENTS (ring)];
  guint n = G_N_ELEMENTS (ring) / 2;
  g_autoptr(GArray) scratch = g_array_new (FALSE, FALSE, 32);
  GisPaint paint = { 0xffccddaa, 0x382c3025, GIS_FILL_SOLID, 8, 1 };
  GisOutline outline;
  Canvas inside, edge;
  guint drawn = 0;

  for (guint i = 0; i < G_N_ELEMENTS (ring); i++)
    shifted[i] = i % 2 == 0 ? ring[i] - 32 : ring[i];
  _gis_outline_init (&outline, 0x80000000);
  canvas_init (&inside, 0, SC_SIZE);
  canvas_init (&edge, 0, SC_SIZE);
  edge.pm.width = 60;     /* the polygon reaches x = 61 */
  _gis_draw_small_polygon (&inside.pm, shifted, &n, 1, &paint, &outline, scratch);
  _gis_draw_small_polygon (&edge.pm, ring, &n, 1, &paint, &outline, scratch);
  for (int y = 0; y < SC_SIZE; y++)
    for (int x = 32; x < SC_SIZE; x++)
      {
        guint32 want = x < 60 ? inside.pixels[y * SC_SIZE + x - 32] : 0;
        if (edge.pixels[y * SC_SIZE + x] != want)
          fail_msg ("(%d, %d): %08x, expected %08x", x, y, edge.pixels[y * SC_SIZE + x], want);
        drawn += want != 0;
      }
  assert_true (drawn > 300);
}

/* Decorations */

static void
test_scale_bar_utm (void **state)
{
  /* On UTM's central meridian the grid is 0.9996 of the ground: 1 grid metre per pixel is
   * 1/0.9996 m on the ground; the longest round bar under 200 px is 200 m, 199.92 px. */
  g_autoptr(GisCrs) utm = gis_crs_new_from_epsg (32630, NULL);
  g_autoptr(GisMapSettings) s = gis_map_settings_new_centered (utm, 500000, 1327344, 1.0,
                                                               400, 300, 1.0);
  GisScaleBar bar;
  double mpp;

  assert_true (gis_map_metres_per_pixel (s, 200, 150, &mpp));
  assert_true (fabs (mpp - 1 / 0.9996) < 1e-7);
  assert_true (gis_map_scale_bar (s, 200, &bar));
  assert_true (bar.metres == 200);
  assert_true (fabs (bar.pixels - 200 * 0.9996) < 1e-4);
  assert_string_equal (bar.label, "200 m");
}

static void
test_scale_bar_lonlat (void **state)
{
  /* At the equator 0.001° of longitude is a·π/180 000 = 111.319 491 m (WGS 84). */
  g_autoptr(GisCrs) wgs84 = gis_crs_new_from_epsg (4326, NULL);
  g_autoptr(GisMapSettings) s = gis_map_settings_new_centered (wgs84, 29, 0, 0.001, 400, 300,
                                                               1.0);
  GisScaleBar bar;
  double mpp;

  assert_true (gis_map_metres_per_pixel (s, 200, 150, &mpp));
  assert_true (fabs (mpp - 6378137.0 * G_PI / 180000) < 1e-6);
  /* 150 px are 16.7 km: the bar is 10 km, 89.83 px. */
  assert_true (gis_map_scale_bar (s, 150, &bar));
  assert_true (bar.metres == 10000);
  assert_string_equal (bar.label, "10 km");
  assert_true (fabs (bar.pixels - 10000 / mpp) < 1e-9);
}

static void
test_north_arrow_convergence (void **state)
{
  /* 12° N, 1° W in UTM 30N (central meridian 3° W): meridian convergence
   * atan(tan 2° · sin 12°) = 0.4160°; true north leans west of grid north there. */
  g_autoptr(GisCrs) utm = gis_crs_new_from_epsg (32630, NULL);
  g_autoptr(GisMapSettings) s = gis_map_settings_new_centered (utm, 717758.85, 1327344.06, 10,
                                                               400, 300, 1.0);
  g_autoptr(GisCrs) wgs84 = gis_crs_new_from_epsg (4326, NULL);
  g_autoptr(GisMapSettings) ll = gis_map_settings_new_centered (wgs84, 29, -2, 0.01, 400, 300,
                                                                1.0);
  double angle;

  assert_true (gis_map_north_angle (s, &angle));
  assert_true (fabs (angle * 180 / G_PI + 0.4160) < 0.002);
  /* In lon/lat, north is up. */
  assert_true (gis_map_north_angle (ll, &angle));
  assert_true (fabs (angle) < 1e-9);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_style_json_round_trip),
    cmocka_unit_test (test_style_graduated),
    cmocka_unit_test (test_style_bad_json),
    cmocka_unit_test (test_palettes),
    cmocka_unit_test (test_vector_layer_pick_and_geometry),
    cmocka_unit_test (test_vector_layer_reprojects),
    cmocka_unit_test (test_vector_layer_refuses_missing_crs),
    cmocka_unit_test (test_render_solid_squares),
    cmocka_unit_test (test_render_tiny_features_are_pixels),
    cmocka_unit_test (test_render_hatch),
    cmocka_unit_test (test_render_categories_and_order),
    cmocka_unit_test (test_render_classes_worked_out_with_the_layer),
    cmocka_unit_test (test_render_outline_darkens_edges),
    cmocka_unit_test (test_render_mid_size_features_in_order),
    cmocka_unit_test (test_render_cache_and_cancel),
    cmocka_unit_test (test_render_labels_avoid_collisions),
    cmocka_unit_test (test_render_raster_categories),
    cmocka_unit_test (test_png_written_atomically),
    cmocka_unit_test (test_render_partial_views),
    cmocka_unit_test (test_render_cache_keeps_two_views),
    cmocka_unit_test (test_envelope_text),
    cmocka_unit_test (test_render_golden),
    cmocka_unit_test (test_render_composited_by_bands_as_by_cairo),
    cmocka_unit_test (test_overviews_built_once_and_categorical),
    cmocka_unit_test (test_small_polygon_matches_fill_then_lines),
    cmocka_unit_test (test_small_polygon_fill_alone_is_exact),
    cmocka_unit_test (test_small_polygon_at_the_image_edge),
    cmocka_unit_test (test_scale_bar_utm),
    cmocka_unit_test (test_scale_bar_lonlat),
    cmocka_unit_test (test_north_arrow_convergence),
  };

  gis_init ();
  return cmocka_run_group_tests (tests, NULL, NULL);
}
