/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Which of GTK's renderers draws the window: the app chooses one that keeps up.
 *
 * GTK 4.8 draws with OpenGL by default. Without a GPU (a virtual machine, many classrooms)
 * OpenGL is Mesa's software rasteriser (llvmpipe), and GTK's GL renderer then redraws the
 * whole window on the CPU: tens of milliseconds a frame, 30 frames missed in a one-second
 * GTask run that misses one with the Cairo renderer, which redraws only what changed. In an
 * app about frames missed, that would drown the lesson. So, before the first window is
 * realized (GTK reads GSK_RENDERER once, when it makes the first renderer):
 *
 *   - GSK_RENDERER set by the user: theirs wins;
 *   - no GPU device (/dev/dri/renderD*): Cairo, without touching OpenGL;
 *   - OpenGL unavailable, or its renderer string names a software rasteriser: Cairo;
 *   - otherwise GTK's own choice.
 *
 * The first two are decided before GTK opens the display (unfreeze_renderer_prepare()).
 * Opening it loads and starts OpenGL (GDK picks its visuals with it): without a GPU that is
 * Mesa's software rasteriser, about 200 of the 500 ms from launch to the first frame on
 * the reference machine, for a renderer the app then does not use. So with no GPU device
 * GDK is told not to load OpenGL at all: GDK_DEBUG=gl-disable, which GTK 4.16 renamed
 * GDK_DISABLE=gl.
 *
 * The About window's troubleshooting information and the benchmark say which renderer
 * drew the window, and why.
 */
#define G_LOG_DOMAIN "Unfreeze-Renderer"

#include "config.h"

#include "unfreeze-renderer.h"

#include <epoxy/gl.h>
#include <glib/gi18n.h>
#include <string.h>

static UnfreezeRendererReason reason = UNFREEZE_RENDERER_GTK_DEFAULT;
static gboolean prepared;   /* unfreeze_renderer_prepare() decided already */
static char *gl_renderer;   /* what OpenGL called itself, when asked */

gboolean
unfreeze_renderer_is_software_gl (const char *renderer)
{
  static const char * const software[] = {
    "llvmpipe", "softpipe", "swrast", "software rasterizer", "swiftshader", "lavapipe",
  };
  g_autofree char *lower = NULL;

  if (renderer == NULL)
    return FALSE;

  lower = g_ascii_strdown (renderer, -1);
  for (guint i = 0; i < G_N_ELEMENTS (software); i++)
    if (strstr (lower, software[i]) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
have_gpu_device (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return TRUE;
  return FALSE;
}

/* Asks OpenGL what it runs on; NULL when there is no OpenGL to ask. */
static char *
dup_gl_renderer (GdkDisplay *display)
{
  g_autoptr(GdkGLContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  context = gdk_display_create_gl_context (display, &error);
  if (context == NULL || !gdk_gl_context_realize (context, &error))
    {
      g_debug ("No OpenGL: %s", error != NULL ? error->message : "unknown reason");
      return NULL;
    }

  gdk_gl_context_make_current (context);
  name = (const char *) glGetString (GL_RENDERER);
  gdk_gl_context_clear_current ();

  return g_strdup (name);
}

/* Adds @word to the comma-separated list in the environment variable @name (GTK reads
 * it with g_parse_debug_string(), and a user may have put other words there). */
static void
add_to_list_variable (const char *name,
                      const char *word)
{
  const char *value = g_getenv (name);
  g_auto(GStrv) words = NULL;
  g_autofree char *joined = NULL;

  if (value == NULL || *value == '\0')
    {
      g_setenv (name, word, TRUE);
      return;
    }

  words = g_strsplit_set (value, ",:; \t", -1);
  if (g_strv_contains ((const char * const *) words, word))
    return;
  joined = g_strconcat (value, ",", word, NULL);
  g_setenv (name, joined, TRUE);
}

/**
 * unfreeze_renderer_prepare:
 *
 * The part of the choice that must come before GTK opens a display (see the top of this
 * file): a user's GSK_RENDERER is kept, and without a GPU device Cairo is chosen and GDK
 * told not to load OpenGL. Call it once, before gtk_init(); unfreeze_renderer_choose()
 * then keeps what was decided here.
 *
 * Returns: why the renderer is the one it is, or %UNFREEZE_RENDERER_GTK_DEFAULT while the
 *   choice waits for the display (a GPU device is there)
 */
UnfreezeRendererReason
unfreeze_renderer_prepare (void)
{
  const char *user = g_getenv ("GSK_RENDERER");

  if (user != NULL && *user != '\0')
    {
      prepared = TRUE;
      return reason = UNFREEZE_RENDERER_USER;
    }

  if (have_gpu_device ())
    return reason = UNFREEZE_RENDERER_GTK_DEFAULT;

  prepared = TRUE;
  reason = UNFREEZE_RENDERER_NO_GPU;
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  if (gtk_get_major_version () == 4 && gtk_get_minor_version () < 16)
    add_to_list_variable ("GDK_DEBUG", "gl-disable");
  else
    add_to_list_variable ("GDK_DISABLE", "gl");
  g_debug ("Renderer: cairo, no GPU device; OpenGL not loaded");

  return reason;
}

/**
 * unfreeze_renderer_choose:
 *
 * Chooses the renderer for the windows of @display (see the top of this file). Call it
 * once, before any window is realized. After unfreeze_renderer_prepare() it asks OpenGL
 * only where that could not decide (a GPU device is there).
 *
 * Returns: why the renderer is the one it is
 */
UnfreezeRendererReason
unfreeze_renderer_choose (GdkDisplay *display)
{
  const char *user = g_getenv ("GSK_RENDERER");

  g_return_val_if_fail (GDK_IS_DISPLAY (display), UNFREEZE_RENDERER_GTK_DEFAULT);

  if (prepared)
    return reason;

  if (user != NULL && *user != '\0')
    return reason = UNFREEZE_RENDERER_USER;

  if (!have_gpu_device ())
    reason = UNFREEZE_RENDERER_NO_GPU;
  else
    {
      g_clear_pointer (&gl_renderer, g_free);
      gl_renderer = dup_gl_renderer (display);
      if (gl_renderer == NULL)
        reason = UNFREEZE_RENDERER_NO_GL;
      else if (unfreeze_renderer_is_software_gl (gl_renderer))
        reason = UNFREEZE_RENDERER_SOFTWARE_GL;
      else
        reason = UNFREEZE_RENDERER_GTK_DEFAULT;
    }

  if (reason != UNFREEZE_RENDERER_GTK_DEFAULT)
    g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_debug ("Renderer: %s (reason %d; OpenGL: %s)", g_getenv ("GSK_RENDERER"), reason,
           gl_renderer != NULL ? gl_renderer : "not asked");

  return reason;
}

UnfreezeRendererReason
unfreeze_renderer_get_reason (void)
{
  return reason;
}

static const char *
renderer_name (GskRenderer *renderer)
{
  const char *type = G_OBJECT_TYPE_NAME (renderer);

  if (g_str_equal (type, "GskCairoRenderer"))
    return "Cairo";
  if (g_str_equal (type, "GskGLRenderer") || g_str_equal (type, "GskNglRenderer"))
    return "OpenGL";
  if (g_str_equal (type, "GskVulkanRenderer"))
    return "Vulkan";
  return type;
}

/**
 * unfreeze_renderer_dup_description:
 * @widget: a realized widget
 *
 * Returns: (transfer full): which renderer draws @widget's window, and why, e.g. "Cairo
 *   (chosen by Unfreeze: OpenGL is a software rasteriser, llvmpipe (LLVM 15.0.6, 256 bits))"
 */
char *
unfreeze_renderer_dup_description (GtkWidget *widget)
{
  GtkNative *native;
  GskRenderer *renderer;
  const char *name;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  native = gtk_widget_get_native (widget);
  renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;
  name = renderer != NULL ? renderer_name (renderer) : _("none yet");

  switch (reason)
    {
    case UNFREEZE_RENDERER_USER:
      /* Translators: "Cairo (GSK_RENDERER=cairo, set by you)" */
      return g_strdup_printf (_("%s (GSK_RENDERER=%s, set by you)"), name, g_getenv ("GSK_RENDERER"));
    case UNFREEZE_RENDERER_NO_GPU:
      return g_strdup_printf (_("%s (chosen by Unfreeze: no GPU found)"), name);
    case UNFREEZE_RENDERER_SOFTWARE_GL:
      /* Translators: the last %s is OpenGL's name for itself, e.g. "llvmpipe (LLVM 15.0.6)" */
      return g_strdup_printf (_("%s (chosen by Unfreeze: OpenGL is a software rasteriser, %s)"),
                              name, gl_renderer);
    case UNFREEZE_RENDERER_NO_GL:
      return g_strdup_printf (_("%s (chosen by Unfreeze: no OpenGL)"), name);
    case UNFREEZE_RENDERER_GTK_DEFAULT:
    default:
      if (gl_renderer != NULL)
        /* Translators: "OpenGL (GTK's default; OpenGL: Mesa Intel(R) UHD Graphics 620)" */
        return g_strdup_printf (_("%s (GTK's default; OpenGL: %s)"), name, gl_renderer);
      return g_strdup_printf (_("%s (GTK's default)"), name);
    }
}
