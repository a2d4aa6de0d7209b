/* zones-layer.c: inspecting a source layer and registering it with its role and mapping
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-layer"

#include <string.h>

#include "zones-error.h"
#include "zones-layer.h"
#include "zones-private.h"

/* Enough values to recognise a coded field (statuses, types, minerals) without reading a
 * free-text column in full. */
#define MAX_DISTINCT 200

void
zones_layer_candidate_free (ZonesLayerCandidate *c)
{
  if (c == NULL)
    return;
  g_clear_pointer (&c->layer, gis_project_layer_free);
  g_clear_pointer (&c->info, gis_layer_info_free);
  g_clear_pointer (&c->mapping, zones_mapping_free);
  g_free (c);
}

static char *
default_name (const char *path, const char *source_layer)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');

  if (source_layer != NULL)
    return g_strdup (source_layer);
  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_steal_pointer (&base);
}

/* A classified raster says what its values mean in CLASS_<value> metadata items (the
 * convention of Placer's sample land cover; GDAL category names are read too). */
/* The distinct values of each text or integer field: what a mapping guess needs. */
static GHashTable *
coded_values (GisDataset *ds, GisLayerInfo *info, GError **error)
{
  g_autoptr(GHashTable) distinct = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify) g_ptr_array_unref);

  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) values = NULL;

  for (guint i = 0; i < info->fields->len; i++)
    {
      const GisFieldInfo *f = g_ptr_array_index (info->fields, i);

      if (f->type == GIS_FIELD_STRING || f->type == GIS_FIELD_INTEGER)
        g_ptr_array_add (names, f->name);
    }
  /* One pass over the layer for all of them. */
  values = gis_dataset_distinct_values_many (ds, info->name, (const char **) names->pdata,
                                             names->len, MAX_DISTINCT, error);
  if (values == NULL)
    return NULL;
  for (guint k = 0; k < names->len; k++)
    g_hash_table_insert (distinct, g_strdup (g_ptr_array_index (names, k)),
                         g_ptr_array_ref (g_ptr_array_index (values, k)));
  return g_steal_pointer (&distinct);
}

/**
 * zones_layer_guess_role:
 *
 * The role a file most likely plays, from its fields and values: the role whose
 * required fields its mapping guess fills best (points lean towards sites). A raster is
 * land use.
 *
 * Returns: (transfer none): a role; "other" when nothing fits
 */
const char *
zones_layer_guess_role (const char *path, GError **error)
{
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(GHashTable) distinct = NULL;
  g_autoptr(GError) vector_error = NULL;
  const char *const *roles = zones_roles ();
  const char *best = "other";
  int best_score = 0;

  g_return_val_if_fail (path != NULL, NULL);

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &vector_error);
  if (ds == NULL || gis_dataset_get_n_layers (ds) == 0)
    {
      g_autoptr(GisRaster) raster = gis_raster_open (path, NULL);
      if (raster != NULL)
        return "landuse";
      g_propagate_error (error, g_steal_pointer (&vector_error));
      return NULL;
    }
  info = gis_dataset_describe_layer (ds, NULL, error);
  if (info == NULL)
    return NULL;
  distinct = coded_values (ds, info, error);
  if (distinct == NULL)
    return NULL;
  for (guint r = 0; roles[r] != NULL; r++)
    {
      g_autoptr(ZonesMapping) m = zones_mapping_guess (roles[r], info, distinct);
      guint n = 0;
      const ZonesFieldSpec *fields = zones_role_get_fields (roles[r], &n);
      int score = 0, required = 0, found_required = 0;
      gboolean points = info->geometry_type == GIS_GEOMETRY_POINT ||
                        info->geometry_type == GIS_GEOMETRY_MULTIPOINT;
      gboolean lines = info->geometry_type == GIS_GEOMETRY_LINESTRING ||
                       info->geometry_type == GIS_GEOMETRY_MULTILINESTRING;

      for (guint i = 0; i < n; i++)
        {
          gboolean mapped = zones_mapping_get_field (m, fields[i].name) != NULL;
          required += fields[i].required;
          found_required += fields[i].required && mapped;
          score += mapped ? (fields[i].required ? 3 : 1) : 0;
        }
      /* A role whose required fields are not all there is a poor fit. */
      if (found_required < required)
        score -= 2 * (required - found_required);
      /* Sites are points; titles, deposits, land use and zones are areas; rivers are
       * lines of water. */
      if (g_str_equal (roles[r], "sites"))
        score += points ? 3 : -6;
      else if (points)
        score -= 3;
      if (lines)
        score += g_str_equal (roles[r], "water") ? 3 : g_str_equal (roles[r], "borders") ? 0 : -6;
      if (score > best_score)
        {
          best_score = score;
          best = roles[r];
        }
    }
  return best;
}

static ZonesMapping *
guess_raster_mapping (const char *role, GisRaster *raster)
{
  ZonesMapping *m = zones_mapping_new_empty (role);

  if (g_strcmp0 (role, "landuse") != 0)
    return m;
  zones_mapping_set_field (m, "class", "band1");
  for (int v = 0; v < 256; v++)
    {
      g_autofree char *key = g_strdup_printf ("CLASS_%d", v);
      const char *label = gis_raster_get_metadata_item (raster, key);
      const char *value;
      g_autofree char *code = NULL;

      if (label == NULL)
        continue;
      code = g_strdup_printf ("%d", v);
      value = zones_vocabulary_match ("landuse", "class", label);
      if (value != NULL)
        zones_mapping_set_value (m, "class", code, value);
    }
  return m;
}

/**
 * zones_layer_inspect:
 * @source_layer: (nullable): the layer inside @path (the first when %NULL)
 * @role: the role the layer will have
 * @crs_override: (nullable): the CRS to use when the file has none (a CSV, a shapefile
 *   without .prj); a file that has one keeps its own
 *
 * Opens @path (vector first, then raster), reads its facts and proposes a field mapping.
 *
 * Returns: (transfer full): the candidate, or %NULL with an error naming the file
 */
ZonesLayerCandidate *
zones_layer_inspect (const char   *path,
                     const char   *source_layer,
                     const char   *role,
                     GisCrs       *crs_override,
                     GCancellable *cancellable,
                     GError      **error)
{
  return _zones_layer_inspect (path, source_layer, role, crs_override, TRUE, cancellable,
                               error);
}

/* With @checksum FALSE the file is not hashed (an input read once for an analysis hashes it
 * only if the run is recorded). */
ZonesLayerCandidate *
_zones_layer_inspect (const char   *path,
                      const char   *source_layer,
                      const char   *role,
                      GisCrs       *crs_override,
                      gboolean      checksum_file,
                      GCancellable *cancellable,
                      GError      **error)
{
  g_autoptr(ZonesLayerCandidate) c = g_new0 (ZonesLayerCandidate, 1);
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GError) vector_error = NULL;
  g_autofree char *checksum = NULL;

  g_return_val_if_fail (path != NULL && role != NULL, NULL);

  if (!zones_role_is_valid (role))
    {
      g_autofree char *roles = g_strjoinv (", ", (char **) zones_roles ());
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "Unknown role “%s” (one of: %s)",
                   role, roles);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_OPEN, "“%s” %s", path,
                   g_file_test (path, G_FILE_TEST_EXISTS) ? "is not a regular file"
                                                          : "does not exist");
      return NULL;
    }
  if (checksum_file && (checksum = gis_file_sha256 (path, error)) == NULL)
    return NULL;

  c->layer = g_new0 (GisProjectLayer, 1);
  c->layer->role = g_strdup (role);
  c->layer->source = g_strdup (path);
  c->layer->checksum = g_steal_pointer (&checksum);
  c->layer->extent = GIS_ENVELOPE_EMPTY;

  ds = gis_dataset_open (path, GIS_OPEN_VECTOR, &vector_error);
  if (ds != NULL && gis_dataset_get_n_layers (ds) > 0)
    {
      g_autoptr(GHashTable) distinct = NULL;

      c->info = gis_dataset_describe_layer (ds, source_layer, error);
      if (c->info == NULL)
        return NULL;
      if (!c->info->has_geometry)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                       "“%s”, layer “%s” has no geometry (for a CSV, name the columns "
                       "longitude/latitude or x/y)", path, c->info->name);
          return NULL;
        }
      distinct = coded_values (ds, c->info, error);
      if (distinct == NULL)
        return NULL;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      c->mapping = zones_mapping_guess (role, c->info, distinct);
      c->layer->kind = g_strdup ("vector");
      c->layer->source_layer = g_strdup (c->info->name);
      c->layer->geometry_type = c->info->geometry_type;
      c->layer->feature_count = c->info->feature_count;
      c->layer->extent = c->info->extent;
      c->layer->synthetic = c->info->synthetic;
      c->layer->description = g_strdup (c->info->description);
      if (c->info->crs != NULL)
        c->layer->crs = gis_crs_ref (c->info->crs);
    }
  else
    {
      g_autoptr(GisRaster) raster = NULL;
      g_autoptr(GError) raster_error = NULL;
      const char *synthetic;
      const char *description;

      raster = gis_raster_open (path, &raster_error);
      if (raster == NULL)
        {
          /* Report the vector error when the file looked like vector data. */
          if (vector_error != NULL && raster_error->domain == GIS_ERROR &&
              raster_error->code == GIS_ERROR_OPEN)
            g_propagate_error (error, g_steal_pointer (&vector_error));
          else
            g_propagate_error (error, g_steal_pointer (&raster_error));
          return NULL;
        }
      c->layer->kind = g_strdup ("raster");
      c->layer->crs = gis_crs_ref (gis_raster_get_crs (raster));
      c->layer->feature_count = (gint64) gis_raster_get_width (raster) *
                                gis_raster_get_height (raster);
      gis_raster_get_extent (raster, &c->layer->extent);
      synthetic = gis_raster_get_metadata_item (raster, "PLACER_SYNTHETIC");
      c->layer->synthetic = synthetic && g_ascii_strcasecmp (synthetic, "YES") == 0;
      description = gis_raster_get_metadata_item (raster, "DESCRIPTION");
      c->layer->description = g_strdup (description);
      c->mapping = guess_raster_mapping (role, raster);
    }

  if (c->layer->crs == NULL)
    {
      if (crs_override == NULL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_CRS,
                       "“%s” has no CRS; Placer does not guess one: give it with --crs "
                       "(e.g. --crs EPSG:4326 for longitude/latitude)", path);
          return NULL;
        }
      c->layer->crs = gis_crs_ref (crs_override);
    }
  c->layer->name = default_name (path, source_layer);
  return g_steal_pointer (&c);
}

/**
 * zones_layer_add_to_project:
 * @name: (nullable): the layer's name in the project (the candidate's default when %NULL)
 * @embed: copy the features into the project
 *
 * Checks the mapping against the role's required fields, then registers the layer.
 */
gboolean
zones_layer_add_to_project (GisProject          *project,
                            ZonesLayerCandidate *c,
                            const char          *name,
                            gboolean             embed,
                            GCancellable        *cancellable,
                            GError             **error)
{
  g_return_val_if_fail (GIS_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (c != NULL, FALSE);

  if (c->info != NULL && !zones_mapping_check (c->mapping, c->info, error))
    return FALSE;
  if (name != NULL)
    {
      g_free (c->layer->name);
      c->layer->name = g_strdup (name);
    }
  g_free (c->layer->mapping);
  c->layer->mapping = zones_mapping_to_json (c->mapping);
  return gis_project_add_layer (project, c->layer, embed && c->info != NULL, cancellable, error);
}

/**
 * zones_layer_prepare_display:
 * @progress: (nullable) (scope call): told how far it got
 *
 * Gets a layer ready to be drawn quickly: a large raster without overviews gets them
 * (nearest-pixel for land use, whose values are classes). Vector layers need nothing.
 *
 * Returns: %TRUE on success
 */
gboolean
zones_layer_prepare_display (ZonesLayerCandidate *candidate,
                             GisProgressFunc      progress,
                             gpointer             progress_data,
                             GCancellable        *cancellable,
                             GError             **error)
{
  g_return_val_if_fail (candidate != NULL && candidate->layer != NULL, FALSE);

  if (g_strcmp0 (candidate->layer->kind, "raster") != 0)
    return TRUE;
  return gis_raster_build_overviews (candidate->layer->source,
                                     g_strcmp0 (candidate->layer->role, "landuse") == 0,
                                     progress, progress_data, cancellable, error);
}
