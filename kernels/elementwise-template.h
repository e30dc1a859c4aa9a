/* elementwise-template.h: the element-wise microkernels, written once over
 * a few vector primitives that qu8-elementwise-avx2.c and
 * qu8-elementwise-avx512.c define before including this file (VW lanes of
 * int32 / fp32; the _n forms handle the last n < VW lanes).
 *
 * Every int8 result is the scalar reference's.  The add and multiplies are
 * fixed-point (the same exact integer sums, in any order, and the same
 * arithmetic shift; VB = 4 * VW bytes at a time).  Elsewhere: the same fp32
 * operations in the same order (each product rounded before a sum: these
 * files are built with -ffp-contract=off), cvtps_epi32 under the default
 * MXCSR for lrintf (round to nearest even), and max/min with the bound as
 * second operand so that NaN goes to the bound as in qvk_qu8_round_clamp.
 */
#include "qvk-elementwise-ukernels.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define UKERNEL_(name, sfx) name##__##sfx
#define UKERNEL2_(name, sfx) UKERNEL_ (name, sfx)
#define UKERNEL(name) UKERNEL2_ (name, QVK_EW_SUFFIX)

/* qvk_qu8_round_clamp on VW lanes. */
static inline vi
round_clamp (vf v, vi zero_point, vi out_min, vi out_max)
{
  v = maxf (v, setf (-1024.0f));
  v = minf (v, setf (1024.0f));
  vi q = addi (cvt_round (v), zero_point);
  q = maxi (q, out_min);
  return mini (q, out_max);
}

/* ---- fixed-point add and multiply ---------------------------------------
 *
 * These work on VB bytes (VW * 4 elements) at a time, widened to four int32
 * vectors in "lane order": vector j holds, in each 128-bit lane k, elements
 * 16k + 4j .. 16k + 4j + 3.  That is the order unpacking against zero gives
 * for free, and the one in which two packs back to bytes (which work within
 * 128-bit lanes) put every element back in its place, so no cross-lane
 * shuffle is needed either way. */

/* The four int32 vectors of VB bytes in lane order, zero-extended. */
static inline void
widen4 (vi v, vi d[4])
{
  const vi z = zeroi ();
  const vi lo = unpacklo8 (v, z), hi = unpackhi8 (v, z);

  d[0] = unpacklo16 (lo, z);
  d[1] = unpackhi16 (lo, z);
  d[2] = unpacklo16 (hi, z);
  d[3] = unpackhi16 (hi, z);
}

/* Arithmetic shift of four lane-order int32 vectors, saturated back to
 * VB bytes (to int16, then to 0..255) and clamped to [lo, hi] (bytes). */
static inline vi
shift_pack4 (const vi acc[4], vcount shift, vi lo, vi hi)
{
  const vi p01 = packs32 (sra (acc[0], shift), sra (acc[1], shift));
  const vi p23 = packs32 (sra (acc[2], shift), sra (acc[3], shift));

  return minu8 (maxu8 (packus16 (p01, p23), lo), hi);
}

/* a * A + b * B + bias on VB bytes, with A and B of at most 15 bits: each
 * int32 lane holds an (a, b) pair of int16 lanes, so one multiply-add of
 * the (A, B) pair gives the sum. */
static inline vi
add_pairs (vi a, vi b, vi ab_mult, vi bias, vcount shift, vi lo, vi hi)
{
  const vi z = zeroi ();
  const vi lo_ab = unpacklo8 (a, b), hi_ab = unpackhi8 (a, b);
  vi acc[4];

  acc[0] = addi (madd16 (unpacklo8 (lo_ab, z), ab_mult), bias);
  acc[1] = addi (madd16 (unpackhi8 (lo_ab, z), ab_mult), bias);
  acc[2] = addi (madd16 (unpacklo8 (hi_ab, z), ab_mult), bias);
  acc[3] = addi (madd16 (unpackhi8 (hi_ab, z), ab_mult), bias);
  return shift_pack4 (acc, shift, lo, hi);
}

/* The same with multipliers of up to 21 bits, in 32-bit lanes. */
static inline vi
add_wide (vi a, vi b, vi a_mult, vi b_mult, vi bias, vcount shift, vi lo, vi hi)
{
  vi da[4], db[4], acc[4];

  widen4 (a, da);
  widen4 (b, db);
  for (int j = 0; j < 4; j++)
    acc[j] = addi (addi (muli (da[j], a_mult), muli (db[j], b_mult)), bias);
  return shift_pack4 (acc, shift, lo, hi);
}

void
UKERNEL (qvk_qu8_vadd_ukernel) (const qvk_qu8_add_params *p, const uint8_t *a,
                                const uint8_t *b, uint8_t *y, size_t n)
{
  const vi bias = seti (p->bias);
  const vi lo = set8 ((uint8_t) p->output_min), hi = set8 ((uint8_t) p->output_max);
  const vcount shift = setcount (p->shift);
  size_t i = 0;

  if (p->a_multiplier <= QVK_QU8_ADD_PAIR_MAX && p->b_multiplier <= QVK_QU8_ADD_PAIR_MAX)
    {
      const vi ab = seti ((int32_t) ((uint32_t) p->b_multiplier << 16
                                     | (uint32_t) p->a_multiplier));

      for (; i + 2 * VB <= n; i += 2 * VB)
        {
          const vi y0 = add_pairs (loadb (a + i), loadb (b + i), ab, bias, shift, lo, hi);
          const vi y1 = add_pairs (loadb (a + i + VB), loadb (b + i + VB), ab, bias,
                                   shift, lo, hi);
          storeb (y + i, y0);
          storeb (y + i + VB, y1);
        }
      for (; i + VB <= n; i += VB)
        storeb (y + i, add_pairs (loadb (a + i), loadb (b + i), ab, bias, shift, lo, hi));
      if (i < n)
        storeb_n (y + i, add_pairs (loadb_n (a + i, n - i), loadb_n (b + i, n - i), ab,
                                    bias, shift, lo, hi), n - i);
    }
  else
    {
      const vi am = seti (p->a_multiplier), bm = seti (p->b_multiplier);

      for (; i + VB <= n; i += VB)
        storeb (y + i, add_wide (loadb (a + i), loadb (b + i), am, bm, bias, shift, lo, hi));
      if (i < n)
        storeb_n (y + i, add_wide (loadb_n (a + i, n - i), loadb_n (b + i, n - i), am, bm,
                                   bias, shift, lo, hi), n - i);
    }
}

static inline vi
mul_bytes (vi a, vi b, vi za, vi zb, vi mult, vi rounding, vcount shift, vi lo, vi hi)
{
  vi da[4], db[4], acc[4];

  widen4 (a, da);
  widen4 (b, db);
  for (int j = 0; j < 4; j++)
    acc[j] = addi (muli (muli (subi (da[j], za), subi (db[j], zb)), mult), rounding);
  return shift_pack4 (acc, shift, lo, hi);
}

void
UKERNEL (qvk_qu8_vmul_ukernel) (const qvk_qu8_mul_params *p, const uint8_t *a,
                                const uint8_t *b, uint8_t *y, size_t n)
{
  const vi za = seti (p->a_zero_point), zb = seti (p->b_zero_point);
  const vi mult = seti (p->multiplier), rounding = seti (p->rounding);
  const vi lo = set8 ((uint8_t) p->output_min), hi = set8 ((uint8_t) p->output_max);
  const vcount shift = setcount (p->shift);
  size_t i = 0;

  for (; i + VB <= n; i += VB)
    storeb (y + i, mul_bytes (loadb (a + i), loadb (b + i), za, zb, mult, rounding,
                              shift, lo, hi));
  if (i < n)
    storeb_n (y + i, mul_bytes (loadb_n (a + i, n - i), loadb_n (b + i, n - i), za, zb,
                                mult, rounding, shift, lo, hi), n - i);
}

/* Table entries of the broadcast multiply (a multiple of VB): its
 * per-channel tables live on the stack. */
#define MULC_BLOCK 2048

/* x * m + bias on VB bytes in natural order (four VW-element chunks, the
 * tables likewise), shifted, packed back to natural order. */
static inline vi
mulc_bytes (const uint8_t *x, const int32_t *m, const int32_t *bias, vcount shift,
            vi lo, vi hi)
{
  vi acc[4];

  for (int j = 0; j < 4; j++)
    acc[j] = addi (muli (load_u8 (x + j * VW), loadi (m + j * VW)), loadi (bias + j * VW));
  return unlane (shift_pack4 (acc, shift, lo, hi));
}

/* The last n < VB bytes, through a buffer. */
static inline void
mulc_tail (const uint8_t *x, const int32_t *m, const int32_t *bias, vcount shift,
           vi lo, vi hi, uint8_t *y, size_t n)
{
  uint8_t buf[VB] = { 0 };

  memcpy (buf, x, n);
  storeb_n (y, mulc_bytes (buf, m, bias, shift, lo, hi), n);
}

static size_t
gcd_size (size_t a, size_t b)
{
  while (b != 0)
    {
      const size_t t = a % b;
      a = b;
      b = t;
    }
  return a;
}

/* rows pixels of channels bytes each, all scaled by the same s.  Per
 * channel, (x - zx) * (s - zs) * M + rounding = x * m + bias with
 * m = (s - zs) * M (at most 22 bits) and bias = rounding - zx * m, both
 * exact in int32 as is every x * m + bias (params_init's bounds), so one
 * multiply and one add per element give the reference's sum. */
void
UKERNEL (qvk_qu8_vmulc_ukernel) (const qvk_qu8_mul_params *p, size_t rows,
                                 size_t channels, const uint8_t *x, const uint8_t *s,
                                 uint8_t *y)
{
  int32_t m[MULC_BLOCK + VB] __attribute__ ((aligned (64)));
  int32_t bias[MULC_BLOCK + VB] __attribute__ ((aligned (64)));
  const vi lo = set8 ((uint8_t) p->output_min), hi = set8 ((uint8_t) p->output_max);
  const vcount shift = setcount (p->shift);
  const size_t period = channels / gcd_size (channels, VB) * VB;

  if (channels == 0 || rows == 0)
    return;
  if (period <= MULC_BLOCK)
    {
      /* The pixels are contiguous: the tables repeat every lcm(channels,
       * VB) bytes, so the whole run goes by full vectors, with no tail per
       * pixel however few channels there are. */
      const size_t n = rows * channels;

      for (size_t c = 0; c < channels; c++)
        {
          m[c] = ((int32_t) s[c] - p->b_zero_point) * p->multiplier;
          bias[c] = p->rounding - p->a_zero_point * m[c];
        }
      for (size_t c = channels; c < period; c += channels)
        {
          memcpy (m + c, m, channels * sizeof (int32_t));
          memcpy (bias + c, bias, channels * sizeof (int32_t));
        }
      size_t i = 0, t = 0;
      for (; i + VB <= n; i += VB)
        {
          storeb (y + i, mulc_bytes (x + i, m + t, bias + t, shift, lo, hi));
          t += VB;
          t = t == period ? 0 : t;
        }
      if (i < n)
        mulc_tail (x + i, m + t, bias + t, shift, lo, hi, y + i, n - i);
      return;
    }

  /* many channels: by blocks of them, pixel after pixel */
  for (size_t c0 = 0; c0 < channels; c0 += MULC_BLOCK)
    {
      const size_t len = channels - c0 < MULC_BLOCK ? channels - c0 : MULC_BLOCK;
      const size_t full = len / VB * VB, rest = len - full;

      for (size_t c = 0; c < len; c++)
        {
          m[c] = ((int32_t) s[c0 + c] - p->b_zero_point) * p->multiplier;
          bias[c] = p->rounding - p->a_zero_point * m[c];
        }
      for (size_t c = len; c < full + (rest > 0 ? VB : 0); c++)
        m[c] = bias[c] = 0;

      const uint8_t *xr = x + c0;
      uint8_t *yr = y + c0;
      for (size_t r = 0; r < rows; r++, xr += channels, yr += channels)
        {
          size_t c = 0;
          for (; c < full; c += VB)
            storeb (yr + c, mulc_bytes (xr + c, m + c, bias + c, shift, lo, hi));
          if (rest > 0)
            mulc_tail (xr + c, m + c, bias + c, shift, lo, hi, yr + c, rest);
        }
    }
}

static inline vi
requant_one (const qvk_qu8_requant_params *p, vi x)
{
  return round_clamp (mulf (cvt_f (subi (x, seti (p->input_zero_point))),
                            setf (p->multiplier)),
                      seti (p->output_zero_point), seti (p->output_min),
                      seti (p->output_max));
}

void
UKERNEL (qvk_qu8_vrequant_ukernel) (const qvk_qu8_requant_params *p,
                                    const uint8_t *x, uint8_t *y, size_t n)
{
  size_t i = 0;

  for (; i + VW <= n; i += VW)
    store_u8 (y + i, requant_one (p, load_u8 (x + i)));
  if (i < n)
    store_u8_n (y + i, requant_one (p, load_u8_n (x + i, n - i)), n - i);
}

void
UKERNEL (qvk_qu8_vquantize_ukernel) (float scale, int32_t zero_point,
                                     const float *x, uint8_t *y, size_t n)
{
  const vf vs = setf (scale);
  const vi zp = seti (zero_point), lo = seti (0), hi = seti (255);
  size_t i = 0;

  for (; i + VW <= n; i += VW)
    store_u8 (y + i, round_clamp (divf (loadf (x + i), vs), zp, lo, hi));
  if (i < n)
    store_u8_n (y + i, round_clamp (divf (loadf_n (x + i, n - i), vs), zp, lo, hi),
                n - i);
}

void
UKERNEL (qvk_qu8_vdequantize_ukernel) (float scale, int32_t zero_point,
                                       const uint8_t *x, float *y, size_t n)
{
  const vf vs = setf (scale);
  const vi zp = seti (zero_point);
  size_t i = 0;

  for (; i + VW <= n; i += VW)
    storef (y + i, mulf (vs, cvt_f (subi (load_u8 (x + i), zp))));
  if (i < n)
    storef_n (y + i, mulf (vs, cvt_f (subi (load_u8_n (x + i, n - i), zp))), n - i);
}

/* The int32 sums of n channels over `pixels` pixels `stride` bytes apart,
 * written to sums (64-byte aligned): GSUM_BLOCK channels at a time, their
 * sums in L1, four pixels at a time (four streams the prefetchers follow;
 * in a layer this read the input faster than one pass over whole pixels).
 * The sums are exact, so any split of the pixels adds up to the same. */
#define GSUM_BLOCK 256

static void
gsum_block (size_t pixels, size_t stride, const uint8_t *x, int32_t *sums, size_t n)
{
  const size_t vectors = n / VW * VW;
  size_t px = 0;

  for (; px < pixels; px += 4)
    {
      const uint8_t *r0 = x + px * stride;
      /* past the last pixel: the first one again, with weight zero below */
      const uint8_t *r1 = px + 1 < pixels ? r0 + stride : r0;
      const uint8_t *r2 = px + 2 < pixels ? r0 + 2 * stride : r0;
      const uint8_t *r3 = px + 3 < pixels ? r0 + 3 * stride : r0;
      const size_t rows = pixels - px < 4 ? pixels - px : 4;
      size_t c = 0;

      if (rows == 4)
        for (; c < vectors; c += VW)
          storei (sums + c, addi (addi (loadi (sums + c), addi (load_u8 (r0 + c), load_u8 (r1 + c))),
                                  addi (load_u8 (r2 + c), load_u8 (r3 + c))));
      else
        for (; c < vectors; c += VW)
          {
            vi a = addi (loadi (sums + c), load_u8 (r0 + c));
            if (rows > 1)
              a = addi (a, load_u8 (r1 + c));
            if (rows > 2)
              a = addi (a, load_u8 (r2 + c));
            storei (sums + c, a);
          }
      for (; c < n; c++)
        for (size_t k = 0; k < rows; k++)
          sums[c] += r0[k * stride + c];
    }
}

void
UKERNEL (qvk_qu8_gsum_ukernel) (size_t pixels, size_t stride, const uint8_t *x,
                                int32_t *sums, size_t n)
{
  memset (sums, 0, n * sizeof *sums);
  for (size_t c0 = 0; c0 < n; c0 += GSUM_BLOCK)
    gsum_block (pixels, stride, x + c0, sums + c0, n - c0 < GSUM_BLOCK ? n - c0 : GSUM_BLOCK);
}

/* The average of n channels' sums over `pixels` pixels, requantized as the
 * reference does. */
void
UKERNEL (qvk_qu8_gavg_finish_ukernel) (const qvk_qu8_avgpool_params *p, size_t pixels,
                                       const int32_t *sums, uint8_t *y, size_t n)
{
  const float scale = pixels > 0 ? p->multiplier / (float) pixels : 0.0f;
  const vi bias = seti ((int32_t) pixels * p->input_zero_point);
  const vi zp = seti (p->output_zero_point);
  const vi lo = seti (p->output_min), hi = seti (p->output_max);
  int32_t last[VW] __attribute__ ((aligned (64)));
  size_t c = 0;

  for (; c + VW <= n; c += VW)
    store_u8 (y + c, round_clamp (mulf (cvt_f (subi (loadi (sums + c), bias)), setf (scale)),
                                  zp, lo, hi));
  if (c < n)
    {
      memset (last, 0, sizeof last);
      memcpy (last, sums + c, (n - c) * sizeof *last);
      store_u8_n (y + c, round_clamp (mulf (cvt_f (subi (loadi (last), bias)), setf (scale)),
                                      zp, lo, hi), n - c);
    }
}

/* ly0 * (lx0 * q00 + lx1 * q01) + ly1 * (lx0 * q10 + lx1 * q11) */
static inline vf
bilinear (vf q00, vf q01, vf q10, vf q11, vf lx0, vf lx1, vf ly0, vf ly1)
{
  const vf top = addf (mulf (lx0, q00), mulf (lx1, q01));
  const vf bottom = addf (mulf (lx0, q10), mulf (lx1, q11));
  return addf (mulf (ly0, top), mulf (ly1, bottom));
}

void
UKERNEL (qvk_qu8_resize_row_ukernel) (size_t channels, size_t out_w,
                                      const uint8_t *row0, const uint8_t *row1,
                                      const size_t *off0, const size_t *off1,
                                      const float *lx0, const float *lx1,
                                      float ly0, float ly1, uint8_t *y)
{
  const vf vy0 = setf (ly0), vy1 = setf (ly1);
  const vi zero = seti (0), lo = seti (0), hi = seti (255);
  const size_t full = channels / VW * VW, rest = channels - full;

  for (size_t ox = 0; ox < out_w; ox++, y += channels)
    {
      const uint8_t *p00 = row0 + off0[ox], *p01 = row0 + off1[ox];
      const uint8_t *p10 = row1 + off0[ox], *p11 = row1 + off1[ox];
      const vf vx0 = setf (lx0[ox]), vx1 = setf (lx1[ox]);
      size_t c = 0;

      for (; c < full; c += VW)
        store_u8 (y + c, round_clamp (bilinear (cvt_f (load_u8 (p00 + c)),
                                                cvt_f (load_u8 (p01 + c)),
                                                cvt_f (load_u8 (p10 + c)),
                                                cvt_f (load_u8 (p11 + c)),
                                                vx0, vx1, vy0, vy1), zero, lo, hi));
      if (rest > 0)
        store_u8_n (y + c, round_clamp (bilinear (cvt_f (load_u8_n (p00 + c, rest)),
                                                  cvt_f (load_u8_n (p01 + c, rest)),
                                                  cvt_f (load_u8_n (p10 + c, rest)),
                                                  cvt_f (load_u8_n (p11 + c, rest)),
                                                  vx0, vx1, vy0, vy1), zero, lo, hi),
                    rest);
    }
}

/* The separable form of the same arithmetic: one source row interpolated
 * across (lx0 * q0 + lx1 * q1, kept in fp32), then two such rows down
 * (ly0 * top + ly1 * bottom).  Each output row of an upsampling reuses
 * the rows across of the rows above. */
void
UKERNEL (qvk_qu8_resize_hrow_ukernel) (size_t channels, size_t out_w,
                                       const uint8_t *row, const size_t *off0,
                                       const size_t *off1, const float *lx0,
                                       const float *lx1, float *h)
{
  const size_t full = channels / VW * VW, rest = channels - full;

  for (size_t ox = 0; ox < out_w; ox++, h += channels)
    {
      const uint8_t *p0 = row + off0[ox], *p1 = row + off1[ox];
      const vf vx0 = setf (lx0[ox]), vx1 = setf (lx1[ox]);
      size_t c = 0;

      for (; c < full; c += VW)
        storef (h + c, addf (mulf (vx0, cvt_f (load_u8 (p0 + c))),
                             mulf (vx1, cvt_f (load_u8 (p1 + c)))));
      if (rest > 0)
        storef_n (h + c, addf (mulf (vx0, cvt_f (load_u8_n (p0 + c, rest))),
                               mulf (vx1, cvt_f (load_u8_n (p1 + c, rest)))), rest);
    }
}

/* VB bytes of a vertical blend: four VW-lane blocks rounded (nearest even,
 * as lrintf) and packed back to natural order.  Each input is a blend of
 * two bytes with weights in [0, 1], and so is the result: it lies within
 * 0 .. 255 but for a rounding, where the packs' saturation does what the
 * reference's clamp to 0 .. 255 does. */
static inline vi
vblend_bytes (const float *top, const float *bottom, vf vy0, vf vy1)
{
  vi q[4];

  for (int j = 0; j < 4; j++)
    q[j] = cvt_round (addf (mulf (vy0, loadf (top + j * VW)),
                            mulf (vy1, loadf (bottom + j * VW))));
  return unlane (packus16 (packs32 (q[0], q[1]), packs32 (q[2], q[3])));
}

void
UKERNEL (qvk_qu8_resize_vrow_ukernel) (size_t n, const float *top,
                                       const float *bottom, float ly0, float ly1,
                                       uint8_t *y, int stream)
{
  const vf vy0 = setf (ly0), vy1 = setf (ly1);
  const vi zero = seti (0), lo = seti (0), hi = seti (255);
  size_t i = 0;

  if (stream && ((uintptr_t) y & (VB - 1)) == 0)
    for (; i + VB <= n; i += VB)
      storeb_stream (y + i, vblend_bytes (top + i, bottom + i, vy0, vy1));
  for (; i + VB <= n; i += VB)
    storeb (y + i, vblend_bytes (top + i, bottom + i, vy0, vy1));
  for (; i + VW <= n; i += VW)
    store_u8 (y + i, round_clamp (addf (mulf (vy0, loadf (top + i)),
                                        mulf (vy1, loadf (bottom + i))), zero, lo, hi));
  if (i < n)
    store_u8_n (y + i, round_clamp (addf (mulf (vy0, loadf_n (top + i, n - i)),
                                          mulf (vy1, loadf_n (bottom + i, n - i))),
                                    zero, lo, hi), n - i);
}

/* ---- float ---------------------------------------------------------------- */

/* clampf of f32-scalar.c: x < lo ? lo : (x > hi ? hi : x). */
static inline vf
clampv (vf x, vf lo, vf hi)
{
  return maxf (minf (x, hi), lo);
}

/* expf(x) for x in fp32: x = k ln2 + r with ln2 in two parts, a degree-6
 * polynomial for exp(r) on |r| <= ln2/2, 2^k by exponent bits.  Within
 * 2e-7 relative of expf; +inf above 88.72, 0 below -103.97 as expf. */
static inline vf
exp_poly (vf x)
{
  const vf big = setf (88.72283935546875f), small = setf (-103.97208404541016f);
  const vf xc = clampv (x, setf (-87.3f), big);
  const vf k = roundf_near (mulf (xc, setf (1.44269504088896341f)));
  vf r = subf (xc, mulf (k, setf (0.693359375f)));
  r = subf (r, mulf (k, setf (-2.12194440e-4f)));
  vf poly = setf (1.9875691500e-4f);
  poly = addf (mulf (poly, r), setf (1.3981999507e-3f));
  poly = addf (mulf (poly, r), setf (8.3334519073e-3f));
  poly = addf (mulf (poly, r), setf (4.1665795894e-2f));
  poly = addf (mulf (poly, r), setf (1.6666665459e-1f));
  poly = addf (mulf (poly, r), setf (5.0000001201e-1f));
  poly = addf (mulf (mulf (poly, r), r), addf (r, setf (1.0f)));
  /* 2^k in two factors: k reaches 128 and -126, beyond one exponent */
  const vi ki = cvt_round (k), k1 = srai1 (ki);
  vf result = mulf (mulf (poly, pow2i (k1)), pow2i (subi (ki, k1)));
  /* Arguments below -87.3 give exp(-87.3) instead of a denormal: in
   * sigmoid they only ever meet 1 + e, which is 1 either way. */
  result = select_gt (x, big, setf (INFINITY), result);
  result = select_gt (small, x, setf (0.0f), result);
  return result;
}

static inline vf
activate (const qvk_activation *act, vf x)
{
  if (act == NULL)
    return x;
  switch (act->kind)
    {
    case QVK_ACT_NONE:
      return x;
    case QVK_ACT_RELU:
      return maxf (x, setf (0.0f));
    case QVK_ACT_CLIP:
      return clampv (x, setf (act->min), setf (act->max));
    case QVK_ACT_HARDSWISH:
      return divf (mulf (x, clampv (addf (x, setf (3.0f)), setf (0.0f), setf (6.0f))),
                   setf (6.0f));
    case QVK_ACT_HARDSIGMOID:
      return clampv (addf (mulf (setf (act->alpha), x), setf (act->beta)),
                     setf (0.0f), setf (1.0f));
    case QVK_ACT_SIGMOID:
      return divf (setf (1.0f), addf (setf (1.0f), exp_poly (subf (setf (0.0f), x))));
    default:
      /* The dispatch (qvk-elementwise.c) never sends the others here. */
      return x;
    }
  return x;
}

void
UKERNEL (qvk_f32_vadd_ukernel) (const qvk_activation *act, const float *a,
                                const float *b, float *y, size_t n)
{
  size_t i = 0;

  for (; i + VW <= n; i += VW)
    storef (y + i, activate (act, addf (loadf (a + i), loadf (b + i))));
  if (i < n)
    storef_n (y + i, activate (act, addf (loadf_n (a + i, n - i), loadf_n (b + i, n - i))),
              n - i);
}

void
UKERNEL (qvk_f32_vmul_ukernel) (const float *a, const float *b, float *y, size_t n)
{
  size_t i = 0;

  for (; i + VW <= n; i += VW)
    storef (y + i, mulf (loadf (a + i), loadf (b + i)));
  if (i < n)
    storef_n (y + i, mulf (loadf_n (a + i, n - i), loadf_n (b + i, n - i)), n - i);
}

void
UKERNEL (qvk_f32_vact_ukernel) (const qvk_activation *act, const float *x,
                                float *y, size_t n)
{
  size_t i = 0;

  for (; i + VW <= n; i += VW)
    storef (y + i, activate (act, loadf (x + i)));
  if (i < n)
    storef_n (y + i, activate (act, loadf_n (x + i, n - i)), n - i);
}

void
UKERNEL (qvk_f32_gsum_ukernel) (size_t pixels, size_t stride, const float *x,
                                double *restrict sums, size_t n)
{
  for (size_t c = 0; c < n; c++)
    sums[c] = 0.0;
  for (size_t px = 0; px < pixels; px++)
    {
      const float *restrict row = x + px * stride;
      for (size_t c = 0; c < n; c++)
        sums[c] += (double) row[c];
    }
}

void
UKERNEL (qvk_f32_resize_row_ukernel) (size_t channels, size_t out_w,
                                      const float *row0, const float *row1,
                                      const size_t *off0, const size_t *off1,
                                      const float *lx0, const float *lx1,
                                      float ly0, float ly1, float *y)
{
  const vf vy0 = setf (ly0), vy1 = setf (ly1);
  const size_t full = channels / VW * VW, rest = channels - full;

  for (size_t ox = 0; ox < out_w; ox++, y += channels)
    {
      const float *p00 = row0 + off0[ox], *p01 = row0 + off1[ox];
      const float *p10 = row1 + off0[ox], *p11 = row1 + off1[ox];
      const vf vx0 = setf (lx0[ox]), vx1 = setf (lx1[ox]);
      size_t c = 0;

      for (; c < full; c += VW)
        storef (y + c, bilinear (loadf (p00 + c), loadf (p01 + c), loadf (p10 + c),
                                 loadf (p11 + c), vx0, vx1, vy0, vy1));
      if (rest > 0)
        storef_n (y + c, bilinear (loadf_n (p00 + c, rest), loadf_n (p01 + c, rest),
                                   loadf_n (p10 + c, rest), loadf_n (p11 + c, rest),
                                   vx0, vx1, vy0, vy1), rest);
    }
}

void
UKERNEL (qvk_f32_resize_hrow_ukernel) (size_t channels, size_t out_w,
                                       const float *row, const size_t *off0,
                                       const size_t *off1, const float *lx0,
                                       const float *lx1, float *h)
{
  const size_t full = channels / VW * VW, rest = channels - full;

  for (size_t ox = 0; ox < out_w; ox++, h += channels)
    {
      const float *p0 = row + off0[ox], *p1 = row + off1[ox];
      const vf vx0 = setf (lx0[ox]), vx1 = setf (lx1[ox]);
      size_t c = 0;

      for (; c < full; c += VW)
        storef (h + c, addf (mulf (vx0, loadf (p0 + c)), mulf (vx1, loadf (p1 + c))));
      if (rest > 0)
        storef_n (h + c, addf (mulf (vx0, loadf_n (p0 + c, rest)),
                               mulf (vx1, loadf_n (p1 + c, rest))), rest);
    }
}

void
UKERNEL (qvk_f32_resize_vrow_ukernel) (size_t n, const float *top,
                                       const float *bottom, float ly0, float ly1,
                                       float *y)
{
  const vf vy0 = setf (ly0), vy1 = setf (ly1);
  size_t i = 0;

  for (; i + VW <= n; i += VW)
    storef (y + i, addf (mulf (vy0, loadf (top + i)), mulf (vy1, loadf (bottom + i))));
  if (i < n)
    storef_n (y + i, addf (mulf (vy0, loadf_n (top + i, n - i)),
                           mulf (vy1, loadf_n (bottom + i, n - i))), n - i);
}
