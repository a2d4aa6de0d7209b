/* cli-compare.c: placer-cli compare — one shared area as each country sees it, and the
 * countries' rule packs side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cli-compare"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Reads --area: cluster:ID[:BUFFER_KM], strip:KM, wkt:WKT or file:PATH. The polygon of wkt:
 * and file: is left to the caller. Returns what is wrong, or NULL. */
static const char *
parse_area (const char *spec, ZonesCompareParams *p, const char **wkt, const char **file)
{
  const char *colon = strchr (spec, ':');
  g_autofree char *kind = colon ? g_strndup (spec, colon - spec) : g_strdup (spec);
  const char *rest = colon ? colon + 1 : "";
  char *end = NULL;

  *wkt = *file = NULL;
  if (g_str_equal (kind, "cluster"))
    {
      guint64 id = 0;
      g_auto(GStrv) parts = g_strsplit (rest, ":", 3);

      p->kind = ZONES_COMPARE_CLUSTER;
      if (parts[0] == NULL || !g_ascii_string_to_unsigned (parts[0], 10, 1, G_MAXUINT, &id, NULL) ||
          (parts[1] != NULL && parts[2] != NULL))
        return "--area cluster:ID[:BUFFER_KM] takes a cluster number from 1";
      p->cluster_id = (guint) id;
      if (parts[1] != NULL)
        {
          p->buffer_km = g_ascii_strtod (parts[1], &end);
          if (end == parts[1] || *end != '\0' || !(p->buffer_km >= 0) || !isfinite (p->buffer_km))
            return "--area cluster:ID:BUFFER_KM takes a buffer of 0 km or more";
        }
      return NULL;
    }
  if (g_str_equal (kind, "strip"))
    {
      p->kind = ZONES_COMPARE_STRIP;
      p->strip_km = g_ascii_strtod (rest, &end);
      if (end == rest || *end != '\0' || !(p->strip_km > 0) || !isfinite (p->strip_km))
        return "--area strip:KM takes a width above 0 km";
      return NULL;
    }
  if (g_str_equal (kind, "wkt") || g_str_equal (kind, "file"))
    {
      p->kind = ZONES_COMPARE_POLYGON;
      if (*rest == '\0')
        return "--area wkt:WKT and file:PATH need the polygon";
      if (g_str_equal (kind, "wkt"))
        *wkt = rest;
      else
        *file = rest;
      return NULL;
    }
  return "--area is cluster:ID[:BUFFER_KM], strip:KM, wkt:WKT or file:PATH";
}

/* --countries: distinct ISO 3166-1 alpha-3 codes separated by commas, in capitals. */
static char **
parse_countries (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *code = g_ascii_strup (g_strstrip (parts[i]), -1);
      if (strlen (code) != 3 || !g_ascii_isalpha (code[0]) || !g_ascii_isalpha (code[1]) ||
          !g_ascii_isalpha (code[2]))
        {
          g_free (code);
          return NULL;
        }
      if (g_ptr_array_find_with_equal_func (out, code, g_str_equal, NULL))
        {
          g_free (code);
          return NULL;
        }
      g_ptr_array_add (out, code);
    }
  if (out->len == 0)
    return NULL;
  g_ptr_array_add (out, NULL);
  g_ptr_array_set_free_func (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

static void
add_count (JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

/* Sites, their workers and those without a number, as members of the open object. */
static void
add_site_counts (JsonBuilder *b, const char *sites, guint n, gint64 workers, guint unknown)
{
  add_count (b, sites, n);
  add_count (b, "workers", workers);
  add_count (b, "without_workers", unknown);
}

static JsonNode *
country_node (ZonesCompareCountry *c)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GList) minerals = g_list_sort (g_hash_table_get_keys (c->unallocated_by_mineral),
                                           (GCompareFunc) g_strcmp0);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "iso3");
  json_builder_add_string_value (b, c->iso);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, c->name);
  cli_json_add_number (b, "area_ha", c->area_ha);

  json_builder_set_member_name (b, "titles");
  json_builder_begin_object (b);
  add_count (b, "count", c->titles);
  cli_json_add_number (b, "ha", c->titles_ha);
  cli_json_add_number (b, "pct", c->titles_pct);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "applications");
  json_builder_begin_object (b);
  add_count (b, "count", c->applications);
  cli_json_add_number (b, "ha", c->applications_ha);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "zones");
  json_builder_begin_object (b);
  add_count (b, "count", c->zones);
  add_count (b, "partly_outside", c->zones_partial);
  cli_json_add_number (b, "ha", c->zones_ha);
  json_builder_set_member_name (b, "capacity");
  json_builder_begin_object (b);
  for (int s = 0; s < ZONES_N_SCENARIOS; s++)
    cli_json_add_number (b, zones_scenario_name (s), c->capacity[s]);
  json_builder_end_object (b);
  add_count (b, "without_capacity", c->zones_without_capacity);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "sites");
  json_builder_begin_object (b);
  add_site_counts (b, "count", c->sites, c->workers, c->sites_without_workers);
  json_builder_set_member_name (b, "by_mineral");
  json_builder_begin_object (b);
  for (guint i = 0; i < c->by_mineral->len; i++)
    {
      ZonesCompareMineral *m = g_ptr_array_index (c->by_mineral, i);
      json_builder_set_member_name (b, m->mineral);
      json_builder_begin_object (b);
      add_site_counts (b, "sites", m->sites, m->workers, m->sites_without_workers);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  cli_json_add_number (b, "unallocated_ha", c->unallocated_ha);
  json_builder_set_member_name (b, "unallocated_by_mineral");
  json_builder_begin_object (b);
  for (GList *l = minerals; l != NULL; l = l->next)
    cli_json_add_number (b, l->data, *(double *) g_hash_table_lookup (c->unallocated_by_mineral, l->data));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "rule_pack");
  if (c->rulepack != NULL)
    json_builder_add_string_value (b, c->rulepack);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
term_node (ZonesCompareTerm *t, GPtrArray *countries)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *members[] = { "values", "states", "verified" };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "term");
  json_builder_add_string_value (b, t->term);
  json_builder_set_member_name (b, "label");
  json_builder_add_string_value (b, t->label);
  for (guint k = 0; k < G_N_ELEMENTS (members); k++)
    {
      json_builder_set_member_name (b, members[k]);
      json_builder_begin_object (b);
      for (guint i = 0; i < countries->len; i++)
        {
          json_builder_set_member_name (b, ((ZonesCompareCountry *) g_ptr_array_index (countries, i))->iso);
          if (k == 1)
            json_builder_add_string_value (b, zones_term_state_to_string (t->states[i]));
          else if (k == 2)
            json_builder_add_boolean_value (b, t->verified[i]);
          else if (t->values[i] == NULL)
            json_builder_add_null_value (b);
          else if (t->numeric)
            json_builder_add_double_value (b, g_ascii_strtod (t->values[i], NULL));
          else
            json_builder_add_string_value (b, t->values[i]);
        }
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "differs");
  json_builder_add_boolean_value (b, t->differs);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_json (ZonesCompareResult *r, const char *kind, const char *out)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char date[16];

  g_date_strftime (date, sizeof date, "%Y-%m-%d", &r->as_of);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "area");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind);
  json_builder_set_member_name (b, "label");
  json_builder_add_string_value (b, r->label);
  cli_json_add_number (b, "ha", r->area_ha);
  add_count (b, "sites_elsewhere", r->sites_elsewhere);
  json_builder_set_member_name (b, "crs");
  json_builder_add_value (b, cli_crs_node (r->crs));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "as_of");
  json_builder_add_string_value (b, date);
  json_builder_set_member_name (b, "countries");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->countries->len; i++)
    json_builder_add_value (b, country_node (g_ptr_array_index (r->countries, i)));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "terms");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->terms->len; i++)
    json_builder_add_value (b, term_node (g_ptr_array_index (r->terms, i), r->countries));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "capacity_parameters");
  json_builder_add_string_value (b, r->capacity_source);
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->warnings->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (r->warnings, i));
  json_builder_end_array (b);
  if (out != NULL)
    {
      json_builder_set_member_name (b, "out");
      json_builder_add_string_value (b, out);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  cli_print_json (root);
}

/* One line of the table: a label, then one cell per country. */
typedef char *(*CellFunc) (ZonesCompareCountry *c, gconstpointer data);

static void
print_row (GPtrArray *countries, const char *label, CellFunc cell, gconstpointer data)
{
  printf ("  %-34s", label);
  for (guint i = 0; i < countries->len; i++)
    {
      g_autofree char *text = cell (g_ptr_array_index (countries, i), data);
      printf (" %18s", text);
    }
  printf ("\n");
}

static char *
ha_or_dash (double ha)
{
  return isfinite (ha) ? g_strdup_printf ("%.2f", ha) : g_strdup ("—");
}

#define CELL(name, expr) \
  static char *name (ZonesCompareCountry *c, gconstpointer data) { return expr; }

CELL (cell_area, g_strdup_printf ("%.2f", c->area_ha))
CELL (cell_titles, g_strdup_printf ("%u", c->titles))
CELL (cell_titles_ha, g_strdup_printf ("%.2f", c->titles_ha))
CELL (cell_titles_pct, g_strdup_printf ("%.2f %%", c->titles_pct))
CELL (cell_apps, g_strdup_printf ("%u", c->applications))
CELL (cell_apps_ha, g_strdup_printf ("%.2f", c->applications_ha))
CELL (cell_zones, g_strdup_printf ("%u", c->zones))
CELL (cell_zones_partial, g_strdup_printf ("%u", c->zones_partial))
CELL (cell_zones_ha, g_strdup_printf ("%.2f", c->zones_ha))
CELL (cell_capacity, c->zones > c->zones_without_capacity
      ? g_strdup_printf ("%.0f–%.0f–%.0f", c->capacity[ZONES_LOW], c->capacity[ZONES_CENTRAL],
                         c->capacity[ZONES_HIGH])
      : g_strdup ("—"))
CELL (cell_no_capacity, g_strdup_printf ("%u", c->zones_without_capacity))
CELL (cell_sites, g_strdup_printf ("%u", c->sites))
CELL (cell_workers, g_strdup_printf ("%" G_GINT64_FORMAT, c->workers))
CELL (cell_no_workers, g_strdup_printf ("%u", c->sites_without_workers))
CELL (cell_unallocated, ha_or_dash (c->unallocated_ha))
CELL (cell_pack, g_strdup (c->rulepack ? "yes" : "none"))

static char *
cell_mineral (ZonesCompareCountry *c, gconstpointer data)
{
  for (guint i = 0; i < c->by_mineral->len; i++)
    {
      ZonesCompareMineral *m = g_ptr_array_index (c->by_mineral, i);
      if (g_str_equal (m->mineral, data))
        return g_strdup_printf ("%u / %" G_GINT64_FORMAT, m->sites, m->workers);
    }
  return g_strdup ("0 / 0");
}

static char *
cell_unallocated_mineral (ZonesCompareCountry *c, gconstpointer data)
{
  double *ha = g_hash_table_lookup (c->unallocated_by_mineral, data);
  return isnan (c->unallocated_ha) ? g_strdup ("—") : g_strdup_printf ("%.2f", ha ? *ha : 0.0);
}

static int
compare_text (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* Every mineral named in any country's rows, sorted. */
static GPtrArray *
all_minerals (GPtrArray *countries, gboolean unallocated)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < countries->len; i++)
    {
      ZonesCompareCountry *c = g_ptr_array_index (countries, i);
      g_autoptr(GList) keys = g_hash_table_get_keys (c->unallocated_by_mineral);
      if (!unallocated)
        for (guint k = 0; k < c->by_mineral->len; k++)
          g_hash_table_add (seen, ((ZonesCompareMineral *) g_ptr_array_index (c->by_mineral, k))->mineral);
      for (GList *l = unallocated ? keys : NULL; l != NULL; l = l->next)
        g_hash_table_add (seen, l->data);
    }
  {
    GHashTableIter iter;
    gpointer key;
    g_hash_table_iter_init (&iter, seen);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_ptr_array_add (out, key);
  }
  g_ptr_array_sort (out, compare_text);
  return out;
}

static void
print_text (ZonesCompareResult *r, const char *out)
{
  g_autoptr(GPtrArray) minerals = NULL;
  g_autoptr(GPtrArray) land = NULL;
  char date[16];

  g_date_strftime (date, sizeof date, "%Y-%m-%d", &r->as_of);
  printf ("Shared area: %s, %.2f ha, as of %s\n", r->label, r->area_ha, date);
  printf ("(geodesic areas; titles in force on that date; sites by their latest visit)\n\n");
  printf ("  %-34s", "");
  for (guint i = 0; i < r->countries->len; i++)
    printf (" %18s", ((ZonesCompareCountry *) g_ptr_array_index (r->countries, i))->iso);
  printf ("\n");
  print_row (r->countries, "Part of the area (ha)", cell_area, NULL);
  print_row (r->countries, "Titles in force", cell_titles, NULL);
  print_row (r->countries, "  land they hold (ha)", cell_titles_ha, NULL);
  print_row (r->countries, "  share of the part", cell_titles_pct, NULL);
  print_row (r->countries, "Pending applications", cell_apps, NULL);
  print_row (r->countries, "  land they hold (ha)", cell_apps_ha, NULL);
  print_row (r->countries, "ASM zones", cell_zones, NULL);
  print_row (r->countries, "  only partly in the part", cell_zones_partial, NULL);
  print_row (r->countries, "  their land in the area (ha)", cell_zones_ha, NULL);
  print_row (r->countries, "  capacity, miners (low–centr.–high)", cell_capacity, NULL);
  print_row (r->countries, "  without a capacity", cell_no_capacity, NULL);
  print_row (r->countries, "ASM sites", cell_sites, NULL);
  print_row (r->countries, "  workers", cell_workers, NULL);
  print_row (r->countries, "  sites without a worker number", cell_no_workers, NULL);
  minerals = all_minerals (r->countries, FALSE);
  for (guint i = 0; i < minerals->len; i++)
    {
      g_autofree char *label = g_strdup_printf ("  %s (sites / workers)", (char *) g_ptr_array_index (minerals, i));
      print_row (r->countries, label, cell_mineral, g_ptr_array_index (minerals, i));
    }
  print_row (r->countries, "Unallocated deposit land (ha)", cell_unallocated, NULL);
  land = all_minerals (r->countries, TRUE);
  for (guint i = 0; i < land->len; i++)
    {
      g_autofree char *label = g_strdup_printf ("  %s (ha)", (char *) g_ptr_array_index (land, i));
      print_row (r->countries, label, cell_unallocated_mineral, g_ptr_array_index (land, i));
    }
  print_row (r->countries, "Rule pack", cell_pack, NULL);
  if (r->sites_elsewhere > 0)
    printf ("  %u sites in the area lie in none of these countries (a lake, a third country)\n",
            r->sites_elsewhere);

  printf ("\nHarmonisation table (≠ the countries differ; ? not verified against its source)\n");
  for (guint t = 0; t < r->terms->len; t++)
    {
      ZonesCompareTerm *term = g_ptr_array_index (r->terms, t);
      printf ("%s %s\n", term->differs ? "≠" : " ", term->label);
      for (guint i = 0; i < r->countries->len; i++)
        {
          const char *iso = ((ZonesCompareCountry *) g_ptr_array_index (r->countries, i))->iso;
          if (term->states[i] == ZONES_TERM_SET)
            printf ("    %s  %s%s\n", iso, term->values[i], term->verified[i] ? "" : " ?");
          else
            printf ("    %s  (%s)\n", iso, zones_term_state_to_string (term->states[i]));
        }
    }
  for (guint i = 0; i < r->countries->len; i++)
    {
      ZonesCompareCountry *c = g_ptr_array_index (r->countries, i);
      if (c->rulepack != NULL)
        printf ("  %s rule pack: %s\n", c->iso, c->rulepack);
      else
        printf ("  %s has no rule pack: its terms are not in Placer (see docs/rule-packs.md)\n",
                c->iso);
    }
  printf ("\nCapacity parameters from %s.\n", r->capacity_source);
  {
    g_autoptr(GPtrArray) sorted = g_ptr_array_copy (r->warnings, NULL, NULL);
    g_ptr_array_sort (sorted, compare_text);
    for (guint i = 0; i < sorted->len; i++)
      printf ("warning: %s\n", (char *) g_ptr_array_index (sorted, i));
  }
  if (out != NULL)
    printf ("Written to %s\n", out);
}

int
cli_compare (int argc, char **argv)
{
  g_autofree char *area = NULL, *countries = NULL, *area_crs = NULL, *as_of_text = NULL;
  g_autofree char *out = NULL;
  gboolean overwrite = FALSE, json = FALSE, repair = FALSE;
  g_auto(CliClusterOptions) opts = { 0 };
  GOptionEntry entries[] = {
    { "area", 0, 0, G_OPTION_ARG_STRING, &area,
      "The area: cluster:ID[:BUFFER_KM] (default buffer: the clustering distance), strip:KM "
      "(either side of the border of two countries), wkt:WKT or file:PATH", "SPEC" },
    { "countries", 0, 0, G_OPTION_ARG_STRING, &countries, "ISO 3166-1 alpha-3 codes, e.g. COD,RWA", "LIST" },
    { "area-crs", 0, 0, G_OPTION_ARG_STRING, &area_crs, "CRS of wkt: (default: the project's)", "CRS" },
    { "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of_text,
      "Titles in force and latest site visits on this date; clusters are numbered as "
      "placer-cli clusters --as-of numbers them (default: the project's date)", "YYYY-MM-DD" },
    { "repair", 0, 0, G_OPTION_ARG_NONE, &repair, "Repair invalid input geometries instead of stopping", NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write the parts and the table to a new GeoPackage", "FILE.gpkg" },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite, "Replace --out if it exists", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (
    "PROJECT.gpkg --area SPEC --countries LIST — one shared area as each country sees it, and "
    "the countries' rule packs side by side");
  g_autoptr(GisProject) project = NULL;
  g_autoptr(GisGeometry) polygon = NULL;
  g_autoptr(ZonesCompareResult) result = NULL;
  g_auto(GStrv) isos = NULL;
  ZonesCompareParams params;
  const char *problem, *wkt = NULL, *file = NULL;
  const char *kinds[] = { "cluster", "strip", "polygon" };
  GError *error = NULL;
  int code;

  zones_compare_params_init (&params);
  g_option_context_add_main_entries (ctx, entries, NULL);
  cli_cluster_options_add (ctx, &opts);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return cli_usage (ctx, "give the project");
  if (area == NULL || countries == NULL)
    return cli_usage (ctx, "give --area and --countries");
  if ((problem = parse_area (area, &params, &wkt, &file)) != NULL ||
      (problem = cli_cluster_options_apply (&opts, &params.cluster)) != NULL)
    return cli_usage (ctx, problem);
  isos = parse_countries (countries);
  if (isos == NULL)
    return cli_usage (ctx, "--countries takes distinct ISO 3166-1 alpha-3 codes separated by "
                           "commas");
  if (params.kind == ZONES_COMPARE_STRIP && g_strv_length (isos) != 2)
    return cli_usage (ctx, "--area strip:KM compares exactly two countries");
  if (as_of_text != NULL && (!zones_parse_date (as_of_text, &params.as_of) || strlen (as_of_text) != 10))
    return cli_usage (ctx, "--as-of must be a date YYYY-MM-DD");
  params.countries = isos;
  params.repair = repair;

  project = gis_project_open (argv[1], FALSE, &error);
  if (project == NULL)
    return cli_fail (error);
  if (params.kind == ZONES_COMPARE_POLYGON)
    {
      polygon = cli_read_shape (project, wkt, area_crs, file, NULL, -1, &error);
      /* A WKT text or CRS that does not read is a mistake on the command line. */
      if (polygon == NULL && wkt != NULL)
        {
          code = cli_usage (ctx, error->message);
          g_error_free (error);
          return code;
        }
      if (polygon == NULL)
        return cli_fail (error);
      params.polygon = polygon;
      params.polygon_crs = gis_project_get_crs (project);
    }

  result = zones_compare_run (project, &params, NULL, &error);
  if (result == NULL)
    return cli_fail (error);
  if (out != NULL && !zones_compare_write (result, out, overwrite, &error))
    return cli_fail (error);
  if (json)
    print_json (result, kinds[params.kind], out);
  else
    print_text (result, out);
  return CLI_EXIT_OK;
}
