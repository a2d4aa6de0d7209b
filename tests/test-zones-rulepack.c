/* test-zones-rulepack.c: country rule packs: the shipped packs, the schema, malformed input
 *
 * The shipped packs are checked value by value against what DOMAIN.md records, including the
 * verification marks: a value shown as verified when its source is only partly checked would
 * mislead a ministry more than a missing value.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"

#include <locale.h>
#include <string.h>

#include "zones.h"

static const char *const shipped[] = { "generic", "COD", "GHA", "TZA", "SLE", "CIV", "MOZ", NULL };

static char *
packs_dir (void)
{
  return test_source_path ("data/rulepacks");
}

static ZonesRulePack *
load_shipped (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = packs_dir ();
  g_autofree char *file = g_strconcat (name, ".placer-rules", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  ZonesRulePack *pack = zones_rulepack_new_from_file (path, &error);

  assert_no_error (error);
  assert_non_null (pack);
  return pack;
}

static char *
read_shipped (const char *name, gsize *len)
{
  g_autofree char *dir = packs_dir ();
  g_autofree char *file = g_strconcat (name, ".placer-rules", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  char *text = NULL;

  assert_true (g_file_get_contents (path, &text, len, NULL));
  return text;
}

/* Reads a number and checks its value and verification mark; returns the provenance. */
static const ZonesProvenance *
expect_number (ZonesRulePack *pack, const char *section, const char *key, double expected,
               gboolean verified)
{
  const ZonesProvenance *prov = NULL;
  double v = -1;

  if (!zones_rulepack_get_number (pack, section, key, &v, &prov))
    fail_msg ("%s: [%s] %s is not set", zones_rulepack_get_country (pack), section, key);
  assert_close_abs (v, expected, 1e-12);
  assert_non_null (prov);
  assert_int_equal (prov->verified, verified);
  return prov;
}

/* An empty value: not set, but it says why. */
static void
expect_unset (ZonesRulePack *pack, const char *section, const char *key, const char *source)
{
  const ZonesProvenance *prov = NULL;
  const char *text = "untouched";

  assert_false (zones_rulepack_get_text (pack, section, key, &text, &prov));
  assert_string_equal (text, "untouched");
  assert_non_null (prov);
  assert_string_equal (prov->source, source);
  assert_false (prov->verified);
}

static void
test_shipped_packs_load (void **state)
{
  for (guint i = 0; shipped[i] != NULL; i++)
    {
      g_autoptr(ZonesRulePack) pack = load_shipped (shipped[i]);
      g_autoptr(GPtrArray) rows = zones_rulepack_list_rows (pack);
      GDate updated;

      /* The file name and the [pack] section agree. */
      assert_string_equal (zones_rulepack_get_country (pack), shipped[i]);
      assert_int_equal (zones_rulepack_is_generic (pack), i == 0);
      assert_true (strlen (zones_rulepack_get_name (pack)) > 0);
      assert_true (strlen (zones_rulepack_get_law (pack)) > 0);
      zones_rulepack_get_updated (pack, &updated);
      assert_true (g_date_valid (&updated));
      assert_true (rows->len >= 8);
      for (guint r = 0; r < rows->len; r++)
        {
          const ZonesRulePackRow *row = g_ptr_array_index (rows, r);
          const ZonesProvenance *p = row->provenance;

          assert_non_null (p->source);
          assert_true (p->line > 0);
          assert_int_equal (row->is_set, row->value[0] != '\0');
          /* Verified facts point at the text they were checked in. */
          if (p->verified)
            assert_true (g_str_has_prefix (p->source, "http"));
          /* The generic pack holds assumptions only. */
          if (i == 0)
            {
              assert_string_equal (p->source, "assumption");
              assert_false (p->verified);
            }
        }
    }
}

static void
test_civ (void **state)
{
  g_autoptr(ZonesRulePack) pack = load_shipped ("CIV");
  const ZonesProvenance *prov;
  const char *const *buffers = zones_rulepack_list_buffers (pack);
  const char *const *classes = NULL;
  const char *text = NULL;
  double d = 0;

  /* 25 ha comes from one published version of the code: partly verified, so not verified. */
  prov = expect_number (pack, "zone", "max_area_ha", 25, FALSE);
  assert_true (g_str_has_prefix (prov->source, "https://loidici.biz/"));
  assert_non_null (strstr (prov->note, "25 ha"));
  expect_number (pack, "zone", "max_depth_m", 15, FALSE);
  assert_true (zones_rulepack_get_text (pack, "zone", "shape", &text, NULL));
  assert_string_equal (text, "rectangle");

  /* The forbidden zones: 100 m, in the law's two groups, in file order. */
  assert_int_equal (g_strv_length ((char **) buffers), 2);
  assert_string_equal (buffers[0], "enclos_et_lieux_sacres");
  assert_string_equal (buffers[1], "voies_et_points_d_eau");
  expect_number (pack, "buffer.voies_et_points_d_eau", "distance_m", 100, FALSE);
  assert_true (zones_rulepack_get_list (pack, "buffer.voies_et_points_d_eau", "applies_to",
                                        &classes, &prov));
  assert_int_equal (g_strv_length ((char **) classes), 2);
  assert_string_equal (classes[0], "road");
  assert_string_equal (classes[1], "water");
  assert_true (zones_rulepack_get_list (pack, "buffer.enclos_et_lieux_sacres", "applies_to",
                                        &classes, NULL));
  assert_true (g_strv_contains (classes, "sacred_site"));
  assert_true (g_strv_contains (classes, "protected_area"));

  expect_number (pack, "licence.artisanale", "duration_years", 2, FALSE);
  assert_true (zones_rulepack_get_text (pack, "licence.artisanale", "title", &text, NULL));
  assert_string_equal (text, "Autorisation d'exploitation minière artisanale");
  /* Not written at all: no provenance; written empty: a reason. */
  assert_false (zones_rulepack_get_number (pack, "licence.artisanale", "max_cells", &d, &prov));
  assert_null (prov);
  expect_unset (pack, "fiscal", "royalty_gold_pct", "none found");
}

static void
test_sle (void **state)
{
  g_autoptr(ZonesRulePack) pack = load_shipped ("SLE");
  const ZonesProvenance *prov;

  prov = expect_number (pack, "zone", "max_area_ha", 1, TRUE);
  assert_string_equal (prov->source, "https://sierralii.gov.sl/akn/sl/act/2023/16/eng@2023-05-12");
  expect_number (pack, "zone", "max_depth_m", 10, TRUE);
  expect_number (pack, "licence.artisanal", "max_area_ha", 1, TRUE);
  expect_number (pack, "licence.artisanal", "max_depth_m", 10, TRUE);
  expect_unset (pack, "zone", "min_area_ha", "none found");
  assert_string_equal (zones_rulepack_get_law (pack),
                       "Mines and Minerals Development Act, 2022 (Act 16 of 2023)");
}

static void
test_tza (void **state)
{
  g_autoptr(ZonesRulePack) pack = load_shipped ("TZA");
  const char *const *licences = zones_rulepack_list_licences (pack);
  const ZonesProvenance *prov;

  assert_string_equal (licences[0], "pml");
  assert_string_equal (licences[1], "sml");
  assert_string_equal (licences[2], "prospecting");
  assert_null (licences[3]);
  prov = expect_number (pack, "licence.pml", "max_area_ha", 10, TRUE);
  assert_non_null (strstr (prov->source, "kkbattorneys.co.tz"));
  /* The term comes from a law-firm blog: partly verified. */
  expect_number (pack, "licence.pml", "duration_years", 4, FALSE);
  expect_number (pack, "licence.sml", "max_area_ha", 3500, TRUE);
  /* Tanzania limits licences, not zones. */
  expect_unset (pack, "zone", "max_area_ha", "none found");
}

static void
test_gha (void **state)
{
  g_autoptr(ZonesRulePack) pack = load_shipped ("GHA");
  const ZonesProvenance *prov;

  expect_number (pack, "licence.ssm", "max_cells", 12, TRUE);
  /* 25.2 acres in hectares is derived, so it is not verified, and the note shows why. */
  prov = expect_number (pack, "licence.ssm", "max_area_ha", 10.2, FALSE);
  assert_non_null (strstr (prov->note, "25.2 acres × 0.40468564224"));
  assert_close_rel (25.2 * 0.40468564224, 10.2, 0.001);
  prov = expect_number (pack, "zone", "cell_area_ha", 0.85, FALSE);
  assert_close_rel (25.2 / 12 * 0.40468564224, 0.85, 0.001);
  /* The unit's arc-second size is unknown, so no whole-cell rule can be enforced. */
  expect_unset (pack, "zone", "grid_arcsec", "none found");
  expect_unset (pack, "zone", "grid_required", "none found");
}

static void
test_moz_and_cod_grids (void **state)
{
  g_autoptr(ZonesRulePack) moz = load_shipped ("MOZ");
  g_autoptr(ZonesRulePack) cod = load_shipped ("COD");
  const ZonesProvenance *prov;
  const char *text = NULL;
  gboolean b = FALSE;

  expect_number (moz, "zone", "grid_arcsec", 15, TRUE);
  expect_number (moz, "zone", "cell_area_ha", 20, TRUE);
  expect_unset (moz, "licence.senha_mineira", "max_area_ha", "none found");

  /* The 30″ spacing is in a source that does not name the country; ≈85 ha is verified. */
  prov = expect_number (cod, "zone", "grid_arcsec", 30, FALSE);
  assert_string_equal (prov->source, "https://thaurfin.com/");
  expect_number (cod, "zone", "cell_area_ha", 85, TRUE);
  assert_true (zones_rulepack_get_boolean (cod, "zone", "grid_required", &b, NULL));
  assert_true (b);
  expect_unset (cod, "zone", "max_area_ha", "none found");
  expect_number (cod, "licence.carte_exploitant_artisanal", "duration_years", 1, TRUE);
  expect_number (cod, "licence.permis_de_recherches", "duration_years", 5, TRUE);
  assert_true (zones_rulepack_get_text (cod, "sanctions", "mercury", &text, &prov));
  assert_true (g_str_has_prefix (text, "prohibited"));
  assert_true (prov->verified);
}

static void
test_generic (void **state)
{
  g_autoptr(ZonesRulePack) pack = load_shipped ("generic");
  const ZonesProvenance *prov;
  gboolean b = TRUE;

  prov = expect_number (pack, "zone", "min_deposit_share", 0.5, FALSE);
  assert_string_equal (prov->source, "assumption");
  expect_number (pack, "zone", "max_water_share", 0.5, FALSE);
  expect_number (pack, "zone", "min_distance_industrial_m", 500, FALSE);
  expect_unset (pack, "zone", "max_area_ha", "assumption");
  expect_unset (pack, "zone", "min_area_ha", "assumption");
  assert_true (zones_rulepack_get_boolean (pack, "zone", "grid_required", &b, NULL));
  assert_false (b);
  assert_null (zones_rulepack_list_licences (pack)[0]);
  assert_null (zones_rulepack_list_buffers (pack)[0]);
}

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  assert_true (g_file_set_contents (path, text, -1, NULL));
}

#define HEAD(c) "[pack]\ncountry = " c "\nname = T\nlaw = L\nupdated = 2024-01-01\n"

static void
test_find_for_country (void **state)
{
  g_autofree char *dir = packs_dir ();
  g_autofree char *tmp = test_tmpdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesRulePack) xyz = zones_rulepack_find_for_country ("XYZ", dir, &error);
  g_autoptr(ZonesRulePack) civ = NULL;
  g_autoptr(ZonesRulePack) lower = NULL;
  ZonesRulePack *p;

  assert_no_error (error);
  assert_string_equal (zones_rulepack_get_country (xyz), "generic");
  civ = zones_rulepack_find_for_country ("CIV", dir, &error);
  assert_no_error (error);
  assert_string_equal (zones_rulepack_get_country (civ), "CIV");
  lower = zones_rulepack_find_for_country ("civ", dir, &error);
  assert_no_error (error);
  assert_string_equal (zones_rulepack_get_country (lower), "CIV");

  p = zones_rulepack_find_for_country ("CI", dir, &error);
  assert_null (p);
  assert_true (g_error_matches (error, ZONES_ERROR, ZONES_ERROR_INPUT));
  g_clear_error (&error);

  /* A broken country pack is an error: falling back to generic would drop its limits. */
  write_file (tmp, "generic.placer-rules", HEAD ("generic"));
  write_file (tmp, "CIV.placer-rules", HEAD ("CIV") "[zone]\nmax_area_ha = 25ha | source = x "
              "| verified = no\n");
  p = zones_rulepack_find_for_country ("CIV", tmp, &error);
  assert_null (p);
  assert_error_contains (error, "CIV.placer-rules:7: [zone] max_area_ha: “25ha” is not a number");
  g_clear_error (&error);

  /* The file name and the pack's country must agree. */
  write_file (tmp, "GHA.placer-rules", HEAD ("CIV"));
  p = zones_rulepack_find_for_country ("GHA", tmp, &error);
  assert_null (p);
  assert_error_contains (error, "GHA.placer-rules:2: [pack] country: “CIV” does not match");
  g_clear_error (&error);

  p = zones_rulepack_find_for_country ("TZA", tmp, &error);
  assert_no_error (error);
  assert_true (zones_rulepack_is_generic (p));
  zones_rulepack_free (p);

  /* No pack and no generic pack: the file error says which file. */
  test_rmtree (tmp);
  p = zones_rulepack_find_for_country ("TZA", tmp, &error);
  assert_null (p);
  assert_true (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT));
  assert_error_contains (error, "generic.placer-rules");
}

#define T(s) s, sizeof (s) - 1
#define PROV " | source = x | verified = no"

static void
test_malformed (void **state)
{
  const struct {
    const char *text;
    gsize       len;
    const char *where;
    const char *msg;
  } bad[] = {
    { T (HEAD ("CIV") "[zones]\n"), ":6: ", "unknown section [zones]" },
    { T (HEAD ("CIV") "[license.pml]\n"), ":6: ", "the section is spelt licence" },
    { T (HEAD ("CIV") "[zone]\nmax_area = 25" PROV "\n"), ":7: ", "[zone] max_area: unknown key" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 25 | source = x\n"), ":7: ",
      "[zone] max_area_ha: no verified mark" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 25 | verified = no\n"), ":7: ",
      "[zone] max_area_ha: no source" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 25 | source = | verified = no\n"), ":7: ",
      "[zone] max_area_ha: source is empty" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 25ha" PROV "\n"), ":7: ",
      "[zone] max_area_ha: “25ha” is not a number" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = nan" PROV "\n"), ":7: ",
      "[zone] max_area_ha: “nan” is not a number" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = inf" PROV "\n"), ":7: ",
      "[zone] max_area_ha: “inf” is not a number" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 0x19" PROV "\n"), ":7: ",
      "[zone] max_area_ha: “0x19” is not a number" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 2,5" PROV "\n"), ":7: ",
      "[zone] max_area_ha: “2,5” is not a number" },
    { T (HEAD ("CIV") "[zone]\nmax_depth_m = -3" PROV "\n"), ":7: ",
      "[zone] max_depth_m: “-3” is negative" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 1e999" PROV "\n"), ":7: ",
      "[zone] max_area_ha: “1e999” is out of range" },
    { T (HEAD ("CIV") "[zone]\nmin_deposit_share = 1.5" PROV "\n"), ":7: ",
      "[zone] min_deposit_share: “1.5” must be a share from 0 to 1" },
    { T (HEAD ("CIV") "[zone]\nmax_cells = 12.5" PROV "\n"), ":7: ",
      "[zone] max_cells: “12.5” must be a whole number" },
    { T (HEAD ("CIV") "[zone]\ngrid_arcsec = 0" PROV "\n"), ":7: ", "[zone] grid_arcsec: “0”" },
    { T (HEAD ("CIV") "[fiscal]\nroyalty_gold_pct = 101" PROV "\n"), ":7: ",
      "[fiscal] royalty_gold_pct: “101” must be a percentage" },
    { T (HEAD ("CIV") "[zone]\ngrid_required = maybe" PROV "\n"), ":7: ",
      "[zone] grid_required: “maybe” is not yes or no" },
    { T (HEAD ("CIV") "[zone]\nshape = circle" PROV "\n"), ":7: ",
      "[zone] shape: “circle” is not a shape" },
    { T ("[pack]\ncountry = CIV\nname = T\nlaw = L\nupdated = 2024-13-01\n"), ":5: ",
      "[pack] updated: “2024-13-01” is not a date" },
    { T ("[pack]\ncountry = CIV\nname = T\nlaw = L\nupdated = 2023-02-29\n"), ":5: ",
      "[pack] updated: “2023-02-29” is not a date" },
    { T ("[pack]\ncountry = CIV\nname = T\nlaw = L\nupdated = 01/02/2024\n"), ":5: ",
      "[pack] updated: “01/02/2024” is not a date" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 1" PROV "\n\n# again\nmax_area_ha = 2" PROV "\n"),
      ":10: ", "[zone] max_area_ha: duplicate key (first at line 7)" },
    { T (HEAD ("CIV") "[zone]\n[fiscal]\n[zone]\n"), ":8: ",
      "[zone] appears twice (first at line 6)" },
    { T ("country = CIV\n[pack]\n"), ":1: ", "key country before any [section]" },
    { T (HEAD ("CIV") "[zone\nmax_area_ha = 1" PROV "\n"), ":6: ", "unterminated section header" },
    { T (HEAD ("CIV") "[zone] # comment\n"), ":6: ", "text after the section header" },
    { T (HEAD ("CIV") "[buffer]\n"), ":6: ", "[buffer] needs a name" },
    { T (HEAD ("CIV") "[buffer.Roads]\n"), ":6: ", "[buffer.Roads]: the name after the dot" },
    { T (HEAD ("CIV") "[zone.main]\n"), ":6: ", "[zone.main] takes no name" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha 25\n"), ":7: ", "[zone]: “max_area_ha 25” is not key" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 1 | source = caf\xe9 | verified = no\n"), ":7: ",
      "not UTF-8" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 1\0" PROV "\n"), ":7: ", "a NUL byte" },
    { T (""), ":1: ", "empty rule pack" },
    { T ("# nothing but a comment\n\n"), ":1: ", "empty rule pack" },
    { T ("[zone]\nmax_area_ha = 1" PROV "\n"), ":1: ", "no [pack] section" },
    { T ("[pack]\ncountry = CI\nname = T\nlaw = L\nupdated = 2024-01-01\n"), ":2: ",
      "[pack] country: “CI” is not an ISO 3166-1 alpha-3 code" },
    { T ("[pack]\ncountry = civ\nname = T\nlaw = L\nupdated = 2024-01-01\n"), ":2: ",
      "[pack] country: “civ” is not an ISO 3166-1 alpha-3 code" },
    { T ("[pack]\ncountry = CIV\n"), ":1: ", "[pack] name: missing" },
    { T ("[pack]\ncountry = CIV\nname =\n"), ":3: ", "[pack] name: empty value" },
    { T ("[pack]\ncountry = CIV | source = x | verified = no\n"), ":2: ",
      "[pack] country: [pack] values take no | source" },
    { T (HEAD ("CIV") "[licence.pml]\nholder = x" PROV "\n"), ":6: ",
      "[licence.pml] title: missing" },
    { T (HEAD ("CIV") "[buffer.roads]\ndistance_m = 100" PROV "\napplies_to = road, volcano" PROV
         "\n"), ":8: ", "[buffer.roads] applies_to: “volcano” is not a land-use class" },
    { T (HEAD ("CIV") "[buffer.roads]\ndistance_m = 100" PROV "\napplies_to = road, road" PROV
         "\n"), ":8: ", "[buffer.roads] applies_to: “road” is listed twice" },
    { T (HEAD ("CIV") "[buffer.roads]\napplies_to = road" PROV "\n"), ":6: ",
      "[buffer.roads] distance_m: missing" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 1 | source = x | verified = maybe\n"), ":7: ",
      "[zone] max_area_ha: verified = “maybe” is not yes or no" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 1 | source = x | verified = no | sauce = y\n"),
      ":7: ", "[zone] max_area_ha: unknown attribute “sauce”" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 1 | source = x | source = y | verified = no\n"),
      ":7: ", "[zone] max_area_ha: source given twice" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 1 | source = x | verified\n"), ":7: ",
      "[zone] max_area_ha: “verified” after | is not name = text" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 1 | source = assumption | verified = yes\n"), ":7: ",
      "[zone] max_area_ha: an assumption cannot be verified" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 1 | source = none found | verified = no\n"), ":7: ",
      "[zone] max_area_ha: “1” has source = none found" },
    { T (HEAD ("CIV") "[zone]\nmax_area_ha = 1" PROV "\nmin_area_ha = 5" PROV "\n"), ":8: ",
      "[zone] min_area_ha: 5 ha is more than max_area_ha 1 ha" },
    { T (HEAD ("CIV") "[zone]\ngrid_required = yes" PROV "\n"), ":7: ",
      "[zone] grid_required: “yes” needs grid_arcsec" },
    { T (HEAD ("CIV") "[zone]\nshape = cells" PROV "\n"), ":7: ",
      "[zone] shape: “cells” needs grid_arcsec" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(ZonesRulePack) p = zones_rulepack_new_from_data (bad[i].text, bad[i].len,
                                                                 "t.placer-rules", &e);
      g_autofree char *where = g_strconcat ("t.placer-rules", bad[i].where, NULL);

      if (p != NULL)
        fail_msg ("case %u was accepted; expected “%s”", i, bad[i].msg);
      assert_true (g_error_matches (e, ZONES_ERROR, ZONES_ERROR_RULES));
      if (!g_str_has_prefix (e->message, where))
        fail_msg ("case %u: “%s” does not start with “%s”", i, e->message, where);
      assert_error_contains (e, bad[i].msg);
    }
}

static void
test_format_details (void **state)
{
  /* A byte-order mark, CRLF line ends, blank lines, comments, '#' and '=' inside values, an
   * exponent, and an empty value with a reason: all fine. */
  static const char text[] =
    "\xEF\xBB\xBF# a pack written on Windows\r\n"
    "[pack]\r\ncountry = GHA\r\nname = Test pack\r\nlaw = Act 1\r\nupdated = 2024-02-29\r\n\r\n"
    "  [zone]  \r\n"
    "max_area_ha = 2.5e1 | source = https://example.org/law?a=1#art-69 | verified = yes\r\n"
    "   # indented comment\r\n"
    "min_area_ha = | source = none found | verified = no | note = searched the 2006 act\r\n"
    "grid_arcsec = 15 | verified = no | source = decree art. 1 | note = order is free\r\n"
    "grid_required = yes | source = decree art. 1 | verified = no\r\n"
    "[fiscal]\r\nexport_tax = 3% of value | source = x | verified = no |  note =  \r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesRulePack) p = zones_rulepack_new_from_data (text, -1, "w.placer-rules", &error);
  g_autoptr(GPtrArray) rows = NULL;
  const ZonesProvenance *prov = NULL;
  const char *s = NULL;
  const ZonesRulePackRow *row;
  GDate d;
  double v = 0;

  assert_no_error (error);
  assert_string_equal (zones_rulepack_get_label (p), "w.placer-rules");
  assert_string_equal (zones_rulepack_get_country (p), "GHA");
  assert_string_equal (zones_rulepack_get_name (p), "Test pack");
  zones_rulepack_get_updated (p, &d);
  assert_int_equal (g_date_get_day (&d), 29);
  assert_int_equal (g_date_get_month (&d), 2);
  assert_true (zones_rulepack_get_number (p, "zone", "max_area_ha", &v, &prov));
  assert_close_abs (v, 25, 0);
  assert_string_equal (prov->source, "https://example.org/law?a=1#art-69");
  assert_true (prov->verified);
  assert_null (prov->note);
  assert_int_equal (prov->line, 9);
  assert_false (zones_rulepack_get_number (p, "zone", "min_area_ha", &v, &prov));
  assert_string_equal (prov->note, "searched the 2006 act");
  assert_true (zones_rulepack_get_number (p, "zone", "grid_arcsec", &v, &prov));
  assert_string_equal (prov->source, "decree art. 1");
  assert_true (zones_rulepack_get_text (p, "fiscal", "export_tax", &s, &prov));
  assert_string_equal (s, "3% of value");
  assert_null (prov->note);
  /* Any key may be read as text, as written. */
  assert_true (zones_rulepack_get_text (p, "zone", "max_area_ha", &s, NULL));
  assert_string_equal (s, "2.5e1");
  /* [pack] values describe the pack: no provenance. */
  assert_true (zones_rulepack_get_text (p, "pack", "law", &s, &prov));
  assert_string_equal (s, "Act 1");
  assert_null (prov);
  /* A licence the pack does not have. */
  assert_false (zones_rulepack_get_number (p, "licence.pml", "max_area_ha", &v, &prov));
  assert_null (prov);
  assert_true (zones_rulepack_has_key (p, "zone", "min_area_ha"));
  assert_false (zones_rulepack_has_key (p, "zone", "max_depth_m"));

  /* Rows: every value outside [pack], file order, empty ones included. */
  rows = zones_rulepack_list_rows (p);
  assert_int_equal (rows->len, 5);
  row = g_ptr_array_index (rows, 0);
  assert_string_equal (row->section, "zone");
  assert_string_equal (row->key, "max_area_ha");
  assert_int_equal (row->type, ZONES_RULEPACK_NUMBER);
  row = g_ptr_array_index (rows, 1);
  assert_string_equal (row->key, "min_area_ha");
  assert_false (row->is_set);
  assert_string_equal (row->value, "");
  assert_string_equal (row->provenance->source, "none found");
  row = g_ptr_array_index (rows, 4);
  assert_string_equal (row->section, "fiscal");
  assert_int_equal (row->type, ZONES_RULEPACK_TEXT);
}

/* Numbers are read the same in every locale (a French desktop writes 2,5 on screen). */
static void
test_numbers_ignore_locale (void **state)
{
  static const char text[] = HEAD ("CIV") "[zone]\nmax_area_ha = 2.5" PROV "\n";
  const char *locales[] = { "fr_FR.UTF-8", "de_DE.UTF-8", "pt_MZ.UTF-8", "C.UTF-8" };
  g_autofree char *saved = g_strdup (setlocale (LC_NUMERIC, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (locales); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ZonesRulePack) p = NULL;
      double v = 0;

      if (setlocale (LC_NUMERIC, locales[i]) == NULL)
        continue;   /* not installed here; C.UTF-8 always is */
      p = zones_rulepack_new_from_data (text, -1, "t", &error);
      assert_no_error (error);
      assert_true (zones_rulepack_get_number (p, "zone", "max_area_ha", &v, NULL));
      assert_close_abs (v, 2.5, 0);
    }
  setlocale (LC_NUMERIC, saved);
}

static void
test_schema (void **state)
{
  assert_true (zones_rulepack_key_is_known ("zone", "max_area_ha"));
  assert_true (zones_rulepack_key_is_known ("licence.pml", "max_cells"));
  assert_true (zones_rulepack_key_is_known ("buffer.roads", "applies_to"));
  assert_false (zones_rulepack_key_is_known ("licence", "title"));
  assert_false (zones_rulepack_key_is_known ("zone", "title"));
  assert_false (zones_rulepack_key_is_known ("zones", "max_area_ha"));
  assert_int_equal (zones_rulepack_key_type ("zone", "grid_required"), ZONES_RULEPACK_BOOLEAN);
  assert_int_equal (zones_rulepack_key_type ("buffer.x", "applies_to"), ZONES_RULEPACK_LIST);
  assert_int_equal (zones_rulepack_key_type ("pack", "updated"), ZONES_RULEPACK_DATE);
  assert_int_equal (zones_rulepack_key_type ("licence.x", "fee"), ZONES_RULEPACK_TEXT);
  assert_int_equal (zones_rulepack_key_type ("fiscal", "royalty_3t_pct"), ZONES_RULEPACK_NUMBER);
}

/* Loading never crashes, whatever prefix of a real pack it is given: it returns a pack or an
 * error, never both, never neither. */
static void
test_truncated_prefixes (void **state)
{
  gsize len = 0;
  g_autofree char *text = read_shipped ("CIV", &len);
  guint n_ok = 0;

  for (gsize n = 0; n <= len; n++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(ZonesRulePack) p = zones_rulepack_new_from_data (text, (gssize) n, "cut", &e);

      assert_true ((p == NULL) != (e == NULL));
      if (e != NULL)
        assert_true (g_str_has_prefix (e->message, "cut:"));
      else
        n_ok++;
    }
  /* The whole file loads, and so does every cut that ends on a complete line. */
  assert_true (n_ok >= 1);
  {
    g_autoptr(ZonesRulePack) whole = zones_rulepack_new_from_data (text, (gssize) len, "w", NULL);
    assert_non_null (whole);
  }
}

/* Overwriting bytes of a real pack with the characters the grammar cares about, and with
 * bytes that are not text, must give an error or a pack, never a crash. */
static void
test_corrupted_bytes (void **state)
{
  gsize len = 0;
  g_autofree char *text = read_shipped ("COD", &len);
  const char subst[] = { '[', ']', '=', '|', '\n', '#', '.', '\0', (char) 0xff };

  for (gsize at = 0; at < len; at += 5)
    for (guint k = 0; k < G_N_ELEMENTS (subst); k++)
      {
        g_autofree char *copy = g_memdup2 (text, len);
        g_autoptr(GError) e = NULL;
        g_autoptr(ZonesRulePack) p = NULL;

        copy[at] = subst[k];
        p = zones_rulepack_new_from_data (copy, (gssize) len, "x", &e);
        assert_true ((p == NULL) != (e == NULL));
      }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_shipped_packs_load),
    cmocka_unit_test (test_civ),
    cmocka_unit_test (test_sle),
    cmocka_unit_test (test_tza),
    cmocka_unit_test (test_gha),
    cmocka_unit_test (test_moz_and_cod_grids),
    cmocka_unit_test (test_generic),
    cmocka_unit_test (test_find_for_country),
    cmocka_unit_test (test_malformed),
    cmocka_unit_test (test_format_details),
    cmocka_unit_test (test_numbers_ignore_locale),
    cmocka_unit_test (test_schema),
    cmocka_unit_test (test_truncated_prefixes),
    cmocka_unit_test (test_corrupted_bytes),
  };

  return cmocka_run_group_tests_name ("zones-rulepack", tests, NULL, NULL);
}
