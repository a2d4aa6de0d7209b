/* gis-memory.c: large arrays, giving freed memory back, and where time and memory go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-memory"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/**
 * gis_print_phase:
 * @since: (inout): when the phase began (g_get_monotonic_time ()); set to now
 * @phase: its name
 *
 * Where the time and memory go: with PLACER_TIMINGS set, prints on stderr the phase's wall
 * time and the process's resident and peak memory, where the system says (Linux's /proc).
 */
void
gis_print_phase (gint64 *since, const char *phase)
{
  gint64 now = g_get_monotonic_time ();

  if (g_getenv ("PLACER_TIMINGS") != NULL)
    {
      g_autofree char *status = NULL;
      const char *rss = NULL, *hwm = NULL;

      if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
        {
          rss = strstr (status, "VmRSS:");
          hwm = strstr (status, "VmHWM:");
        }
      if (rss != NULL && hwm != NULL)
        fprintf (stderr, "%s: %.3f s (resident %.0f MB, peak %.0f MB)\n", phase,
                 (now - *since) / 1e6, g_ascii_strtod (rss + 6, NULL) / 1024,
                 g_ascii_strtod (hwm + 6, NULL) / 1024);
      else
        fprintf (stderr, "%s: %.3f s\n", phase, (now - *since) / 1e6);
    }
  *since = now;
}
