/* zones-register.c: the ASM zone register
 *
 * Zones live in the project in two registers: placer_zones (one polygon per zone with its
 * attributes) and placer_zone_consents (title holders' consents). Every change writes the
 * zone's rows and an audit entry holding the zone before and after, as one transaction.
 * The audit entries are also the edit history: undo writes a zone's "before" state back,
 * redo its "after" state, so the app and placer-cli share undo and redo, across sessions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-register"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "zones-error.h"
#include "zones-register.h"

#define TABLE_ZONES    "placer_zones"
#define TABLE_CONSENTS "placer_zone_consents"
#define META_HISTORY   "zone_history"

static const GisFieldInfo zone_fields[] = {
  { "zone_id", GIS_FIELD_STRING }, { "name", GIS_FIELD_STRING },
  { "country", GIS_FIELD_STRING }, { "mineral", GIS_FIELD_STRING },
  { "deposit_type", GIS_FIELD_STRING }, { "status", GIS_FIELD_STRING },
  { "legal_ref", GIS_FIELD_STRING }, { "authority", GIS_FIELD_STRING },
  { "created", GIS_FIELD_STRING }, { "date_proposed", GIS_FIELD_STRING },
  { "date_designated", GIS_FIELD_STRING }, { "notes", GIS_FIELD_STRING },
  { "planned_depth_m", GIS_FIELD_REAL }, { "override_reason", GIS_FIELD_STRING },
  { "version", GIS_FIELD_INTEGER },
};

static const GisFieldInfo consent_fields[] = {
  { "consent_id", GIS_FIELD_STRING }, { "zone_id", GIS_FIELD_STRING },
  { "title_id", GIS_FIELD_STRING }, { "reference", GIS_FIELD_STRING },
  { "recorded", GIS_FIELD_STRING },
};

static const char *const statuses[] = { "candidate", "proposed", "designated", "suspended",
                                        "retired", NULL };

gboolean
zones_status_is_valid (const char *status)
{
  return status != NULL && g_strv_contains (statuses, status);
}

/* ---------------------------------------------------------------------------------------- */
/* Zone values */

static void
consent_free (ZonesConsent *c)
{
  g_free (c->title_id);
  g_free (c->reference);
  g_free (c->recorded);
  g_free (c);
}

ZonesZone *
zones_zone_new (void)
{
  ZonesZone *z = g_new0 (ZonesZone, 1);
  z->planned_depth_m = NAN;
  z->consents = g_ptr_array_new_with_free_func ((GDestroyNotify) consent_free);
  return z;
}

void
zones_zone_free (ZonesZone *z)
{
  if (z == NULL)
    return;
  g_free (z->zone_id);
  g_free (z->name);
  g_free (z->country);
  g_free (z->mineral);
  g_free (z->deposit_type);
  g_free (z->status);
  g_free (z->legal_ref);
  g_free (z->authority);
  g_free (z->created);
  g_free (z->date_proposed);
  g_free (z->date_designated);
  g_free (z->notes);
  g_free (z->override_reason);
  g_clear_pointer (&z->geometry, gis_geometry_unref);
  g_clear_pointer (&z->consents, g_ptr_array_unref);
  g_free (z);
}

ZonesZone *
zones_zone_copy (const ZonesZone *z)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (z != NULL, NULL);
  json = zones_zone_to_json (z);
  return zones_zone_new_from_json (json, NULL);
}

gboolean
zones_zone_has_consent (const ZonesZone *z, const char *title_id)
{
  for (guint i = 0; z->consents && i < z->consents->len; i++)
    if (g_strcmp0 (((ZonesConsent *) g_ptr_array_index (z->consents, i))->title_id, title_id) == 0)
      return TRUE;
  return FALSE;
}

#define ZONE_STRINGS(X) \
  X (zone_id) X (name) X (country) X (mineral) X (deposit_type) X (status) X (legal_ref) \
  X (authority) X (created) X (date_proposed) X (date_designated) X (notes) X (override_reason)

/**
 * zones_zone_to_json:
 *
 * The zone as the audit log keeps it: every attribute, its consents and its geometry as
 * WKT with full precision.
 *
 * Returns: (transfer full): JSON text
 */
char *
zones_zone_to_json (const ZonesZone *z)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (z != NULL, NULL);

  json_builder_begin_object (b);
#define ADD(f) json_builder_set_member_name (b, #f); \
  if (z->f) json_builder_add_string_value (b, z->f); else json_builder_add_null_value (b);
  ZONE_STRINGS (ADD)
#undef ADD
  json_builder_set_member_name (b, "planned_depth_m");
  if (isnan (z->planned_depth_m))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, z->planned_depth_m);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, z->version);
  json_builder_set_member_name (b, "consents");
  json_builder_begin_array (b);
  for (guint i = 0; z->consents && i < z->consents->len; i++)
    {
      ZonesConsent *c = g_ptr_array_index (z->consents, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "title_id");
      json_builder_add_string_value (b, c->title_id);
      json_builder_set_member_name (b, "reference");
      json_builder_add_string_value (b, c->reference);
      json_builder_set_member_name (b, "recorded");
      json_builder_add_string_value (b, c->recorded);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "geometry");
  if (z->geometry)
    {
      g_autofree char *wkt = gis_geometry_to_wkt (z->geometry, 17);
      json_builder_add_string_value (b, wkt);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || JSON_NODE_HOLDS_NULL (n) || !JSON_NODE_HOLDS_VALUE (n))
    return NULL;
  return g_strdup (json_node_get_string (n));
}

/**
 * zones_zone_new_from_json:
 *
 * Returns: (transfer full): the zone written by zones_zone_to_json()
 */
ZonesZone *
zones_zone_new_from_json (const char *json, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ZonesZone) z = zones_zone_new ();
  JsonObject *o;
  JsonNode *n;
  g_autofree char *wkt = NULL;

  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT, "A zone record must be an object");
      return NULL;
    }
  o = json_node_get_object (json_parser_get_root (parser));
#define GET(f) z->f = member_string (o, #f);
  ZONE_STRINGS (GET)
#undef GET
  n = json_object_get_member (o, "planned_depth_m");
  if (n != NULL && JSON_NODE_HOLDS_VALUE (n))
    z->planned_depth_m = json_node_get_double (n);
  n = json_object_get_member (o, "version");
  if (n != NULL && JSON_NODE_HOLDS_VALUE (n))
    z->version = json_node_get_int (n);
  n = json_object_get_member (o, "consents");
  if (n != NULL && JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonArray *a = json_node_get_array (n);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonObject *co = json_array_get_object_element (a, i);
          ZonesConsent *c = g_new0 (ZonesConsent, 1);
          c->title_id = member_string (co, "title_id");
          c->reference = member_string (co, "reference");
          c->recorded = member_string (co, "recorded");
          g_ptr_array_add (z->consents, c);
        }
    }
  wkt = member_string (o, "geometry");
  if (wkt != NULL)
    {
      z->geometry = gis_geometry_new_from_wkt (wkt, error);
      if (z->geometry == NULL)
        return NULL;
    }
  if (z->zone_id == NULL)
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT, "A zone record needs a zone_id");
      return NULL;
    }
  return g_steal_pointer (&z);
}

/* ---------------------------------------------------------------------------------------- */

struct _ZonesRegister {
  GObject     parent_instance;

  /* Owned */
  GisProject *project;
};

G_DEFINE_FINAL_TYPE (ZonesRegister, zones_register, G_TYPE_OBJECT)

static void
zones_register_finalize (GObject *object)
{
  ZonesRegister *self = ZONES_REGISTER (object);

  g_clear_object (&self->project);
  G_OBJECT_CLASS (zones_register_parent_class)->finalize (object);
}

static void
zones_register_class_init (ZonesRegisterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zones_register_finalize;
}

static void
zones_register_init (ZonesRegister *self)
{
}

/**
 * zones_register_new:
 * @project: a project open for writing
 *
 * Returns: (transfer full): the register, its tables created if the project lacked them
 */
ZonesRegister *
zones_register_new (GisProject *project, GError **error)
{
  ZonesRegister *self;

  g_return_val_if_fail (GIS_IS_PROJECT (project), NULL);

  if (!gis_project_register_ensure (project, TABLE_ZONES, TRUE, zone_fields,
                                    G_N_ELEMENTS (zone_fields),
                                    "Placer ASM zone register", error) ||
      !gis_project_register_ensure (project, TABLE_CONSENTS, FALSE, consent_fields,
                                    G_N_ELEMENTS (consent_fields),
                                    "Placer: title holders' consents to ASM zones", error))
    return NULL;
  self = g_object_new (ZONES_TYPE_REGISTER, NULL);
  self->project = g_object_ref (project);
  return self;
}

GisProject *
zones_register_get_project (ZonesRegister *self)
{
  g_return_val_if_fail (ZONES_IS_REGISTER (self), NULL);
  return self->project;
}

static ZonesZone *
zone_from_row (GisFeature *row)
{
  ZonesZone *z = zones_zone_new ();
  const char *depth;

  z->zone_id = g_strdup (row->values[0]);
  z->name = g_strdup (row->values[1]);
  z->country = g_strdup (row->values[2]);
  z->mineral = g_strdup (row->values[3]);
  z->deposit_type = g_strdup (row->values[4]);
  z->status = g_strdup (row->values[5]);
  z->legal_ref = g_strdup (row->values[6]);
  z->authority = g_strdup (row->values[7]);
  z->created = g_strdup (row->values[8]);
  z->date_proposed = g_strdup (row->values[9]);
  z->date_designated = g_strdup (row->values[10]);
  z->notes = g_strdup (row->values[11]);
  depth = row->values[12];
  z->planned_depth_m = depth ? g_ascii_strtod (depth, NULL) : NAN;
  z->override_reason = g_strdup (row->values[13]);
  z->version = row->values[14] ? g_ascii_strtoll (row->values[14], NULL, 10) : 0;
  z->geometry = row->geometry ? gis_geometry_ref (row->geometry) : NULL;
  return z;
}

static void
attach_consents (ZonesZone *z, GPtrArray *consent_rows)
{
  for (guint i = 0; i < consent_rows->len; i++)
    {
      GisFeature *row = g_ptr_array_index (consent_rows, i);
      ZonesConsent *c;
      if (g_strcmp0 (row->values[1], z->zone_id) != 0)
        continue;
      c = g_new0 (ZonesConsent, 1);
      c->title_id = g_strdup (row->values[2]);
      c->reference = g_strdup (row->values[3]);
      c->recorded = g_strdup (row->values[4]);
      g_ptr_array_add (z->consents, c);
    }
}

static int
compare_zones (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 ((*(ZonesZone *const *) a)->zone_id, (*(ZonesZone *const *) b)->zone_id);
}

/**
 * zones_register_list:
 *
 * Returns: (transfer full) (element-type ZonesZone): every zone, by id
 */
GPtrArray *
zones_register_list (ZonesRegister *self, GError **error)
{
  g_return_val_if_fail (ZONES_IS_REGISTER (self), NULL);

  return zones_register_read_zones (self->project, error);
}

/**
 * zones_register_read_zones:
 *
 * The zones of a project without opening its register: a project opened read-only, or one
 * that has no register yet (no zones), can be read.
 *
 * Returns: (transfer full) (element-type ZonesZone): every zone, by id
 */
GPtrArray *
zones_register_read_zones (GisProject *project, GError **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) consents = NULL;
  GPtrArray *zones;

  g_return_val_if_fail (GIS_IS_PROJECT (project), NULL);

  rows = gis_project_register_read (project, TABLE_ZONES, error);
  consents = rows ? gis_project_register_read (project, TABLE_CONSENTS, error) : NULL;
  if (consents == NULL)
    return NULL;
  zones = g_ptr_array_new_with_free_func ((GDestroyNotify) zones_zone_free);
  for (guint i = 0; i < rows->len; i++)
    {
      ZonesZone *z = zone_from_row (g_ptr_array_index (rows, i));
      attach_consents (z, consents);
      g_ptr_array_add (zones, z);
    }
  g_ptr_array_sort (zones, compare_zones);
  return zones;
}

/**
 * zones_register_get:
 *
 * Returns: (transfer full): the zone, or %NULL with #ZONES_ERROR_INPUT naming it
 */
ZonesZone *
zones_register_get (ZonesRegister *self, const char *zone_id, GError **error)
{
  g_autoptr(GPtrArray) zones = zones_register_list (self, error);

  if (zones == NULL)
    return NULL;
  for (guint i = 0; i < zones->len; i++)
    {
      ZonesZone *z = g_ptr_array_index (zones, i);
      if (g_strcmp0 (z->zone_id, zone_id) == 0)
        return g_steal_pointer (&zones->pdata[i]);
    }
  g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "“%s” has no zone “%s”",
               gis_project_get_path (self->project), zone_id);
  return NULL;
}

/**
 * zones_register_next_id:
 *
 * Returns: (transfer full): the next free id of the form Z-0001
 */
char *
zones_register_next_id (ZonesRegister *self, GError **error)
{
  g_autoptr(GPtrArray) zones = zones_register_list (self, error);
  guint max = 0;

  if (zones == NULL)
    return NULL;
  for (guint i = 0; i < zones->len; i++)
    {
      ZonesZone *z = g_ptr_array_index (zones, i);
      if (g_str_has_prefix (z->zone_id, "Z-"))
        max = MAX (max, (guint) g_ascii_strtoull (z->zone_id + 2, NULL, 10));
    }
  return g_strdup_printf ("Z-%04u", max + 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Writing: the zone's row, its consent rows (the old ones deleted) and the audit entry. */

typedef struct {
  GArray    *changes;   /* GisRegisterChange, pointing at the storage below */
  GPtrArray *strings;   /* owned text the changes point to */
  GPtrArray *vectors;   /* owned value arrays */
} ChangeSet;

static void
change_set_clear (ChangeSet *cs)
{
  g_clear_pointer (&cs->changes, g_array_unref);
  g_clear_pointer (&cs->strings, g_ptr_array_unref);
  g_clear_pointer (&cs->vectors, g_ptr_array_unref);
}

static const char *
keep (ChangeSet *cs, char *s)
{
  g_ptr_array_add (cs->strings, s);
  return s;
}

static void
add_change (ChangeSet *cs, const char *table, const char *key, GisGeometry *geometry,
            const char **values)
{
  GisRegisterChange c = { table, key, geometry, values };
  g_array_append_val (cs->changes, c);
}

static char *
fmt_double (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_dtostr (buf, sizeof buf, v));
}

/* Rows that turn the register from @old to @new for one zone (either may be NULL). */
static void
build_changes (ChangeSet *cs, const char *zone_id, const ZonesZone *old, const ZonesZone *new)
{
  cs->changes = g_array_new (FALSE, FALSE, sizeof (GisRegisterChange));
  cs->strings = g_ptr_array_new_with_free_func (g_free);
  cs->vectors = g_ptr_array_new_with_free_func (g_free);

  /* Consents: delete the old ones, write the new ones. */
  for (guint i = 0; old && i < old->consents->len; i++)
    {
      ZonesConsent *c = g_ptr_array_index (old->consents, i);
      add_change (cs, TABLE_CONSENTS, keep (cs, g_strdup_printf ("%s|%s", zone_id, c->title_id)),
                  NULL, NULL);
    }
  if (new == NULL)
    {
      add_change (cs, TABLE_ZONES, zone_id, NULL, NULL);
      return;
    }
  {
    const char **v = g_new0 (const char *, G_N_ELEMENTS (zone_fields) + 1);
    g_ptr_array_add (cs->vectors, v);
    v[0] = new->zone_id;
    v[1] = new->name;
    v[2] = new->country;
    v[3] = new->mineral;
    v[4] = new->deposit_type;
    v[5] = new->status;
    v[6] = new->legal_ref;
    v[7] = new->authority;
    v[8] = new->created;
    v[9] = new->date_proposed;
    v[10] = new->date_designated;
    v[11] = new->notes;
    v[12] = isnan (new->planned_depth_m) ? NULL : keep (cs, fmt_double (new->planned_depth_m));
    v[13] = new->override_reason;
    v[14] = keep (cs, g_strdup_printf ("%" G_GINT64_FORMAT, new->version));
    add_change (cs, TABLE_ZONES, zone_id, new->geometry, v);
  }
  for (guint i = 0; i < new->consents->len; i++)
    {
      ZonesConsent *c = g_ptr_array_index (new->consents, i);
      const char **v = g_new0 (const char *, G_N_ELEMENTS (consent_fields) + 1);
      const char *key = keep (cs, g_strdup_printf ("%s|%s", zone_id, c->title_id));
      g_ptr_array_add (cs->vectors, v);
      v[0] = key;
      v[1] = new->zone_id;
      v[2] = c->title_id;
      v[3] = c->reference;
      v[4] = c->recorded;
      add_change (cs, TABLE_CONSENTS, key, NULL, v);
    }
}

/* The undo/redo stacks: audit ids of zone edits, kept in the project's metadata so that
 * they outlive the process. */
typedef struct {
  GArray *done;
  GArray *undone;
} History;

static void
history_clear (History *h)
{
  g_clear_pointer (&h->done, g_array_unref);
  g_clear_pointer (&h->undone, g_array_unref);
}

static void
history_read_array (JsonObject *o, const char *name, GArray *into)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (n)); i++)
    {
      gint64 v = json_array_get_int_element (json_node_get_array (n), i);
      g_array_append_val (into, v);
    }
}

static void
history_load (ZonesRegister *self, History *h)
{
  g_autofree char *text = gis_project_dup_meta (self->project, META_HISTORY);
  g_autoptr(JsonParser) parser = json_parser_new ();

  h->done = g_array_new (FALSE, FALSE, sizeof (gint64));
  h->undone = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  history_read_array (json_node_get_object (json_parser_get_root (parser)), "done", h->done);
  history_read_array (json_node_get_object (json_parser_get_root (parser)), "undone", h->undone);
}

static char *
history_to_json (History *h)
{
  GString *s = g_string_new ("{\"done\":[");
  for (guint i = 0; i < h->done->len; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? "," : "", g_array_index (h->done, gint64, i));
  g_string_append (s, "],\"undone\":[");
  for (guint i = 0; i < h->undone->len; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? "," : "", g_array_index (h->undone, gint64, i));
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

/* Writes @new over @old for one zone with an audit entry; @push says how the history
 * changes: 0 a new edit (done += id, undone cleared), 1 an undo, 2 a redo. */
static gboolean
write_zone (ZonesRegister *self, const char *zone_id, const ZonesZone *old, const ZonesZone *new,
            const char *action, History *h, int push, gint64 target, GError **error)
{
  ChangeSet cs = { 0 };
  g_autofree char *before = old ? zones_zone_to_json (old) : NULL;
  g_autofree char *after = new ? zones_zone_to_json (new) : NULL;
  g_autofree char *history = NULL;
  gint64 id;
  GArray *done_copy = g_array_copy (h->done);
  GArray *undone_copy = g_array_copy (h->undone);
  History next = { done_copy, undone_copy };

  /* The stacks as they will be after this write, written in the same transaction as the
   * edit. A new edit is known by the id of the audit entry this write adds, which is
   * predicted below from the append-only log. */
  if (push == 1)
    {
      g_array_set_size (next.done, next.done->len - 1);
      g_array_append_val (next.undone, target);
    }
  else if (push == 2)
    {
      g_array_set_size (next.undone, next.undone->len - 1);
      g_array_append_val (next.done, target);
    }
  else
    g_array_set_size (next.undone, 0);

  build_changes (&cs, zone_id, old, new);
  if (push == 0)
    {
      /* The new entry's id is the audit log's next id; the log is append-only, so the
       * highest existing id + 1 is what the insert will get. */
      g_autoptr(GPtrArray) audit = gis_project_list_audit (self->project, error);
      gint64 next_id = 1;
      if (audit == NULL)
        {
          change_set_clear (&cs);
          history_clear (&next);
          return FALSE;
        }
      for (guint i = 0; i < audit->len; i++)
        next_id = MAX (next_id, ((GisAuditEntry *) g_ptr_array_index (audit, i))->id + 1);
      g_array_append_val (next.done, next_id);
    }
  history = history_to_json (&next);
  id = gis_project_register_apply (self->project, (GisRegisterChange *) (gpointer) cs.changes->data,
                                   cs.changes->len, action, zone_id, before, after,
                                   META_HISTORY, history, error);
  change_set_clear (&cs);
  history_clear (&next);
  return id >= 0;
}

/**
 * zones_register_add:
 * @zone: the new zone; a missing id is given the next free one, the status defaults to
 *   candidate, @version becomes 1
 */
gboolean
zones_register_add (ZonesRegister *self, ZonesZone *zone, GError **error)
{
  History h = { 0 };
  g_autoptr(ZonesZone) existing = NULL;
  gboolean ok;

  g_return_val_if_fail (ZONES_IS_REGISTER (self), FALSE);
  g_return_val_if_fail (zone != NULL, FALSE);

  if (zone->geometry == NULL || gis_geometry_is_empty (zone->geometry))
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT, "A zone needs a shape");
      return FALSE;
    }
  if (zone->zone_id == NULL)
    {
      zone->zone_id = zones_register_next_id (self, error);
      if (zone->zone_id == NULL)
        return FALSE;
    }
  else
    {
      g_autoptr(GError) local = NULL;
      existing = zones_register_get (self, zone->zone_id, &local);
      if (existing != NULL)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_STATE, "Zone “%s” exists already",
                       zone->zone_id);
          return FALSE;
        }
    }
  if (zone->status == NULL)
    zone->status = g_strdup ("candidate");
  if (!zones_status_is_valid (zone->status))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "“%s” is not a zone status",
                   zone->status);
      return FALSE;
    }
  if (zone->created == NULL)
    zone->created = gis_now_iso8601 ();
  zone->version = 1;
  history_load (self, &h);
  ok = write_zone (self, zone->zone_id, NULL, zone, "zone-add", &h, 0, 0, error);
  history_clear (&h);
  return ok;
}

/**
 * zones_register_update:
 * @zone: the zone's new state (attributes, geometry, consents)
 * @expected_version: the version the caller read; if the register holds another, someone
 *   changed the zone meanwhile and the update is refused (no silent overwrite)
 * @action: the audit action, e.g. "zone-edit", "zone-status", "zone-consent"
 */
gboolean
zones_register_update (ZonesRegister *self, ZonesZone *zone, gint64 expected_version,
                       const char *action, GError **error)
{
  g_autoptr(ZonesZone) old = NULL;
  History h = { 0 };
  gboolean ok;

  g_return_val_if_fail (ZONES_IS_REGISTER (self), FALSE);
  g_return_val_if_fail (zone != NULL && zone->zone_id != NULL && action != NULL, FALSE);

  old = zones_register_get (self, zone->zone_id, error);
  if (old == NULL)
    return FALSE;
  if (old->version != expected_version)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_STATE,
                   "Zone “%s” was changed by someone else (version %" G_GINT64_FORMAT ", you "
                   "edited version %" G_GINT64_FORMAT "); reload it and try again",
                   zone->zone_id, old->version, expected_version);
      return FALSE;
    }
  if (!zones_status_is_valid (zone->status))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_INPUT, "“%s” is not a zone status",
                   zone->status ? zone->status : "(none)");
      return FALSE;
    }
  if (zone->geometry == NULL || gis_geometry_is_empty (zone->geometry))
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT, "A zone needs a shape");
      return FALSE;
    }
  zone->version = old->version + 1;
  history_load (self, &h);
  ok = write_zone (self, zone->zone_id, old, zone, action, &h, 0, 0, error);
  history_clear (&h);
  return ok;
}

/* Applies the before (undo) or after (redo) state recorded in audit entry @id. */
static gboolean
replay (ZonesRegister *self, gboolean undo, char **zone_id, GError **error)
{
  History h = { 0 };
  g_autoptr(GPtrArray) audit = NULL;
  GisAuditEntry *entry = NULL;
  GArray *stack;
  gint64 id;
  g_autoptr(ZonesZone) target = NULL;
  g_autoptr(ZonesZone) current = NULL;
  g_autoptr(GError) local = NULL;
  const char *state;
  gboolean ok;

  history_load (self, &h);
  stack = undo ? h.done : h.undone;
  if (stack->len == 0)
    {
      history_clear (&h);
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_STATE, "Nothing to %s",
                   undo ? "undo" : "redo");
      return FALSE;
    }
  id = g_array_index (stack, gint64, stack->len - 1);
  audit = gis_project_list_audit (self->project, error);
  if (audit == NULL)
    {
      history_clear (&h);
      return FALSE;
    }
  for (guint i = 0; i < audit->len; i++)
    if (((GisAuditEntry *) g_ptr_array_index (audit, i))->id == id)
      entry = g_ptr_array_index (audit, i);
  if (entry == NULL)
    {
      history_clear (&h);
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_STATE,
                   "The edit history names audit entry %" G_GINT64_FORMAT ", which is missing", id);
      return FALSE;
    }
  state = undo ? entry->before : entry->after;
  if (state != NULL)
    {
      target = zones_zone_new_from_json (state, error);
      if (target == NULL)
        {
          history_clear (&h);
          return FALSE;
        }
    }
  current = zones_register_get (self, entry->object, &local);
  /* The restored state carries a new version, so that a copy edited before the undo is
   * seen as stale. */
  if (target != NULL)
    target->version = (current ? current->version : 0) + 1;
  ok = write_zone (self, entry->object, current, target, undo ? "zone-undo" : "zone-redo", &h,
                   undo ? 1 : 2, id, error);
  if (ok && zone_id != NULL)
    *zone_id = g_strdup (entry->object);
  history_clear (&h);
  return ok;
}

/**
 * zones_register_undo:
 * @zone_id: (out) (optional) (transfer full): the zone the undone edit was about
 *
 * Undoes the latest zone edit not yet undone, in this session or an earlier one.
 */
gboolean
zones_register_undo (ZonesRegister *self, char **zone_id, GError **error)
{
  g_return_val_if_fail (ZONES_IS_REGISTER (self), FALSE);
  return replay (self, TRUE, zone_id, error);
}

/**
 * zones_register_redo:
 * @zone_id: (out) (optional) (transfer full): the zone the redone edit was about
 */
gboolean
zones_register_redo (ZonesRegister *self, char **zone_id, GError **error)
{
  g_return_val_if_fail (ZONES_IS_REGISTER (self), FALSE);
  return replay (self, FALSE, zone_id, error);
}

gboolean
zones_register_can_undo (ZonesRegister *self)
{
  History h = { 0 };
  gboolean r;

  history_load (self, &h);
  r = h.done->len > 0;
  history_clear (&h);
  return r;
}

gboolean
zones_register_can_redo (ZonesRegister *self)
{
  History h = { 0 };
  gboolean r;

  history_load (self, &h);
  r = h.undone->len > 0;
  history_clear (&h);
  return r;
}

/**
 * zones_register_history:
 * @zone_id: (nullable): one zone, or every zone
 *
 * Returns: (transfer full) (element-type GisAuditEntry): the zone edits, oldest first
 */
GPtrArray *
zones_register_history (ZonesRegister *self, const char *zone_id, GError **error)
{
  g_autoptr(GPtrArray) audit = NULL;
  GPtrArray *out;

  g_return_val_if_fail (ZONES_IS_REGISTER (self), NULL);

  audit = gis_project_list_audit (self->project, error);
  if (audit == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_audit_entry_free);
  for (guint i = 0; i < audit->len; i++)
    {
      GisAuditEntry *e = g_ptr_array_index (audit, i);
      if (!g_str_has_prefix (e->action, "zone-"))
        continue;
      if (zone_id != NULL && g_strcmp0 (e->object, zone_id) != 0)
        continue;
      g_ptr_array_add (out, g_steal_pointer (&audit->pdata[i]));
    }
  return out;
}
