/* qu8-gemm-avx2.c: int8 GEMM and indirect GEMM micro-kernels, AVX2, exact.
 *
 * A 4 x 16 tile of int32 accumulators.  Weights are packed as int16 pairs of
 * consecutive reduction steps, [int32 bias][float scale][taps][kc/2][16][2]
 * (qvk_qu8_gemm_pack with kr 2), and each row's uint8 activations are
 * zero-extended eight at a time and broadcast pair by pair, so vpmaddwd
 * adds exactly two products per lane with no saturation (vpmaddubsw could
 * saturate and is not used).  A GEMM row's reduction tail shorter than
 * eight is read byte by byte into a zeroed buffer, never past the row; an
 * indirect GEMM row's is read in whole groups of four, which its driver
 * guarantees are there.  Where there is more than one tile of 16 columns
 * and the four rows fit WIDE_MAX, the rows are widened to int16 once and
 * every pair is a broadcast from memory (wide_tap), read exactly, no
 * tail past kc.  The input
 * zero-point correction is in the bias; requantization is
 * qvk_qu8_requantize in vector form (or, with float_output, the fp32
 * product and the relu/clip bounds); rows beyond mr repeat the last row.
 */
#include "qvk-ukernels.h"

#include <immintrin.h>
#include <string.h>

#include "qvk-qu8-epilogue-avx2.h"

#define MR 4

/* Eight activations as int16, the same four pairs in both 128-bit lanes.
 * Of fewer than eight, whole_tail reads n rounded up to 4 (an indirect GEMM
 * row guarantees that much); otherwise the n bytes alone. */
static inline __m256i
load8_u8 (const uint8_t *p, size_t n, int whole_tail)
{
  __m128i v;
  if (n >= 8 || (whole_tail && n > 4))
    v = _mm_loadl_epi64 ((const __m128i *) p);
  else if (whole_tail)
    {
      int32_t x;
      memcpy (&x, p, sizeof x);
      v = _mm_cvtsi32_si128 (x);
    }
  else
    {
      uint8_t tmp[8] = { 0 };
      memcpy (tmp, p, n);
      v = _mm_loadl_epi64 ((const __m128i *) tmp);
    }
  return _mm256_broadcastsi128_si256 (_mm_cvtepu8_epi16 (v));
}

/* One row's pairs 0 .. np - 1 of eight activations x against the weights
 * at w, read from memory: kept in registers for all four rows, the weights
 * and the rows' activations were more than the sixteen registers hold, and
 * GCC spilled the products around every vpmaddwd. */
static inline __attribute__ ((always_inline)) void
row_pairs (__m256i acc[2], __m256i x, const int16_t *w, int np)
{
  /* the weights are read afresh for every row, not held across rows */
  __asm__ volatile ("" : "+r"(w));
#define ROW_PAIR(J)                                                           \
  if (np > (J))                                                               \
    {                                                                         \
      const __m256i av = _mm256_shuffle_epi32 (x, (J) * 0x55);                \
      const __m256i *wj = (const __m256i *) (w + 32 * (J));                   \
      acc[0] = _mm256_add_epi32 (acc[0], _mm256_madd_epi16 (av, _mm256_loadu_si256 (wj))); \
      acc[1] = _mm256_add_epi32 (acc[1], _mm256_madd_epi16 (av, _mm256_loadu_si256 (wj + 1))); \
    }
  ROW_PAIR (0)
  ROW_PAIR (1)
  ROW_PAIR (2)
  ROW_PAIR (3)
#undef ROW_PAIR
}

/* The rows widened once (WIDE_MAX bytes on the stack at most): each
 * pair of activations is then one vpbroadcastd from memory, a load with
 * no shuffle, instead of a shuffle of a register widened again for every
 * tile of 16 columns; the four rows' pairs share two weight registers.
 * bench-kernels, 1x1 layers of 112-960 channels: 60 -> 83-87 GMAC/s. */
#define WIDE_MAX (48 * 1024)

/* n activations from p as int16 at dst, then zeros up to an even count. */
static inline void
widen_row (int16_t *dst, const uint8_t *p, size_t n)
{
  size_t k = 0;

  for (; k + 16 <= n; k += 16)
    _mm256_storeu_si256 ((__m256i *) (dst + k),
                         _mm256_cvtepu8_epi16 (_mm_loadu_si128 ((const __m128i *) (p + k))));
  for (; k < n; k++)
    dst[k] = p[k];
  if (n % 2 != 0)
    dst[n] = 0;
}

/* The pairs of one tap: each pair's 16 x 2 weights in two registers,
 * each row's pair broadcast from memory, eight vpmaddwd and eight adds
 * into the accumulators.  In assembly on x86-64: compiled from C, the
 * adds were regrouped into trees with register copies and a spill
 * around them. */
static inline __attribute__ ((always_inline)) const int16_t *
wide_tap (__m256i acc[MR][2], const int16_t *const *x, size_t pairs, const int16_t *w)
{
#if defined(__x86_64__)
  if (pairs > 0)
    {
      size_t i = 0;
      __asm__ ("1:\n\t"
               "vmovdqu (%[w]), %%ymm0\n\t"
               "vmovdqu 32(%[w]), %%ymm1\n\t"
               "vpbroadcastd (%[x0],%[i]), %%ymm2\n\t"
               "vpbroadcastd (%[x1],%[i]), %%ymm3\n\t"
               "vpmaddwd %%ymm0, %%ymm2, %%ymm4\n\t"
               "vpmaddwd %%ymm1, %%ymm2, %%ymm5\n\t"
               "vpmaddwd %%ymm0, %%ymm3, %%ymm6\n\t"
               "vpmaddwd %%ymm1, %%ymm3, %%ymm7\n\t"
               "vpaddd %%ymm4, %[a00], %[a00]\n\t"
               "vpaddd %%ymm5, %[a01], %[a01]\n\t"
               "vpaddd %%ymm6, %[a10], %[a10]\n\t"
               "vpaddd %%ymm7, %[a11], %[a11]\n\t"
               "vpbroadcastd (%[x2],%[i]), %%ymm2\n\t"
               "vpbroadcastd (%[x3],%[i]), %%ymm3\n\t"
               "vpmaddwd %%ymm0, %%ymm2, %%ymm4\n\t"
               "vpmaddwd %%ymm1, %%ymm2, %%ymm5\n\t"
               "vpmaddwd %%ymm0, %%ymm3, %%ymm6\n\t"
               "vpmaddwd %%ymm1, %%ymm3, %%ymm7\n\t"
               "vpaddd %%ymm4, %[a20], %[a20]\n\t"
               "vpaddd %%ymm5, %[a21], %[a21]\n\t"
               "vpaddd %%ymm6, %[a30], %[a30]\n\t"
               "vpaddd %%ymm7, %[a31], %[a31]\n\t"
               "add $64, %[w]\n\t"
               "add $4, %[i]\n\t"
               "cmp %[end], %[i]\n\t"
               "jne 1b\n\t"
               : [a00] "+x"(acc[0][0]), [a01] "+x"(acc[0][1]),
                 [a10] "+x"(acc[1][0]), [a11] "+x"(acc[1][1]),
                 [a20] "+x"(acc[2][0]), [a21] "+x"(acc[2][1]),
                 [a30] "+x"(acc[3][0]), [a31] "+x"(acc[3][1]),
                 [w] "+r"(w), [i] "+r"(i)
               : [x0] "r"(x[0]), [x1] "r"(x[1]), [x2] "r"(x[2]), [x3] "r"(x[3]),
                 [end] "r"(pairs * 4)
               : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                 "cc", "memory");
    }
  return w;
#else
  for (size_t p = 0; p < pairs; p++, w += 32)
    {
      const __m256i w0 = _mm256_loadu_si256 ((const __m256i *) w);
      const __m256i w1 = _mm256_loadu_si256 ((const __m256i *) (w + 16));
      for (int r = 0; r < MR; r++)
        {
          int32_t pair;
          memcpy (&pair, x[r] + 2 * p, sizeof pair);
          const __m256i b = _mm256_set1_epi32 (pair);
          acc[r][0] = _mm256_add_epi32 (acc[r][0], _mm256_madd_epi16 (b, w0));
          acc[r][1] = _mm256_add_epi32 (acc[r][1], _mm256_madd_epi16 (b, w1));
        }
    }
  return w;
#endif
}

/* WIDE a constant: the rows widened at xw (see wide_tap), or read from
 * rows as they are. */
static inline __attribute__ ((always_inline)) void
gemm_body (const int WIDE, const int16_t *xw, size_t nc, size_t kc, size_t taps,
           int whole_tail, const uint8_t *const *const *rows,
           const int16_t *w, uint8_t *const *crow,
           const qvk_qu8_requant_minmax *params)
{
  const size_t k8 = kc / 8 * 8;
  const size_t tail_pairs = (kc - k8 + 1) / 2;
  const __m256i zp = _mm256_set1_epi32 (params->output_zero_point);
  const __m256i lo = _mm256_set1_epi32 (params->output_min);
  const __m256i hi = _mm256_set1_epi32 (params->output_max);

  const size_t pairs = (kc + 1) / 2;

  for (size_t n0 = 0; n0 < nc; n0 += 16)
    {
      __m256i acc[MR][2];
      const __m256i b0 = _mm256_loadu_si256 ((const __m256i *) w);
      const __m256i b1 = _mm256_loadu_si256 ((const __m256i *) (w + 16));
      const __m256 s0 = _mm256_loadu_ps ((const float *) (w + 32));
      const __m256 s1 = _mm256_loadu_ps ((const float *) (w + 48));

      for (int r = 0; r < MR; r++)
        {
          acc[r][0] = b0;
          acc[r][1] = b1;
        }
      w += 64;

      for (size_t t = 0; WIDE && t < taps; t++)
        {
          const int16_t *x[MR];
          for (int r = 0; r < MR; r++)
            x[r] = xw + (r * taps + t) * pairs * 2;
          w = wide_tap (acc, x, pairs, w);
        }
      for (size_t t = 0; !WIDE && t < taps; t++)
        {
          const uint8_t *a[MR];
          for (int r = 0; r < MR; r++)
            a[r] = rows[r][t];

          for (size_t k = 0; k < k8; k += 8, w += 128)
            for (int r = 0; r < MR; r++)
              row_pairs (acc[r], load8_u8 (a[r] + k, 8, 0), w, 4);
          if (tail_pairs > 0)
            {
              for (int r = 0; r < MR; r++)
                row_pairs (acc[r], load8_u8 (a[r] + k8, kc - k8, whole_tail), w,
                           (int) tail_pairs);
              w += 32 * tail_pairs;
            }
        }

      const size_t left = nc - n0;
      if (params->float_output)
        {
          const __m256 flo = _mm256_set1_ps (params->float_min);
          const __m256 fhi = _mm256_set1_ps (params->float_max);
          for (int r = 0; r < MR; r++)
            {
              float f[16];
              _mm256_storeu_ps (f, _mm256_min_ps (_mm256_max_ps (
                  _mm256_mul_ps (_mm256_cvtepi32_ps (acc[r][0]), s0), flo), fhi));
              _mm256_storeu_ps (f + 8, _mm256_min_ps (_mm256_max_ps (
                  _mm256_mul_ps (_mm256_cvtepi32_ps (acc[r][1]), s1), flo), fhi));
              memcpy ((float *) crow[r] + n0, f, (left >= 16 ? 16 : left) * sizeof (float));
            }
          continue;
        }
      for (int r = 0; r < MR; r++)
        {
          const __m128i q8 =
            qvk_qu8_narrow16_avx2 (qvk_qu8_requantize_avx2 (acc[r][0], s0, zp, lo, hi),
                                   qvk_qu8_requantize_avx2 (acc[r][1], s1, zp, lo, hi));
          if (left >= 16)
            _mm_storeu_si128 ((__m128i *) (crow[r] + n0), q8);
          else
            qvk_store_bytes_lt16 (crow[r] + n0, q8, left);
        }
    }
}

/* The rows widened on this function's stack, then the body on them. */
static __attribute__ ((noinline)) void
gemm_wide (size_t nc, size_t kc, size_t taps, const uint8_t *const *const *rows,
           const int16_t *w, uint8_t *const *crow, const qvk_qu8_requant_minmax *params)
{
  const size_t pairs = (kc + 1) / 2;
  int16_t xw[MR * taps * pairs * 2];

  for (int r = 0; r < MR; r++)
    for (size_t t = 0; t < taps; t++)
      widen_row (xw + (r * taps + t) * pairs * 2, rows[r][t], kc);
  gemm_body (1, xw, nc, kc, taps, 0, rows, w, crow, params);
}

/* Widened rows over more than one tile of 16 columns (one tile reads each
 * row once: widening it first does not pay, 16->16 @128 35 GMAC/s against
 * 40), within WIDE_MAX; the rows as they are otherwise. */
static inline __attribute__ ((always_inline)) void
gemm_run (size_t nc, size_t kc, size_t taps, int whole_tail,
          const uint8_t *const *const *rows, const int16_t *w, uint8_t *const *crow,
          const qvk_qu8_requant_minmax *params)
{
  if (nc > 16 && MR * taps * ((kc + 1) / 2) * 4 <= WIDE_MAX)
    gemm_wide (nc, kc, taps, rows, w, crow, params);
  else
    gemm_body (0, NULL, nc, kc, taps, whole_tail, rows, w, crow, params);
}

void
qvk_qu8_gemm_minmax_ukernel_4x16c2__avx2 (size_t mr, size_t nc, size_t kc,
                                          const uint8_t *a, size_t a_stride,
                                          const void *weights, uint8_t *c,
                                          size_t c_stride,
                                          const qvk_qu8_requant_minmax *params)
{
#define BLOCK(rows, crow, p) gemm_run (nc, kc, 1, 0, rows, weights, crow, p)
  QVK_QU8_GEMM_BLOCKS (MR, mr, a, a_stride, c, c_stride, params, BLOCK);
#undef BLOCK
}

void
qvk_qu8_igemm_minmax_ukernel_4x16c2__avx2 (size_t mr, size_t nc, size_t kc,
                                           size_t taps,
                                           const uint8_t *const *ind,
                                           size_t ind_step, const void *weights,
                                           uint8_t *c, size_t c_stride,
                                           const qvk_qu8_requant_minmax *params)
{
  const uint8_t *const *rows[MR];
  uint8_t *crow[MR];

  for (int r = 0; r < MR; r++)
    {
      const size_t rr = (size_t) r < mr ? (size_t) r : mr - 1;
      rows[r] = ind + rr * ind_step;
      crow[r] = c + rr * c_stride * (params->float_output ? 4 : 1);
    }
  gemm_run (nc, kc, taps, 1, rows, weights, crow, params);
}
