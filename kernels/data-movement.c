/* data-movement.c: concatenation, transposition and strided copies, for
 * any element size.
 *
 * These copy bytes and never look at values, so one implementation serves
 * float32 and uint8 tensors alike.  Concat works on the [outer][inner]
 * view of each input (the engine folds the dimensions before and after the
 * axis); transpose handles any permutation of a row-major tensor of rank up
 * to 6 with an odometer over the output, copying the innermost output axis
 * in one strided loop.
 */
#include "qvk-f32.h"

#include <string.h>

void
qvk_concat (size_t elem_size, size_t outer, int n_inputs,
            const size_t *inner, const void *const *inputs, void *output)
{
  size_t out_inner = 0;

  for (int i = 0; i < n_inputs; i++)
    out_inner += inner[i];

  for (size_t o = 0; o < outer; o++)
    {
      unsigned char *dst = (unsigned char *) output + o * out_inner * elem_size;

      for (int i = 0; i < n_inputs; i++)
        {
          const size_t bytes = inner[i] * elem_size;
          /* An empty input may come with a NULL pointer. */
          if (bytes == 0)
            continue;
          memcpy (dst, (const unsigned char *) inputs[i] + o * bytes, bytes);
          dst += bytes;
        }
    }
}

#define QVK_TRANSPOSE_MAX_RANK 6

/* Copies n elements from a strided source to a contiguous destination; the
 * common sizes get their own loop so the copy is a load and a store. */
static void
copy_strided (size_t elem_size, size_t n, const unsigned char *src,
              size_t src_stride_elems, unsigned char *dst)
{
  const size_t stride = src_stride_elems * elem_size;

  switch (elem_size)
    {
    case 1:
      for (size_t i = 0; i < n; i++)
        dst[i] = src[i * stride];
      break;
    case 4:
      for (size_t i = 0; i < n; i++)
        memcpy (dst + 4 * i, src + i * stride, 4);
      break;
    default:
      for (size_t i = 0; i < n; i++)
        memcpy (dst + i * elem_size, src + i * stride, elem_size);
      break;
    }
}

void
qvk_transpose (size_t elem_size, int rank, const int64_t *dims,
               const int *perm, const void *x, void *y)
{
  size_t in_stride[QVK_TRANSPOSE_MAX_RANK];
  size_t out_dims[QVK_TRANSPOSE_MAX_RANK];
  size_t src_stride[QVK_TRANSPOSE_MAX_RANK];  /* input stride of output axis i */
  size_t index[QVK_TRANSPOSE_MAX_RANK] = { 0 };
  size_t total = 1;

  if (rank <= 0)
    {
      memcpy (y, x, elem_size);
      return;
    }
  if (rank > QVK_TRANSPOSE_MAX_RANK)
    return;

  in_stride[rank - 1] = 1;
  for (int i = rank - 2; i >= 0; i--)
    in_stride[i] = in_stride[i + 1] * (size_t) dims[i + 1];
  for (int i = 0; i < rank; i++)
    {
      out_dims[i] = (size_t) dims[perm[i]];
      src_stride[i] = in_stride[perm[i]];
      total *= out_dims[i];
    }
  if (total == 0)
    return;

  const size_t inner = out_dims[rank - 1];
  const unsigned char *src = x;
  unsigned char *dst = y;

  for (size_t done = 0; done < total; done += inner)
    {
      size_t offset = 0;
      for (int i = 0; i < rank - 1; i++)
        offset += index[i] * src_stride[i];

      copy_strided (elem_size, inner, src + offset * elem_size,
                    src_stride[rank - 1], dst + done * elem_size);

      /* Advance the odometer over the outer output axes. */
      for (int i = rank - 2; i >= 0; i--)
        {
          if (++index[i] < out_dims[i])
            break;
          index[i] = 0;
        }
    }
}

/* One side of a strided copy: an odometer over logical indices that keeps
 * the element offset it points at. */
typedef struct {
  int rank;
  const int64_t *dims, *strides;
  int64_t index[QVK_TRANSPOSE_MAX_RANK];
  int64_t offset;
} strided_walk;

static void
strided_walk_next (strided_walk *w)
{
  for (int d = w->rank - 1; d >= 0; d--)
    {
      w->offset += w->strides[d];
      if (++w->index[d] < w->dims[d])
        return;
      w->offset -= w->strides[d] * w->dims[d];
      w->index[d] = 0;
    }
}

void
qvk_strided_copy (size_t elem_size,
                  int x_rank, const int64_t *x_dims, const int64_t *x_strides,
                  int y_rank, const int64_t *y_dims, const int64_t *y_strides,
                  const void *x, void *y)
{
  strided_walk wx = { x_rank, x_dims, x_strides, { 0 }, 0 };
  strided_walk wy = { y_rank, y_dims, y_strides, { 0 }, 0 };
  const unsigned char *src = x;
  unsigned char *dst = y;
  int64_t total = 1;

  if (x_rank < 0 || x_rank > QVK_TRANSPOSE_MAX_RANK || y_rank < 0 ||
      y_rank > QVK_TRANSPOSE_MAX_RANK)
    return;
  for (int d = 0; d < y_rank; d++)
    total *= y_dims[d];

  for (int64_t k = 0; k < total; k++)
    {
      if (elem_size == 1)
        dst[wy.offset] = src[wx.offset];
      else if (elem_size == 4)
        memcpy (dst + wy.offset * 4, src + wx.offset * 4, 4);
      else
        memcpy (dst + wy.offset * (int64_t) elem_size, src + wx.offset * (int64_t) elem_size,
                elem_size);
      strided_walk_next (&wx);
      strided_walk_next (&wy);
    }
}
