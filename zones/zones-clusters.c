/* zones-clusters.c: clusters of ASM sites, their countries and the borders they straddle
 *
 * Sites are clustered with DBSCAN (zones-dbscan.c), the distance in metres on the ellipsoid.
 * Each site gets a country by point-in-polygon on the borders layer; a site outside every
 * polygon (on a lake shore, where land polygons stop) gets the nearest country, and is
 * reported. A cluster whose members lie in two or more countries crosses a border: the
 * guidance's case for a Border Area ASM Secretariat.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-clusters"

#include <math.h>
#include <string.h>

#include "zones-clusters.h"
#include "zones-dbscan.h"
#include "zones-error.h"

struct _ZonesCountries {
  GPtrArray  *polygons;   /* GisGeometry*, lon/lat */
  GPtrArray  *iso;        /* char* */
  GisOverlay *overlay;
};

void
zones_countries_free (ZonesCountries *c)
{
  if (c == NULL)
    return;
  g_clear_pointer (&c->polygons, g_ptr_array_unref);
  g_clear_pointer (&c->iso, g_ptr_array_unref);
  g_clear_pointer (&c->overlay, gis_overlay_free);
  g_free (c);
}

/**
 * zones_countries_new:
 * @polygons: (element-type GisGeometry): country polygons in WGS 84 lon/lat
 * @iso_codes: (element-type utf8): the ISO code of each
 *
 * Returns: (transfer full): the prepared countries
 */
ZonesCountries *
zones_countries_new (GPtrArray *polygons, GPtrArray *iso_codes, GError **error)
{
  g_autoptr(ZonesCountries) c = g_new0 (ZonesCountries, 1);

  g_return_val_if_fail (polygons != NULL && iso_codes != NULL, NULL);
  g_return_val_if_fail (polygons->len == iso_codes->len, NULL);

  c->polygons = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_geometry_unref);
  c->iso = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < polygons->len; i++)
    {
      g_ptr_array_add (c->polygons, gis_geometry_ref (g_ptr_array_index (polygons, i)));
      g_ptr_array_add (c->iso, g_strdup (g_ptr_array_index (iso_codes, i)));
    }
  c->overlay = gis_overlay_new (c->polygons, error);
  if (c->overlay == NULL)
    return NULL;
  return g_steal_pointer (&c);
}

void
zones_country_shape_free (ZonesCountryShape *shape)
{
  if (shape == NULL)
    return;
  g_free (shape->iso);
  g_free (shape->name);
  g_clear_pointer (&shape->geometry, gis_geometry_unref);
  g_free (shape);
}

/**
 * zones_countries_read:
 * @crs: the CRS to bring the polygons into
 *
 * The countries of the project's borders layer: the layer without admin-1 codes when there
 * are several. A country held by several features gets them dissolved into one geometry.
 * Invalid polygons are repaired: a border is context, not a feature under review.
 *
 * Returns: (transfer full) (element-type ZonesCountryShape): one entry per country, in the
 *   order of their first feature; empty when the project has no borders layer
 */
GPtrArray *
zones_countries_read (GisProject *project, GisCrs *crs, GError **error)
{
  g_autoptr(GPtrArray) inputs = NULL;
  g_autoptr(GPtrArray) shapes = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_country_shape_free);
  g_autoptr(GHashTable) parts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(ZonesRecordSet) set = NULL;
  ZonesInput *best = NULL;
  int iiso, iname;

  g_return_val_if_fail (GIS_IS_PROJECT (project) && crs != NULL, NULL);

  inputs = zones_inputs_from_project (project, "borders", error);
  if (inputs == NULL)
    return NULL;
  for (guint i = 0; i < inputs->len; i++)
    {
      ZonesInput *in = g_ptr_array_index (inputs, i);
      if (best == NULL || (zones_mapping_get_field (in->mapping, "admin_code") == NULL &&
                           zones_mapping_get_field (best->mapping, "admin_code") != NULL))
        best = in;
    }
  if (best == NULL)
    return g_steal_pointer (&shapes);
  set = zones_record_set_read (best, crs, TRUE, NULL, error);
  if (set == NULL)
    return NULL;
  iiso = zones_record_set_field_index (set, "iso");
  iname = zones_record_set_field_index (set, "name");
  for (guint k = 0; k < set->records->len; k++)
    {
      ZonesRecord *r = g_ptr_array_index (set->records, k);
      GPtrArray *list;

      if (r->values[iiso] == NULL)
        continue;
      list = g_hash_table_lookup (parts, r->values[iiso]);
      if (list == NULL)
        {
          ZonesCountryShape *shape = g_new0 (ZonesCountryShape, 1);
          shape->iso = g_strdup (r->values[iiso]);
          shape->name = iname >= 0 ? g_strdup (r->values[iname]) : NULL;
          g_ptr_array_add (shapes, shape);
          list = g_ptr_array_new ();
          g_hash_table_insert (parts, shape->iso, list);
        }
      g_ptr_array_add (list, r->geometry);
    }
  for (guint i = 0; i < shapes->len; i++)
    {
      ZonesCountryShape *shape = g_ptr_array_index (shapes, i);
      GPtrArray *list = g_hash_table_lookup (parts, shape->iso);
      /* One feature stays exactly as it is; only several are dissolved. */
      shape->geometry = list->len == 1
                        ? gis_geometry_ref (g_ptr_array_index (list, 0))
                        : gis_geometry_union_all ((GisGeometry **) list->pdata, list->len, error);
      if (shape->geometry == NULL)
        return NULL;
    }
  return g_steal_pointer (&shapes);
}

/**
 * zones_countries_new_from_project:
 *
 * The project's countries (zones_countries_read()) in WGS 84 longitude/latitude, prepared.
 *
 * Returns: (transfer full) (nullable): the countries; %NULL without an error when the
 *   project has no borders layer
 */
ZonesCountries *
zones_countries_new_from_project (GisProject *project, GError **error)
{
  g_autoptr(GisCrs) wgs84 = gis_crs_new_from_epsg (4326, error);
  g_autoptr(GPtrArray) shapes = wgs84 ? zones_countries_read (project, wgs84, error) : NULL;
  g_autoptr(GPtrArray) polygons = g_ptr_array_new ();
  g_autoptr(GPtrArray) iso = g_ptr_array_new ();

  if (shapes == NULL || shapes->len == 0)
    return NULL;
  for (guint i = 0; i < shapes->len; i++)
    {
      ZonesCountryShape *shape = g_ptr_array_index (shapes, i);
      g_ptr_array_add (polygons, shape->geometry);
      g_ptr_array_add (iso, shape->iso);
    }
  return zones_countries_new (polygons, iso, error);
}

/* Metres on the ellipsoid from a point to country polygon @i, through its prepared index. */
static double
distance_to (ZonesCountries *c, GisGeometry *point, guint i, GError **error)
{
  double x[2], y[2];

  if (!gis_overlay_nearest (c->overlay, i, point, x, y, error))
    return -1;
  return gis_geodesic_distance (x[0], y[0], x[1], y[1]);
}

/* The country nearest a point that lies in none. */
static const char *
nearest_country (ZonesCountries *c, double lon, double lat, GError **error)
{
  g_autoptr(GisGeometry) p = gis_geometry_new_point (lon, lat);
  double best = G_MAXDOUBLE;
  const char *iso = NULL;

  for (guint i = 0; i < c->polygons->len; i++)
    {
      double d = distance_to (c, p, i, error);
      if (d < 0)
        return NULL;
      if (d < best)
        {
          best = d;
          iso = g_ptr_array_index (c->iso, i);
        }
    }
  return iso;
}

/**
 * zones_countries_locate:
 * @nearest: (out) (optional): set when the point lies in no polygon and the nearest country
 *   was taken
 *
 * The exact test, one point at a time: a point on a border belongs to the first country
 * holding it.
 *
 * Returns: (nullable): the ISO code of the country holding the point
 */
const char *
zones_countries_locate (ZonesCountries *c, double lon, double lat, gboolean *nearest,
                        GError **error)
{
  const char *iso;
  gint k;

  g_return_val_if_fail (c != NULL, NULL);

  if (nearest != NULL)
    *nearest = FALSE;
  k = gis_overlay_locate (c->overlay, lon, lat);
  if (k >= 0)
    return g_ptr_array_index (c->iso, k);
  iso = nearest_country (c, lon, lat, error);
  if (nearest != NULL && iso != NULL)
    *nearest = TRUE;
  return iso;
}

/* The nearest country of the sites in no country, split over threads: each takes every
 * n_threads-th of them (GEOS 3.11 finds the nearest points of a prepared polygon by looking at
 * all its vertices, so a site here costs a fraction of a millisecond per country). */
typedef struct {
  ZonesCountries *c;
  const double   *lon, *lat;
  const guint    *todo;
  guint           n_todo, first, step;
  const char    **iso;
  GError         *error;
} NearestJob;

static gpointer
nearest_worker (gpointer data)
{
  NearestJob *j = data;

  for (guint k = j->first; k < j->n_todo && j->error == NULL; k += j->step)
    {
      guint i = j->todo[k];
      j->iso[i] = nearest_country (j->c, j->lon[i], j->lat[i], &j->error);
    }
  return NULL;
}

/**
 * zones_countries_locate_many:
 * @lon: (array length=n): longitudes
 * @lat: (array length=n): latitudes
 * @n_threads: worker threads
 * @iso: (out caller-allocates) (array length=n): per point, what zones_countries_locate()
 *   returns (borrowed from @countries)
 * @nearest: (out caller-allocates) (array length=n) (optional): per point, whether it lay
 *   in no polygon and the nearest country was taken
 *
 * zones_countries_locate() for many points, with exactly its answers: most points are
 * answered by one read of a grid over the countries, those near a border by an exact count
 * of border crossings (gis_overlay_locate_many()).
 *
 * Returns: %FALSE on error
 */
gboolean
zones_countries_locate_many (ZonesCountries *c, const double *lon, const double *lat, guint n,
                             guint n_threads, const char **iso, gboolean *nearest,
                             GError **error)
{
  g_autofree gint *found = NULL;
  g_autoptr(GArray) todo = NULL;

  g_return_val_if_fail (c != NULL, FALSE);
  g_return_val_if_fail ((lon != NULL && lat != NULL && iso != NULL) || n == 0, FALSE);

  found = g_new (gint, MAX (n, 1));
  gis_overlay_locate_many (c->overlay, lon, lat, n, found, n_threads);
  todo = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n; i++)
    {
      iso[i] = found[i] >= 0 ? g_ptr_array_index (c->iso, found[i]) : NULL;
      if (found[i] < 0)
        g_array_append_val (todo, i);
    }
  if (todo->len > 0 && c->polygons->len > 0)
    {
      NearestJob jobs[8];
      GThread *threads[8];
      guint nt = CLAMP (MIN (n_threads, todo->len / 16), 1, 8);

      for (guint t = 0; t < nt; t++)
        jobs[t] = (NearestJob) { c, lon, lat, (guint *) todo->data, todo->len, t, nt, iso, NULL };
      for (guint t = 1; t < nt; t++)
        threads[t] = g_thread_new ("nearest", nearest_worker, &jobs[t]);
      nearest_worker (&jobs[0]);
      for (guint t = 1; t < nt; t++)
        g_thread_join (threads[t]);
      for (guint t = 0; t < nt; t++)
        if (jobs[t].error != NULL)
          {
            for (guint u = t + 1; u < nt; u++)
              g_clear_error (&jobs[u].error);
            g_propagate_error (error, jobs[t].error);
            return FALSE;
          }
    }
  if (nearest != NULL)
    for (guint i = 0; i < n; i++)
      nearest[i] = found[i] < 0 && iso[i] != NULL;
  return TRUE;
}

/**
 * zones_countries_border_distance_m:
 * @iso: the point's own country
 * @neighbour: (out) (optional): the other country that is nearest
 *
 * The distance to the nearest polygon of another country: the border, or across a lake the
 * other shore (the border lies between), in metres on the ellipsoid.
 *
 * Returns: the distance, INFINITY when there is no other country, -1 on error
 */
double
zones_countries_border_distance_m (ZonesCountries *c, double lon, double lat, const char *iso,
                                   const char **neighbour, GError **error)
{
  g_autoptr(GisGeometry) p = gis_geometry_new_point (lon, lat);
  double best = INFINITY;

  g_return_val_if_fail (c != NULL, -1);

  for (guint i = 0; i < c->polygons->len; i++)
    {
      double d;
      if (g_strcmp0 (g_ptr_array_index (c->iso, i), iso) == 0)
        continue;
      d = distance_to (c, p, i, error);
      if (d < 0)
        return -1;
      if (d < best)
        {
          best = d;
          if (neighbour != NULL)
            *neighbour = g_ptr_array_index (c->iso, i);
        }
    }
  return best;
}

/* ---------------------------------------------------------------------------------------- */

static void
cluster_free (ZonesCluster *c)
{
  g_clear_pointer (&c->site_ids, g_ptr_array_unref);
  g_clear_pointer (&c->minerals, g_ptr_array_unref);
  g_clear_pointer (&c->countries, g_ptr_array_unref);
  g_clear_pointer (&c->hull, gis_geometry_unref);
  g_free (c);
}

static void
country_count_free (ZonesCountryCount *cc)
{
  g_free (cc->iso);
  g_free (cc);
}

/**
 * zones_cluster_params_init:
 *
 * The defaults of placer-cli clusters: 5 km neighbourhoods, at least 3 sites, no worker or
 * mineral filter, flags within 10 km of a border, convex hulls, 2 threads.
 */
void
zones_cluster_params_init (ZonesClusterParams *p)
{
  g_return_if_fail (p != NULL);

  memset (p, 0, sizeof *p);
  p->eps_m = 5000;
  p->min_sites = 3;
  p->near_border_km = 10;
  p->n_threads = 2;
}

void
zones_cluster_result_free (ZonesClusterResult *r)
{
  if (r == NULL)
    return;
  g_clear_pointer (&r->clusters, g_ptr_array_unref);
  g_clear_pointer (&r->site_country, g_hash_table_unref);
  g_clear_pointer (&r->assigned_to_nearest, g_ptr_array_unref);
  g_free (r);
}

/* Distance from a cluster's hull to the nearest country other than @own. */
static gboolean
cluster_border_distance (ZonesCountries *countries, GisGeometry *hull, const char *own,
                         ZonesCluster *c, GError **error)
{
  for (guint i = 0; i < countries->polygons->len; i++)
    {
      double x[2], y[2], d;
      if (g_strcmp0 (g_ptr_array_index (countries->iso, i), own) == 0)
        continue;
      if (!gis_overlay_nearest (countries->overlay, i, hull, x, y, error))
        return FALSE;
      d = gis_geodesic_distance (x[0], y[0], x[1], y[1]) / 1000;
      if (d < c->border_distance_km)
        {
          c->border_distance_km = d;
          c->neighbour = g_ptr_array_index (countries->iso, i);
        }
    }
  return TRUE;
}

static int
compare_counts (gconstpointer a, gconstpointer b)
{
  const ZonesCountryCount *x = *(ZonesCountryCount *const *) a;
  const ZonesCountryCount *y = *(ZonesCountryCount *const *) b;
  if (x->sites != y->sites)
    return x->sites < y->sites ? 1 : -1;
  return g_strcmp0 (x->iso, y->iso);
}

static gboolean
has_mineral (const ZonesSite *s, const char *mineral)
{
  for (guint i = 0; s->minerals && s->minerals[i]; i++)
    if (g_str_equal (s->minerals[i], mineral))
      return TRUE;
  return FALSE;
}

/**
 * zones_clusters_run:
 * @sites: (element-type ZonesSite): sites (latest visits) with lon/lat points
 * @countries: (nullable): the countries, for per-country figures and border flags
 *
 * Returns: (transfer full): the clusters that pass the filters, numbered from 1
 */
ZonesClusterResult *
zones_clusters_run (GPtrArray *sites, ZonesCountries *countries, const ZonesClusterParams *p,
                    GCancellable *cancellable, GError **error)
{
  g_autoptr(ZonesClusterResult) result = g_new0 (ZonesClusterResult, 1);
  g_autoptr(GPtrArray) use = g_ptr_array_new ();
  g_autofree double *lon = NULL;
  g_autofree double *lat = NULL;
  g_autoptr(ZonesDbscan) db = NULL;
  g_autoptr(GPtrArray) members = NULL;

  g_return_val_if_fail (sites != NULL && p != NULL, NULL);

  result->clusters = g_ptr_array_new_with_free_func ((GDestroyNotify) cluster_free);
  result->site_country = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  result->assigned_to_nearest = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < sites->len; i++)
    {
      ZonesSite *s = g_ptr_array_index (sites, i);
      double x, y;
      if (!zones_site_get_xy (s, &x, &y))
        continue;
      if (p->mineral != NULL && !has_mineral (s, p->mineral))
        continue;
      g_ptr_array_add (use, s);
    }
  result->n_sites = use->len;
  lon = g_new (double, MAX (use->len, 1));
  lat = g_new (double, MAX (use->len, 1));
  for (guint i = 0; i < use->len; i++)
    zones_site_get_xy (g_ptr_array_index (use, i), &lon[i], &lat[i]);

  db = zones_dbscan_run (lon, lat, use->len, p->eps_m, MAX (p->min_sites, 1), p->n_threads,
                         cancellable, error);
  if (db == NULL)
    return NULL;

  /* Countries of the sites. */
  if (countries != NULL)
    {
      g_autofree const char **iso = g_new (const char *, MAX (use->len, 1));
      g_autofree gboolean *nearest = g_new (gboolean, MAX (use->len, 1));

      if (!zones_countries_locate_many (countries, lon, lat, use->len, p->n_threads, iso,
                                        nearest, error))
        return NULL;
      for (guint i = 0; i < use->len; i++)
        {
          ZonesSite *s = g_ptr_array_index (use, i);
          if (iso[i] == NULL)
            continue;
          g_hash_table_replace (result->site_country, g_strdup (s->site_id), g_strdup (iso[i]));
          if (nearest[i])
            g_ptr_array_add (result->assigned_to_nearest, g_strdup (s->site_id));
        }
    }

  members = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint k = 0; k < db->n_clusters; k++)
    g_ptr_array_add (members, g_array_new (FALSE, FALSE, sizeof (guint)));
  for (guint i = 0; i < use->len; i++)
    if (db->labels[i] >= 0)
      g_array_append_val ((GArray *) g_ptr_array_index (members, db->labels[i]), i);

  for (guint k = 0; k < db->n_clusters; k++)
    {
      GArray *m = g_ptr_array_index (members, k);
      ZonesCluster *c = g_new0 (ZonesCluster, 1);
      g_autoptr(GHashTable) minerals = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GHashTable) per = g_hash_table_new (g_str_hash, g_str_equal);
      g_autofree double *mx = g_new (double, m->len);
      g_autofree double *my = g_new (double, m->len);
      g_autoptr(GisGeometry) points = NULL;

      c->site_ids = g_ptr_array_new_with_free_func (g_free);
      c->minerals = g_ptr_array_new_with_free_func (g_free);
      c->countries = g_ptr_array_new_with_free_func ((GDestroyNotify) country_count_free);
      c->border_distance_km = INFINITY;
      for (guint j = 0; j < m->len; j++)
        {
          guint i = g_array_index (m, guint, j);
          ZonesSite *s = g_ptr_array_index (use, i);
          const char *iso = g_hash_table_lookup (result->site_country, s->site_id);
          ZonesCountryCount *cc;

          mx[j] = lon[i];
          my[j] = lat[i];
          g_ptr_array_add (c->site_ids, g_strdup (s->site_id));
          if (s->workers >= 0)
            c->workers += s->workers;
          else
            c->sites_without_workers++;
          for (guint n = 0; s->minerals && s->minerals[n]; n++)
            if (!g_hash_table_contains (minerals, s->minerals[n]))
              {
                g_hash_table_add (minerals, s->minerals[n]);
                g_ptr_array_add (c->minerals, g_strdup (s->minerals[n]));
              }
          if (iso == NULL)
            continue;
          cc = g_hash_table_lookup (per, iso);
          if (cc == NULL)
            {
              cc = g_new0 (ZonesCountryCount, 1);
              cc->iso = g_strdup (iso);
              g_hash_table_insert (per, cc->iso, cc);
              g_ptr_array_add (c->countries, cc);
            }
          cc->sites++;
          if (s->workers >= 0)
            cc->workers += s->workers;
        }
      if (p->min_workers > 0 && c->workers < p->min_workers)
        {
          cluster_free (c);
          continue;
        }
      g_ptr_array_sort (c->countries, compare_counts);
      c->cross_border = c->countries->len >= 2;
      /* A cluster across a border touches it: its distance is 0. */
      if (c->cross_border)
        c->border_distance_km = 0;
      points = gis_geometry_new_multipoint (mx, my, m->len);
      c->hull = gis_geometry_hull (points, p->concave ? 0.3 : 1.0, error);
      if (c->hull == NULL)
        {
          cluster_free (c);
          return NULL;
        }
      /* The distance to the nearest other country: from the members' convex hull, which
       * holds the nearest member (the nearest point of a convex set to a convex-free target
       * lies on its boundary, at a member or between two — never farther than the nearest
       * member). One query per country instead of one per site. */
      if (countries != NULL && !c->cross_border && c->countries->len == 1)
        {
          const char *own = ((ZonesCountryCount *) g_ptr_array_index (c->countries, 0))->iso;
          g_autoptr(GisGeometry) convex = p->concave ? gis_geometry_hull (points, 1.0, error)
                                                     : gis_geometry_ref (c->hull);
          if (convex == NULL || !cluster_border_distance (countries, convex, own, c, error))
            {
              cluster_free (c);
              return NULL;
            }
        }
      c->near_border = c->border_distance_km <= p->near_border_km;
      c->id = result->clusters->len + 1;
      g_ptr_array_add (result->clusters, c);
    }
  return g_steal_pointer (&result);
}
