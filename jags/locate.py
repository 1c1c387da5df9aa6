"""Which ledger a command works on, found without loading the ledger's modules (a batch
without a ledger never imports SQLAlchemy)."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

DB_FILE = "jags.db"
"""The embedded ledger's file, in the workspace folder (or beside an .xlsx workspace)."""
ENV_DB = "JAGS_DB"
ENV_PARTNERSHIP = "JAGS_PARTNERSHIP"


@dataclass(frozen=True)
class Where:
    """Which ledger: the workspace, ``--db`` and ``--partnership``."""

    workspace: Path
    db: str | None = None
    partnership: str | None = None

    @property
    def folder(self) -> Path:
        """The workspace folder, or the folder of an .xlsx workspace."""
        return workspace_folder(self.workspace)


def workspace_folder(workspace: Path) -> Path:
    """The folder the ledger and the dated output folders live in: the workspace itself,
    or the folder of an .xlsx workspace."""
    if workspace.suffix.casefold() == ".xlsx" and not workspace.is_dir():
        return workspace.parent
    return workspace


def default_by() -> str:
    """Who is running the command: ``--by``, else the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user name in the environment
        return "unknown"


def has_ledger(where: Where) -> bool:
    """Whether commands on this workspace run against a ledger (without opening it)."""
    if where.db or os.environ.get(ENV_DB, "").strip():
        return True
    return (where.folder / DB_FILE).is_file()


def default_out(where: Where, kind: str, on: date) -> Path:
    """``batches/<date>`` (or ``schedules/<date>``) beside the workspace."""
    return where.folder / kind / on.isoformat()
