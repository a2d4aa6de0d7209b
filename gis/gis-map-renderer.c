/* gis-map-renderer.c: drawing map frames with cairo, off the UI thread
 *
 * A frame is drawn layer by layer into images of their own, which are kept in a cache
 * and composited; labels go on top. Speed comes from not asking cairo to do what a
 * pixel can do: at small scales most features are smaller than a pixel or two, and
 * those are plotted straight into the image instead of being filled and stroked.
 * Larger features are snapped to half pixels with repeated vertices dropped (a
 * level of detail that costs nothing to keep) and, up to a hundred pixels or so, filled
 * and outlined by our own scan converter (gis-rasterize.c); the largest are gathered
 * into one path per symbol and filled and stroked by cairo once. Each layer is drawn in
 * horizontal bands, a few per core, by whichever thread is free.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-map-renderer"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <gdal.h>

#include "gis-error.h"
#include "gis-map-renderer.h"
#include "gis-private.h"
#include "gis-render-private.h"

/* Features whose box on screen is smaller than this (device pixels) become one pixel. */
#define TINY_PX 3.0
#define MAX_LABELS 1500

/* The view, in device pixels: px = (x - ox) / res, py = (oy - y) / res. */
typedef struct {
  double ox;
  double oy;
  double res;
  int    width;
  int    height;
  double scale;
  GisEnvelope extent;
} View;

static void
view_init (View *v, GisMapSettings *s)
{
  v->scale = s->scale;
  v->width = (int) ceil (s->width * s->scale);
  v->height = (int) ceil (s->height * s->scale);
  v->res = s->resolution / s->scale;
  v->ox = s->center_x - v->width / 2.0 * v->res;
  v->oy = s->center_y + v->height / 2.0 * v->res;
  v->extent = (GisEnvelope) { v->ox, v->oy - v->height * v->res, v->ox + v->width * v->res,
                              v->oy };
}

/* Cache */

typedef struct {
  guint64          layer_key;
  double           ox, oy, res;
  int              width, height;
  cairo_surface_t *image;
  gsize            bytes;
} CacheEntry;

struct _GisRenderCache {
  GMutex  lock;
  GQueue  entries;   /* most recently used first */
  gsize   bytes;
  gsize   max_bytes;
};

/**
 * gis_render_cache_new:
 * @max_bytes: the most memory the cached images may take; the least recently used go first
 *
 * Returns: (transfer full): an empty cache
 */
GisRenderCache *
gis_render_cache_new (gsize max_bytes)
{
  GisRenderCache *cache = g_new0 (GisRenderCache, 1);

  g_mutex_init (&cache->lock);
  g_queue_init (&cache->entries);
  cache->max_bytes = max_bytes;
  return cache;
}

static void
entry_free (gpointer data)
{
  CacheEntry *e = data;

  cairo_surface_destroy (e->image);
  g_free (e);
}

void
gis_render_cache_clear (GisRenderCache *cache)
{
  g_return_if_fail (cache != NULL);
  g_mutex_lock (&cache->lock);
  g_queue_clear_full (&cache->entries, entry_free);
  cache->bytes = 0;
  g_mutex_unlock (&cache->lock);
}

void
gis_render_cache_free (GisRenderCache *cache)
{
  if (cache == NULL)
    return;
  gis_render_cache_clear (cache);
  g_mutex_clear (&cache->lock);
  g_free (cache);
}

gsize
gis_render_cache_get_size (GisRenderCache *cache)
{
  gsize bytes;

  g_return_val_if_fail (cache != NULL, 0);
  g_mutex_lock (&cache->lock);
  bytes = cache->bytes;
  g_mutex_unlock (&cache->lock);
  return bytes;
}

static gboolean
entry_matches (const CacheEntry *e, guint64 key, const View *v)
{
  return e->layer_key == key && e->ox == v->ox && e->oy == v->oy && e->res == v->res &&
         e->width == v->width && e->height == v->height;
}

static cairo_surface_t *
cache_lookup (GisRenderCache *cache, guint64 key, const View *v)
{
  cairo_surface_t *found = NULL;

  if (cache == NULL)
    return NULL;
  g_mutex_lock (&cache->lock);
  for (GList *l = cache->entries.head; l != NULL; l = l->next)
    {
      CacheEntry *e = l->data;
      if (entry_matches (e, key, v))
        {
          g_queue_unlink (&cache->entries, l);
          g_queue_push_head_link (&cache->entries, l);
          found = cairo_surface_reference (e->image);
          break;
        }
    }
  g_mutex_unlock (&cache->lock);
  return found;
}

static void
cache_store (GisRenderCache *cache, guint64 key, const View *v, cairo_surface_t *image)
{
  CacheEntry *e;

  if (cache == NULL)
    return;
  e = g_new0 (CacheEntry, 1);
  e->layer_key = key;
  e->ox = v->ox;
  e->oy = v->oy;
  e->res = v->res;
  e->width = v->width;
  e->height = v->height;
  e->image = cairo_surface_reference (image);
  e->bytes = (gsize) cairo_image_surface_get_stride (image) * v->height;

  g_mutex_lock (&cache->lock);
  g_queue_push_head (&cache->entries, e);
  cache->bytes += e->bytes;
  /* Two views per layer: the current one and the one before (toggling back and forth,
   * or an opacity change, reuse them). Older views of a layer are what a pan leaves
   * behind; their memory goes back to the pool for the next frame. */
  {
    guint seen = 0;
    GList *l = cache->entries.head;
    while (l != NULL)
      {
        GList *next = l->next;
        CacheEntry *old = l->data;
        if (old->layer_key == key && ++seen > 2)
          {
            cache->bytes -= old->bytes;
            entry_free (old);
            g_queue_delete_link (&cache->entries, l);
          }
        l = next;
      }
  }
  while (cache->bytes > cache->max_bytes && cache->entries.length > 1)
    {
      CacheEntry *old = g_queue_pop_tail (&cache->entries);
      cache->bytes -= old->bytes;
      entry_free (old);
    }
  g_mutex_unlock (&cache->lock);
}

/* Colour helpers */

static guint32
premultiply (const GisColor *c, double alpha)
{
  double a = CLAMP (c->a * alpha, 0.0, 1.0);
  guint32 A = (guint32) lround (a * 255);
  guint32 R = (guint32) lround (CLAMP (c->r, 0.0, 1.0) * a * 255);
  guint32 G = (guint32) lround (CLAMP (c->g, 0.0, 1.0) * a * 255);
  guint32 B = (guint32) lround (CLAMP (c->b, 0.0, 1.0) * a * 255);

  return (A << 24) | (R << 16) | (G << 8) | B;
}

static void
set_source (cairo_t *cr, const GisColor *c, double alpha)
{
  cairo_set_source_rgba (cr, c->r, c->g, c->b, c->a * alpha);
}

/* The colour a feature too small to show its outline is drawn with: its outline where it
 * has no fill, else its fill shaded towards the outline. */
static guint32
tiny_color (const GisSymbol *s)
{
  GisColor c = s->fill;

  if (s->pattern == GIS_FILL_NONE)
    c = s->stroke;
  else if (s->stroke_width > 0 && s->stroke.a > 0)
    c = (GisColor) { (c.r + s->stroke.r) / 2, (c.g + s->stroke.g) / 2, (c.b + s->stroke.b) / 2,
                     MAX (c.a, s->stroke.a) };
  return premultiply (&c, 1.0);
}

/* A pattern tile for hatched fills, in device pixels. */
static cairo_pattern_t *
pattern_for (const GisSymbol *s, double scale)
{
  int n = MAX (4, (int) lround (8 * scale));
  cairo_surface_t *tile = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, n, n);
  cairo_t *cr = cairo_create (tile);
  cairo_pattern_t *p;
  double w = MAX (1.0, scale);

  set_source (cr, &s->fill, 1.0);
  cairo_set_line_width (cr, w);
  switch (s->pattern)
    {
    case GIS_FILL_CROSS_HATCH:
      cairo_move_to (cr, 0, n);
      cairo_line_to (cr, n, 0);
      cairo_move_to (cr, -1, 1);
      cairo_line_to (cr, 1, -1);
      cairo_move_to (cr, n - 1, n + 1);
      cairo_line_to (cr, n + 1, n - 1);
      cairo_move_to (cr, 0, 0);
      cairo_line_to (cr, n, n);
      cairo_stroke (cr);
      break;
    case GIS_FILL_DOTS:
      cairo_arc (cr, n / 2.0, n / 2.0, MAX (1.0, n / 6.0), 0, 2 * G_PI);
      cairo_fill (cr);
      break;
    case GIS_FILL_HORIZONTAL:
      cairo_rectangle (cr, 0, n / 2.0 - w / 2, n, w);
      cairo_fill (cr);
      break;
    case GIS_FILL_HATCH:
    default:
      cairo_move_to (cr, 0, n);
      cairo_line_to (cr, n, 0);
      cairo_move_to (cr, -1, 1);
      cairo_line_to (cr, 1, -1);
      cairo_move_to (cr, n - 1, n + 1);
      cairo_line_to (cr, n + 1, n - 1);
      cairo_stroke (cr);
      break;
    }
  cairo_destroy (cr);
  p = cairo_pattern_create_for_surface (tile);
  cairo_pattern_set_extend (p, CAIRO_EXTEND_REPEAT);
  cairo_surface_destroy (tile);
  return p;
}

/* Fills and strokes the current path with @s. */
void
_gis_paint_symbol_path (cairo_t *cr, const GisSymbol *s, double scale, gboolean fill)
{
  if (fill && s->pattern != GIS_FILL_NONE)
    {
      if (s->pattern == GIS_FILL_SOLID)
        {
          set_source (cr, &s->fill, 1.0);
          cairo_fill_preserve (cr);
        }
      else
        {
          cairo_pattern_t *p = pattern_for (s, scale);
          set_source (cr, &s->fill, 0.22);
          cairo_fill_preserve (cr);
          cairo_set_source (cr, p);
          cairo_fill_preserve (cr);
          cairo_pattern_destroy (p);
        }
    }
  if (s->stroke_width > 0 && s->stroke.a > 0)
    {
      set_source (cr, &s->stroke, 1.0);
      cairo_set_line_width (cr, MAX (0.5, s->stroke_width * scale));
      if (s->dash)
        {
          double d[2] = { 5 * scale, 3 * scale };
          cairo_set_dash (cr, d, 2, 0);
        }
      cairo_stroke_preserve (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  cairo_new_path (cr);
}

/* Image memory */

/* Image memory is recycled: a frame needs a few images of several megabytes each, and
 * handing them back to the system after every frame costs more than drawing (page faults
 * to zero fresh memory, and TLB shootdowns across the drawing threads when it is
 * unmapped). A few buffers are kept for the next frames. */
#define POOL_KEEP 8

typedef struct {
  guint8 *data;
  gsize   size;
} PoolBuffer;

static GMutex pool_lock;
static GSList *pool;       /* PoolBuffer */
static guint pool_length;

static void
pool_release (gpointer data)
{
  PoolBuffer *b = data;

  g_mutex_lock (&pool_lock);
  if (pool_length < POOL_KEEP)
    {
      pool = g_slist_prepend (pool, b);
      pool_length++;
      b = NULL;
    }
  g_mutex_unlock (&pool_lock);
  if (b != NULL)
    {
      free (b->data);
      g_free (b);
    }
}

/* Memory for an image. Not cleared: whoever draws into it first clears it, in the
 * threads that draw, so that the page faults of fresh memory are shared by them.
 * Ordinary pages, not huge ones: on a virtual machine a fresh huge page was measured to
 * take up to tens of milliseconds to fault in, a whole image's worth of ordinary pages a
 * few milliseconds, every time. */
static guint8 *
image_alloc (gsize size)
{
  return malloc (MAX (size, 1));
}

static PoolBuffer *
pool_take (gsize size)
{
  PoolBuffer *found = NULL;

  g_mutex_lock (&pool_lock);
  for (GSList *l = pool; l != NULL; l = l->next)
    if (((PoolBuffer *) l->data)->size == size)
      {
        found = l->data;
        pool = g_slist_delete_link (pool, l);
        pool_length--;
        break;
      }
  g_mutex_unlock (&pool_lock);
  if (found != NULL)
    return found;
  found = g_new0 (PoolBuffer, 1);
  found->data = image_alloc (size);
  found->size = size;
  if (found->data == NULL)
    {
      g_free (found);
      return NULL;
    }
  return found;
}

static const cairo_user_data_key_t pool_key;

/* An image of the view; its pixels are undefined unless @clear. */
static cairo_surface_t *
new_image (const View *v, gboolean clear, GError **error)
{
  int stride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, v->width);
  PoolBuffer *b = stride > 0 ? pool_take ((gsize) stride * v->height) : NULL;
  cairo_surface_t *image;

  if (b == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "A %d × %d image could not be made: %s",
                   v->width, v->height, "out of memory");
      return NULL;
    }
  if (clear)
    memset (b->data, 0, (gsize) stride * v->height);
  image = cairo_image_surface_create_for_data (b->data, CAIRO_FORMAT_ARGB32, v->width,
                                               v->height, stride);
  if (cairo_surface_status (image) != CAIRO_STATUS_SUCCESS ||
      cairo_surface_set_user_data (image, &pool_key, b, pool_release) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "A %d × %d image could not be made: %s",
                   v->width, v->height, cairo_status_to_string (cairo_surface_status (image)));
      cairo_surface_destroy (image);
      pool_release (b);
      return NULL;
    }
  return image;
}

/* Vector layers */

/* Where a vector layer's bands put their rows once drawn: into the frame, over what
 * the frame holds (or over its background, painted first), so that compositing is
 * shared by the drawing threads too, and a fresh frame's memory is first touched by
 * them. */
typedef struct {
  guint8  *data;           /* the frame */
  int      stride;
  guint32  background;     /* premultiplied, as cairo paints it */
  gboolean paint_background;
  gboolean done;           /* set when the bands composited */
} FrameTarget;

typedef struct {
  /* Shared by the bands, read-only */
  const View       *view;
  GisVectorArrays   a;
  const guint16    *classes;
  GisStyle         *style;
  guint             n_symbols;
  guint8           *data;
  int               stride;
  GCancellable     *cancellable;
  FrameTarget      *target;       /* nullable */

  /* Per band */
  int               y0;
  int               y1;
  const guint      *order;        /* the features that may reach the band, grouped by
                                   * class, in layer order */
  const guint      *class_start;  /* n_symbols + 1 offsets into @order */
  guint             n_pixels;
} VectorBand;

/* Appends a part to the path in device pixels, snapped to half pixels, repeats dropped.
 * Returns the number of vertices kept. */
static guint
add_part_path (cairo_t *cr, const View *v, const double *x, const double *y, guint n,
               gboolean close)
{
  double lx = NAN, ly = NAN;
  guint kept = 0;
  const double inv = 1.0 / v->res;

  for (guint i = 0; i < n; i++)
    {
      double px = rint ((x[i] - v->ox) * inv * 2) * 0.5;
      double py = rint ((v->oy - y[i]) * inv * 2) * 0.5;
      if (px == lx && py == ly)
        continue;
      if (kept == 0)
        cairo_move_to (cr, px, py);
      else
        cairo_line_to (cr, px, py);
      lx = px;
      ly = py;
      kept++;
    }
  if (close && kept > 0)
    cairo_close_path (cr);
  return kept;
}

typedef enum {
  DRAW_SKIP,      /* outside the band */
  DRAW_PIXEL,     /* smaller than a pixel or two */
  DRAW_DIRECT,    /* small, thin outline: our own scan converter */
  DRAW_CAIRO,     /* large, thick or dashed: cairo */
} DrawHow;

/* Larger than this on screen (device pixels), a polygon goes to cairo; there are few
 * such at any one view. Up to it, each polygon is filled and outlined in turn by the
 * scan converter, as Mapnik and QGIS draw them: gathered into one cairo path per
 * symbol, a polygon's outline would show through the fill of those drawn after it, and
 * cairo's stroker costs more than the scan converter's outline at these sizes. */
#define DIRECT_MAX_PX 128.0

static DrawHow
how_to_draw (const VectorBand *b, const GisVFeature *f, double margin, gboolean thin)
{
  const View *v = b->view;
  const double inv = 1.0 / v->res;
  double x0 = (f->envelope.min_x - v->ox) * inv, x1 = (f->envelope.max_x - v->ox) * inv;
  double y0 = (v->oy - f->envelope.max_y) * inv, y1 = (v->oy - f->envelope.min_y) * inv;
  GisPartKind kind;

  if (f->n_parts == 0 || y1 < b->y0 - margin || y0 > b->y1 + margin)
    return DRAW_SKIP;
  kind = b->a.parts[f->first_part].kind;
  if (kind == GIS_PART_POINT)
    return DRAW_CAIRO;
  if (x1 - x0 < TINY_PX && y1 - y0 < TINY_PX)
    return DRAW_PIXEL;
  if (thin && (kind == GIS_PART_LINE ||
               (x1 - x0 < DIRECT_MAX_PX && y1 - y0 < DIRECT_MAX_PX)))
    return DRAW_DIRECT;
  return DRAW_CAIRO;
}

/* Snaps a part to half pixels into @xy (device coordinates, room for @n vertices),
 * dropping vertices closer than a pixel to the last one kept: the level of detail of the
 * current zoom, at no cost beyond the walk itself. The last vertex is always kept, so
 * rings stay closed. @tmp has room for 2 @n doubles. @near: every vertex is less than
 * 2^50 half pixels from the view's origin. */
static guint
snap_part (const View *v, const double *restrict x, const double *restrict y, guint n,
           gboolean near, double *restrict xy, double *restrict tmp)
{
  /* Doubling is exact: (x - ox) / res * 2 rounds as (x - ox) * (2 / res) does. */
  const double inv2 = 1.0 / v->res * 2, ox = v->ox, oy = v->oy;
  /* Adding and taking away 1.5 · 2^52 rounds a double under 2^51 to a whole number as
   * rint() does (to the nearest, ties to even), in two instructions that vectorise;
   * SSE2 has no rounding instruction. */
  const double magic = 6755399441055744.0;
  double *restrict px = tmp, *restrict py = tmp + n;
  double lx = NAN, ly = NAN;
  guint kept = 0;

  if (near)
    {
      guint i = 0;
#ifdef __SSE2__
      const __m128d vox = _mm_set1_pd (ox), voy = _mm_set1_pd (oy), vinv2 = _mm_set1_pd (inv2);
      const __m128d vmagic = _mm_set1_pd (magic), vhalf = _mm_set1_pd (0.5);

      for (; i + 2 <= n; i += 2)
        {
          __m128d a = _mm_mul_pd (_mm_sub_pd (_mm_loadu_pd (x + i), vox), vinv2);
          __m128d b = _mm_mul_pd (_mm_sub_pd (voy, _mm_loadu_pd (y + i)), vinv2);
          _mm_storeu_pd (px + i, _mm_mul_pd (_mm_sub_pd (_mm_add_pd (a, vmagic), vmagic), vhalf));
          _mm_storeu_pd (py + i, _mm_mul_pd (_mm_sub_pd (_mm_add_pd (b, vmagic), vmagic), vhalf));
        }
#endif
      for (; i < n; i++)
        {
          px[i] = (((x[i] - ox) * inv2 + magic) - magic) * 0.5;
          py[i] = (((oy - y[i]) * inv2 + magic) - magic) * 0.5;
        }
    }
  else
    for (guint i = 0; i < n; i++)
      {
        px[i] = rint ((x[i] - ox) * inv2) * 0.5;
        py[i] = rint ((oy - y[i]) * inv2) * 0.5;
      }
  for (guint i = 0; i < n; i++)
    {
      if (kept > 0 && fabs (px[i] - lx) < 1.0 && fabs (py[i] - ly) < 1.0 &&
          (i + 1 < n || (px[i] == lx && py[i] == ly)))
        continue;
      xy[2 * kept] = lx = px[i];
      xy[2 * kept + 1] = ly = py[i];
      kept++;
    }
  return kept;
}

static void
draw_direct (VectorBand *b, const GisPixmap *pm, const GisVFeature *f, const GisPaint *paint,
             gboolean fill, guint32 line_color, const GisOutline *outline, GArray *xy,
             GArray *sizes, GArray *scratch)
{
  const double *p;
  guint *n_kept;
  guint at = 0, total = 0;
  gboolean is_line = b->a.parts[f->first_part].kind == GIS_PART_LINE;
  const View *v = b->view;
  const double limit = 0x1p50 * v->res / 2;
  gboolean near = f->envelope.min_x - v->ox > -limit && f->envelope.max_x - v->ox < limit &&
                  v->oy - f->envelope.min_y < limit && v->oy - f->envelope.max_y > -limit;

  for (guint k = 0; k < f->n_parts; k++)
    total += b->a.parts[f->first_part + k].n;
  /* The snapped vertices, then room for snapping the largest part. */
  if (xy->len < 4 * total)
    g_array_set_size (xy, 4 * total);
  if (sizes->len < f->n_parts)
    g_array_set_size (sizes, f->n_parts);
  n_kept = (guint *) (gpointer) sizes->data;
  for (guint k = 0; k < f->n_parts; k++)
    {
      const GisVPart *part = &b->a.parts[f->first_part + k];
      n_kept[k] = snap_part (b->view, b->a.x + part->first, b->a.y + part->first, part->n,
                             near, (double *) (gpointer) xy->data + 2 * at,
                             (double *) (gpointer) xy->data + 2 * total);
      at += n_kept[k];
    }
  p = (const double *) (gpointer) xy->data;
  if (!is_line)
    {
      /* With an outline, coverage and ink are gathered first and each pixel blended
       * once; a fill alone is blended as it is found. */
      if (outline != NULL)
        _gis_draw_small_polygon (pm, p, n_kept, f->n_parts, fill ? paint : NULL, outline,
                                 scratch);
      else if (fill)
        _gis_fill_polygon (pm, p, n_kept, f->n_parts, paint, scratch);
      return;
    }
  if (line_color == 0)
    return;
  at = 0;
  for (guint k = 0; k < f->n_parts; k++)
    {
      guint n = n_kept[k];
      for (guint i = 0; i + 1 < n; i++)
        _gis_draw_line (pm, p[2 * (at + i)], p[2 * (at + i) + 1], p[2 * (at + i + 1)],
                        p[2 * (at + i + 1) + 1], line_color);
      if (!is_line && n > 2)
        _gis_draw_line (pm, p[2 * (at + n - 1)], p[2 * (at + n - 1) + 1], p[2 * at],
                        p[2 * at + 1], line_color);
      at += n;
    }
}

GIS_DRAWING_CLONES static void
draw_vector_band (VectorBand *b)
{
  const View *v = b->view;
  cairo_surface_t *surface;
  cairo_t *cr;
  const double inv = 1.0 / v->res;
  guint count = 0;
  GisPixmap pm = { b->data, b->stride, v->width, b->y0, b->y1 };
  g_autoptr(GArray) xy = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) scratch = g_array_new (FALSE, FALSE, 32);

  /* The image comes uncleared: each band clears its own rows, so that the first touch
   * of fresh memory (page faults) is shared by the drawing threads too. */
  memset (b->data + (gsize) b->y0 * b->stride, 0, (gsize) (b->y1 - b->y0) * b->stride);
  surface = cairo_image_surface_create_for_data (b->data + (gsize) b->y0 * b->stride,
                                                 CAIRO_FORMAT_ARGB32, v->width, b->y1 - b->y0,
                                                 b->stride);
  cr = cairo_create (surface);
  cairo_translate (cr, 0, -b->y0);
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_WINDING);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  for (guint k = 0; k < b->n_symbols; k++)
    {
      const GisSymbol *s = gis_style_get_symbol (b->style, k);
      guint32 tiny = tiny_color (s);
      double margin = MAX (s->marker_size, s->stroke_width) * v->scale + 2;
      double marker_r = s->marker_size * v->scale / 2;
      double stroke_px = s->stroke_width * v->scale;
      gboolean has_stroke = s->stroke_width > 0 && s->stroke.a > 0;
      gboolean thin = !s->dash && stroke_px <= 1.5;
      gboolean has_fill_path = FALSE, has_line_path = FALSE;
      guint32 marker_color = premultiply (s->pattern == GIS_FILL_NONE ? &s->stroke : &s->fill,
                                          1.0);
      GisPaint paint = { premultiply (&s->fill, 1.0), premultiply (&s->fill, 0.22), s->pattern,
                         MAX (4, (int) lround (8 * v->scale)), MAX (1, (int) lround (v->scale)) };
      guint32 line_color = 0, polyline_color;
      GisOutline outline;

      if (g_cancellable_is_cancelled (b->cancellable))
        break;
      if (has_stroke)
        line_color = premultiply (&s->stroke, MIN (1.0, MAX (stroke_px, 0.5)));
      _gis_outline_init (&outline, line_color);
      /* A line layer's colour is its stroke, at least half a pixel wide. */
      polyline_color = premultiply (&s->stroke, MIN (1.0, MAX (stroke_px, 0.5)));

      /* Pixels and small features first, straight into the image; then cairo's paths. */
      cairo_surface_flush (surface);
      for (guint o = b->class_start[k]; o < b->class_start[k + 1]; o++)
        {
          const GisVFeature *f = &b->a.features[b->order[o]];
          gboolean is_line;

          switch (how_to_draw (b, f, margin, thin))
            {
            case DRAW_SKIP:
              continue;
            case DRAW_PIXEL:
              {
                /* At least a pixel's worth, centred on the feature, so that nothing in
                 * view vanishes however small. */
                double x0 = (f->envelope.min_x - v->ox) * inv, x1 = (f->envelope.max_x - v->ox) * inv;
                double y0 = (v->oy - f->envelope.max_y) * inv, y1 = (v->oy - f->envelope.min_y) * inv;
                double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
                double hw = MAX (x1 - x0, 1.0) / 2, hh = MAX (y1 - y0, 1.0) / 2;
                gboolean line = b->a.parts[f->first_part].kind == GIS_PART_LINE;
                /* A blob inks about 3/4 of its box; spread over at least a pixel, and
                 * never fainter than a third, so small titles stay visible. */
                double density = line ? 1.0
                                      : MAX (0.35, 0.75 * (x1 - x0) * (y1 - y0) / (4 * hw * hh));
                _gis_splat_box (&pm, cx - hw, cy - hh, cx + hw, cy + hh, line ? polyline_color : tiny,
                                density);
                /* Counted by one band: the one its middle falls in (or the nearest). */
                if ((cy >= b->y0 || b->y0 == 0) && (cy < b->y1 || b->y1 == v->height))
                  b->n_pixels++;
              }
              break;
            case DRAW_DIRECT:
              is_line = b->a.parts[f->first_part].kind == GIS_PART_LINE;
              draw_direct (b, &pm, f, &paint, s->pattern != GIS_FILL_NONE,
                           is_line ? polyline_color : line_color,
                           line_color != 0 ? &outline : NULL, xy, sizes, scratch);
              break;
            case DRAW_CAIRO:
            default:
              if (b->a.parts[f->first_part].kind == GIS_PART_POINT && marker_r < 1.5)
                for (guint p = 0; p < f->n_parts; p++)
                  {
                    const GisVPart *part = &b->a.parts[f->first_part + p];
                    double px = (b->a.x[part->first] - v->ox) * inv;
                    double py = (v->oy - b->a.y[part->first]) * inv;
                    double r = MAX (marker_r, 0.5);
                    _gis_splat_box (&pm, px - r, py - r, px + r, py + r, marker_color, 1.0);
                  }
              else if (b->a.parts[f->first_part].kind == GIS_PART_LINE)
                has_line_path = TRUE;
              else
                has_fill_path = TRUE;
              break;
            }
          if ((++count & 4095) == 0 && g_cancellable_is_cancelled (b->cancellable))
            break;
        }
      cairo_surface_mark_dirty (surface);

      if (has_fill_path)
        {
          /* Large polygons and markers: one path, filled and stroked once. */
          for (guint o = b->class_start[k]; o < b->class_start[k + 1]; o++)
            {
              const GisVFeature *f = &b->a.features[b->order[o]];
              const GisVPart *first;

              if (how_to_draw (b, f, margin, thin) != DRAW_CAIRO)
                continue;
              first = &b->a.parts[f->first_part];
              if (first->kind == GIS_PART_POINT)
                {
                  if (marker_r < 1.5)
                    continue;
                  for (guint p = 0; p < f->n_parts; p++)
                    {
                      const GisVPart *part = &b->a.parts[f->first_part + p];
                      cairo_new_sub_path (cr);
                      cairo_arc (cr, (b->a.x[part->first] - v->ox) * inv,
                                 (v->oy - b->a.y[part->first]) * inv, marker_r, 0, 2 * G_PI);
                    }
                  continue;
                }
              if (first->kind == GIS_PART_LINE)
                continue;
              for (guint p = 0; p < f->n_parts; p++)
                {
                  const GisVPart *part = &b->a.parts[f->first_part + p];
                  add_part_path (cr, v, b->a.x + part->first, b->a.y + part->first, part->n,
                                 TRUE);
                }
            }
          _gis_paint_symbol_path (cr, s, v->scale, TRUE);
        }
      if (has_line_path)
        {
          GisSymbol line = *s;
          line.stroke_width = MAX (s->stroke_width, 0.5);
          for (guint o = b->class_start[k]; o < b->class_start[k + 1]; o++)
            {
              const GisVFeature *f = &b->a.features[b->order[o]];

              if (how_to_draw (b, f, margin, thin) != DRAW_CAIRO ||
                  b->a.parts[f->first_part].kind != GIS_PART_LINE)
                continue;
              for (guint p = 0; p < f->n_parts; p++)
                {
                  const GisVPart *part = &b->a.parts[f->first_part + p];
                  add_part_path (cr, v, b->a.x + part->first, b->a.y + part->first, part->n,
                                 FALSE);
                }
            }
          _gis_paint_symbol_path (cr, &line, v->scale, FALSE);
        }
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);
  if (b->target != NULL && !g_cancellable_is_cancelled (b->cancellable))
    for (int y = b->y0; y < b->y1; y++)
      {
        guint32 *dst = (guint32 *) (gpointer) (b->target->data + (gsize) y * b->target->stride);
        const guint32 *src = (const guint32 *) (gpointer) (b->data + (gsize) y * b->stride);

        if (b->target->paint_background && b->target->background == 0)
          memset (dst, 0, (gsize) v->width * 4);
        _gis_over_row (dst, src, v->width,
                       b->target->paint_background ? b->target->background : 0);
      }
}

/* Bands run on a pool shared by all frames. There are a few more bands than threads,
 * and each thread (the calling one too) takes the next band not yet taken: on a busy
 * machine a thread that gets less time draws fewer bands instead of holding up the
 * frame. */

typedef struct {
  VectorBand *bands;
  guint       n_bands;
  gint        next;      /* atomic: the next band to take */
  gsize       scratch;   /* when not 0, no layer image: each thread draws its bands in
                          * a buffer of this size, and they go to the frame from there */
  GMutex      lock;
  GCond       cond;
  guint       pending;   /* workers still running */
} BandSync;

static void
draw_bands (BandSync *sync)
{
  PoolBuffer *scratch = NULL;

  for (;;)
    {
      guint i = (guint) g_atomic_int_add (&sync->next, 1);
      VectorBand *b;

      if (i >= sync->n_bands)
        break;
      b = &sync->bands[i];
      if (sync->scratch > 0)
        {
          if (scratch == NULL && (scratch = pool_take (sync->scratch)) == NULL)
            {
              /* Out of memory: the band is left undrawn, the frame is cancelled. */
              g_cancellable_cancel (b->cancellable);
              continue;
            }
          /* Where row 0 would be: only the band's rows are ever touched. */
          b->data = (guint8 *) (gpointer) ((guintptr) scratch->data -
                                           (gsize) b->y0 * (gsize) b->stride);
        }
      draw_vector_band (b);
    }
  if (scratch != NULL)
    pool_release (scratch);
}

static void
band_worker (gpointer data, gpointer user_data)
{
  BandSync *sync = data;

  draw_bands (sync);
  g_mutex_lock (&sync->lock);
  sync->pending--;
  g_cond_signal (&sync->cond);
  g_mutex_unlock (&sync->lock);
}

static GThreadPool *
band_pool (void)
{
  static GThreadPool *threads;

  if (g_once_init_enter (&threads))
    {
      GThreadPool *p = g_thread_pool_new (band_worker, NULL,
                                          MAX (1, (int) g_get_num_processors () - 1), FALSE,
                                          NULL);
      g_once_init_leave (&threads, p);
    }
  return threads;
}

static guint
n_threads_for (void)
{
  return MIN (g_get_num_processors (), 8);
}

static guint
n_bands_for (const View *v)
{
  guint n = n_threads_for () == 1 ? 1 : 4 * n_threads_for ();

  return MAX (1u, MIN (n, (guint) v->height / 64));
}

static int
band_start (const View *v, guint n_bands, guint i)
{
  return (int) ((gint64) v->height * i / n_bands);
}

/* The band row @y (a pixel coordinate, maybe outside the frame) falls in. */
static guint
band_of (const View *v, guint n_bands, double y)
{
  guint i;

  if (!(y >= 0))
    return 0;
  if (y >= v->height)
    return n_bands - 1;
  i = MIN ((guint) (y * n_bands / v->height), n_bands - 1);
  while (i > 0 && y < band_start (v, n_bands, i))
    i--;
  while (i + 1 < n_bands && y >= band_start (v, n_bands, i + 1))
    i++;
  return i;
}

static gboolean
render_vector (GisLayerSnapshot *layer, const View *v, cairo_surface_t *image,
               FrameTarget *target, GisRenderStats *stats, GCancellable *cancellable,
               GError **error)
{
  VectorBand proto = { 0 };
  g_autoptr(GBytes) class_ref = NULL;
  g_autoptr(GArray) visible = NULL;
  g_autofree guint *order = NULL;      /* NULL: all features, in layer order */
  g_autofree guint *class_start = NULL;
  g_autofree guint *band_order = NULL;
  g_autofree guint *band_class_start = NULL;
  g_autofree guint8 *reach = NULL;
  g_autofree double *margins = NULL;
  g_autofree VectorBand *bands = NULL;
  GisEnvelope layer_extent, query;
  guint n_visible, n_bands, n_threads, n_entries;
  double margin;
  const double inv = 1.0 / v->res;
  BandSync sync = { 0 };

  g_assert (image != NULL || target != NULL);

  _gis_vector_layer_get_arrays (layer->vector, &proto.a);
  proto.data = image != NULL ? cairo_image_surface_get_data (image) : NULL;
  proto.stride = image != NULL ? cairo_image_surface_get_stride (image) : target->stride;
  if (proto.a.n_features == 0)
    {
      if (image != NULL)
        memset (proto.data, 0, (gsize) proto.stride * v->height);
      return TRUE;
    }
  proto.view = v;
  proto.style = layer->style;
  proto.n_symbols = gis_style_get_symbol_count (layer->style);
  proto.cancellable = cancellable;
  proto.classes = gis_style_get_kind (layer->style) == GIS_STYLE_SINGLE
                  ? NULL : _gis_vector_layer_classify (layer->vector, layer->style, &class_ref);

  /* Visible features, with a margin for markers and outlines. */
  margin = 0;
  margins = g_new (double, proto.n_symbols);
  for (guint k = 0; k < proto.n_symbols; k++)
    {
      const GisSymbol *s = gis_style_get_symbol (layer->style, k);
      margin = MAX (margin, MAX (s->marker_size, s->stroke_width));
      /* As draw_vector_band() reaches out of its band, plus a pixel. */
      margins[k] = MAX (s->marker_size, s->stroke_width) * v->scale + 3;
    }
  margin = (margin * v->scale + 2) * v->res;
  query = (GisEnvelope) { v->extent.min_x - margin, v->extent.min_y - margin,
                          v->extent.max_x + margin, v->extent.max_y + margin };
  gis_vector_layer_get_extent (layer->vector, &layer_extent);
  if (layer_extent.min_x >= query.min_x && layer_extent.max_x <= query.max_x &&
      layer_extent.min_y >= query.min_y && layer_extent.max_y <= query.max_y)
    {
      /* Everything is in view: the index would only cost time, and with one symbol
       * the features are drawn in the order they are stored, no list needed. */
      if (proto.classes != NULL)
        {
          visible = g_array_sized_new (FALSE, FALSE, sizeof (guint), proto.a.n_features);
          g_array_set_size (visible, proto.a.n_features);
          for (guint i = 0; i < proto.a.n_features; i++)
            g_array_index (visible, guint, i) = i;
        }
    }
  else
    {
      double layer_area = (layer_extent.max_x - layer_extent.min_x) *
                          (layer_extent.max_y - layer_extent.min_y);
      double view_area = (query.max_x - query.min_x) * (query.max_y - query.min_y);

      if (view_area > 0.1 * layer_area)
        {
          /* A large part of the layer is in view: a walk over the envelopes (a few
           * nanoseconds each, in storage order) beats the index and its sorted result. */
          visible = g_array_sized_new (FALSE, FALSE, sizeof (guint), proto.a.n_features);
          for (guint i = 0; i < proto.a.n_features; i++)
            if (gis_envelope_intersects (&proto.a.features[i].envelope, &query))
              g_array_append_val (visible, i);
        }
      else
        visible = gis_vector_layer_query (layer->vector, &query);
    }
  n_visible = visible != NULL ? visible->len : proto.a.n_features;
  if (n_visible == 0)
    {
      if (image != NULL)
        memset (proto.data, 0, (gsize) proto.stride * v->height);
      return TRUE;
    }

  /* Group by class, the style's order being the drawing order (a stable counting sort).
   * Within a class, features are drawn in the order the layer stores them, along a
   * Hilbert curve (gis-vector-layer.c): neighbours on screen are drawn one after another,
   * which keeps the pixels they touch in the CPU's caches. */
  class_start = g_new0 (guint, proto.n_symbols + 1);
  if (proto.classes == NULL)
    {
      /* A single style has one symbol, "other": every feature is drawn with it. */
      if (visible != NULL)
        order = g_memdup2 (visible->data, sizeof (guint) * n_visible);
      class_start[proto.n_symbols] = n_visible;
    }
  else
    {
      g_autofree guint *fill = g_new0 (guint, proto.n_symbols + 1);

      order = g_new (guint, n_visible);
      for (guint i = 0; i < n_visible; i++)
        class_start[MIN (proto.classes[g_array_index (visible, guint, i)],
                         proto.n_symbols - 1) + 1]++;
      for (guint k = 0; k < proto.n_symbols; k++)
        class_start[k + 1] += class_start[k];
      memcpy (fill, class_start, sizeof (guint) * (proto.n_symbols + 1));
      for (guint i = 0; i < n_visible; i++)
        {
          guint f = g_array_index (visible, guint, i);
          order[fill[MIN (proto.classes[f], proto.n_symbols - 1)]++] = f;
        }
    }
  g_clear_pointer (&visible, g_array_unref);

  /* Each band's own list of the features that may reach it (a feature across a band
   * border is in both), in drawing order: a band walks only its own features. */
  n_bands = n_bands_for (v);
  band_class_start = g_new0 (guint, (gsize) n_bands * proto.n_symbols + 1);
  reach = g_new (guint8, 2 * (gsize) n_visible);
  for (guint k = 0; k < proto.n_symbols; k++)
    for (guint o = class_start[k]; o < class_start[k + 1]; o++)
      {
        const GisVFeature *f = &proto.a.features[order != NULL ? order[o] : o];
        double y0 = (v->oy - f->envelope.max_y) * inv, y1 = (v->oy - f->envelope.min_y) * inv;
        guint b0 = band_of (v, n_bands, y0 - margins[k]);
        guint b1 = band_of (v, n_bands, y1 + margins[k]);

        reach[2 * o] = (guint8) b0;
        reach[2 * o + 1] = (guint8) b1;
        for (guint b = b0; b <= b1; b++)
          band_class_start[(gsize) b * proto.n_symbols + k + 1]++;
      }
  for (gsize i = 0; i < (gsize) n_bands * proto.n_symbols; i++)
    band_class_start[i + 1] += band_class_start[i];
  n_entries = band_class_start[(gsize) n_bands * proto.n_symbols];
  band_order = g_new (guint, MAX (n_entries, 1));
  {
    g_autofree guint *fill = g_memdup2 (band_class_start,
                                        sizeof (guint) * ((gsize) n_bands * proto.n_symbols));
    for (guint k = 0; k < proto.n_symbols; k++)
      for (guint o = class_start[k]; o < class_start[k + 1]; o++)
        for (guint b = reach[2 * o]; b <= reach[2 * o + 1]; b++)
          band_order[fill[(gsize) b * proto.n_symbols + k]++] = order != NULL ? order[o] : o;
  }

  if (image != NULL)
    cairo_surface_flush (image);
  proto.target = target;
  bands = g_new0 (VectorBand, n_bands);
  for (guint i = 0; i < n_bands; i++)
    {
      bands[i] = proto;
      bands[i].y0 = band_start (v, n_bands, i);
      bands[i].y1 = band_start (v, n_bands, i + 1);
      bands[i].order = band_order;
      bands[i].class_start = band_class_start + (gsize) i * proto.n_symbols;
    }
  sync.bands = bands;
  sync.n_bands = n_bands;
  if (image == NULL)
    for (guint i = 0; i < n_bands; i++)
      sync.scratch = MAX (sync.scratch, (gsize) (bands[i].y1 - bands[i].y0) * proto.stride);
  g_mutex_init (&sync.lock);
  g_cond_init (&sync.cond);
  n_threads = MIN (n_threads_for (), n_bands);
  sync.pending = n_threads - 1;
  for (guint i = 1; i < n_threads; i++)
    g_thread_pool_push (band_pool (), &sync, NULL);
  draw_bands (&sync);
  g_mutex_lock (&sync.lock);
  while (sync.pending > 0)
    g_cond_wait (&sync.cond, &sync.lock);
  g_mutex_unlock (&sync.lock);
  g_mutex_clear (&sync.lock);
  g_cond_clear (&sync.cond);
  if (image != NULL)
    cairo_surface_mark_dirty (image);
  if (target != NULL)
    target->done = TRUE;

  if (stats != NULL)
    {
      stats->n_features += n_visible;
      for (guint i = 0; i < n_bands; i++)
        stats->n_pixels += bands[i].n_pixels;
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* Rasters */

static void
raster_lut (GisLayerSnapshot *layer, GDALRasterBandH band, guint32 lut[256])
{
  GisStyle *style = layer->style;
  GDALColorTableH ct = GDALGetRasterColorTable (band);

  for (guint v = 0; v < 256; v++)
    {
      char text[8];
      guint k;
      GisColor c;

      g_snprintf (text, sizeof text, "%u", v);
      if (gis_style_get_kind (style) != GIS_STYLE_SINGLE)
        {
          k = gis_style_classify (style, text);
          c = gis_style_get_symbol (style, k)->fill;
          if (k == gis_style_get_n_classes (style) && ct != NULL &&
              v < (guint) GDALGetColorEntryCount (ct))
            {
              const GDALColorEntry *e = GDALGetColorEntry (ct, (int) v);
              c = (GisColor) { e->c1 / 255.0, e->c2 / 255.0, e->c3 / 255.0, e->c4 / 255.0 };
            }
        }
      else if (ct != NULL && v < (guint) GDALGetColorEntryCount (ct))
        {
          const GDALColorEntry *e = GDALGetColorEntry (ct, (int) v);
          c = (GisColor) { e->c1 / 255.0, e->c2 / 255.0, e->c3 / 255.0, e->c4 / 255.0 };
        }
      else
        c = (GisColor) { v / 255.0, v / 255.0, v / 255.0, 1 };
      lut[v] = premultiply (&c, 1.0);
    }
}

static guint32
value_color (GisLayerSnapshot *layer, double value, double lo, double hi)
{
  GisStyle *style = layer->style;
  GisColor c;

  if (gis_style_get_kind (style) != GIS_STYLE_SINGLE)
    {
      char text[G_ASCII_DTOSTR_BUF_SIZE];
      guint k;
      if (value == floor (value) && fabs (value) < 1e15)
        g_snprintf (text, sizeof text, "%.0f", value);
      else
        g_ascii_dtostr (text, sizeof text, value);
      k = gis_style_classify (style, text);
      c = gis_style_get_symbol (style, k)->fill;
    }
  else
    c = gis_palette_viridis (hi > lo ? (value - lo) / (hi - lo) : 0.5);
  return premultiply (&c, 1.0);
}

#define GRID 32

static gboolean
render_raster (GisLayerSnapshot *layer, GisCrs *map_crs, const View *v, cairo_surface_t *image,
               GCancellable *cancellable, GError **error)
{
  GisRaster *raster = layer->raster;
  g_autoptr(GisTransform) t = NULL;
  double gt[6];
  int gw = v->width / GRID + 2, gh = v->height / GRID + 2;
  g_autofree double *sx = NULL, *sy = NULL;
  double wx0 = G_MAXDOUBLE, wy0 = G_MAXDOUBLE, wx1 = -G_MAXDOUBLE, wy1 = -G_MAXDOUBLE;
  int rw = (int) gis_raster_get_width (raster), rh = (int) gis_raster_get_height (raster);
  int ix0, iy0, ix1, iy1, bw, bh;
  GDALDatasetH ds;
  GDALRasterBandH band;
  GDALDataType type;
  gboolean is_byte;
  g_autofree void *buffer = NULL;
  guint32 lut[256];
  double nodata = 0, lo = 0, hi = 1;
  gboolean has_nodata;
  guint8 *data;
  int stride;
  GDALRasterIOExtraArg extra;
  CPLErr err;

  gis_raster_get_geotransform (raster, gt);
  t = gis_transform_new (map_crs, gis_raster_get_crs (raster), error);
  if (t == NULL)
    return FALSE;

  /* Source pixel coordinates on a coarse grid of the frame; in between they are
   * interpolated (exact when no reprojection is involved). */
  sx = g_new (double, (gsize) gw * gh);
  sy = g_new (double, (gsize) gw * gh);
  for (int j = 0; j < gh; j++)
    for (int i = 0; i < gw; i++)
      {
        sx[j * gw + i] = v->ox + MIN (i * GRID, v->width) * v->res;
        sy[j * gw + i] = v->oy - MIN (j * GRID, v->height) * v->res;
      }
  if (!gis_transform_is_identity (t))
    gis_transform_points (t, sx, sy, (gsize) gw * gh, NULL);
  for (int k = 0; k < gw * gh; k++)
    {
      double col = (sx[k] - gt[0]) / gt[1], row = (sy[k] - gt[3]) / gt[5];
      if (!isfinite (col) || !isfinite (row))
        {
          sx[k] = sy[k] = NAN;
          continue;
        }
      sx[k] = col;
      sy[k] = row;
      wx0 = MIN (wx0, col);
      wx1 = MAX (wx1, col);
      wy0 = MIN (wy0, row);
      wy1 = MAX (wy1, row);
    }
  ix0 = (int) MAX (0.0, floor (wx0));
  iy0 = (int) MAX (0.0, floor (wy0));
  ix1 = (int) MIN ((double) rw, ceil (wx1));
  iy1 = (int) MIN ((double) rh, ceil (wy1));
  if (ix1 <= ix0 || iy1 <= iy0)
    return TRUE;

  /* Read the window at about the frame's resolution: GDAL takes the overview level that
   * fits and reads only its blocks. */
  {
    double per_px_x = (wx1 - wx0) / v->width, per_px_y = (wy1 - wy0) / v->height;
    double per_px = MAX (1.0, MIN (per_px_x, per_px_y));
    bw = MAX (1, (int) ceil ((ix1 - ix0) / per_px));
    bh = MAX (1, (int) ceil ((iy1 - iy0) / per_px));
    bw = MIN (bw, ix1 - ix0);
    bh = MIN (bh, iy1 - iy0);
  }

  _gis_raster_lock (raster);
  ds = _gis_raster_get_handle (raster);
  band = GDALGetRasterBand (ds, 1);
  type = GDALGetRasterDataType (band);
  is_byte = type == GDT_Byte;
  {
    int has = 0;
    nodata = GDALGetRasterNoDataValue (band, &has);
    has_nodata = has != 0;
  }
  if (is_byte)
    raster_lut (layer, band, lut);
  else if (gis_style_get_kind (layer->style) == GIS_STYLE_SINGLE)
    {
      double mm[2] = { 0, 1 };
      _gis_cpl_begin ();
      GDALComputeRasterMinMax (band, TRUE, mm);
      _gis_cpl_end (NULL, GIS_ERROR_IO, NULL);
      lo = mm[0];
      hi = mm[1];
    }
  buffer = g_malloc ((gsize) bw * bh * (is_byte ? 1 : sizeof (float)));
  INIT_RASTERIO_EXTRA_ARG (extra);
  extra.eResampleAlg = GRIORA_NearestNeighbour;
  _gis_cpl_begin ();
  err = GDALRasterIOEx (band, GF_Read, ix0, iy0, ix1 - ix0, iy1 - iy0, buffer, bw, bh,
                        is_byte ? GDT_Byte : GDT_Float32, 0, 0, &extra);
  if (err != CE_None)
    {
      g_autofree char *context = g_strdup_printf ("“%s”", gis_raster_get_path (raster));
      _gis_cpl_end (error, GIS_ERROR_IO, context);
      _gis_raster_unlock (raster);
      if (error != NULL && *error == NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s” could not be read",
                     gis_raster_get_path (raster));
      return FALSE;
    }
  _gis_cpl_end (NULL, GIS_ERROR_IO, NULL);
  _gis_raster_unlock (raster);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  cairo_surface_flush (image);
  data = cairo_image_surface_get_data (image);
  stride = cairo_image_surface_get_stride (image);
  {
    const double kx = (double) bw / (ix1 - ix0), ky = (double) bh / (iy1 - iy0);
    const guint8 *b8 = buffer;
    const float *bf = buffer;

    for (int y = 0; y < v->height; y++)
      {
        guint32 *row = (guint32 *) (gpointer) (data + (gsize) y * stride);
        int j = y / GRID;
        double fy = (double) (y - j * GRID) / GRID;

        for (int i = 0; i * GRID < v->width; i++)
          {
            const double *ax = &sx[j * gw + i], *ay = &sy[j * gw + i];
            /* Corners of this grid cell: left/right at this row. */
            double lx = ax[0] + (ax[gw] - ax[0]) * fy, ly = ay[0] + (ay[gw] - ay[0]) * fy;
            double rx = ax[1] + (ax[gw + 1] - ax[1]) * fy, ry = ay[1] + (ay[gw + 1] - ay[1]) * fy;
            int xe = MIN ((i + 1) * GRID, v->width);
            double dx = (rx - lx) / GRID, dy = (ry - ly) / GRID;
            double cx = lx + dx * 0.5, cy = ly + dy * 0.5;

            if (isnan (lx) || isnan (rx))
              continue;
            for (int x = i * GRID; x < xe; x++, cx += dx, cy += dy)
              {
                int bx, by;
                if (cx < ix0 || cy < iy0 || cx >= ix1 || cy >= iy1)
                  continue;
                bx = MIN ((int) ((cx - ix0) * kx), bw - 1);
                by = MIN ((int) ((cy - iy0) * ky), bh - 1);
                if (is_byte)
                  {
                    guint8 val = b8[(gsize) by * bw + bx];
                    if (has_nodata && val == nodata)
                      continue;
                    row[x] = lut[val];
                  }
                else
                  {
                    float val = bf[(gsize) by * bw + bx];
                    if (isnan (val) || (has_nodata && val == (float) nodata))
                      continue;
                    row[x] = value_color (layer, val, lo, hi);
                  }
              }
          }
      }
  }
  cairo_surface_mark_dirty (image);
  return TRUE;
}

/* Labels */

typedef struct {
  double x0, y0, x1, y1;
} Box;

static gboolean
box_free_of (const Box *b, GArray *placed)
{
  for (guint i = 0; i < placed->len; i++)
    {
      const Box *o = &g_array_index (placed, Box, i);
      if (b->x0 < o->x1 && o->x0 < b->x1 && b->y0 < o->y1 && o->y0 < b->y1)
        return FALSE;
    }
  return TRUE;
}

/* A point inside the feature's largest ring (its area-weighted centre when that lies
 * inside, else the middle of the widest horizontal run through it). */
static gboolean
label_anchor (const GisVectorArrays *a, guint feature, double *ax, double *ay)
{
  const GisVFeature *f = &a->features[feature];
  const GisVPart *best = NULL;
  double best_area = -1;

  for (guint p = 0; p < f->n_parts; p++)
    {
      const GisVPart *part = &a->parts[f->first_part + p];
      if (part->kind == GIS_PART_POINT)
        {
          *ax = a->x[part->first];
          *ay = a->y[part->first];
          return TRUE;
        }
      if (part->kind == GIS_PART_LINE)
        {
          guint mid = part->first + part->n / 2;
          *ax = a->x[mid];
          *ay = a->y[mid];
          return TRUE;
        }
      if (part->kind == GIS_PART_SHELL)
        {
          const double *x = a->x + part->first, *y = a->y + part->first;
          double area = 0;
          for (guint i = 0; i + 1 < part->n; i++)
            area += (x[i] - x[0]) * (y[i + 1] - y[0]) - (x[i + 1] - x[0]) * (y[i] - y[0]);
          if (fabs (area) > best_area)
            {
              best_area = fabs (area);
              best = part;
            }
        }
    }
  if (best == NULL || best_area <= 0)
    return FALSE;
  {
    const double *x = a->x + best->first, *y = a->y + best->first;
    double cx = 0, cy = 0, area = 0, mid_y, best_len = -1;
    gboolean inside = FALSE;

    for (guint i = 0; i + 1 < best->n; i++)
      {
        double cross = (x[i] - x[0]) * (y[i + 1] - y[0]) - (x[i + 1] - x[0]) * (y[i] - y[0]);
        area += cross;
        cx += (x[i] + x[i + 1] - 2 * x[0]) * cross;
        cy += (y[i] + y[i + 1] - 2 * y[0]) * cross;
      }
    cx = cx / (3 * area) + x[0];
    cy = cy / (3 * area) + y[0];
    for (guint i = 0, j = best->n - 1; i < best->n; j = i++)
      if ((y[i] > cy) != (y[j] > cy) && cx < (x[j] - x[i]) * (cy - y[i]) / (y[j] - y[i]) + x[i])
        inside = !inside;
    if (inside)
      {
        *ax = cx;
        *ay = cy;
        return TRUE;
      }
    /* Concave shape: the longest inside run along the horizontal through its middle. */
    mid_y = (f->envelope.min_y + f->envelope.max_y) / 2;
    {
      g_autoptr(GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint i = 0, j = best->n - 1; i < best->n; j = i++)
        if ((y[i] > mid_y) != (y[j] > mid_y))
          {
            double xi = (x[j] - x[i]) * (mid_y - y[i]) / (y[j] - y[i]) + x[i];
            g_array_append_val (xs, xi);
          }
      for (guint i = 1; i < xs->len; i++)
        for (guint k = i; k > 0 && g_array_index (xs, double, k - 1) >
                                   g_array_index (xs, double, k); k--)
          {
            double tmp = g_array_index (xs, double, k);
            g_array_index (xs, double, k) = g_array_index (xs, double, k - 1);
            g_array_index (xs, double, k - 1) = tmp;
          }
      for (guint i = 0; i + 1 < xs->len; i += 2)
        {
          double len = g_array_index (xs, double, i + 1) - g_array_index (xs, double, i);
          if (len > best_len)
            {
              best_len = len;
              *ax = (g_array_index (xs, double, i + 1) + g_array_index (xs, double, i)) / 2;
              *ay = mid_y;
            }
        }
    }
    return best_len > 0;
  }
}

static void
draw_labels (GisMapSettings *settings, const View *v, cairo_t *cr, GisRenderStats *stats)
{
  g_autoptr(GArray) placed = g_array_new (FALSE, FALSE, sizeof (Box));
  double size = 11 * v->scale, pad = 2 * v->scale;

  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, size);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  /* Top layers first: their labels win. */
  for (guint l = settings->layers->len; l > 0; l--)
    {
      GisLayerSnapshot *layer = g_ptr_array_index (settings->layers, l - 1);
      const char *field_name;
      int field;
      GisVectorArrays a;
      g_autoptr(GArray) visible = NULL;

      if (layer->vector == NULL || layer->opacity <= 0)
        continue;
      field_name = gis_style_get_label_field (layer->style);
      field = gis_vector_layer_find_field (layer->vector, field_name);
      if (field < 0)
        continue;
      _gis_vector_layer_get_arrays (layer->vector, &a);
      visible = gis_vector_layer_query (layer->vector, &v->extent);
      for (guint k = 0; k < visible->len; k++)
        {
          guint f = g_array_index (visible, guint, k);
          const char *text = gis_vector_layer_get_value (layer->vector, f, (guint) field);
          const GisVFeature *feat = &a.features[f];
          cairo_text_extents_t ext;
          double ax = 0, ay = 0, px, py, fw;
          gboolean is_point;
          Box box;

          if (text == NULL || *text == '\0' || feat->n_parts == 0)
            continue;
          if (placed->len >= MAX_LABELS)
            {
              stats->n_labels_dropped++;
              continue;
            }
          is_point = a.parts[feat->first_part].kind == GIS_PART_POINT;
          fw = (feat->envelope.max_x - feat->envelope.min_x) / v->res;
          if (!label_anchor (&a, f, &ax, &ay))
            continue;
          cairo_text_extents (cr, text, &ext);
          /* A polygon too small for its label on screen is left unlabelled. */
          if (!is_point && a.parts[feat->first_part].kind == GIS_PART_SHELL &&
              fw < ext.width * 0.6)
            continue;
          px = (ax - v->ox) / v->res;
          py = (v->oy - ay) / v->res;
          if (is_point)
            px += 6 * v->scale, py -= ext.y_bearing / 2;
          else
            px -= ext.width / 2 + ext.x_bearing, py -= ext.height / 2 + ext.y_bearing;
          box = (Box) { px + ext.x_bearing - pad, py + ext.y_bearing - pad,
                        px + ext.x_bearing + ext.width + pad,
                        py + ext.y_bearing + ext.height + pad };
          if (box.x1 < 0 || box.y1 < 0 || box.x0 > v->width || box.y0 > v->height)
            continue;
          if (!box_free_of (&box, placed))
            {
              stats->n_labels_dropped++;
              continue;
            }
          g_array_append_val (placed, box);
          cairo_move_to (cr, px, py);
          cairo_text_path (cr, text);
          cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
          cairo_set_line_width (cr, 3 * v->scale);
          cairo_stroke_preserve (cr);
          cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
          cairo_fill (cr);
          stats->n_labels++;
        }
    }
}

/* The frame */

/* Draws a layer or takes it from the cache. A vector layer drawn now goes straight into
 * the frame when @target is given; with no cache to keep it for, it then needs no image
 * of its own (*@image is %NULL), its bands passing through a buffer per thread. */
static gboolean
render_layer (GisMapSettings *settings, GisLayerSnapshot *layer, const View *v,
              GisRenderCache *cache, FrameTarget *target, cairo_surface_t **image,
              GisRenderStats *stats, GCancellable *cancellable, GError **error)
{
  gboolean ok;

  *image = cache_lookup (cache, layer->key, v);
  if (*image != NULL)
    {
      stats->n_cached++;
      return TRUE;
    }
  if (layer->vector == NULL || cache != NULL || target == NULL)
    {
      /* A vector layer's bands clear their own rows. */
      *image = new_image (v, layer->vector == NULL, error);
      if (*image == NULL)
        return FALSE;
    }
  if (layer->vector != NULL)
    ok = render_vector (layer, v, *image, target, stats, cancellable, error);
  else
    ok = render_raster (layer, settings->crs, v, *image, cancellable, error);
  if (!ok)
    {
      if (error != NULL && *error != NULL && !g_error_matches (*error, G_IO_ERROR,
                                                               G_IO_ERROR_CANCELLED))
        g_prefix_error (error, "Layer “%s”: ", layer->title ? layer->title : "");
      g_clear_pointer (image, cairo_surface_destroy);
      return FALSE;
    }
  stats->n_drawn++;
  if (*image != NULL)
    cache_store (cache, layer->key, v, *image);
  return TRUE;
}

/* The background replaces whatever the frame's memory held. */
static void
paint_background (cairo_t *cr, GisMapSettings *settings)
{
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  set_source (cr, &settings->background, 1.0);
  cairo_paint (cr);
  cairo_set_operator (cr, CAIRO_OPERATOR_OVER);
}

/* The background's pixel exactly as cairo paints it (its rounding, not ours). */
static guint32
background_pixel (const GisColor *c)
{
  guint32 pixel = 0;
  cairo_surface_t *one = cairo_image_surface_create_for_data ((unsigned char *) &pixel,
                                                              CAIRO_FORMAT_ARGB32, 1, 1, 4);
  cairo_t *cr = cairo_create (one);

  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  set_source (cr, c, 1.0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_finish (one);
  cairo_surface_destroy (one);
  return pixel;
}

/**
 * gis_map_render:
 * @cache: (nullable): images of layers from earlier frames, reused when nothing changed
 * @stats: (out caller-allocates) (optional): what was drawn
 *
 * Draws a frame. Blocking and thread-safe: the UI calls gis_map_render_async(), the CLI
 * and reports call this.
 *
 * Returns: (transfer full): an ARGB32 image of the frame in device pixels, or %NULL
 */
cairo_surface_t *
gis_map_render (GisMapSettings *settings, GisRenderCache *cache, GisRenderStats *stats,
                GCancellable *cancellable, GError **error)
{
  View v;
  cairo_surface_t *frame;
  cairo_t *cr;
  GisRenderStats local = { 0 };
  FrameTarget target = { 0 };

  g_return_val_if_fail (settings != NULL, NULL);

  view_init (&v, settings);
  frame = new_image (&v, FALSE, error);
  if (frame == NULL)
    return NULL;
  cr = cairo_create (frame);
  target.data = cairo_image_surface_get_data (frame);
  target.stride = cairo_image_surface_get_stride (frame);
  target.background = background_pixel (&settings->background);
  target.paint_background = TRUE;

  for (guint i = 0; i < settings->layers->len; i++)
    {
      GisLayerSnapshot *layer = g_ptr_array_index (settings->layers, i);
      cairo_surface_t *image = NULL;

      if (layer->opacity <= 0)
        continue;
      /* A layer drawn now at full strength is composited by its bands. */
      target.done = FALSE;
      cairo_surface_flush (frame);
      if (!render_layer (settings, layer, &v, cache, layer->opacity >= 1 ? &target : NULL,
                         &image, &local, cancellable, error))
        {
          cairo_destroy (cr);
          cairo_surface_destroy (frame);
          return NULL;
        }
      if (target.done)
        cairo_surface_mark_dirty (frame);
      else
        {
          if (target.paint_background)
            paint_background (cr, settings);
          if (image != NULL)
            {
              cairo_set_source_surface (cr, image, 0, 0);
              if (layer->opacity >= 1)
                cairo_paint (cr);
              else
                cairo_paint_with_alpha (cr, layer->opacity);
            }
        }
      target.paint_background = FALSE;
      g_clear_pointer (&image, cairo_surface_destroy);
    }
  if (target.paint_background)
    paint_background (cr, settings);
  if (settings->labels)
    draw_labels (settings, &v, cr, &local);
  cairo_destroy (cr);
  cairo_surface_set_device_scale (frame, settings->scale, settings->scale);
  if (stats != NULL)
    *stats = local;
  return frame;
}

typedef struct {
  GisMapSettings *settings;
  GisRenderCache *cache;
} RenderData;

static void
render_data_free (gpointer data)
{
  RenderData *d = data;

  gis_map_settings_unref (d->settings);
  g_free (d);
}

static void
render_worker (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RenderData *d = task_data;
  GError *error = NULL;
  cairo_surface_t *frame = gis_map_render (d->settings, d->cache, NULL, cancellable, &error);

  if (frame == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, frame, (GDestroyNotify) cairo_surface_destroy);
}

/**
 * gis_map_render_async:
 * @cache: (nullable): must outlive the render
 *
 * Draws a frame in a worker thread. Cancel @cancellable when a newer frame supersedes
 * this one.
 */
void
gis_map_render_async (GisMapSettings     *settings,
                      GisRenderCache     *cache,
                      GCancellable       *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  RenderData *d;

  g_return_if_fail (settings != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gis_map_render_async);
  g_task_set_return_on_cancel (task, FALSE);
  d = g_new0 (RenderData, 1);
  d->settings = gis_map_settings_ref (settings);
  d->cache = cache;
  g_task_set_task_data (task, d, render_data_free);
  g_task_run_in_thread (task, render_worker);
}

/**
 * gis_map_render_finish:
 *
 * Returns: (transfer full): the frame, or %NULL (cancelled frames give
 *   %G_IO_ERROR_CANCELLED)
 */
cairo_surface_t *
gis_map_render_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static cairo_status_t
write_png_cb (void *closure, const unsigned char *data, unsigned int length)
{
  GOutputStream *out = closure;

  return g_output_stream_write_all (out, data, length, NULL, NULL, NULL)
         ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/**
 * gis_surface_write_png:
 *
 * Writes the image to a temporary file next to @path and renames it into place, so
 * that @path is never left half-written.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_surface_write_png (cairo_surface_t *surface, const char *path, GError **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  cairo_status_t status;

  g_return_val_if_fail (surface != NULL && path != NULL, FALSE);

  file = g_file_new_for_path (path);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (out == NULL)
    return FALSE;
  status = cairo_surface_write_to_png_stream (surface, write_png_cb, out);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      /* Closing with a cancelled cancellable drops the temporary file and keeps @path. */
      g_autoptr(GCancellable) abort_write = g_cancellable_new ();
      g_cancellable_cancel (abort_write);
      g_output_stream_close (G_OUTPUT_STREAM (out), abort_write, NULL);
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s” could not be written: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}
