/* zones-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-error"

#include "zones-error.h"

G_DEFINE_QUARK (zones-error-quark, zones_error)
