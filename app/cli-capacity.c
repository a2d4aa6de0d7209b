/* cli-capacity.c: placer-cli capacity — how many miners each zone can carry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cli-capacity"

#include <math.h>
#include <stdio.h>

#include "cli.h"

static void
add_triplet (JsonBuilder *b, const char *name, const double v[ZONES_N_SCENARIOS])
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  for (int s = 0; s < ZONES_N_SCENARIOS; s++)
    cli_json_add_number (b, zones_scenario_name (s), v[s]);
  json_builder_end_object (b);
}

static JsonNode *
capacity_node (const ZonesZone *z, const ZonesCapacity *c, GArray *sensitivity,
               const ZonesParamSet *set, guint n_sites, guint n_unknown)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "zone");
  json_builder_add_string_value (b, z->zone_id);
  json_builder_set_member_name (b, "workable_ha");
  json_builder_add_double_value (b, c->workable_ha);
  add_triplet (b, "capacity", c->capacity);
  json_builder_set_member_name (b, "binding");
  json_builder_add_string_value (b, zones_binding_name (c->binding[ZONES_CENTRAL]));
  json_builder_set_member_name (b, "constraints");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "area");
  json_builder_add_double_value (b, c->area[ZONES_CENTRAL]);
  json_builder_set_member_name (b, "resource");
  json_builder_add_double_value (b, c->resource[ZONES_CENTRAL]);
  cli_json_add_number (b, "water", c->water[ZONES_CENTRAL]);
  json_builder_end_object (b);
  cli_json_add_number (b, "water_m3_day", c->water_m3_day);
  json_builder_set_member_name (b, "observed_workers");
  if (c->observed_workers >= 0)
    json_builder_add_int_value (b, c->observed_workers);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "sites");
  json_builder_add_int_value (b, n_sites);
  json_builder_set_member_name (b, "sites_without_workers");
  json_builder_add_int_value (b, n_unknown);
  cli_json_add_number (b, "load_ratio", c->load_ratio);
  json_builder_set_member_name (b, "over_capacity");
  json_builder_add_boolean_value (b, c->over_capacity);
  add_triplet (b, "income_usd", c->income_usd);
  json_builder_set_member_name (b, "viable");
  json_builder_add_boolean_value (b, c->viable[ZONES_CENTRAL]);
  json_builder_set_member_name (b, "sensitivity");
  json_builder_begin_array (b);
  for (guint i = 0; i < sensitivity->len; i++)
    {
      ZonesSensitivity *r = &g_array_index (sensitivity, ZonesSensitivity, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "parameter");
      json_builder_add_string_value (b, zones_capacity_param_name (r->param));
      json_builder_set_member_name (b, "capacity_at_low");
      json_builder_add_double_value (b, r->at_low);
      json_builder_set_member_name (b, "capacity_at_high");
      json_builder_add_double_value (b, r->at_high);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "parameters");
  json_builder_begin_object (b);
  for (int p = 0; p < ZONES_N_PARAMS; p++)
    {
      json_builder_set_member_name (b, zones_capacity_param_name (p));
      json_builder_begin_object (b);
      for (int s = 0; s < ZONES_N_SCENARIOS; s++)
        {
          json_builder_set_member_name (b, zones_scenario_name (s));
          json_builder_add_double_value (b, set->values[p][s]);
        }
      json_builder_set_member_name (b, "provenance");
      json_builder_add_string_value (b, set->provenance[p]);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_capacity (const ZonesZone *z, const ZonesCapacity *c, GArray *sensitivity, guint n_sites,
                guint n_unknown)
{
  printf ("Zone %s%s%s%s: workable %.2f ha\n", z->zone_id, z->name ? " (" : "",
          z->name ? z->name : "", z->name ? ")" : "", c->workable_ha);
  printf ("  capacity %.0f miners (range %.0f – %.0f), bound by %s\n", c->capacity[ZONES_CENTRAL],
          c->capacity[ZONES_LOW], c->capacity[ZONES_HIGH],
          zones_binding_name (c->binding[ZONES_CENTRAL]));
  if (isfinite (c->water[ZONES_CENTRAL]))
    printf ("    area %.0f, resource %.0f, water %.0f\n", c->area[ZONES_CENTRAL],
            c->resource[ZONES_CENTRAL], c->water[ZONES_CENTRAL]);
  else
    printf ("    area %.0f, resource %.0f, water not assessed (no water yields)\n",
            c->area[ZONES_CENTRAL], c->resource[ZONES_CENTRAL]);
  printf ("  income per miner %.0f USD a year (%.0f – %.0f): %s\n", c->income_usd[ZONES_CENTRAL],
          c->income_usd[ZONES_LOW], c->income_usd[ZONES_HIGH],
          c->viable[ZONES_CENTRAL] ? "viable" : "NOT viable (below the living income)");
  if (c->observed_workers >= 0)
    printf ("  observed %" G_GINT64_FORMAT " workers at %u sites%s: load %.2f%s\n",
            c->observed_workers, n_sites,
            n_unknown ? " (some sites give no number)" : "", c->load_ratio,
            c->over_capacity ? "  OVER CAPACITY" : "");
  else
    printf ("  no site with a worker number in the zone\n");
  if (sensitivity->len > 0)
    {
      ZonesSensitivity *r = &g_array_index (sensitivity, ZonesSensitivity, 0);
      printf ("  most sensitive: %s (capacity %.0f – %.0f)\n", zones_capacity_param_name (r->param),
              r->at_low, r->at_high);
    }
}

int
cli_capacity (int argc, char **argv)
{
  g_autofree char *params_path = NULL;
  double water_override = NAN, water_distance = 5000;
  gboolean all = FALSE, json = FALSE, save = FALSE;
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Every zone that is not retired", NULL },
    { "params", 0, 0, G_OPTION_ARG_FILENAME, &params_path,
      "Parameter table (CSV: commodity,deposit_type,method,parameter,low,central,high,provenance)",
      "FILE" },
    { "save-params", 0, 0, G_OPTION_ARG_NONE, &save,
      "Keep --params in the project: later runs use it (the change is audited)", NULL },
    { "water-m3-day", 0, 0, G_OPTION_ARG_DOUBLE, &water_override,
      "Water available to each zone, m³ per day (instead of the water layers)", "W" },
    { "water-distance-m", 0, 0, G_OPTION_ARG_DOUBLE, &water_distance,
      "Water sources within this distance count (default 5000)", "M" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (
    "PROJECT.gpkg [ZONE…|--all] — carrying capacity of zones, with its binding constraint");
  g_autoptr(GisProject) project = NULL;
  g_autoptr(ZonesRegister) reg = NULL;
  g_autoptr(ZonesParamTable) table = NULL;
  g_autoptr(GPtrArray) zones = NULL;
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  ZonesValidatorInputs in;
  g_autoptr(ZonesValidator) v = NULL;
  GError *error = NULL;
  guint done = 0;
  gboolean any_over = FALSE;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc < 2 || (argc == 2 && !all))
    return cli_usage (ctx, "give the project and zone ids, or --all");
  if (!isnan (water_override) && !(water_override >= 0))
    return cli_usage (ctx, "--water-m3-day must be a volume ≥ 0");

  project = gis_project_open (argv[1], TRUE, &error);
  reg = project ? zones_register_new (project, &error) : NULL;
  zones = reg ? zones_register_list (reg, &error) : NULL;
  if (zones == NULL)
    return cli_fail (error);
  if (save && params_path == NULL)
    return cli_usage (ctx, "--save-params needs --params FILE");
  if (params_path != NULL)
    {
      g_autofree char *text = NULL;
      if (!g_file_get_contents (params_path, &text, NULL, &error))
        return cli_fail (error);
      table = zones_param_table_new_from_data (text, params_path, &error);
      if (table == NULL)
        return cli_fail (error);
      /* The project keeps the table itself, not a path: it travels with the project. */
      if (save && !gis_project_set_meta (project, "capacity_params", text, &error))
        return cli_fail (error);
    }
  else
    {
      table = zones_param_table_new_for_project (project, &error);
      if (table == NULL)
        return cli_fail (error);
    }
  if (!zones_validator_inputs_from_project (&in, project, &error))
    {
      zones_validator_inputs_clear (&in);
      return cli_fail (error);
    }
  v = zones_validator_new (&in, NULL, &error);
  if (v == NULL)
    {
      zones_validator_inputs_clear (&in);
      return cli_fail (error);
    }

  /* The latest visit of every site, in the project CRS (read by the validator's inputs). */
  sites = g_ptr_array_ref (in.sites);

  for (int i = 2; i < argc; i++)
    {
      gboolean found = FALSE;
      for (guint k = 0; k < zones->len; k++)
        found |= g_strcmp0 (((ZonesZone *) g_ptr_array_index (zones, k))->zone_id, argv[i]) == 0;
      if (!found)
        {
          zones_validator_inputs_clear (&in);
          g_set_error (&error, ZONES_ERROR, ZONES_ERROR_INPUT, "“%s” has no zone “%s”", argv[1],
                       argv[i]);
          return cli_fail (error);
        }
    }

  json_builder_begin_array (b);
  for (guint k = 0; k < zones->len; k++)
    {
      ZonesZone *z = g_ptr_array_index (zones, k);
      gboolean wanted = all && g_strcmp0 (z->status, "retired") != 0;
      ZonesParamSet set;
      ZonesCapacity c;
      g_autoptr(GArray) sensitivity = NULL;
      double workable = 0, water;
      gint64 workers = -1;
      guint n_sites = 0, n_unknown = 0;

      for (int i = 2; i < argc; i++)
        wanted |= g_strcmp0 (z->zone_id, argv[i]) == 0;
      if (!wanted)
        continue;
      if (!zones_param_table_lookup (table, z->mineral, z->deposit_type, "artisanal", &set, &error) ||
          !zones_validator_workable_area (v, z, &workable, &error))
        {
          zones_validator_inputs_clear (&in);
          return cli_fail (error);
        }
      water = !isnan (water_override) ? water_override
                                      : zones_validator_water_m3_day (v, z, water_distance, &error);
      if (error != NULL)
        {
          zones_validator_inputs_clear (&in);
          return cli_fail (error);
        }
      for (guint s = 0; s < sites->len; s++)
        {
          ZonesSite *site = g_ptr_array_index (sites, s);
          if (site->geometry == NULL || !gis_geometry_intersects (z->geometry, site->geometry, NULL))
            continue;
          n_sites++;
          if (site->workers < 0)
            n_unknown++;
          else
            workers = (workers < 0 ? 0 : workers) + site->workers;
        }
      zones_capacity_compute (&set, workable, water, workers, &c);
      sensitivity = zones_capacity_sensitivity (&set, workable, water);
      any_over |= c.over_capacity;
      if (json)
        json_builder_add_value (b, capacity_node (z, &c, sensitivity, &set, n_sites, n_unknown));
      else
        print_capacity (z, &c, sensitivity, n_sites, n_unknown);
      zones_param_set_clear (&set);
      done++;
    }
  json_builder_end_array (b);
  zones_validator_inputs_clear (&in);
  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      if (done == 1)
        cli_print_json (json_array_get_element (json_node_get_array (root), 0));
      else
        cli_print_json (root);
    }
  else
    printf ("Parameters from %s (values marked “assumption” are not sourced).\n",
            zones_param_table_get_source (table));
  return any_over ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}
