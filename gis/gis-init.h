/* gis-init.h: process-wide set-up of the data layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void         gis_init                   (void);
char        *gis_dup_library_versions   (void);
const char  *gis_get_gdal_version       (void);
const char  *gis_get_geos_version       (void);
char        *gis_dup_proj_version       (void);

G_END_DECLS
