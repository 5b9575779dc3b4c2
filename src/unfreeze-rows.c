/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GListModel that reads straight from libpq's results.
 *
 * Nothing is copied: an item is made only when the view asks for one (when it scrolls into
 * sight) and reads its text from the PGresult. So showing a million rows costs one libpq
 * result and no time on the main loop to "fill a model". Results can be appended in pieces
 * (batches), each one announced with items-changed.
 *
 * Single-row mode is the exception: libpq makes a PGresult of some kilobytes for every row,
 * too much to keep for a million. Those rows are copied instead (copy_result), into one
 * string chunk, and announced together (commit): a chunk is then an array of pointers.
 *
 * One thread at a time: a worker may build the model and hand it to the main thread.
 *
 * unfreeze_rows_format_time() is how the table shows the time column: daily bars as a date,
 * minute bars as a date and a minute.
 */
#define G_LOG_DOMAIN "Unfreeze-Rows"

#include "config.h"

#include "unfreeze-rows.h"

#include <string.h>

typedef struct
{
  PGresult  *result;   /* rows read straight from a libpq result, or NULL and… */
  char     **values;   /* …copied rows: n_rows × UNFREEZE_N_COLUMNS pointers into strings */
  guint      first;    /* position of the chunk's first row in the model */
  guint      n_rows;
} Chunk;

struct _UnfreezeRows
{
  GObject       parent_instance;
  GArray       *chunks;     /* of Chunk, in order */
  guint         n_rows;
  GStringChunk *strings;    /* the copied values; NULL until the first copy */
  GPtrArray    *copied;     /* copied values not announced yet; NULL when none */
};

struct _UnfreezeRow
{
  GObject       parent_instance;
  UnfreezeRows *rows;
  guint         position;
};

static void unfreeze_rows_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE (UnfreezeRow, unfreeze_row, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE_WITH_CODE (UnfreezeRows, unfreeze_rows, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      unfreeze_rows_list_model_init))

static void
unfreeze_row_finalize (GObject *object)
{
  UnfreezeRow *self = (UnfreezeRow *)object;

  g_clear_object (&self->rows);

  G_OBJECT_CLASS (unfreeze_row_parent_class)->finalize (object);
}

static void
unfreeze_row_class_init (UnfreezeRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = unfreeze_row_finalize;
}

static void
unfreeze_row_init (UnfreezeRow *self)
{
}

const char *
unfreeze_row_get_value (UnfreezeRow    *self,
                        UnfreezeColumn  column)
{
  g_return_val_if_fail (UNFREEZE_IS_ROW (self), NULL);

  return unfreeze_rows_get_value (self->rows, self->position, column);
}

guint
unfreeze_row_get_position (UnfreezeRow *self)
{
  g_return_val_if_fail (UNFREEZE_IS_ROW (self), 0);

  return self->position;
}

static void
clear_chunk (gpointer data)
{
  Chunk *chunk = data;

  g_clear_pointer (&chunk->result, PQclear);
  g_clear_pointer (&chunk->values, g_free);
}

/* What a model's rows take in memory: libpq's results and the copied values. Plain memory,
 * nothing else points into it once the model is gone. */
typedef struct
{
  GArray       *chunks;
  GPtrArray    *copied;
  GStringChunk *strings;
} Storage;

static void
storage_free (Storage *storage)
{
  g_clear_pointer (&storage->chunks, g_array_unref);
  g_clear_pointer (&storage->copied, g_ptr_array_unref);
  g_clear_pointer (&storage->strings, g_string_chunk_free);
  g_free (storage);
}

static gpointer
free_storage_thread (gpointer data)
{
  storage_free (data);
  return NULL;
}

static void
unfreeze_rows_finalize (GObject *object)
{
  UnfreezeRows *self = (UnfreezeRows *)object;
  Storage *storage = g_new0 (Storage, 1);

  storage->chunks = g_steal_pointer (&self->chunks);
  storage->copied = g_steal_pointer (&self->copied);
  storage->strings = g_steal_pointer (&self->strings);

  /* Giving back a million rows' memory (one PGresult of 1,000,000 rows: 8.4 ms here,
   * bench/README.md, runs M) would stall the window at the next Run, when the table lets the
   * last result go. That much is freed on a short-lived thread of its own; it touches nothing
   * but this memory. */
  if (self->n_rows >= UNFREEZE_ROWS_FREE_APART)
    {
      g_autoptr(GThread) thread = g_thread_try_new ("unfreeze-free", free_storage_thread, storage, NULL);

      if (thread != NULL)
        storage = NULL;
    }
  if (storage != NULL)
    storage_free (storage);

  G_OBJECT_CLASS (unfreeze_rows_parent_class)->finalize (object);
}

static void
unfreeze_rows_class_init (UnfreezeRowsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = unfreeze_rows_finalize;
}

static void
unfreeze_rows_init (UnfreezeRows *self)
{
  self->chunks = g_array_new (FALSE, FALSE, sizeof (Chunk));
  g_array_set_clear_func (self->chunks, clear_chunk);
}

static GType
unfreeze_rows_get_item_type (GListModel *model)
{
  return UNFREEZE_TYPE_ROW;
}

static guint
unfreeze_rows_get_n_items (GListModel *model)
{
  return UNFREEZE_ROWS (model)->n_rows;
}

static gpointer
unfreeze_rows_get_item (GListModel *model,
                        guint       position)
{
  UnfreezeRows *self = UNFREEZE_ROWS (model);
  UnfreezeRow *row;

  if (position >= self->n_rows)
    return NULL;

  row = g_object_new (UNFREEZE_TYPE_ROW, NULL);
  row->rows = g_object_ref (self);
  row->position = position;

  return row;
}

static void
unfreeze_rows_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = unfreeze_rows_get_item_type;
  iface->get_n_items = unfreeze_rows_get_n_items;
  iface->get_item = unfreeze_rows_get_item;
}

UnfreezeRows *
unfreeze_rows_new (void)
{
  return g_object_new (UNFREEZE_TYPE_ROWS, NULL);
}

/**
 * unfreeze_rows_append_result:
 * @result: (transfer full): a result with rows of the demo statement
 *
 * Appends the rows of @result. Results without rows (the end of a single-row-mode
 * sequence) are freed and add nothing.
 */
void
unfreeze_rows_append_result (UnfreezeRows *self,
                             PGresult     *result)
{
  Chunk chunk;
  guint added;

  g_return_if_fail (UNFREEZE_IS_ROWS (self));
  g_return_if_fail (result != NULL);

  added = (guint) PQntuples (result);
  if (added == 0 || PQnfields (result) < UNFREEZE_N_COLUMNS)
    {
      PQclear (result);
      return;
    }

  chunk.result = result;
  chunk.values = NULL;
  chunk.first = self->n_rows;
  chunk.n_rows = added;
  g_array_append_val (self->chunks, chunk);
  self->n_rows += added;

  g_list_model_items_changed (G_LIST_MODEL (self), chunk.first, 0, added);
}

/**
 * unfreeze_rows_copy_result:
 * @result: (transfer none): a result with rows of the demo statement, e.g. one row of
 *   single-row mode
 *
 * Copies the rows of @result, to be announced by the next unfreeze_rows_commit(). The
 * caller may free @result at once.
 */
void
unfreeze_rows_copy_result (UnfreezeRows   *self,
                           const PGresult *result)
{
  int n;

  g_return_if_fail (UNFREEZE_IS_ROWS (self));
  g_return_if_fail (result != NULL);

  n = PQntuples (result);
  if (n == 0 || PQnfields (result) < UNFREEZE_N_COLUMNS)
    return;

  if (self->strings == NULL)
    self->strings = g_string_chunk_new (64 * 1024);
  if (self->copied == NULL)
    self->copied = g_ptr_array_sized_new (64 * UNFREEZE_N_COLUMNS);

  for (int row = 0; row < n; row++)
    for (int column = 0; column < UNFREEZE_N_COLUMNS; column++)
      g_ptr_array_add (self->copied,
                       g_string_chunk_insert (self->strings, PQgetvalue (result, row, column)));
}

/**
 * unfreeze_rows_commit:
 *
 * Appends the rows copied since the last commit as one chunk, with one items-changed.
 *
 * Returns: how many rows were added
 */
guint
unfreeze_rows_commit (UnfreezeRows *self)
{
  Chunk chunk;

  g_return_val_if_fail (UNFREEZE_IS_ROWS (self), 0);

  if (self->copied == NULL)
    return 0;

  chunk.result = NULL;
  chunk.n_rows = self->copied->len / UNFREEZE_N_COLUMNS;
  chunk.values = (char **) g_ptr_array_free (g_steal_pointer (&self->copied), FALSE);
  chunk.first = self->n_rows;
  g_array_append_val (self->chunks, chunk);
  self->n_rows += chunk.n_rows;

  g_list_model_items_changed (G_LIST_MODEL (self), chunk.first, 0, chunk.n_rows);

  return chunk.n_rows;
}

guint
unfreeze_rows_get_n_rows (UnfreezeRows *self)
{
  g_return_val_if_fail (UNFREEZE_IS_ROWS (self), 0);

  return self->n_rows;
}

const char *
unfreeze_rows_get_value (UnfreezeRows   *self,
                         guint           position,
                         UnfreezeColumn  column)
{
  guint lo = 0;
  guint hi;

  g_return_val_if_fail (UNFREEZE_IS_ROWS (self), NULL);
  g_return_val_if_fail (column < UNFREEZE_N_COLUMNS, NULL);

  if (position >= self->n_rows)
    return NULL;

  /* Binary search for the chunk holding @position: appending in pieces makes many chunks. */
  hi = self->chunks->len;
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->chunks, Chunk, mid).first <= position)
        lo = mid;
      else
        hi = mid;
    }

  {
    const Chunk *chunk = &g_array_index (self->chunks, Chunk, lo);
    guint row = position - chunk->first;

    if (chunk->values != NULL)
      return chunk->values[row * UNFREEZE_N_COLUMNS + column];

    return PQgetvalue (chunk->result, (int) row, (int) column);
  }
}

/* Whether @value is "YYYY-MM-DD HH:MM:SS", how PostgreSQL writes a timestamp (DateStyle ISO,
 * its default) between the years 1 and 9999. */
static gboolean
is_iso_timestamp (const char *value)
{
  static const char pattern[] = "0000-00-00 00:00:00";

  for (gsize i = 0; i < sizeof pattern - 1; i++)
    if (pattern[i] == '0' ? !g_ascii_isdigit (value[i]) : value[i] != pattern[i])
      return FALSE;

  return value[sizeof pattern - 1] == '\0';
}

/**
 * unfreeze_rows_format_time:
 * @value: the time column's value, as libpq gives it
 * @text: room for the shortened text
 *
 * The time column as the table shows it: a daily bar (at midnight) as its date alone,
 * "2026-11-20"; a minute bar as its date and minute, "2026-11-20 15:59". Anything else
 * (seconds, another DateStyle, a date column of the user's own table) is shown as it is.
 *
 * Returns: @value, or @text holding the shorter form
 */
const char *
unfreeze_rows_format_time (const char *value,
                           char        text[static UNFREEZE_TIME_TEXT_SIZE])
{
  gsize length;

  g_return_val_if_fail (value != NULL, NULL);

  if (!is_iso_timestamp (value) || !g_str_has_suffix (value, ":00"))
    return value;

  length = g_str_has_suffix (value, " 00:00:00") ? strlen ("YYYY-MM-DD") : strlen ("YYYY-MM-DD HH:MM");
  g_assert (length < UNFREEZE_TIME_TEXT_SIZE);
  memcpy (text, value, length);
  text[length] = '\0';

  return text;
}
