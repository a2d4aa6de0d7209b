/* ui-style-editor.c: changing how a layer is drawn
 *
 * One symbol for every feature, or one per value of a field (the values found in the
 * layer, coloured from the Okabe–Ito palette); for each symbol its fill colour, pattern,
 * outline colour and width; and the field that labels the features. The layer keeps its
 * style until Apply: styles are values shared with renderer threads and never edited in
 * place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ui-style-editor"

#include <glib/gi18n-lib.h>

#include "ui-style-editor.h"

#define MAX_CATEGORIES 24

typedef struct {
  GtkWidget *row;
  GtkWidget *fill;
  GtkWidget *pattern;
  GtkWidget *stroke;
  GtkWidget *width;
  GisSymbol  base;
  char      *label;
  char     **values;
} SymbolRow;

struct _UiStyleEditor {
  AdwWindow    parent_instance;

  /* Owned */
  GisMapLayer *layer;
  GArray      *rows;     /* SymbolRow; the last is "other" for categories */

  /* Children */
  GtkWidget   *kind_row;
  GtkWidget   *field_row;
  GtkWidget   *label_row;
  GtkWidget   *symbols_group;
  GtkWidget   *apply_button;
  char        *field;
};

G_DEFINE_FINAL_TYPE (UiStyleEditor, ui_style_editor, ADW_TYPE_WINDOW)

static const char *const pattern_labels[] = {
  N_("Solid"), N_("Outline only"), N_("Hatched"), N_("Cross-hatched"), N_("Dotted"),
  N_("Horizontal lines"),
};

static void
clear_symbol_row (gpointer data)
{
  SymbolRow *r = data;

  g_free (r->label);
  g_strfreev (r->values);
}

static GdkRGBA
to_rgba (const GisColor *c)
{
  return (GdkRGBA) { c->r, c->g, c->b, c->a };
}

static GisColor
from_rgba (const GdkRGBA *c)
{
  return (GisColor) { c->red, c->green, c->blue, c->alpha };
}

static void
add_symbol_row (UiStyleEditor *self, const char *label, const char *const *values,
                const GisSymbol *symbol)
{
  SymbolRow r = { 0 };
  GdkRGBA fill = to_rgba (&symbol->fill), stroke = to_rgba (&symbol->stroke);
  g_autofree char *fill_label = g_strdup_printf (_("Fill colour of “%s”"), label);
  g_autofree char *stroke_label = g_strdup_printf (_("Outline colour of “%s”"), label);
  g_autofree char *pattern_label = g_strdup_printf (_("Pattern of “%s”"), label);
  g_autofree char *width_label = g_strdup_printf (_("Outline width of “%s”"), label);
  const char *patterns[G_N_ELEMENTS (pattern_labels) + 1] = { NULL };

  for (guint i = 0; i < G_N_ELEMENTS (pattern_labels); i++)
    patterns[i] = _(pattern_labels[i]);
  r.base = *symbol;
  r.label = g_strdup (label);
  r.values = values ? g_strdupv ((char **) values) : NULL;
  r.row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r.row), label);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (r.row), FALSE);

  r.fill = gtk_color_button_new_with_rgba (&fill);
  gtk_color_chooser_set_use_alpha (GTK_COLOR_CHOOSER (r.fill), TRUE);
  gtk_widget_set_valign (r.fill, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (r.fill, fill_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (r.fill), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  fill_label, -1);
  r.pattern = gtk_drop_down_new_from_strings (patterns);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (r.pattern), symbol->pattern);
  gtk_widget_set_valign (r.pattern, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (r.pattern), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  pattern_label, -1);
  r.stroke = gtk_color_button_new_with_rgba (&stroke);
  gtk_widget_set_valign (r.stroke, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (r.stroke, stroke_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (r.stroke), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  stroke_label, -1);
  r.width = gtk_spin_button_new_with_range (0, 10, 0.1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (r.width), symbol->stroke_width);
  gtk_widget_set_valign (r.width, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (r.width, width_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (r.width), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  width_label, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (r.row), r.fill);
  adw_action_row_add_suffix (ADW_ACTION_ROW (r.row), r.pattern);
  adw_action_row_add_suffix (ADW_ACTION_ROW (r.row), r.stroke);
  adw_action_row_add_suffix (ADW_ACTION_ROW (r.row), r.width);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->symbols_group), r.row);
  g_array_append_val (self->rows, r);
}

static void
clear_rows (UiStyleEditor *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self->symbols_group),
                                  g_array_index (self->rows, SymbolRow, i).row);
  g_array_set_size (self->rows, 0);
}

static GisSymbol
read_row (SymbolRow *r)
{
  GisSymbol s = r->base;
  GdkRGBA c;

  gtk_color_chooser_get_rgba (GTK_COLOR_CHOOSER (r->fill), &c);
  s.fill = from_rgba (&c);
  gtk_color_chooser_get_rgba (GTK_COLOR_CHOOSER (r->stroke), &c);
  s.stroke = from_rgba (&c);
  s.pattern = gtk_drop_down_get_selected (GTK_DROP_DOWN (r->pattern));
  s.stroke_width = gtk_spin_button_get_value (GTK_SPIN_BUTTON (r->width));
  return s;
}

static const char *
selected_string (GtkWidget *combo)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (ADW_COMBO_ROW (combo));

  return item ? gtk_string_object_get_string (item) : NULL;
}

/* Rows for the layer's current style. */
static void
rows_from_style (UiStyleEditor *self, GisStyle *style)
{
  guint n = gis_style_get_n_classes (style);

  clear_rows (self);
  if (gis_style_get_kind (style) == GIS_STYLE_SINGLE)
    {
      add_symbol_row (self, _("All features"), NULL, gis_style_get_other (style));
      return;
    }
  for (guint k = 0; k < n; k++)
    {
      const GisStyleClass *c = gis_style_get_class (style, k);
      add_symbol_row (self, c->label, (const char *const *) c->values, &c->symbol);
    }
  add_symbol_row (self, gis_style_get_other_label (style) ? gis_style_get_other_label (style)
                                                          : _("Other values"),
                  NULL, gis_style_get_other (style));
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* Categories from the values the layer holds in @field. */
static void
classify (UiStyleEditor *self, const char *field)
{
  GisVectorLayer *v = gis_map_layer_get_vector (self->layer);
  int index = gis_vector_layer_find_field (v, field);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  GisSymbol base = g_array_index (self->rows, SymbolRow, 0).base;

  if (index < 0)
    return;
  for (guint i = 0; i < gis_vector_layer_get_n_features (v); i++)
    {
      const char *value = gis_vector_layer_get_value (v, i, (guint) index);
      if (value != NULL && !g_hash_table_contains (seen, value))
        {
          g_hash_table_add (seen, (gpointer) value);
          g_ptr_array_add (values, (gpointer) value);
        }
    }
  g_ptr_array_sort (values, compare_strings);
  clear_rows (self);
  for (guint i = 0; i < values->len && i < MAX_CATEGORIES; i++)
    {
      const char *one[] = { g_ptr_array_index (values, i), NULL };
      GisSymbol s = gis_symbol_default (gis_palette_okabe_ito (i));
      s.stroke_width = base.stroke_width;
      s.marker_size = base.marker_size;
      add_symbol_row (self, one[0], one, &s);
    }
  {
    GisSymbol other = gis_symbol_default ((GisColor) { 0.6, 0.6, 0.6, 1 });
    other.marker_size = base.marker_size;
    add_symbol_row (self, values->len > MAX_CATEGORIES ? _("Other values") : _("No value"),
                    NULL, &other);
  }
  g_free (self->field);
  self->field = g_strdup (field);
}

static void
on_kind_or_field (GObject *row, GParamSpec *pspec, UiStyleEditor *self)
{
  gboolean categories = adw_combo_row_get_selected (ADW_COMBO_ROW (self->kind_row)) == 1;

  gtk_widget_set_visible (self->field_row, categories);
  if (!categories && self->rows->len != 1)
    {
      GisSymbol s = g_array_index (self->rows, SymbolRow, 0).base;
      clear_rows (self);
      add_symbol_row (self, _("All features"), NULL, &s);
      g_clear_pointer (&self->field, g_free);
    }
  else if (categories && g_strcmp0 (selected_string (self->field_row), self->field) != 0)
    classify (self, selected_string (self->field_row));
}

static void
on_apply (GtkButton *button, UiStyleEditor *self)
{
  g_autoptr(GisStyle) style = NULL;
  const char *label_field = adw_combo_row_get_selected (ADW_COMBO_ROW (self->label_row)) == 0
                            ? NULL : selected_string (self->label_row);
  guint n = self->rows->len;

  if (gis_style_get_kind (gis_map_layer_get_style (self->layer)) == GIS_STYLE_GRADUATED &&
      n == gis_style_get_n_classes (gis_map_layer_get_style (self->layer)) + 1)
    {
      GisStyle *old = gis_map_layer_get_style (self->layer);
      GisSymbol os = read_row (&g_array_index (self->rows, SymbolRow, n - 1));
      style = gis_style_new_graduated (gis_style_get_field (old), &os);
      gis_style_set_other_label (style, gis_style_get_other_label (old));
      for (guint i = 0; i + 1 < n; i++)
        {
          const GisStyleClass *c = gis_style_get_class (old, i);
          GisSymbol s = read_row (&g_array_index (self->rows, SymbolRow, i));
          gis_style_add_range (style, c->label, c->lower, c->upper, &s);
        }
    }
  else if (self->field == NULL || n < 2)
    {
      GisSymbol s = read_row (&g_array_index (self->rows, SymbolRow, 0));
      style = gis_style_new_single (&s);
    }
  else
    {
      SymbolRow *other = &g_array_index (self->rows, SymbolRow, n - 1);
      GisSymbol os = read_row (other);
      style = gis_style_new_categorized (self->field, &os);
      gis_style_set_other_label (style, other->label);
      for (guint i = 0; i + 1 < n; i++)
        {
          SymbolRow *r = &g_array_index (self->rows, SymbolRow, i);
          GisSymbol s = read_row (r);
          if (r->values != NULL)
            gis_style_add_category (style, r->label, (const char *const *) r->values, &s);
        }
    }
  gis_style_set_label_field (style, label_field);
  gis_map_layer_set_style (self->layer, style);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
ui_style_editor_finalize (GObject *object)
{
  UiStyleEditor *self = UI_STYLE_EDITOR (object);

  g_clear_object (&self->layer);
  g_array_unref (self->rows);
  g_free (self->field);

  G_OBJECT_CLASS (ui_style_editor_parent_class)->finalize (object);
}

static void
ui_style_editor_class_init (UiStyleEditorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ui_style_editor_finalize;
  gtk_widget_class_add_binding_action (GTK_WIDGET_CLASS (klass), GDK_KEY_Escape, 0,
                                       "window.close", NULL);
}

static void
ui_style_editor_init (UiStyleEditor *self)
{
  self->rows = g_array_new (FALSE, TRUE, sizeof (SymbolRow));
  g_array_set_clear_func (self->rows, clear_symbol_row);
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 600);
}

/**
 * ui_style_editor_new:
 *
 * Returns: (transfer none): the editor, shown
 */
UiStyleEditor *
ui_style_editor_new (GtkWindow *parent, GisMapLayer *layer)
{
  UiStyleEditor *self = g_object_new (UI_TYPE_STYLE_EDITOR, "modal", TRUE,
                                      "transient-for", parent, NULL);
  GisStyle *style = gis_map_layer_get_style (layer);
  GisVectorLayer *v = gis_map_layer_get_vector (layer);
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) fields = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autofree char *title = g_strdup_printf (_("Style of “%s”"), gis_map_layer_get_title (layer));
  GtkWidget *box, *header, *cancel, *page, *group;

  self->layer = g_object_ref (layer);
  gtk_window_set_title (GTK_WINDOW (self), title);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  self->apply_button = gtk_button_new_with_mnemonic (_("_Apply"));
  gtk_widget_add_css_class (self->apply_button, "suggested-action");
  g_signal_connect (self->apply_button, "clicked", G_CALLBACK (on_apply), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->apply_button);
  gtk_box_append (GTK_BOX (box), header);

  page = adw_preferences_page_new ();
  gtk_widget_set_vexpand (page, TRUE);
  group = adw_preferences_group_new ();
  if (v == NULL)
    {
      GtkWidget *note = gtk_label_new (_("A raster is drawn with its own colour table, or in "
                                         "grey; use the layer's opacity to see what lies under "
                                         "it."));
      gtk_label_set_wrap (GTK_LABEL (note), TRUE);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), note);
      gtk_widget_set_sensitive (self->apply_button, FALSE);
      adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
      gtk_box_append (GTK_BOX (box), page);
      adw_window_set_content (ADW_WINDOW (self), box);
      gtk_window_present (GTK_WINDOW (self));
      return self;
    }

  gtk_string_list_append (kinds, _("One symbol"));
  gtk_string_list_append (kinds, _("A symbol per value"));
  gtk_string_list_append (labels, _("No labels"));
  for (guint i = 0; i < gis_vector_layer_get_n_fields (v); i++)
    {
      gtk_string_list_append (fields, gis_vector_layer_get_field_name (v, i));
      gtk_string_list_append (labels, gis_vector_layer_get_field_name (v, i));
    }
  self->kind_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->kind_row), _("Draw with"));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->kind_row), G_LIST_MODEL (kinds));
  self->field_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->field_row), _("Field"));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->field_row), G_LIST_MODEL (fields));
  self->label_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->label_row), _("Labels"));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->label_row), G_LIST_MODEL (labels));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->kind_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->field_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->label_row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  self->symbols_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->symbols_group), _("Symbols"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->symbols_group),
                                         _("Fill, pattern, outline and outline width. Later "
                                           "symbols are drawn over earlier ones. A pattern "
                                           "keeps statuses apart in grey print and for readers "
                                           "with colour-vision deficiencies."));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (self->symbols_group));
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (self), box);

  /* The current style. */
  self->field = g_strdup (gis_style_get_field (style));
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->kind_row),
                              gis_style_get_kind (style) == GIS_STYLE_CATEGORIZED ? 1 : 0);
  if (self->field != NULL)
    {
      int f = gis_vector_layer_find_field (v, self->field);
      if (f >= 0)
        adw_combo_row_set_selected (ADW_COMBO_ROW (self->field_row), (guint) f);
    }
  gtk_widget_set_visible (self->field_row, gis_style_get_kind (style) == GIS_STYLE_CATEGORIZED);
  {
    int lf = gis_vector_layer_find_field (v, gis_style_get_label_field (style));
    adw_combo_row_set_selected (ADW_COMBO_ROW (self->label_row), lf >= 0 ? (guint) lf + 1 : 0);
  }
  rows_from_style (self, style);
  if (gis_style_get_kind (style) == GIS_STYLE_GRADUATED)
    {
      /* Graduated styles are kept as they are; only their symbols are edited here. */
      gtk_widget_set_sensitive (self->kind_row, FALSE);
      gtk_widget_set_sensitive (self->field_row, FALSE);
    }
  g_signal_connect (self->kind_row, "notify::selected", G_CALLBACK (on_kind_or_field), self);
  g_signal_connect (self->field_row, "notify::selected", G_CALLBACK (on_kind_or_field), self);
  gtk_window_present (GTK_WINDOW (self));
  return self;
}
