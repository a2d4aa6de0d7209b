/* zones-schema.h: layer roles, the fields Placer needs of each, and field mappings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "gis.h"

G_BEGIN_DECLS

/**
 * ZonesFieldSpec:
 * @name: Placer's name for the field, e.g. "status"
 * @required: an analysis cannot run without it
 * @vocabulary: (nullable): the values Placer knows for it, e.g. "active", "pending"
 * @label: a short description in English, marked for translation (show it with _())
 */
typedef struct {
  const char         *name;
  gboolean            required;
  const char *const  *vocabulary;
  const char         *label;
} ZonesFieldSpec;

const char *const    *zones_roles                (void);
gboolean              zones_role_is_valid        (const char *role);
const ZonesFieldSpec *zones_role_get_fields      (const char *role,
                                                  guint      *n_fields);
const ZonesFieldSpec *zones_role_find_field      (const char *role,
                                                  const char *field);

/**
 * ZonesMapping:
 *
 * How one source layer's fields and values translate into Placer's: which source field
 * carries each of Placer's fields, and for fields with a vocabulary, what each source value
 * means. Values no rule covers stay unmapped (and are reported), never guessed silently.
 */
typedef struct _ZonesMapping ZonesMapping;

ZonesMapping *zones_mapping_new_empty   (const char   *role);
ZonesMapping *zones_mapping_new_from_json (const char *role,
                                         const char   *json,
                                         GError      **error);
ZonesMapping *zones_mapping_guess       (const char   *role,
                                         const GisLayerInfo *info,
                                         GHashTable   *distinct_values);
void          zones_mapping_free        (ZonesMapping *mapping);
char         *zones_mapping_to_json     (ZonesMapping *mapping);
JsonNode     *zones_mapping_to_node     (ZonesMapping *mapping);
const char   *zones_mapping_get_role    (ZonesMapping *mapping);
const char   *zones_mapping_get_field   (ZonesMapping *mapping,
                                         const char   *field);
void          zones_mapping_set_field   (ZonesMapping *mapping,
                                         const char   *field,
                                         const char   *source_field);
const char   *zones_mapping_map_value   (ZonesMapping *mapping,
                                         const char   *field,
                                         const char   *source_value);
const char   *zones_mapping_resolve     (ZonesMapping *mapping,
                                         const char   *field,
                                         const char   *raw);
void          zones_mapping_set_value   (ZonesMapping *mapping,
                                         const char   *field,
                                         const char   *source_value,
                                         const char   *value);
GPtrArray    *zones_mapping_list_unmapped (ZonesMapping *mapping,
                                         const char   *field);
gboolean      zones_mapping_apply_override (ZonesMapping *mapping,
                                         const char   *spec,
                                         const GisLayerInfo *info,
                                         GError      **error);
gboolean      zones_mapping_check       (ZonesMapping *mapping,
                                         const GisLayerInfo *info,
                                         GError      **error);
const char   *zones_vocabulary_match    (const char   *role,
                                         const char   *field,
                                         const char   *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesMapping, zones_mapping_free)

G_END_DECLS
