/* gis-overlay.h: exact polygon overlay of many targets against one set of polygons
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gis-crs.h"
#include "gis-geometry.h"

G_BEGIN_DECLS

/**
 * GisOverlay:
 *
 * A set of polygons ("cutters") prepared for overlaying many targets: an STR-tree over
 * their envelopes and GEOS geometries whose envelopes are computed up front, so that
 * several threads can subtract, intersect and split at once (each with its own GEOS
 * context). Immutable after creation.
 */
typedef struct _GisOverlay GisOverlay;

GisOverlay  *gis_overlay_new           (GPtrArray    *cutters,
                                        GError      **error);
GisOverlay  *gis_overlay_new_full      (GPtrArray    *cutters,
                                        const guint  *families,
                                        GError      **error);
void         gis_overlay_free          (GisOverlay   *overlay);
guint        gis_overlay_get_size      (GisOverlay   *overlay);
GisGeometry *gis_overlay_subtract      (GisOverlay   *overlay,
                                        GisGeometry  *target,
                                        GError      **error);
/**
 * GisOverlayFilter:
 * @index: a cutter's number (its position in the array given to gis_overlay_new())
 *
 * Returns: %TRUE to use the cutter
 */
typedef gboolean (*GisOverlayFilter) (guint index, gpointer user_data);

GisGeometry *gis_overlay_intersect     (GisOverlay   *overlay,
                                        GisGeometry  *target,
                                        GError      **error);
GisGeometry *gis_overlay_intersect_for_area (GisOverlay *overlay,
                                        GisGeometry  *target,
                                        GisOverlayFilter filter,
                                        gpointer      user_data,
                                        GError      **error);
GArray      *gis_overlay_query_box     (GisOverlay   *overlay,
                                        const GisEnvelope *box);
GPtrArray   *gis_overlay_split         (GisOverlay   *overlay,
                                        GisGeometry  *target,
                                        GArray       *indices,
                                        GError      **error);
gint         gis_overlay_locate        (GisOverlay   *overlay,
                                        double        x,
                                        double        y);
void         gis_overlay_locate_many   (GisOverlay   *overlay,
                                        const double *x,
                                        const double *y,
                                        guint         n,
                                        gint         *found,
                                        guint         n_threads);
gboolean     gis_overlay_nearest       (GisOverlay   *overlay,
                                        guint         index,
                                        GisGeometry  *target,
                                        double        x[2],
                                        double        y[2],
                                        GError      **error);
GArray      *gis_overlay_query         (GisOverlay   *overlay,
                                        GisGeometry  *target,
                                        GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisOverlay, gis_overlay_free)

GisGeometry *gis_geometry_buffer_metres (GisGeometry *geometry,
                                         GisCrs      *crs,
                                         double       distance_m,
                                         GError     **error);
GisGeometry *gis_geometry_near_edges    (GisGeometry *a,
                                         GisGeometry *b,
                                         GisCrs      *crs,
                                         double       tolerance_m,
                                         GError     **error);
GisCrs      *gis_crs_new_equal_area_for (const GisEnvelope *lonlat_extent,
                                         GError     **error);

G_END_DECLS
