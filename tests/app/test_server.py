"""app.server: the server's listener and connections get TCP_NODELAY, and connections accepted later inherit it,
other sockets are left alone (`no_nagle`); after each page's first run the heap is frozen, once (`settle_heap`);
widgets look up their own key (`lean_widget_state`); a run's events wake the event loop once a batch, in order
(`one_wakeup_per_batch`)."""

import gc
import socket
import sys
import threading

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


# -- one_wakeup_per_batch: a run's events reach the event loop in batches, in order --------------------------------
@pytest.fixture
def batched(monkeypatch):
    """Streamlit's AppSession with its own `_on_scriptrunner_event` (a fresh copy of it, so that nothing but the
    patch keeps it alive), then `one_wakeup_per_batch` applied; undone after the test."""
    import types

    from streamlit.runtime.app_session import AppSession

    current = AppSession.__dict__["_on_scriptrunner_event"]
    own = getattr(current, "_nnlab_original", current)  # the entry point may have patched it in this process
    fresh = types.FunctionType(own.__code__, own.__globals__, own.__name__, own.__defaults__, own.__closure__)
    fresh.__kwdefaults__ = own.__kwdefaults__
    monkeypatch.setattr(AppSession, "_on_scriptrunner_event", fresh)
    return AppSession


def session_on(loop, cls, handled: list, wakeups: list):
    """An AppSession (no runtime behind it) whose events are recorded where Streamlit would handle them, on
    `loop`; each wake-up of the loop from another thread counted."""
    bare = type("Bare", (cls,), {"__del__": lambda self: None})  # nothing of a runtime to shut down
    session = bare.__new__(bare)
    session._event_loop = loop

    def handle(sender, event, forward_msg=None, *_, **__):  # Streamlit's own passes the rest by position
        handled.append((event, forward_msg))

    session._handle_scriptrunner_event_on_event_loop = handle
    threadsafe = loop.call_soon_threadsafe

    def counted(*args):
        wakeups.append(threading.get_ident())
        return threadsafe(*args)

    loop.call_soon_threadsafe = counted
    return session


def test_a_runs_elements_wake_the_event_loop_once_and_arrive_in_order(batched):
    """A script thread sends a start, 200 elements and a stop while the loop is busy: Streamlit's own method wakes
    the loop 202 times; batched, once, and the loop handles all of them in order (in turns of DRAIN)."""
    import asyncio

    events = [("started", None)] + [("element", i) for i in range(200)] + [("stopped", None)]

    def send_all(session):
        for event, msg in events:
            session._on_scriptrunner_event(None, event, forward_msg=msg)

    def one_run(patched: bool) -> tuple[list, list]:
        loop, handled, wakeups = asyncio.new_event_loop(), [], []
        session = session_on(loop, batched, handled, wakeups)
        if patched:
            assert server.one_wakeup_per_batch()
        thread = threading.Thread(target=send_all, args=(session,))
        thread.start()
        thread.join()  # the loop was busy (not running) the whole time
        loop.run_until_complete(asyncio.sleep(0.05))
        loop.close()
        return handled, wakeups

    handled, wakeups = one_run(patched=False)
    assert handled == events and len(wakeups) == len(events)  # Streamlit's own: a wake-up an element
    handled, wakeups = one_run(patched=True)
    assert handled == events and len(wakeups) == 1
    assert server.one_wakeup_per_batch()  # applied again: still in place, not wrapped twice
    assert batched._on_scriptrunner_event._nnlab_original is not None


def test_events_from_two_threads_at_once_all_arrive_each_threads_in_order(batched):
    import asyncio

    loop, handled, wakeups = asyncio.new_event_loop(), [], []
    session = session_on(loop, batched, handled, wakeups)
    server.one_wakeup_per_batch()

    def send(name):
        for i in range(500):
            session._on_scriptrunner_event(None, name, forward_msg=i)

    async def meanwhile():
        threads = [threading.Thread(target=send, args=(name,)) for name in ("old run", "new run")]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            await asyncio.sleep(0.001)  # the loop runs while they send: drains interleave with sends
        await asyncio.sleep(0.05)

    loop.run_until_complete(meanwhile())
    loop.close()
    for name in ("old run", "new run"):
        assert [m for e, m in handled if e == name] == list(range(500))
    assert 1 <= len(wakeups) < 1000


def test_an_event_that_fails_is_logged_and_the_sessions_next_events_still_arrive(batched, caplog):
    import asyncio

    loop, handled, wakeups = asyncio.new_event_loop(), [], []
    session = session_on(loop, batched, handled, wakeups)
    server.one_wakeup_per_batch()
    record = session._handle_scriptrunner_event_on_event_loop

    def handle(sender, event, *args, **kwargs):
        if event == "bad":
            raise RuntimeError("a broken element")
        record(sender, event, *args, **kwargs)

    session._handle_scriptrunner_event_on_event_loop = handle
    for event in ("started", "bad", "stopped"):
        session._on_scriptrunner_event(None, event)
    loop.run_until_complete(asyncio.sleep(0.05))
    session._on_scriptrunner_event(None, "next run")  # the queue is not stuck "scheduled"
    loop.run_until_complete(asyncio.sleep(0.05))
    loop.close()
    assert [e for e, _ in handled] == ["started", "stopped", "next run"]
    assert "a broken element" in caplog.text and "(bad)" in caplog.text


def test_a_run_that_started_before_the_patch_still_delivers_its_events(batched):
    """The process's first run is connected to Streamlit's own method, which its signal holds weakly: replacing
    the method must not leave that run without a receiver (its page would never finish)."""
    import asyncio

    from streamlit.signal_util import Signal

    loop, handled, wakeups = asyncio.new_event_loop(), [], []
    session = session_on(loop, batched, handled, wakeups)
    on_event = Signal()
    on_event.connect(session._on_scriptrunner_event)  # as AppSession._create_scriptrunner does, before the patch
    server.one_wakeup_per_batch()
    gc.collect()
    on_event.send(None, event="stopped")
    loop.run_until_complete(asyncio.sleep(0.05))
    loop.close()
    assert handled == [("stopped", None)]
