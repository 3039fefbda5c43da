"""File readers on small files in the real formats: good files load, every bad one says why."""

import gzip
import os
import pickle

import numpy as np
import pytest
from formats import cifar_batch_bytes, fake_images, idx_bytes, npz_bytes

from core.datasets import load_cifar_batch, load_csv, load_idx, load_npz
from core.errors import DataFormatError, NNLabError


@pytest.mark.parametrize("compress", [False, True])
def test_idx_images_and_labels_round_trip(tmp_path, compress):
    X, y = fake_images(7)
    (tmp_path / "img").write_bytes(idx_bytes(X, compress))
    (tmp_path / "lab").write_bytes(idx_bytes(y, compress))
    np.testing.assert_array_equal(load_idx(tmp_path / "img"), X)
    np.testing.assert_array_equal(load_idx(tmp_path / "lab"), y)
    assert load_idx(idx_bytes(X)).shape == (7, 28, 28)  # bytes (an upload) work too


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "too short"),
        (b"\x00\x00\x08", "too short"),
        (b"\x12\x34\x08\x03" + bytes(100), "magic number is 305399811, expected 2049"),
        (b"\x00\x00\x77\x01" + bytes(100), "magic number"),
        (idx_bytes(np.zeros((5, 4, 4)))[:-10], "truncated"),
        (idx_bytes(np.zeros((5, 4, 4))) + b"extra", "longer than its header says"),
        (idx_bytes(np.zeros((5, 4, 4)))[:14], "truncated"),
        (gzip.compress(idx_bytes(np.zeros(3)))[:-8], "corrupt or cut short"),
    ],
)
def test_idx_refuses_malformed_files(content, message):
    with pytest.raises(DataFormatError, match=message):
        load_idx(content)


def test_cifar_batch_loads_channels_last():
    X, y = fake_images(4, shape=(32, 32, 3))
    images, labels = load_cifar_batch(cifar_batch_bytes(X, y))
    assert images.shape == (4, 32, 32, 3) and images.dtype == np.uint8
    np.testing.assert_array_equal(images, X)
    np.testing.assert_array_equal(labels, y)


class _RunsACommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_cifar_refuses_a_pickle_that_would_run_a_command(tmp_path):
    marker = tmp_path / "pwned"
    hostile = pickle.dumps({b"data": _RunsACommand(marker), b"labels": [0]}, protocol=2)
    with pytest.raises(DataFormatError, match="may be malicious"):
        load_cifar_batch(hostile)
    assert not marker.exists()


def test_cifar_refuses_builtins_eval(tmp_path):
    marker = tmp_path / "pwned"
    payload = b"cbuiltins\nexec\n(V__import__('pathlib').Path('" + str(marker).encode() + b"').touch()\ntR."
    with pytest.raises(DataFormatError, match="builtins.exec"):
        load_cifar_batch(payload)
    assert not marker.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"not a pickle at all", "not a readable CIFAR-10 batch"),
        (pickle.dumps([1, 2, 3], protocol=2), "expected a dict"),
        (pickle.dumps({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, protocol=2), r"\(n, 3072\)"),
        (pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}, protocol=2), "2 integer labels"),
        (pickle.dumps({b"data": np.zeros((2, 3072), np.uint8)}, protocol=2), "expected keys"),
        (cifar_batch_bytes(*fake_images(3, (32, 32, 3)))[:-20], "not a readable CIFAR-10 batch"),
    ],
)
def test_cifar_refuses_malformed_batches(content, message):
    with pytest.raises(DataFormatError, match=message):
        load_cifar_batch(content)


def test_npz_loads_without_pickles():
    arrays = load_npz(npz_bytes(x=np.ones((3, 2)), y=np.arange(3)))
    assert set(arrays) == {"x", "y"}
    with pytest.raises(DataFormatError, match="holds Python objects \\(a pickle\\), which NN Lab never loads"):
        load_npz(npz_bytes(x=np.array([{"a": 1}], dtype=object)))
    with pytest.raises(DataFormatError, match="not a readable zip file"):
        load_npz(b"PK\x03\x04 broken zip")


def test_csv_reads_features_and_target():
    features, target = load_csv(b"a,b,label\n1,2,x\n3,4,y\n", target="label")
    assert list(features.columns) == ["a", "b"] and list(target) == ["x", "y"]
    features, target = load_csv(b"a,b,c\n1,2,3\n3,4,5\n")
    assert target.name == "c"


@pytest.mark.parametrize(
    "content, target, message",
    [
        (b"", None, "empty"),
        (b"a,b\n1,2\n", None, "two rows"),
        (b"a,b,c\n1,x,0\n2,y,1\n", None, "b hold text"),
        (b"a,b\n1,0\n2,1\n", "zzz", "no column named 'zzz'"),
    ],
)
def test_csv_refuses_bad_tables(content, target, message):
    with pytest.raises(DataFormatError, match=message):
        load_csv(content, target)


def test_errors_are_also_builtins():
    with pytest.raises(ValueError):
        load_idx(b"\x12\x34\x56\x78")
    assert issubclass(DataFormatError, NNLabError)


def test_a_cifar_format_folder_names_its_classes_from_batches_meta(isolated_data):
    import pickle

    from formats import cifar_batch_bytes

    from core.datasets import dataset_from_files, load_dataset

    folder = isolated_data / "data" / "cifar10"
    folder.mkdir(parents=True)
    images = np.random.default_rng(0).integers(0, 256, (6, 32, 32, 3), dtype=np.uint8)
    (folder / "data_batch_1").write_bytes(cifar_batch_bytes(images, [0, 1, 2, 0, 1, 2]))
    meta = pickle.dumps({b"label_names": [b"taxi", b"fire engine", b"bus"], b"num_vis": 3072}, protocol=2)
    assert load_dataset("cifar10").class_names == ("class 0", "class 1", "class 2")  # no meta: never CIFAR-10's
    (folder / "batches.meta").write_bytes(meta)
    ds = load_dataset("cifar10")
    assert ds.class_names == ("taxi", "fire engine", "bus") and ds.describe() == "6 colour images of 32x32, 3 classes"
    upload = dataset_from_files({"data_batch_1": cifar_batch_bytes(images, [0, 1, 2, 0, 1, 2]), "batches.meta": meta})
    assert upload.class_names == ("taxi", "fire engine", "bus")
    with pytest.raises(DataFormatError, match="asks to run"):
        dataset_from_files(
            {
                "data_batch_1": cifar_batch_bytes(images, [0] * 6),
                "batches.meta": pickle.dumps({b"label_names": [np.float64(1)]}, protocol=2),
            }
        )


def test_a_cifar_format_set_without_batches_meta_is_named_by_its_file_names_when_they_say(isolated_data):
    import pickle

    from core.datasets import dataset_from_files, load_dataset
    from core.datasets.cifar_names import names_from_filenames

    folder = isolated_data / "data" / "cifar10"
    folder.mkdir(parents=True)
    images = np.random.default_rng(0).integers(0, 256, (6, 3072), dtype=np.uint8)
    labels = [0, 1, 2, 0, 1, 2]
    files = [
        b"taxi_s_0001.png",
        b"truck_s_0002.png",
        b"dog_0003.png",
        b"taxi_s_0004.png",
        b"truck_0005.png",
        b"small_dog_0006.png",
    ]
    batch = pickle.dumps({b"data": images, b"labels": labels, b"filenames": files}, protocol=2)
    (folder / "data_batch_1").write_bytes(batch)
    assert load_dataset("cifar10").class_names == ("taxi", "truck", "dog")
    assert dataset_from_files({"data_batch_1": batch}).class_names == ("taxi", "truck", "dog")  # uploads too
    # CIFAR-10's own file names are species ("leptodactylus_pentadactylus_s_000004.png"): no shared word, no guess
    species = ["bufo_bufo_s_000010.png", "tailed_frog_s_000001.png", "station_wagon_s_000002.png", "cab_s_000003.png"]
    assert names_from_filenames(np.array([0, 0, 1, 1]), species) is None
