"""Tables on a page, of two kinds. A table to read (a model's layers, a function's properties, the numbers of one
backpropagation step: a handful of rows) is drawn whole by `st.table`: every row and column shown, long text
wrapping, growing with presentation mode's larger text, never scrolling inside where a projector would hide rows.
A table of data to browse (a dataset's rows, a weight matrix, the runs so far) is an `st.dataframe` in a container
keyed `browse_<name>`: the one kind of table that may scroll (the readability tests look for that key)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app.messages import plain


def read_table(data, where=st, hide_index: bool = True) -> None:
    """Rows (a list of dicts or a DataFrame) shown whole. `st.table` renders Markdown in its cells and headers, so
    text is shown as plain text (a student's class or column name stays literal); whole numbers get thousands
    separators, as Keras's summary prints them."""
    if isinstance(data, pd.DataFrame):
        frame = data.rename(columns=_cell) if hide_index else data.rename(columns=_cell, index=_cell)
        frame = frame.map(_cell)
    else:  # rows: each cell written before the frame is made (a third of the time of writing the frame's cells)
        frame = pd.DataFrame([{_cell(k): _cell(v) for k, v in row.items()} for row in data])
        frame = frame if hide_index else frame.rename(index=_cell)
    where.table(frame, hide_index=hide_index)


def _cell(v):
    if isinstance(v, str):
        return plain(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return f"{int(v):,}"
    return v


def browse(name: str, where=st):
    """The container a scrolling table of data sits in (`with browse("samples"): st.dataframe(...)`)."""
    return where.container(key=f"browse_{name}")
