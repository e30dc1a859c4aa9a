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
  return _mm256_cvtepu8_epi16 (qvk_load_bytes_lt16 (p, n));
}

/* Sixteen channels' sums (C2 order, lo and hi halves) requantized as
 * qvk_qu8_requantize does, with the zero point added in saturated int16
 * and the clamp taken on bytes: the same results (the packs saturate what
 * the int32 clamp would have clamped), three instructions fewer; then n
 * of them stored at out (n a constant 16 for whole blocks; 8 in one
 * store). */
static inline __attribute__ ((always_inline)) void
store16_c2 (__m256i acc_lo, __m256i acc_hi, __m256 s_lo, __m256 s_hi, __m256i zp16,
            __m128i lo8, __m128i hi8, uint8_t *out, size_t n)
{
  const __m256i q16 = _mm256_adds_epi16 (
      _mm256_packs_epi32 (
          _mm256_cvtps_epi32 (_mm256_mul_ps (_mm256_cvtepi32_ps (acc_lo), s_lo)),
          _mm256_cvtps_epi32 (_mm256_mul_ps (_mm256_cvtepi32_ps (acc_hi), s_hi))),
      zp16);
  const __m128i q8 = _mm_min_epu8 (
      _mm_max_epu8 (_mm_packus_epi16 (_mm256_castsi256_si128 (q16),
                                      _mm256_extracti128_si256 (q16, 1)), lo8),
      hi8);

  if (n >= 16)
    _mm_storeu_si128 ((__m128i *) out, q8);
  else if (n == 8)
    _mm_storel_epi64 ((__m128i *) out, q8);
  else
    qvk_store_bytes_lt16 (out, q8, n);
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
               const void *weights, uint8_t *out, __m256i zp, __m128i lo, __m128i hi)
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

      if (left >= 16)
        store16_c2 (acc_lo, acc_hi, s_lo, s_hi, zp, lo, hi, out + c, 16);
      else
        store16_c2 (acc_lo, acc_hi, s_lo, s_hi, zp, lo, hi, out + c, left);
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
  const __m256i zp = _mm256_set1_epi16 ((short) params->output_zero_point);
  const __m128i lo = _mm_set1_epi8 ((char) params->output_min);
  const __m128i hi = _mm_set1_epi8 ((char) params->output_max);
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

/* ---- shared columns (layout C2V) -------------------------------------------
 *
 * The grouped kernel above interleaves two taps' rows for every tap pair of
 * every pixel: four shuffles for two vpmaddwd, which bounds it on cores
 * with one shuffle port.  Here the pairs run down each kernel column (rows
 * 2g and 2g + 1, the last row of an odd height with zeros), and a pass of
 * four pixels builds each input column's pairs once for every pixel and
 * tap that read it: with stride and dilation 1, six columns for four 3x3
 * pixels instead of twelve.  The pixels of a pass are spacing output
 * columns apart and pixel k's tap kx reads the pass's column k + kx
 * (qvk_qu8_dw_cols); each column's pointers come from the table of a
 * pixel that reads it, padding included. */

#define COLS_MAX_H 8

/* Input column pointers of a pass of P pixels from first_px: column j
 * taken from the table of pixel k0 = min (j, P - 1) at its tap
 * kx = j - k0, rows 0 .. kh - 1 at rows[j * kh ..]. */
static inline __attribute__ ((always_inline)) void
cols_pointers (const int P, const int KW, size_t kh, size_t spacing,
               const int32_t *offsets, size_t offsets_step, size_t first_px,
               const uint8_t *input, const uint8_t *zero, const uint8_t **rows)
{
  for (int j = 0; j < P - 1 + KW; j++)
    {
      const int k0 = j < P - 1 ? j : P - 1;
      const int32_t *o = offsets + (first_px + (size_t) k0 * spacing) * offsets_step
                         + (size_t) (j - k0) * kh;

      for (size_t r = 0; r < kh; r++)
        rows[(size_t) j * kh + r] = o[r] < 0 ? zero : input + o[r];
    }
}

/* The products of one column's pairs (lo and hi channel halves, C2
 * order) for each pixel of the pass that reads the column, the pair's
 * weights at wk + (kx * groups + g) * 64. */
#define COLS_MADD(vlo, vhi, g)                                                 \
  do {                                                                         \
    _Pragma ("GCC unroll 4")                                                   \
    for (int k = 0; k < P; k++)                                                \
      {                                                                        \
        const int kx = j - k;                                                  \
        if (kx >= 0 && kx < KW)                                                \
          {                                                                    \
            const uint8_t *wp_ = wk + ((size_t) kx * groups + (g)) * 64;       \
            acc[k][0] = _mm256_add_epi32 (acc[k][0], _mm256_madd_epi16 (       \
                (vlo), _mm256_loadu_si256 ((const __m256i *) wp_)));           \
            acc[k][1] = _mm256_add_epi32 (acc[k][1], _mm256_madd_epi16 (       \
                (vhi), _mm256_loadu_si256 ((const __m256i *) (wp_ + 32))));    \
          }                                                                    \
      }                                                                        \
  } while (0)

/* One block of n channels (n a constant 16 for whole blocks) of a pass of
 * P pixels: the column loop and the pixel loops unrolled, so that the
 * accumulators stay in registers. */
static inline __attribute__ ((always_inline)) void
cols_block (const int P, const int KW, const size_t n, size_t kh,
            const uint8_t *const *rows, size_t c, const uint8_t *w,
            uint8_t *const *out, __m256i zp16, __m128i lo8, __m128i hi8)
{
  const size_t pairs = kh / 2, groups = (kh + 1) / 2;
  const uint8_t *wk = w + 128;
  const __m256i zero = _mm256_setzero_si256 ();
  __m256i acc[4][2];   /* P <= 4: constant sizes keep them in registers */

  for (int k = 0; k < P; k++)
    {
      acc[k][0] = _mm256_loadu_si256 ((const __m256i *) w);
      acc[k][1] = _mm256_loadu_si256 ((const __m256i *) (w + 32));
    }
  _Pragma ("GCC unroll 16")
  for (int j = 0; j < P - 1 + KW; j++)
    {
      const uint8_t *const *col = rows + (size_t) j * kh;

      _Pragma ("GCC unroll 1")
      for (size_t g = 0; g < pairs; g++)
        {
          const __m256i x0 = load16_u8 (col[2 * g] + c, n);
          const __m256i x1 = load16_u8 (col[2 * g + 1] + c, n);
          COLS_MADD (_mm256_unpacklo_epi16 (x0, x1), _mm256_unpackhi_epi16 (x0, x1), g);
        }
      if (kh & 1)
        {
          const __m256i x0 = load16_u8 (col[kh - 1] + c, n);
          COLS_MADD (_mm256_unpacklo_epi16 (x0, zero), _mm256_unpackhi_epi16 (x0, zero),
                     pairs);
        }
    }

  const __m256 s_lo = _mm256_loadu_ps ((const float *) (w + 64));
  const __m256 s_hi = _mm256_loadu_ps ((const float *) (w + 96));
  for (int k = 0; k < P; k++)
    store16_c2 (acc[k][0], acc[k][1], s_lo, s_hi, zp16, lo8, hi8, out[k] + c, n);
}

/* A pass of P pixels from first_px over every channel. */
static inline __attribute__ ((always_inline)) void
cols_pass (const int P, const int KW, size_t channels, size_t kh,
           size_t spacing, const int32_t *offsets, size_t offsets_step, size_t first_px,
           const uint8_t *input, const uint8_t *zero, const uint8_t *w, uint8_t *output,
           size_t output_stride, __m256i zp, __m128i lo, __m128i hi)
{
  const uint8_t *rows[(3 + 7) * COLS_MAX_H];
  uint8_t *out[4];
  const size_t tile = 128 + (size_t) KW * ((kh + 1) / 2) * 64;

  cols_pointers (P, KW, kh, spacing, offsets, offsets_step, first_px, input, zero, rows);
  for (int k = 0; k < P; k++)
    out[k] = output + (first_px + (size_t) k * spacing) * output_stride;
  for (size_t c = 0; c < channels; c += 16, w += tile)
    {
      if (channels - c >= 16)
        cols_block (P, KW, 16, kh, rows, c, w, out, zp, lo, hi);
      else
        cols_block (P, KW, channels - c, kh, rows, c, w, out, zp, lo, hi);
    }
}

/* A row's pixels in blocks of 4 * spacing output columns, a pass for each
 * of the block's spacing classes, then the rest one pixel a pass. */
static inline __attribute__ ((always_inline)) void
cols_row (const int KW, size_t channels, size_t output_width, size_t kh,
          size_t spacing, const int32_t *offsets, size_t offsets_step,
          const uint8_t *input, const uint8_t *zero, const uint8_t *w, uint8_t *output,
          size_t output_stride, __m256i zp, __m128i lo, __m128i hi)
{
  size_t px = 0;

  for (; px + 4 * spacing <= output_width; px += 4 * spacing)
    for (size_t r = 0; r < spacing; r++)
      cols_pass (4, KW, channels, kh, spacing, offsets, offsets_step, px + r,
                 input, zero, w, output, output_stride, zp, lo, hi);
  for (; px < output_width; px++)
    cols_pass (1, KW, channels, kh, spacing, offsets, offsets_step, px,
               input, zero, w, output, output_stride, zp, lo, hi);
}

void
qvk_qu8_dwconv_minmax_ukernel_16c2v__avx2 (
    size_t channels, size_t output_width, const qvk_qu8_dw_cols *geometry,
    const int32_t *offsets, size_t offsets_step,
    const uint8_t *input, const uint8_t *zero,
    const void *weights,
    uint8_t *output, size_t output_stride,
    const qvk_qu8_requant_minmax *params)
{
  const __m256i zp = _mm256_set1_epi16 ((short) params->output_zero_point);
  const __m128i lo = _mm_set1_epi8 ((char) params->output_min);
  const __m128i hi = _mm_set1_epi8 ((char) params->output_max);
  const size_t kh = geometry->kernel_h, spacing = geometry->spacing;
  const uint8_t *w = weights;

  if (kh < 1 || kh > COLS_MAX_H)
    return;
#define COLS_ROW(KW)                                                           \
  cols_row (KW, channels, output_width, kh, spacing, offsets, offsets_step,    \
            input, zero, w, output, output_stride, zp, lo, hi)
  switch (geometry->kernel_w)
    {
    case 3: COLS_ROW (3); break;
    case 5: COLS_ROW (5); break;
    case 7: COLS_ROW (7); break;
    default: break;
    }
#undef COLS_ROW
}
