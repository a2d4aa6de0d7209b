/* gis-style.h: how a layer is drawn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * GisColor:
 *
 * A straight (not premultiplied) RGBA colour, each channel in 0..1.
 */
typedef struct {
  double r;
  double g;
  double b;
  double a;
} GisColor;

gboolean gis_color_parse     (const char     *text,
                              GisColor       *color);
char    *gis_color_to_string (const GisColor *color);

/* Colour-blind-safe palettes: Okabe & Ito's eight categorical colours (black excluded from
 * the cycle, so seven), and viridis for sequences. */
GisColor gis_palette_okabe_ito (guint  index);
GisColor gis_palette_viridis   (double t);

/**
 * GisFillPattern:
 * @GIS_FILL_SOLID: filled with the fill colour
 * @GIS_FILL_NONE: outline only
 * @GIS_FILL_HATCH: diagonal lines over a light tint of the fill colour
 * @GIS_FILL_CROSS_HATCH: crossed diagonal lines over a light tint
 * @GIS_FILL_DOTS: dots over a light tint
 * @GIS_FILL_HORIZONTAL: horizontal lines over a light tint
 *
 * Patterns carry status as well as colour, so that a map printed in grey or read with a
 * colour-vision deficiency still tells a designated zone from a proposed one.
 */
typedef enum {
  GIS_FILL_SOLID,
  GIS_FILL_NONE,
  GIS_FILL_HATCH,
  GIS_FILL_CROSS_HATCH,
  GIS_FILL_DOTS,
  GIS_FILL_HORIZONTAL,
} GisFillPattern;

const char *gis_fill_pattern_to_string   (GisFillPattern pattern);
gboolean    gis_fill_pattern_from_string (const char    *text,
                                          GisFillPattern *pattern);

/**
 * GisSymbol:
 * @fill: fill colour of polygons and point markers
 * @stroke: outline colour, and the colour of lines
 * @stroke_width: outline or line width in logical pixels (0: none)
 * @pattern: fill pattern of polygons
 * @marker_size: diameter of point markers in logical pixels
 * @dash: whether lines and outlines are dashed
 */
typedef struct {
  GisColor       fill;
  GisColor       stroke;
  double         stroke_width;
  GisFillPattern pattern;
  double         marker_size;
  gboolean       dash;
} GisSymbol;

GisSymbol gis_symbol_default (GisColor fill);

/**
 * GisStyleKind:
 * @GIS_STYLE_SINGLE: every feature with the same symbol
 * @GIS_STYLE_CATEGORIZED: one symbol per value (or list of values) of a field
 * @GIS_STYLE_GRADUATED: one symbol per interval of a numeric field
 */
typedef enum {
  GIS_STYLE_SINGLE,
  GIS_STYLE_CATEGORIZED,
  GIS_STYLE_GRADUATED,
} GisStyleKind;

/**
 * GisStyleClass:
 * @label: the legend text
 * @values: (array zero-terminated=1): for categories, the field values that fall in it
 * @lower: for graduated classes, the lower bound (inclusive)
 * @upper: for graduated classes, the upper bound (exclusive, inclusive for the last class)
 * @symbol: how the class is drawn
 */
typedef struct {
  char      *label;
  char     **values;
  double     lower;
  double     upper;
  GisSymbol  symbol;
} GisStyleClass;

#define GIS_TYPE_STYLE (gis_style_get_type ())
typedef struct _GisStyle GisStyle;

GType                gis_style_get_type        (void) G_GNUC_CONST;
GisStyle            *gis_style_new_single      (const GisSymbol *symbol);
GisStyle            *gis_style_new_categorized (const char      *field,
                                                const GisSymbol *other);
GisStyle            *gis_style_new_graduated   (const char      *field,
                                                const GisSymbol *other);
void                 gis_style_add_category    (GisStyle        *style,
                                                const char      *label,
                                                const char *const *values,
                                                const GisSymbol *symbol);
void                 gis_style_add_range       (GisStyle        *style,
                                                const char      *label,
                                                double           lower,
                                                double           upper,
                                                const GisSymbol *symbol);
void                 gis_style_set_label_field (GisStyle        *style,
                                                const char      *field);
void                 gis_style_set_other_label (GisStyle        *style,
                                                const char      *label);
GisStyle            *gis_style_copy            (GisStyle        *style);
GisStyle            *gis_style_ref             (GisStyle        *style);
void                 gis_style_unref           (GisStyle        *style);

GisStyleKind         gis_style_get_kind        (GisStyle        *style);
const char          *gis_style_get_field       (GisStyle        *style);
const char          *gis_style_get_label_field (GisStyle        *style);
const char          *gis_style_get_other_label (GisStyle        *style);
const GisSymbol     *gis_style_get_other       (GisStyle        *style);
guint                gis_style_get_n_classes   (GisStyle        *style);
const GisStyleClass *gis_style_get_class       (GisStyle        *style,
                                                guint            index);
guint                gis_style_classify        (GisStyle        *style,
                                                const char      *value);
const GisSymbol     *gis_style_get_symbol      (GisStyle        *style,
                                                guint            class_index);
guint                gis_style_get_symbol_count (GisStyle       *style);

JsonNode            *gis_style_to_json         (GisStyle        *style);
GisStyle            *gis_style_new_from_json   (JsonNode        *node,
                                                GError         **error);
gboolean             gis_style_equal           (GisStyle        *a,
                                                GisStyle        *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisStyle, gis_style_unref)

G_END_DECLS
