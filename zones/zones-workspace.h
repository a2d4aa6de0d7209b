/* zones-workspace.h: an open project as the app sees it — its map layers and view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gis.h"
#include "zones-layer.h"

G_BEGIN_DECLS

#define ZONES_TYPE_WORKSPACE (zones_workspace_get_type ())
G_DECLARE_FINAL_TYPE (ZonesWorkspace, zones_workspace, ZONES, WORKSPACE, GObject)

void            zones_workspace_open_async      (const char          *path,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
ZonesWorkspace *zones_workspace_open_finish     (GAsyncResult        *result,
                                                 GError             **error);
ZonesWorkspace *zones_workspace_open            (const char          *path,
                                                 GCancellable        *cancellable,
                                                 GError             **error);
GisProject     *zones_workspace_get_project     (ZonesWorkspace      *self);
GListModel     *zones_workspace_get_layers      (ZonesWorkspace      *self);
GisCrs         *zones_workspace_get_crs         (ZonesWorkspace      *self);
const char     *zones_workspace_get_title       (ZonesWorkspace      *self);
GPtrArray      *zones_workspace_get_problems    (ZonesWorkspace      *self);
gboolean        zones_workspace_get_home        (ZonesWorkspace      *self,
                                                 GisEnvelope         *extent);
GisMapLayer    *zones_workspace_find_layer      (ZonesWorkspace      *self,
                                                 const char          *title);
void            zones_workspace_move_layer      (ZonesWorkspace      *self,
                                                 guint                from,
                                                 guint                to);
gboolean        zones_workspace_save_view       (ZonesWorkspace      *self,
                                                 const GisEnvelope   *extent,
                                                 GError             **error);
void            zones_workspace_add_layer_async (ZonesWorkspace      *self,
                                                 ZonesLayerCandidate *candidate,
                                                 const char          *name,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GisMapLayer    *zones_workspace_add_layer_finish (ZonesWorkspace     *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
void            zones_workspace_remove_layer    (ZonesWorkspace      *self,
                                                 GisMapLayer         *layer,
                                                 GError             **error);

G_END_DECLS
