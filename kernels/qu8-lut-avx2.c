/* qu8-lut-avx2.c: y = table[x] 32 bytes at a time without VBMI.
 *
 * vpshufb looks up 4 index bits in a 16-byte row of the table, both
 * lanes alike, and gives zero where the index byte has its top bit set.
 * Sixteen lookups cover the table: lookup i reads row i' of a table of
 * XORed rows with the index x - 16 i, wrapping for i <= 8 and saturating
 * (signed) after.  For x in row k (k = x >> 4) exactly the lookups
 * 0 .. k (k < 8) or k - 7 .. k (k >= 8) see an index below 128, each
 * with the low bits x & 15, so that rows
 *   R0 = T0, Ri = Ti ^ T(i-1) (1 <= i <= 7), Ri = Ti ^ T(i-1) ^ R(i-8) (i >= 8)
 * XOR to exactly Tk.
 */
#include "qvk-elementwise-ukernels.h"

#include <immintrin.h>
#include <string.h>

static inline void
lut_rows (const uint8_t table[256], __m256i r[16])
{
  __m256i t[16];

  for (int i = 0; i < 16; i++)
    t[i] = _mm256_broadcastsi128_si256 (_mm_loadu_si128 ((const __m128i *) (table + 16 * i)));
  r[0] = t[0];
  for (int i = 1; i < 16; i++)
    {
      r[i] = _mm256_xor_si256 (t[i], t[i - 1]);
      if (i >= 8)
        r[i] = _mm256_xor_si256 (r[i], r[i - 8]);
    }
}

static inline __m256i
lut32 (const __m256i r[16], __m256i x)
{
  const __m256i sixteen = _mm256_set1_epi8 (16);
  __m256i y = _mm256_shuffle_epi8 (r[0], x);

  for (int i = 1; i < 16; i++)
    {
      x = i <= 8 ? _mm256_sub_epi8 (x, sixteen) : _mm256_subs_epi8 (x, sixteen);
      y = _mm256_xor_si256 (y, _mm256_shuffle_epi8 (r[i], x));
    }
  return y;
}

static inline void
lut_run (const __m256i r[16], const uint8_t *x, uint8_t *y, size_t n)
{
  size_t i = 0;

  for (; i + 32 <= n; i += 32)
    _mm256_storeu_si256 ((__m256i *) (y + i),
                         lut32 (r, _mm256_loadu_si256 ((const __m256i *) (x + i))));
  if (i < n)
    {
      uint8_t tmp[32] = { 0 };
      memcpy (tmp, x + i, n - i);
      _mm256_storeu_si256 ((__m256i *) tmp,
                           lut32 (r, _mm256_loadu_si256 ((const __m256i *) tmp)));
      memcpy (y + i, tmp, n - i);
    }
}

void
qvk_qu8_lut_tile_ukernel__avx2 (const uint8_t table[256], size_t rows, size_t cols,
                                uint8_t *y, size_t stride)
{
  __m256i r[16];

  lut_rows (table, r);
  for (size_t row = 0; row < rows; row++)
    lut_run (r, y + row * stride, y + row * stride, cols);
}

void
qvk_qu8_lut_ukernel__avx2 (const uint8_t table[256], const uint8_t *x, uint8_t *y,
                           size_t n)
{
  __m256i r[16];

  lut_rows (table, r);
  lut_run (r, x, y, n);
}
