/* test-zones-sites.c: ASM site visits from IPIS, ICGLR MD-01 and mapped layers
 *
 * Expected values are not read back from Placer. For the full IPIS file they were counted
 * with Python's csv module:
 *
 *   rows = list(csv.DictReader(open(path, newline='', encoding='utf-8')))
 *   len(rows)                                   → 5071 visits
 *   len({r['pcode'] for r in rows})             → 2988 sites
 *   sum(r['workers_numb'] == '' for r in rows)  → 1183 visits without workers
 *   min/max(r['visit_date'])                    → 2009-01-01, 2020-10-31
 *   latest row per pcode = max by (visit_date, csv line) →
 *     sum of its workers_numb where not blank   → 413007, blank at 549 sites
 *
 * and single sites by reading the file: codmine00191 has two visits, lines 2 (2009-01-01,
 * 300 workers) and 625 (2013-03-21, 73 workers, Or); codmine02639 was visited twice on
 * 2018-09-04, lines 4266 (33 workers, Cassitérite) and 4267 (6 workers, Tourmaline), so the
 * later row wins; codmine01323's latest visit (line 2170, 2015-05-27, 100 workers) lists Or,
 * Digénite, Cassitérite; codmine01209's latest status is "Vert" on a "Qualification status"
 * row of 2015-04-25 (line 2090), while its latest visit is an iTSCi row of 2018-01-01.
 *
 * The hand-made fixtures are described where they are used.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-common.h"
#include "test-cli-run.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "zones.h"

#define IPIS_CSV "data/ipis/cod_mines_curated_all_opendata_p_ipis.csv"

static GDate
date (const char *text)
{
  GDate d;
  assert_true (zones_parse_date (text, &d));
  return d;
}

static void
assert_date (const GDate *d, const char *text)
{
  char buf[16];

  assert_true (g_date_valid (d));
  g_snprintf (buf, sizeof buf, "%04d-%02d-%02d", g_date_get_year (d), g_date_get_month (d),
              g_date_get_day (d));
  assert_string_equal (buf, text);
}

static void
assert_minerals (const ZonesSite *s, const char *const *expected)
{
  guint n = g_strv_length (s->minerals);

  if (n != g_strv_length ((char **) expected))
    {
      g_autofree char *got = g_strjoinv (",", s->minerals);
      fail_msg ("site %s: minerals %s", s->site_id, got);
    }
  for (guint i = 0; i < n; i++)
    assert_string_equal (s->minerals[i], expected[i]);
}

#define MINERALS(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define NO_MINERALS ((const char *const[]) { NULL })

static const ZonesSite *
find_site (GPtrArray *sites, const char *id)
{
  for (guint i = 0; i < sites->len; i++)
    {
      const ZonesSite *s = g_ptr_array_index (sites, i);
      if (g_str_equal (s->site_id, id))
        return s;
    }
  fail_msg ("no site %s", id);
  return NULL;
}

static ZonesSiteVisits *
read_csv_ok (const char *relative, GisCrs *crs, GisCrs *target)
{
  g_autofree char *path = test_data_path (relative);
  g_autoptr(GError) error = NULL;
  ZonesSiteVisits *v = zones_site_visits_read_csv (path, NULL, crs, target, NULL, &error);

  assert_no_error (error);
  assert_non_null (v);
  return v;
}

/* ---------------------------------------------------------------------------------------- */

static void
test_ipis_full_file (void **state)
{
  g_autoptr(ZonesSiteVisits) v = read_csv_ok (IPIS_CSV, NULL, NULL);
  g_autoptr(GPtrArray) latest = NULL;
  ZonesSitesSummary s;
  const ZonesSite *site;
  double x, y;

  assert_int_equal (v->format, ZONES_SITES_FORMAT_IPIS);
  assert_int_equal (gis_crs_get_epsg (v->crs), 4326);
  zones_site_visits_summarise (v, &s);
  assert_int_equal (s.n_rows, 5071);
  assert_int_equal (s.n_visits, 5071);
  assert_int_equal (s.n_sites, 2988);
  assert_int_equal (s.n_without_workers, 1183);
  assert_int_equal (s.n_malformed_rows, 0);
  assert_int_equal (v->problems->len, 0);
  assert_int_equal (s.n_undated, 0);
  assert_date (&s.first_visit, "2009-01-01");
  assert_date (&s.last_visit, "2020-10-31");
  assert_int_equal (s.workers_total, 413007);
  assert_int_equal (s.n_sites_without_workers, 549);

  /* Blank worker numbers are unknown, never zero. */
  for (guint i = 0, blank = 0; i < v->visits->len; i++)
    {
      const ZonesSite *visit = g_ptr_array_index (v->visits, i);
      assert_true (visit->workers >= -1);
      blank += visit->workers == -1;
      if (i == v->visits->len - 1)
        assert_int_equal (blank, 1183);
    }

  latest = zones_sites_latest (v->visits, NULL);
  assert_int_equal (latest->len, 2988);

  site = find_site (latest, "codmine00191");
  assert_date (&site->visit_date, "2013-03-21");
  assert_int_equal (site->workers, 73);
  assert_int_equal (site->visits, 2);
  assert_int_equal (site->line, 625);
  assert_string_equal (site->name, "Eohe");
  assert_string_equal (site->country, "COD");
  assert_minerals (site, MINERALS ("gold"));
  assert_true (zones_site_get_xy (site, &x, &y));
  /* POINT (28.71258 0.33188) on line 2; line 625 has the same coordinates. */
  assert_close_abs (x, 28.71258, 1e-9);
  assert_close_abs (y, 0.33188, 1e-9);

  /* Two visits on the same day: the later row is the latest. */
  site = find_site (latest, "codmine02639");
  assert_date (&site->visit_date, "2018-09-04");
  assert_int_equal (site->line, 4267);
  assert_int_equal (site->workers, 6);
  assert_minerals (site, MINERALS ("other"));

  /* mineral1..3 are all read; Digénite is a mineral Placer does not track. */
  site = find_site (latest, "codmine01323");
  assert_int_equal (site->workers, 100);
  assert_minerals (site, MINERALS ("gold", "other", "cassiterite"));

  /* The status comes from the latest row that recorded one, with that row's date. */
  site = find_site (latest, "codmine01209");
  assert_date (&site->visit_date, "2018-01-01");
  assert_int_equal (site->workers, -1);
  assert_string_equal (site->certification, "green");
  assert_date (&site->certification_date, "2015-04-25");
  {
    GDate d = date ("2016-04-25");
    assert_string_equal (zones_site_get_certification_on (site, &d), "green");
    d = date ("2019-04-25");
    assert_string_equal (zones_site_get_certification_on (site, &d), "blue");
    d = date ("2020-10-31");
    assert_string_equal (zones_site_get_certification_on (site, &d), "red");
  }
}

/* ipis-style.csv, by line (header = 1):
 *   2  codmine90001 2019-05-01 120 workers, Or, presence 1, FARDC, taxed
 *   3  codmine90002 2019-05-02 blank workers, Cassitérite/Coltan/Tourmaline, Vert
 *   4  workers 12.5          → malformed (workers_numb)
 *   5  workers -3            → malformed (workers_numb)
 *   6  latitude abc          → malformed (latitude)
 *   7  longitude blank       → malformed (longitude)
 *   8  date 2019-13-45       → malformed (visit_date)
 *   9–10 codmine90008, name "Theta\nNord" quoted over two lines; 40 workers, Wolframite,
 *      Cuivre, Diamant, Jaune
 *   11 workers abc           → malformed (workers_numb): counted after the two-line record
 *   12 codmine90001 2020-06-01 150, Or/Cobalt, presence 1, taxation 0, Rouge
 *   13 codmine90001 2020-06-01 90, "inconnu", presence 0 (same day: later row wins)
 *   14 codmine90002 2018-01-01 300, Or, Jaune
 *   15 blank line
 *   16 codmine90010 no date, 5 workers, Coltan, "Not class"
 * Python's csv module reads 13 data rows (lines 2–8, 10 (where it ends the two-line
 * record), 11–14, 16) and 10 distinct pcodes among them, 4 among the 7 good rows. */
static void
test_malformed_rows_are_reported (void **state)
{
  g_autoptr(ZonesSiteVisits) v = read_csv_ok ("data/sites/ipis-style.csv", NULL, NULL);
  static const struct {
    guint       line;
    const char *column;
    const char *value;
  } expected[] = {
    { 4, "workers_numb", "12.5" },
    { 5, "workers_numb", "-3" },
    { 6, "latitude", "abc" },
    { 7, "longitude", NULL },
    { 8, "visit_date", "2019-13-45" },
    { 11, "workers_numb", "abc" },
  };
  ZonesSitesSummary s;

  zones_site_visits_summarise (v, &s);
  assert_int_equal (s.n_rows, 13);
  assert_int_equal (s.n_malformed_rows, 6);
  assert_int_equal (s.n_visits, 7);
  assert_int_equal (s.n_sites, 4);
  assert_int_equal (s.n_without_workers, 1);
  assert_int_equal (s.n_undated, 1);
  assert_date (&s.first_visit, "2018-01-01");
  assert_date (&s.last_visit, "2020-06-01");
  /* Latest visits: 90001 line 13 (90), 90002 line 3 (blank), 90008 (40), 90010 (5). */
  assert_int_equal (s.workers_total, 135);
  assert_int_equal (s.n_sites_without_workers, 1);

  assert_int_equal (v->problems->len, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      ZonesSiteProblem *p = g_ptr_array_index (v->problems, i);
      assert_int_equal (p->line, expected[i].line);
      assert_int_equal (p->fid, -1);
      assert_string_equal (p->column, expected[i].column);
      if (expected[i].value != NULL)
        assert_string_equal (p->value, expected[i].value);
      else
        assert_null (p->value);
    }
  assert_non_null (strstr (((ZonesSiteProblem *) g_ptr_array_index (v->problems, 0))->reason,
                           "whole number"));

  /* The visits that did import, in file order. */
  {
    static const guint lines[] = { 2, 3, 9, 12, 13, 14, 16 };
    assert_int_equal (v->visits->len, G_N_ELEMENTS (lines));
    for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
      assert_int_equal (((ZonesSite *) g_ptr_array_index (v->visits, i))->line, lines[i]);
  }
}

static void
test_workers_minerals_and_latest (void **state)
{
  g_autoptr(ZonesSiteVisits) v = read_csv_ok ("data/sites/ipis-style.csv", NULL, NULL);
  g_autoptr(GPtrArray) latest = zones_sites_latest (v->visits, NULL);
  const ZonesSite *visit, *site;
  GDate as_of;

  /* An empty workers cell is unknown (-1), French minerals map, a multi-mineral visit. */
  visit = g_ptr_array_index (v->visits, 1);
  assert_string_equal (visit->site_id, "codmine90002");
  assert_int_equal (visit->workers, -1);
  assert_minerals (visit, MINERALS ("cassiterite", "coltan", "other"));
  assert_int_equal (visit->mercury, ZONES_SITE_NO);
  assert_string_equal (visit->certification, "green");

  visit = g_ptr_array_index (v->visits, 2);
  assert_string_equal (visit->name, "Theta\nNord");
  assert_int_equal (visit->workers, 40);
  assert_minerals (visit, MINERALS ("wolframite", "copper", "diamond"));
  assert_string_equal (visit->certification, "yellow");

  assert_int_equal (latest->len, 4);
  /* Sorted by site id. */
  assert_string_equal (((ZonesSite *) g_ptr_array_index (latest, 0))->site_id, "codmine90001");
  assert_string_equal (((ZonesSite *) g_ptr_array_index (latest, 3))->site_id, "codmine90010");

  site = find_site (latest, "codmine90001");
  assert_int_equal (site->visits, 3);
  assert_int_equal (site->line, 13);
  assert_int_equal (site->workers, 90);
  assert_minerals (site, NO_MINERALS);       /* "inconnu" is no mineral, not "other" */
  assert_int_equal (site->armed_presence, ZONES_SITE_NO);
  assert_string_equal (site->certification, "red");   /* line 12, same day */
  assert_date (&site->certification_date, "2020-06-01");

  site = find_site (latest, "codmine90002");
  assert_int_equal (site->visits, 2);
  assert_int_equal (site->workers, -1);
  assert_date (&site->visit_date, "2019-05-02");
  assert_string_equal (site->certification, "green");

  /* Undated visit; "Not class" is no status at all. */
  site = find_site (latest, "codmine90010");
  assert_false (g_date_valid (&site->visit_date));
  assert_null (site->certification);
  assert_minerals (site, MINERALS ("coltan"));

  /* As of 2019-12-31 the 2020 visits of 90001 have not happened yet. */
  as_of = date ("2019-12-31");
  {
    g_autoptr(GPtrArray) then = zones_sites_latest (v->visits, &as_of);
    site = find_site (then, "codmine90001");
    assert_int_equal (site->visits, 1);
    assert_int_equal (site->workers, 120);
    assert_null (site->certification);
  }
}

static void
test_worker_values (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "w.csv", NULL);
  /* Lines 2–8; "12.0" is a whole number written as a decimal (a Real field does that). */
  const char *csv =
    "pcode,visit_date,workers_numb,mineral1,longitude,latitude\n"
    "a,2020-01-01,0,Or,28,-2\n"
    "b,2020-01-01,12.0,Or,28,-2\n"
    "c,2020-01-01,12.5,Or,28,-2\n"
    "d,2020-01-01,-3,Or,28,-2\n"
    "e,2020-01-01,1 200,Or,28,-2\n"
    "f,2020-01-01,  ,Or,28,-2\n"
    "g,2020-01-01,7,Or,190,-2\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesSiteVisits) v = NULL;

  assert_true (g_file_set_contents (path, csv, -1, NULL));
  v = zones_site_visits_read_csv (path, NULL, NULL, NULL, NULL, &error);
  assert_no_error (error);
  assert_int_equal (v->visits->len, 3);
  assert_int_equal (((ZonesSite *) g_ptr_array_index (v->visits, 0))->workers, 0);
  assert_int_equal (((ZonesSite *) g_ptr_array_index (v->visits, 1))->workers, 12);
  assert_int_equal (((ZonesSite *) g_ptr_array_index (v->visits, 2))->workers, -1);
  assert_int_equal (v->n_without_workers, 1);
  assert_int_equal (v->problems->len, 4);
  assert_int_equal (((ZonesSiteProblem *) g_ptr_array_index (v->problems, 0))->line, 4);
  assert_int_equal (((ZonesSiteProblem *) g_ptr_array_index (v->problems, 1))->line, 5);
  assert_int_equal (((ZonesSiteProblem *) g_ptr_array_index (v->problems, 2))->line, 6);
  assert_string_equal (((ZonesSiteProblem *) g_ptr_array_index (v->problems, 3))->column,
                       "longitude");
  assert_int_equal (((ZonesSiteProblem *) g_ptr_array_index (v->problems, 3))->line, 8);
  test_rmtree (dir);
}

static void
test_csv_line_counting (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "crlf.csv", NULL);
  /* CRLF line ends, a quoted field over three lines holding a doubled quote and a comma, a
   * semicolon-free header, and a bad cell on the line after it. Lines: header 1, record
   * 2–4, bad row 5, blank 6, unterminated quote from line 7 to the end. */
  const char *csv =
    "pcode,name,visit_date,workers_numb,mineral1,longitude,latitude\r\n"
    "s1,\"A \"\"big\"\"\r\npit, near\r\nthe river\",2020-01-01,3,Or,28,-2\r\n"
    "s2,B,2020-01-01,many,Or,28,-2\r\n"
    "\r\n"
    "s3,\"C,2020-01-01,4,Or,28,-2\r\n"
    "s4,D,2020-01-01,4,Or,28,-2\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesSiteVisits) v = NULL;
  ZonesSiteProblem *p;

  assert_true (g_file_set_contents (path, csv, -1, NULL));
  v = zones_site_visits_read_csv (path, NULL, NULL, NULL, NULL, &error);
  assert_no_error (error);
  assert_int_equal (v->visits->len, 1);
  assert_string_equal (((ZonesSite *) g_ptr_array_index (v->visits, 0))->name,
                       "A \"big\"\r\npit, near\r\nthe river");
  assert_int_equal (v->problems->len, 2);
  p = g_ptr_array_index (v->problems, 0);
  assert_int_equal (p->line, 5);
  assert_string_equal (p->column, "workers_numb");
  p = g_ptr_array_index (v->problems, 1);
  assert_int_equal (p->line, 7);
  assert_string_equal (p->column, "name");
  assert_non_null (strstr (p->reason, "never closed"));
  test_rmtree (dir);
}

static void
test_certification_ageing (void **state)
{
  GDate since, as_of;

  /* The cases of the brief (ICGLR MD-01: green 1 year, then blue 3 years, then red). */
  since = date ("2024-01-01");
  as_of = date ("2025-06-01");
  assert_string_equal (zones_sites_certification_aged ("green", &since, &as_of), "blue");
  since = date ("2020-01-01");
  as_of = date ("2023-06-01");
  assert_string_equal (zones_sites_certification_aged ("blue", &since, &as_of), "red");
  since = date ("2010-01-01");
  as_of = date ("2025-06-01");
  assert_string_equal (zones_sites_certification_aged ("yellow", &since, &as_of), "yellow");
  assert_string_equal (zones_sites_certification_aged ("red", &since, &as_of), "red");

  /* Boundaries: "older than" one year, so the anniversary is still green. */
  since = date ("2024-01-01");
  as_of = date ("2025-01-01");
  assert_string_equal (zones_sites_certification_aged ("green", &since, &as_of), "green");
  as_of = date ("2025-01-02");
  assert_string_equal (zones_sites_certification_aged ("green", &since, &as_of), "blue");
  since = date ("2020-01-01");
  as_of = date ("2023-01-01");
  assert_string_equal (zones_sites_certification_aged ("blue", &since, &as_of), "blue");
  as_of = date ("2023-01-02");
  assert_string_equal (zones_sites_certification_aged ("blue", &since, &as_of), "red");
  /* Green expires into blue after a year, and that blue lasts three more years. */
  as_of = date ("2024-01-01");
  assert_string_equal (zones_sites_certification_aged ("green", &since, &as_of), "blue");
  as_of = date ("2024-01-02");
  assert_string_equal (zones_sites_certification_aged ("green", &since, &as_of), "red");

  /* Without dates the status is as recorded; no status stays none. */
  assert_string_equal (zones_sites_certification_aged ("green", NULL, &as_of), "green");
  assert_null (zones_sites_certification_aged (NULL, &since, &as_of));
  assert_null (zones_sites_certification_aged ("purple", &since, &as_of));
}

/* icglr-md01.csv: five MD-01 rows (lines 2–6) with ISO alpha-2 countries (one in lower
 * case), status codes 1, 0, 2, 3, 1, activity codes 1, 1, 2, 0, 1, HS codes (two rows with
 * two codes, one with 2615.10 = zirconium ores, not coltan) and inspection dates, the last
 * one blank. */
static void
test_icglr_md01 (void **state)
{
  g_autoptr(ZonesSiteVisits) v = read_csv_ok ("data/sites/icglr-md01.csv", NULL, NULL);
  const struct {
    const char        *id;
    const char        *country;
    const char        *status;
    const char        *activity;
    const char *const *minerals;
    const char        *aged;       /* on 2025-06-01 */
  } expected[] = {
    { "CD-SK-0001", "COD", "green", "active", MINERALS ("gold"), "blue" },
    { "RW-W-0002", "RWA", "blue", "active", MINERALS ("cassiterite", "coltan"), "red" },
    { "BI-K-0003", "BDI", "yellow", "non_active", MINERALS ("wolframite"), "yellow" },
    { "UG-X-0004", "UGA", "red", "abandoned", MINERALS ("gold", "copper"), "red" },
    { "TZ-K-0005", "TZA", "green", "active", MINERALS ("other"), "green" },
  };
  GDate as_of = date ("2025-06-01");
  double x, y;

  assert_int_equal (v->format, ZONES_SITES_FORMAT_ICGLR);
  assert_int_equal (v->problems->len, 0);
  assert_int_equal (v->visits->len, G_N_ELEMENTS (expected));
  /* MD-01 has no worker count: every row lacks one, and says so. */
  assert_int_equal (v->n_without_workers, 5);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const ZonesSite *s = g_ptr_array_index (v->visits, i);
      assert_string_equal (s->site_id, expected[i].id);
      assert_string_equal (s->country, expected[i].country);
      assert_string_equal (s->certification, expected[i].status);
      assert_string_equal (s->activity, expected[i].activity);
      assert_minerals (s, expected[i].minerals);
      assert_string_equal (zones_site_get_certification_on (s, &as_of), expected[i].aged);
      assert_int_equal (s->workers, -1);
    }
  assert_true (zones_site_get_xy (g_ptr_array_index (v->visits, 0), &x, &y));
  assert_close_abs (x, 28.80, 1e-12);
  assert_close_abs (y, -2.50, 1e-12);

  assert_string_equal (zones_sites_iso3_from_iso2 ("cd"), "COD");
  assert_string_equal (zones_sites_iso3_from_iso2 ("SS"), "SSD");
  assert_null (zones_sites_iso3_from_iso2 ("XX"));
  assert_null (zones_sites_iso3_from_iso2 ("COD"));
  assert_string_equal (zones_sites_mineral_from_hs ("2615.90.00"), "coltan");
  assert_string_equal (zones_sites_mineral_from_hs ("7108.13"), "gold");
  assert_string_equal (zones_sites_mineral_from_hs ("2616.10.00"), "other");
  assert_null (zones_sites_mineral_from_hs ("Gold"));
  assert_null (zones_sites_mineral_from_hs ("26"));
}

/* icglr-wkt.csv: MD-01 with a WKT column in UTM 35S (EPSG:32735): line 2 a good point,
 * line 3 bad WKT, line 4 a line string, line 5 another point. */
static void
test_icglr_wkt_needs_crs (void **state)
{
  g_autofree char *path = test_data_path ("data/sites/icglr-wkt.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) utm = gis_crs_new_from_epsg (32735, NULL);
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, NULL);
  g_autoptr(ZonesSiteVisits) v = NULL;
  gboolean lonlat = TRUE;
  double x, y;

  assert_int_equal (zones_sites_sniff_csv (path, &lonlat, &error), ZONES_SITES_FORMAT_ICGLR);
  assert_no_error (error);
  assert_false (lonlat);
  /* Not longitude/latitude: Placer does not assume a CRS. */
  v = zones_site_visits_read_csv (path, NULL, NULL, NULL, NULL, &error);
  assert_null (v);
  assert_error_contains (error, "no CRS");
  g_clear_error (&error);

  v = zones_site_visits_read_csv (path, NULL, utm, wgs, NULL, &error);
  assert_no_error (error);
  assert_int_equal (v->visits->len, 2);
  assert_int_equal (v->problems->len, 2);
  assert_int_equal (((ZonesSiteProblem *) g_ptr_array_index (v->problems, 0))->line, 3);
  assert_string_equal (((ZonesSiteProblem *) g_ptr_array_index (v->problems, 0))->column, "WKT");
  assert_int_equal (((ZonesSiteProblem *) g_ptr_array_index (v->problems, 1))->line, 4);
  assert_non_null (strstr (((ZonesSiteProblem *) g_ptr_array_index (v->problems, 1))->reason,
                           "not a point"));
  /* On the central meridian (27° E) the UTM northing is k0 × the meridian arc: 300 km /
   * 0.9996 south of the equator is 2.7141737° S (arc series on WGS 84, by hand). */
  assert_true (zones_site_get_xy (g_ptr_array_index (v->visits, 0), &x, &y));
  assert_close_abs (x, 27.0, 1e-9);
  assert_close_abs (y, -2.7141737, 1e-6);
  assert_int_equal (gis_crs_get_epsg (v->crs), 4326);
}

/* A GeoJSON with French field names, read through the guessed field mapping. */
static void
test_mapped_layer (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "sites.geojson", NULL);
  const char *geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"id\":1,\"geometry\":{\"type\":\"Point\",\"coordinates\":[29.1,-1.5]},"
    "\"properties\":{\"code_site\":\"S1\",\"nom\":\"Un\",\"creuseurs\":25,\"minerai\":\"Or\","
    "\"date_visite\":\"2021-03-04\"}},"
    "{\"type\":\"Feature\",\"id\":2,\"geometry\":{\"type\":\"Point\",\"coordinates\":[29.2,-1.6]},"
    "\"properties\":{\"code_site\":\"S2\",\"nom\":\"Deux\",\"creuseurs\":null,"
    "\"minerai\":\"Cassitérite\",\"date_visite\":\"2021-03-05\"}},"
    "{\"type\":\"Feature\",\"id\":3,\"geometry\":null,"
    "\"properties\":{\"code_site\":\"S3\",\"nom\":\"Trois\",\"creuseurs\":10,\"minerai\":\"Or\","
    "\"date_visite\":\"2021-03-06\"}},"
    "{\"type\":\"Feature\",\"id\":4,\"geometry\":{\"type\":\"Point\",\"coordinates\":[29.3,-1.7]},"
    "\"properties\":{\"code_site\":\"S4\",\"nom\":\"Quatre\",\"creuseurs\":12.5,\"minerai\":\"Or\","
    "\"date_visite\":\"2021-03-07\"}}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(ZonesInput) input = NULL;
  g_autoptr(ZonesSiteVisits) v = NULL;
  const ZonesSite *s;
  ZonesSiteProblem *p;

  assert_true (g_file_set_contents (path, geojson, -1, NULL));
  input = zones_input_from_file (path, "sites", &error);
  assert_no_error (error);
  v = zones_site_visits_read_input (input, NULL, NULL, &error);
  assert_no_error (error);
  assert_int_equal (v->format, ZONES_SITES_FORMAT_MAPPED);
  assert_int_equal (v->n_rows, 4);
  assert_int_equal (v->visits->len, 2);
  s = g_ptr_array_index (v->visits, 0);
  assert_string_equal (s->site_id, "S1");
  assert_string_equal (s->name, "Un");
  assert_int_equal (s->workers, 25);
  assert_minerals (s, MINERALS ("gold"));
  assert_date (&s->visit_date, "2021-03-04");
  assert_int_equal (s->fid, 1);
  assert_int_equal (s->line, 0);
  s = g_ptr_array_index (v->visits, 1);
  assert_int_equal (s->workers, -1);
  assert_minerals (s, MINERALS ("cassiterite"));
  assert_int_equal (v->n_without_workers, 1);

  /* Problems name the feature, since there is no CSV line. */
  assert_int_equal (v->problems->len, 2);
  p = g_ptr_array_index (v->problems, 0);
  assert_int_equal (p->fid, 3);
  assert_int_equal (p->line, 0);
  assert_non_null (strstr (p->reason, "no coordinates"));
  p = g_ptr_array_index (v->problems, 1);
  assert_int_equal (p->fid, 4);
  assert_string_equal (p->column, "creuseurs");
  test_rmtree (dir);
}

static void
test_sensitive_fields_withheld (void **state)
{
  g_autoptr(ZonesSiteVisits) v = read_csv_ok ("data/sites/ipis-style.csv", NULL, NULL);
  const ZonesSite *visit = g_ptr_array_index (v->visits, 0);   /* line 2 */
  const ZonesSite *quiet = g_ptr_array_index (v->visits, 2);   /* line 9: no armed fields */
  GDate as_of = date ("2025-06-01");
  g_autoptr(JsonNode) full = NULL;
  g_autoptr(JsonNode) withheld = NULL;
  JsonObject *o;
  JsonArray *a;

  assert_int_equal (visit->line, 2);
  assert_int_equal (visit->armed_presence, ZONES_SITE_YES);
  assert_int_equal (visit->armed_taxation, ZONES_SITE_YES);
  assert_string_equal (visit->armed_groups[0], "FARDC");
  assert_int_equal (visit->sensitive,
                    ZONES_SITE_SENSITIVE_ARMED_PRESENCE | ZONES_SITE_SENSITIVE_ARMED_TAXATION);
  assert_int_equal (quiet->sensitive, ZONES_SITE_SENSITIVE_NONE);
  assert_int_equal (quiet->armed_presence, ZONES_SITE_UNKNOWN);

  full = zones_site_to_node (visit, &as_of, FALSE);
  o = json_node_get_object (full);
  assert_true (json_object_get_boolean_member (o, "armed_presence"));
  assert_true (json_object_get_boolean_member (o, "armed_taxation"));
  a = json_object_get_array_member (o, "armed_groups");
  assert_int_equal (json_array_get_length (a), 1);
  assert_string_equal (json_array_get_string_element (a, 0), "FARDC");
  a = json_object_get_array_member (o, "sensitive");
  assert_int_equal (json_array_get_length (a), 2);
  assert_int_equal (json_object_get_int_member (o, "workers"), 120);
  assert_true (json_object_get_boolean_member (o, "mercury"));

  withheld = zones_site_to_node (visit, &as_of, TRUE);
  o = json_node_get_object (withheld);
  assert_false (json_object_has_member (o, "armed_presence"));
  assert_false (json_object_has_member (o, "armed_groups"));
  assert_false (json_object_has_member (o, "armed_taxation"));
  assert_false (json_object_has_member (o, "sensitive"));
  /* Nothing else is lost, and the text holds no trace of the group. */
  assert_string_equal (json_object_get_string_member (o, "site_id"), "codmine90001");
  assert_int_equal (json_object_get_int_member (o, "workers"), 120);
  {
    g_autofree char *text = json_to_string (withheld, FALSE);
    assert_null (strstr (text, "FARDC"));
    assert_null (strstr (text, "armed"));
  }
}

static void
test_summary_json (void **state)
{
  g_autoptr(ZonesSiteVisits) v = read_csv_ok ("data/sites/ipis-style.csv", NULL, NULL);
  g_autoptr(JsonNode) node = zones_site_visits_summary_to_node (v);
  JsonObject *o = json_node_get_object (node);
  JsonArray *bad = json_object_get_array_member (o, "malformed");
  JsonObject *first = json_array_get_object_element (bad, 0);

  assert_string_equal (json_object_get_string_member (o, "format"), "ipis");
  assert_int_equal (json_object_get_int_member (o, "visits"), 7);
  assert_int_equal (json_object_get_int_member (o, "sites"), 4);
  assert_int_equal (json_object_get_int_member (o, "rows_without_workers"), 1);
  assert_int_equal (json_object_get_int_member (o, "malformed_rows"), 6);
  assert_string_equal (json_object_get_string_member (o, "first_visit"), "2018-01-01");
  assert_string_equal (json_object_get_string_member (o, "last_visit"), "2020-06-01");
  assert_int_equal (json_object_get_int_member (o, "workers_latest_total"), 135);
  assert_int_equal (json_array_get_length (bad), 6);
  assert_int_equal (json_object_get_int_member (first, "line"), 4);
  assert_string_equal (json_object_get_string_member (first, "column"), "workers_numb");
  assert_true (json_object_get_null_member (first, "feature"));
}

static void
test_missing_and_bad_files (void **state)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other = test_data_path ("data/points-no-crs.csv");
  g_autoptr(ZonesSiteVisits) v = NULL;

  v = zones_site_visits_read_csv ("/nonexistent/sites.csv", NULL, NULL, NULL, NULL, &error);
  assert_null (v);
  assert_error_contains (error, "does not exist");
  g_clear_error (&error);
  /* Neither IPIS nor ICGLR and no mapping: no site identifier column. */
  {
    g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, NULL);
    v = zones_site_visits_read_csv (other, NULL, wgs, NULL, NULL, &error);
    assert_null (v);
    assert_true (g_error_matches (error, ZONES_ERROR, ZONES_ERROR_MAPPING));
  }
}

/* ---------------------------------------------------------------------------------------- */
/* placer-cli sites, as a script sees it */


static JsonObject *
find_json_site (JsonArray *sites, const char *id)
{
  for (guint i = 0; i < json_array_get_length (sites); i++)
    {
      JsonObject *s = json_array_get_object_element (sites, i);
      if (g_str_equal (json_object_get_string_member (s, "site_id"), id))
        return s;
    }
  fail_msg ("no site %s in the JSON", id);
  return NULL;
}

static void
test_cli_import_and_list (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *project = g_build_filename (dir, "p.gpkg", NULL);
  g_autofree char *ipis = test_data_path (IPIS_CSV);
  g_auto(Run) n = { 0 }, i = { 0 }, l = { 0 }, t = { 0 };
  g_autoptr(JsonParser) p1 = NULL;
  g_autoptr(JsonParser) p2 = NULL;
  JsonObject *o, *s;
  JsonArray *sites;

  cli (&n, "project", "new", project, NULL);
  assert_int_equal (n.status, 0);
  cli (&i, "sites", "import", project, ipis, "--json", NULL);
  if (i.status != 0)
    fail_msg ("sites import: %d\n%s", i.status, i.err);
  o = parse (i.out, &p1);
  assert_int_equal (json_object_get_int_member (o, "visits"), 5071);
  assert_int_equal (json_object_get_int_member (o, "sites"), 2988);
  assert_int_equal (json_object_get_int_member (o, "rows_without_workers"), 1183);
  assert_int_equal (json_object_get_int_member (o, "malformed_rows"), 0);
  assert_string_equal (json_object_get_string_member (o, "layer"),
                       "cod_mines_curated_all_opendata_p_ipis");
  assert_int_equal (json_object_get_int_member (json_object_get_object_member (o, "crs"),
                                                "epsg"), 4326);

  cli (&l, "sites", "list", project, "--json", "--as-of", "2020-12-31",
       "--withhold-sensitive", NULL);
  if (l.status != 0)
    fail_msg ("sites list: %d\n%s", l.status, l.err);
  o = parse (l.out, &p2);
  assert_string_equal (json_object_get_string_member (o, "as_of"), "2020-12-31");
  assert_int_equal (json_object_get_int_member (o, "count"), 2988);
  assert_int_equal (json_array_get_length (json_object_get_array_member (o, "malformed")), 0);
  sites = json_object_get_array_member (o, "sites");
  assert_int_equal (json_array_get_length (sites), 2988);
  s = find_json_site (sites, "codmine00191");
  assert_string_equal (json_object_get_string_member (s, "visit_date"), "2013-03-21");
  assert_int_equal (json_object_get_int_member (s, "workers"), 73);
  assert_int_equal (json_object_get_int_member (s, "visits"), 2);
  /* Line 625 says presence 1; withheld, the member is absent. */
  assert_false (json_object_has_member (s, "armed_presence"));
  assert_false (json_object_has_member (s, "armed_groups"));
  s = find_json_site (sites, "codmine02639");
  assert_int_equal (json_object_get_int_member (s, "workers"), 6);
  s = find_json_site (sites, "codmine01209");
  assert_string_equal (json_object_get_string_member (s, "certification"), "green");
  assert_string_equal (json_object_get_string_member (s, "certification_as_of"), "red");
  assert_true (json_object_get_null_member (s, "workers"));

  /* Text output, sensitive fields included by default. */
  cli (&t, "sites", "list", project, "--as-of", "2020-12-31", NULL);
  assert_int_equal (t.status, 0);
  assert_non_null (strstr (t.out, "2988 sites"));
  assert_non_null (strstr (t.out, "codmine00191"));
  test_rmtree (dir);
}

static void
test_cli_malformed_fixture (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *project = g_build_filename (dir, "p.gpkg", NULL);
  g_autofree char *fixture = test_data_path ("data/sites/ipis-style.csv");
  g_auto(Run) n = { 0 }, i = { 0 }, l = { 0 };
  g_autoptr(JsonParser) p1 = NULL;
  g_autoptr(JsonParser) p2 = NULL;
  JsonObject *o;
  JsonArray *bad;
  static const guint lines[] = { 4, 5, 6, 7, 8, 11 };

  cli (&n, "project", "new", project, NULL);
  assert_int_equal (n.status, 0);
  /* Malformed rows are findings (exit 1); the others are imported. */
  cli (&i, "sites", "import", project, fixture, "--name", "fixture", "--json", NULL);
  assert_int_equal (i.status, 1);
  o = parse (i.out, &p1);
  assert_int_equal (json_object_get_int_member (o, "visits"), 7);
  bad = json_object_get_array_member (o, "malformed");
  assert_int_equal (json_array_get_length (bad), G_N_ELEMENTS (lines));
  for (guint k = 0; k < G_N_ELEMENTS (lines); k++)
    assert_int_equal (json_object_get_int_member (json_array_get_object_element (bad, k), "line"),
                      lines[k]);

  /* The project copy keeps every row, so listing finds the same six rows again, now by
   * feature id, and still lists the four good sites. */
  cli (&l, "sites", "list", project, "--json", "--as-of", "2025-06-01", NULL);
  assert_int_equal (l.status, 1);
  o = parse (l.out, &p2);
  assert_int_equal (json_object_get_int_member (o, "count"), 4);
  assert_int_equal (json_array_get_length (json_object_get_array_member (o, "malformed")), 6);
  {
    JsonObject *s = find_json_site (json_object_get_array_member (o, "sites"), "codmine90002");
    /* Green since 2019-05-02: blue after a year, red three years after that. */
    assert_string_equal (json_object_get_string_member (s, "certification_as_of"), "red");
    assert_true (json_object_get_null_member (s, "workers"));
  }
  test_rmtree (dir);
}

static void
test_cli_exit_codes (void **state)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *project = g_build_filename (dir, "p.gpkg", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.csv", NULL);
  g_autofree char *wkt = test_data_path ("data/sites/icglr-wkt.csv");
  g_auto(Run) n = { 0 }, a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 }, f = { 0 },
              g = { 0 }, h = { 0 };

  cli (&n, "project", "new", project, NULL);
  assert_int_equal (n.status, 0);

  cli (&a, "sites", "import", project, missing, NULL);
  assert_int_equal (a.status, 3);
  assert_non_null (strstr (a.err, "missing.csv"));
  cli (&b, "sites", "import", project, NULL);
  assert_int_equal (b.status, 2);
  cli (&c, "sites", NULL);
  assert_int_equal (c.status, 2);
  cli (&d, "sites", "list", project, "--as-of", "June", NULL);
  assert_int_equal (d.status, 2);
  cli (&e, "sites", "frobnicate", NULL);
  assert_int_equal (e.status, 2);
  /* A project without a sites layer is bad input for list. */
  cli (&f, "sites", "list", project, NULL);
  assert_int_equal (f.status, 3);
  /* A WKT column is not longitude/latitude: the CRS must be given. */
  cli (&g, "sites", "import", project, wkt, NULL);
  assert_int_equal (g.status, 3);
  assert_non_null (strstr (g.err, "--crs"));
  cli (&h, "sites", "import", project, wkt, "--crs", "EPSG:32735", "--json", NULL);
  assert_int_equal (h.status, 1);
  test_rmtree (dir);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ipis_full_file),
    cmocka_unit_test (test_malformed_rows_are_reported),
    cmocka_unit_test (test_workers_minerals_and_latest),
    cmocka_unit_test (test_worker_values),
    cmocka_unit_test (test_csv_line_counting),
    cmocka_unit_test (test_certification_ageing),
    cmocka_unit_test (test_icglr_md01),
    cmocka_unit_test (test_icglr_wkt_needs_crs),
    cmocka_unit_test (test_mapped_layer),
    cmocka_unit_test (test_sensitive_fields_withheld),
    cmocka_unit_test (test_summary_json),
    cmocka_unit_test (test_missing_and_bad_files),
    cmocka_unit_test (test_cli_import_and_list),
    cmocka_unit_test (test_cli_malformed_fixture),
    cmocka_unit_test (test_cli_exit_codes),
  };

  gis_init ();
  return cmocka_run_group_tests_name ("zones-sites", tests, NULL, NULL);
}
