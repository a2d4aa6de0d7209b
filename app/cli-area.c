/* cli-area.c: placer-cli area FILE — geodesic area per feature and in total
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cli-area"

#include <stdio.h>

#include "cli.h"

typedef struct {
  GisCrs     *crs;
  int         label_index;
  GArray     *fids;
  GArray     *areas;
  GPtrArray  *labels;
  GPtrArray  *invalid;   /* reasons, NULL where valid */
  guint       n_invalid;
  guint       n_without_area;
  double      total;
} AreaRun;

static gboolean
area_cb (GisFeature *f, gpointer user_data, GError **error)
{
  AreaRun *run = user_data;
  double a = 0;
  g_autofree char *reason = NULL;
  GisGeometryType t;

  if (f->geometry == NULL)
    {
      run->n_without_area++;
      return TRUE;
    }
  t = gis_geometry_get_geometry_type (f->geometry);
  if (t != GIS_GEOMETRY_POLYGON && t != GIS_GEOMETRY_MULTIPOLYGON && t != GIS_GEOMETRY_COLLECTION)
    {
      run->n_without_area++;
      return TRUE;
    }
  if (!gis_geometry_is_valid (f->geometry, &reason, error))
    {
      if (error != NULL && *error != NULL)
        {
          g_prefix_error (error, "feature %" G_GINT64_FORMAT ": ", f->fid);
          return FALSE;
        }
      run->n_invalid++;
    }
  if (!gis_geodesic_area (f->geometry, run->crs, &a, error))
    {
      g_prefix_error (error, "feature %" G_GINT64_FORMAT ": ", f->fid);
      return FALSE;
    }
  g_array_append_val (run->fids, f->fid);
  g_array_append_val (run->areas, a);
  g_ptr_array_add (run->labels, g_strdup (gis_feature_get (f, run->label_index)));
  g_ptr_array_add (run->invalid, g_steal_pointer (&reason));
  run->total += a;
  return TRUE;
}

int
cli_area (int argc, char **argv)
{
  g_autofree char *layer = NULL;
  g_autofree char *crs_text = NULL;
  g_autofree char *label = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &layer, "Layer inside the file", "LAYER" },
    { "crs", 0, 0, G_OPTION_ARG_STRING, &crs_text, "CRS for a file that has none", "CRS" },
    { "label", 0, 0, G_OPTION_ARG_STRING, &label, "Field to name features by", "FIELD" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (
    "FILE — geodesic area of each polygon on the ellipsoid (PROJ geod_polygonarea), in ha");
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(GisCrs) crs = NULL;
  AreaRun run = { 0 };
  GError *error = NULL;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return cli_usage (ctx, "give exactly one file");

  ds = gis_dataset_open (argv[1], GIS_OPEN_VECTOR, &error);
  if (ds == NULL)
    return cli_fail (error);
  info = gis_dataset_describe_layer (ds, layer, &error);
  if (info == NULL)
    return cli_fail (error);
  if (info->crs != NULL)
    crs = gis_crs_ref (info->crs);
  else if (crs_text != NULL)
    {
      crs = gis_crs_new_from_user_input (crs_text, &error);
      if (crs == NULL)
        return cli_fail (error);
    }
  else
    {
      g_set_error (&error, GIS_ERROR, GIS_ERROR_CRS,
                   "“%s”, layer “%s” has no CRS; Placer does not guess one: give --crs",
                   argv[1], info->name);
      return cli_fail (error);
    }
  run.label_index = -1;
  if (label != NULL)
    {
      run.label_index = gis_layer_info_find_field (info, label);
      if (run.label_index < 0)
        {
          g_set_error (&error, GIS_ERROR, GIS_ERROR_NOT_FOUND, "“%s”, layer “%s”: no field “%s”",
                       argv[1], info->name, label);
          return cli_fail (error);
        }
    }

  run.crs = crs;
  run.fids = g_array_new (FALSE, FALSE, sizeof (gint64));
  run.areas = g_array_new (FALSE, FALSE, sizeof (double));
  run.labels = g_ptr_array_new_with_free_func (g_free);
  run.invalid = g_ptr_array_new_with_free_func (g_free);
  if (!gis_dataset_foreach_feature (ds, info->name, NULL, area_cb, &run, NULL, &error))
    {
      g_prefix_error (&error, "“%s”, layer “%s”, ", argv[1], info->name);
      code = cli_fail (error);
      goto out;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, argv[1]);
      json_builder_set_member_name (b, "layer");
      json_builder_add_string_value (b, info->name);
      json_builder_set_member_name (b, "crs");
      json_builder_add_value (b, cli_crs_node (crs));
      json_builder_set_member_name (b, "method");
      json_builder_add_string_value (b, "geodesic (PROJ geod_polygonarea) on the CRS ellipsoid");
      json_builder_set_member_name (b, "features");
      json_builder_begin_array (b);
      for (guint i = 0; i < run.areas->len; i++)
        {
          const char *reason = g_ptr_array_index (run.invalid, i);
          const char *lbl = g_ptr_array_index (run.labels, i);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "fid");
          json_builder_add_int_value (b, g_array_index (run.fids, gint64, i));
          if (lbl != NULL)
            {
              json_builder_set_member_name (b, "label");
              json_builder_add_string_value (b, lbl);
            }
          json_builder_set_member_name (b, "area_m2");
          json_builder_add_double_value (b, g_array_index (run.areas, double, i));
          json_builder_set_member_name (b, "area_ha");
          json_builder_add_double_value (b, g_array_index (run.areas, double, i) / 1e4);
          json_builder_set_member_name (b, "valid");
          json_builder_add_boolean_value (b, reason == NULL);
          if (reason != NULL)
            {
              json_builder_set_member_name (b, "invalid_reason");
              json_builder_add_string_value (b, reason);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, run.areas->len);
      json_builder_set_member_name (b, "total_m2");
      json_builder_add_double_value (b, run.total);
      json_builder_set_member_name (b, "total_ha");
      json_builder_add_double_value (b, run.total / 1e4);
      json_builder_set_member_name (b, "invalid");
      json_builder_add_int_value (b, run.n_invalid);
      json_builder_set_member_name (b, "without_area");
      json_builder_add_int_value (b, run.n_without_area);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
    }
  else
    {
      g_autofree char *crs_label = gis_crs_dup_label (crs);
      printf ("%s, layer %s (%s): geodesic areas\n", argv[1], info->name, crs_label);
      for (guint i = 0; i < run.areas->len; i++)
        {
          const char *reason = g_ptr_array_index (run.invalid, i);
          const char *lbl = g_ptr_array_index (run.labels, i);
          printf ("  %8" G_GINT64_FORMAT "  %-24s %16.4f ha%s%s\n",
                  g_array_index (run.fids, gint64, i), lbl ? lbl : "",
                  g_array_index (run.areas, double, i) / 1e4,
                  reason ? "  INVALID: " : "", reason ? reason : "");
        }
      printf ("  %u polygons, total %.4f ha\n", run.areas->len, run.total / 1e4);
      if (run.n_without_area)
        printf ("  %u features without area (points, lines or no geometry)\n",
                run.n_without_area);
      if (run.n_invalid)
        printf ("  %u invalid polygons: their areas are not reliable\n", run.n_invalid);
    }
  code = run.n_invalid > 0 ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;

out:
  g_array_unref (run.fids);
  g_array_unref (run.areas);
  g_ptr_array_unref (run.labels);
  g_ptr_array_unref (run.invalid);
  return code;
}
