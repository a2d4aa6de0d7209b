/* cli-project.c: placer-cli project new | add-layer | info
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cli-project"

#include <stdio.h>
#include <unistd.h>

#include "cli.h"

/* A progress line on a terminal, rewritten in place. */
static void
print_progress (double fraction, gpointer user_data)
{
  fprintf (stderr, "\r%s… %3.0f %%%s", (const char *) user_data, fraction * 100,
           fraction >= 1 ? "\n" : "");
}


static int
project_new (int argc, char **argv)
{
  g_autofree char *crs_text = NULL;
  g_autofree char *country = NULL;
  g_autofree char *as_of = NULL;
  g_autofree char *title = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "crs", 0, 0, G_OPTION_ARG_STRING, &crs_text, "Project CRS (default EPSG:4326)", "CRS" },
    { "country", 0, 0, G_OPTION_ARG_STRING, &country, "Country profile (ISO alpha-3)", "ISO" },
    { "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of, "Date the analyses refer to", "YYYY-MM-DD" },
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, "Project title", "TEXT" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("PROJECT.gpkg — create a new project");
  g_autoptr(GisCrs) crs = NULL;
  g_autoptr(GisProject) project = NULL;
  GError *error = NULL;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return cli_usage (ctx, "give exactly one project file");

  crs = gis_crs_new_from_user_input (crs_text ? crs_text : "EPSG:4326", &error);
  if (crs == NULL)
    return cli_fail (error);
  if (as_of != NULL)
    {
      g_autoptr(GDate) d = g_date_new ();
      g_date_set_parse (d, as_of);
      if (!g_date_valid (d) || strlen (as_of) != 10 || as_of[4] != '-' || as_of[7] != '-')
        return cli_usage (ctx, "--as-of must be a date YYYY-MM-DD");
    }
  if (country != NULL && (strlen (country) != 3 || !g_ascii_isalpha (country[0])))
    return cli_usage (ctx, "--country must be an ISO 3166 alpha-3 code such as COD");

  project = gis_project_create (argv[1], crs, &error);
  if (project == NULL)
    return cli_fail (error);
  if ((country && !gis_project_set_meta (project, "country", country, &error)) ||
      (as_of && !gis_project_set_meta (project, "as_of", as_of, &error)) ||
      (title && !gis_project_set_meta (project, "title", title, &error)))
    return cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, argv[1]);
      json_builder_set_member_name (b, "crs");
      json_builder_add_value (b, cli_crs_node (crs));
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
    }
  else
    {
      g_autofree char *label = gis_crs_dup_label (crs);
      printf ("Created %s (CRS %s)\n", argv[1], label);
    }
  return CLI_EXIT_OK;
}

static void
print_mapping_text (ZonesMapping *m, const char *role)
{
  guint n = 0;
  const ZonesFieldSpec *fields = zones_role_get_fields (role, &n);

  for (guint i = 0; i < n; i++)
    {
      const char *src = zones_mapping_get_field (m, fields[i].name);
      g_autoptr(GPtrArray) unmapped = zones_mapping_list_unmapped (m, fields[i].name);

      printf ("    %-14s ← %s%s\n", fields[i].name, src ? src : "(not mapped)",
              fields[i].required && src == NULL ? "  REQUIRED" : "");
      if (src != NULL && fields[i].vocabulary != NULL)
        {
          g_autoptr(GString) line = g_string_new (NULL);
          g_autoptr(JsonNode) node = zones_mapping_to_node (m);
          JsonObject *values = json_object_get_object_member (json_node_get_object (node),
                                                              "values");
          if (values != NULL && json_object_has_member (values, fields[i].name))
            {
              JsonObject *t = json_object_get_object_member (values, fields[i].name);
              g_autoptr(GList) keys = json_object_get_members (t);
              for (GList *k = keys; k; k = k->next)
                g_string_append_printf (line, "%s“%s” → %s", line->len ? ", " : "",
                                        (char *) k->data,
                                        json_object_get_string_member (t, k->data));
              printf ("      values: %s\n", line->str);
            }
        }
      if (unmapped != NULL)
        for (guint k = 0; k < unmapped->len; k++)
          printf ("      value “%s” not recognised: give --map '%s:%s=VALUE'\n",
                  (char *) g_ptr_array_index (unmapped, k), fields[i].name,
                  (char *) g_ptr_array_index (unmapped, k));
    }
}

static int
project_add_layer (int argc, char **argv)
{
  g_autofree char *role = NULL;
  g_autofree char *name = NULL;
  g_autofree char *source_layer = NULL;
  g_autofree char *crs_text = NULL;
  g_auto(GStrv) maps = NULL;
  gboolean link = FALSE;
  gboolean dry_run = FALSE;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "role", 'r', 0, G_OPTION_ARG_STRING, &role,
      "deposits, concessions, landuse, borders, sites, zones, water or other", "ROLE" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "Name in the project", "NAME" },
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &source_layer, "Layer inside the file", "LAYER" },
    { "map", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &maps,
      "Override the guessed mapping: FIELD=SOURCE_FIELD or FIELD:SOURCE_VALUE=VALUE", "SPEC" },
    { "crs", 0, 0, G_OPTION_ARG_STRING, &crs_text, "CRS for a file that has none", "CRS" },
    { "link", 0, 0, G_OPTION_ARG_NONE, &link, "Reference the file instead of embedding it", NULL },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Show the proposed mapping; change nothing",
      NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new ("PROJECT.gpkg FILE — add a layer with its role and field mapping");
  g_autoptr(GisCrs) crs = NULL;
  g_autoptr(GisProject) project = NULL;
  g_autoptr(ZonesLayerCandidate) candidate = NULL;
  GError *error = NULL;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 3)
    return cli_usage (ctx, "give a project file and a data file");
  if (role == NULL)
    return cli_usage (ctx, "--role is required");
  if (crs_text != NULL)
    {
      crs = gis_crs_new_from_user_input (crs_text, &error);
      if (crs == NULL)
        return cli_fail (error);
    }

  if (!dry_run)
    {
      project = gis_project_open (argv[1], TRUE, &error);
      if (project == NULL)
        return cli_fail (error);
    }
  candidate = zones_layer_inspect (argv[2], source_layer, role, crs, NULL, &error);
  if (candidate == NULL)
    return cli_fail (error);
  for (guint i = 0; maps && maps[i]; i++)
    if (!zones_mapping_apply_override (candidate->mapping, maps[i], candidate->info, &error))
      return cli_fail (error);

  if (!dry_run &&
      (!zones_layer_prepare_display (candidate, isatty (STDERR_FILENO) ? print_progress : NULL,
                                     (gpointer) "Building overviews", NULL, &error) ||
       !zones_layer_add_to_project (project, candidate, name, !link, NULL, &error)))
    return cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, name ? name : candidate->layer->name);
      json_builder_set_member_name (b, "role");
      json_builder_add_string_value (b, role);
      json_builder_set_member_name (b, "added");
      json_builder_add_boolean_value (b, !dry_run);
      json_builder_set_member_name (b, "mapping");
      json_builder_add_value (b, zones_mapping_to_node (candidate->mapping));
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
    }
  else
    {
      printf ("%s layer “%s” (%s, %" G_GINT64_FORMAT " %s) as %s\n",
              dry_run ? "Would add" : "Added", name ? name : candidate->layer->name,
              candidate->layer->kind, candidate->layer->feature_count,
              g_strcmp0 (candidate->layer->kind, "raster") == 0 ? "pixels" : "features", role);
      printf ("  field mapping:\n");
      print_mapping_text (candidate->mapping, role);
    }
  return CLI_EXIT_OK;
}

static JsonNode *
layer_node (GisProjectLayer *l)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(ZonesMapping) m = NULL;

  json_builder_begin_object (b);
#define STR(k, v) do { json_builder_set_member_name (b, k); \
    if (v) json_builder_add_string_value (b, v); else json_builder_add_null_value (b); } while (0)
  STR ("name", l->name);
  STR ("role", l->role);
  STR ("kind", l->kind);
  STR ("source", l->source);
  STR ("source_layer", l->source_layer);
  json_builder_set_member_name (b, "embedded");
  json_builder_add_boolean_value (b, l->table != NULL);
  STR ("table", l->table);
  json_builder_set_member_name (b, "crs");
  json_builder_add_value (b, cli_crs_node (l->crs));
  if (g_strcmp0 (l->kind, "vector") == 0)
    {
      STR ("geometry_type", gis_geometry_type_to_string (l->geometry_type));
      json_builder_set_member_name (b, "feature_count");
    }
  else
    json_builder_set_member_name (b, "pixel_count");
  json_builder_add_int_value (b, l->feature_count);
  json_builder_set_member_name (b, "extent");
  json_builder_add_value (b, cli_extent_node (&l->extent));
  json_builder_set_member_name (b, "synthetic");
  json_builder_add_boolean_value (b, l->synthetic);
  STR ("description", l->description);
  STR ("checksum_sha256", l->checksum);
  STR ("added", l->added);
#undef STR
  json_builder_set_member_name (b, "mapping");
  m = zones_mapping_new_from_json (l->role, l->mapping, NULL);
  if (m != NULL)
    json_builder_add_value (b, zones_mapping_to_node (m));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
project_info (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("PROJECT.gpkg — what a project holds");
  g_autoptr(GisProject) project = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GHashTable) meta = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  GError *error = NULL;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return cli_usage (ctx, "give exactly one project file");

  project = gis_project_open (argv[1], FALSE, &error);
  if (project == NULL)
    return cli_fail (error);
  layers = gis_project_list_layers (project, &error);
  if (layers == NULL)
    return cli_fail (error);
  meta = gis_project_dup_all_meta (project, &error);
  if (meta == NULL)
    return cli_fail (error);
  audit = gis_project_list_audit (project, &error);
  if (audit == NULL)
    return cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (meta), (GCompareFunc) g_strcmp0);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, argv[1]);
      json_builder_set_member_name (b, "crs");
      json_builder_add_value (b, cli_crs_node (gis_project_get_crs (project)));
      json_builder_set_member_name (b, "metadata");
      json_builder_begin_object (b);
      for (GList *k = keys; k; k = k->next)
        {
          json_builder_set_member_name (b, k->data);
          json_builder_add_string_value (b, g_hash_table_lookup (meta, k->data));
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "layers");
      json_builder_begin_array (b);
      for (guint i = 0; i < layers->len; i++)
        json_builder_add_value (b, layer_node (g_ptr_array_index (layers, i)));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "audit_entries");
      json_builder_add_int_value (b, audit->len);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
      return CLI_EXIT_OK;
    }

  {
    g_autofree char *label = gis_crs_dup_label (gis_project_get_crs (project));
    const char *title = g_hash_table_lookup (meta, "title");
    const char *country = g_hash_table_lookup (meta, "country");
    const char *as_of = g_hash_table_lookup (meta, "as_of");

    printf ("Project %s%s%s%s\n", argv[1], title ? " — " : "", title ? title : "", "");
    printf ("  CRS      %s\n", label);
    if (country)
      printf ("  Country  %s\n", country);
    if (as_of)
      printf ("  As of    %s\n", as_of);
    printf ("  Layers   %u\n\n", layers->len);
    for (guint i = 0; i < layers->len; i++)
      {
        GisProjectLayer *l = g_ptr_array_index (layers, i);
        g_autofree char *crs_label = l->crs ? gis_crs_dup_label (l->crs) : g_strdup ("none");
        g_autoptr(ZonesMapping) m = zones_mapping_new_from_json (l->role, l->mapping, NULL);

        printf ("  %-14s %-12s %-7s %9" G_GINT64_FORMAT " %s  %s%s\n", l->name, l->role,
                l->kind, l->feature_count,
                g_strcmp0 (l->kind, "raster") == 0 ? "px " : "ft ", crs_label,
                l->synthetic ? "  [synthetic]" : "");
        if (m != NULL && g_strcmp0 (l->kind, "vector") == 0)
          print_mapping_text (m, l->role);
      }
    printf ("\n  %u audit entries\n", audit->len);
  }
  return CLI_EXIT_OK;
}

int
cli_project (int argc, char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      fprintf (argc < 2 ? stderr : stdout,
               "Usage: placer-cli project new|add-layer|info …\n"
               "  new PROJECT.gpkg [--crs CRS] [--country ISO] [--as-of DATE] [--title T]\n"
               "  add-layer PROJECT.gpkg FILE --role ROLE [--layer L] [--name N] "
               "[--map SPEC]… [--crs CRS] [--link] [--dry-run]\n"
               "  info PROJECT.gpkg [--json]\n");
      return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "new"))
    return project_new (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "add-layer"))
    return project_add_layer (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "info"))
    return project_info (argc - 1, argv + 1);
  fprintf (stderr, "placer-cli project: unknown subcommand “%s”\n", argv[1]);
  return CLI_EXIT_USAGE;
}
