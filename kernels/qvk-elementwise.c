/* qvk-elementwise.c: picks the element-wise kernel for an ISA
 * (qvk-elementwise.h).  Built without ISA flags: the vector kernels are
 * only called when the ISA asked for, already clamped to the CPU's by the
 * caller or here, allows them.
 *
 * The bilinear source coordinates and weights are computed here, in plain
 * fp32 without FMA, exactly as the references compute them, once per
 * column for a whole range of rows; the vector kernels only interpolate.
 */
#include "qvk-elementwise.h"
#include "qvk-elementwise-ukernels.h"
#include "qvk-resize-private.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define QVK_EW_X86 1
#elif defined(__aarch64__)
/* Arm: one vector level, NEON (in every Armv8-A core), in the place of
 * AVX2, and none in the place of AVX-512; table lookup is NEON's tbl. */
#define QVK_EW_NEON 1
#define QVK_ISA_AVX2 QVK_ISA_NEON
#define QVK_ISA_AVX512 QVK_N_ISAS
#else
/* This architecture has no element-wise vector kernels (yet): every level
 * runs the scalar ones, which the level names below then say. */
#define QVK_ISA_AVX2 QVK_N_ISAS
#define QVK_ISA_AVX512 QVK_N_ISAS
#endif

#ifndef QVK_EW_NEON
static int has_vbmi;
static pthread_once_t vbmi_once = PTHREAD_ONCE_INIT;

static void
vbmi_init (void)
{
#if defined(__x86_64__) || defined(__i386__)
  unsigned int eax, ebx, ecx, edx;

  /* qvk_isa_detect has checked that the OS saves the ZMM state. */
  if (qvk_isa_detect () >= QVK_ISA_AVX512 && __get_cpuid_max (0, NULL) >= 7)
    {
      __cpuid_count (7, 0, eax, ebx, ecx, edx);
      has_vbmi = (ecx >> 1) & 1;
    }
#endif
}
#endif

static qvk_isa
clamp_isa (qvk_isa isa)
{
  const qvk_isa cpu = qvk_isa_detect ();
  return isa < cpu ? isa : cpu;
}

#ifndef QVK_EW_NEON
static int
use_vbmi (qvk_isa isa)
{
  pthread_once (&vbmi_once, vbmi_init);
  return has_vbmi && clamp_isa (isa) >= QVK_ISA_AVX512;
}
#endif

const char *
qvk_elementwise_isa_name (qvk_isa isa)
{
  isa = clamp_isa (isa);
#ifdef QVK_EW_NEON
  return isa >= QVK_ISA_NEON ? "neon" : "scalar";
#else
  return isa >= QVK_ISA_AVX512 ? "avx512" : isa >= QVK_ISA_AVX2 ? "avx2" : "scalar";
#endif
}

const char *
qvk_qu8_lut_isa_name (qvk_isa isa)
{
#ifdef QVK_EW_NEON
  return clamp_isa (isa) >= QVK_ISA_NEON ? "neon" : "scalar";
#else
  return use_vbmi (isa) ? "avx512vbmi" : clamp_isa (isa) >= QVK_ISA_AVX2 ? "avx2" : "scalar";
#endif
}

/* Calls the kernel of the family for the ISA: avx512, avx2, else the
 * scalar statement. */
#if defined(QVK_EW_NEON)
#define DISPATCH(isa, name, args, scalar)                     \
  do {                                                        \
    if (clamp_isa (isa) >= QVK_ISA_NEON)                      \
      name##__neon args;                                      \
    else                                                      \
      scalar;                                                 \
  } while (0)
#elif !defined(QVK_EW_X86)
/* The vector arguments are computed for the kernels this build lacks. */
static inline void
mark_used (int unused, ...)
{
  (void) unused;
}
#define MARK_USED(...) do { if (0) mark_used (0, __VA_ARGS__); } while (0)
#define DISPATCH(isa, name, args, scalar) \
  do { (void) (isa); MARK_USED args; scalar; } while (0)
#else
#define DISPATCH(isa, name, args, scalar)                     \
  do {                                                        \
    const qvk_isa isa_ = clamp_isa (isa);                     \
    if (isa_ >= QVK_ISA_AVX512)                               \
      name##__avx512 args;                                    \
    else if (isa_ >= QVK_ISA_AVX2)                            \
      name##__avx2 args;                                      \
    else                                                      \
      scalar;                                                 \
  } while (0)
#endif

/* ---- int8 ---------------------------------------------------------------- */

void
qvk_qu8_add (qvk_isa isa, const qvk_qu8_add_params *p, const uint8_t *a,
             const uint8_t *b, uint8_t *y, size_t begin, size_t end)
{
  if (begin >= end)
    return;
  DISPATCH (isa, qvk_qu8_vadd_ukernel, (p, a + begin, b + begin, y + begin, end - begin),
            qvk_qu8_add__scalar (p, a, b, y, begin, end));
}

void
qvk_qu8_mul (qvk_isa isa, const qvk_qu8_mul_params *p, const uint8_t *a,
             const uint8_t *b, uint8_t *y, size_t begin, size_t end)
{
  if (begin >= end)
    return;
  DISPATCH (isa, qvk_qu8_vmul_ukernel, (p, a + begin, b + begin, y + begin, end - begin),
            qvk_qu8_mul__scalar (p, a, b, y, begin, end));
}

void
qvk_qu8_mul_channel (qvk_isa isa, const qvk_qu8_mul_params *p, int pixels,
                     int channels, const uint8_t *x, const uint8_t *scale,
                     uint8_t *y, size_t begin, size_t end)
{
  if (clamp_isa (isa) < QVK_ISA_AVX2 || pixels <= 0)
    {
      qvk_qu8_mul_channel__scalar (p, pixels, channels, x, scale, y, begin, end);
      return;
    }
  /* the pixels of one image share its scale vector */
  for (size_t r = begin; r < end;)
    {
      const size_t n = r / (size_t) pixels;
      const size_t image_end = (n + 1) * (size_t) pixels;
      const size_t r1 = image_end < end ? image_end : end;
      const size_t o = r * (size_t) channels;
      DISPATCH (isa, qvk_qu8_vmulc_ukernel,
                (p, r1 - r, (size_t) channels, x + o, scale + n * (size_t) channels, y + o),
                (void) 0);
      r = r1;
    }
}

void
qvk_qu8_lut (qvk_isa isa, const uint8_t table[256], const uint8_t *x,
             uint8_t *y, size_t begin, size_t end)
{
  if (begin >= end)
    return;
#if defined(QVK_EW_X86)
  if (use_vbmi (isa))
    qvk_qu8_lut_ukernel__avx512vbmi (table, x + begin, y + begin, end - begin);
  else if (clamp_isa (isa) >= QVK_ISA_AVX2)
    qvk_qu8_lut_ukernel__avx2 (table, x + begin, y + begin, end - begin);
  else
#elif defined(QVK_EW_NEON)
  if (clamp_isa (isa) >= QVK_ISA_NEON)
    qvk_qu8_lut_ukernel__neon (table, x + begin, y + begin, end - begin);
  else
#endif
    qvk_qu8_lut__scalar (table, x, y, begin, end);
}

void
qvk_qu8_lut_tile (qvk_isa isa, const uint8_t table[256], size_t rows,
                  size_t cols, uint8_t *y, size_t stride)
{
  if (cols == stride)
    {
      cols *= rows;
      rows = 1;
    }
#if defined(QVK_EW_X86)
  if (use_vbmi (isa))
    qvk_qu8_lut_tile_ukernel__avx512vbmi (table, rows, cols, y, stride);
  else if (clamp_isa (isa) >= QVK_ISA_AVX2)
    qvk_qu8_lut_tile_ukernel__avx2 (table, rows, cols, y, stride);
  else
#elif defined(QVK_EW_NEON)
  if (clamp_isa (isa) >= QVK_ISA_NEON)
    qvk_qu8_lut_tile_ukernel__neon (table, rows, cols, y, stride);
  else
#endif
    for (size_t r = 0; r < rows; r++)
      qvk_qu8_lut__scalar (table, y + r * stride, y + r * stride, 0, cols);
}

/* Global average pooling in two steps (see qvk-elementwise.h); the scalar
 * forms are the reference's arithmetic. */
static void
qu8_sums_scalar (size_t pixels, size_t stride, const uint8_t *x, int32_t *sums, size_t n)
{
  memset (sums, 0, n * sizeof *sums);
  for (size_t px = 0; px < pixels; px++)
    for (size_t c = 0; c < n; c++)
      sums[c] += (int32_t) x[px * stride + c];
}

static void
qu8_finish_scalar (const qvk_qu8_avgpool_params *p, size_t pixels, const int32_t *sums,
                   uint8_t *y, size_t n)
{
  const float scale = pixels > 0 ? p->multiplier / (float) pixels : 0.0f;

  for (size_t c = 0; c < n; c++)
    y[c] = qvk_qu8_requantize (sums[c] - (int32_t) pixels * p->input_zero_point, scale,
                               p->output_zero_point, p->output_min, p->output_max);
}

void
qvk_qu8_channel_sums (qvk_isa isa, size_t pixels, size_t stride, size_t n,
                      const uint8_t *x, int32_t *sums)
{
  DISPATCH (isa, qvk_qu8_gsum_ukernel, (pixels, stride, x, sums, n),
            qu8_sums_scalar (pixels, stride, x, sums, n));
}

void
qvk_qu8_global_avgpool_finish (qvk_isa isa, const qvk_qu8_avgpool_params *p,
                               size_t pixels, size_t channels, const int32_t *sums,
                               uint8_t *y)
{
  DISPATCH (isa, qvk_qu8_gavg_finish_ukernel, (p, pixels, sums, y, channels),
            qu8_finish_scalar (p, pixels, sums, y, channels));
}

typedef struct {
  size_t *off0, *off1;   /* element offsets of the left/right pixel in a row */
  float *lx0, *lx1;
} column_table;

static int
column_table_init (column_table *t, int in_w, int out_w, int channels,
                   int align_corners)
{
  t->off0 = malloc ((size_t) out_w * 2 * sizeof (size_t));
  t->lx0 = malloc ((size_t) out_w * 2 * sizeof (float));
  if (t->off0 == NULL || t->lx0 == NULL)
    {
      free (t->off0);
      free (t->lx0);
      return 0;
    }
  t->off1 = t->off0 + out_w;
  t->lx1 = t->lx0 + out_w;
  for (int ox = 0; ox < out_w; ox++)
    {
      int x0, x1;
      float lx1;
      qvk_bilinear_source (in_w, out_w, align_corners, ox, &x0, &x1, &lx1);
      t->off0[ox] = (size_t) x0 * channels;
      t->off1[ox] = (size_t) x1 * channels;
      t->lx1[ox] = lx1;
      t->lx0[ox] = 1.0f - lx1;
    }
  return 1;
}

static void
column_table_clear (column_table *t)
{
  free (t->off0);
  free (t->lx0);
}

/* The two source rows interpolated across that the current output row
 * needs, by source row (batch * in_h + y); -1 when empty. */
typedef struct {
  float *h[2];
  long tag[2];
} row_cache;

static int
row_cache_init (row_cache *rc, size_t n)
{
  rc->h[0] = malloc (2 * n * sizeof (float));
  rc->h[1] = rc->h[0] != NULL ? rc->h[0] + n : NULL;
  rc->tag[0] = rc->tag[1] = -1;
  return rc->h[0] != NULL;
}

/* Makes slot `want_slot` hold source row tag, moving it over from the
 * other slot when it is there; returns 1 when it must be computed. */
static int
row_cache_take (row_cache *rc, int want_slot, long tag)
{
  const int other = 1 - want_slot;

  if (rc->tag[want_slot] == tag)
    return 0;
  if (rc->tag[other] == tag && want_slot == 0)
    {
      float *t = rc->h[0];
      rc->h[0] = rc->h[1];
      rc->h[1] = t;
      rc->tag[1] = rc->tag[0];
      rc->tag[0] = tag;
      return 0;
    }
  rc->tag[want_slot] = tag;
  return 1;
}

/* Upsampling blends each pair of source rows into several output rows:
 * up to RESIZE_GROUP of them go together, RESIZE_SEGMENT elements across
 * at a time, so that the pair's interpolated segments (in float) stay in
 * L1 while every row of the group reads them, rather than coming from L2
 * for each output row. */
#define RESIZE_GROUP 32
#define RESIZE_SEGMENT 2048

/* An upsampled int8 output that nothing in the pass reads again (final)
 * and of at least this many bytes is written past the caches (streaming
 * stores): a plain store first reads every line it writes, and the lines
 * would only push out others.  lraspp-mnv3's last layer at 1024 x 1024
 * writes 22 MB; its float twin, 88 MB, measured no faster this way. */
#define RESIZE_STREAM_BYTES ((size_t) 8 << 20)

/* Streaming stores are ordered by nothing but a fence: before the thread
 * says it is done, every one of them must be visible. */
static void
stream_fence (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_sfence ();
#endif
}

/* The output rows from `row` (of batch * out_h, before row_end) that blend
 * the same two source rows: how many, the rows yy, each one's ly1. */
static int
resize_group (int in_h, int out_h, int align_corners, int row, int row_end, int yy[2],
              float ly1[RESIZE_GROUP])
{
  const int n = row / out_h, oy = row % out_h;
  int g = 1;

  qvk_bilinear_source (in_h, out_h, align_corners, oy, &yy[0], &yy[1], &ly1[0]);
  for (; g < RESIZE_GROUP && row + g < row_end && (row + g) / out_h == n; g++)
    {
      int a, b;
      float l;

      qvk_bilinear_source (in_h, out_h, align_corners, oy + g, &a, &b, &l);
      if (a != yy[0] || b != yy[1])
        break;
      ly1[g] = l;
    }
  return g;
}

void
qvk_qu8_resize_bilinear (qvk_isa isa, int batch, int in_h, int in_w,
                         int channels, int out_h, int out_w, int align_corners,
                         const uint8_t *x, uint8_t *y, int row_begin, int row_end,
                         int final)
{
  column_table t;
  row_cache rc;

  if (row_begin >= row_end)
    return;
  if (clamp_isa (isa) < QVK_ISA_AVX2 ||
      !column_table_init (&t, in_w, out_w, channels, align_corners))
    {
      qvk_qu8_resize_bilinear__scalar (batch, in_h, in_w, channels, out_h, out_w,
                                       align_corners, x, y, row_begin, row_end);
      return;
    }
  if (out_h > in_h && row_cache_init (&rc, (size_t) out_w * channels))
    {
      /* upsampling: each row across serves several output rows */
      const size_t out_len = (size_t) out_w * channels;
      const int stream = final && (size_t) batch * out_h * out_len >= RESIZE_STREAM_BYTES;

      for (int row = row_begin, g; row < row_end; row += g)
        {
          const int n = row / out_h;
          const size_t row_len = (size_t) in_w * channels;
          int yy[2];
          float ly1[RESIZE_GROUP];

          g = resize_group (in_h, out_h, align_corners, row, row_end, yy, ly1);
          for (int k = 0; k < 2; k++)
            if (row_cache_take (&rc, k, (long) n * in_h + yy[k]))
              DISPATCH (isa, qvk_qu8_resize_hrow_ukernel,
                        ((size_t) channels, (size_t) out_w,
                         x + ((size_t) n * in_h + yy[k]) * row_len, t.off0, t.off1,
                         t.lx0, t.lx1, rc.h[k]), (void) 0);
          for (size_t s0 = 0; s0 < out_len; s0 += RESIZE_SEGMENT)
            for (int k = 0; k < g; k++)
              DISPATCH (isa, qvk_qu8_resize_vrow_ukernel,
                        (out_len - s0 < RESIZE_SEGMENT ? out_len - s0 : RESIZE_SEGMENT,
                         rc.h[0] + s0, rc.h[1] + s0, 1.0f - ly1[k], ly1[k],
                         y + (size_t) (row + k) * out_len + s0, stream), (void) 0);
        }
      if (stream)
        stream_fence ();
      free (rc.h[0] < rc.h[1] ? rc.h[0] : rc.h[1]);
      column_table_clear (&t);
      return;
    }
  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / out_h, oy = row % out_h;
      const size_t row_len = (size_t) in_w * channels;
      int y0, y1;
      float ly1;

      qvk_bilinear_source (in_h, out_h, align_corners, oy, &y0, &y1, &ly1);
      const uint8_t *r0 = x + ((size_t) n * in_h + y0) * row_len;
      const uint8_t *r1 = x + ((size_t) n * in_h + y1) * row_len;
      uint8_t *out = y + (size_t) row * out_w * channels;
      DISPATCH (isa, qvk_qu8_resize_row_ukernel,
                ((size_t) channels, (size_t) out_w, r0, r1, t.off0, t.off1, t.lx0,
                 t.lx1, 1.0f - ly1, ly1, out), (void) 0);
    }
  column_table_clear (&t);
}

void
qvk_qu8_requant_copy (qvk_isa isa, const qvk_qu8_requant_params *p, size_t cols,
                      const uint8_t *x, size_t x_stride, uint8_t *y,
                      size_t y_stride, size_t row_begin, size_t row_end)
{
  if (clamp_isa (isa) < QVK_ISA_AVX2)
    {
      qvk_qu8_requant_copy__scalar (p, cols, x, x_stride, y, y_stride, row_begin, row_end);
      return;
    }
  if (cols == x_stride && cols == y_stride)
    {
      /* contiguous: one run, however short the rows */
      cols *= row_end - row_begin;
      x += row_begin * x_stride;
      y += row_begin * y_stride;
      row_end = 1;
      row_begin = 0;
    }
  for (size_t r = row_begin; r < row_end; r++)
    DISPATCH (isa, qvk_qu8_vrequant_ukernel, (p, x + r * x_stride, y + r * y_stride, cols),
              (void) 0);
}

void
qvk_qu8_quantize (qvk_isa isa, float scale, int32_t zero_point, const float *x,
                  uint8_t *y, size_t begin, size_t end)
{
  if (begin >= end)
    return;
  DISPATCH (isa, qvk_qu8_vquantize_ukernel,
            (scale, zero_point, x + begin, y + begin, end - begin),
            qvk_qu8_quantize__scalar (scale, zero_point, x, y, begin, end));
}

void
qvk_qu8_dequantize (qvk_isa isa, float scale, int32_t zero_point,
                    const uint8_t *x, float *y, size_t begin, size_t end)
{
  if (begin >= end)
    return;
  DISPATCH (isa, qvk_qu8_vdequantize_ukernel,
            (scale, zero_point, x + begin, y + begin, end - begin),
            qvk_qu8_dequantize__scalar (scale, zero_point, x, y, begin, end));
}

/* ---- float --------------------------------------------------------------- */

void
qvk_f32_add (qvk_isa isa, const qvk_activation *act, const float *a,
             const float *b, float *y, size_t begin, size_t end)
{
  if (begin >= end)
    return;
  if (!qvk_activation_is_vectorized (act))
    {
      qvk_f32_add__scalar (act, a, b, y, begin, end);
      return;
    }
  DISPATCH (isa, qvk_f32_vadd_ukernel, (act, a + begin, b + begin, y + begin, end - begin),
            qvk_f32_add__scalar (act, a, b, y, begin, end));
}

void
qvk_f32_mul (qvk_isa isa, const float *a, const float *b, float *y,
             size_t begin, size_t end)
{
  if (begin >= end)
    return;
  DISPATCH (isa, qvk_f32_vmul_ukernel, (a + begin, b + begin, y + begin, end - begin),
            qvk_f32_mul__scalar (a, b, y, begin, end));
}

void
qvk_f32_mul_channel (qvk_isa isa, int pixels, int channels, const float *x,
                     const float *scale, float *y, size_t begin, size_t end)
{
  if (clamp_isa (isa) < QVK_ISA_AVX2 || pixels <= 0)
    {
      qvk_f32_mul_channel__scalar (pixels, channels, x, scale, y, begin, end);
      return;
    }
  for (size_t r = begin; r < end; r++)
    {
      const size_t o = r * (size_t) channels;
      const float *s = scale + r / (size_t) pixels * (size_t) channels;
      DISPATCH (isa, qvk_f32_vmul_ukernel, (x + o, s, y + o, (size_t) channels), (void) 0);
    }
}

void
qvk_f32_activation (qvk_isa isa, const qvk_activation *act, const float *x,
                    float *y, size_t begin, size_t end)
{
  if (begin >= end)
    return;
  if (!qvk_activation_is_vectorized (act))
    {
      qvk_f32_activation__scalar (act, x, y, begin, end);
      return;
    }
  DISPATCH (isa, qvk_f32_vact_ukernel, (act, x + begin, y + begin, end - begin),
            qvk_f32_activation__scalar (act, x, y, begin, end));
}

static void
f32_sums_scalar (size_t pixels, size_t stride, const float *x, double *sums, size_t n)
{
  for (size_t c = 0; c < n; c++)
    sums[c] = 0.0;
  for (size_t px = 0; px < pixels; px++)
    for (size_t c = 0; c < n; c++)
      sums[c] += (double) x[px * stride + c];
}

void
qvk_f32_channel_sums (qvk_isa isa, size_t pixels, size_t stride, size_t n,
                      const float *x, double *sums)
{
  DISPATCH (isa, qvk_f32_gsum_ukernel, (pixels, stride, x, sums, n),
            f32_sums_scalar (pixels, stride, x, sums, n));
}

void
qvk_f32_global_avgpool_finish (size_t pixels, size_t channels, const double *sums, float *y)
{
  for (size_t c = 0; c < channels; c++)
    y[c] = pixels > 0 ? (float) (sums[c] / (double) pixels) : 0.0f;
}

void
qvk_f32_resize_bilinear (qvk_isa isa, int batch, int in_h, int in_w,
                         int channels, int out_h, int out_w, int align_corners,
                         const float *x, float *y, int row_begin, int row_end)
{
  column_table t;
  row_cache rc;

  if (row_begin >= row_end)
    return;
  if (clamp_isa (isa) < QVK_ISA_AVX2 ||
      !column_table_init (&t, in_w, out_w, channels, align_corners))
    {
      qvk_f32_resize_bilinear__scalar (batch, in_h, in_w, channels, out_h, out_w,
                                       align_corners, x, y, row_begin, row_end);
      return;
    }
  if (out_h > in_h && row_cache_init (&rc, (size_t) out_w * channels))
    {
      /* upsampling: each row across serves several output rows */
      const size_t out_len = (size_t) out_w * channels;

      for (int row = row_begin, g; row < row_end; row += g)
        {
          const int n = row / out_h;
          const size_t row_len = (size_t) in_w * channels;
          int yy[2];
          float ly1[RESIZE_GROUP];

          g = resize_group (in_h, out_h, align_corners, row, row_end, yy, ly1);
          for (int k = 0; k < 2; k++)
            if (row_cache_take (&rc, k, (long) n * in_h + yy[k]))
              DISPATCH (isa, qvk_f32_resize_hrow_ukernel,
                        ((size_t) channels, (size_t) out_w,
                         x + ((size_t) n * in_h + yy[k]) * row_len, t.off0, t.off1,
                         t.lx0, t.lx1, rc.h[k]), (void) 0);
          for (size_t s0 = 0; s0 < out_len; s0 += RESIZE_SEGMENT)
            for (int k = 0; k < g; k++)
              DISPATCH (isa, qvk_f32_resize_vrow_ukernel,
                        (out_len - s0 < RESIZE_SEGMENT ? out_len - s0 : RESIZE_SEGMENT,
                         rc.h[0] + s0, rc.h[1] + s0, 1.0f - ly1[k], ly1[k],
                         y + (size_t) (row + k) * out_len + s0), (void) 0);
        }
      free (rc.h[0] < rc.h[1] ? rc.h[0] : rc.h[1]);
      column_table_clear (&t);
      return;
    }
  for (int row = row_begin; row < row_end; row++)
    {
      const int n = row / out_h, oy = row % out_h;
      const size_t row_len = (size_t) in_w * channels;
      int y0, y1;
      float ly1;

      qvk_bilinear_source (in_h, out_h, align_corners, oy, &y0, &y1, &ly1);
      const float *r0 = x + ((size_t) n * in_h + y0) * row_len;
      const float *r1 = x + ((size_t) n * in_h + y1) * row_len;
      float *out = y + (size_t) row * out_w * channels;
      DISPATCH (isa, qvk_f32_resize_row_ukernel,
                ((size_t) channels, (size_t) out_w, r0, r1, t.off0, t.off1, t.lx0,
                 t.lx1, 1.0f - ly1, ly1, out), (void) 0);
    }
  column_table_clear (&t);
}
