/* bench-validate.c: how long live zone validation takes while a planner draws
 *
 * Builds a national-scale synthetic cadastre (20,000 titles) and geology (100,000 deposit
 * polygons) in UTM 35S, prepares a validator once, then checks a 1,000-vertex zone 200 times,
 * moving one vertex each time as a drawing tool would. Prints the median and 90th percentile
 * of one check. Seeded: the same numbers of features and vertices every run.
 *
 * Usage: bench-validate [TITLES] [DEPOSITS] [VERTICES] [CHECKS]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "zones.h"

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static char *
ring_wkt (GRand *rand, double cx, double cy, double r, guint n, double jitter, gint moved)
{
  GString *s = g_string_new ("POLYGON ((");
  double x0 = 0, y0 = 0;

  for (guint i = 0; i < n; i++)
    {
      double a = 2 * G_PI * i / n;
      double rr = r * (1 + jitter * sin (5 * a) + (rand ? jitter * 0.3 * g_rand_double_range (rand, -1, 1) : 0));
      double x, y;
      if ((gint) i == moved)
        rr *= 1.05;
      x = cx + rr * cos (a);
      y = cy + rr * sin (a);
      if (i == 0)
        {
          x0 = x;
          y0 = y;
        }
      g_string_append_printf (s, "%.3f %.3f, ", x, y);
    }
  g_string_append_printf (s, "%.3f %.3f))", x0, y0);
  return g_string_free (s, FALSE);
}

int
main (int argc, char **argv)
{
  guint n_titles = argc > 1 ? (guint) atoi (argv[1]) : 20000;
  guint n_deposits = argc > 2 ? (guint) atoi (argv[2]) : 100000;
  guint n_vertices = argc > 3 ? (guint) atoi (argv[3]) : 1000;
  guint n_checks = argc > 4 ? (guint) atoi (argv[4]) : 200;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("placer-bench-XXXXXX", &error);
  g_autofree char *titles_path = g_build_filename (dir, "titles.gpkg", NULL);
  g_autofree char *deposits_path = g_build_filename (dir, "deposits.gpkg", NULL);
  g_autoptr(GisCrs) utm = NULL;
  GRand *rand = g_rand_new_with_seed (42);
  ZonesValidatorInputs in = { 0 };
  g_autoptr(ZonesValidator) v = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  guint side = (guint) ceil (sqrt (n_titles));
  double cell = 4000, x0 = 500000 - side * cell / 2, y0 = 8800000 - side * cell / 2;
  double t0;
  guint findings_seen = 0;

  gis_init ();
  utm = gis_crs_new_from_epsg (32735, &error);
  g_assert_no_error (error);

  /* Titles: a grid of 3.6 km squares 4 km apart (the gaps are free land). */
  {
    g_autoptr(GisWriter) w = gis_writer_new (titles_path, FALSE, &error);
    const GisFieldInfo fields[] = { { "code", GIS_FIELD_STRING }, { "type", GIS_FIELD_STRING },
                                    { "statut", GIS_FIELD_STRING }, { "titulaire", GIS_FIELD_STRING } };
    g_assert_no_error (error);
    gis_writer_begin_layer (w, "titres", utm, GIS_GEOMETRY_MULTIPOLYGON, fields, 4, NULL, &error);
    for (guint i = 0; i < n_titles; i++)
      {
        double x = x0 + (i % side) * cell, y = y0 + (i / side) * cell;
        g_autoptr(GisGeometry) g = gis_geometry_new_rectangle (x, y, x + 3600, y + 3600);
        g_autofree char *code = g_strdup_printf ("PE %u", i);
        const char *values[] = { code, i % 3 ? "PR" : "PE", "Actif", "SOCIETE SARL" };
        gis_writer_add (w, g, values, &error);
      }
    gis_writer_finish (w, &error);
    g_assert_no_error (error);
  }
  /* Deposits: 40-vertex blobs of 150–700 m radius anywhere in the country. */
  {
    g_autoptr(GisWriter) w = gis_writer_new (deposits_path, FALSE, &error);
    const GisFieldInfo fields[] = { { "COMMOD", GIS_FIELD_STRING }, { "CONF", GIS_FIELD_STRING } };
    g_assert_no_error (error);
    gis_writer_begin_layer (w, "deposits", utm, GIS_GEOMETRY_MULTIPOLYGON, fields, 2, NULL, &error);
    for (guint i = 0; i < n_deposits; i++)
      {
        double cx = x0 + g_rand_double_range (rand, 0, side * cell);
        double cy = y0 + g_rand_double_range (rand, 0, side * cell);
        g_autofree char *wkt = ring_wkt (rand, cx, cy, g_rand_double_range (rand, 150, 700), 40,
                                         0.2, -1);
        g_autoptr(GisGeometry) g = gis_geometry_new_from_wkt (wkt, &error);
        const char *values[] = { "Gold", "Known" };
        gis_writer_add (w, g, values, &error);
      }
    gis_writer_finish (w, &error);
    g_assert_no_error (error);
  }

  in.crs = gis_crs_ref (utm);
  in.landuse_rules = zones_rules_new_default ();
  zones_zone_rules_init_generic (&in.zone_rules);
  g_date_clear (&in.as_of, 1);
  g_date_set_dmy (&in.as_of, 1, 1, 2026);
  in.concessions = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_input_free);
  in.deposits = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_input_free);
  g_ptr_array_add (in.concessions, zones_input_from_file (titles_path, "concessions", &error));
  g_assert_no_error (error);
  g_ptr_array_add (in.deposits, zones_input_from_file (deposits_path, "deposits", &error));
  g_assert_no_error (error);

  t0 = g_get_monotonic_time ();
  v = zones_validator_new (&in, NULL, &error);
  g_assert_no_error (error);
  printf ("validator prepared in %.2f s (%u titles, %u deposits)\n",
          (g_get_monotonic_time () - t0) / 1e6, n_titles, n_deposits);

  /* The zone: a 1,000-vertex shape of about 3 km radius across four titles' corners. */
  for (guint k = 0; k < n_checks; k++)
    {
      g_autofree char *wkt = ring_wkt (NULL, x0 + (side / 2) * cell - 200,
                                       y0 + (side / 2) * cell - 200, 3000, n_vertices, 0.1,
                                       (gint) (k % n_vertices));
      g_autoptr(ZonesZone) z = zones_zone_new ();
      g_autoptr(GPtrArray) findings = NULL;
      double t;

      z->zone_id = g_strdup ("Z-BENCH");
      z->status = g_strdup ("candidate");
      z->mineral = g_strdup ("gold");
      z->geometry = gis_geometry_new_from_wkt (wkt, &error);
      g_assert_no_error (error);
      t = g_get_monotonic_time ();
      findings = zones_validator_check (v, z, NULL, &error);
      t = (g_get_monotonic_time () - t) / 1000.0;
      g_assert_no_error (error);
      g_array_append_val (times, t);
      findings_seen = findings->len;
    }
  g_array_sort (times, compare_double);
  printf ("zone of %u vertices vs %u titles and %u deposit polygons: median %.3f ms, p90 %.3f ms, "
          "min %.3f ms (%u findings)\n", n_vertices, n_titles, n_deposits,
          g_array_index (times, double, times->len / 2),
          g_array_index (times, double, times->len * 9 / 10), g_array_index (times, double, 0),
          findings_seen);

  zones_validator_inputs_clear (&in);
  g_unlink (titles_path);
  g_unlink (deposits_path);
  g_rmdir (dir);
  g_rand_free (rand);
  return 0;
}
