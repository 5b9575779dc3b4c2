/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A picture of what the window shows, for a slide: titles, text and charts, one below the
 * other, saved as SVG or PNG by the file's extension.
 *
 * What goes in is the caller's: the window adds its last run (a title, the status line, the
 * stall graph and the thread timeline); a comparison can add two of each. The charts draw
 * with their own snapshot functions (unfreeze_chart_snapshot_for_export()), so the picture
 * is made of the same render nodes as the window, but at a fixed size that reads on a
 * projector, and light even when the window is dark. The render node is drawn with cairo,
 * onto an SVG surface or an image surface written as PNG.
 */
#define G_LOG_DOMAIN "Unfreeze-Export"

#include "config.h"

#include "unfreeze-export.h"

#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

/* The picture is laid out UNFREEZE_EXPORT_WIDTH / SCALE wide in the widgets' own units and
 * drawn SCALE times larger: text and lines come out big enough for the back of a room. */
#define SCALE        1.6
#define MARGIN       32.0
#define SPACING      14.0
#define CAPTION_GAP  6.0
#define TITLE_SCALE  1.6

typedef enum
{
  ITEM_TITLE,
  ITEM_TEXT,
  ITEM_CHART,
} ItemKind;

typedef struct
{
  ItemKind       kind;
  char          *text;     /* the title, the text, or the chart's caption */
  UnfreezeChart *chart;
  int            height;   /* the chart's, or -1: its natural height */
} Item;

struct _UnfreezeExport
{
  GObject    parent_instance;

  GtkWidget *widget;       /* whose fonts the text is set in */
  GArray    *items;
};

G_DEFINE_FINAL_TYPE (UnfreezeExport, unfreeze_export, G_TYPE_OBJECT)

static void
item_clear (gpointer data)
{
  Item *item = data;

  g_clear_pointer (&item->text, g_free);
  g_clear_object (&item->chart);
}

static void
unfreeze_export_dispose (GObject *object)
{
  UnfreezeExport *self = UNFREEZE_EXPORT (object);

  g_clear_object (&self->widget);
  g_clear_pointer (&self->items, g_array_unref);

  G_OBJECT_CLASS (unfreeze_export_parent_class)->dispose (object);
}

static void
unfreeze_export_class_init (UnfreezeExportClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = unfreeze_export_dispose;
}

static void
unfreeze_export_init (UnfreezeExport *self)
{
  self->items = g_array_new (FALSE, TRUE, sizeof (Item));
  g_array_set_clear_func (self->items, item_clear);
}

/**
 * unfreeze_export_new:
 * @widget: the text is set in its font (the window's, zoom included)
 *
 * An empty picture: add what it shows, top to bottom, then save it.
 */
UnfreezeExport *
unfreeze_export_new (GtkWidget *widget)
{
  UnfreezeExport *self;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  self = g_object_new (UNFREEZE_TYPE_EXPORT, NULL);
  self->widget = g_object_ref (widget);

  return self;
}

static void
add_item (UnfreezeExport *self,
          ItemKind        kind,
          const char     *text,
          UnfreezeChart  *chart,
          int             height)
{
  Item item = { kind, g_strdup (text), chart != NULL ? g_object_ref (chart) : NULL, height };

  g_array_append_val (self->items, item);
}

/* A heading, large and bold. */
void
unfreeze_export_add_title (UnfreezeExport *self,
                           const char     *text)
{
  g_return_if_fail (UNFREEZE_IS_EXPORT (self));
  g_return_if_fail (text != NULL);

  add_item (self, ITEM_TITLE, text, NULL, 0);
}

/* A paragraph, wrapped to the picture's width. */
void
unfreeze_export_add_text (UnfreezeExport *self,
                          const char     *text)
{
  g_return_if_fail (UNFREEZE_IS_EXPORT (self));
  g_return_if_fail (text != NULL);

  add_item (self, ITEM_TEXT, text, NULL, 0);
}

/**
 * unfreeze_export_add_chart:
 * @caption: (nullable): a line above the chart
 * @height: its height in the widgets' units, or -1 for the height it asks for at the
 *   picture's width
 *
 * The chart as it draws itself when the picture is made (not now): the full width of the
 * picture, in the light palette.
 */
void
unfreeze_export_add_chart (UnfreezeExport *self,
                           const char     *caption,
                           UnfreezeChart  *chart,
                           int             height)
{
  g_return_if_fail (UNFREEZE_IS_EXPORT (self));
  g_return_if_fail (UNFREEZE_IS_CHART (chart));

  add_item (self, ITEM_CHART, caption, chart, height);
}

/* Drawing ---------------------------------------------------------------------------- */

static PangoLayout *
create_layout (UnfreezeExport *self,
               const char     *text,
               double          width,
               double          scale,
               gboolean        bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (self->widget, text);
  PangoAttrList *attrs = pango_attr_list_new ();

  if (scale != 1.0)
    pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);

  return layout;
}

/* Text at @y; returns the y below it. */
static double
append_text (UnfreezeExport *self,
             GtkSnapshot    *snapshot,
             const char     *text,
             double          y,
             double          width,
             double          scale,
             gboolean        bold)
{
  g_autoptr(PangoLayout) layout = create_layout (self, text, width, scale, bold);
  GdkRGBA fg;
  int height;

  gdk_rgba_parse (&fg, UNFREEZE_CHART_LIGHT_FG);
  unfreeze_chart_append_layout (snapshot, layout, &fg, MARGIN, y);
  pango_layout_get_pixel_size (layout, NULL, &height);

  return y + height;
}

static double
append_chart (GtkSnapshot   *snapshot,
              UnfreezeChart *chart,
              int            height,
              double         y,
              double         width)
{
  if (height < 0)
    gtk_widget_measure (GTK_WIDGET (chart), GTK_ORIENTATION_VERTICAL, (int) width,
                        NULL, &height, NULL, NULL);
  height = MAX (height, 1);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (MARGIN, round (y)));
  unfreeze_chart_snapshot_for_export (chart, snapshot, (int) width, height);
  gtk_snapshot_restore (snapshot);

  return y + height;
}

/* Everything, top to bottom, in the widgets' units; returns the height it took. */
static double
append_items (UnfreezeExport *self,
              GtkSnapshot    *snapshot,
              double          width)
{
  double content_w = floor (width - 2 * MARGIN);
  double y = MARGIN;

  for (guint i = 0; i < self->items->len; i++)
    {
      const Item *item = &g_array_index (self->items, Item, i);

      if (i > 0)
        y += SPACING;

      switch (item->kind)
        {
        case ITEM_TITLE:
          y = append_text (self, snapshot, item->text, y, content_w, TITLE_SCALE, TRUE);
          break;

        case ITEM_TEXT:
          y = append_text (self, snapshot, item->text, y, content_w, 1.0, FALSE);
          break;

        case ITEM_CHART:
        default:
          if (item->text != NULL)
            y = append_text (self, snapshot, item->text, y, content_w, 1.0, TRUE) + CAPTION_GAP;
          y = append_chart (snapshot, item->chart, item->height, y, content_w);
          break;
        }
    }

  return y + MARGIN;
}

/**
 * unfreeze_export_render:
 * @width: (out): the picture's width in pixels (UNFREEZE_EXPORT_WIDTH)
 * @height: (out): its height, as what it shows needs
 *
 * Returns: (transfer full): the picture, on a light ground, in pixels.
 */
GskRenderNode *
unfreeze_export_render (UnfreezeExport *self,
                        int            *width,
                        int            *height)
{
  g_autoptr(GtkSnapshot) content = gtk_snapshot_new ();
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) content_node = NULL;
  double logical_w = UNFREEZE_EXPORT_WIDTH / SCALE;
  double logical_h;
  GdkRGBA bg;

  g_return_val_if_fail (UNFREEZE_IS_EXPORT (self), NULL);
  g_return_val_if_fail (width != NULL && height != NULL, NULL);

  /* The height is known only once everything is laid out: the ground goes under it. */
  logical_h = append_items (self, content, logical_w);
  content_node = gtk_snapshot_free_to_node (g_steal_pointer (&content));

  *width = UNFREEZE_EXPORT_WIDTH;
  *height = (int) ceil (logical_h * SCALE);

  gdk_rgba_parse (&bg, UNFREEZE_CHART_LIGHT_BG);
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, *width, *height));
  gtk_snapshot_scale (snapshot, SCALE, SCALE);
  if (content_node != NULL)
    gtk_snapshot_append_node (snapshot, content_node);

  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

/* Saving ----------------------------------------------------------------------------- */

/* A picture drawn and on its way to a file. Drawing needs the widgets, so it is done on the
 * main thread; what takes time after that (compressing a PNG, writing) needs nothing of
 * them, and may run on a worker. */
typedef struct
{
  char            *path;
  cairo_surface_t *png;      /* an image surface to write as PNG; NULL for an SVG */
  GByteArray      *bytes;    /* the file's contents (an SVG's, at once; a PNG's, once written) */
  int              width;
  int              height;
  gint64           start_us;
} SaveJob;

static void
save_job_free (gpointer data)
{
  SaveJob *job = data;

  g_free (job->path);
  g_clear_pointer (&job->png, cairo_surface_destroy);
  g_byte_array_unref (job->bytes);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaveJob, save_job_free)

static cairo_status_t
append_bytes_cb (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  g_byte_array_append (closure, data, length);

  return CAIRO_STATUS_SUCCESS;
}

static gboolean
set_cairo_error (cairo_status_t   status,
                 GError         **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not draw the picture: %s"),
               cairo_status_to_string (status));
  return FALSE;
}

/* cairo draws text as outlines: an SVG also gets the picture's words as its <title> (the
 * first title) and <desc> (every title, text and caption, a line each), for screen readers,
 * search, and a test that looks for a mode's name. */
static void
add_svg_text (UnfreezeExport *self,
              GByteArray     *bytes)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *data = (const char *) bytes->data;
  const char *root = g_strstr_len (data, bytes->len, "<svg");
  const char *end = root != NULL ? memchr (root, '>', bytes->len - (root - data)) : NULL;
  const char *title = NULL;
  gsize at;

  if (end == NULL)
    return;

  for (guint i = 0; i < self->items->len; i++)
    {
      const Item *item = &g_array_index (self->items, Item, i);
      g_autofree char *escaped = NULL;

      if (item->text == NULL)
        continue;
      if (title == NULL && item->kind == ITEM_TITLE)
        title = item->text;
      escaped = g_markup_escape_text (item->text, -1);
      g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", escaped);
    }

  g_string_prepend (text, "<desc>");
  g_string_append (text, "</desc>\n");
  if (title != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (title, -1);

      g_string_prepend (text, "</title>\n");
      g_string_prepend (text, escaped);
      g_string_prepend (text, "<title>");
    }
  g_string_prepend_c (text, '\n');

  at = end + 1 - data;
  g_byte_array_set_size (bytes, bytes->len + text->len);
  memmove (bytes->data + at + text->len, bytes->data + at, bytes->len - text->len - at);
  memcpy (bytes->data + at, text->str, text->len);
}

/* On the main thread: the format from the extension, and the picture drawn. */
static SaveJob *
save_job_new (UnfreezeExport  *self,
              const char      *path,
              GError         **error)
{
  g_autoptr(SaveJob) job = g_new0 (SaveJob, 1);
  g_autoptr(GskRenderNode) node = NULL;
  g_autofree char *lower = g_ascii_strdown (path, -1);
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  gboolean svg = g_str_has_suffix (lower, ".svg");

  job->path = g_strdup (path);
  job->bytes = g_byte_array_new ();
  job->start_us = g_get_monotonic_time ();

  if (!svg && !g_str_has_suffix (lower, ".png"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Cannot export to “%s”: the file name must end in .svg or .png"), path);
      return NULL;
    }

  node = unfreeze_export_render (self, &job->width, &job->height);
  if (svg)
    {
      surface = cairo_svg_surface_create_for_stream (append_bytes_cb, job->bytes,
                                                     job->width, job->height);
      cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
    }
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, job->width, job->height);

  cr = cairo_create (surface);
  gsk_render_node_draw (node, cr);
  status = cairo_status (cr);
  cairo_destroy (cr);

  if (svg)
    {
      /* An SVG is written out as its surface finishes. */
      cairo_surface_finish (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status (surface);
      cairo_surface_destroy (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        add_svg_text (self, job->bytes);
    }
  else
    job->png = surface;

  if (!set_cairo_error (status, error))
    return NULL;

  g_debug ("Drew %s in %" G_GINT64_FORMAT " ms", path,
           (g_get_monotonic_time () - job->start_us) / 1000);

  return g_steal_pointer (&job);
}

/* On any thread: a PNG compressed, and the file written. */
static gboolean
save_job_write (SaveJob  *job,
                GError  **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (job->path);

  if (job->png != NULL &&
      !set_cairo_error (cairo_surface_write_to_png_stream (job->png, append_bytes_cb, job->bytes),
                        error))
    return FALSE;

  if (!g_file_replace_contents (file, (const char *) job->bytes->data, job->bytes->len, NULL,
                                FALSE, G_FILE_CREATE_NONE, NULL, NULL, error))
    {
      g_prefix_error (error, _("Could not save the picture: "));
      return FALSE;
    }

  g_debug ("Saved %s, %d × %d, %u bytes, in %" G_GINT64_FORMAT " ms", job->path, job->width,
           job->height, job->bytes->len, (g_get_monotonic_time () - job->start_us) / 1000);

  return TRUE;
}

/**
 * unfreeze_export_save:
 * @path: ends in .svg or .png (in any case), which says the format
 *
 * Draws the picture and writes it to @path, all before it returns (for the command line;
 * the window uses unfreeze_export_save_async()).
 */
gboolean
unfreeze_export_save (UnfreezeExport  *self,
                      const char      *path,
                      GError         **error)
{
  g_autoptr(SaveJob) job = NULL;

  g_return_val_if_fail (UNFREEZE_IS_EXPORT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  job = save_job_new (self, path, error);

  return job != NULL && save_job_write (job, error);
}

static void
save_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (save_job_write (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * unfreeze_export_save_async:
 *
 * As unfreeze_export_save(), but only the drawing is done on this (the main) thread: a PNG
 * is compressed, and the file written, on a worker, so the window keeps drawing.
 */
void
unfreeze_export_save_async (UnfreezeExport      *self,
                            const char          *path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  SaveJob *job;

  g_return_if_fail (UNFREEZE_IS_EXPORT (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, unfreeze_export_save_async);

  job = save_job_new (self, path, &error);
  if (job == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, job, save_job_free);
  g_task_run_in_thread (task, save_worker);
}

gboolean
unfreeze_export_save_finish (UnfreezeExport  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == unfreeze_export_save_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
