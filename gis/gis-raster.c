/* gis-raster.c: rasters opened through the allow-list, read by windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-raster"

#include <string.h>

#include <cpl_conv.h>

#include "gis-dataset.h"
#include "gis-init.h"
#include "gis-private.h"
#include "gis-raster.h"

/* No single raster Placer reads may claim more pixels than this: a hostile header can
 * announce a size that would make a naive reader allocate terabytes. */
#define MAX_PIXELS ((guint64) 1 << 40)

struct _GisRaster {
  GObject       parent_instance;

  /* Owned */
  GisDataset   *dataset;
  GDALDatasetH  handle;
  char         *path;
  GisCrs       *crs;
  double        geotransform[6];
};

G_DEFINE_FINAL_TYPE (GisRaster, gis_raster, G_TYPE_OBJECT)

static void
gis_raster_finalize (GObject *object)
{
  GisRaster *self = GIS_RASTER (object);

  if (self->handle != NULL)
    GDALClose (self->handle);
  g_free (self->path);
  g_clear_pointer (&self->crs, gis_crs_unref);

  G_OBJECT_CLASS (gis_raster_parent_class)->finalize (object);
}

static void
gis_raster_class_init (GisRasterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gis_raster_finalize;
}

static void
gis_raster_init (GisRaster *self)
{
}

/**
 * gis_raster_open:
 *
 * Opens a GeoTIFF (or GeoPackage raster) read-only. A raster without a CRS, with a rotated
 * geotransform or with an absurd size is refused with an error naming the file.
 *
 * Returns: (transfer full): the raster
 */
GisRaster *
gis_raster_open (const char *path, GError **error)
{
  g_autoptr(GisRaster) self = NULL;
  const char *drivers[] = { "GTiff", "GPKG", NULL };
  const char *wkt;
  g_autoptr(GisDataset) probe = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  /* gis_dataset_open() applies the checks on paths and refused formats. */
  probe = gis_dataset_open (path, GIS_OPEN_RASTER, error);
  if (probe == NULL)
    return NULL;

  self = g_object_new (GIS_TYPE_RASTER, NULL);
  self->path = g_strdup (path);
  _gis_cpl_begin ();
  self->handle = GDALOpenEx (path, GDAL_OF_RASTER | GDAL_OF_VERBOSE_ERROR, drivers, NULL, NULL);
  if (self->handle == NULL)
    {
      _gis_cpl_end (error, GIS_ERROR_OPEN, path);
      return NULL;
    }
  _gis_cpl_end (NULL, GIS_ERROR_OPEN, NULL);

  if (GDALGetRasterCount (self->handle) < 1)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_OPEN, "“%s” has no raster band", path);
      return NULL;
    }
  if ((guint64) GDALGetRasterXSize (self->handle) * (guint64) GDALGetRasterYSize (self->handle) >
      MAX_PIXELS)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID, "“%s” claims an implausible size (%d × %d)",
                   path, GDALGetRasterXSize (self->handle), GDALGetRasterYSize (self->handle));
      return NULL;
    }
  if (GDALGetGeoTransform (self->handle, self->geotransform) != CE_None)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, "“%s” is not georeferenced", path);
      return NULL;
    }
  if (self->geotransform[2] != 0 || self->geotransform[4] != 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID,
                   "“%s” is rotated; warp it to a north-up grid first", path);
      return NULL;
    }
  wkt = GDALGetProjectionRef (self->handle);
  if (wkt == NULL || *wkt == '\0')
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS,
                   "“%s” has no CRS; Placer does not guess one", path);
      return NULL;
    }
  self->crs = gis_crs_new_from_wkt (wkt, error);
  if (self->crs == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

const char *
gis_raster_get_path (GisRaster *self)
{
  g_return_val_if_fail (GIS_IS_RASTER (self), NULL);
  return self->path;
}

guint
gis_raster_get_width (GisRaster *self)
{
  g_return_val_if_fail (GIS_IS_RASTER (self), 0);
  return (guint) GDALGetRasterXSize (self->handle);
}

guint
gis_raster_get_height (GisRaster *self)
{
  g_return_val_if_fail (GIS_IS_RASTER (self), 0);
  return (guint) GDALGetRasterYSize (self->handle);
}

guint
gis_raster_get_n_bands (GisRaster *self)
{
  g_return_val_if_fail (GIS_IS_RASTER (self), 0);
  return (guint) GDALGetRasterCount (self->handle);
}

/**
 * gis_raster_get_crs:
 *
 * Returns: (transfer none): the raster's CRS
 */
GisCrs *
gis_raster_get_crs (GisRaster *self)
{
  g_return_val_if_fail (GIS_IS_RASTER (self), NULL);
  return self->crs;
}

void
gis_raster_get_geotransform (GisRaster *self, double geotransform[6])
{
  g_return_if_fail (GIS_IS_RASTER (self));
  memcpy (geotransform, self->geotransform, sizeof self->geotransform);
}

void
gis_raster_get_extent (GisRaster *self, GisEnvelope *extent)
{
  const double *gt;
  double x1, y1;

  g_return_if_fail (GIS_IS_RASTER (self));
  gt = self->geotransform;
  x1 = gt[0] + gt[1] * GDALGetRasterXSize (self->handle);
  y1 = gt[3] + gt[5] * GDALGetRasterYSize (self->handle);
  *extent = (GisEnvelope) { MIN (gt[0], x1), MIN (gt[3], y1), MAX (gt[0], x1), MAX (gt[3], y1) };
}

gboolean
gis_raster_get_nodata (GisRaster *self, guint band, double *nodata)
{
  GDALRasterBandH b;
  int has = 0;

  g_return_val_if_fail (GIS_IS_RASTER (self), FALSE);
  if (band < 1 || band > gis_raster_get_n_bands (self))
    return FALSE;
  b = GDALGetRasterBand (self->handle, (int) band);
  *nodata = GDALGetRasterNoDataValue (b, &has);
  return has != 0;
}

const char *
gis_raster_get_metadata_item (GisRaster *self, const char *key)
{
  g_return_val_if_fail (GIS_IS_RASTER (self), NULL);
  return GDALGetMetadataItem (self->handle, key, NULL);
}

static gboolean
read_window (GisRaster *self, guint band, guint x, guint y, guint w, guint h, void *buffer,
             GDALDataType type, GError **error)
{
  GDALRasterBandH b;
  CPLErr err;

  if (band < 1 || band > gis_raster_get_n_bands (self))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, "“%s” has no band %u", self->path, band);
      return FALSE;
    }
  if ((guint64) x + w > gis_raster_get_width (self) || (guint64) y + h > gis_raster_get_height (self))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID,
                   "“%s”: window %u,%u %u×%u lies outside the raster", self->path, x, y, w, h);
      return FALSE;
    }
  b = GDALGetRasterBand (self->handle, (int) band);
  _gis_cpl_begin ();
  err = GDALRasterIO (b, GF_Read, (int) x, (int) y, (int) w, (int) h, buffer, (int) w, (int) h,
                      type, 0, 0);
  if (err != CE_None)
    {
      _gis_cpl_end (error, GIS_ERROR_IO, self->path);
      if (error != NULL && *error == NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: read failed", self->path);
      return FALSE;
    }
  return _gis_cpl_end (error, GIS_ERROR_IO, self->path);
}

/**
 * gis_raster_read_window:
 * @buffer: (out caller-allocates): @width × @height doubles, row by row
 *
 * Reads pixels at the raster's own resolution: no resampling.
 */
gboolean
gis_raster_read_window (GisRaster *self, guint band, guint x, guint y, guint width,
                        guint height, double *buffer, GError **error)
{
  g_return_val_if_fail (GIS_IS_RASTER (self), FALSE);
  g_return_val_if_fail (buffer != NULL, FALSE);
  return read_window (self, band, x, y, width, height, buffer, GDT_Float64, error);
}

gboolean
gis_raster_read_window_u8 (GisRaster *self, guint band, guint x, guint y, guint width,
                           guint height, guint8 *buffer, GError **error)
{
  g_return_val_if_fail (GIS_IS_RASTER (self), FALSE);
  g_return_val_if_fail (buffer != NULL, FALSE);
  return read_window (self, band, x, y, width, height, buffer, GDT_Byte, error);
}
