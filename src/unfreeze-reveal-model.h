/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeRevealModel: shows another GListModel a step at a time, within a budget per frame.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define UNFREEZE_TYPE_REVEAL_MODEL (unfreeze_reveal_model_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeRevealModel, unfreeze_reveal_model, UNFREEZE, REVEAL_MODEL, GObject)

UnfreezeRevealModel *unfreeze_reveal_model_new          (void);
void                 unfreeze_reveal_model_set_model    (UnfreezeRevealModel *self,
                                                         GListModel          *model);
GListModel          *unfreeze_reveal_model_get_model    (UnfreezeRevealModel *self);
gboolean             unfreeze_reveal_model_step         (UnfreezeRevealModel *self,
                                                         gint64               budget_us);
gboolean             unfreeze_reveal_model_is_settled   (UnfreezeRevealModel *self);
gboolean             unfreeze_reveal_model_is_clearing  (UnfreezeRevealModel *self);

/* The most a step may spend in a frame, and the budget a window starts with; the least,
 * and the budget of the first frame of a new result. */
#define UNFREEZE_REVEAL_MODEL_BUDGET_MAX_US 4000
#define UNFREEZE_REVEAL_MODEL_BUDGET_MIN_US 1500

gint64               unfreeze_reveal_model_next_budget  (gint64               budget_us,
                                                         gint64               frame_us);

G_END_DECLS
