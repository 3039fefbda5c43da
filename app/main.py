"""NN Lab entry point: `streamlit run app/main.py`. Page config and navigation; nothing else."""

import streamlit as st

from app.navigation import HOME, sections

st.set_page_config(page_title="NN Lab", page_icon=":material/neurology:", layout="wide")

navigation = st.navigation(
    {
        section: [
            st.Page(page.path, title=page.title, icon=f":material/{page.icon}:", default=page is HOME)
            for page in pages
        ]
        for section, pages in sections().items()
    }
)
navigation.run()
