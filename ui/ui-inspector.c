/* ui-inspector.c: the attributes of the feature the planner clicked
 *
 * Field by field, as the source has them, with the feature's geodesic area (polygons) or
 * length (lines) first: a planner comparing a title's declared area with its drawn one
 * should not have to measure it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ui-inspector"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#include "ui-inspector.h"

struct _UiInspector {
  GtkWidget  parent_instance;

  /* Children */
  GtkWidget *box;
  GtkWidget *title;
  GtkWidget *subtitle;
  GtkWidget *list;
};

G_DEFINE_FINAL_TYPE (UiInspector, ui_inspector, GTK_TYPE_WIDGET)

static void
add_row (UiInspector *self, const char *field, const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), field);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value != NULL && *value != '\0' ? value : "—");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "property");
  gtk_list_box_append (GTK_LIST_BOX (self->list), row);
}

void
ui_inspector_clear (UiInspector *self)
{
  GtkWidget *child;

  g_return_if_fail (UI_IS_INSPECTOR (self));
  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);
  gtk_label_set_label (GTK_LABEL (self->title), _("No Feature Selected"));
  gtk_label_set_label (GTK_LABEL (self->subtitle), _("Click a feature on the map"));
}

/**
 * ui_inspector_show:
 * @crs: the CRS of the layer's data, for the geodesic measures
 */
void
ui_inspector_show (UiInspector *self, GisMapLayer *layer, guint feature, GisCrs *crs)
{
  GisVectorLayer *v;
  g_autoptr(GisGeometry) g = NULL;
  g_autofree char *subtitle = NULL;
  double measure;

  g_return_if_fail (UI_IS_INSPECTOR (self));
  g_return_if_fail (GIS_IS_MAP_LAYER (layer));

  ui_inspector_clear (self);
  v = gis_map_layer_get_vector (layer);
  if (v == NULL || feature >= gis_vector_layer_get_n_features (v))
    return;
  gtk_label_set_label (GTK_LABEL (self->title), gis_map_layer_get_title (layer));
  {
    char fid[32];
    g_snprintf (fid, sizeof fid, "%" G_GINT64_FORMAT, gis_vector_layer_get_fid (v, feature));
    /* TRANSLATORS: a feature's number in its layer */
    subtitle = g_strdup_printf (_("Feature %s"), fid);
  }
  gtk_label_set_label (GTK_LABEL (self->subtitle), subtitle);

  g = gis_vector_layer_dup_geometry (v, feature);
  if (g != NULL && crs != NULL)
    {
      GisGeometryType type = gis_geometry_get_geometry_type (g);
      if ((type == GIS_GEOMETRY_POLYGON || type == GIS_GEOMETRY_MULTIPOLYGON) &&
          gis_geodesic_area (g, crs, &measure, NULL))
        {
          g_autofree char *text = g_strdup_printf (_("%.2f ha"), measure / 1e4);
          add_row (self, _("Area (geodesic)"), text);
        }
      else if ((type == GIS_GEOMETRY_LINESTRING || type == GIS_GEOMETRY_MULTILINESTRING) &&
               gis_geodesic_length (g, crs, &measure, NULL))
        {
          g_autofree char *text = g_strdup_printf (_("%.3f km"), measure / 1000);
          add_row (self, _("Length (geodesic)"), text);
        }
    }
  for (guint i = 0; i < gis_vector_layer_get_n_fields (v); i++)
    add_row (self, gis_vector_layer_get_field_name (v, i), gis_vector_layer_get_value (v, feature, i));
}

static void
ui_inspector_dispose (GObject *object)
{
  UiInspector *self = UI_INSPECTOR (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (ui_inspector_parent_class)->dispose (object);
}

static void
ui_inspector_class_init (UiInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ui_inspector_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "inspector");
}

static void
ui_inspector_init (UiInspector *self)
{
  GtkWidget *header, *labels, *close, *scroller;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_size_request (self->box, 280, -1);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_end (header, 6);
  gtk_widget_set_margin_top (header, 6);
  labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_hexpand (labels, TRUE);
  self->title = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->title, "heading");
  gtk_label_set_xalign (GTK_LABEL (self->title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->title), PANGO_ELLIPSIZE_END);
  self->subtitle = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->subtitle, "dim-label");
  gtk_widget_add_css_class (self->subtitle, "caption");
  gtk_label_set_xalign (GTK_LABEL (self->subtitle), 0);
  gtk_box_append (GTK_BOX (labels), self->title);
  gtk_box_append (GTK_BOX (labels), self->subtitle);
  close = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_widget_add_css_class (close, "flat");
  gtk_widget_set_valign (close, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (close, _("Close the Inspector"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (close), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Close the Inspector"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (close), "win.close-inspector");
  gtk_box_append (GTK_BOX (header), labels);
  gtk_box_append (GTK_BOX (header), close);
  gtk_box_append (GTK_BOX (self->box), header);

  self->list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "boxed-list");
  gtk_widget_set_margin_start (self->list, 12);
  gtk_widget_set_margin_end (self->list, 12);
  gtk_widget_set_margin_bottom (self->list, 12);
  gtk_widget_set_valign (self->list, GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Attributes"), -1);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), self->list);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (self->box), scroller);
  ui_inspector_clear (self);
}

GtkWidget *
ui_inspector_new (void)
{
  return g_object_new (UI_TYPE_INSPECTOR, NULL);
}
