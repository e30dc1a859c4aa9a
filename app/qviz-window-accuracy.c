/* qviz-window-accuracy.c: the Accuracy page, the low-SQNR banner and
 * "Run with this layer in float" from the Layers table. */

#include "qviz-config.h"

#include <glib/gi18n.h>

#include "qviz-run-dialog.h"
#include "qviz-window-private.h"

static void
on_accuracy_run (QvizWindow *self)
{
  qviz_sqnr_banner_set_run (self->sqnr_banner, qviz_accuracy_page_get_run (self->accuracy));
}

static const QvizRun *
find_run (QvizWindow *self,
          const char *uuid)
{
  for (guint i = 0; uuid != NULL && self->runs != NULL && i < self->runs->len; i++)
    if (g_strcmp0 (((QvizRun *) g_ptr_array_index (self->runs, i))->uuid, uuid) == 0)
      return g_ptr_array_index (self->runs, i);
  return NULL;
}

static void
on_table_keep_float (QvizWindow     *self,
                     const char     *layer,
                     QvizLayerTable *table)
{
  qviz_window_run_keep_float (self, find_run (self, qviz_layer_table_get_int8_run_uuid (table)), layer);
}

static void
on_page_keep_float (QvizWindow       *self,
                    const char       *layer,
                    QvizAccuracyPage *page)
{
  qviz_window_run_keep_float (self, qviz_accuracy_page_get_run (page), layer);
}

void
qviz_window_connect_accuracy (QvizWindow *self)
{
  g_return_if_fail (QVIZ_IS_WINDOW (self));

  g_signal_connect_object (self->accuracy, "notify::run", G_CALLBACK (on_accuracy_run), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->accuracy, "keep-float-requested",
                           G_CALLBACK (on_page_keep_float), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (qviz_layers_page_get_table (self->layers), "keep-float-requested",
                           G_CALLBACK (on_table_keep_float), self, G_CONNECT_SWAPPED);
}

void
qviz_window_run_keep_float (QvizWindow    *self,
                            const QvizRun *run,
                            const char    *layer)
{
  GtkWindow *dialog;

  g_return_if_fail (QVIZ_IS_WINDOW (self));
  g_return_if_fail (layer != NULL);

  if (!g_action_group_get_action_enabled (G_ACTION_GROUP (self), "run"))
    {
      qviz_window_toast (self, qviz_window_is_running (self)
                                 ? _("A sweep is running; run the layer in float when it ends.")
                                 : _("This database cannot take a new sweep."));
      return;
    }
  dialog = qviz_run_dialog_new (self, self->settings, self->model_name, self->calibration);
  qviz_run_dialog_prefill (dialog, run, layer);
  gtk_window_present (dialog);
}
