"""Layers under a short import path: ``from minitorch.layers import Linear, ReLU``.

The same objects as in :mod:`minitorch.nn`, re-exported."""

# ruff: noqa: F401

from minitorch.nn.layers import (
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from minitorch.nn.module import (
    Module,
    ModuleDict,
    ModuleList,
    Parameter,
    ParameterList,
    Sequential,
)
