/* bench-clusters.c: Placer's side of the clustering benchmark (bench/dbscan/run.sh)
 *
 *   bench-clusters gen N EPS OUT          the points, written once for every tool
 *   bench-clusters dbscan PTS EPS MIN THREADS REPS LABELS
 *   bench-clusters countries PTS BORDERS LAYER ISO_FIELD LABELS THREADS REPS OUT
 *
 * gen: N sites in 40-site clumps of 400 m spread with 15 % scattered noise over a
 * 300 × 300 km square near 29 E, 3 S — bench-dbscan's generator and seed. Each site is also
 * projected to UTM 35S (EPSG:32735) for the peers, which cluster in planar metres while
 * Placer measures 3D chords on the ellipsoid: the two metrics differ by up to 0.2 % here, so
 * a site is dropped (and the generator draws on) when it would make a pair that one metric
 * puts within EPS and the other not, or that lies within 1 µm of EPS by either. Then every
 * tool must find the same clusters, exactly. The file: "PLACERPT", n (u32), then n
 * longitudes, n latitudes, n UTM x, n UTM y (little-endian doubles).
 *
 * dbscan: times zones_dbscan_run() REPS times (the points in memory, as the peers have
 * them) and writes the labels (i32) and core flags (u8) of the last run.
 *
 * countries: times zones_countries_locate_many() on the points, after building the
 * countries (timed apart), and the cross-border flag of each cluster of LABELS (members in
 * two or more countries); writes each point's country index (i32, -1 for none) and whether
 * it lay in no country and took the nearest (u8).
 *
 * Each command prints one line of "key=value" figures for run.sh.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zones.h"

static const char MAGIC[8] = { 'P', 'L', 'A', 'C', 'E', 'R', 'P', 'T' };

typedef struct {
  guint   n;
  double *lon, *lat, *x, *y;
} Points;

static void
points_clear (Points *p)
{
  g_free (p->lon);
  g_free (p->lat);
  g_free (p->x);
  g_free (p->y);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Points, points_clear)

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static gboolean
fail (GError *error)
{
  fprintf (stderr, "bench-clusters: %s\n", error->message);
  g_error_free (error);
  return FALSE;
}

/* ---------------------------------------------------------------------------------------
 * gen */

/* Placer's metric, computed exactly as zones_dbscan_run() does. */
static void
ecef (double lon, double lat, double xyz[3])
{
  const double a = 6378137.0, f = 1 / 298.257223563, e2 = f * (2 - f);
  double phi = lat * G_PI / 180, lam = lon * G_PI / 180;
  double sp = sin (phi), cp = cos (phi), sl = sin (lam), cl = cos (lam);
  double N = a / sqrt (1 - e2 * sp * sp);

  xyz[0] = N * cp * cl;
  xyz[1] = N * cp * sl;
  xyz[2] = N * (1 - e2) * sp;
}

/* The sites kept so far, on a grid of cells a little wider than eps (UTM metres). */
typedef struct {
  double  x0, y0, cell;
  guint   nx, ny;
  gint   *head;          /* per cell, the last site in it, -1 */
  GArray *next;          /* per site, the previous site in its cell */
  GArray *xyz;           /* per site, ECEF (3 doubles) */
  GArray *ux, *uy;
} Kept;

static gboolean
ambiguous_with_kept (const Kept *k, double ux, double uy, const double xyz[3], double eps)
{
  gint64 cx = (gint64) floor ((ux - k->x0) / k->cell), cy = (gint64) floor ((uy - k->y0) / k->cell);

  for (gint64 i = cx - 1; i <= cx + 1; i++)
    for (gint64 j = cy - 1; j <= cy + 1; j++)
      {
        if (i < 0 || j < 0 || i >= k->nx || j >= k->ny)
          continue;
        for (gint s = k->head[j * k->nx + i]; s >= 0; s = g_array_index (k->next, gint, s))
          {
            const double *q = &g_array_index (k->xyz, double, 3 * s);
            double dx = ux - g_array_index (k->ux, double, s);
            double dy = uy - g_array_index (k->uy, double, s);
            double d_utm = sqrt (dx * dx + dy * dy);
            double c2 = (xyz[0] - q[0]) * (xyz[0] - q[0]) + (xyz[1] - q[1]) * (xyz[1] - q[1]) +
                        (xyz[2] - q[2]) * (xyz[2] - q[2]);

            if ((d_utm <= eps) != (c2 <= eps * eps) || fabs (d_utm - eps) < 1e-6 ||
                fabs (sqrt (c2) - eps) < 1e-6)
              return TRUE;
          }
      }
  return FALSE;
}

static gboolean
cmd_gen (guint n, double eps, const char *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, &error);
  g_autoptr(GisCrs) utm = wgs ? gis_crs_new_from_epsg (32735, &error) : NULL;
  g_autoptr(GisTransform) fwd = utm ? gis_transform_new (wgs, utm, &error) : NULL;
  GRand *rand = g_rand_new_with_seed (7);
  guint n_clumps = MAX (n / 40, 1), drawn = 0, dropped = 0;
  g_autofree double *cx = g_new (double, n_clumps);
  g_autofree double *cy = g_new (double, n_clumps);
  double km_lat = 1 / 110.6, km_lon = 1 / (111.32 * cos (3 * G_PI / 180));
  g_autoptr(GArray) lon = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) lat = g_array_new (FALSE, FALSE, sizeof (double));
  Kept k = { 0 };
  FILE *f;

  if (fwd == NULL)
    return fail (g_steal_pointer (&error));
  /* UTM 35S of the square, with margin: x 600–1000 km, y 9,450–9,850 km (south). */
  k.cell = eps * 1.01;
  k.x0 = 550000;
  k.y0 = 9400000;
  k.nx = (guint) (500000 / k.cell) + 1;
  k.ny = (guint) (500000 / k.cell) + 1;
  k.head = g_new (gint, (gsize) k.nx * k.ny);
  memset (k.head, 0xff, sizeof (gint) * (gsize) k.nx * k.ny);
  k.next = g_array_new (FALSE, FALSE, sizeof (gint));
  k.xyz = g_array_new (FALSE, FALSE, sizeof (double));
  k.ux = g_array_new (FALSE, FALSE, sizeof (double));
  k.uy = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint c = 0; c < n_clumps; c++)
    {
      cx[c] = 28.0 + g_rand_double_range (rand, 0, 300) * km_lon;
      cy[c] = -4.5 + g_rand_double_range (rand, 0, 300) * km_lat;
    }
  while (lon->len < n)
    {
      /* A block of draws, projected at once, then kept one by one. */
      double bx[4096], by[4096], ux[4096], uy[4096];
      guint m = MIN (4096, (n - lon->len) + (n - lon->len) / 16 + 16);

      for (guint i = 0; i < m; i++)
        {
          if (g_rand_double (rand) < 0.15)
            {
              bx[i] = 28.0 + g_rand_double_range (rand, 0, 300) * km_lon;
              by[i] = -4.5 + g_rand_double_range (rand, 0, 300) * km_lat;
            }
          else
            {
              /* Box-Muller: normal offsets of 400 m. */
              guint c = g_rand_int_range (rand, 0, n_clumps);
              double u = g_rand_double_range (rand, 1e-12, 1), v = g_rand_double (rand);
              double r = sqrt (-2 * log (u)) * 0.4;
              bx[i] = cx[c] + r * cos (2 * G_PI * v) * km_lon;
              by[i] = cy[c] + r * sin (2 * G_PI * v) * km_lat;
            }
          ux[i] = bx[i];
          uy[i] = by[i];
        }
      if (!gis_transform_points (fwd, ux, uy, m, &error))
        return fail (g_steal_pointer (&error));
      for (guint i = 0; i < m && lon->len < n; i++)
        {
          double xyz[3];
          gint64 ci, cj;
          gint s = (gint) lon->len;

          drawn++;
          ecef (bx[i], by[i], xyz);
          if (ambiguous_with_kept (&k, ux[i], uy[i], xyz, eps))
            {
              dropped++;
              continue;
            }
          g_array_append_val (lon, bx[i]);
          g_array_append_val (lat, by[i]);
          g_array_append_vals (k.xyz, xyz, 3);
          g_array_append_val (k.ux, ux[i]);
          g_array_append_val (k.uy, uy[i]);
          ci = (gint64) floor ((ux[i] - k.x0) / k.cell);
          cj = (gint64) floor ((uy[i] - k.y0) / k.cell);
          g_assert (ci >= 0 && cj >= 0 && ci < k.nx && cj < k.ny);
          g_array_append_val (k.next, k.head[cj * k.nx + ci]);
          k.head[cj * k.nx + ci] = s;
        }
    }
  g_rand_free (rand);

  f = fopen (out, "wb");
  if (f == NULL || fwrite (MAGIC, 8, 1, f) != 1 || fwrite (&n, 4, 1, f) != 1 ||
      fwrite (lon->data, sizeof (double), n, f) != n || fwrite (lat->data, sizeof (double), n, f) != n ||
      fwrite (k.ux->data, sizeof (double), n, f) != n || fwrite (k.uy->data, sizeof (double), n, f) != n ||
      fclose (f) != 0)
    {
      fprintf (stderr, "bench-clusters: cannot write %s\n", out);
      return FALSE;
    }
  printf ("n=%u drawn=%u dropped_ambiguous=%u eps=%g\n", n, drawn, dropped, eps);
  g_free (k.head);
  g_array_unref (k.next);
  g_array_unref (k.xyz);
  g_array_unref (k.ux);
  g_array_unref (k.uy);
  return TRUE;
}

static gboolean
read_points (const char *path, Points *p)
{
  g_autofree char *data = NULL;
  gsize len;
  guint32 n;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &data, &len, &error))
    return fail (g_steal_pointer (&error));
  if (len < 12 || memcmp (data, MAGIC, 8) != 0)
    {
      fprintf (stderr, "bench-clusters: %s is not a points file\n", path);
      return FALSE;
    }
  memcpy (&n, data + 8, 4);
  if (len != 12 + 32 * (gsize) n)
    {
      fprintf (stderr, "bench-clusters: %s is truncated\n", path);
      return FALSE;
    }
  p->n = n;
  p->lon = g_memdup2 (data + 12, 8 * (gsize) n);
  p->lat = g_memdup2 (data + 12 + 8 * (gsize) n, 8 * (gsize) n);
  p->x = g_memdup2 (data + 12 + 16 * (gsize) n, 8 * (gsize) n);
  p->y = g_memdup2 (data + 12 + 24 * (gsize) n, 8 * (gsize) n);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------
 * dbscan */

static gboolean
cmd_dbscan (const char *path, double eps, guint min_points, guint threads, guint reps,
            const char *out)
{
  g_auto(Points) p = { 0 };
  g_autofree double *wall = g_new (double, MAX (reps, 1));
  g_autofree double *cpu = g_new (double, MAX (reps, 1));
  g_autoptr(ZonesDbscan) r = NULL;
  guint noise = 0, core = 0;
  FILE *f;

  if (!read_points (path, &p))
    return FALSE;
  for (guint k = 0; k < MAX (reps, 1); k++)
    {
      GError *error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      double c0 = cpu_seconds ();

      g_clear_pointer (&r, zones_dbscan_free);
      r = zones_dbscan_run (p.lon, p.lat, p.n, eps, min_points, threads, NULL, &error);
      wall[k] = (g_get_monotonic_time () - t0) / 1e6;
      cpu[k] = cpu_seconds () - c0;
      if (r == NULL)
        return fail (error);
    }
  for (guint i = 0; i < p.n; i++)
    {
      noise += r->labels[i] < 0;
      core += r->core[i] != 0;
    }
  f = fopen (out, "wb");
  if (f == NULL || fwrite (r->labels, sizeof (gint), p.n, f) != p.n)
    {
      fprintf (stderr, "bench-clusters: cannot write %s\n", out);
      return FALSE;
    }
  for (guint i = 0; i < p.n; i++)
    fputc (r->core[i] ? 1 : 0, f);
  fclose (f);
  printf ("first=%.4f", wall[0]);
  qsort (wall, MAX (reps, 1), sizeof (double), compare_double);
  qsort (cpu, MAX (reps, 1), sizeof (double), compare_double);
  printf (" min=%.4f median=%.4f cpu_median=%.4f clusters=%u noise=%u core=%u n=%u\n",
          wall[0], wall[MAX (reps, 1) / 2], cpu[MAX (reps, 1) / 2], r->n_clusters, noise, core,
          p.n);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------
 * countries */

static gboolean
cmd_countries (const char *path, const char *borders, const char *layer, const char *iso_field,
               const char *labels_path, guint threads, guint reps, const char *out)
{
  g_auto(Points) p = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GPtrArray) features = NULL;
  g_autoptr(GPtrArray) polys = g_ptr_array_new ();
  g_autoptr(GPtrArray) iso = g_ptr_array_new ();
  g_autoptr(ZonesCountries) countries = NULL;
  g_autofree const char **site_iso = NULL;
  g_autofree gboolean *nearest = NULL;
  g_autofree double *wall = g_new (double, MAX (reps, 1));
  g_autofree char *labels = NULL;
  gsize labels_len;
  const gint *label;
  double t_new, t_grid;
  guint cross = 0, outside = 0, n_clusters = 0;
  gint field;
  FILE *f;

  if (!read_points (path, &p))
    return FALSE;
  if (!g_file_get_contents (labels_path, &labels, &labels_len, &error))
    return fail (g_steal_pointer (&error));
  if (labels_len != 5 * (gsize) p.n)
    {
      fprintf (stderr, "bench-clusters: %s does not match the points\n", labels_path);
      return FALSE;
    }
  label = (const gint *) labels;
  ds = gis_dataset_open (borders, GIS_OPEN_VECTOR, &error);
  if (ds == NULL || (features = gis_dataset_read_features (ds, layer, NULL, NULL, &error)) == NULL)
    return fail (g_steal_pointer (&error));
  {
    g_autoptr(GisLayerInfo) info = gis_dataset_describe_layer (ds, layer, &error);
    if (info == NULL)
      return fail (g_steal_pointer (&error));
    field = gis_layer_info_find_field (info, iso_field);
    if (field < 0)
      {
        fprintf (stderr, "bench-clusters: no field %s in %s\n", iso_field, layer);
        return FALSE;
      }
  }
  for (guint i = 0; i < features->len; i++)
    {
      GisFeature *feature = g_ptr_array_index (features, i);
      if (feature->geometry == NULL)
        continue;
      g_ptr_array_add (polys, feature->geometry);
      g_ptr_array_add (iso, (gpointer) gis_feature_get (feature, field));
    }

  /* The countries, then their grid (made on the first call), timed apart from the sites. */
  {
    gint64 t0 = g_get_monotonic_time ();
    const char *one;
    gboolean one_nearest;

    countries = zones_countries_new (polys, iso, &error);
    if (countries == NULL)
      return fail (g_steal_pointer (&error));
    t_new = (g_get_monotonic_time () - t0) / 1e6;
    t0 = g_get_monotonic_time ();
    if (!zones_countries_locate_many (countries, p.lon, p.lat, 1, 1, &one, &one_nearest, &error))
      return fail (g_steal_pointer (&error));
    t_grid = (g_get_monotonic_time () - t0) / 1e6;
  }

  site_iso = g_new (const char *, p.n);
  nearest = g_new (gboolean, p.n);
  for (guint k = 0; k < MAX (reps, 1); k++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(GHashTable) first = g_hash_table_new (NULL, NULL);
      g_autoptr(GHashTable) crossing = g_hash_table_new (NULL, NULL);

      if (!zones_countries_locate_many (countries, p.lon, p.lat, p.n, threads, site_iso,
                                        nearest, &error))
        return fail (g_steal_pointer (&error));
      /* Cross-border flag: a cluster whose members lie in two or more countries. */
      for (guint i = 0; i < p.n; i++)
        {
          gpointer key = GINT_TO_POINTER (label[i] + 1), seen;
          if (label[i] < 0 || site_iso[i] == NULL)
            continue;
          if (!g_hash_table_lookup_extended (first, key, NULL, &seen))
            g_hash_table_insert (first, key, (gpointer) site_iso[i]);
          else if (seen != site_iso[i])
            g_hash_table_add (crossing, key);
        }
      wall[k] = (g_get_monotonic_time () - t0) / 1e6;
      cross = g_hash_table_size (crossing);
      n_clusters = g_hash_table_size (first);
    }
  f = fopen (out, "wb");
  if (f == NULL)
    {
      fprintf (stderr, "bench-clusters: cannot write %s\n", out);
      return FALSE;
    }
  for (guint i = 0; i < p.n; i++)
    {
      gint k = -1;
      for (guint c = 0; c < iso->len && site_iso[i] != NULL; c++)
        if (g_strcmp0 (g_ptr_array_index (iso, c), site_iso[i]) == 0)
          {
            k = (gint) c;
            break;
          }
      fwrite (&k, sizeof (gint), 1, f);
    }
  for (guint i = 0; i < p.n; i++)
    {
      fputc (nearest[i] ? 1 : 0, f);
      outside += nearest[i] != 0;
    }
  fclose (f);
  printf ("first=%.4f", wall[0]);
  qsort (wall, MAX (reps, 1), sizeof (double), compare_double);
  printf (" min=%.4f median=%.4f countries_new=%.4f grid=%.4f countries=%u clusters=%u "
          "cross_border=%u nearest=%u n=%u\n", wall[0], wall[MAX (reps, 1) / 2], t_new, t_grid,
          polys->len, n_clusters, cross, outside, p.n);
  return TRUE;
}

int
main (int argc, char **argv)
{
  gis_init ();
  if (argc == 5 && g_str_equal (argv[1], "gen"))
    return cmd_gen ((guint) atoi (argv[2]), g_ascii_strtod (argv[3], NULL), argv[4]) ? 0 : 1;
  if (argc == 8 && g_str_equal (argv[1], "dbscan"))
    return cmd_dbscan (argv[2], g_ascii_strtod (argv[3], NULL), (guint) atoi (argv[4]),
                       (guint) atoi (argv[5]), (guint) atoi (argv[6]), argv[7]) ? 0 : 1;
  if (argc == 10 && g_str_equal (argv[1], "countries"))
    return cmd_countries (argv[2], argv[3], argv[4], argv[5], argv[6], (guint) atoi (argv[7]),
                          (guint) atoi (argv[8]), argv[9]) ? 0 : 1;
  fprintf (stderr, "usage: bench-clusters gen N EPS OUT\n"
                   "       bench-clusters dbscan PTS EPS MIN THREADS REPS LABELS\n"
                   "       bench-clusters countries PTS BORDERS LAYER ISO_FIELD LABELS THREADS "
                   "REPS OUT\n");
  return 2;
}
