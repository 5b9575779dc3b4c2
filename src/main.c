/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The program's entry: records the UI thread for the guard, sets up gettext (the build
 * tree's catalogues when run from there) and the resources, and runs UnfreezeApplication.
 */
#define G_LOG_DOMAIN "Unfreeze"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <locale.h>

#include "unfreeze-application.h"
#include "unfreeze-renderer.h"
#include "unfreeze-resources.h"
#include "unfreeze-ui-guard.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(UnfreezeApplication) app = NULL;
  const char *localedir;
  int status;

  /* First thing: remember which thread is the UI thread (see unfreeze-ui-guard.c). */
  unfreeze_ui_guard_init ();

  /* Before GTK opens the display, and before any thread is started (the choice may set
   * environment variables): without a GPU, GDK should not load OpenGL only for the app to
   * choose Cairo. */
  unfreeze_renderer_prepare ();

  /* Before anything reads the locale: --help is printed before GTK initialises. */
  setlocale (LC_ALL, "");

  /* UNFREEZE_LOCALEDIR overrides where the translations are found, so that an uninstalled
   * build runs translated: the build tree's po/ directory holds <lang>/LC_MESSAGES/unfreeze.mo
   * (the tests use it, see tests/test-translation.c). */
  localedir = g_getenv ("UNFREEZE_LOCALEDIR");
  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  unfreeze_register_resource ();
  gtk_source_init ();

  app = unfreeze_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  if (status == 0)
    status = unfreeze_application_get_exit_status (app);

  return status;
}
