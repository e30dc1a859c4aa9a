/* qviz-axis.h: tick positions and value formatting for chart axes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

double  qviz_axis_nice_number      (double  x,
                                    gboolean round);
GArray *qviz_axis_ticks_linear     (double  lo,
                                    double  hi,
                                    guint   target_count,
                                    double *step);
void    qviz_axis_nice_range       (double  lo,
                                    double  hi,
                                    guint   target_count,
                                    double *nice_lo,
                                    double *nice_hi);
GArray *qviz_axis_ticks_log10      (double  lo,
                                    double  hi,
                                    guint   max_count);

char   *qviz_format_ms             (double  ms);
char   *qviz_format_ms_tick        (double  ms,
                                    double  step_ms);
char   *qviz_format_ns             (gint64  ns);

G_END_DECLS
