/* cli-common.c: error reporting, JSON output and option parsing for placer-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cli-common"

#include <stdio.h>

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
