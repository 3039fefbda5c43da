"""The page registry: one entry per page, used by `main.py` for navigation and by the landing page's
lesson map, so a page's title and lesson are written once; and each page's `st.Page`, made once a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
ST_PAGES_KEY = "nnlab_st_pages"  # session state: file -> its st.Page


@dataclass(frozen=True)
class PageInfo:
    file: str  # in pages/
    title: str
    icon: str  # a Material Symbols name
    section: str
    lesson: str  # one line: what the page teaches

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.file


HOME = PageInfo("home.py", "Lesson map", "map", "", "Where to start, and what data this machine has.")

PAGES: tuple[PageInfo, ...] = (
    PageInfo(
        "data.py",
        "Data",
        "dataset",
        "Data",
        "Inspect images and tables: shapes, classes, pixels, flattening, scaling, the train/test split.",
    ),
    PageInfo(
        "training.py",
        "Training",
        "model_training",
        "Networks",
        "Build an MLP with sliders (scikit-learn or Keras), watch it learn live, and read the results.",
    ),
    PageInfo(
        "cnn.py",
        "CNN lab",
        "grid_on",
        "Networks",
        "Build a convnet with sliders, train it live on images, and see every filter, feature map and "
        "convolution with its real numbers; preview data augmentation.",
    ),
    PageInfo(
        "weights.py",
        "Weights and parameters",
        "hub",
        "Networks",
        "Look inside a trained network: weight histograms, kernels, first-layer units as images, conv "
        "kernels, one parameter over training, and counting parameters by hand.",
    ),
    PageInfo(
        "learned.py",
        "What the network learned",
        "psychology",
        "Networks",
        "How each layer arranges the samples (PCA, t-SNE), the nearest samples in a layer, and which pixels a "
        "prediction rests on (saliency, occlusion, Grad-CAM) with a sanity check.",
    ),
    PageInfo(
        "activations.py",
        "Activation functions",
        "show_chart",
        "Maths of learning",
        "Sigmoid to GELU with their derivatives: saturation, dead units, and where each is used.",
    ),
    PageInfo(
        "losses.py",
        "Loss functions",
        "target",
        "Maths of learning",
        "MSE, MAE, Huber, cross-entropy, hinge, KL: how each punishes a wrong prediction, and its gradient.",
    ),
    PageInfo(
        "backprop.py",
        "Backpropagation",
        "account_tree",
        "Maths of learning",
        "A tiny network, step by step: forward pass, loss, backward pass, one gradient-descent update.",
    ),
    PageInfo(
        "gradient_descent.py",
        "Gradient descent",
        "trending_down",
        "Maths of learning",
        "Batch, mini-batch and stochastic updates; SGD, momentum, RMSprop and Adam on loss surfaces.",
    ),
    PageInfo(
        "results.py",
        "Class results",
        "groups",
        "Class",
        "Every run the class finishes, live: parameters against score, settings against score, the best runs, "
        "the class's predictions against its results; try any run yourself.",
    ),
    PageInfo(
        "teacher.py",
        "Teacher",
        "school",
        "Class",
        "The class server at a glance: who is here, the training queue, CPU and memory; cancel any training "
        "(needs the teacher token).",
    ),
)


def sections() -> dict[str, list[PageInfo]]:
    """Pages grouped by section, in registry order (the landing page first)."""
    grouped: dict[str, list[PageInfo]] = {HOME.section: [HOME]}
    for page in PAGES:
        grouped.setdefault(page.section, []).append(page)
    return grouped


def st_pages() -> dict[str, list]:
    """The navigation's `st.Page`s by section, made once a session: an `st.Page` resolves its file's path as it
    is made (2% of every page run's CPU on a class server, py-spy), and `st.page_link` given a path resolves it
    again and looks through every page (a tenth of the lesson map's run); given the `st.Page` (`link`), it does
    neither."""
    made = st.session_state.get(ST_PAGES_KEY)
    if made is None:
        made = {
            page.file: st.Page(page.path, title=page.title, icon=f":material/{page.icon}:", default=page is HOME)
            for page in (HOME, *PAGES)
        }
        st.session_state[ST_PAGES_KEY] = made
    return {section: [made[page.file] for page in pages] for section, pages in sections().items()}


def link(file: str):
    """What `st.page_link` takes for the page in `file` (e.g. "weights.py"): its `st.Page` of this session."""
    return st.session_state[ST_PAGES_KEY][file]
