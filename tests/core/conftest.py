"""The class database's fixtures for tests/core: `db_url`, an address no other test uses, on both databases
(SQLite in a temporary folder; PostgreSQL from NNLAB_TEST_DATABASE, each test in a fresh schema: `bash
.ci/postgres` prints one, .ci/run sets it; without it the PostgreSQL half is skipped, or fails under CI), and `db`,
the ClassDB opened on it."""

import os
import uuid

import pytest
import sqlalchemy as sa

from core.classroom import open_class_db
from core.classroom.db import database_url

PG_ENV = "NNLAB_TEST_DATABASE"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A database address no other test uses: a fresh SQLite file, or a fresh schema in the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'class.sqlite3'}"
        return
    base = os.environ.get(PG_ENV, "").strip()
    if not base:
        message = f"{PG_ENV} is not set, so the class database is not tested on PostgreSQL (bash .ci/postgres)."
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(message + " CI must test both databases: .ci/run sets it.")
        pytest.skip(message)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(database_url(base), poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.schema.CreateSchema(schema))
    try:
        address = database_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield address.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.schema.DropSchema(schema, cascade=True))
        admin.dispose()


@pytest.fixture
def db(db_url):
    with open_class_db(db_url) as opened:
        yield opened
