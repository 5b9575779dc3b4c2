/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The two password strippers, read by libpq's own parser (no server, no network): the
 * description shown and logged (unfreeze_conninfo_dup_display) and the connection string
 * Preferences stores (unfreeze_conninfo_dup_without_password). Key=value strings with
 * quoting and escapes, URIs with user:password@ and percent-encoding, no password, garbage.
 * Also the password Preferences hands to the app for the session, and the keyring's key
 * for a server (host, port, database, user: never the password).
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-conninfo.h"
#include "unfreeze-database.h"
#include "unfreeze-secret.h"

#include "unfreeze-test.h"

/* The secrets of the cases below, in every spelling they have there. */
static const char * const secrets[] = { "secret", "s3 cr'e\\t", "p@ss word", "p%40ss%20word", "hunter2" };

static void
assert_no_secret (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    g_assert_null (strstr (text, secrets[i]));
  g_assert_null (strstr (text, "password"));
}

typedef struct
{
  const char *conninfo;
  const char *display;    /* what unfreeze_conninfo_dup_display() shows */
  const char *stored;     /* what unfreeze_conninfo_dup_without_password() keeps */
  gboolean    had_password;
} Case;

static const Case cases[] = {
  { "host=db.example.com port=5433 dbname=stocks user=alice password=secret",
    "user=alice dbname=stocks host=db.example.com port=5433",
    "user='alice' dbname='stocks' host='db.example.com' port='5433'", TRUE },
  { "password=secret host=/var/run/postgresql",
    "host=/var/run/postgresql",
    "host='/var/run/postgresql'", TRUE },
  /* Quoted, with a space, a quote and a backslash in the password and the other values. */
  { "host = 'db' password='s3 cr\\'e\\\\t' application_name='it\\'s a \\\\ test'",
    "host=db application_name=it's a \\ test",
    "host='db' application_name='it\\'s a \\\\ test'", TRUE },
  { "postgresql://alice:secret@db.example.com:5433/stocks",
    "user=alice dbname=stocks host=db.example.com port=5433",
    "user='alice' dbname='stocks' host='db.example.com' port='5433'", TRUE },
  { "postgres://alice:p%40ss%20word@db.example.com/stocks?application_name=my%20app",
    "user=alice dbname=stocks host=db.example.com application_name=my app",
    "user='alice' dbname='stocks' host='db.example.com' application_name='my app'", TRUE },
  { "postgresql:///stocks?host=/tmp&password=hunter2",
    "dbname=stocks host=/tmp",
    "dbname='stocks' host='/tmp'", TRUE },
  { "postgresql://al%69ce@[::1]:5432/stocks",
    "user=alice dbname=stocks host=::1 port=5432",
    "user='alice' dbname='stocks' host='::1' port='5432'", FALSE },
  { "dbname=stocks host=localhost",
    "dbname=stocks host=localhost",
    "dbname='stocks' host='localhost'", FALSE },
  /* An empty password is still a password given. */
  { "host=h password=''",
    "host=h",
    "host='h'", TRUE },
};

/* What libpq cannot read: an unterminated quote, a keyword it does not know, no "=", a
 * broken URI. */
static const char * const garbage[] = {
  "host='db password=secret",
  "hots=db password=secret",
  "secret",
  "postgresql://alice:secret@[::1/stocks",
  "postgresql://alice:secret@db/stocks?nonsense=1",
};

static void
test_display (void)
{
  g_assert_null (unfreeze_conninfo_dup_display (NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *display = unfreeze_conninfo_dup_display (cases[i].conninfo);

      g_test_message ("\"%s\" -> \"%s\"", cases[i].conninfo, display);
      g_assert_cmpstr (display, ==, cases[i].display);
      assert_no_secret (display);
    }

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autofree char *display = unfreeze_conninfo_dup_display (garbage[i]);

      g_assert_cmpstr (display, ==, "(a connection string libpq cannot read)");
    }
}

/* "" is libpq's defaults, the PG* variables among them: their password is not shown
 * either, nor the sslmode libpq always has. */
static void
test_display_defaults (void)
{
  static const char * const vars[] = { "PGHOST", "PGDATABASE", "PGPASSWORD", "PGSERVICE" };
  char **saved = unfreeze_test_env_clear (vars, G_N_ELEMENTS (vars));
  g_autofree char *display = NULL;

  g_setenv ("PGHOST", "env.example.com", TRUE);
  g_setenv ("PGDATABASE", "envdb", TRUE);
  g_setenv ("PGPASSWORD", "hunter2", TRUE);

  display = unfreeze_conninfo_dup_display ("");
  g_test_message ("\"\" -> \"%s\"", display);
  g_assert_nonnull (strstr (display, "host=env.example.com"));
  g_assert_nonnull (strstr (display, "dbname=envdb"));
  g_assert_null (strstr (display, "sslmode="));
  assert_no_secret (display);

  unfreeze_test_env_restore (vars, G_N_ELEMENTS (vars), saved);
}

/* The stored string: no password, every other value as given, and libpq reads it back to
 * the same options. */
static void
test_without_password (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean had_password = !cases[i].had_password;
      g_autofree char *stored = unfreeze_conninfo_dup_without_password (cases[i].conninfo,
                                                                        &had_password, &error);
      g_autofree char *again = NULL;
      g_autofree char *display = NULL;
      gboolean again_had_password = TRUE;

      g_test_message ("\"%s\" -> \"%s\"", cases[i].conninfo, stored);
      g_assert_no_error (error);
      g_assert_cmpstr (stored, ==, cases[i].stored);
      g_assert_cmpint (had_password, ==, cases[i].had_password);
      assert_no_secret (stored);

      /* Stored once, it stays as it is; libpq reads it as the original without password. */
      again = unfreeze_conninfo_dup_without_password (stored, &again_had_password, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (again, ==, stored);
      g_assert_false (again_had_password);
      display = unfreeze_conninfo_dup_display (stored);
      g_assert_cmpstr (display, ==, cases[i].display);
    }
}

static void
test_without_password_empty (void)
{
  g_autoptr(GError) error = NULL;
  gboolean had_password = TRUE;
  g_autofree char *empty = unfreeze_conninfo_dup_without_password ("", &had_password, &error);
  g_autofree char *none = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (empty, ==, "");
  g_assert_false (had_password);

  had_password = TRUE;
  none = unfreeze_conninfo_dup_without_password (NULL, &had_password, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (none, ==, "");
  g_assert_false (had_password);
}

/* Garbage is refused with libpq's reason, and nothing of it is stored. */
static void
test_without_password_garbage (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean had_password = TRUE;
      g_autofree char *stored = unfreeze_conninfo_dup_without_password (garbage[i],
                                                                        &had_password, &error);

      g_test_message ("\"%s\": %s", garbage[i], error != NULL ? error->message : "(no error)");
      g_assert_null (stored);
      g_assert_false (had_password);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (error->message, "The connection string is not valid: "));
      g_assert_false (g_str_has_suffix (error->message, "\n"));
    }
}

/* The password typed into a string, which Preferences hands to the app and does not store:
 * as libpq reads it (quotes, escapes and percent-encoding undone). */
static void
test_password (void)
{
  static const struct { guint index; const char *password; } expected[] = {
    { 0, "secret" }, { 2, "s3 cr'e\\t" }, { 4, "p@ss word" }, { 5, "hunter2" }, { 8, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *password = unfreeze_conninfo_dup_password (cases[i].conninfo);

      g_assert_cmpint (password != NULL, ==, cases[i].had_password);
    }
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *password = unfreeze_conninfo_dup_password (cases[expected[i].index].conninfo);

      g_assert_cmpstr (password, ==, expected[i].password);
    }
  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    g_assert_null (unfreeze_conninfo_dup_password (garbage[i]));
  g_assert_null (unfreeze_conninfo_dup_password (""));
  g_assert_null (unfreeze_conninfo_dup_password (NULL));
}

static void
assert_attributes (GHashTable *attributes,
                   const char *host,
                   const char *port,
                   const char *dbname,
                   const char *user)
{
  GHashTableIter iter;
  gpointer value;

  g_assert_cmpuint (g_hash_table_size (attributes), ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "host"), ==, host);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "port"), ==, port);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "dbname"), ==, dbname);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "user"), ==, user);
  g_hash_table_iter_init (&iter, attributes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    assert_no_secret (value);
}

/* The keyring keeps one password per server: the same server in any spelling, with a
 * password in the string or not, is the same key; the PG* variables and libpq's defaults
 * fill what the string leaves out. */
static void
test_keyring_attributes (void)
{
  static const char * const vars[] = { "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSERVICE" };
  char **saved = unfreeze_test_env_clear (vars, G_N_ELEMENTS (vars));
  static const char * const same[] = {
    "host=db.example.com port=5433 dbname=stocks user=alice password=secret",
    "host=db.example.com port=5433 dbname=stocks user=alice",
    "postgresql://alice:secret@db.example.com:5433/stocks",
    "postgresql://alice@db.example.com:5433/stocks?password=hunter2",
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autoptr(GHashTable) attributes = unfreeze_secret_dup_attributes (same[i]);

      assert_attributes (attributes, "db.example.com", "5433", "stocks", "alice");
    }

  g_setenv ("PGHOST", "env.example.com", TRUE);
  g_setenv ("PGUSER", "bob", TRUE);
  g_setenv ("PGPASSWORD", "hunter2", TRUE);
  {
    g_autoptr(GHashTable) from_env = unfreeze_secret_dup_attributes ("");
    g_autoptr(GHashTable) mixed = unfreeze_secret_dup_attributes ("dbname=stocks password=secret");

    /* libpq's own: port 5432, the database named after the user. */
    assert_attributes (from_env, "env.example.com", "5432", "bob", "bob");
    assert_attributes (mixed, "env.example.com", "5432", "stocks", "bob");
  }

  unfreeze_test_env_restore (vars, G_N_ELEMENTS (vars), saved);
}

int
main (int   argc,
      char *argv[])
{
  unfreeze_test_init (&argc, &argv);

  g_test_add_func ("/unfreeze/Conninfo/display", test_display);
  g_test_add_func ("/unfreeze/Conninfo/display-defaults", test_display_defaults);
  g_test_add_func ("/unfreeze/Conninfo/without-password", test_without_password);
  g_test_add_func ("/unfreeze/Conninfo/without-password/empty", test_without_password_empty);
  g_test_add_func ("/unfreeze/Conninfo/without-password/garbage", test_without_password_garbage);
  g_test_add_func ("/unfreeze/Conninfo/password", test_password);
  g_test_add_func ("/unfreeze/Conninfo/keyring-attributes", test_keyring_attributes);

  return g_test_run ();
}
