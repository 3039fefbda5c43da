"""Real-browser tests: `streamlit run app/main.py` on a free local port, driven by Playwright in the
system Chromium (Debian package `chromium`; no browser is ever downloaded). Screenshots go to
artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit_server import running

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


def serve(data_dir: Path, **env: str):
    """NN Lab on a free port with NNLAB_DATA_DIR=data_dir and `env`, one training at a time (a second student
    waits in line); yields its URL and ends it (and its training cluster) afterwards."""
    try:
        with running(
            "app/main.py", data_dir, log=data_dir.parent / f"{data_dir.name}.log", NNLAB_WORKERS="1", **env
        ) as port:
            yield f"http://127.0.0.1:{port}"
    except (RuntimeError, TimeoutError) as exc:
        pytest.fail(str(exc))


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
