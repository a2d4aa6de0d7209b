/* gis-map-decor.c: scale bar, north arrow and legend, for the canvas and for reports
 *
 * The scale bar measures the ground geodesically at the middle of the map, so it is right
 * in lon/lat, UTM or any other CRS (away from the centre, a projection's scale varies;
 * the bar says what holds where it is measured). The north arrow points to true north
 * at the centre, which in a transverse Mercator grid differs from grid north by the
 * meridian convergence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-map-decor"

#include <math.h>

#include "gis-map-decor.h"
#include "gis-private.h"
#include "gis-render-private.h"

static GisTransform *
to_lonlat (GisMapSettings *settings)
{
  g_autoptr(GisCrs) geographic = _gis_crs_new_geographic_base (settings->crs, NULL);

  if (geographic == NULL)
    return NULL;
  return gis_transform_new (settings->crs, geographic, NULL);
}

/**
 * gis_map_metres_per_pixel:
 * @px: (in): logical pixel column
 * @py: (in): logical pixel row
 * @metres: (out): the geodesic length on the ground of one logical pixel, measured
 *   east–west at (@px, @py)
 *
 * Returns: %FALSE if the point is outside the CRS's domain
 */
gboolean
gis_map_metres_per_pixel (GisMapSettings *settings, double px, double py, double *metres)
{
  g_autoptr(GisTransform) t = NULL;
  double x[2], y[2];
  const double half = 50;   /* measure over 100 px, centred */

  g_return_val_if_fail (settings != NULL && metres != NULL, FALSE);
  t = to_lonlat (settings);
  if (t == NULL)
    return FALSE;
  gis_map_settings_pixel_to_map (settings, px - half, py, &x[0], &y[0]);
  gis_map_settings_pixel_to_map (settings, px + half, py, &x[1], &y[1]);
  if (!gis_transform_points (t, x, y, 2, NULL) || !isfinite (x[0]) || !isfinite (x[1]))
    return FALSE;
  *metres = gis_geodesic_distance (x[0], y[0], x[1], y[1]) / (2 * half);
  return *metres > 0 && isfinite (*metres);
}

/**
 * gis_map_scale_bar:
 * @max_pixels: the longest the bar may be
 *
 * Picks the longest round distance (1, 2 or 5 × 10ⁿ metres) that fits.
 *
 * Returns: %FALSE if the map's scale cannot be measured
 */
gboolean
gis_map_scale_bar (GisMapSettings *settings, double max_pixels, GisScaleBar *bar)
{
  double m_per_px, max_m, p10, best = 0;
  const double steps[] = { 1, 2, 5 };

  g_return_val_if_fail (settings != NULL && bar != NULL, FALSE);
  if (!gis_map_metres_per_pixel (settings, settings->width / 2.0, settings->height / 2.0,
                                 &m_per_px))
    return FALSE;
  max_m = max_pixels * m_per_px;
  p10 = pow (10, floor (log10 (max_m)));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i] * p10 <= max_m)
      best = steps[i] * p10;
  if (best <= 0)
    return FALSE;
  bar->metres = best;
  bar->pixels = best / m_per_px;
  if (best >= 1000)
    g_snprintf (bar->label, sizeof bar->label, "%g km", best / 1000);
  else
    g_snprintf (bar->label, sizeof bar->label, "%g m", best);
  return TRUE;
}

/**
 * gis_map_north_angle:
 * @radians: (out): the direction of true north at the map's centre, clockwise from the
 *   top of the map
 *
 * Returns: %FALSE if it cannot be computed (at a pole, say)
 */
gboolean
gis_map_north_angle (GisMapSettings *settings, double *radians)
{
  g_autoptr(GisTransform) t = NULL;
  g_autoptr(GisTransform) back = NULL;
  g_autoptr(GisCrs) geographic = NULL;
  double x[2], y[2];

  g_return_val_if_fail (settings != NULL && radians != NULL, FALSE);
  geographic = _gis_crs_new_geographic_base (settings->crs, NULL);
  if (geographic == NULL)
    return FALSE;
  t = gis_transform_new (settings->crs, geographic, NULL);
  back = gis_transform_new (geographic, settings->crs, NULL);
  if (t == NULL || back == NULL)
    return FALSE;
  x[0] = settings->center_x;
  y[0] = settings->center_y;
  if (!gis_transform_points (t, x, y, 1, NULL) || !isfinite (y[0]) || fabs (y[0]) > 89.9)
    return FALSE;
  x[1] = x[0];
  y[1] = y[0] + 0.001;
  x[0] = settings->center_x;
  y[0] = settings->center_y;
  if (!gis_transform_points (back, &x[1], &y[1], 1, NULL))
    return FALSE;
  *radians = atan2 (x[1] - x[0], y[1] - y[0]);
  return isfinite (*radians);
}

static void
text_with_halo (cairo_t *cr, double x, double y, const char *text)
{
  cairo_move_to (cr, x, y);
  cairo_text_path (cr, text);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.85);
  cairo_set_line_width (cr, 3);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_fill (cr);
}

/**
 * gis_map_draw_scale_bar:
 * @x: left end of the bar, in the logical pixels of @cr
 * @y: its baseline
 *
 * A bar in two halves, black and white, with "0" and the distance under its ends.
 */
void
gis_map_draw_scale_bar (cairo_t *cr, GisMapSettings *settings, double x, double y,
                        double max_pixels)
{
  GisScaleBar bar;
  cairo_text_extents_t ext;
  const double h = 5;

  g_return_if_fail (cr != NULL && settings != NULL);
  if (!gis_map_scale_bar (settings, max_pixels, &bar))
    return;
  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, x, y - h, bar.pixels, h);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_stroke (cr);
  cairo_rectangle (cr, x, y - h, bar.pixels / 2, h);
  cairo_fill (cr);

  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 11);
  cairo_text_extents (cr, "0", &ext);
  text_with_halo (cr, x - ext.width / 2 - ext.x_bearing, y + 4 - ext.y_bearing, "0");
  cairo_text_extents (cr, bar.label, &ext);
  text_with_halo (cr, x + bar.pixels - ext.width / 2 - ext.x_bearing, y + 4 - ext.y_bearing,
                  bar.label);
  cairo_restore (cr);
}

/**
 * gis_map_draw_north_arrow:
 * @cx: centre of the arrow
 * @size: its height
 *
 * An arrow with an "N", turned towards true north at the map's centre.
 */
void
gis_map_draw_north_arrow (cairo_t *cr, GisMapSettings *settings, double cx, double cy,
                          double size)
{
  double angle = 0;
  cairo_text_extents_t ext;

  g_return_if_fail (cr != NULL && settings != NULL);
  gis_map_north_angle (settings, &angle);
  cairo_save (cr);
  cairo_translate (cr, cx, cy);
  cairo_rotate (cr, angle);
  cairo_move_to (cr, 0, -size / 2);
  cairo_line_to (cr, size / 4, size / 2);
  cairo_line_to (cr, 0, size / 3);
  cairo_close_path (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_fill (cr);
  cairo_move_to (cr, 0, -size / 2);
  cairo_line_to (cr, -size / 4, size / 2);
  cairo_line_to (cr, 0, size / 3);
  cairo_close_path (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, MAX (8, size / 3));
  cairo_text_extents (cr, "N", &ext);
  text_with_halo (cr, -ext.width / 2 - ext.x_bearing, -size / 2 - 3, "N");
  cairo_restore (cr);
}

/**
 * gis_draw_symbol_swatch:
 * @shape: how the symbol's layer draws: a box for polygons, a stroke for lines, a
 *   marker for points
 *
 * Draws a legend swatch in the box (@x, @y, @w, @h).
 */
void
gis_draw_symbol_swatch (cairo_t *cr, const GisSymbol *symbol, GisShapeKind shape, double x,
                        double y, double w, double h)
{
  g_return_if_fail (cr != NULL && symbol != NULL);

  cairo_save (cr);
  switch (shape)
    {
    case GIS_SHAPE_LINE:
      {
        GisSymbol line = *symbol;
        line.stroke_width = MAX (1.0, symbol->stroke_width);
        cairo_move_to (cr, x, y + h * 0.7);
        cairo_curve_to (cr, x + w * 0.4, y, x + w * 0.6, y + h, x + w, y + h * 0.3);
        _gis_paint_symbol_path (cr, &line, 1, FALSE);
      }
      break;
    case GIS_SHAPE_POINT:
      cairo_arc (cr, x + w / 2, y + h / 2, MIN (symbol->marker_size / 2, h / 2), 0, 2 * G_PI);
      _gis_paint_symbol_path (cr, symbol, 1, TRUE);
      break;
    default:
      cairo_rectangle (cr, x + 0.5, y + 0.5, w - 1, h - 1);
      _gis_paint_symbol_path (cr, symbol, 1, TRUE);
      break;
    }
  cairo_restore (cr);
}

typedef struct {
  cairo_t        *cr;
  GisMapSettings *settings;
  gboolean        close;
} PathWalk;

static void
path_part_cb (guint polygon, guint ring, const double *xy, guint n, gpointer user_data)
{
  PathWalk *w = user_data;

  for (guint i = 0; i < n; i++)
    {
      double px, py;
      gis_map_settings_map_to_pixel (w->settings, xy[2 * i], xy[2 * i + 1], &px, &py);
      if (i == 0)
        cairo_move_to (w->cr, px, py);
      else
        cairo_line_to (w->cr, px, py);
    }
  if (w->close)
    cairo_close_path (w->cr);
}

static void
path_point_cb (guint polygon, guint ring, const double *xy, guint n, gpointer user_data)
{
  PathWalk *w = user_data;
  double px, py;

  gis_map_settings_map_to_pixel (w->settings, xy[0], xy[1], &px, &py);
  cairo_new_sub_path (w->cr);
  cairo_arc (w->cr, px, py, 5, 0, 2 * G_PI);
}

/**
 * gis_map_draw_geometry:
 * @geometry: in the map's CRS
 *
 * Draws a geometry with a symbol in the logical pixels of @settings (a selection, the
 * zone being drawn, a highlight in a report).
 */
void
gis_map_draw_geometry (cairo_t *cr, GisMapSettings *settings, GisGeometry *geometry,
                       const GisSymbol *symbol)
{
  PathWalk w = { cr, settings, FALSE };

  g_return_if_fail (cr != NULL && settings != NULL && geometry != NULL && symbol != NULL);

  cairo_save (cr);
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_EVEN_ODD);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_new_path (cr);
  w.close = TRUE;
  _gis_geometry_walk (geometry, path_point_cb, NULL, path_part_cb, &w);
  _gis_paint_symbol_path (cr, symbol, 1, TRUE);
  w.close = FALSE;
  _gis_geometry_walk (geometry, NULL, path_part_cb, NULL, &w);
  _gis_paint_symbol_path (cr, symbol, 1, FALSE);
  cairo_restore (cr);
}

static GisShapeKind
shape_of (GisLayerSnapshot *layer)
{
  if (layer->vector == NULL)
    return GIS_SHAPE_POLYGON;
  return gis_vector_layer_get_shape_kind (layer->vector);
}

/**
 * gis_map_draw_legend:
 * @width: the legend's width; longer texts are cut
 * @measure_only: compute the height without drawing
 *
 * Lists the map's layers, top first: a swatch and the title for a single style; the
 * title, then a swatch and label per class for the others.
 *
 * Returns: the height used
 */
double
gis_map_draw_legend (cairo_t *cr, GisMapSettings *settings, double x, double y, double width,
                     gboolean measure_only)
{
  const double row = 18, sw = 22, sh = 12, gap = 6;
  double at = y;

  g_return_val_if_fail (cr != NULL && settings != NULL, 0);

  cairo_save (cr);
  cairo_rectangle (cr, x, y, width, G_MAXINT16);
  cairo_clip (cr);
  cairo_set_font_size (cr, 11);
  for (guint i = settings->layers->len; i > 0; i--)
    {
      GisLayerSnapshot *layer = g_ptr_array_index (settings->layers, i - 1);
      GisStyle *style = layer->style;
      GisShapeKind shape = shape_of (layer);
      const char *title = layer->title != NULL ? layer->title : "";
      guint n = gis_style_get_n_classes (style);

      if (gis_style_get_kind (style) == GIS_STYLE_SINGLE && layer->raster == NULL)
        {
          if (!measure_only)
            {
              gis_draw_symbol_swatch (cr, gis_style_get_other (style), shape, x,
                                      at + (row - sh) / 2, sw, sh);
              cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL,
                                      CAIRO_FONT_WEIGHT_BOLD);
              cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
              cairo_move_to (cr, x + sw + gap, at + row - 5);
              cairo_show_text (cr, title);
            }
          at += row;
          continue;
        }
      if (!measure_only)
        {
          cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
          cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
          cairo_move_to (cr, x, at + row - 5);
          cairo_show_text (cr, title);
        }
      at += row;
      for (guint k = 0; k <= n; k++)
        {
          const char *label = k < n ? gis_style_get_class (style, k)->label
                                    : gis_style_get_other_label (style);
          if (label == NULL)
            continue;
          if (!measure_only)
            {
              gis_draw_symbol_swatch (cr, gis_style_get_symbol (style, k), shape, x + 8,
                                      at + (row - sh) / 2, sw, sh);
              cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL,
                                      CAIRO_FONT_WEIGHT_NORMAL);
              cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
              cairo_move_to (cr, x + 8 + sw + gap, at + row - 5);
              cairo_show_text (cr, label);
            }
          at += row;
        }
      at += 4;
    }
  cairo_restore (cr);
  return at - y;
}
