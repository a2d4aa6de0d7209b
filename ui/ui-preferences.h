/* ui-preferences.h: the preferences window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define UI_TYPE_PREFERENCES (ui_preferences_get_type ())
G_DECLARE_FINAL_TYPE (UiPreferences, ui_preferences, UI, PREFERENCES, AdwPreferencesWindow)

UiPreferences *ui_preferences_new (GtkWindow *parent,
                                   GSettings *settings);

G_END_DECLS
