/* gis-crs.h: coordinate reference systems and transforms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "gis-geometry.h"

G_BEGIN_DECLS

#define GIS_TYPE_CRS (gis_crs_get_type ())

/**
 * GisCrs:
 *
 * An immutable coordinate reference system: its WKT2 definition, its EPSG code when it has
 * one, and the facts Placer needs (geographic or projected, the ellipsoid). Coordinates are
 * always in traditional GIS order: longitude/easting first.
 */
typedef struct _GisCrs GisCrs;

GType        gis_crs_get_type          (void) G_GNUC_CONST;
GisCrs      *gis_crs_new_from_epsg     (int          code,
                                        GError     **error);
GisCrs      *gis_crs_new_from_user_input (const char *definition,
                                        GError     **error);
GisCrs      *gis_crs_new_from_wkt      (const char  *wkt,
                                        GError     **error);
GisCrs      *gis_crs_ref               (GisCrs      *crs);
void         gis_crs_unref             (GisCrs      *crs);

int          gis_crs_get_epsg          (GisCrs      *crs);
const char  *gis_crs_get_wkt           (GisCrs      *crs);
const char  *gis_crs_get_name          (GisCrs      *crs);
char        *gis_crs_dup_label         (GisCrs      *crs);
gboolean     gis_crs_is_geographic     (GisCrs      *crs);
double       gis_crs_get_semi_major    (GisCrs      *crs);
double       gis_crs_get_flattening    (GisCrs      *crs);
gboolean     gis_crs_equal             (GisCrs      *a,
                                        GisCrs      *b);
GisCrs      *gis_crs_new_utm_for       (double       lon,
                                        double       lat,
                                        GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisCrs, gis_crs_unref)

/**
 * GisTransform:
 *
 * A coordinate transform between two CRSs. Not thread-safe: make one per thread or job.
 */
typedef struct _GisTransform GisTransform;

GisTransform *gis_transform_new        (GisCrs       *source,
                                        GisCrs       *target,
                                        GError      **error);
void          gis_transform_free       (GisTransform *transform);
gboolean      gis_transform_is_identity (GisTransform *transform);
gboolean      gis_transform_points     (GisTransform *transform,
                                        double       *x,
                                        double       *y,
                                        gsize         n,
                                        GError      **error);
GisGeometry  *gis_transform_geometry   (GisTransform *transform,
                                        GisGeometry  *geometry,
                                        GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisTransform, gis_transform_free)

/* Geodesic measures on the CRS's ellipsoid (PROJ's geod_polygonarea, a port of GeographicLib).
 * Geometries in a projected CRS are taken to its geographic base first. */
gboolean     gis_geodesic_area         (GisGeometry *geometry,
                                        GisCrs      *crs,
                                        double      *area_m2,
                                        GError     **error);
gboolean     gis_geodesic_length       (GisGeometry *geometry,
                                        GisCrs      *crs,
                                        double      *length_m,
                                        GError     **error);
double       gis_geodesic_area_lonlat  (GisGeometry *geometry,
                                        double       semi_major,
                                        double       flattening);
double       gis_geodesic_distance     (double       lon1,
                                        double       lat1,
                                        double       lon2,
                                        double       lat2);

/**
 * GisAreaMeter:
 *
 * Geodesic areas of many geometries in one CRS, with the transform to longitude/latitude
 * made once. Not thread-safe: one per thread.
 */
typedef struct _GisAreaMeter GisAreaMeter;

GisAreaMeter *gis_area_meter_new      (GisCrs       *crs,
                                       GError      **error);
gboolean      gis_area_meter_measure  (GisAreaMeter *meter,
                                       GisGeometry  *geometry,
                                       double       *area_m2,
                                       GError      **error);
void          gis_area_meter_set_remember (GisAreaMeter *meter,
                                       gboolean      remember);
void          gis_area_meter_free     (GisAreaMeter *meter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisAreaMeter, gis_area_meter_free)

G_END_DECLS
