"""The CNN lab's speed, printed as ratios to a target and to the plain Keras equivalent.

    python bench/cnn_speed.py

1. Feature maps for a new drawing: from the canvas's pixels arriving at the server to the page's figures built
   and serialised (what Streamlit sends): the drawing prepared like the dataset, the forward pass of every layer
   in NumPy from the recorded weights, the input, probability and feature-map figures. The lesson's MNIST
   convnet (34,826 parameters). Target: at most 150 ms on 2 cores. Plain equivalent for comparison: the lesson's
   "debugging model" (keras.Model with every layer's output) predicting the same image.
2. One epoch of that convnet on 8,000 MNIST-sized images, batch 128, with a validation set: NN Lab's
   KerasModel.fit (per-epoch validation metrics and weight snapshots) against a plain model.fit of the same model
   with validation_data. Target: at most 1.15x. The first epoch (tracing) is left out of both.
3. What the network learned, for 2,000 MNIST-sized test images, warm (the page's caches filled, as when a student
   moves the epoch slider): the hidden space by PCA (a layer's activations from a recorded epoch's weights, laid on
   the last epoch's axes, with the silhouette score), saliency for all 2,000 (NumPy backward pass), and what the
   "Why this prediction" view computes for one image (saliency, occlusion, Grad-CAM, trained and re-initialised),
   for the lesson's 300-100 MLP and its convnet. Target: at most 1 s each. Plain equivalent: the Keras model's layer
   outputs with scikit-learn's PCA, and tf.GradientTape's input gradients.

Uses MNIST when its files are on this machine, else scikit-learn's digits upscaled to 28x28 (same sizes).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `core`, from a fresh clone

from train_speed import SEED, best_of, mnist_sized

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPEAT, EPOCHS = 20, 4


def drawing_bench(X, y) -> None:
    from app.cnn import figures as fig
    from core.cnn import feature_maps, probabilities
    from core.drawing import drawing_to_input, ink_fraction
    from core.models import build_model
    from core.models.keras_backend import load_keras
    from core.spec import CNNSpec, TrainConfig

    X = X.reshape(-1, 28, 28, 1)
    spec = CNNSpec(conv_filters=(32, 64), dropout=0.5)
    model = build_model(spec, "keras", input_shape=(28, 28, 1), n_outputs=10)
    model.fit(X[:2000], y[:2000], TrainConfig(epochs=1, batch_size=128))
    layers, fraction = model.history.snapshots.at(1), ink_fraction(X)
    canvas = np.zeros((224, 224, 4), np.uint8)
    canvas[30:190, 100:125, :3] = 255

    def page_work():
        x = drawing_to_input(canvas, (28, 28, 1), fraction)
        maps = feature_maps(spec, layers, x, "classification", 10)
        figures = [
            fig.input_image(x),
            fig.bars(probabilities(maps[-1].values), [str(i) for i in range(10)], "class", 0, percent=True),
        ]
        figures += [fig.map_grid(m.values) for m in maps[:-1] if m.values.ndim == 3]
        return [f.to_json() for f in figures]

    keras = load_keras()
    debug = keras.Model(model.model_.inputs[0], [layer.output for layer in model.model_.layers])
    x = drawing_to_input(canvas, (28, 28, 1), fraction)[None]
    page_work(), debug.predict(x, verbose=0)  # warm up both
    ours = sorted(best_of(page_work, 1)[0] for _ in range(REPEAT))
    plain = sorted(best_of(lambda: debug.predict(x, verbose=0), 1)[0] for _ in range(REPEAT))
    p50, worst = ours[REPEAT // 2] * 1000, ours[-1] * 1000
    print("Feature maps for a new drawing, MNIST convnet (34,826 parameters)")
    print(
        f"  NN Lab, drawing -> figures serialised: median {p50:6.1f} ms, worst {worst:6.1f} ms "
        f"({p50 / 150:.2f}x the 150 ms target)"
    )
    print(
        f"  plain Keras debugging model, predict only: median {plain[REPEAT // 2] * 1000:6.1f} ms "
        f"(NN Lab / plain: {ours[REPEAT // 2] / plain[REPEAT // 2]:.2f}x)"
    )


def epoch_bench(X, y) -> None:
    from core.models import build_model
    from core.models.keras_backend import load_keras
    from core.spec import CNNSpec, TrainConfig

    keras = load_keras()
    images = X.reshape(-1, 28, 28, 1)
    X_tr, y_tr, X_val, y_val = images[:-800], y[:-800], images[-800:], y[-800:]

    class Clock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.ends = []

        def on_epoch_end(self, epoch, logs=None):
            self.ends.append(time.perf_counter())

    def per_epoch(clock) -> float:
        return (clock.ends[-1] - clock.ends[0]) / (len(clock.ends) - 1)  # tracing (epoch 1) left out

    def plain() -> float:
        keras.utils.set_random_seed(SEED)
        model = keras.Sequential(
            [
                keras.Input((28, 28, 1)),
                keras.layers.Conv2D(32, 3, activation="relu"),
                keras.layers.MaxPooling2D(2),
                keras.layers.Conv2D(64, 3, activation="relu"),
                keras.layers.MaxPooling2D(2),
                keras.layers.Flatten(),
                keras.layers.Dropout(0.5),
                keras.layers.Dense(10, activation="softmax"),
            ]
        )
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        clock = Clock()
        model.fit(
            X_tr, y_tr, batch_size=128, epochs=EPOCHS, validation_data=(X_val, y_val), verbose=0, callbacks=[clock]
        )
        return per_epoch(clock)

    def ours() -> float:
        m = build_model(CNNSpec(conv_filters=(32, 64), dropout=0.5), "keras", input_shape=(28, 28, 1), n_outputs=10)
        ends = []
        m.fit(
            images,
            y,
            TrainConfig(epochs=EPOCHS, batch_size=128, validation_fraction=0.1, seed=SEED),
            callback=lambda logs: ends.append(time.perf_counter()),
        )
        return (ends[-1] - ends[0]) / (len(ends) - 1)

    t_plain = min(plain() for _ in range(3))
    t_ours = min(ours() for _ in range(3))
    print(f"\nOne epoch of the MNIST convnet on {len(X_tr):,} images (batch 128, with validation)")
    print(f"  plain model.fit: {t_plain:6.2f} s/epoch")
    print(f"  NN Lab:          {t_ours:6.2f} s/epoch ({t_ours / t_plain:.2f}x plain; target <= 1.15x)")


def learned_bench(X, y) -> None:
    import tensorflow as tf
    from sklearn.decomposition import PCA

    from core.explain import grad_cam, occlusion, reinitialised, saliency
    from core.models import build_model
    from core.projection import activations, fit_pca, separation
    from core.spec import CNNSpec, MLPSpec, TrainConfig

    X = X.reshape(-1, 28, 28, 1)
    X_train, y_train, X_test, y_test = X[:4000], y[:4000], X[4000:6000], y[4000:6000]
    print(f"\nWhat the network learned, {len(X_test):,} test images, warm (target: at most 1 s each)")
    for name, spec, layer in (
        ("300-100 MLP", MLPSpec(hidden_layers=(300, 100), activation="relu"), "hidden_2"),
        ("MNIST convnet", CNNSpec(conv_filters=(32, 64), dropout=0.5), "pool_2"),
    ):
        model = build_model(spec, "keras", input_shape=(28, 28, 1), n_outputs=10)
        model.fit(X_train, y_train, TrainConfig(epochs=2, batch_size=128))
        layers, early = model.layer_weights(), model.history.snapshots.at(1)
        axes = fit_pca(activations(spec, layers, X_test, layer, "classification", 10))  # cached on the page

        def hidden_space():
            A = activations(spec, early, X_test, layer, "classification", 10)
            return axes.transform(A), separation(A, y_test)

        t_ours = best_of(hidden_space, 3)[0]
        keras_layer = dict(model.layer_outputs(X_test))[layer]
        t_plain = best_of(lambda: PCA(n_components=2).fit_transform(keras_layer.reshape(len(X_test), -1)), 3)[0]
        t_keras = best_of(lambda: model.layer_outputs(X_test), 3)[0]
        print(
            f"  {name}, hidden space ({layer}, PCA): {t_ours:5.2f} s ({t_ours:.2f}x the target); plain Keras "
            f"layer outputs + scikit-learn PCA {t_keras + t_plain:5.2f} s"
        )
        t_sal = best_of(lambda: saliency(spec, early, X_test, "classification", 10, 3), 3)[0]
        inputs = tf.constant(X_test)
        logits = model.model_  # timing only: the gradient of its output for class 3

        def tape():
            with tf.GradientTape() as g:
                g.watch(inputs)
                out = logits(inputs)
            return g.gradient(out[:, 3], inputs)

        t_tape = best_of(tape, 3)[0]
        print(
            f"  {name}, saliency of all {len(X_test):,}: {t_sal:5.2f} s ({t_sal:.2f}x the target); "
            f"tf.GradientTape {t_tape:5.2f} s (NN Lab / plain: {t_sal / t_tape:.2f}x)"
        )
        x = X_test[7]

        def why_view():  # what the page computes for one image: its maps, trained and re-initialised
            for weights in (early, reinitialised(spec, early)):
                saliency(spec, weights, x, "classification", 10, 3)
                occlusion(spec, weights, x, "classification", 10, 3)
                if isinstance(spec, CNNSpec):
                    grad_cam(spec, weights, x, "classification", 10, 3)

        t_why = best_of(why_view, 3)[0]
        print(f"  {name}, why this prediction (one image, every map twice): {t_why:5.2f} s ({t_why:.2f}x the target)")


def main() -> None:
    X, y, source = mnist_sized()
    print(f"data: {source}; {os.cpu_count()} CPU cores\n")
    drawing_bench(X, y)
    epoch_bench(X[:8800], y[:8800])
    learned_bench(X, y)


if __name__ == "__main__":
    main()
