/* test-zones-schema.c: layer roles, vocabularies, guessed field mappings, their JSON form
 * and overrides, and inspecting source files into a project
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <string.h>

#include "zones.h"

/* ---------------------------------------------------------------------------------------- */
/* In-memory layers: a GisLayerInfo and the distinct values zones_layer_inspect() would read */

static void
field_info_free (gpointer data)
{
  GisFieldInfo *f = data;

  g_free (f->name);
  g_free (f);
}

/* @fields: NULL-terminated names; a name starting with '#' is a real field (the '#' is
 * dropped), every other field is a string. */
static GisLayerInfo *
make_info (const char *name, const char *const *fields)
{
  GisLayerInfo *info = g_new0 (GisLayerInfo, 1);

  info->name = g_strdup (name);
  info->has_geometry = TRUE;
  info->geometry_type = GIS_GEOMETRY_MULTIPOLYGON;
  info->extent = GIS_ENVELOPE_EMPTY;
  info->fields = g_ptr_array_new_with_free_func (field_info_free);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      GisFieldInfo *f = g_new0 (GisFieldInfo, 1);
      gboolean real = fields[i][0] == '#';

      f->name = g_strdup (fields[i] + (real ? 1 : 0));
      f->type = real ? GIS_FIELD_REAL : GIS_FIELD_STRING;
      g_ptr_array_add (info->fields, f);
    }
  return info;
}

static GHashTable *
distinct_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) g_ptr_array_unref);
}

/* Adds @field's distinct values: pairs of (const char *value, int count), then NULL. */
static void
distinct_add (GHashTable *table, const char *field, ...)
{
  GPtrArray *values = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_value_count_free);
  const char *value;
  va_list ap;

  va_start (ap, field);
  while ((value = va_arg (ap, const char *)) != NULL)
    {
      GisValueCount *vc = g_new0 (GisValueCount, 1);
      vc->value = g_strdup (value);
      vc->count = (guint64) va_arg (ap, int);
      g_ptr_array_add (values, vc);
    }
  va_end (ap);
  g_hash_table_insert (table, g_strdup (field), values);
}

static void
assert_unmapped (ZonesMapping *m, const char *field, const char *const *expected)
{
  g_autoptr(GPtrArray) unmapped = zones_mapping_list_unmapped (m, field);
  guint n = expected ? g_strv_length ((char **) expected) : 0;

  if (n == 0)
    {
      assert_null (unmapped);
      return;
    }
  assert_non_null (unmapped);
  assert_int_equal (unmapped->len, n);
  for (guint i = 0; i < n; i++)
    assert_string_equal (g_ptr_array_index (unmapped, i), expected[i]);
}

/* A French cadastre export shaped like CAMI's, as in sample-data's cadastre.gpkg. */
static const char *const french_fields[] = { "code", "type", "titulaire", "statut", "date_octroi",
                                             "date_expiration", "accord_artisanal", NULL };

static GHashTable *
french_distinct (void)
{
  GHashTable *d = distinct_new ();

  distinct_add (d, "code", "PR 12003", 1, "PE 4410", 1, "PEPM 77", 1, NULL);
  distinct_add (d, "type", "PR", 5, "PE", 2, "PEPM", 1, NULL);
  distinct_add (d, "titulaire", "Société Minière du Kivu", 3, "Coopérative Umoja", 2, NULL);
  distinct_add (d, "statut", "Actif", 4, "En instruction", 2, "Bizarre", 1, "Expiré", 1, NULL);
  distinct_add (d, "accord_artisanal", "Non", 5, "Oui", 3, NULL);
  return d;
}

static ZonesMapping *
french_guess (GisLayerInfo **info_out)
{
  g_autoptr(GisLayerInfo) info = make_info ("titres", french_fields);
  g_autoptr(GHashTable) distinct = french_distinct ();
  ZonesMapping *m = zones_mapping_guess ("concessions", info, distinct);

  if (info_out != NULL)
    *info_out = g_steal_pointer (&info);
  return m;
}

/* ---------------------------------------------------------------------------------------- */
/* Roles and fields */

static void
test_roles (void **state)
{
  const char *const expected[] = { "deposits", "concessions", "landuse", "borders", "sites",
                                   "zones", "water", "other", NULL };
  const char *const *roles = zones_roles ();
  const ZonesFieldSpec *specs;
  const ZonesFieldSpec *spec;
  guint n = 99;

  assert_int_equal (g_strv_length ((char **) roles), 8);
  for (guint i = 0; expected[i] != NULL; i++)
    {
      assert_string_equal (roles[i], expected[i]);
      assert_true (zones_role_is_valid (expected[i]));
    }
  assert_false (zones_role_is_valid ("mines"));
  assert_false (zones_role_is_valid ("Deposits"));
  assert_false (zones_role_is_valid (""));
  assert_false (zones_role_is_valid (NULL));

  /* Concessions: title_id, holder, type, status, grant_date, expiry_date, asm_consent,
   * minerals; the first, third and fourth are required. */
  specs = zones_role_get_fields ("concessions", &n);
  assert_int_equal (n, 8);
  assert_string_equal (specs[0].name, "title_id");
  assert_true (specs[0].required);
  assert_string_equal (specs[3].name, "status");
  assert_true (specs[3].required);
  assert_false (specs[1].required);
  /* The interned array is the same one on a second call. */
  assert_ptr_equal (zones_role_get_fields ("concessions", &n), specs);

  spec = zones_role_find_field ("concessions", "status");
  assert_non_null (spec);
  assert_string_equal (spec->label, "title status");
  assert_true (g_strv_contains (spec->vocabulary, "active"));
  assert_true (g_strv_contains (spec->vocabulary, "revoked"));
  assert_int_equal (g_strv_length ((char **) spec->vocabulary), 4);
  assert_null (zones_role_find_field ("concessions", "mineral"));
  assert_null (zones_role_find_field ("mines", "status"));
  /* A field without a vocabulary. */
  assert_null (zones_role_find_field ("deposits", "grade")->vocabulary);

  /* "other" has no fields; an unknown role none either. */
  assert_null (zones_role_get_fields ("mines", &n));
  assert_int_equal (n, 0);
  zones_role_get_fields ("other", &n);
  assert_int_equal (n, 0);
}

static void
test_vocabulary_match (void **state)
{
  const struct {
    const char *role;
    const char *field;
    const char *value;
    const char *expected;
  } cases[] = {
    /* Placer's own values, and the same words with underscores or hyphens */
    { "deposits", "deposit_type", "hard_rock", "hard_rock" },
    { "deposits", "deposit_type", "Hard_Rock", "hard_rock" },
    { "concessions", "type", "forbidden", "forbidden" },
    { "landuse", "class", "protected_area", "protected_area" },
    { "landuse", "class", "sacred_site", "sacred_site" },
    { "landuse", "class", "Aire_protégée", "protected_area" },
    /* DRC cadastre (CAMI) statuses, French, with accents and compound forms */
    { "concessions", "status", "Actif", "active" },
    { "concessions", "status", "Actif-En Force Majeure", "active" },
    { "concessions", "status", "Actif-En Renouvellement", "active" },
    { "concessions", "status", "En instruction", "pending" },
    { "concessions", "status", "Expiré", "expired" },
    { "concessions", "status", "Droit Déchu", "revoked" },
    { "concessions", "status", "  ACTIF  ", "active" },
    /* Portuguese */
    { "concessions", "status", "Ativo", "active" },
    { "concessions", "status", "Expirado", "expired" },
    { "concessions", "status", "Revogado", "revoked" },
    /* Title types */
    { "concessions", "type", "PR (AS)", "exploration" },
    { "concessions", "type", "PEPM", "small_scale" },
    { "concessions", "type", "PE", "lsm_exploitation" },
    { "concessions", "type", "ZEA", "zea" },
    { "concessions", "type", "Licença de Prospecção", "exploration" },
    { "concessions", "asm_consent", "Oui", "yes" },
    { "concessions", "asm_consent", "Não", "no" },
    /* Deposits */
    { "deposits", "mineral", "Cassitérite", "cassiterite" },
    { "deposits", "mineral", "Or", "gold" },
    { "deposits", "mineral", "Ouro", "gold" },
    { "deposits", "mineral", "Tantalite", "coltan" },
    { "deposits", "confidence", "Probable", "probable" },
    { "deposits", "confidence", "Provável", "probable" },
    { "deposits", "deposit_type", "Hard rock", "hard_rock" },
    { "deposits", "deposit_type", "Alluvionnaire", "alluvial" },
    /* Land use, French and Portuguese */
    { "landuse", "class", "Aire protégée", "protected_area" },
    { "landuse", "class", "Área protegida", "protected_area" },
    { "landuse", "class", "Permanent water", "water" },
    { "sites", "certification", "Vert", "green" },
    /* Unknown values, and words that only start like a known short one: "Or" is gold, but
     * prefixes shorter than four letters never decide ("Orpaillage", "Aucun"). */
    { "concessions", "status", "Bizarre", NULL },
    { "deposits", "mineral", "Orpaillage", NULL },
    { "deposits", "mineral", "Aucun", NULL },
    { "concessions", "status", "", NULL },
    { "concessions", "status", NULL, NULL },
    /* A field without a vocabulary, an unknown field, an unknown role */
    { "concessions", "holder", "Actif", NULL },
    { "concessions", "etat", "Actif", NULL },
    { "mines", "status", "Actif", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *got = zones_vocabulary_match (cases[i].role, cases[i].field, cases[i].value);
      if (g_strcmp0 (got, cases[i].expected) != 0)
        fail_msg ("%s.%s “%s” → %s, expected %s", cases[i].role, cases[i].field,
                  cases[i].value ? cases[i].value : "(null)", got ? got : "NULL",
                  cases[i].expected ? cases[i].expected : "NULL");
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Guessing */

static void
test_guess_french_concessions (void **state)
{
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(ZonesMapping) m = french_guess (&info);
  g_autoptr(GError) error = NULL;
  const char *const bizarre[] = { "Bizarre", NULL };

  assert_string_equal (zones_mapping_get_role (m), "concessions");
  /* Each field name is an exact synonym in the role's table. */
  assert_string_equal (zones_mapping_get_field (m, "title_id"), "code");
  assert_string_equal (zones_mapping_get_field (m, "type"), "type");
  assert_string_equal (zones_mapping_get_field (m, "holder"), "titulaire");
  assert_string_equal (zones_mapping_get_field (m, "status"), "statut");
  assert_string_equal (zones_mapping_get_field (m, "grant_date"), "date_octroi");
  assert_string_equal (zones_mapping_get_field (m, "expiry_date"), "date_expiration");
  assert_string_equal (zones_mapping_get_field (m, "asm_consent"), "accord_artisanal");
  /* No substances column in this layer. */
  assert_null (zones_mapping_get_field (m, "minerals"));

  assert_string_equal (zones_mapping_map_value (m, "status", "Actif"), "active");
  assert_string_equal (zones_mapping_map_value (m, "status", "En instruction"), "pending");
  assert_string_equal (zones_mapping_map_value (m, "status", "Expiré"), "expired");
  assert_null (zones_mapping_map_value (m, "status", "Bizarre"));
  /* Only values the layer holds are in the table, and it is exact text. */
  assert_null (zones_mapping_map_value (m, "status", "Droit Déchu"));
  assert_null (zones_mapping_map_value (m, "status", "actif"));
  assert_null (zones_mapping_map_value (m, "status", NULL));
  assert_string_equal (zones_mapping_map_value (m, "type", "PR"), "exploration");
  assert_string_equal (zones_mapping_map_value (m, "type", "PE"), "lsm_exploitation");
  assert_string_equal (zones_mapping_map_value (m, "type", "PEPM"), "small_scale");
  assert_string_equal (zones_mapping_map_value (m, "asm_consent", "Oui"), "yes");
  assert_string_equal (zones_mapping_map_value (m, "asm_consent", "Non"), "no");

  assert_unmapped (m, "status", bizarre);
  assert_unmapped (m, "type", NULL);
  assert_unmapped (m, "asm_consent", NULL);

  /* All three required fields are there. */
  assert_true (zones_mapping_check (m, info, &error));
  assert_no_error (error);
}

static void
test_guess_english_deposits (void **state)
{
  const char *const fields[] = { "DEP_ID", "COMMOD", "CONF", "DEP_TYPE", "#GRADE", "#THICK_M",
                                 NULL };
  g_autoptr(GisLayerInfo) info = make_info ("deposits", fields);
  g_autoptr(GHashTable) d = distinct_new ();
  g_autoptr(ZonesMapping) m = NULL;
  g_autoptr(GError) error = NULL;

  distinct_add (d, "DEP_ID", "D001", 1, "D002", 1, "D003", 1, NULL);
  distinct_add (d, "COMMOD", "Gold", 5, "Cassiterite", 3, "Coltan", 2, "Wolframite", 1, NULL);
  distinct_add (d, "CONF", "Probable", 4, "Known", 3, "Possible", 3, NULL);
  distinct_add (d, "DEP_TYPE", "Eluvial", 4, "Alluvial", 3, "Hard rock", 3, NULL);
  m = zones_mapping_guess ("deposits", info, d);

  /* Names are matched ignoring case (USGS-style upper-case columns). */
  assert_string_equal (zones_mapping_get_field (m, "mineral"), "COMMOD");
  assert_string_equal (zones_mapping_get_field (m, "confidence"), "CONF");
  assert_string_equal (zones_mapping_get_field (m, "deposit_type"), "DEP_TYPE");
  assert_string_equal (zones_mapping_get_field (m, "grade"), "GRADE");
  assert_string_equal (zones_mapping_get_field (m, "thickness"), "THICK_M");
  assert_string_equal (zones_mapping_get_field (m, "id"), "DEP_ID");

  assert_string_equal (zones_mapping_map_value (m, "mineral", "Gold"), "gold");
  assert_string_equal (zones_mapping_map_value (m, "mineral", "Cassiterite"), "cassiterite");
  assert_string_equal (zones_mapping_map_value (m, "mineral", "Coltan"), "coltan");
  assert_string_equal (zones_mapping_map_value (m, "mineral", "Wolframite"), "wolframite");
  assert_string_equal (zones_mapping_map_value (m, "confidence", "Known"), "known");
  assert_string_equal (zones_mapping_map_value (m, "confidence", "Probable"), "probable");
  assert_string_equal (zones_mapping_map_value (m, "confidence", "Possible"), "possible");
  assert_string_equal (zones_mapping_map_value (m, "deposit_type", "Hard rock"), "hard_rock");
  assert_string_equal (zones_mapping_map_value (m, "deposit_type", "Eluvial"), "eluvial");
  assert_unmapped (m, "mineral", NULL);
  assert_unmapped (m, "confidence", NULL);
  assert_unmapped (m, "deposit_type", NULL);
  assert_true (zones_mapping_check (m, info, &error));
  assert_no_error (error);
}

static void
test_guess_portuguese_deposits (void **state)
{
  /* Accented names: "Minério" is the synonym "minerio" once folded to ASCII, and so on. */
  const char *const fields[] = { "Código", "Minério", "Confiança", "Tipo_Depósito", "#Teor",
                                 "#Espessura", NULL };
  const char *const unknown_mineral[] = { "Areia", NULL };
  g_autoptr(GisLayerInfo) info = make_info ("jazigos", fields);
  g_autoptr(GHashTable) d = distinct_new ();
  g_autoptr(ZonesMapping) m = NULL;

  distinct_add (d, "Código", "J-01", 1, "J-02", 1, NULL);
  distinct_add (d, "Minério", "Ouro", 6, "Cassiterita", 2, "Areia", 1, "Tantalita", 1, NULL);
  distinct_add (d, "Confiança", "Conhecido", 3, "Provável", 2, "Possível", 2, NULL);
  distinct_add (d, "Tipo_Depósito", "Aluvionar", 5, "Rocha dura", 2, "Eluvionar", 1, NULL);
  m = zones_mapping_guess ("deposits", info, d);

  assert_string_equal (zones_mapping_get_field (m, "mineral"), "Minério");
  assert_string_equal (zones_mapping_get_field (m, "confidence"), "Confiança");
  assert_string_equal (zones_mapping_get_field (m, "deposit_type"), "Tipo_Depósito");
  assert_string_equal (zones_mapping_get_field (m, "grade"), "Teor");
  assert_string_equal (zones_mapping_get_field (m, "thickness"), "Espessura");
  assert_string_equal (zones_mapping_get_field (m, "id"), "Código");

  assert_string_equal (zones_mapping_map_value (m, "mineral", "Ouro"), "gold");
  assert_string_equal (zones_mapping_map_value (m, "mineral", "Cassiterita"), "cassiterite");
  assert_string_equal (zones_mapping_map_value (m, "mineral", "Tantalita"), "coltan");
  assert_string_equal (zones_mapping_map_value (m, "confidence", "Conhecido"), "known");
  assert_string_equal (zones_mapping_map_value (m, "confidence", "Provável"), "probable");
  assert_string_equal (zones_mapping_map_value (m, "confidence", "Possível"), "possible");
  assert_string_equal (zones_mapping_map_value (m, "deposit_type", "Aluvionar"), "alluvial");
  assert_string_equal (zones_mapping_map_value (m, "deposit_type", "Rocha dura"), "hard_rock");
  assert_string_equal (zones_mapping_map_value (m, "deposit_type", "Eluvionar"), "eluvial");
  /* Sand is no mineral Placer knows: listed, not guessed. */
  assert_unmapped (m, "mineral", unknown_mineral);
}

static void
test_guess_by_values_when_name_unknown (void **state)
{
  /* "Substância" is not among the mineral field's synonyms, but all its values are minerals:
   * a field with no name match and at least half its values recognised scores
   * 1 + 2 × share = 3, enough to be taken. */
  const char *const fields[] = { "Substância", "Confiança", NULL };
  g_autoptr(GisLayerInfo) info = make_info ("jazigos", fields);
  g_autoptr(GHashTable) d = distinct_new ();
  g_autoptr(ZonesMapping) m = NULL;

  distinct_add (d, "Substância", "Ouro", 2, "Cassiterita", 1, NULL);
  distinct_add (d, "Confiança", "Conhecido", 3, NULL);
  m = zones_mapping_guess ("deposits", info, d);
  assert_string_equal (zones_mapping_get_field (m, "mineral"), "Substância");
  assert_string_equal (zones_mapping_map_value (m, "mineral", "Ouro"), "gold");

  /* Less than half recognised, and no name match: not taken. */
  g_clear_pointer (&m, zones_mapping_free);
  g_hash_table_remove_all (d);
  distinct_add (d, "Substância", "Ouro", 1, "Areia", 2, NULL);
  distinct_add (d, "Confiança", "Conhecido", 3, NULL);
  m = zones_mapping_guess ("deposits", info, d);
  assert_null (zones_mapping_get_field (m, "mineral"));
  assert_string_equal (zones_mapping_get_field (m, "confidence"), "Confiança");
}

static void
test_guess_type_field_holding_statuses (void **state)
{
  /* Some exports call the status column "type" and keep the title type in "categorie".
   * Scores (name + 2 × share of values the vocabulary knows): for Placer's type, "type"
   * gets 3.0 + 2 × 0 = 3.0 and "categorie" (6th synonym, 3.0 − 5 × 0.02) 2.9 + 2 × 1 = 4.9,
   * so categorie wins; for status, no name matches but all of "type"'s values are
   * statuses: 1 + 2 × 1 = 3.0, so the "type" column becomes the status. */
  const char *const fields[] = { "code", "type", "categorie", "titulaire", NULL };
  g_autoptr(GisLayerInfo) info = make_info ("titres", fields);
  g_autoptr(GHashTable) d = distinct_new ();
  g_autoptr(ZonesMapping) m = NULL;
  g_autoptr(GError) error = NULL;

  distinct_add (d, "code", "PR 1", 1, "PE 2", 1, NULL);
  distinct_add (d, "type", "Actif", 3, "Expiré", 2, "En instruction", 1, NULL);
  distinct_add (d, "categorie", "PR", 3, "PE", 1, "PEPM", 1, NULL);
  distinct_add (d, "titulaire", "Société A", 1, NULL);
  m = zones_mapping_guess ("concessions", info, d);

  assert_string_equal (zones_mapping_get_field (m, "type"), "categorie");
  assert_string_equal (zones_mapping_get_field (m, "status"), "type");
  assert_string_equal (zones_mapping_get_field (m, "title_id"), "code");
  assert_string_equal (zones_mapping_map_value (m, "type", "PR"), "exploration");
  assert_string_equal (zones_mapping_map_value (m, "type", "PEPM"), "small_scale");
  assert_string_equal (zones_mapping_map_value (m, "status", "Actif"), "active");
  assert_string_equal (zones_mapping_map_value (m, "status", "Expiré"), "expired");
  /* The status values did not leak into the type table. */
  assert_null (zones_mapping_map_value (m, "type", "Actif"));
  assert_unmapped (m, "type", NULL);
  assert_unmapped (m, "status", NULL);
  assert_true (zones_mapping_check (m, info, &error));
  assert_no_error (error);
}

static void
test_guess_without_values_and_unknown_role (void **state)
{
  g_autoptr(GisLayerInfo) info = make_info ("titres", french_fields);
  g_autoptr(ZonesMapping) m = NULL;
  g_autoptr(ZonesMapping) other = NULL;
  g_autofree char *json = NULL;

  /* Without distinct values, names alone decide and there is no value table. */
  m = zones_mapping_guess ("concessions", info, NULL);
  assert_string_equal (zones_mapping_get_field (m, "status"), "statut");
  assert_string_equal (zones_mapping_get_field (m, "type"), "type");
  assert_null (zones_mapping_map_value (m, "status", "Actif"));
  assert_unmapped (m, "status", NULL);

  /* A role with no fields maps nothing. */
  other = zones_mapping_guess ("other", info, NULL);
  json = zones_mapping_to_json (other);
  assert_string_equal (json, "{\"fields\":{},\"values\":{},\"unmapped\":{}}");
}

/* ---------------------------------------------------------------------------------------- */
/* JSON */

static void
test_mapping_json_round_trip (void **state)
{
  g_autoptr(ZonesMapping) m = french_guess (NULL);
  g_autoptr(ZonesMapping) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = zones_mapping_to_json (m);
  g_autofree char *again = NULL;
  const char *const bizarre[] = { "Bizarre", NULL };
  /* Keys sorted byte-wise; the unmapped status value kept for the user to settle. */
  const char *expected =
    "{\"fields\":{\"asm_consent\":\"accord_artisanal\",\"expiry_date\":\"date_expiration\","
    "\"grant_date\":\"date_octroi\",\"holder\":\"titulaire\",\"status\":\"statut\","
    "\"title_id\":\"code\",\"type\":\"type\"},"
    "\"values\":{\"asm_consent\":{\"Non\":\"no\",\"Oui\":\"yes\"},"
    "\"status\":{\"Actif\":\"active\",\"En instruction\":\"pending\",\"Expiré\":\"expired\"},"
    "\"type\":{\"PE\":\"lsm_exploitation\",\"PEPM\":\"small_scale\",\"PR\":\"exploration\"}},"
    "\"unmapped\":{\"status\":[\"Bizarre\"]}}";

  assert_string_equal (json, expected);

  back = zones_mapping_new_from_json ("concessions", json, &error);
  assert_no_error (error);
  assert_non_null (back);
  again = zones_mapping_to_json (back);
  assert_string_equal (again, json);
  assert_string_equal (zones_mapping_get_role (back), "concessions");
  assert_string_equal (zones_mapping_get_field (back, "status"), "statut");
  assert_string_equal (zones_mapping_map_value (back, "status", "Expiré"), "expired");
  assert_unmapped (back, "status", bizarre);

  /* An empty object is an empty mapping. */
  g_clear_pointer (&back, zones_mapping_free);
  back = zones_mapping_new_from_json ("concessions", "{}", &error);
  assert_no_error (error);
  g_clear_pointer (&again, g_free);
  again = zones_mapping_to_json (back);
  assert_string_equal (again, "{\"fields\":{},\"values\":{},\"unmapped\":{}}");
}

static void
test_mapping_json_malformed (void **state)
{
  const struct {
    const char *json;
    const char *names;
  } cases[] = {
    { "{", "not valid JSON" },
    { "[]", "must be a JSON object" },
    { "\"status\"", "must be a JSON object" },
    { "{\"fields\": 3}", "“fields” must be an object" },
    { "{\"fields\": [\"statut\"]}", "“fields” must be an object" },
    { "{\"fields\": {\"status\": 3}}", "fields.status must be a string" },
    { "{\"fields\": {\"type\": null}}", "fields.type must be a string" },
    { "{\"values\": []}", "“values” must be an object" },
    { "{\"values\": {\"status\": \"active\"}}", "values.status must be an object" },
    { "{\"values\": {\"status\": {\"x\": 1}}}", "values.status.x must be a string" },
    { "{\"fields\": {\"nosuch\": \"x\"}}", "has no field “nosuch”" },
    { "{\"values\": {\"status\": {\"Actif\": \"closed\"}}}", "values.status.Actif" },
    { "{\"values\": {\"holder\": {\"X\": \"active\"}}}", "values.holder.X" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ZonesMapping) m = zones_mapping_new_from_json ("concessions", cases[i].json,
                                                               &error);
      assert_null (m);
      assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_MAPPING);
      assert_error_contains (error, cases[i].names);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Overrides and checks */

static void
test_mapping_apply_override (void **state)
{
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(ZonesMapping) m = french_guess (&info);
  g_autoptr(GError) error = NULL;

  /* A field from a field. */
  zones_mapping_set_field (m, "status", NULL);
  assert_null (zones_mapping_get_field (m, "status"));
  assert_true (zones_mapping_apply_override (m, "status=statut", info, &error));
  assert_no_error (error);
  assert_string_equal (zones_mapping_get_field (m, "status"), "statut");

  /* A value translation settles an unmapped value. */
  assert_true (zones_mapping_apply_override (m, "status:Bizarre=revoked", info, &error));
  assert_no_error (error);
  assert_string_equal (zones_mapping_map_value (m, "status", "Bizarre"), "revoked");
  assert_unmapped (m, "status", NULL);
  /* A value may itself contain ':' and spaces; the last '=' splits. */
  assert_true (zones_mapping_apply_override (m, "status:Actif: en cours=pending", info, &error));
  assert_no_error (error);
  assert_string_equal (zones_mapping_map_value (m, "status", "Actif: en cours"), "pending");

  /* Only Placer's words are accepted, and the error lists them. */
  assert_false (zones_mapping_apply_override (m, "status:X=closed", info, &error));
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_MAPPING);
  assert_error_contains (error, "“closed”");
  assert_error_contains (error, "active, pending, expired, revoked");
  assert_null (zones_mapping_map_value (m, "status", "X"));
  g_clear_error (&error);

  /* A field without vocabulary takes no value translation. */
  assert_false (zones_mapping_apply_override (m, "holder:X=active", info, &error));
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_MAPPING);
  assert_error_contains (error, "“holder” is not a coded field of role concessions");
  g_clear_error (&error);

  assert_false (zones_mapping_apply_override (m, "nosuchfield=code", info, &error));
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_MAPPING);
  assert_error_contains (error, "role concessions has no field “nosuchfield”");
  g_clear_error (&error);

  /* Not of the form FIELD=SOURCE: no '=', nothing before or after it. */
  {
    const char *bad[] = { "status", "=statut", "status=", "status:Actif=" };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        assert_false (zones_mapping_apply_override (m, bad[i], info, &error));
        assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_MAPPING);
        assert_error_contains (error, bad[i]);
        assert_error_contains (error, "FIELD=SOURCE_FIELD");
        g_clear_error (&error);
      }
  }

  /* The layer has no field "etat": refused naming the layer and the field, and the
   * mapping keeps its status field. */
  assert_false (zones_mapping_apply_override (m, "status=etat", info, &error));
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_MAPPING);
  assert_error_contains (error, "layer “titres” has no field “etat”");
  assert_string_equal (zones_mapping_get_field (m, "status"), "statut");
  g_clear_error (&error);

  /* Without layer facts the source field is taken on trust. */
  assert_true (zones_mapping_apply_override (m, "holder=etat", NULL, &error));
  assert_no_error (error);
  assert_string_equal (zones_mapping_get_field (m, "holder"), "etat");
}

static void
test_mapping_check (void **state)
{
  g_autoptr(GisLayerInfo) info = make_info ("titres", french_fields);
  g_autoptr(ZonesMapping) m = zones_mapping_new_empty ("concessions");
  g_autoptr(ZonesMapping) bad_role = zones_mapping_new_empty ("mines");
  g_autoptr(GError) error = NULL;

  /* Required: title_id, type, status. Status is the one missing. */
  zones_mapping_set_field (m, "title_id", "code");
  zones_mapping_set_field (m, "type", "type");
  assert_false (zones_mapping_check (m, info, &error));
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_MAPPING);
  assert_error_contains (error, "Layer “titres” (role concessions)");
  assert_error_contains (error, "“status” (title status)");
  assert_error_contains (error, "--map status=SOURCE_FIELD");
  g_clear_error (&error);

  /* Mapped to a field the layer lacks. */
  zones_mapping_set_field (m, "status", "etat");
  assert_false (zones_mapping_check (m, info, &error));
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_MAPPING);
  assert_error_contains (error, "Layer “titres”: mapped field “etat” (for status)");
  g_clear_error (&error);

  /* Source names are matched ignoring case, as the layer's own lookup does. */
  zones_mapping_set_field (m, "status", "STATUT");
  assert_true (zones_mapping_check (m, info, &error));
  assert_no_error (error);

  /* An optional field need not be mapped, but if it is, its source must exist. */
  zones_mapping_set_field (m, "holder", "proprietaire");
  assert_false (zones_mapping_check (m, info, &error));
  assert_error_contains (error, "“proprietaire” (for holder)");
  g_clear_error (&error);

  assert_false (zones_mapping_check (bad_role, info, &error));
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_MAPPING);
  assert_error_contains (error, "Unknown role “mines”");
}

/* ---------------------------------------------------------------------------------------- */
/* Inspecting files */

static void
test_inspect_sample_cadastre (void **state)
{
  g_autofree char *path = test_source_path ("sample-data/sources/cadastre.gpkg");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesLayerCandidate) c = NULL;
  g_autoptr(GisCrs) utm = gis_crs_new_from_epsg (32735, NULL);
  g_autofree char *sha = gis_file_sha256 (path, NULL);
  /* Every statut and type value `ogrinfo -sql "SELECT statut, count(*) FROM titres GROUP
   * BY statut"` shows, with what it means. */
  const char *const statuses[][2] = {
    { "Actif", "active" },
    { "Actif-En Renouvellement", "active" },
    { "En instruction", "pending" },
    { "Expiré", "expired" },
    { "Déchu", "revoked" },
  };
  const char *const types[][2] = {
    { "AECP", "quarry" },
    { "PE", "lsm_exploitation" },
    { "PEPM", "small_scale" },
    { "PR", "exploration" },
    { "ZEA", "zea" },
  };

  /* The file has its own CRS: the override is not used. */
  c = zones_layer_inspect (path, "titres", "concessions", utm, NULL, &error);
  assert_no_error (error);
  assert_non_null (c);
  assert_non_null (c->info);
  assert_string_equal (c->layer->kind, "vector");
  assert_string_equal (c->layer->role, "concessions");
  assert_string_equal (c->layer->name, "titres");
  assert_string_equal (c->layer->source, path);
  assert_string_equal (c->layer->source_layer, "titres");
  assert_string_equal (c->layer->checksum, sha);
  assert_int_equal (gis_crs_get_epsg (c->layer->crs), 4326);
  assert_int_equal (c->layer->geometry_type, GIS_GEOMETRY_MULTIPOLYGON);
  assert_int_equal (c->layer->feature_count, 396);
  assert_true (c->layer->synthetic);
  assert_close_abs (c->layer->extent.min_x, 28.0, 1e-9);
  assert_close_abs (c->layer->extent.max_y, -1.0, 1e-9);

  assert_string_equal (zones_mapping_get_field (c->mapping, "status"), "statut");
  assert_string_equal (zones_mapping_get_field (c->mapping, "type"), "type");
  assert_string_equal (zones_mapping_get_field (c->mapping, "title_id"), "code");
  assert_string_equal (zones_mapping_get_field (c->mapping, "minerals"), "substances");
  assert_string_equal (zones_mapping_get_field (c->mapping, "asm_consent"),
                       "accord_artisanal");
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    assert_string_equal (zones_mapping_map_value (c->mapping, "status", statuses[i][0]),
                         statuses[i][1]);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    assert_string_equal (zones_mapping_map_value (c->mapping, "type", types[i][0]),
                         types[i][1]);
  assert_string_equal (zones_mapping_map_value (c->mapping, "asm_consent", "Oui"), "yes");
  assert_unmapped (c->mapping, "status", NULL);
  assert_unmapped (c->mapping, "type", NULL);
  assert_unmapped (c->mapping, "asm_consent", NULL);
  assert_true (zones_mapping_check (c->mapping, c->info, &error));
  assert_no_error (error);
}

static void
test_inspect_sample_deposits (void **state)
{
  g_autofree char *path = test_source_path ("sample-data/sources/deposits.gpkg");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesLayerCandidate) c = NULL;

  /* NULL source layer: the first (and only) one; its name is the candidate's. */
  c = zones_layer_inspect (path, NULL, "deposits", NULL, NULL, &error);
  assert_no_error (error);
  assert_string_equal (c->layer->source_layer, "deposits");
  assert_string_equal (c->layer->name, "deposits");
  assert_int_equal (c->layer->feature_count, 314);
  assert_string_equal (zones_mapping_get_field (c->mapping, "mineral"), "COMMOD");
  assert_string_equal (zones_mapping_get_field (c->mapping, "confidence"), "CONF");
  assert_string_equal (zones_mapping_get_field (c->mapping, "deposit_type"), "DEP_TYPE");
  /* Real columns: found by name alone. */
  assert_string_equal (zones_mapping_get_field (c->mapping, "grade"), "GRADE");
  assert_string_equal (zones_mapping_get_field (c->mapping, "thickness"), "THICK_M");
  /* ogrinfo: COMMOD is Cassiterite, Coltan, Gold or Wolframite; DEP_TYPE Alluvial, Eluvial
   * or Hard rock; CONF Known, Possible or Probable. */
  assert_string_equal (zones_mapping_map_value (c->mapping, "mineral", "Wolframite"),
                       "wolframite");
  assert_string_equal (zones_mapping_map_value (c->mapping, "deposit_type", "Hard rock"),
                       "hard_rock");
  assert_string_equal (zones_mapping_map_value (c->mapping, "confidence", "Known"), "known");
  assert_unmapped (c->mapping, "mineral", NULL);
  assert_unmapped (c->mapping, "confidence", NULL);
  assert_unmapped (c->mapping, "deposit_type", NULL);
}

static void
test_inspect_csv_crs (void **state)
{
  g_autofree char *path = test_data_path ("data/points-no-crs.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesLayerCandidate) c = NULL;
  g_autoptr(GisCrs) wgs84 = NULL;

  /* A CSV does not say its CRS, and Placer does not guess. */
  c = zones_layer_inspect (path, NULL, "sites", NULL, NULL, &error);
  assert_null (c);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_CRS);
  assert_error_contains (error, "has no CRS");
  assert_error_contains (error, path);
  assert_error_contains (error, "--crs");
  g_clear_error (&error);

  wgs84 = gis_crs_new_from_epsg (4326, &error);
  assert_no_error (error);
  c = zones_layer_inspect (path, NULL, "sites", wgs84, NULL, &error);
  assert_no_error (error);
  assert_non_null (c);
  assert_int_equal (gis_crs_get_epsg (c->layer->crs), 4326);
  /* The name is the file's without its extension. */
  assert_string_equal (c->layer->name, "points-no-crs");
  assert_int_equal (c->layer->feature_count, 3);
  assert_int_equal (c->layer->geometry_type, GIS_GEOMETRY_POINT);
  assert_string_equal (zones_mapping_get_field (c->mapping, "workers"), "workers");
  /* Extent from the rows: 28.86..29.22 E, 3.40..1.68 S. */
  assert_true (c->layer->extent.min_x == 28.86 && c->layer->extent.max_x == 29.22);
  assert_true (c->layer->extent.min_y == -3.40 && c->layer->extent.max_y == -1.68);
}

static void
test_inspect_raster_landuse (void **state)
{
  g_autofree char *path = test_data_path ("data/classes-4x3.tif");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesLayerCandidate) c = NULL;
  /* CLASS_<value> metadata: Tree cover, Cropland, Built-up, Permanent water, Herbaceous
   * wetland. */
  const char *const classes[][2] = {
    { "10", "forest" },
    { "40", "agriculture" },
    { "50", "urban" },
    { "80", "water" },
    { "90", "wetland" },
  };

  c = zones_layer_inspect (path, NULL, "landuse", NULL, NULL, &error);
  assert_no_error (error);
  assert_non_null (c);
  assert_null (c->info);
  assert_string_equal (c->layer->kind, "raster");
  assert_string_equal (c->layer->name, "classes-4x3");
  assert_int_equal (gis_crs_get_epsg (c->layer->crs), 4326);
  /* A raster's count is its pixels: 4 × 3. */
  assert_int_equal (c->layer->feature_count, 12);
  assert_close_abs (c->layer->extent.min_x, 29.0, 1e-12);
  assert_close_abs (c->layer->extent.min_y, -2.03, 1e-12);
  assert_close_abs (c->layer->extent.max_x, 29.04, 1e-12);
  assert_close_abs (c->layer->extent.max_y, -2.0, 1e-12);
  assert_string_equal (zones_mapping_get_field (c->mapping, "class"), "band1");
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    assert_string_equal (zones_mapping_map_value (c->mapping, "class", classes[i][0]),
                         classes[i][1]);
  /* 0 is nodata, with no class. */
  assert_null (zones_mapping_map_value (c->mapping, "class", "0"));
  g_clear_pointer (&c, zones_layer_candidate_free);

  /* Another role reads no classes from it. */
  c = zones_layer_inspect (path, NULL, "deposits", NULL, NULL, &error);
  assert_no_error (error);
  assert_null (zones_mapping_get_field (c->mapping, "class"));
  assert_null (zones_mapping_map_value (c->mapping, "class", "80"));
}

static void
test_inspect_errors (void **state)
{
  g_autofree char *cadastre = test_source_path ("sample-data/sources/cadastre.gpkg");
  g_autofree char *no_geometry = test_data_path ("data/no-geometry.csv");
  g_autofree char *garbage = test_data_path ("data/garbage.gpkg");
  g_autofree char *vrt = test_data_path ("data/disguised-vrt.tif");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesLayerCandidate) c = NULL;

  c = zones_layer_inspect (cadastre, NULL, "mines", NULL, NULL, &error);
  assert_null (c);
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_INPUT);
  assert_error_contains (error, "Unknown role “mines”");
  assert_error_contains (error,
                         "deposits, concessions, landuse, borders, sites, zones, water, other");
  g_clear_error (&error);

  c = zones_layer_inspect (cadastre, "titre", "concessions", NULL, NULL, &error);
  assert_null (c);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  assert_error_contains (error, cadastre);
  assert_error_contains (error, "“titre”");
  g_clear_error (&error);

  c = zones_layer_inspect (no_geometry, NULL, "sites", NULL, NULL, &error);
  assert_null (c);
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_INPUT);
  assert_error_contains (error, no_geometry);
  assert_error_contains (error, "layer “no-geometry” has no geometry");
  g_clear_error (&error);

  /* Neither vector nor raster: the vector reader's complaint, naming the file. */
  c = zones_layer_inspect (garbage, NULL, "concessions", NULL, NULL, &error);
  assert_null (c);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_OPEN);
  assert_error_contains (error, garbage);
  g_clear_error (&error);

  c = zones_layer_inspect (vrt, NULL, "landuse", NULL, NULL, &error);
  assert_null (c);
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_DRIVER);
  assert_error_contains (error, vrt);
  assert_error_contains (error, "VRT");
}

/* ---------------------------------------------------------------------------------------- */
/* Adding to a project */

static const char only_foo_geojson[] =
  "{\"type\":\"FeatureCollection\",\"features\":["
  "{\"type\":\"Feature\",\"properties\":{\"foo\":\"bar\"},"
  "\"geometry\":{\"type\":\"Point\",\"coordinates\":[29.0,-2.0]}}]}\n";

static void
test_add_to_project (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *project_path = g_build_filename (dir, "project.gpkg", NULL);
  g_autofree char *cadastre = test_source_path ("sample-data/sources/cadastre.gpkg");
  g_autofree char *foo_path = g_build_filename (dir, "foo.geojson", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) wgs84 = gis_crs_new_from_epsg (4326, NULL);
  g_autoptr(GisProject) project = NULL;
  g_autoptr(ZonesLayerCandidate) c = NULL;
  g_autoptr(GisProjectLayer) layer = NULL;
  g_autoptr(ZonesMapping) stored = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GisDataset) embedded = NULL;
  g_autoptr(GisLayerInfo) embedded_info = NULL;
  const char *table_name = NULL;

  project = gis_project_create (project_path, wgs84, &error);
  assert_no_error (error);
  assert_non_null (project);

  c = zones_layer_inspect (cadastre, "titres", "concessions", NULL, NULL, &error);
  assert_no_error (error);
  assert_true (zones_layer_add_to_project (project, c, NULL, TRUE, NULL, &error));
  assert_no_error (error);

  layer = gis_project_find_layer (project, "titres", &error);
  assert_no_error (error);
  assert_non_null (layer);
  assert_string_equal (layer->role, "concessions");
  assert_string_equal (layer->kind, "vector");
  assert_non_null (layer->table);
  /* ogrinfo counts 396 titles in the source. */
  assert_int_equal (layer->feature_count, 396);
  assert_int_equal (gis_crs_get_epsg (layer->crs), 4326);
  stored = zones_mapping_new_from_json ("concessions", layer->mapping, &error);
  assert_no_error (error);
  assert_string_equal (zones_mapping_get_field (stored, "status"), "statut");
  assert_string_equal (zones_mapping_map_value (stored, "status", "Déchu"), "revoked");

  /* Embedded: the project's own table holds the 396 features. */
  embedded = gis_project_open_layer (project, layer, &table_name, &error);
  assert_no_error (error);
  assert_non_null (embedded);
  embedded_info = gis_dataset_describe_layer (embedded, table_name, &error);
  assert_no_error (error);
  assert_int_equal (embedded_info->feature_count, 396);
  g_clear_object (&embedded);

  /* The same name again. */
  g_clear_pointer (&c, zones_layer_candidate_free);
  c = zones_layer_inspect (cadastre, "titres", "concessions", NULL, NULL, &error);
  assert_no_error (error);
  assert_false (zones_layer_add_to_project (project, c, NULL, TRUE, NULL, &error));
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_EXISTS);
  assert_error_contains (error, "“titres”");
  g_clear_error (&error);

  /* A deposits layer with nothing but "foo": no mineral field can be guessed, so it is
   * refused before anything is written. */
  assert_true (g_file_set_contents (foo_path, only_foo_geojson, -1, NULL));
  g_clear_pointer (&c, zones_layer_candidate_free);
  c = zones_layer_inspect (foo_path, NULL, "deposits", NULL, NULL, &error);
  assert_no_error (error);
  assert_null (zones_mapping_get_field (c->mapping, "mineral"));
  assert_false (zones_layer_add_to_project (project, c, "foo-deposits", TRUE, NULL, &error));
  assert_error_matches (error, ZONES_ERROR, ZONES_ERROR_MAPPING);
  assert_error_contains (error, "Layer “foo”");
  assert_error_contains (error, "--map mineral=SOURCE_FIELD");
  g_clear_error (&error);

  layers = gis_project_list_layers (project, &error);
  assert_no_error (error);
  assert_int_equal (layers->len, 1);
  assert_string_equal (((GisProjectLayer *) g_ptr_array_index (layers, 0))->name, "titres");
  assert_null (gis_project_find_layer (project, "foo-deposits", &error));
  assert_error_matches (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_finalize_object (g_steal_pointer (&project));
  test_rmtree (dir);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_roles),
    cmocka_unit_test (test_vocabulary_match),
    cmocka_unit_test (test_guess_french_concessions),
    cmocka_unit_test (test_guess_english_deposits),
    cmocka_unit_test (test_guess_portuguese_deposits),
    cmocka_unit_test (test_guess_by_values_when_name_unknown),
    cmocka_unit_test (test_guess_type_field_holding_statuses),
    cmocka_unit_test (test_guess_without_values_and_unknown_role),
    cmocka_unit_test (test_mapping_json_round_trip),
    cmocka_unit_test (test_mapping_json_malformed),
    cmocka_unit_test (test_mapping_apply_override),
    cmocka_unit_test (test_mapping_check),
    cmocka_unit_test (test_inspect_sample_cadastre),
    cmocka_unit_test (test_inspect_sample_deposits),
    cmocka_unit_test (test_inspect_csv_crs),
    cmocka_unit_test (test_inspect_raster_landuse),
    cmocka_unit_test (test_inspect_errors),
    cmocka_unit_test (test_add_to_project),
  };

  gis_init ();
  return cmocka_run_group_tests_name ("zones-schema", tests, NULL, NULL);
}
