/* qviz-bias-correction.h: taking the mean error of int8 weights out of the
 * bias.
 *
 * Rounding a convolution's weights to int8 moves each output channel by
 * sum (w - w_int8) x, whose mean over the calibration batch is not zero
 * wherever the inputs' mean is not (after hardswish, SiLU, ReLU: almost
 * everywhere).  Calibration records, for each convolution qviz quantizes
 * itself, the mean of its input under every kernel tap (zero padding
 * included, so that small feature maps are right at their borders); the
 * int8 plan adds the mean shift of its own rounded weights back to the
 * bias.  Models whose file gives the weight scales keep the file's bias.
 */
#pragma once

#include <glib.h>
#include "qviz-graph.h"
#include "qviz-plan.h"

G_BEGIN_DECLS

typedef struct _QvizTapMeans QvizTapMeans;

/* For the convolutions and dense layers of plan's graph (a float plan without fusion, as
 * calibration runs); NULL when the graph gives its weights' scales. */
QvizTapMeans *qviz_tap_means_new     (const QvizPlan *plan);
/* After layer ran in plan (a layer callback): a convolution's input is
 * still there and is added to its sums. */
void          qviz_tap_means_observe (QvizTapMeans *t, const QvizPlan *plan, int layer);
/* Stores each observed node's means in it (QvizConvAttrs.input_tap_mean,
 * QvizLinearAttrs.input_mean). */
void          qviz_tap_means_finish  (QvizTapMeans *t, QvizGraph *graph);
void          qviz_tap_means_free    (QvizTapMeans *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizTapMeans, qviz_tap_means_free)

/* Adds to bias[out_c] the mean of sum (w - scale * q) x over the
 * calibration batch, from c's input_tap_mean: w the (folded) float
 * weights in c's OHWI layout, q their int8 values, scales per output
 * channel.  Nothing when c has no means. */
void          qviz_bias_correct_conv (const QvizConvAttrs *c, const float *w,
                                      const float *scales, const gint8 *q, float *bias);

/* The same for a dense layer, from its input_mean: weights [out][in]. */
void          qviz_bias_correct_linear (const QvizLinearAttrs *a, const float *scales,
                                        const gint8 *q, float *bias);

/* The calibration cache: every convolution's and dense layer's means after the quantization
 * parameters, and back.  read returns FALSE, changing nothing, when the
 * bytes do not fit graph. */
void          qviz_tap_means_save    (const QvizGraph *graph, GByteArray *out);
gboolean      qviz_tap_means_restore (QvizGraph *graph, const guint8 *data, gsize size);

G_END_DECLS
