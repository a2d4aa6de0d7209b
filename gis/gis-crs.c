/* gis-crs.c: CRS values, transforms in traditional GIS axis order, geodesic measures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-crs"

#include <math.h>
#include <string.h>

#include <geodesic.h>

#include "gis-crs.h"
#include "gis-private.h"

struct _GisCrs {
  gatomicrefcount ref_count;
  char           *wkt;
  char           *name;
  int             epsg;
  gboolean        geographic;
  double          semi_major;
  double          flattening;
  double          angular_to_degrees;
  /* A Transverse Mercator projection (UTM among them) on a Greenwich meridian: its
   * parameters, in degrees and metres, for the area meter's own inverse (tm_inverse ()) */
  gboolean        tm;
  double          tm_lon0, tm_lat0, tm_k0, tm_x0, tm_y0, tm_unit;
};

G_DEFINE_BOXED_TYPE (GisCrs, gis_crs, gis_crs_ref, gis_crs_unref)

static void
srs_destroy (OGRSpatialReferenceH srs)
{
  if (srs != NULL)
    OSRDestroySpatialReference (srs);
}

typedef struct OGRSpatialReferenceHS GisSrsHandle;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisSrsHandle, srs_destroy)

/* Every spatial reference Placer makes goes through here, so that none ever uses the
 * authority axis order (EPSG:4326 is lat,lon in GDAL >= 3; Placer's data is lon,lat). */
static OGRSpatialReferenceH
srs_new (void)
{
  OGRSpatialReferenceH srs = OSRNewSpatialReference (NULL);

  OSRSetAxisMappingStrategy (srs, OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

static GisCrs *
crs_from_srs (OGRSpatialReferenceH srs, GError **error)
{
  GisCrs *self;
  char *wkt = NULL;
  const char *auth;
  const char *code;
  const char *options[] = { "FORMAT=WKT2_2019", "MULTILINE=NO", NULL };
  char *unit_name = NULL;

  if (OSRIsGeographic (srs) == 0 && OSRIsProjected (srs) == 0)
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_CRS,
                           "Only geographic and projected CRSs are supported");
      return NULL;
    }

  if (OSRExportToWktEx (srs, &wkt, options) != OGRERR_NONE || wkt == NULL)
    {
      CPLFree (wkt);
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_CRS, "Could not express the CRS as WKT2");
      return NULL;
    }

  self = g_new0 (GisCrs, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->wkt = g_strdup (wkt);
  CPLFree (wkt);
  self->name = g_strdup (OSRGetName (srs) ? OSRGetName (srs) : "unnamed");
  self->geographic = OSRIsGeographic (srs) != 0;

  auth = OSRGetAuthorityName (srs, NULL);
  code = OSRGetAuthorityCode (srs, NULL);
  if (auth == NULL || code == NULL)
    {
      /* A .prj from a shapefile usually lacks an ID; identify it when the match is certain. */
      if (OSRAutoIdentifyEPSG (srs) == OGRERR_NONE)
        {
          auth = OSRGetAuthorityName (srs, NULL);
          code = OSRGetAuthorityCode (srs, NULL);
        }
    }
  if (auth != NULL && code != NULL && g_ascii_strcasecmp (auth, "EPSG") == 0)
    self->epsg = (int) g_ascii_strtoll (code, NULL, 10);

  {
    OGRErr err = OGRERR_NONE;
    self->semi_major = OSRGetSemiMajor (srs, &err);
    if (err == OGRERR_NONE)
      {
        double inv_f = OSRGetInvFlattening (srs, &err);
        self->flattening = inv_f > 0 ? 1.0 / inv_f : 0.0;
      }
    if (err != OGRERR_NONE || !(self->semi_major > 0))
      {
        gis_crs_unref (self);
        g_set_error_literal (error, GIS_ERROR, GIS_ERROR_CRS, "The CRS has no ellipsoid");
        return NULL;
      }
  }
  self->angular_to_degrees = OSRGetAngularUnits (srs, &unit_name) * 180.0 / G_PI;
  {
    const char *method = OSRIsProjected (srs) ? OSRGetAttrValue (srs, "PROJECTION", 0) : NULL;
    char *pm_name = NULL;
    OGRErr e1 = OGRERR_NONE, e2 = OGRERR_NONE, e3 = OGRERR_NONE, e4 = OGRERR_NONE,
           e5 = OGRERR_NONE;

    if (method != NULL && g_str_equal (method, SRS_PT_TRANSVERSE_MERCATOR) &&
        OSRGetPrimeMeridian (srs, &pm_name) == 0.0)
      {
        self->tm_lon0 = OSRGetNormProjParm (srs, SRS_PP_CENTRAL_MERIDIAN, 0.0, &e1);
        self->tm_lat0 = OSRGetNormProjParm (srs, SRS_PP_LATITUDE_OF_ORIGIN, 0.0, &e2);
        self->tm_k0 = OSRGetNormProjParm (srs, SRS_PP_SCALE_FACTOR, 1.0, &e3);
        self->tm_x0 = OSRGetNormProjParm (srs, SRS_PP_FALSE_EASTING, 0.0, &e4);
        self->tm_y0 = OSRGetNormProjParm (srs, SRS_PP_FALSE_NORTHING, 0.0, &e5);
        self->tm_unit = OSRGetLinearUnits (srs, NULL);
        self->tm = e1 == OGRERR_NONE && e3 == OGRERR_NONE && self->tm_k0 > 0 &&
                   self->tm_unit > 0;
      }
  }
  return self;
}

/**
 * gis_crs_new_from_epsg:
 *
 * Returns: (transfer full): the CRS, or %NULL with a #GIS_ERROR_CRS error
 */
GisCrs *
gis_crs_new_from_epsg (int code, GError **error)
{
  g_autoptr(GisSrsHandle) srs = srs_new ();

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _gis_cpl_begin ();
  if (OSRImportFromEPSG (srs, code) != OGRERR_NONE)
    {
      _gis_cpl_end (NULL, GIS_ERROR_CRS, NULL);
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, "Unknown CRS EPSG:%d", code);
      return NULL;
    }
  _gis_cpl_end (NULL, GIS_ERROR_CRS, NULL);
  return crs_from_srs (srs, error);
}

/**
 * gis_crs_new_from_wkt:
 *
 * Returns: (transfer full): the CRS described by WKT1 or WKT2
 */
GisCrs *
gis_crs_new_from_wkt (const char *wkt, GError **error)
{
  g_autoptr(GisSrsHandle) srs = srs_new ();
  const char *p = wkt;

  g_return_val_if_fail (wkt != NULL, NULL);

  _gis_cpl_begin ();
  if (OSRImportFromWkt (srs, (char **) &p) != OGRERR_NONE)
    {
      _gis_cpl_end (NULL, GIS_ERROR_CRS, NULL);
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_CRS, "Not a valid WKT CRS definition");
      return NULL;
    }
  _gis_cpl_end (NULL, GIS_ERROR_CRS, NULL);
  return crs_from_srs (srs, error);
}

/**
 * gis_crs_new_from_user_input:
 * @definition: "EPSG:32735", a bare EPSG number, WKT, or a PROJ string
 *
 * URLs and file names are refused: a CRS definition never makes Placer read a file or
 * reach the network.
 *
 * Returns: (transfer full): the CRS
 */
GisCrs *
gis_crs_new_from_user_input (const char *definition, GError **error)
{
  g_autofree char *s = NULL;

  g_return_val_if_fail (definition != NULL, NULL);

  s = g_strstrip (g_strdup (definition));
  if (g_ascii_strncasecmp (s, "EPSG:", 5) == 0 || g_ascii_isdigit (s[0]))
    {
      const char *digits = g_ascii_isdigit (s[0]) ? s : s + 5;
      char *end = NULL;
      gint64 code = g_ascii_strtoll (digits, &end, 10);

      if (end == digits || *end != '\0' || code <= 0 || code > G_MAXINT)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, "Not an EPSG code: “%s”", definition);
          return NULL;
        }
      return gis_crs_new_from_epsg ((int) code, error);
    }
  if (s[0] == '+')
    {
      g_autoptr(GisSrsHandle) srs = srs_new ();

      _gis_cpl_begin ();
      if (OSRImportFromProj4 (srs, s) != OGRERR_NONE)
        {
          _gis_cpl_end (NULL, GIS_ERROR_CRS, NULL);
          g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, "Not a valid PROJ string: “%s”",
                       definition);
          return NULL;
        }
      _gis_cpl_end (NULL, GIS_ERROR_CRS, NULL);
      return crs_from_srs (srs, error);
    }
  if (g_ascii_isalpha (s[0]) && strchr (s, '[') != NULL)
    return gis_crs_new_from_wkt (s, error);

  g_set_error (error, GIS_ERROR, GIS_ERROR_CRS,
               "Unrecognised CRS “%s”: give EPSG:<code>, WKT or a PROJ string", definition);
  return NULL;
}

/**
 * gis_crs_new_utm_for:
 *
 * Returns: (transfer full): the WGS 84 UTM zone CRS holding the point (lon, lat)
 */
GisCrs *
gis_crs_new_utm_for (double lon, double lat, GError **error)
{
  int zone;

  g_return_val_if_fail (isfinite (lon) && isfinite (lat), NULL);

  zone = (int) floor ((lon + 180.0) / 6.0) + 1;
  zone = CLAMP (zone, 1, 60);
  return gis_crs_new_from_epsg ((lat >= 0 ? 32600 : 32700) + zone, error);
}

GisCrs *
gis_crs_ref (GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, NULL);
  g_atomic_ref_count_inc (&crs->ref_count);
  return crs;
}

void
gis_crs_unref (GisCrs *crs)
{
  g_return_if_fail (crs != NULL);
  if (g_atomic_ref_count_dec (&crs->ref_count))
    {
      g_free (crs->wkt);
      g_free (crs->name);
      g_free (crs);
    }
}

int
gis_crs_get_epsg (GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, 0);
  return crs->epsg;
}

const char *
gis_crs_get_wkt (GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, NULL);
  return crs->wkt;
}

const char *
gis_crs_get_name (GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, NULL);
  return crs->name;
}

/**
 * gis_crs_dup_label:
 *
 * Returns: (transfer full): "EPSG:4326 (WGS 84)" or the name alone
 */
char *
gis_crs_dup_label (GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, NULL);
  if (crs->epsg > 0)
    return g_strdup_printf ("EPSG:%d (%s)", crs->epsg, crs->name);
  return g_strdup (crs->name);
}

gboolean
gis_crs_is_geographic (GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, FALSE);
  return crs->geographic;
}

double
gis_crs_get_semi_major (GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, 0);
  return crs->semi_major;
}

double
gis_crs_get_flattening (GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, 0);
  return crs->flattening;
}

gboolean
gis_crs_equal (GisCrs *a, GisCrs *b)
{
  g_autoptr(GisSrsHandle) sa = NULL;
  g_autoptr(GisSrsHandle) sb = NULL;
  const char *pa, *pb;
  const char *options[] = { "IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES",
                            "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS", NULL };

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a == b || g_str_equal (a->wkt, b->wkt))
    return TRUE;
  if (a->epsg > 0 && a->epsg == b->epsg)
    return TRUE;
  sa = srs_new ();
  sb = srs_new ();
  pa = a->wkt;
  pb = b->wkt;
  if (OSRImportFromWkt (sa, (char **) &pa) != OGRERR_NONE ||
      OSRImportFromWkt (sb, (char **) &pb) != OGRERR_NONE)
    return FALSE;
  return OSRIsSameEx (sa, sb, options) != 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Transforms */

struct _GisTransform {
  OGRCoordinateTransformationH ct;
  gboolean                     identity;
};

/**
 * gis_transform_new:
 *
 * GDAL keeps one PROJ context per thread, so transforms made in different threads never
 * share PROJ state. PROJ's network access stays off (gis_init()).
 *
 * Returns: (transfer full): the transform
 */
GisTransform *
gis_transform_new (GisCrs *source, GisCrs *target, GError **error)
{
  g_autoptr(GisSrsHandle) s = NULL;
  g_autoptr(GisSrsHandle) t = NULL;
  GisTransform *self;
  const char *ps, *pt;

  g_return_val_if_fail (source != NULL && target != NULL, NULL);

  self = g_new0 (GisTransform, 1);
  if (gis_crs_equal (source, target))
    {
      self->identity = TRUE;
      return self;
    }
  s = srs_new ();
  t = srs_new ();
  ps = source->wkt;
  pt = target->wkt;
  _gis_cpl_begin ();
  if (OSRImportFromWkt (s, (char **) &ps) != OGRERR_NONE ||
      OSRImportFromWkt (t, (char **) &pt) != OGRERR_NONE)
    {
      _gis_cpl_end (NULL, GIS_ERROR_CRS, NULL);
      g_free (self);
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_CRS, "Could not read a CRS");
      return NULL;
    }
  self->ct = OCTNewCoordinateTransformation (s, t);
  if (self->ct == NULL)
    {
      g_autofree char *why = _gis_cpl_last_message ();
      _gis_cpl_end (NULL, GIS_ERROR_CRS, NULL);
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, "No transformation from %s to %s%s%s",
                   source->name, target->name, why ? ": " : "", why ? why : "");
      g_free (self);
      return NULL;
    }
  _gis_cpl_end (NULL, GIS_ERROR_CRS, NULL);
  return self;
}

void
gis_transform_free (GisTransform *transform)
{
  if (transform == NULL)
    return;
  if (transform->ct != NULL)
    OCTDestroyCoordinateTransformation (transform->ct);
  g_free (transform);
}

gboolean
gis_transform_is_identity (GisTransform *transform)
{
  g_return_val_if_fail (transform != NULL, FALSE);
  return transform->identity;
}

/**
 * gis_transform_points:
 * @x: (array length=n) (inout): longitudes or eastings
 * @y: (array length=n) (inout): latitudes or northings
 *
 * Returns: %TRUE if every point was transformed
 */
gboolean
gis_transform_points (GisTransform *transform, double *x, double *y, gsize n, GError **error)
{
  g_autofree int *ok = NULL;

  g_return_val_if_fail (transform != NULL, FALSE);
  g_return_val_if_fail (n <= G_MAXINT, FALSE);

  if (transform->identity || n == 0)
    return TRUE;
  ok = g_new0 (int, n);
  if (!OCTTransformEx (transform->ct, (int) n, x, y, NULL, ok))
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_CRS, "Coordinate transformation failed");
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    if (!ok[i] || !isfinite (x[i]) || !isfinite (y[i]))
      {
        g_set_error (error, GIS_ERROR, GIS_ERROR_CRS,
                     "Coordinate transformation failed for a point (number %" G_GSIZE_FORMAT
                     "): it may lie outside the target CRS's area of use", i + 1);
        return FALSE;
      }
  return TRUE;
}

/**
 * gis_transform_geometry:
 *
 * Returns: (transfer full): the geometry in the target CRS
 */
GisGeometry *
gis_transform_geometry (GisTransform *transform, GisGeometry *geometry, GError **error)
{
  OGRGeometryH g;
  GisGeometry *result;

  g_return_val_if_fail (transform != NULL && geometry != NULL, NULL);

  if (transform->identity)
    return gis_geometry_ref (geometry);
  g = _gis_geometry_to_ogr (geometry, error);
  if (g == NULL)
    return NULL;
  _gis_cpl_begin ();
  if (OGR_G_Transform (g, transform->ct) != OGRERR_NONE)
    {
      _gis_cpl_end (NULL, GIS_ERROR_CRS, NULL);
      OGR_G_DestroyGeometry (g);
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_CRS,
                           "Could not transform a geometry: a point may lie outside the "
                           "target CRS's area of use");
      return NULL;
    }
  _gis_cpl_end (NULL, GIS_ERROR_CRS, NULL);
  result = _gis_geometry_from_ogr (g, error);
  OGR_G_DestroyGeometry (g);
  return result;
}

/* ---------------------------------------------------------------------------------------- */
/* Geodesic measures */

typedef struct {
  struct geod_geodesic geod;
  double               total;
  double               scale;
  GArray              *lat;
  GArray              *lon;
  GisTransform        *to_lonlat;   /* transforms ring coordinates on the fly, or NULL */
  double               post_scale;  /* angular unit of the transform's output → degrees */
  gboolean             failed;
} AreaWalk;

static guint
ring_to_arrays (AreaWalk *w, const double *xy, guint n)
{
  /* geod_polygonarea closes the ring itself; a repeated closing vertex would add nothing but
   * is dropped so that the vertex count matches Planimeter's input. */
  if (n > 1 && xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1])
    n--;
  g_array_set_size (w->lat, n);
  g_array_set_size (w->lon, n);
  for (guint i = 0; i < n; i++)
    {
      g_array_index (w->lon, double, i) = xy[2 * i] * w->scale;
      g_array_index (w->lat, double, i) = xy[2 * i + 1] * w->scale;
    }
  return n;
}

static void
area_ring_cb (guint polygon, guint ring, const double *xy, guint n, gpointer user_data)
{
  AreaWalk *w = user_data;
  double a = 0, p = 0;

  n = ring_to_arrays (w, xy, n);
  if (n < 3 || w->failed)
    return;
  /* Projected rings are brought to lon/lat coordinate by coordinate: no geometry objects. */
  if (w->to_lonlat != NULL)
    {
      double *lon = (double *) (gpointer) w->lon->data, *lat = (double *) (gpointer) w->lat->data;
      /* ring_to_arrays scaled by w->scale, which is 1 for projected input */
      if (!gis_transform_points (w->to_lonlat, lon, lat, n, NULL))
        {
          w->failed = TRUE;
          return;
        }
      if (w->post_scale != 1.0)
        for (guint i = 0; i < n; i++)
          {
            lon[i] *= w->post_scale;
            lat[i] *= w->post_scale;
          }
    }
  geod_polygonarea (&w->geod, (double *) (gpointer) w->lat->data,
                    (double *) (gpointer) w->lon->data, (int) n, &a, &p);
  /* Shells add and holes subtract, whichever way each ring turns. */
  w->total += ring == 0 ? fabs (a) : -fabs (a);
}

static void
length_line_cb (guint polygon, guint ring, const double *xy, guint n, gpointer user_data)
{
  AreaWalk *w = user_data;

  for (guint i = 0; i + 1 < n; i++)
    {
      double s12 = 0;
      geod_inverse (&w->geod, xy[2 * i + 1] * w->scale, xy[2 * i] * w->scale,
                    xy[2 * i + 3] * w->scale, xy[2 * i + 2] * w->scale, &s12, NULL, NULL);
      w->total += s12;
    }
}

/**
 * gis_geodesic_area_lonlat:
 * @geometry: a geometry in longitude/latitude degrees
 *
 * Returns: the ellipsoidal area in m² of the polygons in @geometry
 */
double
gis_geodesic_area_lonlat (GisGeometry *geometry, double semi_major, double flattening)
{
  AreaWalk w = { .scale = 1.0 };

  g_return_val_if_fail (geometry != NULL, 0);

  geod_init (&w.geod, semi_major, flattening);
  w.lat = g_array_new (FALSE, FALSE, sizeof (double));
  w.lon = g_array_new (FALSE, FALSE, sizeof (double));
  _gis_geometry_foreach_ring (geometry, area_ring_cb, &w);
  g_array_unref (w.lat);
  g_array_unref (w.lon);
  return w.total;
}

GisCrs *
_gis_crs_new_geographic_base (GisCrs *crs, GError **error)
{
  g_autoptr(GisSrsHandle) srs = srs_new ();
  g_autoptr(GisSrsHandle) geog = NULL;
  const char *p = crs->wkt;

  if (OSRImportFromWkt (srs, (char **) &p) != OGRERR_NONE)
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_CRS, "Could not read the CRS");
      return NULL;
    }
  geog = OSRCloneGeogCS (srs);
  if (geog == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, "%s has no geographic base CRS", crs->name);
      return NULL;
    }
  OSRSetAxisMappingStrategy (geog, OAMS_TRADITIONAL_GIS_ORDER);
  return crs_from_srs (geog, error);
}

GisCrs *
_gis_crs_new_local (GisCrs *base, const char *method, double lon0, double lat0, GError **error)
{
  g_autoptr(GisSrsHandle) srs = srs_new ();
  g_autoptr(GisSrsHandle) geog = NULL;
  const char *p = base->wkt;
  OGRErr err;

  if (OSRImportFromWkt (srs, (char **) &p) != OGRERR_NONE)
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_CRS, "Could not read the CRS");
      return NULL;
    }
  geog = OSRCloneGeogCS (srs);
  if (geog == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, "%s has no geographic base CRS", base->name);
      return NULL;
    }
  OSRSetAxisMappingStrategy (geog, OAMS_TRADITIONAL_GIS_ORDER);
  g_autofree char *datum_name = g_strdup (OSRGetName (geog) ? OSRGetName (geog) : "unnamed");
  if (g_str_equal (method, "aeqd"))
    err = OSRSetAE (geog, lat0, lon0, 0, 0);
  else
    err = OSRSetLAEA (geog, lat0, lon0, 0, 0);
  if (err != OGRERR_NONE)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, "Could not set up a local %s projection",
                   method);
      return NULL;
    }
  OSRSetLinearUnits (geog, SRS_UL_METER, 1.0);
  {
    g_autofree char *name = g_strdup_printf ("%s centred on %.4f, %.4f (%s)",
                                             g_str_equal (method, "aeqd")
                                               ? "Azimuthal equidistant"
                                               : "Lambert azimuthal equal-area",
                                             lon0, lat0, datum_name);
    OSRSetProjCS (geog, name);
  }
  return crs_from_srs (geog, error);
}

/* Brings a geometry to longitude/latitude degrees on the CRS's own datum. */
double
_gis_crs_get_angular_to_degrees (GisCrs *crs)
{
  return crs->angular_to_degrees;
}

static GisGeometry *
to_lonlat (GisGeometry *geometry, GisCrs *crs, double *scale, GError **error)
{
  g_autoptr(GisSrsHandle) srs = NULL;
  g_autoptr(GisSrsHandle) geog = NULL;
  g_autoptr(GisCrs) geog_crs = NULL;
  g_autoptr(GisTransform) t = NULL;
  const char *p = crs->wkt;

  *scale = 1.0;
  if (crs->geographic)
    {
      *scale = crs->angular_to_degrees;
      return gis_geometry_ref (geometry);
    }
  srs = srs_new ();
  if (OSRImportFromWkt (srs, (char **) &p) != OGRERR_NONE)
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_CRS, "Could not read the CRS");
      return NULL;
    }
  geog = OSRCloneGeogCS (srs);
  if (geog == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, "%s has no geographic base CRS", crs->name);
      return NULL;
    }
  OSRSetAxisMappingStrategy (geog, OAMS_TRADITIONAL_GIS_ORDER);
  geog_crs = crs_from_srs (geog, error);
  if (geog_crs == NULL)
    return NULL;
  *scale = geog_crs->angular_to_degrees;
  t = gis_transform_new (crs, geog_crs, error);
  if (t == NULL)
    return NULL;
  return gis_transform_geometry (t, geometry, error);
}

/**
 * gis_geodesic_area:
 * @crs: the CRS of @geometry
 * @area_m2: (out): the area in square metres on the CRS's ellipsoid
 *
 * Points and lines have no area; holes are subtracted; multipolygon parts add up.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_geodesic_area (GisGeometry *geometry, GisCrs *crs, double *area_m2, GError **error)
{
  g_autoptr(GisGeometry) ll = NULL;
  AreaWalk w = { 0 };

  g_return_val_if_fail (geometry != NULL && crs != NULL && area_m2 != NULL, FALSE);

  ll = to_lonlat (geometry, crs, &w.scale, error);
  if (ll == NULL)
    return FALSE;
  geod_init (&w.geod, crs->semi_major, crs->flattening);
  w.lat = g_array_new (FALSE, FALSE, sizeof (double));
  w.lon = g_array_new (FALSE, FALSE, sizeof (double));
  _gis_geometry_foreach_ring (ll, area_ring_cb, &w);
  g_array_unref (w.lat);
  g_array_unref (w.lon);
  *area_m2 = w.total;
  return TRUE;
}

/**
 * gis_geodesic_length:
 * @length_m: (out): the length of the lines, or the perimeter of the polygons, in metres
 */
gboolean
gis_geodesic_length (GisGeometry *geometry, GisCrs *crs, double *length_m, GError **error)
{
  g_autoptr(GisGeometry) ll = NULL;
  AreaWalk w = { 0 };

  g_return_val_if_fail (geometry != NULL && crs != NULL && length_m != NULL, FALSE);

  ll = to_lonlat (geometry, crs, &w.scale, error);
  if (ll == NULL)
    return FALSE;
  geod_init (&w.geod, crs->semi_major, crs->flattening);
  _gis_geometry_foreach_line (ll, TRUE, length_line_cb, &w);
  *length_m = w.total;
  return TRUE;
}

/**
 * gis_geodesic_distance:
 *
 * Returns: the WGS 84 geodesic distance in metres between two lon/lat points
 */
double
gis_geodesic_distance (double lon1, double lat1, double lon2, double lat2)
{
  struct geod_geodesic g;
  double s12 = 0;

  geod_init (&g, 6378137.0, 1 / 298.257223563);
  geod_inverse (&g, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
  return s12;
}

/* Transverse Mercator, inverse: Krüger's series to sixth order in the third flattening n
 * (Karney 2011, "Transverse Mercator with an accuracy of a few nanometers"), which is what
 * PROJ computes too; here without a PROJ pipeline per call, and without PROJ in the
 * meter's thread. */
typedef struct {
  double lon0, k0a;           /* central meridian (degrees); k0 × rectifying radius */
  double x0, y0, unit;        /* false easting and northing (m); metres per CRS unit */
  double xi0;                 /* ξ of the latitude of origin */
  double beta[6], delta[6];
} TmInverse;

struct _GisAreaMeter {
  GisCrs       *crs;
  GisTransform *to_lonlat;    /* NULL when the CRS is geographic, or tm is set */
  TmInverse    *tm;           /* the CRS's own inverse, when it is Transverse Mercator */
  double        scale;        /* angular unit → degrees */
  double        a, f;
  struct geod_geodesic geod;
  /* Edge → its S12, for geometries that share edges: an open-addressing table of
   * EDGE_SLOTS edges, emptied at once (by a new stamp) when half full. No allocation per
   * edge: a bulk overlay measures millions of them. */
  struct _Edge *slots;        /* made on first need */
  guint32       stamp;
  guint         filled;
  gboolean      forget;       /* no table: every edge is new (see set_remember) */
};

static TmInverse *
tm_inverse_new (const GisCrs *crs)
{
  TmInverse *t = g_new0 (TmInverse, 1);
  double f = crs->flattening, n = f / (2 - f), e = sqrt (f * (2 - f));
  double n2 = n * n, n3 = n2 * n, n4 = n3 * n, n5 = n4 * n, n6 = n5 * n;
  double a_rect = crs->semi_major / (1 + n) * (1 + n2 / 4 + n4 / 64 + n6 / 256);
  const double alpha[6] = {
    n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180 - 127 * n5 / 288 + 7891 * n6 / 37800,
    13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440 + 281 * n5 / 630 - 1983433 * n6 / 1935360,
    61 * n3 / 240 - 103 * n4 / 140 + 15061 * n5 / 26880 + 167603 * n6 / 181440,
    49561 * n4 / 161280 - 179 * n5 / 168 + 6601661 * n6 / 7257600,
    34729 * n5 / 80640 - 3418889 * n6 / 1995840,
    212378941 * n6 / 319334400,
  };
  const double beta[6] = {
    n / 2 - 2 * n2 / 3 + 37 * n3 / 96 - n4 / 360 - 81 * n5 / 512 + 96199 * n6 / 604800,
    n2 / 48 + n3 / 15 - 437 * n4 / 1440 + 46 * n5 / 105 - 1118711 * n6 / 3870720,
    17 * n3 / 480 - 37 * n4 / 840 - 209 * n5 / 4480 + 5569 * n6 / 90720,
    4397 * n4 / 161280 - 11 * n5 / 504 - 830251 * n6 / 7257600,
    4583 * n5 / 161280 - 108847 * n6 / 3991680,
    20648693 * n6 / 638668800,
  };
  const double delta[6] = {
    2 * n - 2 * n2 / 3 - 2 * n3 + 116 * n4 / 45 + 26 * n5 / 45 - 2854 * n6 / 675,
    7 * n2 / 3 - 8 * n3 / 5 - 227 * n4 / 45 + 2704 * n5 / 315 + 2323 * n6 / 945,
    56 * n3 / 15 - 136 * n4 / 35 - 1262 * n5 / 105 + 73814 * n6 / 2835,
    4279 * n4 / 630 - 332 * n5 / 35 - 399572 * n6 / 14175,
    4174 * n5 / 315 - 144838 * n6 / 6237,
    601676 * n6 / 22275,
  };
  double phi0 = crs->tm_lat0 * G_PI / 180, chi0;

  t->lon0 = crs->tm_lon0;
  t->k0a = crs->tm_k0 * a_rect;
  t->x0 = crs->tm_x0;
  t->y0 = crs->tm_y0;
  t->unit = crs->tm_unit;
  memcpy (t->beta, beta, sizeof beta);
  memcpy (t->delta, delta, sizeof delta);
  /* The origin's ξ: its conformal latitude, then the forward series along the meridian. */
  chi0 = asin (tanh (atanh (sin (phi0)) - e * atanh (e * sin (phi0))));
  t->xi0 = chi0;
  for (int j = 0; j < 6; j++)
    t->xi0 += alpha[j] * sin (2 * (j + 1) * chi0);
  return t;
}

/* Projected (x, y) in place to (lon, lat) in degrees. Both series are summed by
 * Clenshaw's recurrence, the first one over complex ζ = ξ + iη, so that each point costs a
 * dozen elementary functions. */
static void
tm_inverse (const TmInverse *t, double *x, double *y, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      double xi = (y[i] * t->unit - t->y0) / t->k0a + t->xi0;
      double eta = (x[i] * t->unit - t->x0) / t->k0a;
      double s2 = sin (2 * xi), c2 = cos (2 * xi), sh2 = sinh (2 * eta), ch2 = cosh (2 * eta);
      /* a = 2 cos 2ζ; b_k = a b_{k+1} − b_{k+2} + β_k; Σ β_k sin 2kζ = b_1 sin 2ζ */
      double ar = 2 * c2 * ch2, ai = -2 * s2 * sh2;
      double b1r = 0, b1i = 0, b2r = 0, b2i = 0;
      double xp, ep, chi, phi, sc, cc, d1 = 0, d2 = 0;

      for (int j = 5; j >= 0; j--)
        {
          double br = ar * b1r - ai * b1i - b2r + t->beta[j];
          double bi = ar * b1i + ai * b1r - b2i;
          b2r = b1r;
          b2i = b1i;
          b1r = br;
          b1i = bi;
        }
      /* sin 2ζ = sin 2ξ cosh 2η + i cos 2ξ sinh 2η */
      xp = xi - (b1r * s2 * ch2 - b1i * c2 * sh2);
      ep = eta - (b1r * c2 * sh2 + b1i * s2 * ch2);
      chi = asin (sin (xp) / cosh (ep));
      sc = sin (2 * chi);
      cc = cos (2 * chi);
      for (int j = 5; j >= 0; j--)
        {
          double d = 2 * cc * d1 - d2 + t->delta[j];
          d2 = d1;
          d1 = d;
        }
      phi = chi + d1 * sc;
      x[i] = t->lon0 + atan2 (sinh (ep), cos (xp)) * 180 / G_PI;
      y[i] = phi * 180 / G_PI;
    }
}

/* An edge in the meter's input coordinates. Pieces cut from one zone keep the zone's vertices
 * bit for bit, and a drawing tool moves one vertex at a time, so most edges recur. */
typedef struct _Edge {
  double  x1, y1, x2, y2;
  double  s12;
  gint32  cross;   /* crossing of the prime meridian, see meridian_crossing () */
  guint32 stamp;   /* the slot is in use when equal to the meter's */
} Edge;

/* 32,768 slots of 48 bytes (1.5 MB): enough for the thousand edges of a zone being drawn,
 * small for a meter on each overlay worker. */
#define EDGE_SLOTS 32768

static guint
edge_hash (const Edge *e)
{
  guint64 h = 1469598103934665603ULL;
  const guint64 *w = (const guint64 *) (gconstpointer) e;

  for (guint i = 0; i < 4; i++)
    {
      h ^= w[i];
      h *= 1099511628211ULL;
    }
  return (guint) (h ^ (h >> 32)) & (EDGE_SLOTS - 1);
}

/* The slot of @key: the one holding it, or the empty one where it goes. */
static Edge *
edge_slot (GisAreaMeter *m, const Edge *key)
{
  if (m->slots == NULL)
    {
      m->slots = g_new0 (Edge, EDGE_SLOTS);
      m->stamp = 1;
    }
  for (guint h = edge_hash (key);; h = (h + 1) & (EDGE_SLOTS - 1))
    {
      Edge *e = &m->slots[h];

      if (e->stamp != m->stamp ||
          (e->x1 == key->x1 && e->y1 == key->y1 && e->x2 == key->x2 && e->y2 == key->y2))
        return e;
    }
}

/* Remembers @key with its S12 in @slot (from edge_slot); the table is emptied first when
 * half full, in which case the edge goes to its slot in the empty table. */
static void
edge_remember (GisAreaMeter *m, Edge *slot, const Edge *key)
{
  if (m->filled >= EDGE_SLOTS / 2)
    {
      if (++m->stamp == 0)
        {
          memset (m->slots, 0, EDGE_SLOTS * sizeof (Edge));
          m->stamp = 1;
        }
      m->filled = 0;
      slot = edge_slot (m, key);
    }
  *slot = *key;
  slot->stamp = m->stamp;
  m->filled++;
}

/* A short edge's term without solving the geodesic (which costs some 5,000 instructions).
 * S12 is the integral of Z(φ) dλ along the edge, Z(φ) being the ellipsoid's area from the
 * equator to latitude φ per radian of longitude. Simpson's rule needs the geodesic's
 * latitude halfway in longitude: the geodesic is a great circle on the auxiliary sphere of
 * reduced latitudes, halfway in longitude is halfway along it to first order in f, and the
 * factor (1 − f) between tan β and tan φ cancels, so tan φm = (tan φ1 + tan φ2) / (2 cos
 * (Δλ / 2)). Below SHORT_EDGE_DEG (about 200 m) this agrees with geod_geninverse's S12 to
 * 4e-4 m² in the worst direction and latitude (the difference grows as about the fourth
 * power of the length, and mostly cancels around a ring: 200-edge rings keep
 * geod_polygonarea's area to 1e-4 m²). */
#define SHORT_EDGE_DEG 0.002

static double
zone_area (const GisAreaMeter *m, double phi)
{
  double e2 = m->f * (2 - m->f), e = sqrt (e2), b = m->a * (1 - m->f), s = sin (phi);

  if (e == 0)
    return m->a * m->a * s;
  return b * b / 2 * (s / (1 - e2 * s * s) + atanh (e * s) / e);
}

static double
short_edge_s12 (const GisAreaMeter *m, const double lon[2], const double lat[2])
{
  const double r = G_PI / 180;
  double dl = (lon[1] - lon[0]) * r;
  double phi1 = lat[0] * r, phi2 = lat[1] * r;
  double mid = atan ((tan (phi1) + tan (phi2)) / (2 * cos (dl / 2)));

  return dl * (zone_area (m, phi1) + 4 * zone_area (m, mid) + zone_area (m, phi2)) / 6;
}

typedef struct {
  GisAreaMeter *m;
  double        total;
  double        comp;
  gboolean      failed;
  gboolean      slow;       /* a ring that may circle a pole: measured the general way */
  GArray       *lat;
  GArray       *lon;
} MeterWalk;

/* Signed crossings of the prime meridian by the edge, as the polygon area algorithm counts
 * them: a ring that crosses it an odd number of times circles a pole. */
static int
meridian_crossing (double lon1, double lon2)
{
  double d;

  /* Both east of the prime meridian, or both west of it (as PROJ gives longitudes): no
   * crossing, and no remainders to take. */
  if ((lon1 > 0 && lon1 < 180 && lon2 > 0 && lon2 < 180) ||
      (lon1 > -180 && lon1 <= 0 && lon2 > -180 && lon2 <= 0))
    return 0;
  d = remainder (lon2 - lon1, 360.0);
  lon1 = remainder (lon1, 360.0);
  lon2 = remainder (lon2, 360.0);
  if (lon1 <= 0 && lon2 > 0 && d > 0)
    return 1;
  if (lon2 <= 0 && lon1 > 0 && d < 0)
    return -1;
  return 0;
}

/* The area of a ring is the sum, over its edges, of the area between each geodesic edge and
 * the equator (S12 of the inverse problem), which is what geod_polygonarea adds up. Summing
 * cached S12 values gives the same number without solving the same edge twice. */
static void
meter_ring_cb (guint polygon, guint ring, const double *xy, guint n, gpointer user_data)
{
  MeterWalk *w = user_data;
  GisAreaMeter *m = w->m;
  double sum = 0, comp = 0;
  int crossings = 0;

  if (w->failed)
    return;
  if (n > 1 && xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1])
    n--;
  if (n < 3)
    return;
  /* Lon/lat are computed only for rings with edges not known yet (a moved vertex brings two
   * new edges; the other thousand are remembered). */
  {
    double *lon = NULL, *lat = NULL;

    for (guint i = 0; i < n; i++)
      {
        guint j = (i + 1) % n;
        Edge key = { xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1], 0, 0, 0 };
        Edge *slot = m->forget ? NULL : edge_slot (m, &key);
        double s12, y, t;

        if (slot != NULL && slot->stamp == m->stamp)
          {
            s12 = slot->s12;
            crossings += slot->cross;
          }
        else
          {
            double ex[2], ey[2];

            if (lon == NULL)
              {
                /* The first new edge of the ring: all its vertices to lon/lat in one call. */
                g_array_set_size (w->lon, n);
                g_array_set_size (w->lat, n);
                lon = (double *) (gpointer) w->lon->data;
                lat = (double *) (gpointer) w->lat->data;
                for (guint k = 0; k < n; k++)
                  {
                    lon[k] = xy[2 * k];
                    lat[k] = xy[2 * k + 1];
                  }
                if (m->tm != NULL)
                  tm_inverse (m->tm, lon, lat, n);
                else if (m->to_lonlat != NULL &&
                         !gis_transform_points (m->to_lonlat, lon, lat, n, NULL))
                  {
                    w->failed = TRUE;
                    return;
                  }
                for (guint k = 0; k < n; k++)
                  {
                    lon[k] *= m->scale;
                    lat[k] *= m->scale;
                  }
              }
            ex[0] = lon[i];
            ex[1] = lon[j];
            ey[0] = lat[i];
            ey[1] = lat[j];
            if (fabs (ex[1] - ex[0]) <= SHORT_EDGE_DEG && fabs (ey[1] - ey[0]) <= SHORT_EDGE_DEG)
              s12 = short_edge_s12 (m, ex, ey);
            else
              geod_geninverse (&m->geod, ey[0], ex[0], ey[1], ex[1], NULL, NULL, NULL, NULL,
                               NULL, NULL, &s12);
            key.s12 = s12;
            key.cross = meridian_crossing (ex[0], ex[1]);
            crossings += key.cross;
            if (slot != NULL)
              edge_remember (m, slot, &key);
          }
        /* Compensated sum: the terms are large (up to the area down to the equator) and
         * cancel to the small area of the ring. */
        y = s12 - comp;
        t = sum + y;
        comp = (t - sum) - y;
        sum = t;
      }
  }
  {
    double area0 = 4 * G_PI * m->geod.c2;
    /* A ring circling a pole (odd crossings) or covering a sizeable part of the Earth is
     * left to geod_polygonarea, which reduces such areas modulo the whole ellipsoid. */
    if ((crossings & 1) || fabs (sum) > area0 / 8)
      {
        w->slow = TRUE;
        return;
      }
    w->total += ring == 0 ? fabs (sum) : -fabs (sum);
  }
}


/**
 * gis_area_meter_new:
 * @crs: the CRS the geometries will be in
 *
 * Returns: (transfer full): a meter for geometries in @crs
 */
GisAreaMeter *
gis_area_meter_new (GisCrs *crs, GError **error)
{
  g_autoptr(GisAreaMeter) m = g_new0 (GisAreaMeter, 1);

  g_return_val_if_fail (crs != NULL, NULL);

  m->crs = gis_crs_ref (crs);
  m->a = crs->semi_major;
  m->f = crs->flattening;
  geod_init (&m->geod, m->a, m->f);
  m->scale = crs->angular_to_degrees;
  if (crs->tm)
    {
      m->tm = tm_inverse_new (crs);
      m->scale = 1.0;
    }
  else if (!crs->geographic)
    {
      g_autoptr(GisCrs) geog = _gis_crs_new_geographic_base (crs, error);
      if (geog == NULL)
        return NULL;
      m->scale = geog->angular_to_degrees;
      m->to_lonlat = gis_transform_new (crs, geog, error);
      if (m->to_lonlat == NULL)
        return NULL;
    }
  return g_steal_pointer (&m);
}

/**
 * gis_area_meter_set_remember:
 * @remember: whether to remember each edge's term (the default)
 *
 * A meter remembers the terms of the edges it has measured, which makes measuring a shape
 * again after one of its points moved, or pieces cut from it, cost only the new edges. A
 * bulk overlay whose edges never recur measures faster without.
 */
void
gis_area_meter_set_remember (GisAreaMeter *m, gboolean remember)
{
  g_return_if_fail (m != NULL);
  m->forget = !remember;
}

void
gis_area_meter_free (GisAreaMeter *m)
{
  if (m == NULL)
    return;
  g_clear_pointer (&m->crs, gis_crs_unref);
  g_clear_pointer (&m->to_lonlat, gis_transform_free);
  g_free (m->tm);
  g_free (m->slots);
  g_free (m);
}

/**
 * gis_area_meter_measure:
 * @area_m2: (out): the geodesic area in square metres
 */
gboolean
gis_area_meter_measure (GisAreaMeter *m, GisGeometry *geometry, double *area_m2, GError **error)
{
  MeterWalk mw = { m };
  AreaWalk w = { .scale = 1.0 };

  g_return_val_if_fail (m != NULL && geometry != NULL && area_m2 != NULL, FALSE);

  mw.lat = g_array_new (FALSE, FALSE, sizeof (double));
  mw.lon = g_array_new (FALSE, FALSE, sizeof (double));
  _gis_geometry_foreach_ring (geometry, meter_ring_cb, &mw);
  g_array_unref (mw.lat);
  g_array_unref (mw.lon);
  if (!mw.failed && !mw.slow)
    {
      *area_m2 = mw.total;
      return TRUE;
    }

  w.scale = m->to_lonlat ? 1.0 : m->scale;
  w.post_scale = m->scale;
  w.to_lonlat = m->to_lonlat;
  geod_init (&w.geod, m->a, m->f);
  w.lat = g_array_new (FALSE, FALSE, sizeof (double));
  w.lon = g_array_new (FALSE, FALSE, sizeof (double));
  _gis_geometry_foreach_ring (geometry, area_ring_cb, &w);
  g_array_unref (w.lat);
  g_array_unref (w.lon);
  if (w.failed)
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_CRS,
                           "Could not bring a polygon to longitude/latitude to measure it");
      return FALSE;
    }
  *area_m2 = w.total;
  return TRUE;
}
