"""The "What the network learned" page's settings, each declared once (see `app.settings`): the open view and how
the hidden space is laid out, so the page is as the student left it and its link opens the same view. The trained
model, its layer and the sample explained are the session's, not the link's."""

from __future__ import annotations

from app.settings import Schema, Setting

HIDDEN_TAB, WHY_TAB = "Hidden space", "Why this prediction"
METHODS = ("PCA", "t-SNE")
SAMPLES = (200, 500, 1000, 2000)  # core.projection.MAX_SAMPLES at most
EXPLAINERS = ("Saliency", "Occlusion", "Grad-CAM")

LEARNED = Schema(
    Setting("tab", "learned_tab", HIDDEN_TAB, "View", (HIDDEN_TAB, WHY_TAB)),
    Setting(
        "method",
        "learned_method",
        "PCA",
        "Projection",
        METHODS,
        help=(
            "PCA: the two directions in which the layer's values vary most, fitted once on the last epoch so "
            "every epoch is drawn on the same axes. t-SNE: a layout that keeps each sample's nearest neighbours "
            "near; computed for each epoch (a few seconds), its axes mean nothing."
        ),
    ),
    Setting(
        "n",
        "learned_samples",
        1000,
        "Samples",
        SAMPLES,
        help="Test samples laid out: the first ones, at most the test set.",
    ),
    Setting(
        "sanity",
        "learned_sanity",
        True,
        "Sanity check: the same maps for the network with its weights re-initialised",
        help=(
            "Adebayo et al. (2018): a map that looks the same for a network that learned nothing explains "
            "nothing. The weights are drawn as Keras first draws them (Glorot uniform, biases 0)."
        ),
    ),
)


def link_skips() -> set[str]:
    """The hidden space's settings when the other view is open, and the other way round."""
    v = LEARNED.values()
    return {"sanity"} if v["tab"] == HIDDEN_TAB else {"method", "n"}
