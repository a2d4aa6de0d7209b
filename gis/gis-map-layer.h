/* gis-map-layer.h: one layer of a map, as the user sees and styles it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "gis-raster.h"
#include "gis-style.h"
#include "gis-vector-layer.h"

G_BEGIN_DECLS

/**
 * GisLayerSnapshot:
 *
 * What a renderer needs of a layer, frozen on the main thread and handed to workers:
 * the data, the style and the opacity at that moment. Immutable and refcounted.
 */
typedef struct _GisLayerSnapshot GisLayerSnapshot;

#define GIS_TYPE_LAYER_SNAPSHOT (gis_layer_snapshot_get_type ())
GType             gis_layer_snapshot_get_type (void) G_GNUC_CONST;
GisLayerSnapshot *gis_layer_snapshot_ref      (GisLayerSnapshot *snapshot);
void              gis_layer_snapshot_unref    (GisLayerSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisLayerSnapshot, gis_layer_snapshot_unref)

#define GIS_TYPE_MAP_LAYER (gis_map_layer_get_type ())
G_DECLARE_FINAL_TYPE (GisMapLayer, gis_map_layer, GIS, MAP_LAYER, GObject)

GisMapLayer      *gis_map_layer_new_vector   (const char     *title,
                                              GisVectorLayer *data,
                                              GisStyle       *style);
GisMapLayer      *gis_map_layer_new_raster   (const char     *title,
                                              GisRaster      *raster,
                                              GisStyle       *style);
const char       *gis_map_layer_get_title    (GisMapLayer    *self);
void              gis_map_layer_set_title    (GisMapLayer    *self,
                                              const char     *title);
const char       *gis_map_layer_get_role     (GisMapLayer    *self);
void              gis_map_layer_set_role     (GisMapLayer    *self,
                                              const char     *role);
gint64            gis_map_layer_get_id       (GisMapLayer    *self);
void              gis_map_layer_set_id       (GisMapLayer    *self,
                                              gint64          id);
gboolean          gis_map_layer_get_visible  (GisMapLayer    *self);
void              gis_map_layer_set_visible  (GisMapLayer    *self,
                                              gboolean        visible);
double            gis_map_layer_get_opacity  (GisMapLayer    *self);
void              gis_map_layer_set_opacity  (GisMapLayer    *self,
                                              double          opacity);
GisStyle         *gis_map_layer_get_style    (GisMapLayer    *self);
void              gis_map_layer_set_style    (GisMapLayer    *self,
                                              GisStyle       *style);
GisVectorLayer   *gis_map_layer_get_vector   (GisMapLayer    *self);
void              gis_map_layer_set_vector   (GisMapLayer    *self,
                                              GisVectorLayer *data);
GisRaster        *gis_map_layer_get_raster   (GisMapLayer    *self);
gboolean          gis_map_layer_get_extent   (GisMapLayer    *self,
                                              GisCrs         *crs,
                                              GisEnvelope    *extent);
GisCrs           *gis_map_layer_get_crs      (GisMapLayer    *self);
GisLayerSnapshot *gis_map_layer_snapshot     (GisMapLayer    *self);

G_END_DECLS
