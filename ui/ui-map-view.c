/* ui-map-view.c: the map canvas
 *
 * The view never draws features itself. It asks gis/'s renderer for a frame in a worker
 * thread and shows the frame as a texture. Until the next frame arrives, the last one
 * is shown moved and scaled to the current view, so panning and zooming answer at
 * once however long the layers take to draw; a newer request cancels the older one.
 * Requests from many changes in one main-loop iteration merge into one. Only the small
 * interactive overlays (the measure line, the selected feature, the scale bar) are
 * drawn with cairo in snapshot().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ui-map-view"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "ui-map-view.h"

/* How long scrolling must pause before the frame is redrawn sharp. */
#define SETTLE_MS 120
#define PICK_PX 5.0

struct _UiMapView {
  GtkWidget       parent_instance;

  /* Owned */
  GListModel     *layers;          /* GisMapLayer, top first */
  GisCrs         *crs;
  GisTransform   *to_lonlat;
  GisRenderCache *cache;
  GCancellable   *render_cancellable;
  GdkTexture     *frame;
  GisMapSettings *frame_settings;  /* what @frame shows */
  GHashTable     *layer_handlers;  /* GisMapLayer → notify handler id */
  GArray         *measure_x;
  GArray         *measure_y;
  char           *measurement;
  GisMapLayer    *selected_layer;
  GisGeometry    *selected;

  double          center_x;
  double          center_y;
  double          resolution;      /* map units per logical pixel */
  gboolean        have_view;
  gboolean        labels;
  UiMapTool       tool;
  guint           render_idle;
  guint           settle_timeout;
  gboolean        rendering;
  gboolean        dragging;
  double          drag_cx;
  double          drag_cy;
  double          pointer_x;
  double          pointer_y;
  gboolean        pointer_in;
  double          zoom_start_res;
  GisEnvelope     fit_extent;      /* the extent last asked for with zoom_to ()... */
  gboolean        fitting;         /* ...kept fitted through resizes until the user moves */

  /* Frame clock probe: the longest gap between two frames while the view is busy. */
  guint           tick_id;
  gint64          last_tick;
  double          max_gap_ms;
  guint           n_frames;
};

enum {
  PROP_0,
  PROP_CENTER_X,
  PROP_CENTER_Y,
  PROP_RESOLUTION,
  PROP_TOOL,
  PROP_MEASUREMENT,
  PROP_RENDERING,
  PROP_CURSOR_X,
  PROP_CURSOR_Y,
  PROP_CURSOR_LON,
  PROP_CURSOR_LAT,
  PROP_LABELS,
  N_PROPS
};

enum {
  FEATURE_PICKED,
  VIEW_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (UiMapView, ui_map_view, GTK_TYPE_WIDGET)

static void queue_render (UiMapView *self);

/* Viewport */

static void
pixel_to_map (UiMapView *self, double px, double py, double *x, double *y)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

  *x = self->center_x + (px - w / 2.0) * self->resolution;
  *y = self->center_y - (py - h / 2.0) * self->resolution;
}

static void
view_changed (UiMapView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CENTER_X]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CENTER_Y]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESOLUTION]);
  g_signal_emit (self, signals[VIEW_CHANGED], 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ui_map_view_set_center (UiMapView *self, double x, double y)
{
  g_return_if_fail (UI_IS_MAP_VIEW (self));
  if (!isfinite (x) || !isfinite (y))
    return;
  self->center_x = x;
  self->center_y = y;
  self->have_view = self->resolution > 0;
  view_changed (self);
  if (!self->dragging)
    queue_render (self);
}

void
ui_map_view_get_center (UiMapView *self, double *x, double *y)
{
  g_return_if_fail (UI_IS_MAP_VIEW (self));
  *x = self->center_x;
  *y = self->center_y;
}

double
ui_map_view_get_resolution (UiMapView *self)
{
  g_return_val_if_fail (UI_IS_MAP_VIEW (self), 0);
  return self->resolution;
}

void
ui_map_view_set_resolution (UiMapView *self, double resolution)
{
  g_return_if_fail (UI_IS_MAP_VIEW (self));
  if (!(resolution > 0) || !isfinite (resolution))
    return;
  /* Keep to what doubles and the renderer handle: a millimetre to a continent per pixel
   * in metres, the same span in degrees. */
  resolution = CLAMP (resolution, 1e-9, 1e6);
  self->resolution = resolution;
  self->have_view = TRUE;
  view_changed (self);
  queue_render (self);
}

/**
 * ui_map_view_zoom_to:
 *
 * Shows @extent whole, centred, with a small margin.
 */
void
ui_map_view_zoom_to (UiMapView *self, const GisEnvelope *extent)
{
  int w, h;
  double res;

  g_return_if_fail (UI_IS_MAP_VIEW (self));
  g_return_if_fail (extent != NULL);
  if (gis_envelope_is_empty (extent))
    return;
  w = gtk_widget_get_width (GTK_WIDGET (self));
  h = gtk_widget_get_height (GTK_WIDGET (self));
  /* The view may not be laid out yet, or be resized as the window settles: fit the
   * extent again at each new size until the planner pans or zooms. */
  self->fit_extent = *extent;
  self->fitting = TRUE;
  w = MAX (w, 100);
  h = MAX (h, 100);
  res = MAX ((extent->max_x - extent->min_x) / w, (extent->max_y - extent->min_y) / h) * 1.05;
  if (!(res > 0))
    res = self->resolution > 0 ? self->resolution : 1;
  self->center_x = (extent->min_x + extent->max_x) / 2;
  self->center_y = (extent->min_y + extent->max_y) / 2;
  ui_map_view_set_resolution (self, res);
}

/**
 * ui_map_view_zoom_by:
 * @factor: > 1 zooms in
 * @px: (in): the pixel that stays put
 */
void
ui_map_view_zoom_by (UiMapView *self, double factor, double px, double py)
{
  double x, y, res;
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_if_fail (UI_IS_MAP_VIEW (self));
  if (!(factor > 0) || !self->have_view)
    return;
  self->fitting = FALSE;
  pixel_to_map (self, px, py, &x, &y);
  res = CLAMP (self->resolution / factor, 1e-9, 1e6);
  self->center_x = x - (px - w / 2.0) * res;
  self->center_y = y + (py - h / 2.0) * res;
  self->resolution = res;
  view_changed (self);
}

void
ui_map_view_pan_by (UiMapView *self, double dx, double dy)
{
  g_return_if_fail (UI_IS_MAP_VIEW (self));
  self->fitting = FALSE;
  ui_map_view_set_center (self, self->center_x - dx * self->resolution,
                          self->center_y + dy * self->resolution);
}

gboolean
ui_map_view_get_extent (UiMapView *self, GisEnvelope *extent)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_val_if_fail (UI_IS_MAP_VIEW (self), FALSE);
  if (!self->have_view || w <= 0 || h <= 0)
    return FALSE;
  *extent = (GisEnvelope) { self->center_x - w / 2.0 * self->resolution,
                            self->center_y - h / 2.0 * self->resolution,
                            self->center_x + w / 2.0 * self->resolution,
                            self->center_y + h / 2.0 * self->resolution };
  return TRUE;
}

/* Rendering */

static GisMapSettings *
current_settings (UiMapView *self, gboolean with_layers)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  GisMapSettings *settings;

  if (self->crs == NULL || !self->have_view || w <= 0 || h <= 0)
    return NULL;
  settings = gis_map_settings_new_centered (self->crs, self->center_x, self->center_y,
                                            self->resolution, (guint) w, (guint) h,
                                            gtk_widget_get_scale_factor (GTK_WIDGET (self)));
  gis_map_settings_set_labels (settings, self->labels);
  if (with_layers && self->layers != NULL)
    for (guint i = g_list_model_get_n_items (self->layers); i > 0; i--)
      {
        g_autoptr(GisMapLayer) layer = g_list_model_get_item (self->layers, i - 1);
        if (gis_map_layer_get_visible (layer))
          {
            g_autoptr(GisLayerSnapshot) snap = gis_map_layer_snapshot (layer);
            gis_map_settings_add_layer (settings, snap);
          }
      }
  return settings;
}

static void
set_rendering (UiMapView *self, gboolean rendering)
{
  if (self->rendering == rendering)
    return;
  self->rendering = rendering;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RENDERING]);
}

typedef struct {
  UiMapView      *self;
  GisMapSettings *settings;
} RenderRequest;

static void
rendered_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RenderRequest *req = user_data;
  g_autoptr(UiMapView) self = req->self;
  g_autoptr(GisMapSettings) settings = req->settings;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface;
  GBytes *bytes;
  int w, h, stride;

  g_free (req);
  surface = gis_map_render_finish (result, &error);
  if (surface == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("The map could not be drawn: %s", error->message);
          set_rendering (self, FALSE);
        }
      return;
    }
  if (gtk_widget_get_root (GTK_WIDGET (self)) == NULL)
    {
      cairo_surface_destroy (surface);
      return;
    }
  /* The texture takes the image's pixels without a copy: cairo's ARGB32 is GDK's
   * default memory format. */
  w = cairo_image_surface_get_width (surface);
  h = cairo_image_surface_get_height (surface);
  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) stride * h,
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  g_clear_object (&self->frame);
  self->frame = gdk_memory_texture_new (w, h, GDK_MEMORY_DEFAULT, bytes, (gsize) stride);
  g_bytes_unref (bytes);
  g_clear_pointer (&self->frame_settings, gis_map_settings_unref);
  self->frame_settings = g_steal_pointer (&settings);
  if (self->render_cancellable == NULL || !g_cancellable_is_cancelled (self->render_cancellable))
    set_rendering (self, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
render_idle_cb (gpointer user_data)
{
  UiMapView *self = user_data;
  RenderRequest *req;
  GisMapSettings *settings;

  self->render_idle = 0;
  settings = current_settings (self, TRUE);
  if (settings == NULL)
    return G_SOURCE_REMOVE;
  if (self->render_cancellable != NULL)
    g_cancellable_cancel (self->render_cancellable);
  g_clear_object (&self->render_cancellable);
  self->render_cancellable = g_cancellable_new ();
  req = g_new0 (RenderRequest, 1);
  req->self = g_object_ref (self);
  req->settings = settings;
  set_rendering (self, TRUE);
  gis_map_render_async (settings, self->cache, self->render_cancellable, rendered_cb, req);
  return G_SOURCE_REMOVE;
}

static void
queue_render (UiMapView *self)
{
  if (self->render_idle == 0)
    self->render_idle = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, render_idle_cb, self, NULL);
}

static gboolean
settle_cb (gpointer user_data)
{
  UiMapView *self = user_data;

  self->settle_timeout = 0;
  queue_render (self);
  return G_SOURCE_REMOVE;
}

static void
queue_render_settled (UiMapView *self)
{
  g_clear_handle_id (&self->settle_timeout, g_source_remove);
  self->settle_timeout = g_timeout_add (SETTLE_MS, settle_cb, self);
}

/* Layers */

static void
update_accessible_label (UiMapView *self)
{
  g_autoptr(GString) names = g_string_new (NULL);
  guint n = self->layers ? g_list_model_get_n_items (self->layers) : 0, shown = 0;
  g_autofree char *label = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisMapLayer) layer = g_list_model_get_item (self->layers, i);
      if (!gis_map_layer_get_visible (layer))
        continue;
      if (shown++ > 0)
        g_string_append (names, ", ");
      g_string_append (names, gis_map_layer_get_title (layer));
    }
  if (shown == 0)
    label = g_strdup (_("Map with no visible layer"));
  else
    label = g_strdup_printf (_("Map showing %s"), names->str);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
on_layer_notify (GisMapLayer *layer, GParamSpec *pspec, UiMapView *self)
{
  if (g_strcmp0 (pspec->name, "visible") == 0 || g_strcmp0 (pspec->name, "title") == 0)
    update_accessible_label (self);
  if (g_strcmp0 (pspec->name, "selected") == 0)
    return;
  if (layer == self->selected_layer && g_strcmp0 (pspec->name, "visible") == 0 &&
      !gis_map_layer_get_visible (layer))
    ui_map_view_clear_selection (self);
  queue_render (self);
}

static void
connect_layers (UiMapView *self)
{
  guint n = self->layers ? g_list_model_get_n_items (self->layers) : 0;
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < n; i++)
    {
      GisMapLayer *layer = g_list_model_get_item (self->layers, i);
      g_hash_table_add (present, layer);
      if (!g_hash_table_contains (self->layer_handlers, layer))
        g_hash_table_insert (self->layer_handlers, g_object_ref (layer),
                             GSIZE_TO_POINTER (g_signal_connect (layer, "notify",
                                                                 G_CALLBACK (on_layer_notify),
                                                                 self)));
      g_object_unref (layer);
    }
  g_hash_table_iter_init (&iter, self->layer_handlers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (present, key))
      {
        g_signal_handler_disconnect (key, GPOINTER_TO_SIZE (value));
        if (key == (gpointer) self->selected_layer)
          ui_map_view_clear_selection (self);
        g_object_unref (key);
        g_hash_table_iter_remove (&iter);
      }
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added,
                  UiMapView *self)
{
  connect_layers (self);
  update_accessible_label (self);
  queue_render (self);
}

static void
disconnect_all (UiMapView *self)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->layer_handlers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_signal_handler_disconnect (key, GPOINTER_TO_SIZE (value));
      g_object_unref (key);
      g_hash_table_iter_remove (&iter);
    }
  if (self->layers != NULL)
    g_signal_handlers_disconnect_by_func (self->layers, on_items_changed, self);
}

/**
 * ui_map_view_set_layers:
 * @layers: (nullable): #GisMapLayer items, top first
 * @crs: (nullable): the map's CRS; layers must hold their data in it
 */
void
ui_map_view_set_layers (UiMapView *self, GListModel *layers, GisCrs *crs)
{
  g_return_if_fail (UI_IS_MAP_VIEW (self));

  disconnect_all (self);
  ui_map_view_clear_selection (self);
  g_clear_object (&self->layers);
  g_clear_pointer (&self->crs, gis_crs_unref);
  g_clear_pointer (&self->to_lonlat, gis_transform_free);
  g_clear_object (&self->frame);
  g_clear_pointer (&self->frame_settings, gis_map_settings_unref);
  gis_render_cache_clear (self->cache);
  g_array_set_size (self->measure_x, 0);
  g_array_set_size (self->measure_y, 0);
  if (layers != NULL)
    {
      self->layers = g_object_ref (layers);
      g_signal_connect (layers, "items-changed", G_CALLBACK (on_items_changed), self);
    }
  if (crs != NULL)
    {
      g_autoptr(GisCrs) wgs84 = gis_crs_new_from_epsg (4326, NULL);
      self->crs = gis_crs_ref (crs);
      if (wgs84 != NULL)
        self->to_lonlat = gis_transform_new (crs, wgs84, NULL);
    }
  connect_layers (self);
  update_accessible_label (self);
  queue_render (self);
}

/**
 * ui_map_view_get_crs:
 *
 * Returns: (transfer none) (nullable): the map's CRS
 */
GisCrs *
ui_map_view_get_crs (UiMapView *self)
{
  g_return_val_if_fail (UI_IS_MAP_VIEW (self), NULL);
  return self->crs;
}

void
ui_map_view_set_labels (UiMapView *self, gboolean labels)
{
  g_return_if_fail (UI_IS_MAP_VIEW (self));
  if (self->labels == !!labels)
    return;
  self->labels = !!labels;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABELS]);
  queue_render (self);
}

gboolean
ui_map_view_get_rendering (UiMapView *self)
{
  g_return_val_if_fail (UI_IS_MAP_VIEW (self), FALSE);
  return self->rendering || self->render_idle != 0;
}

/* Tools */

static void
update_measurement (UiMapView *self)
{
  guint n = self->measure_x->len;
  g_autofree char *text = NULL;

  if (self->tool != UI_MAP_TOOL_BROWSE && n >= 2 && self->crs != NULL)
    {
      g_autoptr(GString) wkt = g_string_new (NULL);
      g_autoptr(GisGeometry) g = NULL;
      gboolean area = self->tool == UI_MAP_TOOL_MEASURE_AREA && n >= 3;
      double value = 0;
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append (wkt, area ? "POLYGON((" : "LINESTRING(");
      for (guint i = 0; i <= n; i++)
        {
          guint k = i % n;
          if (i == n && !area)
            break;
          if (i > 0)
            g_string_append_c (wkt, ',');
          g_string_append (wkt, g_ascii_dtostr (num, sizeof num,
                                                g_array_index (self->measure_x, double, k)));
          g_string_append_c (wkt, ' ');
          g_string_append (wkt, g_ascii_dtostr (num, sizeof num,
                                                g_array_index (self->measure_y, double, k)));
        }
      g_string_append (wkt, area ? "))" : ")");
      g = gis_geometry_new_from_wkt (wkt->str, NULL);
      if (g != NULL && area && gis_geodesic_area (g, self->crs, &value, NULL))
        text = value >= 1e6 ? g_strdup_printf (_("Area %.2f km² (%.1f ha)"), value / 1e6, value / 1e4)
                            : g_strdup_printf (_("Area %.2f ha (%.0f m²)"), value / 1e4, value);
      else if (g != NULL && !area && gis_geodesic_length (g, self->crs, &value, NULL))
        text = value >= 1000 ? g_strdup_printf (_("Distance %.3f km"), value / 1000)
                             : g_strdup_printf (_("Distance %.1f m"), value);
    }
  if (g_strcmp0 (text, self->measurement) == 0)
    return;
  g_free (self->measurement);
  self->measurement = g_steal_pointer (&text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEASUREMENT]);
}

void
ui_map_view_set_tool (UiMapView *self, UiMapTool tool)
{
  g_return_if_fail (UI_IS_MAP_VIEW (self));
  if (self->tool == tool)
    return;
  self->tool = tool;
  g_array_set_size (self->measure_x, 0);
  g_array_set_size (self->measure_y, 0);
  update_measurement (self);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self),
                                   tool == UI_MAP_TOOL_BROWSE ? "default" : "crosshair");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

UiMapTool
ui_map_view_get_tool (UiMapView *self)
{
  g_return_val_if_fail (UI_IS_MAP_VIEW (self), UI_MAP_TOOL_BROWSE);
  return self->tool;
}

/**
 * ui_map_view_get_measurement:
 *
 * Returns: (nullable): e.g. "Distance 1.234 km", geodesic, or %NULL when nothing is measured
 */
const char *
ui_map_view_get_measurement (UiMapView *self)
{
  g_return_val_if_fail (UI_IS_MAP_VIEW (self), NULL);
  return self->measurement;
}

/**
 * ui_map_view_add_point:
 *
 * Adds a point (map coordinates) to the line or polygon being measured: what a click
 * does, and what Return does at the centre of the view for keyboard users.
 */
void
ui_map_view_add_point (UiMapView *self, double x, double y)
{
  g_return_if_fail (UI_IS_MAP_VIEW (self));
  if (self->tool == UI_MAP_TOOL_BROWSE || !isfinite (x) || !isfinite (y))
    return;
  g_array_append_val (self->measure_x, x);
  g_array_append_val (self->measure_y, y);
  update_measurement (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ui_map_view_clear_selection (UiMapView *self)
{
  g_return_if_fail (UI_IS_MAP_VIEW (self));
  g_clear_pointer (&self->selected, gis_geometry_unref);
  self->selected_layer = NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
pick (UiMapView *self, double px, double py)
{
  double x, y;
  guint n = self->layers ? g_list_model_get_n_items (self->layers) : 0;

  pixel_to_map (self, px, py, &x, &y);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisMapLayer) layer = g_list_model_get_item (self->layers, i);
      GisVectorLayer *data = gis_map_layer_get_vector (layer);
      guint feature;

      if (data == NULL || !gis_map_layer_get_visible (layer) ||
          gis_map_layer_get_opacity (layer) <= 0)
        continue;
      if (gis_vector_layer_pick (data, x, y, PICK_PX * self->resolution, &feature))
        {
          g_clear_pointer (&self->selected, gis_geometry_unref);
          self->selected = gis_vector_layer_dup_geometry (data, feature);
          self->selected_layer = layer;
          gtk_widget_queue_draw (GTK_WIDGET (self));
          g_signal_emit (self, signals[FEATURE_PICKED], 0, layer, feature);
          return;
        }
    }
  ui_map_view_clear_selection (self);
  g_signal_emit (self, signals[FEATURE_PICKED], 0, NULL, 0);
}

/* Input */

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, UiMapView *self)
{
  self->drag_cx = self->center_x;
  self->drag_cy = self->center_y;
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, UiMapView *self)
{
  if (!self->dragging && hypot (dx, dy) < 3)
    return;
  self->dragging = TRUE;
  self->fitting = FALSE;
  /* Move the last frame with the pointer; draw anew when the drag ends. */
  self->center_x = self->drag_cx - dx * self->resolution;
  self->center_y = self->drag_cy + dy * self->resolution;
  view_changed (self);
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, UiMapView *self)
{
  if (self->dragging)
    {
      self->dragging = FALSE;
      queue_render (self);
    }
}

static void
on_click_released (GtkGestureClick *gesture, int n_press, double x, double y, UiMapView *self)
{
  if (self->dragging)
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (self->tool == UI_MAP_TOOL_BROWSE)
    {
      pick (self, x, y);
      return;
    }
  if (n_press == 2)
    {
      /* A double click ends the measure: keep the figure, start afresh at the next click. */
      return;
    }
  {
    double mx, my;
    pixel_to_map (self, x, y, &mx, &my);
    ui_map_view_add_point (self, mx, my);
  }
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, UiMapView *self)
{
  GdkScrollUnit unit = gtk_event_controller_scroll_get_unit (controller);
  double steps = unit == GDK_SCROLL_UNIT_WHEEL ? dy : dy / 20.0;

  if (!self->pointer_in)
    {
      self->pointer_x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      self->pointer_y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  ui_map_view_zoom_by (self, pow (1.25, -steps), self->pointer_x, self->pointer_y);
  queue_render_settled (self);
  return GDK_EVENT_STOP;
}

static void
on_zoom_begin (GtkGesture *gesture, GdkEventSequence *sequence, UiMapView *self)
{
  self->zoom_start_res = self->resolution;
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture, double scale, UiMapView *self)
{
  double cx, cy, target;

  if (!(scale > 0) || !(self->zoom_start_res > 0))
    return;
  gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy);
  target = self->zoom_start_res / scale;
  ui_map_view_zoom_by (self, self->resolution / target, cx, cy);
  queue_render_settled (self);
}

static void
emit_cursor (UiMapView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR_X]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR_Y]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR_LON]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR_LAT]);
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, UiMapView *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_in = TRUE;
  emit_cursor (self);
  if (self->tool != UI_MAP_TOOL_BROWSE && self->measure_x->len > 0)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *controller, UiMapView *self)
{
  self->pointer_in = FALSE;
  emit_cursor (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, UiMapView *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  double step = MIN (w, h) / 8.0;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return GDK_EVENT_PROPAGATE;
  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      ui_map_view_pan_by (self, step, 0);
      return GDK_EVENT_STOP;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      ui_map_view_pan_by (self, -step, 0);
      return GDK_EVENT_STOP;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      ui_map_view_pan_by (self, 0, step);
      return GDK_EVENT_STOP;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      ui_map_view_pan_by (self, 0, -step);
      return GDK_EVENT_STOP;
    case GDK_KEY_plus:
    case GDK_KEY_equal:
    case GDK_KEY_KP_Add:
      ui_map_view_zoom_by (self, 2, w / 2.0, h / 2.0);
      queue_render (self);
      return GDK_EVENT_STOP;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      ui_map_view_zoom_by (self, 0.5, w / 2.0, h / 2.0);
      queue_render (self);
      return GDK_EVENT_STOP;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
      if (self->tool != UI_MAP_TOOL_BROWSE)
        {
          ui_map_view_add_point (self, self->center_x, self->center_y);
          return GDK_EVENT_STOP;
        }
      break;
    case GDK_KEY_BackSpace:
      if (self->tool != UI_MAP_TOOL_BROWSE && self->measure_x->len > 0)
        {
          g_array_set_size (self->measure_x, self->measure_x->len - 1);
          g_array_set_size (self->measure_y, self->measure_y->len - 1);
          update_measurement (self);
          gtk_widget_queue_draw (GTK_WIDGET (self));
          return GDK_EVENT_STOP;
        }
      break;
    case GDK_KEY_Escape:
      if (self->tool != UI_MAP_TOOL_BROWSE && self->measure_x->len > 0)
        {
          g_array_set_size (self->measure_x, 0);
          g_array_set_size (self->measure_y, 0);
          update_measurement (self);
          gtk_widget_queue_draw (GTK_WIDGET (self));
          return GDK_EVENT_STOP;
        }
      if (self->selected != NULL)
        {
          ui_map_view_clear_selection (self);
          g_signal_emit (self, signals[FEATURE_PICKED], 0, NULL, 0);
          return GDK_EVENT_STOP;
        }
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

/* Drawing */

static void
draw_overlays (UiMapView *self, cairo_t *cr, GisMapSettings *settings)
{
  int h = gtk_widget_get_height (GTK_WIDGET (self)), w = gtk_widget_get_width (GTK_WIDGET (self));

  if (self->selected != NULL)
    {
      GisSymbol s = gis_symbol_default ((GisColor) { 1, 1, 0, 0.25 });
      s.stroke = (GisColor) { 0.9, 0.1, 0.6, 1 };
      s.stroke_width = 3;
      s.marker_size = 10;
      gis_map_draw_geometry (cr, settings, self->selected, &s);
    }
  if (self->tool != UI_MAP_TOOL_BROWSE && self->measure_x->len > 0)
    {
      guint n = self->measure_x->len;
      cairo_save (cr);
      cairo_set_line_width (cr, 2);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      for (guint i = 0; i < n; i++)
        {
          double px, py;
          gis_map_settings_map_to_pixel (settings, g_array_index (self->measure_x, double, i),
                                         g_array_index (self->measure_y, double, i), &px, &py);
          if (i == 0)
            cairo_move_to (cr, px, py);
          else
            cairo_line_to (cr, px, py);
        }
      if (self->pointer_in)
        cairo_line_to (cr, self->pointer_x, self->pointer_y);
      if (self->tool == UI_MAP_TOOL_MEASURE_AREA && n >= 2)
        {
          cairo_close_path (cr);
          cairo_set_source_rgba (cr, 0.8, 0.47, 0.65, 0.2);
          cairo_fill_preserve (cr);
        }
      cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
      cairo_set_line_width (cr, 4);
      cairo_stroke_preserve (cr);
      cairo_set_source_rgb (cr, 0.8, 0.2, 0.5);
      cairo_set_line_width (cr, 2);
      cairo_stroke (cr);
      cairo_restore (cr);
    }
  if (self->tool != UI_MAP_TOOL_BROWSE && gtk_widget_has_focus (GTK_WIDGET (self)))
    {
      /* Where Return adds a point. */
      cairo_save (cr);
      cairo_set_source_rgba (cr, 0.8, 0.2, 0.5, 0.9);
      cairo_set_line_width (cr, 1.5);
      cairo_move_to (cr, w / 2.0 - 10, h / 2.0);
      cairo_line_to (cr, w / 2.0 + 10, h / 2.0);
      cairo_move_to (cr, w / 2.0, h / 2.0 - 10);
      cairo_line_to (cr, w / 2.0, h / 2.0 + 10);
      cairo_stroke (cr);
      cairo_restore (cr);
    }
  gis_map_draw_scale_bar (cr, settings, 16, h - 20, MIN (200.0, w / 3.0));
}

static void
ui_map_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  UiMapView *self = UI_MAP_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GisMapSettings) settings = NULL;
  cairo_t *cr;

  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (self->frame != NULL && self->frame_settings != NULL && self->have_view)
    {
      /* Place the last frame where its extent lies in the current view. */
      GisEnvelope e;
      double x0, y0, scale;

      gis_map_settings_get_extent (self->frame_settings, &e);
      scale = gis_map_settings_get_resolution (self->frame_settings) / self->resolution;
      x0 = (e.min_x - self->center_x) / self->resolution + w / 2.0;
      y0 = (self->center_y - e.max_y) / self->resolution + h / 2.0;
      gtk_snapshot_append_texture (snapshot, self->frame,
                                   &GRAPHENE_RECT_INIT (x0, y0,
                                                        gis_map_settings_get_width (self->frame_settings) * scale,
                                                        gis_map_settings_get_height (self->frame_settings) * scale));
    }
  settings = current_settings (self, FALSE);
  if (settings == NULL)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  draw_overlays (self, cr, settings);
  cairo_destroy (cr);
}

static void
ui_map_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  UiMapView *self = UI_MAP_VIEW (widget);

  if (self->fitting && width > 1 && height > 1)
    {
      GisEnvelope e = self->fit_extent;
      ui_map_view_zoom_to (self, &e);
    }
  queue_render (self);
}

static void
ui_map_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                     int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = 100;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 800 : 600;
}

/* Frame clock probe */

static gboolean
tick_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  UiMapView *self = UI_MAP_VIEW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (self->last_tick > 0)
    self->max_gap_ms = MAX (self->max_gap_ms, (now - self->last_tick) / 1000.0);
  self->last_tick = now;
  self->n_frames++;
  return G_SOURCE_CONTINUE;
}

/**
 * ui_map_view_get_max_frame_gap:
 *
 * The longest time between two frames of the window's frame clock since the last reset:
 * how long the UI thread was blocked at worst.
 */
double
ui_map_view_get_max_frame_gap (UiMapView *self)
{
  g_return_val_if_fail (UI_IS_MAP_VIEW (self), 0);
  return self->max_gap_ms;
}

guint
ui_map_view_get_frames (UiMapView *self)
{
  g_return_val_if_fail (UI_IS_MAP_VIEW (self), 0);
  return self->n_frames;
}

/**
 * ui_map_view_reset_frame_gap:
 *
 * Starts measuring anew; the frame clock runs continuously until the view is
 * destroyed, so that gaps are seen even when nothing changes on screen.
 */
void
ui_map_view_reset_frame_gap (UiMapView *self)
{
  g_return_if_fail (UI_IS_MAP_VIEW (self));
  self->max_gap_ms = 0;
  self->last_tick = 0;
  self->n_frames = 0;
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

/* GObject */

static void
ui_map_view_dispose (GObject *object)
{
  UiMapView *self = UI_MAP_VIEW (object);

  if (self->render_cancellable != NULL)
    g_cancellable_cancel (self->render_cancellable);
  g_clear_object (&self->render_cancellable);
  g_clear_handle_id (&self->render_idle, g_source_remove);
  g_clear_handle_id (&self->settle_timeout, g_source_remove);
  if (self->layer_handlers != NULL)
    disconnect_all (self);
  g_clear_object (&self->layers);
  g_clear_object (&self->frame);
  g_clear_pointer (&self->frame_settings, gis_map_settings_unref);
  g_clear_pointer (&self->selected, gis_geometry_unref);
  self->selected_layer = NULL;

  G_OBJECT_CLASS (ui_map_view_parent_class)->dispose (object);
}

static void
ui_map_view_finalize (GObject *object)
{
  UiMapView *self = UI_MAP_VIEW (object);

  g_clear_pointer (&self->crs, gis_crs_unref);
  g_clear_pointer (&self->to_lonlat, gis_transform_free);
  /* Workers may still hold the cache while a cancelled frame winds down: they finish
   * before the task's callback, which holds a reference to the view. */
  g_clear_pointer (&self->cache, gis_render_cache_free);
  g_clear_pointer (&self->layer_handlers, g_hash_table_unref);
  g_array_unref (self->measure_x);
  g_array_unref (self->measure_y);
  g_free (self->measurement);

  G_OBJECT_CLASS (ui_map_view_parent_class)->finalize (object);
}

static void
cursor_position (UiMapView *self, double *x, double *y, double *lon, double *lat)
{
  *x = *y = *lon = *lat = NAN;
  if (!self->pointer_in || !self->have_view)
    return;
  pixel_to_map (self, self->pointer_x, self->pointer_y, x, y);
  *lon = *x;
  *lat = *y;
  if (self->to_lonlat != NULL && !gis_transform_points (self->to_lonlat, lon, lat, 1, NULL))
    *lon = *lat = NAN;
}

static void
ui_map_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  UiMapView *self = UI_MAP_VIEW (object);
  double x, y, lon, lat;

  switch (prop_id)
    {
    case PROP_CENTER_X:
      g_value_set_double (value, self->center_x);
      break;
    case PROP_CENTER_Y:
      g_value_set_double (value, self->center_y);
      break;
    case PROP_RESOLUTION:
      g_value_set_double (value, self->resolution);
      break;
    case PROP_TOOL:
      g_value_set_int (value, self->tool);
      break;
    case PROP_MEASUREMENT:
      g_value_set_string (value, self->measurement);
      break;
    case PROP_RENDERING:
      g_value_set_boolean (value, self->rendering);
      break;
    case PROP_LABELS:
      g_value_set_boolean (value, self->labels);
      break;
    case PROP_CURSOR_X:
    case PROP_CURSOR_Y:
    case PROP_CURSOR_LON:
    case PROP_CURSOR_LAT:
      cursor_position (self, &x, &y, &lon, &lat);
      g_value_set_double (value, prop_id == PROP_CURSOR_X ? x : prop_id == PROP_CURSOR_Y ? y
                                 : prop_id == PROP_CURSOR_LON ? lon : lat);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ui_map_view_set_property (GObject *object, guint prop_id, const GValue *value,
                          GParamSpec *pspec)
{
  UiMapView *self = UI_MAP_VIEW (object);

  switch (prop_id)
    {
    case PROP_CENTER_X:
      ui_map_view_set_center (self, g_value_get_double (value), self->center_y);
      break;
    case PROP_CENTER_Y:
      ui_map_view_set_center (self, self->center_x, g_value_get_double (value));
      break;
    case PROP_RESOLUTION:
      ui_map_view_set_resolution (self, g_value_get_double (value));
      break;
    case PROP_TOOL:
      ui_map_view_set_tool (self, g_value_get_int (value));
      break;
    case PROP_LABELS:
      ui_map_view_set_labels (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ui_map_view_class_init (UiMapViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = ui_map_view_dispose;
  object_class->finalize = ui_map_view_finalize;
  object_class->get_property = ui_map_view_get_property;
  object_class->set_property = ui_map_view_set_property;
  widget_class->snapshot = ui_map_view_snapshot;
  widget_class->size_allocate = ui_map_view_size_allocate;
  widget_class->measure = ui_map_view_measure;

  properties[PROP_CENTER_X] = g_param_spec_double ("center-x", NULL, NULL, -G_MAXDOUBLE,
                                                   G_MAXDOUBLE, 0, rw);
  properties[PROP_CENTER_Y] = g_param_spec_double ("center-y", NULL, NULL, -G_MAXDOUBLE,
                                                   G_MAXDOUBLE, 0, rw);
  properties[PROP_RESOLUTION] = g_param_spec_double ("resolution", NULL, NULL, 0, G_MAXDOUBLE,
                                                     1, rw);
  properties[PROP_TOOL] = g_param_spec_int ("tool", NULL, NULL, UI_MAP_TOOL_BROWSE,
                                            UI_MAP_TOOL_MEASURE_AREA, UI_MAP_TOOL_BROWSE, rw);
  properties[PROP_MEASUREMENT] = g_param_spec_string ("measurement", NULL, NULL, NULL, ro);
  properties[PROP_RENDERING] = g_param_spec_boolean ("rendering", NULL, NULL, FALSE, ro);
  properties[PROP_CURSOR_X] = g_param_spec_double ("cursor-x", NULL, NULL, -G_MAXDOUBLE,
                                                   G_MAXDOUBLE, 0, ro);
  properties[PROP_CURSOR_Y] = g_param_spec_double ("cursor-y", NULL, NULL, -G_MAXDOUBLE,
                                                   G_MAXDOUBLE, 0, ro);
  properties[PROP_CURSOR_LON] = g_param_spec_double ("cursor-lon", NULL, NULL, -G_MAXDOUBLE,
                                                     G_MAXDOUBLE, 0, ro);
  properties[PROP_CURSOR_LAT] = g_param_spec_double ("cursor-lat", NULL, NULL, -G_MAXDOUBLE,
                                                     G_MAXDOUBLE, 0, ro);
  properties[PROP_LABELS] = g_param_spec_boolean ("labels", NULL, NULL, TRUE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * UiMapView::feature-picked:
   * @layer: (nullable): the layer of the feature clicked, %NULL when the click hit nothing
   * @feature: the feature's number in the layer's data
   */
  signals[FEATURE_PICKED] = g_signal_new ("feature-picked", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                          2, GIS_TYPE_MAP_LAYER, G_TYPE_UINT);
  signals[VIEW_CHANGED] = g_signal_new ("view-changed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "mapview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ui_map_view_init (UiMapView *self)
{
  GtkGesture *drag, *click, *zoom;
  GtkEventController *scroll, *motion, *key;

  self->cache = gis_render_cache_new (160 * 1024 * 1024);
  self->layer_handlers = g_hash_table_new (NULL, NULL);
  self->measure_x = g_array_new (FALSE, FALSE, sizeof (double));
  self->measure_y = g_array_new (FALSE, FALSE, sizeof (double));
  self->resolution = 1;
  self->labels = TRUE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  zoom = gtk_gesture_zoom_new ();
  g_signal_connect (zoom, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (zoom, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (zoom));

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);

  update_accessible_label (self);
}

GtkWidget *
ui_map_view_new (void)
{
  return g_object_new (UI_TYPE_MAP_VIEW, NULL);
}
