/* peak-avx2.c: the AVX2 throughput loops of qvk-peak.h, in assembly (see
 * peak-avx512.c: in C, GCC copied the accumulators around and hoisted the
 * int8 loop's multiply out of it). */
#include "qvk-peak.h"

#define PEAK_YMM12(insn) \
  insn "0\n\t" insn "1\n\t" insn "2\n\t" insn "3\n\t" insn "4\n\t" insn "5\n\t" \
  insn "6\n\t" insn "7\n\t" insn "8\n\t" insn "9\n\t" insn "10\n\t" insn "11\n\t"
#define PEAK_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "eax", "cc"

/* 12 chains of a 4-cycle FMA keep two FMA pipes busy. */
void
qvk_peak_f32_loop__avx2 (uint64_t iterations)
{
  if (iterations == 0)
    return;
  __asm__ volatile ("mov $0x3f800001, %%eax\n\t"
                    "vmovd %%eax, %%xmm14\n\t"
                    "vpbroadcastd %%xmm14, %%ymm14\n\t"
                    "mov $0x3089705f, %%eax\n\t"
                    "vmovd %%eax, %%xmm15\n\t"
                    "vpbroadcastd %%xmm15, %%ymm15\n\t"
                    PEAK_YMM12 ("vxorps %%ymm14, %%ymm14, %%ymm")
                    "1:\n\t"
                    PEAK_YMM12 ("vfmadd231ps %%ymm15, %%ymm14, %%ymm")
                    "dec %0\n\t"
                    "jnz 1b"
                    : "+r" (iterations) : : PEAK_CLOBBERS);
}

/* The int8 kernels widen to int16 and use vpmaddwd: 16 MACs an
 * instruction.  Twelve of them an iteration, each into a register of its
 * own: the multiplier's rate.  (The kernels' vpaddd into their
 * accumulators is overhead, as the requantization is; with a vpaddd after
 * each, this core sustained 1.72 vpmaddwd a cycle against 2.0 alone.) */
void
qvk_peak_int8_loop__avx2 (uint64_t iterations)
{
  if (iterations == 0)
    return;
  __asm__ volatile ("mov $0x00030003, %%eax\n\t"
                    "vmovd %%eax, %%xmm14\n\t"
                    "vpbroadcastd %%xmm14, %%ymm14\n\t"
                    "mov $0xfffefffe, %%eax\n\t"
                    "vmovd %%eax, %%xmm15\n\t"
                    "vpbroadcastd %%xmm15, %%ymm15\n\t"
                    "1:\n\t"
                    PEAK_YMM12 ("vpmaddwd %%ymm15, %%ymm14, %%ymm")
                    "dec %0\n\t"
                    "jnz 1b"
                    : "+r" (iterations) : : PEAK_CLOBBERS);
}
