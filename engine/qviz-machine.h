/* qviz-machine.h: the fingerprint of the machine qviz runs on. */
#pragma once

#include "qviz-run.h"

G_BEGIN_DECLS

/* Describes this machine: CPU model, cores, ISA flags and caches from
 * libcpuinfo (with /proc/cpuinfo as the fallback), memory from
 * /proc/meminfo, the OS from os-release, the kernel from uname, and this
 * qviz's version and commit; the id is computed from all of it.  Never
 * fails: what cannot be read is left "unknown" or 0.  Each call detects
 * afresh (cheap: a few small files). */
QvizMachine *qviz_machine_detect      (void);

/* The ISA flags of this CPU relevant to qviz's kernels, space separated,
 * e.g. "sse4.2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512vnni". */
char        *qviz_machine_isa_flags   (void);

/* The name of an Arm core from libcpuinfo's uarch ("Cortex-A76",
 * "Neoverse-N1"), or NULL for one it does not name. */
const char  *qviz_machine_arm_uarch_name (guint32 uarch);

/* One line for humans: "AMD EPYC 7B13, 1 core / 2 threads, avx512vnni,
 * 23.5 GiB, Debian GNU/Linux 12 (bookworm)". */
char        *qviz_machine_describe    (const QvizMachine *m);

G_END_DECLS
