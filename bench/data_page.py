"""How long a click on the Data page takes to rerun, server side (budget: 150 ms on digits).

    python bench/data_page.py

Drives the page with Streamlit's AppTest (the same script run a browser triggers, minus the network)
and compares each rerun with the bare work it wraps: loading digits from scikit-learn and splitting it.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

MAIN = str(Path(__file__).resolve().parents[1] / "app" / "main.py")
BUDGET_MS = 150.0


def timed(fn, repeat: int = 7) -> float:
    """Median milliseconds of fn() over `repeat` calls (after one warm-up)."""
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> None:
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.switch_page("../pages/data.py").run()

    def plain() -> None:                        # what a notebook cell does for the same view
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        d = load_digits()
        train_test_split(d.images, d.target, test_size=0.3, stratify=d.target, random_state=0)

    steps = {}
    values = iter([0.3, 0.2] * 10)
    at.session_state["data_tab"] = "Train/test split"
    at.run()
    steps["split slider"] = timed(lambda: at.slider(key="data_test_fraction").set_value(next(values)).run())
    at.session_state["data_tab"] = "Samples"
    at.run()
    pages = iter([2, 1] * 10)
    steps["sample grid page"] = timed(lambda: at.number_input(key="data_page").set_value(next(pages)).run())
    classes = iter(["3", "all"] * 10)
    steps["class filter"] = timed(lambda: at.selectbox(key="data_class").set_value(next(classes)).run())
    base = timed(plain)
    print(f"{'step':<20}{'rerun ms':>10}{'x plain load+split':>20}{'x budget':>10}")
    for name, ms in steps.items():
        print(f"{name:<20}{ms:>10.1f}{ms / base:>20.2f}{ms / BUDGET_MS:>10.2f}")
    print(f"plain sklearn load_digits + split: {base:.1f} ms; budget {BUDGET_MS:.0f} ms per rerun")


if __name__ == "__main__":
    main()
