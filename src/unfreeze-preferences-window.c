/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Preferences: which PostgreSQL server to use, and the defaults for a run.
 *
 * The connection string is stored in GSettings without any password. A password typed
 * into the string is removed before it is stored and handed to the application with
 * "connection-applied", which connects with it at once and keeps it in memory only. A
 * server that wants a password nobody gave gets one from the keyring or the password
 * dialog (see unfreeze-application.c); ~/.pgpass works as for psql.
 */
#define G_LOG_DOMAIN "Unfreeze-Preferences"

#include "config.h"

#include "unfreeze-preferences-window.h"

#include "unfreeze-conninfo.h"

#include <glib/gi18n.h>

struct _UnfreezePreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  AdwEntryRow          *connection_row;
  GtkEntry             *ticker_entry;
  GtkSpinButton        *delay_spin;
};

G_DEFINE_FINAL_TYPE (UnfreezePreferencesWindow, unfreeze_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  CONNECTION_APPLIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
connection_apply_cb (UnfreezePreferencesWindow *self,
                     AdwEntryRow               *row)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *clean = NULL;
  char *password = NULL;
  gboolean had_password = FALSE;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  clean = unfreeze_conninfo_dup_without_password (text,
                                                  &had_password, &error);
  if (clean == NULL)
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (error->message));
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  password = had_password ? unfreeze_conninfo_dup_password (text) : NULL;
  gtk_editable_set_text (GTK_EDITABLE (row), clean);

  /* The application connects now, with the password; the setting's change then finds the
   * connection already in use. */
  g_signal_emit (self, signals[CONNECTION_APPLIED], 0, clean, password);
  g_settings_set_string (self->settings, "connection", clean);

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (had_password
                                                   ? _("Saved without the password, which is used until Unfreeze quits. Connecting…")
                                                   : _("Saved. Connecting…")));
  if (password != NULL)
    {
      memset (password, 0, strlen (password));
      g_free (password);
    }
}

GtkWidget *
unfreeze_preferences_window_new (GtkWindow *parent,
                                 GSettings *settings)
{
  UnfreezePreferencesWindow *self;
  g_autofree char *connection = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (UNFREEZE_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->settings = g_object_ref (settings);

  connection = g_settings_get_string (settings, "connection");
  gtk_editable_set_text (GTK_EDITABLE (self->connection_row), connection);
  g_settings_bind (settings, "ticker", self->ticker_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "delay", gtk_spin_button_get_adjustment (self->delay_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);

  return GTK_WIDGET (self);
}

static void
unfreeze_preferences_window_finalize (GObject *object)
{
  UnfreezePreferencesWindow *self = (UnfreezePreferencesWindow *)object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (unfreeze_preferences_window_parent_class)->finalize (object);
}

static void
unfreeze_preferences_window_class_init (UnfreezePreferencesWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = unfreeze_preferences_window_finalize;

  /**
   * UnfreezePreferencesWindow::connection-applied:
   * @conninfo: the connection string, as stored (without a password)
   * @password: (nullable): the password typed into it, for this session only
   *
   * The user applied a connection: use it now.
   */
  signals[CONNECTION_APPLIED] =
    g_signal_new ("connection-applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static GtkWidget *
suffix_row (const char *title,
            const char *subtitle,
            GtkWidget  *suffix)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (suffix, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), suffix);
  gtk_accessible_update_property (GTK_ACCESSIBLE (suffix), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);

  return row;
}

static void
unfreeze_preferences_window_init (UnfreezePreferencesWindow *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  AdwPreferencesGroup *server = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *defaults = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  gtk_window_set_title (GTK_WINDOW (self), _("Preferences"));
  gtk_window_set_default_size (GTK_WINDOW (self), 560, 480);

  adw_preferences_group_set_title (server, _("PostgreSQL Server"));
  adw_preferences_group_set_description (server,
                                         _("Empty: the built-in server (or your PG* environment "
                                           "variables). Otherwise a libpq connection string or "
                                           "URI, e.g. host=db.example.org dbname=demo user=me. "
                                           "Applied at once. Passwords are never stored here: "
                                           "Unfreeze asks when the server wants one and can keep "
                                           "it in your keyring; ~/.pgpass works too."));
  self->connection_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->connection_row), _("Connection"));
  adw_entry_row_set_show_apply_button (self->connection_row, TRUE);
  g_signal_connect_object (self->connection_row, "apply", G_CALLBACK (connection_apply_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (server, GTK_WIDGET (self->connection_row));

  adw_preferences_group_set_title (defaults, _("Run"));
  self->ticker_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_max_length (self->ticker_entry, 32);
  gtk_editable_set_width_chars (GTK_EDITABLE (self->ticker_entry), 8);
  adw_preferences_group_add (defaults, suffix_row (_("Ticker"), _("The ticker a run asks for"),
                                                   GTK_WIDGET (self->ticker_entry)));
  self->delay_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 60, 0.5));
  gtk_spin_button_set_digits (self->delay_spin, 1);
  adw_preferences_group_add (defaults, suffix_row (_("Server delay"),
                                                   _("Seconds the server takes to answer"),
                                                   GTK_WIDGET (self->delay_spin)));

  adw_preferences_page_add (page, server);
  adw_preferences_page_add (page, defaults);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), page);
}
