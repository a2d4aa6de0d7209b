/* zones-sites.c: ASM site visits, the latest visit per site, ICGLR certification ageing
 *
 * Site data comes as one row per *visit* (IPIS visits the same pcode up to ten times), with
 * blanks for what the surveyors did not see. Placer keeps a blank a blank: a visit without
 * a worker number has workers = -1 and is counted, never summed as zero. Rows that cannot
 * be read (no site id, coordinates that are not numbers, a worker count that is not a whole
 * number, a date that is not a date) are listed with their CSV line and column and left
 * out; the rest imports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-sites"

#include <math.h>
#include <string.h>

#include "zones-error.h"
#include "zones-sites.h"
#include "zones-unallocated.h"

/* ---------------------------------------------------------------------------------------- */
/* Reference tables */

/* ISO 3166-1 alpha-2 and alpha-3 codes, five letters per country, sorted by alpha-2
 * (generated from Debian's iso-codes 4.15 iso_3166-1.json). */
static const char iso3166[] =
  "ADANDAEAREAFAFGAGATGAIAIAALALBAMARMAOAGOAQATAARARGASASMATAUTAUAUSAWABWAXALAAZAZEBABIHBBBRB"
  "BDBGDBEBELBFBFABGBGRBHBHRBIBDIBJBENBLBLMBMBMUBNBRNBOBOLBQBESBRBRABSBHSBTBTNBVBVTBWBWABYBLR"
  "BZBLZCACANCCCCKCDCODCFCAFCGCOGCHCHECICIVCKCOKCLCHLCMCMRCNCHNCOCOLCRCRICUCUBCVCPVCWCUWCXCXR"
  "CYCYPCZCZEDEDEUDJDJIDKDNKDMDMADODOMDZDZAECECUEEESTEGEGYEHESHERERIESESPETETHFIFINFJFJIFKFLK"
  "FMFSMFOFROFRFRAGAGABGBGBRGDGRDGEGEOGFGUFGGGGYGHGHAGIGIBGLGRLGMGMBGNGINGPGLPGQGNQGRGRCGSSGS"
  "GTGTMGUGUMGWGNBGYGUYHKHKGHMHMDHNHNDHRHRVHTHTIHUHUNIDIDNIEIRLILISRIMIMNININDIOIOTIQIRQIRIRN"
  "ISISLITITAJEJEYJMJAMJOJORJPJPNKEKENKGKGZKHKHMKIKIRKMCOMKNKNAKPPRKKRKORKWKWTKYCYMKZKAZLALAO"
  "LBLBNLCLCALILIELKLKALRLBRLSLSOLTLTULULUXLVLVALYLBYMAMARMCMCOMDMDAMEMNEMFMAFMGMDGMHMHLMKMKD"
  "MLMLIMMMMRMNMNGMOMACMPMNPMQMTQMRMRTMSMSRMTMLTMUMUSMVMDVMWMWIMXMEXMYMYSMZMOZNANAMNCNCLNENER"
  "NFNFKNGNGANINICNLNLDNONORNPNPLNRNRUNUNIUNZNZLOMOMNPAPANPEPERPFPYFPGPNGPHPHLPKPAKPLPOLPMSPM"
  "PNPCNPRPRIPSPSEPTPRTPWPLWPYPRYQAQATREREUROROURSSRBRURUSRWRWASASAUSBSLBSCSYCSDSDNSESWESGSGP"
  "SHSHNSISVNSJSJMSKSVKSLSLESMSMRSNSENSOSOMSRSURSSSSDSTSTPSVSLVSXSXMSYSYRSZSWZTCTCATDTCDTFATF"
  "TGTGOTHTHATJTJKTKTKLTLTLSTMTKMTNTUNTOTONTRTURTTTTOTVTUVTWTWNTZTZAUAUKRUGUGAUMUMIUSUSAUYURY"
  "UZUZBVAVATVCVCTVEVENVGVGBVIVIRVNVNMVUVUTWFWLFWSWSMYEYEMYTMYTZAZAFZMZMBZWZWE";

#define ISO_RECORD 5

/**
 * zones_sites_iso3_from_iso2:
 * @iso2: an ISO 3166-1 alpha-2 code, any case
 *
 * ICGLR MD-01 gives `addressCountry` as alpha-2; Placer's borders and zones use alpha-3.
 *
 * Returns: (nullable): the alpha-3 code, or %NULL for an unknown code
 */
const char *
zones_sites_iso3_from_iso2 (const char *iso2)
{
  static char codes[sizeof iso3166 / ISO_RECORD][4];
  static gsize init = 0;
  guint n = (sizeof iso3166 - 1) / ISO_RECORD;

  if (iso2 == NULL || strlen (iso2) != 2)
    return NULL;
  /* Handed out as NUL-terminated strings, so copy them once into their own slots. */
  if (g_once_init_enter (&init))
    {
      for (guint i = 0; i < n; i++)
        memcpy (codes[i], iso3166 + i * ISO_RECORD + 2, 3);
      g_once_init_leave (&init, 1);
    }
  for (guint i = 0; i < n; i++)
    if (g_ascii_toupper (iso2[0]) == iso3166[i * ISO_RECORD] &&
        g_ascii_toupper (iso2[1]) == iso3166[i * ISO_RECORD + 1])
      return codes[i];
  return NULL;
}

static const char *
iso3_canonical (const char *iso3)
{
  guint n = (sizeof iso3166 - 1) / ISO_RECORD;

  if (iso3 == NULL || strlen (iso3) != 3)
    return NULL;
  for (guint i = 0; i < n; i++)
    if (g_ascii_strncasecmp (iso3, iso3166 + i * ISO_RECORD + 2, 3) == 0)
      return zones_sites_iso3_from_iso2 ((char[]) { iso3166[i * ISO_RECORD],
                                                    iso3166[i * ISO_RECORD + 1], '\0' });
  return NULL;
}

/* HS headings of the minerals Placer knows. MD-01 names four designated minerals; the others
 * are the HS 2022 headings for copper ores (26.03), cobalt ores (26.05) and diamonds
 * (71.02). 2615.90 covers niobium, tantalum and vanadium ores, which is how coltan trades. */
static const struct {
  const char *prefix;
  const char *mineral;
} hs_minerals[] = {
  { "7108", "gold" },
  { "2609", "cassiterite" },
  { "2611", "wolframite" },
  { "261590", "coltan" },
  { "2603", "copper" },
  { "2605", "cobalt" },
  { "7102", "diamond" },
};

/**
 * zones_sites_mineral_from_hs:
 * @hs_code: an HS code such as "7108.12.00" (dots and spaces are ignored)
 *
 * Returns: (nullable): Placer's mineral value: one of the known minerals, "other" for any
 *   other HS code, %NULL when @hs_code is not an HS code
 */
const char *
zones_sites_mineral_from_hs (const char *hs_code)
{
  char digits[16];
  guint n = 0;

  if (hs_code == NULL)
    return NULL;
  for (const char *p = hs_code; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          if (n + 1 >= sizeof digits)
            return NULL;
          digits[n++] = *p;
        }
      else if (*p != '.' && *p != ' ')
        return NULL;
    }
  digits[n] = '\0';
  /* HS codes have at least a four-digit heading. */
  if (n < 4)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (hs_minerals); i++)
    if (g_str_has_prefix (digits, hs_minerals[i].prefix))
      return hs_minerals[i].mineral;
  return "other";
}

/* Lower-case ASCII without accents or surrounding spaces: "  Néant " → "neant". */
static char *
fold (const char *s)
{
  g_autofree char *ascii = g_str_to_ascii (s, "C");
  char *lower = g_ascii_strdown (ascii, -1);
  return g_strstrip (lower);
}

static gboolean
in_words (const char *folded, const char *const *words)
{
  for (guint i = 0; words[i] != NULL; i++)
    if (g_str_equal (folded, words[i]))
      return TRUE;
  return FALSE;
}

/* Surveyors write these where they did not learn the mineral: not a mineral at all. */
static const char *const unknown_words[] = {
  "inconnu", "inconnue", "unknown", "desconhecido", "desconocido", "n/a", "na", "nd", "?", "-",
  "none", "aucun", "neant", NULL
};

/**
 * zones_sites_mineral_from_name:
 * @name: a mineral as a source names it, e.g. "Cassitérite", "Or", "Tourmaline"
 *
 * Returns: (nullable): Placer's mineral value; "other" for a mineral Placer does not track
 *   (tourmaline, manganese…); %NULL for a blank or a word that means unknown ("inconnu")
 */
const char *
zones_sites_mineral_from_name (const char *name)
{
  g_autofree char *f = NULL;
  const char *v;

  if (name == NULL)
    return NULL;
  f = fold (name);
  if (*f == '\0' || in_words (f, unknown_words))
    return NULL;
  v = zones_vocabulary_match ("sites", "mineral", name);
  return v != NULL ? v : "other";
}

/* ---------------------------------------------------------------------------------------- */
/* Records */

/**
 * zones_site_free:
 * @site: (nullable): a site or visit
 */
void
zones_site_free (ZonesSite *site)
{
  if (site == NULL)
    return;
  g_free (site->site_id);
  g_free (site->name);
  g_clear_pointer (&site->geometry, gis_geometry_unref);
  g_strfreev (site->minerals);
  g_free (site->certification);
  g_free (site->country);
  g_free (site->activity);
  g_strfreev (site->armed_groups);
  g_free (site);
}

static ZonesSite *
site_new (void)
{
  ZonesSite *s = g_new0 (ZonesSite, 1);

  s->workers = -1;
  g_date_clear (&s->visit_date, 1);
  g_date_clear (&s->certification_date, 1);
  s->visits = 1;
  s->armed_presence = ZONES_SITE_UNKNOWN;
  s->armed_taxation = ZONES_SITE_UNKNOWN;
  s->mercury = ZONES_SITE_UNKNOWN;
  s->fid = -1;
  return s;
}

/**
 * zones_site_copy:
 *
 * Returns: (transfer full): a deep copy of @site
 */
ZonesSite *
zones_site_copy (const ZonesSite *site)
{
  ZonesSite *c;

  g_return_val_if_fail (site != NULL, NULL);

  c = g_memdup2 (site, sizeof *site);
  c->site_id = g_strdup (site->site_id);
  c->name = g_strdup (site->name);
  c->geometry = site->geometry ? gis_geometry_ref (site->geometry) : NULL;
  c->minerals = g_strdupv (site->minerals);
  c->certification = g_strdup (site->certification);
  c->country = g_strdup (site->country);
  c->activity = g_strdup (site->activity);
  c->armed_groups = g_strdupv (site->armed_groups);
  return c;
}

static double
read_double (const guint8 *p, gboolean little)
{
  guint64 bits;
  double d;

  memcpy (&bits, p, 8);
  bits = little ? GUINT64_FROM_LE (bits) : GUINT64_FROM_BE (bits);
  memcpy (&d, &bits, 8);
  return d;
}

/* The coordinates of a point, or of a multipoint holding exactly one point. */
static gboolean
geometry_point_xy (GisGeometry *g, double *x, double *y)
{
  gsize len = 0;
  const guint8 *wkb;
  gboolean little;
  guint32 type;

  if (g == NULL)
    return FALSE;
  wkb = gis_geometry_peek_wkb (g, &len);
  if (gis_geometry_get_geometry_type (g) == GIS_GEOMETRY_MULTIPOINT &&
      gis_geometry_get_n_points (g) == 1 && len >= 9 + 21)
    {
      wkb += 9;
      len -= 9;
    }
  if (wkb == NULL || len < 21)
    return FALSE;
  little = wkb[0] == 1;
  memcpy (&type, wkb + 1, 4);
  type = little ? GUINT32_FROM_LE (type) : GUINT32_FROM_BE (type);
  if (type != 1)
    return FALSE;
  *x = read_double (wkb + 5, little);
  *y = read_double (wkb + 13, little);
  /* An empty point is NaN, NaN in WKB. */
  return isfinite (*x) && isfinite (*y);
}

/**
 * zones_site_get_xy:
 * @x: (out): the point's x (longitude in a geographic CRS)
 * @y: (out): the point's y
 *
 * Returns: %TRUE if the site has a point
 */
gboolean
zones_site_get_xy (const ZonesSite *site, double *x, double *y)
{
  g_return_val_if_fail (site != NULL && x != NULL && y != NULL, FALSE);
  return geometry_point_xy (site->geometry, x, y);
}

static GisGeometry *
point_new (double x, double y)
{
  guint8 wkb[21];
  guint32 type = GUINT32_TO_LE (1);
  guint64 bits;

  wkb[0] = 1;
  memcpy (wkb + 1, &type, 4);
  memcpy (&bits, &x, 8);
  bits = GUINT64_TO_LE (bits);
  memcpy (wkb + 5, &bits, 8);
  memcpy (&bits, &y, 8);
  bits = GUINT64_TO_LE (bits);
  memcpy (wkb + 13, &bits, 8);
  return gis_geometry_new_from_wkb (wkb, sizeof wkb, NULL);
}

/**
 * zones_site_problem_free:
 * @problem: (nullable): a problem
 */
void
zones_site_problem_free (ZonesSiteProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->column);
  g_free (problem->value);
  g_free (problem->reason);
  g_free (problem);
}

/**
 * zones_site_visits_free:
 * @visits: (nullable): visits read from a source
 */
void
zones_site_visits_free (ZonesSiteVisits *visits)
{
  if (visits == NULL)
    return;
  g_free (visits->source);
  g_clear_pointer (&visits->crs, gis_crs_unref);
  g_clear_pointer (&visits->visits, g_ptr_array_unref);
  g_clear_pointer (&visits->problems, g_ptr_array_unref);
  g_clear_pointer (&visits->unrecognised, g_hash_table_unref);
  g_free (visits);
}

static ZonesSiteVisits *
visits_new (const char *source)
{
  ZonesSiteVisits *v = g_new0 (ZonesSiteVisits, 1);

  v->source = g_strdup (source);
  v->visits = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_site_free);
  v->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_site_problem_free);
  v->unrecognised = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_hash_table_unref);
  return v;
}

/* ---------------------------------------------------------------------------------------- */
/* Certification */

/**
 * zones_sites_certification_aged:
 * @status: (nullable): blue, green, yellow or red, as recorded
 * @since: (nullable): the date it was recorded
 * @as_of: (nullable): the date to judge it on
 *
 * ICGLR MD-01: a green status is valid one year; after that the site is blue until the
 * government inspects it again, and a blue status is valid three years, after which the site
 * turns red. So green recorded on D is green until D + 1 year, blue until D + 4 years, then
 * red; blue recorded on D is red after D + 3 years. Yellow and red do not age by date.
 * Without both dates the status is returned as recorded.
 *
 * Returns: (nullable): the status on @as_of
 */
const char *
zones_sites_certification_aged (const char *status, const GDate *since, const GDate *as_of)
{
  static const char *const statuses[] = { "blue", "green", "yellow", "red" };
  const char *canonical = NULL;
  GDate until;

  if (status == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (g_str_equal (status, statuses[i]))
      canonical = statuses[i];
  if (canonical == NULL)
    return NULL;
  if (since == NULL || as_of == NULL || !g_date_valid (since) || !g_date_valid (as_of))
    return canonical;

  until = *since;
  if (canonical == statuses[1])
    {
      /* "Older than one year": the anniversary itself is still green. */
      g_date_add_years (&until, 1);
      if (g_date_compare (as_of, &until) <= 0)
        return canonical;
      canonical = statuses[0];
    }
  if (canonical == statuses[0])
    {
      g_date_add_years (&until, 3);
      return g_date_compare (as_of, &until) <= 0 ? statuses[0] : statuses[3];
    }
  return canonical;
}

/**
 * zones_site_get_certification_on:
 * @as_of: (nullable): the date to judge the status on
 *
 * Returns: (nullable): the site's certification status aged to @as_of
 */
const char *
zones_site_get_certification_on (const ZonesSite *site, const GDate *as_of)
{
  g_return_val_if_fail (site != NULL, NULL);
  return zones_sites_certification_aged (site->certification, &site->certification_date, as_of);
}

/* ---------------------------------------------------------------------------------------- */
/* Formats and column plans */

static int
find_column (char **columns, guint n, const char *name)
{
  /* An exact match first: a mapping names the field as the source spells it. */
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (columns[i], name) == 0)
      return (int) i;
  for (guint i = 0; i < n; i++)
    if (columns[i] != NULL && g_ascii_strcasecmp (columns[i], name) == 0)
      return (int) i;
  return -1;
}

static int
find_first (char **columns, guint n, const char *const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      int c = find_column (columns, n, names[i]);
      if (c >= 0)
        return c;
    }
  return -1;
}

#define NAMES(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* The same names gis_dataset_open() gives GDAL for a CSV's point columns, so that Placer's
 * reader and GDAL see the same coordinates. */
static const char *const lon_names[] = { "longitude", "lon", "long", "lng", NULL };
static const char *const lat_names[] = { "latitude", "lat", NULL };

/**
 * zones_sites_detect_format:
 * @columns: (array zero-terminated=1): the column names of a table
 *
 * Returns: the format the column names reveal
 */
ZonesSitesFormat
zones_sites_detect_format (const char *const *columns)
{
  guint n;

  g_return_val_if_fail (columns != NULL, ZONES_SITES_FORMAT_MAPPED);

  n = g_strv_length ((char **) columns);
  if (find_column ((char **) columns, n, "pcode") >= 0 &&
      find_column ((char **) columns, n, "visit_date") >= 0 &&
      find_column ((char **) columns, n, "workers_numb") >= 0 &&
      find_column ((char **) columns, n, "mineral1") >= 0)
    return ZONES_SITES_FORMAT_IPIS;
  if (find_column ((char **) columns, n, "icglrId") >= 0 &&
      find_column ((char **) columns, n, "certificationStatus") >= 0 &&
      find_column ((char **) columns, n, "addressCountry") >= 0)
    return ZONES_SITES_FORMAT_ICGLR;
  return ZONES_SITES_FORMAT_MAPPED;
}

/**
 * zones_sites_format_to_string:
 *
 * Returns: the format's machine name: "mapped", "ipis" or "icglr-md01"
 */
const char *
zones_sites_format_to_string (ZonesSitesFormat format)
{
  switch (format)
    {
    case ZONES_SITES_FORMAT_IPIS:
      return "ipis";
    case ZONES_SITES_FORMAT_ICGLR:
      return "icglr-md01";
    case ZONES_SITES_FORMAT_MAPPED:
    default:
      return "mapped";
    }
}

/* Which column (index, -1 for none) carries what. */
typedef struct {
  int site_id;
  int name;
  int workers;
  int visit_date;
  int certification;
  int country;
  int activity;
  int mercury;
  int armed_presence;
  int minerals[3];
  int armed_groups[2];
  int taxation[2];
  int x;
  int y;
  int wkt;
  gboolean lonlat;
} Plan;

typedef struct {
  ZonesSiteVisits *out;
  ZonesSitesFormat format;
  char           **columns;      /* owned */
  guint            n_columns;
  ZonesMapping    *mapping;      /* borrowed, nullable */
  Plan             plan;
  GisTransform    *transform;    /* owned, nullable */
  gboolean         geographic;   /* the source CRS: range-check coordinates */
  gboolean         csv;
} Reader;

static void
reader_clear (Reader *rd)
{
  g_strfreev (rd->columns);
  g_clear_pointer (&rd->transform, gis_transform_free);
}

static void
plan_build (Reader *rd)
{
  Plan *p = &rd->plan;
  char **c = rd->columns;
  guint n = rd->n_columns;

  memset (p, 0xff, sizeof *p);   /* every index -1 */
  p->lonlat = FALSE;
  switch (rd->format)
    {
    case ZONES_SITES_FORMAT_IPIS:
      p->site_id = find_column (c, n, "pcode");
      p->name = find_column (c, n, "name");
      p->workers = find_column (c, n, "workers_numb");
      p->visit_date = find_column (c, n, "visit_date");
      p->certification = find_column (c, n, "qualification");
      p->mercury = find_column (c, n, "mercury");
      p->armed_presence = find_column (c, n, "presence");
      p->minerals[0] = find_column (c, n, "mineral1");
      p->minerals[1] = find_column (c, n, "mineral2");
      p->minerals[2] = find_column (c, n, "mineral3");
      p->armed_groups[0] = find_column (c, n, "armed_group1");
      p->armed_groups[1] = find_column (c, n, "armed_group2");
      p->taxation[0] = find_column (c, n, "taxation_armed_group1");
      p->taxation[1] = find_column (c, n, "taxation_armed_group2");
      p->wkt = find_column (c, n, "geom");
      break;
    case ZONES_SITES_FORMAT_ICGLR:
      p->site_id = find_column (c, n, "icglrId");
      p->name = find_first (c, n, NAMES ("mineSiteName", "name", "siteName"));
      p->country = find_column (c, n, "addressCountry");
      p->certification = find_column (c, n, "certificationStatus");
      p->activity = find_column (c, n, "activityStatus");
      p->minerals[0] = find_first (c, n, NAMES ("mineral", "minerals"));
      /* MD-01 itself has no date; the inspection date (MD-07) is what the status is as of. */
      p->visit_date = find_first (c, n, NAMES ("inspectionDate", "lastInspectionDate",
                                               "certificationDate", "visit_date", "date"));
      p->workers = find_first (c, n, NAMES ("workers", "numberOfWorkers", "workers_numb"));
      p->wkt = find_column (c, n, "mineSiteLocation");
      break;
    case ZONES_SITES_FORMAT_MAPPED:
    default:
      break;
    }
  p->x = find_first (c, n, lon_names);
  p->y = find_first (c, n, lat_names);
  p->lonlat = p->x >= 0 && p->y >= 0;
  if (!p->lonlat)
    {
      p->x = find_column (c, n, "x");
      p->y = find_column (c, n, "y");
    }
  if (p->wkt < 0)
    p->wkt = find_column (c, n, "wkt");
}

/* The layer's mapping decides which column carries each of Placer's fields; the format
 * only adds what a mapping cannot say (more mineral columns, the armed-group columns). */
static gboolean
plan_apply_mapping (Reader *rd, GError **error)
{
  Plan *p = &rd->plan;
  struct {
    const char *field;
    int        *slot;
  } slots[] = {
    { "site_id", &p->site_id }, { "name", &p->name }, { "workers", &p->workers },
    { "mineral", &p->minerals[0] }, { "visit_date", &p->visit_date },
    { "certification", &p->certification }, { "armed_presence", &p->armed_presence },
    { "mercury", &p->mercury },
  };

  if (rd->mapping == NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    {
      const char *src = zones_mapping_get_field (rd->mapping, slots[i].field);
      int c;

      if (src == NULL)
        continue;
      c = find_column (rd->columns, rd->n_columns, src);
      if (c < 0)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                       "%s: field “%s” (mapped to %s) does not exist", rd->out->source, src,
                       slots[i].field);
          return FALSE;
        }
      *slots[i].slot = c;
    }
  for (guint i = 1; i < G_N_ELEMENTS (p->minerals); i++)
    if (p->minerals[i] == p->minerals[0])
      p->minerals[i] = -1;
  return TRUE;
}

static gboolean
reader_setup (Reader      *rd,
              GisCrs      *source_crs,
              GisCrs      *target_crs,
              GError     **error)
{
  rd->out->format = rd->format;
  plan_build (rd);
  if (!plan_apply_mapping (rd, error))
    return FALSE;
  if (rd->plan.site_id < 0)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                   "%s: no column gives the site identifier; map one with site_id=FIELD",
                   rd->out->source);
      return FALSE;
    }
  if (rd->csv && (rd->plan.x < 0 || rd->plan.y < 0) && rd->plan.wkt < 0)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "%s has no coordinate columns (longitude/latitude, x/y or WKT)",
                   rd->out->source);
      return FALSE;
    }
  rd->geographic = gis_crs_is_geographic (source_crs);
  rd->out->crs = gis_crs_ref (target_crs ? target_crs : source_crs);
  if (target_crs != NULL && !gis_crs_equal (source_crs, target_crs))
    {
      rd->transform = gis_transform_new (source_crs, target_crs, error);
      if (rd->transform == NULL)
        return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* One row into one visit */

typedef struct {
  char       **cells;       /* stripped in place; may be shorter than the header */
  guint        n_cells;
  const guint *lines;       /* physical line of each cell (CSV), or NULL */
  guint        line;        /* the line the row starts on (CSV), or 0 */
  gint64       fid;         /* feature id, or -1 */
  gboolean     bad;
} Row;

static const char *
cell (Row *row, int column)
{
  char *s;

  if (column < 0 || (guint) column >= row->n_cells || row->cells[column] == NULL)
    return NULL;
  s = g_strstrip (row->cells[column]);
  return *s != '\0' ? s : NULL;
}

static void G_GNUC_PRINTF (5, 6)
add_problem (Reader *rd, Row *row, int column, const char *value, const char *format, ...)
{
  ZonesSiteProblem *p = g_new0 (ZonesSiteProblem, 1);
  va_list ap;

  p->fid = row->fid;
  p->line = row->line;
  if (column >= 0 && row->lines != NULL && (guint) column < row->n_cells)
    p->line = row->lines[column];
  p->column = column >= 0 ? g_strdup (rd->columns[column]) : NULL;
  p->value = g_strdup (value);
  va_start (ap, format);
  p->reason = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_ptr_array_add (rd->out->problems, p);
  row->bad = TRUE;
}

static void
note_unrecognised (Reader *rd, int column, const char *value)
{
  GHashTable *values = g_hash_table_lookup (rd->out->unrecognised, rd->columns[column]);
  guint n;

  if (values == NULL)
    {
      values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (rd->out->unrecognised, g_strdup (rd->columns[column]), values);
    }
  n = GPOINTER_TO_UINT (g_hash_table_lookup (values, value));
  g_hash_table_insert (values, g_strdup (value), GUINT_TO_POINTER (n + 1));
}

static gboolean
parse_number (const char *s, double *value)
{
  char *end = NULL;

  *value = g_ascii_strtod (s, &end);
  return end != s && *end == '\0' && isfinite (*value);
}

/* A head count: a whole number ≥ 0. "12.0" is whole (a Real field writes it so); "12.5",
 * "-3", "1 200" and "about 50" are not. */
static gboolean
parse_workers (const char *s, gint64 *workers)
{
  double d;

  if (!parse_number (s, &d) || d < 0 || d != floor (d) || d > 1e15)
    return FALSE;
  *workers = (gint64) d;
  return TRUE;
}

static ZonesSiteAnswer
parse_answer (const char *s, gboolean *recognised)
{
  static const char *const yes[] = { "1", "1.0", "yes", "y", "oui", "o", "sim", "si", "true",
                                     "vrai", NULL };
  static const char *const no[] = { "0", "0.0", "no", "n", "non", "nao", "false", "faux",
                                    NULL };
  g_autofree char *f = fold (s);

  *recognised = TRUE;
  if (in_words (f, yes))
    return ZONES_SITE_YES;
  if (in_words (f, no))
    return ZONES_SITE_NO;
  *recognised = FALSE;
  return ZONES_SITE_UNKNOWN;
}

static void
add_unique (GPtrArray *list, const char *value)
{
  if (value != NULL && !g_ptr_array_find_with_equal_func (list, value, g_str_equal, NULL))
    g_ptr_array_add (list, g_strdup (value));
}

/* One mineral cell may list several ("Or; Coltan", "2609.00.00|2615.90.00"). */
static void
decode_minerals (Reader *rd, const char *text, GPtrArray *out)
{
  g_auto(GStrv) parts = g_strsplit_set (text, ";,|/+", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = g_strstrip (parts[i]);
      const char *v = NULL;

      if (*part == '\0')
        continue;
      if (rd->mapping != NULL)
        v = zones_mapping_map_value (rd->mapping, "mineral", part);
      if (v == NULL && g_ascii_isdigit (*part))
        v = zones_sites_mineral_from_hs (part);
      if (v == NULL)
        v = zones_sites_mineral_from_name (part);
      if (v == NULL && rd->mapping != NULL)
        v = zones_mapping_map_value (rd->mapping, "mineral", "*");
      add_unique (out, v);
    }
}

/* IPIS writes "Not class" / "No class" for sites that were never qualified: that says
 * nothing about an ICGLR status, so it is no status (not blue, which would start the
 * three-year clock towards red). */
static const char *const no_class_words[] = { "not class", "no class", "non classe",
                                              "not classified", "non qualifie", NULL };

static const char *
decode_certification (Reader *rd, int column, const char *raw)
{
  const char *v = NULL;
  g_autofree char *f = NULL;

  if (raw == NULL)
    return rd->mapping ? zones_mapping_map_value (rd->mapping, "certification", "*") : NULL;
  if (rd->mapping != NULL)
    v = zones_mapping_map_value (rd->mapping, "certification", raw);
  if (v != NULL)
    return v;
  f = fold (raw);
  if (in_words (f, no_class_words))
    return NULL;
  v = zones_vocabulary_match ("sites", "certification", raw);
  if (v == NULL && rd->mapping != NULL)
    v = zones_mapping_map_value (rd->mapping, "certification", "*");
  if (v == NULL)
    note_unrecognised (rd, column, raw);
  return v;
}

static const char *
decode_activity (Reader *rd, int column, const char *raw)
{
  static const char *const active[] = { "1", "active", "actif", "ativo", "activo", NULL };
  static const char *const non_active[] = { "2", "non active", "non-active", "inactive",
                                            "inactif", "non actif", "not active", NULL };
  static const char *const abandoned[] = { "0", "abandoned", "abandonne", "abandonnee",
                                           "abandonado", NULL };
  g_autofree char *f = fold (raw);

  if (in_words (f, active))
    return "active";
  if (in_words (f, non_active))
    return "non_active";
  if (in_words (f, abandoned))
    return "abandoned";
  note_unrecognised (rd, column, raw);
  return NULL;
}

static const char *
decode_country (Reader *rd, int column, const char *raw)
{
  const char *v = strlen (raw) == 2 ? zones_sites_iso3_from_iso2 (raw) : iso3_canonical (raw);

  if (v == NULL)
    note_unrecognised (rd, column, raw);
  return v;
}

static ZonesSiteAnswer
decode_answer (Reader *rd, int column, const char *raw)
{
  gboolean ok;
  ZonesSiteAnswer a;

  if (raw == NULL)
    return ZONES_SITE_UNKNOWN;
  a = parse_answer (raw, &ok);
  if (!ok)
    note_unrecognised (rd, column, raw);
  return a;
}

/* Reads the row's point into @x, @y (source CRS); reports what is wrong otherwise. */
static gboolean
row_point (Reader *rd, Row *row, GisGeometry *feature_geometry, double *x, double *y)
{
  const Plan *p = &rd->plan;

  if (!rd->csv)
    {
      if (feature_geometry == NULL || gis_geometry_is_empty (feature_geometry))
        {
          /* Name the coordinate column that is blank when the layer has one (a CSV copied
           * into the project keeps its longitude/latitude columns). */
          int c = p->x >= 0 && cell (row, p->x) == NULL ? p->x
                  : p->y >= 0 && cell (row, p->y) == NULL ? p->y : -1;
          add_problem (rd, row, c, NULL, "no coordinates (the feature has no geometry)");
          return FALSE;
        }
      if (!geometry_point_xy (feature_geometry, x, y))
        {
          add_problem (rd, row, -1, NULL, "the geometry is a %s, not a point",
                       gis_geometry_type_to_string (
                         gis_geometry_get_geometry_type (feature_geometry)));
          return FALSE;
        }
    }
  else if (p->x >= 0 && p->y >= 0)
    {
      const char *xs = cell (row, p->x);
      const char *ys = cell (row, p->y);
      gboolean ok = TRUE;

      if (xs == NULL)
        add_problem (rd, row, p->x, NULL, "no %s", p->lonlat ? "longitude" : "x coordinate");
      else if (!parse_number (xs, x))
        add_problem (rd, row, p->x, xs, "“%s” is not a number", xs);
      if (ys == NULL)
        add_problem (rd, row, p->y, NULL, "no %s", p->lonlat ? "latitude" : "y coordinate");
      else if (!parse_number (ys, y))
        add_problem (rd, row, p->y, ys, "“%s” is not a number", ys);
      if (row->bad)
        return FALSE;
      if (rd->geographic && fabs (*x) > 180)
        {
          add_problem (rd, row, p->x, xs, "longitude %s is outside −180…180", xs);
          ok = FALSE;
        }
      if (rd->geographic && fabs (*y) > 90)
        {
          add_problem (rd, row, p->y, ys, "latitude %s is outside −90…90", ys);
          ok = FALSE;
        }
      return ok;
    }
  else
    {
      const char *wkt = cell (row, p->wkt);
      g_autoptr(GisGeometry) g = NULL;
      g_autoptr(GError) local_error = NULL;

      if (wkt == NULL)
        {
          add_problem (rd, row, p->wkt, NULL, "no geometry");
          return FALSE;
        }
      g = gis_geometry_new_from_wkt (wkt, &local_error);
      if (g == NULL)
        {
          add_problem (rd, row, p->wkt, wkt, "not WKT: %s", local_error->message);
          return FALSE;
        }
      if (!geometry_point_xy (g, x, y))
        {
          add_problem (rd, row, p->wkt, wkt, "the geometry is a %s, not a point",
                       gis_geometry_type_to_string (gis_geometry_get_geometry_type (g)));
          return FALSE;
        }
    }
  if (rd->geographic && (fabs (*x) > 180 || fabs (*y) > 90))
    {
      char bx[G_ASCII_DTOSTR_BUF_SIZE], by[G_ASCII_DTOSTR_BUF_SIZE];
      add_problem (rd, row, rd->csv ? p->wkt : -1, NULL,
                   "point %s %s is outside longitude −180…180, latitude −90…90",
                   g_ascii_dtostr (bx, sizeof bx, *x), g_ascii_dtostr (by, sizeof by, *y));
      return FALSE;
    }
  return TRUE;
}

static void
convert_row (Reader *rd, Row *row, GisGeometry *feature_geometry)
{
  const Plan *p = &rd->plan;
  g_autoptr(ZonesSite) s = site_new ();
  g_autoptr(GPtrArray) minerals = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (g_free);
  const char *v;
  double x = 0, y = 0;

  rd->out->n_rows++;
  row->bad = FALSE;

  v = cell (row, p->site_id);
  if (v == NULL)
    add_problem (rd, row, p->site_id, NULL, "no site identifier");
  else
    s->site_id = g_strdup (v);

  v = cell (row, p->workers);
  if (v != NULL && !parse_workers (v, &s->workers))
    add_problem (rd, row, p->workers, v, "“%s” is not a whole number of workers (≥ 0)", v);

  v = cell (row, p->visit_date);
  if (v != NULL && !zones_parse_date (v, &s->visit_date))
    add_problem (rd, row, p->visit_date, v, "“%s” is not a date (YYYY-MM-DD)", v);

  if (row_point (rd, row, feature_geometry, &x, &y) && rd->transform != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      if (!gis_transform_points (rd->transform, &x, &y, 1, &local_error))
        add_problem (rd, row, rd->csv ? p->x : -1, NULL,
                     "the point cannot be brought into the target CRS: %s",
                     local_error->message);
    }

  if (row->bad)
    {
      rd->out->n_malformed_rows++;
      return;
    }

  s->geometry = point_new (x, y);
  s->line = row->line;
  s->fid = row->fid;
  s->name = g_strdup (cell (row, p->name));
  if (cell (row, p->workers) == NULL)
    rd->out->n_without_workers++;

  for (guint i = 0; i < G_N_ELEMENTS (p->minerals); i++)
    if ((v = cell (row, p->minerals[i])) != NULL)
      decode_minerals (rd, v, minerals);
  if (minerals->len == 0 && rd->mapping != NULL)
    add_unique (minerals, zones_mapping_map_value (rd->mapping, "mineral", "*"));
  g_ptr_array_add (minerals, NULL);
  s->minerals = (char **) g_ptr_array_steal (minerals, NULL);

  s->certification = g_strdup (decode_certification (rd, p->certification,
                                                     cell (row, p->certification)));
  if (s->certification != NULL)
    s->certification_date = s->visit_date;

  if ((v = cell (row, p->country)) != NULL)
    s->country = g_strdup (decode_country (rd, p->country, v));
  else if (rd->format == ZONES_SITES_FORMAT_IPIS && strlen (s->site_id) > 7 &&
           g_ascii_strncasecmp (s->site_id + 3, "mine", 4) == 0)
    {
      /* IPIS site codes start with the country's alpha-3 code: codmine00191 is in COD. */
      g_autofree char *prefix = g_strndup (s->site_id, 3);
      s->country = g_strdup (iso3_canonical (prefix));
    }
  if ((v = cell (row, p->activity)) != NULL)
    s->activity = g_strdup (decode_activity (rd, p->activity, v));
  s->mercury = decode_answer (rd, p->mercury, cell (row, p->mercury));

  for (guint i = 0; i < G_N_ELEMENTS (p->armed_groups); i++)
    add_unique (groups, cell (row, p->armed_groups[i]));
  if ((v = cell (row, p->armed_presence)) != NULL)
    {
      gboolean ok;
      g_autofree char *f = fold (v);

      s->armed_presence = parse_answer (v, &ok);
      /* A mapped "armed group" column holds the group's name: naming one means presence. */
      if (!ok && in_words (f, NAMES ("none", "aucun", "neant", "nil", "nenhum")))
        s->armed_presence = ZONES_SITE_NO;
      else if (!ok)
        {
          s->armed_presence = ZONES_SITE_YES;
          add_unique (groups, v);
        }
    }
  if (s->armed_presence == ZONES_SITE_UNKNOWN && groups->len > 0)
    s->armed_presence = ZONES_SITE_YES;
  g_ptr_array_add (groups, NULL);
  s->armed_groups = (char **) g_ptr_array_steal (groups, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (p->taxation); i++)
    {
      ZonesSiteAnswer a = decode_answer (rd, p->taxation[i], cell (row, p->taxation[i]));
      /* Taxed by any armed group is taxed. */
      if (a == ZONES_SITE_YES || (a == ZONES_SITE_NO && s->armed_taxation == ZONES_SITE_UNKNOWN))
        s->armed_taxation = a;
    }

  if (s->armed_presence != ZONES_SITE_UNKNOWN || s->armed_groups[0] != NULL)
    s->sensitive |= ZONES_SITE_SENSITIVE_ARMED_PRESENCE;
  if (s->armed_taxation != ZONES_SITE_UNKNOWN)
    s->sensitive |= ZONES_SITE_SENSITIVE_ARMED_TAXATION;

  g_ptr_array_add (rd->out->visits, g_steal_pointer (&s));
}

/* ---------------------------------------------------------------------------------------- */
/* CSV, read by Placer so that problems carry the line a text editor shows */

typedef struct {
  const char *p;
  const char *end;
  guint       line;
  char        sep;
} Csv;

/* Reads one record (RFC 4180 quoting; a quoted field may hold separators, doubled quotes and
 * line breaks). Returns FALSE at the end of the text. Each cell's physical line is kept:
 * after a multi-line field, the line a cell is on is not the line its record starts on. */
static gboolean
csv_next (Csv *c, GPtrArray *cells, GArray *lines, guint *start_line, gboolean *unterminated)
{
  g_autoptr(GString) field = g_string_new (NULL);

  g_ptr_array_set_size (cells, 0);
  g_array_set_size (lines, 0);
  *unterminated = FALSE;
  if (c->p >= c->end)
    return FALSE;
  *start_line = c->line;
  for (;;)
    {
      guint field_line = c->line;

      g_string_truncate (field, 0);
      if (c->p < c->end && *c->p == '"')
        {
          c->p++;
          for (;;)
            {
              char ch;

              if (c->p >= c->end)
                {
                  *unterminated = TRUE;
                  break;
                }
              ch = *c->p++;
              if (ch == '"')
                {
                  if (c->p < c->end && *c->p == '"')
                    {
                      g_string_append_c (field, '"');
                      c->p++;
                      continue;
                    }
                  break;
                }
              /* CR LF counts once, at the LF; a lone CR is a line break too. */
              if (ch == '\n' || (ch == '\r' && (c->p >= c->end || *c->p != '\n')))
                c->line++;
              g_string_append_c (field, ch);
            }
        }
      /* Text after a closing quote is kept, as Python's csv module does. */
      while (c->p < c->end && *c->p != c->sep && *c->p != '\n' && *c->p != '\r')
        g_string_append_c (field, *c->p++);
      g_ptr_array_add (cells, g_strdup (field->str));
      g_array_append_val (lines, field_line);
      if (c->p >= c->end)
        break;
      if (*c->p == c->sep)
        {
          c->p++;
          continue;
        }
      if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
        c->p++;
      c->p++;
      c->line++;
      break;
    }
  return TRUE;
}

static gboolean
csv_blank (GPtrArray *cells)
{
  if (cells->len != 1)
    return FALSE;
  for (const char *s = g_ptr_array_index (cells, 0); *s; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

/* Opens the text, checks it is UTF-8, picks the separator and reads the header. */
static gboolean
csv_open (const char *path, char **text, Csv *c, char ***columns, guint *n_columns,
          GError **error)
{
  gsize len = 0;
  const char *bad = NULL;
  const char *nl;
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (guint));
  guint start = 0;
  gboolean unterminated = FALSE;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "“%s” does not exist", path);
      return FALSE;
    }
  if (!g_file_get_contents (path, text, &len, error))
    return FALSE;
  if (!g_utf8_validate (*text, len, &bad))
    {
      guint line = 1;
      for (const char *p = *text; p < bad; p++)
        line += *p == '\n';
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "“%s”, line %u: not UTF-8 text (save the file as UTF-8)", path, line);
      return FALSE;
    }
  c->p = *text;
  c->end = *text + len;
  c->line = 1;
  if (len >= 3 && memcmp (c->p, "\xEF\xBB\xBF", 3) == 0)
    c->p += 3;
  /* The separator is the one the header line uses: French spreadsheets write ';'. */
  nl = memchr (c->p, '\n', c->end - c->p);
  {
    gsize hl = nl ? (gsize) (nl - c->p) : (gsize) (c->end - c->p);
    c->sep = memchr (c->p, ',', hl) ? ',' : memchr (c->p, ';', hl) ? ';'
             : memchr (c->p, '\t', hl) ? '\t' : ',';
  }
  do
    {
      if (!csv_next (c, cells, lines, &start, &unterminated))
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "“%s” is empty", path);
          return FALSE;
        }
    }
  while (csv_blank (cells));
  if (unterminated)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "“%s”, line %u: the header has a quote that is never closed", path, start);
      return FALSE;
    }
  *n_columns = cells->len;
  *columns = g_new0 (char *, cells->len + 1);
  for (guint i = 0; i < cells->len; i++)
    (*columns)[i] = g_strstrip (g_strdup (g_ptr_array_index (cells, i)));
  return TRUE;
}

/**
 * zones_sites_sniff_csv:
 * @lonlat: (out) (optional): whether the coordinates are in longitude/latitude columns
 *
 * Reads the header of a CSV to tell its format before it is imported: a CSV has no CRS of
 * its own, and only a published format with longitude/latitude columns lets Placer assume
 * EPSG:4326.
 *
 * Returns: the format, or %ZONES_SITES_FORMAT_MAPPED with @error set when the file cannot
 *   be read
 */
ZonesSitesFormat
zones_sites_sniff_csv (const char *path, gboolean *lonlat, GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) columns = NULL;
  guint n = 0;
  Csv c;
  ZonesSitesFormat format;

  g_return_val_if_fail (path != NULL, ZONES_SITES_FORMAT_MAPPED);

  if (lonlat != NULL)
    *lonlat = FALSE;
  if (!csv_open (path, &text, &c, &columns, &n, error))
    return ZONES_SITES_FORMAT_MAPPED;
  format = zones_sites_detect_format ((const char *const *) columns);
  if (lonlat != NULL)
    *lonlat = find_first (columns, n, lon_names) >= 0 && find_first (columns, n, lat_names) >= 0;
  return format;
}

/**
 * zones_site_visits_read_csv:
 * @path: a CSV file (UTF-8; comma, semicolon or tab separated)
 * @mapping: (nullable): the field mapping of role sites; it decides which column carries
 *   each field. Without one, the file must be an IPIS or ICGLR MD-01 CSV
 * @crs: (nullable): the CRS of the coordinates; %NULL means EPSG:4326, which is only
 *   accepted for an IPIS or ICGLR file with longitude/latitude columns
 * @target_crs: (nullable): the CRS to return geometries in (%NULL keeps @crs)
 *
 * Reads site visits from a CSV. Problems name the physical line of the offending cell
 * (header = line 1, counting the line breaks inside quoted fields) and its column.
 *
 * Returns: (transfer full): the visits, or %NULL with an error when the file as a whole
 *   cannot be read (missing, not UTF-8, no site identifier or coordinate columns)
 */
ZonesSiteVisits *
zones_site_visits_read_csv (const char   *path,
                            ZonesMapping *mapping,
                            GisCrs       *crs,
                            GisCrs       *target_crs,
                            GCancellable *cancellable,
                            GError      **error)
{
  g_autofree char *text = NULL;
  g_autoptr(ZonesSiteVisits) out = NULL;
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GisCrs) source_crs = NULL;
  Reader rd = { 0 };
  Csv c;
  guint start = 0;
  gboolean unterminated = FALSE;
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (mapping == NULL ||
                        g_strcmp0 (zones_mapping_get_role (mapping), "sites") == 0, NULL);

  out = visits_new (path);
  rd.out = out;
  rd.csv = TRUE;
  rd.mapping = mapping;
  if (!csv_open (path, &text, &c, &rd.columns, &rd.n_columns, error))
    goto done;
  rd.format = zones_sites_detect_format ((const char *const *) rd.columns);
  if (crs != NULL)
    source_crs = gis_crs_ref (crs);
  else
    {
      gboolean lonlat = find_first (rd.columns, rd.n_columns, lon_names) >= 0 &&
                        find_first (rd.columns, rd.n_columns, lat_names) >= 0;
      if (rd.format == ZONES_SITES_FORMAT_MAPPED || !lonlat)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                       "“%s” has no CRS; Placer does not guess one: give it (e.g. EPSG:4326 "
                       "for longitude/latitude)", path);
          goto done;
        }
      source_crs = gis_crs_new_from_epsg (4326, error);
      if (source_crs == NULL)
        goto done;
    }
  if (!reader_setup (&rd, source_crs, target_crs, error))
    goto done;

  while (csv_next (&c, cells, lines, &start, &unterminated))
    {
      Row row = { 0 };

      if (csv_blank (cells))
        continue;
      row.cells = (char **) cells->pdata;
      row.n_cells = cells->len;
      row.lines = (const guint *) (gpointer) lines->data;
      row.line = start;
      row.fid = -1;
      if (unterminated)
        {
          rd.out->n_rows++;
          add_problem (&rd, &row, cells->len <= rd.n_columns ? (int) cells->len - 1 : -1, NULL,
                       "a quoted field is never closed (the rest of the file is in it)");
          rd.out->n_malformed_rows++;
          break;
        }
      /* Trailing empty cells are what spreadsheets add; anything more is a broken row. */
      for (guint i = rd.n_columns; i < cells->len; i++)
        if (*g_strstrip ((char *) g_ptr_array_index (cells, i)) != '\0')
          {
            rd.out->n_rows++;
            add_problem (&rd, &row, -1, NULL, "%u fields where the header has %u", cells->len,
                         rd.n_columns);
            rd.out->n_malformed_rows++;
            break;
          }
      if (row.bad)
        continue;
      convert_row (&rd, &row, NULL);
      if ((rd.out->n_rows & 1023) == 0 && g_cancellable_set_error_if_cancelled (cancellable,
                                                                                 error))
        goto done;
    }
  ok = TRUE;

done:
  reader_clear (&rd);
  return ok ? g_steal_pointer (&out) : NULL;
}

typedef struct {
  Reader       *rd;
  GCancellable *cancellable;
} ForeachState;

static gboolean
read_feature_cb (GisFeature *f, gpointer user_data, GError **error)
{
  ForeachState *st = user_data;
  Reader *rd = st->rd;
  /* Not a GStrv: null fields are NULL in the middle of the array. */
  g_autoptr(GPtrArray) cells = g_ptr_array_new_full (f->n_values, g_free);
  Row row = { 0 };

  for (guint i = 0; i < f->n_values; i++)
    g_ptr_array_add (cells, g_strdup (f->values[i]));
  row.cells = (char **) cells->pdata;
  row.n_cells = f->n_values;
  row.fid = f->fid;
  convert_row (rd, &row, f->geometry);
  if ((rd->out->n_rows & 1023) == 0 &&
      g_cancellable_set_error_if_cancelled (st->cancellable, error))
    return FALSE;
  return TRUE;
}

/**
 * zones_site_visits_read_input:
 * @input: a layer of role sites (a file or a project layer), with its field mapping
 * @target_crs: (nullable): the CRS to return geometries in (%NULL keeps the input's)
 *
 * Reads site visits through the layer's field mapping. A layer whose columns are those of
 * IPIS or ICGLR MD-01 (a CSV copied into the project keeps them) also gets the format's
 * extra columns: IPIS mineral2 and mineral3, armed groups and their taxation. Problems name
 * the feature id.
 *
 * Returns: (transfer full): the visits, or %NULL with an error naming the input
 */
ZonesSiteVisits *
zones_site_visits_read_input (ZonesInput   *input,
                              GisCrs       *target_crs,
                              GCancellable *cancellable,
                              GError      **error)
{
  g_autoptr(ZonesSiteVisits) out = NULL;
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  Reader rd = { 0 };
  ForeachState st = { &rd, cancellable };
  gboolean ok = FALSE;

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (g_strcmp0 (input->role, "sites") == 0, NULL);

  out = visits_new (input->label);
  rd.out = out;
  rd.mapping = input->mapping;
  if (input->crs == NULL)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "%s has no CRS", input->label);
      goto done;
    }
  ds = gis_dataset_open (input->path, GIS_OPEN_VECTOR, error);
  if (ds == NULL)
    goto done;
  info = gis_dataset_describe_layer (ds, input->layer, error);
  if (info == NULL)
    goto done;
  rd.n_columns = info->fields->len;
  rd.columns = g_new0 (char *, rd.n_columns + 1);
  for (guint i = 0; i < rd.n_columns; i++)
    rd.columns[i] = g_strdup (((GisFieldInfo *) g_ptr_array_index (info->fields, i))->name);
  rd.format = zones_sites_detect_format ((const char *const *) rd.columns);
  if (!reader_setup (&rd, input->crs, target_crs, error))
    goto done;
  if (!gis_dataset_foreach_feature (ds, info->name, NULL, read_feature_cb, &st, cancellable,
                                    error))
    goto done;
  ok = TRUE;

done:
  reader_clear (&rd);
  return ok ? g_steal_pointer (&out) : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Latest visit per site */

/* Undated visits come before any dated one: they cannot be shown to be the latest. */
static int
date_cmp (const GDate *a, const GDate *b)
{
  gboolean va = g_date_valid (a), vb = g_date_valid (b);

  if (!va || !vb)
    return (int) va - (int) vb;
  return g_date_compare (a, b);
}

typedef struct {
  const ZonesSite *latest;
  const ZonesSite *certified;
  guint            n;
} Acc;

static int
site_id_cmp (gconstpointer a, gconstpointer b)
{
  const ZonesSite *sa = *(ZonesSite *const *) a;
  const ZonesSite *sb = *(ZonesSite *const *) b;
  return strcmp (sa->site_id, sb->site_id);
}

/**
 * zones_sites_latest:
 * @visits: (element-type ZonesSite): visits in source order (several sources appended)
 * @as_of: (nullable): leave out visits dated after this day
 *
 * One record per site: its latest visit by date, ties going to the later row, with the
 * number of visits. Minerals, workers, armed presence and mercury are those of that latest
 * visit. The certification is the one of the latest visit that recorded a status (IPIS
 * records qualification on separate "Qualification status" rows), with that visit's date,
 * so that it can be aged.
 *
 * Returns: (transfer container) (element-type ZonesSite): the sites, sorted by identifier
 */
GPtrArray *
zones_sites_latest (GPtrArray *visits, const GDate *as_of)
{
  g_autoptr(GHashTable) by_site = NULL;
  g_autoptr(GPtrArray) order = NULL;
  GPtrArray *result;

  g_return_val_if_fail (visits != NULL, NULL);

  by_site = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  order = g_ptr_array_new ();
  for (guint i = 0; i < visits->len; i++)
    {
      const ZonesSite *v = g_ptr_array_index (visits, i);
      Acc *acc;

      if (as_of != NULL && g_date_valid (as_of) && g_date_valid (&v->visit_date) &&
          g_date_compare (&v->visit_date, as_of) > 0)
        continue;
      acc = g_hash_table_lookup (by_site, v->site_id);
      if (acc == NULL)
        {
          acc = g_new0 (Acc, 1);
          g_hash_table_insert (by_site, v->site_id, acc);
          g_ptr_array_add (order, (gpointer) v->site_id);
        }
      acc->n++;
      if (acc->latest == NULL || date_cmp (&v->visit_date, &acc->latest->visit_date) >= 0)
        acc->latest = v;
      if (v->certification != NULL &&
          (acc->certified == NULL ||
           date_cmp (&v->certification_date, &acc->certified->certification_date) >= 0))
        acc->certified = v;
    }

  result = g_ptr_array_new_full (order->len, (GDestroyNotify) zones_site_free);
  for (guint i = 0; i < order->len; i++)
    {
      Acc *acc = g_hash_table_lookup (by_site, g_ptr_array_index (order, i));
      ZonesSite *s = zones_site_copy (acc->latest);

      s->visits = acc->n;
      g_free (s->certification);
      s->certification = acc->certified ? g_strdup (acc->certified->certification) : NULL;
      if (acc->certified != NULL)
        s->certification_date = acc->certified->certification_date;
      else
        g_date_clear (&s->certification_date, 1);
      g_ptr_array_add (result, s);
    }
  g_ptr_array_sort (result, site_id_cmp);
  return result;
}

/* ---------------------------------------------------------------------------------------- */
/* Summary and JSON */

/**
 * zones_site_visits_summarise:
 * @summary: (out caller-allocates): what was read
 */
void
zones_site_visits_summarise (ZonesSiteVisits *visits, ZonesSitesSummary *summary)
{
  g_autoptr(GPtrArray) latest = NULL;

  g_return_if_fail (visits != NULL && summary != NULL);

  memset (summary, 0, sizeof *summary);
  g_date_clear (&summary->first_visit, 1);
  g_date_clear (&summary->last_visit, 1);
  summary->n_rows = visits->n_rows;
  summary->n_visits = visits->visits->len;
  summary->n_without_workers = visits->n_without_workers;
  summary->n_malformed_rows = visits->n_malformed_rows;
  for (guint i = 0; i < visits->visits->len; i++)
    {
      const ZonesSite *v = g_ptr_array_index (visits->visits, i);

      if (!g_date_valid (&v->visit_date))
        {
          summary->n_undated++;
          continue;
        }
      if (!g_date_valid (&summary->first_visit) ||
          g_date_compare (&v->visit_date, &summary->first_visit) < 0)
        summary->first_visit = v->visit_date;
      if (!g_date_valid (&summary->last_visit) ||
          g_date_compare (&v->visit_date, &summary->last_visit) > 0)
        summary->last_visit = v->visit_date;
    }
  latest = zones_sites_latest (visits->visits, NULL);
  summary->n_sites = latest->len;
  for (guint i = 0; i < latest->len; i++)
    {
      const ZonesSite *s = g_ptr_array_index (latest, i);
      if (s->workers < 0)
        summary->n_sites_without_workers++;
      else
        summary->workers_total += s->workers;
    }
}

static void
add_date (JsonBuilder *b, const char *member, const GDate *d)
{
  json_builder_set_member_name (b, member);
  if (d != NULL && g_date_valid (d))
    {
      char text[16];
      g_snprintf (text, sizeof text, "%04d-%02d-%02d", g_date_get_year (d),
                  g_date_get_month (d), g_date_get_day (d));
      json_builder_add_string_value (b, text);
    }
  else
    json_builder_add_null_value (b);
}

static void
add_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_answer (JsonBuilder *b, const char *member, ZonesSiteAnswer a)
{
  json_builder_set_member_name (b, member);
  if (a == ZONES_SITE_UNKNOWN)
    json_builder_add_null_value (b);
  else
    json_builder_add_boolean_value (b, a == ZONES_SITE_YES);
}

static void
add_strv (JsonBuilder *b, const char *member, char **values)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; values && values[i]; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

/**
 * zones_site_to_node:
 * @as_of: (nullable): the date the certification is aged to
 * @withhold_sensitive: leave out armed presence, the armed groups and taxation by armed
 *   groups, and the list of which of them the site has; the members are absent, not null,
 *   so that nothing in the record tells a site with armed presence from one without
 *
 * The export record of a site (or visit): what `placer-cli sites list --json` prints.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
zones_site_to_node (const ZonesSite *site, const GDate *as_of, gboolean withhold_sensitive)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  double x, y;

  g_return_val_if_fail (site != NULL, NULL);

  json_builder_begin_object (b);
  add_string (b, "site_id", site->site_id);
  add_string (b, "name", site->name);
  if (zones_site_get_xy (site, &x, &y))
    {
      json_builder_set_member_name (b, "x");
      json_builder_add_double_value (b, x);
      json_builder_set_member_name (b, "y");
      json_builder_add_double_value (b, y);
    }
  json_builder_set_member_name (b, "workers");
  if (site->workers >= 0)
    json_builder_add_int_value (b, site->workers);
  else
    json_builder_add_null_value (b);
  add_strv (b, "minerals", site->minerals);
  add_date (b, "visit_date", &site->visit_date);
  json_builder_set_member_name (b, "visits");
  json_builder_add_int_value (b, site->visits);
  add_string (b, "certification", site->certification);
  add_date (b, "certification_date", &site->certification_date);
  add_string (b, "certification_as_of", zones_site_get_certification_on (site, as_of));
  add_string (b, "country", site->country);
  add_string (b, "activity", site->activity);
  add_answer (b, "mercury", site->mercury);
  if (!withhold_sensitive)
    {
      add_answer (b, "armed_presence", site->armed_presence);
      add_strv (b, "armed_groups", site->armed_groups);
      add_answer (b, "armed_taxation", site->armed_taxation);
      json_builder_set_member_name (b, "sensitive");
      json_builder_begin_array (b);
      if (site->sensitive & ZONES_SITE_SENSITIVE_ARMED_PRESENCE)
        json_builder_add_string_value (b, "armed_presence");
      if (site->sensitive & ZONES_SITE_SENSITIVE_ARMED_TAXATION)
        json_builder_add_string_value (b, "armed_taxation");
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/**
 * zones_site_problem_to_node:
 *
 * Returns: (transfer full): {"line", "feature", "column", "value", "reason"}
 */
JsonNode *
zones_site_problem_to_node (const ZonesSiteProblem *p)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (p != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "line");
  if (p->line > 0)
    json_builder_add_int_value (b, p->line);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "feature");
  if (p->fid >= 0)
    json_builder_add_int_value (b, p->fid);
  else
    json_builder_add_null_value (b);
  add_string (b, "column", p->column);
  add_string (b, "value", p->value);
  add_string (b, "reason", p->reason);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/**
 * zones_site_visits_summary_to_node:
 *
 * Returns: (transfer full): the summary of an import as a JSON object: counts, date range,
 *   workers over the latest visits, malformed rows with line and column, and values read as
 *   unknown
 */
JsonNode *
zones_site_visits_summary_to_node (ZonesSiteVisits *visits)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GList) columns = NULL;
  ZonesSitesSummary s;

  g_return_val_if_fail (visits != NULL, NULL);

  zones_site_visits_summarise (visits, &s);
  json_builder_begin_object (b);
  add_string (b, "source", visits->source);
  add_string (b, "format", zones_sites_format_to_string (visits->format));
#define INT(k, v) \
  do { json_builder_set_member_name (b, k); json_builder_add_int_value (b, v); } while (0)
  INT ("rows", s.n_rows);
  INT ("visits", s.n_visits);
  INT ("sites", s.n_sites);
  INT ("rows_without_workers", s.n_without_workers);
  INT ("malformed_rows", s.n_malformed_rows);
  INT ("undated_visits", s.n_undated);
  add_date (b, "first_visit", &s.first_visit);
  add_date (b, "last_visit", &s.last_visit);
  INT ("workers_latest_total", s.workers_total);
  INT ("sites_without_workers_latest", s.n_sites_without_workers);
#undef INT
  json_builder_set_member_name (b, "malformed");
  json_builder_begin_array (b);
  for (guint i = 0; i < visits->problems->len; i++)
    json_builder_add_value (b, zones_site_problem_to_node (g_ptr_array_index (visits->problems,
                                                                              i)));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "unrecognised");
  json_builder_begin_object (b);
  columns = g_list_sort (g_hash_table_get_keys (visits->unrecognised), (GCompareFunc) strcmp);
  for (GList *l = columns; l; l = l->next)
    {
      GHashTable *values = g_hash_table_lookup (visits->unrecognised, l->data);
      g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (values), (GCompareFunc) strcmp);

      json_builder_set_member_name (b, l->data);
      json_builder_begin_object (b);
      for (GList *k = keys; k; k = k->next)
        {
          json_builder_set_member_name (b, k->data);
          json_builder_add_int_value (b, GPOINTER_TO_UINT (g_hash_table_lookup (values,
                                                                                k->data)));
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/**
 * zones_sites_load_latest:
 * @crs: the CRS to bring the sites' points into
 * @as_of: (nullable): only visits on or before this date
 *
 * Reads every layer of role sites in the project and keeps the latest visit of each site.
 *
 * Returns: (transfer full) (element-type ZonesSite): the sites, by id
 */
GPtrArray *
zones_sites_load_latest (GisProject *project, GisCrs *crs, const GDate *as_of, GError **error)
{
  g_autoptr(GPtrArray) inputs = NULL;
  g_autoptr(GPtrArray) visits = g_ptr_array_new ();
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_site_visits_free);
  g_autoptr(GPtrArray) latest = NULL;
  GPtrArray *out;

  g_return_val_if_fail (GIS_IS_PROJECT (project) && crs != NULL, NULL);

  inputs = zones_inputs_from_project (project, "sites", error);
  if (inputs == NULL)
    return NULL;
  for (guint i = 0; i < inputs->len; i++)
    {
      ZonesSiteVisits *sv = zones_site_visits_read_input (g_ptr_array_index (inputs, i), crs,
                                                          NULL, error);
      if (sv == NULL)
        return NULL;
      g_ptr_array_add (keep, sv);
      for (guint k = 0; k < sv->visits->len; k++)
        g_ptr_array_add (visits, g_ptr_array_index (sv->visits, k));
    }
  latest = zones_sites_latest (visits, as_of != NULL && g_date_valid (as_of) ? as_of : NULL);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_site_free);
  for (guint i = 0; i < latest->len; i++)
    g_ptr_array_add (out, zones_site_copy (g_ptr_array_index (latest, i)));
  return out;
}
