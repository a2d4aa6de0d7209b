/* gis-simple-ring.c: a quick proof that a polygon of one ring is valid
 *
 * A polygon with no holes is valid in the OGC sense when its ring is closed and simple: no
 * two edges meet except neighbours at their shared point, and no neighbour folds back over
 * the other. The ring is cut into runs monotone in x and y (as GEOS's monotone chains);
 * runs whose boxes meet are walked side by side, and each pair of edges whose ranges
 * overlap is tested with orientation predicates whose sign is certain (Shewchuk's error
 * bound; the folder is built without contracted multiply-adds). Whatever is not certain, and every
 * meeting of two edges, answers "not proven": GEOS then decides and gives its reason, so the
 * answer is GEOS's own wherever a shape is invalid or close to it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gis-private.h"

/* The sign of the turn a → b → c: 1, -1 or 0, exactly; 2 when it cannot be told here. */
static inline int
orient (const double *a, const double *b, const double *c)
{
  return _gis_orientation (a[0], a[1], b[0], b[1], c[0], c[1]);
}

typedef struct {
  double       *xy;  /* the ring's n points, repeated ones removed, then its first two again */
  guint         n;
} Ring;

/* Point i, for i up to n + 1 (n and n + 1 are points 0 and 1 again). */
static inline const double *
pt (const Ring *r, guint i)
{
  return r->xy + 2 * i;
}

/* Edges i and i + 1 meet only at their shared point: they do not fold back. */
static gboolean
neighbours_ok (const Ring *r, guint i)
{
  const double *a = pt (r, i), *b = pt (r, i + 1), *c = pt (r, i + 2);
  int o = orient (a, b, c);
  double dot;

  if (o == 1 || o == -1)
    return TRUE;
  if (o == 2)
    return FALSE;
  /* On one line: fine if c lies beyond b, seen from a. */
  dot = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]);
  return dot > 0;
}

/* Edges i and j, not neighbours, certainly do not meet. */
static gboolean
apart (const Ring *r, guint i, guint j)
{
  const double *p1 = pt (r, i), *p2 = pt (r, i + 1), *q1 = pt (r, j), *q2 = pt (r, j + 1);
  int o1, o2, o3, o4;

  /* Their boxes first (closed boxes: touching counts as meeting). */
  if (MAX (p1[0], p2[0]) < MIN (q1[0], q2[0]) || MAX (q1[0], q2[0]) < MIN (p1[0], p2[0]) ||
      MAX (p1[1], p2[1]) < MIN (q1[1], q2[1]) || MAX (q1[1], q2[1]) < MIN (p1[1], p2[1]))
    return TRUE;
  o1 = orient (p1, p2, q1);
  o2 = orient (p1, p2, q2);
  if (o1 == 2 || o2 == 2)
    return FALSE;
  if (o1 * o2 > 0)
    return TRUE;
  o3 = orient (q1, q2, p1);
  o4 = orient (q1, q2, p2);
  if (o3 == 2 || o4 == 2)
    return FALSE;
  /* Otherwise they cross, touch, or overlap on one line (their boxes meet). */
  return o3 * o4 > 0;
}

static gboolean
neighbours (const Ring *r, guint i, guint j)
{
  guint d = i > j ? i - j : j - i;
  return d == 1 || d == r->n - 1;
}

/* A run of edges monotone in x and in y (not strictly): two of its edges that are not
 * neighbours cannot meet, since their boxes lie one beyond the other. */
typedef struct {
  guint  first, n;       /* edges first .. first + n - 1 */
  gboolean x_falls;      /* x decreases along the run */
  double min_x, max_x, min_y, max_y;
} Chain;

static int
compare_chains (const void *a, const void *b)
{
  double x = ((const Chain *) a)->min_x, y = ((const Chain *) b)->min_x;
  return (x > y) - (x < y);
}

static inline double
lo_x (const Ring *r, guint e)
{
  return MIN (pt (r, e)[0], pt (r, e + 1)[0]);
}

static inline double
hi_x (const Ring *r, guint e)
{
  return MAX (pt (r, e)[0], pt (r, e + 1)[0]);
}

/* The k-th edge of @c in increasing x. */
static inline guint
chain_edge (const Chain *c, guint k)
{
  return c->x_falls ? c->first + c->n - 1 - k : c->first + k;
}

/* No edge of @a meets one of @b (both monotone in x): a walk along both in increasing x
 * tests each pair whose x ranges overlap, and only those. *budget counts the tests. */
static gboolean
chains_apart (const Ring *r, const Chain *a, const Chain *b, gsize *budget)
{
  guint from = 0;

  for (guint i = 0; i < a->n; i++)
    {
      guint ea = chain_edge (a, i);
      double lo = lo_x (r, ea), hi = hi_x (r, ea);

      while (from < b->n && hi_x (r, chain_edge (b, from)) < lo)
        from++;
      for (guint k = from; k < b->n; k++)
        {
          guint eb = chain_edge (b, k);

          if (lo_x (r, eb) > hi)
            break;
          if (*budget == 0)
            return FALSE;
          (*budget)--;
          if (!neighbours (r, ea, eb) && !apart (r, ea, eb))
            return FALSE;
        }
    }
  return TRUE;
}

/* The ring (points not closed, none repeated) is simple, for certain. Monotone runs of
 * edges, swept along the ring's longer side, are tested pairwise where their boxes meet. */
static gboolean
ring_is_simple (Ring *r)
{
  GisEnvelope box = GIS_ENVELOPE_EMPTY;
  guint n = r->n;
  g_autofree Chain *chains = NULL;
  g_autofree guint *active = NULL;
  guint n_chains = 0, n_active = 0;
  gsize budget = 64 * (gsize) n + 4096;
  int cx = 0, cy = 0;
  Chain c = { 0 };

  for (guint i = 0; i < n; i++)
    {
      if (!neighbours_ok (r, i))
        return FALSE;
      gis_envelope_add_point (&box, pt (r, i)[0], pt (r, i)[1]);
    }
  if (n <= 3)
    return TRUE;   /* a triangle's edges are all neighbours */
  if (n <= 48)
    {
      /* Few edges: every pair. */
      for (guint i = 0; i < n; i++)
        for (guint j = i + 2; j < n; j++)
          if (!neighbours (r, i, j) && !apart (r, i, j))
            return FALSE;
      return TRUE;
    }
  /* Sweep along the longer side: a long thin shape then has few runs side by side. The
   * coordinates are ours to swap (a mirror image is simple when the shape is). */
  if (box.max_y - box.min_y > box.max_x - box.min_x)
    for (guint i = 0; i < n + 2; i++)
      {
        double *p = r->xy + 2 * i, t = p[0];
        p[0] = p[1];
        p[1] = t;
      }

  chains = g_new (Chain, n);
  for (guint e = 0; e < n; e++)
    {
      const double *a = pt (r, e), *b = pt (r, e + 1);
      int sx = (b[0] > a[0]) - (b[0] < a[0]), sy = (b[1] > a[1]) - (b[1] < a[1]);

      if (c.n > 0 && (sx == 0 || cx == 0 || sx == cx) && (sy == 0 || cy == 0 || sy == cy))
        {
          cx = cx ? cx : sx;
          cy = cy ? cy : sy;
          c.n++;
        }
      else
        {
          if (c.n > 0)
            chains[n_chains++] = c;
          c = (Chain) { e, 1, FALSE, 0, 0, 0, 0 };
          cx = sx;
          cy = sy;
        }
      c.x_falls = cx < 0;
    }
  chains[n_chains++] = c;
  for (guint k = 0; k < n_chains; k++)
    {
      Chain *ch = &chains[k];
      const double *a = pt (r, ch->first), *b = pt (r, ch->first + ch->n);

      ch->min_x = MIN (a[0], b[0]);
      ch->max_x = MAX (a[0], b[0]);
      ch->min_y = MIN (a[1], b[1]);
      ch->max_y = MAX (a[1], b[1]);
    }
  qsort (chains, n_chains, sizeof (Chain), compare_chains);

  active = g_new (guint, n_chains);
  for (guint k = 0; k < n_chains; k++)
    {
      const Chain *ch = &chains[k];
      guint kept = 0;

      for (guint m = 0; m < n_active; m++)
        {
          const Chain *other = &chains[active[m]];

          if (other->max_x < ch->min_x)
            continue;   /* behind the sweep for good */
          active[kept++] = active[m];
          if (other->min_y > ch->max_y || ch->min_y > other->max_y)
            continue;
          if (budget == 0 || !chains_apart (r, other, ch, &budget))
            return FALSE;
          budget = budget > 0 ? budget - 1 : 0;
        }
      n_active = kept;
      active[n_active++] = k;
    }
  return TRUE;
}

/* The only ring of a geometry, if it has exactly one (in one polygon). */
typedef struct {
  const guint8 *pts;
  guint         n;
  guint         rings;
} OneRing;

static void
one_ring_cb (guint polygon, guint ring, const guint8 *pts, guint n, gpointer user_data)
{
  OneRing *one = user_data;

  if (one->rings++ == 0)
    {
      one->pts = pts;
      one->n = n;
    }
}

/**
 * _gis_geometry_proven_valid:
 *
 * Returns: %TRUE when @geometry is a Polygon, or a MultiPolygon of one Polygon, with one
 *   ring, and that ring is certainly closed and simple; %FALSE when it is not, or not
 *   certainly (GEOS must then decide)
 */
gboolean
_gis_geometry_proven_valid (GisGeometry *geometry)
{
  OneRing one = { NULL, 0, 0 };
  GisGeometryType type = gis_geometry_get_geometry_type (geometry);
  g_autofree double *xy = NULL;
  guint v, kept = 0;
  Ring r;

  if (type != GIS_GEOMETRY_POLYGON && type != GIS_GEOMETRY_MULTIPOLYGON)
    return FALSE;
  if (!_gis_geometry_foreach_raw_ring (geometry, one_ring_cb, &one) || one.rings != 1 ||
      one.n < 4)
    return FALSE;
  v = one.n;
  xy = g_new (double, 2 * (gsize) v + 4);
  _gis_wkb_points (one.pts, 0, v, xy);
  if (xy[0] != xy[2 * v - 2] || xy[1] != xy[2 * v - 1])
    return FALSE;
  /* Repeated points are one point (GEOS ignores them too); the closing one goes. */
  for (guint i = 0; i + 1 < v; i++)
    {
      if (!isfinite (xy[2 * i]) || !isfinite (xy[2 * i + 1]))
        return FALSE;
      if (kept > 0 && xy[2 * i] == xy[2 * kept - 2] && xy[2 * i + 1] == xy[2 * kept - 1])
        continue;
      xy[2 * kept] = xy[2 * i];
      xy[2 * kept + 1] = xy[2 * i + 1];
      kept++;
    }
  while (kept > 1 && xy[0] == xy[2 * kept - 2] && xy[1] == xy[2 * kept - 1])
    kept--;
  if (kept < 3)
    return FALSE;
  memcpy (xy + 2 * kept, xy, 4 * sizeof (double));
  r.xy = xy;
  r.n = kept;
  return ring_is_simple (&r);
}
