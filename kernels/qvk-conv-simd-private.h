/* qvk-conv-simd-private.h: what the float and int8 vector convolution
 * drivers (f32-conv-simd.c, qu8-conv-simd.c) share: the choice of a
 * microkernel, naming and the split of a run's work among threads.
 */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "qvk-conv.h"

typedef enum {
  QVK_SIMD_DWCONV,
  QVK_SIMD_GEMM,     /* 1x1, stride 1, no padding: straight on the input */
  QVK_SIMD_IGEMM,    /* anything else with groups == 1 */
  QVK_SIMD_PATCH,    /* few input channels: patches copied, then GEMM */
  QVK_SIMD_ROWS,     /* few input channels: kernel rows read in place */
} qvk_simd_method;

/* Whether an indirect-GEMM convolution is better run on copied patches:
 * few input channels (the first convolution), where an indirect GEMM
 * would spend a group of four reduction steps on every tap of in_c values
 * and more time on table entries than on multiplies.  The patch of a pixel
 * is kernel_h rows of kernel_w * in_c values, K values in all. */
static inline int
qvk_simd_patch_fits (const qvk_conv_shape *s)
{
  const int k = s->kernel_h * s->kernel_w * s->in_c;
  return s->groups == 1 && s->in_c < 8 && k > s->in_c && k <= 64;
}

/* Kernel rows read in place (QVK_SIMD_ROWS): at most this many rows, of
 * at most 16 values each. */
#define QVK_ROWS_MAX_KH 16

/* Whether a convolution over few input channels (as for patches) can
 * read its kernel rows in place: each row of kernel_w pixels is
 * contiguous (no dilation across) and short. */
static inline int
qvk_simd_rows_fit (const qvk_conv_shape *s)
{
  return s->groups == 1 && s->in_c < 8 && s->kernel_h * s->kernel_w > 1 &&
         s->dilation_w == 1 && s->kernel_h <= QVK_ROWS_MAX_KH && s->kernel_w * s->in_c <= 16;
}

/* Returns the method for s, or -1 when no vector kernel computes it. */
static inline int
qvk_simd_method_for (const qvk_conv_shape *s)
{
  if (qvk_conv_is_depthwise (s))
    return QVK_SIMD_DWCONV;
  if (s->groups != 1)
    return -1;
  if (s->kernel_h == 1 && s->kernel_w == 1 && s->stride_h == 1 &&
      s->stride_w == 1 && s->pad_top == 0 && s->pad_left == 0 &&
      s->out_h == s->in_h && s->out_w == s->in_w)
    return QVK_SIMD_GEMM;
  return QVK_SIMD_IGEMM;
}

/* Copied patches (QVK_SIMD_PATCH): built for this many output pixels at a
 * time, per thread, in a buffer with QVK_PATCH_SLACK bytes after the last
 * patch. */
#define QVK_PATCH_PIXELS 64
#define QVK_PATCH_SLACK 64

/* Patches i0 .. i1 - 1 of qvk_simd_build_patches's segment, anywhere in
 * the image: padding filled with `fill`, one kernel column at a time at the
 * borders.  c is bytes per pixel; src_rows as there. */
static inline void
build_patches_general (const qvk_conv_shape *s, size_t c, unsigned char fill,
                       const unsigned char *const *src_rows,
                       const unsigned char *end, size_t x0, size_t i0, size_t i1,
                       unsigned char *patches, size_t stride)
{
  const size_t kh = (size_t) s->kernel_h, kw = (size_t) s->kernel_w;
  const size_t row_bytes = kw * c;
  const long in_w = s->in_w, sw = s->stride_w, dw = s->dilation_w, pl = s->pad_left;

  for (size_t i = i0; i < i1; i++)
    {
      unsigned char *p = patches + i * stride;
      const long ix0 = (long) (x0 + i) * sw - pl;
      const int inside = dw == 1 && ix0 >= 0 && ix0 + (long) kw - 1 < in_w;

      for (size_t ky = 0; ky < kh; ky++, p += row_bytes)
        {
          const unsigned char *src_row = src_rows[ky];

          if (src_row == NULL)
            memset (p, fill, row_bytes);
          else if (inside)
            memcpy (p, src_row + (size_t) ix0 * c, row_bytes);
          else
            for (size_t kx = 0; kx < kw; kx++)
              {
                const long ix = ix0 + (long) kx * dw;
                if (ix < 0 || ix >= in_w)
                  memset (p + kx * c, fill, c);
                else
                  memcpy (p + kx * c, src_row + (size_t) ix * c, c);
              }
        }
    }
}

/* Builds the patches of pixels x0 .. x0 + n - 1 of output row `row` (over
 * batch x out_h rows), one every `stride` bytes: kernel_h rows of
 * kernel_w * in_c values of elem bytes, `fill` bytes (the zero point, or
 * 0.0f) where the kernel is over the padding.  A row that fits in `copy`
 * bytes (a constant: one or a few vector moves) is copied whole; the extra
 * bytes land on the next row or pixel, written after, or on the slack, and
 * a copy never reads past the input's end.  The shape is read into locals:
 * the stores may alias anything and would make the compiler reload every
 * field for every row. */
static inline __attribute__ ((always_inline)) void
qvk_simd_build_patches (const qvk_conv_shape *s, const size_t elem, const size_t copy,
                        unsigned char fill, const void *input_, size_t row, size_t x0,
                        size_t n, void *patches_, size_t stride)
{
  const unsigned char *input = input_;
  unsigned char *patches = patches_;
  const size_t c = (size_t) s->in_c * elem, kh = (size_t) s->kernel_h;
  const size_t kw = (size_t) s->kernel_w, row_bytes = kw * c;
  const long in_w = s->in_w, sw = s->stride_w, dw = s->dilation_w, pl = s->pad_left;
  const size_t image = (size_t) s->in_h * s->in_w * c;
  const unsigned char *img = input + row / (size_t) s->out_h * image;
  const unsigned char *end = input + (size_t) s->batch * image;
  const long oy = (long) (row % (size_t) s->out_h);
  const unsigned char *src_rows[64]; /* kh <= K <= 64; NULL: a padding row */

  for (size_t ky = 0; ky < kh; ky++)
    {
      const long iy = oy * s->stride_h - s->pad_top + (long) ky * s->dilation_h;
      src_rows[ky] = iy < 0 || iy >= s->in_h ? NULL : img + (size_t) iy * in_w * c;
    }

  /* The common case, pixels inside the image: copies and nothing else.
   * They are a contiguous range [lo, hi) of the segment (the conditions
   * are monotonic in the pixel); the pixels before and after it, at the
   * left and right borders, go through the general loop below.  Pixels
   * are written in increasing order either way. */
  size_t lo = n, hi = n;
  int rows_inside = dw == 1 && row_bytes <= copy;
  for (size_t ky = 0; ky < kh && rows_inside; ky++)
    rows_inside = src_rows[ky] != NULL;
  if (rows_inside)
    {
#define PIXEL_INSIDE(i)                                                   \
      ((long) (x0 + (i)) * sw - pl >= 0 &&                                \
       (long) (x0 + (i)) * sw - pl + (long) kw - 1 < in_w &&              \
       src_rows[kh - 1] + (size_t) ((long) (x0 + (i)) * sw - pl) * c + copy <= end)
      lo = 0;
      while (lo < n && !PIXEL_INSIDE (lo))
        lo++;
      while (hi > lo && !PIXEL_INSIDE (hi - 1))
        hi--;
#undef PIXEL_INSIDE
    }
  build_patches_general (s, c, fill, src_rows, end, x0, 0, lo, patches, stride);
  if (lo < hi)
    {
      const size_t step = (size_t) sw * c;
      const size_t base = (size_t) ((long) x0 * sw - pl) * c;

      if (elem == 1 && kh == 3 && row_bytes == 9 && copy >= 16 &&
          __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
        {
          /* int8 3x3 over three channels, the first convolution of most
           * networks: the 27 bytes are put together in 64-bit words and
           * stored as two 16-byte vectors (the last word runs 4 bytes into
           * the next patch, written after, or the slack) instead of three
           * overlapping 16-byte row copies.  Each row is read as 16 bytes,
           * within the input as checked above. */
          typedef uint64_t words2 __attribute__ ((vector_size (16)));
          for (size_t i = lo; i < hi; i++)
            {
              const size_t off = base + i * step;
              uint64_t r0[2], r1[2], r2[2];
              memcpy (r0, src_rows[0] + off, 16);
              memcpy (r1, src_rows[1] + off, 16);
              memcpy (r2, src_rows[2] + off, 16);
              const words2 w01 = { r0[0], (r0[1] & 0xff) | r1[0] << 8 };
              const words2 w23 = { r1[0] >> 56 | (r1[1] & 0xff) << 8 | r2[0] << 16,
                                   r2[0] >> 48 | r2[1] << 16 };
              memcpy (patches + i * stride, &w01, 16);
              memcpy (patches + i * stride + 16, &w23, 16);
            }
        }
      else
        for (size_t i = lo; i < hi; i++)
          {
            unsigned char *p = patches + i * stride;
            const size_t off = base + i * step;
            for (size_t ky = 0; ky < kh; ky++)
              memcpy (p + ky * row_bytes, src_rows[ky] + off, copy);
          }
    }
  build_patches_general (s, c, fill, src_rows, end, x0, hi, n, patches, stride);
}

/* QVK_SIMD_ROWS: a segment of output row `row`, pixels x0 .. x0 + n - 1.
 * src[ky] is kernel row ky's input row (the zero row, as wide as an input
 * row and then some, for a row over the padding); pixels lo .. hi - 1 have
 * every kernel row inside the image and readable in `read` bytes from
 * there without passing the input's end (the conditions are monotonic in
 * the pixel, so they are a range).  elem is bytes per value. */
typedef struct {
  const unsigned char *src[QVK_ROWS_MAX_KH];
  size_t lo, hi;
} qvk_rows_segment;

static inline void
qvk_simd_rows_segment (const qvk_conv_shape *s, size_t elem, size_t read, const void *input_,
                       const void *zero, size_t row, size_t x0, size_t n,
                       qvk_rows_segment *seg)
{
  const unsigned char *input = input_;
  const size_t c = (size_t) s->in_c * elem;
  const size_t image = (size_t) s->in_h * s->in_w * c;
  const unsigned char *img = input + row / (size_t) s->out_h * image;
  const unsigned char *end = input + (size_t) s->batch * image;
  const long oy = (long) (row % (size_t) s->out_h);
  const long in_w = s->in_w, sw = s->stride_w, pl = s->pad_left, kw = s->kernel_w;
  const unsigned char *high = NULL; /* the last kernel row read from the input */

  for (int ky = 0; ky < s->kernel_h; ky++)
    {
      const long iy = oy * s->stride_h - s->pad_top + (long) ky * s->dilation_h;
      seg->src[ky] = iy < 0 || iy >= s->in_h ? (const unsigned char *) zero
                                             : (high = img + (size_t) iy * in_w * c);
    }
#define QVK_ROWS_INSIDE(i)                                                     \
  ((long) (x0 + (i)) * sw - pl >= 0 && (long) (x0 + (i)) * sw - pl + kw - 1 < in_w && \
   (high == NULL || high + (size_t) ((long) (x0 + (i)) * sw - pl) * c + read <= end))
  seg->lo = 0;
  seg->hi = n;
  while (seg->lo < n && !QVK_ROWS_INSIDE (seg->lo))
    seg->lo++;
  while (seg->hi > seg->lo && !QVK_ROWS_INSIDE (seg->hi - 1))
    seg->hi--;
#undef QVK_ROWS_INSIDE
}

/* The kernel rows of the segment's pixel i into rows: in place for a
 * pixel in lo .. hi - 1, else put together in border (64 bytes a row),
 * `fill` bytes where the kernel is over the padding. */
static inline void
qvk_simd_rows_of (const qvk_conv_shape *s, size_t elem, unsigned char fill,
                  const qvk_rows_segment *seg, size_t x0, size_t i,
                  unsigned char (*border)[64], const void **rows)
{
  const size_t c = (size_t) s->in_c * elem;
  const long ix0 = (long) (x0 + i) * s->stride_w - s->pad_left;

  for (int ky = 0; ky < s->kernel_h; ky++)
    if (i >= seg->lo && i < seg->hi)
      rows[ky] = seg->src[ky] + (size_t) ix0 * c;
    else
      {
        memset (border[ky], fill, sizeof border[ky]);
        for (long kx = 0; kx < s->kernel_w; kx++)
          if (ix0 + kx >= 0 && ix0 + kx < s->in_w)
            memcpy (border[ky] + kx * c, seg->src[ky] + (size_t) (ix0 + kx) * c, c);
        rows[ky] = border[ky];
      }
}

/* The head of every microkernel table entry: what the chooser reads. */
typedef struct {
  const char *name;     /* the microkernel's function name */
  qvk_isa isa;          /* the ISA it needs */
  int nr;               /* GEMM: output columns per tile; 0 for depthwise */
} qvk_simd_entry;

/* Of a table of n entries stride bytes apart, each beginning with a
 * qvk_simd_entry: the one named forced (NULL when none is), or else the
 * widest-ISA entry allowed at isa; among those, 16 columns for narrow
 * outputs (the first convolution's 16 channels) and 32 otherwise. */
static inline const void *
qvk_simd_choose (const void *table, size_t n, size_t stride, qvk_isa isa,
                 int out_c, const char *forced)
{
  const qvk_simd_entry *best = NULL;

  for (size_t i = 0; i < n; i++)
    {
      const qvk_simd_entry *e = (const void *) ((const char *) table + i * stride);
      if (forced != NULL)
        {
          if (strcmp (forced, e->name) == 0)
            return e;
          continue;
        }
      if (e->isa > isa)
        continue;
      if (best == NULL || e->isa > best->isa)
        best = e;
      else if (e->isa == best->isa &&
               (out_c <= 16 ? e->nr < best->nr : e->nr > best->nr))
        best = e;
    }
  return best;
}

/* "<prefix> dwconv 5x5 d2 indirect avx512", "<prefix> conv 1x1 gemm avx512vnni" */
static inline void
qvk_simd_describe (const char *prefix, const qvk_conv_shape *s, int method,
                   const char *tile, qvk_isa isa, char *buf, size_t size)
{
  char extra[48] = "";
  int len = 0;

  if (s->stride_h > 1 || s->stride_w > 1)
    len += s->stride_h == s->stride_w
           ? snprintf (extra + len, sizeof extra - len, " s%d", s->stride_h)
           : snprintf (extra + len, sizeof extra - len, " s%dx%d", s->stride_h, s->stride_w);
  if (s->dilation_h > 1 || s->dilation_w > 1)
    s->dilation_h == s->dilation_w
      ? snprintf (extra + len, sizeof extra - len, " d%d", s->dilation_h)
      : snprintf (extra + len, sizeof extra - len, " d%dx%d", s->dilation_h, s->dilation_w);
  snprintf (buf, size, "%s %s %dx%d%s %s %s %s", prefix,
            method == QVK_SIMD_DWCONV ? "dwconv" : "conv",
            s->kernel_h, s->kernel_w, extra,
            method == QVK_SIMD_DWCONV ? (strstr (tile, "c4q") != NULL ? "row-quads" : "indirect")
            : method == QVK_SIMD_GEMM ? "gemm"
            : method == QVK_SIMD_PATCH ? "patch-gemm"
            : method == QVK_SIMD_ROWS ? "kernel-rows" : "indirect-gemm",
            tile, qvk_isa_name (isa));
}

static inline void
qvk_simd_reason (const qvk_conv_shape *s, int method, char *buf, size_t size)
{
  const int dilated = s->dilation_h > 1 || s->dilation_w > 1;

  if (method == QVK_SIMD_DWCONV)
    snprintf (buf, size, "depthwise, %d channels: indirection buffer, %s",
              s->out_c, dilated ? "dilation costs nothing extra"
                                : "any kernel size and stride at the same cost per tap");
  else if (method == QVK_SIMD_GEMM)
    snprintf (buf, size, "pointwise %d->%d: GEMM on packed weights, "
              "the NHWC input is the A matrix as it is", s->in_c, s->out_c);
  else if (method == QVK_SIMD_ROWS)
    snprintf (buf, size, "first convolution, %d input channels: each kernel row "
              "of %d values read in place from the input, no patch copied",
              s->in_c, s->kernel_w * s->in_c);
  else if (method == QVK_SIMD_PATCH)
    snprintf (buf, size, "first convolution, %d input channels: each pixel's "
              "%dx%d patch copied into one row of %d values, GEMM over them",
              s->in_c, s->kernel_h, s->kernel_w, s->kernel_h * s->kernel_w * s->in_c);
  else if (s->in_c < 8)
    snprintf (buf, size, "first convolution, %d input channels: indirect GEMM "
              "over %d taps, no im2col copy", s->in_c, s->kernel_h * s->kernel_w);
  else
    snprintf (buf, size, "%dx%d convolution, %d->%d: indirect GEMM, no im2col "
              "copy%s", s->kernel_h, s->kernel_w, s->in_c, s->out_c,
              dilated ? ", dilation costs nothing extra" : "");
}

/* Appends to a reason that the chosen kernel is for a lower ISA than the
 * one allowed. */
static inline void
qvk_simd_reason_lower_isa (char *buf, size_t size, qvk_isa kernel_isa,
                           qvk_isa isa)
{
  const size_t len = strlen (buf);

  snprintf (buf + len, size - len, "; %s kernel, none for %s",
            qvk_isa_name (kernel_isa), qvk_isa_name (isa));
}

/* Work items [begin, end) of thread_id among n_threads. */
static inline void
qvk_simd_split (size_t items, int thread_id, int n_threads, size_t *begin,
                size_t *end)
{
  *begin = items * (size_t) thread_id / (size_t) n_threads;
  *end = items * (size_t) (thread_id + 1) / (size_t) n_threads;
}

/* Chunks to cut the second dimension (channel tiles) into when the first
 * (rows or row blocks) alone gives too few items for n_threads to share
 * evenly. */
static inline size_t
qvk_simd_chunks (size_t first, size_t tiles, int n_threads)
{
  const size_t want = 4 * (size_t) n_threads;
  size_t chunks;

  if (n_threads <= 1 || first >= want)
    return 1;
  chunks = (want + first - 1) / first;
  return chunks < tiles ? chunks : tiles;
}
