"""California housing from scikit-learn's cache file `cal_housing_py3.pkz`, read without running its pickle.

scikit-learn writes that file with `joblib.dump(array, path, compress=6)` and reads it back with
`joblib.load`, which unpickles whatever the file asks for: a crafted file in any folder runs code. This
reader inflates it with a size cap, then unpickles it with joblib's own array reader restricted to an
allow-list (joblib's array wrapper, numpy arrays and dtypes of plain numbers), checks the declared array size
before reading it, and applies scikit-learn's own transformation (`fetch_california_housing`), so the result
is the same numbers.
"""

from __future__ import annotations

import io
import pickle

import numpy as np

from core.datasets.limits import check_array_size, inflate, read_source
from core.datasets.safe_pickle import _NdarrayName
from core.errors import DataFormatError

FILE = "cal_housing_py3.pkz"
FEATURES = ("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude")
PLAIN = {"f8", "f4", "i8", "i4"}


def _unpickler_class():
    from joblib.numpy_pickle import NumpyArrayWrapper, NumpyUnpickler

    def dtype(name, align=False, copy=False):
        text = name.decode("latin1") if isinstance(name, bytes) else name
        if text not in PLAIN:
            raise DataFormatError(f"Refused {FILE}: it asks for arrays of type {text!r}; expected plain numbers.")
        return np.dtype(text, bool(align), True)  # a copy: BUILD must never alter numpy's shared one

    allowed = {
        ("joblib.numpy_pickle", "NumpyArrayWrapper"): NumpyArrayWrapper,
        ("numpy", "ndarray"): _NdarrayName,
        ("numpy", "dtype"): dtype,
    }

    class ArrayOnly(NumpyUnpickler):
        dispatch = NumpyUnpickler.dispatch.copy()

        def find_class(self, module, name):
            if (module, name) not in allowed:
                raise DataFormatError(
                    f"Refused {FILE}: it asks to run {module}.{name} while loading; the real "
                    "file holds one array. It may be malicious: copy scikit-learn's cache again."
                )
            return allowed[(module, name)]

        def load_build(self):
            wrapper, state = self.stack[-2], self.stack[-1]
            if isinstance(wrapper, NumpyArrayWrapper):
                if not (
                    isinstance(state, dict)
                    and state.get("subclass") is _NdarrayName
                    and isinstance(state.get("dtype"), np.dtype)
                    and not state["dtype"].hasobject
                ):
                    raise DataFormatError(f"Refused {FILE}: its array is not plain numbers.")
                check_array_size(FILE, tuple(state.get("shape", ())), state["dtype"].itemsize)
                state["subclass"] = np.ndarray  # the name only: numpy.ndarray is never called from the file
            NumpyUnpickler.load_build(self)

        dispatch[pickle.BUILD[0]] = load_build

    return ArrayOnly


def read_california(source) -> tuple[np.ndarray, np.ndarray]:
    """(X (n, 8) float, y (n,) in units of $100,000), as `sklearn.datasets.fetch_california_housing` gives them."""
    raw, label = read_source(source)
    if raw[:1] == b"\x78":  # joblib's compress=N: one zlib stream
        raw = inflate(raw, label)
    try:
        table = _unpickler_class()(label, io.BytesIO(raw), ensure_native_byte_order=True).load()
    except DataFormatError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise DataFormatError(f"{label} is not a readable {FILE} ({type(exc).__name__}: {exc}).") from exc
    if not isinstance(table, np.ndarray) or table.ndim != 2 or table.shape[1] != 9 or len(table) < 2:
        raise DataFormatError(
            f"{label}: expected one table of 9 columns (the target, then 8 raw features), found "
            f"{getattr(table, 'shape', type(table).__name__)}."
        )
    table = np.array(table, dtype=np.float64)
    target, data = table[:, 0], table[:, 1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        data[:, 2] /= data[:, 5]  # average rooms = total rooms / households
        data[:, 3] /= data[:, 5]  # average bedrooms = total bedrooms / households
        data[:, 5] = data[:, 4] / data[:, 5]  # average occupancy = population / households
    return data, target / 100000.0
