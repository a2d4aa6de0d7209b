/* gis-spool.h: shapes parked in a temporary file, for runs larger than memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "gis-geometry.h"

G_BEGIN_DECLS

/**
 * GisSpool:
 *
 * An append-only store of geometries in an unnamed temporary file: put a shape, keep its
 * #GisSpoolRef (12 bytes), get the shape back when needed. An analysis over more shapes
 * than it wants to hold keeps only their references and envelopes, and reads back the
 * shapes of one neighbourhood at a time. The file is removed when the spool is freed, and
 * at once from the directory (nothing is left behind by a crash).
 *
 * Puts come from one thread; gets may come from several at once.
 */
typedef struct _GisSpool GisSpool;

typedef struct {
  guint64 offset;
  guint32 length;
} GisSpoolRef;

GisSpool    *gis_spool_new   (GError           **error);
void         gis_spool_free  (GisSpool          *spool);
gboolean     gis_spool_put   (GisSpool          *spool,
                              GisGeometry       *geometry,
                              GisSpoolRef       *ref,
                              GError           **error);
GisGeometry *gis_spool_get   (GisSpool          *spool,
                              const GisSpoolRef *ref,
                              GError           **error);
guint64      gis_spool_get_size (GisSpool       *spool);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisSpool, gis_spool_free)

G_END_DECLS
