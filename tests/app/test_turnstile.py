"""app.server.Turnstile: page runs take turns, one at a time, in order of arrival, the teacher's first; a turn is a
lease (a run that keeps it longer runs on without it and the next in line has its turn); a run that fails, or is
stopped while it waits, hands the turn on; the entry point runs every page in a turn."""

import threading
import time

from app import server
from app.server import Turnstile


def in_line(turnstile: Turnstile, n: int) -> None:
    """Wait until `n` runs are waiting in line."""
    deadline = time.monotonic() + 10
    while len(turnstile._line) < n:
        assert time.monotonic() < deadline, f"{len(turnstile._line)} in line, not {n}"
        time.sleep(0.001)


class Runs:
    """Runs in threads, each recording when it has its turn and how many others were in theirs at that moment."""

    def __init__(self, turnstile: Turnstile) -> None:
        self.turnstile, self.order, self.inside, self.most = turnstile, [], 0, 0
        self.threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self, name: str, first: bool = False, hold: threading.Event | None = None, fail: bool = False):
        def run() -> None:
            try:
                with self.turnstile.turn(first=first):
                    with self._lock:
                        self.order.append(name)
                        self.inside += 1
                        self.most = max(self.most, self.inside)
                    if hold is not None:
                        assert hold.wait(10)
                    else:
                        time.sleep(0.01)  # a page run's work
                    with self._lock:
                        self.inside -= 1
                    if fail:
                        raise RuntimeError("the page failed")
            except RuntimeError:
                pass

        thread = threading.Thread(target=run, name=name)
        thread.start()
        self.threads.append(thread)
        return thread

    def join(self) -> None:
        for thread in self.threads:
            thread.join(10)
            assert not thread.is_alive()


def test_runs_wait_for_the_one_before_and_take_their_turns_in_order_of_arrival():
    turnstile = Turnstile(lease=30)
    runs = Runs(turnstile)
    with turnstile.turn():
        for i, name in enumerate("abcd"):
            runs.start(name)
            in_line(turnstile, i + 1)
        time.sleep(0.05)
        assert runs.order == []  # none ran beside the one that had the turn
    runs.join()
    assert runs.order == list("abcd") and runs.most == 1
    assert turnstile.turns == 5 and turnstile.ran_out == 0 and turnstile._holder is None


def test_the_teachers_run_goes_first():
    turnstile = Turnstile(lease=30)
    runs = Runs(turnstile)
    with turnstile.turn():
        runs.start("a")
        in_line(turnstile, 1)
        runs.start("b")
        in_line(turnstile, 2)
        runs.start("teacher", first=True)
        in_line(turnstile, 3)
    runs.join()
    assert runs.order == ["teacher", "a", "b"]


def test_a_run_that_keeps_its_turn_past_the_lease_runs_on_and_the_next_one_has_its_turn():
    turnstile = Turnstile(lease=1.0)
    runs = Runs(turnstile)
    long_run, a_holds = threading.Event(), threading.Event()
    runs.start("long", hold=long_run)  # a quick model it waits for, the CNN lab's animation
    while runs.order != ["long"]:
        time.sleep(0.001)
    asked = time.monotonic()
    runs.start("a", hold=a_holds)  # as long as the first: the lease runs out for both
    in_line(turnstile, 1)
    runs.start("b")
    in_line(turnstile, 2)
    while runs.order != ["long", "a"]:
        assert time.monotonic() - asked < 10
        time.sleep(0.001)
    assert time.monotonic() - asked >= 0.9  # a waited for the lease, not for the long run
    assert runs.most == 2 and turnstile.ran_out == 1
    long_run.set()  # the long run ends: its turn was a's, and stays a's
    runs.threads[0].join(10)
    time.sleep(0.05)
    assert runs.order == ["long", "a"] and len(turnstile._line) == 1
    while runs.order != ["long", "a", "b"]:  # b, next in line once a had the turn, waits out a's lease
        assert time.monotonic() - asked < 10
        time.sleep(0.001)
    assert time.monotonic() - asked >= 1.9 and turnstile.ran_out == 2
    a_holds.set()
    runs.join()
    assert turnstile._holder is None


def test_a_run_that_fails_hands_its_turn_on():
    turnstile = Turnstile(lease=30)
    runs = Runs(turnstile)
    fails = threading.Event()
    runs.start("fails", hold=fails, fail=True)
    while runs.order != ["fails"]:
        time.sleep(0.001)
    runs.start("next")
    in_line(turnstile, 1)
    fails.set()
    runs.join()
    assert runs.order == ["fails", "next"] and turnstile._holder is None


class StoppedWhileWaiting(threading.Condition):
    """A condition whose wait ends with an exception in the thread named "stopped" (a session shut down)."""

    def wait(self, timeout=None):
        if threading.current_thread().name == "stopped":
            raise SystemExit("stopped")
        return super().wait(timeout)


def stop_while_waiting(turnstile: Turnstile) -> None:
    try:
        with turnstile.turn():
            raise AssertionError("had a turn")
    except SystemExit:
        pass


def test_a_run_stopped_while_it_waits_leaves_the_line(monkeypatch):
    turnstile = Turnstile(lease=30)
    monkeypatch.setattr(threading, "Condition", StoppedWhileWaiting)
    runs = Runs(turnstile)
    with turnstile.turn():
        stopped = threading.Thread(target=stop_while_waiting, args=(turnstile,), name="stopped")
        stopped.start()
        stopped.join(10)
        assert not stopped.is_alive() and len(turnstile._line) == 0
        runs.start("next")
        in_line(turnstile, 1)
    runs.join()
    assert runs.order == ["next"] and turnstile._holder is None


def test_every_page_run_takes_a_turn(app):
    before = server.TURNSTILE.turns
    app.run()
    assert not app.exception
    app.switch_page("../pages/losses.py").run()
    assert not app.exception
    assert server.TURNSTILE.turns == before + 2 and server.TURNSTILE._holder is None
