"""Readers for the real file formats the lessons use: IDX (MNIST, Fashion-MNIST), CIFAR-10 "python
version" batches, NumPy .npz and CSV.

Every reader takes a path or the file's bytes (an upload) and raises DataFormatError, saying what was
expected and what was found, for a file that is not what it claims to be. Nothing here executes code
from a file: CIFAR batches are pickles and go through a restricted unpickler; .npz refuses pickles. Nothing
here allocates more than a file really holds (`core.datasets.limits`): decompression is capped, and every
declared array size is checked against the bytes present before an array is made.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from typing import TYPE_CHECKING

import numpy as np

from core.datasets.limits import (
    MAX_BYTES,
    MAX_CELLS,
    MAX_FEATURES,
    MAX_SAMPLES,
    Source,
    check_array_size,
    open_zip,
    read_source,
)
from core.datasets.safe_pickle import unpickle_plain
from core.errors import DataFormatError

if TYPE_CHECKING:
    import pandas as pd

# IDX type codes (third byte of the magic number) -> big-endian numpy dtype.
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
IDX_LABELS_MAGIC, IDX_IMAGES_MAGIC = 2049, 2051


def load_idx(source: Source) -> np.ndarray:
    """Read an IDX file (raw or gzip-compressed) into an array with the dims from its header.

    Labels files (magic 2049) give (n,); image files (magic 2051) give (n, rows, cols), uint8.
    """
    raw, label = read_source(source)
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


def load_cifar_batch(source: Source) -> tuple[np.ndarray, np.ndarray]:
    """Read one CIFAR-10 "python version" batch: images (n, 32, 32, 3) uint8 and labels (n,) int64."""
    return read_cifar_batch(source)[:2]


def read_cifar_batch(source: Source) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    """One CIFAR-format batch: images (n, 32, 32, 3) uint8, labels (n,) int64 and its file names (None when the
    batch has no usable `filenames`)."""
    raw, label = read_source(source)
    if not raw:
        raise DataFormatError(f"{label} is empty. Expected a CIFAR-10 batch such as data_batch_1.")
    batch = unpickle_plain(raw, label, "a CIFAR-10 batch")
    if not isinstance(batch, dict):
        raise DataFormatError(f"{label}: expected a dict with data and labels, found {type(batch).__name__}.")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data = batch.get("data")
    labels = batch.get("labels", batch.get("fine_labels"))
    if not isinstance(data, np.ndarray) or labels is None:
        raise DataFormatError(f"{label}: expected keys 'data' (an array) and 'labels', found {sorted(batch)}.")
    if data.dtype == object or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise DataFormatError(
            f"{label}: expected 'data' of shape (n, 3072) (32x32 pixels x 3 channels), found {data.shape}."
        )
    y = np.asarray(labels)
    if y.dtype == object or y.shape != (data.shape[0],):
        raise DataFormatError(f"{label}: expected {data.shape[0]} integer labels, found shape {y.shape}.")
    x = np.asarray(data).astype(np.uint8, copy=False).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    names = batch.get("filenames")
    if not (isinstance(names, list) and len(names) == len(y) and all(isinstance(n, (bytes, str)) for n in names)):
        names = None
    else:
        names = [(n.decode("utf-8", "replace") if isinstance(n, bytes) else n)[:200] for n in names]
    return np.ascontiguousarray(x), y.astype(np.int64), names


def load_cifar_meta(source: Source) -> tuple[str, ...]:
    """The class names of a CIFAR-format folder's `batches.meta` (its label_names), read through the same
    allow-list unpickler as the batches."""
    raw, label = read_source(source)
    meta = unpickle_plain(raw, label, "a batches.meta")
    names = meta.get(b"label_names", meta.get("label_names")) if isinstance(meta, dict) else None
    if not isinstance(names, list) or not names or not all(isinstance(n, (bytes, str)) for n in names):
        raise DataFormatError(f"{label}: expected a dict with label_names, a list of class names.")
    return tuple((n.decode("utf-8", "replace") if isinstance(n, bytes) else n).strip() for n in names)


def load_npz(source: Source) -> dict[str, np.ndarray]:
    """Read a .npz archive with pickles refused and every size checked before anything is inflated or
    allocated. Returns {name: array}."""
    raw, label = read_source(source)
    try:
        archive = open_zip(raw, label)
        members = [m for m in archive.infolist() if m.filename.endswith(".npy")]
        declared = sum(m.file_size for m in members)
        if declared > MAX_BYTES:
            raise DataFormatError(
                f"{label} declares {declared / 2**20:.0f} MB of arrays, over the "
                f"{MAX_BYTES / 2**20:.0f} MB NN Lab unpacks from one file. Refused."
            )
        arrays, left = {}, MAX_BYTES
        for m in members:
            with archive.open(m) as f:
                data = f.read(left + 1)  # a member that lies about its size still stops here
            left -= len(data)
            if left < 0:
                raise DataFormatError(f"{label} inflates to more than {MAX_BYTES / 2**20:.0f} MB. Refused.")
            arrays[m.filename[:-4]] = _npy_array(data, f"{label}: {m.filename}")
        return arrays
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        if isinstance(exc, DataFormatError):
            raise
        raise DataFormatError(
            f"{label} is not a readable .npz archive ({exc}). Save one with "
            "numpy.savez(path, x=images, y=labels) and upload it again."
        ) from exc


def _npy_array(data: bytes, label: str) -> np.ndarray:
    """One .npy file's array, read from its header and the bytes that follow it (no pickles, no copies)."""
    fmt = np.lib.format
    f = io.BytesIO(data)
    version = fmt.read_magic(f)
    header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, fortran, dtype = header(f)
    if dtype.hasobject:
        raise DataFormatError(f"{label} holds Python objects (a pickle), which NN Lab never loads. Save plain arrays.")
    check_array_size(label, tuple(shape), dtype.itemsize, available=len(data) - f.tell())
    count = int(np.prod(shape)) if shape else 1
    return np.frombuffer(data, dtype=dtype, count=count, offset=f.tell()).reshape(shape, order="F" if fortran else "C")


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


TEXT_CHOICES = ("refuse", "encode", "drop")


def load_csv(source: Source, target: str | None = None, text: str = "refuse") -> tuple["pd.DataFrame", "pd.Series"]:
    """Read a CSV into (features DataFrame, target Series). The target defaults to the last column. Feature
    columns holding text are refused, one-hot encoded (`text="encode"`: one 0/1 column per value, named
    column_value, as scikit-learn's OneHotEncoder does) or dropped (`text="drop"`)."""
    import pandas as pd

    raw, label = read_source(source)
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
    if text not in TEXT_CHOICES:
        raise DataFormatError(f"text columns: expected one of {', '.join(TEXT_CHOICES)}, received {text!r}.")
    columns = text_columns(features)
    if columns and text == "drop":
        features = features.drop(columns=columns)
    elif columns and text == "encode":
        wide = sum(features[c].nunique() for c in columns) + features.shape[1] - len(columns)
        if wide > MAX_FEATURES:
            raise DataFormatError(
                f"{label}: one-hot encoding {', '.join(columns)} would make {wide:,} columns, over "
                f"the {MAX_FEATURES:,} NN Lab takes. Drop those columns instead."
            )
        features = pd.get_dummies(features, columns=columns, prefix_sep="_", dtype=float)
    if features.shape[1] == 0:
        raise DataFormatError(f"{label}: no feature columns are left once the text columns are dropped.")
    if columns and text == "refuse":
        raise DataFormatError(
            f"{label}: feature columns must be numbers; {', '.join(columns)} hold text. One-hot encode them or "
            "drop them (NN Lab offers both), or choose one of them as the target."
        )
    return features, frame[target]


def text_columns(features: "pd.DataFrame") -> list[str]:
    """The feature columns that hold text (not numbers)."""
    import pandas as pd

    return [str(c) for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]


def load_csv_columns(source: Source) -> list[str]:
    """The header of a CSV file, to choose the target column before loading."""
    raw, label = read_source(source)
    return [str(c) for c in _parse_csv(raw, label, nrows=0).columns]


def _parse_csv(raw: bytes, label: str, **options) -> "pd.DataFrame":
    """pandas.read_csv on the file's bytes, once rows x columns are known to be at most MAX_CELLS; any parse
    failure becomes one DataFormatError."""
    import pandas as pd

    body = raw.rstrip(b"\r\n")
    rows = body.count(b"\n") + body.count(b"\r") - body.count(b"\r\n") + 1  # every line end: \n, \r or \r\n
    columns = re.split(rb"\r\n|\r|\n", raw, maxsplit=1)[0].count(b",") + 1
    if columns > MAX_FEATURES + 1 or rows > MAX_SAMPLES + 1:
        raise DataFormatError(
            f"{label} has about {rows:,} rows x {columns:,} columns; NN Lab reads at most "
            f"{MAX_SAMPLES:,} rows and {MAX_FEATURES:,} feature columns from one CSV. Use a sample "
            "of the rows or fewer columns."
        )
    if rows * columns > MAX_CELLS:
        raise DataFormatError(
            f"{label} has about {rows:,} rows x {columns} columns, over the {MAX_CELLS:,} values "
            "NN Lab reads from one CSV. Use a sample of the rows or fewer columns."
        )
    try:
        return pd.read_csv(io.BytesIO(raw), **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise DataFormatError(f"{label} is not a readable CSV file ({exc}).") from exc
