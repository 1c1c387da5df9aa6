"""Where every request stands on the ledger: ``jags status`` as a table, CSV, JSON and
status.xlsx."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from daily_helpers import WEEK, jags, ok, sample_copy, status


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return sample_copy(tmp_path, monkeypatch)


def test_status_as_json_and_a_single_request(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0])
    ok("allocate", ws, "--on", WEEK[0], "--commit")
    rows = json.loads(
        ok("status", ws, "--format", "json", "--request", "R-0001", "--on", "2026-11-30").stdout
    )
    assert len(rows) == 1 and rows[0]["request_id"] == "R-0001"
    assert rows[0]["overdue"] == "no contact recorded by 2026-11-23"
    missing = jags("status", ws, "--request", "R-9999")
    assert missing.exit_code == 2 and "R-9999 is not in the ledger" in missing.stderr
    table = ok("status", ws, "--on", "2026-11-30")
    assert "R-0001" in table.stdout


def test_dates_in_status_are_iso(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0])
    ok("allocate", ws, "--on", WEEK[0], "--commit")
    row = status(ws)["R-0001"]
    assert date.fromisoformat(row["allocate_by"]) == date(2026, 11, 12)
    assert row["received_at"].startswith("2026-11-10T11:34")


def test_status_workbook_is_ready_to_use(ws: Path) -> None:
    import openpyxl

    ok("init", ws, "--on", WEEK[0])
    ok("allocate", ws, "--on", WEEK[0], "--commit")
    ok("record", ws, "R-0001", "contacted", "--on", WEEK[0])
    result = ok("status", ws, "--format", "xlsx", "--on", "2026-11-25")
    folder = ws / "status" / "2026-11-25"
    assert result.stdout.splitlines() == [
        "12 request(s) on the ledger on Wed 25 Nov 2026: 11 allocated (not yet contacted); "
        "1 contacted (not yet confirmed).",
        "11 overdue (see the overdue column): R-0002, R-0003, R-0004, R-0005, R-0006, R-0007, "
        "R-0008, R-0009, R-0010, R-0011, R-0012.",
        "40 facilitator(s) hold 52 open JAGS of 85 places; 19 at their maximum.",
        f"Files: {folder} (status.xlsx)",
    ]
    book = openpyxl.load_workbook(folder / "status.xlsx")
    assert book.sheetnames == ["Summary", "Requests", "Facilitators"]
    rows = status(ws)
    requests = book["Requests"]
    header = [c.value for c in requests[1]]
    assert header[:3] == ["request_id", "state", "received_at"]
    assert all(c.font.b for c in requests[1]) and requests.freeze_panes == "A2"
    assert requests.auto_filter.ref == f"A1:L{len(rows) + 1}"
    first = {h: c for h, c in zip(header, requests[2], strict=True)}
    assert first["request_id"].value == "R-0001"
    assert first["received_at"].is_date and first["received_at"].value == datetime(
        2026, 11, 10, 11, 34
    )
    assert first["allocate_by"].is_date and first["allocate_by"].value == datetime(2026, 11, 12)
    assert first["contacted_on"].value == datetime(2026, 11, 16)
    assert (
        first["overdue"].value == "no contact recorded by 2026-11-23"
        or first["overdue"].value is None
    )
    assert [r[0].value for r in requests.iter_rows(min_row=2)] == list(rows)
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)}
    assert summary["Requests"] == result.stdout.splitlines()[0]
    assert summary["Date"] == datetime(2026, 11, 25)
    assert "_" not in " ".join(str(v) for v in summary.values())
    facilitators = book["Facilitators"]
    assert [c.value for c in facilitators[1]] == [
        "facilitator_id",
        "name",
        "open_load",
        "max_open",
        "requests",
    ]
    # the same ledger gives the same bytes; another folder, the same file
    ok("status", ws, "--format", "xlsx", "--on", "2026-11-25", "--out", ws.parent / "copy")
    assert (ws.parent / "copy" / "status.xlsx").read_bytes() == (
        folder / "status.xlsx"
    ).read_bytes()
    # a changed ledger is a different result: refused without --force
    ok("record", ws, "R-0002", "contacted", "--on", "2026-11-25")
    refused = jags("status", ws, "--format", "xlsx", "--on", "2026-11-25")
    assert refused.exit_code == 2 and "holds an earlier result" in refused.stderr
    ok("status", ws, "--format", "xlsx", "--on", "2026-11-25", "--force")
    for args in (("--request", "R-0001"), ("--facilitators",)):
        bad = jags("status", ws, "--format", "xlsx", *args)
        assert bad.exit_code == 2 and "leave out --request and --facilitators" in bad.stderr
    bad = jags("status", ws, "--out", ws.parent / "x")
    assert bad.exit_code == 2 and "only with --format xlsx" in bad.stderr


def test_status_workbook_never_holds_a_formula(ws: Path) -> None:
    import openpyxl

    rows = list(csv.DictReader((ws / "facilitators.csv").open(encoding="utf-8")))
    rows[0]["name"] = '=HYPERLINK("http://evil.example","x")'
    with (ws / "facilitators.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ok("init", ws, "--on", WEEK[0])
    ok("allocate", ws, "--on", WEEK[0], "--commit", "--format", "xlsx")
    ok("status", ws, "--format", "xlsx", "--on", WEEK[0])
    for path in (
        ws / "status" / WEEK[0] / "status.xlsx",
        ws / "batches" / WEEK[0] / "allocations.xlsx",
    ):
        book = openpyxl.load_workbook(path)
        cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
        assert not [c for c in cells if c.data_type == "f"], path.name
        hostile = [c for c in cells if c.value == rows[0]["name"]]
        assert hostile and all(c.data_type == "s" for c in hostile), path.name
