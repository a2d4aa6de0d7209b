/* gis-memory.c: large arrays
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-memory"

#include <stdlib.h>
#include <sys/mman.h>

#include "gis-memory.h"

/**
 * gis_alloc_large:
 * @size: bytes
 *
 * Memory for a large array (a million cells or points), in huge pages where the system
 * offers them: in 4 kB pages a hundred megabytes cost tens of thousands of page faults, as
 * much time as a pass over the array. Not cleared.
 *
 * Returns: (transfer full): the memory, freed with g_free()
 */
gpointer
gis_alloc_large (gsize size)
{
  const gsize huge = 2 * 1024 * 1024;
  void *data = NULL;

  if (size < 2 * huge)
    return g_malloc (MAX (size, 1));
  if (posix_memalign (&data, huge, (size + huge - 1) / huge * huge) != 0)
    return g_malloc (size);
#ifdef MADV_HUGEPAGE
  madvise (data, (size + huge - 1) / huge * huge, MADV_HUGEPAGE);
#endif
  return data;
}
