/* qu8-lut-neon.c: y = table[x] 16 bytes at a time, NEON (Armv8.0).  The
 * table sits in sixteen registers as four 64-byte quarters; tbl looks the
 * index up in the first quarter (0 for indices past 63) and three tbx, with
 * the index lowered by 64, 128 and 192, fill in the others: tbx leaves a
 * lane alone when its index is out of its quarter's range, and the
 * subtraction wraps the indices below the quarter to 192 or more.  Per 16
 * bytes: one load, three subtractions, one tbl, three tbx and one store,
 * with the loop's own three.
 */
#include "qvk-elementwise-ukernels.h"

#include <arm_neon.h>
#include <string.h>

static inline uint8x16_t
lut16 (uint8x16x4_t t0, uint8x16x4_t t1, uint8x16x4_t t2, uint8x16x4_t t3,
       uint8x16_t v)
{
  const uint8x16_t k64 = vdupq_n_u8 (64);
  uint8x16_t r = vqtbl4q_u8 (t0, v);

  v = vsubq_u8 (v, k64);
  r = vqtbx4q_u8 (r, t1, v);
  v = vsubq_u8 (v, k64);
  r = vqtbx4q_u8 (r, t2, v);
  v = vsubq_u8 (v, k64);
  return vqtbx4q_u8 (r, t3, v);
}

static void
lut_run (const uint8_t table[256], const uint8_t *x, uint8_t *y, size_t n)
{
  const uint8x16x4_t t0 = vld1q_u8_x4 (table);
  const uint8x16x4_t t1 = vld1q_u8_x4 (table + 64);
  const uint8x16x4_t t2 = vld1q_u8_x4 (table + 128);
  const uint8x16x4_t t3 = vld1q_u8_x4 (table + 192);
  size_t i = 0;

  for (; i + 16 <= n; i += 16)
    vst1q_u8 (y + i, lut16 (t0, t1, t2, t3, vld1q_u8 (x + i)));
  if (i < n)
    {
      uint8_t buf[16] = { 0 };
      memcpy (buf, x + i, n - i);
      vst1q_u8 (buf, lut16 (t0, t1, t2, t3, vld1q_u8 (buf)));
      memcpy (y + i, buf, n - i);
    }
}

void
qvk_qu8_lut_tile_ukernel__neon (const uint8_t table[256], size_t rows,
                                size_t cols, uint8_t *y, size_t stride)
{
  for (size_t r = 0; r < rows; r++)
    lut_run (table, y + r * stride, y + r * stride, cols);
}

void
qvk_qu8_lut_ukernel__neon (const uint8_t table[256], const uint8_t *x,
                           uint8_t *y, size_t n)
{
  lut_run (table, x, y, n);
}
