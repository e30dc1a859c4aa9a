/* qu8-convrows-avx512vnni.c: int8 convolution over kernel rows read in
 * place (few input channels), AVX-512 VNNI.
 *
 * In an NHWC input, a row of the kernel window -- kernel_w pixels of a
 * few channels, 9 bytes for the usual 3x3 over RGB -- is contiguous, so
 * the kernel broadcasts it straight from the input four bytes at a time,
 * one vpdpbusd per group of four against sixteen output channels.  The
 * bytes after the row (up to three) meet zero weights.  Nothing is copied:
 * the patch path spent as long building patches as its GEMM spent on
 * them.  Eight pixels a pass, each in its own accumulator, against the
 * weights of all rows; a full tile of sixteen channels in contiguous
 * pixels is requantized four pixels at a time and stored 64 bytes at a
 * time.  Requantization as the GEMM's (qvk-qu8-epilogue-avx512.h).
 */
#include "qvk-ukernels.h"

#include <immintrin.h>
#include <string.h>

#include "qvk-qu8-epilogue-avx512.h"

static inline __m512i
broadcast4 (const uint8_t *p)
{
  int32_t v;
  memcpy (&v, p, sizeof v);
  return _mm512_set1_epi32 (v);
}

/* TAPS and G are constants after inlining (0: read from taps, g_n). */
static inline __attribute__ ((always_inline)) void
convrows_body (const size_t TAPS, const size_t G, size_t n, size_t nc, size_t taps,
               size_t g_n, const uint8_t *const *rows, size_t step, const uint8_t *w,
               uint8_t *c, size_t c_stride, const qvk_qu8_requant_minmax *params)
{
  const size_t nt = TAPS ? TAPS : taps, ng = G ? G : g_n;
  const size_t tile_bytes = 128 + nt * ng * 64;
  const __m512i zp = _mm512_set1_epi32 (params->output_zero_point);
  const __m512i lo = _mm512_set1_epi32 (params->output_min);
  const __m512i hi = _mm512_set1_epi32 (params->output_max);
  const __m512i zp16 = _mm512_set1_epi16 ((short) params->output_zero_point);
  const __m512i lo8 = _mm512_set1_epi8 ((char) params->output_min);
  const __m512i hi8 = _mm512_set1_epi8 ((char) params->output_max);
  const int bytes = params->output_zero_point >= 0 && params->output_zero_point <= 255 &&
                    params->output_min >= 0 && params->output_max <= 255;

  for (size_t n0 = 0; n0 < nc; n0 += 16, w += tile_bytes)
    {
      const __m512i bias = _mm512_loadu_si512 (w);
      const __m512 scale = _mm512_loadu_ps (w + 64);
      const uint8_t *wk = w + 128;
      /* with the shape known, the weights of every row stay in registers */
      __m512i wreg[TAPS && G ? TAPS * G : 1];
      if (TAPS && G)
#pragma GCC unroll 16
        for (size_t k = 0; k < TAPS * G; k++)
          wreg[k] = _mm512_loadu_si512 (wk + k * 64);
      const size_t left = nc - n0;
      const __mmask16 m = left >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << left) - 1);

      for (size_t i = 0; i < n; i += 8)
        {
          const size_t mr = n - i < 8 ? n - i : 8;
          size_t off[8];
          __m512i acc[8];

#pragma GCC unroll 8
          for (int p = 0; p < 8; p++)
            {
              /* pixels beyond n repeat the last one, and are not stored */
              off[p] = (i + ((size_t) p < mr ? (size_t) p : mr - 1)) * step;
              acc[p] = bias;
            }
#pragma GCC unroll 5
          for (size_t t = 0; t < nt; t++)
#pragma GCC unroll 4
            for (size_t g = 0; g < ng; g++)
              {
                const __m512i wv = TAPS && G ? wreg[t * G + g]
                                             : _mm512_loadu_si512 (wk + (t * ng + g) * 64);
                const uint8_t *r = rows[t] + 4 * g;
#pragma GCC unroll 8
                for (int p = 0; p < 8; p++)
                  acc[p] = _mm512_dpbusd_epi32 (acc[p], broadcast4 (r + off[p]), wv);
              }

          uint8_t *out = c + i * c_stride + n0;
          if (bytes && mr == 8 && left >= 16)
            {
#pragma GCC unroll 2
              for (int h = 0; h < 8; h += 4)
                {
                  const __m512i q = qvk_qu8_requantize4_avx512 (acc[h], acc[h + 1], acc[h + 2],
                                                                acc[h + 3], scale, scale, zp16,
                                                                lo8, hi8);
                  uint8_t *o = out + (size_t) h * c_stride;
                  if (c_stride == 16)
                    _mm512_storeu_si512 (o, q);
                  else
                    {
                      _mm_storeu_si128 ((__m128i *) o, _mm512_castsi512_si128 (q));
                      _mm_storeu_si128 ((__m128i *) (o + c_stride),
                                        _mm512_extracti32x4_epi32 (q, 1));
                      _mm_storeu_si128 ((__m128i *) (o + 2 * c_stride),
                                        _mm512_extracti32x4_epi32 (q, 2));
                      _mm_storeu_si128 ((__m128i *) (o + 3 * c_stride),
                                        _mm512_extracti32x4_epi32 (q, 3));
                    }
                }
              continue;
            }
#pragma GCC unroll 8
          for (int p = 0; p < 8; p++)
            if ((size_t) p < mr)
              _mm_mask_storeu_epi8 (out + (size_t) p * c_stride, m,
                                    qvk_qu8_narrow_u8_avx512 (
                                        qvk_qu8_requantize_avx512 (acc[p], scale, zp, lo, hi)));
        }
    }
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
