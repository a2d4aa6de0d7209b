/* test-zones-capacity.c: the carrying-capacity model on numbers worked out by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <string.h>

#include "zones.h"

/* Every parameter at one value in all three scenarios, so each capacity is exact. */
static void
flat (ZonesParamSet *set)
{
  const double v[ZONES_N_PARAMS] = {
    [ZONES_PARAM_PLOT_HA_PER_TEAM] = 0.25,
    [ZONES_PARAM_TEAM_SIZE] = 7,
    [ZONES_PARAM_THICKNESS_M] = 1,
    [ZONES_PARAM_DENSITY_T_M3] = 2,
    [ZONES_PARAM_MINEABLE_FRACTION] = 0.5,
    [ZONES_PARAM_ORE_T_PER_MINER_DAY] = 1,
    [ZONES_PARAM_WORKING_DAYS_PER_YEAR] = 250,
    [ZONES_PARAM_PLANNING_HORIZON_YEARS] = 1,
    [ZONES_PARAM_WATER_M3_PER_T] = 1,
    [ZONES_PARAM_DOMESTIC_M3_PER_PERSON_DAY] = 0.05,
    [ZONES_PARAM_HOUSEHOLD_FACTOR] = 3.7,
    [ZONES_PARAM_WATER_ALLOWED_SHARE] = 0.2,
    [ZONES_PARAM_GRADE_KG_PER_T] = 0.001,
    [ZONES_PARAM_RECOVERY] = 0.5,
    [ZONES_PARAM_PRICE_USD_PER_KG] = 75000,
    [ZONES_PARAM_MINER_SHARE] = 0.5,
    [ZONES_PARAM_LIVING_INCOME_USD_PER_YEAR] = 1500,
  };

  memset (set, 0, sizeof *set);
  for (int i = 0; i < ZONES_N_PARAMS; i++)
    for (int s = 0; s < ZONES_N_SCENARIOS; s++)
      set->values[i][s] = v[i];
}

static void
test_exact_numbers_and_binding (void **state)
{
  ZonesParamSet set;
  ZonesCapacity c;

  flat (&set);
  /* 10 ha workable, 2000 m³/day of water:
   *   C_area  = 10 / 0.25 × 7                                  = 280
   *   T       = 10 × 10⁴ × 1 × 2 × 0.5                         = 100,000 t
   *   C_res   = 100,000 / (1 × 250 × 1)                        = 400
   *   C_water = 2000 × 0.2 / (1 × 1 + 0.05 × 3.7) = 400 / 1.185 = 337.5527…
   * so the area binds: 280. */
  zones_capacity_compute (&set, 10, 2000, -1, &c);
  assert_close_abs (c.area[ZONES_CENTRAL], 280, 1e-9);
  assert_close_abs (c.resource[ZONES_CENTRAL], 400, 1e-9);
  assert_close_rel (c.water[ZONES_CENTRAL], 400 / 1.185, 1e-12);
  assert_close_abs (c.capacity[ZONES_CENTRAL], 280, 1e-9);
  assert_int_equal (c.binding[ZONES_CENTRAL], ZONES_BINDING_AREA);
  /* income = 1 × 250 × 0.001 × 0.5 × 75,000 × 0.5 = 4687.5 USD ≥ 1500: viable */
  assert_close_abs (c.income_usd[ZONES_CENTRAL], 4687.5, 1e-9);
  assert_true (c.viable[ZONES_CENTRAL]);
  assert_true (isnan (c.load_ratio));

  /* Halving the water: C_water = 200 / 1.185 = 168.78 < 280, so water binds now. */
  zones_capacity_compute (&set, 10, 1000, -1, &c);
  assert_close_rel (c.capacity[ZONES_CENTRAL], 200 / 1.185, 1e-12);
  assert_int_equal (c.binding[ZONES_CENTRAL], ZONES_BINDING_WATER);
  assert_string_equal (zones_binding_name (c.binding[ZONES_CENTRAL]), "water");

  /* Without a water figure the water cannot bind. */
  zones_capacity_compute (&set, 10, NAN, -1, &c);
  assert_true (isinf (c.water[ZONES_CENTRAL]));
  assert_int_equal (c.binding[ZONES_CENTRAL], ZONES_BINDING_AREA);

  /* A lower price makes the zone not viable, and does not change the capacity. */
  for (int s = 0; s < ZONES_N_SCENARIOS; s++)
    set.values[ZONES_PARAM_PRICE_USD_PER_KG][s] = 20000;   /* income 1250 < 1500 */
  zones_capacity_compute (&set, 10, NAN, -1, &c);
  assert_close_abs (c.income_usd[ZONES_CENTRAL], 1250, 1e-9);
  assert_false (c.viable[ZONES_CENTRAL]);
  assert_close_abs (c.capacity[ZONES_CENTRAL], 280, 1e-9);
}

static void
test_observed_load (void **state)
{
  /* Three sites with 1,200 workers in a zone of capacity 800: load 1.5, over capacity.
   * Capacity 800 by area: A_w = 800 × 0.25 / 7 ha. */
  ZonesParamSet set;
  ZonesCapacity c;
  double a = 800 * 0.25 / 7;

  flat (&set);
  zones_capacity_compute (&set, a, NAN, 300 + 400 + 500, &c);
  assert_close_abs (c.capacity[ZONES_CENTRAL], 800, 1e-9);
  assert_int_equal (c.observed_workers, 1200);
  assert_close_abs (c.load_ratio, 1.5, 1e-12);
  assert_true (c.over_capacity);
  zones_capacity_compute (&set, a, NAN, 800, &c);
  assert_false (c.over_capacity);
}

static void
test_range_takes_each_parameter_at_the_right_end (void **state)
{
  /* Plot 0.5 / 0.25 / 0.1 ha and team 4 / 7 / 10: the low capacity takes the big plot and the
   * small team, the high one the small plot and the big team.
   *   low  = 10 / 0.5 × 4  = 80;  central = 280;  high = 10 / 0.1 × 10 = 1000
   * (resource, at 400 central, must not bind: give it room) */
  ZonesParamSet set;
  ZonesCapacity c;

  flat (&set);
  set.values[ZONES_PARAM_PLOT_HA_PER_TEAM][ZONES_LOW] = 0.5;
  set.values[ZONES_PARAM_PLOT_HA_PER_TEAM][ZONES_HIGH] = 0.1;
  set.values[ZONES_PARAM_TEAM_SIZE][ZONES_LOW] = 4;
  set.values[ZONES_PARAM_TEAM_SIZE][ZONES_HIGH] = 10;
  for (int s = 0; s < ZONES_N_SCENARIOS; s++)
    set.values[ZONES_PARAM_MINEABLE_FRACTION][s] = 10;   /* resource far from binding */
  zones_capacity_compute (&set, 10, NAN, -1, &c);
  assert_close_abs (c.capacity[ZONES_LOW], 80, 1e-9);
  assert_close_abs (c.capacity[ZONES_CENTRAL], 280, 1e-9);
  assert_close_abs (c.capacity[ZONES_HIGH], 1000, 1e-9);
  /* The parameters' ends may be written either way round. */
  set.values[ZONES_PARAM_PLOT_HA_PER_TEAM][ZONES_LOW] = 0.1;
  set.values[ZONES_PARAM_PLOT_HA_PER_TEAM][ZONES_HIGH] = 0.5;
  zones_capacity_compute (&set, 10, NAN, -1, &c);
  assert_close_abs (c.capacity[ZONES_LOW], 80, 1e-9);
  assert_close_abs (c.capacity[ZONES_HIGH], 1000, 1e-9);
}

static void
test_sensitivity (void **state)
{
  /* Area binds (280). Plot 0.5–0.1 moves it 140–700 (swing 560); team 4–10 moves it 160–400
   * (swing 240); nothing else moves the area-bound capacity while it binds, except parameters
   * that make another term bind: the horizon at 2 years halves C_res to 200 < 280. */
  ZonesParamSet set;
  g_autoptr(GArray) rows = NULL;
  ZonesSensitivity *first, *second;

  flat (&set);
  set.values[ZONES_PARAM_PLOT_HA_PER_TEAM][ZONES_LOW] = 0.5;
  set.values[ZONES_PARAM_PLOT_HA_PER_TEAM][ZONES_HIGH] = 0.1;
  set.values[ZONES_PARAM_TEAM_SIZE][ZONES_LOW] = 4;
  set.values[ZONES_PARAM_TEAM_SIZE][ZONES_HIGH] = 10;
  set.values[ZONES_PARAM_PLANNING_HORIZON_YEARS][ZONES_HIGH] = 2;
  rows = zones_capacity_sensitivity (&set, 10, NAN);
  assert_int_equal (rows->len, 3);
  first = &g_array_index (rows, ZonesSensitivity, 0);
  second = &g_array_index (rows, ZonesSensitivity, 1);
  /* Plot 0.1 → C_area 700 but C_res 400 binds: 140 … 400, swing 260 */
  assert_int_equal (first->param, ZONES_PARAM_PLOT_HA_PER_TEAM);
  assert_close_abs (first->at_low, 140, 1e-9);
  assert_close_abs (first->at_high, 400, 1e-9);
  /* Team 10 → 400 (C_res 400 too): 160 … 400, swing 240 */
  assert_int_equal (second->param, ZONES_PARAM_TEAM_SIZE);
  assert_close_abs (second->swing, 240, 1e-9);
  assert_int_equal (g_array_index (rows, ZonesSensitivity, 2).param,
                    ZONES_PARAM_PLANNING_HORIZON_YEARS);
  assert_close_abs (g_array_index (rows, ZonesSensitivity, 2).at_high, 200, 1e-9);
}

static void
test_parameter_tables (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesParamTable) def = zones_param_table_new_default (&error);
  ZonesParamSet gold, tin;
  const struct { const char *text; const char *msg; } bad[] = {
    { "", "empty" },
    { "commodity,deposit_type,method,parameter,low,central\n", "header" },
    { "commodity,deposit_type,method,parameter,low,central,high,provenance\n"
      "*,*,*,team_size,4,7\n", "t.csv:2: expected 8 columns" },
    { "commodity,deposit_type,method,parameter,low,central,high,provenance\n"
      "*,*,*,crew,4,7,10,x\n", "t.csv:2, column parameter: “crew”" },
    { "commodity,deposit_type,method,parameter,low,central,high,provenance\n"
      "*,*,*,team_size,4,seven,10,x\n", "t.csv:2, column central" },
    { "commodity,deposit_type,method,parameter,low,central,high,provenance\n"
      "*,*,*,team_size,4,7,-10,x\n", "column high" },
    { "commodity,deposit_type,method,parameter,low,central,high,provenance\n"
      "*,*,*,team_size,4,7,10,\n", "needs its source" },
    { "commodity,deposit_type,method,parameter,low,central,high,provenance\n"
      "*,*,*,plot_ha_per_team,0,0.25,0.5,x\n", "greater than 0" },
  };

  assert_no_error (error);
  assert_true (zones_param_table_lookup (def, "gold", "alluvial", "artisanal", &gold, &error));
  assert_no_error (error);
  /* The alluvial row for plots, the gold row for grade and price (data/capacity/defaults.csv) */
  assert_close_abs (gold.values[ZONES_PARAM_PLOT_HA_PER_TEAM][ZONES_CENTRAL], 0.25, 0);
  assert_close_abs (gold.values[ZONES_PARAM_GRADE_KG_PER_T][ZONES_CENTRAL], 0.001, 0);
  assert_close_abs (gold.values[ZONES_PARAM_PRICE_USD_PER_KG][ZONES_HIGH], 90000, 0);
  assert_close_abs (gold.values[ZONES_PARAM_TEAM_SIZE][ZONES_LOW], 4, 0);
  assert_non_null (strstr (gold.provenance[ZONES_PARAM_TEAM_SIZE], "OECD"));
  assert_non_null (strstr (gold.provenance[ZONES_PARAM_PLOT_HA_PER_TEAM], "assumption"));
  assert_true (zones_param_table_lookup (def, "cassiterite", "hard_rock", NULL, &tin, &error));
  assert_close_abs (tin.values[ZONES_PARAM_THICKNESS_M][ZONES_CENTRAL], 5, 0);
  assert_close_abs (tin.values[ZONES_PARAM_GRADE_KG_PER_T][ZONES_CENTRAL], 10, 0);
  zones_param_set_clear (&gold);
  zones_param_set_clear (&tin);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(ZonesParamTable) t = zones_param_table_new_from_data (bad[i].text, "t.csv", &e);
      assert_null (t);
      assert_error_contains (e, bad[i].msg);
    }
  /* A table missing a parameter says which. */
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(ZonesParamTable) t = zones_param_table_new_from_data (
      "commodity,deposit_type,method,parameter,low,central,high,provenance\n"
      "*,*,*,team_size,4,7,10,x\n", "t.csv", &e);
    ZonesParamSet s;
    assert_no_error (e);
    assert_false (zones_param_table_lookup (t, "gold", NULL, NULL, &s, &e));
    assert_error_contains (e, "no value of plot_ha_per_team");
  }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_exact_numbers_and_binding),
    cmocka_unit_test (test_observed_load),
    cmocka_unit_test (test_range_takes_each_parameter_at_the_right_end),
    cmocka_unit_test (test_sensitivity),
    cmocka_unit_test (test_parameter_tables),
  };

  gis_init ();
  return cmocka_run_group_tests_name ("zones-capacity", tests, NULL, NULL);
}
