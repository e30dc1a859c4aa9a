/* f32-convrows-avx512.c: float convolution over kernel rows read in place
 * (few input channels), AVX-512.
 *
 * The float twin of qu8-convrows-avx512vnni.c: each value of a kernel row
 * (kernel_w pixels of a few channels, contiguous in an NHWC input) is
 * broadcast from the input into an FMA against sixteen output channels'
 * weights, eight pixels a pass, each in its own accumulator.  The values
 * are taken in the order of the OHWI weights, bias first, as the GEMM over
 * copied patches takes them, so the sums round the same way.
 */
#include "qvk-f32-epilogue.h"

/* TAPS and RC are constants after inlining (0: read from taps, row_c). */
static inline __attribute__ ((always_inline)) void
convrows_body (const size_t TAPS, const size_t RC, size_t n, size_t nc, size_t row_c,
               size_t taps, const float *const *rows, size_t step, const float *w,
               float *c, size_t c_stride, const qvk_f32_act_params *params)
{
  const size_t nt = TAPS ? TAPS : taps, nk = RC ? RC : row_c;
  const qvk_f32_act_params act = *params;

  for (size_t n0 = 0; n0 < nc; n0 += 16, w += 16 * (1 + nt * nk))
    {
      const __m512 bias = _mm512_loadu_ps (w);
      const float *wk = w + 16;
      const size_t left = nc - n0;
      const __mmask16 m = left >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << left) - 1);

      for (size_t i = 0; i < n; i += 8)
        {
          const size_t mr = n - i < 8 ? n - i : 8;
          size_t off[8];
          __m512 acc[8];

#pragma GCC unroll 8
          for (int p = 0; p < 8; p++)
            {
              /* pixels beyond n repeat the last one, and are not stored */
              off[p] = (i + ((size_t) p < mr ? (size_t) p : mr - 1)) * step;
              acc[p] = bias;
            }
#pragma GCC unroll 3
          for (size_t t = 0; t < nt; t++)
            {
              const float *r = rows[t];
#pragma GCC unroll 9
              for (size_t k = 0; k < nk; k++)
                {
                  const __m512 wv = _mm512_loadu_ps (wk + (t * nk + k) * 16);
#pragma GCC unroll 8
                  for (int p = 0; p < 8; p++)
                    acc[p] = _mm512_fmadd_ps (_mm512_set1_ps (r[off[p] + k]), wv, acc[p]);
                }
            }
          /* whole tiles with plain stores: the masked store of all
           * sixteen lanes measured 7-10% slower on the first convolution */
          if (left >= 16)
            {
#pragma GCC unroll 8
              for (int p = 0; p < 8; p++)
                if ((size_t) p < mr)
                  _mm512_storeu_ps (c + (i + (size_t) p) * c_stride + n0,
                                    qvk_f32_epilogue_avx512 (acc[p], &act));
            }
          else
            {
#pragma GCC unroll 8
              for (int p = 0; p < 8; p++)
                if ((size_t) p < mr)
                  _mm512_mask_storeu_ps (c + (i + (size_t) p) * c_stride + n0, m,
                                         qvk_f32_epilogue_avx512 (acc[p], &act));
            }
        }
    }
}

void
qvk_f32_convrows_minmax_ukernel_8x16__avx512 (
    size_t n, size_t nc, size_t row_c, size_t taps, const float *const *rows, size_t step,
    const float *weights, float *c, size_t c_stride, const qvk_f32_act_params *params)
{
  /* the usual first convolutions: 3x3 over 3 channels, 3x3 over one */
  if (taps == 3 && row_c == 9)
    convrows_body (3, 9, n, nc, row_c, taps, rows, step, weights, c, c_stride, params);
  else if (taps == 3 && row_c == 3)
    convrows_body (3, 3, n, nc, row_c, taps, rows, step, weights, c, c_stride, params);
  else
    convrows_body (0, 0, n, nc, row_c, taps, rows, step, weights, c, c_stride, params);
}
