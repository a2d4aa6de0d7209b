/* gis-index.c: a packed Hilbert R-tree over envelopes
 *
 * The envelopes are sorted along a Hilbert curve through their centres and packed
 * bottom-up into nodes of NODE_SIZE: level 0 holds the envelopes themselves, each level
 * above the envelope of each run of NODE_SIZE below it. Nothing but the envelopes (32
 * bytes each, a sixteenth more for the nodes) and the item numbers is kept, so an index
 * over hundreds of thousands of shapes stays small, and a query walks plain arrays.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-index"

#include "gis-index.h"

#define NODE_SIZE 16

struct _GisIndex {
  GArray      *boxes;     /* GisEnvelope: inserted, then after the build every level */
  GArray      *items;     /* guint per envelope of level 0 */
  guint        n;         /* envelopes inserted */
  guint       *level_end; /* end of each level in boxes (level 0 first) */
  guint        n_levels;
  gboolean     built;
  GMutex       build_lock;
};

GisIndex *
gis_index_new (void)
{
  GisIndex *self = g_new0 (GisIndex, 1);

  self->boxes = g_array_new (FALSE, FALSE, sizeof (GisEnvelope));
  self->items = g_array_new (FALSE, FALSE, sizeof (guint));
  g_mutex_init (&self->build_lock);
  return self;
}

void
gis_index_free (GisIndex *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->boxes);
  g_array_unref (self->items);
  g_free (self->level_end);
  g_mutex_clear (&self->build_lock);
  g_free (self);
}

/**
 * gis_index_insert:
 * @item: the caller's number for this envelope (e.g. an array index)
 *
 * An empty envelope is not inserted.
 */
void
gis_index_insert (GisIndex *self, const GisEnvelope *envelope, guint item)
{
  g_return_if_fail (self != NULL && envelope != NULL);
  g_return_if_fail (!self->built);

  if (gis_envelope_is_empty (envelope))
    return;
  g_array_append_val (self->boxes, *envelope);
  g_array_append_val (self->items, item);
  self->n++;
}

guint
gis_index_get_size (GisIndex *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n;
}

/* The position of cell (x, y) of a 2^16 × 2^16 grid along the Hilbert curve that fills it
 * (the rotate-and-flip construction, one bit of each coordinate per step). */
static guint32
hilbert_d (guint32 x, guint32 y)
{
  guint32 d = 0;

  for (guint32 s = 1u << 15; s > 0; s >>= 1)
    {
      guint32 rx = (x & s) > 0, ry = (y & s) > 0;

      d += s * s * ((3 * rx) ^ ry);
      if (ry == 0)
        {
          if (rx == 1)
            {
              /* Flips the bits below s (the higher ones are not looked at again). */
              x = s - 1 - x;
              y = s - 1 - y;
            }
          {
            guint32 t = x;
            x = y;
            y = t;
          }
        }
    }
  return d;
}

/**
 * gis_hilbert_index:
 * @extent: the extent the curve fills (points outside it are clamped to its edges)
 *
 * Returns: the position of the point (@x, @y) along a Hilbert curve through @extent, on a
 *   2^16 × 2^16 grid: points near each other in space mostly get near numbers, so sorting
 *   shapes by the number of their centre groups neighbours together.
 */
guint32
gis_hilbert_index (double x, double y, const GisEnvelope *extent)
{
  double w = extent->max_x - extent->min_x, h = extent->max_y - extent->min_y;
  double fx = w > 0 ? (x - extent->min_x) / w : 0, fy = h > 0 ? (y - extent->min_y) / h : 0;

  fx = fx > 0 ? MIN (fx, 1) : 0;   /* NaN too becomes 0 */
  fy = fy > 0 ? MIN (fy, 1) : 0;
  return hilbert_d ((guint32) (fx * 65535), (guint32) (fy * 65535));
}

typedef struct {
  guint32 d;
  guint   k;
} Keyed;

static int
compare_keyed (gconstpointer a, gconstpointer b)
{
  const Keyed *x = a, *y = b;

  if (x->d != y->d)
    return x->d < y->d ? -1 : 1;
  return x->k < y->k ? -1 : x->k > y->k;   /* ties keep their order: a stable layout */
}

/**
 * gis_hilbert_sort:
 * @box_of: the envelope of item @i
 * @extent: (nullable): the extent the curve fills; %NULL for that of the items
 *
 * Orders items 0 … @n − 1 along a Hilbert curve through the centres of their envelopes (an
 * empty envelope counts as the extent's lower left corner); ties keep their order.
 *
 * Returns: (transfer full) (array length=n): the items in that order
 */
guint *
gis_hilbert_sort (guint n, GisEnvelopeFunc box_of, gpointer data, const GisEnvelope *extent)
{
  GisEnvelope all = GIS_ENVELOPE_EMPTY;
  g_autofree Keyed *keys = g_new (Keyed, MAX (n, 1));
  guint *order = g_new (guint, MAX (n, 1));

  if (extent == NULL)
    {
      for (guint i = 0; i < n; i++)
        gis_envelope_expand (&all, box_of (data, i));
      extent = &all;
    }
  for (guint i = 0; i < n; i++)
    {
      const GisEnvelope *e = box_of (data, i);
      keys[i].d = gis_envelope_is_empty (e) || gis_envelope_is_empty (extent)
                    ? 0 : gis_hilbert_index (e->min_x / 2 + e->max_x / 2,
                                             e->min_y / 2 + e->max_y / 2, extent);
      keys[i].k = i;
    }
  qsort (keys, n, sizeof (Keyed), compare_keyed);
  for (guint i = 0; i < n; i++)
    order[i] = keys[i].k;
  return order;
}

static const GisEnvelope *
inserted_box (gpointer data, guint i)
{
  return &g_array_index ((GArray *) data, GisEnvelope, i);
}

/**
 * gis_index_build:
 *
 * Packs the tree. Queries build it when needed; after it, queries from several threads at
 * once are safe. Nothing may be inserted any more.
 */
void
gis_index_build (GisIndex *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->build_lock);
  if (!self->built)
    {
      guint n = self->n, levels = 1, m = n;
      g_autofree guint *order = gis_hilbert_sort (n, inserted_box, self->boxes, NULL);
      GArray *boxes, *items;
      guint start = 0;

      while (m > 1)
        {
          m = (m + NODE_SIZE - 1) / NODE_SIZE;
          levels++;
        }
      boxes = g_array_sized_new (FALSE, FALSE, sizeof (GisEnvelope), n + n / (NODE_SIZE - 1) + levels);
      items = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
      for (guint i = 0; i < n; i++)
        {
          g_array_append_val (boxes, g_array_index (self->boxes, GisEnvelope, order[i]));
          g_array_append_val (items, g_array_index (self->items, guint, order[i]));
        }
      self->level_end = g_new (guint, levels);
      self->n_levels = levels;
      self->level_end[0] = n;
      for (guint l = 1; l < levels; l++)
        {
          guint end = self->level_end[l - 1];
          for (guint i = start; i < end; i += NODE_SIZE)
            {
              GisEnvelope node = GIS_ENVELOPE_EMPTY;
              for (guint j = i; j < MIN (i + NODE_SIZE, end); j++)
                gis_envelope_expand (&node, &g_array_index (boxes, GisEnvelope, j));
              g_array_append_val (boxes, node);
            }
          start = end;
          self->level_end[l] = boxes->len;
        }
      g_array_unref (self->boxes);
      g_array_unref (self->items);
      self->boxes = boxes;
      self->items = items;
      self->built = TRUE;
    }
  g_mutex_unlock (&self->build_lock);
}

static int
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  return x < y ? -1 : x > y;
}

/**
 * gis_index_query_into:
 * @hits: (element-type guint): where the items are appended
 *
 * Appends the items whose envelope meets @envelope (edges and corners count), in no
 * particular order.
 */
void
gis_index_query_into (GisIndex *self, const GisEnvelope *envelope, GArray *hits)
{
  const GisEnvelope *boxes;
  guint stack[64 * NODE_SIZE];   /* nodes waiting: (levels − 1) × (NODE_SIZE − 1) + 1 at most */
  guint top = 0;

  g_return_if_fail (self != NULL && envelope != NULL && hits != NULL);

  if (gis_envelope_is_empty (envelope))
    return;
  gis_index_build (self);
  if (self->n == 0)
    return;
  boxes = (const GisEnvelope *) (gpointer) self->boxes->data;
  /* A node is given by the position of its first child; the root's children are the
   * whole top level. Entries of level l (≥ 1) at position p have children at level l − 1
   * starting at level_start(l − 1) + (p − level_start(l)) × NODE_SIZE. */
  {
    guint l = self->n_levels - 1;
    guint begin = l == 0 ? 0 : self->level_end[l - 1];
    for (guint p = begin; p < self->level_end[l]; p++)
      stack[top++] = p;
  }
  while (top > 0)
    {
      guint p = stack[--top];
      guint l = 0;

      if (!gis_envelope_intersects (&boxes[p], envelope))
        continue;
      while (p >= self->level_end[l])
        l++;
      if (l == 0)
        {
          g_array_append_val (hits, g_array_index (self->items, guint, p));
          continue;
        }
      {
        guint level_start = l == 1 ? 0 : self->level_end[l - 2];
        guint first = level_start + (p - self->level_end[l - 1]) * NODE_SIZE;
        guint last = MIN (first + NODE_SIZE, self->level_end[l - 1]);
        for (guint c = first; c < last; c++)
          stack[top++] = c;
      }
    }
}

/**
 * gis_index_query:
 *
 * Returns: (transfer full) (element-type guint): the items whose envelope meets @envelope
 *   (edges and corners count), in ascending order
 */
GArray *
gis_index_query (GisIndex *self, const GisEnvelope *envelope)
{
  GArray *result;

  g_return_val_if_fail (self != NULL && envelope != NULL, NULL);

  result = g_array_new (FALSE, FALSE, sizeof (guint));
  gis_index_query_into (self, envelope, result);
  g_array_sort (result, compare_uint);
  return result;
}
