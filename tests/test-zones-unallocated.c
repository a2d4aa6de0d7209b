/* test-zones-unallocated.c: deposit land that no title holds, on hand-built cases
 *
 * Expected areas come from the closed-form area of an ellipsoidal quadrangle (bounded by
 * two meridians and two parallels), computed here independently of PROJ:
 *   A = (b² Δλ / 2) [q(φ2) − q(φ1)],  q(φ) = sinφ/(1 − e² sin²φ) + ln((1 + e sinφ)/(1 − e sinφ))/(2e)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <malloc.h>
#include <string.h>

#include <glib/gstdio.h>

#include "zones.h"

static char *
rect_json (double x0, double y0, double x1, double y1)
{
  return g_strdup_printf ("{\"type\":\"Polygon\",\"coordinates\":[[[%.12f,%.12f],[%.12f,%.12f],"
                          "[%.12f,%.12f],[%.12f,%.12f],[%.12f,%.12f]]]}", x0, y0, x1, y0, x1, y1,
                          x0, y1, x0, y0);
}

/* Writes a GeoJSON file of features given as (geometry JSON, properties JSON) pairs. */
static char *
write_layer (const char *dir, const char *name, int epsg, const char *const *pairs)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GString *s = g_string_new ("{\"type\":\"FeatureCollection\",");

  if (epsg != 4326)
    g_string_append_printf (s, "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
                               "\"urn:ogc:def:crs:EPSG::%d\"}},", epsg);
  g_string_append (s, "\"features\":[");
  for (guint i = 0; pairs[i] != NULL; i += 2)
    g_string_append_printf (s, "%s{\"type\":\"Feature\",\"geometry\":%s,\"properties\":%s}",
                            i ? "," : "", pairs[i], pairs[i + 1]);
  g_string_append (s, "]}");
  assert_true (g_file_set_contents (path, s->str, -1, NULL));
  g_string_free (s, TRUE);
  return g_steal_pointer (&path);
}

typedef struct {
  ZonesUnallocatedParams p;
  char                  *dir;
} Case;

static void
case_init (Case *c, const char *as_of)
{
  zones_unallocated_params_init (&c->p);
  c->p.rules = zones_rules_new_default ();
  c->p.output_crs = gis_crs_new_from_epsg (4326, NULL);
  c->p.n_threads = 1;
  assert_true (zones_parse_date (as_of, &c->p.as_of));
  c->dir = test_tmpdir ();
}

static void
case_clear (Case *c)
{
  zones_unallocated_params_clear (&c->p);
  test_rmtree (c->dir);
  g_free (c->dir);
}

static void
add_input (GPtrArray *target, const char *path, const char *role)
{
  g_autoptr(GError) error = NULL;
  ZonesInput *in = zones_input_from_file (path, role, &error);

  assert_no_error (error);
  g_ptr_array_add (target, in);
}

static const char *deposit_props = "{\"COMMOD\":\"Gold\",\"CONF\":\"Known\",\"DEP_ID\":\"D1\"}";

/* A 0.01° × 0.01° deposit at 29.00–29.01 E, 2.01–2.00 S. */
static char *
one_deposit (Case *c)
{
  g_autofree char *g = rect_json (29.0, -2.01, 29.01, -2.0);
  const char *pairs[] = { g, deposit_props, NULL };
  return write_layer (c->dir, "deposits.geojson", 4326, pairs);
}

static ZonesUnallocatedResult *
run_ok (Case *c)
{
  g_autoptr(GError) error = NULL;
  ZonesUnallocatedResult *r = zones_unallocated_run (&c->p, NULL, &error);
  assert_no_error (error);
  assert_non_null (r);
  return r;
}

static void
test_dates_and_blocking_rule (void **state)
{
  GDate d, as_of, grant, expiry;

  assert_true (zones_parse_date ("2026-01-01", &as_of));
  assert_true (zones_parse_date ("2026/01/01", &d));
  assert_int_equal (g_date_compare (&d, &as_of), 0);
  assert_true (zones_parse_date ("01/02/2026", &d));
  assert_int_equal (g_date_get_month (&d), 2);
  assert_true (zones_parse_date ("2026-01-01T10:00:00", &d));
  assert_false (zones_parse_date ("2026-02-30", &d));
  assert_false (zones_parse_date ("soon", &d));
  assert_false (zones_parse_date (NULL, &d));

  zones_parse_date ("2020-05-01", &grant);
  zones_parse_date ("2026-01-01", &expiry);
  /* Expiring on the as-of date still blocks; the day after it frees the land. */
  assert_true (zones_title_blocks ("active", &grant, &expiry, &as_of, FALSE));
  zones_parse_date ("2026-01-02", &d);
  assert_false (zones_title_blocks ("active", &grant, &expiry, &d, FALSE));
  /* Granted after the as-of date: not yet in force. */
  zones_parse_date ("2025-12-31", &d);
  zones_parse_date ("2026-01-01", &grant);
  assert_false (zones_title_blocks ("active", &grant, NULL, &d, FALSE));
  assert_true (zones_title_blocks ("active", &grant, NULL, &as_of, FALSE));
  /* Pending applications block whatever their dates, unless told otherwise. */
  assert_true (zones_title_blocks ("pending", NULL, NULL, &as_of, FALSE));
  assert_false (zones_title_blocks ("pending", NULL, NULL, &as_of, TRUE));
  /* Expired and revoked titles never block, whatever their dates say. */
  zones_parse_date ("2030-01-01", &expiry);
  assert_false (zones_title_blocks ("expired", NULL, &expiry, &as_of, FALSE));
  assert_false (zones_title_blocks ("revoked", NULL, &expiry, &as_of, FALSE));
}

static void
run_expiry_case (const char *as_of, double expected_ha)
{
  Case c;
  g_autofree char *dep = NULL;
  g_autofree char *tit = NULL;
  g_autofree char *g = rect_json (29.0, -2.01, 29.01, -2.0);
  g_autoptr(ZonesUnallocatedResult) r = NULL;
  const char *pairs[] = { g, "{\"code\":\"PR 1\",\"type\":\"PR\",\"statut\":\"Actif\","
                             "\"date_octroi\":\"2021-01-01\",\"date_expiration\":\"2026-01-01\"}",
                          NULL };

  case_init (&c, as_of);
  dep = one_deposit (&c);
  tit = write_layer (c.dir, "titles.geojson", 4326, pairs);
  add_input (c.p.deposits, dep, "deposits");
  add_input (c.p.concessions, tit, "concessions");
  r = run_ok (&c);
  assert_close_abs (r->total_ha, expected_ha, expected_ha * 1e-6 + 1e-9);
  case_clear (&c);
}

static void
test_expiry_day_blocks_next_day_frees (void **state)
{
  run_expiry_case ("2026-01-01", 0.0);
  run_expiry_case ("2026-01-02", quad_ha (29.0, -2.01, 29.01, -2.0));
}

static void
test_pending_application_blocks (void **state)
{
  Case c;
  g_autofree char *dep = NULL;
  g_autofree char *tit = NULL;
  g_autofree char *g = rect_json (29.0, -2.01, 29.005, -2.0);
  g_autoptr(ZonesUnallocatedResult) r = NULL;
  g_autoptr(ZonesUnallocatedResult) r2 = NULL;
  const char *pairs[] = { g, "{\"code\":\"DEM 7\",\"type\":\"Demande\",\"statut\":\"En instruction\","
                             "\"date_octroi\":null,\"date_expiration\":null}", NULL };

  case_init (&c, "2026-01-01");
  dep = one_deposit (&c);
  tit = write_layer (c.dir, "titles.geojson", 4326, pairs);
  add_input (c.p.deposits, dep, "deposits");
  add_input (c.p.concessions, tit, "concessions");
  r = run_ok (&c);
  /* The western half is under the application. */
  assert_close_rel (r->total_ha, quad_ha (29.005, -2.01, 29.01, -2.0), 1e-6);
  assert_int_equal (r->n_blocking, 1);
  c.p.pending_free = TRUE;
  r2 = run_ok (&c);
  assert_close_rel (r2->total_ha, quad_ha (29.0, -2.01, 29.01, -2.0), 1e-6);
  assert_int_equal (r2->n_blocking, 0);
  case_clear (&c);
}

static void
test_sliver_is_found (void **state)
{
  /* A title leaves a strip about 0.09 m wide along the deposit's east edge: 0.01 ha. */
  Case c;
  double width = 8.13e-7;
  g_autofree char *dep = NULL;
  g_autofree char *tit = NULL;
  g_autofree char *g = rect_json (28.99, -2.02, 29.01 - width, -1.99);
  g_autoptr(ZonesUnallocatedResult) r = NULL;
  const char *pairs[] = { g, "{\"code\":\"PE 9\",\"type\":\"PE\",\"statut\":\"Actif\"}", NULL };
  double expected = quad_ha (29.01 - width, -2.01, 29.01, -2.0);

  case_init (&c, "2026-01-01");
  dep = one_deposit (&c);
  tit = write_layer (c.dir, "titles.geojson", 4326, pairs);
  add_input (c.p.deposits, dep, "deposits");
  add_input (c.p.concessions, tit, "concessions");
  r = run_ok (&c);
  assert_true (expected > 0.0099 && expected < 0.0101);
  assert_int_equal (r->candidates->len, 1);
  /* Found, not lost, and measured to better than 0.1 %. */
  assert_close_rel (r->total_ha, expected, 1e-3);
  case_clear (&c);
}

/* The same deposit and river, once in lon/lat and once in UTM 35S: a 500 m buffer must
 * remove the same land. */
static double
river_case (int epsg)
{
  Case c;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, &error);
  g_autoptr(GisCrs) utm = gis_crs_new_from_epsg (32735, &error);
  g_autoptr(GisTransform) t = gis_transform_new (wgs, utm, &error);
  /* Deposit 29.00–29.05 E × 2.05–2.00 S; river crossing it west to east at 2.025 S. */
  double dx[5] = { 29.0, 29.05, 29.05, 29.0, 29.0 }, dy[5] = { -2.05, -2.05, -2.0, -2.0, -2.05 };
  double rx[2] = { 28.98, 29.07 }, ry[2] = { -2.025, -2.025 };
  g_autofree char *dg = NULL, *rg = NULL, *dep = NULL, *riv = NULL, *rules = NULL;
  g_autoptr(ZonesUnallocatedResult) r = NULL;
  double total;

  case_init (&c, "2026-01-01");
  if (epsg != 4326)
    {
      assert_true (gis_transform_points (t, dx, dy, 5, &error));
      assert_true (gis_transform_points (t, rx, ry, 2, &error));
    }
  dg = g_strdup_printf ("{\"type\":\"Polygon\",\"coordinates\":[[[%.9f,%.9f],[%.9f,%.9f],"
                        "[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f]]]}", dx[0], dy[0], dx[1], dy[1],
                        dx[2], dy[2], dx[3], dy[3], dx[4], dy[4]);
  rg = g_strdup_printf ("{\"type\":\"LineString\",\"coordinates\":[[%.9f,%.9f],[%.9f,%.9f]]}",
                        rx[0], ry[0], rx[1], ry[1]);
  {
    const char *dp[] = { dg, deposit_props, NULL };
    const char *rp[] = { rg, "{\"classe\":\"Rivière\",\"nom\":\"Ulindi\"}", NULL };
    dep = write_layer (c.dir, "deposits.geojson", epsg, dp);
    riv = write_layer (c.dir, "rivers.geojson", epsg, rp);
  }
  rules = g_build_filename (c.dir, "rules.csv", NULL);
  assert_true (g_file_set_contents (rules, "class,rule,buffer_m,note\nwater,excluded,500,test\n",
                                    -1, NULL));
  g_clear_pointer (&c.p.rules, zones_rules_free);
  c.p.rules = zones_rules_new_from_file (rules, &error);
  assert_no_error (error);
  add_input (c.p.deposits, dep, "deposits");
  add_input (c.p.landuse, riv, "landuse");
  r = run_ok (&c);
  assert_int_equal (r->n_excluded, 1);
  total = r->total_ha;
  /* By hand: the 1000 m wide strip crosses the whole deposit, whose width along the river is
   * the parallel 0.05° at 2.025 S, 5,561 m: about 556 ha removed. */
  if (epsg == 4326)
    {
      double deposit = quad_ha (29.0, -2.05, 29.05, -2.0);
      double strip = 0.05 * G_PI / 180 * 6378137.0 * cos (2.025 * G_PI / 180) * 1000 / 1e4;
      assert_close_rel (total, deposit - strip, 2e-3);
    }
  case_clear (&c);
  return total;
}

static void
test_buffer_same_in_lonlat_and_utm (void **state)
{
  double a = river_case (4326);
  double b = river_case (32735);
  assert_close_rel (a, b, 1e-3);
}

static void
test_invalid_input_stops_or_is_repaired (void **state)
{
  Case c;
  g_autoptr(GError) error = NULL;
  g_autofree char *dep = NULL;
  const char *bow = "{\"type\":\"Polygon\",\"coordinates\":[[[29.0,-2.0],[29.01,-2.01],"
                    "[29.01,-2.0],[29.0,-2.01],[29.0,-2.0]]]}";
  const char *pairs[] = { bow, deposit_props, NULL };
  ZonesUnallocatedResult *r;

  case_init (&c, "2026-01-01");
  dep = write_layer (c.dir, "deposits.geojson", 4326, pairs);
  add_input (c.p.deposits, dep, "deposits");
  r = zones_unallocated_run (&c.p, NULL, &error);
  assert_null (r);
  assert_error_contains (error, "--repair");
  assert_error_contains (error, "deposits.geojson");
  assert_error_contains (error, "Self-intersection");
  g_clear_error (&error);

  c.p.repair = TRUE;
  r = run_ok (&c);
  assert_int_equal (r->invalid_inputs->len, 1);
  assert_true (((ZonesInvalidInput *) g_ptr_array_index (r->invalid_inputs, 0))->repaired);
  /* Repaired into two triangles, each a quarter of the cell. */
  assert_close_rel (r->total_ha, quad_ha (29.0, -2.01, 29.01, -2.0) / 2, 2e-3);
  zones_unallocated_result_free (r);
  case_clear (&c);
}

/* 200 deposits, enough for the shapes to be checked on several threads: five bow ties and
 * one feature without a shape are listed in feature order (GeoJSON features are numbered
 * from 0), and the run stops without --repair; repaired, each bow tie keeps two triangles,
 * half its cell. */
static void
test_invalid_inputs_in_feature_order (void **state)
{
  static const guint bad[] = { 7, 64, 65, 150, 199 };
  const guint no_shape = 100, n = 200;
  Case c;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dep = NULL;
  ZonesUnallocatedResult *r;
  double cell = quad_ha (29.0, -2.01, 29.01, -2.0);
  gint64 last = -1;

  case_init (&c, "2026-01-01");
  for (guint k = 0; k < n; k++)
    {
      double x0 = 28.0 + 0.01 * k, x1 = x0 + 0.01;
      gboolean bow = FALSE;
      for (guint b = 0; b < G_N_ELEMENTS (bad); b++)
        bow = bow || bad[b] == k;
      if (k == no_shape)
        g_ptr_array_add (pairs, g_strdup ("null"));
      else if (bow)
        g_ptr_array_add (pairs, g_strdup_printf ("{\"type\":\"Polygon\",\"coordinates\":[[[%.2f,-2.0],"
                                                 "[%.2f,-2.01],[%.2f,-2.0],[%.2f,-2.01],[%.2f,-2.0]]]}",
                                                 x0, x1, x1, x0, x0));
      else
        g_ptr_array_add (pairs, rect_json (x0, -2.01, x1, -2.0));
      g_ptr_array_add (pairs, g_strdup (deposit_props));
    }
  g_ptr_array_add (pairs, NULL);
  dep = write_layer (c.dir, "deposits.geojson", 4326, (const char *const *) pairs->pdata);
  add_input (c.p.deposits, dep, "deposits");

  r = zones_unallocated_run (&c.p, NULL, &error);
  assert_null (r);
  assert_error_contains (error, "6 invalid geometries, e.g. feature 7 (Self-intersection");
  g_clear_error (&error);

  c.p.repair = TRUE;
  r = run_ok (&c);
  assert_int_equal (r->invalid_inputs->len, 6);
  for (guint i = 0; i < r->invalid_inputs->len; i++)
    {
      ZonesInvalidInput *v = g_ptr_array_index (r->invalid_inputs, i);
      assert_true (v->fid > last);
      last = v->fid;
    }
  assert_int_equal (((ZonesInvalidInput *) g_ptr_array_index (r->invalid_inputs, 3))->fid, no_shape);
  assert_string_equal (((ZonesInvalidInput *) g_ptr_array_index (r->invalid_inputs, 3))->reason,
                       "no geometry");
  assert_int_equal (((ZonesInvalidInput *) g_ptr_array_index (r->invalid_inputs, 5))->fid, 199);
  assert_close_rel (r->total_ha, (n - 1 - G_N_ELEMENTS (bad)) * cell + G_N_ELEMENTS (bad) * cell / 2,
                    1e-4);
  zones_unallocated_result_free (r);

  /* The deposits are read on a thread of their own beside the titles and the land use:
   * still, their invalid shapes come first, then the titles', then the land use's, and
   * without repair the deposits' are the ones named, in every run. */
  {
    const char *bow = "{\"type\":\"Polygon\",\"coordinates\":[[[40,-2.0],[40.01,-2.01],"
                      "[40.01,-2.0],[40,-2.01],[40,-2.0]]]}";
    const char *titles[] = { bow, "{\"code\":\"PR 9\",\"type\":\"PR\",\"statut\":\"Actif\"}", NULL };
    const char *landuse[] = { bow, "{\"classe\":\"Parc national\"}", NULL };
    g_autofree char *tit = write_layer (c.dir, "titles.geojson", 4326, titles);
    g_autofree char *lu = write_layer (c.dir, "landuse.geojson", 4326, landuse);

    add_input (c.p.concessions, tit, "concessions");
    add_input (c.p.landuse, lu, "landuse");
    for (guint round = 0; round < 5; round++)
      {
        c.p.repair = FALSE;
        r = zones_unallocated_run (&c.p, NULL, &error);
        assert_null (r);
        assert_error_contains (error, "deposits");
        assert_error_contains (error, "6 invalid geometries");
        g_clear_error (&error);
        c.p.repair = TRUE;
        r = run_ok (&c);
        assert_int_equal (r->invalid_inputs->len, 8);
        for (guint i = 0; i < 6; i++)
          assert_non_null (strstr (((ZonesInvalidInput *) g_ptr_array_index (r->invalid_inputs, i))->layer,
                                   "deposits"));
        assert_non_null (strstr (((ZonesInvalidInput *) g_ptr_array_index (r->invalid_inputs, 6))->layer,
                                 "titles"));
        assert_non_null (strstr (((ZonesInvalidInput *) g_ptr_array_index (r->invalid_inputs, 7))->layer,
                                 "landuse"));
        zones_unallocated_result_free (r);
      }
  }
  case_clear (&c);
}

static void
test_feature_without_shape_is_listed (void **state)
{
  /* A deposit with no geometry is not dropped silently: the run stops naming it, and with
   * --repair it is listed (not repaired) while the rest goes on. */
  Case c;
  g_autoptr(GError) error = NULL;
  g_autofree char *dep = NULL;
  g_autofree char *g = rect_json (29.0, -2.01, 29.01, -2.0);
  const char *pairs[] = { g, deposit_props, "null", deposit_props, NULL };
  ZonesUnallocatedResult *r;

  case_init (&c, "2026-01-01");
  dep = write_layer (c.dir, "deposits.geojson", 4326, pairs);
  add_input (c.p.deposits, dep, "deposits");
  r = zones_unallocated_run (&c.p, NULL, &error);
  assert_null (r);
  assert_error_contains (error, "feature 1 (no geometry)");
  g_clear_error (&error);
  c.p.repair = TRUE;
  r = run_ok (&c);
  assert_int_equal (r->invalid_inputs->len, 1);
  assert_string_equal (((ZonesInvalidInput *) g_ptr_array_index (r->invalid_inputs, 0))->reason,
                       "no geometry");
  assert_false (((ZonesInvalidInput *) g_ptr_array_index (r->invalid_inputs, 0))->repaired);
  assert_close_rel (r->total_ha, quad_ha (29.0, -2.01, 29.01, -2.0), 1e-6);
  zones_unallocated_result_free (r);
  case_clear (&c);
}

static void
test_bad_title_values_are_named (void **state)
{
  Case c;
  g_autoptr(GError) error = NULL;
  g_autofree char *dep = NULL;
  g_autofree char *tit = NULL;
  g_autofree char *tit2 = NULL;
  g_autofree char *g = rect_json (29.0, -2.01, 29.01, -2.0);
  const char *bad_status[] = { g, "{\"code\":\"X\",\"type\":\"PE\",\"statut\":\"Actif\"}",
                               g, "{\"code\":\"Y\",\"type\":\"PE\",\"statut\":\"Bizarre\"}", NULL };
  const char *bad_date[] = { g, "{\"code\":\"Z\",\"type\":\"PE\",\"statut\":\"Actif\","
                                "\"date_expiration\":\"31 juin 2026\"}", NULL };
  ZonesUnallocatedResult *r;

  case_init (&c, "2026-01-01");
  dep = one_deposit (&c);
  tit = write_layer (c.dir, "titles.geojson", 4326, bad_status);
  add_input (c.p.deposits, dep, "deposits");
  add_input (c.p.concessions, tit, "concessions");
  r = zones_unallocated_run (&c.p, NULL, &error);
  assert_null (r);
  assert_error_contains (error, "titles.geojson");
  assert_error_contains (error, "feature 1");
  assert_error_contains (error, "status");
  assert_error_contains (error, "Bizarre");
  g_clear_error (&error);

  g_ptr_array_set_size (c.p.concessions, 0);
  tit2 = write_layer (c.dir, "titles2.geojson", 4326, bad_date);
  add_input (c.p.concessions, tit2, "concessions");
  r = zones_unallocated_run (&c.p, NULL, &error);
  assert_null (r);
  assert_error_contains (error, "expiry_date");
  assert_error_contains (error, "31 juin 2026");
  case_clear (&c);
}

static void
test_lsm_review_conditional_and_admin (void **state)
{
  Case c;
  g_autofree char *dep = NULL, *tit = NULL, *lu = NULL, *adm = NULL;
  g_autofree char *west = rect_json (29.0, -2.01, 29.004, -2.0);
  g_autofree char *pr = rect_json (29.004, -2.01, 29.006, -2.0);
  g_autofree char *forest = rect_json (29.0, -2.1, 29.1, -2.005);
  g_autofree char *prov_a = rect_json (28.9, -2.1, 29.008, -1.9);
  g_autofree char *prov_b = rect_json (29.008, -2.1, 29.2, -1.9);
  const char *titles[] = { west, "{\"code\":\"PE 1\",\"type\":\"PE\",\"statut\":\"Actif\","
                                 "\"titulaire\":\"KIVU GOLD SARL\"}",
                           pr, "{\"code\":\"PR 2\",\"type\":\"PR\",\"statut\":\"Actif\","
                               "\"titulaire\":\"EXPLO SARL\"}", NULL };
  const char *landuse[] = { forest, "{\"classe\":\"Forêt classée\"}", NULL };
  const char *admins[] = { prov_a, "{\"iso3\":\"COD\",\"name\":\"Alpha\",\"code\":\"CD-AA\"}",
                           prov_b, "{\"iso3\":\"COD\",\"name\":\"Beta\",\"code\":\"CD-BB\"}", NULL };
  g_autoptr(ZonesUnallocatedResult) r = NULL;
  double free_ha = quad_ha (29.006, -2.01, 29.01, -2.0);
  double sum = 0;

  case_init (&c, "2026-01-01");
  dep = one_deposit (&c);
  tit = write_layer (c.dir, "titles.geojson", 4326, titles);
  lu = write_layer (c.dir, "landuse.geojson", 4326, landuse);
  adm = write_layer (c.dir, "provinces.geojson", 4326, admins);
  add_input (c.p.deposits, dep, "deposits");
  add_input (c.p.concessions, tit, "concessions");
  add_input (c.p.landuse, lu, "landuse");
  add_input (c.p.borders, adm, "borders");
  r = run_ok (&c);

  /* Free land: 29.006–29.01. Its southern half (south of 2.005 S) is forest (conditional),
   * and it straddles the provinces at 29.008. */
  assert_close_rel (r->total_ha, free_ha, 1e-6);
  assert_int_equal (r->candidates->len, 4);
  for (guint i = 0; i < r->candidates->len; i++)
    {
      ZonesCandidate *cand = g_ptr_array_index (r->candidates, i);
      double expected;
      double x0 = g_strcmp0 (cand->admin_code, "CD-AA") == 0 ? 29.006 : 29.008;
      double x1 = x0 + 0.002;

      if (g_str_equal (cand->land_use, "forest"))
        expected = quad_ha (x0, -2.01, x1, -2.005);
      else
        {
          assert_string_equal (cand->land_use, "allowed");
          expected = quad_ha (x0, -2.005, x1, -2.0);
        }
      assert_close_rel (cand->area_ha, expected, 1e-6);
      assert_string_equal (cand->mineral, "gold");
      assert_string_equal (cand->deposit_id, "D1");
      sum += cand->area_ha;
    }
  assert_close_rel (sum, free_ha, 1e-9);
  /* Only the large-scale (PE) title is on the review list, with the deposit land in it. */
  assert_int_equal (r->lsm_review->len, 1);
  {
    ZonesLsmReview *l = g_ptr_array_index (r->lsm_review, 0);
    assert_string_equal (l->title_id, "PE 1");
    assert_string_equal (l->holder, "KIVU GOLD SARL");
    assert_close_rel (l->deposit_ha, quad_ha (29.0, -2.01, 29.004, -2.0), 1e-6);
  }
  assert_close_rel (*(double *) g_hash_table_lookup (r->by_mineral, "gold"), free_ha, 1e-6);
  case_clear (&c);
}

static void
test_overlapping_deposits_counted_once (void **state)
{
  Case c;
  g_autofree char *a = rect_json (29.0, -2.01, 29.01, -2.0);
  g_autofree char *b = rect_json (29.005, -2.01, 29.015, -2.0);
  const char *pairs[] = { a, deposit_props,
                          b, "{\"COMMOD\":\"Cassitérite\",\"CONF\":\"Probable\",\"DEP_ID\":\"D2\"}",
                          NULL };
  g_autofree char *dep = NULL;
  g_autoptr(ZonesUnallocatedResult) r = NULL;

  case_init (&c, "2026-01-01");
  dep = write_layer (c.dir, "deposits.geojson", 4326, pairs);
  add_input (c.p.deposits, dep, "deposits");
  c.p.measure_deposits = TRUE;
  r = run_ok (&c);
  assert_int_equal (r->candidates->len, 2);
  /* Nothing blocks here: all deposit land (their union) is candidate land. */
  assert_close_rel (r->deposit_ha, quad_ha (29.0, -2.01, 29.015, -2.0), 1e-6);
  /* The union covers 29.000–29.015; each mineral keeps its own full area. */
  assert_close_rel (r->total_ha, quad_ha (29.0, -2.01, 29.015, -2.0), 1e-6);
  assert_close_rel (*(double *) g_hash_table_lookup (r->by_mineral, "gold"),
                    quad_ha (29.0, -2.01, 29.01, -2.0), 1e-6);
  assert_close_rel (*(double *) g_hash_table_lookup (r->by_mineral, "cassiterite"),
                    quad_ha (29.005, -2.01, 29.015, -2.0), 1e-6);
  /* A mineral filter leaves the other deposit out. */
  c.p.minerals = g_strsplit ("cassiterite", ",", -1);
  {
    g_autoptr(ZonesUnallocatedResult) r2 = run_ok (&c);
    assert_int_equal (r2->n_deposits, 1);
    assert_close_rel (r2->total_ha, quad_ha (29.005, -2.01, 29.015, -2.0), 1e-6);
  }
  case_clear (&c);
}

/* 120 deposits in a chain, each overlapping the next two: one group of overlapping pieces,
 * large enough to be cut into parts for the workers. The union is one quadrangle. */
static void
test_long_chain_of_overlaps (void **state)
{
  Case c;
  GPtrArray *pairs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dep = NULL;
  g_autoptr(ZonesUnallocatedResult) r1 = NULL;
  g_autoptr(ZonesUnallocatedResult) r2 = NULL;
  const guint n = 120;

  case_init (&c, "2026-01-01");
  for (guint k = 0; k < n; k++)
    {
      g_ptr_array_add (pairs, rect_json (29.0 + 0.001 * k, -2.01, 29.003 + 0.001 * k, -2.0));
      g_ptr_array_add (pairs, g_strdup_printf ("{\"COMMOD\":\"%s\",\"CONF\":\"Known\","
                                               "\"DEP_ID\":\"D%u\"}",
                                               k % 2 ? "Cassitérite" : "Gold", k));
    }
  g_ptr_array_add (pairs, NULL);
  dep = write_layer (c.dir, "deposits.geojson", 4326, (const char *const *) pairs->pdata);
  add_input (c.p.deposits, dep, "deposits");
  c.p.measure_deposits = TRUE;
  r1 = run_ok (&c);
  assert_int_equal (r1->candidates->len, n);
  assert_close_rel (r1->total_ha, quad_ha (29.0, -2.01, 29.003 + 0.001 * (n - 1), -2.0), 1e-6);
  assert_close_rel (r1->deposit_ha, r1->total_ha, 1e-12);
  /* Gold: the even ones, 29.000–29.121; cassiterite: the odd ones, 29.001–29.122. */
  assert_close_rel (*(double *) g_hash_table_lookup (r1->by_mineral, "gold"),
                    quad_ha (29.0, -2.01, 29.003 + 0.001 * (n - 2), -2.0), 1e-6);
  assert_close_rel (*(double *) g_hash_table_lookup (r1->by_mineral, "cassiterite"),
                    quad_ha (29.001, -2.01, 29.003 + 0.001 * (n - 1), -2.0), 1e-6);
  /* The same numbers, to the last bit, whatever the number of threads. */
  c.p.n_threads = 2;
  r2 = run_ok (&c);
  assert_true (r2->total_ha == r1->total_ha);
  assert_true (*(double *) g_hash_table_lookup (r2->by_mineral, "gold") ==
               *(double *) g_hash_table_lookup (r1->by_mineral, "gold"));
  g_ptr_array_unref (pairs);
  case_clear (&c);
}

/* A small province: 40 deposits of two minerals on a jittered grid, each overlapping its
 * neighbours; large-scale and exploration titles over several deposits each; a national
 * park, a town (100 m buffer) and a forest (conditional); two provinces. */
static void
province_case (Case *c)
{
  g_autoptr(GPtrArray) dep = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) tit = g_ptr_array_new_with_free_func (g_free);
  GRand *rand = g_rand_new_with_seed (17);
  g_autofree char *park = rect_json (29.0105, -2.0105, 29.0141, -2.0052);
  g_autofree char *town = rect_json (29.0213, -2.0031, 29.0231, -2.0012);
  g_autofree char *forest = rect_json (29.000, -2.0200, 29.040, -2.0090);
  g_autofree char *prov_a = rect_json (28.9, -2.1, 29.0172, -1.9);
  g_autofree char *prov_b = rect_json (29.0172, -2.1, 29.2, -1.9);
  const char *landuse[] = { park, "{\"classe\":\"Parc national\"}",
                            town, "{\"classe\":\"Ville\"}",
                            forest, "{\"classe\":\"Forêt classée\"}", NULL };
  const char *admins[] = { prov_a, "{\"iso3\":\"COD\",\"name\":\"Alpha\",\"code\":\"CD-AA\"}",
                           prov_b, "{\"iso3\":\"COD\",\"name\":\"Beta\",\"code\":\"CD-BB\"}", NULL };
  g_autofree char *d = NULL, *t = NULL, *l = NULL, *a = NULL;

  for (guint k = 0; k < 40; k++)
    {
      double x = 29.0 + 0.0045 * (k % 8) + g_rand_double_range (rand, 0, 0.001);
      double y = -2.02 + 0.0045 * (k / 8) + g_rand_double_range (rand, 0, 0.001);
      g_ptr_array_add (dep, rect_json (x, y, x + 0.0052, y + 0.0049));
      g_ptr_array_add (dep, g_strdup_printf ("{\"COMMOD\":\"%s\",\"CONF\":\"Known\","
                                             "\"DEP_ID\":\"D%u\"}", k % 3 ? "Gold" : "Cassitérite", k));
    }
  g_ptr_array_add (dep, NULL);
  for (guint k = 0; k < 6; k++)
    {
      double x = 29.002 + 0.0061 * k, y = -2.017 + 0.0023 * k;
      g_ptr_array_add (tit, rect_json (x, y, x + 0.0071, y + 0.0063));
      g_ptr_array_add (tit, g_strdup_printf ("{\"code\":\"%s %u\",\"type\":\"%s\","
                                             "\"statut\":\"Actif\",\"titulaire\":\"H%u\"}",
                                             k % 2 ? "PR" : "PE", k, k % 2 ? "PR" : "PE", k));
    }
  g_ptr_array_add (tit, NULL);
  d = write_layer (c->dir, "deposits.geojson", 4326, (const char *const *) dep->pdata);
  t = write_layer (c->dir, "titles.geojson", 4326, (const char *const *) tit->pdata);
  l = write_layer (c->dir, "landuse.geojson", 4326, landuse);
  a = write_layer (c->dir, "provinces.geojson", 4326, admins);
  add_input (c->p.deposits, d, "deposits");
  add_input (c->p.concessions, t, "concessions");
  add_input (c->p.landuse, l, "landuse");
  add_input (c->p.borders, a, "borders");
  c->p.measure_deposits = TRUE;
  g_rand_free (rand);
}

static char *
piece_key (ZonesCandidate *p)
{
  return g_strdup_printf ("%s|%s|%s|%.6f", p->deposit_id, p->land_use,
                          p->admin_code ? p->admin_code : "-", p->area_ha);
}

static int
compare_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The pieces of a result as sorted keys (deposit, land use, admin unit, area to 1e-6 ha). */
static GPtrArray *
piece_keys (GPtrArray *pieces)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < pieces->len; i++)
    g_ptr_array_add (keys, piece_key (g_ptr_array_index (pieces, i)));
  g_ptr_array_sort (keys, compare_str);
  return keys;
}

static void
assert_same_result (ZonesUnallocatedResult *a, ZonesUnallocatedResult *b, GPtrArray *b_pieces)
{
  g_autoptr(GPtrArray) ka = piece_keys (a->candidates);
  g_autoptr(GPtrArray) kb = piece_keys (b_pieces);

  assert_int_equal (a->n_candidates, b->n_candidates);
  assert_int_equal (ka->len, kb->len);
  for (guint i = 0; i < ka->len; i++)
    assert_string_equal (g_ptr_array_index (ka, i), g_ptr_array_index (kb, i));
  /* Sums taken in another order differ in the last bits only. */
  assert_close_rel (a->total_ha, b->total_ha, 1e-12);
  assert_close_rel (a->deposit_ha, b->deposit_ha, 1e-12);
  assert_close_rel (*(double *) g_hash_table_lookup (a->by_mineral, "gold"),
                    *(double *) g_hash_table_lookup (b->by_mineral, "gold"), 1e-12);
  assert_close_rel (*(double *) g_hash_table_lookup (a->by_mineral, "cassiterite"),
                    *(double *) g_hash_table_lookup (b->by_mineral, "cassiterite"), 1e-12);
  assert_int_equal (a->summary->len, b->summary->len);
  for (guint i = 0; i < a->summary->len; i++)
    {
      ZonesSummaryRow *x = g_ptr_array_index (a->summary, i), *y = g_ptr_array_index (b->summary, i);
      assert_string_equal (x->mineral, y->mineral);
      assert_string_equal (x->admin, y->admin);
      assert_string_equal (x->land_use, y->land_use);
      assert_int_equal (x->pieces, y->pieces);
      assert_close_rel (x->area_ha, y->area_ha, 1e-12);
    }
  assert_int_equal (a->lsm_review->len, b->lsm_review->len);
  for (guint i = 0; i < a->lsm_review->len; i++)
    {
      ZonesLsmReview *x = g_ptr_array_index (a->lsm_review, i), *y = g_ptr_array_index (b->lsm_review, i);
      assert_string_equal (x->title_id, y->title_id);
      assert_string_equal (x->holder, y->holder);
      assert_true (x->deposit_ha == y->deposit_ha);
      assert_true (x->title_ha == y->title_ha);
    }
}

/* The deposits are cut in batches of neighbours, each with only the shapes near it read
 * back: batches of one deposit, of a few, and one batch for all, on one thread or three,
 * give the same pieces, totals, summary and review list. And the figures are those of the
 * shapes: every piece lies in its deposit, the pieces of one deposit never overlap, and
 * no piece reaches into a title, the park or the town's buffer. */
static void
test_batches_give_the_same_result (void **state)
{
  Case c;
  g_autoptr(ZonesUnallocatedResult) whole = NULL;
  const gsize budgets[] = { 1, 3000, 20000 };

  case_init (&c, "2026-01-01");
  province_case (&c);
  c.p.batch_bytes = 1 << 30;
  whole = run_ok (&c);
  assert_int_equal (whole->n_deposits, 40);
  assert_true (whole->n_candidates > 40);
  assert_int_equal (whole->lsm_review->len, 3);          /* the three PE titles */
  assert_true (whole->total_ha > 0 && whole->total_ha < whole->deposit_ha);
  {
    /* The sum of the pieces counts overlaps of deposits twice; the total, once. */
    double sum = 0;
    for (guint i = 0; i < whole->candidates->len; i++)
      sum += ((ZonesCandidate *) g_ptr_array_index (whole->candidates, i))->area_ha;
    assert_true (sum > whole->total_ha * 1.05);
  }
  /* The totals against GEOS: the union of the deposits (of gold alone) less the union of
   * the titles, the park and the town widened by 100 m, cut by the two provinces and
   * measured by PROJ's geod_polygonarea; the forest only labels. They agree to 1e-7, not
   * to rounding: Placer sums pieces less their overlaps, and an edge along a parallel that
   * is split at a crossing is two geodesics instead of one, some 0.03 m² apart on these
   * 500 m edges; the one polygon GEOS makes splits its edges at other points. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ZonesRecordSet) deps = zones_record_set_read (g_ptr_array_index (c.p.deposits, 0),
                                                            NULL, FALSE, NULL, &error);
    g_autoptr(ZonesRecordSet) tits = zones_record_set_read (g_ptr_array_index (c.p.concessions, 0),
                                                            NULL, FALSE, NULL, &error);
    g_autoptr(ZonesRecordSet) lus = zones_record_set_read (g_ptr_array_index (c.p.landuse, 0),
                                                           NULL, FALSE, NULL, &error);
    g_autoptr(ZonesRecordSet) provs = zones_record_set_read (g_ptr_array_index (c.p.borders, 0),
                                                             NULL, FALSE, NULL, &error);
    g_autoptr(GPtrArray) all = g_ptr_array_new ();
    g_autoptr(GPtrArray) gold = g_ptr_array_new ();
    g_autoptr(GPtrArray) cut = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
    g_autoptr(GisGeometry) u_all = NULL, u_gold = NULL, u_cut = NULL, d_all = NULL, d_gold = NULL;
    double a_all = 0, a_gold = 0;

    assert_no_error (error);
    for (guint i = 0; i < deps->records->len; i++)
      {
        ZonesRecord *r = g_ptr_array_index (deps->records, i);
        g_ptr_array_add (all, r->geometry);
        if (g_strcmp0 (zones_record_get (deps, r, "mineral"), "gold") == 0)
          g_ptr_array_add (gold, r->geometry);
      }
    for (guint i = 0; i < tits->records->len; i++)
      g_ptr_array_add (cut, gis_geometry_ref (((ZonesRecord *) g_ptr_array_index (tits->records, i))->geometry));
    for (guint i = 0; i < lus->records->len; i++)
      {
        ZonesRecord *r = g_ptr_array_index (lus->records, i);
        const char *cls = zones_record_get (lus, r, "class");
        if (g_str_equal (cls, "protected_area"))
          g_ptr_array_add (cut, gis_geometry_ref (r->geometry));
        else if (g_str_equal (cls, "urban"))
          g_ptr_array_add (cut, gis_geometry_buffer_metres (r->geometry, c.p.output_crs, 100, &error));
      }
    assert_int_equal (cut->len, 8);
    u_all = gis_geometry_union_all ((GisGeometry **) all->pdata, all->len, &error);
    u_gold = gis_geometry_union_all ((GisGeometry **) gold->pdata, gold->len, &error);
    u_cut = gis_geometry_union_all ((GisGeometry **) cut->pdata, cut->len, &error);
    assert_no_error (error);
    d_all = gis_geometry_difference (u_all, u_cut, &error);
    d_gold = gis_geometry_difference (u_gold, u_cut, &error);
    assert_int_equal (provs->records->len, 2);
    for (guint i = 0; i < provs->records->len; i++)
      {
        GisGeometry *prov = ((ZonesRecord *) g_ptr_array_index (provs->records, i))->geometry;
        g_autoptr(GisGeometry) in_all = gis_geometry_intersection (d_all, prov, &error);
        g_autoptr(GisGeometry) in_gold = gis_geometry_intersection (d_gold, prov, &error);
        double x = 0, y = 0;

        assert_true (gis_geodesic_area (in_all, c.p.output_crs, &x, &error));
        assert_true (gis_geodesic_area (in_gold, c.p.output_crs, &y, &error));
        a_all += x;
        a_gold += y;
      }
    assert_no_error (error);
    assert_close_rel (whole->total_ha, a_all / 1e4, 1e-7);
    assert_close_rel (*(double *) g_hash_table_lookup (whole->by_mineral, "gold"), a_gold / 1e4, 1e-7);
  }
  for (guint b = 0; b < G_N_ELEMENTS (budgets); b++)
    for (guint threads = 1; threads <= 3; threads += 2)
      {
        g_autoptr(ZonesUnallocatedResult) r = NULL;
        c.p.batch_bytes = budgets[b];
        c.p.n_threads = threads;
        r = run_ok (&c);
        assert_same_result (whole, r, r->candidates);
      }
  case_clear (&c);
}

/* A sink takes every piece as it is made; the result then keeps none, and the pieces are
 * those a run without a sink keeps. A sink that fails stops the run with its error. */
typedef struct {
  GPtrArray *pieces;
  guint      fail_at;   /* 0: never */
} Sink;

static gboolean
sink_cb (ZonesCandidate *c, gpointer user_data, GError **error)
{
  Sink *s = user_data;
  ZonesCandidate *copy;

  if (s->fail_at > 0 && s->pieces->len + 1 == s->fail_at)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "the disk is full");
      return FALSE;
    }
  copy = g_new0 (ZonesCandidate, 1);
  copy->deposit_id = g_strdup (c->deposit_id);
  copy->land_use = g_strdup (c->land_use);
  copy->admin_code = g_strdup (c->admin_code);
  copy->area_ha = c->area_ha;
  copy->geometry = gis_geometry_ref (c->geometry);
  g_ptr_array_add (s->pieces, copy);
  return TRUE;
}

static void
copy_free (ZonesCandidate *c)
{
  g_free (c->deposit_id);
  g_free (c->land_use);
  g_free (c->admin_code);
  gis_geometry_unref (c->geometry);
  g_free (c);
}

static void
test_pieces_go_to_a_sink (void **state)
{
  Case c;
  g_autoptr(ZonesUnallocatedResult) kept = NULL;
  g_autoptr(ZonesUnallocatedResult) sunk = NULL;
  g_autoptr(GError) error = NULL;
  Sink sink = { g_ptr_array_new_with_free_func ((GDestroyNotify) copy_free), 0 };

  case_init (&c, "2026-01-01");
  province_case (&c);
  c.p.batch_bytes = 3000;
  c.p.n_threads = 2;
  kept = run_ok (&c);
  c.p.candidate_func = sink_cb;
  c.p.candidate_data = &sink;
  sunk = run_ok (&c);
  assert_int_equal (sunk->candidates->len, 0);
  assert_int_equal (sink.pieces->len, sunk->n_candidates);
  assert_same_result (kept, sunk, sink.pieces);

  g_ptr_array_set_size (sink.pieces, 0);
  sink.fail_at = 7;
  assert_null (zones_unallocated_run (&c.p, NULL, &error));
  assert_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  assert_string_equal (error->message, "the disk is full");
  assert_int_equal (sink.pieces->len, 6);
  g_ptr_array_unref (sink.pieces);
  case_clear (&c);
}

/* The file written piece by piece holds what the result says; a run that fails leaves no
 * file, and an existing file is refused before any work without overwrite. */
static void
test_writer_streams_all_or_nothing (void **state)
{
  Case c;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr(ZonesUnallocatedResult) r = NULL;

  case_init (&c, "2026-01-01");
  province_case (&c);
  c.p.batch_bytes = 3000;
  out = g_build_filename (c.dir, "result.gpkg", NULL);
  {
    g_autoptr(ZonesUnallocatedWriter) w = zones_unallocated_writer_new (out, FALSE, c.p.output_crs,
                                                                        &error);
    assert_no_error (error);
    c.p.candidate_func = zones_unallocated_writer_add;
    c.p.candidate_data = w;
    r = run_ok (&c);
    /* Not there until finished. */
    assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    assert_true (zones_unallocated_writer_finish (w, r, &error));
    assert_no_error (error);
  }
  {
    g_autoptr(GisDataset) ds = gis_dataset_open (out, GIS_OPEN_VECTOR, &error);
    g_autoptr(GisLayerInfo) info = NULL;
    assert_no_error (error);
    info = gis_dataset_describe_layer (ds, "candidate_land", &error);
    assert_no_error (error);
    assert_int_equal (info->feature_count, r->n_candidates);
  }
  /* Refused at once: the file is there. */
  {
    g_autoptr(ZonesUnallocatedWriter) w = zones_unallocated_writer_new (out, FALSE, c.p.output_crs,
                                                                        &error);
    assert_null (w);
    assert_error_matches (error, GIS_ERROR, GIS_ERROR_EXISTS);
    g_clear_error (&error);
  }
  /* A run that fails half-way (a title with a status nobody mapped) leaves nothing. */
  {
    g_autofree char *out2 = g_build_filename (c.dir, "failed.gpkg", NULL);
    g_autofree char *bad = rect_json (29.0, -2.02, 29.01, -2.01);
    const char *titles[] = { bad, "{\"code\":\"X 1\",\"type\":\"PE\",\"statut\":\"Gelé\"}", NULL };
    g_autofree char *t = write_layer (c.dir, "bad-titles.geojson", 4326, titles);
    /* Partial files of that name left by killed runs go when a new writer starts; one of
     * a process that runs (process 1 always does) stays. */
    g_autofree char *stale = g_strconcat (out2, ".partial-2000000000-7.gpkg", NULL);
    g_autofree char *stale_journal = g_strconcat (stale, "-journal", NULL);
    g_autofree char *live = g_strconcat (out2, ".partial-1-7.gpkg", NULL);
    g_autoptr(ZonesUnallocatedWriter) w = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *name;

    assert_true (g_file_set_contents (stale, "x", 1, NULL));
    assert_true (g_file_set_contents (stale_journal, "x", 1, NULL));
    assert_true (g_file_set_contents (live, "x", 1, NULL));
    w = zones_unallocated_writer_new (out2, FALSE, c.p.output_crs, &error);
    assert_no_error (error);
    assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
    assert_false (g_file_test (stale_journal, G_FILE_TEST_EXISTS));
    assert_true (g_file_test (live, G_FILE_TEST_EXISTS));
    g_unlink (live);
    add_input (c.p.concessions, t, "concessions");
    c.p.candidate_data = w;
    assert_null (zones_unallocated_run (&c.p, NULL, &error));
    assert_non_null (strstr (error->message, "bad-titles"));
    g_clear_error (&error);
    g_clear_pointer (&w, zones_unallocated_writer_free);
    assert_false (g_file_test (out2, G_FILE_TEST_EXISTS));
    dir = g_dir_open (c.dir, 0, NULL);
    while ((name = g_dir_read_name (dir)) != NULL)
      assert_true (g_str_has_suffix (name, ".geojson") || g_str_equal (name, "result.gpkg"));
  }
  case_clear (&c);
}

/* A layer read a few records at a time: each batch comes checked and in feature order,
 * every valid (or, with repair, repaired) record comes once, and the invalid ones of the
 * whole layer are listed in feature order whichever batch they fell in. */
typedef struct {
  GArray *fids;
  guint   calls;
  guint   max_batch;
} Batches;

static gboolean
batch_cb (ZonesRecordSet *set, gpointer user_data, GError **error)
{
  Batches *b = user_data;

  b->calls++;
  b->max_batch = MAX (b->max_batch, set->records->len);
  for (guint i = 0; i < set->records->len; i++)
    {
      ZonesRecord *r = g_ptr_array_index (set->records, i);
      assert_true (gis_geometry_is_valid (r->geometry, NULL, NULL));
      g_array_append_val (b->fids, r->fid);
    }
  return TRUE;
}

static void
test_records_read_in_batches (void **state)
{
  Case c;
  g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = NULL;
  g_autoptr(ZonesInput) in = NULL;
  g_autoptr(GError) error = NULL;

  case_init (&c, "2026-01-01");
  for (guint k = 0; k < 11; k++)
    {
      if (k == 2 || k == 7)   /* bow ties: a ring crossing itself */
        g_ptr_array_add (pairs, g_strdup ("{\"type\":\"Polygon\",\"coordinates\":[[[29,-2],"
                                          "[29.01,-2.01],[29.01,-2],[29,-2.01],[29,-2]]]}"));
      else if (k == 4)
        g_ptr_array_add (pairs, g_strdup ("null"));
      else
        g_ptr_array_add (pairs, rect_json (29.0 + 0.01 * k, -2.01, 29.005 + 0.01 * k, -2.0));
      g_ptr_array_add (pairs, g_strdup (deposit_props));
    }
  g_ptr_array_add (pairs, NULL);
  path = write_layer (c.dir, "deposits.geojson", 4326, (const char *const *) pairs->pdata);
  in = zones_input_from_file (path, "deposits", &error);
  assert_no_error (error);
  for (guint repair = 0; repair < 2; repair++)
    {
      Batches b = { g_array_new (FALSE, FALSE, sizeof (gint64)), 0, 0 };
      g_autoptr(ZonesRecordSet) set = zones_record_set_read_each (in, NULL, repair, 3, batch_cb,
                                                                  &b, NULL, &error);
      const gint64 kept[] = { 0, 1, 3, 5, 6, 8, 9, 10 };          /* GeoJSON fids from 0 */
      const gint64 repaired[] = { 0, 1, 2, 3, 5, 6, 7, 8, 9, 10 };
      const gint64 *want = repair ? repaired : kept;
      guint n = repair ? G_N_ELEMENTS (repaired) : G_N_ELEMENTS (kept);

      assert_no_error (error);
      assert_int_equal (set->records->len, 0);
      assert_int_equal (b.max_batch, 3);
      assert_int_equal (b.fids->len, n);
      for (guint i = 0; i < n; i++)
        assert_int_equal (g_array_index (b.fids, gint64, i), want[i]);
      assert_int_equal (set->invalid->len, 3);
      assert_int_equal (((ZonesInvalidInput *) g_ptr_array_index (set->invalid, 0))->fid, 2);
      assert_int_equal (((ZonesInvalidInput *) g_ptr_array_index (set->invalid, 1))->fid, 4);
      assert_int_equal (((ZonesInvalidInput *) g_ptr_array_index (set->invalid, 2))->fid, 7);
      assert_string_equal (((ZonesInvalidInput *) g_ptr_array_index (set->invalid, 1))->reason,
                           "no geometry");
      g_array_unref (b.fids);
    }
  case_clear (&c);
}

/* Records free all their values, also those after a field with none (the deposits have
 * no deposit type here, and an id after it): reading a layer again and again leaves the
 * heap as it was. */
static void
test_records_free_every_value (void **state)
{
  Case c;
  g_autoptr(GError) error = NULL;
  struct mallinfo2 before, after;

  case_init (&c, "2026-01-01");
  province_case (&c);
  for (guint k = 0; k < 300; k++)
    {
      g_autoptr(ZonesRecordSet) set = zones_record_set_read (g_ptr_array_index (c.p.deposits, 0),
                                                             NULL, FALSE, NULL, &error);
      assert_no_error (error);
      assert_int_equal (set->records->len, 40);
      assert_null (zones_record_get (set, g_ptr_array_index (set->records, 0), "deposit_type"));
      assert_non_null (zones_record_get (set, g_ptr_array_index (set->records, 0), "id"));
      if (k == 19)
        before = mallinfo2 ();
    }
  after = mallinfo2 ();
  /* 280 reads of 40 ids, value and source text, would be some 700 kB. */
  assert_true (after.uordblks < before.uordblks + (200 << 10));
  case_clear (&c);
}

/* A file given for one run is hashed only when the run is recorded, and then it is the
 * file's SHA-256. */
static void
test_inputs_hashed_for_the_record (void **state)
{
  Case c;
  g_autofree char *dep = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *json = NULL;
  gsize len = 0;

  case_init (&c, "2026-01-01");
  dep = one_deposit (&c);
  add_input (c.p.deposits, dep, "deposits");
  assert_null (((ZonesInput *) g_ptr_array_index (c.p.deposits, 0))->checksum);
  assert_true (g_file_get_contents (dep, &contents, &len, NULL));
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  json = zones_unallocated_inputs_to_json (&c.p);
  assert_non_null (strstr (json, expected));
  case_clear (&c);
}

static void
test_raster_equals_vector (void **state)
{
  /* The 4 × 3 land-cover fixture: water (80) pixels excluded. Its vector equivalent is the
   * same pixels as squares; both runs must give the same area. */
  Case c;
  g_autofree char *dep = NULL;
  g_autofree char *raster = test_data_path ("data/classes-4x3.tif");
  g_autofree char *g = rect_json (28.99, -2.04, 29.05, -1.99);
  const char *pairs[] = { g, deposit_props, NULL };
  g_autoptr(ZonesUnallocatedResult) r = NULL;
  /* Water pixels: (2,0), (3,0), (2,1): 0.01° squares from 29.0 E, 2.0 S down. */
  double water = quad_ha (29.02, -2.01, 29.04, -2.0) + quad_ha (29.02, -2.02, 29.03, -2.01);
  /* Built-up (50) at (1,1) is excluded with a 100 m buffer by default: not tested here. */
  g_autofree char *rules = NULL;
  g_autoptr(GError) error = NULL;

  case_init (&c, "2026-01-01");
  dep = write_layer (c.dir, "deposits.geojson", 4326, pairs);
  rules = g_build_filename (c.dir, "rules.csv", NULL);
  assert_true (g_file_set_contents (rules, "class,rule,buffer_m\nwater,excluded,0\n", -1, NULL));
  g_clear_pointer (&c.p.rules, zones_rules_free);
  c.p.rules = zones_rules_new_from_file (rules, &error);
  assert_no_error (error);
  add_input (c.p.deposits, dep, "deposits");
  add_input (c.p.landuse, raster, "landuse");
  r = run_ok (&c);
  assert_int_equal (r->n_excluded, 1);
  assert_close_rel (r->total_ha, quad_ha (28.99, -2.04, 29.05, -1.99) - water, 1e-6);
  case_clear (&c);
}

static void
test_empty_class_needs_a_default (void **state)
{
  /* A land-use polygon with no class stops the run, naming it; with the layer default
   * "class:*=protected_area" it is excluded like the rest. */
  Case c;
  g_autoptr(GError) error = NULL;
  g_autofree char *dep = NULL, *lu = NULL;
  g_autofree char *west = rect_json (28.9, -2.1, 29.004, -1.9);
  const char *landuse[] = { west, "{\"classe\":null,\"nom\":\"Sans type\"}", NULL };
  ZonesUnallocatedResult *r;
  ZonesInput *in;

  case_init (&c, "2026-01-01");
  dep = one_deposit (&c);
  lu = write_layer (c.dir, "landuse.geojson", 4326, landuse);
  add_input (c.p.deposits, dep, "deposits");
  add_input (c.p.landuse, lu, "landuse");
  r = zones_unallocated_run (&c.p, NULL, &error);
  assert_null (r);
  assert_error_contains (error, "landuse.geojson");
  assert_error_contains (error, "feature 0, field class is empty");
  g_clear_error (&error);

  in = g_ptr_array_index (c.p.landuse, 0);
  assert_true (zones_mapping_apply_override (in->mapping, "class:*=protected_area", NULL, &error));
  r = run_ok (&c);
  assert_int_equal (r->n_excluded, 1);
  assert_close_rel (r->total_ha, quad_ha (29.004, -2.01, 29.01, -2.0), 1e-6);
  zones_unallocated_result_free (r);
  case_clear (&c);
}

static void
test_rules_files (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesRules) def = zones_rules_new_default ();
  g_autofree char *shipped = test_source_path ("data/rules/landuse-default.csv");
  g_autoptr(ZonesRules) file = zones_rules_new_from_file (shipped, &error);
  const struct { const char *text; const char *msg; } bad[] = {
    { "", "empty" },
    { "klass,rule,buffer_m\n", "header" },
    { "class,rule,buffer_m\nvolcano,excluded,0\n", "t.csv:2, column class: “volcano”" },
    { "class,rule,buffer_m\nurban,forbidden,0\n", "t.csv:2, column rule" },
    { "class,rule,buffer_m\nurban,excluded,-5\n", "t.csv:2, column buffer_m" },
    { "class,rule,buffer_m\nurban,excluded,lots\n", "column buffer_m" },
    { "class,rule,buffer_m\nforest,conditional,50\n", "only excluded classes" },
    { "class,rule,buffer_m\nurban,excluded,0\n\n# note\nurban,excluded,5\n", "t.csv:5" },
    { "class,rule,buffer_m\nurban,\"excluded,0\n", "unterminated quote" },
    { "class,rule,buffer_m\nurban\n", "expected 3 or 4 columns" },
  };

  /* The shipped CSV is the built-in default, rule for rule. */
  assert_no_error (error);
  assert_int_equal (zones_rules_get_n (file), zones_rules_get_n (def));
  for (guint i = 0; i < zones_rules_get_n (def); i++)
    {
      const ZonesRule *a = zones_rules_get (def, i), *b = zones_rules_get (file, i);
      assert_string_equal (a->land_class, b->land_class);
      assert_int_equal (a->kind, b->kind);
      assert_close_abs (a->buffer_m, b->buffer_m, 0);
    }
  assert_int_equal (zones_rules_lookup (def, "urban")->kind, ZONES_RULE_EXCLUDED);
  assert_close_abs (zones_rules_lookup (def, "urban")->buffer_m, 100, 0);
  assert_null (zones_rules_lookup (def, "volcano"));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(ZonesRules) r = zones_rules_new_from_data (bad[i].text, "t.csv", &e);
      assert_null (r);
      assert_true (g_error_matches (e, ZONES_ERROR, ZONES_ERROR_RULES));
      assert_error_contains (e, bad[i].msg);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_dates_and_blocking_rule),
    cmocka_unit_test (test_long_chain_of_overlaps),
    cmocka_unit_test (test_records_read_in_batches),
    cmocka_unit_test (test_records_free_every_value),
    cmocka_unit_test (test_batches_give_the_same_result),
    cmocka_unit_test (test_pieces_go_to_a_sink),
    cmocka_unit_test (test_writer_streams_all_or_nothing),
    cmocka_unit_test (test_inputs_hashed_for_the_record),
    cmocka_unit_test (test_expiry_day_blocks_next_day_frees),
    cmocka_unit_test (test_pending_application_blocks),
    cmocka_unit_test (test_sliver_is_found),
    cmocka_unit_test (test_buffer_same_in_lonlat_and_utm),
    cmocka_unit_test (test_invalid_input_stops_or_is_repaired),
    cmocka_unit_test (test_invalid_inputs_in_feature_order),
    cmocka_unit_test (test_feature_without_shape_is_listed),
    cmocka_unit_test (test_bad_title_values_are_named),
    cmocka_unit_test (test_lsm_review_conditional_and_admin),
    cmocka_unit_test (test_overlapping_deposits_counted_once),
    cmocka_unit_test (test_raster_equals_vector),
    cmocka_unit_test (test_empty_class_needs_a_default),
    cmocka_unit_test (test_rules_files),
  };

  gis_init ();
  return cmocka_run_group_tests_name ("zones-unallocated", tests, NULL, NULL);
}
