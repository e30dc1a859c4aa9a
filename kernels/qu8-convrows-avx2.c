/* qu8-convrows-avx2.c: int8 convolution over kernel rows read in place
 * (few input channels), AVX2, exact.
 *
 * The AVX2 twin of qu8-convrows-avx512vnni.c, with the products formed as
 * the AVX2 GEMM forms them (qu8-gemm-avx2.c): a kernel row's bytes are
 * zero-extended to int16 eight at a time, straight from the input, and
 * broadcast pair by pair into vpmaddwd against sixteen output channels'
 * int16 weight pairs, so each lane adds exactly two products.  Four pixels
 * a pass; weights packed by qvk_qu8_gemm_pack with kr 2.  A row is read in
 * groups of eight bytes, the last one in four when no more than four are
 * left: never past the row rounded up to 4, which the driver guarantees;
 * the bytes after the row meet zero weights.
 */
#include "qvk-ukernels.h"

#include <immintrin.h>
#include <string.h>

#include "qvk-qu8-epilogue-avx2.h"

#define MR 4

/* Bytes p .. p + 7 (p .. p + 3 when left <= 4) as int16, the same four
 * pairs in both 128-bit lanes. */
static inline __m256i
load8_u8 (const uint8_t *p, size_t left)
{
  __m128i v;
  if (left > 4)
    v = _mm_loadl_epi64 ((const __m128i *) p);
  else
    {
      int32_t x;
      memcpy (&x, p, sizeof x);
      v = _mm_cvtsi32_si128 (x);
    }
  return _mm256_broadcastsi128_si256 (_mm_cvtepu8_epi16 (v));
}

/* Pair j of four as every dword of both lanes (a constant after
 * unrolling, so one in-lane shuffle). */
static inline __m256i
pair (__m256i x, size_t j)
{
  switch (j)
    {
    case 0:
      return _mm256_shuffle_epi32 (x, 0x00);
    case 1:
      return _mm256_shuffle_epi32 (x, 0x55);
    case 2:
      return _mm256_shuffle_epi32 (x, 0xaa);
    default:
      return _mm256_shuffle_epi32 (x, 0xff);
    }
}

/* TAPS and RB are constants after inlining (0: read from taps, row_bytes). */
static inline __attribute__ ((always_inline)) void
convrows_body (const size_t TAPS, const size_t RB, size_t n, size_t nc, size_t row_bytes,
               size_t taps, const uint8_t *const *rows, size_t step, const int16_t *w,
               uint8_t *c, size_t c_stride, const qvk_qu8_requant_minmax *params)
{
  const size_t nt = TAPS ? TAPS : taps, rb = RB ? RB : row_bytes;
  const size_t pairs = (rb + 1) / 2;
  const __m256i zp = _mm256_set1_epi32 (params->output_zero_point);
  const __m256i lo = _mm256_set1_epi32 (params->output_min);
  const __m256i hi = _mm256_set1_epi32 (params->output_max);

  for (size_t n0 = 0; n0 < nc; n0 += 16, w += 64 + nt * pairs * 32)
    {
      const __m256i b0 = _mm256_loadu_si256 ((const __m256i *) w);
      const __m256i b1 = _mm256_loadu_si256 ((const __m256i *) (w + 16));
      const __m256 s0 = _mm256_loadu_ps ((const float *) (w + 32));
      const __m256 s1 = _mm256_loadu_ps ((const float *) (w + 48));
      const size_t left = nc - n0;

      for (size_t i = 0; i < n; i += MR)
        {
          const size_t mr = n - i < MR ? n - i : MR;
          size_t off[MR];
          __m256i acc[MR][2];

#pragma GCC unroll 4
          for (int p = 0; p < MR; p++)
            {
              /* pixels beyond n repeat the last one, and are not stored */
              off[p] = (i + ((size_t) p < mr ? (size_t) p : mr - 1)) * step;
              acc[p][0] = b0;
              acc[p][1] = b1;
            }
#pragma GCC unroll 3
          for (size_t t = 0; t < nt; t++)
            {
              const int16_t *wt = w + 64 + t * pairs * 32;
#pragma GCC unroll 2
              for (size_t k = 0; k < rb; k += 8)
                {
                  __m256i x[MR];
#pragma GCC unroll 4
                  for (int p = 0; p < MR; p++)
                    x[p] = load8_u8 (rows[t] + off[p] + k, rb - k);
#pragma GCC unroll 4
                  for (size_t j = 0; j < 4; j++)
                    if (k / 2 + j < pairs)
                      {
                        const int16_t *wj = wt + (k / 2 + j) * 32;
                        const __m256i w0 = _mm256_loadu_si256 ((const __m256i *) wj);
                        const __m256i w1 = _mm256_loadu_si256 ((const __m256i *) (wj + 16));
#pragma GCC unroll 4
                        for (int p = 0; p < MR; p++)
                          {
                            const __m256i av = pair (x[p], j);
                            acc[p][0] = _mm256_add_epi32 (acc[p][0], _mm256_madd_epi16 (av, w0));
                            acc[p][1] = _mm256_add_epi32 (acc[p][1], _mm256_madd_epi16 (av, w1));
                          }
                      }
                }
            }
#pragma GCC unroll 4
          for (int p = 0; p < MR; p++)
            if ((size_t) p < mr)
              {
                const __m128i q8 =
                  qvk_qu8_narrow16_avx2 (qvk_qu8_requantize_avx2 (acc[p][0], s0, zp, lo, hi),
                                         qvk_qu8_requantize_avx2 (acc[p][1], s1, zp, lo, hi));
                uint8_t *o = c + (i + (size_t) p) * c_stride + n0;
                if (left >= 16)
                  _mm_storeu_si128 ((__m128i *) o, q8);
                else
                  qvk_store_bytes_lt16 (o, q8, left);
              }
        }
    }
}

void
qvk_qu8_convrows_minmax_ukernel_4x16c2__avx2 (
    size_t n, size_t nc, size_t row_bytes, size_t taps, const uint8_t *const *rows,
    size_t step, const void *weights, uint8_t *c, size_t c_stride,
    const qvk_qu8_requant_minmax *params)
{
  /* the usual first convolutions: 3x3 over 3 channels, 3x3 over one */
  if (taps == 3 && row_bytes == 9)
    convrows_body (3, 9, n, nc, row_bytes, taps, rows, step, weights, c, c_stride, params);
  else if (taps == 3 && row_bytes == 3)
    convrows_body (3, 3, n, nc, row_bytes, taps, rows, step, weights, c, c_stride, params);
  else
    convrows_body (0, 0, n, nc, row_bytes, taps, rows, step, weights, c, c_stride, params);
}
