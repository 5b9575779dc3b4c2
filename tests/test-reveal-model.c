/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeRevealModel: the table's model, which takes rows in a step at a time. No display,
 * no server: the source is a GListStore.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-reveal-model.h"
#include "unfreeze-test.h"

/* A view's idea of the model, kept only from items-changed: it must always agree with
 * what the model says, or a real view would show the wrong rows. */
typedef struct
{
  GPtrArray *items;
  guint      n_signals;
  guint      max_added;    /* the most items one items-changed added */
} Mirror;

static void
mirror_changed_cb (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   Mirror     *mirror)
{
  g_assert_cmpuint (position + removed, <=, mirror->items->len);
  g_ptr_array_remove_range (mirror->items, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (mirror->items, position + i, g_list_model_get_item (model, position + i));
  mirror->n_signals++;
  mirror->max_added = MAX (mirror->max_added, added);
  g_assert_cmpuint (mirror->items->len, ==, g_list_model_get_n_items (model));
}

static void
mirror_init (Mirror     *mirror,
             GListModel *model)
{
  mirror->items = g_ptr_array_new_with_free_func (g_object_unref);
  mirror->n_signals = 0;
  mirror->max_added = 0;
  g_signal_connect (model, "items-changed", G_CALLBACK (mirror_changed_cb), mirror);
}

/* The mirror holds exactly the first n items of @source. */
static void
assert_prefix_of (Mirror     *mirror,
                  GListModel *source,
                  guint       n)
{
  g_assert_cmpuint (mirror->items->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (source, i);

      g_assert_true (g_ptr_array_index (mirror->items, i) == item);
    }
}

static GListStore *
new_store (guint n)
{
  GListStore *store = g_list_store_new (G_TYPE_OBJECT);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_object_new (G_TYPE_OBJECT, NULL);

      g_list_store_append (store, item);
    }
  return store;
}

/* Steps until everything asked for is shown, with a budget that cheap steps never use up
 * (each step is one items-changed: the mirror counts them). */
static void
settle (UnfreezeRevealModel *reveal)
{
  guint calls = 0;

  while (unfreeze_reveal_model_step (reveal, 10 * G_USEC_PER_SEC))
    g_assert_cmpuint (++calls, <, 100);
  g_assert_true (unfreeze_reveal_model_is_settled (reveal));
}

/* Lets the models the reveal model let go of go (it drops them when the main loop is idle). */
static void
release_old_models (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_reveal_in_growing_steps (void)
{
  UnfreezeRevealModel *reveal = unfreeze_reveal_model_new ();
  GListStore *store = new_store (100000);
  Mirror mirror;
  guint first_signals;

  mirror_init (&mirror, G_LIST_MODEL (reveal));
  g_assert_true (unfreeze_reveal_model_is_settled (reveal));

  /* Asked for, but nothing shown before the first step. */
  unfreeze_reveal_model_set_model (reveal, G_LIST_MODEL (store));
  g_assert_true (unfreeze_reveal_model_get_model (reveal) == G_LIST_MODEL (store));
  g_assert_false (unfreeze_reveal_model_is_settled (reveal));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (reveal), 0));

  /* The first step is small: it makes row widgets in a real view. (A budget of 0 allows
   * exactly one step.) */
  g_assert_true (unfreeze_reveal_model_step (reveal, 0));
  g_assert_cmpuint (mirror.n_signals, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), <=, 8);
  assert_prefix_of (&mirror, G_LIST_MODEL (store), g_list_model_get_n_items (G_LIST_MODEL (reveal)));

  /* Cheap steps double: 100,000 items take a few dozen steps, not thousands. */
  first_signals = mirror.n_signals;
  settle (reveal);
  g_assert_cmpuint (mirror.n_signals - first_signals, <, 40);
  assert_prefix_of (&mirror, G_LIST_MODEL (store), 100000);
  g_assert_cmpuint (mirror.max_added, <, 100000);

  g_clear_pointer (&mirror.items, g_ptr_array_unref);
  g_assert_finalize_object (reveal);
  g_assert_finalize_object (store);
}

static void
test_replace_takes_old_rows_away_first (void)
{
  UnfreezeRevealModel *reveal = unfreeze_reveal_model_new ();
  GListStore *first = new_store (50);
  GListStore *second = new_store (30);
  Mirror mirror;
  guint n;

  mirror_init (&mirror, G_LIST_MODEL (reveal));
  unfreeze_reveal_model_set_model (reveal, G_LIST_MODEL (first));
  /* Nothing shown yet: nothing to clear. */
  g_assert_false (unfreeze_reveal_model_is_clearing (reveal));
  settle (reveal);
  assert_prefix_of (&mirror, G_LIST_MODEL (first), 50);

  /* The old rows go from the end, a step at a time; no new row mixes in. */
  unfreeze_reveal_model_set_model (reveal, G_LIST_MODEL (second));
  g_assert_true (unfreeze_reveal_model_get_model (reveal) == G_LIST_MODEL (second));
  g_assert_false (unfreeze_reveal_model_is_settled (reveal));
  g_assert_true (unfreeze_reveal_model_is_clearing (reveal));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, 50);
  g_assert_true (unfreeze_reveal_model_step (reveal, 0));
  n = g_list_model_get_n_items (G_LIST_MODEL (reveal));
  g_assert_cmpuint (n, <, 50);
  g_assert_cmpuint (n, >, 0);
  assert_prefix_of (&mirror, G_LIST_MODEL (first), n);

  /* The call whose step takes the last old row away stops there, whatever its budget: the
   * new rows begin at the next call. */
  while (unfreeze_reveal_model_is_clearing (reveal))
    g_assert_true (unfreeze_reveal_model_step (reveal, G_USEC_PER_SEC));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, 0);
  g_assert_true (unfreeze_reveal_model_get_model (reveal) == G_LIST_MODEL (second));

  /* The old model goes after the step, when the main loop is idle: letting go of a
   * million rows takes a while. */
  g_object_add_weak_pointer (G_OBJECT (first), (gpointer *) &first);
  g_object_unref (first);
  settle (reveal);
  g_assert_false (unfreeze_reveal_model_is_clearing (reveal));
  assert_prefix_of (&mirror, G_LIST_MODEL (second), 30);
  g_assert_nonnull (first);
  release_old_models ();
  g_assert_null (first);

  /* Cleared: the table empties, in steps too. */
  unfreeze_reveal_model_set_model (reveal, NULL);
  g_assert_null (unfreeze_reveal_model_get_model (reveal));
  settle (reveal);
  g_assert_cmpuint (mirror.items->len, ==, 0);

  release_old_models ();
  g_clear_pointer (&mirror.items, g_ptr_array_unref);
  g_assert_finalize_object (reveal);
  g_assert_finalize_object (second);
}

static void
test_follows_source_changes (void)
{
  UnfreezeRevealModel *reveal = unfreeze_reveal_model_new ();
  GListStore *store = new_store (20);
  g_autoptr(GObject) extra = g_object_new (G_TYPE_OBJECT, NULL);
  Mirror mirror;

  mirror_init (&mirror, G_LIST_MODEL (reveal));
  unfreeze_reveal_model_set_model (reveal, G_LIST_MODEL (store));
  settle (reveal);

  /* Rows added at the end (the main-loop mode's model grows) are revealed by the steps. */
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GObject) item = g_object_new (G_TYPE_OBJECT, NULL);

      g_list_store_append (store, item);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, 20);
  g_assert_false (unfreeze_reveal_model_is_settled (reveal));
  settle (reveal);
  assert_prefix_of (&mirror, G_LIST_MODEL (store), 30);

  /* A change inside the shown rows is passed on at once. */
  g_list_store_remove (store, 3);
  assert_prefix_of (&mirror, G_LIST_MODEL (store), 29);
  g_list_store_insert (store, 5, extra);
  assert_prefix_of (&mirror, G_LIST_MODEL (store), 30);
  g_assert_true (unfreeze_reveal_model_is_settled (reveal));

  /* The same model again changes nothing. */
  mirror.n_signals = 0;
  unfreeze_reveal_model_set_model (reveal, G_LIST_MODEL (store));
  g_assert_true (unfreeze_reveal_model_is_settled (reveal));
  g_assert_cmpuint (mirror.n_signals, ==, 0);

  g_clear_pointer (&mirror.items, g_ptr_array_unref);
  g_assert_finalize_object (reveal);
  /* The source lives on, without our handler. */
  g_list_store_remove (store, 0);
  g_assert_finalize_object (store);
}

/* Taking rows away: only those the view asked for (the ones with widgets) go in batches. */
static void
test_removal_jumps_rows_without_widgets (void)
{
  UnfreezeRevealModel *reveal = unfreeze_reveal_model_new ();
  GListStore *store = new_store (100000);
  GListModel *model = G_LIST_MODEL (reveal);

  unfreeze_reveal_model_set_model (reveal, G_LIST_MODEL (store));
  settle (reveal);

  /* A view scrolled to the middle has widgets for items 500..519 only. */
  for (guint i = 500; i < 520; i++)
    g_object_unref (g_list_model_get_item (model, i));

  unfreeze_reveal_model_set_model (reveal, NULL);
  /* Everything past the widgets goes in one step, ... */
  g_assert_true (unfreeze_reveal_model_step (reveal, 0));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 520);
  /* ... the widgets' rows a few at a time, ... */
  g_assert_true (unfreeze_reveal_model_step (reveal, 0));
  g_assert_cmpuint (g_list_model_get_n_items (model), >=, 512);
  g_assert_cmpuint (g_list_model_get_n_items (model), <, 520);
  while (g_list_model_get_n_items (model) > 500)
    g_assert_true (unfreeze_reveal_model_step (reveal, 0));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 500);
  /* ... and those before them in one step again. */
  g_assert_false (unfreeze_reveal_model_step (reveal, 0));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_true (unfreeze_reveal_model_is_settled (reveal));

  release_old_models ();
  g_assert_finalize_object (reveal);
  g_assert_finalize_object (store);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *n_notify)
{
  (*n_notify)++;
}

static void
test_property_and_budget (void)
{
  UnfreezeRevealModel *reveal = unfreeze_reveal_model_new ();
  GListStore *store = new_store (1000);
  guint n_notify = 0;

  g_signal_connect (reveal, "notify::model", G_CALLBACK (count_notify_cb), &n_notify);

  g_object_set (reveal, "model", store, NULL);
  g_assert_cmpuint (n_notify, ==, 1);

  /* A generous budget takes everything in one call. */
  g_assert_false (unfreeze_reveal_model_step (reveal, 10 * G_USEC_PER_SEC));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, 1000);

  /* Setting the same model notifies nothing. */
  unfreeze_reveal_model_set_model (reveal, G_LIST_MODEL (store));
  g_assert_cmpuint (n_notify, ==, 1);

  g_assert_finalize_object (reveal);
  g_assert_finalize_object (store);
}

/* The budget follows what whole frames cost: less after a dear frame, more after a cheap
 * one, in proportion, within its bounds, whatever the step itself took. */
static void
test_budget_follows_frames (void)
{
  gint64 budget = 4000;

  /* A frame of 8 ms, a third over the 6 ms aimed at: a quarter less. */
  budget = unfreeze_reveal_model_next_budget (budget, 8000);
  g_assert_cmpint (budget, ==, 3000);
  /* Then 6 ms, just right: it stays. */
  g_assert_cmpint (unfreeze_reveal_model_next_budget (budget, 6000), ==, 3000);
  /* A cheap frame lets it grow, never past 4 ms. */
  g_assert_cmpint (unfreeze_reveal_model_next_budget (budget, 5000), ==, 3600);
  g_assert_cmpint (unfreeze_reveal_model_next_budget (budget, 1000), ==, 4000);
  /* A frame of 200 ms (a busy machine) does not stop the rows: at least 1.5 ms. */
  g_assert_cmpint (unfreeze_reveal_model_next_budget (budget, 200000), ==, 1500);
  /* A frame the clock says took nothing (it cannot be judged): the full budget. */
  g_assert_cmpint (unfreeze_reveal_model_next_budget (1500, 0), ==, 4000);
}

int
main (int   argc,
      char *argv[])
{
  unfreeze_test_init (&argc, &argv);

  g_test_add_func ("/unfreeze/RevealModel/growing-steps", test_reveal_in_growing_steps);
  g_test_add_func ("/unfreeze/RevealModel/replace", test_replace_takes_old_rows_away_first);
  g_test_add_func ("/unfreeze/RevealModel/source-changes", test_follows_source_changes);
  g_test_add_func ("/unfreeze/RevealModel/removal-jumps", test_removal_jumps_rows_without_widgets);
  g_test_add_func ("/unfreeze/RevealModel/property-and-budget", test_property_and_budget);
  g_test_add_func ("/unfreeze/RevealModel/budget-follows-frames", test_budget_follows_frames);

  return g_test_run ();
}
