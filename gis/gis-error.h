/* gis-error.h: the error domain of the data layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GIS_ERROR (gis_error_quark ())

/**
 * GisError:
 * @GIS_ERROR_OPEN: a dataset could not be opened (missing, unreadable, wrong format)
 * @GIS_ERROR_DRIVER: the file's format is not on Placer's driver allow-list
 * @GIS_ERROR_CRS: a coordinate reference system is unknown, missing or cannot be transformed
 * @GIS_ERROR_GEOMETRY: a geometry is malformed or a geometry operation failed
 * @GIS_ERROR_IO: reading or writing failed
 * @GIS_ERROR_INVALID: an argument or a value in a file is out of its domain
 * @GIS_ERROR_PROJECT: the project file is not a Placer project, or is of a newer format
 * @GIS_ERROR_NOT_FOUND: a layer, field or feature named by the caller does not exist
 * @GIS_ERROR_EXISTS: the target already exists and would be overwritten
 */
typedef enum {
  GIS_ERROR_OPEN,
  GIS_ERROR_DRIVER,
  GIS_ERROR_CRS,
  GIS_ERROR_GEOMETRY,
  GIS_ERROR_IO,
  GIS_ERROR_INVALID,
  GIS_ERROR_PROJECT,
  GIS_ERROR_NOT_FOUND,
  GIS_ERROR_EXISTS,
} GisError;

GQuark gis_error_quark (void);

G_END_DECLS
