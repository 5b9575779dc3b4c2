/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Asks for the password of a server that wants one, as a GNOME app does: a message dialog
 * over the window with a password entry and "Remember in keyring". (libadwaita 1.2 has
 * AdwMessageDialog; AdwAlertDialog came later.) The password goes back to the caller only,
 * in memory: the dialog neither stores nor logs it.
 */
#define G_LOG_DOMAIN "Unfreeze-Password"

#include "config.h"

#include "unfreeze-password-dialog.h"

#include <glib/gi18n.h>

typedef struct
{
  GtkEditable    *entry;
  GtkCheckButton *remember;
} Ask;

static void
ask_free (Ask *ask)
{
  g_free (ask);
}

/* Not while it emits "response": GTK 4.8's password entry does not survive its window
 * being destroyed then. */
static gboolean
close_cb (gpointer user_data)
{
  gtk_window_set_focus (GTK_WINDOW (user_data), NULL);
  gtk_window_close (GTK_WINDOW (user_data));

  return G_SOURCE_REMOVE;
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             gpointer          user_data)
{
  g_autoptr(GTask) task = user_data;
  Ask *ask = g_task_get_task_data (task);

  if (g_str_equal (response, UNFREEZE_PASSWORD_DIALOG_CONNECT))
    {
      g_object_set_data (G_OBJECT (task), "remember",
                         GINT_TO_POINTER (gtk_check_button_get_active (ask->remember)));
      g_task_return_pointer (task, g_strdup (gtk_editable_get_text (ask->entry)), g_free);
    }
  else
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("No password was given"));
    }

  /* The typed text does not wait in the entry until the dialog is finalized. One answer:
   * the dialog goes, whether a button or adw_message_dialog_response() gave it. */
  gtk_editable_set_text (ask->entry, "");
  g_signal_handlers_disconnect_by_func (dialog, response_cb, user_data);
  g_idle_add_full (G_PRIORITY_DEFAULT, close_cb, g_object_ref (dialog), g_object_unref);
}

static void
entry_activate_cb (GtkEditable      *entry,
                   AdwMessageDialog *dialog)
{
  adw_message_dialog_response (dialog, UNFREEZE_PASSWORD_DIALOG_CONNECT);
}

/**
 * unfreeze_password_dialog_ask_async:
 * @server: the server's description, without a password
 * @reason: (nullable): why it asks again (the server refused the last one), or %NULL
 *
 * Shows the dialog over @parent; finishes when the user answers. Main thread.
 */
void
unfreeze_password_dialog_ask_async (GtkWindow           *parent,
                                    const char          *server,
                                    const char          *reason,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GtkWidget *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  Ask *ask = g_new0 (Ask, 1);
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *body = NULL;

  g_task_set_source_tag (task, unfreeze_password_dialog_ask_async);
  g_task_set_task_data (task, ask, (GDestroyNotify) ask_free);

  if (reason != NULL)
    body = g_strdup_printf (_("The server refused the password: %s\n\n%s"), reason, server);
  else
    body = g_strdup_printf (_("The server asks for a password.\n\n%s"), server);

  dialog = adw_message_dialog_new (parent, _("Password Needed"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    UNFREEZE_PASSWORD_DIALOG_CANCEL, _("_Cancel"),
                                    UNFREEZE_PASSWORD_DIALOG_CONNECT, _("C_onnect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog),
                                              UNFREEZE_PASSWORD_DIALOG_CONNECT,
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog),
                                           UNFREEZE_PASSWORD_DIALOG_CONNECT);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog),
                                         UNFREEZE_PASSWORD_DIALOG_CANCEL);

  ask->entry = GTK_EDITABLE (gtk_password_entry_new ());
  gtk_widget_set_name (GTK_WIDGET (ask->entry), UNFREEZE_PASSWORD_DIALOG_ENTRY);
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (ask->entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (ask->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Password"), -1);
  g_signal_connect_object (ask->entry, "activate", G_CALLBACK (entry_activate_cb), dialog, 0);
  ask->remember = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("_Remember in keyring")));
  gtk_widget_set_name (GTK_WIDGET (ask->remember), UNFREEZE_PASSWORD_DIALOG_REMEMBER);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (ask->entry));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (ask->remember));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);

  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), task);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (GTK_WIDGET (ask->entry));
}

/**
 * unfreeze_password_dialog_ask_finish:
 * @remember: (out): whether to keep it in the keyring
 *
 * Returns: (transfer full): the password; %NULL with %G_IO_ERROR_CANCELLED when the user
 *   cancelled
 */
char *
unfreeze_password_dialog_ask_finish (GAsyncResult  *result,
                                     gboolean      *remember,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  *remember = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "remember"));

  return g_task_propagate_pointer (G_TASK (result), error);
}
