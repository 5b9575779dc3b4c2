/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The dialog's responses, and its widgets' names (for tests). */
#define UNFREEZE_PASSWORD_DIALOG_CONNECT  "connect"
#define UNFREEZE_PASSWORD_DIALOG_CANCEL   "cancel"
#define UNFREEZE_PASSWORD_DIALOG_ENTRY    "password-entry"
#define UNFREEZE_PASSWORD_DIALOG_REMEMBER "remember-check"

void  unfreeze_password_dialog_ask_async  (GtkWindow            *parent,
                                           const char           *server,
                                           const char           *reason,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
char *unfreeze_password_dialog_ask_finish (GAsyncResult         *result,
                                           gboolean             *remember,
                                           GError              **error);

G_END_DECLS
