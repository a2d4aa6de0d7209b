/* zones-dbscan.c: exact DBSCAN over a grid, distances in metres on the ellipsoid
 *
 * Points are placed on the WGS 84 ellipsoid in 3D (ECEF). The distance compared with eps is
 * the straight 3D chord, which is shorter than the geodesic by about s³/24R² — 5 µm at 5 km —
 * so the metric is the ground distance in metres whatever CRS the points came in.
 *
 * To find neighbours fast, the points are projected orthographically onto the plane tangent
 * to the ellipsoid at their centre. The projection never lengthens a chord, and shortens one
 * by at most the factor k = cos θ − eps/2ρ, θ being the largest angle between a point's
 * normal and the centre's and ρ the smallest radius of curvature of the ellipsoid. So a
 * projected distance over eps is never a neighbour, one under k·eps always is, and only the
 * pairs in between need the 3D chord (for sites within a few degrees of their centre, about
 * one pair in a thousand). Every shortcut keeps a
 * margin (TOL) over rounding, so each decision is the one the chord itself would take, and
 * the result is the same whatever the centre, the grid or the number of threads.
 *
 * The plane is cut into columns and rows of side w = k·eps/√2 (cells). Points are sorted by
 * column, row, then y: a radix sort of the cell keys carrying the points themselves, so that
 * no phase gathers from scattered memory, then each (small) cell sorted by y. Two points of
 * one column less than w apart in y are surely neighbours, so a point with min_points of
 * them is core with no distance computed; all the core points of one cell are neighbours.
 * The neighbours of a point lie in the columns within eps, each a contiguous run of points
 * between two heights: found through a dense index of (column, row) → first point when the
 * grid is not much larger than the data, or else by windows that only move forward while a
 * column is walked upwards. No hashing and no neighbour lists.
 *
 * Phases, each split over the threads: 3D positions; keys and sort; core points (early exit,
 * and no distance at all when the sure window already holds min_points points, or the
 * candidates are too few); cells holding core points merged by a union-find shared by the
 * threads; cluster numbers in the order of each cluster's smallest core point index; border
 * points join the cluster of their nearest core point (the smaller number on a tie).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-dbscan"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gis-memory.h"
#include "zones-dbscan.h"
#include "zones-error.h"

#define MAX_THREADS 8
/* Work split in parts is taken part by part by whichever thread is free, so that a thread
 * the system runs late (a busy machine) does not hold the others up. */
#define MAX_PARTS 64
/* Columns each side that can hold a neighbour: eps/w = √2/k with k ≥ 0.5. */
#define MAX_REACH 3
/* Below this many points one thread is faster than starting another. */
#define MIN_PARALLEL 20000
/* Per point, in Grid.core: a core point; a point with no other point within eps (noise
 * for sure: the border phase skips it); else 0. */
#define CORE  1
#define ALONE 2
/* Absolute slack for rounding, metres: ECEF coordinates (≤ 6.4e6 m) carry about 1e-9 m of
 * rounding, projections a few times that. The fast accept/reject tests keep this much
 * margin, so every decision they take is the one the 3D chord would take. */
#define TOL 1e-7

void
zones_dbscan_free (ZonesDbscan *r)
{
  if (r == NULL)
    return;
  g_free (r->labels);
  g_free (r->core);
  g_free (r);
}

/* ---------------------------------------------------------------------------------------
 * Running a function over chunks of work on several threads. */

/* Called for chunk number @chunk, which covers [begin, end). */
typedef void (*ChunkFunc) (guint begin, guint end, guint chunk, gpointer data);

typedef struct {
  ChunkFunc    func;
  gpointer     data;
  const guint *bounds;      /* n_chunks + 1 */
  guint        n_chunks;
  gint         next;
} Team;

static gpointer
team_member (gpointer p)
{
  Team *team = p;

  while (TRUE)
    {
      gint k = g_atomic_int_add (&team->next, 1);
      if (k >= (gint) team->n_chunks)
        break;
      team->func (team->bounds[k], team->bounds[k + 1], (guint) k, team->data);
    }
  return NULL;
}

/* Runs func over the chunks [bounds[k], bounds[k + 1]), each thread taking the next free
 * chunk. */
static void
run_chunks (const guint *bounds, guint n_chunks, guint n_threads, ChunkFunc func,
            gpointer data)
{
  Team team = { func, data, bounds, n_chunks, 0 };
  GThread *threads[MAX_THREADS];
  guint nt = MIN (n_threads, MAX (n_chunks, 1));

  for (guint t = 1; t < nt; t++)
    threads[t] = g_thread_new ("dbscan", team_member, &team);
  team_member (&team);
  for (guint t = 1; t < nt; t++)
    g_thread_join (threads[t]);
}

/* Runs func over [0, n) cut in n_parts equal parts (chunk k is part k). */
static void
run_split (guint n, guint n_parts, guint n_threads, ChunkFunc func, gpointer data)
{
  guint bounds[MAX_PARTS + 1];

  g_assert (n_parts >= 1 && n_parts <= MAX_PARTS);
  for (guint t = 0; t <= n_parts; t++)
    bounds[t] = (guint) ((guint64) n * t / n_parts);
  run_chunks (bounds, n_parts, n_threads, func, data);
}

/* How many parts for n points on n_threads threads: one on one thread, else about one per
 * 16,384 points, at least two per thread. */
static guint
parts_for (guint n, guint n_threads)
{
  if (n_threads == 1)
    return 1;
  return CLAMP (n / 16384, 2 * n_threads, MAX_PARTS);
}

/* ---------------------------------------------------------------------------------------
 * The grid */

/* A point on the ellipsoid (ECEF, metres) with its cell key and its index in the input,
 * sorted as one record so that no phase gathers from scattered memory. */
typedef struct {
  guint64 key;
  double  x, y, z;
  guint   orig;
} Point;

typedef struct {
  guint     n;
  /* Memory the radix sort no longer needs, handed out to the arrays made after it (fewer
   * fresh pages to fault in and zero); what does not fit is allocated apart. */
  guint8   *arena;
  gsize     arena_size, arena_used;
  GPtrArray *apart;
  /* Per point, in sorted order (column, row, then y) */
  Point    *p;
  double   *px, *py;     /* on the tangent plane */
  guint    *cell_of;     /* the point's cell; after merging, its cluster if core (gint), or -1 */
  guint8   *core;        /* CORE, ALONE or 0 */
  /* Cells: runs of points with the same key */
  guint     n_cells;
  guint    *cell_start;  /* n_cells + 1 */
  guint    *cell_core;   /* core points in the cell */
  /* Columns: runs of cells in the same column */
  guint     n_cols;
  guint    *col_cell;    /* n_cols + 1: first cell of each column */
  guint    *col_point;   /* n_cols + 1: first point of each column */
  guint64  *col_ix;
  /* Dense row index, when the grid is small enough: rows[col · (n_rows + 1) + r] is the
   * first point of column col in row r or above. NULL: windows are found by sweeping. */
  guint    *rows;
  guint64   n_rows;
  guint     y_bits;
  double    inv_side;
  /* Geometry */
  double    px_min, py_min;
  double    side;        /* column width and row height */
  double    quick;       /* half-height of the sure window in a column; < 0: none */
  double    win, win2;   /* eps + TOL: window half-height, and squared */
  double    sure2;       /* (k·eps − TOL)²: a projected distance² under this is a neighbour */
  double    eps2;
  guint     reach;       /* columns each side */
  guint     min_points;
} Grid;

static inline double
chord2 (const Grid *g, guint a, guint b)
{
  double dx = g->p[a].x - g->p[b].x, dy = g->p[a].y - g->p[b].y, dz = g->p[a].z - g->p[b].z;
  return dx * dx + dy * dy + dz * dz;
}

/* Within eps? The projected distance decides all but a thin band of pairs. */
static inline gboolean
within (const Grid *g, guint a, guint b)
{
  double dx = g->px[a] - g->px[b], dy = g->py[a] - g->py[b];
  double d2 = dx * dx + dy * dy;

  if (d2 <= g->sure2)
    return TRUE;
  if (d2 > g->win2)
    return FALSE;
  return chord2 (g, a, b) <= g->eps2;
}

/* Neighbours of point i among points [lo, hi): the projected distance settles all but the
 * pairs in the thin band between k·eps and eps, so the loop counts without branching and
 * looks at the chord only when the window holds such a pair. */
static inline guint
count_within (const Grid *g, guint i, guint lo, guint hi)
{
  double x = g->px[i], y = g->py[i];
  guint n = 0, band = 0;

  for (guint q = lo; q < hi; q++)
    {
      double dx = g->px[q] - x, dy = g->py[q] - y, d2 = dx * dx + dy * dy;
      n += d2 <= g->sure2;
      band |= (d2 > g->sure2) & (d2 <= g->win2);
    }
  if (G_UNLIKELY (band))
    for (guint q = lo; q < hi; q++)
      {
        double dx = g->px[q] - x, dy = g->py[q] - y, d2 = dx * dx + dy * dy;
        n += d2 > g->sure2 && d2 <= g->win2 && chord2 (g, i, q) <= g->eps2;
      }
  return n;
}

/* The column holding column number ix, or -1. */
static gint
col_find (const Grid *g, guint64 ix)
{
  guint lo = 0, hi = g->n_cols;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g->col_ix[mid] < ix)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < g->n_cols && g->col_ix[lo] == ix ? (gint) lo : -1;
}

/* The first point of [begin, end) at height y or above (the range is sorted by y). */
static guint
lower_bound (const Grid *g, guint begin, guint end, double y)
{
  while (begin < end)
    {
      guint mid = begin + (end - begin) / 2;
      if (g->py[mid] < y)
        begin = mid + 1;
      else
        end = mid;
    }
  return begin;
}

/* The last of n items whose start is at or before i. */
static guint
find_run (const guint *start, guint n, guint i)
{
  guint lo = 0, hi = n;

  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;
      if (start[mid] <= i)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

/* A walk up one column: for each nearby column (offset d), the window [lo, hi) of its points
 * between two heights, which only ever rise. */
typedef struct {
  guint n;
  gint  d[2 * MAX_REACH + 1];
  const guint *row[2 * MAX_REACH + 1];   /* the column's dense row index */
  guint lo[2 * MAX_REACH + 1];
  guint hi[2 * MAX_REACH + 1];
  guint end[2 * MAX_REACH + 1];
} Sweep;

/* Starts a walk up column col from height y, over the nearby columns in the order 0, 1, −1,
 * 2, −2… (only 0, 1, 2… unless both_sides), so that counts with early exit look at the
 * nearest first. */
static void
sweep_init (const Grid *g, guint col, gboolean both_sides, double y, Sweep *s)
{
  s->n = 0;
  for (guint k = 0; k <= 2 * g->reach; k++)
    {
      gint d = k % 2 == 1 ? (gint) (k + 1) / 2 : -(gint) k / 2;
      gint c;

      if ((!both_sides && d < 0) || (gint64) g->col_ix[col] + d < 0)
        continue;
      c = d == 0 ? (gint) col : col_find (g, g->col_ix[col] + d);
      if (c < 0)
        continue;
      s->d[s->n] = d;
      s->row[s->n] = g->rows != NULL ? g->rows + (gsize) c * (g->n_rows + 1) : NULL;
      s->end[s->n] = g->col_point[c + 1];
      s->lo[s->n] = s->hi[s->n] =
        g->rows != NULL ? 0 : lower_bound (g, g->col_point[c], g->col_point[c + 1], y - g->win);
      s->n++;
    }
}

/* Moves every window to [lower, upper]: whole rows from the dense index, or exactly by
 * moving their ends forward. */
static inline void
sweep_move (const Grid *g, Sweep *s, double lower, double upper)
{
  if (g->rows != NULL)
    {
      /* Rows by a multiplication: it may round differently from the keys' division, by far
       * less than TOL, which the windows include. */
      double r0 = (lower - g->py_min) * g->inv_side, r1 = (upper - g->py_min) * g->inv_side + 1;
      gsize a = r0 <= 0 ? 0 : r0 >= g->n_rows ? g->n_rows : (gsize) r0;
      gsize b = r1 <= a ? a : r1 >= g->n_rows ? g->n_rows : (gsize) r1;

      for (guint k = 0; k < s->n; k++)
        {
          s->lo[k] = s->row[k][a];
          s->hi[k] = s->row[k][b];
        }
      return;
    }
  for (guint k = 0; k < s->n; k++)
    {
      guint lo = s->lo[k], hi = s->hi[k], end = s->end[k];

      while (lo < end && g->py[lo] < lower)
        lo++;
      if (hi < lo)
        hi = lo;
      while (hi < end && g->py[hi] <= upper)
        hi++;
      s->lo[k] = lo;
      s->hi[k] = hi;
    }
}

/* Whether column offset d can hold a neighbour of a point fx into its own column. */
static inline gboolean
column_in_reach (const Grid *g, gint d, double fx)
{
  double gap;

  if (d > 0)
    gap = d * g->side - fx;
  else if (d < 0)
    gap = fx + (-d - 1) * g->side;
  else
    return TRUE;
  return gap <= g->win;
}

/* ---------------------------------------------------------------------------------------
 * 1. Positions on the ellipsoid and on the tangent plane */

typedef struct {
  /* Centre (unit) and the east and north axes of its tangent plane */
  double cx, cy, cz, ex, ey, nx, ny, nz;
} Frame;

static inline void
project (const Frame *f, const Point *p, double *px, double *py)
{
  *px = p->x * f->ex + p->y * f->ey;
  *py = p->x * f->nx + p->y * f->ny + p->z * f->nz;
}

typedef struct {
  const double *lon, *lat;
  Point        *pts;
  Frame         frame;
  /* Per part */
  guint         bad[MAX_PARTS];
  double        kmin[MAX_PARTS];
  double        px_min[MAX_PARTS], px_max[MAX_PARTS];
  double        py_min[MAX_PARTS], py_max[MAX_PARTS];
} EcefJob;

static void
ecef_range (guint begin, guint end, guint t, gpointer data)
{
  EcefJob *j = data;
  const double a = 6378137.0, f = 1 / 298.257223563, e2 = f * (2 - f);
  const Frame *fr = &j->frame;
  double kmin = 1, xmin = G_MAXDOUBLE, xmax = -G_MAXDOUBLE, ymin = G_MAXDOUBLE,
         ymax = -G_MAXDOUBLE;

  j->bad[t] = G_MAXUINT;
  for (guint i = begin; i < end; i++)
    {
      Point *p = &j->pts[i];
      double phi, lam, sp, cp, sl, cl, N, px, py;

      if (!isfinite (j->lon[i]) || !isfinite (j->lat[i]) || fabs (j->lat[i]) > 90)
        {
          j->bad[t] = i;
          break;
        }
      phi = j->lat[i] * G_PI / 180;
      lam = j->lon[i] * G_PI / 180;
      sp = sin (phi);
      cp = cos (phi);
      sl = sin (lam);
      cl = cos (lam);
      N = a / sqrt (1 - e2 * sp * sp);
      p->x = N * cp * cl;
      p->y = N * cp * sl;
      p->z = N * (1 - e2) * sp;
      p->orig = i;
      /* The cosine of the angle between the point's normal and the centre's. */
      kmin = MIN (kmin, cp * cl * fr->cx + cp * sl * fr->cy + sp * fr->cz);
      project (fr, p, &px, &py);
      xmin = MIN (xmin, px);
      xmax = MAX (xmax, px);
      ymin = MIN (ymin, py);
      ymax = MAX (ymax, py);
    }
  j->kmin[t] = kmin;
  j->px_min[t] = xmin;
  j->px_max[t] = xmax;
  j->py_min[t] = ymin;
  j->py_max[t] = ymax;
}

/* The centre of the points: the mean of the normals of up to 4096 of them, spread evenly
 * (any centre gives exact results; a central one gives a finer grid). FALSE when they are
 * spread over the whole globe. */
static gboolean
find_centre (const double *lon, const double *lat, guint n, Frame *f)
{
  guint m = MIN (n, 4096);
  double sx = 0, sy = 0, sz = 0, norm;
  guint used = 0;

  for (guint k = 0; k < m; k++)
    {
      guint i = (guint) ((guint64) n * k / m);
      double phi = lat[i] * G_PI / 180, lam = lon[i] * G_PI / 180;
      if (!isfinite (phi) || !isfinite (lam))
        continue;
      sx += cos (phi) * cos (lam);
      sy += cos (phi) * sin (lam);
      sz += sin (phi);
      used++;
    }
  norm = sqrt (sx * sx + sy * sy + sz * sz);
  if (used == 0 || norm < 1e-3 * used)
    return FALSE;
  f->cx = sx / norm;
  f->cy = sy / norm;
  f->cz = sz / norm;
  /* East and north at the centre. */
  norm = sqrt (f->cx * f->cx + f->cy * f->cy);
  if (norm < 1e-12)
    {
      f->ex = 1;
      f->ey = 0;
    }
  else
    {
      f->ex = -f->cy / norm;
      f->ey = f->cx / norm;
    }
  f->nx = -f->cz * f->ey;
  f->ny = f->cz * f->ex;
  f->nz = f->cx * f->ey - f->cy * f->ex;
  return TRUE;
}

/* ---------------------------------------------------------------------------------------
 * 2. Cell keys and the sort */

typedef struct {
  Point   *pts;
  Frame    frame;
  double   px_min, py_min, side;
  guint64  ix_max, iy_max;
  guint    y_bits;
} KeyJob;

static void
key_range (guint begin, guint end, guint t, gpointer data)
{
  KeyJob *j = data;

  for (guint i = begin; i < end; i++)
    {
      double px, py;
      guint64 ix, iy;

      project (&j->frame, &j->pts[i], &px, &py);
      ix = (guint64) MAX (floor ((px - j->px_min) / j->side), 0);
      iy = (guint64) MAX (floor ((py - j->py_min) / j->side), 0);
      j->pts[i].key = MIN (ix, j->ix_max) << j->y_bits | MIN (iy, j->iy_max);
    }
}

/* LSD radix sort of points by the low bits of their key, stable. Each pass is split over
 * the threads: a histogram per part, then each part scatters its own points. */
typedef struct {
  Point  *src, *dst;
  guint   n, n_parts, shift, width;
  guint  *count;          /* n_parts × 2^width */
} RadixJob;

static void
radix_count (guint t, guint t_end, guint chunk, gpointer data)
{
  RadixJob *j = data;
  guint begin = (guint) ((guint64) j->n * t / j->n_parts);
  guint end = (guint) ((guint64) j->n * t_end / j->n_parts);
  guint *count = j->count + ((gsize) t << j->width);
  guint64 mask = (G_GUINT64_CONSTANT (1) << j->width) - 1;

  memset (count, 0, sizeof (guint) << j->width);
  for (guint i = begin; i < end; i++)
    count[(j->src[i].key >> j->shift) & mask]++;
}

static void
radix_scatter (guint t, guint t_end, guint chunk, gpointer data)
{
  RadixJob *j = data;
  guint begin = (guint) ((guint64) j->n * t / j->n_parts);
  guint end = (guint) ((guint64) j->n * t_end / j->n_parts);
  guint *pos = j->count + ((gsize) t << j->width);
  guint64 mask = (G_GUINT64_CONSTANT (1) << j->width) - 1;

  for (guint i = begin; i < end; i++)
    j->dst[pos[(j->src[i].key >> j->shift) & mask]++] = j->src[i];
}

/* Sorts *pts by the low @bits bits of the keys, using *scratch; the two are swapped when the
 * result lands in the scratch. */
static void
radix_sort (Point **pts, Point **scratch, guint n, guint bits, guint n_parts, guint n_threads)
{
  guint passes = (bits + 10) / 11;
  RadixJob j = { 0 };
  g_autofree guint *count = NULL;

  if (passes == 0)
    return;
  j.n = n;
  j.n_parts = n_parts;
  j.width = (bits + passes - 1) / passes;
  count = g_new (guint, (gsize) n_parts << j.width);
  j.count = count;
  for (guint p = 0; p < passes; p++)
    {
      guint sum = 0;
      Point *t;

      j.src = *pts;
      j.dst = *scratch;
      j.shift = p * j.width;
      run_split (n_parts, n_parts, n_threads, radix_count, &j);
      /* Offsets digit by digit, part by part, so the sort stays stable. */
      for (guint d = 0; d < 1u << j.width; d++)
        for (guint part = 0; part < n_parts; part++)
          {
            guint c = count[((gsize) part << j.width) + d];
            count[((gsize) part << j.width) + d] = sum;
            sum += c;
          }
      run_split (n_parts, n_parts, n_threads, radix_scatter, &j);
      t = *pts;
      *pts = *scratch;
      *scratch = t;
    }
}

/* Starts of cells and columns in one part of the sorted points: counted, or (fill) written
 * from the part's offsets. */
typedef struct {
  Grid     *g;
  guint     n_cells[MAX_PARTS];
  guint     n_cols[MAX_PARTS];
  gboolean  fill;
} RunsJob;

static void
runs_range (guint begin, guint end, guint t, gpointer data)
{
  RunsJob *j = data;
  Grid *g = j->g;
  guint c = j->fill ? j->n_cells[t] : 0, col = j->fill ? j->n_cols[t] : 0;

  for (guint i = begin; i < end; i++)
    if (i == 0 || g->p[i].key != g->p[i - 1].key)
      {
        if (i == 0 || g->p[i].key >> g->y_bits != g->p[i - 1].key >> g->y_bits)
          {
            if (j->fill)
              {
                g->col_cell[col] = c;
                g->col_point[col] = i;
                g->col_ix[col] = g->p[i].key >> g->y_bits;
              }
            col++;
          }
        if (j->fill)
          g->cell_start[c] = i;
        c++;
      }
  if (!j->fill)
    {
      j->n_cells[t] = c;
      j->n_cols[t] = col;
    }
}

/* ---------------------------------------------------------------------------------------
 * 3. Projected positions, each cell sorted by y, and the row index */

typedef struct {
  double y;
  guint  i;
} YPair;

static int
compare_ypair (const void *a, const void *b)
{
  const YPair *x = a, *y = b;

  if (x->y != y->y)
    return x->y < y->y ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

static void
sort_cell (Grid *g, guint a, guint b)
{
  if (b - a <= 24)
    {
      for (guint i = a + 1; i < b; i++)
        {
          double x = g->px[i], y = g->py[i];
          Point p;
          guint k = i;

          if (g->py[i - 1] <= y)
            continue;
          p = g->p[i];
          while (k > a && g->py[k - 1] > y)
            {
              g->px[k] = g->px[k - 1];
              g->py[k] = g->py[k - 1];
              g->p[k] = g->p[k - 1];
              k--;
            }
          g->px[k] = x;
          g->py[k] = y;
          g->p[k] = p;
        }
    }
  else
    {
      /* A crowded cell: sort (y, position) pairs, then permute. */
      guint m = b - a;
      g_autofree YPair *pairs = g_new (YPair, m);
      g_autofree Point *p = g_new (Point, m);
      g_autofree double *x = g_new (double, m);

      for (guint i = 0; i < m; i++)
        {
          pairs[i] = (YPair) { g->py[a + i], i };
          p[i] = g->p[a + i];
          x[i] = g->px[a + i];
        }
      qsort (pairs, m, sizeof *pairs, compare_ypair);
      for (guint i = 0; i < m; i++)
        {
          g->py[a + i] = pairs[i].y;
          g->px[a + i] = x[pairs[i].i];
          g->p[a + i] = p[pairs[i].i];
        }
    }
}

typedef struct {
  Grid  *g;
  Frame  frame;
} PlaceJob;

static void
place_range (guint c0, guint c1, guint chunk, gpointer data)
{
  PlaceJob *j = data;
  Grid *g = j->g;

  for (guint c = c0; c < c1; c++)
    {
      guint a = g->cell_start[c], b = g->cell_start[c + 1];

      for (guint i = a; i < b; i++)
        {
          project (&j->frame, &g->p[i], &g->px[i], &g->py[i]);
          g->cell_of[i] = c;
        }
      if (b - a > 1)
        sort_cell (g, a, b);
    }
}

static void
rows_range (guint c0, guint c1, guint chunk, gpointer data)
{
  Grid *g = data;
  guint64 mask = (G_GUINT64_CONSTANT (1) << g->y_bits) - 1;

  for (guint col = c0; col < c1; col++)
    {
      guint *row = g->rows + (gsize) col * (g->n_rows + 1);
      guint64 r = 0;

      for (guint c = g->col_cell[col]; c < g->col_cell[col + 1]; c++)
        for (guint64 cr = g->p[g->cell_start[c]].key & mask; r <= cr; r++)
          row[r] = g->cell_start[c];
      for (; r <= g->n_rows; r++)
        row[r] = g->col_point[col + 1];
    }
}

/* ---------------------------------------------------------------------------------------
 * 4. Core points, over ranges of points */

static void
core_range (guint begin, guint end, guint chunk, gpointer data)
{
  Grid *g = data;
  guint col = find_run (g->col_point, g->n_cols, begin);

  for (guint a = begin; a < end; col++)
    {
      guint b = MIN (end, g->col_point[col + 1]), col_end = g->col_point[col + 1];
      double left = g->px_min + (double) g->col_ix[col] * g->side;
      guint qlo = 0, qhi = 0;
      Sweep s;

      sweep_init (g, col, TRUE, g->py[a], &s);
      if (g->quick >= 0)
        qlo = qhi = lower_bound (g, g->col_point[col], a, g->py[a] - g->quick);
      for (guint i = a; i < b; i++)
        {
          double y = g->py[i], fx = g->px[i] - left;
          guint use[2 * MAX_REACH + 1], n_use = 0, total = 0, found = 0;

          if (g->quick >= 0)
            {
              /* Points of this column within quick in y are surely neighbours. */
              while (g->py[qlo] < y - g->quick)
                qlo++;
              if (qhi <= i)
                qhi = i + 1;
              while (qhi < col_end && g->py[qhi] <= y + g->quick)
                qhi++;
              if (qhi - qlo >= g->min_points)
                {
                  g->core[i] = CORE;
                  continue;
                }
            }
          sweep_move (g, &s, y - g->win, y + g->win);
          for (guint k = 0; k < s.n; k++)
            if (column_in_reach (g, s.d[k], fx))
              {
                total += s.hi[k] - s.lo[k];
                use[n_use++] = k;
              }
          /* Only itself among the candidates: noise, whatever the others do. */
          if (total <= 1)
            {
              g->core[i] = ALONE;
              continue;
            }
          for (guint u = 0; u < n_use && found < g->min_points; u++)
            found += count_within (g, i, s.lo[use[u]], s.hi[use[u]]);
          /* Counted to the end when not core. */
          g->core[i] = found >= g->min_points ? CORE : found <= 1 ? ALONE : 0;
        }
      a = b;
    }
}

static void
count_core_range (guint c0, guint c1, guint chunk, gpointer data)
{
  Grid *g = data;

  for (guint c = c0; c < c1; c++)
    {
      guint m = 0;
      for (guint i = g->cell_start[c]; i < g->cell_start[c + 1]; i++)
        m += g->core[i] == CORE;
      g->cell_core[c] = m;
    }
}

/* ---------------------------------------------------------------------------------------
 * 5. Merging cells that hold core points: all core points of one cell are neighbours, so a
 * cell is one node; two cells join when any two of their core points are neighbours. The
 * union-find is shared by the threads: roots are linked by compare-and-swap, the larger
 * index under the smaller, so the final sets do not depend on timing. */

static guint
uf_find (gint *parent, guint a)
{
  while (TRUE)
    {
      guint p = (guint) g_atomic_int_get (&parent[a]);
      guint gp;

      if (p == a)
        return a;
      gp = (guint) g_atomic_int_get (&parent[p]);
      /* Path halving; losing the race only leaves a longer path. */
      if (gp != p)
        g_atomic_int_compare_and_exchange (&parent[a], (gint) p, (gint) gp);
      a = gp;
    }
}

static guint
uf_union (gint *parent, guint a, guint b)
{
  while (TRUE)
    {
      a = uf_find (parent, a);
      b = uf_find (parent, b);
      if (a == b)
        return a;
      if (a < b)
        {
          guint t = a;
          a = b;
          b = t;
        }
      if (g_atomic_int_compare_and_exchange (&parent[a], (gint) a, (gint) b))
        return b;
    }
}

static gboolean
cells_linked (const Grid *g, guint c, guint o)
{
  guint oa = g->cell_start[o], ob = g->cell_start[o + 1];

  for (guint p = g->cell_start[c]; p < g->cell_start[c + 1]; p++)
    {
      if (g->core[p] != CORE)
        continue;
      for (guint q = oa; q < ob; q++)
        {
          /* Both cells are sorted by y. */
          if (g->py[q] > g->py[p] + g->win)
            break;
          if (g->core[q] == CORE && within (g, p, q))
            return TRUE;
        }
    }
  return FALSE;
}

typedef struct {
  Grid *g;
  gint *parent;
} MergeJob;

static void
merge_range (guint begin, guint end, guint chunk, gpointer data)
{
  MergeJob *j = data;
  Grid *g = j->g;
  guint col = find_run (g->col_cell, g->n_cols, begin);

  for (guint c0 = begin; c0 < end; col++)
    {
      guint c1 = MIN (end, g->col_cell[col + 1]);
      Sweep s;

      /* Each pair once: cells above in this column, and the columns to the right. */
      sweep_init (g, col, FALSE, g->py[g->cell_start[c0]], &s);
      for (guint c = c0; c < c1; c++)
        {
          guint a = g->cell_start[c], b = g->cell_start[c + 1];
          guint root;

          if (g->cell_core[c] == 0)
            continue;
          root = uf_find (j->parent, c);
          sweep_move (g, &s, g->py[a] - g->win, g->py[b - 1] + g->win);
          for (guint k = 0; k < s.n; k++)
            {
              if (s.d[k] >= 2 && (s.d[k] - 1) * g->side > g->win)
                continue;
              if (s.lo[k] == s.hi[k])
                continue;
              for (guint o = MAX (g->cell_of[s.lo[k]], c + 1); o <= g->cell_of[s.hi[k] - 1]; o++)
                {
                  if (g->cell_core[o] == 0 || uf_find (j->parent, o) == root)
                    continue;
                  if (cells_linked (g, c, o))
                    root = uf_union (j->parent, c, o);
                }
            }
        }
      c0 = c1;
    }
}

/* ---------------------------------------------------------------------------------------
 * 6. Cluster numbers and border points */

typedef struct {
  Grid        *g;
  gint        *parent;
  guint       *cell_min;     /* smallest input index of a core point in the cell */
  const gint  *root_label;
  ZonesDbscan *r;
} LabelJob;

/* Per cell: its root, and the smallest input index of its core points. */
static void
roots_range (guint c0, guint c1, guint chunk, gpointer data)
{
  LabelJob *j = data;
  Grid *g = j->g;

  for (guint c = c0; c < c1; c++)
    {
      guint m = G_MAXUINT;

      for (guint i = g->cell_start[c]; i < g->cell_start[c + 1]; i++)
        if (g->core[i] == CORE)
          m = MIN (m, g->p[i].orig);
      j->cell_min[c] = m;
      if (m != G_MAXUINT)
        g_atomic_int_set (&j->parent[c], (gint) uf_find (j->parent, c));
    }
}

/* cell_of becomes the cluster of each core point, -1 for the others. */
static void
core_labels_range (guint c0, guint c1, guint chunk, gpointer data)
{
  LabelJob *j = data;
  Grid *g = j->g;

  for (guint c = c0; c < c1; c++)
    {
      gint label = j->cell_min[c] != G_MAXUINT ? j->root_label[j->parent[c]] : -1;

      for (guint i = g->cell_start[c]; i < g->cell_start[c + 1]; i++)
        g->cell_of[i] = (guint) (g->core[i] == CORE ? label : -1);
    }
}

/* Output labels: core points their cluster's, others their nearest core point's (the
 * smaller cluster number on a tie), or noise. */
static void
border_range (guint begin, guint end, guint chunk, gpointer data)
{
  LabelJob *j = data;
  Grid *g = j->g;
  const gint *label = (const gint *) g->cell_of;
  guint col = find_run (g->col_point, g->n_cols, begin);

  for (guint a = begin; a < end; col++)
    {
      guint b = MIN (end, g->col_point[col + 1]);
      double left = g->px_min + (double) g->col_ix[col] * g->side;
      Sweep s;

      sweep_init (g, col, TRUE, g->py[a], &s);
      for (guint i = a; i < b; i++)
        {
          double y = g->py[i], x = g->px[i], best = G_MAXDOUBLE, limit = g->win2;
          gint best_label = -1;

          if (label[i] >= 0 || g->core[i] == ALONE)
            {
              j->r->labels[g->p[i].orig] = label[i];
              j->r->core[g->p[i].orig] = label[i] >= 0;
              continue;
            }
          sweep_move (g, &s, y - g->win, y + g->win);
          for (guint k = 0; k < s.n; k++)
            {
              if (!column_in_reach (g, s.d[k], x - left))
                continue;
              for (guint q = s.lo[k]; q < s.hi[k]; q++)
                {
                  double dx, dy, d2;

                  if (label[q] < 0)
                    continue;
                  dx = g->px[q] - x;
                  dy = g->py[q] - y;
                  /* The projection never lengthens: a core point farther on the plane than
                   * the best chord so far, by TOL, is not nearer. */
                  if (dx * dx + dy * dy > limit)
                    continue;
                  d2 = chord2 (g, i, q);
                  if (d2 > g->eps2)
                    continue;
                  if (d2 < best || (d2 == best && label[q] < best_label))
                    {
                      best = d2;
                      best_label = label[q];
                      limit = MIN (g->win2, (sqrt (best) + TOL) * (sqrt (best) + TOL));
                    }
                }
            }
          j->r->labels[g->p[i].orig] = best_label;
          j->r->core[g->p[i].orig] = FALSE;
        }
      a = b;
    }
}

static void
grid_clear (Grid *g)
{
  g_free (g->p);
  g_free (g->arena);
  g_clear_pointer (&g->apart, g_ptr_array_unref);
  g_free (g->col_cell);
  g_free (g->col_point);
  g_free (g->col_ix);
}

/* An array of @size bytes from the arena, or apart when it is full; freed with the grid. */
static gpointer
grid_take (Grid *g, gsize size)
{
  gsize at = (g->arena_used + 63) & ~(gsize) 63;
  gpointer mem;

  if (g->arena != NULL && at + size <= g->arena_size)
    {
      g->arena_used = at + size;
      return g->arena + at;
    }
  mem = gis_alloc_large (size);
  if (g->apart == NULL)
    g->apart = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (g->apart, mem);
  return mem;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Grid, grid_clear)

static int
compare_u64 (const void *a, const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

static guint
bits_for (guint64 v)
{
  guint b = 0;

  while (b < 64 && v >> b)
    b++;
  return b;
}

/* Equal chunks of [0, n), about 16 per thread, none under min_size. */
static guint *
even_chunks (guint n, guint n_threads, guint min_size, guint *n_chunks)
{
  guint size = MAX (n / (n_threads * 16), min_size);
  guint k = MAX ((n + size - 1) / size, 1);
  guint *bounds = g_new (guint, k + 1);

  for (guint i = 0; i <= k; i++)
    bounds[i] = (guint) ((guint64) n * i / k);
  *n_chunks = k;
  return bounds;
}

/**
 * zones_dbscan_run:
 * @lon: (array length=n): longitudes, WGS 84 degrees
 * @lat: (array length=n): latitudes
 * @eps_m: the neighbourhood radius in metres on the ground, from 1 mm to 1,000 km
 * @min_points: a point with at least this many points within @eps_m (itself included) is a
 *   core point
 * @n_threads: worker threads
 *
 * Returns: (transfer full): the clusters, numbered in the order of their first core point
 */
ZonesDbscan *
zones_dbscan_run (const double *lon, const double *lat, guint n, double eps_m, guint min_points,
                  guint n_threads, GCancellable *cancellable, GError **error)
{
  g_autoptr(ZonesDbscan) r = g_new0 (ZonesDbscan, 1);
  Point *scratch;
  g_autofree guint *point_chunks = NULL, *cell_chunks = NULL, *col_chunks = NULL;
  gint *parent, *root_label;
  g_auto(Grid) g = { 0 };
  guint n_point_chunks, n_cell_chunks, n_col_chunks, nt, parts, first_bad = G_MAXUINT;
  double kmin = 1, k, sure, x_min = G_MAXDOUBLE, x_max = -G_MAXDOUBLE, y_min = G_MAXDOUBLE,
         y_max = -G_MAXDOUBLE;
  gboolean centred;
  EcefJob ej = { 0 };
  KeyJob kj = { 0 };

  g_return_val_if_fail ((lon != NULL && lat != NULL) || n == 0, NULL);

  if (!(eps_m >= 0.001) || !isfinite (eps_m) || eps_m > 1e6)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "The clustering distance must be from 1 mm to 1,000 km, not %g m", eps_m);
      return NULL;
    }
  if (min_points < 1)
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "The minimum number of sites must be at least 1");
      return NULL;
    }
  r->n = n;
  r->labels = gis_alloc_large (sizeof (gint) * MAX (n, 1));
  r->core = gis_alloc_large (sizeof (gboolean) * MAX (n, 1));
  r->max_distance_error = eps_m * eps_m / (24.0 * 6356752.0 * 6356752.0);
  if (n == 0)
    return g_steal_pointer (&r);
  nt = n < MIN_PARALLEL ? 1 : CLAMP (n_threads, 1, MAX_THREADS);

  /* 1. Positions on the ellipsoid, and on the tangent plane at the centre. */
  g.p = gis_alloc_large (sizeof (Point) * (gsize) n);
  ej.lon = lon;
  ej.lat = lat;
  ej.pts = g.p;
  centred = find_centre (lon, lat, n, &ej.frame);
  if (!centred)
    ej.frame = (Frame) { 1, 0, 0, 0, 1, 0, 0, 1 };
  parts = parts_for (n, nt);
  run_split (n, parts, nt, ecef_range, &ej);
  for (guint t = 0; t < parts; t++)
    {
      first_bad = MIN (first_bad, ej.bad[t]);
      kmin = MIN (kmin, ej.kmin[t]);
      x_min = MIN (x_min, ej.px_min[t]);
      x_max = MAX (x_max, ej.px_max[t]);
      y_min = MIN (y_min, ej.py_min[t]);
      y_max = MAX (y_max, ej.py_max[t]);
    }
  if (first_bad != G_MAXUINT)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "Point %u has no valid longitude/latitude (%g, %g)", first_bad,
                   lon[first_bad], lat[first_bad]);
      return NULL;
    }
  if (!centred)
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "The sites are spread over the whole globe; cluster one region at a time");
      return NULL;
    }
  /* The chord between two points within eps leans out of the tangent plane at either end by
   * at most eps/2ρ (ρ ≥ 6,335 km, the meridian's radius at the equator). */
  k = kmin - eps_m / 1.2e7 - 1e-9;
  if (k < 0.5)
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "The sites span more than 60° from their centre; cluster one region "
                           "at a time");
      return NULL;
    }
  sure = k * eps_m - TOL;
  g.eps2 = eps_m * eps_m;
  g.win = eps_m + TOL;
  g.win2 = g.win * g.win;
  g.sure2 = sure * sure;
  g.min_points = min_points;
  /* Cells of side sure/√2, but never more than 2^30 across the extent. */
  g.side = MAX (sure / G_SQRT2, MAX (x_max - x_min, y_max - y_min) / (1 << 30));
  g.quick = sure * sure - g.side * g.side >= 0 ? sqrt (sure * sure - g.side * g.side) : -1;
  g.reach = (guint) ceil (g.win / g.side);
  g_assert (g.reach <= MAX_REACH);
  g.inv_side = 1 / g.side;
  g.px_min = x_min;
  g.py_min = y_min;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* 2. Cell keys (column, row), sorted. */
  kj.pts = g.p;
  kj.frame = ej.frame;
  kj.px_min = x_min;
  kj.py_min = y_min;
  kj.side = g.side;
  kj.ix_max = (guint64) floor ((x_max - x_min) / g.side);
  kj.iy_max = (guint64) floor ((y_max - y_min) / g.side);
  kj.y_bits = bits_for (kj.iy_max);
  run_split (n, parts, nt, key_range, &kj);
  scratch = gis_alloc_large (sizeof (Point) * (gsize) n);
  radix_sort (&g.p, &scratch, n, kj.y_bits + bits_for (kj.ix_max), parts, nt);
  g.arena = (guint8 *) scratch;
  g.arena_size = sizeof (Point) * (gsize) n;
  g.y_bits = kj.y_bits;
  g.n_rows = kj.iy_max + 1;

  /* Cells and columns: runs of equal keys, and of equal columns. Each part counts its
   * starts, then writes them at its offsets. */
  {
    RunsJob job = { &g, { 0 }, { 0 }, FALSE };

    run_split (n, parts, nt, runs_range, &job);
    for (guint t = 0; t < parts; t++)
      {
        guint cells = job.n_cells[t], cols = job.n_cols[t];
        job.n_cells[t] = g.n_cells;
        job.n_cols[t] = g.n_cols;
        g.n_cells += cells;
        g.n_cols += cols;
      }
    g.cell_start = grid_take (&g, sizeof (guint) * ((gsize) g.n_cells + 1));
    g.col_cell = g_new (guint, g.n_cols + 1);
    g.col_point = g_new (guint, g.n_cols + 1);
    g.col_ix = g_new (guint64, g.n_cols);
    job.fill = TRUE;
    run_split (n, parts, nt, runs_range, &job);
  }
  g.cell_start[g.n_cells] = n;
  g.col_cell[g.n_cols] = g.n_cells;
  g.col_point[g.n_cols] = n;

  /* 3. Projected positions, each cell sorted by y; the row index when it is small. */
  g.n = n;
  g.px = grid_take (&g, sizeof (double) * (gsize) n);
  g.py = grid_take (&g, sizeof (double) * (gsize) n);
  g.cell_of = grid_take (&g, sizeof (guint) * (gsize) n);
  g.core = grid_take (&g, n);
  memset (g.core, 0, n);
  point_chunks = even_chunks (n, nt, 4096, &n_point_chunks);
  cell_chunks = even_chunks (g.n_cells, nt, 2048, &n_cell_chunks);
  {
    PlaceJob job = { &g, ej.frame };
    run_chunks (cell_chunks, n_cell_chunks, nt, place_range, &job);
  }
  if ((double) g.n_cols * (g.n_rows + 1) <= 8.0 * n + (1 << 22))
    {
      g.rows = grid_take (&g, sizeof (guint) * (gsize) g.n_cols * (g.n_rows + 1));
      col_chunks = even_chunks (g.n_cols, nt, 64, &n_col_chunks);
      run_chunks (col_chunks, n_col_chunks, nt, rows_range, &g);
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* 4. Core points. */
  run_chunks (point_chunks, n_point_chunks, nt, core_range, &g);
  g.cell_core = grid_take (&g, sizeof (guint) * (gsize) g.n_cells);
  run_chunks (cell_chunks, n_cell_chunks, nt, count_core_range, &g);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* 5. Cells holding core points merged. */
  parent = grid_take (&g, sizeof (gint) * (gsize) g.n_cells);
  for (guint c = 0; c < g.n_cells; c++)
    parent[c] = (gint) c;
  {
    MergeJob job = { &g, parent };
    run_chunks (cell_chunks, n_cell_chunks, nt, merge_range, &job);
  }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* 6. Clusters numbered in the order of their smallest core point index, then labels. */
  {
    LabelJob job = { &g, parent, g.cell_core, NULL, r };
    g_autofree guint64 *roots = NULL;
    guint *root_min;
    guint n_roots = 0;

    /* cell_core becomes the smallest input index of a core point per cell. */
    run_chunks (cell_chunks, n_cell_chunks, nt, roots_range, &job);
    /* root_min, then (the same memory) the cluster number of each root. */
    root_label = grid_take (&g, sizeof (gint) * (gsize) g.n_cells);
    root_min = (guint *) root_label;
    for (guint c = 0; c < g.n_cells; c++)
      root_min[c] = G_MAXUINT;
    for (guint c = 0; c < g.n_cells; c++)
      if (job.cell_min[c] != G_MAXUINT)
        {
          guint root = (guint) parent[c];
          if (root_min[root] == G_MAXUINT)
            n_roots++;
          root_min[root] = MIN (root_min[root], job.cell_min[c]);
        }
    roots = g_new (guint64, MAX (n_roots, 1));
    n_roots = 0;
    for (guint c = 0; c < g.n_cells; c++)
      if (root_min[c] != G_MAXUINT)
        roots[n_roots++] = (guint64) root_min[c] << 32 | c;
    qsort (roots, n_roots, sizeof (guint64), compare_u64);
    for (guint i = 0; i < n_roots; i++)
      root_label[roots[i] & 0xffffffff] = (gint) i;
    r->n_clusters = n_roots;
    job.root_label = root_label;
    run_chunks (cell_chunks, n_cell_chunks, nt, core_labels_range, &job);
    run_chunks (point_chunks, n_point_chunks, nt, border_range, &job);
  }
  return g_steal_pointer (&r);
}
