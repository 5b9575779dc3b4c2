/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Passwords in the user's keyring (libsecret: the Secret Service on the desktop, the
 * Secret portal inside the Flatpak sandbox), one per server: host, port, database and user.
 * The app looks there before it asks, and stores there only when the user ticks "Remember
 * in keyring". Nothing here logs or shows a password.
 */
#define G_LOG_DOMAIN "Unfreeze-Secret"

#include "config.h"

#include "unfreeze-secret.h"

#include <glib/gi18n.h>
#include <libpq-fe.h>
#include <libsecret/secret.h>

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.unfreeze.Unfreeze.Password", SECRET_SCHEMA_NONE,
    {
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "port", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "dbname", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static const char *
find_value (PQconninfoOption *options,
            const char       *keyword)
{
  for (PQconninfoOption *option = options; option != NULL && option->keyword != NULL; option++)
    if (g_str_equal (option->keyword, keyword) && option->val != NULL && *option->val != '\0')
      return option->val;

  return NULL;
}

GHashTable *
unfreeze_secret_dup_attributes (const char *conninfo)
{
  static const char * const keywords[] = { "host", "port", "dbname", "user" };
  PQconninfoOption *given = NULL;
  PQconninfoOption *defaults = PQconndefaults ();
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  if (conninfo != NULL && *conninfo != '\0')
    given = PQconninfoParse (conninfo, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    {
      const char *value = find_value (given, keywords[i]);

      if (value == NULL)
        value = find_value (defaults, keywords[i]);
      g_hash_table_insert (attributes, (gpointer) keywords[i], g_strdup (value != NULL ? value : ""));
    }

  /* libpq's own defaults where nothing says otherwise: the database named after the user.
   * No host stays empty: libpq's socket directory, whichever it was built with. */
  if (*(char *) g_hash_table_lookup (attributes, "user") == '\0')
    g_hash_table_insert (attributes, (gpointer) "user", g_strdup (g_get_user_name ()));
  if (*(char *) g_hash_table_lookup (attributes, "dbname") == '\0')
    g_hash_table_insert (attributes, (gpointer) "dbname",
                         g_strdup (g_hash_table_lookup (attributes, "user")));

  PQconninfoFree (given);
  PQconninfoFree (defaults);

  return attributes;
}

/**
 * unfreeze_secret_lookup_async:
 *
 * Looks for the password of the server @conninfo names in the keyring. Finishes with
 * %NULL and no error when there is none.
 */
void
unfreeze_secret_lookup_async (const char          *conninfo,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = unfreeze_secret_dup_attributes (conninfo);

  secret_password_lookupv (get_schema (), attributes, cancellable, callback, user_data);
}

/* Returns: (transfer full) (nullable): free it with unfreeze_secret_free_password() */
char *
unfreeze_secret_lookup_finish (GAsyncResult  *result,
                               GError       **error)
{
  return secret_password_lookup_finish (result, error);
}

void
unfreeze_secret_store_async (const char          *conninfo,
                             const char          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = unfreeze_secret_dup_attributes (conninfo);
  g_autofree char *label = NULL;

  g_return_if_fail (password != NULL);

  /* TRANSLATORS: the keyring's name for the password; then user@host:port/database */
  label = g_strdup_printf (_("Unfreeze: PostgreSQL password for %s@%s:%s/%s"),
                           (char *) g_hash_table_lookup (attributes, "user"),
                           (char *) g_hash_table_lookup (attributes, "host"),
                           (char *) g_hash_table_lookup (attributes, "port"),
                           (char *) g_hash_table_lookup (attributes, "dbname"));
  secret_password_storev (get_schema (), attributes, SECRET_COLLECTION_DEFAULT, label, password,
                          cancellable, callback, user_data);
}

gboolean
unfreeze_secret_store_finish (GAsyncResult  *result,
                              GError       **error)
{
  return secret_password_store_finish (result, error);
}

/* Overwrites the password, then frees it. */
void
unfreeze_secret_free_password (char *password)
{
  secret_password_free (password);
}
