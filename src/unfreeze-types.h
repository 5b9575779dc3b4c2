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

/* The most queries one run may have at once (the window's spin button, --count, the
 * "count" setting's range in the schema say the same). */
#define UNFREEZE_MAX_QUERIES_AT_ONCE 200

/* What an input was: what the status line calls it ("your typing", "your click"). */
typedef enum
{
  UNFREEZE_INPUT_KEY,
  UNFREEZE_INPUT_CLICK,
} UnfreezeInputKind;

G_END_DECLS
