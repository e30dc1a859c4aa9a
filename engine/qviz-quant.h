/* qviz-quant.h: the quantization math of the int8 path.
 *
 * Activations are per-tensor asymmetric uint8: real = scale * (q - zero_point),
 * the representable range always containing real zero exactly.  Weights are
 * per-output-channel symmetric int8 in [-127, 127]: real = scale[oc] * w.
 * Biases are int32 in units of input_scale * weight_scale[oc], so that they
 * add straight into the accumulator; the accumulator is brought to the output
 * by one fp32 multiply with the requantization scale
 * input_scale * weight_scale[oc] / output_scale (see qvk-qu8.h).
 *
 * Calibration feeds every activation tensor of the float plan into a
 * QvizRangeObserver and turns the finished range into QvizQuantParams.
 */
#pragma once

#include <glib.h>
#include "qviz-graph.h"

G_BEGIN_DECLS

/* The smallest scale handed out: PyTorch's choice (float32 epsilon).  A
 * range narrower than 255 * this (e.g. a tensor that is all zeros) gets it,
 * so that a scale is never zero and never divides to infinity. */
#define QVIZ_QUANT_MIN_SCALE 1.1920928955078125e-07f

/* Params for a real range [min, max].  The range is first widened to
 * include 0 (so zero is exact and padding is free); scale =
 * (max - min) / 255, at least QVIZ_QUANT_MIN_SCALE; zero_point =
 * round(-min / scale) clamped to 0..255.  Non-finite bounds are taken as 0;
 * a reversed range is swapped.  The result is always valid. */
QvizQuantParams qviz_quant_params_from_range (float min, float max);

/* The real range a params covers: scale * (0 - zp) .. scale * (255 - zp). */
void        qviz_quant_params_range     (const QvizQuantParams *p,
                                         float *min, float *max);

/* Quantized bounds of a fused activation for an output with params p:
 * relu gives [zp, 255], clip [a, b] gives [q(a), q(b)] (rounded like
 * values, so clamping q equals quantizing the clamped real value), none
 * gives [0, 255].  Returns FALSE (bounds [0, 255]) for activations that are
 * not a clamp (hardswish, hardsigmoid, sigmoid: they need a lookup table). */
gboolean    qviz_quant_activation_bounds (const qvk_activation *act,
                                          const QvizQuantParams *p,
                                          int *out_min, int *out_max);

/* ---- calibration ------------------------------------------------------- */

typedef enum {
  QVIZ_CALIBRATION_MINMAX,      /* the exact extremes seen */
  QVIZ_CALIBRATION_PERCENTILE,  /* both tails clipped at a percentile */
  QVIZ_CALIBRATION_HISTOGRAM,   /* the range of least expected squared
                                   quantization error (rounding inside,
                                   clipping outside), as PyTorch's
                                   HistogramObserver */
} QvizCalibrationMethod;

const char *qviz_calibration_method_name  (QvizCalibrationMethod method);
/* "minmax", "percentile" or "histogram"; fails with a sentence naming the
 * value. */
gboolean    qviz_calibration_method_parse (const char *name,
                                           QvizCalibrationMethod *out,
                                           GError **error);

#define QVIZ_CALIBRATION_DEFAULT_PERCENTILE 99.99

typedef struct _QvizRangeObserver QvizRangeObserver;

/* percentile in (50, 100] is used by QVIZ_CALIBRATION_PERCENTILE only.
 * Each side of zero may give up (100 - percentile)% of all observed values:
 * the upper bound is the smallest that leaves at most that many values
 * above it, the lower bound the largest that leaves at most that many below
 * it.  Only the tail away from zero is clipped: a side with no values past
 * zero reports its observed extreme (e.g. the minimum of all-positive data),
 * which qviz_quant_params_from_range widens to 0 anyway.
 *
 * The percentile mode keeps a histogram per sign over log2(|x|) (64 bins per
 * octave over 2^-32 .. 2^40), so one pass suffices however the range grows
 * from batch to batch and a huge outlier costs no resolution near the bulk of
 * the values.  A bound is the upper edge of its bin (so at most 1/64 of the
 * value too wide, never narrower than asked), and never beyond the true
 * extreme.  Values with |x| < 2^-32 count as zero.
 *
 * The histogram mode keeps the same histogram and chooses, among the bin
 * edges, the bounds lo <= 0 <= hi that minimise the expected squared error
 * of 8-bit quantization over every value seen: (hi - lo)^2 / (12 * 255^2)
 * for each value inside (uniform rounding noise), (x - bound)^2 for each
 * value clipped (a value counted at its bin's middle).  The two bounds are
 * optimised in turn until neither moves. */
QvizRangeObserver *qviz_range_observer_new     (QvizCalibrationMethod method,
                                                double percentile);
void        qviz_range_observer_free   (QvizRangeObserver *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizRangeObserver, qviz_range_observer_free)

/* Promises that at most n_values values (finite or not) will be observed
 * in all, before the first is.  The percentile mode then stops counting a
 * value into the histogram once the values already counted above it are
 * more than the most the final bound can give up: it bins only the tail it
 * may still need, and observing costs little more than a min/max.  The
 * range is the same as without the promise.  Other modes ignore it. */
void        qviz_range_observer_expect  (QvizRangeObserver *o,
                                         guint64 n_values);
/* Non-finite values (NaN, +-inf) are skipped and counted apart. */
void        qviz_range_observer_observe (QvizRangeObserver *o,
                                         const float *x, gsize n);
guint64     qviz_range_observer_count   (const QvizRangeObserver *o);
guint64     qviz_range_observer_non_finite (const QvizRangeObserver *o);
/* Adds what `from` observed to `into` (same method and percentile): the
 * range is then the one a single observer of both observers' values finds,
 * in any order, when each was promised (if at all) the values of both.
 * Parts of one array observed on several threads are merged so. */
void        qviz_range_observer_merge   (QvizRangeObserver *into,
                                         const QvizRangeObserver *from);
/* The range so far; FALSE (and 0, 0) when no finite value was seen.  The
 * observer stays usable. */
gboolean    qviz_range_observer_finish  (const QvizRangeObserver *o,
                                         float *min, float *max);

/* ---- weights and bias --------------------------------------------------- */

/* scales[oc] = max |w[oc][*]| / 127 for weights [out_c][per_channel]; an
 * all-zero channel gets scale 1 (any positive scale represents it exactly,
 * and 1 keeps its bias from overflowing int32). */
void        qviz_quant_weight_scales   (const float *weights, int out_c,
                                        gsize per_channel, float *scales);

/* q[oc][i] = clamp(round_half_even(w / scales[oc]), -127, 127). */
void        qviz_quant_weights         (const float *weights, int out_c,
                                        gsize per_channel, const float *scales,
                                        gint8 *q);

/* q[oc] = round_half_even(bias[oc] / (input_scale * w_scales[oc])), computed
 * in double and saturated to the int32 range; bias NULL gives zeros.
 * Returns how many entries saturated (0 for any sane layer). */
guint       qviz_quant_bias            (const float *bias, int out_c,
                                        float input_scale, const float *w_scales,
                                        gint32 *q);

/* requant[oc] = input_scale * w_scales[oc] / output_scale, in double, then
 * rounded to float once. */
void        qviz_quant_requant_scales  (float input_scale, const float *w_scales,
                                        float output_scale, int out_c,
                                        float *requant);

/* ---- tensors ------------------------------------------------------------ */

/* With the kernels' definitions (qvk_qu8_quantize__scalar /
 * qvk_qu8_dequantize__scalar): q = clamp(lrintf(x / scale) + zp, 0, 255). */
void        qviz_quantize_tensor       (const QvizQuantParams *p, const float *x,
                                        gsize n, guint8 *q);
void        qviz_dequantize_tensor     (const QvizQuantParams *p, const guint8 *q,
                                        gsize n, float *x);

/* ---- error -------------------------------------------------------------- */

/* Reported when the result equals the reference (no noise at all). */
#define QVIZ_SQNR_MAX_DB 99.0

/* Signal-to-quantization-noise ratio in dB of x against the float
 * reference: 10 log10(sum ref^2 / sum (ref - x)^2), summed in double.  The
 * result is always finite and clamped to [-QVIZ_SQNR_MAX_DB,
 * QVIZ_SQNR_MAX_DB]: no noise (including n == 0) gives +99, a zero signal
 * with noise gives -99.  NaN only when a value of either input is not
 * finite -- a broken layer must not look like a good one. */
double      qviz_sqnr_db               (const float *reference, const float *x,
                                        gsize n);

/* The same measure summed piece by piece (any order, any split), so that
 * two large tensors are compared without a copy of either. */
typedef struct {
  double signal, noise;
  gboolean non_finite;
} QvizSqnrSum;

void        qviz_sqnr_sum_add          (QvizSqnrSum *sum, const float *reference,
                                        const float *x, gsize n);
double      qviz_sqnr_sum_db           (const QvizSqnrSum *sum);

/* qviz_sqnr_sum_add in two steps, so that several threads can take the
 * first: block_sums sums each block of QVIZ_SQNR_BLOCK values of a piece
 * (the last one shorter) on its own, into blocks[(n + QVIZ_SQNR_BLOCK - 1)
 * / QVIZ_SQNR_BLOCK]; sum_add_blocks adds them up in order.  Both steps
 * over a piece give the sum qviz_sqnr_sum_add gives, bit for bit. */
#define QVIZ_SQNR_BLOCK 1024

typedef struct {
  double signal, noise;
  gboolean non_finite;
} QvizSqnrBlock;

void        qviz_sqnr_block_sums       (const float *reference, const float *x, gsize n,
                                        QvizSqnrBlock *blocks);
void        qviz_sqnr_sum_add_blocks   (QvizSqnrSum *sum, const QvizSqnrBlock *blocks,
                                        gsize n_blocks);

G_END_DECLS
