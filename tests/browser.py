"""Helpers for real-browser tests: wait for Streamlit to finish a run, screenshot, check for errors."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
# The plotly figures on a page: their titles, outlines (layout shapes) and heatmap values (NaN as None).
PLOTLY_FIGURES = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(g => ({
  title: (g.layout.title && g.layout.title.text) || '',
  shapes: (g.layout.shapes || []).map(s => [s.x0, s.y0, s.x1, s.y1]),
  z: g._fullData[0] && g._fullData[0].z
    ? Array.from(g._fullData[0].z, row => Array.from(row, v => (v === null || Number.isNaN(v)) ? null : v)) : null,
}))"""
# Where a cell (row, column) of the heatmap titled `title` is on the screen: plotly's own axis conversions.
PLOTLY_CELL = """([title, row, col]) => {
  const g = Array.from(document.querySelectorAll('.js-plotly-plot')).find(g => g.layout.title && g.layout.title.text === title);
  const fl = g._fullLayout, box = g.getBoundingClientRect();
  return [box.left + fl.xaxis._offset + fl.xaxis.l2p(col), box.top + fl.yaxis._offset + fl.yaxis.l2p(row)];
}"""
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished its run (and the page has had a moment to paint)."""
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_timeout(600)
    page.wait_for_selector(IDLE, timeout=timeout)


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    # Streamlit scrolls an inner container, so grow the viewport to the content's height first.
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight ?? 1000")
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": int(min(max(height, 600), 6000))})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    return path


# What is on the screen, for a test's failure message: the address, the run's state, any dialog or exception, and
# the start of the page's text.
SHOWING = """() => {
  const text = (sel) => Array.from(document.querySelectorAll(sel)).map(e => e.innerText.slice(0, 200));
  return {
    url: location.href,
    state: document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state'),
    status: text('[data-testid=stStatusWidget]'),
    dialogs: text('[role=dialog]'),
    exceptions: text('[data-testid=stException]'),
    h1: Array.from(document.querySelectorAll('h1')).map(h => [h.innerText, h.getBoundingClientRect().height]),
    page: document.querySelector('[data-testid=stMain]')?.innerText.slice(0, 300) ?? document.body.innerText.slice(0, 300),
  };
}"""


def showing(page, name: str) -> str:
    """What `page` shows (SHOWING), with a screenshot saved as `name` to look at."""
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))
        return str(page.evaluate(SHOWING))
    except Exception as exc:  # a closed or crashed page says so
        return f"(the page could not be read: {exc})"


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.locator(
        "[data-testid='stException']"
    ).first.inner_text()


NO_STOP = (  # nor Pause (the Playground's Play trains until paused), nor a job still waiting in line
    "() => !Array.from(document.querySelectorAll('button'))"
    ".some(b => /(Stop|Pause|Leave the line)$/.test(b.innerText.trim()))"
)


def wait_trained(page, timeout: float = 180_000) -> None:
    """Wait until the session's training is over and its results are drawn. Training runs as a job the page
    polls, so the page is idle between polls while it trains: wait for the click's own run (which draws the Stop
    button; looked for before it, a cold start's button was not there yet and this returned at once), for the
    Stop button to go, then for the run the last poll asks for."""
    page.wait_for_timeout(500)
    wait_idle(page, timeout)
    page.wait_for_function(NO_STOP, timeout=timeout)
    wait_idle(page, timeout)
