/* gis-private.h: what the data layer shares between its own files
 *
 * Everything here is internal to gis/: GDAL, GEOS and PROJ types never leave this folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <float.h>
#include <string.h>

#include <geos_c.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_error.h>

#include "gis-crs.h"
#include "gis-error.h"
#include "gis-geometry.h"

G_BEGIN_DECLS

/* GEOS: one context per thread, created on first use and freed when the thread ends.
 * Errors land in the context's buffer and are turned into a GError by the caller. */
typedef struct {
  GEOSContextHandle_t  handle;
  GEOSWKBReader       *reader;
  GEOSWKBWriter       *writer;
  GEOSWKTReader       *wkt_reader;
  GArray              *coords;   /* double: a ring's points, aligned, on their way to GEOS */
  char                 message[1024];
} GisGeosThread;

GisGeosThread *_gis_geos               (void);
void           _gis_geos_clear_message (GisGeosThread *t);
void           _gis_geos_set_error     (GisGeosThread *t,
                                        GError       **error,
                                        const char    *what);
GEOSGeometry  *_gis_geometry_to_geos   (GisGeosThread *t,
                                        GisGeometry   *geometry,
                                        GError       **error);
GisGeometry   *_gis_geometry_from_geos (GisGeosThread *t,
                                        const GEOSGeometry *g,
                                        GError       **error);

/* Builds a geometry from WKB already known to be 2D little-endian ISO WKB (no copy made of
 * @bytes; a reference is taken). */
GisGeometry   *_gis_geometry_new_trusted (GBytes *bytes);
GisGeometry   *_gis_geometry_new_known   (GBytes            *bytes,
                                          const GisEnvelope *envelope,
                                          GisGeometryType    type,
                                          guint              n_points);

/* The sign of the orientation of (a, b, p): 1 when p is left of a→b, -1 right, 0 on the
 * line, each certain; 2 when floating point cannot tell (Shewchuk's orient2d filter, error
 * bound A: (3 + 16 ε) ε with ε = 2^-53). gis/ is built without contracted multiply-adds,
 * which the bound assumes. */
static inline int
_gis_orientation (double ax, double ay, double bx, double by, double px, double py)
{
  const double bound_a = (3.0 + 16.0 * DBL_EPSILON / 2) * (DBL_EPSILON / 2);
  double left = (ax - px) * (by - py), right = (ay - py) * (bx - px);
  double det = left - right, sum;

  if (left > 0)
    {
      if (right <= 0)
        return det > 0 ? 1 : (det < 0 ? -1 : 0);
      sum = left + right;
    }
  else if (left < 0)
    {
      if (right >= 0)
        return det > 0 ? 1 : (det < 0 ? -1 : 0);
      sum = -left - right;
    }
  else
    return det > 0 ? 1 : (det < 0 ? -1 : 0);
  if (det >= bound_a * sum)
    return 1;
  if (-det >= bound_a * sum)
    return -1;
  return 2;
}

/* TRUE when @geometry is a polygon of one ring proven closed and simple (gis-simple-ring.c);
 * FALSE means "not proven", for GEOS to decide. */
gboolean       _gis_geometry_proven_valid (GisGeometry *geometry);

/* OGR geometry conversion, flattened to 2D. */
GisGeometry   *_gis_geometry_from_ogr  (OGRGeometryH   g,
                                        GError       **error);
OGRGeometryH   _gis_geometry_to_ogr    (GisGeometry   *geometry,
                                        GError       **error);

/* Walks the rings of the polygons in a geometry (points and lines are passed over).
 * @polygon counts polygons across a multipolygon; @ring is 0 for the shell. The coordinates
 * are copied into @xy as x0,y0,x1,y1... (WKB doubles are unaligned). */
typedef void (*GisRingFunc) (guint         polygon,
                             guint         ring,
                             const double *xy,
                             guint         n_points,
                             gpointer      user_data);
void           _gis_geometry_foreach_ring (GisGeometry *geometry,
                                           GisRingFunc  func,
                                           gpointer     user_data);

/* Walks the polygon rings of a geometry without copying them: @pts points at the ring's n
 * points in the WKB itself (x, y little-endian doubles, unaligned: read them with
 * _gis_wkb_points). The pointers live as long as the geometry. */
typedef void (*GisRawRingFunc) (guint         polygon,
                                guint         ring,
                                const guint8 *pts,
                                guint         n_points,
                                gpointer      user_data);
gboolean       _gis_geometry_foreach_raw_ring (GisGeometry   *geometry,
                                               GisRawRingFunc func,
                                               gpointer       user_data);

/* Points @first .. @first + @n - 1 of a raw ring into @out (x, y pairs, host order). */
static inline void
_gis_wkb_points (const guint8 *pts, guint first, guint n, double *out)
{
  memcpy (out, pts + 16 * (gsize) first, 16 * (gsize) n);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (guint i = 0; i < 2 * n; i++)
    {
      guint64 v;
      memcpy (&v, out + i, 8);
      v = GUINT64_FROM_LE (v);
      memcpy (out + i, &v, 8);
    }
#endif
}

/* Walks the linestrings (and polygon rings, if @rings) of a geometry. */
void           _gis_geometry_foreach_line (GisGeometry *geometry,
                                           gboolean     rings,
                                           GisRingFunc  func,
                                           gpointer     user_data);

/* Walks points, linestrings and polygon rings in one pass (any callback may be %NULL). */
gboolean       _gis_geometry_walk         (GisGeometry *geometry,
                                           GisRingFunc  point_func,
                                           GisRingFunc  line_func,
                                           GisRingFunc  ring_func,
                                           gpointer     user_data);

/* GDAL open options for CSV files: points from lon/lat-like columns, every attribute kept as
 * text so that an empty cell stays unknown instead of becoming 0. NULL-terminated. */
const char *const *_gis_csv_open_options (void);

/* CPL errors of the current thread are collected between begin and end; end turns the
 * last one into a GError prefixed with @context if the call failed. */
void           _gis_cpl_begin          (void);
gboolean       _gis_cpl_end            (GError     **error,
                                        GisError     code,
                                        const char  *context);
char          *_gis_cpl_last_message   (void);

/* A projection centred on (lon0, lat0) on the datum of @base: "aeqd" (true distances from
 * the centre, for buffers in metres) or "laea" (equal area, for overlays). */
GisCrs        *_gis_crs_new_local      (GisCrs       *base,
                                        const char   *method,
                                        double        lon0,
                                        double        lat0,
                                        GError      **error);
/* Degrees per angular unit of a geographic CRS (1 for degrees). */
double         _gis_crs_get_angular_to_degrees (GisCrs *crs);
/* The geographic CRS (lon/lat degrees) on the datum of @crs. */
GisCrs        *_gis_crs_new_geographic_base (GisCrs  *crs,
                                        GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GEOSGeometry, GEOSGeom_destroy)

G_END_DECLS
