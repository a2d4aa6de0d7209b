/* gis-envelope.h: axis-aligned bounding boxes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * GisEnvelope:
 * @min_x: west (or minimum easting)
 * @min_y: south (or minimum northing)
 * @max_x: east
 * @max_y: north
 *
 * A plain value; an empty envelope has min > max.
 */
typedef struct {
  double min_x;
  double min_y;
  double max_x;
  double max_y;
} GisEnvelope;

#define GIS_ENVELOPE_EMPTY ((GisEnvelope) { G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE })

static inline gboolean
gis_envelope_is_empty (const GisEnvelope *e)
{
  return e->min_x > e->max_x || e->min_y > e->max_y;
}

static inline void
gis_envelope_expand (GisEnvelope *e, const GisEnvelope *other)
{
  if (gis_envelope_is_empty (other))
    return;
  e->min_x = MIN (e->min_x, other->min_x);
  e->min_y = MIN (e->min_y, other->min_y);
  e->max_x = MAX (e->max_x, other->max_x);
  e->max_y = MAX (e->max_y, other->max_y);
}

static inline void
gis_envelope_add_point (GisEnvelope *e, double x, double y)
{
  e->min_x = MIN (e->min_x, x);
  e->min_y = MIN (e->min_y, y);
  e->max_x = MAX (e->max_x, x);
  e->max_y = MAX (e->max_y, y);
}

static inline gboolean
gis_envelope_intersects (const GisEnvelope *a, const GisEnvelope *b)
{
  return !(a->min_x > b->max_x || b->min_x > a->max_x ||
           a->min_y > b->max_y || b->min_y > a->max_y);
}

char     *gis_envelope_to_string (const GisEnvelope *e);
gboolean  gis_envelope_parse     (const char        *text,
                                  GisEnvelope       *e);

G_END_DECLS
