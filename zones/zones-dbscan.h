/* zones-dbscan.h: density clustering of sites with the distance in metres
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * ZonesDbscan:
 * @labels: one per input point: the cluster number (0, 1, …) or -1 for noise
 * @n_clusters: how many clusters
 * @core: one per point: whether it is a core point
 * @max_distance_error: the largest relative error of a distance the algorithm compared
 *   (distances are 3D chords on the WGS 84 ellipsoid, shorter than the geodesic by about
 *   s³/24R²: 5 µm at 5 km)
 */
typedef struct {
  gint   *labels;
  gboolean *core;
  guint   n;
  guint   n_clusters;
  double  max_distance_error;
} ZonesDbscan;

void         zones_dbscan_free (ZonesDbscan *result);
ZonesDbscan *zones_dbscan_run  (const double *lon,
                                const double *lat,
                                guint         n,
                                double        eps_m,
                                guint         min_points,
                                guint         n_threads,
                                GCancellable *cancellable,
                                GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesDbscan, zones_dbscan_free)

G_END_DECLS
