"""Save and load state dicts without pickle.

A checkpoint is one ``.npz`` file: every array under a generated key, plus a JSON entry that
describes the nesting (dicts, lists, tuples, Python scalars) and points at those keys.
Loading never unpickles anything, so a hostile file cannot run code.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import stat
import tokenize
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from minitorch._untrusted import read_at_most
from minitorch.tensor import Tensor, from_numpy

__all__ = ["load", "save"]

FORMAT_NAME = "minitorch-checkpoint"
FORMAT_VERSION = 1
_METADATA_KEY = "__minitorch_metadata__"
_SCALAR_TYPES = (bool, int, float, str, type(None))
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows only: no newline translation


def save(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write ``obj`` to ``path`` (exactly that name) as a minitorch checkpoint.

    ``obj`` may nest dicts (str or int keys), lists and tuples of ndarrays, Tensors, NumPy
    scalars and Python bools, ints, floats, strings and None. The file is replaced atomically,
    so a crash never leaves a half-written checkpoint behind.
    """
    arrays: dict[str, np.ndarray] = {}
    structure = _encode(obj, "obj", arrays)
    metadata = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "root": structure}
    arrays[_METADATA_KEY] = np.array(json.dumps(metadata))

    path = Path(path)
    temp_path = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    # Created as open() would create the file (0o666 less the umask), then given the mode
    # of the file it replaces, if there is one.
    file_descriptor = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
    try:
        with os.fdopen(file_descriptor, "wb") as stream:
            np.savez(stream, allow_pickle=False, **arrays)
            stream.flush()
            os.fsync(stream.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temp_path, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(temp_path, path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


def load(path: str | os.PathLike[str], *, weights_only: bool = True) -> Any:
    """Read a checkpoint written by :func:`save`.

    Tensors come back as Tensors (with their ``requires_grad``), arrays as arrays and Python
    scalars, containers and int dict keys as themselves. Raises FileNotFoundError for a
    missing file and ValueError naming the file when it is not a readable minitorch
    checkpoint. A checkpoint never holds code, so loading is always what PyTorch calls
    ``weights_only``; the argument is accepted so that PyTorch calls run unchanged. Memory use
    follows the file's real content, whatever sizes it claims.
    """
    path = Path(path)
    # Opening separately lets a missing or unreadable file raise its own OSError; every
    # error after this point is about the file's content.
    with open(path, "rb") as stream:
        try:
            archive = zipfile.ZipFile(stream)
        except _UNREADABLE_CONTENT as exc:
            raise ValueError(f"{path}: not a minitorch checkpoint ({exc})") from exc
        with archive:
            try:
                metadata = _read_metadata(archive)
                return _decode(metadata["root"], archive, set())
            except _CorruptCheckpoint as exc:
                raise ValueError(f"{path}: {exc}") from exc
            except RecursionError as exc:
                message = "corrupt checkpoint metadata (nested too deeply)"
                raise ValueError(f"{path}: {message}") from exc
            except (KeyError, TypeError, AttributeError, ValueError) as exc:
                # Metadata that parses as JSON but does not describe a valid structure.
                raise ValueError(f"{path}: corrupt checkpoint metadata ({exc!r})") from exc


# --------------------------------------------------------------------------- encoding


def _encode(obj: Any, key_path: str, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Describe ``obj`` as JSON, moving its arrays into ``arrays`` under generated keys."""
    if isinstance(obj, Tensor):
        key = _store_array(obj._data, key_path, arrays)
        return {"type": "tensor", "key": key, "requires_grad": bool(obj.requires_grad)}
    if isinstance(obj, np.ndarray):
        return {"type": "array", "key": _store_array(obj, key_path, arrays)}
    if isinstance(obj, np.generic):
        return {"type": "numpy_scalar", "key": _store_array(np.asarray(obj), key_path, arrays)}
    if isinstance(obj, _SCALAR_TYPES):
        return {"type": "value", "value": obj}
    if isinstance(obj, dict):
        items = []
        for dict_key, value in obj.items():
            if isinstance(dict_key, bool) or not isinstance(dict_key, (str, int)):
                raise TypeError(
                    f"cannot save a dict key of type {type(dict_key).__name__} at {key_path}: "
                    f"keys must be str or int"
                )
            items.append([dict_key, _encode(value, f"{key_path}[{dict_key!r}]", arrays)])
        return {"type": "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        values = [_encode(value, f"{key_path}[{i}]", arrays) for i, value in enumerate(obj)]
        return {"type": type(obj).__name__, "items": values}
    raise TypeError(
        f"cannot save an object of type {type(obj).__name__} at {key_path}: expected ndarray, "
        f"Tensor, dict, list, tuple, bool, int, float, str or None"
    )


def _store_array(array: np.ndarray, key_path: str, arrays: dict[str, np.ndarray]) -> str:
    if array.dtype.hasobject:
        # Object arrays can only be stored by pickling, which load() refuses on purpose.
        raise TypeError(f"cannot save an array of dtype {array.dtype} at {key_path}")
    key = f"array_{len(arrays)}"
    arrays[key] = array
    return key


# --------------------------------------------------------------------------- decoding


class _CorruptCheckpoint(Exception):
    """Raised while decoding; load() turns it into a ValueError naming the file."""


# What zipfile and NumPy's .npy header parser raise, reading an open file, for content that
# is not a well-formed .npz/.npy file (a corrupt zip directory can even send them seeking to
# -1 or claim an encrypted entry, a RuntimeError; a mangled header can fail to tokenize).
_UNREADABLE_CONTENT = (
    ValueError,
    TypeError,
    SyntaxError,
    tokenize.TokenError,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    zipfile.BadZipFile,
    zlib.error,
)


def _read_metadata(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        metadata = json.loads(str(_read_array(archive, _METADATA_KEY)[()]))
    except json.JSONDecodeError as exc:
        raise _CorruptCheckpoint(f"corrupt checkpoint metadata ({exc})") from exc
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_NAME:
        raise _CorruptCheckpoint("not a minitorch checkpoint (unknown metadata format)")
    version = metadata.get("version")
    if version != FORMAT_VERSION:
        raise _CorruptCheckpoint(
            f"unsupported checkpoint format version {version!r}, "
            f"this minitorch reads version {FORMAT_VERSION}"
        )
    return metadata


# The .npy header versions np.savez writes for the arrays a checkpoint can hold.
_NPY_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


_NPZ_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # np.savez, np.savez_compressed


def _read_array(archive: zipfile.ZipFile, key: str) -> np.ndarray:
    """The array stored under ``key``, read as np.load would, but checking the shape in its
    header against the entry's size before reading, and never reading more than that."""
    try:
        entry = archive.getinfo(f"{key}.npy")
    except KeyError:
        if key == _METADATA_KEY:
            raise _CorruptCheckpoint(f"not a minitorch checkpoint (no {key} entry)") from None
        raise _CorruptCheckpoint(f"corrupt checkpoint: array {key!r} is missing") from None
    if entry.compress_type not in _NPZ_COMPRESSIONS:
        # zipfile inflates bzip2 and lzma entries without a bound on the output size.
        raise _CorruptCheckpoint(
            f"corrupt checkpoint: array {key!r} uses zip compression method "
            f"{entry.compress_type}, which np.savez never writes"
        )
    try:
        with archive.open(entry) as member:
            read_header = _NPY_HEADER_READERS.get(np.lib.format.read_magic(member))
            if read_header is None:
                raise ValueError("unsupported .npy format version")
            shape, fortran_order, dtype = read_header(member)
            if dtype.hasobject:
                raise ValueError(f"dtype {dtype} holds Python objects, which are never unpickled")
            count = math.prod(shape)
            needed, holds = count * dtype.itemsize, entry.file_size - member.tell()
            if min(shape, default=0) < 0 or needed != holds:
                raise ValueError(
                    f"its header claims shape {shape} of {dtype} ({needed} bytes), "
                    f"the entry holds {holds} bytes"
                )
            data, complete = read_at_most(member, needed + 1)  # one more: trailing data?
            if not complete or len(data) != needed:
                raise ValueError(f"the entry holds {len(data)} bytes, its header needs {needed}")
            array = np.frombuffer(data, dtype=dtype, count=count)
            return array.reshape(shape, order="F" if fortran_order else "C")
    except _UNREADABLE_CONTENT as exc:
        raise _CorruptCheckpoint(f"corrupt checkpoint: cannot read array {key!r} ({exc})") from exc


def _decode(node: dict[str, Any], archive: zipfile.ZipFile, used_keys: set[str]) -> Any:
    kind = node["type"]
    if kind == "value":
        return node["value"]
    if kind in ("array", "tensor", "numpy_scalar"):
        key = node["key"]
        if key in used_keys:
            # save() stores every array once; reading one twice would let a small file
            # claim any amount of memory.
            raise _CorruptCheckpoint(f"corrupt checkpoint metadata (array {key!r} used twice)")
        used_keys.add(key)
        array = _read_array(archive, key)
        if kind == "array":
            return array
        if kind == "numpy_scalar":
            return array[()]
        tensor = from_numpy(array)
        if node["requires_grad"]:
            if array.dtype.kind != "f":
                raise _CorruptCheckpoint(
                    f"corrupt checkpoint: tensor {key!r} of dtype {array.dtype} requires grad"
                )
            tensor.requires_grad_(True)
        return tensor
    if kind == "dict":
        return {key: _decode(value, archive, used_keys) for key, value in node["items"]}
    if kind == "list":
        return [_decode(value, archive, used_keys) for value in node["items"]]
    if kind == "tuple":
        return tuple(_decode(value, archive, used_keys) for value in node["items"])
    raise _CorruptCheckpoint(f"corrupt checkpoint metadata (unknown node type {kind!r})")
