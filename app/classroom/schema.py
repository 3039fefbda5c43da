"""The Class results page's settings, each declared once (see `app.settings`): its filters and colouring, so the
page is as the student left it and its link shows the teacher's board the same way. The lessons and datasets
offered are the database's (`offer` before the widget)."""

from __future__ import annotations

from app.settings import Schema, Setting

EVERY = "all"  # the filter's "every lesson", "every dataset"
SINCE = {"all": None, "hour": 3600, "10min": 600}  # seconds back (None: every run kept)
SINCE_NAMES = {"all": "every run", "hour": "the last hour", "10min": "the last 10 minutes"}
COLOURS = {"dataset": "Dataset", "kind": "Network (MLP, CNN)"}

RESULTS = Schema(
    Setting("lesson", "results_lesson", EVERY, "Lesson", help="The lesson the teacher named when the runs were made."),
    Setting("data", "results_dataset", EVERY, "Dataset"),
    Setting("since", "results_since", "all", "Since", tuple(SINCE), format=SINCE_NAMES.get),
    Setting("colour", "results_colour", "dataset", "Colour by", tuple(COLOURS), format=COLOURS.get),
)
