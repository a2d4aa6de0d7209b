/* ui-preferences.c: the preferences window
 *
 * Every preference is a GSettings key, bound both ways: there is no Apply button.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ui-preferences"

#include <glib/gi18n-lib.h>

#include "ui-preferences.h"

struct _UiPreferences {
  AdwPreferencesWindow parent_instance;

  /* Owned */
  GSettings           *settings;
};

G_DEFINE_FINAL_TYPE (UiPreferences, ui_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static gboolean
format_to_row (GValue *value, GVariant *variant, gpointer user_data)
{
  g_value_set_uint (value, g_str_equal (g_variant_get_string (variant, NULL), "dms") ? 1 : 0);
  return TRUE;
}

static GVariant *
row_to_format (const GValue *value, const GVariantType *type, gpointer user_data)
{
  return g_variant_new_string (g_value_get_uint (value) == 1 ? "dms" : "decimal");
}

static void
on_clear_recent (GtkButton *button, UiPreferences *self)
{
  g_settings_reset (self->settings, "recent-projects");
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
}

static GtkWidget *
switch_row (const char *title, const char *subtitle, GSettings *settings, const char *key)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  g_settings_bind (settings, key, toggle, "active", G_SETTINGS_BIND_DEFAULT);
  return row;
}

static void
ui_preferences_finalize (GObject *object)
{
  UiPreferences *self = UI_PREFERENCES (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (ui_preferences_parent_class)->finalize (object);
}

static void
ui_preferences_class_init (UiPreferencesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ui_preferences_finalize;
}

static void
ui_preferences_init (UiPreferences *self)
{
}

/**
 * ui_preferences_new:
 *
 * Returns: (transfer none): the window, shown
 */
UiPreferences *
ui_preferences_new (GtkWindow *parent, GSettings *settings)
{
  UiPreferences *self = g_object_new (UI_TYPE_PREFERENCES, "transient-for", parent,
                                      "modal", TRUE, NULL);
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *map = adw_preferences_group_new ();
  GtkWidget *projects = adw_preferences_group_new ();
  GtkWidget *format = adw_combo_row_new ();
  GtkWidget *clear_row = adw_action_row_new ();
  GtkWidget *clear = gtk_button_new_with_mnemonic (_("_Clear"));
  const char *formats[] = { _("Decimal degrees (2.50833° S)"),
                            _("Degrees, minutes and seconds (2° 30′ 30.0″ S)"), NULL };
  g_autoptr(GtkStringList) model = gtk_string_list_new (formats);
  g_auto(GStrv) recent = g_settings_get_strv (settings, "recent-projects");

  self->settings = g_object_ref (settings);
  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), _("General"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), "preferences-system-symbolic");

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (map), _("Map"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (format), _("Coordinates"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (format),
                               _("How the pointer's latitude and longitude are written"));
  adw_combo_row_set_model (ADW_COMBO_ROW (format), G_LIST_MODEL (model));
  g_settings_bind_with_mapping (settings, "coordinate-format", format, "selected",
                                G_SETTINGS_BIND_DEFAULT, format_to_row, row_to_format, NULL,
                                NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (map), format);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (map),
                             switch_row (_("Labels"),
                                         _("Name zones, countries and other features on the map"),
                                         settings, "show-labels"));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (projects), _("Projects"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (clear_row), _("Recent projects"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (clear_row),
                               _("Forget the list shown when Placer starts; the projects "
                                 "themselves are not touched"));
  gtk_widget_set_valign (clear, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (clear, recent[0] != NULL);
  g_signal_connect (clear, "clicked", G_CALLBACK (on_clear_recent), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (clear_row), clear);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (projects), clear_row);

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (map));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (projects));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
  gtk_window_present (GTK_WINDOW (self));
  return self;
}
