/* zones-private.h: functions shared inside zones/ only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "zones-layer.h"

G_BEGIN_DECLS

ZonesLayerCandidate *_zones_layer_inspect (const char   *path,
                                           const char   *source_layer,
                                           const char   *role,
                                           GisCrs       *crs_override,
                                           gboolean      checksum_file,
                                           GCancellable *cancellable,
                                           GError      **error);

G_END_DECLS
