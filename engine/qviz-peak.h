/* qviz-peak.h: the peak a kernel's throughput is measured against.
 *
 * Peak = measured clock x MACs per cycle.  MACs per cycle come from a table
 * of microarchitectures whose vector issue widths are documented (named by
 * libcpuinfo), and otherwise from the measured throughput of the kernels'
 * own inner-loop instruction; the source is kept so that it can be printed. */
#pragma once

#include <glib.h>
#include "qvk-conv.h"

G_BEGIN_DECLS

typedef struct {
  double clock_hz;            /* measured: a chain of dependent adds */
  const char *core;           /* libcpuinfo's name of the core, or "unknown" */
  double f32_macs_per_cycle;
  double int8_macs_per_cycle;
  char *f32_source;           /* "table: Zen 2, 2 x 256-bit FMA", or "measured: ..." */
  char *int8_source;
  double f32_measured_per_cycle;  /* measured with the kernels' instruction */
  double int8_measured_per_cycle;
} QvizPeak;

/* Measures this core's clock and throughput for isa (about a second). */
QvizPeak *qviz_peak_measure (qvk_isa isa);
void      qviz_peak_free    (QvizPeak *peak);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizPeak, qviz_peak_free)

G_END_DECLS
