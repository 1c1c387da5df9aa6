"""Tests for :mod:`jags.generate_tables`: the generated workspace as contract CSV files."""

from __future__ import annotations

import csv
import re
from typing import TYPE_CHECKING

import pytest

from jags.generate import COLUMNS, generate_workspace, workspace_files, workspace_tables
from jags.generate_tables import write_workspace
from jags.workspace import read_workspace

if TYPE_CHECKING:
    from pathlib import Path

    from allocator.models import Workspace


@pytest.fixture(scope="module")
def generated() -> Workspace:
    return generate_workspace(40, 25, seed=58)


def test_tables_follow_the_file_contract(generated: Workspace) -> None:
    tables = workspace_tables(generated)
    assert list(tables) == list(COLUMNS)
    for name, (header, rows) in tables.items():
        assert header == list(COLUMNS[name])
        assert all(len(row) == len(header) for row in rows)
    header, rows = tables["facilitators"]
    col = {c: i for i, c in enumerate(header)}
    for row in rows:
        assert row[col["can_lead"]] in ("true", "false")
        assert row[col["active"]] in ("true", "false")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[col["trained_on"]])
    header, rows = tables["requests"]
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", row[1])
        assert row[header.index("mode")] in ("in_person", "online", "either")
    header, rows = tables["history"]
    assert any(";" in row[header.index("attendees")] for row in rows)


def test_write_workspace_round_trips(tmp_path: Path, generated: Workspace) -> None:
    write_workspace(generated, tmp_path)
    tables = workspace_tables(generated)
    for name, (header, rows) in tables.items():
        raw = (tmp_path / f"{name}.csv").read_bytes()
        assert b"\r" not in raw
        with (tmp_path / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            read = list(csv.reader(handle))
        assert read[0] == header
        assert read[1:] == rows


def test_written_files_read_back_as_the_same_workspace(
    tmp_path: Path, generated: Workspace
) -> None:
    write_workspace(generated, tmp_path)
    again = read_workspace(tmp_path)
    assert workspace_tables(again) == workspace_tables(generated)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == workspace_files(generated)
