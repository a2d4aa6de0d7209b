/* gis-envelope.c: envelopes as text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-envelope"

#include <math.h>

#include "gis-envelope.h"

/**
 * gis_envelope_to_string:
 *
 * Returns: (transfer full): "MINX,MINY,MAXX,MAXY" in machine text (a dot for decimals,
 *   whatever the locale), exact enough to read back the same doubles
 */
char *
gis_envelope_to_string (const GisEnvelope *e)
{
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE],
       d[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (e != NULL, NULL);
  return g_strdup_printf ("%s,%s,%s,%s", g_ascii_dtostr (a, sizeof a, e->min_x),
                          g_ascii_dtostr (b, sizeof b, e->min_y),
                          g_ascii_dtostr (c, sizeof c, e->max_x),
                          g_ascii_dtostr (d, sizeof d, e->max_y));
}

/**
 * gis_envelope_parse:
 * @text: "MINX,MINY,MAXX,MAXY" (spaces around the numbers allowed)
 *
 * Returns: %TRUE if @text holds four finite numbers with min < max on both axes
 */
gboolean
gis_envelope_parse (const char *text, GisEnvelope *e)
{
  g_auto(GStrv) parts = NULL;
  double v[4];

  g_return_val_if_fail (e != NULL, FALSE);
  if (text == NULL)
    return FALSE;
  parts = g_strsplit (text, ",", -1);
  if (g_strv_length (parts) != 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      char *end = NULL;
      g_strstrip (parts[i]);
      v[i] = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || !isfinite (v[i]))
        return FALSE;
    }
  if (!(v[2] > v[0] && v[3] > v[1]))
    return FALSE;
  *e = (GisEnvelope) { v[0], v[1], v[2], v[3] };
  return TRUE;
}
