"""Where the ledger lives and how it is opened: SQLite in the workspace, or PostgreSQL.

The default is a SQLite file ``jags.db`` in the workspace folder (beside an
.xlsx workspace), created with mode 0600, in WAL mode with a busy timeout.
``--db URL`` or the ``JAGS_DB`` environment variable selects PostgreSQL
(psycopg 3) instead. Every write runs in one transaction that holds the
partnership's lock from its first statement: ``BEGIN IMMEDIATE`` on SQLite,
a transaction-scoped advisory lock on PostgreSQL. A second writer waits for
the lock (``JAGS_LOCK_TIMEOUT`` seconds, default 30) and then gives up with
a clear message.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session

from allocator.errors import InputError
from jags.ledger.models import Partnership
from jags.locate import DB_FILE, ENV_DB, ENV_PARTNERSHIP, workspace_folder

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine

HEAD = "0002"
"""The newest migration; a test checks it against the migration scripts."""
ENV_LOCK_TIMEOUT = "JAGS_LOCK_TIMEOUT"
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class LedgerError(InputError):
    """The ledger cannot be used as asked (missing, wrong partnership, busy)."""


class LedgerBusy(LedgerError):
    """Another command holds the partnership's lock for longer than the timeout."""


def lock_timeout() -> float:
    """Seconds a writer waits for another (``JAGS_LOCK_TIMEOUT``, default 30)."""
    raw = os.environ.get(ENV_LOCK_TIMEOUT, "").strip()
    try:
        return max(float(raw), 0.0) if raw else 30.0
    except ValueError:
        raise LedgerError(f"{ENV_LOCK_TIMEOUT} is not a number of seconds") from None


def ledger_url(workspace: Path, db: str | None = None) -> str:
    """The database URL: ``db``, else ``$JAGS_DB``, else ``jags.db`` beside the workspace."""
    url = (db or os.environ.get(ENV_DB, "")).strip()
    if not url:
        return f"sqlite:///{(workspace_folder(workspace) / DB_FILE).absolute()}"
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the --db value"


@dataclass
class Store:
    """An open ledger database."""

    engine: Engine
    url: str

    @property
    def sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        """The SQLite file, or ``None`` for a server."""
        database = self.engine.url.database
        return Path(database) if self.sqlite and database else None

    def close(self) -> None:
        self.engine.dispose()

    # Transactions -----------------------------------------------------------

    @contextlib.contextmanager
    def write(self, partnership: str) -> Iterator[Session]:
        """One write transaction holding ``partnership``'s lock; commits on success."""
        bind = self.engine.execution_options(jags_write=True)
        with Session(bind, expire_on_commit=False, autoflush=False) as session:
            try:
                with session.begin():
                    self._lock(session, partnership)
                    yield session
                    session.flush()
                    fault_point("before-commit")
            except OperationalError as exc:
                raise _busy_or(exc, self) from None
        fault_point("after-commit")

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (a consistent snapshot)."""
        with Session(self.engine, expire_on_commit=False, autoflush=False) as session:
            try:
                with session.begin():
                    yield session
            except OperationalError as exc:
                raise _busy_or(exc, self) from None

    def _lock(self, session: Session, partnership: str) -> None:
        if self.sqlite:
            session.connection()  # BEGIN IMMEDIATE: the database's write lock, now
            return
        timeout = int(lock_timeout() * 1000)
        session.execute(text(f"SET LOCAL lock_timeout = {timeout}"))
        session.execute(
            select(text("pg_advisory_xact_lock(:key)")), {"key": _lock_key(partnership)}
        )

    # Partnerships ----------------------------------------------------------------

    def partnership(self, wanted: str | None) -> Partnership:
        """The partnership a command works for: ``wanted``, ``$JAGS_PARTNERSHIP``, or the
        only one in the database."""
        key = wanted or os.environ.get(ENV_PARTNERSHIP, "").strip() or None
        with self.read() as session:
            rows = list(session.scalars(select(Partnership).order_by(Partnership.key)))
        if key is not None:
            found = next((p for p in rows if p.key == key), None)
            if found is None:
                raise LedgerError(
                    f"partnership {key!r} is not in the ledger (run jags init first)"
                    if _KEY.fullmatch(key)
                    else "the partnership named is not in the ledger"
                )
            return found
        if not rows:
            raise LedgerError("the ledger has no partnership yet (run jags init first)")
        if len(rows) > 1:
            keys = ", ".join(p.key for p in rows)
            raise LedgerError(
                f"the ledger serves several partnerships ({keys}): choose one "
                f"with --partnership or {ENV_PARTNERSHIP}"
            )
        return rows[0]


ENV_FAULT = "JAGS_FAULT"


def fault_point(name: str) -> None:
    """A named point where the crash tests stop or slow a real process.

    ``JAGS_FAULT="<point>:kill"`` SIGKILLs this process at ``<point>``;
    ``"<point>:pause=<seconds>"`` sleeps there (to hold a lock while another
    process starts). Several are separated by commas. Unset, it does nothing.
    """
    spec = os.environ.get(ENV_FAULT, "")
    for item in filter(None, spec.split(",")):
        point, _, action = item.partition(":")
        if point != name:
            continue
        if action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif action.startswith("pause="):
            time.sleep(float(action.removeprefix("pause=")))


def _lock_key(partnership: str) -> int:
    digest = hashlib.sha256(f"jags:{partnership}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _busy_or(exc: OperationalError, store: Store) -> Exception:
    message = str(exc.orig) if exc.orig is not None else str(exc)
    if "locked" in message or "lock timeout" in message or "canceling statement" in message:
        return LedgerBusy(
            "another jags command is changing this ledger; it did not finish "
            f"within {lock_timeout():.0f} s — try again in a moment"
        )
    return LedgerError(
        f"the ledger database cannot be used ({shown(store.url)}): "
        f"{message.splitlines()[0] if message else 'error'}"
    )


def valid_key(key: str) -> str:
    """A partnership key: letters, digits, ``.``, ``_``, ``-``, up to 64 characters."""
    if not _KEY.fullmatch(key):
        raise LedgerError(
            "--partnership: use letters, digits, '.', '_' or '-' (up to 64 characters)"
        )
    return key


def slug(name: str) -> str:
    """A key from a name: ``"Norfolk (x)"`` → ``"norfolk-x"``."""
    value = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:64]
    return value or "partnership"


# Opening ---------------------------------------------------------------------------


def open_store(url: str, *, create: bool) -> Store | None:
    """Connect to the ledger at ``url`` and bring its schema up to date.

    Parameters
    ----------
    url
        A SQLAlchemy URL (see :func:`ledger_url`).
    create
        Create a missing SQLite file (mode 0600). When ``False`` and the
        file does not exist, return ``None`` (no ledger: the file-only flow).

    Raises
    ------
    LedgerError
        The server cannot be reached or the URL is not a database.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise LedgerError(
            "--db / JAGS_DB is not a database URL (e.g. postgresql://user@host/dbname)"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not path.exists():
            if not create:
                return None
            _create_private(path)
        engine = create_engine(
            url, connect_args={"timeout": lock_timeout()}, poolclass=_null_pool()
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    elif parsed.get_backend_name() == "postgresql":
        engine = create_engine(url, poolclass=_null_pool(), connect_args={"connect_timeout": 10})
    else:
        raise LedgerError(
            "--db / JAGS_DB must name a PostgreSQL database (postgresql://...) or a SQLite file"
        )
    store = Store(engine, url)
    try:
        migrate(store)
    except OperationalError as exc:
        store.close()
        raise _busy_or(exc, store) from None
    except DBAPIError as exc:
        store.close()
        raise LedgerError(
            f"the ledger database cannot be used ({shown(url)}): {exc.__class__.__name__}"
        ) from None
    return store


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def _create_private(path: Path) -> None:
    """An empty SQLite file readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another process made it first: fine
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout() * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    write = connection.get_execution_options().get("jags_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def current_revision(store: Store) -> str | None:
    """The schema revision of the database (``None`` when empty)."""
    with store.engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            return None


def migrate(store: Store, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default the newest), under a lock."""
    if revision == "head" and current_revision(store) == HEAD:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("jags.ledger").joinpath("migrations"))
    )
    bind = store.engine.execution_options(jags_write=True)
    with bind.begin() as conn:
        if not store.sqlite:
            conn.execute(select(text("pg_advisory_xact_lock(:key)")), {"key": _lock_key("schema")})
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def backup_sqlite(store: Store, target: Path) -> Path:
    """A consistent copy of a SQLite ledger (SQLite's online backup), mode 0600.

    Safe while other commands run: the copy is one committed state. The
    target must not exist (a backup is never overwritten).

    Raises
    ------
    LedgerError
        For a PostgreSQL ledger (use ``pg_dump``) or an existing target.
    """
    import sqlite3

    source = store.path
    if source is None:
        raise LedgerError("this ledger is on a PostgreSQL server: back it up with pg_dump")
    target = Path(os.path.abspath(target))
    if target.exists():
        raise LedgerError(f"{target.name}: already exists; a backup is never overwritten")
    target.parent.mkdir(parents=True, exist_ok=True)
    _create_private(target)
    try:
        with (
            contextlib.closing(sqlite3.connect(source)) as src,
            contextlib.closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)
    except sqlite3.Error:
        target.unlink(missing_ok=True)
        raise LedgerError(f"the ledger could not be copied to {target.name}") from None
    return target
