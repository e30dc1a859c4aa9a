/* qvk-peak.h: what this core can do per second, measured.
 *
 * A kernel's "% of peak" is only as true as its peak.  The clock is
 * measured with a chain of dependent integer adds (one cycle each on every
 * core qviz runs on), not read from /proc/cpuinfo (a base or idle clock on
 * most machines).  The vector throughput is measured with the instructions
 * the kernels' inner loops use, in as many independent chains as hide their
 * latency: vfmadd231ps for f32, vpdpbusd (VNNI) or vpmaddwd (AVX2) for int8.
 */
#pragma once

#include "qvk-common.h"
#include "qvk-conv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Cycles per second of the calling thread's core, measured (~0.1 s). */
double qvk_peak_clock_hz (void);

/* Multiply-accumulates per second the calling thread's core sustains with
 * the widest f32 and int8 instructions of isa (measured, ~0.1 s each), and
 * what they are ("vfmadd231ps zmm"). 0 when isa has no vector kernel. */
double qvk_peak_f32_macs_per_s  (qvk_isa isa, const char **instruction);
double qvk_peak_int8_macs_per_s (qvk_isa isa, const char **instruction);

/* The ISA loops (peak-*.c): iterations x 12 independent instructions. */
void qvk_peak_f32_loop__avx2       (uint64_t iterations);
void qvk_peak_int8_loop__avx2      (uint64_t iterations);
void qvk_peak_f32_loop__avx512     (uint64_t iterations);
void qvk_peak_int8_loop__avx512vnni (uint64_t iterations);

#ifdef __cplusplus
}
#endif
