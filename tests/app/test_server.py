"""app.server.no_nagle: the server's listener and connections get TCP_NODELAY, and connections accepted later
inherit it; other sockets are left alone."""

import socket
import sys

import pytest

from app.server import no_nagle

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")


def nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_the_listener_and_its_connections_stop_waiting_for_acks():
    with socket.socket() as server, socket.socket() as other:  # protocol 0, as Streamlit creates them
        server.bind(("127.0.0.1", 0))
        server.listen()
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = server.getsockname()[1]
        early = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        assert not nodelay(server) and not nodelay(accepted)
        assert no_nagle(port) == 2
        assert nodelay(server) and nodelay(accepted) and not nodelay(other)
        late = socket.create_connection(("127.0.0.1", port))
        later, _ = server.accept()
        assert nodelay(later)  # inherited from the listener
        for s in (early, accepted, late, later):
            s.close()


def test_a_port_with_no_sockets_changes_nothing():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    assert no_nagle(free) == 0
