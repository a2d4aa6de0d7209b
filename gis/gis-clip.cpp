/* gis-clip.cpp: the one C++ file of gis/, a C face on Clipper's polygon booleans
 *
 * Clipper works on integer coordinates with exact predicates, with a sweep over all rings
 * at once: a target minus many overlapping cutters is one pass, with no union built first.
 * No exception leaves this file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <exception>
#include <new>

#include <polyclipping/clipper.hpp>

#include "gis-clip-private.h"

using namespace ClipperLib;

void
_gis_clip_rings_init (GisClipRings *r)
{
  r->xy = g_array_new (FALSE, FALSE, sizeof (gint64));
  r->ring_n = g_array_new (FALSE, FALSE, sizeof (guint));
  r->poly_n = g_array_new (FALSE, FALSE, sizeof (guint));
}

void
_gis_clip_rings_reset (GisClipRings *r)
{
  g_array_set_size (r->xy, 0);
  g_array_set_size (r->ring_n, 0);
  g_array_set_size (r->poly_n, 0);
}

void
_gis_clip_rings_clear (GisClipRings *r)
{
  g_clear_pointer (&r->xy, g_array_unref);
  g_clear_pointer (&r->ring_n, g_array_unref);
  g_clear_pointer (&r->poly_n, g_array_unref);
}

static void
add_rings (Clipper &c, const GisClipRings *r, PolyType type)
{
  const gint64 *xy = (const gint64 *) (gpointer) r->xy->data;
  Path path;

  for (guint i = 0; i < r->ring_n->len; i++)
    {
      guint n = g_array_index (r->ring_n, guint, i);

      path.resize (n);
      for (guint k = 0; k < n; k++)
        path[k] = IntPoint (xy[2 * k], xy[2 * k + 1]);
      xy += 2 * (gsize) n;
      /* A ring with fewer than three distinct points has no area: Clipper drops it. */
      c.AddPath (path, type, true);
    }
}

static void
put_ring (GisClipRings *out, const Path &p)
{
  guint n = (guint) p.size (), start = out->xy->len;
  gint64 *xy;

  g_array_append_val (out->ring_n, n);
  g_array_set_size (out->xy, start + 2 * (gsize) n);
  xy = (gint64 *) (gpointer) out->xy->data + start;
  for (const IntPoint &q : p)
    {
      *xy++ = q.X;
      *xy++ = q.Y;
    }
}

/* An outer ring, its holes, then the polygons inside those holes. */
static void
put_polygon (GisClipRings *out, const PolyNode *outer)
{
  guint rings = 1;

  put_ring (out, outer->Contour);
  for (const PolyNode *hole : outer->Childs)
    {
      put_ring (out, hole->Contour);
      rings++;
    }
  g_array_append_val (out->poly_n, rings);
  for (const PolyNode *hole : outer->Childs)
    for (const PolyNode *inner : hole->Childs)
      put_polygon (out, inner);
}

gboolean
_gis_clip_run (gboolean            subtract,
               gboolean            simple,
               const GisClipRings *subject,
               const GisClipRings *clip,
               GisClipRings       *out,
               char              **message)
{
  try
    {
      Clipper c;
      PolyTree tree;

      c.StrictlySimple (simple);
      add_rings (c, subject, ptSubject);
      add_rings (c, clip, ptClip);
      _gis_clip_rings_reset (out);
      if (!c.Execute (subtract ? ctDifference : ctIntersection, tree, pftEvenOdd, pftNonZero))
        {
          *message = g_strdup ("the integer overlay could not order its intersections");
          return FALSE;
        }
      for (const PolyNode *outer : tree.Childs)
        put_polygon (out, outer);
      return TRUE;
    }
  catch (const std::exception &e)
    {
      *message = g_strdup (e.what ());
    }
  catch (...)
    {
      *message = g_strdup ("the integer overlay failed");
    }
  return FALSE;
}
