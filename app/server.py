"""The web server process, tuned for a class: its sockets (`no_nagle`) and its heap (`settle_heap`).

Sockets: every click waited 40 ms for nothing. Streamlit 1.67 serves with uvicorn on a socket it creates as
`socket.socket(family)`, protocol 0; asyncio turns Nagle's algorithm off only for sockets whose protocol is IPPROTO_TCP, so Streamlit's stay on it. A rerun's
answer is many small websocket messages: the first leaves at once, the rest wait for its ACK, which the browser's
TCP delays by up to 40 ms. Measured with bench/streamlit_client.py: a hello-world rerun took 48 ms, 6 ms with
TCP_NODELAY. Connections accepted from a listening socket with TCP_NODELAY inherit it (Linux), so setting it on
the listener once, and on the connections already open, covers every student. Elsewhere (no /proc) nothing
changes and nothing fails.
"""

from __future__ import annotations

import gc
import os
import socket
import threading

FDS = "/proc/self/fd"


def no_nagle(port: int) -> int:
    """Set TCP_NODELAY on this process's TCP sockets on local port `port` (the server's listener and its
    connections); how many were set."""
    try:
        fds = os.listdir(FDS)
    except OSError:
        return 0
    done = 0
    for fd in fds:
        try:
            if not os.readlink(f"{FDS}/{fd}").startswith("socket:"):
                continue
            sock = socket.socket(fileno=os.dup(int(fd)))  # a duplicate: closing it leaves the server's open
        except (OSError, ValueError):
            continue
        with sock:
            try:
                if (
                    sock.family in (socket.AF_INET, socket.AF_INET6)
                    and sock.type == socket.SOCK_STREAM
                    and sock.getsockname()[1] == port
                ):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    done += 1
            except OSError:
                pass
    return done


# The heap. With `runner.postScriptGC` off (.streamlit/config.toml), Python's own collector still runs a full
# collection now and then, and a full collection walks every object the process tracks: after a lesson's pages
# have been opened, 130-230 ms with every session's thread stopped (measured in bench/classroom.py, 20 sessions:
# each one was a cluster of page runs at 5-15x their quiet time, the page p95 itself). Nearly all of those objects
# are the modules, classes and functions the pages imported, which live as long as the server, so after the first
# run of each page `gc.freeze()` moves what the process holds into the collector's permanent generation and later
# full collections walk only what was made since (5-13 ms, measured). The price: a reference cycle already made
# when a page first ran, and dropped later, is never collected (the sessions open at the start of a lesson, once
# for each of the dozen pages): bounded, and small beside the 48 ms of every run that postScriptGC cost.
_settled: set[str] = set()  # the pages that have run in this process (the one mutable thing here: process-wide)
_settling = threading.Lock()


def settle_heap(page: str) -> bool:
    """After `page`'s first run in this process: freeze what the process holds (see above); whether it did."""
    with _settling:
        if page in _settled:
            return False
        _settled.add(page)
        gc.freeze()
    return True
