/* cli-sites.c: placer-cli sites import | list — ASM site visits, latest visit per site
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cli-sites"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *
format_label (ZonesSitesFormat format)
{
  switch (format)
    {
    case ZONES_SITES_FORMAT_IPIS:
      return "IPIS open data";
    case ZONES_SITES_FORMAT_ICGLR:
      return "ICGLR MD-01";
    case ZONES_SITES_FORMAT_MAPPED:
    default:
      return "field mapping";
    }
}

static void
date_text (const GDate *d, char *buf, gsize size)
{
  if (d != NULL && g_date_valid (d))
    g_snprintf (buf, size, "%04d-%02d-%02d", g_date_get_year (d), g_date_get_month (d),
                g_date_get_day (d));
  else
    g_strlcpy (buf, "?", size);
}

static void
print_problem (const char *prefix, const ZonesSiteProblem *p)
{
  g_autofree char *where = p->line > 0
                           ? g_strdup_printf ("line %u", p->line)
                           : g_strdup_printf ("feature %" G_GINT64_FORMAT, p->fid);

  printf ("%s%s%s%s: %s\n", prefix, where, p->column ? ", column " : "",
          p->column ? p->column : "", p->reason);
}

static void
print_summary_text (ZonesSiteVisits *visits)
{
  ZonesSitesSummary s;
  char first[16], last[16];
  g_autoptr(GList) columns = NULL;

  zones_site_visits_summarise (visits, &s);
  date_text (&s.first_visit, first, sizeof first);
  date_text (&s.last_visit, last, sizeof last);
  printf ("  visits                    %u (%s … %s)\n", s.n_visits, first, last);
  if (s.n_undated > 0)
    printf ("  visits without a date     %u\n", s.n_undated);
  printf ("  distinct sites            %u\n", s.n_sites);
  printf ("  visits lacking workers    %u (unknown, not counted as zero)\n",
          s.n_without_workers);
  printf ("  workers at latest visits  %" G_GINT64_FORMAT " at %u sites; no number at %u "
          "sites\n", s.workers_total, s.n_sites - s.n_sites_without_workers,
          s.n_sites_without_workers);
  printf ("  malformed rows            %u%s\n", s.n_malformed_rows,
          s.n_malformed_rows ? " (left out; the other rows were imported)" : "");
  for (guint i = 0; i < visits->problems->len; i++)
    print_problem ("    ", g_ptr_array_index (visits->problems, i));
  columns = g_list_sort (g_hash_table_get_keys (visits->unrecognised), (GCompareFunc) strcmp);
  for (GList *l = columns; l; l = l->next)
    {
      GHashTable *values = g_hash_table_lookup (visits->unrecognised, l->data);
      g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (values), (GCompareFunc) strcmp);
      for (GList *k = keys; k; k = k->next)
        printf ("  read as unknown: %s “%s” (%u rows)\n", (char *) l->data, (char *) k->data,
                GPOINTER_TO_UINT (g_hash_table_lookup (values, k->data)));
    }
}

static int
sites_import (int argc, char **argv)
{
  g_autofree char *crs_text = NULL;
  g_autofree char *name = NULL;
  g_auto(GStrv) maps = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "crs", 0, 0, G_OPTION_ARG_STRING, &crs_text,
      "CRS of the coordinates (default EPSG:4326 for IPIS and ICGLR CSVs with "
      "longitude/latitude columns)", "CRS" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "Layer name in the project", "NAME" },
    { "map", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &maps,
      "Override the guessed mapping: FIELD=SOURCE_FIELD or FIELD:SOURCE_VALUE=VALUE", "SPEC" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (
    "PROJECT.gpkg FILE — add ASM site visits (IPIS, ICGLR MD-01 or any mapped layer)");
  g_autoptr(GisCrs) crs = NULL;
  g_autoptr(GisProject) project = NULL;
  g_autoptr(ZonesLayerCandidate) candidate = NULL;
  g_autoptr(ZonesSiteVisits) visits = NULL;
  g_autofree char *lower = NULL;
  const char *path;
  ZonesSitesFormat format = ZONES_SITES_FORMAT_MAPPED;
  GError *error = NULL;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 3)
    return cli_usage (ctx, "give a project file and a sites file");
  path = argv[2];
  if (crs_text != NULL)
    {
      crs = gis_crs_new_from_user_input (crs_text, &error);
      if (crs == NULL)
        return cli_fail (error);
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return cli_fail (g_error_new (ZONES_ERROR, ZONES_ERROR_INPUT, "“%s” %s", path,
                                  g_file_test (path, G_FILE_TEST_EXISTS)
                                  ? "is not a regular file" : "does not exist"));

  /* A CSV has no CRS; only the published formats with longitude/latitude columns are
   * known to be in WGS 84. */
  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".csv"))
    {
      gboolean lonlat = FALSE;

      format = zones_sites_sniff_csv (path, &lonlat, &error);
      if (error != NULL)
        return cli_fail (error);
      if (crs == NULL && format != ZONES_SITES_FORMAT_MAPPED && lonlat)
        {
          crs = gis_crs_new_from_epsg (4326, &error);
          if (crs == NULL)
            return cli_fail (error);
        }
    }

  project = gis_project_open (argv[1], TRUE, &error);
  if (project == NULL)
    return cli_fail (error);
  candidate = zones_layer_inspect (path, NULL, "sites", crs, NULL, &error);
  if (candidate == NULL)
    return cli_fail (error);
  if (candidate->info == NULL)
    return cli_fail (g_error_new (ZONES_ERROR, ZONES_ERROR_INPUT,
                                  "“%s” is a raster; sites are points", path));
  for (guint i = 0; maps && maps[i]; i++)
    if (!zones_mapping_apply_override (candidate->mapping, maps[i], candidate->info, &error))
      return cli_fail (error);
  /* The same check the project makes when the layer is added, made before reading. */
  if (!zones_mapping_check (candidate->mapping, candidate->info, &error))
    return cli_fail (error);

  /* Read before registering, so that a file that cannot be read leaves the project as it
   * was. */
  if (g_str_has_suffix (lower, ".csv"))
    visits = zones_site_visits_read_csv (path, candidate->mapping, candidate->layer->crs, NULL,
                                         NULL, &error);
  else
    {
      ZonesInput input = { 0 };

      input.label = (char *) path;
      input.path = (char *) path;
      input.layer = candidate->layer->source_layer;
      input.role = (char *) "sites";
      input.crs = candidate->layer->crs;
      input.mapping = candidate->mapping;
      visits = zones_site_visits_read_input (&input, NULL, NULL, &error);
    }
  if (visits == NULL)
    return cli_fail (error);

  if (!zones_layer_add_to_project (project, candidate, name, TRUE, NULL, &error))
    return cli_fail (error);

  if (json)
    {
      g_autoptr(JsonNode) root = zones_site_visits_summary_to_node (visits);
      JsonObject *o = json_node_get_object (root);

      json_object_set_string_member (o, "project", argv[1]);
      json_object_set_string_member (o, "layer", candidate->layer->name);
      json_object_set_member (o, "crs", cli_crs_node (visits->crs));
      cli_print_json (root);
    }
  else
    {
      g_autofree char *label = gis_crs_dup_label (visits->crs);
      printf ("Added layer “%s” to %s as sites (%s, %s)\n", candidate->layer->name, argv[1],
              format_label (visits->format), label);
      print_summary_text (visits);
    }
  return visits->n_malformed_rows > 0 ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

static void
print_sites_text (GPtrArray *sites, const GDate *as_of, gboolean withhold)
{
  char as_of_text[16];

  date_text (as_of, as_of_text, sizeof as_of_text);
  printf ("%u sites, latest visit per site; certification as of %s%s\n\n", sites->len,
          as_of_text, withhold ? "; sensitive fields withheld" : "");
  printf ("  %-14s %-10s %6s %8s %-10s %-20s %-24s %s\n", "site", "visited", "visits",
          "workers", "country", "minerals", "certification", withhold ? "name" : "armed  name");
  for (guint i = 0; i < sites->len; i++)
    {
      const ZonesSite *s = g_ptr_array_index (sites, i);
      char visited[16], cert_date[16];
      g_autofree char *minerals = s->minerals[0] ? g_strjoinv (",", s->minerals)
                                                 : g_strdup ("?");
      g_autofree char *workers = s->workers >= 0
                                 ? g_strdup_printf ("%" G_GINT64_FORMAT, s->workers)
                                 : g_strdup ("?");
      g_autofree char *cert = NULL;
      /* Display only: a name quoted over several lines must not break the table. */
      g_autofree char *name = g_strdelimit (g_strdup (s->name ? s->name : ""), "\r\n\t", ' ');
      const char *aged = zones_site_get_certification_on (s, as_of);

      date_text (&s->visit_date, visited, sizeof visited);
      date_text (&s->certification_date, cert_date, sizeof cert_date);
      if (s->certification == NULL)
        cert = g_strdup ("-");
      else if (g_strcmp0 (aged, s->certification) == 0)
        cert = g_strdup_printf ("%s (%s)", aged, cert_date);
      else
        cert = g_strdup_printf ("%s→%s (%s)", s->certification, aged, cert_date);
      printf ("  %-14s %-10s %6u %8s %-10s %-20s %-24s ", s->site_id, visited, s->visits,
              workers, s->country ? s->country : "", minerals, cert);
      if (!withhold)
        printf ("%-6s ", s->armed_presence == ZONES_SITE_YES ? "yes"
                         : s->armed_presence == ZONES_SITE_NO ? "no" : "?");
      printf ("%s\n", name);
    }
}

static int
sites_list (int argc, char **argv)
{
  g_autofree char *as_of_text = NULL;
  gboolean json = FALSE;
  gboolean withhold = FALSE;
  GOptionEntry entries[] = {
    { "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of_text,
      "Date to age certification to and leave later visits out (default: the project's "
      "as-of date, else today)", "YYYY-MM-DD" },
    { "withhold-sensitive", 0, 0, G_OPTION_ARG_NONE, &withhold,
      "Leave out armed presence, armed groups and taxation by armed groups", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (
    "PROJECT.gpkg — the latest visit of each ASM site, with its certification as of a date");
  g_autoptr(GisProject) project = NULL;
  g_autoptr(GPtrArray) inputs = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_site_free);
  g_autoptr(GPtrArray) reads = g_ptr_array_new_with_free_func (
    (GDestroyNotify) zones_site_visits_free);
  g_autoptr(GPtrArray) sites = NULL;
  GDate as_of;
  guint n_problems = 0;
  GError *error = NULL;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return cli_usage (ctx, "give exactly one project file");
  if (as_of_text != NULL &&
      (strlen (as_of_text) != 10 || !zones_parse_date (as_of_text, &as_of)))
    return cli_usage (ctx, "--as-of must be a date YYYY-MM-DD");

  project = gis_project_open (argv[1], FALSE, &error);
  if (project == NULL)
    return cli_fail (error);
  if (as_of_text == NULL)
    {
      g_autofree char *meta = gis_project_dup_meta (project, "as_of");

      if (meta == NULL || !zones_parse_date (meta, &as_of))
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_local ();
          g_date_set_dmy (&as_of, g_date_time_get_day_of_month (now),
                          g_date_time_get_month (now), g_date_time_get_year (now));
        }
    }

  inputs = zones_inputs_from_project (project, "sites", &error);
  if (inputs == NULL)
    return cli_fail (error);
  if (inputs->len == 0)
    return cli_fail (g_error_new (ZONES_ERROR, ZONES_ERROR_INPUT,
                                  "“%s” has no layer of role sites; add one with "
                                  "placer-cli sites import", argv[1]));
  for (guint i = 0; i < inputs->len; i++)
    {
      ZonesSiteVisits *v = zones_site_visits_read_input (g_ptr_array_index (inputs, i),
                                                         gis_project_get_crs (project), NULL,
                                                         &error);
      if (v == NULL)
        return cli_fail (error);
      g_ptr_array_extend_and_steal (all, g_steal_pointer (&v->visits));
      n_problems += v->problems->len;
      g_ptr_array_add (reads, v);
    }
  sites = zones_sites_latest (all, &as_of);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      char date[16];

      date_text (&as_of, date, sizeof date);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "project");
      json_builder_add_string_value (b, argv[1]);
      json_builder_set_member_name (b, "as_of");
      json_builder_add_string_value (b, date);
      json_builder_set_member_name (b, "crs");
      json_builder_add_value (b, cli_crs_node (gis_project_get_crs (project)));
      json_builder_set_member_name (b, "withheld");
      json_builder_begin_array (b);
      if (withhold)
        {
          json_builder_add_string_value (b, "armed_presence");
          json_builder_add_string_value (b, "armed_groups");
          json_builder_add_string_value (b, "armed_taxation");
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, sites->len);
      json_builder_set_member_name (b, "sites");
      json_builder_begin_array (b);
      for (guint i = 0; i < sites->len; i++)
        json_builder_add_value (b, zones_site_to_node (g_ptr_array_index (sites, i), &as_of,
                                                       withhold));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "malformed");
      json_builder_begin_array (b);
      for (guint i = 0; i < reads->len; i++)
        {
          ZonesSiteVisits *v = g_ptr_array_index (reads, i);
          for (guint k = 0; k < v->problems->len; k++)
            {
              JsonNode *n = zones_site_problem_to_node (g_ptr_array_index (v->problems, k));
              json_object_set_string_member (json_node_get_object (n), "layer", v->source);
              json_builder_add_value (b, n);
            }
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
    }
  else
    {
      print_sites_text (sites, &as_of, withhold);
      for (guint i = 0; i < reads->len; i++)
        {
          ZonesSiteVisits *v = g_ptr_array_index (reads, i);
          g_autofree char *prefix = g_strdup_printf ("  malformed: %s, ", v->source);
          for (guint k = 0; k < v->problems->len; k++)
            print_problem (prefix, g_ptr_array_index (v->problems, k));
        }
    }
  return n_problems > 0 ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

int
cli_sites (int argc, char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      fprintf (argc < 2 ? stderr : stdout,
               "Usage: placer-cli sites import|list …\n"
               "  import PROJECT.gpkg FILE [--crs EPSG:4326] [--name NAME] [--map SPEC]… "
               "[--json]\n"
               "  list PROJECT.gpkg [--as-of DATE] [--json] [--withhold-sensitive]\n");
      return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "import"))
    return sites_import (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "list"))
    return sites_list (argc - 1, argv + 1);
  fprintf (stderr, "placer-cli sites: unknown subcommand “%s”\n", argv[1]);
  return CLI_EXIT_USAGE;
}
