"""Settings that live in widgets and in the link: each declared once, as a `Setting` (its name in the URL, its
widget's session key, its default, its options or range, its label, the settings whose change resets it), from
which the widget's arguments, the URL parsing (with one warning for values NN Lab does not accept), the URL
syncing and the memory across page switches are all derived.

    SCHEMA = Schema(Setting("depth", "train_depth", 2, "Hidden layers", low=0, high=6), ...)
    bad = SCHEMA.load("train_url_loaded")     # every run: the remembered values (the link's, once a session)
    depth = slider(SCHEMA["depth"])           # st.slider with the declared label, range and key
    SCHEMA.sync(skip={"w3"})                  # the link holds every setting that matters, defaults included

Widgets never get a `value=`: their session keys are seeded by `load`, so a link, a page switch and a rerun
all agree. Streamlit drops a widget's value when its page is not shown (or the widget is not drawn), and a key
seeded before its widget came back would return its first value, not the last edit: every widget is made with
`persist_state="session"` (Streamlit keeps its last value under its key), and every value is also remembered apart
from the widget keys (`STORE`, by widget key: a key several pages share, like the dataset, is one setting), which
`load` falls back on. A page that cannot offer a remembered value (the CNN lab and a table) stands in with its
default without forgetting the student's choice for other pages. So a page is always as the student left it,
Back included.

A lesson is a link (`/training?dataset=moons&depth=3&...`). A link carries every setting that changes what its
page shows, defaults included, so changing a default later never changes what an old link shows; it leaves out
only what does not matter there (widths beyond the depth, a generated set's options for other data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import streamlit as st

from app.messages import plain


@dataclass(frozen=True)
class Setting:
    name: str  # in the URL
    key: str  # the widget's session key
    default: Any
    label: str = ""
    options: Sequence = ()  # a choice among these ...
    low: float | None = None  # ... or a number in [low, high] (neither: short free text)
    high: float | None = None
    step: float | None = None
    help: str | None = None
    format: Callable[[Any], str] | None = None  # how a choice is shown
    follows: tuple[str, ...] = ()  # URL names of settings whose change resets this one to its default

    def parse(self, raw: str) -> Any:
        """The URL text as a value of the default's type; ValueError when it is not one or not accepted."""
        kind = type(self.default)
        if kind is tuple:  # several choices ("sigmoid,relu") or a pair of numbers ("-6,6")
            parts = tuple(p for p in raw.split(",") if p) if raw else ()
            if self.options:  # each part as the option it writes
                value = tuple(next((o for o in self.options if self.text(o) == p), p) for p in parts)
            else:  # numbers of the default's type
                value = tuple(type(self.default[0])(float(p)) for p in parts)
            if not self.accepts(value):
                raise ValueError(f"{self.name}={raw!r}")
            return value
        if kind is bool:
            if raw not in ("True", "False", "true", "false", "1", "0"):
                raise ValueError(f"{self.name}={raw!r}")
            return raw in ("True", "true", "1")
        value = raw if kind is str else kind(raw)
        if not self.accepts(value):
            raise ValueError(f"{self.name}={raw!r}")
        return value

    def accepts(self, value: Any) -> bool:
        if isinstance(self.default, bool):
            return isinstance(value, bool)
        if isinstance(self.default, tuple):
            if not isinstance(value, (tuple, list)):
                return False
            if self.options:
                return all(v in self.options for v in value)
            return len(value) == 2 and all(self.low <= v <= self.high for v in value) and value[0] <= value[1]
        if self.options:
            return value in self.options
        if self.low is None:  # free text (e.g. an uploaded file's name): short and printable
            return isinstance(value, str) and len(value) <= 120 and value.isprintable()
        return self.low <= value <= self.high

    def text(self, value: Any) -> str:
        """The value as the link writes it (a flag as 1 or 0)."""
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, (tuple, list)):
            return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
        return str(value)


STORE = "nnlab_settings"  # {widget key: value}: every setting as last seen, apart from the widget keys
FOLLOWED = "nnlab_settings_followed"  # {widget key: the values of the settings it follows, when last seen}
FALLBACK = "nnlab_settings_fallback"  # {widget key: value}: a page's stand-in for a value it does not offer
FRAME = "nnlab_settings_frame"  # URL names of the frame's settings (in every page's link)


class Schema:
    """The settings of one page (or of a widget group shared by pages), by URL name."""

    def __init__(self, *settings: Setting, frame: bool = False) -> None:
        self.settings: dict[str, Setting] = {s.name: s for s in settings}
        self.frame = frame  # the settings of every page's frame (presentation): in every page's link

    def __getitem__(self, name: str) -> Setting:
        return self.settings[name]

    def __add__(self, other: "Schema") -> "Schema":
        if same := set(self.settings) & set(other.settings):  # one name, one setting: never one hiding another
            raise ValueError(f"Settings named twice in one page's schema: {', '.join(sorted(same))}.")
        return Schema(*self.settings.values(), *other.settings.values())

    def load(self, flag: str) -> list[str]:
        """Seed every widget key: its widget's value, else the value remembered from the last visit, else the
        default; the first time in a session (`flag` names the page), the link's values instead where they are
        valid. A setting whose followed settings changed since it was last seen goes back to its default.
        Returns the link's rejected values, as "name='value'"."""
        state, store = st.session_state, st.session_state.setdefault(STORE, {})
        fallback = state.setdefault(FALLBACK, {})
        rejected, linked = [], set()
        first = not state.get(flag)
        for s in self.settings.values():
            if s.key not in state or (s.key in fallback and fallback[s.key] == state[s.key] and s.key in store):
                state[s.key] = store.get(s.key, s.default)  # a stand-in gives way to the student's value
            else:
                state[s.key] = state[s.key]  # the key's value, not what a widget of another page kept
            if not s.accepts(state[s.key]):  # e.g. a dataset another page offers and this one not
                state[s.key] = fallback[s.key] = s.default
            raw = st.query_params.get(s.name)
            if not first or raw is None:
                continue
            try:
                state[s.key] = s.parse(raw)
                linked.add(s.name)
            except ValueError:
                rejected.append(f"{s.name}={raw!r}")
        self._reset_followers(linked)
        if self.frame:
            state.setdefault(FRAME, set()).update(self.settings)
        state[flag] = True
        self.remember()
        return rejected

    def _reset_followers(self, linked: set[str]) -> None:
        followed = st.session_state.setdefault(FOLLOWED, {})
        for s in self.settings.values():
            if not s.follows:
                continue
            now = tuple(st.session_state.get(self[name].key) for name in s.follows)
            if s.key in followed and followed[s.key] != now and s.name not in linked:
                st.session_state[s.key] = s.default
            followed[s.key] = now

    def remember(self) -> None:
        """Keep every setting's value apart from its widget key (for the next visit), except a stand-in."""
        state = st.session_state
        store, fallback = state.setdefault(STORE, {}), state.get(FALLBACK, {})
        for s in self.settings.values():
            if s.key not in state:
                continue
            value = state[s.key]
            if s.key in fallback and fallback[s.key] == value:
                continue
            fallback.pop(s.key, None)
            store[s.key] = tuple(value) if isinstance(value, list) else value

    def values(self) -> dict[str, Any]:
        """{URL name: current value} of every setting."""
        return {name: st.session_state.get(s.key, s.default) for name, s in self.settings.items()}

    def sync(self, skip: Iterable[str] = ()) -> None:
        """Write every setting but `skip` to the link (defaults too), remove `skip` and other pages' settings, and
        remember them all. One change of the address a run (see `history_by_page`)."""
        skip, frame = set(skip), st.session_state.get(FRAME, set())
        current = st.query_params.to_dict()
        # the frame's settings, and the page's for the frame; never another page's (a run that ends after Back
        # was pressed writes its link on the page Back went to)
        wanted = {
            name: raw for name, raw in current.items() if name not in self.settings and (self.frame or name in frame)
        }
        for name, s in self.settings.items():
            if name not in skip:
                wanted[name] = s.text(st.session_state.get(s.key, s.default))
        if wanted != current or not self.frame:  # a page's link is sent every run: the address may hold what
            st.query_params.from_dict(wanted)  # a run of the page before it wrote after this run began
        self.remember()


def history_by_page() -> None:
    """Every page run: the browser's history gets one step per page, not one per change of a setting. Streamlit
    pushes a history entry for each change of the link, so Back first undid the link's settings one by one (the
    page then wrote them again) and never left the page; a change of the link on the same page replaces the entry
    instead, so Back returns to the previous page as it was left."""
    st.html(
        """<script>
if (!window.nnlabHistoryByPage) {
  window.nnlabHistoryByPage = true;
  const push = window.history.pushState.bind(window.history);
  window.history.pushState = (state, title, url) => {
    const next = new URL(url, window.location.href);
    return next.pathname === window.location.pathname ? window.history.replaceState(state, title, url)
                                                      : push(state, title, url);
  };
}
</script>""",
        unsafe_allow_javascript=True,
    )


def warn_rejected(rejected: list[str]) -> None:
    """The one warning for a link whose values NN Lab does not accept."""
    if rejected:
        st.warning(
            f"This link's {plain(', '.join(rejected))} {'is' if len(rejected) == 1 else 'are'} unknown or out of "
            "range; the defaults are used instead.",
            icon=":material/link_off:",
        )


def offer(s: Setting, options: Sequence, fallback: Any = None) -> None:
    """Before a widget whose choices are known only now (a dataset's classes or features): a value it does not
    offer becomes `fallback` (its first choice)."""
    if st.session_state.get(s.key) not in options:
        st.session_state[s.key] = options[0] if fallback is None else fallback


def clamp(s: Setting, low: float, high: float) -> None:
    """Before a widget whose range is known only now (a dataset's last index): keep the value inside it."""
    st.session_state[s.key] = min(max(st.session_state.get(s.key, s.default), low), high)


# -- widgets built from a setting (keyword arguments override the declared ones, e.g. a range known only now) --
def _args(s: Setting, declared: dict, kw: dict) -> dict:
    return {"label": s.label, "key": s.key, "help": s.help, "persist_state": "session", **declared, **kw}


def slider(s: Setting, container=st, **kw) -> Any:
    return container.slider(**_args(s, dict(min_value=s.low, max_value=s.high, step=s.step), kw))


def number_input(s: Setting, container=st, **kw) -> Any:
    return container.number_input(**_args(s, dict(min_value=s.low, max_value=s.high, step=s.step), kw))


def select_slider(s: Setting, container=st, **kw) -> Any:
    return container.select_slider(**_args(s, dict(options=list(s.options), format_func=s.format or _plain), kw))


def selectbox(s: Setting, container=st, **kw) -> Any:
    return container.selectbox(**_args(s, dict(options=list(s.options), format_func=s.format or str), kw))


def radio(s: Setting, container=st, **kw) -> Any:
    return container.radio(**_args(s, dict(options=list(s.options), format_func=s.format or str), kw))


def multiselect(s: Setting, container=st, **kw) -> Any:
    return container.multiselect(**_args(s, dict(options=list(s.options), format_func=s.format or str), kw))


def text_input(s: Setting, container=st, **kw) -> Any:
    return container.text_input(**_args(s, dict(max_chars=120), kw))


def toggle(s: Setting, container=st, **kw) -> Any:
    return container.toggle(**_args(s, {}, kw))


def pills(s: Setting, container=st, **kw) -> Any:
    return container.pills(**_args(s, dict(options=list(s.options), format_func=s.format or str), kw))


def segmented_control(s: Setting, container=st, **kw) -> Any:
    return container.segmented_control(**_args(s, dict(options=list(s.options), format_func=s.format or str), kw))


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
