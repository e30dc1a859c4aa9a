/* qviz-input.h: inputs for passes and calibration. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A deterministic batch x channels x h x w (NCHW) float image with the
 * statistics of a normalised natural photo: smooth regions, edges and fine
 * texture, roughly zero mean and unit variance per channel. */
float *qviz_input_synthetic (int batch, int channels, int h, int w, guint32 seed);

G_END_DECLS
