/* ui-import-dialog.h: adding a file to the project, with its role and field mapping
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "zones.h"

G_BEGIN_DECLS

#define UI_TYPE_IMPORT_DIALOG (ui_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (UiImportDialog, ui_import_dialog, UI, IMPORT_DIALOG, AdwWindow)

UiImportDialog *ui_import_dialog_new (GtkWindow  *parent,
                                      const char *path);

G_END_DECLS
