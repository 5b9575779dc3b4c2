/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeRows, the model that reads straight from libpq's results, over results built on
 * the client (PQmakeEmptyPGresult, PQsetResultAttrs, PQsetvalue): no server, no display.
 * Whole results and copied single rows, their positions and columns, the items-changed a
 * view relies on, and the model's life.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-rows.h"

#include <libpq-events.h>

#include "unfreeze-test.h"

/* What a cell holds in these tests: its row's tag, row and column, so a wrong chunk, row or
 * column shows in the value. */
static char *
dup_cell (const char *tag,
          guint       row,
          guint       column)
{
  return g_strdup_printf ("%s:%u:%u", tag, row, column);
}

/* A result of the demo statement's shape, as libpq would hand it over, with @n_rows rows of
 * @n_columns columns. Row @null_row (G_MAXUINT: none) is all SQL NULLs. */
static PGresult *
new_result (const char *tag,
            guint       n_rows,
            int         n_columns,
            guint       null_row)
{
  static const char * const names[] = { "ticker", "date", "open", "high", "low", "close", "volume" };
  PGresAttDesc attributes[G_N_ELEMENTS (names)] = { 0 };
  PGresult *result = PQmakeEmptyPGresult (NULL, PGRES_TUPLES_OK);

  g_assert_nonnull (result);
  g_assert_cmpint (n_columns, <=, G_N_ELEMENTS (names));
  for (int i = 0; i < n_columns; i++)
    {
      attributes[i].name = (char *) names[i];
      attributes[i].typid = 25;   /* text */
      attributes[i].typlen = -1;
      attributes[i].atttypmod = -1;
    }
  g_assert_true (PQsetResultAttrs (result, n_columns, attributes));

  for (guint row = 0; row < n_rows; row++)
    for (int column = 0; column < n_columns; column++)
      {
        g_autofree char *value = dup_cell (tag, row, column);

        if (row == null_row)
          g_assert_true (PQsetvalue (result, row, column, NULL, -1));
        else
          g_assert_true (PQsetvalue (result, row, column, value, strlen (value)));
      }
  g_assert_cmpint (PQntuples (result), ==, n_rows);

  return result;
}

/* libpq tells a result's event procedures when the result is cleared, on the thread that
 * clears it. */
typedef struct
{
  GThread  *caller;
  GMutex    lock;
  GCond     cond;
  gboolean  cleared;
  gboolean  cleared_on_caller;
} Clearing;

static int
clearing_event_cb (PGEventId  id,
                   void      *event_info,
                   void      *pass_through)
{
  Clearing *clearing = pass_through;

  if (id == PGEVT_RESULTDESTROY)
    {
      g_mutex_lock (&clearing->lock);
      clearing->cleared = TRUE;
      clearing->cleared_on_caller = g_thread_self () == clearing->caller;
      g_cond_signal (&clearing->cond);
      g_mutex_unlock (&clearing->lock);
    }

  return TRUE;
}

/* A big model's memory goes back on a thread of its own, a small one's at once, on the
 * thread that finalizes it. */
static void
test_free_apart (gconstpointer data)
{
  guint n_rows = GPOINTER_TO_UINT (data);
  /* A connection that never connects: only for its event procedure, which results made
   * with it copy. */
  PGconn *conn = PQconnectStart ("host=/nonexistent/unfreeze-test dbname=none");
  PGresAttDesc attributes[UNFREEZE_N_COLUMNS] = { 0 };
  Clearing clearing = { .caller = g_thread_self () };
  UnfreezeRows *rows = unfreeze_rows_new ();
  PGresult *result;
  gint64 deadline;

  g_mutex_init (&clearing.lock);
  g_cond_init (&clearing.cond);
  g_assert_nonnull (conn);
  g_assert_true (PQregisterEventProc (conn, clearing_event_cb, "unfreeze-test", &clearing));
  result = PQmakeEmptyPGresult (conn, PGRES_TUPLES_OK);
  g_assert_nonnull (result);
  for (guint column = 0; column < UNFREEZE_N_COLUMNS; column++)
    {
      attributes[column].name = (char *) "c";
      attributes[column].typid = 25;
      attributes[column].typlen = -1;
      attributes[column].atttypmod = -1;
    }
  g_assert_true (PQsetResultAttrs (result, UNFREEZE_N_COLUMNS, attributes));
  /* The ticker only; libpq leaves the other columns of a new row NULL. */
  for (guint row = 0; row < n_rows; row++)
    g_assert_true (PQsetvalue (result, row, 0, (char *) "T", 1));
  g_assert_true (PQfireResultCreateEvents (conn, result));
  PQfinish (conn);

  unfreeze_rows_append_result (rows, result);
  g_assert_cmpuint (unfreeze_rows_get_n_rows (rows), ==, n_rows);
  g_assert_cmpstr (unfreeze_rows_get_value (rows, n_rows - 1, UNFREEZE_COLUMN_TICKER), ==, "T");
  g_assert_false (clearing.cleared);

  g_assert_finalize_object (rows);

  if (n_rows < UNFREEZE_ROWS_FREE_APART)
    {
      g_assert_true (clearing.cleared);
      g_assert_true (clearing.cleared_on_caller);
    }
  else
    {
      /* Generous: freeing takes milliseconds. */
      deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
      g_mutex_lock (&clearing.lock);
      while (!clearing.cleared && g_cond_wait_until (&clearing.cond, &clearing.lock, deadline))
        ;
      g_assert_true (clearing.cleared);
      g_assert_false (clearing.cleared_on_caller);
      g_mutex_unlock (&clearing.lock);
    }

  g_mutex_clear (&clearing.lock);
  g_cond_clear (&clearing.cond);
}

/* Every items-changed, as a view sees them. */
typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GArray     *changes)
{
  Change change = { position, removed, added };

  g_array_append_val (changes, change);
}

static GArray *
watch_changes (UnfreezeRows *rows)
{
  GArray *changes = g_array_new (FALSE, FALSE, sizeof (Change));

  g_signal_connect (rows, "items-changed", G_CALLBACK (items_changed_cb), changes);

  return changes;
}

static void
assert_change (GArray *changes,
               guint   index,
               guint   position,
               guint   added)
{
  const Change *change;

  g_assert_cmpuint (index, <, changes->len);
  change = &g_array_index (changes, Change, index);
  g_assert_cmpuint (change->position, ==, position);
  g_assert_cmpuint (change->removed, ==, 0);
  g_assert_cmpuint (change->added, ==, added);
}

/* Rows @first … @first + @n_rows - 1 of the model are rows 0 … of @tag's result. */
static void
assert_rows (UnfreezeRows *rows,
             guint         first,
             const char   *tag,
             guint         n_rows)
{
  for (guint row = 0; row < n_rows; row++)
    for (guint column = 0; column < UNFREEZE_N_COLUMNS; column++)
      {
        g_autofree char *expected = dup_cell (tag, row, column);

        g_assert_cmpstr (unfreeze_rows_get_value (rows, first + row, column), ==, expected);
      }
}

static void
test_empty (void)
{
  UnfreezeRows *rows = unfreeze_rows_new ();

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (rows)) == UNFREEZE_TYPE_ROW);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 0);
  g_assert_cmpuint (unfreeze_rows_get_n_rows (rows), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (rows), 0));
  g_assert_null (unfreeze_rows_get_value (rows, 0, UNFREEZE_COLUMN_TICKER));
  g_assert_cmpuint (unfreeze_rows_commit (rows), ==, 0);

  g_assert_finalize_object (rows);
}

/* Whole results, one after another: each is announced once, at the end, and every row reads
 * from its own result, column by column. */
static void
test_append_results (void)
{
  static const struct { const char *tag; guint n_rows; } parts[] = {
    { "a", 3 }, { "b", 1 }, { "c", 5 }, { "d", 2 },
  };
  UnfreezeRows *rows = unfreeze_rows_new ();
  g_autoptr(GArray) changes = watch_changes (rows);
  guint first = 0;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      unfreeze_rows_append_result (rows, new_result (parts[i].tag, parts[i].n_rows,
                                                     UNFREEZE_N_COLUMNS, G_MAXUINT));
      g_assert_cmpuint (changes->len, ==, i + 1);
      assert_change (changes, i, first, parts[i].n_rows);
      first += parts[i].n_rows;
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, first);
      g_assert_cmpuint (unfreeze_rows_get_n_rows (rows), ==, first);
    }

  first = 0;
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      assert_rows (rows, first, parts[i].tag, parts[i].n_rows);
      first += parts[i].n_rows;
    }
  g_assert_null (unfreeze_rows_get_value (rows, first, UNFREEZE_COLUMN_TICKER));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (rows), first));

  g_signal_handlers_disconnect_by_data (rows, changes);
  g_assert_finalize_object (rows);
}

/* Many one-row results (a slice at a time): the search for a row's chunk finds each. */
static void
test_many_chunks (void)
{
  UnfreezeRows *rows = unfreeze_rows_new ();

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *tag = g_strdup_printf ("r%u", i);

      unfreeze_rows_append_result (rows, new_result (tag, 1, UNFREEZE_N_COLUMNS, G_MAXUINT));
    }
  g_assert_cmpuint (unfreeze_rows_get_n_rows (rows), ==, 100);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *tag = g_strdup_printf ("r%u", i);

      assert_rows (rows, i, tag, 1);
    }

  g_assert_finalize_object (rows);
}

/* An item is a row's position in its model: it reads the model's values and keeps the
 * model alive as long as a view holds it. */
static void
test_items (void)
{
  UnfreezeRows *rows = unfreeze_rows_new ();
  UnfreezeRow *row;
  g_autofree char *expected = dup_cell ("a", 1, UNFREEZE_COLUMN_CLOSE);

  unfreeze_rows_append_result (rows, new_result ("a", 2, UNFREEZE_N_COLUMNS, G_MAXUINT));
  unfreeze_rows_append_result (rows, new_result ("b", 2, UNFREEZE_N_COLUMNS, G_MAXUINT));

  row = g_list_model_get_item (G_LIST_MODEL (rows), 1);
  g_assert_true (UNFREEZE_IS_ROW (row));
  g_assert_cmpuint (unfreeze_row_get_position (row), ==, 1);
  g_assert_cmpstr (unfreeze_row_get_value (row, UNFREEZE_COLUMN_CLOSE), ==, expected);

  {
    g_autoptr(UnfreezeRow) other = g_list_model_get_item (G_LIST_MODEL (rows), 2);
    g_autofree char *other_expected = dup_cell ("b", 0, UNFREEZE_COLUMN_TICKER);

    g_assert_true (other != row);
    g_assert_cmpuint (unfreeze_row_get_position (other), ==, 2);
    g_assert_cmpstr (unfreeze_row_get_value (other, UNFREEZE_COLUMN_TICKER), ==, other_expected);
  }

  /* The view's item outlives the caller's reference to the model. */
  g_object_add_weak_pointer (G_OBJECT (rows), (gpointer *) &rows);
  g_object_unref (rows);
  g_assert_nonnull (rows);
  g_assert_cmpstr (unfreeze_row_get_value (row, UNFREEZE_COLUMN_CLOSE), ==, expected);

  g_assert_finalize_object (row);
  g_assert_null (rows);
}

/* Results with nothing to show (the empty result that ends a single-row sequence, a result
 * of another shape) add nothing and announce nothing, whether appended or copied. */
static void
test_nothing_to_add (void)
{
  UnfreezeRows *rows = unfreeze_rows_new ();
  g_autoptr(GArray) changes = watch_changes (rows);
  PGresult *empty = new_result ("e", 0, UNFREEZE_N_COLUMNS, G_MAXUINT);
  PGresult *narrow = new_result ("n", 2, UNFREEZE_N_COLUMNS - 1, G_MAXUINT);

  unfreeze_rows_copy_result (rows, empty);
  unfreeze_rows_copy_result (rows, narrow);
  g_assert_cmpuint (unfreeze_rows_commit (rows), ==, 0);
  unfreeze_rows_append_result (rows, empty);
  unfreeze_rows_append_result (rows, narrow);

  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 0);

  g_signal_handlers_disconnect_by_data (rows, changes);
  g_assert_finalize_object (rows);
}

/* Single-row mode: each row is copied (its result freed at once), nothing shows until the
 * commit, which announces the copied rows together; whole results and copies mix, in
 * order. */
static void
test_copy_and_commit (void)
{
  UnfreezeRows *rows = unfreeze_rows_new ();
  g_autoptr(GArray) changes = watch_changes (rows);
  static const char * const singles[] = { "s0", "s1", "s2" };

  unfreeze_rows_append_result (rows, new_result ("a", 2, UNFREEZE_N_COLUMNS, G_MAXUINT));

  for (guint i = 0; i < G_N_ELEMENTS (singles); i++)
    {
      PGresult *single = new_result (singles[i], 1, UNFREEZE_N_COLUMNS, G_MAXUINT);

      unfreeze_rows_copy_result (rows, single);
      PQclear (single);
    }
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (unfreeze_rows_get_n_rows (rows), ==, 2);
  g_assert_null (unfreeze_rows_get_value (rows, 2, UNFREEZE_COLUMN_TICKER));

  g_assert_cmpuint (unfreeze_rows_commit (rows), ==, G_N_ELEMENTS (singles));
  g_assert_cmpuint (changes->len, ==, 2);
  assert_change (changes, 1, 2, G_N_ELEMENTS (singles));
  g_assert_cmpuint (unfreeze_rows_commit (rows), ==, 0);
  g_assert_cmpuint (changes->len, ==, 2);

  /* A copied result of several rows, then a whole one after the copies. */
  {
    PGresult *several = new_result ("m", 3, UNFREEZE_N_COLUMNS, G_MAXUINT);

    unfreeze_rows_copy_result (rows, several);
    PQclear (several);
  }
  g_assert_cmpuint (unfreeze_rows_commit (rows), ==, 3);
  assert_change (changes, 2, 5, 3);
  unfreeze_rows_append_result (rows, new_result ("z", 1, UNFREEZE_N_COLUMNS, G_MAXUINT));
  assert_change (changes, 3, 8, 1);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 9);
  assert_rows (rows, 0, "a", 2);
  for (guint i = 0; i < G_N_ELEMENTS (singles); i++)
    assert_rows (rows, 2 + i, singles[i], 1);
  assert_rows (rows, 5, "m", 3);
  assert_rows (rows, 8, "z", 1);

  g_signal_handlers_disconnect_by_data (rows, changes);
  g_assert_finalize_object (rows);
}

/* A SQL NULL reads as an empty string, as libpq gives it, whole or copied. */
static void
test_nulls (void)
{
  UnfreezeRows *rows = unfreeze_rows_new ();
  PGresult *copied = new_result ("c", 2, UNFREEZE_N_COLUMNS, 0);

  unfreeze_rows_append_result (rows, new_result ("w", 2, UNFREEZE_N_COLUMNS, 1));
  unfreeze_rows_copy_result (rows, copied);
  PQclear (copied);
  g_assert_cmpuint (unfreeze_rows_commit (rows), ==, 2);

  for (guint column = 0; column < UNFREEZE_N_COLUMNS; column++)
    {
      g_autofree char *whole = dup_cell ("w", 0, column);
      g_autofree char *copy = dup_cell ("c", 1, column);

      g_assert_cmpstr (unfreeze_rows_get_value (rows, 0, column), ==, whole);
      g_assert_cmpstr (unfreeze_rows_get_value (rows, 1, column), ==, "");
      g_assert_cmpstr (unfreeze_rows_get_value (rows, 2, column), ==, "");
      g_assert_cmpstr (unfreeze_rows_get_value (rows, 3, column), ==, copy);
    }

  g_assert_finalize_object (rows);
}

/* The time column: a daily bar shows its date, a minute bar its date and minute; anything
 * the table of a user's own may hold (a date, "BC", seconds, another DateStyle, NULL's "")
 * shows as it is. */
static void
test_format_time (void)
{
  static const struct {
    const char *value;
    const char *shown;
  } cases[] = {
    { "2026-11-20 00:00:00", "2026-11-20" },
    { "2026-11-20 15:59:00", "2026-11-20 15:59" },
    { "2017-01-23 09:30:00", "2017-01-23 09:30" },
    { "2026-11-20 15:59:30", "2026-11-20 15:59:30" },
    { "2026-11-20 15:59:00.5", "2026-11-20 15:59:00.5" },
    { "2026-11-20", "2026-11-20" },
    { "1808-10-28 BC", "1808-10-28 BC" },
    { "1808-10-28 00:00:00 BC", "1808-10-28 00:00:00 BC" },
    { "11/20/2026 15:59:00", "11/20/2026 15:59:00" },
    { "12026-11-20 00:00:00", "12026-11-20 00:00:00" },
    { "2026-11-20 00:00", "2026-11-20 00:00" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char text[UNFREEZE_TIME_TEXT_SIZE];

      memset (text, 'x', sizeof text);
      g_assert_cmpstr (unfreeze_rows_format_time (cases[i].value, text), ==, cases[i].shown);
    }
}

int
main (int   argc,
      char *argv[])
{
  unfreeze_test_init (&argc, &argv);

  g_test_add_func ("/unfreeze/Rows/empty", test_empty);
  g_test_add_func ("/unfreeze/Rows/append-results", test_append_results);
  g_test_add_func ("/unfreeze/Rows/many-chunks", test_many_chunks);
  g_test_add_func ("/unfreeze/Rows/items", test_items);
  g_test_add_func ("/unfreeze/Rows/nothing-to-add", test_nothing_to_add);
  g_test_add_func ("/unfreeze/Rows/copy-and-commit", test_copy_and_commit);
  g_test_add_func ("/unfreeze/Rows/nulls", test_nulls);
  g_test_add_func ("/unfreeze/Rows/format-time", test_format_time);
  g_test_add_data_func ("/unfreeze/Rows/free-small", GUINT_TO_POINTER (10), test_free_apart);
  g_test_add_data_func ("/unfreeze/Rows/free-apart", GUINT_TO_POINTER (UNFREEZE_ROWS_FREE_APART),
                        test_free_apart);

  return g_test_run ();
}
