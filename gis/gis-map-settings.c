/* gis-map-settings.c: what one map frame shows, as an immutable value
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-map-settings"

#include <math.h>

#include "gis-map-settings.h"
#include "gis-render-private.h"

G_DEFINE_BOXED_TYPE (GisMapSettings, gis_map_settings, gis_map_settings_ref,
                     gis_map_settings_unref)

/**
 * gis_map_settings_new_centered:
 * @resolution: map units per logical pixel
 * @scale_factor: device pixels per logical pixel (2 on a HiDPI screen)
 *
 * Settings are built on one thread, then shared read-only: add layers before handing
 * them to a renderer.
 *
 * Returns: (transfer full): settings with no layer and a white background
 */
GisMapSettings *
gis_map_settings_new_centered (GisCrs *crs, double center_x, double center_y,
                               double resolution, guint width, guint height,
                               double scale_factor)
{
  GisMapSettings *self;

  g_return_val_if_fail (crs != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (width <= 32768 && height <= 32768, NULL);
  g_return_val_if_fail (resolution > 0 && isfinite (resolution), NULL);
  g_return_val_if_fail (scale_factor >= 0.25 && scale_factor <= 8, NULL);

  self = g_new0 (GisMapSettings, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->crs = gis_crs_ref (crs);
  self->center_x = center_x;
  self->center_y = center_y;
  self->resolution = resolution;
  self->width = width;
  self->height = height;
  self->scale = scale_factor;
  self->background = (GisColor) { 1, 1, 1, 1 };
  self->labels = TRUE;
  self->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_layer_snapshot_unref);
  return self;
}

/**
 * gis_map_settings_new:
 * @extent: what must be visible; the frame is centred on it and wide enough to show all
 *   of it at one resolution (the extent's aspect need not match the frame's)
 *
 * Returns: (transfer full): settings with no layer and a white background
 */
GisMapSettings *
gis_map_settings_new (GisCrs *crs, const GisEnvelope *extent, guint width, guint height,
                      double scale_factor)
{
  double res;

  g_return_val_if_fail (extent != NULL && !gis_envelope_is_empty (extent), NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  res = MAX ((extent->max_x - extent->min_x) / width, (extent->max_y - extent->min_y) / height);
  if (!(res > 0))
    res = 1e-9;
  return gis_map_settings_new_centered (crs, (extent->min_x + extent->max_x) / 2,
                                        (extent->min_y + extent->max_y) / 2, res, width, height,
                                        scale_factor);
}

/**
 * gis_map_settings_add_layer:
 *
 * Adds a layer on top of those already added.
 */
void
gis_map_settings_add_layer (GisMapSettings *settings, GisLayerSnapshot *layer)
{
  g_return_if_fail (settings != NULL && layer != NULL);
  g_ptr_array_add (settings->layers, gis_layer_snapshot_ref (layer));
}

void
gis_map_settings_set_background (GisMapSettings *settings, const GisColor *color)
{
  g_return_if_fail (settings != NULL && color != NULL);
  settings->background = *color;
}

/**
 * gis_map_settings_set_labels:
 *
 * Whether layers whose style names a label field are labelled (on by default).
 */
void
gis_map_settings_set_labels (GisMapSettings *settings, gboolean labels)
{
  g_return_if_fail (settings != NULL);
  settings->labels = labels;
}

GisMapSettings *
gis_map_settings_ref (GisMapSettings *settings)
{
  g_return_val_if_fail (settings != NULL, NULL);
  g_atomic_ref_count_inc (&settings->ref_count);
  return settings;
}

void
gis_map_settings_unref (GisMapSettings *settings)
{
  g_return_if_fail (settings != NULL);
  if (!g_atomic_ref_count_dec (&settings->ref_count))
    return;
  gis_crs_unref (settings->crs);
  g_ptr_array_unref (settings->layers);
  g_free (settings);
}

/**
 * gis_map_settings_get_crs:
 *
 * Returns: (transfer none): the map's CRS
 */
GisCrs *
gis_map_settings_get_crs (GisMapSettings *settings)
{
  g_return_val_if_fail (settings != NULL, NULL);
  return settings->crs;
}

/**
 * gis_map_settings_get_extent:
 *
 * The extent the frame actually shows (the requested one, widened to the frame's aspect).
 */
void
gis_map_settings_get_extent (GisMapSettings *settings, GisEnvelope *extent)
{
  double hw, hh;

  g_return_if_fail (settings != NULL && extent != NULL);
  hw = settings->width * settings->resolution / 2;
  hh = settings->height * settings->resolution / 2;
  *extent = (GisEnvelope) { settings->center_x - hw, settings->center_y - hh,
                            settings->center_x + hw, settings->center_y + hh };
}

guint
gis_map_settings_get_width (GisMapSettings *settings)
{
  g_return_val_if_fail (settings != NULL, 0);
  return settings->width;
}

guint
gis_map_settings_get_height (GisMapSettings *settings)
{
  g_return_val_if_fail (settings != NULL, 0);
  return settings->height;
}

double
gis_map_settings_get_scale_factor (GisMapSettings *settings)
{
  g_return_val_if_fail (settings != NULL, 1);
  return settings->scale;
}

/**
 * gis_map_settings_get_resolution:
 *
 * Returns: map units per logical pixel
 */
double
gis_map_settings_get_resolution (GisMapSettings *settings)
{
  g_return_val_if_fail (settings != NULL, 0);
  return settings->resolution;
}

guint
gis_map_settings_get_n_layers (GisMapSettings *settings)
{
  g_return_val_if_fail (settings != NULL, 0);
  return settings->layers->len;
}

/**
 * gis_map_settings_get_layer:
 *
 * Returns: (transfer none): the layer at @index, 0 being the bottom one
 */
GisLayerSnapshot *
gis_map_settings_get_layer (GisMapSettings *settings, guint index)
{
  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (index < settings->layers->len, NULL);
  return g_ptr_array_index (settings->layers, index);
}

/**
 * gis_map_settings_map_to_pixel:
 *
 * From map coordinates to logical pixels (origin top left, y down).
 */
void
gis_map_settings_map_to_pixel (GisMapSettings *settings, double x, double y, double *px,
                               double *py)
{
  g_return_if_fail (settings != NULL);
  *px = (x - settings->center_x) / settings->resolution + settings->width / 2.0;
  *py = (settings->center_y - y) / settings->resolution + settings->height / 2.0;
}

void
gis_map_settings_pixel_to_map (GisMapSettings *settings, double px, double py, double *x,
                               double *y)
{
  g_return_if_fail (settings != NULL);
  *x = settings->center_x + (px - settings->width / 2.0) * settings->resolution;
  *y = settings->center_y - (py - settings->height / 2.0) * settings->resolution;
}
