"""Opening a TensorFlow Playground link on the Training page: `/training?playground=<its address, url-encoded>`,
or an address pasted into the sidebar's box. The lesson (`core.playground.read_playground_link`) becomes the
Training page's own link, applied as a link opened afresh, and what NN Lab cannot honour is said in one warning."""

from __future__ import annotations

import streamlit as st

from app.messages import plain
from app.training.schema import URL_LOADED
from core.errors import NNLabError
from core.playground import PlaygroundLesson, lesson_experiment, read_playground_link

PARAM = "playground"
NOTE = "train_playground_note"  # session: ("warning" | "error", text) to show once
PASTED = "train_playground_paste"


def lesson_link(lesson: PlaygroundLesson) -> dict[str, str]:
    """The Training page's link for the lesson, as `core.playground.lesson_experiment` trains it."""
    exp = lesson_experiment(lesson)
    c, layers, options = exp.config, exp.spec.hidden_layers, exp.data_options
    return {
        "dataset": exp.dataset,
        "points": str(options["n_samples"]),
        "noise": f"{options['noise']:g}",
        "dseed": str(options["seed"]),
        "n": str(options["n_samples"]),
        "test": f"{exp.test_fraction:g}",
        "seed": str(c.seed),
        "strat": "1" if exp.stratify else "0",
        "scale_y": "1",
        "features": ",".join(exp.features),
        "xscale": "1" if exp.scale_inputs else "0",
        "showtest": "1" if lesson.show_test else "0",
        "discrete": "1" if lesson.discretize else "0",
        "backend": exp.backend,
        "depth": str(len(layers)),  # deeper than the page offers: its warning for rejected values says so
        **{f"w{i + 1}": str(n) for i, n in enumerate(layers)},
        "act": exp.spec.activation,
        "drop": "0",
        "init": exp.spec.init,
        "out": exp.spec.output,
        "opt": c.optimizer,
        "lr": f"{c.learning_rate:g}",
        "bs": str(c.batch_size),
        "epochs": str(c.epochs),
        "l1": f"{c.l1:g}",
        "l2": f"{c.l2:g}",
        "val": "0",
        "shuffle": "0",
    }


def _open(address: str) -> None:
    """Make the lesson at `address` the page's link, read afresh on this run; the note for `show_note`."""
    try:
        lesson = read_playground_link(address)
    except NNLabError as exc:
        st.session_state[NOTE] = ("error", str(exc))
        return
    st.query_params.from_dict(lesson_link(lesson))
    st.session_state.pop(URL_LOADED, None)  # the page reads its link as a fresh session does
    text = "Opened the TensorFlow Playground lesson."
    if lesson.unhonoured:
        text += " What NN Lab does differently: " + "; ".join(lesson.unhonoured) + "."
    st.session_state[NOTE] = ("warning", text)


def open_from_link() -> None:
    """Before the page loads its settings: a `playground=` link becomes the lesson it names."""
    address = st.query_params.get(PARAM)
    if address is not None:
        _open(address)


def _pasted() -> None:
    address = st.session_state.get(PASTED, "").strip()
    st.session_state[PASTED] = ""
    if address:
        _open(address)


def paste_box() -> None:
    """A box for a Playground address in the sidebar."""
    st.text_input(
        "Open a TensorFlow Playground link",
        key=PASTED,
        max_chars=2000,
        placeholder="playground.tensorflow.org/#…",  # whole in the sidebar at 1024 px, presented too
        on_change=_pasted,
        help="Paste the address of a Playground lesson: its data, features, network and training open here.",
    )


def show_note() -> None:
    """The opened lesson's one warning (what NN Lab does differently), or why the address could not be read."""
    note = st.session_state.pop(NOTE, None)
    if note is not None:
        kind, text = note
        (st.error if kind == "error" else st.warning)(plain(text), icon=":material/open_in_new:")
