/* test-zones-dbscan.c: DBSCAN with distances in metres, against hand-placed points and a
 * brute-force clustering that measures true geodesics (GeographicLib's inverse problem)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <geodesic.h>
#include <string.h>

#include "zones.h"

/* Points along the equator, which is a geodesic: Δλ = s / a radians apart. */
static void
chain (double spacing_m, guint n, double *lon, double *lat)
{
  for (guint i = 0; i < n; i++)
    {
      lon[i] = 29.0 + i * spacing_m / 6378137.0 * 180 / G_PI;
      lat[i] = 0;
    }
}

static void
test_chain_joins_or_splits (void **state)
{
  double lon[6], lat[6];
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesDbscan) joined = NULL;
  g_autoptr(ZonesDbscan) split = NULL;

  /* 4.9 km apart with eps 5 km: each point reaches its neighbours, one cluster. */
  chain (4900, 6, lon, lat);
  joined = zones_dbscan_run (lon, lat, 6, 5000, 2, 1, NULL, &error);
  assert_no_error (error);
  assert_int_equal (joined->n_clusters, 1);
  for (guint i = 0; i < 6; i++)
    assert_int_equal (joined->labels[i], 0);
  /* 5.1 km apart: no point has a neighbour; with min 2 every one is noise. */
  chain (5100, 6, lon, lat);
  split = zones_dbscan_run (lon, lat, 6, 5000, 2, 1, NULL, &error);
  assert_int_equal (split->n_clusters, 0);
  for (guint i = 0; i < 6; i++)
    assert_int_equal (split->labels[i], -1);
}

static void
test_hand_placed (void **state)
{
  /* Near 29 E, 2 S (1° of latitude ≈ 110.6 km): a tight group of 4 (core), a pair, a lone
   * point, and a border point 4.5 km from one core point of the group but with only 2 points
   * within 5 km of itself. min_points 3, eps 5 km. */
  double d = 1.0 / 110.6;     /* ≈ 1 km in latitude */
  double lon[] = { 29.0, 29.0, 29.0, 29.0,          /* group: 0, 1, 1, 2 km north */
                   29.0, 29.0,                        /* 4.5 km beyond the last: border */
                   30.0, 30.0,                        /* a pair, 100 km east */
                   31.0 };                            /* alone */
  double lat[] = { -2.0, -2.0 + d, -2.0 + d * 1.01, -2.0 + 2 * d,
                   -2.0 + 6.5 * d, -2.0 + 12 * d,
                   -2.0, -2.0 + d,
                   -2.0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesDbscan) r = zones_dbscan_run (lon, lat, 9, 5000, 3, 1, NULL, &error);

  assert_no_error (error);
  assert_int_equal (r->n_clusters, 1);
  for (guint i = 0; i < 4; i++)
    {
      assert_int_equal (r->labels[i], 0);
      assert_true (r->core[i]);
    }
  /* 6.5 km north of the start: 4.5 km from point 3 (core), 5.5 km from point 2: a border
   * point of the group. */
  assert_int_equal (r->labels[4], 0);
  assert_false (r->core[4]);
  /* 12 km north: 5.5 km from point 4, which is not core anyway: noise. */
  assert_int_equal (r->labels[5], -1);
  /* The pair has 2 < 3 points: noise; so is the lone point. */
  assert_int_equal (r->labels[6], -1);
  assert_int_equal (r->labels[7], -1);
  assert_int_equal (r->labels[8], -1);
}

static void
test_bad_input (void **state)
{
  double lon[] = { 29.0, NAN }, lat[] = { -2.0, -2.0 };
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
  g_autoptr(ZonesDbscan) a = zones_dbscan_run (lon, lat, 2, 5000, 2, 1, NULL, &e1);
  g_autoptr(ZonesDbscan) b = zones_dbscan_run (lon, lat, 1, 0, 2, 1, NULL, &e2);
  g_autoptr(ZonesDbscan) c = zones_dbscan_run (lon, lat, 1, 5000, 0, 1, NULL, &e3);
  g_autoptr(ZonesDbscan) empty = zones_dbscan_run (NULL, NULL, 0, 5000, 2, 1, NULL, NULL);

  assert_null (a);
  assert_error_contains (e1, "Point 1");
  assert_null (b);
  assert_error_contains (e2, "distance");
  assert_null (c);
  assert_non_null (empty);
  assert_int_equal (empty->n_clusters, 0);
}

/* Brute force: classic DBSCAN by breadth-first expansion, geodesic distances. */
static gboolean
near (const double *lon, const double *lat, guint i, guint j, double eps, double *margin)
{
  static struct geod_geodesic g;
  static gboolean init;
  double s12;

  if (!init)
    {
      geod_init (&g, 6378137.0, 1 / 298.257223563);
      init = TRUE;
    }
  geod_inverse (&g, lat[i], lon[i], lat[j], lon[j], &s12, NULL, NULL);
  *margin = MIN (*margin, fabs (s12 - eps) / eps);
  return s12 <= eps;
}

/* Clusters the points with zones_dbscan_run() and with classic DBSCAN (breadth-first
 * expansion, geodesic distances), and checks they agree: the same core points, the same
 * clusters of core points numbered alike, and every border point in a cluster with a core
 * point within eps (DBSCAN lets a border point join any such cluster). */
static guint
check_against_brute_force (const double *lon, const double *lat, guint n, double eps,
                           guint min_points, guint n_threads)
{
  g_autofree gboolean *core = g_new0 (gboolean, n);
  g_autofree gint *label = g_new (gint, n);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesDbscan) r = NULL;
  double margin = 1;
  guint clusters = 0;

  for (guint i = 0; i < n; i++)
    {
      guint count = 0;
      for (guint j = 0; j < n; j++)
        count += near (lon, lat, i, j, eps, &margin);
      core[i] = count >= min_points;
      label[i] = -1;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GQueue) queue = NULL;
      if (!core[i] || label[i] >= 0)
        continue;
      queue = g_queue_new ();
      label[i] = (gint) clusters;
      g_queue_push_tail (queue, GUINT_TO_POINTER (i));
      while (!g_queue_is_empty (queue))
        {
          guint p = GPOINTER_TO_UINT (g_queue_pop_head (queue));
          for (guint j = 0; j < n; j++)
            if (core[j] && label[j] < 0 && near (lon, lat, p, j, eps, &margin))
              {
                label[j] = (gint) clusters;
                g_queue_push_tail (queue, GUINT_TO_POINTER (j));
              }
        }
      clusters++;
    }
  /* The data must not hold pairs so close to eps that the two metrics could disagree. */
  assert_true (margin > 1e-6);

  r = zones_dbscan_run (lon, lat, n, eps, min_points, n_threads, NULL, &error);
  assert_no_error (error);
  assert_int_equal (r->n_clusters, clusters);
  for (guint i = 0; i < n; i++)
    {
      assert_int_equal (r->core[i], core[i]);
      /* Both number clusters by their first point, so core labels match exactly. */
      if (core[i])
        assert_int_equal (r->labels[i], label[i]);
      else if (r->labels[i] >= 0)
        {
          /* A border point belongs to a cluster with a core point within eps. */
          gboolean ok = FALSE;
          for (guint j = 0; j < n && !ok; j++)
            ok = core[j] && label[j] == r->labels[i] && near (lon, lat, i, j, eps, &margin);
          assert_true (ok);
        }
      else
        {
          for (guint j = 0; j < n; j++)
            assert_false (core[j] && near (lon, lat, i, j, eps, &margin));
        }
    }
  return clusters;
}

static void
test_matches_brute_force (void **state)
{
  const guint n = 1500;
  g_autofree double *lon = g_new (double, n);
  g_autofree double *lat = g_new (double, n);
  GRand *rand = g_rand_new_with_seed (20261126);

  /* Clumps of sites scattered over 2° around the Kivus. */
  for (guint i = 0; i < n; i++)
    {
      guint clump = g_rand_int_range (rand, 0, 40);
      double cx = 28.0 + (clump % 8) * 0.25 + 0.01 * (clump / 8);
      double cy = -3.0 + (clump / 8) * 0.3;
      lon[i] = cx + g_rand_double_range (rand, -0.06, 0.06);
      lat[i] = cy + g_rand_double_range (rand, -0.06, 0.06);
    }
  g_rand_free (rand);
  assert_true (check_against_brute_force (lon, lat, n, 3000, 4, 2) >= 10);
}

static void
test_matches_brute_force_wide (void **state)
{
  /* Small clumps spread over 40° × 30° of Africa, eps 2 km: a grid of thousands of columns
   * and rows for few points, which the clustering walks without its dense row index. */
  const guint n = 1200;
  g_autofree double *lon = g_new (double, n);
  g_autofree double *lat = g_new (double, n);
  GRand *rand = g_rand_new_with_seed (77);

  for (guint i = 0; i < n; i++)
    {
      guint clump = g_rand_int_range (rand, 0, 60);
      double cx = -5.0 + (clump % 10) * 4.1, cy = -15.0 + (clump / 10) * 5.3;
      lon[i] = cx + g_rand_double_range (rand, -0.03, 0.03);
      lat[i] = cy + g_rand_double_range (rand, -0.03, 0.03);
    }
  g_rand_free (rand);
  assert_true (check_against_brute_force (lon, lat, n, 2000, 4, 1) >= 30);
}

/* The clumped sites of bench-dbscan, on a small scale. */
static void
clumped_sites (guint n, guint32 seed, double *lon, double *lat)
{
  GRand *rand = g_rand_new_with_seed (seed);
  guint n_clumps = MAX (n / 40, 1);
  g_autofree double *cx = g_new (double, n_clumps);
  g_autofree double *cy = g_new (double, n_clumps);
  double km_lat = 1 / 110.6, km_lon = 1 / (111.32 * cos (3 * G_PI / 180));

  for (guint c = 0; c < n_clumps; c++)
    {
      cx[c] = 28.0 + g_rand_double_range (rand, 0, 100) * km_lon;
      cy[c] = -4.5 + g_rand_double_range (rand, 0, 100) * km_lat;
    }
  for (guint i = 0; i < n; i++)
    {
      if (g_rand_double (rand) < 0.15)
        {
          lon[i] = 28.0 + g_rand_double_range (rand, 0, 100) * km_lon;
          lat[i] = -4.5 + g_rand_double_range (rand, 0, 100) * km_lat;
        }
      else
        {
          guint c = g_rand_int_range (rand, 0, n_clumps);
          double u = g_rand_double_range (rand, 1e-12, 1), v = g_rand_double (rand);
          double r = sqrt (-2 * log (u)) * 0.4;
          lon[i] = cx[c] + r * cos (2 * G_PI * v) * km_lon;
          lat[i] = cy[c] + r * sin (2 * G_PI * v) * km_lat;
        }
    }
  g_rand_free (rand);
}

static void
test_threads_agree (void **state)
{
  /* Enough sites for the work to be split: one, two and three threads give the same
   * labels, core flags and cluster count. */
  const guint n = 60000;
  g_autofree double *lon = g_new (double, n);
  g_autofree double *lat = g_new (double, n);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesDbscan) one = NULL;

  clumped_sites (n, 3, lon, lat);
  one = zones_dbscan_run (lon, lat, n, 300, 5, 1, NULL, &error);
  assert_no_error (error);
  assert_true (one->n_clusters > 100);
  for (guint t = 2; t <= 3; t++)
    {
      g_autoptr(ZonesDbscan) r = zones_dbscan_run (lon, lat, n, 300, 5, t, NULL, &error);
      assert_no_error (error);
      assert_int_equal (r->n_clusters, one->n_clusters);
      assert_memory_equal (r->labels, one->labels, n * sizeof (gint));
      assert_memory_equal (r->core, one->core, n * sizeof (gboolean));
    }
}

static void
test_across_the_antimeridian (void **state)
{
  /* Three sites 2 km apart along the equator, astride 180°: one cluster; and a far one. */
  double step = 2000 / 6378137.0 * 180 / G_PI;
  double lon[] = { 180 - step, 180.0, -180 + step, 0.0 };
  double lat[] = { 0, 0, 0, 0.5 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesDbscan) r = zones_dbscan_run (lon, lat, 4, 2100, 3, 1, NULL, &error);

  /* With a site on the other side of the globe: refused, one region at a time. */
  assert_null (r);
  assert_non_null (error);
  g_clear_error (&error);
  r = zones_dbscan_run (lon, lat, 3, 2100, 3, 1, NULL, &error);
  assert_no_error (error);
  assert_int_equal (r->n_clusters, 1);
  for (guint i = 0; i < 3; i++)
    assert_int_equal (r->labels[i], 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_chain_joins_or_splits),
    cmocka_unit_test (test_hand_placed),
    cmocka_unit_test (test_bad_input),
    cmocka_unit_test (test_matches_brute_force),
    cmocka_unit_test (test_matches_brute_force_wide),
    cmocka_unit_test (test_threads_agree),
    cmocka_unit_test (test_across_the_antimeridian),
  };

  return cmocka_run_group_tests_name ("zones-dbscan", tests, NULL, NULL);
}
