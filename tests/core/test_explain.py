"""Why this prediction: the NumPy saliency and Grad-CAM equal tf.GradientTape on the Keras model with the same
weights, occlusion equals a loop over the occluded images, the maps point at the pixels a hand-built model reads,
and a network with its weights re-initialised gives a different saliency map (the sanity check)."""

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.datasets import load_digits

from core.activations import ACTIVATIONS
from core.augment import Augmentation
from core.cnn import feature_maps, probabilities
from core.errors import InvalidSpecError
from core.explain import class_score, grad_cam, occlusion, reinitialised, saliency, upsample
from core.models import build_model
from core.models.frozen import mlp_outputs
from core.spec import CNNSpec, MLPSpec, TrainConfig

CNN = CNNSpec(
    conv_filters=(4, 6), kernel_size=3, pool_size=2, dense_layers=(8,), augmentation=Augmentation(rotation=0.1)
)  # 13 x 13 images: conv 11, pool 5 (a row and a column cut off), conv 3, pool 1 (again), flatten 6

CASES = {  # name: spec, input shape, task, n_outputs, targets
    "mlp_flat_relu": (MLPSpec((16, 8), "relu", dropout=0.2), (20,), "classification", 4, (2,)),
    "mlp_image_tanh": (MLPSpec((12,), "tanh"), (7, 7, 2), "classification", 3, (0,)),
    "binary_sigmoid": (MLPSpec((10,), "elu"), (9,), "classification", 2, (0, 1)),
    "cnn_relu": (CNN, (13, 13, 2), "classification", 5, (4,)),
    "regression": (MLPSpec((8,), "silu"), (5,), "regression", 2, (0, 1)),
    "cnn_no_pool_regression": (CNNSpec((3,), 3, 1, (), 0.0, "gelu"), (6, 6, 1), "regression", 1, (0,)),
}


def keras_model(spec, input_shape, task, n_outputs, seed=0):
    """A Keras model of `spec` with random biases too (Keras's first biases are zeros)."""
    model = build_model(spec, "keras", input_shape=input_shape, n_outputs=n_outputs, task=task, seed=seed)
    rng = np.random.default_rng(seed)
    for layer in model.model_.layers:
        if layer.get_weights():
            kernel, bias = layer.get_weights()
            layer.set_weights([kernel, rng.normal(0, 0.3, bias.shape).astype(np.float32)])
    return model


def keras_logits(model, a, start=0):
    """The output layer's pre-activation, calling Keras's own layers (from layer `start`) on a."""
    import tensorflow as tf

    for layer in model.model_.layers[start:-1]:
        a = layer(a, training=False)
    out = model.model_.get_layer("output")
    return tf.matmul(a, out.kernel) + out.bias


def keras_score(z, model, target):
    if model.n_units == 1 and model.task == "classification":
        return z[:, 0] if target == 1 else -z[:, 0]
    return z[:, target]


def close(ours, theirs, scale=None):
    """Equal up to Keras's float32: 1e-5 of the values' scale."""
    scale = np.abs(theirs).max() if scale is None else scale
    assert scale > 1e-3  # a map of zeros would compare equal to anything small
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5 * scale)


@pytest.mark.keras
@pytest.mark.parametrize("case", list(CASES))
def test_saliency_and_the_score_equal_gradient_tape_on_keras_with_the_same_weights(case):
    import tensorflow as tf

    spec, shape, task, n_outputs, targets = CASES[case]
    model = keras_model(spec, shape, task, n_outputs)
    layers, n_units = model.layer_weights(), model.n_units
    X = np.random.default_rng(1).normal(size=(6, *shape)).astype(np.float32)
    for target in targets:
        x = tf.constant(X)
        with tf.GradientTape() as tape:
            tape.watch(x)
            score = keras_score(keras_logits(model, x), model, target)
            total = tf.reduce_sum(score)
        expected = tape.gradient(total, x).numpy()
        ours = saliency(spec, layers, X, task, n_units, target)
        assert ours.shape == X.shape and ours.dtype == np.float64
        close(ours, expected)
        close(class_score(spec, layers, X, task, n_units, target), score.numpy())
        one = saliency(spec, layers, X[3], task, n_units, target)  # one sample: its own shape back
        assert one.shape == X[3].shape
        np.testing.assert_allclose(one, ours[3], rtol=1e-12, atol=1e-15)
        assert class_score(spec, layers, X[3], task, n_units, target).shape == ()


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_saliency_equals_finite_differences_for_every_activation(activation):
    spec = CNNSpec((3,), 3, 2, (4,), 0.0, activation)
    rng = np.random.default_rng(2)
    layers = [
        ("conv_1", rng.normal(size=(3, 3, 1, 3)), rng.normal(size=3)),
        ("hidden_1", rng.normal(size=(18, 4)), rng.normal(size=4)),
        ("output", rng.normal(size=(4, 3)), rng.normal(size=3)),
    ]
    x = rng.normal(size=(7, 8, 1))  # conv 5 x 6, pool 2 x 3: the last row is cut off
    eps, n = 1e-6, x.size
    steps = np.eye(n).reshape(n, *x.shape) * eps
    plus = class_score(spec, layers, x + steps, "classification", 3, 1)
    minus = class_score(spec, layers, x - steps, "classification", 3, 1)
    numeric = ((plus - minus) / (2 * eps)).reshape(x.shape)
    ours = saliency(spec, layers, x, "classification", 3, 1)
    np.testing.assert_allclose(ours, numeric, rtol=0, atol=1e-6 * max(1.0, np.abs(numeric).max()))
    assert np.all(ours[6] == 0)  # the row pooling cut off
    if activation != "step":
        assert np.abs(ours).max() > 1e-3


@pytest.mark.keras
@pytest.mark.parametrize("layer", [None, "conv_1"])
def test_grad_cam_equals_gradient_tape_on_the_conv_layers_maps(layer):
    import tensorflow as tf

    spec, shape = CNNSpec((4, 8), 3, 2, (8,), activation="relu"), (16, 16, 2)  # conv_2 maps 5 x 5 x 8
    model = keras_model(spec, shape, "classification", 4, seed=3)
    x = np.random.default_rng(4).normal(size=shape).astype(np.float32)
    stop = [keras_layer.name for keras_layer in model.model_.layers].index(layer or "conv_2") + 1
    A = x[None]
    for keras_layer in model.model_.layers[:stop]:
        A = keras_layer(A, training=False)
    lit = 0
    for target in range(4):
        with tf.GradientTape() as tape:
            tape.watch(A)
            score = keras_logits(model, A, start=stop)[:, target]
        alpha = tf.reduce_mean(tape.gradient(score, A), axis=(1, 2))
        weighted = tf.reduce_sum(A * alpha[:, None, None, :], axis=-1)[0].numpy()  # before the relu
        ours = grad_cam(spec, model.layer_weights(), x, "classification", 4, target, layer=layer)
        assert ours.shape == ((5, 5) if layer is None else (14, 14))
        close(ours, np.maximum(weighted, 0), scale=np.abs(weighted).max())
        lit += np.sum(ours > 1e-3 * np.abs(weighted).max())
    assert lit >= 4  # the maps are not all zeros


@pytest.mark.keras
def test_upsample_is_tensorflows_bilinear_resize():
    import tensorflow as tf

    heatmap = np.random.default_rng(5).random((3, 4))
    for size in ((13, 9), (3, 4), (28, 28)):
        expected = tf.image.resize(heatmap[..., None], size, method="bilinear").numpy()[..., 0]
        np.testing.assert_allclose(upsample(heatmap, size), expected, atol=1e-6)
    np.testing.assert_allclose(upsample(heatmap, (3, 4)), heatmap)


def random_cnn(rng, spec, shape, n_units):
    layers, c, h, w = [], shape[2], shape[0], shape[1]
    for i, filters in enumerate(spec.conv_filters, 1):
        layers.append((f"conv_{i}", rng.normal(size=(3, 3, c, filters)) * 0.5, rng.normal(size=filters) * 0.3))
        c, h, w = filters, (h - 2) // spec.pool_size, (w - 2) // spec.pool_size
    layers.append(("output", rng.normal(size=(h * w * c, n_units)) / np.sqrt(h * w * c), rng.normal(size=n_units)))
    return layers


def occlusion_reference(probability, x, patch, stride, fill):
    """The definition, one occluded image at a time."""
    h, w = x.shape[:2]
    total, count, base = np.zeros((h, w)), np.zeros((h, w)), probability(x)
    for r in sorted({*range(0, h - patch + 1, stride), h - patch}):
        for c in sorted({*range(0, w - patch + 1, stride), w - patch}):
            hidden = x.copy()
            hidden[r : r + patch, c : c + patch] = fill
            total[r : r + patch, c : c + patch] += base - probability(hidden)
            count[r : r + patch, c : c + patch] += 1
    return total / count


def test_occlusion_equals_a_loop_over_the_occluded_images():
    rng = np.random.default_rng(6)
    spec = CNNSpec((3, 4), 3, 1, (), 0.0, "tanh")
    layers, x = random_cnn(rng, spec, (10, 10, 2), 3), rng.normal(size=(10, 10, 2))
    for target in range(3):

        def cnn_probability(image):
            return probabilities(feature_maps(spec, layers, image, "classification", 3)[-1].values)[target]

        ours = occlusion(spec, layers, x, "classification", 3, target, patch=3, stride=2, fill=0.5)
        np.testing.assert_allclose(ours, occlusion_reference(cnn_probability, x, 3, 2, 0.5), atol=1e-6)
        assert np.abs(ours).max() > 1e-3

    mlp, image = MLPSpec((6,), "sigmoid"), rng.random((8, 8))  # binary: one logistic unit; an 8 x 8 image
    mlp_layers = [
        ("hidden_1", rng.normal(size=(64, 6)), rng.normal(size=6)),
        ("output", rng.normal(size=(6, 1)), [0.1]),
    ]
    for target in (0, 1):

        def mlp_probability(img):
            out = mlp_outputs(mlp_layers, img[None], "sigmoid", "classification", 1, image=True)[-1][1]
            return probabilities(out)[0, target]

        ours = occlusion(mlp, mlp_layers, image, "classification", 1, target)  # defaults: patch 1, stride 1, mean
        np.testing.assert_allclose(ours, occlusion_reference(mlp_probability, image, 1, 1, image.mean()), atol=1e-6)

    big = rng.random((28, 28, 1))  # the defaults on 28 x 28: 4 x 4 patches every 2 pixels, grey
    reg = CNNSpec((2,), 3, 2, (), 0.0, "relu")
    reg_layers = random_cnn(rng, reg, (28, 28, 1), 2)
    np.testing.assert_allclose(
        occlusion(reg, reg_layers, big, "regression", 2, 1),
        occlusion(reg, reg_layers, big, "regression", 2, 1, patch=4, stride=2, fill=big.mean()),
    )


def test_the_playgrounds_tanh_output_unit_is_explained_like_a_logistic_one():
    rng = np.random.default_rng(10)
    spec = MLPSpec((5,), "tanh", output="tanh")  # one tanh unit: P(class 1) = (tanh(z) + 1) / 2
    layers = [("hidden_1", rng.normal(size=(16, 5)), rng.normal(size=5)), ("output", rng.normal(size=(5, 1)), [0.2])]
    image = rng.random((4, 4))
    z = (np.tanh(image.ravel() @ layers[0][1] + layers[0][2]) @ layers[1][1] + layers[1][2])[0]
    for target, sign in ((1, 1.0), (0, -1.0)):
        assert float(class_score(spec, layers, image, "classification", 1, target)) == pytest.approx(sign * z)
        steps = np.eye(16).reshape(16, 4, 4) * 1e-6
        numeric = (
            class_score(spec, layers, image + steps, "classification", 1, target)
            - class_score(spec, layers, image - steps, "classification", 1, target)
        ) / 2e-6
        np.testing.assert_allclose(
            saliency(spec, layers, image, "classification", 1, target).ravel(), numeric, atol=1e-7
        )

        def probability(img):
            out = mlp_outputs(layers, img[None], "tanh", "classification", 1, True, output="tanh")[-1][1]
            return probabilities(out)[0, target]

        ours = occlusion(spec, layers, image, "classification", 1, target, patch=2, stride=1)
        np.testing.assert_allclose(ours, occlusion_reference(probability, image, 2, 1, image.mean()), atol=1e-6)


def test_the_maps_point_at_the_only_pixels_a_hand_built_model_reads():
    spec, W = MLPSpec(()), np.zeros((64, 3))  # a linear model of 8 x 8 images: class 1 reads two pixels
    W[[2 * 8 + 5, 3 * 8 + 5], 1] = 4.0
    layers = [("output", W, np.zeros(3))]
    x = np.random.default_rng(7).random((8, 8)) * 0.3  # ink everywhere, the read pixels bright
    x[2:4, 5] = 1.0
    np.testing.assert_allclose(saliency(spec, layers, x, "classification", 3, 1), W[:, 1].reshape(8, 8))
    drop = occlusion(spec, layers, x, "classification", 3, 1, patch=2, stride=1)
    assert np.unravel_index(drop.argmax(), drop.shape) in {(2, 5), (3, 5)}
    near = np.zeros((8, 8), bool)
    near[1:5, 4:7] = True  # the pixels a 2 x 2 patch over a read pixel also covers
    assert np.all(drop[near & (x > 0) & (W[:, 1].reshape(8, 8) > 0)] > 0.1)
    np.testing.assert_allclose(drop[~near], 0, atol=1e-12)


@pytest.mark.keras
def test_saliency_with_reinitialised_weights_differs_from_the_trained_networks():
    """Adebayo et al.'s sanity check: per test image, the rank correlation of |saliency| between the trained
    network and the same network re-initialised, its median over 100 images. Measured: about 0 (-0.02 to 0.06 over
    five seeds), while another network trained from other first weights gives about 0.5 and the trained weights
    twice give 1: the threshold of 0.25 tells a map of what was learnt from one of the architecture alone."""
    digits = load_digits()
    X, y = (digits.data / 16).astype(np.float32), digits.target
    X_test, y_test = X[1400:1500], y[1400:1500]
    spec = MLPSpec((32,))

    def trained(seed):
        model = build_model(spec, "keras", input_shape=(64,), n_outputs=10, seed=seed)
        model.fit(X[:1400], y[:1400], TrainConfig(epochs=15, batch_size=32, learning_rate=3e-3, seed=seed))
        assert (model.predict(X_test) == y_test).mean() > 0.85
        return model.layer_weights()

    def median_rank_correlation(a, b):
        maps = [
            np.abs(np.stack([saliency(spec, w, x, "classification", 10, t) for x, t in zip(X_test, y_test)]))
            for w in (a, b)
        ]
        return np.median([spearmanr(p, q).statistic for p, q in zip(*maps)])

    weights = trained(0)
    assert median_rank_correlation(weights, weights) == pytest.approx(1.0)  # the statistic can fail the check
    assert median_rank_correlation(weights, trained(5)) > 0.25  # what another training learnt too
    for seed in (0, 1):
        assert median_rank_correlation(weights, reinitialised(spec, weights, seed)) < 0.25


@pytest.mark.keras
def test_reinitialised_draws_kerass_first_weights_with_the_same_shapes():
    import keras

    spec, shape = CNNSpec((4, 6), 3, 2, (8,)), (13, 13, 2)
    layers = random_cnn(np.random.default_rng(8), CNNSpec((4, 6), 3, 2, (), 0.0), shape, 5)
    layers = [
        *layers[:2],
        ("hidden_1", np.ones((6, 8), np.float32), np.ones(8)),
        ("output", np.ones((8, 5)), np.ones(5)),
    ]
    fresh = reinitialised(spec, layers, seed=0)
    assert [n for n, _, _ in fresh] == [n for n, _, _ in layers]
    for (name, W, b), (_, W0, b0) in zip(fresh, layers):
        assert W.shape == np.shape(W0) and b.shape == np.shape(b0) and W.dtype == np.asarray(W0).dtype
        assert not np.allclose(W, W0) and np.all(b == 0)
        receptive = np.prod(W.shape[:-2])
        limit = np.sqrt(6 / (receptive * W.shape[-2] + receptive * W.shape[-1]))
        assert np.abs(W).max() <= limit and abs(W.mean()) < limit / 3
        keras_draw = keras.initializers.GlorotUniform(seed=1)(W.shape).numpy()  # Keras's own limit for the shape
        assert np.abs(keras_draw).max() <= limit * (1 + 1e-6)
    big = reinitialised(MLPSpec(()), [("output", np.zeros((784, 10)), np.zeros(10))], seed=0)[0][1]
    assert np.abs(big).max() > 0.99 * np.sqrt(6 / 794)  # the whole range is drawn
    again, other = reinitialised(spec, layers, seed=0), reinitialised(spec, layers, seed=1)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(fresh, again))
    assert not any(np.allclose(a[1], b[1]) for a, b in zip(fresh, other))


def test_wrong_targets_shapes_and_weights_are_refused_in_plain_english():
    rng = np.random.default_rng(9)
    mlp = MLPSpec((8,))
    layers = [("hidden_1", rng.normal(size=(64, 8)), np.zeros(8)), ("output", rng.normal(size=(8, 10)), np.zeros(10))]
    x = rng.random((8, 8))
    for target in (10, -1, True, 1.0, None):
        with pytest.raises(InvalidSpecError, match="target must be a class from 0 to 9"):
            saliency(mlp, layers, x, "classification", 10, target)
    binary = [layers[0], ("output", rng.normal(size=(8, 1)), np.zeros(1))]
    with pytest.raises(InvalidSpecError, match="from 0 to 1"):
        class_score(mlp, binary, x, "classification", 1, 2)
    with pytest.raises(InvalidSpecError, match="an output from 0 to 0"):
        class_score(mlp, binary, x, "regression", 1, 1)
    with pytest.raises(InvalidSpecError, match="takes 64 inputs a sample"):
        saliency(mlp, layers, rng.random((5, 63)), "classification", 10, 0)
    with pytest.raises(InvalidSpecError, match="do not fit this network"):
        saliency(mlp, layers, x, "classification", 3, 0)  # 10 output units, not 3
    with pytest.raises(InvalidSpecError, match="do not fit this network"):
        saliency(MLPSpec((16,)), layers, x, "classification", 10, 0)
    with pytest.raises(InvalidSpecError, match="do not belong to this network"):
        saliency(CNNSpec(), layers, x[..., None], "classification", 10, 0)
    with pytest.raises(InvalidSpecError, match="needs a convnet"):
        grad_cam(mlp, layers, x, "classification", 10, 0)
    with pytest.raises(InvalidSpecError, match="patch must be a whole number from 1 to 8"):
        occlusion(mlp, layers, x, "classification", 10, 0, patch=9)
    with pytest.raises(InvalidSpecError, match="task must be"):
        saliency(mlp, layers, x, "clustering", 10, 0)

    cnn = CNNSpec((3,), 3, 2, (), 0.0)
    conv_layers = random_cnn(rng, cnn, (8, 8, 1), 2)  # trained on 8 x 8 images: 3 x 3 x 3 maps after pooling
    with pytest.raises(InvalidSpecError, match="images of another size"):
        saliency(cnn, conv_layers, rng.random((2, 10, 10, 1)), "classification", 2, 0)
    with pytest.raises(InvalidSpecError, match=r"takes an image \(height, width, 1\)"):
        saliency(cnn, conv_layers, rng.random((8, 8, 3)), "classification", 2, 0)
    with pytest.raises(InvalidSpecError, match="do not fit this network"):
        saliency(CNNSpec((3,), 5, 2, (), 0.0), conv_layers, rng.random((8, 8, 1)), "classification", 2, 0)
    with pytest.raises(InvalidSpecError, match="one of this network's conv layers conv_1"):
        grad_cam(cnn, conv_layers, rng.random((8, 8)), "classification", 2, 0, layer="pool_1")
