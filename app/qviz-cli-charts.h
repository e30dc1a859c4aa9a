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

G_END_DECLS
