/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The renderer the app chooses: Cairo without a GPU or with a software OpenGL, the user's
 * GSK_RENDERER when set; without a GPU, OpenGL not even loaded. Needs a display; each case
 * runs in its own process, since GTK reads GSK_RENDERER once per process.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "unfreeze-renderer.h"
#include "unfreeze-test.h"

static void
test_software_names (void)
{
  g_assert_true (unfreeze_renderer_is_software_gl ("llvmpipe (LLVM 15.0.6, 256 bits)"));
  g_assert_true (unfreeze_renderer_is_software_gl ("Software Rasterizer"));
  g_assert_true (unfreeze_renderer_is_software_gl ("Google SwiftShader"));
  g_assert_true (unfreeze_renderer_is_software_gl ("softpipe"));
  g_assert_false (unfreeze_renderer_is_software_gl ("Mesa Intel(R) UHD Graphics 620 (KBL GT2)"));
  g_assert_false (unfreeze_renderer_is_software_gl ("AMD Radeon RX 6600 (navi23, LLVM 15.0.6)"));
  g_assert_false (unfreeze_renderer_is_software_gl (NULL));
}

static gboolean
have_gpu_device (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return TRUE;
  return FALSE;
}

/* Chooses, then shows a window and returns the description of what drew it. */
static char *
choose_and_show (UnfreezeRendererReason *reason)
{
  GtkWidget *window;
  char *description;

  /* As the app does: the first part before GTK opens the display. */
  unfreeze_renderer_prepare ();
  gtk_init ();
  *reason = unfreeze_renderer_choose (gdk_display_get_default ());
  window = gtk_window_new ();
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_realized (window))
    g_main_context_iteration (NULL, TRUE);
  description = unfreeze_renderer_dup_description (window);
  g_test_message ("%s", description);
  gtk_window_destroy (GTK_WINDOW (window));
  return description;
}

static void
test_app_chooses (void)
{
  if (g_test_subprocess ())
    {
      UnfreezeRendererReason reason;
      g_autofree char *description = NULL;

      g_unsetenv ("GSK_RENDERER");
      g_unsetenv ("GDK_DISABLE");
      /* A word of the user's own stays, and the app's comes after it. */
      g_setenv ("GDK_DEBUG", "nograbs", TRUE);
      description = choose_and_show (&reason);
      g_assert_cmpint (reason, ==, unfreeze_renderer_get_reason ());
      if (!have_gpu_device ())
        {
          g_autoptr(GError) error = NULL;

          g_assert_cmpint (reason, ==, UNFREEZE_RENDERER_NO_GPU);
          /* GDK was told not to load OpenGL, and did not. */
          if (gtk_get_minor_version () < 16)
            g_assert_cmpstr (g_getenv ("GDK_DEBUG"), ==, "nograbs,gl-disable");
          else
            g_assert_cmpstr (g_getenv ("GDK_DISABLE"), ==, "gl");
          g_assert_false (gdk_display_prepare_gl (gdk_display_get_default (), &error));
          g_assert_nonnull (error);
        }
      else
        g_assert_cmpstr (g_getenv ("GDK_DEBUG"), ==, "nograbs");
      if (reason == UNFREEZE_RENDERER_GTK_DEFAULT)
        {
          g_assert_null (g_getenv ("GSK_RENDERER"));
          return;
        }
      /* Without a (real) GPU: Cairo, and the app says so. */
      g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "cairo");
      g_assert_true (g_str_has_prefix (description, "Cairo (chosen by Unfreeze: "));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_user_wins (void)
{
  if (g_test_subprocess ())
    {
      UnfreezeRendererReason reason;
      g_autofree char *description = NULL;

      /* Cairo, not gl: the checkers (Valgrind, the sanitizers) run this too, and Mesa's
       * software OpenGL under them is slow and noisy. What is tested is the same: the
       * variable is the user's, and the app neither overrides nor probes anything. */
      g_setenv ("GSK_RENDERER", "cairo", TRUE);
      g_unsetenv ("GDK_DEBUG");
      g_unsetenv ("GDK_DISABLE");
      description = choose_and_show (&reason);
      g_assert_cmpint (reason, ==, UNFREEZE_RENDERER_USER);
      g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "cairo");
      /* Nor is OpenGL turned off behind the user's back. */
      g_assert_null (g_getenv ("GDK_DEBUG"));
      g_assert_null (g_getenv ("GDK_DISABLE"));
      g_assert_cmpstr (description, ==, "Cairo (GSK_RENDERER=cairo, set by you)");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  /* English texts, whatever the machine's language. */
  g_setenv ("LANGUAGE", "C", TRUE);
  unfreeze_test_init (&argc, &argv);

  g_test_add_func ("/unfreeze/Renderer/software-names", test_software_names);
  g_test_add_func ("/unfreeze/Renderer/app-chooses", test_app_chooses);
  g_test_add_func ("/unfreeze/Renderer/user-wins", test_user_wins);

  return g_test_run ();
}
