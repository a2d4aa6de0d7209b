/* gis-geometry.c: immutable geometry values over 2D ISO WKB, and GEOS operations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-geometry"

#include <math.h>
#include <string.h>

#include "gis-private.h"

struct _GisGeometry {
  gatomicrefcount  ref_count;
  GBytes          *wkb;
  GisEnvelope      envelope;
  GisGeometryType  type;
  guint            n_points;
};

G_DEFINE_BOXED_TYPE (GisGeometry, gis_geometry, gis_geometry_ref, gis_geometry_unref)

/* ---------------------------------------------------------------------------------------- */
/* WKB walking. Our WKB is always 2D little-endian ISO (normalised on the way in), but the
 * walker still checks every length against the buffer, so a bug elsewhere cannot read past
 * the end. */

typedef struct {
  const guint8 *p;
  const guint8 *end;
  gboolean      ok;
} WkbCursor;

static guint32
wkb_u32 (WkbCursor *c)
{
  guint32 v;

  if (!c->ok || c->end - c->p < 4)
    {
      c->ok = FALSE;
      return 0;
    }
  memcpy (&v, c->p, 4);
  c->p += 4;
  return GUINT32_FROM_LE (v);
}

static const guint8 *
wkb_take (WkbCursor *c, guint64 n_bytes)
{
  const guint8 *at = c->p;

  if (!c->ok || (guint64) (c->end - c->p) < n_bytes)
    {
      c->ok = FALSE;
      return NULL;
    }
  c->p += n_bytes;
  return at;
}

typedef struct {
  GisRingFunc  ring_func;
  GisRingFunc  line_func;
  GisRingFunc  point_func;
  GisRawRingFunc raw_ring_func;
  gboolean     line_rings;
  gpointer     user_data;
  guint        polygon;
  GArray      *xy;
  GisEnvelope *envelope;
  guint        n_points;
} WkbWalk;

static void
walk_points (WkbWalk *w, const guint8 *raw, guint n)
{
  g_array_set_size (w->xy, (guint) n * 2);
  memcpy (w->xy->data, raw, (gsize) n * 16);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (guint i = 0; i < n * 2; i++)
    {
      guint64 v;
      memcpy (&v, &g_array_index (w->xy, double, i), 8);
      v = GUINT64_FROM_LE (v);
      memcpy (&g_array_index (w->xy, double, i), &v, 8);
    }
#endif
  w->n_points += n;
  if (w->envelope != NULL)
    for (guint i = 0; i < n; i++)
      {
        double x = g_array_index (w->xy, double, 2 * i);
        double y = g_array_index (w->xy, double, 2 * i + 1);
        if (!isnan (x) && !isnan (y))
          gis_envelope_add_point (w->envelope, x, y);
      }
}

static void
walk_geometry (WkbWalk *w, WkbCursor *c, int depth)
{
  guint8 order;
  guint32 type;
  const guint8 *b;

  if (depth > 32)
    {
      c->ok = FALSE;
      return;
    }
  b = wkb_take (c, 1);
  if (b == NULL)
    return;
  order = b[0];
  if (order != 1)
    {
      c->ok = FALSE;
      return;
    }
  type = wkb_u32 (c);
  switch (type)
    {
    case GIS_GEOMETRY_POINT:
      b = wkb_take (c, 16);
      if (b != NULL)
        walk_points (w, b, 1);
      if (b != NULL && w->point_func != NULL)
        w->point_func (0, 0, (const double *) (gpointer) w->xy->data, 1, w->user_data);
      break;

    case GIS_GEOMETRY_LINESTRING:
      {
        guint32 n = wkb_u32 (c);
        b = wkb_take (c, (guint64) n * 16);
        if (b == NULL)
          return;
        walk_points (w, b, n);
        if (w->line_func != NULL)
          w->line_func (0, 0, (const double *) (gpointer) w->xy->data, n, w->user_data);
      }
      break;

    case GIS_GEOMETRY_POLYGON:
      {
        guint32 n_rings = wkb_u32 (c);
        for (guint32 r = 0; r < n_rings && c->ok; r++)
          {
            guint32 n = wkb_u32 (c);
            b = wkb_take (c, (guint64) n * 16);
            if (b == NULL)
              return;
            if (w->raw_ring_func != NULL)
              w->raw_ring_func (w->polygon, r, b, n, w->user_data);
            /* A walk for the raw points only copies nothing. */
            if (w->ring_func == NULL && w->line_func == NULL && w->envelope == NULL)
              continue;
            walk_points (w, b, n);
            if (w->ring_func != NULL)
              w->ring_func (w->polygon, r, (const double *) (gpointer) w->xy->data, n,
                            w->user_data);
            if (w->line_func != NULL && w->line_rings)
              w->line_func (w->polygon, r, (const double *) (gpointer) w->xy->data, n,
                            w->user_data);
          }
        w->polygon++;
      }
      break;

    case GIS_GEOMETRY_MULTIPOINT:
    case GIS_GEOMETRY_MULTILINESTRING:
    case GIS_GEOMETRY_MULTIPOLYGON:
    case GIS_GEOMETRY_COLLECTION:
      {
        guint32 n = wkb_u32 (c);
        for (guint32 i = 0; i < n && c->ok; i++)
          walk_geometry (w, c, depth + 1);
      }
      break;

    default:
      c->ok = FALSE;
      break;
    }
}

static gboolean
walk (GBytes *wkb, WkbWalk *w)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (wkb, &len);
  WkbCursor c = { data, data + len, TRUE };
  g_autoptr(GArray) xy = g_array_new (FALSE, FALSE, sizeof (double));

  w->xy = xy;
  walk_geometry (w, &c, 0);
  w->xy = NULL;
  return c.ok && c.p == c.end;
}

void
_gis_geometry_foreach_ring (GisGeometry *geometry, GisRingFunc func, gpointer user_data)
{
  WkbWalk w = { .ring_func = func, .user_data = user_data };

  g_assert (geometry != NULL);
  walk (geometry->wkb, &w);
}

/* Returns FALSE if the walk did not reach the end (it always does for a GisGeometry, whose
 * WKB was checked when it was made). */
gboolean
_gis_geometry_foreach_raw_ring (GisGeometry *geometry, GisRawRingFunc func, gpointer user_data)
{
  WkbWalk w = { .raw_ring_func = func, .user_data = user_data };

  g_assert (geometry != NULL);
  return walk (geometry->wkb, &w);
}

void
_gis_geometry_foreach_line (GisGeometry *geometry,
                            gboolean     rings,
                            GisRingFunc  func,
                            gpointer     user_data)
{
  WkbWalk w = { .line_func = func, .line_rings = rings, .user_data = user_data };

  g_assert (geometry != NULL);
  walk (geometry->wkb, &w);
}

gboolean
_gis_geometry_walk (GisGeometry *geometry,
                    GisRingFunc  point_func,
                    GisRingFunc  line_func,
                    GisRingFunc  ring_func,
                    gpointer     user_data)
{
  WkbWalk w = { .ring_func = ring_func, .line_func = line_func, .point_func = point_func,
                .user_data = user_data };

  g_assert (geometry != NULL);
  return walk (geometry->wkb, &w);
}

GisGeometry *
_gis_geometry_new_trusted (GBytes *bytes)
{
  GisGeometry *self;
  WkbWalk w = { 0 };
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (len < 5 || data[0] != 1)
    return NULL;

  self = g_new0 (GisGeometry, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->wkb = g_bytes_ref (bytes);
  self->envelope = GIS_ENVELOPE_EMPTY;
  w.envelope = &self->envelope;
  if (!walk (bytes, &w))
    {
      gis_geometry_unref (self);
      return NULL;
    }
  self->n_points = w.n_points;
  {
    guint32 t;
    memcpy (&t, data + 1, 4);
    self->type = (GisGeometryType) GUINT32_FROM_LE (t);
  }
  return self;
}

/* A geometry whose WKB, envelope, type and number of points are already known (they were
 * taken from a geometry made here: see gis-spool.c). */
GisGeometry *
_gis_geometry_new_known (GBytes *bytes, const GisEnvelope *envelope, GisGeometryType type,
                         guint n_points)
{
  GisGeometry *self = g_new0 (GisGeometry, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->wkb = g_bytes_ref (bytes);
  self->envelope = *envelope;
  self->type = type;
  self->n_points = n_points;
  return self;
}

/* ---------------------------------------------------------------------------------------- */
/* GEOS per-thread context */

static void
geos_thread_free (gpointer data)
{
  GisGeosThread *t = data;

  g_array_unref (t->coords);
  GEOSWKBReader_destroy_r (t->handle, t->reader);
  GEOSWKBWriter_destroy_r (t->handle, t->writer);
  GEOSWKTReader_destroy_r (t->handle, t->wkt_reader);
  GEOS_finish_r (t->handle);
  g_free (t);
}

static GPrivate geos_tls = G_PRIVATE_INIT (geos_thread_free);

static void
geos_message_cb (const char *message, void *user_data)
{
  GisGeosThread *t = user_data;

  g_strlcpy (t->message, message, sizeof t->message);
}

static void
geos_notice_cb (const char *message, void *user_data)
{
  /* Notices (e.g. "Self-intersection at ...") are how GEOS explains invalidity; keep the
   * last one so a failing operation can say why. */
  GisGeosThread *t = user_data;

  if (t->message[0] == '\0')
    g_strlcpy (t->message, message, sizeof t->message);
}

GisGeosThread *
_gis_geos (void)
{
  GisGeosThread *t = g_private_get (&geos_tls);

  if G_LIKELY (t != NULL)
    return t;

  t = g_new0 (GisGeosThread, 1);
  t->handle = GEOS_init_r ();
  GEOSContext_setErrorMessageHandler_r (t->handle, geos_message_cb, t);
  GEOSContext_setNoticeMessageHandler_r (t->handle, geos_notice_cb, t);
  t->reader = GEOSWKBReader_create_r (t->handle);
  t->writer = GEOSWKBWriter_create_r (t->handle);
  GEOSWKBWriter_setOutputDimension_r (t->handle, t->writer, 2);
  GEOSWKBWriter_setByteOrder_r (t->handle, t->writer, GEOS_WKB_NDR);
  GEOSWKBWriter_setFlavor_r (t->handle, t->writer, GEOS_WKB_ISO);
  t->wkt_reader = GEOSWKTReader_create_r (t->handle);
  t->coords = g_array_new (FALSE, FALSE, sizeof (double));
  g_private_set (&geos_tls, t);
  return t;
}

void
_gis_geos_clear_message (GisGeosThread *t)
{
  t->message[0] = '\0';
}

void
_gis_geos_set_error (GisGeosThread *t, GError **error, const char *what)
{
  g_set_error (error, GIS_ERROR, GIS_ERROR_GEOMETRY, "%s: %s", what,
               t->message[0] != '\0' ? t->message : "geometry operation failed");
  t->message[0] = '\0';
}

/* Polygons built for GEOS ring by ring from whole coordinate buffers, which is several
 * times quicker than GEOS's WKB reader. */
typedef struct {
  GisGeosThread *t;
  GPtrArray     *polys;   /* GEOSGeometry*, the polygons made */
  GPtrArray     *rings;   /* GEOSGeometry*, the current polygon's rings */
  guint          polygon; /* the current polygon's number */
  gboolean       failed;
} GeosBuild;

static void
geos_polygon_done (GeosBuild *b)
{
  GEOSGeometry *poly;

  if (b->failed || b->rings->len == 0)
    return;
  poly = GEOSGeom_createPolygon_r (b->t->handle, b->rings->pdata[0],
                                   (GEOSGeometry **) b->rings->pdata + 1, b->rings->len - 1);
  g_ptr_array_set_size (b->rings, 0);   /* the polygon owns them now */
  if (poly == NULL)
    b->failed = TRUE;
  else
    g_ptr_array_add (b->polys, poly);
}

static void
geos_ring_cb (guint polygon, guint ring, const guint8 *pts, guint n, gpointer user_data)
{
  GeosBuild *b = user_data;
  GEOSCoordSequence *cs;
  GEOSGeometry *g;

  if (b->failed)
    return;
  if (ring == 0)
    {
      geos_polygon_done (b);
      /* A polygon with no rings in between (an empty one) is left to the reader. */
      if (polygon != b->polygon + (b->polys->len > 0 ? 1 : 0) || b->failed)
        {
          b->failed = TRUE;
          return;
        }
      b->polygon = polygon;
    }
  g_array_set_size (b->t->coords, 2 * (gsize) n);
  _gis_wkb_points (pts, 0, n, (double *) (gpointer) b->t->coords->data);
  cs = GEOSCoordSeq_copyFromBuffer_r (b->t->handle, (const double *) (gpointer) b->t->coords->data,
                                      n, 0, 0);
  g = cs != NULL ? GEOSGeom_createLinearRing_r (b->t->handle, cs) : NULL;
  if (g == NULL)
    b->failed = TRUE;
  else
    g_ptr_array_add (b->rings, g);
}

/* Polygons and multipolygons the quick way; NULL for anything else, and for what GEOS
 * refuses (a ring of too few points), which its WKB reader then does with its own message. */
static GEOSGeometry *
polygonal_to_geos (GisGeosThread *t, GisGeometry *geometry)
{
  g_autoptr(GPtrArray) polys = g_ptr_array_new ();
  g_autoptr(GPtrArray) rings = g_ptr_array_new ();
  GeosBuild b = { t, polys, rings, 0, FALSE };
  guint expected;

  if (geometry->type == GIS_GEOMETRY_POLYGON)
    expected = 1;
  else if (geometry->type == GIS_GEOMETRY_MULTIPOLYGON)
    {
      guint32 n;
      memcpy (&n, (const guint8 *) g_bytes_get_data (geometry->wkb, NULL) + 5, 4);
      expected = GUINT32_FROM_LE (n);
    }
  else
    return NULL;
  if (!_gis_geometry_foreach_raw_ring (geometry, geos_ring_cb, &b))
    b.failed = TRUE;
  geos_polygon_done (&b);
  if (!b.failed && polys->len == expected && expected > 0)
    {
      if (geometry->type == GIS_GEOMETRY_POLYGON)
        return g_ptr_array_steal_index (polys, 0);
      return GEOSGeom_createCollection_r (t->handle, GEOS_MULTIPOLYGON,
                                          (GEOSGeometry **) polys->pdata, polys->len);
    }
  for (guint i = 0; i < polys->len; i++)
    GEOSGeom_destroy_r (t->handle, polys->pdata[i]);
  for (guint i = 0; i < rings->len; i++)
    GEOSGeom_destroy_r (t->handle, rings->pdata[i]);
  return NULL;
}

GEOSGeometry *
_gis_geometry_to_geos (GisGeosThread *t, GisGeometry *geometry, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (geometry->wkb, &len);
  GEOSGeometry *g;

  _gis_geos_clear_message (t);
  g = polygonal_to_geos (t, geometry);
  if (g != NULL)
    return g;
  _gis_geos_clear_message (t);
  g = GEOSWKBReader_read_r (t->handle, t->reader, data, len);
  if (g == NULL)
    _gis_geos_set_error (t, error, "Could not read geometry");
  return g;
}

GisGeometry *
_gis_geometry_from_geos (GisGeosThread *t, const GEOSGeometry *g, GError **error)
{
  size_t len = 0;
  unsigned char *buf;
  g_autoptr(GBytes) bytes = NULL;
  GisGeometry *result;

  _gis_geos_clear_message (t);
  buf = GEOSWKBWriter_write_r (t->handle, t->writer, g, &len);
  if (buf == NULL)
    {
      _gis_geos_set_error (t, error, "Could not write geometry");
      return NULL;
    }
  bytes = g_bytes_new (buf, len);
  GEOSFree_r (t->handle, buf);
  result = _gis_geometry_new_trusted (bytes);
  if (result == NULL)
    g_set_error_literal (error, GIS_ERROR, GIS_ERROR_GEOMETRY,
                         "GEOS produced a geometry Placer cannot read");
  return result;
}

/* ---------------------------------------------------------------------------------------- */
/* Constructors */

static gboolean
coordinates_finite (GisGeometry *geometry)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (geometry->wkb, &len);

  /* An empty point is written as NaN, NaN; every other NaN or infinity is bad input. */
  if (geometry->type == GIS_GEOMETRY_POINT && geometry->n_points == 1 && len == 21)
    {
      double x, y;
      memcpy (&x, data + 5, 8);
      memcpy (&y, data + 13, 8);
      if (isnan (x) && isnan (y))
        return TRUE;
    }
  if (gis_envelope_is_empty (&geometry->envelope))
    return geometry->n_points == 0;
  return isfinite (geometry->envelope.min_x) && isfinite (geometry->envelope.max_x) &&
         isfinite (geometry->envelope.min_y) && isfinite (geometry->envelope.max_y);
}

static GisGeometry *
finish_input (GisGeometry *geometry, GError **error)
{
  if (!coordinates_finite (geometry))
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_GEOMETRY,
                           "Geometry has a coordinate that is not a finite number");
      gis_geometry_unref (geometry);
      return NULL;
    }
  return geometry;
}

/**
 * gis_geometry_new_from_wkt:
 * @wkt: OGC well-known text; Z and M are dropped
 * @error: return location for a #GIS_ERROR_GEOMETRY error
 *
 * Returns: (transfer full): a new geometry, or %NULL
 */
GisGeometry *
gis_geometry_new_from_wkt (const char *wkt, GError **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) g = NULL;
  GisGeometry *result;

  g_return_val_if_fail (wkt != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  t = _gis_geos ();
  _gis_geos_clear_message (t);
  g = GEOSWKTReader_read_r (t->handle, t->wkt_reader, wkt);
  if (g == NULL)
    {
      _gis_geos_set_error (t, error, "Not valid WKT");
      return NULL;
    }
  result = _gis_geometry_from_geos (t, g, error);
  return result ? finish_input (result, error) : NULL;
}

/**
 * gis_geometry_new_from_wkb:
 * @wkb: (array length=len): WKB or ISO WKB, either byte order, 2D/3D/measured
 * @len: its length in bytes
 * @error: return location for a #GIS_ERROR_GEOMETRY error
 *
 * Returns: (transfer full): a new geometry, or %NULL
 */
GisGeometry *
gis_geometry_new_from_wkb (const guint8 *wkb, gsize len, GError **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) g = NULL;
  GisGeometry *result;

  g_return_val_if_fail (wkb != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  t = _gis_geos ();
  _gis_geos_clear_message (t);
  g = GEOSWKBReader_read_r (t->handle, t->reader, wkb, len);
  if (g == NULL)
    {
      _gis_geos_set_error (t, error, "Not valid WKB");
      return NULL;
    }
  result = _gis_geometry_from_geos (t, g, error);
  return result ? finish_input (result, error) : NULL;
}

/**
 * gis_geometry_new_rectangle:
 *
 * Returns: (transfer full): a polygon with the four corners, counter-clockwise
 */
GisGeometry *
gis_geometry_new_rectangle (double min_x, double min_y, double max_x, double max_y)
{
  guint8 buf[1 + 4 + 4 + 4 + 5 * 16];
  guint8 *p = buf;
  const double xy[10] = { min_x, min_y, max_x, min_y, max_x, max_y, min_x, max_y, min_x, min_y };
  guint32 v;
  g_autoptr(GBytes) bytes = NULL;

  *p++ = 1;
  v = GUINT32_TO_LE (GIS_GEOMETRY_POLYGON); memcpy (p, &v, 4); p += 4;
  v = GUINT32_TO_LE (1); memcpy (p, &v, 4); p += 4;
  v = GUINT32_TO_LE (5); memcpy (p, &v, 4); p += 4;
  for (guint i = 0; i < 10; i++)
    {
      guint64 u;
      memcpy (&u, &xy[i], 8);
      u = GUINT64_TO_LE (u);
      memcpy (p, &u, 8);
      p += 8;
    }
  bytes = g_bytes_new (buf, sizeof buf);
  return _gis_geometry_new_trusted (bytes);
}

static void
put_u32 (GByteArray *b, guint32 v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

static void
put_f64 (GByteArray *b, double d)
{
  guint64 u;
  memcpy (&u, &d, 8);
  u = GUINT64_TO_LE (u);
  g_byte_array_append (b, (const guint8 *) &u, 8);
}

/**
 * gis_geometry_new_point:
 *
 * Returns: (transfer full): a point
 */
GisGeometry *
gis_geometry_new_point (double x, double y)
{
  g_autoptr(GByteArray) b = g_byte_array_sized_new (21);
  g_autoptr(GBytes) bytes = NULL;
  guint8 order = 1;

  g_byte_array_append (b, &order, 1);
  put_u32 (b, GIS_GEOMETRY_POINT);
  put_f64 (b, x);
  put_f64 (b, y);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&b));
  return _gis_geometry_new_trusted (bytes);
}

/**
 * gis_geometry_new_multipoint:
 * @x: (array length=n): x coordinates
 * @y: (array length=n): y coordinates
 *
 * Returns: (transfer full): a multipoint
 */
GisGeometry *
gis_geometry_new_multipoint (const double *x, const double *y, guint n)
{
  g_autoptr(GByteArray) b = g_byte_array_sized_new (9 + 21 * n);
  g_autoptr(GBytes) bytes = NULL;
  guint8 order = 1;

  g_byte_array_append (b, &order, 1);
  put_u32 (b, GIS_GEOMETRY_MULTIPOINT);
  put_u32 (b, n);
  for (guint i = 0; i < n; i++)
    {
      g_byte_array_append (b, &order, 1);
      put_u32 (b, GIS_GEOMETRY_POINT);
      put_f64 (b, x[i]);
      put_f64 (b, y[i]);
    }
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&b));
  return _gis_geometry_new_trusted (bytes);
}

GisGeometry *
gis_geometry_ref (GisGeometry *geometry)
{
  g_return_val_if_fail (geometry != NULL, NULL);

  g_atomic_ref_count_inc (&geometry->ref_count);
  return geometry;
}

void
gis_geometry_unref (GisGeometry *geometry)
{
  g_return_if_fail (geometry != NULL);

  if (g_atomic_ref_count_dec (&geometry->ref_count))
    {
      g_bytes_unref (geometry->wkb);
      g_free (geometry);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Accessors */

GisGeometryType
gis_geometry_get_geometry_type (GisGeometry *geometry)
{
  g_return_val_if_fail (geometry != NULL, GIS_GEOMETRY_UNKNOWN);
  return geometry->type;
}

const char *
gis_geometry_type_to_string (GisGeometryType type)
{
  switch (type)
    {
    case GIS_GEOMETRY_POINT: return "Point";
    case GIS_GEOMETRY_LINESTRING: return "LineString";
    case GIS_GEOMETRY_POLYGON: return "Polygon";
    case GIS_GEOMETRY_MULTIPOINT: return "MultiPoint";
    case GIS_GEOMETRY_MULTILINESTRING: return "MultiLineString";
    case GIS_GEOMETRY_MULTIPOLYGON: return "MultiPolygon";
    case GIS_GEOMETRY_COLLECTION: return "GeometryCollection";
    case GIS_GEOMETRY_UNKNOWN:
    default: return "Unknown";
    }
}

/**
 * gis_geometry_get_wkb:
 *
 * Returns: (transfer full): the 2D little-endian ISO WKB
 */
GBytes *
gis_geometry_get_wkb (GisGeometry *geometry)
{
  g_return_val_if_fail (geometry != NULL, NULL);
  return g_bytes_ref (geometry->wkb);
}

const guint8 *
gis_geometry_peek_wkb (GisGeometry *geometry, gsize *len)
{
  g_return_val_if_fail (geometry != NULL, NULL);
  return g_bytes_get_data (geometry->wkb, len);
}

void
gis_geometry_get_envelope (GisGeometry *geometry, GisEnvelope *envelope)
{
  g_return_if_fail (geometry != NULL);
  g_return_if_fail (envelope != NULL);
  *envelope = geometry->envelope;
}

gboolean
gis_geometry_is_empty (GisGeometry *geometry)
{
  g_return_val_if_fail (geometry != NULL, TRUE);
  return gis_envelope_is_empty (&geometry->envelope);
}

guint
gis_geometry_get_n_points (GisGeometry *geometry)
{
  g_return_val_if_fail (geometry != NULL, 0);
  return geometry->n_points;
}

gboolean
gis_geometry_equal_exact (GisGeometry *a, GisGeometry *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  return g_bytes_equal (a->wkb, b->wkb);
}

/**
 * gis_geometry_to_wkt:
 * @precision: digits after the decimal point, or -1 for the shortest exact form
 *
 * The text is machine text: the decimal separator is always a dot, whatever the locale.
 *
 * Returns: (transfer full): WKT
 */
char *
gis_geometry_to_wkt (GisGeometry *geometry, int precision)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) g = NULL;
  GEOSWKTWriter *w;
  char *s;
  char *result;

  g_return_val_if_fail (geometry != NULL, NULL);

  t = _gis_geos ();
  g = _gis_geometry_to_geos (t, geometry, NULL);
  if (g == NULL)
    return g_strdup ("GEOMETRYCOLLECTION EMPTY");
  w = GEOSWKTWriter_create_r (t->handle);
  GEOSWKTWriter_setOutputDimension_r (t->handle, w, 2);
  GEOSWKTWriter_setTrim_r (t->handle, w, 1);
  if (precision >= 0)
    GEOSWKTWriter_setRoundingPrecision_r (t->handle, w, precision);
  s = GEOSWKTWriter_write_r (t->handle, w, g);
  GEOSWKTWriter_destroy_r (t->handle, w);
  result = g_strdup (s);
  GEOSFree_r (t->handle, s);
  return result;
}

/* ---------------------------------------------------------------------------------------- */
/* GEOS operations */

/**
 * gis_geometry_is_valid:
 * @reason: (out) (optional) (transfer full): why it is not valid, e.g. "Self-intersection[1 1]"
 *
 * Returns: %TRUE if the geometry is valid in the OGC sense; %FALSE with @error unset if
 *   it is not, %FALSE with @error set if the check itself failed
 */
gboolean
gis_geometry_is_valid (GisGeometry *geometry, char **reason, GError **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) g = NULL;
  char *r;
  gboolean valid;

  g_return_val_if_fail (geometry != NULL, FALSE);

  /* Most shapes are one ring: proven simple without GEOS, several times quicker. */
  if (_gis_geometry_proven_valid (geometry))
    {
      if (reason != NULL)
        *reason = NULL;
      return TRUE;
    }
  t = _gis_geos ();
  g = _gis_geometry_to_geos (t, geometry, error);
  if (g == NULL)
    return FALSE;
  _gis_geos_clear_message (t);
  r = GEOSisValidReason_r (t->handle, g);
  if (r == NULL)
    {
      _gis_geos_set_error (t, error, "Validity check failed");
      return FALSE;
    }
  valid = g_str_equal (r, "Valid Geometry");
  if (reason != NULL)
    *reason = valid ? NULL : g_strdup (r);
  GEOSFree_r (t->handle, r);
  return valid;
}

GisGeometry *
gis_geometry_make_valid (GisGeometry *geometry, GError **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) g = NULL;
  g_autoptr(GEOSGeometry) v = NULL;
  GEOSMakeValidParams *params;

  g_return_val_if_fail (geometry != NULL, NULL);

  t = _gis_geos ();
  g = _gis_geometry_to_geos (t, geometry, error);
  if (g == NULL)
    return NULL;
  /* The "structure" method keeps areas as areas (a bow-tie becomes two triangles) and drops
   * collapsed parts, which is what land overlays want; "linework" may return lines. */
  params = GEOSMakeValidParams_create_r (t->handle);
  GEOSMakeValidParams_setMethod_r (t->handle, params, GEOS_MAKE_VALID_STRUCTURE);
  GEOSMakeValidParams_setKeepCollapsed_r (t->handle, params, 0);
  v = GEOSMakeValidWithParams_r (t->handle, g, params);
  GEOSMakeValidParams_destroy_r (t->handle, params);
  if (v == NULL)
    {
      _gis_geos_set_error (t, error, "Could not repair geometry");
      return NULL;
    }
  return _gis_geometry_from_geos (t, v, error);
}

typedef GEOSGeometry *(*BinaryOp) (GEOSContextHandle_t, const GEOSGeometry *, const GEOSGeometry *);

static GisGeometry *
binary_op (GisGeometry *a, GisGeometry *b, BinaryOp op, const char *what, GError **error)
{
  GisGeosThread *t = _gis_geos ();
  g_autoptr(GEOSGeometry) ga = NULL;
  g_autoptr(GEOSGeometry) gb = NULL;
  g_autoptr(GEOSGeometry) r = NULL;

  ga = _gis_geometry_to_geos (t, a, error);
  if (ga == NULL)
    return NULL;
  gb = _gis_geometry_to_geos (t, b, error);
  if (gb == NULL)
    return NULL;
  _gis_geos_clear_message (t);
  r = op (t->handle, ga, gb);
  if (r == NULL)
    {
      _gis_geos_set_error (t, error, what);
      return NULL;
    }
  return _gis_geometry_from_geos (t, r, error);
}

GisGeometry *
gis_geometry_intersection (GisGeometry *a, GisGeometry *b, GError **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, NULL);
  return binary_op (a, b, GEOSIntersection_r, "Intersection failed", error);
}

GisGeometry *
gis_geometry_difference (GisGeometry *a, GisGeometry *b, GError **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, NULL);
  return binary_op (a, b, GEOSDifference_r, "Difference failed", error);
}

GisGeometry *
gis_geometry_union (GisGeometry *a, GisGeometry *b, GError **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, NULL);
  return binary_op (a, b, GEOSUnion_r, "Union failed", error);
}

/**
 * gis_geometry_union_all:
 * @geometries: (array length=n): the geometries to dissolve
 *
 * One cascaded union of all, never an iterative one.
 *
 * Returns: (transfer full): the union; an empty collection when @n is 0
 */
GisGeometry *
gis_geometry_union_all (GisGeometry **geometries, guint n, GError **error)
{
  GisGeosThread *t;
  g_autofree GEOSGeometry **parts = NULL;
  g_autoptr(GEOSGeometry) collection = NULL;
  g_autoptr(GEOSGeometry) r = NULL;

  g_return_val_if_fail (geometries != NULL || n == 0, NULL);

  t = _gis_geos ();
  parts = g_new0 (GEOSGeometry *, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      parts[i] = _gis_geometry_to_geos (t, geometries[i], error);
      if (parts[i] == NULL)
        {
          for (guint j = 0; j < i; j++)
            GEOSGeom_destroy_r (t->handle, parts[j]);
          return NULL;
        }
    }
  /* The collection takes ownership of the parts. */
  collection = GEOSGeom_createCollection_r (t->handle, GEOS_GEOMETRYCOLLECTION, parts, n);
  _gis_geos_clear_message (t);
  r = GEOSUnaryUnion_r (t->handle, collection);
  if (r == NULL)
    {
      _gis_geos_set_error (t, error, "Union failed");
      return NULL;
    }
  return _gis_geometry_from_geos (t, r, error);
}

GisGeometry *
gis_geometry_buffer (GisGeometry *geometry,
                     double       distance,
                     int          quadrant_segments,
                     GError     **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) g = NULL;
  g_autoptr(GEOSGeometry) r = NULL;

  g_return_val_if_fail (geometry != NULL, NULL);
  g_return_val_if_fail (isfinite (distance), NULL);

  t = _gis_geos ();
  g = _gis_geometry_to_geos (t, geometry, error);
  if (g == NULL)
    return NULL;
  _gis_geos_clear_message (t);
  r = GEOSBuffer_r (t->handle, g, distance, quadrant_segments > 0 ? quadrant_segments : 8);
  if (r == NULL)
    {
      _gis_geos_set_error (t, error, "Buffer failed");
      return NULL;
    }
  return _gis_geometry_from_geos (t, r, error);
}

/* Collects the non-empty parts of type @part (GEOS_POLYGON or GEOS_LINESTRING) of a geometry
 * into @out: a collection from an overlay may also hold lines and points where shapes touch. */
static void
collect_parts (GisGeosThread *t, const GEOSGeometry *g, int part, GPtrArray *out)
{
  int type = GEOSGeomTypeId_r (t->handle, g);
  int multi = part == GEOS_POLYGON ? GEOS_MULTIPOLYGON : GEOS_MULTILINESTRING;

  if (type == part)
    {
      if (!GEOSisEmpty_r (t->handle, g))
        g_ptr_array_add (out, GEOSGeom_clone_r (t->handle, g));
    }
  else if (type == multi || type == GEOS_GEOMETRYCOLLECTION)
    {
      int n = GEOSGetNumGeometries_r (t->handle, g);
      for (int i = 0; i < n; i++)
        collect_parts (t, GEOSGetGeometryN_r (t->handle, g, i), part, out);
    }
}

/**
 * gis_geometry_polygonal_part:
 *
 * Returns: (transfer full): the polygons of @geometry as one MultiPolygon (possibly empty)
 */
GisGeometry *
gis_geometry_polygonal_part (GisGeometry *geometry, GError **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) g = NULL;
  g_autoptr(GEOSGeometry) r = NULL;
  g_autoptr(GPtrArray) polys = g_ptr_array_new ();

  g_return_val_if_fail (geometry != NULL, NULL);

  if (geometry->type == GIS_GEOMETRY_MULTIPOLYGON)
    return gis_geometry_ref (geometry);

  t = _gis_geos ();
  g = _gis_geometry_to_geos (t, geometry, error);
  if (g == NULL)
    return NULL;
  collect_parts (t, g, GEOS_POLYGON, polys);
  r = GEOSGeom_createCollection_r (t->handle, GEOS_MULTIPOLYGON,
                                   (GEOSGeometry **) polys->pdata, polys->len);
  return _gis_geometry_from_geos (t, r, error);
}

/**
 * gis_geometry_clip_to_box:
 * @box: the rectangle to keep
 *
 * The part of @geometry (points, lines or polygons) inside @box, by GEOSClipByRect: much
 * faster than an intersection with a rectangle, and exact. A polygon that only touches the
 * box leaves the line or point they share.
 *
 * Returns: (transfer full): the part inside, possibly empty
 */
GisGeometry *
gis_geometry_clip_to_box (GisGeometry *geometry, const GisEnvelope *box, GError **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) g = NULL;
  g_autoptr(GEOSGeometry) c = NULL;

  g_return_val_if_fail (geometry != NULL && box != NULL, NULL);

  t = _gis_geos ();
  g = _gis_geometry_to_geos (t, geometry, error);
  if (g == NULL)
    return NULL;
  _gis_geos_clear_message (t);
  c = GEOSClipByRect_r (t->handle, g, box->min_x, box->min_y, box->max_x, box->max_y);
  if (c == NULL)
    {
      _gis_geos_set_error (t, error, "Clipping to a rectangle failed");
      return NULL;
    }
  return _gis_geometry_from_geos (t, c, error);
}

/**
 * gis_geometry_shared_edges:
 * @a: a polygon or multipolygon
 * @b: another
 *
 * The lines along which the boundaries of two polygons run together: two countries' common
 * border. Places where they meet at a single point only are left out.
 *
 * Returns: (transfer full): a MultiLineString, empty when the boundaries share no line
 */
GisGeometry *
gis_geometry_shared_edges (GisGeometry *a, GisGeometry *b, GError **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) ga = NULL;
  g_autoptr(GEOSGeometry) gb = NULL;
  g_autoptr(GEOSGeometry) ba = NULL;
  g_autoptr(GEOSGeometry) bb = NULL;
  g_autoptr(GEOSGeometry) common = NULL;
  g_autoptr(GEOSGeometry) r = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();

  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  t = _gis_geos ();
  ga = _gis_geometry_to_geos (t, a, error);
  gb = ga ? _gis_geometry_to_geos (t, b, error) : NULL;
  if (gb == NULL)
    return NULL;
  _gis_geos_clear_message (t);
  ba = GEOSBoundary_r (t->handle, ga);
  bb = ba ? GEOSBoundary_r (t->handle, gb) : NULL;
  common = bb ? GEOSIntersection_r (t->handle, ba, bb) : NULL;
  if (common == NULL)
    {
      _gis_geos_set_error (t, error, "Shared edges failed");
      return NULL;
    }
  collect_parts (t, common, GEOS_LINESTRING, lines);
  r = GEOSGeom_createCollection_r (t->handle, GEOS_MULTILINESTRING,
                                   (GEOSGeometry **) lines->pdata, lines->len);
  return _gis_geometry_from_geos (t, r, error);
}

typedef char (*BinaryPredicate) (GEOSContextHandle_t, const GEOSGeometry *, const GEOSGeometry *);

static gboolean
binary_predicate (GisGeometry *a, GisGeometry *b, BinaryPredicate pred, GError **error)
{
  GisGeosThread *t = _gis_geos ();
  g_autoptr(GEOSGeometry) ga = NULL;
  g_autoptr(GEOSGeometry) gb = NULL;
  char r;

  ga = _gis_geometry_to_geos (t, a, error);
  if (ga == NULL)
    return FALSE;
  gb = _gis_geometry_to_geos (t, b, error);
  if (gb == NULL)
    return FALSE;
  _gis_geos_clear_message (t);
  r = pred (t->handle, ga, gb);
  if (r == 2)
    {
      _gis_geos_set_error (t, error, "Spatial predicate failed");
      return FALSE;
    }
  return r == 1;
}

gboolean
gis_geometry_intersects (GisGeometry *a, GisGeometry *b, GError **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  if (!gis_envelope_intersects (&a->envelope, &b->envelope))
    return FALSE;
  return binary_predicate (a, b, GEOSIntersects_r, error);
}

gboolean
gis_geometry_contains (GisGeometry *a, GisGeometry *b, GError **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  return binary_predicate (a, b, GEOSContains_r, error);
}

double
gis_geometry_distance (GisGeometry *a, GisGeometry *b, GError **error)
{
  GisGeosThread *t = _gis_geos ();
  g_autoptr(GEOSGeometry) ga = NULL;
  g_autoptr(GEOSGeometry) gb = NULL;
  double d = -1;

  g_return_val_if_fail (a != NULL && b != NULL, -1);

  ga = _gis_geometry_to_geos (t, a, error);
  if (ga == NULL)
    return -1;
  gb = _gis_geometry_to_geos (t, b, error);
  if (gb == NULL)
    return -1;
  if (!GEOSDistance_r (t->handle, ga, gb, &d))
    {
      _gis_geos_set_error (t, error, "Distance failed");
      return -1;
    }
  return d;
}

/**
 * gis_geometry_hull:
 * @concave_ratio: 1 (or more) for the convex hull; between 0 and 1 for a concave hull that
 *   hugs the points more tightly as the ratio falls (GEOS concave hull by edge length ratio)
 *
 * Returns: (transfer full): the hull (a point or a line for fewer than three distinct points)
 */
GisGeometry *
gis_geometry_hull (GisGeometry *geometry, double concave_ratio, GError **error)
{
  GisGeosThread *t;
  g_autoptr(GEOSGeometry) g = NULL;
  g_autoptr(GEOSGeometry) h = NULL;

  g_return_val_if_fail (geometry != NULL, NULL);

  t = _gis_geos ();
  g = _gis_geometry_to_geos (t, geometry, error);
  if (g == NULL)
    return NULL;
  _gis_geos_clear_message (t);
  h = concave_ratio >= 1 ? GEOSConvexHull_r (t->handle, g)
                         : GEOSConcaveHull_r (t->handle, g, MAX (concave_ratio, 0), 0);
  if (h == NULL)
    {
      _gis_geos_set_error (t, error, "Hull failed");
      return NULL;
    }
  return _gis_geometry_from_geos (t, h, error);
}

/**
 * gis_geometry_nearest_points:
 * @x: (out caller-allocates) (array fixed-size=2): x of the point on @a, then on @b
 * @y: (out caller-allocates) (array fixed-size=2): y of the same points
 *
 * The closest pair of points of two geometries (in their shared CRS).
 */
gboolean
gis_geometry_nearest_points (GisGeometry *a, GisGeometry *b, double x[2], double y[2],
                             GError **error)
{
  GisGeosThread *t = _gis_geos ();
  g_autoptr(GEOSGeometry) ga = NULL;
  g_autoptr(GEOSGeometry) gb = NULL;
  GEOSCoordSequence *cs;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  ga = _gis_geometry_to_geos (t, a, error);
  gb = ga ? _gis_geometry_to_geos (t, b, error) : NULL;
  if (gb == NULL)
    return FALSE;
  _gis_geos_clear_message (t);
  cs = GEOSNearestPoints_r (t->handle, ga, gb);
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

/* Shoelace over the rings: shells add, holes subtract, whatever their orientation. */
static void
planar_ring_cb (guint polygon, guint ring, const double *xy, guint n, gpointer user_data)
{
  double *total = user_data;
  double s = 0;

  for (guint i = 0; i + 1 < n; i++)
    s += (xy[2 * i] - xy[0]) * (xy[2 * i + 3] - xy[1]) -
         (xy[2 * i + 2] - xy[0]) * (xy[2 * i + 1] - xy[1]);
  s = fabs (s) / 2;
  *total += ring == 0 ? s : -s;
}

/**
 * gis_geometry_planar_area:
 *
 * The area in the square units of the coordinates. For legal areas use
 * gis_geodesic_area() instead.
 */
double
gis_geometry_planar_area (GisGeometry *geometry)
{
  double total = 0;

  g_return_val_if_fail (geometry != NULL, 0);
  _gis_geometry_foreach_ring (geometry, planar_ring_cb, &total);
  return total;
}

/* ---------------------------------------------------------------------------------------- */
/* OGR conversion */

GisGeometry *
_gis_geometry_from_ogr (OGRGeometryH g, GError **error)
{
  OGRGeometryH flat = NULL;
  int size;
  g_autofree guint8 *buf = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GisGeometry *result;

  g_assert (g != NULL);

  /* Curves are linearised and Z/M dropped so that the rest of Placer sees simple 2D
   * features only. */
  if (OGR_G_Is3D (g) || OGR_G_IsMeasured (g) ||
      OGR_GT_IsNonLinear (OGR_G_GetGeometryType (g)))
    {
      flat = OGR_G_GetLinearGeometry (g, 0, NULL);
      if (flat == NULL)
        {
          g_set_error_literal (error, GIS_ERROR, GIS_ERROR_GEOMETRY,
                               "Could not convert a curved geometry");
          return NULL;
        }
      OGR_G_FlattenTo2D (flat);
      OGR_G_SetMeasured (flat, FALSE);
      g = flat;
    }
  size = OGR_G_WkbSize (g);
  buf = g_malloc (MAX (size, 1));
  if (OGR_G_ExportToIsoWkb (g, wkbNDR, buf) != OGRERR_NONE)
    {
      if (flat != NULL)
        OGR_G_DestroyGeometry (flat);
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_GEOMETRY,
                           "Could not export a geometry as WKB");
      return NULL;
    }
  if (flat != NULL)
    OGR_G_DestroyGeometry (flat);
  bytes = g_bytes_new_take (g_steal_pointer (&buf), size);
  result = _gis_geometry_new_trusted (bytes);
  if (result == NULL)
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_GEOMETRY,
                           "Unsupported geometry type");
      return NULL;
    }
  return finish_input (result, error);
}

OGRGeometryH
_gis_geometry_to_ogr (GisGeometry *geometry, GError **error)
{
  OGRGeometryH g = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (geometry->wkb, &len);

  if (OGR_G_CreateFromWkbEx (data, NULL, &g, len) != OGRERR_NONE || g == NULL)
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_GEOMETRY,
                           "Could not convert a geometry for writing");
      return NULL;
    }
  return g;
}
