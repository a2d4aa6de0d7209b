/* zones-clusters.h: clusters of ASM sites and the borders they straddle (analysis E)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gis.h"
#include "zones-sites.h"

G_BEGIN_DECLS

/**
 * ZonesCountries:
 *
 * Country polygons in WGS 84 longitude/latitude, prepared for point-in-polygon tests and
 * distances to the other countries.
 */
typedef struct _ZonesCountries ZonesCountries;

ZonesCountries *zones_countries_new      (GPtrArray      *polygons,
                                          GPtrArray      *iso_codes,
                                          GError        **error);
void            zones_countries_free     (ZonesCountries *countries);
const char     *zones_countries_locate   (ZonesCountries *countries,
                                          double          lon,
                                          double          lat,
                                          gboolean       *nearest,
                                          GError        **error);
gboolean        zones_countries_locate_many (ZonesCountries *countries,
                                          const double   *lon,
                                          const double   *lat,
                                          guint           n,
                                          guint           n_threads,
                                          const char    **iso,
                                          gboolean       *nearest,
                                          GError        **error);
double          zones_countries_border_distance_m (ZonesCountries *countries,
                                          double          lon,
                                          double          lat,
                                          const char     *iso,
                                          const char    **neighbour,
                                          GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesCountries, zones_countries_free)

/**
 * ZonesCountryShape:
 * @iso: the ISO 3166-1 alpha-3 code
 * @name: (nullable): the country's name in the borders layer
 * @geometry: its polygons, dissolved into one geometry, in the CRS asked for
 */
typedef struct {
  char        *iso;
  char        *name;
  GisGeometry *geometry;
} ZonesCountryShape;

void            zones_country_shape_free (ZonesCountryShape *shape);
GPtrArray      *zones_countries_read     (GisProject     *project,
                                          GisCrs         *crs,
                                          GError        **error);
ZonesCountries *zones_countries_new_from_project (GisProject *project,
                                          GError        **error);

typedef struct {
  char   *iso;
  guint   sites;
  gint64  workers;
} ZonesCountryCount;

/**
 * ZonesCluster:
 * @id: 1, 2, … in the order of the clusters' first site
 * @site_ids: (element-type utf8): the member sites
 * @workers: workers at the members (where known)
 * @minerals: (element-type utf8): minerals worked at the members
 * @countries: (element-type ZonesCountryCount): per country, most sites first
 * @hull: the members' hull (convex, or concave when asked), lon/lat
 * @border_distance_km: distance from the nearest member to another country
 * @neighbour: (nullable): that other country
 * @cross_border: members in two or more countries: a candidate for a Border Area ASM
 *   Secretariat
 * @near_border: within the near-border distance of another country
 */
typedef struct {
  guint        id;
  GPtrArray   *site_ids;
  gint64       workers;
  guint        sites_without_workers;
  GPtrArray   *minerals;
  GPtrArray   *countries;
  GisGeometry *hull;
  double       border_distance_km;
  const char  *neighbour;
  gboolean     cross_border;
  gboolean     near_border;
} ZonesCluster;

typedef struct {
  double       eps_m;
  guint        min_sites;
  gint64       min_workers;
  const char  *mineral;
  double       near_border_km;
  gboolean     concave;
  guint        n_threads;
} ZonesClusterParams;

/**
 * ZonesClusterResult:
 * @clusters: (element-type ZonesCluster)
 * @site_country: (element-type utf8 utf8): site id → its country
 * @assigned_to_nearest: (element-type utf8): sites outside every country polygon, given the
 *   nearest country
 * @n_sites: sites clustered (after the mineral filter)
 */
typedef struct {
  GPtrArray  *clusters;
  GHashTable *site_country;
  GPtrArray  *assigned_to_nearest;
  guint       n_sites;
} ZonesClusterResult;

void                zones_cluster_params_init (ZonesClusterParams       *params);
void                zones_cluster_result_free (ZonesClusterResult *result);
ZonesClusterResult *zones_clusters_run        (GPtrArray                *sites,
                                               ZonesCountries           *countries,
                                               const ZonesClusterParams *params,
                                               GCancellable             *cancellable,
                                               GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesClusterResult, zones_cluster_result_free)

G_END_DECLS
