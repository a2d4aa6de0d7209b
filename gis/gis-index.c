/* gis-index.c: STRtree over envelopes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-index"

#include "gis-index.h"
#include "gis-private.h"

struct _GisIndex {
  /* The tree belongs to the context that made it; queries from other threads reuse that
   * handle, which GEOS allows for a built tree (its query does not touch the context). */
  GEOSContextHandle_t  handle;
  GEOSSTRtree         *tree;
  GPtrArray           *boxes;
  gboolean             built;
  GMutex               build_lock;
};

GisIndex *
gis_index_new (void)
{
  GisIndex *self = g_new0 (GisIndex, 1);

  self->handle = GEOS_init_r ();
  self->tree = GEOSSTRtree_create_r (self->handle, 10);
  self->boxes = g_ptr_array_new ();
  g_mutex_init (&self->build_lock);
  return self;
}

static void
destroy_box (gpointer data, gpointer user_data)
{
  GisIndex *self = user_data;
  GEOSGeom_destroy_r (self->handle, data);
}

void
gis_index_free (GisIndex *self)
{
  if (self == NULL)
    return;
  GEOSSTRtree_destroy_r (self->handle, self->tree);
  g_ptr_array_foreach (self->boxes, destroy_box, self);
  g_ptr_array_unref (self->boxes);
  GEOS_finish_r (self->handle);
  g_mutex_clear (&self->build_lock);
  g_free (self);
}

static GEOSGeometry *
box_geometry (GEOSContextHandle_t h, const GisEnvelope *e)
{
  return GEOSGeom_createRectangle_r (h, e->min_x, e->min_y, e->max_x, e->max_y);
}

/**
 * gis_index_insert:
 * @item: the caller's number for this envelope (e.g. an array index)
 */
void
gis_index_insert (GisIndex *self, const GisEnvelope *envelope, guint item)
{
  GEOSGeometry *box;

  g_return_if_fail (self != NULL && envelope != NULL);
  g_return_if_fail (!self->built);

  if (gis_envelope_is_empty (envelope))
    return;
  box = box_geometry (self->handle, envelope);
  g_ptr_array_add (self->boxes, box);
  GEOSSTRtree_insert_r (self->handle, self->tree, box, GUINT_TO_POINTER (item + 1));
}

guint
gis_index_get_size (GisIndex *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->boxes->len;
}

static void
ignore_cb (void *item, void *user_data)
{
}

void
gis_index_build (GisIndex *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->build_lock);
  if (!self->built)
    {
      /* GEOS builds the tree lazily on the first query; force it now so that later
       * queries from several threads only read. */
      GEOSGeometry *probe = GEOSGeom_createRectangle_r (self->handle, 0, 0, 0, 0);
      GEOSSTRtree_query_r (self->handle, self->tree, probe, ignore_cb, NULL);
      GEOSGeom_destroy_r (self->handle, probe);
      self->built = TRUE;
    }
  g_mutex_unlock (&self->build_lock);
}

static void
collect_cb (void *item, void *user_data)
{
  guint v = GPOINTER_TO_UINT (item) - 1;
  g_array_append_val ((GArray *) user_data, v);
}

static int
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  return x < y ? -1 : x > y;
}

/**
 * gis_index_query:
 *
 * Returns: (transfer full) (element-type guint): the items whose envelope meets @envelope,
 *   in ascending order
 */
GArray *
gis_index_query (GisIndex *self, const GisEnvelope *envelope)
{
  GArray *result;
  GisGeosThread *t;
  GEOSGeometry *box;

  g_return_val_if_fail (self != NULL && envelope != NULL, NULL);

  result = g_array_new (FALSE, FALSE, sizeof (guint));
  if (gis_envelope_is_empty (envelope))
    return result;
  gis_index_build (self);
  t = _gis_geos ();
  box = box_geometry (t->handle, envelope);
  GEOSSTRtree_query_r (t->handle, self->tree, box, collect_cb, result);
  GEOSGeom_destroy_r (t->handle, box);
  g_array_sort (result, compare_uint);
  return result;
}
