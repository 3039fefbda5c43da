"""Real-browser tests: `streamlit run app/main.py` on a free local port, driven by Playwright in the
system Chromium (Debian package `chromium`; no browser is ever downloaded). Screenshots go to
artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("NNLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(data_dir: Path, **env: str):
    """`streamlit run app/main.py` on a free port with NNLAB_DATA_DIR=data_dir and `env`; yields its URL and
    ends it (and its training cluster) afterwards."""
    port = _free_port()
    env = {
        **os.environ,
        "NNLAB_DATA_DIR": str(data_dir),
        "NNLAB_WORKERS": "1",
        **env,
    }  # one training at a time: a second student waits in line
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app/main.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited: {proc.stdout.read()}")
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 60 s")
    yield url
    proc.terminate()  # the server ends its training cluster's processes as it exits
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    yield from serve(tmp_path_factory.mktemp("data"))


TEACHER_TOKEN = "e2e-teacher-token"


@pytest.fixture(scope="module")
def teacher_url(tmp_path_factory):
    """A server of its own with a teacher token (NNLAB_TEACHER_TOKEN = TEACHER_TOKEN)."""
    yield from serve(tmp_path_factory.mktemp("data"), NNLAB_TEACHER_TOKEN=TEACHER_TOKEN)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: install Debian's package with `apt-get install -y chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()
