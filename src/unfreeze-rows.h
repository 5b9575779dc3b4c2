/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeRows: a GListModel over libpq's results, its UnfreezeRow items and their columns.
 */
#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

#include "unfreeze-types.h"

G_BEGIN_DECLS

/* Room for the text unfreeze_rows_format_time() writes. */
#define UNFREEZE_TIME_TEXT_SIZE 17

/* A model of at least this many rows gives its memory back on a short-lived thread of its
 * own when it is finalized, not on the thread that let it go (the window's). */
#define UNFREEZE_ROWS_FREE_APART 100000

/* The columns of a result row, in the order the statement selects them. */
typedef enum
{
  UNFREEZE_COLUMN_TICKER,
  UNFREEZE_COLUMN_TIME,
  UNFREEZE_COLUMN_OPEN,
  UNFREEZE_COLUMN_HIGH,
  UNFREEZE_COLUMN_LOW,
  UNFREEZE_COLUMN_CLOSE,
  UNFREEZE_COLUMN_VOLUME,
  UNFREEZE_N_COLUMNS
} UnfreezeColumn;

#define UNFREEZE_TYPE_ROW (unfreeze_row_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeRow, unfreeze_row, UNFREEZE, ROW, GObject)

#define UNFREEZE_TYPE_ROWS (unfreeze_rows_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeRows, unfreeze_rows, UNFREEZE, ROWS, GObject)

const char   *unfreeze_row_get_value        (UnfreezeRow    *self,
                                             UnfreezeColumn  column);
guint         unfreeze_row_get_position     (UnfreezeRow    *self);

UnfreezeRows *unfreeze_rows_new             (void);
void          unfreeze_rows_append_result   (UnfreezeRows   *self,
                                             PGresult       *result);
void          unfreeze_rows_copy_result     (UnfreezeRows   *self,
                                             const PGresult *result);
guint         unfreeze_rows_commit          (UnfreezeRows   *self);
guint         unfreeze_rows_get_n_rows      (UnfreezeRows   *self);
const char   *unfreeze_rows_get_value       (UnfreezeRows   *self,
                                             guint           position,
                                             UnfreezeColumn  column);

const char   *unfreeze_rows_format_time     (const char     *value,
                                             char            text[static UNFREEZE_TIME_TEXT_SIZE]);

G_END_DECLS
