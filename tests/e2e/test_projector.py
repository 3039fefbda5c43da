"""Readable from the back of the room: at 1024x768 a maths page's figure is on screen whole, and the
presentation switch enlarges text and the figure's labels without cutting the figure off."""

import pytest
from browser import SHOTS, assert_no_exception, wait_idle

pytestmark = pytest.mark.e2e

MEASURE = """() => {
  const main = document.querySelector('[data-testid=stMainBlockContainer]').getBoundingClientRect();
  const chart = document.querySelector('.stPlotlyChart .main-svg').getBoundingClientRect();
  const tick = document.querySelector('.stPlotlyChart g.xtick text');
  return {root: parseFloat(getComputedStyle(document.documentElement).fontSize),
          tick: parseFloat(getComputedStyle(tick).fontSize),
          top: chart.top, bottom: chart.bottom, right: chart.right, mainRight: main.right,
          title: document.querySelector('h1').getBoundingClientRect().top,
          captions: document.querySelectorAll('[data-testid=stMainBlockContainer] [data-testid=stCaptionContainer]')
                    .length ? getComputedStyle(document.querySelector(
                    '[data-testid=stMainBlockContainer] [data-testid=stCaptionContainer]')).display : 'none'};
}"""


def _measure(page, url):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(url)
    wait_idle(page)
    page.locator(".stPlotlyChart g.xtick text").first.wait_for()
    return page.evaluate(MEASURE)


def test_the_activation_figure_fits_a_1024x768_screen_and_presenting_enlarges_it(page, app_url):
    page.set_viewport_size({"width": 1024, "height": 768})
    normal = _measure(page, f"{app_url}/activations")
    assert normal["title"] < 100  # no tall empty band above the page
    assert normal["bottom"] <= 768 and normal["right"] <= normal["mainRight"] + 1, normal
    assert normal["tick"] >= 12 and normal["captions"] != "none"
    page.screenshot(path=str(SHOTS / "activations-1024x768.png"))

    presented = _measure(page, f"{app_url}/activations?present=1&hide=captions")
    assert presented["root"] == pytest.approx(1.25 * normal["root"])
    assert presented["tick"] >= 1.25 * normal["tick"]
    assert presented["right"] <= presented["mainRight"] + 1, presented  # the figure is not cut off
    assert presented["captions"] == "none"
    assert page.get_by_role("switch", name="Presentation mode").is_checked()
    assert_no_exception(page)
    page.screenshot(path=str(SHOTS / "activations-presented-1024x768.png"))


COVERED = """() => {
  const boxes = [...document.querySelectorAll('.modebar-container .modebar-btn')]
    .filter(b => getComputedStyle(b.closest('.modebar')).opacity !== '0')
    .map(b => b.getBoundingClientRect()).filter(r => r.width > 0);
  const texts = [...document.querySelectorAll('.stPlotlyChart text')].filter(t => t.textContent.trim());
  return texts.filter(t => { const r = t.getBoundingClientRect();
    return boxes.some(b => r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom); })
    .map(t => t.textContent);
}"""


@pytest.mark.parametrize("path", ["activations", "losses", "gradient_descent"])
def test_no_chart_toolbar_covers_a_figures_text_under_the_pointer(page, app_url, path):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{app_url}/{path}")
    wait_idle(page)
    chart = page.locator(".stPlotlyChart").first
    chart.locator(".main-svg").first.wait_for()
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 40, box["y"] + 20)  # where the toolbar shows up
    page.wait_for_timeout(800)
    assert page.evaluate(COVERED) == []
