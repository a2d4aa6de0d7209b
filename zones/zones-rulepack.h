/* zones-rulepack.h: country rule packs: the legal limits a zone is checked against
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ZonesRulePackType:
 * @ZONES_RULEPACK_TEXT: free text (also enumerations such as `shape`, and country codes)
 * @ZONES_RULEPACK_NUMBER: a finite, non-negative number
 * @ZONES_RULEPACK_BOOLEAN: `yes` or `no`
 * @ZONES_RULEPACK_DATE: an ISO 8601 calendar date, `YYYY-MM-DD`
 * @ZONES_RULEPACK_LIST: a comma-separated list of Placer land-use classes
 *
 * How a key's value is typed. Every key of the schema has exactly one type.
 */
typedef enum {
  ZONES_RULEPACK_TEXT,
  ZONES_RULEPACK_NUMBER,
  ZONES_RULEPACK_BOOLEAN,
  ZONES_RULEPACK_DATE,
  ZONES_RULEPACK_LIST,
} ZonesRulePackType;

/**
 * ZonesProvenance:
 * @source: where the value comes from: a URL, a legal reference, `assumption`, or for an
 *   empty value the reason it is empty (e.g. `none found`)
 * @verified: %TRUE only when the value was checked against the source text
 * @note: (nullable): free text, e.g. the arithmetic behind a derived value
 * @line: the line of the pack the value was read from
 *
 * Where a value comes from. Owned by the pack; valid as long as the pack is.
 */
typedef struct {
  const char *source;
  gboolean    verified;
  const char *note;
  guint       line;
} ZonesProvenance;

/**
 * ZonesRulePackRow:
 * @section: the section, e.g. `zone` or `licence.pml`
 * @key: the key, e.g. `max_area_ha`
 * @value: the value as written (trimmed); `""` when the pack leaves it unset
 * @is_set: whether @value is set
 * @type: the key's type
 * @provenance: source, verification mark and note
 *
 * One value of a pack with its provenance: a row of the cross-border harmonisation table.
 */
typedef struct {
  const char            *section;
  const char            *key;
  const char            *value;
  gboolean               is_set;
  ZonesRulePackType      type;
  const ZonesProvenance *provenance;
} ZonesRulePackRow;

/**
 * ZonesRulePack:
 *
 * One country's rule pack (or the generic one), loaded from a `.placer-rules` file. It is
 * immutable once loaded, so one pack may be read from several threads.
 */
typedef struct _ZonesRulePack ZonesRulePack;

ZonesRulePack      *zones_rulepack_new_from_file     (const char     *path,
                                                      GError        **error);
ZonesRulePack      *zones_rulepack_new_from_data     (const char     *data,
                                                      gssize          length,
                                                      const char     *label,
                                                      GError        **error);
ZonesRulePack      *zones_rulepack_find_for_country  (const char     *iso3,
                                                      const char     *dir,
                                                      GError        **error);
void                zones_rulepack_free              (ZonesRulePack  *pack);

const char         *zones_rulepack_get_label         (ZonesRulePack  *pack);
const char         *zones_rulepack_get_country       (ZonesRulePack  *pack);
gboolean            zones_rulepack_is_generic        (ZonesRulePack  *pack);
const char         *zones_rulepack_get_name          (ZonesRulePack  *pack);
const char         *zones_rulepack_get_law           (ZonesRulePack  *pack);
void                zones_rulepack_get_updated       (ZonesRulePack  *pack,
                                                      GDate          *date);

gboolean            zones_rulepack_has_key           (ZonesRulePack  *pack,
                                                      const char     *section,
                                                      const char     *key);
gboolean            zones_rulepack_get_number        (ZonesRulePack  *pack,
                                                      const char     *section,
                                                      const char     *key,
                                                      double         *value,
                                                      const ZonesProvenance **prov);
gboolean            zones_rulepack_get_boolean       (ZonesRulePack  *pack,
                                                      const char     *section,
                                                      const char     *key,
                                                      gboolean       *value,
                                                      const ZonesProvenance **prov);
gboolean            zones_rulepack_get_text          (ZonesRulePack  *pack,
                                                      const char     *section,
                                                      const char     *key,
                                                      const char    **value,
                                                      const ZonesProvenance **prov);
gboolean            zones_rulepack_get_list          (ZonesRulePack  *pack,
                                                      const char     *section,
                                                      const char     *key,
                                                      const char *const **value,
                                                      const ZonesProvenance **prov);

const char *const  *zones_rulepack_list_licences     (ZonesRulePack  *pack);
const char *const  *zones_rulepack_list_buffers      (ZonesRulePack  *pack);
GPtrArray          *zones_rulepack_list_rows         (ZonesRulePack  *pack);

ZonesRulePackType   zones_rulepack_key_type          (const char     *section,
                                                      const char     *key);
gboolean            zones_rulepack_key_is_known      (const char     *section,
                                                      const char     *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesRulePack, zones_rulepack_free)

G_END_DECLS
