"""The harness of the tests that compare minitorch with PyTorch case by case: a case is a
function of (library, *inputs) run on the same inputs in both libraries, whose outputs must
agree in shape, dtype and value, and so must the inputs' gradients of the first output. And
the harness of the ports: a PyTorch program written out in a test file, run by PyTorch."""

import contextlib
import sys
import types
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

import minitorch as mt


def to_library(library, value):
    """A NumPy array as the library's tensor (a float one requires grad); anything else as
    it is."""
    if isinstance(value, np.ndarray):
        return library.tensor(value, requires_grad=value.dtype.kind == "f")
    return value


def _outputs(result, fields=None) -> tuple:
    """The outputs as a plain tuple; a named tuple by ``fields``, PyTorch's own tuples having
    no ``_fields``."""
    if not isinstance(result, tuple):
        return (result,)
    if fields is not None:
        return tuple(getattr(result, field) for field in fields)
    return tuple(result)


def assert_same_as_torch(torch, fn, inputs, grad_atol: float = 1e-6) -> None:
    ours_inputs = [to_library(mt, value) for value in inputs]
    theirs_inputs = [to_library(torch, value) for value in inputs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecations: their own tests check them
        ours_result, theirs_result = fn(mt, *ours_inputs), fn(torch, *theirs_inputs)
    assert isinstance(ours_result, tuple) == isinstance(theirs_result, tuple)
    ours = _outputs(ours_result)
    theirs = _outputs(theirs_result, getattr(ours_result, "_fields", None))
    assert len(ours) == len(theirs)
    for mine, its in zip(ours, theirs, strict=True):
        assert mine.shape == tuple(its.shape)
        assert str(mine.dtype) == str(its.dtype).removeprefix("torch."), (mine.dtype, its.dtype)
        np.testing.assert_allclose(mine.detach().numpy(), its.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)
    out, reference = ours[0], theirs[0]
    assert out.requires_grad == reference.requires_grad
    if not reference.requires_grad:
        return
    weights = np.random.default_rng(1).standard_normal(out.shape).astype(out.dtype)
    (out * mt.tensor(weights)).sum().backward()
    (reference * torch.tensor(weights)).sum().backward()
    for mine, its in zip(ours_inputs, theirs_inputs, strict=True):
        if isinstance(mine, mt.Tensor) and mine.requires_grad:
            assert (mine.grad is None) == (its.grad is None)
            if mine.grad is not None:
                np.testing.assert_allclose(mine.grad.numpy(), its.grad.numpy(), rtol=1e-5,
                                           atol=grad_atol)


@contextlib.contextmanager
def program_on_pytorch(test_file: str, imports: dict[str, str],
                       module_name: str) -> Iterator[types.ModuleType]:
    """The program that ``test_file`` holds above its ``# ----- the tests`` line, run by
    PyTorch: each of its minitorch imports (keys of ``imports``, which must be there) is
    swapped for PyTorch's, and it runs as module ``module_name``, registered in
    ``sys.modules`` while in use (where pickle and dataclasses look its classes up)."""
    source = Path(test_file).read_text().split("# ----- the tests")[0]
    for ours, theirs in imports.items():
        assert ours in source
        source = source.replace(ours, theirs)
    module = types.ModuleType(module_name)
    module.__file__ = test_file
    sys.modules[module_name] = module
    try:
        exec(compile(source, test_file, "exec"), vars(module))
        yield module
    finally:
        del sys.modules[module_name]
