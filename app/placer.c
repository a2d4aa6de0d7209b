/* placer.c: the desktop app's entry point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <locale.h>

#include <glib/gi18n.h>

#include "app-application.h"
#include "gis.h"

int
main (int argc, char **argv)
{
  g_autoptr(AppApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, PLACER_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  gis_init ();

  app = app_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
