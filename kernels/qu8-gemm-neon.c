/* qu8-gemm-neon.c: int8 GEMM and indirect GEMM micro-kernels, NEON without
 * dot product (Armv8.0), exact.
 *
 * A 4 x 16 tile of int32 accumulators.  Weights are packed as int16 pairs
 * of consecutive reduction steps, [int32 bias][float scale][taps][kc/2][16]
 * [2] (qvk_qu8_gemm_pack with kr 2, the AVX2 layout); one uzp1/uzp2 per
 * eight columns splits a pair step into its two reduction steps, and each
 * zero-extended activation multiplies them by element with a widening
 * multiply-accumulate (smlal v.4s, v.4h, v.h[j]): a u8 x s8 product fits in
 * int16 and the sums are int32, so nothing saturates.  Tails, row
 * repetition and requantization are those of qu8-gemm-neondot.c.
 */
#include "qvk-qu8-epilogue-neon.h"

#define MR 4

#define PAIR_STEP(J)                                                          \
  do                                                                          \
    {                                                                         \
      const int16x8_t v0 = vld1q_s16 (w);                                     \
      const int16x8_t v1 = vld1q_s16 (w + 8);                                 \
      const int16x8_t v2 = vld1q_s16 (w + 16);                                \
      const int16x8_t v3 = vld1q_s16 (w + 24);                                \
      const int16x8_t even0 = vuzp1q_s16 (v0, v1);                            \
      const int16x8_t odd0 = vuzp2q_s16 (v0, v1);                             \
      const int16x8_t even1 = vuzp1q_s16 (v2, v3);                            \
      const int16x8_t odd1 = vuzp2q_s16 (v2, v3);                             \
      w += 32;                                                                \
      for (int r = 0; r < MR; r++)                                            \
        {                                                                     \
          acc[r][0] = vmlal_laneq_s16 (acc[r][0], vget_low_s16 (even0), x[r], 2 * (J)); \
          acc[r][1] = vmlal_high_laneq_s16 (acc[r][1], even0, x[r], 2 * (J)); \
          acc[r][2] = vmlal_laneq_s16 (acc[r][2], vget_low_s16 (even1), x[r], 2 * (J)); \
          acc[r][3] = vmlal_high_laneq_s16 (acc[r][3], even1, x[r], 2 * (J)); \
          acc[r][0] = vmlal_laneq_s16 (acc[r][0], vget_low_s16 (odd0), x[r], 2 * (J) + 1); \
          acc[r][1] = vmlal_high_laneq_s16 (acc[r][1], odd0, x[r], 2 * (J) + 1); \
          acc[r][2] = vmlal_laneq_s16 (acc[r][2], vget_low_s16 (odd1), x[r], 2 * (J) + 1); \
          acc[r][3] = vmlal_high_laneq_s16 (acc[r][3], odd1, x[r], 2 * (J) + 1); \
        }                                                                     \
    }                                                                         \
  while (0)

static inline int16x8_t
load8_widened (const uint8_t *p)
{
  return vreinterpretq_s16_u16 (vmovl_u8 (vld1_u8 (p)));
}

static inline __attribute__ ((always_inline)) void
gemm_body (size_t nc, size_t kc, size_t taps, int whole_tail,
           const uint8_t *const *const *rows, const int16_t *w,
           uint8_t *const *crow, const qvk_qu8_requant_minmax *params)
{
  const size_t k8 = kc / 8 * 8;
  const size_t tail_pairs = (kc - k8 + 1) / 2;
  /* An indirect row is readable up to kc rounded up to 4. */
  const size_t tail_bytes = whole_tail ? qvk_round_up (kc - k8, 4) : kc - k8;

  for (size_t n0 = 0; n0 < nc; n0 += 16)
    {
      int32x4_t acc[MR][4];
      float32x4_t scale[4];

      for (int q = 0; q < 4; q++)
        {
          const int32x4_t b = vld1q_s32 ((const int32_t *) w + 4 * q);
          scale[q] = vld1q_f32 ((const float *) w + 16 + 4 * q);
          for (int r = 0; r < MR; r++)
            acc[r][q] = b;
        }
      w += 64;

      for (size_t t = 0; t < taps; t++)
        {
          const uint8_t *a[MR];
          int16x8_t x[MR];
          for (int r = 0; r < MR; r++)
            a[r] = rows[r][t];

          for (size_t k = 0; k < k8; k += 8)
            {
              for (int r = 0; r < MR; r++)
                x[r] = load8_widened (a[r] + k);
              PAIR_STEP (0);
              PAIR_STEP (1);
              PAIR_STEP (2);
              PAIR_STEP (3);
            }
          if (tail_pairs > 0)
            {
              for (int r = 0; r < MR; r++)
                {
                  uint8_t tmp[8] = { 0 };
                  memcpy (tmp, a[r] + k8, tail_bytes);
                  x[r] = load8_widened (tmp);
                }
              PAIR_STEP (0);
              if (tail_pairs > 1)
                PAIR_STEP (1);
              if (tail_pairs > 2)
                PAIR_STEP (2);
              if (tail_pairs > 3)
                PAIR_STEP (3);
            }
        }

      const size_t left = nc - n0;
      for (int r = 0; r < MR; r++)
        qvk_qu8_store16_row_neon (crow[r], n0, left, acc[r], scale, params);
    }
}

void
qvk_qu8_gemm_minmax_ukernel_4x16c2__neon (size_t mr, size_t nc, size_t kc,
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
qvk_qu8_igemm_minmax_ukernel_4x16c2__neon (size_t mr, size_t nc, size_t kc,
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
