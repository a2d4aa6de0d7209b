/* gis-map-renderer.h: drawing map frames with cairo, off the UI thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "gis-map-settings.h"

G_BEGIN_DECLS

/**
 * GisRenderCache:
 *
 * Images of single layers from earlier frames, so that toggling, reordering or changing
 * the opacity of one layer redraws none of the others. Safe to share between threads.
 */
typedef struct _GisRenderCache GisRenderCache;

GisRenderCache  *gis_render_cache_new    (gsize             max_bytes);
void             gis_render_cache_free   (GisRenderCache   *cache);
void             gis_render_cache_clear  (GisRenderCache   *cache);
gsize            gis_render_cache_get_size (GisRenderCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisRenderCache, gis_render_cache_free)

/**
 * GisRenderStats:
 * @n_drawn: layers drawn for this frame
 * @n_cached: layers taken from the cache
 * @n_features: vector features drawn
 * @n_pixels: features small enough to be drawn as a single pixel
 * @n_labels: labels placed
 * @n_labels_dropped: labels left out because they would overlap others
 */
typedef struct {
  guint n_drawn;
  guint n_cached;
  guint n_features;
  guint n_pixels;
  guint n_labels;
  guint n_labels_dropped;
} GisRenderStats;

cairo_surface_t *gis_map_render          (GisMapSettings   *settings,
                                          GisRenderCache   *cache,
                                          GisRenderStats   *stats,
                                          GCancellable     *cancellable,
                                          GError          **error);
void             gis_map_render_async    (GisMapSettings   *settings,
                                          GisRenderCache   *cache,
                                          GCancellable     *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer          user_data);
cairo_surface_t *gis_map_render_finish   (GAsyncResult     *result,
                                          GError          **error);
gboolean         gis_surface_write_png   (cairo_surface_t  *surface,
                                          const char       *path,
                                          GError          **error);

G_END_DECLS
