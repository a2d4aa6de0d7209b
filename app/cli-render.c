/* cli-render.c: placer-cli render — a map image of a project, drawn by the app's renderer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cli-render"

#include <math.h>
#include <stdio.h>

#include "cli.h"

/* "minx,miny,maxx,maxy", "layer:NAME" or "zone:ID". */
static gboolean
parse_extent (const char *text, GPtrArray *layers, GisCrs *crs, GisEnvelope *extent,
              GError **error)
{
  if (g_str_has_prefix (text, "layer:"))
    {
      for (guint i = 0; i < layers->len; i++)
        {
          GisMapLayer *layer = g_ptr_array_index (layers, i);
          if (g_strcmp0 (gis_map_layer_get_title (layer), text + 6) == 0)
            {
              if (gis_map_layer_get_extent (layer, crs, extent))
                return TRUE;
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--extent: layer “%s” is empty", text + 6);
              return FALSE;
            }
        }
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--extent: the project has no layer “%s”", text + 6);
      return FALSE;
    }
  if (g_str_has_prefix (text, "zone:"))
    {
      for (guint i = 0; i < layers->len; i++)
        {
          GisMapLayer *layer = g_ptr_array_index (layers, i);
          GisVectorLayer *v = gis_map_layer_get_vector (layer);
          int field;
          if (gis_map_layer_get_id (layer) != ZONES_MAP_ZONES_ID || v == NULL)
            continue;
          field = gis_vector_layer_find_field (v, "zone_id");
          for (guint f = 0; field >= 0 && f < gis_vector_layer_get_n_features (v); f++)
            if (g_strcmp0 (gis_vector_layer_get_value (v, f, (guint) field), text + 5) == 0)
              {
                GisEnvelope e;
                double mx, my;
                gis_vector_layer_get_feature_extent (v, f, &e);
                /* Some room around the zone. */
                mx = MAX ((e.max_x - e.min_x) * 0.15, 1e-9);
                my = MAX ((e.max_y - e.min_y) * 0.15, 1e-9);
                *extent = (GisEnvelope) { e.min_x - mx, e.min_y - my, e.max_x + mx, e.max_y + my };
                return TRUE;
              }
        }
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--extent: the project has no zone “%s”", text + 5);
      return FALSE;
    }
  if (gis_envelope_parse (text, extent))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--extent must be MINX,MINY,MAXX,MAXY in the project's CRS (min < max), "
               "layer:NAME or zone:ID; got “%s”", text);
  return FALSE;
}

/* Scale bar at the bottom left, north arrow at the top left, legend at the top right. */
static gboolean
decorate (cairo_surface_t *frame, GisMapSettings *settings, gboolean legend)
{
  double w = gis_map_settings_get_width (settings), h = gis_map_settings_get_height (settings);
  cairo_t *cr = cairo_create (frame);
  gboolean legend_drawn = FALSE;

  gis_map_draw_scale_bar (cr, settings, 16, h - 24, MIN (220, w / 4));
  gis_map_draw_north_arrow (cr, settings, 28, 40, 32);
  if (legend)
    {
      double lw = MIN (240, w / 3);
      double lh = gis_map_draw_legend (cr, settings, 0, 0, lw - 20, TRUE);
      if (lh + 40 < h)
        {
          cairo_rectangle (cr, w - lw - 10, 10, lw, lh + 20);
          cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
          cairo_fill_preserve (cr);
          cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
          cairo_set_line_width (cr, 1);
          cairo_stroke (cr);
          gis_map_draw_legend (cr, settings, w - lw, 20, lw - 20, FALSE);
          legend_drawn = TRUE;
        }
    }
  cairo_destroy (cr);
  return legend_drawn;
}

int
cli_render (int argc, char **argv)
{
  g_autofree char *out = NULL, *extent_text = NULL, *size_text = NULL;
  double scale = 1;
  gboolean no_legend = FALSE, no_decorations = FALSE, json = FALSE, overwrite = FALSE;
  g_auto(GStrv) hide = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "The PNG to write", "MAP.png" },
    { "extent", 0, 0, G_OPTION_ARG_STRING, &extent_text, "What to show: MINX,MINY,MAXX,MAXY in the project's CRS, layer:NAME or zone:ID (default: the whole project)", "EXTENT" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size_text, "Image size in pixels (default 1600x1000)", "WxH" },
    { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale, "Device pixels per pixel, for print (default 1)", "S" },
    { "hide", 0, 0, G_OPTION_ARG_STRING_ARRAY, &hide, "Leave out this layer (repeatable)", "LAYER" },
    { "no-legend", 0, 0, G_OPTION_ARG_NONE, &no_legend, "No legend", NULL },
    { "no-decorations", 0, 0, G_OPTION_ARG_NONE, &no_decorations, "No legend, scale bar or north arrow", NULL },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite, "Replace --out if it exists", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (
    "PROJECT.gpkg — draw a map of the project to a PNG");
  g_autoptr(GisProject) project = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GisMapSettings) settings = NULL;
  GisRenderStats stats;
  cairo_surface_t *frame;
  GisEnvelope extent, shown;
  GisCrs *crs;
  guint width = 1600, height = 1000;
  GError *error = NULL;
  gboolean legend_drawn = FALSE;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return cli_usage (ctx, "give the project");
  if (out == NULL)
    return cli_usage (ctx, "give --out MAP.png");
  if (size_text != NULL)
    {
      char *end = NULL;
      guint64 w = g_ascii_strtoull (size_text, &end, 10), h = 0;
      if (end != NULL && (*end == 'x' || *end == 'X'))
        h = g_ascii_strtoull (end + 1, &end, 10);
      if (end == NULL || *end != '\0' || w < 16 || h < 16 || w > 16384 || h > 16384)
        return cli_usage (ctx, "--size must be WxH, each from 16 to 16384");
      width = (guint) w;
      height = (guint) h;
    }
  if (!(scale >= 0.5 && scale <= 4))
    return cli_usage (ctx, "--scale must be from 0.5 to 4");
  if (!overwrite && g_file_test (out, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "placer-cli: “%s” exists; give --overwrite to replace it\n", out);
      return CLI_EXIT_USAGE;
    }

  project = gis_project_open (argv[1], FALSE, &error);
  if (project == NULL)
    return cli_fail (error);
  crs = gis_project_get_crs (project);
  layers = zones_map_load (project, crs, &problems, NULL, &error);
  if (layers == NULL)
    return cli_fail (error);
  for (guint i = 0; i < problems->len; i++)
    fprintf (stderr, "placer-cli: warning: %s\n", (char *) g_ptr_array_index (problems, i));
  for (guint i = 0; hide != NULL && hide[i] != NULL; i++)
    {
      gboolean found = FALSE;
      for (guint k = 0; k < layers->len; k++)
        if (g_strcmp0 (gis_map_layer_get_title (g_ptr_array_index (layers, k)), hide[i]) == 0)
          {
            gis_map_layer_set_visible (g_ptr_array_index (layers, k), FALSE);
            found = TRUE;
          }
      if (!found)
        {
          fprintf (stderr, "placer-cli: --hide: the project has no layer “%s”\n", hide[i]);
          return CLI_EXIT_USAGE;
        }
    }

  if (extent_text != NULL)
    {
      if (!parse_extent (extent_text, layers, crs, &extent, &error))
        return cli_fail (error);
    }
  else if (!zones_map_get_home (project, layers, crs, &extent))
    {
      fprintf (stderr, "placer-cli: “%s” has nothing to draw\n", argv[1]);
      return CLI_EXIT_BAD_INPUT;
    }

  settings = gis_map_settings_new (crs, &extent, width, height, scale);
  for (guint i = 0; i < layers->len; i++)
    if (gis_map_layer_get_visible (g_ptr_array_index (layers, i)))
      {
        g_autoptr(GisLayerSnapshot) snap = gis_map_layer_snapshot (g_ptr_array_index (layers, i));
        gis_map_settings_add_layer (settings, snap);
      }
  frame = gis_map_render (settings, NULL, &stats, NULL, &error);
  if (frame == NULL)
    return cli_fail (error);
  if (!no_decorations)
    legend_drawn = decorate (frame, settings, !no_legend);
  if (!gis_surface_write_png (frame, out, &error))
    {
      cairo_surface_destroy (frame);
      return cli_fail (error);
    }
  cairo_surface_destroy (frame);
  gis_map_settings_get_extent (settings, &shown);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "out");
      json_builder_add_string_value (b, out);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, (gint64) lround (width * scale));
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, (gint64) lround (height * scale));
      json_builder_set_member_name (b, "crs");
      json_builder_add_value (b, cli_crs_node (crs));
      json_builder_set_member_name (b, "extent");
      json_builder_add_value (b, cli_extent_node (&shown));
      json_builder_set_member_name (b, "layers");
      json_builder_begin_array (b);
      for (guint i = 0; i < gis_map_settings_get_n_layers (settings); i++)
        {
          GisMapLayer *layer = NULL;
          for (guint k = 0, n = 0; k < layers->len; k++)
            if (gis_map_layer_get_visible (g_ptr_array_index (layers, k)) && n++ == i)
              layer = g_ptr_array_index (layers, k);
          json_builder_add_string_value (b, gis_map_layer_get_title (layer));
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "features_drawn");
      json_builder_add_int_value (b, stats.n_features);
      json_builder_set_member_name (b, "labels");
      json_builder_add_int_value (b, stats.n_labels);
      json_builder_set_member_name (b, "legend");
      json_builder_add_boolean_value (b, legend_drawn);
      json_builder_set_member_name (b, "problems");
      json_builder_begin_array (b);
      for (guint i = 0; i < problems->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (problems, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
    }
  else
    {
      printf ("Wrote %s: %u × %u px, %u layers, %u features, %u labels\n", out,
              (guint) lround (width * scale), (guint) lround (height * scale),
              gis_map_settings_get_n_layers (settings), stats.n_features, stats.n_labels);
      printf ("Extent (%s): %.6f, %.6f – %.6f, %.6f\n", gis_crs_get_name (crs), shown.min_x,
              shown.min_y, shown.max_x, shown.max_y);
      if (!no_decorations && !no_legend && !legend_drawn)
        printf ("The legend did not fit; give a larger --size to have it.\n");
    }
  return problems->len > 0 ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}
