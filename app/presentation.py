"""The page's frame on a projector: less empty space above the content, and a presentation switch that enlarges
text and figures and hides what the teacher chose (as TensorFlow Playground's classroom links do). The switch and
the choice are in the link (`?present=1&hide=captions,settings`), so a lesson can open presented; they stay on
from page to page for the session.
"""

from __future__ import annotations

import streamlit as st

from app import settings as w
from app.settings import Schema, Setting, warn_rejected

PRESENT, HIDE = "present", "hide"  # link names
PRESENT_KEY, HIDE_KEY, LOADED_KEY = "nnlab_present", "nnlab_present_hide", "nnlab_present_loaded"
BOX = "nnlab_presentation"  # the sidebar container with the switch (never hidden)
SCALE = 1.25  # text and figures' text, against the usual sizes
HIDEABLE = {
    "settings": "the page's settings in the sidebar",
    "captions": "explanations in small print",
    "toolbar": "Streamlit's menu and the element toolbars",
}

# 2 rem at the sides, not Streamlit's 5 (6.25 presented): at 1024 px with the sidebar open the page had 524 px.
# A page link's label wraps in a narrow column instead of ending in "..." at 1024 px, in the page and in the
# sidebar's list of pages ("Weights and paramet..." presented); so do tabs (no tab scrolled out of view behind an
# arrow, as "L›" was). Plotly's toolbar is not drawn: it covered figure titles and axis
# labels under the pointer (dragging still zooms, a double click resets, Streamlit's element toolbar keeps full
# screen).
FRAME_CSS = """
[data-testid="stMainBlockContainer"] { padding: 2.5rem 2rem 4rem; }
[data-testid="stMainBlockContainer"] [data-testid="stPageLink-NavLink"] :is(span, div, p) { white-space: normal; }
[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"] :is(span, div, p) { white-space: normal; }
.stPlotlyChart .modebar-container { display: none !important; }
[data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; row-gap: 0.25rem; }
"""
# Not CSS zoom: Plotly measures its box zoomed and draws into it zoomed again (the right panel was cut off).
# Streamlit's text is in rem, so a larger root font enlarges it; the page's title less so (45 px, not 55), and the
# space above it shrinks: the Data page's sample images start on the first screen. Streamlit's header bar (its
# menu, the sidebar's button) is in rem too: at 75 px it covered the title's upper half; it keeps its 60 px.
# Plotly's axis labels and titles get fixed larger sizes, on every panel and colour bar (its automatic margins,
# measured in the browser, make room); legends (`style.LEGEND_BELOW`) and text written inside figures (pixel
# values, weights, tiles' titles) keep their sizes, `style.SMALL_TEXT` or more, which layouts give room to.
PRESENT_CSS = f"""
html {{ font-size: {16 * SCALE:g}px; }}
[data-testid="stHeader"], [data-testid="stToolbar"] {{ height: 3rem; min-height: 3rem; }}
[data-testid="stMainBlockContainer"] {{ padding-top: 2rem; }}
[data-testid="stMainBlockContainer"] h1 {{ font-size: 2.25rem; padding-top: 1rem; }}
.stPlotlyChart g[class*="tick"] > text {{ font-size: 16px !important; }}
.stPlotlyChart text[class$="title"] {{ font-size: 18px !important; }}
"""
HIDE_CSS = {
    "settings": """
[data-testid="stSidebarUserContent"] [data-testid="stElementContainer"]:not(.st-key-{box} *),
[data-testid="stSidebarUserContent"] [data-testid="stExpander"]:not(.st-key-{box} *) {{ display: none; }}
""".format(box=BOX),
    "captions": """
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] { display: none; }
""",
    "toolbar": """
[data-testid="stToolbar"], [data-testid="stElementToolbar"] { display: none !important; }
""",
}


SCHEMA = Schema(
    Setting(
        PRESENT,
        PRESENT_KEY,
        False,
        "Presentation mode",
        help=f"Text and figures' labels {SCALE:g}x larger for a projector; the link keeps it, so a lesson can "
        "open this way.",
    ),
    Setting(HIDE, HIDE_KEY, (), "Hide while presenting", tuple(HIDEABLE), format=HIDEABLE.get),
    frame=True,
)


def load_from_link() -> None:
    """The switch and the hidden parts: from the link once a session (parts NN Lab does not know are dropped
    without a word), then as the student left them."""
    if not st.session_state.get(LOADED_KEY) and HIDE in st.query_params:
        st.query_params[HIDE] = ",".join(p for p in st.query_params[HIDE].split(",") if p in HIDEABLE)
    warn_rejected(SCHEMA.load(LOADED_KEY))


def controls() -> None:
    """The switch, in the sidebar under the pages."""
    with st.sidebar.container(key=BOX):
        if w.toggle(SCHEMA[PRESENT]):
            w.multiselect(SCHEMA[HIDE], placeholder="nothing hidden")


def sync_link() -> None:
    """The link says whether the page is presented and what is hidden; nothing when it is not presented (other
    pages' settings are left alone)."""
    SCHEMA.sync(skip=() if st.session_state.get(PRESENT_KEY) else (PRESENT, HIDE))


def frame() -> None:
    """Every page: the switch, the link, and the CSS of the frame (and of presenting, when on)."""
    load_from_link()
    controls()
    sync_link()
    css = FRAME_CSS
    if st.session_state.get(PRESENT_KEY):
        css += PRESENT_CSS + "".join(HIDE_CSS[part] for part in st.session_state.get(HIDE_KEY, []))
    st.html(f"<style>{css}</style>")
