"""Convolution and pooling written out as plain loops over the output, one window at a time,
following PyTorch's definitions: the references the fast implementations are tested against.
"""

from __future__ import annotations

import numpy as np


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def conv2d_loops(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """y[n, o, i, j] = b[o] + sum of w[o] * the window of x's padded channels of o's group;
    ``padding`` as F.conv2d takes it: an int, a pair, 'valid' or 'same'."""
    n, c, h, w = x.shape
    out_channels, group_channels, kh, kw = weight.shape
    (sh, sw), (dh, dw) = _pair(stride), _pair(dilation)
    if padding == "same":  # D * (K - 1) in all, the odd one at the bottom or right
        rows, cols = dh * (kh - 1), dw * (kw - 1)
        sides = ((rows // 2, rows - rows // 2), (cols // 2, cols - cols // 2))
    else:
        ph, pw = (0, 0) if padding == "valid" else _pair(padding)
        sides = ((ph, ph), (pw, pw))
    padded = np.pad(x, ((0, 0), (0, 0), *sides))
    oh = (padded.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (padded.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, out_channels, oh, ow))
    per_group = out_channels // groups
    for b, o, i, j in np.ndindex(*out.shape):
        first = o // per_group * group_channels
        window = padded[b, first : first + group_channels,
                        i * sh : i * sh + dh * (kh - 1) + 1 : dh,
                        j * sw : j * sw + dw * (kw - 1) + 1 : dw]
        out[b, o, i, j] = np.sum(window * weight[o]) + (0 if bias is None else bias[o])
    return out


def pooled_size(size, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's pooled length: rounded down, or up in ceil mode unless the last window would
    start past the input and its left padding."""
    reach = size + 2 * padding - dilation * (kernel - 1) - 1
    count = (-(-reach // stride) if ceil_mode else reach // stride) + 1
    if ceil_mode and (count - 1) * stride >= size + padding:
        count -= 1
    return count


def _pool_loops(x, kernel_size, stride, padding, dilation, ceil_mode, window_value):
    """``window_value(plane, rows, cols, i, j)`` for every output position, rows and cols
    being the window's taps that fall inside the input."""
    n, c, h, w = x.shape
    (kh, kw) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    (ph, pw), (dh, dw) = _pair(padding), _pair(dilation)
    oh = pooled_size(h, kh, sh, ph, dh, ceil_mode)
    ow = pooled_size(w, kw, sw, pw, dw, ceil_mode)
    out = np.zeros((n, c, oh, ow))
    for b, ch, i, j in np.ndindex(*out.shape):
        rows = [r for r in range(i * sh - ph, i * sh - ph + dh * (kh - 1) + 1, dh) if 0 <= r < h]
        cols = [q for q in range(j * sw - pw, j * sw - pw + dw * (kw - 1) + 1, dw) if 0 <= q < w]
        out[b, ch, i, j] = window_value(x[b, ch], rows, cols, i, j)
    return out


def max_pool2d_loops(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    def window_max(plane, rows, cols, i, j):
        return plane[np.ix_(rows, cols)].max()

    return _pool_loops(x, kernel_size, stride, padding, dilation, ceil_mode, window_max)


def max_pool2d_indices_loops(x, kernel_size, stride=None, padding=0, dilation=1,
                             ceil_mode=False):
    """Where each window's first maximum (row-major) is, as an index into its H*W plane."""
    w = x.shape[3]

    def first_max(plane, rows, cols, i, j):
        window = plane[np.ix_(rows, cols)]
        r, q = np.unravel_index(np.argmax(window), window.shape)
        return rows[r] * w + cols[q]

    return _pool_loops(x, kernel_size, stride, padding, dilation, ceil_mode,
                       first_max).astype(np.int64)


def avg_pool2d_loops(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                     count_include_pad=True, divisor_override=None):
    """PyTorch's rule: the window is cut at the end of the right padding; count_include_pad
    divides by what is left of it, otherwise by its pixels inside the input."""
    h, w = x.shape[2:]
    (kh, kw) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    (ph, pw) = _pair(padding)

    def window_mean(plane, rows, cols, i, j):
        total = plane[np.ix_(rows, cols)].sum()
        if divisor_override is not None:
            return total / divisor_override
        if not count_include_pad:
            return total / (len(rows) * len(cols))
        top, left = i * sh - ph, j * sw - pw
        covered = (min(top + kh, h + ph) - top) * (min(left + kw, w + pw) - left)
        return total / covered

    return _pool_loops(x, kernel_size, stride, padding, 1, ceil_mode, window_mean)
