"""A convolution you click, in a real browser: a click on a feature map's cell shows that cell's arithmetic and
outlines its input patch; Play slides the kernel over the whole map and ends on its last cell, whose worked-out
value is the map's. Screenshots at 1024x768, sidebar open and presented, for people to look at."""

import re

import pytest
from browser import PLOTLY_CELL, PLOTLY_FIGURES, assert_no_exception, screenshot, wait_idle, wait_trained

pytestmark = pytest.mark.e2e


SUM = re.compile(r"z = ([-\d.]+).*= ([-\d.]+): the value at row (\d+), column (\d+) of conv_1's map \d+ \(([-\d.]+)\)")


def _figure(page, start: str) -> dict:
    return next(f for f in page.evaluate(PLOTLY_FIGURES) if start in f["title"])


def _worked_out(page) -> tuple[int, int, float, float]:
    text = page.get_by_text("Sum of the products").inner_text()
    found = SUM.search(text)
    assert found, text
    return int(found[3]), int(found[4]), float(found[2]), float(found[5])


def test_a_clicked_cell_is_worked_out_and_play_ends_on_the_last_cell(page, app_url):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{app_url}/cnn?epochs=2&lr=0.01")
    wait_idle(page)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    wait_trained(page)
    page.get_by_role("tab", name="Step by step", exact=True).click()
    wait_idle(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    title = _figure(page, "conv_1, map 0")["title"]
    start = _worked_out(page)[:2]
    target = (1, 4) if start != (1, 4) else (3, 0)
    page.locator(".js-plotly-plot", has_text="conv_1, map 0").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    x, y = page.evaluate(PLOTLY_CELL, [title, *target])
    page.mouse.click(x, y)
    wait_idle(page)
    row, col, value, on_map = _worked_out(page)
    assert (row, col) == target and value == pytest.approx(on_map, abs=1e-4)
    assert value == pytest.approx(_figure(page, "conv_1, map 0")["z"][row][col], abs=1e-4)  # the map's own value
    patch = _figure(page, "input: the image")["shapes"][0]  # the 3x3 patch under that cell, outlined
    assert patch == [col - 0.5, row - 0.5, col + 2.5, row + 2.5]
    assert _figure(page, "conv_1, map 0")["shapes"][0] == [col - 0.5, row - 0.5, col + 0.5, row + 0.5]
    assert_no_exception(page)
    screenshot(page, "cnn-step-clicked")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(  # part of the map is still blank while it fills in
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".some(g => g.layout.title && g.layout.title.text.includes('conv_1') && g._fullData[0].z && Array.from(g._fullData[0].z).some(r => Array.from(r).some(v => v === null || Number.isNaN(v))))",
        timeout=30_000,
    )
    page.get_by_text("click a cell").first.wait_for()
    page.wait_for_function(  # the end: the last cell's arithmetic
        "() => /row 5, column 5 of conv_1/.test(document.body.innerText)", timeout=60_000
    )
    wait_idle(page)
    row, col, value, on_map = _worked_out(page)
    z = _figure(page, "conv_1, map 0")["z"]
    assert (row, col) == (len(z) - 1, len(z[0]) - 1) and value == pytest.approx(z[row][col], abs=1e-4) == on_map
    assert_no_exception(page)
    page.get_by_test_id("stSidebar").get_by_text("Presentation mode").click()  # the same session, presented
    wait_idle(page)
    screenshot(page, "cnn-step-presented")
