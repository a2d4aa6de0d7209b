/* gis-raster.c: rasters opened through the allow-list, read by windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-raster"

#include <string.h>

#include <math.h>

#include <glib/gstdio.h>

#include <cpl_conv.h>
#include <gdal_alg.h>

#include "gis-dataset.h"
#include "gis-init.h"
#include "gis-private.h"
#include "gis-raster.h"
#include "gis-render-private.h"

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
  GMutex        lock;
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
  g_mutex_clear (&self->lock);

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
  g_mutex_init (&self->lock);
}

void
_gis_raster_lock (GisRaster *self)
{
  g_mutex_lock (&self->lock);
}

void
_gis_raster_unlock (GisRaster *self)
{
  g_mutex_unlock (&self->lock);
}

gpointer
_gis_raster_get_handle (GisRaster *self)
{
  return self->handle;
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
  /* GDAL remembers the files of a folder from the first open; overviews built since (by
   * Placer, in this process) would go unseen. Without the listing, GDAL looks for the
   * .ovr itself. */
  CPLSetThreadLocalConfigOption ("GDAL_DISABLE_READDIR_ON_OPEN", "TRUE");
  self->handle = GDALOpenEx (path, GDAL_OF_RASTER | GDAL_OF_VERBOSE_ERROR, drivers, NULL, NULL);
  CPLSetThreadLocalConfigOption ("GDAL_DISABLE_READDIR_ON_OPEN", NULL);
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
  g_mutex_lock (&self->lock);
  _gis_cpl_begin ();
  err = GDALRasterIO (b, GF_Read, (int) x, (int) y, (int) w, (int) h, buffer, (int) w, (int) h,
                      type, 0, 0);
  g_mutex_unlock (&self->lock);
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

void
gis_raster_polygon_free (GisRasterPolygon *p)
{
  if (p == NULL)
    return;
  g_clear_pointer (&p->geometry, gis_geometry_unref);
  g_free (p);
}

static int CPL_STDCALL
polygonize_progress (double done, const char *message, void *data)
{
  return !g_cancellable_is_cancelled (data);
}

/* Hands one traced feature over (and frees it): its class value and its polygon. */
static gboolean
hand_over (OGRFeatureH f, const double *classes, const double *threshold,
           GisRasterPolygonFunc func, gpointer user_data, GError **error)
{
  double value = threshold != NULL ? 1 : classes[OGR_F_GetFieldAsInteger (f, 0) - 1];
  g_autoptr(GisGeometry) g = _gis_geometry_from_ogr (OGR_F_GetGeometryRef (f), NULL);

  OGR_F_Destroy (f);
  return g == NULL || func (value, g, user_data, error);
}

/**
 * gis_raster_polygonize_each:
 * @window: (nullable): only the pixels whose cells meet this box (raster CRS)
 * @classes: (array length=n_classes) (nullable): keep pixels whose value is one of these
 * @threshold: (nullable): or keep pixels whose value is at least this (nodata never passes)
 * @merge: one polygon per connected region of pixels of any of @classes (its value is the
 *   first class), rather than one per class: such polygons neither overlap nor share an
 *   edge
 *
 * @func: called with each polygon (and its class value) in turn; %FALSE stops
 *
 * Turns the selected pixels into polygons that follow the pixel edges exactly, at the
 * raster's own resolution: the area of the polygons is the area of the pixels, nothing is
 * resampled. The polygons are handed over one at a time, each let go as soon as it is, so
 * that hundreds of thousands of them are never all held twice.
 *
 * Returns: %FALSE with an error naming the raster, or @func's own error
 */
gboolean
gis_raster_polygonize_each (GisRaster *self, guint band, const GisEnvelope *window,
                            const double *classes, guint n_classes, const double *threshold,
                            gboolean merge, GisRasterPolygonFunc func, gpointer user_data,
                            GCancellable *cancellable, GError **error)
{
  guint x0 = 0, y0 = 0, x1, y1, w, h, strip;
  gboolean wide;
  g_autofree double *pixels = NULL;
  g_autofree guint8 *codes = NULL;
  double nodata = 0;
  gboolean has_nodata;
  GDALDriverH mem = GDALGetDriverByName ("MEM");
  OGRSFDriverH mem_vec = (OGRSFDriverH) GDALGetDriverByName ("Memory");
  GDALDatasetH ds = NULL, vds = NULL;
  OGRLayerH layer;
  double gt[6];
  GIntBig n_features, seen = 0;
  gboolean ok = TRUE;
  g_autoptr(GHashTable) kept = NULL;   /* numbers of features GDAL would not delete */
  OGRFieldDefnH fd;

  g_return_val_if_fail (GIS_IS_RASTER (self), FALSE);
  g_return_val_if_fail ((classes != NULL) != (threshold != NULL), FALSE);

  x1 = gis_raster_get_width (self);
  y1 = gis_raster_get_height (self);
  if (window != NULL)
    {
      const double *g = self->geotransform;
      double px0 = (window->min_x - g[0]) / g[1], px1 = (window->max_x - g[0]) / g[1];
      double py0 = (window->max_y - g[3]) / g[5], py1 = (window->min_y - g[3]) / g[5];
      x0 = (guint) CLAMP (floor (MIN (px0, px1)), 0, x1);
      y0 = (guint) CLAMP (floor (MIN (py0, py1)), 0, y1);
      x1 = (guint) CLAMP (ceil (MAX (px0, px1)), x0, x1);
      y1 = (guint) CLAMP (ceil (MAX (py0, py1)), y0, y1);
    }
  w = x1 - x0;
  h = y1 - y0;
  if (w == 0 || h == 0)
    return TRUE;

  /* The window is read a strip of rows at a time and coded into one grid, which the
   * in-memory band then uses as it is (no copy): one byte per pixel when the codes fit in
   * one (up to 254 classes), else four. */
  wide = threshold == NULL && !merge && n_classes >= 255;
  strip = MIN (h, MAX (1u, (guint) (4u << 20) / MAX (w, 1u)));
  pixels = g_try_new (double, (gsize) w * strip);
  codes = g_try_malloc0 ((gsize) w * h * (wide ? sizeof (gint32) : 1));
  if (pixels == NULL || codes == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "“%s”: a window of %u × %u pixels does not "
                   "fit in memory", self->path, w, h);
      return FALSE;
    }
  has_nodata = gis_raster_get_nodata (self, band, &nodata);
  for (guint row = 0; row < h; row += strip)
    {
      guint rows = MIN (strip, h - row);
      gsize base = (gsize) row * w;

      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !gis_raster_read_window (self, band, x0, y0 + row, w, rows, pixels, error))
        return FALSE;
      /* Code each pixel: 0 drops it; otherwise its class value (or 1 for a threshold). */
      for (gsize i = 0; i < (gsize) w * rows; i++)
        {
          double v = pixels[i];
          gint32 code = 0;
          if (isnan (v) || (has_nodata && v == nodata))
            continue;
          if (threshold != NULL)
            code = v >= *threshold ? 1 : 0;
          else
            for (guint k = 0; k < n_classes; k++)
              if (v == classes[k])
                {
                  /* Class values are stored as index + 1 so that a class 0 is possible. */
                  code = merge ? 1 : (gint32) k + 1;
                  break;
                }
          if (wide)
            ((gint32 *) (gpointer) codes)[base + i] = code;
          else
            codes[base + i] = (guint8) code;
        }
    }
  g_clear_pointer (&pixels, g_free);

  _gis_cpl_begin ();
  ds = GDALCreate (mem, "", (int) w, (int) h, 0, wide ? GDT_Int32 : GDT_Byte, NULL);
  memcpy (gt, self->geotransform, sizeof gt);
  gt[0] = self->geotransform[0] + x0 * self->geotransform[1];
  gt[3] = self->geotransform[3] + y0 * self->geotransform[5];
  GDALSetGeoTransform (ds, gt);
  {
    char pointer[64];
    char *options[] = { pointer, NULL };

    g_snprintf (pointer, sizeof pointer, "DATAPOINTER=%p", (void *) codes);
    if (GDALAddBand (ds, wide ? GDT_Int32 : GDT_Byte, options) != CE_None)
      {
        GDALClose (ds);
        _gis_cpl_end (error, GIS_ERROR_IO, self->path);
        return FALSE;
      }
  }
  vds = GDALCreate ((GDALDriverH) mem_vec, "", 0, 0, 0, GDT_Unknown, NULL);
  layer = GDALDatasetCreateLayer (vds, "pixels", NULL, wkbPolygon, NULL);
  fd = OGR_Fld_Create ("code", OFTInteger);
  OGR_L_CreateField (layer, fd, TRUE);
  OGR_Fld_Destroy (fd);
  /* The band is its own mask: code 0 is left out. */
  if (GDALPolygonize (GDALGetRasterBand (ds, 1), GDALGetRasterBand (ds, 1), layer, 0, NULL,
                      polygonize_progress, cancellable) != CE_None)
    {
      GDALClose (vds);
      GDALClose (ds);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          _gis_cpl_end (NULL, GIS_ERROR_IO, NULL);
          return FALSE;
        }
      _gis_cpl_end (error, GIS_ERROR_IO, self->path);
      return FALSE;
    }
  /* The grid is done with: let it go before the polygons are handed over. */
  GDALClose (ds);
  g_clear_pointer (&codes, g_free);
  /* Each feature is taken by its number and then deleted from the in-memory layer, so
   * that the layer shrinks as the caller's copies grow. GDAL numbers them from 0 with no
   * gap; should it ever not, what is left is then read in turn, none twice. */
  n_features = OGR_L_GetFeatureCount (layer, TRUE);
  for (GIntBig fid = 0; ok && seen < n_features && fid < n_features; fid++)
    {
      OGRFeatureH f = OGR_L_GetFeature (layer, fid);

      if (f == NULL)
        continue;
      seen++;
      if (OGR_L_DeleteFeature (layer, fid) != OGRERR_NONE)
        {
          if (kept == NULL)
            kept = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
          g_hash_table_add (kept, g_memdup2 (&fid, sizeof fid));
        }
      ok = hand_over (f, classes, threshold, func, user_data, error);
    }
  if (ok && seen < n_features)
    {
      OGRFeatureH f;

      OGR_L_ResetReading (layer);
      while (ok && (f = OGR_L_GetNextFeature (layer)) != NULL)
        {
          GIntBig fid = OGR_F_GetFID (f);

          if (kept != NULL && g_hash_table_contains (kept, &fid))
            OGR_F_Destroy (f);
          else
            ok = hand_over (f, classes, threshold, func, user_data, error);
        }
    }
  GDALClose (vds);
  _gis_cpl_end (NULL, GIS_ERROR_IO, NULL);
  return ok;
}

static gboolean
collect_polygon (double value, GisGeometry *geometry, gpointer user_data, GError **error)
{
  GisRasterPolygon *p = g_new0 (GisRasterPolygon, 1);

  p->value = value;
  p->geometry = gis_geometry_ref (geometry);
  g_ptr_array_add (user_data, p);
  return TRUE;
}

/**
 * gis_raster_polygonize:
 *
 * All the polygons of gis_raster_polygonize_each() at once.
 *
 * Returns: (transfer full) (element-type GisRasterPolygon): the polygons
 */
GPtrArray *
gis_raster_polygonize (GisRaster *self, guint band, const GisEnvelope *window,
                       const double *classes, guint n_classes, const double *threshold,
                       gboolean merge, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_raster_polygon_free);

  if (!gis_raster_polygonize_each (self, band, window, classes, n_classes, threshold, merge,
                                   collect_polygon, result, cancellable, error))
    return NULL;
  return g_steal_pointer (&result);
}

/**
 * gis_raster_get_n_overviews:
 *
 * Returns: how many reduced-resolution copies band 1 carries (internal or .ovr)
 */
guint
gis_raster_get_n_overviews (GisRaster *self)
{
  int n;

  g_return_val_if_fail (GIS_IS_RASTER (self), 0);
  g_mutex_lock (&self->lock);
  n = GDALGetOverviewCount (GDALGetRasterBand (self->handle, 1));
  g_mutex_unlock (&self->lock);
  return (guint) MAX (n, 0);
}

typedef struct {
  GisProgressFunc  func;
  gpointer         data;
  GCancellable    *cancellable;
} OverviewProgress;

static int CPL_STDCALL
overview_progress (double done, const char *message, void *data)
{
  OverviewProgress *p = data;

  if (p->func != NULL)
    p->func (CLAMP (done, 0.0, 1.0), p->data);
  return !g_cancellable_is_cancelled (p->cancellable);
}

/**
 * gis_raster_build_overviews:
 * @categorical: the values are classes (land cover): overviews take the nearest pixel,
 *   never an average that would invent a class
 * @progress: (nullable) (scope call): told how far it got, from this thread
 *
 * Builds the reduced-resolution copies a map needs to draw a large raster quickly, halving
 * until the smallest is under 256 pixels across, in an external `.ovr` file next to the
 * raster (the raster itself is not written). Nothing is done when it already has them or
 * is small. Blocking; cancellable.
 *
 * Returns: %TRUE if the raster has overviews (or needs none)
 */
gboolean
gis_raster_build_overviews (const char      *path,
                            gboolean         categorical,
                            GisProgressFunc  progress,
                            gpointer         progress_data,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_autoptr(GisRaster) raster = NULL;
  g_autoptr(GArray) levels = g_array_new (FALSE, FALSE, sizeof (int));
  OverviewProgress p = { progress, progress_data, cancellable };
  guint w, h;
  CPLErr err;

  g_return_val_if_fail (path != NULL, FALSE);

  raster = gis_raster_open (path, error);
  if (raster == NULL)
    return FALSE;
  w = gis_raster_get_width (raster);
  h = gis_raster_get_height (raster);
  if (gis_raster_get_n_overviews (raster) > 0 || MAX (w, h) <= 2048)
    return TRUE;
  for (int f = 2; MAX (w, h) / (guint) f >= 256; f *= 2)
    g_array_append_val (levels, f);

  /* Opened read-only, GDAL writes the overviews to PATH.ovr. */
  g_mutex_lock (&raster->lock);
  _gis_cpl_begin ();
  CPLSetThreadLocalConfigOption ("COMPRESS_OVERVIEW", "DEFLATE");
  err = GDALBuildOverviews (raster->handle, categorical ? "NEAREST" : "AVERAGE", (int) levels->len,
                            (int *) (gpointer) levels->data, 0, NULL, overview_progress, &p);
  CPLSetThreadLocalConfigOption ("COMPRESS_OVERVIEW", NULL);
  g_mutex_unlock (&raster->lock);
  if (err != CE_None)
    {
      g_autofree char *ovr = g_strconcat (path, ".ovr", NULL);
      _gis_cpl_end (NULL, GIS_ERROR_IO, NULL);
      /* A cancelled or failed build leaves no half-written overview file behind. */
      g_clear_object (&raster);
      g_unlink (ovr);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, "Overviews of “%s” could not be built", path);
      return FALSE;
    }
  return _gis_cpl_end (error, GIS_ERROR_IO, path);
}
