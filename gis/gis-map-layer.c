/* gis-map-layer.c: one layer of a map, as the user sees and styles it
 *
 * A plain GObject the layer list observes. Renderers never read it directly: they get a
 * GisLayerSnapshot, made on the main thread, that no later change can touch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-map-layer"

#include "gis-crs.h"
#include "gis-map-layer.h"
#include "gis-render-private.h"

struct _GisMapLayer {
  GObject         parent_instance;

  /* Owned */
  char           *title;
  char           *role;
  GisVectorLayer *vector;
  GisRaster      *raster;
  GisStyle       *style;
  gint64          id;
  gboolean        visible;
  double          opacity;
  guint64         key;
};

enum {
  PROP_0,
  PROP_TITLE,
  PROP_ROLE,
  PROP_ID,
  PROP_VISIBLE,
  PROP_OPACITY,
  PROP_STYLE,
  PROP_VECTOR,
  PROP_RASTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (GisMapLayer, gis_map_layer, G_TYPE_OBJECT)

/* Every content or style change gets a new key, so cached images of the old state are
 * never shown for the new one. */
static guint64
next_key (void)
{
  static guint64 counter;
  return g_atomic_pointer_add (&counter, 1) + 1;
}

/* Snapshots */

GisLayerSnapshot *
gis_layer_snapshot_ref (GisLayerSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, NULL);
  g_atomic_ref_count_inc (&snapshot->ref_count);
  return snapshot;
}

void
gis_layer_snapshot_unref (GisLayerSnapshot *snapshot)
{
  g_return_if_fail (snapshot != NULL);
  if (!g_atomic_ref_count_dec (&snapshot->ref_count))
    return;
  g_clear_object (&snapshot->vector);
  g_clear_object (&snapshot->raster);
  g_clear_pointer (&snapshot->style, gis_style_unref);
  g_free (snapshot->title);
  g_free (snapshot);
}

G_DEFINE_BOXED_TYPE (GisLayerSnapshot, gis_layer_snapshot, gis_layer_snapshot_ref,
                     gis_layer_snapshot_unref)

/* The layer */

static void
gis_map_layer_finalize (GObject *object)
{
  GisMapLayer *self = GIS_MAP_LAYER (object);

  g_free (self->title);
  g_free (self->role);
  g_clear_object (&self->vector);
  g_clear_object (&self->raster);
  g_clear_pointer (&self->style, gis_style_unref);

  G_OBJECT_CLASS (gis_map_layer_parent_class)->finalize (object);
}

static void
gis_map_layer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GisMapLayer *self = GIS_MAP_LAYER (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_VISIBLE:
      g_value_set_boolean (value, self->visible);
      break;
    case PROP_OPACITY:
      g_value_set_double (value, self->opacity);
      break;
    case PROP_STYLE:
      g_value_set_boxed (value, self->style);
      break;
    case PROP_VECTOR:
      g_value_set_object (value, self->vector);
      break;
    case PROP_RASTER:
      g_value_set_object (value, self->raster);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gis_map_layer_set_property (GObject *object, guint prop_id, const GValue *value,
                            GParamSpec *pspec)
{
  GisMapLayer *self = GIS_MAP_LAYER (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      gis_map_layer_set_title (self, g_value_get_string (value));
      break;
    case PROP_ROLE:
      gis_map_layer_set_role (self, g_value_get_string (value));
      break;
    case PROP_ID:
      gis_map_layer_set_id (self, g_value_get_int64 (value));
      break;
    case PROP_VISIBLE:
      gis_map_layer_set_visible (self, g_value_get_boolean (value));
      break;
    case PROP_OPACITY:
      gis_map_layer_set_opacity (self, g_value_get_double (value));
      break;
    case PROP_STYLE:
      if (g_value_get_boxed (value) != NULL)
        gis_map_layer_set_style (self, g_value_get_boxed (value));
      break;
    case PROP_VECTOR:
      if (g_value_get_object (value) != NULL)
        gis_map_layer_set_vector (self, g_value_get_object (value));
      break;
    case PROP_RASTER:
      g_set_object (&self->raster, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gis_map_layer_class_init (GisMapLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = gis_map_layer_finalize;
  object_class->get_property = gis_map_layer_get_property;
  object_class->set_property = gis_map_layer_set_property;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, rw);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, rw);
  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, -1, G_MAXINT64, -1, rw);
  properties[PROP_VISIBLE] = g_param_spec_boolean ("visible", NULL, NULL, TRUE, rw);
  properties[PROP_OPACITY] = g_param_spec_double ("opacity", NULL, NULL, 0, 1, 1, rw);
  properties[PROP_STYLE] = g_param_spec_boxed ("style", NULL, NULL, GIS_TYPE_STYLE, rw);
  properties[PROP_VECTOR] = g_param_spec_object ("vector", NULL, NULL, GIS_TYPE_VECTOR_LAYER,
                                                 rw);
  properties[PROP_RASTER] = g_param_spec_object ("raster", NULL, NULL, GIS_TYPE_RASTER,
                                                 G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                                 G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gis_map_layer_init (GisMapLayer *self)
{
  self->visible = TRUE;
  self->opacity = 1.0;
  self->id = -1;
  self->key = next_key ();
}

/**
 * gis_map_layer_new_vector:
 * @style: the layer's style; it must not be changed afterwards
 *
 * Returns: (transfer full): a visible, opaque layer
 */
GisMapLayer *
gis_map_layer_new_vector (const char *title, GisVectorLayer *data, GisStyle *style)
{
  g_return_val_if_fail (GIS_IS_VECTOR_LAYER (data), NULL);
  g_return_val_if_fail (style != NULL, NULL);

  /* Layers are made where their data was loaded, in a worker: each feature's class under
   * the style is worked out there, not by the first frame. */
  if (gis_style_get_kind (style) != GIS_STYLE_SINGLE)
    {
      g_autoptr(GBytes) classes = NULL;
      _gis_vector_layer_classify (data, style, &classes);
    }
  return g_object_new (GIS_TYPE_MAP_LAYER, "title", title, "vector", data, "style", style,
                       NULL);
}

/**
 * gis_map_layer_new_raster:
 * @style: a categorized style maps pixel values (as text) to colours; a graduated style
 *   maps value ranges; a single style draws the raster's own colour table, or grey
 *
 * Returns: (transfer full): a visible, opaque layer
 */
GisMapLayer *
gis_map_layer_new_raster (const char *title, GisRaster *raster, GisStyle *style)
{
  g_return_val_if_fail (GIS_IS_RASTER (raster), NULL);
  g_return_val_if_fail (style != NULL, NULL);
  return g_object_new (GIS_TYPE_MAP_LAYER, "title", title, "raster", raster, "style", style,
                       NULL);
}

const char *
gis_map_layer_get_title (GisMapLayer *self)
{
  g_return_val_if_fail (GIS_IS_MAP_LAYER (self), NULL);
  return self->title;
}

void
gis_map_layer_set_title (GisMapLayer *self, const char *title)
{
  g_return_if_fail (GIS_IS_MAP_LAYER (self));
  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
gis_map_layer_get_role (GisMapLayer *self)
{
  g_return_val_if_fail (GIS_IS_MAP_LAYER (self), NULL);
  return self->role;
}

void
gis_map_layer_set_role (GisMapLayer *self, const char *role)
{
  g_return_if_fail (GIS_IS_MAP_LAYER (self));
  if (g_strcmp0 (self->role, role) == 0)
    return;
  g_free (self->role);
  self->role = g_strdup (role);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
}

/**
 * gis_map_layer_get_id:
 *
 * Returns: the id of the layer in its project, or -1
 */
gint64
gis_map_layer_get_id (GisMapLayer *self)
{
  g_return_val_if_fail (GIS_IS_MAP_LAYER (self), -1);
  return self->id;
}

void
gis_map_layer_set_id (GisMapLayer *self, gint64 id)
{
  g_return_if_fail (GIS_IS_MAP_LAYER (self));
  if (self->id == id)
    return;
  self->id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

gboolean
gis_map_layer_get_visible (GisMapLayer *self)
{
  g_return_val_if_fail (GIS_IS_MAP_LAYER (self), FALSE);
  return self->visible;
}

void
gis_map_layer_set_visible (GisMapLayer *self, gboolean visible)
{
  g_return_if_fail (GIS_IS_MAP_LAYER (self));
  visible = !!visible;
  if (self->visible == visible)
    return;
  self->visible = visible;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE]);
}

double
gis_map_layer_get_opacity (GisMapLayer *self)
{
  g_return_val_if_fail (GIS_IS_MAP_LAYER (self), 1);
  return self->opacity;
}

void
gis_map_layer_set_opacity (GisMapLayer *self, double opacity)
{
  g_return_if_fail (GIS_IS_MAP_LAYER (self));
  opacity = CLAMP (opacity, 0.0, 1.0);
  if (self->opacity == opacity)
    return;
  self->opacity = opacity;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPACITY]);
}

/**
 * gis_map_layer_get_style:
 *
 * Returns: (transfer none): the style; copy it to edit it
 */
GisStyle *
gis_map_layer_get_style (GisMapLayer *self)
{
  g_return_val_if_fail (GIS_IS_MAP_LAYER (self), NULL);
  return self->style;
}

void
gis_map_layer_set_style (GisMapLayer *self, GisStyle *style)
{
  g_return_if_fail (GIS_IS_MAP_LAYER (self));
  g_return_if_fail (style != NULL);
  if (self->style == style)
    return;
  g_clear_pointer (&self->style, gis_style_unref);
  self->style = gis_style_ref (style);
  self->key = next_key ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STYLE]);
}

/**
 * gis_map_layer_get_vector:
 *
 * Returns: (transfer none) (nullable): the vector data, or %NULL for a raster layer
 */
GisVectorLayer *
gis_map_layer_get_vector (GisMapLayer *self)
{
  g_return_val_if_fail (GIS_IS_MAP_LAYER (self), NULL);
  return self->vector;
}

/**
 * gis_map_layer_set_vector:
 *
 * Replaces the data (after an edit, say); the next frame draws the new data.
 */
void
gis_map_layer_set_vector (GisMapLayer *self, GisVectorLayer *data)
{
  g_return_if_fail (GIS_IS_MAP_LAYER (self));
  g_return_if_fail (GIS_IS_VECTOR_LAYER (data));
  if (self->vector == data)
    return;
  g_set_object (&self->vector, data);
  self->key = next_key ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VECTOR]);
}

/**
 * gis_map_layer_get_raster:
 *
 * Returns: (transfer none) (nullable): the raster, or %NULL for a vector layer
 */
GisRaster *
gis_map_layer_get_raster (GisMapLayer *self)
{
  g_return_val_if_fail (GIS_IS_MAP_LAYER (self), NULL);
  return self->raster;
}

/**
 * gis_map_layer_get_crs:
 *
 * Returns: (transfer none): the CRS of the layer's data
 */
GisCrs *
gis_map_layer_get_crs (GisMapLayer *self)
{
  g_return_val_if_fail (GIS_IS_MAP_LAYER (self), NULL);
  return self->vector != NULL ? gis_vector_layer_get_crs (self->vector)
                              : gis_raster_get_crs (self->raster);
}

/**
 * gis_map_layer_get_extent:
 * @crs: (nullable): the CRS to give the extent in, or %NULL for the data's own
 *
 * Returns: %FALSE if the layer is empty or its extent cannot be transformed
 */
gboolean
gis_map_layer_get_extent (GisMapLayer *self, GisCrs *crs, GisEnvelope *extent)
{
  GisEnvelope e;
  g_autoptr(GisTransform) t = NULL;
  double x[9], y[9];

  g_return_val_if_fail (GIS_IS_MAP_LAYER (self), FALSE);
  g_return_val_if_fail (extent != NULL, FALSE);

  if (self->vector != NULL)
    gis_vector_layer_get_extent (self->vector, &e);
  else
    gis_raster_get_extent (self->raster, &e);
  if (gis_envelope_is_empty (&e))
    return FALSE;
  if (crs == NULL || gis_crs_equal (crs, gis_map_layer_get_crs (self)))
    {
      *extent = e;
      return TRUE;
    }
  t = gis_transform_new (gis_map_layer_get_crs (self), crs, NULL);
  if (t == NULL)
    return FALSE;
  /* Corners and edge midpoints: enough for a zoom-to-layer box. */
  for (guint i = 0; i < 9; i++)
    {
      x[i] = e.min_x + (e.max_x - e.min_x) * (i % 3) / 2.0;
      y[i] = e.min_y + (e.max_y - e.min_y) * (i / 3) / 2.0;
    }
  if (!gis_transform_points (t, x, y, 9, NULL))
    return FALSE;
  *extent = GIS_ENVELOPE_EMPTY;
  for (guint i = 0; i < 9; i++)
    gis_envelope_add_point (extent, x[i], y[i]);
  return !gis_envelope_is_empty (extent);
}

/**
 * gis_map_layer_snapshot:
 *
 * Returns: (transfer full): the layer's state for a renderer
 */
GisLayerSnapshot *
gis_map_layer_snapshot (GisMapLayer *self)
{
  GisLayerSnapshot *s;

  g_return_val_if_fail (GIS_IS_MAP_LAYER (self), NULL);

  s = g_new0 (GisLayerSnapshot, 1);
  g_atomic_ref_count_init (&s->ref_count);
  s->key = self->key;
  s->vector = self->vector ? g_object_ref (self->vector) : NULL;
  s->raster = self->raster ? g_object_ref (self->raster) : NULL;
  s->style = gis_style_ref (self->style);
  s->opacity = self->opacity;
  s->title = g_strdup (self->title);
  return s;
}
