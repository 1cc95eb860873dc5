"""Save and load state dicts without pickle.

The format follows the file name. ``.safetensors``: the safetensors format (a JSON header
and raw little-endian arrays) that PyTorch reads with ``safetensors.torch.load_file``; it
holds one flat dict of arrays by name, a ``state_dict``, and needs the optional
``safetensors`` package. Any other name: a minitorch checkpoint, one ``.npz`` file with
every array under a generated key, plus a JSON entry that describes the nesting (dicts,
lists, tuples, Python scalars) and points at those keys, so a model's and an optimizer's
state can go in one file. Loading never unpickles anything, so a hostile file cannot run
code.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from minitorch import devices
from minitorch._untrusted import read_at_most
from minitorch.tensor import Tensor, from_numpy

__all__ = ["load", "save"]

FORMAT_NAME = "minitorch-checkpoint"
FORMAT_VERSION = 1
_METADATA_KEY = "__minitorch_metadata__"
_SCALAR_TYPES = (bool, int, float, str, type(None))
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows only: no newline translation


def save(obj: Any, f: str | os.PathLike[str] | BinaryIO) -> None:
    """Write ``obj`` to ``f``, a file name (exactly that name) or, as in PyTorch, a binary
    file object open for writing (``io.BytesIO``, ``open(name, "wb")``): a safetensors file
    when the name ends in ``.safetensors``, else a minitorch checkpoint.

    For a minitorch checkpoint, ``obj`` may nest dicts (str or int keys), lists and tuples
    of ndarrays, Tensors, NumPy scalars and Python bools, ints, floats, strings and None. A
    safetensors file takes a flat dict of arrays or Tensors by name (``model.state_dict()``).
    A whole Module or Optimizer is refused: save its ``state_dict()``. A named file is
    replaced atomically, so a crash never leaves a half-written checkpoint behind.
    """
    safetensors = _name_of(f).endswith(".safetensors")
    write = _safetensors_writer(obj) if safetensors else _checkpoint_writer(obj)
    if _is_file_object(f):
        write(f)  # type: ignore[arg-type]
    else:
        _write_atomically(Path(f), write)  # type: ignore[arg-type]


def _checkpoint_writer(obj: Any) -> Callable[[BinaryIO], Any]:
    """What writes ``obj`` as a minitorch checkpoint into a stream (checked and encoded
    before anything is written)."""
    arrays: dict[str, np.ndarray] = {}
    structure = _encode(obj, "obj", arrays)
    metadata = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "root": structure}
    arrays[_METADATA_KEY] = np.array(json.dumps(metadata))
    return lambda stream: np.savez(stream, allow_pickle=False, **arrays)


def _safetensors_writer(obj: Any) -> Callable[[BinaryIO], Any]:
    content = _safetensors_bytes(obj)
    return lambda stream: stream.write(content)


def _is_file_object(f: Any) -> bool:
    return hasattr(f, "read") or hasattr(f, "write")


def _name_of(f: Any) -> str:
    """What errors call ``f``: its path, or the name of a file object (``<stream>`` for one
    without, such as ``io.BytesIO``)."""
    if _is_file_object(f):
        name = getattr(f, "name", "<stream>")
        return name if isinstance(name, str) else "<stream>"
    return os.fspath(f) if isinstance(f, os.PathLike) else str(f)


def _write_atomically(path: Path, write: Callable[[BinaryIO], Any]) -> None:
    """Write the file through ``write(stream)`` into a temporary file beside ``path``, then
    rename it to ``path``."""
    temp_path = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    # Created as open() would create the file (0o666 less the umask), then given the mode
    # of the file it replaces, if there is one.
    file_descriptor = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
    try:
        with os.fdopen(file_descriptor, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temp_path, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(temp_path, path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


def load(f: str | os.PathLike[str] | BinaryIO, map_location: Any = None, *,
         weights_only: bool = True, mmap: bool | None = None) -> Any:
    """Read a file written by :func:`save` (or any safetensors file, by its suffix) from
    ``f``, a file name or, as in PyTorch, a binary file object open for reading (at the
    position where the checkpoint starts).

    From a minitorch checkpoint, Tensors come back as Tensors (with their
    ``requires_grad``), arrays as arrays and Python scalars, containers and int dict keys as
    themselves; from a safetensors file, a dict of Tensors by name, like ``state_dict()``
    (and ``safetensors.torch.load_file``). Raises FileNotFoundError for a missing file and
    ValueError naming the file when it is not readable (a corrupt header, an unsupported
    dtype, ...). Nothing is
    ever unpickled, so loading is always what PyTorch calls ``weights_only``; the argument is
    accepted so that PyTorch calls run unchanged, as are ``map_location`` (everything loads
    onto the CPU; naming another device raises) and ``mmap``. Memory use follows the file's
    real content, whatever sizes it claims.
    """
    if isinstance(map_location, (str, devices.device)):
        devices.on_cpu(map_location)
    path = _name_of(f)
    if path.endswith(".safetensors"):
        return _load_safetensors(f, path)
    # Opening separately lets a missing or unreadable file raise its own OSError; every
    # error after this point is about the file's content.
    with _opened(f) as stream:
        try:
            archive = zipfile.ZipFile(stream)
        except _UNREADABLE_CONTENT as exc:
            raise ValueError(f"{path}: not a minitorch checkpoint ({exc})") from exc
        with archive:
            _refuse_pytorch_pickles(archive, path)
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
    _refuse_whole_objects(obj)
    raise TypeError(
        f"cannot save an object of type {type(obj).__name__} at {key_path}: expected ndarray, "
        f"Tensor, dict, list, tuple, bool, int, float, str or None"
    )


def _refuse_whole_objects(obj: Any) -> None:
    """A Module or an Optimizer could only be stored by pickling it: say what to save."""
    from minitorch.nn.module import Module
    from minitorch.optim.optimizer import Optimizer

    if isinstance(obj, (Module, Optimizer)):
        kind = "model" if isinstance(obj, Module) else "optimizer"
        raise TypeError(
            f"cannot save a whole {type(obj).__name__}: minitorch never pickles code; save "
            f"{kind}.state_dict() instead, and load it with {kind}.load_state_dict()"
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


def _refuse_pytorch_pickles(archive: zipfile.ZipFile, path: str) -> None:
    """A file written by ``torch.save`` (a zip around a pickle, ``.../data.pkl``) can only
    be read by unpickling it, which minitorch never does: say what to do instead."""
    if _METADATA_KEY + ".npy" in archive.namelist():
        return
    if any(name == "data.pkl" or name.endswith("/data.pkl") for name in archive.namelist()):
        raise ValueError(
            f"{path}: a file written by PyTorch's torch.save, which only unpickling can read, "
            "and minitorch never unpickles. In PyTorch, save the state dict as safetensors "
            "(safetensors.torch.save_file(model.state_dict(), 'model.safetensors')) and load "
            "that file here with minitorch.load('model.safetensors')"
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


# --------------------------------------------------------------------------- safetensors


def _safetensors_module() -> Any:
    try:
        import safetensors.numpy
    except ImportError:
        raise ModuleNotFoundError(
            "reading and writing .safetensors files needs the safetensors package: "
            "pip install 'minitorch[safetensors]' (or save to a .npz name instead)"
        ) from None
    return safetensors.numpy


def _safetensors_bytes(state: Any) -> bytes:
    """``state``, a flat dict of arrays by name, in the safetensors format."""
    if not isinstance(state, dict):
        _refuse_whole_objects(state)
        raise TypeError(
            f"a .safetensors file holds a dict of arrays by name (a state_dict), got "
            f"{type(state).__name__}; save other objects to a .npz name"
        )
    arrays = {}
    for name, value in state.items():
        if not isinstance(name, str):
            raise TypeError(f"safetensors names must be strings, got {name!r}")
        array = value._data if isinstance(value, Tensor) else value
        if not isinstance(array, (np.ndarray, np.generic)) or array.dtype.kind not in "biuf":
            raise TypeError(
                f"cannot save {name!r} to a .safetensors file: expected a numeric array or "
                f"Tensor, got {type(value).__name__} (save nested checkpoints to a .npz name)"
            )
        arrays[name] = np.asarray(array, order="C")  # (ascontiguousarray makes 0-d 1-d)
    return _safetensors_module().save(arrays)


def _opened(f: Any) -> contextlib.AbstractContextManager[BinaryIO]:
    """``f`` opened for reading (a missing file raises its own OSError); a file object is
    used as it is, and left open, as its owner opened it."""
    return contextlib.nullcontext(f) if _is_file_object(f) else open(f, "rb")


def _load_safetensors(f: Any, path: str) -> dict[str, Tensor]:
    with _opened(f) as stream:
        content = stream.read()
    reader = _safetensors_module()
    try:
        arrays = reader.load(content)
    except KeyError as exc:  # the reader's table of dtypes has no entry for this one
        raise ValueError(f"{path}: unsupported dtype {exc.args[0]} in safetensors file") from None
    except Exception as exc:  # the reader's own error type for a corrupt header or data
        raise ValueError(f"{path}: not a readable safetensors file ({exc})") from exc
    state = {}
    for name, array in sorted(arrays.items()):  # the file's order is not the model's
        if array.dtype.kind not in "biuf":
            raise ValueError(f"{path}: unsupported dtype {array.dtype} for {name!r}")
        state[name] = from_numpy(np.array(array))  # a writable copy of the read-only buffer
    return state
