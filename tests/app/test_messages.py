"""The plain-text helper: student text shown by Streamlit's markdown as it is (the browser check is
tests/e2e/test_plain_text.py)."""

from __future__ import annotations

import re

from app.messages import plain, plain_figure

EVIL = ("[Teacher: click to see my grade](http://x.test) ![](http://x.test/t.png) :red[RED] $x^2$ <b>B</b> "
        "me@evil.test www.evil.test # h\n- item")


def _unescaped(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s).replace("\u2060", "")


def test_every_markdown_mark_is_escaped_and_the_text_survives():
    s = plain(EVIL)
    assert not re.search(r"(?<!\\)[\[\]()!$<>*#:`_|~]", s), s     # no mark left that markdown would read
    assert _unescaped(s) == EVIL.replace("\n", " ")                 # shown as typed (line break as a space)


def test_bare_addresses_are_broken():
    s = plain("see http://x.test, HTTPS://y.test, www.z.test or me@evil.test")
    assert "http\\:/" not in s and "HTTPS\\:/" not in s and "www\\." not in s and "e\\@" not in s


def test_plain_text_stays_as_it_is():
    assert plain("cats and dogs 2") == "cats and dogs 2"


def test_figure_text_has_no_html():
    assert plain_figure('<a href="http://x">x</a>') == "&lt;a href=&quot;http://x&quot;&gt;x&lt;/a&gt;"
