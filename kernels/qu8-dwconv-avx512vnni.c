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
 * the default MXCSR, like lrintf), then the zero point and the clamp on
 * saturated int16 and uint8 values (requantize64).  The two part only
 * where acc * scale is beyond +-2^31 (lrintf's result no longer fits the
 * scalar int32 cast, while cvtps_epi32 saturates); no real layer's
 * accumulator and scale come anywhere near.
 *
 * Two pixels are computed at a time, sharing the weight loads, and a row's
 * pixels are visited once per channel tile (see the loop) so that the
 * input lines of overlapping taps are still in L1 when read again.
 *
 * Channels left over after the 64-wide tiles (at most 32) go in 16-wide
 * tiles: the four taps' rows sit in the four 128-bit lanes and one dword
 * permute plus one in-lane byte shuffle interleave them, in natural
 * channel order.  A last tap group with a single real tap (3x3, 5x5 and
 * 7x7 kernels) skips the interleave altogether.
 */
#include "qvk-ukernels.h"

#include <immintrin.h>
#include <stddef.h>
#include <string.h>

#include "qvk-qu8-epilogue-avx512.h"

/* 64 int32 accumulators (four vectors, C4 order) to 64 bytes in channel
 * order (qvk-qu8-epilogue-avx512.h: exact for uint8 outputs); the C4
 * order is the one the packs' lane interleave puts back in order. */
static inline __m512i
requantize64 (__m512i acc0, __m512i acc1, __m512i acc2, __m512i acc3,
              const uint8_t *scales, __m512i zp16, __m512i lo8, __m512i hi8)
{
  return qvk_qu8_pack_bytes4_avx512 (
      qvk_qu8_scale_round_avx512 (acc0, _mm512_loadu_ps (scales)),
      qvk_qu8_scale_round_avx512 (acc1, _mm512_loadu_ps (scales + 64)),
      qvk_qu8_scale_round_avx512 (acc2, _mm512_loadu_ps (scales + 128)),
      qvk_qu8_scale_round_avx512 (acc3, _mm512_loadu_ps (scales + 192)), zp16, lo8, hi8);
}

/* One tap group's 64 weights (C4 order), four vectors w0 .. w3. */
#define TAP_WEIGHTS(wk)                                                       \
  const __m512i w0 = _mm512_loadu_si512 (wk);                                 \
  const __m512i w1 = _mm512_loadu_si512 ((wk) + 64);                          \
  const __m512i w2 = _mm512_loadu_si512 ((wk) + 128);                         \
  const __m512i w3 = _mm512_loadu_si512 ((wk) + 192)

/* The four taps of group g of one pixel's table, 64 channels from c,
 * interleaved so that each dword holds one channel's four taps (C4 order). */
#define DW_INTERLEAVE(ptr, g, v0, v1, v2, v3)                                 \
  do {                                                                        \
    __m512i x0_, x1_, x2_, x3_;                                               \
    if (full)                                                                 \
      {                                                                       \
        x0_ = _mm512_loadu_si512 ((ptr)[4 * (g)] + c);                        \
        x1_ = _mm512_loadu_si512 ((ptr)[4 * (g) + 1] + c);                    \
        x2_ = _mm512_loadu_si512 ((ptr)[4 * (g) + 2] + c);                    \
        x3_ = _mm512_loadu_si512 ((ptr)[4 * (g) + 3] + c);                    \
      }                                                                       \
    else                                                                      \
      {                                                                       \
        x0_ = _mm512_maskz_loadu_epi8 (m, (ptr)[4 * (g)] + c);                \
        x1_ = _mm512_maskz_loadu_epi8 (m, (ptr)[4 * (g) + 1] + c);            \
        x2_ = _mm512_maskz_loadu_epi8 (m, (ptr)[4 * (g) + 2] + c);            \
        x3_ = _mm512_maskz_loadu_epi8 (m, (ptr)[4 * (g) + 3] + c);            \
      }                                                                       \
    const __m512i x01l_ = _mm512_unpacklo_epi8 (x0_, x1_);                    \
    const __m512i x01h_ = _mm512_unpackhi_epi8 (x0_, x1_);                    \
    const __m512i x23l_ = _mm512_unpacklo_epi8 (x2_, x3_);                    \
    const __m512i x23h_ = _mm512_unpackhi_epi8 (x2_, x3_);                    \
    v0 = _mm512_unpacklo_epi16 (x01l_, x23l_);                                \
    v1 = _mm512_unpackhi_epi16 (x01l_, x23l_);                                \
    v2 = _mm512_unpacklo_epi16 (x01h_, x23h_);                                \
    v3 = _mm512_unpackhi_epi16 (x01h_, x23h_);                                \
  } while (0)

/* A last group with one real tap needs no interleave: each dword takes its
 * channel's byte, zero-extended, from within its lane. */
#define DW_SINGLE(p, v0, v1, v2, v3)                                          \
  do {                                                                        \
    const __m512i x_ = full ? _mm512_loadu_si512 ((p) + c)                    \
                            : _mm512_maskz_loadu_epi8 (m, (p) + c);           \
    v0 = _mm512_shuffle_epi8 (x_, sel0);                                      \
    v1 = _mm512_shuffle_epi8 (x_, sel1);                                      \
    v2 = _mm512_shuffle_epi8 (x_, sel2);                                      \
    v3 = _mm512_shuffle_epi8 (x_, sel3);                                      \
  } while (0)

/* One 64-channel tile of two pixels (tables pa and pb), which share every
 * weight load; returns the next tile's weights.  full is a constant at each
 * call, so the masked loads and the mask test vanish from the loop of full
 * tiles. */
static inline __attribute__ ((always_inline)) const uint8_t *
tile64x2 (const uint8_t *const *pa, const uint8_t *const *pb, size_t groups,
          int single, size_t c, __mmask64 m, const int full, const uint8_t *w,
          uint8_t *out_a, uint8_t *out_b, __m512i zp16, __m512i lo8, __m512i hi8)
{
  const __m512i sel0 = _mm512_add_epi32 (_mm512_set1_epi32 ((int) 0x80808000),
                                         _mm512_set4_epi32 (3, 2, 1, 0));
  const __m512i sel1 = _mm512_add_epi32 (sel0, _mm512_set1_epi32 (4));
  const __m512i sel2 = _mm512_add_epi32 (sel0, _mm512_set1_epi32 (8));
  const __m512i sel3 = _mm512_add_epi32 (sel0, _mm512_set1_epi32 (12));
  __m512i a0 = _mm512_loadu_si512 (w);
  __m512i a1 = _mm512_loadu_si512 (w + 64);
  __m512i a2 = _mm512_loadu_si512 (w + 128);
  __m512i a3 = _mm512_loadu_si512 (w + 192);
  __m512i b0 = a0, b1 = a1, b2 = a2, b3 = a3;
  const uint8_t *wg = w + 512;

  for (size_t g = 0; g < groups; g++, wg += 256)
    {
      TAP_WEIGHTS (wg);
      __m512i v0, v1, v2, v3;

      DW_INTERLEAVE (pa, g, v0, v1, v2, v3);
      a0 = _mm512_dpbusd_epi32 (a0, v0, w0);
      a1 = _mm512_dpbusd_epi32 (a1, v1, w1);
      a2 = _mm512_dpbusd_epi32 (a2, v2, w2);
      a3 = _mm512_dpbusd_epi32 (a3, v3, w3);
      DW_INTERLEAVE (pb, g, v0, v1, v2, v3);
      b0 = _mm512_dpbusd_epi32 (b0, v0, w0);
      b1 = _mm512_dpbusd_epi32 (b1, v1, w1);
      b2 = _mm512_dpbusd_epi32 (b2, v2, w2);
      b3 = _mm512_dpbusd_epi32 (b3, v3, w3);
    }
  if (single)
    {
      TAP_WEIGHTS (wg);
      __m512i v0, v1, v2, v3;

      DW_SINGLE (pa[4 * groups], v0, v1, v2, v3);
      a0 = _mm512_dpbusd_epi32 (a0, v0, w0);
      a1 = _mm512_dpbusd_epi32 (a1, v1, w1);
      a2 = _mm512_dpbusd_epi32 (a2, v2, w2);
      a3 = _mm512_dpbusd_epi32 (a3, v3, w3);
      DW_SINGLE (pb[4 * groups], v0, v1, v2, v3);
      b0 = _mm512_dpbusd_epi32 (b0, v0, w0);
      b1 = _mm512_dpbusd_epi32 (b1, v1, w1);
      b2 = _mm512_dpbusd_epi32 (b2, v2, w2);
      b3 = _mm512_dpbusd_epi32 (b3, v3, w3);
      wg += 256;
    }

  const __m512i qa = requantize64 (a0, a1, a2, a3, w + 256, zp16, lo8, hi8);
  const __m512i qb = requantize64 (b0, b1, b2, b3, w + 256, zp16, lo8, hi8);
  if (full)
    {
      _mm512_storeu_si512 (out_a + c, qa);
      _mm512_storeu_si512 (out_b + c, qb);
    }
  else
    {
      _mm512_mask_storeu_epi8 (out_a + c, m, qa);
      _mm512_mask_storeu_epi8 (out_b + c, m, qb);
    }
  return wg;
}

/* Four pixels a pass (tables p[0..3]): each weight vector is loaded once
 * for four pixels' vpdpbusd instead of two, which leaves more of the
 * load ports to the input rows.  full as in tile64x2. */
#define DW_DOT4(acc, v0, v1, v2, v3)                                          \
  do {                                                                        \
    acc[0] = _mm512_dpbusd_epi32 (acc[0], v0, w0);                            \
    acc[1] = _mm512_dpbusd_epi32 (acc[1], v1, w1);                            \
    acc[2] = _mm512_dpbusd_epi32 (acc[2], v2, w2);                            \
    acc[3] = _mm512_dpbusd_epi32 (acc[3], v3, w3);                            \
  } while (0)

static inline __attribute__ ((always_inline)) void
tile64x4 (const uint8_t *const *p0, const uint8_t *const *p1,
          const uint8_t *const *p2, const uint8_t *const *p3, size_t groups,
          int single, size_t c, __mmask64 m, const int full, const uint8_t *w,
          uint8_t *o0, uint8_t *o1, uint8_t *o2, uint8_t *o3, __m512i zp16,
          __m512i lo8, __m512i hi8)
{
  const __m512i sel0 = _mm512_add_epi32 (_mm512_set1_epi32 ((int) 0x80808000),
                                         _mm512_set4_epi32 (3, 2, 1, 0));
  const __m512i sel1 = _mm512_add_epi32 (sel0, _mm512_set1_epi32 (4));
  const __m512i sel2 = _mm512_add_epi32 (sel0, _mm512_set1_epi32 (8));
  const __m512i sel3 = _mm512_add_epi32 (sel0, _mm512_set1_epi32 (12));
  __m512i a[4], b[4], d[4], e[4];
  const uint8_t *wg = w + 512;

  a[0] = _mm512_loadu_si512 (w);
  a[1] = _mm512_loadu_si512 (w + 64);
  a[2] = _mm512_loadu_si512 (w + 128);
  a[3] = _mm512_loadu_si512 (w + 192);
  for (int i = 0; i < 4; i++)
    b[i] = d[i] = e[i] = a[i];

  for (size_t g = 0; g < groups; g++, wg += 256)
    {
      TAP_WEIGHTS (wg);
      __m512i v0, v1, v2, v3;

      DW_INTERLEAVE (p0, g, v0, v1, v2, v3);
      DW_DOT4 (a, v0, v1, v2, v3);
      DW_INTERLEAVE (p1, g, v0, v1, v2, v3);
      DW_DOT4 (b, v0, v1, v2, v3);
      DW_INTERLEAVE (p2, g, v0, v1, v2, v3);
      DW_DOT4 (d, v0, v1, v2, v3);
      DW_INTERLEAVE (p3, g, v0, v1, v2, v3);
      DW_DOT4 (e, v0, v1, v2, v3);
    }
  if (single)
    {
      TAP_WEIGHTS (wg);
      __m512i v0, v1, v2, v3;

      DW_SINGLE (p0[4 * groups], v0, v1, v2, v3);
      DW_DOT4 (a, v0, v1, v2, v3);
      DW_SINGLE (p1[4 * groups], v0, v1, v2, v3);
      DW_DOT4 (b, v0, v1, v2, v3);
      DW_SINGLE (p2[4 * groups], v0, v1, v2, v3);
      DW_DOT4 (d, v0, v1, v2, v3);
      DW_SINGLE (p3[4 * groups], v0, v1, v2, v3);
      DW_DOT4 (e, v0, v1, v2, v3);
    }

  const __m512i q0 = requantize64 (a[0], a[1], a[2], a[3], w + 256, zp16, lo8, hi8);
  const __m512i q1 = requantize64 (b[0], b[1], b[2], b[3], w + 256, zp16, lo8, hi8);
  const __m512i q2 = requantize64 (d[0], d[1], d[2], d[3], w + 256, zp16, lo8, hi8);
  const __m512i q3 = requantize64 (e[0], e[1], e[2], e[3], w + 256, zp16, lo8, hi8);
  if (full)
    {
      _mm512_storeu_si512 (o0 + c, q0);
      _mm512_storeu_si512 (o1 + c, q1);
      _mm512_storeu_si512 (o2 + c, q2);
      _mm512_storeu_si512 (o3 + c, q3);
    }
  else
    {
      _mm512_mask_storeu_epi8 (o0 + c, m, q0);
      _mm512_mask_storeu_epi8 (o1 + c, m, q1);
      _mm512_mask_storeu_epi8 (o2 + c, m, q2);
      _mm512_mask_storeu_epi8 (o3 + c, m, q3);
    }
}

/* The channels after the 64-wide tiles (at most 32) of one pixel, in
 * 16-wide tiles in natural channel order. */
static void
tail16 (const uint8_t *const *ptr, size_t c, size_t channels, size_t groups,
        int single, const uint8_t *w, uint8_t *out, __m512i zp, __m512i lo,
        __m512i hi)
{
  const __m512i dword_transpose = _mm512_setr_epi32 (0, 4, 8, 12, 1, 5, 9, 13,
                                                     2, 6, 10, 14, 3, 7, 11, 15);
  const __m512i byte_transpose = _mm512_broadcast_i32x4 (
      _mm_setr_epi8 (0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));

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

      const __m512i q = qvk_qu8_requantize_avx512 (acc, s, zp, lo, hi);
      _mm_mask_storeu_epi8 (out + c, m, qvk_qu8_narrow_u8_avx512 (q));
    }
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
  __m512i zp, lo, hi, zp16, lo8, hi8;
  qvk_qu8_requant_consts_avx512 (params, &zp, &lo, &hi, &zp16, &lo8, &hi8);
  /* Groups of four real taps, then possibly a group with one real tap
   * (3x3, 5x5 and 7x7 all end so) that skips the interleave.  A last group
   * with two or three real taps is treated as a full one: its padding
   * entries are valid table entries whose weights are zero. */
  const int single = taps % 4 == 1;
  const size_t groups = single ? taps / 4 : (taps + 3) / 4;
  const size_t padded_taps = (taps + 3) / 4 * 4;
  /* a 64-wide tile: bias and scales, then 64 weights per padded tap */
  const size_t tile_bytes = 64 * 8 + 64 * padded_taps;
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

      /* Channel tiles outside, pixels inside: a tile's input lines are
       * read again by the next few pixels (their taps overlap), and they
       * are still in L1 when only one tile's lines came in between.  With
       * the pixels outside, every tile of a wide layer (960 channels)
       * passes between two uses of a line, which then comes from L2. */
      const uint8_t *w = weights;
      size_t c = 0;

      for (; channels - c >= 64; c += 64, w += tile_bytes)
        {
        size_t px = px0;
        for (; px + 4 <= px0 + n_px; px += 4)
          {
            const uint8_t *const *r = resolved + (px - px0) * offsets_step;
            tile64x4 (r, r + offsets_step, r + 2 * offsets_step, r + 3 * offsets_step,
                      groups, single, c, ~(__mmask64) 0, 1, w, output + px * output_stride,
                      output + (px + 1) * output_stride, output + (px + 2) * output_stride,
                      output + (px + 3) * output_stride, zp16, lo8, hi8);
          }
        for (; px < px0 + n_px; px += 2)
          {
            /* Pixels in pairs that share the weight loads; an odd last
             * pixel is its own pair (computed twice, stored twice). */
            const size_t pxb = px + 1 < px0 + n_px ? px + 1 : px;
            tile64x2 (resolved + (px - px0) * offsets_step,
                      resolved + (pxb - px0) * offsets_step, groups, single, c,
                      ~(__mmask64) 0, 1, w, output + px * output_stride,
                      output + pxb * output_stride, zp16, lo8, hi8);
          }
        }
      /* The last 64-wide tile may be partial (more than 32 left). */
      if (channels - c > 32)
        {
          const __mmask64 m = ((__mmask64) 1 << (channels - c)) - 1;
          size_t px = px0;
          for (; px + 4 <= px0 + n_px; px += 4)
            {
              const uint8_t *const *r = resolved + (px - px0) * offsets_step;
              tile64x4 (r, r + offsets_step, r + 2 * offsets_step, r + 3 * offsets_step,
                        groups, single, c, m, 0, w, output + px * output_stride,
                        output + (px + 1) * output_stride, output + (px + 2) * output_stride,
                        output + (px + 3) * output_stride, zp16, lo8, hi8);
            }
          for (; px < px0 + n_px; px += 2)
            {
              const size_t pxb = px + 1 < px0 + n_px ? px + 1 : px;
              tile64x2 (resolved + (px - px0) * offsets_step,
                        resolved + (pxb - px0) * offsets_step, groups, single, c,
                        ((__mmask64) 1 << (channels - c)) - 1, 0, w,
                        output + px * output_stride, output + pxb * output_stride,
                        zp16, lo8, hi8);
            }
          c = channels;
        }
      if (c < channels)
        for (size_t px = px0; px < px0 + n_px; px++)
          tail16 (resolved + (px - px0) * offsets_step, c, channels, groups, single,
                  w, output + px * output_stride, zp, lo, hi);
    }
}

/* ---- kernels 3 wide, stride and dilation 1 across (layout C4R3) ----------
 *
 * Pixels x and x + 1 read, in each kernel row, the four input columns
 * x .. x + 3: x the first three, x + 1 the last three.  One interleave of
 * those four columns serves both, with the row's weights as [w0 w1 w2 0]
 * for x and [0 w0 w1 w2] for x + 1, where the grouped layout above
 * interleaves each pixel's taps on its own: per pixel and row, half an
 * interleave (four loads and eight unpacks for two pixels) instead of
 * three quarters of one plus the single-tap group.
 *
 * The indirection table shares columns between neighbouring pixels here
 * (stride 1 across): pixel x's entries start offsets_step = kernel_h
 * entries after pixel x - 1's, column by column (kernel_h entries each),
 * so row ky of column x + j is entry j * kernel_h + ky from pixel x's. */

static inline __attribute__ ((always_inline)) void
tile64r3 (const uint8_t *const *ptr, size_t kh, const int paired, size_t c,
          __mmask64 m, const int full, const uint8_t *w, uint8_t *out_a,
          uint8_t *out_b, __m512i zp16, __m512i lo8, __m512i hi8)
{
  __m512i a0 = _mm512_loadu_si512 (w);
  __m512i a1 = _mm512_loadu_si512 (w + 64);
  __m512i a2 = _mm512_loadu_si512 (w + 128);
  __m512i a3 = _mm512_loadu_si512 (w + 192);
  __m512i b0 = a0, b1 = a1, b2 = a2, b3 = a3;
  const uint8_t *wg = w + 512;

  for (size_t ky = 0; ky < kh; ky++, wg += 512)
    {
      /* the four columns of row ky, in the grouped kernel's tap order;
       * without a second pixel the fourth is any valid entry (its weight
       * for pixel x is zero) */
      const uint8_t *const cols[4] = {
        ptr[ky], ptr[kh + ky], ptr[2 * kh + ky], ptr[(paired ? 3 : 2) * kh + ky]
      };
      __m512i v0, v1, v2, v3;

      DW_INTERLEAVE (cols, 0, v0, v1, v2, v3);
      a0 = _mm512_dpbusd_epi32 (a0, v0, _mm512_loadu_si512 (wg));
      a1 = _mm512_dpbusd_epi32 (a1, v1, _mm512_loadu_si512 (wg + 64));
      a2 = _mm512_dpbusd_epi32 (a2, v2, _mm512_loadu_si512 (wg + 128));
      a3 = _mm512_dpbusd_epi32 (a3, v3, _mm512_loadu_si512 (wg + 192));
      if (paired)
        {
          b0 = _mm512_dpbusd_epi32 (b0, v0, _mm512_loadu_si512 (wg + 256));
          b1 = _mm512_dpbusd_epi32 (b1, v1, _mm512_loadu_si512 (wg + 320));
          b2 = _mm512_dpbusd_epi32 (b2, v2, _mm512_loadu_si512 (wg + 384));
          b3 = _mm512_dpbusd_epi32 (b3, v3, _mm512_loadu_si512 (wg + 448));
        }
    }

  const __m512i qa = requantize64 (a0, a1, a2, a3, w + 256, zp16, lo8, hi8);
  if (full)
    _mm512_storeu_si512 (out_a + c, qa);
  else
    _mm512_mask_storeu_epi8 (out_a + c, m, qa);
  if (paired)
    {
      const __m512i qb = requantize64 (b0, b1, b2, b3, w + 256, zp16, lo8, hi8);
      if (full)
        _mm512_storeu_si512 (out_b + c, qb);
      else
        _mm512_mask_storeu_epi8 (out_b + c, m, qb);
    }
}

void
qvk_qu8_dwconv_minmax_ukernel_64c4r3__avx512vnni (
    size_t channels, size_t output_width, size_t taps,
    const int32_t *offsets, size_t offsets_step,
    const uint8_t *input, const uint8_t *zero,
    const void *weights,
    uint8_t *output, size_t output_stride,
    const qvk_qu8_requant_minmax *params)
{
  const __m512i zp16 = _mm512_set1_epi16 ((short) params->output_zero_point);
  const __m512i lo8 = _mm512_set1_epi8 ((char) params->output_min);
  const __m512i hi8 = _mm512_set1_epi8 ((char) params->output_max);
  const size_t kh = taps / 3;
  /* a tile: bias and scales, then two groups of 64 dwords per kernel row */
  const size_t tile_bytes = 64 * 8 + 512 * kh;
  const size_t segment = 1 + 1024 / offsets_step;
  const uint8_t *resolved[(segment - 1) * offsets_step + taps];

  for (size_t px0 = 0; px0 < output_width; px0 += segment)
    {
      const size_t n_px = output_width - px0 < segment ? output_width - px0 : segment;
      const size_t entries = (n_px - 1) * offsets_step + taps;
      qvk_indirection_resolve__avx512 (entries, offsets + px0 * offsets_step, input,
                                       zero, 1, (const void **) resolved);

      /* channel tiles outside, as in the grouped kernel */
      const uint8_t *w = weights;
      for (size_t c = 0; c < channels; c += 64, w += tile_bytes)
        {
          const int full = channels - c >= 64;
          const __mmask64 m = full ? ~(__mmask64) 0
                                   : ((__mmask64) 1 << (channels - c)) - 1;
          size_t px = 0;

          if (full)
            for (; px + 1 < n_px; px += 2)
              tile64r3 (resolved + px * offsets_step, kh, 1, c, m, 1, w,
                        output + (px0 + px) * output_stride,
                        output + (px0 + px + 1) * output_stride, zp16, lo8, hi8);
          else
            for (; px + 1 < n_px; px += 2)
              tile64r3 (resolved + px * offsets_step, kh, 1, c, m, 0, w,
                        output + (px0 + px) * output_stride,
                        output + (px0 + px + 1) * output_stride, zp16, lo8, hi8);
          if (px < n_px)
            tile64r3 (resolved + px * offsets_step, kh, 0, c, m, 0, w,
                      output + (px0 + px) * output_stride, NULL, zp16, lo8, hi8);
        }
    }
}

/* ---- row quads (layout C4Q) ------------------------------------------------
 *
 * The interleave happens once per quad of input rows (qvk_qu8_dwconv_quad_fill)
 * instead of once per tap group and output pixel: each dword of a quad
 * column holds one channel's four rows, so the row kernel below is only
 * loads and vpdpbusd, with the weights of the row's shift (see
 * qvk_qu8_dwconv_quad_geometry).  A 3x3 kernel reads one quad (its fourth
 * row meets zero weights), a 5x5 two.
 *
 * At stride 1 across with dilation d, a quad's columns are stored by
 * class: x mod d first, then x / d, so
 * that a pixel's taps, d columns apart in the image, are neighbours in
 * the quad, and so are the pixels x, x + d, x + 2d, ... of one class: the
 * row kernel walks each class as if undilated. */

/* Four rows' 64 bytes interleaved into a quad column: vector v, lane L,
 * dword e holds byte 16 L + 4 v + e of the four rows (the C4 order). */
static inline __attribute__ ((always_inline)) void
interleave4 (__m512i x0, __m512i x1, __m512i x2, __m512i x3, __m512i c[4])
{
  const __m512i x01l = _mm512_unpacklo_epi8 (x0, x1);
  const __m512i x01h = _mm512_unpackhi_epi8 (x0, x1);
  const __m512i x23l = _mm512_unpacklo_epi8 (x2, x3);
  const __m512i x23h = _mm512_unpackhi_epi8 (x2, x3);

  c[0] = _mm512_unpacklo_epi16 (x01l, x23l);
  c[1] = _mm512_unpackhi_epi16 (x01l, x23l);
  c[2] = _mm512_unpacklo_epi16 (x01h, x23h);
  c[3] = _mm512_unpackhi_epi16 (x01h, x23h);
}

/* A 16-channel tile's quad column: the four rows' 16 bytes in the four
 * lanes, transposed so that dword j holds channel j's four rows (as in
 * tail16). */
static inline __m512i
quad_column16 (const uint8_t *const *r, const size_t *step, size_t ix, __mmask16 m,
               __m128i zp)
{
  const __m512i dword_transpose = _mm512_setr_epi32 (0, 4, 8, 12, 1, 5, 9, 13,
                                                     2, 6, 10, 14, 3, 7, 11, 15);
  const __m512i byte_transpose = _mm512_broadcast_i32x4 (
      _mm_setr_epi8 (0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
  __m512i x = _mm512_castsi128_si512 (_mm_mask_loadu_epi8 (zp, m, r[0] + ix * step[0]));

  x = _mm512_inserti32x4 (x, _mm_mask_loadu_epi8 (zp, m, r[1] + ix * step[1]), 1);
  x = _mm512_inserti32x4 (x, _mm_mask_loadu_epi8 (zp, m, r[2] + ix * step[2]), 2);
  x = _mm512_inserti32x4 (x, _mm_mask_loadu_epi8 (zp, m, r[3] + ix * step[3]), 3);
  return _mm512_shuffle_epi8 (_mm512_permutexvar_epi32 (dword_transpose, x), byte_transpose);
}

/* The 16 channels at p of four neighbouring pixels, one per 128-bit lane:
 * a single load when pixels are 16 bytes apart, two loads of lanes 0 and 2
 * (masked: nothing past the fourth pixel's 16 bytes is read) when 32. */
static inline __m512i
four_pixels16 (const uint8_t *p, size_t pixel_stride)
{
  if (pixel_stride == 16)
    return _mm512_loadu_si512 (p);
  const __mmask64 lanes02 = 0x0000ffff0000ffffull;
  return _mm512_shuffle_i32x4 (_mm512_maskz_loadu_epi8 (lanes02, p),
                               _mm512_maskz_loadu_epi8 (lanes02, p + 64),
                               _MM_SHUFFLE (2, 0, 2, 0));
}

/* Four neighbouring quad columns of a 16-channel tile of an image of 16
 * or 32 channels (four pixels' 16 channels of each row at p0 .. p3, or
 * loaded in x0 .. x3): the interleave of the 64-channel tiles gives, per
 * 128-bit lane (one pixel), channels 4v .. 4v + 3 in vector v; a 4 x 4
 * transpose of the lanes puts each pixel's 16 channels in one vector, in
 * order, as quad_column16 stores them.  In q[0..3], or stored at dst. */
static inline __attribute__ ((always_inline)) void
quad_columns16x4_regs (__m512i x0, __m512i x1, __m512i x2, __m512i x3, __m512i q[4])
{
  __m512i v[4];

  interleave4 (x0, x1, x2, x3, v);

  const __m512i a = _mm512_shuffle_i32x4 (v[0], v[1], _MM_SHUFFLE (1, 0, 1, 0));
  const __m512i b = _mm512_shuffle_i32x4 (v[0], v[1], _MM_SHUFFLE (3, 2, 3, 2));
  const __m512i c = _mm512_shuffle_i32x4 (v[2], v[3], _MM_SHUFFLE (1, 0, 1, 0));
  const __m512i e = _mm512_shuffle_i32x4 (v[2], v[3], _MM_SHUFFLE (3, 2, 3, 2));

  q[0] = _mm512_shuffle_i32x4 (a, c, _MM_SHUFFLE (2, 0, 2, 0));
  q[1] = _mm512_shuffle_i32x4 (a, c, _MM_SHUFFLE (3, 1, 3, 1));
  q[2] = _mm512_shuffle_i32x4 (b, e, _MM_SHUFFLE (2, 0, 2, 0));
  q[3] = _mm512_shuffle_i32x4 (b, e, _MM_SHUFFLE (3, 1, 3, 1));
}

static inline __attribute__ ((always_inline)) void
quad_columns16x4 (const uint8_t *p0, const uint8_t *p1, const uint8_t *p2, const uint8_t *p3,
                  size_t pixel_stride, uint8_t *dst)
{
  __m512i q[4];

  quad_columns16x4_regs (four_pixels16 (p0, pixel_stride), four_pixels16 (p1, pixel_stride),
                         four_pixels16 (p2, pixel_stride), four_pixels16 (p3, pixel_stride), q);
  for (int k = 0; k < 4; k++)
    _mm512_storeu_si512 (dst + 64 * k, q[k]);
}

/* A quad column of at most 8 channels (32 bytes): dword j holds channel
 * j's four rows, as quad_column16 stores them. */
static inline void
quad_column8 (const uint8_t *p0, const uint8_t *p1, const uint8_t *p2, const uint8_t *p3,
              __mmask16 m, __m128i zp, uint8_t *dst)
{
  const __m128i a = _mm_unpacklo_epi8 (_mm_mask_loadu_epi8 (zp, m, p0),
                                       _mm_mask_loadu_epi8 (zp, m, p1));
  const __m128i b = _mm_unpacklo_epi8 (_mm_mask_loadu_epi8 (zp, m, p2),
                                       _mm_mask_loadu_epi8 (zp, m, p3));

  _mm_storeu_si128 ((__m128i *) dst, _mm_unpacklo_epi16 (a, b));
  _mm_storeu_si128 ((__m128i *) (dst + 16), _mm_unpackhi_epi16 (a, b));
}

/* A column of the zero point, width * 4 bytes. */
static inline void
store_zero_column (uint8_t *dst, size_t width, __m512i zp)
{
  if (width == 8)
    _mm256_storeu_si256 ((__m256i *) dst, _mm512_castsi512_si256 (zp));
  else
    for (size_t v = 0; v < width / 16; v++)
      _mm512_storeu_si512 (dst + 64 * v, zp);
}

/* Columns col0 .. col0 + n_cols - 1 of the image (outside it: the zero
 * point) of the four rows (NULL: a row outside the image) into a quad of
 * a tile `width` channels wide (64, 16 or 8: a column of 256, 64 or 32
 * bytes), `channels` of them real, stored by class for dilation d. */
void
qvk_qu8_dwconv_quad_fill__avx512vnni (size_t width, size_t channels,
                                      const uint8_t *const *rows, size_t in_w,
                                      size_t in_stride, ptrdiff_t col0, size_t n_cols,
                                      size_t d, uint8_t zero_point, uint8_t *quad)
{
  const __mmask64 m = channels >= 64 ? ~(__mmask64) 0
                                     : ((__mmask64) 1 << channels) - 1;
  const __m512i zp = _mm512_set1_epi8 ((char) zero_point);
  const size_t col_bytes = width * 4, len = (n_cols + d - 1) / d;
  /* two vectors: four_pixels16 reads up to 112 bytes from it */
  uint8_t zero_row[128];
  const uint8_t *r[4];
  size_t step[4];

  _mm512_storeu_si512 (zero_row, zp);
  _mm512_storeu_si512 (zero_row + 64, zp);
  for (int i = 0; i < 4; i++)
    {
      /* a row outside the image reads the zero point at every column */
      r[i] = rows[i] != NULL ? rows[i] : zero_row;
      step[i] = rows[i] != NULL ? in_stride : 0;
    }
  /* class by class (x mod d), each in order: the columns left of the
   * image, those inside it (four pointers stepping d columns), those
   * right of it */
  for (size_t j0 = 0; j0 < d && j0 < n_cols; j0++)
    {
      uint8_t *dst = quad + j0 * len * col_bytes;
      size_t j = j0;

      for (; j < n_cols && col0 + (ptrdiff_t) j < 0; j += d, dst += col_bytes)
        store_zero_column (dst, width, zp);
      if (j < n_cols && col0 + (ptrdiff_t) j < (ptrdiff_t) in_w)
        {
          const size_t ix = (size_t) (col0 + (ptrdiff_t) j);
          const size_t end = in_w - ix < n_cols - j ? in_w - ix : n_cols - j;
          const size_t n_in = (end + d - 1) / d;
          const uint8_t *p0 = r[0] + ix * step[0], *p1 = r[1] + ix * step[1];
          const uint8_t *p2 = r[2] + ix * step[2], *p3 = r[3] + ix * step[3];
          const size_t s0 = d * step[0], s1 = d * step[1], s2 = d * step[2], s3 = d * step[3];

          size_t k0 = 0;

          /* images of 16 channels (32): four neighbouring columns of a
           * row are one 64-byte load (two) */
          if (width == 16 && channels == 16 && (in_stride == 16 || in_stride == 32) && d == 1)
            for (; k0 + 4 <= n_in; k0 += 4, dst += 4 * col_bytes)
              quad_columns16x4 (p0 + k0 * s0, p1 + k0 * s1, p2 + k0 * s2, p3 + k0 * s3,
                                in_stride, dst);
          if (width == 8)
            for (size_t k = 0; k < n_in; k++, dst += col_bytes)
              quad_column8 (p0 + k * s0, p1 + k * s1, p2 + k * s2, p3 + k * s3, (__mmask16) m,
                            _mm512_castsi512_si128 (zp), dst);
          else if (width == 16)
            for (size_t k = k0; k < n_in; k++, dst += col_bytes)
              {
                const uint8_t *const pk[4] = { p0 + k * s0, p1 + k * s1, p2 + k * s2,
                                               p3 + k * s3 };
                const size_t zero_step[4] = { 0, 0, 0, 0 };
                _mm512_storeu_si512 (dst, quad_column16 (pk, zero_step, 0, (__mmask16) m,
                                                         _mm512_castsi512_si128 (zp)));
              }
          else
            for (size_t k = 0; k < n_in; k++, dst += col_bytes,
                 p0 += s0, p1 += s1, p2 += s2, p3 += s3)
              {
                /* the lines sixteen columns on (from L2 or L3 on wide
                 * layers, where each column of a row is a line of its own) */
                _mm_prefetch ((const char *) (p0 + 16 * step[0]), _MM_HINT_T0);
                _mm_prefetch ((const char *) (p1 + 16 * step[1]), _MM_HINT_T0);
                _mm_prefetch ((const char *) (p2 + 16 * step[2]), _MM_HINT_T0);
                _mm_prefetch ((const char *) (p3 + 16 * step[3]), _MM_HINT_T0);
                __m512i v[4];

                interleave4 (_mm512_mask_loadu_epi8 (zp, m, p0),
                             _mm512_mask_loadu_epi8 (zp, m, p1),
                             _mm512_mask_loadu_epi8 (zp, m, p2),
                             _mm512_mask_loadu_epi8 (zp, m, p3), v);
                for (int k = 0; k < 4; k++)
                  _mm512_storeu_si512 (dst + 64 * k, v[k]);
              }
          j += n_in * d;
        }
      for (; j < n_cols; j += d, dst += col_bytes)
        store_zero_column (dst, width, zp);
    }
}

#define QUAD_DOT(acc, col)                                                    \
  do {                                                                        \
    acc[0] = _mm512_dpbusd_epi32 (acc[0], _mm512_loadu_si512 (col), w0);      \
    acc[1] = _mm512_dpbusd_epi32 (acc[1], _mm512_loadu_si512 ((col) + 64), w1); \
    acc[2] = _mm512_dpbusd_epi32 (acc[2], _mm512_loadu_si512 ((col) + 128), w2); \
    acc[3] = _mm512_dpbusd_epi32 (acc[3], _mm512_loadu_si512 ((col) + 192), w3); \
  } while (0)

static inline __attribute__ ((always_inline)) void
store4 (__m512i q0, __m512i q1, __m512i q2, __m512i q3, __mmask64 m, const int full,
        uint8_t *out, size_t pixel_stride)
{
  if (full)
    {
      _mm512_storeu_si512 (out, q0);
      _mm512_storeu_si512 (out + pixel_stride, q1);
      _mm512_storeu_si512 (out + 2 * pixel_stride, q2);
      _mm512_storeu_si512 (out + 3 * pixel_stride, q3);
    }
  else
    {
      _mm512_mask_storeu_epi8 (out, m, q0);
      _mm512_mask_storeu_epi8 (out + pixel_stride, m, q1);
      _mm512_mask_storeu_epi8 (out + 2 * pixel_stride, m, q2);
      _mm512_mask_storeu_epi8 (out + 3 * pixel_stride, m, q3);
    }
}

/* Four pixels of one 64-channel tile, any kernel width, stride and
 * dilation, each weight vector loaded once for the four; col_step is the
 * distance between two pixels' columns in bytes, tap_step between two
 * taps of a pixel. */
static inline __attribute__ ((always_inline)) void
quad_pixels4 (size_t kw, size_t nq, const uint8_t *const *quads, size_t at,
              size_t col_step, size_t tap_step, const uint8_t *tile,
              const uint8_t *wk, __mmask64 m, const int full, uint8_t *out,
              size_t pixel_stride, __m512i zp16, __m512i lo8, __m512i hi8)
{
  __m512i a[4], b[4], d[4], e[4];

  for (int v = 0; v < 4; v++)
    a[v] = b[v] = d[v] = e[v] = _mm512_loadu_si512 (tile + 64 * v);
  for (size_t g = 0; g < nq; g++)
    {
      const uint8_t *col = quads[g] + at;
      for (size_t j = 0; j < kw; j++, col += tap_step, wk += 256)
        {
          TAP_WEIGHTS (wk);
          QUAD_DOT (a, col);
          QUAD_DOT (b, col + col_step);
          QUAD_DOT (d, col + 2 * col_step);
          QUAD_DOT (e, col + 3 * col_step);
        }
    }
  store4 (requantize64 (a[0], a[1], a[2], a[3], tile + 256, zp16, lo8, hi8),
          requantize64 (b[0], b[1], b[2], b[3], tile + 256, zp16, lo8, hi8),
          requantize64 (d[0], d[1], d[2], d[3], tile + 256, zp16, lo8, hi8),
          requantize64 (e[0], e[1], e[2], e[3], tile + 256, zp16, lo8, hi8),
          m, full, out, pixel_stride);
}

/* Tap j of four neighbouring pixels: quad columns j .. j + 3 (c[]) with
 * the tap's weights of channel vector v. */
#define SLIDE_TAP(j, v)                                                        \
  do {                                                                         \
    const __m512i w_ = _mm512_loadu_si512 (wk + (j) * 256 + 64 * (v));         \
    a[v] = _mm512_dpbusd_epi32 (a[v], c[(j)], w_);                             \
    b[v] = _mm512_dpbusd_epi32 (b[v], c[(j) + 1], w_);                         \
    d[v] = _mm512_dpbusd_epi32 (d[v], c[(j) + 2], w_);                         \
    e[v] = _mm512_dpbusd_epi32 (e[v], c[(j) + 3], w_);                         \
  } while (0)

/* Channel vector v of one quad: the KW + 3 columns the four pixels read,
 * each loaded once, then every tap. */
#define SLIDE_VECTOR(KW, v)                                                    \
  do {                                                                         \
    __m512i c[8];                                                              \
    c[0] = _mm512_loadu_si512 (base + 64 * (v));                               \
    c[1] = _mm512_loadu_si512 (base + 256 + 64 * (v));                         \
    c[2] = _mm512_loadu_si512 (base + 512 + 64 * (v));                         \
    c[3] = _mm512_loadu_si512 (base + 768 + 64 * (v));                         \
    c[4] = _mm512_loadu_si512 (base + 1024 + 64 * (v));                        \
    c[5] = _mm512_loadu_si512 (base + 1280 + 64 * (v));                        \
    SLIDE_TAP (0, v);                                                          \
    SLIDE_TAP (1, v);                                                          \
    SLIDE_TAP (2, v);                                                          \
    if (KW == 5)                                                               \
      {                                                                        \
        c[6] = _mm512_loadu_si512 (base + 1536 + 64 * (v));                    \
        c[7] = _mm512_loadu_si512 (base + 1792 + 64 * (v));                    \
        SLIDE_TAP (3, v);                                                      \
        SLIDE_TAP (4, v);                                                      \
      }                                                                        \
  } while (0)

/* Four neighbouring pixels of a 64-channel tile whose taps are neighbouring
 * quad columns too (stride 1, undilated or stored by class), kernels KW =
 * 3 or 5 wide: the four read KW + 3 columns of each quad, each loaded once
 * for every tap that reads it (0.65 loads a vpdpbusd for 5 wide, against
 * 1.25 in quad_pixels4, where the loads were the limit: 1.3x faster on a
 * 5x5 row in L1). */
static inline __attribute__ ((always_inline)) void
quad_slide4 (const int KW, size_t nq, const uint8_t *const *quads, size_t at,
             const uint8_t *tile, const uint8_t *wk, __mmask64 m, const int full,
             uint8_t *out, size_t pixel_stride, __m512i zp16, __m512i lo8, __m512i hi8)
{
  __m512i a[4], b[4], d[4], e[4];

  for (int v = 0; v < 4; v++)
    a[v] = b[v] = d[v] = e[v] = _mm512_loadu_si512 (tile + 64 * v);
  for (size_t g = 0; g < nq; g++, wk += (size_t) KW * 256)
    {
      const uint8_t *base = quads[g] + at;
      SLIDE_VECTOR (KW, 0);
      SLIDE_VECTOR (KW, 1);
      SLIDE_VECTOR (KW, 2);
      SLIDE_VECTOR (KW, 3);
    }
  store4 (requantize64 (a[0], a[1], a[2], a[3], tile + 256, zp16, lo8, hi8),
          requantize64 (b[0], b[1], b[2], b[3], tile + 256, zp16, lo8, hi8),
          requantize64 (d[0], d[1], d[2], d[3], tile + 256, zp16, lo8, hi8),
          requantize64 (e[0], e[1], e[2], e[3], tile + 256, zp16, lo8, hi8),
          m, full, out, pixel_stride);
}

static inline __attribute__ ((always_inline)) void
quad_pixel1 (size_t kw, size_t nq, const uint8_t *const *quads, size_t at,
             size_t tap_step, const uint8_t *tile, const uint8_t *wk, __mmask64 m,
             uint8_t *out, __m512i zp16, __m512i lo8, __m512i hi8)
{
  __m512i a[4];

  for (int v = 0; v < 4; v++)
    a[v] = _mm512_loadu_si512 (tile + 64 * v);
  for (size_t g = 0; g < nq; g++)
    {
      const uint8_t *col = quads[g] + at;
      for (size_t j = 0; j < kw; j++, col += tap_step, wk += 256)
        {
          TAP_WEIGHTS (wk);
          QUAD_DOT (a, col);
        }
    }
  _mm512_mask_storeu_epi8 (out, m,
                           requantize64 (a[0], a[1], a[2], a[3], tile + 256, zp16, lo8, hi8));
}

/* The low 32 bytes at p in both halves of a vector: a 16-wide packed
 * tile's first 8 channels, for two pixels at once. */
static inline __m512i
both_halves (const uint8_t *p)
{
  return _mm512_broadcast_i64x4 (_mm256_loadu_si256 ((const __m256i *) p));
}

/* Vector k of a tile of at most 8 channels (quad columns of 32 bytes):
 * the columns of pixels 2k and 2k + 1 (if it is one of the n). */
static inline __m512i
pair_columns (const uint8_t *col, size_t k, size_t col_step, size_t n)
{
  const uint8_t *c = col + 2 * k * col_step;
  __m512i x;

  if (col_step == 32 && 2 * k + 1 < n)
    return _mm512_loadu_si512 (c);
  x = _mm512_castsi256_si512 (_mm256_loadu_si256 ((const __m256i *) c));
  if (2 * k + 1 < n)
    x = _mm512_inserti64x4 (x, _mm256_loadu_si256 ((const __m256i *) (c + col_step)), 1);
  return x;
}

/* Stores vector k's 16 requantized bytes: pixel k's 16 channels, or (pair)
 * pixels 2k and 2k + 1's 8 (m of them). */
static inline void
store_lane (const int pair, __m128i lane, __mmask16 m, size_t k, size_t n, uint8_t *out,
            size_t pixel_stride)
{
  if (!pair)
    {
      _mm_mask_storeu_epi8 (out + k * pixel_stride, m, lane);
      return;
    }
  _mm_mask_storeu_epi8 (out + 2 * k * pixel_stride, m, lane);
  if (2 * k + 1 < n)
    _mm_mask_storeu_epi8 (out + (2 * k + 1) * pixel_stride, m, _mm_srli_si128 (lane, 8));
}

/* Up to eight vectors of a 16-channel tile, one pixel each, or (pair) of
 * a tile of at most 8 channels, two pixels each (pixel 2k in the low half
 * of vector k, 2k + 1 in the high half, the 16-wide packed tile's first 8
 * channels in both): n pixels, sharing each weight load. */
static inline __attribute__ ((always_inline)) void
quad_pixels16 (const int pair, size_t kw, size_t nq, const uint8_t *const *quads, size_t at,
               size_t col_step, size_t tap_step, const uint8_t *tile,
               const uint8_t *wk, __mmask16 m, size_t n, uint8_t *out,
               size_t pixel_stride, __m512i zp, __m512i lo, __m512i hi,
               __m512i zp16, __m512i lo8, __m512i hi8)
{
  const __m512i bias = pair ? both_halves (tile) : _mm512_loadu_si512 (tile);
  const __m512 scale = _mm512_castsi512_ps (pair ? both_halves (tile + 64)
                                                 : _mm512_loadu_si512 (tile + 64));
  const size_t vectors = pair ? (n + 1) / 2 : n;
  __m512i acc[8];

  for (int k = 0; k < 8; k++)
    acc[k] = bias;
  for (size_t g = 0; g < nq; g++)
    {
      const uint8_t *col = quads[g] + at;
      for (size_t j = 0; j < kw; j++, col += tap_step, wk += 64)
        {
          const __m512i w = pair ? both_halves (wk) : _mm512_loadu_si512 (wk);
#pragma GCC unroll 8
          for (size_t k = 0; k < 8; k++)
            if (k < vectors)
              acc[k] = _mm512_dpbusd_epi32 (acc[k],
                                            pair ? pair_columns (col, k, col_step, n)
                                                 : _mm512_loadu_si512 (col + k * col_step),
                                            w);
        }
    }
  size_t k = 0;

  for (; k + 4 <= vectors && k + 4 <= 8; k += 4)
    {
      const __m512i q = qvk_qu8_requantize4_avx512 (acc[k], acc[k + 1], acc[k + 2], acc[k + 3],
                                                    scale, scale, zp16, lo8, hi8);

      if (!pair && pixel_stride == 16 && m == 0xffff)
        _mm512_storeu_si512 (out + k * pixel_stride, q);
      else
        {
          store_lane (pair, _mm512_castsi512_si128 (q), m, k, n, out, pixel_stride);
          store_lane (pair, _mm512_extracti32x4_epi32 (q, 1), m, k + 1, n, out, pixel_stride);
          store_lane (pair, _mm512_extracti32x4_epi32 (q, 2), m, k + 2, n, out, pixel_stride);
          store_lane (pair, _mm512_extracti32x4_epi32 (q, 3), m, k + 3, n, out, pixel_stride);
        }
    }
  for (; k < 8 && k < vectors; k++)
    store_lane (pair, qvk_qu8_narrow_u8_avx512 (qvk_qu8_requantize_avx512 (acc[k], scale, zp,
                                                                            lo, hi)),
                m, k, n, out, pixel_stride);
}

/* n pixels of a 16-channel tile, or (pair) of a tile of at most 8: eight
 * vectors at a time (n a constant there), then what is left. */
static inline __attribute__ ((always_inline)) void
quad_run16 (const int pair, size_t n, size_t kw, size_t nq, const uint8_t *const *quads,
            size_t at, size_t col_step, size_t tap_step, const uint8_t *tile,
            const uint8_t *weights, __mmask16 m, uint8_t *out, size_t pixel_stride,
            const qvk_qu8_requant_minmax *params, __m512i zp16, __m512i lo8, __m512i hi8)
{
  const __m512i zp = _mm512_set1_epi32 (params->output_zero_point);
  const __m512i lo = _mm512_set1_epi32 (params->output_min);
  const __m512i hi = _mm512_set1_epi32 (params->output_max);
  const size_t per = pair ? 16 : 8;
  size_t px = 0;

  for (; px + per <= n; px += per)
    quad_pixels16 (pair, kw, nq, quads, at + px * col_step, col_step, tap_step, tile,
                   weights, m, per, out + px * pixel_stride, pixel_stride, zp, lo, hi,
                   zp16, lo8, hi8);
  if (px < n)
    quad_pixels16 (pair, kw, nq, quads, at + px * col_step, col_step, tap_step, tile,
                   weights, m, n - px, out + px * pixel_stride, pixel_stride, zp, lo, hi,
                   zp16, lo8, hi8);
}

/* n pixels of one tile whose quad columns are col_step apart, starting at
 * byte `at` of each quad, their taps tap_step apart; outputs pixel_stride
 * apart. */
static inline __attribute__ ((always_inline)) void
quad_run (size_t width, size_t channels, size_t n, size_t kw, size_t nq,
          const uint8_t *const *quads, size_t at, size_t col_step, size_t tap_step,
          const uint8_t *tile, const uint8_t *weights, uint8_t *out, size_t pixel_stride,
          const qvk_qu8_requant_minmax *params)
{
  size_t px = 0;

  const __m512i zp16 = _mm512_set1_epi16 ((short) params->output_zero_point);
  const __m512i lo8 = _mm512_set1_epi8 ((char) params->output_min);
  const __m512i hi8 = _mm512_set1_epi8 ((char) params->output_max);

  if (width <= 16)
    {
      const __mmask16 m = channels >= 16 ? (__mmask16) 0xffff
                                         : (__mmask16) ((1u << channels) - 1);

      if (width == 8)
        quad_run16 (1, n, kw, nq, quads, at, col_step, tap_step, tile, weights, m, out,
                    pixel_stride, params, zp16, lo8, hi8);
      else
        quad_run16 (0, n, kw, nq, quads, at, col_step, tap_step, tile, weights, m, out,
                    pixel_stride, params, zp16, lo8, hi8);
      return;
    }

  const __mmask64 m = channels >= 64 ? ~(__mmask64) 0
                                     : ((__mmask64) 1 << channels) - 1;
  /* neighbours in the quad: the sliding kernels for 3 and 5 wide */
  const int slide = col_step == 256 && tap_step == 256 && (kw == 3 || kw == 5);

#define RUN4(call) for (; px + 4 <= n; px += 4) call
  if (slide && kw == 3 && channels >= 64)
    RUN4 (quad_slide4 (3, nq, quads, at + px * 256, tile, weights, m, 1,
                       out + px * pixel_stride, pixel_stride, zp16, lo8, hi8));
  else if (slide && kw == 3)
    RUN4 (quad_slide4 (3, nq, quads, at + px * 256, tile, weights, m, 0,
                       out + px * pixel_stride, pixel_stride, zp16, lo8, hi8));
  else if (slide && channels >= 64)
    RUN4 (quad_slide4 (5, nq, quads, at + px * 256, tile, weights, m, 1,
                       out + px * pixel_stride, pixel_stride, zp16, lo8, hi8));
  else if (slide)
    RUN4 (quad_slide4 (5, nq, quads, at + px * 256, tile, weights, m, 0,
                       out + px * pixel_stride, pixel_stride, zp16, lo8, hi8));
  else if (channels >= 64)
    RUN4 (quad_pixels4 (kw, nq, quads, at + px * col_step, col_step, tap_step, tile,
                        weights, m, 1, out + px * pixel_stride, pixel_stride,
                        zp16, lo8, hi8));
  else
    RUN4 (quad_pixels4 (kw, nq, quads, at + px * col_step, col_step, tap_step, tile,
                        weights, m, 0, out + px * pixel_stride, pixel_stride,
                        zp16, lo8, hi8));
#undef RUN4
  for (; px < n; px++)
    quad_pixel1 (kw, nq, quads, at + px * col_step, tap_step, tile, weights, m,
                 out + px * pixel_stride, zp16, lo8, hi8);
}

/* One output row of one tile, 64 channels (at most, C4 order), 16 or 8
 * (natural order; 8: the first 8 of a 16-wide packed tile) wide: quads[g] is quad g of the row's segment (filled by
 * qvk_qu8_dwconv_quad_fill__avx512vnni, by class at stride 1 across), tile
 * the packed tile (bias and scales), weights the row's variant within it.
 * Pixel p's tap j is column p * stride_w + j * dilation_w of the segment. */
void
qvk_qu8_dwconv_minmax_ukernel_64c4q__avx512vnni (
    size_t width, size_t channels, size_t output_width, size_t kernel_w, size_t nq,
    size_t dilation_w, size_t stride_w, const uint8_t *const *quads,
    const void *tile, const void *weights, uint8_t *output, size_t output_stride,
    const qvk_qu8_requant_minmax *params)
{
  const size_t col_bytes = width * 4;

  if (stride_w == 1 && dilation_w > 1)
    {
      /* class r: pixels r, r + d, ... at places r * len + x / d, their
       * taps the next places */
      const size_t d = dilation_w;
      const size_t n_cols = output_width + (kernel_w - 1) * d;
      const size_t len = (n_cols + d - 1) / d;

      for (size_t r = 0; r < d && r < output_width; r++)
        quad_run (width, channels, (output_width - r + d - 1) / d, kernel_w, nq, quads,
                  r * len * col_bytes, col_bytes, col_bytes, tile, weights,
                  output + r * output_stride, d * output_stride, params);
      return;
    }
  quad_run (width, channels, output_width, kernel_w, nq, quads, 0, stride_w * col_bytes,
            dilation_w * col_bytes, tile, weights, output, output_stride, params);
}

/* ---- 3x3, stride and dilation 1: two output rows a pass -------------------
 *
 * The two output rows that share a quad (variants 0 and 1 of layout C4Q
 * at q_step 2: kernel rows 0-2 and 1-3 of it) in one pass straight from
 * the input: each column of the four rows is loaded and interleaved once,
 * in registers, and read by the three taps of both rows, two pixels at a
 * time so that each weight vector loaded serves two.  No quad is stored
 * and read back.  A 64-channel tile takes its four vectors in two halves
 * (vectors 0-1, then 2-3), each rounded and packed to int16 before the
 * next, so that the accumulators of both fit in the registers beside the
 * four columns.
 *
 * On x86-64 the passes of full 64-channel tiles and two rows inside the
 * image run in assembly (qu8-dwconv3x3-pair-avx512vnni.S), one column of
 * padding on either side included: each half over 64 pixels at a time,
 * its twelve weight vectors held in registers, and the clamp only where
 * it clamps anything.  The C passes (pair_span) take the rest: rows
 * above or below the image, the last row of an odd band, a last pass of
 * one pixel, wider padding, and tiles of 33 to 63 channels. */

/* Column ix of the four rows r[] (step 0: a row outside the image, read
 * from a row of the zero point); outside the image the zero point. */
static inline __attribute__ ((always_inline)) void
pair_column (const uint8_t *const *r, const size_t *step, ptrdiff_t ix, size_t in_w,
             __mmask64 m, __m512i zp, __m512i c[4])
{
  if (ix < 0 || (size_t) ix >= in_w)
    {
      c[0] = c[1] = c[2] = c[3] = zp;
      return;
    }
  interleave4 (_mm512_mask_loadu_epi8 (zp, m, r[0] + (size_t) ix * step[0]),
               _mm512_mask_loadu_epi8 (zp, m, r[1] + (size_t) ix * step[1]),
               _mm512_mask_loadu_epi8 (zp, m, r[2] + (size_t) ix * step[2]),
               _mm512_mask_loadu_epi8 (zp, m, r[3] + (size_t) ix * step[3]), c);
}

/* The column at p of four rows inside the image, row_step apart. */
static inline __attribute__ ((always_inline)) void
pair_column_at (const uint8_t *p, size_t row_step, const int full, __mmask64 m, __m512i zp,
                __m512i c[4])
{
  if (full)
    interleave4 (_mm512_loadu_si512 (p), _mm512_loadu_si512 (p + row_step),
                 _mm512_loadu_si512 (p + 2 * row_step),
                 _mm512_loadu_si512 (p + 3 * row_step), c);
  else
    interleave4 (_mm512_mask_loadu_epi8 (zp, m, p),
                 _mm512_mask_loadu_epi8 (zp, m, p + row_step),
                 _mm512_mask_loadu_epi8 (zp, m, p + 2 * row_step),
                 _mm512_mask_loadu_epi8 (zp, m, p + 3 * row_step), c);
}

/* Half h (channel vectors 2h and 2h + 1) of pixels x and x + 1, whose
 * taps are columns col[0..3], in both rows (weights w0 and w1): the four
 * outputs scaled, rounded and packed to int16 with the zero point added,
 * q[row][pixel]. */
static inline __attribute__ ((always_inline)) void
pair_half (const int h, const __m512i col[4][4], const uint8_t *tile, const uint8_t *w0,
           const uint8_t *w1, __m512i zp16, __m512i q[2][2])
{
  __m512i t[2][2], u[2][2];   /* rows 0 and 1, [pixel][vector] */

  for (int k = 0; k < 2; k++)
    {
      const __m512i bias = _mm512_loadu_si512 (tile + 64 * (2 * h + k));
      t[0][k] = t[1][k] = u[0][k] = u[1][k] = bias;
    }
  for (int j = 0; j < 3; j++)
    for (int k = 0; k < 2; k++)
      {
        const int v = 2 * h + k;
        const __m512i a = _mm512_loadu_si512 (w0 + 256 * j + 64 * v);
        const __m512i b = _mm512_loadu_si512 (w1 + 256 * j + 64 * v);
        t[0][k] = _mm512_dpbusd_epi32 (t[0][k], col[j][v], a);
        t[1][k] = _mm512_dpbusd_epi32 (t[1][k], col[j + 1][v], a);
        u[0][k] = _mm512_dpbusd_epi32 (u[0][k], col[j][v], b);
        u[1][k] = _mm512_dpbusd_epi32 (u[1][k], col[j + 1][v], b);
      }

  const __m512 s0 = _mm512_loadu_ps (tile + 256 + 64 * (2 * h));
  const __m512 s1 = _mm512_loadu_ps (tile + 256 + 64 * (2 * h + 1));

  for (int p = 0; p < 2; p++)
    {
      q[0][p] = _mm512_adds_epi16 (_mm512_packs_epi32 (qvk_qu8_scale_round_avx512 (t[p][0], s0),
                                                       qvk_qu8_scale_round_avx512 (t[p][1], s1)),
                                   zp16);
      q[1][p] = _mm512_adds_epi16 (_mm512_packs_epi32 (qvk_qu8_scale_round_avx512 (u[p][0], s0),
                                                       qvk_qu8_scale_round_avx512 (u[p][1], s1)),
                                   zp16);
    }
}

/* The two halves' int16 values of one output to 64 bytes, clamped, as
 * qvk_qu8_pack_bytes4_avx512 does. */
static inline __attribute__ ((always_inline)) void
pair_store (__m512i qa, __m512i qb, __m512i lo8, __m512i hi8, __mmask64 m, const int full,
            uint8_t *out)
{
  const __m512i q = _mm512_min_epu8 (_mm512_max_epu8 (_mm512_packus_epi16 (qa, qb), lo8), hi8);

  if (full)
    _mm512_storeu_si512 (out, q);
  else
    _mm512_mask_storeu_epi8 (out, m, q);
}

/* Output pixels x_begin .. n_px - 1 (x_begin even) of the kernel below,
 * in C. */
static void
pair_span (size_t channels, const uint8_t *const *rows, size_t in_w, size_t in_stride,
           ptrdiff_t col0, size_t x_begin, size_t n_px, const void *tile_,
           const void *weights, uint8_t *out0, uint8_t *out1, size_t out_stride,
           uint8_t zero_point, const qvk_qu8_requant_minmax *params)
{
  const uint8_t *tile = tile_;
  const uint8_t *w0 = weights, *w1 = (const uint8_t *) weights + 3 * 256;
  const __mmask64 m = channels >= 64 ? ~(__mmask64) 0
                                     : ((__mmask64) 1 << channels) - 1;
  const int full = channels >= 64;
  const __m512i zp = _mm512_set1_epi8 ((char) zero_point);
  const __m512i zp16 = _mm512_set1_epi16 ((short) params->output_zero_point);
  const __m512i lo8 = _mm512_set1_epi8 ((char) params->output_min);
  const __m512i hi8 = _mm512_set1_epi8 ((char) params->output_max);
  /* all four rows inside the image: one pointer, the rows row_step on */
  const int inside = rows[0] != NULL && rows[3] != NULL;
  const uint8_t *const base = rows[0];
  const size_t row_step = inside ? (size_t) (rows[1] - rows[0]) : 0;
  const ptrdiff_t out1_off = out1 != NULL ? out1 - out0 : 0;
  uint8_t zero_row[64];
  const uint8_t *r[4];
  size_t step[4];
  __m512i col[4][4];

  _mm512_storeu_si512 (zero_row, zp);
  for (int i = 0; i < 4; i++)
    {
      r[i] = rows[i] != NULL ? rows[i] : zero_row;
      step[i] = rows[i] != NULL ? in_stride : 0;
    }
  pair_column (r, step, col0 + (ptrdiff_t) x_begin, in_w, m, zp, col[0]);
  pair_column (r, step, col0 + (ptrdiff_t) x_begin + 1, in_w, m, zp, col[1]);
  for (size_t x = x_begin; x < n_px; x += 2)
    {
      const ptrdiff_t ix = col0 + (ptrdiff_t) x + 2;
      uint8_t *o = out0 + x * out_stride;
      __m512i qa[2][2], qb[2][2];

      if (inside && ix >= 0 && (size_t) ix + 1 < in_w)
        {
          const uint8_t *p = base + (size_t) ix * in_stride;

          /* one pointer a pass, opaque to the compiler: left to itself it
           * keeps an induction variable for each address below, more than
           * there are registers (on the stack, each added to in memory
           * every pass) */
          __asm__ ("" : "+r" (p), "+r" (o));

          /* eight columns on: at 64 channels each column of a row is a
           * line of its own, beyond it straddles two */
          const uint8_t *f = p + 8 * in_stride;
          _mm_prefetch ((const char *) f, _MM_HINT_T0);
          _mm_prefetch ((const char *) (f + row_step), _MM_HINT_T0);
          _mm_prefetch ((const char *) (f + 2 * row_step), _MM_HINT_T0);
          _mm_prefetch ((const char *) (f + 3 * row_step), _MM_HINT_T0);
          _mm_prefetch ((const char *) (f + 63), _MM_HINT_T0);
          _mm_prefetch ((const char *) (f + row_step + 63), _MM_HINT_T0);
          _mm_prefetch ((const char *) (f + 2 * row_step + 63), _MM_HINT_T0);
          _mm_prefetch ((const char *) (f + 3 * row_step + 63), _MM_HINT_T0);
          pair_column_at (p, row_step, full, m, zp, col[2]);
          pair_column_at (p + in_stride, row_step, full, m, zp, col[3]);
        }
      else
        {
          pair_column (r, step, ix, in_w, m, zp, col[2]);
          pair_column (r, step, ix + 1, in_w, m, zp, col[3]);
        }
      pair_half (0, col, tile, w0, w1, zp16, qa);
      pair_half (1, col, tile, w0, w1, zp16, qb);
      for (int k = 0; k < 2 && x + k < n_px; k++)
        {
          pair_store (qa[0][k], qb[0][k], lo8, hi8, m, full, o + k * out_stride);
          if (out1 != NULL)
            pair_store (qa[1][k], qb[1][k], lo8, hi8, m, full, o + out1_off + k * out_stride);
        }
      for (int v = 0; v < 4; v++)
        {
          col[0][v] = col[2][v];
          col[1][v] = col[3][v];
        }
    }
}

#if defined(__x86_64__)
/* The assembly run's arguments; the offsets are those of its RUN_* names. */
typedef struct {
  const uint8_t *in;
  size_t in_stride, row_step, passes;
  uint8_t *out0, *out1;
  size_t out_stride;
  const uint8_t *weights;
  const uint8_t *consts;
  int16_t *scratch;
  uint32_t variant;
  size_t prefetch;
  uint32_t left, right;
} qvk_qu8_dw_pair_run;

_Static_assert (offsetof (qvk_qu8_dw_pair_run, passes) == 24, "RUN_PASSES");
_Static_assert (offsetof (qvk_qu8_dw_pair_run, out0) == 32, "RUN_OUT0");
_Static_assert (offsetof (qvk_qu8_dw_pair_run, weights) == 56, "RUN_WEIGHTS");
_Static_assert (offsetof (qvk_qu8_dw_pair_run, consts) == 64, "RUN_CONSTS");
_Static_assert (offsetof (qvk_qu8_dw_pair_run, scratch) == 72, "RUN_SCRATCH");
_Static_assert (offsetof (qvk_qu8_dw_pair_run, variant) == 80, "RUN_VARIANT");
_Static_assert (offsetof (qvk_qu8_dw_pair_run, prefetch) == 88, "RUN_PREFETCH");
_Static_assert (offsetof (qvk_qu8_dw_pair_run, left) == 96, "RUN_LEFT");
_Static_assert (offsetof (qvk_qu8_dw_pair_run, right) == 100, "RUN_RIGHT");

void qvk_qu8_dwconv3x3_pair_run_64c4__avx512vnni (const qvk_qu8_dw_pair_run *run);

/* Passes xs .. xe - 2 (two pixels each) of a full tile and two rows: the
 * four rows inside the image, and the columns the passes read too but
 * for the first pass's left one and the last pass's right one, which may
 * be one column beyond (the zero point).  Each half in one assembly run
 * per 64 pixels (the first half's int16 results wait in scratch for the
 * second's). */
#define PAIR_RUN_PASSES 32

static void
pair_run (const uint8_t *const *rows, size_t in_w, size_t in_stride, ptrdiff_t col0, size_t xs,
          size_t xe, const uint8_t *tile, const uint8_t *weights, uint8_t *out0, uint8_t *out1,
          size_t out_stride, uint8_t zero_point, const qvk_qu8_requant_minmax *params)
{
  /* only the bounds that clamp anything: the packs saturate to 0 .. 255 */
  const uint32_t clamp = params->output_max < 255 ? 2 : params->output_min > 0 ? 1 : 0;
  _Alignas (64) uint8_t consts[2][8 * 64];
  _Alignas (64) int16_t scratch[PAIR_RUN_PASSES * 128];

  for (int h = 0; h < 2; h++)
    {
      memcpy (consts[h], tile + 128 * h, 128);
      memcpy (consts[h] + 128, tile + 256 + 128 * h, 128);
      _mm512_store_si512 (consts[h] + 256, _mm512_set1_epi16 ((short) params->output_zero_point));
      _mm512_store_si512 (consts[h] + 320, _mm512_set1_epi8 ((char) params->output_min));
      _mm512_store_si512 (consts[h] + 384, _mm512_set1_epi8 ((char) params->output_max));
      _mm512_store_si512 (consts[h] + 448, _mm512_set1_epi8 ((char) zero_point));
    }
  for (size_t x = xs; x < xe; x += 2 * PAIR_RUN_PASSES)
    {
      const size_t x_end = xe - x < 2 * PAIR_RUN_PASSES ? xe : x + 2 * PAIR_RUN_PASSES;
      const ptrdiff_t first = col0 + (ptrdiff_t) x;

      for (int h = 0; h < 2; h++)
        {
          const qvk_qu8_dw_pair_run run = {
            /* the first pass's left column (not read when outside) */
            .in = (const uint8_t *) ((uintptr_t) rows[0] + (uintptr_t) (first * (ptrdiff_t) in_stride)),
            .in_stride = in_stride,
            .row_step = (size_t) (rows[1] - rows[0]),
            .passes = (x_end - x) / 2,
            .out0 = out0 + x * out_stride,
            .out1 = out1 + x * out_stride,
            .out_stride = out_stride,
            .weights = weights + 128 * h,
            .consts = consts[h],
            .scratch = scratch,
            .variant = (uint32_t) h + 2 * clamp,
            /* the first half reads the columns first: eight on, as pair_span */
            .prefetch = h == 0 ? 8 * in_stride : 0,
            .left = first < 0,
            .right = col0 + (ptrdiff_t) x_end + 1 == (ptrdiff_t) in_w,
          };

          qvk_qu8_dwconv3x3_pair_run_64c4__avx512vnni (&run);
        }
    }
}
#endif

/* Output rows y and y + 1 (out1 NULL: row y only) of a 64-wide tile,
 * `channels` of them real, n_px pixels from output column x0: rows[0..3]
 * are input rows y - pad .. y - pad + 3 at the tile's first channel (NULL:
 * outside the image), col0 = x0 - pad_left, in_stride the distance between
 * two input pixels and out_stride between two output pixels; tile is the
 * packed tile (bias and scales), weights its variants 0 and 1. */
void
qvk_qu8_dwconv3x3_pair_ukernel_64c4__avx512vnni (
    size_t channels, const uint8_t *const *rows, size_t in_w, size_t in_stride,
    ptrdiff_t col0, size_t n_px, const void *tile_, const void *weights,
    uint8_t *out0, uint8_t *out1, size_t out_stride, uint8_t zero_point,
    const qvk_qu8_requant_minmax *params)
{
#if defined(__x86_64__)
  /* the passes in assembly: those whose columns col0 + x .. col0 + x + 3
   * are inside the image but for one column of padding on either side */
  size_t xs = col0 < -1 ? (size_t) (-1 - col0) : 0, xe;

  xs += xs & 1;
  xe = xs;
  if (channels >= 64 && out1 != NULL && rows[0] != NULL && rows[3] != NULL && n_px >= 2
      && (ptrdiff_t) in_w - col0 - 3 >= (ptrdiff_t) xs)
    {
      size_t last = (size_t) ((ptrdiff_t) in_w - col0 - 3);

      if (last > n_px - 2)
        last = n_px - 2;
      if (last >= xs)
        xe = xs + (last - xs) / 2 * 2 + 2;
    }
  /* under six passes the C kernel is as fast (setting up the run costs
   * about a pass) */
  if (xe >= xs + 12)
    {
      if (xs > 0)
        pair_span (channels, rows, in_w, in_stride, col0, 0, xs, tile_, weights, out0, out1,
                   out_stride, zero_point, params);
      pair_run (rows, in_w, in_stride, col0, xs, xe, tile_, weights, out0, out1, out_stride,
                zero_point, params);
      if (xe < n_px)
        pair_span (channels, rows, in_w, in_stride, col0, xe, n_px, tile_, weights, out0,
                   out1, out_stride, zero_point, params);
      return;
    }
#endif
  pair_span (channels, rows, in_w, in_stride, col0, 0, n_px, tile_, weights, out0, out1,
             out_stride, zero_point, params);
}

/* ---- 3x3, stride and dilation 1, 16-wide tiles: two output rows a pass ---
 *
 * The row-pair kernel for the 16-wide tiles of images of 16 and 32
 * channels (natural channel order, layout C4Q's 16-wide tiles): a pass
 * takes four pixels of both output rows from six quad columns, the first
 * two carried from the pass before.  Inside the image, four neighbouring
 * pixels of a row are one 64-byte load (two at 32 channels), the four
 * rows' loads interleave to four quad columns at once, in registers
 * (quad_columns16x4_regs), and the four pixels of a row requantize to one
 * 64-byte store (four of 16 bytes at 32 channels): pair16_run, a loop of
 * nothing else.  Other passes (columns or rows outside the image, the
 * last pixels, a band's odd last row) take their columns one at a time
 * (quad_column16, the zero point outside). */

/* The pass's acc[k] (pixel k, k = 0 .. 3) requantized to 64 bytes in
 * pixel order. */
static inline __attribute__ ((always_inline)) __m512i
pair16_bytes (const int clamp, const __m512i acc[4], __m512 scale, __m512i zp16, __m512i lo8,
              __m512i hi8)
{
  return qvk_qu8_requantize4_clamp_avx512 (acc[0], acc[1], acc[2], acc[3], scale, scale, zp16,
                                           lo8, hi8, clamp);
}

/* The 24 multiply-adds of a pass: pixel i of row 0 (a) and row 1 (b) over
 * columns q[i .. i + 2]. */
static inline __attribute__ ((always_inline)) void
pair16_dots (const __m512i q[6], const __m512i w0[3], const __m512i w1[3], __m512i bias,
             __m512i a[4], __m512i b[4])
{
  for (int i = 0; i < 4; i++)
    {
      a[i] = b[i] = bias;
      for (int j = 0; j < 3; j++)
        {
          a[i] = _mm512_dpbusd_epi32 (a[i], q[i + j], w0[j]);
          b[i] = _mm512_dpbusd_epi32 (b[i], q[i + j], w1[j]);
        }
    }
}

/* The weights of both rows (variants 0 and 1), three columns each. */
static inline __attribute__ ((always_inline)) void
pair16_weights (const uint8_t *weights, __m512i w0[3], __m512i w1[3])
{
  for (int j = 0; j < 3; j++)
    {
      w0[j] = _mm512_loadu_si512 (weights + 64 * j);
      w1[j] = _mm512_loadu_si512 (weights + 3 * 64 + 64 * j);
    }
}

/* Four pixels' 16-byte results (q, in pixel order) at o, pixel_stride
 * (16 or 32) apart. */
static inline __attribute__ ((always_inline)) void
pair16_store4 (__m512i q, uint8_t *o, size_t pixel_stride)
{
  if (pixel_stride == 16)
    {
      _mm512_storeu_si512 (o, q);
      return;
    }
  _mm_storeu_si128 ((__m128i *) o, _mm512_castsi512_si128 (q));
  _mm_storeu_si128 ((__m128i *) (o + 32), _mm512_extracti32x4_epi32 (q, 1));
  _mm_storeu_si128 ((__m128i *) (o + 64), _mm512_extracti32x4_epi32 (q, 2));
  _mm_storeu_si128 ((__m128i *) (o + 96), _mm512_extracti32x4_epi32 (q, 3));
}

/* Passes of four pixels inside an image of 16 or 32 channels (S, the
 * bytes between two pixels), both rows: p at row 0's first new column
 * (the third of the pass), rows row_step apart; c[] the two carried
 * columns, left for the pass after the last. */
static inline __attribute__ ((always_inline)) void
pair16_run (const int clamp, const size_t S, const uint8_t *p, size_t row_step, size_t passes,
            __m512i c[2], const uint8_t *tile, const uint8_t *weights, uint8_t *o0,
            uint8_t *o1, const qvk_qu8_requant_minmax *params)
{
  const __m512i zp16 = _mm512_set1_epi16 ((short) params->output_zero_point);
  const __m512i lo8 = _mm512_set1_epi8 ((char) params->output_min);
  const __m512i hi8 = _mm512_set1_epi8 ((char) params->output_max);
  const __m512i bias = _mm512_loadu_si512 (tile);
  const __m512 scale = _mm512_loadu_ps (tile + 64);
  __m512i w0[3], w1[3], q[6];

  pair16_weights (weights, w0, w1);
  q[4] = c[0];
  q[5] = c[1];
  for (size_t i = 0; i < passes; i++, p += 4 * S, o0 += 4 * S, o1 += 4 * S)
    {
      __m512i a[4], b[4];

      q[0] = q[4];
      q[1] = q[5];
      quad_columns16x4_regs (four_pixels16 (p, S), four_pixels16 (p + row_step, S),
                             four_pixels16 (p + 2 * row_step, S),
                             four_pixels16 (p + 3 * row_step, S), q + 2);
      pair16_dots (q, w0, w1, bias, a, b);
      pair16_store4 (pair16_bytes (clamp, a, scale, zp16, lo8, hi8), o0, S);
      pair16_store4 (pair16_bytes (clamp, b, scale, zp16, lo8, hi8), o1, S);
    }
  c[0] = q[4];
  c[1] = q[5];
}

/* Quad column ix of the four rows r[] (step 0: the zero row), the zero
 * point outside the image. */
static inline __m512i
pair16_column (const uint8_t *const *r, const size_t *step, ptrdiff_t ix, size_t in_w,
               __mmask16 m, __m512i zp)
{
  if (ix < 0 || (size_t) ix >= in_w)
    return zp;
  return quad_column16 (r, step, (size_t) ix, m, _mm512_castsi512_si128 (zp));
}

/* One pass of n pixels (1 to 4) from columns ix .. ix + 5, c[] the first
 * two (carried) and left as the last two; row 1 when o1 is not NULL. */
static void
pair16_pass (const uint8_t *const *r, const size_t *step, ptrdiff_t ix, size_t in_w,
             __mmask16 m, __m512i zp, __m512i c[2], const uint8_t *tile,
             const uint8_t *weights, size_t n, uint8_t *o0, uint8_t *o1, size_t out_stride,
             const qvk_qu8_requant_minmax *params)
{
  const __m512i zp16 = _mm512_set1_epi16 ((short) params->output_zero_point);
  const __m512i lo8 = _mm512_set1_epi8 ((char) params->output_min);
  const __m512i hi8 = _mm512_set1_epi8 ((char) params->output_max);
  const __m512 scale = _mm512_loadu_ps (tile + 64);
  __m512i w0[3], w1[3], q[6], a[4], b[4];

  pair16_weights (weights, w0, w1);
  q[0] = c[0];
  q[1] = c[1];
  for (int j = 2; j < 6; j++)
    q[j] = pair16_column (r, step, ix + j, in_w, m, zp);
  c[0] = q[4];
  c[1] = q[5];
  pair16_dots (q, w0, w1, _mm512_loadu_si512 (tile), a, b);

  __m512i qa = pair16_bytes (1, a, scale, zp16, lo8, hi8);
  __m512i qb = pair16_bytes (1, b, scale, zp16, lo8, hi8);

  for (size_t k = 0; k < n; k++)
    {
      _mm_mask_storeu_epi8 (o0 + k * out_stride, m, _mm512_castsi512_si128 (qa));
      if (o1 != NULL)
        _mm_mask_storeu_epi8 (o1 + k * out_stride, m, _mm512_castsi512_si128 (qb));
      qa = _mm512_alignr_epi32 (qa, qa, 4);
      qb = _mm512_alignr_epi32 (qb, qb, 4);
    }
}

#define PAIR16_RUN(name, clamp, S)                                             \
  static void __attribute__ ((noinline))                                      \
  name (const uint8_t *p, size_t row_step, size_t passes, __m512i c[2],       \
        const uint8_t *tile, const uint8_t *weights, uint8_t *o0, uint8_t *o1,  \
        const qvk_qu8_requant_minmax *params)                                 \
  {                                                                           \
    pair16_run (clamp, S, p, row_step, passes, c, tile, weights, o0, o1, params); \
  }
PAIR16_RUN (pair16_run16, 0, 16)
PAIR16_RUN (pair16_run16_clamp, 1, 16)
PAIR16_RUN (pair16_run32, 0, 32)
PAIR16_RUN (pair16_run32_clamp, 1, 32)

/* The row-pair kernel's arguments (qvk_qu8_dwconv3x3_pair_ukernel_64c4__avx512vnni)
 * for a 16-wide tile: `channels` (at most 16) of it real, tile its packed
 * bias and scales, weights its variants 0 and 1. */
void
qvk_qu8_dwconv3x3_pair_ukernel_16c4__avx512vnni (
    size_t channels, const uint8_t *const *rows, size_t in_w, size_t in_stride,
    ptrdiff_t col0, size_t n_px, const void *tile_, const void *weights_,
    uint8_t *out0, uint8_t *out1, size_t out_stride, uint8_t zero_point,
    const qvk_qu8_requant_minmax *params)
{
  const uint8_t *tile = tile_, *weights = weights_;
  const __mmask16 m = channels >= 16 ? (__mmask16) 0xffff
                                     : (__mmask16) ((1u << channels) - 1);
  const __m512i zp = _mm512_set1_epi8 ((char) zero_point);
  /* the passes of pair16_run: both rows and all four input rows inside
   * the image, 16 or 32 channels a pixel, and the pass's six columns
   * inside */
  const int runs = out1 != NULL && rows[0] != NULL && rows[3] != NULL && channels == 16
                   && (in_stride == 16 || in_stride == 32) && out_stride == in_stride;
  const int clamp = qvk_qu8_requant_clamps (params);
  uint8_t zero_row[16];
  const uint8_t *r[4];
  size_t step[4];
  __m512i c[2];

  memset (zero_row, zero_point, sizeof zero_row);
  for (int k = 0; k < 4; k++)
    {
      r[k] = rows[k] != NULL ? rows[k] : zero_row;
      step[k] = rows[k] != NULL ? in_stride : 0;
    }
  c[0] = pair16_column (r, step, col0, in_w, m, zp);
  c[1] = pair16_column (r, step, col0 + 1, in_w, m, zp);
  for (size_t x = 0; x < n_px;)
    {
      const ptrdiff_t ix = col0 + (ptrdiff_t) x;

      if (runs && ix + 2 >= 0 && ix + 5 < (ptrdiff_t) in_w && x + 4 <= n_px)
        {
          /* as many whole passes as stay inside */
          size_t passes = ((ptrdiff_t) in_w - (ix + 5) - 1) / 4 + 1;

          if (passes > (n_px - x) / 4)
            passes = (n_px - x) / 4;
          const uint8_t *p = rows[0] + (size_t) (ix + 2) * in_stride;
          const size_t row_step = (size_t) (rows[1] - rows[0]);
          uint8_t *o0 = out0 + x * out_stride, *o1 = out1 + x * out_stride;

          (in_stride == 16 ? (clamp ? pair16_run16_clamp : pair16_run16)
                           : (clamp ? pair16_run32_clamp : pair16_run32)) (
              p, row_step, passes, c, tile, weights, o0, o1, params);
          x += 4 * passes;
          continue;
        }
      pair16_pass (r, step, ix, in_w, m, zp, c, tile, weights, n_px - x < 4 ? n_px - x : 4,
                   out0 + x * out_stride, out1 != NULL ? out1 + x * out_stride : NULL,
                   out_stride, params);
      x += 4;
    }
}
