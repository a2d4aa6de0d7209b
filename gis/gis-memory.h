/* gis-memory.h: large arrays, giving freed memory back, and where time and memory go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gpointer gis_alloc_large (gsize size);
void     gis_release_free_memory (void);
void     gis_print_phase (gint64     *since,
                          const char *phase);

G_END_DECLS
