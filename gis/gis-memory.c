/* gis-memory.c: large arrays, and giving freed memory back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-memory"

#include <stdlib.h>
#include <sys/mman.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

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

/**
 * gis_release_free_memory:
 *
 * Hands the memory freed so far back to the system, where the C library keeps it for
 * reuse: after a phase that made and dropped many small shapes (hundreds of thousands of
 * pixel polygons), the freed space is scattered through the heap and would otherwise stay
 * resident for the rest of the run. Does nothing where the C library has no such call.
 */
void
gis_release_free_memory (void)
{
#ifdef __GLIBC__
  malloc_trim (0);
#endif
}
