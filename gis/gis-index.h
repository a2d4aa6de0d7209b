/* gis-index.h: a spatial index over envelopes (a packed Hilbert R-tree)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "gis-envelope.h"

G_BEGIN_DECLS

/**
 * GisIndex:
 *
 * Maps envelopes to item numbers. Insert everything, then query; the tree is packed on the
 * first query (gis_index_build() forces it), after which concurrent queries from several
 * threads are safe.
 */
typedef struct _GisIndex GisIndex;

GisIndex *gis_index_new    (void);
void      gis_index_free   (GisIndex          *index);
void      gis_index_insert (GisIndex          *index,
                            const GisEnvelope *envelope,
                            guint              item);
void      gis_index_build  (GisIndex          *index);
guint     gis_index_get_size (GisIndex        *index);
GArray   *gis_index_query  (GisIndex          *index,
                            const GisEnvelope *envelope);
void      gis_index_query_into (GisIndex      *index,
                            const GisEnvelope *envelope,
                            GArray            *hits);

guint32   gis_hilbert_index (double            x,
                            double             y,
                            const GisEnvelope *extent);

typedef const GisEnvelope *(*GisEnvelopeFunc) (gpointer data,
                                              guint    i);

guint    *gis_hilbert_sort  (guint              n,
                            GisEnvelopeFunc    box_of,
                            gpointer           data,
                            const GisEnvelope *extent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisIndex, gis_index_free)

G_END_DECLS
