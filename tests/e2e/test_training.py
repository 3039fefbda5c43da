"""Training in a real browser: the curve appears live, and Stop ends a long run keeping its model."""

import pytest
from browser import SHOTS, assert_no_exception, screenshot, wait_idle

pytestmark = pytest.mark.e2e


def _trained(page, app_url, query: str, tab: str | None = None) -> None:
    """Open the Training page with `query`, train, wait for the results (and open `tab`)."""
    page.goto(f"{app_url}/training?{query}")
    wait_idle(page)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    wait_idle(page, 120_000)
    if tab:
        page.get_by_role("tab", name=tab, exact=True).click()
        wait_idle(page)


def test_train_a_small_model_and_see_the_curve(page, app_url):
    _trained(page, app_url, "epochs=8")
    assert page.get_by_text("Trained 8 epochs").is_visible()
    chart = page.locator(".stPlotlyChart").first
    assert chart.locator(".scatterlayer .trace").count() >= 2          # training and validation lines drawn
    assert_no_exception(page)
    screenshot(page, "training")


def test_stop_ends_a_long_run_and_keeps_the_model(page, app_url):
    page.goto(f"{app_url}/training?epochs=200&bs=1")                    # about a minute of training
    wait_idle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.locator("[data-testid='stProgress']").wait_for(timeout=60_000)  # training is under way
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop").click()
    wait_idle(page, 60_000)
    message = page.get_by_text("Stopped after epoch").first
    assert message.is_visible() and "of 200" in message.inner_text()
    assert page.get_by_role("tab", name="Test results").is_visible()     # the kept model is shown
    assert_no_exception(page)
    screenshot(page, "training-stopped")


def test_clicking_a_confusion_matrix_cell_shows_its_samples(page, app_url):
    _trained(page, app_url, "epochs=5", "Test results")
    plot = page.locator(".stPlotlyChart").first
    plot.scroll_into_view_if_needed()
    box = plot.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 5.5 / 10, box["y"] + box["height"] * 2.5 / 10)   # true 2, predicted 5
    wait_idle(page)
    assert "of class 2 predicted as 5" in page.get_by_text("predicted as").first.inner_text()
    assert_no_exception(page)


def test_the_model_downloads_right_after_the_history_csv(page, app_url):
    _trained(page, app_url, "epochs=3", "Download")
    with page.expect_download() as csv:
        page.get_by_role("button", name="Training history (CSV)").click()
    assert csv.value.failure() is None and csv.value.suggested_filename == "history.csv"
    with page.expect_download() as model:                              # at once, as a person does
        page.get_by_role("button", name="Trained model (model.skops)").click()
    assert model.value.failure() is None
    with open(model.value.path(), "rb") as f:
        assert f.read(2) == b"PK"                                   # a skops file is a zip, not a pickle
    assert_no_exception(page)


def test_live_curves_and_boundary_are_on_a_1280x720_screen_while_training(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}/training?dataset=moons&epochs=200&bs=1")          # long enough to look at it live
    wait_idle(page)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    page.locator("[data-testid='stProgress']").wait_for(timeout=60_000)
    page.wait_for_timeout(3000)
    page.locator(".stPlotlyChart").nth(1).wait_for(timeout=30_000)         # the curves and the boundary
    rects = "() => Array.from(document.querySelectorAll('.stPlotlyChart')).map(e => e.getBoundingClientRect())" \
            ".filter(r => r.height > 50).map(r => r.top + r.height / 2)"
    for _ in range(50):                            # each epoch replaces the charts: sample when both are drawn
        middles = page.evaluate(rects)
        if len(middles) >= 2:
            break
        page.wait_for_timeout(100)
    assert len(middles) >= 2 and all(m < 720 for m in middles[:2]), middles        # on screen, not below the fold
    assert page.locator("[data-testid='stProgress']").count() == 1              # measured while it was training
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "training-live-1280x720.png"))
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop").click()
    wait_idle(page, 60_000)
    assert_no_exception(page)
