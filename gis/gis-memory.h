/* gis-memory.h: large arrays
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gpointer gis_alloc_large (gsize size);

G_END_DECLS
