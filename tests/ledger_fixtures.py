"""Fixtures for the ledger tests (not a test module): a real PostgreSQL server and
fresh databases on it, and ledgers on SQLite.

The server is started by pytest-postgresql's process fixture on Debian's
PostgreSQL package, through ``pg_ctl_unprivileged`` (as root it runs the
server as the ``postgres`` account). Without PostgreSQL the PostgreSQL tests
skip, except under CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from pytest_postgresql import factories

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_postgresql.executors import PostgreSQLExecutor

HERE = Path(__file__).resolve().parent
IN_CI = os.environ.get("CI", "").casefold() in ("1", "true", "yes")

jags_postgresql_proc = factories.postgresql_proc(
    executable=str(HERE / "pg_ctl_unprivileged"),
    host="127.0.0.1",
    user="postgres",
    postgres_options="-c fsync=off -c full_page_writes=off",
)
_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> PostgreSQLExecutor:
    """A running PostgreSQL server for the session (skips without one, except in CI)."""
    try:
        server: PostgreSQLExecutor = request.getfixturevalue("jags_postgresql_proc")
    except Exception as exc:  # pg_ctl missing, or the server would not start
        message = f"PostgreSQL could not start: {exc.__class__.__name__}: {exc}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return server


def _admin(server: PostgreSQLExecutor) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname="postgres", autocommit=True
    )


@pytest.fixture
def pg_url(pg_server: PostgreSQLExecutor) -> Iterator[str]:
    """A fresh, empty database on the server, as a ``postgresql://`` URL."""
    name = f"jags_test_{os.getpid()}_{next(_names)}"
    with _admin(pg_server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://{pg_server.user}@{pg_server.host}:{pg_server.port}/{name}"
    with _admin(pg_server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each ledger test once on SQLite (in the workspace) and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger' / 'jags.db'}"
    return str(request.getfixturevalue("pg_url"))
