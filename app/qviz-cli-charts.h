/* qviz-cli-charts.h: charts of stored runs written to files. */
#pragma once

#include <glib.h>
#include "qviz-store.h"

G_BEGIN_DECLS

/* Writes chart ("curves", "flame", "breakdown" or "report") of a sweep (or
 * of the sweep a run belongs to) to path; the format follows the extension
 * (.png, .svg, .pdf).  width/height 0 pick the chart's default size. */
gboolean qviz_cli_export_chart (QvizStore *store, const QvizSweep *sweep, const QvizRun *run,
                                const char *chart, const char *path, int width, int height,
                                GError **error);

/* FALSE with an error naming path unless it ends in .png, .svg or .pdf:
 * lets a command refuse a bad file name before any work. */
gboolean qviz_cli_check_chart_path (const char *path, GError **error);

/* Writes the compare view of two sets of runs to path: chart "curves" (both
 * sweeps on one chart), "flame" (differential flame chart), "table" (the
 * most changed layers) or "report" (all of them on one page).  The flame
 * chart and the table show the largest configuration measured on both
 * sides.  comparisons holds QvizRunComparison, one per matched pair. */
gboolean qviz_cli_export_compare (QvizStore *store, GPtrArray *runs_a, const char *label_a,
                                  GPtrArray *runs_b, const char *label_b,
                                  GPtrArray *comparisons, const char *chart, const char *path,
                                  int width, int height, GError **error);

G_END_DECLS
