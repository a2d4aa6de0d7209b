/* ui-inspector.h: the attributes of the feature the planner clicked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "gis.h"

G_BEGIN_DECLS

#define UI_TYPE_INSPECTOR (ui_inspector_get_type ())
G_DECLARE_FINAL_TYPE (UiInspector, ui_inspector, UI, INSPECTOR, GtkWidget)

GtkWidget *ui_inspector_new  (void);
void       ui_inspector_show (UiInspector *self,
                              GisMapLayer *layer,
                              guint        feature,
                              GisCrs      *crs);
void       ui_inspector_clear (UiInspector *self);

G_END_DECLS
