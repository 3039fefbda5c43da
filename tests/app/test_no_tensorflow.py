"""Importing TensorFlow costs 5-10 s and ~500 MB: the server never does it. Training runs as jobs on the cluster's
workers, and a Keras model comes back as weights with a NumPy forward pass (`core.models.frozen`), so even
training and looking inside Keras models and convnets leaves TensorFlow out of the server.

Checked in a fresh interpreter, so tests that import Keras elsewhere in the session cannot hide a leak.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "app" / "main.py"

SCRIPT = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from streamlit.testing.v1 import AppTest
from tests.apptest import finish_training
at = AppTest.from_file({str(MAIN)!r}, default_timeout=60)
at.run()
for page in ("data", "activations", "losses", "backprop", "gradient_descent", "weights", "cnn", "results"):
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
at.number_input(key="train_epochs").set_value(2).run()
finish_training(at.button(key="train_go").click())
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
at.switch_page("../pages/training.py").run()
at.radio(key="train_backend").set_value("keras").run()
finish_training(at.button(key="train_go").click(), timeout=240)
assert not at.exception, at.exception
assert at.session_state["nnlab_training_run"].model.backend == "keras"
for tab in ("Test results", "Download"):
    at.session_state["train_tab"] = tab
    at.run()
    assert not at.exception, (tab, at.exception)
at.switch_page("../pages/cnn.py").run()
at.number_input(key="cnn_epochs").set_value(1).run()
finish_training(at.button(key="cnn_go").click(), timeout=240)
assert not at.exception, at.exception
assert at.session_state["nnlab_cnn_run"].model.backend == "keras"
for tab in ("Filters", "Feature maps", "Step by step"):
    at.session_state["cnn_tab"] = tab
    at.run()
    assert not at.exception, (tab, at.exception)
at.switch_page("../pages/weights.py").run()
assert not at.exception, at.exception
print(sorted(m for m in ("tensorflow", "keras") if m in sys.modules))
"""


def test_the_server_never_imports_tensorflow_even_for_keras_models():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
