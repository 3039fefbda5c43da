"""The exported script reproduces the run: the same split, hold-out, seeds and training give the same test
score as NN Lab's page (within floating-point noise), for both backends."""

import subprocess
import sys

import pytest
from formats import cifar_batch_bytes, fake_images, npz_bytes, write_mnist_files

from core.codegen import export_script
from core.datasets import load_dataset
from core.experiment import Experiment, prepare_data
from core.runs import start_run, train
from core.spec import CNNSpec, MLPSpec, TrainConfig

CASES = [
    Experiment("digits", config=TrainConfig(epochs=15, batch_size=32, learning_rate=3e-3)),
    Experiment("digits", {"binary": "even"}, spec=MLPSpec((12,)), config=TrainConfig(epochs=10, batch_size=32)),
    Experiment(
        "diabetes",
        spec=MLPSpec((8,)),
        config=TrainConfig(epochs=60, batch_size=16, learning_rate=1e-2, early_stopping_patience=5),
    ),
    Experiment(
        "wine",
        max_samples=150,
        test_fraction=0.3,
        split_seed=4,
        spec=MLPSpec((6,), "tanh"),
        config=TrainConfig(epochs=40, batch_size=8, learning_rate=0.03, optimizer="sgd", l2=1e-3, seed=7),
    ),
    Experiment(  # lesson 000's plain random split, lesson 002's first samples as validation; a demo's subset
        "digits",
        split_seed=42,
        max_samples=900,
        stratify=False,
        spec=MLPSpec((16,)),
        config=TrainConfig(epochs=12, batch_size=32, learning_rate=3e-3, validation_first=True, validation_samples=100),
    ),
    Experiment(  # the diabetes lesson: the raw target
        "diabetes",
        spec=MLPSpec((16,)),
        config=TrainConfig(epochs=30, batch_size=32, learning_rate=1e-2),
        scale_target=False,
    ),
    pytest.param(
        Experiment(
            "moons",
            {"n_samples": 300, "noise": 0.2, "seed": 2},
            backend="keras",
            spec=MLPSpec((16, 16), dropout=0.1),
            config=TrainConfig(epochs=25, batch_size=16, learning_rate=1e-2, l2=1e-4, early_stopping_patience=4),
        ),
        marks=pytest.mark.keras,
    ),
    pytest.param(
        Experiment(  # a Playground lesson: its features on its scale, L1, batch 10, its tanh output, a 50% cut
            "spiral",
            {"n_samples": 300, "noise": 0.1, "seed": 1},
            test_fraction=0.5,
            backend="keras",
            spec=MLPSpec((4, 2), "tanh", init="playground", output="tanh"),
            config=TrainConfig(
                epochs=15,
                batch_size=10,
                learning_rate=0.03,
                optimizer="sgd",
                l1=1e-3,
                validation_fraction=0,
                shuffle=False,
            ),
            stratify=False,
            features=("x1", "x2", "x1sq", "x2sq", "sinx1"),
            scale_inputs=False,
        ),
        marks=pytest.mark.keras,
    ),
    Experiment(  # the Playground's regression set, a product of the coordinates as a feature, one order of samples
        "multi_gaussian",
        {"n_samples": 400, "noise": 0.05, "seed": 2},
        spec=MLPSpec((8,)),
        config=TrainConfig(epochs=20, batch_size=16, learning_rate=1e-2, shuffle=False),
        features=("x1", "x2", "x1x2"),
    ),
    pytest.param(
        Experiment(
            "digits",
            backend="keras",
            max_samples=800,
            spec=CNNSpec(
                conv_filters=(6,), dropout=0.2, augmentation={"rotation": 0.05, "shear": 0.1, "flip": "horizontal"}
            ),
            config=TrainConfig(epochs=6, batch_size=32, learning_rate=1e-2, seed=3),
        ),
        marks=pytest.mark.keras,
    ),
]


@pytest.mark.parametrize("exp", CASES)
def test_the_exported_script_gives_the_pages_test_score(exp, tmp_path):
    data = prepare_data(
        load_dataset(exp.dataset, **exp.data_options),
        exp.test_fraction,
        exp.split_seed,
        exp.max_samples,
        scale_target=exp.scale_target,
        stratify=exp.stratify,
        features=exp.features,
        scale_inputs=exp.scale_inputs,
    )
    run = train(start_run(exp, data), data)
    (tmp_path / "run.py").write_text(export_script(exp))
    out = subprocess.run([sys.executable, "run.py"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    label, score = lines[-1].rsplit(" ", 1)
    assert label == ("test accuracy" if run.metric == "accuracy" else "test R2")
    assert float(score) == pytest.approx(run.test_score, abs=2e-3), (run.test_score, lines[-3:])
    stopped = [line for line in lines if line.startswith("early stopping after epoch")]
    if run.status == "early_stopping":  # it stops at the same epoch
        assert stopped == [f"early stopping after epoch {len(run.epochs)}"] or exp.backend == "keras"


@pytest.mark.parametrize(
    "name, make",
    [
        ("mnist", lambda root: write_mnist_files(root / "mnist", n=240, test=60)),
        (
            "fashion_mnist",
            lambda root: (
                (root / "fashion_mnist").mkdir(parents=True)
                or (root / "fashion_mnist" / "fashion_mnist.npz").write_bytes(
                    npz_bytes(
                        x_train=fake_images(240, seed=1)[0],
                        y_train=fake_images(240)[1],
                        x_test=fake_images(60, seed=2)[0],
                        y_test=fake_images(60)[1],
                    )
                )
            ),
        ),
        (
            "cifar10",
            lambda root: (
                (root / "cifar10").mkdir(parents=True)
                or [
                    (root / "cifar10" / f).write_bytes(cifar_batch_bytes(*fake_images(150, (32, 32, 3), seed=i)))
                    for i, f in enumerate(("data_batch_1", "test_batch"))
                ]
            ),
        ),
    ],
)
def test_the_script_reads_the_same_files_as_the_page_offline(name, make, isolated_data):
    root = isolated_data / "data"
    make(root)
    ds = load_dataset(name)
    exp = Experiment(
        name,
        spec=MLPSpec((8,)),
        config=TrainConfig(epochs=3, batch_size=32, learning_rate=1e-2),
        max_samples=200,
        official_split=name != "fashion_mnist",
    )  # the published split too
    data = prepare_data(ds, exp.test_fraction, exp.split_seed, exp.max_samples, exp.official_split)
    run = train(start_run(exp, data), data)
    source = export_script(exp, data.source)
    assert "load_data" not in source and f"the page read data folder: {name}" in source
    (isolated_data / "run.py").write_text(source)
    out = subprocess.run(
        [sys.executable, "run.py"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=isolated_data,
        env={"HOME": str(isolated_data), "PATH": ""},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout.strip().splitlines()[-1].rsplit(" ", 1)[1]) == pytest.approx(run.test_score, abs=2e-3)


def test_the_scripts_cifar_reader_refuses_code_too(tmp_path):
    import os
    import pickle

    from core.script_readers import read_cifar

    class RunsACommand:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'ran'}",))

    (tmp_path / "data_batch_1").write_bytes(pickle.dumps({b"data": RunsACommand(), b"labels": [0]}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refused: the file asks to run posix.system"):
        read_cifar([tmp_path])
    assert not (tmp_path / "ran").exists()


def _cifar_str_keys(images, labels) -> bytes:
    """A CIFAR-format batch whose dict keys are str (a third party's batches; NN Lab reads them too)."""
    import pickle

    import numpy as np

    data = np.asarray(images, dtype=np.uint8).transpose(0, 3, 1, 2).reshape(len(images), -1)
    return pickle.dumps({"data": data, "labels": list(map(int, labels))}, protocol=4)


@pytest.mark.parametrize(
    "name, make",
    [
        ("mnist", lambda root: write_mnist_files(root / "mnist", n=240, test=60)),
        (
            "cifar10",
            lambda root: (
                (root / "cifar10").mkdir(parents=True)
                or [
                    (root / "cifar10" / f).write_bytes(_cifar_str_keys(*fake_images(150, (32, 32, 3), seed=i)))
                    for i, f in enumerate(("data_batch_1", "test_batch"))
                ]
            ),
        ),
    ],
)
def test_the_script_run_from_another_folder_reads_nnlab_data_dir_and_gives_the_pages_score(
    name, make, isolated_data, tmp_path
):
    root = isolated_data / "data"  # NNLAB_DATA_DIR (the isolated_data fixture sets it)
    make(root)
    ds = load_dataset(name)
    exp = Experiment(
        name,
        spec=MLPSpec((8,)),
        config=TrainConfig(epochs=3, batch_size=32, learning_rate=1e-2),
        max_samples=200,
        official_split=True,
    )
    data = prepare_data(ds, exp.test_fraction, exp.split_seed, exp.max_samples, exp.official_split)
    run = train(start_run(exp, data), data)
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    (elsewhere / "run.py").write_text(export_script(exp, data.source))
    env = {"HOME": str(elsewhere), "PATH": "", "NNLAB_DATA_DIR": str(root)}
    out = subprocess.run(
        [sys.executable, "run.py"], capture_output=True, text=True, timeout=300, cwd=elsewhere, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout.strip().splitlines()[-1].rsplit(" ", 1)[1]) == pytest.approx(run.test_score, abs=2e-3)

    del env["NNLAB_DATA_DIR"]  # without it the files are not found: say which, where
    out = subprocess.run(
        [sys.executable, "run.py"], capture_output=True, text=True, timeout=300, cwd=elsewhere, env=env
    )
    assert out.returncode != 0 and "StopIteration" not in out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("FileNotFoundError") and "NNLAB_DATA_DIR" in last
    assert ("train-images-idx3-ubyte" if name == "mnist" else "data_batch_1") in last and str(elsewhere) in last


def test_a_file_name_cannot_write_code_into_the_exported_script():
    import ast

    name = 'x"""\nimport os; os.system("touch pwned")\n"""\\.csv'
    exp = Experiment("upload", {"file": name, "task": "classification", "kind": "tabular"}, spec=MLPSpec((4,)))
    source = export_script(exp, name)
    tree = ast.parse(source)  # still one valid script
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "system"]
    assert not calls  # the name stays text inside the docstring
