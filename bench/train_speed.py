"""Training speed of NN Lab's backends against the plain frameworks, at equal accuracy.

    python bench/train_speed.py

1. scikit-learn: an MLP (16, 16) on 8,000 MNIST-sized images (28x28). Plain: the lessons' cell,
   `MLPClassifier(hidden_layer_sizes=(16, 16)).fit(X / 255.0, y)` with default settings (float64, all BLAS
   threads). NN Lab: the same network and recipe (adam, lr 1e-3, batch 200) trained through `core` for the
   same number of epochs, so at equal accuracy: one `partial_fit` per epoch with per-epoch scores. Measured
   on an idle machine and with one core busy with another training session (a class server holds many), both
   in-process and through the class server's job queue (a local two-worker Dask cluster, submit to collected
   run); idle, each is the best of three runs taken in turn (plain, NN Lab, queue, ceiling, three times over).
   Targets, through the queue: at least 1.3x the plain fit idle, at least 3x faster with one core
   busy. Also printed: the ceiling for any partial_fit loop, scikit-learn's own epoch loop with none of the
   per-epoch work (float32, one BLAS thread, no shuffling, no scores, one fit call), and where one epoch of
   NN Lab's loop goes (the shuffled copy of the training set, partial_fit, the epoch's training accuracy, the
   snapshot).

   Where NN Lab lost time (0.78x idle, 1.29x busy at first), and what was done:
   - Dask's workers sampled the running task's stack every 10 ms for a dashboard NN Lab does not have
     (profiling is off now);
   - the arrays a worker unpickled sat at unaligned addresses, where the shuffle's gather ran ~2x slower
     (realigned once per job now);
   - the nanny's MALLOC_TRIM_THRESHOLD_ made every epoch's 25 MB shuffled copy a fresh, page-faulted mmap (freed
     memory is reused now, core/classserver/worker_warmup.py);
   - the training accuracy was a forward pass of its own over 5,000 training images after every epoch (4 of an
     epoch's 34 ms; 1.25x idle before, on one VM): it is Keras's now, over the epoch's batches as they were
     trained, read from the outputs training computes anyway;
   - each epoch's shuffled copy was a new array (one buffer now: 1.2 ms less an epoch).
   What is left over scikit-learn's own loop with no shuffling is the shuffled copy (3-5 ms an epoch); a loop that
   shuffles pays as much inside its batches (scikit-learn's `shuffle=True` given NN Lab's order ran no faster).
2. Keras: the same MLP, 10 epochs with a validation set. Plain: `model.fit(..., validation_data=...)`.
   NN Lab: `core`'s KerasModel.fit with its per-epoch callback. Target: at most 10% slower.

Uses MNIST when its files are on this machine, else scikit-learn's digits upscaled to 28x28 with shifts and
noise (the same sizes, so the same arithmetic).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `core`, from a fresh clone

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

N, SEED = 8000, 0


def mnist_sized() -> tuple[np.ndarray, np.ndarray, str]:
    from core.datasets import load_dataset, subsample_indices
    from core.errors import DatasetUnavailable

    try:
        ds = load_dataset("mnist")
        idx = subsample_indices(ds.y, ds.task, N + 2000, SEED)
        return ds.X[idx].reshape(len(idx), -1), ds.y[idx], "MNIST"
    except DatasetUnavailable:
        from sklearn.datasets import load_digits

        d = load_digits()
        big = np.kron(d.images / 16.0, np.ones((3, 3)))  # 8x8 -> 24x24
        big = np.pad(big, ((0, 0), (2, 2), (2, 2)))  # -> 28x28
        rng = np.random.default_rng(SEED)
        pick = rng.integers(0, len(big), N + 2000)
        shifted = np.stack([np.roll(big[i], rng.integers(-2, 3, 2), axis=(0, 1)) for i in pick])
        X = np.clip(shifted + rng.normal(0, 0.1, shifted.shape), 0, 1).reshape(len(pick), -1)
        return X.astype(np.float32), d.target[pick], "digits upscaled to 28x28"


def best_interleaved(fns: dict, repeat: int) -> dict:
    """{name: (best seconds, result)} of each of `fns`, run in turn `repeat` times (plain, ours, ... , plain, ours):
    a machine that slows down for a while (a neighbour on a shared VM) slows each of them, not one."""
    best = dict.fromkeys(fns, (float("inf"), None))
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            result = fn()
            best[name] = min(best[name], (time.perf_counter() - t, result), key=lambda pair: pair[0])
    return best


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    return best_interleaved({"fn": fn}, repeat)["fn"]


def _other_session(seconds: float) -> subprocess.Popen:
    """Another student's training on the same server: a plain MLP fit looping on one core, for `seconds`."""
    code = (
        "import time, numpy as np, warnings; from sklearn.neural_network import MLPClassifier; "
        "warnings.simplefilter('ignore'); X = np.random.default_rng(0).random((4000, 784)); "
        "y = np.arange(4000) % 10; t = time.time()\n"
        f"while time.time() - t < {seconds}: MLPClassifier((32,), max_iter=2).fit(X, y)"
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-c", code], env=env)


def sklearn_bench(X, y, Xt, yt) -> None:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from core.models import build_model
    from core.spec import MLPSpec, TrainConfig

    X64, Xt64 = X.astype(np.float64), Xt.astype(np.float64)  # what `X / 255.0` gives in a notebook

    def plain(epochs=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            kwargs = {} if epochs is None else {"max_iter": epochs, "n_iter_no_change": epochs + 1}
            return MLPClassifier(hidden_layer_sizes=(16, 16), random_state=SEED, **kwargs).fit(X64, y)

    t0 = time.perf_counter()
    reference = plain()
    epochs = reference.n_iter_  # where the default fit converged
    print(
        f"scikit-learn MLP (16, 16), {len(X)} images x {X.shape[1]} pixels; default fit converges after {epochs} "
        f"epochs ({time.perf_counter() - t0:.1f} s), test accuracy {reference.score(Xt64, yt):.3f}"
    )
    config = TrainConfig(
        epochs=epochs, batch_size=200, learning_rate=1e-3, optimizer="adam", validation_fraction=0.0, seed=SEED
    )

    def ours():
        m = build_model(MLPSpec((16, 16)), "sklearn", input_shape=(X.shape[1],), n_outputs=10, seed=SEED)
        m.fit(X, y, config, callback=lambda logs: None)
        return m

    def ceiling():
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return MLPClassifier(
                hidden_layer_sizes=(16, 16),
                random_state=SEED,
                alpha=0.0,
                shuffle=False,
                max_iter=epochs,
                n_iter_no_change=epochs + 1,
            ).fit(X, y)

    queue = JobQueue(X, y, Xt, yt)
    try:
        for scenario, busy in (("idle machine", False), ("one core busy with another session", True)):
            other = _other_session(600) if busy else None
            try:
                time.sleep(1.0 if busy else 0)
                best = best_interleaved(
                    {
                        "plain": lambda: plain(epochs),
                        "ours": ours,
                        "queue": lambda: queue.train(config),
                        "ceiling": ceiling,
                    },
                    repeat=1 if busy else 3,
                )
                (t_plain, est), (t_ours, model), (t_queue, score), (t_ceiling, _) = best.values()
            finally:
                if other is not None:
                    other.terminate()
                    other.wait()
            target = 3.0 if busy else 1.3
            print(f"  {scenario}:")
            print(f"    plain MLPClassifier.fit:        {t_plain:6.2f} s, test accuracy {est.score(Xt64, yt):.3f}")
            print(
                f"    NN Lab's loop, in-process:      {t_ours:6.2f} s, test accuracy {model.score(Xt, yt):.3f} "
                f"({t_plain / t_ours:.2f}x)"
            )
            print(
                f"    NN Lab through the job queue:   {t_queue:6.2f} s, test accuracy {score:.3f} "
                f"({t_plain / t_queue:.2f}x, target >= {target:g}x: {'PASS' if t_plain / t_queue >= target else 'FAIL'})"
            )
            print(
                f"    ceiling, scikit-learn's own loop with no per-epoch work: {t_ceiling:6.2f} s, "
                f"{t_plain / t_ceiling:.2f}x"
            )
    finally:
        queue.close()


class JobQueue:
    """The class server's path: a job on a local two-worker Dask cluster, timed from submit to the finished run
    on the server (the data goes to the worker, progress comes back, the model is collected)."""

    def __init__(self, X, y, Xt, yt) -> None:
        from core.classserver.cluster import Cluster
        from core.classserver.jobs import JobBoard
        from core.experiment import PreparedData

        self.cluster = Cluster(workers=2)
        self.cluster.client(timeout=120).wait_for_workers(2, timeout=120)  # started and warmed up
        self.board = JobBoard(self.cluster)
        self.data = PreparedData(
            X, y, Xt, yt, "classification", "image", (X.shape[1],), 10, tuple(str(i) for i in range(10)), None, None
        )

    def train(self, config) -> float:
        from core.experiment import Experiment
        from core.spec import MLPSpec

        job = self.board.submit("bench", Experiment("mnist", spec=MLPSpec((16, 16)), config=config), self.data)
        while not job.finished:
            self.board.seen(job)
            time.sleep(0.005)
        run = self.board.collect(job)
        if run is None or not math.isfinite(run.test_score):
            raise RuntimeError(f"the job ended {job.state}: {run.message if run else job.error}")
        return run.test_score

    def close(self) -> None:
        self.board.close()
        self.cluster.close()


def epoch_breakdown(X, y, epochs: int = 40) -> None:
    """Where an epoch of NN Lab's scikit-learn loop goes, in-process, one BLAS thread: the shuffled copy of the
    training set, the partial_fit call (keeping each batch's outputs, as `core` does), the training accuracy from
    those outputs and the weight snapshot; beside them, an epoch of scikit-learn's own loop (float32, one thread,
    shuffling per batch inside fit), which pays for its shuffle inside its own batches."""
    import warnings

    from sklearn import config_context
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    from core.models.sklearn_backend import _keeping_outputs

    rng, spent = (
        np.random.default_rng(SEED),
        dict.fromkeys(("shuffled copy", "partial_fit", "training accuracy", "snapshot"), 0.0),
    )
    est, outputs = MLPClassifier((16, 16), batch_size=200, shuffle=False, random_state=SEED, momentum=0.0), []
    X_shuffled = np.empty_like(X)
    est._backprop = _keeping_outputs(est, outputs)
    with threadpool_limits(1), config_context(assume_finite=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(epochs):
            t0 = time.perf_counter()
            order = rng.permutation(len(X))
            np.take(X, order, axis=0, out=X_shuffled, mode="clip")
            y_shuffled = y[order]
            t1 = time.perf_counter()
            outputs.clear()
            est.partial_fit(X_shuffled, y_shuffled, classes=np.arange(10))
            t2 = time.perf_counter()
            [(W.copy(), b.copy()) for W, b in zip(est.coefs_, est.intercepts_)]  # the snapshot
            t3 = time.perf_counter()
            float(np.mean(np.concatenate(outputs).argmax(axis=1) == y_shuffled))
            t4 = time.perf_counter()
            for key, seconds in zip(spent, (t1 - t0, t2 - t1, t4 - t3, t3 - t2)):
                spent[key] += seconds
        t = time.perf_counter()
        MLPClassifier((16, 16), batch_size=200, random_state=SEED, max_iter=epochs, n_iter_no_change=epochs + 1).fit(
            X, y
        )
        own = (time.perf_counter() - t) / epochs
    ours = sum(spent.values()) / epochs
    print(
        f"  an epoch of NN Lab's loop, in-process ({epochs} epochs): {ours * 1000:.1f} ms = "
        + " + ".join(f"{key} {seconds / epochs * 1000:.1f}" for key, seconds in spent.items())
        + f"; scikit-learn's own loop (float32, one thread, shuffling per batch): {own * 1000:.1f} ms"
    )


def keras_bench(X, y, Xt, yt) -> None:
    from core.models import build_model
    from core.models.keras_backend import load_keras
    from core.spec import MLPSpec, TrainConfig

    keras = load_keras()
    epochs = 10
    X_tr, y_tr, X_val, y_val = X[:-800], y[:-800], X[-800:], y[-800:]

    def plain():
        keras.utils.set_random_seed(SEED)
        model = keras.Sequential(
            [
                keras.Input((X.shape[1],)),
                keras.layers.Dense(16, activation="relu"),
                keras.layers.Dense(16, activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ]
        )
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        model.fit(X_tr, y_tr, batch_size=200, epochs=epochs, validation_data=(X_val, y_val), verbose=0)
        return model

    config = TrainConfig(epochs=epochs, batch_size=200, learning_rate=1e-3, validation_fraction=0.1, seed=SEED)

    def ours():
        m = build_model(MLPSpec((16, 16)), "keras", input_shape=(X.shape[1],), n_outputs=10, seed=SEED)
        m.fit(X, y, config, callback=lambda logs: None)
        return m

    plain(), ours()  # warm up TensorFlow once for both
    t_plain, model = best_of(plain)
    t_ours, ours_model = best_of(ours)
    print(f"Keras MLP (16, 16), {epochs} epochs with validation")
    print(f"  plain model.fit:         {t_plain:6.2f} s, test accuracy {model.evaluate(Xt, yt, verbose=0)[1]:.3f}")
    print(f"  NN Lab (per-epoch):      {t_ours:6.2f} s, test accuracy {ours_model.score(Xt, yt):.3f}")
    print(f"  overhead: {t_ours / t_plain - 1:+.1%} (target <= +10%)")


def main() -> None:
    X, y, source = mnist_sized()
    X, Xt, y, yt = X[:N], X[N:], y[:N], y[N:]
    print(f"data: {source}; {os.cpu_count()} CPU cores\n")
    sklearn_bench(X, y, Xt, yt)
    epoch_breakdown(X, y)
    print()
    keras_bench(X, y, Xt, yt)


if __name__ == "__main__":
    main()
