"""TensorFlow Playground's Play, Step and Reset on the Training page (its Pause is the live training's Stop).

Play trains the page's network on until paused (or until the server's time limit, or `MAX_EPOCHS` in all); Step
trains one epoch more; each goes on from the page's last run when its network and data are the sliders' (the
learning rate, batch size and penalties may change between parts, as in the Playground) and starts afresh
otherwise. Reset forgets that run, so the next Play starts from the seed's first weights again. Each part is one
job on the class server: a paused run holds no worker."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from app.jobs import start_training
from app.runs import bring_into_view
from app.session import set_page_run, training_run
from core.experiment import Experiment, PreparedData, same_network_and_data
from core.runs import Run
from core.spec import MAX_EPOCHS


def going_on(exp: Experiment) -> Run | None:
    """The page's finished run that Play and Step go on from, if its network and data are `exp`'s."""
    run = training_run()
    if run is None or not run.finished or run.model is None or run.status == "diverged":
        return None
    return run if same_network_and_data(run.exp, exp) else None


def _reset() -> None:
    set_page_run("training", None)


def play_controls(exp: Experiment, data: PreparedData, enabled: bool, live, live_key: str) -> None:
    """Play, Step, Reset and the epoch counter, in one row; a click queues the part as a job."""
    before = going_on(exp)
    done = before.last_epoch if before is not None else 0
    row = st.container(horizontal=True, vertical_alignment="center")
    left = MAX_EPOCHS - done
    play = row.button(
        "Play",
        icon=":material/play_circle:",
        key="train_play",
        disabled=not enabled or left < 1,
        help="Train on until you press Pause (the server's time limit pauses it too): as TensorFlow Playground.",
    )
    step = row.button(
        "Step", icon=":material/skip_next:", key="train_step", disabled=not enabled or left < 1, help="One epoch."
    )
    row.button(
        "Reset",
        icon=":material/restart_alt:",
        key="train_reset",
        disabled=before is None,
        on_click=_reset,
        help="Forget the weights: the next Play or Step starts from the seed's first weights again.",
    )
    row.markdown(f"**Epoch {done:,}**")
    if play or step:
        part = replace(exp, config=replace(exp.config, epochs=left if play else 1))
        start_training([(part, "training")], data, boundary=True, goes_on=before, playing=play)
        bring_into_view(live, live_key)
