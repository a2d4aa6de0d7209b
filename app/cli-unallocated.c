/* cli-unallocated.c: placer-cli unallocated — deposit land no title holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cli-unallocated"

#include <math.h>
#include <stdio.h>

#include "cli.h"

static gboolean
add_files (GPtrArray *target, char **files, const char *role, GError **error)
{
  for (guint i = 0; files && files[i]; i++)
    {
      ZonesInput *in = zones_input_from_file (files[i], role, error);
      if (in == NULL)
        return FALSE;
      g_ptr_array_add (target, in);
    }
  return TRUE;
}

static char **
split_list (const char *text)
{
  g_auto(GStrv) parts = NULL;
  GPtrArray *out;

  if (text == NULL)
    return NULL;
  parts = g_strsplit (text, ",", -1);
  out = g_ptr_array_new ();
  for (guint i = 0; parts[i]; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_ptr_array_add (out, g_strdup (parts[i]));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static gboolean
check_vocabulary (const char *role, const char *field, char **values, GError **error)
{
  const ZonesFieldSpec *spec = zones_role_find_field (role, field);

  for (guint i = 0; values && values[i]; i++)
    if (!g_strv_contains (spec->vocabulary, values[i]))
      {
        g_autofree char *known = g_strjoinv (", ", (char **) spec->vocabulary);
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "“%s” is not a %s (one of: %s)", values[i], field, known);
        return FALSE;
      }
  return TRUE;
}

static void
print_text (ZonesUnallocatedResult *r, const char *as_of)
{
  g_autoptr(GList) minerals = g_list_sort (g_hash_table_get_keys (r->by_mineral),
                                           (GCompareFunc) g_strcmp0);

  printf ("Unallocated deposit land on %s\n", as_of);
  if (!isnan (r->deposit_ha))
    {
      printf ("  deposit land in scope  %14.2f ha (%u deposits)\n", r->deposit_ha, r->n_deposits);
      printf ("  candidate land         %14.2f ha in %u pieces (%.1f %%)\n", r->total_ha,
              r->n_candidates, r->deposit_ha > 0 ? 100 * r->total_ha / r->deposit_ha : 0.0);
    }
  else
    printf ("  candidate land         %14.2f ha in %u pieces, from %u deposits in scope\n",
            r->total_ha, r->n_candidates, r->n_deposits);
  for (GList *l = minerals; l; l = l->next)
    printf ("    %-20s %14.2f ha\n", (char *) l->data,
            *(double *) g_hash_table_lookup (r->by_mineral, l->data));
  printf ("  blocking titles %u, excluded land-use features %u, conditional %u\n",
          r->n_blocking, r->n_excluded, r->n_conditional);
  printf ("  working CRS: %s; areas are geodesic\n\n", r->working_crs);

  printf ("  %-14s %-26s %-16s %14s\n", "mineral", "admin unit", "land use", "ha");
  for (guint i = 0; i < r->summary->len; i++)
    {
      ZonesSummaryRow *s = g_ptr_array_index (r->summary, i);
      printf ("  %-14s %-26s %-16s %14.2f\n", s->mineral, s->admin, s->land_use, s->area_ha);
    }
  printf ("\n  LSM review list: %u large-scale titles hold deposit land in scope\n",
          r->lsm_review->len);
  for (guint i = 0; i < r->lsm_review->len && i < 15; i++)
    {
      ZonesLsmReview *l = g_ptr_array_index (r->lsm_review, i);
      printf ("    %-14s %-40.40s %10.2f ha of %10.2f ha\n", l->title_id ? l->title_id : "?",
              l->holder ? l->holder : "", l->deposit_ha, l->title_ha);
    }
  if (r->lsm_review->len > 15)
    printf ("    … and %u more (see --json or --out)\n", r->lsm_review->len - 15);
  for (guint i = 0; i < r->invalid_inputs->len; i++)
    {
      ZonesInvalidInput *v = g_ptr_array_index (r->invalid_inputs, i);
      printf ("  invalid input: %s, feature %" G_GINT64_FORMAT ": %s%s\n", v->layer, v->fid,
              v->reason, v->repaired ? " (repaired)" : "");
    }
  for (guint i = 0; i < r->warnings->len; i++)
    printf ("  warning: %s\n", (char *) g_ptr_array_index (r->warnings, i));
}

int
cli_unallocated (int argc, char **argv)
{
  g_auto(GStrv) deposits = NULL;
  g_auto(GStrv) concessions = NULL;
  g_auto(GStrv) landuse = NULL;
  g_auto(GStrv) borders = NULL;
  g_autofree char *rules_path = NULL;
  g_autofree char *minerals = NULL;
  g_autofree char *confidence = NULL;
  g_autofree char *as_of = NULL;
  g_autofree char *out = NULL;
  g_autofree char *classes = NULL;
  g_autofree char *raster_mineral = NULL;
  g_autofree char *raster_confidence = NULL;
  double threshold = G_MAXDOUBLE;
  gboolean include_pending = FALSE, repair = FALSE, overwrite = FALSE, json = FALSE;
  gboolean deposit_total = FALSE;
  int threads = 2;
  GOptionEntry entries[] = {
    { "deposits", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &deposits, "Deposit layer (vector or raster)", "FILE" },
    { "concessions", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &concessions, "Cadastre layer", "FILE" },
    { "landuse", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &landuse, "Land-use layer (vector or classified raster)", "FILE" },
    { "borders", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &borders, "Admin units to split by", "FILE" },
    { "rules", 0, 0, G_OPTION_ARG_FILENAME, &rules_path, "Land-use rules (CSV: class,rule,buffer_m,note)", "FILE" },
    { "minerals", 0, 0, G_OPTION_ARG_STRING, &minerals, "Minerals in scope (default: all)", "LIST" },
    { "confidence", 0, 0, G_OPTION_ARG_STRING, &confidence, "Confidence levels (default: known,probable)", "LIST" },
    { "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of, "Date titles are judged on (default: the project's)", "YYYY-MM-DD" },
    { "include-pending", 0, 0, G_OPTION_ARG_NONE, &include_pending, "Count land under pending applications as available", NULL },
    { "repair", 0, 0, G_OPTION_ARG_NONE, &repair, "Repair invalid input geometries (they are listed)", NULL },
    { "threshold", 0, 0, G_OPTION_ARG_DOUBLE, &threshold, "Raster deposits: cells at or above this value", "VALUE" },
    { "classes", 0, 0, G_OPTION_ARG_STRING, &classes, "Raster deposits: cells with these values", "LIST" },
    { "raster-mineral", 0, 0, G_OPTION_ARG_STRING, &raster_mineral, "Raster deposits: their mineral", "MINERAL" },
    { "raster-confidence", 0, 0, G_OPTION_ARG_STRING, &raster_confidence, "Raster deposits: their confidence (default probable)", "LEVEL" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write the result layers to a new GeoPackage", "FILE.gpkg" },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite, "Replace --out if it exists", NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Worker threads (default 2)", "N" },
    { "deposit-total", 0, 0, G_OPTION_ARG_NONE, &deposit_total,
      "Also measure all deposit land in scope (a dissolve of every deposit)", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (
    "[PROJECT.gpkg] — deposit land that no title holds, on an as-of date");
  g_autoptr(GisProject) project = NULL;
  g_autoptr(ZonesUnallocatedResult) result = NULL;
  g_autoptr(ZonesUnallocatedWriter) writer = NULL;
  ZonesUnallocatedParams params;
  GError *error = NULL;
  int code;
  char date[16];

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc > 2)
    return cli_usage (ctx, "give at most one project file");

  zones_unallocated_params_init (&params);
  params.pending_free = include_pending;
  params.repair = repair;
  params.measure_deposits = deposit_total;
  params.n_threads = (guint) CLAMP (threads, 1, 8);
  params.minerals = split_list (minerals);
  params.confidence = split_list (confidence);
  if (!check_vocabulary ("deposits", "mineral", params.minerals, &error) ||
      !check_vocabulary ("deposits", "confidence", params.confidence, &error))
    {
      code = cli_usage (ctx, error->message);
      g_error_free (error);
      goto out;
    }
  if (threshold != G_MAXDOUBLE)
    {
      params.has_threshold = TRUE;
      params.raster_threshold = threshold;
    }
  if (classes != NULL)
    {
      g_auto(GStrv) parts = split_list (classes);
      params.raster_classes = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint i = 0; parts[i]; i++)
        {
          char *end = NULL;
          double v = g_ascii_strtod (parts[i], &end);
          if (end == parts[i] || *end != '\0')
            {
              code = cli_usage (ctx, "--classes takes numbers separated by commas");
              goto out;
            }
          g_array_append_val (params.raster_classes, v);
        }
    }
  params.raster_mineral = raster_mineral;
  params.raster_confidence = raster_confidence;

  if (argc == 2)
    {
      project = gis_project_open (argv[1], TRUE, &error);
      if (project == NULL || !zones_unallocated_params_add_project (&params, project, &error))
        {
          code = cli_fail (error);
          goto out;
        }
      if (as_of == NULL)
        as_of = gis_project_dup_meta (project, "as_of");
    }
  {
    gint64 t0 = g_get_monotonic_time ();

    if (!add_files (params.deposits, deposits, "deposits", &error) ||
        !add_files (params.concessions, concessions, "concessions", &error) ||
        !add_files (params.landuse, landuse, "landuse", &error) ||
        !add_files (params.borders, borders, "borders", &error))
      {
        code = cli_fail (error);
        goto out;
      }
    /* The analysis prints its own phases (zones-unallocated.c). */
    gis_print_phase (&t0, "inputs inspected");
  }
  if (params.deposits->len == 0)
    {
      code = cli_usage (ctx, "no deposits: give a project with a deposits layer or --deposits");
      goto out;
    }
  if (as_of == NULL || !zones_parse_date (as_of, &params.as_of) || strlen (as_of) != 10)
    {
      code = cli_usage (ctx, "--as-of YYYY-MM-DD is required (or an as_of date in the project)");
      goto out;
    }
  if (params.output_crs == NULL)
    params.output_crs = gis_crs_ref (((ZonesInput *) g_ptr_array_index (params.deposits, 0))->crs);
  params.rules = rules_path ? zones_rules_new_from_file (rules_path, &error)
                            : zones_rules_new_default ();
  if (params.rules == NULL)
    {
      code = cli_fail (error);
      goto out;
    }

  /* With --out, the pieces go into the file as the analysis makes them (nothing appears
   * under that name unless the whole run succeeds); an existing file is refused now,
   * before the work. */
  if (out != NULL)
    {
      writer = zones_unallocated_writer_new (out, overwrite, params.output_crs, &error);
      if (writer == NULL)
        {
          code = cli_fail (error);
          goto out;
        }
      params.candidate_func = zones_unallocated_writer_add;
      params.candidate_data = writer;
    }
  result = zones_unallocated_run (&params, NULL, &error);
  if (result == NULL)
    {
      code = cli_fail (error);
      goto out;
    }
  {
    gint64 t0 = g_get_monotonic_time ();

    if (writer != NULL && !zones_unallocated_writer_finish (writer, result, &error))
      {
        code = cli_fail (error);
        goto out;
      }
    if (out != NULL)
      gis_print_phase (&t0, "written");
  }
  if (project != NULL)
    {
      g_autofree char *p = zones_unallocated_params_to_json (&params);
      g_autofree char *in = zones_unallocated_inputs_to_json (&params);
      g_autofree char *sum = zones_unallocated_summary_to_json (result);
      if (gis_project_record_run (project, "unallocated", p, in, sum, &error) < 0)
        {
          code = cli_fail (error);
          goto out;
        }
    }

  g_date_strftime (date, sizeof date, "%Y-%m-%d", &params.as_of);
  if (json)
    {
      g_autoptr(JsonNode) node = zones_unallocated_summary_to_node (result);
      JsonObject *o = json_node_get_object (node);
      json_object_set_string_member (o, "as_of", date);
      if (out != NULL)
        json_object_set_string_member (o, "out", out);
      cli_print_json (node);
    }
  else
    {
      print_text (result, date);
      if (out != NULL)
        printf ("\n  written to %s\n", out);
    }
  code = result->invalid_inputs->len > 0 ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;

out:
  zones_unallocated_params_clear (&params);
  return code;
}
