/* qu8-gemm-neondot.c: int8 GEMM and indirect GEMM micro-kernels, Armv8.2
 * dot product (SDOT), exact.
 *
 * A 4 x 16 tile of int32 accumulators.  Weights are packed as for
 * vpdpbusd, [int32 bias][float scale][taps][kc/4][16][4] int8
 * (qvk_qu8_gemm_pack with kr 4).  SDOT multiplies int8 by int8, and the
 * activations are uint8: each activation byte is flipped to a - 128
 * (eor 0x80), and the packing folds the matching +128 * sum(w) into the
 * bias by being given the zero point z_in - 128
 * (qvk_qu8_gemm_pack_zero_point), so the int32 sums are exactly those of
 * u8 x s8 (USDOT would need I8MM).  Sixteen activations of a row are
 * loaded at once and used by element (sdot v.4s, v.16b, v.4b[j]), four
 * reduction groups per load; a shorter tail is copied into a zeroed
 * buffer (its extra groups meet zero weights).  Rows beyond mr repeat the
 * last row; requantization is qvk-qu8-epilogue-neon.h.
 */
#include "qvk-qu8-epilogue-neon.h"

#define MR 4

#define DOT_GROUP(J)                                                          \
  do                                                                          \
    {                                                                         \
      const int8x16_t w0 = vld1q_s8 (w);                                      \
      const int8x16_t w1 = vld1q_s8 (w + 16);                                 \
      const int8x16_t w2 = vld1q_s8 (w + 32);                                 \
      const int8x16_t w3 = vld1q_s8 (w + 48);                                 \
      w += 64;                                                                \
      __asm__ ("" : "+r" (w));                                                \
      for (int r = 0; r < MR; r++)                                            \
        {                                                                     \
          acc[r][0] = vdotq_laneq_s32 (acc[r][0], w0, x[r], (J));             \
          acc[r][1] = vdotq_laneq_s32 (acc[r][1], w1, x[r], (J));             \
          acc[r][2] = vdotq_laneq_s32 (acc[r][2], w2, x[r], (J));             \
          acc[r][3] = vdotq_laneq_s32 (acc[r][3], w3, x[r], (J));             \
        }                                                                     \
    }                                                                         \
  while (0)

static inline int8x16_t
load16_flipped (const uint8_t *p)
{
  return vreinterpretq_s8_u8 (veorq_u8 (vld1q_u8 (p), vdupq_n_u8 (0x80)));
}

static inline __attribute__ ((always_inline)) void
gemm_body (size_t nc, size_t kc, size_t taps, int whole_tail,
           const uint8_t *const *const *rows, const int8_t *w,
           uint8_t *const *crow, const qvk_qu8_requant_minmax *params)
{
  const size_t k16 = kc / 16 * 16;
  const size_t tail_groups = (kc - k16 + 3) / 4;
  /* An indirect row is readable up to kc rounded up to 4. */
  const size_t tail_bytes = whole_tail ? tail_groups * 4 : kc - k16;

  for (size_t n0 = 0; n0 < nc; n0 += 16)
    {
      const int8_t *const tile = w;
      int32x4_t acc[MR][4];
      float32x4_t scale[4];

      for (int q = 0; q < 4; q++)
        {
          const int32x4_t b = vld1q_s32 ((const int32_t *) w + 4 * q);
          for (int r = 0; r < MR; r++)
            acc[r][q] = b;
        }
      w += 128;

      for (size_t t = 0; t < taps; t++)
        {
          const uint8_t *a[MR];
          int8x16_t x[MR];
          for (int r = 0; r < MR; r++)
            a[r] = rows[r][t];

          for (size_t k = 0; k < k16; k += 16)
            {
              for (int r = 0; r < MR; r++)
                x[r] = load16_flipped (a[r] + k);
              DOT_GROUP (0);
              DOT_GROUP (1);
              DOT_GROUP (2);
              DOT_GROUP (3);
            }
          if (tail_groups > 0)
            {
              for (int r = 0; r < MR; r++)
                {
                  uint8_t tmp[16] = { 0 };
                  memcpy (tmp, a[r] + k16, tail_bytes);
                  x[r] = load16_flipped (tmp);
                }
              DOT_GROUP (0);
              if (tail_groups > 1)
                DOT_GROUP (1);
              if (tail_groups > 2)
                DOT_GROUP (2);
              if (tail_groups > 3)
                DOT_GROUP (3);
            }
        }

      /* the scales only now: held through the loop they would take four of
       * the registers the weights need */
      for (int q = 0; q < 4; q++)
        scale[q] = vld1q_f32 ((const float *) tile + 16 + 4 * q);

      const size_t left = nc - n0;
      for (int r = 0; r < MR; r++)
        qvk_qu8_store16_row_neon (crow[r], n0, left, acc[r], scale, params);
    }
}

void
qvk_qu8_gemm_minmax_ukernel_4x16c4__neondot (size_t mr, size_t nc, size_t kc,
                                             const uint8_t *a, size_t a_stride,
                                             const void *weights, uint8_t *c,
                                             size_t c_stride,
                                             const qvk_qu8_requant_minmax *params)
{
#define BLOCK(rows, crow, p) gemm_body (nc, kc, 1, 0, rows, weights, crow, p)
  QVK_QU8_GEMM_BLOCKS (MR, mr, a, a_stride, c, c_stride, params, BLOCK);
#undef BLOCK
}

void
qvk_qu8_igemm_minmax_ukernel_4x16c4__neondot (size_t mr, size_t nc, size_t kc,
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
      crow[r] = c + rr * c_stride * (params->float_output ? sizeof (float) : 1);
    }
  gemm_body (nc, kc, taps, 1, rows, weights, crow, params);
}
