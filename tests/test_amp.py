"""Mixed precision as PyTorch has it without a GPU: GradScaler (disabled for CUDA, working for
the CPU), autocast that disables itself, and bfloat16, which can be named but not made."""

import copy
import pickle
import warnings

import numpy as np
import pytest

import minitorch as mt


def _scaler_run(lib, inject_inf_at=(1,)):
    """Four steps of a linear model under a CPU scaler that grows every 2 clean steps; the
    gradient of step ``i`` in ``inject_inf_at`` is made infinite. Returns what a training
    loop sees at each step."""
    lib.manual_seed(0)
    weight = lib.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    bias = lib.tensor([0.1, -0.2], requires_grad=True)
    optimizer = lib.optim.SGD([weight, bias], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2)
    x = lib.tensor([[1.0, 2.0], [3.0, -1.0]])
    record = []
    for step in range(4):
        loss = ((x @ weight.T + bias) ** 2).mean()
        scaled = scaler.scale(loss)
        scaled.backward()
        scaled_grad = weight.grad.clone()
        if step in inject_inf_at:
            with lib.no_grad():
                bias.grad[0] = float("inf")
        scaler.unscale_(optimizer)
        unscaled_grad = weight.grad.clone()
        result = scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad()
        record.append({
            "loss": loss.item(), "scaled": scaled.item(),
            "scaled_grad": scaled_grad.numpy(), "unscaled_grad": unscaled_grad.numpy(),
            "weight": weight.detach().numpy().copy(), "step_result": result,
            "scale": scaler.get_scale(), "state": scaler.state_dict(),
        })
    return record


def test_the_cpu_grad_scaler_scales_skips_and_adjusts_as_pytorch():
    record = _scaler_run(mt)
    assert [r["scale"] for r in record] == [8.0, 4.0, 4.0, 8.0]  # backoff, then growth
    assert record[0]["scaled"] == pytest.approx(8 * record[0]["loss"])
    np.testing.assert_allclose(record[0]["scaled_grad"], 8 * record[0]["unscaled_grad"])
    np.testing.assert_array_equal(record[1]["weight"], record[0]["weight"])  # skipped
    assert not np.array_equal(record[2]["weight"], record[1]["weight"])
    assert record[3]["state"] == {"scale": 8.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                                  "growth_interval": 2, "_growth_tracker": 0}
    torch = pytest.importorskip("torch")
    expected = _scaler_run(torch)
    for ours, theirs in zip(record, expected, strict=True):
        assert ours["state"] == theirs["state"] and ours["scale"] == theirs["scale"]
        assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-6)
        for key in ("scaled_grad", "unscaled_grad", "weight"):
            np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-6, atol=1e-7)


def test_the_cpu_grad_scaler_checks_its_order_of_calls():
    weight = mt.tensor([1.0, 2.0], requires_grad=True)
    optimizer = mt.optim.SGD([weight], lr=0.1)
    scaler = mt.amp.GradScaler("cpu")
    with pytest.raises(AssertionError, match="did not use scaler.scale"):
        scaler.step(optimizer)
    scaler.scale((weight * weight).sum()).backward()
    scaler.unscale_(optimizer)
    with pytest.raises(RuntimeError, match="already been called on this optimizer"):
        scaler.unscale_(optimizer)
    scaler.step(optimizer)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(optimizer)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step"):
        scaler.unscale_(optimizer)
    scaler.update(1024.0)
    assert scaler.get_scale() == 1024.0
    three = mt.tensor(3.0)
    assert scaler.scale([three, (three, three)])[1][0].item() == 3072.0
    restored = mt.amp.GradScaler("cpu")
    restored.load_state_dict(scaler.state_dict())
    assert restored.get_scale() == 1024.0
    with pytest.raises(RuntimeError, match="disabled instance"):
        restored.load_state_dict(mt.amp.GradScaler("cpu", enabled=False).state_dict())
    with pytest.raises(ValueError, match="FP16 gradients"):
        half = mt.tensor([1.0], dtype=mt.float16, requires_grad=True)
        half_optimizer = mt.optim.SGD([half], lr=0.1)
        scaler.scale(half.sum()).backward()
        scaler.unscale_(half_optimizer)


def test_a_cuda_grad_scaler_disables_itself_and_passes_through():
    # nanoGPT's line: on a machine without a GPU, PyTorch warns twice and trains unscaled
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling"), \
         pytest.warns(FutureWarning, match="torch.amp.GradScaler\\('cuda', args...\\)"):
        scaler = mt.cuda.amp.GradScaler(enabled=True)
    with pytest.warns(UserWarning, match="CUDA is not available"):
        assert not mt.amp.GradScaler().is_enabled()  # "cuda" is the default device
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # disabled by the caller: no warning
        assert not mt.amp.GradScaler("cuda", enabled=False).is_enabled()
    weight = mt.tensor([1.0, 2.0], requires_grad=True)
    optimizer = mt.optim.SGD([weight], lr=0.5)
    loss = (weight * weight).sum()
    assert scaler.scale(loss) is loss
    loss.backward()
    scaler.unscale_(optimizer)
    scaler.unscale_(optimizer)  # a no-op, as often as called
    assert scaler.step(optimizer) is None
    scaler.update()
    assert weight.tolist() == [0.0, 0.0]  # optimizer.step() ran: w - 0.5 * 2w
    assert scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    scaler.load_state_dict({})


def test_autocast_warns_and_changes_nothing():
    x = mt.ones(2, 3)
    with pytest.warns(UserWarning, match="CUDA is not available"):
        region = mt.amp.autocast(device_type="cuda", dtype=mt.float16)
    with region:
        assert (x @ x.T).dtype == mt.float32
    with pytest.warns(UserWarning, match="no mixed precision: autocast to bfloat16"):
        region = mt.autocast("cpu")
    assert region.fast_dtype is mt.bfloat16
    with pytest.warns(UserWarning, match="target dtype is not supported"):
        mt.autocast("cpu", dtype=mt.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with mt.autocast("cpu", enabled=False):
            pass

        @mt.autocast("cuda", enabled=False)
        def double(t):
            return 2 * t

        assert double(x).sum().item() == 12.0
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'gpu'"):
        mt.autocast("gpu")
    with pytest.warns(FutureWarning, match="torch.cuda.amp.autocast"), \
         pytest.warns(UserWarning, match="Disabling autocast"):
        mt.cuda.amp.autocast()


def test_bfloat16_can_be_named_but_holds_no_tensor():
    # nanoGPT builds this table whatever dtype it trains in
    table = {"float32": mt.float32, "bfloat16": mt.bfloat16, "float16": mt.float16}
    assert table["float16"] == np.float16 and repr(mt.bfloat16) == "bfloat16"
    assert mt.bfloat16 != mt.float16 and mt.float32 != mt.bfloat16
    assert mt.bfloat16.is_floating_point and mt.bfloat16.itemsize == 2
    assert not mt.cuda.is_bf16_supported()
    assert copy.deepcopy(mt.bfloat16) is mt.bfloat16
    assert pickle.loads(pickle.dumps(mt.bfloat16)) is mt.bfloat16
    for make in (lambda: mt.zeros(2, dtype=mt.bfloat16), lambda: mt.ones(2).to(mt.bfloat16),
                 lambda: mt.tensor([1.0], dtype=mt.bfloat16),
                 lambda: mt.nn.Linear(2, 2).to(mt.bfloat16),
                 lambda: mt.set_default_dtype(mt.bfloat16)):
        with pytest.raises(TypeError, match="no bfloat16 tensors: NumPy"):
            make()
