"""The class database (issue #21): every finished run of the class in one table, the teacher's questions and the
class's answers ("predict, then run"), and the view the teacher sends ("follow the teacher").

    db = open_class_db()  # NNLAB_DATABASE, else <data folder>/class.sqlite3; one per server process
    rid = db.add_result(ResultRow(owner=token, name="Ada", page="training", ...))
    db.results(lesson="perceptron"); db.withdraw(rid, token); db.results_csv(lesson="perceptron")
    db.student_number(token)  # 7: the browser's default name, "Student 7", the same on every server
    qid = db.ask("/training?dataset=digits", "Which learning rate trains fastest?", ("0.001", "0.1", "10"))
    db.answer(qid, token, "Ada", "0.1"); db.answers(qid); db.close_question(qid)
    db.send_view("/cnn?dataset=mnist"); db.teacher_view()  # ("/cnn?dataset=mnist", sent at, UTC)

One `ClassDB` per process (the app keeps it in `st.cache_resource`): its engine pools connections, and every
method is one short transaction, safe from any Streamlit script thread. Several web-server processes, or
machines with PostgreSQL, share the database. Where it is and how the schema is kept: `core/classroom/db.py`;
every bound and the rule for over-long text: `core/classroom/limits.py`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from core.classroom.db import (
    DATABASE_ENV,
    SCHEMA_VERSION,
    DatabaseUnavailable,
    database_url,
    describe,
    make_engine,
    prepare_schema,
    stored_version,
)
from core.classroom.questions import Answer, Question, QuestionsStore
from core.classroom.results import ResultRow, ResultsStore


class ClassDB(ResultsStore, QuestionsStore):
    """The class database (see the module). `backend` is "sqlite" or "postgresql"; `where` says it in words."""

    def __init__(self, engine: Engine, where: str) -> None:
        self._engine = engine
        self.where = where
        self.backend = engine.dialect.name

    @property
    def schema_version(self) -> int | None:
        """The schema version the database holds."""
        return stored_version(self._engine, self.where)

    def close(self) -> None:
        """Close the pooled connections (a ClassDB used after this opens new ones)."""
        self._engine.dispose()

    def __enter__(self) -> ClassDB:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ClassDB({self.where})"


def open_class_db(url: str | None = None, data_dir: Path | str | None = None) -> ClassDB:
    """The class database at `url`, else $NNLAB_DATABASE, else class.sqlite3 in `data_dir` (default: NN Lab's data
    folder), its tables created on first use. InvalidSpecError for an address NN Lab cannot use,
    DatabaseUnavailable when it does not answer, DataFormatError for a database of a newer NN Lab."""
    address = database_url(url, data_dir)
    where = describe(address)
    engine = make_engine(address)
    try:
        prepare_schema(engine, where)
    except BaseException:
        engine.dispose()
        raise
    return ClassDB(engine, where)


__all__ = [
    "DATABASE_ENV",
    "SCHEMA_VERSION",
    "Answer",
    "ClassDB",
    "DatabaseUnavailable",
    "Question",
    "ResultRow",
    "open_class_db",
]
