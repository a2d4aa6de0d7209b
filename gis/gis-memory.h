/* gis-memory.h: large arrays, and giving freed memory back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gpointer gis_alloc_large (gsize size);
void     gis_release_free_memory (void);

G_END_DECLS
