"""Reading untrusted bytes with bounded memory: what every reader of a file or an upload goes through.

A class server takes files from students. A 1 MB gzip file can inflate to gigabytes, a small pickle can
declare an array of gigabytes, and a path can name a FIFO that never ends. So every reader here:

- reads a file only when it is a regular file of at most `MAX_BYTES` (opened without blocking, checked with
  fstat on the open descriptor, so a FIFO or a device is refused, not read);
- decompresses gzip and zlib streams in chunks and stops past `MAX_BYTES` of output, with a message that says
  the limit;
- checks a declared array size against the bytes actually present before allocating (`check_array_size`).

MAX_BYTES is a little above the upload limit (`.streamlit/config.toml`, 50 MB): MNIST's largest file (47 MB)
and a whole mnist.npz (55 MB inflated) fit; anything that inflates further is refused.
"""

from __future__ import annotations

import os
import stat
import zlib
from pathlib import Path
from typing import BinaryIO, Union

from core.errors import DataFormatError

MAX_BYTES = 64 * 2**20
MAX_CELLS = 5_000_000          # a CSV's rows x columns (about 40 MB of numbers once parsed)
CHUNK = 2**20
Source = Union[str, Path, bytes, bytearray, memoryview, BinaryIO]


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def read_source(source: Source, limit: int = MAX_BYTES) -> tuple[bytes, str]:
    """(content, display name) of a path, an open binary file or bytes, decompressed when it is gzip
    (recognised by its magic bytes, not its name). DataFormatError for anything unreadable or over `limit`."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw, label = bytes(source), "the uploaded file"
    elif hasattr(source, "read"):
        raw, label = source.read(limit + 1), Path(getattr(source, "name", "the uploaded file")).name
    else:
        raw, label = read_file(Path(source), limit), Path(source).name
    if len(raw) > limit:
        raise DataFormatError(f"{label} is larger than {_mb(limit)}, the most NN Lab reads from one file. "
                              "Use a smaller file, or a subset of the data.")
    if raw[:2] == b"\x1f\x8b":
        raw = gunzip(raw, label, limit)
    return raw, label


def read_file(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Opened non-blocking and checked on the open
    descriptor: a FIFO, a device or a folder is refused without waiting on it. The message names the file,
    not the folder it is in."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise DataFormatError(f"Could not read {path.name}: {exc.strerror or exc}.") from exc
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise DataFormatError(f"{path.name} is not a regular file (a pipe, a device or a folder): not read.")
        if info.st_size > limit:
            raise DataFormatError(f"{path.name} is {_mb(info.st_size)}, over the {_mb(limit)} NN Lab reads "
                                  "from one file.")
        return f.read(limit + 1)


def gunzip(raw: bytes, label: str, limit: int = MAX_BYTES) -> bytes:
    """Inflate gzip data (every member), refusing output past `limit` bytes before it is all in memory."""
    return _inflate(raw, label, limit, wbits=31, kind="gzip-compressed")


def inflate(raw: bytes, label: str, limit: int = MAX_BYTES) -> bytes:
    """Inflate a zlib stream (joblib's compress=N files), refusing output past `limit` bytes."""
    return _inflate(raw, label, limit, wbits=15, kind="zlib-compressed")


def _inflate(raw: bytes, label: str, limit: int, wbits: int, kind: str) -> bytes:
    out, total, data = [], 0, raw
    try:
        while data:
            d = zlib.decompressobj(wbits)
            while data:
                piece = d.decompress(data, CHUNK)
                data = d.unconsumed_tail
                total += len(piece)
                if total > limit:
                    raise DataFormatError(
                        f"{label} inflates to more than {_mb(limit)}, the most NN Lab unpacks from one file (a "
                        "compressed file this small that grows this much is a decompression bomb). Refused.")
                out.append(piece)
                if d.eof:
                    break
            if not d.eof:
                raise DataFormatError(f"{label} looks {kind} but is corrupt or cut short. Download it again.")
            data = d.unused_data.lstrip(b"\x00") if wbits == 31 else b""     # gzip: the next member, if any
    except zlib.error as exc:
        raise DataFormatError(f"{label} looks {kind} but is corrupt or cut short ({exc}). Download it again.") from exc
    return b"".join(out)


def check_array_size(label: str, shape: tuple, itemsize: int, available: int | None = None,
                     limit: int = MAX_BYTES) -> int:
    """The byte size a declared array needs, or DataFormatError when the shape is not plain non-negative
    whole numbers, needs more than `limit`, or more than the `available` bytes that are really there."""
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise DataFormatError(f"{label}: an array declares the shape {shape!r}, which is not one.")
    size = itemsize
    for d in shape:
        size *= d
    if size > limit:
        raise DataFormatError(f"{label}: an array declares {_mb(size)} of data, over the {_mb(limit)} NN Lab "
                              "reads from one file. Refused before allocating it.")
    if available is not None and size != available:
        raise DataFormatError(f"{label}: an array declares {size} bytes of data but the file holds {available}.")
    return size
