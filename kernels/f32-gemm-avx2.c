/* f32-gemm-avx2.c: float GEMM and indirect GEMM micro-kernels, AVX2 + FMA.
 *
 * A 6 x 16 register tile: twelve ymm accumulators, two for the packed
 * weights of a reduction step and one for the broadcast input value, which
 * is all sixteen ymm registers but one.  Layout, row repetition and the
 * indirection are those of f32-gemm-avx512.c.
 */
#include "qvk-f32-epilogue.h"

#define MR 6

static inline __m256i
tail_mask (size_t n)
{
  const __m256i lanes = _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32 (_mm256_set1_epi32 ((int) (n < 8 ? n : 8)), lanes);
}

static inline __attribute__ ((always_inline)) void
gemm_body (size_t nc, size_t kc, size_t taps, const float *const *const *rows,
           const float *w, float *const *crow, const qvk_f32_act_params *params)
{
  const qvk_f32_act_params act = *params;

  for (size_t n0 = 0; n0 < nc; n0 += 16)
    {
      __m256 acc[MR][2];
      const __m256 b0 = _mm256_loadu_ps (w);
      const __m256 b1 = _mm256_loadu_ps (w + 8);

#pragma GCC unroll 6
      for (int r = 0; r < MR; r++)
        {
          acc[r][0] = b0;
          acc[r][1] = b1;
        }
      w += 16;

      for (size_t t = 0; t < taps; t++)
        {
          const float *a[MR];
#pragma GCC unroll 6
          for (int r = 0; r < MR; r++)
            a[r] = rows[r][t];

          for (size_t k = 0; k < kc; k++)
            {
              const __m256 w0 = _mm256_loadu_ps (w);
              const __m256 w1 = _mm256_loadu_ps (w + 8);
              w += 16;
#pragma GCC unroll 6
              for (int r = 0; r < MR; r++)
                {
                  const __m256 av = _mm256_broadcast_ss (a[r] + k);
                  acc[r][0] = _mm256_fmadd_ps (av, w0, acc[r][0]);
                  acc[r][1] = _mm256_fmadd_ps (av, w1, acc[r][1]);
                }
            }
        }

      const size_t left = nc - n0;
      if (left >= 16)
        {
#pragma GCC unroll 6
          for (int r = 0; r < MR; r++)
            {
              _mm256_storeu_ps (crow[r] + n0, qvk_f32_epilogue_avx2 (acc[r][0], &act));
              _mm256_storeu_ps (crow[r] + n0 + 8, qvk_f32_epilogue_avx2 (acc[r][1], &act));
            }
        }
      else
        {
          const __m256i m0 = tail_mask (left);
          const __m256i m1 = tail_mask (left > 8 ? left - 8 : 0);
#pragma GCC unroll 6
          for (int r = 0; r < MR; r++)
            {
              _mm256_maskstore_ps (crow[r] + n0, m0,
                                   qvk_f32_epilogue_avx2 (acc[r][0], &act));
              _mm256_maskstore_ps (crow[r] + n0 + 8, m1,
                                   qvk_f32_epilogue_avx2 (acc[r][1], &act));
            }
        }
    }
}

void
qvk_f32_gemm_minmax_ukernel_6x16__avx2 (size_t mr, size_t nc, size_t kc,
                                        const float *a, size_t a_stride,
                                        const float *weights, float *c,
                                        size_t c_stride,
                                        const qvk_f32_act_params *params)
{
  const float *row[MR];
  const float *const *rows[MR];
  float *crow[MR];

  for (int r = 0; r < MR; r++)
    {
      const size_t rr = (size_t) r < mr ? (size_t) r : mr - 1;
      row[r] = a + rr * a_stride;
      rows[r] = &row[r];
      crow[r] = c + rr * c_stride;
    }
  gemm_body (nc, kc, 1, rows, weights, crow, params);
}

void
qvk_f32_igemm_minmax_ukernel_6x16__avx2 (size_t mr, size_t nc, size_t kc,
                                         size_t taps, const float *const *ind,
                                         size_t ind_step, const float *weights,
                                         float *c, size_t c_stride,
                                         const qvk_f32_act_params *params)
{
  const float *const *rows[MR];
  float *crow[MR];

  for (int r = 0; r < MR; r++)
    {
      const size_t rr = (size_t) r < mr ? (size_t) r : mr - 1;
      rows[r] = ind + rr * ind_step;
      crow[r] = c + rr * c_stride;
    }
  gemm_body (nc, kc, taps, rows, weights, crow, params);
}
