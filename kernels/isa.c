/* isa.c: which vector instruction set the kernels may use on this CPU.
 *
 * The level is decided once per process (pthread_once) from cpuid and
 * xgetbv: an instruction set counts only if the CPU has it and the OS saves
 * its registers on a context switch (XCR0).  The QVIZ_ISA environment
 * variable can lower the level to compare kernels on one machine; asking for
 * more than the CPU has is clamped to what it has, with one warning on
 * stderr.  On aarch64 the level comes from libcpuinfo (NEON, dot product)
 * and the kernel's hardware capabilities (I8MM, which this libcpuinfo does
 * not report); other architectures get QVK_ISA_SCALAR.
 */
#include "qvk-conv.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define QVK_HAVE_CPUID 1
#endif

#if defined(__aarch64__)
#include <cpuinfo.h>
#include <sys/auxv.h>
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1 << 13)
#endif
#endif

static const char *const isa_names[QVK_N_ISAS] = {
  [QVK_ISA_SCALAR] = "scalar",
#if defined(__aarch64__)
  [QVK_ISA_NEON] = "neon",
  [QVK_ISA_NEONDOT] = "neondot",
  [QVK_ISA_NEONI8MM] = "neoni8mm",
#else
  [QVK_ISA_AVX2] = "avx2",
  [QVK_ISA_AVX512] = "avx512",
  [QVK_ISA_AVX512VNNI] = "avx512vnni",
#endif
};

const char *
qvk_isa_names (void)
{
#if defined(__aarch64__)
  return "scalar, neon, neondot, neoni8mm";
#else
  return "scalar, avx2, avx512, avx512vnni";
#endif
}

static char detect_reason[160];

const char *
qvk_isa_name (qvk_isa isa)
{
  if ((int) isa < 0 || isa >= QVK_N_ISAS)
    return "unknown";
  return isa_names[isa];
}

/* Returns 1 and sets *out when name is one of the ISA names (any case),
 * 0 otherwise. */
int
qvk_isa_parse (const char *name, qvk_isa *out)
{
  if (name == NULL)
    return 0;
  for (int i = 0; i < QVK_N_ISAS; i++)
    if (strcasecmp (name, isa_names[i]) == 0)
      {
        if (out != NULL)
          *out = (qvk_isa) i;
        return 1;
      }
  return 0;
}

#ifdef QVK_HAVE_CPUID
/* xgetbv by opcode so that this file needs no -mxsave. */
static uint64_t
read_xcr0 (void)
{
  uint32_t eax, edx;
  __asm__ volatile (".byte 0x0f, 0x01, 0xd0" : "=a" (eax), "=d" (edx) : "c" (0));
  return ((uint64_t) edx << 32) | eax;
}
#endif

static qvk_isa
detect_cpu (void)
{
#if defined(__aarch64__)
  /* Advanced SIMD is part of every Armv8-A application core. */
  if (!cpuinfo_initialize ())
    {
      snprintf (detect_reason, sizeof detect_reason,
                "libcpuinfo could not read the CPU; NEON assumed");
      return QVK_ISA_NEON;
    }
  if (!cpuinfo_has_arm_neon_dot ())
    {
      snprintf (detect_reason, sizeof detect_reason, "CPU has NEON, no dot product");
      return QVK_ISA_NEON;
    }
  if (!(getauxval (AT_HWCAP2) & HWCAP2_I8MM))
    {
      snprintf (detect_reason, sizeof detect_reason, "CPU has dot product, no I8MM");
      return QVK_ISA_NEONDOT;
    }
  snprintf (detect_reason, sizeof detect_reason, "CPU has dot product and I8MM");
  return QVK_ISA_NEONI8MM;
#elif defined(QVK_HAVE_CPUID)
  unsigned int eax, ebx, ecx, edx;
  unsigned int max_leaf = __get_cpuid_max (0, NULL);

  if (max_leaf < 7 || !__get_cpuid (1, &eax, &ebx, &ecx, &edx))
    return QVK_ISA_SCALAR;

  const int has_osxsave = (ecx >> 27) & 1;
  const int has_avx = (ecx >> 28) & 1;
  const int has_fma = (ecx >> 12) & 1;
  if (!has_osxsave || !has_avx || !has_fma)
    return QVK_ISA_SCALAR;

  const uint64_t xcr0 = read_xcr0 ();
  const int os_ymm = (xcr0 & 0x6) == 0x6;         /* SSE + AVX state */
  const int os_zmm = (xcr0 & 0xe6) == 0xe6;       /* + opmask, ZMM_Hi256, Hi16_ZMM */
  if (!os_ymm)
    return QVK_ISA_SCALAR;

  __cpuid_count (7, 0, eax, ebx, ecx, edx);
  const int has_avx2 = (ebx >> 5) & 1;
  const int has_avx512f = (ebx >> 16) & 1;
  const int has_avx512dq = (ebx >> 17) & 1;
  const int has_avx512bw = (ebx >> 30) & 1;
  const int has_avx512vl = (ebx >> 31) & 1;
  const int has_avx512vnni = (ecx >> 11) & 1;

  if (!has_avx2)
    return QVK_ISA_SCALAR;
  if (!os_zmm || !has_avx512f || !has_avx512dq || !has_avx512bw || !has_avx512vl)
    return QVK_ISA_AVX2;
  if (!has_avx512vnni)
    return QVK_ISA_AVX512;
  snprintf (detect_reason, sizeof detect_reason, "CPU has AVX-512 VNNI");
  return QVK_ISA_AVX512VNNI;
#else
  return QVK_ISA_SCALAR;
#endif
}

static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
static qvk_isa detected_isa = QVK_ISA_SCALAR;

static void
detect_init (void)
{
  qvk_isa cpu = detect_cpu ();
  const char *env = getenv ("QVIZ_ISA");
  qvk_isa wanted;

  detected_isa = cpu;
  if (detect_reason[0] == '\0')
    snprintf (detect_reason, sizeof detect_reason, "best level this CPU has");
  if (env == NULL || *env == '\0')
    return;

  if (!qvk_isa_parse (env, &wanted))
    {
      fprintf (stderr, "qviz: QVIZ_ISA=%s is not one of %s; using %s\n", env,
               qvk_isa_names (), qvk_isa_name (cpu));
      return;
    }
  if (wanted > cpu)
    {
      fprintf (stderr, "qviz: QVIZ_ISA=%s asks for more than this CPU has; "
               "using %s\n", env, qvk_isa_name (cpu));
      return;
    }
  detected_isa = wanted;
  snprintf (detect_reason, sizeof detect_reason, "QVIZ_ISA=%s", env);
}

const char *
qvk_isa_reason (void)
{
  qvk_isa_detect ();
  return detect_reason;
}

qvk_isa
qvk_isa_detect (void)
{
  pthread_once (&detect_once, detect_init);
  return detected_isa;
}
