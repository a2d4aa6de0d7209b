/* ui.h: Placer's widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "zones.h"
#include "ui-import-dialog.h"
#include "ui-inspector.h"
#include "ui-layer-list.h"
#include "ui-layer-row.h"
#include "ui-map-view.h"
#include "ui-preferences.h"
#include "ui-style-editor.h"
#include "ui-window.h"
