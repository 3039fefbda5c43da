"""Experiments: data preparation, results metrics, the exported script and the downloadable model file."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from core.codegen import export_script
from core.datasets import load_dataset
from core.errors import DataFormatError, InvalidSpecError
from core.experiment import Experiment, prepare_data
from core.metrics import cell_examples, confusion_matrix, per_class_accuracy, worst_cell
from core.models import build_model, load_model
from core.models.io import model_file
from core.plane import plane_grid
from core.runs import start_run, train
from core.spec import CNNSpec, MLPSpec, TrainConfig


def test_experiment_round_trips_and_validates():
    exp = Experiment("moons", {"n_samples": 300}, 150, 0.25, 3, "keras", MLPSpec((4,), "tanh"), TrainConfig(epochs=3))
    assert Experiment.from_dict(exp.to_dict()) == exp
    with pytest.raises(InvalidSpecError, match="backend must be one of"):
        Experiment(backend="torch")
    with pytest.raises(InvalidSpecError, match="max_samples must be at least 20"):
        Experiment(max_samples=5)


CNN_EXP = Experiment(
    dataset="digits",
    backend="keras",
    spec=CNNSpec(conv_filters=(4,), kernel_size=3, pool_size=2, dense_layers=(), dropout=0.0),
    config=TrainConfig(epochs=2, batch_size=64),
)


def test_any_network_round_trips_through_a_dict_that_names_its_kind():
    d = CNN_EXP.to_dict()
    assert d["spec"]["kind"] == "cnn" and json.loads(json.dumps(d)) == d  # plain data
    assert Experiment.from_dict(d) == CNN_EXP
    old_link = {**Experiment().to_dict(), "spec": {"hidden_layers": [8], "activation": "tanh", "dropout": 0.0}}
    assert Experiment.from_dict(old_link).spec == MLPSpec((8,), "tanh")  # dicts made before CNNs: MLPs
    with pytest.raises(InvalidSpecError, match="kind must be one of mlp, cnn, received 'rnn'"):
        Experiment.from_dict({**d, "spec": {**d["spec"], "kind": "rnn"}})
    with pytest.raises(InvalidSpecError, match="scikit-learn has no convolutional layers"):
        Experiment.from_dict({**d, "backend": "sklearn"})


@pytest.mark.keras
def test_a_cnn_experiment_exports_a_keras_script_that_runs_on_its_own():
    source = export_script(CNN_EXP)
    assert "keras.layers.Conv2D(4, 3, activation='relu')" in source and "keras.layers.MaxPooling2D(2)" in source
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cnn.py"
        path.write_text(source)
        out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=folder)
    assert out.returncode == 0, out.stderr[-2000:]
    label, score = out.stdout.strip().splitlines()[-1].rsplit(" ", 1)
    assert label == "test accuracy" and 0.0 <= float(score) <= 1.0
    assert "conv2d" in out.stdout and "Total params: 410" in out.stdout  # model.summary(): 4*9+4 + 4*9*10+10


def test_tabular_inputs_are_standardised_with_training_statistics():
    data = prepare_data(load_dataset("wine"), 0.2, 0)
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1, atol=1e-4)
    assert abs(data.X_test.mean()) < 0.3 and data.input_shape == (13,) and data.n_outputs == 3
    assert data.feature_names[0] == "alcohol"
    raw = load_dataset("wine").X[:3]
    np.testing.assert_allclose(data.scale_X(raw), (raw - data.x_mean) / data.x_std, rtol=1e-5)


def test_images_stay_in_unit_range_and_regression_targets_are_standardised():
    digits = prepare_data(load_dataset("digits"), 0.2, 0, max_samples=500)
    assert digits.X_train.max() <= 1.0 and digits.x_mean is None and len(digits.y_test) == 100
    diabetes = prepare_data(load_dataset("diabetes"), 0.2, 0)
    assert abs(diabetes.y_train.mean()) < 1e-5 and abs(diabetes.y_train.std() - 1) < 1e-5


def test_the_lessons_unscaled_target_is_the_target_itself():
    """The diabetes lesson fits the raw target: with scale_target off, y is the target in its own units, and the
    test R2 is what scikit-learn gives for the same network on the raw target."""
    from sklearn.metrics import r2_score

    raw = Experiment(
        "diabetes", spec=MLPSpec((16,)), config=TrainConfig(epochs=30, learning_rate=1e-2), scale_target=False
    )
    assert Experiment.from_dict(raw.to_dict()).scale_target is False
    assert Experiment.from_dict({k: v for k, v in raw.to_dict().items() if k != "scale_target"}).scale_target
    ds = load_dataset("diabetes")
    data = prepare_data(ds, 0.2, 0, scale_target=False)
    assert (data.y_mean, data.y_std) == (0.0, 1.0) and data.y_train.max() > 100  # disease progression, 25..346
    run = train(start_run(raw, data), data)
    assert run.test_score == pytest.approx(r2_score(data.y_test, run.model.predict(data.X_test)), abs=1e-6)


def test_the_lessons_plain_random_split_and_first_samples_validation():
    """Lesson 000 splits with train_test_split(X, y, test_size=0.2, random_state=42), not stratified; lesson 002
    validates on the first samples of the training set (X_train_full[:5000])."""
    from sklearn.model_selection import train_test_split

    from core.datasets import split_indices

    ds = load_dataset("digits")
    tr, te = split_indices(ds, 0.2, 42, stratify=False)
    ref_tr, ref_te = train_test_split(np.arange(ds.n_samples), test_size=0.2, random_state=42)
    np.testing.assert_array_equal(tr, ref_tr) and np.testing.assert_array_equal(te, ref_te)
    assert not np.array_equal(split_indices(ds, 0.2, 42)[1], ref_te)  # the default stratifies
    exp = Experiment(stratify=False, config=TrainConfig(validation_fraction=0.1, validation_first=True))
    assert Experiment.from_dict(exp.to_dict()).stratify is False
    assert Experiment.from_dict(exp.to_dict()).config.validation_first is True
    data = prepare_data(ds, 0.2, 42, stratify=False)
    model = build_model(exp.spec, "sklearn", input_shape=data.input_shape, n_outputs=data.n_outputs, task=data.task)
    X_fit, y_fit, X_val, y_val = model._validation_split(data.X_train, data.y_train, exp.config)
    n_val = round(0.1 * len(data.X_train))
    np.testing.assert_array_equal(X_val, data.X_train[:n_val]) and np.testing.assert_array_equal(
        X_fit, data.X_train[n_val:]
    )
    counted = TrainConfig(validation_fraction=0.1, validation_first=True, validation_samples=500)  # a count: [:500]
    X_fit, _, X_val, _ = model._validation_split(data.X_train, data.y_train, counted)
    assert len(X_val) == 500 and np.array_equal(X_val, data.X_train[:500]) and len(X_fit) == len(data.X_train) - 500
    assert TrainConfig.from_dict(counted.to_dict()) == counted
    with pytest.raises(InvalidSpecError, match="validation_samples counts the first samples"):
        TrainConfig(validation_fraction=0.1, validation_samples=500)  # a count of a random draw: not a lesson's


def test_confusion_matrix_matches_scikit_learn():
    from sklearn.metrics import confusion_matrix as reference

    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    m = confusion_matrix(y, p, 4)
    np.testing.assert_array_equal(m, reference(y, p, labels=range(4)))
    np.testing.assert_allclose(per_class_accuracy(m), np.diag(m) / m.sum(axis=1))
    true, pred = worst_cell(m)
    assert true != pred and m[true, pred] == max(m[i, j] for i in range(4) for j in range(4) if i != j)


def test_cell_examples_lists_the_most_confident_mistakes_first():
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.1, 0.9], [0.3, 0.7]])
    y = np.array([0, 0, 0, 1, 0])
    assert cell_examples(proba, y, 0, 1).tolist() == [1, 4, 2]
    assert cell_examples(proba, y, 1, 1).tolist() == [3]


def test_the_plane_grid_is_the_playgrounds_box_or_larger_and_holds_every_point():
    xs, ys, z = plane_grid(lambda g: g[:, 0] / 10, np.array([[0.0, 0.0], [1.0, 2.0]]), resolution=13)
    assert xs[0] == -6 and xs[-1] == 6 and ys[-1] == 6 and z.shape == (13, 13)
    np.testing.assert_allclose(z[0], xs / 10, rtol=1e-6)  # z[i, j] is the value at (xs[j], ys[i])
    xs, _, _ = plane_grid(lambda g: g[:, 0], np.array([[0.0, -7.5]]), resolution=5, margin=0.5)
    assert xs[0] == -8 and xs[-1] == 8


@pytest.mark.parametrize(
    "exp, expected",
    [
        (Experiment("digits", config=TrainConfig(epochs=30, batch_size=32, learning_rate=3e-3)), 0.9),
        (
            Experiment("iris", spec=MLPSpec((8,)), config=TrainConfig(epochs=150, batch_size=16, learning_rate=1e-2)),
            0.85,
        ),
        (
            Experiment(
                "moons",
                {"n_samples": 300, "noise": 0.1, "seed": 3},
                spec=MLPSpec((16, 16)),
                config=TrainConfig(epochs=150, batch_size=32, learning_rate=1e-2),
            ),
            0.9,
        ),
        pytest.param(
            Experiment(
                "digits",
                backend="keras",
                max_samples=600,
                config=TrainConfig(epochs=15, batch_size=32, learning_rate=3e-3),
            ),
            0.8,
            marks=pytest.mark.keras,
        ),
        pytest.param(
            Experiment(
                "digits",
                backend="keras",
                spec=CNNSpec(
                    conv_filters=(8,),
                    dropout=0.1,
                    augmentation={
                        "flip": "horizontal",
                        "rotation": 0.05,
                        "shift": 0.05,
                        "zoom": 0.1,
                        "contrast": 0.2,
                        "noise": 0.02,
                    },
                ),
                config=TrainConfig(epochs=12, batch_size=32, learning_rate=1e-2),
            ),
            0.6,
            marks=pytest.mark.keras,
        ),
        pytest.param(
            Experiment(
                "moons",
                backend="keras",
                spec=MLPSpec((16, 16), dropout=0.1),
                config=TrainConfig(epochs=40, batch_size=16, learning_rate=1e-2, l2=1e-4),
            ),
            0.85,
            marks=pytest.mark.keras,
        ),
    ],
)
def test_exported_script_trains(tmp_path, exp, expected):
    script = tmp_path / "export.py"
    script.write_text(export_script(exp))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    label, score = out.stdout.strip().splitlines()[-1].rsplit(" ", 1)
    assert label == "test accuracy" and float(score) >= expected


def test_exported_script_uses_the_same_split_as_nn_lab():
    exp = Experiment("wine", max_samples=120, test_fraction=0.25, split_seed=7)
    source = export_script(exp).split("model = ")[0] + "print(sorted(test_idx.tolist()))\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "split.py"
        path.write_text(source)
        out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    script_test = json.loads(out.stdout.strip().splitlines()[-1])
    data = prepare_data(load_dataset("wine"), 0.25, 7, max_samples=120)
    assert len(script_test) == len(data.y_test) == 30
    raw = load_dataset("wine").X
    ours = np.sort(
        [
            np.flatnonzero(np.isclose(raw, row, rtol=1e-4).all(axis=1))[0]
            for row in data.X_test * data.x_std + data.x_mean
        ]
    )
    assert ours.tolist() == script_test


def test_sklearn_model_file_is_skops_and_loads_back():
    import skops.io

    ds = load_dataset("iris")
    m = build_model(MLPSpec((4,)), "sklearn", input_shape=(4,), n_outputs=3)
    m.fit(ds.X, ds.y, TrainConfig(epochs=5, batch_size=16))
    content, name, _ = model_file(m, "iris")
    assert name == "iris.skops" and not content.startswith(b"\x80")  # a zip, not a pickle stream
    est = skops.io.loads(content, trusted=skops.io.get_untrusted_types(data=content))
    np.testing.assert_array_equal(est.predict(ds.X), m.predict(ds.X))
    back = load_model(content, "sklearn", m.spec, input_shape=(4,), n_outputs=3)  # the backend reads its own
    np.testing.assert_array_equal(back.predict_proba(ds.X), m.predict_proba(ds.X))


def test_a_skops_file_that_is_not_an_mlp_is_refused():
    import skops.io
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    with pytest.raises(DataFormatError, match="holds a Pipeline; expected a trained MLPClassifier"):
        load_model(
            skops.io.dumps(make_pipeline(StandardScaler())), "sklearn", MLPSpec((4,)), input_shape=(4,), n_outputs=3
        )
    with pytest.raises(DataFormatError, match="Not a skops model file"):
        load_model(b"not a zip", "sklearn", MLPSpec((4,)), input_shape=(4,), n_outputs=3)


@pytest.mark.keras
def test_keras_model_file_loads_back_in_safe_mode():
    import keras

    ds = load_dataset("iris")
    m = build_model(MLPSpec((4,)), "keras", input_shape=(4,), n_outputs=3)
    m.fit(ds.X, ds.y, TrainConfig(epochs=2, batch_size=16))
    content, name, _ = model_file(m)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded.predict(ds.X, verbose=0), m.predict_proba(ds.X), atol=1e-6)
    back = load_model(content, "keras", m.spec, input_shape=(4,), n_outputs=3)
    np.testing.assert_allclose(back.predict_proba(ds.X), m.predict_proba(ds.X), atol=1e-6)
    with pytest.raises(DataFormatError, match="expected inputs \\(5,\\)"):
        load_model(content, "keras", m.spec, input_shape=(5,), n_outputs=3)
