"""Layers under a short import path: ``from minitorch.layers import Linear, ReLU``.

The same objects as in :mod:`minitorch.nn`, re-exported."""

# ruff: noqa: F401

from minitorch.nn.layers import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Dropout,
    Flatten,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    Identity,
    LeakyReLU,
    Linear,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
    Tanh,
    Tanhshrink,
    Threshold,
)
from minitorch.nn.module import (
    Module,
    ModuleDict,
    ModuleList,
    Parameter,
    ParameterList,
    Sequential,
)
