/* zones-capacity.h: how many miners a zone can carry (analysis C)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ZonesCapacityParam:
 *
 * The parameters of the carrying-capacity model. Each has a low, a central and a high value
 * per commodity × deposit type × mining method.
 */
typedef enum {
  ZONES_PARAM_PLOT_HA_PER_TEAM,
  ZONES_PARAM_TEAM_SIZE,
  ZONES_PARAM_THICKNESS_M,
  ZONES_PARAM_DENSITY_T_M3,
  ZONES_PARAM_MINEABLE_FRACTION,
  ZONES_PARAM_ORE_T_PER_MINER_DAY,
  ZONES_PARAM_WORKING_DAYS_PER_YEAR,
  ZONES_PARAM_PLANNING_HORIZON_YEARS,
  ZONES_PARAM_WATER_M3_PER_T,
  ZONES_PARAM_DOMESTIC_M3_PER_PERSON_DAY,
  ZONES_PARAM_HOUSEHOLD_FACTOR,
  ZONES_PARAM_WATER_ALLOWED_SHARE,
  ZONES_PARAM_GRADE_KG_PER_T,
  ZONES_PARAM_RECOVERY,
  ZONES_PARAM_PRICE_USD_PER_KG,
  ZONES_PARAM_MINER_SHARE,
  ZONES_PARAM_LIVING_INCOME_USD_PER_YEAR,
  ZONES_N_PARAMS
} ZonesCapacityParam;

typedef enum {
  ZONES_LOW,
  ZONES_CENTRAL,
  ZONES_HIGH,
  ZONES_N_SCENARIOS
} ZonesScenario;

const char *zones_capacity_param_name  (ZonesCapacityParam param);
const char *zones_capacity_param_unit  (ZonesCapacityParam param);
int         zones_capacity_param_from_name (const char *name);
const char *zones_scenario_name        (ZonesScenario scenario);

/**
 * ZonesParamSet:
 * @values: [parameter][scenario]
 * @provenance: one text per parameter ("assumption", or a citation)
 */
typedef struct {
  double  values[ZONES_N_PARAMS][ZONES_N_SCENARIOS];
  char   *provenance[ZONES_N_PARAMS];
} ZonesParamSet;

void     zones_param_set_clear    (ZonesParamSet *set);
void     zones_param_set_copy     (ZonesParamSet *dest,
                                   const ZonesParamSet *src);

/**
 * ZonesParamTable:
 *
 * Parameter sets per commodity × deposit type × method, read from CSV
 * (commodity,deposit_type,method,parameter,low,central,high,provenance); "*" matches any.
 */
typedef struct _ZonesParamTable ZonesParamTable;

ZonesParamTable *zones_param_table_new_default   (GError          **error);
ZonesParamTable *zones_param_table_new_from_file (const char       *path,
                                                  GError          **error);
ZonesParamTable *zones_param_table_new_from_data (const char       *text,
                                                  const char       *label,
                                                  GError          **error);
ZonesParamTable *zones_param_table_ref           (ZonesParamTable  *table);
void             zones_param_table_free          (ZonesParamTable  *table);
gboolean         zones_param_table_lookup        (ZonesParamTable  *table,
                                                  const char       *commodity,
                                                  const char       *deposit_type,
                                                  const char       *method,
                                                  ZonesParamSet    *out,
                                                  GError          **error);
const char      *zones_param_table_get_source    (ZonesParamTable  *table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesParamTable, zones_param_table_free)

typedef enum {
  ZONES_BINDING_AREA,
  ZONES_BINDING_RESOURCE,
  ZONES_BINDING_WATER,
} ZonesBinding;

const char *zones_binding_name (ZonesBinding binding);

/**
 * ZonesCapacity:
 * @workable_ha: zone ∩ in-scope deposits − excluded land use (geodesic)
 * @water_m3_day: water available to the zone, or NAN when not assessed
 * @area: area-bound capacity (miners) per scenario
 * @resource: resource-bound capacity per scenario
 * @water: water-bound capacity per scenario (INFINITY when water is not assessed)
 * @capacity: the smallest of the three, per scenario
 * @binding: which of the three binds, per scenario
 * @income_usd: income per miner per year, per scenario
 * @viable: income at or above the living income, per scenario
 * @observed_workers: workers at the sites in the zone (latest visits), -1 when unknown
 * @load_ratio: observed workers / central capacity, NAN when either is unknown
 */
typedef struct {
  double       workable_ha;
  double       water_m3_day;
  double       area[ZONES_N_SCENARIOS];
  double       resource[ZONES_N_SCENARIOS];
  double       water[ZONES_N_SCENARIOS];
  double       capacity[ZONES_N_SCENARIOS];
  ZonesBinding binding[ZONES_N_SCENARIOS];
  double       income_usd[ZONES_N_SCENARIOS];
  gboolean     viable[ZONES_N_SCENARIOS];
  gint64       observed_workers;
  double       load_ratio;
  gboolean     over_capacity;
} ZonesCapacity;

void zones_capacity_compute (const ZonesParamSet *params,
                             double               workable_ha,
                             double               water_m3_day,
                             gint64               observed_workers,
                             ZonesCapacity       *out);

/**
 * ZonesSensitivity:
 * @param: the parameter varied from its low to its high value, the others central
 * @at_low: central capacity with the parameter at its low value
 * @at_high: the same at its high value
 * @swing: |at_high − at_low|
 */
typedef struct {
  ZonesCapacityParam param;
  double             at_low;
  double             at_high;
  double             swing;
} ZonesSensitivity;

GArray *zones_capacity_sensitivity (const ZonesParamSet *params,
                                    double               workable_ha,
                                    double               water_m3_day);

G_END_DECLS
