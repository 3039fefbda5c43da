"""A class server reads students' files and typed folders: nothing may run code, escape the data folder,
block, or take the server's memory. Each hostile case is refused with a message; the bombs' peak memory is
measured in a fresh interpreter."""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import threading
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from formats import idx_bytes, write_mnist_files

from core.datasets import load_dataset
from core.datasets.california import read_california
from core.datasets.folders import confine, shown
from core.datasets.limits import MAX_BYTES, read_file
from core.datasets.readers import load_cifar_batch
from core.errors import DataFormatError, DatasetUnavailable, FolderNotAllowed

GB = 2**30
PEAK_BUDGET_MB = 500


# -- California housing: scikit-learn's cache file, never unpickled as it asks ---------------------------------
def _pkz(obj) -> bytes:
    import joblib

    buffer = io.BytesIO()
    joblib.dump(obj, buffer, compress=6)
    return buffer.getvalue()


class _RunsACommand:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_crafted_california_file_is_refused_and_runs_nothing(tmp_path, isolated_data):
    marker = tmp_path / "ran"
    (isolated_data / "data").mkdir()
    (isolated_data / "data" / "cal_housing_py3.pkz").write_bytes(_pkz(_RunsACommand(marker)))
    with pytest.raises(DataFormatError, match="asks to run posix.system while loading"):
        load_dataset("california_housing")
    assert not marker.exists()


def test_california_reads_the_same_numbers_as_scikit_learn(tmp_path, monkeypatch):
    from sklearn.datasets import fetch_california_housing

    rng = np.random.default_rng(0)
    table = np.c_[
        rng.uniform(1e4, 5e5, 40),
        rng.uniform(1, 10, (40, 3)),
        rng.uniform(100, 900, (40, 3)) + 1,
        rng.uniform(30, 40, 40),
        rng.uniform(-120, -115, 40),
    ]
    (tmp_path / "cal_housing_py3.pkz").write_bytes(_pkz(table))
    reference = fetch_california_housing(data_home=str(tmp_path), download_if_missing=False)  # a trusted file
    X, y = read_california(tmp_path / "cal_housing_py3.pkz")
    np.testing.assert_allclose(X, reference.data)
    np.testing.assert_allclose(y, reference.target)
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path))
    ds = load_dataset("california_housing")
    assert ds.X.shape == (40, 8) and ds.feature_names[0] == "MedInc" and ds.source == "scikit-learn's data home"


def test_a_california_file_declaring_a_huge_array_is_refused_before_allocating():
    import joblib.numpy_pickle as npk

    wrapper = npk.NumpyArrayWrapper(np.ndarray, (2_000_000_000, 9), "C", np.dtype("f8"))
    raw = zlib.compress(pickle.dumps(wrapper, protocol=2))
    with pytest.raises(DataFormatError, match="declares 137329 MB of data"):
        read_california(raw)


# -- folders typed into a page: the teacher's choice, and only inside the data folder -------------------------
@pytest.fixture
def root(isolated_data, monkeypatch):
    monkeypatch.setenv("NNLAB_ALLOW_FOLDERS", "1")
    folder = isolated_data / "data"
    folder.mkdir(exist_ok=True)
    return folder


def test_typed_folders_are_off_unless_the_server_allows_them(isolated_data, monkeypatch):
    monkeypatch.delenv("NNLAB_ALLOW_FOLDERS", raising=False)
    (isolated_data / "data" / "mnist").mkdir(parents=True)
    with pytest.raises(FolderNotAllowed, match="does not read folders typed into a page"):
        confine("mnist")


def test_a_typed_folder_inside_the_data_folder_is_read(root):
    write_mnist_files(root / "class7" / "mnist", n=20, test=5)
    folder = confine("class7/mnist")
    assert folder == root.resolve() / "class7" / "mnist"
    ds = load_dataset("mnist", data_dir=str(folder))
    assert ds.n_samples == 25 and ds.source == "data folder: class7/mnist"


@pytest.mark.parametrize(
    "typed",
    ["/etc", "../", "../../etc/passwd", "class7/../../..", "/proc/self/environ", "/proc/self/fd/0", "/no/such/folder"],
)
def test_a_typed_folder_outside_the_data_folder_is_refused_the_same_way(root, typed):
    with pytest.raises(FolderNotAllowed, match="Only folders inside NN Lab's data folder can be read") as refused:
        confine(typed)
    assert str(root) not in str(refused.value)  # the server's paths are never shown


def test_a_symlink_out_of_the_data_folder_is_refused(root, tmp_path):
    outside = tmp_path / "outside"
    write_mnist_files(outside, n=20, test=5)
    (root / "sneaky").symlink_to(outside)
    with pytest.raises(FolderNotAllowed, match="Only folders inside"):
        confine("sneaky")


def test_long_missing_or_unreadable_folders_get_one_message_and_nothing_is_created(root):
    with pytest.raises(FolderNotAllowed, match="at most 200 characters; received 5000"):
        confine("a" * 5000)
    with pytest.raises(FolderNotAllowed, match="There is no folder data folder: a/b/c"):
        confine("a/b/c")
    assert not (root / "a").exists()  # asking created nothing
    locked = root / "locked"
    locked.mkdir(mode=0o000)
    try:
        if os.access(locked, os.R_OK):  # root ignores permissions: make it a file
            locked.rmdir()
            locked.write_text("not a folder")
            with pytest.raises(FolderNotAllowed, match="There is no folder data folder: locked"):
                confine("locked")
        else:
            with pytest.raises(FolderNotAllowed, match="could not be opened"):
                confine("locked")
    finally:
        os.chmod(locked, 0o700)


def test_a_fifo_is_refused_without_waiting_on_it(root):
    folder = root / "mnist"
    folder.mkdir()
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        os.mkfifo(folder / name)
    outcome = {}

    def attempt():
        try:
            read_file(folder / "train-images-idx3-ubyte")
        except DataFormatError as exc:
            outcome["read"] = str(exc)
        try:
            load_dataset("mnist")
        except DatasetUnavailable as exc:
            outcome["load"] = str(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "reading a FIFO blocked"
    assert "is not a regular file" in outcome["read"] and "MNIST is not on this machine" in outcome["load"]


def test_missing_data_messages_name_no_server_path(root):
    with pytest.raises(DatasetUnavailable) as missing:
        load_dataset("cifar10")
    assert "the folder cifar10/ of NN Lab's data folder" in str(missing.value)
    assert str(root.parent) not in str(missing.value) and str(Path.home()) not in str(missing.value)
    assert shown(root / "cifar10" / "data_batch_1") == "data folder: cifar10/data_batch_1"


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


# -- pickled arrays: rebuilt only from bytes the file carries (issue #24, "another student's data leaks") -------
class _Crafted:
    """A pickle that calls `func(*args)` and then, if `state` is given, BUILDs the result with it."""

    def __init__(self, func, args, state=None):
        self.reduced = (func, args) if state is None else (func, args, state)

    def __reduce__(self):
        return self.reduced


def _reconstruct_fn():
    from numpy._core.multiarray import _reconstruct

    return _reconstruct


def _frombuffer_fn():
    from numpy._core.numeric import _frombuffer

    return _frombuffer


def _state(shape, dtype, data):
    return (1, shape, np.dtype(dtype), False, data)


def _crafted_pickles():
    rec, fb = _reconstruct_fn(), _frombuffer_fn()
    empty = (np.ndarray, (0,), b"b")
    return {
        "ndarray called": _Crafted(np.ndarray, ((40, 3072), "u1")),
        "ndarray NEWOBJ": b"cnumpy\nndarray\nK(M\x00\x0c\x86X\x02\x00\x00\x00u1\x86\x81",  # ndarray.__new__
        "_reconstruct with a shape, no setstate": _Crafted(rec, (np.ndarray, (40, 3072), b"B")),
        "_reconstruct of a subclass": _Crafted(rec, (np.matrix, (0,), b"b")),
        "setstate with fewer bytes": _Crafted(rec, empty, _state((40, 3072), "u1", b"\x07" * 100)),
        "setstate with a wider dtype": _Crafted(rec, empty, _state((40, 3072), "f8", b"\x07" * 40 * 3072)),
        "setstate with a void dtype": _Crafted(rec, empty, _state((40,), "V3072", b"\x07" * 40)),
        "setstate with an object list": _Crafted(rec, empty, _state((2,), "O", [1, 2])),
        "_frombuffer lies": _Crafted(fb, (b"\x07" * 10, np.dtype("u1"), (40, 3072), "C")),
        "_frombuffer wider dtype": _Crafted(fb, (b"\x07" * 3072, np.dtype("f8"), (40, 3072), "C")),
        "_frombuffer of a str": _Crafted(fb, ("\x07" * 40 * 3072, np.dtype("u1"), (40, 3072), "C")),
        "dtype made wider by its own state": _Crafted(
            rec,
            empty,
            (
                1,
                (40,),
                _Crafted(np.dtype, ("u1", False, False), (3, "|", None, None, None, 3072, 1, 0)),
                False,
                b"\x07" * 40,
            ),
        ),
        "dtype singleton byte order flipped": _Crafted(
            np.dtype, ("f8", False, False), (3, ">", None, None, None, -1, -1, 0)
        ),
    }


def _arrays_in(obj):
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _arrays_in(k)
            yield from _arrays_in(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _arrays_in(v)


@pytest.mark.parametrize("route", list(_crafted_pickles()))
def test_a_crafted_pickle_never_makes_an_array_from_bytes_it_does_not_carry(route):
    from core.datasets.safe_pickle import unpickle_plain

    crafted = _crafted_pickles()[route]
    if isinstance(crafted, bytes):  # opcodes pickle cannot write: {b"data": ...}
        raw = b"\x80\x02}C\x04data" + crafted + b"s."
    else:
        raw = pickle.dumps({b"data": crafted, b"labels": [0] * 40}, protocol=2)
    try:
        loaded = unpickle_plain(raw, "data_batch_1")
    except DataFormatError as exc:
        assert "data_batch_1" in str(exc) or "Refused" in str(exc), exc
        loaded = None
    for array in _arrays_in(loaded):
        assert type(array) is np.ndarray and not array.dtype.hasobject
        assert array.nbytes <= len(raw), (route, array.shape, array.dtype)
        assert array.nbytes == 0 or array.tobytes() in raw, route  # every byte came from the file
    with pytest.raises(DataFormatError):
        load_cifar_batch(raw)
    assert np.dtype("f8").byteorder == "=" and np.dtype("f8").str == "<f8"  # no shared dtype was changed


def test_real_pickled_arrays_still_load_through_every_route():
    from core.datasets.safe_pickle import unpickle_plain

    x = (np.arange(2 * 3072) % 251).astype(np.uint8).reshape(2, 3072)
    for protocol in (2, 3, 4, 5):
        raw = pickle.dumps({b"data": x, b"labels": [3, 4], b"f": np.linspace(0, 1, 5)}, protocol=protocol)
        loaded = unpickle_plain(raw, "data_batch_1")
        np.testing.assert_array_equal(loaded[b"data"], x)
        np.testing.assert_array_equal(loaded[b"f"], np.linspace(0, 1, 5))
        assert all(type(a) is np.ndarray for a in _arrays_in(loaded))
        images, labels = load_cifar_batch(raw)
        assert images.shape == (2, 32, 32, 3) and labels.tolist() == [3, 4]


def test_a_california_file_calling_ndarray_directly_is_refused(tmp_path):
    (tmp_path / "cal_housing_py3.pkz").write_bytes(_pkz(_Crafted(np.ndarray, ((40, 9), "f8"))))
    with pytest.raises(DataFormatError, match="numpy.ndarray called directly"):
        read_california(tmp_path / "cal_housing_py3.pkz")


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
