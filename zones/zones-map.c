/* zones-map.c: a project's layers as a map, styled by their roles
 *
 * A planner opening a project should see a readable map at once: land use at the bottom,
 * deposits and titles over it, water and borders above, the ASM zones and the mining
 * sites on top. Each role has a default style in colour-blind-safe colours (Okabe & Ito),
 * and statuses carry a pattern as well as a colour. Categories are built from the
 * layer's field mapping, so a French cadastre whose "statut" says "Actif" is drawn as an
 * active title without the planner restyling anything.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-map"

#include <glib/gi18n-lib.h>

#include "zones-error.h"
#include "zones-map.h"

#define STATE_KEY "view:map_layers"

static GisColor
hex (guint32 rgb, double alpha)
{
  return (GisColor) { ((rgb >> 16) & 255) / 255.0, ((rgb >> 8) & 255) / 255.0,
                      (rgb & 255) / 255.0, alpha };
}

static GisSymbol
symbol (guint32 fill, double fill_alpha, guint32 stroke, double width, GisFillPattern pattern)
{
  GisSymbol s = { 0 };

  s.fill = hex (fill, fill_alpha);
  s.stroke = hex (stroke, 1);
  s.stroke_width = width;
  s.pattern = pattern;
  s.marker_size = 6;
  return s;
}

/**
 * zones_map_mineral_color:
 *
 * One colour per mineral, the same on every layer (deposits, sites, zones' legend).
 */
GisColor
zones_map_mineral_color (const char *mineral)
{
  static const struct { const char *mineral; guint32 rgb; } colors[] = {
    { "gold", 0xE69F00 },
    { "cassiterite", 0x009E73 },
    { "coltan", 0xCC79A7 },
    { "wolframite", 0xF0E442 },
    { "copper", 0xD55E00 },
    { "cobalt", 0x0072B2 },
    { "diamond", 0x56B4E9 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (colors); i++)
    if (g_strcmp0 (mineral, colors[i].mineral) == 0)
      return hex (colors[i].rgb, 1);
  return hex (0x999999, 1);
}

/* The source values of @field that the mapping resolves to each Placer value. */
static GHashTable *
values_by_placer_value (GisVectorLayer *data, ZonesMapping *mapping, const char *field,
                        const char **source_field)
{
  GHashTable *groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  int index;

  *source_field = mapping ? zones_mapping_get_field (mapping, field) : NULL;
  if (*source_field == NULL && gis_vector_layer_find_field (data, field) >= 0)
    *source_field = field;
  index = gis_vector_layer_find_field (data, *source_field);
  if (index < 0)
    return groups;
  for (guint i = 0; i < gis_vector_layer_get_n_features (data); i++)
    {
      const char *raw = gis_vector_layer_get_value (data, i, (guint) index);
      const char *value;
      GPtrArray *list;

      if (raw == NULL || g_hash_table_contains (seen, raw))
        continue;
      g_hash_table_add (seen, (gpointer) raw);
      value = mapping ? zones_mapping_resolve (mapping, field, raw) : raw;
      if (value == NULL)
        continue;
      list = g_hash_table_lookup (groups, value);
      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (groups, g_strdup (value), list);
        }
      g_ptr_array_add (list, g_strdup (raw));
    }
  return groups;
}

typedef struct {
  const char    *value;
  const char    *label;
  GisSymbol      symbol;
} Category;

/* A categorized style over @field with the categories that occur in the data, in the
 * order given (which is the drawing order: later ones on top). */
static GisStyle *
categorized (GisVectorLayer *data, ZonesMapping *mapping, const char *field,
             const Category *cats, guint n_cats, const GisSymbol *other,
             const char *other_label)
{
  const char *source_field = NULL;
  g_autoptr(GHashTable) groups = values_by_placer_value (data, mapping, field, &source_field);
  GisStyle *style;

  if (source_field == NULL)
    return gis_style_new_single (other);
  style = gis_style_new_categorized (source_field, other);
  for (guint i = 0; i < n_cats; i++)
    {
      GPtrArray *values = g_hash_table_lookup (groups, cats[i].value);
      if (values == NULL || values->len == 0)
        continue;
      g_ptr_array_add (values, NULL);
      gis_style_add_category (style, _(cats[i].label),
                              (const char *const *) values->pdata, &cats[i].symbol);
      g_ptr_array_remove_index (values, values->len - 1);
    }
  gis_style_set_other_label (style, other_label);
  return style;
}

static GisStyle *
by_mineral (GisVectorLayer *data, ZonesMapping *mapping, double alpha, double marker,
            guint32 stroke)
{
  static const char *const minerals[] = { "gold", "cassiterite", "coltan", "wolframite",
                                          "copper", "cobalt", "diamond", "other" };
  static const char *const labels[] = { N_("Gold"), N_("Cassiterite"), N_("Coltan"),
                                        N_("Wolframite"), N_("Copper"), N_("Cobalt"),
                                        N_("Diamond"), N_("Other mineral") };
  Category cats[G_N_ELEMENTS (minerals)];
  GisSymbol other = symbol (0x999999, alpha, stroke, 0.6, GIS_FILL_SOLID);

  for (guint i = 0; i < G_N_ELEMENTS (minerals); i++)
    {
      GisColor c = zones_map_mineral_color (minerals[i]);
      cats[i].value = minerals[i];
      cats[i].label = labels[i];
      cats[i].symbol = symbol (0, alpha, stroke, 0.6, GIS_FILL_SOLID);
      cats[i].symbol.fill = (GisColor) { c.r, c.g, c.b, alpha };
      if (stroke == 0)
        cats[i].symbol.stroke = (GisColor) { c.r * 0.6, c.g * 0.6, c.b * 0.6, 1 };
      cats[i].symbol.marker_size = marker;
    }
  other.marker_size = marker;
  return categorized (data, mapping, "mineral", cats, G_N_ELEMENTS (cats), &other,
                      _("Unknown mineral"));
}

/**
 * zones_map_default_style:
 * @data: (nullable): the layer's data; %NULL for a raster
 * @mapping: (nullable): its field mapping
 * @index_in_role: how many layers of the same role and shape come before it (the first
 *   border layer is drawn bolder than the next, the first rivers wider than streams)
 *
 * Returns: (transfer full): the style a layer of @role gets until the planner changes it
 */
GisStyle *
zones_map_default_style (const char *role, GisVectorLayer *data, ZonesMapping *mapping,
                         guint index_in_role)
{
  GisShapeKind shape = data ? gis_vector_layer_get_shape_kind (data) : GIS_SHAPE_POLYGON;
  GisSymbol s;

  if (data == NULL)
    {
      /* Rasters draw their own colour table, or grey. */
      s = symbol (0x808080, 1, 0x808080, 0, GIS_FILL_SOLID);
      return gis_style_new_single (&s);
    }

  if (g_strcmp0 (role, "borders") == 0)
    {
      GisStyle *style;
      const char *name = mapping ? zones_mapping_get_field (mapping, "name") : NULL;
      s = index_in_role == 0 ? symbol (0, 0, 0x222222, 1.6, GIS_FILL_NONE)
                             : symbol (0, 0, 0x666666, 0.7, GIS_FILL_NONE);
      s.dash = index_in_role > 0;
      style = gis_style_new_single (&s);
      if (index_in_role == 0)
        gis_style_set_label_field (style, name);
      return style;
    }

  if (g_strcmp0 (role, "water") == 0)
    {
      if (shape == GIS_SHAPE_LINE)
        s = symbol (0x0072B2, 1, 0x0072B2, index_in_role == 0 ? 1.3 : 0.6, GIS_FILL_SOLID);
      else
        s = symbol (0x56B4E9, 0.85, 0x0072B2, 0.6, GIS_FILL_SOLID);
      return gis_style_new_single (&s);
    }

  if (g_strcmp0 (role, "deposits") == 0)
    return by_mineral (data, mapping, 0.45, 6, 0);

  if (g_strcmp0 (role, "sites") == 0)
    return by_mineral (data, mapping, 1, 7, 0xffffff);

  if (g_strcmp0 (role, "concessions") == 0)
    {
      Category cats[] = {
        { "expired", N_("Expired title"), symbol (0x777777, 0, 0x777777, 0.8, GIS_FILL_NONE) },
        { "revoked", N_("Revoked title"), symbol (0x777777, 0, 0x777777, 0.8, GIS_FILL_NONE) },
        { "pending", N_("Application"), symbol (0xCC79A7, 1, 0xCC79A7, 1.0, GIS_FILL_DOTS) },
        { "active", N_("Title in force"), symbol (0xD55E00, 1, 0xD55E00, 1.0, GIS_FILL_HATCH) },
      };
      GisSymbol other = symbol (0x999999, 1, 0x555555, 0.8, GIS_FILL_HORIZONTAL);
      GisStyle *style;
      cats[0].symbol.dash = cats[1].symbol.dash = TRUE;
      style = categorized (data, mapping, "status", cats, G_N_ELEMENTS (cats), &other,
                           _("Status unknown"));
      return style;
    }

  if (g_strcmp0 (role, "landuse") == 0)
    {
      Category cats[] = {
        { "agriculture", N_("Agriculture"), symbol (0xF0E442, 0.35, 0xB8AD1F, 0.5, GIS_FILL_SOLID) },
        { "forest", N_("Forest"), symbol (0x009E73, 0.25, 0x007A59, 0.5, GIS_FILL_SOLID) },
        { "wetland", N_("Wetland"), symbol (0x56B4E9, 1, 0x3A8FC2, 0.5, GIS_FILL_HORIZONTAL) },
        { "water", N_("Water"), symbol (0x56B4E9, 0.6, 0x0072B2, 0.5, GIS_FILL_SOLID) },
        { "urban", N_("Urban area"), symbol (0x999999, 0.55, 0x666666, 0.5, GIS_FILL_SOLID) },
        { "road", N_("Road"), symbol (0x555555, 1, 0x555555, 1.0, GIS_FILL_SOLID) },
        { "sacred_site", N_("Sacred site"), symbol (0xCC79A7, 1, 0xA0567F, 0.8, GIS_FILL_CROSS_HATCH) },
        { "protected_area", N_("Protected area"), symbol (0x009E73, 1, 0x007A59, 1.0, GIS_FILL_CROSS_HATCH) },
      };
      GisSymbol other = symbol (0xdddddd, 0.5, 0x999999, 0.5, GIS_FILL_SOLID);
      return categorized (data, mapping, "class", cats, G_N_ELEMENTS (cats), &other,
                          _("Other land use"));
    }

  if (g_strcmp0 (role, "zones") == 0)
    {
      Category cats[] = {
        { "retired", N_("Retired zone"), symbol (0x777777, 0, 0x777777, 1.2, GIS_FILL_NONE) },
        { "candidate", N_("Candidate zone"), symbol (0x0072B2, 1, 0x0072B2, 1.6, GIS_FILL_DOTS) },
        { "proposed", N_("Proposed zone"), symbol (0x0072B2, 1, 0x0072B2, 1.8, GIS_FILL_HATCH) },
        { "suspended", N_("Suspended zone"), symbol (0xD55E00, 1, 0xD55E00, 1.8, GIS_FILL_CROSS_HATCH) },
        { "designated", N_("Designated zone"), symbol (0x0072B2, 0.45, 0x0072B2, 2.2, GIS_FILL_SOLID) },
      };
      GisSymbol other = symbol (0x0072B2, 1, 0x0072B2, 1.6, GIS_FILL_DOTS);
      GisStyle *style;
      cats[0].symbol.dash = cats[1].symbol.dash = TRUE;
      style = categorized (data, mapping, "status", cats, G_N_ELEMENTS (cats), &other, NULL);
      gis_style_set_label_field (style, mapping ? zones_mapping_get_field (mapping, "zone_id")
                                                : "zone_id");
      return style;
    }

  s = gis_symbol_default (gis_palette_okabe_ito (index_in_role));
  if (shape == GIS_SHAPE_POLYGON || shape == GIS_SHAPE_MIXED)
    s.fill.a = 0.5;
  return gis_style_new_single (&s);
}

/* Loading */

static GisShapeKind
shape_of (GisMapLayer *layer)
{
  GisVectorLayer *v = gis_map_layer_get_vector (layer);
  return v ? gis_vector_layer_get_shape_kind (v) : GIS_SHAPE_NONE;
}

/* Bottom to top. */
static int
role_rank (GisMapLayer *layer)
{
  const char *role = gis_map_layer_get_role (layer);
  GisShapeKind shape = shape_of (layer);

  if (gis_map_layer_get_raster (layer) != NULL)
    return 0;
  if (g_strcmp0 (role, "landuse") == 0)
    return 1;
  if (g_strcmp0 (role, "deposits") == 0)
    return 3;
  if (g_strcmp0 (role, "concessions") == 0)
    return 4;
  if (g_strcmp0 (role, "water") == 0)
    return shape == GIS_SHAPE_LINE ? 6 : 5;
  if (g_strcmp0 (role, "zones") == 0)
    return 7;
  if (g_strcmp0 (role, "borders") == 0)
    return 8;
  if (g_strcmp0 (role, "sites") == 0)
    return 9;
  return 2;
}

static char *
state_key (GisMapLayer *layer)
{
  gint64 id = gis_map_layer_get_id (layer);

  if (id == ZONES_MAP_ZONES_ID)
    return g_strdup ("zones");
  return g_strdup_printf ("layer:%" G_GINT64_FORMAT, id);
}

/**
 * zones_map_load_layer:
 * @index_in_role: see zones_map_default_style()
 *
 * Reads one layer of the project into memory, in @map_crs, with its role's default style.
 *
 * Returns: (transfer full): the map layer, or %NULL with an error naming the layer
 */
GisMapLayer *
zones_map_load_layer (GisProject            *project,
                      const GisProjectLayer *layer,
                      GisCrs                *map_crs,
                      guint                  index_in_role,
                      GCancellable          *cancellable,
                      GError               **error)
{
  g_autoptr(GisMapLayer) map_layer = NULL;
  g_autoptr(GisStyle) style = NULL;

  g_return_val_if_fail (GIS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (layer != NULL && map_crs != NULL, NULL);

  if (g_strcmp0 (layer->kind, "raster") == 0)
    {
      g_autofree char *path = gis_project_resolve_source (project, layer);
      g_autoptr(GisRaster) raster = gis_raster_open (path, error);
      if (raster == NULL)
        {
          g_prefix_error (error, _("Layer “%s”: "), layer->name);
          return NULL;
        }
      style = zones_map_default_style (layer->role, NULL, NULL, index_in_role);
      map_layer = gis_map_layer_new_raster (layer->name, raster, style);
      /* A land-cover raster is a backdrop: at full strength its colours drown the
       * titles and zones drawn over it. */
      gis_map_layer_set_opacity (map_layer, 0.45);
    }
  else
    {
      const char *layer_name = NULL;
      g_autoptr(GisDataset) ds = gis_project_open_layer (project, layer, &layer_name, error);
      g_autoptr(GisVectorLayer) data = NULL;
      g_autoptr(ZonesMapping) mapping = NULL;

      if (ds == NULL)
        {
          g_prefix_error (error, _("Layer “%s”: "), layer->name);
          return NULL;
        }
      data = gis_vector_layer_load (ds, layer_name, map_crs, NULL, NULL, cancellable, error);
      if (data == NULL)
        {
          g_prefix_error (error, _("Layer “%s”: "), layer->name);
          return NULL;
        }
      if (layer->mapping != NULL && zones_role_is_valid (layer->role))
        mapping = zones_mapping_new_from_json (layer->role, layer->mapping, NULL);
      style = zones_map_default_style (layer->role, data, mapping, index_in_role);
      map_layer = gis_map_layer_new_vector (layer->name, data, style);
    }
  gis_map_layer_set_role (map_layer, layer->role);
  gis_map_layer_set_id (map_layer, layer->id);
  return g_steal_pointer (&map_layer);
}

/**
 * zones_map_load_zones:
 *
 * The project's own register of ASM zones as a map layer.
 *
 * Returns: (transfer full) (nullable): the layer; %NULL with no error when the project has
 *   no zone register yet
 */
GisMapLayer *
zones_map_load_zones (GisProject *project, GisCrs *map_crs, GCancellable *cancellable,
                      GError **error)
{
  g_autoptr(GisDataset) ds = NULL;
  g_autoptr(GisVectorLayer) data = NULL;
  g_autoptr(GisStyle) style = NULL;
  GisMapLayer *layer;
  gboolean found = FALSE;

  g_return_val_if_fail (GIS_IS_PROJECT (project), NULL);

  ds = gis_dataset_open (gis_project_get_path (project), GIS_OPEN_VECTOR, error);
  if (ds == NULL)
    return NULL;
  for (guint i = 0; i < gis_dataset_get_n_layers (ds); i++)
    if (g_strcmp0 (gis_dataset_get_layer_name (ds, i), "placer_zones") == 0)
      found = TRUE;
  if (!found)
    return NULL;
  data = gis_vector_layer_load (ds, "placer_zones", map_crs, NULL, NULL, cancellable, error);
  if (data == NULL)
    return NULL;
  style = zones_map_default_style ("zones", data, NULL, 0);
  layer = gis_map_layer_new_vector (_("ASM zones"), data, style);
  gis_map_layer_set_role (layer, "zones");
  gis_map_layer_set_id (layer, ZONES_MAP_ZONES_ID);
  return layer;
}

/**
 * zones_map_compare_layers:
 *
 * Default drawing order: negative when @a goes below @b.
 */
int
zones_map_compare_layers (GisMapLayer *a, GisMapLayer *b)
{
  GisMapLayer *x = a, *y = b;
  int rx = role_rank (x), ry = role_rank (y);

  if (rx != ry)
    return rx - ry;
  /* Within a role, the order the layers were added to the project. */
  return (gis_map_layer_get_id (x) > gis_map_layer_get_id (y)) -
         (gis_map_layer_get_id (x) < gis_map_layer_get_id (y));
}

static int
compare_rank (gconstpointer a, gconstpointer b)
{
  return zones_map_compare_layers (*(GisMapLayer **) a, *(GisMapLayer **) b);
}

/* Restores order, visibility, opacity and styles saved by zones_map_save_state(). Saved
 * layers keep their saved order; layers added since go above them, in role order. */
static void
apply_state (GisProject *project, GPtrArray *layers)
{
  g_autofree char *text = gis_project_dup_meta (project, STATE_KEY);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) ordered = g_ptr_array_new ();
  JsonArray *saved;

  if (text == NULL || (root = json_from_string (text, NULL)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (root))
    return;
  for (guint i = 0; i < layers->len; i++)
    g_hash_table_insert (by_key, state_key (g_ptr_array_index (layers, i)),
                         g_ptr_array_index (layers, i));
  saved = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (saved); i++)
    {
      JsonNode *n = json_array_get_element (saved, i);
      JsonObject *o;
      GisMapLayer *layer;
      JsonNode *style_node;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      o = json_node_get_object (n);
      layer = g_hash_table_lookup (by_key, json_object_get_string_member_with_default (o, "key",
                                                                                      ""));
      if (layer == NULL || g_ptr_array_find (ordered, layer, NULL))
        continue;
      g_ptr_array_add (ordered, layer);
      gis_map_layer_set_visible (layer, json_object_get_boolean_member_with_default (o, "visible",
                                                                                     TRUE));
      gis_map_layer_set_opacity (layer, json_object_get_double_member_with_default (o, "opacity",
                                                                                    1.0));
      style_node = json_object_get_member (o, "style");
      if (style_node != NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GisStyle) style = gis_style_new_from_json (style_node, &error);
          /* A style this version cannot read falls back to the default, silently: it is
           * display state, and the data are untouched. */
          if (style != NULL)
            gis_map_layer_set_style (layer, style);
          else
            g_debug ("Saved style of “%s” ignored: %s", gis_map_layer_get_title (layer),
                     error->message);
        }
    }
  for (guint i = 0; i < layers->len; i++)
    if (!g_ptr_array_find (ordered, g_ptr_array_index (layers, i), NULL))
      g_ptr_array_add (ordered, g_ptr_array_index (layers, i));
  for (guint i = 0; i < layers->len; i++)
    layers->pdata[i] = ordered->pdata[i];
}

/**
 * zones_map_load:
 * @map_crs: (nullable): the map's CRS, or %NULL for the project's
 * @problems: (out) (optional) (element-type utf8): messages about layers that could not
 *   be read (a moved source file, say); the others are still shown
 *
 * Reads every layer of a project for display, bottom first. Blocking.
 *
 * Returns: (transfer full) (element-type GisMapLayer): the layers, or %NULL if the
 *   project itself cannot be read
 */
GPtrArray *
zones_map_load (GisProject    *project,
                GisCrs        *map_crs,
                GPtrArray    **problems,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) layers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) issues = g_ptr_array_new_with_free_func (g_free);
  GisMapLayer *zones;
  GError *local = NULL;

  g_return_val_if_fail (GIS_IS_PROJECT (project), NULL);

  if (map_crs == NULL)
    map_crs = gis_project_get_crs (project);
  entries = gis_project_list_layers (project, error);
  if (entries == NULL)
    return NULL;
  for (guint i = 0; i < entries->len; i++)
    {
      GisProjectLayer *entry = g_ptr_array_index (entries, i);
      GisMapLayer *layer = zones_map_load_layer (project, entry, map_crs, 0, cancellable,
                                                 &local);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_clear_error (&local);
          g_clear_object (&layer);
          return NULL;
        }
      if (layer == NULL)
        {
          g_ptr_array_add (issues, g_strdup (local->message));
          g_clear_error (&local);
          continue;
        }
      g_ptr_array_add (layers, layer);
    }
  zones = zones_map_load_zones (project, map_crs, cancellable, &local);
  if (zones != NULL)
    g_ptr_array_add (layers, zones);
  else if (local != NULL)
    {
      g_ptr_array_add (issues, g_strdup_printf (_("ASM zones: %s"), local->message));
      g_clear_error (&local);
    }

  g_ptr_array_sort (layers, compare_rank);

  /* Now that shapes are known: the n-th layer of a role and shape gets the n-th variant
   * of its default style. */
  for (guint i = 0; i < layers->len; i++)
    {
      GisMapLayer *layer = g_ptr_array_index (layers, i);
      guint index = 0;
      GisProjectLayer *entry = NULL;
      g_autoptr(ZonesMapping) mapping = NULL;
      g_autoptr(GisStyle) style = NULL;

      if (gis_map_layer_get_vector (layer) == NULL || gis_map_layer_get_id (layer) ==
          ZONES_MAP_ZONES_ID)
        continue;
      for (guint j = 0; j < i; j++)
        {
          GisMapLayer *other = g_ptr_array_index (layers, j);
          if (g_strcmp0 (gis_map_layer_get_role (other), gis_map_layer_get_role (layer)) == 0 &&
              shape_of (other) == shape_of (layer))
            index++;
        }
      if (index == 0)
        continue;
      for (guint k = 0; k < entries->len; k++)
        if (((GisProjectLayer *) g_ptr_array_index (entries, k))->id == gis_map_layer_get_id (layer))
          entry = g_ptr_array_index (entries, k);
      if (entry != NULL && entry->mapping != NULL && zones_role_is_valid (entry->role))
        mapping = zones_mapping_new_from_json (entry->role, entry->mapping, NULL);
      style = zones_map_default_style (gis_map_layer_get_role (layer),
                                       gis_map_layer_get_vector (layer), mapping, index);
      gis_map_layer_set_style (layer, style);
    }

  apply_state (project, layers);
  if (problems != NULL)
    *problems = g_steal_pointer (&issues);
  return g_steal_pointer (&layers);
}

/**
 * zones_map_save_state:
 * @layers: (element-type GisMapLayer): bottom first
 *
 * Keeps the order, visibility, opacity and style of each layer in the project, so that
 * it opens as it was left. Display state only: not in the audit log.
 */
gboolean
zones_map_save_state (GisProject *project, GPtrArray *layers, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (GIS_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (layers != NULL, FALSE);

  json_builder_begin_array (b);
  for (guint i = 0; i < layers->len; i++)
    {
      GisMapLayer *layer = g_ptr_array_index (layers, i);
      g_autofree char *key = state_key (layer);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, key);
      json_builder_set_member_name (b, "visible");
      json_builder_add_boolean_value (b, gis_map_layer_get_visible (layer));
      json_builder_set_member_name (b, "opacity");
      json_builder_add_double_value (b, gis_map_layer_get_opacity (layer));
      json_builder_set_member_name (b, "style");
      json_builder_add_value (b, gis_style_to_json (gis_map_layer_get_style (layer)));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  return gis_project_set_meta (project, STATE_KEY, text, error);
}

/**
 * zones_map_get_home:
 * @layers: (element-type GisMapLayer)
 *
 * The extent a project opens at: the one saved with the project ("view:extent"), else
 * all its vector layers.
 *
 * Returns: %FALSE if there is nothing to show
 */
gboolean
zones_map_get_home (GisProject *project, GPtrArray *layers, GisCrs *map_crs,
                    GisEnvelope *extent)
{
  g_autofree char *saved = NULL;
  GisEnvelope all = GIS_ENVELOPE_EMPTY;

  g_return_val_if_fail (GIS_IS_PROJECT (project) && layers != NULL && extent != NULL, FALSE);

  saved = gis_project_dup_meta (project, "view:extent");
  if (gis_envelope_parse (saved, extent))
    return TRUE;
  for (guint i = 0; i < layers->len; i++)
    {
      GisMapLayer *layer = g_ptr_array_index (layers, i);
      GisEnvelope e;
      if (gis_map_layer_get_vector (layer) != NULL &&
          gis_map_layer_get_extent (layer, map_crs, &e))
        gis_envelope_expand (&all, &e);
    }
  if (gis_envelope_is_empty (&all))
    return FALSE;
  *extent = all;
  return TRUE;
}
