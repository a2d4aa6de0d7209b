/* test-common.h: helpers shared by Placer's cmocka tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>

/* Paths of committed fixtures: tests never read ../shared. */
static inline char *
test_data_path (const char *relative)
{
  return g_build_filename (PLACER_TEST_DIR, relative, NULL);
}

static inline char *
test_source_path (const char *relative)
{
  return g_build_filename (PLACER_SOURCE_ROOT, relative, NULL);
}

/* A byte-for-byte copy of a fixture, for a test that changes it. */
static inline void
test_copy_file (const char *from, const char *to)
{
  g_autofree char *bytes = NULL;
  gsize len;

  assert_true (g_file_get_contents (from, &bytes, &len, NULL));
  assert_true (g_file_set_contents (to, bytes, (gssize) len, NULL));
}

/* A fresh temporary folder per test, removed with its files at the end. */
static inline char *
test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("placer-test-XXXXXX", &error);
  assert_non_null (dir);
  return dir;
}

static inline void
test_rmtree (const char *path)
{
  GDir *d;
  const char *name;

  /* A symbolic link is removed, never followed: it may point into the source tree. */
  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  d = g_dir_open (path, 0, NULL);
  if (d == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      test_rmtree (child);
    }
  g_dir_close (d);
  g_rmdir (path);
}

/* |a − b| <= rel × |b| */
/* Area in ha of the quadrangle lon0..lon1 × lat0..lat1 on WGS 84, from the closed form for a
 * region bounded by two meridians and two parallels, independent of PROJ:
 *   A = (b² Δλ / 2) [q(φ2) − q(φ1)],  q(φ) = sinφ/(1 − e² sin²φ) + ln((1 + e sinφ)/(1 − e sinφ))/(2e) */
static inline double
test_quad_q (double phi, double e)
{
  double s = sin (phi);
  return s / (1 - e * e * s * s) + log ((1 + e * s) / (1 - e * s)) / (2 * e);
}

static inline double
quad_ha (double lon0, double lat0, double lon1, double lat1)
{
  double f = 1 / 298.257223563, e = sqrt (f * (2 - f)), b = 6378137.0 * (1 - f);
  double dl = (lon1 - lon0) * G_PI / 180;
  return fabs (b * b * dl / 2 * (test_quad_q (lat1 * G_PI / 180, e) -
                                 test_quad_q (lat0 * G_PI / 180, e))) / 1e4;
}

#define assert_close_rel(a, b, rel)                                                     \
  do {                                                                                  \
    double _a = (a), _b = (b);                                                          \
    if (!(fabs (_a - _b) <= (rel) * fabs (_b)))                                         \
      fail_msg ("%s = %.10g, expected %.10g within %g relative", #a, _a, _b, (double) (rel)); \
  } while (0)

#define assert_close_abs(a, b, tol)                                                     \
  do {                                                                                  \
    double _a = (a), _b = (b);                                                          \
    if (!(fabs (_a - _b) <= (tol)))                                                     \
      fail_msg ("%s = %.10g, expected %.10g ± %g", #a, _a, _b, (double) (tol));         \
  } while (0)

#define assert_no_error(e)                                                              \
  do {                                                                                  \
    if ((e) != NULL)                                                                    \
      fail_msg ("unexpected error: %s", (e)->message);                                  \
  } while (0)

#define assert_error_contains(e, text)                                                  \
  do {                                                                                  \
    if ((e) == NULL)                                                                    \
      fail_msg ("expected an error containing “%s”", (text));                           \
    if (strstr ((e)->message, (text)) == NULL)                                          \
      fail_msg ("error “%s” does not contain “%s”", (e)->message, (text));              \
  } while (0)

static inline void
assert_error_matches (const GError *error, GQuark domain, int code)
{
  if (error == NULL)
    fail_msg ("expected an error");
  if (!g_error_matches (error, domain, code))
    fail_msg ("error “%s” has domain %s code %d, expected %s code %d", error->message,
              g_quark_to_string (error->domain), error->code, g_quark_to_string (domain),
              code);
}

/* Reads a small CSV fixture into rows of fields (no quoting in our fixtures). */
static inline GPtrArray *
test_read_csv (const char *relative)
{
  g_autofree char *path = test_data_path (relative);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && lines[i][0] != '#')
      g_ptr_array_add (rows, g_strsplit (lines[i], ",", -1));
  return rows;
}

/* The value of one row of an oracle CSV whose first two columns are label and value. */
static inline double
test_oracle_value (const char *relative, const char *label)
{
  g_autoptr(GPtrArray) rows = test_read_csv (relative);

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      if (g_strcmp0 (row[0], label) == 0 && row[1] != NULL)
        return g_ascii_strtod (row[1], NULL);
    }
  fail_msg ("%s has no row “%s”", relative, label);
  return NAN;
}

/* A lon/lat rectangle as a GeoJSON geometry. */
static inline char *
test_rect_geojson (double x0, double y0, double x1, double y1)
{
  return g_strdup_printf ("{\"type\":\"Polygon\",\"coordinates\":[[[%.12f,%.12f],[%.12f,%.12f],"
                          "[%.12f,%.12f],[%.12f,%.12f],[%.12f,%.12f]]]}", x0, y0, x1, y0, x1, y1,
                          x0, y1, x0, y0);
}

/* Writes a GeoJSON file of features given as (geometry, properties) pairs of JSON texts,
 * NULL-terminated; returns its path. */
static inline char *
test_write_geojson (const char *dir, const char *name, const char *const *pairs)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GString *s = g_string_new ("{\"type\":\"FeatureCollection\",\"features\":[");

  for (guint i = 0; pairs[i] != NULL; i += 2)
    g_string_append_printf (s, "%s{\"type\":\"Feature\",\"geometry\":%s,\"properties\":%s}",
                            i ? "," : "", pairs[i], pairs[i + 1]);
  g_string_append (s, "]}");
  assert_true (g_file_set_contents (path, s->str, -1, NULL));
  g_string_free (s, TRUE);
  return g_steal_pointer (&path);
}
