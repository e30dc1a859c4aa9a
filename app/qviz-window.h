/* qviz-window.h: the main window -- a model's sweeps and their charts. */
#pragma once

#include <adwaita.h>

#include "qviz-application.h"

G_BEGIN_DECLS

#define QVIZ_TYPE_WINDOW (qviz_window_get_type ())
G_DECLARE_FINAL_TYPE (QvizWindow, qviz_window, QVIZ, WINDOW, AdwApplicationWindow)

/* Opens the store at db_path (NULL: the GSettings database-path, else the
 * default file) and shows model_spec (NULL: the last model used). */
QvizWindow *qviz_window_new        (QvizApplication *application,
                                    const char      *db_path,
                                    const char      *model_spec);
/* Shows a built-in model (by name) or an ONNX file (by path). */
void        qviz_window_open_model (QvizWindow      *self,
                                    const char      *model_spec);
/* Shows a toast with message. */
void        qviz_window_toast      (QvizWindow      *self,
                                    const char      *message);
/* Shows a toast with message and an Open button that opens path. */
void        qviz_window_toast_saved (QvizWindow     *self,
                                     const char     *message,
                                     const char     *path);

G_END_DECLS
