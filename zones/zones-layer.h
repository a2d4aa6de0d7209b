/* zones-layer.h: describing a source file for the project, with a proposed mapping
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gis.h"
#include "zones-schema.h"

G_BEGIN_DECLS

/**
 * ZonesLayerCandidate:
 * @layer: what would be registered in the project
 * @info: (nullable): the vector layer's facts (%NULL for a raster)
 * @mapping: the proposed field mapping
 *
 * A source layer inspected for adding to a project: the user confirms or overrides the
 * proposed mapping before it is registered.
 */
typedef struct {
  GisProjectLayer *layer;
  GisLayerInfo    *info;
  ZonesMapping    *mapping;
} ZonesLayerCandidate;

ZonesLayerCandidate *zones_layer_inspect       (const char   *path,
                                                const char   *source_layer,
                                                const char   *role,
                                                GisCrs       *crs_override,
                                                GCancellable *cancellable,
                                                GError      **error);
const char          *zones_layer_guess_role    (const char   *path,
                                                GError      **error);
gboolean             zones_layer_prepare_display (ZonesLayerCandidate *candidate,
                                                GisProgressFunc progress,
                                                gpointer      progress_data,
                                                GCancellable *cancellable,
                                                GError      **error);
void                 zones_layer_candidate_free (ZonesLayerCandidate *candidate);
gboolean             zones_layer_add_to_project (GisProject  *project,
                                                ZonesLayerCandidate *candidate,
                                                const char   *name,
                                                gboolean      embed,
                                                GCancellable *cancellable,
                                                GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesLayerCandidate, zones_layer_candidate_free)

G_END_DECLS
