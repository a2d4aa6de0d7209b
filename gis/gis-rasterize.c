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

guint32
_gis_pixel_blend (guint32 dst, guint32 src)
{
  return blend_px (dst, src);
}

/* A premultiplied colour times a coverage in 0..256. */
static inline guint32
scale_px (guint32 c, guint32 cov)
{
  guint32 rb = ((c & 0x00ff00ff) * cov) >> 8;
  guint32 ag = (((c >> 8) & 0x00ff00ff) * cov) >> 8;

  return (rb & 0x00ff00ff) | ((ag & 0x00ff00ff) << 8);
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

static void
fill_span (const GisPixmap *pm, const GisPaint *paint, int y, int xa, int xb)
{
  guint32 *row;

  xa = MAX (xa, 0);
  xb = MIN (xb, pm->width);
  if (xa >= xb)
    return;
  row = (guint32 *) (gpointer) (pm->data + (gsize) y * pm->stride);
  if (paint->pattern == GIS_FILL_SOLID)
    {
      if ((paint->color >> 24) == 255)
        for (int x = xa; x < xb; x++)
          row[x] = paint->color;
      else
        for (int x = xa; x < xb; x++)
          row[x] = blend_px (row[x], paint->color);
    }
  else
    for (int x = xa; x < xb; x++)
      row[x] = blend_px (row[x], pattern_on (paint, x, y) ? paint->color : paint->tint);
}

typedef struct {
  float y0;     /* top (smaller y) */
  float y1;
  float x0;     /* x at y0 */
  float dxdy;
  int   dir;
} Edge;

/**
 * _gis_fill_polygon:
 * @xy: device coordinates, x0,y0,x1,y1..., rings one after another
 * @ring_sizes: the number of vertices of each ring
 *
 * Fills pixels whose centres lie inside the rings (non-zero winding), within the
 * pixmap's band.
 */
void
_gis_fill_polygon (const GisPixmap *pm, const double *xy, const guint *ring_sizes,
                   guint n_rings, const GisPaint *paint, GArray *scratch)
{
  double ymin = G_MAXDOUBLE, ymax = -G_MAXDOUBLE;
  guint n_edges = 0, at = 0;
  Edge *edges;
  int r0, r1;

  /* Edges, each ring closed. */
  for (guint r = 0; r < n_rings; r++)
    n_edges += ring_sizes[r];
  g_array_set_size (scratch, n_edges);
  edges = (Edge *) (gpointer) scratch->data;
  n_edges = 0;
  for (guint r = 0; r < n_rings; r++)
    {
      guint n = ring_sizes[r];
      for (guint i = 0; i < n; i++)
        {
          double ax = xy[2 * (at + i)], ay = xy[2 * (at + i) + 1];
          double bx = xy[2 * (at + (i + 1) % n)], by = xy[2 * (at + (i + 1) % n) + 1];
          Edge *e;

          if (ay == by)
            continue;
          e = &edges[n_edges++];
          if (ay < by)
            {
              e->y0 = (float) ay, e->y1 = (float) by, e->x0 = (float) ax, e->dir = 1;
              e->dxdy = (float) ((bx - ax) / (by - ay));
            }
          else
            {
              e->y0 = (float) by, e->y1 = (float) ay, e->x0 = (float) bx, e->dir = -1;
              e->dxdy = (float) ((ax - bx) / (ay - by));
            }
          ymin = MIN (ymin, e->y0);
          ymax = MAX (ymax, e->y1);
        }
      at += n;
    }
  if (n_edges < 2)
    return;

  /* Rows whose centre (r + 0.5) lies within the polygon's span, clipped to the band. */
  r0 = (int) ceil (ymin - 0.5);
  r1 = (int) ceil (ymax - 0.5);
  r0 = MAX (r0, pm->y0);
  r1 = MIN (r1, pm->y1);
  for (int r = r0; r < r1; r++)
    {
      float xs[64];
      int ds[64];
      guint n = 0;
      float yc = r + 0.5f;
      int winding = 0;

      for (guint i = 0; i < n_edges && n < G_N_ELEMENTS (xs); i++)
        {
          const Edge *e = &edges[i];
          if (yc >= e->y0 && yc < e->y1)
            {
              float x = e->x0 + (yc - e->y0) * e->dxdy;
              guint k = n++;
              /* Insertion sort: crossings per row are few. */
              while (k > 0 && xs[k - 1] > x)
                {
                  xs[k] = xs[k - 1];
                  ds[k] = ds[k - 1];
                  k--;
                }
              xs[k] = x;
              ds[k] = e->dir;
            }
        }
      for (guint i = 0; i + 1 < n; i++)
        {
          winding += ds[i];
          if (winding != 0)
            fill_span (pm, paint, r, (int) ceilf (xs[i] - 0.5f), (int) ceilf (xs[i + 1] - 0.5f));
        }
    }
}

static inline void
plot_cov (const GisPixmap *pm, int x, int y, guint32 color, guint32 cov)
{
  guint32 *row;

  if (x < 0 || x >= pm->width || y < pm->y0 || y >= pm->y1 || cov == 0)
    return;
  row = (guint32 *) (gpointer) (pm->data + (gsize) y * pm->stride);
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
  double dx, dy, gradient, inter;
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
  xa = (int) lround (x0);
  xb = (int) lround (x1);
  if (steep)
    {
      xa = MAX (xa, pm->y0 - 1);
      xb = MIN (xb, pm->y1);
    }
  else
    {
      xa = MAX (xa, -1);
      xb = MIN (xb, pm->width);
    }
  inter = y0 + gradient * (xa - x0);
  for (int x = xa; x <= xb; x++, inter += gradient)
    {
      int iy = (int) floor (inter);
      guint32 f = (guint32) ((inter - iy) * 256);
      if (steep)
        {
          plot_cov (pm, iy, x, color, 256 - f);
          plot_cov (pm, iy + 1, x, color, f);
        }
      else
        {
          plot_cov (pm, x, iy, color, 256 - f);
          plot_cov (pm, x, iy + 1, color, f);
        }
    }
}
