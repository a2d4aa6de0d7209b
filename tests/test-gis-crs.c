/* test-gis-crs.c: CRSs, transforms against pinned cs2cs output, geodesic areas against
 * Planimeter and lengths against GeodSolve (tests/oracles/)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <string.h>

#include "gis.h"

static void
test_transforms_match_cs2cs (void **state)
{
  g_autoptr(GPtrArray) rows = test_read_csv ("oracles/cs2cs.csv");

  assert_true (rows->len >= 10);
  for (guint i = 0; i < rows->len; i++)
    {
      char **r = g_ptr_array_index (rows, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GisCrs) src = gis_crs_new_from_user_input (r[0], &error);
      g_autoptr(GisCrs) dst = gis_crs_new_from_user_input (r[1], &error);
      g_autoptr(GisTransform) t = NULL;
      double x = g_ascii_strtod (r[2], NULL), y = g_ascii_strtod (r[3], NULL);
      double ex = g_ascii_strtod (r[4], NULL), ey = g_ascii_strtod (r[5], NULL);
      /* cs2cs printed 6 decimals for metres, 9 for degrees */
      double tol = gis_crs_is_geographic (dst) ? 2e-9 : 2e-6;

      assert_no_error (error);
      t = gis_transform_new (src, dst, &error);
      assert_no_error (error);
      assert_true (gis_transform_points (t, &x, &y, 1, &error));
      assert_no_error (error);
      if (fabs (x - ex) > tol || fabs (y - ey) > tol)
        fail_msg ("%s → %s: got %.9f %.9f, cs2cs %.9f %.9f", r[0], r[1], x, y, ex, ey);
    }
}

static void
test_axis_order_is_traditional (void **state)
{
  /* lat 12° N, lon 1° W in UTM 30N. Fed in authority order (lat first) GDAL 3 would give
   * 2188391.66, −114456.10; Placer always takes lon first. */
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, &error);
  g_autoptr(GisCrs) utm = gis_crs_new_from_epsg (32630, &error);
  g_autoptr(GisTransform) t = gis_transform_new (wgs, utm, &error);
  g_autoptr(GisGeometry) p = gis_geometry_new_from_wkt ("POINT (-1 12)", &error);
  g_autoptr(GisGeometry) q = NULL;
  GisEnvelope e;

  assert_no_error (error);
  q = gis_transform_geometry (t, p, &error);
  assert_no_error (error);
  gis_geometry_get_envelope (q, &e);
  assert_close_abs (e.min_x, 717758.85, 0.01);
  assert_close_abs (e.min_y, 1327344.06, 0.01);
}

static void
test_crs_facts_and_errors (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs = gis_crs_new_from_user_input ("EPSG:4326", &error);
  g_autoptr(GisCrs) utm = gis_crs_new_from_user_input ("32735", &error);
  g_autoptr(GisCrs) again = NULL;
  g_autoptr(GisCrs) guessed = NULL;
  g_autofree char *label = NULL;

  assert_no_error (error);
  assert_int_equal (gis_crs_get_epsg (wgs), 4326);
  assert_true (gis_crs_is_geographic (wgs));
  assert_false (gis_crs_is_geographic (utm));
  assert_close_abs (gis_crs_get_semi_major (utm), 6378137.0, 0);
  assert_close_rel (gis_crs_get_flattening (utm), 1 / 298.257223563, 1e-12);
  label = gis_crs_dup_label (utm);
  assert_string_equal (label, "EPSG:32735 (WGS 84 / UTM zone 35S)");
  /* The WKT round trip gives an equal CRS with the same EPSG code. */
  again = gis_crs_new_from_wkt (gis_crs_get_wkt (utm), &error);
  assert_no_error (error);
  assert_int_equal (gis_crs_get_epsg (again), 32735);
  assert_true (gis_crs_equal (utm, again));
  assert_false (gis_crs_equal (utm, wgs));
  /* Goma lies in UTM 35S; Kigali (30.06 E) in 36S. */
  guessed = gis_crs_new_utm_for (29.22, -1.68, &error);
  assert_int_equal (gis_crs_get_epsg (guessed), 32735);
  g_clear_pointer (&guessed, gis_crs_unref);
  guessed = gis_crs_new_utm_for (30.06, -1.95, &error);
  assert_int_equal (gis_crs_get_epsg (guessed), 32736);

  {
    const char *bad[] = { "EPSG:999999", "EPSG:", "EPSG:12x", "http://example.org/crs",
                          "/etc/passwd", "+proj=nonsense", "GEOGCS[", NULL };
    for (guint i = 0; bad[i] != NULL; i++)
      {
        g_autoptr(GError) e = NULL;
        g_autoptr(GisCrs) c = gis_crs_new_from_user_input (bad[i], &e);
        if (c != NULL)
          fail_msg ("“%s” was accepted as a CRS", bad[i]);
        assert_true (g_error_matches (e, GIS_ERROR, GIS_ERROR_CRS));
      }
  }
}

static void
test_cell_areas_match_planimeter (void **state)
{
  g_autoptr(GPtrArray) rows = test_read_csv ("oracles/cells.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, &error);
  gboolean saw_drc_cell = FALSE;

  assert_true (rows->len >= 10);
  for (guint i = 0; i < rows->len; i++)
    {
      char **r = g_ptr_array_index (rows, i);
      g_autoptr(GisGeometry) cell = gis_geometry_new_rectangle (
        g_ascii_strtod (r[1], NULL), g_ascii_strtod (r[2], NULL), g_ascii_strtod (r[3], NULL),
        g_ascii_strtod (r[4], NULL));
      double expected = g_ascii_strtod (r[5], NULL);
      double area = 0;

      assert_true (gis_geodesic_area (cell, wgs, &area, &error));
      /* Planimeter printed 5 decimals of m²; the same algorithm agrees to ~1e-9 relative. */
      assert_close_rel (area, expected, 1e-9);
      if (g_str_equal (r[0], "30s_n-6.5"))
        {
          /* The DRC carré minier at 6.5° S: 84.94 ha (DOMAIN.md). */
          assert_close_abs (area / 1e4, 84.94, 0.005);
          saw_drc_cell = TRUE;
        }
    }
  assert_true (saw_drc_cell);
}

static void
test_equator_cell (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, &error);
  g_autoptr(GisGeometry) cell = gis_geometry_new_rectangle (20.0, -1.0 / 120, 20.0 + 1.0 / 120, 0);
  double area = 0;

  assert_true (gis_geodesic_area (cell, wgs, &area, &error));
  assert_close_abs (area / 1e4, 85.48, 0.005);
}

static gboolean
compare_polygon_cb (GisFeature *f, gpointer user_data, GError **error)
{
  GisLayerInfo *info = user_data;
  int name_idx = gis_layer_info_find_field (info, "name");
  int area_idx = gis_layer_info_find_field (info, "planimeter_m2");
  double expected = g_ascii_strtod (gis_feature_get (f, area_idx), NULL);
  double area = 0;

  if (!gis_geodesic_area (f->geometry, info->crs, &area, error))
    return FALSE;
  /* Acceptance: agree with Planimeter to 0.01 %; the same GeographicLib algorithm agrees to
   * the printed precision, so hold it to 1e-9. */
  if (fabs (area - expected) > 1e-9 * expected)
    fail_msg ("%s: %.5f m², Planimeter %.5f m²", gis_feature_get (f, name_idx), area, expected);
  return TRUE;
}

static void
test_real_polygons_match_planimeter (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = test_data_path ("oracles/admin-polygons.geojson");
  g_autoptr(GisDataset) ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  g_autoptr(GisLayerInfo) info = NULL;

  assert_no_error (error);
  info = gis_dataset_describe_layer (ds, NULL, &error);
  assert_no_error (error);
  assert_true (info->feature_count >= 12);
  assert_true (gis_dataset_foreach_feature (ds, NULL, NULL, compare_polygon_cb, info, NULL,
                                            &error));
  assert_no_error (error);
}

static void
test_projected_input_same_area (void **state)
{
  /* The same square in UTM 35S and in lon/lat gives the same geodesic area: Placer goes
   * back to the ellipsoid, never uses the planar UTM area (which is off by the scale
   * factor, ~0.04 % here). */
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) utm = gis_crs_new_from_epsg (32735, &error);
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, &error);
  g_autoptr(GisGeometry) sq = gis_geometry_new_rectangle (700000, 9800000, 701000, 9801000);
  g_autoptr(GisTransform) t = gis_transform_new (utm, wgs, &error);
  g_autoptr(GisGeometry) ll = gis_transform_geometry (t, sq, &error);
  double a_utm = 0, a_ll = 0;

  assert_no_error (error);
  assert_true (gis_geodesic_area (sq, utm, &a_utm, &error));
  assert_true (gis_geodesic_area (ll, wgs, &a_ll, &error));
  assert_close_rel (a_utm, a_ll, 1e-9);
  assert_true (fabs (a_utm - 1e6) / 1e6 > 1e-4);
}

static void
test_lengths_match_geodsolve (void **state)
{
  g_autoptr(GPtrArray) rows = test_read_csv ("oracles/geodesic-lines.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, &error);

  for (guint i = 0; i < rows->len; i++)
    {
      char **r = g_ptr_array_index (rows, i);
      g_autofree char *wkt = g_strdup_printf ("LINESTRING (%s %s, %s %s)", r[1], r[2], r[3], r[4]);
      g_autoptr(GisGeometry) line = gis_geometry_new_from_wkt (wkt, &error);
      double len = 0;
      double expected = g_ascii_strtod (r[5], NULL);

      assert_no_error (error);
      assert_true (gis_geodesic_length (line, wgs, &len, &error));
      assert_close_abs (len, expected, 1e-6);
      assert_close_abs (gis_geodesic_distance (g_ascii_strtod (r[1], NULL),
                                               g_ascii_strtod (r[2], NULL),
                                               g_ascii_strtod (r[3], NULL),
                                               g_ascii_strtod (r[4], NULL)), expected, 1e-6);
    }
}

static void
test_polyline_length (void **state)
{
  g_autoptr(GPtrArray) rows = test_read_csv ("oracles/geodesic-polyline.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, &error);
  GString *wkt = g_string_new ("LINESTRING (");
  g_autoptr(GisGeometry) line = NULL;
  double len = 0, expected = 0;

  for (guint i = 0; i < rows->len; i++)
    {
      char **r = g_ptr_array_index (rows, i);
      g_string_append_printf (wkt, "%s%s %s", i ? ", " : "", r[2], r[3]);
      expected = g_ascii_strtod (r[4], NULL);
    }
  g_string_append (wkt, ")");
  line = gis_geometry_new_from_wkt (wkt->str, &error);
  g_string_free (wkt, TRUE);
  assert_no_error (error);
  assert_true (gis_geodesic_length (line, wgs, &len, &error));
  assert_close_abs (len, expected, 1e-6);
}

static gboolean
meter_cb (GisFeature *f, gpointer user_data, GError **error)
{
  GisAreaMeter *meter = user_data;
  double a = 0, b = 0, again = 0;
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, NULL);

  if (!gis_area_meter_measure (meter, f->geometry, &a, error) ||
      !gis_area_meter_measure (meter, f->geometry, &again, error) ||
      !gis_geodesic_area (f->geometry, wgs, &b, error))
    return FALSE;
  /* The meter sums the same per-edge terms as geod_polygonarea: equal to rounding. */
  assert_close_rel (a, b, 1e-11);
  assert_true (a == again);
  return TRUE;
}

/* Short edges (under about 200 m) are summed by Simpson's rule instead of solving each
 * geodesic: polygons of 200 edges from 9 m to 160 m long, near the equator, in the tropics and
 * at 45° and 70°, keep geod_polygonarea's area to a thousandth of a square metre (the
 * midpoint of a straight line in longitude and latitude instead would be off by metres). */
static void
test_area_meter_short_edges (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, &error);
  g_autoptr(GisAreaMeter) meter = gis_area_meter_new (wgs, &error);
  const double lats[] = { 0.2, -3, 20, 45, 70 }, radii[] = { 300, 1000, 5000 };

  assert_no_error (error);
  gis_area_meter_set_remember (meter, FALSE);
  for (guint k = 0; k < G_N_ELEMENTS (lats); k++)
    for (guint q = 0; q < G_N_ELEMENTS (radii); q++)
      {
        GString *wkt = g_string_new ("POLYGON ((");
        g_autoptr(GisGeometry) g = NULL;
        double a = 0, b = 0;

        for (guint i = 0; i <= 200; i++)
          {
            double t = 2 * G_PI * (i % 200) / 200;
            g_string_append_printf (wkt, "%s%.15f %.15f", i ? ", " : "",
                                    25 + radii[q] * cos (t) / (111320 * cos (lats[k] * G_PI / 180)),
                                    lats[k] + radii[q] * sin (t) / 110574);
          }
        g_string_append (wkt, "))");
        g = gis_geometry_new_from_wkt (wkt->str, &error);
        g_string_free (wkt, TRUE);
        assert_no_error (error);
        assert_true (gis_area_meter_measure (meter, g, &a, &error));
        assert_true (gis_geodesic_area (g, wgs, &b, &error));
        assert_close_abs (a, b, 1e-3);
      }
}

static void
test_area_meter_matches (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = test_data_path ("oracles/admin-polygons.geojson");
  g_autoptr(GisDataset) ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, &error);
  g_autoptr(GisCrs) utm = gis_crs_new_from_epsg (32735, &error);
  g_autoptr(GisAreaMeter) meter = gis_area_meter_new (wgs, &error);
  g_autoptr(GisAreaMeter) utm_meter = gis_area_meter_new (utm, &error);
  const char *shapes[] = {
    /* across the prime meridian, as in West Africa */
    "POLYGON ((-1.5 10, 1.2 10, 1.2 11.3, -1.5 11.3, -1.5 10))",
    /* around the south pole: a ring the general algorithm must handle */
    "POLYGON ((0 -80, 90 -80, 180 -80, -90 -80, 0 -80))",
    /* a large one, a sixth of a hemisphere */
    "POLYGON ((0 0, 60 0, 60 50, 0 50, 0 0))",
    NULL
  };

  assert_no_error (error);
  assert_true (gis_dataset_foreach_feature (ds, NULL, NULL, meter_cb, meter, NULL, &error));
  assert_no_error (error);
  for (guint i = 0; shapes[i] != NULL; i++)
    {
      g_autoptr(GisGeometry) g = gis_geometry_new_from_wkt (shapes[i], &error);
      double a = 0, b = 0;
      assert_true (gis_area_meter_measure (meter, g, &a, &error));
      assert_true (gis_geodesic_area (g, wgs, &b, &error));
      assert_close_rel (a, b, 1e-11);
    }
  /* Projected input: the UTM square measures as the geodesic area of its corners. */
  {
    g_autoptr(GisGeometry) sq = gis_geometry_new_rectangle (700000, 9800000, 701000, 9801000);
    double a = 0, b = 0;
    assert_true (gis_area_meter_measure (utm_meter, sq, &a, &error));
    assert_true (gis_geodesic_area (sq, utm, &b, &error));
    assert_close_rel (a, b, 1e-11);
  }
}

/* A Transverse Mercator CRS is undone by the meter's own series, not by PROJ: its areas
 * equal those of the same rings taken to lon/lat by PROJ and measured there, for UTM north
 * and south, a national grid with its origin off the equator on another ellipsoid (British
 * National Grid, Airy), one in US survey feet (Florida East), and a Gauss-Krüger zone
 * whose EPSG axes are northing first. Rings of 400 points, 0.5 to 300 km across, so that
 * both short and long edges count. */
static void
test_area_meter_transverse_mercator (void **state)
{
  const struct { int epsg, base; double lon, lat; } grids[] = {
    { 32735, 4326, 28.9, -2.4 }, { 32630, 4326, -1.3, 12.1 }, { 27700, 4277, -1.2, 52.6 },
    { 2236, 4269, -81.0, 27.5 }, { 31467, 4314, 9.3, 50.9 },
  };
  const double radii_deg[] = { 0.0025, 0.4, 1.4 };
  GRand *rand = g_rand_new_with_seed (23);

  for (guint g = 0; g < G_N_ELEMENTS (grids); g++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisCrs) crs = gis_crs_new_from_epsg (grids[g].epsg, &error);
      g_autoptr(GisCrs) wgs = NULL;
      g_autoptr(GisTransform) to_ll = NULL;
      g_autoptr(GisAreaMeter) tm = NULL;
      g_autoptr(GisAreaMeter) ll = NULL;

      assert_no_error (error);
      wgs = gis_crs_new_from_epsg (grids[g].base, &error);
      assert_no_error (error);
      to_ll = gis_transform_new (crs, wgs, &error);
      tm = gis_area_meter_new (crs, &error);
      ll = gis_area_meter_new (wgs, &error);
      assert_no_error (error);
      for (guint r = 0; r < G_N_ELEMENTS (radii_deg); r++)
        {
          g_autoptr(GisTransform) from_ll = gis_transform_new (wgs, crs, &error);
          GString *wkt = g_string_new ("POLYGON ((");
          g_autoptr(GisGeometry) ring = NULL;
          g_autoptr(GisGeometry) ring_ll = NULL;
          double x[401], y[401], a_tm = 0, a_ll = 0;

          for (guint k = 0; k < 400; k++)
            {
              double t = 2 * G_PI * k / 400;
              double rr = radii_deg[r] * g_rand_double_range (rand, 0.6, 1.0);
              x[k] = grids[g].lon + rr * cos (t);
              y[k] = grids[g].lat + rr * sin (t);
            }
          x[400] = x[0];
          y[400] = y[0];
          assert_true (gis_transform_points (from_ll, x, y, 401, &error));
          for (guint k = 0; k <= 400; k++)
            g_string_append_printf (wkt, "%s%.17g %.17g", k ? ", " : "", x[k], y[k]);
          g_string_append (wkt, "))");
          ring = gis_geometry_new_from_wkt (wkt->str, &error);
          g_string_free (wkt, TRUE);
          assert_no_error (error);
          ring_ll = gis_transform_geometry (to_ll, ring, &error);
          assert_no_error (error);
          assert_true (gis_area_meter_measure (tm, ring, &a_tm, &error));
          assert_true (gis_area_meter_measure (ll, ring_ll, &a_ll, &error));
          assert_no_error (error);
          assert_true (a_ll > 0);
          /* PROJ and the series agree to some 1e-14 degrees, a nanometre. */
          assert_close_rel (a_tm, a_ll, 1e-10);
        }
    }
  g_rand_free (rand);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_transforms_match_cs2cs),
    cmocka_unit_test (test_axis_order_is_traditional),
    cmocka_unit_test (test_crs_facts_and_errors),
    cmocka_unit_test (test_cell_areas_match_planimeter),
    cmocka_unit_test (test_equator_cell),
    cmocka_unit_test (test_real_polygons_match_planimeter),
    cmocka_unit_test (test_projected_input_same_area),
    cmocka_unit_test (test_lengths_match_geodsolve),
    cmocka_unit_test (test_polyline_length),
    cmocka_unit_test (test_area_meter_matches),
    cmocka_unit_test (test_area_meter_short_edges),
    cmocka_unit_test (test_area_meter_transverse_mercator),
  };

  gis_init ();
  return cmocka_run_group_tests_name ("gis-crs", tests, NULL, NULL);
}
