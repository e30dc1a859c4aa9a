/* bench-peers-layers.c: the layer shapes of `qviz-cli bench` timed with
 * XNNPACK and oneDNN, f32 and int8, for docs/benchmarks.md.  Built and run
 * by tools/bench-peers against Debian's libxnnpack-dev and libdnnl-dev; not
 * part of qviz's build and not a dependency of qviz.  Prints Markdown,
 * measures, asserts nothing.
 *
 *   bench-peers-layers THREADS MIN_SECONDS
 *
 * Every layer is a convolution followed by ReLU on NHWC tensors, as qviz
 * runs it.  Int8 is uint8 activations with int8 (oneDNN) or uint8 (XNNPACK's
 * qu8, the convention PyTorch Mobile uses) weights, per-tensor scales.
 * Weights are reordered to each library's preferred layout before timing;
 * only the convolution itself is timed, median of repeated runs. */

#include <oneapi/dnnl/dnnl.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  const char *label;
  int in_c, out_c, k, stride, dilation, depthwise, size;
} Layer;

/* The same list, in the same order, as app/qviz-cli-bench.c. */
static const Layer layers[] = {
  { "1x1 conv 960->128 @64x64 (LR-ASPP head)", 960, 128, 1, 1, 1, 0, 64 },
  { "1x1 conv 112->672 @64x64", 112, 672, 1, 1, 1, 0, 64 },
  { "depthwise 3x3 64ch @256x256", 64, 64, 3, 1, 1, 1, 256 },
  { "depthwise 5x5 120ch @128x128", 120, 120, 5, 1, 1, 1, 128 },
  { "depthwise 5x5 d2 960ch @64x64", 960, 960, 5, 1, 2, 1, 64 },
  { "depthwise 5x5 d5 960ch @64x64", 960, 960, 5, 1, 5, 1, 64 },
  { "first conv 3->16 3x3 s2 @1024x1024", 3, 16, 3, 2, 1, 0, 1024 },
};

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

typedef void (*RunFunc) (void *ctx);

/* Median of runs after one warm-up, until 5 runs and min_ms are reached. */
static double
time_median (RunFunc run, void *ctx, double min_ms)
{
  double samples[4096];
  int n = 0;
  double start;

  run (ctx);
  start = now_ms ();
  while (n < 5 || (now_ms () - start < min_ms && n < 4096))
    {
      double t0 = now_ms ();
      run (ctx);
      samples[n++] = now_ms () - t0;
    }
  qsort (samples, (size_t) n, sizeof *samples, cmp_double);
  return n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
}

static int
out_side (const Layer *l)
{
  int pad = (l->k - 1) / 2 * l->dilation;
  int eff = (l->k - 1) * l->dilation + 1;
  return (l->size + 2 * pad - eff) / l->stride + 1;
}

static double
layer_macs (const Layer *l)
{
  int o = out_side (l);
  double per = (double) l->k * l->k * (l->depthwise ? 1 : l->in_c);
  return (double) o * o * l->out_c * per;
}

static void
fill_random (void *p, size_t bytes, unsigned seed)
{
  unsigned char *b = p;
  for (size_t i = 0; i < bytes; i++)
    {
      seed = seed * 1103515245u + 12345u;
      b[i] = (unsigned char) (seed >> 16);
    }
}

static float *
random_floats (size_t n, float lo, float hi, unsigned seed)
{
  float *v = malloc (n * sizeof *v);
  for (size_t i = 0; i < n; i++)
    {
      seed = seed * 1103515245u + 12345u;
      v[i] = lo + (hi - lo) * (float) ((seed >> 8) & 0xffff) / 65535.0f;
    }
  return v;
}

/* ---- XNNPACK ---- */

typedef struct {
  xnn_operator_t op;
  pthreadpool_t pool;
} XnnCtx;

static void
xnn_run (void *p)
{
  XnnCtx *c = p;
  if (xnn_run_operator (c->op, c->pool) != xnn_status_success)
    {
      fprintf (stderr, "XNNPACK: running an operator failed\n");
      exit (1);
    }
}

static double
xnn_time (const Layer *l, int int8, pthreadpool_t pool, double min_ms)
{
  int pad = (l->k - 1) / 2 * l->dilation, o = out_side (l);
  uint32_t groups = l->depthwise ? (uint32_t) l->in_c : 1;
  size_t gin = l->depthwise ? 1 : (size_t) l->in_c, gout = l->depthwise ? 1 : (size_t) l->out_c;
  size_t nw = (size_t) l->out_c * l->k * l->k * gin;
  size_t nin = (size_t) l->size * l->size * l->in_c, nout = (size_t) o * o * l->out_c;
  XnnCtx c = { NULL, pool };
  enum xnn_status st;
  double ms;
  void *in, *out, *w, *b;

  if (int8)
    {
      in = malloc (nin);
      out = malloc (nout);
      w = malloc (nw);
      b = calloc ((size_t) l->out_c, sizeof (int32_t));
      fill_random (in, nin, 1);
      fill_random (w, nw, 2);
      st = xnn_create_convolution2d_nhwc_qu8 (pad, pad, pad, pad, l->k, l->k, l->stride, l->stride,
                                               l->dilation, l->dilation, groups, gin, gout,
                                               groups * gin, groups * gout, 128, 0.02f, 128, 0.01f,
                                               w, b, 0, 0.05f, 0, 255, 0, &c.op);
      if (st == xnn_status_success)
        st = xnn_setup_convolution2d_nhwc_qu8 (c.op, 1, l->size, l->size, in, out, pool);
    }
  else
    {
      in = random_floats (nin, -1, 1, 1);
      out = malloc (nout * sizeof (float));
      w = random_floats (nw, -0.1f, 0.1f, 2);
      b = random_floats ((size_t) l->out_c, -0.1f, 0.1f, 3);
      st = xnn_create_convolution2d_nhwc_f32 (pad, pad, pad, pad, l->k, l->k, l->stride, l->stride,
                                               l->dilation, l->dilation, groups, gin, gout,
                                               groups * gin, groups * gout, w, b, 0.0f, INFINITY, 0,
                                               &c.op);
      if (st == xnn_status_success)
        st = xnn_setup_convolution2d_nhwc_f32 (c.op, 1, l->size, l->size, in, out, pool);
    }
  if (st != xnn_status_success)
    {
      fprintf (stderr, "XNNPACK refused %s (%s), status %d\n", l->label, int8 ? "int8" : "f32", st);
      ms = NAN;
    }
  else
    ms = time_median (xnn_run, &c, min_ms);
  if (c.op)
    xnn_delete_operator (c.op);
  free (in);
  free (out);
  free (w);
  free (b);
  return ms;
}

/* ---- oneDNN ---- */

#define DNNL_CHECK(call)                                                                        \
  do                                                                                            \
    {                                                                                           \
      dnnl_status_t s_ = (call);                                                                \
      if (s_ != dnnl_success)                                                                   \
        {                                                                                       \
          fprintf (stderr, "oneDNN: %s failed with status %d\n", #call, (int) s_);              \
          exit (1);                                                                             \
        }                                                                                       \
    }                                                                                           \
  while (0)

typedef struct {
  dnnl_primitive_t conv;
  dnnl_stream_t stream;
  dnnl_exec_arg_t args[4];
} DnnlCtx;

static void
dnnl_run (void *p)
{
  DnnlCtx *c = p;
  DNNL_CHECK (dnnl_primitive_execute (c->conv, c->stream, 4, c->args));
  DNNL_CHECK (dnnl_stream_wait (c->stream));
}

static dnnl_memory_t
memory_with (dnnl_engine_t engine, const dnnl_memory_desc_t *md, unsigned seed)
{
  dnnl_memory_t m;
  void *data;
  DNNL_CHECK (dnnl_memory_create (&m, md, engine, DNNL_MEMORY_ALLOCATE));
  DNNL_CHECK (dnnl_memory_get_data_handle (m, &data));
  fill_random (data, dnnl_memory_desc_get_size (md), seed);
  return m;
}

static double
dnnl_time (const Layer *l, int int8, dnnl_engine_t engine, dnnl_stream_t stream, double min_ms)
{
  int pad = (l->k - 1) / 2 * l->dilation, o = out_side (l);
  dnnl_data_type_t act = int8 ? dnnl_u8 : dnnl_f32, wt = int8 ? dnnl_s8 : dnnl_f32;
  dnnl_memory_desc_t src_md, dst_md, bias_md, wany_md, wplain_md;
  dnnl_dims_t src_dims = { 1, l->in_c, l->size, l->size };
  dnnl_dims_t dst_dims = { 1, l->out_c, o, o };
  dnnl_dims_t bias_dims = { l->out_c };
  dnnl_dims_t strides = { l->stride, l->stride };
  dnnl_dims_t dilates = { l->dilation - 1, l->dilation - 1 };
  dnnl_dims_t pads = { pad, pad };
  dnnl_convolution_desc_t cd;
  dnnl_primitive_attr_t attr;
  dnnl_post_ops_t ops;
  dnnl_primitive_desc_t pd, rpd;
  dnnl_primitive_t reorder;
  dnnl_memory_t src, dst, bias, wplain, wpacked;
  DnnlCtx c = { 0 };
  double ms;

  DNNL_CHECK (dnnl_memory_desc_init_by_tag (&src_md, 4, src_dims, act, dnnl_nhwc));
  DNNL_CHECK (dnnl_memory_desc_init_by_tag (&dst_md, 4, dst_dims, act, dnnl_nhwc));
  DNNL_CHECK (dnnl_memory_desc_init_by_tag (&bias_md, 1, bias_dims, dnnl_f32, dnnl_x));
  if (l->depthwise)
    {
      dnnl_dims_t wd = { l->in_c, 1, 1, l->k, l->k };
      DNNL_CHECK (dnnl_memory_desc_init_by_tag (&wany_md, 5, wd, wt, dnnl_format_tag_any));
      DNNL_CHECK (dnnl_memory_desc_init_by_tag (&wplain_md, 5, wd, wt, dnnl_goihw));
    }
  else
    {
      dnnl_dims_t wd = { l->out_c, l->in_c, l->k, l->k };
      DNNL_CHECK (dnnl_memory_desc_init_by_tag (&wany_md, 4, wd, wt, dnnl_format_tag_any));
      DNNL_CHECK (dnnl_memory_desc_init_by_tag (&wplain_md, 4, wd, wt, dnnl_oihw));
    }
  DNNL_CHECK (dnnl_dilated_convolution_forward_desc_init (&cd, dnnl_forward_inference,
                                                          dnnl_convolution_direct, &src_md,
                                                          &wany_md, &bias_md, &dst_md, strides,
                                                          dilates, pads, pads));
  DNNL_CHECK (dnnl_primitive_attr_create (&attr));
  DNNL_CHECK (dnnl_post_ops_create (&ops));
  DNNL_CHECK (dnnl_post_ops_append_eltwise (ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f));
  DNNL_CHECK (dnnl_primitive_attr_set_post_ops (attr, ops));
  if (int8)
    {
      float scale = 0.02f * 0.01f / 0.05f;
      DNNL_CHECK (dnnl_primitive_attr_set_output_scales (attr, 1, 0, &scale));
    }
  DNNL_CHECK (dnnl_primitive_desc_create (&pd, &cd, attr, engine, NULL));

  src = memory_with (engine, &src_md, 1);
  dst = memory_with (engine, &dst_md, 2);
  bias = memory_with (engine, &bias_md, 3);
  wplain = memory_with (engine, &wplain_md, 4);
  DNNL_CHECK (dnnl_memory_create (&wpacked,
                                  dnnl_primitive_desc_query_md (pd, dnnl_query_weights_md, 0),
                                  engine, DNNL_MEMORY_ALLOCATE));
  {
    dnnl_exec_arg_t rargs[2] = { { DNNL_ARG_FROM, wplain }, { DNNL_ARG_TO, wpacked } };
    DNNL_CHECK (dnnl_reorder_primitive_desc_create (&rpd, &wplain_md, engine,
                                                    dnnl_primitive_desc_query_md (pd, dnnl_query_weights_md, 0),
                                                    engine, NULL));
    DNNL_CHECK (dnnl_primitive_create (&reorder, rpd));
    DNNL_CHECK (dnnl_primitive_execute (reorder, stream, 2, rargs));
    DNNL_CHECK (dnnl_stream_wait (stream));
  }
  DNNL_CHECK (dnnl_primitive_create (&c.conv, pd));
  c.stream = stream;
  c.args[0] = (dnnl_exec_arg_t) { DNNL_ARG_SRC, src };
  c.args[1] = (dnnl_exec_arg_t) { DNNL_ARG_WEIGHTS, wpacked };
  c.args[2] = (dnnl_exec_arg_t) { DNNL_ARG_BIAS, bias };
  c.args[3] = (dnnl_exec_arg_t) { DNNL_ARG_DST, dst };
  ms = time_median (dnnl_run, &c, min_ms);

  dnnl_primitive_destroy (c.conv);
  dnnl_primitive_destroy (reorder);
  dnnl_primitive_desc_destroy (rpd);
  dnnl_primitive_desc_destroy (pd);
  dnnl_post_ops_destroy (ops);
  dnnl_primitive_attr_destroy (attr);
  dnnl_memory_destroy (src);
  dnnl_memory_destroy (dst);
  dnnl_memory_destroy (bias);
  dnnl_memory_destroy (wplain);
  dnnl_memory_destroy (wpacked);
  return ms;
}

static const char *
dnnl_isa_name (void)
{
  switch (dnnl_get_effective_cpu_isa ())
    {
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx2: return "avx2";
    default: return "other";
    }
}

int
main (int argc, char **argv)
{
  int threads = argc > 1 ? atoi (argv[1]) : 1;
  double min_ms = (argc > 2 ? atof (argv[2]) : 0.5) * 1e3;
  pthreadpool_t pool = NULL;
  dnnl_engine_t engine;
  dnnl_stream_t stream;
  const dnnl_version_t *v = dnnl_version ();

  if (threads < 1 || threads > 256)
    {
      fprintf (stderr, "bench-peers-layers: threads must be 1..256, not '%s'\n", argv[1]);
      return 2;
    }
  if (xnn_initialize (NULL) != xnn_status_success)
    {
      fprintf (stderr, "bench-peers-layers: XNNPACK does not support this CPU\n");
      return 1;
    }
  if (threads > 1)
    pool = pthreadpool_create ((size_t) threads);
  omp_set_num_threads (threads);
  DNNL_CHECK (dnnl_engine_create (&engine, dnnl_cpu, 0));
  DNNL_CHECK (dnnl_stream_create (&stream, engine, dnnl_stream_default_flags));

  printf ("### Peers per layer class, %d thread%s (XNNPACK, oneDNN %d.%d.%d %s)\n\n", threads,
          threads > 1 ? "s" : "", v->major, v->minor, v->patch, dnnl_isa_name ());
  printf ("| layer | XNNPACK f32 ms | XNNPACK int8 ms | oneDNN f32 ms | oneDNN int8 ms | "
          "best f32 GMAC/s | best int8 GMAC/s |\n");
  printf ("|---|---:|---:|---:|---:|---:|---:|\n");
  for (size_t i = 0; i < sizeof layers / sizeof *layers; i++)
    {
      const Layer *l = &layers[i];
      double xf = xnn_time (l, 0, pool, min_ms);
      double xq = xnn_time (l, 1, pool, min_ms);
      double df = dnnl_time (l, 0, engine, stream, min_ms);
      double dq = dnnl_time (l, 1, engine, stream, min_ms);
      double bf = fmin (isnan (xf) ? INFINITY : xf, df);
      double bq = fmin (isnan (xq) ? INFINITY : xq, dq);
      printf ("| %s | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f |\n", l->label, xf, xq, df, dq,
              layer_macs (l) / bf / 1e6, layer_macs (l) / bq / 1e6);
      fflush (stdout);
    }
  dnnl_stream_destroy (stream);
  dnnl_engine_destroy (engine);
  if (pool)
    pthreadpool_destroy (pool);
  xnn_deinitialize ();
  return 0;
}
