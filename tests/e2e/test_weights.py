"""The Weights page in a real browser: a quick model, its first-layer units drawn as tiles, and the
epoch slider moving every view back in training."""

import pytest
from browser import assert_no_exception, screenshot, wait_idle

pytestmark = pytest.mark.e2e


def test_quick_model_first_layer_units_and_parameter_trace(page, app_url):
    page.goto(f"{app_url}/weights")
    wait_idle(page)
    page.get_by_text("266,610").wait_for(state="visible")  # counting, with no model yet
    page.get_by_role("button", name="Quick MLP on digits").click()
    wait_idle(page)
    page.get_by_role("tab", name="First-layer units").click()
    wait_idle(page)
    tiles = page.locator(".stPlotlyChart")
    tiles.first.wait_for(state="visible")
    page.locator(".stPlotlyChart .main-svg").first.wait_for(state="visible")  # plotly drew the tiles
    page.get_by_text("unit 31").wait_for(state="visible")  # 32 tiles, one per hidden unit (plotly draws them late)
    assert_no_exception(page)
    screenshot(page, "weights-units")
    page.get_by_role("tab", name="Parameter trace").click()
    wait_idle(page)
    page.get_by_text("After epoch 30").wait_for(state="visible")
    assert_no_exception(page)
    screenshot(page, "weights-trace")
