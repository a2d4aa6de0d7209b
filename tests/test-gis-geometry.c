/* test-gis-geometry.c: geometry values, WKT/WKB, validity and GEOS operations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <malloc.h>
#include <string.h>

#include <geos_c.h>

#include "gis.h"
#include "gis-clip-private.h"

static void
test_wkt_round_trip (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisGeometry) g = gis_geometry_new_from_wkt ("POLYGON ((0 0, 4 0, 4 3, 0 3, 0 0), "
                                                        "(1 1, 2 1, 2 2, 1 2, 1 1))", &error);
  g_autofree char *wkt = NULL;
  GisEnvelope e;

  assert_no_error (error);
  assert_int_equal (gis_geometry_get_geometry_type (g), GIS_GEOMETRY_POLYGON);
  assert_int_equal (gis_geometry_get_n_points (g), 10);
  wkt = gis_geometry_to_wkt (g, -1);
  assert_string_equal (wkt, "POLYGON ((0 0, 4 0, 4 3, 0 3, 0 0), (1 1, 2 1, 2 2, 1 2, 1 1))");
  gis_geometry_get_envelope (g, &e);
  assert_true (e.min_x == 0 && e.min_y == 0 && e.max_x == 4 && e.max_y == 3);
  /* 4 × 3 − 1 × 1 */
  assert_close_abs (gis_geometry_planar_area (g), 11.0, 1e-12);
}

static void
test_z_and_m_dropped (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisGeometry) g = gis_geometry_new_from_wkt ("LINESTRING Z (1 2 3, 4 5 6)", &error);
  g_autofree char *wkt = NULL;

  assert_no_error (error);
  wkt = gis_geometry_to_wkt (g, -1);
  assert_string_equal (wkt, "LINESTRING (1 2, 4 5)");
}

static void
test_wkb_round_trip_and_big_endian (void **state)
{
  /* POINT (1 2) written big-endian by hand: 00 00000001 3FF0000000000000 4000000000000000 */
  static const guint8 be[] = { 0x00, 0, 0, 0, 1, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0,
                               0x40, 0x00, 0, 0, 0, 0, 0, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GisGeometry) g = gis_geometry_new_from_wkb (be, sizeof be, &error);
  g_autoptr(GisGeometry) again = NULL;
  g_autofree char *wkt = NULL;
  gsize len;
  const guint8 *wkb;

  assert_no_error (error);
  wkt = gis_geometry_to_wkt (g, -1);
  assert_string_equal (wkt, "POINT (1 2)");
  /* Stored little-endian ISO: first byte 1, type 1. */
  wkb = gis_geometry_peek_wkb (g, &len);
  assert_int_equal (len, 21);
  assert_int_equal (wkb[0], 1);
  assert_int_equal (wkb[1], 1);
  again = gis_geometry_new_from_wkb (wkb, len, &error);
  assert_no_error (error);
  assert_true (gis_geometry_equal_exact (g, again));
}

static void
test_bad_input_rejected (void **state)
{
  static const guint8 truncated[] = { 0x01, 3, 0, 0, 0, 1, 0, 0, 0, 200, 0, 0, 0, 0 };
  const char *bad_wkt[] = { "POLYGON ((0 0, 1 0, 1 1", "NOT A GEOMETRY", "POINT (nan 1)",
                            "POINT (inf 1)", "", NULL };

  for (guint i = 0; bad_wkt[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisGeometry) g = gis_geometry_new_from_wkt (bad_wkt[i], &error);
      if (g != NULL)
        fail_msg ("“%s” was accepted", bad_wkt[i]);
      assert_true (g_error_matches (error, GIS_ERROR, GIS_ERROR_GEOMETRY));
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GisGeometry) g = gis_geometry_new_from_wkb (truncated, sizeof truncated, &error);
    assert_null (g);
    assert_true (g_error_matches (error, GIS_ERROR, GIS_ERROR_GEOMETRY));
  }
}

static void
test_empty_and_huge (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisGeometry) empty = gis_geometry_new_from_wkt ("POLYGON EMPTY", &error);
  g_autoptr(GisGeometry) empty_pt = gis_geometry_new_from_wkt ("POINT EMPTY", &error);
  g_autoptr(GisGeometry) huge = NULL;
  g_autofree char *reason = NULL;

  assert_no_error (error);
  assert_true (gis_geometry_is_empty (empty));
  assert_true (gis_geometry_is_empty (empty_pt));
  assert_close_abs (gis_geometry_planar_area (empty), 0, 0);
  huge = gis_geometry_new_from_wkt ("POLYGON ((0 0, 1e300 0, 1e300 1e300, 0 0))", &error);
  assert_no_error (error);
  assert_true (gis_geometry_is_valid (huge, &reason, &error));
  assert_no_error (error);
}

static void
test_validity_reasons (void **state)
{
  /* Each invalid shape with the start of the reason GEOS gives for it. */
  static const struct { const char *wkt; const char *reason; } cases[] = {
    { "POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))", "Self-intersection" },         /* bow-tie */
    { "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (5 5, 6 5, 6 6, 5 5))", "Hole lies outside shell" },
    { "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 2 1, 2 2, 1 2, 1 1), "
      "(1 1, 2 1, 2 2, 1 2, 1 1))", "Self-intersection" },                 /* duplicate hole */
    { "POLYGON ((0 0, 10 0, 5 0, 5 5, 0 0))", "Self-intersection" },       /* spike */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisGeometry) g = gis_geometry_new_from_wkt (cases[i].wkt, &error);
      g_autofree char *reason = NULL;

      assert_no_error (error);
      assert_false (gis_geometry_is_valid (g, &reason, &error));
      assert_no_error (error);
      assert_non_null (reason);
      if (!g_str_has_prefix (reason, cases[i].reason))
        fail_msg ("case %u: reason “%s”, expected “%s…”", i, reason, cases[i].reason);
    }
}

static void
test_make_valid_bow_tie (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisGeometry) g = gis_geometry_new_from_wkt ("POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))",
                                                        &error);
  g_autoptr(GisGeometry) v = gis_geometry_make_valid (g, &error);
  g_autofree char *reason = NULL;

  assert_no_error (error);
  assert_true (gis_geometry_is_valid (v, &reason, &error));
  /* Two triangles meeting at (1 1), each of area 1 (base 2, height 1). */
  assert_int_equal (gis_geometry_get_geometry_type (v), GIS_GEOMETRY_MULTIPOLYGON);
  assert_close_abs (gis_geometry_planar_area (v), 2.0, 1e-12);
}

static void
test_overlay_areas (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisGeometry) a = gis_geometry_new_rectangle (0, 0, 4, 4);
  g_autoptr(GisGeometry) b = gis_geometry_new_rectangle (3, 3, 5, 6);
  g_autoptr(GisGeometry) i = gis_geometry_intersection (a, b, &error);
  g_autoptr(GisGeometry) d = gis_geometry_difference (a, b, &error);
  g_autoptr(GisGeometry) u = gis_geometry_union (a, b, &error);
  GisGeometry *all[3];
  g_autoptr(GisGeometry) c = gis_geometry_new_rectangle (10, 10, 11, 11);
  g_autoptr(GisGeometry) ua = NULL;

  assert_no_error (error);
  /* overlap 1 × 1; a − overlap = 15; union = 16 + 6 − 1 */
  assert_close_abs (gis_geometry_planar_area (i), 1.0, 1e-12);
  assert_close_abs (gis_geometry_planar_area (d), 15.0, 1e-12);
  assert_close_abs (gis_geometry_planar_area (u), 21.0, 1e-12);
  assert_true (gis_geometry_intersects (a, b, &error));
  assert_false (gis_geometry_intersects (a, c, &error));
  all[0] = a; all[1] = b; all[2] = c;
  ua = gis_geometry_union_all (all, 3, &error);
  assert_no_error (error);
  assert_close_abs (gis_geometry_planar_area (ua), 22.0, 1e-12);
  {
    g_autoptr(GisGeometry) none = gis_geometry_union_all (NULL, 0, &error);
    assert_no_error (error);
    assert_true (gis_geometry_is_empty (none));
  }
}

static void
test_sliver_kept (void **state)
{
  /* A 0.01 m × 1000 m sliver (10 m²) cut off a square: found, not lost. */
  g_autoptr(GError) error = NULL;
  g_autoptr(GisGeometry) a = gis_geometry_new_rectangle (0, 0, 1000, 1000);
  g_autoptr(GisGeometry) b = gis_geometry_new_rectangle (0.01, -5, 1005, 1005);
  g_autoptr(GisGeometry) d = gis_geometry_difference (a, b, &error);

  assert_no_error (error);
  assert_close_rel (gis_geometry_planar_area (d), 10.0, 1e-9);
}

static void
test_buffer_and_polygonal_part (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisGeometry) line = gis_geometry_new_from_wkt ("LINESTRING (0 0, 100 0)", &error);
  g_autoptr(GisGeometry) buf = gis_geometry_buffer (line, 10, 64, &error);
  g_autoptr(GisGeometry) mixed = gis_geometry_new_from_wkt (
    "GEOMETRYCOLLECTION (POINT (0 0), LINESTRING (0 0, 1 1), POLYGON ((0 0, 1 0, 1 1, 0 0)))",
    &error);
  g_autoptr(GisGeometry) poly = NULL;

  assert_no_error (error);
  /* A 100 × 20 rectangle plus two half discs of radius 10 (π r², approximated by 256 segments). */
  assert_close_rel (gis_geometry_planar_area (buf), 2000 + G_PI * 100, 2e-4);
  poly = gis_geometry_polygonal_part (mixed, &error);
  assert_no_error (error);
  assert_int_equal (gis_geometry_get_geometry_type (poly), GIS_GEOMETRY_MULTIPOLYGON);
  assert_close_abs (gis_geometry_planar_area (poly), 0.5, 1e-12);
}

typedef struct {
  GisGeometry *a;
  GisGeometry *b;
  double       area;
} ThreadJob;

static gpointer
thread_overlay (gpointer data)
{
  ThreadJob *job = data;
  double total = 0;

  for (int k = 0; k < 200; k++)
    {
      g_autoptr(GisGeometry) i = gis_geometry_intersection (job->a, job->b, NULL);
      total += gis_geometry_planar_area (i);
    }
  job->area = total;
  return NULL;
}

/* Clipping to a box keeps what lies inside it, exactly; a polygon that only touches the box
 * leaves the line they share. */
static void
test_clip_to_box (void **state)
{
  g_autoptr(GError) error = NULL;
  /* An L of area 3 (three unit squares). */
  g_autoptr(GisGeometry) l = gis_geometry_new_from_wkt ("POLYGON ((0 0, 2 0, 2 1, 1 1, 1 2, 0 2, 0 0))", &error);
  g_autoptr(GisGeometry) line = gis_geometry_new_from_wkt ("LINESTRING (-1 0.5, 3 0.5)", &error);
  GisEnvelope right_half = { 1, -5, 5, 5 }, lower = { -1, -1, 3, 0.25 }, edge = { 2, 0, 3, 1 };
  g_autoptr(GisGeometry) a = NULL;
  g_autoptr(GisGeometry) b = NULL;
  g_autoptr(GisGeometry) c = NULL;
  g_autoptr(GisGeometry) d = NULL;
  GisEnvelope e;

  assert_no_error (error);
  a = gis_geometry_clip_to_box (l, &right_half, &error);
  assert_no_error (error);
  assert_close_abs (gis_geometry_planar_area (a), 1.0, 1e-15);
  gis_geometry_get_envelope (a, &e);
  assert_close_abs (e.min_x, 1, 0);
  assert_close_abs (e.max_x, 2, 0);
  assert_close_abs (e.max_y, 1, 0);
  b = gis_geometry_clip_to_box (l, &lower, &error);
  assert_no_error (error);
  assert_close_abs (gis_geometry_planar_area (b), 0.5, 1e-15);
  /* The box only touches the L along x = 2: a line, with no area. */
  c = gis_geometry_clip_to_box (l, &edge, &error);
  assert_no_error (error);
  assert_close_abs (gis_geometry_planar_area (c), 0, 0);
  /* A line keeps its part inside: from x = 1 to x = 5 is 2 units of it. */
  d = gis_geometry_clip_to_box (line, &right_half, &error);
  assert_no_error (error);
  gis_geometry_get_envelope (d, &e);
  assert_close_abs (e.min_x, 1, 0);
  assert_close_abs (e.max_x, 3, 0);
}

static gboolean
not_three (guint index, gpointer user_data)
{
  return index != 3;
}

/* A family of cutters (unit squares touching at most at corners) goes into the overlay
 * without a union among them, and is still united with the other cutters; a filter leaves
 * cutters out. */
static void
test_overlay_family_and_filter (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  const guint families[] = { 1, 1, 1, 0 };
  g_autoptr(GisOverlay) overlay = NULL;
  g_autoptr(GisGeometry) target = gis_geometry_new_rectangle (0, 0, 10, 10);
  g_autoptr(GisGeometry) all = NULL;
  g_autoptr(GisGeometry) some = NULL;

  g_ptr_array_add (cutters, gis_geometry_new_rectangle (1, 1, 2, 2));
  g_ptr_array_add (cutters, gis_geometry_new_rectangle (2, 2, 3, 3));
  g_ptr_array_add (cutters, gis_geometry_new_rectangle (5, 5, 6, 6));
  g_ptr_array_add (cutters, gis_geometry_new_rectangle (4, 4, 6, 6));
  overlay = gis_overlay_new_full (cutters, families, &error);
  assert_no_error (error);
  all = gis_overlay_subtract (overlay, target, &error);
  assert_no_error (error);
  /* 100 − 1 − 1 − 4 (the square at 5,5 lies inside the 2 × 2 one) */
  assert_close_abs (gis_geometry_planar_area (all), 94, 1e-12);
  /* Without the 2 × 2 square: the three unit squares. */
  some = gis_overlay_intersect_for_area (overlay, target, not_three, NULL, &error);
  assert_no_error (error);
  assert_close_abs (gis_geometry_planar_area (some), 3, 1e-12);
  /* With it: 1 + 1 + 4. */
  {
    g_autoptr(GisGeometry) inside = gis_overlay_intersect (overlay, target, &error);
    assert_no_error (error);
    assert_close_abs (gis_geometry_planar_area (inside), 6, 1e-12);
  }
}

/* (x, y) is a vertex of @g, bit for bit (both written in the shortest exact form). */
static gboolean
has_vertex (GisGeometry *g, double x, double y)
{
  g_autoptr(GisGeometry) p = gis_geometry_new_point (x, y);
  g_autofree char *wkt = gis_geometry_to_wkt (g, -1);
  g_autofree char *pw = gis_geometry_to_wkt (p, -1);   /* POINT (x y) */
  g_autofree char *want = g_strndup (pw + 7, strlen (pw) - 8);
  const char *at = wkt;

  while ((at = strstr (at, want)) != NULL)
    {
      char before = at > wkt ? at[-1] : '(', after = at[strlen (want)];
      if ((before == '(' || before == ' ') && (after == ',' || after == ')'))
        return TRUE;
      at++;
    }
  return FALSE;
}

/* The overlay of a target and cutters against GEOS's own difference and intersection of
 * the target with the cutters' union (the float overlay, computed independently). */
static void
assert_overlay_like_geos (GPtrArray *cutters, GisGeometry *target, double rel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisOverlay) overlay = gis_overlay_new (cutters, &error);
  g_autoptr(GisGeometry) u = gis_geometry_union_all ((GisGeometry **) cutters->pdata,
                                                     cutters->len, &error);
  g_autoptr(GisGeometry) want_d = NULL;
  g_autoptr(GisGeometry) want_i = NULL;
  g_autoptr(GisGeometry) got_d = NULL;
  g_autoptr(GisGeometry) got_i = NULL;
  g_autofree char *reason = NULL;
  double area = gis_geometry_planar_area (target);

  assert_no_error (error);
  want_d = gis_geometry_difference (target, u, &error);
  assert_no_error (error);
  want_i = gis_geometry_intersection (target, u, &error);
  assert_no_error (error);
  got_d = gis_overlay_subtract (overlay, target, &error);
  assert_no_error (error);
  got_i = gis_overlay_intersect (overlay, target, &error);
  assert_no_error (error);
  /* The unchecked intersection, for areas, is the same land. */
  {
    g_autoptr(GisGeometry) for_area = gis_overlay_intersect_for_area (overlay, target, NULL,
                                                                      NULL, &error);
    assert_no_error (error);
    assert_close_rel (gis_geometry_planar_area (for_area), gis_geometry_planar_area (got_i),
                      1e-12);
  }
  assert_close_rel (gis_geometry_planar_area (got_d), gis_geometry_planar_area (want_d), rel);
  assert_close_rel (gis_geometry_planar_area (got_i), gis_geometry_planar_area (want_i), rel);
  /* Nothing lost or counted twice. */
  assert_close_rel (gis_geometry_planar_area (got_d) + gis_geometry_planar_area (got_i), area,
                    rel);
  /* The float overlay (GEOS), which takes what the sweep cannot, gives the same. */
  {
    g_autoptr(GisGeometry) float_d = NULL;
    g_autoptr(GisGeometry) float_i = NULL;

    _gis_overlay_set_float_only (overlay, TRUE);
    float_d = gis_overlay_subtract (overlay, target, &error);
    assert_no_error (error);
    float_i = gis_overlay_intersect (overlay, target, &error);
    assert_no_error (error);
    _gis_overlay_set_float_only (overlay, FALSE);
    assert_close_rel (gis_geometry_planar_area (float_d), gis_geometry_planar_area (want_d), 1e-12);
    assert_close_rel (gis_geometry_planar_area (float_i), gis_geometry_planar_area (want_i), 1e-12);
  }
  if (!gis_geometry_is_valid (got_d, &reason, &error))
    fail_msg ("the difference is invalid: %s", reason);
  if (!gis_geometry_is_valid (got_i, &reason, &error))
    fail_msg ("the intersection is invalid: %s", reason);
}

/* A star-shaped polygon of @n points around (cx, cy), radii from @r0 to @r1. */
static GisGeometry *
star (GRand *rand, double cx, double cy, double r0, double r1, guint n, gboolean clockwise)
{
  GString *wkt = g_string_new ("POLYGON ((");
  GisGeometry *g;
  double first[2] = { 0, 0 };

  for (guint i = 0; i < n; i++)
    {
      double a = (clockwise ? -1 : 1) * 2 * G_PI * i / n;
      double r = g_rand_double_range (rand, r0, r1);
      double x = cx + r * cos (a), y = cy + r * sin (a);

      if (i == 0)
        first[0] = x, first[1] = y;
      g_string_append_printf (wkt, "%.17g %.17g, ", x, y);
    }
  g_string_append_printf (wkt, "%.17g %.17g))", first[0], first[1]);
  g = gis_geometry_new_from_wkt (wkt->str, NULL);
  g_string_free (wkt, TRUE);
  return g;
}

/* A result of the integer engine owns its points once: making and dropping thousands of
 * them leaves the heap as it was (each used to keep its WKB after the geometry was freed). */
static void
test_overlay_results_are_freed (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  g_autoptr(GisOverlay) overlay = NULL;
  GRand *rand = g_rand_new_with_seed (5);
  g_autoptr(GisGeometry) target = star (rand, 0, 0, 0.8, 1.0, 200, FALSE);
  struct mallinfo2 before, after;

  g_ptr_array_add (cutters, gis_geometry_new_rectangle (0.5, -2, 2, 2));
  overlay = gis_overlay_new (cutters, &error);
  assert_no_error (error);
  for (guint i = 0; i < 2100; i++)
    {
      g_autoptr(GisGeometry) d = gis_overlay_subtract (overlay, target, &error);
      assert_no_error (error);
      assert_true (gis_geometry_get_n_points (d) > 100);
      if (i == 99)
        before = mallinfo2 ();   /* after the first hundred have set up the scratch space */
    }
  after = mallinfo2 ();
  /* 2,000 results of some 3 kB each would be 6 MB. */
  assert_true (after.uordblks < before.uordblks + (512 << 10));
  g_rand_free (rand);
}

/* The spool gives back every shape as it was put, bit for bit, with its envelope: small
 * shapes, one larger than its write buffer, shapes got back in any order from several
 * threads at once, and a shape got back before the buffer was written out. */
typedef struct {
  GisSpool    *spool;
  GPtrArray   *shapes;
  GArray      *refs;
  guint        start;
  gint         bad;
} SpoolJob;

static gpointer
spool_reader (gpointer data)
{
  SpoolJob *job = data;

  for (guint k = 0; k < job->shapes->len; k++)
    {
      guint i = (job->start + 7 * k) % job->shapes->len;
      g_autoptr(GError) error = NULL;
      g_autoptr(GisGeometry) g = gis_spool_get (job->spool, &g_array_index (job->refs, GisSpoolRef, i),
                                                &error);
      GisGeometry *want = g_ptr_array_index (job->shapes, i);
      GisEnvelope a, b;

      if (g == NULL)
        {
          g_atomic_int_inc (&job->bad);
          continue;
        }
      gis_geometry_get_envelope (g, &a);
      gis_geometry_get_envelope (want, &b);
      if (!gis_geometry_equal_exact (g, want) || memcmp (&a, &b, sizeof a) != 0 ||
          gis_geometry_get_geometry_type (g) != gis_geometry_get_geometry_type (want) ||
          gis_geometry_get_n_points (g) != gis_geometry_get_n_points (want))
        g_atomic_int_inc (&job->bad);
    }
  return NULL;
}

static void
test_spool (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisSpool) spool = gis_spool_new (&error);
  g_autoptr(GPtrArray) shapes = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  g_autoptr(GArray) refs = g_array_new (FALSE, FALSE, sizeof (GisSpoolRef));
  GRand *rand = g_rand_new_with_seed (3);
  SpoolJob jobs[3];
  GThread *threads[3];
  guint64 bytes = 0;

  assert_no_error (error);
  assert_non_null (spool);
  for (guint i = 0; i < 300; i++)
    {
      /* Shape 150 has 40,000 points: 640 kB, more than the 256 kB buffer. */
      guint n = i == 150 ? 40000 : 3 + g_rand_int_range (rand, 0, 400);
      GisGeometry *g = i % 50 == 7 ? gis_geometry_new_point (i, -i)
                                   : star (rand, i, 0, 0.5, 1.0, n, i % 2);
      GisSpoolRef ref;
      gsize len = 0;

      assert_true (gis_spool_put (spool, g, &ref, &error));
      assert_no_error (error);
      gis_geometry_peek_wkb (g, &len);
      bytes += ref.length;
      assert_true (ref.length > len);   /* with its header */
      g_ptr_array_add (shapes, g);
      g_array_append_val (refs, ref);
      if (i == 20)
        {
          /* Still in the buffer: got back all the same. */
          g_autoptr(GisGeometry) back = gis_spool_get (spool, &ref, &error);
          assert_no_error (error);
          assert_true (gis_geometry_equal_exact (back, g));
        }
    }
  assert_int_equal (gis_spool_get_size (spool), bytes);
  for (guint t = 0; t < 3; t++)
    {
      jobs[t] = (SpoolJob) { spool, shapes, refs, t * 97, 0 };
      threads[t] = g_thread_new ("spool", spool_reader, &jobs[t]);
    }
  for (guint t = 0; t < 3; t++)
    {
      g_thread_join (threads[t]);
      assert_int_equal (jobs[t].bad, 0);
    }
  g_rand_free (rand);
}

/* The overlay's integer engine: the target's own points come back bit for bit; cutters
 * drawn either way round, with holes, long rings cut to the target's box, and cutters that
 * leave pieces touching at a corner all give GEOS's areas; random stars too. */
static void
test_overlay_integer_engine (void **state)
{
  g_autoptr(GError) error = NULL;

  /* A pentagon off any grid, its right part cut away by a rectangle: its three points left
   * of x = 0.3 are in the result exactly as given. */
  {
    g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
    g_autoptr(GisGeometry) target = gis_geometry_new_from_wkt (
        "POLYGON ((0.1 0.1, 0.7 0.13, 0.77 0.61, 0.2 0.9, 0.03 0.45, 0.1 0.1))", &error);
    g_autoptr(GisOverlay) overlay = NULL;
    g_autoptr(GisGeometry) d = NULL;

    assert_no_error (error);
    g_ptr_array_add (cutters, gis_geometry_new_rectangle (0.3, -1, 2, 2));
    overlay = gis_overlay_new (cutters, &error);
    assert_no_error (error);
    d = gis_overlay_subtract (overlay, target, &error);
    assert_no_error (error);
    assert_true (has_vertex (d, 0.1, 0.1));
    assert_true (has_vertex (d, 0.2, 0.9));
    assert_true (has_vertex (d, 0.03, 0.45));
    assert_false (has_vertex (d, 0.7, 0.13));
    /* The new points on x = 0.3 are grid points: the engine's grid step is about 1e-9 of
     * the target's size, and so is the area's precision. */
    assert_overlay_like_geos (cutters, target, 1e-8);
  }
  /* Two overlapping cutters, one drawn clockwise: 16 − (4 + 4 − 1). */
  {
    g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
    g_autoptr(GisGeometry) target = gis_geometry_new_rectangle (0, 0, 4, 4);
    g_autoptr(GisOverlay) overlay = NULL;
    g_autoptr(GisGeometry) d = NULL;

    g_ptr_array_add (cutters, gis_geometry_new_from_wkt ("POLYGON ((1 1, 1 3, 3 3, 3 1, 1 1))", NULL));
    g_ptr_array_add (cutters, gis_geometry_new_from_wkt ("POLYGON ((2 2, 4 2, 4 4, 2 4, 2 2))", NULL));
    overlay = gis_overlay_new (cutters, &error);
    d = gis_overlay_subtract (overlay, target, &error);
    assert_no_error (error);
    assert_close_abs (gis_geometry_planar_area (d), 16 - 7, 1e-12);
    assert_overlay_like_geos (cutters, target, 1e-12);
  }
  /* A cutter with a hole: the target half in the hole keeps that half (2 × 1). */
  {
    g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
    g_autoptr(GisGeometry) target = gis_geometry_new_rectangle (4, 4, 6, 8);
    g_autoptr(GisOverlay) overlay = NULL;
    g_autoptr(GisGeometry) d = NULL;

    g_ptr_array_add (cutters, gis_geometry_new_from_wkt (
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (3 3, 3 5, 7 5, 7 3, 3 3))", NULL));
    overlay = gis_overlay_new (cutters, &error);
    d = gis_overlay_subtract (overlay, target, &error);
    assert_no_error (error);
    assert_close_abs (gis_geometry_planar_area (d), 2, 1e-12);
    assert_overlay_like_geos (cutters, target, 1e-12);
  }
  /* Two cutters that leave the target's other two quarters touching at its centre. */
  {
    g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
    g_autoptr(GisGeometry) target = gis_geometry_new_rectangle (0, 0, 2, 2);
    g_autoptr(GisOverlay) overlay = NULL;
    g_autoptr(GisGeometry) d = NULL;

    g_ptr_array_add (cutters, gis_geometry_new_rectangle (0, 0, 1, 1));
    g_ptr_array_add (cutters, gis_geometry_new_rectangle (1, 1, 2, 2));
    overlay = gis_overlay_new (cutters, &error);
    d = gis_overlay_subtract (overlay, target, &error);
    assert_no_error (error);
    assert_close_abs (gis_geometry_planar_area (d), 2, 1e-12);
    assert_overlay_like_geos (cutters, target, 1e-12);
  }
  /* A ring of 4,000 points (a wobbly disc of radius about 1 km, in UTM-like coordinates)
   * and small targets across its edge: only its runs near each target are cut. */
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (7);
    g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);

    g_ptr_array_add (cutters, star (rand, 500000, 9000000, 990, 1010, 4000, TRUE));
    for (guint k = 0; k < 8; k++)
      {
        double a = 2 * G_PI * k / 8;
        g_autoptr(GisGeometry) target = star (rand, 500000 + 1000 * cos (a),
                                              9000000 + 1000 * sin (a), 20, 60, 200, FALSE);
        assert_overlay_like_geos (cutters, target, 1e-8);
      }
  }
  /* Targets wholly inside one cutter (a rectangle; the solid part of a ring of 4,000 points
   * with a hole) are settled without the sweep: nothing left, or all of it, exactly; a
   * target in the hole is left whole. */
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (3);
    g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
    g_autoptr(GisGeometry) disc = star (rand, 0, 0, 990, 1010, 4000, FALSE);
    g_autoptr(GisGeometry) hole = star (rand, 0, 0, 390, 410, 4000, TRUE);
    g_autofree char *disc_wkt = gis_geometry_to_wkt (disc, -1);
    g_autofree char *hole_wkt = gis_geometry_to_wkt (hole, -1);
    /* The disc's shell with the hole's ring as its hole: "POLYGON ((…))" gives "(…)". */
    g_autofree char *shell_ring = g_strndup (strchr (disc_wkt, '(') + 1,
                                             strlen (strchr (disc_wkt, '(') + 1) - 1);
    g_autofree char *hole_ring = g_strndup (strchr (hole_wkt, '(') + 1,
                                            strlen (strchr (hole_wkt, '(') + 1) - 1);
    g_autofree char *donut_wkt = g_strdup_printf ("POLYGON (%s, %s)", shell_ring, hole_ring);
    g_autoptr(GisOverlay) overlay = NULL;
    GisGeometry *in_rect = gis_geometry_new_rectangle (5001, 5001, 5002, 5003);
    GisGeometry *in_solid = gis_geometry_new_rectangle (600, -50, 700, 50);
    GisGeometry *in_hole = gis_geometry_new_rectangle (-50, -50, 50, 50);
    GisGeometry *targets[] = { in_rect, in_solid, in_hole };
    const double left[] = { 0, 0, 100 * 100 };

    g_ptr_array_add (cutters, gis_geometry_new_rectangle (5000, 5000, 5010, 5010));
    g_ptr_array_add (cutters, gis_geometry_new_from_wkt (donut_wkt, &error));
    assert_no_error (error);
    overlay = gis_overlay_new (cutters, &error);
    assert_no_error (error);
    for (guint t = 0; t < G_N_ELEMENTS (targets); t++)
      {
        g_autoptr(GisGeometry) d = gis_overlay_subtract (overlay, targets[t], &error);
        g_autoptr(GisGeometry) i = gis_overlay_intersect (overlay, targets[t], &error);

        assert_no_error (error);
        assert_close_abs (gis_geometry_planar_area (d), left[t], 0);
        assert_close_abs (gis_geometry_planar_area (i),
                          gis_geometry_planar_area (targets[t]) - left[t], 0);
        gis_geometry_unref (targets[t]);
      }
  }
  /* A deposit of the L benchmark set less two titles that share part of an edge: the
   * engine's ring touches itself where the titles' corner meets the deposit's edge. The
   * result is made valid with its area unchanged: GEOS's difference (5,736,295.9759 m² by
   * shapely) and a valid polygon. */
  {
    g_autofree char *path = test_data_path ("data/overlay-self-touch.wkt");
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
    g_autoptr(GisGeometry) target = NULL;
    g_autoptr(GisOverlay) overlay = NULL;
    g_autoptr(GisGeometry) d = NULL;
    g_autofree char *reason = NULL;

    assert_true (g_file_get_contents (path, &text, NULL, NULL));
    lines = g_strsplit (text, "\n", -1);
    target = gis_geometry_new_from_wkt (lines[0], &error);
    assert_no_error (error);
    for (guint k = 1; lines[k] != NULL && *lines[k] != '\0'; k++)
      g_ptr_array_add (cutters, gis_geometry_new_from_wkt (lines[k], &error));
    assert_no_error (error);
    assert_int_equal (cutters->len, 2);
    overlay = gis_overlay_new (cutters, &error);
    d = gis_overlay_subtract (overlay, target, &error);
    assert_no_error (error);
    if (!gis_geometry_is_valid (d, &reason, &error))
      fail_msg ("the difference is invalid: %s", reason);
    assert_close_rel (gis_geometry_planar_area (d), 5736295.975863517, 1e-9);
    assert_overlay_like_geos (cutters, target, 1e-9);
    /* The same with 70 more parts beside it, 50 m squares no title meets: a result of more
     * than 64 rings that touches itself is not repaired but taken again by the float
     * overlay, and comes out valid with the same area. */
    {
      GString *wkt = g_string_new (lines[0]);
      g_autoptr(GisGeometry) many = NULL;
      g_autoptr(GisGeometry) dm = NULL;
      g_autofree char *why = NULL;

      g_string_truncate (wkt, wkt->len - 1);   /* the MultiPolygon's closing parenthesis */
      for (guint k = 0; k < 70; k++)
        {
          double x = 1080000 + 100.0 * (k % 10), y = 8960000 + 100.0 * (k / 10);
          g_string_append_printf (wkt, ", ((%.1f %.1f, %.1f %.1f, %.1f %.1f, %.1f %.1f, %.1f %.1f))",
                                  x, y, x + 50, y, x + 50, y + 50, x, y + 50, x, y);
        }
      g_string_append (wkt, ")");
      many = gis_geometry_new_from_wkt (wkt->str, &error);
      g_string_free (wkt, TRUE);
      assert_no_error (error);
      dm = gis_overlay_subtract (overlay, many, &error);
      assert_no_error (error);
      if (!gis_geometry_is_valid (dm, &why, &error))
        fail_msg ("the difference of 71 parts is invalid: %s", why);
      assert_close_rel (gis_geometry_planar_area (dm), 5736295.975863517 + 70 * 2500.0, 1e-9);
      assert_overlay_like_geos (cutters, many, 1e-9);
    }
  }
  /* What the sweep does not take goes to the float overlay, without a crash: a line (no
   * area: nothing left), a polygon whose only ring has no area (nothing left either), and
   * a target far larger than any grid step (a continent in metres, cut in half). */
  {
    g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
    g_autoptr(GisOverlay) overlay = NULL;
    const char *wkts[] = { "LINESTRING (-1 0.5, 3 0.5)", "POLYGON ((0 0, 1 1, 2 2, 0 0))" };

    g_ptr_array_add (cutters, gis_geometry_new_rectangle (0, 0, 1, 1));
    g_ptr_array_add (cutters, gis_geometry_new_rectangle (-1e7, -1e7, 0, 1e7));
    overlay = gis_overlay_new (cutters, &error);
    assert_no_error (error);
    for (guint k = 0; k < G_N_ELEMENTS (wkts); k++)
      {
        g_autoptr(GisGeometry) g = gis_geometry_new_from_wkt (wkts[k], &error);
        g_autoptr(GisGeometry) d = NULL;

        assert_no_error (error);
        d = gis_overlay_subtract (overlay, g, &error);
        assert_no_error (error);
        assert_non_null (d);
        assert_close_abs (gis_geometry_planar_area (d), 0, 0);
      }
    {
      g_autoptr(GisGeometry) big = gis_geometry_new_rectangle (-1e7, -5e6, 1e7, 5e6);
      g_autoptr(GisGeometry) d = gis_overlay_subtract (overlay, big, &error);

      assert_no_error (error);
      assert_close_rel (gis_geometry_planar_area (d), 1e7 * 1e7, 1e-12);
    }
  }
  /* Random stars against random stars. */
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (11);
    g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);

    for (guint k = 0; k < 60; k++)
      g_ptr_array_add (cutters, star (rand, g_rand_double_range (rand, 0, 5000),
                                      g_rand_double_range (rand, 0, 5000), 100, 600, 40,
                                      g_rand_boolean (rand)));
    for (guint k = 0; k < 40; k++)
      {
        g_autoptr(GisGeometry) target = star (rand, g_rand_double_range (rand, 0, 5000),
                                              g_rand_double_range (rand, 0, 5000), 200, 900,
                                              150, g_rand_boolean (rand));
        assert_overlay_like_geos (cutters, target, 1e-8);
      }
  }
}

/* A ring of integer points around (0, 0) as WKT, n points: a star (simple), then bent by
 * @kind: 1 random points (mostly crossing), 2 a point moved onto a far edge (a touch),
 * 3 a spike (a point and back), 4 a point onto a far point (a pinch), 5 a point one ulp
 * from a far edge (orientation near zero), 6 a point moved out past the far side. */
static char *
bent_ring (GRand *rand, guint n, guint kind, gboolean multi)
{
  g_autofree double *x = g_new (double, n + 1);
  g_autofree double *y = g_new (double, n + 1);
  GString *wkt = g_string_new (multi ? "MULTIPOLYGON (((" : "POLYGON ((");
  guint i = g_rand_int_range (rand, 0, n), j = (i + n / 2) % n;

  for (guint k = 0; k < n; k++)
    {
      double a = 2 * G_PI * k / n, r = g_rand_int_range (rand, 500, 1000);
      x[k] = kind == 1 ? g_rand_int_range (rand, -100, 100) : round (r * cos (a)) * 2;
      y[k] = kind == 1 ? g_rand_int_range (rand, -100, 100) : round (r * sin (a)) * 2;
    }
  switch (kind)
    {
    case 2:   /* onto the middle of edge j (even coordinates: the middle is exact) */
      x[i] = (x[j] + x[(j + 1) % n]) / 2;
      y[i] = (y[j] + y[(j + 1) % n]) / 2;
      break;
    case 3:   /* i + 1 goes back onto the segment from i - 1 to i */
      x[(i + 1) % n] = (x[i] + x[(i + n - 1) % n]) / 2;
      y[(i + 1) % n] = (y[i] + y[(i + n - 1) % n]) / 2;
      break;
    case 4:
      x[i] = x[j];
      y[i] = y[j];
      break;
    case 5:   /* the middle of edge j, nudged by an ulp either way */
      x[i] = nextafter ((x[j] + x[(j + 1) % n]) / 2, g_rand_boolean (rand) ? 1e9 : -1e9);
      y[i] = (y[j] + y[(j + 1) % n]) / 2;
      break;
    case 6:   /* past the far side: its two edges cross the ring */
      x[i] = x[j] * 2;
      y[i] = y[j] * 2;
      break;
    }
  x[n] = x[0];
  y[n] = y[0];
  for (guint k = 0; k <= n; k++)
    g_string_append_printf (wkt, "%s%.17g %.17g", k ? ", " : "", x[k], y[k]);
  g_string_append (wkt, multi ? ")))" : "))");
  return g_string_free (wkt, FALSE);
}

/* The quick proof of validity for one-ring polygons never says "valid" where GEOS says
 * otherwise, and where it cannot prove it GEOS answers: the verdict is GEOS's own on stars,
 * random rings, touches, spikes, pinches and points an ulp from an edge. */
static void
test_validity_agrees_with_geos (void **state)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  GEOSContextHandle_t h = GEOS_init_r ();
  GEOSWKTReader *reader = GEOSWKTReader_create_r (h);
  guint valid[7] = { 0 }, invalid[7] = { 0 };

  for (guint k = 0; k < 3500; k++)
    {
      guint kind = k % 7;
      guint n = g_rand_int_range (rand, 4, kind == 1 ? 12 : 400);
      g_autofree char *wkt = bent_ring (rand, n, kind, g_rand_boolean (rand));
      g_autoptr(GError) error = NULL;
      g_autoptr(GisGeometry) g = gis_geometry_new_from_wkt (wkt, &error);
      GEOSGeometry *oracle = GEOSWKTReader_read_r (h, reader, wkt);
      char want = GEOSisValid_r (h, oracle);
      gboolean got;

      assert_no_error (error);
      got = gis_geometry_is_valid (g, NULL, &error);
      assert_no_error (error);
      if (got != (want == 1))
        fail_msg ("kind %u: Placer says %s, GEOS %s: %s", kind, got ? "valid" : "invalid",
                  want == 1 ? "valid" : "invalid", wkt);
      if (got)
        valid[kind]++;
      else
        invalid[kind]++;
      GEOSGeom_destroy_r (h, oracle);
    }
  /* By hand: a triangle folded onto one line, a square, a square with a spike, a bow tie. */
  {
    const char *cases[] = { "POLYGON ((0 0, 2 0, 1 0, 0 0))", "POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))",
                            "POLYGON ((0 0, 4 0, 4 4, 4 6, 4 4, 0 4, 0 0))",
                            "POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))" };
    const gboolean want[] = { FALSE, TRUE, FALSE, FALSE };

    for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
      {
        g_autoptr(GisGeometry) g = gis_geometry_new_from_wkt (cases[c], NULL);
        g_autoptr(GError) error = NULL;
        if (gis_geometry_is_valid (g, NULL, &error) != want[c])
          fail_msg ("%s: expected %s", cases[c], want[c] ? "valid" : "invalid");
      }
  }
  /* Each bend makes invalid rings, and the stars are valid. */
  assert_true (valid[0] > 400 && invalid[0] == 0);
  for (guint kind = 1; kind < 7; kind++)
    if (invalid[kind] < 100)
      fail_msg ("kind %u: only %u invalid rings", kind, invalid[kind]);
  GEOSWKTReader_destroy_r (h, reader);
  GEOS_finish_r (h);
}

/* A buffer in metres along a 2,000 km line keeps its width: the line is cut into tiles, each
 * buffered in a projection centred on it. Along the equator from 20° E to 38° E, 5 km either
 * side: the band |φ| ≤ φ5 (meridian arc of 5 km: φ5 = 5000 / a(1 − e²) rad, to 1e-8) plus two
 * half-discs of 5 km at the ends (π r² in all). */
static void
test_buffer_metres_long_line (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs84 = gis_crs_new_from_epsg (4326, &error);
  g_autoptr(GisGeometry) line = gis_geometry_new_from_wkt ("LINESTRING (20 0, 29 0, 38 0)", &error);
  g_autoptr(GisGeometry) buffer = NULL;
  double f = 1 / 298.257223563, e2 = f * (2 - f);
  double phi5 = 5000 / (6378137.0 * (1 - e2)) * 180 / G_PI;
  double expected_ha = quad_ha (20, -phi5, 38, phi5) + G_PI * 5000 * 5000 / 1e4;
  double area = 0;
  GisEnvelope env;

  assert_no_error (error);
  buffer = gis_geometry_buffer_metres (line, wgs84, 5000, &error);
  assert_no_error (error);
  assert_true (gis_geodesic_area (buffer, wgs84, &area, &error));
  assert_no_error (error);
  assert_close_rel (area / 1e4, expected_ha, 2e-4);
  gis_geometry_get_envelope (buffer, &env);
  assert_close_rel (env.max_y, phi5, 1e-4);
  assert_close_rel (-env.min_y, phi5, 1e-4);
  /* Near the far end, 1,000 km from the line's middle, the buffer is still 5 km wide to
   * 2e-4 (one projection centred on the middle would make it 4.98 km there). */
  for (int side = -1; side <= 1; side += 2)
    {
      g_autoptr(GisGeometry) in = gis_geometry_new_point (37.9, side * phi5 * (1 - 2e-4));
      g_autoptr(GisGeometry) out = gis_geometry_new_point (37.9, side * phi5 * (1 + 2e-4));
      assert_true (gis_geometry_contains (buffer, in, &error));
      assert_false (gis_geometry_contains (buffer, out, &error));
      assert_no_error (error);
    }
}

/* Two countries whose polygons leave a gap of 0.005° (about 555 m) along their border share
 * no edge exactly; within 1 km the whole east side of the first runs along the second (plus
 * the ends of its north and south sides near the other's corners: 1 km is 0.009°), within
 * 100 m nothing does. */
static void
test_near_edges (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs84 = gis_crs_new_from_epsg (4326, &error);
  g_autoptr(GisGeometry) a = gis_geometry_new_rectangle (29.0, -2.1, 29.2, -1.9);
  g_autoptr(GisGeometry) b = gis_geometry_new_rectangle (29.205, -2.1, 29.4, -1.9);
  g_autoptr(GisGeometry) exact = gis_geometry_shared_edges (a, b, &error);
  g_autoptr(GisGeometry) near = NULL;
  g_autoptr(GisGeometry) none = NULL;
  GisEnvelope e;

  assert_no_error (error);
  assert_true (gis_geometry_is_empty (exact));
  near = gis_geometry_near_edges (a, b, wgs84, 1000, &error);
  assert_no_error (error);
  assert_int_equal (gis_geometry_get_geometry_type (near), GIS_GEOMETRY_MULTILINESTRING);
  gis_geometry_get_envelope (near, &e);
  assert_close_abs (e.max_x, 29.2, 1e-12);
  assert_close_abs (e.min_y, -2.1, 1e-12);
  assert_close_abs (e.max_y, -1.9, 1e-12);
  /* The north side's end: points of y = -1.9 within 1 km of (29.205, -1.9), i.e. from
   * 29.205 minus 1 km of longitude at 1.9° S (0.008988°), to 1e-5 (the buffer's chords). */
  assert_close_abs (e.min_x, 29.205 - 1000 / (111319.49 * cos (1.9 * G_PI / 180)), 1e-5);
  none = gis_geometry_near_edges (a, b, wgs84, 100, &error);
  assert_no_error (error);
  assert_true (gis_geometry_is_empty (none));
}

static void
test_shared_edges (void **state)
{
  /* Two rectangles sharing half of an edge: the shared line is x = 2, y 1–3 (length 2);
   * one meeting them at a corner only shares no line; a MultiPolygon shares its parts'
   * edges. */
  g_autoptr(GError) error = NULL;
  g_autoptr(GisGeometry) a = gis_geometry_new_rectangle (0, 0, 2, 3);
  g_autoptr(GisGeometry) b = gis_geometry_new_rectangle (2, 1, 5, 4);
  g_autoptr(GisGeometry) corner = gis_geometry_new_rectangle (-1, -1, 0, 0);
  g_autoptr(GisGeometry) multi = gis_geometry_new_from_wkt (
    "MULTIPOLYGON (((5 0, 6 0, 6 1, 5 1, 5 0)), ((5 2, 6 2, 6 3, 5 3, 5 2)))", &error);
  g_autoptr(GisGeometry) ab = NULL;
  g_autoptr(GisGeometry) ac = NULL;
  g_autoptr(GisGeometry) bm = NULL;
  GisEnvelope e;

  assert_no_error (error);
  ab = gis_geometry_shared_edges (a, b, &error);
  assert_no_error (error);
  assert_int_equal (gis_geometry_get_geometry_type (ab), GIS_GEOMETRY_MULTILINESTRING);
  gis_geometry_get_envelope (ab, &e);
  assert_true (e.min_x == 2 && e.max_x == 2 && e.min_y == 1 && e.max_y == 3);

  ac = gis_geometry_shared_edges (a, corner, &error);
  assert_no_error (error);
  assert_true (gis_geometry_is_empty (ac));

  /* b's east edge x = 5 meets the two squares along y 1–1 (a point) and y 2–3 (a line). */
  bm = gis_geometry_shared_edges (b, multi, &error);
  assert_no_error (error);
  gis_geometry_get_envelope (bm, &e);
  assert_true (e.min_x == 5 && e.max_x == 5 && e.min_y == 2 && e.max_y == 3);
}

static void
test_threads_have_own_contexts (void **state)
{
  g_autoptr(GisGeometry) a = gis_geometry_new_rectangle (0, 0, 4, 4);
  g_autoptr(GisGeometry) b = gis_geometry_new_rectangle (3, 3, 5, 6);
  ThreadJob jobs[4];
  GThread *threads[4];

  for (guint i = 0; i < 4; i++)
    {
      jobs[i] = (ThreadJob) { a, b, 0 };
      threads[i] = g_thread_new ("overlay", thread_overlay, &jobs[i]);
    }
  for (guint i = 0; i < 4; i++)
    {
      g_thread_join (threads[i]);
      assert_close_abs (jobs[i].area, 200.0, 1e-9);
    }
}

static void
test_index (void **state)
{
  g_autoptr(GisIndex) index = gis_index_new ();
  g_autoptr(GArray) hits = NULL;
  GisEnvelope q = { 0.5, 0.5, 1.5, 1.5 };

  for (guint i = 0; i < 100; i++)
    {
      GisEnvelope e = { i, 0, i + 1, 1 };
      gis_index_insert (index, &e, i);
    }
  hits = gis_index_query (index, &q);
  /* Boxes [0,1] and [1,2] meet [0.5,1.5]. */
  assert_int_equal (hits->len, 2);
  assert_int_equal (g_array_index (hits, guint, 0), 0);
  assert_int_equal (g_array_index (hits, guint, 1), 1);
  {
    GisEnvelope far = { 500, 500, 501, 501 };
    g_autoptr(GArray) none = gis_index_query (index, &far);
    assert_int_equal (none->len, 0);
  }
}

/* The packed tree against a scan of every box: random boxes of every size, boxes that are
 * points or lines, queries that only touch an edge or a corner, a query that is a point. */
static void
test_index_random (void **state)
{
  g_autoptr(GisIndex) index = gis_index_new ();
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (GisEnvelope));
  GRand *rand = g_rand_new_with_seed (11);

  for (guint i = 0; i < 5000; i++)
    {
      double x = g_rand_int_range (rand, 0, 1000), y = g_rand_int_range (rand, 0, 1000);
      double w = i % 7 == 0 ? 0 : g_rand_int_range (rand, 0, i % 5 == 0 ? 300 : 20);
      double h = i % 11 == 0 ? 0 : g_rand_int_range (rand, 0, 20);
      GisEnvelope e = { x, y, x + w, y + h };
      g_array_append_val (boxes, e);
      gis_index_insert (index, &e, i * 3);   /* item numbers are the caller's own */
    }
  assert_int_equal (gis_index_get_size (index), 5000);
  for (guint q = 0; q < 600; q++)
    {
      double x = g_rand_int_range (rand, -50, 1050), y = g_rand_int_range (rand, -50, 1050);
      double w = q % 3 == 0 ? 0 : g_rand_int_range (rand, 0, 120);
      GisEnvelope e = { x, y, x + w, y + (q % 4 == 0 ? 0 : w / 2) };
      g_autoptr(GArray) hits = gis_index_query (index, &e);
      guint k = 0;

      for (guint i = 0; i < boxes->len; i++)
        {
          const GisEnvelope *b = &g_array_index (boxes, GisEnvelope, i);
          if (b->min_x > e.max_x || e.min_x > b->max_x || b->min_y > e.max_y || e.min_y > b->max_y)
            continue;
          assert_true (k < hits->len);
          assert_int_equal (g_array_index (hits, guint, k), i * 3);
          k++;
        }
      assert_int_equal (hits->len, k);
    }
  g_rand_free (rand);
  {
    g_autoptr(GisIndex) empty = gis_index_new ();
    GisEnvelope e = { 0, 0, 1, 1 };
    g_autoptr(GArray) none = gis_index_query (empty, &e);
    assert_int_equal (none->len, 0);
  }
}

/* The curve visits the quadrants of its extent in the order (low x, low y), (low, high),
 * (high, high), (high, low), and points outside the extent count as on its edge. */
static void
test_hilbert_order (void **state)
{
  GisEnvelope ext = { 0, 0, 2, 2 };
  guint32 a = gis_hilbert_index (0.5, 0.5, &ext), b = gis_hilbert_index (0.5, 1.5, &ext);
  guint32 c = gis_hilbert_index (1.5, 1.5, &ext), d = gis_hilbert_index (1.5, 0.5, &ext);

  assert_true (a < b && b < c && c < d);
  assert_true (a < (1u << 30) && b >= (1u << 30) && b < (2u << 30) && d >= (3u << 30));
  assert_int_equal (gis_hilbert_index (-5, -5, &ext), gis_hilbert_index (0, 0, &ext));
  assert_int_equal (gis_hilbert_index (NAN, 0, &ext), gis_hilbert_index (0, 0, &ext));
}

/* gis_overlay_locate_many answers each point as gis_overlay_locate does. */
static void
assert_locate_many_exact (GisOverlay *overlay, const double *x, const double *y, guint n)
{
  g_autofree gint *found = g_new (gint, n);

  gis_overlay_locate_many (overlay, x, y, n, found, 2);
  for (guint i = 0; i < n; i++)
    if (found[i] != gis_overlay_locate (overlay, x[i], y[i]))
      fail_msg ("(%.17g, %.17g): %d at once, %d one at a time", x[i], y[i], found[i],
                gis_overlay_locate (overlay, x[i], y[i]));
}

static void
test_overlay_locate_many (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  g_autoptr(GisOverlay) overlay = NULL;
  g_autoptr(GisOverlay) with_line = NULL;
  g_autofree double *x = g_new (double, 40000);
  g_autofree double *y = g_new (double, 40000);
  GRand *rand = g_rand_new_with_seed (4);

  /* Overlapping cutters: where two hold a point the first wins, also in the grid's cells
   * that lie wholly in both; a ring with a hole; an empty polygon. */
  g_ptr_array_add (cutters, gis_geometry_new_rectangle (0, 0, 6, 4));
  g_ptr_array_add (cutters, gis_geometry_new_from_wkt (
                     "POLYGON ((2 1, 9 1, 9 7, 2 7, 2 1), (4 3, 5 3, 5 5, 4 5, 4 3))", &error));
  g_ptr_array_add (cutters, gis_geometry_new_from_wkt ("POLYGON EMPTY", &error));
  g_ptr_array_add (cutters, gis_geometry_new_from_wkt (
                     "MULTIPOLYGON (((1 1, 3 6, 7 2, 1 1)), ((8 8, 9 8, 9 9, 8 8)))", &error));
  assert_no_error (error);
  overlay = gis_overlay_new (cutters, &error);
  assert_no_error (error);
  for (guint i = 0; i < 40000; i++)
    {
      /* Half on a lattice of 1/16 (edges, corners, vertices), half anywhere. */
      x[i] = i % 2 ? g_rand_int_range (rand, -16, 160) / 16.0 : g_rand_double_range (rand, -1, 10);
      y[i] = i % 2 ? g_rand_int_range (rand, -16, 160) / 16.0 : g_rand_double_range (rand, -1, 10);
    }
  assert_locate_many_exact (overlay, x, y, 40000);
  {
    double px[] = { 3, 4.5, 8.5, -1, 2, 4.5, 4.5 };
    double py[] = { 2, 4.8, 2, -1, 1, 4, 4.5 };
    gint found[7];
    gis_overlay_locate_many (overlay, px, py, 7, found, 1);
    /* In 0, 1 and 3: 0. In 1's hole, above 0, beyond the triangle's edge x + y = 9: none.
     * Only in 1. Outside all. Inside 0, on 1's corner: 0. On 0's top edge: 0. In the hole
     * and on the triangle's edge: 3. */
    assert_int_equal (found[0], 0);
    assert_int_equal (found[1], -1);
    assert_int_equal (found[2], 1);
    assert_int_equal (found[3], -1);
    assert_int_equal (found[4], 0);
    assert_int_equal (found[5], 0);
    assert_int_equal (found[6], 3);
  }

  /* A line among the cutters (GEOS holds a point on it): every point goes to GEOS. */
  g_ptr_array_add (cutters, gis_geometry_new_from_wkt ("LINESTRING (-1 -1, 10 10)", &error));
  assert_no_error (error);
  with_line = gis_overlay_new (cutters, &error);
  assert_no_error (error);
  assert_locate_many_exact (with_line, x, y, 40000);
  g_rand_free (rand);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_wkt_round_trip),
    cmocka_unit_test (test_z_and_m_dropped),
    cmocka_unit_test (test_wkb_round_trip_and_big_endian),
    cmocka_unit_test (test_bad_input_rejected),
    cmocka_unit_test (test_empty_and_huge),
    cmocka_unit_test (test_validity_reasons),
    cmocka_unit_test (test_make_valid_bow_tie),
    cmocka_unit_test (test_overlay_areas),
    cmocka_unit_test (test_sliver_kept),
    cmocka_unit_test (test_buffer_and_polygonal_part),
    cmocka_unit_test (test_clip_to_box),
    cmocka_unit_test (test_overlay_family_and_filter),
    cmocka_unit_test (test_overlay_integer_engine),
    cmocka_unit_test (test_validity_agrees_with_geos),
    cmocka_unit_test (test_buffer_metres_long_line),
    cmocka_unit_test (test_near_edges),
    cmocka_unit_test (test_shared_edges),
    cmocka_unit_test (test_threads_have_own_contexts),
    cmocka_unit_test (test_index),
    cmocka_unit_test (test_index_random),
    cmocka_unit_test (test_spool),
    cmocka_unit_test (test_overlay_results_are_freed),
    cmocka_unit_test (test_hilbert_order),
    cmocka_unit_test (test_overlay_locate_many),
  };

  gis_init ();
  return cmocka_run_group_tests_name ("gis-geometry", tests, NULL, NULL);
}
