/* qvk-conv-op-private.h: what the float and int8 convolution operators
 * (f32-conv-op.c, qu8-conv-op.c) share: the checks and options of create(),
 * the trivial table entries, the im2col patch copy, the name and reason a
 * chosen kernel records, and the split of a run's rows among threads.
 * Built in the scalar library (conv-op-common.c), without ISA flags.
 */
#pragma once

#include <stddef.h>

#include "qvk-conv.h"

static inline int
qvk_conv_in_per_group (const qvk_conv_shape *s)
{
  return s->in_c / s->groups;
}

static inline int
qvk_conv_out_per_group (const qvk_conv_shape *s)
{
  return s->out_c / s->groups;
}

/* 1 when the operators can compute s: groups divide both channel counts
 * and every size, stride and dilation is positive. */
int qvk_conv_shape_is_valid (const qvk_conv_shape *s);

/* options (the defaults when NULL) with the ISA lowered to what the CPU,
 * or QVIZ_ISA, allows and at least one thread. */
qvk_conv_options qvk_conv_options_resolve (const qvk_conv_options *options);

/* Table entries every operator has. */
int    qvk_conv_supports_any (const qvk_conv_shape *s);
int    qvk_conv_supports_depthwise (const qvk_conv_shape *s);
/* OHWI weights: out_c * kernel_h * kernel_w * in_per_group values. */
size_t qvk_conv_weight_count (const qvk_conv_shape *s);
size_t qvk_conv_no_scratch (const qvk_conv_shape *s);

/* Writes the [n_pixels][K] patch matrix of group g, K = (ky, kx, ic), for
 * the output pixels starting at flat index first (over batch * out_h *
 * out_w).  Values are value_size bytes; padding taps are filled with the
 * byte pad (0 for float zeros, the zero point for uint8). */
void qvk_conv_im2col (const qvk_conv_shape *s, size_t value_size,
                      unsigned char pad, const void *input, int g,
                      size_t first, int n_pixels, void *patches);

/* Writes the name of the kernel chosen for s ("<prefix> conv 3x3 s2
 * im2col+gemm scalar") and why it was chosen, at isa, for algo. */
void qvk_conv_describe_choice (const char *prefix, const qvk_conv_shape *s,
                               const char *method, qvk_isa kernel_isa,
                               qvk_isa isa, qvk_conv_algo algo,
                               char *name, size_t name_size,
                               char *reason, size_t reason_size);

/* Aborts when thread_id has no scratch of its own (running on would
 * corrupt another thread's tile); type_name is "f32" or "int8". */
void qvk_conv_check_scratch_thread (const char *type_name, int thread_id,
                                    int max_threads);

/* The contiguous output rows [*row_begin, *row_end) of batch * out_h that
 * thread_id of n_threads computes. */
static inline void
qvk_conv_thread_rows (const qvk_conv_shape *s, int thread_id, int n_threads,
                      int *row_begin, int *row_end)
{
  const long rows = (long) s->batch * s->out_h;

  *row_begin = (int) (rows * thread_id / n_threads);
  *row_end = (int) (rows * (thread_id + 1) / n_threads);
}
