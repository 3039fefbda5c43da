"""The web server's sockets: every click waited 40 ms for nothing.

Streamlit 1.67 serves with uvicorn on a socket it creates as `socket.socket(family)`, protocol 0; asyncio turns
Nagle's algorithm off only for sockets whose protocol is IPPROTO_TCP, so Streamlit's stay on it. A rerun's
answer is many small websocket messages: the first leaves at once, the rest wait for its ACK, which the browser's
TCP delays by up to 40 ms. Measured with bench/streamlit_client.py: a hello-world rerun took 48 ms, 6 ms with
TCP_NODELAY. Connections accepted from a listening socket with TCP_NODELAY inherit it (Linux), so setting it on
the listener once, and on the connections already open, covers every student. Elsewhere (no /proc) nothing
changes and nothing fails.
"""

from __future__ import annotations

import os
import socket

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
