/* cli-common.c: error reporting, JSON output and option parsing for placer-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cli-common"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/**
 * cli_fail:
 * @error: (transfer full): what went wrong
 *
 * Prints the error and returns the exit code its kind calls for. Every error that reaches
 * here comes from bad input: a file, layer, feature or field the message names.
 */
int
cli_fail (GError *error)
{
  int code = CLI_EXIT_BAD_INPUT;

  if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE) ||
      g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION))
    code = CLI_EXIT_USAGE;
  fprintf (stderr, "placer-cli: %s\n", error->message);
  g_error_free (error);
  return code;
}

int
cli_usage (GOptionContext *context, const char *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  fprintf (stderr, "placer-cli: %s\n\n%s", message, help);
  return CLI_EXIT_USAGE;
}

gboolean
cli_parse (GOptionContext *context, int *argc, char ***argv, int *exit_code)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_code = cli_usage (context, error->message);
      return FALSE;
    }
  return TRUE;
}

void
cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

/* A number, or null where it is not finite (JSON has no NaN or infinity). */
void
cli_json_add_number (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

JsonNode *
cli_crs_node (GisCrs *crs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (crs == NULL)
    return json_node_new (JSON_NODE_NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "epsg");
  if (gis_crs_get_epsg (crs) > 0)
    json_builder_add_int_value (b, gis_crs_get_epsg (crs));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, gis_crs_get_name (crs));
  json_builder_set_member_name (b, "geographic");
  json_builder_add_boolean_value (b, gis_crs_is_geographic (crs));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
cli_extent_node (const GisEnvelope *e)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (gis_envelope_is_empty (e))
    return json_node_new (JSON_NODE_NULL);
  json_builder_begin_array (b);
  json_builder_add_double_value (b, e->min_x);
  json_builder_add_double_value (b, e->min_y);
  json_builder_add_double_value (b, e->max_x);
  json_builder_add_double_value (b, e->max_y);
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

/**
 * cli_cluster_options_add:
 *
 * Adds --eps-m, --min-sites, --min-workers, --mineral and --concave, with the defaults of
 * zones_cluster_params_init().
 */
void
cli_cluster_options_add (GOptionContext *context, CliClusterOptions *o)
{
  ZonesClusterParams defaults;
  GOptionEntry entries[] = {
    { "eps-m", 0, 0, G_OPTION_ARG_DOUBLE, &o->eps_m, "Neighbourhood distance, metres on the ground (default 5000)", "M" },
    { "min-sites", 0, 0, G_OPTION_ARG_INT, &o->min_sites, "Sites needed around a core site (default 3)", "N" },
    { "min-workers", 0, 0, G_OPTION_ARG_INT64, &o->min_workers, "Keep clusters with at least this many workers", "N" },
    { "mineral", 0, 0, G_OPTION_ARG_STRING, &o->mineral, "Only sites working this mineral", "MINERAL" },
    { "concave", 0, 0, G_OPTION_ARG_NONE, &o->concave, "Concave hulls instead of convex ones", NULL },
    { NULL }
  };

  zones_cluster_params_init (&defaults);
  memset (o, 0, sizeof *o);
  o->eps_m = defaults.eps_m;
  o->min_sites = (int) defaults.min_sites;
  o->min_workers = defaults.min_workers;
  /* The entries are copied; their targets in @o must outlive the parse. */
  g_option_context_add_main_entries (context, entries, NULL);
}

/**
 * cli_cluster_options_apply:
 *
 * Checks the parsed options and copies them into @params (which keeps its other members).
 *
 * Returns: (nullable): what is wrong with them, for cli_usage()
 */
const char *
cli_cluster_options_apply (CliClusterOptions *o, ZonesClusterParams *params)
{
  if (!(o->eps_m > 0) || o->min_sites < 1)
    return "--eps-m and --min-sites must be positive";
  if (o->mineral != NULL &&
      !g_strv_contains (zones_role_find_field ("deposits", "mineral")->vocabulary, o->mineral))
    return "--mineral is not a mineral Placer knows";
  params->eps_m = o->eps_m;
  params->min_sites = (guint) o->min_sites;
  params->min_workers = o->min_workers;
  params->mineral = o->mineral;
  params->concave = o->concave;
  return NULL;
}

void
cli_cluster_options_clear (CliClusterOptions *o)
{
  g_clear_pointer (&o->mineral, g_free);
}

/**
 * cli_read_shape:
 * @wkt: (nullable): the polygon as WKT, in @wkt_crs or the project CRS
 * @file: (nullable): or a vector file holding it
 * @layer: (nullable): the file's layer (the first when %NULL)
 * @fid: the feature (the first when negative)
 *
 * Reads one polygon given on the command line, in the project CRS.
 *
 * Returns: (transfer full): its polygons, a MultiPolygon
 */
GisGeometry *
cli_read_shape (GisProject *project, const char *wkt, const char *wkt_crs, const char *file,
                const char *layer, gint64 fid, GError **error)
{
  g_autoptr(GisGeometry) g = NULL;
  g_autoptr(GisCrs) crs = NULL;
  g_autoptr(GisTransform) t = NULL;

  if (wkt != NULL)
    {
      g = gis_geometry_new_from_wkt (wkt, error);
      if (g == NULL)
        return NULL;
      crs = wkt_crs ? gis_crs_new_from_user_input (wkt_crs, error)
                    : gis_crs_ref (gis_project_get_crs (project));
    }
  else
    {
      g_autoptr(GisDataset) ds = gis_dataset_open (file, GIS_OPEN_VECTOR, error);
      g_autoptr(GisLayerInfo) info = ds ? gis_dataset_describe_layer (ds, layer, error) : NULL;
      g_autoptr(GPtrArray) features = NULL;

      if (info == NULL)
        return NULL;
      if (info->crs == NULL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, "“%s” has no CRS", file);
          return NULL;
        }
      crs = gis_crs_ref (info->crs);
      features = gis_dataset_read_features (ds, info->name, NULL, NULL, error);
      if (features == NULL)
        return NULL;
      for (guint i = 0; i < features->len; i++)
        {
          GisFeature *f = g_ptr_array_index (features, i);
          if ((fid < 0 && i == 0) || f->fid == fid)
            g = f->geometry ? gis_geometry_ref (f->geometry) : NULL;
        }
      if (g == NULL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, "“%s”, layer “%s”: no feature %"
                       G_GINT64_FORMAT " with a shape", file, info->name, fid);
          return NULL;
        }
    }
  if (crs == NULL)
    return NULL;
  t = gis_transform_new (crs, gis_project_get_crs (project), error);
  if (t == NULL)
    return NULL;
  {
    g_autoptr(GisGeometry) projected = gis_transform_geometry (t, g, error);
    return projected ? gis_geometry_polygonal_part (projected, error) : NULL;
  }
}
