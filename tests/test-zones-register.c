/* test-zones-register.c: the zone register (history, undo, conflicts, kill -9) and zone
 * validation against hand-built layers
 *
 * Expected areas use the closed-form area of an ellipsoidal quadrangle, computed here
 * independently of PROJ (see test-zones-unallocated.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "zones.h"

static char *
rect_wkt (double x0, double y0, double x1, double y1)
{
  return g_strdup_printf ("POLYGON ((%.12f %.12f, %.12f %.12f, %.12f %.12f, %.12f %.12f, "
                          "%.12f %.12f))", x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
}

static ZonesZone *
zone_from_wkt (const char *wkt, const char *mineral)
{
  g_autoptr(GError) error = NULL;
  ZonesZone *z = zones_zone_new ();

  z->geometry = gis_geometry_new_from_wkt (wkt, &error);
  assert_no_error (error);
  z->country = g_strdup ("COD");
  z->mineral = g_strdup (mineral);
  z->status = g_strdup ("candidate");
  z->zone_id = g_strdup ("Z-TEST");
  return z;
}

static ZonesFinding *
find (GPtrArray *findings, const char *code, const char *ref)
{
  for (guint i = 0; i < findings->len; i++)
    {
      ZonesFinding *f = g_ptr_array_index (findings, i);
      if (g_str_equal (f->code, code) && (ref == NULL || g_strcmp0 (f->ref, ref) == 0))
        return f;
    }
  return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* A small world around 29 E, 2 S:
 *   titles: PE 1 over 29.000–29.010 × 2.010–2.000 S; PR 2 (pending) east of it;
 *   a lake covering 29.020–29.030; a protected area far away; a settlement (100 m buffer);
 *   gold deposits over 29.000–29.040; COD west of 29.035, RWA east of it. */

typedef struct {
  char          *dir;
  ZonesValidatorInputs in;
  ZonesValidator *v;
} World;

static void
add_input (GPtrArray **target, const char *path, const char *role)
{
  g_autoptr(GError) error = NULL;
  ZonesInput *in = zones_input_from_file (path, role, &error);

  assert_no_error (error);
  if (*target == NULL)
    *target = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_input_free);
  g_ptr_array_add (*target, in);
}

static void
world_init (World *w, const char *country)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *t1 = test_rect_geojson (29.0, -2.01, 29.01, -2.0);
  g_autofree char *t2 = test_rect_geojson (29.01, -2.01, 29.012, -2.0);
  g_autofree char *lake = test_rect_geojson (29.02, -2.01, 29.03, -2.0);
  g_autofree char *town = test_rect_geojson (28.90, -2.01, 28.91, -2.0);
  g_autofree char *dep = test_rect_geojson (28.8, -2.05, 29.04, -1.95);
  g_autofree char *cod = test_rect_geojson (28.0, -3.0, 29.035, -1.0);
  g_autofree char *rwa = test_rect_geojson (29.035, -3.0, 30.0, -1.0);
  const char *titles[] = {
    t1, "{\"code\":\"PE 1\",\"type\":\"PE\",\"statut\":\"Actif\",\"titulaire\":\"KIVU GOLD SARL\"}",
    t2, "{\"code\":\"PR 2\",\"type\":\"PR\",\"statut\":\"En instruction\",\"titulaire\":\"X SARL\"}",
    NULL };
  const char *landuse[] = { lake, "{\"classe\":\"Lac\"}", town, "{\"classe\":\"Agglomération\"}",
                            NULL };
  const char *deposits[] = { dep, "{\"COMMOD\":\"Or\",\"CONF\":\"Connu\"}", NULL };
  const char *borders[] = { cod, "{\"iso3\":\"COD\",\"name\":\"DR Congo\"}",
                            rwa, "{\"iso3\":\"RWA\",\"name\":\"Rwanda\"}", NULL };
  g_autofree char *tp = NULL, *lp = NULL, *dp = NULL, *bp = NULL;

  memset (w, 0, sizeof *w);
  w->dir = test_tmpdir ();
  tp = test_write_geojson (w->dir, "titles.geojson", titles);
  lp = test_write_geojson (w->dir, "landuse.geojson", landuse);
  dp = test_write_geojson (w->dir, "deposits.geojson", deposits);
  bp = test_write_geojson (w->dir, "borders.geojson", borders);
  w->in.crs = gis_crs_new_from_epsg (4326, NULL);
  w->in.landuse_rules = zones_rules_new_default ();
  zones_zone_rules_init_generic (&w->in.zone_rules);
  if (country != NULL)
    {
      assert_true (zones_zone_rules_from_rulepack (&w->in.zone_rules, country, &error));
      assert_no_error (error);
    }
  g_date_clear (&w->in.as_of, 1);
  g_date_set_dmy (&w->in.as_of, 1, 1, 2026);
  add_input (&w->in.concessions, tp, "concessions");
  add_input (&w->in.landuse, lp, "landuse");
  add_input (&w->in.deposits, dp, "deposits");
  add_input (&w->in.borders, bp, "borders");
  w->v = zones_validator_new (&w->in, NULL, &error);
  assert_no_error (error);
}

static void
world_clear (World *w)
{
  zones_validator_free (w->v);
  zones_validator_inputs_clear (&w->in);
  test_rmtree (w->dir);
  g_free (w->dir);
}

static GPtrArray *
check (World *w, const ZonesZone *z, double *ha)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *f = zones_validator_check (w->v, z, ha, &error);
  assert_no_error (error);
  assert_non_null (f);
  return f;
}

static void
test_two_title_overlaps (void **state)
{
  /* A zone overlapping PE 1 by a 0.01 ha sliver and the pending PR 2 by 3 ha: both listed with
   * their areas. The zone: 29.0099919 … 29.0125 × 2.0100 … 2.0000 S; PE 1 ends at 29.010. */
  World w;
  double sliver_w = 0.01 / 1105.8 / (111320 * cos (2 * G_PI / 180)) * 1e4;  /* ≈ 0.0000008° */
  double x0 = 29.01 - sliver_w;
  /* 3 ha of PR 2: PR 2 spans 29.010–29.012 (≈ 24.6 ha); take a strip of it 2.0000–2.00122 S. */
  double y1 = -2.0;
  double strip = 3.0 / quad_ha (29.01, -2.01, 29.012, -2.0) * 0.01;
  g_autofree char *wkt = rect_wkt (x0, y1 - strip, 29.012, y1);
  g_autoptr(ZonesZone) z = zone_from_wkt (wkt, "gold");
  g_autoptr(GPtrArray) f = NULL;
  ZonesFinding *pe, *pr;
  double ha = 0;

  world_init (&w, NULL);
  f = check (&w, z, &ha);
  pe = find (f, "overlaps-title", "PE 1");
  pr = find (f, "overlaps-application", "PR 2");
  assert_non_null (pe);
  assert_non_null (pr);
  assert_int_equal (pe->severity, ZONES_SEVERITY_ERROR);
  assert_int_equal (pr->severity, ZONES_SEVERITY_WARNING);
  assert_close_rel (pe->area_ha, quad_ha (x0, y1 - strip, 29.01, y1), 1e-6);
  assert_close_abs (pe->area_ha, 0.01 * strip / 0.01, 2e-4);
  assert_close_rel (pr->area_ha, 3.0, 1e-4);
  assert_close_rel (pr->area_ha, quad_ha (29.01, y1 - strip, 29.012, y1), 1e-6);
  assert_close_rel (pe->share, pe->area_ha / ha, 1e-9);
  assert_non_null (strstr (pe->message, "KIVU GOLD SARL"));
  world_clear (&w);
}

static void
test_consent_turns_error_into_info (void **state)
{
  World w;
  g_autofree char *wkt = rect_wkt (29.0, -2.01, 29.005, -2.0);
  g_autoptr(ZonesZone) z = zone_from_wkt (wkt, "gold");
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  ZonesConsent *c = g_new0 (ZonesConsent, 1);

  world_init (&w, NULL);
  before = check (&w, z, NULL);
  assert_true (zones_findings_have_errors (before));
  c->title_id = g_strdup ("PE 1");
  c->reference = g_strdup ("Letter 2026/017");
  g_ptr_array_add (z->consents, c);
  after = check (&w, z, NULL);
  assert_null (find (after, "overlaps-title", "PE 1"));
  assert_non_null (find (after, "overlaps-title-with-consent", "PE 1"));
  assert_false (zones_findings_have_errors (after));
  world_clear (&w);
}

static void
test_mostly_water (void **state)
{
  /* 80 % of the zone in the lake (29.020–29.030): zone 29.018–29.028. */
  World w;
  g_autofree char *wkt = rect_wkt (29.018, -2.01, 29.028, -2.0);
  g_autoptr(ZonesZone) z = zone_from_wkt (wkt, "gold");
  g_autoptr(GPtrArray) f = NULL;
  ZonesFinding *water, *excluded;

  world_init (&w, NULL);
  f = check (&w, z, NULL);
  water = find (f, "mostly-water", NULL);
  assert_non_null (water);
  assert_int_equal (water->severity, ZONES_SEVERITY_ERROR);
  assert_close_rel (water->share, 0.8, 1e-6);
  assert_close_rel (water->area_ha, quad_ha (29.02, -2.01, 29.028, -2.0), 1e-6);
  /* Open water is also an excluded land use by the default rules. */
  excluded = find (f, "excluded-landuse", "water");
  assert_non_null (excluded);
  world_clear (&w);
}

static void
test_buffer_border_and_evidence (void **state)
{
  World w;
  /* Zone straddling the COD/RWA border at 29.035 and reaching past the deposits (29.04). */
  g_autofree char *wkt = rect_wkt (29.031, -2.03, 29.05, -2.02);
  g_autoptr(ZonesZone) z = zone_from_wkt (wkt, "gold");
  g_autoptr(GPtrArray) f = NULL;
  /* Zone 50 m east of the settlement's edge (28.91): inside its 100 m buffer. */
  double dx50 = 50 / (111320 * cos (2.005 * G_PI / 180));
  g_autofree char *wkt2 = rect_wkt (28.91 + dx50, -2.01, 28.92, -2.0);
  g_autoptr(ZonesZone) z2 = zone_from_wkt (wkt2, "gold");
  g_autoptr(GPtrArray) f2 = NULL;
  ZonesFinding *out, *deposit, *town;
  double ha = 0;

  world_init (&w, NULL);
  f = check (&w, z, &ha);
  out = find (f, "outside-country", "COD");
  assert_non_null (out);
  assert_close_rel (out->area_ha, quad_ha (29.035, -2.03, 29.05, -2.02), 1e-6);
  assert_non_null (find (f, "crosses-border", NULL));
  /* Deposits cover 29.031–29.040 of 29.031–29.050: 47 %, under the generic 50 %. */
  deposit = find (f, "little-deposit", "gold");
  assert_non_null (deposit);
  assert_close_rel (deposit->area_ha, quad_ha (29.031, -2.03, 29.04, -2.02), 1e-6);

  f2 = check (&w, z2, NULL);
  town = find (f2, "excluded-landuse", "urban");
  assert_non_null (town);
  /* The buffer reaches 50 m into the zone, over its full height (1105.8 m): ≈ 5.5 ha; the
   * corners of the buffer are round, so the piece is a little smaller. */
  assert_close_rel (town->area_ha, 50 * 1105.8 / 1e4, 0.02);
  world_clear (&w);
}

static void
test_country_size_limits (void **state)
{
  /* A 26 ha rectangle fails Côte d'Ivoire's 25 ha limit and passes the generic pack. */
  World civ, generic;
  double height = 0.005;
  double width = 26.0 / quad_ha (29.0, -1.5 - height, 29.01, -1.5) * 0.01;
  g_autofree char *wkt = rect_wkt (29.0, -1.5 - height, 29.0 + width, -1.5);
  g_autoptr(ZonesZone) z = zone_from_wkt (wkt, "gold");
  g_autoptr(GPtrArray) f1 = NULL;
  g_autoptr(GPtrArray) f2 = NULL;
  ZonesFinding *big;
  double ha = 0;

  world_init (&civ, "CIV");
  world_init (&generic, NULL);
  f1 = check (&civ, z, &ha);
  assert_close_rel (ha, 26.0, 1e-6);
  big = find (f1, "too-large", NULL);
  assert_non_null (big);
  assert_int_equal (big->severity, ZONES_SEVERITY_ERROR);
  f2 = check (&generic, z, NULL);
  assert_null (find (f2, "too-large", NULL));
  world_clear (&civ);
  world_clear (&generic);
}

static void
test_grid_cell (void **state)
{
  /* A 30″ cell whose north edge is at 6.5° S: one cell of 84.94 ha, aligned. */
  ZonesGrid grid;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisGeometry) cell = NULL;
  g_autoptr(GisGeometry) snapped = NULL;
  g_autoptr(GisGeometry) shifted = NULL;
  g_autofree char *wkt = NULL;
  gint64 col, row;
  guint n = 0;
  double misfit = 0;

  assert_true (zones_grid_init (&grid, 30, &error));
  zones_grid_cell_of (&grid, 27.004, -6.504, &col, &row);
  assert_int_equal (row, -781);   /* 6.5° = 780 cells of 30″; the cell below is −781 */
  assert_close_abs (zones_grid_cell_area_ha (&grid, row), 84.94, 0.005);
  cell = zones_grid_cell_polygon (&grid, col, row);
  assert_true (zones_grid_is_aligned (&grid, cell, &n, &misfit, &error));
  assert_int_equal (n, 1);
  assert_close_abs (misfit, 0, 1e-6);
  /* Shifted a third of a cell east: still one cell when snapped, but not aligned. */
  wkt = rect_wkt (27.0 + 1.0 / 360, -6.5 - 1.0 / 120, 27.0 + 1.0 / 120 + 1.0 / 360, -6.5);
  shifted = gis_geometry_new_from_wkt (wkt, &error);
  assert_false (zones_grid_is_aligned (&grid, shifted, &n, &misfit, &error));
  assert_no_error (error);
  assert_int_equal (n, 1);
  /* It differs from the cell by two thirds of a cell: one third out each side. */
  assert_close_rel (misfit, 84.94 * 2 / 3, 1e-3);
  snapped = zones_grid_snap (&grid, shifted, &n, &error);
  assert_no_error (error);
  assert_true (gis_geometry_equal_exact (snapped, cell) ||
               fabs (gis_geometry_planar_area (snapped) - gis_geometry_planar_area (cell)) < 1e-12);
  /* Bad grids are refused. */
  assert_false (zones_grid_init (&grid, 0, &error));
  g_clear_error (&error);
  assert_false (zones_grid_init (&grid, NAN, &error));
}

static void
test_invalid_zone (void **state)
{
  World w;
  g_autoptr(ZonesZone) z = zone_from_wkt ("POLYGON ((29 -2, 29.01 -2.01, 29.01 -2, 29 -2.01, 29 -2))",
                                          "gold");
  g_autoptr(GPtrArray) f = NULL;

  world_init (&w, NULL);
  f = check (&w, z, NULL);
  assert_int_equal (f->len, 1);
  assert_string_equal (((ZonesFinding *) g_ptr_array_index (f, 0))->code, "invalid-geometry");
  assert_non_null (strstr (((ZonesFinding *) g_ptr_array_index (f, 0))->message, "Self-intersection"));
  world_clear (&w);
}

static ZonesSite *
make_site (const char *id, double lon, double lat, gint64 workers)
{
  ZonesSite *s = g_new0 (ZonesSite, 1);
  s->site_id = g_strdup (id);
  s->geometry = gis_geometry_new_point (lon, lat);
  s->workers = workers;
  s->minerals = g_new0 (char *, 1);
  s->visits = 1;
  s->fid = -1;
  g_date_clear (&s->visit_date, 1);
  g_date_clear (&s->certification_date, 1);
  return s;
}

static void
test_over_capacity (void **state)
{
  /* Sites with 300 + 400 + 500 workers in a zone that can carry 800 (by area, with the plot
   * per team set so): a warning with the load 1.5. The zone lies wholly on gold deposits, away
   * from every excluded land use, so its workable area is the zone itself. */
  World w;
  g_autoptr(GError) error = NULL;
  g_autofree char *wkt = rect_wkt (28.95, -2.01, 28.96, -2.0);
  g_autoptr(ZonesZone) z = zone_from_wkt (wkt, "gold");
  g_autoptr(GPtrArray) f = NULL;
  g_autoptr(GString) table = g_string_new ("commodity,deposit_type,method,parameter,low,central,high,provenance\n");
  double plot = quad_ha (28.95, -2.01, 28.96, -2.0) * 7 / 800;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  const char *ones[] = { "ore_t_per_miner_day", "working_days_per_year", "planning_horizon_years",
                         "water_m3_per_t", "domestic_m3_per_person_day", "household_factor",
                         "living_income_usd_per_year", "grade_kg_per_t", "recovery",
                         "price_usd_per_kg", "miner_share", "water_allowed_share" };
  ZonesFinding *over;

  g_ascii_dtostr (buf, sizeof buf, plot);
  g_string_append_printf (table, "*,*,*,plot_ha_per_team,%s,%s,%s,t\n", buf, buf, buf);
  g_string_append (table, "*,*,*,team_size,7,7,7,t\n*,*,*,thickness_m,1000,1000,1000,t\n"
                          "*,*,*,density_t_m3,1000,1000,1000,t\n"
                          "*,*,*,mineable_fraction,1,1,1,t\n");
  for (guint i = 0; i < G_N_ELEMENTS (ones); i++)
    g_string_append_printf (table, "*,*,*,%s,1,1,1,t\n", ones[i]);

  world_init (&w, NULL);
  zones_validator_free (w.v);
  w.in.sites = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_site_free);
  g_ptr_array_add (w.in.sites, make_site ("a", 28.952, -2.002, 300));
  g_ptr_array_add (w.in.sites, make_site ("b", 28.955, -2.005, 400));
  g_ptr_array_add (w.in.sites, make_site ("c", 28.958, -2.008, 500));
  g_ptr_array_add (w.in.sites, make_site ("outside", 28.99, -2.005, 5000));
  w.in.capacity_params = zones_param_table_new_from_data (table->str, "t.csv", &error);
  assert_no_error (error);
  w.v = zones_validator_new (&w.in, NULL, &error);
  assert_no_error (error);
  f = check (&w, z, NULL);
  over = find (f, "over-capacity", NULL);
  assert_non_null (over);
  assert_int_equal (over->severity, ZONES_SEVERITY_WARNING);
  assert_non_null (strstr (over->message, "1200 workers at 3 sites"));
  assert_non_null (strstr (over->message, "exceed the 800"));
  assert_non_null (strstr (over->message, "load 1.50"));
  world_clear (&w);
}

/* ---------------------------------------------------------------------------------------- */
/* The register */

static GisProject *
new_project (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "p.gpkg", NULL);
  g_autoptr(GisCrs) crs = gis_crs_new_from_epsg (4326, NULL);
  GisProject *p = gis_project_create (path, crs, &error);
  assert_no_error (error);
  return p;
}

/* The validator checks a zone's load against the capacity parameters the project keeps (the
 * table the capacity report uses), and Placer's default table when it keeps none. */
static void
test_validator_uses_project_capacity_table (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GisProject) project = new_project (dir);
  g_autoptr(GError) error = NULL;
  ZonesValidatorInputs in = { 0 };

  assert_true (zones_validator_inputs_from_project (&in, project, &error));
  assert_no_error (error);
  assert_null (strstr (zones_param_table_get_source (in.capacity_params), "project parameters"));
  zones_validator_inputs_clear (&in);

  assert_true (gis_project_set_meta (project, "capacity_params",
                                     "commodity,deposit_type,method,parameter,low,central,high,provenance\n"
                                     "*,*,*,team_size,3,4,5,survey 2026\n", &error));
  assert_no_error (error);
  memset (&in, 0, sizeof in);
  assert_true (zones_validator_inputs_from_project (&in, project, &error));
  assert_no_error (error);
  assert_non_null (strstr (zones_param_table_get_source (in.capacity_params), "project parameters"));
  zones_validator_inputs_clear (&in);
  g_clear_object (&project);
  test_rmtree (dir);
}

static void
test_register_history_undo_redo (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "p.gpkg", NULL);
  g_autoptr(GisProject) p = new_project (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesRegister) reg = zones_register_new (p, &error);
  g_autofree char *wkt = rect_wkt (29.0, -2.01, 29.01, -2.0);
  g_autoptr(ZonesZone) z = zone_from_wkt (wkt, "gold");
  g_autoptr(ZonesZone) got = NULL;
  g_autoptr(ZonesZone) stale = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autofree char *which = NULL;

  assert_no_error (error);
  g_clear_pointer (&z->zone_id, g_free);
  assert_true (zones_register_add (reg, z, &error));
  assert_no_error (error);
  assert_string_equal (z->zone_id, "Z-0001");
  assert_int_equal (z->version, 1);

  got = zones_register_get (reg, "Z-0001", &error);
  stale = zones_zone_copy (got);
  g_free (got->name);
  got->name = g_strdup ("Mwenga alluvial");
  assert_true (zones_register_update (reg, got, 1, "zone-edit", &error));
  assert_no_error (error);
  /* A copy read before that edit is refused: no silent overwrite. */
  g_free (stale->notes);
  stale->notes = g_strdup ("edited elsewhere");
  assert_false (zones_register_update (reg, stale, stale->version, "zone-edit", &error));
  assert_true (g_error_matches (error, ZONES_ERROR, ZONES_ERROR_STATE));
  assert_error_contains (error, "changed by someone else");
  g_clear_error (&error);

  /* Undo and redo survive closing and reopening the project. */
  g_clear_object (&reg);
  g_clear_object (&p);
  p = gis_project_open (path, TRUE, &error);
  reg = zones_register_new (p, &error);
  assert_no_error (error);
  assert_true (zones_register_can_undo (reg));
  assert_false (zones_register_can_redo (reg));
  assert_true (zones_register_undo (reg, &which, &error));
  assert_string_equal (which, "Z-0001");
  g_clear_pointer (&got, zones_zone_free);
  got = zones_register_get (reg, "Z-0001", &error);
  assert_null (got->name);
  assert_true (zones_register_can_redo (reg));
  assert_true (zones_register_redo (reg, NULL, &error));
  g_clear_pointer (&got, zones_zone_free);
  got = zones_register_get (reg, "Z-0001", &error);
  assert_string_equal (got->name, "Mwenga alluvial");
  /* Undo twice: the zone is gone; a third undo has nothing left. */
  assert_true (zones_register_undo (reg, NULL, &error));
  assert_true (zones_register_undo (reg, NULL, &error));
  g_clear_pointer (&got, zones_zone_free);
  got = zones_register_get (reg, "Z-0001", &error);
  assert_null (got);
  g_clear_error (&error);
  assert_false (zones_register_undo (reg, NULL, &error));
  assert_error_contains (error, "Nothing to undo");
  g_clear_error (&error);
  /* A new edit clears the redo stack. */
  assert_true (zones_register_redo (reg, NULL, &error));
  assert_true (zones_register_can_redo (reg));
  {
    g_autoptr(ZonesZone) again = zone_from_wkt (wkt, "coltan");
    g_free (again->zone_id);
    again->zone_id = g_strdup ("Z-0009");
    assert_true (zones_register_add (reg, again, &error));
  }
  assert_false (zones_register_can_redo (reg));

  history = zones_register_history (reg, "Z-0001", &error);
  assert_no_error (error);
  {
    GString *actions = g_string_new (NULL);
    for (guint i = 0; i < history->len; i++)
      g_string_append_printf (actions, "%s%s", i ? "," : "",
                              ((GisAuditEntry *) g_ptr_array_index (history, i))->action);
    assert_string_equal (actions->str,
                         "zone-add,zone-edit,zone-undo,zone-redo,zone-undo,zone-undo,zone-redo");
    g_string_free (actions, TRUE);
  }
  /* Close the project before its folder goes. */
  g_clear_object (&reg);
  g_clear_object (&p);
  test_rmtree (dir);
}

static void
test_status_changes (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(GisProject) p = new_project (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesRegister) reg = zones_register_new (p, &error);
  g_autofree char *bad_wkt = rect_wkt (29.0, -2.01, 29.005, -2.0);    /* on PE 1: an error */
  g_autofree char *good_wkt = rect_wkt (28.95, -2.01, 28.96, -2.0);   /* free, on deposits */
  g_autoptr(ZonesZone) bad = zone_from_wkt (bad_wkt, "gold");
  g_autoptr(ZonesZone) good = zone_from_wkt (good_wkt, "gold");
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(ZonesZone) got = NULL;
  World w;

  world_init (&w, NULL);
  g_free (bad->zone_id);
  bad->zone_id = g_strdup ("Z-BAD");
  g_free (good->zone_id);
  good->zone_id = g_strdup ("Z-GOOD");
  assert_true (zones_register_add (reg, bad, &error));
  assert_true (zones_register_add (reg, good, &error));

  /* Designation needs a proposal first. */
  assert_false (zones_change_status (reg, w.v, "Z-GOOD", "designated", NULL, NULL, NULL, NULL, &error));
  assert_error_contains (error, "proposed first");
  g_clear_error (&error);
  assert_true (zones_change_status (reg, w.v, "Z-GOOD", "proposed", NULL, NULL, NULL, NULL, &error));
  assert_true (zones_change_status (reg, w.v, "Z-GOOD", "designated", NULL, "Arrêté 0123/2026",
                                    "Ministère des Mines", NULL, &error));
  assert_no_error (error);
  got = zones_register_get (reg, "Z-GOOD", &error);
  assert_string_equal (got->status, "designated");
  assert_string_equal (got->legal_ref, "Arrêté 0123/2026");
  assert_non_null (got->date_designated);

  /* A zone with errors does not move without a written reason, and the findings say why. */
  assert_false (zones_change_status (reg, w.v, "Z-BAD", "proposed", NULL, NULL, NULL, &findings, &error));
  assert_error_contains (error, "error");
  assert_non_null (findings);
  assert_non_null (find (findings, "overlaps-title", "PE 1"));
  g_clear_error (&error);
  g_clear_pointer (&findings, g_ptr_array_unref);
  assert_false (zones_change_status (reg, w.v, "Z-BAD", "proposed", "   ", NULL, NULL, NULL, &error));
  assert_error_contains (error, "written reason");
  g_clear_error (&error);
  assert_true (zones_change_status (reg, w.v, "Z-BAD", "proposed",
                                    "Holder's consent letter awaited, agreed in meeting", NULL,
                                    NULL, NULL, &error));
  g_clear_pointer (&got, zones_zone_free);
  got = zones_register_get (reg, "Z-BAD", &error);
  assert_string_equal (got->override_reason, "Holder's consent letter awaited, agreed in meeting");
  /* Retired is final. */
  assert_true (zones_change_status (reg, w.v, "Z-BAD", "retired", NULL, NULL, NULL, NULL, &error));
  assert_false (zones_change_status (reg, w.v, "Z-BAD", "candidate", NULL, NULL, NULL, NULL, &error));
  g_clear_error (&error);
  /* Only a designated zone can be suspended. */
  assert_true (zones_change_status (reg, w.v, "Z-GOOD", "suspended", NULL, NULL, NULL, NULL, &error));
  assert_false (zones_change_status (reg, w.v, "Z-GOOD", "suspended", NULL, NULL, NULL, NULL, &error));
  g_clear_error (&error);
  world_clear (&w);
  g_clear_object (&reg);
  g_clear_object (&p);
  test_rmtree (dir);
}

static void
test_zones_overlap_each_other (void **state)
{
  World w;
  g_autofree char *a = rect_wkt (28.95, -2.01, 28.96, -2.0);
  g_autofree char *b = rect_wkt (28.955, -2.01, 28.965, -2.0);
  g_autoptr(ZonesZone) za = zone_from_wkt (a, "gold");
  g_autoptr(ZonesZone) zb = zone_from_wkt (b, "gold");
  g_autoptr(GPtrArray) zones = g_ptr_array_new ();
  g_autoptr(GPtrArray) f = NULL;
  ZonesFinding *o;

  g_free (za->zone_id);
  za->zone_id = g_strdup ("Z-A");
  g_free (zb->zone_id);
  zb->zone_id = g_strdup ("Z-B");
  world_init (&w, NULL);
  g_ptr_array_add (zones, za);
  g_ptr_array_add (zones, zb);
  zones_validator_set_zones (w.v, zones);
  f = check (&w, za, NULL);
  o = find (f, "overlaps-zone", "Z-B");
  assert_non_null (o);
  assert_close_rel (o->area_ha, quad_ha (28.955, -2.01, 28.96, -2.0), 1e-6);
  assert_null (find (f, "overlaps-zone", "Z-A"));
  world_clear (&w);
}

/* kill -9 during zone edits: the register and the audit log stay consistent. */
static void
edit_forever (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisProject) p = gis_project_open (path, TRUE, &error);
  g_autoptr(ZonesRegister) reg = p ? zones_register_new (p, &error) : NULL;

  if (reg == NULL)
    _exit (2);
  for (int i = 0;; i++)
    {
      g_autoptr(ZonesZone) z = zones_register_get (reg, "Z-0001", NULL);
      if (z == NULL)
        _exit (3);
      g_free (z->notes);
      z->notes = g_strdup_printf ("edit %d", i);
      if (!zones_register_update (reg, z, z->version, "zone-edit", NULL))
        _exit (4);
      if (i % 3 == 2 && !zones_register_undo (reg, NULL, NULL))
        _exit (5);
    }
}

static char *
sql_text (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  char *r = NULL;

  assert_int_equal (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  assert_int_equal (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), SQLITE_OK);
  if (sqlite3_step (st) == SQLITE_ROW && sqlite3_column_text (st, 0) != NULL)
    r = g_strdup ((const char *) sqlite3_column_text (st, 0));
  sqlite3_finalize (st);
  sqlite3_close (db);
  return r;
}

static void
test_kill9_during_zone_edits (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "p.gpkg", NULL);
  g_autoptr(GError) error = NULL;
  GRand *rand = g_rand_new_with_seed (7);

  {
    g_autoptr(GisProject) p = new_project (dir);
    g_autoptr(ZonesRegister) reg = zones_register_new (p, &error);
    g_autofree char *wkt = rect_wkt (29.0, -2.01, 29.01, -2.0);
    g_autoptr(ZonesZone) z = zone_from_wkt (wkt, "gold");
    g_free (z->zone_id);
    z->zone_id = g_strdup ("Z-0001");
    assert_true (zones_register_add (reg, z, &error));
  }
  for (int round = 0; round < 15; round++)
    {
      pid_t pid = fork ();
      int status;
      assert_true (pid >= 0);
      if (pid == 0)
        edit_forever (path);
      g_usleep (g_rand_int_range (rand, 30000, 200000));
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      assert_true (WIFSIGNALED (status));
      {
        g_autofree char *check_ok = sql_text (path, "PRAGMA integrity_check");
        g_autoptr(GisProject) p = gis_project_open (path, TRUE, &error);
        g_autoptr(ZonesRegister) reg = p ? zones_register_new (p, &error) : NULL;
        g_autoptr(ZonesZone) z = reg ? zones_register_get (reg, "Z-0001", &error) : NULL;
        g_autoptr(GPtrArray) history = reg ? zones_register_history (reg, "Z-0001", &error) : NULL;
        GisAuditEntry *last;
        g_autofree char *now = NULL;

        assert_string_equal (check_ok, "ok");
        assert_no_error (error);
        assert_non_null (z);
        /* The register holds exactly the "after" state of the last audit entry. */
        last = g_ptr_array_index (history, history->len - 1);
        now = zones_zone_to_json (z);
        {
          g_autoptr(ZonesZone) logged = zones_zone_new_from_json (last->after, &error);
          g_autofree char *logged_json = NULL;
          assert_no_error (error);
          logged_json = zones_zone_to_json (logged);
          assert_string_equal (now, logged_json);
        }
      }
    }
  g_rand_free (rand);
  test_rmtree (dir);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_two_title_overlaps),
    cmocka_unit_test (test_consent_turns_error_into_info),
    cmocka_unit_test (test_mostly_water),
    cmocka_unit_test (test_buffer_border_and_evidence),
    cmocka_unit_test (test_country_size_limits),
    cmocka_unit_test (test_grid_cell),
    cmocka_unit_test (test_invalid_zone),
    cmocka_unit_test (test_over_capacity),
    cmocka_unit_test (test_validator_uses_project_capacity_table),
    cmocka_unit_test (test_register_history_undo_redo),
    cmocka_unit_test (test_status_changes),
    cmocka_unit_test (test_zones_overlap_each_other),
    cmocka_unit_test (test_kill9_during_zone_edits),
  };

  gis_init ();
  return cmocka_run_group_tests_name ("zones-register", tests, NULL, NULL);
}
