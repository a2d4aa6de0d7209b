/* zones-compare.h: one shared area as each country sees it, and the countries' rule packs side
 * by side (analysis E, the harmonisation table)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gis.h"
#include "zones-capacity.h"
#include "zones-clusters.h"
#include "zones-rules.h"

G_BEGIN_DECLS

/**
 * ZonesCompareAreaKind:
 * @ZONES_COMPARE_CLUSTER: a cluster's hull plus a buffer
 * @ZONES_COMPARE_STRIP: the land within a distance of two countries' common border
 * @ZONES_COMPARE_POLYGON: a polygon drawn or read from a file
 */
typedef enum {
  ZONES_COMPARE_CLUSTER,
  ZONES_COMPARE_STRIP,
  ZONES_COMPARE_POLYGON,
} ZonesCompareAreaKind;

/**
 * ZonesCompareParams:
 * @kind: how the area is chosen
 * @cluster_id: %ZONES_COMPARE_CLUSTER: the cluster's number, as placer-cli clusters numbers
 *   it with the same @cluster parameters and as-of date
 * @buffer_km: %ZONES_COMPARE_CLUSTER: the buffer around the hull, km on the ground; NAN for
 *   the clustering distance (@cluster.eps_m)
 * @cluster: %ZONES_COMPARE_CLUSTER: the clustering parameters
 * @strip_km: %ZONES_COMPARE_STRIP: the strip's width on each side of the border, km
 * @polygon: %ZONES_COMPARE_POLYGON: the area (borrowed)
 * @polygon_crs: its CRS (borrowed)
 * @countries: (array zero-terminated=1): ISO 3166-1 alpha-3 codes, one row each, in this
 *   order; exactly two for a strip
 * @as_of: the date titles are judged on and site visits are read up to; invalid for the
 *   project's as-of date (today when it has none)
 * @capacity_params: (nullable): the carrying-capacity parameters; %NULL for the project's
 * @landuse_rules: (nullable): the land-use rules of the unallocated-land analysis; %NULL for
 *   Placer's defaults
 * @rulepack_dir: (nullable): the folder of the rule packs; %NULL for Placer's
 * @repair: repair invalid input geometries instead of stopping
 */
typedef struct {
  ZonesCompareAreaKind  kind;
  guint                 cluster_id;
  double                buffer_km;
  ZonesClusterParams    cluster;
  double                strip_km;
  GisGeometry          *polygon;
  GisCrs               *polygon_crs;
  char                **countries;
  GDate                 as_of;
  ZonesParamTable      *capacity_params;
  ZonesRules           *landuse_rules;
  const char           *rulepack_dir;
  gboolean              repair;
} ZonesCompareParams;

void zones_compare_params_init (ZonesCompareParams *params);

/**
 * ZonesCompareMineral:
 * @mineral: a Placer mineral
 * @sites: sites whose latest visit names it (a site working two minerals counts for both)
 * @workers: workers at those sites, where known
 * @sites_without_workers: those of them whose latest visit gives no worker number
 */
typedef struct {
  char   *mineral;
  guint   sites;
  gint64  workers;
  guint   sites_without_workers;
} ZonesCompareMineral;

/**
 * ZonesCompareCountry:
 * @iso: the country
 * @name: (nullable): its name in the borders layer
 * @part: the area inside the country, in the project CRS (empty when they do not meet)
 * @area_ha: @part's geodesic area
 * @titles: titles in force on the as-of date that hold land in @part (a title across the
 *   border counts for both countries)
 * @titles_ha: the land they hold in @part (overlapping titles count once)
 * @titles_pct: @titles_ha as a share of @area_ha, in percent
 * @applications: pending applications holding land in @part
 * @applications_ha: the land they hold in @part
 * @zones: zones (not retired) with land in @part
 * @zones_partial: those of them that lie only partly in @part
 * @zones_ha: their land in @part
 * @capacity: the carrying capacity of those zones, whole, summed per scenario
 * @zones_without_capacity: zones whose capacity could not be computed (no parameters for
 *   their mineral); they are left out of @capacity
 * @sites: sites in @part (latest visit on or before the as-of date)
 * @workers: workers at them, where known
 * @sites_without_workers: sites whose latest visit gives no worker number
 * @by_mineral: (element-type ZonesCompareMineral): per mineral, by name
 * @unallocated_ha: unallocated deposit land (analysis A) in @part; NAN when the project has
 *   no deposits layer
 * @unallocated_by_mineral: (element-type utf8 double): mineral → ha in @part
 * @rulepack: (nullable): the country's rule pack, %NULL when it has none
 */
typedef struct {
  char        *iso;
  char        *name;
  GisGeometry *part;
  double       area_ha;
  guint        titles;
  double       titles_ha;
  double       titles_pct;
  guint        applications;
  double       applications_ha;
  guint        zones;
  guint        zones_partial;
  double       zones_ha;
  double       capacity[ZONES_N_SCENARIOS];
  guint        zones_without_capacity;
  guint        sites;
  gint64       workers;
  guint        sites_without_workers;
  GPtrArray   *by_mineral;
  double       unallocated_ha;
  GHashTable  *unallocated_by_mineral;
  char        *rulepack;
} ZonesCompareCountry;

/**
 * ZonesTermState:
 * @ZONES_TERM_SET: the pack gives a value
 * @ZONES_TERM_NOT_SET: the pack leaves it empty or out (the law was searched, or the key is
 *   not in the pack)
 * @ZONES_TERM_NO_PACK: the country has no rule pack
 */
typedef enum {
  ZONES_TERM_SET,
  ZONES_TERM_NOT_SET,
  ZONES_TERM_NO_PACK,
} ZonesTermState;

/**
 * ZonesCompareTerm:
 * @term: the term's key, e.g. `licence.duration_years` or `fiscal.royalty_gold_pct`
 * @label: what it is, in English
 * @numeric: the values are numbers (written with a dot, shortest form)
 * @values: (array): one value per country in the countries' order, %NULL when not set; a
 *   licence term lists every licence of the pack that sets it ("Title: value; …")
 * @states: (array): one per country
 * @verified: (array): one per country: every value behind it is marked verified
 * @differs: the countries' values are not all the same (a value against none is a
 *   difference; none against none is not)
 * @n_values: the number of countries, and of @values, @states and @verified
 */
typedef struct {
  char           *term;
  const char     *label;
  gboolean        numeric;
  char          **values;     /* n_values of them, any of them NULL */
  ZonesTermState *states;
  gboolean       *verified;
  gboolean        differs;
  guint           n_values;
} ZonesCompareTerm;

void        zones_compare_term_free (ZonesCompareTerm *term);
const char *zones_term_state_to_string (ZonesTermState state);
GPtrArray  *zones_compare_terms    (const char *const *countries,
                                    const char         *rulepack_dir,
                                    GPtrArray         **packs,
                                    GError            **error);

/**
 * ZonesCompareResult:
 * @label: the area in words, e.g. "10 km either side of the COD–RWA border"
 * @area: the area, in @crs
 * @area_ha: its geodesic area
 * @crs: the project CRS, which the geometries are in
 * @as_of: the date used
 * @countries: (element-type ZonesCompareCountry): one row per country asked for
 * @terms: (element-type ZonesCompareTerm): the harmonisation table
 * @sites_elsewhere: sites in the area but in none of the countries' parts (on a lake, in a
 *   third country)
 * @capacity_source: where the capacity parameters come from
 * @warnings: (element-type utf8): things the reader should know
 */
typedef struct {
  char        *label;
  GisGeometry *area;
  double       area_ha;
  GisCrs      *crs;
  GDate        as_of;
  GPtrArray   *countries;
  GPtrArray   *terms;
  guint        sites_elsewhere;
  char        *capacity_source;
  GPtrArray   *warnings;
} ZonesCompareResult;

void                zones_compare_result_free (ZonesCompareResult *result);
ZonesCompareResult *zones_compare_run         (GisProject               *project,
                                               const ZonesCompareParams *params,
                                               GCancellable             *cancellable,
                                               GError                  **error);
gboolean            zones_compare_write       (ZonesCompareResult       *result,
                                               const char               *path,
                                               gboolean                  overwrite,
                                               GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesCompareTerm, zones_compare_term_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesCompareResult, zones_compare_result_free)

G_END_DECLS
