/* gis-rasterize.c: filling small polygons and drawing hairlines straight into pixels
 *
 * At the scales of a national map most polygons are a few pixels wide. For those, cairo's
 * general machinery (path construction, tessellation, coverage masks) costs far more than
 * the pixels it produces. This scan converter fills a polygon by sampling pixel centres
 * with the non-zero rule, and draws outlines as anti-aliased lines (Wu's algorithm) on
 * top, which also smooths the fill's edges. The renderer uses it for features smaller
 * than a few dozen pixels with thin outlines, and cairo for the rest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-rasterize"

#include <math.h>
#include <string.h>

#include "gis-render-private.h"

static inline guint32
blend_px (guint32 dst, guint32 src)
{
  guint32 sa = src >> 24;
  guint32 inv = 255 - sa;
  guint32 rb, ag;

  if (sa == 255)
    return src;
  if (sa == 0 && src == 0)
    return dst;
  rb = ((dst & 0x00ff00ff) * inv + 0x00800080);
  rb = ((rb + ((rb >> 8) & 0x00ff00ff)) >> 8) & 0x00ff00ff;
  ag = (((dst >> 8) & 0x00ff00ff) * inv + 0x00800080);
  ag = ((ag + ((ag >> 8) & 0x00ff00ff)) >> 8) & 0x00ff00ff;
  return src + (rb | (ag << 8));
}

/* A premultiplied colour times a coverage in 0..256. */
static inline guint32
scale_px (guint32 c, guint32 cov)
{
  guint32 rb = ((c & 0x00ff00ff) * cov) >> 8;
  guint32 ag = (((c >> 8) & 0x00ff00ff) * cov) >> 8;

  return (rb & 0x00ff00ff) | ((ag & 0x00ff00ff) << 8);
}

/* floor() and ceil() of values well inside int's range, without libm's general case
 * (SSE2 has no rounding instruction). */
static inline int
ifloor (double v)
{
  int i = (int) v;

  return i - (v < i);
}

static inline int
iceil (double v)
{
  int i = (int) v;

  return i + (v > i);
}

static inline gboolean
pattern_on (const GisPaint *paint, int x, int y)
{
  int n = paint->period, w = paint->line_width;

  switch (paint->pattern)
    {
    case GIS_FILL_HATCH:
      return ((unsigned) (x + y) % (unsigned) n) < (unsigned) w;
    case GIS_FILL_CROSS_HATCH:
      return ((unsigned) (x + y) % (unsigned) n) < (unsigned) w ||
             ((unsigned) (x - y + 1024 * n) % (unsigned) n) < (unsigned) w;
    case GIS_FILL_DOTS:
      return ((unsigned) x % (unsigned) n) < (unsigned) w &&
             ((unsigned) y % (unsigned) n) < (unsigned) w;
    case GIS_FILL_HORIZONTAL:
      return ((unsigned) y % (unsigned) n) < (unsigned) w;
    default:
      return TRUE;
    }
}

/* Adds the signed area one edge contributes to each pixel of its rows: the coverage of a
 * pixel is then the running sum of these along its row. The exact area of the polygon
 * in each pixel, without sub-sampling (the accumulation method of font rasterisers);
 * with shells and holes oriented oppositely, the sum is the winding number averaged
 * over the pixel. */
static void
accumulate_edge (float *acc, int stride, int rows, double x0, double y0, double x1, double y1)
{
  double dir = 1, dxdy, x, lo, hi;

  if (y0 == y1)
    return;
  if (y0 > y1)
    {
      double t;
      t = x0, x0 = x1, x1 = t;
      t = y0, y0 = y1, y1 = t;
      dir = -1;
    }
  dxdy = (x1 - x0) / (y1 - y0);
  /* The edge's columns: stepping along it must not stray out of them by a rounding
   * error, to the grid's column -1 say. */
  lo = MIN (x0, x1);
  hi = MAX (x0, x1);
  x = x0;
  if (y0 < 0)
    {
      x = CLAMP (x - y0 * dxdy, lo, hi);
      y0 = 0;
    }
  y1 = MIN (y1, (double) rows);
  for (int y = (int) y0; y < rows && y < y1; y++)
    {
      float *line = acc + (gsize) y * stride;
      double dy = MIN ((double) y + 1, y1) - MAX ((double) y, y0);
      double xnext = CLAMP (x + dxdy * dy, lo, hi);
      double d = dy * dir;
      double xa = MIN (x, xnext), xb = MAX (x, xnext);
      int ia = ifloor (xa);
      double fa = ia;
      int ib = iceil (xb);
      double cb = ib;

      if (ib <= ia + 1)
        {
          /* Within one pixel column: the part right of the edge's middle goes to the next. */
          double xm = 0.5 * (x + xnext) - fa;
          line[ia] += (float) (d - d * xm);
          line[ia + 1] += (float) (d * xm);
        }
      else
        {
          double slope = 1 / (xb - xa);
          double f0 = xa - fa;
          double a0 = 0.5 * slope * (1 - f0) * (1 - f0);
          double f1 = xb - cb + 1;
          double am = 0.5 * slope * f1 * f1;

          line[ia] += (float) (d * a0);
          if (ib == ia + 2)
            line[ia + 1] += (float) (d * (1 - a0 - am));
          else
            {
              double a1 = slope * (1.5 - f0);
              line[ia + 1] += (float) (d * (a1 - a0));
              for (int i = ia + 2; i < ib - 1; i++)
                line[i] += (float) (d * slope);
              line[ib - 1] += (float) (d * (1 - (a1 + (ib - ia - 3) * slope) - am));
            }
          line[ib] += (float) (d * am);
        }
      x = xnext;
    }
}

/* Accumulation grids up to this many cells live on the stack: every polygon the direct
 * path draws (under DIRECT_MAX_PX in gis-map-renderer.c) fits. */
#define LOCAL_CELLS 4096

/**
 * _gis_fill_polygon:
 * @xy: device coordinates, x0,y0,x1,y1..., rings one after another
 * @ring_sizes: the number of vertices of each ring
 * @scratch: a buffer the function may resize and reuse, for polygons too large for the
 *   stack
 *
 * Fills the rings, anti-aliased by exact pixel coverage, within the pixmap's band. Shells
 * and holes must turn in opposite directions (gis-vector-layer.c stores them so).
 */
void
_gis_fill_polygon (const GisPixmap *pm, const double *xy, const guint *ring_sizes,
                   guint n_rings, const GisPaint *paint, GArray *scratch)
{
  double xmin = G_MAXDOUBLE, xmax = -G_MAXDOUBLE, ymin = G_MAXDOUBLE, ymax = -G_MAXDOUBLE;
  guint n = 0, at = 0;
  int ox, oy, w, h, r0, r1, xs, xe;
  gsize cells;
  float local[LOCAL_CELLS];
  float *acc;

  for (guint r = 0; r < n_rings; r++)
    n += ring_sizes[r];
  for (guint i = 0; i < n; i++)
    {
      xmin = MIN (xmin, xy[2 * i]);
      xmax = MAX (xmax, xy[2 * i]);
      ymin = MIN (ymin, xy[2 * i + 1]);
      ymax = MAX (ymax, xy[2 * i + 1]);
    }
  if (n < 3 || xmax <= xmin || ymax <= ymin)
    return;
  /* The accumulation grid: the polygon's box (two more columns for the spill-over), and
   * only the rows of this band. */
  ox = (int) floor (xmin);
  w = (int) ceil (xmax) - ox + 2;
  r0 = MAX ((int) floor (ymin), pm->y0);
  r1 = MIN ((int) ceil (ymax), pm->y1);
  if (r1 <= r0)
    return;
  oy = r0;
  h = r1 - r0;
  cells = (gsize) w * h;
  if (cells <= LOCAL_CELLS)
    acc = local;
  else
    {
      g_array_set_size (scratch, (guint) (cells * sizeof (float) /
                                          g_array_get_element_size (scratch) + 1));
      acc = (float *) (gpointer) scratch->data;
    }
  memset (acc, 0, sizeof (float) * cells);

  for (guint r = 0; r < n_rings; r++)
    {
      guint m = ring_sizes[r];
      const double *ring = xy + 2 * at;
      for (guint i = 0; i < m; i++)
        {
          guint j = i + 1 < m ? i + 1 : 0;
          accumulate_edge (acc, w, h, ring[2 * i] - ox, ring[2 * i + 1] - oy,
                           ring[2 * j] - ox, ring[2 * j + 1] - oy);
        }
      at += m;
    }

  /* Columns of the grid inside the image; those left of it still add to the running
   * sums. */
  xs = CLAMP (-ox, 0, w);
  xe = MIN (w, pm->width - ox);
  for (int y = 0; y < h; y++)
    {
      guint32 *row = (guint32 *) (gpointer) (pm->data + (gsize) (y + oy) * pm->stride);
      const float *line = acc + (gsize) y * w;
      float sum = 0;

      for (int x = 0; x < xs; x++)
        sum += line[x];
      for (int x = xs; x < xe; x++)
        {
          float c;
          guint32 cov, color;

          sum += line[x];
          c = fabsf (sum);
          if (c < 1.0f / 512)
            continue;
          cov = c >= 0.998f ? 256 : (guint32) (c * 256 + 0.5f);
          color = paint->pattern == GIS_FILL_SOLID || pattern_on (paint, x + ox, y + oy)
                  ? paint->color : paint->tint;
          row[x + ox] = blend_px (row[x + ox], cov >= 256 ? color : scale_px (color, cov));
        }
    }
}

/**
 * _gis_splat_box:
 * @density: the share of the box the feature fills (a blob fills about 3/4 of its box)
 *
 * Draws a feature smaller than a couple of pixels as its box, each pixel weighted by how
 * much of the box covers it: what an anti-aliased fill would give, without a fill.
 */
void
_gis_splat_box (const GisPixmap *pm, double x0, double y0, double x1, double y1,
                guint32 color, double density)
{
  int ix0 = ifloor (x0), ix1 = ifloor (x1), iy0 = ifloor (y0), iy1 = ifloor (y1);
  int xa = MAX (ix0, 0), xb = MIN (ix1, pm->width - 1);
  double wx[8];

  if (xb < xa)
    return;
  /* How much of each column the box covers, worked out once for all its rows (the box
   * of a feature drawn as a pixel is a few columns wide). */
  if (xb - xa < (int) G_N_ELEMENTS (wx))
    for (int x = xa; x <= xb; x++)
      wx[x - xa] = MAX (MIN (x1, x + 1.0) - MAX (x0, (double) x), 0.0);
  for (int y = MAX (iy0, pm->y0); y <= MIN (iy1, pm->y1 - 1); y++)
    {
      double wy = MAX (MIN (y1, y + 1.0) - MAX (y0, (double) y), 0.0);
      guint32 *row = (guint32 *) (gpointer) (pm->data + (gsize) y * pm->stride);
      for (int x = xa; x <= xb; x++)
        {
          double ox = xb - xa < (int) G_N_ELEMENTS (wx)
                      ? wx[x - xa] : MAX (MIN (x1, x + 1.0) - MAX (x0, (double) x), 0.0);
          guint32 cov = (guint32) (ox * wy * density * 256 + 0.5);
          if (cov > 0)
            row[x] = blend_px (row[x], cov >= 256 ? color : scale_px (color, cov));
        }
    }
}

/* lround() of a value well inside int's range, without the call into libm: half-way
 * cases away from zero. (v - i is exact.) */
static inline int
round_half_away (double v)
{
  int i = (int) v;
  double r = v - i;

  return i + (r >= 0.5) - (r <= -0.5);
}

static inline void
plot_cov (const GisPixmap *pm, int x, int y, guint32 color, guint32 cov)
{
  guint32 *row = (guint32 *) (gpointer) (pm->data + (gsize) y * pm->stride);

  row[x] = blend_px (row[x], scale_px (color, cov));
}

/**
 * _gis_draw_line:
 * @color: premultiplied; its alpha already includes the line's width when under a pixel
 *
 * An anti-aliased line about one pixel wide (Wu), clipped to the band.
 */
void
_gis_draw_line (const GisPixmap *pm, double x0, double y0, double x1, double y1,
                guint32 color)
{
  gboolean steep = fabs (y1 - y0) > fabs (x1 - x0);
  double dx, dy, gradient, inter, lo, hi;
  int xa, xb;

  /* Pixel centres are at +0.5; Wu's algorithm works on integer centres. */
  x0 -= 0.5, y0 -= 0.5, x1 -= 0.5, y1 -= 0.5;
  if (steep)
    {
      double t;
      t = x0, x0 = y0, y0 = t;
      t = x1, x1 = y1, y1 = t;
    }
  if (x0 > x1)
    {
      double t;
      t = x0, x0 = x1, x1 = t;
      t = y0, y0 = y1, y1 = t;
    }
  /* Whole line outside the band: nothing to do. */
  if (steep)
    {
      if (x1 < pm->y0 - 1 || x0 > pm->y1 + 1)
        return;
    }
  else if (MAX (y0, y1) < pm->y0 - 1 || MIN (y0, y1) > pm->y1 + 1)
    return;

  dx = x1 - x0;
  dy = y1 - y0;
  gradient = dx > 0 ? dy / dx : 1;
  /* Clamped before rounding (the bounds are whole numbers, so the result is the same),
   * which keeps far-away ends of long lines within int's range. */
  if (steep)
    {
      xa = round_half_away (MAX (x0, pm->y0 - 1.0));
      xb = round_half_away (MIN (x1, (double) pm->y1));
    }
  else
    {
      xa = round_half_away (MAX (x0, -1.0));
      xb = round_half_away (MIN (x1, (double) pm->width));
    }
  inter = y0 + gradient * (xa - x0);
  /* Each step plots floor(inter) and the pixel after it, across the line; steps where
   * both are off the image (or the band) are skipped before any rounding. */
  if (steep)
    {
      lo = -1;
      hi = pm->width;
    }
  else
    {
      lo = pm->y0 - 1;
      hi = pm->y1;
    }
  for (int x = xa; x <= xb; x++, inter += gradient)
    {
      int iy;
      guint32 f;

      if (!(inter >= lo && inter < hi))
        continue;
      iy = ifloor (inter);
      f = (guint32) ((inter - iy) * 256);
      if (steep)
        {
          if (x < pm->y0 || x >= pm->y1)
            continue;
          if (iy >= 0)
            plot_cov (pm, iy, x, color, 256 - f);
          if (f != 0 && iy + 1 < pm->width)
            plot_cov (pm, iy + 1, x, color, f);
        }
      else
        {
          if (x < 0 || x >= pm->width)
            continue;
          if (iy >= pm->y0)
            plot_cov (pm, x, iy, color, 256 - f);
          if (f != 0 && iy + 1 < pm->y1)
            plot_cov (pm, x, iy + 1, color, f);
        }
    }
}
