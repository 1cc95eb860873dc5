"""PyTorch's dtype rules: what data becomes, how arithmetic promotes, what may require grad."""

import numpy as np
import pytest

import minitorch as mt
from minitorch import Tensor


def test_dtype_objects_are_numpy_dtypes_with_pytorch_names():
    assert mt.float32 == mt.float == np.float32 and mt.float64 == mt.double == np.float64
    assert mt.int64 == mt.long == np.int64 and mt.int32 == mt.int == np.int32
    assert mt.bool == np.bool_ and mt.float16 == mt.half == np.float16
    assert mt.zeros(2, dtype=mt.long).dtype == mt.int64


@pytest.mark.parametrize(
    ("data", "dtype"),
    [(3, np.int64), (True, np.bool_), (2.5, np.float32), ([[1, 2], [3, 4]], np.int64),
     ([1, 2.0], np.float32), (np.array([1.0]), np.float64), (np.array([1], np.int16), np.int16)],
)
def test_tensor_infers_dtypes_like_torch_tensor(data, dtype):
    assert mt.tensor(data).dtype == dtype


def test_the_tensor_class_makes_float32_of_python_numbers_and_takes_sizes_as_pytorch():
    x = Tensor([[1, 2], [3, 4]])  # torch.Tensor: the default float dtype, so it may learn
    assert x.dtype == mt.float32
    x.requires_grad = True
    assert Tensor([True, False]).dtype == mt.float32
    assert Tensor(np.array([1.0])).dtype == mt.float64  # an array keeps its dtype
    assert Tensor([1, 2], dtype=mt.int64).dtype == mt.int64
    sized = Tensor(2, 3)  # sizes, as torch.Tensor(2, 3)
    assert sized.shape == (2, 3) and sized.dtype == mt.float32
    assert Tensor().shape == (0,)
    with pytest.raises(TypeError, match="requires_grad= by keyword"):
        Tensor([1.0], True)


def test_integer_tensors_index_count_and_compare():
    C = mt.randn(27, 10)
    X = mt.tensor([[1, 2, 3], [0, 0, 5]])
    assert C[X].shape == (2, 3, 10)
    probs = mt.rand(4, 3)
    ys = mt.tensor([0, 2, 1, 1])
    picked = probs[mt.arange(4), ys]
    np.testing.assert_array_equal(picked.numpy(), probs.numpy()[np.arange(4), ys.numpy()])
    equal = ys == mt.tensor([0, 1, 1, 1])
    assert equal.dtype == np.bool_ and equal.sum().item() == 3 and equal.sum().dtype == np.int64
    with pytest.raises(IndexError, match="must be integer or bool tensors, got float32"):
        C[mt.tensor([1.0])]


def test_sums_and_products_keep_the_dtype_asked_for():
    # PyTorch sums in the dtype given (int32 stays int32, int8 wraps around as int8); NumPy
    # alone would widen small integers to int64. Without dtype, integers and bools sum in int64.
    x = mt.tensor([[1, 2], [3, 4]])
    for dtype, expected in ((mt.int32, np.int32), (mt.int8, np.int8), (mt.float16, np.float16)):
        assert x.sum(dtype=dtype).dtype == expected and x.sum(dtype=dtype).item() == 10
        assert x.sum(0, dtype=dtype).dtype == expected
        assert x.sum(0, dtype=dtype).tolist() == [4, 6]
    assert mt.full((200,), 1, dtype=mt.int8).sum(dtype=mt.int8).item() == -56  # 200 wraps
    for reduce in (lambda t: t.prod(dtype=mt.int32), lambda t: t.prod(0, dtype=mt.int32),
                   lambda t: t.cumsum(0, dtype=mt.int32), lambda t: t.cumprod(1, dtype=mt.int32)):
        assert reduce(x).dtype == np.int32
    assert x.prod(dtype=mt.int32).item() == 24 and x.cumsum(0, dtype=mt.int32).tolist() == [
        [1, 2], [4, 6]]
    assert x.to(mt.int8).sum().dtype == np.int64 and mt.tensor([True, True]).sum().item() == 2
    assert x.float().sum().dtype == np.float32 and x.float().sum().item() == 10.0


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (mt.tensor([1, 2]), 0.5, np.float32),  # a Python float makes integers float32
        (mt.tensor([1, 2]), 2, np.int64),
        (mt.tensor([1.0], dtype=mt.float64), 2.5, np.float64),
        (mt.tensor([1.0]), mt.tensor([1, 2]), np.float32),  # floating wins over integer
        (mt.tensor([1.0]), mt.tensor([1.0], dtype=mt.float64), np.float64),
        (mt.tensor([1.0]), mt.tensor(2.0, dtype=mt.float64), np.float32),  # 0-d does not widen
        (mt.tensor([True]), mt.tensor([3]), np.int64),
        (mt.tensor([1], dtype=mt.int32), mt.tensor([1]), np.int64),
    ],
)
def test_arithmetic_promotes_as_pytorch(a, b, expected):
    assert (a + b).dtype == expected and (b * a).dtype == expected


def test_true_division_of_integers_is_float32():
    out = mt.tensor([3, 4]) / mt.tensor([2, 2])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), [1.5, 2.0])
    assert (mt.tensor([7]) // 2).item() == 3 and (mt.tensor([7]) % 4).item() == 3


def test_only_floating_tensors_require_grad_and_gradients_keep_float_dtype():
    with pytest.raises(RuntimeError, match="floating point dtype can require gradients"):
        mt.tensor([1, 2], requires_grad=True)
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    (w * mt.tensor([3, 4])).sum().backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 4.0])


def test_conversions_and_type_strings():
    t = mt.tensor([1.7, -2.2])
    assert t.long().dtype == np.int64 and t.int().dtype == np.int32 and t.bool().dtype == np.bool_
    assert t.type() == "torch.FloatTensor" and t.long().type() == "torch.LongTensor"
    assert t.type(mt.float64).dtype == np.float64
    assert t.type("torch.DoubleTensor").dtype == np.float64
    assert t.to(mt.float64).dtype == np.float64 and t.to(mt.tensor([1])).dtype == np.int64
    assert t.to("cpu") is t and t.cpu() is t
    assert mt.cat([mt.tensor([1]), mt.tensor([0.5])]).dtype == np.float32


def test_devices_are_cpu_only_with_a_clear_error():
    device = "cuda" if mt.cuda.is_available() else "cpu"
    assert device == "cpu" and not mt.accelerator.is_available()
    assert mt.tensor([1.0]).to(device).device == mt.device("cpu")
    assert str(mt.device("cpu")) == "cpu" and mt.tensor([1.0]).device.type == "cpu"
    with pytest.raises(RuntimeError, match="'cuda' is not available: minitorch runs on the CPU"):
        mt.tensor([1.0]).to("cuda")
    gpu = mt.device("cuda:0")  # made, as by PyTorch without a GPU, but not computed on
    assert (gpu.type, gpu.index, str(gpu)) == ("cuda", 0, "cuda:0")
    assert mt.device("cuda").index is None
    with pytest.raises(RuntimeError, match="CPU only"):
        mt.zeros(2, device=gpu)
    with pytest.raises(RuntimeError, match="device type"):
        mt.device("gpu")
    with pytest.raises(RuntimeError, match="CPU only"):
        mt.tensor([1.0]).cuda()


def test_blog_loop_accumulates_loss_data_and_formats_it():
    loss = (mt.tensor([1.0, 3.0], requires_grad=True) ** 2).mean()
    epoch_loss = 0.0
    epoch_loss += loss.data
    epoch_loss += loss.data
    assert isinstance(epoch_loss, Tensor) and not epoch_loss.requires_grad
    assert f"{epoch_loss / 2:.4f}" == "5.0000"
