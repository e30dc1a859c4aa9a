/* bench-kernels.c: time every vector convolution microkernel on the layer
 * shapes of MobileNetV3-Large + LR-ASPP at a 1024 x 1024 input, one thread.
 *
 * Not a test: it prints figures and never fails on time.  For each layer it
 * runs each float and int8 kernel of the matching family (the lists of
 * qvk-ukernels.h), prints its best time over several passes (the least
 * disturbed by anything else running) and its multiply-accumulates per
 * second, then the int8 / float time ratio of the best kernels allowed at
 * each ISA level.  Kernels the CPU lacks are listed as skipped.
 *
 * --pipes prints instead what the core sustains of each AVX-512
 * instruction class the int8 depthwise kernels are made of (ops per cycle
 * at the measured clock), alone and two classes mixed: which classes
 * share execution pipes, and so what bounds a kernel's mix.
 *
 *   bench-kernels [--quick] [layer-name-substring]
 *   bench-kernels --pipes
 */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "qvk-conv-simd.h"
#include "qvk-peak.h"
#include "qvk-ukernels.h"

typedef struct {
  const char *name;
  qvk_conv_shape s;
} layer;

#define CONV(in_hw, out_hw, cin, cout, k, stride, dil, groups) \
  { 1, in_hw, in_hw, cin, out_hw, out_hw, cout, k, k, stride, stride, dil, dil, \
    (dil) * ((k) - 1) / 2, (dil) * ((k) - 1) / 2, groups, { QVK_ACT_NONE, 0, 6, 0, 0 } }

static const layer layers[] = {
  { "features.0 conv 3x3 s2 3->16 @1024", CONV (1024, 512, 3, 16, 3, 2, 1, 1) },
  /* mobilenet_v2's first convolution at 512 x 512: 32 channels */
  { "mobilenet_v2 features.0 3x3 s2 3->32 @512", CONV (512, 256, 3, 32, 3, 2, 1, 1) },
  { "features.1 dw 3x3 s1 16ch @512", CONV (512, 512, 16, 16, 3, 1, 1, 16) },
  /* mobilenet_v2's first depthwise layer at 512 x 512: 32 channels, two
   * 16-wide tiles */
  { "mobilenet_v2 features.1 dw 3x3 s1 32ch @256", CONV (256, 256, 32, 32, 3, 1, 1, 32) },
  /* lraspp-mnv3's features.1 projection: 16 output channels, one 16-wide
   * column of the GEMM */
  { "features.1 pw 1x1 16->16 @512", CONV (512, 512, 16, 16, 1, 1, 1, 1) },
  { "features.1 pw 1x1 16->16 @128", CONV (128, 128, 16, 16, 1, 1, 1, 1) },
  { "features.2 pw 1x1 16->64 @512", CONV (512, 512, 16, 64, 1, 1, 1, 1) },
  /* the same in a sixteenth of the memory (output 1 MB) */
  { "features.2 pw 1x1 16->64 @128", CONV (128, 128, 16, 64, 1, 1, 1, 1) },
  { "features.2 dw 3x3 s2 64ch @512", CONV (512, 256, 64, 64, 3, 2, 1, 64) },
  { "features.7 dw 3x3 s2 240ch @128", CONV (128, 64, 240, 240, 3, 2, 1, 240) },
  { "features.3 dw 3x3 s1 72ch @256", CONV (256, 256, 72, 72, 3, 1, 1, 72) },
  /* the depthwise 3x3 row of qviz-cli bench's layer classes */
  { "bench dw 3x3 s1 64ch @256", CONV (256, 256, 64, 64, 3, 1, 1, 64) },
  /* the same in a sixteenth of the memory (input and output 1 MB) */
  { "bench dw 3x3 s1 64ch @128", CONV (128, 128, 64, 64, 3, 1, 1, 64) },
  { "features.4 dw 5x5 s2 72ch @256", CONV (256, 128, 72, 72, 5, 2, 1, 72) },
  { "features.5 dw 5x5 s1 120ch @128", CONV (128, 128, 120, 120, 5, 1, 1, 120) },
  { "features.5 pw 1x1 120->40 @128", CONV (128, 128, 120, 40, 1, 1, 1, 1) },
  { "features.8 dw 3x3 s1 200ch @64", CONV (64, 64, 200, 200, 3, 1, 1, 200) },
  { "features.12 dw 3x3 s1 672ch @64", CONV (64, 64, 672, 672, 3, 1, 1, 672) },
  { "features.12 pw 1x1 112->672 @64", CONV (64, 64, 112, 672, 1, 1, 1, 1) },
  { "features.13 dw 5x5 d2 672ch @64", CONV (64, 64, 672, 672, 5, 1, 2, 672) },
  { "features.14 dw 5x5 d1 960ch @64", CONV (64, 64, 960, 960, 5, 1, 1, 960) },
  { "features.14 dw 5x5 d2 960ch @64", CONV (64, 64, 960, 960, 5, 1, 2, 960) },
  { "features.14 dw 5x5 d5 960ch @64", CONV (64, 64, 960, 960, 5, 1, 5, 960) },
  { "features.16 pw 1x1 160->960 @64", CONV (64, 64, 160, 960, 1, 1, 1, 1) },
  { "head cbr pw 1x1 960->128 @64", CONV (64, 64, 960, 128, 1, 1, 1, 1) },
  { "conv 3x3 s1 64->64 @64", CONV (64, 64, 64, 64, 3, 1, 1, 1) },
};

static const char *const f32_dw_names[] = {
#define NAME1(name, isa, x) #name,
  QVK_F32_DWCONV_UKERNELS (NAME1)
};
/* the row-pair kernels too: they run (and are listed) on the shapes they
 * take, beside the grouped kernel of the same ISA */
#ifdef QVK_QU8_DWCONV_ROWS3_UKERNELS
#define ROWS3_NAMES QVK_QU8_DWCONV_ROWS3_UKERNELS (NAME1)
#define ROWS3_ISAS QVK_QU8_DWCONV_ROWS3_UKERNELS (ISA1)
#else
#define ROWS3_NAMES
#define ROWS3_ISAS
#endif
#ifdef QVK_QU8_DWCONV_COLS_UKERNELS
#define COLS_NAMES QVK_QU8_DWCONV_COLS_UKERNELS (NAME1)
#define COLS_ISAS QVK_QU8_DWCONV_COLS_UKERNELS (ISA1)
#else
#define COLS_NAMES
#define COLS_ISAS
#endif
#ifdef QVK_QU8_DWCONV_QUAD_UKERNELS
#define QUAD_NAME(row, fill, pair, pair16, isa) #row,
#define QUAD_ISA(row, fill, pair, pair16, isa) isa,
#define QUAD_NAMES QVK_QU8_DWCONV_QUAD_UKERNELS (QUAD_NAME)
#define QUAD_ISAS QVK_QU8_DWCONV_QUAD_UKERNELS (QUAD_ISA)
#else
#define QUAD_NAMES
#define QUAD_ISAS
#endif
/* and the kernel-rows kernels beside the GEMMs, on the shapes they take */
#ifdef QVK_F32_CONVROWS_UKERNELS
#define F32_CONVROWS_NAME(name, isa, mr, nr) #name,
#define F32_CONVROWS_ISA(name, isa, mr, nr) isa,
#define F32_CONVROWS_NAMES QVK_F32_CONVROWS_UKERNELS (F32_CONVROWS_NAME)
#define F32_CONVROWS_ISAS QVK_F32_CONVROWS_UKERNELS (F32_CONVROWS_ISA)
#else
#define F32_CONVROWS_NAMES
#define F32_CONVROWS_ISAS
#endif
#ifdef QVK_QU8_CONVROWS_UKERNELS
#define CONVROWS_NAME(name, isa, mr, nr, kr) #name,
#define CONVROWS_ISA(name, isa, mr, nr, kr) isa,
#define CONVROWS_NAMES QVK_QU8_CONVROWS_UKERNELS (CONVROWS_NAME)
#define CONVROWS_ISAS QVK_QU8_CONVROWS_UKERNELS (CONVROWS_ISA)
#else
#define CONVROWS_NAMES
#define CONVROWS_ISAS
#endif
static const char *const qu8_dw_names[] = {
  QVK_QU8_DWCONV_UKERNELS (NAME1) COLS_NAMES ROWS3_NAMES QUAD_NAMES
};
static const char *const f32_gemm_names[] = {
#define NAME2(gemm, igemm, isa, mr, nr) #gemm,
  QVK_F32_GEMM_UKERNELS (NAME2) F32_CONVROWS_NAMES
};
static const char *const qu8_gemm_names[] = {
#define NAME3(gemm, igemm, isa, mr, nr, kr) #gemm,
  QVK_QU8_GEMM_UKERNELS (NAME3) CONVROWS_NAMES
};
static const qvk_isa f32_dw_isas[] = {
#define ISA1(name, isa, x) isa,
  QVK_F32_DWCONV_UKERNELS (ISA1)
};
static const qvk_isa qu8_dw_isas[] = {
  QVK_QU8_DWCONV_UKERNELS (ISA1) COLS_ISAS ROWS3_ISAS QUAD_ISAS
};
static const qvk_isa f32_gemm_isas[] = {
#define ISA2(gemm, igemm, isa, mr, nr) isa,
  QVK_F32_GEMM_UKERNELS (ISA2) F32_CONVROWS_ISAS
};
static const qvk_isa qu8_gemm_isas[] = {
#define ISA3(gemm, igemm, isa, mr, nr, kr) isa,
  QVK_QU8_GEMM_UKERNELS (ISA3) CONVROWS_ISAS
};

static gboolean quick;

static int
compare_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Best seconds of one pass: one warm-up, then passes until 0.4 s (0.1 s
 * with --quick) and at least 3. */
#define TIME_PASSES(call)                                                   \
  ({                                                                        \
    double samples_[256];                                                   \
    int n_ = 0;                                                             \
    double total_ = 0;                                                      \
    call;                                                                   \
    while (n_ < 256 && (n_ < 3 || total_ < (quick ? 0.1 : 0.4)))            \
      {                                                                     \
        const gint64 t0_ = g_get_monotonic_time ();                         \
        call;                                                               \
        samples_[n_] = (g_get_monotonic_time () - t0_) * 1e-6;              \
        total_ += samples_[n_++];                                           \
      }                                                                     \
    qsort (samples_, n_, sizeof (double), compare_double);                  \
    samples_[0];                                                            \
  })

/* ---- --pipes ---------------------------------------------------------- */

#if defined(__x86_64__) && defined(__GNUC__)
/* Twelve instructions of a class an iteration, into zmm0-11 (the first
 * class of a mix) or zmm12-23 (the second), reading zmm24-31: the
 * accumulating ones (vpdpbusd, vmulps, vpaddd) in twelve independent
 * chains, which hides their latency, the others not chained at all. */
#define PIPE_A(I) I (0) I (1) I (2) I (3) I (4) I (5) I (6) I (7) I (8) I (9) I (10) I (11)
#define PIPE_B(I) I (12) I (13) I (14) I (15) I (16) I (17) I (18) I (19) I (20) I (21) \
                  I (22) I (23)
#define PIPE_DP(n)   "vpdpbusd %%zmm25, %%zmm24, %%zmm" #n "\n\t"
#define PIPE_MUL(n)  "vmulps %%zmm25, %%zmm" #n ", %%zmm" #n "\n\t"
#define PIPE_ADD(n)  "vpaddd %%zmm25, %%zmm" #n ", %%zmm" #n "\n\t"
#define PIPE_CVT(n)  "vcvtdq2ps %%zmm26, %%zmm" #n "\n\t"
#define PIPE_RND(n)  "vcvtps2dq %%zmm27, %%zmm" #n "\n\t"
#define PIPE_PACK(n) "vpackssdw %%zmm28, %%zmm29, %%zmm" #n "\n\t"
#define PIPE_UNPK(n) "vpunpcklbw %%zmm30, %%zmm31, %%zmm" #n "\n\t"
#define PIPE_LOAD(n) "vmovdqu64 " #n "*64(%1), %%zmm" #n "\n\t"
#define PIPE_FADD(n) "vaddps %%zmm25, %%zmm" #n ", %%zmm" #n "\n\t"
#define PIPE_SHUFB(n) "vpshufb %%zmm30, %%zmm31, %%zmm" #n "\n\t"
#define PIPE_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", \
  "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", \
  "xmm19", "xmm20", "xmm21", "xmm22", "xmm23"

#define PIPE_LOOP(fn, body)                                                 \
  __attribute__ ((target ("avx512f"))) static void                          \
  fn (uint64_t n, const void *mem)                                          \
  {                                                                         \
    for (uint64_t i = 0; i < n; i++)                                        \
      __asm__ volatile (body : "+r" (i) : "r" (mem) : PIPE_CLOBBERS);       \
  }

PIPE_LOOP (pipe_dp, PIPE_A (PIPE_DP))
PIPE_LOOP (pipe_mul, PIPE_A (PIPE_MUL))
PIPE_LOOP (pipe_add, PIPE_A (PIPE_ADD))
PIPE_LOOP (pipe_cvt, PIPE_A (PIPE_CVT))
PIPE_LOOP (pipe_rnd, PIPE_A (PIPE_RND))
PIPE_LOOP (pipe_pack, PIPE_A (PIPE_PACK))
PIPE_LOOP (pipe_unpk, PIPE_A (PIPE_UNPK))
PIPE_LOOP (pipe_load, PIPE_A (PIPE_LOAD))
PIPE_LOOP (pipe_dp_mul, PIPE_A (PIPE_DP) PIPE_B (PIPE_MUL))
PIPE_LOOP (pipe_dp_cvt, PIPE_A (PIPE_DP) PIPE_B (PIPE_CVT))
PIPE_LOOP (pipe_dp_rnd, PIPE_A (PIPE_DP) PIPE_B (PIPE_RND))
PIPE_LOOP (pipe_dp_pack, PIPE_A (PIPE_DP) PIPE_B (PIPE_PACK))
PIPE_LOOP (pipe_dp_unpk, PIPE_A (PIPE_DP) PIPE_B (PIPE_UNPK))
PIPE_LOOP (pipe_dp_add, PIPE_A (PIPE_DP) PIPE_B (PIPE_ADD))
PIPE_LOOP (pipe_dp_load, PIPE_A (PIPE_DP) PIPE_B (PIPE_LOAD))
PIPE_LOOP (pipe_cvt_pack, PIPE_A (PIPE_CVT) PIPE_B (PIPE_PACK))
PIPE_LOOP (pipe_cvt_add, PIPE_A (PIPE_CVT) PIPE_B (PIPE_ADD))
PIPE_LOOP (pipe_pack_add, PIPE_A (PIPE_PACK) PIPE_B (PIPE_ADD))
PIPE_LOOP (pipe_fadd, PIPE_A (PIPE_FADD))
PIPE_LOOP (pipe_cvt_rnd, PIPE_A (PIPE_CVT) PIPE_B (PIPE_RND))
PIPE_LOOP (pipe_dp_fadd, PIPE_A (PIPE_DP) PIPE_B (PIPE_FADD))
PIPE_LOOP (pipe_cvt_fadd, PIPE_A (PIPE_CVT) PIPE_B (PIPE_FADD))
PIPE_LOOP (pipe_fadd_add, PIPE_A (PIPE_FADD) PIPE_B (PIPE_ADD))
PIPE_LOOP (pipe_fadd_unpk, PIPE_A (PIPE_FADD) PIPE_B (PIPE_UNPK))
PIPE_LOOP (pipe_cvt_unpk, PIPE_A (PIPE_CVT) PIPE_B (PIPE_UNPK))
PIPE_LOOP (pipe_shufb, PIPE_A (PIPE_SHUFB))
PIPE_LOOP (pipe_dp_shufb, PIPE_A (PIPE_DP) PIPE_B (PIPE_SHUFB))

static const struct {
  const char *name;
  void (*loop) (uint64_t n, const void *mem);
  int per_iteration;
} pipe_mixes[] = {
  { "vpdpbusd", pipe_dp, 12 },
  { "vmulps", pipe_mul, 12 },
  { "vpaddd", pipe_add, 12 },
  { "vcvtdq2ps", pipe_cvt, 12 },
  { "vcvtps2dq", pipe_rnd, 12 },
  { "vpackssdw", pipe_pack, 12 },
  { "vpunpcklbw", pipe_unpk, 12 },
  { "vmovdqu64 load", pipe_load, 12 },
  { "vpdpbusd + vmulps", pipe_dp_mul, 24 },
  { "vpdpbusd + vcvtdq2ps", pipe_dp_cvt, 24 },
  { "vpdpbusd + vcvtps2dq", pipe_dp_rnd, 24 },
  { "vpdpbusd + vpackssdw", pipe_dp_pack, 24 },
  { "vpdpbusd + vpunpcklbw", pipe_dp_unpk, 24 },
  { "vpdpbusd + vpaddd", pipe_dp_add, 24 },
  { "vpdpbusd + load", pipe_dp_load, 24 },
  { "vcvtdq2ps + vpackssdw", pipe_cvt_pack, 24 },
  { "vcvtdq2ps + vpaddd", pipe_cvt_add, 24 },
  { "vpackssdw + vpaddd", pipe_pack_add, 24 },
  { "vaddps", pipe_fadd, 12 },
  { "vcvtdq2ps + vcvtps2dq", pipe_cvt_rnd, 24 },
  { "vpdpbusd + vaddps", pipe_dp_fadd, 24 },
  { "vcvtdq2ps + vaddps", pipe_cvt_fadd, 24 },
  { "vaddps + vpaddd", pipe_fadd_add, 24 },
  { "vaddps + vpunpcklbw", pipe_fadd_unpk, 24 },
  { "vcvtdq2ps + vpunpcklbw", pipe_cvt_unpk, 24 },
  { "vpshufb", pipe_shufb, 12 },
  { "vpdpbusd + vpshufb", pipe_dp_shufb, 24 },
};

static int
bench_pipes (void)
{
  if (qvk_isa_detect () < QVK_ISA_AVX512VNNI)
    {
      printf ("# --pipes: this CPU has no AVX-512 VNNI; nothing to measure\n");
      return 0;
    }
  /* the loads read (at most) 24 lines, which stay in L1 */
  static _Alignas (64) uint8_t lines[24 * 64];
  const double hz = qvk_peak_clock_hz ();

  printf ("# one thread; clock %.2f GHz (measured); instructions per cycle, best of 5\n",
          hz * 1e-9);
  for (size_t k = 0; k < G_N_ELEMENTS (pipe_mixes); k++)
    {
      const uint64_t n = quick ? 2000000 : 10000000;
      double best = INFINITY;

      pipe_mixes[k].loop (n / 10, lines);
      for (int r = 0; r < 5; r++)
        {
          const gint64 t0 = g_get_monotonic_time ();
          pipe_mixes[k].loop (n, lines);
          best = MIN (best, (g_get_monotonic_time () - t0) * 1e-6);
        }
      printf ("%-28s %6.2f\n", pipe_mixes[k].name,
              (double) n * pipe_mixes[k].per_iteration / (best * hz));
    }
  return 0;
}
#else
static int
bench_pipes (void)
{
  printf ("# --pipes measures AVX-512 instructions: x86-64 only\n");
  return 0;
}
#endif

int
main (int argc, char **argv)
{
  const char *filter = NULL;
  GRand *rng = g_rand_new_with_seed (7);

  gboolean pipes = FALSE;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--quick") == 0)
      quick = TRUE;
    else if (strcmp (argv[i], "--pipes") == 0)
      pipes = TRUE;
    else
      filter = argv[i];
  if (pipes)
    {
      g_rand_free (rng);
      return bench_pipes ();
    }

  printf ("# one thread; ISA detected: %s; times are the best of several passes\n",
          qvk_isa_name (qvk_isa_detect ()));
  printf ("%-36s %-52s %10s %9s\n", "layer", "kernel", "ms", "GMAC/s");

  for (size_t l = 0; l < G_N_ELEMENTS (layers); l++)
    {
      const layer *ly = &layers[l];
      const qvk_conv_shape *s = &ly->s;
      const gboolean dw = qvk_conv_is_depthwise (s);
      const size_t in_n = (size_t) s->batch * s->in_h * s->in_w * s->in_c;
      const size_t out_n = (size_t) s->batch * s->out_h * s->out_w * s->out_c;
      const size_t w_n = (size_t) s->out_c * s->kernel_h * s->kernel_w * (s->in_c / s->groups);
      const double gmac = (double) qvk_conv_macs (s) * 1e-9;
      double best_f32[QVK_N_ISAS], best_qu8[QVK_N_ISAS];

      if (filter != NULL && strstr (ly->name, filter) == NULL)
        continue;
      for (int i = 0; i < QVK_N_ISAS; i++)
        best_f32[i] = best_qu8[i] = INFINITY;

      float *fin = g_new (float, in_n), *fout = g_new (float, out_n);
      float *fw = g_new (float, w_n), *fb = g_new (float, s->out_c);
      uint8_t *qin = g_new (uint8_t, in_n), *qout = g_new (uint8_t, out_n);
      int8_t *qw = g_new (int8_t, w_n);
      int32_t *qb = g_new (int32_t, s->out_c);
      float *scale = g_new (float, s->out_c);
      qvk_qu8_conv_params q = { 128, 128, 0, 255, scale };

      for (size_t i = 0; i < in_n; i++)
        {
          fin[i] = (float) g_rand_double_range (rng, -1, 1);
          qin[i] = (uint8_t) g_rand_int_range (rng, 0, 256);
        }
      for (size_t i = 0; i < w_n; i++)
        {
          fw[i] = (float) g_rand_double_range (rng, -1, 1);
          qw[i] = (int8_t) g_rand_int_range (rng, -127, 128);
        }
      for (int i = 0; i < s->out_c; i++)
        {
          fb[i] = 0.1f;
          qb[i] = 100;
          scale[i] = 1e-3f;
        }

      const char *const *fn = dw ? f32_dw_names : f32_gemm_names;
      const qvk_isa *fi = dw ? f32_dw_isas : f32_gemm_isas;
      const size_t fn_n = dw ? G_N_ELEMENTS (f32_dw_names) : G_N_ELEMENTS (f32_gemm_names);
      for (size_t k = 0; k < fn_n; k++)
        {
          qvk_f32_conv_simd *op = qvk_f32_conv_simd_create_forced (s, fw, fb, fn[k]);
          if (op == NULL)
            {
              printf ("%-36s %-52s %10s\n", ly->name, fn[k], "skipped");
              continue;
            }
          const double sec = TIME_PASSES (qvk_f32_conv_simd_run (op, fin, fout, 0, 1));
          printf ("%-36s %-52s %10.3f %9.2f\n", ly->name, qvk_f32_conv_simd_name (op),
                  sec * 1e3, gmac / sec);
          if (sec < best_f32[fi[k]])
            best_f32[fi[k]] = sec;
          qvk_f32_conv_simd_destroy (op);
        }

      const char *const *qn = dw ? qu8_dw_names : qu8_gemm_names;
      const qvk_isa *qi = dw ? qu8_dw_isas : qu8_gemm_isas;
      const size_t qn_n = dw ? G_N_ELEMENTS (qu8_dw_names) : G_N_ELEMENTS (qu8_gemm_names);
      for (size_t k = 0; k < qn_n; k++)
        {
          qvk_qu8_conv_simd *op = qvk_qu8_conv_simd_create_forced (s, &q, qw, qb, qn[k]);
          if (op == NULL)
            {
              printf ("%-36s %-52s %10s\n", ly->name, qn[k], "skipped");
              continue;
            }
          const double sec = TIME_PASSES (qvk_qu8_conv_simd_run (op, qin, qout, 0, 1));
          printf ("%-36s %-52s %10.3f %9.2f\n", ly->name, qvk_qu8_conv_simd_name (op),
                  sec * 1e3, gmac / sec);
          if (sec < best_qu8[qi[k]])
            best_qu8[qi[k]] = sec;
          qvk_qu8_conv_simd_destroy (op);
        }

      /* The best int8 kernel against the best float one among those each
       * ISA level allows (float has no VNNI or dot-product kernels: at those
       * levels it runs the ones below).  A level without int8 kernels of its
       * own (avx512, neoni8mm) adds no line. */
      for (int level = QVK_ISA_FIRST_VECTOR; level < QVK_N_ISAS; level++)
        {
          double f = INFINITY, qt = INFINITY;
          for (int i = QVK_ISA_FIRST_VECTOR; i <= level; i++)
            {
              f = MIN (f, best_f32[i]);
              qt = MIN (qt, best_qu8[i]);
            }
          if ((level != QVK_ISA_FIRST_VECTOR && !isfinite (best_qu8[level])) ||
              !isfinite (f) || !isfinite (qt))
            continue;
          char label[64];
          g_snprintf (label, sizeof label, "int8/float time, best up to %s",
                      qvk_isa_name ((qvk_isa) level));
          printf ("%-36s %-52s %10.2f\n", ly->name, label, qt / f);
        }

      g_free (fin); g_free (fout); g_free (fw); g_free (fb);
      g_free (qin); g_free (qout); g_free (qw); g_free (qb); g_free (scale);
    }
  g_rand_free (rng);
  return 0;
}
