/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Unfreeze-Mode"

#include "config.h"

#include "unfreeze-mode.h"

/* The order the window lists them in: from the mistake to the fix. */
static const UnfreezeMode * const all_modes[] = {
  &unfreeze_mode_blocking,
  &unfreeze_mode_thread,
  &unfreeze_mode_gtask,
  &unfreeze_mode_mainloop,
  &unfreeze_mode_sleep,
};

const UnfreezeMode * const *
unfreeze_modes_get_all (guint *n_modes)
{
  if (n_modes != NULL)
    *n_modes = G_N_ELEMENTS (all_modes);

  return all_modes;
}

const UnfreezeMode *
unfreeze_modes_lookup (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (all_modes); i++)
    {
      if (g_str_equal (all_modes[i]->id, id))
        return all_modes[i];
    }

  return NULL;
}

char *
unfreeze_modes_dup_ids (const char *separator)
{
  GString *ids = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (all_modes); i++)
    {
      if (i > 0)
        g_string_append (ids, separator);
      g_string_append (ids, all_modes[i]->id);
    }

  return g_string_free (ids, FALSE);
}
