/* qviz-input.h: inputs for passes and calibration. */
#pragma once

#include <glib.h>
#include "qviz-graph.h"

G_BEGIN_DECLS

/* A deterministic batch x channels x h x w (NCHW) float image with the
 * statistics of a normalised natural photo: smooth regions, edges and fine
 * texture, roughly zero mean and unit variance per channel. */
float *qviz_input_synthetic (int batch, int channels, int h, int w, guint32 seed);
/* The same values into x, batch * channels * h * w floats. */
void   qviz_input_synthetic_fill (float *x, int batch, int channels, int h, int w,
                                  guint32 seed);

/* Whether an array read from file is an image batch a model with
 * in_channels channels takes: N x C x H x W with N, H and W in the ranges a
 * plan accepts. Otherwise one sentence naming the file and the shape. */
gboolean qviz_input_check_batch (const char *file, const QvizShape *shape, int in_channels,
                                 GError **error);

G_END_DECLS
