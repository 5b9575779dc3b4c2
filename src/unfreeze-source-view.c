/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The code beside the run: the selected mode's own .c file, read-only, with the lines that
 * carry the lesson highlighted.
 *
 * The text comes from the program's resources, where the build puts the very files it
 * compiles (from the one list of mode files in meson.build): what the learner reads is what
 * just ran, and the two cannot drift apart.
 *
 * A lesson spot is a comment that starts with "LESSON:" plus the statement right after it.
 * Where that statement ends is found by a deliberately simple rule, good enough for the
 * short, plainly formatted mode files (see find_lessons()).
 */
#define G_LOG_DOMAIN "Unfreeze-SourceView"

#include "config.h"

#include "unfreeze-source-view.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "unfreeze-mode.h"

/* Where the resources live, and where the same files live in the source tree. */
#define RESOURCE_BASE "/io/github/unfreeze/Unfreeze/"
#define SOURCE_DIR    "src/"

#define LESSON_MARKER "/* LESSON:"

/* A statement that has not ended after this many lines is not what the simple rule
 * expects; stop rather than paint half the file. */
#define MAX_STATEMENT_LINES 8

/* Each round of scrolling measures about a screenful of lines (see try_scroll_to_cursor()).
 * A jump within a file takes one or two; in a file just loaded, where no line has been
 * measured yet, about one per screenful above the line. If the rounds run out, the retry
 * goes on from where they stopped. */
#define MAX_SCROLL_ROUNDS 16

typedef struct
{
  int first_line;   /* the LESSON comment */
  int last_line;    /* the end of the statement after it */
} Lesson;

struct _UnfreezeSourceView
{
  GtkWidget           parent_instance;

  /* Template widgets */
  GtkWidget          *header;
  GtkLabel           *file_label;
  GtkLabel           *position_label;
  GtkScrolledWindow  *scroller;
  GtkSourceView      *view;

  GtkSourceBuffer    *buffer;       /* owned by the view */
  GtkTextTag         *lesson_tag;   /* owned by the buffer's tag table */
  const UnfreezeMode *mode;
  char               *file_name;
  GArray             *lessons;      /* of Lesson, in file order */
  int                 current;      /* index into lessons, or -1 */
  gboolean            scroll_pending;
  guint               scroll_idle;   /* retries a pending scroll */
  gboolean            styled;       /* the language and the style scheme are set */
  gboolean            loaded;       /* the buffer holds the mode's file */
};

G_DEFINE_FINAL_TYPE (UnfreezeSourceView, unfreeze_source_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Light and dark ------------------------------------------------------------------------ */

static GtkSourceStyleScheme *
pick_scheme (gboolean dark)
{
  GtkSourceStyleSchemeManager *manager = gtk_source_style_scheme_manager_get_default ();
  /* Adwaita and Adwaita-dark match the rest of the window; GtkSourceView has shipped them
   * since 5.0. The classic pair is the fallback for a trimmed installation. */
  static const char * const light_ids[] = { "Adwaita", "classic", NULL };
  static const char * const dark_ids[] = { "Adwaita-dark", "classic-dark", "oblivion", NULL };
  const char * const *ids = dark ? dark_ids : light_ids;

  for (guint i = 0; ids[i] != NULL; i++)
    {
      GtkSourceStyleScheme *scheme = gtk_source_style_scheme_manager_get_scheme (manager, ids[i]);

      if (scheme != NULL)
        return scheme;
    }

  return NULL;
}

static void
update_style (UnfreezeSourceView *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GdkRGBA highlight;

  gtk_source_buffer_set_style_scheme (self->buffer, pick_scheme (dark));

  /* Adwaita's yellow, translucent so the syntax colours still read through it. On the
   * dark scheme a little less, or the grey comment text would sink into it. */
  if (dark)
    highlight = (GdkRGBA) { 0.961, 0.761, 0.067, 0.22 };
  else
    highlight = (GdkRGBA) { 0.961, 0.761, 0.067, 0.24 };

  g_object_set (self->lesson_tag, "paragraph-background-rgba", &highlight, NULL);
}

static void
dark_changed_cb (UnfreezeSourceView *self,
                 GParamSpec         *pspec,
                 AdwStyleManager    *manager)
{
  if (self->styled)
    update_style (self);
}

/* Lesson spots ---------------------------------------------------------------------------- */

/* The line without a trailing comment and surrounding blanks, so that
 * "call ();  /+ why +/" still ends with ';'. */
static char *
dup_code_part (const char *line)
{
  char *code = g_strdup (line);
  char *comment_start;

  g_strstrip (code);
  comment_start = g_strrstr (code, "/*");
  if (comment_start != NULL && g_str_has_suffix (comment_start, "*/"))
    {
      *comment_start = '\0';
      g_strchomp (code);
    }

  return code;
}

static gboolean
ends_statement (const char *line)
{
  g_autofree char *code = dup_code_part (line);
  gsize len = strlen (code);

  if (len == 0)
    return FALSE;

  return code[len - 1] == ';' || code[len - 1] == '{' || code[len - 1] == ')';
}

static gboolean
is_blank (const char *line)
{
  for (; *line != '\0'; line++)
    {
      if (!g_ascii_isspace (*line))
        return FALSE;
    }

  return TRUE;
}

/* The rule, kept simple on purpose:
 *   - a lesson spot starts on a line holding "/+ LESSON:" (with '*' for '+');
 *   - the comment runs to the line holding its closing "+/";
 *   - then come the code lines up to and including the first one whose code ends with
 *     ';', '{' or ')' (a trailing comment does not count). A blank line, the end of the
 *     file or MAX_STATEMENT_LINES also end it.
 * If the comment trails code on the same line, that line alone is the spot. */
static void
find_lessons (UnfreezeSourceView *self,
              const char         *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  int n_lines = g_strv_length (lines);

  g_array_set_size (self->lessons, 0);

  for (int i = 0; i < n_lines; i++)
    {
      const char *marker = strstr (lines[i], LESSON_MARKER);
      g_autofree char *before = NULL;
      Lesson lesson;
      int line;

      if (marker == NULL)
        continue;

      lesson.first_line = i;
      lesson.last_line = i;

      before = g_strndup (lines[i], marker - lines[i]);
      if (!is_blank (before))
        {
          g_array_append_val (self->lessons, lesson);
          continue;
        }

      /* The end of the comment. */
      line = i;
      while (line < n_lines - 1 && strstr (lines[line], "*/") == NULL)
        line++;
      lesson.last_line = line;

      /* The statement after it. */
      for (int k = line + 1; k < n_lines && k <= line + MAX_STATEMENT_LINES; k++)
        {
          if (is_blank (lines[k]))
            break;

          lesson.last_line = k;
          if (ends_statement (lines[k]))
            break;
        }

      g_array_append_val (self->lessons, lesson);
      i = lesson.last_line;
    }
}

static void
apply_lesson_tags (UnfreezeSourceView *self)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);

  for (guint i = 0; i < self->lessons->len; i++)
    {
      const Lesson *lesson = &g_array_index (self->lessons, Lesson, i);
      GtkTextIter start, end;

      gtk_text_buffer_get_iter_at_line (buffer, &start, lesson->first_line);
      gtk_text_buffer_get_iter_at_line (buffer, &end, lesson->last_line);
      /* Through the newline, so the background covers the whole last line. */
      if (!gtk_text_iter_ends_line (&end))
        gtk_text_iter_forward_to_line_end (&end);
      gtk_text_iter_forward_char (&end);
      gtk_text_buffer_apply_tag (buffer, self->lesson_tag, &start, &end);
    }
}

static void
update_position (UnfreezeSourceView *self)
{
  gboolean any = self->lessons->len > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "source-view.previous-lesson", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "source-view.next-lesson", any);

  gtk_widget_set_visible (GTK_WIDGET (self->position_label), any && self->current >= 0);
  if (any && self->current >= 0)
    {
      /* Translators: which lesson spot of the file is shown, e.g. "2 / 3" */
      g_autofree char *text = g_strdup_printf (_("%d / %u"), self->current + 1, self->lessons->len);
      /* Translators: the same, read out by a screen reader */
      g_autofree char *spoken = g_strdup_printf (_("Lesson line %d of %u"), self->current + 1,
                                                 self->lessons->len);

      gtk_label_set_text (self->position_label, text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->position_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, spoken,
                                      -1);
    }
}

/* Puts the cursor's line a quarter down from the top, scrolled fully left: the comment,
 * the statement and a little of what led to them are all in view.
 *
 * GtkTextView measures lines lazily, in idles; a line not measured yet counts as 0 pixels
 * high, so a position computed from the line heights is only right once the lines between
 * the top of the view and the cursor's line have been measured. Setting the scroll
 * position makes GtkTextView measure the lines then on screen before it returns; so set it,
 * look where the line really is now, and set it again until it stays put (a few rounds at
 * most). The position is set directly, never animated: GtkTextView itself sets the position
 * whenever lines above the view get measured, and that stops a running animation halfway,
 * wherever it happens to be.
 *
 * Returns FALSE when that cannot be done yet: the view has no size, or the line has not been
 * measured and scrolling cannot make it so. It is tried again when the scroll range changes,
 * which it does as lines are measured. Once the line is in place, GtkTextView keeps the top
 * line of the view in place while it measures the rest of the file. */
static gboolean
try_scroll_to_cursor (UnfreezeSourceView *self)
{
  GtkTextView *text_view = GTK_TEXT_VIEW (self->view);
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);
  GtkAdjustment *hadjustment = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (self->view));
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->view));
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  gtk_adjustment_set_value (hadjustment, gtk_adjustment_get_lower (hadjustment));

  for (guint i = 0; i < MAX_SCROLL_ROUNDS; i++)
    {
      double value = gtk_adjustment_get_value (vadjustment);
      double highest = gtk_adjustment_get_upper (vadjustment) - gtk_adjustment_get_page_size (vadjustment);
      double target;
      GdkRectangle visible;
      int y, height;

      gtk_text_view_get_visible_rect (text_view, &visible);
      gtk_text_view_get_line_yrange (text_view, &iter, &y, &height);

      if (visible.height <= 0)
        return FALSE;

      /* Near the end of the file the line stays lower: the view cannot scroll further. */
      target = value + (y - visible.y) - visible.height / 4;
      target = MAX (MIN (target, highest), gtk_adjustment_get_lower (vadjustment));

      if (ABS (target - value) < 1.0)
        return height > 0;

      gtk_adjustment_set_value (vadjustment, target);
    }

  return FALSE;
}

static gboolean
scroll_idle_cb (gpointer data)
{
  UnfreezeSourceView *self = data;

  self->scroll_idle = 0;
  if (self->scroll_pending)
    self->scroll_pending = !try_scroll_to_cursor (self);

  return G_SOURCE_REMOVE;
}

/* After GtkTextView has measured the lines on screen (GTK_PRIORITY_RESIZE - 2), before the
 * next frame is laid out and drawn. */
static void
queue_scroll_retry (UnfreezeSourceView *self)
{
  if (self->scroll_idle != 0)
    return;

  self->scroll_idle = g_idle_add_full (GTK_PRIORITY_RESIZE, scroll_idle_cb, self, NULL);
  g_source_set_name_by_id (self->scroll_idle, "[unfreeze] retry scroll to lesson");
}

/* The range changes when the view gets its size and each time GtkTextView has measured more
 * lines: a pending scroll may work now. Not from inside this signal, though: GtkTextView is
 * in the middle of updating the range and would then overwrite the new position with one
 * it computed before. */
static void
vadjustment_changed_cb (UnfreezeSourceView *self,
                        GtkAdjustment      *adjustment)
{
  if (self->scroll_pending)
    queue_scroll_retry (self);
}

static void
scroll_to_cursor (UnfreezeSourceView *self)
{
  self->scroll_pending = !try_scroll_to_cursor (self);
  if (self->scroll_pending)
    queue_scroll_retry (self);
}

static void
show_current_lesson (UnfreezeSourceView *self)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);
  const Lesson *lesson;
  GtkTextIter iter;

  g_assert (self->current >= 0 && (guint) self->current < self->lessons->len);

  lesson = &g_array_index (self->lessons, Lesson, self->current);
  gtk_text_buffer_get_iter_at_line (buffer, &iter, lesson->first_line);
  gtk_text_buffer_place_cursor (buffer, &iter);
  scroll_to_cursor (self);

  update_position (self);
}

static void
jump_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  UnfreezeSourceView *self = UNFREEZE_SOURCE_VIEW (widget);

  unfreeze_source_view_jump_to_lesson (self,
                                       g_str_equal (action_name, "source-view.previous-lesson") ? -1 : 1);
}

/* Loading ------------------------------------------------------------------------------- */

/* Puts the mode's file in the buffer, finds and highlights its lesson spots, and moves to
 * the first one. */
static void
load_mode (UnfreezeSourceView *self)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);
  const char *source_path;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  source_path = self->mode != NULL ? unfreeze_mode_get_source_path (self->mode) : NULL;
  if (source_path != NULL)
    {
      bytes = g_resources_lookup_data (source_path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes == NULL)
        /* A mode whose file is missing from the resources is a build mistake. */
        g_critical ("No source for mode “%s”: %s", self->mode->id, error->message);
    }

  if (bytes != NULL)
    {
      gsize size;
      const char *data = g_bytes_get_data (bytes, &size);

      if (g_utf8_validate_len (data, size, NULL))
        text = g_strndup (data, size);
      else
        g_critical ("The source of mode “%s” is not UTF-8", self->mode->id);
    }

  gtk_text_buffer_set_text (buffer, text != NULL ? text : "", -1);
  find_lessons (self, text != NULL ? text : "");
  apply_lesson_tags (self);

  self->current = self->lessons->len > 0 ? 0 : -1;
  if (self->current >= 0)
    {
      show_current_lesson (self);
    }
  else
    {
      GtkTextIter start;

      gtk_text_buffer_get_start_iter (buffer, &start);
      gtk_text_buffer_place_cursor (buffer, &start);
      scroll_to_cursor (self);
      update_position (self);
    }
}

/* The language, the style scheme and the mode's file, once they are needed. */
static void
ensure_loaded (UnfreezeSourceView *self)
{
  if (!self->styled)
    {
      GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();

      self->styled = TRUE;
      gtk_source_buffer_set_language (self->buffer, gtk_source_language_manager_get_language (languages, "c"));
      update_style (self);
    }

  if (!self->loaded)
    {
      self->loaded = TRUE;
      load_mode (self);
    }
}

static void
unfreeze_source_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (unfreeze_source_view_parent_class)->map (widget);

  ensure_loaded (UNFREEZE_SOURCE_VIEW (widget));
}

/* GObject --------------------------------------------------------------------------------- */

static void
unfreeze_source_view_dispose (GObject *object)
{
  UnfreezeSourceView *self = UNFREEZE_SOURCE_VIEW (object);
  GtkWidget *child;

  g_clear_handle_id (&self->scroll_idle, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), UNFREEZE_TYPE_SOURCE_VIEW);
  /* The template's unnamed children (the separator) are ours to drop too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->buffer = NULL;
  self->lesson_tag = NULL;

  G_OBJECT_CLASS (unfreeze_source_view_parent_class)->dispose (object);
}

static void
unfreeze_source_view_finalize (GObject *object)
{
  UnfreezeSourceView *self = UNFREEZE_SOURCE_VIEW (object);

  g_clear_pointer (&self->file_name, g_free);
  g_clear_pointer (&self->lessons, g_array_unref);

  G_OBJECT_CLASS (unfreeze_source_view_parent_class)->finalize (object);
}

static void
unfreeze_source_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  UnfreezeSourceView *self = UNFREEZE_SOURCE_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_pointer (value, (gpointer) self->mode);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
unfreeze_source_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  UnfreezeSourceView *self = UNFREEZE_SOURCE_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODE:
      unfreeze_source_view_set_mode (self, g_value_get_pointer (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
unfreeze_source_view_class_init (UnfreezeSourceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = unfreeze_source_view_dispose;
  object_class->finalize = unfreeze_source_view_finalize;
  object_class->get_property = unfreeze_source_view_get_property;
  object_class->set_property = unfreeze_source_view_set_property;

  /**
   * UnfreezeSourceView:mode:
   *
   * The UnfreezeMode whose file is shown (a `const UnfreezeMode *`), or %NULL.
   */
  properties[PROP_MODE] =
    g_param_spec_pointer ("mode", NULL, NULL,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The template names GtkSourceView: its type must exist before the template is parsed. */
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "unfreeze-source-view.ui");
  gtk_widget_class_bind_template_child (widget_class, UnfreezeSourceView, header);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeSourceView, file_label);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeSourceView, position_label);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeSourceView, scroller);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeSourceView, view);

  gtk_widget_class_install_action (widget_class, "source-view.previous-lesson", NULL, jump_action);
  gtk_widget_class_install_action (widget_class, "source-view.next-lesson", NULL, jump_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK,
                                       "source-view.previous-lesson", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK,
                                       "source-view.next-lesson", NULL);

  widget_class->map = unfreeze_source_view_map;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "unfreeze-source-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
unfreeze_source_view_init (UnfreezeSourceView *self)
{
  GtkLayoutManager *layout;

  self->lessons = g_array_new (FALSE, FALSE, sizeof (Lesson));
  self->current = -1;

  gtk_widget_init_template (GTK_WIDGET (self));

  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);

  self->buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view)));
  gtk_text_buffer_set_enable_undo (GTK_TEXT_BUFFER (self->buffer), FALSE);
  gtk_source_buffer_set_highlight_matching_brackets (self->buffer, FALSE);
  self->lesson_tag = gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (self->buffer), "lesson", NULL);

  g_signal_connect_object (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->view)),
                           "changed",
                           G_CALLBACK (vadjustment_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (),
                           "notify::dark",
                           G_CALLBACK (dark_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);
  update_position (self);
}

/* Public API ------------------------------------------------------------------------------ */

/**
 * unfreeze_source_view_new:
 *
 * Returns: (transfer floating): a new source view showing nothing yet
 */
GtkWidget *
unfreeze_source_view_new (void)
{
  return g_object_new (UNFREEZE_TYPE_SOURCE_VIEW, NULL);
}

/* "/io/github/unfreeze/Unfreeze/modes/x.c" -> "src/modes/x.c", its place in the tree. */
static char *
dup_file_name (const char *source_path)
{
  if (g_str_has_prefix (source_path, RESOURCE_BASE))
    return g_strconcat (SOURCE_DIR, source_path + strlen (RESOURCE_BASE), NULL);

  return g_path_get_basename (source_path);
}

/**
 * unfreeze_source_view_set_mode:
 * @self: a source view
 * @mode: (nullable): the mode whose file to show
 *
 * Shows @mode's own source file (from the resources, at unfreeze_mode_get_source_path()),
 * highlights its lesson spots and scrolls to the first one.
 */
void
unfreeze_source_view_set_mode (UnfreezeSourceView *self,
                               const UnfreezeMode *mode)
{
  const char *source_path;

  g_return_if_fail (UNFREEZE_IS_SOURCE_VIEW (self));

  self->mode = mode;
  g_clear_pointer (&self->file_name, g_free);
  source_path = mode != NULL ? unfreeze_mode_get_source_path (mode) : NULL;
  if (source_path != NULL)
    self->file_name = dup_file_name (source_path);

  if (self->file_name != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self->file_name);
      g_autofree char *base = g_path_get_basename (self->file_name);
      g_autofree char *markup = NULL;

      /* The folder is dimmed; on a narrow panel it is also what the ellipsis eats first. */
      markup = g_markup_printf_escaped ("<span alpha=\"55%%\">%s/</span>%s", dir, base);
      gtk_label_set_markup (self->file_label, markup);
    }
  else
    {
      gtk_label_set_text (self->file_label, "");
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->file_label), self->file_name);

  /* The file itself when the view is shown (or asked about): at start-up the Code page is
   * usually not, and loading C's syntax and highlighting a file cost about a third of
   * building the window. */
  self->loaded = FALSE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    ensure_loaded (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

const UnfreezeMode *
unfreeze_source_view_get_mode (UnfreezeSourceView *self)
{
  g_return_val_if_fail (UNFREEZE_IS_SOURCE_VIEW (self), NULL);

  return self->mode;
}

/**
 * unfreeze_source_view_get_file_name:
 *
 * Returns: (nullable): where the shown file lives in the source tree, such as
 *   "src/modes/unfreeze-mode-gtask.c"
 */
const char *
unfreeze_source_view_get_file_name (UnfreezeSourceView *self)
{
  g_return_val_if_fail (UNFREEZE_IS_SOURCE_VIEW (self), NULL);

  return self->file_name;
}

/**
 * unfreeze_source_view_dup_text:
 *
 * Returns: (transfer full): the whole text shown, exactly as in the file
 */
char *
unfreeze_source_view_dup_text (UnfreezeSourceView *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (UNFREEZE_IS_SOURCE_VIEW (self), NULL);

  ensure_loaded (self);
  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (self->buffer), &start, &end);

  return gtk_text_buffer_get_text (GTK_TEXT_BUFFER (self->buffer), &start, &end, TRUE);
}

/**
 * unfreeze_source_view_get_buffer:
 *
 * Returns: (transfer none): the buffer, for its language and style scheme
 */
GtkSourceBuffer *
unfreeze_source_view_get_buffer (UnfreezeSourceView *self)
{
  g_return_val_if_fail (UNFREEZE_IS_SOURCE_VIEW (self), NULL);

  ensure_loaded (self);
  return self->buffer;
}

/**
 * unfreeze_source_view_get_n_lesson_lines:
 *
 * Returns: how many lesson spots the file has: each is one "LESSON:" comment and the
 *   statement after it, and one step of Previous/Next
 */
guint
unfreeze_source_view_get_n_lesson_lines (UnfreezeSourceView *self)
{
  g_return_val_if_fail (UNFREEZE_IS_SOURCE_VIEW (self), 0);

  ensure_loaded (self);
  return self->lessons->len;
}

/**
 * unfreeze_source_view_line_is_lesson:
 * @line: a line number, from 0
 *
 * Returns: whether @line is highlighted as part of a lesson spot
 */
gboolean
unfreeze_source_view_line_is_lesson (UnfreezeSourceView *self,
                                     int                 line)
{
  GtkTextIter iter;

  g_return_val_if_fail (UNFREEZE_IS_SOURCE_VIEW (self), FALSE);

  ensure_loaded (self);
  if (!gtk_text_buffer_get_iter_at_line (GTK_TEXT_BUFFER (self->buffer), &iter, line))
    return FALSE;

  return gtk_text_iter_has_tag (&iter, self->lesson_tag);
}

/**
 * unfreeze_source_view_jump_to_lesson:
 * @direction: 1 for the next lesson spot, -1 for the previous one
 *
 * Moves to the next or previous lesson spot, wrapping around at either end, and scrolls it
 * into view.
 */
void
unfreeze_source_view_jump_to_lesson (UnfreezeSourceView *self,
                                     int                 direction)
{
  int n;

  g_return_if_fail (UNFREEZE_IS_SOURCE_VIEW (self));
  g_return_if_fail (direction == 1 || direction == -1);

  ensure_loaded (self);
  n = (int) self->lessons->len;
  if (n == 0)
    return;

  if (self->current < 0)
    self->current = direction > 0 ? 0 : n - 1;
  else
    self->current = (self->current + direction + n) % n;

  show_current_lesson (self);
}

/**
 * unfreeze_source_view_get_current_line:
 *
 * Returns: the line (from 0) of the lesson spot last moved to, or 0 when there is none
 */
int
unfreeze_source_view_get_current_line (UnfreezeSourceView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter iter;

  g_return_val_if_fail (UNFREEZE_IS_SOURCE_VIEW (self), 0);

  ensure_loaded (self);
  buffer = GTK_TEXT_BUFFER (self->buffer);
  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));

  return gtk_text_iter_get_line (&iter);
}
