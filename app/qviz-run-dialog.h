/* qviz-run-dialog.h: what a new sweep measures. */
#pragma once

#include <adwaita.h>

#include "qviz-run.h"
#include "qviz-window.h"

G_BEGIN_DECLS

/* A modal window over window editing the sweep settings in settings; Start
 * saves them and starts a sweep with them and the options of this sweep
 * only (kernels, ISA, warm-up passes, layers kept in float). */
GtkWindow *qviz_run_dialog_new (QvizWindow *window,
                                GSettings  *settings,
                                const char *model_name,
                                const char *calibration);

/* Fills the dialog for another run of run's configuration (its size,
 * threads, kernels and ISA; run may be NULL), in int8 only, with the
 * layers keep_float (comma-separated) kept in float. */
void        qviz_run_dialog_prefill        (GtkWindow     *dialog,
                                            const QvizRun *run,
                                            const char    *keep_float);
const char *qviz_run_dialog_get_keep_float (GtkWindow     *dialog);
void        qviz_run_dialog_set_keep_float (GtkWindow     *dialog,
                                            const char    *layers);
/* Sets the kernels row ("auto" or "im2col"), the highest ISA (a level
 * name up to this machine's; NULL: its best) and the warm-up passes;
 * FALSE, with nothing changed, for a value the dialog does not offer. */
gboolean    qviz_run_dialog_set_kernels    (GtkWindow     *dialog,
                                            const char    *conv_algo,
                                            const char    *isa,
                                            int            warmup);
/* What Start does: checks every field and starts the sweep (TRUE, the
 * dialog closes), or shows what is wrong (FALSE; see get_message). */
gboolean    qviz_run_dialog_start          (GtkWindow     *dialog);
/* The last message the dialog showed, or NULL. */
const char *qviz_run_dialog_get_message    (GtkWindow     *dialog);

G_END_DECLS
