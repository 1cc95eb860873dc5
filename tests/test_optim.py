"""Optimizers and learning-rate schedulers.

Each update rule is checked against a reference loop written out below from the documented
torch.optim algorithm, in float64, over a fixed sequence of gradients.
"""

import math

import numpy as np
import pytest

import minitorch
from minitorch import Tensor, optim
from minitorch.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, StepLR

SHAPE = (2, 3)
STEPS = 6


def make_grads(seed=0, steps=STEPS, shape=SHAPE):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) for _ in range(steps)]


def start_values(seed=0):
    return np.random.default_rng(100 + seed).normal(size=SHAPE)


# ----- reference update rules, straight from the documented algorithms (float64) -------------


def sgd_reference(
    theta, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False
):
    trajectory, buf = [], None
    for g in grads:
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * theta
        if momentum:
            buf = g if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        theta = theta - lr * g
        trajectory.append(theta)
    return trajectory


def adam_reference(
    theta,
    grads,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    maximize=False,
    decoupled=False,
):
    beta1, beta2 = betas
    m = v = v_max = np.zeros_like(theta)
    trajectory = []
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        if decoupled:
            theta = theta * (1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / (1 - beta2**t)
        else:
            v_hat = v / (1 - beta2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        trajectory.append(theta)
    return trajectory


def adamw_reference(theta, grads, weight_decay=1e-2, **options):
    return adam_reference(theta, grads, weight_decay=weight_decay, decoupled=True, **options)


def rmsprop_reference(
    theta,
    grads,
    lr=1e-2,
    alpha=0.99,
    eps=1e-8,
    weight_decay=0.0,
    momentum=0.0,
    centered=False,
    maximize=False,
):
    v = g_avg = buf = np.zeros_like(theta)
    trajectory = []
    for g in grads:
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g**2
        v_tilde = v
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            v_tilde = v - g_avg**2
        if momentum > 0:
            buf = momentum * buf + g / (np.sqrt(v_tilde) + eps)
            theta = theta - lr * buf
        else:
            theta = theta - lr * g / (np.sqrt(v_tilde) + eps)
        trajectory.append(theta)
    return trajectory


def adadelta_reference(theta, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    v = u = np.zeros_like(theta)
    trajectory = []
    for g in grads:
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * theta
        v = rho * v + (1 - rho) * g**2
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        theta = theta - lr * delta
        trajectory.append(theta)
    return trajectory


def adagrad_reference(
    theta, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
    eps=1e-10, maximize=False,
):
    s = np.full_like(theta, initial_accumulator_value)
    trajectory = []
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * theta
        s = s + g**2
        theta = theta - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)
        trajectory.append(theta)
    return trajectory


CASES = [
    (optim.SGD, sgd_reference, dict(lr=0.1)),
    (optim.SGD, sgd_reference, dict(lr=0.1, momentum=0.9)),
    (optim.SGD, sgd_reference, dict(lr=0.1, momentum=0.9, dampening=0.3)),
    (optim.SGD, sgd_reference, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (optim.SGD, sgd_reference, dict(lr=0.1, weight_decay=0.1)),
    (optim.SGD, sgd_reference, dict(lr=0.1, momentum=0.5, weight_decay=0.1, maximize=True)),
    (optim.SGD, sgd_reference, dict(lr=0.1, maximize=True)),
    (optim.Adam, adam_reference, dict()),
    (optim.Adam, adam_reference, dict(lr=0.05, betas=(0.8, 0.9), eps=1e-6)),
    (optim.Adam, adam_reference, dict(lr=0.05, weight_decay=0.1)),
    (optim.Adam, adam_reference, dict(lr=0.05, amsgrad=True)),
    (optim.Adam, adam_reference, dict(lr=0.05, weight_decay=0.1, maximize=True)),
    (optim.AdamW, adamw_reference, dict()),
    (optim.AdamW, adamw_reference, dict(lr=0.05, weight_decay=0.5)),
    (optim.AdamW, adamw_reference, dict(lr=0.05, weight_decay=0.5, amsgrad=True, maximize=True)),
    (optim.RMSprop, rmsprop_reference, dict()),
    (optim.RMSprop, rmsprop_reference, dict(lr=0.01, alpha=0.9, weight_decay=0.1)),
    (optim.RMSprop, rmsprop_reference, dict(alpha=0.9, momentum=0.8)),
    (optim.RMSprop, rmsprop_reference, dict(alpha=0.9, centered=True)),
    (optim.RMSprop, rmsprop_reference, dict(alpha=0.9, centered=True, momentum=0.8)),
    (optim.RMSprop, rmsprop_reference, dict(maximize=True)),
    (optim.Adadelta, adadelta_reference, dict()),
    (optim.Adadelta, adadelta_reference, dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1)),
    (optim.Adadelta, adadelta_reference, dict(maximize=True)),
    (optim.Adagrad, adagrad_reference, dict()),
    (optim.Adagrad, adagrad_reference, dict(lr=0.1, lr_decay=0.05, weight_decay=0.1)),
    (optim.Adagrad, adagrad_reference, dict(initial_accumulator_value=0.5, maximize=True)),
]
CASE_IDS = [f"{cls.__name__}-{options}" for cls, _, options in CASES]


def run(optimizer, params, grad_sequences):
    """Step the optimizer with the given gradients; return each parameter's trajectory."""
    trajectories = [[] for _ in params]
    for grads in zip(*grad_sequences, strict=True):
        for p, g in zip(params, grads, strict=True):
            p.grad = Tensor(g.astype(p.dtype))
        optimizer.step()
        for trajectory, p in zip(trajectories, params, strict=True):
            trajectory.append(p.detach().clone())
    return trajectories


@pytest.mark.parametrize(("cls", "reference", "options"), CASES, ids=CASE_IDS)
def test_trajectory_matches_documented_algorithm(cls, reference, options):
    # Two parameters of the same shape share the optimizer's work arrays: a leak between
    # them would show up here.
    params = [Tensor(start_values(i), dtype=np.float32, requires_grad=True) for i in range(2)]
    grad_sequences = [make_grads(seed=i) for i in range(2)]
    trajectories = run(cls(params, **options), params, grad_sequences)
    for i, trajectory in enumerate(trajectories):
        expected = reference(start_values(i), grad_sequences[i], **options)
        np.testing.assert_allclose(trajectory, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("cls", "reference", "options"), CASES, ids=CASE_IDS)
def test_float64_parameters_match_reference_closely(cls, reference, options):
    p = Tensor(start_values(), dtype=np.float64, requires_grad=True)
    (trajectory,) = run(cls([p], **options), [p], [make_grads()])
    np.testing.assert_allclose(
        trajectory, reference(start_values(), make_grads(), **options), rtol=1e-12, atol=1e-14
    )


@pytest.mark.parametrize(("cls", "reference", "options"), CASES, ids=CASE_IDS)
def test_matches_torch(cls, reference, options):
    torch = pytest.importorskip("torch")
    p = Tensor(start_values(), dtype=np.float64, requires_grad=True)
    (trajectory,) = run(cls([p], **options), [p], [make_grads()])
    torch_param = torch.tensor(start_values(), dtype=torch.float64, requires_grad=True)
    torch_optimizer = getattr(torch.optim, cls.__name__)([torch_param], **options)
    for g, ours in zip(make_grads(), trajectory, strict=True):
        torch_param.grad = torch.tensor(g)
        torch_optimizer.step()
        np.testing.assert_allclose(ours, torch_param.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_minimizes_a_loss_through_autograd():
    target = Tensor([1.0, -2.0, 3.0])
    x = Tensor([0.0, 0.0, 0.0], requires_grad=True)
    optimizer = optim.Adam([x], lr=0.1)
    for _ in range(300):
        optimizer.zero_grad()
        ((x - target) * (x - target)).sum().backward()
        optimizer.step()
    np.testing.assert_allclose(x.data, target.data, atol=1e-2)


# ----- behaviour shared by all optimizers ----------------------------------------------------

ALL_OPTIMIZERS = [
    lambda params: optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=0.01),
    lambda params: optim.Adam(params, lr=0.1, amsgrad=True),
    lambda params: optim.AdamW(params, lr=0.1),
    lambda params: optim.RMSprop(params, momentum=0.5, centered=True),
    lambda params: optim.Adadelta(params, weight_decay=0.01),
    lambda params: optim.Adagrad(params, lr_decay=0.01),
]
OPTIMIZER_IDS = ["SGD", "Adam", "AdamW", "RMSprop", "Adadelta", "Adagrad"]


def make_params(dtype=np.float32):
    return [Tensor(start_values(i), dtype=dtype, requires_grad=True) for i in range(2)] + [
        Tensor(np.arange(3.0), dtype=dtype, requires_grad=True)
    ]


def set_grads(params, seed):
    rng = np.random.default_rng(seed)
    for p in params:
        p.grad = Tensor(rng.normal(size=p.shape).astype(p.dtype))


@pytest.mark.parametrize("make", ALL_OPTIMIZERS + [lambda params: optim.SGD(params, lr=0.1,
                                                                             momentum=0.9)],
                         ids=OPTIMIZER_IDS + ["SGD-plain-momentum"])
def test_a_zero_dimensional_parameter_steps_as_a_one_element_one(make):
    """The gradient of a 0-d parameter broadcast over a vector comes back from NumPy's sum as
    a scalar, not an array: state made from it (SGD's momentum buffer) must still be updated
    by every step, as for a parameter of shape (1,)."""
    x = Tensor(np.linspace(-1.0, 2.0, 5))
    scalar = Tensor(0.5, requires_grad=True)
    vector = Tensor([0.5], requires_grad=True)
    trajectories = []
    for p in (scalar, vector):
        optimizer = make([p])
        for _ in range(4):
            optimizer.zero_grad()
            ((p * x - 1.0) ** 2).sum().backward()
            optimizer.step()
        trajectories.append(p.item())
    assert trajectories[0] == pytest.approx(trajectories[1], rel=1e-6)


@pytest.mark.parametrize("make", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parameters_and_state_keep_their_dtype_and_are_updated_in_place(make, dtype):
    params = make_params(dtype)
    arrays = [p._data for p in params]
    optimizer = make(params)
    for seed in range(3):
        set_grads(params, seed)
        optimizer.step()
    for p, array in zip(params, arrays, strict=True):
        assert p._data is array and p.dtype == dtype
        for value in optimizer.state[p].values():
            if isinstance(value, np.ndarray):
                assert value.dtype == dtype and value.shape == p.shape


@pytest.mark.parametrize("make", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_gradients_are_left_unchanged(make):
    params = make_params()
    optimizer = make(params)
    for seed in range(2):
        set_grads(params, seed)
        grads = [p.grad.clone() for p in params]
        optimizer.step()
        for p, g in zip(params, grads, strict=True):
            np.testing.assert_array_equal(p.grad, g)


@pytest.mark.parametrize("make", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_parameters_without_grad_are_skipped(make):
    trained, frozen = make_params()[:2]
    before = frozen.detach().clone()
    optimizer = make([trained, frozen])
    trained.grad = Tensor(np.ones(SHAPE, np.float32))
    optimizer.step()
    np.testing.assert_array_equal(frozen.data, before)
    assert frozen not in optimizer.state
    assert not np.array_equal(trained.data, start_values(0).astype(np.float32))


def test_accepts_a_generator_of_parameters():
    params = make_params()
    optimizer = optim.SGD((p for p in params), lr=0.5)
    assert optimizer.param_groups[0]["params"] == params
    set_grads(params, 0)
    expected = [p.data - 0.5 * p.grad for p in params]
    optimizer.step()
    for p, e in zip(params, expected, strict=True):
        np.testing.assert_allclose(p.data, e)


def test_param_groups_have_their_own_hyperparameters():
    a, b, c = make_params()
    optimizer = optim.SGD([{"params": [a, b], "lr": 0.1}, {"params": c}], lr=0.01, momentum=0.9)
    groups = optimizer.param_groups
    assert [g["lr"] for g in groups] == [0.1, 0.01]
    assert [g["momentum"] for g in groups] == [0.9, 0.9]
    assert groups[1]["params"] == [c]
    set_grads([a, b, c], 0)
    expected = [a.data - 0.1 * a.grad, b.data - 0.1 * b.grad, c.data - 0.01 * c.grad]
    optimizer.step()
    for p, e in zip([a, b, c], expected, strict=True):
        np.testing.assert_allclose(p.data, e, rtol=1e-6)


def test_add_param_group_trains_the_new_parameters():
    a, b, _ = make_params()
    optimizer = optim.Adam([a], lr=0.1)
    optimizer.add_param_group({"params": [b], "lr": 0.2, "betas": (0.5, 0.5)})
    assert optimizer.param_groups[1]["eps"] == 1e-8
    b.grad = Tensor(np.ones(SHAPE, np.float32))
    before = b.detach().clone()
    optimizer.step()
    np.testing.assert_allclose(b.data, before - 0.2, rtol=1e-5)


def test_zero_grad_sets_grads_to_none_or_zero():
    params = make_params()
    optimizer = optim.SGD(params, lr=0.1)
    set_grads(params, 0)
    arrays = [p.grad for p in params]
    optimizer.zero_grad(set_to_none=False)
    for p, array in zip(params, arrays, strict=True):
        assert p.grad is array and not p.grad.any()
    optimizer.zero_grad()
    assert all(p.grad is None for p in params)


def test_step_with_closure_recomputes_the_loss_and_returns_it():
    x = Tensor([3.0], requires_grad=True)
    optimizer = optim.SGD([x], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        return loss

    with minitorch.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == 9.0
    assert x.item() == 3.0 - 0.25 * 6.0


# ----- state_dict ------------------------------------------------------------------------------


@pytest.mark.parametrize("make", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_state_dict_round_trip_continues_identically(make):
    params = make_params()
    optimizer = make(params)
    for seed in range(3):
        set_grads(params, seed)
        optimizer.step()

    copies = [Tensor(p.data, requires_grad=True) for p in params]
    restored = make(copies)
    restored.load_state_dict(optimizer.state_dict())
    for seed in range(3, 6):
        set_grads(params, seed)
        set_grads(copies, seed)
        optimizer.step()
        restored.step()
    for p, copy in zip(params, copies, strict=True):
        np.testing.assert_array_equal(copy.data, p.data)


def test_state_dict_layout_uses_indices_across_groups():
    a, b, c = make_params()
    optimizer = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1)
    a.grad, c.grad = Tensor(np.ones(SHAPE, np.float32)), Tensor(np.ones(3, np.float32))
    optimizer.step()
    optimizer.step()
    saved = optimizer.state_dict()
    # PyTorch's keys, in its order: foreach, capturable, differentiable and fused are kept
    # though they change nothing here, so that state dicts match between the frameworks.
    flags = dict(maximize=False, foreach=None, capturable=False, differentiable=False,
                 fused=None, decoupled_weight_decay=False)
    hyperparameters = dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False)
    assert saved["param_groups"] == [
        dict(lr=0.1, **hyperparameters, **flags, params=[0, 1]),
        dict(lr=0.5, **hyperparameters, **flags, params=[2]),
    ]
    assert list(saved["param_groups"][0]) == [
        "lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable",
        "differentiable", "fused", "decoupled_weight_decay", "params",
    ]
    assert sorted(saved["state"]) == [0, 2]  # b never had a gradient
    assert saved["state"][2]["step"] == 2
    assert set(saved["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}


def test_sgd_without_momentum_keeps_no_state():
    params = make_params()
    optimizer = optim.SGD(params, lr=0.1)
    set_grads(params, 0)
    optimizer.step()
    assert optimizer.state_dict()["state"] == {}


def test_state_dict_holds_copies_both_ways():
    params = make_params()
    optimizer = optim.SGD(params, lr=0.1, momentum=0.9)
    set_grads(params, 0)
    optimizer.step()
    saved = optimizer.state_dict()
    saved_buffer = saved["state"][0]["momentum_buffer"].clone()
    optimizer.step()
    np.testing.assert_array_equal(saved["state"][0]["momentum_buffer"], saved_buffer)

    optimizer.load_state_dict(saved)
    saved["state"][0]["momentum_buffer"][...] = 123.0
    saved["param_groups"][0]["lr"] = 7.0
    np.testing.assert_array_equal(optimizer.state[params[0]]["momentum_buffer"], saved_buffer)
    assert optimizer.param_groups[0]["lr"] == 0.1


def test_load_state_dict_restores_hyperparameters_and_casts_to_parameter_dtype():
    source = optim.Adam(make_params(np.float64), lr=0.5, betas=(0.8, 0.9))
    source.param_groups[0]["params"][0].grad = Tensor(np.ones(SHAPE))
    source.step()
    params = make_params(np.float32)
    target = optim.Adam(params)
    target.load_state_dict(source.state_dict())
    assert target.param_groups[0]["lr"] == 0.5
    assert target.param_groups[0]["betas"] == (0.8, 0.9)
    assert target.param_groups[0]["params"] == params
    assert target.state[params[0]]["exp_avg"].dtype == np.float32


def saved_adam_state(**options):
    params = make_params()
    optimizer = optim.Adam(params, **options)
    set_grads(params, 0)
    optimizer.step()
    return optimizer.state_dict()


def wrong_group_count(saved):
    saved["param_groups"].append(dict(saved["param_groups"][0]))


def wrong_param_count(saved):
    saved["param_groups"][0]["params"].pop()


def wrong_shape(saved):
    saved["state"][1]["exp_avg"] = np.zeros((3, 2), np.float32)


def unknown_index(saved):
    saved["state"][7] = saved["state"][0]


def missing_entry(saved):
    del saved["state"][0]["exp_avg_sq"]


def other_optimizer(saved):
    saved.update(optim.SGD(make_params(), lr=0.1).state_dict())


def bad_hyperparameter(saved):
    saved["param_groups"][0]["lr"] = -1.0


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (wrong_group_count, "has 2 parameter groups, but the optimizer has 1"),
        (wrong_param_count, "group 0 has 2 parameters, but the optimizer's group 0 has 3"),
        (
            wrong_shape,
            r"'exp_avg' of parameter 1 has shape \(3, 2\), but the parameter has "
            r"shape \(2, 3\)",
        ),
        (unknown_index, "parameter 7, but the optimizer has only 3"),
        (missing_entry, r"parameter 0 lacks \['exp_avg_sq'\]"),
        (other_optimizer, "another optimizer"),
        (bad_hyperparameter, "lr must be >= 0, got -1.0"),
    ],
)
def test_load_state_dict_rejects_a_mismatch_and_changes_nothing(corrupt, message):
    saved = saved_adam_state(lr=0.5)
    corrupt(saved)
    params = make_params()
    optimizer = optim.Adam(params, lr=0.1)
    set_grads(params, 1)
    optimizer.step()
    before = optimizer.state_dict()
    with pytest.raises(ValueError, match=message):
        optimizer.load_state_dict(saved)
    after = optimizer.state_dict()
    assert after["param_groups"] == before["param_groups"]
    np.testing.assert_array_equal(after["state"][0]["exp_avg"], before["state"][0]["exp_avg"])


# ----- invalid arguments -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda p: optim.SGD(p, lr=-0.1), ValueError, "lr must be >= 0, got -0.1"),
        (lambda p: optim.SGD(p, lr=float("nan")), ValueError, "lr must be >= 0, got nan"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-1), ValueError, "momentum must be >= 0"),
        (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), ValueError, "weight_decay must be"),
        (
            lambda p: optim.SGD(p, lr=0.1, nesterov=True),
            ValueError,
            "Nesterov momentum needs momentum > 0 and dampening = 0, got momentum=0,",
        ),
        (
            lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
            ValueError,
            "dampening=0.1",
        ),
        (
            lambda p: optim.SGD([{"params": p, "lr": -2.0}], lr=0.1),
            ValueError,
            "lr must be >= 0, got -2.0",
        ),
        (lambda p: optim.Adam(p, lr=-1e-3), ValueError, "lr must be >= 0"),
        (lambda p: optim.Adam(p, eps=-1.0), ValueError, "eps must be >= 0"),
        (
            lambda p: optim.Adam(p, betas=(1.0, 0.999)),
            ValueError,
            r"betas must be two numbers in \[0, 1\), got \(1.0, 0.999\)",
        ),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), ValueError, "betas must be"),
        (lambda p: optim.Adam(p, betas=(0.9,)), ValueError, "betas must be"),
        (lambda p: optim.AdamW(p, weight_decay=-0.01), ValueError, "weight_decay must be"),
        (lambda p: optim.RMSprop(p, alpha=1.5), ValueError, r"alpha must be in \[0, 1\], got 1.5"),
        (lambda p: optim.RMSprop(p, momentum=-0.5), ValueError, "momentum must be >= 0"),
        (lambda p: optim.RMSprop(p, eps=-1e-8), ValueError, "eps must be >= 0"),
        (lambda p: optim.Adadelta(p, rho=1.1), ValueError, r"rho must be in \[0, 1\], got 1.1"),
        (lambda p: optim.Adagrad(p, lr_decay=-1), ValueError, "lr_decay must be >= 0, got -1"),
    ],
)
def test_invalid_hyperparameters_are_rejected(make, error, message):
    with pytest.raises(error, match=message):
        make(make_params())


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ([], ValueError, "empty parameter list"),
        ([{"params": []}], ValueError, "empty parameter list"),
        (Tensor([1.0], requires_grad=True), TypeError, "got a single Tensor"),
        ({Tensor([1.0], requires_grad=True)}, TypeError, "not a set"),
        ([np.ones(3)], TypeError, "can only optimize Tensors, got ndarray"),
        ([Tensor([1, 2], dtype=np.int64)], TypeError, "float tensors, got int64"),
        ([Tensor([1.0], requires_grad=True) * 2], ValueError, "non-leaf"),
        ([{"lr": 0.1}], ValueError, "needs a 'params' entry"),
    ],
)
def test_invalid_parameters_are_rejected(params, error, message):
    with pytest.raises(error, match=message):
        optim.SGD(params, lr=0.1)


def test_add_param_group_needs_a_dict():
    optimizer = optim.SGD(make_params(), lr=0.1)
    with pytest.raises(TypeError, match="a parameter group must be a dict, got list"):
        optimizer.add_param_group([Tensor([1.0], requires_grad=True)])


def test_a_gradient_of_the_wrong_shape_is_rejected():
    p = Tensor(np.zeros(SHAPE), requires_grad=True)
    expected = r"assigned grad has shape \(3,\), expected the tensor's \(2, 3\)"
    with pytest.raises(RuntimeError, match=expected):
        p.grad = Tensor(np.ones(3, np.float32))


def test_a_parameter_may_appear_only_once():
    p = Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="appears more than once"):
        optim.SGD([p, p], lr=0.1)
    optimizer = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="appears more than once"):
        optimizer.add_param_group({"params": [p]})


# ----- learning-rate schedulers -------------------------------------------------------------

EPOCHS = 25


def scheduled_lrs(scheduler, epochs=EPOCHS):
    """The learning rate of each group at epochs 0 .. epochs-1, as the optimizer sees them."""
    lrs = []
    for epoch in range(epochs):
        assert scheduler.last_epoch == epoch
        lrs.append([group["lr"] for group in scheduler.optimizer.param_groups])
        assert scheduler.get_last_lr() == lrs[-1]
        scheduler.step()
    return np.array(lrs)


def two_group_optimizer():
    a, b, _ = make_params()
    return optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)


BASE_LRS = np.array([0.1, 0.5])
EPOCH = np.arange(EPOCHS)[:, None]


def test_step_lr_follows_closed_form():
    lrs = scheduled_lrs(StepLR(two_group_optimizer(), step_size=4, gamma=0.5))
    np.testing.assert_allclose(lrs, BASE_LRS * 0.5 ** (EPOCH // 4))
    np.testing.assert_allclose(lrs[:6, 0], [0.1, 0.1, 0.1, 0.1, 0.05, 0.05])


def test_exponential_lr_follows_closed_form():
    lrs = scheduled_lrs(ExponentialLR(two_group_optimizer(), gamma=0.9))
    np.testing.assert_allclose(lrs, BASE_LRS * 0.9**EPOCH)


def test_cosine_annealing_lr_follows_closed_form():
    lrs = scheduled_lrs(CosineAnnealingLR(two_group_optimizer(), T_max=10, eta_min=0.01))
    expected = 0.01 + (BASE_LRS - 0.01) * (1 + np.cos(np.pi * EPOCH / 10)) / 2
    np.testing.assert_allclose(lrs, expected)
    np.testing.assert_allclose(lrs[10], [0.01, 0.01])
    np.testing.assert_allclose(lrs[20], BASE_LRS)  # back up after T_max, as in PyTorch


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("StepLR", dict(step_size=3, gamma=0.5)),
        ("ExponentialLR", dict(gamma=0.8)),
        ("CosineAnnealingLR", dict(T_max=8, eta_min=0.05)),
    ],
)
def test_schedulers_match_torch(name, options):
    torch = pytest.importorskip("torch")
    ours = scheduled_lrs(getattr(optim.lr_scheduler, name)(two_group_optimizer(), **options))
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in BASE_LRS]
    torch_optimizer = torch.optim.SGD(groups)
    torch_scheduler = getattr(torch.optim.lr_scheduler, name)(torch_optimizer, **options)
    theirs = []
    for _ in range(EPOCHS):
        theirs.append([group["lr"] for group in torch_optimizer.param_groups])
        torch_optimizer.step()
        torch_scheduler.step()
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_scheduled_lr_drives_the_update():
    p = Tensor([0.0], requires_grad=True)
    optimizer = optim.SGD([p], lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.5)
    for _ in range(3):
        p.grad = Tensor(np.array([-1.0], np.float32))
        optimizer.step()
        scheduler.step()
    assert p.item() == 1.0 + 0.5 + 0.25


def test_scheduler_state_dict_round_trip():
    scheduler = CosineAnnealingLR(two_group_optimizer(), T_max=7)
    for _ in range(3):
        scheduler.step()
    saved = scheduler.state_dict()
    assert saved["last_epoch"] == 3 and saved["base_lrs"] == [0.1, 0.5]
    assert "optimizer" not in saved

    restored = CosineAnnealingLR(two_group_optimizer(), T_max=7)
    restored.load_state_dict(saved)
    assert restored.last_epoch == 3 and restored.get_last_lr() == scheduler.get_last_lr()
    scheduler.step()
    restored.step()
    assert restored.get_last_lr() == scheduler.get_last_lr()
    assert restored.optimizer.param_groups[1]["lr"] == scheduler.get_last_lr()[1]


def test_scheduler_load_state_dict_rejects_a_mismatch():
    scheduler = StepLR(two_group_optimizer(), step_size=2)
    with pytest.raises(ValueError, match="ExponentialLR has"):
        ExponentialLR(two_group_optimizer(), gamma=0.5).load_state_dict(scheduler.state_dict())
    one_group = StepLR(optim.SGD(make_params(), lr=0.1), step_size=2)
    with pytest.raises(ValueError, match="2 learning rates, but the optimizer has 1"):
        one_group.load_state_dict(scheduler.state_dict())


def test_scheduler_notices_added_param_groups():
    optimizer = two_group_optimizer()
    scheduler = ExponentialLR(optimizer, gamma=0.5)
    optimizer.add_param_group({"params": [Tensor([1.0], requires_grad=True)]})
    with pytest.raises(RuntimeError, match="has 3 parameter groups, but the scheduler"):
        scheduler.step()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda o: StepLR(o, step_size=0), ValueError, "step_size must be a positive integer"),
        (lambda o: StepLR(o, step_size=2.5), ValueError, "step_size must be a positive integer"),
        (lambda o: StepLR(o, step_size=2, gamma=-0.1), ValueError, "gamma must be >= 0"),
        (lambda o: ExponentialLR(o, gamma=-1), ValueError, "gamma must be >= 0, got -1"),
        (lambda o: CosineAnnealingLR(o, T_max=0), ValueError, "T_max must be > 0, got 0"),
        (lambda o: CosineAnnealingLR(o, T_max=5, eta_min=-1), ValueError, "eta_min must be"),
        (lambda o: StepLR(object(), step_size=2), TypeError, "needs an Optimizer, got object"),
    ],
)
def test_invalid_scheduler_arguments_are_rejected(make, error, message):
    with pytest.raises(error, match=message):
        make(two_group_optimizer())


def test_cosine_formula_at_a_glance():
    # A hand-checked value: halfway through, the rate is halfway between base and eta_min.
    scheduler = CosineAnnealingLR(optim.SGD(make_params(), lr=1.0), T_max=4, eta_min=0.2)
    scheduler.step()
    scheduler.step()
    assert math.isclose(scheduler.get_last_lr()[0], 0.6)


# ----- more schedulers, against torch.optim.lr_scheduler -------------------------------------

MORE_SCHEDULERS = [
    ("MultiStepLR", "SGD", dict(milestones=[2, 5, 5, 9], gamma=0.5)),
    ("LambdaLR", "SGD", dict(lr_lambda=lambda epoch: 1.0 / (1 + epoch))),
    ("OneCycleLR", "SGD", dict(max_lr=[1.0, 2.0], total_steps=EPOCHS)),
    ("OneCycleLR", "Adam", dict(max_lr=0.1, epochs=4, steps_per_epoch=5, three_phase=True,
                                anneal_strategy="linear")),
    ("OneCycleLR", "Adam", dict(max_lr=0.1, total_steps=EPOCHS, cycle_momentum=False)),
]


def trace(scheduler_class, optimizer, options, steps=EPOCHS, momentum=False):
    """Learning rates (and momentums) of every group after building the scheduler and
    after each step."""
    scheduler = scheduler_class(optimizer, **options)
    seen = []
    for _ in range(steps):
        row = [group["lr"] for group in optimizer.param_groups]
        if momentum:
            row += [group["betas"][0] if "betas" in group else group["momentum"]
                    for group in optimizer.param_groups]
        seen.append(row)
        optimizer.step()
        scheduler.step()
    return np.array(seen)


@pytest.mark.parametrize(("name", "optimizer", "options"), MORE_SCHEDULERS)
def test_more_schedulers_match_torch(name, optimizer, options):
    torch = pytest.importorskip("torch")
    steps = min(EPOCHS, options.get("total_steps", 20))
    ours = trace(getattr(optim.lr_scheduler, name),
                 getattr(optim, optimizer)([{"params": [p]} for p in make_params()[:2]], lr=0.1),
                 options, steps, momentum=True)
    groups = [{"params": [torch.zeros(1, requires_grad=True)]} for _ in range(2)]
    theirs = trace(getattr(torch.optim.lr_scheduler, name),
                   getattr(torch.optim, optimizer)(groups, lr=0.1), options, steps, momentum=True)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_one_cycle_lr_shape_and_end():
    optimizer = optim.SGD(make_params(), lr=0.1, momentum=0.9)
    lrs = trace(optim.lr_scheduler.OneCycleLR, optimizer, dict(max_lr=1.0, total_steps=10), 10)
    assert lrs[0, 0] == pytest.approx(1.0 / 25) and lrs.max() == pytest.approx(1.0, rel=0.05)
    assert np.argmax(lrs[:, 0]) == 2  # the peak at pct_start of the steps
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=10)
    for _ in range(10):
        scheduler.step()
    with pytest.raises(ValueError, match="stepped 11 times, but total_steps is 10"):
        scheduler.step()
    with pytest.raises(ValueError, match="needs total_steps, or epochs and steps_per_epoch"):
        optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1.0)


def plateau_trace(scheduler, optimizer, metrics):
    lrs = []
    for value in metrics:
        scheduler.step(value)
        lrs.append([group["lr"] for group in optimizer.param_groups])
    return lrs


PLATEAU_METRICS = [5.0, 4.0, 4.0, 4.0, 3.99999, 4.1, 4.2, 3.0, 3.0, 3.0, 3.0, 3.0, 2.0, 2.0]


@pytest.mark.parametrize(
    "options",
    [
        dict(patience=1),
        dict(patience=2, factor=0.5, cooldown=2, min_lr=[0.02, 0.01]),
        dict(mode="max", patience=0, threshold=0.5, threshold_mode="abs"),
    ],
)
def test_reduce_lr_on_plateau_matches_torch(options):
    torch = pytest.importorskip("torch")
    ours_optimizer = two_group_optimizer()
    ours = plateau_trace(optim.lr_scheduler.ReduceLROnPlateau(ours_optimizer, **options),
                         ours_optimizer, PLATEAU_METRICS)
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in BASE_LRS]
    theirs_optimizer = torch.optim.SGD(groups)
    theirs = plateau_trace(torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_optimizer, **options),
                           theirs_optimizer, PLATEAU_METRICS)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_reduce_lr_on_plateau_reduces_after_patience_and_rejects_nan():
    optimizer = optim.SGD(make_params(), lr=1.0)
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=2, factor=0.5)
    lrs = plateau_trace(scheduler, optimizer, [1.0, 1.0, 1.0, 1.0, 0.5])
    assert [row[0] for row in lrs] == [1.0, 1.0, 1.0, 0.5, 0.5]
    assert scheduler.get_last_lr() == [0.5]
    with pytest.raises(ValueError, match="NaN metric"):
        scheduler.step(float("nan"))
    restored = optim.lr_scheduler.ReduceLROnPlateau(optim.SGD(make_params(), lr=1.0))
    restored.load_state_dict(scheduler.state_dict())
    assert restored.best == 0.5 and restored.num_bad_epochs == scheduler.num_bad_epochs


def test_multistep_and_lambda_closed_forms():
    lrs = scheduled_lrs(optim.lr_scheduler.MultiStepLR(two_group_optimizer(), [3, 6], 0.1))
    milestones_passed = np.searchsorted([3, 6], EPOCH[:, 0], "right")
    np.testing.assert_allclose(lrs[:, 0], 0.1 * 0.1**milestones_passed)
    lrs = scheduled_lrs(optim.lr_scheduler.LambdaLR(
        two_group_optimizer(), [lambda e: 0.5**e, lambda e: 1.0]))
    np.testing.assert_allclose(lrs, np.stack([0.1 * 0.5 ** EPOCH[:, 0], np.full(EPOCHS, 0.5)], 1))
    assert "lr_lambdas" not in optim.lr_scheduler.LambdaLR(two_group_optimizer(), abs).state_dict()


# ----- PyTorch's implementation flags, named parameters and resumed schedules -------------------


def test_foreach_and_fused_are_accepted_and_change_nothing():
    results = []
    for flags in ({}, dict(foreach=True), dict(fused=True), dict(foreach=False, fused=False)):
        params = make_params()
        optimizer = optim.Adam(params, lr=0.1, **flags)
        for seed in range(3):
            set_grads(params, seed)
            optimizer.step()
        results.append([p.data.numpy().copy() for p in params])
    for result in results[1:]:
        for a, b in zip(results[0], result, strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("flag", "error", "message"),
    [("capturable", ValueError, "CUDA graphs"),
     ("differentiable", NotImplementedError, "gradients through the optimizer step")],
)
def test_unsupported_implementation_flags_raise(flag, error, message):
    with pytest.raises(error, match=message):
        optim.Adam(make_params(), **{flag: True})


def test_sgd_has_pytorch_default_learning_rate():
    assert optim.SGD(make_params()).defaults["lr"] == 1e-3


def test_adam_with_decoupled_weight_decay_is_adamw():
    runs = []
    for make in (lambda ps: optim.Adam(ps, weight_decay=0.1, decoupled_weight_decay=True),
                 lambda ps: optim.AdamW(ps, weight_decay=0.1)):
        params = make_params()
        optimizer = make(params)
        for seed in range(3):
            set_grads(params, seed)
            optimizer.step()
        runs.append([p.data.numpy().copy() for p in params])
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_named_parameters_keep_their_names_in_the_group():
    model = minitorch.nn.Linear(3, 2)
    optimizer = optim.SGD(model.named_parameters(), lr=0.1)
    group = optimizer.param_groups[0]
    assert group["param_names"] == ["weight", "bias"]
    assert group["params"][0] is model.weight
    assert optimizer.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]


def test_scheduler_resumes_at_last_epoch():
    full = StepLR(two_group_optimizer(), step_size=2, gamma=0.5)
    for _ in range(5):
        full.step()
    optimizer = two_group_optimizer()
    for group in optimizer.param_groups:
        group["initial_lr"] = group["lr"]
    resumed = StepLR(optimizer, step_size=2, gamma=0.5, last_epoch=4)
    assert resumed.last_epoch == 5 and resumed.get_last_lr() == full.get_last_lr()


def test_resuming_without_initial_lr_raises():
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(two_group_optimizer(), step_size=2, last_epoch=3)


def test_step_with_an_epoch_warns_and_jumps_there():
    scheduler = ExponentialLR(two_group_optimizer(), gamma=0.5)
    with pytest.warns(UserWarning, match="epoch parameter"):
        scheduler.step(3)
    assert scheduler.last_epoch == 3
    np.testing.assert_allclose(scheduler.get_last_lr(), BASE_LRS * 0.125)


def test_optimizer_and_scheduler_state_dicts_have_pytorch_keys():
    torch = pytest.importorskip("torch")
    for name, options in (("StepLR", dict(step_size=2)),
                          ("OneCycleLR", dict(max_lr=1.0, total_steps=10))):
        ours = optim.SGD(make_params(), lr=0.1, momentum=0.9)
        theirs = torch.optim.SGD([torch.zeros(2, requires_grad=True) for _ in range(3)],
                                 lr=0.1, momentum=0.9)
        getattr(optim.lr_scheduler, name)(ours, **options)
        getattr(torch.optim.lr_scheduler, name)(theirs, **options)
        assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]
