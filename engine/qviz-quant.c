/* qviz-quant.c: quantization parameters, calibration observers, weight and
 * bias quantization, and the SQNR of a quantized result. */
#include "qviz-quant.h"

#include <math.h>
#include <string.h>

#include "qvk-qu8.h"

/* ---- activation params ---------------------------------------------------- */

static float
finite_or_zero (float v)
{
  return isfinite (v) ? v : 0.0f;
}

QvizQuantParams
qviz_quant_params_from_range (float min, float max)
{
  QvizQuantParams p = { TRUE, 1.0f, 0 };
  double lo, hi, scale, zp;

  min = finite_or_zero (min);
  max = finite_or_zero (max);
  if (min > max)
    {
      float t = min;
      min = max;
      max = t;
    }
  /* Zero must be exact: padding and relu both produce it. */
  lo = MIN ((double) min, 0.0);
  hi = MAX ((double) max, 0.0);

  scale = (hi - lo) / 255.0;
  if (!(scale >= QVIZ_QUANT_MIN_SCALE))
    scale = QVIZ_QUANT_MIN_SCALE;
  p.scale = (float) scale;

  zp = nearbyint (-lo / (double) p.scale);
  p.zero_point = (int) CLAMP (zp, 0.0, 255.0);
  return p;
}

void
qviz_quant_params_range (const QvizQuantParams *p, float *min, float *max)
{
  g_return_if_fail (p != NULL);

  if (min != NULL)
    *min = p->scale * (float) (0 - p->zero_point);
  if (max != NULL)
    *max = p->scale * (float) (255 - p->zero_point);
}

static int
quantize_bound (float v, const QvizQuantParams *p)
{
  double q = nearbyint ((double) v / (double) p->scale);
  q = CLAMP (q, -1024.0, 1024.0);
  return CLAMP ((int) q + p->zero_point, 0, 255);
}

gboolean
qviz_quant_activation_bounds (const qvk_activation *act,
                              const QvizQuantParams *p,
                              int *out_min, int *out_max)
{
  int lo = 0, hi = 255;
  gboolean is_clamp = TRUE;

  g_return_val_if_fail (p != NULL, FALSE);

  if (act != NULL)
    switch (act->kind)
      {
      case QVK_ACT_NONE:
        break;
      case QVK_ACT_RELU:
        lo = p->zero_point;
        break;
      case QVK_ACT_CLIP:
        lo = quantize_bound (act->min, p);
        hi = quantize_bound (act->max, p);
        if (lo > hi)
          lo = hi;
        break;
      case QVK_ACT_HARDSWISH:
      case QVK_ACT_HARDSIGMOID:
      case QVK_ACT_SIGMOID:
      default:
        is_clamp = FALSE;
        break;
      }

  if (out_min != NULL)
    *out_min = lo;
  if (out_max != NULL)
    *out_max = hi;
  return is_clamp;
}

/* ---- calibration method --------------------------------------------------- */

const char *
qviz_calibration_method_name (QvizCalibrationMethod method)
{
  switch (method)
    {
    case QVIZ_CALIBRATION_MINMAX:
      return "minmax";
    case QVIZ_CALIBRATION_PERCENTILE:
      return "percentile";
    case QVIZ_CALIBRATION_HISTOGRAM:
      return "histogram";
    }
  return "unknown";
}

gboolean
qviz_calibration_method_parse (const char *name, QvizCalibrationMethod *out,
                               GError **error)
{
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name != NULL && g_ascii_strcasecmp (name, "minmax") == 0)
    *out = QVIZ_CALIBRATION_MINMAX;
  else if (name != NULL && g_ascii_strcasecmp (name, "percentile") == 0)
    *out = QVIZ_CALIBRATION_PERCENTILE;
  else if (name != NULL && g_ascii_strcasecmp (name, "histogram") == 0)
    *out = QVIZ_CALIBRATION_HISTOGRAM;
  else
    {
      g_set_error (error, QVIZ_ERROR, QVIZ_ERROR_INVALID_ARGUMENT,
                   "Unknown calibration method “%s”: expected minmax, percentile or histogram.",
                   name != NULL ? name : "");
      return FALSE;
    }
  return TRUE;
}

/* ---- range observer ------------------------------------------------------- */

/* |x| = m * 2^e with m in [0.5, 1): octave e, and SUB bins linear in m. */
#define HIST_E_LO  (-31)          /* smallest octave: [2^-32, 2^-31) */
#define HIST_E_HI  40             /* largest octave: [2^39, 2^40) */
#define HIST_SUB   64
#define HIST_OCTAVES (HIST_E_HI - HIST_E_LO + 1)
#define HIST_BINS  (HIST_OCTAVES * HIST_SUB)

struct _QvizRangeObserver {
  QvizCalibrationMethod method;
  double percentile;
  guint64 count;        /* finite values */
  guint64 non_finite;
  float min, max;       /* exact extremes of the finite values */
  guint64 *hist[2];     /* [0] positive values, [1] |negative values| */
  guint32 *lanes;       /* during a long observe: LANES histograms, see there */
  guint64 expected;     /* values promised in all, 0 when not known */
  guint32 tail_bits[2]; /* per side, the bits of |x| from which a value is
                           counted into the histogram: 2^-32 at first, and
                           raised with a promise, see raise_tail */
};

/* The bits of 2^-32: smaller magnitudes count as zero. */
#define HIST_ZERO_BITS 0x2f800000u

QvizRangeObserver *
qviz_range_observer_new (QvizCalibrationMethod method, double percentile)
{
  QvizRangeObserver *o;

  g_return_val_if_fail (method == QVIZ_CALIBRATION_MINMAX ||
                        method == QVIZ_CALIBRATION_PERCENTILE ||
                        method == QVIZ_CALIBRATION_HISTOGRAM, NULL);
  g_return_val_if_fail (method != QVIZ_CALIBRATION_PERCENTILE ||
                        (percentile > 50.0 && percentile <= 100.0), NULL);

  o = g_new0 (QvizRangeObserver, 1);
  o->method = method;
  o->percentile = percentile;
  o->min = INFINITY;
  o->max = -INFINITY;
  o->tail_bits[0] = o->tail_bits[1] = HIST_ZERO_BITS;
  if (method != QVIZ_CALIBRATION_MINMAX)
    {
      o->hist[0] = g_new0 (guint64, HIST_BINS);
      o->hist[1] = g_new0 (guint64, HIST_BINS);
    }
  return o;
}

void
qviz_range_observer_free (QvizRangeObserver *o)
{
  if (o == NULL)
    return;
  g_free (o->hist[0]);
  g_free (o->hist[1]);
  g_free (o);
}

static double
hist_upper_edge (int bin)
{
  const int e = bin / HIST_SUB + HIST_E_LO;
  const int sub = bin % HIST_SUB;

  return ldexp (0.5 + (double) (sub + 1) / (2 * HIST_SUB), e);
}

/* The bin of a finite |x| >= 2^-32 from its bits: with |x| = m * 2^e and
 * m in [0.5, 1), a normal float's biased exponent and top six mantissa
 * bits are exactly the octave e and (m - 0.5) * 128, so no library call
 * is needed; octaves above the last go to the last bin. */
static inline int
hist_bin_of_bits (guint32 abs_bits)
{
  const int bin = (int) (abs_bits >> 17) - ((126 + HIST_E_LO) << 6);

  return bin < HIST_BINS ? bin : HIST_BINS - 1;
}

/* The bits of the lower edge of a bin. */
static inline guint32
hist_bin_low_bits (int bin)
{
  return (guint32) (bin + ((126 + HIST_E_LO) << 6)) << 17;
}

#define OBSERVE_BLOCK 1024

/* Whether the histogram only counts the tail, see raise_tail. */
static inline gboolean
counts_tail_only (const QvizRangeObserver *o)
{
  return o->expected > 0 && o->method == QVIZ_CALIBRATION_PERCENTILE;
}

/* One value into the histogram when it lies in its side's counted tail. */
static inline void
count_in_tail (QvizRangeObserver *o, guint32 bits)
{
  const guint32 side = bits >> 31, abs_bits = bits & 0x7fffffffu;

  if (abs_bits >= o->tail_bits[side])
    o->hist[side][hist_bin_of_bits (abs_bits)]++;
}

/* The bits of the lower edge of the bin above the one whose lower edge is
 * `bits`; past every finite float for the last bin, which takes all that
 * is larger. */
static inline guint32
next_bin_bits (guint32 bits)
{
  return hist_bin_of_bits (bits) >= HIST_BINS - 1 ? 0x7f800000u : bits + (1u << 17);
}

/* A finite block against the counted tails.  The lowest counted bin of a
 * side is often crowded (hardswish's minimum, -0.375, is where its
 * negative outputs pile up): values there are counted in vectors, and only
 * those above it, few once the tail has risen, one by one. */
static void
observe_tail_block (QvizRangeObserver *o, const float *x, gsize n)
{
  typedef gint32 ints4 __attribute__ ((vector_size (16)));
  /* As signed integers, a positive float's bits order like its value and
   * a negative one's like its magnitude, from the smallest integer up: each
   * range is two comparisons, a > b (which SSE2 has for 32-bit integers)
   * with a >= b as a > b - 1. */
  const gint32 pos_lo = (gint32) o->tail_bits[0] - 1;
  const gint32 pos_hi = (gint32) next_bin_bits (o->tail_bits[0]);
  const gint32 neg_lo = (gint32) (0x80000000u | o->tail_bits[1]) - 1;
  const gint32 neg_hi = (gint32) (0x80000000u | next_bin_bits (o->tail_bits[1]));
  const ints4 pos_from = { pos_lo, pos_lo, pos_lo, pos_lo };
  const ints4 pos_above = { pos_hi, pos_hi, pos_hi, pos_hi };
  const ints4 neg_from = { neg_lo, neg_lo, neg_lo, neg_lo };
  const ints4 neg_above = { neg_hi, neg_hi, neg_hi, neg_hi };
  const ints4 pos_above1 = pos_above - 1, neg_above1 = neg_above - 1;
  const ints4 zero = { 0, 0, 0, 0 };
  ints4 pos_low = zero, neg_low = zero; /* minus the counts in the lowest bins */
  gsize i = 0;

  for (; i + 16 <= n; i += 16)
    {
      ints4 bits[4], above[4], any;
      guint64 halves[2];

      for (int a = 0; a < 4; a++)
        {
          memcpy (&bits[a], x + i + 4 * a, sizeof bits[a]);
          pos_low += (bits[a] > pos_from) & (pos_above > bits[a]);
          neg_low += (bits[a] > neg_from) & (neg_above > bits[a]);
          above[a] = (bits[a] > pos_above1) | ((bits[a] > neg_above1) & (zero > bits[a]));
        }
      /* one look for sixteen values */
      any = above[0] | above[1] | above[2] | above[3];
      memcpy (halves, &any, sizeof halves);
      if ((halves[0] | halves[1]) == 0)
        continue;
      for (int a = 0; a < 4; a++)
        for (int l = 0; l < 4; l++)
          if (above[a][l])
            {
              const guint32 b = (guint32) bits[a][l];
              o->hist[b >> 31][hist_bin_of_bits (b & 0x7fffffffu)]++;
            }
    }
  o->hist[0][hist_bin_of_bits (o->tail_bits[0])] -=
    (guint64) (gint64) (pos_low[0] + pos_low[1] + pos_low[2] + pos_low[3]);
  o->hist[1][hist_bin_of_bits (o->tail_bits[1])] -=
    (guint64) (gint64) (neg_low[0] + neg_low[1] + neg_low[2] + neg_low[3]);
  for (; i < n; i++)
    {
      guint32 b;
      memcpy (&b, &x[i], sizeof b);
      count_in_tail (o, b);
    }
}

/* With a promise of at most `expected` values, the percentile bound gives
 * up at most budget = (100 - percentile)% of `expected` values per side.
 * Once the bins from some bin b up hold more than that, the bound's bin
 * is b or above whatever comes next: values below b's lower edge need not
 * be counted any more.  Bins from b up stay complete, so the bound is the
 * same as from a full histogram; bins below b are left as they are and
 * never read.  The tail only rises, and a side holds far more values than
 * its tail: after the first few thousand, about one value in a thousand is
 * counted. */
static void
raise_tail (QvizRangeObserver *o)
{
  const guint64 budget =
    (guint64) floor ((100.0 - o->percentile) / 100.0 * (double) o->expected);

  for (int side = 0; side < 2; side++)
    {
      const int from = hist_bin_of_bits (o->tail_bits[side]);
      const float extreme = side == 0 ? o->max : -o->min;
      guint32 extreme_bits;
      int top;
      guint64 above = 0;

      if (!(extreme >= 0x1p-32f))
        continue;   /* nothing counted on this side yet */
      /* the bins above the extreme's are empty */
      memcpy (&extreme_bits, &extreme, sizeof extreme_bits);
      top = hist_bin_of_bits (extreme_bits);
      for (int b = top; b > from; b--)
        {
          above += o->hist[side][b];
          if (above > budget)
            {
              o->tail_bits[side] = hist_bin_low_bits (b);
              break;
            }
        }
    }
}

/* Neighbouring activations often fall in the same bin, and an increment
 * of a counter must wait for the previous increment of that counter to be
 * stored: value i goes to histogram i % LANES instead, so that four
 * increments are under way at once, and without a branch (a value that
 * counts as zero adds 0 to a spare counter), since ReLU outputs mix zeros
 * and others unpredictably.  Each lane is [2][HIST_BINS] plus the spare. */
#define LANES 4
#define LANE_SIZE (2 * HIST_BINS + 1)

static inline void
observe_block_into_lanes (guint32 *lanes, const float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits, abs_bits, counted, slot;

      memcpy (&bits, &x[i], sizeof bits);
      abs_bits = bits & 0x7fffffffu;
      /* all ones when |x| >= 2^-32, from the sign of a difference: the
       * compiler turns a comparison here into a branch */
      counted = (guint32) ((gint32) (0x2f7fffffu - abs_bits) >> 31);
      slot = (bits >> 31) * HIST_BINS + (guint32) hist_bin_of_bits (abs_bits);
      slot = (slot & counted) | (2u * HIST_BINS & ~counted);
      lanes[(i % LANES) * LANE_SIZE + slot] += counted & 1u;
    }
}

static gboolean
block_is_finite (const float *x, gsize n)
{
  guint32 all_exp = 0;

  /* a float is finite unless its exponent bits are all ones */
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;

      memcpy (&bits, &x[i], sizeof bits);
      all_exp |= (guint32) ((bits & 0x7f800000u) == 0x7f800000u);
    }
  return all_exp == 0;
}

typedef float lanes4 __attribute__ ((vector_size (16)));
typedef gint32 mask4 __attribute__ ((vector_size (16)));

/* One step of running extremes mn and mx (vectors of type L, masks of
 * type M) over the next vector of values at src; non_finite collects the
 * lanes whose exponent bits are all ones (a float is finite unless they
 * are). */
/* The end of a block's extremes: FALSE if the values from i on hold a
 * NaN or an infinity; otherwise the sixteen running lanes (lane 4a + l of
 * four running extremes of four lanes, in that order) reduced, then the
 * values after the last whole sixteen, into *min and *max, and TRUE. */
static gboolean
extremes_finish (const float *lane_mn, const float *lane_mx, const float *x, gsize n,
                 gsize i, float *min, float *max)
{
  float mn = *min, mx = *max;

  for (; i < n; i++)
    if (!isfinite (x[i]))
      return FALSE;
  for (int k = 0; k < 16; k++)
    {
      mn = lane_mn[k] < mn ? lane_mn[k] : mn;
      mx = lane_mx[k] > mx ? lane_mx[k] : mx;
    }
  for (i = n - n % 16; i < n; i++)
    {
      mn = x[i] < mn ? x[i] : mn;
      mx = x[i] > mx ? x[i] : mx;
    }
  *min = mn;
  *max = mx;
  return TRUE;
}

#define EXTREMES_STEP(L, M, src, mn, mx, non_finite, exp_bits)                \
  do {                                                                        \
    L v_;                                                                     \
    M lower_, higher_;                                                        \
                                                                              \
    memcpy (&v_, (src), sizeof v_);                                           \
    (non_finite) |= ((M) v_ & (exp_bits)) == (exp_bits);                      \
    lower_ = v_ < (mn);                                                       \
    higher_ = v_ > (mx);                                                      \
    (mn) = (L) ((lower_ & (M) v_) | (~lower_ & (M) (mn)));                    \
    (mx) = (L) ((higher_ & (M) v_) | (~higher_ & (M) (mx)));                  \
  } while (0)

/* The extremes of a block into *min and *max and TRUE, or FALSE (and
 * nothing changed) when it holds a NaN or an infinity.  Sixteen values at a
 * time in four running extremes of four lanes each (16-byte vectors, which
 * SSE2 and NEON both have): a scalar reduction could not be vectorised, it
 * must keep IEEE order, and a single vector would wait for its previous
 * comparison at every step. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WIDE_EXTREMES 1

typedef float lanes16 __attribute__ ((vector_size (64)));
typedef gint32 mask16 __attribute__ ((vector_size (64)));

/* block_extremes below on a machine with AVX-512, its sixteen running
 * lanes in one vector: lane 4a + l is lane l of the a-th running extreme
 * there, and sees the same values, so that every comparison, and the
 * reduction at the end, is the same one for one. */
__attribute__ ((target ("avx512f,avx512dq"))) static gboolean
block_extremes_wide (const float *x, gsize n, float *min, float *max)
{
  const mask16 exp_bits = { 0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000,
                            0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000,
                            0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000,
                            0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000 };
  lanes16 mn16, mx16;
  mask16 non_finite = { 0 };
  float mn = *min, mx = *max;
  gsize i = 0;

  for (int k = 0; k < 16; k++)
    {
      mn16[k] = mn;
      mx16[k] = mx;
    }
  for (; i + 16 <= n; i += 16)
    EXTREMES_STEP (lanes16, mask16, x + i, mn16, mx16, non_finite, exp_bits);
  for (int k = 0; k < 16; k++)
    if (non_finite[k] != 0)
      return FALSE;
  {
    float lane_mn[16], lane_mx[16];
    memcpy (lane_mn, &mn16, sizeof lane_mn);
    memcpy (lane_mx, &mx16, sizeof lane_mx);
    return extremes_finish (lane_mn, lane_mx, x, n, i, min, max);
  }
}
#endif

static gboolean
block_extremes (const float *x, gsize n, float *min, float *max)
{
#ifdef WIDE_EXTREMES
  static gsize wide = 0;   /* 1 + whether the machine has AVX-512 F and DQ */

  if (g_once_init_enter (&wide))
    g_once_init_leave (&wide, 1 + (__builtin_cpu_supports ("avx512f") &&
                                   __builtin_cpu_supports ("avx512dq")));
  if (wide == 2)
    return block_extremes_wide (x, n, min, max);
#endif
  {
  const mask4 exp_bits = { 0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000 };
  lanes4 mn4[4], mx4[4];
  mask4 non_finite = { 0, 0, 0, 0 };
  float mn = *min, mx = *max;
  gsize i = 0;

  for (int a = 0; a < 4; a++)
    {
      mn4[a] = (lanes4) { mn, mn, mn, mn };
      mx4[a] = (lanes4) { mx, mx, mx, mx };
    }
  for (; i + 16 <= n; i += 16)
    for (int a = 0; a < 4; a++)
      EXTREMES_STEP (lanes4, mask4, x + i + 4 * a, mn4[a], mx4[a], non_finite, exp_bits);
  if ((non_finite[0] | non_finite[1] | non_finite[2] | non_finite[3]) != 0)
    return FALSE;
  {
    float lane_mn[16], lane_mx[16];
    memcpy (lane_mn, mn4, sizeof lane_mn);
    memcpy (lane_mx, mx4, sizeof lane_mx);
    return extremes_finish (lane_mn, lane_mx, x, n, i, min, max);
  }
  }
}

/* Whether every value from mn to mx is short of both counted tails. */
static inline gboolean
below_tails (const QvizRangeObserver *o, float mn, float mx)
{
  float pos_from, neg_from;

  memcpy (&pos_from, &o->tail_bits[0], sizeof pos_from);
  memcpy (&neg_from, &o->tail_bits[1], sizeof neg_from);
  return mx < pos_from && mn > -neg_from;
}

/* The histogram of one block without NaN or infinity, from the bits. */
static void
observe_finite_block (QvizRangeObserver *o, const float *x, gsize n)
{
  if (o->hist[0] == NULL)
    return;
  if (counts_tail_only (o))
    {
      observe_tail_block (o, x, n);
      return;
    }
  if (o->lanes != NULL)
    {
      observe_block_into_lanes (o->lanes, x, n);
      return;
    }
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;

      memcpy (&bits, &x[i], sizeof bits);
      if ((bits & 0x7fffffffu) >= 0x2f800000u) /* 2^-32 */
        o->hist[bits >> 31][hist_bin_of_bits (bits & 0x7fffffffu)]++;
    }
}

static void observe_blocks (QvizRangeObserver *o, const float *x, gsize n);

/* Below this many values the lanes cost more to clear and add up than
 * they save. */
#define LANES_MIN (1 << 15)
/* A lane counts at most this many values (/ LANES) between add-ups. */
#define LANES_MAX ((gsize) 1 << 31)

/* Values between two looks at the tail, see raise_tail. */
#define TAIL_STEP (16 * OBSERVE_BLOCK)

static void
observe_serial (QvizRangeObserver *o, const float *x, gsize n)
{
  if (o->hist[0] != NULL && counts_tail_only (o))
    {
      for (gsize start = 0; start < n; start += TAIL_STEP)
        {
          observe_blocks (o, x + start, MIN (TAIL_STEP, n - start));
          raise_tail (o);
        }
      return;
    }
  if (o->hist[0] == NULL || n < LANES_MIN)
    {
      observe_blocks (o, x, n);
      return;
    }
  o->lanes = g_new (guint32, LANES * LANE_SIZE);
  for (gsize start = 0; start < n; start += LANES_MAX)
    {
      memset (o->lanes, 0, LANES * LANE_SIZE * sizeof (guint32));
      observe_blocks (o, x + start, MIN (LANES_MAX, n - start));
      for (int l = 0; l < LANES; l++)
        for (int side = 0; side < 2; side++)
          for (int b = 0; b < HIST_BINS; b++)
            o->hist[side][b] += o->lanes[l * LANE_SIZE + side * HIST_BINS + b];
    }
  g_clear_pointer (&o->lanes, g_free);
}

static void
observe_blocks (QvizRangeObserver *o, const float *x, gsize n)
{
  for (gsize start = 0; start < n; start += OBSERVE_BLOCK)
    {
      const gsize len = MIN (OBSERVE_BLOCK, n - start);
      const float *b = x + start;

      float mn = INFINITY, mx = -INFINITY;

      if (block_extremes (b, len, &mn, &mx))
        {
          o->min = mn < o->min ? mn : o->min;
          o->max = mx > o->max ? mx : o->max;
          o->count += len;
          /* a block whose extremes both lie short of the counted tails
           * (most, once they have risen) has nothing to count there */
          if (counts_tail_only (o) && o->hist[0] != NULL && below_tails (o, mn, mx))
            continue;
          observe_finite_block (o, b, len);
          continue;
        }
      for (gsize i = 0; i < len; i++)
        {
          const float v = b[i];

          if (!isfinite (v))
            {
              o->non_finite++;
              continue;
            }
          o->count++;
          o->min = MIN (o->min, v);
          o->max = MAX (o->max, v);
          if (o->hist[0] != NULL)
            {
              guint32 bits;
              memcpy (&bits, &v, sizeof bits);
              count_in_tail (o, bits);
            }
        }
    }
}

void
qviz_range_observer_observe (QvizRangeObserver *o, const float *x, gsize n)
{
  g_return_if_fail (o != NULL);
  g_return_if_fail (x != NULL || n == 0);

  if (o->expected > 0 && o->count + o->non_finite + n > o->expected)
    g_critical ("%s: %" G_GUINT64_FORMAT " values observed, %" G_GUINT64_FORMAT
                " were promised; the range may be too narrow.", G_STRFUNC,
                o->count + o->non_finite + n, o->expected);
  observe_serial (o, x, n);
}

void
qviz_range_observer_expect (QvizRangeObserver *o, guint64 n_values)
{
  g_return_if_fail (o != NULL);
  g_return_if_fail (o->count == 0 && o->non_finite == 0);

  o->expected = n_values;
}

guint64
qviz_range_observer_count (const QvizRangeObserver *o)
{
  g_return_val_if_fail (o != NULL, 0);
  return o->count;
}

guint64
qviz_range_observer_non_finite (const QvizRangeObserver *o)
{
  g_return_val_if_fail (o != NULL, 0);
  return o->non_finite;
}

/* The magnitude below which all but `budget` values of one sign lie: the
 * upper edge of the bin where the count from the top first exceeds the
 * budget, never beyond the true extreme.  0 when the whole side fits in the
 * budget. */
static double
tail_bound (const guint64 *hist, guint64 budget, double extreme)
{
  guint64 above = 0;

  for (int b = HIST_BINS - 1; b >= 0; b--)
    {
      above += hist[b];
      if (above > budget)
        return b == HIST_BINS - 1 ? extreme : MIN (hist_upper_edge (b), extreme);
    }
  return 0.0;
}

static double
hist_lower_edge (int bin)
{
  return bin % HIST_SUB == 0 ? ldexp (0.5, bin / HIST_SUB + HIST_E_LO)
                             : hist_upper_edge (bin - 1);
}

/* One side of zero for the L2 search: for a bound at the upper edge of bin
 * b (or at the extreme), the values beyond it and the squared distance
 * they would be clipped by, from suffix sums of count, count * v and
 * count * v^2 (v the bin's middle). */
typedef struct {
  const guint64 *hist;
  double extreme;          /* |true extreme| of this side, 0 if none */
  double *n, *s1, *s2;     /* [HIST_BINS + 1]: sums over bins >= b */
} Side;

static void
side_init (Side *side, const guint64 *hist, double extreme)
{
  side->hist = hist;
  side->extreme = extreme;
  side->n = g_new0 (double, HIST_BINS + 1);
  side->s1 = g_new0 (double, HIST_BINS + 1);
  side->s2 = g_new0 (double, HIST_BINS + 1);
  for (int b = HIST_BINS - 1; b >= 0; b--)
    {
      const double c = (double) hist[b];
      const double v = MIN (0.5 * (hist_lower_edge (b) + hist_upper_edge (b)), extreme);
      side->n[b] = side->n[b + 1] + c;
      side->s1[b] = side->s1[b + 1] + c * v;
      side->s2[b] = side->s2[b + 1] + c * v * v;
    }
}

static void
side_clear (Side *side)
{
  g_free (side->n);
  g_free (side->s1);
  g_free (side->s2);
}

/* Bound of candidate b: the upper edge of bin b, or the extreme when that
 * is nearer (b = HIST_BINS - 1 means the extreme itself). */
static double
side_bound (const Side *side, int b)
{
  return b >= HIST_BINS - 1 ? side->extreme : MIN (hist_upper_edge (b), side->extreme);
}

/* Squared clipping error and clipped count for a bound at candidate b. */
static double
side_clip_error (const Side *side, int b, double *clipped)
{
  const double t = side_bound (side, b);
  const int above = MIN (b + 1, HIST_BINS);

  *clipped = side->n[above];
  return side->s2[above] - 2.0 * t * side->s1[above] + t * t * side->n[above];
}

static double
l2_error (const Side *pos, int bp, const Side *neg, int bn, double total)
{
  double cp = 0, cn = 0, e = 0, range, step;

  if (pos->extreme > 0)
    e += side_clip_error (pos, bp, &cp);
  if (neg->extreme > 0)
    e += side_clip_error (neg, bn, &cn);
  range = (pos->extreme > 0 ? side_bound (pos, bp) : 0) + (neg->extreme > 0 ? side_bound (neg, bn) : 0);
  step = range / 255.0;
  return e + (total - cp - cn) * step * step / 12.0;
}

/* The candidate of one side minimising the error with the other fixed. */
static int
best_bound (const Side *side, const Side *other, int other_b, gboolean side_is_pos,
            double total)
{
  int best = HIST_BINS - 1;
  double best_e = INFINITY;

  if (side->extreme <= 0)
    return best;
  for (int b = HIST_BINS - 1; b >= 0; b--)
    {
      double e;
      if (b < HIST_BINS - 1 && hist_upper_edge (b) >= side->extreme)
        continue;   /* the same bound as the extreme */
      if (side->n[b + 1] > 0.5 * total)
        break;      /* clipping half the values is never the answer */
      e = side_is_pos ? l2_error (side, b, other, other_b, total)
                      : l2_error (other, other_b, side, b, total);
      if (e < best_e)
        {
          best_e = e;
          best = b;
        }
    }
  return best;
}

static void
l2_range (const QvizRangeObserver *o, float *lo, float *hi)
{
  Side pos, neg;
  int bp = HIST_BINS - 1, bn = HIST_BINS - 1;
  double total;

  side_init (&pos, o->hist[0], MAX ((double) o->max, 0.0));
  side_init (&neg, o->hist[1], MAX (-(double) o->min, 0.0));
  /* every value, zeros included, as PyTorch's HistogramObserver counts
   * them (measured: counting only the others widened ReLU outputs and lost
   * 0.3-1 dB at the output of mobilenet_v2 and mobilenet_v3_large) */
  total = (double) o->count;
  for (int round = 0; round < 8; round++)
    {
      int np = best_bound (&pos, &neg, bn, TRUE, total);
      int nn = best_bound (&neg, &pos, np, FALSE, total);
      gboolean moved = np != bp || nn != bn;
      bp = np;
      bn = nn;
      if (!moved)
        break;
    }
  if (o->max > 0.0f)
    *hi = (float) side_bound (&pos, bp);
  if (o->min < 0.0f)
    *lo = (float) -side_bound (&neg, bn);
  side_clear (&pos);
  side_clear (&neg);
}

/* Counts, extremes and histograms add up.  A side's histogram is complete
 * from its counted tail up (see raise_tail): the sum is complete from the
 * higher of the two tails up, which becomes the merged tail.  Each tail
 * rose only once its own observer held more than the budget above it, so
 * the sum does too and the percentile bound's bin lies at or above both
 * tails, where the sum is the histogram of all the values: the bound is the
 * one a single observer of all of them finds. */
void
qviz_range_observer_merge (QvizRangeObserver *into, const QvizRangeObserver *from)
{
  g_return_if_fail (into != NULL && from != NULL);
  g_return_if_fail (into->method == from->method && into->percentile == from->percentile);
  g_return_if_fail (into->lanes == NULL && from->lanes == NULL);

  into->count += from->count;
  into->non_finite += from->non_finite;
  into->min = from->min < into->min ? from->min : into->min;
  into->max = from->max > into->max ? from->max : into->max;
  into->expected = MAX (into->expected, from->expected);
  if (into->hist[0] == NULL)
    return;
  for (int side = 0; side < 2; side++)
    {
      into->tail_bits[side] = MAX (into->tail_bits[side], from->tail_bits[side]);
      for (int b = 0; b < HIST_BINS; b++)
        into->hist[side][b] += from->hist[side][b];
    }
}

gboolean
qviz_range_observer_finish (const QvizRangeObserver *o, float *min, float *max)
{
  float lo = 0.0f, hi = 0.0f;

  g_return_val_if_fail (o != NULL, FALSE);

  if (o->count > 0)
    {
      lo = o->min;
      hi = o->max;
      if (o->method == QVIZ_CALIBRATION_PERCENTILE)
        {
          const guint64 budget =
            (guint64) floor ((100.0 - o->percentile) / 100.0 * (double) o->count);
          if (hi > 0.0f)
            hi = (float) tail_bound (o->hist[0], budget, hi);
          if (lo < 0.0f)
            lo = (float) -tail_bound (o->hist[1], budget, -(double) lo);
        }
      else if (o->method == QVIZ_CALIBRATION_HISTOGRAM)
        l2_range (o, &lo, &hi);
    }
  if (min != NULL)
    *min = lo;
  if (max != NULL)
    *max = hi;
  return o->count > 0;
}

/* ---- weights and bias ----------------------------------------------------- */

void
qviz_quant_weight_scales (const float *weights, int out_c, gsize per_channel,
                          float *scales)
{
  g_return_if_fail (weights != NULL || out_c == 0 || per_channel == 0);
  g_return_if_fail (scales != NULL || out_c == 0);

  for (int oc = 0; oc < out_c; oc++)
    {
      const float *w = weights + (gsize) oc * per_channel;
      double m = 0.0;

      for (gsize i = 0; i < per_channel; i++)
        if (isfinite (w[i]))
          m = MAX (m, fabs ((double) w[i]));
      scales[oc] = m > 0.0 ? (float) (m / 127.0) : 1.0f;
      if (scales[oc] == 0.0f)   /* a denormal maximum */
        scales[oc] = QVIZ_QUANT_MIN_SCALE;
    }
}

void
qviz_quant_weights (const float *weights, int out_c, gsize per_channel,
                    const float *scales, gint8 *q)
{
  g_return_if_fail (weights != NULL || out_c == 0 || per_channel == 0);
  g_return_if_fail (scales != NULL || out_c == 0);
  g_return_if_fail (q != NULL || out_c == 0 || per_channel == 0);

  for (int oc = 0; oc < out_c; oc++)
    for (gsize i = 0; i < per_channel; i++)
      {
        const gsize k = (gsize) oc * per_channel + i;
        double v = nearbyint ((double) weights[k] / (double) scales[oc]);
        if (isnan (v))
          v = 0.0;
        q[k] = (gint8) CLAMP (v, -127.0, 127.0);
      }
}

guint
qviz_quant_bias (const float *bias, int out_c, float input_scale,
                 const float *w_scales, gint32 *q)
{
  guint saturated = 0;

  g_return_val_if_fail (w_scales != NULL || out_c == 0, 0);
  g_return_val_if_fail (q != NULL || out_c == 0, 0);

  for (int oc = 0; oc < out_c; oc++)
    {
      if (bias == NULL)
        {
          q[oc] = 0;
          continue;
        }
      double v = nearbyint ((double) bias[oc] /
                            ((double) input_scale * (double) w_scales[oc]));
      if (isnan (v))
        v = 0.0;
      if (v > G_MAXINT32 || v < G_MININT32)
        saturated++;
      q[oc] = (gint32) CLAMP (v, (double) G_MININT32, (double) G_MAXINT32);
    }
  return saturated;
}

void
qviz_quant_requant_scales (float input_scale, const float *w_scales,
                           float output_scale, int out_c, float *requant)
{
  g_return_if_fail (w_scales != NULL || out_c == 0);
  g_return_if_fail (requant != NULL || out_c == 0);

  for (int oc = 0; oc < out_c; oc++)
    requant[oc] = (float) ((double) input_scale * (double) w_scales[oc] /
                           (double) output_scale);
}

/* ---- tensors -------------------------------------------------------------- */

void
qviz_quantize_tensor (const QvizQuantParams *p, const float *x, gsize n,
                      guint8 *q)
{
  g_return_if_fail (p != NULL && p->scale > 0.0f);
  g_return_if_fail ((x != NULL && q != NULL) || n == 0);

  qvk_qu8_quantize__scalar (p->scale, p->zero_point, x, q, 0, n);
}

void
qviz_dequantize_tensor (const QvizQuantParams *p, const guint8 *q, gsize n,
                        float *x)
{
  g_return_if_fail (p != NULL);
  g_return_if_fail ((x != NULL && q != NULL) || n == 0);

  qvk_qu8_dequantize__scalar (p->scale, p->zero_point, q, x, 0, n);
}

/* ---- error ---------------------------------------------------------------- */

/* Sums of squares of a block known to be finite, in four double lanes
 * (16-byte vectors, as SSE2 and NEON have) so that the loop vectorises:
 * the block's own sums, which are then added to the running ones. */
static void
sqnr_sum_finite_block (const float *reference, const float *x, gsize n,
                       double *signal, double *noise)
{
  typedef double lanes2 __attribute__ ((vector_size (16)));
  lanes2 s0 = { 0, 0 }, s1 = { 0, 0 }, e0 = { 0, 0 }, e1 = { 0, 0 };
  double s = 0.0, e = 0.0;
  gsize i = 0;

  for (; i + 4 <= n; i += 4)
    {
      lanes2 r0 = { reference[i], reference[i + 1] };
      lanes2 r1 = { reference[i + 2], reference[i + 3] };
      lanes2 x0 = { x[i], x[i + 1] };
      lanes2 x1 = { x[i + 2], x[i + 3] };
      lanes2 d0 = r0 - x0, d1 = r1 - x1;

      s0 += r0 * r0;
      s1 += r1 * r1;
      e0 += d0 * d0;
      e1 += d1 * d1;
    }
  for (; i < n; i++)
    {
      const double r = reference[i];
      const double d = r - (double) x[i];
      s += r * r;
      e += d * d;
    }
  *signal = (s0[0] + s0[1]) + (s1[0] + s1[1]) + s;
  *noise = (e0[0] + e0[1]) + (e1[0] + e1[1]) + e;
}

#define SQNR_BLOCK QVIZ_SQNR_BLOCK

static void
sqnr_block (const float *reference, const float *x, gsize len, QvizSqnrBlock *block)
{
  block->non_finite = !block_is_finite (reference, len) || !block_is_finite (x, len);
  if (block->non_finite)
    block->signal = block->noise = 0.0;
  else
    sqnr_sum_finite_block (reference, x, len, &block->signal, &block->noise);
}

/* Each block's sums are added to the running sums as a whole, so they may
 * be taken apart from them. */
static void
sqnr_add_block (QvizSqnrSum *sum, const QvizSqnrBlock *block)
{
  if (block->non_finite)
    {
      sum->non_finite = TRUE;
      return;
    }
  sum->signal += block->signal;
  sum->noise += block->noise;
}

void
qviz_sqnr_sum_add (QvizSqnrSum *sum, const float *reference, const float *x, gsize n)
{
  g_return_if_fail (sum != NULL);
  g_return_if_fail ((reference != NULL && x != NULL) || n == 0);

  for (gsize start = 0; start < n && !sum->non_finite; start += SQNR_BLOCK)
    {
      QvizSqnrBlock block;

      sqnr_block (reference + start, x + start, MIN (SQNR_BLOCK, n - start), &block);
      sqnr_add_block (sum, &block);
    }
}

void
qviz_sqnr_block_sums (const float *reference, const float *x, gsize n, QvizSqnrBlock *blocks)
{
  g_return_if_fail ((reference != NULL && x != NULL && blocks != NULL) || n == 0);

  for (gsize start = 0; start < n; start += SQNR_BLOCK)
    sqnr_block (reference + start, x + start, MIN (SQNR_BLOCK, n - start),
                &blocks[start / SQNR_BLOCK]);
}

void
qviz_sqnr_sum_add_blocks (QvizSqnrSum *sum, const QvizSqnrBlock *blocks, gsize n_blocks)
{
  g_return_if_fail (sum != NULL);
  g_return_if_fail (blocks != NULL || n_blocks == 0);

  for (gsize i = 0; i < n_blocks && !sum->non_finite; i++)
    sqnr_add_block (sum, &blocks[i]);
}

double
qviz_sqnr_sum_db (const QvizSqnrSum *sum)
{
  double db;

  g_return_val_if_fail (sum != NULL, NAN);

  if (sum->non_finite)
    return NAN;
  if (sum->noise == 0.0)
    return QVIZ_SQNR_MAX_DB;
  if (sum->signal == 0.0)
    return -QVIZ_SQNR_MAX_DB;
  db = 10.0 * log10 (sum->signal / sum->noise);
  return CLAMP (db, -QVIZ_SQNR_MAX_DB, QVIZ_SQNR_MAX_DB);
}

double
qviz_sqnr_db (const float *reference, const float *x, gsize n)
{
  QvizSqnrSum sum = { 0 };

  g_return_val_if_fail ((reference != NULL && x != NULL) || n == 0, NAN);

  qviz_sqnr_sum_add (&sum, reference, x, n);
  return qviz_sqnr_sum_db (&sum);
}
