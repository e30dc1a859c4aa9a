/* qviz-peak.c: measured clock, documented issue widths. */

#include "qviz-peak.h"
#include "qvk-peak.h"

#include <cpuinfo.h>
#include <math.h>

/* Sustained vector multiply-accumulates per cycle of one core, from the
 * vendors' optimization guides, for the cores libcpuinfo names.  0: not
 * documented here for that ISA (AVX-512 parts differ in their number of
 * 512-bit FMA units; int8 widths differ by instruction), then measured. */
static const struct {
  enum cpuinfo_uarch uarch;
  const char *name;
  gboolean avx512;        /* the width applies to the AVX-512 kernels */
  double f32, int8;
  const char *why;
} widths[] = {
  { cpuinfo_uarch_haswell, "Haswell", FALSE, 16, 16, "2 x 256-bit FMA (p0, p1); vpmaddwd on p0" },
  { cpuinfo_uarch_broadwell, "Broadwell", FALSE, 16, 16, "2 x 256-bit FMA (p0, p1); vpmaddwd on p0" },
  { cpuinfo_uarch_sky_lake, "Skylake", FALSE, 16, 32, "2 x 256-bit FMA, vpmaddwd (p0, p1)" },
  { cpuinfo_uarch_zen, "Zen", FALSE, 8, 0, "2 x 128-bit FMA: one 256-bit FMA a cycle" },
  { cpuinfo_uarch_zen2, "Zen 2", FALSE, 16, 0, "2 x 256-bit FMA" },
  { cpuinfo_uarch_zen3, "Zen 3", FALSE, 16, 0, "2 x 256-bit FMA" },
  { cpuinfo_uarch_cortex_a76, "Cortex-A76", FALSE, 8, 32, "2 x 128-bit FMLA / SDOT" },
  { cpuinfo_uarch_neoverse_n1, "Neoverse-N1", FALSE, 8, 32, "2 x 128-bit FMLA / SDOT" },
  { cpuinfo_uarch_neoverse_v1, "Neoverse-V1", FALSE, 16, 64, "4 x 128-bit FMLA / SDOT" },
};

static double
round_half (double x)
{
  return round (x * 2) / 2;
}

static const char *
why_measured (const char *core, guint known)
{
  if (g_str_equal (core, "unknown"))
    return "libcpuinfo does not name this core";
  if (known == G_N_ELEMENTS (widths))
    return "the table has no width for this core at this ISA";
  return "the table has no int8 width for this core";
}

QvizPeak *
qviz_peak_measure (qvk_isa isa)
{
  QvizPeak *p = g_new0 (QvizPeak, 1);
  const char *f32_insn = NULL, *int8_insn = NULL;
  enum cpuinfo_uarch uarch = cpuinfo_uarch_unknown;
  double f32_rate, int8_rate;
  gboolean avx512 = FALSE;
  guint known = G_N_ELEMENTS (widths);

  if (cpuinfo_initialize () && cpuinfo_get_cores_count () > 0)
    uarch = cpuinfo_get_core (0)->uarch;
#if defined(__x86_64__)
  avx512 = isa >= QVK_ISA_AVX512;
#endif
  p->core = "unknown";
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    if (widths[i].uarch == uarch)
      {
        p->core = widths[i].name;
        if (widths[i].avx512 == avx512)
          known = i;
      }

  p->clock_hz = qvk_peak_clock_hz ();
  f32_rate = qvk_peak_f32_macs_per_s (isa, &f32_insn);
  int8_rate = qvk_peak_int8_macs_per_s (isa, &int8_insn);
  p->f32_measured_per_cycle = p->clock_hz > 0 ? f32_rate / p->clock_hz : 0;
  p->int8_measured_per_cycle = p->clock_hz > 0 ? int8_rate / p->clock_hz : 0;

  if (known < G_N_ELEMENTS (widths) && widths[known].f32 > 0)
    {
      p->f32_macs_per_cycle = widths[known].f32;
      p->f32_source = g_strdup_printf ("table: %s, %s", widths[known].name, widths[known].why);
    }
  else
    {
      /* The measured instruction rate, in whole or half instructions a
       * cycle: what the core sustains with the kernels' own instruction. */
      double per_insn = avx512 ? 16 : 8;

      p->f32_macs_per_cycle = round_half (p->f32_measured_per_cycle / per_insn) * per_insn;
      p->f32_source = g_strdup_printf ("measured: %.2f x %s a cycle; %s",
                                       p->f32_measured_per_cycle / per_insn, f32_insn,
                                       why_measured (p->core, known));
    }
  if (known < G_N_ELEMENTS (widths) && widths[known].int8 > 0)
    {
      p->int8_macs_per_cycle = widths[known].int8;
      p->int8_source = g_strdup_printf ("table: %s, %s", widths[known].name, widths[known].why);
    }
  else
    {
      double per_insn = 16;
#if defined(__x86_64__)
      if (isa >= QVK_ISA_AVX512VNNI)
        per_insn = 64;
#endif

      p->int8_macs_per_cycle = round_half (p->int8_measured_per_cycle / per_insn) * per_insn;
      p->int8_source = g_strdup_printf ("measured: %.2f x %s a cycle; %s",
                                        p->int8_measured_per_cycle / per_insn, int8_insn,
                                        why_measured (p->core, known));
    }
  return p;
}

void
qviz_peak_free (QvizPeak *peak)
{
  if (peak == NULL)
    return;
  g_free (peak->f32_source);
  g_free (peak->int8_source);
  g_free (peak);
}
