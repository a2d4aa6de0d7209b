/* zones-schema.c: roles, Placer's fields, and guessing a source layer's field mapping
 *
 * Real datasets name their fields anything (COMMOD, Substance, minerai...) and their values
 * in English, French or Portuguese. Placer proposes a mapping from the names and the values
 * it finds; the user confirms or overrides it; it is stored with the layer in the project.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-schema"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "zones-error.h"
#include "zones-schema.h"

/* ---------------------------------------------------------------------------------------- */
/* Vocabularies: each of Placer's values with the words that mean it in source data. */

typedef struct {
  const char        *value;
  const char *const *words;
} Term;

#define WORDS(...) ((const char *const[]) { __VA_ARGS__, NULL })

static const Term mineral_terms[] = {
  { "gold", WORDS ("gold", "au", "or", "ouro", "oro", "gold ore") },
  { "cassiterite", WORDS ("cassiterite", "cassiterita", "sn", "tin", "etain", "estanho") },
  { "coltan", WORDS ("coltan", "ta", "tantalum", "tantale", "tantalite", "columbo-tantalite",
                     "columbite-tantalite", "tantalo", "tantalita") },
  { "wolframite", WORDS ("wolframite", "wolframita", "volframite", "w", "tungsten",
                         "tungstene", "tungstenio") },
  { "copper", WORDS ("copper", "cuivre", "cu", "cobre") },
  { "cobalt", WORDS ("cobalt", "co", "cobalto") },
  { "diamond", WORDS ("diamond", "diamant", "diamante", "diamonds", "diamants") },
  { NULL, NULL }
};

static const Term confidence_terms[] = {
  { "known", WORDS ("known", "connu", "connue", "conhecido", "conhecida", "proven", "prouve",
                    "measured", "mesure", "certain", "certo", "reserve", "reserves") },
  { "probable", WORDS ("probable", "provavel", "indicated", "indique", "likely") },
  { "possible", WORDS ("possible", "possivel", "inferred", "infere", "hypothetical",
                       "hypothetique", "speculative", "prospective", "potential", "potentiel") },
  { NULL, NULL }
};

static const Term deposit_type_terms[] = {
  { "alluvial", WORDS ("alluvial", "alluvionnaire", "alluvion", "aluvionar", "aluvial",
                       "placer", "alluvial placer") },
  { "eluvial", WORDS ("eluvial", "eluvionnaire", "eluvionar", "colluvial", "colluvionnaire") },
  { "hard_rock", WORDS ("hard rock", "hard-rock", "hardrock", "primary", "primaire",
                        "filonien", "filon", "vein", "reef", "roche dure", "rocha dura",
                        "primario", "in situ", "lode") },
  { NULL, NULL }
};

static const Term title_type_terms[] = {
  { "exploration", WORDS ("exploration", "pr", "pr (as)", "pr (pp)", "per",
                          "permis de recherches", "permis de recherche", "prospecting",
                          "prospecting licence", "prospecting license", "pl",
                          "exploration licence", "exploration license", "licenca de prospeccao",
                          "licenca de prospeccao e pesquisa", "arpc", "arpc (car)",
                          "arpc (min)", "reconnaissance") },
  { "lsm_exploitation", WORDS ("lsm_exploitation", "pe", "permis d'exploitation",
                               "permis d exploitation", "mining lease", "ml", "sml",
                               "mining licence", "mining license", "concessao mineira",
                               "large-scale", "large scale", "exploitation", "c.u.p.") },
  { "small_scale", WORDS ("small_scale", "pepm", "petite mine", "small-scale", "small scale",
                          "ssm", "pml", "primary mining licence", "certificado mineiro",
                          "permis d'exploitation de petite mine", "semi-industriel") },
  { "artisanal", WORDS ("artisanal", "senha mineira", "autorisation artisanale",
                        "autorisation d'exploitation artisanale", "artisanal licence",
                        "artisanal mining licence", "carte d'exploitant artisanal") },
  { "zea", WORDS ("zea", "zone d'exploitation artisanale", "zones d'exploitation artisanale",
                  "asm zone", "designated area", "area designada") },
  { "application", WORDS ("application", "demande", "pedido", "requerimento", "candidature") },
  { "quarry", WORDS ("quarry", "aecp", "aecp (car)", "aecp (min)", "carriere", "pedreira") },
  { "forbidden", WORDS ("zin", "zone interdite", "forbidden zone", "restricted area",
                        "zona interdita") },
  { NULL, NULL }
};

static const Term title_status_terms[] = {
  { "active", WORDS ("active", "actif", "active", "valid", "valide", "ativo", "activo",
                     "granted", "octroye", "droit octroye", "in force", "en vigueur", "vigente",
                     "a dechoir pour non paiement", "a dechoir", "renouvellement octroi",
                     "renouvellement octroye") },
  { "pending", WORDS ("pending", "en instruction", "demande", "nouvelle demande", "application",
                      "pendente",
                      "em analise", "en cours", "submitted", "soumis", "recevable") },
  { "expired", WORDS ("expired", "expire", "expiree", "expirado", "caduc", "caduque",
                      "lapsed") },
  { "revoked", WORDS ("revoked", "dechu", "droit dechu", "revoque", "revogado", "annule",
                      "cancelled", "canceled", "renonce", "renounced", "surrendered",
                      "forfeited", "retire", "withdrawn") },
  { NULL, NULL }
};

static const Term yes_no_terms[] = {
  { "yes", WORDS ("yes", "oui", "sim", "si", "1", "true", "y", "o", "vrai") },
  { "no", WORDS ("no", "non", "nao", "0", "false", "n", "faux") },
  { NULL, NULL }
};

static const Term landuse_terms[] = {
  { "protected_area", WORDS ("protected area", "aire protegee", "area protegida", "parc national",
                             "national park", "reserve", "reserve naturelle", "nature reserve",
                             "parque nacional", "domaine de chasse", "wildlife reserve") },
  { "urban", WORDS ("urban", "agglomeration", "settlement", "ville", "village", "built-up",
                    "built up", "urbain", "zona urbana", "area urbana", "localite",
                    "povoacao", "cidade") },
  { "water", WORDS ("water", "plan d'eau", "lac", "lake", "river", "riviere", "fleuve", "agua",
                    "lago", "rio", "water body", "permanent water", "reservoir") },
  { "road", WORDS ("road", "route", "estrada", "piste", "track") },
  { "sacred_site", WORDS ("sacred site", "site sacre", "sitio sagrado", "cimetiere",
                          "cemetery", "graves", "tombes", "religious site", "lieu de culte") },
  { "forest", WORDS ("forest", "foret", "foret classee", "floresta", "tree cover",
                     "forest reserve") },
  { "agriculture", WORDS ("agriculture", "cropland", "champs", "agricultura", "cultures",
                          "farmland", "plantation") },
  { "wetland", WORDS ("wetland", "marais", "zone humide", "pantano", "herbaceous wetland") },
  { NULL, NULL }
};

static const Term certification_terms[] = {
  { "blue", WORDS ("blue", "bleu", "azul", "0", "not inspected", "non inspecte") },
  { "green", WORDS ("green", "vert", "verde", "1") },
  { "yellow", WORDS ("yellow", "jaune", "amarelo", "2") },
  { "red", WORDS ("red", "rouge", "vermelho", "3") },
  { NULL, NULL }
};

static const Term zone_status_terms[] = {
  { "candidate", WORDS ("candidate", "candidat", "candidata") },
  { "proposed", WORDS ("proposed", "propose", "proposta") },
  { "designated", WORDS ("designated", "designe", "designee", "designada", "actif", "active") },
  { "suspended", WORDS ("suspended", "suspendu", "suspensa") },
  { "retired", WORDS ("retired", "retire", "aboli", "abolished", "revogada") },
  { NULL, NULL }
};

/* ---------------------------------------------------------------------------------------- */
/* Placer's fields per role, with the field names sources use for them. */

typedef struct {
  ZonesFieldSpec      spec;
  const char *const  *names;
  const Term         *terms;
} FieldDef;

static const char *const vocab_mineral[] = { "gold", "cassiterite", "coltan", "wolframite",
                                             "copper", "cobalt", "diamond", "other", NULL };
static const char *const vocab_confidence[] = { "known", "probable", "possible", NULL };
static const char *const vocab_deposit_type[] = { "alluvial", "eluvial", "hard_rock", NULL };
static const char *const vocab_title_type[] = { "exploration", "lsm_exploitation", "small_scale",
                                                "artisanal", "zea", "application", "quarry",
                                                "forbidden", NULL };
static const char *const vocab_status[] = { "active", "pending", "expired", "revoked", NULL };
static const char *const vocab_yes_no[] = { "yes", "no", NULL };
static const char *const vocab_landuse[] = { "protected_area", "urban", "water", "road",
                                             "sacred_site", "forest", "agriculture", "wetland",
                                             NULL };
static const char *const vocab_certification[] = { "blue", "green", "yellow", "red", NULL };
static const char *const vocab_zone_status[] = { "candidate", "proposed", "designated",
                                                 "suspended", "retired", NULL };

static const FieldDef deposits_fields[] = {
  { { "mineral", TRUE, vocab_mineral, N_("commodity") },
    WORDS ("mineral", "commod", "commodity", "commodities", "minerai", "substance", "substances",
           "minerio", "mineralization", "mineralisation", "element", "main_commod"), mineral_terms },
  { { "confidence", TRUE, vocab_confidence, N_("known, probable or possible") },
    WORDS ("confidence", "conf", "certitude", "confiance", "fiabilite", "confianca", "reliability",
           "resource_class", "category", "categorie", "status"), confidence_terms },
  { { "deposit_type", FALSE, vocab_deposit_type, N_("alluvial, eluvial or hard rock") },
    WORDS ("deposit_type", "dep_type", "type", "type_gite", "type_gisement", "gitologie",
           "tipo_deposito", "tipo", "deptype", "gite"), deposit_type_terms },
  { { "grade", FALSE, NULL, N_("grade (g/t or %)") },
    WORDS ("grade", "teneur", "teor", "avg_grade"), NULL },
  { { "thickness", FALSE, NULL, N_("thickness in metres") },
    WORDS ("thickness", "thick", "thick_m", "epaisseur", "espessura", "puissance"), NULL },
  { { "id", FALSE, NULL, N_("deposit identifier") },
    WORDS ("id", "dep_id", "deposit_id", "code", "identifiant", "codigo"), NULL },
  { { NULL } }
};

static const FieldDef concessions_fields[] = {
  { { "title_id", TRUE, NULL, N_("title number") },
    WORDS ("title_id", "code", "titre", "numero", "num", "numero_titre", "n_titre", "licence",
           "license", "licence_no", "license_no", "permit", "codigo", "licenca", "name"), NULL },
  { { "holder", FALSE, NULL, N_("title holder") },
    WORDS ("holder", "titulaire", "parties", "owner", "company", "societe", "detentor",
           "titular", "holders", "licensee"), NULL },
  { { "type", TRUE, vocab_title_type, N_("title type") },
    WORDS ("type", "title_type", "licence_type", "license_type", "type_titre", "categorie",
           "tipo", "group", "groupe"), title_type_terms },
  { { "status", TRUE, vocab_status, N_("title status") },
    WORDS ("status", "statut", "etat", "estado", "situacao", "state"), title_status_terms },
  { { "grant_date", FALSE, NULL, N_("date granted (or applied for)") },
    WORDS ("grant_date", "date_octroi", "granted", "date_de1", "date_debut", "start_date",
           "data_concessao", "date_attribution", "datedebut", "date_grant"), NULL },
  { { "expiry_date", FALSE, NULL, N_("date the title expires") },
    WORDS ("expiry_date", "date_expiration", "expiry", "expires", "date_fin", "end_date",
           "data_validade", "date_echeance", "datefin", "expiration"), NULL },
  { { "asm_consent", FALSE, vocab_yes_no, N_("holder consents to artisanal mining") },
    WORDS ("asm_consent", "accord_artisanal", "consent", "consentement", "consentimento",
           "accord"), yes_no_terms },
  { { "minerals", FALSE, NULL, N_("minerals covered") },
    WORDS ("minerals", "substances", "commodities", "minerais", "substance"), NULL },
  { { NULL } }
};

static const FieldDef landuse_fields[] = {
  { { "class", TRUE, vocab_landuse, N_("land-use class") },
    WORDS ("class", "classe", "landuse", "land_use", "occupation", "occ_sol", "type", "categorie",
           "uso", "classe_uso", "lc_class", "category"), landuse_terms },
  { { "name", FALSE, NULL, N_("name") },
    WORDS ("name", "nom", "nome", "libelle"), NULL },
  { { NULL } }
};

static const FieldDef borders_fields[] = {
  { { "iso", TRUE, NULL, N_("ISO 3166-1 alpha-3 country code") },
    WORDS ("iso", "iso3", "iso_a3", "adm0_a3", "iso_code", "code_iso", "a3", "gid_0",
           "iso_3166", "iso3166", "sov_a3", "country_code"), NULL },
  { { "name", FALSE, NULL, N_("country or unit name") },
    WORDS ("name", "nom", "nome", "admin", "country", "pays", "pais", "name_en"), NULL },
  { { "admin_code", FALSE, NULL, N_("admin-1 code") },
    WORDS ("admin_code", "code", "iso_3166_2", "adm1_code", "hasc", "pcode"), NULL },
  { { NULL } }
};

static const FieldDef sites_fields[] = {
  { { "site_id", TRUE, NULL, N_("site identifier") },
    WORDS ("site_id", "pcode", "icglrid", "nationalid", "code_site", "site_code", "code", "id"),
    NULL },
  { { "name", FALSE, NULL, N_("site name") },
    WORDS ("name", "nom", "nome", "site_name", "nom_site"), NULL },
  { { "workers", FALSE, NULL, N_("number of workers") },
    WORDS ("workers", "workers_numb", "miners", "creuseurs", "nb_creuseurs", "trabalhadores",
           "mineiros", "effectif", "nb_workers", "number_of_workers"), NULL },
  { { "mineral", FALSE, vocab_mineral, N_("main mineral") },
    WORDS ("mineral", "mineral1", "minerai", "substance", "minerals", "commodity"), mineral_terms },
  { { "visit_date", FALSE, NULL, N_("visit date") },
    WORDS ("visit_date", "date_visite", "date", "data_visita", "survey_date", "visited"), NULL },
  { { "certification", FALSE, vocab_certification, N_("ICGLR certification status") },
    WORDS ("certification", "certificationstatus", "certification_status", "qualification",
           "statut_certification"), certification_terms },
  { { "armed_presence", FALSE, NULL, N_("armed presence (sensitive)") },
    WORDS ("armed_presence", "presence", "groupe_arme", "armed_group1"), NULL },
  { { "mercury", FALSE, NULL, N_("mercury use") },
    WORDS ("mercury", "mercure", "mercurio"), NULL },
  { { NULL } }
};

static const FieldDef zones_fields[] = {
  { { "zone_id", FALSE, NULL, N_("zone identifier") }, WORDS ("zone_id", "id", "code"), NULL },
  { { "name", FALSE, NULL, N_("zone name") }, WORDS ("name", "nom", "nome"), NULL },
  { { "country", FALSE, NULL, N_("designating country (ISO alpha-3)") },
    WORDS ("country", "pays", "pais", "iso3"), NULL },
  { { "mineral", FALSE, vocab_mineral, N_("mineral") },
    WORDS ("mineral", "minerai", "substance", "commod"), mineral_terms },
  { { "status", FALSE, vocab_zone_status, N_("zone status") },
    WORDS ("status", "statut", "estado"), zone_status_terms },
  { { NULL } }
};

static const FieldDef water_fields[] = {
  { { "source_type", FALSE, NULL, N_("kind of water source") },
    WORDS ("source_type", "type", "kind", "nature"), NULL },
  { { "yield_m3_day", FALSE, NULL, N_("yield in m³ per day") },
    WORDS ("yield_m3_day", "yield", "debit", "caudal", "flow", "vazao"), NULL },
  { { NULL } }
};

static const FieldDef other_fields[] = { { { NULL } } };

typedef struct {
  const char     *role;
  const FieldDef *fields;
} RoleDef;

static const RoleDef roles[] = {
  { "deposits", deposits_fields },
  { "concessions", concessions_fields },
  { "landuse", landuse_fields },
  { "borders", borders_fields },
  { "sites", sites_fields },
  { "zones", zones_fields },
  { "water", water_fields },
  { "other", other_fields },
  { NULL, NULL }
};

static const char *const role_names[] = { "deposits", "concessions", "landuse", "borders",
                                          "sites", "zones", "water", "other", NULL };

/**
 * zones_roles:
 *
 * Returns: (transfer none): the role names, %NULL-terminated
 */
const char *const *
zones_roles (void)
{
  return role_names;
}

static const RoleDef *
find_role (const char *role)
{
  for (guint i = 0; roles[i].role != NULL; i++)
    if (g_strcmp0 (roles[i].role, role) == 0)
      return &roles[i];
  return NULL;
}

gboolean
zones_role_is_valid (const char *role)
{
  return role != NULL && find_role (role) != NULL;
}

/* The FieldDef array stores ZonesFieldSpec as its first member, so a spec pointer can be
 * handed out per field; n_fields tells the caller how many. Callers index with
 * zones_role_find_field() or iterate with the stride of FieldDef via this helper. */
static const FieldDef *
find_field_def (const char *role, const char *field)
{
  const RoleDef *r = find_role (role);

  if (r == NULL)
    return NULL;
  for (guint i = 0; r->fields[i].spec.name != NULL; i++)
    if (g_str_equal (r->fields[i].spec.name, field))
      return &r->fields[i];
  return NULL;
}

/**
 * zones_role_get_fields:
 * @n_fields: (out): number of fields
 *
 * Returns: (transfer none) (array length=n_fields): Placer's fields for @role, as a freshly
 *   interned array that stays valid for the process's life
 */
const ZonesFieldSpec *
zones_role_get_fields (const char *role, guint *n_fields)
{
  static GHashTable *cache;
  static GMutex lock;
  const RoleDef *r = find_role (role);
  GArray *specs;

  *n_fields = 0;
  if (r == NULL)
    return NULL;
  g_mutex_lock (&lock);
  if (cache == NULL)
    cache = g_hash_table_new (g_str_hash, g_str_equal);
  specs = g_hash_table_lookup (cache, r->role);
  if (specs == NULL)
    {
      specs = g_array_new (FALSE, FALSE, sizeof (ZonesFieldSpec));
      for (guint i = 0; r->fields[i].spec.name != NULL; i++)
        g_array_append_val (specs, r->fields[i].spec);
      g_hash_table_insert (cache, (gpointer) r->role, specs);
    }
  g_mutex_unlock (&lock);
  *n_fields = specs->len;
  return (const ZonesFieldSpec *) (gpointer) specs->data;
}

const ZonesFieldSpec *
zones_role_find_field (const char *role, const char *field)
{
  const FieldDef *d = find_field_def (role, field);
  return d ? &d->spec : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Normalisation: "Cassitérite " → "cassiterite", "Date_Octroi" → "date_octroi". */

static char *
normalise (const char *s)
{
  g_autofree char *ascii = NULL;
  g_autofree char *lower = NULL;
  GString *out;

  if (s == NULL)
    return g_strdup ("");
  ascii = g_str_to_ascii (s, "C");
  lower = g_ascii_strdown (ascii, -1);
  g_strstrip (lower);
  out = g_string_new (NULL);
  for (const char *p = lower; *p; p++)
    {
      /* Collapse runs of spaces, underscores and hyphens to one space for values. */
      if (*p == ' ' || *p == '\t' || *p == '_' || *p == '-')
        {
          if (out->len > 0 && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static char *
normalise_name (const char *s)
{
  g_autofree char *n = normalise (s);

  for (char *p = n; *p; p++)
    if (!g_ascii_isalnum (*p))
      *p = '_';
  return g_steal_pointer (&n);
}

static const char *
match_terms (const Term *terms, const char *value)
{
  g_autofree char *n = NULL;

  if (terms == NULL || value == NULL)
    return NULL;
  n = normalise (value);
  /* Placer's own value ("hard_rock") is always understood. */
  for (guint i = 0; terms[i].value != NULL; i++)
    {
      g_autofree char *own = normalise (terms[i].value);
      if (g_str_equal (n, own))
        return terms[i].value;
    }
  for (guint i = 0; terms[i].value != NULL; i++)
    for (guint j = 0; terms[i].words[j] != NULL; j++)
      {
        g_autofree char *w = normalise (terms[i].words[j]);
        if (g_str_equal (n, w))
          return terms[i].value;
      }
  /* Compound values such as "Actif-En Force Majeure" or "Actif-Transformation PR en PE" are
   * still the status they start with; the first word decides. */
  for (guint i = 0; terms[i].value != NULL; i++)
    for (guint j = 0; terms[i].words[j] != NULL; j++)
      {
        g_autofree char *w = normalise (terms[i].words[j]);
        gsize len = strlen (w);
        if (len >= 4 && g_str_has_prefix (n, w) && (n[len] == ' ' || n[len] == '('))
          return terms[i].value;
      }
  return NULL;
}

/**
 * zones_vocabulary_match:
 *
 * Returns: (nullable): Placer's value for a source value of @field, by the built-in words
 */
const char *
zones_vocabulary_match (const char *role, const char *field, const char *value)
{
  const FieldDef *d = find_field_def (role, field);
  return d ? match_terms (d->terms, value) : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* The mapping */

struct _ZonesMapping {
  char       *role;
  GHashTable *fields;   /* Placer field → source field */
  GHashTable *values;   /* Placer field → (source value → Placer value) */
  GHashTable *unmapped; /* Placer field → GPtrArray of source values */
};

static GHashTable *
str_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

ZonesMapping *
zones_mapping_new_empty (const char *role)
{
  ZonesMapping *m = g_new0 (ZonesMapping, 1);

  m->role = g_strdup (role);
  m->fields = str_table ();
  m->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) g_hash_table_unref);
  m->unmapped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
  return m;
}

void
zones_mapping_free (ZonesMapping *m)
{
  if (m == NULL)
    return;
  g_free (m->role);
  g_hash_table_unref (m->fields);
  g_hash_table_unref (m->values);
  g_hash_table_unref (m->unmapped);
  g_free (m);
}

const char *
zones_mapping_get_role (ZonesMapping *m)
{
  g_return_val_if_fail (m != NULL, NULL);
  return m->role;
}

const char *
zones_mapping_get_field (ZonesMapping *m, const char *field)
{
  g_return_val_if_fail (m != NULL && field != NULL, NULL);
  return g_hash_table_lookup (m->fields, field);
}

void
zones_mapping_set_field (ZonesMapping *m, const char *field, const char *source_field)
{
  g_return_if_fail (m != NULL && field != NULL);
  if (source_field == NULL)
    g_hash_table_remove (m->fields, field);
  else
    g_hash_table_insert (m->fields, g_strdup (field), g_strdup (source_field));
}

/**
 * zones_mapping_map_value:
 *
 * Returns: (nullable): Placer's value for @source_value, by the mapping's explicit value
 *   table; %NULL when the mapping has no entry for it
 */
const char *
zones_mapping_map_value (ZonesMapping *m, const char *field, const char *source_value)
{
  GHashTable *t;

  g_return_val_if_fail (m != NULL && field != NULL, NULL);
  if (source_value == NULL)
    return NULL;
  t = g_hash_table_lookup (m->values, field);
  return t ? g_hash_table_lookup (t, source_value) : NULL;
}

/**
 * zones_mapping_resolve:
 * @raw: (nullable): a value as the source has it
 *
 * Placer's value for a source value of a vocabulary field: the mapping's own translation,
 * else a built-in word, else the layer's default for untranslated values ("*").
 *
 * Returns: (nullable): the value, or %NULL when nothing applies
 */
const char *
zones_mapping_resolve (ZonesMapping *m, const char *field, const char *raw)
{
  const char *value;

  g_return_val_if_fail (m != NULL && field != NULL, NULL);
  value = raw ? zones_mapping_map_value (m, field, raw) : NULL;
  if (value == NULL && raw != NULL)
    value = zones_vocabulary_match (m->role, field, raw);
  if (value == NULL)
    value = zones_mapping_map_value (m, field, "*");
  return value;
}

static void
remove_unmapped (ZonesMapping *m, const char *field, const char *source_value)
{
  GPtrArray *u = g_hash_table_lookup (m->unmapped, field);
  guint idx;

  if (u != NULL && g_ptr_array_find_with_equal_func (u, source_value, g_str_equal, &idx))
    g_ptr_array_remove_index (u, idx);
}

void
zones_mapping_set_value (ZonesMapping *m, const char *field, const char *source_value,
                         const char *value)
{
  GHashTable *t;

  g_return_if_fail (m != NULL && field != NULL && source_value != NULL && value != NULL);
  t = g_hash_table_lookup (m->values, field);
  if (t == NULL)
    {
      t = str_table ();
      g_hash_table_insert (m->values, g_strdup (field), t);
    }
  g_hash_table_insert (t, g_strdup (source_value), g_strdup (value));
  remove_unmapped (m, field, source_value);
}

static void
add_unmapped (ZonesMapping *m, const char *field, const char *source_value)
{
  GPtrArray *u = g_hash_table_lookup (m->unmapped, field);

  if (u == NULL)
    {
      u = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (m->unmapped, g_strdup (field), u);
    }
  if (!g_ptr_array_find_with_equal_func (u, source_value, g_str_equal, NULL))
    g_ptr_array_add (u, g_strdup (source_value));
}

/**
 * zones_mapping_list_unmapped:
 *
 * Returns: (transfer container) (element-type utf8) (nullable): source values of @field
 *   that the mapping does not translate
 */
GPtrArray *
zones_mapping_list_unmapped (ZonesMapping *m, const char *field)
{
  GPtrArray *u;

  g_return_val_if_fail (m != NULL && field != NULL, NULL);
  u = g_hash_table_lookup (m->unmapped, field);
  return u && u->len ? g_ptr_array_ref (u) : NULL;
}

/* Score how well a source field name fits one of Placer's fields: 0 none, 3 an exact
 * synonym; the best synonyms come first in each list, so earlier ones score a little
 * higher to break ties ("code" is a title number before "name" is). */
static double
name_score (const FieldDef *d, const char *source_name)
{
  g_autofree char *n = normalise_name (source_name);
  double best = 0;

  for (guint j = 0; d->names[j] != NULL; j++)
    {
      double s = 0;
      if (g_str_equal (n, d->names[j]))
        s = 3.0 - j * 0.02;
      else if (strlen (d->names[j]) >= 4 && strstr (n, d->names[j]) != NULL)
        s = 1.5 - j * 0.01;
      best = MAX (best, s);
    }
  return best;
}

/* Share of a field's distinct values (weighted by count) that the vocabulary recognises. */
static double
value_score (const FieldDef *d, GPtrArray *values)
{
  guint64 hit = 0, total = 0;

  if (d->terms == NULL || values == NULL)
    return 0;
  for (guint i = 0; i < values->len; i++)
    {
      GisValueCount *vc = g_ptr_array_index (values, i);
      total += vc->count;
      if (match_terms (d->terms, vc->value) != NULL)
        hit += vc->count;
    }
  return total ? (double) hit / (double) total : 0;
}

/**
 * zones_mapping_guess:
 * @info: the source layer's fields
 * @distinct_values: (element-type utf8 GPtrArray) (nullable): source field name → its
 *   distinct values (#GisValueCount), for the fields worth looking at
 *
 * Proposes a mapping: for each of Placer's fields the source field that fits best by name
 * and values, and for fields with a vocabulary a translation of each source value that
 * the built-in words recognise. Values it does not recognise are listed as unmapped.
 *
 * Returns: (transfer full): the proposed mapping
 */
ZonesMapping *
zones_mapping_guess (const char *role, const GisLayerInfo *info, GHashTable *distinct_values)
{
  const RoleDef *r;
  ZonesMapping *m;
  g_autoptr(GHashTable) taken = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (info != NULL, NULL);

  m = zones_mapping_new_empty (role);
  r = find_role (role);
  if (r == NULL)
    return m;

  /* Required fields pick first, so an optional field cannot take the only good candidate. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; r->fields[i].spec.name != NULL; i++)
      {
        const FieldDef *d = &r->fields[i];
        const char *best = NULL;
        double best_score = 0;

        if (d->spec.required != (pass == 0))
          continue;
        for (guint k = 0; k < info->fields->len; k++)
          {
            const GisFieldInfo *f = g_ptr_array_index (info->fields, k);
            GPtrArray *values = distinct_values ? g_hash_table_lookup (distinct_values, f->name)
                                                : NULL;
            double s;

            if (g_hash_table_contains (taken, f->name))
              continue;
            s = name_score (d, f->name);
            if (d->terms != NULL)
              {
                double v = value_score (d, values);
                /* Values speak louder than names for coded fields: a field named "type"
                 * whose values are all statuses is a status field. */
                s = s > 0 ? s + 2.0 * v : (v >= 0.5 ? 1.0 + 2.0 * v : 0);
              }
            if (s > best_score)
              {
                best_score = s;
                best = f->name;
              }
          }
        if (best != NULL && best_score >= 1.0)
          {
            g_hash_table_add (taken, (gpointer) best);
            zones_mapping_set_field (m, d->spec.name, best);
          }
      }

  /* Value tables for coded fields. */
  for (guint i = 0; r->fields[i].spec.name != NULL; i++)
    {
      const FieldDef *d = &r->fields[i];
      const char *src = zones_mapping_get_field (m, d->spec.name);
      GPtrArray *values;

      if (d->terms == NULL || src == NULL || distinct_values == NULL)
        continue;
      values = g_hash_table_lookup (distinct_values, src);
      for (guint k = 0; values && k < values->len; k++)
        {
          GisValueCount *vc = g_ptr_array_index (values, k);
          const char *v = match_terms (d->terms, vc->value);
          if (v != NULL)
            zones_mapping_set_value (m, d->spec.name, vc->value, v);
          else
            add_unmapped (m, d->spec.name, vc->value);
        }
    }
  return m;
}

/* ---------------------------------------------------------------------------------------- */
/* JSON */

/**
 * zones_mapping_to_node:
 *
 * Returns: (transfer full): {"fields": {...}, "values": {...}, "unmapped": {...}}
 */
JsonNode *
zones_mapping_to_node (ZonesMapping *m)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GList) keys = NULL;

  g_return_val_if_fail (m != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fields");
  json_builder_begin_object (b);
  keys = g_list_sort (g_hash_table_get_keys (m->fields), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    {
      json_builder_set_member_name (b, l->data);
      json_builder_add_string_value (b, g_hash_table_lookup (m->fields, l->data));
    }
  json_builder_end_object (b);
  g_clear_pointer (&keys, g_list_free);

  json_builder_set_member_name (b, "values");
  json_builder_begin_object (b);
  keys = g_list_sort (g_hash_table_get_keys (m->values), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    {
      GHashTable *t = g_hash_table_lookup (m->values, l->data);
      g_autoptr(GList) vkeys = g_list_sort (g_hash_table_get_keys (t), (GCompareFunc) g_strcmp0);

      json_builder_set_member_name (b, l->data);
      json_builder_begin_object (b);
      for (GList *v = vkeys; v; v = v->next)
        {
          json_builder_set_member_name (b, v->data);
          json_builder_add_string_value (b, g_hash_table_lookup (t, v->data));
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  g_clear_pointer (&keys, g_list_free);

  json_builder_set_member_name (b, "unmapped");
  json_builder_begin_object (b);
  keys = g_list_sort (g_hash_table_get_keys (m->unmapped), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    {
      GPtrArray *u = g_hash_table_lookup (m->unmapped, l->data);
      if (u->len == 0)
        continue;
      json_builder_set_member_name (b, l->data);
      json_builder_begin_array (b);
      for (guint k = 0; k < u->len; k++)
        json_builder_add_string_value (b, g_ptr_array_index (u, k));
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
zones_mapping_to_json (ZonesMapping *m)
{
  g_autoptr(JsonNode) node = zones_mapping_to_node (m);
  return json_to_string (node, FALSE);
}

/**
 * zones_mapping_new_from_json:
 *
 * Returns: (transfer full): the mapping stored as JSON, or %NULL with
 *   #ZONES_ERROR_MAPPING saying what is wrong
 */
ZonesMapping *
zones_mapping_new_from_json (const char *role, const char *json, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ZonesMapping) m = zones_mapping_new_empty (role);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *obj;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, -1, &local_error))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING, "Field mapping is not valid JSON: %s",
                   local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                           "Field mapping must be a JSON object");
      return NULL;
    }
  obj = json_node_get_object (root);
  if (json_object_has_member (obj, "fields"))
    {
      JsonNode *n = json_object_get_member (obj, "fields");
      g_autoptr(GList) members = NULL;
      if (!JSON_NODE_HOLDS_OBJECT (n))
        {
          g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                               "Field mapping: “fields” must be an object");
          return NULL;
        }
      members = json_object_get_members (json_node_get_object (n));
      for (GList *l = members; l; l = l->next)
        {
          JsonNode *v = json_object_get_member (json_node_get_object (n), l->data);
          if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING)
            {
              g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                           "Field mapping: fields.%s must be a string", (char *) l->data);
              return NULL;
            }
          if (find_role (role) != NULL && zones_role_find_field (role, l->data) == NULL)
            {
              g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                           "Field mapping: role %s has no field “%s”", role, (char *) l->data);
              return NULL;
            }
          zones_mapping_set_field (m, l->data, json_node_get_string (v));
        }
    }
  if (json_object_has_member (obj, "values"))
    {
      JsonNode *n = json_object_get_member (obj, "values");
      g_autoptr(GList) members = NULL;
      if (!JSON_NODE_HOLDS_OBJECT (n))
        {
          g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                               "Field mapping: “values” must be an object");
          return NULL;
        }
      members = json_object_get_members (json_node_get_object (n));
      for (GList *l = members; l; l = l->next)
        {
          JsonNode *t = json_object_get_member (json_node_get_object (n), l->data);
          g_autoptr(GList) vs = NULL;
          if (!JSON_NODE_HOLDS_OBJECT (t))
            {
              g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                           "Field mapping: values.%s must be an object", (char *) l->data);
              return NULL;
            }
          vs = json_object_get_members (json_node_get_object (t));
          for (GList *v = vs; v; v = v->next)
            {
              JsonNode *x = json_object_get_member (json_node_get_object (t), v->data);
              if (!JSON_NODE_HOLDS_VALUE (x) || json_node_get_value_type (x) != G_TYPE_STRING)
                {
                  g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                               "Field mapping: values.%s.%s must be a string",
                               (char *) l->data, (char *) v->data);
                  return NULL;
                }
              {
                const ZonesFieldSpec *fs = zones_role_find_field (role, l->data);
                if (find_role (role) != NULL &&
                    (fs == NULL || fs->vocabulary == NULL ||
                     !g_strv_contains (fs->vocabulary, json_node_get_string (x))))
                  {
                    g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                                 "Field mapping: values.%s.%s: “%s” is not a value Placer knows "
                                 "for %s", (char *) l->data, (char *) v->data,
                                 json_node_get_string (x), (char *) l->data);
                    return NULL;
                  }
              }
              zones_mapping_set_value (m, l->data, v->data, json_node_get_string (x));
            }
        }
    }
  if (json_object_has_member (obj, "unmapped"))
    {
      JsonNode *n = json_object_get_member (obj, "unmapped");
      if (JSON_NODE_HOLDS_OBJECT (n))
        {
          g_autoptr(GList) members = json_object_get_members (json_node_get_object (n));
          for (GList *l = members; l; l = l->next)
            {
              JsonNode *a = json_object_get_member (json_node_get_object (n), l->data);
              if (!JSON_NODE_HOLDS_ARRAY (a))
                continue;
              for (guint k = 0; k < json_array_get_length (json_node_get_array (a)); k++)
                {
                  const char *s = json_array_get_string_element (json_node_get_array (a), k);
                  if (s != NULL)
                    add_unmapped (m, l->data, s);
                }
            }
        }
    }
  return g_steal_pointer (&m);
}

/**
 * zones_mapping_apply_override:
 * @spec: "status=statut" (Placer field from source field) or "status:Actif=active"
 *   (a value translation)
 *
 * Returns: %TRUE if @spec was understood and names fields and values that exist
 */
gboolean
zones_mapping_apply_override (ZonesMapping *m, const char *spec, const GisLayerInfo *info,
                              GError **error)
{
  const char *eq;
  const char *colon;
  g_autofree char *left = NULL;
  const char *right;
  const ZonesFieldSpec *fs;

  g_return_val_if_fail (m != NULL && spec != NULL, FALSE);

  eq = strrchr (spec, '=');
  if (eq == NULL || eq == spec || eq[1] == '\0')
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                   "Mapping “%s” must be FIELD=SOURCE_FIELD or FIELD:SOURCE_VALUE=VALUE", spec);
      return FALSE;
    }
  left = g_strndup (spec, eq - spec);
  right = eq + 1;
  colon = strchr (left, ':');
  if (colon == NULL)
    {
      fs = zones_role_find_field (m->role, left);
      if (fs == NULL)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                       "Mapping “%s”: role %s has no field “%s”", spec, m->role, left);
          return FALSE;
        }
      if (info != NULL && gis_layer_info_find_field (info, right) < 0)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                       "Mapping “%s”: layer “%s” has no field “%s”", spec, info->name, right);
          return FALSE;
        }
      zones_mapping_set_field (m, left, right);
      return TRUE;
    }
  else
    {
      g_autofree char *field = g_strndup (left, colon - left);
      const char *source_value = colon + 1;

      fs = zones_role_find_field (m->role, field);
      if (fs == NULL || fs->vocabulary == NULL)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                       "Mapping “%s”: “%s” is not a coded field of role %s", spec, field,
                       m->role);
          return FALSE;
        }
      if (!g_strv_contains (fs->vocabulary, right))
        {
          g_autofree char *allowed = g_strjoinv (", ", (char **) fs->vocabulary);
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                       "Mapping “%s”: “%s” is not a value of %s (one of: %s)", spec, right,
                       field, allowed);
          return FALSE;
        }
      zones_mapping_set_value (m, field, source_value, right);
      return TRUE;
    }
}

/**
 * zones_mapping_check:
 *
 * Returns: %TRUE if every required field of the role is mapped to a field the layer has
 */
gboolean
zones_mapping_check (ZonesMapping *m, const GisLayerInfo *info, GError **error)
{
  const RoleDef *r;

  g_return_val_if_fail (m != NULL, FALSE);

  r = find_role (m->role);
  if (r == NULL)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING, "Unknown role “%s”", m->role);
      return FALSE;
    }
  for (guint i = 0; r->fields[i].spec.name != NULL; i++)
    {
      const char *src = zones_mapping_get_field (m, r->fields[i].spec.name);
      if (src == NULL && r->fields[i].spec.required)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                       "Layer “%s” (role %s): no field is mapped to “%s” (%s); give "
                       "--map %s=SOURCE_FIELD",
                       info ? info->name : "?", m->role, r->fields[i].spec.name,
                       r->fields[i].spec.label, r->fields[i].spec.name);
          return FALSE;
        }
      if (src != NULL && info != NULL && gis_layer_info_find_field (info, src) < 0)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                       "Layer “%s”: mapped field “%s” (for %s) does not exist", info->name, src,
                       r->fields[i].spec.name);
          return FALSE;
        }
    }
  return TRUE;
}
