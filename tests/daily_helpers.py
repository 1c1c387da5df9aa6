"""The command line as the Business Unit runs it day by day, on a copy of the sample:
shared by the tests of the daily job and of ``jags status``."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from jags.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
WEEK = ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"]


def jags(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def ok(*args: str | Path) -> Result:
    result = jags(*args)
    assert result.exit_code == 0, result.output
    return result


def sample_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample without its calendars, with no ledger chosen by the environment."""
    monkeypatch.delenv("JAGS_DB", raising=False)
    monkeypatch.delenv("JAGS_PARTNERSHIP", raising=False)
    folder = tmp_path / "ws"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("calendars"))
    return folder


def status(ws: Path, on: str = "2026-11-25") -> dict[str, dict[str, str]]:
    result = ok("status", ws, "--format", "csv", "--on", on)
    return {r["request_id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
