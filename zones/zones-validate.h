/* zones-validate.h: live validation of an ASM zone against law and data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gis.h"
#include "zones-records.h"
#include "zones-register.h"
#include "zones-capacity.h"
#include "zones-rules.h"

G_BEGIN_DECLS

typedef enum {
  ZONES_SEVERITY_INFO,
  ZONES_SEVERITY_WARNING,
  ZONES_SEVERITY_ERROR,
} ZonesSeverity;

const char *zones_severity_to_string (ZonesSeverity severity);

/**
 * ZonesFinding:
 * @code: a stable code, e.g. "overlaps-title"
 * @severity: error, warning or info
 * @message: one sentence naming the other feature, with the area and share
 * @area_ha: the area involved (geodesic), 0 when not an area
 * @share: @area_ha as a fraction of the zone (0–1)
 * @ref: (nullable): the other feature (title number, zone id, country code…)
 * @geometry: (nullable): where the problem is, in the project CRS
 */
typedef struct {
  char          *code;
  ZonesSeverity  severity;
  char          *message;
  double         area_ha;
  double         share;
  char          *ref;
  GisGeometry   *geometry;
} ZonesFinding;

void zones_finding_free (ZonesFinding *finding);

/**
 * ZonesZoneRules:
 *
 * The limits a country's rule pack sets for zones; NAN or 0 means "no limit".
 */
typedef struct {
  double   min_area_ha;
  double   max_area_ha;
  double   max_depth_m;
  double   grid_arcsec;
  gboolean grid_required;
  guint    max_cells;
  gboolean rectangle;
  double   min_distance_industrial_m;
  double   min_deposit_share;
  double   max_water_share;
  char    *source;
} ZonesZoneRules;

void zones_zone_rules_init_generic (ZonesZoneRules *rules);
gboolean zones_zone_rules_from_rulepack (ZonesZoneRules *rules,
                                         const char     *iso3,
                                         GError        **error);
const char *zones_data_dir         (void);
void zones_zone_rules_clear        (ZonesZoneRules *rules);

/**
 * ZonesValidatorInputs:
 *
 * What a zone is checked against; the layer arrays hold #ZonesInput, read into @crs (the
 * project CRS). With @sites and @capacity_params, zones are also checked for more observed
 * miners than they can carry.
 */
typedef struct {
  GisCrs         *crs;
  GPtrArray      *concessions;
  GPtrArray      *deposits;
  GPtrArray      *landuse;
  GPtrArray      *borders;
  GPtrArray      *water;
  ZonesRules     *landuse_rules;
  ZonesZoneRules  zone_rules;
  GDate           as_of;
  GPtrArray      *sites;          /* ZonesSite, points in @crs; owned */
  ZonesParamTable *capacity_params;
} ZonesValidatorInputs;

typedef struct _ZonesValidator ZonesValidator;

void            zones_validator_inputs_clear (ZonesValidatorInputs *inputs);
gboolean        zones_validator_inputs_from_project (ZonesValidatorInputs *inputs,
                                           GisProject   *project,
                                           GError      **error);
ZonesValidator *zones_validator_new       (const ZonesValidatorInputs *inputs,
                                           GCancellable *cancellable,
                                           GError      **error);
void            zones_validator_free      (ZonesValidator *validator);
void            zones_validator_set_zones (ZonesValidator *validator,
                                           GPtrArray      *zones);
GPtrArray      *zones_validator_check     (ZonesValidator *validator,
                                           const ZonesZone *zone,
                                           double        *zone_ha,
                                           GError       **error);
gboolean        zones_findings_have_errors (GPtrArray    *findings);
gboolean        zones_validator_workable_area (ZonesValidator *validator,
                                           const ZonesZone *zone,
                                           double         *workable_ha,
                                           GError        **error);
double          zones_validator_water_m3_day (ZonesValidator *validator,
                                           const ZonesZone *zone,
                                           double          distance_m,
                                           GError        **error);
gboolean        zones_validator_zone_capacity (ZonesValidator *validator,
                                           ZonesParamTable *table,
                                           const ZonesZone *zone,
                                           double          water_distance_m,
                                           gint64          observed_workers,
                                           ZonesCapacity  *out,
                                           GError        **error);
ZonesParamTable *zones_param_table_new_for_project (GisProject *project,
                                           GError        **error);
gboolean        zones_change_status       (ZonesRegister  *reg,
                                           ZonesValidator *validator,
                                           const char     *zone_id,
                                           const char     *status,
                                           const char     *override_reason,
                                           const char     *legal_ref,
                                           const char     *authority,
                                           GPtrArray     **findings,
                                           GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesValidator, zones_validator_free)

G_END_DECLS
