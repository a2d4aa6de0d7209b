/* zones-unallocated-output.c: the unallocated-land result as JSON, a GeoPackage and a run
 * record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-unallocated"

#include <math.h>

#include <json-glib/json-glib.h>

#include "zones-error.h"
#include "zones-unallocated.h"

static char *
node_to_string (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static void
add_strv (JsonBuilder *b, const char *name, char **list)
{
  json_builder_set_member_name (b, name);
  if (list == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_array (b);
  for (guint i = 0; list[i]; i++)
    json_builder_add_string_value (b, list[i]);
  json_builder_end_array (b);
}

/**
 * zones_unallocated_params_to_json:
 *
 * Returns: (transfer full): the parameters, for the run record
 */
char *
zones_unallocated_params_to_json (const ZonesUnallocatedParams *p)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  char date[16] = "";

  if (g_date_valid (&p->as_of))
    g_date_strftime (date, sizeof date, "%Y-%m-%d", &p->as_of);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "as_of");
  json_builder_add_string_value (b, date);
  add_strv (b, "minerals", p->minerals);
  if (p->confidence != NULL)
    add_strv (b, "confidence", p->confidence);
  else
    {
      char *def[] = { "known", "probable", NULL };
      add_strv (b, "confidence", def);
    }
  json_builder_set_member_name (b, "pending_applications_block");
  json_builder_add_boolean_value (b, !p->pending_free);
  json_builder_set_member_name (b, "repair");
  json_builder_add_boolean_value (b, p->repair);
  json_builder_set_member_name (b, "rules_source");
  json_builder_add_string_value (b, zones_rules_get_source (p->rules));
  json_builder_set_member_name (b, "rules");
  json_builder_begin_array (b);
  for (guint i = 0; i < zones_rules_get_n (p->rules); i++)
    {
      const ZonesRule *r = zones_rules_get (p->rules, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "class");
      json_builder_add_string_value (b, r->land_class);
      json_builder_set_member_name (b, "rule");
      json_builder_add_string_value (b, zones_rule_kind_to_string (r->kind));
      json_builder_set_member_name (b, "buffer_m");
      json_builder_add_double_value (b, r->buffer_m);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (p->has_threshold || p->raster_classes != NULL)
    {
      json_builder_set_member_name (b, "raster_deposits");
      json_builder_begin_object (b);
      if (p->has_threshold)
        {
          json_builder_set_member_name (b, "threshold");
          json_builder_add_double_value (b, p->raster_threshold);
        }
      if (p->raster_classes != NULL)
        {
          json_builder_set_member_name (b, "classes");
          json_builder_begin_array (b);
          for (guint i = 0; i < p->raster_classes->len; i++)
            json_builder_add_double_value (b, g_array_index (p->raster_classes, double, i));
          json_builder_end_array (b);
        }
      json_builder_set_member_name (b, "mineral");
      json_builder_add_string_value (b, p->raster_mineral);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  return node_to_string (b);
}

/**
 * zones_unallocated_inputs_to_json:
 *
 * Returns: (transfer full): every input with its role, file, layer, CRS and checksum
 */
char *
zones_unallocated_inputs_to_json (const ZonesUnallocatedParams *p)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GPtrArray *all[] = { p->deposits, p->concessions, p->landuse, p->borders };

  json_builder_begin_array (b);
  for (guint a = 0; a < G_N_ELEMENTS (all); a++)
    for (guint i = 0; i < all[a]->len; i++)
      {
        ZonesInput *in = g_ptr_array_index (all[a], i);
        g_autofree char *crs = in->crs ? gis_crs_dup_label (in->crs) : NULL;
        g_autofree char *mapping = zones_mapping_to_json (in->mapping);
        g_autofree char *checksum = zones_input_dup_checksum (in);

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "role");
        json_builder_add_string_value (b, in->role);
        json_builder_set_member_name (b, "label");
        json_builder_add_string_value (b, in->label);
        json_builder_set_member_name (b, "path");
        json_builder_add_string_value (b, in->path);
        json_builder_set_member_name (b, "layer");
        json_builder_add_string_value (b, in->layer);
        json_builder_set_member_name (b, "crs");
        json_builder_add_string_value (b, crs);
        json_builder_set_member_name (b, "sha256");
        json_builder_add_string_value (b, checksum);
        json_builder_set_member_name (b, "mapping");
        json_builder_add_string_value (b, mapping);
        json_builder_end_object (b);
      }
  json_builder_end_array (b);
  return node_to_string (b);
}

/**
 * zones_unallocated_summary_to_json:
 *
 * Returns: (transfer full): the headline figures, as printed by `placer-cli unallocated --json`
 */
char *
zones_unallocated_summary_to_json (ZonesUnallocatedResult *r)
{
  g_autoptr(JsonNode) node = zones_unallocated_summary_to_node (r);

  return json_to_string (node, FALSE);
}

/**
 * zones_unallocated_summary_to_node:
 *
 * Returns: (transfer full): the same figures as zones_unallocated_summary_to_json(), as a
 *   JSON object the caller may add to
 */
JsonNode *
zones_unallocated_summary_to_node (ZonesUnallocatedResult *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GList) minerals = g_list_sort (g_hash_table_get_keys (r->by_mineral),
                                           (GCompareFunc) g_strcmp0);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total_ha");
  json_builder_add_double_value (b, r->total_ha);
  json_builder_set_member_name (b, "deposit_ha");
  if (isnan (r->deposit_ha))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, r->deposit_ha);
  json_builder_set_member_name (b, "by_mineral");
  json_builder_begin_object (b);
  for (GList *l = minerals; l; l = l->next)
    {
      json_builder_set_member_name (b, l->data);
      json_builder_add_double_value (b, *(double *) g_hash_table_lookup (r->by_mineral, l->data));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "features");
  json_builder_add_int_value (b, r->n_candidates);
  json_builder_set_member_name (b, "deposits_in_scope");
  json_builder_add_int_value (b, r->n_deposits);
  json_builder_set_member_name (b, "blocking_titles");
  json_builder_add_int_value (b, r->n_blocking);
  json_builder_set_member_name (b, "excluded_landuse_features");
  json_builder_add_int_value (b, r->n_excluded);
  json_builder_set_member_name (b, "conditional_landuse_features");
  json_builder_add_int_value (b, r->n_conditional);
  json_builder_set_member_name (b, "working_crs");
  json_builder_add_string_value (b, r->working_crs);

  json_builder_set_member_name (b, "summary");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->summary->len; i++)
    {
      ZonesSummaryRow *s = g_ptr_array_index (r->summary, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "mineral");
      json_builder_add_string_value (b, s->mineral);
      json_builder_set_member_name (b, "admin");
      json_builder_add_string_value (b, s->admin);
      json_builder_set_member_name (b, "land_use");
      json_builder_add_string_value (b, s->land_use);
      json_builder_set_member_name (b, "ha");
      json_builder_add_double_value (b, s->area_ha);
      json_builder_set_member_name (b, "pieces");
      json_builder_add_int_value (b, s->pieces);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "lsm_review");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->lsm_review->len; i++)
    {
      ZonesLsmReview *l = g_ptr_array_index (r->lsm_review, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "title");
      json_builder_add_string_value (b, l->title_id);
      json_builder_set_member_name (b, "holder");
      json_builder_add_string_value (b, l->holder);
      json_builder_set_member_name (b, "ha");
      json_builder_add_double_value (b, l->deposit_ha);
      json_builder_set_member_name (b, "title_ha");
      json_builder_add_double_value (b, l->title_ha);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "invalid_inputs");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->invalid_inputs->len; i++)
    {
      ZonesInvalidInput *v = g_ptr_array_index (r->invalid_inputs, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "layer");
      json_builder_add_string_value (b, v->layer);
      json_builder_set_member_name (b, "fid");
      json_builder_add_int_value (b, v->fid);
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, v->reason);
      json_builder_set_member_name (b, "repaired");
      json_builder_add_boolean_value (b, v->repaired);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->warnings->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (r->warnings, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static char *
fmt (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_dtostr (buf, sizeof buf, v));
}

struct _ZonesUnallocatedWriter {
  GisWriter *writer;
};

static const GisFieldInfo cand_fields[] = {
  { "mineral", GIS_FIELD_STRING }, { "confidence", GIS_FIELD_STRING },
  { "deposit_type", GIS_FIELD_STRING }, { "deposit_id", GIS_FIELD_STRING },
  { "deposit_layer", GIS_FIELD_STRING }, { "deposit_fid", GIS_FIELD_INTEGER },
  { "land_use", GIS_FIELD_STRING }, { "admin_code", GIS_FIELD_STRING },
  { "admin_name", GIS_FIELD_STRING }, { "area_ha", GIS_FIELD_REAL },
};

/**
 * zones_unallocated_writer_new:
 * @path: a new .gpkg
 * @crs: the output CRS, that of the candidate land
 *
 * Starts writing a result: candidate land first, piece by piece as the analysis makes
 * them (zones_unallocated_writer_add() is a #ZonesCandidateFunc), then the rest with
 * zones_unallocated_writer_finish(). Nothing appears under @path unless that succeeds.
 *
 * Returns: (transfer full): the writer, or %NULL with an error naming @path
 */
ZonesUnallocatedWriter *
zones_unallocated_writer_new (const char *path, gboolean overwrite, GisCrs *crs,
                              GError **error)
{
  g_autoptr(GisWriter) w = gis_writer_new (path, overwrite, error);
  ZonesUnallocatedWriter *self;

  if (w == NULL ||
      !gis_writer_begin_layer (w, "candidate_land", crs, GIS_GEOMETRY_MULTIPOLYGON,
                               cand_fields, G_N_ELEMENTS (cand_fields),
                               "Placer: deposit land no title holds (geodesic areas in ha)",
                               error))
    return NULL;
  self = g_new0 (ZonesUnallocatedWriter, 1);
  self->writer = g_steal_pointer (&w);
  return self;
}

/**
 * zones_unallocated_writer_add:
 * @user_data: the #ZonesUnallocatedWriter
 */
gboolean
zones_unallocated_writer_add (ZonesCandidate *c, gpointer user_data, GError **error)
{
  ZonesUnallocatedWriter *self = user_data;
  g_autofree char *fid = g_strdup_printf ("%" G_GINT64_FORMAT, c->deposit_fid);
  g_autofree char *ha = fmt (c->area_ha);
  const char *values[] = { c->mineral, c->confidence, c->deposit_type, c->deposit_id,
                           c->deposit_layer, fid, c->land_use, c->admin_code, c->admin_name,
                           ha };

  return gis_writer_add (self->writer, c->geometry, values, error);
}

void
zones_unallocated_writer_free (ZonesUnallocatedWriter *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->writer, gis_writer_free);
  g_free (self);
}

/**
 * zones_unallocated_write:
 * @path: a new .gpkg
 *
 * Writes the candidate land (polygons, in the output CRS), the summary, the LSM review list
 * and the invalid inputs as layers of a GeoPackage; all or nothing.
 */
gboolean
zones_unallocated_write (ZonesUnallocatedResult *r, const char *path, gboolean overwrite,
                         GError **error)
{
  g_autoptr(ZonesUnallocatedWriter) w = zones_unallocated_writer_new (path, overwrite,
                                                                      r->output_crs, error);

  if (w == NULL)
    return FALSE;
  for (guint i = 0; i < r->candidates->len; i++)
    if (!zones_unallocated_writer_add (g_ptr_array_index (r->candidates, i), w, error))
      return FALSE;
  return zones_unallocated_writer_finish (w, r, error);
}

/**
 * zones_unallocated_writer_finish:
 *
 * Writes the summary, the LSM review list and the invalid inputs after the candidate land
 * already added, and puts the file in place; all or nothing.
 */
gboolean
zones_unallocated_writer_finish (ZonesUnallocatedWriter *self, ZonesUnallocatedResult *r,
                                 GError **error)
{
  GisWriter *w = self->writer;
  const GisFieldInfo sum_fields[] = {
    { "mineral", GIS_FIELD_STRING }, { "admin", GIS_FIELD_STRING },
    { "land_use", GIS_FIELD_STRING }, { "area_ha", GIS_FIELD_REAL },
    { "pieces", GIS_FIELD_INTEGER },
  };
  const GisFieldInfo lsm_fields[] = {
    { "title_id", GIS_FIELD_STRING }, { "holder", GIS_FIELD_STRING },
    { "layer", GIS_FIELD_STRING }, { "fid", GIS_FIELD_INTEGER },
    { "deposit_ha", GIS_FIELD_REAL }, { "title_ha", GIS_FIELD_REAL },
  };
  const GisFieldInfo bad_fields[] = {
    { "layer", GIS_FIELD_STRING }, { "fid", GIS_FIELD_INTEGER },
    { "reason", GIS_FIELD_STRING }, { "repaired", GIS_FIELD_INTEGER },
  };

  if (!gis_writer_begin_layer (w, "summary", NULL, GIS_GEOMETRY_UNKNOWN, sum_fields,
                               G_N_ELEMENTS (sum_fields),
                               "Placer: candidate land by mineral, admin unit and land use",
                               error))
    return FALSE;
  for (guint i = 0; i < r->summary->len; i++)
    {
      ZonesSummaryRow *s = g_ptr_array_index (r->summary, i);
      g_autofree char *ha = fmt (s->area_ha);
      g_autofree char *n = g_strdup_printf ("%u", s->pieces);
      const char *values[] = { s->mineral, s->admin, s->land_use, ha, n };
      if (!gis_writer_add (w, NULL, values, error))
        return FALSE;
    }
  if (!gis_writer_begin_layer (w, "lsm_review", NULL, GIS_GEOMETRY_UNKNOWN, lsm_fields,
                               G_N_ELEMENTS (lsm_fields),
                               "Placer: deposit land inside large-scale titles, for review",
                               error))
    return FALSE;
  for (guint i = 0; i < r->lsm_review->len; i++)
    {
      ZonesLsmReview *l = g_ptr_array_index (r->lsm_review, i);
      g_autofree char *fid = g_strdup_printf ("%" G_GINT64_FORMAT, l->fid);
      g_autofree char *dha = fmt (l->deposit_ha);
      g_autofree char *tha = fmt (l->title_ha);
      const char *values[] = { l->title_id, l->holder, l->layer, fid, dha, tha };
      if (!gis_writer_add (w, NULL, values, error))
        return FALSE;
    }
  if (!gis_writer_begin_layer (w, "invalid_inputs", NULL, GIS_GEOMETRY_UNKNOWN, bad_fields,
                               G_N_ELEMENTS (bad_fields),
                               "Placer: invalid input geometries and whether they were repaired",
                               error))
    return FALSE;
  for (guint i = 0; i < r->invalid_inputs->len; i++)
    {
      ZonesInvalidInput *v = g_ptr_array_index (r->invalid_inputs, i);
      g_autofree char *fid = g_strdup_printf ("%" G_GINT64_FORMAT, v->fid);
      const char *values[] = { v->layer, fid, v->reason, v->repaired ? "1" : "0" };
      if (!gis_writer_add (w, NULL, values, error))
        return FALSE;
    }
  return gis_writer_finish (w, error);
}
