/* zones-register.h: the ASM zone register of a project, with history, undo and redo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gis.h"

G_BEGIN_DECLS

/**
 * ZonesConsent:
 * @title_id: the title whose holder consents to artisanal mining in the zone
 * @reference: the document recording it (letter, agreement number)
 * @recorded: when it was entered
 */
typedef struct {
  char *title_id;
  char *reference;
  char *recorded;
} ZonesConsent;

/**
 * ZonesZone:
 * @zone_id: the register's key, e.g. "Z-0007"
 * @status: candidate, proposed, designated, suspended or retired
 * @planned_depth_m: deepest planned workings in metres, NAN when not set
 * @override_reason: (nullable): why a status change went ahead despite errors
 * @version: increases with every change (the multi-user register uses it to detect
 *   conflicting edits)
 * @geometry: the zone, in the project CRS
 * @consents: (element-type ZonesConsent): title holders' consents
 */
typedef struct {
  char        *zone_id;
  char        *name;
  char        *country;
  char        *mineral;
  char        *deposit_type;
  char        *status;
  char        *legal_ref;
  char        *authority;
  char        *created;
  char        *date_proposed;
  char        *date_designated;
  char        *notes;
  double       planned_depth_m;
  char        *override_reason;
  gint64       version;
  GisGeometry *geometry;
  GPtrArray   *consents;
} ZonesZone;

ZonesZone *zones_zone_new          (void);
ZonesZone *zones_zone_copy         (const ZonesZone *zone);
void       zones_zone_free         (ZonesZone *zone);
char      *zones_zone_to_json      (const ZonesZone *zone);
ZonesZone *zones_zone_new_from_json (const char *json,
                                     GError    **error);
gboolean   zones_zone_has_consent  (const ZonesZone *zone,
                                    const char      *title_id);
gboolean   zones_status_is_valid   (const char *status);
GPtrArray *zones_register_read_zones (GisProject *project,
                                      GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesZone, zones_zone_free)

#define ZONES_TYPE_REGISTER (zones_register_get_type ())
G_DECLARE_FINAL_TYPE (ZonesRegister, zones_register, ZONES, REGISTER, GObject)

ZonesRegister *zones_register_new        (GisProject    *project,
                                          GError       **error);
GisProject    *zones_register_get_project (ZonesRegister *self);
GPtrArray     *zones_register_list       (ZonesRegister *self,
                                          GError       **error);
ZonesZone     *zones_register_get        (ZonesRegister *self,
                                          const char    *zone_id,
                                          GError       **error);
char          *zones_register_next_id    (ZonesRegister *self,
                                          GError       **error);
gboolean       zones_register_add        (ZonesRegister *self,
                                          ZonesZone     *zone,
                                          GError       **error);
gboolean       zones_register_update     (ZonesRegister *self,
                                          ZonesZone     *zone,
                                          gint64         expected_version,
                                          const char    *action,
                                          GError       **error);
gboolean       zones_register_undo       (ZonesRegister *self,
                                          char         **zone_id,
                                          GError       **error);
gboolean       zones_register_redo       (ZonesRegister *self,
                                          char         **zone_id,
                                          GError       **error);
gboolean       zones_register_can_undo   (ZonesRegister *self);
gboolean       zones_register_can_redo   (ZonesRegister *self);
GPtrArray     *zones_register_history    (ZonesRegister *self,
                                          const char    *zone_id,
                                          GError       **error);

G_END_DECLS
