/* qviz-trace.h: another runtime's profile of a model, as a qviz run.
 *
 * Reads ONNX Runtime's profile JSON (enable_profiling: one "model_run"
 * event per pass, one event per executed node) and PyTorch's chrome traces
 * (torch.profiler: one "ProfilerStep#N" range per pass, the modules inside
 * record_function(module path) ranges, the operators they call).  Every
 * event is credited to a layer of the model qviz loads: ONNX Runtime's by
 * node name (or the tensor a fused node writes), PyTorch's by module path
 * matched to the scopes of the ONNX export's node names; an event that names
 * no layer goes to the layer its neighbours both belong to, or to the one
 * layer of its operator between them.  Time credited to no layer is kept as
 * a last layer, "runtime overhead", so that each pass's layer times add up
 * to the pass.
 *
 * The first passes are cold (kept apart from the statistics): as many as the
 * options or the trace's "qviz" metadata say, else one.
 */
#pragma once

#include <glib.h>
#include "qviz-graph.h"
#include "qviz-run.h"
#include "qviz-store.h"

G_BEGIN_DECLS

/* The name of the last layer of an imported run. */
#define QVIZ_TRACE_OVERHEAD_LAYER "runtime overhead"

/* Values the trace may lack; 0 / NULL / -1 take them from the trace's own
 * metadata, else from its events, else the defaults (f32, the model's
 * default size, 1 thread, 1 cold pass). */
typedef struct {
  const char *precision;  /* "f32" or "int8" */
  int height, width;
  int threads;
  int cold;               /* cold passes; -1: from the trace */
  const char *engine;     /* "onnxruntime 1.17 CPU" */
} QvizTraceOptions;

void qviz_trace_options_init (QvizTraceOptions *options);

typedef struct {
  char   *file;
  char   *format;         /* "onnxruntime" or "pytorch" */
  guint   n_passes, n_cold;
  guint   n_events;       /* events inside the passes */
  guint   n_events_mapped;
  guint   n_layers;       /* of the model (the overhead layer not counted) */
  guint   n_layers_mapped;/* with an event, or fused by the runtime into one */
  double  pass_ms;        /* all passes' time */
  double  mapped_ms;      /* of it, credited to layers */
  double  op_ms;          /* the operators' own time (ONNX Runtime's node
                             events; every event inside PyTorch's passes) */
  double  op_mapped_ms;   /* of it, credited to layers */
  char   *unmapped_layers;/* names of the layers nothing maps to, ", "-joined */
  QvizRun *run;           /* the model's layers, then QVIZ_TRACE_OVERHEAD_LAYER */
} QvizTraceImport;

void qviz_trace_import_free (QvizTraceImport *ti);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvizTraceImport, qviz_trace_import_free)

/* Reads and maps a trace of graph.  Refuses (QVIZ_ERROR_PARSE, one
 * sentence naming the file) a file that is not a trace, a trace with no
 * complete pass, and a trace of another model: less than half the layers or
 * half the operators' own time maps (the executor's time between operators
 * varies with the machine's load, and does not count against the model).  The run has no sweep, machine or model set. */
QvizTraceImport *qviz_trace_import (const char *path, QvizGraph *graph,
                                    const QvizTraceOptions *options, GError **error);

/* Stores imports (QvizTraceImport *, all of graph) as one complete sweep
 * on this machine and returns its uuid; the runs get the sweep's ids. */
char *qviz_trace_store_sweep (QvizStore *store, QvizGraph *graph, GPtrArray *imports,
                              GError **error);

/* "412 events, 94 of 97 layers, 97.8% of the time" */
char *qviz_trace_import_summary (const QvizTraceImport *ti);

G_END_DECLS
