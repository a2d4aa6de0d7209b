/* bench-dbscan.c: clustering speed on realistic clumps of ASM sites
 *
 * Makes N points (default 10⁶) in 40-point clumps with 400 m spread and 15 % scattered noise
 * over a 300 × 300 km square near 29 E, 3 S (the layout of the peers' benchmark), then
 * clusters them with eps 300 m and 5 points, five times, and prints the median wall time and
 * the median CPU time of the process (on a shared machine, compare CPU times).
 *
 * Usage: bench-dbscan [N] [EPS_M] [MIN_POINTS] [THREADS]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "zones.h"

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 1000000;
  double eps = argc > 2 ? g_ascii_strtod (argv[2], NULL) : 300;
  guint min_points = argc > 3 ? (guint) atoi (argv[3]) : 5;
  guint threads = argc > 4 ? (guint) atoi (argv[4]) : 2;
  g_autofree double *lon = g_new (double, n);
  g_autofree double *lat = g_new (double, n);
  GRand *rand = g_rand_new_with_seed (7);
  guint n_clumps = MAX (n / 40, 1);
  g_autofree double *cx = g_new (double, n_clumps);
  g_autofree double *cy = g_new (double, n_clumps);
  double km_lat = 1 / 110.6, km_lon = 1 / (111.32 * cos (3 * G_PI / 180));
  double times[5], cpu[5];
  guint clusters = 0, noise = 0;

  for (guint c = 0; c < n_clumps; c++)
    {
      cx[c] = 28.0 + g_rand_double_range (rand, 0, 300) * km_lon;
      cy[c] = -4.5 + g_rand_double_range (rand, 0, 300) * km_lat;
    }
  for (guint i = 0; i < n; i++)
    {
      if (g_rand_double (rand) < 0.15)
        {
          lon[i] = 28.0 + g_rand_double_range (rand, 0, 300) * km_lon;
          lat[i] = -4.5 + g_rand_double_range (rand, 0, 300) * km_lat;
        }
      else
        {
          /* Box-Muller: normal offsets of 400 m. */
          guint c = g_rand_int_range (rand, 0, n_clumps);
          double u = g_rand_double_range (rand, 1e-12, 1), v = g_rand_double (rand);
          double r = sqrt (-2 * log (u)) * 0.4;
          lon[i] = cx[c] + r * cos (2 * G_PI * v) * km_lon;
          lat[i] = cy[c] + r * sin (2 * G_PI * v) * km_lat;
        }
    }
  g_rand_free (rand);

  for (guint k = 0; k < 5; k++)
    {
      g_autoptr(GError) error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      double c0 = cpu_seconds ();
      g_autoptr(ZonesDbscan) r = zones_dbscan_run (lon, lat, n, eps, min_points, threads, NULL,
                                                   &error);
      times[k] = (g_get_monotonic_time () - t0) / 1e6;
      cpu[k] = cpu_seconds () - c0;
      g_assert_no_error (error);
      clusters = r->n_clusters;
      noise = 0;
      for (guint i = 0; i < n; i++)
        noise += r->labels[i] < 0;
    }
  qsort (times, 5, sizeof (double), (int (*) (const void *, const void *)) compare_double);
  qsort (cpu, 5, sizeof (double), (int (*) (const void *, const void *)) compare_double);
  printf ("DBSCAN of %u points, eps %g m, min %u, %u threads: median %.3f s (min %.3f s), "
          "CPU %.3f s; %u clusters, %u noise\n", n, eps, min_points, threads, times[2], times[0],
          cpu[2], clusters, noise);
  return 0;
}
