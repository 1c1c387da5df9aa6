"""Tests for jags.files: all-or-nothing output and deterministic CSV."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from jags.files import csv_bytes, write_outputs


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name → content)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_writes_all_files_and_creates_folders(tmp_path: Path) -> None:
    out = tmp_path / "runs" / "out"
    paths = write_outputs(out, {"allocations.csv": b"a\n", "invites/R-001.ics": b"ics"})
    assert paths == [out / "allocations.csv", out / "invites" / "R-001.ics"]
    assert snapshot(out) == {"allocations.csv": b"a\n", "invites/R-001.ics": b"ics"}
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]  # no temporary folder left


def test_replaces_same_names_and_keeps_others(tmp_path: Path) -> None:
    (tmp_path / "invites").mkdir()
    (tmp_path / "notes.txt").write_bytes(b"mine")
    (tmp_path / "allocations.csv").write_bytes(b"old")
    (tmp_path / "invites" / "R-000.ics").write_bytes(b"older invite")
    write_outputs(tmp_path, {"allocations.csv": b"new", "invites/R-001.ics": b"ics"})
    assert snapshot(tmp_path) == {"allocations.csv": b"new", "invites/R-000.ics": b"older invite",
                                  "invites/R-001.ics": b"ics", "notes.txt": b"mine"}


def test_failure_while_writing_changes_nothing(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "allocations.csv").write_bytes(b"old")
    real_write = Path.write_bytes

    def failing_write(self: Path, data: bytes) -> int:
        if self.name == "proposals.csv":
            raise OSError(28, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(OSError, match="No space"):
        write_outputs(out, {"allocations.csv": b"new", "invites/R-1.ics": b"x",
                            "proposals.csv": b"p"})
    assert snapshot(out) == {"allocations.csv": b"old"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("name", ["../escape.csv", "/abs.csv", "a/b/c.csv", "", "a\\b.csv",
                                  "./x.csv"])
def test_bad_names_are_refused_before_writing(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="bad output file name"):
        write_outputs(tmp_path / "out", {"ok.csv": b"1", name: b"2"})
    assert list(tmp_path.iterdir()) == []


def test_folder_in_the_way_is_refused_before_writing(tmp_path: Path) -> None:
    (tmp_path / "invites.csv").mkdir()
    with pytest.raises(IsADirectoryError):
        write_outputs(tmp_path, {"a.csv": b"1", "invites.csv": b"2"})
    (tmp_path / "invites").write_bytes(b"a file")
    with pytest.raises(NotADirectoryError):
        write_outputs(tmp_path, {"a.csv": b"1", "invites/R-1.ics": b"2"})
    assert snapshot(tmp_path) == {"invites": b"a file"}


def test_csv_bytes_is_deterministic() -> None:
    rows: list[list[object]] = [
        ["R-1", None, True, date(2026, 4, 3), 3],
        ["R-2", 'say "hi", then\nleave', False,
         datetime(2026, 7, 1, 14, 5, tzinfo=timezone(timedelta(hours=1))), 2.5],
    ]
    data = csv_bytes(["request_id", "note", "eligible", "on", "score"], rows)
    assert data == (
        b"request_id,note,eligible,on,score\n"
        b"R-1,,true,2026-04-03,3\n"
        b'R-2,"say ""hi"", then\nleave",false,2026-07-01T14:05:00+01:00,2.5\n'
    )
    assert csv_bytes(["request_id", "note", "eligible", "on", "score"], iter(rows)) == data
    assert csv_bytes(["naïve"], [["café"]]) == "naïve\ncafé\n".encode()
