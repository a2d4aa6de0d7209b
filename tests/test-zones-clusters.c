/* test-zones-clusters.c: site clusters across borders, on hand-placed sites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <math.h>
#include <string.h>

#include "zones.h"

/* 1 km of latitude near 2° S, in degrees; and of longitude at 2° S. */
#define KM_LAT (1 / 110.574)
#define KM_LON (1 / (111.320 * cos (2 * G_PI / 180)))

static ZonesSite *
site (const char *id, double lon, double lat, gint64 workers, const char *mineral)
{
  ZonesSite *s = g_new0 (ZonesSite, 1);
  const char *minerals[] = { mineral, NULL };

  s->site_id = g_strdup (id);
  s->geometry = gis_geometry_new_point (lon, lat);
  s->workers = workers;
  s->minerals = g_strdupv ((char **) minerals);
  s->visits = 1;
  s->fid = -1;
  g_date_clear (&s->visit_date, 1);
  g_date_clear (&s->certification_date, 1);
  return s;
}

/* Two countries meeting along the meridian 29° E: WEST (28–29 E) and EAST (29–30 E), and a
 * third, FAR, 100 km away. */
static ZonesCountries *
countries (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) polys = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  g_autoptr(GPtrArray) iso = g_ptr_array_new ();
  ZonesCountries *c;

  g_ptr_array_add (polys, gis_geometry_new_rectangle (28, -3, 29, -1));
  g_ptr_array_add (iso, "WST");
  g_ptr_array_add (polys, gis_geometry_new_rectangle (29, -3, 30, -1));
  g_ptr_array_add (iso, "EST");
  g_ptr_array_add (polys, gis_geometry_new_rectangle (31, -3, 32, -1));
  g_ptr_array_add (iso, "FAR");
  c = zones_countries_new (polys, iso, &error);
  assert_no_error (error);
  return c;
}

static ZonesClusterParams
params (void)
{
  ZonesClusterParams p = { 5000, 2, 0, NULL, 10, FALSE, 1 };
  return p;
}

static void
test_cross_border_pair (void **state)
{
  /* Two sites 3 km apart on either side of the border (1.5 km each way), eps 5 km, at least
   * 2 sites: one cluster, cross-border, a secretariat candidate. A third site 3 km further
   * east joins through the second. */
  g_autoptr(ZonesCountries) c = countries ();
  g_autoptr(GPtrArray) sites = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_site_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesClusterResult) r = NULL;
  ZonesClusterParams p = params ();
  ZonesCluster *cl;

  g_ptr_array_add (sites, site ("a", 29 - 1.5 * KM_LON, -2, 100, "gold"));
  g_ptr_array_add (sites, site ("b", 29 + 1.5 * KM_LON, -2, 200, "gold"));
  g_ptr_array_add (sites, site ("c", 29 + 4.5 * KM_LON, -2, 300, "coltan"));
  r = zones_clusters_run (sites, c, &p, NULL, &error);
  assert_no_error (error);
  assert_int_equal (r->clusters->len, 1);
  cl = g_ptr_array_index (r->clusters, 0);
  assert_int_equal (cl->id, 1);
  assert_int_equal (cl->site_ids->len, 3);
  assert_int_equal (cl->workers, 600);
  assert_true (cl->cross_border);
  assert_true (cl->near_border);
  assert_close_abs (cl->border_distance_km, 0, 0);
  /* EST first (2 sites), then WST (1). */
  assert_int_equal (cl->countries->len, 2);
  assert_string_equal (((ZonesCountryCount *) g_ptr_array_index (cl->countries, 0))->iso, "EST");
  assert_int_equal (((ZonesCountryCount *) g_ptr_array_index (cl->countries, 0))->sites, 2);
  assert_int_equal (((ZonesCountryCount *) g_ptr_array_index (cl->countries, 0))->workers, 500);
  assert_string_equal (((ZonesCountryCount *) g_ptr_array_index (cl->countries, 1))->iso, "WST");
  assert_int_equal (cl->minerals->len, 2);
  assert_string_equal (g_hash_table_lookup (r->site_country, "a"), "WST");
  assert_int_equal (gis_geometry_get_geometry_type (cl->hull), GIS_GEOMETRY_LINESTRING);
}

static void
test_near_border_and_filters (void **state)
{
  /* Three sites 2 km apart, all in WEST, the nearest 8 km from EAST: near the border (10 km)
   * but not across it. */
  g_autoptr(ZonesCountries) c = countries ();
  g_autoptr(GPtrArray) sites = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_site_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesClusterResult) r = NULL;
  g_autoptr(ZonesClusterResult) r2 = NULL;
  g_autoptr(ZonesClusterResult) r3 = NULL;
  ZonesClusterParams p = params ();
  ZonesCluster *cl;

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (sites, site (i == 0 ? "x" : i == 1 ? "y" : "z", 29 - (8 + 2 * i) * KM_LON,
                                  -2, 50, "gold"));
  r = zones_clusters_run (sites, c, &p, NULL, &error);
  assert_int_equal (r->clusters->len, 1);
  cl = g_ptr_array_index (r->clusters, 0);
  assert_false (cl->cross_border);
  assert_true (cl->near_border);
  assert_string_equal (cl->neighbour, "EST");
  /* 8 km along the parallel at 2° S. A degree of longitude there is (π/180)·N·cos φ =
   * 111.252 km on the ellipsoid, which KM_LON matches to a few metres per degree; the
   * geodesic across 8 km differs from the parallel by millimetres: 8 km ± 10 m. */
  assert_close_abs (cl->border_distance_km, 8.0, 0.01);
  /* At 5 km, not near. */
  p.near_border_km = 5;
  r2 = zones_clusters_run (sites, c, &p, NULL, &error);
  assert_false (((ZonesCluster *) g_ptr_array_index (r2->clusters, 0))->near_border);
  /* At least 200 workers: the cluster (150) goes; a mineral filter keeps only its sites. */
  p.near_border_km = 10;
  p.min_workers = 200;
  r3 = zones_clusters_run (sites, c, &p, NULL, &error);
  assert_int_equal (r3->clusters->len, 0);
  p.min_workers = 0;
  p.mineral = "coltan";
  {
    g_autoptr(ZonesClusterResult) r4 = zones_clusters_run (sites, c, &p, NULL, &error);
    assert_int_equal (r4->n_sites, 0);
    assert_int_equal (r4->clusters->len, 0);
  }
}

static void
test_site_off_every_polygon (void **state)
{
  /* A site in the gap between EAST (ends at 30 E) and FAR (starts at 31 E), nearer FAR:
   * given FAR, and reported. */
  g_autoptr(ZonesCountries) c = countries ();
  gboolean nearest = FALSE;
  g_autoptr(GError) error = NULL;
  const char *iso = zones_countries_locate (c, 30.8, -2, &nearest, &error);

  assert_no_error (error);
  assert_string_equal (iso, "FAR");
  assert_true (nearest);
  iso = zones_countries_locate (c, 29.5, -2, &nearest, &error);
  assert_string_equal (iso, "EST");
  assert_false (nearest);
}

static void
test_same_clusters_from_utm (void **state)
{
  /* The same sites given in UTM 35S and brought back to lon/lat (as the readers do) give
   * identical clusters. */
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, &error);
  g_autoptr(GisCrs) utm = gis_crs_new_from_epsg (32735, &error);
  g_autoptr(GisTransform) fwd = gis_transform_new (wgs, utm, &error);
  g_autoptr(GisTransform) back = gis_transform_new (utm, wgs, &error);
  g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_site_free);
  g_autoptr(GPtrArray) b = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_site_free);
  g_autoptr(ZonesClusterResult) ra = NULL;
  g_autoptr(ZonesClusterResult) rb = NULL;
  ZonesClusterParams p = params ();
  GRand *rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < 300; i++)
    {
      double x = 28.5 + g_rand_double_range (rand, 0, 1), y = -2.5 + g_rand_double_range (rand, 0, 1);
      double ux = x, uy = y;
      g_autofree char *id = g_strdup_printf ("s%u", i);
      g_ptr_array_add (a, site (id, x, y, 10, "gold"));
      assert_true (gis_transform_points (fwd, &ux, &uy, 1, &error));
      /* Metres rounded to the millimetre, as a UTM file would hold them. */
      ux = round (ux * 1000) / 1000;
      uy = round (uy * 1000) / 1000;
      assert_true (gis_transform_points (back, &ux, &uy, 1, &error));
      g_ptr_array_add (b, site (id, ux, uy, 10, "gold"));
    }
  g_rand_free (rand);
  p.eps_m = 4000;
  ra = zones_clusters_run (a, NULL, &p, NULL, &error);
  rb = zones_clusters_run (b, NULL, &p, NULL, &error);
  assert_no_error (error);
  assert_true (ra->clusters->len > 5);
  assert_int_equal (ra->clusters->len, rb->clusters->len);
  for (guint i = 0; i < ra->clusters->len; i++)
    {
      ZonesCluster *x = g_ptr_array_index (ra->clusters, i), *y = g_ptr_array_index (rb->clusters, i);
      assert_int_equal (x->site_ids->len, y->site_ids->len);
      for (guint k = 0; k < x->site_ids->len; k++)
        assert_string_equal (g_ptr_array_index (x->site_ids, k), g_ptr_array_index (y->site_ids, k));
    }
}

/* ---------------------------------------------------------------------------------------
 * The country of many sites at once (zones_countries_locate_many) against the one-site exact
 * test (zones_countries_locate, a prepared GEOS "intersects" per site). */

/* Checks that the batch answers every point exactly as the one-site test does; returns how
 * many points lay in no country. */
static guint
assert_locate_many_exact (ZonesCountries *c, const double *lon, const double *lat, guint n)
{
  g_autofree const char **iso = g_new (const char *, n);
  g_autofree gboolean *nearest = g_new (gboolean, n);
  g_autoptr(GError) error = NULL;
  guint outside = 0;

  assert_true (zones_countries_locate_many (c, lon, lat, n, 2, iso, nearest, &error));
  assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      gboolean one_nearest = FALSE;
      const char *one = zones_countries_locate (c, lon[i], lat[i], &one_nearest, &error);

      assert_no_error (error);
      if (g_strcmp0 (one, iso[i]) != 0 || one_nearest != nearest[i])
        fail_msg ("(%.17g, %.17g): %s%s one at a time, %s%s at once", lon[i], lat[i], one,
                  one_nearest ? " (nearest)" : "", iso[i], nearest[i] ? " (nearest)" : "");
      outside += nearest[i];
    }
  return outside;
}

static GisGeometry *
wkt (const char *text)
{
  g_autoptr(GError) error = NULL;
  GisGeometry *g = gis_geometry_new_from_wkt (text, &error);

  assert_no_error (error);
  return g;
}

/* Countries on the square 28–30 E, 3–1 S, laid out so that the locator's grid (64 × 64
 * cells of 1/32°, with the cells it now uses for this few segments) has its cell corners on
 * exact binary coordinates, which the test points then hit exactly:
 *   WST, west of a zigzag border through cell corners (29, −3) (29, −2) (29 3/32, −1 27/32)
 *       (29, −1.5) (29, −1), with a lake [28.25, 28.5] × [−2.25, −2] as a hole;
 *   EST, east of the same border (shared edges exactly equal);
 *   ISL, an island country inside WST's lake. */
static ZonesCountries *
zigzag_countries (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) polys = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  g_autoptr(GPtrArray) iso = g_ptr_array_new ();
  ZonesCountries *c;

  g_ptr_array_add (polys, wkt ("POLYGON ((28 -3, 29 -3, 29 -2, 29.09375 -1.84375, 29 -1.5, "
                               "29 -1, 28 -1, 28 -3), "
                               "(28.25 -2.25, 28.25 -2, 28.5 -2, 28.5 -2.25, 28.25 -2.25))"));
  g_ptr_array_add (iso, "WST");
  g_ptr_array_add (polys, wkt ("POLYGON ((29 -3, 30 -3, 30 -1, 29 -1, 29 -1.5, "
                               "29.09375 -1.84375, 29 -2, 29 -3))"));
  g_ptr_array_add (iso, "EST");
  g_ptr_array_add (polys, wkt ("POLYGON ((28.3125 -2.1875, 28.4375 -2.1875, 28.4375 -2.0625, "
                               "28.3125 -2.0625, 28.3125 -2.1875))"));
  g_ptr_array_add (iso, "ISL");
  c = zones_countries_new (polys, iso, &error);
  assert_no_error (error);
  return c;
}

static void
test_locate_many_on_borders_and_corners (void **state)
{
  g_autoptr(ZonesCountries) c = zigzag_countries ();
  g_autoptr(GArray) lon = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) lat = g_array_new (FALSE, FALSE, sizeof (double));
  GRand *rand = g_rand_new_with_seed (11);
  guint outside;

#define ADD(x, y) G_STMT_START { double x_ = (x), y_ = (y); \
    g_array_append_val (lon, x_); g_array_append_val (lat, y_); } G_STMT_END
  /* Every point of a 1/64° lattice over the square and a margin: cell corners, cell edges
   * and cell centres, on the border, its vertices, the lake shore and the island's coast;
   * and each moved by one unit in the last place in the four directions. */
  for (int i = -8; i <= 136; i++)
    for (int j = -8; j <= 136; j++)
      {
        double x = 28 + i / 64.0, y = -3 + j / 64.0;
        ADD (x, y);
        ADD (nextafter (x, 100), y);
        ADD (nextafter (x, -100), y);
        ADD (x, nextafter (y, 100));
        ADD (x, nextafter (y, -100));
      }
  /* Along the slanted border edges, points on them (where binary allows) and either side. */
  for (guint k = 0; k <= 1000; k++)
    {
      double t = k / 1000.0;
      double x1 = 29 + t * 0.09375, y1 = -2 + t * 0.15625;
      double x2 = 29.09375 - t * 0.09375, y2 = -1.84375 + t * 0.34375;
      ADD (x1, y1);
      ADD (nextafter (x1, 100), y1);
      ADD (nextafter (x1, -100), y1);
      ADD (x2, y2);
      ADD (nextafter (x2, 100), y2);
      ADD (nextafter (x2, -100), y2);
    }
  /* And random points. */
  for (guint k = 0; k < 20000; k++)
    ADD (g_rand_double_range (rand, 27.9, 30.1), g_rand_double_range (rand, -3.1, -0.9));
#undef ADD
  g_rand_free (rand);

  outside = assert_locate_many_exact (c, (double *) lon->data, (double *) lat->data, lon->len);
  /* The lattice reaches into the lake and the margin: some points took the nearest country. */
  assert_true (outside > 1000);

  /* By hand: a corner on the border is held by the first country (WST); the lake takes the
   * nearest shore; the island is its own country. */
  {
    const double x[] = { 29, 29.09375, 28.3, 28.375, 29 + 1 / 64.0 };
    const double y[] = { -2, -1.84375, -2.2, -2.125, -2 };
    const char *want[] = { "WST", "WST", "ISL", "ISL", "EST" };
    const gboolean want_nearest[] = { FALSE, FALSE, TRUE, FALSE, FALSE };
    const char *got[5];
    gboolean nearest[5];
    g_autoptr(GError) error = NULL;

    assert_true (zones_countries_locate_many (c, x, y, 5, 1, got, nearest, &error));
    for (guint i = 0; i < 5; i++)
      {
        assert_string_equal (got[i], want[i]);
        assert_int_equal (nearest[i], want_nearest[i]);
      }
  }
}

static void
test_locate_many_real_borders (void **state)
{
  /* The sample project's OSM land borders (BDI, COD, RWA, UGA), with lakes as holes and
   * islands: thousands of random points and points on and beside their vertices. */
  g_autofree char *path = test_source_path ("sample-data/sources/borders.gpkg");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisDataset) ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &error);
  g_autoptr(GPtrArray) features = NULL;
  g_autoptr(GPtrArray) polys = g_ptr_array_new ();
  g_autoptr(GPtrArray) iso = g_ptr_array_new ();
  g_autoptr(ZonesCountries) c = NULL;
  g_autoptr(GArray) lon = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) lat = g_array_new (FALSE, FALSE, sizeof (double));
  GisEnvelope all = { G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };
  GRand *rand = g_rand_new_with_seed (12);

  assert_no_error (error);
  features = gis_dataset_read_features (ds, "countries", NULL, NULL, &error);
  assert_no_error (error);
  assert_int_equal (features->len, 4);
  for (guint i = 0; i < features->len; i++)
    {
      GisFeature *f = g_ptr_array_index (features, i);
      GisEnvelope e;
      g_autofree char *text = gis_geometry_to_wkt (f->geometry, 17);
      const char *p = text;

      g_ptr_array_add (polys, f->geometry);
      g_ptr_array_add (iso, (gpointer) gis_feature_get (f, 0));
      gis_geometry_get_envelope (f->geometry, &e);
      all.min_x = MIN (all.min_x, e.min_x);
      all.min_y = MIN (all.min_y, e.min_y);
      all.max_x = MAX (all.max_x, e.max_x);
      all.max_y = MAX (all.max_y, e.max_y);
      /* One vertex in fifty, exactly and one unit in the last place away. */
      for (guint k = 0; *p != '\0'; k++)
        {
          char *end;
          double x, y;

          while (*p != '\0' && *p != '-' && !g_ascii_isdigit (*p))
            p++;
          if (*p == '\0')
            break;
          x = g_ascii_strtod (p, &end);
          y = g_ascii_strtod (end, &end);
          p = end;
          if (k % 50 != 0)
            continue;
          for (guint m = 0; m < 5; m++)
            {
              double vx = m == 1 ? nextafter (x, 1e9) : m == 2 ? nextafter (x, -1e9) : x;
              double vy = m == 3 ? nextafter (y, 1e9) : m == 4 ? nextafter (y, -1e9) : y;
              g_array_append_val (lon, vx);
              g_array_append_val (lat, vy);
            }
        }
    }
  for (guint k = 0; k < 20000; k++)
    {
      double x = g_rand_double_range (rand, all.min_x, all.max_x);
      double y = g_rand_double_range (rand, all.min_y, all.max_y);
      g_array_append_val (lon, x);
      g_array_append_val (lat, y);
    }
  g_rand_free (rand);
  c = zones_countries_new (polys, iso, &error);
  assert_no_error (error);
  /* Lakes and the margin of the box: some points lie in no country. */
  assert_true (assert_locate_many_exact (c, (double *) lon->data, (double *) lat->data,
                                         lon->len) > 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_cross_border_pair),
    cmocka_unit_test (test_near_border_and_filters),
    cmocka_unit_test (test_site_off_every_polygon),
    cmocka_unit_test (test_same_clusters_from_utm),
    cmocka_unit_test (test_locate_many_on_borders_and_corners),
    cmocka_unit_test (test_locate_many_real_borders),
  };

  gis_init ();
  return cmocka_run_group_tests_name ("zones-clusters", tests, NULL, NULL);
}
