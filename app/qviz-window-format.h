/* qviz-window-format.h: how the window and its pages write times, sizes
 * and sweeps, and the widgets they share, so that every page says the
 * same thing the same way. */
#pragma once

#include <gtk/gtk.h>

#include "qviz-store.h"

G_BEGIN_DECLS

/* Names, kernels and hostnames longer than this are cut for display:
 * a database may hold megabyte-long strings, which labels lay out slowly. */
#define QVIZ_WINDOW_MAX_TEXT 1024

/* One configuration of a sweep: its runs share it, one per precision. */
typedef struct {
  int height, width, threads;
} QvizWindowConfig;

/* The run of runs (QvizRun *) with this configuration and precision, or
 * NULL. */
const QvizRun *qviz_window_config_run       (GPtrArray              *runs,
                                             const QvizWindowConfig *config,
                                             const char             *precision);

/* Makes a drop-down of long names (configurations, sweeps), one a
 * template made, show them without setting the page's width. */
void         qviz_window_choice_setup       (GtkDropDown *dropdown);
char        *qviz_window_format_time        (gint64 unix_us);
char        *qviz_window_format_ms          (double ms);
char        *qviz_window_format_resolutions (const char *text);
char        *qviz_window_format_list        (const char *text);
char        *qviz_window_format_sweep_line  (const QvizSweep *sweep);
/* Removes every row of list. */
void         qviz_window_clear_list_box     (GtkListBox *list);
const char  *qviz_window_sweep_status_label (const QvizSweep *sweep);

G_END_DECLS
