/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connection strings and URIs as libpq reads them: without the password, for storing,
 * showing and logging, and the host name libpq would look up.
 */
#define G_LOG_DOMAIN "Unfreeze-Conninfo"

#include "config.h"

#include "unfreeze-conninfo.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <libpq-fe.h>
#include <string.h>

/**
 * unfreeze_conninfo_dup_password:
 *
 * Returns: (nullable): the password a connection string or URI gives, or %NULL
 */
char *
unfreeze_conninfo_dup_password (const char *conninfo)
{
  PQconninfoOption *options;
  char *password = NULL;

  if (conninfo == NULL || *conninfo == '\0' || !(options = PQconninfoParse (conninfo, NULL)))
    return NULL;

  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    if (g_str_equal (option->keyword, "password") && option->val != NULL)
      password = g_strdup (option->val);
  PQconninfoFree (options);

  return password;
}

char *
unfreeze_conninfo_dup_without_password (const char  *conninfo,
                                        gboolean    *had_password,
                                        GError     **error)
{
  PQconninfoOption *options;
  char *message = NULL;
  GString *text;

  *had_password = FALSE;
  if (conninfo == NULL || *conninfo == '\0')
    return g_strdup ("");

  options = PQconninfoParse (conninfo, &message);
  if (options == NULL)
    {
      g_autofree char *reason = g_strchomp (g_strdup (message != NULL ? message : "out of memory"));

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The connection string is not valid: %s"), reason);
      PQfreemem (message);
      return NULL;
    }

  /* Rebuilt as keyword=value pairs, quoted as libpq wants, without the password. */
  text = g_string_new (NULL);
  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    {
      if (option->val == NULL)
        continue;
      if (g_str_equal (option->keyword, "password"))
        {
          *had_password = TRUE;
          continue;
        }

      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append_printf (text, "%s='", option->keyword);
      for (const char *c = option->val; *c != '\0'; c++)
        {
          if (*c == '\'' || *c == '\\')
            g_string_append_c (text, '\\');
          g_string_append_c (text, *c);
        }
      g_string_append_c (text, '\'');
    }
  PQconninfoFree (options);

  return g_string_free (text, FALSE);
}

char *
unfreeze_conninfo_dup_display (const char *conninfo)
{
  PQconninfoOption *options;
  GString *text;

  if (conninfo == NULL)
    return NULL;

  /* An empty string means libpq's defaults: the PG* variables, then the built-in ones. */
  options = *conninfo != '\0' ? PQconninfoParse (conninfo, NULL) : PQconndefaults ();
  if (options == NULL)
    return g_strdup (_("(a connection string libpq cannot read)"));

  text = g_string_new (NULL);
  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    {
      if (option->val == NULL || *option->val == '\0')
        continue;
      /* "*" marks secret options (the password); "D" debug ones nobody needs to see. */
      if (strchr (option->dispchar, '*') != NULL || strchr (option->dispchar, 'D') != NULL)
        continue;
      if (*conninfo == '\0' && g_str_equal (option->keyword, "sslmode"))
        continue;
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append_printf (text, "%s=%s", option->keyword, option->val);
    }
  PQconninfoFree (options);

  return g_string_free (text, FALSE);
}

/* A value as libpq would take it: the string's own, or else its default (the PG*
 * variables; the service file PGSERVICE names). Empty counts as not given. */
static const char *
option_value (PQconninfoOption *given,
              PQconninfoOption *defaults,
              const char       *keyword)
{
  for (PQconninfoOption *option = given; option != NULL && option->keyword != NULL; option++)
    if (g_str_equal (option->keyword, keyword) && option->val != NULL && *option->val != '\0')
      return option->val;
  for (PQconninfoOption *option = defaults; option != NULL && option->keyword != NULL; option++)
    if (g_str_equal (option->keyword, keyword) && option->val != NULL && *option->val != '\0')
      return option->val;

  return NULL;
}

/**
 * unfreeze_conninfo_dup_host_to_resolve:
 * @conninfo: a connection string or URI as the app hands it to libpq ("" for the PG*
 *   variables alone)
 *
 * The host name libpq would look up itself, with a blocking getaddrinfo(), when connecting
 * with @conninfo. %NULL when there is nothing to look up (a socket directory, a numeric
 * address, a hostaddr already given) or when the app leaves it to libpq: several hosts, or a
 * service named in @conninfo (its file may say otherwise).
 *
 * Returns: (transfer full) (nullable): the host name
 */
char *
unfreeze_conninfo_dup_host_to_resolve (const char *conninfo)
{
  PQconninfoOption *given;
  PQconninfoOption *defaults;
  const char *host;
  char *result = NULL;

  if (conninfo == NULL || (given = PQconninfoParse (conninfo, NULL)) == NULL)
    return NULL;
  defaults = PQconndefaults ();

  host = option_value (given, defaults, "host");
  if (host != NULL &&
      option_value (given, defaults, "hostaddr") == NULL &&
      option_value (given, NULL, "service") == NULL &&
      host[0] != '/' && host[0] != '@' &&   /* a socket directory, or an abstract socket */
      strchr (host, ',') == NULL &&
      !g_hostname_is_ip_address (host))
    result = g_strdup (host);

  PQconninfoFree (given);
  PQconninfoFree (defaults);

  return result;
}
