"""TensorFlow Playground's lesson in a real browser: its link opens here, Play draws every unit's map live (two
moments differ), Pause keeps the model, and a unit clicked in the diagram fills the main figure."""

from urllib.parse import quote

import pytest
from browser import assert_no_exception, screenshot, wait_idle, wait_trained

pytestmark = pytest.mark.e2e

# The spiral with tanh and four input features (x1, x2, x1², x2²): a 4-2 network of 33 parameters that moves fast.
SPIRAL_SQUARES = (
    "https://playground.tensorflow.org/#activation=tanh&batchSize=10&dataset=spiral&learningRate=0.03"
    "&regularizationRate=0&noise=0&networkShape=4,2&percTrainData=50&x=true&y=true&xSquared=true&ySquared=true"
    "&problem=classification"
)

LIVE = ".st-key-train_live [data-testid='stVegaLiteChart']"  # loss, accuracy, the network's units, the boundary
CHARTS = "[data-testid='stVegaLiteChart']"  # once paused: the diagram is the page's one Vega-Lite chart
TOOLTIP = "() => document.getElementById('vg-tooltip-element')?.innerText ?? ''"


def _playing_epoch(page) -> int:
    text = page.get_by_test_id("stProgress").inner_text()
    return int(text.split("epoch")[-1].strip().replace(",", "") or 0) if "Playing: epoch" in text else 0


def test_the_playgrounds_units_train_live_and_a_clicked_unit_fills_the_plane(page, app_url):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{app_url}/training?playground={quote(SPIRAL_SQUARES, safe='')}")
    wait_idle(page)
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "33"  # 4 features, 4-2-1: 20 + 10 + 3
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("button", name="Play", exact=True).click()
    page.locator(LIVE).nth(3).wait_for(timeout=90_000)
    units = page.locator(LIVE).nth(2)
    page.wait_for_function(
        "() => /Playing: epoch [3-9]|Playing: epoch \\d\\d/.test(document.body.innerText)", timeout=90_000
    )
    first = units.screenshot()
    epoch = _playing_epoch(page)
    page.wait_for_function(
        f"() => (document.body.innerText.match(/Playing: epoch ([\\d,]+)/) || [0, '0'])[1].replace(',', '') > {epoch + 3}",
        timeout=60_000,
    )
    second = units.screenshot()
    assert first != second  # the maps changed while the job trained
    screenshot(page, "playground-playing-1024x768")
    main.get_by_role("button", name="Pause", exact=True).click()
    wait_trained(page)
    assert_no_exception(page)
    assert page.locator(CHARTS).count() == 1
    diagram = page.locator(CHARTS).first
    diagram.scroll_into_view_if_needed()
    box = diagram.bounding_box()
    found = None
    for fx in [i / 20 for i in range(4, 12)]:  # find hidden_1's first unit by its tooltip, then click it
        for fy in [i / 20 for i in range(2, 18)]:
            x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
            page.mouse.move(x, y)
            page.wait_for_timeout(60)
            tip = page.evaluate(TOOLTIP)
            if "hidden_1 · unit" in tip and "→" not in tip:  # a unit's map, not a connection's line
                found = (x, y)
                break
        if found:
            break
    assert found, "no hidden unit under the pointer"
    unit = page.evaluate(TOOLTIP).split("hidden_1 · unit")[1].strip().split()[0]
    page.mouse.click(*found)
    wait_idle(page)
    plane = page.get_by_test_id("stPlotlyChart").filter(has_text=f"hidden_1 · unit {unit}")  # its title
    assert "unit's output" in plane.inner_text()
    screenshot(page, "playground-unit-clicked-1024x768")
    assert_no_exception(page)
