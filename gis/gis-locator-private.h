/* gis-locator-private.h: a grid that answers gis_overlay_locate() for many points
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gis-overlay.h"

G_BEGIN_DECLS

typedef struct _GisLocator GisLocator;

GisLocator *_gis_locator_new    (GisOverlay *exact,
                                 GPtrArray  *cutters,
                                 guint       max_cells);
void        _gis_locator_free   (GisLocator *locator);
gint        _gis_locator_locate (GisLocator *locator,
                                 double      x,
                                 double      y);

G_END_DECLS
