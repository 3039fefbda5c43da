"""Every page in a real browser: it renders, shows no exception box, and its main figure is drawn."""

import pytest
from browser import assert_no_exception, screenshot, wait_idle

pytestmark = pytest.mark.e2e


def test_landing_page_lists_the_lessons(page, app_url):
    page.goto(app_url)
    wait_idle(page)
    page.get_by_role("heading", name="Lesson map").wait_for(state="visible")
    assert page.locator("[data-testid='stPageLink']").count() >= 1
    assert_no_exception(page)
    screenshot(page, "home")


def test_data_page_draws_the_sample_grid(page, app_url):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{app_url}/data")
    wait_idle(page)
    images = page.locator("[data-testid='stImage'] img")
    images.first.wait_for(state="visible")
    assert images.count() == 24
    widths = page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-testid=stImage] img'))"
        ".map(i => i.getBoundingClientRect().width)"
    )
    assert min(widths) >= 80, widths  # legible from the back of the room
    page.get_by_text("#0: 0").first.wait_for(state="visible")  # the first sample's title: index and label
    assert_no_exception(page)
    screenshot(page, "data")


def test_data_page_shows_one_image_with_its_pixel_values(page, app_url):
    page.goto(f"{app_url}/data")
    wait_idle(page)
    page.get_by_role("tab", name="One image, flattened").click()
    wait_idle(page)
    page.get_by_text("images[0]").first.wait_for(state="visible")
    assert_no_exception(page)
    screenshot(page, "data-one-image")


@pytest.mark.parametrize(
    "path, heading, chart_count",
    [
        ("activations", "Activation functions", 1),
        ("losses", "Loss functions", 2),
        ("backprop", "Backpropagation, step by step", 1),
        ("gradient_descent", "Gradient descent", 3),
    ],
)
def test_maths_pages_draw_their_figures(page, app_url, path, heading, chart_count):
    page.goto(f"{app_url}/{path}")
    wait_idle(page)
    page.get_by_role("heading", name=heading).wait_for(state="visible")
    # every chart mounted and drawn by plotly (they arrive one after another: counting once raced the second)
    page.wait_for_function(
        "n => document.querySelectorAll('.stPlotlyChart .main-svg').length >= n", arg=chart_count, timeout=30_000
    )
    assert page.locator(".stPlotlyChart").count() >= chart_count
    assert_no_exception(page)
    screenshot(page, path)


def test_backprop_update_button_lowers_the_loss(page, app_url):
    page.goto(f"{app_url}/backprop")
    wait_idle(page)
    metric = page.locator("[data-testid='stMetricValue']").first
    before = float(metric.inner_text())
    page.get_by_role("button", name="Apply this update").click()
    wait_idle(page)
    assert float(metric.inner_text()) < before
    assert_no_exception(page)


@pytest.mark.parametrize("path", ["", "data", "training", "cnn", "weights", "losses", "backprop", "gradient_descent"])
def test_a_page_asks_nothing_of_any_other_host(page, app_url, path):
    """Offline, really: every asset (the favicon included) comes from NN Lab's own server."""
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(app_url) else None)
    page.goto(f"{app_url}/{path}")
    wait_idle(page)
    page.wait_for_timeout(1000)
    assert not [u for u in outside if not u.startswith(("data:", "blob:"))], outside
