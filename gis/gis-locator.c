/* gis-locator.c: many points against fixed polygons, with the answers of the exact test
 *
 * gis_overlay_locate() asks GEOS, per point, which cutter holds it: a prepared
 * "intersects", so a point on a boundary is held, and the first cutter (by index) wins.
 * That costs a few microseconds a point. Here a grid over the cutters answers most points
 * with one memory read:
 *
 *   - a "clean" cell is one that no boundary segment touches, its rectangle grown by a
 *     millionth of a cell for rounding. All of it lies inside the same cutters, so one
 *     locate of its centre answers every point in it. The centres are located row by row,
 *     each from the last clean cell to its left, by counting crossings (below).
 *   - in a "mixed" cell, a point is located by a ray from the point to a clean cell, left,
 *     right, down or up, whichever is nearest: the point is inside a cutter when the clean
 *     cell is and the ray crosses the cutter's boundary an even number of times, or when it
 *     is not and the ray crosses it an odd number of times; on a segment it is held.
 *
 * The crossings follow GEOS' own rule (RayCrossingCounter: half-open in y, a point equal to
 * a vertex or on a segment is on the boundary, parity over all the rings of a cutter), so a
 * point gets exactly the answer GEOS gives it, not an approximation: the rule is applied to
 * the point and to the ray's end, and each segment counts when it separates them. The only
 * arithmetic is the sign of an orientation determinant, taken only when a floating-point
 * filter (Shewchuk's bound) proves it; when it cannot, the point goes to GEOS. Cells where
 * cutters overlap go through rays too, so the first cutter still wins.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-locator"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gis-locator-private.h"
#include "gis-memory.h"
#include "gis-private.h"

/* Grown by this fraction of a cell, a clean cell's rectangle still meets no boundary. */
#define SLACK 1e-6
/* At most this many cutters around one mixed cell; more go to GEOS. */
#define MAX_LOCAL 8

typedef struct {
  double ax, ay, bx, by;
  guint  cutter;
} Seg;

/* A cell crossed by a boundary, or one lying in two cutters: a point in it is located by a
 * ray to a clean cell that lies in @target only (-1: in none). */
typedef struct {
  guint  dir;            /* 0: +x, 1: −x, 2: +y, 3: −y */
  gint   target;
  double q;              /* the x (dir 0, 1) or y (2, 3) of the ray's end, in that cell */
  guint  start, len;     /* its segments, in lists */
} Mixed;

/* Cell values */
#define CELL_MIXED  (-2)   /* and below: -2 - index into mixed */
#define CELL_NONE   (-1)   /* clean, in no cutter */
/* While building only */
#define CELL_BOUNDARY G_MININT   /* touched by a segment */
#define CELL_UNSURE   (G_MININT + 1) /* clean, but in two cutters or not located */

struct _GisLocator {
  GisOverlay *exact;    /* borrowed */
  gboolean    usable;   /* FALSE: every point goes to GEOS */
  double      x0, y0, w, h;
  guint       nx, ny;
  gint       *cells;
  Seg        *segs;
  guint       n_segs;
  Mixed      *mixed;
  guint       n_mixed;
  guint      *lists;
};

void
_gis_locator_free (GisLocator *self)
{
  if (self == NULL)
    return;
  g_free (self->cells);
  g_free (self->segs);
  g_free (self->mixed);
  g_free (self->lists);
  g_free (self);
}

/* ---------------------------------------------------------------------------------------
 * The crossing rule */

typedef enum {
  RAY_MISS,
  RAY_CROSS,
  RAY_ON,
  RAY_UNSURE,
} RayHit;

/* GEOS' RayCrossingCounter::countSegment for a ray from (px, py) towards +x. */
static inline RayHit
ray_hit (double px, double py, double ax, double ay, double bx, double by)
{
  int o;

  if (ax < px && bx < px)
    return RAY_MISS;
  if (px == bx && py == by)
    return RAY_ON;
  if (ay == py && by == py)
    return px >= MIN (ax, bx) && px <= MAX (ax, bx) ? RAY_ON : RAY_MISS;
  if (!((ay > py && by <= py) || (by > py && ay <= py)))
    return RAY_MISS;
  o = _gis_orientation (ax, ay, bx, by, px, py);
  if (o == 2)
    return RAY_UNSURE;
  if (o == 0)
    return RAY_ON;
  if (by < ay)
    o = -o;
  return o > 0 ? RAY_CROSS : RAY_MISS;
}

/* Coordinates turned so that the ray of direction dir points towards +x: a reflection or a
 * swap, both exact, under which crossings and boundaries are the same. */
static inline void
turn (guint dir, double x, double y, double *tx, double *ty)
{
  switch (dir)
    {
    case 0: *tx = x; *ty = y; break;
    case 1: *tx = -x; *ty = y; break;
    case 2: *tx = y; *ty = x; break;
    default: *tx = -y; *ty = x; break;
    }
}

/* Which cutters hold p = (x, y): walks the ray of direction dir from p to its end (q along
 * the ray's axis), over the segments that may cross it; target holds the end, and no other
 * cutter does. Returns the first cutter holding p, -1 for none, or -2 when unsure; and in
 * @n_holding how many hold it. */
static gint
ray_locate (const Seg *segs, const guint *list, guint len, guint dir, double x, double y,
            double q, gint target, guint *n_holding)
{
  guint cutter[MAX_LOCAL];
  gboolean inside[MAX_LOCAL], on[MAX_LOCAL];
  guint n = 0;
  double px, py, qx;
  gint best = -1;

  turn (dir, x, y, &px, &py);
  qx = dir == 1 || dir == 3 ? -q : q;
  if (target >= 0)
    {
      cutter[n] = (guint) target;
      inside[n] = TRUE;
      on[n] = FALSE;
      n++;
    }
  for (guint i = 0; i < len; i++)
    {
      const Seg *s = &segs[list[i]];
      double ax, ay, bx, by;
      RayHit hp, hq;
      guint k;

      turn (dir, s->ax, s->ay, &ax, &ay);
      turn (dir, s->bx, s->by, &bx, &by);
      hp = ray_hit (px, py, ax, ay, bx, by);
      hq = ray_hit (qx, py, ax, ay, bx, by);
      if (hp == RAY_UNSURE || hq == RAY_UNSURE || hq == RAY_ON)
        return -2;
      if (hp == RAY_MISS && hq == RAY_MISS)
        continue;
      for (k = 0; k < n && cutter[k] != s->cutter; k++)
        ;
      if (k == n)
        {
          if (n == MAX_LOCAL)
            return -2;
          cutter[n] = s->cutter;
          inside[n] = FALSE;
          on[n] = FALSE;
          n++;
        }
      if (hp == RAY_ON)
        on[k] = TRUE;
      else if ((hp == RAY_CROSS) != (hq == RAY_CROSS))
        inside[k] = !inside[k];
    }
  *n_holding = 0;
  for (guint k = 0; k < n; k++)
    if (inside[k] || on[k])
      {
        (*n_holding)++;
        if (best < 0 || cutter[k] < (guint) best)
          best = (gint) cutter[k];
      }
  return best;
}

/* ---------------------------------------------------------------------------------------
 * Building */

typedef struct {
  GArray *segs;
  guint   cutter;
} RingsCtx;

static void
ring_cb (guint polygon, guint ring, const double *xy, guint n, gpointer data)
{
  RingsCtx *ctx = data;

  for (guint i = 0; i + 1 < n; i++)
    {
      Seg s = { xy[2 * i], xy[2 * i + 1], xy[2 * i + 2], xy[2 * i + 3], ctx->cutter };
      g_array_append_val (ctx->segs, s);
    }
}

static inline gint64
clamp_cell (double f, guint n)
{
  if (!(f >= 0))
    return 0;
  if (f >= n - 1)
    return n - 1;
  return (gint64) f;
}

/* Calls back (or counts) every cell whose rectangle, grown by SLACK, a segment may touch:
 * a superset, walked along the segment's longer axis so that the interpolation is well
 * conditioned. */
typedef struct {
  guint64 *pairs;      /* cell << 32 | segment, or NULL to count */
  gsize    n_pairs;
} Marks;

static void
mark (const GisLocator *self, guint index, Marks *m)
{
  const Seg *s = &self->segs[index];
  gboolean x_major = fabs (s->bx - s->ax) / self->w >= fabs (s->by - s->ay) / self->h;
  /* Along the major axis u, across it v (in cell units). */
  double u0 = x_major ? (s->ax - self->x0) / self->w : (s->ay - self->y0) / self->h;
  double u1 = x_major ? (s->bx - self->x0) / self->w : (s->by - self->y0) / self->h;
  double v0 = x_major ? (s->ay - self->y0) / self->h : (s->ax - self->x0) / self->w;
  double v1 = x_major ? (s->by - self->y0) / self->h : (s->bx - self->x0) / self->w;
  guint nu = x_major ? self->nx : self->ny, nv = x_major ? self->ny : self->nx;
  gint64 a, b;

  if (u0 > u1)
    {
      double t = u0;
      u0 = u1;
      u1 = t;
      t = v0;
      v0 = v1;
      v1 = t;
    }
  a = clamp_cell (floor (u0 - SLACK), nu);
  b = clamp_cell (floor (u1 + SLACK), nu);
  for (gint64 c = a; c <= b; c++)
    {
      /* The part of the segment over [c − SLACK, c + 1 + SLACK] along u. */
      double lo = MAX (u0, c - SLACK), hi = MIN (u1, c + 1 + SLACK), va, vb;
      gint64 r0, r1;

      if (u1 > u0)
        {
          va = v0 + (v1 - v0) * ((lo - u0) / (u1 - u0));
          vb = v0 + (v1 - v0) * ((hi - u0) / (u1 - u0));
        }
      else
        {
          va = v0;
          vb = v1;
        }
      r0 = clamp_cell (floor (MIN (va, vb) - 2 * SLACK), nv);
      r1 = clamp_cell (floor (MAX (va, vb) + 2 * SLACK), nv);
      for (gint64 r = r0; r <= r1; r++)
        {
          guint cell = x_major ? (guint) (r * self->nx + c) : (guint) (c * self->nx + r);
          if (m->pairs != NULL)
            m->pairs[m->n_pairs] = (guint64) cell << 32 | index;
          m->n_pairs++;
        }
    }
}

static int
compare_uint (const void *a, const void *b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  return x < y ? -1 : x > y;
}

/* Appends to @out, without repeats, the segments of cells @from, @from + step… (@count
 * cells). */
static void
collect (const guint *local_start, const guint *local, gint64 from, gint64 step,
         guint count, GArray *out)
{
  guint first = out->len;

  for (guint k = 0; k < count; k++)
    {
      guint cell = (guint) (from + step * (gint64) k);
      g_array_append_vals (out, local + local_start[cell], local_start[cell + 1] - local_start[cell]);
    }
  if (out->len - first > 1)
    {
      guint *v = &g_array_index (out, guint, first), m = 1;
      guint n = out->len - first;

      /* Sort and drop repeats: a segment may cross several of the cells. */
      if (n > 32)
        qsort (v, n, sizeof (guint), compare_uint);
      else
        for (guint i = 1; i < n; i++)
          {
            guint x = v[i], j = i;
            while (j > 0 && v[j - 1] > x)
              {
                v[j] = v[j - 1];
                j--;
              }
            v[j] = x;
          }
      for (guint i = 1; i < n; i++)
        if (v[i] != v[m - 1])
          v[m++] = v[i];
      g_array_set_size (out, first + m);
    }
}

static inline double
cell_centre_x (const GisLocator *self, guint i)
{
  return self->x0 + (i + 0.5) * self->w;
}

static inline double
cell_centre_y (const GisLocator *self, guint j)
{
  return self->y0 + (j + 0.5) * self->h;
}

static inline gboolean
is_end (gint v)
{
  return v >= CELL_NONE;
}

/**
 * _gis_locator_new:
 * @exact: the overlay whose gis_overlay_locate() this answers like (borrowed: it must
 *   outlive the locator)
 * @cutters: (element-type GisGeometry): its cutters
 * @max_cells: the most cells in the grid
 *
 * Returns: (transfer full): the locator
 */
GisLocator *
_gis_locator_new (GisOverlay *exact, GPtrArray *cutters, guint max_cells)
{
  GisLocator *self = g_new0 (GisLocator, 1);
  g_autoptr(GArray) segs = g_array_new (FALSE, FALSE, sizeof (Seg));
  g_autofree guint64 *pairs = NULL;
  g_autofree guint *local_start = NULL, *local = NULL;
  g_autoptr(GArray) lists = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) mixed = g_array_new (FALSE, FALSE, sizeof (Mixed));
  g_autoptr(GArray) tmp = g_array_new (FALSE, FALSE, sizeof (guint));
  double min_x = G_MAXDOUBLE, min_y = G_MAXDOUBLE, max_x = -G_MAXDOUBLE, max_y = -G_MAXDOUBLE;
  double width, height;
  guint inner_x, inner_y, n_cells, holding;
  Marks m = { 0 };

  g_return_val_if_fail (exact != NULL && cutters != NULL, NULL);

  self->exact = exact;
  /* Lines and points among the cutters (GEOS holds a point on them) are left to GEOS. */
  for (guint k = 0; k < cutters->len; k++)
    {
      GisGeometry *g = g_ptr_array_index (cutters, k);
      GisGeometryType type = gis_geometry_get_geometry_type (g);
      RingsCtx ctx = { segs, k };

      if (gis_geometry_is_empty (g))
        continue;
      if (type != GIS_GEOMETRY_POLYGON && type != GIS_GEOMETRY_MULTIPOLYGON)
        return self;
      _gis_geometry_foreach_ring (g, ring_cb, &ctx);
    }
  for (guint i = 0; i < segs->len; i++)
    {
      const Seg *s = &g_array_index (segs, Seg, i);
      if (!isfinite (s->ax) || !isfinite (s->ay) || !isfinite (s->bx) || !isfinite (s->by))
        return self;
      min_x = MIN (min_x, MIN (s->ax, s->bx));
      max_x = MAX (max_x, MAX (s->ax, s->bx));
      min_y = MIN (min_y, MIN (s->ay, s->by));
      max_y = MAX (max_y, MAX (s->ay, s->by));
    }
  self->usable = TRUE;
  if (segs->len == 0)
    {
      /* No polygon: every point is in none. */
      self->nx = self->ny = 1;
      self->w = self->h = 1;
      self->cells = g_new (gint, 1);
      self->cells[0] = CELL_NONE;
      return self;
    }
  self->n_segs = segs->len;
  self->segs = (Seg *) g_array_free (g_steal_pointer (&segs), FALSE);

  /* The grid: cells about square, two clean cells of margin all round. */
  width = MAX (max_x - min_x, 1e-9 * (1 + fabs (min_x)));
  height = MAX (max_y - min_y, 1e-9 * (1 + fabs (min_y)));
  /* About 64 cells per segment at most: more buys nothing for small sets. */
  max_cells = CLAMP (64 * (guint64) self->n_segs, 4096, MAX (max_cells, 4096));
  inner_x = (guint) CLAMP (sqrt (max_cells * width / height), 1, max_cells);
  inner_y = MAX (max_cells / inner_x, 1);
  self->w = width / inner_x;
  self->h = height / inner_y;
  self->nx = inner_x + 4;
  self->ny = inner_y + 4;
  self->x0 = min_x - 2 * self->w;
  self->y0 = min_y - 2 * self->h;
  n_cells = self->nx * self->ny;

  /* Cells each segment touches, and per cell its segments (counting sort). */
  for (guint i = 0; i < self->n_segs; i++)
    mark (self, i, &m);
  pairs = g_new (guint64, MAX (m.n_pairs, 1));
  m.pairs = pairs;
  m.n_pairs = 0;
  for (guint i = 0; i < self->n_segs; i++)
    mark (self, i, &m);
  local_start = gis_alloc_large (sizeof (guint) * ((gsize) n_cells + 1));
  memset (local_start, 0, sizeof (guint) * ((gsize) n_cells + 1));
  local = g_new (guint, MAX (m.n_pairs, 1));
  for (gsize i = 0; i < m.n_pairs; i++)
    local_start[pairs[i] >> 32]++;
  /* Ends of the runs, then filled backwards: each ends at its start. */
  for (guint c = 1; c <= n_cells; c++)
    local_start[c] += local_start[c - 1];
  for (gsize i = m.n_pairs; i-- > 0;)
    local[--local_start[pairs[i] >> 32]] = (guint) (pairs[i] & 0xffffffff);
  g_clear_pointer (&pairs, g_free);

  /* Clean cells, row by row: the first is in no cutter (margin); the next clean cell is in
   * the same cutters when adjacent, else located by a ray back to the last good one. */
  self->cells = gis_alloc_large (sizeof (gint) * (gsize) n_cells);
  for (guint j = 0; j < self->ny; j++)
    {
      guint row = j * self->nx, last = 0;

      self->cells[row] = CELL_NONE;
      for (guint i = 1; i < self->nx; i++)
        {
          guint cell = row + i;
          gint found;

          if (local_start[cell + 1] > local_start[cell])
            {
              self->cells[cell] = CELL_BOUNDARY;
              continue;
            }
          if (self->cells[cell - 1] != CELL_BOUNDARY)
            {
              self->cells[cell] = self->cells[cell - 1];
              if (is_end (self->cells[cell]))
                last = i;
              continue;
            }
          g_array_set_size (tmp, 0);
          collect (local_start, local, row + last + 1, 1, i - last - 1, tmp);
          found = ray_locate (self->segs, (guint *) tmp->data, tmp->len, 1,
                              cell_centre_x (self, i), cell_centre_y (self, j),
                              cell_centre_x (self, last), self->cells[row + last], &holding);
          /* In two cutters (they overlap here), or not sure: a ray per point. */
          if (found == -2 || holding > 1)
            self->cells[cell] = CELL_UNSURE;
          else
            {
              self->cells[cell] = found;
              last = i;
            }
        }
    }

  /* Mixed cells: a ray to the nearest good clean cell along the row or the column (column
   * 0 is one, so there is always one to the left). */
  for (guint cell = 0; cell < n_cells; cell++)
    {
      static const gint di[4] = { 1, -1, 0, 0 }, dj[4] = { 0, 0, 1, -1 };
      gint v = self->cells[cell];
      gint64 i = cell % self->nx, j = cell / self->nx;
      guint best_dir = 1, best_len = G_MAXUINT;
      Mixed mx;

      if (v != CELL_BOUNDARY && v != CELL_UNSURE)
        continue;
      for (guint dir = 0; dir < 4; dir++)
        for (guint k = 1; k < best_len; k++)
          {
            gint64 ii = i + di[dir] * (gint64) k, jj = j + dj[dir] * (gint64) k;
            if (ii < 0 || jj < 0 || ii >= self->nx || jj >= self->ny)
              break;
            if (is_end (self->cells[jj * self->nx + ii]))
              {
                best_dir = dir;
                best_len = k;
                break;
              }
          }
      g_assert (best_len != G_MAXUINT);
      mx.dir = best_dir;
      if (best_dir < 2)
        {
          guint end = (guint) (i + di[best_dir] * (gint64) best_len);
          mx.target = self->cells[j * self->nx + end];
          mx.q = cell_centre_x (self, end);
        }
      else
        {
          guint end = (guint) (j + dj[best_dir] * (gint64) best_len);
          mx.target = self->cells[end * self->nx + i];
          mx.q = cell_centre_y (self, end);
        }
      mx.start = lists->len;
      collect (local_start, local, cell, dj[best_dir] * (gint64) self->nx + di[best_dir],
               best_len, lists);
      mx.len = lists->len - mx.start;
      self->cells[cell] = CELL_MIXED - (gint) mixed->len;
      g_array_append_val (mixed, mx);
    }
  self->n_mixed = mixed->len;
  self->mixed = (Mixed *) g_array_free (g_steal_pointer (&mixed), FALSE);
  self->lists = (guint *) g_array_free (g_steal_pointer (&lists), FALSE);
  return self;
}

/**
 * _gis_locator_locate:
 *
 * Returns: what gis_overlay_locate() returns for (x, y)
 */
gint
_gis_locator_locate (GisLocator *self, double x, double y)
{
  double fx, fy;
  const Mixed *mx;
  guint holding;
  gint v, found;

  if (!self->usable || !isfinite (x) || !isfinite (y))
    return gis_overlay_locate (self->exact, x, y);
  fx = (x - self->x0) / self->w;
  fy = (y - self->y0) / self->h;
  /* Off the grid is off every cutter's envelope. */
  if (!(fx >= 0 && fy >= 0 && fx < self->nx && fy < self->ny))
    return -1;
  v = self->cells[(guint) fy * self->nx + (guint) fx];
  if (v >= CELL_NONE)
    return v;
  mx = &self->mixed[CELL_MIXED - v];
  found = ray_locate (self->segs, self->lists + mx->start, mx->len, mx->dir, x, y, mx->q,
                      mx->target, &holding);
  return found == -2 ? gis_overlay_locate (self->exact, x, y) : found;
}
