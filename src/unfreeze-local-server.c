/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The built-in PostgreSQL: a private cluster under the user's cache directory (initdb on
 * the first start), a server on a private Unix socket started with GSubprocess and stopped
 * with the app (and with it when the app is killed: PR_SET_PDEATHSIG), and the sweeps that
 * remove what a crashed copy left behind.
 */
#define G_LOG_DOMAIN "Unfreeze-Server"

#include "config.h"

#include "unfreeze-local-server.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The port only names the socket file: the server listens on no TCP port at all. */
#define PORT             "5432"
#define SOCKET_NAME      "/.s.PGSQL." PORT
#define PING_INTERVAL_MS 15
#define READY_TIMEOUT_S  30
#define LOG_ROTATE_SIZE  (1024 * 1024)
#define OWNER_WATCH_MS   500
#define LAUNCH_ATTEMPTS  3
#define RELAUNCH_INTERVAL_MS 100   /* while a dead server's backends still hold its memory */

struct _UnfreezeLocalServer
{
  GObject      parent_instance;

  char        *requested_data_dir; /* NULL: the default, which depends on the version */
  char        *data_dir;
  char        *initdb_path;
  char        *postgres_path;
  guint        major;              /* the binaries' major version, when their path says it */
  char        *socket_dir;
  char        *log_path;
  goffset      log_offset;         /* where this start's output begins in the log */

  char        *port;               /* names the socket file: ours, or the shared server's */

  GSubprocess *postgres;
  GPid         pid;                /* the postmaster: our child, or another copy's */
  gboolean     running;
  gboolean     initialized;
  gboolean     shared;             /* the server is another copy's: we neither stop it nor
                                    * remove its socket directory */
  guint        owner_watch;        /* while shared: notices that its postmaster has gone */
  guint        launch_attempts;    /* postmasters this start has spawned */

  GTask       *start_task;         /* the start in progress, if any */
  guint        ping_source;
  gint64       ready_deadline;
};

G_DEFINE_FINAL_TYPE (UnfreezeLocalServer, unfreeze_local_server, G_TYPE_OBJECT)

enum {
  EXITED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (unfreeze-local-server-error-quark, unfreeze_local_server_error)

static void     launch_postgres (UnfreezeLocalServer *self);
static void     share_or_launch (UnfreezeLocalServer *self,
                                 gboolean             refused);
static gboolean ping_cb         (gpointer             user_data);

/**
 * unfreeze_remove_tree:
 * @path: a file or directory
 *
 * Removes @path and, for a directory, all it holds, never following symbolic links out of
 * it. What cannot be removed is left (said at debug level).
 */
void
unfreeze_remove_tree (const char *path)
{
  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          unfreeze_remove_tree (child);
        }
    }

  if (g_remove (path) != 0 && errno != ENOENT)
    g_debug ("Could not remove %s: %s", path, g_strerror (errno));
}

static gboolean
dir_has_server (UnfreezeLocalServer *self,
                const char          *dir)
{
  g_autofree char *initdb = g_build_filename (dir, "initdb", NULL);
  g_autofree char *postgres = g_build_filename (dir, "postgres", NULL);

  if (!g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE)
      || !g_file_test (postgres, G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;

  g_free (self->initdb_path);
  g_free (self->postgres_path);
  self->initdb_path = g_steal_pointer (&initdb);
  self->postgres_path = g_steal_pointer (&postgres);
  return TRUE;
}

static gboolean
find_binaries (UnfreezeLocalServer  *self,
               GError              **error)
{
  const char *dirs[] = { g_getenv ("UNFREEZE_PG_BINDIR"), PG_BINDIR, "/app/bin" };
  g_autoptr(GDir) debian = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  g_autofree char *initdb = g_find_program_in_path ("initdb");
  g_autofree char *postgres = g_find_program_in_path ("postgres");
  g_autoptr(GString) looked = g_string_new (NULL);
  guint64 best_major = 0;
  const char *name;

  self->major = 0;
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (dirs[i] != NULL && dirs[i][0] != '\0' && dir_has_server (self, dirs[i]))
      return TRUE;

  /* Debian installs each major version side by side, none of them on PATH: take the
   * newest complete one. */
  while (debian != NULL && (name = g_dir_read_name (debian)) != NULL)
    {
      g_autofree char *bindir = g_build_filename ("/usr/lib/postgresql", name, "bin", NULL);
      guint64 major;

      if (g_ascii_string_to_unsigned (name, 10, 1, G_MAXUINT, &major, NULL)
          && major > best_major && dir_has_server (self, bindir))
        best_major = major;
    }
  if (best_major > 0)
    {
      /* Debian's layout says the version: no need to ask `postgres --version`. */
      self->major = (guint) best_major;
      return TRUE;
    }

  if (initdb != NULL && postgres != NULL)
    {
      g_free (self->initdb_path);
      g_free (self->postgres_path);
      self->initdb_path = g_steal_pointer (&initdb);
      self->postgres_path = g_steal_pointer (&postgres);
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (dirs[i] != NULL && dirs[i][0] != '\0')
      g_string_append_printf (looked, "%s, ", dirs[i]);
  g_set_error (error, UNFREEZE_LOCAL_SERVER_ERROR, UNFREEZE_LOCAL_SERVER_ERROR_NOT_FOUND,
               _("Could not find the PostgreSQL server programs (initdb and postgres). "
                 "Looked in: %s/usr/lib/postgresql/*/bin and PATH. On Debian or Ubuntu, "
                 "install the “postgresql” package; elsewhere, set UNFREEZE_PG_BINDIR "
                 "to the directory that holds them."),
               looked->str);
  return FALSE;
}

/* "postgres (PostgreSQL) 15.5 (Debian 15.5-0+deb12u1)" -> "15": the first number's digits. */
static char *
parse_major (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (g_ascii_isdigit (*p) && (p == text || p[-1] == ' '))
      return g_strndup (p, strspn (p, "0123456789"));

  return NULL;
}

/* The last lines this start wrote to the log, for error messages. */
static char *
read_log_tail (UnfreezeLocalServer *self)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  const char *p;
  guint lines = 0;

  if (self->log_path == NULL
      || !g_file_get_contents (self->log_path, &contents, &length, NULL)
      || (goffset) length <= self->log_offset)
    return g_strdup (_("(The server wrote nothing to its log.)"));

  for (p = contents + length - 1; p > contents + self->log_offset; p--)
    if (p[-1] == '\n' && ++lines == 10)
      break;

  return g_strstrip (g_utf8_make_valid (p, contents + length - p));
}

static gboolean
wait_for_exit (GSubprocess *process,
               gint64       timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  /* GLib reaps children in its worker thread, so this works even when no main loop runs
   * any more (stop() during the app's shutdown). */
  while (g_subprocess_get_identifier (process) != NULL)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (5000);
    }

  return TRUE;
}

static void
shut_down (UnfreezeLocalServer *self)
{
  g_autoptr(GSubprocess) postgres = g_steal_pointer (&self->postgres);

  self->running = FALSE;
  self->pid = 0;
  g_clear_handle_id (&self->owner_watch, g_source_remove);

  /* SIGINT is PostgreSQL's "fast" shutdown: sessions rolled back, a checkpoint, exit.
   * SIGQUIT, its "immediate" one, leaves crash recovery to the next start. */
  if (postgres != NULL)
    {
      g_subprocess_send_signal (postgres, SIGINT);
      if (!wait_for_exit (postgres, 10 * G_USEC_PER_SEC))
        {
          g_warning ("PostgreSQL did not shut down within 10 seconds; forcing it");
          g_subprocess_send_signal (postgres, SIGQUIT);
          if (!wait_for_exit (postgres, 2 * G_USEC_PER_SEC))
            {
              g_subprocess_force_exit (postgres);
              wait_for_exit (postgres, G_MAXINT64 / 2);
            }
        }
    }

  /* A shared server's socket directory is its owner's to remove. */
  if (self->socket_dir != NULL && !self->shared)
    unfreeze_remove_tree (self->socket_dir);
  g_clear_pointer (&self->socket_dir, g_free);
}

static gboolean
process_alive (GPid pid)
{
  g_autofree char *stat_path = NULL;
  g_autofree char *stat = NULL;
  const char *state;

  /* EPERM: someone else's process, so not a server of ours. */
  if (pid <= 0 || kill (pid, 0) != 0)
    return FALSE;

  /* A zombie has exited: a postmaster whose app was killed may wait a while to be reaped
   * by whoever inherited it. */
  stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
    return TRUE;
  state = strrchr (stat, ')');

  return state == NULL || state[1] == '\0' || state[2] != 'Z';
}

/* While we share another copy's server: when its postmaster has gone (that copy quit, and
 * stopped it), say so as a server of our own that exited would. */
static gboolean
owner_watch_cb (gpointer user_data)
{
  UnfreezeLocalServer *self = user_data;

  if (process_alive (self->pid))
    return G_SOURCE_CONTINUE;

  self->owner_watch = 0;
  shut_down (self);
  g_signal_emit (self, signals[EXITED], 0,
                 _("The copy of Unfreeze that started the built-in server has quit."));

  return G_SOURCE_REMOVE;
}

/* Ends the start in progress: a success when error is NULL, else takes error. */
static void
finish_start (UnfreezeLocalServer *self,
              GError              *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

  g_clear_handle_id (&self->ping_source, g_source_remove);

  if (error == NULL)
    {
      self->running = TRUE;
      if (self->shared)
        self->owner_watch = g_timeout_add (OWNER_WATCH_MS, owner_watch_cb, self);
      g_task_return_boolean (task, TRUE);
    }
  else
    {
      shut_down (self);
      g_task_return_error (task, error);
    }
}

static void G_GNUC_PRINTF (3, 4)
fail_start (UnfreezeLocalServer      *self,
            UnfreezeLocalServerError  code,
            const char               *format,
            ...)
{
  va_list args;

  va_start (args, format);
  finish_start (self, g_error_new_valist (UNFREEZE_LOCAL_SERVER_ERROR, code, format, args));
  va_end (args);
}

/* For when the server itself failed: the end of its log says why. */
static void
fail_start_with_log (UnfreezeLocalServer *self,
                     const char          *what)
{
  g_autofree char *tail = read_log_tail (self);

  fail_start (self, UNFREEZE_LOCAL_SERVER_ERROR_START,
              _("%s\n\nThe server’s log (%s) ends with:\n%s"), what, self->log_path, tail);
}

/* Whether an asynchronous step should carry on: not once stop() has ended this start,
 * nor when the caller has cancelled it meanwhile. */
static gboolean
start_still_wanted (GTask *task)
{
  UnfreezeLocalServer *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (self->start_task != task)
    return FALSE;

  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      finish_start (self, error);
      return FALSE;
    }

  return TRUE;
}

static gboolean
relaunch_cb (gpointer user_data)
{
  UnfreezeLocalServer *self = user_data;

  self->ping_source = 0;
  launch_postgres (self);

  return G_SOURCE_REMOVE;
}

static void
postgres_exited_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(UnfreezeLocalServer) self = g_weak_ref_get (weak);
  g_autofree char *tail = NULL;

  g_weak_ref_clear (weak);
  g_free (weak);
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);

  /* Not ours any more: stop() already dealt with this process. */
  if (self == NULL || self->postgres != G_SUBPROCESS (source))
    return;

  tail = read_log_tail (self);
  if (self->start_task == NULL)
    {
      g_warning ("The built-in PostgreSQL server exited unexpectedly:\n%s", tail);
      shut_down (self);
      g_signal_emit (self, signals[EXITED], 0, tail);
    }
  else if (strstr (tail, "pre-existing shared memory block") != NULL &&
           g_get_monotonic_time () < self->ready_deadline)
    {
      /* A server that died (killed, crashed) leaves its backends behind for a moment: they
       * hold its shared memory until each notices and ends, and PostgreSQL will not start
       * while they do. The more connections the pool kept, the longer: try again until the
       * start's deadline. */
      g_clear_object (&self->postgres);
      g_clear_handle_id (&self->ping_source, g_source_remove);
      unfreeze_remove_tree (self->socket_dir);
      g_clear_pointer (&self->socket_dir, g_free);
      self->pid = 0;
      self->ping_source = g_timeout_add (RELAUNCH_INTERVAL_MS, relaunch_cb, self);
    }
  else if (strstr (tail, "\"postmaster.pid\" already exists") != NULL)
    {
      /* Another copy started a server on this cluster first: share it. */
      g_clear_object (&self->postgres);
      g_clear_handle_id (&self->ping_source, g_source_remove);
      unfreeze_remove_tree (self->socket_dir);
      g_clear_pointer (&self->socket_dir, g_free);
      self->pid = 0;
      share_or_launch (self, TRUE);
    }
  else
    fail_start_with_log (self, _("The built-in PostgreSQL server stopped while starting."));
}

/* Who holds the data directory, by its postmaster.pid. */
typedef enum
{
  HOLDER_NONE,      /* nobody: no lock file, or its postmaster is dead */
  HOLDER_STARTING,  /* a live postmaster that has not written its socket directory yet */
  HOLDER_SHAREABLE, /* a live postmaster on a private socket directory of ours */
  HOLDER_OTHER,     /* anything else: not ours to use */
} Holder;

/* Reads postmaster.pid: the postmaster's pid (line 1), its port (line 4) and its first
 * socket directory (line 5), which a starting postmaster adds once it has made its socket. */
static Holder
find_holder (UnfreezeLocalServer  *self,
             GPid                 *pid,
             char                **port,
             char                **socket_dir)
{
  g_autofree char *path = g_build_filename (self->data_dir, "postmaster.pid", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 value;
  GStatBuf st;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return HOLDER_NONE;

  lines = g_strsplit (contents, "\n", 0);
  if (lines[0] == NULL || !g_ascii_string_to_signed (lines[0], 10, 1, G_MAXINT, &value, NULL))
    return HOLDER_STARTING;   /* being written right now */
  if (!process_alive ((GPid) value))
    return HOLDER_NONE;
  if (g_strv_length (lines) < 5 || lines[4][0] == '\0')
    return HOLDER_STARTING;
  if (!g_ascii_string_to_signed (lines[3], 10, 1, 65535, NULL, NULL) ||
      !g_path_is_absolute (lines[4]) ||
      g_lstat (lines[4], &st) != 0 || !S_ISDIR (st.st_mode) ||
      st.st_uid != getuid () || (st.st_mode & 0077) != 0)
    return HOLDER_OTHER;

  *pid = (GPid) value;
  *port = g_strdup (lines[3]);
  *socket_dir = g_strdup (lines[4]);
  return HOLDER_SHAREABLE;
}

static void
fail_in_use (UnfreezeLocalServer *self)
{
  fail_start (self, UNFREEZE_LOCAL_SERVER_ERROR_IN_USE,
              _("The PostgreSQL data directory “%s” is in use by a server that Unfreeze "
                "cannot share: its postmaster.pid names no live server with a private "
                "socket directory of yours. Stop that server and try again."),
              self->data_dir);
}

/* A postmaster that holds the cluster is still starting: look again until it says where
 * its socket is (or it goes). */
static gboolean
wait_for_holder_cb (gpointer user_data)
{
  UnfreezeLocalServer *self = user_data;
  g_autofree char *port = NULL;
  g_autofree char *socket_dir = NULL;
  GPid pid = 0;

  if (find_holder (self, &pid, &port, &socket_dir) == HOLDER_STARTING &&
      g_get_monotonic_time () < self->ready_deadline)
    return G_SOURCE_CONTINUE;

  self->ping_source = 0;
  share_or_launch (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* Before starting a postmaster, and when ours found the lock file taken (@refused): another
 * copy of Unfreeze may run a server on this cluster. Share it, when the postmaster that
 * postmaster.pid names is alive and its socket directory is a private one of ours (ping_cb()
 * then waits until it answers); wait while it is still starting; start our own when nobody
 * holds the cluster (a few times at most: copies may come and go meanwhile); and give up
 * when something else holds it. */
static void
share_or_launch (UnfreezeLocalServer *self,
                 gboolean             refused)
{
  g_autofree char *port = NULL;
  g_autofree char *socket_dir = NULL;
  GPid pid = 0;

  switch (find_holder (self, &pid, &port, &socket_dir))
    {
    case HOLDER_SHAREABLE:
      g_debug ("Sharing the server of another copy: pid %d, socket directory %s", (int) pid, socket_dir);
      self->shared = TRUE;
      self->pid = pid;
      g_free (self->port);
      self->port = g_steal_pointer (&port);
      g_free (self->socket_dir);
      self->socket_dir = g_steal_pointer (&socket_dir);
      self->ready_deadline = g_get_monotonic_time () + READY_TIMEOUT_S * G_USEC_PER_SEC;
      self->ping_source = g_timeout_add (PING_INTERVAL_MS, ping_cb, self);
      break;

    case HOLDER_STARTING:
      if (!refused || g_get_monotonic_time () < self->ready_deadline)
        {
          if (!refused)
            self->ready_deadline = g_get_monotonic_time () + READY_TIMEOUT_S * G_USEC_PER_SEC;
          self->ping_source = g_timeout_add (PING_INTERVAL_MS, wait_for_holder_cb, self);
        }
      else
        fail_in_use (self);
      break;

    case HOLDER_NONE:
      if (self->launch_attempts++ < LAUNCH_ATTEMPTS)
        launch_postgres (self);
      else
        fail_in_use (self);
      break;

    case HOLDER_OTHER:
    default:
      /* PostgreSQL has the last word on its lock file. */
      if (!refused && self->launch_attempts++ < LAUNCH_ATTEMPTS)
        launch_postgres (self);
      else
        fail_in_use (self);
      break;
    }
}

static gboolean
ping_cb (gpointer user_data)
{
  UnfreezeLocalServer *self = user_data;
  const char *keys[] = { "host", "port", "dbname", "user", "connect_timeout", NULL };
  const char *values[] = { self->socket_dir, self->port, "postgres", "unfreeze", "5", NULL };
  GError *error = NULL;

  /* The server we meant to share stopped before it answered (its copy was quitting): start
   * our own, or share the one that another copy started meanwhile. */
  if (self->shared && !process_alive (self->pid))
    {
      self->ping_source = 0;
      self->shared = FALSE;
      self->pid = 0;
      g_clear_pointer (&self->socket_dir, g_free);
      share_or_launch (self, FALSE);
      return G_SOURCE_REMOVE;
    }

  /* Cheap enough for the main thread: until the server listens, the socket file does not
   * exist and the attempt fails at once; after that it is a local round trip. */
  if (PQpingParams (keys, values, 0) == PQPING_OK)
    {
      self->ping_source = 0;
      finish_start (self, NULL);
    }
  else if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (self->start_task), &error))
    {
      self->ping_source = 0;
      finish_start (self, error);
    }
  else if (g_get_monotonic_time () > self->ready_deadline)
    {
      self->ping_source = 0;
      fail_start_with_log (self, _("The built-in PostgreSQL server did not become ready in time."));
    }
  else
    return G_SOURCE_CONTINUE;

  return G_SOURCE_REMOVE;
}

static void
child_setup (gpointer user_data)
{
  pid_t parent = GPOINTER_TO_INT (user_data);

  /* A session of its own, so that a Ctrl+C meant for the app in a terminal or debugger
   * does not shut the server down under it. */
  setsid ();
  /* The server must never outlive the app, even a SIGKILLed one. Had the parent died
   * before prctl(), the signal would never come: give up instead. */
  if (prctl (PR_SET_PDEATHSIG, SIGINT) != 0 || getppid () != parent)
    _exit (127);
}

/* The directories in PARENT that g_mkdtemp() made from "PREFIXXXXXXX", that are ours and
 * untouched for ten minutes: what an instance that was killed left behind. Young ones are
 * spared: they may belong to another instance starting right now. */
static GPtrArray *
find_stale_temp_dirs (const char *parent,
                      const char *prefix)
{
  GPtrArray *stale = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (parent, name, NULL);
      GStatBuf st;

      if (g_str_has_prefix (name, prefix) && strlen (name) == strlen (prefix) + 6 &&
          g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode) && st.st_uid == getuid () &&
          st.st_mtime < now - 600)
        g_ptr_array_add (stale, g_steal_pointer (&path));
    }

  return stale;
}

/* Socket directories of instances that were killed (SIGKILL gives no chance to remove
 * them): empty, since their server removed its socket and lock file as it stopped. One
 * that is not empty is left alone. */
static void
remove_stale_socket_dirs (const char *base)
{
  g_autoptr(GPtrArray) stale = find_stale_temp_dirs (base, "unfreeze-");

  for (guint i = 0; i < stale->len; i++)
    g_rmdir (g_ptr_array_index (stale, i));
}

static gboolean
make_socket_dir (UnfreezeLocalServer *self)
{
  const char *bases[] = { g_get_user_runtime_dir (), g_get_tmp_dir () };
  int saved_errno = ENAMETOOLONG;

  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      g_autofree char *path = g_build_filename (bases[i], "unfreeze-XXXXXX", NULL);

      /* The socket's path must fit in sockaddr_un.sun_path (108 bytes). */
      if (strlen (path) + strlen (SOCKET_NAME) > 100)
        continue;
      remove_stale_socket_dirs (bases[i]);
      if (g_mkdtemp_full (path, 0700) != NULL)
        {
          self->socket_dir = g_steal_pointer (&path);
          return TRUE;
        }
      saved_errno = errno;
    }

  fail_start (self, UNFREEZE_LOCAL_SERVER_ERROR_START,
              _("Could not create a private directory for the server’s socket: %s"),
              g_strerror (saved_errno));
  return FALSE;
}

static int
open_log (UnfreezeLocalServer *self)
{
  GStatBuf st;
  int fd;

  /* Appending rather than truncating: a second instance failing on the same cluster must
   * not wipe the running one's log. Rotating keeps it bounded. */
  if (g_stat (self->log_path, &st) == 0 && st.st_size > LOG_ROTATE_SIZE)
    {
      g_autofree char *old = g_strconcat (self->log_path, ".old", NULL);
      g_rename (self->log_path, old);
    }

  fd = g_open (self->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      fail_start (self, UNFREEZE_LOCAL_SERVER_ERROR_START,
                  _("Could not open the server log “%s”: %s"),
                  self->log_path, g_strerror (saved_errno));
      return -1;
    }

  self->log_offset = lseek (fd, 0, SEEK_END);
  return fd;
}

static void
launch_postgres (UnfreezeLocalServer *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  const char *identifier;
  GWeakRef *weak;
  int log_fd;

  if (!make_socket_dir (self) || (log_fd = open_log (self)) < 0)
    return;
  g_free (self->port);
  self->port = g_strdup (PORT);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_take_stdout_fd (launcher, log_fd);
  /* Failures are recognised by the log's text, so keep it untranslated. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, GINT_TO_POINTER (getpid ()), NULL);

  /* The postmaster itself, not pg_ctl, is our direct child, so that the parent-death
   * signal reaches it. Durability is traded for speed: this is a scratch server. Each copy
   * of the app that shares it may have 200 queries at once and keeps as many connections
   * for the next run: room for two copies, and the seeding beside them. No JIT: the demo's
   * queries never gain from it, and a server process that compiles one loads LLVM first,
   * about 0.2 s of CPU each (perf: with the big tickers there, 200 queries at once spent a
   * third of both cores in libLLVM and took 14 s). No parallel workers either: while the
   * big tickers are being generated, the table grows without statistics, and the planner
   * gave each 2,600-row query two worker processes to start (400 more processes for 200 at
   * once). */
  self->postgres = g_subprocess_launcher_spawn (launcher, &error, self->postgres_path,
                                                "-D", self->data_dir,
                                                "-k", self->socket_dir,
                                                "-p", PORT,
                                                "-c", "listen_addresses=",
                                                "-c", "unix_socket_permissions=0700",
                                                "-c", "fsync=off",
                                                "-c", "synchronous_commit=off",
                                                "-c", "full_page_writes=off",
                                                "-c", "max_connections=450",
                                                "-c", "shared_buffers=32MB",
                                                "-c", "jit=off",
                                                "-c", "max_parallel_workers_per_gather=0",
                                                NULL);
  if (self->postgres == NULL)
    {
      fail_start (self, UNFREEZE_LOCAL_SERVER_ERROR_START, _("Could not run “%s”: %s"),
                  self->postgres_path, error->message);
      return;
    }

  identifier = g_subprocess_get_identifier (self->postgres);
  self->pid = identifier != NULL ? (GPid) g_ascii_strtoll (identifier, NULL, 10) : 0;

  /* A weak reference: a running server must not keep this object alive. */
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  g_subprocess_wait_async (self->postgres, NULL, postgres_exited_cb, weak);

  self->ready_deadline = g_get_monotonic_time () + READY_TIMEOUT_S * G_USEC_PER_SEC;
  self->ping_source = g_timeout_add (PING_INTERVAL_MS, ping_cb, self);
}

static void
initdb_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UnfreezeLocalServer *self = g_task_get_source_object (task);
  const char *new_dir = g_task_get_task_data (task);
  g_autofree char *pg_version = g_build_filename (self->data_dir, "PG_VERSION", NULL);
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GError) error = NULL;
  int saved_errno;

  if (!g_subprocess_communicate_finish (G_SUBPROCESS (source), result, &output, NULL, &error)
      || !g_subprocess_get_successful (G_SUBPROCESS (source)))
    {
      g_autofree char *text = NULL;

      unfreeze_remove_tree (new_dir);
      if (error == NULL)
        text = g_utf8_make_valid (g_bytes_get_data (output, NULL), g_bytes_get_size (output));
      if (start_still_wanted (task))
        fail_start (self, UNFREEZE_LOCAL_SERVER_ERROR_INITDB,
                    _("Could not create the PostgreSQL data directory “%s”:\n%s"),
                    self->data_dir, error != NULL ? error->message : g_strstrip (text));
      return;
    }

  /* Only a complete cluster ever appears under the real name. */
  if (g_rename (new_dir, self->data_dir) == 0)
    self->initialized = TRUE;
  else
    {
      saved_errno = errno;
      unfreeze_remove_tree (new_dir);

      /* Unless another instance won a race to create the same cluster: use theirs. */
      if (!g_file_test (pg_version, G_FILE_TEST_EXISTS))
        {
          if (start_still_wanted (task))
            fail_start (self, UNFREEZE_LOCAL_SERVER_ERROR_INITDB,
                        _("Could not put the new PostgreSQL data directory in place at “%s”: %s"),
                        self->data_dir, g_strerror (saved_errno));
          return;
        }
    }

  /* The copy that won the race may be starting its server on it already. */
  if (start_still_wanted (task))
    share_or_launch (self, FALSE);
}

/* An initdb interrupted by the app's death leaves "<data_dir>.new-XXXXXX" behind. */
static void
remove_stale_new_dirs (const char *data_dir)
{
  g_autofree char *parent = g_path_get_dirname (data_dir);
  g_autofree char *base = g_path_get_basename (data_dir);
  g_autofree char *prefix = g_strconcat (base, ".new-", NULL);
  g_autoptr(GPtrArray) stale = find_stale_temp_dirs (parent, prefix);

  for (guint i = 0; i < stale->len; i++)
    unfreeze_remove_tree (g_ptr_array_index (stale, i));
}

static void
prepare_cluster (GTask *task)
{
  UnfreezeLocalServer *self = g_task_get_source_object (task);
  g_autofree char *parent = g_path_get_dirname (self->data_dir);
  g_autofree char *pg_version = g_build_filename (self->data_dir, "PG_VERSION", NULL);
  g_autofree char *new_dir = g_strconcat (self->data_dir, ".new-XXXXXX", NULL);
  g_autoptr(GSubprocess) initdb = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;

  g_free (self->log_path);
  self->log_path = g_strconcat (self->data_dir, ".log", NULL);

  if (g_file_test (pg_version, G_FILE_TEST_EXISTS))
    {
      share_or_launch (self, FALSE);
      return;
    }

  /* Never initialise over (nor delete) something that is not ours. */
  dir = g_dir_open (self->data_dir, 0, NULL);
  if (dir != NULL && g_dir_read_name (dir) != NULL)
    {
      fail_start (self, UNFREEZE_LOCAL_SERVER_ERROR_INITDB,
                  _("“%s” already exists and is not a PostgreSQL data directory."),
                  self->data_dir);
      return;
    }

  if (g_mkdir_with_parents (parent, 0700) != 0 || g_mkdtemp_full (new_dir, 0700) == NULL)
    {
      int saved_errno = errno;

      fail_start (self, UNFREEZE_LOCAL_SERVER_ERROR_INITDB,
                  _("Could not create the PostgreSQL data directory “%s”: %s"),
                  self->data_dir, g_strerror (saved_errno));
      return;
    }
  remove_stale_new_dirs (self->data_dir);

  /* Into a temporary sibling, renamed when complete: an interrupted initdb must never
   * leave a half-made cluster under the real name. */
  initdb = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                             &error, self->initdb_path, "--no-sync", "-A", "trust",
                             "-U", "unfreeze", "-E", "UTF8", "--locale=C", "-D", new_dir, NULL);
  if (initdb == NULL)
    {
      unfreeze_remove_tree (new_dir);
      fail_start (self, UNFREEZE_LOCAL_SERVER_ERROR_INITDB, _("Could not run “%s”: %s"),
                  self->initdb_path, error->message);
      return;
    }

  g_task_set_task_data (task, g_steal_pointer (&new_dir), g_free);
  /* Not cancellable: it takes a second or two, and killing it halfway only makes a mess.
   * A cancellation is honoured once it is done. */
  g_subprocess_communicate_async (initdb, NULL, NULL, initdb_done_cb, g_object_ref (task));
}

/* One cluster per major version, since a cluster only works with its own. */
static void
set_default_data_dir (UnfreezeLocalServer *self,
                      const char          *major)
{
  g_autofree char *name = g_strdup_printf ("postgresql-%s", major);

  g_free (self->data_dir);
  self->data_dir = g_build_filename (g_get_user_cache_dir (), "unfreeze", name, NULL);
}

static void
version_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UnfreezeLocalServer *self = g_task_get_source_object (task);
  g_autofree char *output = NULL;
  g_autofree char *major = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &output, NULL, NULL);
  if (!start_still_wanted (task))
    return;

  major = parse_major (output);
  if (major == NULL)
    {
      fail_start (self, UNFREEZE_LOCAL_SERVER_ERROR_START,
                  _("Could not tell the version of “%s”."), self->postgres_path);
      return;
    }

  set_default_data_dir (self, major);
  prepare_cluster (task);
}

void
unfreeze_local_server_start_async (UnfreezeLocalServer *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocess) version = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (UNFREEZE_IS_LOCAL_SERVER (self));
  /* PR_SET_PDEATHSIG fires when the *thread* that spawned the server ends: spawned from a
   * worker thread, the server would be shut down as soon as that thread finished. */
  g_assert (getpid () == (pid_t) syscall (SYS_gettid));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, unfreeze_local_server_start_async);
  /* Cancellation is handled here, so that the result always tells whether it runs. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->running)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->start_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "Already starting");
      return;
    }
  if (!unfreeze_local_server_check_user (geteuid (), &error) || !find_binaries (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->start_task = g_object_ref (task);
  self->initialized = FALSE;
  self->shared = FALSE;
  self->launch_attempts = 0;
  g_clear_pointer (&self->data_dir, g_free);

  if (self->requested_data_dir != NULL)
    {
      self->data_dir = g_strdup (self->requested_data_dir);
      prepare_cluster (task);
      return;
    }

  /* Known from the binaries' path: initdb (a cold start) or the server starts at once,
   * while the window is still being built. */
  if (self->major > 0)
    {
      g_autofree char *major = g_strdup_printf ("%u", self->major);

      set_default_data_dir (self, major);
      prepare_cluster (task);
      return;
    }

  version = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, self->postgres_path, "--version", NULL);
  if (version == NULL)
    fail_start (self, UNFREEZE_LOCAL_SERVER_ERROR_START, _("Could not run “%s”: %s"),
                self->postgres_path, error->message);
  else
    g_subprocess_communicate_utf8_async (version, NULL, NULL, version_cb, g_object_ref (task));
}

gboolean
unfreeze_local_server_start_finish (UnfreezeLocalServer  *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  g_return_val_if_fail (UNFREEZE_IS_LOCAL_SERVER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
unfreeze_local_server_stop (UnfreezeLocalServer *self)
{
  g_return_if_fail (UNFREEZE_IS_LOCAL_SERVER (self));

  shut_down (self);
  /* Last: the caller's callback may run right away, and drop the last reference. */
  if (self->start_task != NULL)
    finish_start (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             _("The built-in PostgreSQL server was stopped "
                                               "before it was ready.")));
}

gboolean
unfreeze_local_server_check_user (uid_t    uid,
                                  GError **error)
{
  if (uid != 0)
    return TRUE;

  g_set_error_literal (error, UNFREEZE_LOCAL_SERVER_ERROR, UNFREEZE_LOCAL_SERVER_ERROR_ROOT,
                       _("The built-in PostgreSQL server cannot run as root (PostgreSQL "
                         "refuses to). Run Unfreeze as an ordinary user, or give it your own "
                         "server with --connection=CONNINFO or the PG* environment variables."));
  return FALSE;
}

gboolean
unfreeze_local_server_get_running (UnfreezeLocalServer *self)
{
  g_return_val_if_fail (UNFREEZE_IS_LOCAL_SERVER (self), FALSE);
  return self->running;
}

gboolean
unfreeze_local_server_get_initialized (UnfreezeLocalServer *self)
{
  g_return_val_if_fail (UNFREEZE_IS_LOCAL_SERVER (self), FALSE);
  return self->initialized;
}

const char *
unfreeze_local_server_get_data_dir (UnfreezeLocalServer *self)
{
  g_return_val_if_fail (UNFREEZE_IS_LOCAL_SERVER (self), NULL);
  return self->data_dir != NULL ? self->data_dir : self->requested_data_dir;
}

const char *
unfreeze_local_server_get_socket_dir (UnfreezeLocalServer *self)
{
  g_return_val_if_fail (UNFREEZE_IS_LOCAL_SERVER (self), NULL);
  return self->socket_dir;
}

gboolean
unfreeze_local_server_get_shared (UnfreezeLocalServer *self)
{
  g_return_val_if_fail (UNFREEZE_IS_LOCAL_SERVER (self), FALSE);
  return self->shared;
}

GPid
unfreeze_local_server_get_pid (UnfreezeLocalServer *self)
{
  g_return_val_if_fail (UNFREEZE_IS_LOCAL_SERVER (self), 0);
  return self->pid;
}

char *
unfreeze_local_server_dup_conninfo (UnfreezeLocalServer *self)
{
  g_autoptr(GString) host = NULL;

  g_return_val_if_fail (UNFREEZE_IS_LOCAL_SERVER (self), NULL);

  if (self->socket_dir == NULL)
    return NULL;

  /* Conninfo syntax: a value with blanks, quotes or backslashes must be single-quoted.
   * The port is given too, or libpq would follow $PGPORT to another socket file. */
  host = g_string_new (self->socket_dir);
  if (strpbrk (host->str, " \t\n\r\f\v'\\") == NULL)
    return g_strdup_printf ("host=%s port=%s dbname=postgres user=unfreeze", host->str, self->port);

  g_string_replace (host, "\\", "\\\\", 0);
  g_string_replace (host, "'", "\\'", 0);
  return g_strdup_printf ("host='%s' port=%s dbname=postgres user=unfreeze", host->str, self->port);
}

UnfreezeLocalServer *
unfreeze_local_server_new (const char *data_dir)
{
  UnfreezeLocalServer *self = g_object_new (UNFREEZE_TYPE_LOCAL_SERVER, NULL);

  self->requested_data_dir = g_strdup (data_dir);
  return self;
}

static void
unfreeze_local_server_dispose (GObject *object)
{
  unfreeze_local_server_stop (UNFREEZE_LOCAL_SERVER (object));

  G_OBJECT_CLASS (unfreeze_local_server_parent_class)->dispose (object);
}

static void
unfreeze_local_server_finalize (GObject *object)
{
  UnfreezeLocalServer *self = UNFREEZE_LOCAL_SERVER (object);

  g_free (self->requested_data_dir);
  g_free (self->data_dir);
  g_free (self->initdb_path);
  g_free (self->postgres_path);
  g_free (self->log_path);
  g_free (self->port);

  G_OBJECT_CLASS (unfreeze_local_server_parent_class)->finalize (object);
}

static void
unfreeze_local_server_class_init (UnfreezeLocalServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = unfreeze_local_server_dispose;
  object_class->finalize = unfreeze_local_server_finalize;

  /**
   * UnfreezeLocalServer::exited:
   * @log_tail: the last lines of the server's log
   *
   * The server stopped on its own (it was killed, or it crashed) after it had started; or,
   * when it was shared (#unfreeze_local_server_get_shared()), the copy of Unfreeze that
   * started it has quit and stopped it.
   */
  signals[EXITED] = g_signal_new ("exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
unfreeze_local_server_init (UnfreezeLocalServer *self)
{
  self->port = g_strdup (PORT);
}
