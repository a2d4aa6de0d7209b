/* gis-geometry.h: immutable, refcounted geometry values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "gis-envelope.h"

G_BEGIN_DECLS

/**
 * GisGeometryType:
 *
 * The OGC simple-feature type of a geometry (2D; Z and M are dropped on input).
 */
typedef enum {
  GIS_GEOMETRY_UNKNOWN = 0,
  GIS_GEOMETRY_POINT = 1,
  GIS_GEOMETRY_LINESTRING = 2,
  GIS_GEOMETRY_POLYGON = 3,
  GIS_GEOMETRY_MULTIPOINT = 4,
  GIS_GEOMETRY_MULTILINESTRING = 5,
  GIS_GEOMETRY_MULTIPOLYGON = 6,
  GIS_GEOMETRY_COLLECTION = 7,
} GisGeometryType;

#define GIS_TYPE_GEOMETRY (gis_geometry_get_type ())

/**
 * GisGeometry:
 *
 * A geometry held as 2D ISO WKB with its envelope. It never changes after creation,
 * so it may be shared between threads; every operation returns a new value.
 */
typedef struct _GisGeometry GisGeometry;

GType            gis_geometry_get_type          (void) G_GNUC_CONST;

GisGeometry     *gis_geometry_new_from_wkt      (const char   *wkt,
                                                 GError      **error);
GisGeometry     *gis_geometry_new_from_wkb      (const guint8 *wkb,
                                                 gsize         len,
                                                 GError      **error);
GisGeometry     *gis_geometry_new_rectangle     (double        min_x,
                                                 double        min_y,
                                                 double        max_x,
                                                 double        max_y);
GisGeometry     *gis_geometry_new_point         (double        x,
                                                 double        y);
GisGeometry     *gis_geometry_new_multipoint    (const double *x,
                                                 const double *y,
                                                 guint         n);
GisGeometry     *gis_geometry_ref               (GisGeometry  *geometry);
void             gis_geometry_unref             (GisGeometry  *geometry);

GisGeometryType  gis_geometry_get_geometry_type (GisGeometry  *geometry);
const char      *gis_geometry_type_to_string    (GisGeometryType type);
GBytes          *gis_geometry_get_wkb           (GisGeometry  *geometry);
const guint8    *gis_geometry_peek_wkb          (GisGeometry  *geometry,
                                                 gsize        *len);
void             gis_geometry_get_envelope      (GisGeometry  *geometry,
                                                 GisEnvelope  *envelope);
gboolean         gis_geometry_is_empty          (GisGeometry  *geometry);
guint            gis_geometry_get_n_points      (GisGeometry  *geometry);
char            *gis_geometry_to_wkt            (GisGeometry  *geometry,
                                                 int           precision);
gboolean         gis_geometry_equal_exact       (GisGeometry  *a,
                                                 GisGeometry  *b);

/* Predicates and operations through GEOS (a context per thread) */
gboolean         gis_geometry_is_valid          (GisGeometry  *geometry,
                                                 char        **reason,
                                                 GError      **error);
GisGeometry     *gis_geometry_make_valid        (GisGeometry  *geometry,
                                                 GError      **error);
GisGeometry     *gis_geometry_intersection      (GisGeometry  *a,
                                                 GisGeometry  *b,
                                                 GError      **error);
GisGeometry     *gis_geometry_difference        (GisGeometry  *a,
                                                 GisGeometry  *b,
                                                 GError      **error);
GisGeometry     *gis_geometry_union             (GisGeometry  *a,
                                                 GisGeometry  *b,
                                                 GError      **error);
GisGeometry     *gis_geometry_union_all         (GisGeometry **geometries,
                                                 guint         n,
                                                 GError      **error);
GisGeometry     *gis_geometry_buffer            (GisGeometry  *geometry,
                                                 double        distance,
                                                 int           quadrant_segments,
                                                 GError      **error);
GisGeometry     *gis_geometry_polygonal_part    (GisGeometry  *geometry,
                                                 GError      **error);
GisGeometry     *gis_geometry_clip_to_box       (GisGeometry  *geometry,
                                                 const GisEnvelope *box,
                                                 GError      **error);
GisGeometry     *gis_geometry_shared_edges      (GisGeometry  *a,
                                                 GisGeometry  *b,
                                                 GError      **error);
gboolean         gis_geometry_intersects        (GisGeometry  *a,
                                                 GisGeometry  *b,
                                                 GError      **error);
gboolean         gis_geometry_contains          (GisGeometry  *a,
                                                 GisGeometry  *b,
                                                 GError      **error);
double           gis_geometry_planar_area       (GisGeometry  *geometry);
double           gis_geometry_distance          (GisGeometry  *a,
                                                 GisGeometry  *b,
                                                 GError      **error);
GisGeometry     *gis_geometry_hull              (GisGeometry  *geometry,
                                                 double        concave_ratio,
                                                 GError      **error);
gboolean         gis_geometry_nearest_points    (GisGeometry  *a,
                                                 GisGeometry  *b,
                                                 double        x[2],
                                                 double        y[2],
                                                 GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisGeometry, gis_geometry_unref)

G_END_DECLS
