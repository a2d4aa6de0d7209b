/* gis-init.c: GDAL/PROJ configuration and the capture of GDAL errors as GErrors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-init"

#include <proj.h>
#include <sqlite3.h>
#include <cpl_conv.h>

#include "gis-init.h"
#include "gis-private.h"

/* GDAL's driver registration functions (gdal_frmts.h; ogrsf_frmts.h, a C++ header, declares
 * the vector ones with C linkage). */
void GDALRegister_GTiff (void);
void GDALRegister_MEM (void);
void RegisterOGRGeoPackage (void);
void RegisterOGRShape (void);
void RegisterOGRGeoJSON (void);
void RegisterOGRCSV (void);
void RegisterOGRKML (void);
void RegisterOGRFlatGeobuf (void);
void RegisterOGRMEM (void);

/**
 * gis_init:
 *
 * Registers GDAL's drivers and closes the doors Placer never wants open: PROJ's network
 * grids, GDAL's HTTP access and VRT (a VRT renamed .tif can make GDAL read arbitrary files
 * or URLs). Safe to call more than once.
 */
void
gis_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      CPLSetConfigOption ("PROJ_NETWORK", "OFF");
      CPLSetConfigOption ("GDAL_HTTP_TIMEOUT", "1");
      CPLSetConfigOption ("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", "{noext}");
      CPLSetConfigOption ("GDAL_SKIP", "VRT DERIVED");
      CPLSetConfigOption ("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR");
      /* GeoPackages need no SpatiaLite: GDAL has the functions their R-tree triggers call.
       * Loading it into every SQLite connection costs start-up time and a few MB. */
      CPLSetConfigOption ("SPATIALITE_LOAD", "FALSE");
      /* SQLite keeps a page cache per connection (2 MB each by default): GDAL's for every
       * GeoPackage open and PROJ's proj.db for every thread that transforms. Placer reads
       * and writes GeoPackages front to back, where the cache buys nothing; one soft limit
       * across them all lets SQLite drop clean pages instead (measured: no slower). */
      sqlite3_soft_heap_limit64 (2 << 20);
      /* Keep shapefile attribute text as the user wrote it; GDAL recodes from the .cpg. */
      CPLSetConfigOption ("OGR_SKIP", "");
      /* Only the drivers Placer opens or writes (see gis-dataset.c's allow-list): fewer
       * than GDALAllRegister ()'s two hundred, which would cost start-up time and several
       * MB of driver tables in every process. */
      GDALRegister_GTiff ();
      GDALRegister_MEM ();
      RegisterOGRGeoPackage ();
      RegisterOGRShape ();
      RegisterOGRGeoJSON ();
      RegisterOGRCSV ();
      RegisterOGRKML ();
      RegisterOGRFlatGeobuf ();
      RegisterOGRMEM ();
      proj_context_set_enable_network (NULL, 0);
      g_once_init_leave (&once, 1);
    }
}

const char *
gis_get_gdal_version (void)
{
  return GDALVersionInfo ("RELEASE_NAME");
}

const char *
gis_get_geos_version (void)
{
  return GEOSversion ();
}

char *
gis_dup_proj_version (void)
{
  PJ_INFO info = proj_info ();
  return g_strdup (info.version);
}

/**
 * gis_dup_library_versions:
 *
 * Returns: (transfer full): one line per library, for the About window and `--version`
 */
char *
gis_dup_library_versions (void)
{
  g_autofree char *proj = gis_dup_proj_version ();

  return g_strdup_printf ("GDAL %s\nPROJ %s\nGEOS %s\n", gis_get_gdal_version (), proj,
                          gis_get_geos_version ());
}

/* ---------------------------------------------------------------------------------------- */
/* CPL errors. GDAL's error handler stack is per thread, so each thread collects its own. */

typedef struct {
  CPLErr  level;
  char   *message;
  int     depth;
} CplCapture;

static void
cpl_capture_free (gpointer data)
{
  CplCapture *c = data;
  g_free (c->message);
  g_free (c);
}

static GPrivate cpl_tls = G_PRIVATE_INIT (cpl_capture_free);

static CplCapture *
cpl_capture (void)
{
  CplCapture *c = g_private_get (&cpl_tls);
  if (c == NULL)
    {
      c = g_new0 (CplCapture, 1);
      g_private_set (&cpl_tls, c);
    }
  return c;
}

static void CPL_STDCALL
cpl_handler (CPLErr level, CPLErrorNum num, const char *message)
{
  CplCapture *c = CPLGetErrorHandlerUserData ();

  if (level == CE_Debug)
    return;
  if (level >= CE_Warning && (level >= c->level || c->message == NULL))
    {
      c->level = level;
      g_free (c->message);
      c->message = g_strdup (message);
    }
  if (level == CE_Warning)
    g_debug ("GDAL: %s", message);
}

void
_gis_cpl_begin (void)
{
  CplCapture *c = cpl_capture ();

  if (c->depth++ == 0)
    {
      g_clear_pointer (&c->message, g_free);
      c->level = CE_None;
    }
  CPLPushErrorHandlerEx (cpl_handler, c);
}

char *
_gis_cpl_last_message (void)
{
  CplCapture *c = cpl_capture ();
  return g_strdup (c->message);
}

/**
 * _gis_cpl_end:
 * @context: (nullable): when not %NULL and an error was seen, sets @error to
 *   "<context>: <GDAL's message>"
 *
 * Returns: %TRUE if no error (CE_Failure or worse) was reported since the matching begin
 */
gboolean
_gis_cpl_end (GError **error, GisError code, const char *context)
{
  CplCapture *c = cpl_capture ();
  gboolean failed = c->level >= CE_Failure;

  CPLPopErrorHandler ();
  c->depth--;
  if (failed && context != NULL)
    g_set_error (error, GIS_ERROR, code, "%s: %s", context,
                 c->message ? c->message : "unknown GDAL error");
  return !failed;
}
