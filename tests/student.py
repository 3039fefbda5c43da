"""What a student does in a real browser, for the e2e tests: move a slider with the keyboard, type a number,
choose an option; and what the page shows: every widget's value and the link's settings."""

from urllib.parse import parse_qsl, urlsplit

from browser import showing, wait_idle
from playwright.sync_api import TimeoutError as PlaywrightTimeout

# Every widget's value on screen: sliders (their thumbs), number and text inputs, choices (their shown text),
# switches, radio buttons, and the open tab.
SETTINGS = """() => {
  const root = document.querySelector('[data-testid=stApp]');
  const all = (sel) => Array.from(root.querySelectorAll(sel));
  return {
    sliders: all('[role=slider]').map(s => s.getAttribute('aria-valuetext') || s.getAttribute('aria-valuenow')),
    inputs: all('[data-testid=stNumberInput] input, [data-testid=stTextInput] input').map(i => i.value),
    choices: all('[data-testid=stSelectbox], [data-testid=stMultiSelect]').map(s => s.innerText),
    switches: all('[data-testid=stCheckbox] input').map(i => i.checked),
    radios: all('[role=radiogroup] input:checked').map(i => i.value),
    tab: all('[role=tab][aria-selected=true]').map(t => t.innerText),
  };
}"""


def link(page) -> dict:
    return dict(parse_qsl(urlsplit(page.url).query, keep_blank_values=True))


def slide(page, label: str, key: str, times: int) -> None:
    """Move the slider labelled `label` with the keyboard, as a student can."""
    thumb = page.get_by_test_id("stSlider").filter(has=page.get_by_text(label, exact=True)).get_by_role("slider").first
    for _ in range(times):  # one step a run: a key pressed during a rerun may be lost
        thumb.focus()
        thumb.press(key)
        wait_idle(page)


def type_number(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    wait_idle(page)


def choose(page, label: str, option: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True)).click()
    page.get_by_role("option", name=option).click()
    wait_idle(page)


def settled(page, timeout_ms: int = 30_000) -> dict:
    """Wait for the page's first run to be drawn and its widgets to hold still (a fresh session's first screen
    fills in over a second or so); returns their values."""
    try:
        page.get_by_role("heading", level=1).first.wait_for(timeout=timeout_ms)
    except PlaywrightTimeout:
        raise AssertionError(f"no page title after {timeout_ms} ms: {showing(page, 'unsettled')}") from None
    wait_idle(page)
    before = page.evaluate(SETTINGS)
    for _ in range(timeout_ms // 700):
        page.wait_for_timeout(700)
        wait_idle(page)
        now = page.evaluate(SETTINGS)
        if now == before:
            return now
        before = now
    raise AssertionError(f"the page's widgets kept changing: {now}")
