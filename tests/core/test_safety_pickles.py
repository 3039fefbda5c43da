"""Pickles a student or a data folder hands the server (CIFAR batches, scikit-learn's California cache): nothing
in them runs, and every array is rebuilt only from bytes the file carries (issue #24: no other student's data, no
uninitialised server memory)."""

from __future__ import annotations

import io
import os
import pickle
import zlib
from pathlib import Path

import numpy as np
import pytest

from core.datasets import load_dataset
from core.datasets.california import read_california
from core.datasets.readers import load_cifar_batch
from core.errors import DataFormatError

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
