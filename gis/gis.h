/* gis.h: the data layer of Placer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gis-crs.h"
#include "gis-dataset.h"
#include "gis-envelope.h"
#include "gis-error.h"
#include "gis-geometry.h"
#include "gis-index.h"
#include "gis-init.h"
#include "gis-map-decor.h"
#include "gis-map-layer.h"
#include "gis-map-renderer.h"
#include "gis-map-settings.h"
#include "gis-memory.h"
#include "gis-overlay.h"
#include "gis-project.h"
#include "gis-raster.h"
#include "gis-spool.h"
#include "gis-style.h"
#include "gis-vector-layer.h"
#include "gis-writer.h"
