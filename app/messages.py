"""How a page reports a problem the user can fix: one error box with core's message (what went wrong, what to
do). Its own module so that the first page a server draws does not import the widgets' figures to show it."""

from __future__ import annotations

import streamlit as st

from core.errors import NNLabError


def show_error(exc: NNLabError) -> None:
    """The one message a page shows for a problem the user can fix (core's messages say how)."""
    st.error(str(exc), icon=":material/error:")
