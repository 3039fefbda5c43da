"""How a page reports a problem the user can fix: one error box with core's message (what went wrong, what to
do), and the one way student text is shown as plain text. Its own module so that the first page a server draws
does not import the widgets' figures to show it."""

from __future__ import annotations

import html
import re

import streamlit as st

from core.errors import NNLabError

# The marks markdown (with Streamlit's additions) reads anywhere in a line: emphasis, code, links and images,
# HTML and entities, tables, strikethrough, LaTeX. A colon only before a letter (`:red[`, `:material/x:`,
# `:smile:`), an underscore only at a word's edge (GFM reads `data_batch_1` as it is): error messages quoting
# "received: 3" or a file named data_batch_1 keep reading as they did.
_MARKS = re.compile(r"([\\`*\[\]<>#!|~$&])|:(?=[A-Za-z])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_LINE_START = re.compile(r"^(\s*(?:\d+(?=[.)]))?)([-+=.)])")  # a list item, an ordered list's "1." or "1)"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_WORD_JOINER = "\u2060"  # invisible, not a space: breaks a pattern, not the text


def plain(text) -> str:
    """`text` made safe for every Streamlit call that renders markdown (st.markdown/caption/info/warning/error/
    success/toast, widget labels, help=, tabs): it shows literally, never as a link, an image, HTML, LaTeX, a
    colour, an icon, emphasis or a heading. Use it wherever something a student controls (a file, class, column
    or display name, a link value, an error message quoting them) meets such a call.

    The marks markdown reads are backslash-escaped (CommonMark's rule); line breaks and other control
    characters become one space (no headings, list items or table rows); a word joiner breaks the bare
    addresses GitHub-flavoured markdown turns into links even when escaped (`http:`/`https:`, `www.`, the `@`
    of an e-mail address)."""
    s = _CONTROL.sub(" ", str(text))
    s = _MARKS.sub(lambda m: "\\" + m.group(0), s)
    s = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), s)
    s = re.sub(r"(?i)(https?\\?:)", rf"\1{_WORD_JOINER}", s)
    s = re.sub(r"(?i)\b(www)\.", rf"\1{_WORD_JOINER}.", s)
    return s.replace("@", f"{_WORD_JOINER}@")


def plain_figure(text) -> str:
    """`text` made safe for a Plotly figure (titles, axis, tick and legend labels, hover text): Plotly reads a
    small HTML subset there, `<a href>` links included, so the marks are written as entities it shows as they
    are."""
    return html.escape(_CONTROL.sub(" ", str(text)))


def show_error(exc: NNLabError) -> None:
    """The one message a page shows for a problem the user can fix (core's messages say how). Messages quote
    file and class names, so they are shown as plain text."""
    st.error(plain(str(exc)), icon=":material/error:")
