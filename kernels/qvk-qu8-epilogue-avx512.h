/* qvk-qu8-epilogue-avx512.h: qvk_qu8_requantize on sixteen int32 lanes,
 * and on four vectors at a time to bytes, for the AVX-512 int8 kernels
 * (GEMM and depthwise).  cvtps_epi32 rounds to nearest even under the
 * default MXCSR, as lrintf does, so results are those of the scalar
 * reference bit for bit.
 */
#pragma once

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "qvk-ukernels.h"

/* acc x scale, rounded to int32. */
static inline __m512i
qvk_qu8_scale_round_avx512 (__m512i acc, __m512 scale)
{
  return _mm512_cvtps_epi32 (_mm512_mul_ps (_mm512_cvtepi32_ps (acc), scale));
}

/* qvk_qu8_requantize: rounded, the zero point added, clamped to lo .. hi. */
static inline __m512i
qvk_qu8_requantize_avx512 (__m512i acc, __m512 scale, __m512i zp, __m512i lo, __m512i hi)
{
  __m512i q = _mm512_add_epi32 (qvk_qu8_scale_round_avx512 (acc, scale), zp);
  q = _mm512_max_epi32 (q, lo);
  return _mm512_min_epi32 (q, hi);
}

/* 16 int32 values already clamped to 0..255, as 16 bytes in order.
 * vpmovdb would do it in one instruction, but compilers fuse it with the
 * store into its memory form, which is slow on some cores (AMD Zen 4). */
static inline __m128i
qvk_qu8_narrow_u8_avx512 (__m512i q)
{
  const __m512i w = _mm512_packs_epi32 (q, q);    /* per lane: q0-3 q0-3 */
  const __m512i b = _mm512_packus_epi16 (w, w);   /* per lane: (q0-3) x 4 */
  return _mm512_castsi512_si128 (
      _mm512_permutexvar_epi32 (_mm512_setr_epi32 (0, 4, 8, 12, 0, 0, 0, 0,
                                                   0, 0, 0, 0, 0, 0, 0, 0), b));
}

/* Four vectors of rounded int32 values to 64 bytes: packed with
 * saturation to int16, the zero point added with saturation, packed to
 * uint8 and clamped to the range as bytes.  That is
 * qvk_qu8_requantize_avx512's result for uint8 outputs (zero point and
 * range within 0..255): a value that saturates to int16 is far outside
 * 0..255 either way, and so is its sum with the zero point.  The packs
 * work within 128-bit lanes: lane L holds dwords L of q0, q1, q2, q3. */
static inline __m512i
qvk_qu8_pack_bytes4_avx512 (__m512i q0, __m512i q1, __m512i q2, __m512i q3, __m512i zp16,
                            __m512i lo8, __m512i hi8)
{
  const __m512i q01 = _mm512_adds_epi16 (_mm512_packs_epi32 (q0, q1), zp16);
  const __m512i q23 = _mm512_adds_epi16 (_mm512_packs_epi32 (q2, q3), zp16);
  return _mm512_min_epu8 (_mm512_max_epu8 (_mm512_packus_epi16 (q01, q23), lo8), hi8);
}

/* Four vectors of int32 accumulators to 64 bytes in their order, vector
 * after vector: scaled (the first and third by s0, the others by s1),
 * packed as above, and a last permute puts the bytes back in order.
 * clamp 0 leaves out the byte range, for a range of 0 .. 255 (the packs'
 * own saturation). */
static inline __attribute__ ((always_inline)) __m512i
qvk_qu8_requantize4_clamp_avx512 (__m512i a0, __m512i a1, __m512i a2, __m512i a3, __m512 s0,
                                  __m512 s1, __m512i zp16, __m512i lo8, __m512i hi8,
                                  const int clamp)
{
  const __m512i q0 = qvk_qu8_scale_round_avx512 (a0, s0);
  const __m512i q1 = qvk_qu8_scale_round_avx512 (a1, s1);
  const __m512i q2 = qvk_qu8_scale_round_avx512 (a2, s0);
  const __m512i q3 = qvk_qu8_scale_round_avx512 (a3, s1);
  const __m512i b = clamp ? qvk_qu8_pack_bytes4_avx512 (q0, q1, q2, q3, zp16, lo8, hi8)
                          : _mm512_packus_epi16 (_mm512_adds_epi16 (_mm512_packs_epi32 (q0, q1),
                                                                    zp16),
                                                 _mm512_adds_epi16 (_mm512_packs_epi32 (q2, q3),
                                                                    zp16));

  return _mm512_permutexvar_epi32 (_mm512_setr_epi32 (0, 4, 8, 12, 1, 5, 9, 13,
                                                      2, 6, 10, 14, 3, 7, 11, 15), b);
}

static inline __m512i
qvk_qu8_requantize4_avx512 (__m512i a0, __m512i a1, __m512i a2, __m512i a3, __m512 s0,
                            __m512 s1, __m512i zp16, __m512i lo8, __m512i hi8)
{
  return qvk_qu8_requantize4_clamp_avx512 (a0, a1, a2, a3, s0, s1, zp16, lo8, hi8, 1);
}

/* The constants of the epilogues above for params: int32 zero point and
 * range for one vector at a time, the int16 zero point and byte range for
 * four at a time.  Returns whether four at a time applies (the zero point
 * and range within 0..255, as for every uint8 output). */
static inline int
qvk_qu8_requant_consts_avx512 (const qvk_qu8_requant_minmax *p, __m512i *zp, __m512i *lo,
                               __m512i *hi, __m512i *zp16, __m512i *lo8, __m512i *hi8)
{
  *zp = _mm512_set1_epi32 (p->output_zero_point);
  *lo = _mm512_set1_epi32 (p->output_min);
  *hi = _mm512_set1_epi32 (p->output_max);
  *zp16 = _mm512_set1_epi16 ((short) p->output_zero_point);
  *lo8 = _mm512_set1_epi8 ((char) p->output_min);
  *hi8 = _mm512_set1_epi8 ((char) p->output_max);
  return p->output_zero_point >= 0 && p->output_zero_point <= 255 && p->output_min >= 0 &&
         p->output_max <= 255;
}

/* Whether the byte range clamps anything the packs to uint8 leave: a
 * range narrower than 0 .. 255. */
static inline int
qvk_qu8_requant_clamps (const qvk_qu8_requant_minmax *p)
{
  return p->output_min > 0 || p->output_max < 255;
}

/* Four uint8 activations at p in every dword lane: the vpdpbusd operand
 * of the GEMM-like kernels. */
static inline __m512i
qvk_qu8_broadcast4_avx512 (const uint8_t *p)
{
  int32_t v;
  memcpy (&v, p, sizeof v);
  return _mm512_set1_epi32 (v);
}
