/* test-zones-compare.c: one shared area as each country sees it, on a hand-made world
 *
 * Two square countries meet along the meridian 29.2 E: WST (29.0–29.2 E) and EST
 * (29.2–29.4 E), both 2.1–1.9 S; FAR (29.6–29.8 E) touches neither. A gold deposit
 * straddles the border; title T1 straddles it too, T4 lies inside T1, T2 is an application,
 * T3 is expired and T5 expired before the as-of date. Zone Z-A sits on the deposit in WST,
 * Z-B lies half outside the area in EST, Z-C works coltan (no capacity parameters), Z-R is
 * retired. Every expected area comes from Planimeter and GeodSolve on polygons written by
 * hand (tests/oracles/compare.csv, make-compare-oracles.sh), never from Placer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <malloc.h>

#include <string.h>

#include "zones.h"

#define ORACLE "oracles/compare.csv"

static double
oracle_ha (const char *label)
{
  return test_oracle_value (ORACLE, label) / 1e4;
}

static char *
write_file (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
add_layer (GisProject *project, const char *path, const char *role, GisCrs *crs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesLayerCandidate) c = zones_layer_inspect (path, NULL, role, crs, NULL, &error);

  assert_no_error (error);
  assert_true (zones_layer_add_to_project (project, c, NULL, TRUE, NULL, &error));
  assert_no_error (error);
}

static void
add_zone (ZonesRegister *reg, const char *id, const char *mineral, const char *status,
          double x0, double y0, double x1, double y1)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesZone) z = zones_zone_new ();

  z->zone_id = g_strdup (id);
  z->mineral = g_strdup (mineral);
  z->status = g_strdup (status);
  z->geometry = gis_geometry_new_rectangle (x0, y0, x1, y1);
  assert_true (zones_register_add (reg, z, &error));
  assert_no_error (error);
}

/* The sites: s1 visited three times (the last after the as-of date), s2 works two minerals,
 * s3 gives no worker number, s5 lies in no country and outside the area, s6 lies in the area
 * north of both countries. */
static const char sites_csv[] =
  "pcode,name,visit_date,longitude,latitude,workers_numb,mineral1,mineral2\n"
  "s1,Alpha,2020-01-01,29.12,-2.02,100,Or,\n"
  "s1,Alpha,2024-05-01,29.12,-2.02,120,Or,\n"
  "s1,Alpha,2026-06-01,29.12,-2.02,999,Or,\n"
  "s2,Beta,2023-01-01,29.16,-1.96,50,Or,Cassitérite\n"
  "s3,Gamma,2023-01-01,29.08,-1.93,,Cassitérite,\n"
  "s4,Delta,2023-01-01,29.3,-2.0,200,Coltan,\n"
  "s5,Far,2023-01-01,29.5,-2.0,70,Or,\n"
  "s6,North,2023-01-01,29.1,-1.87,30,Or,\n";

/* Two test packs: WST's and EST's values agree on some terms and not on others. */
static const char wst_pack[] =
  "[pack]\ncountry = WST\nname = West (test)\nlaw = none\nupdated = 2026-01-01\n"
  "[zone]\n"
  "max_area_ha = 25 | source = test | verified = yes\n"
  "grid_arcsec = 30 | source = test | verified = no\n"
  "[licence.carte]\n"
  "title = Artisanal card | source = test | verified = yes\n"
  "duration_years = 1 | source = test | verified = yes\n"
  "fee = USD 10 a year | source = test | verified = no\n"
  "[licence.small]\n"
  "title = Small-scale licence | source = test | verified = yes\n"
  "duration_years = 5 | source = test | verified = yes\n"
  "[fiscal]\n"
  "royalty_gold_pct = 2.5 | source = test | verified = yes\n"
  "export_tax = | source = none found | verified = no\n";

static const char est_pack[] =
  "[pack]\ncountry = EST\nname = East (test)\nlaw = none\nupdated = 2026-01-01\n"
  "[zone]\n"
  "max_area_ha = 25.0 | source = test | verified = yes\n"
  "grid_arcsec = 15 | source = test | verified = yes\n"
  "[licence.artisan]\n"
  "title = Artisan permit | source = test | verified = yes\n"
  "duration_years = 1 | source = test | verified = yes\n"
  "[fiscal]\n"
  "royalty_gold_pct = 2.50 | source = test | verified = yes\n";

typedef struct {
  char            *dir;
  char            *packs;
  GisProject      *project;
  ZonesParamTable *table;
} World;

/* Capacity parameters: 1 ha per team of 10, 20 or 40 (low, central, high), everything else
 * so generous that the area binds; gold only, so a coltan zone has none. */
static ZonesParamTable *
gold_table (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) t = g_string_new ("commodity,deposit_type,method,parameter,low,central,high,provenance\n");
  const char *big[] = { "thickness_m", "density_t_m3", "mineable_fraction", "water_allowed_share",
                        "grade_kg_per_t", "recovery", "price_usd_per_kg", "miner_share" };
  const char *small[] = { "ore_t_per_miner_day", "working_days_per_year", "planning_horizon_years",
                          "water_m3_per_t", "domestic_m3_per_person_day", "household_factor",
                          "living_income_usd_per_year" };
  ZonesParamTable *table;

  g_string_append (t, "gold,*,*,plot_ha_per_team,1,1,1,test\n");
  g_string_append (t, "gold,*,*,team_size,10,20,40,test\n");
  for (guint i = 0; i < G_N_ELEMENTS (big); i++)
    g_string_append_printf (t, "gold,*,*,%s,1000,1000,1000,test\n", big[i]);
  for (guint i = 0; i < G_N_ELEMENTS (small); i++)
    g_string_append_printf (t, "gold,*,*,%s,1,1,1,test\n", small[i]);
  table = zones_param_table_new_from_data (t->str, "test table", &error);
  assert_no_error (error);
  return table;
}

static void
world_init (World *w, gboolean with_borders)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs84 = gis_crs_new_from_epsg (4326, NULL);
  g_autofree char *wst = test_rect_geojson (29.0, -2.1, 29.2, -1.9);
  g_autofree char *est = test_rect_geojson (29.2, -2.1, 29.4, -1.9);
  g_autofree char *far = test_rect_geojson (29.6, -2.1, 29.8, -1.9);
  g_autofree char *t1 = test_rect_geojson (29.15, -2.0, 29.25, -1.95);
  g_autofree char *t2 = test_rect_geojson (29.06, -2.07, 29.09, -2.06);
  g_autofree char *t3 = test_rect_geojson (29.25, -2.0, 29.3, -1.95);
  g_autofree char *t4 = test_rect_geojson (29.16, -1.99, 29.18, -1.97);
  g_autofree char *t5 = test_rect_geojson (29.25, -2.05, 29.3, -2.0);
  g_autofree char *dep = test_rect_geojson (29.1, -2.05, 29.3, -1.95);
  const char *borders[] = {
    wst, "{\"iso3\":\"WST\",\"name\":\"Westland\"}",
    est, "{\"iso3\":\"EST\",\"name\":\"Eastland\"}",
    far, "{\"iso3\":\"FAR\",\"name\":\"Farland\"}", NULL };
  const char *titles[] = {
    t1, "{\"code\":\"T1\",\"type\":\"PE\",\"statut\":\"Actif\",\"titulaire\":\"A\",\"date_octroi\":\"2010-01-01\",\"date_expiration\":\"2040-01-01\"}",
    t2, "{\"code\":\"T2\",\"type\":\"PR\",\"statut\":\"En instruction\",\"titulaire\":\"B\",\"date_octroi\":\"\",\"date_expiration\":\"\"}",
    t3, "{\"code\":\"T3\",\"type\":\"PR\",\"statut\":\"Expiré\",\"titulaire\":\"C\",\"date_octroi\":\"2015-01-01\",\"date_expiration\":\"2020-01-01\"}",
    t4, "{\"code\":\"T4\",\"type\":\"PEPM\",\"statut\":\"Actif\",\"titulaire\":\"D\",\"date_octroi\":\"2020-01-01\",\"date_expiration\":\"2030-01-01\"}",
    t5, "{\"code\":\"T5\",\"type\":\"PR\",\"statut\":\"Actif\",\"titulaire\":\"E\",\"date_octroi\":\"2020-07-01\",\"date_expiration\":\"2025-06-30\"}",
    NULL };
  const char *deposits[] = { dep, "{\"COMMOD\":\"Gold\",\"CONF\":\"Known\"}", NULL };
  g_autofree char *bp = NULL, *tp = NULL, *dp = NULL, *sp = NULL, *path = NULL;
  g_autofree char *wp = NULL, *ep = NULL, *gp = NULL, *generic = NULL, *generic_text = NULL;
  g_autoptr(ZonesRegister) reg = NULL;

  memset (w, 0, sizeof *w);
  w->dir = test_tmpdir ();
  w->packs = g_build_filename (w->dir, "rulepacks", NULL);
  g_mkdir (w->packs, 0755);
  wp = write_file (w->packs, "WST.placer-rules", wst_pack);
  ep = write_file (w->packs, "EST.placer-rules", est_pack);
  generic = test_source_path ("data/rulepacks/generic.placer-rules");
  assert_true (g_file_get_contents (generic, &generic_text, NULL, NULL));
  gp = write_file (w->packs, "generic.placer-rules", generic_text);

  path = g_build_filename (w->dir, "world.gpkg", NULL);
  w->project = gis_project_create (path, wgs84, &error);
  assert_no_error (error);
  assert_true (gis_project_set_meta (w->project, "as_of", "2026-01-01", &error));
  if (with_borders)
    {
      bp = test_write_geojson (w->dir, "countries.geojson", borders);
      add_layer (w->project, bp, "borders", NULL);
    }
  tp = test_write_geojson (w->dir, "titles.geojson", titles);
  add_layer (w->project, tp, "concessions", NULL);
  dp = test_write_geojson (w->dir, "deposits.geojson", deposits);
  add_layer (w->project, dp, "deposits", NULL);
  sp = write_file (w->dir, "sites.csv", sites_csv);
  add_layer (w->project, sp, "sites", wgs84);

  reg = zones_register_new (w->project, &error);
  assert_no_error (error);
  add_zone (reg, "Z-A", "gold", "candidate", 29.11, -2.04, 29.14, -2.0);
  add_zone (reg, "Z-B", "gold", "proposed", 29.33, -2.0, 29.37, -1.98);
  add_zone (reg, "Z-C", "coltan", "candidate", 29.26, -2.07, 29.28, -2.06);
  add_zone (reg, "Z-R", "gold", "retired", 29.06, -1.99, 29.08, -1.97);
  w->table = gold_table ();
}

static void
world_clear (World *w)
{
  g_assert_finalize_object (g_steal_pointer (&w->project));
  zones_param_table_free (w->table);
  test_rmtree (w->dir);
  g_free (w->dir);
  g_free (w->packs);
}

static void
params_for (World *w, ZonesCompareParams *p, char **countries)
{
  zones_compare_params_init (p);
  p->countries = countries;
  p->capacity_params = w->table;
  p->rulepack_dir = w->packs;
}

/* The area 29.05–29.35 E × 2.08–1.85 S: it covers the deposit and reaches north of both
 * countries. */
static ZonesCompareResult *
run_polygon (World *w, char **countries, const char *wkt, GError **error)
{
  g_autoptr(GisCrs) wgs84 = gis_crs_new_from_epsg (4326, NULL);
  g_autoptr(GisGeometry) area = gis_geometry_new_from_wkt (wkt, NULL);
  ZonesCompareParams p;

  assert_non_null (area);
  params_for (w, &p, countries);
  p.kind = ZONES_COMPARE_POLYGON;
  p.polygon = area;
  p.polygon_crs = wgs84;
  return zones_compare_run (w->project, &p, NULL, error);
}

#define AREA_WKT "POLYGON ((29.05 -2.08, 29.35 -2.08, 29.35 -1.85, 29.05 -1.85, 29.05 -2.08))"

static ZonesCompareMineral *
mineral (ZonesCompareCountry *c, const char *name)
{
  for (guint i = 0; i < c->by_mineral->len; i++)
    {
      ZonesCompareMineral *m = g_ptr_array_index (c->by_mineral, i);
      if (g_str_equal (m->mineral, name))
        return m;
    }
  fail_msg ("%s has no mineral %s", c->iso, name);
  return NULL;
}

static ZonesCompareTerm *
term (GPtrArray *terms, const char *key)
{
  for (guint i = 0; i < terms->len; i++)
    {
      ZonesCompareTerm *t = g_ptr_array_index (terms, i);
      if (g_str_equal (t->term, key))
        return t;
    }
  fail_msg ("no term %s", key);
  return NULL;
}

static void
test_polygon_figures (void **state)
{
  World w;
  const char *countries[] = { "WST", "EST", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesCompareResult) r = NULL;
  ZonesCompareCountry *wst, *est;
  double zone_a = oracle_ha ("zone_a");

  world_init (&w, TRUE);
  r = run_polygon (&w, (char **) countries, AREA_WKT, &error);
  assert_no_error (error);
  assert_non_null (r);
  assert_close_rel (r->area_ha, oracle_ha ("area"), 1e-9);
  assert_int_equal (g_date_get_year (&r->as_of), 2026);
  assert_int_equal (r->countries->len, 2);
  wst = g_ptr_array_index (r->countries, 0);
  est = g_ptr_array_index (r->countries, 1);
  assert_string_equal (wst->iso, "WST");
  assert_string_equal (wst->name, "Westland");

  /* Parts: each country's share of the area. */
  assert_close_rel (wst->area_ha, oracle_ha ("part_wst"), 1e-9);
  assert_close_rel (est->area_ha, oracle_ha ("part_est"), 1e-9);

  /* Titles in force: T1 (across the border, in both) and T4 (inside T1, counted, its land
   * once); T3 expired and T5 expired before 2026-01-01 are not; T2 is an application. */
  assert_int_equal (wst->titles, 2);
  assert_close_rel (wst->titles_ha, oracle_ha ("t1_wst"), 1e-6);
  assert_close_rel (wst->titles_pct, 100 * oracle_ha ("t1_wst") / oracle_ha ("part_wst"), 1e-6);
  assert_int_equal (est->titles, 1);
  assert_close_rel (est->titles_ha, oracle_ha ("t1_est"), 1e-6);
  assert_int_equal (wst->applications, 1);
  assert_close_rel (wst->applications_ha, oracle_ha ("t2"), 1e-6);
  assert_int_equal (est->applications, 0);
  assert_true (est->applications_ha == 0);

  /* Zones: Z-A whole in WST; Z-B half outside the area and Z-C (coltan, no parameters) in
   * EST; Z-R retired. Capacity = workable ha × 10, 20, 40 for Z-A; Z-B has no deposit. */
  assert_int_equal (wst->zones, 1);
  assert_int_equal (wst->zones_partial, 0);
  assert_close_rel (wst->zones_ha, zone_a, 1e-6);
  assert_close_rel (wst->capacity[ZONES_LOW], 10 * zone_a, 1e-6);
  assert_close_rel (wst->capacity[ZONES_CENTRAL], 20 * zone_a, 1e-6);
  assert_close_rel (wst->capacity[ZONES_HIGH], 40 * zone_a, 1e-6);
  assert_int_equal (wst->zones_without_capacity, 0);
  assert_int_equal (est->zones, 2);
  assert_int_equal (est->zones_partial, 1);
  assert_close_rel (est->zones_ha, oracle_ha ("zone_b_in") + oracle_ha ("zone_c"), 1e-6);
  assert_int_equal (est->zones_without_capacity, 1);
  assert_true (est->capacity[ZONES_CENTRAL] == 0);

  /* Sites, latest visit on or before 2026-01-01: s1 (120, not 999), s2 (gold and
   * cassiterite), s3 (no number) in WST; s4 in EST; s6 north of both. */
  assert_int_equal (wst->sites, 3);
  assert_int_equal (wst->workers, 170);
  assert_int_equal (wst->sites_without_workers, 1);
  assert_int_equal (wst->by_mineral->len, 2);
  assert_int_equal (mineral (wst, "gold")->sites, 2);
  assert_int_equal (mineral (wst, "gold")->workers, 170);
  assert_int_equal (mineral (wst, "cassiterite")->sites, 2);
  assert_int_equal (mineral (wst, "cassiterite")->workers, 50);
  assert_int_equal (mineral (wst, "cassiterite")->sites_without_workers, 1);
  assert_int_equal (est->sites, 1);
  assert_int_equal (est->workers, 200);
  assert_int_equal (mineral (est, "coltan")->workers, 200);
  assert_int_equal (r->sites_elsewhere, 1);

  /* Unallocated deposit land: the deposit less T1 (T3 expired and T5 lapsed free theirs). */
  assert_close_rel (wst->unallocated_ha, oracle_ha ("free_wst"), 1e-6);
  assert_close_rel (est->unallocated_ha, oracle_ha ("free_est"), 1e-6);
  assert_close_rel (*(double *) g_hash_table_lookup (wst->unallocated_by_mineral, "gold"),
                    oracle_ha ("free_wst"), 1e-6);
  assert_int_equal (g_hash_table_size (est->unallocated_by_mineral), 1);

  /* Both have packs here. */
  assert_string_equal (wst->rulepack, "West (test)");
  assert_string_equal (est->rulepack, "East (test)");
  assert_true (term (r->terms, "zone.grid_arcsec")->differs);
  assert_false (term (r->terms, "zone.max_area_ha")->differs);
  world_clear (&w);
}

static void
test_strip (void **state)
{
  /* 5 km either side of the meridian border. By symmetry the two parts are equal; each is
   * 5 km × the border's geodesic length (GeodSolve), less a curvature term of 1e-7. The strip
   * is a buffer drawn in an azimuthal equidistant projection centred on the border, its sides
   * straight lines between two vertices: 5.6e-7 from that ideal here. */
  World w;
  const char *countries[] = { "WST", "EST", NULL };
  const char *far[] = { "WST", "FAR", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesCompareResult) r = NULL;
  ZonesCompareParams p;
  ZonesCompareCountry *wst, *est;
  double ideal = 5000 * test_oracle_value (ORACLE, "border_length") / 1e4;

  world_init (&w, TRUE);
  params_for (&w, &p, (char **) countries);
  p.kind = ZONES_COMPARE_STRIP;
  p.strip_km = 5;
  r = zones_compare_run (w.project, &p, NULL, &error);
  assert_no_error (error);
  wst = g_ptr_array_index (r->countries, 0);
  est = g_ptr_array_index (r->countries, 1);
  assert_close_rel (wst->area_ha, est->area_ha, 1e-9);
  assert_close_rel (wst->area_ha, ideal, 1e-6);
  assert_non_null (strstr (r->label, "5 km either side of the WST–EST border"));
  /* Within 5 km (0.045° here) of 29.2 E: T1 on both sides, s2 (29.16 E) but not s1 (29.12 E). */
  assert_int_equal (wst->titles, 2);
  assert_int_equal (est->titles, 1);
  assert_int_equal (wst->sites, 1);
  assert_int_equal (wst->workers, 50);
  assert_int_equal (est->sites, 0);

  /* WST and FAR do not touch. */
  params_for (&w, &p, (char **) far);
  p.kind = ZONES_COMPARE_STRIP;
  p.strip_km = 5;
  assert_null (zones_compare_run (w.project, &p, NULL, &error));
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_INPUT);
  assert_error_contains (error, "WST and FAR share no border");
  world_clear (&w);
}

static void
test_cluster (void **state)
{
  /* With 10 km neighbourhoods and two sites a cluster, s1, s2, s3 and s6 form cluster 1. Its
   * hull with no buffer is the area: WST holds the part south of 1.9 S, s6 is north of it. */
  World w;
  const char *countries[] = { "WST", "EST", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesCompareResult) r = NULL;
  g_autoptr(ZonesCompareResult) buffered = NULL;
  ZonesCompareParams p;
  ZonesCompareCountry *wst, *est;

  world_init (&w, TRUE);
  params_for (&w, &p, (char **) countries);
  p.kind = ZONES_COMPARE_CLUSTER;
  p.cluster.eps_m = 10000;
  p.cluster.min_sites = 2;
  p.cluster_id = 1;
  p.buffer_km = 0;
  r = zones_compare_run (w.project, &p, NULL, &error);
  assert_no_error (error);
  assert_non_null (strstr (r->label, "cluster 1 (4 sites)"));
  assert_close_rel (r->area_ha, oracle_ha ("hull"), 1e-6);
  wst = g_ptr_array_index (r->countries, 0);
  est = g_ptr_array_index (r->countries, 1);
  assert_close_rel (wst->area_ha, oracle_ha ("hull_wst"), 1e-6);
  assert_true (est->area_ha == 0);
  assert_true (gis_geometry_is_empty (est->part));
  /* The members on the hull's corners count; s6 lies in neither country. */
  assert_int_equal (wst->sites, 3);
  assert_int_equal (r->sites_elsewhere, 1);

  /* The default buffer is the clustering distance: a larger area holding the hull. */
  p.buffer_km = NAN;
  buffered = zones_compare_run (w.project, &p, NULL, &error);
  assert_no_error (error);
  assert_non_null (strstr (buffered->label, "10 km around"));
  assert_true (buffered->area_ha > r->area_ha + 30000);

  /* Cluster 2 does not exist with these parameters (s4 and s5 are noise). */
  p.cluster_id = 2;
  assert_null (zones_compare_run (w.project, &p, NULL, &error));
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_INPUT);
  assert_error_contains (error, "No cluster 2");
  assert_error_contains (error, "form 1 clusters");
  world_clear (&w);
}

static void
test_terms (void **state)
{
  /* WST and EST packs side by side, then with FAR, which has none. */
  World w;
  const char *two[] = { "WST", "EST", NULL };
  const char *three[] = { "WST", "EST", "FAR", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) terms = NULL;
  g_autoptr(GPtrArray) with_far = NULL;
  g_autoptr(GPtrArray) packs = NULL;
  ZonesCompareTerm *t;

  world_init (&w, FALSE);
  terms = zones_compare_terms (two, w.packs, &packs, &error);
  assert_no_error (error);
  assert_string_equal (g_ptr_array_index (packs, 0), "West (test)");

  /* 25 and 25.0 are the same number; 30 and 15 are not. */
  t = term (terms, "zone.max_area_ha");
  assert_true (t->numeric);
  assert_string_equal (t->values[0], "25");
  assert_string_equal (t->values[1], "25");
  assert_false (t->differs);
  t = term (terms, "zone.grid_arcsec");
  assert_true (t->differs);
  assert_false (t->verified[0]);
  assert_true (t->verified[1]);
  t = term (terms, "fiscal.royalty_gold_pct");
  assert_string_equal (t->values[0], "2.5");
  assert_false (t->differs);

  /* Licences are gathered, each under its title. */
  t = term (terms, "licence.title");
  assert_string_equal (t->values[0], "Artisanal card; Small-scale licence");
  assert_string_equal (t->values[1], "Artisan permit");
  assert_true (t->differs);
  t = term (terms, "licence.duration_years");
  assert_false (t->numeric);
  assert_string_equal (t->values[0], "Artisanal card: 1; Small-scale licence: 5");
  assert_string_equal (t->values[1], "Artisan permit: 1");
  assert_true (t->verified[0]);
  t = term (terms, "licence.fee");
  assert_string_equal (t->values[0], "Artisanal card: USD 10 a year");
  assert_false (t->verified[0]);
  assert_null (t->values[1]);
  assert_int_equal (t->states[1], ZONES_TERM_NOT_SET);
  assert_true (t->differs);

  /* Searched and not found in WST, absent from EST: no value either side, no difference. */
  t = term (terms, "fiscal.export_tax");
  assert_int_equal (t->states[0], ZONES_TERM_NOT_SET);
  assert_null (t->values[0]);
  assert_false (t->differs);

  /* FAR has no pack: said so, and a value against none differs. */
  with_far = zones_compare_terms (three, w.packs, NULL, &error);
  assert_no_error (error);
  t = term (with_far, "zone.max_area_ha");
  assert_int_equal (t->states[2], ZONES_TERM_NO_PACK);
  assert_null (t->values[2]);
  assert_true (t->differs);
  assert_false (term (with_far, "fiscal.export_tax")->differs);

  /* Terms free every country's value, also those after a country with none: comparing
   * FAR (no pack) first, again and again, leaves the heap as it was. */
  {
    const char *far_first[] = { "FAR", "WST", "EST", NULL };
    struct mallinfo2 before, after;

    for (guint k = 0; k < 200; k++)
      {
        g_autoptr(GPtrArray) again = zones_compare_terms (far_first, w.packs, NULL, &error);
        assert_no_error (error);
        assert_null (term (again, "zone.max_area_ha")->values[0]);
        assert_string_equal (term (again, "zone.max_area_ha")->values[1], "25");
        if (k == 19)
          before = mallinfo2 ();
      }
    after = mallinfo2 ();
    assert_true (after.uordblks < before.uordblks + (64 << 10));
  }

  /* A pack that exists but does not load is an error, not "no pack". */
  {
    g_autofree char *bad = write_file (w.packs, "FAR.placer-rules", "[pack]\ncountry = FAR\n");
    g_autoptr(GPtrArray) none = zones_compare_terms (three, w.packs, NULL, &error);
    assert_null (none);
    assert_non_null (error);
    assert_error_contains (error, "FAR.placer-rules");
  }
  world_clear (&w);
}

static void
test_shipped_packs (void **state)
{
  /* The packs Placer ships: the DRC has one, Rwanda none. */
  const char *countries[] = { "COD", "RWA", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) packs = NULL;
  g_autoptr(GPtrArray) terms = zones_compare_terms (countries, NULL, &packs, &error);
  ZonesCompareTerm *t;

  assert_no_error (error);
  assert_non_null (g_ptr_array_index (packs, 0));
  assert_null (g_ptr_array_index (packs, 1));
  t = term (terms, "licence.duration_years");
  assert_non_null (strstr (t->values[0], "Carte d'exploitant artisanal: 1"));
  /* Prices and supply chains, the harmonisation table's other two subjects. */
  assert_non_null (strstr (term (terms, "market.supply_chain")->values[0], "ICGLR Regional Certification"));
  assert_string_equal (term (terms, "market.price")->label, "Prices and official buyers");
  assert_int_equal (t->states[1], ZONES_TERM_NO_PACK);
  assert_true (t->differs);
  for (guint i = 0; i < terms->len; i++)
    assert_int_equal (((ZonesCompareTerm *) g_ptr_array_index (terms, i))->states[1],
                      ZONES_TERM_NO_PACK);
}

static void
expect_error (World *w, const char *const *countries, const char *wkt, const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesCompareResult) r = run_polygon (w, (char **) countries, wkt, &error);

  assert_null (r);
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_INPUT);
  assert_error_contains (error, text);
}

static void
test_bad_input (void **state)
{
  World w;
  const char *unknown[] = { "WST", "XYZ", NULL };
  const char *bad_code[] = { "WS", NULL };
  const char *twice[] = { "WST", "WST", NULL };
  const char *three[] = { "WST", "EST", "FAR", NULL };
  const char *none[] = { NULL };
  const char *wst[] = { "WST", NULL };
  g_autoptr(GError) error = NULL;
  ZonesCompareParams p;

  world_init (&w, TRUE);
  expect_error (&w, unknown, AREA_WKT, "No country XYZ in the borders layer");
  expect_error (&w, unknown, AREA_WKT, "it holds WST, EST, FAR");
  expect_error (&w, bad_code, AREA_WKT, "“WS” is not an ISO 3166-1 alpha-3");
  expect_error (&w, twice, AREA_WKT, "WST is named twice");
  expect_error (&w, none, AREA_WKT, "Name the countries");
  expect_error (&w, wst, "POLYGON EMPTY", "is empty");
  expect_error (&w, wst, "LINESTRING (29.1 -2, 29.2 -2)", "is empty");
  expect_error (&w, wst, "POLYGON ((29.1 -2, 29.2 -1.9, 29.2 -2, 29.1 -1.9, 29.1 -2))",
                "not valid: Self-intersection");
  expect_error (&w, wst, "POLYGON ((10 10, 11 10, 11 11, 10 11, 10 10))", "lies outside WST");

  params_for (&w, &p, (char **) three);
  p.kind = ZONES_COMPARE_STRIP;
  p.strip_km = 5;
  assert_null (zones_compare_run (w.project, &p, NULL, &error));
  assert_error_contains (error, "exactly two countries");
  g_clear_error (&error);
  params_for (&w, &p, (char **) three);
  p.kind = ZONES_COMPARE_CLUSTER;
  p.cluster_id = 1;
  p.buffer_km = -1;
  assert_null (zones_compare_run (w.project, &p, NULL, &error));
  assert_error_contains (error, "0 km or more");
  world_clear (&w);

  /* A project without a borders layer. */
  world_init (&w, FALSE);
  expect_error (&w, wst, AREA_WKT, "has no borders layer");
  world_clear (&w);
}

static void
test_write (void **state)
{
  World w;
  const char *countries[] = { "WST", "EST", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesCompareResult) r = NULL;
  g_autofree char *out = NULL, *missing = NULL, *before = NULL, *after = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(GDir) dir = NULL;
  gsize before_len, after_len;
  const char *name;

  world_init (&w, TRUE);
  r = run_polygon (&w, (char **) countries, AREA_WKT, &error);
  assert_no_error (error);
  out = g_build_filename (w.dir, "compare.gpkg", NULL);
  assert_true (zones_compare_write (r, out, FALSE, &error));
  assert_no_error (error);

  ds = gis_dataset_open (out, GIS_OPEN_VECTOR, &error);
  assert_no_error (error);
  parts = gis_dataset_read_features (ds, "compare_countries", NULL, NULL, &error);
  assert_no_error (error);
  assert_int_equal (parts->len, 2);
  info = gis_dataset_describe_layer (ds, "compare_countries", &error);
  assert_no_error (error);
  {
    GisFeature *f = g_ptr_array_index (parts, 0);
    assert_string_equal (gis_feature_get (f, gis_layer_info_find_field (info, "iso3")), "WST");
    assert_close_rel (g_ascii_strtod (gis_feature_get (f, gis_layer_info_find_field (info, "area_ha")), NULL),
                      oracle_ha ("part_wst"), 1e-9);
    assert_string_equal (gis_feature_get (f, gis_layer_info_find_field (info, "titles")), "2");
    assert_non_null (f->geometry);
  }
  g_clear_pointer (&info, gis_layer_info_free);
  rows = gis_dataset_read_features (ds, "compare_terms", NULL, NULL, &error);
  assert_no_error (error);
  assert_int_equal (rows->len, r->terms->len);
  info = gis_dataset_describe_layer (ds, "compare_terms", &error);
  assert_no_error (error);
  assert_false (info->has_geometry);
  assert_true (gis_layer_info_find_field (info, "WST") >= 0);
  assert_true (gis_layer_info_find_field (info, "EST_state") >= 0);
  assert_true (gis_layer_info_find_field (info, "differs") >= 0);
  g_clear_object (&ds);

  /* Never over an existing file without being asked; the file stays as it was. */
  assert_true (g_file_get_contents (out, &before, &before_len, NULL));
  assert_false (zones_compare_write (r, out, FALSE, &error));
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_EXISTS);
  g_clear_error (&error);
  assert_true (g_file_get_contents (out, &after, &after_len, NULL));
  assert_int_equal (before_len, after_len);
  assert_memory_equal (before, after, before_len);

  /* A folder that does not exist: an error, and nothing half-written anywhere. */
  missing = g_build_filename (w.dir, "no-such-folder", "c.gpkg", NULL);
  assert_false (zones_compare_write (r, missing, FALSE, &error));
  assert_non_null (error);
  dir = g_dir_open (w.dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    assert_null (strstr (name, "partial"));
  world_clear (&w);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_polygon_figures),
    cmocka_unit_test (test_strip),
    cmocka_unit_test (test_cluster),
    cmocka_unit_test (test_terms),
    cmocka_unit_test (test_shipped_packs),
    cmocka_unit_test (test_bad_input),
    cmocka_unit_test (test_write),
  };

  gis_init ();
  return cmocka_run_group_tests_name ("zones-compare", tests, NULL, NULL);
}
