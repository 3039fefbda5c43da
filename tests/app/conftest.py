"""AppTest fixtures: the app as Streamlit runs it, with caches cleared between tests."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


@pytest.fixture
def app():
    """A fresh app session, not yet run. `app.switch_page("../pages/x.py")` opens a page."""
    st.cache_data.clear()
    st.cache_resource.clear()
    return AppTest.from_file(MAIN, default_timeout=60)
