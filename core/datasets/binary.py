"""Two classes made from many, as the lessons' binary classifiers do (digits: even vs odd, or one digit vs the
rest): the same inputs, labels 0/1, trained with ONE sigmoid output unit.

Rules: "even" (even vs odd as the lessons code it, `y % 2`: class numbers read as integers, odd 1, even 0) or "class:<k>" (class code k is 1, the rest 0).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from core.datasets.base import Dataset
from core.errors import InvalidSpecError

EVEN = "even"
BINARY = "binary"  # the load_dataset option: load_dataset("digits", binary="even")


def binary_rules(ds: Dataset) -> dict[str, str]:
    """{rule: how a page names it} for a classification set of more than two classes; {} otherwise."""
    if ds.task != "classification" or ds.n_classes <= 2:
        return {}
    rules = {}
    if all(name.isdigit() for name in ds.class_names):
        rules[EVEN] = "even vs odd"
    rules.update({f"class:{k}": f"{name} vs the rest" for k, name in enumerate(ds.class_names)})
    return rules


def positive_classes(ds: Dataset, rule: str) -> np.ndarray:
    """(n_classes,) bool: which original classes become class 1."""
    if rule not in binary_rules(ds):
        raise InvalidSpecError(
            f"{ds.title or ds.name} cannot be made binary by {rule!r}; choose one of: "
            f"{', '.join(binary_rules(ds)) or 'none (it has two classes already)'}."
        )
    if rule == EVEN:
        return np.array([int(name) % 2 == 1 for name in ds.class_names])  # the lessons' y % 2: odd is 1
    return np.arange(ds.n_classes) == int(rule.split(":", 1)[1])


def make_binary(ds: Dataset, rule: str) -> Dataset:
    """The dataset with labels 1 for the rule's classes and 0 for the others."""
    positive = positive_classes(ds, rule)
    y = positive[ds.y].astype(np.int64)
    y.setflags(write=False)
    names = (
        ("even", "odd")
        if rule == EVEN
        else (f"not {ds.class_names[int(np.argmax(positive))]}", ds.class_names[int(np.argmax(positive))])
    )
    return replace(
        ds,
        y=y,
        class_names=names,
        title=f"{ds.title or ds.name}: {names[1]} vs {names[0]}"
        if rule != EVEN
        else f"{ds.title or ds.name}: even vs odd",
    )


def script_line(rule: str) -> str:
    """The same relabelling in an exported script."""
    if rule == EVEN:
        return "y = (y % 2).astype(np.int64)            # two classes as the lesson codes them: odd (1) vs even (0), ONE sigmoid unit"
    k = int(rule.split(":", 1)[1])
    return f"y = (y == {k}).astype(np.int64)          # two classes: class {k} (1) vs the rest (0), ONE sigmoid unit"
