/* gis-rasterize.c: filling small polygons and drawing hairlines straight into pixels
 *
 * At the scales of a national map most polygons are a few pixels wide. For those, cairo's
 * general machinery (path construction, tessellation, coverage masks) costs far more than
 * the pixels it produces. This scan converter fills a polygon by sampling pixel centres
 * with the non-zero rule, and draws outlines as anti-aliased lines (Wu's algorithm) on
 * top, which also smooths the fill's edges. The renderer uses it for features smaller
 * than a few dozen pixels with thin outlines, and cairo for the rest.
 *
 * A small polygon with an outline is drawn in one pass: its fill's coverage and its
 * outline's ink go into a tile first, then each pixel is blended once (four at a time
 * with SSE2). At a few pixels across, an outline takes more steps than the polygon has
 * pixels, and blending at every step cost more than everything else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-rasterize"

#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

#ifdef __SSE2__
/* blend_px (px[i], scale_px (color, cov[i])) for four pixels at once, channel by channel
 * in 16 bits: the same arithmetic, so the same pixels. @color16 is the colour's four
 * channels twice over, in 16 bits; coverages are 0..256. */
static inline void
blend_cov_4 (guint32 *px, __m128i cov, __m128i color16)
{
  const __m128i zero = _mm_setzero_si128 ();
  const __m128i c255 = _mm_set1_epi16 (255), c128 = _mm_set1_epi16 (128);
  const __m128i c257 = _mm_set1_epi16 (257);
  __m128i cov16 = _mm_packs_epi32 (cov, cov);
  __m128i dst = _mm_loadu_si128 ((const __m128i *) (gconstpointer) px);
  __m128i out[2];

  cov16 = _mm_unpacklo_epi16 (cov16, cov16);
  for (int half = 0; half < 2; half++)
    {
      __m128i cv = half ? _mm_unpackhi_epi32 (cov16, cov16) : _mm_unpacklo_epi32 (cov16, cov16);
      __m128i d = half ? _mm_unpackhi_epi8 (dst, zero) : _mm_unpacklo_epi8 (dst, zero);
      __m128i src = _mm_srli_epi16 (_mm_mullo_epi16 (color16, cv), 8);
      __m128i inv = _mm_sub_epi16 (c255, _mm_shufflehi_epi16 (_mm_shufflelo_epi16 (src, 0xff),
                                                              0xff));
      __m128i t = _mm_add_epi16 (_mm_mullo_epi16 (d, inv), c128);

      out[half] = _mm_add_epi16 (src, _mm_mulhi_epu16 (t, c257));
    }
  _mm_storeu_si128 ((__m128i *) (gpointer) px, _mm_packus_epi16 (out[0], out[1]));
}

static inline __m128i
color_16 (guint32 color)
{
  __m128i c = _mm_unpacklo_epi8 (_mm_cvtsi32_si128 ((int) color), _mm_setzero_si128 ());

  return _mm_unpacklo_epi64 (c, c);
}
#endif

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
G_ALWAYS_INLINE static inline void
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
GIS_DRAWING_CLONES void
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
GIS_DRAWING_CLONES void
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
#ifdef __SSE2__
  /* Up to four columns, a row at a time (columns past the box get no coverage). */
  if (xb - xa < 4 && xa + 4 <= pm->width)
    {
      __m128i color16 = color_16 (color);
      __m128d w01, w23, k = _mm_set1_pd (density), c256 = _mm_set1_pd (256),
              half = _mm_set1_pd (0.5);

      for (int x = xb + 1; x < xa + 4; x++)
        wx[x - xa] = 0;
      w01 = _mm_loadu_pd (wx);
      w23 = _mm_loadu_pd (wx + 2);
      for (int y = MAX (iy0, pm->y0); y <= MIN (iy1, pm->y1 - 1); y++)
        {
          __m128d wy = _mm_set1_pd (MAX (MIN (y1, y + 1.0) - MAX (y0, (double) y), 0.0));
          /* (guint32) (ox · wy · density · 256 + 0.5), in the same order. */
          __m128i c01 = _mm_cvttpd_epi32 (_mm_add_pd (_mm_mul_pd (_mm_mul_pd (_mm_mul_pd (w01, wy),
                                                                                k), c256), half));
          __m128i c23 = _mm_cvttpd_epi32 (_mm_add_pd (_mm_mul_pd (_mm_mul_pd (_mm_mul_pd (w23, wy),
                                                                                k), c256), half));
          guint32 *row = (guint32 *) (gpointer) (pm->data + (gsize) y * pm->stride);

          blend_cov_4 (row + xa, _mm_unpacklo_epi64 (c01, c23), color16);
        }
      return;
    }
#endif
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

/* Wu's algorithm works on integer centres (pixel centres are at +0.5), along x: a steep
 * line has its axes swapped, and every line runs left to right. */
static inline void
wu_normalise (double *x0, double *y0, double *x1, double *y1, gboolean steep)
{
  double t;

  *x0 -= 0.5, *y0 -= 0.5, *x1 -= 0.5, *y1 -= 0.5;
  if (steep)
    {
      t = *x0, *x0 = *y0, *y0 = t;
      t = *x1, *x1 = *y1, *y1 = t;
    }
  if (*x0 > *x1)
    {
      t = *x0, *x0 = *x1, *x1 = t;
      t = *y0, *y0 = *y1, *y1 = t;
    }
}

/**
 * _gis_draw_line:
 * @color: premultiplied; its alpha already includes the line's width when under a pixel
 *
 * An anti-aliased line about one pixel wide (Wu), clipped to the band.
 */
GIS_DRAWING_CLONES void
_gis_draw_line (const GisPixmap *pm, double x0, double y0, double x1, double y1,
                guint32 color)
{
  gboolean steep = fabs (y1 - y0) > fabs (x1 - x0);
  double dx, dy, gradient, inter, lo, hi;
  int xa, xb;

  wu_normalise (&x0, &y0, &x1, &y1, steep);
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

/* Small polygons, filled and outlined in one pass */

/**
 * _gis_outline_init:
 * @color: the outline's premultiplied colour (its alpha already includes the line's width
 *   under a pixel)
 *
 * Prepares an outline for _gis_draw_small_polygon(), once per symbol and band.
 */
void
_gis_outline_init (GisOutline *outline, guint32 color)
{
  guint32 a = color >> 24;

  outline->color = color;
  outline->opaque = 0xff000000u;
  for (int k = 0; a > 0 && k < 24; k += 8)
    outline->opaque |= MIN (255u, (((color >> k) & 255) * 255 + a / 2) / a) << k;
  /* The alpha a Wu step of coverage c (0..256) blends with: (alpha · c) >> 8, as
   * scale_px() works it out. */
  for (guint c = 0; c <= 256; c++)
    outline->alpha[c] = (float) ((a * c) >> 8) * (1.0f / 255);
}

/* A Wu line (the steps _gis_draw_line() takes) into a tile of inks whose cell (0, 0) is
 * pixel (tx, ty): a step of alpha a takes a cell's ink i to i + a (1 - i), as blending
 * does, so that blending the outline's opaque colour once with the final ink gives what
 * blending it at every step would, up to rounding. Worked out in image coordinates
 * (rounding half away from zero differs on either side of 0); the steps land inside the
 * tile for vertices on half pixels, and are kept there for any. */
G_ALWAYS_INLINE static inline void
wu_into_tile (float *tile, int stride, int tx, int ty, int w, int h, double x0, double y0,
              double x1, double y1, const float *alpha)
{
  gboolean steep = fabs (y1 - y0) > fabs (x1 - x0);
  double dx, gradient, inter;
  int xa, xb, lo, hi, major_lo, major_hi;
  gssize step_major, step_minor, origin = (gssize) ty * stride + tx;

  wu_normalise (&x0, &y0, &x1, &y1, steep);
  dx = x1 - x0;
  gradient = dx > 0 ? (y1 - y0) / dx : 1;
  xa = round_half_away (x0);
  xb = round_half_away (x1);
  inter = y0 + gradient * (xa - x0);
  /* Cells along and across the line, in image coordinates, and how far apart they are
   * in the tile. */
  if (steep)
    {
      major_lo = ty, major_hi = ty + h - 1, lo = tx, hi = tx + w - 2;
      step_major = stride, step_minor = 1;
    }
  else
    {
      major_lo = tx, major_hi = tx + w - 1, lo = ty, hi = ty + h - 2;
      step_major = 1, step_minor = stride;
    }
  for (int x = xa; x <= xb; x++, inter += gradient)
    {
      int iy = ifloor (inter);
      guint32 f = (guint32) ((inter - iy) * 256);
      float a0 = alpha[256 - f], a1 = alpha[f];
      float *c0, *c1;

      /* Always true for vertices on half pixels; kept for any. */
      if (G_UNLIKELY (x < major_lo || x > major_hi || iy < lo || iy > hi))
        continue;
      c0 = tile + (x * step_major + iy * step_minor - origin);
      c1 = c0 + step_minor;
      *c0 += a0 - *c0 * a0;
      *c1 += a1 - *c1 * a1;
    }
}

/* What a cell of the tile puts over the image: the fill at its coverage, the outline's
 * opaque colour over it at its ink. */
static inline guint32
tile_src (float coverage, float ink, guint32 fill, guint32 line)
{
  guint32 cov = coverage >= 0.998f ? 256 : (guint32) (coverage * 256 + 0.5f);
  guint32 k = (guint32) (ink * 256 + 0.5f);
  guint32 src = scale_px (fill, cov);

  return k == 0 ? src : scale_px (line, k) + scale_px (src, 256 - k);
}

#ifdef __SSE2__
/* Four cells of a row at once: tile_src() and blend_px(), channel by channel in 16 bits
 * (the same arithmetic, so the same pixels). */
static inline void
composite_4 (guint32 *px, const float *coverage, const float *ink, __m128i fill16,
             __m128i line16)
{
  const __m128i zero = _mm_setzero_si128 ();
  const __m128i c255 = _mm_set1_epi16 (255), c256 = _mm_set1_epi16 (256);
  const __m128i c128 = _mm_set1_epi16 (128), c257 = _mm_set1_epi16 (257);
  const __m128 abs_mask = _mm_castsi128_ps (_mm_set1_epi32 (0x7fffffff));
  __m128 c = _mm_and_ps (_mm_loadu_ps (coverage), abs_mask);
  __m128i cov = _mm_cvttps_epi32 (_mm_add_ps (_mm_mul_ps (c, _mm_set1_ps (256)),
                                              _mm_set1_ps (0.5f)));
  __m128i full = _mm_castps_si128 (_mm_cmpge_ps (c, _mm_set1_ps (0.998f)));
  __m128i k = _mm_cvttps_epi32 (_mm_add_ps (_mm_mul_ps (_mm_loadu_ps (ink),
                                                        _mm_set1_ps (256)),
                                            _mm_set1_ps (0.5f)));
  __m128i cov16, k16, dst, out[2];

  cov = _mm_or_si128 (_mm_and_si128 (full, _mm_set1_epi32 (256)), _mm_andnot_si128 (full, cov));
  if (_mm_movemask_epi8 (_mm_cmpeq_epi32 (_mm_or_si128 (cov, k), zero)) == 0xffff)
    return;
  /* Per pixel, its coverage and ink in each of its four channels. */
  cov16 = _mm_packs_epi32 (cov, cov);
  cov16 = _mm_unpacklo_epi16 (cov16, cov16);
  k16 = _mm_packs_epi32 (k, k);
  k16 = _mm_unpacklo_epi16 (k16, k16);
  dst = _mm_loadu_si128 ((const __m128i *) (gconstpointer) px);
  for (int half = 0; half < 2; half++)
    {
      __m128i cv = half ? _mm_unpackhi_epi32 (cov16, cov16) : _mm_unpacklo_epi32 (cov16, cov16);
      __m128i kv = half ? _mm_unpackhi_epi32 (k16, k16) : _mm_unpacklo_epi32 (k16, k16);
      __m128i d = half ? _mm_unpackhi_epi8 (dst, zero) : _mm_unpacklo_epi8 (dst, zero);
      __m128i src = _mm_srli_epi16 (_mm_mullo_epi16 (fill16, cv), 8);
      __m128i inv, t;

      src = _mm_add_epi16 (_mm_srli_epi16 (_mm_mullo_epi16 (line16, kv), 8),
                           _mm_srli_epi16 (_mm_mullo_epi16 (src, _mm_sub_epi16 (c256, kv)), 8));
      inv = _mm_sub_epi16 (c255, _mm_shufflehi_epi16 (_mm_shufflelo_epi16 (src, 0xff), 0xff));
      t = _mm_add_epi16 (_mm_mullo_epi16 (d, inv), c128);
      out[half] = _mm_add_epi16 (src, _mm_mulhi_epu16 (t, c257));
    }
  _mm_storeu_si128 ((__m128i *) (gpointer) px, _mm_packus_epi16 (out[0], out[1]));
}
#endif

/**
 * _gis_draw_small_polygon:
 * @xy: device coordinates snapped to half pixels, x0,y0,x1,y1..., rings one after
 *   another
 * @ring_sizes: the number of vertices of each ring
 * @paint: (nullable): the fill, or %NULL for none
 * @outline: (nullable): the outline, or %NULL for none
 * @scratch: a buffer the function may resize and reuse, for polygons too large for the
 *   stack
 *
 * Fills a polygon of a few dozen pixels and outlines it: the picture of
 * _gis_fill_polygon() followed by _gis_draw_line() along every edge, up to rounding,
 * for a fraction of the work. At these sizes an outline's steps outnumber the pixels of
 * the polygon, and blending each was most of the cost: here the fill's coverage and the
 * outline's ink are gathered in a tile first, and each pixel is blended once, four at a
 * time where the processor allows.
 */
GIS_DRAWING_CLONES void
_gis_draw_small_polygon (const GisPixmap *pm, const double *xy, const guint *ring_sizes,
                         guint n_rings, const GisPaint *paint, const GisOutline *outline,
                         GArray *scratch)
{
  double xmin = G_MAXDOUBLE, xmax = -G_MAXDOUBLE, ymin = G_MAXDOUBLE, ymax = -G_MAXDOUBLE;
  guint n = 0, at;
  int tx, ty, w, h, r0, r1, xs, xe;
  gsize cells;
  float local[2 * LOCAL_CELLS];
  float *acc, *ink;
  guint32 fill = paint != NULL ? paint->color : 0, line = outline != NULL ? outline->opaque : 0;
  gboolean solid = paint == NULL || paint->pattern == GIS_FILL_SOLID;

  for (guint r = 0; r < n_rings; r++)
    n += ring_sizes[r];
  if (n == 0 || (paint == NULL && outline == NULL))
    return;
  for (guint i = 0; i < n; i++)
    {
      xmin = MIN (xmin, xy[2 * i]);
      xmax = MAX (xmax, xy[2 * i]);
      ymin = MIN (ymin, xy[2 * i + 1]);
      ymax = MAX (ymax, xy[2 * i + 1]);
    }
  /* The tile: the polygon's box, a pixel more all round for the outline's steps, and a
   * column more on the right for the fill's spill-over. */
  tx = ifloor (xmin) - 1;
  ty = ifloor (ymin) - 1;
  /* Rounded up to whole groups of four cells: the extra cells have neither coverage nor
   * ink, and leave their pixels as they are. */
  w = (iceil (xmax) - tx + 2 + 3) & ~3;
  h = iceil (ymax) - ty + 2;
  r0 = MAX (ty, pm->y0);
  r1 = MIN (ty + h, pm->y1);
  if (r1 <= r0 || tx + w <= 0 || tx >= pm->width)
    return;
  cells = (gsize) w * h;
  if (cells <= LOCAL_CELLS)
    acc = local;
  else
    {
      g_array_set_size (scratch, (guint) (2 * cells * sizeof (float) /
                                          g_array_get_element_size (scratch) + 1));
      acc = (float *) (gpointer) scratch->data;
    }
  ink = acc + cells;
  memset (acc, 0, 2 * sizeof (float) * cells);

  at = 0;
  if (paint != NULL && n >= 3 && xmax > xmin && ymax > ymin)
    for (guint r = 0; r < n_rings; r++)
      {
        guint m = ring_sizes[r];
        const double *ring = xy + 2 * at;
        for (guint i = 0; i < m; i++)
          {
            guint j = i + 1 < m ? i + 1 : 0;
            accumulate_edge (acc, w, h, ring[2 * i] - tx, ring[2 * i + 1] - ty,
                             ring[2 * j] - tx, ring[2 * j + 1] - ty);
          }
        at += m;
      }
  at = 0;
  if (outline != NULL && (outline->color >> 24) > 0)
    for (guint r = 0; r < n_rings; r++)
      {
        guint m = ring_sizes[r];
        const double *ring = xy + 2 * at;
        for (guint i = 0; i + 1 < m; i++)
          wu_into_tile (ink, w, tx, ty, w, h, ring[2 * i], ring[2 * i + 1], ring[2 * i + 2],
                        ring[2 * i + 3], outline->alpha);
        if (m > 2)
          wu_into_tile (ink, w, tx, ty, w, h, ring[2 * (m - 1)], ring[2 * (m - 1) + 1],
                        ring[0], ring[1], outline->alpha);
        at += m;
      }

  /* Columns of the tile inside the image. */
  xs = CLAMP (-tx, 0, w);
  xe = MIN (w, pm->width - tx);
  for (int y = r0 - ty; y < r1 - ty; y++)
    {
      guint32 *row = (guint32 *) (gpointer) (pm->data + (gsize) (y + ty) * pm->stride);
      float *coverage = acc + (gsize) y * w;
      const float *inked = ink + (gsize) y * w;
      float sum = 0;
      int x = xs;

      /* The fill's coverage is the running sum along the row (columns left of the image
       * count too). */
      for (int i = 0; i < w; i++)
        {
          sum += coverage[i];
          coverage[i] = sum;
        }
#ifdef __SSE2__
      if (solid)
        {
          __m128i fill16 = _mm_unpacklo_epi8 (_mm_cvtsi32_si128 ((int) fill), _mm_setzero_si128 ());
          __m128i line16 = _mm_unpacklo_epi8 (_mm_cvtsi32_si128 ((int) line), _mm_setzero_si128 ());

          fill16 = _mm_unpacklo_epi64 (fill16, fill16);
          line16 = _mm_unpacklo_epi64 (line16, line16);
          for (; x + 4 <= xe; x += 4)
            composite_4 (row + x + tx, coverage + x, inked + x, fill16, line16);
        }
#endif
      for (; x < xe; x++)
        {
          float c = fabsf (coverage[x]);
          guint32 color = fill;

          if (c < 1.0f / 512 && inked[x] == 0)
            continue;
          if (!solid && !pattern_on (paint, x + tx, y + ty))
            color = paint->tint;
          row[x + tx] = blend_px (row[x + tx], tile_src (c, inked[x], color, line));
        }
    }
}

/**
 * _gis_over_row:
 * @background: when not 0, @dst is taken to hold this pixel all along (its memory is
 *   neither read nor needs to be)
 *
 * Composites @n premultiplied pixels of @src over @dst, as cairo's (pixman's) OVER does:
 * the same arithmetic, so the same pixels.
 */
GIS_DRAWING_CLONES void
_gis_over_row (guint32 *dst, const guint32 *src, int n, guint32 background)
{
  int x = 0;

#ifdef __SSE2__
  const __m128i zero = _mm_setzero_si128 ();
  const __m128i c255 = _mm_set1_epi16 (255), c128 = _mm_set1_epi16 (128);
  const __m128i c257 = _mm_set1_epi16 (257);

  for (; x + 4 <= n; x += 4)
    {
      __m128i s = _mm_loadu_si128 ((const __m128i *) (gconstpointer) (src + x));
      __m128i d, out[2];

      d = background != 0 ? _mm_set1_epi32 ((int) background)
                          : _mm_loadu_si128 ((const __m128i *) (gconstpointer) (dst + x));
      /* Nothing over these four: they stay. */
      if (_mm_movemask_epi8 (_mm_cmpeq_epi8 (s, zero)) == 0xffff)
        {
          if (background != 0)
            _mm_storeu_si128 ((__m128i *) (gpointer) (dst + x), d);
          continue;
        }
      for (int half = 0; half < 2; half++)
        {
          __m128i sv = half ? _mm_unpackhi_epi8 (s, zero) : _mm_unpacklo_epi8 (s, zero);
          __m128i dv = half ? _mm_unpackhi_epi8 (d, zero) : _mm_unpacklo_epi8 (d, zero);
          __m128i inv = _mm_sub_epi16 (c255, _mm_shufflehi_epi16 (_mm_shufflelo_epi16 (sv, 0xff),
                                                                  0xff));
          __m128i t = _mm_add_epi16 (_mm_mullo_epi16 (dv, inv), c128);
          out[half] = _mm_add_epi16 (sv, _mm_mulhi_epu16 (t, c257));
        }
      _mm_storeu_si128 ((__m128i *) (gpointer) (dst + x), _mm_packus_epi16 (out[0], out[1]));
    }
#endif
  for (; x < n; x++)
    {
      guint32 d = background != 0 ? background : dst[x];
      dst[x] = src[x] != 0 ? blend_px (d, src[x]) : d;
    }
}
