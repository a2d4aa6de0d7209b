/* cli-zone.c: placer-cli zone add|import|promote|validate|propose|designate|suspend|retire|
 * consent|list|history|undo|redo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cli-zone"

#include <math.h>
#include <stdio.h>

#include "cli.h"

typedef struct {
  GisProject    *project;
  ZonesRegister *reg;
} Session;

static void
session_clear (Session *s)
{
  g_clear_object (&s->reg);
  g_clear_object (&s->project);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Session, session_clear)

static gboolean
session_open (Session *s, const char *path, GError **error)
{
  s->project = gis_project_open (path, TRUE, error);
  if (s->project == NULL)
    return FALSE;
  s->reg = zones_register_new (s->project, error);
  return s->reg != NULL;
}

static ZonesValidator *
make_validator (Session *s, GError **error)
{
  ZonesValidatorInputs in;
  g_autoptr(GPtrArray) zones = NULL;
  ZonesValidator *v;

  if (!zones_validator_inputs_from_project (&in, s->project, error))
    {
      zones_validator_inputs_clear (&in);
      return NULL;
    }
  {
    g_autofree char *country = gis_project_dup_meta (s->project, "country");
    if (!zones_zone_rules_from_rulepack (&in.zone_rules, country, error))
      {
        zones_validator_inputs_clear (&in);
        return NULL;
      }
  }
  v = zones_validator_new (&in, NULL, error);
  zones_validator_inputs_clear (&in);
  if (v == NULL)
    return NULL;
  zones = zones_register_list (s->reg, error);
  if (zones == NULL)
    {
      zones_validator_free (v);
      return NULL;
    }
  zones_validator_set_zones (v, zones);
  return v;
}

static JsonNode *
findings_node (const char *zone_id, double zone_ha, GPtrArray *findings)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "zone");
  json_builder_add_string_value (b, zone_id);
  json_builder_set_member_name (b, "area_ha");
  json_builder_add_double_value (b, zone_ha);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, !zones_findings_have_errors (findings));
  json_builder_set_member_name (b, "findings");
  json_builder_begin_array (b);
  for (guint i = 0; i < findings->len; i++)
    {
      ZonesFinding *f = g_ptr_array_index (findings, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, f->code);
      json_builder_set_member_name (b, "severity");
      json_builder_add_string_value (b, zones_severity_to_string (f->severity));
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, f->message);
      json_builder_set_member_name (b, "area_ha");
      json_builder_add_double_value (b, f->area_ha);
      json_builder_set_member_name (b, "share");
      json_builder_add_double_value (b, f->share);
      json_builder_set_member_name (b, "ref");
      if (f->ref)
        json_builder_add_string_value (b, f->ref);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_findings (const ZonesZone *z, double zone_ha, GPtrArray *findings)
{
  g_autofree char *area = zone_ha > 0 ? g_strdup_printf ("%.2f ha, ", zone_ha) : g_strdup ("");

  printf ("Zone %s%s%s%s — %s%s: %s\n", z->zone_id, z->name ? " (" : "", z->name ? z->name : "",
          z->name ? ")" : "", area, z->status,
          zones_findings_have_errors (findings) ? "NOT valid" : "valid");
  for (guint i = 0; i < findings->len; i++)
    {
      ZonesFinding *f = g_ptr_array_index (findings, i);
      printf ("  %-7s %-24s %s\n", zones_severity_to_string (f->severity), f->code, f->message);
    }
}

static int
zone_add (int argc, char **argv, gboolean promote)
{
  g_autofree char *wkt = NULL, *wkt_crs = NULL, *layer = NULL, *id = NULL, *name = NULL;
  g_autofree char *country = NULL, *mineral = NULL, *deposit_type = NULL, *notes = NULL;
  gint64 fid = -1;
  gboolean snap = FALSE, json = FALSE;
  double depth = NAN;
  GOptionEntry entries[] = {
    { "wkt", 0, 0, G_OPTION_ARG_STRING, &wkt, "The zone's polygon as WKT", "WKT" },
    { "wkt-crs", 0, 0, G_OPTION_ARG_STRING, &wkt_crs, "CRS of --wkt (default: the project's)", "CRS" },
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &layer, "Layer of FILE", "LAYER" },
    { "fid", 0, 0, G_OPTION_ARG_INT64, &fid, "Feature of FILE (default: the first)", "FID" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, "Zone id (default: the next Z-NNNN)", "ID" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Zone name", "NAME" },
    { "country", 0, 0, G_OPTION_ARG_STRING, &country, "Designating country (ISO alpha-3)", "ISO" },
    { "mineral", 0, 0, G_OPTION_ARG_STRING, &mineral, "Mineral", "MINERAL" },
    { "deposit-type", 0, 0, G_OPTION_ARG_STRING, &deposit_type, "alluvial, eluvial or hard_rock", "TYPE" },
    { "depth", 0, 0, G_OPTION_ARG_DOUBLE, &depth, "Deepest planned workings, metres", "M" },
    { "notes", 0, 0, G_OPTION_ARG_STRING, &notes, "Notes", "TEXT" },
    { "snap", 0, 0, G_OPTION_ARG_NONE, &snap, "Snap to whole cadastral cells of the rule pack", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (
    promote ? "PROJECT.gpkg RESULT.gpkg --fid N — make candidate land a zone"
            : "PROJECT.gpkg [FILE] — add a candidate zone");
  g_auto(Session) s = { 0 };
  g_autoptr(ZonesZone) z = zones_zone_new ();
  g_autoptr(ZonesValidator) v = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  GError *error = NULL;
  double zone_ha = 0;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (promote && (argc != 3 || fid < 0))
    return cli_usage (ctx, "give the project, an unallocated-land result and --fid");
  if (!promote && !((argc == 2 && wkt != NULL) || (argc == 3 && wkt == NULL)))
    return cli_usage (ctx, "give the project and either --wkt or a file");
  if (mineral != NULL && !g_strv_contains (zones_role_find_field ("deposits", "mineral")->vocabulary, mineral))
    return cli_usage (ctx, "--mineral is not a mineral Placer knows");
  if (!session_open (&s, argv[1], &error))
    return cli_fail (error);

  z->geometry = cli_read_shape (s.project, wkt, wkt_crs, argc == 3 ? argv[2] : NULL,
                            promote ? "candidate_land" : layer, fid, &error);
  if (z->geometry == NULL)
    return cli_fail (error);
  if (promote)
    {
      /* The candidate piece's attributes come along. */
      g_autoptr(GisDataset) ds = gis_dataset_open (argv[2], GIS_OPEN_VECTOR, &error);
      g_autoptr(GisLayerInfo) info = ds ? gis_dataset_describe_layer (ds, "candidate_land", &error) : NULL;
      g_autoptr(GPtrArray) features = info ? gis_dataset_read_features (ds, info->name, NULL, NULL, &error) : NULL;
      if (features == NULL)
        return cli_fail (error);
      for (guint i = 0; i < features->len; i++)
        {
          GisFeature *f = g_ptr_array_index (features, i);
          if (f->fid != fid)
            continue;
          if (mineral == NULL)
            mineral = g_strdup (gis_feature_get (f, gis_layer_info_find_field (info, "mineral")));
          if (deposit_type == NULL)
            deposit_type = g_strdup (gis_feature_get (f, gis_layer_info_find_field (info, "deposit_type")));
          if (notes == NULL)
            notes = g_strdup_printf ("Promoted from candidate land (%s, feature %" G_GINT64_FORMAT ")",
                                     argv[2], fid);
        }
    }
  if (country == NULL)
    country = gis_project_dup_meta (s.project, "country");
  if (snap)
    {
      ZonesZoneRules rules;
      ZonesGrid grid;
      g_autoptr(GisCrs) wgs = gis_crs_new_from_epsg (4326, NULL);
      g_autoptr(GisTransform) to_ll = gis_transform_new (gis_project_get_crs (s.project), wgs, &error);
      g_autoptr(GisTransform) back = to_ll ? gis_transform_new (wgs, gis_project_get_crs (s.project), &error) : NULL;
      g_autoptr(GisGeometry) ll = back ? gis_transform_geometry (to_ll, z->geometry, &error) : NULL;
      g_autoptr(GisGeometry) snapped = NULL;

      zones_zone_rules_init_generic (&rules);
      if (ll == NULL || !zones_zone_rules_from_rulepack (&rules, country, &error))
        {
          zones_zone_rules_clear (&rules);
          return cli_fail (error);
        }
      if (!(rules.grid_arcsec > 0))
        {
          zones_zone_rules_clear (&rules);
          return cli_usage (ctx, "--snap: the country's rule pack has no cadastral grid");
        }
      zones_grid_init (&grid, rules.grid_arcsec, NULL);
      zones_zone_rules_clear (&rules);
      snapped = zones_grid_snap (&grid, ll, NULL, &error);
      if (snapped == NULL)
        return cli_fail (error);
      if (gis_geometry_is_empty (snapped))
        {
          g_set_error_literal (&error, ZONES_ERROR, ZONES_ERROR_INPUT,
                               "The zone covers no cadastral cell by half or more; nothing to snap to");
          return cli_fail (error);
        }
      gis_geometry_unref (z->geometry);
      z->geometry = gis_transform_geometry (back, snapped, &error);
      if (z->geometry == NULL)
        return cli_fail (error);
    }
  z->zone_id = g_strdup (id);
  z->name = g_strdup (name);
  z->country = g_strdup (country);
  z->mineral = g_strdup (mineral);
  z->deposit_type = g_strdup (deposit_type);
  z->notes = g_strdup (notes);
  z->planned_depth_m = depth;
  if (!zones_register_add (s.reg, z, &error))
    return cli_fail (error);

  v = make_validator (&s, &error);
  findings = v ? zones_validator_check (v, z, &zone_ha, &error) : NULL;
  if (findings == NULL)
    return cli_fail (error);
  if (json)
    cli_print_json (findings_node (z->zone_id, zone_ha, findings));
  else
    {
      printf ("Added zone %s as a candidate.\n", z->zone_id);
      print_findings (z, zone_ha, findings);
    }
  return CLI_EXIT_OK;
}

static int
zone_import (int argc, char **argv)
{
  g_autofree char *layer = NULL, *name_field = NULL, *country = NULL, *mineral = NULL;
  GOptionEntry entries[] = {
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &layer, "Layer of FILE", "LAYER" },
    { "name-field", 0, 0, G_OPTION_ARG_STRING, &name_field, "Field holding zone names", "FIELD" },
    { "country", 0, 0, G_OPTION_ARG_STRING, &country, "Designating country (default: the project's)", "ISO" },
    { "mineral", 0, 0, G_OPTION_ARG_STRING, &mineral, "Mineral of every zone", "MINERAL" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("PROJECT.gpkg FILE — add every polygon as a candidate zone");
  g_auto(Session) s = { 0 };
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisLayerInfo) info = NULL;
  g_autoptr(GPtrArray) features = NULL;
  g_autoptr(GisTransform) t = NULL;
  GError *error = NULL;
  int code, name_index = -1;
  guint added = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 3)
    return cli_usage (ctx, "give the project and a file");
  if (!session_open (&s, argv[1], &error))
    return cli_fail (error);
  ds = gis_dataset_open (argv[2], GIS_OPEN_VECTOR, &error);
  info = ds ? gis_dataset_describe_layer (ds, layer, &error) : NULL;
  if (info == NULL)
    return cli_fail (error);
  if (info->crs == NULL)
    {
      g_set_error (&error, GIS_ERROR, GIS_ERROR_CRS, "“%s” has no CRS", argv[2]);
      return cli_fail (error);
    }
  if (name_field != NULL && (name_index = gis_layer_info_find_field (info, name_field)) < 0)
    {
      g_set_error (&error, GIS_ERROR, GIS_ERROR_NOT_FOUND, "“%s”, layer “%s”: no field “%s”",
                   argv[2], info->name, name_field);
      return cli_fail (error);
    }
  if (country == NULL)
    country = gis_project_dup_meta (s.project, "country");
  t = gis_transform_new (info->crs, gis_project_get_crs (s.project), &error);
  features = t ? gis_dataset_read_features (ds, info->name, NULL, NULL, &error) : NULL;
  if (features == NULL)
    return cli_fail (error);
  for (guint i = 0; i < features->len; i++)
    {
      GisFeature *f = g_ptr_array_index (features, i);
      g_autoptr(ZonesZone) z = NULL;
      g_autoptr(GisGeometry) g = NULL;

      if (f->geometry == NULL)
        continue;
      g = gis_transform_geometry (t, f->geometry, &error);
      if (g == NULL)
        {
          g_prefix_error (&error, "“%s”, feature %" G_GINT64_FORMAT ": ", argv[2], f->fid);
          return cli_fail (error);
        }
      z = zones_zone_new ();
      z->geometry = gis_geometry_polygonal_part (g, &error);
      if (z->geometry == NULL || gis_geometry_is_empty (z->geometry))
        continue;
      z->name = g_strdup (gis_feature_get (f, name_index));
      z->country = g_strdup (country);
      z->mineral = g_strdup (mineral);
      z->notes = g_strdup_printf ("Imported from %s, feature %" G_GINT64_FORMAT, argv[2], f->fid);
      if (!zones_register_add (s.reg, z, &error))
        return cli_fail (error);
      added++;
    }
  printf ("Imported %u candidate zones from %s.\n", added, argv[2]);
  return CLI_EXIT_OK;
}

static int
zone_validate (int argc, char **argv)
{
  gboolean all = FALSE, json = FALSE;
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Every zone", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("PROJECT.gpkg [ZONE…|--all] — check zones");
  g_auto(Session) s = { 0 };
  g_autoptr(ZonesValidator) v = NULL;
  g_autoptr(GPtrArray) zones = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GError *error = NULL;
  gboolean any_error = FALSE;
  guint checked = 0;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc < 2 || (argc == 2 && !all))
    return cli_usage (ctx, "give the project and zone ids, or --all");
  if (!session_open (&s, argv[1], &error))
    return cli_fail (error);
  zones = zones_register_list (s.reg, &error);
  v = zones ? make_validator (&s, &error) : NULL;
  if (v == NULL)
    return cli_fail (error);
  for (int i = 2; i < argc; i++)
    {
      gboolean found = FALSE;
      for (guint k = 0; k < zones->len; k++)
        found |= g_strcmp0 (((ZonesZone *) g_ptr_array_index (zones, k))->zone_id, argv[i]) == 0;
      if (!found)
        {
          g_set_error (&error, ZONES_ERROR, ZONES_ERROR_INPUT, "“%s” has no zone “%s”", argv[1], argv[i]);
          return cli_fail (error);
        }
    }
  json_builder_begin_array (b);
  for (guint k = 0; k < zones->len; k++)
    {
      ZonesZone *z = g_ptr_array_index (zones, k);
      g_autoptr(GPtrArray) findings = NULL;
      gboolean wanted = all;
      double ha = 0;

      for (int i = 2; i < argc; i++)
        wanted |= g_strcmp0 (z->zone_id, argv[i]) == 0;
      if (!wanted)
        continue;
      findings = zones_validator_check (v, z, &ha, &error);
      if (findings == NULL)
        return cli_fail (error);
      any_error |= zones_findings_have_errors (findings);
      checked++;
      if (json)
        json_builder_add_value (b, findings_node (z->zone_id, ha, findings));
      else
        print_findings (z, ha, findings);
    }
  json_builder_end_array (b);
  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      /* One zone: its object; several: an array of them. */
      if (checked == 1)
        cli_print_json (json_array_get_element (json_node_get_array (root), 0));
      else
        cli_print_json (root);
    }
  return any_error ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

static int
zone_status (int argc, char **argv, const char *status)
{
  g_autofree char *override = NULL, *legal_ref = NULL, *authority = NULL;
  GOptionEntry entries[] = {
    { "override", 0, 0, G_OPTION_ARG_STRING, &override,
      "Go ahead despite errors, for this written reason (kept in the audit log)", "REASON" },
    { "legal-ref", 0, 0, G_OPTION_ARG_STRING, &legal_ref, "Legal reference (decree, order)", "TEXT" },
    { "authority", 0, 0, G_OPTION_ARG_STRING, &authority, "Designating authority", "TEXT" },
    { NULL }
  };
  g_autofree char *summary = g_strdup_printf ("PROJECT.gpkg ZONE — mark a zone %s", status);
  g_autoptr(GOptionContext) ctx = g_option_context_new (summary);
  g_auto(Session) s = { 0 };
  g_autoptr(ZonesZone) z = NULL;
  g_autoptr(ZonesValidator) v = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  GError *error = NULL;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 3)
    return cli_usage (ctx, "give the project and one zone id");
  if (!session_open (&s, argv[1], &error))
    return cli_fail (error);
  if (g_str_equal (status, "proposed") || g_str_equal (status, "designated"))
    {
      v = make_validator (&s, &error);
      if (v == NULL)
        return cli_fail (error);
    }
  if (!zones_change_status (s.reg, v, argv[2], status, override, legal_ref, authority,
                            &findings, &error))
    {
      if (findings != NULL)
        {
          z = zones_register_get (s.reg, argv[2], NULL);
          if (z != NULL)
            print_findings (z, 0, findings);
          fprintf (stderr, "placer-cli: %s; fix them or give --override \"REASON\"\n",
                   error->message);
          g_error_free (error);
          return CLI_EXIT_FINDINGS;
        }
      return cli_fail (error);
    }
  printf ("Zone %s is now %s%s.\n", argv[2], status, override ? " (override recorded)" : "");
  return CLI_EXIT_OK;
}

static int
zone_consent (int argc, char **argv)
{
  g_autofree char *title = NULL, *reference = NULL;
  GOptionEntry entries[] = {
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, "The title whose holder consents", "TITLE" },
    { "reference", 0, 0, G_OPTION_ARG_STRING, &reference, "The document recording it", "TEXT" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("PROJECT.gpkg ZONE — record a title holder's consent");
  g_auto(Session) s = { 0 };
  g_autoptr(ZonesZone) z = NULL;
  GError *error = NULL;
  ZonesConsent *c;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 3 || title == NULL || reference == NULL)
    return cli_usage (ctx, "give the project, a zone id, --title and --reference");
  if (!session_open (&s, argv[1], &error))
    return cli_fail (error);
  z = zones_register_get (s.reg, argv[2], &error);
  if (z == NULL)
    return cli_fail (error);
  if (zones_zone_has_consent (z, title))
    {
      g_set_error (&error, ZONES_ERROR, ZONES_ERROR_STATE, "Zone %s already has consent for %s",
                   z->zone_id, title);
      return cli_fail (error);
    }
  c = g_new0 (ZonesConsent, 1);
  c->title_id = g_strdup (title);
  c->reference = g_strdup (reference);
  c->recorded = gis_now_iso8601 ();
  g_ptr_array_add (z->consents, c);
  if (!zones_register_update (s.reg, z, z->version, "zone-consent", &error))
    return cli_fail (error);
  printf ("Recorded consent of %s's holder for zone %s.\n", title, z->zone_id);
  return CLI_EXIT_OK;
}

static int
zone_list (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("PROJECT.gpkg — the zone register");
  g_auto(Session) s = { 0 };
  g_autoptr(GPtrArray) zones = NULL;
  g_autoptr(GisAreaMeter) meter = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GError *error = NULL;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return cli_usage (ctx, "give the project");
  if (!session_open (&s, argv[1], &error))
    return cli_fail (error);
  zones = zones_register_list (s.reg, &error);
  meter = zones ? gis_area_meter_new (gis_project_get_crs (s.project), &error) : NULL;
  if (meter == NULL)
    return cli_fail (error);
  json_builder_begin_array (b);
  if (!json)
    printf ("%-8s %-28s %-10s %-12s %-4s %12s  %s\n", "zone", "name", "status", "mineral", "ISO",
            "ha", "version");
  for (guint i = 0; i < zones->len; i++)
    {
      ZonesZone *z = g_ptr_array_index (zones, i);
      double m2 = 0;
      if (!gis_area_meter_measure (meter, z->geometry, &m2, &error))
        return cli_fail (error);
      if (json)
        {
          g_autofree char *text = zones_zone_to_json (z);
          g_autoptr(JsonNode) node = json_from_string (text, NULL);
          JsonObject *o = json_node_get_object (node);
          json_object_remove_member (o, "geometry");
          json_object_set_double_member (o, "area_ha", m2 / 1e4);
          json_builder_add_value (b, g_steal_pointer (&node));
        }
      else
        printf ("%-8s %-28.28s %-10s %-12s %-4s %12.2f  %" G_GINT64_FORMAT "\n", z->zone_id,
                z->name ? z->name : "", z->status, z->mineral ? z->mineral : "",
                z->country ? z->country : "", m2 / 1e4, z->version);
    }
  json_builder_end_array (b);
  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      cli_print_json (root);
    }
  return CLI_EXIT_OK;
}

static int
zone_history (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("PROJECT.gpkg [ZONE] — who changed what, when");
  g_auto(Session) s = { 0 };
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GError *error = NULL;
  int code;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc < 2 || argc > 3)
    return cli_usage (ctx, "give the project and optionally a zone id");
  if (!session_open (&s, argv[1], &error))
    return cli_fail (error);
  history = zones_register_history (s.reg, argc == 3 ? argv[2] : NULL, &error);
  if (history == NULL)
    return cli_fail (error);
  json_builder_begin_array (b);
  for (guint i = 0; i < history->len; i++)
    {
      GisAuditEntry *e = g_ptr_array_index (history, i);
      if (json)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "at");
          json_builder_add_string_value (b, e->at);
          json_builder_set_member_name (b, "who");
          json_builder_add_string_value (b, e->who);
          json_builder_set_member_name (b, "action");
          json_builder_add_string_value (b, e->action);
          json_builder_set_member_name (b, "zone");
          json_builder_add_string_value (b, e->object);
          json_builder_set_member_name (b, "before");
          json_builder_add_value (b, e->before ? json_from_string (e->before, NULL) : json_node_new (JSON_NODE_NULL));
          json_builder_set_member_name (b, "after");
          json_builder_add_value (b, e->after ? json_from_string (e->after, NULL) : json_node_new (JSON_NODE_NULL));
          json_builder_end_object (b);
        }
      else
        printf ("%s  %-10s %-14s %s\n", e->at, e->who, e->action, e->object);
    }
  json_builder_end_array (b);
  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      cli_print_json (root);
    }
  return CLI_EXIT_OK;
}

static int
zone_undo_redo (int argc, char **argv, gboolean undo)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (undo ? "PROJECT.gpkg — undo the last zone edit"
                                                             : "PROJECT.gpkg — redo the last undone edit");
  g_auto(Session) s = { 0 };
  g_autofree char *zone_id = NULL;
  GError *error = NULL;
  int code;

  if (!cli_parse (ctx, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return cli_usage (ctx, "give the project");
  if (!session_open (&s, argv[1], &error))
    return cli_fail (error);
  if (!(undo ? zones_register_undo (s.reg, &zone_id, &error)
             : zones_register_redo (s.reg, &zone_id, &error)))
    return cli_fail (error);
  printf ("%s the last edit of zone %s.\n", undo ? "Undid" : "Redid", zone_id);
  return CLI_EXIT_OK;
}

int
cli_zone (int argc, char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      fprintf (argc < 2 ? stderr : stdout,
               "Usage: placer-cli zone COMMAND PROJECT.gpkg …\n"
               "  add PROJECT (--wkt WKT | FILE [--fid N]) [--name N] [--country ISO] "
               "[--mineral M] [--snap]\n"
               "  import PROJECT FILE [--name-field F]\n"
               "  promote PROJECT RESULT.gpkg --fid N    (candidate land from `unallocated --out`)\n"
               "  validate PROJECT ZONE…|--all [--json]\n"
               "  propose|designate PROJECT ZONE [--override REASON] [--legal-ref T] [--authority T]\n"
               "  suspend|retire PROJECT ZONE\n"
               "  consent PROJECT ZONE --title T --reference R\n"
               "  list PROJECT [--json]\n"
               "  history PROJECT [ZONE] [--json]\n"
               "  undo|redo PROJECT\n");
      return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "add"))
    return zone_add (argc - 1, argv + 1, FALSE);
  if (g_str_equal (argv[1], "promote"))
    return zone_add (argc - 1, argv + 1, TRUE);
  if (g_str_equal (argv[1], "import"))
    return zone_import (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "validate"))
    return zone_validate (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "propose"))
    return zone_status (argc - 1, argv + 1, "proposed");
  if (g_str_equal (argv[1], "designate"))
    return zone_status (argc - 1, argv + 1, "designated");
  if (g_str_equal (argv[1], "suspend"))
    return zone_status (argc - 1, argv + 1, "suspended");
  if (g_str_equal (argv[1], "retire"))
    return zone_status (argc - 1, argv + 1, "retired");
  if (g_str_equal (argv[1], "consent"))
    return zone_consent (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "list"))
    return zone_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "history"))
    return zone_history (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "undo"))
    return zone_undo_redo (argc - 1, argv + 1, TRUE);
  if (g_str_equal (argv[1], "redo"))
    return zone_undo_redo (argc - 1, argv + 1, FALSE);
  fprintf (stderr, "placer-cli zone: unknown command “%s”\n", argv[1]);
  return CLI_EXIT_USAGE;
}
