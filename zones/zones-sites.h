/* zones-sites.h: ASM site visits (IPIS, ICGLR MD-01, any mapped layer), latest visit per
 * site, ICGLR certification ageing, and export records that can withhold sensitive fields
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "gis.h"
#include "zones-records.h"

G_BEGIN_DECLS

/**
 * ZonesSitesFormat:
 * @ZONES_SITES_FORMAT_MAPPED: any layer, read through its field mapping only
 * @ZONES_SITES_FORMAT_IPIS: IPIS open data as published (`pcode`, `visit_date`,
 *   `workers_numb`, `mineral1`… columns): three mineral columns, armed groups, taxation
 * @ZONES_SITES_FORMAT_ICGLR: ICGLR MD-01 (`icglrId`, `addressCountry`,
 *   `certificationStatus`… columns): ISO alpha-2 countries, status codes, HS codes
 *
 * The format is recognised from the column names; a field mapping, when given, still
 * decides which column carries each of Placer's fields.
 */
typedef enum {
  ZONES_SITES_FORMAT_MAPPED,
  ZONES_SITES_FORMAT_IPIS,
  ZONES_SITES_FORMAT_ICGLR,
} ZonesSitesFormat;

/**
 * ZonesSiteAnswer:
 * @ZONES_SITE_UNKNOWN: the source does not say
 * @ZONES_SITE_NO: no
 * @ZONES_SITE_YES: yes
 *
 * A yes/no observation that sources often leave blank: blank is not "no".
 */
typedef enum {
  ZONES_SITE_UNKNOWN = -1,
  ZONES_SITE_NO = 0,
  ZONES_SITE_YES = 1,
} ZonesSiteAnswer;

/**
 * ZonesSiteSensitive:
 * @ZONES_SITE_SENSITIVE_NONE: nothing sensitive is recorded
 * @ZONES_SITE_SENSITIVE_ARMED_PRESENCE: armed presence and the armed groups named
 * @ZONES_SITE_SENSITIVE_ARMED_TAXATION: taxation by armed groups
 *
 * Sensitive fields that hold a value (known yes or no) on a record, so that an export
 * can withhold them.
 */
typedef enum {
  ZONES_SITE_SENSITIVE_NONE = 0,
  ZONES_SITE_SENSITIVE_ARMED_PRESENCE = 1 << 0,
  ZONES_SITE_SENSITIVE_ARMED_TAXATION = 1 << 1,
} ZonesSiteSensitive;

/**
 * ZonesSite:
 * @site_id: the site's identifier (IPIS `pcode`, ICGLR `icglrId`, or the mapped field)
 * @name: (nullable): the site's name
 * @geometry: the site's point, in the CRS the caller asked for
 * @workers: number of workers, -1 when the source does not say (never 0 for unknown)
 * @minerals: (array zero-terminated=1): Placer mineral values (gold, cassiterite, coltan,
 *   wolframite, copper, cobalt, diamond, other), each once; empty when unknown
 * @visit_date: the visit date; invalid (g_date_valid() is %FALSE) when unknown
 * @visits: 1 for a visit; for a site, the number of visits it had
 * @certification: (nullable): ICGLR status as recorded: blue, green, yellow or red
 * @certification_date: the date @certification was recorded (invalid when unknown); for a
 *   site, the date of the latest visit that recorded a status
 * @country: (nullable): ISO 3166-1 alpha-3 code, when known
 * @activity: (nullable): ICGLR activity status: active, non_active or abandoned
 * @armed_presence: armed presence at the site (sensitive)
 * @armed_groups: (array zero-terminated=1): the armed groups named (sensitive)
 * @armed_taxation: taxation by armed groups (sensitive)
 * @mercury: mercury use
 * @sensitive: which sensitive fields hold a value
 * @line: the CSV line the record starts on (header = line 1), 0 for other sources
 * @fid: the feature id for other sources, -1 for a CSV read by Placer
 *
 * One visit of an ASM site, or (from zones_sites_latest()) a site as its latest visit
 * saw it.
 */
typedef struct {
  char               *site_id;
  char               *name;
  GisGeometry        *geometry;
  gint64              workers;
  char              **minerals;
  GDate               visit_date;
  guint               visits;
  char               *certification;
  GDate               certification_date;
  char               *country;
  char               *activity;
  ZonesSiteAnswer     armed_presence;
  char              **armed_groups;
  ZonesSiteAnswer     armed_taxation;
  ZonesSiteAnswer     mercury;
  ZonesSiteSensitive  sensitive;
  guint               line;
  gint64              fid;
} ZonesSite;

ZonesSite  *zones_site_copy (const ZonesSite *site);
void        zones_site_free (ZonesSite       *site);
gboolean    zones_site_get_xy (const ZonesSite *site,
                               double          *x,
                               double          *y);
const char *zones_site_get_certification_on (const ZonesSite *site,
                                             const GDate     *as_of);
JsonNode   *zones_site_to_node (const ZonesSite *site,
                                const GDate     *as_of,
                                gboolean         withhold_sensitive);

/**
 * ZonesSiteProblem:
 * @line: the physical CSV line of the offending cell (header = line 1), 0 for other sources
 * @fid: the feature id for other sources, -1 for a CSV
 * @column: (nullable): the column as the source names it; %NULL for the row as a whole
 * @value: (nullable): the offending text
 * @reason: what is wrong, in English
 *
 * Why one row of a source was not imported.
 */
typedef struct {
  guint   line;
  gint64  fid;
  char   *column;
  char   *value;
  char   *reason;
} ZonesSiteProblem;

void zones_site_problem_free (ZonesSiteProblem *problem);

/**
 * ZonesSiteVisits:
 * @source: "file" or "file, layer" label for messages
 * @format: the format recognised from the column names
 * @crs: the CRS of the visits' geometries
 * @visits: (element-type ZonesSite): the visits imported, in source order
 * @problems: (element-type ZonesSiteProblem): why rows were left out, in source order
 * @n_rows: data rows read, imported or not
 * @n_malformed_rows: rows left out (a row may have several @problems)
 * @n_without_workers: imported visits whose worker number is blank
 * @unrecognised: (element-type utf8 GHashTable): column → (value → count) of values that
 *   were read as unknown because Placer does not know what they mean
 *
 * The visits read from one source. Malformed rows are left out and listed, never
 * silently fixed; the rest imports.
 */
typedef struct {
  char             *source;
  ZonesSitesFormat  format;
  GisCrs           *crs;
  GPtrArray        *visits;
  GPtrArray        *problems;
  guint             n_rows;
  guint             n_malformed_rows;
  guint             n_without_workers;
  GHashTable       *unrecognised;
} ZonesSiteVisits;

void             zones_site_visits_free      (ZonesSiteVisits *visits);
ZonesSitesFormat zones_sites_detect_format   (const char *const *columns);
const char      *zones_sites_format_to_string (ZonesSitesFormat format);
ZonesSitesFormat zones_sites_sniff_csv       (const char       *path,
                                              gboolean         *lonlat,
                                              GError          **error);
ZonesSiteVisits *zones_site_visits_read_csv  (const char       *path,
                                              ZonesMapping     *mapping,
                                              GisCrs           *crs,
                                              GisCrs           *target_crs,
                                              GCancellable     *cancellable,
                                              GError          **error);
ZonesSiteVisits *zones_site_visits_read_input (ZonesInput      *input,
                                              GisCrs           *target_crs,
                                              GCancellable     *cancellable,
                                              GError          **error);

GPtrArray       *zones_sites_latest          (GPtrArray        *visits,
                                              const GDate      *as_of);

/**
 * ZonesSitesSummary:
 * @n_rows: data rows read
 * @n_visits: visits imported
 * @n_sites: distinct site identifiers among them
 * @n_without_workers: imported visits whose worker number is blank
 * @n_malformed_rows: rows left out
 * @n_undated: imported visits without a date
 * @first_visit: earliest visit date (invalid when no visit is dated)
 * @last_visit: latest visit date
 * @workers_total: workers summed over each site's latest visit, where known
 * @n_sites_without_workers: sites whose latest visit gives no worker number
 */
typedef struct {
  guint   n_rows;
  guint   n_visits;
  guint   n_sites;
  guint   n_without_workers;
  guint   n_malformed_rows;
  guint   n_undated;
  GDate   first_visit;
  GDate   last_visit;
  gint64  workers_total;
  guint   n_sites_without_workers;
} ZonesSitesSummary;

void      zones_site_visits_summarise   (ZonesSiteVisits   *visits,
                                         ZonesSitesSummary *summary);
JsonNode *zones_site_visits_summary_to_node (ZonesSiteVisits *visits);
JsonNode *zones_site_problem_to_node    (const ZonesSiteProblem *problem);

const char *zones_sites_certification_aged (const char  *status,
                                            const GDate *since,
                                            const GDate *as_of);
const char *zones_sites_iso3_from_iso2     (const char  *iso2);
const char *zones_sites_mineral_from_hs    (const char  *hs_code);
const char *zones_sites_mineral_from_name  (const char  *name);

GPtrArray  *zones_sites_load_latest (GisProject  *project,
                                     GisCrs      *crs,
                                     const GDate *as_of,
                                     GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesSite, zones_site_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesSiteVisits, zones_site_visits_free)

G_END_DECLS
