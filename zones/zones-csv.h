/* zones-csv.h: splitting a line of a small CSV table (rules, parameters)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GPtrArray *_zones_csv_split_line (const char *line,
                                  gboolean   *ok);

G_END_DECLS
