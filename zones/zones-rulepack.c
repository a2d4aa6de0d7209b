/* zones-rulepack.c: country rule packs
 *
 * A rule pack is a small INI-like text file (docs/rule-packs.md): `[section]` headers,
 * `key = value` lines, `#` comments. Outside [pack], every value carries its provenance after
 * `|` separators: `max_area_ha = 25 | source = https://… | verified = no | note = …`.
 *
 * The schema is fixed and checked on load: an unknown section or key, a value of the wrong
 * type or a value without source and verification mark is refused with the file, the line,
 * the section and the key. The reason is that a rule pack feeds legal findings ("this zone
 * is larger than the law allows"); a typo that silently drops a limit would be worse than a
 * pack that does not load.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-rulepack"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "zones-error.h"
#include "zones-rulepack.h"
#include "zones-schema.h"

/* Rule packs are a few kilobytes; anything much larger is the wrong file. */
#define MAX_PACK_BYTES (1024 * 1024)

/* ---------------------------------------------------------------------------------------- */
/* The schema */

/* Range checks on top of the type. */
typedef enum {
  CHECK_NONE,
  CHECK_FRACTION,   /* 0–1 */
  CHECK_PERCENT,    /* 0–100 */
  CHECK_COUNT,      /* a whole number >= 1 */
  CHECK_POSITIVE,   /* > 0 */
  CHECK_ARCSEC,     /* > 0 and <= 3600 (one degree) */
  CHECK_YEARS,      /* > 0 and <= 200 */
  CHECK_SHAPE,      /* any, rectangle, cells */
  CHECK_COUNTRY,    /* ISO 3166-1 alpha-3 or generic */
} Check;

typedef struct {
  const char        *key;
  ZonesRulePackType  type;
  Check              check;
  gboolean           required;   /* must be present and set */
} KeySpec;

typedef struct {
  const char    *name;
  gboolean       named;          /* [name.NAME], any number of them */
  gboolean       provenance;     /* values carry source and verified */
  const KeySpec *keys;
} SectionSpec;

static const KeySpec pack_keys[] = {
  { "country", ZONES_RULEPACK_TEXT, CHECK_COUNTRY, TRUE },
  { "name", ZONES_RULEPACK_TEXT, CHECK_NONE, TRUE },
  { "law", ZONES_RULEPACK_TEXT, CHECK_NONE, TRUE },
  { "updated", ZONES_RULEPACK_DATE, CHECK_NONE, TRUE },
  { NULL }
};

static const KeySpec zone_keys[] = {
  { "min_area_ha", ZONES_RULEPACK_NUMBER, CHECK_NONE, FALSE },
  { "max_area_ha", ZONES_RULEPACK_NUMBER, CHECK_NONE, FALSE },
  { "max_depth_m", ZONES_RULEPACK_NUMBER, CHECK_NONE, FALSE },
  { "shape", ZONES_RULEPACK_TEXT, CHECK_SHAPE, FALSE },
  { "grid_arcsec", ZONES_RULEPACK_NUMBER, CHECK_ARCSEC, FALSE },
  { "cell_area_ha", ZONES_RULEPACK_NUMBER, CHECK_POSITIVE, FALSE },
  { "grid_required", ZONES_RULEPACK_BOOLEAN, CHECK_NONE, FALSE },
  { "max_cells", ZONES_RULEPACK_NUMBER, CHECK_COUNT, FALSE },
  { "min_distance_industrial_m", ZONES_RULEPACK_NUMBER, CHECK_NONE, FALSE },
  { "min_deposit_share", ZONES_RULEPACK_NUMBER, CHECK_FRACTION, FALSE },
  { "max_water_share", ZONES_RULEPACK_NUMBER, CHECK_FRACTION, FALSE },
  { NULL }
};

static const KeySpec buffer_keys[] = {
  { "distance_m", ZONES_RULEPACK_NUMBER, CHECK_NONE, TRUE },
  { "applies_to", ZONES_RULEPACK_LIST, CHECK_NONE, TRUE },
  { NULL }
};

static const KeySpec licence_keys[] = {
  { "title", ZONES_RULEPACK_TEXT, CHECK_NONE, TRUE },
  { "holder", ZONES_RULEPACK_TEXT, CHECK_NONE, FALSE },
  { "max_area_ha", ZONES_RULEPACK_NUMBER, CHECK_NONE, FALSE },
  { "max_cells", ZONES_RULEPACK_NUMBER, CHECK_COUNT, FALSE },
  { "duration_years", ZONES_RULEPACK_NUMBER, CHECK_YEARS, FALSE },
  { "renewable", ZONES_RULEPACK_TEXT, CHECK_NONE, FALSE },
  { "max_depth_m", ZONES_RULEPACK_NUMBER, CHECK_NONE, FALSE },
  { "fee", ZONES_RULEPACK_TEXT, CHECK_NONE, FALSE },
  { "mechanisation", ZONES_RULEPACK_TEXT, CHECK_NONE, FALSE },
  { NULL }
};

static const KeySpec fiscal_keys[] = {
  { "royalty_gold_pct", ZONES_RULEPACK_NUMBER, CHECK_PERCENT, FALSE },
  { "royalty_3t_pct", ZONES_RULEPACK_NUMBER, CHECK_PERCENT, FALSE },
  { "royalty_other_pct", ZONES_RULEPACK_NUMBER, CHECK_PERCENT, FALSE },
  { "export_tax", ZONES_RULEPACK_TEXT, CHECK_NONE, FALSE },
  { NULL }
};

static const KeySpec market_keys[] = {
  { "price", ZONES_RULEPACK_TEXT, CHECK_NONE, FALSE },
  { "supply_chain", ZONES_RULEPACK_TEXT, CHECK_NONE, FALSE },
  { NULL }
};

static const KeySpec sanctions_keys[] = {
  { "illegal_mining", ZONES_RULEPACK_TEXT, CHECK_NONE, FALSE },
  { "mercury", ZONES_RULEPACK_TEXT, CHECK_NONE, FALSE },
  { NULL }
};

static const SectionSpec sections[] = {
  { "pack", FALSE, FALSE, pack_keys },
  { "zone", FALSE, TRUE, zone_keys },
  { "buffer", TRUE, TRUE, buffer_keys },
  { "licence", TRUE, TRUE, licence_keys },
  { "fiscal", FALSE, TRUE, fiscal_keys },
  { "market", FALSE, TRUE, market_keys },
  { "sanctions", FALSE, TRUE, sanctions_keys },
};

static const char known_sections[] =
  "[pack], [zone], [buffer.NAME], [licence.NAME], [fiscal], [market], [sanctions]";

static const char *const shapes[] = { "any", "rectangle", "cells", NULL };

static const KeySpec *
find_key (const SectionSpec *s, const char *key)
{
  for (const KeySpec *k = s->keys; k->key != NULL; k++)
    if (g_str_equal (k->key, key))
      return k;
  return NULL;
}

/* Names of [buffer.NAME] and [licence.NAME], and keys: lower-case ASCII, digits, '_'. They
 * end up as identifiers in reports and tables, so they stay plain. */
static gboolean
is_identifier (const char *s)
{
  if (*s == '\0' || strlen (s) > 64)
    return FALSE;
  for (; *s; s++)
    if (!(g_ascii_islower (*s) || g_ascii_isdigit (*s) || *s == '_'))
      return FALSE;
  return TRUE;
}

/* Finds the spec of "zone" or "licence.pml"; NULL for unknown sections, for a named section
 * without its name (or with a bad one), and for a plain section given a name. */
static const SectionSpec *
find_section (const char *section)
{
  const char *dot = strchr (section, '.');
  gsize len = dot ? (gsize) (dot - section) : strlen (section);

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    if (strlen (sections[i].name) == len && strncmp (sections[i].name, section, len) == 0)
      {
        if (sections[i].named != (dot != NULL) || (dot && !is_identifier (dot + 1)))
          return NULL;
        return &sections[i];
      }
  return NULL;
}

static char *
known_keys (const SectionSpec *s)
{
  GString *out = g_string_new (NULL);
  for (const KeySpec *k = s->keys; k->key != NULL; k++)
    g_string_append_printf (out, "%s%s", out->len ? ", " : "", k->key);
  return g_string_free (out, FALSE);
}

/**
 * zones_rulepack_key_is_known:
 * @section: a section, e.g. `zone` or `licence.pml`
 * @key: a key, e.g. `max_area_ha`
 *
 * Returns: whether the schema has @key in @section
 */
gboolean
zones_rulepack_key_is_known (const char *section, const char *key)
{
  const SectionSpec *s;

  g_return_val_if_fail (section != NULL && key != NULL, FALSE);
  s = find_section (section);
  return s != NULL && find_key (s, key) != NULL;
}

/**
 * zones_rulepack_key_type:
 * @section: a section, e.g. `zone` or `licence.pml`
 * @key: a key of the schema in that section
 *
 * Returns: the type of @key's values
 */
ZonesRulePackType
zones_rulepack_key_type (const char *section, const char *key)
{
  const SectionSpec *s;
  const KeySpec *k;

  g_return_val_if_fail (section != NULL && key != NULL, ZONES_RULEPACK_TEXT);
  s = find_section (section);
  k = s ? find_key (s, key) : NULL;
  g_return_val_if_fail (k != NULL, ZONES_RULEPACK_TEXT);
  return k->type;
}

/* ---------------------------------------------------------------------------------------- */
/* The pack */

typedef struct {
  ZonesRulePackRow  row;      /* the public view; its pointers lead into the members below */
  ZonesProvenance   prov;
  /* Owned */
  char             *section;
  char             *key;
  char             *value;
  char             *source;
  char             *note;
  char            **list;
  /* Typed value, valid when row.is_set */
  double            number;
  gboolean          boolean;
  GDate             date;
  /* Borrowed */
  const KeySpec    *spec;
  const SectionSpec *section_spec;
} Entry;

struct _ZonesRulePack {
  /* Owned */
  char       *label;
  GPtrArray  *entries;    /* Entry, in file order */
  GHashTable *index;      /* "section\nkey" → Entry (borrowed) */
  GPtrArray  *licences;   /* names, NULL-terminated */
  GPtrArray  *buffers;    /* names, NULL-terminated */
  /* Borrowed from entries */
  const char *country;
  const char *name;
  const char *law;
  GDate       updated;
};

static void
entry_free (Entry *e)
{
  g_free (e->section);
  g_free (e->key);
  g_free (e->value);
  g_free (e->source);
  g_free (e->note);
  g_strfreev (e->list);
  g_free (e);
}

/**
 * zones_rulepack_free:
 * @pack: (nullable): a rule pack
 *
 * Frees @pack and everything it handed out (provenance, rows' strings, name lists).
 */
void
zones_rulepack_free (ZonesRulePack *pack)
{
  if (pack == NULL)
    return;
  g_free (pack->label);
  g_clear_pointer (&pack->index, g_hash_table_unref);
  g_clear_pointer (&pack->entries, g_ptr_array_unref);
  g_clear_pointer (&pack->licences, g_ptr_array_unref);
  g_clear_pointer (&pack->buffers, g_ptr_array_unref);
  g_free (pack);
}

static ZonesRulePack *
pack_new (const char *label)
{
  ZonesRulePack *pack = g_new0 (ZonesRulePack, 1);

  pack->label = g_strdup (label);
  pack->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  pack->index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  pack->licences = g_ptr_array_new_with_free_func (g_free);
  pack->buffers = g_ptr_array_new_with_free_func (g_free);
  g_date_clear (&pack->updated, 1);
  return pack;
}

static Entry *
lookup (ZonesRulePack *pack, const char *section, const char *key)
{
  g_autofree char *k = g_strconcat (section, "\n", key, NULL);
  return g_hash_table_lookup (pack->index, k);
}

/* ---------------------------------------------------------------------------------------- */
/* Parsing */

typedef struct {
  char              *name;     /* "zone", "licence.pml" */
  const SectionSpec *spec;
  guint              line;
} Section;

static void
section_free (Section *s)
{
  g_free (s->name);
  g_free (s);
}

typedef struct {
  ZonesRulePack *pack;
  const char    *label;
  GPtrArray     *sections;   /* Section, in file order */
  Section       *current;    /* borrowed from sections */
} Parser;

static gboolean fail (GError **error, const char *label, guint line, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

/* Sets a ZONES_ERROR_RULES error "LABEL:LINE: …" and returns FALSE, so that parsers can
 * write `return fail (…)`. */
static gboolean
fail (GError **error, const char *label, guint line, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES, "%s:%u: %s", label, line, msg);
  return FALSE;
}

static guint
line_of_offset (const char *data, gsize offset)
{
  guint line = 1;
  for (gsize i = 0; i < offset; i++)
    if (data[i] == '\n')
      line++;
  return line;
}

/* Numbers are written the C way whatever the locale ("2.5", never "2,5"), so a pack written
 * on a French desktop reads the same everywhere. Only digits, signs, a point and an
 * exponent are accepted: g_ascii_strtod alone would also take "nan", "inf" and hex. A value
 * that overflows ("1e999") is refused rather than read as infinity. */
static gboolean
parse_number (const char *text, double *out, const char **why)
{
  char *end = NULL;
  double v;

  if (!g_ascii_isdigit (text[0]) && !((text[0] == '-' || text[0] == '+' || text[0] == '.') &&
                                      (g_ascii_isdigit (text[1]) || text[1] == '.')))
    {
      *why = "is not a number";
      return FALSE;
    }
  for (const char *p = text; *p; p++)
    if (!(g_ascii_isdigit (*p) || *p == '.' || *p == 'e' || *p == 'E' || *p == '-' || *p == '+'))
      {
        *why = "is not a number";
        return FALSE;
      }
  errno = 0;
  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0')
    {
      *why = "is not a number";
      return FALSE;
    }
  if (errno == ERANGE || !isfinite (v))
    {
      *why = "is out of range";
      return FALSE;
    }
  if (v < 0)
    {
      *why = "is negative";
      return FALSE;
    }
  *out = v == 0 ? 0 : v;   /* no "-0" in tables */
  return TRUE;
}

static gboolean
check_number (Check check, double v, const char **why)
{
  switch (check)
    {
    case CHECK_FRACTION:
      *why = "must be a share from 0 to 1";
      return v <= 1;
    case CHECK_PERCENT:
      *why = "must be a percentage from 0 to 100";
      return v <= 100;
    case CHECK_COUNT:
      *why = "must be a whole number of at least 1";
      return v >= 1 && v <= 1e9 && floor (v) == v;
    case CHECK_POSITIVE:
      *why = "must be more than 0";
      return v > 0;
    case CHECK_ARCSEC:
      *why = "must be more than 0 and at most 3600 arc seconds";
      return v > 0 && v <= 3600;
    case CHECK_YEARS:
      *why = "must be more than 0 and at most 200 years";
      return v > 0 && v <= 200;
    case CHECK_NONE:
    case CHECK_SHAPE:
    case CHECK_COUNTRY:
    default:
      return TRUE;
    }
}

/* Strictly YYYY-MM-DD: a pack's dates are written by people for people in several
 * countries, and 03/04/2024 means two different days. */
static gboolean
parse_date (const char *text, GDate *out)
{
  guint y, m, d;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  y = (guint) g_ascii_strtoull (text, NULL, 10);
  m = (guint) g_ascii_strtoull (text + 5, NULL, 10);
  d = (guint) g_ascii_strtoull (text + 8, NULL, 10);
  if (y < 1 || m < 1 || m > 12 || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  g_date_clear (out, 1);
  g_date_set_dmy (out, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  return TRUE;
}

static gboolean
is_country_code (const char *text)
{
  if (g_str_equal (text, "generic"))
    return TRUE;
  return strlen (text) == 3 && g_ascii_isupper (text[0]) && g_ascii_isupper (text[1]) &&
         g_ascii_isupper (text[2]);
}

/* Types and checks the value of @e; @e->value is set and non-empty. */
static gboolean
parse_value (Parser *p, Entry *e, guint line, GError **error)
{
  const char *why = NULL;
  const char *v = e->value;

  g_assert (p != NULL && e != NULL && e->spec != NULL);
  g_assert (*v != '\0');

  switch (e->spec->type)
    {
    case ZONES_RULEPACK_NUMBER:
      if (!parse_number (v, &e->number, &why) || !check_number (e->spec->check, e->number, &why))
        return fail (error, p->label, line, "[%s] %s: “%s” %s", e->section, e->key, v, why);
      return TRUE;

    case ZONES_RULEPACK_BOOLEAN:
      if (g_str_equal (v, "yes"))
        e->boolean = TRUE;
      else if (g_str_equal (v, "no"))
        e->boolean = FALSE;
      else
        return fail (error, p->label, line, "[%s] %s: “%s” is not yes or no", e->section,
                     e->key, v);
      return TRUE;

    case ZONES_RULEPACK_DATE:
      if (!parse_date (v, &e->date))
        return fail (error, p->label, line, "[%s] %s: “%s” is not a date (YYYY-MM-DD)",
                     e->section, e->key, v);
      return TRUE;

    case ZONES_RULEPACK_LIST:
      {
        const ZonesFieldSpec *classes = zones_role_find_field ("landuse", "class");
        g_auto(GStrv) items = g_strsplit (v, ",", -1);
        g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

        for (guint i = 0; items[i] != NULL; i++)
          {
            const char *item = g_strstrip (items[i]);
            if (!g_strv_contains (classes->vocabulary, item))
              {
                g_autofree char *known = g_strjoinv (", ", (char **) classes->vocabulary);
                return fail (error, p->label, line,
                             "[%s] %s: “%s” is not a land-use class (one of: %s)", e->section,
                             e->key, item, known);
              }
            for (guint j = 0; j < out->len; j++)
              if (g_str_equal (g_ptr_array_index (out, j), item))
                return fail (error, p->label, line, "[%s] %s: “%s” is listed twice", e->section,
                             e->key, item);
            g_ptr_array_add (out, g_strdup (item));
          }
        g_ptr_array_add (out, NULL);
        e->list = (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
        return TRUE;
      }

    case ZONES_RULEPACK_TEXT:
    default:
      if (e->spec->check == CHECK_SHAPE && !g_strv_contains (shapes, v))
        return fail (error, p->label, line, "[%s] %s: “%s” is not a shape (any, rectangle or "
                     "cells)", e->section, e->key, v);
      if (e->spec->check == CHECK_COUNTRY && !is_country_code (v))
        return fail (error, p->label, line, "[%s] %s: “%s” is not an ISO 3166-1 alpha-3 code "
                     "(three capital letters) or generic", e->section, e->key, v);
      return TRUE;
    }
}

static gboolean
parse_header (Parser *p, char *line, guint lineno, GError **error)
{
  char *close = strchr (line, ']');
  g_autofree char *name = NULL;
  const SectionSpec *spec;
  Section *s;

  g_assert (p != NULL && line != NULL && line[0] == '[');

  if (close == NULL)
    return fail (error, p->label, lineno, "unterminated section header “%s” (expected "
                 "[name])", line);
  if (close[1] != '\0')
    return fail (error, p->label, lineno, "text after the section header: “%s”", close + 1);
  name = g_strndup (line + 1, close - line - 1);
  g_strstrip (name);
  if (*name == '\0')
    return fail (error, p->label, lineno, "empty section header []");
  spec = find_section (name);
  if (spec == NULL)
    {
      const char *dot = strchr (name, '.');
      gsize len = dot ? (gsize) (dot - name) : strlen (name);

      /* Explain the near misses people make, then the plain unknown case. */
      for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
        if (strlen (sections[i].name) == len && strncmp (sections[i].name, name, len) == 0)
          {
            if (sections[i].named && dot == NULL)
              return fail (error, p->label, lineno, "[%s] needs a name: [%s.NAME]", name, name);
            if (!sections[i].named)
              return fail (error, p->label, lineno, "[%s] takes no name: write [%s]", name,
                           sections[i].name);
            return fail (error, p->label, lineno, "[%s]: the name after the dot must be "
                         "lower-case letters, digits or _", name);
          }
      return fail (error, p->label, lineno, "unknown section [%s]%s (known: %s)", name,
                   g_str_has_prefix (name, "license") ? " (the section is spelt licence)" : "",
                   known_sections);
    }
  for (guint i = 0; i < p->sections->len; i++)
    {
      Section *other = g_ptr_array_index (p->sections, i);
      if (g_str_equal (other->name, name))
        return fail (error, p->label, lineno, "section [%s] appears twice (first at line %u)",
                     name, other->line);
    }
  s = g_new0 (Section, 1);
  s->name = g_steal_pointer (&name);
  s->spec = spec;
  s->line = lineno;
  g_ptr_array_add (p->sections, s);
  p->current = s;
  if (spec->named)
    g_ptr_array_add (g_str_equal (spec->name, "buffer") ? p->pack->buffers : p->pack->licences,
                     g_strdup (strchr (s->name, '.') + 1));
  return TRUE;
}

/* Reads "source = …", "verified = …" and "note = …" after the value. */
static gboolean
parse_attributes (Parser *p, Entry *e, char **parts, guint lineno, GError **error)
{
  gboolean have_verified = FALSE;

  g_assert (p != NULL && e != NULL && parts != NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *eq = strchr (parts[i], '=');
      char *name, *text;

      if (eq == NULL)
        return fail (error, p->label, lineno, "[%s] %s: “%s” after | is not name = text "
                     "(source, verified or note)", e->section, e->key, g_strstrip (parts[i]));
      *eq = '\0';
      name = g_strstrip (parts[i]);
      text = g_strstrip (eq + 1);
      if (g_str_equal (name, "source"))
        {
          if (e->source != NULL)
            return fail (error, p->label, lineno, "[%s] %s: source given twice", e->section,
                         e->key);
          if (*text == '\0')
            return fail (error, p->label, lineno, "[%s] %s: source is empty (a URL, a legal "
                         "reference, assumption, or why the value is empty)", e->section, e->key);
          e->source = g_strdup (text);
        }
      else if (g_str_equal (name, "verified"))
        {
          if (have_verified)
            return fail (error, p->label, lineno, "[%s] %s: verified given twice", e->section,
                         e->key);
          if (g_str_equal (text, "yes"))
            e->prov.verified = TRUE;
          else if (g_str_equal (text, "no"))
            e->prov.verified = FALSE;
          else
            return fail (error, p->label, lineno, "[%s] %s: verified = “%s” is not yes or no",
                         e->section, e->key, text);
          have_verified = TRUE;
        }
      else if (g_str_equal (name, "note"))
        {
          if (e->note != NULL)
            return fail (error, p->label, lineno, "[%s] %s: note given twice", e->section,
                         e->key);
          e->note = *text ? g_strdup (text) : NULL;
        }
      else
        return fail (error, p->label, lineno, "[%s] %s: unknown attribute “%s” (source, "
                     "verified or note)", e->section, e->key, name);
    }
  if (e->source == NULL)
    return fail (error, p->label, lineno, "[%s] %s: no source (every value outside [pack] "
                 "says where it comes from: | source = URL, legal reference or assumption)",
                 e->section, e->key);
  if (!have_verified)
    return fail (error, p->label, lineno, "[%s] %s: no verified mark (every value outside "
                 "[pack] says | verified = yes or no)", e->section, e->key);
  /* A planning assumption is Placer's choice, not a fact that can be checked in a source. */
  if (e->prov.verified && g_ascii_strcasecmp (e->source, "assumption") == 0)
    return fail (error, p->label, lineno, "[%s] %s: an assumption cannot be verified = yes",
                 e->section, e->key);
  if (*e->value != '\0' && g_ascii_strcasecmp (e->source, "none found") == 0)
    return fail (error, p->label, lineno, "[%s] %s: “%s” has source = none found; give the "
                 "source or leave the value empty", e->section, e->key, e->value);
  return TRUE;
}

static gboolean
parse_key_line (Parser *p, char *line, guint lineno, GError **error)
{
  char *eq = strchr (line, '=');
  g_auto(GStrv) parts = NULL;
  char **attributes;
  g_autofree char *key = NULL;
  g_autofree char *index_key = NULL;
  const KeySpec *spec;
  Entry *e;

  g_assert (p != NULL && line != NULL);

  if (eq == NULL)
    {
      if (p->current == NULL)
        return fail (error, p->label, lineno, "“%s” before any [section]", line);
      return fail (error, p->label, lineno, "[%s]: “%s” is not key = value", p->current->name,
                   line);
    }
  key = g_strndup (line, eq - line);
  g_strstrip (key);
  if (p->current == NULL)
    return fail (error, p->label, lineno, "key %s before any [section]", key);
  if (!is_identifier (key))
    return fail (error, p->label, lineno, "[%s]: “%s” is not a key name (lower-case letters, "
                 "digits and _)", p->current->name, key);
  spec = find_key (p->current->spec, key);
  if (spec == NULL)
    {
      g_autofree char *known = known_keys (p->current->spec);
      return fail (error, p->label, lineno, "[%s] %s: unknown key (known: %s)",
                   p->current->name, key, known);
    }
  index_key = g_strconcat (p->current->name, "\n", key, NULL);
  e = g_hash_table_lookup (p->pack->index, index_key);
  if (e != NULL)
    return fail (error, p->label, lineno, "[%s] %s: duplicate key (first at line %u)",
                 p->current->name, key, e->prov.line);

  /* g_strsplit gives no pieces at all for an empty string: "key =" has no parts[0]. */
  parts = g_strsplit (eq + 1, "|", -1);
  attributes = parts[0] != NULL ? parts + 1 : parts;
  e = g_new0 (Entry, 1);
  e->section = g_strdup (p->current->name);
  e->key = g_steal_pointer (&key);
  e->value = g_strdup (parts[0] != NULL ? g_strstrip (parts[0]) : "");
  e->spec = spec;
  e->section_spec = p->current->spec;
  e->prov.line = lineno;
  g_date_clear (&e->date, 1);
  /* Owned by the pack from here, so every early return below frees it. */
  g_ptr_array_add (p->pack->entries, e);
  g_hash_table_insert (p->pack->index, g_steal_pointer (&index_key), e);

  if (!p->current->spec->provenance)
    {
      if (*attributes != NULL)
        return fail (error, p->label, lineno, "[%s] %s: [pack] values take no | source or "
                     "verified (they describe the pack itself)", e->section, e->key);
      if (*e->value == '\0')
        return fail (error, p->label, lineno, "[%s] %s: empty value", e->section, e->key);
    }
  else if (!parse_attributes (p, e, attributes, lineno, error))
    return FALSE;

  e->prov.source = e->source;
  e->prov.note = e->note;
  e->row.section = e->section;
  e->row.key = e->key;
  e->row.value = e->value;
  e->row.type = spec->type;
  e->row.provenance = &e->prov;
  e->row.is_set = *e->value != '\0';
  if (e->row.is_set && !parse_value (p, e, lineno, error))
    return FALSE;
  return TRUE;
}

/* Checks that span several keys, once the whole file is read. */
static gboolean
check_pack (Parser *p, GError **error)
{
  ZonesRulePack *pack = p->pack;
  Entry *min, *max, *req, *shape, *grid;
  Section *first_pack = NULL;

  g_assert (p != NULL && p->pack != NULL);

  for (guint i = 0; i < p->sections->len; i++)
    {
      Section *s = g_ptr_array_index (p->sections, i);

      if (g_str_equal (s->name, "pack"))
        first_pack = s;
      for (const KeySpec *k = s->spec->keys; k->key != NULL; k++)
        {
          Entry *e = lookup (pack, s->name, k->key);
          if (k->required && (e == NULL || !e->row.is_set))
            return fail (error, p->label, e ? e->prov.line : s->line,
                         "[%s] %s: missing (every [%s%s] needs %s)", s->name, k->key,
                         s->spec->name, s->spec->named ? ".NAME" : "", k->key);
        }
    }
  if (first_pack == NULL)
    {
      if (p->sections->len == 0)
        return fail (error, p->label, 1, "empty rule pack (it starts with a "
                     "[pack] section: country, name, law, updated)");
      return fail (error, p->label, 1, "no [pack] section (country, name, law, updated)");
    }

  min = lookup (pack, "zone", "min_area_ha");
  max = lookup (pack, "zone", "max_area_ha");
  if (min && max && min->row.is_set && max->row.is_set && min->number > max->number)
    return fail (error, p->label, MAX (min->prov.line, max->prov.line),
                 "[zone] min_area_ha: %s ha is more than max_area_ha %s ha", min->value,
                 max->value);
  /* Whole-cell rules need the cell size: without it the check could not be made, and a zone
   * would pass a rule nobody tested. */
  grid = lookup (pack, "zone", "grid_arcsec");
  req = lookup (pack, "zone", "grid_required");
  if (req && req->row.is_set && req->boolean && !(grid && grid->row.is_set))
    return fail (error, p->label, req->prov.line, "[zone] grid_required: “yes” needs "
                 "grid_arcsec in [zone]");
  shape = lookup (pack, "zone", "shape");
  if (shape && shape->row.is_set && g_str_equal (shape->value, "cells") &&
      !(grid && grid->row.is_set))
    return fail (error, p->label, shape->prov.line, "[zone] shape: “cells” needs grid_arcsec "
                 "in [zone]");

  pack->country = lookup (pack, "pack", "country")->value;
  pack->name = lookup (pack, "pack", "name")->value;
  pack->law = lookup (pack, "pack", "law")->value;
  pack->updated = lookup (pack, "pack", "updated")->date;
  return TRUE;
}

/**
 * zones_rulepack_new_from_data:
 * @data: the text of a rule pack
 * @length: the length of @data in bytes, or -1 if it is NUL-terminated
 * @label: what to call the text in messages (usually the file name)
 * @error: return location for a #ZONES_ERROR_RULES error
 *
 * Parses and checks a rule pack. Errors read `LABEL:LINE: [section] key: …`.
 *
 * Returns: (transfer full) (nullable): the pack, or %NULL with @error set
 */
ZonesRulePack *
zones_rulepack_new_from_data (const char *data, gssize length, const char *label,
                              GError **error)
{
  g_autoptr(ZonesRulePack) pack = NULL;
  g_autoptr(GPtrArray) secs = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  const char *end = NULL;
  const char *nul;
  const char *start;
  gsize len;
  Parser p = { 0 };

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (label != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = length < 0 ? strlen (data) : (gsize) length;
  if (len > MAX_PACK_BYTES)
    {
      fail (error, label, 1, "larger than %u bytes: not a rule pack", MAX_PACK_BYTES);
      return NULL;
    }
  /* A NUL would end the text early and hide the rest of the file from the checks. */
  nul = len ? memchr (data, '\0', len) : NULL;
  if (nul != NULL)
    {
      fail (error, label, line_of_offset (data, nul - data), "a NUL byte: not a text file");
      return NULL;
    }
  if (len && !g_utf8_validate_len (data, len, &end))
    {
      fail (error, label, line_of_offset (data, end - data), "not UTF-8 text (save the file "
            "as UTF-8)");
      return NULL;
    }

  /* Windows editors write a byte-order mark and CRLF line ends; both are harmless. */
  start = data ? data : "";
  if (len >= 3 && memcmp (start, "\xEF\xBB\xBF", 3) == 0)
    {
      start += 3;
      len -= 3;
    }
  text = g_strndup (start, len);
  lines = g_strsplit (text, "\n", -1);

  pack = pack_new (label);
  secs = g_ptr_array_new_with_free_func ((GDestroyNotify) section_free);
  p.pack = pack;
  p.label = label;
  p.sections = secs;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      guint lineno = i + 1;

      if (*line == '\0' || *line == '#')
        continue;
      if (*line == '[')
        {
          if (!parse_header (&p, line, lineno, error))
            return NULL;
        }
      else if (!parse_key_line (&p, line, lineno, error))
        return NULL;
    }
  if (!check_pack (&p, error))
    return NULL;
  g_ptr_array_add (pack->licences, NULL);
  g_ptr_array_add (pack->buffers, NULL);
  return g_steal_pointer (&pack);
}

/**
 * zones_rulepack_new_from_file:
 * @path: a `.placer-rules` file
 * @error: return location for a #GFileError or #ZONES_ERROR_RULES error
 *
 * Loads a rule pack; messages name @path and the line.
 *
 * Returns: (transfer full) (nullable): the pack, or %NULL with @error set
 */
ZonesRulePack *
zones_rulepack_new_from_file (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  return zones_rulepack_new_from_data (data, (gssize) len, path, error);
}

/**
 * zones_rulepack_find_for_country:
 * @iso3: an ISO 3166-1 alpha-3 code, e.g. `CIV` (case does not matter)
 * @dir: the folder holding the packs
 * @error: return location for an error
 *
 * Loads `<dir>/<ISO3>.placer-rules`, or `<dir>/generic.placer-rules` when the country has no
 * pack. A country pack that exists but does not load is an error, never a silent fall-back
 * to the generic pack: that would drop the country's legal limits without anyone noticing.
 *
 * Returns: (transfer full) (nullable): the pack, or %NULL with @error set
 */
ZonesRulePack *
zones_rulepack_find_for_country (const char *iso3, const char *dir, GError **error)
{
  g_autofree char *code = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ZonesRulePack) pack = NULL;
  gboolean generic;
  Entry *country;

  g_return_val_if_fail (iso3 != NULL && dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  code = g_ascii_strup (iso3, -1);
  if (strlen (code) != 3 || !g_ascii_isupper (code[0]) || !g_ascii_isupper (code[1]) ||
      !g_ascii_isupper (code[2]))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "“%s” is not an ISO 3166-1 alpha-3 "
                   "country code", iso3);
      return NULL;
    }
  file = g_strconcat (code, ".placer-rules", NULL);
  path = g_build_filename (dir, file, NULL);
  generic = !g_file_test (path, G_FILE_TEST_EXISTS);
  if (generic)
    {
      g_free (path);
      path = g_build_filename (dir, "generic.placer-rules", NULL);
    }
  pack = zones_rulepack_new_from_file (path, error);
  if (pack == NULL)
    return NULL;
  /* The file name picks the pack, the [pack] section says what it is: they must agree. */
  country = lookup (pack, "pack", "country");
  if (!g_str_equal (country->value, generic ? "generic" : code))
    {
      fail (error, path, country->prov.line, "[pack] country: “%s” does not match the file "
            "name (%s expected)", country->value, generic ? "generic" : code);
      return NULL;
    }
  return g_steal_pointer (&pack);
}

/* ---------------------------------------------------------------------------------------- */
/* Reading */

/**
 * zones_rulepack_get_label:
 * @pack: a rule pack
 *
 * Returns: the file name or label the pack was loaded from
 */
const char *
zones_rulepack_get_label (ZonesRulePack *pack)
{
  g_return_val_if_fail (pack != NULL, NULL);
  return pack->label;
}

/**
 * zones_rulepack_get_country:
 * @pack: a rule pack
 *
 * Returns: the ISO 3166-1 alpha-3 code, or `generic`
 */
const char *
zones_rulepack_get_country (ZonesRulePack *pack)
{
  g_return_val_if_fail (pack != NULL, NULL);
  return pack->country;
}

/**
 * zones_rulepack_is_generic:
 * @pack: a rule pack
 *
 * Returns: whether @pack is the generic pack of planning assumptions
 */
gboolean
zones_rulepack_is_generic (ZonesRulePack *pack)
{
  g_return_val_if_fail (pack != NULL, FALSE);
  return g_str_equal (pack->country, "generic");
}

/**
 * zones_rulepack_get_name:
 * @pack: a rule pack
 *
 * Returns: the pack's display name
 */
const char *
zones_rulepack_get_name (ZonesRulePack *pack)
{
  g_return_val_if_fail (pack != NULL, NULL);
  return pack->name;
}

/**
 * zones_rulepack_get_law:
 * @pack: a rule pack
 *
 * Returns: the main legal text the pack follows
 */
const char *
zones_rulepack_get_law (ZonesRulePack *pack)
{
  g_return_val_if_fail (pack != NULL, NULL);
  return pack->law;
}

/**
 * zones_rulepack_get_updated:
 * @pack: a rule pack
 * @date: (out caller-allocates): the date the pack was last checked
 */
void
zones_rulepack_get_updated (ZonesRulePack *pack, GDate *date)
{
  g_return_if_fail (pack != NULL && date != NULL);
  *date = pack->updated;
}

/* The entry behind a typed getter. Asking for a key the schema does not have, or with the
 * wrong type, is a programming error; asking for a key the pack leaves out is not. */
static gboolean
get_entry (ZonesRulePack *pack, const char *section, const char *key, ZonesRulePackType type,
           Entry **out, const ZonesProvenance **prov)
{
  const SectionSpec *s = find_section (section);
  const KeySpec *k = s ? find_key (s, key) : NULL;
  Entry *e;

  if (prov != NULL)
    *prov = NULL;
  g_return_val_if_fail (k != NULL, FALSE);
  g_return_val_if_fail (type == ZONES_RULEPACK_TEXT || k->type == type, FALSE);
  e = lookup (pack, section, key);
  if (prov != NULL)
    *prov = e && s->provenance ? &e->prov : NULL;
  *out = e;
  return e != NULL && e->row.is_set;
}

/**
 * zones_rulepack_has_key:
 * @pack: a rule pack
 * @section: a section, e.g. `zone` or `licence.pml`
 * @key: a key of the schema
 *
 * Returns: whether the pack writes @key at all (set, or empty with a reason)
 */
gboolean
zones_rulepack_has_key (ZonesRulePack *pack, const char *section, const char *key)
{
  g_return_val_if_fail (pack != NULL && section != NULL && key != NULL, FALSE);
  return lookup (pack, section, key) != NULL;
}

/**
 * zones_rulepack_get_number:
 * @pack: a rule pack
 * @section: a section, e.g. `zone` or `licence.pml`
 * @key: a number key of the schema, e.g. `max_area_ha`
 * @value: (out) (optional): the value; left unchanged when not set
 * @prov: (out) (optional) (nullable): its provenance, or %NULL when the pack does not write
 *   the key (an empty value has a provenance saying why it is empty)
 *
 * Returns: whether the value is set
 */
gboolean
zones_rulepack_get_number (ZonesRulePack *pack, const char *section, const char *key,
                           double *value, const ZonesProvenance **prov)
{
  Entry *e = NULL;

  g_return_val_if_fail (pack != NULL && section != NULL && key != NULL, FALSE);
  if (!get_entry (pack, section, key, ZONES_RULEPACK_NUMBER, &e, prov))
    return FALSE;
  if (value != NULL)
    *value = e->number;
  return TRUE;
}

/**
 * zones_rulepack_get_boolean:
 * @pack: a rule pack
 * @section: a section
 * @key: a yes/no key of the schema, e.g. `grid_required`
 * @value: (out) (optional): the value; left unchanged when not set
 * @prov: (out) (optional) (nullable): its provenance, as for zones_rulepack_get_number()
 *
 * Returns: whether the value is set
 */
gboolean
zones_rulepack_get_boolean (ZonesRulePack *pack, const char *section, const char *key,
                            gboolean *value, const ZonesProvenance **prov)
{
  Entry *e = NULL;

  g_return_val_if_fail (pack != NULL && section != NULL && key != NULL, FALSE);
  if (!get_entry (pack, section, key, ZONES_RULEPACK_BOOLEAN, &e, prov))
    return FALSE;
  if (value != NULL)
    *value = e->boolean;
  return TRUE;
}

/**
 * zones_rulepack_get_text:
 * @pack: a rule pack
 * @section: a section
 * @key: any key of the schema
 * @value: (out) (optional) (transfer none): the value as written; left unchanged when not
 *   set. Works for keys of every type, which is what display code wants.
 * @prov: (out) (optional) (nullable): its provenance, as for zones_rulepack_get_number();
 *   always %NULL in [pack], whose values describe the pack itself
 *
 * Returns: whether the value is set
 */
gboolean
zones_rulepack_get_text (ZonesRulePack *pack, const char *section, const char *key,
                         const char **value, const ZonesProvenance **prov)
{
  Entry *e = NULL;

  g_return_val_if_fail (pack != NULL && section != NULL && key != NULL, FALSE);
  if (!get_entry (pack, section, key, ZONES_RULEPACK_TEXT, &e, prov))
    return FALSE;
  if (value != NULL)
    *value = e->value;
  return TRUE;
}

/**
 * zones_rulepack_get_list:
 * @pack: a rule pack
 * @section: a section, e.g. `buffer.roads`
 * @key: a list key of the schema, e.g. `applies_to`
 * @value: (out) (optional) (transfer none) (array zero-terminated=1): the land-use classes;
 *   left unchanged when not set
 * @prov: (out) (optional) (nullable): its provenance, as for zones_rulepack_get_number()
 *
 * Returns: whether the value is set
 */
gboolean
zones_rulepack_get_list (ZonesRulePack *pack, const char *section, const char *key,
                         const char *const **value, const ZonesProvenance **prov)
{
  Entry *e = NULL;

  g_return_val_if_fail (pack != NULL && section != NULL && key != NULL, FALSE);
  if (!get_entry (pack, section, key, ZONES_RULEPACK_LIST, &e, prov))
    return FALSE;
  if (value != NULL)
    *value = (const char *const *) e->list;
  return TRUE;
}

/**
 * zones_rulepack_list_licences:
 * @pack: a rule pack
 *
 * Returns: (transfer none) (array zero-terminated=1): the NAMEs of the [licence.NAME]
 *   sections, in file order; read them with section `licence.NAME`
 */
const char *const *
zones_rulepack_list_licences (ZonesRulePack *pack)
{
  g_return_val_if_fail (pack != NULL, NULL);
  return (const char *const *) pack->licences->pdata;
}

/**
 * zones_rulepack_list_buffers:
 * @pack: a rule pack
 *
 * Returns: (transfer none) (array zero-terminated=1): the NAMEs of the [buffer.NAME]
 *   sections, in file order
 */
const char *const *
zones_rulepack_list_buffers (ZonesRulePack *pack)
{
  g_return_val_if_fail (pack != NULL, NULL);
  return (const char *const *) pack->buffers->pdata;
}

/**
 * zones_rulepack_list_rows:
 * @pack: a rule pack
 *
 * Every value outside [pack], in file order, with its provenance: the rows of the
 * cross-border harmonisation table. Empty values are included, so the table shows what a
 * country's law was searched for and not found.
 *
 * Returns: (transfer container) (element-type ZonesRulePackRow): the rows, owned by @pack
 */
GPtrArray *
zones_rulepack_list_rows (ZonesRulePack *pack)
{
  GPtrArray *rows;

  g_return_val_if_fail (pack != NULL, NULL);
  rows = g_ptr_array_sized_new (pack->entries->len);
  for (guint i = 0; i < pack->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (pack->entries, i);
      if (e->section_spec->provenance)
        g_ptr_array_add (rows, &e->row);
    }
  return rows;
}
