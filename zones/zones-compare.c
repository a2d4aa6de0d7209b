/* zones-compare.c: one shared area as each country sees it (guidance 1.4 and 2.3)
 *
 * The area is a cluster's hull plus a buffer, the land within N km of two countries' common
 * border, or a polygon. Each country's part of it gets the figures a cross-border secretariat
 * compares: titles, zones and their capacity, sites and workers by mineral, unallocated
 * deposit land; and the countries' rule packs go side by side with their differences marked
 * (the harmonisation table: licensing, taxation, prices, supply chains, sanctions).
 *
 * Nothing is measured here that another analysis already measures: clusters come from
 * zones_clusters_run(), unallocated land from zones_unallocated_run(), capacity from the
 * validator's model. This file cuts their results by the countries' parts. Every geometry is
 * in the project CRS and every area is geodesic.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-compare"

#include <math.h>
#include <string.h>

#include "zones-compare.h"
#include "zones-error.h"
#include "zones-register.h"
#include "zones-rulepack.h"
#include "zones-sites.h"
#include "zones-unallocated.h"
#include "zones-validate.h"

/* The terms of the harmonisation table, in the guidance's order: licensing, then the zone
 * rules a licence is granted in, taxation, prices and access to supply-chain initiatives,
 * sanctions. Licence terms gather every licence of
 * a pack, since countries name and cut their licences differently. */
static const struct {
  const char *section;
  const char *key;
  const char *label;
} term_list[] = {
  { "licence", "title", "Licences" },
  { "licence", "holder", "Who may hold a licence" },
  { "licence", "max_area_ha", "Licence: largest area (ha)" },
  { "licence", "max_cells", "Licence: most cadastral cells" },
  { "licence", "duration_years", "Licence: initial term (years)" },
  { "licence", "renewable", "Licence: renewal" },
  { "licence", "max_depth_m", "Licence: deepest working (m)" },
  { "licence", "fee", "Licence fees" },
  { "licence", "mechanisation", "Licence: equipment and chemicals" },
  { "zone", "min_area_ha", "Zone: smallest area (ha)" },
  { "zone", "max_area_ha", "Zone: largest area (ha)" },
  { "zone", "max_depth_m", "Zone: deepest working (m)" },
  { "zone", "shape", "Zone: shape" },
  { "zone", "grid_arcsec", "Cadastral cell (arc seconds)" },
  { "zone", "cell_area_ha", "Cadastral cell, nominal area (ha)" },
  { "zone", "grid_required", "Zone: whole cells only" },
  { "zone", "max_cells", "Zone: most cells" },
  { "zone", "min_distance_industrial_m", "Zone: distance to industrial titles (m)" },
  { "fiscal", "royalty_gold_pct", "Royalty on gold (%)" },
  { "fiscal", "royalty_3t_pct", "Royalty on tin, tantalum, tungsten (%)" },
  { "fiscal", "royalty_other_pct", "Royalty on other minerals (%)" },
  { "fiscal", "export_tax", "Export taxes and levies" },
  { "market", "price", "Prices and official buyers" },
  { "market", "supply_chain", "Supply-chain certification and traceability" },
  { "sanctions", "illegal_mining", "Sanctions: mining without a title" },
  { "sanctions", "mercury", "Sanctions: mercury" },
};

void
zones_compare_params_init (ZonesCompareParams *p)
{
  g_return_if_fail (p != NULL);

  memset (p, 0, sizeof *p);
  p->buffer_km = NAN;
  zones_cluster_params_init (&p->cluster);
  g_date_clear (&p->as_of, 1);
}

/* ---------------------------------------------------------------------------------------- */
/* The harmonisation table */

void
zones_compare_term_free (ZonesCompareTerm *t)
{
  if (t == NULL)
    return;
  g_free (t->term);
  /* Not g_strfreev (): a country with no value is a NULL before the end. */
  for (guint i = 0; i < t->n_values; i++)
    g_free (t->values[i]);
  g_free (t->values);
  g_free (t->states);
  g_free (t->verified);
  g_free (t);
}

const char *
zones_term_state_to_string (ZonesTermState state)
{
  switch (state)
    {
    case ZONES_TERM_SET: return "set";
    case ZONES_TERM_NOT_SET: return "not set";
    case ZONES_TERM_NO_PACK: return "no rule pack";
    default: return "?";
    }
}

/* A pack's value as the table shows it: numbers in their shortest form, so that "25" and
 * "25.0" do not differ. */
static char *
row_text (const ZonesRulePackRow *row)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_assert (row != NULL && row->is_set);

  if (row->type == ZONES_RULEPACK_NUMBER)
    return g_strdup (g_ascii_dtostr (buf, sizeof buf, g_ascii_strtod (row->value, NULL)));
  return g_strdup (row->value);
}

static GHashTable *
index_rows (ZonesRulePack *pack)
{
  g_autoptr(GPtrArray) rows = zones_rulepack_list_rows (pack);
  GHashTable *index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      ZonesRulePackRow *row = g_ptr_array_index (rows, i);
      g_hash_table_insert (index, g_strconcat (row->section, "\x1f", row->key, NULL), row);
    }
  return index;
}

static const ZonesRulePackRow *
find_row (GHashTable *index, const char *section, const char *key)
{
  g_autofree char *k = g_strconcat (section, "\x1f", key, NULL);
  return g_hash_table_lookup (index, k);
}

/* One country's value of a term. */
static void
term_value (ZonesRulePack *pack, GHashTable *index, const char *section, const char *key,
            char **value, ZonesTermState *state, gboolean *verified)
{
  const ZonesRulePackRow *row;

  *value = NULL;
  *state = ZONES_TERM_NOT_SET;
  *verified = FALSE;
  if (!g_str_equal (section, "licence"))
    {
      row = find_row (index, section, key);
      if (row == NULL || !row->is_set)
        return;
      *value = row_text (row);
      *state = ZONES_TERM_SET;
      *verified = row->provenance->verified;
      return;
    }
  {
    const char *const *names = zones_rulepack_list_licences (pack);
    g_autoptr(GString) text = g_string_new (NULL);
    gboolean all_verified = TRUE;

    for (guint i = 0; names[i] != NULL; i++)
      {
        g_autofree char *licence = g_strconcat ("licence.", names[i], NULL);
        const ZonesRulePackRow *title = find_row (index, licence, "title");
        g_autofree char *v = NULL;

        row = find_row (index, licence, key);
        if (row == NULL || !row->is_set)
          continue;
        v = row_text (row);
        if (text->len > 0)
          g_string_append (text, "; ");
        if (row == title)
          g_string_append (text, v);
        else
          g_string_append_printf (text, "%s: %s", title && title->is_set ? title->value : names[i],
                                  v);
        all_verified &= row->provenance->verified;
      }
    if (text->len == 0)
      return;
    *value = g_string_free (g_steal_pointer (&text), FALSE);
    *state = ZONES_TERM_SET;
    *verified = all_verified;
  }
}

/**
 * zones_compare_terms:
 * @countries: (array zero-terminated=1): ISO 3166-1 alpha-3 codes
 * @rulepack_dir: (nullable): the folder of the packs; %NULL for Placer's
 * @packs: (out) (optional) (element-type utf8): for each country, its pack's name, or %NULL
 *   where the country has no pack
 *
 * The countries' rule packs side by side: licensing, zone rules, taxation, prices, supply
 * chains and sanctions. A country without a pack of its own is shown as such (Placer's
 * generic planning assumptions are not law and are left out); a pack that exists but does
 * not load is an error.
 *
 * Returns: (transfer full) (element-type ZonesCompareTerm): the terms
 */
GPtrArray *
zones_compare_terms (const char *const *countries, const char *rulepack_dir, GPtrArray **packs,
                     GError **error)
{
  g_autofree char *default_dir = NULL;
  g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_rulepack_free);
  g_autoptr(GPtrArray) indexes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_compare_term_free);
  guint n;

  g_return_val_if_fail (countries != NULL, NULL);

  if (rulepack_dir == NULL)
    rulepack_dir = default_dir = g_build_filename (zones_data_dir (), "rulepacks", NULL);
  n = g_strv_length ((char **) countries);
  for (guint i = 0; i < n; i++)
    {
      ZonesRulePack *pack = zones_rulepack_find_for_country (countries[i], rulepack_dir, error);
      if (pack == NULL)
        return NULL;
      if (zones_rulepack_is_generic (pack))
        g_clear_pointer (&pack, zones_rulepack_free);
      g_ptr_array_add (loaded, pack);
      g_ptr_array_add (indexes, pack ? index_rows (pack) : g_hash_table_new (g_str_hash, g_str_equal));
    }

  for (guint k = 0; k < G_N_ELEMENTS (term_list); k++)
    {
      ZonesCompareTerm *t = g_new0 (ZonesCompareTerm, 1);

      t->term = g_strconcat (term_list[k].section, ".", term_list[k].key, NULL);
      t->label = term_list[k].label;
      /* Licence terms gather several licences into one text. */
      t->numeric = !g_str_equal (term_list[k].section, "licence") &&
                   zones_rulepack_key_type (term_list[k].section, term_list[k].key) ==
                   ZONES_RULEPACK_NUMBER;
      t->values = g_new0 (char *, n + 1);
      t->n_values = n;
      t->states = g_new0 (ZonesTermState, MAX (n, 1));
      t->verified = g_new0 (gboolean, MAX (n, 1));
      for (guint i = 0; i < n; i++)
        {
          ZonesRulePack *pack = g_ptr_array_index (loaded, i);
          if (pack == NULL)
            {
              t->states[i] = ZONES_TERM_NO_PACK;
              continue;
            }
          term_value (pack, g_ptr_array_index (indexes, i), term_list[k].section,
                      term_list[k].key, &t->values[i], &t->states[i], &t->verified[i]);
        }
      /* A value against none is a difference: one country regulates what the other does
       * not (or has not been found to). None against none says nothing. */
      for (guint i = 1; i < n; i++)
        t->differs |= g_strcmp0 (t->values[i], t->values[0]) != 0;
      g_ptr_array_add (terms, t);
    }
  if (packs != NULL)
    {
      *packs = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < n; i++)
        {
          ZonesRulePack *pack = g_ptr_array_index (loaded, i);
          g_ptr_array_add (*packs, pack ? g_strdup (zones_rulepack_get_name (pack)) : NULL);
        }
    }
  return g_steal_pointer (&terms);
}

/* ---------------------------------------------------------------------------------------- */
/* Results */

static void
mineral_free (ZonesCompareMineral *m)
{
  g_free (m->mineral);
  g_free (m);
}

static void
country_free (ZonesCompareCountry *c)
{
  g_free (c->iso);
  g_free (c->name);
  g_clear_pointer (&c->part, gis_geometry_unref);
  g_clear_pointer (&c->by_mineral, g_ptr_array_unref);
  g_clear_pointer (&c->unallocated_by_mineral, g_hash_table_unref);
  g_free (c->rulepack);
  g_free (c);
}

void
zones_compare_result_free (ZonesCompareResult *r)
{
  if (r == NULL)
    return;
  g_free (r->label);
  g_clear_pointer (&r->area, gis_geometry_unref);
  g_clear_pointer (&r->crs, gis_crs_unref);
  g_clear_pointer (&r->countries, g_ptr_array_unref);
  g_clear_pointer (&r->terms, g_ptr_array_unref);
  g_free (r->capacity_source);
  g_clear_pointer (&r->warnings, g_ptr_array_unref);
  g_free (r);
}

/* What one run needs at hand. */
typedef struct {
  /* Borrowed */
  GisProject               *project;
  const ZonesCompareParams *params;
  GCancellable             *cancellable;
  /* Owned */
  GisCrs                   *crs;
  GisAreaMeter             *meter;
  GDate                     as_of;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->crs, gis_crs_unref);
  g_clear_pointer (&run->meter, gis_area_meter_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static gboolean
measure_ha (Run *run, GisGeometry *g, double *ha, GError **error)
{
  double m2 = 0;

  if (!gis_area_meter_measure (run->meter, g, &m2, error))
    return FALSE;
  *ha = m2 / 1e4;
  return TRUE;
}

static gboolean
check_iso (const char *iso, GError **error)
{
  if (strlen (iso) != 3 || !g_ascii_isupper (iso[0]) || !g_ascii_isupper (iso[1]) ||
      !g_ascii_isupper (iso[2]))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "“%s” is not an ISO 3166-1 alpha-3 country code (e.g. COD)", iso);
      return FALSE;
    }
  return TRUE;
}

static ZonesCountryShape *
find_shape (GPtrArray *shapes, const char *iso)
{
  for (guint i = 0; i < shapes->len; i++)
    {
      ZonesCountryShape *s = g_ptr_array_index (shapes, i);
      if (g_str_equal (s->iso, iso))
        return s;
    }
  return NULL;
}

static char *
list_isos (GPtrArray *shapes)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < shapes->len; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "",
                            ((ZonesCountryShape *) g_ptr_array_index (shapes, i))->iso);
  return g_string_free (s, FALSE);
}

/* The cluster's hull and a buffer around it, as placer-cli clusters numbers clusters. */
static GisGeometry *
cluster_area (Run *run, char **label, GError **error)
{
  const ZonesCompareParams *p = run->params;
  g_autoptr(GisCrs) wgs84 = gis_crs_new_from_epsg (4326, error);
  g_autoptr(ZonesCountries) countries = NULL;
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(ZonesClusterResult) clusters = NULL;
  g_autoptr(GisGeometry) around = NULL;
  g_autoptr(GisTransform) to_project = NULL;
  g_autoptr(GisGeometry) projected = NULL;
  ZonesCluster *cluster = NULL;
  double buffer_m = isnan (p->buffer_km) ? p->cluster.eps_m : p->buffer_km * 1000;

  if (wgs84 == NULL)
    return NULL;
  countries = zones_countries_new_from_project (run->project, error);
  if (countries == NULL)
    return NULL;
  sites = zones_sites_load_latest (run->project, wgs84, &run->as_of, error);
  if (sites == NULL)
    return NULL;
  clusters = zones_clusters_run (sites, countries, &p->cluster, run->cancellable, error);
  if (clusters == NULL)
    return NULL;
  for (guint i = 0; i < clusters->clusters->len; i++)
    {
      ZonesCluster *c = g_ptr_array_index (clusters->clusters, i);
      if (c->id == p->cluster_id)
        cluster = c;
    }
  if (cluster == NULL)
    {
      char date[16];
      g_date_strftime (date, sizeof date, "%Y-%m-%d", &run->as_of);
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "No cluster %u: the %u sites (latest visits on or before %s) form %u "
                   "clusters with eps %g m and at least %u sites, numbered from 1 (see "
                   "placer-cli clusters --as-of %s)", p->cluster_id, clusters->n_sites, date,
                   clusters->clusters->len, p->cluster.eps_m, p->cluster.min_sites, date);
      return NULL;
    }
  around = buffer_m > 0 ? gis_geometry_buffer_metres (cluster->hull, wgs84, buffer_m, error)
                        : gis_geometry_ref (cluster->hull);
  to_project = around ? gis_transform_new (wgs84, run->crs, error) : NULL;
  projected = to_project ? gis_transform_geometry (to_project, around, error) : NULL;
  if (projected == NULL)
    return NULL;
  *label = g_strdup_printf ("cluster %u (%u sites) and %g km around its hull", cluster->id,
                            cluster->site_ids->len, buffer_m / 1000);
  return gis_geometry_polygonal_part (projected, error);
}

/* How far apart two countries' boundaries may run and still be taken as their border. */
#define COMPARE_BORDER_TOLERANCE_M 1000.0

/* The land within @km of the border @a and @b share, on both sides. */
static GisGeometry *
strip_area (Run *run, ZonesCountryShape *a, ZonesCountryShape *b, char **label, GError **error)
{
  g_autoptr(GisGeometry) border = gis_geometry_shared_edges (a->geometry, b->geometry, error);
  g_autoptr(GisGeometry) strip = NULL;
  gboolean near = FALSE;

  if (border == NULL)
    return NULL;
  if (gis_geometry_is_empty (border))
    {
      /* Polygons from different sources rarely share their vertices: take the parts of the
       * boundaries that run within a kilometre of each other as the border. */
      g_clear_pointer (&border, gis_geometry_unref);
      border = gis_geometry_near_edges (a->geometry, b->geometry, run->crs,
                                        COMPARE_BORDER_TOLERANCE_M, error);
      if (border == NULL)
        return NULL;
      near = TRUE;
    }
  if (gis_geometry_is_empty (border))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "%s and %s share no border in the borders layer of “%s”: a strip needs a "
                   "common border (give a polygon instead)", a->iso, b->iso,
                   gis_project_get_path (run->project));
      return NULL;
    }
  strip = gis_geometry_buffer_metres (border, run->crs, run->params->strip_km * 1000, error);
  if (strip == NULL)
    return NULL;
  *label = g_strdup_printf ("%g km either side of the %s–%s border%s", run->params->strip_km,
                            a->iso, b->iso,
                            near ? " (where their boundaries run within 1 km of each other)" : "");
  return gis_geometry_polygonal_part (strip, error);
}

static GisGeometry *
polygon_area (Run *run, char **label, GError **error)
{
  const ZonesCompareParams *p = run->params;
  g_autoptr(GisTransform) t = gis_transform_new (p->polygon_crs, run->crs, error);
  g_autoptr(GisGeometry) projected = t ? gis_transform_geometry (t, p->polygon, error) : NULL;
  g_autoptr(GisGeometry) area = projected ? gis_geometry_polygonal_part (projected, error) : NULL;
  g_autofree char *reason = NULL;
  g_autoptr(GError) local_error = NULL;

  if (area == NULL)
    return NULL;
  if (!gis_geometry_is_empty (area) && !gis_geometry_is_valid (area, &reason, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "The area polygon is not valid: %s",
                     reason);
      return NULL;
    }
  *label = g_strdup ("the polygon given");
  return g_steal_pointer (&area);
}

/* How many of @overlay's polygons hold land in @part, and how much land they hold together
 * (overlapping polygons count once). */
static gboolean
count_and_measure (Run *run, GisOverlay *overlay, GisGeometry *part, guint *count, double *ha,
                   GError **error)
{
  g_autoptr(GArray) idx = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GisGeometry) all = NULL;

  *count = 0;
  *ha = 0;
  if (overlay == NULL || gis_geometry_is_empty (part))
    return TRUE;
  pieces = gis_overlay_split (overlay, part, idx, error);
  if (pieces == NULL)
    return FALSE;
  for (guint i = 0; i < pieces->len; i++)
    {
      double piece_ha;
      if (!measure_ha (run, g_ptr_array_index (pieces, i), &piece_ha, error))
        return FALSE;
      /* Titles that only touch the part leave no land in it. */
      *count += piece_ha > 0;
    }
  all = gis_overlay_intersect (overlay, part, error);
  return all != NULL && measure_ha (run, all, ha, error);
}

/* An overlay of @geometries, or none when there are none: *overlay stays %NULL. */
static gboolean
overlay_of (GPtrArray *geometries, GisOverlay **overlay, GError **error)
{
  *overlay = NULL;
  if (geometries->len == 0)
    return TRUE;
  *overlay = gis_overlay_new (geometries, error);
  return *overlay != NULL;
}

/* Titles in force on the as-of date and pending applications. */
static gboolean
add_titles (Run *run, GPtrArray *rows, GError **error)
{
  g_autoptr(GPtrArray) inputs = zones_inputs_from_project (run->project, "concessions", error);
  g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_record_set_free);
  g_autoptr(GPtrArray) in_force = g_ptr_array_new ();
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();
  g_autoptr(GisOverlay) force_o = NULL;
  g_autoptr(GisOverlay) pending_o = NULL;

  if (inputs == NULL)
    return FALSE;
  for (guint i = 0; i < inputs->len; i++)
    {
      ZonesInput *in = g_ptr_array_index (inputs, i);
      ZonesRecordSet *set = zones_record_set_read (in, run->crs, run->params->repair,
                                                   run->cancellable, error);
      int is, ig, ie;

      if (set == NULL)
        return FALSE;
      g_ptr_array_add (sets, set);
      if (set->invalid->len > 0 && !run->params->repair)
        {
          ZonesInvalidInput *bad = g_ptr_array_index (set->invalid, 0);
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                       "%s, feature %" G_GINT64_FORMAT ": %s; repair invalid geometries to go "
                       "on (each is listed)", in->label, bad->fid, bad->reason);
          return FALSE;
        }
      is = zones_record_set_field_index (set, "status");
      ig = zones_record_set_field_index (set, "grant_date");
      ie = zones_record_set_field_index (set, "expiry_date");
      for (guint k = 0; k < set->records->len; k++)
        {
          ZonesRecord *r = g_ptr_array_index (set->records, k);
          const char *bad_field = NULL;
          GDate grant, expiry;

          g_date_clear (&grant, 1);
          g_date_clear (&expiry, 1);
          if (r->values[is] == NULL)
            bad_field = "status";
          else if (r->values[ig] != NULL && *r->values[ig] && !zones_parse_date (r->values[ig], &grant))
            bad_field = "grant_date";
          else if (r->values[ie] != NULL && *r->values[ie] && !zones_parse_date (r->values[ie], &expiry))
            bad_field = "expiry_date";
          if (bad_field != NULL)
            {
              g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "%s, feature %" G_GINT64_FORMAT ", field %s: “%s” is not a value "
                           "Placer can read; map or fix it", in->label, r->fid, bad_field,
                           g_strcmp0 (bad_field, "status") == 0
                           ? (r->raw[is] ? r->raw[is] : "")
                           : r->values[g_strcmp0 (bad_field, "grant_date") == 0 ? ig : ie]);
              return FALSE;
            }
          if (g_str_equal (r->values[is], "pending"))
            g_ptr_array_add (pending, r->geometry);
          else if (zones_title_blocks (r->values[is], &grant, &expiry, &run->as_of, TRUE))
            g_ptr_array_add (in_force, r->geometry);
        }
    }
  if (!overlay_of (in_force, &force_o, error) || !overlay_of (pending, &pending_o, error))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      ZonesCompareCountry *c = g_ptr_array_index (rows, i);
      if (!count_and_measure (run, force_o, c->part, &c->titles, &c->titles_ha, error) ||
          !count_and_measure (run, pending_o, c->part, &c->applications, &c->applications_ha,
                              error))
        return FALSE;
      c->titles_pct = c->area_ha > 0 ? 100 * c->titles_ha / c->area_ha : 0;
    }
  return TRUE;
}

/* Zones with land in each part, and their capacity from the model (whole zones). */
static gboolean
add_zones (Run *run, GPtrArray *rows, ZonesParamTable *table, GError **error)
{
  g_autoptr(GPtrArray) all = zones_register_read_zones (run->project, error);
  g_autoptr(GPtrArray) zones = g_ptr_array_new ();
  g_autoptr(GPtrArray) geometries = g_ptr_array_new ();
  g_autoptr(GisOverlay) overlay = NULL;
  g_autoptr(ZonesValidator) validator = NULL;
  ZonesValidatorInputs inputs = { 0 };
  gboolean ok = FALSE;

  if (all == NULL)
    return FALSE;
  for (guint i = 0; i < all->len; i++)
    {
      ZonesZone *z = g_ptr_array_index (all, i);
      if (z->geometry == NULL || g_strcmp0 (z->status, "retired") == 0)
        continue;
      g_ptr_array_add (zones, z);
      g_ptr_array_add (geometries, z->geometry);
    }
  if (zones->len == 0)
    return TRUE;
  overlay = gis_overlay_new (geometries, error);
  if (overlay == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      ZonesCompareCountry *c = g_ptr_array_index (rows, i);
      g_autoptr(GArray) idx = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autoptr(GPtrArray) pieces = NULL;
      g_autoptr(GisGeometry) inside = NULL;

      if (gis_geometry_is_empty (c->part))
        continue;
      pieces = gis_overlay_split (overlay, c->part, idx, error);
      inside = pieces ? gis_overlay_intersect (overlay, c->part, error) : NULL;
      if (inside == NULL || !measure_ha (run, inside, &c->zones_ha, error))
        goto out;
      for (guint k = 0; k < pieces->len; k++)
        {
          ZonesZone *z = g_ptr_array_index (zones, g_array_index (idx, guint, k));
          ZonesCapacity cap;
          ZonesParamSet set;
          g_autoptr(GError) lookup_error = NULL;
          double piece_ha, zone_ha;

          if (!measure_ha (run, g_ptr_array_index (pieces, k), &piece_ha, error) ||
              !measure_ha (run, z->geometry, &zone_ha, error))
            goto out;
          if (piece_ha <= 0)
            continue;
          c->zones++;
          c->zones_partial += piece_ha < zone_ha * (1 - 1e-9);
          /* No parameters for the zone's mineral: its capacity cannot be computed. */
          if (!zones_param_table_lookup (table, z->mineral, z->deposit_type, "artisanal", &set,
                                         &lookup_error))
            {
              c->zones_without_capacity++;
              continue;
            }
          zones_param_set_clear (&set);
          if (validator == NULL)
            {
              if (!zones_validator_inputs_from_project (&inputs, run->project, error))
                goto out;
              validator = zones_validator_new (&inputs, run->cancellable, error);
              if (validator == NULL)
                goto out;
            }
          if (!zones_validator_zone_capacity (validator, table, z, 5000, -1, &cap, error))
            goto out;
          for (int s = 0; s < ZONES_N_SCENARIOS; s++)
            c->capacity[s] += cap.capacity[s];
        }
    }
  ok = TRUE;
out:
  g_clear_pointer (&validator, zones_validator_free);
  zones_validator_inputs_clear (&inputs);
  return ok;
}

static ZonesCompareMineral *
mineral_row (ZonesCompareCountry *c, const char *mineral)
{
  ZonesCompareMineral *m;

  for (guint i = 0; i < c->by_mineral->len; i++)
    {
      m = g_ptr_array_index (c->by_mineral, i);
      if (g_str_equal (m->mineral, mineral))
        return m;
    }
  m = g_new0 (ZonesCompareMineral, 1);
  m->mineral = g_strdup (mineral);
  g_ptr_array_add (c->by_mineral, m);
  return m;
}

static int
compare_minerals (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 ((*(ZonesCompareMineral *const *) a)->mineral,
                    (*(ZonesCompareMineral *const *) b)->mineral);
}

/* Sites by their latest visit on or before the as-of date. A site on the line between two
 * parts counts for the first country asked for. */
static gboolean
add_sites (Run *run, ZonesCompareResult *result, GError **error)
{
  g_autoptr(GPtrArray) sites = zones_sites_load_latest (run->project, run->crs, &run->as_of, error);
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autoptr(GPtrArray) area = g_ptr_array_new ();
  g_autoptr(GisOverlay) parts_o = NULL;
  g_autoptr(GisOverlay) area_o = NULL;

  if (sites == NULL)
    return FALSE;
  for (guint i = 0; i < result->countries->len; i++)
    g_ptr_array_add (parts, ((ZonesCompareCountry *) g_ptr_array_index (result->countries, i))->part);
  g_ptr_array_add (area, result->area);
  parts_o = gis_overlay_new (parts, error);
  area_o = parts_o ? gis_overlay_new (area, error) : NULL;
  if (area_o == NULL)
    return FALSE;
  for (guint i = 0; i < sites->len; i++)
    {
      ZonesSite *s = g_ptr_array_index (sites, i);
      ZonesCompareCountry *c;
      double x, y;
      gint k;

      if (!zones_site_get_xy (s, &x, &y))
        continue;
      k = gis_overlay_locate (parts_o, x, y);
      if (k < 0)
        {
          result->sites_elsewhere += gis_overlay_locate (area_o, x, y) >= 0;
          continue;
        }
      c = g_ptr_array_index (result->countries, k);
      c->sites++;
      if (s->workers >= 0)
        c->workers += s->workers;
      else
        c->sites_without_workers++;
      for (guint n = 0; s->minerals && s->minerals[n]; n++)
        {
          ZonesCompareMineral *m = mineral_row (c, s->minerals[n]);
          m->sites++;
          if (s->workers >= 0)
            m->workers += s->workers;
          else
            m->sites_without_workers++;
        }
    }
  for (guint i = 0; i < result->countries->len; i++)
    g_ptr_array_sort (((ZonesCompareCountry *) g_ptr_array_index (result->countries, i))->by_mineral,
                      compare_minerals);
  return TRUE;
}

/* Unallocated deposit land from analysis A, cut by each part (pieces of overlapping deposits
 * count once). */
static gboolean
add_unallocated (Run *run, ZonesCompareResult *result, GError **error)
{
  ZonesUnallocatedParams up;
  g_autoptr(ZonesUnallocatedResult) land = NULL;
  g_autoptr(GHashTable) by_mineral = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                            (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) overlays = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                          (GDestroyNotify) gis_overlay_free);
  g_autoptr(GPtrArray) pieces = g_ptr_array_new ();
  g_autoptr(GisOverlay) all = NULL;
  gboolean ok = FALSE;

  zones_unallocated_params_init (&up);
  if (!zones_unallocated_params_add_project (&up, run->project, error))
    goto out;
  if (up.deposits->len == 0)
    {
      for (guint i = 0; i < result->countries->len; i++)
        ((ZonesCompareCountry *) g_ptr_array_index (result->countries, i))->unallocated_ha = NAN;
      g_ptr_array_add (result->warnings, g_strdup ("The project has no deposits layer: "
                                                   "unallocated deposit land is not assessed"));
      ok = TRUE;
      goto out;
    }
  up.as_of = run->as_of;
  up.repair = run->params->repair;
  up.rules = run->params->landuse_rules ? run->params->landuse_rules : zones_rules_new_default ();
  land = zones_unallocated_run (&up, run->cancellable, error);
  if (run->params->landuse_rules != NULL)
    up.rules = NULL;
  if (land == NULL)
    goto out;
  for (guint i = 0; i < land->candidates->len; i++)
    {
      ZonesCandidate *c = g_ptr_array_index (land->candidates, i);
      GPtrArray *list = g_hash_table_lookup (by_mineral, c->mineral);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (by_mineral, c->mineral, list);
        }
      g_ptr_array_add (list, c->geometry);
      g_ptr_array_add (pieces, c->geometry);
    }
  {
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, by_mineral);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        GisOverlay *o = gis_overlay_new (value, error);
        if (o == NULL)
          goto out;
        g_hash_table_insert (overlays, key, o);
      }
  }
  if (!overlay_of (pieces, &all, error))
    goto out;
  for (guint i = 0; i < result->countries->len; i++)
    {
      ZonesCompareCountry *c = g_ptr_array_index (result->countries, i);
      GHashTableIter iter;
      gpointer key, value;
      guint n;

      if (!count_and_measure (run, all, c->part, &n, &c->unallocated_ha, error))
        goto out;
      g_hash_table_iter_init (&iter, overlays);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          double ha;
          if (!count_and_measure (run, value, c->part, &n, &ha, error))
            goto out;
          if (ha > 0)
            g_hash_table_insert (c->unallocated_by_mineral, g_strdup (key),
                                 g_memdup2 (&ha, sizeof ha));
        }
    }
  ok = TRUE;
out:
  zones_unallocated_params_clear (&up);
  return ok;
}

/**
 * zones_compare_run:
 *
 * Compares one area across countries. Blocking; the app calls it in a worker.
 *
 * Returns: (transfer full): the comparison, or %NULL with an error naming what is wrong: a
 *   country the borders layer does not hold, a cluster that does not exist, two countries
 *   without a common border, an empty area
 */
ZonesCompareResult *
zones_compare_run (GisProject *project, const ZonesCompareParams *p, GCancellable *cancellable,
                   GError **error)
{
  g_autoptr(ZonesCompareResult) result = g_new0 (ZonesCompareResult, 1);
  g_autoptr(GPtrArray) shapes = NULL;
  g_autoptr(GPtrArray) packs = NULL;
  g_autoptr(ZonesParamTable) table = NULL;
  g_auto(Run) run = { 0 };
  g_autoptr(GisGeometry) area = NULL;
  g_autofree char *label = NULL;
  guint n;
  double parts_ha = 0;

  g_return_val_if_fail (GIS_IS_PROJECT (project) && p != NULL && p->countries != NULL, NULL);

  n = g_strv_length (p->countries);
  if (n == 0)
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT, "Name the countries to compare");
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      if (!check_iso (p->countries[i], error))
        return NULL;
      for (guint j = 0; j < i; j++)
        if (g_str_equal (p->countries[i], p->countries[j]))
          {
            g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "%s is named twice",
                         p->countries[i]);
            return NULL;
          }
    }
  if (p->kind == ZONES_COMPARE_STRIP && (n != 2 || !(p->strip_km > 0) || !isfinite (p->strip_km)))
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "A border strip needs exactly two countries and a width above 0 km");
      return NULL;
    }
  if (p->kind == ZONES_COMPARE_CLUSTER && !isnan (p->buffer_km) &&
      !(p->buffer_km >= 0 && isfinite (p->buffer_km)))
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           "The buffer around a cluster must be 0 km or more");
      return NULL;
    }
  g_return_val_if_fail (p->kind != ZONES_COMPARE_POLYGON ||
                        (p->polygon != NULL && p->polygon_crs != NULL), NULL);

  run.project = project;
  run.params = p;
  run.cancellable = cancellable;
  run.crs = gis_crs_ref (gis_project_get_crs (project));
  run.as_of = p->as_of;
  if (!g_date_valid (&run.as_of))
    {
      g_autofree char *text = gis_project_dup_meta (project, "as_of");
      if (text == NULL || !zones_parse_date (text, &run.as_of))
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
          g_date_set_dmy (&run.as_of, g_date_time_get_day_of_month (now),
                          g_date_time_get_month (now), g_date_time_get_year (now));
        }
    }
  run.meter = gis_area_meter_new (run.crs, error);
  if (run.meter == NULL)
    return NULL;

  /* The countries, each one checked against the borders layer. */
  shapes = zones_countries_read (project, run.crs, error);
  if (shapes == NULL)
    return NULL;
  if (shapes->len == 0)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "“%s” has no borders layer with country codes: add one (placer-cli project "
                   "add-layer … --role borders)", gis_project_get_path (project));
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    if (find_shape (shapes, p->countries[i]) == NULL)
      {
        g_autofree char *known = list_isos (shapes);
        g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                     "No country %s in the borders layer of “%s” (it holds %s)",
                     p->countries[i], gis_project_get_path (project), known);
        return NULL;
      }

  /* The area. */
  switch (p->kind)
    {
    case ZONES_COMPARE_CLUSTER:
      area = cluster_area (&run, &label, error);
      break;
    case ZONES_COMPARE_STRIP:
      area = strip_area (&run, find_shape (shapes, p->countries[0]),
                         find_shape (shapes, p->countries[1]), &label, error);
      break;
    case ZONES_COMPARE_POLYGON:
    default:
      area = polygon_area (&run, &label, error);
      break;
    }
  if (area == NULL || !measure_ha (&run, area, &result->area_ha, error))
    return NULL;
  if (!(result->area_ha > 0))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "The area (%s) is empty: it has no surface to compare", label);
      return NULL;
    }
  result->label = g_steal_pointer (&label);
  result->area = g_steal_pointer (&area);
  result->crs = gis_crs_ref (run.crs);
  result->as_of = run.as_of;
  result->warnings = g_ptr_array_new_with_free_func (g_free);

  /* Each country's part. */
  result->countries = g_ptr_array_new_with_free_func ((GDestroyNotify) country_free);
  for (guint i = 0; i < n; i++)
    {
      ZonesCountryShape *shape = find_shape (shapes, p->countries[i]);
      ZonesCompareCountry *c = g_new0 (ZonesCompareCountry, 1);
      g_autoptr(GisGeometry) cut = NULL;

      g_ptr_array_add (result->countries, c);
      c->iso = g_strdup (shape->iso);
      c->name = g_strdup (shape->name);
      c->by_mineral = g_ptr_array_new_with_free_func ((GDestroyNotify) mineral_free);
      c->unallocated_by_mineral = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      cut = gis_geometry_intersection (result->area, shape->geometry, error);
      c->part = cut ? gis_geometry_polygonal_part (cut, error) : NULL;
      if (c->part == NULL || !measure_ha (&run, c->part, &c->area_ha, error))
        return NULL;
      parts_ha += c->area_ha;
    }
  if (!(parts_ha > 0))
    {
      g_autofree char *names = g_strjoinv (", ", p->countries);
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "The area (%s) lies outside %s: nothing to compare", result->label, names);
      return NULL;
    }

  table = p->capacity_params ? zones_param_table_ref (p->capacity_params)
                             : zones_param_table_new_for_project (project, error);
  if (table == NULL)
    return NULL;
  result->capacity_source = g_strdup (zones_param_table_get_source (table));

  if (!add_titles (&run, result->countries, error) ||
      !add_zones (&run, result->countries, table, error) ||
      !add_sites (&run, result, error) ||
      !add_unallocated (&run, result, error))
    return NULL;

  result->terms = zones_compare_terms ((const char *const *) p->countries, p->rulepack_dir,
                                       &packs, error);
  if (result->terms == NULL)
    return NULL;
  for (guint i = 0; i < n; i++)
    ((ZonesCompareCountry *) g_ptr_array_index (result->countries, i))->rulepack =
      g_strdup (g_ptr_array_index (packs, i));
  return g_steal_pointer (&result);
}

/* ---------------------------------------------------------------------------------------- */
/* Output */

static char *
dtostr (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v))
    return NULL;
  return g_strdup (g_ascii_dtostr (buf, sizeof buf, v));
}

/**
 * zones_compare_write:
 * @path: a new GeoPackage
 *
 * Writes the area (`compare_area`), the countries' parts with their figures
 * (`compare_countries`), the sites and unallocated land per country and mineral
 * (`compare_minerals`, no geometry) and the harmonisation table (`compare_terms`, no
 * geometry, one value, state and verified column per country). All or nothing.
 */
gboolean
zones_compare_write (ZonesCompareResult *r, const char *path, gboolean overwrite, GError **error)
{
  static const GisFieldInfo area_fields[] = {
    { "label", GIS_FIELD_STRING }, { "area_ha", GIS_FIELD_REAL }, { "as_of", GIS_FIELD_DATE },
    { "sites_elsewhere", GIS_FIELD_INTEGER },
  };
  static const GisFieldInfo country_fields[] = {
    { "iso3", GIS_FIELD_STRING }, { "name", GIS_FIELD_STRING }, { "area_ha", GIS_FIELD_REAL },
    { "titles", GIS_FIELD_INTEGER }, { "titles_ha", GIS_FIELD_REAL },
    { "titles_pct", GIS_FIELD_REAL }, { "applications", GIS_FIELD_INTEGER },
    { "applications_ha", GIS_FIELD_REAL }, { "zones", GIS_FIELD_INTEGER },
    { "zones_partial", GIS_FIELD_INTEGER }, { "zones_ha", GIS_FIELD_REAL },
    { "capacity_low", GIS_FIELD_REAL }, { "capacity_central", GIS_FIELD_REAL },
    { "capacity_high", GIS_FIELD_REAL }, { "zones_without_capacity", GIS_FIELD_INTEGER },
    { "sites", GIS_FIELD_INTEGER }, { "workers", GIS_FIELD_INTEGER },
    { "sites_without_workers", GIS_FIELD_INTEGER }, { "unallocated_ha", GIS_FIELD_REAL },
    { "rule_pack", GIS_FIELD_STRING },
  };
  static const GisFieldInfo mineral_fields[] = {
    { "iso3", GIS_FIELD_STRING }, { "mineral", GIS_FIELD_STRING },
    { "sites", GIS_FIELD_INTEGER }, { "workers", GIS_FIELD_INTEGER },
    { "sites_without_workers", GIS_FIELD_INTEGER }, { "unallocated_ha", GIS_FIELD_REAL },
  };
  g_autoptr(GisWriter) w = NULL;
  g_autoptr(GArray) term_fields = g_array_new (FALSE, FALSE, sizeof (GisFieldInfo));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  char date[16];

  g_return_val_if_fail (r != NULL && path != NULL, FALSE);

  w = gis_writer_new (path, overwrite, error);
  if (w == NULL)
    return FALSE;
  g_date_strftime (date, sizeof date, "%Y-%m-%d", &r->as_of);
  {
    g_autofree char *ha = dtostr (r->area_ha);
    g_autofree char *elsewhere = g_strdup_printf ("%u", r->sites_elsewhere);
    const char *values[] = { r->label, ha, date, elsewhere };
    if (!gis_writer_begin_layer (w, "compare_area", r->crs, GIS_GEOMETRY_MULTIPOLYGON,
                                 area_fields, G_N_ELEMENTS (area_fields),
                                 "Placer: the shared area compared across countries", error) ||
        !gis_writer_add (w, r->area, values, error))
      return FALSE;
  }

  if (!gis_writer_begin_layer (w, "compare_countries", r->crs, GIS_GEOMETRY_MULTIPOLYGON,
                               country_fields, G_N_ELEMENTS (country_fields),
                               "Placer: each country's part of the shared area, with its figures "
                               "(geodesic hectares)", error))
    return FALSE;
  for (guint i = 0; i < r->countries->len; i++)
    {
      ZonesCompareCountry *c = g_ptr_array_index (r->countries, i);
      char *v[G_N_ELEMENTS (country_fields)] = { 0 };
      const char *values[G_N_ELEMENTS (country_fields)];
      gboolean ok;

      v[2] = dtostr (c->area_ha);
      v[3] = g_strdup_printf ("%u", c->titles);
      v[4] = dtostr (c->titles_ha);
      v[5] = dtostr (c->titles_pct);
      v[6] = g_strdup_printf ("%u", c->applications);
      v[7] = dtostr (c->applications_ha);
      v[8] = g_strdup_printf ("%u", c->zones);
      v[9] = g_strdup_printf ("%u", c->zones_partial);
      v[10] = dtostr (c->zones_ha);
      for (int s = 0; s < ZONES_N_SCENARIOS; s++)
        v[11 + s] = dtostr (c->capacity[s]);
      v[14] = g_strdup_printf ("%u", c->zones_without_capacity);
      v[15] = g_strdup_printf ("%u", c->sites);
      v[16] = g_strdup_printf ("%" G_GINT64_FORMAT, c->workers);
      v[17] = g_strdup_printf ("%u", c->sites_without_workers);
      v[18] = dtostr (c->unallocated_ha);
      for (guint k = 0; k < G_N_ELEMENTS (values); k++)
        values[k] = v[k];
      values[0] = c->iso;
      values[1] = c->name;
      values[19] = c->rulepack;
      ok = gis_writer_add (w, gis_geometry_is_empty (c->part) ? NULL : c->part, values, error);
      for (guint k = 0; k < G_N_ELEMENTS (v); k++)
        g_free (v[k]);
      if (!ok)
        return FALSE;
    }

  if (!gis_writer_begin_layer (w, "compare_minerals", NULL, GIS_GEOMETRY_UNKNOWN, mineral_fields,
                               G_N_ELEMENTS (mineral_fields),
                               "Placer: sites, workers and unallocated deposit land per country "
                               "and mineral in the shared area", error))
    return FALSE;
  for (guint i = 0; i < r->countries->len; i++)
    {
      ZonesCompareCountry *c = g_ptr_array_index (r->countries, i);
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GPtrArray) minerals = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer key;

      for (guint k = 0; k < c->by_mineral->len; k++)
        {
          ZonesCompareMineral *m = g_ptr_array_index (c->by_mineral, k);
          g_ptr_array_add (minerals, m->mineral);
          g_hash_table_add (seen, m->mineral);
        }
      g_hash_table_iter_init (&iter, c->unallocated_by_mineral);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (seen, key))
          g_ptr_array_add (minerals, key);
      for (guint k = 0; k < minerals->len; k++)
        {
          const char *mineral = g_ptr_array_index (minerals, k);
          ZonesCompareMineral *m = k < c->by_mineral->len ? g_ptr_array_index (c->by_mineral, k) : NULL;
          double *ha = g_hash_table_lookup (c->unallocated_by_mineral, mineral);
          g_autofree char *sites = g_strdup_printf ("%u", m ? m->sites : 0);
          g_autofree char *workers = g_strdup_printf ("%" G_GINT64_FORMAT, m ? m->workers : 0);
          g_autofree char *unknown = g_strdup_printf ("%u", m ? m->sites_without_workers : 0);
          g_autofree char *land = ha ? dtostr (*ha) : g_strdup ("0");
          const char *values[] = { c->iso, mineral, sites, workers, unknown, land };
          if (!gis_writer_add (w, NULL, values, error))
            return FALSE;
        }
    }

  {
    GisFieldInfo f = { (char *) "term", GIS_FIELD_STRING };
    g_array_append_val (term_fields, f);
    f.name = (char *) "label";
    g_array_append_val (term_fields, f);
    f.name = (char *) "differs";
    f.type = GIS_FIELD_INTEGER;
    g_array_append_val (term_fields, f);
    for (guint i = 0; i < r->countries->len; i++)
      {
        ZonesCompareCountry *c = g_ptr_array_index (r->countries, i);
        const char *suffix[] = { "", "_state", "_verified" };
        for (guint k = 0; k < G_N_ELEMENTS (suffix); k++)
          {
            char *name = g_strconcat (c->iso, suffix[k], NULL);
            g_ptr_array_add (names, name);
            f.name = name;
            f.type = k == 2 ? GIS_FIELD_INTEGER : GIS_FIELD_STRING;
            g_array_append_val (term_fields, f);
          }
      }
  }
  if (!gis_writer_begin_layer (w, "compare_terms", NULL, GIS_GEOMETRY_UNKNOWN,
                               (GisFieldInfo *) (gpointer) term_fields->data, term_fields->len,
                               "Placer: the countries' rule packs side by side (harmonisation "
                               "table); differs = 1 where their values are not the same", error))
    return FALSE;
  for (guint t = 0; t < r->terms->len; t++)
    {
      ZonesCompareTerm *term = g_ptr_array_index (r->terms, t);
      g_autofree const char **values = g_new0 (const char *, term_fields->len);

      values[0] = term->term;
      values[1] = term->label;
      values[2] = term->differs ? "1" : "0";
      for (guint i = 0; i < r->countries->len; i++)
        {
          values[3 + 3 * i] = term->values[i];
          values[4 + 3 * i] = zones_term_state_to_string (term->states[i]);
          values[5 + 3 * i] = term->verified[i] ? "1" : "0";
        }
      if (!gis_writer_add (w, NULL, values, error))
        return FALSE;
    }
  return gis_writer_finish (w, error);
}
