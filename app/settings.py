"""Settings that live in widgets and in the link: each declared once, as a `Setting` (its name in the URL, its
widget's session key, its default, its options or range, its label), from which the widget's arguments, the
URL parsing (with one warning for values NN Lab does not accept) and the URL syncing are all derived.

    SCHEMA = Schema(Setting("depth", "train_depth", 2, "Hidden layers", low=0, high=6), ...)
    bad = SCHEMA.load()                       # once per session: defaults, then the link's valid values
    depth = slider(SCHEMA["depth"])           # st.slider with the declared label, range and key
    SCHEMA.sync(skip={"w3"})                  # the link holds every setting that differs from its default

Widgets never get a `value=`: their session keys are seeded by `load`, so a link, a page switch and a rerun
all agree. A lesson is a link (`/training?dataset=moons&depth=3`), and links stay short: defaults are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import streamlit as st

from app.messages import plain


@dataclass(frozen=True)
class Setting:
    name: str                                   # in the URL
    key: str                                    # the widget's session key
    default: Any
    label: str = ""
    options: Sequence = ()                      # a choice among these ...
    low: float | None = None                    # ... or a number in [low, high] (neither: short free text)
    high: float | None = None
    step: float | None = None
    help: str | None = None
    format: Callable[[Any], str] | None = None  # how a choice is shown

    def parse(self, raw: str) -> Any:
        """The URL text as a value of the default's type; ValueError when it is not one or not accepted."""
        kind = type(self.default)
        if kind is tuple:                       # several choices ("sigmoid,relu") or a pair of numbers ("-6,6")
            parts = tuple(p for p in raw.split(",") if p) if raw else ()
            value = parts if self.options else tuple(float(p) for p in parts)
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
        if self.low is None:                    # free text (e.g. an uploaded file's name): short and printable
            return isinstance(value, str) and len(value) <= 120 and value.isprintable()
        return self.low <= value <= self.high

    def text(self, value: Any) -> str:
        """The value as the link writes it."""
        if isinstance(value, (tuple, list)):
            return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
        return str(value)


class Schema:
    """The settings of one page (or of a widget group shared by pages), by URL name."""

    def __init__(self, *settings: Setting) -> None:
        self.settings: dict[str, Setting] = {s.name: s for s in settings}

    def __getitem__(self, name: str) -> Setting:
        return self.settings[name]

    def __add__(self, other: "Schema") -> "Schema":
        return Schema(*self.settings.values(), *other.settings.values())

    def load(self, flag: str) -> list[str]:
        """Seed every widget key with its default; the first time in a session (`flag` names the page), take the
        link's values instead where they are valid. Returns the link's rejected values, as "name='value'"."""
        rejected = []
        first = not st.session_state.get(flag)
        for s in self.settings.values():
            st.session_state.setdefault(s.key, s.default)
            if not s.accepts(st.session_state[s.key]):        # e.g. a choice another page offers and this one not
                st.session_state[s.key] = s.default
            raw = st.query_params.get(s.name)
            if not first or raw is None:
                continue
            try:
                st.session_state[s.key] = s.parse(raw)
            except ValueError:
                rejected.append(f"{s.name}={raw!r}")
        st.session_state[flag] = True
        return rejected

    def values(self) -> dict[str, Any]:
        """{URL name: current value} of every setting."""
        return {name: st.session_state.get(s.key, s.default) for name, s in self.settings.items()}

    def sync(self, skip: Iterable[str] = ()) -> None:
        """Write every setting that differs from its default to the link, and remove the rest and `skip`."""
        skip = set(skip)
        for name, s in self.settings.items():
            value = st.session_state.get(s.key, s.default)
            value = tuple(value) if isinstance(value, list) else value            # a multiselect's list
            if value == s.default or name in skip:
                if name in st.query_params:
                    del st.query_params[name]
            elif st.query_params.get(name) != s.text(value):
                st.query_params[name] = s.text(value)


def warn_rejected(rejected: list[str]) -> None:
    """The one warning for a link whose values NN Lab does not accept."""
    if rejected:
        st.warning(f"This link's {plain(', '.join(rejected))} {'is' if len(rejected) == 1 else 'are'} unknown or out of "
                   "range; the defaults are used instead.", icon=":material/link_off:")


# -- widgets built from a setting (keyword arguments override the declared ones, e.g. a range known only now) --
def _args(s: Setting, declared: dict, kw: dict) -> dict:
    return {"label": s.label, "key": s.key, "help": s.help, **declared, **kw}


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


def toggle(s: Setting, container=st, **kw) -> Any:
    return container.toggle(**_args(s, {}, kw))


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
