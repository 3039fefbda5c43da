"""Two NN Lab servers on one Dask cluster, as a school behind a load balancer runs them: six students across the
two press Train, and they stand in one line (one training runs on the one worker thread, the others hold places
1 to 5, each place once across both servers); a student who already waits on one server is refused on the
other. Students speak Streamlit's websocket protocol (tests/streamlit_client.py): six Chromiums would take the
two cores the servers need."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import subprocess
import sys
import time

import pytest
from streamlit_client import Tab
from streamlit_server import ROOT, free_port, start, stop, wait_healthy

LONG = "depth=2&w1=256&w2=256&epochs=2000"  # digits: runs far longer than the test
PLACE = re.compile(r"\*\*(\d+)(?:st|nd|rd|th) in line\*\*")


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """A scheduler and one one-thread worker, started as the README's "More machines" starts them."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = open(tmp_path_factory.mktemp("dask") / "dask.log", "wb")
    common = ["--no-dashboard"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port)]
            + common,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
    ]
    address = f"tcp://127.0.0.1:{port}"
    procs.append(
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1"] + common,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
    )
    yield address
    for proc in reversed(procs):
        proc.terminate()
        proc.wait(20)
    log.close()


@pytest.fixture(scope="module")
def servers(scheduler, tmp_path_factory):
    started = [start(data_dir=tmp_path_factory.mktemp(f"data{i}"), NNLAB_SCHEDULER=scheduler) for i in (1, 2)]
    try:
        for proc, port in started:
            wait_healthy(port, proc=proc)
        yield [f"ws://127.0.0.1:{port}/_stcore/stream" for _, port in started]
    finally:
        for proc, _ in started:
            stop(proc)


def _state(tab: Tab) -> str:
    """What the tab last said about its training: "running", "place N", or ""."""
    for text in reversed(tab.texts):
        if m := PLACE.search(text):
            return f"place {m.group(1)}"
        if text.startswith(("Epoch ", "Starting (")):
            return "running"
    return ""


async def _class(urls: list[str]) -> dict:
    tabs = []
    for i in range(6):  # arriving one after the other, alternating servers
        tab = Tab(urls[i % 2])
        await tab.connect()
        await tab.open("training", LONG)
        await tab.click("train_go")
        tabs.append(tab)
        await asyncio.sleep(0.7)  # the line orders by arrival
    deadline = time.monotonic() + 60
    while True:  # each waiting page polls its place every second
        states = [_state(t) for t in tabs]
        places = sorted(s for s in states if s.startswith("place"))
        if states.count("running") == 1 and places == [f"place {n}" for n in range(1, 6)]:
            break
        assert time.monotonic() < deadline, states
        await asyncio.sleep(0.5)
    first = re.search(r"nnlab_browser=([0-9a-f]{24})", " ".join(tabs[0].html)).group(1)  # the cookie it was given
    twin = Tab(urls[1], cookie=f"nnlab_browser={first}")  # the first student, in another tab, on the other server
    await twin.connect()
    await twin.open("training", LONG)
    await twin.click("train_go")
    await asyncio.sleep(1.0)
    result = {"states": states, "twin": list(twin.texts), "errors": [e for t in tabs for e in t.errors]}
    for tab in [*tabs, twin]:
        await tab.close()
    return result


def test_six_students_on_two_servers_stand_in_one_line(servers):
    # in a thread of its own: the browser tests' Playwright keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        out = pool.submit(asyncio.run, _class(servers)).result(timeout=180)
    assert out["states"][0] == "running"  # the first to ask trains; the others in the order they asked
    assert out["states"][1:] == [f"place {n}" for n in range(1, 6)]
    assert any("already have a training" in t for t in out["twin"]), out["twin"][-5:]
    assert not out["errors"]
