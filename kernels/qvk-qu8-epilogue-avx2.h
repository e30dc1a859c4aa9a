/* qvk-qu8-epilogue-avx2.h: qvk_qu8_requantize on eight int32 lanes,
 * sixteen output channels narrowed to bytes in order, and the last bytes
 * of a row read and written without memcpy, for the AVX2 int8 and
 * element-wise kernels.  cvtps_epi32 rounds to nearest even under the default MXCSR,
 * as lrintf does, so results are those of the scalar reference bit for
 * bit.
 */
#pragma once

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

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

/* The n < 16 bytes at p, the rest zero, read in pieces of 8, 4, 2 and 1
 * (fixed sizes: no call to memcpy, which per pixel or row was much of
 * the time of layers whose channels end in a part of a vector), never
 * past p + n. */
static inline uint64_t
qvk_bytes_lt8 (const uint8_t *p, size_t n)
{
  uint64_t v = 0;
  unsigned shift = 0;

  if (n & 4)
    {
      uint32_t a;
      memcpy (&a, p, 4);
      v = a;
      p += 4;
      shift = 32;
    }
  if (n & 2)
    {
      uint16_t b;
      memcpy (&b, p, 2);
      v |= (uint64_t) b << shift;
      p += 2;
      shift += 16;
    }
  if (n & 1)
    v |= (uint64_t) *p << shift;
  return v;
}

static inline __m128i
qvk_load_bytes_lt16 (const uint8_t *p, size_t n)
{
  uint64_t lo = 0, hi = 0;

  if (n & 8)
    {
      memcpy (&lo, p, 8);
      hi = qvk_bytes_lt8 (p + 8, n & 7);
    }
  else
    lo = qvk_bytes_lt8 (p, n & 7);
  return _mm_set_epi64x ((long long) hi, (long long) lo);
}

/* The low n < 16 bytes of v at p, nothing past p + n. */
static inline void
qvk_store_bytes_lt16 (uint8_t *p, __m128i v, size_t n)
{
  uint64_t b = (uint64_t) _mm_cvtsi128_si64 (v);

  if (n & 8)
    {
      memcpy (p, &b, 8);
      p += 8;
      b = (uint64_t) _mm_extract_epi64 (v, 1);
    }
  if (n & 4)
    {
      const uint32_t a = (uint32_t) b;
      memcpy (p, &a, 4);
      p += 4;
      b >>= 32;
    }
  if (n & 2)
    {
      const uint16_t h = (uint16_t) b;
      memcpy (p, &h, 2);
      p += 2;
      b >>= 16;
    }
  if (n & 1)
    *p = (uint8_t) b;
}
