/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _UnfreezeDatabase   UnfreezeDatabase;
typedef struct _UnfreezeMode       UnfreezeMode;
typedef struct _UnfreezeRows       UnfreezeRows;
typedef struct _UnfreezeRun        UnfreezeRun;
typedef struct _UnfreezeStallMeter UnfreezeStallMeter;

G_END_DECLS
