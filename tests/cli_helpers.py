"""The ``jags`` command run in-process on the bundled sample, and what its tests read and
check: shared by the test modules of the command line (test_cli, test_cli_base,
test_cli_batch, test_cli_schedule, test_cli_ledger). Their shared runs (``allocated``,
``scheduled``, ``schedule_copy``) are fixtures in conftest."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from jags.bundled import sample_folder
from jags.cli import app

# The sample and the batch date -----------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = sample_folder()  # the bundled sample, found as the installed product finds it
ON = "2026-11-23"
CONFIRMED = date(2026, 11, 30)


# Running and reading ---------------------------------------------------------------------


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


# A tiny generated workspace --------------------------------------------------------------


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


# Property tests: success or exit 2, never a traceback ------------------------------------

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


def apply_changes(
    tables: dict[str, tuple[list[str], list[list[str]]]], changes: list[tuple[str, int, int, str]]
) -> dict[str, tuple[list[str], list[list[str]]]]:
    copied = {name: (list(head), [list(r) for r in rows]) for name, (head, rows) in tables.items()}
    for name, row, column, value in changes:
        copied[name][1][row][column] = value
    return copied


TINY = tiny_tables()
