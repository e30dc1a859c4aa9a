/* qviz-application.h: the GTK application -- command line, app actions,
 * preferences, shortcuts and about. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define QVIZ_TYPE_APPLICATION (qviz_application_get_type ())
G_DECLARE_FINAL_TYPE (QvizApplication, qviz_application, QVIZ, APPLICATION, AdwApplication)

QvizApplication *qviz_application_new          (void);
/* Sets the locale and binds the message catalogue: from QVIZ_LOCALEDIR in
 * the environment when set (a build tree's po/), else the installed one. */
void             qviz_application_init_i18n    (void);
/* The org.qviz.Qviz settings shared by every window. */
GSettings       *qviz_application_get_settings (QvizApplication *self);

G_END_DECLS
