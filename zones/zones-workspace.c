/* zones-workspace.c: an open project as the app sees it — its map layers and view
 *
 * The window observes a workspace: its layer list is a GListModel of GisMapLayer, top
 * layer first as the sidebar shows it. Opening and adding layers read files, so they run
 * in worker threads; everything else happens on the main thread. Writes to the project
 * from a worker and from the main thread are never interleaved: while a worker writes,
 * saving the view is deferred until it is done.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-workspace"

#include <glib/gi18n-lib.h>

#include "zones-error.h"
#include "zones-map.h"
#include "zones-workspace.h"

struct _ZonesWorkspace {
  GObject      parent_instance;

  /* Owned */
  GisProject  *project;
  GListStore  *layers;     /* GisMapLayer, top first */
  GisCrs      *crs;
  char        *title;
  GPtrArray   *problems;
  GisEnvelope  home;
  gboolean     has_home;
  GMutex       write_lock;
  gboolean     pending_save;
  GisEnvelope  pending_extent;
};

enum {
  PROP_0,
  PROP_TITLE,
  PROP_LAYERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ZonesWorkspace, zones_workspace, G_TYPE_OBJECT)

static void
zones_workspace_finalize (GObject *object)
{
  ZonesWorkspace *self = ZONES_WORKSPACE (object);

  g_clear_object (&self->project);
  g_clear_object (&self->layers);
  g_clear_pointer (&self->crs, gis_crs_unref);
  g_free (self->title);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_mutex_clear (&self->write_lock);

  G_OBJECT_CLASS (zones_workspace_parent_class)->finalize (object);
}

static void
zones_workspace_get_property (GObject *object, guint prop_id, GValue *value,
                              GParamSpec *pspec)
{
  ZonesWorkspace *self = ZONES_WORKSPACE (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_LAYERS:
      g_value_set_object (value, self->layers);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zones_workspace_class_init (ZonesWorkspaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = zones_workspace_finalize;
  object_class->get_property = zones_workspace_get_property;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAYERS] = g_param_spec_object ("layers", NULL, NULL, G_TYPE_LIST_MODEL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
zones_workspace_init (ZonesWorkspace *self)
{
  self->layers = g_list_store_new (GIS_TYPE_MAP_LAYER);
  self->problems = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&self->write_lock);
}

/**
 * zones_workspace_open:
 *
 * Opens a project for editing and reads its layers for display. Blocking: the app calls
 * zones_workspace_open_async(). A project on a read-only medium is opened read-only, and
 * that is reported among the problems.
 *
 * Returns: (transfer full): the workspace, or %NULL with an error naming the file
 */
ZonesWorkspace *
zones_workspace_open (const char *path, GCancellable *cancellable, GError **error)
{
  g_autoptr(ZonesWorkspace) self = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *title = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (ZONES_TYPE_WORKSPACE, NULL);
  self->project = gis_project_open (path, TRUE, &local);
  if (self->project == NULL)
    {
      /* Only a refusal to write is worth a second try read-only. */
      self->project = gis_project_open (path, FALSE, NULL);
      if (self->project == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      g_ptr_array_add (self->problems,
                       g_strdup_printf (_("“%s” is opened read-only: %s"), path, local->message));
    }
  self->crs = gis_crs_ref (gis_project_get_crs (self->project));
  layers = zones_map_load (self->project, self->crs, &problems, cancellable, error);
  if (layers == NULL)
    return NULL;
  for (guint i = 0; i < problems->len; i++)
    g_ptr_array_add (self->problems, g_strdup (g_ptr_array_index (problems, i)));
  for (guint i = layers->len; i > 0; i--)
    g_list_store_append (self->layers, g_ptr_array_index (layers, i - 1));
  self->has_home = zones_map_get_home (self->project, layers, self->crs, &self->home);
  title = gis_project_dup_meta (self->project, "title");
  if (title == NULL || *title == '\0')
    {
      g_free (title);
      title = g_path_get_basename (path);
    }
  self->title = g_steal_pointer (&title);
  return g_steal_pointer (&self);
}

static void
open_worker (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  ZonesWorkspace *ws = zones_workspace_open (task_data, cancellable, &error);

  if (ws == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ws, g_object_unref);
}

void
zones_workspace_open_async (const char          *path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, zones_workspace_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, open_worker);
}

/**
 * zones_workspace_open_finish:
 *
 * Returns: (transfer full): the workspace, or %NULL
 */
ZonesWorkspace *
zones_workspace_open_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * zones_workspace_get_project:
 *
 * Returns: (transfer none): the project
 */
GisProject *
zones_workspace_get_project (ZonesWorkspace *self)
{
  g_return_val_if_fail (ZONES_IS_WORKSPACE (self), NULL);
  return self->project;
}

/**
 * zones_workspace_get_layers:
 *
 * Returns: (transfer none): the map layers (#GisMapLayer), top first
 */
GListModel *
zones_workspace_get_layers (ZonesWorkspace *self)
{
  g_return_val_if_fail (ZONES_IS_WORKSPACE (self), NULL);
  return G_LIST_MODEL (self->layers);
}

/**
 * zones_workspace_get_crs:
 *
 * Returns: (transfer none): the map's CRS (the project's)
 */
GisCrs *
zones_workspace_get_crs (ZonesWorkspace *self)
{
  g_return_val_if_fail (ZONES_IS_WORKSPACE (self), NULL);
  return self->crs;
}

const char *
zones_workspace_get_title (ZonesWorkspace *self)
{
  g_return_val_if_fail (ZONES_IS_WORKSPACE (self), NULL);
  return self->title;
}

/**
 * zones_workspace_get_problems:
 *
 * Returns: (transfer none) (element-type utf8): what went wrong while opening, layer by
 *   layer (the rest of the project opened)
 */
GPtrArray *
zones_workspace_get_problems (ZonesWorkspace *self)
{
  g_return_val_if_fail (ZONES_IS_WORKSPACE (self), NULL);
  return self->problems;
}

gboolean
zones_workspace_get_home (ZonesWorkspace *self, GisEnvelope *extent)
{
  g_return_val_if_fail (ZONES_IS_WORKSPACE (self), FALSE);
  if (self->has_home)
    *extent = self->home;
  return self->has_home;
}

/**
 * zones_workspace_find_layer:
 *
 * Returns: (transfer none) (nullable): the layer titled @title
 */
GisMapLayer *
zones_workspace_find_layer (ZonesWorkspace *self, const char *title)
{
  g_return_val_if_fail (ZONES_IS_WORKSPACE (self), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->layers)); i++)
    {
      g_autoptr(GisMapLayer) layer = g_list_model_get_item (G_LIST_MODEL (self->layers), i);
      if (g_strcmp0 (gis_map_layer_get_title (layer), title) == 0)
        return layer;
    }
  return NULL;
}

/**
 * zones_workspace_move_layer:
 * @from: position in the list (top first)
 * @to: its new position
 */
void
zones_workspace_move_layer (ZonesWorkspace *self, guint from, guint to)
{
  g_autoptr(GisMapLayer) layer = NULL;
  guint n;

  g_return_if_fail (ZONES_IS_WORKSPACE (self));
  n = g_list_model_get_n_items (G_LIST_MODEL (self->layers));
  g_return_if_fail (from < n && to < n);
  if (from == to)
    return;
  layer = g_list_model_get_item (G_LIST_MODEL (self->layers), from);
  g_list_store_remove (self->layers, from);
  g_list_store_insert (self->layers, to, layer);
}

static gboolean
save_locked (ZonesWorkspace *self, const GisEnvelope *extent, GError **error)
{
  g_autoptr(GPtrArray) bottom_first = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->layers));

  for (guint i = n; i > 0; i--)
    g_ptr_array_add (bottom_first, g_list_model_get_item (G_LIST_MODEL (self->layers), i - 1));
  if (!zones_map_save_state (self->project, bottom_first, error))
    return FALSE;
  if (extent != NULL && !gis_envelope_is_empty (extent))
    {
      g_autofree char *text = gis_envelope_to_string (extent);
      if (!gis_project_set_meta (self->project, "view:extent", text, error))
        return FALSE;
      self->home = *extent;
      self->has_home = TRUE;
    }
  return TRUE;
}

/**
 * zones_workspace_save_view:
 * @extent: (nullable): the extent shown, to reopen at
 *
 * Keeps the layer order, visibility, opacity, styles and the extent in the project.
 * When a layer is being added, the save happens as soon as that is done.
 */
gboolean
zones_workspace_save_view (ZonesWorkspace *self, const GisEnvelope *extent, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (ZONES_IS_WORKSPACE (self), FALSE);

  if (!g_mutex_trylock (&self->write_lock))
    {
      self->pending_save = TRUE;
      self->pending_extent = extent ? *extent : GIS_ENVELOPE_EMPTY;
      return TRUE;
    }
  ok = save_locked (self, extent, error);
  g_mutex_unlock (&self->write_lock);
  return ok;
}

/* Adding a layer */

typedef struct {
  ZonesLayerCandidate *candidate;
  char                *name;
} AddData;

static void
add_data_free (gpointer data)
{
  AddData *d = data;

  zones_layer_candidate_free (d->candidate);
  g_free (d->name);
  g_free (d);
}

static void
add_worker (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ZonesWorkspace *self = source;
  AddData *d = task_data;
  GError *error = NULL;
  g_autoptr(GisProjectLayer) entry = NULL;
  GisMapLayer *layer;
  const char *name = d->name ? d->name : d->candidate->layer->name;

  /* A large raster gets its overviews first, outside the project's lock. */
  if (!zones_layer_prepare_display (d->candidate, NULL, NULL, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_mutex_lock (&self->write_lock);
  if (!zones_layer_add_to_project (self->project, d->candidate, d->name, TRUE, cancellable,
                                   &error))
    {
      g_mutex_unlock (&self->write_lock);
      g_task_return_error (task, error);
      return;
    }
  entry = gis_project_find_layer (self->project, name, &error);
  g_mutex_unlock (&self->write_lock);
  if (entry == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  layer = zones_map_load_layer (self->project, entry, self->crs, 0, cancellable, &error);
  if (layer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, layer, g_object_unref);
}

/**
 * zones_workspace_add_layer_async:
 * @candidate: (transfer full): the file, its role and its confirmed mapping
 * @name: (nullable): the layer's name in the project
 *
 * Copies a layer into the project (features embedded) and reads it for display.
 */
void
zones_workspace_add_layer_async (ZonesWorkspace      *self,
                                 ZonesLayerCandidate *candidate,
                                 const char          *name,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AddData *d;

  g_return_if_fail (ZONES_IS_WORKSPACE (self));
  g_return_if_fail (candidate != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zones_workspace_add_layer_async);
  d = g_new0 (AddData, 1);
  d->candidate = candidate;
  d->name = g_strdup (name);
  g_task_set_task_data (task, d, add_data_free);
  g_task_run_in_thread (task, add_worker);
}

/**
 * zones_workspace_add_layer_finish:
 *
 * Puts the new layer in the list, above the layers its role goes above.
 *
 * Returns: (transfer none): the new layer, or %NULL
 */
GisMapLayer *
zones_workspace_add_layer_finish (ZonesWorkspace *self, GAsyncResult *result, GError **error)
{
  g_autoptr(GisMapLayer) layer = NULL;
  guint n, at;

  g_return_val_if_fail (ZONES_IS_WORKSPACE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  layer = g_task_propagate_pointer (G_TASK (result), error);
  if (self->pending_save)
    {
      g_autoptr(GError) local = NULL;
      self->pending_save = FALSE;
      if (!zones_workspace_save_view (self, &self->pending_extent, &local))
        g_warning ("The map view could not be saved: %s", local->message);
    }
  if (layer == NULL)
    return NULL;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->layers));
  for (at = 0; at < n; at++)
    {
      g_autoptr(GisMapLayer) other = g_list_model_get_item (G_LIST_MODEL (self->layers), at);
      if (zones_map_compare_layers (other, layer) <= 0)
        break;
    }
  g_list_store_insert (self->layers, at, layer);
  return layer;
}

/**
 * zones_workspace_remove_layer:
 *
 * Removes a layer from the project (its source file is untouched).
 */
void
zones_workspace_remove_layer (ZonesWorkspace *self, GisMapLayer *layer, GError **error)
{
  guint position;

  g_return_if_fail (ZONES_IS_WORKSPACE (self));
  g_return_if_fail (GIS_IS_MAP_LAYER (layer));

  if (gis_map_layer_get_id (layer) == ZONES_MAP_ZONES_ID)
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           _("The zone register is part of the project and cannot be removed"));
      return;
    }
  if (!g_mutex_trylock (&self->write_lock))
    {
      g_set_error_literal (error, ZONES_ERROR, ZONES_ERROR_INPUT,
                           _("A layer is being added; try again when it is done"));
      return;
    }
  if (gis_project_remove_layer (self->project, gis_map_layer_get_title (layer), error) &&
      g_list_store_find (self->layers, layer, &position))
    g_list_store_remove (self->layers, position);
  g_mutex_unlock (&self->write_lock);
}
