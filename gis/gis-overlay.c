/* gis-overlay.c: exact overlay of many targets against one prepared set of polygons
 *
 * One STR-tree over the cutters. Per target, the rings of the cutters whose boxes meet it,
 * cut to a box a little larger than the target's, go with the target into one integer sweep
 * (Clipper, gis-clip.cpp): the target minus, or intersected with, their union, in one pass
 * with no union built first. The grid is local to the target (about 1e-9 of its size); the
 * target's and the cutters' own points come back bit for bit, only new crossings are grid
 * points. A result GEOS finds invalid (a ring touching itself at a point) and anything the
 * sweep cannot take is done in floating point with GEOS instead: a prepared "intersects",
 * every cutter clipped to the target's box (GEOSClipByRect), one union and one difference,
 * never a sequence of differences (PERFORMANCE.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-overlay"

#include <math.h>
#include <string.h>

#include "gis-clip-private.h"
#include "gis-locator-private.h"
#include "gis-index.h"
#include "gis-overlay.h"
#include "gis-private.h"

struct _GisOverlay {
  /* Owned. The geometries and the tree belong to @handle's context; once built they are
   * only read, which GEOS allows from any thread and context. */
  GEOSContextHandle_t  handle;
  GPtrArray           *geoms;   /* GEOSGeometry* */
  GArray              *boxes;   /* GisEnvelope */
  GisIndex            *tree;
  GArray              *is_rect;  /* gboolean per cutter: an axis-aligned rectangle */
  GArray              *family;   /* guint per cutter: 0, or a set of disjoint cutters */
  GPtrArray           *prepared; /* const GEOSPreparedGeometry*, made on first need */
  GMutex               prepare_lock;
  GMutex               geos_lock;   /* making a cutter's GEOS geometry */
  GPtrArray           *cutters;  /* GisGeometry* */
  GisLocator          *locator;  /* made on first need, under locator_lock */
  GMutex               locator_lock;
  /* The cutters' polygon rings for the integer overlay, read in place in the cutters' WKB
   * (no copy of their points is kept). Cutter k owns rings ring_start[k] .. [k + 1] - 1. */
  GArray              *rings;      /* CutterRing */
  GArray              *ring_start; /* guint, one more than there are cutters */
  GArray              *chunk_boxes; /* GisEnvelope per run of CHUNK edges of a long ring */
  gboolean             float_only;  /* tests: no integer sweep */
};

typedef struct {
  const guint8 *pts;     /* its first point in the cutter's WKB (x, y doubles, unaligned) */
  guint         n;       /* points, the closing one left out */
  guint         chunk;   /* its first chunk's box in chunk_boxes, when n > CHUNK */
  gboolean      reverse; /* read backwards, so that shells turn counter-clockwise and
                          * holes clockwise (the non-zero rule then reads overlapping
                          * cutters as their union) */
  GisEnvelope   box;
} CutterRing;

static inline void
wkb_point (const guint8 *pts, guint i, double xy[2])
{
  _gis_wkb_points (pts, i, 1, xy);
}

/* A long ring is kept as runs of CHUNK edges with their boxes: a run wholly beyond one side
 * of the box a ring is cut to is passed as its first point only (the chord stays beyond
 * that side too, so the winding number inside the box does not change), and cutting a
 * long river buffer to a deposit's box reads a few runs, not every point. */
#define CHUNK 32

/* A cadastral title made of one cell is an axis-aligned rectangle; cutting by it needs no
 * general overlay (GEOSClipByRect is an order of magnitude faster). */
static gboolean
is_axis_rectangle (GisGeometry *g)
{
  gsize len;
  const guint8 *wkb = gis_geometry_peek_wkb (g, &len);
  GisEnvelope e;
  double xy[10];
  const guint8 *p;
  guint32 type, n;

  if (len < 9)
    return FALSE;
  memcpy (&type, wkb + 1, 4);
  p = wkb + 5;
  if (type == GIS_GEOMETRY_MULTIPOLYGON)
    {
      memcpy (&n, p, 4);
      if (n != 1 || len < 9 + 9)
        return FALSE;
      p += 4 + 5;
      memcpy (&type, p - 4, 4);
    }
  if (type != GIS_GEOMETRY_POLYGON || (gsize) (p - wkb) + 8 + 80 > len)
    return FALSE;
  memcpy (&n, p, 4);
  if (n != 1)
    return FALSE;
  memcpy (&n, p + 4, 4);
  if (n != 5)
    return FALSE;
  memcpy (xy, p + 8, 80);
  gis_geometry_get_envelope (g, &e);
  for (guint i = 0; i < 4; i++)
    {
      double x = xy[2 * i], y = xy[2 * i + 1];
      if ((x != e.min_x && x != e.max_x) || (y != e.min_y && y != e.max_y))
        return FALSE;
      /* Each edge is horizontal or vertical. */
      if (xy[2 * i + 2] != x && xy[2 * i + 3] != y)
        return FALSE;
    }
  return e.max_x > e.min_x && e.max_y > e.min_y;
}

/* GEOS computes envelopes lazily and caches them in the geometry: two threads computing the
 * same one at once would race. Compute every ring's envelope now. */
static void
force_envelopes (GEOSContextHandle_t h, const GEOSGeometry *g)
{
  int type = GEOSGeomTypeId_r (h, g);
  double v;

  if (type == GEOS_POLYGON)
    {
      int n = GEOSGetNumInteriorRings_r (h, g);
      const GEOSGeometry *shell = GEOSGetExteriorRing_r (h, g);
      if (shell != NULL)
        GEOSGeom_getXMin_r (h, shell, &v);
      for (int i = 0; i < n; i++)
        GEOSGeom_getXMin_r (h, GEOSGetInteriorRingN_r (h, g, i), &v);
    }
  else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION)
    {
      int n = GEOSGetNumGeometries_r (h, g);
      for (int i = 0; i < n; i++)
        force_envelopes (h, GEOSGetGeometryN_r (h, g, i));
    }
  if (!GEOSisEmpty_r (h, g))
    GEOSGeom_getXMin_r (h, g, &v);
}

/* Keeps a cutter ring for the integer overlay. */
static void
store_ring_cb (guint polygon, guint ring, const guint8 *pts, guint n, gpointer user_data)
{
  GisOverlay *self = user_data;
  CutterRing r = { pts, 0, 0, FALSE, GIS_ENVELOPE_EMPTY };
  double twice_area = 0, first[2], last[2], p[2], q[2];

  if (n < 3)
    return;
  wkb_point (pts, 0, first);
  wkb_point (pts, n - 1, last);
  if (first[0] == last[0] && first[1] == last[1])
    n--;
  if (n < 3)
    return;
  for (guint i = 0; i < n; i++)
    {
      wkb_point (pts, i, p);
      wkb_point (pts, i + 1 == n ? 0 : i + 1, q);
      twice_area += (p[0] - first[0]) * (q[1] - first[1]) - (q[0] - first[0]) * (p[1] - first[1]);
      gis_envelope_add_point (&r.box, p[0], p[1]);
    }
  r.reverse = (ring == 0) ? twice_area < 0 : twice_area > 0;
  r.n = n;
  r.chunk = self->chunk_boxes->len;
  if (n > CHUNK)
    for (guint a = 0; a < n; a += CHUNK)
      {
        GisEnvelope b = GIS_ENVELOPE_EMPTY;

        /* The run's edges: points a .. a + CHUNK, the last one the next run's first. */
        for (guint i = a; i <= a + CHUNK && i <= n; i++)
          {
            wkb_point (pts, i % n, p);
            gis_envelope_add_point (&b, p[0], p[1]);
          }
        g_array_append_val (self->chunk_boxes, b);
      }
  g_array_append_val (self->rings, r);
}

static void
message_cb (const char *message, void *user_data)
{
  g_debug ("GEOS: %s", message);
}

/**
 * gis_overlay_new:
 * @cutters: (element-type GisGeometry): the polygons to overlay against; lines and points
 *   are ignored
 *
 * Returns: (transfer full): the prepared set
 */
GisOverlay *
gis_overlay_new (GPtrArray *cutters, GError **error)
{
  return gis_overlay_new_full (cutters, NULL, error);
}

/**
 * gis_overlay_new_full:
 * @families: (array) (nullable): per cutter, 0, or the number of a family of cutters that
 *   are known not to overlap one another nor to share an edge (they may touch at points:
 *   the regions of a raster mask polygonized together)
 *
 * Cutters of one family need no union among themselves: they go into the overlay as one
 * MultiPolygon, which saves most of the work when they are many and small (pixels).
 *
 * Returns: (transfer full): the prepared set
 */
GisOverlay *
gis_overlay_new_full (GPtrArray *cutters, const guint *families, GError **error)
{
  GisOverlay *self;

  g_return_val_if_fail (cutters != NULL, NULL);

  self = g_new0 (GisOverlay, 1);
  self->handle = GEOS_init_r ();
  GEOSContext_setErrorMessageHandler_r (self->handle, message_cb, NULL);
  self->geoms = g_ptr_array_new ();
  self->boxes = g_array_new (FALSE, FALSE, sizeof (GisEnvelope));
  self->tree = gis_index_new ();
  self->is_rect = g_array_new (FALSE, FALSE, sizeof (gboolean));
  self->family = g_array_new (FALSE, TRUE, sizeof (guint));
  g_array_set_size (self->family, cutters->len);
  if (families != NULL)
    memcpy (self->family->data, families, cutters->len * sizeof (guint));
  self->prepared = g_ptr_array_new ();
  g_mutex_init (&self->prepare_lock);
  g_mutex_init (&self->geos_lock);
  self->cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  g_mutex_init (&self->locator_lock);
  self->rings = g_array_new (FALSE, FALSE, sizeof (CutterRing));
  self->ring_start = g_array_new (FALSE, FALSE, sizeof (guint));
  self->chunk_boxes = g_array_new (FALSE, FALSE, sizeof (GisEnvelope));
  for (guint i = 0; i < cutters->len; i++)
    {
      GisGeometry *c = g_ptr_array_index (cutters, i);
      GisEnvelope e;

      gis_geometry_get_envelope (c, &e);
      {
        gboolean rect = is_axis_rectangle (c);
        g_array_append_val (self->is_rect, rect);
      }
      g_ptr_array_add (self->geoms, NULL);   /* made on first need, see cutter_geos () */
      g_ptr_array_add (self->cutters, gis_geometry_ref (c));
      g_array_append_val (self->ring_start, self->rings->len);
      _gis_geometry_foreach_raw_ring (c, store_ring_cb, self);
      g_array_append_val (self->boxes, e);
      gis_index_insert (self->tree, &e, i);
    }
  g_array_append_val (self->ring_start, self->rings->len);
  gis_index_build (self->tree);
  return self;
}

void
gis_overlay_free (GisOverlay *self)
{
  if (self == NULL)
    return;
  gis_index_free (self->tree);
  for (guint i = 0; i < self->geoms->len; i++)
    if (g_ptr_array_index (self->geoms, i) != NULL)
      GEOSGeom_destroy_r (self->handle, g_ptr_array_index (self->geoms, i));
  g_ptr_array_unref (self->geoms);
  g_array_unref (self->boxes);
  g_array_unref (self->is_rect);
  g_array_unref (self->family);
  for (guint i = 0; i < self->prepared->len; i++)
    if (g_ptr_array_index (self->prepared, i) != NULL)
      GEOSPreparedGeom_destroy_r (self->handle, g_ptr_array_index (self->prepared, i));
  g_ptr_array_unref (self->prepared);
  g_mutex_clear (&self->prepare_lock);
  g_mutex_clear (&self->geos_lock);
  g_clear_pointer (&self->locator, _gis_locator_free);
  g_ptr_array_unref (self->cutters);
  g_mutex_clear (&self->locator_lock);
  g_array_unref (self->rings);
  g_array_unref (self->ring_start);
  g_array_unref (self->chunk_boxes);
  GEOS_finish_r (self->handle);
  g_free (self);
}

guint
gis_overlay_get_size (GisOverlay *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->geoms->len;
}

/* Cutter @k as a GEOS geometry, made on first need: the integer overlay reads the cutters'
 * rings and needs none, so most are never made. Read through the calling thread's context;
 * the result is a plain geometry any context may use (they share GEOS's default factory),
 * its envelopes computed before other threads see it. */
static const GEOSGeometry *
cutter_geos (GisOverlay *self, guint k, GError **error)
{
  GEOSGeometry *g = g_atomic_pointer_get (&self->geoms->pdata[k]);

  if (g != NULL)
    return g;
  g_mutex_lock (&self->geos_lock);
  g = self->geoms->pdata[k];
  if (g == NULL)
    {
      GisGeosThread *t = _gis_geos ();

      g = _gis_geometry_to_geos (t, g_ptr_array_index (self->cutters, k), error);
      if (g != NULL)
        {
          force_envelopes (t->handle, g);
          g_atomic_pointer_set (&self->geoms->pdata[k], g);
        }
    }
  g_mutex_unlock (&self->geos_lock);
  return g;
}

/* Candidates by box, in ascending order so results do not depend on the tree's layout. */
static GArray *
query_envelope (GisOverlay *self, GisGeosThread *t, const GisEnvelope *e)
{
  return gis_index_query (self->tree, e);
}

static GArray *
query_boxes (GisOverlay *self, GisGeosThread *t, GisGeometry *target)
{
  GisEnvelope e;

  gis_geometry_get_envelope (target, &e);
  return query_envelope (self, t, &e);
}

/**
 * gis_overlay_query_box:
 * @box: a rectangle
 *
 * Returns: (transfer full) (element-type guint): the cutters whose boxes meet @box, in
 *   ascending order
 */
GArray *
gis_overlay_query_box (GisOverlay *self, const GisEnvelope *box)
{
  g_return_val_if_fail (self != NULL && box != NULL, NULL);
  return query_envelope (self, _gis_geos (), box);
}

static void
collect_polygons (GisGeosThread *t, const GEOSGeometry *g, GPtrArray *out)
{
  int type = GEOSGeomTypeId_r (t->handle, g);

  if (type == GEOS_POLYGON)
    {
      if (!GEOSisEmpty_r (t->handle, g))
        g_ptr_array_add (out, GEOSGeom_clone_r (t->handle, g));
    }
  else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION)
    {
      int n = GEOSGetNumGeometries_r (t->handle, g);
      for (int i = 0; i < n; i++)
        collect_polygons (t, GEOSGetGeometryN_r (t->handle, g, i), out);
    }
}

/* The polygons of an overlay result as one MultiPolygon (touching shapes leave lines and
 * points in a collection; they have no area). */
static GisGeometry *
polygonal_result (GisGeosThread *t, const GEOSGeometry *g, GError **error)
{
  g_autoptr(GPtrArray) polys = g_ptr_array_new ();
  g_autoptr(GEOSGeometry) multi = NULL;

  if (GEOSGeomTypeId_r (t->handle, g) == GEOS_MULTIPOLYGON)
    return _gis_geometry_from_geos (t, g, error);
  collect_polygons (t, g, polys);
  multi = GEOSGeom_createCollection_r (t->handle, GEOS_MULTIPOLYGON,
                                       (GEOSGeometry **) polys->pdata, polys->len);
  return _gis_geometry_from_geos (t, multi, error);
}

static GisGeometry *
empty_result (GisGeosThread *t, GError **error)
{
  g_autoptr(GEOSGeometry) e = GEOSGeom_createEmptyCollection_r (t->handle, GEOS_MULTIPOLYGON);
  return _gis_geometry_from_geos (t, e, error);
}

/* The union of @pieces (taken): one cascaded union of those of no family, then one union
 * with each family's pieces gathered, without a union, into a MultiPolygon (they neither
 * overlap nor share edges, so the MultiPolygon is valid as it is). */
static GEOSGeometry *
union_pieces (GisGeosThread *t, GPtrArray *pieces, GArray *piece_family, GError **error)
{
  g_autoptr(GPtrArray) general = g_ptr_array_new ();
  g_autoptr(GArray) families = g_array_new (FALSE, FALSE, sizeof (guint));
  GEOSGeometry *u = NULL;

  for (guint i = 0; i < pieces->len; i++)
    {
      guint f = g_array_index (piece_family, guint, i);
      gboolean seen = FALSE;

      if (f == 0)
        {
          g_ptr_array_add (general, g_ptr_array_index (pieces, i));
          continue;
        }
      for (guint k = 0; k < families->len && !seen; k++)
        seen = g_array_index (families, guint, k) == f;
      if (!seen)
        g_array_append_val (families, f);
    }
  _gis_geos_clear_message (t);
  if (general->len == 1)
    u = g_steal_pointer (&general->pdata[0]);
  else if (general->len > 1)
    {
      GEOSGeometry *coll = GEOSGeom_createCollection_r (t->handle, GEOS_GEOMETRYCOLLECTION,
                                                         (GEOSGeometry **) general->pdata,
                                                         general->len);
      u = GEOSUnaryUnion_r (t->handle, coll);
      GEOSGeom_destroy_r (t->handle, coll);
      if (u == NULL)
        goto fail;
    }
  for (guint k = 0; k < families->len; k++)
    {
      guint f = g_array_index (families, guint, k);
      g_autoptr(GPtrArray) polys = g_ptr_array_new ();
      GEOSGeometry *multi;

      for (guint i = 0; i < pieces->len; i++)
        if (g_array_index (piece_family, guint, i) == f)
          {
            GEOSGeometry *piece = g_ptr_array_index (pieces, i);
            collect_polygons (t, piece, polys);
            GEOSGeom_destroy_r (t->handle, piece);
            g_ptr_array_index (pieces, i) = NULL;
          }
      multi = GEOSGeom_createCollection_r (t->handle, GEOS_MULTIPOLYGON,
                                           (GEOSGeometry **) polys->pdata, polys->len);
      if (u == NULL)
        u = multi;
      else
        {
          GEOSGeometry *both = GEOSUnion_r (t->handle, u, multi);
          GEOSGeom_destroy_r (t->handle, u);
          GEOSGeom_destroy_r (t->handle, multi);
          u = both;
          if (u == NULL)
            goto fail;
        }
    }
  return u;

fail:
  /* The general pieces went into the collection (destroyed with it) or are still in the
   * list; the families' pieces not yet gathered are destroyed here. */
  for (guint i = 0; i < pieces->len; i++)
    if (g_array_index (piece_family, guint, i) != 0 && g_ptr_array_index (pieces, i) != NULL)
      GEOSGeom_destroy_r (t->handle, g_ptr_array_index (pieces, i));
  _gis_geos_set_error (t, error, "Union of overlapping polygons failed");
  return NULL;
}

/* The cutters that really meet @g (not just its box), clipped to its box, in one union.
 * Sets *covered when one cutter alone covers @g. Returns NULL with *covered FALSE and no
 * error when none meets it. */
static GEOSGeometry *
union_of_hits (GisOverlay *self, GisGeosThread *t, GisGeometry *target, GEOSGeometry *g,
               GisOverlayFilter filter, gpointer user_data, gboolean *covered, GError **error)
{
  g_autoptr(GArray) hits = query_boxes (self, t, target);
  g_autoptr(GPtrArray) pieces = g_ptr_array_new ();
  g_autoptr(GArray) piece_family = g_array_new (FALSE, FALSE, sizeof (guint));
  const GEOSPreparedGeometry *prep;
  GisEnvelope e;
  double pad;

  *covered = FALSE;
  if (hits->len == 0)
    return NULL;
  gis_geometry_get_envelope (target, &e);
  /* Clip a little outside the target's box, so that no clipped edge runs along the
   * target's own boundary. */
  pad = MAX (e.max_x - e.min_x, e.max_y - e.min_y) * 0.01 + 1e-9 * (fabs (e.max_x) + fabs (e.max_y) + 1);
  prep = GEOSPrepare_r (t->handle, g);
  for (guint i = 0; i < hits->len; i++)
    {
      guint k = g_array_index (hits, guint, i);
      const GEOSGeometry *c;
      char r;

      if (filter != NULL && !filter (k, user_data))
        continue;
      c = cutter_geos (self, k, NULL);
      if (c == NULL)
        goto fail;
      {
        const GisEnvelope *ce = &g_array_index (self->boxes, GisEnvelope, k);
        GEOSGeometry *clipped = NULL;

        /* A cutter reaching beyond the padded box is clipped to it first: the test below
         * and the union then see only the part near the target. */
        _gis_geos_clear_message (t);
        if (!(ce->min_x >= e.min_x - pad && ce->max_x <= e.max_x + pad &&
              ce->min_y >= e.min_y - pad && ce->max_y <= e.max_y + pad))
          {
            clipped = GEOSClipByRect_r (t->handle, c, e.min_x - pad, e.min_y - pad,
                                        e.max_x + pad, e.max_y + pad);
            if (clipped == NULL)
              goto fail;
          }
        r = GEOSPreparedIntersects_r (t->handle, prep, clipped ? clipped : c);
        if (r != 1)
          {
            if (clipped != NULL)
              GEOSGeom_destroy_r (t->handle, clipped);
            if (r == 2)
              goto fail;
            continue;
          }
        if (clipped == NULL)
          clipped = GEOSGeom_clone_r (t->handle, c);
        g_ptr_array_add (pieces, clipped);
        g_array_append_val (piece_family, g_array_index (self->family, guint, k));
        /* Only a cutter whose box holds the target's can cover it; tested on the clipped
         * piece (the target lies inside the clip box), so that a large cutter is not
         * noded whole for every target. */
        if (ce->min_x <= e.min_x && ce->min_y <= e.min_y && ce->max_x >= e.max_x &&
            ce->max_y >= e.max_y)
          {
            r = GEOSPreparedCoveredBy_r (t->handle, prep, clipped);
            if (r == 2)
              goto fail;
            if (r == 1)
              {
                *covered = TRUE;
                break;
              }
          }
      }
    }
  GEOSPreparedGeom_destroy_r (t->handle, prep);
  prep = NULL;

  if (*covered || pieces->len == 0)
    {
      for (guint i = 0; i < pieces->len; i++)
        GEOSGeom_destroy_r (t->handle, g_ptr_array_index (pieces, i));
      return NULL;
    }
  if (pieces->len == 1)
    return g_ptr_array_index (pieces, 0);
  return union_pieces (t, pieces, piece_family, error);

fail:
  _gis_geos_set_error (t, error, "Overlay failed");
  if (prep != NULL)
    GEOSPreparedGeom_destroy_r (t->handle, prep);
  for (guint i = 0; i < pieces->len; i++)
    GEOSGeom_destroy_r (t->handle, g_ptr_array_index (pieces, i));
  return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* The integer overlay: the target and the cutters near it moved into a local integer frame
 * and handed to one sweep (gis-clip-private.h). Cutter rings are first cut to a box a little
 * larger than the target's (Sutherland–Hodgman against a rectangle keeps, for every point
 * inside the rectangle, the ring's winding number), so that a long river buffer costs only
 * its part near the target. */

typedef struct {
  GisClipRings subject;
  GisClipRings clip;
  GisClipRings out;
  GArray      *a;      /* double x, y: a ring being cut to the box */
  GArray      *b;
  GArray      *c;
  /* The real coordinates of the points put on the grid, subject's then clip's, and a
   * table from grid point to real point: a point of the target or of a cutter comes back
   * from the engine as itself, bit for bit; only new crossings are grid points. */
  GArray      *real;   /* double x, y, in the order of the grid points given */
  GArray      *slots;  /* Slot */
  guint32      stamp;
} ClipScratch;

typedef struct {
  gint64  x, y;
  double  rx, ry;
  guint32 stamp;       /* in use when equal to the scratch's */
} Slot;

static void
clip_scratch_free (gpointer data)
{
  ClipScratch *s = data;

  _gis_clip_rings_clear (&s->subject);
  _gis_clip_rings_clear (&s->clip);
  _gis_clip_rings_clear (&s->out);
  g_array_unref (s->a);
  g_array_unref (s->b);
  g_array_unref (s->c);
  g_array_unref (s->real);
  g_array_unref (s->slots);
  g_free (s);
}

static GPrivate clip_scratch_key = G_PRIVATE_INIT (clip_scratch_free);

static ClipScratch *
clip_scratch (void)
{
  ClipScratch *s = g_private_get (&clip_scratch_key);

  if (s == NULL)
    {
      s = g_new0 (ClipScratch, 1);
      _gis_clip_rings_init (&s->subject);
      _gis_clip_rings_init (&s->clip);
      _gis_clip_rings_init (&s->out);
      s->a = g_array_new (FALSE, FALSE, sizeof (double));
      s->b = g_array_new (FALSE, FALSE, sizeof (double));
      s->c = g_array_new (FALSE, FALSE, sizeof (double));
      s->real = g_array_new (FALSE, FALSE, sizeof (double));
      s->slots = g_array_new (FALSE, TRUE, sizeof (Slot));
      g_private_set (&clip_scratch_key, s);
    }
  return s;
}

/* The local frame: grid = (coordinate - origin) * scale, scale a power of two. */
typedef struct {
  double ox, oy, scale;
} Frame;

/* Twice a ring's area on the grid, exactly. */
static __int128
grid_area2 (const gint64 *xy, guint n)
{
  __int128 a = 0;

  for (guint i = 0; i < n; i++)
    {
      guint j = i + 1 == n ? 0 : i + 1;
      a += (__int128) xy[2 * i] * xy[2 * j + 1] - (__int128) xy[2 * j] * xy[2 * i + 1];
    }
  return a;
}

/* Appends a ring (n points, not closed) to @r on the grid, without repeated points, and
 * the real points kept to @real. Returns twice its area on the grid (0 when it has none and
 * is left out). */
static __int128
put_grid_ring (GisClipRings *r, GArray *real, const double *xy, guint n, const Frame *f)
{
  guint start = r->xy->len, real_start = real->len, kept = 0;
  gint64 *g;
  double *d;
  __int128 a;

  /* Room for every point, written in place, then cut to what was kept. */
  g_array_set_size (r->xy, start + 2 * (gsize) n);
  g_array_set_size (real, real_start + 2 * (gsize) n);
  g = (gint64 *) (gpointer) r->xy->data + start;
  d = (double *) (gpointer) real->data + real_start;
  for (guint i = 0; i < n; i++)
    {
      gint64 x = (gint64) llround ((xy[2 * i] - f->ox) * f->scale);
      gint64 y = (gint64) llround ((xy[2 * i + 1] - f->oy) * f->scale);

      if (kept > 0 && g[2 * kept - 2] == x && g[2 * kept - 1] == y)
        continue;
      g[2 * kept] = x;
      g[2 * kept + 1] = y;
      d[2 * kept] = xy[2 * i];
      d[2 * kept + 1] = xy[2 * i + 1];
      kept++;
    }
  if (kept > 1 && g[0] == g[2 * kept - 2] && g[1] == g[2 * kept - 1])
    kept--;
  a = kept >= 3 ? grid_area2 (g, kept) : 0;
  if (a == 0)
    {
      g_array_set_size (r->xy, start);
      g_array_set_size (real, real_start);
      return 0;
    }
  g_array_set_size (r->xy, start + 2 * kept);
  g_array_set_size (real, real_start + 2 * kept);
  g_array_append_val (r->ring_n, kept);
  return a;
}

static inline guint
slot_hash (gint64 x, gint64 y, guint mask)
{
  guint64 h = (guint64) x * 0x9E3779B97F4A7C15ULL ^ (guint64) y * 0xC2B2AE3D27D4EB4FULL;
  return (guint) (h >> 32) & mask;
}

/* Fills the table from grid point to real point, from @real, which holds the clip's points
 * then the subject's (where two real points share a grid point the subject's wins). */
static guint
fill_slots (ClipScratch *s)
{
  const double *real = (const double *) (gpointer) s->real->data;
  guint n = s->real->len / 2, size = 16, mask;
  const GisClipRings *from[2] = { &s->clip, &s->subject };
  guint at = 0;

  while (size < 2 * n)
    size *= 2;
  if (s->slots->len < size || s->stamp == G_MAXUINT32)
    {
      g_array_set_size (s->slots, 0);
      g_array_set_size (s->slots, MAX (size, s->slots->len));
      s->stamp = 0;
    }
  s->stamp++;
  mask = size - 1;
  for (guint k = 0; k < 2; k++)
    {
      const gint64 *xy = (const gint64 *) (gpointer) from[k]->xy->data;

      for (guint i = 0; i < from[k]->xy->len / 2; i++, at++)
        {
          guint h = slot_hash (xy[2 * i], xy[2 * i + 1], mask);
          Slot *slot;

          for (;; h = (h + 1) & mask)
            {
              slot = &g_array_index (s->slots, Slot, h);
              if (slot->stamp != s->stamp || (slot->x == xy[2 * i] && slot->y == xy[2 * i + 1]))
                break;
            }
          *slot = (Slot) { xy[2 * i], xy[2 * i + 1], real[2 * at], real[2 * at + 1], s->stamp };
        }
    }
  return mask;
}

/* A grid point back in real coordinates: the real point it came from, or its image. */
static inline void
real_point (ClipScratch *s, guint mask, const Frame *f, const gint64 *v, double out[2])
{
  for (guint h = slot_hash (v[0], v[1], mask);; h = (h + 1) & mask)
    {
      const Slot *slot = &g_array_index (s->slots, Slot, h);

      if (slot->stamp != s->stamp)
        break;
      if (slot->x == v[0] && slot->y == v[1])
        {
          out[0] = slot->rx;
          out[1] = slot->ry;
          return;
        }
    }
  out[0] = f->ox + (double) v[0] / f->scale;
  out[1] = f->oy + (double) v[1] / f->scale;
}

/* One side of the box: keeps the part of the ring where coordinate @axis is on the inner
 * side of @limit (below it when @below). */
static void
cut_side (const double *in, guint n, GArray *out, guint axis, double limit, gboolean below)
{
  guint m = 0;
  double *o;

  /* At most two points out per point in. */
  g_array_set_size (out, 4 * (gsize) n);
  o = (double *) (gpointer) out->data;
  for (guint i = 0; i < n; i++)
    {
      const double *p = in + 2 * i, *q = in + 2 * (i + 1 == n ? 0 : i + 1);
      gboolean pin = below ? p[axis] <= limit : p[axis] >= limit;
      gboolean qin = below ? q[axis] <= limit : q[axis] >= limit;

      if (pin)
        {
          o[2 * m] = p[0];
          o[2 * m + 1] = p[1];
          m++;
        }
      if (pin != qin)
        {
          double t = (limit - p[axis]) / (q[axis] - p[axis]);

          o[2 * m + axis] = limit;
          o[2 * m + 1 - axis] = p[1 - axis] + t * (q[1 - axis] - p[1 - axis]);
          m++;
        }
    }
  g_array_set_size (out, 2 * (gsize) m);
}

/* Adds a cutter ring to the clip rings, cut to @box unless it lies inside it. */
static void
put_cutter_ring (GisOverlay *self, ClipScratch *s, const CutterRing *r, const GisEnvelope *box,
                 const Frame *f)
{
  gboolean inside = r->box.min_x >= box->min_x && r->box.max_x <= box->max_x &&
                    r->box.min_y >= box->min_y && r->box.max_y <= box->max_y;
  const double *ring;
  guint n;

  /* Its points out of the WKB, a long ring's runs beyond the box as one point each. */
  if (inside || r->n <= CHUNK)
    {
      g_array_set_size (s->c, 2 * (gsize) r->n);
      _gis_wkb_points (r->pts, 0, r->n, (double *) (gpointer) s->c->data);
    }
  else
    {
      const GisEnvelope *cb = &g_array_index (self->chunk_boxes, GisEnvelope, r->chunk);
      guint m = 0;

      g_array_set_size (s->c, 2 * (gsize) r->n);
      for (guint a = 0, j = 0; a < r->n; a += CHUNK, j++)
        {
          gboolean beyond = cb[j].max_x < box->min_x || cb[j].min_x > box->max_x ||
                            cb[j].max_y < box->min_y || cb[j].min_y > box->max_y;
          guint k = beyond ? 1 : MIN (CHUNK, r->n - a);

          _gis_wkb_points (r->pts, a, k, (double *) (gpointer) s->c->data + 2 * m);
          m += k;
        }
      g_array_set_size (s->c, 2 * (gsize) m);
    }
  ring = (const double *) (gpointer) s->c->data;
  n = s->c->len / 2;
  if (r->reverse)
    {
      double *d = (double *) (gpointer) s->c->data;

      for (guint i = 0, j = n - 1; i < j; i++, j--)
        {
          double t[2] = { d[2 * i], d[2 * i + 1] };
          d[2 * i] = d[2 * j];
          d[2 * i + 1] = d[2 * j + 1];
          d[2 * j] = t[0];
          d[2 * j + 1] = t[1];
        }
    }
  if (!inside)
    {
      cut_side (ring, n, s->a, 0, box->min_x, FALSE);
      cut_side ((double *) (gpointer) s->a->data, s->a->len / 2, s->b, 0, box->max_x, TRUE);
      cut_side ((double *) (gpointer) s->b->data, s->b->len / 2, s->a, 1, box->min_y, FALSE);
      cut_side ((double *) (gpointer) s->a->data, s->a->len / 2, s->b, 1, box->max_y, TRUE);
      ring = (double *) (gpointer) s->b->data;
      n = s->b->len / 2;
    }
  if (n >= 3)
    put_grid_ring (&s->clip, s->real, ring, n, f);
}

typedef struct {
  GisClipRings *rings;
  GArray       *real;
  const Frame  *frame;
  __int128      area2;   /* of the polygons: shells less holes */
} SubjectWalk;

static void
subject_ring_cb (guint polygon, guint ring, const double *xy, guint n, gpointer user_data)
{
  SubjectWalk *w = user_data;
  __int128 a;

  if (n > 1 && xy[0] == xy[2 * n - 2] && xy[1] == xy[2 * n - 1])
    n--;
  a = put_grid_ring (w->rings, w->real, xy, n, w->frame);
  if (a < 0)
    a = -a;
  w->area2 += ring == 0 ? a : -a;
}

/* A MultiPolygon made from the engine's polygons, back in real coordinates. */
static GisGeometry *
grid_to_geometry (ClipScratch *s, const Frame *f)
{
  const GisClipRings *r = &s->out;
  const gint64 *xy = (const gint64 *) (gpointer) r->xy->data;
  guint mask = fill_slots (s);
  gsize size = 9, at = 0;
  guint ring = 0;
  guint8 *buf;
  guint32 u;

  for (guint p = 0; p < r->poly_n->len; p++)
    {
      size += 9;
      for (guint k = 0; k < g_array_index (r->poly_n, guint, p); k++)
        size += 4 + 16 * ((gsize) g_array_index (r->ring_n, guint, ring++) + 1);
    }
  buf = g_malloc (size);
#define PUT_U32(v) (u = GUINT32_TO_LE (v), memcpy (buf + at, &u, 4), at += 4)
  buf[at++] = 1;
  PUT_U32 (GIS_GEOMETRY_MULTIPOLYGON);
  PUT_U32 (r->poly_n->len);
  ring = 0;
  for (guint p = 0; p < r->poly_n->len; p++)
    {
      guint rings = g_array_index (r->poly_n, guint, p);

      buf[at++] = 1;
      PUT_U32 (GIS_GEOMETRY_POLYGON);
      PUT_U32 (rings);
      for (guint k = 0; k < rings; k++, ring++)
        {
          guint n = g_array_index (r->ring_n, guint, ring);

          PUT_U32 (n + 1);
          for (guint i = 0; i <= n; i++)
            {
              double d[2];

              real_point (s, mask, f, xy + 2 * (i == n ? 0 : i), d);
              memcpy (buf + at, d, 16);
              at += 16;
            }
          xy += 2 * (gsize) n;
        }
    }
#undef PUT_U32
  g_assert (at == size);
  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (buf, size);
    return _gis_geometry_new_trusted (bytes);
  }
}

/* @target as a MultiPolygon without a copy of its coordinates through GEOS; NULL for
 * what is neither a Polygon nor a MultiPolygon. */
static GisGeometry *
as_multipolygon (GisGeometry *target)
{
  GisGeometryType type = gis_geometry_get_geometry_type (target);
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *wkb;
  gsize len;
  guint8 *buf;

  if (type == GIS_GEOMETRY_MULTIPOLYGON)
    return gis_geometry_ref (target);
  if (type != GIS_GEOMETRY_POLYGON)
    return NULL;
  wkb = gis_geometry_peek_wkb (target, &len);
  buf = g_malloc (len + 9);
  buf[0] = 1;
  {
    guint32 v[2] = { GUINT32_TO_LE (GIS_GEOMETRY_MULTIPOLYGON), GUINT32_TO_LE (1) };
    memcpy (buf + 1, v, 8);
  }
  memcpy (buf + 9, wkb, len);
  bytes = g_bytes_new_take (buf, len + 9);
  return _gis_geometry_new_trusted (bytes);
}

static GisGeometry *
empty_multipolygon (void)
{
  static const guint8 wkb[9] = { 1, GIS_GEOMETRY_MULTIPOLYGON, 0, 0, 0, 0, 0, 0, 0 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (wkb, sizeof wkb);
  return _gis_geometry_new_trusted (bytes);
}

/* Cutter @k certainly holds all of box @e: an axis-aligned rectangle around it, or a
 * polygon none of whose rings comes near the box (no run of edges meets it) and whose
 * inside holds the box's centre (ray crossings over all its rings). A third of the deposits
 * of a national set lie wholly in one title or protected area; they need no sweep. */
static gboolean
covers_box (GisOverlay *self, guint k, const GisEnvelope *e)
{
  const GisEnvelope *ce = &g_array_index (self->boxes, GisEnvelope, k);
  guint r0 = g_array_index (self->ring_start, guint, k);
  guint r1 = g_array_index (self->ring_start, guint, k + 1);
  double cx = (e->min_x + e->max_x) / 2, cy = (e->min_y + e->max_y) / 2;
  gboolean inside = FALSE;

  if (!(ce->min_x < e->min_x && ce->min_y < e->min_y && ce->max_x > e->max_x &&
        ce->max_y > e->max_y))
    return FALSE;
  if (g_array_index (self->is_rect, gboolean, k))
    return TRUE;
  /* A polygon of very many rings (a raster class mask with its holes) would cost more to
   * settle here than the sweep does. */
  if (r1 - r0 > 256)
    return FALSE;
  for (guint r = r0; r < r1; r++)
    {
      const CutterRing *cr = &g_array_index (self->rings, CutterRing, r);

      if (!gis_envelope_intersects (&cr->box, e))
        continue;
      if (cr->n <= CHUNK)
        return FALSE;
      for (guint j = 0; j < (cr->n + CHUNK - 1) / CHUNK; j++)
        if (gis_envelope_intersects (&g_array_index (self->chunk_boxes, GisEnvelope,
                                                     cr->chunk + j), e))
          return FALSE;
    }
  /* No edge meets the box: it lies wholly inside the polygon or wholly outside. */
  for (guint r = r0; r < r1; r++)
    {
      const CutterRing *cr = &g_array_index (self->rings, CutterRing, r);

      if (cy < cr->box.min_y || cy > cr->box.max_y || cx > cr->box.max_x)
        continue;
      /* Only edges across the line y = cy, right of the centre, count: a long ring's runs
       * that hold none are passed over. */
      for (guint a = 0, j = 0; a < cr->n; a += CHUNK, j++)
        {
          guint end = MIN (a + CHUNK, cr->n);
          double p[2], q[2];

          if (cr->n > CHUNK)
            {
              const GisEnvelope *cb = &g_array_index (self->chunk_boxes, GisEnvelope,
                                                      cr->chunk + j);
              if (cy < cb->min_y || cy > cb->max_y || cx > cb->max_x)
                continue;
            }
          wkb_point (cr->pts, a, q);
          for (guint i = a + 1; i <= end; i++, q[0] = p[0], q[1] = p[1])
            {
              wkb_point (cr->pts, i % cr->n, p);
              if ((p[1] > cy) != (q[1] > cy) &&
                  cx < q[0] + (cy - q[1]) * (p[0] - q[0]) / (p[1] - q[1]))
                inside = !inside;
            }
        }
    }
  return inside;
}

/* The integer overlay; FALSE (and nothing set) when it cannot take the case, which the
 * float overlay then does: a target that is not polygonal, a degenerate frame, or an
 * engine failure. */
static gboolean
integer_overlay (GisOverlay *self, GisGeometry *target, GisOverlayFilter filter,
                 gpointer user_data, gboolean subtract, gboolean check, GisGeometry **result)
{
  ClipScratch *s;
  GisEnvelope e, box;
  Frame f;
  double pad, h;
  g_autoptr(GArray) hits = NULL;
  g_autofree char *message = NULL;
  SubjectWalk w;
  GisGeometryType type = gis_geometry_get_geometry_type (target);

  if (type != GIS_GEOMETRY_POLYGON && type != GIS_GEOMETRY_MULTIPOLYGON)
    return FALSE;
  gis_geometry_get_envelope (target, &e);
  if (gis_envelope_is_empty (&e))
    return FALSE;
  pad = MAX (e.max_x - e.min_x, e.max_y - e.min_y) * 0.01 + 1e-9 * (fabs (e.max_x) + fabs (e.max_y) + 1);
  box = (GisEnvelope) { e.min_x - pad, e.min_y - pad, e.max_x + pad, e.max_y + pad };
  h = MAX (box.max_x - box.min_x, box.max_y - box.min_y) / 2;
  if (!isfinite (h) || !(h > 0))
    return FALSE;
  /* The origin on the grid, so that a coordinate on the grid (a whole metre, a title's
   * corner) maps to itself exactly and comes back unchanged. */
  f.scale = ldexp (1.0, (int) floor (log2 (GIS_CLIP_RANGE * 0.98 / h)));
  f.ox = round ((box.min_x + box.max_x) / 2 * f.scale) / f.scale;
  f.oy = round ((box.min_y + box.max_y) / 2 * f.scale) / f.scale;

  s = clip_scratch ();
  _gis_clip_rings_reset (&s->clip);
  g_array_set_size (s->real, 0);
  hits = query_envelope (self, _gis_geos (), &e);
  for (guint i = 0; i < hits->len; i++)
    {
      guint k = g_array_index (hits, guint, i);

      if (filter != NULL && !filter (k, user_data))
        continue;
      if (covers_box (self, k, &e))
        {
          /* One cutter holds the whole target: nothing left of it, or all of it. */
          *result = subtract ? empty_multipolygon () : as_multipolygon (target);
          return *result != NULL;
        }
      for (guint r = g_array_index (self->ring_start, guint, k);
           r < g_array_index (self->ring_start, guint, k + 1); r++)
        {
          const CutterRing *cr = &g_array_index (self->rings, CutterRing, r);

          /* A ring whose box misses the target's changes nothing inside the target (a hole
           * lies inside its shell, so a hole left out is one outside the target too). */
          if (gis_envelope_intersects (&cr->box, &e))
            put_cutter_ring (self, s, cr, &box, &f);
        }
    }
  if (s->clip.ring_n->len == 0)
    {
      *result = subtract ? as_multipolygon (target) : empty_multipolygon ();
      return *result != NULL;
    }

  _gis_clip_rings_reset (&s->subject);
  w = (SubjectWalk) { &s->subject, s->real, &f, 0 };
  _gis_geometry_foreach_ring (target, subject_ring_cb, &w);
  if (s->subject.ring_n->len == 0)
    return FALSE;
  if (!_gis_clip_run (subtract, check, &s->subject, &s->clip, &s->out, &message))
    {
      g_debug ("Integer overlay: %s; the float overlay takes this target", message);
      return FALSE;
    }

  /* The result lies inside the target: with the same area it is the target itself, which
   * is then returned with its own coordinates, not their images on the grid. */
  {
    const gint64 *xy = (const gint64 *) (gpointer) s->out.xy->data;
    __int128 area2 = 0;
    guint ring = 0;

    for (guint p = 0; p < s->out.poly_n->len; p++)
      for (guint k = 0; k < g_array_index (s->out.poly_n, guint, p); k++, ring++)
        {
          guint n = g_array_index (s->out.ring_n, guint, ring);
          __int128 a = grid_area2 (xy, n);

          a = a < 0 ? -a : a;
          area2 += k == 0 ? a : -a;
          xy += 2 * (gsize) n;
        }
    if (area2 == w.area2)
      *result = as_multipolygon (target);
    else if (s->out.poly_n->len == 0)
      *result = empty_multipolygon ();
    else
      {
        GisGeosThread *t = _gis_geos ();
        g_autoptr(GisGeometry) r = grid_to_geometry (s, &f);
        gboolean proven = r != NULL && check && _gis_geometry_proven_valid (r);
        g_autoptr(GEOSGeometry) g = r && check && !proven ? _gis_geometry_to_geos (t, r, NULL)
                                                           : NULL;

        if (r == NULL || (check && !proven && g == NULL))
          return FALSE;
        /* The engine's polygons are simple, but a ring can still touch itself where one of
         * its points lies on another of its edges, which a valid polygon may not. Such a
         * result of a few rings is made valid, and kept if that left its area as it was
         * (the same land, cut where it touches itself); else, and for one of many rings
         * (land cut by raster cells, where making it valid costs more than redoing it),
         * the float overlay takes the target. (A ring like that measures right: a result
         * wanted for its area only is not checked.) */
        if (check && !proven && GEOSisValid_r (t->handle, g) != 1)
          {
            g_autoptr(GisGeometry) fixed = NULL;
            g_autoptr(GisGeometry) part = NULL;
            double before;

            if (s->out.ring_n->len > 64)
              return FALSE;
            fixed = gis_geometry_make_valid (r, NULL);
            part = fixed ? gis_geometry_polygonal_part (fixed, NULL) : NULL;
            before = gis_geometry_planar_area (r);

            if (part == NULL ||
                fabs (gis_geometry_planar_area (part) - before) > 1e-12 * before ||
                !gis_geometry_is_valid (part, NULL, NULL))
              return FALSE;
            g_clear_pointer (&r, gis_geometry_unref);
            r = g_steal_pointer (&part);
          }
        *result = g_steal_pointer (&r);
      }
  }
  return *result != NULL;
}

void
_gis_overlay_set_float_only (gpointer overlay, gboolean float_only)
{
  ((GisOverlay *) overlay)->float_only = float_only;
}

static GisGeometry *float_overlay (GisOverlay *self, GisGeometry *target,
                                   GisOverlayFilter filter, gpointer user_data,
                                   gboolean subtract, GError **error);

/* @target minus (or, without @subtract, ∩) the union of the cutters @filter accepts. */
static GisGeometry *
overlay_apply (GisOverlay *self, GisGeometry *target, GisOverlayFilter filter,
               gpointer user_data, gboolean subtract, gboolean check, GError **error)
{
  GisGeometry *r = NULL;

  g_return_val_if_fail (self != NULL && target != NULL, NULL);

  if (!self->float_only && integer_overlay (self, target, filter, user_data, subtract, check, &r))
    return r;
  return float_overlay (self, target, filter, user_data, subtract, error);
}

/* The same in floating point, with GEOS: the union of the cutters that meet the target,
 * then one difference or intersection. */
static GisGeometry *
float_overlay (GisOverlay *self, GisGeometry *target, GisOverlayFilter filter,
               gpointer user_data, gboolean subtract, GError **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) g = NULL;
  g_autoptr(GEOSGeometry) u = NULL;
  g_autoptr(GEOSGeometry) r = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean covered;

  g_return_val_if_fail (self != NULL && target != NULL, NULL);

  t = _gis_geos ();
  g = _gis_geometry_to_geos (t, target, error);
  if (g == NULL)
    return NULL;
  u = union_of_hits (self, t, target, g, filter, user_data, &covered, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  /* One cutter holds all of it, or none meets it. */
  if (covered || u == NULL)
    return (covered == subtract) ? empty_result (t, error) : polygonal_result (t, g, error);
  _gis_geos_clear_message (t);
  r = subtract ? GEOSDifference_r (t->handle, g, u) : GEOSIntersection_r (t->handle, g, u);
  if (r == NULL)
    {
      _gis_geos_set_error (t, error, subtract ? "Difference failed" : "Intersection failed");
      return NULL;
    }
  return polygonal_result (t, r, error);
}

/**
 * gis_overlay_subtract:
 *
 * Returns: (transfer full): @target minus the union of the cutters, as a MultiPolygon
 *   (empty when they cover it all; @target itself, unchanged, when none meets it)
 */
GisGeometry *
gis_overlay_subtract (GisOverlay *self, GisGeometry *target, GError **error)
{
  return overlay_apply (self, target, NULL, NULL, TRUE, TRUE, error);
}

/**
 * gis_overlay_intersect:
 *
 * Returns: (transfer full): @target ∩ the union of the cutters, as a MultiPolygon
 */
GisGeometry *
gis_overlay_intersect (GisOverlay *self, GisGeometry *target, GError **error)
{
  return overlay_apply (self, target, NULL, NULL, FALSE, TRUE, error);
}

/**
 * gis_overlay_intersect_for_area:
 * @filter: (nullable): which cutters to take (all when %NULL); it is asked about those
 *   whose boxes meet @target's, in ascending order
 *
 * @target ∩ the union of the cutters, for measuring only: the polygons of
 * gis_overlay_intersect(), but a ring may touch itself at a point (GEOS would call it
 * invalid; its area is exact), which saves checking each result.
 *
 * Returns: (transfer full): @target ∩ the union of the cutters @filter accepts
 */
GisGeometry *
gis_overlay_intersect_for_area (GisOverlay *self, GisGeometry *target, GisOverlayFilter filter,
                                gpointer user_data, GError **error)
{
  return overlay_apply (self, target, filter, user_data, FALSE, FALSE, error);
}

/* Cutter @index prepared (its segment and point-in-polygon indexes built), on first need. */
static const GEOSPreparedGeometry *
prepared_cutter (GisOverlay *self, guint index)
{
  const GEOSPreparedGeometry *prep;

  g_mutex_lock (&self->prepare_lock);
  if (self->prepared->len == 0)
    g_ptr_array_set_size (self->prepared, self->geoms->len);
  prep = g_ptr_array_index (self->prepared, index);
  if (prep == NULL)
    {
      const GEOSGeometry *g = cutter_geos (self, index, NULL);

      prep = g != NULL ? GEOSPrepare_r (self->handle, g) : NULL;
      /* Its indexes are built lazily: build them now, while the lock is held. The probe
       * lies inside the cutter's box: GEOS tests a point against the box first and builds
       * its point-in-area index only for a point inside it (a probe outside left the index
       * to be built by two threads at once). */
      if (prep != NULL)
        {
          const GisEnvelope *e = &g_array_index (self->boxes, GisEnvelope, index);
          GEOSGeometry *probe = GEOSGeom_createPointFromXY_r (self->handle,
                                                             (e->min_x + e->max_x) / 2,
                                                             (e->min_y + e->max_y) / 2);
          double d;
          GEOSPreparedDistance_r (self->handle, prep, probe, &d);
          GEOSPreparedIntersects_r (self->handle, prep, probe);
          GEOSGeom_destroy_r (self->handle, probe);
        }
      g_ptr_array_index (self->prepared, index) = (gpointer) prep;
    }
  g_mutex_unlock (&self->prepare_lock);
  return prep;
}

/**
 * gis_overlay_locate:
 * @x: a point's x
 * @y: its y
 *
 * Point-in-polygon against the cutters, each prepared once: fast for many points against
 * detailed polygons (sites against countries).
 *
 * Returns: the first cutter holding the point, or -1
 */
gint
gis_overlay_locate (GisOverlay *self, double x, double y)
{
  GisGeosThread *t;
  g_autoptr(GArray) hits = g_array_new (FALSE, FALSE, sizeof (guint));
  GEOSGeometry *pt;
  gint found = -1;

  g_return_val_if_fail (self != NULL, -1);

  t = _gis_geos ();
  pt = GEOSGeom_createPointFromXY_r (t->handle, x, y);
  {
    GisEnvelope at = { x, y, x, y };
    g_array_unref (hits);
    hits = gis_index_query (self->tree, &at);
  }
  for (guint i = 0; i < hits->len && found < 0; i++)
    {
      guint k = g_array_index (hits, guint, i);
      const GEOSPreparedGeometry *prep = prepared_cutter (self, k);
      if (prep != NULL && GEOSPreparedIntersects_r (t->handle, prep, pt) == 1)
        found = (gint) k;
    }
  GEOSGeom_destroy_r (t->handle, pt);
  return found;
}

typedef struct {
  GisLocator   *locator;
  const double *x, *y;
  gint         *found;
  guint         begin, end;
} LocateJob;

static gpointer
locate_worker (gpointer data)
{
  LocateJob *j = data;

  for (guint i = j->begin; i < j->end; i++)
    j->found[i] = _gis_locator_locate (j->locator, j->x[i], j->y[i]);
  return NULL;
}

/**
 * gis_overlay_locate_many:
 * @x: (array length=n): the points' x
 * @y: (array length=n): their y
 * @found: (out caller-allocates) (array length=n): per point, the first cutter holding it,
 *   or -1
 * @n_threads: worker threads
 *
 * gis_overlay_locate() for many points, with exactly its answers, through a grid over the
 * cutters made on the first call: a point in a cell that no boundary touches is answered by
 * one read, a point near a boundary by counting exactly the boundary crossings of a short
 * ray (gis-locator.c).
 */
void
gis_overlay_locate_many (GisOverlay *self, const double *x, const double *y, guint n,
                         gint *found, guint n_threads)
{
  LocateJob jobs[8];
  GThread *threads[8];
  guint nt = n < 20000 ? 1 : CLAMP (n_threads, 1, 8);

  g_return_if_fail (self != NULL);
  g_return_if_fail ((x != NULL && y != NULL && found != NULL) || n == 0);

  g_mutex_lock (&self->locator_lock);
  if (self->locator == NULL)
    self->locator = _gis_locator_new (self, self->cutters, 1 << 19);
  g_mutex_unlock (&self->locator_lock);
  for (guint t = 0; t < nt; t++)
    jobs[t] = (LocateJob) { self->locator, x, y, found, (guint) ((guint64) n * t / nt),
                            (guint) ((guint64) n * (t + 1) / nt) };
  for (guint t = 1; t < nt; t++)
    threads[t] = g_thread_new ("locate", locate_worker, &jobs[t]);
  locate_worker (&jobs[0]);
  for (guint t = 1; t < nt; t++)
    g_thread_join (threads[t]);
}

/**
 * gis_overlay_nearest:
 * @index: the cutter
 * @x: (out caller-allocates) (array fixed-size=2): x of the nearest point of the cutter,
 *   then of @target
 * @y: (out caller-allocates) (array fixed-size=2): the same for y
 *
 * The closest points between one cutter and @target, through the cutter's prepared index
 * (built on first use), so that many queries against a detailed polygon — a country's border
 * at 10 m — stay fast.
 */
gboolean
gis_overlay_nearest (GisOverlay *self, guint index, GisGeometry *target, double x[2],
                     double y[2], GError **error)
{
  GisGeosThread *t;
  const GEOSPreparedGeometry *prep;
  g_autoptr(GEOSGeometry) g = NULL;
  GEOSCoordSequence *cs;

  g_return_val_if_fail (self != NULL && target != NULL, FALSE);
  g_return_val_if_fail (index < self->geoms->len, FALSE);

  prep = prepared_cutter (self, index);

  t = _gis_geos ();
  if (prep == NULL)
    {
      _gis_geos_set_error (t, error, "Could not prepare a polygon");
      return FALSE;
    }
  g = _gis_geometry_to_geos (t, target, error);
  if (g == NULL)
    return FALSE;
  _gis_geos_clear_message (t);
  cs = GEOSPreparedNearestPoints_r (t->handle, prep, g);
  if (cs == NULL)
    {
      _gis_geos_set_error (t, error, "Nearest points failed");
      return FALSE;
    }
  GEOSCoordSeq_getXY_r (t->handle, cs, 0, &x[0], &y[0]);
  GEOSCoordSeq_getXY_r (t->handle, cs, 1, &x[1], &y[1]);
  GEOSCoordSeq_destroy_r (t->handle, cs);
  return TRUE;
}

/**
 * gis_overlay_query:
 *
 * Returns: (transfer full) (element-type guint): the cutters that really meet @target
 */
GArray *
gis_overlay_query (GisOverlay *self, GisGeometry *target, GError **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) g = NULL;
  g_autoptr(GArray) hits = NULL;
  GArray *result;
  const GEOSPreparedGeometry *prep;

  g_return_val_if_fail (self != NULL && target != NULL, NULL);

  t = _gis_geos ();
  g = _gis_geometry_to_geos (t, target, error);
  if (g == NULL)
    return NULL;
  hits = query_boxes (self, t, target);
  result = g_array_new (FALSE, FALSE, sizeof (guint));
  if (hits->len == 0)
    return result;
  prep = GEOSPrepare_r (t->handle, g);
  for (guint i = 0; i < hits->len; i++)
    {
      guint k = g_array_index (hits, guint, i);
      const GEOSGeometry *c = cutter_geos (self, k, NULL);
      char r = c != NULL ? GEOSPreparedIntersects_r (t->handle, prep, c) : 2;
      if (r == 2)
        {
          GEOSPreparedGeom_destroy_r (t->handle, prep);
          g_array_unref (result);
          _gis_geos_set_error (t, error, "Intersects test failed");
          return NULL;
        }
      if (r == 1)
        g_array_append_val (result, k);
    }
  GEOSPreparedGeom_destroy_r (t->handle, prep);
  return result;
}

/**
 * gis_overlay_split:
 * @indices: (element-type guint) (out caller-allocates): receives, for each piece, the
 *   number of the cutter it lies in
 *
 * Cuts @target by each cutter separately (for cutters that do not overlap each other, such
 * as admin units or land-use classes after dissolving).
 *
 * Returns: (transfer full) (element-type GisGeometry): the non-empty pieces @target ∩ cutter
 */
GPtrArray *
gis_overlay_split (GisOverlay *self, GisGeometry *target, GArray *indices, GError **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) g = NULL;
  g_autoptr(GArray) hits = NULL;
  g_autoptr(GPtrArray) result = NULL;
  const GEOSPreparedGeometry *prep;

  g_return_val_if_fail (self != NULL && target != NULL && indices != NULL, NULL);

  t = _gis_geos ();
  g = _gis_geometry_to_geos (t, target, error);
  if (g == NULL)
    return NULL;
  hits = query_boxes (self, t, target);
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  if (hits->len == 0)
    return g_steal_pointer (&result);
  prep = GEOSPrepare_r (t->handle, g);
  for (guint i = 0; i < hits->len; i++)
    {
      guint k = g_array_index (hits, guint, i);
      const GEOSGeometry *c = cutter_geos (self, k, NULL);
      g_autoptr(GEOSGeometry) piece = NULL;
      GisGeometry *out;
      char r;

      _gis_geos_clear_message (t);
      r = c != NULL ? GEOSPreparedIntersects_r (t->handle, prep, c) : 2;
      if (r == 0)
        continue;
      if (r == 1)
        {
          GisEnvelope te;
          const GisEnvelope *ce = &g_array_index (self->boxes, GisEnvelope, k);
          gis_geometry_get_envelope (target, &te);
          r = ce->min_x <= te.min_x && ce->min_y <= te.min_y && ce->max_x >= te.max_x &&
              ce->max_y >= te.max_y ? GEOSPreparedCoveredBy_r (t->handle, prep, c) : 0;
        }
      if (r == 2)
        goto fail;
      if (r == 1)
        piece = GEOSGeom_clone_r (t->handle, g);
      else if (g_array_index (self->is_rect, gboolean, k))
        {
          const GisEnvelope *ce = &g_array_index (self->boxes, GisEnvelope, k);
          piece = GEOSClipByRect_r (t->handle, g, ce->min_x, ce->min_y, ce->max_x, ce->max_y);
        }
      else
        piece = GEOSIntersection_r (t->handle, g, c);
      if (piece == NULL)
        goto fail;
      out = polygonal_result (t, piece, error);
      if (out == NULL)
        {
          GEOSPreparedGeom_destroy_r (t->handle, prep);
          return NULL;
        }
      if (gis_geometry_is_empty (out))
        {
          gis_geometry_unref (out);
          continue;
        }
      g_ptr_array_add (result, out);
      g_array_append_val (indices, k);
    }
  GEOSPreparedGeom_destroy_r (t->handle, prep);
  return g_steal_pointer (&result);

fail:
  GEOSPreparedGeom_destroy_r (t->handle, prep);
  _gis_geos_set_error (t, error, "Split failed");
  return NULL;
}

/* ---------------------------------------------------------------------------------------- */

/* @geometry (in @crs) buffered in an azimuthal equidistant projection centred on it. */
static GisGeometry *
buffer_local (GisGeometry *geometry, GisCrs *crs, GisTransform *to_geog, double distance_m,
              GError **error)
{
  g_autoptr(GisCrs) local = NULL;
  g_autoptr(GisTransform) to_local = NULL;
  g_autoptr(GisTransform) back = NULL;
  g_autoptr(GisGeometry) local_geom = NULL;
  g_autoptr(GisGeometry) buffered = NULL;
  GisEnvelope e;
  double cx, cy;

  gis_geometry_get_envelope (geometry, &e);
  cx = (e.min_x + e.max_x) / 2;
  cy = (e.min_y + e.max_y) / 2;
  if (!gis_transform_points (to_geog, &cx, &cy, 1, error))
    return NULL;
  local = _gis_crs_new_local (crs, "aeqd", cx, cy, error);
  if (local == NULL)
    return NULL;
  to_local = gis_transform_new (crs, local, error);
  back = to_local ? gis_transform_new (local, crs, error) : NULL;
  if (back == NULL)
    return NULL;
  local_geom = gis_transform_geometry (to_local, geometry, error);
  if (local_geom == NULL)
    return NULL;
  /* 32 segments per quarter circle: the chord error on a 500 m buffer is under 0.1 m. */
  buffered = gis_geometry_buffer (local_geom, distance_m, 32, error);
  if (buffered == NULL)
    return NULL;
  /* Only vertices are brought back: a long straight side (the buffer of a long straight
   * line) gets a vertex every kilometre first, so that it keeps its course in @crs. */
  {
    GisGeosThread *t = _gis_geos ();
    g_autoptr(GEOSGeometry) g = _gis_geometry_to_geos (t, buffered, error);
    g_autoptr(GEOSGeometry) dense = NULL;
    g_autoptr(GisGeometry) densified = NULL;

    if (g == NULL)
      return NULL;
    _gis_geos_clear_message (t);
    dense = GEOSDensify_r (t->handle, g, 1000);
    if (dense == NULL)
      {
        _gis_geos_set_error (t, error, "Densifying a buffer failed");
        return NULL;
      }
    densified = _gis_geometry_from_geos (t, dense, error);
    if (densified == NULL)
      return NULL;
    return gis_transform_geometry (back, densified, error);
  }
}

static void
collect_lines (GisGeosThread *t, const GEOSGeometry *g, GPtrArray *out)
{
  int type = GEOSGeomTypeId_r (t->handle, g);

  if (type == GEOS_LINESTRING)
    {
      if (!GEOSisEmpty_r (t->handle, g))
        g_ptr_array_add (out, GEOSGeom_clone_r (t->handle, g));
    }
  else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION)
    {
      int n = GEOSGetNumGeometries_r (t->handle, g);
      for (int i = 0; i < n; i++)
        collect_lines (t, GEOSGetGeometryN_r (t->handle, g, i), out);
    }
}

/* A tile of the buffer: at most this far across (km), so that the azimuthal equidistant
 * projection's scale across the buffer, 1 + (D/R)²/6 at distance D from its centre, stays
 * within 0.02 % (D ≤ 212 km). */
#define BUFFER_TILE_KM 300.0

/**
 * gis_geometry_buffer_metres:
 * @crs: the CRS of @geometry (geographic or projected)
 * @distance_m: the buffer distance in metres on the ground
 *
 * Buffers in an azimuthal equidistant projection centred on the geometry, where distances
 * from the centre are true, so that 500 m is 500 m whatever CRS the data came in. A shape
 * wider than 300 km (a border, a river) is cut into tiles, each buffered in a projection
 * centred on it, and the buffers are united: a buffer of a union is the union of the
 * buffers, and the width stays true to 0.02 % along the whole shape.
 *
 * Returns: (transfer full): the buffer, in @crs
 */
GisGeometry *
gis_geometry_buffer_metres (GisGeometry *geometry, GisCrs *crs, double distance_m,
                            GError **error)
{
  g_autoptr(GisCrs) geog = NULL;
  g_autoptr(GisTransform) to_geog = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  GisEnvelope e;
  double x[4], y[4], width_km, height_km, k;
  guint nx, ny;

  g_return_val_if_fail (geometry != NULL && crs != NULL, NULL);
  g_return_val_if_fail (isfinite (distance_m), NULL);

  gis_geometry_get_envelope (geometry, &e);
  if (gis_envelope_is_empty (&e))
    return gis_geometry_ref (geometry);
  geog = _gis_crs_new_geographic_base (crs, error);
  if (geog == NULL)
    return NULL;
  to_geog = gis_transform_new (crs, geog, error);
  if (to_geog == NULL)
    return NULL;
  /* The box's width across its middle, and its height. */
  x[0] = e.min_x; y[0] = (e.min_y + e.max_y) / 2;
  x[1] = e.max_x; y[1] = y[0];
  x[2] = (e.min_x + e.max_x) / 2; y[2] = e.min_y;
  x[3] = x[2]; y[3] = e.max_y;
  if (!gis_transform_points (to_geog, x, y, 4, error))
    return NULL;
  k = _gis_crs_get_angular_to_degrees (geog);
  width_km = gis_geodesic_distance (x[0] * k, y[0] * k, x[1] * k, y[1] * k) / 1000;
  height_km = gis_geodesic_distance (x[2] * k, y[2] * k, x[3] * k, y[3] * k) / 1000;
  nx = (guint) CLAMP (ceil (width_km / BUFFER_TILE_KM), 1, 64);
  ny = (guint) CLAMP (ceil (height_km / BUFFER_TILE_KM), 1, 64);
  if (nx == 1 && ny == 1)
    return buffer_local (geometry, crs, to_geog, distance_m, error);

  /* Tiles over the box made a little larger, so that a straight line along the box's edge
   * (a box with no height) still lies inside tiles with an area. */
  {
    double pad = MAX (e.max_x - e.min_x, e.max_y - e.min_y) * 1e-6;
    e.min_x -= pad;
    e.min_y -= pad;
    e.max_x += pad;
    e.max_y += pad;
  }
  parts = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  for (guint i = 0; i < nx; i++)
    for (guint j = 0; j < ny; j++)
      {
        GisEnvelope tile = {
          e.min_x + (e.max_x - e.min_x) * i / nx, e.min_y + (e.max_y - e.min_y) * j / ny,
          i + 1 == nx ? e.max_x : e.min_x + (e.max_x - e.min_x) * (i + 1) / nx,
          j + 1 == ny ? e.max_y : e.min_y + (e.max_y - e.min_y) * (j + 1) / ny,
        };
        g_autoptr(GisGeometry) part = gis_geometry_clip_to_box (geometry, &tile, error);
        GisGeometry *b;

        if (part == NULL)
          return NULL;
        if (gis_geometry_is_empty (part))
          continue;
        b = buffer_local (part, crs, to_geog, distance_m, error);
        if (b == NULL)
          return NULL;
        g_ptr_array_add (parts, b);
      }
  return gis_geometry_union_all ((GisGeometry **) parts->pdata, parts->len, error);
}

/**
 * gis_geometry_near_edges:
 * @a: a polygon or multipolygon
 * @b: another
 * @crs: their CRS
 * @tolerance_m: how far apart (metres on the ground) two boundaries may run and still count
 *   as one border
 *
 * The parts of @a's boundary that run within @tolerance_m of @b's boundary: a common border
 * where the two polygons come from sources that do not share their vertices exactly (a gap
 * or an overlap of a few hundred metres along the line).
 *
 * Returns: (transfer full): a MultiLineString, empty when no part of the boundaries is that
 *   close
 */
GisGeometry *
gis_geometry_near_edges (GisGeometry *a, GisGeometry *b, GisCrs *crs, double tolerance_m,
                         GError **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) ga = NULL;
  g_autoptr(GEOSGeometry) gb = NULL;
  g_autoptr(GEOSGeometry) ba = NULL;
  g_autoptr(GEOSGeometry) bb = NULL;
  g_autoptr(GEOSGeometry) near = NULL;
  g_autoptr(GEOSGeometry) common = NULL;
  g_autoptr(GisGeometry) b_line = NULL;
  g_autoptr(GisGeometry) b_near_a = NULL;
  g_autoptr(GisGeometry) zone = NULL;
  g_autoptr(GEOSGeometry) gzone = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  GisEnvelope ea, eb, box;
  double pad;

  g_return_val_if_fail (a != NULL && b != NULL && crs != NULL, NULL);
  g_return_val_if_fail (tolerance_m >= 0 && isfinite (tolerance_m), NULL);

  t = _gis_geos ();
  ga = _gis_geometry_to_geos (t, a, error);
  gb = ga ? _gis_geometry_to_geos (t, b, error) : NULL;
  if (gb == NULL)
    return NULL;
  _gis_geos_clear_message (t);
  ba = GEOSBoundary_r (t->handle, ga);
  bb = ba ? GEOSBoundary_r (t->handle, gb) : NULL;
  if (bb == NULL)
    {
      _gis_geos_set_error (t, error, "Boundary failed");
      return NULL;
    }
  /* Only the part of @b's boundary near @a's box is buffered. The pad is the tolerance in
   * CRS units, taken generously (a degree is at least 1/3 of 111 km up to 70° of latitude). */
  gis_geometry_get_envelope (a, &ea);
  gis_geometry_get_envelope (b, &eb);
  pad = gis_crs_is_geographic (crs) ? tolerance_m / 111320.0 * 3 : tolerance_m * 1.5;
  box = ea;
  box.min_x -= pad;
  box.min_y -= pad;
  box.max_x += pad;
  box.max_y += pad;
  if (!gis_envelope_intersects (&box, &eb))
    return gis_geometry_new_from_wkt ("MULTILINESTRING EMPTY", error);
  b_line = _gis_geometry_from_geos (t, bb, error);
  b_near_a = b_line ? gis_geometry_clip_to_box (b_line, &box, error) : NULL;
  if (b_near_a == NULL)
    return NULL;
  if (gis_geometry_is_empty (b_near_a))
    return gis_geometry_new_from_wkt ("MULTILINESTRING EMPTY", error);
  zone = gis_geometry_buffer_metres (b_near_a, crs, tolerance_m, error);
  if (zone == NULL)
    return NULL;
  gzone = _gis_geometry_to_geos (t, zone, error);
  if (gzone == NULL)
    return NULL;
  _gis_geos_clear_message (t);
  common = GEOSIntersection_r (t->handle, ba, gzone);
  if (common == NULL)
    {
      _gis_geos_set_error (t, error, "Near edges failed");
      return NULL;
    }
  collect_lines (t, common, lines);
  near = GEOSGeom_createCollection_r (t->handle, GEOS_MULTILINESTRING,
                                      (GEOSGeometry **) lines->pdata, lines->len);
  return _gis_geometry_from_geos (t, near, error);
}

/**
 * gis_crs_new_equal_area_for:
 * @lonlat_extent: the area of interest in WGS 84 longitude/latitude
 *
 * Returns: (transfer full): a Lambert azimuthal equal-area CRS on WGS 84 centred on the
 *   extent, the working CRS of overlays
 */
GisCrs *
gis_crs_new_equal_area_for (const GisEnvelope *lonlat_extent, GError **error)
{
  g_autoptr(GisCrs) wgs = NULL;

  g_return_val_if_fail (lonlat_extent != NULL, NULL);

  wgs = gis_crs_new_from_epsg (4326, error);
  if (wgs == NULL)
    return NULL;
  return _gis_crs_new_local (wgs, "laea", (lonlat_extent->min_x + lonlat_extent->max_x) / 2,
                             (lonlat_extent->min_y + lonlat_extent->max_y) / 2, error);
}
