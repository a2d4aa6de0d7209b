/* cli-clusters.c: placer-cli clusters — clusters of ASM sites and the borders they straddle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cli-clusters"

#include <math.h>
#include <stdio.h>

#include "cli.h"

static JsonNode *
cluster_node (ZonesCluster *c, gboolean with_members)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, c->id);
  json_builder_set_member_name (b, "sites");
  json_builder_add_int_value (b, c->site_ids->len);
  json_builder_set_member_name (b, "workers");
  json_builder_add_int_value (b, c->workers);
  json_builder_set_member_name (b, "sites_without_workers");
  json_builder_add_int_value (b, c->sites_without_workers);
  json_builder_set_member_name (b, "minerals");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->minerals->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (c->minerals, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "countries");
  json_builder_begin_object (b);
  for (guint i = 0; i < c->countries->len; i++)
    {
      ZonesCountryCount *cc = g_ptr_array_index (c->countries, i);
      json_builder_set_member_name (b, cc->iso);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "sites");
      json_builder_add_int_value (b, cc->sites);
      json_builder_set_member_name (b, "workers");
      json_builder_add_int_value (b, cc->workers);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "cross_border");
  json_builder_add_boolean_value (b, c->cross_border);
  json_builder_set_member_name (b, "near_border");
  json_builder_add_boolean_value (b, c->near_border);
  cli_json_add_number (b, "border_distance_km", c->border_distance_km);
  json_builder_set_member_name (b, "neighbour");
  if (c->neighbour)
    json_builder_add_string_value (b, c->neighbour);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "secretariat_candidate");
  json_builder_add_boolean_value (b, c->cross_border);
  if (with_members)
    {
      json_builder_set_member_name (b, "members");
      json_builder_begin_array (b);
      for (guint i = 0; i < c->site_ids->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (c->site_ids, i));
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
write_clusters (ZonesClusterResult *r, GisCrs *wgs84, const char *path, gboolean overwrite,
                GError **error)
{
  g_autoptr(GisWriter) w = gis_writer_new (path, overwrite, error);
  const GisFieldInfo fields[] = {
    { "cluster_id", GIS_FIELD_INTEGER }, { "sites", GIS_FIELD_INTEGER },
    { "workers", GIS_FIELD_INTEGER }, { "minerals", GIS_FIELD_STRING },
    { "countries", GIS_FIELD_STRING }, { "cross_border", GIS_FIELD_INTEGER },
    { "near_border", GIS_FIELD_INTEGER }, { "border_distance_km", GIS_FIELD_REAL },
    { "members", GIS_FIELD_STRING },
  };

  if (w == NULL ||
      !gis_writer_begin_layer (w, "clusters", wgs84, GIS_GEOMETRY_COLLECTION, fields, G_N_ELEMENTS (fields),
                               "Placer: clusters of ASM sites (DBSCAN, metres on the ellipsoid)",
                               error))
    return FALSE;
  for (guint i = 0; i < r->clusters->len; i++)
    {
      ZonesCluster *c = g_ptr_array_index (r->clusters, i);
      g_autoptr(GString) countries = g_string_new (NULL);
      g_autofree char *id = g_strdup_printf ("%u", c->id);
      g_autofree char *n = g_strdup_printf ("%u", c->site_ids->len);
      g_autofree char *workers = g_strdup_printf ("%" G_GINT64_FORMAT, c->workers);
      g_autofree char *minerals = NULL;
      g_autofree char *members = NULL;
      char dist[G_ASCII_DTOSTR_BUF_SIZE] = "";
      const char *values[9];

      g_ptr_array_add (c->minerals, NULL);
      minerals = g_strjoinv (",", (char **) c->minerals->pdata);
      g_ptr_array_remove_index (c->minerals, c->minerals->len - 1);
      g_ptr_array_add (c->site_ids, NULL);
      members = g_strjoinv (",", (char **) c->site_ids->pdata);
      g_ptr_array_remove_index (c->site_ids, c->site_ids->len - 1);
      for (guint k = 0; k < c->countries->len; k++)
        {
          ZonesCountryCount *cc = g_ptr_array_index (c->countries, k);
          g_string_append_printf (countries, "%s%s:%u", k ? "," : "", cc->iso, cc->sites);
        }
      if (isfinite (c->border_distance_km))
        g_ascii_dtostr (dist, sizeof dist, c->border_distance_km);
      values[0] = id;
      values[1] = n;
      values[2] = workers;
      values[3] = minerals;
      values[4] = countries->str;
      values[5] = c->cross_border ? "1" : "0";
      values[6] = c->near_border ? "1" : "0";
      values[7] = *dist ? dist : NULL;
      values[8] = members;
      if (!gis_writer_add (w, c->hull, values, error))
        return FALSE;
    }
  return gis_writer_finish (w, error);
}

int
cli_clusters (int argc, char **argv)
{
  double near_km = 10;
  g_autofree char *out = NULL, *as_of_text = NULL;
  gboolean overwrite = FALSE, json = FALSE, members = FALSE;
  g_auto(CliClusterOptions) opts = { 0 };
  GOptionEntry entries[] = {
    { "near-border-km", 0, 0, G_OPTION_ARG_DOUBLE, &near_km, "Flag clusters this close to another country (default 10)", "KM" },
    { "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of_text, "Latest visits on or before this date", "YYYY-MM-DD" },
    { "members", 0, 0, G_OPTION_ARG_NONE, &members, "List each cluster's sites (JSON)", NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write the cluster hulls to a new GeoPackage", "FILE.gpkg" },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite, "Replace --out if it exists", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (
    "PROJECT.gpkg — clusters of ASM sites, and those that straddle a border");
  g_autoptr(GisProject) project = NULL;
  g_autoptr(GisCrs) wgs84 = NULL;
  g_autoptr(ZonesCountries) countries = NULL;
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(ZonesClusterResult) result = NULL;
  ZonesClusterParams params;
  GDate as_of;
  GError *error = NULL;
  guint n_cross = 0, n_near = 0;
  const char *problem;
  int code;

  zones_cluster_params_init (&params);
  cli_cluster_options_add (ctx, &opts);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return cli_usage (ctx, "give the project");
  if ((problem = cli_cluster_options_apply (&opts, &params)) != NULL)
    return cli_usage (ctx, problem);
  if (!(near_km >= 0))
    return cli_usage (ctx, "--near-border-km must be positive");
  g_date_clear (&as_of, 1);
  if (as_of_text != NULL && !zones_parse_date (as_of_text, &as_of))
    return cli_usage (ctx, "--as-of must be a date YYYY-MM-DD");

  project = gis_project_open (argv[1], FALSE, &error);
  wgs84 = project ? gis_crs_new_from_epsg (4326, &error) : NULL;
  if (wgs84 == NULL)
    return cli_fail (error);
  countries = zones_countries_new_from_project (project, &error);
  if (countries == NULL && error != NULL)
    return cli_fail (error);

  sites = zones_sites_load_latest (project, wgs84, g_date_valid (&as_of) ? &as_of : NULL, &error);
  if (sites == NULL)
    return cli_fail (error);
  if (sites->len == 0)
    {
      g_set_error (&error, ZONES_ERROR, ZONES_ERROR_INPUT,
                   "“%s” has no sites; add them with placer-cli sites import", argv[1]);
      return cli_fail (error);
    }

  params.near_border_km = near_km;
  result = zones_clusters_run (sites, countries, &params, NULL, &error);
  if (result == NULL)
    return cli_fail (error);
  if (out != NULL && !write_clusters (result, wgs84, out, overwrite, &error))
    return cli_fail (error);
  for (guint i = 0; i < result->clusters->len; i++)
    {
      ZonesCluster *c = g_ptr_array_index (result->clusters, i);
      n_cross += c->cross_border;
      n_near += c->near_border;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "sites");
      json_builder_add_int_value (b, result->n_sites);
      json_builder_set_member_name (b, "eps_m");
      json_builder_add_double_value (b, params.eps_m);
      json_builder_set_member_name (b, "min_sites");
      json_builder_add_int_value (b, params.min_sites);
      json_builder_set_member_name (b, "distance");
      json_builder_add_string_value (b, "metres on the WGS 84 ellipsoid (3D chord, within 5 µm of "
                                        "the geodesic at 5 km)");
      json_builder_set_member_name (b, "clusters");
      json_builder_begin_array (b);
      for (guint i = 0; i < result->clusters->len; i++)
        json_builder_add_value (b, cluster_node (g_ptr_array_index (result->clusters, i), members));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "assigned_to_nearest_country");
      json_builder_begin_array (b);
      for (guint i = 0; i < result->assigned_to_nearest->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (result->assigned_to_nearest, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
      return CLI_EXIT_OK;
    }

  printf ("%u clusters of %u sites (eps %.0f m, at least %u sites); %u cross a border, %u lie "
          "within %.0f km of one\n", result->clusters->len, result->n_sites, params.eps_m,
          params.min_sites,
          n_cross, n_near, near_km);
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < result->clusters->len; i++)
      {
        ZonesCluster *c = g_ptr_array_index (result->clusters, i);
        g_autoptr(GString) per = g_string_new (NULL);
        if ((pass == 0) != c->cross_border || (pass == 1 && !c->near_border))
          continue;
        for (guint k = 0; k < c->countries->len; k++)
          {
            ZonesCountryCount *cc = g_ptr_array_index (c->countries, k);
            g_string_append_printf (per, "%s%s %u sites, %" G_GINT64_FORMAT " workers",
                                    k ? "; " : "", cc->iso, cc->sites, cc->workers);
          }
        if (c->cross_border)
          printf ("  cluster %-4u %3u sites %7" G_GINT64_FORMAT " workers  CROSS-BORDER "
                  "(secretariat candidate): %s\n", c->id, c->site_ids->len, c->workers, per->str);
        else
          printf ("  cluster %-4u %3u sites %7" G_GINT64_FORMAT " workers  %.1f km from %s:  %s\n",
                  c->id, c->site_ids->len, c->workers, c->border_distance_km,
                  c->neighbour ? c->neighbour : "?", per->str);
      }
  if (result->assigned_to_nearest->len > 0)
    printf ("  %u sites lie outside every country polygon (lake shores?) and were given the "
            "nearest country\n", result->assigned_to_nearest->len);
  return CLI_EXIT_OK;
}
