"""A class server reads students' files: nothing may take the server's memory or time. Bombs, amplified
pickles and crafted shapes are refused with a message, before any work, and their peak memory is measured in a
fresh interpreter."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from formats import idx_bytes

from core.datasets.limits import MAX_BYTES
from core.datasets.readers import load_cifar_batch
from core.errors import DataFormatError

GB = 2**30
PEAK_BUDGET_MB = 500


# -- decompression bombs and amplified pickles: refused, with bounded peak memory -------------------------------
def _gzip_of(chunk: bytes, total: int) -> bytes:
    c, out = zlib.compressobj(1, zlib.DEFLATED, 31), []
    for _ in range(total // len(chunk)):
        out.append(c.compress(chunk))
    return b"".join(out + [c.flush()])


def _npz_bomb(total: int) -> bytes:
    buffer = io.BytesIO()
    header = io.BytesIO()
    np.lib.format.write_array_header_2_0(header, {"descr": "|u1", "fortran_order": False, "shape": (total,)})
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("x.npy", "w", force_zip64=True) as member:
            member.write(b"\x93NUMPY\x02\x00" + header.getvalue()[8:])
            zeros = bytes(2**24)
            for _ in range(total // len(zeros)):
                member.write(zeros)
        archive.writestr("y.npy", b"")
    return buffer.getvalue()


class _Huge:
    def __init__(self, shape, code):
        self.shape, self.code = shape, code

    def __reduce__(self):
        from numpy._core.multiarray import _reconstruct

        return (_reconstruct, (np.ndarray, self.shape, self.code))


BOMBS = {
    "csv": ("bomb.csv", lambda: _gzip_of(b"0,0,0,1\n" * 2**17, int(1.1 * GB)), "bomb.csv inflates to more than 64 MB"),
    "idx": (
        "train-images-idx3-ubyte.gz",
        lambda: _gzip_of(
            idx_bytes(np.zeros((1, 1, 1)))[:4]
            + (1_400_000).to_bytes(4, "big")
            + (28).to_bytes(4, "big") * 2
            + bytes(2**20 - 16),
            int(1.1 * GB),
        ),
        "inflates to more than 64 MB",
    ),
    "npz": ("bomb.npz", lambda: _npz_bomb(int(1.1 * GB)), "bomb.npz declares 1120 MB of arrays"),
    "pickle": (
        "data_batch_1",
        lambda: pickle.dumps(
            {b"data": _Huge((1_000_000, 3072), b"B"), b"labels": _Huge((1_000_000,), b"b")}, protocol=2
        ),
        "without carrying its data",
    ),
}

MEASURE = """
import json, resource, sys
from pathlib import Path
from core.datasets import dataset_from_files
from core.errors import DataFormatError
name, path = sys.argv[1], sys.argv[2]
content = Path(path).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    dataset_from_files({name: content} if not name.startswith("train-images") else
                       {name: content, "train-labels-idx1-ubyte": bytes(8)})
    message = None
except DataFormatError as exc:
    message = str(exc)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"message": message, "peak_mb": peak / 1024, "bytes": len(content)}))
"""


@pytest.mark.parametrize("kind", list(BOMBS))
def test_bombs_and_amplified_pickles_are_refused_within_the_memory_budget(kind, tmp_path):
    name, make, expected = BOMBS[kind]
    _refused_within_budget(tmp_path / name, make(), expected, upload_limit=8 * 2**20)


def _refused_within_budget(path: Path, content: bytes, expected: str, upload_limit: int = 64 * 2**20) -> None:
    """Upload `content` as `path`'s name in a fresh interpreter: refused with `expected`, peak memory in budget."""
    path.write_bytes(content)
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, path.name, str(path)], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["bytes"] < upload_limit  # small enough to upload
    assert result["message"] and expected in result["message"], result
    assert result["peak_mb"] < PEAK_BUDGET_MB, result


def test_a_pickled_array_must_carry_the_data_it_declares():
    class Short:
        def __reduce__(self):
            return (np.frombuffer, (b"\x00" * 10, np.uint8))  # not an allowed name either

    with pytest.raises(DataFormatError, match="asks to run numpy"):
        load_cifar_batch(pickle.dumps({b"data": Short(), b"labels": [0]}, protocol=2))
    good = np.zeros((2, 3072), np.uint8)
    raw = pickle.dumps({b"data": good, b"labels": [0, 1]}, protocol=2)
    assert load_cifar_batch(raw)[0].shape == (2, 32, 32, 3)
    lying = raw.replace(b"\x00" * 6144, b"\x00" * 6143, 1)  # one byte short of what it declares
    with pytest.raises(DataFormatError):
        load_cifar_batch(lying)


def test_uploads_larger_than_one_server_read_are_refused_before_decoding():
    from core.datasets import dataset_from_files

    files = {f"data_batch_{i}": bytes(30 * 2**20) for i in range(1, 4)}
    with pytest.raises(DataFormatError, match=f"over the {MAX_BYTES // 2**20} MB NN Lab takes in one upload"):
        dataset_from_files(files)


def test_a_csv_with_too_many_values_is_refused_before_parsing():
    from core.datasets import dataset_from_files

    with pytest.raises(DataFormatError, match="about 2,000,001 rows x 3 columns; NN Lab reads at most 100,000 rows"):
        dataset_from_files({"big.csv": b"a,b,y\n" + b"0,0,1\n" * 2_000_000})


# -- every dimension bounded before any work (issue #24 "a few KB that take the server down") ------------------
def _npz_of(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def _zip_of(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _png(side: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (side, side)).save(buffer, "PNG")
    return buffer.getvalue()


def _big_pngs() -> bytes:
    one = _png(4096)
    return _zip_of({f"{'ab'[i % 2]}/{i}.png": one for i in range(2000)})


CRAFTED = {
    "npz wide": (
        "wide.npz",
        lambda: _npz_of(x=np.zeros((2, 30_000_000), np.uint8), y=np.arange(2)),
        "30,000,000 features (columns), over the 3,072",
    ),
    "npz a million": (
        "million.npz",
        lambda: _npz_of(x=np.zeros((2, 1_000_000), np.uint8), y=np.arange(2)),
        "1,000,000 features",
    ),
    "npz two huge images": (
        "huge.npz",
        lambda: _npz_of(x=np.zeros((2, 5600, 5600), np.uint8), y=np.arange(2)),
        "images of 5600 x 5600 x 1",
    ),
    "csv carriage returns": ("cr.csv.gz", lambda: _gzip_of(b"0\r" * 2**20, 32 * 2**20), "about 16,777,216 rows"),
    "csv wide": (
        "wide.csv",
        lambda: (",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join("0" * 100_000) + "\n").encode(),
        "100,000 columns",
    ),
    "zip entries": (
        "many.zip",
        lambda: _zip_of({f"a/{i}": b"" for i in range(30_000)}, zipfile.ZIP_STORED),
        "lists 30,000 entries, over the 25,000",
    ),
    "zip big pngs": ("pngs.zip", _big_pngs, "pixels together, over the 100,000,000"),
    "cifar 100,000 images": (
        "data_batch_1",
        lambda: pickle.dumps({b"data": _Huge((100_000, 3072), b"B"), b"labels": list(range(10)) * 10_000}, protocol=2),
        "without carrying its data",
    ),
}


@pytest.mark.parametrize("kind", list(CRAFTED))
def test_crafted_shapes_are_refused_before_any_work_within_the_memory_budget(kind, tmp_path):
    name, make, expected = CRAFTED[kind]
    _refused_within_budget(tmp_path / name, make(), expected)


def test_an_upload_is_refused_from_its_sizes_before_any_file_is_read():
    from core.datasets.limits import check_upload

    with pytest.raises(DataFormatError, match="12 files; NN Lab takes at most 10"):
        check_upload({f"f{i}.csv": 40 * 2**20 for i in range(12)})
    with pytest.raises(DataFormatError, match="hold 80 MB together"):
        check_upload({"a.csv": 40 * 2**20, "b.csv": 40 * 2**20})
    check_upload({"data_batch_1": 31 * 2**20, "batches.meta": 200})


def test_a_zip_whose_header_lies_or_whose_image_is_unreadable_gets_one_message_naming_the_file():
    from core.datasets import dataset_from_files

    good = _zip_of({"a/1.png": _png(8), "b/1.png": _png(8)}, zipfile.ZIP_STORED)
    lying = good.replace(_png(8)[-30:], bytes(30), 1)  # content no longer matches its CRC
    with pytest.raises(DataFormatError, match="a/1.png in the zip is corrupt or its header lies"):
        dataset_from_files({"pets.zip": lying})
    junk = _zip_of({"a/1.png": b"not an image", "b/1.png": _png(8)})
    with pytest.raises(DataFormatError, match="a/1.png is not a readable PNG") as caught:
        dataset_from_files({"pets.zip": junk})
    assert "BytesIO" not in str(caught.value) and "0x" not in str(caught.value)


def test_missing_targets_and_complex_numbers_are_refused_not_guessed():
    from core.datasets import dataset_from_files

    with pytest.raises(DataFormatError, match="1 rows have no target value"):
        dataset_from_files({"t.csv": b"a,y\n1,0\n2,1\n3,\n4,1\n"})
    with pytest.raises(DataFormatError, match="complex numbers"):
        dataset_from_files({"c.npz": _npz_of(x=np.ones((4, 2)) * (1 + 2j), y=np.array([0, 1, 0, 1]))})
