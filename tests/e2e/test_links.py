"""Every page is a lesson link: a setting changed on the page (with its widget, as a student does) goes into the
link, and the link opened in a fresh browser (a new session: nothing remembered) shows the same settings, the same
numbers and the same text, and writes the same link again."""

import pytest
from browser import assert_no_exception, wait_idle
from student import SETTINGS, settled
from student import link as address
from student import slide as _slide
from student import type_number as _number

pytestmark = pytest.mark.e2e

# What the page shows: its text (numbers, captions, tables' visible cells) and its metrics.
SHOWN = """() => ({
  text: document.querySelector('[data-testid=stMainBlockContainer]').innerText,
  metrics: Array.from(document.querySelectorAll('[data-testid=stMetricValue]')).map(m => m.innerText),
})"""


def _slider(label, key="ArrowRight", times=2):
    return lambda page: _slide(page, label, key, times)


def _typed(label, value):
    return lambda page: _number(page, label, value)


def _split_seed(page) -> None:
    page.get_by_role("tab", name="Train/test split").click()
    wait_idle(page)
    _number(page, "Split seed", "11")


# page (and a starting link), and the change a student makes there
PAGES = [
    ("data?dataset=moons", _slider("Points")),
    ("data", _split_seed),
    ("training", _typed("Epochs", "350")),
    ("cnn", _slider("Dropout after Flatten")),
    ("weights", _typed("Step", "25")),
    ("activations", _slider("Input range z")),  # its start
    ("losses", _slider("Move one target far away", "ArrowLeft")),
    ("backprop", _typed("Weight seed", "3")),
    ("gradient_descent", _slider("Epochs")),
]


def _state(page) -> tuple[dict, dict, dict]:
    return address(page), page.evaluate(SETTINGS), page.evaluate(SHOWN)


@pytest.mark.parametrize("path, change", PAGES, ids=[p for p, _ in PAGES])
def test_a_pages_link_opens_the_same_page_in_a_fresh_browser(browser, app_url, path, change):
    first = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = first.new_page()
    page.goto(f"{app_url}/{path}")
    settled(page)
    before = page.url
    change(page)
    settled(page)
    link, settings, shown = _state(page)
    assert page.url != before, "the change is not in the link"
    url = page.url
    first.close()

    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    again = fresh.new_page()
    again.goto(url)
    settled(again)
    assert again.locator("[data-testid=stAlert]").filter(has_text="unknown or out of range").count() == 0
    link2, settings2, shown2 = _state(again)
    assert link2 == link
    assert settings2 == settings
    assert shown2["metrics"] == shown["metrics"]
    assert shown2["text"] == shown["text"]
    assert_no_exception(again)
    fresh.close()
