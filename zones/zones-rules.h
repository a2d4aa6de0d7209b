/* zones-rules.h: land-use rules: which classes are allowed, conditional or excluded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ZONES_RULE_ALLOWED,
  ZONES_RULE_CONDITIONAL,
  ZONES_RULE_EXCLUDED,
} ZonesRuleKind;

typedef struct {
  char          *land_class;
  ZonesRuleKind  kind;
  double         buffer_m;
  char          *note;
} ZonesRule;

typedef struct _ZonesRules ZonesRules;

ZonesRules      *zones_rules_new_default (void);
ZonesRules      *zones_rules_new_from_file (const char *path,
                                          GError    **error);
ZonesRules      *zones_rules_new_from_data (const char *text,
                                          const char *label,
                                          GError    **error);
void             zones_rules_free        (ZonesRules *rules);
const ZonesRule *zones_rules_lookup      (ZonesRules *rules,
                                          const char *land_class);
guint            zones_rules_get_n       (ZonesRules *rules);
const ZonesRule *zones_rules_get         (ZonesRules *rules,
                                          guint       index);
const char      *zones_rules_get_source  (ZonesRules *rules);
const char      *zones_rule_kind_to_string (ZonesRuleKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesRules, zones_rules_free)

G_END_DECLS
