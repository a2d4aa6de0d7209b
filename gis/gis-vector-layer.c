/* gis-vector-layer.c: a vector layer held in memory for drawing and picking
 *
 * The map canvas redraws a layer many times a second while the user pans. Reading it
 * through OGR every frame would be I/O bound, so the layer is read once, reprojected
 * into the map's CRS and kept as flat coordinate arrays with a spatial index. After
 * loading nothing changes, so renderers in several threads read it without locks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-vector-layer"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gis-index.h"
#include "gis-private.h"
#include "gis-render-private.h"
#include "gis-vector-layer.h"

struct _GisVectorLayer {
  GObject       parent_instance;

  /* Owned */
  char         *name;
  GisCrs       *crs;
  GArray       *features;   /* GisVFeature */
  GArray       *parts;      /* GisVPart */
  GArray       *x;          /* double */
  GArray       *y;          /* double */
  GArray       *fids;       /* gint64 */
  GStrv         field_names;
  guint         n_fields;
  GPtrArray    *values;     /* n_features × n_fields, borrowed from @strings */
  GStringChunk *strings;
  GisIndex     *index;
  GisEnvelope   extent;
  GisShapeKind  shape;

  /* Classification cache: the last style asked for, and its classes. */
  GMutex        class_lock;
  GisStyle     *class_style;
  GBytes       *classes;
};

G_DEFINE_FINAL_TYPE (GisVectorLayer, gis_vector_layer, G_TYPE_OBJECT)

static void
gis_vector_layer_finalize (GObject *object)
{
  GisVectorLayer *self = GIS_VECTOR_LAYER (object);

  g_free (self->name);
  g_clear_pointer (&self->crs, gis_crs_unref);
  g_array_unref (self->features);
  g_array_unref (self->parts);
  g_array_unref (self->x);
  g_array_unref (self->y);
  g_array_unref (self->fids);
  g_strfreev (self->field_names);
  g_ptr_array_unref (self->values);
  g_string_chunk_free (self->strings);
  g_clear_pointer (&self->index, gis_index_free);
  g_clear_pointer (&self->class_style, gis_style_unref);
  g_clear_pointer (&self->classes, g_bytes_unref);
  g_mutex_clear (&self->class_lock);

  G_OBJECT_CLASS (gis_vector_layer_parent_class)->finalize (object);
}

static void
gis_vector_layer_class_init (GisVectorLayerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gis_vector_layer_finalize;
}

static void
gis_vector_layer_init (GisVectorLayer *self)
{
  self->features = g_array_new (FALSE, FALSE, sizeof (GisVFeature));
  self->parts = g_array_new (FALSE, FALSE, sizeof (GisVPart));
  self->x = g_array_new (FALSE, FALSE, sizeof (double));
  self->y = g_array_new (FALSE, FALSE, sizeof (double));
  self->fids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->values = g_ptr_array_new ();
  self->strings = g_string_chunk_new (64 * 1024);
  self->extent = GIS_ENVELOPE_EMPTY;
  g_mutex_init (&self->class_lock);
}

/* Loading */

typedef struct {
  GisVectorLayer *self;
  GisTransform   *transform;
  GError         *error;
  gboolean        failed;
  gint64          fid;
  guint           kinds;      /* bit per GisShapeKind seen */
  gint64          n_expected;
  guint           n_seen;
  GisProgressFunc progress;
  gpointer        progress_data;
} Loader;

static double
signed_area (const double *x, const double *y, guint n)
{
  double a = 0;

  for (guint i = 0; i + 1 < n; i++)
    a += (x[i] - x[0]) * (y[i + 1] - y[0]) - (x[i + 1] - x[0]) * (y[i] - y[0]);
  return a / 2;
}

static void
add_part (Loader *l, GisPartKind kind, const double *xy, guint n)
{
  GisVectorLayer *self = l->self;
  GisVPart part;
  guint first = self->x->len;
  double *px, *py;

  if (l->failed || n == 0)
    return;
  part.first = first;
  part.n = n;
  part.kind = kind;
  g_array_set_size (self->x, first + n);
  g_array_set_size (self->y, first + n);
  px = &g_array_index (self->x, double, first);
  py = &g_array_index (self->y, double, first);
  for (guint i = 0; i < n; i++)
    {
      px[i] = xy[2 * i];
      py[i] = xy[2 * i + 1];
    }
  if (l->transform != NULL && !gis_transform_is_identity (l->transform) &&
      !gis_transform_points (l->transform, px, py, n, &l->error))
    {
      l->failed = TRUE;
      return;
    }
  for (guint i = 0; i < n; i++)
    if (!isfinite (px[i]) || !isfinite (py[i]))
      {
        l->failed = TRUE;
        g_set_error (&l->error, GIS_ERROR, GIS_ERROR_GEOMETRY,
                     "feature %" G_GINT64_FORMAT " has a vertex that is not a finite number "
                     "in the map's CRS", l->fid);
        return;
      }
  if (kind == GIS_PART_SHELL || kind == GIS_PART_HOLE)
    {
      double a = signed_area (px, py, n);
      if ((kind == GIS_PART_SHELL && a < 0) || (kind == GIS_PART_HOLE && a > 0))
        for (guint i = 0; i < n / 2; i++)
          {
            double t = px[i];
            px[i] = px[n - 1 - i];
            px[n - 1 - i] = t;
            t = py[i];
            py[i] = py[n - 1 - i];
            py[n - 1 - i] = t;
          }
    }
  g_array_append_val (self->parts, part);
}

static void
point_cb (guint polygon, guint ring, const double *xy, guint n, gpointer user_data)
{
  Loader *l = user_data;

  l->kinds |= 1u << GIS_SHAPE_POINT;
  add_part (l, GIS_PART_POINT, xy, n);
}

static void
line_cb (guint polygon, guint ring, const double *xy, guint n, gpointer user_data)
{
  Loader *l = user_data;

  l->kinds |= 1u << GIS_SHAPE_LINE;
  add_part (l, GIS_PART_LINE, xy, n);
}

static void
ring_cb (guint polygon, guint ring, const double *xy, guint n, gpointer user_data)
{
  Loader *l = user_data;

  l->kinds |= 1u << GIS_SHAPE_POLYGON;
  add_part (l, ring == 0 ? GIS_PART_SHELL : GIS_PART_HOLE, xy, n);
}

static gboolean
add_feature (Loader *l, gint64 fid, GisGeometry *geometry, char **values, guint n_values,
             GError **error)
{
  GisVectorLayer *self = l->self;
  GisVFeature f = { GIS_ENVELOPE_EMPTY, self->parts->len, 0 };

  l->fid = fid;
  if (geometry != NULL)
    _gis_geometry_walk (geometry, point_cb, line_cb, ring_cb, l);
  if (l->failed)
    {
      g_propagate_error (error, g_steal_pointer (&l->error));
      return FALSE;
    }
  f.n_parts = self->parts->len - f.first_part;
  for (guint p = f.first_part; p < self->parts->len; p++)
    {
      const GisVPart *part = &g_array_index (self->parts, GisVPart, p);
      for (guint i = part->first; i < part->first + part->n; i++)
        gis_envelope_add_point (&f.envelope, g_array_index (self->x, double, i),
                                g_array_index (self->y, double, i));
    }
  g_array_append_val (self->features, f);
  g_array_append_val (self->fids, fid);
  for (guint i = 0; i < self->n_fields; i++)
    {
      const char *v = i < n_values ? values[i] : NULL;
      g_ptr_array_add (self->values,
                       v != NULL ? g_string_chunk_insert_const (self->strings, v) : NULL);
    }
  gis_envelope_expand (&self->extent, &f.envelope);
  return TRUE;
}

static gboolean
feature_cb (GisFeature *feature, gpointer user_data, GError **error)
{
  Loader *l = user_data;

  if (!add_feature (l, feature->fid, feature->geometry, feature->values, feature->n_values,
                    error))
    return FALSE;
  l->n_seen++;
  if (l->progress != NULL && l->n_expected > 0 && (l->n_seen & 4095) == 0)
    l->progress (MIN (1.0, (double) l->n_seen / l->n_expected), l->progress_data);
  return TRUE;
}

static const GisEnvelope *
feature_box (gpointer data, guint i)
{
  return &g_array_index ((GArray *) data, GisVFeature, i).envelope;
}

/* Stores the features along a Hilbert curve: features close on the map are then close in
 * memory, and a frame walks both its data and its pixels in order instead of jumping
 * about. Feature numbers change; fids and values move with their features. */
static void
sort_spatially (GisVectorLayer *self)
{
  guint n = self->features->len;
  g_autofree guint *order = NULL;
  GArray *features, *parts, *x, *y, *fids;
  GPtrArray *values;

  if (n < 2 || gis_envelope_is_empty (&self->extent))
    return;
  order = gis_hilbert_sort (n, feature_box, self->features, &self->extent);

  features = g_array_sized_new (FALSE, FALSE, sizeof (GisVFeature), n);
  parts = g_array_sized_new (FALSE, FALSE, sizeof (GisVPart), self->parts->len);
  x = g_array_sized_new (FALSE, FALSE, sizeof (double), self->x->len);
  y = g_array_sized_new (FALSE, FALSE, sizeof (double), self->y->len);
  fids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
  values = g_ptr_array_sized_new ((guint) ((gsize) n * self->n_fields));
  for (guint r = 0; r < n; r++)
    {
      guint i = order[r];
      GisVFeature f = g_array_index (self->features, GisVFeature, i);
      guint first_part = parts->len;

      for (guint p = 0; p < f.n_parts; p++)
        {
          GisVPart part = g_array_index (self->parts, GisVPart, f.first_part + p);
          guint first = x->len;
          g_array_append_vals (x, &g_array_index (self->x, double, part.first), part.n);
          g_array_append_vals (y, &g_array_index (self->y, double, part.first), part.n);
          part.first = first;
          g_array_append_val (parts, part);
        }
      f.first_part = first_part;
      g_array_append_val (features, f);
      g_array_append_val (fids, g_array_index (self->fids, gint64, i));
      for (guint k = 0; k < self->n_fields; k++)
        g_ptr_array_add (values, g_ptr_array_index (self->values,
                                                    (gsize) i * self->n_fields + k));
    }
  g_array_unref (self->features);
  g_array_unref (self->parts);
  g_array_unref (self->x);
  g_array_unref (self->y);
  g_array_unref (self->fids);
  g_ptr_array_unref (self->values);
  self->features = features;
  self->parts = parts;
  self->x = x;
  self->y = y;
  self->fids = fids;
  self->values = values;
}

static void
finish (GisVectorLayer *self, guint kinds)
{
  guint n_kinds = 0;

  sort_spatially (self);

  for (guint k = GIS_SHAPE_POINT; k <= GIS_SHAPE_POLYGON; k++)
    if (kinds & (1u << k))
      {
        n_kinds++;
        self->shape = k;
      }
  if (n_kinds == 0)
    self->shape = GIS_SHAPE_NONE;
  else if (n_kinds > 1)
    self->shape = GIS_SHAPE_MIXED;

  /* Built now, while only this thread sees the layer: GEOS builds STRtrees lazily, which
   * is not safe once several renderers query it. */
  self->index = gis_index_new ();
  for (guint i = 0; i < self->features->len; i++)
    {
      const GisVFeature *f = &g_array_index (self->features, GisVFeature, i);
      if (!gis_envelope_is_empty (&f->envelope))
        gis_index_insert (self->index, &f->envelope, i);
    }
  gis_index_build (self->index);
}

/**
 * gis_vector_layer_load:
 * @layer_name: (nullable): the layer of @dataset, or %NULL for its first
 * @target_crs: (nullable): the CRS to hold coordinates in, or %NULL for the layer's own
 * @progress: (nullable) (scope call): told how far the reading got
 *
 * Reads every feature of a layer into memory. Blocking; run it in a worker thread.
 *
 * Returns: (transfer full): the layer, or %NULL with an error naming the file, the layer
 *   and the feature
 */
GisVectorLayer *
gis_vector_layer_load (GisDataset      *dataset,
                       const char      *layer_name,
                       GisCrs          *target_crs,
                       GisProgressFunc  progress,
                       gpointer         progress_data,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_autoptr(GisVectorLayer) self = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(GisTransform) transform = NULL;
  Loader l = { 0 };

  g_return_val_if_fail (GIS_IS_DATASET (dataset), NULL);

  info = gis_dataset_describe_layer (dataset, layer_name, error);
  if (info == NULL)
    return NULL;
  if (!info->has_geometry)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "“%s”, layer “%s” has no geometry",
                   gis_dataset_get_path (dataset), info->name);
      return NULL;
    }
  if (info->crs == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS,
                   "“%s”, layer “%s” has no CRS; Placer does not guess one",
                   gis_dataset_get_path (dataset), info->name);
      return NULL;
    }
  if (target_crs != NULL)
    {
      transform = gis_transform_new (info->crs, target_crs, error);
      if (transform == NULL)
        return NULL;
    }

  self = g_object_new (GIS_TYPE_VECTOR_LAYER, NULL);
  self->name = g_strdup (info->name);
  self->crs = gis_crs_ref (target_crs != NULL ? target_crs : info->crs);
  self->n_fields = info->fields->len;
  self->field_names = g_new0 (char *, self->n_fields + 1);
  for (guint i = 0; i < self->n_fields; i++)
    self->field_names[i] = g_strdup (((GisFieldInfo *) g_ptr_array_index (info->fields, i))->name);

  l.self = self;
  l.transform = transform;
  l.n_expected = info->feature_count;
  l.progress = progress;
  l.progress_data = progress_data;
  if (!gis_dataset_foreach_feature (dataset, info->name, NULL, feature_cb, &l, cancellable,
                                    error))
    {
      g_clear_error (&l.error);
      return NULL;
    }
  finish (self, l.kinds);
  if (progress != NULL)
    progress (1.0, progress_data);
  return g_steal_pointer (&self);
}

/**
 * gis_vector_layer_new_from_features:
 * @features: (element-type GisFeature): features whose geometries are in @crs
 * @field_names: (array zero-terminated=1): the names of the features' values
 *
 * Builds a layer from features already in memory (a project's zones, an analysis result).
 *
 * Returns: (transfer full): the layer
 */
GisVectorLayer *
gis_vector_layer_new_from_features (GPtrArray          *features,
                                    const char *const  *field_names,
                                    GisCrs             *crs,
                                    GError            **error)
{
  g_autoptr(GisVectorLayer) self = NULL;
  Loader l = { 0 };

  g_return_val_if_fail (features != NULL && field_names != NULL && crs != NULL, NULL);

  self = g_object_new (GIS_TYPE_VECTOR_LAYER, NULL);
  self->crs = gis_crs_ref (crs);
  self->field_names = g_strdupv ((char **) field_names);
  self->n_fields = g_strv_length (self->field_names);
  l.self = self;
  for (guint i = 0; i < features->len; i++)
    {
      GisFeature *f = g_ptr_array_index (features, i);
      if (!add_feature (&l, f->fid, f->geometry, f->values, f->n_values, error))
        return NULL;
    }
  finish (self, l.kinds);
  return g_steal_pointer (&self);
}

/* Accessors */

const char *
gis_vector_layer_get_name (GisVectorLayer *self)
{
  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), NULL);
  return self->name;
}

/**
 * gis_vector_layer_get_crs:
 *
 * Returns: (transfer none): the CRS the coordinates are held in
 */
GisCrs *
gis_vector_layer_get_crs (GisVectorLayer *self)
{
  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), NULL);
  return self->crs;
}

GisShapeKind
gis_vector_layer_get_shape_kind (GisVectorLayer *self)
{
  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), GIS_SHAPE_NONE);
  return self->shape;
}

guint
gis_vector_layer_get_n_features (GisVectorLayer *self)
{
  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), 0);
  return self->features->len;
}

guint64
gis_vector_layer_get_n_vertices (GisVectorLayer *self)
{
  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), 0);
  return self->x->len;
}

void
gis_vector_layer_get_extent (GisVectorLayer *self, GisEnvelope *extent)
{
  g_return_if_fail (GIS_IS_VECTOR_LAYER (self));
  *extent = self->extent;
}

guint
gis_vector_layer_get_n_fields (GisVectorLayer *self)
{
  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), 0);
  return self->n_fields;
}

const char *
gis_vector_layer_get_field_name (GisVectorLayer *self, guint field)
{
  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), NULL);
  g_return_val_if_fail (field < self->n_fields, NULL);
  return self->field_names[field];
}

/**
 * gis_vector_layer_find_field:
 *
 * Returns: the index of the field named @name (case-insensitive), or -1
 */
int
gis_vector_layer_find_field (GisVectorLayer *self, const char *name)
{
  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), -1);
  if (name == NULL)
    return -1;
  for (guint i = 0; i < self->n_fields; i++)
    if (g_ascii_strcasecmp (self->field_names[i], name) == 0)
      return (int) i;
  return -1;
}

gint64
gis_vector_layer_get_fid (GisVectorLayer *self, guint feature)
{
  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), -1);
  g_return_val_if_fail (feature < self->features->len, -1);
  return g_array_index (self->fids, gint64, feature);
}

/**
 * gis_vector_layer_get_value:
 *
 * Returns: (nullable): the value as machine text, %NULL for a null field
 */
const char *
gis_vector_layer_get_value (GisVectorLayer *self, guint feature, guint field)
{
  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), NULL);
  g_return_val_if_fail (feature < self->features->len && field < self->n_fields, NULL);
  return g_ptr_array_index (self->values, (gsize) feature * self->n_fields + field);
}

void
gis_vector_layer_get_feature_extent (GisVectorLayer *self, guint feature, GisEnvelope *extent)
{
  g_return_if_fail (GIS_IS_VECTOR_LAYER (self));
  g_return_if_fail (feature < self->features->len);
  *extent = g_array_index (self->features, GisVFeature, feature).envelope;
}

static void
put_u32 (GByteArray *b, guint32 v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

static void
put_points (GByteArray *b, const double *x, const double *y, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      double xy[2] = { x[i], y[i] };
      guint64 v[2];
      memcpy (v, xy, 16);
      v[0] = GUINT64_TO_LE (v[0]);
      v[1] = GUINT64_TO_LE (v[1]);
      g_byte_array_append (b, (const guint8 *) v, 16);
    }
}

static void
put_header (GByteArray *b, guint32 type)
{
  guint8 order = 1;

  g_byte_array_append (b, &order, 1);
  put_u32 (b, type);
}

/**
 * gis_vector_layer_dup_geometry:
 *
 * Returns: (transfer full) (nullable): the feature's geometry in the layer's CRS (a
 *   multi-geometry when it has several parts), or %NULL if it has none
 */
GisGeometry *
gis_vector_layer_dup_geometry (GisVectorLayer *self, guint feature)
{
  const GisVFeature *f;
  const double *x, *y;
  g_autoptr(GByteArray) b = NULL;
  guint n_items = 0, kind;
  GisGeometryType single, multi;

  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), NULL);
  g_return_val_if_fail (feature < self->features->len, NULL);

  f = &g_array_index (self->features, GisVFeature, feature);
  if (f->n_parts == 0)
    return NULL;
  x = (const double *) (gpointer) self->x->data;
  y = (const double *) (gpointer) self->y->data;
  kind = g_array_index (self->parts, GisVPart, f->first_part).kind;
  if (kind == GIS_PART_POINT)
    single = GIS_GEOMETRY_POINT, multi = GIS_GEOMETRY_MULTIPOINT;
  else if (kind == GIS_PART_LINE)
    single = GIS_GEOMETRY_LINESTRING, multi = GIS_GEOMETRY_MULTILINESTRING;
  else
    single = GIS_GEOMETRY_POLYGON, multi = GIS_GEOMETRY_MULTIPOLYGON;

  for (guint p = 0; p < f->n_parts; p++)
    if (g_array_index (self->parts, GisVPart, f->first_part + p).kind != GIS_PART_HOLE)
      n_items++;

  b = g_byte_array_new ();
  if (n_items > 1)
    {
      put_header (b, multi);
      put_u32 (b, n_items);
    }
  for (guint p = 0; p < f->n_parts;)
    {
      const GisVPart *part = &g_array_index (self->parts, GisVPart, f->first_part + p);
      put_header (b, single);
      if (single == GIS_GEOMETRY_POINT)
        {
          put_points (b, x + part->first, y + part->first, 1);
          p++;
        }
      else if (single == GIS_GEOMETRY_LINESTRING)
        {
          put_u32 (b, part->n);
          put_points (b, x + part->first, y + part->first, part->n);
          p++;
        }
      else
        {
          guint n_rings = 1;
          while (p + n_rings < f->n_parts &&
                 g_array_index (self->parts, GisVPart, f->first_part + p + n_rings).kind ==
                 GIS_PART_HOLE)
            n_rings++;
          put_u32 (b, n_rings);
          for (guint r = 0; r < n_rings; r++)
            {
              const GisVPart *ring = &g_array_index (self->parts, GisVPart,
                                                     f->first_part + p + r);
              put_u32 (b, ring->n);
              put_points (b, x + ring->first, y + ring->first, ring->n);
            }
          p += n_rings;
        }
    }
  return gis_geometry_new_from_wkb (b->data, b->len, NULL);
}

/**
 * gis_vector_layer_query:
 *
 * Returns: (transfer full) (element-type guint): the features whose envelopes meet
 *   @envelope, in layer order
 */
GArray *
gis_vector_layer_query (GisVectorLayer *self, const GisEnvelope *envelope)
{
  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), NULL);
  g_return_val_if_fail (envelope != NULL, NULL);
  return gis_index_query (self->index, envelope);
}

/* Picking */

static gboolean
ring_contains (const double *x, const double *y, guint n, double px, double py)
{
  gboolean inside = FALSE;

  for (guint i = 0, j = n - 1; i < n; j = i++)
    if ((y[i] > py) != (y[j] > py) &&
        px < (x[j] - x[i]) * (py - y[i]) / (y[j] - y[i]) + x[i])
      inside = !inside;
  return inside;
}

static double
segment_distance2 (double px, double py, double ax, double ay, double bx, double by)
{
  double dx = bx - ax, dy = by - ay;
  double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;

  t = CLAMP (t, 0.0, 1.0);
  dx = ax + t * dx - px;
  dy = ay + t * dy - py;
  return dx * dx + dy * dy;
}

/* Distance from (px, py) to a feature: 0 inside a polygon, else to its nearest vertex or
 * edge. */
static double
feature_distance (GisVectorLayer *self, guint feature, double px, double py)
{
  const GisVFeature *f = &g_array_index (self->features, GisVFeature, feature);
  const double *x = (const double *) (gpointer) self->x->data;
  const double *y = (const double *) (gpointer) self->y->data;
  double best = G_MAXDOUBLE;
  gboolean inside = FALSE;

  for (guint p = 0; p < f->n_parts; p++)
    {
      const GisVPart *part = &g_array_index (self->parts, GisVPart, f->first_part + p);
      const double *px_ = x + part->first, *py_ = y + part->first;

      if (part->kind == GIS_PART_SHELL || part->kind == GIS_PART_HOLE)
        if (ring_contains (px_, py_, part->n, px, py))
          inside = !inside;
      if (part->n == 1)
        best = MIN (best, (px_[0] - px) * (px_[0] - px) + (py_[0] - py) * (py_[0] - py));
      for (guint i = 0; i + 1 < part->n; i++)
        best = MIN (best, segment_distance2 (px, py, px_[i], py_[i], px_[i + 1], py_[i + 1]));
    }
  return inside ? 0 : sqrt (best);
}

/**
 * gis_vector_layer_pick:
 * @tolerance: how far from a line or point a click may land, in map units
 * @feature: (out): the feature hit
 *
 * Finds the feature under a point: the topmost (last drawn) polygon containing it, or the
 * nearest point or line within @tolerance.
 *
 * Returns: %TRUE if a feature was hit
 */
gboolean
gis_vector_layer_pick (GisVectorLayer *self, double x, double y, double tolerance,
                       guint *feature)
{
  GisEnvelope box = { x - tolerance, y - tolerance, x + tolerance, y + tolerance };
  g_autoptr(GArray) hits = NULL;
  double best = G_MAXDOUBLE;
  gboolean found = FALSE;

  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (self), FALSE);
  g_return_val_if_fail (feature != NULL, FALSE);

  hits = gis_index_query (self->index, &box);
  for (guint k = hits->len; k > 0; k--)
    {
      guint i = g_array_index (hits, guint, k - 1);
      double d = feature_distance (self, i, x, y);
      if (d <= tolerance && d < best)
        {
          best = d;
          *feature = i;
          found = TRUE;
          if (d == 0)
            break;
        }
    }
  return found;
}

/* For the renderer */

void
_gis_vector_layer_get_arrays (GisVectorLayer *self, GisVectorArrays *arrays)
{
  g_assert (GIS_IS_VECTOR_LAYER (self));
  arrays->features = (const GisVFeature *) (gpointer) self->features->data;
  arrays->n_features = self->features->len;
  arrays->parts = (const GisVPart *) (gpointer) self->parts->data;
  arrays->x = (const double *) (gpointer) self->x->data;
  arrays->y = (const double *) (gpointer) self->y->data;
}

/* Whether the classes of @style are at hand (computed already). */
gboolean
_gis_vector_layer_is_classified (GisVectorLayer *self, GisStyle *style)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->class_lock);

  g_assert (GIS_IS_VECTOR_LAYER (self));
  return self->classes != NULL && self->class_style != NULL &&
         gis_style_equal (self->class_style, style);
}

const guint16 *
_gis_vector_layer_classify (GisVectorLayer *self, GisStyle *style, GBytes **out_ref)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->class_lock);

  g_assert (GIS_IS_VECTOR_LAYER (self));
  g_assert (style != NULL && out_ref != NULL);

  if (self->classes == NULL || self->class_style == NULL ||
      !gis_style_equal (self->class_style, style))
    {
      guint n = self->features->len;
      guint16 *classes = g_new (guint16, MAX (n, 1));
      int field = gis_vector_layer_find_field (self, gis_style_get_field (style));
      guint other = gis_style_get_n_classes (style);

      for (guint i = 0; i < n; i++)
        {
          const char *v = field >= 0 ? g_ptr_array_index (self->values,
                                                          (gsize) i * self->n_fields + field)
                                     : NULL;
          classes[i] = (guint16) MIN (field >= 0 ? gis_style_classify (style, v) : other,
                                      G_MAXUINT16);
        }
      g_clear_pointer (&self->classes, g_bytes_unref);
      g_clear_pointer (&self->class_style, gis_style_unref);
      self->classes = g_bytes_new_take (classes, sizeof (guint16) * MAX (n, 1));
      self->class_style = gis_style_ref (style);
    }
  *out_ref = g_bytes_ref (self->classes);
  return g_bytes_get_data (self->classes, NULL);
}
