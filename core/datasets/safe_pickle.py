"""The one way NN Lab opens a pickle (CIFAR-10 "python version" batches, scikit-learn's California cache): an
allow-list unpickler that builds containers and plain-number arrays and nothing else.

A pickle is a program; this one may only name `numpy.ndarray` (a name `_reconstruct` accepts, never a
constructor), numpy's `_reconstruct` (empty arrays only), `dtype` (plain numbers, rebuilt fresh), `_frombuffer`
(exactly the bytes declared) and `_codecs.encode` (latin-1 text). Every array is then checked against the bytes
present in the file (`core.datasets.limits.check_array_size`): nothing larger than the file is made.
"""

from __future__ import annotations

import importlib
import io
import pickle

import numpy as np

from core.datasets.limits import check_array_size
from core.errors import DataFormatError

PLAIN_DTYPES = {"b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"}


def _plain(dtype) -> np.dtype:
    """A fresh dtype for a plain number type (bool, int, uint, float of its natural size, either byte order),
    or DataFormatError. Rebuilt from its `str`, so a dtype a pickle altered with its own state is not used."""
    text = getattr(dtype, "str", None)
    if (
        not isinstance(dtype, np.dtype)
        or not isinstance(text, str)
        or text[:1] not in "<>|="
        or text[1:] not in PLAIN_DTYPES
    ):
        raise DataFormatError(
            f"Refused the file: it asks for arrays of type {text or dtype!r}; expected plain numbers."
        )
    fresh = np.dtype(text)
    if fresh.itemsize != dtype.itemsize or dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise DataFormatError("Refused the file: an array's type was altered while loading; expected plain numbers.")
    return fresh


class _NdarrayName:
    """What a pickle gets for `numpy.ndarray`: a name `_reconstruct` accepts, never a constructor. Called or
    instantiated it refuses, since numpy.ndarray(shape, dtype) returns memory the file never filled."""

    def __new__(cls, *args, **kwargs):
        raise DataFormatError(
            "Refused the file: it makes an array without its data (numpy.ndarray called "
            "directly), which would show whatever was in the server's memory."
        )


class _CheckedArray(np.ndarray):
    """An empty array being unpickled: its state must declare exactly as many plain-number bytes as it carries."""

    def __setstate__(self, state):
        if not (isinstance(state, tuple) and len(state) == 5 and isinstance(state[4], bytes)):
            raise DataFormatError("Refused the file: an array in it is not plain numbers stored as bytes.")
        dtype = _plain(state[2])
        check_array_size("the pickled array", tuple(state[1]), dtype.itemsize, available=len(state[4]))
        super().__setstate__((state[0], tuple(state[1]), dtype, bool(state[3]), state[4]))


def _reconstruct(subtype, shape, dtype):
    """numpy's array constructor for pickles: only an empty ndarray, to be filled by its state (BUILD) from
    bytes the file carries; anything else would hand out uninitialised memory."""
    if subtype is not _NdarrayName:
        raise DataFormatError("Refused the file: it rebuilds an array subclass, not a plain array.")
    if not any(d == 0 for d in tuple(shape)):  # numpy itself always writes shape (0,)
        raise DataFormatError(
            f"Refused the file: an array declares the shape {tuple(shape)} without carrying its "
            "data, which would show whatever was in the server's memory."
        )
    check_array_size("the pickled array", tuple(shape), 1)
    return importlib.import_module("numpy._core.multiarray")._reconstruct(_CheckedArray, shape, np.uint8)


def _dtype(name, align=False, copy=False):
    """numpy.dtype for plain number types only (no objects, records or sized blobs), always a copy: a pickle
    may BUILD the dtype it gets, and must never alter numpy's shared one."""
    text = name.decode("latin1") if isinstance(name, bytes) else name
    if not isinstance(text, str) or text.lstrip("<>|=") not in PLAIN_DTYPES:
        raise DataFormatError(f"Refused the file: it asks for arrays of type {text!r}; expected plain numbers.")
    return np.dtype(text, bool(align), True)


def _frombuffer(buffer, dtype, shape, order):
    """numpy's pickle-5 route: an array over bytes the file carries, of exactly their size."""
    if not isinstance(buffer, (bytes, bytearray)) or order not in ("C", "F"):
        raise DataFormatError("Refused the file: an array in it is not plain numbers stored as bytes.")
    dtype = _plain(dtype)
    check_array_size("the pickled array", tuple(shape), dtype.itemsize, available=len(buffer))
    return np.frombuffer(bytes(buffer), dtype=dtype).reshape(tuple(shape), order=order)


def _encode(text, encoding="utf-8", errors="strict"):
    """_codecs.encode, how Python 3 pickles bytes at protocol 2: latin-1 only (no codec that grows its input)."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise DataFormatError("Refused the file: it encodes bytes in an unexpected way.")
    return text.encode("latin1")


def _plain_arrays(obj, depth: int = 0):
    """The unpickled object with every array a plain ndarray (no _CheckedArray left behind)."""
    if isinstance(obj, np.ndarray):
        return np.asarray(obj).view(np.ndarray)
    if depth > 20:
        return obj
    if isinstance(obj, dict):
        return {k: _plain_arrays(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain_arrays(v, depth + 1) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_plain_arrays(v, depth + 1) for v in obj)
    return obj


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickles plain containers and numpy arrays of plain numbers, and nothing that could run code or
    allocate more than the file holds.

    A pickle names the callables it wants invoked; any name outside this allow-list makes the whole
    file refused before anything from it runs. The allowed ones are wrapped to check every declared size.
    """

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
        ("numpy.core.numeric", "_frombuffer"): _frombuffer,
        ("numpy._core.numeric", "_frombuffer"): _frombuffer,
        ("numpy", "ndarray"): _NdarrayName,
        ("numpy", "dtype"): _dtype,
        ("_codecs", "encode"): _encode,
    }

    def find_class(self, module: str, name: str) -> object:
        target = self.ALLOWED.get((module, name))
        if target is None:
            raise DataFormatError(
                f"Refused the file: it asks to run {module}.{name} while loading. A CIFAR-10 batch holds "
                "only arrays and lists; this file may be malicious. Use the official "
                "'CIFAR-10 python version' batches (data_batch_1 ... data_batch_5, test_batch)."
            )
        return target


def unpickle_plain(raw: bytes, label: str, kind: str = "a CIFAR-10 batch") -> object:
    """A pickle's containers and plain-number arrays, through the allow-list unpickler. DataFormatError for
    anything else, naming the file."""
    try:
        return _plain_arrays(_ArrayOnlyUnpickler(io.BytesIO(raw), encoding="bytes").load())
    except DataFormatError as exc:
        raise DataFormatError(f"{label}: {exc}") from exc
    except (
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,
        OverflowError,
        RecursionError,
    ) as exc:
        raise DataFormatError(
            f"{label} is not a readable {kind[2:] if kind.startswith('a ') else kind} ({type(exc).__name__}: "
            f"{exc}). Expected a file such as data_batch_1 from the 'CIFAR-10 python version' archive."
        ) from exc
