"""A class server whose training cluster cannot be reached: pressing Train gives one message in the page within
10 s (not "1st in line" forever), and the page keeps working. Checked in a fresh interpreter with its own
NNLAB_SCHEDULER, since the server's job board is one per process."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "app" / "main.py"

SCRIPT = f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from streamlit.testing.v1 import AppTest
from app.jobs import PLAN_KEY
at = AppTest.from_file({str(MAIN)!r}, default_timeout=60)
at.run()
at.switch_page("../pages/training.py").run()
start = time.monotonic()
at.button(key="train_go").click().run()
while PLAN_KEY in at.session_state and time.monotonic() - start < 15:  # each run is one poll of the page
    time.sleep(0.2)
    at.run()
assert PLAN_KEY not in at.session_state, "still waiting after 15 s"
assert not at.exception, at.exception
print(round(time.monotonic() - start, 1))
print(" | ".join(e.value for e in at.error))
at.slider(key="train_depth").set_value(1).run()  # the page goes on
assert not at.exception and at.metric
"""


def test_a_cluster_that_cannot_be_reached_is_one_message_in_the_page_within_10_s():
    env = {**os.environ, "NNLAB_SCHEDULER": "tcp://127.0.0.1:1"}
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    seconds, errors = out.stdout.strip().splitlines()[-2:]
    assert float(seconds) < 10, seconds
    assert "No training cluster" in errors, errors
