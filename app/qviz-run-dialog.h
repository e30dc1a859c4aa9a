/* qviz-run-dialog.h: what a new sweep measures. */
#pragma once

#include <adwaita.h>

#include "qviz-window.h"

G_BEGIN_DECLS

/* A modal window over window editing the sweep settings in settings; Start
 * saves them and activates win.start-sweep. */
GtkWindow *qviz_run_dialog_new (QvizWindow *window,
                                GSettings  *settings,
                                const char *model_name,
                                const char *calibration);

G_END_DECLS
