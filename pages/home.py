"""The lesson map: what each page teaches, and which data this machine can show right now."""

import streamlit as st

from app.navigation import PAGES, link
from core.datasets import dataset_info, is_available, list_datasets

st.title("NN Lab")
st.markdown(
    "Explore neural networks without writing code: every page is a lesson with sliders. "
    "Start with the data, then follow the map."
)

st.subheader("Lesson map")
for page in PAGES:
    with st.container(border=True):
        left, right = st.columns([1, 3], vertical_alignment="center")
        left.page_link(link(page.file))
        right.markdown(f"{page.lesson}  \n:gray[{page.section}]")

KINDS = {"image": "images", "tabular": "table", "toy2d": "2-D points"}
st.subheader("Data on this machine")
# A Markdown table, not st.dataframe: that one imports pandas and pyarrow, 1.5 s of a new server's first page.
rows = ["| Dataset | What | Kind | Offline now |", "| --- | --- | --- | --- |"]
for name in list_datasets():
    info = dataset_info(name)
    ready = info.bundled or is_available(name)
    rows.append(
        f"| {info.title} | {info.summary} | {KINDS[info.kind]} | "
        f"{'yes' if ready else 'no (see the README: adding files)'} |"
    )
st.markdown("\n".join(rows))
