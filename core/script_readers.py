"""Plain readers that exported scripts carry (their source is copied into the script by `core.codegen`), so a
script reads MNIST, Fashion-MNIST or CIFAR-10 from the same files NN Lab read, offline, with numpy alone.

Like NN Lab's own readers, the CIFAR reader rebuilds only arrays from a batch's pickle and refuses anything else,
so a script downloaded from a class can be run on batches from anywhere. (NN Lab itself reads files with the
bounded readers of `core.datasets`; these are the short versions a script can carry.)
"""

import gzip
import pickle
from pathlib import Path

import numpy as np


def read_idx(path):
    """An IDX file (raw or gzip) as an array with the shape its header gives."""
    raw = Path(path).read_bytes()
    raw = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    dims = np.frombuffer(raw[4 : 4 + 4 * raw[3]], dtype=">u4")
    return np.frombuffer(raw[4 + 4 * raw[3] :], dtype=np.uint8).reshape(dims)


def find(folder, stem):
    """folder/stem or folder/stem.gz, whichever is there (None if neither)."""
    return next((p for p in (Path(folder) / stem, Path(folder) / f"{stem}.gz") if p.is_file()), None)


def first_folder(folders, holds, wanted):
    """The first folder for which holds(folder) is true; FileNotFoundError naming the files and every folder
    looked in when none is."""
    found = next((Path(f) for f in folders if holds(Path(f))), None)
    if found is None:
        raise FileNotFoundError(
            f"Looked for {wanted} in {', '.join(str(Path(f).resolve()) for f in folders)} and "
            "found none. Set NNLAB_DATA_DIR to NN Lab's data folder, or copy the files there."
        )
    return found


def read_mnist_like(folders, name):
    """Train then test images and labels of MNIST or Fashion-MNIST from the first folder holding them (name.npz,
    or the four IDX files), and how many are the official training set."""
    stems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    folder = first_folder(
        folders,
        lambda f: (f / f"{name}.npz").is_file() or find(f, stems[0]),
        f"{name}.npz or {stems[0]}[.gz] (with the other IDX files)",
    )
    if (folder / f"{name}.npz").is_file():
        with np.load(folder / f"{name}.npz") as d:
            return (
                np.concatenate([d["x_train"], d["x_test"]]),
                np.concatenate([d["y_train"], d["y_test"]]),
                len(d["x_train"]),
            )
    X, y = read_idx(find(folder, stems[0])), read_idx(find(folder, stems[1]))
    n_train = len(X)
    if find(folder, stems[2]):
        X, y = (
            np.concatenate([X, read_idx(find(folder, stems[2]))]),
            np.concatenate([y, read_idx(find(folder, stems[3]))]),
        )
    return X, y, n_train


class ArraysOnly(pickle.Unpickler):
    """Unpickles a CIFAR batch's arrays and lists, and refuses anything that would run other code."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refused: the file asks to run {module}.{name}")
        return super().find_class(module, name)


def read_cifar(folders):
    """Every CIFAR-10 "python version" batch (data_batch_1..5, then test_batch) of the first folder holding
    them, and how many images are the official training set."""
    folder = first_folder(
        [f for g in folders for f in (Path(g), Path(g) / "cifar-10-batches-py")],
        lambda f: (f / "data_batch_1").is_file() or (f / "test_batch").is_file(),
        "data_batch_1 ... data_batch_5 and test_batch",
    )
    parts = []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        if (folder / name).is_file():
            with open(folder / name, "rb") as f:
                batch = ArraysOnly(f, encoding="bytes").load()
            batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}  # bytes or str keys
            labels = batch["labels"] if "labels" in batch else batch["fine_labels"]
            parts.append((np.asarray(batch["data"]).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), np.array(labels)))
    n_train = sum(len(p[1]) for p in (parts[:-1] if (folder / "test_batch").is_file() else parts))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), n_train
