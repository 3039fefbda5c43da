"""Readers for the real file formats the lessons use: IDX (MNIST, Fashion-MNIST), CIFAR-10 "python
version" batches, NumPy .npz and CSV.

Every reader takes a path or the file's bytes (an upload) and raises DataFormatError, saying what was
expected and what was found, for a file that is not what it claims to be. Nothing here executes code
from a file: CIFAR batches are pickles and go through a restricted unpickler; .npz refuses pickles.
"""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Union

import numpy as np

from core.errors import DataFormatError

if TYPE_CHECKING:
    import pandas as pd

Source = Union[str, Path, bytes, BinaryIO]

# IDX type codes (third byte of the magic number) -> big-endian numpy dtype.
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
IDX_LABELS_MAGIC, IDX_IMAGES_MAGIC = 2049, 2051


def _read_bytes(source: Source) -> tuple[bytes, str]:
    """(content, display name). Gzip is recognised by its magic bytes, not by the file name."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw, label = bytes(source), "the uploaded file"
    elif hasattr(source, "read"):
        raw, label = source.read(), getattr(source, "name", "the uploaded file")
    else:
        path = Path(source)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DataFormatError(f"Could not read {path}: {exc.strerror or exc}.") from exc
        label = str(path)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataFormatError(
                f"{label} looks gzip-compressed but is corrupt or cut short ({exc}). Download it again."
            ) from exc
    return raw, label


def load_idx(source: Source) -> np.ndarray:
    """Read an IDX file (raw or gzip-compressed) into an array with the dims from its header.

    Labels files (magic 2049) give (n,); image files (magic 2051) give (n, rows, cols), uint8.
    """
    raw, label = _read_bytes(source)
    if len(raw) < 4:
        raise DataFormatError(f"{label} is empty or too short to be an IDX file ({len(raw)} bytes).")
    zero, type_code, ndim = struct.unpack(">HBB", raw[:4])
    magic = struct.unpack(">I", raw[:4])[0]
    if zero != 0 or type_code not in IDX_DTYPES or not 1 <= ndim <= 4:
        raise DataFormatError(
            f"{label} is not an IDX file: its magic number is {magic}, expected {IDX_LABELS_MAGIC} "
            f"(labels) or {IDX_IMAGES_MAGIC} (images), as in MNIST's train-images-idx3-ubyte."
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataFormatError(f"{label} is truncated: its header promises {ndim} dimensions but the file ends.")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(IDX_DTYPES[type_code])
    expected = int(np.prod(dims)) * dtype.itemsize
    found = len(raw) - header
    if found != expected:
        what = "truncated" if found < expected else "longer than its header says"
        raise DataFormatError(
            f"{label} is {what}: the header says {' x '.join(map(str, dims))} values "
            f"({expected} bytes of data), the file has {found}. Download it again."
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickles plain containers and numpy arrays, and nothing that could run code.

    A pickle names the callables it wants invoked; any name outside this allow-list makes the whole
    file refused before anything from it runs.
    """

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"): ("numpy._core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"): ("numpy._core.numeric", "_frombuffer"),
        ("numpy", "ndarray"): ("numpy", "ndarray"),
        ("numpy", "dtype"): ("numpy", "dtype"),
        ("_codecs", "encode"): ("_codecs", "encode"),   # how Python 3 pickles bytes at protocol 2
    }

    def find_class(self, module: str, name: str) -> object:
        target = self.ALLOWED.get((module, name))
        if target is None:
            raise DataFormatError(
                f"Refused the file: it asks to run {module}.{name} while loading. A CIFAR-10 batch holds "
                "only arrays and lists; this file may be malicious. Use the official "
                "'CIFAR-10 python version' batches (data_batch_1 ... data_batch_5, test_batch)."
            )
        import importlib

        return getattr(importlib.import_module(target[0]), target[1])


def load_cifar_batch(source: Source) -> tuple[np.ndarray, np.ndarray]:
    """Read one CIFAR-10 "python version" batch: images (n, 32, 32, 3) uint8 and labels (n,) int64."""
    raw, label = _read_bytes(source)
    if not raw:
        raise DataFormatError(f"{label} is empty. Expected a CIFAR-10 batch such as data_batch_1.")
    try:
        batch = _ArrayOnlyUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except DataFormatError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise DataFormatError(
            f"{label} is not a readable CIFAR-10 batch ({type(exc).__name__}: {exc}). Expected a file "
            "such as data_batch_1 from the 'CIFAR-10 python version' archive."
        ) from exc
    if not isinstance(batch, dict):
        raise DataFormatError(f"{label}: expected a dict with data and labels, found {type(batch).__name__}.")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data = batch.get("data")
    labels = batch.get("labels", batch.get("fine_labels"))
    if not isinstance(data, np.ndarray) or labels is None:
        raise DataFormatError(
            f"{label}: expected keys 'data' (an array) and 'labels', found {sorted(batch)}."
        )
    if data.dtype == object or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise DataFormatError(
            f"{label}: expected 'data' of shape (n, 3072) (32x32 pixels x 3 channels), found {data.shape}."
        )
    y = np.asarray(labels)
    if y.dtype == object or y.shape != (data.shape[0],):
        raise DataFormatError(f"{label}: expected {data.shape[0]} integer labels, found shape {y.shape}.")
    x = data.astype(np.uint8, copy=False).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(x), y.astype(np.int64)


def load_npz(source: Source) -> dict[str, np.ndarray]:
    """Read a .npz archive with pickles refused. Returns {name: array}."""
    raw, label = _read_bytes(source)
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise DataFormatError(
            f"{label} is not a readable .npz archive ({exc}). Save one with "
            "numpy.savez(path, x=images, y=labels) and upload it again."
        ) from exc


def npz_arrays(arrays: dict[str, np.ndarray], label: str = "the .npz file") -> tuple[np.ndarray, np.ndarray]:
    """Pick (X, y) from an archive: keys x/y, X/y, or x_train/y_train (+ x_test/y_test, appended)."""
    for xk, yk in (("x", "y"), ("X", "y"), ("x_train", "y_train"), ("X_train", "y_train")):
        if xk in arrays and yk in arrays:
            X, y = arrays[xk], arrays[yk]
            tx, ty = xk.replace("train", "test"), yk.replace("train", "test")
            if xk.endswith("train") and tx in arrays and ty in arrays:
                X = np.concatenate([X, arrays[tx]])
                y = np.concatenate([np.ravel(y), np.ravel(arrays[ty])])
            return X, np.ravel(y) if np.ndim(y) > 1 and np.shape(y)[-1] == 1 else y
    raise DataFormatError(
        f"{label}: expected arrays named x and y (or x_train and y_train), found {sorted(arrays) or 'none'}."
    )


def load_csv(source: Source, target: str | None = None) -> tuple["pd.DataFrame", "pd.Series"]:
    """Read a CSV into (features DataFrame, target Series). The target defaults to the last column."""
    import pandas as pd

    raw, label = _read_bytes(source)
    if not raw.strip():
        raise DataFormatError(f"{label} is empty. Expected a header row and at least two data rows.")
    frame = _parse_csv(raw, label)
    if frame.shape[1] < 2 or len(frame) < 2:
        raise DataFormatError(
            f"{label}: expected at least one feature column, a target column and two rows; "
            f"found {frame.shape[1]} columns and {len(frame)} rows."
        )
    target = frame.columns[-1] if target is None else target
    if target not in frame.columns:
        raise DataFormatError(f"{label}: no column named {target!r}. Columns: {', '.join(map(str, frame.columns))}.")
    features = frame.drop(columns=[target])
    text = [str(c) for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    if text:
        raise DataFormatError(
            f"{label}: feature columns must be numbers; {', '.join(text)} hold text. Encode them as numbers "
            "or drop them, or choose one of them as the target."
        )
    return features, frame[target]


def load_csv_columns(source: Source) -> list[str]:
    """The header of a CSV file, to choose the target column before loading."""
    raw, label = _read_bytes(source)
    return [str(c) for c in _parse_csv(raw, label, nrows=0).columns]


def _parse_csv(raw: bytes, label: str, **options) -> "pd.DataFrame":
    """pandas.read_csv on the file's bytes; any parse failure becomes one DataFormatError."""
    import pandas as pd

    try:
        return pd.read_csv(io.BytesIO(raw), **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise DataFormatError(f"{label} is not a readable CSV file ({exc}).") from exc
