"""Tables on a page, of two kinds. A table to read (a model's layers, a function's properties, the numbers of one
backpropagation step: a handful of rows) is drawn whole by `st.table`: every row and column shown, long text
wrapping, growing with presentation mode's larger text, never scrolling inside where a projector would hide rows.
A table of data to browse (a dataset's rows, a weight matrix, the runs so far) is an `st.dataframe` in a container
keyed `browse_<name>`: the one kind of table that may scroll (the readability tests look for that key)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from app.messages import plain


def read_table(data, where=st, hide_index: bool = True) -> None:
    """Rows (a list of dicts or a DataFrame) shown whole. `st.table` renders Markdown in its cells and headers, so
    text is shown as plain text (a student's class or column name stays literal); whole numbers get thousands
    separators, as Keras's summary prints them."""
    if not isinstance(data, pd.DataFrame) and hide_index:
        rows = [{_cell(k): _cell(v) for k, v in row.items()} for row in data]
        try:  # rows straight to Arrow, what st.table sends: a quarter of the time through a DataFrame (1.3 ms)
            table = pa.Table.from_pylist(rows)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column of text and numbers: pandas writes it as text
            table = pd.DataFrame(rows)
        where.table(table, hide_index=True)
        return
    frame = pd.DataFrame(data) if not isinstance(data, pd.DataFrame) else data
    frame = frame.rename(columns=_cell) if hide_index else frame.rename(columns=_cell, index=_cell)
    where.table(frame.map(_cell), hide_index=hide_index)


def _cell(v):
    if isinstance(v, str):
        return plain(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return f"{int(v):,}"
    return v


def browse(name: str, where=st):
    """The container a scrolling table of data sits in (`with browse("samples"): st.dataframe(...)`)."""
    return where.container(key=f"browse_{name}")
