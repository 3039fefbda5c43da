"""The class database's address, engine and schema: one code path for SQLite and PostgreSQL (SQLAlchemy Core).

Where it is (`database_url`): the address given, else `NNLAB_DATABASE`, else the SQLite file `class.sqlite3` in
NN Lab's data folder (`core.datasets.folders.data_root`), created on first use. PostgreSQL is reached through
psycopg 3 (`postgresql://` and `postgres://` are read as `postgresql+psycopg://`); a PostgreSQL schema other
than `public` is chosen in the address: `?options=-csearch_path%3Dnnlab`.

SQLite serves one machine's web-server threads and processes at once: write-ahead logging (readers never wait
for the writer), a busy timeout (a writer waits for another's short transaction instead of failing), and every
write transaction opened with BEGIN IMMEDIATE (SQLite's default, a read that later writes, fails at once with
"database is locked" when another process wrote in between; waiting for the lock first lets the timeout work).
The file must be on a local disk: write-ahead logging does not work on a network share (PostgreSQL serves
several machines).

The schema is versioned: a one-row `schema_version` table. `prepare_schema` creates the tables on first use,
in one transaction that concurrent servers take in turn (SQLite's write lock, PostgreSQL's advisory lock), and
refuses a database written by a newer NN Lab. A later version adds its step to `MIGRATIONS`.

Text columns are TEXT, never VARCHAR(n): the bounds live in `core/classroom/limits.py` alone, so changing one
never needs a migration. Times are stored as naive UTC (`UTCDateTime`), the same on both databases, so SQLite's
text timestamps compare in time order. Statements are always built with SQLAlchemy Core's parameters.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from core.datasets import folders
from core.errors import DataFormatError, InvalidSpecError, NNLabError

log = logging.getLogger("nnlab.classroom")

DATABASE_ENV = "NNLAB_DATABASE"
SQLITE_FILE = "class.sqlite3"
SCHEMA_VERSION = 2  # version 1: results, questions, answers, teacher_view, lesson; 2: students
BUSY_TIMEOUT_S = 30  # how long a SQLite writer waits for another's transaction (they last milliseconds)
CONNECT_TIMEOUT_S = 10  # how long a page waits for PostgreSQL to answer before it says the database is down
POOL_SIZE = 5  # connections kept per web-server process (writes are short: 40 students rarely need more)
POOL_OVERFLOW = 10  # extra connections a burst may open (the class finishing a run at once), closed after
SCHEMA_LOCK = 0x4E4E_4C61_6221  # PostgreSQL advisory lock held while a server creates or checks the schema

# A migration takes the database from version n (its key) to n + 1, inside the schema transaction.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}


class DatabaseUnavailable(NNLabError, ConnectionError):
    """The class database cannot be reached or opened (PostgreSQL down, a folder that cannot be written)."""


class UTCDateTime(sa.types.TypeDecorator):
    """An aware datetime stored as naive UTC and read back aware (UTC): one behaviour on both databases."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


def now() -> datetime:
    return datetime.now(timezone.utc)


metadata = sa.MetaData()
schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # always 1: one row
    sa.Column("version", sa.Integer, nullable=False),
)
results = sa.Table(
    "results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("page", sa.Text, nullable=False),
    sa.Column("dataset", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("backend", sa.Text, nullable=False),
    sa.Column("layers", sa.Text, nullable=False),
    sa.Column("params", sa.BigInteger, nullable=False),
    sa.Column("settings", sa.Text, nullable=False),  # JSON
    sa.Column("epochs", sa.Integer, nullable=False),
    sa.Column("metric", sa.Text, nullable=False),
    sa.Column("test_score", sa.Float, nullable=True),  # NULL: no score (a diverged run's NaN)
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("link", sa.Text, nullable=False),
    sa.Column("lesson", sa.Text, nullable=False),
    sa.Column("question", sa.Integer, nullable=True),  # the question the student answered before this run
    sa.Column("created", UTCDateTime, nullable=False),
    sa.Column("withdrawn", sa.Boolean, nullable=False),
    sa.Index("ix_results_created", "created"),
    sa.Index("ix_results_lesson", "lesson"),
    sqlite_autoincrement=True,  # a cleared row's id is never given again (a stale Withdraw hits nothing)
)
questions = sa.Table(
    "questions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("link", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("choices", sa.Text, nullable=True),  # a JSON list; NULL: a number answer
    sa.Column("lesson", sa.Text, nullable=False),
    sa.Column("created", UTCDateTime, nullable=False),
    sa.Column("closed", UTCDateTime, nullable=True),  # NULL: open
    sa.Index("ix_questions_link", "link"),
    sqlite_autoincrement=True,
)
answers = sa.Table(
    "answers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("question_id", sa.Integer, sa.ForeignKey("questions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("choice", sa.Text, nullable=True),  # a choice question's answer
    sa.Column("number", sa.Float, nullable=True),  # a number question's answer
    sa.Column("answered", UTCDateTime, nullable=False),
    sa.UniqueConstraint("question_id", "owner", name="uq_answers_question_owner"),  # one answer per student
)
teacher_view = sa.Table(
    "teacher_view",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # always 1: one view
    sa.Column("link", sa.Text, nullable=False),
    sa.Column("sent", UTCDateTime, nullable=False),
)

lesson = sa.Table(
    "lesson",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # always 1: the class's current lesson
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("started", UTCDateTime, nullable=False),
)

students = sa.Table(
    "students",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True),  # "Student 7": given in order of first asking, never twice
    sa.Column("owner", sa.Text, nullable=False, unique=True),  # the browser's opaque token
    sqlite_autoincrement=True,
)
MIGRATIONS[1] = lambda conn: None  # 1 -> 2: the students table, which create_all has just made


def _refused_url(expected: str) -> InvalidSpecError:
    # The address itself is never quoted: it may carry a password.
    return InvalidSpecError(
        f"{DATABASE_ENV} (or the address given) must be {expected}. For PostgreSQL write "
        "postgresql://user:password@host:5432/database; leave it unset for the SQLite file in NN Lab's data folder."
    )


def database_url(url: str | None = None, data_dir: Path | str | None = None) -> URL:
    """The class database's address: `url`, else $NNLAB_DATABASE, else class.sqlite3 in the data folder."""
    text = (url if url is not None else os.environ.get(DATABASE_ENV, "")).strip()
    if not text:
        folder = Path(data_dir).expanduser() if data_dir is not None else folders.data_root()
        return URL.create("sqlite+pysqlite", database=str(folder / SQLITE_FILE))
    try:
        parsed = sa.make_url(text)
    except ArgumentError:
        raise _refused_url("a database address (scheme://...)") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgresql", "postgres"):
        if driver not in ("", "psycopg"):
            raise _refused_url(f"reached through psycopg 3 (postgresql+psycopg://), not {driver}")
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise _refused_url(f"SQLite through Python's sqlite3 (sqlite:///path), not {driver}")
        if not parsed.database or parsed.database == ":memory:" or parsed.query.get("mode") == "memory":
            raise _refused_url(
                "a SQLite file (sqlite:///path/class.sqlite3): a database in memory ends with the server"
            )
        return parsed.set(drivername="sqlite+pysqlite")
    raise _refused_url(f"a PostgreSQL or SQLite address, not {backend}")


def describe(url: URL) -> str:
    """The database in words for messages: never the password, never a folder outside the data folder."""
    if url.get_backend_name() == "sqlite":
        file = Path(url.database or "").expanduser()
        home = file.name == SQLITE_FILE and file.parent.absolute() == folders.data_root().absolute()
        return f"the SQLite file {file.name}" + (" in NN Lab's data folder" if home else "")
    return f"the PostgreSQL database {url.database or ''} on {url.host or 'localhost'}:{url.port or 5432}"


@contextmanager
def answering(where: str) -> Iterator[None]:
    """Errors of reaching the database become DatabaseUnavailable, in words; the details go to the log."""
    try:
        yield
    except (OperationalError, PoolTimeout, OSError) as exc:
        if isinstance(exc, NNLabError):
            raise
        log.warning("class database %s: %s", where, exc)
        if isinstance(exc, OSError):  # a folder: its reason without its path
            reason = exc.strerror or type(exc).__name__
        elif isinstance(exc, PoolTimeout):
            reason = "every connection of this server was busy"
        else:
            reason = (str(exc.orig).strip().splitlines() or ["no reason given"])[0][:200]
        raise DatabaseUnavailable(
            f"NN Lab could not use {where} ({reason}). Results, questions and the teacher's view wait until it "
            f"answers: the teacher checks that the database is running and that {DATABASE_ENV} names it "
            "(or that NN Lab's data folder can be written)."
        ) from exc


def _sqlite_connect(dbapi_connection, connection_record) -> None:
    if hasattr(sqlite3, "LEGACY_TRANSACTION_CONTROL"):  # Python 3.12+: the mode isolation_level applies to
        dbapi_connection.autocommit = sqlite3.LEGACY_TRANSACTION_CONTROL
    dbapi_connection.isolation_level = None  # sqlite3 emits no BEGIN of its own: `_sqlite_begin` does
    cursor = dbapi_connection.cursor()
    _wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _wal(cursor) -> None:
    """WAL mode, kept in the file: readers and one writer at once. Switching a new file to it needs the file to
    itself, and SQLite says "locked" at once rather than after its busy timeout while another connection writes
    (a second server starting as the first makes the schema): asked again until BUSY_TIMEOUT_S."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("nnlab_write") else "BEGIN")


def make_engine(url: URL) -> Engine:
    """A pooled engine for `url` (from `database_url`); a SQLite file's folder is created."""
    pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
    if url.get_backend_name() == "sqlite":
        with answering(describe(url)):
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S}, **pool)
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}, **pool)


@contextmanager
def writing(engine: Engine, where: str) -> Iterator[Connection]:
    """One short write transaction (SQLite: BEGIN IMMEDIATE), committed when the block ends without error."""
    with answering(where), engine.connect() as conn:
        conn.execution_options(nnlab_write=True)
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine, where: str) -> Iterator[Connection]:
    """One read-only transaction: a consistent snapshot, never waiting for writers."""
    with answering(where), engine.connect() as conn:
        yield conn


def _insert(conn: Connection, table: sa.Table, values: dict):
    """An INSERT of `values` in the connection's dialect, which can say what to do on a conflict."""
    insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    return insert(table).values(**values)


def insert_new(conn: Connection, table: sa.Table, values: dict, keys: tuple[str, ...]) -> None:
    """Insert `values` unless a row with the same `keys` is there (one statement: safe against a concurrent twin)."""
    conn.execute(_insert(conn, table, values).on_conflict_do_nothing(index_elements=list(keys)))


def upsert(conn: Connection, table: sa.Table, values: dict, keys: tuple[str, ...]) -> None:
    """Insert `values`, or update the row with the same `keys` (one statement: safe against a concurrent twin)."""
    statement = _insert(conn, table, values)
    changed = {c: statement.excluded[c] for c in values if c not in keys}
    conn.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changed))


def prepare_schema(engine: Engine, where: str) -> int:
    """Create the tables on first use, or check the stored version; the version the database is at.
    DataFormatError for a database of a newer NN Lab, or one whose tables NN Lab did not make."""
    try:
        with writing(engine, where) as conn:
            return _prepare(conn, where)
    except ProgrammingError as exc:  # PostgreSQL refused the tables: a role without rights, a missing schema
        log.warning("class database %s: %s", where, exc)
        raise DatabaseUnavailable(
            f"NN Lab could not create its tables in {where} ({str(exc.orig).strip().splitlines()[0][:200]}). "
            "Give NN Lab's role a database (or a schema) it owns: CREATE DATABASE nnlab OWNER <role>."
        ) from exc


def _prepare(conn: Connection, where: str) -> int:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(SCHEMA_LOCK)))
        if conn.execute(sa.select(sa.func.current_schema())).scalar() is None:
            raise InvalidSpecError(
                f"{where} has none of the schemas its search_path names. Create the schema (CREATE SCHEMA nnlab), "
                "or leave options=-csearch_path out of the address to use the schema public."
            )
    inspector = sa.inspect(conn)
    found = None
    if inspector.has_table(schema_version.name):
        found = conn.execute(sa.select(schema_version.c.version)).scalar()
    else:
        others = [t for t in metadata.tables if inspector.has_table(t)]
        if others:
            raise DataFormatError(
                f"{where} already has tables named {', '.join(others)} that NN Lab did not make (it has no "
                "schema_version table). Give NN Lab a database, or a PostgreSQL schema, of its own."
            )
    if found is not None and found > SCHEMA_VERSION:
        raise DataFormatError(
            f"{where} was written by a newer NN Lab (schema version {found}; this NN Lab knows up to "
            f"{SCHEMA_VERSION}). Update NN Lab on this server to the version the other servers run, or point "
            f"{DATABASE_ENV} at another database."
        )
    metadata.create_all(conn)  # only the tables that are missing
    if found is None:
        conn.execute(sa.insert(schema_version).values(id=1, version=SCHEMA_VERSION))
        return SCHEMA_VERSION
    for version in range(found, SCHEMA_VERSION):
        MIGRATIONS[version](conn)
        conn.execute(sa.update(schema_version).values(version=version + 1))
    return SCHEMA_VERSION


def stored_version(engine: Engine, where: str) -> int | None:
    """The schema version the database holds (None before the first use)."""
    with reading(engine, where) as conn:
        if not sa.inspect(conn).has_table(schema_version.name):
            return None
        return conn.execute(sa.select(schema_version.c.version)).scalar()


__all__ = ["DATABASE_ENV", "SCHEMA_VERSION", "DatabaseUnavailable", "database_url", "describe", "make_engine"]
