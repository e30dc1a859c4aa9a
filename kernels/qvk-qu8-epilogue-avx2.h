/* qvk-qu8-epilogue-avx2.h: qvk_qu8_requantize on eight int32 lanes, and
 * sixteen output channels narrowed to bytes in order, for the AVX2 int8
 * kernels.  cvtps_epi32 rounds to nearest even under the default MXCSR,
 * as lrintf does, so results are those of the scalar reference bit for
 * bit.
 */
#pragma once

#include <immintrin.h>

/* qvk_qu8_requantize: rounded, the zero point added, clamped to lo .. hi. */
static inline __m256i
qvk_qu8_requantize_avx2 (__m256i acc, __m256 scale, __m256i zp, __m256i lo, __m256i hi)
{
  __m256i q = _mm256_cvtps_epi32 (_mm256_mul_ps (_mm256_cvtepi32_ps (acc), scale));
  q = _mm256_add_epi32 (q, zp);
  q = _mm256_max_epi32 (q, lo);
  return _mm256_min_epi32 (q, hi);
}

/* Channels 0-7 (q0) and 8-15 (q1), requantized, as 16 bytes in order:
 * packs works per 128-bit lane (0-3 8-11 | 4-7 12-15), a permute of
 * 64-bit quarters restores the order. */
static inline __m128i
qvk_qu8_narrow16_avx2 (__m256i q0, __m256i q1)
{
  const __m256i ordered = _mm256_permute4x64_epi64 (_mm256_packs_epi32 (q0, q1), 0xd8);
  return _mm_packus_epi16 (_mm256_castsi256_si128 (ordered),
                           _mm256_extracti128_si256 (ordered, 1));
}
