/* qu8-convrows-avx512vnni.c: int8 convolution over kernel rows read in
 * place (few input channels), AVX-512 VNNI.
 *
 * In an NHWC input, a row of the kernel window -- kernel_w pixels of a
 * few channels, 9 bytes for the usual 3x3 over RGB -- is contiguous, so
 * the kernel broadcasts it straight from the input four bytes at a time,
 * one vpdpbusd per group of four against sixteen output channels (32 a
 * pass while more than sixteen are left).  The bytes after the row (up to
 * three) meet zero weights.  Nothing is copied: the patch path spent as
 * long building patches as its GEMM spent on them.  Eight pixels a pass,
 * each in its own accumulators, against the weights of all rows (in
 * registers for sixteen channels); four pixels of sixteen channels, or two
 * of 32, are requantized together and stored 64 bytes at a time where the
 * pixels are contiguous.  Requantization as the GEMM's
 * (qvk-qu8-epilogue-avx512.h).
 */
#include "qvk-ukernels.h"

#include <immintrin.h>
#include <string.h>

#include "qvk-qu8-epilogue-avx512.h"

/* Pixel p of eight at step bytes apart, from three pointers (pixels 0, 3
 * and 5) that with step address all eight: the offsets p * step held in
 * registers of their own were more than the general registers take, and
 * every broadcast reloaded its address from the stack. */
static inline __attribute__ ((always_inline)) const uint8_t *
convrows_pixel (const uint8_t *a0, const uint8_t *a3, const uint8_t *a5, size_t step, int p)
{
  switch (p)
    {
    case 0: return a0;
    case 1: return a0 + step;
    case 2: return a0 + 2 * step;
    case 3: return a3;
    case 4: return a0 + 4 * step;
    case 5: return a5;
    case 6: return a5 + step;
    default: return a5 + 2 * step;
    }
}

/* The sums of eight pixels over every kernel row and group of four bytes,
 * from the bias up.  FULL: the pixels are step apart; otherwise at off[]. */
static inline __attribute__ ((always_inline)) void
convrows_sums (const int NV, const size_t TAPS, const size_t G, const int FULL, size_t nt,
               size_t ng, const uint8_t *const *rows, size_t base, size_t step,
               const size_t *off, const uint8_t *w, size_t tile_bytes, const __m512i *wreg,
               const __m512i *bias, __m512i acc[8][2])
{
  const int in_regs = NV == 1 && TAPS && G && TAPS * G <= 9;

  /* weights not kept in registers are read afresh every pass: hoisted out
   * of the pixel loop they take the accumulators' registers */
  if (!in_regs)
    __asm__ volatile ("" : "+r"(w));
#pragma GCC unroll 8
  for (int p = 0; p < 8; p++)
#pragma GCC unroll 2
    for (int v = 0; v < NV; v++)
      acc[p][v] = bias[v];
#pragma GCC unroll 5
  for (size_t t = 0; t < nt; t++)
    {
      const uint8_t *a0 = rows[t] + base, *a3 = a0 + 3 * step, *a5 = a0 + 5 * step;
#pragma GCC unroll 4
      for (size_t g = 0; g < ng; g++)
        {
          __m512i wv[2];
#pragma GCC unroll 2
          for (int v = 0; v < NV; v++)
            wv[v] = in_regs ? wreg[t * G + g]
                            : _mm512_loadu_si512 (w + v * tile_bytes + 128 + (t * ng + g) * 64);
#pragma GCC unroll 8
          for (int p = 0; p < 8; p++)
            {
              const uint8_t *r = FULL ? convrows_pixel (a0, a3, a5, step, p) : a0 + off[p];
              const __m512i a = qvk_qu8_broadcast4_avx512 (r + 4 * g);
#pragma GCC unroll 2
              for (int v = 0; v < NV; v++)
                acc[p][v] = _mm512_dpbusd_epi32 (acc[p][v], a, wv[v]);
            }
        }
    }
}

/* Output channels n0 .. n0 + 16 * NV - 1 (fewer in the last tile) of n
 * pixels: NV vectors of sixteen channels, from NV consecutive packed tiles
 * of tile_bytes.  TAPS and G are constants after inlining (0: read from
 * taps, g_n); with them known and one vector, the weights of every row
 * stay in registers. */
static inline __attribute__ ((always_inline)) void
convrows_tile (const int NV, const size_t TAPS, const size_t G, size_t n, size_t left,
               size_t taps, size_t g_n, const uint8_t *const *rows, size_t step,
               const uint8_t *w, size_t tile_bytes, uint8_t *c, size_t c_stride,
               const qvk_qu8_requant_minmax *params)
{
  const size_t nt = TAPS ? TAPS : taps, ng = G ? G : g_n;
  /* nine vectors at most, of constant size: sized TAPS * G the array is
   * variable-length to the compiler */
  const int in_regs = NV == 1 && TAPS && G && TAPS * G <= 9;
  __m512i zp, lo, hi, zp16, lo8, hi8;
  const int bytes = qvk_qu8_requant_consts_avx512 (params, &zp, &lo, &hi, &zp16, &lo8, &hi8);
  __m512i bias[2];
  __m512 scale[2];
  __mmask16 m[2];
  __m512i wreg[9];

#pragma GCC unroll 2
  for (int v = 0; v < NV; v++)
    {
      const size_t lv = left > 16 * (size_t) v ? left - 16 * (size_t) v : 0;
      bias[v] = _mm512_loadu_si512 (w + v * tile_bytes);
      scale[v] = _mm512_loadu_ps (w + v * tile_bytes + 64);
      m[v] = lv >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << lv) - 1);
    }
  if (in_regs)
#pragma GCC unroll 16
    for (size_t k = 0; k < TAPS * G; k++)
      wreg[k] = _mm512_loadu_si512 (w + 128 + k * 64);

  /* the pixels' offsets from a pass's first; pixels beyond n repeat the
   * last one, and are not stored */
  size_t off[8];
#pragma GCC unroll 8
  for (int p = 0; p < 8; p++)
    off[p] = (size_t) p * step;

  for (size_t i = 0; i < n; i += 8)
    {
      const size_t mr = n - i < 8 ? n - i : 8;
      const size_t base = i * step;
      __m512i acc[8][2];

      if (mr < 8)
#pragma GCC unroll 8
        for (int p = 0; p < 8; p++)
          off[p] = ((size_t) p < mr ? (size_t) p : mr - 1) * step;
      if (mr == 8)
        convrows_sums (NV, TAPS, G, 1, nt, ng, rows, base, step, off, w, tile_bytes, wreg,
                       bias, acc);
      else
        convrows_sums (NV, TAPS, G, 0, nt, ng, rows, base, step, off, w, tile_bytes, wreg,
                       bias, acc);

      uint8_t *out = c + i * c_stride;
      if (bytes && mr == 8 && left >= 16 * (size_t) NV)
        {
          /* four pixels of sixteen channels, or two of 32, a vector */
#pragma GCC unroll 4
          for (int h = 0; h < 8; h += 4 / NV)
            {
              const __m512i q =
                NV == 1 ? qvk_qu8_requantize4_avx512 (acc[h][0], acc[h + 1][0], acc[h + 2][0],
                                                      acc[h + 3][0], scale[0], scale[0], zp16,
                                                      lo8, hi8)
                        : qvk_qu8_requantize4_avx512 (acc[h][0], acc[h][1], acc[h + 1][0],
                                                      acc[h + 1][1], scale[0], scale[1], zp16,
                                                      lo8, hi8);
              uint8_t *o = out + (size_t) h * c_stride;
              if (c_stride == 16 * (size_t) NV)
                _mm512_storeu_si512 (o, q);
              else if (NV == 1)
                {
                  _mm_storeu_si128 ((__m128i *) o, _mm512_castsi512_si128 (q));
                  _mm_storeu_si128 ((__m128i *) (o + c_stride), _mm512_extracti32x4_epi32 (q, 1));
                  _mm_storeu_si128 ((__m128i *) (o + 2 * c_stride),
                                    _mm512_extracti32x4_epi32 (q, 2));
                  _mm_storeu_si128 ((__m128i *) (o + 3 * c_stride),
                                    _mm512_extracti32x4_epi32 (q, 3));
                }
              else
                {
                  _mm256_storeu_si256 ((__m256i *) o, _mm512_castsi512_si256 (q));
                  _mm256_storeu_si256 ((__m256i *) (o + c_stride),
                                       _mm512_extracti64x4_epi64 (q, 1));
                }
            }
          continue;
        }
#pragma GCC unroll 8
      for (int p = 0; p < 8; p++)
        if ((size_t) p < mr)
#pragma GCC unroll 2
          for (int v = 0; v < NV; v++)
            _mm_mask_storeu_epi8 (out + (size_t) p * c_stride + 16 * (size_t) v, m[v],
                                  qvk_qu8_narrow_u8_avx512 (
                                      qvk_qu8_requantize_avx512 (acc[p][v], scale[v], zp, lo, hi)));
    }
}

/* Every tile of nc channels: two vectors at a time while more than
 * sixteen channels are left, the last sixteen or fewer in one. */
static inline __attribute__ ((always_inline)) void
convrows_body (const size_t TAPS, const size_t G, size_t n, size_t nc, size_t taps,
               size_t g_n, const uint8_t *const *rows, size_t step, const uint8_t *w,
               uint8_t *c, size_t c_stride, const qvk_qu8_requant_minmax *params)
{
  const size_t tile_bytes = 128 + taps * g_n * 64;
  size_t n0 = 0;

  for (; n0 + 16 < nc; n0 += 32, w += 2 * tile_bytes)
    convrows_tile (2, TAPS, G, n, nc - n0, taps, g_n, rows, step, w, tile_bytes, c + n0,
                   c_stride, params);
  if (n0 < nc)
    convrows_tile (1, TAPS, G, n, nc - n0, taps, g_n, rows, step, w, tile_bytes, c + n0,
                   c_stride, params);
}

void
qvk_qu8_convrows_minmax_ukernel_8x16c4__avx512vnni (
    size_t n, size_t nc, size_t row_bytes, size_t taps, const uint8_t *const *rows,
    size_t step, const void *weights, uint8_t *c, size_t c_stride,
    const qvk_qu8_requant_minmax *params)
{
  const size_t g = (row_bytes + 3) / 4;

  /* the usual first convolutions: 3x3 over 3 or 4 channels, 3x3 over one */
  if (taps == 3 && g == 3)
    convrows_body (3, 3, n, nc, taps, g, rows, step, weights, c, c_stride, params);
  else if (taps == 3 && g == 1)
    convrows_body (3, 1, n, nc, taps, g, rows, step, weights, c, c_stride, params);
  else
    convrows_body (0, 0, n, nc, taps, g, rows, step, weights, c, c_stride, params);
}
