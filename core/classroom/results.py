"""The class's pooled results: one row per finished run, written by the student's session, read by everyone.

A student's own rows are the ones written with their session token (`owner`, opaque, never shown or exported):
only those can be withdrawn, and withdrawing another's row is a quiet False (a stale or forged id never
raises). The teacher clears a lesson's rows, or all, and downloads them as CSV with the display names.

The CSV is for a spreadsheet: any text cell that a spreadsheet would run as a formula (starting with = + - @ or
a tab or carriage return) is written with a leading apostrophe, so a display name like `=HYPERLINK(...)` stays
text on the teacher's machine. Every other name comes back through `csv.reader` as typed.
"""

from __future__ import annotations

import csv
import io
import json
import math
import numbers
from dataclasses import dataclass, field, fields
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core.classroom import limits
from core.classroom.db import insert_new, now, reading, results, students, writing
from core.models import BACKENDS

PAGES = ("training", "cnn")  # the pages whose runs are pooled
KINDS = ("mlp", "cnn")
METRICS = ("accuracy", "r2")  # the test score: accuracy for classification, R² for regression
CSV_COLUMNS = tuple(
    "id name page dataset kind backend layers params epochs metric test_score seconds lesson question created "
    "withdrawn link settings".split()
)  # every field but the owner
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell starting with these


@dataclass(frozen=True, kw_only=True)
class ResultRow:
    """One finished run as the class table has it. `id`, `created` and `withdrawn` are the database's: leave
    them out when adding a row (a `created` given is kept, in UTC)."""

    id: int | None = None
    owner: str  # the session's opaque token: whose row it is, never shown
    name: str  # the display name the student chose (cut to limits.MAX_NAME)
    page: str  # "training" | "cnn"
    dataset: str
    kind: str  # "mlp" | "cnn"
    backend: str  # core.models.BACKENDS
    layers: str  # "32-16", "conv 32-64"
    params: int
    settings: dict = field(default_factory=dict)  # learning rate, optimizer, batch size, ... (JSON)
    epochs: int  # epochs the run trained
    metric: str  # "accuracy" | "r2"
    test_score: float  # NaN: no score (a diverged run)
    seconds: float  # training time
    link: str  # the page link that reproduces the run ("/training?dataset=digits&...")
    lesson: str = ""
    question: int | None = None  # the teacher's question the student answered before the run (predict, then run)
    created: datetime | None = None  # UTC
    withdrawn: bool = False


def _values(row: ResultRow) -> dict:
    """The row's columns, each checked against its bound (see limits: names cut, everything else refused)."""
    if not isinstance(row, ResultRow):
        raise TypeError(f"add_result takes a ResultRow, received {type(row).__name__}.")
    return {
        "owner": limits.bounded(row.owner, limits.MAX_OWNER, "A session token", required=True),
        "name": limits.display_name(row.name),
        "page": limits.one_of(row.page, PAGES, "A result's page"),
        "dataset": limits.bounded(row.dataset, limits.MAX_LABEL, "A dataset's name", required=True),
        "kind": limits.one_of(row.kind, KINDS, "A network's kind"),
        "backend": limits.one_of(row.backend, BACKENDS, "A backend"),
        "layers": limits.bounded(row.layers, limits.MAX_LABEL, "A network's layers"),
        "params": limits.count(row.params, "A parameter count"),
        "settings": limits.settings_json(row.settings),
        "epochs": limits.count(row.epochs, "A run's epochs"),
        "metric": limits.one_of(row.metric, METRICS, "A test metric"),
        "test_score": _score(row.test_score),
        "seconds": limits.finite(row.seconds, "A training time", low=0),
        "link": limits.bounded(row.link, limits.MAX_LINK, "A run's link", required=True),
        "lesson": limits.bounded(row.lesson, limits.MAX_LESSON, "A lesson's name"),
        "question": None if row.question is None else limits.count(row.question, "A question's id"),
        "created": now() if row.created is None else limits.utc(row.created, "A result's time"),
        "withdrawn": False,
    }


def _score(score: object) -> float | None:
    """A score to store; None (no score) for NaN or infinity; anything not a number is refused."""
    if isinstance(score, numbers.Real) and not isinstance(score, bool) and not math.isfinite(score):
        return None
    return limits.finite(score, "A test score")


def _row(r: sa.Row) -> ResultRow:
    values = r._asdict()
    values["settings"] = json.loads(values["settings"])
    values["test_score"] = math.nan if values["test_score"] is None else values["test_score"]
    return ResultRow(**values)


def _filtered(statement, since, dataset, lesson, include_withdrawn):
    if since is not None:
        statement = statement.where(results.c.created >= limits.utc(since, "since"))
    if dataset is not None:
        statement = statement.where(results.c.dataset == dataset)
    if lesson is not None:
        statement = statement.where(results.c.lesson == lesson)
    if not include_withdrawn:
        statement = statement.where(results.c.withdrawn.is_(False))
    return statement


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class ResultsStore:
    """ClassDB's results (see the module). Every method is one short transaction; safe from any thread."""

    _engine: Engine
    where: str

    def add_result(self, row: ResultRow, replaces: int | None = None) -> int:
        """Store a finished run; its id. `replaces`: the id of the owner's row this run goes on from (Play after
        Pause is one run), removed in the same transaction (another's row is left alone). InvalidSpecError when a
        field breaks its bound (the name is cut)."""
        values = _values(row)
        with writing(self._engine, self.where) as conn:
            if isinstance(replaces, numbers.Integral) and not isinstance(replaces, bool):
                conn.execute(sa.delete(results).where(results.c.id == replaces, results.c.owner == values["owner"]))
            return conn.execute(sa.insert(results).values(**values)).inserted_primary_key[0]

    def student_number(self, owner: str) -> int:
        """The browser `owner`'s number in the class (its default name, "Student 7"): given once, in the order
        browsers first ask, the same on every web server sharing the database and after a restart."""
        owner = limits.bounded(owner, limits.MAX_OWNER, "A session token", required=True)
        mine = sa.select(students.c.number).where(students.c.owner == owner)
        with writing(self._engine, self.where) as conn:
            if (number := conn.execute(mine).scalar()) is None:
                insert_new(conn, students, {"owner": owner}, keys=("owner",))  # a twin's insert wins quietly
                number = conn.execute(mine).scalar_one()
            return number

    def withdraw(self, result_id: int, owner: str) -> bool:
        """Take the owner's own row out of the class table: True if it is theirs, else False (nothing changes)."""
        if isinstance(result_id, bool) or not isinstance(result_id, numbers.Integral) or not isinstance(owner, str):
            return False
        with writing(self._engine, self.where) as conn:
            done = conn.execute(
                sa.update(results).where(results.c.id == result_id, results.c.owner == owner).values(withdrawn=True)
            )
            return done.rowcount > 0

    def results(
        self,
        *,
        since: datetime | None = None,
        dataset: str | None = None,
        lesson: str | None = None,
        include_withdrawn: bool = False,
    ) -> list[ResultRow]:
        """The class's rows, oldest first: created at or after `since` (aware), of a dataset, of a lesson."""
        statement = _filtered(sa.select(results), since, dataset, lesson, include_withdrawn)
        with reading(self._engine, self.where) as conn:
            rows = conn.execute(statement.order_by(results.c.created, results.c.id)).all()
        return [_row(r) for r in rows]

    def clear(self, lesson: str | None = None) -> int:
        """The teacher's: delete a lesson's rows (None: every row); how many went."""
        statement = sa.delete(results)
        if lesson is not None:
            statement = statement.where(results.c.lesson == lesson)
        with writing(self._engine, self.where) as conn:
            return conn.execute(statement).rowcount

    def results_csv(
        self,
        *,
        since: datetime | None = None,
        dataset: str | None = None,
        lesson: str | None = None,
        include_withdrawn: bool = False,
    ) -> str:
        """The teacher's download: a header, then the rows `results` gives, display names included, never the
        session tokens. Times are ISO 8601 in UTC; settings are JSON; no score is an empty cell."""
        rows = self.results(since=since, dataset=dataset, lesson=lesson, include_withdrawn=include_withdrawn)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            cells = {
                **{f.name: getattr(row, f.name) for f in fields(row)},
                "created": row.created.isoformat(),
                "settings": json.dumps(row.settings, sort_keys=True, ensure_ascii=False),
                "test_score": "" if math.isnan(row.test_score) else row.test_score,
                "question": "" if row.question is None else row.question,
            }
            writer.writerow([_cell(cells[c]) for c in CSV_COLUMNS])
        return out.getvalue()
