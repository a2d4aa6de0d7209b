/* app-application.c: Placer's GApplication
 *
 * Wiring only: settings, actions and accelerators, the about window, and windows for the
 * files the desktop asks to open. GApplication exports the actions on the session bus
 * (org.gtk.Actions at /io/github/placer/Placer), which is how the desktop and the tests
 * drive the real app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "app-application"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>

#include "app-application.h"
#include "ui.h"

struct _AppApplication {
  AdwApplication parent_instance;

  /* Owned */
  GSettings     *settings;
};

G_DEFINE_FINAL_TYPE (AppApplication, app_application, ADW_TYPE_APPLICATION)

/* The settings schema: installed, or, when Placer runs from its build tree, the one
 * compiled next to it. Without either, settings live in memory for this run. */
static GSettings *
new_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source
    ? g_settings_schema_source_lookup (source, PLACER_APPLICATION_ID, TRUE) : NULL;
  g_autoptr(GSettingsSchemaSource) local = NULL;

  if (schema != NULL)
    return g_settings_new_full (schema, NULL, NULL);
  local = g_settings_schema_source_new_from_directory (PLACER_BUILD_SCHEMA_DIR, source, FALSE,
                                                       NULL);
  if (local != NULL)
    schema = g_settings_schema_source_lookup (local, PLACER_APPLICATION_ID, FALSE);
  if (schema != NULL)
    {
      /* Running from the build tree: keep its settings out of the user's. */
      g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
      return g_settings_new_full (schema, backend, NULL);
    }
  return NULL;
}

static UiWindow *
active_window (AppApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (UI_IS_WINDOW (window))
    return UI_WINDOW (window);
  return ui_window_new (ADW_APPLICATION (self), self->settings);
}

static void
open_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  AppApplication *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      if (path != NULL)
        ui_window_open (active_window (self), path);
    }
  g_object_unref (dialog);
}

static void
open_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  AppApplication *self = user_data;
  UiWindow *window = active_window (self);
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Open a Project"), GTK_WINDOW (window),
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Placer projects (GeoPackage)"));
  gtk_file_filter_add_suffix (filter, "gpkg");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (chooser, "response", G_CALLBACK (open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_path_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  AppApplication *self = user_data;
  UiWindow *window = active_window (self);

  gtk_window_present (GTK_WINDOW (window));
  ui_window_open (window, g_variant_get_string (param, NULL));
}

static void
new_project_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  AppApplication *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;
      g_autoptr(GisCrs) crs = gis_crs_new_from_epsg (4326, &error);
      g_autoptr(GisProject) project = NULL;
      UiWindow *window = active_window (self);

      if (path != NULL && !g_str_has_suffix (path, ".gpkg"))
        {
          char *with = g_strconcat (path, ".gpkg", NULL);
          g_free (path);
          path = with;
        }
      if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS))
        {
          /* A project is never created over an existing file. */
          g_autofree char *message = g_strdup_printf (_("“%s” already exists"), path);
          ui_window_show_toast (window, message);
        }
      else if (path != NULL && crs != NULL &&
               (project = gis_project_create (path, crs, &error)) != NULL)
        {
          g_clear_object (&project);
          ui_window_open (window, path);
        }
      else if (error != NULL)
        ui_window_show_toast (window, error->message);
    }
  g_object_unref (dialog);
}

static void
new_project_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  AppApplication *self = user_data;
  UiWindow *window = active_window (self);
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("New Project"), GTK_WINDOW (window),
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Create"), _("_Cancel"));

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("ASM plan.gpkg"));
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (chooser, "response", G_CALLBACK (new_project_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
preferences_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  AppApplication *self = user_data;

  ui_preferences_new (GTK_WINDOW (active_window (self)), self->settings);
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  AppApplication *self = user_data;
  const char *developers[] = { _("The Placer developers"), NULL };
  g_autofree char *libraries = gis_dup_library_versions ();
  g_autofree char *debug = g_strdup_printf ("Placer %s\n%s\nGTK %u.%u.%u\nlibadwaita %u.%u.%u\n",
                                            PLACER_VERSION, libraries,
                                            gtk_get_major_version (), gtk_get_minor_version (),
                                            gtk_get_micro_version (),
                                            adw_get_major_version (), adw_get_minor_version (),
                                            adw_get_micro_version ());
  GtkWidget *about = adw_about_window_new ();

  gtk_window_set_transient_for (GTK_WINDOW (about), GTK_WINDOW (active_window (self)));
  gtk_window_set_modal (GTK_WINDOW (about), TRUE);
  adw_about_window_set_application_name (ADW_ABOUT_WINDOW (about), "Placer");
  adw_about_window_set_application_icon (ADW_ABOUT_WINDOW (about), PLACER_APPLICATION_ID);
  adw_about_window_set_version (ADW_ABOUT_WINDOW (about), PLACER_VERSION);
  adw_about_window_set_developer_name (ADW_ABOUT_WINDOW (about), _("The Placer developers"));
  adw_about_window_set_developers (ADW_ABOUT_WINDOW (about), developers);
  adw_about_window_set_comments (ADW_ABOUT_WINDOW (about),
                                 _("Plan artisanal and small-scale mining zones: find deposit "
                                   "land no title holds, draw lawful and viable zones, estimate "
                                   "how many miners they can carry, and cooperate across "
                                   "borders."));
  adw_about_window_set_translator_credits (ADW_ABOUT_WINDOW (about), _("translator-credits"));
  adw_about_window_set_license_type (ADW_ABOUT_WINDOW (about), GTK_LICENSE_GPL_3_0);
  adw_about_window_set_website (ADW_ABOUT_WINDOW (about), "https://github.com/placer-gis/placer");
  adw_about_window_set_issue_url (ADW_ABOUT_WINDOW (about),
                                  "https://github.com/placer-gis/placer/issues");
  adw_about_window_set_debug_info (ADW_ABOUT_WINDOW (about), debug);
  adw_about_window_set_debug_info_filename (ADW_ABOUT_WINDOW (about), "placer-debug-info.txt");
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (app));

  /* Closing each window keeps its view in its project; the app ends with the last. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static const GActionEntry app_actions[] = {
  { "open", open_action },
  { "open-path", open_path_action, "s" },
  { "new-project", new_project_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
};

static void
app_application_startup (GApplication *app)
{
  AppApplication *self = APP_APPLICATION (app);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.open", { "<Control>o", NULL } },
    { "app.new-project", { "<Control>n", NULL } },
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.add-layer", { "<Control><Shift>a", NULL } },
    { "win.save-copy", { "<Control><Shift>s", NULL } },
    { "win.zoom-in", { "<Control>plus", "<Control>equal", NULL } },
    { "win.zoom-out", { "<Control>minus", NULL } },
    { "win.zoom-home", { "<Control>0", NULL } },
    { "win.show-sidebar", { "F9", NULL } },
    { "win.tool('browse')", { "i", NULL } },
    { "win.tool('distance')", { "d", NULL } },
    { "win.tool('area')", { "a", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };

  G_APPLICATION_CLASS (app_application_parent_class)->startup (app);

  self->settings = new_settings ();
  if (self->settings == NULL)
    {
      g_printerr ("placer: the settings schema %s is installed neither on this system nor in "
                  "the build tree (%s); install Placer or run it from its build tree\n",
                  PLACER_APPLICATION_ID, PLACER_BUILD_SCHEMA_DIR);
      g_application_quit (app);
      return;
    }
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action,
                                           accels[i].accels);
  gtk_css_provider_load_from_resource (css, "/io/github/placer/Placer/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
app_application_activate (GApplication *app)
{
  if (APP_APPLICATION (app)->settings == NULL)
    return;
  gtk_window_present (GTK_WINDOW (active_window (APP_APPLICATION (app))));
}

static void
app_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  AppApplication *self = APP_APPLICATION (app);
  UiWindow *window;

  if (self->settings == NULL)
    return;
  window = active_window (self);
  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);
      if (path == NULL)
        continue;
      if (gis_project_is_project (path))
        ui_window_open (window, path);
      else if (ui_window_get_workspace (window) != NULL)
        ui_window_import (window, path);
      else
        {
          g_autofree char *message =
            g_strdup_printf (_("“%s” is not a Placer project; open a project, then add it "
                               "as a layer"), path);
          ui_window_show_toast (window, message);
        }
    }
}

static void
app_application_finalize (GObject *object)
{
  AppApplication *self = APP_APPLICATION (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (app_application_parent_class)->finalize (object);
}

static void
app_application_class_init (AppApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = app_application_finalize;
  app_class->startup = app_application_startup;
  app_class->activate = app_application_activate;
  app_class->open = app_application_open;
}

static void
app_application_init (AppApplication *self)
{
}

AppApplication *
app_application_new (void)
{
  return g_object_new (APP_TYPE_APPLICATION, "application-id", PLACER_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/placer/Placer", NULL);
}
