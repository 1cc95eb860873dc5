"""Element-wise operations. Binary ones broadcast as NumPy does; the engine sums each
gradient back to its input's shape."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitorch.autograd import Function
from minitorch.ops.generic import cos, cosh, exp, log, polygamma, sin, sinh, where

# Constants of the GELU: its tanh form's coefficients and the normal distribution's.
SQRT_2_OVER_PI = float(np.sqrt(2 / np.pi))
GELU_TANH_CUBIC = 0.044715
SQRT_HALF = float(np.sqrt(0.5))
INV_SQRT_2PI = float(1 / np.sqrt(2 * np.pi))
TWO_OVER_SQRT_PI = float(2 / np.sqrt(np.pi))
HALF_SQRT_PI = float(np.sqrt(np.pi) / 2)


class Add(Function):
    """z = a + b;  dz/da = 1, dz/db = 1."""

    node_name = "AddBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return grad, grad


class Sub(Function):
    """z = a - b;  dz/da = 1, dz/db = -1."""

    node_name = "SubBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a - b

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        return grad, (-grad if self.parents[1].requires_grad else None)


class Mul(Function):
    """z = a * b;  dz/da = b, dz/db = a."""

    node_name = "MulBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        return a * b

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = self.parents
        grad_a = grad * self.b if a.requires_grad else None
        grad_b = grad * self.a if b.requires_grad else None
        return grad_a, grad_b


class Div(Function):
    """z = a / b;  dz/da = 1 / b, dz/db = -a / b**2 = -z / b."""

    node_name = "DivBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.b = b
        self.out = a / b
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        need_a, need_b = self.needs_input_grad
        grad_a = grad / self.b
        return (grad_a if need_a else None), (-grad_a * self.out if need_b else None)


class Pow(Function):
    """z = a ** b;  dz/da = b * a**(b - 1), dz/db = z * log(a) (defined for a > 0)."""

    node_name = "PowBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        if b.dtype.kind == "i" and a.dtype.kind in "iu" and np.any(b < 0):
            self.out = _integer_power(a, b)
        else:
            self.out = a**b
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        need_a, need_b = self.needs_input_grad
        grad_a = grad * self.b * self.a ** (self.b - 1) if need_a else None
        grad_b = grad * self.out * log(self.a) if need_b else None
        return grad_a, grad_b


def _integer_power(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a ** b for integers where some b < 0, which NumPy refuses: as in PyTorch, 1 for a
    base of 1, +-1 for -1 (by the exponent's parity) and 0 for any other base, 0 included."""
    negative = b < 0
    out = a ** np.where(negative, 0, b)
    parity_sign = np.where(b % 2 == 0, 1, a)  # (-1) ** b is 1 or -1; a itself for a = +-1
    at_negative = np.where((a == 1) | (a == -1), parity_sign, 0).astype(out.dtype)
    return np.where(negative, at_negative, out)


class Maximum(Function):
    """z = max(a, b) element-wise; the gradient goes to the larger input, half each on a tie.

    With ``ignore_nan`` (fmax) a NaN loses to a number, and a tie or two NaNs give all the
    gradient to a, as in PyTorch."""

    node_name = "MaximumBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray, ignore_nan: bool = False) -> np.ndarray:
        if ignore_nan:
            self.share_a = (a >= b) | np.isnan(b)
            return np.fmax(a, b)
        self.share_a = (a > b) + 0.5 * (a == b)
        return np.maximum(a, b)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        grad_a = grad * self.share_a
        return grad_a, grad - grad_a


class Minimum(Function):
    """z = min(a, b) element-wise; the gradient goes to the smaller input, half each on a tie.

    With ``ignore_nan`` (fmin), NaNs and ties as in :class:`Maximum`."""

    node_name = "MinimumBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray, ignore_nan: bool = False) -> np.ndarray:
        if ignore_nan:
            self.share_a = (a <= b) | np.isnan(b)
            return np.fmin(a, b)
        self.share_a = (a < b) + 0.5 * (a == b)
        return np.minimum(a, b)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        grad_a = grad * self.share_a
        return grad_a, grad - grad_a


class Where(Function):
    """z = a where cond else b;  dz/da = cond, dz/db = not cond. ``cond`` gets no gradient."""

    node_name = "WhereBackward0"

    def forward(self, cond: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.cond = cond.astype(bool, copy=False)
        return np.where(self.cond, a, b)

    def backward(self, grad: np.ndarray) -> tuple[None, np.ndarray, np.ndarray]:
        return None, where(self.cond, grad, 0), where(self.cond, 0, grad)


class Neg(Function):
    """z = -x;  dz/dx = -1."""

    node_name = "NegBackward0"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return -x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return -grad


class Exp(Function):
    """z = e**x;  dz/dx = z."""

    node_name = "ExpBackward0"

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.exp(x)
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.out


class Log(Function):
    """z = ln x;  dz/dx = 1 / x."""

    node_name = "LogBackward0"

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.log(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad / self.x


class LogBase(Function):
    """z = log_b x = ln x / ln b, for base b = 2 or 10;  dz/dx = 1 / (x ln b)."""

    _LOGS = {2: np.log2, 10: np.log10}  # more exact than ln x / ln b

    def forward(self, x: np.ndarray, base: int = 10) -> np.ndarray:
        self.x, self.base = x, base
        return self._LOGS[base](x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad / (self.x * math.log(self.base))


class Sqrt(Function):
    """z = sqrt(x);  dz/dx = 1 / (2 z). With ``flat_at_zero`` (std, the root of a variance)
    dz/dx is taken as 0 where z = 0, as PyTorch's std does for constant values."""

    node_name = "SqrtBackward0"

    def forward(self, x: np.ndarray, flat_at_zero: bool = False) -> np.ndarray:
        self.out = np.sqrt(x)
        self.zero = (self.out == 0) if flat_at_zero else None
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        if self.zero is None:
            return grad / (2 * self.out)
        return where(self.zero, 0, grad / (2 * where(self.zero, 1, self.out)))


class Abs(Function):
    """z = |x|;  dz/dx = sign(x), taken as 0 at x = 0."""

    node_name = "AbsBackward0"

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.sign = np.sign(x)
        return np.abs(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.sign


class Tanh(Function):
    """z = tanh x;  dz/dx = 1 - z**2."""

    node_name = "TanhBackward0"

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.tanh(x)
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * (1 - self.out * self.out)


class Sigmoid(Function):
    """z = 1 / (1 + e**-x);  dz/dx = z (1 - z).

    Computed as (1 + tanh(x / 2)) / 2, which equals it exactly and never overflows.
    """

    node_name = "SigmoidBackward0"

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = 0.5 + 0.5 * np.tanh(0.5 * x)
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.out * (1 - self.out)


class ReLU(Function):
    """z = max(x, 0);  dz/dx = 1 where x > 0, else 0 (so relu'(0) = 0)."""

    node_name = "ReluBackward0"

    def forward(self, x: np.ndarray) -> np.ndarray:
        # Only the output is kept, as PyTorch does: building a 0/1 mask here instead would
        # cost more in the forward pass (and under no_grad) than it saves in backward.
        self.out = np.maximum(x, 0)  # NaN stays NaN (x * mask would give -0 and NaN for -inf)
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * (self.out > 0)


class LeakyReLU(Function):
    """z = x where x > 0 else slope * x;  dz/dx = 1 where x > 0, else slope."""

    node_name = "LeakyReluBackward0"

    def forward(self, x: np.ndarray, slope: float = 0.01) -> np.ndarray:
        self.scale = np.where(x > 0, 1, slope).astype(x.dtype, copy=False)
        return x * self.scale

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.scale


class Clamp(Function):
    """z = min(max(x, low), high);  dz/dx = 1 where low <= x <= high, else 0."""

    node_name = "ClampBackward1"

    def forward(
        self, x: np.ndarray, low: float | None = None, high: float | None = None
    ) -> np.ndarray:
        if low is None and high is None:
            raise ValueError("clamp needs at least one of min and max")
        inside = np.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        self.inside = inside
        return np.clip(x, low, high).astype(x.dtype, copy=False)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.inside


class ClampTensors(Function):
    """z = min(max(x, low), high) with tensor bounds (broadcast; ``has_low``/``has_high`` say
    which of the two follow x);  as in PyTorch, the gradient goes to x where
    low <= x <= high, to low where x < low < high, to high where x > high or high < low
    (so a tie goes to x, and where low == high < x nothing gets it)."""

    node_name = "ClampBackward0"

    def forward(self, x: np.ndarray, *bounds: np.ndarray, has_low: bool = True,
                has_high: bool = True) -> np.ndarray:
        low = bounds[0] if has_low else None
        high = bounds[-1] if has_high else None
        keep_x = np.ones(x.shape, dtype=bool) if low is None else low <= x
        self.masks = [keep_x if high is None else keep_x & (x <= high)]
        if low is not None:
            self.masks.append(x < low if high is None else (x < low) & (low < high))
        if high is not None:
            self.masks.append(x > high if low is None else (x > high) | (high < low))
        raised = x if low is None else np.maximum(x, low)  # NaN comes through
        return raised if high is None else np.minimum(raised, high)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        return tuple(grad * mask if need else None
                     for mask, need in zip(self.masks, self.needs_input_grad, strict=True))


class Cast(Function):
    """z = x converted to another dtype;  the engine converts the gradient back."""

    node_name = "ToCopyBackward0"

    def forward(self, x: np.ndarray, dtype: np.dtype = np.float32) -> np.ndarray:
        return x.astype(dtype)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


class Erf(Function):
    """z = erf x = 2 / sqrt(pi) * integral from 0 to x of e**(-t**2) dt;
    dz/dx = 2 / sqrt(pi) * e**(-x**2).

    With ``complement``, z = erfc x = 1 - erf x (exact where erf x is near 1) and dz/dx is
    the negative of the above."""

    node_name = "ErfBackward0"

    def forward(self, x: np.ndarray, complement: bool = False) -> np.ndarray:
        self.x, self.complement = x, complement
        return _erf(x, complement=complement)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        slope = -TWO_OVER_SQRT_PI if self.complement else TWO_OVER_SQRT_PI
        return grad * slope * exp(-self.x * self.x)


def _erf(x: np.ndarray, out: np.ndarray | None = None, complement: bool = False
         ) -> np.ndarray:
    from scipy.special import erf, erfc  # imported on first use: loading scipy takes a while

    return (erfc if complement else erf)(x, out=out)


class GELU(Function):
    """Gaussian error linear unit, z = x * Phi(x) with Phi the standard normal CDF:

    * exact:   Phi(x) = (1 + erf(x / sqrt 2)) / 2;   dz/dx = Phi(x) + x * phi(x), with
      phi(x) = exp(-x**2 / 2) / sqrt(2 pi) the normal density;
    * "tanh":  Phi(x) ~ (1 + t) / 2 with t = tanh(u), u = sqrt(2 / pi) (x + 0.044715 x**3);
      dz/dx = (1 + t) / 2 + x (1 - t**2) / 2 * sqrt(2 / pi) (1 + 3 * 0.044715 x**2).

    Both directions work in place on one or two fresh arrays: on large activations, every
    extra temporary costs more than the arithmetic.
    """

    node_name = "GeluBackward0"

    @staticmethod
    def composite(x: Any, approximate: str = "none") -> Any:
        """The same function from tanh or erf (for create_graph)."""
        if approximate == "tanh":
            return 0.5 * x * (1 + (SQRT_2_OVER_PI * (x + GELU_TANH_CUBIC * x * x * x)).tanh())
        return 0.5 * x * (1 + Erf.apply(x * SQRT_HALF))

    def forward(self, x: np.ndarray, approximate: str = "none") -> np.ndarray:
        self.x, self.approximate = x, approximate
        if approximate == "tanh":
            t = np.multiply(x, x, out=np.empty_like(x))  # out=: an array even when 0-d
            t *= GELU_TANH_CUBIC
            t += 1
            t *= x
            t *= SQRT_2_OVER_PI
            self.t = np.tanh(t, out=t)
            out = t + 1
        else:
            scaled = np.multiply(x, SQRT_HALF, out=np.empty_like(x))
            self.erf = _erf(scaled, out=scaled)
            out = self.erf + 1
        out *= x
        out *= 0.5
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x = self.x
        slope = np.multiply(x, x, out=np.empty_like(x))
        if self.approximate == "tanh":
            t = self.t
            slope *= 3 * GELU_TANH_CUBIC
            slope += 1
            slope *= 0.5 * SQRT_2_OVER_PI
            slope *= x
            one_minus_t2 = np.multiply(t, t, out=np.empty_like(t))
            np.subtract(1, one_minus_t2, out=one_minus_t2)
            slope *= one_minus_t2  # x (1 - t**2) / 2 * du/dx
            slope += 0.5
            np.multiply(t, 0.5, out=one_minus_t2)
            slope += one_minus_t2
        else:
            slope *= -0.5
            np.exp(slope, out=slope)
            slope *= INV_SQRT_2PI
            slope *= x  # x phi(x)
            slope += 0.5
            slope += 0.5 * self.erf  # + Phi(x)
        slope *= grad
        return slope


class SiLU(Function):
    """Sigmoid-weighted linear unit (swish): z = x * s with s = sigmoid(x);
    dz/dx = s (1 + x (1 - s))."""

    node_name = "SiluBackward0"

    @staticmethod
    def composite(x: Any) -> Any:
        """x * sigmoid(x) as two operations (for create_graph)."""
        return x * x.sigmoid()

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        # sigmoid(x) = (1 + tanh(x / 2)) / 2: exact and never overflows
        s = np.multiply(x, 0.5, out=np.empty_like(x))
        np.tanh(s, out=s)
        s *= 0.5
        s += 0.5
        self.sigmoid = s
        return x * s

    def backward(self, grad: np.ndarray) -> np.ndarray:
        s = self.sigmoid
        slope = 1 - s
        slope *= self.x
        slope += 1
        slope *= s
        slope *= grad
        return slope


class Softplus(Function):
    """z = log(1 + e**(beta x)) / beta, and z = x where beta x > threshold (where the two
    agree to float precision);  dz/dx = sigmoid(beta x), and 1 above the threshold.

    Computed as (max(u, 0) + log1p(e**-|u|)) / beta with u = beta x: e**u never overflows,
    and log1p keeps the tiny values of very negative u (log_sigmoid of large x) exact. The
    slope sigmoid(u) is taken as e**(u - beta z), which stays exact where it is tiny.
    """

    node_name = "SoftplusBackward0"

    def forward(self, x: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
        self.x, self.beta = x, beta
        u = x * beta
        self.linear = u > threshold
        out = np.log1p(np.exp(-np.abs(u)))
        out += np.maximum(u, 0)
        out /= beta
        self.out = np.where(self.linear, x, out)
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        slope = exp((self.x - self.out) * self.beta)
        return grad * where(self.linear, 1.0, slope)


class Stepwise(Function):
    """z = a piecewise-constant function of x: floor, ceil, trunc, round (half to even, to
    ``decimals`` places) or sign;  dz/dx = 0 (where it is defined, and taken as 0 at the
    steps, as in PyTorch)."""

    FUNCTIONS = {"floor": np.floor, "ceil": np.ceil, "trunc": np.trunc, "sign": np.sign}

    def forward(self, x: np.ndarray, function: str = "floor", decimals: int = 0) -> np.ndarray:
        if function == "round":
            return np.round(x, decimals)
        return self.FUNCTIONS[function](x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return np.zeros(grad.shape, dtype=grad.dtype)  # a constant: no graph under create_graph


class Remainder(Function):
    """z = a - b * q, with q = floor(a / b) (remainder: z has b's sign) or, with ``truncate``,
    q = trunc(a / b) (fmod: z has a's sign);  dz/da = 1, dz/db = -q (q is piecewise
    constant)."""

    node_name = "RemainderBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray, truncate: bool = False) -> np.ndarray:
        if a.dtype.kind != "f":
            if np.any(b == 0):
                # the error PyTorch raises (Python's own would be ZeroDivisionError)
                raise RuntimeError("ZeroDivisionError: integer remainder (fmod) by zero")
            return np.fmod(a, b) if truncate else np.remainder(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.quotient = np.trunc(a / b) if truncate else np.floor(a / b)
            return np.fmod(a, b) if truncate else np.remainder(a, b)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        need_a, need_b = self.needs_input_grad
        return (grad if need_a else None), (-grad * self.quotient if need_b else None)


class Unary(Function):
    """z = f(x) for one of the smooth functions below; dz/dx is the entry's formula in x and
    z (written with operators and generic functions, so it serves create_graph too)."""

    FUNCTIONS: dict[str, tuple[np.ufunc, Any]] = {
        "sin": (np.sin, lambda x, z: cos(x)),
        "cos": (np.cos, lambda x, z: -sin(x)),
        "tan": (np.tan, lambda x, z: 1 + z * z),
        "asin": (np.arcsin, lambda x, z: (1 - x * x) ** -0.5),
        "acos": (np.arccos, lambda x, z: -((1 - x * x) ** -0.5)),
        "atan": (np.arctan, lambda x, z: 1 / (1 + x * x)),
        "sinh": (np.sinh, lambda x, z: cosh(x)),
        "cosh": (np.cosh, lambda x, z: sinh(x)),
        "asinh": (np.arcsinh, lambda x, z: (x * x + 1) ** -0.5),
        "acosh": (np.arccosh, lambda x, z: (x * x - 1) ** -0.5),
        "atanh": (np.arctanh, lambda x, z: 1 / (1 - x * x)),
        "expm1": (np.expm1, lambda x, z: z + 1),
        "log1p": (np.log1p, lambda x, z: 1 / (1 + x)),
    }

    def forward(self, x: np.ndarray, function: str = "sin") -> np.ndarray:
        self.x, self.function = x, function
        with np.errstate(divide="ignore", invalid="ignore"):  # NaN or inf outside the domain
            self.out = self.FUNCTIONS[function][0](x)
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.FUNCTIONS[self.function][1](self.x, self.out)


class Atan2(Function):
    """z = atan2(a, b), the angle of the point (b, a);  dz/da = b / r2, dz/db = -a / r2 with
    r2 = a**2 + b**2 (both taken as 0 at the origin, as in PyTorch)."""

    node_name = "Atan2Backward0"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        self.origin = (a == 0) & (b == 0)
        return np.arctan2(a, b)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        need_a, need_b = self.needs_input_grad
        scale = grad / where(self.origin, 1, self.a * self.a + self.b * self.b)
        return (scale * self.b if need_a else None), (-scale * self.a if need_b else None)


class Hypot(Function):
    """z = sqrt(a**2 + b**2), without overflow for large a or b;  dz/da = a / z,
    dz/db = b / z."""

    node_name = "HypotBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        self.out = np.hypot(a, b)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        need_a, need_b = self.needs_input_grad
        scale = grad / self.out
        return (scale * self.a if need_a else None), (scale * self.b if need_b else None)


class CopySign(Function):
    """z = |a| with the sign of b;  dz/da = z / a = +-1 (taken as 0 at a = 0, as in
    PyTorch), dz/db = 0."""

    node_name = "CopysignBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.copysign(a, b)
        self.slope = np.where(np.signbit(a) == np.signbit(out), 1, -1) * (a != 0)
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return grad * self.slope, np.zeros(grad.shape, dtype=grad.dtype)


class Special(Function):
    """z = one of the special functions below, from SciPy (a dependency already, for erf),
    which computes them to float64 precision;  dz/dx is the entry's formula in x and z:

    * lgamma: z = ln |Gamma(x)|;  dz/dx = digamma(x);
    * erfinv: z with erf(z) = x;  dz/dx = sqrt(pi) / 2 * e**(z**2).
    """

    FUNCTIONS: dict[str, Any] = {
        "lgamma": lambda x, z: polygamma(0, x),
        "erfinv": lambda x, z: HALF_SQRT_PI * exp(z * z),
    }

    def forward(self, x: np.ndarray, function: str = "lgamma") -> np.ndarray:
        import scipy.special  # imported on first use: loading scipy takes a while

        self.x, self.function = x, function
        with np.errstate(divide="ignore", invalid="ignore"):  # inf or NaN at the poles
            if function == "lgamma":
                # ln |Gamma(-inf)| is +inf, as in PyTorch (SciPy says -inf)
                out = np.where(x == -np.inf, np.inf, scipy.special.gammaln(x))
            else:  # erfinv is odd: copysign keeps the sign of -0.0
                out = np.copysign(scipy.special.erfinv(x), x)
        self.out = out.astype(x.dtype, copy=False)
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.FUNCTIONS[self.function](self.x, self.out)


class Polygamma(Function):
    """z = the n-th derivative of digamma(x) = d/dx ln Gamma(x) (n = 0: digamma itself);
    dz/dx = polygamma(n + 1, x)."""

    def forward(self, x: np.ndarray, n: int = 0) -> np.ndarray:
        self.x, self.n = x, n
        return polygamma(n, x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * polygamma(self.n + 1, self.x)


class Frexp(Function):
    """The mantissa m of x = m * 2**e, with 0.5 <= |m| < 1 (m = x for 0, inf and NaN);
    dm/dx = 2**-e, the exponent e being piecewise constant."""

    node_name = "FrexpBackward0"

    def forward(self, x: np.ndarray) -> np.ndarray:
        mantissa, exponent = np.frexp(x)
        with np.errstate(over="ignore"):  # 2**-e overflows only for float64's subnormals
            self.scale = np.ldexp(np.ones_like(x), -exponent)
        return mantissa

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.scale
