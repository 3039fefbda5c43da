"""The CNN lab in a real browser: train a small convnet, draw a digit with the mouse, and see the feature maps
and a prediction appear; screenshots for people to look at."""

import pytest
from browser import SHOTS, assert_no_exception, screenshot, wait_idle, wait_trained

pytestmark = pytest.mark.e2e


TOOLBAR_OVER_BUTTONS = """() => {
  const canvas = [document, ...[...document.querySelectorAll('*')].map(e => e.shadowRoot).filter(Boolean)]
      .map(r => r.querySelector('canvas.upper-canvas')).find(Boolean);
  const tools = [...canvas.getRootNode().querySelectorAll('button')].map(b => b.getBoundingClientRect())
      .filter(r => r.width > 0);
  const ours = [...document.querySelectorAll('[data-testid=stMainBlockContainer] button')]
      .filter(b => b.getRootNode() === document);
  return ours.filter(b => { const r = b.getBoundingClientRect();
      return tools.some(t => t.left < r.right && r.left < t.right && t.top < r.bottom && r.top < t.bottom); })
    .map(b => b.innerText);
}"""


def test_drawing_a_stroke_shows_feature_maps_and_a_prediction(page, app_url):
    page.goto(f"{app_url}/cnn?epochs=3&lr=0.01")
    wait_idle(page)
    screenshot(page, "cnn-build")
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    wait_trained(page)
    page.get_by_text("Trained 3 epochs").wait_for(state="visible")
    page.get_by_role("tab", name="Feature maps", exact=True).click()
    wait_idle(page)
    page.get_by_text("Draw one", exact=True).click()
    wait_idle(page)
    canvas = page.locator("canvas.upper-canvas")  # fabric.js's drawing layer (in a shadow root)
    canvas.wait_for(state="visible", timeout=30_000)  # the component mounts after the rerun
    canvas.scroll_into_view_if_needed()
    canvas.hover()  # the canvas's own toolbar shows over it: it must cover none of the page's buttons
    assert page.evaluate(TOOLBAR_OVER_BUTTONS) == []
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    for i in range(25):  # a vertical stroke: a "1"
        page.mouse.move(box["x"] + box["width"] / 2 + i % 3, box["y"] + box["height"] * (0.15 + 0.028 * i))
    page.mouse.up()
    page.get_by_text("Prediction:").first.wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_text("conv_1 (Conv2D): 16 maps of 6 x 6").first.wait_for(state="visible")
    page.locator(".stPlotlyChart .heatmaplayer").first.wait_for(timeout=30_000)  # the maps are drawn
    assert_no_exception(page)
    screenshot(page, "cnn-feature-maps")


def test_a_trained_convnets_kernel_values_are_readable_at_1024x768(page, app_url):
    """The numbers written on 3x3 kernels fit their cells on a projector: none overlaps another, each at least
    12 px."""
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{app_url}/cnn?epochs=2&lr=0.01")
    wait_idle(page)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    wait_trained(page)
    page.get_by_role("tab", name="Filters", exact=True).click()
    wait_idle(page)
    values = page.locator(".stPlotlyChart g.heatmap-label text")
    values.first.wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    boxes = values.evaluate_all(
        "ts => ts.map(t => { const r = t.getBoundingClientRect(); "
        "return [r.left, r.top, r.right, r.bottom, parseFloat(getComputedStyle(t).fontSize)]; })"
    )
    assert len(boxes) == 16 * 9 and min(b[4] for b in boxes) >= 12  # 16 filters of 3x3, all written
    overlaps = [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1
    ]
    assert not overlaps, overlaps[:3]
    assert_no_exception(page)
    kernels = page.locator(".stPlotlyChart", has=page.locator("g.heatmap-label"))
    kernels.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "cnn-kernel-values-1024x768.png"))
