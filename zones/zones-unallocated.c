/* zones-unallocated.c: deposit land that no title holds (guidance step 2.3.1)
 *
 *   candidate = deposits of the chosen minerals and confidence levels
 *             − titles in force on the as-of date (and pending applications)
 *             − excluded land-use classes, each widened by its buffer
 *
 * split by conditional land-use class and by admin unit, with the geodesic area of every
 * piece; plus the LSM review list (deposit land inside large-scale titles).
 *
 * The overlay runs in one working CRS: the inputs' own CRS when they all share one,
 * otherwise a Lambert azimuthal equal-area projection centred on the deposits. Buffers are
 * drawn in metres on the ground (a local azimuthal equidistant projection per feature), and
 * areas never come from a projection: every piece is measured on the ellipsoid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-unallocated"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "zones-error.h"
#include "zones-unallocated.h"

/* ---------------------------------------------------------------------------------------- */
/* Dates and the blocking rule */

/**
 * zones_parse_date:
 * @text: "YYYY-MM-DD", "YYYY/MM/DD" or "DD/MM/YYYY" (an ISO date-time is cut to its date)
 *
 * Returns: %TRUE if @text is a valid date
 */
gboolean
zones_parse_date (const char *text, GDate *date)
{
  int y = 0, m = 0, d = 0;
  char tail = 0;

  g_date_clear (date, 1);
  if (text == NULL)
    return FALSE;
  if ((sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) >= 3 && (tail == 0 || tail == 'T' ||
                                                                  tail == ' ')) ||
      sscanf (text, "%4d/%2d/%2d%c", &y, &m, &d, &tail) == 3)
    ;
  else if (sscanf (text, "%2d/%2d/%4d%c", &d, &m, &y, &tail) == 3)
    ;
  else
    return FALSE;
  if (!g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_set_dmy (date, d, m, y);
  return TRUE;
}

/**
 * zones_title_blocks:
 * @status: Placer's status value (active, pending, expired, revoked)
 * @grant: (nullable): grant date, if known
 * @expiry: (nullable): expiry date, if known
 *
 * A title in force holds its land from its grant date to its expiry date, both included:
 * a title expiring on D still blocks D and frees D + 1. A pending application blocks
 * whatever its dates, unless @pending_free. Expired and revoked titles never block.
 */
gboolean
zones_title_blocks (const char *status, const GDate *grant, const GDate *expiry,
                    const GDate *as_of, gboolean pending_free)
{
  if (g_strcmp0 (status, "pending") == 0)
    return !pending_free;
  if (g_strcmp0 (status, "active") != 0)
    return FALSE;
  if (grant != NULL && g_date_valid (grant) && g_date_compare (grant, as_of) > 0)
    return FALSE;
  if (expiry != NULL && g_date_valid (expiry) && g_date_compare (expiry, as_of) < 0)
    return FALSE;
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Params and results */

void
zones_unallocated_params_init (ZonesUnallocatedParams *p)
{
  memset (p, 0, sizeof *p);
  p->deposits = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_input_free);
  p->concessions = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_input_free);
  p->landuse = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_input_free);
  p->borders = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_input_free);
  g_date_clear (&p->as_of, 1);
  p->n_threads = 2;
}

static gboolean
add_project_role (GPtrArray *target, GisProject *project, const char *role, GError **error)
{
  g_autoptr(GPtrArray) inputs = zones_inputs_from_project (project, role, error);

  if (inputs == NULL)
    return FALSE;
  for (guint i = 0; i < inputs->len; i++)
    g_ptr_array_add (target, g_steal_pointer (&inputs->pdata[i]));
  g_ptr_array_set_free_func (inputs, NULL);
  return TRUE;
}

/**
 * zones_unallocated_params_add_project:
 * @params: initialised with zones_unallocated_params_init()
 *
 * Adds the project's deposits, concessions, land-use and borders layers to @params, and takes
 * the project CRS for the results and the project's as-of date (when it has one).
 */
gboolean
zones_unallocated_params_add_project (ZonesUnallocatedParams *p, GisProject *project,
                                      GError **error)
{
  g_autofree char *as_of = NULL;
  GDate date;

  g_return_val_if_fail (p != NULL && GIS_IS_PROJECT (project), FALSE);

  if (!add_project_role (p->deposits, project, "deposits", error) ||
      !add_project_role (p->concessions, project, "concessions", error) ||
      !add_project_role (p->landuse, project, "landuse", error) ||
      !add_project_role (p->borders, project, "borders", error))
    return FALSE;
  g_clear_pointer (&p->output_crs, gis_crs_unref);
  p->output_crs = gis_crs_ref (gis_project_get_crs (project));
  as_of = gis_project_dup_meta (project, "as_of");
  if (as_of != NULL && zones_parse_date (as_of, &date))
    p->as_of = date;
  return TRUE;
}

void
zones_unallocated_params_clear (ZonesUnallocatedParams *p)
{
  g_clear_pointer (&p->deposits, g_ptr_array_unref);
  g_clear_pointer (&p->concessions, g_ptr_array_unref);
  g_clear_pointer (&p->landuse, g_ptr_array_unref);
  g_clear_pointer (&p->borders, g_ptr_array_unref);
  g_clear_pointer (&p->rules, zones_rules_free);
  g_clear_pointer (&p->minerals, g_strfreev);
  g_clear_pointer (&p->confidence, g_strfreev);
  g_clear_pointer (&p->output_crs, gis_crs_unref);
  g_clear_pointer (&p->raster_classes, g_array_unref);
}

static void
candidate_free (ZonesCandidate *c)
{
  if (c == NULL)
    return;
  g_free (c->mineral);
  g_free (c->confidence);
  g_free (c->deposit_type);
  g_free (c->deposit_id);
  g_free (c->deposit_layer);
  g_free (c->land_use);
  g_free (c->admin_code);
  g_free (c->admin_name);
  g_clear_pointer (&c->geometry, gis_geometry_unref);
  g_free (c);
}

static void
summary_row_free (ZonesSummaryRow *r)
{
  g_free (r->mineral);
  g_free (r->admin);
  g_free (r->land_use);
  g_free (r);
}

static void
lsm_free (ZonesLsmReview *r)
{
  g_free (r->title_id);
  g_free (r->holder);
  g_free (r->layer);
  g_free (r);
}

void
zones_unallocated_result_free (ZonesUnallocatedResult *r)
{
  if (r == NULL)
    return;
  g_clear_pointer (&r->candidates, g_ptr_array_unref);
  g_clear_pointer (&r->summary, g_ptr_array_unref);
  g_clear_pointer (&r->lsm_review, g_ptr_array_unref);
  g_clear_pointer (&r->invalid_inputs, g_ptr_array_unref);
  g_clear_pointer (&r->warnings, g_ptr_array_unref);
  g_clear_pointer (&r->by_mineral, g_hash_table_unref);
  g_clear_pointer (&r->output_crs, gis_crs_unref);
  g_free (r->working_crs);
  g_free (r);
}

/* ---------------------------------------------------------------------------------------- */
/* The run
 *
 * Memory stays bounded whatever the size of the inputs. Every shape taking part (deposits
 * in scope, blocking titles, excluded and conditional land use) is read a batch of
 * features at a time, checked, brought into the working CRS and parked in a spool (a
 * temporary file); only its envelope and attributes stay in memory. The deposits are then
 * taken in batches of neighbours, along a Hilbert curve through their centres, each about
 * DEFAULT_BATCH_BYTES of shapes read back (its own and those near it). The worker threads
 * take a batch each; a finished batch's pieces go to the caller's sink (the output file)
 * or into the result in batch order, so each worker holds one batch at most. */

#define MAX_THREADS 8
#define READ_BATCH 2048                  /* features per batch while reading */
#define DEFAULT_BATCH_BYTES (1 << 20)    /* shapes read back per batch, about */
#define MIN_BATCH_BYTES (64 << 10)

static int
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  return x < y ? -1 : x > y;
}

typedef struct {
  GisSpoolRef  ref;
  GisEnvelope  box;
  const char  *mineral;
  const char  *confidence;
  const char  *deposit_type;
  const char  *deposit_id;
  const char  *layer;
  gint64       fid;
} Deposit;

/* A cutter (group 0), or a shape of the land-use class of rule group − 1 */
typedef struct {
  GisSpoolRef  ref;
  guint        family;
  guint        group;
} Shape;

typedef struct {
  GisSpoolRef  ref;
  GisEnvelope  box;
  const char  *title_id;
  const char  *holder;
  const char  *layer;
  gint64       fid;
} LsmTitle;

typedef struct {
  GisGeometry *geometry;
  char        *code;
  char        *name;
} Admin;

/* What one deposit of a batch yields: its pieces, and per piece the area it adds to the
 * union of all candidate land and to that of its mineral (two doubles, m²). */
typedef struct {
  GPtrArray *pieces;
  GArray    *added;
  double     deposit_added_m2;
} DepositOut;

typedef struct _Job Job;

/* A batch of neighbouring deposits (or LSM titles) and the shapes near them, read back
 * from the spool. */
typedef struct {
  guint            span;         /* its number: batches are handed over in this order */
  const guint     *ids;          /* its deposits' (or titles') numbers */
  guint            n;
  GPtrArray       *geoms;        /* GisGeometry*, their shapes */
  GArray          *near_ids;     /* guint, the deposits near it ... */
  GisOverlay      *near;         /* ... and their shapes, or NULL */
  GisOverlay      *blocking;     /* the cutters near it, or NULL */
  GisOverlay     **conditional;  /* per rule: its class's shapes near it, or NULL */
  DepositOut      *out;          /* per deposit */
  ZonesLsmReview **lsm_rows;     /* per title */
} Batch;

/* One item (a deposit, a title) of a batch; @meter and @to_output are the worker's own. */
typedef gboolean (*ItemFunc) (Job *job, Batch *b, GisAreaMeter *meter,
                              GisTransform *to_output, guint i, GError **error);
/* Hands a finished batch over; called in batch order, one at a time. */
typedef gboolean (*EmitFunc) (Job *job, Batch *b, GError **error);

struct _Job {
  /* The whole run; read-only while workers run */
  GisSpool       *spool;
  GArray         *deposits;       /* Deposit, in reading order: "earlier" is a lower number */
  GisIndex       *deposit_index;
  GArray         *shapes;         /* Shape */
  GisIndex       *shape_index;
  GArray         *lsm;            /* LsmTitle */
  GPtrArray      *rule_classes;   /* const char *, per rule; a shape's group − 1 */
  guint           n_rules;
  GisOverlay     *admin;
  GPtrArray      *admins;         /* Admin* */
  GisCrs         *working;
  GisCrs         *output;
  GCancellable   *cancellable;
  gboolean        measure_deposits;
  guint           n_threads;
  /* Per worker, made on its first need, kept for the whole run */
  GisAreaMeter   *meters[MAX_THREADS];
  GisTransform   *to_output[MAX_THREADS];
  guint          *deposit_seen[MAX_THREADS];   /* see query_near () */
  guint          *shape_seen[MAX_THREADS];
  guint           mark_base;      /* batches of earlier passes */

  /* Where the pieces go */
  const ZonesUnallocatedParams *params;
  ZonesUnallocatedResult *result;
  GHashTable     *summary_rows;

  /* The pass being run: batches of @order, taken by the workers in turn */
  ItemFunc        func;
  EmitFunc        emit;
  gboolean        cutters;        /* the batches need the cutters near them */
  const guint    *order;
  GArray         *spans;          /* guint start, length per batch */
  gint            next;
  GMutex          lock;
  GCond           emitted;
  guint           emit_next;      /* the batch to hand over next */
  gboolean        failed;
  GError         *error;
};

static inline Deposit *
deposit_at (Job *job, guint id)
{
  return &g_array_index (job->deposits, Deposit, id);
}

/* Totals without building unions. Each deposit's candidate land is the deposit minus the
 * same cutters, so where the land of deposit i meets that of an earlier deposit j it is land
 * of deposit j itself: what a piece of deposit i adds to the union is its area less its
 * overlap with the earlier deposits (simple shapes, not their cut-up land). Summed over
 * all pieces, that is the area of the union; among the deposits of one mineral, of its
 * union. The earlier deposits a piece meets are all among the batch's near ones. */
typedef struct {
  Job        *job;
  Batch      *batch;
  guint       before;         /* only deposits numbered below this */
  const char *mineral;        /* only deposits of this mineral, or any when NULL */
} Earlier;

static gboolean
earlier_cb (guint j, gpointer user_data)
{
  Earlier *e = user_data;
  guint id = g_array_index (e->batch->near_ids, guint, j);

  return id < e->before &&
         (e->mineral == NULL || g_strcmp0 (deposit_at (e->job, id)->mineral, e->mineral) == 0);
}

/* The area @part shares with the deposits before @deposit (of @mineral only, unless NULL);
 * sets *other_mineral when one of them holds another mineral than @deposit. */
static gboolean
shared_area (Job *job, Batch *b, GisAreaMeter *meter, GisGeometry *part, guint deposit,
             const char *mineral, gboolean *other_mineral, double *m2, GError **error)
{
  Earlier e = { job, b, deposit, mineral };
  const char *own = deposit_at (job, deposit)->mineral;
  GisEnvelope pe, box = GIS_ENVELOPE_EMPTY;
  g_autoptr(GArray) hits = NULL;
  g_autoptr(GisGeometry) shared = NULL;

  *m2 = 0;
  if (b->near == NULL)
    return TRUE;
  gis_geometry_get_envelope (part, &pe);
  hits = gis_overlay_query_box (b->near, &pe);
  for (guint k = 0; k < hits->len; k++)
    {
      guint j = g_array_index (hits, guint, k);
      Deposit *d;

      if (!earlier_cb (j, &e))
        continue;
      d = deposit_at (job, g_array_index (b->near_ids, guint, j));
      if (other_mineral != NULL && g_strcmp0 (d->mineral, own) != 0)
        *other_mineral = TRUE;
      gis_envelope_expand (&box, &d->box);
    }
  if (gis_envelope_is_empty (&box))
    return TRUE;
  box.min_x = MAX (box.min_x, pe.min_x);
  box.min_y = MAX (box.min_y, pe.min_y);
  box.max_x = MIN (box.max_x, pe.max_x);
  box.max_y = MIN (box.max_y, pe.max_y);
  if (box.min_x >= box.max_x || box.min_y >= box.max_y)
    return TRUE;
  /* The overlay cuts the earlier deposits' rings to the piece's box and sweeps them with
   * the piece in one pass. */
  shared = gis_overlay_intersect_for_area (b->near, part, earlier_cb, &e, error);
  return shared != NULL && gis_area_meter_measure (meter, shared, m2, error);
}

/* What @part (of area @part_m2) of @deposit adds to the union of all candidate land, and to
 * that of its mineral. */
static gboolean
added_area (Job *job, Batch *b, GisAreaMeter *meter, GisGeometry *part, double part_m2,
            guint deposit, double *union_m2, double *mineral_m2, GError **error)
{
  gboolean other_mineral = FALSE;
  double s = 0;

  if (!shared_area (job, b, meter, part, deposit, NULL, &other_mineral, &s, error))
    return FALSE;
  *union_m2 = part_m2 - s;
  if (mineral_m2 == NULL)
    return TRUE;
  if (!other_mineral)
    {
      *mineral_m2 = *union_m2;   /* every earlier deposit it meets is of its mineral */
      return TRUE;
    }
  if (!shared_area (job, b, meter, part, deposit, deposit_at (job, deposit)->mineral, NULL,
                    &s, error))
    return FALSE;
  *mineral_m2 = part_m2 - s;
  return TRUE;
}

static gboolean
add_piece (Job *job, Batch *b, GisAreaMeter *meter, GisTransform *to_output, guint id,
           GisGeometry *piece, const char *land_use, Admin *admin, DepositOut *out,
           GError **error)
{
  Deposit *d = deposit_at (job, id);
  double m2 = 0, added[2] = { 0, 0 };
  ZonesCandidate *c;
  GisGeometry *g;

  if (gis_geometry_is_empty (piece))
    return TRUE;
  if (!gis_area_meter_measure (meter, piece, &m2, error))
    return FALSE;
  /* Touching shapes leave zero-area rings; a 0.01 ha sliver is 100 m² and is kept. */
  if (m2 <= 1e-6)
    return TRUE;
  if (!added_area (job, b, meter, piece, m2, id, &added[0], &added[1], error))
    return FALSE;
  g = to_output ? gis_transform_geometry (to_output, piece, error) : gis_geometry_ref (piece);
  if (g == NULL)
    return FALSE;
  c = g_new0 (ZonesCandidate, 1);
  c->mineral = g_strdup (d->mineral);
  c->confidence = g_strdup (d->confidence);
  c->deposit_type = g_strdup (d->deposit_type);
  c->deposit_id = g_strdup (d->deposit_id);
  c->deposit_layer = g_strdup (d->layer);
  c->deposit_fid = d->fid;
  c->land_use = g_strdup (land_use);
  c->admin_code = admin ? g_strdup (admin->code) : NULL;
  c->admin_name = admin ? g_strdup (admin->name) : NULL;
  c->area_ha = m2 / 1e4;
  c->geometry = g;
  g_ptr_array_add (out->pieces, c);
  g_array_append_vals (out->added, added, 2);
  return TRUE;
}

/* Splits one land-use part of a candidate by admin unit; land outside every unit (on a
 * lake, beyond the borders layer) is kept with no unit, never dropped. */
static gboolean
split_by_admin (Job *job, Batch *b, GisAreaMeter *meter, GisTransform *to_output, guint id,
                GisGeometry *part, const char *land_use, DepositOut *out, GError **error)
{
  g_autoptr(GArray) idx = NULL;
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GisGeometry) outside = NULL;

  if (job->admin == NULL)
    return add_piece (job, b, meter, to_output, id, part, land_use, NULL, out, error);
  idx = g_array_new (FALSE, FALSE, sizeof (guint));
  pieces = gis_overlay_split (job->admin, part, idx, error);
  if (pieces == NULL)
    return FALSE;
  for (guint i = 0; i < pieces->len; i++)
    if (!add_piece (job, b, meter, to_output, id, g_ptr_array_index (pieces, i), land_use,
                    g_ptr_array_index (job->admins, g_array_index (idx, guint, i)), out, error))
      return FALSE;
  outside = gis_overlay_subtract (job->admin, part, error);
  if (outside == NULL)
    return FALSE;
  return add_piece (job, b, meter, to_output, id, outside, land_use, NULL, out, error);
}

static gboolean
deposit_pieces (Job *job, Batch *b, GisAreaMeter *meter, GisTransform *to_output, guint i,
                DepositOut *out, GError **error)
{
  guint id = b->ids[i];
  GisGeometry *geometry = g_ptr_array_index (b->geoms, i);
  g_autoptr(GisGeometry) cand = NULL;
  g_autoptr(GisGeometry) rest = NULL;

  cand = b->blocking ? gis_overlay_subtract (b->blocking, geometry, error)
                       : gis_geometry_polygonal_part (geometry, error);
  if (cand == NULL)
    return FALSE;
  if (gis_geometry_is_empty (cand))
    return TRUE;
  rest = gis_geometry_ref (cand);
  /* Conditional classes in the rules' order; a piece in two classes goes to the first. */
  for (guint k = 0; k < job->n_rules; k++)
    {
      g_autoptr(GisGeometry) part = NULL;
      GisGeometry *remaining;

      if (b->conditional[k] == NULL)
        continue;
      part = gis_overlay_intersect (b->conditional[k], rest, error);
      if (part == NULL)
        return FALSE;
      if (gis_geometry_is_empty (part))
        continue;
      if (!split_by_admin (job, b, meter, to_output, id, part,
                           g_ptr_array_index (job->rule_classes, k), out, error))
        return FALSE;
      remaining = gis_geometry_difference (rest, part, error);
      if (remaining == NULL)
        return FALSE;
      gis_geometry_unref (rest);
      rest = gis_geometry_polygonal_part (remaining, error);
      gis_geometry_unref (remaining);
      if (rest == NULL)
        return FALSE;
    }
  return split_by_admin (job, b, meter, to_output, id, rest, "allowed", out, error);
}

/* One deposit of the batch: its candidate pieces and what they add to the totals. */
static gboolean
process_deposit (Job *job, Batch *b, GisAreaMeter *meter, GisTransform *to_output, guint i,
                 GError **error)
{
  Deposit *d = deposit_at (job, b->ids[i]);
  GisGeometry *geometry = g_ptr_array_index (b->geoms, i);
  DepositOut *out = &b->out[i];
  double m2 = 0;

  out->pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  out->added = g_array_new (FALSE, FALSE, sizeof (double));
  if (deposit_pieces (job, b, meter, to_output, i, out, error) &&
      (!job->measure_deposits ||
       (gis_area_meter_measure (meter, geometry, &m2, error) &&
        added_area (job, b, meter, geometry, m2, b->ids[i], &out->deposit_added_m2, NULL,
                    error))))
    return TRUE;
  g_prefix_error (error, "%s, feature %" G_GINT64_FORMAT ": ", d->layer, d->fid);
  return FALSE;
}

/* One large-scale title in force: the deposit land in scope inside it. */
static gboolean
process_lsm_title (Job *job, Batch *b, GisAreaMeter *meter, GisTransform *to_output, guint i,
                   GError **error)
{
  LsmTitle *t = &g_array_index (job->lsm, LsmTitle, b->ids[i]);
  GisGeometry *geometry = g_ptr_array_index (b->geoms, i);
  g_autoptr(GisGeometry) inside = NULL;
  double m2 = 0, title_m2 = 0;
  ZonesLsmReview *row;

  if (b->near == NULL)
    return TRUE;
  inside = gis_overlay_intersect_for_area (b->near, geometry, NULL, NULL, error);
  if (inside == NULL ||
      (!gis_geometry_is_empty (inside) &&
       (!gis_area_meter_measure (meter, inside, &m2, error) ||
        !gis_area_meter_measure (meter, geometry, &title_m2, error))))
    {
      g_prefix_error (error, "%s, feature %" G_GINT64_FORMAT ": ", t->layer, t->fid);
      return FALSE;
    }
  if (m2 <= 1e-6)
    return TRUE;
  row = g_new0 (ZonesLsmReview, 1);
  row->title_id = g_strdup (t->title_id);
  row->holder = g_strdup (t->holder);
  row->layer = g_strdup (t->layer);
  row->fid = t->fid;
  row->deposit_ha = m2 / 1e4;
  row->title_ha = title_m2 / 1e4;
  b->lsm_rows[i] = row;
  return TRUE;
}

static const GisEnvelope *
deposit_box (gpointer job, guint i)
{
  return &deposit_at (job, i)->box;
}

static const GisEnvelope *
lsm_box (gpointer job, guint i)
{
  return &g_array_index (((Job *) job)->lsm, LsmTitle, i).box;
}

/* The members of @index whose envelope meets one of @boxes, each once, in ascending order.
 * @seen has a slot per member; @mark is new for each call. */
static GArray *
query_near (GisIndex *index, const GisEnvelope *boxes, guint n, guint *seen, guint mark)
{
  GArray *hits = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) some = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < n; i++)
    {
      g_array_set_size (some, 0);
      gis_index_query_into (index, &boxes[i], some);
      for (guint k = 0; k < some->len; k++)
        {
          guint m = g_array_index (some, guint, k);
          if (seen[m] == mark)
            continue;
          seen[m] = mark;
          g_array_append_val (hits, m);
        }
    }
  g_array_sort (hits, compare_uint);
  return hits;
}

static void
batch_clear (Job *job, Batch *b)
{
  g_clear_pointer (&b->geoms, g_ptr_array_unref);
  g_clear_pointer (&b->near_ids, g_array_unref);
  g_clear_pointer (&b->near, gis_overlay_free);
  g_clear_pointer (&b->blocking, gis_overlay_free);
  if (b->conditional != NULL)
    for (guint k = 0; k < job->n_rules; k++)
      g_clear_pointer (&b->conditional[k], gis_overlay_free);
  g_clear_pointer (&b->conditional, g_free);
  for (guint i = 0; b->out != NULL && i < b->n; i++)
    {
      g_clear_pointer (&b->out[i].pieces, g_ptr_array_unref);
      g_clear_pointer (&b->out[i].added, g_array_unref);
    }
  g_clear_pointer (&b->out, g_free);
  g_clear_pointer (&b->lsm_rows, g_free);
}

/* The batch's own shape (deposit or title) @i */
static const GisSpoolRef *
own_ref (Job *job, guint id)
{
  return job->func == process_lsm_title ? &g_array_index (job->lsm, LsmTitle, id).ref
                                        : &deposit_at (job, id)->ref;
}

static const GisEnvelope *
own_box (Job *job, guint id)
{
  return job->func == process_lsm_title ? &g_array_index (job->lsm, LsmTitle, id).box
                                        : &deposit_at (job, id)->box;
}

/* Reads the batch's own shapes, the deposits whose box meets one of theirs (for the totals
 * and the LSM review) and, when the pass needs them, the cutters and conditional shapes
 * near them; on worker @t. */
static gboolean
load_batch (Job *job, Batch *b, guint t, GError **error)
{
  g_autofree GisEnvelope *boxes = g_new (GisEnvelope, MAX (b->n, 1));
  g_autoptr(GPtrArray) near_geoms = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  guint mark = job->mark_base + b->span + 1;   /* new in every batch of every pass */

  for (guint i = 0; i < b->n; i++)
    boxes[i] = *own_box (job, b->ids[i]);
  b->near_ids = query_near (job->deposit_index, boxes, b->n, job->deposit_seen[t], mark);
  for (guint k = 0; k < b->near_ids->len; k++)
    {
      guint id = g_array_index (b->near_ids, guint, k);
      GisGeometry *g = gis_spool_get (job->spool, &deposit_at (job, id)->ref, error);
      if (g == NULL)
        return FALSE;
      g_ptr_array_add (near_geoms, g);
    }
  /* A batch of deposits is among its own near ones (in ascending order): each is read
   * once. */
  b->geoms = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  for (guint i = 0; i < b->n; i++)
    {
      GisGeometry *g = NULL;
      guint lo = 0, hi = b->near_ids->len;

      if (job->func == process_deposit)
        {
          while (lo < hi)
            {
              guint mid = lo + (hi - lo) / 2;
              if (g_array_index (b->near_ids, guint, mid) < b->ids[i])
                lo = mid + 1;
              else
                hi = mid;
            }
          if (lo < b->near_ids->len && g_array_index (b->near_ids, guint, lo) == b->ids[i])
            g = gis_geometry_ref (g_ptr_array_index (near_geoms, lo));
        }
      if (g == NULL)
        g = gis_spool_get (job->spool, own_ref (job, b->ids[i]), error);
      if (g == NULL)
        return FALSE;
      g_ptr_array_add (b->geoms, g);
    }
  if (near_geoms->len > 0)
    {
      b->near = gis_overlay_new (near_geoms, error);
      if (b->near == NULL)
        return FALSE;
    }
  b->conditional = g_new0 (GisOverlay *, MAX (job->n_rules, 1));
  if (job->cutters)
    {
      g_autoptr(GArray) hits = query_near (job->shape_index, boxes, b->n, job->shape_seen[t], mark);
      g_autoptr(GPtrArray) blocking = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
      g_autoptr(GArray) families = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autofree GPtrArray **by_rule = g_new0 (GPtrArray *, MAX (job->n_rules, 1));
      gboolean ok = TRUE;

      for (guint k = 0; ok && k < hits->len; k++)
        {
          Shape *s = &g_array_index (job->shapes, Shape, g_array_index (hits, guint, k));
          GisGeometry *g = gis_spool_get (job->spool, &s->ref, error);

          if (g == NULL)
            ok = FALSE;
          else if (s->group == 0)
            {
              g_ptr_array_add (blocking, g);
              g_array_append_val (families, s->family);
            }
          else
            {
              if (by_rule[s->group - 1] == NULL)
                by_rule[s->group - 1] = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
              g_ptr_array_add (by_rule[s->group - 1], g);
            }
        }
      if (ok && blocking->len > 0)
        {
          b->blocking = gis_overlay_new_full (blocking, (const guint *) (gpointer) families->data,
                                              error);
          ok = b->blocking != NULL;
        }
      for (guint r = 0; r < job->n_rules; r++)
        {
          if (ok && by_rule[r] != NULL)
            {
              b->conditional[r] = gis_overlay_new (by_rule[r], error);
              ok = b->conditional[r] != NULL;
            }
          g_clear_pointer (&by_rule[r], g_ptr_array_unref);
        }
      if (!ok)
        return FALSE;
    }
  if (job->func == process_lsm_title)
    b->lsm_rows = g_new0 (ZonesLsmReview *, MAX (b->n, 1));
  else
    b->out = g_new0 (DepositOut, MAX (b->n, 1));
  return TRUE;
}

typedef struct {
  Job   *job;
  guint  slot;    /* the worker's number: its meter, transformation and marks */
} WorkerArg;

/* Takes batches in turn: reads one back, runs the pass's function on each of its items,
 * then waits for its turn to hand it over, so that pieces come out in batch order whatever
 * the threads' speed; each worker holds at most one batch. */
static gpointer
worker (gpointer data)
{
  WorkerArg *arg = data;
  Job *job = arg->job;
  guint t = arg->slot;
  GError *error = NULL;

  /* Every edge a worker measures is new: the pieces of one deposit share none, so the
   * meter keeps no table of edges. */
  if (job->meters[t] == NULL)
    {
      job->meters[t] = gis_area_meter_new (job->working, &error);
      if (job->meters[t] != NULL)
        gis_area_meter_set_remember (job->meters[t], FALSE);
      if (job->meters[t] != NULL && !gis_crs_equal (job->working, job->output))
        job->to_output[t] = gis_transform_new (job->working, job->output, &error);
      job->deposit_seen[t] = g_new0 (guint, MAX (job->deposits->len, 1));
      job->shape_seen[t] = g_new0 (guint, MAX (job->shapes->len, 1));
    }
  for (;;)
    {
      gint s = g_atomic_int_add (&job->next, 1);
      Batch b = { 0 };
      gboolean ok = error == NULL;

      if (!ok || s >= (gint) (job->spans->len / 2) || g_atomic_int_get (&job->failed))
        break;
      b.span = (guint) s;
      b.ids = job->order + g_array_index (job->spans, guint, 2 * s);
      b.n = g_array_index (job->spans, guint, 2 * s + 1);
      ok = load_batch (job, &b, t, &error);
      for (guint i = 0; ok && i < b.n; i++)
        ok = !g_cancellable_set_error_if_cancelled (job->cancellable, &error) &&
             !g_atomic_int_get (&job->failed) &&
             job->func (job, &b, job->meters[t], job->to_output[t], i, &error);
      g_mutex_lock (&job->lock);
      while (ok && job->emit_next != b.span && !job->failed)
        g_cond_wait (&job->emitted, &job->lock);
      if (ok && !job->failed)
        {
          ok = job->emit (job, &b, &error);
          job->emit_next++;
        }
      if (error != NULL)
        {
          if (job->error == NULL)
            job->error = g_steal_pointer (&error);
          g_clear_error (&error);
          job->failed = TRUE;
        }
      g_cond_broadcast (&job->emitted);
      g_mutex_unlock (&job->lock);
      batch_clear (job, &b);
    }
  if (error != NULL)   /* setting up the worker failed */
    {
      g_mutex_lock (&job->lock);
      if (job->error == NULL)
        job->error = g_steal_pointer (&error);
      g_clear_error (&error);
      job->failed = TRUE;
      g_cond_broadcast (&job->emitted);
      g_mutex_unlock (&job->lock);
    }
  return NULL;
}

/* The bytes item @i of the pass brings into a batch that already holds what @dseen and
 * @sseen mark with @mark: its own shape (a title's; a deposit is among its own near ones),
 * the deposits near it and, for the overlay, the cutters near it; marks them. */
static gsize
item_bytes (Job *job, guint i, guint *dseen, guint *sseen, guint mark)
{
  const GisEnvelope *box = own_box (job, i);
  gsize bytes = job->func == process_lsm_title ? own_ref (job, i)->length : 0;
  g_autoptr(GArray) deposits = query_near (job->deposit_index, box, 1, dseen, mark);

  for (guint k = 0; k < deposits->len; k++)
    bytes += deposit_at (job, g_array_index (deposits, guint, k))->ref.length;
  if (job->cutters)
    {
      g_autoptr(GArray) shapes = query_near (job->shape_index, box, 1, sseen, mark);
      for (guint k = 0; k < shapes->len; k++)
        bytes += g_array_index (job->shapes, Shape, g_array_index (shapes, guint, k)).ref.length;
    }
  return bytes;
}

/* Splits @order into batches (start, length) whose shapes, read back together (their own,
 * and the deposits and cutters near them), come to about @budget bytes; one item at least.
 * This bounds memory whatever the items: a run of small titles over large deposits makes
 * short batches. */
static GArray *
plan_batches (Job *job, const guint *order, guint n, gsize budget)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree guint *dseen = g_new0 (guint, MAX (job->deposits->len, 1));
  g_autofree guint *sseen = g_new0 (guint, MAX (job->shapes->len, 1));
  guint mark = 1, start = 0;
  gsize bytes = 0;

  for (guint k = 0; k < n; k++)
    {
      gsize add = item_bytes (job, order[k], dseen, sseen, mark);

      if (k > start && bytes + add > budget)
        {
          guint len = k - start;
          g_array_append_val (spans, start);
          g_array_append_val (spans, len);
          start = k;
          mark++;
          add = item_bytes (job, order[k], dseen, sseen, mark);
          bytes = 0;
        }
      bytes += add;
    }
  if (n > start)
    {
      guint len = n - start;
      g_array_append_val (spans, start);
      g_array_append_val (spans, len);
    }
  return spans;
}

/* Runs @func over the @n items of @order (deposits or LSM titles, in Hilbert order), in
 * batches of neighbours of about @budget bytes, on the job's threads (this one included);
 * each batch goes to @emit when done, in order. */
static gboolean
run_batches (Job *job, ItemFunc func, EmitFunc emit, gboolean cutters, const guint *order,
             guint n, gsize budget, GError **error)
{
  GThread *threads[MAX_THREADS];
  WorkerArg args[MAX_THREADS];
  g_autoptr(GArray) spans = NULL;
  guint n_threads;

  job->func = func;
  job->emit = emit;
  job->cutters = cutters;
  spans = plan_batches (job, order, n, budget);
  job->order = order;
  job->spans = spans;
  job->next = 0;
  job->emit_next = 0;
  job->failed = FALSE;
  n_threads = CLAMP (MIN (job->n_threads, spans->len / 2), 1, MAX_THREADS);
  for (guint t = 0; t < n_threads; t++)
    args[t] = (WorkerArg) { job, t };
  for (guint t = 1; t < n_threads; t++)
    threads[t] = g_thread_new ("unallocated", worker, &args[t]);
  worker (&args[0]);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
  job->spans = NULL;
  job->mark_base += spans->len / 2;
  if (job->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job->error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
in_list (char **list, const char *value)
{
  return list == NULL || (value != NULL && g_strv_contains ((const char *const *) list, value));
}

/* Chooses the working CRS: the inputs' common CRS if they share one, else an equal-area
 * projection centred on the deposits. */
static GisCrs *
choose_working_crs (const ZonesUnallocatedParams *p, GError **error)
{
  GisCrs *common = NULL;
  gboolean same = TRUE;
  GisEnvelope ll = GIS_ENVELOPE_EMPTY;
  GPtrArray *all[] = { p->deposits, p->concessions, p->landuse, p->borders };

  for (guint a = 0; a < G_N_ELEMENTS (all); a++)
    for (guint i = 0; i < all[a]->len; i++)
      {
        ZonesInput *in = g_ptr_array_index (all[a], i);
        if (common == NULL)
          common = in->crs;
        else if (!gis_crs_equal (common, in->crs))
          same = FALSE;
      }
  /* One CRS for all: no reprojection at all, so edges stay exactly what the data says
   * (straight in that CRS, as every GIS draws them). */
  if (same && common != NULL)
    return gis_crs_ref (common);
  for (guint i = 0; i < p->deposits->len; i++)
    {
      GisEnvelope e;
      if (!zones_input_lonlat_extent (g_ptr_array_index (p->deposits, i), &e, error))
        return NULL;
      gis_envelope_expand (&ll, &e);
    }
  if (gis_envelope_is_empty (&ll))
    ll = (GisEnvelope) { 0, 0, 0, 0 };
  return gis_crs_new_equal_area_for (&ll, error);
}

static gboolean
check_invalid (const ZonesUnallocatedParams *p, ZonesRecordSet *set, GPtrArray *invalid,
               GError **error)
{
  for (guint i = 0; i < set->invalid->len; i++)
    {
      ZonesInvalidInput *bad = g_ptr_array_index (set->invalid, i);
      ZonesInvalidInput *copy = g_new0 (ZonesInvalidInput, 1);
      copy->layer = g_strdup (bad->layer);
      copy->fid = bad->fid;
      copy->reason = g_strdup (bad->reason);
      copy->repaired = bad->repaired;
      g_ptr_array_add (invalid, copy);
    }
  if (set->invalid->len > 0 && !p->repair)
    {
      ZonesInvalidInput *first = g_ptr_array_index (set->invalid, 0);
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "%s: %u invalid geometr%s, e.g. feature %" G_GINT64_FORMAT " (%s); run "
                   "with --repair to repair them (each is listed in the result)",
                   set->input->label, set->invalid->len, set->invalid->len == 1 ? "y" : "ies",
                   first->fid, first->reason);
      return FALSE;
    }
  return TRUE;
}

/* Hands a raster's polygon over in the working CRS. */
typedef struct {
  GisTransform         *to_working;   /* NULL: the raster is in the working CRS */
  GisRasterPolygonFunc  func;
  gpointer              data;
} ToWorking;

static gboolean
to_working_cb (double value, GisGeometry *geometry, gpointer user_data, GError **error)
{
  ToWorking *w = user_data;
  g_autoptr(GisGeometry) g = NULL;

  if (w->to_working != NULL)
    {
      g = gis_transform_geometry (w->to_working, geometry, error);
      if (g == NULL)
        return FALSE;
      geometry = g;
    }
  return w->func (value, geometry, w->data, error);
}

/* Hands a classified or thresholded raster's selected pixels to @func as polygons in
 * @working, one at a time; *@reprojected says first whether they had to be reprojected. */
static gboolean
raster_polygons (ZonesInput *in, GisCrs *working, const GisEnvelope *window_working,
                 const double *classes, guint n_classes, const double *threshold,
                 gboolean merge, gboolean *reprojected, GisRasterPolygonFunc func,
                 gpointer user_data, GCancellable *cancellable, GError **error)
{
  g_autoptr(GisRaster) raster = gis_raster_open (in->path, error);
  g_autoptr(GisTransform) to_raster = NULL;
  g_autoptr(GisTransform) to_working = NULL;
  GisEnvelope window = GIS_ENVELOPE_EMPTY;
  ToWorking w = { NULL, func, user_data };

  if (raster == NULL)
    return FALSE;
  to_raster = gis_transform_new (working, gis_raster_get_crs (raster), error);
  to_working = to_raster ? gis_transform_new (gis_raster_get_crs (raster), working, error) : NULL;
  if (to_working == NULL)
    return FALSE;
  if (window_working != NULL && !gis_envelope_is_empty (window_working))
    {
      double x[4] = { window_working->min_x, window_working->max_x, window_working->max_x,
                      window_working->min_x };
      double y[4] = { window_working->min_y, window_working->min_y, window_working->max_y,
                      window_working->max_y };
      if (!gis_transform_points (to_raster, x, y, 4, error))
        return FALSE;
      for (guint i = 0; i < 4; i++)
        gis_envelope_add_point (&window, x[i], y[i]);
    }
  *reprojected = !gis_crs_equal (gis_raster_get_crs (raster), working);
  if (*reprojected)
    w.to_working = to_working;
  return gis_raster_polygonize_each (raster, 1, gis_envelope_is_empty (&window) ? NULL : &window,
                                     classes, n_classes, threshold, merge, to_working_cb, &w,
                                     cancellable, error);
}

static double *
boxed_double (double v)
{
  double *p = g_new (double, 1);
  *p = v;
  return p;
}

static int
compare_summary (gconstpointer a, gconstpointer b)
{
  const ZonesSummaryRow *x = *(ZonesSummaryRow *const *) a;
  const ZonesSummaryRow *y = *(ZonesSummaryRow *const *) b;
  int c = g_strcmp0 (x->mineral, y->mineral);
  if (c == 0)
    c = g_strcmp0 (x->admin, y->admin);
  if (c == 0)
    c = g_strcmp0 (x->land_use, y->land_use);
  return c;
}

static int
compare_lsm (gconstpointer a, gconstpointer b)
{
  const ZonesLsmReview *x = *(ZonesLsmReview *const *) a;
  const ZonesLsmReview *y = *(ZonesLsmReview *const *) b;
  if (x->deposit_ha != y->deposit_ha)
    return x->deposit_ha < y->deposit_ha ? 1 : -1;
  return g_strcmp0 (x->title_id, y->title_id);
}


static void
admin_free (Admin *a)
{
  g_clear_pointer (&a->geometry, gis_geometry_unref);
  g_free (a->code);
  g_free (a->name);
  g_free (a);
}

/* Reading the inputs into the spool */
typedef struct {
  const ZonesUnallocatedParams *p;
  Job                          *job;
  ZonesUnallocatedResult       *result;
  ZonesInput                   *in;
  GStringChunk                 *strings;
  const char *const            *confidence;
  GHashTable                   *rule_index;   /* const ZonesRule* → its number + 1 */
  GisEnvelope                   deposit_extent;
  guint                         unknown;      /* deposits with untranslated values */
  gint64                        raster_fid;   /* deposits made from raster cells so far */
  GPtrArray                    *invalid;      /* ZonesInvalidInput: this reader's */
  GPtrArray                    *warnings;     /* char *: this reader's */
} Reading;

static const char *
keep_string (Reading *rd, const char *s)
{
  return s ? g_string_chunk_insert_const (rd->strings, s) : NULL;
}

static gboolean
add_deposit (Reading *rd, GisGeometry *g, const char *mineral, const char *confidence,
             const char *deposit_type, const char *deposit_id, gint64 fid, GError **error)
{
  Deposit d = { { 0 } };

  if (!gis_spool_put (rd->job->spool, g, &d.ref, error))
    return FALSE;
  gis_geometry_get_envelope (g, &d.box);
  d.mineral = keep_string (rd, mineral);
  d.confidence = keep_string (rd, confidence);
  d.deposit_type = keep_string (rd, deposit_type);
  d.deposit_id = deposit_id ? g_string_chunk_insert (rd->strings, deposit_id) : NULL;
  d.layer = keep_string (rd, rd->in->label);
  d.fid = fid;
  gis_envelope_expand (&rd->deposit_extent, &d.box);
  g_array_append_val (rd->job->deposits, d);
  return TRUE;
}

static gboolean
add_shape (Reading *rd, GisGeometry *g, guint family, guint group, GError **error)
{
  Shape s = { { 0 }, family, group };
  GisEnvelope e;

  if (!gis_spool_put (rd->job->spool, g, &s.ref, error))
    return FALSE;
  gis_geometry_get_envelope (g, &e);
  gis_index_insert (rd->job->shape_index, &e, rd->job->shapes->len);
  g_array_append_val (rd->job->shapes, s);
  return TRUE;
}

static guint
rule_number (Reading *rd, const ZonesRule *rule)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (rd->rule_index, rule)) - 1;
}

/* A land-use shape of a class the rules exclude (widened by its buffer) or make
 * conditional. */
static gboolean
add_landuse (Reading *rd, GisGeometry *g, const ZonesRule *rule, GError **error)
{
  g_autoptr(GisGeometry) cutter = NULL;

  if (rule->kind != ZONES_RULE_EXCLUDED)
    {
      rd->result->n_conditional++;
      return add_shape (rd, g, 0, rule_number (rd, rule) + 1, error);
    }
  cutter = rule->buffer_m > 0 ? gis_geometry_buffer_metres (g, rd->job->working, rule->buffer_m,
                                                           error)
                              : gis_geometry_polygonal_part (g, error);
  rd->result->n_excluded++;
  return cutter != NULL && add_shape (rd, cutter, 0, 0, error);
}

static gboolean
deposits_cb (ZonesRecordSet *set, gpointer user_data, GError **error)
{
  Reading *rd = user_data;
  const ZonesUnallocatedParams *p = rd->p;
  int im = zones_record_set_field_index (set, "mineral");
  int ic = zones_record_set_field_index (set, "confidence");
  int it = zones_record_set_field_index (set, "deposit_type");
  int id = zones_record_set_field_index (set, "id");

  for (guint k = 0; k < set->records->len; k++)
    {
      ZonesRecord *r = g_ptr_array_index (set->records, k);

      if ((r->values[im] == NULL && r->raw[im] != NULL) ||
          (r->values[ic] == NULL && r->raw[ic] != NULL))
        rd->unknown++;
      if (!in_list (p->minerals, r->values[im]) || r->values[im] == NULL ||
          r->values[ic] == NULL || !g_strv_contains (rd->confidence, r->values[ic]))
        continue;
      if (!add_deposit (rd, r->geometry, r->values[im], r->values[ic], r->values[it],
                        r->values[id], r->fid, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
titles_cb (ZonesRecordSet *set, gpointer user_data, GError **error)
{
  Reading *rd = user_data;
  const ZonesUnallocatedParams *p = rd->p;
  ZonesInput *in = rd->in;
  int is = zones_record_set_field_index (set, "status");
  int ig = zones_record_set_field_index (set, "grant_date");
  int ie = zones_record_set_field_index (set, "expiry_date");
  int itype = zones_record_set_field_index (set, "type");
  int iid = zones_record_set_field_index (set, "title_id");
  int iholder = zones_record_set_field_index (set, "holder");

  for (guint k = 0; k < set->records->len; k++)
    {
      ZonesRecord *r = g_ptr_array_index (set->records, k);
      GDate grant, expiry;
      gboolean has_grant, has_expiry;

      if (r->values[is] == NULL)
        {
          if (r->raw[is] == NULL)
            g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                         "%s, feature %" G_GINT64_FORMAT ", field status is empty; fill it "
                         "or give the layer a default (--map 'status:*=active' when adding "
                         "it)", in->label, r->fid);
          else
            g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                         "%s, feature %" G_GINT64_FORMAT ", field status: value “%s” is not "
                         "translated; map it (e.g. --map 'status:%s=active' when adding "
                         "the layer)", in->label, r->fid, r->raw[is], r->raw[is]);
          return FALSE;
        }
      has_grant = r->values[ig] != NULL && *r->values[ig] != '\0';
      has_expiry = r->values[ie] != NULL && *r->values[ie] != '\0';
      if ((has_grant && !zones_parse_date (r->values[ig], &grant)) ||
          (has_expiry && !zones_parse_date (r->values[ie], &expiry)))
        {
          gboolean bad_grant = has_grant && !zones_parse_date (r->values[ig], &grant);
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                       "%s, feature %" G_GINT64_FORMAT ", field %s: “%s” is not a date "
                       "(YYYY-MM-DD)", in->label, r->fid,
                       bad_grant ? "grant_date" : "expiry_date",
                       bad_grant ? r->values[ig] : r->values[ie]);
          return FALSE;
        }
      if (!zones_title_blocks (r->values[is], has_grant ? &grant : NULL,
                               has_expiry ? &expiry : NULL, &p->as_of, p->pending_free))
        continue;
      if (!add_shape (rd, r->geometry, 0, 0, error))
        return FALSE;
      rd->result->n_blocking++;
      if (g_strcmp0 (r->values[itype], "lsm_exploitation") == 0 &&
          g_strcmp0 (r->values[is], "active") == 0)
        {
          /* The same shape as the cutter just spooled. */
          LsmTitle t = { g_array_index (rd->job->shapes, Shape, rd->job->shapes->len - 1).ref };
          gis_geometry_get_envelope (r->geometry, &t.box);
          t.title_id = iid >= 0 && r->values[iid] ? g_string_chunk_insert (rd->strings, r->values[iid]) : NULL;
          t.holder = iholder >= 0 ? keep_string (rd, r->values[iholder]) : NULL;
          t.layer = keep_string (rd, in->label);
          t.fid = r->fid;
          g_array_append_val (rd->job->lsm, t);
        }
    }
  return TRUE;
}

static gboolean
landuse_cb (ZonesRecordSet *set, gpointer user_data, GError **error)
{
  Reading *rd = user_data;
  const ZonesUnallocatedParams *p = rd->p;
  ZonesInput *in = rd->in;
  int ic = zones_record_set_field_index (set, "class");

  for (guint k = 0; k < set->records->len; k++)
    {
      ZonesRecord *r = g_ptr_array_index (set->records, k);
      const ZonesRule *rule;

      if (r->values[ic] == NULL && r->raw[ic] == NULL)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                       "%s, feature %" G_GINT64_FORMAT ", field class is empty; give the "
                       "layer a default class (--map 'class:*=protected_area' when adding "
                       "it) or fill the field", in->label, r->fid);
          return FALSE;
        }
      if (r->values[ic] == NULL)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                       "%s, feature %" G_GINT64_FORMAT ", field class: value “%s” is not "
                       "a land-use class Placer knows; map it (e.g. --map "
                       "'class:%s=protected_area' when adding the layer)", in->label,
                       r->fid, r->raw[ic], r->raw[ic]);
          return FALSE;
        }
      rule = zones_rules_lookup (p->rules, r->values[ic]);
      if (rule == NULL || rule->kind == ZONES_RULE_ALLOWED)
        continue;
      if (!add_landuse (rd, r->geometry, rule, error))
        {
          g_prefix_error (error, "%s, feature %" G_GINT64_FORMAT ": ", in->label, r->fid);
          return FALSE;
        }
    }
  return TRUE;
}

/* Reads one vector input a batch at a time through @func; its invalid shapes are listed. */
static gboolean
read_input (Reading *rd, ZonesInput *in, ZonesRecordsFunc func, GCancellable *cancellable,
            GError **error)
{
  g_autoptr(ZonesRecordSet) set = NULL;

  rd->in = in;
  set = zones_record_set_read_each (in, rd->job->working, rd->p->repair, READ_BATCH, func, rd,
                                    cancellable, error);
  return set != NULL && check_invalid (rd->p, set, rd->invalid, error);
}

/* Pixel regions of the classes excluded with no buffer (one family), or of the others. */
typedef struct {
  Reading      *rd;
  const gboolean *reprojected;
  guint         family;
  GArray       *codes;       /* double: the class values … */
  GPtrArray    *code_rule;   /* … and their rules */
} LandCover;

static gboolean
plain_cb (double value, GisGeometry *geometry, gpointer user_data, GError **error)
{
  LandCover *lc = user_data;

  /* Reprojected pixel edges are no longer exactly the shared lines they were: then the
   * regions are treated like any other cutters. */
  lc->rd->result->n_excluded++;
  return add_shape (lc->rd, geometry, *lc->reprojected ? 0 : lc->family, 0, error);
}

static gboolean
coded_cb (double value, GisGeometry *geometry, gpointer user_data, GError **error)
{
  LandCover *lc = user_data;
  const ZonesRule *rule = NULL;

  for (guint c = 0; c < lc->codes->len; c++)
    if (g_array_index (lc->codes, double, c) == value)
      rule = g_ptr_array_index (lc->code_rule, c);
  return add_landuse (lc->rd, geometry, rule, error);
}

/* A raster's land-use classes: pixel values → classes through the layer's mapping. The
 * classes excluded with no buffer are polygonized together: their regions neither overlap
 * nor share edges, so the overlay needs no union among them (a family). */
static gboolean
read_landuse_raster (Reading *rd, ZonesInput *in, guint *n_families, GCancellable *cancellable,
                     GError **error)
{
  const ZonesUnallocatedParams *p = rd->p;
  g_autoptr(GArray) codes = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) plain = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) code_rule = g_ptr_array_new ();
  gboolean reprojected = FALSE;
  LandCover lc = { rd, &reprojected, 0, codes, code_rule };

  rd->in = in;
  for (guint v = 0; v < 256; v++)
    {
      g_autofree char *key = g_strdup_printf ("%u", v);
      const char *cls = zones_mapping_map_value (in->mapping, "class", key);
      const ZonesRule *rule = cls ? zones_rules_lookup (p->rules, cls) : NULL;
      double dv = v;
      if (rule == NULL || rule->kind == ZONES_RULE_ALLOWED)
        continue;
      if (rule->kind == ZONES_RULE_EXCLUDED && rule->buffer_m <= 0)
        {
          g_array_append_val (plain, dv);
          continue;
        }
      g_array_append_val (codes, dv);
      g_ptr_array_add (code_rule, (gpointer) rule);
    }
  if (plain->len > 0)
    {
      lc.family = ++*n_families;
      if (!raster_polygons (in, rd->job->working, &rd->deposit_extent,
                            (double *) (gpointer) plain->data, plain->len, NULL, TRUE,
                            &reprojected, plain_cb, &lc, cancellable, error))
        return FALSE;
    }
  if (codes->len > 0 &&
      !raster_polygons (in, rd->job->working, &rd->deposit_extent,
                        (double *) (gpointer) codes->data, codes->len, NULL, FALSE,
                        &reprojected, coded_cb, &lc, cancellable, error))
    return FALSE;
  return TRUE;
}

/* A region of deposit cells: a deposit numbered in the order the raster gives them. */
static gboolean
deposit_cells_cb (double value, GisGeometry *geometry, gpointer user_data, GError **error)
{
  Reading *rd = user_data;
  const ZonesUnallocatedParams *p = rd->p;

  return add_deposit (rd, geometry, p->raster_mineral,
                      p->raster_confidence ? p->raster_confidence : "probable",
                      p->raster_deposit_type, NULL, ++rd->raster_fid, error);
}

/* Deposit land from a prospectivity or geology raster: the cells that pass. */
static gboolean
read_deposit_raster (Reading *rd, ZonesInput *in, GCancellable *cancellable, GError **error)
{
  const ZonesUnallocatedParams *p = rd->p;
  const char *mineral = p->raster_mineral;
  const char *conf = p->raster_confidence ? p->raster_confidence : "probable";
  gboolean reprojected = FALSE;

  rd->in = in;
  if (!p->has_threshold && (p->raster_classes == NULL || p->raster_classes->len == 0))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "%s is a raster: give --threshold or --classes to say which cells "
                   "are deposit land", in->label);
      return FALSE;
    }
  if (mineral == NULL)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "%s is a raster: give --raster-mineral to say which mineral its "
                   "cells hold", in->label);
      return FALSE;
    }
  if (!in_list (p->minerals, mineral) || !g_strv_contains (rd->confidence, conf))
    return TRUE;
  rd->raster_fid = 0;
  return raster_polygons (in, rd->job->working, NULL,
                          p->raster_classes ? (double *) (gpointer) p->raster_classes->data : NULL,
                          p->raster_classes ? p->raster_classes->len : 0,
                          p->has_threshold ? &p->raster_threshold : NULL, FALSE, &reprojected,
                          deposit_cells_cb, rd, cancellable, error);
}

/* Hands a batch's pieces over in order (to the sink, or into the result) and adds them to
 * the totals and the summary. */
static gboolean
emit_deposits (Job *job, Batch *b, GError **error)
{
  const ZonesUnallocatedParams *p = job->params;
  ZonesUnallocatedResult *result = job->result;

  for (guint i = 0; i < b->n; i++)
    {
      DepositOut *out = &b->out[i];

      for (guint k = 0; k < out->pieces->len; k++)
        {
          ZonesCandidate *c = g_ptr_array_index (out->pieces, k);
          const double *added = &g_array_index (out->added, double, 2 * k);
          double *by = g_hash_table_lookup (result->by_mineral, c->mineral);
          const char *admin_label = c->admin_name ? c->admin_name
                                                  : (c->admin_code ? c->admin_code : "(none)");
          g_autofree char *key = g_strdup_printf ("%s\x1f%s\x1f%s", c->mineral, admin_label,
                                                  c->land_use);
          ZonesSummaryRow *row = g_hash_table_lookup (job->summary_rows, key);

          if (by == NULL)
            {
              by = boxed_double (0);
              g_hash_table_insert (result->by_mineral, g_strdup (c->mineral), by);
            }
          *by += added[1] / 1e4;
          result->total_ha += added[0] / 1e4;
          if (row == NULL)
            {
              row = g_new0 (ZonesSummaryRow, 1);
              row->mineral = g_strdup (c->mineral);
              row->admin = g_strdup (admin_label);
              row->land_use = g_strdup (c->land_use);
              g_hash_table_insert (job->summary_rows, g_steal_pointer (&key), row);
              g_ptr_array_add (result->summary, row);
            }
          row->area_ha += c->area_ha;
          row->pieces++;
          result->n_candidates++;
          if (p->candidate_func != NULL)
            {
              if (!p->candidate_func (c, p->candidate_data, error))
                return FALSE;
            }
          else
            g_ptr_array_add (result->candidates, g_steal_pointer (&out->pieces->pdata[k]));
        }
      if (job->measure_deposits)
        result->deposit_ha += out->deposit_added_m2 / 1e4;
    }
  return TRUE;
}

static gboolean
emit_lsm (Job *job, Batch *b, GError **error)
{
  for (guint i = 0; i < b->n; i++)
    if (b->lsm_rows[i] != NULL)
      g_ptr_array_add (job->result->lsm_review, g_steal_pointer (&b->lsm_rows[i]));
  return TRUE;
}

static void
job_clear (Job *job)
{
  g_clear_pointer (&job->spool, gis_spool_free);
  g_clear_pointer (&job->deposits, g_array_unref);
  g_clear_pointer (&job->deposit_index, gis_index_free);
  g_clear_pointer (&job->shapes, g_array_unref);
  g_clear_pointer (&job->shape_index, gis_index_free);
  g_clear_pointer (&job->lsm, g_array_unref);
  g_clear_pointer (&job->rule_classes, g_ptr_array_unref);
  g_clear_pointer (&job->admin, gis_overlay_free);
  g_clear_pointer (&job->admins, g_ptr_array_unref);
  for (guint t = 0; t < MAX_THREADS; t++)
    {
      g_clear_pointer (&job->meters[t], gis_area_meter_free);
      g_clear_pointer (&job->to_output[t], gis_transform_free);
      g_clear_pointer (&job->deposit_seen[t], g_free);
      g_clear_pointer (&job->shape_seen[t], g_free);
    }
  g_mutex_clear (&job->lock);
  g_cond_clear (&job->emitted);
}

/* 1. Deposits in scope, into the job's deposits (and only there). */
static gboolean
read_deposits (Reading *rd, GCancellable *cancellable, GError **error)
{
  const ZonesUnallocatedParams *p = rd->p;

  for (guint i = 0; i < p->deposits->len; i++)
    {
      ZonesInput *in = g_ptr_array_index (p->deposits, i);

      rd->unknown = 0;
      if (g_strcmp0 (in->kind, "raster") == 0 ? !read_deposit_raster (rd, in, cancellable, error)
                                              : !read_input (rd, in, deposits_cb, cancellable, error))
        return FALSE;
      if (rd->unknown > 0)
        g_ptr_array_add (rd->warnings,
                         g_strdup_printf ("%s: %u deposits have a mineral or confidence value "
                                          "the mapping does not translate; they are left out",
                                          in->label, rd->unknown));
    }
  return TRUE;
}

typedef struct {
  Reading      *rd;
  GCancellable *cancellable;
  GError       *error;
  gboolean      ok;
} DepositReader;

static gpointer
deposit_reader (gpointer data)
{
  DepositReader *dr = data;

  dr->ok = read_deposits (dr->rd, dr->cancellable, &dr->error);
  return NULL;
}

/**
 * zones_unallocated_run:
 *
 * Runs the analysis. Blocking; the app calls it in a worker, placer-cli directly. With
 * @params->candidate_func the candidate pieces go to it as they are made, in batches of
 * neighbouring deposits, and the result keeps none; memory then stays bounded by a batch
 * whatever the size of the inputs.
 *
 * Returns: (transfer full): the result, or %NULL with an error naming the input, feature
 *   and field at fault
 */
ZonesUnallocatedResult *
zones_unallocated_run (const ZonesUnallocatedParams *p, GCancellable *cancellable,
                       GError **error)
{
  g_autoptr(ZonesUnallocatedResult) result = g_new0 (ZonesUnallocatedResult, 1);
  g_autoptr(GisCrs) working = NULL;
  g_autoptr(GStringChunk) strings = g_string_chunk_new (64 * 1024);
  g_autoptr(GStringChunk) deposit_strings = g_string_chunk_new (64 * 1024);
  g_autoptr(GPtrArray) deposit_invalid = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_invalid_input_free);
  g_autoptr(GPtrArray) deposit_warnings = g_ptr_array_new_with_free_func (g_free);
  GThread *deposit_thread = NULL;
  DepositReader dr = { 0 };
  Reading drd;
  g_autoptr(GHashTable) rule_index = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) summary_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *default_confidence[] = { "known", "probable", NULL };
  Job job = { 0 };
  Reading rd = { 0 };
  guint n_families = 0;
  gsize budget = p->batch_bytes > 0 ? p->batch_bytes : DEFAULT_BATCH_BYTES;
  gboolean ok = TRUE;
  gint64 t0 = g_get_monotonic_time ();

  g_return_val_if_fail (p != NULL && p->rules != NULL && p->output_crs != NULL, NULL);

  if (!g_date_valid (&p->as_of))
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "The analysis needs an as-of date (--as-of YYYY-MM-DD)");
      return NULL;
    }
  if (p->deposits->len == 0)
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "The analysis needs at least one deposits layer");
      return NULL;
    }
  result->invalid_inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_invalid_input_free);
  result->warnings = g_ptr_array_new_with_free_func (g_free);
  result->candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  result->summary = g_ptr_array_new_with_free_func ((GDestroyNotify) summary_row_free);
  result->lsm_review = g_ptr_array_new_with_free_func ((GDestroyNotify) lsm_free);
  result->by_mineral = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  result->deposit_ha = p->measure_deposits ? 0 : NAN;
  result->output_crs = gis_crs_ref (p->output_crs);

  working = choose_working_crs (p, error);
  if (working == NULL)
    return NULL;
  result->working_crs = gis_crs_dup_label (working);

  g_mutex_init (&job.lock);
  g_cond_init (&job.emitted);
  job.params = p;
  job.result = result;
  job.summary_rows = summary_rows;
  job.working = working;
  job.output = p->output_crs;
  job.cancellable = cancellable;
  job.measure_deposits = p->measure_deposits;
  job.n_threads = CLAMP (p->n_threads, 1, MAX_THREADS);
  job.deposits = g_array_new (FALSE, FALSE, sizeof (Deposit));
  job.deposit_index = gis_index_new ();
  job.shapes = g_array_new (FALSE, FALSE, sizeof (Shape));
  job.shape_index = gis_index_new ();
  job.lsm = g_array_new (FALSE, FALSE, sizeof (LsmTitle));
  job.admins = g_ptr_array_new_with_free_func ((GDestroyNotify) admin_free);
  job.n_rules = zones_rules_get_n (p->rules);
  job.rule_classes = g_ptr_array_new ();
  for (guint i = 0; i < job.n_rules; i++)
    {
      const ZonesRule *rule = zones_rules_get (p->rules, i);
      g_ptr_array_add (job.rule_classes, (gpointer) rule->land_class);
      g_hash_table_insert (rule_index, (gpointer) rule, GUINT_TO_POINTER (i + 1));
    }
  job.spool = gis_spool_new (error);
  if (job.spool == NULL)
    goto fail;

  rd.p = p;
  rd.job = &job;
  rd.result = result;
  rd.strings = strings;
  rd.confidence = p->confidence ? (const char *const *) p->confidence : default_confidence;
  rd.rule_index = rule_index;
  rd.deposit_extent = GIS_ENVELOPE_EMPTY;

  rd.invalid = result->invalid_inputs;
  rd.warnings = result->warnings;
  gis_print_phase (&t0, "started");

  /* 1. Deposits in scope, on a thread of their own while this one reads the titles and
   * the land use: the two touch different parts of the job (the spool takes shapes from
   * both), and each keeps its own strings, invalid shapes and warnings, put back in
   * reading order afterwards. */
  drd = rd;
  drd.strings = deposit_strings;
  drd.invalid = deposit_invalid;
  drd.warnings = deposit_warnings;
  dr = (DepositReader) { &drd, cancellable, NULL, FALSE };
  deposit_thread = g_thread_new ("deposits", deposit_reader, &dr);

  /* 2. Titles that block on the as-of date */
  for (guint i = 0; ok && i < p->concessions->len; i++)
    ok = read_input (&rd, g_ptr_array_index (p->concessions, i), titles_cb, cancellable, error);
  gis_print_phase (&t0, "titles read");

  /* 3. Land use: excluded classes (with buffers) join the cutters; conditional ones are
   * kept per class to label the candidate land. */
  for (guint i = 0; ok && i < p->landuse->len; i++)
    {
      ZonesInput *in = g_ptr_array_index (p->landuse, i);
      if (g_strcmp0 (in->kind, "raster") == 0)
        {
          /* A raster is read in the deposits' extent: they must all be in. */
          if (deposit_thread != NULL)
            g_thread_join (g_steal_pointer (&deposit_thread));
          rd.deposit_extent = drd.deposit_extent;
          ok = dr.ok && read_landuse_raster (&rd, in, &n_families, cancellable, error);
        }
      else
        ok = read_input (&rd, in, landuse_cb, cancellable, error);
    }
  gis_print_phase (&t0, "land use read");
  if (deposit_thread != NULL)
    g_thread_join (g_steal_pointer (&deposit_thread));
  /* The deposits' error first, as if they had been read first. */
  if (!dr.ok)
    {
      g_clear_error (error);
      g_propagate_error (error, g_steal_pointer (&dr.error));
      goto fail;
    }
  if (!ok)
    goto fail;
  for (guint i = 0; i < deposit_invalid->len; i++)
    g_ptr_array_insert (result->invalid_inputs, (gint) i,
                        g_steal_pointer (&deposit_invalid->pdata[i]));
  for (guint i = 0; i < deposit_warnings->len; i++)
    g_ptr_array_insert (result->warnings, (gint) i, g_steal_pointer (&deposit_warnings->pdata[i]));
  g_ptr_array_set_size (deposit_invalid, 0);
  g_ptr_array_set_size (deposit_warnings, 0);
  result->n_deposits = job.deposits->len;
  for (guint i = 0; i < job.deposits->len; i++)
    gis_index_insert (job.deposit_index, &deposit_at (&job, i)->box, i);
  gis_index_build (job.deposit_index);
  gis_index_build (job.shape_index);
  gis_release_free_memory ();
  gis_print_phase (&t0, "deposits read");

  /* 4. Admin units: the most detailed borders layer (admin-1 when there is one), held in
   * memory for the whole run. */
  {
    ZonesInput *best = NULL;
    for (guint i = 0; i < p->borders->len; i++)
      {
        ZonesInput *in = g_ptr_array_index (p->borders, i);
        if (best == NULL || (zones_mapping_get_field (in->mapping, "admin_code") != NULL &&
                             zones_mapping_get_field (best->mapping, "admin_code") == NULL))
          best = in;
      }
    if (best != NULL)
      {
        g_autoptr(ZonesRecordSet) set = zones_record_set_read (best, working, TRUE, cancellable, error);
        int icode, iiso, iname;
        g_autoptr(GPtrArray) geoms = g_ptr_array_new ();

        if (set == NULL)
          goto fail;
        icode = zones_record_set_field_index (set, "admin_code");
        iiso = zones_record_set_field_index (set, "iso");
        iname = zones_record_set_field_index (set, "name");
        for (guint k = 0; k < set->records->len; k++)
          {
            ZonesRecord *r = g_ptr_array_index (set->records, k);
            Admin *a = g_new0 (Admin, 1);
            a->geometry = gis_geometry_ref (r->geometry);
            a->code = g_strdup (r->values[icode] ? r->values[icode] : r->values[iiso]);
            a->name = g_strdup (r->values[iname]);
            g_ptr_array_add (job.admins, a);
            g_ptr_array_add (geoms, a->geometry);
          }
        job.admin = gis_overlay_new (geoms, error);
        if (job.admin == NULL)
          goto fail;
      }
  }
  gis_print_phase (&t0, "admin units read");

  /* 5. The overlay, a batch of neighbouring deposits at a time; the totals come with it.
   * Batches are small enough to keep memory low, and many enough (some 32 at least, when
   * there is that much) to keep every thread busy to the end. They do not depend on the
   * number of threads, so neither do the sums, to the last bit. */
  {
    guint n = job.deposits->len;
    g_autofree guint *order = gis_hilbert_sort (n, deposit_box, &job, NULL);

    if (p->batch_bytes == 0)
      budget = CLAMP (gis_spool_get_size (job.spool) / 32, MIN_BATCH_BYTES, DEFAULT_BATCH_BYTES);
    ok = run_batches (&job, process_deposit, emit_deposits, TRUE, order, n, budget, error);
    gis_print_phase (&t0, "overlay");

    /* 6. The LSM review: deposit land in scope inside large-scale titles in force. */
    if (ok && n > 0 && job.lsm->len > 0)
      {
        g_autofree guint *lsm_order = gis_hilbert_sort (job.lsm->len, lsm_box, &job, NULL);
        ok = run_batches (&job, process_lsm_title, emit_lsm, FALSE, lsm_order, job.lsm->len,
                          budget, error);
        g_ptr_array_sort (result->lsm_review, compare_lsm);
      }
    gis_print_phase (&t0, "LSM review");
  }
  if (!ok)
    goto fail;
  g_ptr_array_sort (result->summary, compare_summary);
  job_clear (&job);
  /* What the run held is freed: give it back before the caller writes its reports. */
  gis_release_free_memory ();
  return g_steal_pointer (&result);

fail:
  job_clear (&job);
  return NULL;
}
