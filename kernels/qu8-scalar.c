/* qu8-scalar.c: the int8 scalar reference kernels of qvk-qu8.h.
 *
 * These loops define the int8 results: every faster kernel must reproduce
 * them bit for bit.  They are written to be obviously correct rather than
 * fast -- one output element at a time, padding taps skipped explicitly, the
 * zero point subtracted from each input before it is multiplied -- and they
 * are also the fallback when no vector ISA is available.
 */
#include "qvk-f32.h"
#include "qvk-qu8.h"
#include "qvk-resize-private.h"

#include <math.h>
#include <string.h>

static inline int32_t
clamp_i32 (int32_t x, int32_t lo, int32_t hi)
{
  return x < lo ? lo : (x > hi ? hi : x);
}

/* Out of line, so that every caller gets the same two roundings (no
 * contraction of the product into the activation's arithmetic). */
float
qvk_qu8_dequantize_acc (int32_t acc, float dequant_scale, const qvk_activation *act)
{
  const float v = (float) acc * dequant_scale;
  return act->kind == QVK_ACT_NONE ? v : qvk_f32_activate (act, v);
}

void
qvk_qu8_conv2d__scalar (const qvk_conv_shape *s,
                        const qvk_qu8_conv_params *q,
                        const uint8_t *input, const int8_t *weights,
                        const int32_t *bias, uint8_t *output,
                        int row_begin, int row_end)
{
  const int in_per_group = s->in_c / s->groups;
  const int out_per_group = s->out_c / s->groups;

  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / s->out_h;
      const int oy = row % s->out_h;

      for (int ox = 0; ox < s->out_w; ox++)
        for (int oc = 0; oc < s->out_c; oc++)
          {
            const int g = oc / out_per_group;
            const int8_t *w = weights +
              (size_t) oc * s->kernel_h * s->kernel_w * in_per_group;
            int32_t acc = bias != NULL ? bias[oc] : 0;

            for (int ky = 0; ky < s->kernel_h; ky++)
              {
                const int iy = oy * s->stride_h - s->pad_top + ky * s->dilation_h;
                if (iy < 0 || iy >= s->in_h)
                  continue;
                for (int kx = 0; kx < s->kernel_w; kx++)
                  {
                    const int ix = ox * s->stride_w - s->pad_left + kx * s->dilation_w;
                    if (ix < 0 || ix >= s->in_w)
                      continue;
                    const uint8_t *px = input +
                      (((size_t) n * s->in_h + iy) * s->in_w + ix) * s->in_c +
                      (size_t) g * in_per_group;
                    const int8_t *pw = w + ((size_t) ky * s->kernel_w + kx) * in_per_group;
                    for (int ic = 0; ic < in_per_group; ic++)
                      acc += ((int32_t) px[ic] - q->input_zero_point) * (int32_t) pw[ic];
                  }
              }

            const size_t at = ((size_t) row * s->out_w + ox) * s->out_c + oc;
            if (q->dequant_scale != NULL)
              {
                ((float *) output)[at] =
                  qvk_qu8_dequantize_acc (acc, q->dequant_scale[oc], &q->float_act);
                continue;
              }
            const uint8_t v = qvk_qu8_requantize (acc, q->requant_scale[oc],
                                                  q->output_zero_point,
                                                  q->output_min, q->output_max);
            output[at] = q->lut != NULL ? q->lut[v] : v;
          }
    }
}

/* ---- add / mul ---------------------------------------------------------- */

/* The largest shift in [lo, hi] for which round(r * 2^shift) <= limit, or
 * -1 when there is none. */
static int
largest_shift (double r, int lo, int hi, double limit)
{
  for (int s = hi; s >= lo; s--)
    if (nearbyint (ldexp (r, s)) <= limit)
      return s;
  return -1;
}

static int32_t
fixed_multiplier (double r, int shift, double limit)
{
  const double m = nearbyint (ldexp (r, shift));
  return (int32_t) (m < limit ? m : limit);
}

static int32_t
rounding_constant (int shift)
{
  return shift > 0 ? (int32_t) 1 << (shift - 1) : 0;
}

void
qvk_qu8_add_params_init (qvk_qu8_add_params *p,
                         float a_scale, int32_t a_zero_point,
                         float b_scale, int32_t b_zero_point,
                         float output_scale, int32_t output_zero_point,
                         int32_t output_min, int32_t output_max)
{
  const double ra = (double) a_scale / (double) output_scale;
  const double rb = (double) b_scale / (double) output_scale;
  const double rmax = ra > rb ? ra : rb;
  double limit = QVK_QU8_ADD_PAIR_MAX;
  int shift = largest_shift (rmax, 8, 21, limit);

  if (shift < 0)
    {
      /* too coarse an output for 15-bit multipliers with 8 fraction bits */
      limit = (double) ((1 << 21) - 1);
      shift = largest_shift (rmax, 0, 14, limit);
      shift = shift < 0 ? 0 : shift;
    }
  p->a_multiplier = fixed_multiplier (ra, shift, limit);
  p->b_multiplier = fixed_multiplier (rb, shift, limit);
  p->shift = shift;
  p->bias = -(a_zero_point * p->a_multiplier + b_zero_point * p->b_multiplier)
            + output_zero_point * ((int32_t) 1 << shift) + rounding_constant (shift);
  p->a_zero_point = a_zero_point;
  p->b_zero_point = b_zero_point;
  p->output_zero_point = output_zero_point;
  p->output_min = output_min;
  p->output_max = output_max;
}

void
qvk_qu8_add__scalar (const qvk_qu8_add_params *p, const uint8_t *a,
                     const uint8_t *b, uint8_t *y, size_t begin, size_t end)
{
  for (size_t i = begin; i < end; i++)
    {
      /* params_init keeps this within int32; >> of a negative int is an
       * arithmetic shift (a floor) in GCC and Clang */
      const int32_t acc = (int32_t) a[i] * p->a_multiplier
                          + (int32_t) b[i] * p->b_multiplier + p->bias;
      y[i] = (uint8_t) clamp_i32 (acc >> p->shift, p->output_min, p->output_max);
    }
}

void
qvk_qu8_mul_params_init (qvk_qu8_mul_params *p,
                         float a_scale, int32_t a_zero_point,
                         float b_scale, int32_t b_zero_point,
                         float output_scale, int32_t output_zero_point,
                         int32_t output_min, int32_t output_max)
{
  const double m = (double) a_scale * (double) b_scale / (double) output_scale;
  const double limit = (double) ((1 << 14) - 1);
  int shift = largest_shift (m, 0, 21, limit);

  /* m >= 2^14: every nonzero product saturates, with any M that large */
  shift = shift < 0 ? 0 : shift;
  p->multiplier = fixed_multiplier (m, shift, limit);
  p->shift = shift;
  p->rounding = output_zero_point * ((int32_t) 1 << shift) + rounding_constant (shift);
  p->a_zero_point = a_zero_point;
  p->b_zero_point = b_zero_point;
  p->output_zero_point = output_zero_point;
  p->output_min = output_min;
  p->output_max = output_max;
}

static inline uint8_t
mul_one (const qvk_qu8_mul_params *p, uint8_t a, uint8_t b)
{
  const int32_t prod = ((int32_t) a - p->a_zero_point) * ((int32_t) b - p->b_zero_point);
  const int32_t acc = prod * p->multiplier + p->rounding;   /* |acc| < 2^31 */
  return (uint8_t) clamp_i32 (acc >> p->shift, p->output_min, p->output_max);
}

void
qvk_qu8_mul__scalar (const qvk_qu8_mul_params *p, const uint8_t *a,
                     const uint8_t *b, uint8_t *y, size_t begin, size_t end)
{
  for (size_t i = begin; i < end; i++)
    y[i] = mul_one (p, a[i], b[i]);
}

void
qvk_qu8_mul_channel__scalar (const qvk_qu8_mul_params *p, int pixels,
                             int channels, const uint8_t *x,
                             const uint8_t *scale, uint8_t *y,
                             size_t begin, size_t end)
{
  for (size_t r = begin; r < end; r++)
    {
      const size_t n = r / (size_t) pixels;
      const uint8_t *s = scale + n * channels;
      for (int c = 0; c < channels; c++)
        y[r * channels + c] = mul_one (p, x[r * channels + c], s[c]);
    }
}

/* ---- lookup tables ------------------------------------------------------ */

static double
activate_double (const qvk_activation *act, double x)
{
  switch (act->kind)
    {
    case QVK_ACT_NONE:
      return x;
    case QVK_ACT_RELU:
      return x > 0.0 ? x : 0.0;
    case QVK_ACT_CLIP:
      return x < act->min ? act->min : (x > act->max ? act->max : x);
    case QVK_ACT_HARDSWISH:
      {
        double r6 = x + 3.0;
        r6 = r6 < 0.0 ? 0.0 : (r6 > 6.0 ? 6.0 : r6);
        return x * r6 / 6.0;
      }
    case QVK_ACT_HARDSIGMOID:
      {
        double h = (double) act->alpha * x + (double) act->beta;
        return h < 0.0 ? 0.0 : (h > 1.0 ? 1.0 : h);
      }
    case QVK_ACT_SIGMOID:
      return 1.0 / (1.0 + exp (-x));
    case QVK_ACT_TANH:
      return tanh (x);
    case QVK_ACT_LEAKY_RELU:
      return x >= 0.0 ? x : (double) act->alpha * x;
    case QVK_ACT_ELU:
      return x >= 0.0 ? x : (double) act->alpha * expm1 (x);
    case QVK_ACT_SOFTPLUS:
      return x > 40.0 ? x : log1p (exp (x));
    case QVK_ACT_ERF:
      return erf (x);
    case QVK_ACT_SQRT:
      /* uint8 has no NaN: the square root of a negative rounding error is 0 */
      return x > 0.0 ? sqrt (x) : 0.0;
    }
  return x;
}

void
qvk_qu8_lut_build (const qvk_activation *act,
                   float input_scale, int32_t input_zero_point,
                   float output_scale, int32_t output_zero_point,
                   uint8_t table[256])
{
  for (int q = 0; q < 256; q++)
    {
      const double x = (double) input_scale * (double) (q - input_zero_point);
      double v = activate_double (act, x) / (double) output_scale;
      /* Out of uint8 reach either way; keeps nearbyint away from overflow. */
      v = v < -1024.0 ? -1024.0 : (v > 1024.0 ? 1024.0 : v);
      table[q] = (uint8_t) clamp_i32 ((int32_t) nearbyint (v) + output_zero_point, 0, 255);
    }
}

void
qvk_qu8_lut__scalar (const uint8_t table[256], const uint8_t *x, uint8_t *y,
                     size_t begin, size_t end)
{
  for (size_t i = begin; i < end; i++)
    y[i] = table[x[i]];
}

/* ---- pooling ------------------------------------------------------------ */

void
qvk_qu8_avgpool_params_init (qvk_qu8_avgpool_params *p,
                             float input_scale, int32_t input_zero_point,
                             float output_scale, int32_t output_zero_point,
                             int32_t output_min, int32_t output_max)
{
  p->multiplier = (float) ((double) input_scale / (double) output_scale);
  p->input_zero_point = input_zero_point;
  p->output_zero_point = output_zero_point;
  p->output_min = output_min;
  p->output_max = output_max;
}

void
qvk_qu8_global_avgpool__scalar (const qvk_qu8_avgpool_params *p,
                                int batch, int pixels, int channels,
                                const uint8_t *x, uint8_t *y,
                                int batch_begin, int batch_end)
{
  const float scale = pixels > 0 ? p->multiplier / (float) pixels : 0.0f;

  for (int n = batch_begin; n < batch_end; n++)
    for (int c = 0; c < channels; c++)
      {
        int32_t acc = 0;
        for (int i = 0; i < pixels; i++)
          acc += (int32_t) x[((size_t) n * pixels + i) * channels + c];
        acc -= pixels * p->input_zero_point;
        y[(size_t) n * channels + c] =
          qvk_qu8_requantize (acc, scale, p->output_zero_point,
                              p->output_min, p->output_max);
      }
}

void
qvk_qu8_avgpool__scalar (const qvk_qu8_avgpool_params *p,
                         const qvk_pool_shape *s, const uint8_t *x,
                         uint8_t *y, int row_begin, int row_end)
{
  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / s->out_h;
      const int oy = row % s->out_h;

      for (int ox = 0; ox < s->out_w; ox++)
        for (int c = 0; c < s->channels; c++)
          {
            int32_t acc = 0;
            int count = 0;

            for (int ky = 0; ky < s->kernel_h; ky++)
              {
                const int iy = oy * s->stride_h - s->pad_top + ky;
                if (iy < 0 || iy >= s->in_h)
                  continue;
                for (int kx = 0; kx < s->kernel_w; kx++)
                  {
                    const int ix = ox * s->stride_w - s->pad_left + kx;
                    if (ix < 0 || ix >= s->in_w)
                      continue;
                    acc += (int32_t) x[(((size_t) n * s->in_h + iy) * s->in_w + ix) *
                                       s->channels + c] - p->input_zero_point;
                    count++;
                  }
              }

            const int divisor = s->count_include_pad ? s->kernel_h * s->kernel_w : count;
            const float scale = divisor > 0 ? p->multiplier / (float) divisor : 0.0f;
            y[((size_t) row * s->out_w + ox) * s->channels + c] =
              qvk_qu8_requantize (acc, scale, p->output_zero_point,
                                  p->output_min, p->output_max);
          }
    }
}

void
qvk_qu8_maxpool__scalar (const qvk_pool_shape *s, int32_t output_min,
                         int32_t output_max, const uint8_t *x, uint8_t *y,
                         int row_begin, int row_end)
{
  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / s->out_h;
      const int oy = row % s->out_h;

      for (int ox = 0; ox < s->out_w; ox++)
        for (int c = 0; c < s->channels; c++)
          {
            int32_t best = output_min;

            for (int ky = 0; ky < s->kernel_h; ky++)
              {
                const int iy = oy * s->stride_h - s->pad_top + ky * s->dilation_h;
                if (iy < 0 || iy >= s->in_h)
                  continue;
                for (int kx = 0; kx < s->kernel_w; kx++)
                  {
                    const int ix = ox * s->stride_w - s->pad_left + kx * s->dilation_w;
                    if (ix < 0 || ix >= s->in_w)
                      continue;
                    const int32_t v =
                      x[(((size_t) n * s->in_h + iy) * s->in_w + ix) * s->channels + c];
                    best = v > best ? v : best;
                  }
              }
            y[((size_t) row * s->out_w + ox) * s->channels + c] =
              (uint8_t) clamp_i32 (best, output_min, output_max);
          }
    }
}

/* ---- resize ------------------------------------------------------------- */

void
qvk_qu8_resize_bilinear__scalar (int batch, int in_h, int in_w,
                                 int channels, int out_h, int out_w,
                                 int align_corners, const uint8_t *x,
                                 uint8_t *y, int row_begin, int row_end)
{
  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / out_h;
      const int oy = row % out_h;
      int y0, y1;
      float ly1;

      qvk_bilinear_source (in_h, out_h, align_corners, oy, &y0, &y1, &ly1);
      const float ly0 = 1.0f - ly1;

      for (int ox = 0; ox < out_w; ox++)
        {
          int x0, x1;
          float lx1;

          qvk_bilinear_source (in_w, out_w, align_corners, ox, &x0, &x1, &lx1);
          const float lx0 = 1.0f - lx1;

          const uint8_t *p00 = x + (((size_t) n * in_h + y0) * in_w + x0) * channels;
          const uint8_t *p01 = x + (((size_t) n * in_h + y0) * in_w + x1) * channels;
          const uint8_t *p10 = x + (((size_t) n * in_h + y1) * in_w + x0) * channels;
          const uint8_t *p11 = x + (((size_t) n * in_h + y1) * in_w + x1) * channels;
          uint8_t *out = y + ((size_t) row * out_w + ox) * channels;

          for (int c = 0; c < channels; c++)
            {
              const float v = ly0 * (lx0 * (float) p00[c] + lx1 * (float) p01[c])
                            + ly1 * (lx0 * (float) p10[c] + lx1 * (float) p11[c]);
              out[c] = qvk_qu8_round_clamp (v, 0, 0, 255);
            }
        }
    }
}

/* ---- requantizing copy -------------------------------------------------- */

void
qvk_qu8_requant_params_init (qvk_qu8_requant_params *p,
                             float input_scale, int32_t input_zero_point,
                             float output_scale, int32_t output_zero_point)
{
  p->multiplier = (float) ((double) input_scale / (double) output_scale);
  p->input_zero_point = input_zero_point;
  p->output_zero_point = output_zero_point;
  p->output_min = 0;
  p->output_max = 255;
}

void
qvk_qu8_requant_copy__scalar (const qvk_qu8_requant_params *p, size_t cols,
                              const uint8_t *x, size_t x_stride, uint8_t *y,
                              size_t y_stride, size_t row_begin, size_t row_end)
{
  for (size_t r = row_begin; r < row_end; r++)
    for (size_t c = 0; c < cols; c++)
      {
        const int32_t d = (int32_t) x[r * x_stride + c] - p->input_zero_point;
        y[r * y_stride + c] = qvk_qu8_round_clamp ((float) d * p->multiplier,
                                                   p->output_zero_point,
                                                   p->output_min, p->output_max);
      }
}

/* ---- linear ------------------------------------------------------------- */

void
qvk_qu8_linear__scalar (const qvk_qu8_conv_params *q, int rows,
                        int in_features, int out_features,
                        const uint8_t *x, const int8_t *weights,
                        const int32_t *bias, uint8_t *y,
                        int row_begin, int row_end)
{
  for (int r = row_begin; r < row_end; r++)
    for (int o = 0; o < out_features; o++)
      {
        const uint8_t *px = x + (size_t) r * in_features;
        const int8_t *pw = weights + (size_t) o * in_features;
        int32_t acc = bias != NULL ? bias[o] : 0;
        for (int i = 0; i < in_features; i++)
          acc += ((int32_t) px[i] - q->input_zero_point) * (int32_t) pw[i];
        const size_t at = (size_t) r * out_features + o;
        if (q->dequant_scale != NULL)
          {
            ((float *) y)[at] = qvk_qu8_dequantize_acc (acc, q->dequant_scale[o],
                                                        &q->float_act);
            continue;
          }
        const uint8_t v = qvk_qu8_requantize (acc, q->requant_scale[o],
                                              q->output_zero_point,
                                              q->output_min, q->output_max);
        y[at] = q->lut != NULL ? q->lut[v] : v;
      }
}

/* ---- quantize / dequantize ---------------------------------------------- */

void
qvk_qu8_quantize__scalar (float scale, int32_t zero_point, const float *x,
                          uint8_t *y, size_t begin, size_t end)
{
  for (size_t i = begin; i < end; i++)
    y[i] = qvk_qu8_round_clamp (x[i] / scale, zero_point, 0, 255);
}

void
qvk_qu8_dequantize__scalar (float scale, int32_t zero_point, const uint8_t *x,
                            float *y, size_t begin, size_t end)
{
  for (size_t i = begin; i < end; i++)
    y[i] = scale * (float) ((int32_t) x[i] - zero_point);
}
