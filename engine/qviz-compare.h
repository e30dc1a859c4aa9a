/* qviz-compare.h: two runs (or two sweeps) side by side, layer by layer.
 *
 * Layers are matched by name.  Each matched layer gets its time in A and B
 * (medians of the warm passes), the ratio B/A, a bootstrap confidence
 * interval of the difference of medians and a Mann-Whitney p-value from the
 * recorded per-pass samples.  A change is significant when the interval
 * excludes zero, p < 0.01 and the medians differ by more than 3%: timing
 * noise on a busy machine is rarely smaller.  Layers whose ratio departs most
 * from the whole model's are flagged, and so are changes of kernel.
 */
#pragma once

#include <glib.h>
#include "qviz-run.h"
#include "qviz-store.h"

G_BEGIN_DECLS

typedef struct {
  char *name;
  char *op;
  char *layer_class;
  gboolean depthwise, dilated;
  int index_a, index_b;      /* -1 when missing on that side */
  double a_ms, b_ms;         /* medians */
  double ratio;              /* b / a */
  double diff_lo, diff_hi;   /* 95% interval of b - a, ms */
  double p_value;
  gboolean significant;
  gboolean outlier;          /* ratio departs most from the model's */
  char *kernel_a, *kernel_b;
  gboolean kernel_changed;
} QvizLayerDelta;

typedef struct {
  const QvizRun *a, *b;      /* borrowed */
  double ratio;              /* whole model, b / a */
  double p_value;
  gboolean significant;
  /* So few warm passes on a side that no difference, however large, could
   * pass the test (3 and 3 passes: at best p = 0.1): not "within noise"
   * but "cannot tell". */
  gboolean too_few_passes;
  GArray *layers;            /* QvizLayerDelta, in B's order, then A-only */
  guint n_significant;
} QvizRunComparison;

QvizRunComparison *qviz_compare_runs       (const QvizRun *a, const QvizRun *b);
void               qviz_run_comparison_free (QvizRunComparison *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizRunComparison, qviz_run_comparison_free)

/* Pairs of runs of two sweeps with the same precision, size and threads
 * (QvizRun * pairs in one array: a0, b0, a1, b1, ...), borrowed from the
 * two arrays. */
GPtrArray         *qviz_compare_match_runs (GPtrArray *runs_a, GPtrArray *runs_b);

/* Writes the comparisons as CSV (one row per layer per matched pair). */
gboolean           qviz_compare_write_csv  (GPtrArray *comparisons, const char *path,
                                            GError **error);

G_END_DECLS
