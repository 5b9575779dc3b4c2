/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeApplication: the AdwApplication, its command line, the one database and the window.
 */
#pragma once

#include <adwaita.h>

#include "unfreeze-types.h"

G_BEGIN_DECLS

#define UNFREEZE_TYPE_APPLICATION (unfreeze_application_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeApplication, unfreeze_application, UNFREEZE, APPLICATION, AdwApplication)

UnfreezeApplication *unfreeze_application_new             (void);
int                  unfreeze_application_get_exit_status (UnfreezeApplication *self);
UnfreezeDatabase    *unfreeze_application_get_database    (UnfreezeApplication *self);

G_END_DECLS
