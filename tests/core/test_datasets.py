"""The dataset registry: bundled and generated sets, external sets from folders and caches, uploads, splits."""

import numpy as np
import pytest
from formats import cifar_batch_bytes, fake_images, idx_bytes, npz_bytes, write_cifar_folder, write_mnist_files

from core.datasets import (
    dataset_from_files,
    is_available,
    list_datasets,
    load_dataset,
    split_dataset,
)
from core.errors import DataFormatError, DatasetUnavailable, InvalidSpecError

TOY = ["circles", "xor", "gaussian", "spiral", "moons", "plane", "multi_gaussian"]
BUNDLED = ["digits", "iris", "wine", "breast_cancer", "diabetes", *TOY]


def test_registry_lists_every_dataset_the_lessons_use():
    assert set(BUNDLED + ["mnist", "fashion_mnist", "cifar10", "california_housing"]) == set(list_datasets())
    assert list_datasets("toy2d") == TOY


def test_digits_is_the_lessons_8x8_images():
    ds = load_dataset("digits")
    assert ds.X.shape == (1797, 8, 8, 1) and ds.X.dtype == np.float32
    assert ds.X.min() == 0.0 and ds.X.max() == 1.0 and ds.pixel_scale == 16.0
    assert ds.task == "classification" and ds.kind == "image" and ds.n_features == 64
    assert ds.class_names == tuple("0123456789") and ds.class_counts().sum() == 1797
    with pytest.raises(ValueError):
        ds.X[0, 0, 0, 0] = 1.0  # cached once per server: read-only


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_set_loads_offline(name):
    ds = load_dataset(name)
    assert is_available(name) and ds.n_samples == len(ds.y) > 100
    assert np.isfinite(ds.X).all()
    assert (ds.task == "regression") == (name in ("diabetes", "plane", "multi_gaussian"))


def test_generated_sets_follow_size_noise_and_seed():
    a = load_dataset("moons", n_samples=120, noise=0.2, seed=3)
    b = load_dataset("moons", n_samples=120, noise=0.2, seed=3)
    c = load_dataset("moons", n_samples=120, noise=0.2, seed=4)
    assert a.X.shape == (120, 2) and np.array_equal(a.X, b.X) and not np.array_equal(a.X, c.X)
    assert a.class_counts().tolist() == [60, 60]
    xor = load_dataset("xor", n_samples=500, noise=0.0)
    assert np.array_equal(xor.y, (xor.X[:, 0] * xor.X[:, 1] >= 0).astype(int))


def test_unknown_names_and_options_are_refused():
    with pytest.raises(InvalidSpecError, match="Unknown dataset 'mnits'"):
        load_dataset("mnits")
    with pytest.raises(InvalidSpecError, match="does not take option"):
        load_dataset("digits", noise=0.3)
    with pytest.raises(InvalidSpecError, match="noise must be between"):
        load_dataset("moons", noise=-1)


@pytest.mark.parametrize(
    "name, title", [("mnist", "MNIST"), ("fashion_mnist", "Fashion-MNIST"), ("cifar10", "CIFAR-10")]
)
def test_missing_external_sets_say_which_files_to_put_where(name, title):
    assert not is_available(name)
    with pytest.raises(DatasetUnavailable) as err:
        load_dataset(name)
    message = str(err.value)
    assert title in message and "never downloads" in message
    expected = "data_batch_1" if name == "cifar10" else "train-images-idx3-ubyte"
    assert expected in message and f"{name}/" in message


def test_california_without_cache_is_unavailable():
    with pytest.raises(DatasetUnavailable, match="cal_housing_py3.pkz"):
        load_dataset("california_housing")


@pytest.mark.parametrize("compress", [True, False])
def test_mnist_from_a_folder_of_idx_files(tmp_path, compress):
    X, y = write_mnist_files(tmp_path / "mnist", compress=compress)
    ds = load_dataset("mnist", data_dir=str(tmp_path))
    assert ds.X.shape == (40, 28, 28, 1) and ds.pixel_scale == 255.0
    np.testing.assert_allclose(ds.X[:30, ..., 0] * 255, X)
    np.testing.assert_array_equal(ds.y[:30], y)


def test_fashion_mnist_from_the_keras_cache(isolated_data):
    write_mnist_files(isolated_data / "keras" / "datasets" / "fashion-mnist")
    assert is_available("fashion_mnist")
    ds = load_dataset("fashion_mnist")
    assert ds.class_names[0] == "T-shirt/top" and ds.n_samples == 40


def test_mnist_npz_from_the_keras_cache(isolated_data):
    X, y = fake_images(12)
    folder = isolated_data / "keras" / "datasets"
    folder.mkdir(parents=True)
    (folder / "mnist.npz").write_bytes(npz_bytes(x_train=X[:8], y_train=y[:8], x_test=X[8:], y_test=y[8:]))
    ds = load_dataset("mnist")
    assert ds.X.shape == (12, 28, 28, 1) and ds.y.tolist() == y.tolist()


def test_cifar10_from_nnlab_data_dir(isolated_data):
    folder = isolated_data / "data" / "cifar10" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    X, y = fake_images(6, shape=(32, 32, 3))
    (folder / "data_batch_1").write_bytes(cifar_batch_bytes(X[:4], y[:4]))
    (folder / "test_batch").write_bytes(cifar_batch_bytes(X[4:], y[4:]))
    ds = load_dataset("cifar10")
    assert ds.X.shape == (6, 32, 32, 3) and ds.class_names[0] == "class 0"  # no batches.meta: no names forced
    np.testing.assert_allclose(ds.X[0] * 255, X[0])


def test_the_teacher_names_a_data_folders_classes_for_everyone_and_can_take_it_back(isolated_data):
    """A third party's batches without batches.meta are "class 0" ...; the teacher's names (class_names.txt in the
    folder) come first for every later load, and forgetting them gives the files' names back (#20)."""
    from core.datasets.cifar_names import NAMES_FILE, typed_names
    from core.datasets.external import rename_cifar_classes

    folder = write_cifar_folder(isolated_data)
    assert load_dataset("cifar10").class_names == ("class 0", "class 1", "class 2")
    names = typed_names("taxi, truck, bus", ("class 0", "class 1", "class 2"))
    rename_cifar_classes(names)
    assert load_dataset("cifar10").class_names == ("taxi", "truck", "bus")
    assert (folder / NAMES_FILE).read_text() == "taxi\ntruck\nbus\n"
    (folder / NAMES_FILE).write_text("taxi\ntruck\n")  # a file that no longer fits the set is not used
    assert load_dataset("cifar10").class_names == ("class 0", "class 1", "class 2")
    rename_cifar_classes(names)
    rename_cifar_classes(None)
    assert load_dataset("cifar10").class_names[0] == "class 0" and not (folder / NAMES_FILE).exists()


@pytest.mark.parametrize(
    "typed, message",
    [
        ("a, b", "Give 3 different names"),
        ("a, a, b", "Give 3 different names"),
        ("a, , b", "Give 3"),
        ("a, b, " + "c" * 61, "at most 60 characters"),
    ],
)
def test_typed_class_names_are_one_different_short_name_per_class(typed, message):
    from core.datasets.cifar_names import typed_names

    with pytest.raises(DataFormatError, match=message):
        typed_names(typed, ("x", "y", "z"))
    assert typed_names("x, y, z", ("x", "y", "z")) == ("x", "y", "z")


def test_a_data_folder_nn_lab_cannot_write_is_a_message_not_a_traceback(isolated_data):
    from core.datasets.cifar_names import NAMES_FILE
    from core.datasets.external import rename_cifar_classes

    folder = write_cifar_folder(isolated_data)
    (folder / NAMES_FILE).mkdir()  # unwritable as a file, even for root
    with pytest.raises(DataFormatError, match="could not write the class names into the data folder"):
        rename_cifar_classes(("a", "b", "c"))
    assert load_dataset("cifar10").class_names[0] == "class 0"


def test_corrupt_external_files_raise_data_format_errors(tmp_path):
    write_mnist_files(tmp_path / "mnist")
    (tmp_path / "mnist" / "train-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8bgarbage")
    with pytest.raises(DataFormatError, match="corrupt"):
        load_dataset("mnist", data_dir=str(tmp_path))


def test_split_is_stratified_seeded_and_subsettable():
    ds = load_dataset("digits")
    a = split_dataset(ds, test_fraction=0.25, seed=1)
    assert len(a.X_test) == 450 and len(a.X_train) == 1797 - 450
    assert a.X_train.shape[1:] == (8, 8, 1)
    share = np.bincount(a.y_test) / len(a.y_test)
    np.testing.assert_allclose(share, ds.class_counts() / ds.n_samples, atol=0.01)
    b = split_dataset(ds, test_fraction=0.25, seed=1)
    assert np.array_equal(a.y_test, b.y_test)
    small = split_dataset(ds, test_fraction=0.2, seed=0, max_samples=300)
    assert len(small.y_train) + len(small.y_test) == 300 and len(np.unique(small.y_test)) == 10
    with pytest.raises(InvalidSpecError, match="test_fraction"):
        split_dataset(ds, test_fraction=0.99)


def test_regression_split_is_not_stratified():
    s = split_dataset(load_dataset("diabetes"), 0.2, 0)
    assert s.y_train.dtype == np.float32 and len(s.y_test) == 89


@pytest.mark.parametrize(
    "name, fraction", [("digits", 0.2), ("digits", 0.25), ("iris", 0.1), ("diabetes", 0.2), ("wine", 0.33)]
)
def test_split_sizes_follow_scikit_learns_train_test_split(name, fraction):
    from sklearn.model_selection import train_test_split

    ds = load_dataset(name)
    X_train, X_test = train_test_split(ds.X, test_size=fraction, random_state=42)  # as the lessons do
    s = split_dataset(ds, test_fraction=fraction, seed=42)
    assert (len(s.X_train), len(s.X_test)) == (len(X_train), len(X_test))
    if (name, fraction) == ("digits", 0.2):
        assert s.X_train.shape[0] == 1437  # the lesson's X_train.shape


def test_uploads_in_every_format():
    X, y = fake_images(10)
    idx = dataset_from_files(
        {"train-images-idx3-ubyte.gz": idx_bytes(X, True), "train-labels-idx1-ubyte.gz": idx_bytes(y, True)}
    )
    assert idx.X.shape == (10, 28, 28, 1) and idx.kind == "image"
    npz = dataset_from_files({"mine.npz": npz_bytes(x=X, y=y)})
    assert npz.X.shape == (10, 28, 28, 1) and npz.X.max() <= 1.0
    cif = dataset_from_files({"data_batch_1": cifar_batch_bytes(*fake_images(3, (32, 32, 3)))})
    assert cif.X.shape == (3, 32, 32, 3) and cif.class_names[0] == "class 0"
    table = dataset_from_files({"t.csv": b"a,b,species\n1,2,cat\n3,4,dog\n5,6,cat\n"}, target="species")
    assert table.task == "classification" and table.class_names == ("cat", "dog") and table.feature_names == ("a", "b")
    reg = dataset_from_files({"r.csv": b"a,price\n" + b"".join(f"{i},{i * 1.37}\n".encode() for i in range(40))})
    assert reg.task == "regression" and reg.y.dtype == np.float32


@pytest.mark.parametrize(
    "files, message",
    [
        ({}, "No file received"),
        ({"t.csv": b"a,b,y\n1,2,0\n3,,1\n"}, r"missing or infinite values \(NaN/inf\)"),
        ({"t.csv": b"a,y\n1,0\n2,0\n3,0\n"}, "at least 2 classes"),
        ({"x.npz": npz_bytes(images=np.zeros((2, 2)))}, "expected arrays named x and y"),
        ({"train-images-idx3-ubyte": idx_bytes(fake_images(3)[0])}, "one IDX image file .* and its label file"),
        ({"a-idx3-ubyte": idx_bytes(fake_images(3)[0]), "b-idx1-ubyte": idx_bytes(np.arange(4))}, "3 images but"),
        ({"notes.txt": b"hello"}, "Could not tell the format"),
    ],
)
def test_bad_uploads_say_what_is_wrong(files, message):
    with pytest.raises(DataFormatError, match=message):
        dataset_from_files(files)


def test_the_data_folder_is_next_to_the_readme_wherever_the_server_starts(monkeypatch, tmp_path):
    from pathlib import Path

    from core.datasets.folders import data_root

    monkeypatch.delenv("NNLAB_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert data_root() == Path(__file__).resolve().parents[2] / "data"
    assert (data_root().parent / "README.md").is_file()


def test_two_classes_made_of_many_as_the_lessons_binary_classifiers():
    from core.datasets.binary import binary_rules, make_binary

    digits = load_dataset("digits")
    even = load_dataset("digits", binary="even")
    assert even.class_names == ("even", "odd") and make_binary(digits, "even").X is digits.X  # the images, no copy
    assert (even.y == digits.y % 2).all()  # the lesson's y % 2: odd is 1
    three = load_dataset("digits", binary="class:3")
    assert three.class_names == ("not 3", "3") and three.class_counts().tolist() == [1797 - 183, 183]
    assert "even" not in binary_rules(load_dataset("iris")) and "class:0" in binary_rules(load_dataset("iris"))
    with pytest.raises(InvalidSpecError, match="has two classes already"):
        load_dataset("moons", binary="even")


def test_the_official_train_test_split_is_kept_when_asked(isolated_data):
    from formats import write_mnist_files

    from core.datasets import split_indices

    write_mnist_files(isolated_data / "data" / "mnist", n=80, test=20)
    ds = load_dataset("mnist")
    assert ds.test_start == 80
    train, test = split_indices(ds, 0.3, 0, official=True)
    assert train.tolist() == list(range(80)) and test.tolist() == list(range(80, 100))  # as published
    train, test = split_indices(ds, 0.3, 0, max_samples=50, official=True)
    assert len(test) == 10 and len(train) == 40 and test.min() >= 80 and train.max() < 80  # each part in proportion
    with pytest.raises(InvalidSpecError, match="has no official train/test split"):
        split_indices(load_dataset("digits"), official=True)


def test_test_files_that_copy_the_training_files_are_said_and_kept_out_of_the_test_split(isolated_data):
    from formats import idx_bytes

    from core.datasets import split_indices

    folder = isolated_data / "data" / "mnist"
    X, y = write_mnist_files(folder, n=200, test=50)
    for stem, arr in (("t10k-images-idx3-ubyte", X), ("t10k-labels-idx1-ubyte", y)):  # t10k = a copy of train
        (folder / f"{stem}.gz").write_bytes(idx_bytes(arr, True))
    ds = load_dataset("mnist")
    assert ds.n_samples == 400 and ds.test_start == 200
    assert len(ds.warnings) == 1 and "200 of the 200 test images are also training images" in ds.warnings[0]
    rows = ds.flat()
    train, test = split_indices(ds, 0.2, 0)
    seen = {rows[i].tobytes() for i in train}
    assert len(test) and not any(rows[i].tobytes() in seen for i in test)  # no test image is a training image
    with pytest.raises(InvalidSpecError, match="Every test sample of MNIST is a copy of a training sample"):
        split_indices(ds, 0.2, 0, official=True)  # every official test image is a copy


def test_honest_files_have_no_duplicates_warning_and_the_usual_split(isolated_data):
    write_mnist_files(isolated_data / "data" / "mnist", n=200, test=50)
    ds = load_dataset("mnist")
    assert ds.warnings == () and ds.sample_keys is not None
    s = split_dataset(ds, test_fraction=0.2, seed=0)
    assert len(s.y_test) == 50 and len(s.y_train) == 200  # sklearn's ceil(0.2 * 250)
