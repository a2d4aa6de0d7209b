/* zones-csv.c: splitting a line of a small CSV table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-csv"

#include "zones-csv.h"

/**
 * _zones_csv_split_line:
 * @ok: (out): %FALSE when a quote is left open
 *
 * Splits one line at commas, honouring double quotes ("" is a quote inside a quoted field),
 * and trims each field.
 *
 * Returns: (transfer full) (element-type utf8): the fields
 */
GPtrArray *
_zones_csv_split_line (const char *line, gboolean *ok)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  GString *cur = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line; *p; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            {
              g_string_append_c (cur, '"');
              p++;
            }
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (cur, *p);
        }
      else if (*p == '"' && cur->len == 0)
        quoted = TRUE;
      else if (*p == ',')
        {
          g_ptr_array_add (out, g_strdup (g_strstrip (cur->str)));
          g_string_truncate (cur, 0);
        }
      else if (*p != '\r')
        g_string_append_c (cur, *p);
    }
  *ok = !quoted;
  g_ptr_array_add (out, g_strdup (g_strstrip (cur->str)));
  g_string_free (cur, TRUE);
  return out;
}
