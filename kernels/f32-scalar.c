/* f32-scalar.c: the float32 scalar reference kernels of qvk-f32.h.
 *
 * These loops are the definition every optimized float kernel is tested
 * against, so they are written to be obviously correct rather than fast:
 * NHWC activations, OHWI weights, one output element at a time, padding taps
 * skipped explicitly.  They are also the fallback when no vector ISA is
 * available.  Ranges [row_begin, row_end) count output rows over the batch
 * (batch * out_h) so that the engine can split any of them across threads.
 */
#include "qvk-f32.h"
#include "qvk-resize-private.h"

#include <float.h>
#include <math.h>
#include <string.h>

static inline float
clampf (float x, float lo, float hi)
{
  return x < lo ? lo : (x > hi ? hi : x);
}

float
qvk_f32_activate (const qvk_activation *act, float x)
{
  if (act == NULL)
    return x;

  switch (act->kind)
    {
    case QVK_ACT_NONE:
      return x;
    case QVK_ACT_RELU:
      return x > 0.0f ? x : 0.0f;
    case QVK_ACT_CLIP:
      return clampf (x, act->min, act->max);
    case QVK_ACT_HARDSWISH:
      return x * clampf (x + 3.0f, 0.0f, 6.0f) / 6.0f;
    case QVK_ACT_HARDSIGMOID:
      return clampf (act->alpha * x + act->beta, 0.0f, 1.0f);
    case QVK_ACT_SIGMOID:
      return 1.0f / (1.0f + expf (-x));
    case QVK_ACT_TANH:
      return tanhf (x);
    case QVK_ACT_LEAKY_RELU:
      return x >= 0.0f ? x : act->alpha * x;
    case QVK_ACT_ELU:
      return x >= 0.0f ? x : act->alpha * expm1f (x);
    case QVK_ACT_SOFTPLUS:
      /* log1p(exp(x)) overflows for large x, where it is x. */
      return x > 20.0f ? x : log1pf (expf (x));
    case QVK_ACT_ERF:
      return erff (x);
    case QVK_ACT_SQRT:
      return sqrtf (x);
    }
  return x;
}

void
qvk_f32_conv2d__scalar (const qvk_conv_shape *s,
                        const float *input, const float *weights,
                        const float *bias, float *output,
                        int row_begin, int row_end)
{
  const int in_per_group = s->in_c / s->groups;
  const int out_per_group = s->out_c / s->groups;

  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / s->out_h;
      const int oy = row % s->out_h;

      for (int ox = 0; ox < s->out_w; ox++)
        {
          float *out = output + ((size_t) row * s->out_w + ox) * s->out_c;

          for (int oc = 0; oc < s->out_c; oc++)
            {
              const int g = oc / out_per_group;
              float acc = bias != NULL ? bias[oc] : 0.0f;

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

                      const float *x = input
                        + (((size_t) n * s->in_h + iy) * s->in_w + ix) * s->in_c
                        + (size_t) g * in_per_group;
                      const float *w = weights
                        + (((size_t) oc * s->kernel_h + ky) * s->kernel_w + kx) * in_per_group;

                      for (int ic = 0; ic < in_per_group; ic++)
                        acc += x[ic] * w[ic];
                    }
                }
              out[oc] = qvk_f32_activate (&s->act, acc);
            }
        }
    }
}

void
qvk_f32_activation__scalar (const qvk_activation *act, const float *x,
                            float *y, size_t begin, size_t end)
{
  for (size_t i = begin; i < end; i++)
    y[i] = qvk_f32_activate (act, x[i]);
}

void
qvk_f32_add__scalar (const qvk_activation *act, const float *a,
                     const float *b, float *y, size_t begin, size_t end)
{
  for (size_t i = begin; i < end; i++)
    y[i] = qvk_f32_activate (act, a[i] + b[i]);
}

void
qvk_f32_mul__scalar (const float *a, const float *b, float *y,
                     size_t begin, size_t end)
{
  for (size_t i = begin; i < end; i++)
    y[i] = a[i] * b[i];
}

void
qvk_f32_mul_channel__scalar (int pixels, int channels, const float *x,
                             const float *scale, float *y,
                             size_t begin, size_t end)
{
  for (size_t item = begin; item < end; item++)
    {
      const size_t n = item / (size_t) pixels;
      const float *sc = scale + n * channels;
      const float *xp = x + item * channels;
      float *yp = y + item * channels;

      for (int c = 0; c < channels; c++)
        yp[c] = xp[c] * sc[c];
    }
}

void
qvk_f32_global_avgpool__scalar (int batch, int pixels, int channels,
                                const float *x, float *y)
{
  for (int n = 0; n < batch; n++)
    for (int c = 0; c < channels; c++)
      {
        /* Double keeps the mean of a large map (e.g. 128x128) accurate. */
        double sum = 0.0;
        for (int p = 0; p < pixels; p++)
          sum += x[((size_t) n * pixels + p) * channels + c];
        y[(size_t) n * channels + c] = pixels > 0 ? (float) (sum / pixels) : 0.0f;
      }
}

void
qvk_f32_avgpool__scalar (const qvk_pool_shape *s, const float *x,
                         float *y, int row_begin, int row_end)
{
  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / s->out_h;
      const int oy = row % s->out_h;

      for (int ox = 0; ox < s->out_w; ox++)
        for (int c = 0; c < s->channels; c++)
          {
            float sum = 0.0f;
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
                    sum += x[(((size_t) n * s->in_h + iy) * s->in_w + ix) * s->channels + c];
                    count++;
                  }
              }

            if (s->count_include_pad)
              count = s->kernel_h * s->kernel_w;
            y[((size_t) row * s->out_w + ox) * s->channels + c] =
              count > 0 ? sum / (float) count : 0.0f;
          }
    }
}

void
qvk_f32_maxpool__scalar (const qvk_pool_shape *s, const float *x,
                         float *y, int row_begin, int row_end)
{
  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / s->out_h;
      const int oy = row % s->out_h;

      for (int ox = 0; ox < s->out_w; ox++)
        for (int c = 0; c < s->channels; c++)
          {
            /* Padding never wins: it is skipped, as in PyTorch and ONNX. */
            float best = -INFINITY;

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
                    float v = x[(((size_t) n * s->in_h + iy) * s->in_w + ix) * s->channels + c];
                    if (v > best || isnan (v))
                      best = v;
                  }
              }
            y[((size_t) row * s->out_w + ox) * s->channels + c] = best;
          }
    }
}

void
qvk_f32_resize_bilinear__scalar (int batch, int in_h, int in_w,
                                 int channels, int out_h, int out_w,
                                 int align_corners, const float *x,
                                 float *y, int row_begin, int row_end)
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

          const float *p00 = x + (((size_t) n * in_h + y0) * in_w + x0) * channels;
          const float *p01 = x + (((size_t) n * in_h + y0) * in_w + x1) * channels;
          const float *p10 = x + (((size_t) n * in_h + y1) * in_w + x0) * channels;
          const float *p11 = x + (((size_t) n * in_h + y1) * in_w + x1) * channels;
          float *out = y + ((size_t) row * out_w + ox) * channels;

          for (int c = 0; c < channels; c++)
            out[c] = ly0 * (lx0 * p00[c] + lx1 * p01[c])
                   + ly1 * (lx0 * p10[c] + lx1 * p11[c]);
        }
    }
}

void
qvk_f32_resize_nearest__scalar (int batch, int in_h, int in_w,
                                int channels, int out_h, int out_w,
                                const float *x, float *y,
                                int row_begin, int row_end)
{
  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / out_h;
      const int oy = row % out_h;
      /* floor(oy * in_h / out_h) in exact integer arithmetic. */
      int iy = (int) (((int64_t) oy * in_h) / out_h);
      if (iy > in_h - 1)
        iy = in_h - 1;

      for (int ox = 0; ox < out_w; ox++)
        {
          int ix = (int) (((int64_t) ox * in_w) / out_w);
          if (ix > in_w - 1)
            ix = in_w - 1;
          memcpy (y + ((size_t) row * out_w + ox) * channels,
                  x + (((size_t) n * in_h + iy) * in_w + ix) * channels,
                  (size_t) channels * sizeof (float));
        }
    }
}

void
qvk_f32_linear__scalar (int rows, int in_features, int out_features,
                        const float *x, const float *weights,
                        const float *bias, const qvk_activation *act,
                        float *y)
{
  for (int r = 0; r < rows; r++)
    for (int o = 0; o < out_features; o++)
      {
        const float *xr = x + (size_t) r * in_features;
        const float *wr = weights + (size_t) o * in_features;
        float acc = bias != NULL ? bias[o] : 0.0f;

        for (int i = 0; i < in_features; i++)
          acc += xr[i] * wr[i];
        y[(size_t) r * out_features + o] = qvk_f32_activate (act, acc);
      }
}

void
qvk_f32_softmax__scalar (size_t outer, size_t n, const float *x, float *y)
{
  for (size_t o = 0; o < outer; o++)
    {
      const float *xr = x + o * n;
      float *yr = y + o * n;
      float max = -INFINITY;
      double sum = 0.0;

      /* Subtracting the maximum keeps expf from overflowing. */
      for (size_t i = 0; i < n; i++)
        if (xr[i] > max)
          max = xr[i];
      for (size_t i = 0; i < n; i++)
        {
          yr[i] = expf (xr[i] - max);
          sum += yr[i];
        }
      for (size_t i = 0; i < n; i++)
        yr[i] = (float) (yr[i] / sum);
    }
}
