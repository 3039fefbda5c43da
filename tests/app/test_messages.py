"""The plain-text helper: student text shown by Streamlit's markdown as it is (the browser check is
tests/e2e/test_plain_text.py)."""

from __future__ import annotations

import re

import pytest

from app.messages import plain, plain_figure

EVIL = (
    "[Teacher: click to see my grade](http://x.test) ![](http://x.test/t.png) :red[RED] $x^2$ <b>B</b> "
    "&lt; `code` **bold** _it_ ~~s~~ | me@evil.test www.evil.test # h\n- item"
)


def _unescaped(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s).replace("\u2060", "")


def test_every_markdown_mark_is_escaped_and_the_text_survives():
    s = plain(EVIL)
    assert not re.search(r"(?<!\\)[\[\]!$<>*`|~&#]|(?<!\\):[A-Za-z]|(?<![\\\w])_", s), s
    assert _unescaped(s) == EVIL.replace("\n", " ")  # shown as typed (line break as a space)


@pytest.mark.parametrize("start", ["- a", "+ a", "1. a", "12) a", "= a"])
def test_a_list_or_heading_marker_at_the_start_is_escaped(start):
    s = plain(start)
    assert "\\" in s and _unescaped(s) == start


def test_bare_addresses_are_broken():
    s = plain("see http://x.test, HTTPS://y.test, https:z.test, www.z.test or me@evil.test")
    for link in ("http:/", "HTTPS:/", "https\\:z", "www.", "e@"):
        assert link not in s, (link, s)


def test_ordinary_text_and_messages_stay_as_they_are():
    for text in (
        "cats and dogs 2",
        "data_batch_1 holds 3 images: expected 10,000 (received 2); fix it.",
        "points='5', noise='lots'",
        "0-6 layers of 1-512 units",
    ):
        assert plain(text) == text


def test_figure_text_has_no_html():
    assert plain_figure('<a href="http://x">x</a>') == "&lt;a href=&quot;http://x&quot;&gt;x&lt;/a&gt;"


def test_the_data_pages_figures_show_class_and_feature_names_as_text():
    import numpy as np

    from app.data import figures

    evil = "<a href='http://x.test'>a</a>"
    assert "<a" not in figures.class_counts((evil, "b"), [1, 2]).data[0].x[0]
    assert "<a" not in figures.split_balance((evil, "b"), [1, 2], [1, 1]).data[0].x[0]
    scatter = figures.scatter(np.zeros((2, 2)), np.array([0, 1]), (evil, "b"), (evil, "f"))
    assert "<a" not in scatter.data[0].name and "<a" not in scatter.layout.xaxis.title.text
    hist = figures.feature_histograms(np.zeros((4, 1)), (evil,), np.array([0, 1, 0, 1]), (evil, "b"))
    assert "<a" not in hist.data[0].name and "<a" not in hist.layout.annotations[0].text


def test_a_read_table_writes_rows_and_frames_alike_as_plain_text_with_thousands_separators(monkeypatch):
    """`app.tables.read_table`: st.table renders markdown in cells and headers; every cell and header reaches it
    through `plain`, whole numbers with separators, whether the rows come as dicts or as a DataFrame."""
    import pandas as pd

    from app import tables

    shown = []
    monkeypatch.setattr(tables.st, "table", lambda frame, hide_index: shown.append((frame, hide_index)))
    rows = [{EVIL: "**bold**", "params": 12345, "rate": 0.5}, {EVIL: "x", "params": 7, "rate": 1.0}]
    tables.read_table(rows)
    tables.read_table(pd.DataFrame(rows))
    (arrow, hidden), (from_frame, _) = shown
    from_rows = arrow.to_pandas()  # rows go to st.table as Arrow, what it sends (no DataFrame on the way)
    pd.testing.assert_frame_equal(from_rows, from_frame)
    assert hidden and list(from_rows.columns) == [plain(EVIL), "params", "rate"]
    assert from_rows["params"].tolist() == ["12,345", "7"] and from_rows[plain(EVIL)][0] == plain("**bold**")
    assert from_rows["rate"].tolist() == [0.5, 1.0]
    tables.read_table(rows, hide_index=False)
    assert shown[-1][0].index.tolist() == ["0", "1"] and shown[-1][1] is False
    tables.read_table([{"value": 1.5}, {"value": "n/a"}])  # text and numbers in one column: shown, not refused
    assert [str(v) for v in shown[-1][0]["value"]] == ["1.5", "n/a"]
