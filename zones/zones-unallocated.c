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
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "zones-error.h"
#include "zones-unallocated.h"

/* Where the time and memory go: PLACER_TIMINGS=1 prints each phase's wall time on stderr,
 * with the process's resident and peak memory where the system says (Linux's /proc). */
static void
phase_done (gint64 *since, const char *phase)
{
  gint64 now = g_get_monotonic_time ();
  if (g_getenv ("PLACER_TIMINGS"))
    {
      g_autofree char *status = NULL;
      const char *rss, *hwm;

      if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
          (rss = strstr (status, "VmRSS:")) != NULL && (hwm = strstr (status, "VmHWM:")) != NULL)
        fprintf (stderr, "%s: %.3f s (resident %.0f MB, peak %.0f MB)\n", phase,
                 (now - *since) / 1e6, g_ascii_strtod (rss + 6, NULL) / 1024,
                 g_ascii_strtod (hwm + 6, NULL) / 1024);
      else
        fprintf (stderr, "%s: %.3f s\n", phase, (now - *since) / 1e6);
    }
  *since = now;
}

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
  g_free (c->mineral);
  g_free (c->confidence);
  g_free (c->deposit_type);
  g_free (c->deposit_id);
  g_free (c->deposit_layer);
  g_free (c->land_use);
  g_free (c->admin_code);
  g_free (c->admin_name);
  g_clear_pointer (&c->geometry, gis_geometry_unref);
  g_clear_pointer (&c->work_geometry, gis_geometry_unref);
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
/* The run */

typedef struct {
  GisGeometry *geometry;      /* working CRS */
  const char  *mineral;
  const char  *confidence;
  const char  *deposit_type;
  const char  *deposit_id;
  const char  *layer;
  gint64       fid;
} Deposit;

typedef struct {
  GisGeometry *geometry;
  char        *code;
  char        *name;
} Admin;

typedef struct _Job Job;

/* One item of a parallel pass (a deposit, a title); @meter and @to_output are the worker's
 * own. */
typedef gboolean (*ItemFunc) (Job *job, GisAreaMeter *meter, GisTransform *to_output,
                              guint i, GError **error);

struct _Job {
  /* Borrowed, read-only while workers run */
  GPtrArray        *deposits;      /* Deposit* */
  GisOverlay       *blocking;
  GisOverlay       *deposit_overlay; /* the deposits again, same order, or NULL */
  GPtrArray        *conditional;   /* GisOverlay* per class, same order as classes */
  GPtrArray        *conditional_classes;
  GisOverlay       *admin;
  GPtrArray        *admins;        /* Admin* */
  GisCrs           *working;
  GisCrs           *output;
  GCancellable     *cancellable;
  GPtrArray        *lsm_titles;    /* ZonesRecord* */
  GPtrArray        *lsm_sets;      /* ZonesRecordSet*, one per title */

  /* Per deposit: its pieces (GPtrArray of ZonesCandidate), filled by workers */
  GPtrArray       **pieces;
  /* Per LSM title: its row, or NULL */
  ZonesLsmReview  **lsm_rows;
  /* Per candidate piece (result order): its deposit's number, and the area it adds to the
   * union of all candidate land and to its mineral's; per deposit, what it adds to theirs */
  GPtrArray        *candidates;
  guint            *piece_deposit;
  double           *added_m2;
  double           *added_mineral_m2;
  double           *deposit_added_m2;

  /* The pass being run */
  ItemFunc          func;
  guint             n_items;
  gint              next;
  GMutex            lock;
  GError           *error;
};

static gboolean
add_piece (Job *job, GisAreaMeter *meter, GisTransform *to_output, Deposit *d,
           GisGeometry *piece, const char *land_use, Admin *admin, GPtrArray *out,
           GError **error)
{
  double m2 = 0;
  ZonesCandidate *c;
  GisGeometry *g;

  if (gis_geometry_is_empty (piece))
    return TRUE;
  if (!gis_area_meter_measure (meter, piece, &m2, error))
    return FALSE;
  /* Touching shapes leave zero-area rings; a 0.01 ha sliver is 100 m² and is kept. */
  if (m2 <= 1e-6)
    return TRUE;
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
  c->work_geometry = gis_geometry_ref (piece);
  g_ptr_array_add (out, c);
  return TRUE;
}

/* Splits one land-use part of a candidate by admin unit; land outside every unit (on a
 * lake, beyond the borders layer) is kept with no unit, never dropped. */
static gboolean
split_by_admin (Job *job, GisAreaMeter *meter, GisTransform *to_output, Deposit *d,
                GisGeometry *part, const char *land_use, GPtrArray *out, GError **error)
{
  g_autoptr(GArray) idx = NULL;
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GisGeometry) outside = NULL;

  if (job->admin == NULL)
    return add_piece (job, meter, to_output, d, part, land_use, NULL, out, error);
  idx = g_array_new (FALSE, FALSE, sizeof (guint));
  pieces = gis_overlay_split (job->admin, part, idx, error);
  if (pieces == NULL)
    return FALSE;
  for (guint i = 0; i < pieces->len; i++)
    if (!add_piece (job, meter, to_output, d, g_ptr_array_index (pieces, i), land_use,
                    g_ptr_array_index (job->admins, g_array_index (idx, guint, i)), out, error))
      return FALSE;
  outside = gis_overlay_subtract (job->admin, part, error);
  if (outside == NULL)
    return FALSE;
  return add_piece (job, meter, to_output, d, outside, land_use, NULL, out, error);
}

static gboolean
deposit_pieces (Job *job, GisAreaMeter *meter, GisTransform *to_output, guint i, Deposit *d,
                GPtrArray *out, GError **error)
{
  g_autoptr(GisGeometry) cand = NULL;
  g_autoptr(GisGeometry) rest = NULL;

  cand = job->blocking ? gis_overlay_subtract (job->blocking, d->geometry, error)
                       : gis_geometry_polygonal_part (d->geometry, error);
  if (cand == NULL)
    return FALSE;
  if (gis_geometry_is_empty (cand))
    return TRUE;
  rest = gis_geometry_ref (cand);
  /* Conditional classes in the rules' order; a piece in two classes goes to the first. */
  for (guint k = 0; k < job->conditional->len; k++)
    {
      g_autoptr(GisGeometry) part = gis_overlay_intersect (g_ptr_array_index (job->conditional, k),
                                                           rest, error);
      GisGeometry *remaining;

      if (part == NULL)
        return FALSE;
      if (gis_geometry_is_empty (part))
        continue;
      if (!split_by_admin (job, meter, to_output, d, part,
                           g_ptr_array_index (job->conditional_classes, k), out, error))
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
  return split_by_admin (job, meter, to_output, d, rest, "allowed", out, error);
}

/* One deposit: its candidate pieces and the areas it adds to the totals. */
static gboolean
process_deposit (Job *job, GisAreaMeter *meter, GisTransform *to_output, guint i,
                 GError **error)
{
  Deposit *d = g_ptr_array_index (job->deposits, i);

  job->pieces[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  if (deposit_pieces (job, meter, to_output, i, d, job->pieces[i], error))
    return TRUE;
  g_prefix_error (error, "%s, feature %" G_GINT64_FORMAT ": ", d->layer, d->fid);
  return FALSE;
}

/* One large-scale title in force: the deposit land in scope inside it. */
static gboolean
process_lsm_title (Job *job, GisAreaMeter *meter, GisTransform *to_output, guint i,
                   GError **error)
{
  ZonesRecord *r = g_ptr_array_index (job->lsm_titles, i);
  ZonesRecordSet *set = g_ptr_array_index (job->lsm_sets, i);
  g_autoptr(GisGeometry) inside = gis_overlay_intersect_for_area (job->deposit_overlay,
                                                                  r->geometry, NULL, NULL, error);
  double m2 = 0, title_m2 = 0;
  ZonesLsmReview *row;

  if (inside == NULL ||
      (!gis_geometry_is_empty (inside) &&
       (!gis_area_meter_measure (meter, inside, &m2, error) ||
        !gis_area_meter_measure (meter, r->geometry, &title_m2, error))))
    {
      g_prefix_error (error, "%s, feature %" G_GINT64_FORMAT ": ", set->input->label, r->fid);
      return FALSE;
    }
  if (m2 <= 1e-6)
    return TRUE;
  row = g_new0 (ZonesLsmReview, 1);
  row->title_id = g_strdup (zones_record_get (set, r, "title_id"));
  row->holder = g_strdup (zones_record_get (set, r, "holder"));
  row->layer = g_strdup (set->input->label);
  row->fid = r->fid;
  row->deposit_ha = m2 / 1e4;
  row->title_ha = title_m2 / 1e4;
  job->lsm_rows[i] = row;
  return TRUE;
}

/* Totals without building unions. Each deposit's candidate land is the deposit minus the
 * same cutters, so where the land of deposit i meets that of an earlier deposit j it is land
 * of deposit j itself: what a piece of deposit i adds to the union is its area less its
 * overlap with the earlier deposits (simple shapes, not their cut-up land). Summed over
 * the pieces, in order, that is the area of the union; among the deposits of one mineral,
 * of its union. */
typedef struct {
  GPtrArray  *deposits;
  guint       before;         /* only deposits numbered below this */
  const char *mineral;        /* only deposits of this mineral, or any when NULL */
} Earlier;

static gboolean
earlier_cb (guint j, gpointer user_data)
{
  Earlier *e = user_data;

  return j < e->before &&
         (e->mineral == NULL ||
          g_strcmp0 (((Deposit *) g_ptr_array_index (e->deposits, j))->mineral, e->mineral) == 0);
}

/* The area @part shares with the deposits before @deposit (of @mineral only, unless NULL);
 * sets *other_mineral when one of them holds another mineral than @deposit. */
static gboolean
shared_area (Job *job, GisAreaMeter *meter, GisGeometry *part, guint deposit,
             const char *mineral, gboolean *other_mineral, double *m2, GError **error)
{
  Earlier e = { job->deposits, deposit, mineral };
  const char *own = ((Deposit *) g_ptr_array_index (job->deposits, deposit))->mineral;
  GisEnvelope pe, box = GIS_ENVELOPE_EMPTY;
  g_autoptr(GArray) hits = NULL;
  g_autoptr(GisGeometry) shared = NULL;

  *m2 = 0;
  gis_geometry_get_envelope (part, &pe);
  hits = gis_overlay_query_box (job->deposit_overlay, &pe);
  for (guint k = 0; k < hits->len; k++)
    {
      guint j = g_array_index (hits, guint, k);
      Deposit *d;
      GisEnvelope de;

      if (!earlier_cb (j, &e))
        continue;
      d = g_ptr_array_index (job->deposits, j);
      if (other_mineral != NULL && g_strcmp0 (d->mineral, own) != 0)
        *other_mineral = TRUE;
      gis_geometry_get_envelope (d->geometry, &de);
      gis_envelope_expand (&box, &de);
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
  shared = gis_overlay_intersect_for_area (job->deposit_overlay, part, earlier_cb, &e, error);
  return shared != NULL && gis_area_meter_measure (meter, shared, m2, error);
}

/* What @part (of area @part_m2) of @deposit adds to the union of all candidate land, and to
 * that of its mineral. */
static gboolean
added_area (Job *job, GisAreaMeter *meter, GisGeometry *part, double part_m2, guint deposit,
            double *union_m2, double *mineral_m2, GError **error)
{
  gboolean other_mineral = FALSE;
  double s = 0;

  if (!shared_area (job, meter, part, deposit, NULL, &other_mineral, &s, error))
    return FALSE;
  *union_m2 = part_m2 - s;
  if (mineral_m2 == NULL)
    return TRUE;
  if (!other_mineral)
    {
      *mineral_m2 = *union_m2;   /* every earlier deposit it meets is of its mineral */
      return TRUE;
    }
  if (!shared_area (job, meter, part, deposit,
                    ((Deposit *) g_ptr_array_index (job->deposits, deposit))->mineral, NULL, &s,
                    error))
    return FALSE;
  *mineral_m2 = part_m2 - s;
  return TRUE;
}

static gboolean
process_added (Job *job, GisAreaMeter *meter, GisTransform *to_output, guint k, GError **error)
{
  ZonesCandidate *c = g_ptr_array_index (job->candidates, k);
  return added_area (job, meter, c->work_geometry, c->area_ha * 1e4, job->piece_deposit[k],
                     &job->added_m2[k], &job->added_mineral_m2[k], error);
}

static gboolean
process_deposit_added (Job *job, GisAreaMeter *meter, GisTransform *to_output, guint i,
                       GError **error)
{
  Deposit *d = g_ptr_array_index (job->deposits, i);
  double m2 = 0;

  return gis_area_meter_measure (meter, d->geometry, &m2, error) &&
         added_area (job, meter, d->geometry, m2, i, &job->deposit_added_m2[i], NULL, error);
}

static gpointer
worker (gpointer data)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisAreaMeter) meter = gis_area_meter_new (job->working, &error);
  g_autoptr(GisTransform) to_output = NULL;

  /* Every edge a worker measures is new: the pieces of one deposit share none. */
  if (meter != NULL)
    gis_area_meter_set_remember (meter, FALSE);
  if (meter != NULL && !gis_crs_equal (job->working, job->output))
    to_output = gis_transform_new (job->working, job->output, &error);
  while (error == NULL)
    {
      gint i = g_atomic_int_add (&job->next, 1);

      if (i >= (gint) job->n_items)
        break;
      if (g_cancellable_set_error_if_cancelled (job->cancellable, &error))
        break;
      job->func (job, meter, to_output, (guint) i, &error);
    }
  if (error != NULL)
    {
      g_mutex_lock (&job->lock);
      if (job->error == NULL)
        job->error = g_steal_pointer (&error);
      g_mutex_unlock (&job->lock);
      /* Let the other worker stop soon too. */
      g_atomic_int_set (&job->next, G_MAXINT / 2);
    }
  return NULL;
}

/* Runs @func on items 0 … @n_items − 1 on @n_threads threads (this one included). */
static gboolean
run_pass (Job *job, ItemFunc func, guint n_items, guint n_threads, GError **error)
{
  GThread *threads[8];

  job->func = func;
  job->n_items = n_items;
  job->next = 0;
  n_threads = CLAMP (n_threads, 1, G_N_ELEMENTS (threads));
  if (n_items < 8)
    n_threads = 1;
  for (guint t = 1; t < n_threads; t++)
    threads[t] = g_thread_new ("unallocated", worker, job);
  worker (job);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
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

/* Reads a classified or thresholded raster's selected pixels as polygons in @working. */
static GPtrArray *
raster_polygons (ZonesInput *in, GisCrs *working, const GisEnvelope *window_working,
                 const double *classes, guint n_classes, const double *threshold,
                 gboolean merge, gboolean *reprojected, GCancellable *cancellable,
                 GError **error)
{
  g_autoptr(GisRaster) raster = gis_raster_open (in->path, error);
  g_autoptr(GisTransform) to_raster = NULL;
  g_autoptr(GisTransform) to_working = NULL;
  g_autoptr(GPtrArray) polys = NULL;
  GisEnvelope window = GIS_ENVELOPE_EMPTY;

  if (raster == NULL)
    return NULL;
  to_raster = gis_transform_new (working, gis_raster_get_crs (raster), error);
  to_working = to_raster ? gis_transform_new (gis_raster_get_crs (raster), working, error) : NULL;
  if (to_working == NULL)
    return NULL;
  if (window_working != NULL && !gis_envelope_is_empty (window_working))
    {
      double x[4] = { window_working->min_x, window_working->max_x, window_working->max_x,
                      window_working->min_x };
      double y[4] = { window_working->min_y, window_working->min_y, window_working->max_y,
                      window_working->max_y };
      if (!gis_transform_points (to_raster, x, y, 4, error))
        return NULL;
      for (guint i = 0; i < 4; i++)
        gis_envelope_add_point (&window, x[i], y[i]);
    }
  polys = gis_raster_polygonize (raster, 1, gis_envelope_is_empty (&window) ? NULL : &window,
                                 classes, n_classes, threshold, merge, cancellable, error);
  if (polys == NULL)
    return NULL;
  if (reprojected != NULL)
    *reprojected = !gis_crs_equal (gis_raster_get_crs (raster), working);
  if (gis_crs_equal (gis_raster_get_crs (raster), working))
    return g_steal_pointer (&polys);
  for (guint i = 0; i < polys->len; i++)
    {
      GisRasterPolygon *rp = g_ptr_array_index (polys, i);
      GisGeometry *g = gis_transform_geometry (to_working, rp->geometry, error);
      if (g == NULL)
        return NULL;
      gis_geometry_unref (rp->geometry);
      rp->geometry = g;
    }
  return g_steal_pointer (&polys);
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
deposit_free (Deposit *d)
{
  g_free (d);
}

static void
admin_free (Admin *a)
{
  g_clear_pointer (&a->geometry, gis_geometry_unref);
  g_free (a->code);
  g_free (a->name);
  g_free (a);
}

/**
 * zones_unallocated_run:
 *
 * Runs the analysis. Blocking; the app calls it in a worker, placer-cli directly.
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
  g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_record_set_free);
  g_autoptr(GPtrArray) deposits = g_ptr_array_new_with_free_func ((GDestroyNotify) deposit_free);
  g_autoptr(GPtrArray) raster_keep = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) cutters = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  g_autoptr(GPtrArray) lsm_titles = g_ptr_array_new ();
  g_autoptr(GPtrArray) lsm_sets = g_ptr_array_new ();
  g_autoptr(GPtrArray) conditional = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_overlay_free);
  g_autoptr(GPtrArray) conditional_classes = g_ptr_array_new ();
  g_autoptr(GPtrArray) admins = g_ptr_array_new_with_free_func ((GDestroyNotify) admin_free);
  g_autoptr(GisOverlay) blocking = NULL;
  g_autoptr(GisOverlay) admin = NULL;
  g_autoptr(GisOverlay) deposit_overlay = NULL;
  g_autoptr(GArray) families = g_array_new (FALSE, TRUE, sizeof (guint));  /* per cutter */
  g_autoptr(GArray) piece_deposit = NULL;
  guint n_families = 0;
  g_autoptr(GHashTable) conditional_geoms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                                   (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GisAreaMeter) meter = NULL;
  GisEnvelope deposit_extent = GIS_ENVELOPE_EMPTY;
  const char *default_confidence[] = { "known", "probable", NULL };
  const char *const *confidence = p->confidence ? (const char *const *) p->confidence
                                                : default_confidence;
  Job job = { 0 };
  guint n_threads;
  gboolean ok;
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
  result->output_crs = gis_crs_ref (p->output_crs);

  working = choose_working_crs (p, error);
  if (working == NULL)
    return NULL;
  result->working_crs = gis_crs_dup_label (working);
  meter = gis_area_meter_new (working, error);
  if (meter == NULL)
    return NULL;

  phase_done (&t0, "started");
  /* 1. Deposits in scope */
  for (guint i = 0; i < p->deposits->len; i++)
    {
      ZonesInput *in = g_ptr_array_index (p->deposits, i);

      if (g_strcmp0 (in->kind, "raster") == 0)
        {
          GPtrArray *polys;
          const char *mineral = p->raster_mineral;
          const char *conf = p->raster_confidence ? p->raster_confidence : "probable";

          if (!p->has_threshold && (p->raster_classes == NULL || p->raster_classes->len == 0))
            {
              g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "%s is a raster: give --threshold or --classes to say which cells "
                           "are deposit land", in->label);
              return NULL;
            }
          if (mineral == NULL)
            {
              g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "%s is a raster: give --raster-mineral to say which mineral its "
                           "cells hold", in->label);
              return NULL;
            }
          if (!in_list (p->minerals, mineral) || !g_strv_contains (confidence, conf))
            continue;
          polys = raster_polygons (in, working, NULL,
                                   p->raster_classes ? (double *) (gpointer) p->raster_classes->data : NULL,
                                   p->raster_classes ? p->raster_classes->len : 0,
                                   p->has_threshold ? &p->raster_threshold : NULL, FALSE, NULL,
                                   cancellable, error);
          if (polys == NULL)
            return NULL;
          g_ptr_array_add (raster_keep, polys);
          for (guint k = 0; k < polys->len; k++)
            {
              GisRasterPolygon *rp = g_ptr_array_index (polys, k);
              Deposit *d = g_new0 (Deposit, 1);
              GisEnvelope e;
              d->geometry = rp->geometry;
              d->mineral = mineral;
              d->confidence = conf;
              d->deposit_type = p->raster_deposit_type;
              d->layer = in->label;
              d->fid = k + 1;
              gis_geometry_get_envelope (d->geometry, &e);
              gis_envelope_expand (&deposit_extent, &e);
              g_ptr_array_add (deposits, d);
            }
          continue;
        }
      {
        ZonesRecordSet *set = zones_record_set_read (in, working, p->repair, cancellable, error);
        int im, ic, it, id;
        guint unknown = 0;

        if (set == NULL)
          return NULL;
        g_ptr_array_add (sets, set);
        if (!check_invalid (p, set, result->invalid_inputs, error))
          return NULL;
        im = zones_record_set_field_index (set, "mineral");
        ic = zones_record_set_field_index (set, "confidence");
        it = zones_record_set_field_index (set, "deposit_type");
        id = zones_record_set_field_index (set, "id");
        for (guint k = 0; k < set->records->len; k++)
          {
            ZonesRecord *r = g_ptr_array_index (set->records, k);
            Deposit *d;
            GisEnvelope e;

            if ((r->values[im] == NULL && r->raw[im] != NULL) ||
                (r->values[ic] == NULL && r->raw[ic] != NULL))
              unknown++;
            if (!in_list (p->minerals, r->values[im]) || r->values[im] == NULL ||
                r->values[ic] == NULL || !g_strv_contains (confidence, r->values[ic]))
              continue;
            d = g_new0 (Deposit, 1);
            d->geometry = r->geometry;
            d->mineral = r->values[im];
            d->confidence = r->values[ic];
            d->deposit_type = r->values[it];
            d->deposit_id = r->values[id];
            d->layer = in->label;
            d->fid = r->fid;
            gis_geometry_get_envelope (d->geometry, &e);
            gis_envelope_expand (&deposit_extent, &e);
            g_ptr_array_add (deposits, d);
          }
        if (unknown > 0)
          g_ptr_array_add (result->warnings,
                           g_strdup_printf ("%s: %u deposits have a mineral or confidence value "
                                            "the mapping does not translate; they are left out",
                                            in->label, unknown));
      }
    }
  result->n_deposits = deposits->len;

  phase_done (&t0, "deposits read");

  /* 2. Titles that block on the as-of date */
  for (guint i = 0; i < p->concessions->len; i++)
    {
      ZonesInput *in = g_ptr_array_index (p->concessions, i);
      ZonesRecordSet *set = zones_record_set_read (in, working, p->repair, cancellable, error);
      int is, ig, ie, itype;

      if (set == NULL)
        return NULL;
      g_ptr_array_add (sets, set);
      if (!check_invalid (p, set, result->invalid_inputs, error))
        return NULL;
      is = zones_record_set_field_index (set, "status");
      ig = zones_record_set_field_index (set, "grant_date");
      ie = zones_record_set_field_index (set, "expiry_date");
      itype = zones_record_set_field_index (set, "type");
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
              return NULL;
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
              return NULL;
            }
          if (!zones_title_blocks (r->values[is], has_grant ? &grant : NULL,
                                   has_expiry ? &expiry : NULL, &p->as_of, p->pending_free))
            continue;
          g_ptr_array_add (cutters, gis_geometry_ref (r->geometry));
          result->n_blocking++;
          if (g_strcmp0 (r->values[itype], "lsm_exploitation") == 0 &&
              g_strcmp0 (r->values[is], "active") == 0)
            {
              g_ptr_array_add (lsm_titles, r);
              g_ptr_array_add (lsm_sets, set);
            }
        }
    }

  phase_done (&t0, "titles read");

  /* 3. Land use: excluded classes (with buffers) join the cutters; conditional ones are
   * kept per class to label the candidate land. */
  for (guint i = 0; i < p->landuse->len; i++)
    {
      ZonesInput *in = g_ptr_array_index (p->landuse, i);

      if (g_strcmp0 (in->kind, "raster") == 0)
        {
          /* Pixel values → classes through the layer's mapping (class: value → class). The
           * classes excluded with no buffer are polygonized together: their regions neither
           * overlap nor share edges, so the overlay needs no union among them (a family). */
          g_autoptr(GArray) codes = g_array_new (FALSE, FALSE, sizeof (double));
          g_autoptr(GArray) plain = g_array_new (FALSE, FALSE, sizeof (double));
          g_autoptr(GPtrArray) code_class = g_ptr_array_new ();
          GPtrArray *polys;
          gboolean reprojected = FALSE;

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
              g_ptr_array_add (code_class, (gpointer) rule->land_class);
            }
          if (plain->len > 0)
            {
              guint family = ++n_families;

              polys = raster_polygons (in, working, &deposit_extent,
                                       (double *) (gpointer) plain->data, plain->len, NULL, TRUE,
                                       &reprojected, cancellable, error);
              if (polys == NULL)
                return NULL;
              /* Reprojected pixel edges are no longer exactly the shared lines they were:
               * then the regions are treated like any other cutters. */
              g_array_set_size (families, cutters->len);
              for (guint k = 0; k < polys->len; k++)
                {
                  guint f = reprojected ? 0 : family;
                  g_ptr_array_add (cutters, gis_geometry_ref (((GisRasterPolygon *) g_ptr_array_index (polys, k))->geometry));
                  g_array_append_val (families, f);
                }
              result->n_excluded += polys->len;
              g_ptr_array_unref (polys);
            }
          if (codes->len == 0)
            continue;
          polys = raster_polygons (in, working, &deposit_extent, (double *) (gpointer) codes->data,
                                   codes->len, NULL, FALSE, NULL, cancellable, error);
          if (polys == NULL)
            return NULL;
          g_ptr_array_add (raster_keep, polys);
          for (guint k = 0; k < polys->len; k++)
            {
              GisRasterPolygon *rp = g_ptr_array_index (polys, k);
              const char *cls = NULL;
              const ZonesRule *rule;
              for (guint c = 0; c < codes->len; c++)
                if (g_array_index (codes, double, c) == rp->value)
                  cls = g_ptr_array_index (code_class, c);
              rule = zones_rules_lookup (p->rules, cls);
              if (rule->kind == ZONES_RULE_EXCLUDED)
                {
                  GisGeometry *g = gis_geometry_buffer_metres (rp->geometry, working,
                                                               rule->buffer_m, error);
                  if (g == NULL)
                    return NULL;
                  g_ptr_array_add (cutters, g);
                  result->n_excluded++;
                }
              else
                {
                  GPtrArray *list = g_hash_table_lookup (conditional_geoms, rule->land_class);
                  if (list == NULL)
                    {
                      list = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
                      g_hash_table_insert (conditional_geoms, rule->land_class, list);
                    }
                  g_ptr_array_add (list, gis_geometry_ref (rp->geometry));
                  result->n_conditional++;
                }
            }
          continue;
        }
      {
        ZonesRecordSet *set = zones_record_set_read (in, working, p->repair, cancellable, error);
        int ic;

        if (set == NULL)
          return NULL;
        g_ptr_array_add (sets, set);
        if (!check_invalid (p, set, result->invalid_inputs, error))
          return NULL;
        ic = zones_record_set_field_index (set, "class");
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
                return NULL;
              }
            if (r->values[ic] == NULL)
              {
                g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                             "%s, feature %" G_GINT64_FORMAT ", field class: value “%s” is not "
                             "a land-use class Placer knows; map it (e.g. --map "
                             "'class:%s=protected_area' when adding the layer)", in->label,
                             r->fid, r->raw[ic], r->raw[ic]);
                return NULL;
              }
            rule = zones_rules_lookup (p->rules, r->values[ic]);
            if (rule == NULL || rule->kind == ZONES_RULE_ALLOWED)
              continue;
            if (rule->kind == ZONES_RULE_EXCLUDED)
              {
                GisGeometry *g;
                if (rule->buffer_m > 0)
                  g = gis_geometry_buffer_metres (r->geometry, working, rule->buffer_m, error);
                else
                  g = gis_geometry_polygonal_part (r->geometry, error);
                if (g == NULL)
                  {
                    g_prefix_error (error, "%s, feature %" G_GINT64_FORMAT ": ", in->label, r->fid);
                    return NULL;
                  }
                g_ptr_array_add (cutters, g);
                result->n_excluded++;
              }
            else
              {
                GPtrArray *list = g_hash_table_lookup (conditional_geoms, rule->land_class);
                if (list == NULL)
                  {
                    list = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
                    g_hash_table_insert (conditional_geoms, rule->land_class, list);
                  }
                g_ptr_array_add (list, gis_geometry_ref (r->geometry));
                result->n_conditional++;
              }
          }
      }
    }
  for (guint i = 0; i < zones_rules_get_n (p->rules); i++)
    {
      const ZonesRule *rule = zones_rules_get (p->rules, i);
      GPtrArray *list = g_hash_table_lookup (conditional_geoms, rule->land_class);
      GisOverlay *o;
      if (list == NULL)
        continue;
      o = gis_overlay_new (list, error);
      if (o == NULL)
        return NULL;
      g_ptr_array_add (conditional, o);
      g_ptr_array_add (conditional_classes, (gpointer) rule->land_class);
    }

  phase_done (&t0, "land use read");

  /* 4. Admin units: the most detailed borders layer (admin-1 when there is one). */
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
        ZonesRecordSet *set = zones_record_set_read (best, working, TRUE, cancellable, error);
        int icode, iiso, iname;
        g_autoptr(GPtrArray) geoms = g_ptr_array_new ();

        if (set == NULL)
          return NULL;
        g_ptr_array_add (sets, set);
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
            g_ptr_array_add (admins, a);
            g_ptr_array_add (geoms, a->geometry);
          }
        admin = gis_overlay_new (geoms, error);
        if (admin == NULL)
          return NULL;
      }
  }

  phase_done (&t0, "admin units read");

  /* 5. The overlay, deposit by deposit, on worker threads. */
  if (cutters->len > 0)
    {
      g_array_set_size (families, cutters->len);
      blocking = gis_overlay_new_full (cutters, (const guint *) (gpointer) families->data, error);
      if (blocking == NULL)
        return NULL;
      /* The overlay holds its own copies: the cutters are not needed any more (with a
       * land-cover raster, hundreds of thousands of pixel regions). */
      g_ptr_array_set_size (cutters, 0);
    }
  phase_done (&t0, "cutters indexed");
  if (deposits->len > 0)
    {
      g_autoptr(GPtrArray) dgeoms = g_ptr_array_new ();
      for (guint i = 0; i < deposits->len; i++)
        g_ptr_array_add (dgeoms, ((Deposit *) g_ptr_array_index (deposits, i))->geometry);
      deposit_overlay = gis_overlay_new (dgeoms, error);
      if (deposit_overlay == NULL)
        return NULL;
    }
  job.deposits = deposits;
  job.blocking = blocking;
  job.deposit_overlay = deposit_overlay;
  job.conditional = conditional;
  job.conditional_classes = conditional_classes;
  job.admin = admin;
  job.admins = admins;
  job.working = working;
  job.output = p->output_crs;
  job.cancellable = cancellable;
  job.lsm_titles = lsm_titles;
  job.lsm_sets = lsm_sets;
  job.pieces = g_new0 (GPtrArray *, MAX (deposits->len, 1));
  job.lsm_rows = g_new0 (ZonesLsmReview *, MAX (lsm_titles->len, 1));
  g_mutex_init (&job.lock);
  n_threads = CLAMP (p->n_threads, 1, 8);
  ok = run_pass (&job, process_deposit, deposits->len, n_threads, error);
  phase_done (&t0, "overlay");
  /* 6. The LSM review: deposit land in scope inside large-scale titles in force. */
  if (ok && deposits->len > 0 && lsm_titles->len > 0)
    ok = run_pass (&job, process_lsm_title, lsm_titles->len, n_threads, error);
  phase_done (&t0, "LSM review");

  result->candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  result->lsm_review = g_ptr_array_new_with_free_func ((GDestroyNotify) lsm_free);
  piece_deposit = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < deposits->len; i++)
    {
      if (job.pieces[i] == NULL)
        continue;
      for (guint k = 0; k < job.pieces[i]->len; k++)
        {
          g_ptr_array_add (result->candidates, g_steal_pointer (&job.pieces[i]->pdata[k]));
          g_array_append_val (piece_deposit, i);
        }
      g_ptr_array_set_free_func (job.pieces[i], NULL);
      g_ptr_array_unref (job.pieces[i]);
    }
  g_free (job.pieces);
  for (guint i = 0; i < lsm_titles->len; i++)
    if (job.lsm_rows[i] != NULL)
      g_ptr_array_add (result->lsm_review, job.lsm_rows[i]);
  g_ptr_array_sort (result->lsm_review, compare_lsm);
  g_free (job.lsm_rows);
  if (!ok)
    {
      g_mutex_clear (&job.lock);
      return NULL;
    }

  /* 7. Totals: the union of all candidate land, per mineral, and (when asked for) of the
   * deposit land in scope, for context ("x % of it is free"). */
  result->by_mineral = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  result->deposit_ha = NAN;
  {
    guint n = result->candidates->len;

    job.candidates = result->candidates;
    job.piece_deposit = (guint *) (gpointer) piece_deposit->data;
    job.added_m2 = g_new0 (double, MAX (n, 1));
    job.added_mineral_m2 = g_new0 (double, MAX (n, 1));
    job.deposit_added_m2 = g_new0 (double, MAX (deposits->len, 1));
    ok = run_pass (&job, process_added, n, n_threads, error);
    if (ok && p->measure_deposits)
      ok = run_pass (&job, process_deposit_added, deposits->len, n_threads, error);
    for (guint k = 0; ok && k < n; k++)
      {
        ZonesCandidate *c = g_ptr_array_index (result->candidates, k);
        double *by = g_hash_table_lookup (result->by_mineral, c->mineral);
        if (by == NULL)
          {
            by = boxed_double (0);
            g_hash_table_insert (result->by_mineral, g_strdup (c->mineral), by);
          }
        *by += job.added_mineral_m2[k] / 1e4;
        result->total_ha += job.added_m2[k] / 1e4;
      }
    if (ok && p->measure_deposits)
      {
        result->deposit_ha = 0;
        for (guint i = 0; i < deposits->len; i++)
          result->deposit_ha += job.deposit_added_m2[i] / 1e4;
      }
    g_free (job.added_m2);
    g_free (job.added_mineral_m2);
    g_free (job.deposit_added_m2);
  }
  g_mutex_clear (&job.lock);
  phase_done (&t0, "totals");
  if (!ok)
    return NULL;

  /* 8. Summary by mineral × admin unit × land use (sums of pieces). */
  {
    g_autoptr(GHashTable) rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    result->summary = g_ptr_array_new_with_free_func ((GDestroyNotify) summary_row_free);
    for (guint i = 0; i < result->candidates->len; i++)
      {
        ZonesCandidate *c = g_ptr_array_index (result->candidates, i);
        const char *admin_label = c->admin_name ? c->admin_name : (c->admin_code ? c->admin_code : "(none)");
        g_autofree char *key = g_strdup_printf ("%s\x1f%s\x1f%s", c->mineral, admin_label, c->land_use);
        ZonesSummaryRow *row = g_hash_table_lookup (rows, key);
        if (row == NULL)
          {
            row = g_new0 (ZonesSummaryRow, 1);
            row->mineral = g_strdup (c->mineral);
            row->admin = g_strdup (admin_label);
            row->land_use = g_strdup (c->land_use);
            g_hash_table_insert (rows, g_steal_pointer (&key), row);
            g_ptr_array_add (result->summary, row);
          }
        row->area_ha += c->area_ha;
        row->pieces++;
      }
    g_ptr_array_sort (result->summary, compare_summary);
  }

  return g_steal_pointer (&result);
}
