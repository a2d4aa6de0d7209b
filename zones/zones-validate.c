/* zones-validate.c: checking a zone against the cadastre, land use, geology, borders and the
 * country's rules
 *
 * Everything heavy happens once, when the validator is made: inputs are read into the
 * project CRS and each kind of feature goes into its own prepared overlay. A check then
 * costs a handful of index queries and clipped overlays, fast enough to run on every vertex
 * while a planner draws.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-validate"

#include <math.h>
#include <string.h>

#include "zones-error.h"
#include "zones-grid.h"
#include "zones-rulepack.h"
#include "zones-sites.h"
#include "zones-unallocated.h"
#include "zones-validate.h"

const char *
zones_severity_to_string (ZonesSeverity s)
{
  switch (s)
    {
    case ZONES_SEVERITY_ERROR: return "error";
    case ZONES_SEVERITY_WARNING: return "warning";
    case ZONES_SEVERITY_INFO:
    default: return "info";
    }
}

void
zones_finding_free (ZonesFinding *f)
{
  if (f == NULL)
    return;
  g_free (f->code);
  g_free (f->message);
  g_free (f->ref);
  g_clear_pointer (&f->geometry, gis_geometry_unref);
  g_free (f);
}

/**
 * zones_zone_rules_init_generic:
 *
 * Placer's generic planning assumptions: no legal size limit, at least half the zone on
 * known or probable deposits, at most half of it water, 500 m from industrial titles.
 */
void
zones_zone_rules_init_generic (ZonesZoneRules *r)
{
  memset (r, 0, sizeof *r);
  r->min_area_ha = NAN;
  r->max_area_ha = NAN;
  r->max_depth_m = NAN;
  r->min_distance_industrial_m = 500;
  r->min_deposit_share = 0.5;
  r->max_water_share = 0.5;
  r->source = g_strdup ("generic assumptions");
}

/**
 * zones_data_dir:
 *
 * Returns: Placer's data folder (rule packs, rules): $PLACER_DATA_DIR, the installed one,
 *   or the source tree's when running from a build folder
 */
const char *
zones_data_dir (void)
{
  const char *env = g_getenv ("PLACER_DATA_DIR");

  if (env != NULL && *env != '\0')
    return env;
  if (g_file_test (PLACER_PKGDATADIR "/rulepacks", G_FILE_TEST_IS_DIR))
    return PLACER_PKGDATADIR;
  return PLACER_SOURCE_DATADIR;
}

/**
 * zones_zone_rules_from_rulepack:
 * @iso3: (nullable): the country; %NULL or a country without a pack takes the generic pack
 *
 * Fills @rules from the country's rule pack; values the pack leaves unset keep the generic
 * assumptions already in @rules.
 */
gboolean
zones_zone_rules_from_rulepack (ZonesZoneRules *rules, const char *iso3, GError **error)
{
  g_autofree char *dir = g_build_filename (zones_data_dir (), "rulepacks", NULL);
  g_autofree char *generic = g_build_filename (dir, "generic.placer-rules", NULL);
  g_autoptr(ZonesRulePack) pack = iso3 ? zones_rulepack_find_for_country (iso3, dir, error)
                                       : zones_rulepack_new_from_file (generic, error);
  const char *shape = NULL;
  double v;
  gboolean b;

  g_return_val_if_fail (rules != NULL, FALSE);

  if (pack == NULL)
    return FALSE;
  if (zones_rulepack_get_number (pack, "zone", "min_area_ha", &v, NULL))
    rules->min_area_ha = v;
  if (zones_rulepack_get_number (pack, "zone", "max_area_ha", &v, NULL))
    rules->max_area_ha = v;
  if (zones_rulepack_get_number (pack, "zone", "max_depth_m", &v, NULL))
    rules->max_depth_m = v;
  if (zones_rulepack_get_number (pack, "zone", "grid_arcsec", &v, NULL))
    rules->grid_arcsec = v;
  if (zones_rulepack_get_boolean (pack, "zone", "grid_required", &b, NULL))
    rules->grid_required = b;
  if (zones_rulepack_get_number (pack, "zone", "max_cells", &v, NULL))
    rules->max_cells = (guint) v;
  if (zones_rulepack_get_text (pack, "zone", "shape", &shape, NULL))
    rules->rectangle = g_strcmp0 (shape, "rectangle") == 0;
  if (zones_rulepack_get_number (pack, "zone", "min_distance_industrial_m", &v, NULL))
    rules->min_distance_industrial_m = v;
  if (zones_rulepack_get_number (pack, "zone", "min_deposit_share", &v, NULL))
    rules->min_deposit_share = v;
  if (zones_rulepack_get_number (pack, "zone", "max_water_share", &v, NULL))
    rules->max_water_share = v;
  g_free (rules->source);
  rules->source = g_strdup_printf ("%s rule pack", zones_rulepack_get_name (pack));
  return TRUE;
}

void
zones_zone_rules_clear (ZonesZoneRules *r)
{
  g_clear_pointer (&r->source, g_free);
}

gboolean
zones_findings_have_errors (GPtrArray *findings)
{
  for (guint i = 0; findings && i < findings->len; i++)
    if (((ZonesFinding *) g_ptr_array_index (findings, i))->severity == ZONES_SEVERITY_ERROR)
      return TRUE;
  return FALSE;
}

void
zones_validator_inputs_clear (ZonesValidatorInputs *in)
{
  g_clear_pointer (&in->crs, gis_crs_unref);
  g_clear_pointer (&in->concessions, g_ptr_array_unref);
  g_clear_pointer (&in->deposits, g_ptr_array_unref);
  g_clear_pointer (&in->landuse, g_ptr_array_unref);
  g_clear_pointer (&in->borders, g_ptr_array_unref);
  g_clear_pointer (&in->water, g_ptr_array_unref);
  g_clear_pointer (&in->landuse_rules, zones_rules_free);
  g_clear_pointer (&in->sites, g_ptr_array_unref);
  g_clear_pointer (&in->capacity_params, zones_param_table_free);
  zones_zone_rules_clear (&in->zone_rules);
}

/**
 * zones_validator_inputs_from_project:
 *
 * Everything a project's zones are checked against: its layers by role, Placer's default
 * land-use rules, the generic zone rules, and the project's as-of date (today when unset).
 */
gboolean
zones_validator_inputs_from_project (ZonesValidatorInputs *in, GisProject *project,
                                     GError **error)
{
  g_autofree char *as_of = NULL;

  g_return_val_if_fail (in != NULL && GIS_IS_PROJECT (project), FALSE);

  memset (in, 0, sizeof *in);
  in->crs = gis_crs_ref (gis_project_get_crs (project));
  in->landuse_rules = zones_rules_new_default ();
  zones_zone_rules_init_generic (&in->zone_rules);
  in->concessions = zones_inputs_from_project (project, "concessions", error);
  in->deposits = in->concessions ? zones_inputs_from_project (project, "deposits", error) : NULL;
  in->landuse = in->deposits ? zones_inputs_from_project (project, "landuse", error) : NULL;
  in->borders = in->landuse ? zones_inputs_from_project (project, "borders", error) : NULL;
  in->water = in->borders ? zones_inputs_from_project (project, "water", error) : NULL;
  if (in->water == NULL)
    return FALSE;
  as_of = gis_project_dup_meta (project, "as_of");
  if (as_of == NULL || !zones_parse_date (as_of, &in->as_of))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_date_clear (&in->as_of, 1);
      g_date_set_dmy (&in->as_of, g_date_time_get_day_of_month (now),
                      g_date_time_get_month (now), g_date_time_get_year (now));
    }
  in->sites = zones_sites_load_latest (project, in->crs, &in->as_of, error);
  if (in->sites == NULL)
    return FALSE;
  /* The project's own capacity parameters (placer-cli capacity --save-params) when it keeps
   * them: the same table the capacity report uses. */
  in->capacity_params = zones_param_table_new_for_project (project, error);
  return in->capacity_params != NULL;
}

/* ---------------------------------------------------------------------------------------- */

typedef struct {
  char    *id;
  char    *holder;
  char    *type;
  GisGeometry *geometry;
} Title;

typedef struct {
  char       *name;      /* class */
  double      buffer_m;
  GisOverlay *overlay;
} ClassOverlay;

struct _ZonesValidator {
  GisCrs         *crs;
  GisCrs         *wgs84;
  ZonesZoneRules  rules;
  GPtrArray      *keep;        /* record sets whose geometries the overlays use */

  GPtrArray      *titles;      /* Title*, in force on the as-of date */
  GisOverlay     *titles_o;
  GPtrArray      *pending;     /* Title* */
  GisOverlay     *pending_o;
  GPtrArray      *industrial;  /* Title* (LSM in force), for distances */
  GPtrArray      *excluded;    /* ClassOverlay* */
  GPtrArray      *conditional; /* ClassOverlay* */
  GisOverlay     *water_o;
  GHashTable     *deposits_o;  /* mineral → GisOverlay*, plus "*" for all */
  GPtrArray      *country_iso; /* char* per country polygon */
  GisOverlay     *countries_o;
  GPtrArray      *zone_ids;    /* char* per zone polygon */
  GPtrArray      *zone_geoms;
  GisOverlay     *zones_o;

  /* Water sources with a yield (m³/day), for carrying capacity */
  GPtrArray      *water_sources;  /* GisGeometry* */
  GArray         *water_yield;    /* double */

  /* Sites and capacity parameters: references to the inputs' */
  GPtrArray       *sites;
  GisIndex        *site_index;
  ZonesParamTable *capacity_params;

  /* Made once: creating transforms costs more than a whole check. */
  GisAreaMeter   *meter;
  GisTransform   *to_wgs84;
};

static void
title_free (Title *t)
{
  g_free (t->id);
  g_free (t->holder);
  g_free (t->type);
  g_clear_pointer (&t->geometry, gis_geometry_unref);
  g_free (t);
}

static void
class_overlay_free (ClassOverlay *c)
{
  g_free (c->name);
  g_clear_pointer (&c->overlay, gis_overlay_free);
  g_free (c);
}

void
zones_validator_free (ZonesValidator *v)
{
  if (v == NULL)
    return;
  g_clear_pointer (&v->crs, gis_crs_unref);
  g_clear_pointer (&v->wgs84, gis_crs_unref);
  zones_zone_rules_clear (&v->rules);
  g_clear_pointer (&v->keep, g_ptr_array_unref);
  g_clear_pointer (&v->titles, g_ptr_array_unref);
  g_clear_pointer (&v->titles_o, gis_overlay_free);
  g_clear_pointer (&v->pending, g_ptr_array_unref);
  g_clear_pointer (&v->pending_o, gis_overlay_free);
  g_clear_pointer (&v->industrial, g_ptr_array_unref);
  g_clear_pointer (&v->excluded, g_ptr_array_unref);
  g_clear_pointer (&v->conditional, g_ptr_array_unref);
  g_clear_pointer (&v->water_o, gis_overlay_free);
  g_clear_pointer (&v->deposits_o, g_hash_table_unref);
  g_clear_pointer (&v->country_iso, g_ptr_array_unref);
  g_clear_pointer (&v->countries_o, gis_overlay_free);
  g_clear_pointer (&v->zone_ids, g_ptr_array_unref);
  g_clear_pointer (&v->zone_geoms, g_ptr_array_unref);
  g_clear_pointer (&v->zones_o, gis_overlay_free);
  g_clear_pointer (&v->meter, gis_area_meter_free);
  g_clear_pointer (&v->water_sources, g_ptr_array_unref);
  g_clear_pointer (&v->sites, g_ptr_array_unref);
  g_clear_pointer (&v->site_index, gis_index_free);
  g_clear_pointer (&v->capacity_params, zones_param_table_free);
  g_clear_pointer (&v->water_yield, g_array_unref);
  g_clear_pointer (&v->to_wgs84, gis_transform_free);
  g_free (v);
}

static GisOverlay *
overlay_of_titles (GPtrArray *titles, GError **error)
{
  g_autoptr(GPtrArray) geoms = g_ptr_array_new ();
  for (guint i = 0; i < titles->len; i++)
    g_ptr_array_add (geoms, ((Title *) g_ptr_array_index (titles, i))->geometry);
  return gis_overlay_new (geoms, error);
}

static ZonesRecordSet *
read_set (ZonesValidator *v, ZonesInput *in, GCancellable *cancellable, GError **error)
{
  /* Validation repairs quietly: a planner drawing a zone must not be stopped by an invalid
   * polygon in someone else's layer (the unallocated-land run reports those). */
  ZonesRecordSet *set = zones_record_set_read (in, v->crs, TRUE, cancellable, error);
  if (set != NULL)
    g_ptr_array_add (v->keep, set);
  return set;
}

/**
 * zones_validator_new:
 *
 * Reads and prepares everything a zone is checked against.
 *
 * Returns: (transfer full): the validator
 */
ZonesValidator *
zones_validator_new (const ZonesValidatorInputs *in, GCancellable *cancellable, GError **error)
{
  g_autoptr(ZonesValidator) v = g_new0 (ZonesValidator, 1);
  g_autoptr(GHashTable) excluded_geoms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                                (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) conditional_geoms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                                   (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) deposit_geoms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                               (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) water = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  g_autoptr(GPtrArray) countries = g_ptr_array_new ();

  g_return_val_if_fail (in != NULL && in->crs != NULL && in->landuse_rules != NULL, NULL);

  v->crs = gis_crs_ref (in->crs);
  v->wgs84 = gis_crs_new_from_epsg (4326, error);
  if (v->wgs84 == NULL)
    return NULL;
  v->rules = in->zone_rules;
  v->rules.source = g_strdup (in->zone_rules.source);
  v->keep = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_record_set_free);
  v->titles = g_ptr_array_new_with_free_func ((GDestroyNotify) title_free);
  v->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) title_free);
  v->industrial = g_ptr_array_new ();
  v->excluded = g_ptr_array_new_with_free_func ((GDestroyNotify) class_overlay_free);
  v->conditional = g_ptr_array_new_with_free_func ((GDestroyNotify) class_overlay_free);
  v->deposits_o = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) gis_overlay_free);
  v->country_iso = g_ptr_array_new_with_free_func (g_free);
  v->zone_ids = g_ptr_array_new_with_free_func (g_free);
  v->zone_geoms = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);

  /* Titles: in force on the as-of date, pending applications apart. */
  for (guint i = 0; in->concessions && i < in->concessions->len; i++)
    {
      ZonesRecordSet *set = read_set (v, g_ptr_array_index (in->concessions, i), cancellable, error);
      int is, ig, ie, it, ih, iid;
      if (set == NULL)
        return NULL;
      is = zones_record_set_field_index (set, "status");
      ig = zones_record_set_field_index (set, "grant_date");
      ie = zones_record_set_field_index (set, "expiry_date");
      it = zones_record_set_field_index (set, "type");
      ih = zones_record_set_field_index (set, "holder");
      iid = zones_record_set_field_index (set, "title_id");
      for (guint k = 0; k < set->records->len; k++)
        {
          ZonesRecord *r = g_ptr_array_index (set->records, k);
          GDate grant, expiry;
          gboolean has_grant = zones_parse_date (r->values[ig], &grant);
          gboolean has_expiry = zones_parse_date (r->values[ie], &expiry);
          Title *t;

          if (!zones_title_blocks (r->values[is], has_grant ? &grant : NULL,
                                   has_expiry ? &expiry : NULL, &in->as_of, FALSE))
            continue;
          t = g_new0 (Title, 1);
          t->id = g_strdup (r->values[iid] ? r->values[iid] : "?");
          t->holder = g_strdup (r->values[ih]);
          t->type = g_strdup (r->values[it]);
          t->geometry = gis_geometry_ref (r->geometry);
          if (g_strcmp0 (r->values[is], "pending") == 0)
            g_ptr_array_add (v->pending, t);
          else
            {
              g_ptr_array_add (v->titles, t);
              if (g_strcmp0 (t->type, "lsm_exploitation") == 0)
                g_ptr_array_add (v->industrial, t);
            }
        }
    }
  v->titles_o = overlay_of_titles (v->titles, error);
  v->pending_o = v->titles_o ? overlay_of_titles (v->pending, error) : NULL;
  if (v->pending_o == NULL)
    return NULL;

  /* Land use: excluded classes with their buffers, conditional classes, water. */
  for (guint i = 0; in->landuse && i < in->landuse->len; i++)
    {
      ZonesInput *li = g_ptr_array_index (in->landuse, i);
      ZonesRecordSet *set;
      int ic;

      if (g_strcmp0 (li->kind, "raster") == 0)
        continue;
      set = read_set (v, li, cancellable, error);
      if (set == NULL)
        return NULL;
      ic = zones_record_set_field_index (set, "class");
      for (guint k = 0; k < set->records->len; k++)
        {
          ZonesRecord *r = g_ptr_array_index (set->records, k);
          const ZonesRule *rule = zones_rules_lookup (in->landuse_rules, r->values[ic]);
          GHashTable *target;
          GPtrArray *list;
          GisGeometry *g;

          if (g_strcmp0 (r->values[ic], "water") == 0)
            g_ptr_array_add (water, gis_geometry_ref (r->geometry));
          if (rule == NULL || rule->kind == ZONES_RULE_ALLOWED)
            continue;
          target = rule->kind == ZONES_RULE_EXCLUDED ? excluded_geoms : conditional_geoms;
          g = rule->kind == ZONES_RULE_EXCLUDED && rule->buffer_m > 0
              ? gis_geometry_buffer_metres (r->geometry, v->crs, rule->buffer_m, error)
              : gis_geometry_ref (r->geometry);
          if (g == NULL)
            return NULL;
          list = g_hash_table_lookup (target, rule->land_class);
          if (list == NULL)
            {
              list = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
              g_hash_table_insert (target, g_strdup (rule->land_class), list);
            }
          g_ptr_array_add (list, g);
        }
    }
  for (guint pass = 0; pass < 2; pass++)
    {
      GHashTable *src = pass == 0 ? excluded_geoms : conditional_geoms;
      GPtrArray *dst = pass == 0 ? v->excluded : v->conditional;
      for (guint i = 0; i < zones_rules_get_n (in->landuse_rules); i++)
        {
          const ZonesRule *rule = zones_rules_get (in->landuse_rules, i);
          GPtrArray *list = g_hash_table_lookup (src, rule->land_class);
          ClassOverlay *c;
          if (list == NULL)
            continue;
          c = g_new0 (ClassOverlay, 1);
          c->name = g_strdup (rule->land_class);
          c->buffer_m = rule->buffer_m;
          c->overlay = gis_overlay_new (list, error);
          g_ptr_array_add (dst, c);
          if (c->overlay == NULL)
            return NULL;
        }
    }
  v->water_sources = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  v->water_yield = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; in->water && i < in->water->len; i++)
    {
      ZonesRecordSet *set = read_set (v, g_ptr_array_index (in->water, i), cancellable, error);
      int iy;
      if (set == NULL)
        return NULL;
      iy = zones_record_set_field_index (set, "yield_m3_day");
      for (guint k = 0; k < set->records->len; k++)
        {
          ZonesRecord *r = g_ptr_array_index (set->records, k);
          GisGeometryType t = gis_geometry_get_geometry_type (r->geometry);
          char *end = NULL;
          double y = r->values[iy] ? g_ascii_strtod (r->values[iy], &end) : NAN;

          if (t == GIS_GEOMETRY_POLYGON || t == GIS_GEOMETRY_MULTIPOLYGON)
            g_ptr_array_add (water, gis_geometry_ref (r->geometry));
          if (isfinite (y) && y >= 0 && end != NULL && *end == '\0')
            {
              g_ptr_array_add (v->water_sources, gis_geometry_ref (r->geometry));
              g_array_append_val (v->water_yield, y);
            }
        }
    }
  v->water_o = gis_overlay_new (water, error);
  if (v->water_o == NULL)
    return NULL;

  /* Deposits of known or probable confidence, per mineral and all together. */
  for (guint i = 0; in->deposits && i < in->deposits->len; i++)
    {
      ZonesInput *di = g_ptr_array_index (in->deposits, i);
      ZonesRecordSet *set;
      int im, ic;

      if (g_strcmp0 (di->kind, "raster") == 0)
        continue;
      set = read_set (v, di, cancellable, error);
      if (set == NULL)
        return NULL;
      im = zones_record_set_field_index (set, "mineral");
      ic = zones_record_set_field_index (set, "confidence");
      for (guint k = 0; k < set->records->len; k++)
        {
          ZonesRecord *r = g_ptr_array_index (set->records, k);
          const char *keys[2] = { "*", r->values[im] };
          if (g_strcmp0 (r->values[ic], "known") != 0 && g_strcmp0 (r->values[ic], "probable") != 0)
            continue;
          for (guint n = 0; n < 2; n++)
            {
              GPtrArray *list;
              if (keys[n] == NULL)
                continue;
              list = g_hash_table_lookup (deposit_geoms, keys[n]);
              if (list == NULL)
                {
                  list = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
                  g_hash_table_insert (deposit_geoms, g_strdup (keys[n]), list);
                }
              g_ptr_array_add (list, gis_geometry_ref (r->geometry));
            }
        }
    }
  {
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, deposit_geoms);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        GisOverlay *o = gis_overlay_new (value, error);
        if (o == NULL)
          return NULL;
        g_hash_table_insert (v->deposits_o, g_strdup (key), o);
      }
  }

  /* Countries: the borders layer without admin-1 codes (or the first one). */
  {
    ZonesInput *best = NULL;
    for (guint i = 0; in->borders && i < in->borders->len; i++)
      {
        ZonesInput *bi = g_ptr_array_index (in->borders, i);
        if (best == NULL || (zones_mapping_get_field (bi->mapping, "admin_code") == NULL &&
                             zones_mapping_get_field (best->mapping, "admin_code") != NULL))
          best = bi;
      }
    if (best != NULL)
      {
        ZonesRecordSet *set = read_set (v, best, cancellable, error);
        int iiso;
        if (set == NULL)
          return NULL;
        iiso = zones_record_set_field_index (set, "iso");
        for (guint k = 0; k < set->records->len; k++)
          {
            ZonesRecord *r = g_ptr_array_index (set->records, k);
            g_ptr_array_add (countries, r->geometry);
            g_ptr_array_add (v->country_iso, g_strdup (r->values[iiso]));
          }
      }
    v->countries_o = gis_overlay_new (countries, error);
    if (v->countries_o == NULL)
      return NULL;
  }
  zones_validator_set_zones (v, NULL);
  if (in->sites != NULL && in->capacity_params != NULL)
    {
      v->sites = g_ptr_array_ref (in->sites);
      v->capacity_params = zones_param_table_ref (in->capacity_params);
      v->site_index = gis_index_new ();
      for (guint i = 0; i < v->sites->len; i++)
        {
          ZonesSite *site = g_ptr_array_index (v->sites, i);
          GisEnvelope e;
          if (site->geometry == NULL)
            continue;
          gis_geometry_get_envelope (site->geometry, &e);
          gis_index_insert (v->site_index, &e, i);
        }
      gis_index_build (v->site_index);
    }
  v->meter = gis_area_meter_new (v->crs, error);
  v->to_wgs84 = v->meter ? gis_transform_new (v->crs, v->wgs84, error) : NULL;
  if (v->to_wgs84 == NULL)
    return NULL;
  return g_steal_pointer (&v);
}

/**
 * zones_validator_set_zones:
 * @zones: (nullable) (element-type ZonesZone): the register's zones, to find overlaps
 *   between zones (retired ones are left out)
 */
void
zones_validator_set_zones (ZonesValidator *v, GPtrArray *zones)
{
  g_return_if_fail (v != NULL);

  g_ptr_array_set_size (v->zone_ids, 0);
  g_ptr_array_set_size (v->zone_geoms, 0);
  g_clear_pointer (&v->zones_o, gis_overlay_free);
  for (guint i = 0; zones && i < zones->len; i++)
    {
      ZonesZone *z = g_ptr_array_index (zones, i);
      if (z->geometry == NULL || g_strcmp0 (z->status, "retired") == 0)
        continue;
      g_ptr_array_add (v->zone_ids, g_strdup (z->zone_id));
      g_ptr_array_add (v->zone_geoms, gis_geometry_ref (z->geometry));
    }
  v->zones_o = gis_overlay_new (v->zone_geoms, NULL);
}

/* ---------------------------------------------------------------------------------------- */

typedef struct {
  ZonesValidator *v;
  GisAreaMeter   *meter;
  GPtrArray      *findings;
  double          zone_m2;
  GHashTable     *overlapped;   /* titles the zone overlaps (no distance to check) */
} Check;

static void
add_finding (Check *c, const char *code, ZonesSeverity severity, double area_m2, const char *ref,
             GisGeometry *where, const char *format, ...) G_GNUC_PRINTF (7, 8);

static void
add_finding (Check *c, const char *code, ZonesSeverity severity, double area_m2, const char *ref,
             GisGeometry *where, const char *format, ...)
{
  ZonesFinding *f = g_new0 (ZonesFinding, 1);
  va_list ap;

  va_start (ap, format);
  f->message = g_strdup_vprintf (format, ap);
  va_end (ap);
  f->code = g_strdup (code);
  f->severity = severity;
  f->area_ha = area_m2 / 1e4;
  f->share = c->zone_m2 > 0 ? area_m2 / c->zone_m2 : 0;
  f->ref = g_strdup (ref);
  f->geometry = where ? gis_geometry_ref (where) : NULL;
  g_ptr_array_add (c->findings, f);
}

static gboolean
area_of (Check *c, GisGeometry *g, double *m2, GError **error)
{
  if (g == NULL)
    return FALSE;
  if (gis_geometry_is_empty (g))
    {
      *m2 = 0;
      return TRUE;
    }
  return gis_area_meter_measure (c->meter, g, m2, error);
}

/* Pieces of the zone in each feature of @o that it overlaps by more than 1 m². */
typedef gboolean (*PieceFunc) (Check *c, guint index, GisGeometry *piece, double m2,
                               gpointer data, GError **error);

static gboolean
for_each_piece (Check *c, GisOverlay *o, GisGeometry *zone, PieceFunc func, gpointer data,
                GError **error)
{
  g_autoptr(GArray) idx = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) pieces = gis_overlay_split (o, zone, idx, error);

  if (pieces == NULL)
    return FALSE;
  for (guint i = 0; i < pieces->len; i++)
    {
      double m2 = 0;
      if (!area_of (c, g_ptr_array_index (pieces, i), &m2, error))
        return FALSE;
      if (m2 < 1.0)
        continue;
      if (!func (c, g_array_index (idx, guint, i), g_ptr_array_index (pieces, i), m2, data, error))
        return FALSE;
    }
  return TRUE;
}

static char *
ha_text (double m2)
{
  return m2 < 1e4 ? g_strdup_printf ("%.4f ha", m2 / 1e4) : g_strdup_printf ("%.2f ha", m2 / 1e4);
}

static gboolean
title_piece (Check *c, guint index, GisGeometry *piece, double m2, gpointer data, GError **error)
{
  const ZonesZone *zone = data;
  Title *t = g_ptr_array_index (c->v->titles, index);
  g_autofree char *ha = ha_text (m2);
  gboolean consent = zones_zone_has_consent (zone, t->id);

  g_hash_table_add (c->overlapped, t);
  add_finding (c, consent ? "overlaps-title-with-consent" : "overlaps-title",
               consent ? ZONES_SEVERITY_INFO : ZONES_SEVERITY_ERROR, m2, t->id, piece,
               "%s title %s%s%s%s overlaps the zone by %s (%.2f %%)%s", t->type ? t->type : "A",
               t->id, t->holder ? " (" : "", t->holder ? t->holder : "", t->holder ? ")" : "",
               ha, 100 * m2 / c->zone_m2, consent ? "; the holder's consent is recorded" : "");
  return TRUE;
}

static gboolean
pending_piece (Check *c, guint index, GisGeometry *piece, double m2, gpointer data, GError **error)
{
  Title *t = g_ptr_array_index (c->v->pending, index);
  g_autofree char *ha = ha_text (m2);

  add_finding (c, "overlaps-application", ZONES_SEVERITY_WARNING, m2, t->id, piece,
               "Pending application %s%s%s%s overlaps the zone by %s (%.2f %%)", t->id,
               t->holder ? " (" : "", t->holder ? t->holder : "", t->holder ? ")" : "", ha,
               100 * m2 / c->zone_m2);
  return TRUE;
}

static gboolean
zone_piece (Check *c, guint index, GisGeometry *piece, double m2, gpointer data, GError **error)
{
  const ZonesZone *zone = data;
  const char *other = g_ptr_array_index (c->v->zone_ids, index);
  g_autofree char *ha = NULL;

  if (g_strcmp0 (other, zone->zone_id) == 0)
    return TRUE;
  ha = ha_text (m2);
  add_finding (c, "overlaps-zone", ZONES_SEVERITY_ERROR, m2, other, piece,
               "Zone %s overlaps this zone by %s (%.2f %%)", other, ha, 100 * m2 / c->zone_m2);
  return TRUE;
}

static gboolean
country_piece (Check *c, guint index, GisGeometry *piece, double m2, gpointer data, GError **error)
{
  GHashTable *per_country = data;
  const char *iso = g_ptr_array_index (c->v->country_iso, index);
  double *sum = g_hash_table_lookup (per_country, iso ? iso : "?");

  if (sum == NULL)
    {
      sum = g_new0 (double, 1);
      g_hash_table_insert (per_country, g_strdup (iso ? iso : "?"), sum);
    }
  *sum += m2;
  return TRUE;
}

/**
 * zones_validator_check:
 * @zone: the zone (its geometry in the project CRS)
 * @zone_ha: (out) (optional): the zone's geodesic area
 *
 * Returns: (transfer full) (element-type ZonesFinding): the findings, errors first
 */
GPtrArray *
zones_validator_check (ZonesValidator *v, const ZonesZone *zone, double *zone_ha, GError **error)
{
  g_autoptr(GPtrArray) findings = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_finding_free);
  g_autofree char *reason = NULL;
  g_autoptr(GHashTable) overlapped = g_hash_table_new (NULL, NULL);
  Check c = { v, NULL, findings, 0, overlapped };
  GisGeometry *g;
  const ZonesZoneRules *rules = &v->rules;

  g_return_val_if_fail (v != NULL && zone != NULL && zone->geometry != NULL, NULL);

  g = zone->geometry;
  if (zone_ha != NULL)
    *zone_ha = 0;
  if (!gis_geometry_is_valid (g, &reason, error))
    {
      if (error != NULL && *error != NULL)
        return NULL;
      add_finding (&c, "invalid-geometry", ZONES_SEVERITY_ERROR, 0, NULL, NULL,
                   "The zone's shape is not valid: %s", reason);
      return g_steal_pointer (&findings);
    }
  if (!gis_area_meter_measure (v->meter, g, &c.zone_m2, error))
    return NULL;
  c.meter = v->meter;
  if (zone_ha != NULL)
    *zone_ha = c.zone_m2 / 1e4;

  /* Size, depth, shape and the cadastral grid (the rule pack). */
  if (!isnan (rules->min_area_ha) && rules->min_area_ha > 0 && c.zone_m2 / 1e4 < rules->min_area_ha)
    add_finding (&c, "too-small", ZONES_SEVERITY_ERROR, c.zone_m2, NULL, NULL,
                 "The zone is %.2f ha; the rules (%s) require at least %g ha", c.zone_m2 / 1e4,
                 rules->source, rules->min_area_ha);
  if (!isnan (rules->max_area_ha) && rules->max_area_ha > 0 && c.zone_m2 / 1e4 > rules->max_area_ha)
    add_finding (&c, "too-large", ZONES_SEVERITY_ERROR, c.zone_m2, NULL, NULL,
                 "The zone is %.2f ha; the rules (%s) allow at most %g ha", c.zone_m2 / 1e4,
                 rules->source, rules->max_area_ha);
  if (!isnan (rules->max_depth_m) && rules->max_depth_m > 0 && !isnan (zone->planned_depth_m) &&
      zone->planned_depth_m > rules->max_depth_m)
    add_finding (&c, "too-deep", ZONES_SEVERITY_ERROR, 0, NULL, NULL,
                 "Workings are planned to %g m; the rules (%s) allow at most %g m",
                 zone->planned_depth_m, rules->source, rules->max_depth_m);
  if (rules->grid_arcsec > 0)
    {
      ZonesGrid grid;
      g_autoptr(GisGeometry) ll = gis_transform_geometry (v->to_wgs84, g, error);
      guint cells = 0;
      double misfit = 0;
      gboolean aligned;

      if (ll == NULL || !zones_grid_init (&grid, rules->grid_arcsec, error))
        return NULL;
      aligned = zones_grid_is_aligned (&grid, ll, &cells, &misfit, error);
      if (error != NULL && *error != NULL)
        return NULL;
      if (!aligned && rules->grid_required)
        add_finding (&c, "not-on-grid", ZONES_SEVERITY_ERROR, misfit * 1e4, NULL, NULL,
                     "The zone is not made of whole %g″ cadastral cells: %.4f ha differ from "
                     "its %u-cell form (snap it to the grid)", rules->grid_arcsec, misfit, cells);
      if (rules->max_cells > 0 && cells > rules->max_cells)
        add_finding (&c, "too-many-cells", ZONES_SEVERITY_ERROR, c.zone_m2, NULL, NULL,
                     "The zone covers %u cadastral cells; the rules (%s) allow at most %u",
                     cells, rules->source, rules->max_cells);
      add_finding (&c, "cadastral-cells", ZONES_SEVERITY_INFO, 0, NULL, NULL,
                   "The zone covers %u cadastral cells of %g″", cells, rules->grid_arcsec);
    }

  /* Borders: inside the designating country, and whether it crosses into another. */
  if (gis_overlay_get_size (v->countries_o) > 0)
    {
      g_autoptr(GHashTable) per_country = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                                 g_free);
      double inside = 0;
      if (!for_each_piece (&c, v->countries_o, g, country_piece, per_country, error))
        return NULL;
      if (zone->country != NULL)
        {
          double *m2 = g_hash_table_lookup (per_country, zone->country);
          inside = m2 ? *m2 : 0;
          if (c.zone_m2 - inside > 1.0)
            {
              g_autofree char *ha = ha_text (c.zone_m2 - inside);
              add_finding (&c, "outside-country", ZONES_SEVERITY_ERROR, c.zone_m2 - inside,
                           zone->country, NULL, "%s of the zone (%.2f %%) lies outside %s", ha,
                           100 * (c.zone_m2 - inside) / c.zone_m2, zone->country);
            }
        }
      if (g_hash_table_size (per_country) > 1)
        {
          g_autoptr(GString) list = g_string_new (NULL);
          g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (per_country),
                                               (GCompareFunc) g_strcmp0);
          for (GList *l = keys; l; l = l->next)
            g_string_append_printf (list, "%s%s %.1f %%", list->len ? ", " : "",
                                    (char *) l->data,
                                    100 * *(double *) g_hash_table_lookup (per_country, l->data) /
                                    c.zone_m2);
          add_finding (&c, "crosses-border", ZONES_SEVERITY_WARNING, 0, NULL, NULL,
                       "The zone crosses a border (%s): it needs both countries' agreement",
                       list->str);
        }
    }

  /* The cadastre and other zones. */
  if (!for_each_piece (&c, v->titles_o, g, title_piece, (gpointer) zone, error) ||
      !for_each_piece (&c, v->pending_o, g, pending_piece, (gpointer) zone, error) ||
      (v->zones_o && !for_each_piece (&c, v->zones_o, g, zone_piece, (gpointer) zone, error)))
    return NULL;

  /* Land use. */
  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *list = pass == 0 ? v->excluded : v->conditional;
      for (guint i = 0; i < list->len; i++)
        {
          ClassOverlay *co = g_ptr_array_index (list, i);
          g_autoptr(GisGeometry) part = gis_overlay_intersect (co->overlay, g, error);
          double m2 = 0;
          g_autofree char *ha = NULL;

          if (!area_of (&c, part, &m2, error))
            return NULL;
          if (m2 < 1.0)
            continue;
          ha = ha_text (m2);
          if (pass == 0 && co->buffer_m > 0)
            add_finding (&c, "excluded-landuse", ZONES_SEVERITY_ERROR, m2, co->name, part,
                         "%s of the zone (%.2f %%) is %s land or within %g m of it, where "
                         "mining is excluded", ha, 100 * m2 / c.zone_m2, co->name, co->buffer_m);
          else if (pass == 0)
            add_finding (&c, "excluded-landuse", ZONES_SEVERITY_ERROR, m2, co->name, part,
                         "%s of the zone (%.2f %%) is %s land, where mining is excluded", ha,
                         100 * m2 / c.zone_m2, co->name);
          else
            add_finding (&c, "conditional-landuse", ZONES_SEVERITY_WARNING, m2, co->name, part,
                         "%s of the zone (%.2f %%) is %s land, where mining needs conditions",
                         ha, 100 * m2 / c.zone_m2, co->name);
        }
    }

  /* Water. */
  {
    g_autoptr(GisGeometry) wet = gis_overlay_intersect (v->water_o, g, error);
    double m2 = 0;
    if (!area_of (&c, wet, &m2, error))
      return NULL;
    if (!isnan (rules->max_water_share) && m2 / c.zone_m2 > rules->max_water_share)
      add_finding (&c, "mostly-water", ZONES_SEVERITY_ERROR, m2, NULL, wet,
                   "%.1f %% of the zone is water (more than %.0f %%): it cannot be worked",
                   100 * m2 / c.zone_m2, 100 * rules->max_water_share);
  }

  /* Deposit evidence. */
  if (!isnan (rules->min_deposit_share) && rules->min_deposit_share > 0)
    {
      const char *key = zone->mineral ? zone->mineral : "*";
      GisOverlay *o = g_hash_table_lookup (v->deposits_o, key);
      double m2 = 0;

      if (o != NULL)
        {
          g_autoptr(GisGeometry) on = gis_overlay_intersect (o, g, error);
          if (!area_of (&c, on, &m2, error))
            return NULL;
        }
      if (m2 / c.zone_m2 < rules->min_deposit_share)
        add_finding (&c, "little-deposit", ZONES_SEVERITY_ERROR, m2, zone->mineral, NULL,
                     "Only %.1f %% of the zone lies on known or probable %s deposits (at least "
                     "%.0f %% needed)", 100 * m2 / c.zone_m2,
                     zone->mineral ? zone->mineral : "", 100 * rules->min_deposit_share);
    }

  /* Distance to industrial titles: the closest points in the project CRS, measured as a
   * geodesic on the ellipsoid. */
  if (!isnan (rules->min_distance_industrial_m) && rules->min_distance_industrial_m > 0 &&
      v->industrial->len > 0)
    {
      GisEnvelope e;
      /* A box that surely holds everything within the distance: a degree is at least
       * 100 km on the ground wherever zones are drawn (|lat| < 25°). */
      double pad = gis_crs_is_geographic (v->crs) ? rules->min_distance_industrial_m / 100000.0
                                                  : rules->min_distance_industrial_m * 1.01;

      gis_geometry_get_envelope (g, &e);
      for (guint i = 0; i < v->industrial->len; i++)
        {
          Title *t = g_ptr_array_index (v->industrial, i);
          GisEnvelope te;
          double x[2], y[2], d;

          if (g_hash_table_contains (overlapped, t))
            continue;
          gis_geometry_get_envelope (t->geometry, &te);
          if (te.min_x > e.max_x + pad || te.max_x < e.min_x - pad ||
              te.min_y > e.max_y + pad || te.max_y < e.min_y - pad)
            continue;
          if (!gis_geometry_nearest_points (g, t->geometry, x, y, error) ||
              !gis_transform_points (v->to_wgs84, x, y, 2, error))
            return NULL;
          d = gis_geodesic_distance (x[0], y[0], x[1], y[1]);
          if (d > 0 && d < rules->min_distance_industrial_m)
            add_finding (&c, "near-industrial", ZONES_SEVERITY_WARNING, 0, t->id, NULL,
                         "Industrial title %s%s%s%s is %.0f m from the zone (less than %g m)",
                         t->id, t->holder ? " (" : "", t->holder ? t->holder : "",
                         t->holder ? ")" : "", d, rules->min_distance_industrial_m);
        }
    }

  /* More miners than the zone can carry (the capacity model, central parameters). */
  if (v->site_index != NULL)
    {
      GisEnvelope e;
      g_autoptr(GArray) hits = NULL;
      gint64 workers = 0;
      guint n_sites = 0;

      gis_geometry_get_envelope (g, &e);
      hits = gis_index_query (v->site_index, &e);
      for (guint i = 0; i < hits->len; i++)
        {
          ZonesSite *site = g_ptr_array_index (v->sites, g_array_index (hits, guint, i));
          if (site->workers < 0 || !gis_geometry_intersects (g, site->geometry, NULL))
            continue;
          workers += site->workers;
          n_sites++;
        }
      if (workers > 0)
        {
          ZonesCapacity cap;

          if (!zones_validator_zone_capacity (v, v->capacity_params, zone, 5000, workers, &cap,
                                              error))
            return NULL;
          if (cap.over_capacity)
            add_finding (&c, "over-capacity", ZONES_SEVERITY_WARNING, 0, NULL, NULL,
                         "%" G_GINT64_FORMAT " workers at %u sites exceed the %.0f the zone can "
                         "carry (central estimate, bound by %s): load %.2f", workers, n_sites,
                         cap.capacity[ZONES_CENTRAL],
                         zones_binding_name (cap.binding[ZONES_CENTRAL]), cap.load_ratio);
        }
    }

  /* Errors first, then warnings, then information; stable within each. */
  {
    g_autoptr(GPtrArray) sorted = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_finding_free);
    for (int s = ZONES_SEVERITY_ERROR; s >= ZONES_SEVERITY_INFO; s--)
      for (guint i = 0; i < findings->len; i++)
        {
          ZonesFinding *f = g_ptr_array_index (findings, i);
          if (f != NULL && (int) f->severity == s)
            g_ptr_array_add (sorted, g_steal_pointer (&findings->pdata[i]));
        }
    return g_steal_pointer (&sorted);
  }
}

/* Which status may follow which: a zone is proposed before it is designated, only a
 * designated zone is suspended, and a retired zone stays retired. */
static gboolean
transition_allowed (const char *from, const char *to)
{
  if (g_strcmp0 (from, "retired") == 0 || g_strcmp0 (from, to) == 0)
    return FALSE;
  if (g_str_equal (to, "retired") || g_str_equal (to, "candidate") || g_str_equal (to, "proposed"))
    return TRUE;
  if (g_str_equal (to, "designated"))
    return g_strcmp0 (from, "proposed") == 0 || g_strcmp0 (from, "suspended") == 0;
  if (g_str_equal (to, "suspended"))
    return g_strcmp0 (from, "designated") == 0;
  return FALSE;
}

/**
 * zones_change_status:
 * @validator: checks the zone before it becomes proposed or designated
 * @override_reason: (nullable): lets a zone with errors go ahead; kept with the zone and in
 *   the audit log
 * @findings: (out) (optional) (transfer full): the findings of the check, when one was made
 *
 * Moves a zone along candidate → proposed → designated (→ suspended), or retires it. A zone
 * with errors cannot become proposed or designated without a written override.
 */
gboolean
zones_change_status (ZonesRegister *reg, ZonesValidator *validator, const char *zone_id,
                     const char *status, const char *override_reason, const char *legal_ref,
                     const char *authority, GPtrArray **findings, GError **error)
{
  g_autoptr(ZonesZone) z = NULL;
  gint64 version;

  g_return_val_if_fail (ZONES_IS_REGISTER (reg), FALSE);
  g_return_val_if_fail (zone_id != NULL && status != NULL, FALSE);

  if (findings != NULL)
    *findings = NULL;
  if (!zones_status_is_valid (status))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "“%s” is not a zone status", status);
      return FALSE;
    }
  if (override_reason != NULL)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (override_reason));
      if (*trimmed == '\0')
        {
          g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                               "An override needs a written reason");
          return FALSE;
        }
    }
  z = zones_register_get (reg, zone_id, error);
  if (z == NULL)
    return FALSE;
  if (!transition_allowed (z->status, status))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_STATE, "Zone %s is %s; it cannot become %s%s",
                   zone_id, z->status, status,
                   g_str_equal (status, "designated") ? " (it must be proposed first)" : "");
      return FALSE;
    }
  if (g_str_equal (status, "proposed") || g_str_equal (status, "designated"))
    {
      g_autoptr(GPtrArray) found = NULL;

      g_return_val_if_fail (validator != NULL, FALSE);
      found = zones_validator_check (validator, z, NULL, error);
      if (found == NULL)
        return FALSE;
      if (zones_findings_have_errors (found) && override_reason == NULL)
        {
          guint n = 0;
          for (guint i = 0; i < found->len; i++)
            n += ((ZonesFinding *) g_ptr_array_index (found, i))->severity == ZONES_SEVERITY_ERROR;
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_STATE,
                       "Zone %s has %u error%s and cannot become %s without an override with a "
                       "written reason", zone_id, n, n == 1 ? "" : "s", status);
          if (findings != NULL)
            *findings = g_steal_pointer (&found);
          return FALSE;
        }
      if (findings != NULL)
        *findings = g_steal_pointer (&found);
    }
  version = z->version;
  g_free (z->status);
  z->status = g_strdup (status);
  if (override_reason != NULL)
    {
      g_free (z->override_reason);
      z->override_reason = g_strdup (override_reason);
    }
  if (legal_ref != NULL)
    {
      g_free (z->legal_ref);
      z->legal_ref = g_strdup (legal_ref);
    }
  if (authority != NULL)
    {
      g_free (z->authority);
      z->authority = g_strdup (authority);
    }
  if (g_str_equal (status, "proposed"))
    {
      g_free (z->date_proposed);
      z->date_proposed = gis_now_iso8601 ();
    }
  else if (g_str_equal (status, "designated"))
    {
      g_free (z->date_designated);
      z->date_designated = gis_now_iso8601 ();
    }
  return zones_register_update (reg, z, version, "zone-status", error);
}

/**
 * zones_validator_workable_area:
 * @workable_ha: (out): the zone ∩ known and probable deposits of its mineral (any mineral when
 *   it has none) − excluded land use and buffers, geodesic
 *
 * The area the carrying-capacity model works on.
 */
gboolean
zones_validator_workable_area (ZonesValidator *v, const ZonesZone *zone, double *workable_ha,
                               GError **error)
{
  GisOverlay *deposits;
  g_autoptr(GisGeometry) work = NULL;
  double m2 = 0;

  g_return_val_if_fail (v != NULL && zone != NULL && zone->geometry != NULL, FALSE);

  *workable_ha = 0;
  deposits = g_hash_table_lookup (v->deposits_o, zone->mineral ? zone->mineral : "*");
  if (deposits == NULL)
    return TRUE;
  work = gis_overlay_intersect (deposits, zone->geometry, error);
  for (guint i = 0; work != NULL && i < v->excluded->len; i++)
    {
      ClassOverlay *co = g_ptr_array_index (v->excluded, i);
      GisGeometry *rest = gis_overlay_subtract (co->overlay, work, error);
      gis_geometry_unref (work);
      work = rest;
    }
  if (work == NULL || !gis_area_meter_measure (v->meter, work, &m2, error))
    return FALSE;
  *workable_ha = m2 / 1e4;
  return TRUE;
}

/**
 * zones_validator_water_m3_day:
 * @distance_m: sources within this distance of the zone count
 *
 * Returns: the summed yield (m³/day) of the water sources within @distance_m of the zone, or
 *   NAN when no water layer gives yields (water is then not assessed)
 */
double
zones_validator_water_m3_day (ZonesValidator *v, const ZonesZone *zone, double distance_m,
                              GError **error)
{
  double total = 0;

  g_return_val_if_fail (v != NULL && zone != NULL, NAN);

  if (v->water_sources->len == 0)
    return NAN;
  for (guint i = 0; i < v->water_sources->len; i++)
    {
      GisGeometry *w = g_ptr_array_index (v->water_sources, i);
      double x[2], y[2];

      if (!gis_geometry_nearest_points (zone->geometry, w, x, y, error) ||
          !gis_transform_points (v->to_wgs84, x, y, 2, error))
        return NAN;
      if (gis_geodesic_distance (x[0], y[0], x[1], y[1]) <= distance_m)
        total += g_array_index (v->water_yield, double, i);
    }
  return total;
}

/**
 * zones_validator_zone_capacity:
 * @table: the capacity parameters (looked up by the zone's mineral and deposit type, for
 *   artisanal methods)
 * @water_distance_m: water sources within this distance of the zone count
 * @observed_workers: workers at the zone's sites, -1 when unknown
 *
 * The carrying-capacity model on one zone: its workable area, the water near it and the
 * parameters for its mineral.
 */
gboolean
zones_validator_zone_capacity (ZonesValidator *v, ZonesParamTable *table, const ZonesZone *zone,
                               double water_distance_m, gint64 observed_workers,
                               ZonesCapacity *out, GError **error)
{
  ZonesParamSet set;
  double workable = 0, water;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (v != NULL && table != NULL && zone != NULL && out != NULL, FALSE);

  water = zones_validator_water_m3_day (v, zone, water_distance_m, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!zones_validator_workable_area (v, zone, &workable, error) ||
      !zones_param_table_lookup (table, zone->mineral, zone->deposit_type, "artisanal", &set,
                                 error))
    return FALSE;
  zones_capacity_compute (&set, workable, water, observed_workers, out);
  zones_param_set_clear (&set);
  return TRUE;
}

/**
 * zones_param_table_new_for_project:
 *
 * The capacity parameters a project keeps (placer-cli capacity --save-params), or Placer's
 * default table when it keeps none.
 *
 * Returns: (transfer full): the table
 */
ZonesParamTable *
zones_param_table_new_for_project (GisProject *project, GError **error)
{
  g_autofree char *saved = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (GIS_IS_PROJECT (project), NULL);

  saved = gis_project_dup_meta (project, "capacity_params");
  if (saved == NULL)
    return zones_param_table_new_default (error);
  label = g_strdup_printf ("%s (project parameters)", gis_project_get_path (project));
  return zones_param_table_new_from_data (saved, label, error);
}
