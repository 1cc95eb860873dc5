"""minitorch: a small, fast and readable deep-learning framework on NumPy.

    from minitorch import Tensor
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad  # tensor([2., 4., 6.])
"""

# autograd first: it completes the Function base before tensor.py builds on it.
from minitorch import autograd  # noqa: I001
from minitorch.autograd import (
    Function,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from minitorch.dtypes import (
    bool,
    double,
    float,
    float16,
    float32,
    float64,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from minitorch.devices import accelerator, cuda, device
from minitorch.tensor import (
    Tensor,
    ValuesIndices,
    as_tensor,
    cat,
    concat,
    concatenate,
    from_numpy,
    matmul,
    maximum,
    minimum,
    stack,
    where,
)
from minitorch.factories import (
    arange,
    empty,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from minitorch.random import Generator, default_generator, initial_seed, manual_seed, seed
from minitorch.tensor_functions import (
    abs,
    all,
    allclose,
    amax,
    amin,
    any,
    argmax,
    argmin,
    chunk,
    clamp,
    clip,
    eq,
    equal,
    erf,
    exp,
    flatten,
    ge,
    gt,
    histogram,
    isclose,
    le,
    log,
    log10,
    log2,
    log_softmax,
    logsumexp,
    lt,
    masked_fill,
    max,
    mean,
    min,
    multinomial,
    ne,
    pow,
    relu,
    sigmoid,
    softmax,
    sort,
    split,
    sqrt,
    std,
    sum,
    t,
    tanh,
    topk,
    tril,
    triu,
    var,
)
from minitorch.threads import get_num_threads, set_num_threads
from minitorch.gradcheck import GradcheckError, gradcheck, gradgradcheck
from minitorch.viz import to_dot

__version__ = "0.1.0"

# Last: these packages build on everything above.
from minitorch import datasets, diagnostics, nn, optim, transforms, utils  # noqa: E402, F401
from minitorch.autograd import functional as _autograd_functional  # noqa: E402, F401
from minitorch.serialization import load, save  # noqa: E402, F401
