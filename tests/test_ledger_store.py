"""Where the ledger lives, how it is opened, migrated and locked (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
import stat
from datetime import date
from importlib import resources
from pathlib import Path

import psycopg
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from jags.ledger.models import Partnership
from jags.ledger.store import (
    HEAD,
    LedgerBusy,
    LedgerError,
    current_revision,
    ledger_url,
    migrate,
    open_store,
    shown,
    slug,
    valid_key,
)

ON = date(2026, 11, 20)


def sa_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def partnership(key: str) -> Partnership:
    return Partnership(
        key=key, name=f"{key} partnership", policy='name = "norfolk"\n', created_on=ON
    )


def test_the_default_ledger_is_jags_db_in_the_workspace_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JAGS_DB", raising=False)
    folder = tmp_path / "ws"
    folder.mkdir()
    assert ledger_url(folder) == f"sqlite:///{folder / 'jags.db'}"
    book = tmp_path / "book.xlsx"
    assert ledger_url(book) == f"sqlite:///{tmp_path / 'jags.db'}"  # beside the workbook
    monkeypatch.setenv("JAGS_DB", "postgresql://u@h/db")
    assert ledger_url(folder) == "postgresql+psycopg://u@h/db"
    assert ledger_url(folder, "postgres://u@h/other") == "postgresql+psycopg://u@h/other"


def test_no_ledger_until_one_is_created_and_then_it_is_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jags.db'}"
    assert open_store(url, create=False) is None
    assert not (tmp_path / "jags.db").exists()
    store = open_store(url, create=True)
    assert store is not None
    assert stat.S_IMODE((tmp_path / "jags.db").stat().st_mode) == 0o600
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    assert current_revision(store) == HEAD
    store.close()


def test_head_is_the_newest_migration_script() -> None:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("jags.ledger").joinpath("migrations"))
    )
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_a_database_made_by_the_first_revision_upgrades_with_its_data(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True)
        sqlite3.connect(db_url.removeprefix("sqlite:///")).close()
    from sqlalchemy import create_engine

    from jags.ledger.store import Store

    first = Store(create_engine(sa_url(db_url)), sa_url(db_url))
    migrate(first, "0001")
    assert current_revision(first) == "0001"
    with first.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO partnerships (key, name, policy, created_on) "
                "VALUES ('p1', 'P one', 'name = \"norfolk\"', '2026-11-20')"
            )
        )
    with pytest.raises(DBAPIError), first.engine.connect() as conn:
        conn.execute(text("SELECT 1 FROM feedback")).all()
    first.close()
    store = open_store(sa_url(db_url), create=False)  # opening upgrades
    assert store is not None
    assert current_revision(store) == HEAD
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM partnerships")).scalar() == "P one"
        assert conn.execute(text("SELECT count(*) FROM feedback")).scalar() == 0
    store.close()


def test_events_are_append_only(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True)
    store = open_store(sa_url(db_url), create=True)
    assert store is not None
    with store.write("p1") as session:
        session.add(partnership("p1"))
        session.flush()
        session.execute(
            text(
                'INSERT INTO batches (partnership, kind, "on", by, digest, summary) '
                "VALUES ('p1', 'record', '2026-11-20', 'me', 'x', '{}')"
            )
        )
        session.execute(
            text(
                'INSERT INTO events (partnership, request_id, event, "on", by, new_state, '
                "batch_id, digest) VALUES ('p1', 'R-1', 'received', '2026-11-20', 'me', "
                "'received', 1, 'x')"
            )
        )
    for statement in ("UPDATE events SET by = 'someone else'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT by FROM events")).scalar() == "me"
    store.close()


def test_a_second_writer_waits_then_gives_up_with_a_clear_message_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'jags.db'}"
    store = open_store(url, create=True)
    assert store is not None
    monkeypatch.setenv("JAGS_LOCK_TIMEOUT", "0.3")
    store.close()
    store = open_store(url, create=False)
    assert store is not None
    other = sqlite3.connect(tmp_path / "jags.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with (
            pytest.raises(LedgerBusy, match="another jags command is changing this ledger"),
            store.write("p1"),
        ):
            pass
    finally:
        other.execute("ROLLBACK")
        other.close()
    with store.write("p1") as session:  # free again
        session.add(partnership("p1"))
    store.close()


def test_a_second_writer_of_the_same_partnership_waits_on_postgresql(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JAGS_LOCK_TIMEOUT", "0.5")
    store = open_store(sa_url(pg_url), create=False)
    assert store is not None
    from jags.ledger.store import _lock_key

    with psycopg.connect(pg_url) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (_lock_key("p1"),))
        with pytest.raises(LedgerBusy, match=r"did not finish within [01] s"), store.write("p1"):
            pass
        with store.write("p2") as session:  # another partnership is not held up
            session.add(partnership("p2"))
    store.close()


def test_the_partnership_is_chosen_or_the_only_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JAGS_PARTNERSHIP", raising=False)
    store = open_store(f"sqlite:///{tmp_path / 'jags.db'}", create=True)
    assert store is not None
    with pytest.raises(LedgerError, match="no partnership yet"):
        store.partnership(None)
    with store.write("north") as session:
        session.add(partnership("north"))
    assert store.partnership(None).key == "north"
    with store.write("south") as session:
        session.add(partnership("south"))
    with pytest.raises(LedgerError, match=r"several partnerships \(north, south\)"):
        store.partnership(None)
    assert store.partnership("south").key == "south"
    monkeypatch.setenv("JAGS_PARTNERSHIP", "north")
    assert store.partnership(None).key == "north"
    with pytest.raises(LedgerError, match="'west' is not in the ledger"):
        store.partnership("west")
    store.close()


def test_keys_names_and_urls_are_checked() -> None:
    assert slug("Norfolk (Christmas) 2026!") == "norfolk-christmas-2026"
    assert valid_key("central-beds_1") == "central-beds_1"
    with pytest.raises(LedgerError, match="letters, digits"):
        valid_key("../etc")
    with pytest.raises(LedgerError, match="not a database URL"):
        open_store("not a url", create=False)
    with pytest.raises(LedgerError, match="PostgreSQL database"):
        open_store("mysql://u@h/db", create=False)
    assert "secret" not in shown("postgresql+psycopg://u:secret@h/db")


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(LedgerError, match="cannot be used"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none", create=False)


def test_a_backup_is_a_consistent_private_copy_never_overwritten(tmp_path: Path) -> None:
    from jags.ledger.store import backup_sqlite

    store = open_store(f"sqlite:///{tmp_path / 'jags.db'}", create=True)
    assert store is not None
    with store.write("p1") as session:
        session.add(partnership("p1"))
    target = backup_sqlite(store, tmp_path / "backup" / "jags-copy.db")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    copy = open_store(f"sqlite:///{target}", create=False)
    assert copy is not None and copy.partnership(None).key == "p1"
    copy.close()
    with pytest.raises(LedgerError, match="never overwritten"):
        backup_sqlite(store, target)
    store.close()


def test_a_postgresql_ledger_is_backed_up_with_pg_dump(pg_url: str, tmp_path: Path) -> None:
    from jags.ledger.store import backup_sqlite

    store = open_store(sa_url(pg_url), create=False)
    assert store is not None
    with pytest.raises(LedgerError, match="pg_dump"):
        backup_sqlite(store, tmp_path / "x.db")
    store.close()
