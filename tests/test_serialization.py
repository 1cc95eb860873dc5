import io
import json
import os
import stat
import zipfile

import numpy as np
import pytest

from minitorch import serialization
from minitorch.serialization import load, save
from minitorch.tensor import Tensor

EXECUTED = []


def mark_executed():
    EXECUTED.append(True)
    return "pwned"


class Hostile:
    """Unpickling this object would call mark_executed."""

    def __reduce__(self):
        return (mark_executed, ())


def assert_same(expected, actual):
    assert type(actual) is type(expected)
    if isinstance(expected, Tensor):
        assert actual.dtype == expected.dtype and actual.requires_grad == expected.requires_grad
        np.testing.assert_array_equal(actual.data, expected.data)
    elif isinstance(expected, (np.ndarray, np.generic)):
        assert actual.dtype == expected.dtype and actual.shape == expected.shape
        np.testing.assert_array_equal(actual, expected)
    elif isinstance(expected, dict):
        assert list(actual) == list(expected)
        for key in expected:
            assert_same(expected[key], actual[key])
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected)
        for a, b in zip(expected, actual, strict=True):
            assert_same(a, b)
    else:
        assert actual == expected


def test_model_state_dict_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    state = {
        "0.weight": rng.standard_normal((4, 3)).astype(np.float32),
        "0.bias": np.zeros(4, dtype=np.float64),
        "2.weight": Tensor(rng.standard_normal((2, 4)), requires_grad=True),
        "bn.num_batches_tracked": np.array(7, dtype=np.int64),
        "mask": np.array([True, False]),
        "counts": np.arange(3, dtype=np.uint8),
    }
    save(state, tmp_path / "model.ckpt")
    assert_same(state, load(tmp_path / "model.ckpt"))


def test_optimizer_state_dict_round_trip_keeps_int_keys(tmp_path):
    state = {
        "state": {
            0: {"step": 3, "exp_avg": np.ones((2, 2), dtype=np.float32)},
            1: {"step": 3, "exp_avg": np.zeros(5, dtype=np.float32)},
        },
        "param_groups": [
            {"lr": 0.1, "betas": (0.9, 0.999), "nesterov": False, "name": None, "params": [0, 1]}
        ],
        "scalar": np.float32(0.5),
        "nan": float("nan"),
        "empty": ([], {}, ()),
    }
    path = tmp_path / "optim.npz"
    save(state, path)
    loaded = load(path)
    assert list(loaded["state"]) == [0, 1]
    assert type(loaded["state"][0]["step"]) is int
    assert np.isnan(loaded.pop("nan"))
    state.pop("nan")
    assert_same(state, loaded)


def test_save_overwrites_atomically_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "state"
    save({"a": 1}, path)
    save({"a": 2}, path)
    assert load(path) == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["state"]


def test_failed_save_keeps_previous_file(tmp_path):
    path = tmp_path / "state.npz"
    save({"a": 1}, path)
    with pytest.raises(TypeError):
        save({"a": object()}, path)
    assert load(path) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["state.npz"]


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        (
            {"layers": [np.zeros(2), {"fn": print}]},
            r"builtin_function_or_method at obj\['layers'\]\[1\]\['fn'\]",
        ),
        ({"x": {1.5: 2}}, r"dict key of type float at obj\['x'\]"),
        ({"w": np.array([object()])}, r"dtype object at obj\['w'\]"),
        ({1, 2}, "type set at obj"),
    ],
)
def test_unsupported_types_name_type_and_key_path(tmp_path, obj, message):
    with pytest.raises(TypeError, match=message):
        save(obj, tmp_path / "bad.npz")
    assert list(tmp_path.iterdir()) == []


def test_pickled_object_array_is_refused_without_running_code(tmp_path):
    path = tmp_path / "hostile.npz"
    metadata = {
        "format": serialization.FORMAT_NAME,
        "version": 1,
        "root": {"type": "array", "key": "payload"},
    }
    np.savez(
        path,
        payload=np.array([Hostile()], dtype=object),
        **{serialization._METADATA_KEY: np.array(json.dumps(metadata))},
    )
    with pytest.raises(ValueError, match="hostile.npz"):
        load(path)
    assert EXECUTED == []


def test_pickle_file_is_refused_without_running_code(tmp_path):
    path = tmp_path / "hostile.pkl"
    with open(path, "wb") as stream:
        np.save(stream, np.array([Hostile()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="hostile.pkl"):
        load(path)
    import pickle

    path.write_bytes(pickle.dumps(Hostile()))
    with pytest.raises(ValueError, match="hostile.pkl: not a minitorch checkpoint"):
        load(path)
    assert EXECUTED == []


def test_truncated_file(tmp_path):
    path = tmp_path / "model.ckpt"
    save({"w": np.arange(1000, dtype=np.float64), "b": np.ones(3)}, path)
    content = path.read_bytes()
    for length in (0, 10, len(content) // 2, len(content) - 30):
        path.write_bytes(content[:length])
        with pytest.raises(ValueError, match="model.ckpt"):
            load(path)


def test_corrupted_array_bytes(tmp_path):
    path = tmp_path / "model.ckpt"
    save({"w": np.arange(1000, dtype=np.float64)}, path)
    content = bytearray(path.read_bytes())
    content[2000] ^= 0xFF  # inside the array data: the zip CRC check fails
    path.write_bytes(bytes(content))
    with pytest.raises(ValueError, match="model.ckpt"):
        load(path)


def test_random_bytes_file(tmp_path):
    path = tmp_path / "noise.bin"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ValueError, match="noise.bin: not a minitorch checkpoint"):
        load(path)


def test_plain_npz_and_npy_are_not_checkpoints(tmp_path):
    np.savez(tmp_path / "plain.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="plain.npz: not a minitorch checkpoint"):
        load(tmp_path / "plain.npz")
    np.save(tmp_path / "single.npy", np.zeros(3))
    with pytest.raises(ValueError, match="single.npy: not a minitorch checkpoint"):
        load(tmp_path / "single.npy")


def rewrite_metadata(path, change):
    with np.load(path) as archive:
        entries = {name: archive[name] for name in archive.files}
    metadata = json.loads(str(entries[serialization._METADATA_KEY][()]))
    change(metadata)
    entries[serialization._METADATA_KEY] = np.array(json.dumps(metadata))
    buffer = io.BytesIO()
    np.savez(buffer, **entries)
    path.write_bytes(buffer.getvalue())


def test_missing_array_key(tmp_path):
    path = tmp_path / "model.ckpt"
    save({"w": np.zeros(2)}, path)
    rewrite_metadata(path, lambda m: m["root"]["items"][0][1].update(key="array_99"))
    with pytest.raises(ValueError, match=r"model.ckpt.*'array_99' is missing"):
        load(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(version=99), "unsupported checkpoint format version 99"),
        (lambda m: m.update(format="other"), "not a minitorch checkpoint"),
        (lambda m: m["root"].update(type="mystery"), "unknown node type"),
        (lambda m: m["root"].pop("items"), "corrupt checkpoint metadata"),
    ],
)
def test_bad_metadata(tmp_path, change, message):
    path = tmp_path / "model.ckpt"
    save({"w": np.zeros(2)}, path)
    rewrite_metadata(path, change)
    with pytest.raises(ValueError, match=f"model.ckpt.*{message}"):
        load(path)


def test_metadata_is_plain_json_in_a_unicode_array(tmp_path):
    path = tmp_path / "model.ckpt"
    save({"w": np.zeros(2)}, path)
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
    assert names == sorted(["array_0.npy", serialization._METADATA_KEY + ".npy"])
    with np.load(path, allow_pickle=False) as archive:
        entry = archive[serialization._METADATA_KEY]
    assert entry.dtype.kind == "U"
    assert json.loads(str(entry[()]))["version"] == serialization.FORMAT_VERSION


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "absent.npz")


def test_load_accepts_pytorchs_weights_only(tmp_path):
    path = tmp_path / "model.pth"
    save({"w": np.ones(2)}, path)
    for weights_only in (True, False):
        np.testing.assert_array_equal(load(path, weights_only=weights_only)["w"], np.ones(2))


def test_load_accepts_pytorchs_map_location_on_the_cpu(tmp_path):
    path = tmp_path / "model.pth"
    save({"w": np.ones(2)}, path)
    for where in ("cpu", serialization.devices.device("cpu"), lambda storage, loc: storage):
        np.testing.assert_array_equal(load(path, map_location=where)["w"], np.ones(2))
    with pytest.raises(RuntimeError, match="CPU only"):
        load(path, map_location="cuda:0")


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_save_gives_new_files_the_mode_open_would_and_keeps_an_existing_mode(tmp_path):
    previous_umask = os.umask(0o027)
    try:
        save({"w": np.zeros(2)}, tmp_path / "new.ckpt")
        with open(tmp_path / "by_open", "wb"):
            pass
    finally:
        os.umask(previous_umask)
    assert stat.S_IMODE((tmp_path / "new.ckpt").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "by_open").stat().st_mode) == 0o640
    existing = tmp_path / "shared.ckpt"
    save({"w": np.zeros(2)}, existing)
    existing.chmod(0o644)
    save({"w": np.ones(2)}, existing)
    assert stat.S_IMODE(existing.stat().st_mode) == 0o644
    np.testing.assert_array_equal(load(existing)["w"], np.ones(2))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["by_open", "new.ckpt", "shared.ckpt"]


# --------------------------------------------------------------------------- safetensors


def safetensors_file(path, header, data=b""):
    """A .safetensors file written by hand: header length, JSON header, data."""
    encoded = json.dumps(header).encode()
    path.write_bytes(len(encoded).to_bytes(8, "little") + encoded + data)
    return path


def test_safetensors_round_trip_of_a_state_dict(tmp_path):
    pytest.importorskip("safetensors")
    from minitorch import nn

    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2, bias=False))
    model(Tensor(np.random.default_rng(0).normal(size=(5, 3))))  # moves the running stats
    save(model.state_dict(), tmp_path / "model.safetensors")
    loaded = load(tmp_path / "model.safetensors", weights_only=True)
    assert sorted(loaded) == sorted(model.state_dict())
    for name, array in model.state_dict().items():
        assert_same(array, loaded[name])  # shapes and dtypes too: int64 0-d num_batches_tracked
    loaded["0.weight"][0, 0] = 5.0  # writable
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2, bias=False))
    fresh.load_state_dict(load(tmp_path / "model.safetensors"))
    save({"tensor": Tensor([1.0, 2.0], requires_grad=True)}, tmp_path / "t.safetensors")
    np.testing.assert_array_equal(load(tmp_path / "t.safetensors")["tensor"], [1.0, 2.0])


def test_whole_modules_and_optimizers_are_refused_with_the_fix(tmp_path):
    from minitorch import nn, optim

    model = nn.Linear(2, 2)
    for path in (tmp_path / "m.npz", tmp_path / "m.safetensors"):
        with pytest.raises(TypeError, match=r"whole Linear.*save model.state_dict\(\) instead"):
            save(model, path)
    with pytest.raises(TypeError, match=r"optimizer.state_dict\(\)"):
        save({"optim": optim.SGD(model.parameters(), lr=0.1)}, tmp_path / "o.npz")
    assert not list(tmp_path.iterdir())


def test_safetensors_takes_only_a_flat_dict_of_arrays(tmp_path):
    pytest.importorskip("safetensors")
    with pytest.raises(TypeError, match=r"expected a numeric array or Tensor, got dict"):
        save({"model": {"w": np.zeros(2)}}, tmp_path / "nested.safetensors")
    with pytest.raises(TypeError, match="holds a dict of arrays by name"):
        save([np.zeros(2)], tmp_path / "list.safetensors")


@pytest.mark.parametrize(
    ("header", "data", "message"),
    [
        ({"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4,
         "unsupported dtype BF16"),
        ({"w": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}, b"\0" * 8,
         "unsupported dtype complex64 for 'w'"),
        ({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 8,
         "not a readable safetensors file"),
        ({"w": "not a tensor"}, b"", "not a readable safetensors file"),
    ],
)
def test_bad_safetensors_files_raise_value_errors_naming_the_file(tmp_path, header, data, message):
    pytest.importorskip("safetensors")
    path = safetensors_file(tmp_path / "bad.safetensors", header, data)
    with pytest.raises(ValueError, match=f"bad.safetensors: {message}"):
        load(path)
    (tmp_path / "garbage.safetensors").write_bytes(b"\xff" * 20)
    with pytest.raises(ValueError, match="garbage.safetensors: not a readable"):
        load(tmp_path / "garbage.safetensors")


def test_safetensors_without_the_package_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "safetensors.numpy", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'minitorch\[safetensors\]'"):
        save({"w": np.zeros(2)}, tmp_path / "w.safetensors")


def test_file_objects_hold_checkpoints_as_in_pytorch(tmp_path):
    # torch.save(obj, f) and torch.load(f) take open binary files and io.BytesIO too.
    state = {"weight": Tensor(np.arange(6.0).reshape(2, 3)), "steps": 3, "lr": [0.1, 0.01]}
    buffer = io.BytesIO()
    save(state, buffer)
    buffer.seek(0)
    assert_same(state, load(buffer))
    with open(tmp_path / "model.pt", "wb") as f:
        save(state, f)
    with open(tmp_path / "model.pt", "rb") as f:
        assert_same(state, load(f))
        assert not f.closed  # the caller opened it; the caller closes it
    with open(tmp_path / "model.pt", "rb") as f:  # the same bytes as saving by name
        assert_same(load(tmp_path / "model.pt"), load(f))


def test_a_file_object_named_safetensors_holds_safetensors(tmp_path):
    pytest.importorskip("safetensors")
    state = {"weight": Tensor(np.ones((2, 2), np.float32))}
    with open(tmp_path / "model.safetensors", "wb") as f:
        save(state, f)
    assert_same(state, load(tmp_path / "model.safetensors"))
    with open(tmp_path / "model.safetensors", "rb") as f:
        assert_same(state, load(f))


def test_a_stream_that_is_no_checkpoint_is_named_in_the_error():
    with pytest.raises(ValueError, match="<stream>: not a minitorch checkpoint"):
        load(io.BytesIO(b"not a zip file"))
    with pytest.raises(TypeError, match="cannot save a whole"):
        from minitorch import nn

        save(nn.Linear(2, 2), io.BytesIO())
