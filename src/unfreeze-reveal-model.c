/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GListModel that shows another one a little at a time, so a table never costs a frame.
 *
 * Why: GTK 4.8's list views make a row widget for up to 200 items as soon as the items
 * appear (GTK_LIST_VIEW_MAX_LIST_ITEMS). In the column view that is 200 rows × 7 labels,
 * made, bound and laid out in one go: about 55 ms on a machine without a GPU, three frames
 * missed for every result, in the very modes that are meant to be smooth. Replacing a
 * model destroys those 1,400 widgets in one go, too.
 *
 * So the view never sees a whole model change at once. This model exposes the first
 * n_shown items of its source and moves n_shown towards the source's size in steps, each
 * announced with items-changed: unfreeze_reveal_model_step() does as many steps as fit in
 * a time budget, and the window calls it once per frame (from a tick callback, before the
 * frame's layout). A step's size adapts to what the last one cost: the first rows, which
 * make widgets, come a few at a time; rows past the ones with widgets cost nothing and come
 * in doubling batches, so a million rows take a few dozen steps. A new source is not
 * swapped in at once either: the old rows are taken away from the end, and then the new
 * ones revealed. Only the rows that have widgets cost anything to take away, and those are
 * the ones the view asked for (get_item): the rest go in one step each side of them, the
 * ones the view asked for a batch at a time.
 *
 * The source's own changes inside the shown range are passed on at once (the demo's rows
 * only ever grow at the end, which is revealed in steps like the rest).
 */
#define G_LOG_DOMAIN "Unfreeze-Reveal"

#include "config.h"

#include "unfreeze-reveal-model.h"

#define FIRST_BATCH 4   /* items per step after a change of source */

/* What a frame that takes in rows may cost in all, and the bounds of a step's budget in it.
 * Just over a third of a 60 Hz frame: the rest is for the main loop's other work (a run's
 * sockets, the meter's heartbeat, the first frame of a run) and for a machine that is
 * briefly busy. Measured with the bench's GTask and main-loop scenarios (bench/README.md,
 * runs J and K): at 12 ms, frames that took in rows left the heartbeat 10-14 ms late, and
 * any more work in the same frame went past 16.7 ms; at 9 ms, some scenario still went past
 * it in three of the four runs that measured both modes; at 6 ms, in none of three (worst
 * 14.6 ms), and the table takes about 0.5 s to fill instead of 0.3 s. The floor keeps the table filling at a few
 * rows a frame when frames are dear for other reasons (a busy machine, a run's own work):
 * below it, 200 rows took seconds, and a run is held until its rows are in. The ceiling is
 * UNFREEZE_REVEAL_MODEL_BUDGET_MAX_US. */
#define FRAME_TARGET_US   6000

struct _UnfreezeRevealModel
{
  GObject     parent_instance;
  GListModel *shown;       /* whose first n_shown items are exposed; may be NULL */
  GListModel *next;        /* the model asked for, once the shown rows are taken away */
  gboolean    has_next;    /* next is wanted (it may be NULL: an empty table) */
  gulong      changed_id;  /* on shown */
  guint       n_shown;
  guint       batch;       /* items per step, adapted to what the last step cost */
  guint       asked_lo;    /* the positions the view has asked for (get_item): where the */
  guint       asked_hi;    /* row widgets are; asked_lo > asked_hi when none */
};

typedef enum {
  STEP_NONE,    /* nothing left to do */
  STEP_BATCH,   /* a batch of self->batch items at most, maybe with widgets */
  STEP_JUMP,    /* items the view never asked for, so without widgets: all at once */
} Step;

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void unfreeze_reveal_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (UnfreezeRevealModel, unfreeze_reveal_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      unfreeze_reveal_model_list_model_init))

static guint
source_n_items (GListModel *model)
{
  return model != NULL ? g_list_model_get_n_items (model) : 0;
}

/* The source changed. Inside the shown range the change is passed on at once (what follows
 * it in the range is announced again, which is always right); past it, step() reveals it. */
static void
shown_items_changed_cb (GListModel          *model,
                        guint                position,
                        guint                removed,
                        guint                added,
                        UnfreezeRevealModel *self)
{
  guint old_tail;
  guint kept;
  guint n_shown;

  if (position >= self->n_shown)
    return;

  old_tail = self->n_shown - position;
  kept = old_tail > removed ? old_tail - removed : 0;
  n_shown = MIN (g_list_model_get_n_items (model), position + added + kept);
  self->n_shown = n_shown;
  g_list_model_items_changed (G_LIST_MODEL (self), position, old_tail, n_shown - position);
}

static gboolean
release_cb (gpointer model)
{
  g_object_unref (model);

  return G_SOURCE_REMOVE;
}

static void
set_shown (UnfreezeRevealModel *self,
           GListModel          *model)
{
  GListModel *old = g_steal_pointer (&self->shown);

  g_assert (self->n_shown == 0);

  g_clear_signal_handler (&self->changed_id, old);
  self->shown = model != NULL ? g_object_ref (model) : NULL;
  /* Not in this step: the last reference to a million rows frees a million-row libpq
   * result, about 10 ms, which on top of the frame's own work missed a frame. Idle, after
   * the frame, it costs a frame nothing. */
  if (old != NULL)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, release_cb, old, NULL);
  if (model != NULL)
    self->changed_id = g_signal_connect (model, "items-changed",
                                         G_CALLBACK (shown_items_changed_cb), self);
  self->batch = FIRST_BATCH;
  self->asked_lo = G_MAXUINT;
  self->asked_hi = 0;
}

static void
unfreeze_reveal_model_dispose (GObject *object)
{
  UnfreezeRevealModel *self = (UnfreezeRevealModel *)object;

  g_clear_signal_handler (&self->changed_id, self->shown);
  g_clear_object (&self->shown);
  g_clear_object (&self->next);
  self->n_shown = 0;

  G_OBJECT_CLASS (unfreeze_reveal_model_parent_class)->dispose (object);
}

static void
unfreeze_reveal_model_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  UnfreezeRevealModel *self = UNFREEZE_REVEAL_MODEL (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, unfreeze_reveal_model_get_model (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
unfreeze_reveal_model_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  UnfreezeRevealModel *self = UNFREEZE_REVEAL_MODEL (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      unfreeze_reveal_model_set_model (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
unfreeze_reveal_model_class_init (UnfreezeRevealModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = unfreeze_reveal_model_dispose;
  object_class->get_property = unfreeze_reveal_model_get_property;
  object_class->set_property = unfreeze_reveal_model_set_property;

  /* The model the view is on its way to showing (all of it, once settled). */
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
unfreeze_reveal_model_init (UnfreezeRevealModel *self)
{
  self->batch = FIRST_BATCH;
  self->asked_lo = G_MAXUINT;
}

static GType
unfreeze_reveal_model_get_item_type (GListModel *model)
{
  return G_TYPE_OBJECT;
}

static guint
unfreeze_reveal_model_get_n_items (GListModel *model)
{
  return UNFREEZE_REVEAL_MODEL (model)->n_shown;
}

static gpointer
unfreeze_reveal_model_get_item (GListModel *model,
                                guint       position)
{
  UnfreezeRevealModel *self = UNFREEZE_REVEAL_MODEL (model);

  if (position >= self->n_shown)
    return NULL;

  /* A view asks for the items it makes row widgets for. */
  self->asked_lo = MIN (self->asked_lo, position);
  self->asked_hi = MAX (self->asked_hi, position);

  return g_list_model_get_item (self->shown, position);
}

static void
unfreeze_reveal_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = unfreeze_reveal_model_get_item_type;
  iface->get_n_items = unfreeze_reveal_model_get_n_items;
  iface->get_item = unfreeze_reveal_model_get_item;
}

UnfreezeRevealModel *
unfreeze_reveal_model_new (void)
{
  return g_object_new (UNFREEZE_TYPE_REVEAL_MODEL, NULL);
}

/**
 * unfreeze_reveal_model_set_model:
 * @model: (nullable): the model to show, or %NULL for none
 *
 * Asks for @model to be shown. Nothing changes before the next
 * unfreeze_reveal_model_step(), except that a model with nothing shown yet is taken at once.
 */
void
unfreeze_reveal_model_set_model (UnfreezeRevealModel *self,
                                 GListModel          *model)
{
  g_return_if_fail (UNFREEZE_IS_REVEAL_MODEL (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (model == unfreeze_reveal_model_get_model (self))
    return;

  if (self->n_shown == 0)
    {
      self->has_next = FALSE;
      g_clear_object (&self->next);
      set_shown (self, model);
    }
  else
    {
      /* The last rows shown are the ones with widgets: take them away gently. */
      self->has_next = TRUE;
      self->batch = FIRST_BATCH;
      g_set_object (&self->next, model);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

/**
 * unfreeze_reveal_model_get_model:
 *
 * Returns: (transfer none) (nullable): the model last asked for, shown in full or not yet
 */
GListModel *
unfreeze_reveal_model_get_model (UnfreezeRevealModel *self)
{
  g_return_val_if_fail (UNFREEZE_IS_REVEAL_MODEL (self), NULL);

  return self->has_next ? self->next : self->shown;
}

/**
 * unfreeze_reveal_model_is_settled:
 *
 * Returns: whether every item of the model asked for is shown
 */
gboolean
unfreeze_reveal_model_is_settled (UnfreezeRevealModel *self)
{
  g_return_val_if_fail (UNFREEZE_IS_REVEAL_MODEL (self), TRUE);

  return !self->has_next && self->n_shown == source_n_items (self->shown);
}

/**
 * unfreeze_reveal_model_is_clearing:
 *
 * Returns: whether the rows shown are being taken away, before the model asked for is
 *   revealed
 */
gboolean
unfreeze_reveal_model_is_clearing (UnfreezeRevealModel *self)
{
  g_return_val_if_fail (UNFREEZE_IS_REVEAL_MODEL (self), FALSE);

  return self->has_next;
}

/* How many of the last shown items to take away in one step. Items past the last one the
 * view asked for, or before the first, have no widgets and go at once (a million rows
 * scrolled to the top: one step); the others go a batch at a time. */
static Step
plan_removal (UnfreezeRevealModel *self,
              guint               *n)
{
  if (self->asked_lo > self->asked_hi || self->n_shown <= self->asked_lo)
    {
      *n = self->n_shown;
      return STEP_JUMP;
    }
  if (self->n_shown > self->asked_hi + 1)
    {
      *n = self->n_shown - (self->asked_hi + 1);
      return STEP_JUMP;
    }
  *n = MIN (self->batch, self->n_shown - self->asked_lo);
  return STEP_BATCH;
}

/* One step towards the model asked for: take away old items from the end, or reveal the
 * next ones. */
static Step
take_one_step (UnfreezeRevealModel *self)
{
  guint target;
  guint n;
  Step step;

  if (self->has_next)
    {
      step = plan_removal (self, &n);
      self->n_shown -= n;
      g_list_model_items_changed (G_LIST_MODEL (self), self->n_shown, n, 0);
      if (self->n_shown == 0)
        {
          g_autoptr(GListModel) next = g_steal_pointer (&self->next);

          self->has_next = FALSE;
          set_shown (self, next);
        }
      return step;
    }

  target = source_n_items (self->shown);
  if (self->n_shown >= target)
    return STEP_NONE;

  n = MIN (self->batch, target - self->n_shown);
  self->n_shown += n;
  g_list_model_items_changed (G_LIST_MODEL (self), self->n_shown - n, 0, n);
  return STEP_BATCH;
}

/**
 * unfreeze_reveal_model_step:
 * @budget_us: how long the steps may take, in microseconds
 *
 * Takes steps towards the model asked for until the budget is spent (at least one step,
 * however long it takes), or until the old rows are all taken away: revealing the new ones
 * starts with the next call. Each step is one items-changed; its size grows while steps are
 * cheap and shrinks when one takes more than half the budget.
 *
 * Returns: %TRUE if there is more to do (call again at the next frame)
 */
gboolean
unfreeze_reveal_model_step (UnfreezeRevealModel *self,
                            gint64               budget_us)
{
  gint64 start;

  g_return_val_if_fail (UNFREEZE_IS_REVEAL_MODEL (self), FALSE);

  start = g_get_monotonic_time ();
  for (;;)
    {
      gint64 step_start = g_get_monotonic_time ();
      gboolean was_clearing = self->has_next;
      gint64 cost;
      Step step = take_one_step (self);

      if (step == STEP_NONE)
        return FALSE;

      /* The old rows are gone: the new ones wait for the next call. A view hidden while it
       * clears (see unfreeze-window.c) is shown again first, and the rows it would make
       * widgets for now, unseen and cheaply, would all be laid out in its first frame. */
      if (was_clearing && !self->has_next)
        break;

      cost = g_get_monotonic_time () - step_start;
      if (step == STEP_JUMP)
        ;   /* says nothing about what a batch costs */
      else if (cost < budget_us / 8 && self->batch <= G_MAXUINT / 2)
        self->batch *= 2;
      else if (cost > budget_us / 2)
        self->batch = MAX (1, self->batch / 2);

      /* Stop when the next step, if it costs what this one did, would end past the budget. */
      if (g_get_monotonic_time () - start + cost >= budget_us)
        break;
    }

  return !unfreeze_reveal_model_is_settled (self);
}

/**
 * unfreeze_reveal_model_next_budget:
 * @budget_us: the budget the last frame's unfreeze_reveal_model_step() had
 * @frame_us: what that whole frame cost, from its tick until it was drawn
 *
 * The rows a step takes in cost more after it than in it: the frame lays them out and draws
 * them. So the budget follows the whole frame: it shrinks when a frame cost more than 6 ms
 * (FRAME_TARGET_US, a bit over a third of a 60 Hz frame) and grows back when it cost less, in
 * proportion, within 1.5 to 4 ms.
 *
 * Returns: the budget for the next frame's step
 */
gint64
unfreeze_reveal_model_next_budget (gint64 budget_us,
                                   gint64 frame_us)
{
  gint64 next;

  if (frame_us <= 0)
    return UNFREEZE_REVEAL_MODEL_BUDGET_MAX_US;

  next = budget_us * FRAME_TARGET_US / frame_us;

  return CLAMP (next, UNFREEZE_REVEAL_MODEL_BUDGET_MIN_US, UNFREEZE_REVEAL_MODEL_BUDGET_MAX_US);
}
