/* ui-window.h: Placer's main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "zones.h"

G_BEGIN_DECLS

#define UI_TYPE_WINDOW (ui_window_get_type ())
G_DECLARE_FINAL_TYPE (UiWindow, ui_window, UI, WINDOW, AdwApplicationWindow)

UiWindow       *ui_window_new           (AdwApplication *application,
                                         GSettings      *settings);
void            ui_window_open          (UiWindow       *self,
                                         const char     *path);
void            ui_window_import        (UiWindow       *self,
                                         const char     *path);
ZonesWorkspace *ui_window_get_workspace (UiWindow       *self);
void            ui_window_show_toast    (UiWindow       *self,
                                         const char     *message);

G_END_DECLS
