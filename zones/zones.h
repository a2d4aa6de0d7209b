/* zones.h: the domain layer of Placer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gis.h"
#include "zones-capacity.h"
#include "zones-clusters.h"
#include "zones-compare.h"
#include "zones-dbscan.h"
#include "zones-error.h"
#include "zones-grid.h"
#include "zones-layer.h"
#include "zones-map.h"
#include "zones-records.h"
#include "zones-register.h"
#include "zones-rulepack.h"
#include "zones-rules.h"
#include "zones-schema.h"
#include "zones-sites.h"
#include "zones-unallocated.h"
#include "zones-validate.h"
#include "zones-workspace.h"
