/* qvk-common.h: shapes and activation descriptors shared by every kernel.
 *
 * Plain C11, no GLib.  All activation tensors are NHWC (channels last).
 * Convolution weights are OHWI: [out_c][kernel_h][kernel_w][in_c / groups].
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  QVK_ACT_NONE = 0,
  QVK_ACT_RELU,        /* max(x, 0) */
  QVK_ACT_CLIP,        /* min(max(x, act_min), act_max); relu6 is CLIP 0..6 */
  QVK_ACT_HARDSWISH,   /* x * relu6(x + 3) / 6 */
  QVK_ACT_HARDSIGMOID, /* relu6(x + 3) / 6 (PyTorch's definition) */
  QVK_ACT_SIGMOID,     /* 1 / (1 + exp(-x)) */
  /* Computed by the scalar kernels (float) and lookup tables (int8) only;
   * never fused into a convolution or an add. */
  QVK_ACT_TANH,        /* tanh(x) */
  QVK_ACT_LEAKY_RELU,  /* x >= 0 ? x : alpha * x (also PRelu with one slope) */
  QVK_ACT_ELU,         /* x >= 0 ? x : alpha * (exp(x) - 1) */
  QVK_ACT_SOFTPLUS,    /* log(1 + exp(x)) */
  QVK_ACT_ERF,         /* erf(x) */
  QVK_ACT_SQRT,        /* sqrt(x); NaN below 0 in float, 0 in int8 */
} qvk_act;

typedef struct {
  qvk_act kind;
  float min, max;     /* QVK_ACT_CLIP */
  float alpha, beta;  /* QVK_ACT_HARDSIGMOID: clip(alpha * x + beta, 0, 1);
                         PyTorch's is alpha = 1/6, beta = 1/2 */
} qvk_activation;

static inline qvk_activation
qvk_activation_make (qvk_act kind)
{
  qvk_activation a = { kind, 0.0f, 6.0f, 1.0f / 6.0f, 0.5f };
  return a;
}

/* The activations the vector kernels and the convolution epilogues know. */
static inline int
qvk_activation_is_vectorized (const qvk_activation *a)
{
  return a == NULL || a->kind <= QVK_ACT_SIGMOID;
}

static inline qvk_activation
qvk_activation_clip (float min, float max)
{
  qvk_activation a = { QVK_ACT_CLIP, min, max, 1.0f / 6.0f, 0.5f };
  return a;
}

/* A 2-D convolution over NHWC input, any kernel size, stride, padding,
 * dilation and group count.  Padding on the bottom/right is implied by
 * out_h/out_w. */
typedef struct {
  int batch;
  int in_h, in_w, in_c;
  int out_h, out_w, out_c;
  int kernel_h, kernel_w;
  int stride_h, stride_w;
  int dilation_h, dilation_w;
  int pad_top, pad_left;
  int groups;
  qvk_activation act;
} qvk_conv_shape;

/* Average and max pooling windows (NHWC). */
typedef struct {
  int batch;
  int in_h, in_w, channels;
  int out_h, out_w;
  int kernel_h, kernel_w;
  int stride_h, stride_w;
  int dilation_h, dilation_w; /* max pooling only; 1 for average pooling */
  int pad_top, pad_left;
  int count_include_pad;      /* average pooling: divide by the full window */
} qvk_pool_shape;

static inline int
qvk_conv_is_depthwise (const qvk_conv_shape *s)
{
  return s->groups > 1 && s->groups == s->in_c && s->out_c == s->in_c;
}

/* Number of multiply-accumulates of a convolution. */
static inline uint64_t
qvk_conv_macs (const qvk_conv_shape *s)
{
  return (uint64_t) s->batch * s->out_h * s->out_w * s->out_c *
         s->kernel_h * s->kernel_w * (uint64_t) (s->in_c / s->groups);
}

#ifdef __cplusplus
}
#endif
