"""A class told "open the Losses page": N sessions open one page at the same moment, against a server this script
starts.

    python bench/page_burst.py                       # 30 sessions, the lesson's pages, 5 bursts each
    python bench/page_burst.py --sessions 40 --pages losses data

Students speak Streamlit's websocket protocol (`tests/streamlit_client.py`). Each session has opened the page
once before (a burst is the class coming back to a page, not its first imports). For each page, printed against
the same page opened by one session alone: the burst's page runs p50 / p95 / max (a run from its click to its
script's end). All N runs share one GIL: the last to end cannot end before N runs' work is done, so the max is
about N times the run alone however they are scheduled; the p50 is what scheduling decides (`app.server.TURNSTILE`:
in turn, half the class has its page in half that time; all at once, everyone waits about as long as the last).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from results_board import pct  # noqa: E402
from streamlit_client import Tab  # noqa: E402
from streamlit_server import start, stop, wait_healthy  # noqa: E402


async def alone(url: str, page: str, n: int = 15) -> float:
    tab = Tab(url)
    await tab.connect()
    await tab.open(page)
    runs = [await tab.open(page) for _ in range(n)]
    await tab.close()
    return statistics.median(runs)


async def bursts(url: str, page: str, sessions: int, repeat: int) -> list[float]:
    tabs = [Tab(url) for _ in range(sessions)]
    await asyncio.gather(*(t.connect() for t in tabs))
    for t in tabs:
        await t.open(page)  # each session's first run of the page, one at a time
    runs: list[float] = []
    for _ in range(repeat):
        runs += await asyncio.gather(*(t.open(page) for t in tabs))
        await asyncio.sleep(1.0)
    errors = [e for t in tabs for e in t.errors]
    await asyncio.gather(*(t.close() for t in tabs))
    if errors:
        raise RuntimeError(f"{page}: {errors[:3]}")
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=5, help="bursts per page")
    ap.add_argument("--pages", nargs="*", default=["losses", "activations", "data", "backprop"])
    args = ap.parse_args()
    proc, port = start()
    try:
        wait_healthy(port, proc=proc)
        url = f"ws://127.0.0.1:{port}/_stcore/stream"
        print(f"{args.sessions} sessions open a page at once, {args.repeat} times; ms (x the page alone)")
        for page in args.pages:
            one = asyncio.run(alone(url, page))
            runs = asyncio.run(bursts(url, page, args.sessions, args.repeat))
            print(
                f"  {page:12s} alone {one * 1000:4.0f}; burst p50 {pct(runs, 50) * 1000:5.0f} "
                f"({pct(runs, 50) / one:4.1f}x), p95 {pct(runs, 95) * 1000:5.0f} ({pct(runs, 95) / one:4.1f}x), "
                f"max {max(runs) * 1000:5.0f} ({max(runs) / one:4.1f}x)"
            )
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
