/* gis-clip-private.h: polygon booleans on an integer grid (Clipper), for gis-overlay.c
 *
 * The caller moves its rings into a local integer frame (an origin and a power-of-two
 * scale chosen so that every coordinate stays below 2^30, where the engine's predicates are
 * exact in 64-bit arithmetic) and back. The subject's rings are read with the even-odd rule
 * (a valid polygon's rings never cross, so their orientation does not matter); the clip
 * rings with the non-zero rule, so that overlapping clip polygons need no union first as
 * long as every shell turns one way and every hole the other.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest coordinate the fast exact arithmetic accepts (Clipper's loRange). */
#define GIS_CLIP_RANGE 1073741823.0

typedef struct {
  GArray *xy;      /* gint64 x, y pairs; rings are not closed (no repeated first point) */
  GArray *ring_n;  /* guint: points per ring */
  GArray *poly_n;  /* guint: rings per polygon, the shell first (results only) */
} GisClipRings;

void     _gis_clip_rings_init  (GisClipRings *r);
void     _gis_clip_rings_reset (GisClipRings *r);
void     _gis_clip_rings_clear (GisClipRings *r);

/* @out (reset first) receives @subject minus (@subtract) or ∩ the union of @clip, each
 * shell followed by its holes; with @simple, as simple polygons (the engine splits a ring
 * that touches itself, which costs time: a result wanted for its area only need not be).
 * FALSE with @message set when the engine fails; the caller then falls back to an exact
 * float overlay. */
gboolean _gis_clip_run         (gboolean            subtract,
                                gboolean            simple,
                                const GisClipRings *subject,
                                const GisClipRings *clip,
                                GisClipRings       *out,
                                char              **message);

/* Tests: make @overlay (a GisOverlay) use the float overlay only, to check one engine
 * against the other. */
void     _gis_overlay_set_float_only (gpointer overlay,
                                      gboolean float_only);

G_END_DECLS
