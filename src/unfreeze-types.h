/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Forward declarations of the types the headers name before they are defined.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _UnfreezeDatabase   UnfreezeDatabase;
typedef struct _UnfreezeMode       UnfreezeMode;
typedef struct _UnfreezeRows       UnfreezeRows;
typedef struct _UnfreezeRun        UnfreezeRun;
typedef struct _UnfreezeStallMeter UnfreezeStallMeter;

G_END_DECLS
