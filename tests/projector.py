"""What a 1024x768 projector shows, measured in the browser: text cut short (a selectbox's choice too, the page's
title under Streamlit's header bar), tabs or tables scrolled out of view, anything sideways, figure text too small
when presented, overlapping labels (`MEASURE`, a script for `page.evaluate(MEASURE, selector)`), and the sidebar
closed as a teacher closes it."""

from __future__ import annotations

WIDTH, HEIGHT = 1024, 768
MIN_PRESENTED_PX = 14  # any text in a figure while presenting

MEASURE = """(selector) => {
  const titleUnderHeader = () => {  // the page's title, its letters' line, under Streamlit's header bar
    const h1 = document.querySelector('[data-testid=stMainBlockContainer] h1');
    const header = document.querySelector('[data-testid=stHeader]');
    if (!h1 || !header || !h1.textContent.trim() || h1.getBoundingClientRect().top < 0) return [];  // scrolled down
    const range = document.createRange(); range.selectNodeContents(h1);
    const top = range.getBoundingClientRect().top, bottom = header.getBoundingClientRect().bottom;
    const slack = 0.1 * parseFloat(getComputedStyle(h1).fontSize);  // the line's box rises above its capitals
    if (top >= bottom - slack) return [];
    return [`title under the header: "${h1.textContent}" from ${top} px, header to ${bottom} px`];
  };
  const main = document.querySelector('[data-testid=stMainBlockContainer]').getBoundingClientRect();
  const first = document.querySelector(selector).getBoundingClientRect();
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const texts = Array.from(document.querySelectorAll('.stPlotlyChart text')).filter(visible);
  const drawn = (t) => { const m = t.getScreenCTM();  // the size as drawn: plotly scales some text to fit a bar
    return parseFloat(getComputedStyle(t).fontSize) * (m ? Math.hypot(m.a, m.b) : 1); };
  const sizes = texts.filter(t => t.textContent.trim()).map(drawn);
  const boxes = (sel) => Array.from(document.querySelectorAll(sel)).filter(visible)
      .map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, e.textContent]; });
  const overlaps = [];
  for (const sel of ['.stPlotlyChart g.annotation text', '.stPlotlyChart .gtitle', '[data-testid=stImageCaption]',
                     '.stPlotlyChart g.heatmap-label text', '.stPlotlyChart g.textpoint text',
                     '.stPlotlyChart :is(text.legendtext, text[class$=title], g.annotation text)']) {
    const b = boxes(sel);
    for (let i = 0; i < b.length; i++) for (let j = i + 1; j < b.length; j++) {
      const [p, q] = [b[i], b[j]];
      const w = Math.min(p[2], q[2]) - Math.max(p[0], q[0]), h = Math.min(p[3], q[3]) - Math.max(p[1], q[1]);
      if (w > 1 && h > 1) overlaps.push([p[4], q[4]]);
    }
  }
  const tiles = Array.from(document.querySelectorAll('[data-testid=stImage] img')).filter(visible)
      .map(i => i.getBoundingClientRect().width);
  const cut = Array.from(document.querySelectorAll('[data-testid=stMainBlockContainer] *, [data-testid=stSidebarNav] *'))
      .filter(e => getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1)
      .filter(e => e.getBoundingClientRect().right > 0)  // not in a collapsed sidebar
      .map(e => e.textContent)                          // labels that end in "..." (buttons, page links)
      .concat(Array.from(document.querySelectorAll('[data-testid=stSelectbox] input'))
      .filter(e => e.getBoundingClientRect().right > 0 && e.scrollWidth > e.clientWidth + 1)
      .map(e => 'choice cut: ' + e.value))              // a choice wider than its box, main page or sidebar
      .concat(Array.from(document.querySelectorAll('[data-testid=stMainBlockContainer] [role=tablist]'))
      .filter(l => l.scrollWidth > l.clientWidth + 1)   // tabs scrolled out of view ("L›")
      .map(l => 'tabs: ' + Array.from(l.querySelectorAll('[role=tab]')).map(t => t.textContent).join(' | ')))
      .concat(Array.from(document.querySelectorAll('[data-testid=stMainBlockContainer] [data-testid=stDataFrame]'))
      .filter(t => !t.closest('[class*="st-key-browse"]')).filter(visible)
      .map(t => t.querySelector('.dvn-scroller')).filter(s => s && (s.scrollHeight > s.clientHeight + 1
                                                                  || s.scrollWidth > s.clientWidth + 1))
      .map(s => `table scrolls: ${s.scrollWidth}x${s.scrollHeight} in ${s.clientWidth}x${s.clientHeight}`))
      .concat(titleUnderHeader());
  return {title: document.querySelector('h1')?.getBoundingClientRect().top, mainRight: main.right, cut,
          firstTop: first.top, firstRight: first.right, scrollWidth: document.documentElement.scrollWidth,
          smallest: sizes.length ? Math.min(...sizes) : null, overlaps, tiles};
}"""


def close_sidebar(page) -> None:
    page.get_by_test_id("stSidebar").hover()
    page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
    page.get_by_test_id("stExpandSidebarButton").wait_for()
    page.wait_for_timeout(500)  # the main column widens; plotly redraws


def assert_presented_readable(m: dict, where: str) -> None:
    assert not m["cut"], (where, m["cut"])
    assert m["scrollWidth"] <= WIDTH and m["firstRight"] <= m["mainRight"] + 1, (where, m)
    assert m["smallest"] is None or m["smallest"] >= MIN_PRESENTED_PX, (where, m["smallest"])
    assert not m["overlaps"], (where, m["overlaps"])
