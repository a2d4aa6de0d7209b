/* ui-layer-row.h: one map layer in the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "gis.h"

G_BEGIN_DECLS

#define UI_TYPE_LAYER_ROW (ui_layer_row_get_type ())
G_DECLARE_FINAL_TYPE (UiLayerRow, ui_layer_row, UI, LAYER_ROW, GtkWidget)

GtkWidget   *ui_layer_row_new       (void);
void         ui_layer_row_set_layer (UiLayerRow  *self,
                                     GisMapLayer *layer);
GisMapLayer *ui_layer_row_get_layer (UiLayerRow  *self);

G_END_DECLS
