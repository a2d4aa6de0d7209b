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

typedef struct {
  /* Borrowed, read-only while workers run */
  GPtrArray        *deposits;      /* Deposit* */
  GisOverlay       *blocking;
  GPtrArray        *conditional;   /* GisOverlay* per class, same order as classes */
  GPtrArray        *conditional_classes;
  GisOverlay       *admin;
  GPtrArray        *admins;        /* Admin* */
  GisCrs           *working;
  GisCrs           *output;
  GCancellable     *cancellable;

  /* Per deposit results: GPtrArray of ZonesCandidate, filled by workers */
  GPtrArray       **pieces;
  gint              next;
  GMutex            lock;
  GError           *error;
} Job;

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
process_deposit (Job *job, GisAreaMeter *meter, GisTransform *to_output, Deposit *d,
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

static gpointer
worker (gpointer data)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisAreaMeter) meter = gis_area_meter_new (job->working, &error);
  g_autoptr(GisTransform) to_output = NULL;

  if (meter != NULL && !gis_crs_equal (job->working, job->output))
    to_output = gis_transform_new (job->working, job->output, &error);
  while (error == NULL)
    {
      gint i = g_atomic_int_add (&job->next, 1);
      Deposit *d;

      if (i >= (gint) job->deposits->len)
        break;
      if (g_cancellable_set_error_if_cancelled (job->cancellable, &error))
        break;
      d = g_ptr_array_index (job->deposits, i);
      job->pieces[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
      if (!process_deposit (job, meter, to_output, d, job->pieces[i], &error))
        g_prefix_error (&error, "%s, feature %" G_GINT64_FORMAT ": ", d->layer, d->fid);
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
                 GCancellable *cancellable, GError **error)
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
                                 classes, n_classes, threshold, cancellable, error);
  if (polys == NULL)
    return NULL;
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

/* Area of the union of candidate pieces (their working-CRS geometries, as the overlay made
 * them). Pieces from overlapping deposits overlap; the union counts such land once. Pieces
 * are grouped by overlapping boxes (union-find), and only groups of more than one piece are
 * dissolved, each with one cascaded union — never pair by pair. */
static gboolean
union_area (GPtrArray *pieces, GisCrs *crs, double *ha, GError **error)
{
  g_autoptr(GisIndex) index = gis_index_new ();
  g_autoptr(GisAreaMeter) meter = gis_area_meter_new (crs, error);
  g_autofree guint *parent = NULL;
  g_autoptr(GHashTable) groups = NULL;
  GHashTableIter iter;
  gpointer key, value;
  double total = 0;

  if (meter == NULL)
    return FALSE;
  parent = g_new (guint, MAX (pieces->len, 1));
  for (guint i = 0; i < pieces->len; i++)
    {
      GisEnvelope e;
      parent[i] = i;
      gis_geometry_get_envelope (((ZonesCandidate *) g_ptr_array_index (pieces, i))->work_geometry, &e);
      gis_index_insert (index, &e, i);
    }
  for (guint i = 0; i < pieces->len; i++)
    {
      ZonesCandidate *a = g_ptr_array_index (pieces, i);
      GisEnvelope e;
      g_autoptr(GArray) hits = NULL;

      gis_geometry_get_envelope (a->work_geometry, &e);
      hits = gis_index_query (index, &e);
      for (guint k = 0; k < hits->len; k++)
        {
          guint j = g_array_index (hits, guint, k);
          guint ri, rj;

          if (j <= i)
            continue;
          for (ri = i; parent[ri] != ri; ri = parent[ri]);
          for (rj = j; parent[rj] != rj; rj = parent[rj]);
          if (ri != rj)
            parent[MAX (ri, rj)] = MIN (ri, rj);
        }
    }
  groups = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                  (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < pieces->len; i++)
    {
      guint r;
      GPtrArray *members;
      for (r = i; parent[r] != r; r = parent[r]);
      members = g_hash_table_lookup (groups, GUINT_TO_POINTER (r));
      if (members == NULL)
        {
          members = g_ptr_array_new ();
          g_hash_table_insert (groups, GUINT_TO_POINTER (r), members);
        }
      g_ptr_array_add (members, ((ZonesCandidate *) g_ptr_array_index (pieces, i))->work_geometry);
    }
  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *members = value;
      if (members->len == 1)
        {
          ZonesCandidate *c = g_ptr_array_index (pieces, GPOINTER_TO_UINT (key));
          total += c->area_ha;
        }
      else
        {
          g_autoptr(GisGeometry) u = gis_geometry_union_all ((GisGeometry **) members->pdata,
                                                              members->len, error);
          double m2 = 0;
          if (u == NULL || !gis_area_meter_measure (meter, u, &m2, error))
            return FALSE;
          total += m2 / 1e4;
        }
    }
  *ha = total;
  return TRUE;
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
  g_autoptr(GHashTable) conditional_geoms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                                   (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GisAreaMeter) meter = NULL;
  GisEnvelope deposit_extent = GIS_ENVELOPE_EMPTY;
  const char *default_confidence[] = { "known", "probable", NULL };
  const char *const *confidence = p->confidence ? (const char *const *) p->confidence
                                                : default_confidence;
  Job job = { 0 };
  guint n_threads;

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
                                   p->has_threshold ? &p->raster_threshold : NULL, cancellable,
                                   error);
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

  /* 3. Land use: excluded classes (with buffers) join the cutters; conditional ones are
   * kept per class to label the candidate land. */
  for (guint i = 0; i < p->landuse->len; i++)
    {
      ZonesInput *in = g_ptr_array_index (p->landuse, i);

      if (g_strcmp0 (in->kind, "raster") == 0)
        {
          /* Pixel values → classes through the layer's mapping (class: value → class). */
          g_autoptr(GArray) codes = g_array_new (FALSE, FALSE, sizeof (double));
          g_autoptr(GPtrArray) code_class = g_ptr_array_new ();
          const ZonesFieldSpec *spec = zones_role_find_field ("landuse", "class");
          GPtrArray *polys;

          for (guint v = 0; v < 256; v++)
            {
              g_autofree char *key = g_strdup_printf ("%u", v);
              const char *cls = zones_mapping_map_value (in->mapping, "class", key);
              const ZonesRule *rule = cls ? zones_rules_lookup (p->rules, cls) : NULL;
              double dv = v;
              if (rule == NULL || rule->kind == ZONES_RULE_ALLOWED)
                continue;
              g_array_append_val (codes, dv);
              g_ptr_array_add (code_class, (gpointer) rule->land_class);
            }
          (void) spec;
          if (codes->len == 0)
            continue;
          polys = raster_polygons (in, working, &deposit_extent, (double *) (gpointer) codes->data,
                                   codes->len, NULL, cancellable, error);
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
                  GisGeometry *g = rule->buffer_m > 0
                                   ? gis_geometry_buffer_metres (rp->geometry, working,
                                                                 rule->buffer_m, error)
                                   : gis_geometry_ref (rp->geometry);
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

  /* 5. The overlay, deposit by deposit, on worker threads. */
  if (cutters->len > 0)
    {
      blocking = gis_overlay_new (cutters, error);
      if (blocking == NULL)
        return NULL;
    }
  job.deposits = deposits;
  job.blocking = blocking;
  job.conditional = conditional;
  job.conditional_classes = conditional_classes;
  job.admin = admin;
  job.admins = admins;
  job.working = working;
  job.output = p->output_crs;
  job.cancellable = cancellable;
  job.pieces = g_new0 (GPtrArray *, MAX (deposits->len, 1));
  g_mutex_init (&job.lock);
  n_threads = CLAMP (p->n_threads, 1, 8);
  if (deposits->len < 8)
    n_threads = 1;
  {
    GThread *threads[8];
    for (guint t = 1; t < n_threads; t++)
      threads[t] = g_thread_new ("unallocated", worker, &job);
    worker (&job);
    for (guint t = 1; t < n_threads; t++)
      g_thread_join (threads[t]);
  }
  g_mutex_clear (&job.lock);
  result->candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  for (guint i = 0; i < deposits->len; i++)
    {
      if (job.pieces[i] == NULL)
        continue;
      for (guint k = 0; k < job.pieces[i]->len; k++)
        g_ptr_array_add (result->candidates, g_steal_pointer (&job.pieces[i]->pdata[k]));
      g_ptr_array_set_free_func (job.pieces[i], NULL);
      g_ptr_array_unref (job.pieces[i]);
    }
  g_free (job.pieces);
  if (job.error != NULL)
    {
      g_propagate_error (error, job.error);
      return NULL;
    }

  /* 6. Totals: the union of all candidate land, and per mineral. */
  if (!union_area (result->candidates, working, &result->total_ha, error))
    return NULL;
  result->by_mineral = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  {
    g_autoptr(GHashTable) per = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) g_ptr_array_unref);
    GHashTableIter iter;
    gpointer key, value;

    for (guint i = 0; i < result->candidates->len; i++)
      {
        ZonesCandidate *c = g_ptr_array_index (result->candidates, i);
        GPtrArray *list = g_hash_table_lookup (per, c->mineral);
        if (list == NULL)
          {
            list = g_ptr_array_new ();
            g_hash_table_insert (per, c->mineral, list);
          }
        g_ptr_array_add (list, c);
      }
    g_hash_table_iter_init (&iter, per);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        double ha = 0;
        if (!union_area (value, working, &ha, error))
          return NULL;
        g_hash_table_insert (result->by_mineral, g_strdup (key), boxed_double (ha));
      }
  }

  /* 7. Summary by mineral × admin unit × land use (sums of pieces). */
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

  /* 8. LSM review: deposit land in scope inside large-scale titles in force. */
  result->lsm_review = g_ptr_array_new_with_free_func ((GDestroyNotify) lsm_free);
  if (lsm_titles->len > 0 && deposits->len > 0)
    {
      g_autoptr(GPtrArray) dgeoms = g_ptr_array_new ();
      g_autoptr(GisOverlay) dep_overlay = NULL;

      for (guint i = 0; i < deposits->len; i++)
        g_ptr_array_add (dgeoms, ((Deposit *) g_ptr_array_index (deposits, i))->geometry);
      dep_overlay = gis_overlay_new (dgeoms, error);
      if (dep_overlay == NULL)
        return NULL;
      for (guint i = 0; i < lsm_titles->len; i++)
        {
          ZonesRecord *r = g_ptr_array_index (lsm_titles, i);
          ZonesRecordSet *set = g_ptr_array_index (lsm_sets, i);
          g_autoptr(GisGeometry) inside = gis_overlay_intersect (dep_overlay, r->geometry, error);
          double m2 = 0, title_m2 = 0;
          ZonesLsmReview *row;

          if (inside == NULL)
            return NULL;
          if (gis_geometry_is_empty (inside))
            continue;
          if (!gis_area_meter_measure (meter, inside, &m2, error) ||
              !gis_area_meter_measure (meter, r->geometry, &title_m2, error))
            return NULL;
          if (m2 <= 1e-6)
            continue;
          row = g_new0 (ZonesLsmReview, 1);
          row->title_id = g_strdup (zones_record_get (set, r, "title_id"));
          row->holder = g_strdup (zones_record_get (set, r, "holder"));
          row->layer = g_strdup (set->input->label);
          row->fid = r->fid;
          row->deposit_ha = m2 / 1e4;
          row->title_ha = title_m2 / 1e4;
          g_ptr_array_add (result->lsm_review, row);
        }
      g_ptr_array_sort (result->lsm_review, compare_lsm);
    }

  /* The deposit land in scope, for context ("x % of it is free"), when asked for. */
  result->deposit_ha = NAN;
  if (p->measure_deposits)
  {
    g_autoptr(GPtrArray) as_candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
    for (guint i = 0; i < deposits->len; i++)
      {
        Deposit *d = g_ptr_array_index (deposits, i);
        ZonesCandidate *c = g_new0 (ZonesCandidate, 1);
        double m2 = 0;
        if (!gis_area_meter_measure (meter, d->geometry, &m2, error))
          {
            candidate_free (c);
            return NULL;
          }
        c->work_geometry = gis_geometry_ref (d->geometry);
        c->area_ha = m2 / 1e4;
        g_ptr_array_add (as_candidates, c);
      }
    if (!union_area (as_candidates, working, &result->deposit_ha, error))
      return NULL;
  }
  return g_steal_pointer (&result);
}
