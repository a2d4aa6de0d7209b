/* ui-layer-row.c: one map layer in the sidebar
 *
 * A check box for visibility, a swatch of the layer's style, its title and what it is,
 * and a menu with its opacity and the layer actions. Everything the row does goes through
 * window actions named after the layer ("win.zoom-layer('deposits')"), the same ones the
 * keyboard shortcuts and D-Bus reach.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ui-layer-row"

#include <glib/gi18n-lib.h>

#include "ui-layer-list.h"
#include "ui-layer-row.h"

struct _UiLayerRow {
  GtkWidget    parent_instance;

  /* Owned */
  GisMapLayer *layer;
  GBinding    *visible_binding;
  GBinding    *opacity_binding;
  gulong       notify_id;

  /* Children */
  GtkWidget   *box;
  GtkWidget   *check;
  GtkWidget   *swatch;
  GtkWidget   *title;
  GtkWidget   *subtitle;
  GtkWidget   *menu_button;
  GtkWidget   *opacity;       /* the slider, in the popover */
};

G_DEFINE_FINAL_TYPE (UiLayerRow, ui_layer_row, GTK_TYPE_WIDGET)

static void
draw_swatch (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  UiLayerRow *self = user_data;

  if (self->layer != NULL)
    ui_draw_layer_swatch (cr, self->layer, width, height);
}

static GMenuModel *
layer_menu (const char *title)
{
  GMenu *menu = g_menu_new ();
  GMenu *section = g_menu_new ();
  GMenu *order = g_menu_new ();
  GMenuItem *item;
  struct { const char *label, *action; } items[] = {
    { N_("_Zoom to Layer"), "win.zoom-layer" },
    { N_("_Style…"), "win.edit-style" },
  }, order_items[] = {
    { N_("Move _Up"), "win.move-layer-up" },
    { N_("Move _Down"), "win.move-layer-down" },
    { N_("_Remove from Project"), "win.remove-layer" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      item = g_menu_item_new (_(items[i].label), NULL);
      g_menu_item_set_action_and_target_value (item, items[i].action,
                                               g_variant_new_string (title));
      g_menu_append_item (section, item);
      g_object_unref (item);
    }
  for (guint i = 0; i < G_N_ELEMENTS (order_items); i++)
    {
      item = g_menu_item_new (_(order_items[i].label), NULL);
      g_menu_item_set_action_and_target_value (item, order_items[i].action,
                                               g_variant_new_string (title));
      g_menu_append_item (order, item);
      g_object_unref (item);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (order));
  g_object_unref (section);
  g_object_unref (order);
  return G_MENU_MODEL (menu);
}

static void
refresh (UiLayerRow *self)
{
  g_autofree char *description = NULL;
  g_autofree char *show = NULL;
  g_autofree char *options = NULL;
  const char *title;

  if (self->layer == NULL)
    return;
  title = gis_map_layer_get_title (self->layer);
  gtk_label_set_label (GTK_LABEL (self->title), title);
  description = ui_layer_describe (self->layer);
  gtk_label_set_label (GTK_LABEL (self->subtitle), description);
  /* The whole text, whatever the sidebar's width cuts off. */
  {
    g_autofree char *full = g_strdup_printf ("%s\n%s", title, description);
    gtk_widget_set_tooltip_text (gtk_widget_get_parent (self->subtitle), full);
  }
  gtk_widget_queue_draw (self->swatch);

  show = g_strdup_printf (_("Show “%s”"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  show, -1);
  gtk_widget_set_tooltip_text (self->check, show);
  options = g_strdup_printf (_("Options of “%s”"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, options, -1);
  gtk_widget_set_tooltip_text (self->menu_button, options);

}

/* The popover: the opacity slider, then the layer menu. Made anew for each layer, since
 * the menu's actions carry the layer's title. */
static void
build_popover (UiLayerRow *self)
{
  g_autoptr(GMenuModel) menu = NULL;
  g_autoptr(GMenu) with_slider = g_menu_new ();
  g_autoptr(GMenuItem) slot = g_menu_item_new (NULL, NULL);
  GtkWidget *popover, *box, *label;

  g_menu_item_set_attribute (slot, "custom", "s", "opacity");
  g_menu_append_item (with_slider, slot);
  menu = layer_menu (gis_map_layer_get_title (self->layer));
  g_menu_append_section (with_slider, NULL, menu);
  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (with_slider));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 8);
  label = gtk_label_new (_("Opacity"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption-heading");
  self->opacity = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 0.05);
  gtk_widget_set_size_request (self->opacity, 180, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->opacity), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Opacity"), -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), self->opacity);
  gtk_popover_menu_add_child (GTK_POPOVER_MENU (popover), box, "opacity");
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->menu_button), popover);
}

static void
on_layer_notify (GisMapLayer *layer, GParamSpec *pspec, UiLayerRow *self)
{
  if (g_strcmp0 (pspec->name, "style") == 0 || g_strcmp0 (pspec->name, "title") == 0 ||
      g_strcmp0 (pspec->name, "vector") == 0)
    refresh (self);
}

/* Bindings are held with a reference: GLib drops a binding by itself when either end goes
 * away, and the row must not be left with a dangling pointer. */
static void
clear_binding (GBinding **binding)
{
  if (*binding == NULL)
    return;
  g_binding_unbind (*binding);
  g_clear_object (binding);
}

void
ui_layer_row_set_layer (UiLayerRow *self, GisMapLayer *layer)
{
  g_return_if_fail (UI_IS_LAYER_ROW (self));

  if (self->layer == layer)
    return;
  clear_binding (&self->visible_binding);
  clear_binding (&self->opacity_binding);
  if (self->layer != NULL)
    g_clear_signal_handler (&self->notify_id, self->layer);
  g_set_object (&self->layer, layer);
  if (layer == NULL)
    return;
  build_popover (self);
  self->visible_binding = g_object_ref (g_object_bind_property (layer, "visible", self->check,
                                                                "active",
                                                                G_BINDING_BIDIRECTIONAL |
                                                                G_BINDING_SYNC_CREATE));
  self->opacity_binding = g_object_ref (g_object_bind_property (
    layer, "opacity", gtk_range_get_adjustment (GTK_RANGE (self->opacity)), "value",
    G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE));
  self->notify_id = g_signal_connect (layer, "notify", G_CALLBACK (on_layer_notify), self);
  refresh (self);
}

/**
 * ui_layer_row_get_layer:
 *
 * Returns: (transfer none) (nullable): the row's layer
 */
GisMapLayer *
ui_layer_row_get_layer (UiLayerRow *self)
{
  g_return_val_if_fail (UI_IS_LAYER_ROW (self), NULL);
  return self->layer;
}

static void
ui_layer_row_dispose (GObject *object)
{
  UiLayerRow *self = UI_LAYER_ROW (object);

  ui_layer_row_set_layer (self, NULL);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (ui_layer_row_parent_class)->dispose (object);
}

static void
ui_layer_row_class_init (UiLayerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ui_layer_row_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "layerrow");
}

static void
ui_layer_row_init (UiLayerRow *self)
{
  GtkWidget *labels, *handle;

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_set_margin_start (self->box, 6);
  gtk_widget_set_margin_end (self->box, 6);
  gtk_widget_set_margin_top (self->box, 4);
  gtk_widget_set_margin_bottom (self->box, 4);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  handle = gtk_image_new_from_icon_name ("list-drag-handle-symbolic");
  gtk_widget_add_css_class (handle, "dim-label");
  gtk_widget_set_tooltip_text (handle, _("Drag to reorder"));
  gtk_box_append (GTK_BOX (self->box), handle);

  self->check = gtk_check_button_new ();
  gtk_box_append (GTK_BOX (self->box), self->check);

  self->swatch = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (self->swatch), 24);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->swatch), 16);
  gtk_widget_set_valign (self->swatch, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->swatch), draw_swatch, self, NULL);
  gtk_box_append (GTK_BOX (self->box), self->swatch);

  labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_hexpand (labels, TRUE);
  self->title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->title), PANGO_ELLIPSIZE_END);
  self->subtitle = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->subtitle), 0);
  /* Two lines before it is cut: French and Portuguese descriptions run longer. */
  gtk_label_set_wrap (GTK_LABEL (self->subtitle), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->subtitle), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (self->subtitle), 2);
  gtk_label_set_ellipsize (GTK_LABEL (self->subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (self->subtitle, "caption");
  gtk_widget_add_css_class (self->subtitle, "dim-label");
  gtk_box_append (GTK_BOX (labels), self->title);
  gtk_box_append (GTK_BOX (labels), self->subtitle);
  gtk_box_append (GTK_BOX (self->box), labels);

  self->menu_button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (self->menu_button), "view-more-symbolic");
  gtk_widget_add_css_class (self->menu_button, "flat");
  gtk_widget_set_valign (self->menu_button, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->box), self->menu_button);

}

GtkWidget *
ui_layer_row_new (void)
{
  return g_object_new (UI_TYPE_LAYER_ROW, NULL);
}
