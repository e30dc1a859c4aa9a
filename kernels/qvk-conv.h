/* qvk-conv.h: convolution operators -- a kernel chosen once, weights packed
 * once, run many times.
 *
 * qvk_*_conv_create picks the kernel for the shape and the CPU (or the one the
 * options force), prepacks the weights and builds every indirection table, so
 * that a run does no lazy work.  It records the kernel's name and why it was
 * chosen.  A run is split across threads by the operator itself: each of
 * n_threads threads calls run with its own thread_id.
 */
#pragma once

#include "qvk-common.h"
#include "qvk-qu8.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The instruction-set levels of the machine the kernels are built for, in
 * increasing order: a level allows every one below it.  Each architecture
 * has its own ladder above QVK_ISA_SCALAR; the levels of another
 * architecture do not exist in a build (stores keep the level's name, never
 * its number, so runs from both compare). */
typedef enum {
  QVK_ISA_SCALAR,
#if defined(__aarch64__)
  QVK_ISA_NEON,        /* Armv8-A Advanced SIMD (FMA included) */
  QVK_ISA_NEONDOT,     /* + Armv8.2 dot product (SDOT/UDOT) */
  QVK_ISA_NEONI8MM,    /* + Armv8.6 int8 matrix multiply (I8MM) */
#else
  QVK_ISA_AVX2,        /* AVX2 + FMA */
  QVK_ISA_AVX512,      /* AVX-512 F/BW/DQ/VL */
  QVK_ISA_AVX512VNNI,  /* + VNNI */
#endif
  QVK_N_ISAS
} qvk_isa;

/* The lowest level with vector kernels. */
#define QVK_ISA_FIRST_VECTOR ((qvk_isa) 1)

/* The best level this CPU supports, lowered by QVIZ_ISA (one of this
 * build's level names: scalar|avx2|avx512|avx512vnni on x86,
 * scalar|neon|neondot|neoni8mm on Arm) when set.  Decided once, with the
 * reason (qvk_isa_reason). */
qvk_isa     qvk_isa_detect (void);
const char *qvk_isa_name (qvk_isa isa);
int         qvk_isa_parse (const char *name, qvk_isa *out);
/* The level names of this build, "scalar, avx2, avx512, avx512vnni". */
const char *qvk_isa_names (void);
/* Why qvk_isa_detect chose its level: the CPU features it saw, or QVIZ_ISA. */
const char *qvk_isa_reason (void);

typedef enum {
  QVK_CONV_ALGO_AUTO,
  QVK_CONV_ALGO_IM2COL,     /* im2col + GEMM, the slow path of the reports */
  QVK_CONV_ALGO_REFERENCE,  /* scalar reference */
} qvk_conv_algo;

typedef struct {
  qvk_isa isa;
  qvk_conv_algo algo;
  int max_threads;          /* scratch is allocated for this many */
} qvk_conv_options;

typedef struct qvk_f32_conv_op qvk_f32_conv_op;
typedef struct qvk_qu8_conv_op qvk_qu8_conv_op;

/* weights OHWI, bias [out_c] or NULL; copied/packed, the caller keeps them. */
qvk_f32_conv_op *qvk_f32_conv_create (const qvk_conv_shape *s,
                                      const float *weights, const float *bias,
                                      const qvk_conv_options *options);
void        qvk_f32_conv_run (const qvk_f32_conv_op *op, const float *input,
                              float *output, int thread_id, int n_threads);
/* Output rows [row_begin, row_end) on the calling thread, as
 * qvk_qu8_conv_run_rows. */
void        qvk_f32_conv_run_rows (const qvk_f32_conv_op *op, const float *input,
                                   float *output, size_t row_begin, size_t row_end,
                                   int thread_id);
const char *qvk_f32_conv_kernel_name (const qvk_f32_conv_op *op);
const char *qvk_f32_conv_reason (const qvk_f32_conv_op *op);
size_t      qvk_f32_conv_packed_bytes (const qvk_f32_conv_op *op);
void        qvk_f32_conv_destroy (qvk_f32_conv_op *op);

/* q->requant_scale is copied. */
qvk_qu8_conv_op *qvk_qu8_conv_create (const qvk_conv_shape *s,
                                      const qvk_qu8_conv_params *q,
                                      const int8_t *weights, const int32_t *bias,
                                      const qvk_conv_options *options);
void        qvk_qu8_conv_run (const qvk_qu8_conv_op *op, const uint8_t *input,
                              uint8_t *output, int thread_id, int n_threads);
/* Output rows [row_begin, row_end) of the batch * out_h (image n's row y
 * is n * out_h + y), all of them on the calling thread, which is thread
 * thread_id of the ones qvk_qu8_conv_run shares among (its scratch): a
 * caller may run a layer in bands of rows, interleaved with the layer
 * that reads them. */
void        qvk_qu8_conv_run_rows (const qvk_qu8_conv_op *op, const uint8_t *input,
                                   uint8_t *output, size_t row_begin, size_t row_end,
                                   int thread_id);
const char *qvk_qu8_conv_kernel_name (const qvk_qu8_conv_op *op);
const char *qvk_qu8_conv_reason (const qvk_qu8_conv_op *op);
size_t      qvk_qu8_conv_packed_bytes (const qvk_qu8_conv_op *op);
void        qvk_qu8_conv_destroy (qvk_qu8_conv_op *op);

#ifdef __cplusplus
}
#endif
