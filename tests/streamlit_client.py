"""A simulated browser tab that speaks Streamlit's own websocket protocol (the BackMsg / ForwardMsg protobufs that
ship with Streamlit), so that `bench/classroom.py` can put 40 students on a server without 40 Chromiums taking the
server's two cores, and tests/e2e/test_two_servers.py six students on two servers.

    tab = Tab(url, cookie="")                        # ws://127.0.0.1:8501/_stcore/stream; a Cookie header
    await tab.connect()
    seconds = await tab.open("training", "epochs=30")       # a page run, until the script finishes
    seconds = await tab.click("train_go")            # a button by its key (ids learnt from the page's elements)
    tab.texts                                        # every text and alert the tab has been sent
    tab.html                                         # every st.html body
    tab.errors                                       # exception elements and error alerts seen

Fragments that run on a timer (`st.fragment(run_every=...)`) are driven by the browser: the server sends an
`auto_rerun` message and the tab asks for the fragment's run at that interval, as the real frontend does.
"""

from __future__ import annotations

import asyncio
import time

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

WIDGETS = ("button", "slider", "selectbox", "checkbox", "radio", "number_input", "text_input", "multiselect")


class Tab:
    def __init__(self, url: str, cookie: str = "") -> None:
        self.url, self.cookie = url, cookie
        self.page, self.query = "", ""
        self.page_hash = ""  # the page's script hash, as the server's navigation names it
        self.ids: dict[str, str] = {}  # widget key -> widget id
        self.texts: list[str] = []
        self.html: list[str] = []  # st.html bodies (the script that sets a cookie, for one)
        self.errors: list[str] = []
        self.finished = asyncio.Event()
        self.timers: dict[str, asyncio.Task] = {}  # fragment id -> auto-rerun task
        self._fragment_done: dict[str, asyncio.Event] = {}  # fragment id -> its last asked-for run has ended
        self.fragment_runs: list[float] = []  # seconds per timer-driven fragment run
        self._ws = self._reader = None
        self._sent_at = 0.0
        self._fragment = ""

    async def connect(self) -> None:
        headers = {"Cookie": self.cookie} if self.cookie else None
        self._ws = await websockets.connect(
            self.url, subprotocols=["streamlit"], max_size=2**26, additional_headers=headers
        )
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        for task in self.timers.values():
            task.cancel()
        self.timers.clear()
        self._reader.cancel()
        await self._ws.close()

    async def _send(self, widget_states: list | None = None, fragment_id: str = "", auto: bool = False) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string, state.page_name, state.page_script_hash = self.query, self.page, self.page_hash
        if fragment_id:
            state.fragment_id, state.is_auto_rerun = fragment_id, auto
        for ws in widget_states or []:
            state.widget_states.widgets.append(ws)
        if not fragment_id:
            self.finished.clear()
        self._sent_at, self._fragment = time.perf_counter(), fragment_id
        await self._ws.send(msg.SerializeToString())

    async def run(self, widget_states: list | None = None, timeout: float = 120) -> float:
        """One full script run; its seconds from request to `script_finished`."""
        await self._send(widget_states)
        start = self._sent_at
        await asyncio.wait_for(self.finished.wait(), timeout)
        return time.perf_counter() - start

    async def open(self, page: str, query: str = "") -> float:
        self.page, self.query, self.page_hash = page, query, ""
        for task in self.timers.values():
            task.cancel()
        self.timers.clear()
        return await self.run()

    async def click(self, key: str) -> float:
        msg = BackMsg().rerun_script.widget_states.widgets.add()
        msg.id, msg.trigger_value = self.ids[key], True
        return await self.run([msg])

    async def _auto(self, fragment_id: str, interval: float) -> None:
        done = self._fragment_done.setdefault(fragment_id, asyncio.Event())
        while self._ws.state.name == "OPEN":
            await asyncio.sleep(interval)
            start = time.perf_counter()
            done.clear()
            try:
                await self._send(fragment_id=fragment_id, auto=True)
            except websockets.ConnectionClosed:  # a timer that fired as the tab closed
                return
            try:
                await asyncio.wait_for(done.wait(), 60)
                self.fragment_runs.append(time.perf_counter() - start)
            except asyncio.TimeoutError:
                self.errors.append(f"fragment run of {fragment_id} took over 60 s")

    async def _read(self) -> None:
        async for raw in self._ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element)
            elif kind == "navigation" and msg.navigation.page_script_hash:
                self.page_hash = msg.navigation.page_script_hash  # later runs (and st.rerun) stay on this page
            elif kind == "auto_rerun":
                rerun = msg.auto_rerun
                if rerun.fragment_id not in self.timers:
                    self.timers[rerun.fragment_id] = asyncio.create_task(self._auto(rerun.fragment_id, rerun.interval))
            elif kind == "stop_auto_rerun":
                for fragment_id in msg.stop_auto_rerun.fragment_ids:
                    if task := self.timers.pop(fragment_id, None):
                        task.cancel()
            elif kind == "script_finished":
                ran = list(msg.metadata.run.fragment_ids)  # a fragment's run names it; a page run names none
                for fragment_id in ran:
                    if done := self._fragment_done.get(fragment_id):
                        done.set()
                if not ran:  # what `run` waits for: a timer's fragment run ending first is not the page's
                    self.finished.set()
                self._script_finished(msg)

    def _script_finished(self, msg: ForwardMsg) -> None:
        """Each run's end, for a subclass: `msg.metadata.run.fragment_ids` names the fragments the run ran (empty for
        a page run)."""

    def _element(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind in WIDGETS:
            widget = getattr(element, kind)
            if "-" in widget.id:
                self.ids[widget.id.rsplit("-", 1)[-1]] = widget.id
        elif kind == "exception":
            self.errors.append(f"{element.exception.type}: {element.exception.message}")
        elif kind == "alert":
            self.texts.append(element.alert.body)
            if element.alert.format == Alert.ERROR:
                self.errors.append(element.alert.body)
        elif kind == "markdown":
            self.texts.append(element.markdown.body)
        elif kind == "progress":
            self.texts.append(element.progress.text)
        elif kind == "html":
            self.html.append(element.html.body)
