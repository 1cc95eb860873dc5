"""Layers under a short import path: ``from minitorch.layers import Linear, ReLU``.

The same objects as in :mod:`minitorch.nn`, re-exported."""

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
from minitorch.nn.module import Module, ModuleList, Parameter, Sequential

__all__ = [
    "Dropout",
    "Flatten",
    "Identity",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "Module",
    "ModuleList",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
]
