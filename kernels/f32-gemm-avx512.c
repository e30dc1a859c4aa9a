/* f32-gemm-avx512.c: float GEMM and indirect GEMM micro-kernels, AVX-512.
 *
 * Register tile of MR rows x NR columns (NR = 16 or 32: one or two zmm per
 * row), held in MR * NR / 16 accumulators.  For each reduction step the NR
 * packed weights are loaded once and every row's value is broadcast into an
 * FMA, so the loop issues MR * NR / 16 FMAs per NR / 16 + MR loads.  Weights
 * are packed per NR-column tile as [bias][taps][kc][NR] (qvk_f32_gemm_pack).
 *
 * Rows beyond mr repeat the last row (their pointers, both in and out, are
 * the last row's), so the tile is always full width in registers and the
 * extra rows store the same values to the same place.  The indirect variant
 * takes each row's input through pointers the driver resolved from the
 * indirection table, one per (row, tap).
 */
#include "qvk-f32-epilogue.h"

static inline __attribute__ ((always_inline)) void
gemm_body (const int MR, const int NV, size_t nc, size_t kc, size_t taps,
           const float *const *const *rows, const float *w, float *const *crow,
           const qvk_f32_act_params *params)
{
  const size_t nr = 16 * (size_t) NV;
  const qvk_f32_act_params act = *params;

  for (size_t n0 = 0; n0 < nc; n0 += nr)
    {
      /* Fixed sizes (MR and NV are constants after inlining) keep the
         tile in registers; a variable-length array would live in memory. */
      __m512 acc[8][2];

#pragma GCC unroll 2
      for (int v = 0; v < NV; v++)
        {
          const __m512 b = _mm512_loadu_ps (w + 16 * v);
#pragma GCC unroll 8
          for (int r = 0; r < MR; r++)
            acc[r][v] = b;
        }
      w += nr;

      for (size_t t = 0; t < taps; t++)
        {
          const float *a[8];
#pragma GCC unroll 8
          for (int r = 0; r < MR; r++)
            a[r] = rows[r][t];

          for (size_t k = 0; k < kc; k++)
            {
              __m512 wv[2];
#pragma GCC unroll 2
              for (int v = 0; v < NV; v++)
                wv[v] = _mm512_loadu_ps (w + 16 * v);
              w += nr;
#pragma GCC unroll 8
              for (int r = 0; r < MR; r++)
                {
                  const __m512 av = _mm512_set1_ps (a[r][k]);
#pragma GCC unroll 2
                  for (int v = 0; v < NV; v++)
                    acc[r][v] = _mm512_fmadd_ps (av, wv[v], acc[r][v]);
                }
            }
        }

      const size_t left = nc - n0;
      if (left >= nr)
        {
#pragma GCC unroll 8
          for (int r = 0; r < MR; r++)
#pragma GCC unroll 2
            for (int v = 0; v < NV; v++)
              _mm512_storeu_ps (crow[r] + n0 + 16 * v,
                                qvk_f32_epilogue_avx512 (acc[r][v], &act));
        }
      else
        {
#pragma GCC unroll 2
          for (int v = 0; v < NV; v++)
            {
              const size_t lv = left > 16 * (size_t) v ? left - 16 * (size_t) v : 0;
              const __mmask16 m = lv >= 16 ? (__mmask16) 0xffff
                                           : (__mmask16) ((1u << lv) - 1);
#pragma GCC unroll 8
              for (int r = 0; r < MR; r++)
                _mm512_mask_storeu_ps (crow[r] + n0 + 16 * v, m,
                                       qvk_f32_epilogue_avx512 (acc[r][v], &act));
            }
        }
    }
}

#define DEFINE_F32_GEMM(MR, NR)                                               \
  void                                                                        \
  qvk_f32_gemm_minmax_ukernel_##MR##x##NR##__avx512 (                         \
      size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,       \
      const float *weights, float *c, size_t c_stride,                        \
      const qvk_f32_act_params *params)                                       \
  {                                                                           \
    const float *row[MR];                                                     \
    const float *const *rows[MR];                                             \
    float *crow[MR];                                                          \
    for (int r = 0; r < MR; r++)                                              \
      {                                                                       \
        const size_t rr = (size_t) r < mr ? (size_t) r : mr - 1;              \
        row[r] = a + rr * a_stride;                                           \
        rows[r] = &row[r];                                                    \
        crow[r] = c + rr * c_stride;                                          \
      }                                                                       \
    gemm_body (MR, NR / 16, nc, kc, 1, rows, weights, crow, params);          \
  }                                                                           \
                                                                              \
  void                                                                        \
  qvk_f32_igemm_minmax_ukernel_##MR##x##NR##__avx512 (                        \
      size_t mr, size_t nc, size_t kc, size_t taps, const float *const *ind,  \
      size_t ind_step, const float *weights, float *c, size_t c_stride,       \
      const qvk_f32_act_params *params)                                       \
  {                                                                           \
    const float *const *rows[MR];                                             \
    float *crow[MR];                                                          \
    for (int r = 0; r < MR; r++)                                              \
      {                                                                       \
        const size_t rr = (size_t) r < mr ? (size_t) r : mr - 1;              \
        rows[r] = ind + rr * ind_step;                                        \
        crow[r] = c + rr * c_stride;                                          \
      }                                                                       \
    gemm_body (MR, NR / 16, nc, kc, taps, rows, weights, crow, params);       \
  }

DEFINE_F32_GEMM (8, 32)
DEFINE_F32_GEMM (8, 16)
