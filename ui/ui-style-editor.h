/* ui-style-editor.h: changing how a layer is drawn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "gis.h"

G_BEGIN_DECLS

#define UI_TYPE_STYLE_EDITOR (ui_style_editor_get_type ())
G_DECLARE_FINAL_TYPE (UiStyleEditor, ui_style_editor, UI, STYLE_EDITOR, AdwWindow)

UiStyleEditor *ui_style_editor_new (GtkWindow   *parent,
                                    GisMapLayer *layer);

G_END_DECLS
