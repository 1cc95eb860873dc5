"""Differentiable operations, each a :class:`~minitorch.autograd.Function` on NumPy arrays.

The modules group them by what they do to the data: ``elementwise`` (one value in, one out),
``reductions`` (many values in, fewer out), ``shape`` (values moved, not changed),
``matmul`` and ``nn`` (the fused layers and losses that training spends its time in).
``generic`` holds the few functions that backward formulas use on arrays and Tensors alike.
"""
