/* bench-render.c: how fast the map renderer draws a layer
 *
 * Loads one vector layer (or opens one raster) once, then times frames: the first one
 * with nothing cached ("cold"), the best of --repeat uncached frames, and a frame drawn
 * from the layer image cache. --frame-times adds a pan of 30 frames, 24 px apart.
 * Prints one TSV line: placer, case, extent, cold_ms, best_ms, cached_ms; on stderr, each
 * frame's wall and CPU time (all threads) and page faults, and the load's time (opening,
 * reading, indexing and preparing the layer, as the app does once in a worker).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "gis.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* CPU time of the whole process (all threads), and its page faults: on a shared machine
 * these say more than the wall clock. */
static double
cpu_ms (long *minor_faults)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  if (minor_faults != NULL)
    *minor_faults = ru.ru_minflt;
  return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 +
         ru.ru_stime.tv_usec / 1e3;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  g_autofree char *vector = NULL, *layer_name = NULL, *raster_path = NULL, *size = NULL;
  g_autofree char *extent_name = NULL, *png = NULL;
  int repeat = 3;
  gboolean frame_times = FALSE;
  GOptionEntry entries[] = {
    { "vector", 0, 0, G_OPTION_ARG_FILENAME, &vector, "vector dataset", "FILE" },
    { "layer", 0, 0, G_OPTION_ARG_STRING, &layer_name, "its layer", "NAME" },
    { "raster", 0, 0, G_OPTION_ARG_FILENAME, &raster_path, "raster", "FILE" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "frame size", "WxH" },
    { "extent", 0, 0, G_OPTION_ARG_STRING, &extent_name, "full or zoom16", "E" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "uncached frames", "N" },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png, "write the frame", "FILE" },
    { "frame-times", 0, 0, G_OPTION_ARG_NONE, &frame_times, "time a pan", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- time the map renderer");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisMapLayer) layer = NULL;
  g_autoptr(GisMapSettings) settings = NULL;
  g_autoptr(GisRenderCache) cache = NULL;
  g_autoptr(GisLayerSnapshot) snapshot = NULL;
  GisEnvelope extent;
  guint width = 1920, height = 1080;
  double cold, best = G_MAXDOUBLE, cached, t0, t_load;
  GisCrs *crs;
  const char *case_name;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (size != NULL && sscanf (size, "%ux%u", &width, &height) != 2)
    {
      fprintf (stderr, "--size must be WxH\n");
      return 2;
    }
  gis_init ();

  t0 = now_ms ();
  if (vector != NULL)
    {
      g_autoptr(GisDataset) ds = gis_dataset_open (vector, GIS_OPEN_VECTOR, &error);
      g_autoptr(GisVectorLayer) data = NULL;
      GisSymbol symbol = gis_symbol_default ((GisColor) { 0xcc / 255.0, 0xdd / 255.0,
                                                          0xaa / 255.0, 1 });
      g_autoptr(GisStyle) style = NULL;

      if (ds == NULL)
        goto fail;
      data = gis_vector_layer_load (ds, layer_name, NULL, NULL, NULL, NULL, &error);
      if (data == NULL)
        goto fail;
      symbol.stroke = (GisColor) { 0, 0, 0, 1 };
      symbol.stroke_width = g_getenv ("NOSTROKE") ? 0 : 0.5;
      style = gis_style_new_single (&symbol);
      layer = gis_map_layer_new_vector ("bench", data, style);
      case_name = "parcels";
    }
  else if (raster_path != NULL)
    {
      g_autoptr(GisRaster) raster = gis_raster_open (raster_path, &error);
      GisSymbol grey = gis_symbol_default ((GisColor) { 0.5, 0.5, 0.5, 1 });
      g_autoptr(GisStyle) style = gis_style_new_single (&grey);

      if (raster == NULL)
        goto fail;
      layer = gis_map_layer_new_raster ("bench", raster, style);
      case_name = "raster";
    }
  else
    {
      fprintf (stderr, "give --vector FILE --layer NAME or --raster FILE\n");
      return 2;
    }
  t_load = now_ms () - t0;

  crs = gis_map_layer_get_crs (layer);
  gis_map_layer_get_extent (layer, NULL, &extent);
  if (g_strcmp0 (extent_name, "zoom16") == 0)
    {
      double cx = (extent.min_x + extent.max_x) / 2, cy = (extent.min_y + extent.max_y) / 2;
      double w = (extent.max_x - extent.min_x) / 16, h = (extent.max_y - extent.min_y) / 16;
      extent = (GisEnvelope) { cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2 };
    }
  else
    {
      g_free (extent_name);
      extent_name = g_strdup ("full");
    }
  snapshot = gis_map_layer_snapshot (layer);
  settings = gis_map_settings_new (crs, &extent, width, height, 1.0);
  gis_map_settings_add_layer (settings, snapshot);

  for (int i = 0; i < MAX (1, repeat); i++)
    {
      cairo_surface_t *frame;
      double ms, cpu;
      long faults0, faults1;

      cpu = cpu_ms (&faults0);
      t0 = now_ms ();
      frame = gis_map_render (settings, NULL, NULL, NULL, &error);
      ms = now_ms () - t0;
      cpu = cpu_ms (&faults1) - cpu;
      if (frame == NULL)
        goto fail;
      if (i == 0)
        cold = ms;
      fprintf (stderr, "# frame %d: %.1f ms (cpu %.1f ms, %ld page faults)\n", i + 1, ms, cpu,
               faults1 - faults0);
      best = MIN (best, ms);
      if (i == 0 && png != NULL && !gis_surface_write_png (frame, png, &error))
        goto fail;
      cairo_surface_destroy (frame);
    }

  cache = gis_render_cache_new (256 * 1024 * 1024);
  cairo_surface_destroy (gis_map_render (settings, cache, NULL, NULL, NULL));
  {
    GisRenderStats stats;
    cairo_surface_t *frame;

    t0 = now_ms ();
    frame = gis_map_render (settings, cache, &stats, NULL, &error);
    cached = now_ms () - t0;
    if (frame == NULL)
      goto fail;
    cairo_surface_destroy (frame);
    if (stats.n_cached != 1)
      {
        fprintf (stderr, "the cached frame was redrawn\n");
        return 1;
      }
  }
  printf ("placer\t%s\t%s\t%.1f\t%.1f\t%.1f\n", case_name, extent_name, cold, best, cached);
  fprintf (stderr, "# loading %.0f ms\n", t_load);

  if (frame_times)
    {
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
      double res = gis_map_settings_get_resolution (settings);
      GisEnvelope shown;

      gis_map_settings_get_extent (settings, &shown);
      for (int i = 1; i <= 30; i++)
        {
          g_autoptr(GisMapSettings) pan = gis_map_settings_new_centered (
            crs, (shown.min_x + shown.max_x) / 2 + i * 24 * res,
            (shown.min_y + shown.max_y) / 2, res, width, height, 1.0);
          cairo_surface_t *frame;
          double ms;

          gis_map_settings_add_layer (pan, snapshot);
          t0 = now_ms ();
          frame = gis_map_render (pan, cache, NULL, NULL, &error);
          ms = now_ms () - t0;
          if (frame == NULL)
            goto fail;
          cairo_surface_destroy (frame);
          g_array_append_val (times, ms);
        }
      g_array_sort (times, compare_double);
      printf ("placer\t%s-pan\t%s\t%.1f\t%.1f\t\n", case_name, extent_name,
              g_array_index (times, double, times->len / 2),
              g_array_index (times, double, times->len * 9 / 10));
      fprintf (stderr, "# pan frames: median %.1f ms, p90 %.1f ms, max %.1f ms\n",
               g_array_index (times, double, times->len / 2),
               g_array_index (times, double, times->len * 9 / 10),
               g_array_index (times, double, times->len - 1));
    }
  return 0;

fail:
  fprintf (stderr, "%s\n", error ? error->message : "failed");
  return 3;
}
