"""Training in a real browser: the curve appears live, Stop ends a long run keeping its model, a second student
waits in line, and a closed tab gives its place up."""

import re
import time

import pytest
from browser import SHOTS, assert_no_exception, screenshot, wait_idle, wait_trained

pytestmark = pytest.mark.e2e


def _trained(page, app_url, query: str, tab: str | None = None) -> None:
    """Open the Training page with `query`, train, wait for the results (and open `tab`)."""
    page.goto(f"{app_url}/training?{query}")
    wait_idle(page)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    wait_trained(page)
    if tab:
        page.get_by_role("tab", name=tab, exact=True).click()
        wait_idle(page)


def test_train_a_small_model_and_see_the_curve(page, app_url):
    _trained(page, app_url, "epochs=8")
    page.get_by_text("Trained 8 epochs").wait_for(state="visible")
    chart = page.locator(".stPlotlyChart").first
    assert chart.locator(".scatterlayer .trace").count() >= 2  # training and validation lines drawn
    assert_no_exception(page)
    screenshot(page, "training")


def test_stop_ends_a_long_run_and_keeps_the_model(page, app_url):
    page.goto(f"{app_url}/training?epochs=200&bs=1")  # about a minute of training
    wait_idle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.locator("[data-testid='stProgress']").wait_for(timeout=60_000)  # training is under way
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop").click()
    wait_trained(page, 60_000)
    message = page.get_by_text("Stopped by request after epoch").first
    message.wait_for(state="visible")
    page.get_by_role("tab", name="Test results").wait_for(state="visible")  # the kept model is shown
    assert_no_exception(page)
    screenshot(page, "training-stopped")


def test_clicking_a_confusion_matrix_cell_shows_its_samples(page, app_url):
    _trained(page, app_url, "epochs=5", "Test results")
    plot = page.locator(".stPlotlyChart").first
    plot.scroll_into_view_if_needed()
    box = plot.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 5.5 / 10, box["y"] + box["height"] * 2.5 / 10)  # true 2, predicted 5
    wait_idle(page)
    assert "of class 2 predicted as 5" in page.get_by_text("predicted as").first.inner_text()
    assert_no_exception(page)


def test_the_model_downloads_right_after_the_history_csv(page, app_url):
    _trained(page, app_url, "epochs=3", "Download")
    with page.expect_download() as csv:
        page.get_by_role("button", name="Training history (CSV)").click()
    assert csv.value.failure() is None and csv.value.suggested_filename == "history.csv"
    with page.expect_download() as model:  # at once, as a person does
        page.get_by_role("button", name="Trained model (model.skops)").click()
    assert model.value.failure() is None
    with open(model.value.path(), "rb") as f:
        assert f.read(2) == b"PK"  # a skops file is a zip, not a pickle
    assert_no_exception(page)


@pytest.mark.parametrize("width, height, sidebar", [(1280, 720, True), (1024, 768, False)])
def test_live_curves_and_boundary_are_on_a_projector_screen_while_training(page, app_url, width, height, sidebar):
    """Both projector sizes; at 1024x768 with the sidebar collapsed (the page still trains and draws)."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{app_url}/training?dataset=moons&epochs=200&bs=1")  # long enough to look at it live
    wait_idle(page)
    if not sidebar:
        page.get_by_test_id("stSidebar").hover()
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        page.get_by_test_id("stExpandSidebarButton").wait_for()  # collapsed: only its arrow is left
        page.wait_for_timeout(500)
        assert page.get_by_test_id("stMainBlockContainer").bounding_box()["x"] < 200
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    page.locator("[data-testid='stProgress']").wait_for(timeout=60_000)
    page.wait_for_timeout(3000)
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.nth(2).wait_for(timeout=30_000)  # loss, accuracy and the boundary
    rects = (
        "() => Array.from(document.querySelectorAll('[data-testid=stVegaLiteChart]'))"
        ".map(e => [e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2, "
        "e.querySelectorAll('canvas, svg.marks').length])"
    )
    for _ in range(20):  # every moment sampled: drawn (updated in place, never remounted)
        middles = page.evaluate(rects)
        assert len(middles) == 3 and all(m < height and drawn for m, drawn in middles), middles
        page.wait_for_timeout(150)
    assert page.locator("[data-testid='stProgress']").count() == 1  # measured while it was training
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"training-live-{width}x{height}{'' if sidebar else '-no-sidebar'}.png"))
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop").click()
    wait_trained(page, 60_000)
    assert_no_exception(page)


def test_a_second_student_waits_in_line_and_a_closed_tab_gives_its_place_up(browser, app_url):
    """The e2e server has one worker thread (NNLAB_WORKERS=1): a second training waits for the first."""
    first, second = (browser.new_context(viewport={"width": 1280, "height": 720}).new_page() for _ in range(2))
    first.goto(f"{app_url}/training?epochs=200&bs=1")  # about a minute of training
    wait_idle(first)
    first.get_by_role("button", name="Train", exact=True).click()
    first.locator("[data-testid='stProgress']").wait_for(timeout=60_000)
    second.goto(f"{app_url}/training?epochs=5")
    wait_idle(second)
    second.get_by_role("button", name="Train", exact=True).click()
    second.get_by_text("1st in line").wait_for(timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    second.screenshot(path=str(SHOTS / "training-in-line.png"))
    first.context.close()  # the first student closes the tab: no more polls
    left = time.monotonic()
    second.get_by_text("Trained 5 epochs").wait_for(timeout=60_000)
    assert time.monotonic() - left < 20  # abandoned within seconds, then 5 epochs of digits
    assert_no_exception(second)
    second.context.close()


def test_two_tabs_of_one_browser_hold_one_place_in_line(browser, app_url):
    """The browser's id is a cookie written by a script in a hidden box above the page (app/main.py): a new
    browser gets it on its first page, and its second tab then shares the first tab's place in line."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    first = context.new_page()
    first.goto(f"{app_url}/training?epochs=200&bs=1")  # about a minute of training
    wait_idle(first)
    deadline = time.monotonic() + 15  # the script runs once the page's elements are drawn
    while not (cookie := {c["name"]: c["value"] for c in context.cookies()}.get("nnlab_browser")):
        assert time.monotonic() < deadline, context.cookies()
        first.wait_for_timeout(200)
    assert re.fullmatch("[0-9a-f]{24}", cookie), cookie
    first.get_by_role("button", name="Train", exact=True).click()
    first.locator("[data-testid='stProgress']").wait_for(timeout=60_000)
    second = context.new_page()
    second.goto(f"{app_url}/training?epochs=5")
    wait_idle(second)
    second.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    second.get_by_text("You already have a training in line or running").wait_for(timeout=30_000)
    assert_no_exception(second)
    context.close()


def _epoch(page) -> int:
    """The epoch the page's progress line reports ("Epoch 7 / 200 · ...")."""
    text = page.get_by_text(re.compile(r"^Epoch \d+ / \d+")).first.inner_text(
        timeout=90_000
    )  # the first job waits for the cluster
    return int(re.match(r"Epoch (\d+)", text).group(1))


def test_a_tab_frozen_for_a_minute_keeps_its_training(browser, app_url):
    """Chromium freezes background tabs (no timers, no polls): the job lives as long as the tab's connection,
    not its polls (`app.jobs.connection_alive`), so a student reading another tab keeps their place. The freeze is
    the debugger's pause: Chromium ignores `Page.setWebLifecycleState` "frozen" for a page that is not hidden (its
    timers kept running), and a paused page is what a frozen one is to the server: an open socket, no polls."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{app_url}/training?epochs=2000&bs=1")  # minutes of training: it outlasts the pause
    wait_idle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    _epoch(page)  # under way
    cdp = context.new_cdp_session(page)
    cdp.send("Debugger.enable")
    cdp.send("Debugger.pause")
    time.sleep(60)  # 20 times the board's patience with a tab that neither polls nor is connected
    cdp.send("Debugger.resume")
    page.wait_for_timeout(3000)  # the page catches up
    before, deadline = _epoch(page), time.monotonic() + 30
    while (now := _epoch(page)) <= before and time.monotonic() < deadline:  # the same job, still training
        page.wait_for_timeout(500)
    assert now > before, (before, now)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop").click()
    page.get_by_text("Stopped by request after epoch").first.wait_for(timeout=60_000)
    assert_no_exception(page)
    context.close()
