/* ui-map-view.h: the map canvas
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "gis.h"

G_BEGIN_DECLS

/**
 * UiMapTool:
 * @UI_MAP_TOOL_BROWSE: drag pans, a click identifies the feature under it
 * @UI_MAP_TOOL_MEASURE_DISTANCE: clicks add points of a line; its geodesic length is shown
 * @UI_MAP_TOOL_MEASURE_AREA: clicks add points of a polygon; its geodesic area is shown
 */
typedef enum {
  UI_MAP_TOOL_BROWSE,
  UI_MAP_TOOL_MEASURE_DISTANCE,
  UI_MAP_TOOL_MEASURE_AREA,
} UiMapTool;

#define UI_TYPE_MAP_VIEW (ui_map_view_get_type ())
G_DECLARE_FINAL_TYPE (UiMapView, ui_map_view, UI, MAP_VIEW, GtkWidget)

GtkWidget  *ui_map_view_new             (void);
void        ui_map_view_set_layers      (UiMapView         *self,
                                         GListModel        *layers,
                                         GisCrs            *crs);
GisCrs     *ui_map_view_get_crs         (UiMapView         *self);
void        ui_map_view_set_center      (UiMapView         *self,
                                         double             x,
                                         double             y);
void        ui_map_view_get_center      (UiMapView         *self,
                                         double            *x,
                                         double            *y);
double      ui_map_view_get_resolution  (UiMapView         *self);
void        ui_map_view_set_resolution  (UiMapView         *self,
                                         double             resolution);
void        ui_map_view_zoom_to         (UiMapView         *self,
                                         const GisEnvelope *extent);
void        ui_map_view_zoom_by         (UiMapView         *self,
                                         double             factor,
                                         double             px,
                                         double             py);
void        ui_map_view_pan_by          (UiMapView         *self,
                                         double             dx,
                                         double             dy);
gboolean    ui_map_view_get_extent      (UiMapView         *self,
                                         GisEnvelope       *extent);
void        ui_map_view_set_tool        (UiMapView         *self,
                                         UiMapTool          tool);
UiMapTool   ui_map_view_get_tool        (UiMapView         *self);
const char *ui_map_view_get_measurement (UiMapView         *self);
void        ui_map_view_add_point       (UiMapView         *self,
                                         double             x,
                                         double             y);
void        ui_map_view_clear_selection (UiMapView         *self);
void        ui_map_view_set_labels      (UiMapView         *self,
                                         gboolean           labels);
gboolean    ui_map_view_get_rendering   (UiMapView         *self);
guint       ui_map_view_get_frames      (UiMapView         *self);
double      ui_map_view_get_max_frame_gap (UiMapView       *self);
void        ui_map_view_reset_frame_gap (UiMapView         *self);

G_END_DECLS
