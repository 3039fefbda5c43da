"""Small files in the real formats (IDX, CIFAR batches, .npz), written by the tests themselves."""

from __future__ import annotations

import gzip
import io
import pickle
import struct

import numpy as np


def idx_bytes(array: np.ndarray, compress: bool = False) -> bytes:
    """An IDX file: magic (0, 0, type 0x08 = uint8, ndim), big-endian dims, then the data."""
    array = np.asarray(array, dtype=np.uint8)
    raw = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()
    return gzip.compress(raw) if compress else raw


def cifar_batch_bytes(images: np.ndarray, labels) -> bytes:
    """A CIFAR-10 "python version" batch: a pickled dict with b'data' (n, 3072) channel-major and b'labels'."""
    data = np.asarray(images, dtype=np.uint8).transpose(0, 3, 1, 2).reshape(len(images), -1)
    batch = {
        b"batch_label": b"testing batch",
        b"labels": list(map(int, labels)),
        b"data": data,
        b"filenames": [f"img_{i}.png".encode() for i in range(len(images))],
    }
    return pickle.dumps(batch, protocol=2)


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def fake_images(n: int, shape=(28, 28), classes: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, *shape), dtype=np.uint8), np.arange(n) % classes


def write_mnist_files(folder, n: int = 30, test: int = 10, compress: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The four MNIST IDX files in `folder`; returns the train images and labels written."""
    folder.mkdir(parents=True, exist_ok=True)
    X, y = fake_images(n + test)
    ext = ".gz" if compress else ""
    for stem, arr in (
        ("train-images-idx3-ubyte", X[:n]),
        ("train-labels-idx1-ubyte", y[:n]),
        ("t10k-images-idx3-ubyte", X[n:]),
        ("t10k-labels-idx1-ubyte", y[n:]),
    ):
        (folder / f"{stem}{ext}").write_bytes(idx_bytes(arr, compress))
    return X[:n], y[:n]


def write_cifar_folder(root, n: int = 6, classes: int = 3):
    """A CIFAR-format data folder without batches.meta under `root`'s data/ (as a third party's batches);
    returns the folder."""
    folder = root / "data" / "cifar10" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    X, y = fake_images(n, shape=(32, 32, 3), classes=classes)
    (folder / "data_batch_1").write_bytes(cifar_batch_bytes(X, y))
    return folder


def image_zip_bytes(
    per_class: int = 12, size: int = 20, colour: bool = True, seed: int = 0, classes=("circle", "square")
) -> bytes:
    """A zip of PNG images in folders named by class (Keras's image_dataset_from_directory layout) under one
    top folder: bright discs on dark for the first class, bright squares for the second."""
    import zipfile

    from PIL import Image

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for k, name in enumerate(classes):
            for i in range(per_class):
                c = rng.integers(size // 3, 2 * size // 3, 2)
                r = size // 4
                shape = (
                    ((yy - c[0]) ** 2 + (xx - c[1]) ** 2 < r * r)
                    if k == 0
                    else ((abs(yy - c[0]) < r) & (abs(xx - c[1]) < r))
                )
                grey = (shape * 200 + rng.integers(0, 40, (size, size))).astype(np.uint8)
                img = Image.fromarray(np.stack([grey, grey // 2, 255 - grey], -1) if colour else grey)
                png = io.BytesIO()
                img.save(png, format="PNG")
                archive.writestr(f"shapes/{name}/{i:03d}.png", png.getvalue())
    return buffer.getvalue()
