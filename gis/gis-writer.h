/* gis-writer.h: writing result layers into a new GeoPackage, all or nothing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gis-crs.h"
#include "gis-dataset.h"
#include "gis-geometry.h"

G_BEGIN_DECLS

/**
 * GisWriter:
 *
 * Writes one or more layers into a GeoPackage. Everything goes into a temporary file beside
 * the target, which replaces the target only when gis_writer_finish() succeeds: a failure or
 * a crash never leaves half a file under the target's name.
 */
typedef struct _GisWriter GisWriter;

GisWriter *gis_writer_new         (const char         *path,
                                   gboolean            overwrite,
                                   GError            **error);
gboolean   gis_writer_begin_layer (GisWriter          *writer,
                                   const char         *name,
                                   GisCrs             *crs,
                                   GisGeometryType     geometry_type,
                                   const GisFieldInfo *fields,
                                   guint               n_fields,
                                   const char         *description,
                                   GError            **error);
gboolean   gis_writer_add         (GisWriter          *writer,
                                   GisGeometry        *geometry,
                                   const char *const  *values,
                                   GError            **error);
gboolean   gis_writer_finish      (GisWriter          *writer,
                                   GError            **error);
void       gis_writer_free        (GisWriter          *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisWriter, gis_writer_free)

G_END_DECLS
