/* gis-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-error"

#include "gis-error.h"

G_DEFINE_QUARK (gis-error-quark, gis_error)
