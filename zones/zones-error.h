/* zones-error.h: the error domain of the domain layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ZONES_ERROR (zones_error_quark ())

/**
 * ZonesError:
 * @ZONES_ERROR_INPUT: an input file, layer, feature or field is unusable; the message names it
 * @ZONES_ERROR_MAPPING: a field mapping is missing a required field or is malformed
 * @ZONES_ERROR_RULES: a rule pack or rules table is malformed
 * @ZONES_ERROR_STATE: the operation is not allowed in the current state
 */
typedef enum {
  ZONES_ERROR_INPUT,
  ZONES_ERROR_MAPPING,
  ZONES_ERROR_RULES,
  ZONES_ERROR_STATE,
} ZonesError;

GQuark zones_error_quark (void);

G_END_DECLS
