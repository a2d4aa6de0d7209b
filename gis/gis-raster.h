/* gis-raster.h: raster datasets and window reads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gis-crs.h"
#include "gis-vector-layer.h"

G_BEGIN_DECLS

#define GIS_TYPE_RASTER (gis_raster_get_type ())
G_DECLARE_FINAL_TYPE (GisRaster, gis_raster, GIS, RASTER, GObject)

GisRaster   *gis_raster_open            (const char   *path,
                                         GError      **error);
const char  *gis_raster_get_path        (GisRaster    *self);
guint        gis_raster_get_width       (GisRaster    *self);
guint        gis_raster_get_height      (GisRaster    *self);
guint        gis_raster_get_n_bands     (GisRaster    *self);
GisCrs      *gis_raster_get_crs         (GisRaster    *self);
void         gis_raster_get_geotransform (GisRaster   *self,
                                         double        geotransform[6]);
void         gis_raster_get_extent      (GisRaster    *self,
                                         GisEnvelope  *extent);
gboolean     gis_raster_get_nodata      (GisRaster    *self,
                                         guint         band,
                                         double       *nodata);
const char  *gis_raster_get_metadata_item (GisRaster  *self,
                                         const char   *key);
gboolean     gis_raster_read_window     (GisRaster    *self,
                                         guint         band,
                                         guint         x,
                                         guint         y,
                                         guint         width,
                                         guint         height,
                                         double       *buffer,
                                         GError      **error);
gboolean     gis_raster_read_window_u8  (GisRaster    *self,
                                         guint         band,
                                         guint         x,
                                         guint         y,
                                         guint         width,
                                         guint         height,
                                         guint8       *buffer,
                                         GError      **error);

/**
 * GisRasterPolygon:
 * @value: the class value of the pixels (1 for a threshold test)
 * @geometry: a polygon of connected pixels with that value, in the raster's CRS
 */
typedef struct {
  double       value;
  GisGeometry *geometry;
} GisRasterPolygon;

void         gis_raster_polygon_free    (GisRasterPolygon *p);
guint        gis_raster_get_n_overviews (GisRaster    *self);
gboolean     gis_raster_build_overviews (const char   *path,
                                         gboolean      categorical,
                                         GisProgressFunc progress,
                                         gpointer      progress_data,
                                         GCancellable *cancellable,
                                         GError      **error);
typedef gboolean (*GisRasterPolygonFunc) (double        value,
                                          GisGeometry  *geometry,
                                          gpointer      user_data,
                                          GError      **error);

gboolean     gis_raster_polygonize_each (GisRaster    *self,
                                         guint         band,
                                         const GisEnvelope *window,
                                         const double *classes,
                                         guint         n_classes,
                                         const double *threshold,
                                         gboolean      merge,
                                         GisRasterPolygonFunc func,
                                         gpointer      user_data,
                                         GCancellable *cancellable,
                                         GError      **error);
GPtrArray   *gis_raster_polygonize      (GisRaster    *self,
                                         guint         band,
                                         const GisEnvelope *window,
                                         const double *classes,
                                         guint         n_classes,
                                         const double *threshold,
                                         gboolean      merge,
                                         GCancellable *cancellable,
                                         GError      **error);

G_END_DECLS
