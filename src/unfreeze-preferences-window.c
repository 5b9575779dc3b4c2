/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Preferences: which PostgreSQL server to use, and the defaults for a run.
 *
 * The connection string is stored in GSettings without any password: passwords belong in
 * ~/.pgpass (or PGPASSFILE), where libpq finds them by itself. A password typed into the
 * string is removed before it is stored, and the user is told why.
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

static void
connection_apply_cb (UnfreezePreferencesWindow *self,
                     AdwEntryRow               *row)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *clean = NULL;
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
  g_settings_set_string (self->settings, "connection", clean);
  gtk_editable_set_text (GTK_EDITABLE (row), clean);

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (had_password
                                                   ? _("Saved without the password: put it in ~/.pgpass. Restart Unfreeze to connect.")
                                                   : _("Saved. Restart Unfreeze to connect.")));
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
                                           "Passwords are never stored here: libpq reads them "
                                           "from ~/.pgpass."));
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
