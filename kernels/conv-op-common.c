/* conv-op-common.c: the parts of the float and int8 convolution operators
 * that do not depend on the data type (qvk-conv-op-private.h).
 */
#include "qvk-conv-op-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
qvk_conv_shape_is_valid (const qvk_conv_shape *s)
{
  return s->groups >= 1 && s->in_c % s->groups == 0 && s->out_c % s->groups == 0 &&
         s->batch >= 1 && s->out_h >= 1 && s->out_w >= 1 && s->kernel_h >= 1 &&
         s->kernel_w >= 1 && s->stride_h >= 1 && s->stride_w >= 1 &&
         s->dilation_h >= 1 && s->dilation_w >= 1;
}

qvk_conv_options
qvk_conv_options_resolve (const qvk_conv_options *options)
{
  qvk_conv_options resolved = { qvk_isa_detect (), QVK_CONV_ALGO_AUTO, 1 };

  if (options != NULL)
    resolved = *options;
  /* Never use more than the CPU (or QVIZ_ISA) allows. */
  if (resolved.isa > qvk_isa_detect ())
    resolved.isa = qvk_isa_detect ();
  if (resolved.max_threads < 1)
    resolved.max_threads = 1;
  return resolved;
}

int
qvk_conv_supports_any (const qvk_conv_shape *s)
{
  return 1;
}

int
qvk_conv_supports_depthwise (const qvk_conv_shape *s)
{
  return qvk_conv_is_depthwise (s);
}

size_t
qvk_conv_weight_count (const qvk_conv_shape *s)
{
  return (size_t) s->out_c * s->kernel_h * s->kernel_w * qvk_conv_in_per_group (s);
}

size_t
qvk_conv_no_scratch (const qvk_conv_shape *s)
{
  return 0;
}

void
qvk_conv_im2col (const qvk_conv_shape *s, size_t value_size, unsigned char pad,
                 const void *input, int g, size_t first, int n_pixels,
                 void *patches)
{
  const int ipg = qvk_conv_in_per_group (s);
  const size_t k_n = (size_t) s->kernel_h * s->kernel_w * ipg;
  const size_t tap_bytes = (size_t) ipg * value_size;
  const unsigned char *in = input;
  unsigned char *a = patches;

  for (int p = 0; p < n_pixels; p++)
    {
      const size_t pixel = first + p;
      const size_t row = pixel / s->out_w;
      const int ox = (int) (pixel % s->out_w);
      const int n = (int) (row / s->out_h);
      const int oy = (int) (row % s->out_h);
      unsigned char *ap = a + p * k_n * value_size;

      for (int ky = 0; ky < s->kernel_h; ky++)
        {
          const int iy = oy * s->stride_h - s->pad_top + ky * s->dilation_h;
          for (int kx = 0; kx < s->kernel_w; kx++)
            {
              const int ix = ox * s->stride_w - s->pad_left + kx * s->dilation_w;
              unsigned char *dst = ap + (size_t) (ky * s->kernel_w + kx) * tap_bytes;

              if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                memset (dst, pad, tap_bytes);
              else
                memcpy (dst, in + ((((size_t) n * s->in_h + iy) * s->in_w + ix) * s->in_c
                                   + (size_t) g * ipg) * value_size,
                        tap_bytes);
            }
        }
    }
}

static const char *
algo_option_name (qvk_conv_algo algo)
{
  switch (algo)
    {
    case QVK_CONV_ALGO_IM2COL:
      return "im2col";
    case QVK_CONV_ALGO_REFERENCE:
      return "reference";
    case QVK_CONV_ALGO_AUTO:
    default:
      return "auto";
    }
}

/* "f32 dwconv 5x5 d5", "qu8 conv 3x3 s2", "f32 gconv 3x3 g4 d2" */
static void
describe_shape (const char *prefix, const qvk_conv_shape *s, char *buf,
                size_t size)
{
  const char *kind = qvk_conv_is_depthwise (s) ? "dwconv"
                   : s->groups > 1 ? "gconv" : "conv";
  int len = snprintf (buf, size, "%s %s %dx%d", prefix, kind, s->kernel_h,
                      s->kernel_w);

  if (len >= 0 && (size_t) len < size && s->groups > 1 && !qvk_conv_is_depthwise (s))
    len += snprintf (buf + len, size - len, " g%d", s->groups);
  if (len >= 0 && (size_t) len < size && (s->stride_h > 1 || s->stride_w > 1))
    len += s->stride_h == s->stride_w
           ? snprintf (buf + len, size - len, " s%d", s->stride_h)
           : snprintf (buf + len, size - len, " s%dx%d", s->stride_h, s->stride_w);
  if (len >= 0 && (size_t) len < size && (s->dilation_h > 1 || s->dilation_w > 1))
    s->dilation_h == s->dilation_w
      ? snprintf (buf + len, size - len, " d%d", s->dilation_h)
      : snprintf (buf + len, size - len, " d%dx%d", s->dilation_h, s->dilation_w);
}

void
qvk_conv_describe_choice (const char *prefix, const qvk_conv_shape *s,
                          const char *method, qvk_isa kernel_isa, qvk_isa isa,
                          qvk_conv_algo algo, char *name, size_t name_size,
                          char *reason, size_t reason_size)
{
  char shape_desc[64];

  describe_shape (prefix, s, shape_desc, sizeof shape_desc);
  snprintf (name, name_size, "%s%s%s %s", shape_desc, *method ? " " : "",
            method, qvk_isa_name (kernel_isa));

  if (algo != QVK_CONV_ALGO_AUTO)
    snprintf (reason, reason_size, "forced by --conv-algo %s",
              algo_option_name (algo));
  else if (isa == QVK_ISA_SCALAR)
    snprintf (reason, reason_size, "no vector ISA selected");
  else if (kernel_isa < isa)
    snprintf (reason, reason_size, "no %s kernel for this shape; %s is the "
              "best available", qvk_isa_name (isa), qvk_isa_name (kernel_isa));
  else
    snprintf (reason, reason_size, "best kernel for this shape on %s",
              qvk_isa_name (isa));
}

void
qvk_conv_check_scratch_thread (const char *type_name, int thread_id,
                               int max_threads)
{
  if (thread_id < max_threads)
    return;
  fprintf (stderr, "qviz: %s convolution run by thread %d but created for "
           "%d threads\n", type_name, thread_id, max_threads);
  abort ();
}
