/* zones-unallocated.h: deposit land that no title holds (analysis A)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "gis.h"
#include "zones-records.h"
#include "zones-rules.h"

G_BEGIN_DECLS

/**
 * ZonesUnallocatedParams:
 * @deposits: (element-type ZonesInput): deposit layers (vector, or raster with
 *   @raster_threshold or @raster_classes)
 * @concessions: (element-type ZonesInput): cadastre layers
 * @landuse: (element-type ZonesInput): land-use layers (vector or classified raster)
 * @borders: (element-type ZonesInput): admin units to split the result by
 * @rules: land-use rules
 * @minerals: (nullable): minerals in scope (%NULL: all)
 * @confidence: (nullable): confidence levels in scope (%NULL: known and probable)
 * @as_of: the date titles are judged on
 * @pending_free: pending applications do not block (by default they do)
 * @repair: repair invalid input geometries instead of stopping
 * @output_crs: the CRS results are written in
 * @measure_deposits: also measure the union of the deposits in scope (for "x % of the
 *   deposit land is free"); a dissolve of every deposit, as costly as the overlay itself
 */
typedef struct _ZonesCandidate ZonesCandidate;

/**
 * ZonesCandidateFunc:
 * @candidate: (transfer none): a piece of candidate land, freed when the function returns
 *
 * Takes the candidate pieces as the analysis makes them (see zones_unallocated_run()).
 *
 * Returns: %FALSE with @error set to stop the run
 */
typedef gboolean (*ZonesCandidateFunc) (ZonesCandidate *candidate,
                                        gpointer        user_data,
                                        GError        **error);

typedef struct {
  GPtrArray   *deposits;
  GPtrArray   *concessions;
  GPtrArray   *landuse;
  GPtrArray   *borders;
  ZonesRules  *rules;
  char       **minerals;
  char       **confidence;
  GDate        as_of;
  gboolean     pending_free;
  gboolean     repair;
  GisCrs      *output_crs;
  /* Raster deposits: pixels passing the test are deposit land of this kind. */
  gboolean     has_threshold;
  double       raster_threshold;
  GArray      *raster_classes;
  const char  *raster_mineral;
  const char  *raster_confidence;
  const char  *raster_deposit_type;
  guint        n_threads;
  gboolean     measure_deposits;
  /* Where the pieces go as they are made; NULL keeps them in the result's candidates. */
  ZonesCandidateFunc candidate_func;
  gpointer     candidate_data;
  /* Bytes of shapes read back per batch (its deposits or titles and the shapes near
   * them), about; 0 for the default (at most 1 MiB). */
  gsize        batch_bytes;
} ZonesUnallocatedParams;

struct _ZonesCandidate {
  char        *mineral;
  char        *confidence;
  char        *deposit_type;
  char        *deposit_id;
  char        *deposit_layer;
  gint64       deposit_fid;
  char        *land_use;
  char        *admin_code;
  char        *admin_name;
  double       area_ha;
  GisGeometry *geometry;      /* in the output CRS */
};

typedef struct {
  char   *mineral;
  char   *admin;
  char   *land_use;
  double  area_ha;
  guint   pieces;
} ZonesSummaryRow;

typedef struct {
  char   *title_id;
  char   *holder;
  char   *layer;
  gint64  fid;
  double  deposit_ha;
  double  title_ha;
} ZonesLsmReview;

typedef struct {
  GPtrArray  *candidates;     /* ZonesCandidate; empty when they went to a sink */
  guint       n_candidates;   /* pieces made, kept or handed over */
  GPtrArray  *summary;        /* ZonesSummaryRow */
  GPtrArray  *lsm_review;     /* ZonesLsmReview, largest first */
  GPtrArray  *invalid_inputs; /* ZonesInvalidInput */
  GPtrArray  *warnings;       /* char* */
  GHashTable *by_mineral;     /* char* → double* (ha) */
  double      total_ha;
  double      deposit_ha;     /* NAN unless measured */
  char       *working_crs;
  GisCrs     *output_crs;
  guint       n_deposits;
  guint       n_blocking;
  guint       n_excluded;
  guint       n_conditional;
} ZonesUnallocatedResult;

void                    zones_unallocated_params_init  (ZonesUnallocatedParams *params);
void                    zones_unallocated_params_clear (ZonesUnallocatedParams *params);
gboolean                zones_unallocated_params_add_project (ZonesUnallocatedParams *params,
                                                        GisProject   *project,
                                                        GError      **error);
ZonesUnallocatedResult *zones_unallocated_run          (const ZonesUnallocatedParams *params,
                                                        GCancellable *cancellable,
                                                        GError      **error);
void                    zones_unallocated_result_free  (ZonesUnallocatedResult *result);
gboolean                zones_unallocated_write        (ZonesUnallocatedResult *result,
                                                        const char   *path,
                                                        gboolean      overwrite,
                                                        GError      **error);

typedef struct _ZonesUnallocatedWriter ZonesUnallocatedWriter;

ZonesUnallocatedWriter *zones_unallocated_writer_new   (const char   *path,
                                                        gboolean      overwrite,
                                                        GisCrs       *crs,
                                                        GError      **error);
gboolean                zones_unallocated_writer_add   (ZonesCandidate *candidate,
                                                        gpointer      writer,
                                                        GError      **error);
gboolean                zones_unallocated_writer_finish (ZonesUnallocatedWriter *writer,
                                                        ZonesUnallocatedResult *result,
                                                        GError      **error);
void                    zones_unallocated_writer_free  (ZonesUnallocatedWriter *writer);
char                   *zones_unallocated_params_to_json (const ZonesUnallocatedParams *params);
char                   *zones_unallocated_inputs_to_json (const ZonesUnallocatedParams *params);
char                   *zones_unallocated_summary_to_json (ZonesUnallocatedResult *result);
JsonNode               *zones_unallocated_summary_to_node (ZonesUnallocatedResult *result);
gboolean                zones_title_blocks             (const char   *status,
                                                        const GDate  *grant,
                                                        const GDate  *expiry,
                                                        const GDate  *as_of,
                                                        gboolean      pending_free);
gboolean                zones_parse_date               (const char   *text,
                                                        GDate        *date);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesUnallocatedResult, zones_unallocated_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesUnallocatedWriter, zones_unallocated_writer_free)

G_END_DECLS
