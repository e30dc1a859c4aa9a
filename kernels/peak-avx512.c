/* peak-avx512.c: the AVX-512 throughput loops of qvk-peak.h.
 *
 * In assembly: written in C, GCC 12 kept the twelve accumulators in a
 * register rotation, two register copies beside every vpdpbusd, and the
 * loop measured 1.7 of the 2.0 a cycle the same core sustained in
 * bench-kernels --pipes (layers then ran at 114% of "peak"). */
#include "qvk-peak.h"

#define PEAK_ZMM12(insn) \
  insn "0\n\t" insn "1\n\t" insn "2\n\t" insn "3\n\t" insn "4\n\t" insn "5\n\t" \
  insn "6\n\t" insn "7\n\t" insn "8\n\t" insn "9\n\t" insn "10\n\t" insn "11\n\t"
#define PEAK_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
  "xmm8", "xmm9", "xmm10", "xmm11", "xmm30", "xmm31", "eax", "cc"

/* 12 chains of vfmadd231ps: acc += 1.0000001f * 1e-9f. */
void
qvk_peak_f32_loop__avx512 (uint64_t iterations)
{
  if (iterations == 0)
    return;
  __asm__ volatile ("mov $0x3f800001, %%eax\n\t"
                    "vpbroadcastd %%eax, %%zmm30\n\t"
                    "mov $0x3089705f, %%eax\n\t"
                    "vpbroadcastd %%eax, %%zmm31\n\t"
                    PEAK_ZMM12 ("vxorps %%zmm30, %%zmm30, %%zmm")
                    "1:\n\t"
                    PEAK_ZMM12 ("vfmadd231ps %%zmm31, %%zmm30, %%zmm")
                    "dec %0\n\t"
                    "jnz 1b"
                    : "+r" (iterations) : : PEAK_CLOBBERS);
}

/* vpdpbusd: 64 u8 x s8 MACs an instruction, in 12 chains. */
void
qvk_peak_int8_loop__avx512vnni (uint64_t iterations)
{
  if (iterations == 0)
    return;
  __asm__ volatile ("mov $0x03030303, %%eax\n\t"
                    "vpbroadcastd %%eax, %%zmm30\n\t"
                    "mov $0xfefefefe, %%eax\n\t"
                    "vpbroadcastd %%eax, %%zmm31\n\t"
                    PEAK_ZMM12 ("vpxord %%zmm30, %%zmm30, %%zmm")
                    "1:\n\t"
                    PEAK_ZMM12 ("vpdpbusd %%zmm31, %%zmm30, %%zmm")
                    "dec %0\n\t"
                    "jnz 1b"
                    : "+r" (iterations) : : PEAK_CLOBBERS);
}
