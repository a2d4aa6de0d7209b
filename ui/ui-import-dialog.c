/* ui-import-dialog.c: adding a file to the project, with its role and field mapping
 *
 * The planner picks or drops a file; Placer guesses what it is (its role) and which of
 * its fields and values mean what (the mapping), and shows the guess for confirmation:
 * one row per field Placer needs, with the file's field chosen for it, and the coded
 * values it could not translate. Nothing is added until the planner says so, and a
 * mapping that lacks a required field cannot be confirmed. Reading the file happens in
 * a worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ui-import-dialog"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ui-import-dialog.h"
#include "ui-layer-list.h"

struct _UiImportDialog {
  AdwWindow            parent_instance;

  /* Owned */
  char                *path;
  char                *role;
  ZonesLayerCandidate *candidate;
  GCancellable        *cancellable;
  GPtrArray           *field_rows;   /* AdwComboRow, one per Placer field */
  GPtrArray           *value_rows;   /* AdwComboRow, one per untranslated value */

  /* Children */
  GtkWidget           *add_button;
  GtkWidget           *stack;
  GtkWidget           *page;
  GtkWidget           *name_row;
  GtkWidget           *role_row;
  GtkWidget           *crs_row;
  GtkWidget           *message;
  GtkWidget           *fields_group;
  GtkWidget           *values_group;
  gboolean             building;
};

enum {
  CONFIRMED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (UiImportDialog, ui_import_dialog, ADW_TYPE_WINDOW)

static void inspect (UiImportDialog *self);

static void
show_message (UiImportDialog *self, const char *text)
{
  gtk_label_set_label (GTK_LABEL (self->message), text ? text : "");
  gtk_widget_set_visible (self->message, text != NULL);
}

static void
clear_group (GtkWidget *group, GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

/* The mapping as the rows say, checked against the role's required fields. */
static gboolean
apply_rows (UiImportDialog *self, GError **error)
{
  ZonesMapping *m = self->candidate->mapping;

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      AdwComboRow *row = g_ptr_array_index (self->field_rows, i);
      const char *field = g_object_get_data (G_OBJECT (row), "field");
      guint selected = adw_combo_row_get_selected (row);
      GtkStringList *model = GTK_STRING_LIST (adw_combo_row_get_model (row));

      zones_mapping_set_field (m, field, selected == 0 ? NULL
                               : gtk_string_list_get_string (model, selected));
    }
  for (guint i = 0; i < self->value_rows->len; i++)
    {
      AdwComboRow *row = g_ptr_array_index (self->value_rows, i);
      const char *field = g_object_get_data (G_OBJECT (row), "field");
      const char *value = g_object_get_data (G_OBJECT (row), "value");
      guint selected = adw_combo_row_get_selected (row);
      GtkStringList *model = GTK_STRING_LIST (adw_combo_row_get_model (row));

      if (selected > 0)
        zones_mapping_set_value (m, field, value, gtk_string_list_get_string (model, selected));
    }
  return zones_mapping_check (m, self->candidate->info, error);
}

static void
validate (UiImportDialog *self)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (self->candidate == NULL || self->building)
    {
      gtk_widget_set_sensitive (self->add_button, FALSE);
      return;
    }
  ok = self->candidate->mapping == NULL || apply_rows (self, &error);
  if (ok && *gtk_editable_get_text (GTK_EDITABLE (self->name_row)) == '\0')
    ok = FALSE;
  show_message (self, error ? error->message : NULL);
  gtk_widget_set_sensitive (self->add_button, ok);
}

static void
on_row_changed (GObject *row, GParamSpec *pspec, UiImportDialog *self)
{
  validate (self);
}

static void
build_rows (UiImportDialog *self)
{
  ZonesLayerCandidate *c = self->candidate;
  const ZonesFieldSpec *specs;
  guint n;

  self->building = TRUE;
  clear_group (self->fields_group, self->field_rows);
  clear_group (self->values_group, self->value_rows);
  gtk_widget_set_visible (self->fields_group, FALSE);
  gtk_widget_set_visible (self->values_group, FALSE);
  if (c->info == NULL || c->mapping == NULL)
    {
      self->building = FALSE;
      validate (self);
      return;
    }

  specs = zones_role_get_fields (self->role, &n);
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = adw_combo_row_new ();
      g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
      const char *mapped = zones_mapping_get_field (c->mapping, specs[i].name);
      g_autofree char *title = specs[i].required
                               ? g_strdup_printf (_("%s (required)"), _(specs[i].label))
                               : g_strdup (_(specs[i].label));
      guint selected = 0;

      gtk_string_list_append (model, _("Not in this file"));
      for (guint k = 0; k < c->info->fields->len; k++)
        {
          const GisFieldInfo *f = g_ptr_array_index (c->info->fields, k);
          gtk_string_list_append (model, f->name);
          if (g_strcmp0 (f->name, mapped) == 0)
            selected = k + 1;
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), specs[i].name);
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
      adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
      g_object_set_data_full (G_OBJECT (row), "field", g_strdup (specs[i].name), g_free);
      g_signal_connect (row, "notify::selected", G_CALLBACK (on_row_changed), self);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->fields_group), row);
      g_ptr_array_add (self->field_rows, row);

      /* Coded values the guess could not translate: ask. */
      if (specs[i].vocabulary != NULL)
        {
          g_autoptr(GPtrArray) unmapped = zones_mapping_list_unmapped (c->mapping,
                                                                       specs[i].name);
          for (guint k = 0; unmapped != NULL && k < unmapped->len && k < 40; k++)
            {
              GtkWidget *vrow = adw_combo_row_new ();
              g_autoptr(GtkStringList) vmodel = gtk_string_list_new (NULL);
              const char *value = g_ptr_array_index (unmapped, k);
              g_autofree char *subtitle = g_strdup_printf (_("Value of “%s”"), mapped);

              gtk_string_list_append (vmodel, _("Leave untranslated"));
              for (guint v = 0; specs[i].vocabulary[v] != NULL; v++)
                gtk_string_list_append (vmodel, specs[i].vocabulary[v]);
              adw_preferences_row_set_title (ADW_PREFERENCES_ROW (vrow), value);
              adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (vrow), FALSE);
              adw_action_row_set_subtitle (ADW_ACTION_ROW (vrow), subtitle);
              adw_combo_row_set_model (ADW_COMBO_ROW (vrow), G_LIST_MODEL (vmodel));
              g_object_set_data_full (G_OBJECT (vrow), "field", g_strdup (specs[i].name), g_free);
              g_object_set_data_full (G_OBJECT (vrow), "value", g_strdup (value), g_free);
              g_signal_connect (vrow, "notify::selected", G_CALLBACK (on_row_changed), self);
              adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->values_group), vrow);
              g_ptr_array_add (self->value_rows, vrow);
            }
        }
    }
  gtk_widget_set_visible (self->fields_group, n > 0);
  gtk_widget_set_visible (self->values_group, self->value_rows->len > 0);
  self->building = FALSE;
  validate (self);
}

/* Inspecting the file, in a worker */

typedef struct {
  char   *path;
  char   *role;
  GisCrs *crs;
} InspectData;

static void
inspect_data_free (gpointer data)
{
  InspectData *d = data;

  g_free (d->path);
  g_free (d->role);
  g_clear_pointer (&d->crs, gis_crs_unref);
  g_free (d);
}

static void
inspect_worker (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  InspectData *d = task_data;
  GError *error = NULL;
  ZonesLayerCandidate *c;

  if (d->role == NULL)
    {
      const char *role = zones_layer_guess_role (d->path, &error);
      if (role == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      d->role = g_strdup (role);
    }
  c = zones_layer_inspect (d->path, NULL, d->role, d->crs, cancellable, &error);
  if (c == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, c, (GDestroyNotify) zones_layer_candidate_free);
}

static void
select_role_row (UiImportDialog *self)
{
  const char *const *roles = zones_roles ();

  for (guint i = 0; roles[i] != NULL; i++)
    if (g_strcmp0 (roles[i], self->role) == 0)
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->role_row), i);
}

static void
inspected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(UiImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  InspectData *d = g_task_get_task_data (G_TASK (result));
  ZonesLayerCandidate *c = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "form");
  g_clear_pointer (&self->candidate, zones_layer_candidate_free);
  if (d->role != NULL && g_strcmp0 (self->role, d->role) != 0)
    {
      g_free (self->role);
      self->role = g_strdup (d->role);
      self->building = TRUE;
      select_role_row (self);
      self->building = FALSE;
    }
  if (c == NULL)
    {
      /* A file without a CRS is the one error the planner can fix here. */
      gboolean no_crs = g_error_matches (error, GIS_ERROR, GIS_ERROR_CRS);
      gtk_widget_set_visible (self->crs_row, no_crs || gtk_widget_get_visible (self->crs_row));
      show_message (self, no_crs ? _("This file does not say which coordinate reference system "
                                     "its coordinates are in. Placer does not guess: give it "
                                     "below, for example EPSG:4326 for longitude and latitude.")
                                 : error->message);
      clear_group (self->fields_group, self->field_rows);
      clear_group (self->values_group, self->value_rows);
      gtk_widget_set_sensitive (self->add_button, FALSE);
      return;
    }
  self->candidate = c;
  if (*gtk_editable_get_text (GTK_EDITABLE (self->name_row)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), c->layer->name);
  show_message (self, NULL);
  build_rows (self);
}

static void
inspect (UiImportDialog *self)
{
  g_autoptr(GTask) task = NULL;
  InspectData *d = g_new0 (InspectData, 1);
  const char *crs_text = gtk_editable_get_text (GTK_EDITABLE (self->crs_row));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  d->path = g_strdup (self->path);
  d->role = g_strdup (self->role);
  if (gtk_widget_get_visible (self->crs_row) && *crs_text != '\0')
    {
      g_autoptr(GError) error = NULL;
      d->crs = gis_crs_new_from_user_input (crs_text, &error);
      if (d->crs == NULL)
        {
          show_message (self, error->message);
          inspect_data_free (d);
          return;
        }
    }
  gtk_widget_set_sensitive (self->add_button, FALSE);
  task = g_task_new (NULL, self->cancellable, inspected_cb, g_object_ref (self));
  g_task_set_source_tag (task, inspect);
  g_task_set_task_data (task, d, inspect_data_free);
  g_task_run_in_thread (task, inspect_worker);
}

static void
on_role_selected (AdwComboRow *row, GParamSpec *pspec, UiImportDialog *self)
{
  const char *const *roles = zones_roles ();
  guint i = adw_combo_row_get_selected (row);

  if (self->building || i >= g_strv_length ((char **) roles) ||
      g_strcmp0 (roles[i], self->role) == 0)
    return;
  g_free (self->role);
  self->role = g_strdup (roles[i]);
  inspect (self);
}

static void
on_crs_apply (AdwEntryRow *row, UiImportDialog *self)
{
  inspect (self);
}

static void
on_add_clicked (GtkButton *button, UiImportDialog *self)
{
  g_autoptr(GError) error = NULL;
  ZonesLayerCandidate *c;

  if (self->candidate == NULL || !apply_rows (self, &error))
    {
      show_message (self, error ? error->message : NULL);
      return;
    }
  c = g_steal_pointer (&self->candidate);
  g_signal_emit (self, signals[CONFIRMED], 0, c,
                 gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_name_changed (GtkEditable *editable, UiImportDialog *self)
{
  validate (self);
}

static void
ui_import_dialog_dispose (GObject *object)
{
  UiImportDialog *self = UI_IMPORT_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ui_import_dialog_parent_class)->dispose (object);
}

static void
ui_import_dialog_finalize (GObject *object)
{
  UiImportDialog *self = UI_IMPORT_DIALOG (object);

  g_free (self->path);
  g_free (self->role);
  g_clear_pointer (&self->candidate, zones_layer_candidate_free);
  g_ptr_array_unref (self->field_rows);
  g_ptr_array_unref (self->value_rows);

  G_OBJECT_CLASS (ui_import_dialog_parent_class)->finalize (object);
}

static void
ui_import_dialog_class_init (UiImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ui_import_dialog_dispose;
  object_class->finalize = ui_import_dialog_finalize;

  /**
   * UiImportDialog::confirmed:
   * @candidate: (transfer full): the file with its confirmed role and mapping
   * @name: the layer's name in the project
   */
  signals[CONFIRMED] = g_signal_new ("confirmed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER,
                                     G_TYPE_STRING);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ui_import_dialog_init (UiImportDialog *self)
{
  GtkWidget *box, *header, *cancel, *spinner, *group, *scroller;
  g_autoptr(GtkStringList) roles = gtk_string_list_new (NULL);
  const char *const *role_names = zones_roles ();

  self->field_rows = g_ptr_array_new ();
  self->value_rows = g_ptr_array_new ();
  gtk_window_set_default_size (GTK_WINDOW (self), 560, 680);
  gtk_window_set_title (GTK_WINDOW (self), _("Add Layer"));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  self->add_button = gtk_button_new_with_mnemonic (_("_Add"));
  gtk_widget_add_css_class (self->add_button, "suggested-action");
  gtk_widget_set_sensitive (self->add_button, FALSE);
  g_signal_connect (self->add_button, "clicked", G_CALLBACK (on_add_clicked), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->add_button);
  gtk_box_append (GTK_BOX (box), header);

  self->stack = gtk_stack_new ();
  gtk_widget_set_vexpand (self->stack, TRUE);
  spinner = gtk_spinner_new ();
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reading the file"), -1);
  gtk_stack_add_named (GTK_STACK (self->stack), spinner, "loading");

  self->page = adw_preferences_page_new ();
  group = adw_preferences_group_new ();
  self->message = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->message), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->message), 0);
  gtk_widget_add_css_class (self->message, "error");
  gtk_widget_set_visible (self->message, FALSE);
  gtk_widget_set_margin_bottom (self->message, 12);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->message);
  self->name_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("Name in the project"));
  g_signal_connect (self->name_row, "changed", G_CALLBACK (on_name_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->name_row);
  for (guint i = 0; role_names[i] != NULL; i++)
    gtk_string_list_append (roles, ui_role_label (role_names[i]));
  self->role_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->role_row), _("What it holds"));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->role_row), G_LIST_MODEL (roles));
  g_signal_connect (self->role_row, "notify::selected", G_CALLBACK (on_role_selected), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->role_row);
  self->crs_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->crs_row),
                                 _("Coordinate reference system, e.g. EPSG:4326"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (self->crs_row), TRUE);
  g_signal_connect (self->crs_row, "apply", G_CALLBACK (on_crs_apply), self);
  gtk_widget_set_visible (self->crs_row, FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->crs_row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), ADW_PREFERENCES_GROUP (group));

  self->fields_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->fields_group), _("Fields"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->fields_group),
                                         _("Placer's guess from the file's field names and "
                                           "values. Change it where it is wrong."));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page),
                            ADW_PREFERENCES_GROUP (self->fields_group));
  self->values_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->values_group),
                                   _("Values to Translate"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->values_group),
                                         _("Codes Placer did not recognise. Untranslated "
                                           "values count as unknown in the analyses."));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page),
                            ADW_PREFERENCES_GROUP (self->values_group));
  scroller = GTK_WIDGET (self->page);
  gtk_stack_add_named (GTK_STACK (self->stack), scroller, "form");
  gtk_box_append (GTK_BOX (box), self->stack);
  adw_window_set_content (ADW_WINDOW (self), box);
}

/**
 * ui_import_dialog_new:
 *
 * Returns: (transfer none): the dialog, shown; connect to ::confirmed
 */
UiImportDialog *
ui_import_dialog_new (GtkWindow *parent, const char *path)
{
  UiImportDialog *self = g_object_new (UI_TYPE_IMPORT_DIALOG, "modal", TRUE,
                                       "transient-for", parent, NULL);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *title = g_strdup_printf (_("Add “%s”"), base);

  self->path = g_strdup (path);
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "loading");
  inspect (self);
  gtk_window_present (GTK_WINDOW (self));
  return self;
}
