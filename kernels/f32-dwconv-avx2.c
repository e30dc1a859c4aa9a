/* f32-dwconv-avx2.c: float depthwise convolution through an indirection
 * table, AVX2 + FMA.
 *
 * The AVX-512 kernel's scheme at half the width and half the registers:
 * four output pixels share each weight load, channels go 16 at a time (two
 * ymm), then 8 at a time with the last block masked (vmaskmovps does not
 * fault on masked-off lanes).
 */
#include "qvk-f32-epilogue.h"

#define PIXELS 4

static inline __m256i
tail_mask (size_t n)
{
  const __m256i lanes = _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32 (_mm256_set1_epi32 ((int) (n < 8 ? n : 8)), lanes);
}

void
qvk_f32_dwconv_minmax_ukernel_16c4w__avx2 (
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
          __m256 acc[PIXELS][2];
          const __m256 b0 = _mm256_loadu_ps (weights + c);
          const __m256 b1 = _mm256_loadu_ps (weights + c + 8);
          for (int p = 0; p < PIXELS; p++)
            {
              acc[p][0] = b0;
              acc[p][1] = b1;
            }
          const float *w = weights + c;
          for (size_t t = 0; t < taps; t++)
            {
              w += weights_stride;
              const __m256 w0 = _mm256_loadu_ps (w);
              const __m256 w1 = _mm256_loadu_ps (w + 8);
#pragma GCC unroll 4
              for (int p = 0; p < PIXELS; p++)
                {
                  const float *i = ptr[p][t] + c;
                  acc[p][0] = _mm256_fmadd_ps (_mm256_loadu_ps (i), w0, acc[p][0]);
                  acc[p][1] = _mm256_fmadd_ps (_mm256_loadu_ps (i + 8), w1, acc[p][1]);
                }
            }
          for (int p = 0; p < n_px; p++)
            {
              _mm256_storeu_ps (out + p * output_stride + c,
                                qvk_f32_epilogue_avx2 (acc[p][0], params));
              _mm256_storeu_ps (out + p * output_stride + c + 8,
                                qvk_f32_epilogue_avx2 (acc[p][1], params));
            }
        }

      for (; c < channels; c += 8)
        {
          const __m256i m = tail_mask (channels - c);
          __m256 acc[PIXELS];
          const __m256 b = _mm256_loadu_ps (weights + c);
          for (int p = 0; p < PIXELS; p++)
            acc[p] = b;
          const float *w = weights + c;
          for (size_t t = 0; t < taps; t++)
            {
              w += weights_stride;
              const __m256 w0 = _mm256_loadu_ps (w);
#pragma GCC unroll 4
              for (int p = 0; p < PIXELS; p++)
                acc[p] = _mm256_fmadd_ps (_mm256_maskload_ps (ptr[p][t] + c, m),
                                          w0, acc[p]);
            }
          for (int p = 0; p < n_px; p++)
            _mm256_maskstore_ps (out + p * output_stride + c, m,
                                 qvk_f32_epilogue_avx2 (acc[p], params));
        }
    }
}
