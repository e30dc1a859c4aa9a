/* qviz-eta.h: how long the rest of a sweep will take.
 *
 * Configurations of one sweep differ a lot in cost: a pass at 1024x1024
 * takes sixteen times one at 256x256, while the warm loop of a small size
 * is held up by its minimum time.  The estimate keeps what each finished
 * configuration cost (its time apart from the warm loop, and its pass
 * time), and predicts each configuration still to run from the finished
 * one of the same precision and threads nearest in size: its plan time as
 * it was, the rest outside the warm loop scaled by the pixel ratio, plus a warm loop of the scaled
 * pass time held to the sweep's minimum passes and time.  Once two sizes
 * of that kind have finished, the rest and the pass time are a fixed part
 * plus a part per pixel, through those two.  Until one of the
 * same kind has finished, the nearest in size of the same precision, or of
 * any, stands in.
 */
#pragma once

#include <glib.h>
#include "qviz-run.h"
#include "qviz-sweep.h"

G_BEGIN_DECLS

typedef struct _QvizSweepEta QvizSweepEta;

/* config is read, not kept. */
QvizSweepEta *qviz_sweep_eta_new          (const QvizSweepConfig *config);
void          qviz_sweep_eta_free         (QvizSweepEta *eta);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizSweepEta, qviz_sweep_eta_free)

/* A configuration started (now, on the monotonic clock, in microseconds). */
void          qviz_sweep_eta_config_started (QvizSweepEta *eta, gint64 now_us);
/* It finished with run; now as above. */
void          qviz_sweep_eta_run_finished (QvizSweepEta *eta, const QvizRun *run,
                                           gint64 now_us);
/* Seconds until every configuration not finished yet is done; negative
 * when nothing has finished to estimate from. */
double        qviz_sweep_eta_remaining_s  (const QvizSweepEta *eta);

G_END_DECLS
