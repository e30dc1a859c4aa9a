/* qu8-dwconv-avx512vnni.c: int8 depthwise convolution through an
 * indirection table, AVX-512 VNNI.
 *
 * vpdpbusd multiplies four uint8 bytes by four int8 bytes and adds the four
 * products to one int32 lane, so taps are taken four at a time: for a block
 * of 64 channels, the rows of four taps are loaded and their bytes
 * interleaved so that each dword holds one channel's four taps
 * (unpack{lo,hi}_epi8 then unpack{lo,hi}_epi16).  Those unpacks work within
 * 128-bit lanes, which leaves the channels permuted: vector v, lane L,
 * element e holds channel 16 L + 4 v + e.  The weights, bias and scales are
 * packed in that order (qvk_qu8_dwconv_pack, layout C4), and the
 * saturating packs of the epilogue (packs_epi32 then packus_epi16, also per
 * lane) undo the permutation exactly, so the 64 output bytes come out in
 * channel order.  The tap count is padded to a multiple of four with zero
 * weights; the input zero-point correction is in the bias, so padding rows
 * (which read the zero point) contribute nothing.
 *
 * Requantization is qvk_qu8_requantize in vector form: int32 -> fp32, one
 * multiply by the channel's scale, round to nearest even (cvtps_epi32 under
 * the default MXCSR, like lrintf), add the zero point, clamp.  The two part
 * only where acc * scale is beyond +-2^31 (lrintf's result no longer fits
 * the scalar int32 cast, while cvtps_epi32 saturates); no real layer's
 * accumulator and scale come anywhere near.
 *
 * Channels left over after the 64-wide tiles (at most 32) go in 16-wide
 * tiles: the four taps' rows sit in the four 128-bit lanes and one dword
 * permute plus one in-lane byte shuffle interleave them, in natural
 * channel order.  A last tap group with a single real tap (3x3, 5x5 and
 * 7x7 kernels) skips the interleave altogether.
 */
#include "qvk-ukernels.h"

#include <immintrin.h>

/* 16 int32 values already clamped to 0..255, as 16 bytes in order.
 * vpmovdb would do it in one instruction, but compilers fuse it with the
 * store into its memory form, which is slow on some cores (AMD Zen 4). */
static inline __m128i
narrow_u8 (__m512i q)
{
  const __m512i w = _mm512_packs_epi32 (q, q);    /* per lane: q0-3 q0-3 */
  const __m512i b = _mm512_packus_epi16 (w, w);   /* per lane: (q0-3) x 4 */
  return _mm512_castsi512_si128 (
      _mm512_permutexvar_epi32 (_mm512_setr_epi32 (0, 4, 8, 12, 0, 0, 0, 0,
                                                   0, 0, 0, 0, 0, 0, 0, 0), b));
}

static inline __m512i
requantize (__m512i acc, __m512 scale, __m512i zp, __m512i lo, __m512i hi)
{
  __m512i q = _mm512_cvtps_epi32 (_mm512_mul_ps (_mm512_cvtepi32_ps (acc), scale));
  q = _mm512_add_epi32 (q, zp);
  q = _mm512_max_epi32 (q, lo);
  return _mm512_min_epi32 (q, hi);
}

/* One 64-channel tile of one pixel; returns the next tile's weights.
 * full is a constant at each call, so the masked loads and the mask test
 * vanish from the loop of full tiles. */
static inline __attribute__ ((always_inline)) const uint8_t *
tile64 (const uint8_t *const *ptr, size_t groups, int single, size_t c,
        __mmask64 m, const int full, const uint8_t *w, uint8_t *out,
        __m512i zp, __m512i lo, __m512i hi)
{
  __m512i acc0 = _mm512_loadu_si512 (w);
  __m512i acc1 = _mm512_loadu_si512 (w + 64);
  __m512i acc2 = _mm512_loadu_si512 (w + 128);
  __m512i acc3 = _mm512_loadu_si512 (w + 192);
  const __m512 s0 = _mm512_loadu_ps (w + 256);
  const __m512 s1 = _mm512_loadu_ps (w + 320);
  const __m512 s2 = _mm512_loadu_ps (w + 384);
  const __m512 s3 = _mm512_loadu_ps (w + 448);
  const uint8_t *wg = w + 512;

  for (size_t g = 0; g < groups; g++, wg += 256)
    {
      __m512i x0, x1, x2, x3;
      if (full)
        {
          x0 = _mm512_loadu_si512 (ptr[4 * g] + c);
          x1 = _mm512_loadu_si512 (ptr[4 * g + 1] + c);
          x2 = _mm512_loadu_si512 (ptr[4 * g + 2] + c);
          x3 = _mm512_loadu_si512 (ptr[4 * g + 3] + c);
        }
      else
        {
          x0 = _mm512_maskz_loadu_epi8 (m, ptr[4 * g] + c);
          x1 = _mm512_maskz_loadu_epi8 (m, ptr[4 * g + 1] + c);
          x2 = _mm512_maskz_loadu_epi8 (m, ptr[4 * g + 2] + c);
          x3 = _mm512_maskz_loadu_epi8 (m, ptr[4 * g + 3] + c);
        }
      const __m512i x01l = _mm512_unpacklo_epi8 (x0, x1);
      const __m512i x01h = _mm512_unpackhi_epi8 (x0, x1);
      const __m512i x23l = _mm512_unpacklo_epi8 (x2, x3);
      const __m512i x23h = _mm512_unpackhi_epi8 (x2, x3);

      acc0 = _mm512_dpbusd_epi32 (acc0, _mm512_unpacklo_epi16 (x01l, x23l),
                                  _mm512_loadu_si512 (wg));
      acc1 = _mm512_dpbusd_epi32 (acc1, _mm512_unpackhi_epi16 (x01l, x23l),
                                  _mm512_loadu_si512 (wg + 64));
      acc2 = _mm512_dpbusd_epi32 (acc2, _mm512_unpacklo_epi16 (x01h, x23h),
                                  _mm512_loadu_si512 (wg + 128));
      acc3 = _mm512_dpbusd_epi32 (acc3, _mm512_unpackhi_epi16 (x01h, x23h),
                                  _mm512_loadu_si512 (wg + 192));
    }
  if (single)
    {
      /* A last group with one real tap needs no interleave: each dword
       * takes its channel's byte, zero-extended, from within its lane. */
      const __m512i x = full ? _mm512_loadu_si512 (ptr[4 * groups] + c)
                             : _mm512_maskz_loadu_epi8 (m, ptr[4 * groups] + c);
      const __m512i sel = _mm512_set1_epi32 ((int) 0x80808000);
      const __m512i lane_e = _mm512_set4_epi32 (3, 2, 1, 0);
      acc0 = _mm512_dpbusd_epi32 (acc0, _mm512_shuffle_epi8 (x, _mm512_add_epi32 (sel, lane_e)),
                                  _mm512_loadu_si512 (wg));
      acc1 = _mm512_dpbusd_epi32 (acc1, _mm512_shuffle_epi8 (x, _mm512_add_epi32 (sel, _mm512_add_epi32 (lane_e, _mm512_set1_epi32 (4)))),
                                  _mm512_loadu_si512 (wg + 64));
      acc2 = _mm512_dpbusd_epi32 (acc2, _mm512_shuffle_epi8 (x, _mm512_add_epi32 (sel, _mm512_add_epi32 (lane_e, _mm512_set1_epi32 (8)))),
                                  _mm512_loadu_si512 (wg + 128));
      acc3 = _mm512_dpbusd_epi32 (acc3, _mm512_shuffle_epi8 (x, _mm512_add_epi32 (sel, _mm512_add_epi32 (lane_e, _mm512_set1_epi32 (12)))),
                                  _mm512_loadu_si512 (wg + 192));
      wg += 256;
    }

  const __m512i q01 = _mm512_packs_epi32 (requantize (acc0, s0, zp, lo, hi),
                                          requantize (acc1, s1, zp, lo, hi));
  const __m512i q23 = _mm512_packs_epi32 (requantize (acc2, s2, zp, lo, hi),
                                          requantize (acc3, s3, zp, lo, hi));
  const __m512i q = _mm512_packus_epi16 (q01, q23);
  if (full)
    _mm512_storeu_si512 (out + c, q);
  else
    _mm512_mask_storeu_epi8 (out + c, m, q);
  return wg;
}

void
qvk_qu8_dwconv_minmax_ukernel_64c4t__avx512vnni (
    size_t channels, size_t output_width, size_t taps,
    const int32_t *offsets, size_t offsets_step,
    const uint8_t *input, const uint8_t *zero,
    const void *weights,
    uint8_t *output, size_t output_stride,
    const qvk_qu8_requant_minmax *params)
{
  const __m512i zp = _mm512_set1_epi32 (params->output_zero_point);
  const __m512i lo = _mm512_set1_epi32 (params->output_min);
  const __m512i hi = _mm512_set1_epi32 (params->output_max);
  /* Groups of four real taps, then possibly a group with one real tap
   * (3x3, 5x5 and 7x7 all end so) that skips the interleave.  A last group
   * with two or three real taps is treated as a full one: its padding
   * entries are valid table entries whose weights are zero. */
  const int single = taps % 4 == 1;
  const size_t groups = single ? taps / 4 : (taps + 3) / 4;
  const size_t padded_taps = (taps + 3) / 4 * 4;
  const __m512i dword_transpose = _mm512_setr_epi32 (0, 4, 8, 12, 1, 5, 9, 13,
                                                     2, 6, 10, 14, 3, 7, 11, 15);
  const __m512i byte_transpose = _mm512_broadcast_i32x4 (
      _mm_setr_epi8 (0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
  /* The table's offsets are resolved to pointers once per segment of
   * pixels: neighbouring pixels share most of their entries when the table
   * shares columns, so this is fewer selects than one per pixel and tap. */
  const size_t segment = 1 + 1024 / offsets_step;
  const uint8_t *resolved[(segment - 1) * offsets_step + padded_taps];

  for (size_t px0 = 0; px0 < output_width; px0 += segment)
    {
      const size_t n_px = output_width - px0 < segment ? output_width - px0 : segment;
      const int32_t *o = offsets + px0 * offsets_step;
      const size_t entries = (n_px - 1) * offsets_step + padded_taps;
      qvk_indirection_resolve__avx512 (entries, o, input, zero, 1,
                                       (const void **) resolved);

      for (size_t px = px0; px < px0 + n_px; px++)
        {
          const uint8_t *const *ptr = resolved + (px - px0) * offsets_step;
          uint8_t *out = output + px * output_stride;
          const uint8_t *w = weights;
          size_t c = 0;

          /* 64-channel tiles; the last may be partial (more than 32 left). */
          for (; channels - c >= 64; c += 64)
            w = tile64 (ptr, groups, single, c, ~(__mmask64) 0, 1, w, out, zp, lo, hi);
          if (channels - c > 32)
            {
              w = tile64 (ptr, groups, single, c, ((__mmask64) 1 << (channels - c)) - 1,
                          0, w, out, zp, lo, hi);
              c = channels;
            }

          /* At most 32 channels left: 16-channel tiles in natural order. */
          for (; c < channels; c += 16)
            {
              const size_t left = channels - c;
              const __mmask16 m = left >= 16 ? (__mmask16) 0xffff
                                             : (__mmask16) ((1u << left) - 1);
              __m512i acc = _mm512_loadu_si512 (w);
              const __m512 s = _mm512_loadu_ps (w + 64);
              const uint8_t *wg = w + 128;

              for (size_t g = 0; g < groups; g++, wg += 64)
                {
                  /* lane t = tap t's 16 channels; a dword transpose across
                   * lanes and a byte transpose within them leave channel j's
                   * four taps in dword j */
                  __m512i x = _mm512_castsi128_si512 (_mm_maskz_loadu_epi8 (m, ptr[4 * g] + c));
                  x = _mm512_inserti32x4 (x, _mm_maskz_loadu_epi8 (m, ptr[4 * g + 1] + c), 1);
                  x = _mm512_inserti32x4 (x, _mm_maskz_loadu_epi8 (m, ptr[4 * g + 2] + c), 2);
                  x = _mm512_inserti32x4 (x, _mm_maskz_loadu_epi8 (m, ptr[4 * g + 3] + c), 3);
                  x = _mm512_shuffle_epi8 (_mm512_permutexvar_epi32 (dword_transpose, x),
                                           byte_transpose);
                  acc = _mm512_dpbusd_epi32 (acc, x, _mm512_loadu_si512 (wg));
                }
              if (single)
                {
                  const __m512i x = _mm512_cvtepu8_epi32 (_mm_maskz_loadu_epi8 (m, ptr[4 * groups] + c));
                  acc = _mm512_dpbusd_epi32 (acc, x, _mm512_loadu_si512 (wg));
                  wg += 64;
                }
              w = wg;

              const __m512i q = requantize (acc, s, zp, lo, hi);
              _mm_mask_storeu_epi8 (out + c, m, narrow_u8 (q));
            }
        }
    }
}
