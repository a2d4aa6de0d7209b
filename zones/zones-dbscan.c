/* zones-dbscan.c: exact DBSCAN over a grid, distances in metres on the ellipsoid
 *
 * Points are placed on the WGS 84 ellipsoid in 3D (ECEF). The distance compared with eps is
 * the straight 3D chord, which is shorter than the geodesic by about s³/24R² — 5 µm at 5 km —
 * so the metric is the ground distance in metres whatever CRS the points came in.
 *
 * To find neighbours fast, the points are projected orthographically onto the plane tangent
 * to the ellipsoid at their centre and put in square cells. The projection never lengthens a
 * chord and shortens it by at most the cosine k of the largest angle between a point and the
 * centre, so:
 *   - cells of side eps·k/√2 hold only points within eps of each other: a cell with at least
 *     min_points points is all core, with no distance computed;
 *   - every neighbour within eps lies in the 5 × 5 cells around a point's own.
 * Cells are found by sorting 64-bit cell keys (radix sort) and a hash of the occupied cells;
 * core cells are merged with union-find. Border points join the cluster of their nearest
 * core point (the smaller index on a tie), so results do not depend on processing order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-dbscan"

#include <math.h>
#include <string.h>

#include "zones-dbscan.h"
#include "zones-error.h"

#define RING 2

void
zones_dbscan_free (ZonesDbscan *r)
{
  if (r == NULL)
    return;
  g_free (r->labels);
  g_free (r->core);
  g_free (r);
}

typedef struct {
  guint64 key;
  guint   start;
  guint   count;
  guint   n_core;
} Cell;

typedef struct {
  /* Per point, in cell order: 3D position and position on the tangent plane */
  double  *x, *y, *z;
  double  *px, *py;
  guint   *orig;
  gboolean *core;
  /* Cells */
  Cell    *cells;
  guint    n_cells;
  double   eps2;
  double   sure2;        /* (eps·k)²: a projected distance under this is surely within eps */
  guint    min_points;
  gint     next_cell;
  /* For each cell, the occupied cells of the 5 × 5 block around it (itself included) */
  guint   *nbr_start;
  guint   *nbr;
} Grid;

static inline guint64
cell_key (gint64 ix, gint64 iy)
{
  return ((guint64) (ix + G_GINT64_CONSTANT (0x80000000)) << 32) |
         (guint64) (iy + G_GINT64_CONSTANT (0x80000000));
}

static inline double
dist2 (const Grid *g, guint a, guint b)
{
  double dx = g->x[a] - g->x[b], dy = g->y[a] - g->y[b], dz = g->z[a] - g->z[b];
  return dx * dx + dy * dy + dz * dz;
}

/* Within eps? The tangent-plane distance decides most pairs: it is never longer than the
 * chord, and at least k times it. */
static inline gboolean
within (const Grid *g, guint a, guint b)
{
  double dx = g->px[a] - g->px[b], dy = g->py[a] - g->py[b];
  double d2 = dx * dx + dy * dy;

  if (d2 > g->eps2)
    return FALSE;
  if (d2 <= g->sure2)
    return TRUE;
  return dist2 (g, a, b) <= g->eps2;
}

/* Neighbour lists by a sweep: cells are sorted by column (ix) then row (iy), so the cells of
 * column ix + dx with rows iy − 2 … iy + 2 form one run, and for increasing iy each run only
 * moves forward. No hashing, memory read in order. Fills nbr_start[begin … end) with offsets
 * into the job's own list. */
typedef struct {
  Grid  *g;
  guint  begin, end;
  guint *list;
  gsize  len;
  gpointer unused;
} NbrJob;

static gpointer
nbr_worker (gpointer data)
{
  NbrJob *j = data;
  Grid *g = j->g;
  gsize cap = (gsize) (j->end - j->begin) * 6 + 16;
  guint col_begin = j->begin;

  j->list = g_new (guint, cap);
  j->len = 0;
  while (col_begin < j->end)
    {
      guint64 ix_key = g->cells[col_begin].key >> 32;
      guint col_end = col_begin;
      guint run[2 * RING + 1];
      guint run_end[2 * RING + 1];

      while (col_end < j->end && (g->cells[col_end].key >> 32) == ix_key)
        col_end++;
      for (gint dx = -RING; dx <= RING; dx++)
        {
          guint64 want = (guint64) ((gint64) ix_key + dx) << 32;
          guint lo = 0, hi = g->n_cells;
          while (lo < hi)
            {
              guint mid = (lo + hi) / 2;
              if (g->cells[mid].key < want)
                lo = mid + 1;
              else
                hi = mid;
            }
          run[dx + RING] = lo;
          hi = lo;
          while (hi < g->n_cells && (g->cells[hi].key >> 32) == (want >> 32))
            hi++;
          run_end[dx + RING] = hi;
        }
      for (guint c = col_begin; c < col_end; c++)
        {
          guint64 iy = g->cells[c].key & 0xffffffff;
          g->nbr_start[c] = (guint) j->len;
          for (guint d = 0; d < 2 * RING + 1; d++)
            {
              while (run[d] < run_end[d] && (g->cells[run[d]].key & 0xffffffff) + RING < iy)
                run[d]++;
              for (guint k = run[d]; k < run_end[d] && (g->cells[k].key & 0xffffffff) <= iy + RING; k++)
                {
                  if (j->len == cap)
                    {
                      cap *= 2;
                      j->list = g_renew (guint, j->list, cap);
                    }
                  j->list[j->len++] = k;
                }
            }
        }
      col_begin = col_end;
    }
  return NULL;
}

/* Labels of one range of cells: core points take their cell's cluster, other points their
 * nearest core point's (the smaller cluster number on a tie), or stay noise. Reads only
 * shared data, so ranges run in parallel. */
typedef struct {
  Grid        *g;
  ZonesDbscan *r;
  double      *best;
  gint        *root_label;
  guint       *cell_root;
} BorderJob;

static void
border_range (guint begin, guint end, gpointer data)
{
  BorderJob *j = data;
  Grid *g = j->g;

  for (guint c = begin; c < end; c++)
    {
      Cell *cell = &g->cells[c];

      for (guint p = cell->start; p < cell->start + cell->count; p++)
        {
          if (g->core[p])
            {
              j->r->labels[g->orig[p]] = j->root_label[j->cell_root[c]];
              j->r->core[g->orig[p]] = TRUE;
              continue;
            }
          j->best[p] = G_MAXDOUBLE;
          for (guint k = g->nbr_start[c]; k < g->nbr_start[c + 1]; k++)
            {
              guint o = g->nbr[k];
              if (g->cells[o].n_core == 0)
                continue;
              for (guint q = g->cells[o].start; q < g->cells[o].start + g->cells[o].count; q++)
                {
                  double d2;
                  gint label;
                  if (!g->core[q] || !within (g, p, q))
                    continue;
                  d2 = dist2 (g, p, q);
                  label = j->root_label[j->cell_root[o]];
                  if (d2 < j->best[p] || (d2 == j->best[p] && label < j->r->labels[g->orig[p]]))
                    {
                      j->best[p] = d2;
                      j->r->labels[g->orig[p]] = label;
                    }
                }
            }
        }
    }
}

/* LSD radix sort of (key, index) pairs by key, 16 bits a pass. */
static void
radix_sort (guint64 *keys, guint *idx, guint n)
{
  g_autofree guint64 *k2 = g_new (guint64, MAX (n, 1));
  g_autofree guint *i2 = g_new (guint, MAX (n, 1));
  g_autofree guint *count = g_new (guint, 65536);

  for (guint shift = 0; shift < 64; shift += 16)
    {
      guint64 *src_k = shift % 32 == 0 ? keys : k2, *dst_k = shift % 32 == 0 ? k2 : keys;
      guint *src_i = shift % 32 == 0 ? idx : i2, *dst_i = shift % 32 == 0 ? i2 : idx;
      guint sum = 0;

      memset (count, 0, 65536 * sizeof (guint));
      for (guint i = 0; i < n; i++)
        count[(src_k[i] >> shift) & 0xffff]++;
      for (guint d = 0; d < 65536; d++)
        {
          guint c = count[d];
          count[d] = sum;
          sum += c;
        }
      for (guint i = 0; i < n; i++)
        {
          guint pos = count[(src_k[i] >> shift) & 0xffff]++;
          dst_k[pos] = src_k[i];
          dst_i[pos] = src_i[i];
        }
    }
  /* Four passes: the result is back in keys/idx. */
}

/* Marks the core points of cells [from, to): a full cell is all core; otherwise each point
 * counts its neighbours and stops at min_points. */
static gpointer
core_worker (gpointer data)
{
  Grid *g = data;

  while (TRUE)
    {
      gint c = g_atomic_int_add (&g->next_cell, 64);
      gint end;

      if (c >= (gint) g->n_cells)
        break;
      end = MIN (c + 64, (gint) g->n_cells);
      for (; c < end; c++)
        {
          Cell *cell = &g->cells[c];

          if (cell->count >= g->min_points)
            {
              for (guint p = cell->start; p < cell->start + cell->count; p++)
                g->core[p] = TRUE;
              cell->n_core = cell->count;
              continue;
            }
          for (guint p = cell->start; p < cell->start + cell->count; p++)
            {
              guint found = 0;
              for (guint k = g->nbr_start[c]; k < g->nbr_start[c + 1] && found < g->min_points; k++)
                {
                  const Cell *o = &g->cells[g->nbr[k]];
                  for (guint q = o->start; q < o->start + o->count && found < g->min_points; q++)
                    found += within (g, p, q);
                }
              if (found >= g->min_points)
                {
                  g->core[p] = TRUE;
                  cell->n_core++;
                }
            }
        }
    }
  return NULL;
}

/* Runs func (begin, end, data) over [0, n) split in equal parts, one per thread. */
typedef void (*RangeFunc) (guint begin, guint end, gpointer data);

typedef struct {
  RangeFunc func;
  gpointer  data;
  guint     begin, end;
} RangeJob;

static gpointer
range_thread (gpointer p)
{
  RangeJob *j = p;
  j->func (j->begin, j->end, j->data);
  return NULL;
}

static void
parallel_for (guint n, guint n_threads, RangeFunc func, gpointer data)
{
  RangeJob jobs[8];
  GThread *threads[8];
  guint nt = CLAMP (n_threads, 1, 8);

  if (n < 20000)
    nt = 1;
  for (guint t = 0; t < nt; t++)
    jobs[t] = (RangeJob) { func, data, (guint) ((guint64) n * t / nt),
                           (guint) ((guint64) n * (t + 1) / nt) };
  for (guint t = 1; t < nt; t++)
    threads[t] = g_thread_new ("dbscan", range_thread, &jobs[t]);
  range_thread (&jobs[0]);
  for (guint t = 1; t < nt; t++)
    g_thread_join (threads[t]);
}

typedef struct {
  const double *lon, *lat;
  double       *X, *Y, *Z;
} EcefJob;

static void
ecef_range (guint begin, guint end, gpointer data)
{
  EcefJob *j = data;
  const double a = 6378137.0, f = 1 / 298.257223563, e2 = f * (2 - f);

  for (guint i = begin; i < end; i++)
    {
      double phi = j->lat[i] * G_PI / 180, lam = j->lon[i] * G_PI / 180;
      double sp = sin (phi), cp = cos (phi);
      double N = a / sqrt (1 - e2 * sp * sp);
      j->X[i] = N * cp * cos (lam);
      j->Y[i] = N * cp * sin (lam);
      j->Z[i] = N * (1 - e2) * sp;
    }
}

static guint
uf_find (guint *parent, guint a)
{
  while (parent[a] != a)
    {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
  return a;
}

static void
uf_union (guint *parent, guint a, guint b)
{
  a = uf_find (parent, a);
  b = uf_find (parent, b);
  if (a != b)
    parent[MAX (a, b)] = MIN (a, b);
}

/**
 * zones_dbscan_run:
 * @lon: (array length=n): longitudes, WGS 84 degrees
 * @lat: (array length=n): latitudes
 * @eps_m: the neighbourhood radius in metres on the ground
 * @min_points: a point with at least this many points within @eps_m (itself included) is a
 *   core point
 * @n_threads: worker threads for the neighbour counts
 *
 * Returns: (transfer full): the clusters, numbered in the order of their first point
 */
ZonesDbscan *
zones_dbscan_run (const double *lon, const double *lat, guint n, double eps_m, guint min_points,
                  guint n_threads, GCancellable *cancellable, GError **error)
{
  g_autoptr(ZonesDbscan) r = g_new0 (ZonesDbscan, 1);
  g_autofree double *X = NULL, *Y = NULL, *Z = NULL;
  g_autofree guint64 *keys = NULL;
  g_autofree guint *idx = NULL;
  double cx = 0, cy = 0, cz = 0, norm, ex, ey, ez, nx, ny, nz, kmin = 1, side;
  Grid g = { 0 };
  g_autofree guint *parent = NULL;
  g_autofree double *best = NULL;

  g_return_val_if_fail ((lon != NULL && lat != NULL) || n == 0, NULL);

  if (!(eps_m > 0) || !isfinite (eps_m) || eps_m > 1e6)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "The clustering distance must be from 0 to 1,000 km, not %g m", eps_m);
      return NULL;
    }
  if (min_points < 1)
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "The minimum number of sites must be at least 1");
      return NULL;
    }
  r->n = n;
  r->labels = g_new (gint, MAX (n, 1));
  r->core = g_new0 (gboolean, MAX (n, 1));
  if (n == 0)
    return g_steal_pointer (&r);

  /* 3D positions on the ellipsoid. */
  X = g_new (double, n);
  Y = g_new (double, n);
  Z = g_new (double, n);
  for (guint i = 0; i < n; i++)
    if (!isfinite (lon[i]) || !isfinite (lat[i]) || fabs (lat[i]) > 90)
      {
        g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                     "Point %u has no valid longitude/latitude (%g, %g)", i, lon[i], lat[i]);
        return NULL;
      }
  {
    EcefJob job = { lon, lat, X, Y, Z };
    parallel_for (n, n_threads, ecef_range, &job);
  }
  for (guint i = 0; i < n; i++)
    {
      double len = sqrt (X[i] * X[i] + Y[i] * Y[i] + Z[i] * Z[i]);
      cx += X[i] / len;
      cy += Y[i] / len;
      cz += Z[i] / len;
    }
  norm = sqrt (cx * cx + cy * cy + cz * cz);
  if (norm < 1e-9 * n)
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "The sites are spread over the whole globe; cluster one region at a time");
      return NULL;
    }
  cx /= norm;
  cy /= norm;
  cz /= norm;
  /* East and north at the centre. */
  ex = -cy;
  ey = cx;
  ez = 0;
  norm = sqrt (ex * ex + ey * ey);
  if (norm < 1e-12)
    {
      ex = 1;
      ey = 0;
    }
  else
    {
      ex /= norm;
      ey /= norm;
    }
  nx = cy * ez - cz * ey;
  ny = cz * ex - cx * ez;
  nz = cx * ey - cy * ex;
  for (guint i = 0; i < n; i++)
    {
      double len = sqrt (X[i] * X[i] + Y[i] * Y[i] + Z[i] * Z[i]);
      double c = (X[i] * cx + Y[i] * cy + Z[i] * cz) / len;
      kmin = MIN (kmin, c);
    }
  if (kmin < 0.5)
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "The sites span more than 60° from their centre; cluster one region "
                           "at a time");
      return NULL;
    }
  /* A little margin for the chord's bulge out of the tangent plane (d²/2R). */
  kmin *= 1 - 1e-6 - eps_m / 6.0e6;
  side = eps_m * kmin / G_SQRT2;

  keys = g_new (guint64, n);
  idx = g_new (guint, n);
  {
    g_autofree double *PX = g_new (double, n);
    g_autofree double *PY = g_new (double, n);
    for (guint i = 0; i < n; i++)
      {
        PX[i] = X[i] * ex + Y[i] * ey + Z[i] * ez;
        PY[i] = X[i] * nx + Y[i] * ny + Z[i] * nz;
        keys[i] = cell_key ((gint64) floor (PX[i] / side), (gint64) floor (PY[i] / side));
        idx[i] = i;
      }
    radix_sort (keys, idx, n);
    g.px = g_new (double, n);
    g.py = g_new (double, n);
    for (guint i = 0; i < n; i++)
      {
        g.px[i] = PX[idx[i]];
        g.py[i] = PY[idx[i]];
      }
  }
  /* Points in cell order, and the cells. */
  g.x = g_new (double, n);
  g.y = g_new (double, n);
  g.z = g_new (double, n);
  g.orig = idx;
  g.core = g_new0 (gboolean, n);
  g.eps2 = eps_m * eps_m;
  g.sure2 = eps_m * kmin * eps_m * kmin;
  g.min_points = min_points;
  for (guint i = 0; i < n; i++)
    {
      g.x[i] = X[idx[i]];
      g.y[i] = Y[idx[i]];
      g.z[i] = Z[idx[i]];
    }
  g.cells = g_new (Cell, n);
  for (guint i = 0; i < n; i++)
    {
      if (g.n_cells == 0 || g.cells[g.n_cells - 1].key != keys[i])
        g.cells[g.n_cells++] = (Cell) { keys[i], i, 0, 0 };
      g.cells[g.n_cells - 1].count++;
    }
  /* Neighbour lists, built in parallel over ranges of whole columns. */
  {
    NbrJob jobs[2];
    guint half = g.n_cells / 2;
    GThread *thread = NULL;

    /* Split at a column boundary so that each range sweeps whole columns. */
    while (half > 0 && half < g.n_cells && (g.cells[half].key >> 32) == (g.cells[half - 1].key >> 32))
      half++;
    jobs[0] = (NbrJob) { &g, 0, half, NULL, 0, NULL };
    jobs[1] = (NbrJob) { &g, half, g.n_cells, NULL, 0, NULL };
    g.nbr_start = g_new (guint, g.n_cells + 1);
    if (n_threads > 1 && n >= 20000)
      thread = g_thread_new ("dbscan", nbr_worker, &jobs[1]);
    else
      nbr_worker (&jobs[1]);
    nbr_worker (&jobs[0]);
    if (thread != NULL)
      g_thread_join (thread);
    g.nbr = g_new (guint, jobs[0].len + jobs[1].len + 1);
    memcpy (g.nbr, jobs[0].list, jobs[0].len * sizeof (guint));
    memcpy (g.nbr + jobs[0].len, jobs[1].list, jobs[1].len * sizeof (guint));
    for (guint c = half; c < g.n_cells; c++)
      g.nbr_start[c] += (guint) jobs[0].len;
    g.nbr_start[g.n_cells] = (guint) (jobs[0].len + jobs[1].len);
    g_free (jobs[0].list);
    g_free (jobs[1].list);
  }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;

  /* 1. Core points. */
  {
    GThread *threads[8];
    guint nt = CLAMP (n_threads, 1, 8);
    if (n < 20000)
      nt = 1;
    for (guint t = 1; t < nt; t++)
      threads[t] = g_thread_new ("dbscan", core_worker, &g);
    core_worker (&g);
    for (guint t = 1; t < nt; t++)
      g_thread_join (threads[t]);
  }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;

  /* 2. Merge core cells: all core points of a cell are one group; neighbouring cells join
   * when any two of their core points are within eps. */
  parent = g_new (guint, g.n_cells);
  for (guint c = 0; c < g.n_cells; c++)
    parent[c] = c;
  for (guint c = 0; c < g.n_cells; c++)
    {
      Cell *cell = &g.cells[c];

      if (cell->n_core == 0)
        continue;
      for (guint k = g.nbr_start[c]; k < g.nbr_start[c + 1]; k++)
        {
          guint o = g.nbr[k];
          gboolean linked = FALSE;

          if (o <= c || g.cells[o].n_core == 0 || uf_find (parent, c) == uf_find (parent, o))
            continue;
          for (guint p = cell->start; p < cell->start + cell->count && !linked; p++)
            {
              if (!g.core[p])
                continue;
              for (guint q = g.cells[o].start; q < g.cells[o].start + g.cells[o].count; q++)
                if (g.core[q] && within (&g, p, q))
                  {
                    linked = TRUE;
                    break;
                  }
            }
          if (linked)
            uf_union (parent, c, o);
        }
    }

  /* 3. Cluster numbers in the order of each cluster's smallest point index; border points
   * join their nearest core point's cluster. */
  {
    g_autofree guint *root_min = g_new (guint, g.n_cells);
    g_autofree gint *root_label = g_new (gint, g.n_cells);
    guint n_roots = 0;

    for (guint c = 0; c < g.n_cells; c++)
      {
        root_min[c] = G_MAXUINT;
        root_label[c] = -1;
      }
    for (guint c = 0; c < g.n_cells; c++)
      {
        guint root;
        if (g.cells[c].n_core == 0)
          continue;
        root = uf_find (parent, c);
        for (guint p = g.cells[c].start; p < g.cells[c].start + g.cells[c].count; p++)
          if (g.core[p])
            {
              if (root_min[root] == G_MAXUINT)
                n_roots++;
              root_min[root] = MIN (root_min[root], g.orig[p]);
            }
      }
    {
      /* Number the clusters in the order of their smallest point index: sort (min, root)
       * pairs. */
      g_autofree guint64 *pairs = g_new (guint64, MAX (n_roots, 1));
      g_autofree guint *dummy = g_new (guint, MAX (n_roots, 1));
      guint k = 0;
      for (guint c = 0; c < g.n_cells; c++)
        if (root_min[c] != G_MAXUINT)
          {
            pairs[k] = ((guint64) root_min[c] << 32) | c;
            dummy[k] = k;
            k++;
          }
      radix_sort (pairs, dummy, n_roots);
      for (guint i = 0; i < n_roots; i++)
        root_label[pairs[i] & 0xffffffff] = (gint) i;
    }
    r->n_clusters = n_roots;

    for (guint i = 0; i < n; i++)
      r->labels[i] = -1;
    best = g_new (double, n);
    {
      BorderJob job = { &g, r, best, root_label, g_new (guint, g.n_cells) };
      for (guint c = 0; c < g.n_cells; c++)
        job.cell_root[c] = uf_find (parent, c);
      parallel_for (g.n_cells, n_threads, border_range, &job);
      g_free (job.cell_root);
    }
  }
  r->max_distance_error = eps_m * eps_m / (24.0 * 6356752.0 * 6356752.0);
  g_free (g.px);
  g_free (g.py);
  g_free (g.nbr_start);
  g_free (g.nbr);
  g_free (g.x);
  g_free (g.y);
  g_free (g.z);
  g_free (g.core);
  g_free (g.cells);
  return g_steal_pointer (&r);

fail:
  g_free (g.px);
  g_free (g.py);
  g_free (g.nbr_start);
  g_free (g.nbr);
  g_free (g.x);
  g_free (g.y);
  g_free (g.z);
  g_free (g.core);
  g_free (g.cells);
  return NULL;
}
