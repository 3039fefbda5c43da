"""How a page reports a problem the user can fix: one error box with core's message (what went wrong, what to
do), and the one way student text is shown as plain text. Its own module so that the first page a server draws
does not import the widgets' figures to show it."""

from __future__ import annotations

import html
import re

import streamlit as st

from core.errors import NNLabError

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")        # every ASCII punctuation mark: CommonMark escapes them all
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_WORD_JOINER = "\u2060"                                 # invisible, not a space: breaks a pattern, not the text


def plain(text) -> str:
    """`text` made safe for every Streamlit call that renders markdown (st.markdown/caption/info/warning/error/
    success/toast, widget labels, help=, tabs): it shows literally, never as a link, an image, HTML, LaTeX, a
    colour, an icon or a heading. Use it wherever something a student controls (a file, class, column or
    display name, a link value, an error message quoting them) meets such a call.

    Every ASCII punctuation mark is backslash-escaped (CommonMark's rule; Streamlit's `:red[...]`, `:icon:`
    and `$...$` syntax need their marks unescaped); line breaks and other control characters become one space
    (no headings or list items); a word joiner breaks the bare addresses GitHub-flavoured markdown turns into
    links even when escaped (`http:`/`https:`, `www.`, an `@` of an e-mail address)."""
    s = _PUNCTUATION.sub(r"\\\1", _CONTROL.sub(" ", str(text)))
    s = re.sub(r"(?i)(https?\\:)", rf"\1{_WORD_JOINER}", s)
    s = re.sub(r"(?i)(www)(\\\.)", rf"\1{_WORD_JOINER}\2", s)
    return s.replace("\\@", f"{_WORD_JOINER}\\@")


def plain_figure(text) -> str:
    """`text` made safe for a Plotly figure (titles, axis, tick and legend labels, hover text): Plotly reads a
    small HTML subset there, `<a href>` links included, so the marks are written as entities it shows as they
    are."""
    return html.escape(_CONTROL.sub(" ", str(text)))


def show_error(exc: NNLabError) -> None:
    """The one message a page shows for a problem the user can fix (core's messages say how). Messages quote
    file and class names, so they are shown as plain text."""
    st.error(plain(str(exc)), icon=":material/error:")
