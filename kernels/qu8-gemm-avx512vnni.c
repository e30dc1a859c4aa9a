/* qu8-gemm-avx512vnni.c: int8 GEMM and indirect GEMM micro-kernels,
 * AVX-512 VNNI.
 *
 * Register tile of MR rows x NR columns in int32 accumulators.  Weights are
 * packed per NR-column tile as [int32 bias][float scale][taps][kc/4][NR][4]
 * (qvk_qu8_gemm_pack): each 64-byte vector holds four reduction steps of
 * sixteen columns, exactly the operand layout of vpdpbusd, and four uint8
 * activations of a row broadcast to every dword lane make the other
 * operand.  One vpdpbusd thus does 64 multiply-accumulates.  The input
 * zero-point correction -z_in * sum(w) is in the packed bias.
 *
 * When kc is not a multiple of 4, the last group of a GEMM row reads only
 * its kc % 4 real bytes with a masked load, which does not fault past the
 * end of the input; an indirect GEMM row is read whole, its driver having
 * made sure the bytes are there.  The packed weights there are zero.
 * Requantization is qvk_qu8_requantize in vector form
 * (qvk-qu8-epilogue-avx512.h), or with float_output the fp32 product and
 * the relu/clip bounds; rows beyond mr repeat the last row.
 */
#include "qvk-ukernels.h"

#include <immintrin.h>
#include <string.h>

#include "qvk-qu8-epilogue-avx512.h"

static inline __attribute__ ((always_inline)) void
gemm_body (const int MR, const int NV, const int clamp, size_t nc, size_t kc, size_t taps,
           const int whole_tail, const uint8_t *const *const *rows, const uint8_t *w, uint8_t *const *crow,
           const qvk_qu8_requant_minmax *params)
{
  const size_t nr = 16 * (size_t) NV;
  const size_t k4 = kc / 4 * 4;
  /* groups read whole: all of them when the rows allow it */
  const size_t k_whole = whole_tail ? (kc + 3) / 4 * 4 : k4;
  const __mmask16 tail = (__mmask16) ((1u << (kc - k4)) - 1);
  __m512i zp, lo, hi, zp16, lo8, hi8;
  const int bytes = qvk_qu8_requant_consts_avx512 (params, &zp, &lo, &hi, &zp16, &lo8, &hi8);

  for (size_t n0 = 0; n0 < nc; n0 += nr)
    {
      /* Fixed sizes (MR and NV are constants after inlining) keep the
         tile in registers; a variable-length array would live in memory. */
      __m512i acc[8][2];
      __m512 scale[2];

#pragma GCC unroll 2
      for (int v = 0; v < NV; v++)
        {
          const __m512i b = _mm512_loadu_si512 (w + 64 * v);
          scale[v] = _mm512_loadu_ps (w + nr * 4 + 64 * v);
#pragma GCC unroll 8
          for (int r = 0; r < MR; r++)
            acc[r][v] = b;
        }
      w += nr * 8;

      for (size_t t = 0; t < taps; t++)
        {
          const uint8_t *a[8];
#pragma GCC unroll 8
          for (int r = 0; r < MR; r++)
            a[r] = rows[r][t];

          for (size_t k = 0; k < k_whole; k += 4)
            {
              __m512i wv[2];
#pragma GCC unroll 2
              for (int v = 0; v < NV; v++)
                wv[v] = _mm512_loadu_si512 (w + 64 * v);
              w += nr * 4;
#pragma GCC unroll 8
              for (int r = 0; r < MR; r++)
                {
                  const __m512i av = qvk_qu8_broadcast4_avx512 (a[r] + k);
#pragma GCC unroll 2
                  for (int v = 0; v < NV; v++)
                    acc[r][v] = _mm512_dpbusd_epi32 (acc[r][v], av, wv[v]);
                }
            }
          if (k_whole < kc)
            {
              __m512i wv[2];
#pragma GCC unroll 2
              for (int v = 0; v < NV; v++)
                wv[v] = _mm512_loadu_si512 (w + 64 * v);
              w += nr * 4;
#pragma GCC unroll 8
              for (int r = 0; r < MR; r++)
                {
                  const __m512i av = _mm512_broadcastd_epi32 (
                      _mm_maskz_loadu_epi8 (tail, a[r] + k4));
#pragma GCC unroll 2
                  for (int v = 0; v < NV; v++)
                    acc[r][v] = _mm512_dpbusd_epi32 (acc[r][v], av, wv[v]);
                }
            }
        }

      const size_t left = nc - n0;
      if (params->float_output)
        {
          const __m512 flo = _mm512_set1_ps (params->float_min);
          const __m512 fhi = _mm512_set1_ps (params->float_max);
#pragma GCC unroll 2
          for (int v = 0; v < NV; v++)
            {
              const size_t lv = left > 16 * (size_t) v ? left - 16 * (size_t) v : 0;
              const __mmask16 m = lv >= 16 ? (__mmask16) 0xffff
                                           : (__mmask16) ((1u << lv) - 1);
#pragma GCC unroll 8
              for (int r = 0; r < MR; r++)
                {
                  __m512 f = _mm512_mul_ps (_mm512_cvtepi32_ps (acc[r][v]), scale[v]);
                  f = _mm512_min_ps (_mm512_max_ps (f, flo), fhi);
                  _mm512_mask_storeu_ps ((float *) crow[r] + n0 + 16 * v, m, f);
                }
            }
          continue;
        }
      if (bytes && left >= nr && MR % (4 / NV) == 0)
        {
          /* whole tiles: four vectors at a time (four rows of 16 columns,
           * or two of 32) through one pair of packs */
#pragma GCC unroll 8
          for (int r = 0; r < MR; r += 4 / NV)
            {
              const __m512i q =
                NV == 1 ? qvk_qu8_requantize4_clamp_avx512 (acc[r][0], acc[r + 1][0],
                                                            acc[r + 2][0], acc[r + 3][0],
                                                            scale[0], scale[0], zp16, lo8, hi8,
                                                            clamp)
                        : qvk_qu8_requantize4_clamp_avx512 (acc[r][0], acc[r][1], acc[r + 1][0],
                                                            acc[r + 1][1], scale[0], scale[1],
                                                            zp16, lo8, hi8, clamp);

              if (NV == 1)
                {
                  _mm_storeu_si128 ((__m128i *) (crow[r] + n0), _mm512_castsi512_si128 (q));
                  _mm_storeu_si128 ((__m128i *) (crow[r + 1] + n0),
                                    _mm512_extracti32x4_epi32 (q, 1));
                  _mm_storeu_si128 ((__m128i *) (crow[r + 2] + n0),
                                    _mm512_extracti32x4_epi32 (q, 2));
                  _mm_storeu_si128 ((__m128i *) (crow[r + 3] + n0),
                                    _mm512_extracti32x4_epi32 (q, 3));
                }
              else
                {
                  _mm256_storeu_si256 ((__m256i *) (crow[r] + n0), _mm512_castsi512_si256 (q));
                  _mm256_storeu_si256 ((__m256i *) (crow[r + 1] + n0),
                                       _mm512_extracti64x4_epi64 (q, 1));
                }
            }
          continue;
        }
#pragma GCC unroll 2
      for (int v = 0; v < NV; v++)
        {
          const size_t lv = left > 16 * (size_t) v ? left - 16 * (size_t) v : 0;
          const __mmask16 m = lv >= 16 ? (__mmask16) 0xffff
                                       : (__mmask16) ((1u << lv) - 1);
#pragma GCC unroll 8
          for (int r = 0; r < MR; r++)
            {
              const __m128i q = qvk_qu8_narrow_u8_avx512 (
                  qvk_qu8_requantize_avx512 (acc[r][v], scale[v], zp, lo, hi));
              if (lv >= 16)
                _mm_storeu_si128 ((__m128i *) (crow[r] + n0 + 16 * v), q);
              else
                _mm_mask_storeu_epi8 (crow[r] + n0 + 16 * v, m, q);
            }
        }
    }
}

/* One block of a GEMM call, with the byte clamp or without */
#define BLOCK_8x32_1(rows, crow, p) gemm_body (8, 2, 1, nc, kc, 1, 0, rows, weights, crow, p)
#define BLOCK_8x32_0(rows, crow, p) gemm_body (8, 2, 0, nc, kc, 1, 0, rows, weights, crow, p)
#define BLOCK_8x16_1(rows, crow, p) gemm_body (8, 1, 1, nc, kc, 1, 0, rows, weights, crow, p)
#define BLOCK_8x16_0(rows, crow, p) gemm_body (8, 1, 0, nc, kc, 1, 0, rows, weights, crow, p)

#define DEFINE_QU8_GEMM(MR, NR)                                               \
  void                                                                        \
  qvk_qu8_gemm_minmax_ukernel_##MR##x##NR##c4__avx512vnni (                   \
      size_t mr, size_t nc, size_t kc, const uint8_t *a, size_t a_stride,     \
      const void *weights, uint8_t *c, size_t c_stride,                       \
      const qvk_qu8_requant_minmax *params)                                   \
  {                                                                           \
    if (qvk_qu8_requant_clamps (params))                                      \
      QVK_QU8_GEMM_BLOCKS (MR, mr, a, a_stride, c, c_stride, params, BLOCK_##MR##x##NR##_1); \
    else                                                                      \
      QVK_QU8_GEMM_BLOCKS (MR, mr, a, a_stride, c, c_stride, params, BLOCK_##MR##x##NR##_0); \
  }                                                                           \
                                                                              \
  void                                                                        \
  qvk_qu8_igemm_minmax_ukernel_##MR##x##NR##c4__avx512vnni (                  \
      size_t mr, size_t nc, size_t kc, size_t taps,                           \
      const uint8_t *const *ind, size_t ind_step, const void *weights,        \
      uint8_t *c, size_t c_stride, const qvk_qu8_requant_minmax *params)      \
  {                                                                           \
    const uint8_t *const *rows[MR];                                           \
    uint8_t *crow[MR];                                                        \
    for (int r = 0; r < MR; r++)                                              \
      {                                                                       \
        const size_t rr = (size_t) r < mr ? (size_t) r : mr - 1;              \
        rows[r] = ind + rr * ind_step;                                        \
        crow[r] = c + rr * c_stride * (params->float_output ? 4 : 1);         \
      }                                                                       \
    if (qvk_qu8_requant_clamps (params))                                      \
      gemm_body (MR, NR / 16, 1, nc, kc, taps, 1, rows, weights, crow, params); \
    else                                                                      \
      gemm_body (MR, NR / 16, 0, nc, kc, taps, 1, rows, weights, crow, params); \
  }

DEFINE_QU8_GEMM (8, 32)
DEFINE_QU8_GEMM (8, 16)
