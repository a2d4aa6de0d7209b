/* gis-map-decor.h: scale bar, north arrow and legend, for the canvas and for reports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "gis-map-settings.h"
#include "gis-vector-layer.h"

G_BEGIN_DECLS

/**
 * GisScaleBar:
 * @metres: the ground distance the bar stands for (a round number)
 * @pixels: its length in logical pixels
 * @label: e.g. "5 km"
 */
typedef struct {
  double metres;
  double pixels;
  char   label[32];
} GisScaleBar;

gboolean gis_map_scale_bar          (GisMapSettings *settings,
                                     double          max_pixels,
                                     GisScaleBar    *bar);
gboolean gis_map_north_angle        (GisMapSettings *settings,
                                     double         *radians);
gboolean gis_map_metres_per_pixel   (GisMapSettings *settings,
                                     double          px,
                                     double          py,
                                     double         *metres);
void     gis_map_draw_scale_bar     (cairo_t        *cr,
                                     GisMapSettings *settings,
                                     double          x,
                                     double          y,
                                     double          max_pixels);
void     gis_map_draw_north_arrow   (cairo_t        *cr,
                                     GisMapSettings *settings,
                                     double          cx,
                                     double          cy,
                                     double          size);
double   gis_map_draw_legend        (cairo_t        *cr,
                                     GisMapSettings *settings,
                                     double          x,
                                     double          y,
                                     double          width,
                                     gboolean        measure_only);
void     gis_map_draw_geometry      (cairo_t        *cr,
                                     GisMapSettings *settings,
                                     GisGeometry    *geometry,
                                     const GisSymbol *symbol);
void     gis_draw_symbol_swatch     (cairo_t        *cr,
                                     const GisSymbol *symbol,
                                     GisShapeKind    shape,
                                     double          x,
                                     double          y,
                                     double          w,
                                     double          h);

G_END_DECLS
