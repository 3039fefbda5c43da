"""Importing TensorFlow costs 5-10 s: the landing, Data and maths pages must never do it, nor the Training
page while it trains with scikit-learn, nor the Weights page on a scikit-learn model, nor the CNN lab before
its first Train (its summary and augmentation preview are NumPy).

Checked in a fresh interpreter, so tests that import Keras elsewhere in the session cannot hide a leak.
"""

import subprocess
import sys
from pathlib import Path

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"

SCRIPT = f"""
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(MAIN)!r}, default_timeout=60)
at.run()
for page in ("data", "activations", "losses", "backprop", "gradient_descent", "weights", "cnn"):
    at.switch_page(f"../pages/{{page}}.py").run()
    assert not at.exception, (page, at.exception)
at.switch_page("../pages/cnn.py").run()
at.slider(key="cnn_rotation").set_value(0.1).run()               # the augmentation preview is NumPy
at.selectbox(key="cnn_preset").set_value("Three blocks, no pooling").run()
assert not at.exception and at.metric, at.exception
at.switch_page("../pages/activations.py").run()
at.button(key="act_train").click().run()
at.switch_page("../pages/data.py").run()
at.selectbox(key="dataset").set_value("iris").run()
at.switch_page("../pages/training.py").run()
at.slider(key="train_epochs").set_value(2).run()
at.button(key="train_go").click().run()
for tab in ("Test results", "Compare runs", "Show the code", "Download"):
    at.session_state["train_tab"] = tab
    at.run()
    assert not at.exception, (tab, at.exception)
at.switch_page("../pages/weights.py").run()
for tab in ("Layers", "Layers in code", "Kernels", "First-layer units", "Network diagram", "Parameter trace",
            "Counting parameters"):
    at.session_state["weights_tab"] = tab
    at.run()
    assert not at.exception, (tab, at.exception)
print(sorted(m for m in ("tensorflow", "keras") if m in sys.modules))
"""


def test_pages_without_keras_models_never_import_tensorflow():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
