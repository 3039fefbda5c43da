"""The lesson map: what each page teaches, and which data this machine can show right now."""

import streamlit as st

from app.navigation import PAGES
from core.datasets import dataset_info, is_available, list_datasets

st.title("NN Lab")
st.markdown("Explore neural networks without writing code: every page is a lesson with sliders. "
            "Start with the data, then follow the map.")

st.subheader("Lesson map")
for page in PAGES:
    with st.container(border=True):
        left, right = st.columns([1, 3], vertical_alignment="center")
        left.page_link(str(page.path), label=page.title, icon=f":material/{page.icon}:")
        right.markdown(f"{page.lesson}  \n:gray[{page.section}]")

KINDS = {"image": "images", "tabular": "table", "toy2d": "2-D points"}
st.subheader("Data on this machine")
rows = []
for name in list_datasets():
    info = dataset_info(name)
    ready = info.bundled or is_available(name)
    rows.append({"dataset": info.title, "what": info.summary, "kind": KINDS[info.kind],
                 "offline now": "yes" if ready else "no (README: adding files)"})
st.dataframe(rows, hide_index=True, width="stretch", height=35 * (len(rows) + 1) + 3)
