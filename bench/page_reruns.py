"""How long a click takes to rerun each page, server side.

    python bench/page_reruns.py

Budgets: 150 ms on the Data and Weights pages (digits), 100 ms on the maths pages. Drives the pages with Streamlit's
AppTest (the same script run a browser triggers, minus the network; AppTest's own polling adds a few ms)
and prints each rerun against the plain work it wraps, as a notebook cell would do it.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the pages import `app.*`, as under `python -m streamlit run`
MAIN = str(ROOT / "app" / "main.py")
DATA_BUDGET_MS, MATHS_BUDGET_MS = 150.0, 100.0


def timed(fn, repeat: int = 7) -> float:
    """Median milliseconds of fn() over `repeat` calls (after one warm-up)."""
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def _cycle(*values):
    """Alternating values, so every rerun really changes the widget."""
    while True:
        yield from values


def data_page(at) -> dict[str, float]:
    at.switch_page("../pages/data.py").run()
    steps = {}
    at.session_state["data_tab"] = "Train/test split"
    at.run()
    fractions = _cycle(0.3, 0.2)
    steps["data: split slider"] = timed(lambda: at.slider(key="data_test_fraction").set_value(next(fractions)).run())
    at.session_state["data_tab"] = "Samples"
    at.run()
    pages = _cycle(2, 1)
    steps["data: sample grid page"] = timed(lambda: at.number_input(key="data_page").set_value(next(pages)).run())
    classes = _cycle("3", "all")
    steps["data: class filter"] = timed(lambda: at.selectbox(key="data_class").set_value(next(classes)).run())
    return steps


def maths_pages(at) -> dict[str, float]:
    steps = {}
    at.switch_page("../pages/activations.py").run()
    ranges = _cycle((-4.0, 4.0), (-6.0, 6.0))
    steps["activations: range"] = timed(lambda: at.slider(key="act_range").set_value(next(ranges)).run())
    at.switch_page("../pages/losses.py").run()
    targets = _cycle(-1.0, 1.0)
    steps["losses: target"] = timed(lambda: at.slider(key="loss_target").set_value(next(targets)).run())
    at.switch_page("../pages/backprop.py").run()
    rates = _cycle(0.1, 0.5)
    steps["backprop: learning rate"] = timed(lambda: at.select_slider(key="bp_lr").set_value(next(rates)).run())
    at.switch_page("../pages/gradient_descent.py").run()
    rates = _cycle(0.1, 0.3)
    steps["descent: learning rate"] = timed(lambda: at.select_slider(key="gd_lr").set_value(next(rates)).run())
    at.session_state["gd_tab"] = "Optimizers on loss surfaces"
    at.run()
    steps["optimizers: steps"] = timed(lambda: at.slider(key="gd_steps").set_value(next(_cycle(200, 100))).run())
    return steps


def weights_page(at) -> dict[str, float]:
    """Scrubbing a quick MLP (64-32-16-10, 30 epochs) through its recorded epochs, in each view."""
    steps = {}
    at.switch_page("../pages/weights.py").run()
    at.button(key="weights_quick_mlp").click().run()
    for tab in ("Layers", "Kernels", "First-layer units", "Network diagram"):
        at.session_state["weights_tab"] = tab
        at.run()
        epochs = _cycle(1, 30)
        steps[f"weights: epoch, {tab.lower()}"] = timed(
            lambda epochs=epochs: at.select_slider(key="weights_epoch").set_value(next(epochs)).run()
        )
    at.session_state["weights_tab"] = "Parameter trace"
    at.run()
    units = _cycle(5, 0)
    steps["weights: trace another unit"] = timed(
        lambda: at.number_input(key="weights_trace_hidden_1_bias_unit").set_value(next(units)).run()
    )
    at.session_state["weights_tab"] = "Counting parameters"
    at.run()
    widths = _cycle("300, 100", "128")
    steps["weights: count typed layers"] = timed(
        lambda: at.text_input(key="params_hidden").set_value(next(widths)).run()
    )
    return steps


def cnn_page(at) -> dict[str, float]:
    """The CNN lab before training: the summary as the sliders move, and the augmentation preview (no Keras)."""
    at.switch_page("../pages/cnn.py").run()
    filters, rotations = _cycle(8, 24), _cycle(0.1, 0.2)
    return {
        "cnn: filters slider": timed(lambda: at.slider(key="cnn_f1").set_value(next(filters)).run()),
        "cnn: augmentation preview": timed(lambda: at.slider(key="cnn_rotation").set_value(next(rotations)).run()),
    }


def plain_notebook_cell() -> None:
    """The notebook version of the Data page's view: load digits and split it."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    train_test_split(d.images, d.target, test_size=0.3, stratify=d.target, random_state=0)


def main() -> None:
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.run()
    base = timed(plain_notebook_cell)
    rows = [(name, ms, DATA_BUDGET_MS) for name, ms in data_page(at).items()]
    rows += [(name, ms, DATA_BUDGET_MS) for name, ms in weights_page(at).items()]
    rows += [(name, ms, DATA_BUDGET_MS) for name, ms in cnn_page(at).items()]
    rows += [(name, ms, MATHS_BUDGET_MS) for name, ms in maths_pages(at).items()]
    print(f"{'step':<36}{'rerun ms':>10}{'x notebook cell':>17}{'x budget':>10}")
    for name, ms, budget in rows:
        print(f"{name:<36}{ms:>10.1f}{ms / base:>17.2f}{ms / budget:>10.2f}")
    print(f"notebook cell (load_digits + train_test_split): {base:.1f} ms")


if __name__ == "__main__":
    main()
