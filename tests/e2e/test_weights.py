"""The Weights page in a real browser: a quick model, its first-layer units drawn as tiles, and the
epoch slider moving every view back in training."""

import pytest
from browser import assert_no_exception, screenshot, wait_idle

pytestmark = pytest.mark.e2e


def test_quick_model_first_layer_units_and_parameter_trace(page, app_url):
    page.goto(f"{app_url}/weights")
    wait_idle(page)
    assert page.get_by_text("266,610").is_visible()                             # counting, with no model yet
    page.get_by_role("button", name="Quick MLP on digits").click()
    wait_idle(page)
    page.get_by_role("tab", name="First-layer units").click()
    wait_idle(page)
    tiles = page.locator(".stPlotlyChart")
    tiles.first.wait_for(state="visible")
    assert page.locator(".stPlotlyChart .main-svg").count() >= 1
    assert page.get_by_text("unit 31").is_visible()                             # 32 tiles, one per hidden unit
    assert_no_exception(page)
    screenshot(page, "weights-units")
    page.get_by_role("tab", name="Parameter trace").click()
    wait_idle(page)
    assert page.get_by_text("After epoch 30").is_visible()
    assert_no_exception(page)
    screenshot(page, "weights-trace")
