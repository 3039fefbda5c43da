"""What a student waits for, measured in the system Chromium, each against its plain equivalent.

    python bench/browser_speed.py

1. A newcomer's first look: seconds from starting the server to its landing page drawn in Chromium, NN Lab
   (its training cluster starting in the background) against a one-line hello-world Streamlit app started the
   same way. Target: at most 1.3x.
2. Small lessons, from the click on Train to "Trained" on the page: iris with one hidden layer of 5 units,
   200 epochs (target: at most 2 s; a plain `MLPClassifier.fit` is printed beside it), and the spiral on Keras,
   200 epochs (target: at most 3x a plain `model.fit` of the same model, timed here with TensorFlow warm).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from streamlit_server import free_port, start, wait_healthy  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
IRIS = "/training?dataset=iris&depth=1&w1=5&epochs=200"
SPIRAL = "/training?dataset=spiral&backend=keras&epochs=200"


def first_look(browser, script: Path, cwd: Path, ready: str) -> float:
    """Seconds from starting the server to `ready` (a CSS selector) visible on its landing page."""
    port = free_port()
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    start = time.perf_counter()
    proc, _ = start(script, port=port, cwd=cwd)
    try:
        wait_healthy(port)
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector(ready, timeout=60_000)
        return time.perf_counter() - start
    finally:
        page.close()
        proc.terminate()
        proc.wait(30)


def click_to_done(page, base: str, link: str, epochs: int = 200) -> float:
    from browser import wait_idle

    page.goto(base + link.replace("epochs=200", f"epochs={epochs}"))
    wait_idle(page)
    button = page.get_by_role("button", name="Train", exact=True)
    start = time.perf_counter()
    button.click()
    page.get_by_text(f"Trained {epochs} epochs").first.wait_for(timeout=300_000)
    return time.perf_counter() - start


def plain_iris() -> float:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from core.datasets import load_dataset
    from core.experiment import prepare_data

    data = prepare_data(load_dataset("iris"), 0.2, 0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier((5,), max_iter=200, batch_size=32, learning_rate_init=3e-3, random_state=0).fit(
            data.X_train, data.y_train
        )
    return time.perf_counter() - start


def plain_spiral() -> float:
    """The page's default network on the spiral (2-16-16-1, Adam 3e-3, batch 32, 10% validation), warm."""
    from core.datasets import load_dataset
    from core.experiment import prepare_data
    from core.models.keras_backend import load_keras

    keras = load_keras()
    data = prepare_data(load_dataset("spiral"), 0.2, 0)

    def fit(epochs: int) -> float:
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                keras.Input((2,)),
                keras.layers.Dense(16, activation="relu"),
                keras.layers.Dense(16, activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(data.X_train, data.y_train, batch_size=32, epochs=epochs, validation_split=0.1, verbose=0)
        return time.perf_counter() - start

    fit(2)  # TensorFlow warm
    return fit(200)


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        hello = Path(folder) / "hello.py"
        hello.write_text('import streamlit as st\nst.write("Hello, world")\n')
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        hellos = [first_look(browser, hello, Path(folder), "text=Hello, world") for _ in range(3)]
        labs = [first_look(browser, ROOT / "app" / "main.py", ROOT, "h1:has-text('NN Lab')") for _ in range(3)]
        ratio = min(labs) / min(hellos)
        print(
            f"first look, server start to landing page drawn (best of 3): hello world {min(hellos):.2f} s, "
            f"NN Lab {min(labs):.2f} s: {ratio:.2f}x (target at most 1.3x): {'PASS' if ratio <= 1.3 else 'FAIL'}"
        )

        port = free_port()
        proc, _ = start(ROOT / "app" / "main.py", port=port)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(port)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            click_to_done(page, base, IRIS, epochs=5)  # the cluster is up and warm
            iris = min(click_to_done(page, base, IRIS) for _ in range(3))
            print(
                f"iris, 1 hidden layer of 5 units, 200 epochs, click to done (best of 3): {iris:.2f} s "
                f"(plain MLPClassifier.fit {plain_iris():.2f} s; target at most 2 s): {'PASS' if iris <= 2 else 'FAIL'}"
            )
            click_to_done(page, base, SPIRAL, epochs=2)  # the workers import TensorFlow once
            spiral = min(click_to_done(page, base, SPIRAL) for _ in range(2))
            plain = plain_spiral()
            print(
                f"spiral on Keras, 200 epochs, click to done (best of 2): {spiral:.2f} s, plain model.fit "
                f"{plain:.2f} s: {spiral / plain:.2f}x (target at most 3x): {'PASS' if spiral <= 3 * plain else 'FAIL'}"
            )
        finally:
            proc.terminate()
            proc.wait(30)
        browser.close()


if __name__ == "__main__":
    main()
