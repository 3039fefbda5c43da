"""Session and URL state: a lesson is a link.

Widgets read their starting value from the URL (`?dataset=iris`) and write it back when it changes,
using plain option names (not display labels) so links stay short and stable. A value the app does not
know falls back to the default with a warning, and the app keeps running.
"""

from __future__ import annotations

from typing import Sequence

import streamlit as st


def url_index(param: str, options: Sequence[str], default: str) -> int:
    """Index into `options` of the value in `?param=...`, else of `default` (warning on an unknown value)."""
    value = st.query_params.get(param)
    if value is not None and value not in options:
        st.warning(f"The link asks for {param}={value!r}, which NN Lab does not know; showing {default!r} instead.",
                   icon=":material/link_off:")
        value = None
    return list(options).index(value if value is not None else default)


def sync_url(param: str, value: str, default: str) -> None:
    """Put `value` in the URL, or remove the parameter when it equals the default (clean links)."""
    if value == default:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != value:
        st.query_params[param] = value
