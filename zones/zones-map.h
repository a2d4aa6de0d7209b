/* zones-map.h: a project's layers as a map, styled by their roles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gis.h"
#include "zones-schema.h"

G_BEGIN_DECLS

/* The id a map layer carries for the project's own zone register. */
#define ZONES_MAP_ZONES_ID G_GINT64_CONSTANT (0)

GisStyle  *zones_map_default_style (const char     *role,
                                    GisVectorLayer *data,
                                    ZonesMapping   *mapping,
                                    guint           index_in_role);
GisColor   zones_map_mineral_color (const char     *mineral);
int        zones_map_compare_layers (GisMapLayer   *a,
                                    GisMapLayer    *b);
GPtrArray *zones_map_load          (GisProject     *project,
                                    GisCrs         *map_crs,
                                    GPtrArray     **problems,
                                    GCancellable   *cancellable,
                                    GError        **error);
GisMapLayer *zones_map_load_layer  (GisProject     *project,
                                    const GisProjectLayer *layer,
                                    GisCrs         *map_crs,
                                    guint           index_in_role,
                                    GCancellable   *cancellable,
                                    GError        **error);
GisMapLayer *zones_map_load_zones  (GisProject     *project,
                                    GisCrs         *map_crs,
                                    GCancellable   *cancellable,
                                    GError        **error);
gboolean   zones_map_save_state    (GisProject     *project,
                                    GPtrArray      *layers,
                                    GError        **error);
gboolean   zones_map_get_home      (GisProject     *project,
                                    GPtrArray      *layers,
                                    GisCrs         *map_crs,
                                    GisEnvelope    *extent);

G_END_DECLS
