/* gis-style.c: how a layer is drawn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-style"

#include <math.h>
#include <string.h>

#include "gis-error.h"
#include "gis-style.h"

struct _GisStyle {
  gatomicrefcount  ref_count;
  GisStyleKind     kind;
  char            *field;
  char            *label_field;
  char            *other_label;
  GisSymbol        other;
  GArray          *classes;   /* GisStyleClass */
  GHashTable      *by_value;  /* value → class index + 1, categorized only */
};

G_DEFINE_BOXED_TYPE (GisStyle, gis_style, gis_style_ref, gis_style_unref)

/* Colours */

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/**
 * gis_color_parse:
 * @text: `#rrggbb` or `#rrggbbaa`
 *
 * Returns: %TRUE if @text was a colour
 */
gboolean
gis_color_parse (const char *text, GisColor *color)
{
  size_t len;
  int v[8] = { 0, 0, 0, 0, 0, 0, 15, 15 };

  g_return_val_if_fail (color != NULL, FALSE);
  if (text == NULL || text[0] != '#')
    return FALSE;
  len = strlen (text + 1);
  if (len != 6 && len != 8)
    return FALSE;
  for (size_t i = 0; i < len; i++)
    if ((v[i] = hex_digit (text[1 + i])) < 0)
      return FALSE;
  color->r = (v[0] * 16 + v[1]) / 255.0;
  color->g = (v[2] * 16 + v[3]) / 255.0;
  color->b = (v[4] * 16 + v[5]) / 255.0;
  color->a = (v[6] * 16 + v[7]) / 255.0;
  return TRUE;
}

static int
channel (double v)
{
  return (int) lround (CLAMP (v, 0.0, 1.0) * 255.0);
}

char *
gis_color_to_string (const GisColor *color)
{
  g_return_val_if_fail (color != NULL, NULL);
  if (channel (color->a) == 255)
    return g_strdup_printf ("#%02x%02x%02x", channel (color->r), channel (color->g),
                            channel (color->b));
  return g_strdup_printf ("#%02x%02x%02x%02x", channel (color->r), channel (color->g),
                          channel (color->b), channel (color->a));
}

static GisColor
rgb (guint32 hex)
{
  return (GisColor) { ((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0,
                      (hex & 0xff) / 255.0, 1.0 };
}

/**
 * gis_palette_okabe_ito:
 *
 * Okabe & Ito (2002), "Color Universal Design": seven hues distinguishable with the common
 * colour-vision deficiencies, cycled.
 */
GisColor
gis_palette_okabe_ito (guint index)
{
  static const guint32 hues[] = {
    0xE69F00, /* orange */
    0x56B4E9, /* sky blue */
    0x009E73, /* bluish green */
    0xF0E442, /* yellow */
    0x0072B2, /* blue */
    0xD55E00, /* vermillion */
    0xCC79A7, /* reddish purple */
  };
  return rgb (hues[index % G_N_ELEMENTS (hues)]);
}

/**
 * gis_palette_viridis:
 * @t: position in 0..1
 *
 * Viridis (van der Walt & Smith), perceptually uniform and readable in grey; linear
 * between eleven anchors.
 */
GisColor
gis_palette_viridis (double t)
{
  static const guint32 anchors[] = {
    0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c,
    0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725,
  };
  const guint n = G_N_ELEMENTS (anchors) - 1;
  double pos;
  guint i;
  GisColor a, b;

  if (isnan (t))
    t = 0;
  t = CLAMP (t, 0.0, 1.0);
  pos = t * n;
  i = MIN ((guint) pos, n - 1);
  a = rgb (anchors[i]);
  b = rgb (anchors[i + 1]);
  pos -= i;
  return (GisColor) { a.r + (b.r - a.r) * pos, a.g + (b.g - a.g) * pos,
                      a.b + (b.b - a.b) * pos, 1.0 };
}

static const char *const pattern_names[] = {
  [GIS_FILL_SOLID] = "solid",
  [GIS_FILL_NONE] = "none",
  [GIS_FILL_HATCH] = "hatch",
  [GIS_FILL_CROSS_HATCH] = "cross-hatch",
  [GIS_FILL_DOTS] = "dots",
  [GIS_FILL_HORIZONTAL] = "horizontal",
};

const char *
gis_fill_pattern_to_string (GisFillPattern pattern)
{
  g_return_val_if_fail (pattern <= GIS_FILL_HORIZONTAL, NULL);
  return pattern_names[pattern];
}

gboolean
gis_fill_pattern_from_string (const char *text, GisFillPattern *pattern)
{
  for (guint i = 0; i < G_N_ELEMENTS (pattern_names); i++)
    if (g_strcmp0 (text, pattern_names[i]) == 0)
      {
        *pattern = i;
        return TRUE;
      }
  return FALSE;
}

/**
 * gis_symbol_default:
 *
 * Returns: a solid fill with a thin outline in a darker shade of the same colour
 */
GisSymbol
gis_symbol_default (GisColor fill)
{
  GisSymbol s = { 0 };

  s.fill = fill;
  s.stroke = (GisColor) { fill.r * 0.55, fill.g * 0.55, fill.b * 0.55, 1.0 };
  s.stroke_width = 0.6;
  s.pattern = GIS_FILL_SOLID;
  s.marker_size = 6;
  return s;
}

/* Styles */

static void
clear_class (gpointer data)
{
  GisStyleClass *c = data;

  g_free (c->label);
  g_strfreev (c->values);
}

static GisStyle *
style_new (GisStyleKind kind, const char *field, const GisSymbol *other)
{
  GisStyle *self = g_new0 (GisStyle, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->field = g_strdup (field);
  self->other = *other;
  self->classes = g_array_new (FALSE, TRUE, sizeof (GisStyleClass));
  g_array_set_clear_func (self->classes, clear_class);
  self->by_value = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

/**
 * gis_style_new_single:
 *
 * A style is built, then shared; once handed to a map layer it is never changed again
 * (renderers read it from worker threads). Edit a copy instead.
 *
 * Returns: (transfer full): a style drawing every feature with @symbol
 */
GisStyle *
gis_style_new_single (const GisSymbol *symbol)
{
  g_return_val_if_fail (symbol != NULL, NULL);
  return style_new (GIS_STYLE_SINGLE, NULL, symbol);
}

/**
 * gis_style_new_categorized:
 * @other: the symbol of values in no category
 *
 * Returns: (transfer full): a style with no category yet
 */
GisStyle *
gis_style_new_categorized (const char *field, const GisSymbol *other)
{
  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (other != NULL, NULL);
  return style_new (GIS_STYLE_CATEGORIZED, field, other);
}

/**
 * gis_style_new_graduated:
 * @other: the symbol of values outside every range, or not numbers
 *
 * Returns: (transfer full): a style with no range yet
 */
GisStyle *
gis_style_new_graduated (const char *field, const GisSymbol *other)
{
  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (other != NULL, NULL);
  return style_new (GIS_STYLE_GRADUATED, field, other);
}

/**
 * gis_style_add_category:
 * @values: (array zero-terminated=1): field values of this category; a value already in an
 *   earlier category stays there
 */
void
gis_style_add_category (GisStyle          *style,
                        const char        *label,
                        const char *const *values,
                        const GisSymbol   *symbol)
{
  GisStyleClass c = { 0 };

  g_return_if_fail (style != NULL && style->kind == GIS_STYLE_CATEGORIZED);
  g_return_if_fail (label != NULL && values != NULL && symbol != NULL);

  c.label = g_strdup (label);
  c.values = g_strdupv ((char **) values);
  c.symbol = *symbol;
  g_array_append_val (style->classes, c);
  for (guint i = 0; values[i] != NULL; i++)
    if (!g_hash_table_contains (style->by_value, values[i]))
      g_hash_table_insert (style->by_value, g_strdup (values[i]),
                           GUINT_TO_POINTER (style->classes->len));
}

void
gis_style_add_range (GisStyle        *style,
                     const char      *label,
                     double           lower,
                     double           upper,
                     const GisSymbol *symbol)
{
  GisStyleClass c = { 0 };

  g_return_if_fail (style != NULL && style->kind == GIS_STYLE_GRADUATED);
  g_return_if_fail (label != NULL && symbol != NULL);
  g_return_if_fail (lower <= upper);

  c.label = g_strdup (label);
  c.lower = lower;
  c.upper = upper;
  c.symbol = *symbol;
  g_array_append_val (style->classes, c);
}

/**
 * gis_style_set_label_field:
 * @field: (nullable): the field whose value labels each feature, or %NULL for no labels
 */
void
gis_style_set_label_field (GisStyle *style, const char *field)
{
  g_return_if_fail (style != NULL);
  g_free (style->label_field);
  style->label_field = (field != NULL && *field != '\0') ? g_strdup (field) : NULL;
}

void
gis_style_set_other_label (GisStyle *style, const char *label)
{
  g_return_if_fail (style != NULL);
  g_free (style->other_label);
  style->other_label = g_strdup (label);
}

GisStyle *
gis_style_copy (GisStyle *style)
{
  GisStyle *copy;

  g_return_val_if_fail (style != NULL, NULL);
  copy = style_new (style->kind, style->field, &style->other);
  gis_style_set_label_field (copy, style->label_field);
  gis_style_set_other_label (copy, style->other_label);
  for (guint i = 0; i < style->classes->len; i++)
    {
      const GisStyleClass *c = &g_array_index (style->classes, GisStyleClass, i);
      if (style->kind == GIS_STYLE_CATEGORIZED)
        gis_style_add_category (copy, c->label, (const char *const *) c->values, &c->symbol);
      else
        gis_style_add_range (copy, c->label, c->lower, c->upper, &c->symbol);
    }
  return copy;
}

GisStyle *
gis_style_ref (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, NULL);
  g_atomic_ref_count_inc (&style->ref_count);
  return style;
}

void
gis_style_unref (GisStyle *style)
{
  g_return_if_fail (style != NULL);
  if (!g_atomic_ref_count_dec (&style->ref_count))
    return;
  g_free (style->field);
  g_free (style->label_field);
  g_free (style->other_label);
  g_array_unref (style->classes);
  g_hash_table_unref (style->by_value);
  g_free (style);
}

GisStyleKind
gis_style_get_kind (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, GIS_STYLE_SINGLE);
  return style->kind;
}

const char *
gis_style_get_field (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, NULL);
  return style->field;
}

const char *
gis_style_get_label_field (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, NULL);
  return style->label_field;
}

const char *
gis_style_get_other_label (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, NULL);
  return style->other_label;
}

const GisSymbol *
gis_style_get_other (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, NULL);
  return &style->other;
}

guint
gis_style_get_n_classes (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, 0);
  return style->classes->len;
}

const GisStyleClass *
gis_style_get_class (GisStyle *style, guint index)
{
  g_return_val_if_fail (style != NULL, NULL);
  g_return_val_if_fail (index < style->classes->len, NULL);
  return &g_array_index (style->classes, GisStyleClass, index);
}

/**
 * gis_style_classify:
 * @value: (nullable): the feature's value of the style's field
 *
 * Returns: the class index of @value; gis_style_get_n_classes() for "other"
 */
guint
gis_style_classify (GisStyle *style, const char *value)
{
  g_return_val_if_fail (style != NULL, 0);

  switch (style->kind)
    {
    case GIS_STYLE_CATEGORIZED:
      {
        gpointer hit;
        if (value != NULL && (hit = g_hash_table_lookup (style->by_value, value)) != NULL)
          return GPOINTER_TO_UINT (hit) - 1;
      }
      break;

    case GIS_STYLE_GRADUATED:
      if (value != NULL && *value != '\0')
        {
          char *end = NULL;
          double v = g_ascii_strtod (value, &end);
          if (end != NULL && *end == '\0' && isfinite (v))
            for (guint i = 0; i < style->classes->len; i++)
              {
                const GisStyleClass *c = &g_array_index (style->classes, GisStyleClass, i);
                gboolean last = i + 1 == style->classes->len;
                if (v >= c->lower && (v < c->upper || (last && v <= c->upper)))
                  return i;
              }
        }
      break;

    case GIS_STYLE_SINGLE:
    default:
      break;
    }
  return style->classes->len;
}

/**
 * gis_style_get_symbol:
 * @class_index: 0..gis_style_get_n_classes(); the last is "other"
 */
const GisSymbol *
gis_style_get_symbol (GisStyle *style, guint class_index)
{
  g_return_val_if_fail (style != NULL, NULL);
  if (class_index < style->classes->len)
    return &g_array_index (style->classes, GisStyleClass, class_index).symbol;
  return &style->other;
}

guint
gis_style_get_symbol_count (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, 1);
  return style->classes->len + 1;
}

/* JSON: the form kept in the project file */

static const char *const kind_names[] = {
  [GIS_STYLE_SINGLE] = "single",
  [GIS_STYLE_CATEGORIZED] = "categorized",
  [GIS_STYLE_GRADUATED] = "graduated",
};

static void
add_color (JsonBuilder *b, const char *name, const GisColor *c)
{
  g_autofree char *text = gis_color_to_string (c);

  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, text);
}

static void
add_symbol (JsonBuilder *b, const GisSymbol *s)
{
  json_builder_begin_object (b);
  add_color (b, "fill", &s->fill);
  add_color (b, "stroke", &s->stroke);
  json_builder_set_member_name (b, "stroke_width");
  json_builder_add_double_value (b, s->stroke_width);
  json_builder_set_member_name (b, "pattern");
  json_builder_add_string_value (b, gis_fill_pattern_to_string (s->pattern));
  json_builder_set_member_name (b, "marker_size");
  json_builder_add_double_value (b, s->marker_size);
  json_builder_set_member_name (b, "dash");
  json_builder_add_boolean_value (b, s->dash);
  json_builder_end_object (b);
}

/**
 * gis_style_to_json:
 *
 * Returns: (transfer full): the style as one JSON object
 */
JsonNode *
gis_style_to_json (GisStyle *style)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (style != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind_names[style->kind]);
  if (style->field != NULL)
    {
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, style->field);
    }
  if (style->label_field != NULL)
    {
      json_builder_set_member_name (b, "label_field");
      json_builder_add_string_value (b, style->label_field);
    }
  if (style->other_label != NULL)
    {
      json_builder_set_member_name (b, "other_label");
      json_builder_add_string_value (b, style->other_label);
    }
  json_builder_set_member_name (b, "other");
  add_symbol (b, &style->other);
  json_builder_set_member_name (b, "classes");
  json_builder_begin_array (b);
  for (guint i = 0; i < style->classes->len; i++)
    {
      const GisStyleClass *c = &g_array_index (style->classes, GisStyleClass, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, c->label);
      if (style->kind == GIS_STYLE_CATEGORIZED)
        {
          json_builder_set_member_name (b, "values");
          json_builder_begin_array (b);
          for (guint j = 0; c->values[j] != NULL; j++)
            json_builder_add_string_value (b, c->values[j]);
          json_builder_end_array (b);
        }
      else
        {
          json_builder_set_member_name (b, "lower");
          json_builder_add_double_value (b, c->lower);
          json_builder_set_member_name (b, "upper");
          json_builder_add_double_value (b, c->upper);
        }
      json_builder_set_member_name (b, "symbol");
      add_symbol (b, &c->symbol);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
read_color (JsonObject *o, const char *name, GisColor *out, GError **error)
{
  const char *text = json_object_get_string_member_with_default (o, name, NULL);

  if (text == NULL || !gis_color_parse (text, out))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID,
                   "style: “%s” must be a colour such as #e69f00", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_number (JsonObject *o, const char *name, double lo, double hi, double *out,
             GError **error)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) ||
      (json_node_get_value_type (n) != G_TYPE_DOUBLE &&
       json_node_get_value_type (n) != G_TYPE_INT64))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "style: “%s” must be a number", name);
      return FALSE;
    }
  *out = json_node_get_double (n);
  if (!(*out >= lo && *out <= hi))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID,
                   "style: “%s” is %g, outside %g–%g", name, *out, lo, hi);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_symbol (JsonNode *node, GisSymbol *s, GError **error)
{
  JsonObject *o;
  const char *pattern;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "style: a symbol must be an object");
      return FALSE;
    }
  o = json_node_get_object (node);
  memset (s, 0, sizeof *s);
  if (!read_color (o, "fill", &s->fill, error) || !read_color (o, "stroke", &s->stroke, error) ||
      !read_number (o, "stroke_width", 0, 50, &s->stroke_width, error) ||
      !read_number (o, "marker_size", 0, 100, &s->marker_size, error))
    return FALSE;
  pattern = json_object_get_string_member_with_default (o, "pattern", "solid");
  if (!gis_fill_pattern_from_string (pattern, &s->pattern))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "style: unknown fill pattern “%s”",
                   pattern);
      return FALSE;
    }
  s->dash = json_object_get_boolean_member_with_default (o, "dash", FALSE);
  return TRUE;
}

/**
 * gis_style_new_from_json:
 *
 * Reads what gis_style_to_json() wrote; anything else is refused with a message naming
 * the member.
 *
 * Returns: (transfer full): the style, or %NULL
 */
GisStyle *
gis_style_new_from_json (JsonNode *node, GError **error)
{
  JsonObject *o;
  const char *kind_name, *field;
  GisStyleKind kind = GIS_STYLE_SINGLE;
  GisSymbol other;
  JsonArray *classes = NULL;
  g_autoptr(GisStyle) style = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "style: not a JSON object");
      return NULL;
    }
  o = json_node_get_object (node);
  kind_name = json_object_get_string_member_with_default (o, "kind", "");
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (kind_name, kind_names[i]) == 0)
      {
        kind = i;
        found = TRUE;
      }
  if (!found)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "style: unknown kind “%s”", kind_name);
      return NULL;
    }
  if (!read_symbol (json_object_get_member (o, "other"), &other, error))
    return NULL;
  field = json_object_get_string_member_with_default (o, "field", NULL);
  if (kind != GIS_STYLE_SINGLE && (field == NULL || *field == '\0'))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "style: a %s style needs a field",
                   kind_name);
      return NULL;
    }
  style = style_new (kind, kind == GIS_STYLE_SINGLE ? NULL : field, &other);
  gis_style_set_label_field (style,
                             json_object_get_string_member_with_default (o, "label_field", NULL));
  gis_style_set_other_label (style,
                             json_object_get_string_member_with_default (o, "other_label", NULL));

  if (json_object_has_member (o, "classes"))
    {
      JsonNode *cn = json_object_get_member (o, "classes");
      if (!JSON_NODE_HOLDS_ARRAY (cn))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "style: “classes” must be a list");
          return NULL;
        }
      classes = json_node_get_array (cn);
    }
  for (guint i = 0; classes != NULL && i < json_array_get_length (classes); i++)
    {
      JsonNode *cn = json_array_get_element (classes, i);
      JsonObject *co;
      GisSymbol symbol;
      const char *label;

      if (!JSON_NODE_HOLDS_OBJECT (cn))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "style: class %u is not an object",
                       i + 1);
          return NULL;
        }
      co = json_node_get_object (cn);
      label = json_object_get_string_member_with_default (co, "label", "");
      if (!read_symbol (json_object_get_member (co, "symbol"), &symbol, error))
        {
          g_prefix_error (error, "class “%s”: ", label);
          return NULL;
        }
      if (kind == GIS_STYLE_CATEGORIZED)
        {
          JsonNode *vn = json_object_get_member (co, "values");
          g_autoptr(GPtrArray) values = g_ptr_array_new ();
          JsonArray *va;

          if (vn == NULL || !JSON_NODE_HOLDS_ARRAY (vn))
            {
              g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID,
                           "style: class “%s” needs a list of values", label);
              return NULL;
            }
          va = json_node_get_array (vn);
          for (guint j = 0; j < json_array_get_length (va); j++)
            {
              JsonNode *v = json_array_get_element (va, j);
              if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING)
                {
                  g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID,
                               "style: class “%s”: values must be strings", label);
                  return NULL;
                }
              g_ptr_array_add (values, (gpointer) json_node_get_string (v));
            }
          g_ptr_array_add (values, NULL);
          gis_style_add_category (style, label, (const char *const *) values->pdata, &symbol);
        }
      else if (kind == GIS_STYLE_GRADUATED)
        {
          double lower, upper;
          if (!read_number (co, "lower", -G_MAXDOUBLE, G_MAXDOUBLE, &lower, error) ||
              !read_number (co, "upper", lower, G_MAXDOUBLE, &upper, error))
            {
              g_prefix_error (error, "class “%s”: ", label);
              return NULL;
            }
          gis_style_add_range (style, label, lower, upper, &symbol);
        }
    }
  return g_steal_pointer (&style);
}

/* Colours are kept to 8 bits per channel in the project file, so they compare so. */
static gboolean
color_equal (const GisColor *a, const GisColor *b)
{
  return channel (a->r) == channel (b->r) && channel (a->g) == channel (b->g) &&
         channel (a->b) == channel (b->b) && channel (a->a) == channel (b->a);
}

static gboolean
symbol_equal (const GisSymbol *a, const GisSymbol *b)
{
  return color_equal (&a->fill, &b->fill) && color_equal (&a->stroke, &b->stroke) &&
         a->stroke_width == b->stroke_width && a->pattern == b->pattern &&
         a->marker_size == b->marker_size && !a->dash == !b->dash;
}

gboolean
gis_style_equal (GisStyle *a, GisStyle *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a == b)
    return TRUE;
  if (a->kind != b->kind || g_strcmp0 (a->field, b->field) != 0 ||
      g_strcmp0 (a->label_field, b->label_field) != 0 ||
      g_strcmp0 (a->other_label, b->other_label) != 0 ||
      !symbol_equal (&a->other, &b->other) || a->classes->len != b->classes->len)
    return FALSE;
  for (guint i = 0; i < a->classes->len; i++)
    {
      const GisStyleClass *ca = &g_array_index (a->classes, GisStyleClass, i);
      const GisStyleClass *cb = &g_array_index (b->classes, GisStyleClass, i);
      if (g_strcmp0 (ca->label, cb->label) != 0 || !symbol_equal (&ca->symbol, &cb->symbol) ||
          ca->lower != cb->lower || ca->upper != cb->upper ||
          !g_strv_equal ((const char *const *) (ca->values ? ca->values : (char *[]) { NULL }),
                         (const char *const *) (cb->values ? cb->values : (char *[]) { NULL })))
        return FALSE;
    }
  return TRUE;
}
