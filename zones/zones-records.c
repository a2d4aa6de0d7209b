/* zones-records.c: reading a layer through its field mapping into the working CRS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-records"

#include "zones-error.h"
#include "zones-layer.h"
#include "zones-private.h"
#include "zones-records.h"

void
zones_invalid_input_free (ZonesInvalidInput *input)
{
  if (input == NULL)
    return;
  g_free (input->layer);
  g_free (input->reason);
  g_free (input);
}

void
zones_input_free (ZonesInput *input)
{
  if (input == NULL)
    return;
  g_free (input->label);
  g_free (input->path);
  g_free (input->layer);
  g_free (input->role);
  g_clear_pointer (&input->crs, gis_crs_unref);
  g_clear_pointer (&input->mapping, zones_mapping_free);
  g_free (input->checksum);
  g_free (input->kind);
  g_free (input);
}

/**
 * zones_input_from_file:
 *
 * An input given on the command line: its mapping is Placer's guess, which must cover the
 * role's required fields.
 *
 * Returns: (transfer full): the input
 */
ZonesInput *
zones_input_from_file (const char *path, const char *role, GError **error)
{
  g_autoptr(ZonesLayerCandidate) c = NULL;
  ZonesInput *in;

  g_return_val_if_fail (path != NULL && role != NULL, NULL);

  c = _zones_layer_inspect (path, NULL, role, NULL, FALSE, NULL, error);
  if (c == NULL)
    return NULL;
  if (c->info != NULL && !zones_mapping_check (c->mapping, c->info, error))
    {
      g_prefix_error (error, "“%s”: ", path);
      return NULL;
    }
  in = g_new0 (ZonesInput, 1);
  in->path = g_strdup (path);
  in->layer = g_strdup (c->layer->source_layer);
  in->label = in->layer ? g_strdup_printf ("%s, layer %s", path, in->layer) : g_strdup (path);
  in->role = g_strdup (role);
  in->crs = gis_crs_ref (c->layer->crs);
  in->mapping = g_steal_pointer (&c->mapping);
  in->checksum = g_strdup (c->layer->checksum);
  in->extent = c->layer->extent;
  in->kind = g_strdup (c->layer->kind);
  return in;
}

/**
 * zones_input_dup_checksum:
 *
 * Returns: (transfer full) (nullable): the input's SHA-256, hashing its file now if that was
 *   not done yet; %NULL when the file cannot be read any more
 */
char *
zones_input_dup_checksum (ZonesInput *input)
{
  g_return_val_if_fail (input != NULL, NULL);

  if (input->checksum == NULL)
    input->checksum = gis_file_sha256 (input->path, NULL);
  return g_strdup (input->checksum);
}

/**
 * zones_inputs_from_project:
 *
 * Returns: (transfer full) (element-type ZonesInput): the project's layers with @role
 */
GPtrArray *
zones_inputs_from_project (GisProject *project, const char *role, GError **error)
{
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_input_free);

  g_return_val_if_fail (GIS_IS_PROJECT (project), NULL);

  layers = gis_project_list_layers (project, error);
  if (layers == NULL)
    return NULL;
  for (guint i = 0; i < layers->len; i++)
    {
      GisProjectLayer *l = g_ptr_array_index (layers, i);
      ZonesInput *in;

      if (g_strcmp0 (l->role, role) != 0)
        continue;
      in = g_new0 (ZonesInput, 1);
      in->role = g_strdup (role);
      in->kind = g_strdup (l->kind);
      in->crs = l->crs ? gis_crs_ref (l->crs) : NULL;
      in->checksum = g_strdup (l->checksum);
      in->extent = l->extent;
      if (l->table != NULL)
        {
          in->path = g_strdup (gis_project_get_path (project));
          in->layer = g_strdup (l->table);
        }
      else
        {
          in->path = gis_project_resolve_source (project, l);
          in->layer = g_strdup (l->source_layer);
        }
      in->label = g_strdup_printf ("project layer “%s”", l->name);
      in->mapping = zones_mapping_new_from_json (role, l->mapping, error);
      g_ptr_array_add (result, in);
      if (in->mapping == NULL)
        {
          g_prefix_error (error, "%s: ", in->label);
          return NULL;
        }
      if (in->crs == NULL)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "%s has no CRS", in->label);
          return NULL;
        }
    }
  return g_steal_pointer (&result);
}

/**
 * zones_input_lonlat_extent:
 * @lonlat: (out): the input's extent in WGS 84 longitude/latitude
 */
gboolean
zones_input_lonlat_extent (ZonesInput *input, GisEnvelope *lonlat, GError **error)
{
  g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, error);
  g_autoptr(GisTransform) t = NULL;
  double x[4], y[4];
  const GisEnvelope *e = &input->extent;

  *lonlat = GIS_ENVELOPE_EMPTY;
  if (wgs == NULL)
    return FALSE;
  if (gis_envelope_is_empty (e))
    return TRUE;
  t = gis_transform_new (input->crs, wgs, error);
  if (t == NULL)
    return FALSE;
  x[0] = e->min_x; y[0] = e->min_y;
  x[1] = e->max_x; y[1] = e->min_y;
  x[2] = e->max_x; y[2] = e->max_y;
  x[3] = e->min_x; y[3] = e->max_y;
  if (!gis_transform_points (t, x, y, 4, error))
    return FALSE;
  for (guint i = 0; i < 4; i++)
    gis_envelope_add_point (lonlat, x[i], y[i]);
  return TRUE;
}

static void
record_free (ZonesRecord *r)
{
  if (r == NULL)
    return;
  g_clear_pointer (&r->geometry, gis_geometry_unref);
  /* Not g_strfreev (): a field with no value is a NULL before the end. */
  for (guint i = 0; i < r->n_values; i++)
    {
      g_free (r->values[i]);
      g_free (r->raw[i]);
    }
  g_free (r->values);
  g_free (r->raw);
  g_free (r);
}

void
zones_record_set_free (ZonesRecordSet *set)
{
  if (set == NULL)
    return;
  g_clear_pointer (&set->records, g_ptr_array_unref);
  g_clear_pointer (&set->invalid, g_ptr_array_unref);
  g_free (set);
}

/* A batch of zones_record_set_read_each() also ends at this many bytes of shapes. */
#define READ_BATCH_BYTES (1 << 20)

typedef struct {
  ZonesRecordSet       *set;
  const ZonesFieldSpec *fields;
  int                  *source_index;
  /* Reading in batches (zones_record_set_read_each) */
  guint                 batch;
  gsize                 batch_bytes;  /* shapes' WKB in the records held */
  ZonesRecordsFunc      func;
  gpointer              func_data;
  GisCrs               *working_crs;
  gboolean              repair;
} ReadState;

static gboolean check_records (ZonesRecordSet *set, GisCrs *working_crs, gboolean repair,
                               GError **error);

/* Checks the records read so far and hands them to the caller's function, then lets them
 * go. */
static gboolean
flush_batch (ReadState *st, GError **error)
{
  ZonesRecordSet *set = st->set;

  if (!check_records (set, st->working_crs, st->repair, error) ||
      !st->func (set, st->func_data, error))
    return FALSE;
  g_ptr_array_set_size (set->records, 0);
  st->batch_bytes = 0;
  return TRUE;
}

/* Reading keeps every feature with a shape as it comes; checking and reprojecting its shape
 * happen afterwards on worker threads (check_records). */
static gboolean
read_cb (GisFeature *f, gpointer user_data, GError **error)
{
  ReadState *st = user_data;
  ZonesRecordSet *set = st->set;
  ZonesRecord *r;

  /* A feature without a shape cannot take part; it is listed like an invalid one, never
   * dropped silently. */
  if (f->geometry == NULL || gis_geometry_is_empty (f->geometry))
    {
      ZonesInvalidInput *bad = g_new0 (ZonesInvalidInput, 1);
      bad->layer = g_strdup (set->input->label);
      bad->fid = f->fid;
      bad->reason = g_strdup (f->geometry == NULL ? "no geometry" : "empty geometry");
      bad->repaired = FALSE;
      g_ptr_array_add (set->invalid, bad);
      return TRUE;
    }
  r = g_new0 (ZonesRecord, 1);
  r->fid = f->fid;
  r->geometry = gis_geometry_ref (f->geometry);
  r->values = g_new0 (char *, set->n_fields + 1);
  r->raw = g_new0 (char *, set->n_fields + 1);
  r->n_values = set->n_fields;
  for (guint i = 0; i < set->n_fields; i++)
    {
      const char *raw = st->source_index[i] >= 0 ? gis_feature_get (f, st->source_index[i]) : NULL;
      const char *value = raw;

      if (st->fields[i].vocabulary != NULL)
        value = zones_mapping_resolve (set->input->mapping, st->fields[i].name, raw);
      r->raw[i] = g_strdup (raw);
      r->values[i] = g_strdup (value);
    }
  g_ptr_array_add (set->records, r);
  if (st->func != NULL)
    {
      gsize len = 0;
      gis_geometry_peek_wkb (r->geometry, &len);
      st->batch_bytes += len;
      if (set->records->len >= st->batch || st->batch_bytes >= READ_BATCH_BYTES)
        return flush_batch (st, error);
    }
  return TRUE;
}

/* What checking one record found. */
typedef struct {
  char     *reason;      /* why its shape is invalid, or NULL */
  GError   *error;
  gboolean  unchecked;   /* @error came from the validity test itself */
} Check;

typedef struct {
  ZonesRecordSet *set;
  GisCrs         *working_crs;  /* NULL: keep the input's */
  gboolean        repair;
  Check          *checks;
  gint            next;
  gint            failed;
  GError         *setup_error;  /* a transformation that could not be made */
} CheckJob;

/* Validity, repair and reprojection of records taken in turn, with this thread's own
 * transformation (OGR's are not shared between threads). */
static gpointer
check_worker (gpointer data)
{
  CheckJob *job = data;
  ZonesRecordSet *set = job->set;
  g_autoptr(GisTransform) to_working = NULL;
  g_autoptr(GError) error = NULL;

  if (job->working_crs != NULL)
    {
      to_working = gis_transform_new (set->input->crs, job->working_crs, &error);
      if (to_working == NULL)
        {
          if (g_atomic_pointer_compare_and_exchange (&job->setup_error, NULL, error))
            error = NULL;
          g_atomic_int_set (&job->failed, 1);
          return NULL;
        }
    }
  for (;;)
    {
      gint i = g_atomic_int_add (&job->next, 1);
      ZonesRecord *r;
      Check *c;

      if (i >= (gint) set->records->len || g_atomic_int_get (&job->failed))
        break;
      r = g_ptr_array_index (set->records, i);
      c = &job->checks[i];
      if (!gis_geometry_is_valid (r->geometry, &c->reason, &c->error))
        {
          GisGeometry *fixed;

          if (c->error != NULL || !job->repair)
            {
              if (c->error != NULL)
                {
                  c->unchecked = TRUE;
                  g_atomic_int_set (&job->failed, 1);
                }
              continue;
            }
          fixed = gis_geometry_make_valid (r->geometry, &c->error);
          if (fixed == NULL)
            {
              g_atomic_int_set (&job->failed, 1);
              continue;
            }
          gis_geometry_unref (r->geometry);
          r->geometry = fixed;
        }
      if (to_working != NULL)
        {
          GisGeometry *t = gis_transform_geometry (to_working, r->geometry, &c->error);
          if (t == NULL)
            {
              g_atomic_int_set (&job->failed, 1);
              continue;
            }
          gis_geometry_unref (r->geometry);
          r->geometry = t;
        }
    }
  return NULL;
}

static int
compare_invalid (gconstpointer a, gconstpointer b)
{
  gint64 x = (*(ZonesInvalidInput *const *) a)->fid, y = (*(ZonesInvalidInput *const *) b)->fid;
  return (x > y) - (x < y);
}

/* Checks every record's shape (on up to four threads): invalid shapes are listed with their
 * reason and repaired, or left out without @repair; shapes are brought into @working_crs.
 * An error (a shape that cannot be checked, repaired or reprojected) stops it, naming the
 * feature. */
static gboolean
check_records (ZonesRecordSet *set, GisCrs *working_crs, gboolean repair, GError **error)
{
  CheckJob job = { set, working_crs, repair, NULL, 0, 0, NULL };
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GError) setup_error = NULL;
  GThread *threads[4];
  guint n_threads = CLAMP (g_get_num_processors (), 1, G_N_ELEMENTS (threads));
  gboolean ok = TRUE;

  if (set->records->len == 0)
    return TRUE;
  if (set->records->len < 64)
    n_threads = 1;
  job.checks = g_new0 (Check, set->records->len);
  for (guint t = 1; t < n_threads; t++)
    threads[t] = g_thread_new ("read", check_worker, &job);
  check_worker (&job);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
  setup_error = job.setup_error;
  if (setup_error != NULL)
    {
      for (guint i = 0; i < set->records->len; i++)
        {
          g_clear_error (&job.checks[i].error);
          g_free (job.checks[i].reason);
        }
      g_free (job.checks);
      g_propagate_prefixed_error (error, g_steal_pointer (&setup_error), "%s: ",
                                  set->input->label);
      return FALSE;
    }

  kept = g_ptr_array_new_full (set->records->len, (GDestroyNotify) record_free);
  for (guint i = 0; i < set->records->len; i++)
    {
      ZonesRecord *r = g_ptr_array_index (set->records, i);
      Check *c = &job.checks[i];
      gboolean invalid = c->reason != NULL;

      if (ok && c->error != NULL)
        {
          /* A shape that cannot even be tested is bad input; a failed repair or
           * reprojection keeps its own error. */
          if (c->unchecked)
            g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "%s, feature %" G_GINT64_FORMAT
                         ": %s", set->input->label, r->fid, c->error->message);
          else
            g_propagate_prefixed_error (error, g_steal_pointer (&c->error),
                                        "%s, feature %" G_GINT64_FORMAT ": ",
                                        set->input->label, r->fid);
          ok = FALSE;
        }
      if (ok && c->reason != NULL)
        {
          ZonesInvalidInput *bad = g_new0 (ZonesInvalidInput, 1);
          bad->layer = g_strdup (set->input->label);
          bad->fid = r->fid;
          bad->reason = g_steal_pointer (&c->reason);
          bad->repaired = repair;
          g_ptr_array_add (set->invalid, bad);
        }
      if (ok && (!invalid || repair) && c->error == NULL)
        g_ptr_array_add (kept, g_steal_pointer (&set->records->pdata[i]));
      g_clear_error (&c->error);
      g_free (c->reason);
    }
  g_free (job.checks);
  if (!ok)
    return FALSE;
  /* The records' array gives up its (now moved) members without freeing them. */
  g_ptr_array_set_free_func (set->records, NULL);
  g_ptr_array_unref (set->records);
  set->records = g_steal_pointer (&kept);
  g_ptr_array_sort (set->invalid, compare_invalid);
  return TRUE;
}

/**
 * zones_record_set_read:
 * @working_crs: (nullable): the CRS to bring geometries into (%NULL keeps the input's)
 * @repair: repair invalid geometries (each is still listed); without it invalid geometries
 *   are listed and left out of the records, and the caller decides whether to stop
 *
 * Returns: (transfer full): the records, or %NULL with an error naming the input
 */
ZonesRecordSet *
zones_record_set_read (ZonesInput *input, GisCrs *working_crs, gboolean repair,
                       GCancellable *cancellable, GError **error)
{
  return zones_record_set_read_each (input, working_crs, repair, 0, NULL, NULL, cancellable,
                                     error);
}

/**
 * zones_record_set_read_each:
 * @batch: records per call of @func, at most (a batch also ends at 1 MiB of shapes)
 * @func: (nullable): called with each batch of checked records in @set->records, which
 *   are freed when it returns (it may take one by setting its slot to %NULL); %NULL reads
 *   every record into the returned set, as zones_record_set_read() does
 *
 * Reads a layer a batch at a time, so that only one batch of records is held at once.
 * The invalid shapes of the whole layer are listed in the returned set, in feature order,
 * whether or not @func saw them (it sees them repaired with @repair).
 *
 * Returns: (transfer full): the set, with the invalid shapes and no records when @func is
 *   given; or %NULL with an error naming the input, or @func's own error
 */
ZonesRecordSet *
zones_record_set_read_each (ZonesInput *input, GisCrs *working_crs, gboolean repair,
                            guint batch, ZonesRecordsFunc func, gpointer user_data,
                            GCancellable *cancellable, GError **error)
{
  g_autoptr(ZonesRecordSet) set = g_new0 (ZonesRecordSet, 1);
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  g_autofree int *source_index = NULL;
  ReadState st = { 0 };

  g_return_val_if_fail (input != NULL, NULL);

  set->input = input;
  set->records = g_ptr_array_new_with_free_func ((GDestroyNotify) record_free);
  set->invalid = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_invalid_input_free);
  st.fields = zones_role_get_fields (input->role, &set->n_fields);

  ds = gis_dataset_open (input->path, GIS_OPEN_VECTOR, error);
  if (ds == NULL)
    return NULL;
  info = gis_dataset_describe_layer (ds, input->layer, error);
  if (info == NULL)
    return NULL;
  source_index = g_new0 (int, MAX (set->n_fields, 1));
  for (guint i = 0; i < set->n_fields; i++)
    {
      const char *src = zones_mapping_get_field (input->mapping, st.fields[i].name);
      source_index[i] = src ? gis_layer_info_find_field (info, src) : -1;
      if (src != NULL && source_index[i] < 0)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                       "%s: field “%s” (mapped to %s) does not exist", input->label, src,
                       st.fields[i].name);
          return NULL;
        }
      if (src == NULL && st.fields[i].required)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_MAPPING,
                       "%s: no field is mapped to “%s”, which role %s requires", input->label,
                       st.fields[i].name, input->role);
          return NULL;
        }
    }
  if (working_crs != NULL && gis_crs_equal (input->crs, working_crs))
    working_crs = NULL;
  st.set = set;
  st.source_index = source_index;
  st.batch = MAX (batch, 1);
  st.func = func;
  st.func_data = user_data;
  st.working_crs = working_crs;
  st.repair = repair;
  if (!gis_dataset_foreach_feature (ds, info->name, NULL, read_cb, &st, cancellable, error))
    return NULL;
  if (func != NULL ? (set->records->len > 0 && !flush_batch (&st, error))
                   : !check_records (set, working_crs, repair, error))
    return NULL;
  return g_steal_pointer (&set);
}

int
zones_record_set_field_index (ZonesRecordSet *set, const char *field)
{
  guint n = 0;
  const ZonesFieldSpec *fields = zones_role_get_fields (set->input->role, &n);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (fields[i].name, field))
      return (int) i;
  return -1;
}

/**
 * zones_record_get:
 *
 * Returns: (nullable): the record's value of Placer's field @field
 */
const char *
zones_record_get (ZonesRecordSet *set, ZonesRecord *record, const char *field)
{
  int i = zones_record_set_field_index (set, field);
  return i >= 0 ? record->values[i] : NULL;
}
