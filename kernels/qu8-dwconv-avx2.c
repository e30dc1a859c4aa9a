/* qu8-dwconv-avx2.c: int8 depthwise convolution through an indirection
 * table, AVX2, exact.
 *
 * Without VNNI the products are formed in 16 bits and summed in 32 with
 * vpmaddwd: inputs are zero-extended to int16, weights are packed as int16,
 * and two taps' values of a channel sit side by side in one dword, so each
 * vpmaddwd lane adds exactly two products (at most 2 * 255 * 128, far from
 * any overflow; vpmaddubsw would saturate at 32767 and is not used).  The
 * interleave (unpack{lo,hi}_epi16) works within 128-bit lanes, so the
 * accumulators hold channels permuted (vector h, lane L, element e ->
 * channel 8 L + 4 h + e); the packed weights follow that order (layout C2
 * of qvk_qu8_dwconv_pack) and packs_epi32 restores channel order.  Taps are
 * padded to an even count with zero weights; the input zero-point
 * correction is in the bias.  Requantization is qvk_qu8_requantize in
 * vector form.
 */
#include "qvk-ukernels.h"

#include <immintrin.h>
#include <string.h>

#include "qvk-qu8-epilogue-avx2.h"

/* 16 channels widened to int16; fewer than 16 are read so that nothing
 * past the row is touched (8 in one load: the tails of layers of 8k
 * channels, which a byte-wise copy slowed 2-3x), and the rest are zero. */
static inline __m256i
load16_u8 (const uint8_t *p, size_t n)
{
  if (n >= 16)
    return _mm256_cvtepu8_epi16 (_mm_loadu_si128 ((const __m128i *) p));
  if (n == 8)
    return _mm256_cvtepu8_epi16 (_mm_loadl_epi64 ((const __m128i *) p));
  uint8_t tmp[16] = { 0 };
  memcpy (tmp, p, n);
  return _mm256_cvtepu8_epi16 (_mm_loadu_si128 ((const __m128i *) tmp));
}

/* The taps' products for channels c .. c + n - 1 (n a constant 16 for
 * whole blocks) into acc_lo and acc_hi, the pairs' weights from wp. */
static inline __attribute__ ((always_inline)) void
tap_pairs (const size_t pairs, const uint8_t *const *ptr, size_t c, const size_t n,
           const uint8_t *wp, __m256i *acc_lo, __m256i *acc_hi)
{
  for (size_t p = 0; p < pairs; p++, wp += 64)
    {
      const __m256i x0 = load16_u8 (ptr[2 * p] + c, n);
      const __m256i x1 = load16_u8 (ptr[2 * p + 1] + c, n);
      *acc_lo = _mm256_add_epi32 (*acc_lo, _mm256_madd_epi16 (
          _mm256_unpacklo_epi16 (x0, x1), _mm256_loadu_si256 ((const __m256i *) wp)));
      *acc_hi = _mm256_add_epi32 (*acc_hi, _mm256_madd_epi16 (
          _mm256_unpackhi_epi16 (x0, x1), _mm256_loadu_si256 ((const __m256i *) (wp + 32))));
    }
}

/* One pixel's channels from the pointers of its 2 * pairs taps (pairs a
 * constant for 3x3: the tap loop unrolled, its ten addresses in
 * registers). */
static inline __attribute__ ((always_inline)) void
dw16c2t_pixel (const size_t pairs, const uint8_t *const *ptr, size_t channels,
               const void *weights, uint8_t *out, __m256i zp, __m256i lo, __m256i hi)
{
  const uint8_t *w = weights;

  for (size_t c = 0; c < channels; c += 16)
    {
      const size_t left = channels - c;
      __m256i acc_lo = _mm256_loadu_si256 ((const __m256i *) w);
      __m256i acc_hi = _mm256_loadu_si256 ((const __m256i *) (w + 32));
      const __m256 s_lo = _mm256_loadu_ps ((const float *) (w + 64));
      const __m256 s_hi = _mm256_loadu_ps ((const float *) (w + 96));
      const uint8_t *wp = w + 128;

      if (left >= 16)
        tap_pairs (pairs, ptr, c, 16, wp, &acc_lo, &acc_hi);
      else
        tap_pairs (pairs, ptr, c, left, wp, &acc_lo, &acc_hi);
      wp += 64 * pairs;
      w = wp;

      const __m256i q16 =
        _mm256_packs_epi32 (qvk_qu8_requantize_avx2 (acc_lo, s_lo, zp, lo, hi),
                            qvk_qu8_requantize_avx2 (acc_hi, s_hi, zp, lo, hi));
      const __m128i q8 = _mm_packus_epi16 (_mm256_castsi256_si128 (q16),
                                           _mm256_extracti128_si256 (q16, 1));
      if (left >= 16)
        _mm_storeu_si128 ((__m128i *) (out + c), q8);
      else if (left == 8)
        _mm_storel_epi64 ((__m128i *) (out + c), q8);
      else
        {
          uint8_t tmp[16];
          _mm_storeu_si128 ((__m128i *) tmp, q8);
          memcpy (out + c, tmp, left);
        }
    }
}

void
qvk_qu8_dwconv_minmax_ukernel_16c2t__avx2 (
    size_t channels, size_t output_width, size_t taps,
    const int32_t *offsets, size_t offsets_step,
    const uint8_t *input, const uint8_t *zero,
    const void *weights,
    uint8_t *output, size_t output_stride,
    const qvk_qu8_requant_minmax *params)
{
  const __m256i zp = _mm256_set1_epi32 (params->output_zero_point);
  const __m256i lo = _mm256_set1_epi32 (params->output_min);
  const __m256i hi = _mm256_set1_epi32 (params->output_max);
  const size_t pairs = (taps + 1) / 2;
  const uint8_t *ptr[2 * pairs];

  for (size_t px = 0; px < output_width; px++)
    {
      const int32_t *o = offsets + px * offsets_step;
      uint8_t *out = output + px * output_stride;

      for (size_t t = 0; t < 2 * pairs; t++)
        ptr[t] = o[t] < 0 ? zero : input + o[t];
      /* 3x3 unrolled: a 16-channel image (one tile a pixel, where the
       * tap loop's own cost showed) 5-14% faster in bench-kernels than
       * the loop, wider ones the same; 5x5 unrolled so ran 12-18% slower,
       * its 26 addresses more than the registers */
      if (pairs == 5)
        dw16c2t_pixel (5, ptr, channels, weights, out, zp, lo, hi);
      else
        dw16c2t_pixel (pairs, ptr, channels, weights, out, zp, lo, hi);
    }
}
