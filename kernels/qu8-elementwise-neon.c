/* qu8-elementwise-neon.c: the element-wise microkernels of
 * elementwise-template.h on NEON (4 lanes of int32 / fp32, 16 bytes; tails
 * through a small buffer), int8 and float alike.  Built with
 * -ffp-contract=off: no product may be fused into a sum, so results equal
 * the scalar references.
 *
 * The primitives keep the x86 meanings the template is written for:
 * cvt_round rounds to nearest even (fcvtns, as lrintf); maxf / minf return
 * their second operand when either is NaN (maxps / minps), so NaN goes to
 * the bound as in qvk_qu8_round_clamp; madd16 is pmaddwd (two int16
 * products summed per int32 lane: smull, smull2, addp); the packs saturate
 * as packssdw / packuswb.  A 128-bit vector is a single "lane" of the
 * template's lane order, so that order is the natural one and unlane does
 * nothing.
 */
#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

typedef int32x4_t vi;
typedef float32x4_t vf;
#define VW 4
#define QVK_EW_SUFFIX neon

static inline vi seti (int32_t v) { return vdupq_n_s32 (v); }
static inline vf setf (float v) { return vdupq_n_f32 (v); }
static inline vi addi (vi a, vi b) { return vaddq_s32 (a, b); }
static inline vi subi (vi a, vi b) { return vsubq_s32 (a, b); }
static inline vi muli (vi a, vi b) { return vmulq_s32 (a, b); }
static inline vi maxi (vi a, vi b) { return vmaxq_s32 (a, b); }
static inline vi mini (vi a, vi b) { return vminq_s32 (a, b); }
static inline vi srai1 (vi a) { return vshrq_n_s32 (a, 1); }
static inline vf addf (vf a, vf b) { return vaddq_f32 (a, b); }
static inline vf subf (vf a, vf b) { return vsubq_f32 (a, b); }
static inline vf mulf (vf a, vf b) { return vmulq_f32 (a, b); }
static inline vf divf (vf a, vf b) { return vdivq_f32 (a, b); }
/* a > b ? a : b and a < b ? a : b: b when either is NaN */
static inline vf maxf (vf a, vf b) { return vbslq_f32 (vcgtq_f32 (a, b), a, b); }
static inline vf minf (vf a, vf b) { return vbslq_f32 (vcltq_f32 (a, b), a, b); }
static inline vf cvt_f (vi a) { return vcvtq_f32_s32 (a); }
static inline vi cvt_round (vf a) { return vcvtnq_s32_f32 (a); }
static inline vf roundf_near (vf a) { return vrndnq_f32 (a); }
static inline vf pow2i (vi k)
{
  return vreinterpretq_f32_s32 (vshlq_n_s32 (vaddq_s32 (k, seti (127)), 23));
}
static inline vf select_gt (vf a, vf b, vf t, vf f)
{
  return vbslq_f32 (vcgtq_f32 (a, b), t, f);
}

static inline vi load_u8 (const uint8_t *p)
{
  uint32_t word;
  memcpy (&word, p, 4);
  const uint8x8_t b = vreinterpret_u8_u32 (vdup_n_u32 (word));
  return vreinterpretq_s32_u32 (vmovl_u16 (vget_low_u16 (vmovl_u8 (b))));
}
static inline vi load_u8_n (const uint8_t *p, size_t n)
{
  uint8_t buf[4] = { 0 };
  memcpy (buf, p, n);
  return load_u8 (buf);
}
/* v is already within 0..255; the four bytes in the low 32 bits */
static inline uint32_t pack_u8 (vi v)
{
  const uint16x4_t h = vqmovun_s32 (v);
  const uint8x8_t b = vqmovn_u16 (vcombine_u16 (h, h));
  return vget_lane_u32 (vreinterpret_u32_u8 (b), 0);
}
static inline void store_u8 (uint8_t *p, vi v)
{
  const uint32_t word = pack_u8 (v);
  memcpy (p, &word, 4);
}
static inline void store_u8_n (uint8_t *p, vi v, size_t n)
{
  const uint32_t word = pack_u8 (v);
  memcpy (p, &word, n);
}
static inline vi loadi (const int32_t *p) { return vld1q_s32 (p); }
static inline void storei (int32_t *p, vi v) { vst1q_s32 (p, v); }
static inline vf loadf (const float *p) { return vld1q_f32 (p); }
static inline vf loadf_n (const float *p, size_t n)
{
  float buf[4] = { 0 };
  memcpy (buf, p, n * sizeof (float));
  return vld1q_f32 (buf);
}
static inline void storef (float *p, vf v) { vst1q_f32 (p, v); }
static inline void storef_n (float *p, vf v, size_t n)
{
  float buf[4];
  vst1q_f32 (buf, v);
  memcpy (p, buf, n * sizeof (float));
}

/* Whole vectors of VB bytes, for the fixed-point kernels; vi then holds
 * bytes or int16 lanes, reinterpreted. */
#define VB 16
typedef int32x4_t vcount; /* minus the shift: sshl by a negative count */
static inline vi zeroi (void) { return vdupq_n_s32 (0); }
static inline vi set8 (uint8_t v) { return vreinterpretq_s32_u8 (vdupq_n_u8 (v)); }
static inline vcount setcount (int32_t s) { return vdupq_n_s32 (-s); }
static inline vi sra (vi a, vcount s) { return vshlq_s32 (a, s); }
static inline vi unpacklo8 (vi a, vi b)
{
  return vreinterpretq_s32_u8 (vzip1q_u8 (vreinterpretq_u8_s32 (a), vreinterpretq_u8_s32 (b)));
}
static inline vi unpackhi8 (vi a, vi b)
{
  return vreinterpretq_s32_u8 (vzip2q_u8 (vreinterpretq_u8_s32 (a), vreinterpretq_u8_s32 (b)));
}
static inline vi unpacklo16 (vi a, vi b)
{
  return vreinterpretq_s32_s16 (vzip1q_s16 (vreinterpretq_s16_s32 (a), vreinterpretq_s16_s32 (b)));
}
static inline vi unpackhi16 (vi a, vi b)
{
  return vreinterpretq_s32_s16 (vzip2q_s16 (vreinterpretq_s16_s32 (a), vreinterpretq_s16_s32 (b)));
}
static inline vi madd16 (vi a, vi b)
{
  const int16x8_t a16 = vreinterpretq_s16_s32 (a), b16 = vreinterpretq_s16_s32 (b);
  return vpaddq_s32 (vmull_s16 (vget_low_s16 (a16), vget_low_s16 (b16)),
                     vmull_high_s16 (a16, b16));
}
static inline vi packs32 (vi a, vi b)
{
  return vreinterpretq_s32_s16 (vcombine_s16 (vqmovn_s32 (a), vqmovn_s32 (b)));
}
static inline vi packus16 (vi a, vi b)
{
  return vreinterpretq_s32_u8 (vcombine_u8 (vqmovun_s16 (vreinterpretq_s16_s32 (a)),
                                            vqmovun_s16 (vreinterpretq_s16_s32 (b))));
}
static inline vi maxu8 (vi a, vi b)
{
  return vreinterpretq_s32_u8 (vmaxq_u8 (vreinterpretq_u8_s32 (a), vreinterpretq_u8_s32 (b)));
}
static inline vi minu8 (vi a, vi b)
{
  return vreinterpretq_s32_u8 (vminq_u8 (vreinterpretq_u8_s32 (a), vreinterpretq_u8_s32 (b)));
}
static inline vi unlane (vi v) { return v; }
static inline vi loadb (const uint8_t *p) { return vreinterpretq_s32_u8 (vld1q_u8 (p)); }
static inline vi loadb_n (const uint8_t *p, size_t n)
{
  uint8_t buf[16] = { 0 };
  memcpy (buf, p, n);
  return loadb (buf);
}
static inline void storeb (uint8_t *p, vi v) { vst1q_u8 (p, vreinterpretq_u8_s32 (v)); }
/* the resize's streaming stores are plain stores here */
static inline void storeb_stream (uint8_t *p, vi v) { storeb (p, v); }
static inline void storeb_n (uint8_t *p, vi v, size_t n)
{
  uint8_t buf[16];
  storeb (buf, v);
  memcpy (p, buf, n);
}

#include "elementwise-template.h"
