/* ui-layer-list.h: the sidebar's list of map layers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "zones.h"

G_BEGIN_DECLS

#define UI_TYPE_LAYER_LIST (ui_layer_list_get_type ())
G_DECLARE_FINAL_TYPE (UiLayerList, ui_layer_list, UI, LAYER_LIST, GtkWidget)

GtkWidget      *ui_layer_list_new           (void);
void            ui_layer_list_set_workspace (UiLayerList    *self,
                                             ZonesWorkspace *workspace);
char           *ui_layer_describe           (GisMapLayer    *layer);
const char     *ui_role_label               (const char     *role);
void            ui_draw_layer_swatch        (cairo_t        *cr,
                                             GisMapLayer    *layer,
                                             int             width,
                                             int             height);

G_END_DECLS
