"""app.server: the server's listener and connections get TCP_NODELAY, and connections accepted later inherit it,
other sockets are left alone (`no_nagle`); after each page's first run the heap is frozen, once (`settle_heap`)."""

import gc
import socket
import sys

import pytest

from app import server
from app.server import no_nagle, settle_heap

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")


def nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


@linux
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


@linux
def test_a_port_with_no_sockets_changes_nothing():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    assert no_nagle(free) == 0


@pytest.fixture
def unfrozen(monkeypatch):
    """A process whose pages have not run yet; the test's freezes undone after it."""
    monkeypatch.setattr(server, "_settled", set())
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_pages_first_run_takes_what_the_process_holds_out_of_later_collections(unfrozen):
    assert gc.get_freeze_count() == 0
    held = [[i] for i in range(1000)]  # tracked containers, as a page's imports leave behind
    assert settle_heap("training")
    assert gc.get_freeze_count() >= len(held)
    gc.unfreeze()
    assert not settle_heap("training")  # once a page, not on every run
    assert gc.get_freeze_count() == 0
    assert settle_heap("data")


def test_the_entry_point_settles_each_page_after_its_first_run(unfrozen, app):
    app.switch_page("../pages/losses.py").run()
    assert not app.exception
    assert "losses" in server._settled and gc.get_freeze_count() > 0


def test_widgets_look_up_their_own_key_and_get_what_streamlits_whole_dict_would_say(app):
    """`lean_widget_state`: a session that has opened a lesson's pages (its settings kept from page to page), then
    every key Streamlit's filtered_state lists, the keys it leaves out (widgets' generated ids, internal keys) and
    absent ones: the view answers each as the whole dict does, and is that dict when iterated."""
    from streamlit.runtime.state.safe_session_state import SafeSessionState

    assert server.lean_widget_state()  # on the Streamlit in requirements.txt
    app.run()
    for page in ("data", "training", "backprop", "losses", "gradient_descent"):
        app.switch_page(f"../pages/{page}.py").run()
    safe = app.session_state._state  # the SafeSessionState widgets ask
    assert isinstance(safe, SafeSessionState) and not app.exception
    whole = getattr(safe, server._FILTERED)
    view = server.FilteredView(safe)  # what a widget gets
    assert len(whole) > 50
    assert type(safe.filtered_state) is dict and safe.filtered_state == whole  # anyone else: the dict
    from_a_widget = eval("state.filtered_state", {"__name__": "streamlit.elements.widgets.selectbox", "state": safe})
    assert isinstance(from_a_widget, server.FilteredView)
    inner = safe._state
    others = [k for k in inner._keys() if k not in whole] + ["not_a_key", "$$STREAMLIT_INTERNAL_KEY_x"]
    assert any(k.startswith("$$ID") for k in others)  # generated ids are among what it leaves out
    for key in [*whole, *others]:
        assert (key in view) == (key in whole), key
        if key in whole:
            assert view[key] is whole[key] or view[key] == whole[key], key
        else:
            with pytest.raises(KeyError):
                view[key]
    assert dict(view) == whole and len(view) == len(whole)
