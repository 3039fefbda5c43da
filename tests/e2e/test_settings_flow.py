"""A lesson flows in a real browser: settings set on a page (through its link and its widgets) are all still there,
and so is its link, after visiting three other pages and coming back with the browser's Back button, and after
coming back through the navigation. The Training page, the CNN lab and the Data page."""

from urllib.parse import urlsplit

import pytest
from browser import assert_no_exception, screenshot, wait_idle
from student import SETTINGS, settled
from student import choose as _choose
from student import link as _link
from student import slide as _slide
from student import type_number as _number

pytestmark = pytest.mark.e2e


def _visit_and_come_back(
    page, app_url, home: str, pages=("Weights and parameters", "Activation functions", "Loss functions")
) -> None:
    """Three other pages through the navigation, then Back three times."""
    for title in pages:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        wait_idle(page)
        page.get_by_role("heading", level=1).filter(has_text=title.split(" and ")[0][:6]).first.wait_for()
    for _ in pages:
        page.go_back()
        settled(page)
    assert urlsplit(page.url).path.rstrip("/").endswith(home), page.url


def _through_navigation(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Lesson map").click()
    wait_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    settled(page)


def _check_kept(page, app_url, home: str, title: str, shot: str) -> None:
    before, link = settled(page), _link(page)
    _visit_and_come_back(page, app_url, home)
    assert page.evaluate(SETTINGS) == before and _link(page) == link
    _through_navigation(page, title)
    assert page.evaluate(SETTINGS) == before and _link(page) == link
    assert_no_exception(page)
    screenshot(page, shot)


TRAINING_LINK = "dataset=iris&depth=3&w1=8&w2=12&w3=20&act=tanh&lr=0.01&bs=8&test=0.3&opt=sgd&val=0.2&patience=3"


def test_a_dozen_training_settings_and_the_link_survive_three_pages_and_back(page, app_url):
    page.goto(f"{app_url}/training?{TRAINING_LINK}")
    wait_idle(page)
    _number(page, "Epochs", "23")
    _number(page, "Seed (split and weights)", "6")
    _choose(page, "Activation", "Logistic sigmoid" if page.get_by_text("Logistic sigmoid").count() else "Sigmoid")
    link = _link(page)
    assert (link["epochs"], link["seed"], link["dataset"]) == ("23", "6", "iris")
    assert (link["w3"], link["patience"]) == ("20", "3")
    assert link["act"] != "tanh" and link["n"] == "150"  # all of iris, said in the link
    _check_kept(page, app_url, "training", "Training", "settings-flow-training")


def test_the_cnn_labs_settings_survive_three_pages_and_back(page, app_url):
    page.goto(f"{app_url}/cnn?blocks=2&f1=8&f2=12&k=5&pool=1&drop=0.4&dense=1&d1=32&rot=0.1&zoom=0.2&epochs=4&lr=0.003")
    wait_idle(page)
    _slide(page, "Noise (standard deviation)", "ArrowRight", 2)
    _number(page, "Seed (split and weights)", "9")
    link = _link(page)
    assert (link["noise"], link["seed"], link["k"], link["d1"]) == ("0.02", "9", "5", "32")
    _check_kept(page, app_url, "cnn", "CNN lab", "settings-flow-cnn")


def test_the_data_pages_view_index_and_scaling_survive_three_pages_and_back(page, app_url):
    page.goto(f"{app_url}/data")
    wait_idle(page)
    page.get_by_role("tab", name="Train/test split").click()
    wait_idle(page)
    _number(page, "Split seed", "42")
    _slide(page, "Test fraction", "ArrowRight", 2)
    page.get_by_role("tab", name="One image, flattened").click()
    wait_idle(page)
    _number(page, "Image index (0 to 1796)", "7")
    page.get_by_text("After dividing by 16").click()
    wait_idle(page)
    page.get_by_text("images[7]").first.wait_for()
    link = _link(page)
    assert (link["tab"], link["i"], link["scaled"]) == ("One image, flattened", "7", "1")
    _check_kept(page, app_url, "data", "Data", "settings-flow-data")
    page.get_by_role("tab", name="Train/test split").click()  # the other view's settings are kept too
    wait_idle(page)
    assert page.get_by_label("Split seed", exact=True).input_value() == "42"
    assert _link(page)["test"] == "0.3" and _link(page)["sseed"] == "42"


@pytest.mark.parametrize(
    "query, live, height", [("training?depth=6&epochs=2000", "train_live", 500), ("cnn?epochs=60", "cnn_live", 768)]
)
def test_train_clicked_further_down_brings_the_progress_into_view(page, app_url, query, live, height):
    """The progress, Stop and live curves are drawn at the top of the page; a page longer than the screen
    scrolled down to Train scrolls up to them."""
    page.set_viewport_size({"width": 1024, "height": height})
    page.goto(f"{app_url}/{query}")
    settled(page)
    train = page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True)
    page.get_by_test_id("stMain").evaluate("m => m.scrollTo(0, m.scrollHeight)")  # a student scrolled down
    page.wait_for_timeout(300)
    train.click()
    progress = page.locator(f".st-key-{live}").locator("[data-testid=stProgress], [data-testid=stAlert]").first
    progress.wait_for(timeout=60_000)  # or its place in line
    page.wait_for_timeout(800)
    box = progress.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height, box
    stop = page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop")
    if stop.count():
        stop.click()
    page.wait_for_function(
        "() => !Array.from(document.querySelectorAll('button')).some(b => b.innerText.trim().endsWith('Stop'))",
        timeout=120_000,
    )
