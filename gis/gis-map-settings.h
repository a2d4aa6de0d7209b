/* gis-map-settings.h: what one map frame shows, as an immutable value
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "gis-crs.h"
#include "gis-envelope.h"
#include "gis-map-layer.h"
#include "gis-style.h"

G_BEGIN_DECLS

#define GIS_TYPE_MAP_SETTINGS (gis_map_settings_get_type ())
typedef struct _GisMapSettings GisMapSettings;

GType             gis_map_settings_get_type       (void) G_GNUC_CONST;
GisMapSettings   *gis_map_settings_new            (GisCrs            *crs,
                                                   const GisEnvelope *extent,
                                                   guint              width,
                                                   guint              height,
                                                   double             scale_factor);
GisMapSettings   *gis_map_settings_new_centered   (GisCrs            *crs,
                                                   double             center_x,
                                                   double             center_y,
                                                   double             resolution,
                                                   guint              width,
                                                   guint              height,
                                                   double             scale_factor);
void              gis_map_settings_add_layer      (GisMapSettings    *settings,
                                                   GisLayerSnapshot  *layer);
void              gis_map_settings_set_background (GisMapSettings    *settings,
                                                   const GisColor    *color);
void              gis_map_settings_set_labels     (GisMapSettings    *settings,
                                                   gboolean           labels);
GisMapSettings   *gis_map_settings_ref            (GisMapSettings    *settings);
void              gis_map_settings_unref          (GisMapSettings    *settings);

GisCrs           *gis_map_settings_get_crs        (GisMapSettings    *settings);
void              gis_map_settings_get_extent     (GisMapSettings    *settings,
                                                   GisEnvelope       *extent);
guint             gis_map_settings_get_width      (GisMapSettings    *settings);
guint             gis_map_settings_get_height     (GisMapSettings    *settings);
double            gis_map_settings_get_scale_factor (GisMapSettings  *settings);
double            gis_map_settings_get_resolution (GisMapSettings    *settings);
guint             gis_map_settings_get_n_layers   (GisMapSettings    *settings);
GisLayerSnapshot *gis_map_settings_get_layer      (GisMapSettings    *settings,
                                                   guint              index);
void              gis_map_settings_map_to_pixel   (GisMapSettings    *settings,
                                                   double             x,
                                                   double             y,
                                                   double            *px,
                                                   double            *py);
void              gis_map_settings_pixel_to_map   (GisMapSettings    *settings,
                                                   double             px,
                                                   double             py,
                                                   double            *x,
                                                   double            *y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisMapSettings, gis_map_settings_unref)

G_END_DECLS
