"""The class database itself (core.classroom.db), on SQLite and PostgreSQL (tests/core/conftest.py): where it is,
its schema made on first use by servers racing to make it, its versions (a version-1 database migrated, a newer one
refused, tables it did not make left alone), and addresses refused or unreachable in words, never with a password."""

import os
import sqlite3
import subprocess
import sys
import threading
from datetime import timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from classrows import result

from core.classroom import SCHEMA_VERSION, DatabaseUnavailable, open_class_db
from core.classroom.db import database_url, schema_version
from core.errors import DataFormatError, InvalidSpecError

ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc


def test_the_schema_is_made_on_first_use_and_a_restarted_server_sees_everything(db_url):
    with open_class_db(db_url) as db:
        assert db.schema_version == SCHEMA_VERSION
        rid = db.add_result(result(lesson="perceptron"))
        qid = db.ask("/training", "Which is faster?", ("sgd", "adam"), lesson="perceptron")
        db.answer(qid, "token-ada", "Ada", "adam")
        db.send_view("/cnn?dataset=mnist")
    with open_class_db(db_url) as again:  # a new engine, as after a server restart
        assert again.schema_version == SCHEMA_VERSION
        [row] = again.results()
        assert (row.id, row.name, row.lesson, row.settings["optimizer"]) == (rid, "Ada", "perceptron", "adam")
        assert row.created.tzinfo == UTC and not row.withdrawn
        assert [q.text for q in again.questions("/training")] == ["Which is faster?"]
        assert [a.value for a in again.answers(qid)] == ["adam"]
        assert again.teacher_view()[0] == "/cnn?dataset=mnist"


def test_by_default_the_database_is_a_sqlite_file_in_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("NNLAB_DATABASE", raising=False)
    folder = Path(os.environ["NNLAB_DATA_DIR"])  # tests/conftest.py's, not made yet
    assert not folder.exists()
    with open_class_db() as db:
        db.add_result(result())
        assert db.backend == "sqlite" and "class.sqlite3 in NN Lab's data folder" in db.where
    file = folder / "class.sqlite3"
    assert file.is_file()
    assert sa.create_engine(f"sqlite:///{file}").connect().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    with open_class_db(data_dir=tmp_path / "other") as other:  # an explicit folder wins
        assert other.results() == [] and (tmp_path / "other" / "class.sqlite3").is_file()
    monkeypatch.setenv("NNLAB_DATABASE", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    with open_class_db() as from_env:
        assert from_env.results() == [] and (tmp_path / "env.sqlite3").is_file()


WRITER = """
import sys
from core.classroom import ResultRow, open_class_db
db = open_class_db(sys.argv[1])
for i in range(20):
    db.add_result(ResultRow(owner=sys.argv[2], name="n", page="cnn", dataset="mnist", kind="cnn", backend="keras",
                            layers="conv 8", params=100, epochs=i, metric="accuracy", test_score=0.5, seconds=0.1,
                            link="/cnn"))
"""


def test_three_server_processes_start_together_and_write_the_same_database(db_url):
    # No schema yet: the three race to make it (one makes it, the others wait for it and use it).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, db_url, f"proc-{k}"], env=env, stderr=subprocess.PIPE)
        for k in range(3)
    ]
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read().decode()
    with open_class_db(db_url) as db:
        rows = db.results()
    assert len(rows) == 60 and {r.owner for r in rows} == {"proc-0", "proc-1", "proc-2"}


def test_a_server_opening_a_new_sqlite_file_while_another_writes_to_it_waits_rather_than_fails(tmp_path):
    """Switching a new file to WAL needs it to itself, and SQLite says "locked" at once, not after its busy timeout,
    while another connection holds a write lock (a server starting as another makes the schema): the second waits."""
    path = tmp_path / "class.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE another_servers_first_write (x)")
    threading.Timer(0.5, other.execute, ("COMMIT",)).start()
    with open_class_db(f"sqlite:///{path}") as db:
        assert db.results() == []
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)
    other.close()


def test_a_version_1_database_gets_the_students_table_and_keeps_its_results(db_url):
    with open_class_db(db_url) as db:
        rid = db.add_result(result())
        with db._engine.begin() as conn:  # as NN Lab's version 1 left it
            conn.exec_driver_sql("DROP TABLE students")
            conn.execute(sa.update(schema_version).values(version=1))
    with open_class_db(db_url) as again:
        assert again.schema_version == SCHEMA_VERSION == 2
        assert [r.id for r in again.results()] == [rid] and again.student_number("ada") == 1


def test_a_database_of_a_newer_nn_lab_is_refused(db_url):
    with open_class_db(db_url) as db:
        with db._engine.begin() as conn:
            conn.execute(sa.update(schema_version).values(version=SCHEMA_VERSION + 1))
    with pytest.raises(DataFormatError, match=f"newer NN Lab \\(schema version {SCHEMA_VERSION + 1}"):
        open_class_db(db_url)


def test_tables_nn_lab_did_not_make_are_left_alone(db_url):
    engine = sa.create_engine(database_url(db_url), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE results (x INTEGER)")
    engine.dispose()
    with pytest.raises(DataFormatError, match="tables named results that NN Lab did not make"):
        open_class_db(db_url)


def test_addresses_are_read_or_refused_in_words():
    assert database_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert database_url("postgres://u:p@h/db").drivername == "postgresql+psycopg"
    assert database_url("postgresql+psycopg://u:p@h/db").drivername == "postgresql+psycopg"
    assert database_url("sqlite:////tmp/x.sqlite3").database == "/tmp/x.sqlite3"
    assert database_url(None, "/srv/nnlab").database == "/srv/nnlab/class.sqlite3"
    for address in ("postgresql+psycopg2://u:secret@h/db", "mysql://u:secret@h/db", "sqlite://", "not an address"):
        with pytest.raises(InvalidSpecError) as err:
            database_url(address)
        assert "NNLAB_DATABASE" in str(err.value) and "secret" not in str(err.value)


def test_a_database_that_does_not_answer_is_said_without_its_password():
    with pytest.raises(DatabaseUnavailable) as err:
        open_class_db("postgresql://nnlab:secret@127.0.0.1:1/nnlab")
    assert "PostgreSQL database nnlab on 127.0.0.1:1" in str(err.value) and "secret" not in str(err.value)
