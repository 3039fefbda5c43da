"""Helpers for real-browser tests: wait for Streamlit to finish a run, screenshot, check for errors."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
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
    polls, so the page is idle between polls while it trains: wait for its Stop button to go, then for a run."""
    page.wait_for_timeout(500)
    page.wait_for_function(NO_STOP, timeout=timeout)
    wait_idle(page, timeout)
