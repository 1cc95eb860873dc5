"""Hostile files: whatever a checkpoint or an IDX file holds, loading it gives a clean result
or the documented ValueError naming the file, and never allocates more than its real content.

Memory is measured with tracemalloc, which also sees NumPy's array allocations.
"""

import contextlib
import functools
import gzip
import io
import json
import struct
import tempfile
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch as mt
from minitorch import serialization
from minitorch.data import read_idx

MIB = 2**20
ALLOCATION_LIMIT = 64 * MIB
SMALL = 4 * MIB  # what reading a small file may take: a read chunk (1 MiB) and change


@contextlib.contextmanager
def allocating_at_most(limit):
    tracemalloc.start()
    try:
        yield
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= limit, f"allocated {peak / MIB:.1f} MiB, more than {limit / MIB:.1f} MiB"


def assert_clean_or_value_error(load, path):
    """``load(path)`` returns, or raises ValueError naming the file; nothing else."""
    with allocating_at_most(ALLOCATION_LIMIT):
        try:
            load(path)
        except ValueError as error:
            assert str(path) in str(error)


# --------------------------------------------------------------------------- building files


def npy_bytes(array):
    stream = io.BytesIO()
    np.lib.format.write_array(stream, np.asarray(array), allow_pickle=False)
    return stream.getvalue()


def npy_claiming(shape, dtype, data=b""):
    """A .npy entry whose header claims ``shape`` and ``dtype``, followed by ``data``."""
    stream = io.BytesIO()
    header = {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(stream, header)
    return stream.getvalue() + data


def metadata_npy(root):
    text = json.dumps({"format": serialization.FORMAT_NAME, "version": 1, "root": root})
    return npy_bytes(np.array(text))


def zip_bytes(members, compression=zipfile.ZIP_STORED):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return stream.getvalue()


def checkpoint_with(array_entry, root=None):
    """A checkpoint whose metadata points at one array, stored as the given .npy bytes."""
    return zip_bytes(
        {
            f"{serialization._METADATA_KEY}.npy": metadata_npy(
                root or {"type": "array", "key": "array_1"}
            ),
            "array_1.npy": array_entry,
        }
    )


def idx_bytes(array, type_code=0x08):
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(
        n.to_bytes(4, "big") for n in array.shape
    )
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile")


def write(folder, name, content):
    path = folder / name
    path.write_bytes(content)
    return path


# --------------------------------------------------------------------------- the known attacks


def test_idx_gzip_bomb_is_read_only_as_far_as_its_header_says(folder):
    compressor = zlib.compressobj(wbits=31)  # gzip framing
    header = idx_bytes(np.zeros(10, dtype=np.uint8))
    parts = [compressor.compress(header)]
    parts += [compressor.compress(bytes(MIB)) for _ in range(32)]  # inflates to 32 MiB
    path = write(folder, "bomb-idx1-ubyte.gz", b"".join(parts) + compressor.flush())
    with allocating_at_most(SMALL), pytest.raises(ValueError, match="trailing data"):
        read_idx(path)


def test_idx_header_claiming_terabytes(folder):
    raw = bytes([0, 0, 8, 3]) + (2**32 - 1).to_bytes(4, "big") * 3 + bytes(100)
    for name, content in (("huge-idx3", raw), ("huge-idx3.gz", gzip.compress(raw))):
        path = write(folder, name, content)
        with allocating_at_most(SMALL), pytest.raises(ValueError, match=f"{name}: truncated"):
            read_idx(path)


def test_checkpoint_with_metadata_nested_thousands_deep(folder):
    text = '{"format": "minitorch-checkpoint", "version": 1, "root": ' + "[" * 50_000
    archive = zip_bytes({f"{serialization._METADATA_KEY}.npy": npy_bytes(np.array(text))})
    path = write(folder, "deep.ckpt", archive)
    with pytest.raises(ValueError, match=r"deep\.ckpt: corrupt checkpoint metadata"):
        mt.load(path)
    nested = '{"type": "list", "items": [' * 2_000 + "null" + "]}" * 2_000
    text = text.replace("[" * 50_000, nested) + "}"  # valid JSON, nested 4,000 deep
    archive = zip_bytes({f"{serialization._METADATA_KEY}.npy": npy_bytes(np.array(text))})
    path = write(folder, "deep2.ckpt", archive)
    with pytest.raises(ValueError, match=r"deep2\.ckpt: corrupt checkpoint metadata"):
        mt.load(path)


def test_checkpoint_array_header_claiming_8_tib(folder):
    path = write(folder, "claims.ckpt", checkpoint_with(npy_claiming((2**40,), "<f8", bytes(16))))
    with (
        allocating_at_most(SMALL),
        pytest.raises(ValueError, match=r"claims\.ckpt: .*\(1099511627776,\)"),
    ):
        mt.load(path)


def central_directory(archive):
    """The offset of each entry's record in the zip file's central directory, by name."""
    size, offset = struct.unpack_from("<II", archive, len(archive) - 22 + 12)
    records = {}
    while offset < len(archive) - 22:
        lengths = struct.unpack_from("<HHH", archive, offset + 28)
        name = archive[offset + 46 : offset + 46 + lengths[0]].decode()
        records[name] = offset
        offset += 46 + sum(lengths)
    return records


def test_checkpoint_entry_lying_about_its_size(folder):
    """The zip directory and the .npy header agree on 3 GiB; the file holds 16 bytes."""
    claimed = 3 * 2**30
    archive = bytearray(checkpoint_with(npy_claiming(((claimed - 128) // 8,), "<f8", bytes(16))))
    record = central_directory(archive)["array_1.npy"]
    struct.pack_into("<II", archive, record + 20, claimed, claimed)  # compressed, full size
    path = write(folder, "lying.ckpt", bytes(archive))
    with allocating_at_most(SMALL), pytest.raises(ValueError, match=r"lying\.ckpt"):
        mt.load(path)


def test_checkpoint_reading_one_array_twice_is_refused(folder):
    pair = {"type": "list", "items": [{"type": "array", "key": "array_1"}] * 2}
    path = write(folder, "twice.ckpt", checkpoint_with(npy_bytes(np.zeros(3)), pair))
    with pytest.raises(ValueError, match=r"twice\.ckpt: .*'array_1' used twice"):
        mt.load(path)


def test_checkpoint_integer_tensor_requiring_grad(folder):
    root = {"type": "tensor", "key": "array_1", "requires_grad": True}
    path = write(folder, "int.ckpt", checkpoint_with(npy_bytes(np.arange(3)), root))
    with pytest.raises(ValueError, match=r"int\.ckpt: .*'array_1' of dtype int64 requires grad"):
        mt.load(path)


def test_checkpoint_entries_compressed_with_bzip2_are_refused(folder):
    members = {
        f"{serialization._METADATA_KEY}.npy": metadata_npy({"type": "value", "value": 1}),
    }
    path = write(folder, "bz.ckpt", zip_bytes(members, zipfile.ZIP_BZIP2))
    with pytest.raises(ValueError, match=r"bz\.ckpt: .*compression method 12"):
        mt.load(path)


def test_compressed_npz_checkpoints_still_load(folder):
    members = {
        f"{serialization._METADATA_KEY}.npy": metadata_npy({"type": "array", "key": "array_1"}),
        "array_1.npy": npy_bytes(np.arange(6.0).reshape(2, 3)),
    }
    path = write(folder, "deflated.ckpt", zip_bytes(members, zipfile.ZIP_DEFLATED))
    np.testing.assert_array_equal(mt.load(path), np.arange(6.0).reshape(2, 3))


# --------------------------------------------------------------------------- fuzzing


@st.composite
def mutations_of(draw, blob, hot_positions):
    """``blob`` with a few bytes replaced, inserted or deleted, or cut short; positions are
    drawn often from ``hot_positions`` (headers), where a change matters most."""
    content = bytearray(blob)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.sampled_from(hot_positions) | st.integers(0, len(content)))
        value = draw(st.binary(min_size=1, max_size=8))
        action = draw(st.sampled_from(("replace", "insert", "delete", "cut")))
        if action == "replace":
            content[position : position + len(value)] = value
        elif action == "insert":
            content[position:position] = value
        elif action == "delete":
            del content[position : position + len(value)]
        else:
            del content[position:]
    return bytes(content)


@functools.cache
def valid_checkpoint():
    state = {
        "weight": mt.Tensor(np.arange(12, dtype=np.float32).reshape(3, 4), requires_grad=True),
        "steps": np.array([1, 2, 3], dtype=np.int64),
        "mask": np.array([[True], [False]]),
        "groups": [{"lr": 0.1, "betas": (0.9, 0.999), "name": None, 3: "three"}],
        "scale": np.float64(0.5),
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "valid.ckpt"
        mt.save(state, path)
        return path.read_bytes()


def npy_header_positions(archive):
    """Where each entry's .npy header lies in the zip file (its first 128 bytes)."""
    positions = []
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        for entry in opened.infolist():
            name_length, extra_length = struct.unpack_from("<HH", archive, entry.header_offset + 26)
            start = entry.header_offset + 30 + name_length + extra_length
            positions += range(start, start + 128)
    return positions


# JSON pieces that make a mutation of the metadata text likely to stay JSON but mean
# something else.
JSON_TOKENS = [
    *"{}[],:\"0-",
    "1e999", "true", "null", "123456789012", '"type"', '"key"', '"items"', '"value"',
    '"tensor"', '"array"', '"numpy_scalar"', '"dict"', '"list"', '"tuple"', '"requires_grad"',
    '"array_1"', '"array_9"', f'"{serialization._METADATA_KEY}"',
]  # fmt: skip


@st.composite
def text_edits(draw, text):
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = start + draw(st.integers(0, 12))
        text = text[:start] + draw(st.sampled_from(JSON_TOKENS)) + text[end:]
    return text


NODE_TYPES = ["value", "array", "tensor", "numpy_scalar", "dict", "list", "tuple", "set"]
ARRAY_KEYS = ["array_0", "array_1", "array_2", "array_3", "array_9", serialization._METADATA_KEY]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=4,
)
# Metadata trees: nodes of every type (valid or not) over the arrays of the valid checkpoint.
TREES = st.recursive(
    st.fixed_dictionaries(
        {"type": st.sampled_from(NODE_TYPES), "key": st.sampled_from(ARRAY_KEYS)},
        optional={"requires_grad": st.booleans(), "value": JSON_VALUES},
    )
    | JSON_VALUES,
    lambda inner: st.fixed_dictionaries(
        {
            "type": st.sampled_from(["dict", "list", "tuple"]),
            "items": st.lists(inner | st.tuples(st.integers(0, 2) | st.text(max_size=2), inner)),
        }
    ),
    max_leaves=6,
)


@given(noise=st.binary(max_size=4096))
def test_fuzz_loaders_with_random_bytes(folder, noise):
    assert_clean_or_value_error(mt.load, write(folder, "noise.ckpt", noise))
    assert_clean_or_value_error(read_idx, write(folder, "noise-idx", noise))
    assert_clean_or_value_error(read_idx, write(folder, "noise-idx.gz", noise))
    assert_clean_or_value_error(read_idx, write(folder, "noise2-idx.gz", gzip.compress(noise)))


@given(data=st.data())
def test_fuzz_checkpoint_with_mutated_bytes(folder, data):
    checkpoint = valid_checkpoint()
    hot = npy_header_positions(checkpoint) + list(range(len(checkpoint) - 22, len(checkpoint)))
    blob = data.draw(mutations_of(checkpoint, hot))
    assert_clean_or_value_error(mt.load, write(folder, "mutated.ckpt", blob))


@given(data=st.data())
def test_fuzz_checkpoint_with_mutated_entries(folder, data):
    """Entries changed, then zipped again with correct checksums, so the changes reach the
    .npy and metadata parsers instead of stopping at the zip CRC check."""
    with zipfile.ZipFile(io.BytesIO(valid_checkpoint())) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    name = data.draw(st.sampled_from(sorted(members)))
    metadata_name = f"{serialization._METADATA_KEY}.npy"
    if name == metadata_name and data.draw(st.booleans()):
        text = str(np.load(io.BytesIO(members[name]))[()])
        members[name] = npy_bytes(np.array(data.draw(text_edits(text))))
    else:
        members[name] = data.draw(mutations_of(members[name], list(range(128))))
    compression = data.draw(st.sampled_from((zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)))
    path = write(folder, "entries.ckpt", zip_bytes(members, compression))
    assert_clean_or_value_error(mt.load, path)


IDX = idx_bytes(np.arange(60, dtype=np.uint8).reshape(3, 4, 5))


@given(data=st.data(), compressed=st.booleans())
def test_fuzz_idx_with_mutations(folder, data, compressed):
    blob = data.draw(mutations_of(IDX, list(range(16))))
    path = write(folder, "mutated-idx3-ubyte" + (".gz" if compressed else ""), blob)
    if compressed:
        path.write_bytes(gzip.compress(blob))
    assert_clean_or_value_error(read_idx, path)
    if compressed:  # and the compressed stream itself damaged
        path.write_bytes(data.draw(mutations_of(path.read_bytes(), list(range(24)))))
        assert_clean_or_value_error(read_idx, path)


@given(root=TREES)
def test_fuzz_checkpoint_with_random_metadata_trees(folder, root):
    with zipfile.ZipFile(io.BytesIO(valid_checkpoint())) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[f"{serialization._METADATA_KEY}.npy"] = metadata_npy(root)
    assert_clean_or_value_error(mt.load, write(folder, "tree.ckpt", zip_bytes(members)))
