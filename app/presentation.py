"""The page's frame on a projector: less empty space above the content, and a presentation switch that enlarges
text and figures and hides what the teacher chose (as TensorFlow Playground's classroom links do). The switch and
the choice are in the link (`?present=1&hide=captions,settings`), so a lesson can open presented; they stay on
from page to page for the session.
"""

from __future__ import annotations

import streamlit as st

PRESENT, HIDE = "present", "hide"                      # link names
PRESENT_KEY, HIDE_KEY, LOADED_KEY = "nnlab_present", "nnlab_present_hide", "nnlab_present_loaded"
BOX = "nnlab_presentation"                             # the sidebar container with the switch (never hidden)
SCALE = 1.25                                           # text and figures' text, against the usual sizes
HIDEABLE = {
    "settings": "the page's settings in the sidebar",
    "captions": "explanations in small print",
    "toolbar": "Streamlit's menu and the chart toolbars",
}

FRAME_CSS = """
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
[data-testid="stMainBlockContainer"] [data-testid="stPageLink-NavLink"] :is(span, div, p) { white-space: normal; }
"""                    # a page link's label wraps in a narrow column instead of ending in "..." at 1024 px
# Not CSS zoom: Plotly measures its box zoomed and draws into it zoomed again (the right panel was cut off).
# Streamlit's text is in rem, so a larger root font enlarges it. Plotly's axis labels, axis titles and legends get
# fixed larger sizes (its automatic margins, measured in the browser, make room); numbers written inside figures
# (pixel values, weights) keep theirs, sized to their cells.
PRESENT_CSS = f"""
html {{ font-size: {16 * SCALE:g}px; }}
.stPlotlyChart :is(.xtick, .ytick) text {{ font-size: 16px !important; }}
.stPlotlyChart :is(.xtitle, .ytitle, .x2title, .y2title, .legendtext, .gtitle) {{ font-size: 18px !important; }}
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
[data-testid="stToolbar"], [data-testid="stElementToolbar"], .modebar-container { display: none !important; }
""",
}


def load_from_link() -> None:
    """Once a session: the switch and the hidden parts from the link (unknown parts are ignored)."""
    if st.session_state.get(LOADED_KEY):
        return
    st.session_state[LOADED_KEY] = True
    st.session_state[PRESENT_KEY] = st.query_params.get(PRESENT) == "1"
    hidden = st.query_params.get(HIDE, "")
    st.session_state[HIDE_KEY] = [part for part in hidden.split(",") if part in HIDEABLE]


def controls() -> None:
    """The switch, in the sidebar under the pages."""
    with st.sidebar.container(key=BOX):
        on = st.toggle("Presentation mode", key=PRESENT_KEY, help=f"Text and figures' labels {SCALE:g}x larger for a "
                       "projector; the link keeps it, so a lesson can open this way.")
        if on:
            st.multiselect("Hide while presenting", list(HIDEABLE), key=HIDE_KEY, format_func=HIDEABLE.get,
                           placeholder="nothing hidden")


def sync_link() -> None:
    """The link says whether the page is presented and what is hidden (other pages' settings are left alone)."""
    hidden = ",".join(st.session_state.get(HIDE_KEY, []))
    for name, value in ((PRESENT, "1" if st.session_state.get(PRESENT_KEY) else ""),
                        (HIDE, hidden if st.session_state.get(PRESENT_KEY) else "")):
        if value and st.query_params.get(name) != value:
            st.query_params[name] = value
        elif not value and name in st.query_params:
            del st.query_params[name]


def frame() -> None:
    """Every page: the switch, the link, and the CSS of the frame (and of presenting, when on)."""
    load_from_link()
    controls()
    sync_link()
    css = FRAME_CSS
    if st.session_state.get(PRESENT_KEY):
        css += PRESENT_CSS + "".join(HIDE_CSS[part] for part in st.session_state.get(HIDE_KEY, []))
    st.html(f"<style>{css}</style>")
