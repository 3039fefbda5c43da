"""The CNN lab's numbers: feature maps from NumPy equal Keras's own layer outputs, the worked convolution and
pooling equal the values on the maps, and every augmentation equals its Keras layer given the same factors."""

import numpy as np
import pytest

from core.augment import (
    Augmentation,
    adjust_contrast,
    affine,
    flip,
    preview,
    rotation_matrix,
    shear_matrix,
    translation_matrix,
    zoom_matrix,
)
from core.cnn import conv2d, explain_conv, explain_pool, feature_maps, max_pool, probabilities
from core.datasets import load_dataset
from core.experiment import prepare_data
from core.models import build_model
from core.params import count_params, layer_counts
from core.spec import CNNSpec, TrainConfig


def test_conv_and_pool_are_the_textbook_definitions():
    rng = np.random.default_rng(0)
    x, K, b = rng.normal(size=(6, 7, 2)), rng.normal(size=(3, 3, 2, 4)), rng.normal(size=4)
    out = conv2d(x, K, b)
    assert out.shape == (4, 5, 4)
    assert out[2, 3, 1] == pytest.approx(
        sum(x[2 + i, 3 + j, c] * K[i, j, c, 1] for i in range(3) for j in range(3) for c in range(2)) + b[1]
    )
    pooled = max_pool(out, 2)
    assert pooled.shape == (2, 2, 4) and pooled[1, 0, 3] == out[2:4, 0:2, 3].max()  # the 5th column is dropped


@pytest.fixture(scope="module")
def trained_cnn():
    data = prepare_data(load_dataset("digits"), 0.2, 0)
    spec = CNNSpec(
        conv_filters=(6, 8),
        kernel_size=3,
        pool_size=1,
        dense_layers=(12,),
        dropout=0.2,
        activation="tanh",
        augmentation=Augmentation(rotation=0.05),
    )
    model = build_model(spec, "keras", input_shape=(8, 8, 1), n_outputs=10)
    model.fit(data.X_train, data.y_train, TrainConfig(epochs=3, batch_size=64, learning_rate=1e-2))
    return spec, model, data


@pytest.mark.keras
def test_feature_maps_equal_keras_for_every_layer_at_every_recorded_epoch(trained_cnn):
    spec, model, data = trained_cnn
    x = data.X_test[:16]
    keras_out = dict(model.layer_outputs(x))
    maps = feature_maps(spec, model.layer_weights(), x, "classification", 10)
    assert [m.name for m in maps] == ["conv_1", "conv_2", "hidden_1", "output"]
    for m in maps:
        np.testing.assert_allclose(m.values, keras_out[m.name], atol=1e-5, err_msg=m.name)
    np.testing.assert_allclose(probabilities(maps[-1].values), model.predict_proba(x), atol=1e-5)
    first = model.history.snapshots.at(1)  # an earlier epoch: maps from its weights
    early = feature_maps(spec, first, x[0], "classification", 10)
    assert early[0].values.shape == (6, 6, 6) and not np.allclose(early[0].values, maps[0].values[0])


@pytest.mark.keras
def test_pooled_maps_equal_keras_and_the_worked_examples_equal_the_maps():
    data = prepare_data(load_dataset("digits"), 0.2, 0)
    spec = CNNSpec(conv_filters=(4,), kernel_size=3, pool_size=2, dense_layers=(), dropout=0.0)
    model = build_model(spec, "keras", input_shape=(8, 8, 1), n_outputs=10)
    model.fit(data.X_train, data.y_train, TrainConfig(epochs=2, batch_size=64))
    x = data.X_test[:4]
    keras_out = dict(model.layer_outputs(x))
    maps = {m.name: m for m in feature_maps(spec, model.layer_weights(), x[2], "classification", 10)}
    np.testing.assert_allclose(maps["pool_1"].values, keras_out["pool_1"][2], atol=1e-5)
    K, b = model.layer_weights()[0][1:]
    step = explain_conv(maps["conv_1"].values_in, K, b, "relu", row=2, col=4, filter=3)
    assert step.products.shape == (3, 3, 1) and step.total == pytest.approx(step.products.sum())
    assert step.value == pytest.approx(maps["conv_1"].values[2, 4, 3]) == pytest.approx(max(step.z, 0.0))
    window, value, where = explain_pool(maps["pool_1"].values_in, 2, row=1, col=2, channel=3)
    assert value == maps["pool_1"].values[1, 2, 3] == window[where]


def test_augmentation_layers_appear_in_the_summary_with_no_parameters():
    spec = CNNSpec(
        conv_filters=(32, 64), dropout=0.5, augmentation=Augmentation(flip="horizontal", rotation=0.1, shear=0.2)
    )
    rows = layer_counts(spec, (28, 28, 1), 10)
    assert [(r.name, r.kind, r.params) for r in rows[:3]] == [
        ("aug_flip", "RandomFlip", 0),
        ("aug_rotation", "RandomRotation", 0),
        ("aug_shear", "RandomShear", 0),
    ]
    assert count_params(spec, (28, 28, 1), 10) == 34_826  # the lesson's convnet, augmented or not
    assert CNNSpec.from_dict(spec.to_dict()) == spec


@pytest.fixture(scope="module")
def keras():
    from core.models.keras_backend import load_keras

    return load_keras()


@pytest.fixture(scope="module")
def image():
    rng = np.random.default_rng(1)
    img = np.zeros((12, 10, 3), np.float32)
    img[3:9, 2:6] = rng.uniform(0.3, 1.0, (6, 4, 3))
    return img


@pytest.mark.keras
@pytest.mark.parametrize(
    "name, layer, transformation, ours",
    [
        (
            "rotation",
            lambda L: L.RandomRotation(0.1, fill_mode="constant"),
            lambda h, w: {"rotation_matrix": np.array([rotation_matrix(25.0, h, w)], np.float32)},
            lambda img: affine(img, rotation_matrix(25.0, *img.shape[:2])),
        ),
        (
            "translation",
            lambda L: L.RandomTranslation(0.2, 0.2, fill_mode="constant"),
            lambda h, w: {"translations": np.array([[1.7, -2.2]], np.float32), "input_shape": (1, h, w, 3)},
            lambda img: affine(img, translation_matrix(1.7, -2.2)),
        ),
        (
            "zoom",
            lambda L: L.RandomZoom(0.3, fill_mode="constant"),
            lambda h, w: {
                "height_zoom": np.array([[1.25]], np.float32),
                "width_zoom": np.array([[0.8]], np.float32),
                "input_shape": (1, h, w, 3),
            },
            lambda img: affine(img, zoom_matrix(0.8, 1.25, *img.shape[:2])),
        ),
        (
            "shear",
            lambda L: L.RandomShear(0.4, 0.4, fill_mode="constant"),
            lambda h, w: {"shear_factor": np.array([[0.3, -0.2]], np.float32), "input_shape": (1, h, w, 3)},
            lambda img: affine(img, shear_matrix(0.3, -0.2)),
        ),
        (
            "contrast",
            lambda L: L.RandomContrast(0.5, value_range=(0, 1)),
            lambda h, w: {"contrast_factor": np.full((1, 1, 1, 1), 1.4, np.float32)},
            lambda img: adjust_contrast(img, 1.4),
        ),
    ],
)
def test_each_augmentation_equals_its_keras_layer_with_the_same_factors(
    keras, image, name, layer, transformation, ours
):
    h, w = image.shape[:2]
    expected = np.asarray(layer(keras.layers).transform_images(image[None], transformation(h, w), training=True))[0]
    np.testing.assert_allclose(ours(image), expected, atol=1e-5, err_msg=name)


@pytest.mark.keras
def test_flip_equals_keras(keras, image):
    layer = keras.layers.RandomFlip("horizontal_and_vertical")
    expected = np.asarray(
        layer.transform_images(image[None], {"flips": np.array([[True]]), "input_shape": (1, 12, 10, 3)}, training=True)
    )[0]
    np.testing.assert_allclose(flip(image, True, True), expected)


def test_a_preview_is_seeded_and_within_the_ranges(image):
    aug = Augmentation(flip="horizontal", rotation=0.1, shift=0.1, zoom=0.2, shear=0.2, contrast=0.3, noise=0.0)
    copies = preview(image, aug, n=6, seed=3)
    assert copies.shape == (6, 12, 10, 3) and np.array_equal(copies, preview(image, aug, n=6, seed=3))
    assert not np.allclose(copies[0], copies[1]) and 0.0 <= copies.min() and copies.max() <= 1.0
    assert np.array_equal(preview(image, Augmentation(), n=2)[1], image)  # nothing switched on: the image itself
    noisy = preview(np.full((40, 40, 1), 0.5, np.float32), Augmentation(noise=0.1), n=1)[0]
    assert abs(noisy.std() - 0.1) < 0.01


def test_a_drawing_is_cropped_scaled_and_centred_like_the_datasets_images():
    from core.drawing import drawing_to_input, ink_fraction

    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[40:200, 30:60, :3] = 255  # a tall stroke near the top left
    x = drawing_to_input(canvas, (28, 28, 1), fraction=20 / 28)
    rows, cols = np.nonzero(x[..., 0] > 0.1)
    assert x.shape == (28, 28, 1) and 0.0 <= x.min() and x.max() <= 1.0
    assert np.ptp(rows) + 1 == 20  # scaled to the 20-pixel box, like MNIST
    ys, xs = np.indices((28, 28))
    assert abs((ys * x[..., 0]).sum() / x.sum() - 13.5) <= 0.5 and abs((xs * x[..., 0]).sum() / x.sum() - 13.5) <= 0.5
    assert drawing_to_input(np.zeros((280, 280, 4), np.uint8), (28, 28, 1), 0.7) is None
    assert drawing_to_input(canvas, (32, 32, 3), 0.7).shape == (32, 32, 3)
    images = np.zeros((10, 28, 28, 1), np.float32)
    images[:, 4:24, 10:18] = 1.0  # ink 20 rows tall
    assert ink_fraction(images) == pytest.approx(20 / 28)


def test_a_photo_is_cropped_and_resized_in_the_datasets_colours():
    import io

    from PIL import Image

    from core.drawing import photo_to_input
    from core.errors import DataFormatError

    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), (200, 40, 0)).save(buffer, format="PNG")
    grey = photo_to_input(buffer.getvalue(), (28, 28, 1))
    colour = photo_to_input(buffer.getvalue(), (32, 32, 3))
    assert grey.shape == (28, 28, 1) and colour.shape == (32, 32, 3)
    np.testing.assert_allclose(colour[16, 16], [200 / 255, 40 / 255, 0], atol=1e-6)
    with pytest.raises(DataFormatError, match="not a PNG or JPEG"):
        photo_to_input(b"GIF89a nope", (28, 28, 1))


def test_batched_prediction_equals_the_full_forward_pass():
    from core.cnn import predict

    rng = np.random.default_rng(0)
    spec = CNNSpec(conv_filters=(3,), dropout=0.0)
    layers = [
        ("conv_1", rng.normal(size=(3, 3, 1, 3)), rng.normal(size=3)),
        ("output", rng.normal(size=(27, 4)), rng.normal(size=4)),
    ]
    X = rng.random((70, 8, 8, 1))
    np.testing.assert_allclose(
        predict(spec, layers, X, "classification", 4, batch=16),
        feature_maps(spec, layers, X, "classification", 4)[-1].values,
    )
