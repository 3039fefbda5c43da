"""The Data page's own settings, each declared once (see `app.settings`): the open view (tab) and each view's
controls, so the page is as the student left it and its link reopens the same view (`/data?tab=...&i=7`). The
settings of a view that is not open stay out of the link."""

from __future__ import annotations

from app.settings import Schema, Setting
from core.datasets.photos import PHOTOS

MAX_INDEX = 69999  # the largest image set's last index; a smaller set's range is set at the widget
CHANNELS = ("red: images[i][:, :, 0]", "green: [:, :, 1]", "blue: [:, :, 2]", "grayscale")
# The views by kind of data, in the order of their tabs: the name of each tab and the settings it shows.
TABS: dict[str, tuple[str, ...]] = {
    "Samples": ("cls", "page"),
    "One image, flattened": ("i", "channel", "scaled", "top", "left"),
    "Scaling": (),
    "Colour channels": ("ci",),
    "Table": (),
    "Features": (),
    "Two features": ("fx", "fy"),
    "Scatter": ("fx", "fy"),
    "Labels, one-hot": (),
    "Train/test split": ("test", "sseed"),
    "Tensors": ("photo",),
}

VIEWS = Schema(
    Setting("tab", "data_tab", "", "View", ("", *TABS)),  # "": the first view of the data's kind
    Setting("cls", "data_class", "all", "Show class", follows=("dataset",)),
    Setting("page", "data_page", 1, "Page", low=1, high=MAX_INDEX, follows=("dataset", "cls")),
    Setting("i", "data_index", 0, "Image index", low=0, high=MAX_INDEX, follows=("dataset",)),
    Setting("channel", "data_rgb", 0, "Channel", tuple(range(len(CHANNELS))), format=CHANNELS.__getitem__),
    Setting(
        "scaled",
        "data_scaled",
        False,
        "After dividing by 255",
        help="What the network is given: the same numbers, between 0 and 1.",
    ),
    # The numbered window of an image larger than VALUES_SHOWN a side: its first row and column (MNIST's centre).
    Setting("top", "data_values_top", 7, "First row with numbers", low=0, high=MAX_INDEX, follows=("dataset",)),
    Setting("left", "data_values_left", 7, "First column with numbers", low=0, high=MAX_INDEX, follows=("dataset",)),
    Setting("ci", "data_colour_index", 0, "Image index", low=0, high=MAX_INDEX, follows=("dataset",)),
    Setting("fx", "data_fx", "", "x axis", follows=("dataset",)),  # "": the data's first feature
    Setting("fy", "data_fy", "", "y axis", follows=("dataset",)),  # "": its second
    Setting("test", "data_test_fraction", 0.2, "Test fraction", low=0.05, high=0.5, step=0.05),
    Setting("sseed", "data_split_seed", 0, "Split seed", low=0, high=9999),
    Setting("photo", "data_photo", PHOTOS[0], "Photo", PHOTOS),
)


def view_skips(tab: str) -> set[str]:
    """The views' settings a link leaves out: those of the views that are not open."""
    return {name for name in VIEWS.settings if name != "tab" and name not in TABS.get(tab, ())}
