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
  g_strfreev (r->values);
  g_strfreev (r->raw);
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

typedef struct {
  ZonesRecordSet       *set;
  const ZonesFieldSpec *fields;
  int                  *source_index;
  GisTransform         *to_working;
  gboolean              repair;
} ReadState;

static gboolean
read_cb (GisFeature *f, gpointer user_data, GError **error)
{
  ReadState *st = user_data;
  ZonesRecordSet *set = st->set;
  ZonesRecord *r;
  g_autoptr(GisGeometry) geometry = NULL;

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
  geometry = gis_geometry_ref (f->geometry);
  {
    g_autofree char *reason = NULL;
    g_autoptr(GError) local_error = NULL;

    if (!gis_geometry_is_valid (geometry, &reason, &local_error))
      {
        ZonesInvalidInput *bad;

        if (local_error != NULL)
          {
            g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "%s, feature %" G_GINT64_FORMAT
                         ": %s", set->input->label, f->fid, local_error->message);
            return FALSE;
          }
        bad = g_new0 (ZonesInvalidInput, 1);
        bad->layer = g_strdup (set->input->label);
        bad->fid = f->fid;
        bad->reason = g_steal_pointer (&reason);
        bad->repaired = st->repair;
        g_ptr_array_add (set->invalid, bad);
        if (!st->repair)
          return TRUE;
        {
          GisGeometry *fixed = gis_geometry_make_valid (geometry, error);
          if (fixed == NULL)
            {
              g_prefix_error (error, "%s, feature %" G_GINT64_FORMAT ": ", set->input->label,
                              f->fid);
              return FALSE;
            }
          gis_geometry_unref (geometry);
          geometry = fixed;
        }
      }
  }
  if (st->to_working != NULL)
    {
      GisGeometry *t = gis_transform_geometry (st->to_working, geometry, error);
      if (t == NULL)
        {
          g_prefix_error (error, "%s, feature %" G_GINT64_FORMAT ": ", set->input->label, f->fid);
          return FALSE;
        }
      gis_geometry_unref (geometry);
      geometry = t;
    }

  r = g_new0 (ZonesRecord, 1);
  r->fid = f->fid;
  r->geometry = g_steal_pointer (&geometry);
  r->values = g_new0 (char *, set->n_fields + 1);
  r->raw = g_new0 (char *, set->n_fields + 1);
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
  g_autoptr(ZonesRecordSet) set = g_new0 (ZonesRecordSet, 1);
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(GisTransform) to_working = NULL;
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
  if (working_crs != NULL && !gis_crs_equal (input->crs, working_crs))
    {
      to_working = gis_transform_new (input->crs, working_crs, error);
      if (to_working == NULL)
        return NULL;
    }
  st.set = set;
  st.source_index = source_index;
  st.to_working = to_working;
  st.repair = repair;
  if (!gis_dataset_foreach_feature (ds, info->name, NULL, read_cb, &st, cancellable, error))
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
