"""Which ledger a command works on: found from the workspace, --db and $JAGS_DB, without
loading the ledger's modules."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from jags.locate import DB_FILE, ENV_DB, Where, default_out, has_ledger, workspace_folder


def test_a_workspace_has_a_ledger_when_its_file_exists_or_a_database_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_DB, raising=False)
    folder = tmp_path / "ws"
    folder.mkdir()
    assert not has_ledger(Where(folder))
    assert has_ledger(Where(folder, db="postgresql://u@h/jags"))
    monkeypatch.setenv(ENV_DB, "postgresql://u@h/jags")
    assert has_ledger(Where(folder))
    monkeypatch.setenv(ENV_DB, "  ")
    assert not has_ledger(Where(folder))
    (folder / DB_FILE).write_bytes(b"")
    assert has_ledger(Where(folder))


def test_an_xlsx_workspace_keeps_its_ledger_and_outputs_beside_it(tmp_path: Path) -> None:
    book = tmp_path / "Workspace.XLSX"
    assert workspace_folder(book) == tmp_path
    assert default_out(Where(book), "batches", date(2026, 11, 23)) == (
        tmp_path / "batches" / "2026-11-23"
    )
    odd = tmp_path / "named.xlsx"  # a folder that happens to end in .xlsx
    odd.mkdir()
    assert workspace_folder(odd) == odd


def test_finding_the_ledger_loads_no_database_library() -> None:
    probe = (
        "import sys, jags.locate; "
        "print(any(m.startswith(('sqlalchemy', 'jags.ledger')) for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"
