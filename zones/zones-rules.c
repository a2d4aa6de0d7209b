/* zones-rules.c: land-use rules tables
 *
 * A rules table is a CSV file: class,rule,buffer_m,note. The class is one of Placer's
 * land-use classes; the rule is allowed, conditional or excluded; the buffer (metres on the
 * ground) widens an excluded class. A malformed line is refused with the file, the line and
 * the column.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-rules"

#include <math.h>
#include <string.h>

#include "zones-csv.h"
#include "zones-error.h"
#include "zones-rules.h"
#include "zones-schema.h"

struct _ZonesRules {
  GPtrArray *rules;
  char      *source;
};

/* Placer's defaults. They are planning assumptions, not law: a ministry replaces them with
 * its own table (--rules). The same table ships as data/rules/landuse-default.csv. */
static const char default_rules[] =
  "class,rule,buffer_m,note\n"
  "protected_area,excluded,0,\"Assumption: no mining in protected areas; check the national "
  "mining and conservation codes\"\n"
  "urban,excluded,100,\"Assumption: 100 m from settlements (Cote d'Ivoire's artisanal rules "
  "use 100 m around enclosed properties, unverified)\"\n"
  "water,excluded,0,\"Assumption: open water is not deposit land for zoning; alluvial work "
  "on banks is kept\"\n"
  "road,excluded,100,\"Assumption after Cote d'Ivoire: 100 m from roads (unverified)\"\n"
  "sacred_site,excluded,100,\"Assumption after Cote d'Ivoire: 100 m around burial and "
  "religious sites (unverified)\"\n"
  "forest,conditional,0,\"Assumption: forest needs an environmental permit\"\n"
  "agriculture,conditional,0,\"Assumption: farmland needs the land users' agreement\"\n"
  "wetland,conditional,0,\"Assumption: wetland needs an environmental permit\"\n";

const char *
zones_rule_kind_to_string (ZonesRuleKind kind)
{
  switch (kind)
    {
    case ZONES_RULE_CONDITIONAL: return "conditional";
    case ZONES_RULE_EXCLUDED: return "excluded";
    case ZONES_RULE_ALLOWED:
    default: return "allowed";
    }
}

static void
rule_free (ZonesRule *r)
{
  g_free (r->land_class);
  g_free (r->note);
  g_free (r);
}

void
zones_rules_free (ZonesRules *rules)
{
  if (rules == NULL)
    return;
  g_ptr_array_unref (rules->rules);
  g_free (rules->source);
  g_free (rules);
}


/**
 * zones_rules_new_from_data:
 * @label: what to call the text in messages (usually the file name)
 *
 * Returns: (transfer full): the rules, or %NULL with #ZONES_ERROR_RULES naming the line
 */
ZonesRules *
zones_rules_new_from_data (const char *text, const char *label, GError **error)
{
  g_autoptr(ZonesRules) rules = g_new0 (ZonesRules, 1);
  g_auto(GStrv) lines = NULL;
  gboolean header_seen = FALSE;
  guint n_classes = 0;
  const ZonesFieldSpec *spec = zones_role_find_field ("landuse", "class");

  g_return_val_if_fail (text != NULL && label != NULL, NULL);

  rules->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
  rules->source = g_strdup (label);
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES, "%s: not UTF-8 text", label);
      return NULL;
    }
  n_classes = g_strv_length ((char **) spec->vocabulary);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) cols = NULL;
      gboolean ok;
      const char *line = lines[i];
      ZonesRule *r;
      char *end = NULL;
      const char *kind;

      while (g_ascii_isspace (*line))
        line++;
      if (*line == '\0' || *line == '#')
        continue;
      cols = _zones_csv_split_line (line, &ok);
      if (!ok)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES, "%s:%u: unterminated quote", label,
                       i + 1);
          return NULL;
        }
      if (!header_seen)
        {
          if (cols->len < 3 || g_strcmp0 (g_ptr_array_index (cols, 0), "class") != 0 ||
              g_strcmp0 (g_ptr_array_index (cols, 1), "rule") != 0 ||
              g_strcmp0 (g_ptr_array_index (cols, 2), "buffer_m") != 0)
            {
              g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                           "%s:%u: the first line must be the header class,rule,buffer_m,note",
                           label, i + 1);
              return NULL;
            }
          header_seen = TRUE;
          continue;
        }
      if (cols->len < 3 || cols->len > 4)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                       "%s:%u: expected 3 or 4 columns (class,rule,buffer_m,note), found %u",
                       label, i + 1, cols->len);
          return NULL;
        }
      if (!g_strv_contains (spec->vocabulary, g_ptr_array_index (cols, 0)))
        {
          g_autofree char *known = g_strjoinv (", ", (char **) spec->vocabulary);
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                       "%s:%u, column class: “%s” is not a land-use class (one of: %s)", label,
                       i + 1, (char *) g_ptr_array_index (cols, 0), known);
          return NULL;
        }
      if (zones_rules_lookup (rules, g_ptr_array_index (cols, 0)) != NULL)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                       "%s:%u, column class: “%s” has a rule already", label, i + 1,
                       (char *) g_ptr_array_index (cols, 0));
          return NULL;
        }
      r = g_new0 (ZonesRule, 1);
      r->land_class = g_strdup (g_ptr_array_index (cols, 0));
      g_ptr_array_add (rules->rules, r);
      kind = g_ptr_array_index (cols, 1);
      if (g_str_equal (kind, "allowed"))
        r->kind = ZONES_RULE_ALLOWED;
      else if (g_str_equal (kind, "conditional"))
        r->kind = ZONES_RULE_CONDITIONAL;
      else if (g_str_equal (kind, "excluded"))
        r->kind = ZONES_RULE_EXCLUDED;
      else
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                       "%s:%u, column rule: “%s” must be allowed, conditional or excluded",
                       label, i + 1, kind);
          return NULL;
        }
      r->buffer_m = g_ascii_strtod (g_ptr_array_index (cols, 2), &end);
      if (end == g_ptr_array_index (cols, 2) || *end != '\0' || !isfinite (r->buffer_m) ||
          r->buffer_m < 0 || r->buffer_m > 100000)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                       "%s:%u, column buffer_m: “%s” must be a distance in metres from 0 to "
                       "100000", label, i + 1, (char *) g_ptr_array_index (cols, 2));
          return NULL;
        }
      if (r->buffer_m > 0 && r->kind != ZONES_RULE_EXCLUDED)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                       "%s:%u, column buffer_m: only excluded classes take a buffer", label,
                       i + 1);
          return NULL;
        }
      r->note = cols->len > 3 ? g_strdup (g_ptr_array_index (cols, 3)) : NULL;
    }
  if (!header_seen)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES, "%s: empty rules table", label);
      return NULL;
    }
  (void) n_classes;
  return g_steal_pointer (&rules);
}

ZonesRules *
zones_rules_new_default (void)
{
  ZonesRules *r = zones_rules_new_from_data (default_rules, "Placer's default rules", NULL);
  g_assert (r != NULL);
  return r;
}

/**
 * zones_rules_new_from_file:
 *
 * Returns: (transfer full): the rules in @path
 */
ZonesRules *
zones_rules_new_from_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  if (memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES, "%s: not a text file", path);
      return NULL;
    }
  return zones_rules_new_from_data (text, path, error);
}

/**
 * zones_rules_lookup:
 *
 * Returns: (nullable): the rule for @land_class; a class without a rule is allowed
 */
const ZonesRule *
zones_rules_lookup (ZonesRules *rules, const char *land_class)
{
  g_return_val_if_fail (rules != NULL, NULL);
  for (guint i = 0; land_class && i < rules->rules->len; i++)
    {
      ZonesRule *r = g_ptr_array_index (rules->rules, i);
      if (g_str_equal (r->land_class, land_class))
        return r;
    }
  return NULL;
}

guint
zones_rules_get_n (ZonesRules *rules)
{
  return rules->rules->len;
}

const ZonesRule *
zones_rules_get (ZonesRules *rules, guint index)
{
  g_return_val_if_fail (index < rules->rules->len, NULL);
  return g_ptr_array_index (rules->rules, index);
}

const char *
zones_rules_get_source (ZonesRules *rules)
{
  return rules->source;
}
