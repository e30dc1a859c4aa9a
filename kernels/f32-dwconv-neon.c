/* f32-dwconv-neon.c: float depthwise convolution through an indirection
 * table, NEON FMA.
 *
 * The AVX2 kernel's scheme on 128-bit vectors: four output pixels share
 * each weight load, channels go 16 at a time (four vectors), then 4 at a
 * time, the last block read and written lane by lane.
 */
#include "qvk-f32-epilogue-neon.h"

#define PIXELS 4

static inline float32x4_t
load_partial (const float *x, size_t n)
{
  float tmp[4] = { 0 };
  for (size_t i = 0; i < n; i++)
    tmp[i] = x[i];
  return vld1q_f32 (tmp);
}

void
qvk_f32_dwconv_minmax_ukernel_16c4w__neon (
    size_t channels, size_t output_width, size_t taps,
    size_t kernel_w, size_t stride_w, size_t dilation_w,
    const int32_t *offsets, size_t offsets_step,
    const float *input, const float *zero,
    const float *weights, size_t weights_stride,
    float *output, size_t output_stride,
    const qvk_f32_act_params *params)
{
  /* every pixel reads its taps through the table */
  (void) kernel_w;
  (void) stride_w;
  (void) dilation_w;
  const float *ptr[PIXELS][taps];

  for (size_t px = 0; px < output_width; px += PIXELS)
    {
      const int n_px = output_width - px >= PIXELS ? PIXELS : (int) (output_width - px);
      /* Pixels past the end repeat the last one, computing it again. */
      for (int p = 0; p < PIXELS; p++)
        {
          const int32_t *o = offsets + (px + (p < n_px ? p : n_px - 1)) * offsets_step;
          for (size_t t = 0; t < taps; t++)
            ptr[p][t] = o[t] < 0 ? zero : input + o[t];
        }

      float *out = output + px * output_stride;
      size_t c = 0;

      for (; c + 16 <= channels; c += 16)
        {
          float32x4_t acc[PIXELS][4];
          for (int p = 0; p < PIXELS; p++)
            for (int q = 0; q < 4; q++)
              acc[p][q] = vld1q_f32 (weights + c + 4 * q);
          const float *w = weights + c;
          for (size_t t = 0; t < taps; t++)
            {
              w += weights_stride;
              const float32x4_t w0 = vld1q_f32 (w);
              const float32x4_t w1 = vld1q_f32 (w + 4);
              const float32x4_t w2 = vld1q_f32 (w + 8);
              const float32x4_t w3 = vld1q_f32 (w + 12);
#pragma GCC unroll 4
              for (int p = 0; p < PIXELS; p++)
                {
                  const float *i = ptr[p][t] + c;
                  acc[p][0] = vfmaq_f32 (acc[p][0], vld1q_f32 (i), w0);
                  acc[p][1] = vfmaq_f32 (acc[p][1], vld1q_f32 (i + 4), w1);
                  acc[p][2] = vfmaq_f32 (acc[p][2], vld1q_f32 (i + 8), w2);
                  acc[p][3] = vfmaq_f32 (acc[p][3], vld1q_f32 (i + 12), w3);
                }
            }
          for (int p = 0; p < n_px; p++)
            for (int q = 0; q < 4; q++)
              vst1q_f32 (out + p * output_stride + c + 4 * q,
                         qvk_f32_epilogue_neon (acc[p][q], params));
        }

      for (; c < channels; c += 4)
        {
          const size_t n = channels - c < 4 ? channels - c : 4;
          float32x4_t acc[PIXELS];
          const float32x4_t b = vld1q_f32 (weights + c);
          for (int p = 0; p < PIXELS; p++)
            acc[p] = b;
          const float *w = weights + c;
          for (size_t t = 0; t < taps; t++)
            {
              w += weights_stride;
              const float32x4_t w0 = vld1q_f32 (w);
#pragma GCC unroll 4
              for (int p = 0; p < PIXELS; p++)
                acc[p] = vfmaq_f32 (acc[p], n == 4 ? vld1q_f32 (ptr[p][t] + c)
                                                   : load_partial (ptr[p][t] + c, n),
                                    w0);
            }
          for (int p = 0; p < n_px; p++)
            {
              const float32x4_t v = qvk_f32_epilogue_neon (acc[p], params);
              if (n == 4)
                vst1q_f32 (out + p * output_stride + c, v);
              else
                qvk_f32_store_partial_neon (out + p * output_stride + c, v, n);
            }
        }
    }
}
