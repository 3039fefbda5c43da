"""Students' own data becomes trainable: CSVs with a chosen target and task, zips of image folders, and the
exported script of a run on an upload."""

import io
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from formats import image_zip_bytes

from core.codegen import DATA_FILE, export_script
from core.datasets import UPLOAD, dataset_from_files, infer_task, upload_options
from core.datasets.uploads import dataset_npz
from core.errors import DataFormatError
from core.experiment import Experiment, prepare_data
from core.runs import start_run, train
from core.spec import MLPSpec, TrainConfig

CSV = b"rooms,area,city,price,grade\n" + b"".join(
    f"{r},{a},{c},{p},{g}\n".encode()
    for r, a, c, p, g in zip(
        np.arange(150) % 5 + 1,
        np.linspace(30, 200, 150),
        np.arange(150) % 3,
        np.linspace(1e5, 9e5, 150) ** 1.01,
        np.arange(150) % 3,
    )
)


def test_the_task_follows_the_target_and_can_be_chosen():
    assert (
        infer_task(np.array([0, 1, 2, 1])) == "classification" and infer_task(np.array(["a", "b"])) == "classification"
    )
    assert infer_task(np.linspace(0, 1, 50)) == "regression" and infer_task(np.arange(50)) == "regression"
    grades = dataset_from_files({"houses.csv": CSV}, target="grade")
    assert (
        grades.task == "classification"
        and grades.n_classes == 3
        and grades.feature_names == ("rooms", "area", "city", "price")
    )
    prices = dataset_from_files({"houses.csv": CSV}, target="price")
    assert prices.task == "regression"
    rooms = dataset_from_files({"houses.csv": CSV}, target="rooms", task="regression")  # whole numbers, chosen
    assert rooms.task == "regression" and rooms.y.dtype == np.float32
    with pytest.raises(DataFormatError, match="150 different values, too many classes"):
        dataset_from_files({"houses.csv": CSV}, target="price", task="classification")
    with pytest.raises(DataFormatError, match="holds text, so it can only be classified"):
        dataset_from_files({"t.csv": b"x,label\n1,cat\n2,dog\n3,cat\n"}, target="label", task="regression")
    assert upload_options(prices) == {
        "file": "houses.csv",
        "task": "regression",
        "kind": "tabular",
        "digest": prices.digest,
    }
    assert prices.digest != grades.digest == dataset_from_files({"houses.csv": CSV}, target="grade").digest


def test_a_zip_of_class_folders_becomes_an_image_set():
    ds = dataset_from_files({"shapes.zip": image_zip_bytes(per_class=5, size=20)}, image_size=16)
    assert ds.X.shape == (10, 16, 16, 3) and ds.class_names == ("circle", "square") and ds.kind == "image"
    assert ds.X.max() <= 1.0 and ds.pixel_scale == 255.0 and np.bincount(ds.y).tolist() == [5, 5]
    grey = dataset_from_files({"g.zip": image_zip_bytes(per_class=3, colour=False)}, image_size=28)
    assert grey.X.shape == (6, 28, 28, 1)


@pytest.mark.keras
def test_images_resize_like_keras_image_dataset_from_directory(tmp_path):
    """Bilinear resizing as Keras's loader does it (within rounding of 8-bit pixels)."""
    keras = pytest.importorskip("keras")
    content = image_zip_bytes(per_class=4, size=24)
    zipfile.ZipFile(io.BytesIO(content)).extractall(tmp_path)
    ref = keras.utils.image_dataset_from_directory(
        tmp_path / "shapes",
        image_size=(16, 16),
        shuffle=False,
        batch_size=None,
        interpolation="bilinear",
        verbose=False,
    )
    ref_x = np.stack([np.asarray(x) for x, _ in ref])
    ours = dataset_from_files({"shapes.zip": content}, image_size=16)
    assert ours.class_names == tuple(ref.class_names)
    assert np.abs(ours.X * 255 - ref_x).mean() < 6.0  # PIL and TF bilinear differ at edges


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: _zip({"a.png": _png()}), "not in a folder"),
        (lambda: _zip({"only/a.png": _png(), "only/b.png": _png()}), "one class folder"),
        (lambda: _zip({"x/readme.txt": b"hi"}), "holds no PNG or JPEG"),
        (lambda: _zip({"a/1.png": b"not a png", "b/1.png": _png()}), "a/1.png is not a readable PNG"),
        (lambda: _zip({"a/1.png": _png((5000, 5000)), "b/1.png": _png()}), "5000 x 5000 pixels"),
        (lambda: b"PK\x03\x04 broken", "not a readable zip"),
    ],
)
def test_broken_image_zips_are_refused_with_a_message(build, message):
    with pytest.raises(DataFormatError, match=message):
        dataset_from_files({"pets.zip": build()})


def _png(size=(8, 8)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", size).save(buffer, format="PNG")
    return buffer.getvalue()


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_run_on_an_upload_exports_a_script_that_reads_the_same_data(tmp_path):
    ds = dataset_from_files({"houses.csv": CSV}, target="grade")
    exp = Experiment(
        UPLOAD,
        upload_options(ds),
        spec=MLPSpec((8,)),
        config=TrainConfig(epochs=40, batch_size=8, learning_rate=1e-2, validation_fraction=0.0),
    )
    data = prepare_data(ds, exp.test_fraction, exp.split_seed)
    run = train(start_run(exp, data), data)
    assert run.title.startswith("sklearn 8 relu adam lr=0.01 on houses.csv (40 epochs")
    source = export_script(exp)
    assert f"np.load({DATA_FILE!r})" in source and "houses.csv" in source
    (tmp_path / DATA_FILE).write_bytes(dataset_npz(ds))
    (tmp_path / "run.py").write_text(source)
    out = subprocess.run([sys.executable, "run.py"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1].startswith("test accuracy ")


def test_text_feature_columns_are_one_hot_encoded_or_dropped_as_chosen():
    content = b"region,size,y\nnorth,1,0\nsouth,2,1\nnorth,3,0\neast,4,1\n"
    with pytest.raises(DataFormatError, match="region hold text. One-hot encode them or drop them"):
        dataset_from_files({"houses.csv": content})
    encoded = dataset_from_files({"houses.csv": content}, text="encode")
    assert encoded.feature_names == ("size", "region_east", "region_north", "region_south")
    assert encoded.X[:, 1:].tolist() == [[0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]]  # as OneHotEncoder
    dropped = dataset_from_files({"houses.csv": content}, text="drop")
    assert dropped.feature_names == ("size",)
