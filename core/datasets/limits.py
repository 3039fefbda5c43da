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

import io
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO, Union

from core.errors import DataFormatError, UploadTooLarge

MAX_BYTES = 64 * 2**20  # one file, one upload's files together, one file's unpacked content
MAX_CELLS = 5_000_000  # a CSV's rows x columns (about 40 MB of numbers once parsed)
# Every dimension is bounded before any work on it (issue #24: a few KB that declare a huge shape must cost
# nothing). Each limit names what it protects; the lesson files (MNIST 70,000 28x28, CIFAR-10 batches of 10,000
# 32x32x3) are well inside.
MAX_SAMPLES = 100_000  # rows / images one dataset holds: every page's tables, splits and epochs scale with it
MAX_FEATURES = 3_072  # columns of a table (CIFAR's 32x32x3 flattened): the Data page summarises per column
MAX_IMAGE_SIDE = 256  # height and width of an image array (.npz, IDX): a float32 copy is side^2 x 4 bytes
MAX_CHANNELS = 4  # colour channels of an image array
MAX_CLASSES = 100  # classes of a classification target (each gets a colour, a row, an output unit)
MAX_FILES = 10  # files in one upload (CIFAR-10's five batches, test_batch and batches.meta fit)
MAX_ZIP_ENTRIES = 25_000  # entries in a zip's central directory, read before zipfile parses them
MAX_ZIP_PIXELS = 100_000_000  # pixels decoded from all images of one zip, read from each image's header first
CHUNK = 2**20
Source = Union[str, Path, bytes, bytearray, memoryview, BinaryIO]


def megabytes(n: int) -> str:
    """A size as the messages say it ("64 MB")."""
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
        raise DataFormatError(
            f"{label} is larger than {megabytes(limit)}, the most NN Lab reads from one file. "
            "Use a smaller file, or a subset of the data."
        )
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
            raise DataFormatError(
                f"{path.name} is {megabytes(info.st_size)}, over the {megabytes(limit)} NN Lab reads from one file."
            )
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
                        f"{label} inflates to more than {megabytes(limit)}, the most NN Lab unpacks from one file (a "
                        "compressed file this small that grows this much is a decompression bomb). Refused."
                    )
                out.append(piece)
                if d.eof:
                    break
            if not d.eof:
                raise DataFormatError(f"{label} looks {kind} but is corrupt or cut short. Download it again.")
            data = d.unused_data.lstrip(b"\x00") if wbits == 31 else b""  # gzip: the next member, if any
    except zlib.error as exc:
        raise DataFormatError(f"{label} looks {kind} but is corrupt or cut short ({exc}). Download it again.") from exc
    return b"".join(out)


def check_array_size(
    label: str, shape: tuple, itemsize: int, available: int | None = None, limit: int = MAX_BYTES
) -> int:
    """The byte size a declared array needs, or DataFormatError when the shape is not plain non-negative
    whole numbers, needs more than `limit`, or more than the `available` bytes that are really there."""
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise DataFormatError(f"{label}: an array declares the shape {shape!r}, which is not one.")
    size = itemsize
    for d in shape:
        size *= d
    if size > limit:
        raise DataFormatError(
            f"{label}: an array declares {megabytes(size)} of data, over the {megabytes(limit)} NN Lab "
            "reads from one file. Refused before allocating it."
        )
    if available is not None and size != available:
        raise DataFormatError(f"{label}: an array declares {size} bytes of data but the file holds {available}.")
    return size


def check_upload(sizes: dict[str, int]) -> None:
    """Refuse an upload from its files' sizes alone (Streamlit's UploadedFile.size), before any is read."""
    if len(sizes) > MAX_FILES:
        raise UploadTooLarge(
            f"This upload has {len(sizes)} files; NN Lab takes at most {MAX_FILES} at once "
            "(CIFAR-10's batches, test_batch and batches.meta fit). Upload fewer files."
        )
    total = sum(sizes.values())
    if total > MAX_BYTES:
        raise UploadTooLarge(
            f"These files hold {total / 2**20:.0f} MB together, over the {megabytes(MAX_BYTES)} NN Lab "
            "takes in one upload (a class server shares its memory). Upload fewer files, for "
            "example two CIFAR-10 batches, or a subset saved as one .npz."
        )


def check_shape(label: str, shape: tuple, kind: str) -> None:
    """Refuse data of a shape past the limits above, before anything is converted or summarised.
    kind: "table" (n, features) or "image" (n, h, w[, c])."""
    shape = tuple(int(d) for d in shape)
    if shape and shape[0] > MAX_SAMPLES:
        raise DataFormatError(
            f"{label} holds {shape[0]:,} samples, over the {MAX_SAMPLES:,} NN Lab trains on from "
            "one upload. Upload a sample of the rows."
        )
    if kind == "table" and len(shape) == 2 and shape[1] > MAX_FEATURES:
        raise DataFormatError(
            f"{label} has {shape[1]:,} features (columns), over the {MAX_FEATURES:,} NN Lab "
            "takes. Keep fewer columns, or upload images as images."
        )
    if kind == "image" and len(shape) >= 3:
        h, w, c = shape[1], shape[2], shape[3] if len(shape) > 3 else 1
        if h > MAX_IMAGE_SIDE or w > MAX_IMAGE_SIDE or c > MAX_CHANNELS:
            raise DataFormatError(
                f"{label} holds images of {h} x {w} x {c}; NN Lab takes at most {MAX_IMAGE_SIDE} "
                f"pixels a side and {MAX_CHANNELS} channels. Shrink the images first."
            )


def check_classes(label: str, n_classes: int) -> None:
    if n_classes > MAX_CLASSES:
        raise DataFormatError(
            f"{label}: the target has {n_classes:,} different values, too many classes (at most "
            f"{MAX_CLASSES}). Choose regression, or another target column."
        )


def open_zip(raw: bytes, label: str) -> zipfile.ZipFile:
    """A zip archive whose entry count (from its end-of-central-directory record, read first) is at most
    MAX_ZIP_ENTRIES. DataFormatError, naming the file, for anything unreadable."""
    end = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65_557))
    if end < 0 or len(raw) < end + 22:
        raise DataFormatError(f"{label} is not a readable zip file (no end-of-archive record).")
    entries, directory = struct.unpack("<HI", raw[end + 10 : end + 16])
    locator = end - 20
    if entries == 0xFFFF and locator >= 0 and raw[locator : locator + 4] == b"PK\x06\x07":  # zip64
        offset = struct.unpack("<Q", raw[locator + 8 : locator + 16])[0]
        if raw[offset : offset + 4] != b"PK\x06\x06" or len(raw) < offset + 48:
            raise DataFormatError(f"{label} is not a readable zip file (a broken zip64 record).")
        entries, directory = struct.unpack("<QQ", raw[offset + 32 : offset + 48])
    entries = max(entries, directory // 160)  # zipfile parses the whole directory, whatever the count says:
    # bound its size too (an entry: 46 bytes and its name)
    if entries > MAX_ZIP_ENTRIES:
        raise DataFormatError(
            f"{label} lists {entries:,} entries, over the {MAX_ZIP_ENTRIES:,} NN Lab opens in one zip. Zip fewer files."
        )
    try:
        return zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error) as exc:
        raise DataFormatError(f"{label} is not a readable zip file ({exc}).") from exc
