/* ui-window.c: Placer's main window
 *
 * The window is wiring: the workspace (zones/) holds the project and its layers, the
 * layer list and the map view observe it, and everything the planner can do is a window
 * action — the buttons, the menus, the keyboard shortcuts and D-Bus all go through the
 * same ones. Read-only stateful actions ("visible-layers", "view-extent", "project",
 * "rendering", "frame-gap") expose what the window shows, so that a test can drive the
 * real app over D-Bus and check it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ui-window"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "ui-import-dialog.h"
#include "ui-inspector.h"
#include "ui-layer-list.h"
#include "ui-map-view.h"
#include "ui-style-editor.h"
#include "ui-window.h"

#define SAVE_DELAY_MS 1500
#define MAX_RECENT 8

struct _UiWindow {
  AdwApplicationWindow parent_instance;

  /* Owned */
  GSettings          *settings;
  ZonesWorkspace     *workspace;
  GCancellable       *open_cancellable;
  char               *project_path;
  guint               save_timeout;

  /* Template widgets */
  AdwToastOverlay    *toasts;
  AdwWindowTitle     *window_title;
  GtkStack           *stack;
  GtkListBox         *recent_list;
  GtkSpinner         *spinner;
  GtkLabel           *loading_label;
  AdwFlap            *flap;
  UiLayerList        *layer_list;
  UiMapView          *map_view;
  GtkRevealer        *inspector_revealer;
  UiInspector        *inspector;
  GtkLabel           *cursor_label;
  GtkLabel           *measure_label;
  GtkSpinner         *render_spinner;
  GtkWidget          *status_bar;
};

G_DEFINE_FINAL_TYPE (UiWindow, ui_window, ADW_TYPE_APPLICATION_WINDOW)

static void
set_action_state (UiWindow *self, const char *name, GVariant *state)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_state (G_SIMPLE_ACTION (action), state);
}

static void
set_action_enabled (UiWindow *self, const char *name, gboolean enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
ui_window_show_toast (UiWindow *self, const char *message)
{
  AdwToast *toast;

  g_return_if_fail (UI_IS_WINDOW (self));
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

/* State exported for tests and scripts */

static void
update_visible_layers (UiWindow *self)
{
  g_autoptr(GVariantBuilder) b = g_variant_builder_new (G_VARIANT_TYPE ("as"));
  GListModel *layers = self->workspace ? zones_workspace_get_layers (self->workspace) : NULL;

  for (guint i = 0; layers != NULL && i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(GisMapLayer) layer = g_list_model_get_item (layers, i);
      if (gis_map_layer_get_visible (layer))
        g_variant_builder_add (b, "s", gis_map_layer_get_title (layer));
    }
  set_action_state (self, "visible-layers", g_variant_builder_end (b));
}

static void
update_extent_state (UiWindow *self)
{
  GisEnvelope e;
  g_autofree char *text = ui_map_view_get_extent (self->map_view, &e)
                          ? gis_envelope_to_string (&e) : g_strdup ("");

  set_action_state (self, "view-extent", g_variant_new_string (text));
}

/* Saving the view */

static gboolean
save_view_cb (gpointer user_data)
{
  UiWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  GisEnvelope e;

  self->save_timeout = 0;
  if (self->workspace == NULL)
    return G_SOURCE_REMOVE;
  if (!zones_workspace_save_view (self->workspace,
                                  ui_map_view_get_extent (self->map_view, &e) ? &e : NULL,
                                  &error))
    g_debug ("The map view could not be kept in the project: %s", error->message);
  return G_SOURCE_REMOVE;
}

static void
queue_save_view (UiWindow *self)
{
  g_clear_handle_id (&self->save_timeout, g_source_remove);
  self->save_timeout = g_timeout_add (SAVE_DELAY_MS, save_view_cb, self);
}

static void
flush_save_view (UiWindow *self)
{
  if (self->save_timeout != 0)
    {
      g_clear_handle_id (&self->save_timeout, g_source_remove);
      save_view_cb (self);
    }
}

/* Layers */

static void
on_layer_notify (GisMapLayer *layer, GParamSpec *pspec, UiWindow *self)
{
  if (g_strcmp0 (pspec->name, "visible") == 0)
    update_visible_layers (self);
  queue_save_view (self);
}

static void
watch_layers (UiWindow *self, guint from, guint n)
{
  GListModel *layers = zones_workspace_get_layers (self->workspace);

  for (guint i = from; i < from + n; i++)
    {
      g_autoptr(GisMapLayer) layer = g_list_model_get_item (layers, i);
      g_signal_handlers_disconnect_by_func (layer, on_layer_notify, self);
      g_signal_connect_object (layer, "notify", G_CALLBACK (on_layer_notify), self, 0);
    }
}

static void
on_layers_changed (GListModel *model, guint position, guint removed, guint added,
                   UiWindow *self)
{
  watch_layers (self, position, added);
  update_visible_layers (self);
  queue_save_view (self);
}

static GisMapLayer *
layer_from_param (UiWindow *self, GVariant *param)
{
  GisMapLayer *layer;

  if (self->workspace == NULL)
    return NULL;
  layer = zones_workspace_find_layer (self->workspace, g_variant_get_string (param, NULL));
  if (layer == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The project has no layer “%s”"),
                                                  g_variant_get_string (param, NULL));
      ui_window_show_toast (self, message);
    }
  return layer;
}

/* Opening */

static void
add_recent (UiWindow *self, const char *path)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-projects");
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  guint n = 1;

  g_strv_builder_add (b, path);
  for (guint i = 0; recent[i] != NULL && n < MAX_RECENT; i++)
    if (g_strcmp0 (recent[i], path) != 0)
      {
        g_strv_builder_add (b, recent[i]);
        n++;
      }
  updated = g_strv_builder_end (b);
  g_settings_set_strv (self->settings, "recent-projects", (const char *const *) updated);
}

static void
fill_recent (UiWindow *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-projects");
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);
  for (guint i = 0; recent[i] != NULL; i++)
    {
      GtkWidget *row;
      g_autofree char *base = NULL, *dir = NULL;

      if (!g_file_test (recent[i], G_FILE_TEST_IS_REGULAR))
        continue;
      base = g_path_get_basename (recent[i]);
      dir = g_path_get_dirname (recent[i]);
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), base);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), dir);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.open-project");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row),
                                              g_variant_new_string (recent[i]));
      gtk_list_box_append (self->recent_list, row);
      shown++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->recent_list), shown > 0);
}

static void
set_workspace (UiWindow *self, ZonesWorkspace *ws)
{
  if (self->workspace != NULL)
    {
      flush_save_view (self);
      g_signal_handlers_disconnect_by_func (zones_workspace_get_layers (self->workspace),
                                            on_layers_changed, self);
    }
  g_set_object (&self->workspace, ws);
  ui_inspector_clear (self->inspector);
  gtk_revealer_set_reveal_child (self->inspector_revealer, FALSE);
  ui_layer_list_set_workspace (self->layer_list, ws);
  ui_map_view_set_layers (self->map_view, ws ? zones_workspace_get_layers (ws) : NULL,
                          ws ? zones_workspace_get_crs (ws) : NULL);
  if (ws != NULL)
    {
      GListModel *layers = zones_workspace_get_layers (ws);
      g_signal_connect (layers, "items-changed", G_CALLBACK (on_layers_changed), self);
      watch_layers (self, 0, g_list_model_get_n_items (layers));
    }
  set_action_enabled (self, "add-layer", ws != NULL);
  set_action_enabled (self, "save-copy", ws != NULL);
  update_visible_layers (self);
}

static void
opened_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(UiWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesWorkspace) ws = zones_workspace_open_finish (result, &error);
  GisEnvelope home;
  GPtrArray *problems;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_spinner_stop (self->spinner);
  if (ws == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, self->workspace ? "map" : "welcome");
      ui_window_show_toast (self, error->message);
      return;
    }
  set_workspace (self, ws);
  adw_window_title_set_title (self->window_title, zones_workspace_get_title (ws));
  adw_window_title_set_subtitle (self->window_title, self->project_path);
  gtk_window_set_title (GTK_WINDOW (self), zones_workspace_get_title (ws));
  gtk_stack_set_visible_child_name (self->stack, "map");
  if (zones_workspace_get_home (ws, &home))
    ui_map_view_zoom_to (self->map_view, &home);
  problems = zones_workspace_get_problems (ws);
  for (guint i = 0; i < problems->len; i++)
    ui_window_show_toast (self, g_ptr_array_index (problems, i));
  add_recent (self, self->project_path);
  set_action_state (self, "project", g_variant_new_string (self->project_path));
  gtk_widget_grab_focus (GTK_WIDGET (self->map_view));
}

/**
 * ui_window_open:
 *
 * Opens a project in this window (in a worker; the window shows progress).
 */
void
ui_window_open (UiWindow *self, const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *label = g_strdup_printf (_("Opening “%s”…"), base);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_return_if_fail (UI_IS_WINDOW (self));

  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  self->open_cancellable = g_cancellable_new ();
  g_free (self->project_path);
  self->project_path = g_file_get_path (file);
  gtk_label_set_label (self->loading_label, label);
  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  zones_workspace_open_async (self->project_path, self->open_cancellable, opened_cb,
                              g_object_ref (self));
}

/**
 * ui_window_get_workspace:
 *
 * Returns: (transfer none) (nullable): the open project
 */
ZonesWorkspace *
ui_window_get_workspace (UiWindow *self)
{
  g_return_val_if_fail (UI_IS_WINDOW (self), NULL);
  return self->workspace;
}

/* Importing */

static void
layer_added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(UiWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  GisMapLayer *layer = zones_workspace_add_layer_finish (ZONES_WORKSPACE (source), result,
                                                         &error);
  g_autofree char *message = NULL;
  GisEnvelope e;

  if (layer == NULL)
    {
      ui_window_show_toast (self, error->message);
      return;
    }
  message = g_strdup_printf (_("“%s” added to the project"), gis_map_layer_get_title (layer));
  ui_window_show_toast (self, message);
  {
    GisEnvelope shown;
    /* A first layer in an empty project: show it. */
    if (gis_map_layer_get_extent (layer, zones_workspace_get_crs (ZONES_WORKSPACE (source)), &e) &&
        (!ui_map_view_get_extent (self->map_view, &shown) ||
         g_list_model_get_n_items (zones_workspace_get_layers (ZONES_WORKSPACE (source))) == 1))
      ui_map_view_zoom_to (self->map_view, &e);
  }
}

static void
on_import_confirmed (UiImportDialog *dialog, gpointer candidate, const char *name,
                     UiWindow *self)
{
  if (self->workspace == NULL)
    {
      zones_layer_candidate_free (candidate);
      return;
    }
  zones_workspace_add_layer_async (self->workspace, candidate, name, NULL, layer_added_cb,
                                   g_object_ref (self));
}

/**
 * ui_window_import:
 *
 * Asks for the role and mapping of a file, then adds it to the open project.
 */
void
ui_window_import (UiWindow *self, const char *path)
{
  UiImportDialog *dialog;

  g_return_if_fail (UI_IS_WINDOW (self));
  if (self->workspace == NULL)
    {
      ui_window_show_toast (self, _("Open a project first, then add layers to it"));
      return;
    }
  dialog = ui_import_dialog_new (GTK_WINDOW (self), path);
  g_signal_connect_object (dialog, "confirmed", G_CALLBACK (on_import_confirmed), self, 0);
}

/* Actions */

static GtkFileFilter *
gis_files_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();
  const char *patterns[] = { "*.gpkg", "*.shp", "*.geojson", "*.json", "*.csv", "*.tif",
                             "*.tiff", "*.kml", "*.fgb", NULL };

  gtk_file_filter_set_name (filter, _("GIS files"));
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_suffix (filter, patterns[i] + 2);
  return filter;
}

static void
add_layer_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  UiWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      if (path != NULL)
        ui_window_import (self, path);
    }
  g_object_unref (dialog);
}

static void
add_layer_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  UiWindow *self = user_data;
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Add a Layer"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                 _("_Add"), _("_Cancel"));
  g_autoptr(GtkFileFilter) filter = gis_files_filter ();

  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (add_layer_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
import_file_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ui_window_import (UI_WINDOW (user_data), g_variant_get_string (param, NULL));
}

static void
open_project_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ui_window_open (UI_WINDOW (user_data), g_variant_get_string (param, NULL));
}

static void
save_copy_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  UiWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->workspace != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      flush_save_view (self);
      if (path != NULL &&
          gis_project_save_copy (zones_workspace_get_project (self->workspace), path, &error))
        {
          g_autofree char *message = g_strdup_printf (_("Copy saved as “%s”"), path);
          ui_window_show_toast (self, message);
        }
      else if (error != NULL)
        ui_window_show_toast (self, error->message);
    }
  g_object_unref (dialog);
}

static void
save_copy_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  UiWindow *self = user_data;
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Save a Copy of the Project"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  g_autofree char *name = NULL;

  if (self->project_path != NULL)
    {
      g_autofree char *base = g_path_get_basename (self->project_path);
      char *dot = strrchr (base, '.');
      if (dot != NULL)
        *dot = '\0';
      name = g_strdup_printf (_("%s (copy).gpkg"), base);
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (save_copy_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
center_zoom (UiWindow *self, double factor)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self->map_view));
  int h = gtk_widget_get_height (GTK_WIDGET (self->map_view));

  ui_map_view_zoom_by (self->map_view, factor, w / 2.0, h / 2.0);
  ui_map_view_set_resolution (self->map_view, ui_map_view_get_resolution (self->map_view));
}

static void
zoom_in_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  center_zoom (UI_WINDOW (user_data), 2);
}

static void
zoom_out_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  center_zoom (UI_WINDOW (user_data), 0.5);
}

static void
zoom_home_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  UiWindow *self = user_data;
  GListModel *layers;
  GisEnvelope all = GIS_ENVELOPE_EMPTY;

  if (self->workspace == NULL)
    return;
  /* The whole project: every vector layer, whatever the saved view. */
  layers = zones_workspace_get_layers (self->workspace);
  for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(GisMapLayer) layer = g_list_model_get_item (layers, i);
      GisEnvelope e;
      if (gis_map_layer_get_vector (layer) != NULL &&
          gis_map_layer_get_extent (layer, zones_workspace_get_crs (self->workspace), &e))
        gis_envelope_expand (&all, &e);
    }
  ui_map_view_zoom_to (self->map_view, &all);
}

static void
zoom_layer_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  UiWindow *self = user_data;
  GisMapLayer *layer = layer_from_param (self, param);
  GisEnvelope e;

  if (layer != NULL &&
      gis_map_layer_get_extent (layer, zones_workspace_get_crs (self->workspace), &e))
    ui_map_view_zoom_to (self->map_view, &e);
}

static void
toggle_layer_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GisMapLayer *layer = layer_from_param (UI_WINDOW (user_data), param);

  if (layer != NULL)
    gis_map_layer_set_visible (layer, !gis_map_layer_get_visible (layer));
}

static void
move_layer (UiWindow *self, GVariant *param, int delta)
{
  GisMapLayer *layer = layer_from_param (self, param);
  GListModel *layers;
  guint position, n;

  if (layer == NULL)
    return;
  layers = zones_workspace_get_layers (self->workspace);
  n = g_list_model_get_n_items (layers);
  if (!g_list_store_find (G_LIST_STORE (layers), layer, &position) ||
      (delta < 0 && position == 0) || (delta > 0 && position + 1 >= n))
    return;
  zones_workspace_move_layer (self->workspace, position, position + delta);
}

static void
move_layer_up_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  move_layer (UI_WINDOW (user_data), param, -1);
}

static void
move_layer_down_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  move_layer (UI_WINDOW (user_data), param, 1);
}

typedef struct {
  UiWindow    *self;
  GisMapLayer *layer;
} RemoveData;

static void
remove_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  RemoveData *d = user_data;

  if (g_strcmp0 (response, "remove") == 0 && d->self->workspace != NULL)
    {
      g_autoptr(GError) error = NULL;
      zones_workspace_remove_layer (d->self->workspace, d->layer, &error);
      if (error != NULL)
        ui_window_show_toast (d->self, error->message);
    }
  g_object_unref (d->self);
  g_object_unref (d->layer);
  g_free (d);
}

static void
remove_layer_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  UiWindow *self = user_data;
  GisMapLayer *layer = layer_from_param (self, param);
  GtkWidget *dialog;
  RemoveData *d;
  g_autofree char *body = NULL;

  if (layer == NULL)
    return;
  /* Destructive: confirm, and say what is kept. */
  body = g_strdup_printf (_("“%s” and its field mapping leave the project. The file it came "
                            "from is not touched. Analyses already recorded keep their "
                            "results."), gis_map_layer_get_title (layer));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Remove the Layer?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  d = g_new0 (RemoveData, 1);
  d->self = g_object_ref (self);
  d->layer = g_object_ref (layer);
  g_signal_connect (dialog, "response", G_CALLBACK (remove_response), d);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
edit_style_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  UiWindow *self = user_data;
  GisMapLayer *layer = layer_from_param (self, param);

  if (layer != NULL)
    ui_style_editor_new (GTK_WINDOW (self), layer);
}

static void
tool_change_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  UiWindow *self = user_data;
  const char *tool = g_variant_get_string (value, NULL);

  if (g_str_equal (tool, "distance"))
    ui_map_view_set_tool (self->map_view, UI_MAP_TOOL_MEASURE_DISTANCE);
  else if (g_str_equal (tool, "area"))
    ui_map_view_set_tool (self->map_view, UI_MAP_TOOL_MEASURE_AREA);
  else if (g_str_equal (tool, "browse"))
    ui_map_view_set_tool (self->map_view, UI_MAP_TOOL_BROWSE);
  else
    return;
  g_simple_action_set_state (action, value);
}

static void
close_inspector_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  UiWindow *self = user_data;

  gtk_revealer_set_reveal_child (self->inspector_revealer, FALSE);
  ui_map_view_clear_selection (self->map_view);
}

static void
show_sidebar_change_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  UiWindow *self = user_data;

  adw_flap_set_reveal_flap (self->flap, g_variant_get_boolean (value));
  g_simple_action_set_state (action, value);
}

static void
reset_probe_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  UiWindow *self = user_data;

  ui_map_view_reset_frame_gap (self->map_view);
  set_action_state (self, "frame-gap", g_variant_new_double (0));
}

static void
read_only_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  /* State that mirrors the window: not set from outside. */
}

static const GActionEntry actions[] = {
  { "add-layer", add_layer_action },
  { "import-file", import_file_action, "s" },
  { "open-project", open_project_action, "s" },
  { "save-copy", save_copy_action },
  { "zoom-in", zoom_in_action },
  { "zoom-out", zoom_out_action },
  { "zoom-home", zoom_home_action },
  { "zoom-layer", zoom_layer_action, "s" },
  { "toggle-layer", toggle_layer_action, "s" },
  { "move-layer-up", move_layer_up_action, "s" },
  { "move-layer-down", move_layer_down_action, "s" },
  { "remove-layer", remove_layer_action, "s" },
  { "edit-style", edit_style_action, "s" },
  { "tool", NULL, "s", "'browse'", tool_change_state },
  { "close-inspector", close_inspector_action },
  { "show-sidebar", NULL, NULL, "true", show_sidebar_change_state },
  { "reset-frame-probe", reset_probe_action },
  { "visible-layers", NULL, NULL, "@as []", read_only_state },
  { "view-extent", NULL, NULL, "''", read_only_state },
  { "project", NULL, NULL, "''", read_only_state },
  { "rendering", NULL, NULL, "false", read_only_state },
  { "frame-gap", NULL, NULL, "0.0", read_only_state },
};

/* Map view signals */

static char *
format_angle (double v, gboolean lat, gboolean dms)
{
  const char *hemisphere = lat ? (v < 0 ? C_("compass", "S") : C_("compass", "N"))
                               : (v < 0 ? C_("compass", "W") : C_("compass", "E"));
  double a = fabs (v);

  if (!dms)
    return g_strdup_printf ("%.5f° %s", a, hemisphere);
  {
    int d = (int) a;
    int m = (int) ((a - d) * 60);
    double s = (a - d - m / 60.0) * 3600;
    if (s >= 59.95)
      s = 0, m++;
    if (m >= 60)
      m = 0, d++;
    return g_strdup_printf ("%d° %02d′ %04.1f″ %s", d, m, s, hemisphere);
  }
}

/* The status pill shows only when it has something to say. */
static void
update_status_bar (UiWindow *self)
{
  gboolean spinning = gtk_spinner_get_spinning (self->render_spinner);

  gtk_widget_set_visible (GTK_WIDGET (self->render_spinner), spinning);
  gtk_widget_set_visible (self->status_bar,
                          spinning || gtk_widget_get_visible (GTK_WIDGET (self->cursor_label)) ||
                          gtk_widget_get_visible (GTK_WIDGET (self->measure_label)));
}

static void
on_cursor (UiMapView *view, GParamSpec *pspec, UiWindow *self)
{
  double x, y, lon, lat;
  g_autofree char *text = NULL;
  gboolean dms = g_settings_get_enum (self->settings, "coordinate-format") == 1;
  GisCrs *crs = ui_map_view_get_crs (view);

  g_object_get (view, "cursor-x", &x, "cursor-y", &y, "cursor-lon", &lon, "cursor-lat", &lat,
                NULL);
  if (!isfinite (x) || !isfinite (y))
    {
      gtk_label_set_label (self->cursor_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->cursor_label), FALSE);
      update_status_bar (self);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->cursor_label), TRUE);
  update_status_bar (self);
  if (crs != NULL && gis_crs_is_geographic (crs))
    {
      g_autofree char *a = format_angle (lat, TRUE, dms), *b = format_angle (lon, FALSE, dms);
      text = g_strdup_printf ("%s  %s", a, b);
    }
  else if (isfinite (lon) && isfinite (lat))
    {
      g_autofree char *a = format_angle (lat, TRUE, dms), *b = format_angle (lon, FALSE, dms);
      /* TRANSLATORS: easting and northing in metres, then latitude and longitude */
      text = g_strdup_printf (_("%.1f E  %.1f N  ·  %s  %s"), x, y, a, b);
    }
  else
    /* TRANSLATORS: easting and northing in metres */
    text = g_strdup_printf (_("%.1f E  %.1f N"), x, y);
  gtk_label_set_label (self->cursor_label, text);
}

static void
on_coordinate_format (GSettings *settings, const char *key, UiWindow *self)
{
  on_cursor (self->map_view, NULL, self);
}

static void
on_measurement (UiMapView *view, GParamSpec *pspec, UiWindow *self)
{
  const char *m = ui_map_view_get_measurement (view);

  gtk_label_set_label (self->measure_label, m ? m : "");
  gtk_widget_set_visible (GTK_WIDGET (self->measure_label), m != NULL);
  update_status_bar (self);
}

static void
on_rendering (UiMapView *view, GParamSpec *pspec, UiWindow *self)
{
  gboolean rendering = ui_map_view_get_rendering (view);

  gtk_spinner_set_spinning (self->render_spinner, rendering);
  update_status_bar (self);
  set_action_state (self, "rendering", g_variant_new_boolean (rendering));
  set_action_state (self, "frame-gap",
                    g_variant_new_double (ui_map_view_get_max_frame_gap (view)));
}

static void
on_view_changed (UiMapView *view, UiWindow *self)
{
  update_extent_state (self);
  queue_save_view (self);
}

static void
on_feature_picked (UiMapView *view, GisMapLayer *layer, guint feature, UiWindow *self)
{
  if (layer == NULL)
    {
      ui_inspector_clear (self->inspector);
      gtk_revealer_set_reveal_child (self->inspector_revealer, FALSE);
      return;
    }
  ui_inspector_show (self->inspector, layer, feature, ui_map_view_get_crs (view));
  gtk_revealer_set_reveal_child (self->inspector_revealer, TRUE);
}

static void
on_flap_revealed (AdwFlap *flap, GParamSpec *pspec, UiWindow *self)
{
  set_action_state (self, "show-sidebar", g_variant_new_boolean (adw_flap_get_reveal_flap (flap)));
}

/* Dropped files: a project opens, anything else is added to the open project. */

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, UiWindow *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);
      if (path == NULL)
        continue;
      if (gis_project_is_project (path))
        {
          ui_window_open (self, path);
          break;
        }
      ui_window_import (self, path);
    }
  g_slist_free (files);
  return TRUE;
}

/* GObject */

static gboolean
ui_window_close_request (GtkWindow *window)
{
  UiWindow *self = UI_WINDOW (window);
  int w, h;

  flush_save_view (self);
  gtk_window_get_default_size (window, &w, &h);
  g_settings_set_int (self->settings, "window-width", w);
  g_settings_set_int (self->settings, "window-height", h);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  return GTK_WINDOW_CLASS (ui_window_parent_class)->close_request (window);
}

static void
ui_window_dispose (GObject *object)
{
  UiWindow *self = UI_WINDOW (object);

  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  g_clear_handle_id (&self->save_timeout, g_source_remove);
  if (self->workspace != NULL)
    g_signal_handlers_disconnect_by_func (zones_workspace_get_layers (self->workspace),
                                          on_layers_changed, self);
  g_clear_object (&self->workspace);
  gtk_widget_dispose_template (GTK_WIDGET (self), UI_TYPE_WINDOW);

  G_OBJECT_CLASS (ui_window_parent_class)->dispose (object);
}

static void
ui_window_finalize (GObject *object)
{
  UiWindow *self = UI_WINDOW (object);

  g_clear_object (&self->settings);
  g_free (self->project_path);

  G_OBJECT_CLASS (ui_window_parent_class)->finalize (object);
}

static void
ui_window_class_init (UiWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ui_window_dispose;
  object_class->finalize = ui_window_finalize;
  window_class->close_request = ui_window_close_request;

  g_type_ensure (UI_TYPE_MAP_VIEW);
  g_type_ensure (UI_TYPE_LAYER_LIST);
  g_type_ensure (UI_TYPE_INSPECTOR);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/placer/Placer/ui/ui-window.ui");
  gtk_widget_class_bind_template_child (widget_class, UiWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, loading_label);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, layer_list);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, map_view);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, inspector_revealer);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, inspector);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, cursor_label);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, measure_label);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, render_spinner);
  gtk_widget_class_bind_template_child (widget_class, UiWindow, status_bar);
}

static void
ui_window_init (UiWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  set_action_enabled (self, "add-layer", FALSE);
  set_action_enabled (self, "save-copy", FALSE);

  g_signal_connect (self->map_view, "notify::cursor-x", G_CALLBACK (on_cursor), self);
  g_signal_connect (self->map_view, "notify::measurement", G_CALLBACK (on_measurement), self);
  g_signal_connect (self->map_view, "notify::rendering", G_CALLBACK (on_rendering), self);
  g_signal_connect (self->map_view, "view-changed", G_CALLBACK (on_view_changed), self);
  g_signal_connect (self->map_view, "feature-picked", G_CALLBACK (on_feature_picked), self);
  g_signal_connect (self->flap, "notify::reveal-flap", G_CALLBACK (on_flap_revealed), self);

  gtk_widget_set_visible (GTK_WIDGET (self->cursor_label), FALSE);
  update_status_bar (self);
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

/**
 * ui_window_new:
 * @settings: the application's settings (window size, recent projects, preferences)
 */
UiWindow *
ui_window_new (AdwApplication *application, GSettings *settings)
{
  UiWindow *self = g_object_new (UI_TYPE_WINDOW, "application", application, NULL);
  GAction *labels;

  self->settings = g_object_ref (settings);
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  adw_flap_set_reveal_flap (self->flap, g_settings_get_boolean (settings, "sidebar-visible"));
  g_settings_bind (settings, "sidebar-visible", self->flap, "reveal-flap", G_SETTINGS_BIND_DEFAULT);
  labels = g_settings_create_action (settings, "show-labels");
  g_action_map_add_action (G_ACTION_MAP (self), labels);
  g_object_unref (labels);
  g_settings_bind (settings, "show-labels", self->map_view, "labels", G_SETTINGS_BIND_GET);
  g_signal_connect_object (settings, "changed::coordinate-format",
                           G_CALLBACK (on_coordinate_format), self, 0);
  fill_recent (self);
  return self;
}
