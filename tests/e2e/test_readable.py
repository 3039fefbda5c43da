"""Readable from the back of the room: every page at 1024x768, as a projector shows it. Each page's main figure
starts on the first screen and fits its width, nothing scrolls sideways, no button or link label is cut short, the
text written inside figures (pixel, kernel and weight values, tick labels) is large enough to read, titles never
overlap, and sample images are at least 80 px wide. Cut short means a label ending in "...", a tab or a table row
or column scrolled out of view (a table of data to browse is kept in a container keyed `browse_...`, the only place
a table may scroll). Presented (1.25x text), with the sidebar open and closed, and on every tab of the pages with
tabs (the CNN lab and Training page once trained): nothing is cut short, nothing overlaps, every text in a figure
is at least 14 px, and the main figure still starts on the first screen. One screenshot per page (the first
screen only: what the room sees) for people to look at."""

import pytest
from browser import SHOTS, assert_no_exception, wait_idle, wait_trained
from projector import HEIGHT, MEASURE, WIDTH, assert_presented_readable, close_sidebar

pytestmark = pytest.mark.e2e

MIN_TEXT_PX = 11  # plotly's smallest text we draw (cell values); its ticks and titles are larger
MIN_TILE_PX = 80  # a sample image, drawn at least this wide

# path, what must be drawn first (the page's main figure), and what each page is checked for
PAGES = [
    ("", "[data-testid=stPageLink]"),
    ("data", "[data-testid=stImage] img"),
    ("data?dataset=iris", ".stPlotlyChart .main-svg"),
    ("training", "[data-testid=stDataFrame], [data-testid=stTable]"),
    ("cnn", "[data-testid=stDataFrame], [data-testid=stTable]"),
    ("weights", "[data-testid=stDataFrame], [data-testid=stTable]"),
    ("learned", "[data-testid=stButton] button"),  # no model yet: the offer of a quick one
    ("activations", ".stPlotlyChart .main-svg"),
    ("losses", ".stPlotlyChart .main-svg"),
    ("backprop", ".stPlotlyChart .main-svg"),
    ("gradient_descent", ".stPlotlyChart .main-svg"),
    ("results", "[data-testid=stAlert], .stPlotlyChart .main-svg"),  # no run yet, or the class's board
    ("teacher", "[data-testid=stAlert], [data-testid=stTextInput] input"),  # how to set a token, or asks for it
]


def _open(page, url: str, selector: str, sidebar: str = "open") -> dict:
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto(url)
    wait_idle(page)
    if sidebar == "closed":
        close_sidebar(page)
    page.locator(selector).first.wait_for(timeout=30_000)
    page.wait_for_timeout(800)  # plotly lays out its text after the first paint
    return page.evaluate(MEASURE, selector)


def _name(path: str) -> str:
    return (path or "home").replace("?", "-").replace("=", "-")


@pytest.mark.parametrize("sidebar", ["open", "closed"])
@pytest.mark.parametrize("path, selector", PAGES, ids=[_name(p) for p, _ in PAGES])
def test_presenting_every_page_cuts_nothing_and_writes_large_enough(page, app_url, path, selector, sidebar):
    """Presentation mode's 1.25x text still fits: nothing cut short or scrolled out of view, nothing sideways, no
    text in a figure under 14 px, and the main figure on the first screen, with the sidebar open or closed."""
    m = _open(page, f"{app_url}/{path}{'&' if '?' in path else '?'}present=1", selector, sidebar)
    assert_presented_readable(m, f"{path} presented, sidebar {sidebar}")
    if path != "weights":  # without a model its first screen is the offer of one and the counting's own controls
        assert m["firstTop"] < HEIGHT, m
    if sidebar == "open":  # presenting leaves the sidebar as the teacher had it
        assert page.get_by_test_id("stSidebar").bounding_box()["width"] > 200
    assert_no_exception(page)
    page.screenshot(path=str(SHOTS / f"{_name(path)}-presented-{sidebar}-1024x768.png"))


def _every_tab(page, where: str) -> list[str]:
    """Click through the main column's tabs, measuring each; returns the tabs' names."""
    tabs = page.get_by_test_id("stMainBlockContainer").get_by_role("tab")
    names = tabs.all_inner_texts()
    for i, name in enumerate(names):
        tabs.nth(i).click()
        wait_idle(page)
        page.wait_for_timeout(800)
        assert_presented_readable(page.evaluate(MEASURE, "[role=tablist]"), f"{where}, tab {name}")
        assert_no_exception(page)
    return names


@pytest.mark.parametrize(
    "path",
    ["data", "backprop", "gradient_descent", "cnn?epochs=2&lr=0.01", "training?epochs=3&val=0.1", "weights", "learned"],
)
def test_presenting_every_tab_cuts_nothing_and_writes_large_enough(page, app_url, path):
    """The tabs the first screen does not show: pixel values, kernel and filter tiles, feature maps, the
    network's numbers, the confusion matrix; the CNN lab and Training page once they have trained, the Weights
    and "What the network learned" pages with a quick model."""
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto(f"{app_url}/{path}&present=1" if "?" in path else f"{app_url}/{path}?present=1")
    wait_idle(page)
    if path.startswith(("cnn", "training")):
        page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
        wait_trained(page)
    if path in ("weights", "learned"):  # a quick model: its kernels, units, hidden space, saliency maps
        page.get_by_role("button", name="Quick MLP on digits").click()
        page.get_by_role("tab").first.wait_for(timeout=120_000)
        wait_idle(page)
    assert len(_every_tab(page, path)) >= 2


@pytest.mark.parametrize("path, selector", PAGES, ids=[_name(p) for p, _ in PAGES])
def test_every_page_is_readable_on_a_1024x768_projector(page, app_url, path, selector):
    m = _open(page, f"{app_url}/{path}", selector)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{_name(path)}-1024x768.png"))
    assert_no_exception(page)
    assert m["title"] < 100, m  # no tall empty band above the page
    assert m["firstTop"] < HEIGHT, m  # the main figure starts on the first screen
    assert m["firstRight"] <= m["mainRight"] + 1, m  # ... and is not cut off on the right
    assert m["scrollWidth"] <= WIDTH, m  # nothing scrolls sideways
    assert m["smallest"] is None or m["smallest"] >= MIN_TEXT_PX, m
    assert not m["overlaps"], m["overlaps"]
    assert not m["cut"], m["cut"]  # no label cut short
    assert all(w >= MIN_TILE_PX for w in m["tiles"]), m["tiles"]


def test_pixel_values_written_on_an_image_are_readable(page, app_url):
    _open(page, f"{app_url}/data", "[data-testid=stTabs]")
    page.get_by_role("tab", name="One image, flattened").click()
    wait_idle(page)
    values = page.locator(".stPlotlyChart g.heatmap-label text")
    values.first.wait_for()
    page.wait_for_timeout(500)
    m = page.evaluate(MEASURE, ".stPlotlyChart")
    sizes = values.evaluate_all("ts => ts.map(t => parseFloat(getComputedStyle(t).fontSize))")
    assert len(sizes) >= 64 and min(sizes) >= MIN_TEXT_PX, sizes  # all 8x8 values of a digit, legible
    assert not m["overlaps"], m["overlaps"]
    assert_no_exception(page)
    page.screenshot(path=str(SHOTS / "data-one-image-1024x768.png"))
