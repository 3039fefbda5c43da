"""The CNN lab in a real browser: train a small convnet, draw a digit with the mouse, and see the feature maps
and a prediction appear; screenshots for people to look at."""

import pytest
from browser import assert_no_exception, screenshot, wait_idle, wait_trained

pytestmark = pytest.mark.e2e


def test_drawing_a_stroke_shows_feature_maps_and_a_prediction(page, app_url):
    page.goto(f"{app_url}/cnn?epochs=3&lr=0.01")
    wait_idle(page)
    screenshot(page, "cnn-build")
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    wait_trained(page)
    assert page.get_by_text("Trained 3 epochs").is_visible()
    page.get_by_role("tab", name="Feature maps", exact=True).click()
    wait_idle(page)
    page.get_by_text("Draw one", exact=True).click()
    wait_idle(page)
    canvas = page.locator("canvas.upper-canvas")                  # fabric.js's drawing layer (in a shadow root)
    canvas.wait_for(state="visible", timeout=30_000)                # the component mounts after the rerun
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    for i in range(25):                                           # a vertical stroke: a "1"
        page.mouse.move(box["x"] + box["width"] / 2 + i % 3, box["y"] + box["height"] * (0.15 + 0.028 * i))
    page.mouse.up()
    page.get_by_text("Prediction:").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_text("conv_1 (Conv2D): 16 maps of 6 x 6").first.is_visible()
    page.locator(".stPlotlyChart .heatmaplayer").first.wait_for(timeout=30_000)   # the maps are drawn
    assert_no_exception(page)
    screenshot(page, "cnn-feature-maps")
