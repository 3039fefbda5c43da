"""A convolution you click, the parts `test_cnn_step.py` leaves out, in a real browser at 1024x768: a click on a
pooling layer's cell outlines its p x p window on the layer's input and works out its max; Play over a
scikit-learn sample photo, paused half-way, rests on the cell it had reached (the map filled up to it, the rest
blank) and Continue goes on from there to the last cell, whose worked-out value is the map's. Screenshots with
the sidebar open and presented, for people to look at."""

import re

import pytest
from browser import PLOTLY_CELL, PLOTLY_FIGURES, SHOTS, assert_no_exception, screenshot, wait_idle, wait_trained

pytestmark = pytest.mark.e2e


# How many cells of the map whose title has `start` are drawn (not blank), or -1 without that map.
FILLED = """(start) => {
  const g = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .find(g => g.layout.title && g.layout.title.text.includes(start));
  if (!g || !g._fullData[0] || !g._fullData[0].z) return -1;
  return Array.from(g._fullData[0].z).flatMap(r => Array.from(r)).filter(v => v !== null && !Number.isNaN(v)).length;
}"""
POOLED = re.compile(
    r"rows (\d+)-(\d+), columns (\d+)-(\d+) of the previous layer's map 0: its largest value ([-\d.]+) is the value "
    r"at row (\d+), column (\d+) of pool_1's map 0 \(([-\d.]+)\)"
)
SUM = re.compile(r"= ([-\d.]+): the value at row (\d+), column (\d+) of conv_1's map 0 \(([-\d.]+)\)")
VIEWPORT = {"width": 1024, "height": 768}


def _figure(page, start: str) -> dict:
    figures = page.evaluate(PLOTLY_FIGURES)
    found = next((f for f in figures if start in f["title"]), None)
    assert found, [f["title"] for f in figures]
    return found


def _conv_worked_out(page) -> tuple[int, int, float, float]:
    """(row, column, the worked-out value, the map's value written beside it) of the conv cell explained."""
    text = page.get_by_text("Sum of the products").inner_text()
    found = SUM.search(text)
    assert found, text
    return int(found[2]), int(found[3]), float(found[1]), float(found[4])


def _layer(page, name: str) -> None:
    page.locator("[data-testid=stSelectbox]", has_text="Layer").click()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    wait_idle(page)


def _into_view(page, title: str) -> None:
    """Scroll the figure whose title has `title` into view and wait until plotly has drawn it."""
    figure = page.locator(".js-plotly-plot", has_text=title)
    figure.wait_for(timeout=30_000)
    figure.scroll_into_view_if_needed()
    page.wait_for_timeout(300)


def _shot(page, name: str) -> None:
    """The whole page at 1024 wide (for the record), then back to 1024x768 for the next clicks."""
    screenshot(page, name)
    page.set_viewport_size(VIEWPORT)
    page.wait_for_timeout(300)


def test_a_pooling_cell_clicked_and_play_paused_and_continued(page, app_url):
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{app_url}/cnn?epochs=2&lr=0.01")  # 8x8 digits: conv_1 6x6, pool_1 3x3
    wait_idle(page)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    wait_trained(page)
    page.get_by_role("tab", name="Step by step", exact=True).click()
    wait_idle(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)

    # A pooling layer: the clicked cell's 2x2 window, outlined on its input, and its max.
    _layer(page, "pool_1")
    page.get_by_text("its largest value").wait_for()
    start = (int(page.get_by_label("Row").input_value()), int(page.get_by_label("Column").input_value()))
    target = (0, 2) if start != (0, 2) else (2, 0)
    _into_view(page, "pool_1, map 0")
    title = _figure(page, "pool_1, map 0")["title"]
    page.mouse.click(*page.evaluate(PLOTLY_CELL, [title, *target]))
    wait_idle(page)
    found = POOLED.search(page.get_by_text("its largest value").inner_text())
    assert found, page.get_by_text("its largest value").inner_text()
    r0, r1, c0, c1, value, row, col, on_map = (float(v) if "." in v else int(v) for v in found.groups())
    r, c = target
    assert (row, col) == target and (r0, r1, c0, c1) == (2 * r, 2 * r + 1, 2 * c, 2 * c + 1)
    assert (int(page.get_by_label("Row").input_value()), int(page.get_by_label("Column").input_value())) == target
    pooled, below = _figure(page, "pool_1, map 0"), _figure(page, "input: the previous layer's map 0")
    window = [v for line in below["z"][r0 : r1 + 1] for v in line[c0 : c1 + 1]]
    assert value == pytest.approx(on_map, abs=1e-4) == pytest.approx(pooled["z"][r][c], abs=1e-4)
    assert value == pytest.approx(max(window), abs=1e-4)  # the max of the window outlined below
    assert below["shapes"][0] == [c0 - 0.5, r0 - 0.5, c1 + 0.5, r1 + 0.5]
    assert pooled["shapes"][0] == [c - 0.5, r - 0.5, c + 0.5, r + 0.5]
    assert_no_exception(page)
    page.screenshot(path=str(SHOTS / "cnn-click-pool-1024x768.png"))  # what a projector shows: the map in view
    _shot(page, "cnn-click-pool")

    # Play over scikit-learn's sample photo on conv_1, paused half-way: it rests on the cell it had reached.
    page.get_by_text("A photo", exact=True).click()
    wait_idle(page)
    page.get_by_text("china.jpg", exact=True).wait_for()
    _layer(page, "conv_1")
    _into_view(page, "conv_1, map 0")
    cells = len(_figure(page, "conv_1, map 0")["z"]) * len(_figure(page, "conv_1, map 0")["z"][0])
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(  # part of the map drawn, the rest still blank
        f"() => {{ const n = ({FILLED})('conv_1, map 0'); return n >= 8 && n < {cells}; }}", timeout=30_000
    )
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_idle(page)
    page.get_by_role("button", name="Continue", exact=True).wait_for()
    row, col, value, on_map = _conv_worked_out(page)
    z = _figure(page, "conv_1, map 0")["z"]
    h, w = len(z), len(z[0])
    reached = row * w + col + 1
    assert 8 <= reached < cells, (row, col)
    assert page.get_by_text(f"Paused on row {row}, column {col}").count() == 1
    assert (int(page.get_by_label("Row").input_value()), int(page.get_by_label("Column").input_value())) == (row, col)
    flat = [v for line in z for v in line]
    assert all(v is not None for v in flat[:reached]) and all(v is None for v in flat[reached:])  # blank after it
    assert value == pytest.approx(on_map, abs=1e-4) == pytest.approx(z[row][col], abs=1e-4)
    patch = _figure(page, "input: the image")["shapes"][0]  # the 3x3 patch under that cell
    assert patch == [col - 0.5, row - 0.5, col + 2.5, row + 2.5]
    assert_no_exception(page)
    _shot(page, "cnn-click-paused")

    # Continue: from the paused cell on (never back to the first), to the last cell, whose value is the map's.
    page.get_by_role("button", name="Continue", exact=True).click()
    first = page.wait_for_function(  # the first frame drawn after the paused one
        f"() => {{ const n = ({FILLED})('conv_1, map 0'); return n !== -1 && n !== {reached} ? n : null; }}",
        timeout=30_000,
    )
    assert first.json_value() > reached
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60_000)
    wait_idle(page)
    row, col, value, on_map = _conv_worked_out(page)
    z = _figure(page, "conv_1, map 0")["z"]
    assert (row, col) == (h - 1, w - 1) and all(v is not None for line in z for v in line)
    assert value == pytest.approx(on_map, abs=1e-4) == pytest.approx(z[row][col], abs=1e-4)
    assert page.get_by_text("Paused on").count() == 0
    assert_no_exception(page)
    page.get_by_test_id("stSidebar").get_by_text("Presentation mode").click()  # the same session, presented
    wait_idle(page)
    _into_view(page, "conv_1, map 0")
    page.screenshot(path=str(SHOTS / "cnn-click-presented-1024x768.png"))
    _shot(page, "cnn-click-presented")
    assert_no_exception(page)
