/* ui-layer-list.c: the sidebar's list of map layers
 *
 * A GtkListView over the workspace's layers, top layer first as on the map. Rows are
 * reordered by dragging one onto another (or with Move Up / Move Down in the row's menu,
 * for the keyboard).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ui-layer-list"

#include <glib/gi18n-lib.h>

#include "ui-layer-list.h"
#include "ui-layer-row.h"

struct _UiLayerList {
  GtkWidget       parent_instance;

  /* Owned */
  ZonesWorkspace *workspace;

  /* Children */
  GtkWidget      *scroller;
  GtkWidget      *list_view;
};

G_DEFINE_FINAL_TYPE (UiLayerList, ui_layer_list, GTK_TYPE_WIDGET)

/**
 * ui_role_label:
 *
 * Returns: the role as the planner reads it
 */
const char *
ui_role_label (const char *role)
{
  static const struct { const char *role, *label; } labels[] = {
    { "deposits", N_("Deposits") },
    { "concessions", N_("Mining titles") },
    { "landuse", N_("Land use") },
    { "borders", N_("Borders") },
    { "sites", N_("ASM sites") },
    { "zones", N_("ASM zones") },
    { "water", N_("Water") },
    { "other", N_("Other") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (role, labels[i].role) == 0)
      return _(labels[i].label);
  return role != NULL ? role : _("Other");
}

/**
 * ui_layer_describe:
 *
 * Returns: (transfer full): e.g. "Mining titles · 396 polygons"
 */
char *
ui_layer_describe (GisMapLayer *layer)
{
  GisVectorLayer *v = gis_map_layer_get_vector (layer);
  GisRaster *r = gis_map_layer_get_raster (layer);
  const char *role = ui_role_label (gis_map_layer_get_role (layer));

  if (v != NULL)
    {
      guint n = gis_vector_layer_get_n_features (v);
      switch (gis_vector_layer_get_shape_kind (v))
        {
        case GIS_SHAPE_POINT:
          return g_strdup_printf (ngettext ("%s · %u point", "%s · %u points", n), role, n);
        case GIS_SHAPE_LINE:
          return g_strdup_printf (ngettext ("%s · %u line", "%s · %u lines", n), role, n);
        case GIS_SHAPE_POLYGON:
          return g_strdup_printf (ngettext ("%s · %u polygon", "%s · %u polygons", n), role, n);
        default:
          return g_strdup_printf (ngettext ("%s · %u feature", "%s · %u features", n), role, n);
        }
    }
  if (r != NULL)
    return g_strdup_printf (_("%s · raster %u × %u"), role, gis_raster_get_width (r),
                            gis_raster_get_height (r));
  return g_strdup (role);
}

/**
 * ui_draw_layer_swatch:
 *
 * A small picture of the layer's style: its first class, or its one symbol.
 */
void
ui_draw_layer_swatch (cairo_t *cr, GisMapLayer *layer, int width, int height)
{
  GisStyle *style = gis_map_layer_get_style (layer);
  GisVectorLayer *v = gis_map_layer_get_vector (layer);
  GisShapeKind shape = v ? gis_vector_layer_get_shape_kind (v) : GIS_SHAPE_POLYGON;

  if (gis_map_layer_get_raster (layer) != NULL)
    {
      /* A raster: a strip of its palette's idea, viridis. */
      for (int x = 0; x < width; x++)
        {
          GisColor c = gis_palette_viridis ((double) x / MAX (width - 1, 1));
          cairo_set_source_rgb (cr, c.r, c.g, c.b);
          cairo_rectangle (cr, x, 2, 1, height - 4);
          cairo_fill (cr);
        }
      return;
    }
  if (gis_style_get_n_classes (style) > 1 && width >= 12)
    {
      /* Several classes: split the swatch between the first two. */
      gis_draw_symbol_swatch (cr, gis_style_get_symbol (style, 0), shape, 0, 0, width / 2.0,
                              height);
      gis_draw_symbol_swatch (cr, gis_style_get_symbol (style, 1), shape, width / 2.0, 0,
                              width / 2.0, height);
      return;
    }
  gis_draw_symbol_swatch (cr, gis_style_get_symbol (style, 0), shape, 0, 0, width, height);
}

/* Drag and drop */

static GdkContentProvider *
on_drag_prepare (GtkDragSource *source, double x, double y, gpointer user_data)
{
  UiLayerRow *row = UI_LAYER_ROW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source)));
  GisMapLayer *layer = ui_layer_row_get_layer (row);

  if (layer == NULL)
    return NULL;
  return gdk_content_provider_new_typed (G_TYPE_STRING, gis_map_layer_get_title (layer));
}

static void
on_drag_begin (GtkDragSource *source, GdkDrag *drag, gpointer user_data)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  g_autoptr(GdkPaintable) icon = gtk_widget_paintable_new (row);

  gtk_drag_source_set_icon (source, icon, 0, 0);
}

static gboolean
position_of (ZonesWorkspace *ws, const char *title, guint *position)
{
  GisMapLayer *layer = zones_workspace_find_layer (ws, title);

  return layer != NULL && g_list_store_find (G_LIST_STORE (zones_workspace_get_layers (ws)),
                                             layer, position);
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, gpointer user_data)
{
  UiLayerList *self = user_data;
  UiLayerRow *row = UI_LAYER_ROW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target)));
  GisMapLayer *onto = ui_layer_row_get_layer (row);
  guint from, to;

  if (self->workspace == NULL || onto == NULL || !G_VALUE_HOLDS_STRING (value))
    return FALSE;
  if (!position_of (self->workspace, g_value_get_string (value), &from) ||
      !position_of (self->workspace, gis_map_layer_get_title (onto), &to))
    return FALSE;
  zones_workspace_move_layer (self->workspace, from, to);
  return TRUE;
}

static void
setup_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *row = ui_layer_row_new ();
  GtkDragSource *source = gtk_drag_source_new ();
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_MOVE);

  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect (source, "prepare", G_CALLBACK (on_drag_prepare), user_data);
  g_signal_connect (source, "drag-begin", G_CALLBACK (on_drag_begin), user_data);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (source));
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), user_data);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (target));
  gtk_list_item_set_child (item, row);
}

static void
bind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  ui_layer_row_set_layer (UI_LAYER_ROW (gtk_list_item_get_child (item)),
                          gtk_list_item_get_item (item));
}

static void
unbind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  ui_layer_row_set_layer (UI_LAYER_ROW (gtk_list_item_get_child (item)), NULL);
}

/**
 * ui_layer_list_set_workspace:
 * @workspace: (nullable): whose layers to list
 */
void
ui_layer_list_set_workspace (UiLayerList *self, ZonesWorkspace *workspace)
{
  GtkSelectionModel *selection = NULL;

  g_return_if_fail (UI_IS_LAYER_LIST (self));

  g_set_object (&self->workspace, workspace);
  if (workspace != NULL)
    selection = GTK_SELECTION_MODEL (gtk_no_selection_new (
      g_object_ref (zones_workspace_get_layers (workspace))));
  gtk_list_view_set_model (GTK_LIST_VIEW (self->list_view), selection);
  g_clear_object (&selection);
}

static void
ui_layer_list_dispose (GObject *object)
{
  UiLayerList *self = UI_LAYER_LIST (object);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->workspace);

  G_OBJECT_CLASS (ui_layer_list_parent_class)->dispose (object);
}

static void
ui_layer_list_class_init (UiLayerListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ui_layer_list_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "layerlist");
}

static void
ui_layer_list_init (UiLayerList *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), self);
  self->list_view = gtk_list_view_new (NULL, factory);
  gtk_widget_add_css_class (self->list_view, "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Layers"), -1);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->list_view);
  gtk_widget_set_vexpand (self->scroller, TRUE);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
}

GtkWidget *
ui_layer_list_new (void)
{
  return g_object_new (UI_TYPE_LAYER_LIST, NULL);
}
