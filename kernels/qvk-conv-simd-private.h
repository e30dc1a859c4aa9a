/* qvk-conv-simd-private.h: what the float and int8 vector convolution
 * drivers (f32-conv-simd.c, qu8-conv-simd.c) share: the choice of a
 * microkernel, naming and the split of a run's work among threads.
 */
#pragma once

#include <stdio.h>
#include <string.h>

#include "qvk-conv.h"

typedef enum {
  QVK_SIMD_DWCONV,
  QVK_SIMD_GEMM,     /* 1x1, stride 1, no padding: straight on the input */
  QVK_SIMD_IGEMM,    /* anything else with groups == 1 */
  QVK_SIMD_PATCH,    /* few input channels: patches copied, then GEMM */
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
            method == QVK_SIMD_DWCONV ? "indirect"
            : method == QVK_SIMD_GEMM ? "gemm"
            : method == QVK_SIMD_PATCH ? "patch-gemm" : "indirect-gemm",
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
