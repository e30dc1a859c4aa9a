/* qu8-dwconv-neon.c: int8 depthwise convolution through an indirection
 * table, NEON (Armv8.0), exact.
 *
 * The weights are the AVX2 kernel's (layout C2 of qvk_qu8_dwconv_pack):
 * 16-channel tiles of [int32 bias][float scale] and, per pair of taps, the
 * two taps' int16 weights side by side for each of 16 accumulator slots.
 * Slots hold channels permuted: slots 0-3, 4-7, 8-11 and 12-15 are channels
 * 0-3, 8-11, 4-7 and 12-15.  One ld2 of eight slots' pairs splits them into
 * the even tap's and the odd tap's weights, and a zip of 64-bit halves puts
 * a tap's weights for channels 0-7 and 8-15 in one vector each.  The taps'
 * inputs are zero-extended to int16, and a widening multiply-accumulate
 * (smlal / smlal2 v.4s) adds each u8 x s8 product, exact in int16, to an
 * int32 accumulator: nothing saturates, so the sums are the scalar
 * reference's.
 * Taps are padded to an even count with zero weights, the input zero-point
 * correction is in the bias, and requantization is qvk_qu8_requantize in
 * vector form (qvk-qu8-epilogue-neon.h), the accumulators put back into
 * channel order on the way.
 *
 * Per tap and 16 channels: one 16-byte input load, two zero-extensions
 * (uxtl, uxtl2), one ld2 of weights (two per pair of taps), two zips and
 * four smlal/smlal2: 10 instructions for 16 MACs, the per-tap pointer load
 * and loop overhead apart (docs/benchmarks.md counts the compiled loop).
 */
#include "qvk-qu8-epilogue-neon.h"

/* 16 channels of one tap; fewer than 16 are read so that nothing past the
 * row is touched (8 in one load, as the AVX2 kernel does: the tails of
 * layers of 8k channels), and the rest are 0. */
static inline uint8x16_t
load16_u8 (const uint8_t *p, size_t n)
{
  if (n >= 16)
    return vld1q_u8 (p);
  if (n == 8)
    return vcombine_u8 (vld1_u8 (p), vdup_n_u8 (0));
  uint8_t tmp[16] = { 0 };
  memcpy (tmp, p, n);
  return vld1q_u8 (tmp);
}

/* acc[0..3] (slots 0-3, 4-7, 8-11, 12-15) += one pair of taps: x0 and x1
 * the taps' 16 channels, wp their 16 slots' weight pairs. */
static inline void
tap_pair (int32x4_t acc[4], uint8x16_t x0, uint8x16_t x1, const int16_t *wp)
{
  /* slots 0-7 (channels 0-3, 8-11) and 8-15 (4-7, 12-15): val[0] the even
   * tap's weights, val[1] the odd one's */
  const int16x8x2_t wa = vld2q_s16 (wp);
  const int16x8x2_t wb = vld2q_s16 (wp + 16);
  const uint8x16_t x[2] = { x0, x1 };

  for (int j = 0; j < 2; j++)
    {
      /* the tap's weights for channels 0-7 and 8-15 */
      const int64x2_t a = vreinterpretq_s64_s16 (wa.val[j]);
      const int64x2_t b = vreinterpretq_s64_s16 (wb.val[j]);
      const int16x8_t w_lo = vreinterpretq_s16_s64 (vzip1q_s64 (a, b));
      const int16x8_t w_hi = vreinterpretq_s16_s64 (vzip2q_s64 (a, b));
      const int16x8_t x_lo = vreinterpretq_s16_u16 (vmovl_u8 (vget_low_u8 (x[j])));
      const int16x8_t x_hi = vreinterpretq_s16_u16 (vmovl_high_u8 (x[j]));

      acc[0] = vmlal_s16 (acc[0], vget_low_s16 (x_lo), vget_low_s16 (w_lo));
      acc[2] = vmlal_high_s16 (acc[2], x_lo, w_lo);
      acc[1] = vmlal_s16 (acc[1], vget_low_s16 (x_hi), vget_low_s16 (w_hi));
      acc[3] = vmlal_high_s16 (acc[3], x_hi, w_hi);
    }
}

void
qvk_qu8_dwconv_minmax_ukernel_16c2t__neon (
    size_t channels, size_t output_width, size_t taps,
    const int32_t *offsets, size_t offsets_step,
    const uint8_t *input, const uint8_t *zero,
    const void *weights,
    uint8_t *output, size_t output_stride,
    const qvk_qu8_requant_minmax *params)
{
  const size_t pairs = (taps + 1) / 2;
  const uint8_t *ptr[2 * pairs];

  for (size_t px = 0; px < output_width; px++)
    {
      const int32_t *o = offsets + px * offsets_step;
      for (size_t t = 0; t < 2 * pairs; t++)
        ptr[t] = o[t] < 0 ? zero : input + o[t];

      uint8_t *out = output + px * output_stride;
      const uint8_t *w = weights;

      for (size_t c = 0; c < channels; c += 16)
        {
          const size_t left = channels - c;
          /* acc[s]: slots 4s..4s+3 */
          int32x4_t acc[4];
          float32x4_t scale[4];
          for (int s = 0; s < 4; s++)
            {
              acc[s] = vld1q_s32 ((const int32_t *) w + 4 * s);
              scale[s] = vld1q_f32 ((const float *) (w + 64) + 4 * s);
            }
          const int16_t *wp = (const int16_t *) (w + 128);

          if (left >= 16)
            for (size_t p = 0; p < pairs; p++, wp += 32)
              tap_pair (acc, vld1q_u8 (ptr[2 * p] + c), vld1q_u8 (ptr[2 * p + 1] + c), wp);
          else
            for (size_t p = 0; p < pairs; p++, wp += 32)
              tap_pair (acc, load16_u8 (ptr[2 * p] + c, left),
                        load16_u8 (ptr[2 * p + 1] + c, left), wp);
          w = (const uint8_t *) wp;

          /* back to channel order: slots 0-3, 8-11, 4-7, 12-15 */
          const int32x4_t ordered[4] = { acc[0], acc[2], acc[1], acc[3] };
          const float32x4_t ordered_scale[4] = { scale[0], scale[2], scale[1], scale[3] };
          qvk_qu8_store16_neon (out + c, left, ordered, ordered_scale, params);
        }
    }
}
