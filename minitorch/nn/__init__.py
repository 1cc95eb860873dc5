"""Neural-network building blocks: ``Module`` and its layers, losses, initialisation
(``nn.init``) and stateless functions (``nn.functional``)."""

# This module only re-exports: new layers are added with one more import line.
# ruff: noqa: F401

from minitorch.nn import functional, init
from minitorch.nn.conv import (
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    ConstantPad2d,
    Conv2d,
    Dropout2d,
    MaxPool2d,
    MaxUnpool2d,
    ReflectionPad2d,
    ReplicationPad2d,
    Unflatten,
    Upsample,
    ZeroPad2d,
)
from minitorch.nn.layers import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Dropout,
    Flatten,
    Hardshrink,
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
    Softshrink,
    Softsign,
    Tanh,
    Tanhshrink,
    Threshold,
)
from minitorch.nn.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
)
from minitorch.nn.module import (
    Module,
    ModuleDict,
    ModuleList,
    Parameter,
    ParameterDict,
    ParameterList,
    Sequential,
)
from minitorch.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from minitorch.nn.sequence import Embedding, LayerNorm, MultiheadAttention
from minitorch.nn.utils import clip_grad_norm_
