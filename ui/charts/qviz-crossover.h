/* qviz-crossover.h: how the int8 curve stands against the float curve of the
 * same thread count: faster everywhere, slower everywhere, or crossing (in
 * which direction, where, how often).  The window's headline card and the
 * painters' markers read the same answer. */
#pragma once

#include "qviz-chart-data.h"

G_BEGIN_DECLS

typedef enum {
  QVIZ_CURVE_RELATION_UNKNOWN,      /* no size measured in both precisions */
  QVIZ_CURVE_RELATION_INT8_FASTER,  /* at every size measured in both */
  QVIZ_CURVE_RELATION_INT8_SLOWER,  /* from the first size on (or equal) */
  QVIZ_CURVE_RELATION_SLOWER_ABOVE, /* faster at small sizes, slower from @resolution */
  QVIZ_CURVE_RELATION_FASTER_ABOVE, /* slower at small sizes, faster from @resolution */
  QVIZ_CURVE_RELATION_CROSSES_AGAIN /* the curves cross more than once */
} QvizCurveRelationKind;

typedef struct {
  guint                 threads;
  QvizCurveRelationKind kind;
  double                resolution;  /* first crossing, 0 if none */
  guint                 n_crossings;
  gboolean              int8_slower_first; /* at the smallest common size */
  double                first_resolution;  /* smallest and largest common size */
  double                last_resolution;
} QvizCurveRelation;

void    qviz_curves_relate             (const QvizCurveSeries   *f32,
                                        const QvizCurveSeries   *int8,
                                        QvizCurveRelation       *relation);
GArray *qviz_curves_relate_all         (GPtrArray               *series);
char   *qviz_curve_relation_describe   (const QvizCurveRelation *relation);
char   *qviz_curve_relations_headline  (GArray                  *relations);

G_END_DECLS
