"""Every bound on what goes into the class database, and the checks that hold text to them.

Students and the teacher type display names, questions, choices and answers, and pages send links and
settings; all of it reaches one table the whole class reads. Each bound is named with what it protects.

The rule for text that is too long:
- a display name is cut to `MAX_NAME` characters (surrounding spaces stripped). A name arrives with a finished
  run or an answer, when nobody is typing: refusing it would lose the run. The page's text box should say the
  limit (`st.text_input(max_chars=MAX_NAME)`), so the cut only ever meets a name that bypassed the page;
- everything else over its bound is refused with an `InvalidSpecError` that says the limit and what was received:
  a link, a question, a choice or the settings cut short would say something else (a link that reproduces
  another run, a question without its end, JSON that no longer parses).

Text is stored verbatim: HTML, markdown, right-to-left marks and emoji go in and come out as typed. Showing it
safely is the page's job (`app.messages.plain`). Only what no database can hold is refused: a NUL character
(PostgreSQL's text has none) and lone surrogates (not UTF-8); a name drops them instead.
"""

from __future__ import annotations

import json
import math
import numbers
from datetime import datetime, timezone

from core.errors import InvalidSpecError

MAX_NAME = 40  # characters of a display name: one column of the class table on a projector
MAX_QUESTION = 500  # characters of a question: a few sentences a class reads before it answers
MAX_CHOICE = 80  # characters of one choice of a question: one line of a radio button
MAX_CHOICES = 8  # choices of one question: what a class can weigh at a glance (and the chart of answers shows)
MAX_LINK = 2_000  # characters of a page link: what every browser keeps in its address bar
MAX_SETTINGS_BYTES = 4_096  # bytes of a run's settings as JSON: a page's settings are a few hundred
MAX_LESSON = 80  # characters of a lesson's name: a filter in the teacher's table
MAX_LABEL = 100  # characters of a dataset's name, a network's layers ("conv 32-64"), a backend
MAX_OWNER = 100  # characters of a session token: opaque, but a bound keeps one from filling the table
MAX_NUMBER = 1e15  # magnitude of a number answer: any prediction a lesson asks for, and still exact in a float


def _refused(what: str, expected: str, received: str, fix: str) -> InvalidSpecError:
    return InvalidSpecError(f"{what} {expected}, received {received}. {fix}".strip())


def storable(text: object, what: str) -> str:
    """`text` itself when the database can hold it: a str without NUL characters or lone surrogates."""
    if not isinstance(text, str):
        raise _refused(what, "must be text", type(text).__name__, "Pass a str.")
    if "\x00" in text:
        raise _refused(what, "cannot hold a NUL character", "one", "Remove it and try again.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _refused(what, "must be valid Unicode", "a lone surrogate", "Type the text again.") from exc
    return text


def bounded(text: object, limit: int, what: str, *, required: bool = False) -> str:
    """`text` verbatim, refused when it is over `limit` characters (or empty, when `required`)."""
    text = storable(text, what)
    if len(text) > limit:
        raise _refused(
            what, f"is at most {limit:,} characters", f"{len(text):,}", f"Shorten it to {limit:,} characters."
        )
    if required and not text.strip():
        raise _refused(what, "must not be empty", "nothing", "Type it.")
    return text


def display_name(name: object) -> str:
    """A display name as stored: spaces around it stripped, NULs and lone surrogates dropped, cut to MAX_NAME."""
    if not isinstance(name, str):
        raise _refused("A display name", "must be text", type(name).__name__, "Pass a str.")
    clean = name.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8").strip()
    return clean[:MAX_NAME].rstrip()


def one_of(value: object, options: tuple[str, ...], what: str) -> str:
    if value not in options:
        raise _refused(what, f"must be one of {', '.join(options)}", repr(value), "Use one of those.")
    return str(value)


def count(value: object, what: str) -> int:
    """A whole number >= 0 (bools refused: True is not a count)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise _refused(what, "must be a whole number of at least 0", repr(value), "Pass an int.")
    return int(value)


def finite(value: object, what: str, *, low: float = -math.inf) -> float:
    """A finite number >= `low` as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < low:
        floor = "" if low == -math.inf else f" of at least {low:g}"
        raise _refused(what, f"must be a finite number{floor}", repr(value), "Pass a number.")
    return float(value)


def settings_json(settings: object) -> str:
    """A run's settings (a dict of plain values) as JSON, keys sorted, at most MAX_SETTINGS_BYTES bytes."""
    if not isinstance(settings, dict):
        raise _refused("A run's settings", "must be a dict", type(settings).__name__, "Pass a dict.")

    def plain(value: object) -> object:  # numpy scalars and arrays from a page's widgets
        if hasattr(value, "tolist"):
            return value.tolist()
        raise _refused("A run's setting", "must be a number, text, a flag or a list", type(value).__name__, "")

    try:
        text = json.dumps(settings, sort_keys=True, ensure_ascii=False, allow_nan=False, default=plain)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, InvalidSpecError):
            raise
        raise _refused(
            "A run's settings",
            "must be plain JSON values",
            f"one JSON cannot hold ({exc})",
            "Pass finite numbers, text, flags and lists, under text keys.",
        ) from exc
    storable(text, "A run's settings")
    size = len(text.encode("utf-8"))
    if size > MAX_SETTINGS_BYTES:
        raise _refused(
            "A run's settings",
            f"are at most {MAX_SETTINGS_BYTES:,} bytes as JSON",
            f"{size:,}",
            "Keep only the settings that reproduce the run.",
        )
    return text


def choices_of(choices: object) -> tuple[str, ...] | None:
    """A question's choices: None (a number answer) or 2..MAX_CHOICES distinct, non-empty texts."""
    if choices is None:
        return None
    if isinstance(choices, str) or not isinstance(choices, (tuple, list)):
        raise _refused("A question's choices", "must be a tuple of texts or None", type(choices).__name__, "")
    if not 2 <= len(choices) <= MAX_CHOICES:
        raise _refused(
            "A question", f"has 2 to {MAX_CHOICES} choices", f"{len(choices)}", "Or ask for a number (choices=None)."
        )
    out = tuple(bounded(c, MAX_CHOICE, f"Choice {i + 1}", required=True) for i, c in enumerate(choices))
    if len(set(out)) < len(out):
        raise _refused("A question's choices", "must differ from each other", "the same choice twice", "")
    return out


def number_answer(value: object) -> float:
    """A number answer: an int, a float or a text that reads as one (the page may send a text box's)."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _refused("This question", "takes a number", repr(value[:MAX_CHOICE]), "Type a number.") from None
    number = finite(value, "A number answer")
    if abs(number) > MAX_NUMBER:
        raise _refused("A number answer", f"is at most {MAX_NUMBER:g} either side of 0", repr(value), "")
    return number


def utc(when: object, what: str) -> datetime:
    """An aware datetime in UTC. A naive one is refused: whose clock it read cannot be known."""
    if not isinstance(when, datetime) or when.tzinfo is None or when.utcoffset() is None:
        raise _refused(what, "must be a datetime with a time zone", repr(when), "Use datetime.now(timezone.utc).")
    return when.astimezone(timezone.utc)
