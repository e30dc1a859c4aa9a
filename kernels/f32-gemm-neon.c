/* f32-gemm-neon.c: float GEMM and indirect GEMM micro-kernels, NEON FMA.
 *
 * A 6 x 16 register tile: 24 of the 32 vector registers hold accumulators,
 * four the packed weights of a reduction step; each input value multiplies
 * them by element (fmla v.4s, v.4s, v.s[0]).  Layout, row repetition and
 * the indirection are those of f32-gemm-avx2.c.
 */
#include "qvk-f32-epilogue-neon.h"

#define MR 6

static inline __attribute__ ((always_inline)) void
gemm_body (size_t nc, size_t kc, size_t taps, const float *const *const *rows,
           const float *w, float *const *crow, const qvk_f32_act_params *params)
{
  const qvk_f32_act_params act = *params;

  for (size_t n0 = 0; n0 < nc; n0 += 16)
    {
      float32x4_t acc[MR][4];
      const float32x4_t b0 = vld1q_f32 (w);
      const float32x4_t b1 = vld1q_f32 (w + 4);
      const float32x4_t b2 = vld1q_f32 (w + 8);
      const float32x4_t b3 = vld1q_f32 (w + 12);

#pragma GCC unroll 6
      for (int r = 0; r < MR; r++)
        {
          acc[r][0] = b0;
          acc[r][1] = b1;
          acc[r][2] = b2;
          acc[r][3] = b3;
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
              const float32x4_t w0 = vld1q_f32 (w);
              const float32x4_t w1 = vld1q_f32 (w + 4);
              const float32x4_t w2 = vld1q_f32 (w + 8);
              const float32x4_t w3 = vld1q_f32 (w + 12);
              w += 16;
#pragma GCC unroll 6
              for (int r = 0; r < MR; r++)
                {
                  const float av = a[r][k];
                  acc[r][0] = vfmaq_n_f32 (acc[r][0], w0, av);
                  acc[r][1] = vfmaq_n_f32 (acc[r][1], w1, av);
                  acc[r][2] = vfmaq_n_f32 (acc[r][2], w2, av);
                  acc[r][3] = vfmaq_n_f32 (acc[r][3], w3, av);
                }
            }
        }

      const size_t left = nc - n0 < 16 ? nc - n0 : 16;
      /* every index a constant: an accumulator indexed by a variable puts
       * the whole array on the stack, stored at every step of the loop
       * above */
#pragma GCC unroll 6
      for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
        for (int q = 0; q < 4; q++)
          if (4 * (size_t) q < left)
            {
              const float32x4_t v = qvk_f32_epilogue_neon (acc[r][q], &act);
              if (left - 4 * q >= 4)
                vst1q_f32 (crow[r] + n0 + 4 * q, v);
              else
                qvk_f32_store_partial_neon (crow[r] + n0 + 4 * q, v, left - 4 * q);
            }
    }
}

void
qvk_f32_gemm_minmax_ukernel_6x16__neon (size_t mr, size_t nc, size_t kc,
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
qvk_f32_igemm_minmax_ukernel_6x16__neon (size_t mr, size_t nc, size_t kc,
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
