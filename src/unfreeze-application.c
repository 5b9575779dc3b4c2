/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application: command-line options, settings, the database for the whole app, and
 * the window. With --run it starts a run as soon as the database is ready and prints one
 * summary line when that run ends (see README.md for its format).
 */
#define G_LOG_DOMAIN "Unfreeze"

#include "config.h"

#include "unfreeze-application.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <libpq-fe.h>
#include <signal.h>

#include "unfreeze-database.h"
#include "unfreeze-mode.h"
#include "unfreeze-preferences-window.h"
#include "unfreeze-renderer.h"
#include "unfreeze-password-dialog.h"
#include "unfreeze-run.h"
#include "unfreeze-secret.h"
#include "unfreeze-stall-meter.h"
#include "unfreeze-window.h"

#define SCHEMA_ID "io.github.unfreeze.Unfreeze"

struct _UnfreezeApplication
{
  AdwApplication    parent_instance;

  GSettings        *settings;     /* NULL when the schema is not installed */
  UnfreezeDatabase *database;
  char             *conninfo;       /* the database's, as given ("" for the PG* variables) */
  UnfreezeWindow   *window;       /* the first window: the one bound to the settings */
  gboolean          database_ready;
  GError           *database_error;  /* why preparing the database failed, if it did */
  gboolean          keyring_tried;  /* for this database: looked for its password there */
  char             *remember;       /* a password that works is kept in the keyring */
  GCancellable     *password_cancellable;   /* the keyring and the dialog, for this database */

  /* From the command line */
  char             *mode;
  char             *ticker;
  double            delay;
  char             *connection;
  char             *screenshot;
  char             *export_path;    /* --export */
  int               count;
  int               cpu_ms;
  int               cancel_after_ms;
  gboolean          run_pending;    /* --run or --compare, and that run is still to start */
  gboolean          compare;        /* --compare: the run is every mode in turn */
  gboolean          quit_after_run;
  gboolean          scripted;       /* started with --run */
  gboolean          big_tickers;    /* --big-tickers */
  gboolean          run_finished;   /* ... and that run has finished */
  guint             signal_ids[3];  /* SIGINT, SIGTERM, SIGHUP: quit */

  int               exit_status;
  gint64            settle_started_us;
  char             *mode_ids;     /* for --help: GLib keeps a pointer to it */
};

G_DEFINE_FINAL_TYPE (UnfreezeApplication, unfreeze_application, ADW_TYPE_APPLICATION)

/* Exit status when the picture --export asked for could not be saved. */
#define EXIT_STATUS_EXPORT_FAILED 5
/* Exit status of --compare when a mode did not end the way it is meant to. */
#define EXIT_STATUS_COMPARE_UNEXPECTED 6
/* How long after the run --export waits before drawing the picture. */
#define EXPORT_SETTLE_MS 200

/* Exit statuses with --quit-after-run, by the run's result. */
static int
exit_status_for (UnfreezeRunResult result)
{
  switch (result)
    {
    case UNFREEZE_RUN_RESULT_OK:        return 0;
    case UNFREEZE_RUN_RESULT_ERROR:     return 1;
    case UNFREEZE_RUN_RESULT_REFUSED:   return 2;
    case UNFREEZE_RUN_RESULT_CANCELLED: return 3;
    case UNFREEZE_RUN_RESULT_DEADLOCK:  return 4;
    case UNFREEZE_RUN_RESULT_NONE:
    default:                            return 1;
    }
}

/* Renders the window with GTK's own renderer to a PNG file: the README's and the
 * AppStream screenshots are made this way (build-aux/screenshots.sh). */
static gboolean
save_screenshot (GtkWidget   *widget,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The window drew nothing");
      return FALSE;
    }

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s", path);
      return FALSE;
    }

  return TRUE;
}

/* A picture of the run (--export), as Ctrl+E saves it: the window's charts are final by now.
 * (A comparison, when there is one, hands its own UnfreezeExport to the same save.) */
static void
export_run (UnfreezeApplication *self)
{
  g_autoptr(GError) error = NULL;

  if (self->export_path == NULL)
    return;

  if (self->window == NULL || !unfreeze_window_export (self->window, self->export_path, &error))
    {
      g_printerr ("%s\n", error != NULL ? error->message : _("There is no window to export"));
      self->exit_status = EXIT_STATUS_EXPORT_FAILED;
    }
}

static gboolean
screenshot_and_maybe_quit_cb (gpointer user_data)
{
  UnfreezeApplication *self = user_data;

  export_run (self);

  if (self->screenshot != NULL && self->window != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!save_screenshot (GTK_WIDGET (self->window), self->screenshot, &error))
        {
          g_printerr ("%s\n", error->message);
          self->exit_status = 1;
        }
    }

  if (self->quit_after_run)
    g_application_quit (G_APPLICATION (self));

  return G_SOURCE_REMOVE;
}

static void scripted_run_ended (UnfreezeApplication *self);

static void
print_summary_line (UnfreezeRun *run)
{
  g_autofree char *line = unfreeze_run_dup_summary_line (run);

  g_print ("%s\n", line);
  fflush (stdout);

  /* The summary line says "error"; standard error says which. */
  if (unfreeze_run_get_result (run) == UNFREEZE_RUN_RESULT_ERROR)
    g_printerr ("%s\n", unfreeze_run_get_error (run)->message);
}

static void
command_line_run_finished_cb (UnfreezeApplication *self,
                              UnfreezeRun         *run)
{
  print_summary_line (run);

  self->exit_status = exit_status_for (unfreeze_run_get_result (run));
  scripted_run_ended (self);
}

/* The scripted run (or comparison) is over: the screenshot, the picture, quitting. */
static void
scripted_run_ended (UnfreezeApplication *self)
{
  self->run_finished = TRUE;

  /* A screenshot waits for the window to draw the outcome (and the meters to settle); a
   * picture for --export only for the stall meter's next beats, so that the graph has the
   * end of a freeze (the heartbeat that was late runs once the main loop is free). */
  if (self->screenshot != NULL)
    g_timeout_add_full (G_PRIORITY_DEFAULT, 1500, screenshot_and_maybe_quit_cb,
                        g_object_ref (self), g_object_unref);
  else if (self->export_path != NULL)
    g_timeout_add_full (G_PRIORITY_DEFAULT, EXPORT_SETTLE_MS, screenshot_and_maybe_quit_cb,
                        g_object_ref (self), g_object_unref);
  else if (self->quit_after_run)
    g_application_quit (G_APPLICATION (self));
}

static gboolean
cancel_after_cb (gpointer user_data)
{
  UnfreezeApplication *self = user_data;

  if (self->window != NULL)
    unfreeze_window_cancel_run (self->window);

  return G_SOURCE_REMOVE;
}

/* --compare: a summary line per mode as each run ends, in the list's order. */
static void
command_line_compare_run_cb (UnfreezeApplication *self,
                             UnfreezeRun         *run)
{
  print_summary_line (run);
}

/* 0 when every mode ended the way it is meant to (unfreeze_compare_run_is_expected()), 3 when
 * cancelled, EXIT_STATUS_COMPARE_UNEXPECTED otherwise. */
static void
command_line_compare_finished_cb (UnfreezeApplication *self,
                                  UnfreezeCompare     *compare)
{
  if (unfreeze_compare_get_cancelled (compare))
    self->exit_status = exit_status_for (UNFREEZE_RUN_RESULT_CANCELLED);
  else if (unfreeze_compare_get_as_expected (compare))
    self->exit_status = 0;
  else
    self->exit_status = EXIT_STATUS_COMPARE_UNEXPECTED;

  scripted_run_ended (self);
}

static void
start_command_line_compare (UnfreezeApplication *self)
{
  UnfreezeCompare *compare = unfreeze_window_start_compare (self->window);

  if (compare == NULL)
    {
      g_printerr ("%s\n", _("Could not start the run"));
      self->exit_status = 1;
      if (self->quit_after_run)
        g_application_quit (G_APPLICATION (self));
      return;
    }

  g_signal_connect_object (compare, "run-finished", G_CALLBACK (command_line_compare_run_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (compare, "finished", G_CALLBACK (command_line_compare_finished_cb),
                           self, G_CONNECT_SWAPPED);
  /* The first mode (blocking) may be over before its start returns: its line is printed
   * once it has settled, so nothing is missed here. */
  if (unfreeze_compare_get_finished (compare))
    command_line_compare_finished_cb (self, compare);
  else if (self->cancel_after_ms >= 0)
    g_timeout_add_full (G_PRIORITY_DEFAULT, self->cancel_after_ms, cancel_after_cb,
                        g_object_ref (self), g_object_unref);
}

static gboolean
start_command_line_run_cb (gpointer user_data)
{
  UnfreezeApplication *self = user_data;
  UnfreezeRun *run;

  if (self->window == NULL)
    return G_SOURCE_REMOVE;

  if (self->compare)
    {
      start_command_line_compare (self);
      return G_SOURCE_REMOVE;
    }

  run = unfreeze_window_start_run (self->window);
  if (run == NULL)
    {
      g_printerr ("%s\n", _("Could not start the run"));
      self->exit_status = 1;
      if (self->quit_after_run)
        g_application_quit (G_APPLICATION (self));
      return G_SOURCE_REMOVE;
    }

  g_signal_connect_object (run, "finished", G_CALLBACK (command_line_run_finished_cb), self,
                           G_CONNECT_SWAPPED);
  if (unfreeze_run_get_finished (run))
    command_line_run_finished_cb (self, run);
  else if (self->cancel_after_ms >= 0)
    g_timeout_add_full (G_PRIORITY_DEFAULT, self->cancel_after_ms, cancel_after_cb,
                        g_object_ref (self), g_object_unref);

  return G_SOURCE_REMOVE;
}

/* A scripted run waits until the window has settled: the first frames of a new window
 * (fonts, styles, the code view's highlighting) keep the main loop busy for a while, and
 * that is start-up, not what the run is about. Settled means the heartbeat has not been
 * late by more than SETTLE_STALL_MS for SETTLE_QUIET_MS; it waits SETTLE_MAX_MS at most. */
#define SETTLE_POLL_MS   100
#define SETTLE_QUIET_MS  500
#define SETTLE_STALL_MS  50
#define SETTLE_MAX_MS    5000

static gboolean
settle_then_run_cb (gpointer user_data)
{
  UnfreezeApplication *self = user_data;
  UnfreezeStallSample samples[SETTLE_QUIET_MS / UNFREEZE_STALL_METER_INTERVAL_MS];
  gint64 now = g_get_monotonic_time ();
  guint n = unfreeze_stall_meter_get_samples (unfreeze_stall_meter_get_default (),
                                              samples, G_N_ELEMENTS (samples));
  gboolean quiet = now - self->settle_started_us >= SETTLE_QUIET_MS * 1000;

  for (guint i = 0; i < n && quiet; i++)
    {
      if (samples[i].time_us >= now - SETTLE_QUIET_MS * 1000 &&
          samples[i].late_us > SETTLE_STALL_MS * 1000)
        quiet = FALSE;
    }

  if (!quiet && now - self->settle_started_us < SETTLE_MAX_MS * 1000)
    return G_SOURCE_CONTINUE;

  start_command_line_run_cb (self);

  return G_SOURCE_REMOVE;
}

static void prepare_database (UnfreezeApplication *self);

static void
forget_remembered (UnfreezeApplication *self)
{
  g_clear_pointer (&self->remember, unfreeze_secret_free_password);
}

static void
secret_stored_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The password works this time; without a keyring it is asked for again next time. */
  if (!unfreeze_secret_store_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Could not keep the password in the keyring: %s", error->message);
}

/* Another server was chosen (or the app quits) while the keyring or the user was asked:
 * the answer is for nobody. */
static gboolean
password_still_wanted (UnfreezeApplication  *self,
                       char                **password)
{
  if (!g_cancellable_is_cancelled (self->password_cancellable))
    return TRUE;

  g_clear_pointer (password, unfreeze_secret_free_password);
  return FALSE;
}

/* Every window: the database is ready, or why it is not. */
static void
tell_windows_ready (UnfreezeApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (UNFREEZE_IS_WINDOW (l->data))
      unfreeze_window_set_database_ready (l->data, self->database_error);
}

static void
password_given_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(UnfreezeApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean remember = FALSE;
  char *password = unfreeze_password_dialog_ask_finish (result, &remember, &error);

  if (!password_still_wanted (self, &password))
    return;

  if (password == NULL)
    {
      /* Cancelled: the window says why there is no connection. */
      self->database_ready = TRUE;
      g_clear_error (&self->database_error);
      self->database_error = g_error_new_literal (UNFREEZE_DATABASE_ERROR,
                                                  UNFREEZE_DATABASE_ERROR_NEEDS_PASSWORD,
                                                  _("The server asks for a password, and none "
                                                    "was given. Runs will fail until one is "
                                                    "given (Preferences, or start again)."));
      tell_windows_ready (self);
      return;
    }

  unfreeze_database_set_password (self->database, password);
  forget_remembered (self);
  if (remember)
    self->remember = g_steal_pointer (&password);
  unfreeze_secret_free_password (password);
  prepare_database (self);
}

/* @error: (nullable): why it asks again, when the server refused the last password */
static void
ask_password (UnfreezeApplication *self,
              const GError        *error)
{
  g_autofree char *description = unfreeze_database_dup_description (self->database);

  unfreeze_password_dialog_ask_async (GTK_WINDOW (self->window), description,
                                      g_error_matches (error, UNFREEZE_DATABASE_ERROR,
                                                       UNFREEZE_DATABASE_ERROR_PASSWORD_REFUSED)
                                      ? error->message : NULL,
                                      self->password_cancellable, password_given_cb,
                                      g_object_ref (self));
}

static void
secret_found_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(UnfreezeApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  char *password = unfreeze_secret_lookup_finish (result, &error);

  if (!password_still_wanted (self, &password))
    return;

  if (error != NULL)
    g_debug ("No password from the keyring: %s", error->message);

  if (password != NULL)
    {
      unfreeze_database_set_password (self->database, password);
      unfreeze_secret_free_password (password);
      prepare_database (self);
    }
  else if (!self->scripted && self->window != NULL)
    {
      ask_password (self, NULL);
    }
  else
    {
      /* Nobody to ask: preparing fails again, and says why. */
      prepare_database (self);
    }
}

/* The server wants a password that it was not given, or refused the one it was: look in
 * the keyring first (once), then ask, unless a script is running: then the run says why. */
static gboolean
get_password (UnfreezeApplication *self,
              const GError        *error)
{
  if (!g_error_matches (error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_NEEDS_PASSWORD) &&
      !g_error_matches (error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_PASSWORD_REFUSED))
    return FALSE;

  if (!self->keyring_tried)
    {
      self->keyring_tried = TRUE;
      unfreeze_secret_lookup_async (self->conninfo, self->password_cancellable, secret_found_cb,
                                    g_object_ref (self));
      return TRUE;
    }

  if (self->scripted || self->window == NULL)
    return FALSE;

  ask_password (self, error);
  return TRUE;
}

static void
database_prepared_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(UnfreezeApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean prepared = unfreeze_database_prepare_finish (UNFREEZE_DATABASE (object), result, &error);

  /* Another server was chosen since. */
  if (UNFREEZE_DATABASE (object) != self->database)
    return;

  if (!prepared && get_password (self, error))
    return;

  if (!prepared)
    g_warning ("%s", error->message);
  else if (self->remember != NULL)
    unfreeze_secret_store_async (self->conninfo, self->remember, NULL, secret_stored_cb, NULL);
  forget_remembered (self);

  self->database_ready = TRUE;
  g_clear_error (&self->database_error);
  self->database_error = g_steal_pointer (&error);
  tell_windows_ready (self);
  /* For the benchmark's start-up figures (G_MESSAGES_DEBUG=Unfreeze-Startup). */
  g_log ("Unfreeze-Startup", G_LOG_LEVEL_DEBUG, "ready monotonic_us=%" G_GINT64_FORMAT,
         g_get_monotonic_time ());

  if (self->run_pending)
    {
      self->run_pending = FALSE;
      self->settle_started_us = g_get_monotonic_time ();
      g_timeout_add_full (G_PRIORITY_DEFAULT, SETTLE_POLL_MS, settle_then_run_cb,
                          g_object_ref (self), g_object_unref);
    }
}

/* The window's first frame: it is on screen. */
static gboolean
first_frame_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  g_log ("Unfreeze-Startup", G_LOG_LEVEL_DEBUG, "window-shown monotonic_us=%" G_GINT64_FORMAT,
         g_get_monotonic_time ());
  return G_SOURCE_REMOVE;
}

/* Each new window: told now if the database is ready already (database_prepared_cb()
 * tells the windows there are when it becomes ready). */
static void
add_window (UnfreezeApplication *self,
            UnfreezeWindow      *window)
{
  if (self->database_ready)
    unfreeze_window_set_database_ready (window, self->database_error);
  gtk_widget_add_tick_callback (GTK_WIDGET (window), first_frame_cb, NULL, NULL);
}

static void
unfreeze_application_activate (GApplication *app)
{
  UnfreezeApplication *self = UNFREEZE_APPLICATION (app);
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  /* Launched again from the desktop (GApplication hands that to this process): present
   * the window used last, as GNOME apps do. */
  if (active != NULL)
    {
      g_debug ("Launched again: presenting the window in use");
      gtk_window_present (active);
      return;
    }

  if (self->window == NULL)
    {
      self->window = unfreeze_window_new (GTK_APPLICATION (self), self->database);
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);

      /* A run started from a script is self-contained: it neither reads nor changes the
       * user's last mode, ticker, delay or window size. */
      if (self->settings != NULL && !self->scripted)
        unfreeze_window_bind_settings (self->window, self->settings);

      if (self->mode != NULL)
        unfreeze_window_set_mode (self->window, self->mode);
      if (self->ticker != NULL)
        unfreeze_window_set_ticker (self->window, self->ticker);
      if (self->delay >= 0)
        unfreeze_window_set_delay (self->window, self->delay);
      if (self->count > 0)
        unfreeze_window_set_count (self->window, self->count);
      if (self->cpu_ms >= 0)
        unfreeze_window_set_cpu_ms (self->window, self->cpu_ms);

      add_window (self, self->window);
    }

  gtk_window_present (GTK_WINDOW (self->window));
}

/* Ctrl+C in a terminal, SIGTERM from `kill` or a session ending, SIGHUP when the terminal
 * goes: quit as Ctrl+Q does, so the built-in server stops and its socket directory goes.
 * (Nothing can catch SIGKILL: PR_SET_PDEATHSIG stops the server then.) In the blocking
 * mode this waits for the query, like every other event. */
static gboolean
quit_on_signal_cb (gpointer user_data)
{
  UnfreezeApplication *self = user_data;

  /* A scripted run that did not finish did not succeed (quitting may still cancel it, and
   * then the exit status says so). */
  if (self->scripted && !self->run_finished && self->exit_status == 0)
    self->exit_status = 1;
  g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);

  return G_SOURCE_CONTINUE;
}

static gboolean
settings_backend_is (GSettings  *settings,
                     const char *type_name)
{
  g_autoptr(GObject) backend = NULL;

  g_object_get (settings, "backend", &backend, NULL);

  return backend != NULL && g_str_equal (G_OBJECT_TYPE_NAME (backend), type_name);
}

static void
prepare_database (UnfreezeApplication *self)
{
  unfreeze_database_prepare_async (self->database, NULL, database_prepared_cb, g_object_ref (self));
}

/* Connects to @conninfo from now on, even while the app runs: idle connections to the old
 * server close, new runs go to the new one, and a run in flight ends where it started (it
 * holds its database). @password, when given, is kept in memory only. */
static void
use_connection (UnfreezeApplication *self,
                const char          *conninfo,
                const char          *password)
{
  g_autoptr(UnfreezeDatabase) old = g_steal_pointer (&self->database);

  if (old != NULL)
    unfreeze_database_retire (old);
  g_cancellable_cancel (self->password_cancellable);
  g_clear_object (&self->password_cancellable);
  self->password_cancellable = g_cancellable_new ();
  forget_remembered (self);
  self->keyring_tried = FALSE;
  self->database_ready = FALSE;

  g_free (self->conninfo);
  self->conninfo = g_strdup (conninfo != NULL ? conninfo : "");
  self->database = unfreeze_database_new (conninfo);
  if (self->big_tickers)
    unfreeze_database_set_big_tickers (self->database, TRUE);
  if (password != NULL)
    unfreeze_database_set_password (self->database, password);

  g_clear_error (&self->database_error);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (UNFREEZE_IS_WINDOW (l->data))
      unfreeze_window_set_database (l->data, self->database);
  prepare_database (self);
}

/* The connection changed (Preferences, or `gsettings set`): use it at once. A connection
 * from the command line wins until the setting changes. */
static void
connection_setting_changed_cb (UnfreezeApplication *self,
                               const char          *key,
                               GSettings           *settings)
{
  g_autofree char *conninfo = g_settings_get_string (settings, "connection");

  if (self->scripted || g_strcmp0 (conninfo, self->conninfo) == 0)
    return;

  use_connection (self, conninfo, NULL);
}

/* Preferences, with the password typed into the connection string, which is stored
 * without it. */
static void
preferences_connection_cb (UnfreezeApplication *self,
                           const char          *conninfo,
                           const char          *password)
{
  if (g_strcmp0 (conninfo, self->conninfo) == 0 && password == NULL)
    return;

  use_connection (self, conninfo, password);
}

static void
unfreeze_application_startup (GApplication *app)
{
  UnfreezeApplication *self = UNFREEZE_APPLICATION (app);
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  g_autofree char *conninfo = NULL;

  /* The database first: the built-in server (initdb on a first start) gets going while GTK
   * starts and the window is built. Neither needs GTK. */
  /* Running from the build tree without the schema is allowed: defaults then. */
  if (source != NULL && (schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE)))
    self->settings = g_settings_new (SCHEMA_ID);

  /* Without a session bus dconf can read the settings but not write them, and it undoes
   * each change a moment after it is made: the window would jump back to the remembered
   * mode, whatever --mode or a click chose. Keep the changes in memory until we quit. */
  if (self->settings != NULL && g_application_get_dbus_connection (app) == NULL &&
      settings_backend_is (self->settings, "DConfSettingsBackend"))
    {
      g_message ("No D-Bus session bus: changes to the mode, ticker, delay and window size "
                 "last until Unfreeze quits (start it with dbus-run-session to keep them)");
      g_settings_delay (self->settings);
    }

  if (self->connection != NULL)
    conninfo = g_strdup (self->connection);
  else if (self->settings != NULL)
    conninfo = g_settings_get_string (self->settings, "connection");

  use_connection (self, conninfo, NULL);
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::connection",
                             G_CALLBACK (connection_setting_changed_cb), self, G_CONNECT_SWAPPED);

  G_APPLICATION_CLASS (unfreeze_application_parent_class)->startup (app);

  /* Before any window is realized: a renderer that keeps up without a GPU. */
  unfreeze_renderer_choose (gdk_display_get_default ());

  self->signal_ids[0] = g_unix_signal_add (SIGINT, quit_on_signal_cb, self);
  self->signal_ids[1] = g_unix_signal_add (SIGTERM, quit_on_signal_cb, self);
  self->signal_ids[2] = g_unix_signal_add (SIGHUP, quit_on_signal_cb, self);

  {
    static const struct {
      const char *action;
      const char *accels[3];
    } accels[] = {
      { "app.quit", { "<Control>q", NULL } },
      { "app.new-window", { "<Control>n", NULL } },
      { "app.preferences", { "<Control>comma", NULL } },
      { "win.show-help-overlay", { "<Control>question", NULL } },
      { "win.run", { "<Control>Return", "<Control>KP_Enter", NULL } },
      { "win.export", { "<Control>e", NULL } },
      { "win.zoom-in", { "<Control>plus", "<Control>equal", NULL } },
      { "win.zoom-out", { "<Control>minus", NULL } },
      { "win.zoom-reset", { "<Control>0", NULL } },
    };
    const UnfreezeMode * const *modes;
    guint n_modes;

    for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
      gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);

    /* Ctrl+1 … Ctrl+5 pick a mode by its number in the list. */
    modes = unfreeze_modes_get_all (&n_modes);
    for (guint i = 0; i < n_modes && i < 9; i++)
      {
        g_autofree char *action = g_strdup_printf ("win.mode('%s')", modes[i]->id);
        g_autofree char *accel = g_strdup_printf ("<Control>%u", i + 1);
        const char *accel_list[] = { accel, NULL };

        gtk_application_set_accels_for_action (GTK_APPLICATION (app), action, accel_list);
      }
  }

  gtk_css_provider_load_from_resource (css, "/io/github/unfreeze/Unfreeze/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
unfreeze_application_shutdown (GApplication *app)
{
  UnfreezeApplication *self = UNFREEZE_APPLICATION (app);

  for (guint i = 0; i < G_N_ELEMENTS (self->signal_ids); i++)
    g_clear_handle_id (&self->signal_ids[i], g_source_remove);

  /* Quitting: no other server any more, no password to ask for. */
  g_cancellable_cancel (self->password_cancellable);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_func (self->settings, connection_setting_changed_cb, self);

  /* Stop the built-in server before we go: it must not outlive us. */
  if (self->database != NULL)
    unfreeze_database_shutdown (self->database);

  G_APPLICATION_CLASS (unfreeze_application_parent_class)->shutdown (app);
}

/* Whether the command line gave any option (--version has been answered already). */
static gboolean
any_option_given (GVariantDict *options)
{
  static const char * const names[] = {
    "mode", "ticker", "delay", "count", "run", "compare", "quit-after-run", "connection", "big-tickers",
    "cancel-after", "screenshot",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_variant_dict_contains (options, names[i]))
      return TRUE;

  return FALSE;
}

static int
unfreeze_application_handle_local_options (GApplication *app,
                                           GVariantDict *options)
{
  UnfreezeApplication *self = UNFREEZE_APPLICATION (app);
  g_autofree char *text = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("unfreeze %s\n", PACKAGE_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "mode", "s", &self->mode);
  g_variant_dict_lookup (options, "ticker", "^ay", &self->ticker);
  g_variant_dict_lookup (options, "connection", "s", &self->connection);
  self->big_tickers = g_variant_dict_contains (options, "big-tickers");
  g_variant_dict_lookup (options, "count", "i", &self->count);

  /* Numbers that may be 0 arrive as text: GApplication leaves a numeric option that equals
   * 0 out of the dictionary, so --delay=0 would look as if it had not been given. */
  if (g_variant_dict_lookup (options, "delay", "s", &text))
    {
      char *end = NULL;

      self->delay = g_ascii_strtod (text, &end);
      if (end == text || *end != '\0' || !(self->delay >= 0 && self->delay <= 3600))
        {
          g_printerr ("%s\n", _("The delay must be between 0 and 3600 seconds"));
          return 2;
        }
      g_clear_pointer (&text, g_free);
    }

  if (g_variant_dict_lookup (options, "cpu", "s", &text))
    {
      guint64 ms = 0;

      if (!g_ascii_string_to_unsigned (text, 10, 0, 10000, &ms, NULL))
        {
          g_printerr ("%s\n", _("--cpu takes a number of milliseconds, 0 to 10000"));
          return 2;
        }
      self->cpu_ms = (int) ms;
      g_clear_pointer (&text, g_free);
    }

  if (g_variant_dict_lookup (options, "cancel-after", "s", &text))
    {
      guint64 ms = 0;

      if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT, &ms, NULL))
        {
          g_printerr ("%s\n", _("--cancel-after takes a number of milliseconds, 0 or more"));
          return 2;
        }
      self->cancel_after_ms = (int) ms;
      g_clear_pointer (&text, g_free);
    }
  g_variant_dict_lookup (options, "screenshot", "^ay", &self->screenshot);
  g_variant_dict_lookup (options, "export", "^ay", &self->export_path);
  self->compare = g_variant_dict_contains (options, "compare");
  if (self->compare && g_variant_dict_contains (options, "run"))
    {
      g_printerr ("%s\n", _("--run and --compare cannot be combined: --compare runs every mode"));
      return 2;
    }
  self->run_pending = g_variant_dict_contains (options, "run") || self->compare;
  self->scripted = self->run_pending;
  self->quit_after_run = g_variant_dict_contains (options, "quit-after-run");

  if (self->mode != NULL && unfreeze_modes_lookup (self->mode) == NULL)
    {
      g_autofree char *ids = unfreeze_modes_dup_ids ("|");

      g_printerr (_("Unknown mode “%s”: use --mode=%s\n"), self->mode, ids);
      return 2;
    }

  if (g_variant_dict_contains (options, "count") && (self->count < 1 || self->count > UNFREEZE_MAX_QUERIES_AT_ONCE))
    {
      g_printerr ("%s\n", _("The count must be between 1 and 200"));
      return 2;
    }

  if (self->ticker != NULL && !g_utf8_validate (self->ticker, -1, NULL))
    {
      /* In a locale that is not UTF-8, the terminal gave the locale's own bytes. */
      g_autofree char *converted = g_locale_to_utf8 (self->ticker, -1, NULL, NULL, NULL);

      if (converted == NULL)
        {
          g_printerr ("%s\n", _("The ticker is not valid UTF-8"));
          return 2;
        }
      g_free (self->ticker);
      self->ticker = g_steal_pointer (&converted);
    }

  if (self->quit_after_run && !self->run_pending)
    {
      g_printerr ("%s\n", _("--quit-after-run needs --run"));
      return 2;
    }

  if (self->export_path != NULL && !self->run_pending)
    {
      g_printerr ("%s\n", _("--export needs --run: it saves a picture of that run"));
      return 2;
    }

  if (self->export_path != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (self->export_path, -1);

      /* Said now, not after a run of minutes. */
      if (!g_str_has_suffix (lower, ".svg") && !g_str_has_suffix (lower, ".png"))
        {
          g_printerr ("%s\n", _("--export takes a file name ending in .svg or .png"));
          return 2;
        }
    }

  /* Only a plain launch (the desktop's, or `unfreeze` alone) is handed to a copy that runs
   * already, which presents its window. A scripted run is self-contained: its summary line
   * and exit status are its own. And a launch that asks for a mode, a ticker, a server…
   * gets the window it asked for. Such a copy runs in a process of its own, and shares the
   * built-in server of the copy that runs (see UnfreezeLocalServer). */
  if (any_option_given (options))
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);

  return -1;
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  UnfreezeApplication *self = user_data;
  GtkWidget *preferences;

  if (self->settings == NULL)
    {
      g_warning ("The settings schema %s is not installed: no preferences", SCHEMA_ID);
      return;
    }

  preferences = unfreeze_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                                 self->settings);
  g_signal_connect_object (preferences, "connection-applied",
                           G_CALLBACK (preferences_connection_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (preferences));
}

/* The About window's troubleshooting information: what a bug report needs to know. */
static char *
dup_debug_info (GtkWidget *window)
{
  GdkDisplay *display = gtk_widget_get_display (window);
  g_autofree char *renderer = unfreeze_renderer_dup_description (window);
  GString *info = g_string_new (NULL);

  g_string_append_printf (info, "Unfreeze %s (%s)\n", PACKAGE_VERSION, APP_ID);
  g_string_append_printf (info, "Renderer: %s\n", renderer);
  g_string_append_printf (info, "Display: %s (%s)\n", gdk_display_get_name (display),
                          G_OBJECT_TYPE_NAME (display));
  g_string_append_printf (info, "GTK: %u.%u.%u\n", gtk_get_major_version (),
                          gtk_get_minor_version (), gtk_get_micro_version ());
  g_string_append_printf (info, "libadwaita: %u.%u.%u\n", adw_get_major_version (),
                          adw_get_minor_version (), adw_get_micro_version ());
  g_string_append_printf (info, "GLib: %u.%u.%u\n", glib_major_version, glib_minor_version,
                          glib_micro_version);
  g_string_append_printf (info, "libpq: %d\n", PQlibVersion ());
  g_string_append_printf (info, "GSK_RENDERER: %s\n",
                          g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "(unset)");

  return g_string_free (info, FALSE);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  UnfreezeApplication *self = user_data;
  static const char * const developers[] = { "The Unfreeze developers", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *debug_info = NULL;

  if (window == NULL)
    return;
  debug_info = dup_debug_info (GTK_WIDGET (window));
  adw_show_about_window (window,
                         "application-name", _("Unfreeze"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The Unfreeze developers"),
                         "developers", developers,
                         "comments", _("See why a user interface freezes, and how asynchronous "
                                       "code keeps it alive: a real PostgreSQL query run on the "
                                       "main thread, on a raw thread, with GTask, and on the "
                                       "main loop with no thread at all."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "website", "https://github.com/unfreeze/unfreeze",
                         "issue-url", "https://github.com/unfreeze/unfreeze/issues",
                         "copyright", "© 2026 The Unfreeze developers",
                         "debug-info", debug_info,
                         "debug-info-filename", "unfreeze-debug-info.txt",
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  UnfreezeApplication *self = user_data;

  if (self->settings != NULL && !self->scripted)
    {
      g_autofree char *mode = g_settings_get_string (self->settings, "mode");
      g_autofree char *ticker = g_settings_get_string (self->settings, "ticker");

      g_debug ("Settings at quit: mode=%s ticker=%s delay=%g count=%d", mode, ticker,
               g_settings_get_double (self->settings, "delay"),
               g_settings_get_uint (self->settings, "count"));
    }

  /* Closed, not destroyed: the first window saves its size as when its close button is
   * used. Every window goes: Quit ends the process, not one window. */
  {
    g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

    for (GList *l = windows; l != NULL; l = l->next)
      gtk_window_close (l->data);
  }
  g_application_quit (G_APPLICATION (self));
}

/* Ctrl+N: a second window in this process, set up like the one in use. Both share the
 * main loop, which is the lesson: a blocking run in one freezes the other too. */
static void
new_window_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  UnfreezeApplication *self = user_data;
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));
  UnfreezeWindow *window;

  if (!UNFREEZE_IS_WINDOW (active))
    {
      g_application_activate (G_APPLICATION (self));
      return;
    }

  window = unfreeze_window_new_like (UNFREEZE_WINDOW (active));
  add_window (self, window);
  gtk_window_present (GTK_WINDOW (window));
  g_debug ("New window: %u windows", g_list_length (gtk_application_get_windows (GTK_APPLICATION (self))));
}

static void
unfreeze_application_finalize (GObject *object)
{
  UnfreezeApplication *self = (UnfreezeApplication *)object;

  g_clear_object (&self->database);
  g_clear_error (&self->database_error);
  g_clear_object (&self->password_cancellable);
  g_clear_pointer (&self->conninfo, g_free);
  forget_remembered (self);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->mode, g_free);
  g_clear_pointer (&self->ticker, g_free);
  g_clear_pointer (&self->connection, g_free);
  g_clear_pointer (&self->mode_ids, g_free);
  g_clear_pointer (&self->screenshot, g_free);
  g_clear_pointer (&self->export_path, g_free);

  G_OBJECT_CLASS (unfreeze_application_parent_class)->finalize (object);
}

static void
unfreeze_application_class_init (UnfreezeApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = unfreeze_application_finalize;
  app_class->activate = unfreeze_application_activate;
  app_class->startup = unfreeze_application_startup;
  app_class->shutdown = unfreeze_application_shutdown;
  app_class->handle_local_options = unfreeze_application_handle_local_options;
}

static void
unfreeze_application_init (UnfreezeApplication *self)
{
  static const GActionEntry actions[] = {
    { "quit", quit_action },
    { "new-window", new_window_action },
    { "preferences", preferences_action },
    { "about", about_action },
  };
  const GOptionEntry entries[] = {
    { "mode", 'm', 0, G_OPTION_ARG_STRING, NULL,
      N_("How to run the query"), (self->mode_ids = unfreeze_modes_dup_ids ("|")) },
    /* Taken as bytes: as a string, GOption would refuse bytes that are not UTF-8 with a
     * message that names no option, and exit status 1. The check below says which. */
    { "ticker", 't', 0, G_OPTION_ARG_FILENAME, NULL,
      N_("The ticker to query (default: MSFT)"), N_("TICKER") },
    { "delay", 'd', 0, G_OPTION_ARG_STRING, NULL,
      N_("Seconds the server takes to answer (default: 3)"), N_("SECONDS") },
    { "count", 'n', 0, G_OPTION_ARG_INT, NULL,
      N_("Run this many queries at once, 1 to 200 (default: 1)"), N_("N") },
    { "cpu", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Analyse each query's prices for about this many milliseconds of computation (default: 0)"),
      N_("MS") },
    { "run", 'r', 0, G_OPTION_ARG_NONE, NULL,
      N_("Start a run as soon as the window is up, and print a summary line when it ends"), NULL },
    { "compare", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Run every mode in turn with the same parameters, show them side by side, and print "
         "a summary line for each"), NULL },
    { "quit-after-run", 'q', 0, G_OPTION_ARG_NONE, NULL,
      N_("Quit when that run ends (exit status 0 if it succeeded)"), NULL },
    { "connection", 'c', 0, G_OPTION_ARG_STRING, NULL,
      N_("Use this PostgreSQL server (a libpq connection string or URI) instead of the built-in one"),
      N_("CONNINFO") },
    { "big-tickers", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("On your own server too, generate the BIG and HUGE tickers (1,150,000 rows, about 150 MB)"),
      NULL },
    { "cancel-after", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Cancel the run after this many milliseconds (for demonstrations and tests)"), N_("MS") },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("After the run, save a picture of the window to this PNG file"), N_("FILE") },
    { "export", 'e', 0, G_OPTION_ARG_FILENAME, NULL,
      N_("After the run, save its graph, thread timeline and summary to this SVG or PNG file, "
         "as Export Picture does"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  self->delay = -1;
  self->cpu_ms = -1;
  self->cancel_after_ms = -1;

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("See why a user interface freezes, and how "
                                              "asynchronous code keeps it alive."));
  g_application_set_option_context_description (G_APPLICATION (self),
                                                 _("With no connection given, Unfreeze starts "
                                                   "its own private PostgreSQL server. The PG* "
                                                   "environment variables and ~/.pgpass work "
                                                   "as they do for psql."));
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
}

UnfreezeApplication *
unfreeze_application_new (void)
{
  return g_object_new (UNFREEZE_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/unfreeze/Unfreeze",
                       NULL);
}

int
unfreeze_application_get_exit_status (UnfreezeApplication *self)
{
  g_return_val_if_fail (UNFREEZE_IS_APPLICATION (self), 1);

  return self->exit_status;
}

UnfreezeDatabase *
unfreeze_application_get_database (UnfreezeApplication *self)
{
  g_return_val_if_fail (UNFREEZE_IS_APPLICATION (self), NULL);

  return self->database;
}
