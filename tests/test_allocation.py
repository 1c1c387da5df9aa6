"""Tests for jags.allocation: the rows and files of an allocation run, and stable workbooks."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from builders import ON, fac, part, req, workspace

from allocator import (
    AllocationResult,
    Explainer,
    InputError,
    PastSession,
    Policy,
    Workspace,
    allocate,
)
from jags import allocation
from jags.allocation import (
    ADDED_COLUMNS,
    ALLOCATION_COLUMNS,
    EXPLANATION_COLUMNS,
    FILE_COLUMNS,
    STATUS_COLUMNS,
    allocation_file_rows,
    allocation_files,
    allocation_rows,
    check_batch_day,
    explanation_rows,
    run_allocation,
    summary_sentences,
)
from jags.csv_output import csv_bytes
from jags.files import Content

NAMED = "Knows the network from an earlier review"
REFUSED = "Asked for by the conference chair"


def batch() -> Workspace:
    """Five requests: a named pin (overriding a shared organisation), a refused pin, a
    preference without a rationale, a follow-up and a plain request."""
    return workspace(
        [
            fac("F1", "Org X"),
            fac("F2", "Org B", max_open=1, open_jags=1),
            fac("F3", "Org C", max_open=3),
            fac("F4", "Org D", sector="Police", max_open=3),
        ],
        [
            req("R1", preferred_facilitator_id="F1", preference_rationale=NAMED),
            req("R2", preferred_facilitator_id="F2", preference_rationale=REFUSED),
            req("R3", preferred_facilitator_id="F3"),
            req("R4", follow_up_of="H1"),
            req("R5"),
        ],
        participants=[part("R4", "p@org-e.example", "Org E")],
        history=[
            PastSession(
                request_id="H1",
                facilitator_id="F4",
                allocated_on=date(2026, 6, 1),
                held_on=date(2026, 6, 20),
                closed_on=date(2026, 6, 20),
            )
        ],
    )


@pytest.fixture(scope="module")
def result() -> AllocationResult:
    return allocate(batch(), Policy.preset("norfolk"), on=ON)


def rows_by_request(rows: list[tuple[object, ...]]) -> dict[object, tuple[object, ...]]:
    return {row[0]: row for row in rows}


def parse(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


# allocation_rows --------------------------------------------------------------------------


def test_rows_follow_the_contract(result: AllocationResult) -> None:
    rows = allocation_rows(result)
    assert [r[0] for r in rows] == ["R1", "R2", "R3", "R4", "R5"]
    assert all(len(r) == len(ALLOCATION_COLUMNS) for r in rows)
    for row in rows:
        record = dict(zip(ALLOCATION_COLUMNS, row, strict=True))
        assert record["status"] in ("allocated", "pinned", "unallocated")
        assert isinstance(record["allocate_by"], date)
        assert str(record["reason"]).strip()


def test_rationale_only_in_its_column_and_only_for_pinned_rows(result: AllocationResult) -> None:
    rows = rows_by_request(allocation_rows(result))
    column = ALLOCATION_COLUMNS.index("rationale")
    status = ALLOCATION_COLUMNS.index("status")
    fid = ALLOCATION_COLUMNS.index("facilitator_id")
    # a named facilitator with a rationale is pinned although they share an organisation
    assert rows["R1"][status] == "pinned" and rows["R1"][fid] == "F1"
    assert rows["R1"][column] == NAMED
    # a follow-up keeps its facilitator; the rationale says why
    assert rows["R4"][status] == "pinned" and rows["R4"][fid] == "F4"
    assert "H1" in str(rows["R4"][column])
    # a pin a hard rule refuses (F2 is full) is not a pin, and carries no rationale
    assert rows["R2"][status] != "pinned" and rows["R2"][fid] != "F2"
    assert rows["R2"][column] == ""
    # a preference without a rationale is not a pin
    assert rows["R3"][status] != "pinned" and rows["R3"][column] == ""
    assert rows["R5"][column] == ""
    for row in rows.values():
        text = " ".join(str(v) for i, v in enumerate(row) if i != column)
        assert NAMED not in text and REFUSED not in text
    for ex in explanation_rows(result):
        assert NAMED not in str(ex[4]) and REFUSED not in str(ex[4])


def test_co_facilitated_pin_puts_the_rationale_on_the_pinned_row_only() -> None:
    ws = workspace(
        [
            fac("F1", "Org X", can_lead=True),
            fac("F2", "Org B", sector="Police"),
            fac("F3", "Org C", sector="Education"),
        ],
        [req("R1", preferred_facilitator_id="F1", preference_rationale=NAMED)],
    )
    res = allocate(ws, Policy.preset("bedfordshire"), on=ON)
    rows = allocation_rows(res)
    assert len(rows) == 2
    column = ALLOCATION_COLUMNS.index("rationale")
    for row in rows:
        record = dict(zip(ALLOCATION_COLUMNS, row, strict=True))
        assert record["role"] in ("lead", "co")
        if record["facilitator_id"] == "F1":
            assert record["status"] == "pinned" and row[column] == NAMED
        else:
            assert record["status"] != "pinned" and row[column] == ""


# allocation_files -------------------------------------------------------------------------


def materialise(files: dict[str, Content]) -> dict[str, bytes]:
    """File contents as bytes (explanations.csv comes as chunks)."""
    return {
        name: data if isinstance(data, bytes) else b"".join(data) for name, data in files.items()
    }


def test_files_hold_every_row_with_the_contract_headers(result: AllocationResult) -> None:
    files = materialise(allocation_files(result))
    assert sorted(files) == ["allocations.csv", "explanations.csv", "facilitator_status.csv"]
    allocations = parse(files["allocations.csv"])
    assert list(allocations[0]) == list(ALLOCATION_COLUMNS + ADDED_COLUMNS)
    assert len(allocations) == 5
    assert allocations[0]["allocate_by"] == result.assignments[0].allocate_by.isoformat()
    for row in allocations:  # ready to act on: who, how to reach them, which batch
        fid = row["facilitator_id"]
        assert row["batch_date"] == ON.isoformat()
        assert row["facilitator_name"] == f"Facilitator {fid}"
        assert row["facilitator_email"] == f"{fid.lower()}@fac.example"
        assert row["requester_email"] == f"{row['request_id'].lower()}@req.example"
        assert row["code"] == {"allocated": "chosen", "pinned": "pinned"}[row["status"]]
    explanations = parse(files["explanations.csv"])
    assert list(explanations[0]) == list(EXPLANATION_COLUMNS)
    assert {e["eligible"] for e in explanations} <= {"true", "false"}
    # F2 is at capacity before the batch: said once, in facilitator_status.csv, and
    # only where a request named them (R2's refused pin).
    assert [e["request_id"] for e in explanations if e["facilitator_id"] == "F2"] == ["R2"]
    status = {s["facilitator_id"]: s for s in parse(files["facilitator_status.csv"])}
    assert list(next(iter(status.values()))) == list(STATUS_COLUMNS)
    assert status["F2"] == {
        "facilitator_id": "F2",
        "code": "at_capacity",
        "detail": "already at 1 of 1 open JAGS",
        "open_load": "1",
        "max_open": "1",
    }
    assert {s["code"] for f, s in status.items() if f != "F2"} == {"available"}
    # R1's named facilitator F1 shares its organisation and is pinned: their row says so.
    pinned = [e for e in explanations if e["request_id"] == "R1" and e["facilitator_id"] == "F1"]
    assert [(e["eligible"], e["code"]) for e in pinned] == [("true", "pinned")]
    # R2 named F2 with a rationale, but F2 is full: the refused pin is R2's own row.
    refused = [e for e in explanations if e["request_id"] == "R2" and e["facilitator_id"] == "F2"]
    assert [(e["eligible"], e["code"], e["detail"]) for e in refused] == [
        ("false", "at_capacity", "named facilitator, not honoured: already at 1 of 1 open JAGS")
    ]


def test_full_explanations_list_every_pair(result: AllocationResult) -> None:
    files = materialise(allocation_files(result, explain="full"))
    explanations = parse(files["explanations.csv"])
    assert {(e["request_id"], e["facilitator_id"]) for e in explanations} == {
        (r, f) for r in ("R1", "R2", "R3", "R4", "R5") for f in ("F1", "F2", "F3", "F4")
    }
    assert len(explanations) == 20
    full = [e for e in explanations if e["facilitator_id"] == "F2"]
    assert all(e["eligible"] == "false" and e["code"] == "at_capacity" for e in full)
    assert explanations == [
        dict(zip(EXPLANATION_COLUMNS, map(cell, row), strict=True))
        for row in explanation_rows(result, explain="full")
    ]


def cell(value: object) -> str:
    return {True: "true", False: "false"}.get(value, str(value))  # type: ignore[call-overload]


def test_files_are_deterministic_across_runs(result: AllocationResult) -> None:
    again = allocate(batch(), Policy.preset("norfolk"), on=ON)
    first = materialise(allocation_files(result, xlsx=True))
    second = materialise(allocation_files(again, xlsx=True))
    assert sorted(first) == [
        "allocations.csv",
        "allocations.xlsx",
        "explanations.csv",
        "facilitator_status.csv",
    ]
    assert first == second


def summary_of(book: openpyxl.Workbook) -> dict[object, object]:
    """The Summary sheet's label → value lines (the title row has no value)."""
    return {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if len(r) > 1}


def test_workbook_has_summary_allocations_explanations_and_facilitators(
    result: AllocationResult,
) -> None:
    files = materialise(allocation_files(result, xlsx=True))
    book = openpyxl.load_workbook(io.BytesIO(files["allocations.xlsx"]), read_only=True)
    try:
        assert book.sheetnames == ["Summary", "Allocations", "Explanations", "Facilitators"]
        sheet = list(book["Allocations"].iter_rows(values_only=True))
        assert list(sheet[0]) == list(FILE_COLUMNS)
        assert [r[0] for r in sheet[1:]] == ["R1", "R2", "R3", "R4", "R5"]
        csv_rows = parse(files["allocations.csv"])
        for got, want in zip(sheet[1:], csv_rows, strict=True):  # the same table as the CSV
            assert [
                cell(v.date() if isinstance(v, datetime) else v) if v is not None else ""
                for v in got
            ] == list(want.values())
        rows = len(parse(files["explanations.csv"]))
        assert len(list(book["Explanations"].iter_rows(values_only=True))) == rows + 1
        assert len(list(book["Facilitators"].iter_rows(values_only=True))) == 5
        summary = summary_of(book)
        assert summary["Policy"] == "norfolk"
        assert summary["Batch date"] == datetime(2026, 11, 20)
        assert summary["Requests"] == "5 of 5 requests allocated; none waiting."
        assert "Note" not in summary
    finally:
        book.close()


def test_workbook_sheets_are_ready_to_use(result: AllocationResult) -> None:
    """Bold frozen header, filters on every column, widths, real dates, plain English."""
    files = materialise(allocation_files(result, xlsx=True))
    book = openpyxl.load_workbook(io.BytesIO(files["allocations.xlsx"]))
    for name, header in (
        ("Allocations", FILE_COLUMNS),
        ("Explanations", EXPLANATION_COLUMNS),
        ("Facilitators", STATUS_COLUMNS),
    ):
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert [c.value for c in sheet[1]] == list(header)
        assert all(c.font.b for c in sheet[1]), name
        last = openpyxl.utils.get_column_letter(len(header))
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", name
        widths = [
            sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width
            for i in range(1, len(header) + 1)
        ]
        assert all(w and 6 <= w <= 90 for w in widths), (name, widths)
    allocations = book["Allocations"]
    for column in ("allocate_by", "batch_date"):
        cells = [row[FILE_COLUMNS.index(column)] for row in allocations.iter_rows(min_row=2)]
        assert all(c.is_date and c.data_type == "d" for c in cells), column
        assert all(c.number_format == "yyyy-mm-dd" for c in cells)
    reason = FILE_COLUMNS.index("reason")
    assert (
        allocations.column_dimensions[openpyxl.utils.get_column_letter(reason + 1)].width
        > allocations.column_dimensions["C"].width
    )  # the reason gets room, the role does not
    summary = book["Summary"]
    assert summary["A1"].font.b
    text = " ".join(str(c.value) for row in summary.iter_rows() for c in row if c.value)
    assert "stage" not in text.casefold() and "_" not in text  # no codes
    numbers = {int(n) for n in re.findall(r"\d+", text)}  # counts and the date, nothing else
    assert numbers <= {*result.summary.values(), 20, 2026, 11, 0}, numbers


def test_summary_sentences_say_what_waits_in_plain_english() -> None:
    # One place (F1) for three requests on Friday 20: R1 and R2 (received Monday, due
    # Wednesday) are late, R1 is allocated; R3 (received Wednesday) is due today.
    ws = workspace(
        [fac("F1", "Org A", max_open=1), fac("F2", "Org X")],
        [req("R1", day=16), req("R2", day=16, hour=11), req("R3", day=18)],
    )
    res = allocate(ws, Policy.preset("norfolk"), on=ON)
    lines = summary_sentences(res)
    assert lines[0] == (
        "1 of 3 requests allocated; 2 waiting, 1 of them past their "
        "allocate-by date and 1 due today."
    )
    assert lines[1] == "1 of the allocated requests was already past its allocate-by date."
    assert (
        lines[-1] == "The allocation is the best possible under the policy's rules and priorities."
    )
    assert summary_sentences(res, full=False) == lines[:1]  # the console lists the late ones


def test_waiting_requests_carry_the_code_that_keeps_them_waiting() -> None:
    # F1 has one place: R1 (older) takes it, so R2 waits at the oldest-first stage;
    # F2 is full before the batch, so R3 (only F2 is independent of Org A) waits at
    # capacity; R4 shares its organisation with every facilitator.
    ws = workspace(
        [fac("F1", "Org A", max_open=1), fac("F2", "Org B", max_open=1, open_jags=1)],
        [
            req("R1", "Org B", day=16),
            req("R2", "Org B", day=17),
            req("R3", "Org A", day=17),
            req("R4", "Org A", day=18),
        ],
        participants=[part("R4", "p@b.example", "Org B")],
    )
    res = allocate(ws, Policy.preset("norfolk"), on=ON)
    codes = {row[0]: row[FILE_COLUMNS.index("code")] for row in allocation_file_rows(res)}
    assert codes == {
        "R1": "chosen",
        "R2": "stage_2_oldest_first",
        "R3": "at_capacity",
        "R4": "shares_organisation",
    }
    reasons = {a.request_id: a.reason for a in res.assignments}
    assert "at capacity" in reasons["R3"] and "no facilitator is eligible" in reasons["R4"]
    assert all("stage" not in reason for reason in reasons.values())  # words, not codes


def test_a_batch_on_a_non_working_day_is_refused_with_the_next_working_day() -> None:
    norfolk = Policy.preset("norfolk")
    check_batch_day(norfolk, date(2026, 11, 23))  # a Monday
    cases = {
        date(2026, 11, 21): ("Saturday 21 November 2026", "a weekend", "Monday 23 November 2026"),
        date(2026, 12, 25): (
            "Friday 25 December 2026",
            "Christmas Day, a bank holiday",
            "Tuesday 29 December 2026",
        ),
        date(2027, 3, 29): (
            "Monday 29 March 2027",
            "Easter Monday, a bank holiday",
            "Tuesday 30 March 2027",
        ),
    }
    for day, (said, why, nxt) in cases.items():
        with pytest.raises(InputError) as error:
            check_batch_day(norfolk, day)
        assert str(error.value) == (
            f"--on: {said} is not a working day ({why}); the next "
            f"working day is {nxt}. Add --force to run the batch on it "
            f"anyway"
        )
    closed = norfolk.replace(closure_days=(date(2026, 11, 23), date(2026, 11, 24)))
    with pytest.raises(
        InputError,
        match=r"a closure day in the policy\); the next working "
        r"day is Wednesday 25 November 2026",
    ):
        check_batch_day(closed, date(2026, 11, 23))


def test_workbook_explanations_are_capped_with_a_note(
    result: AllocationResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(allocation, "XLSX_EXPLANATION_LIMIT", 3)
    files = materialise(allocation_files(result, xlsx=True))
    book = openpyxl.load_workbook(io.BytesIO(files["allocations.xlsx"]), read_only=True)
    try:
        assert len(list(book["Explanations"].iter_rows(values_only=True))) == 4
        summary = summary_of(book)
        total = len(parse(files["explanations.csv"]))
        assert total > 3
        assert str(total) in str(summary["Note"]) and "explanations.csv" in str(summary["Note"])
    finally:
        book.close()


def test_calendar_aware_allocation_skips_a_facilitator_booked_all_window(tmp_path: Path) -> None:
    from jags.generate import write_workspace

    ws = workspace([fac("F1", "Org A"), fac("F2", "Org B")], [req("R1")])
    write_workspace(ws, tmp_path)
    (tmp_path / "calendars").mkdir()
    # F1 is out of the office for the whole expected window (11–18 Dec 2026).
    (tmp_path / "calendars" / "availability.csv").write_text(
        "email,start,end,status\n"
        "f1@fac.example,2026-12-01T00:00,2027-01-10T00:00,oof\n"
        "f2@fac.example,2026-12-14T09:00,2026-12-14T10:00,busy\n"
    )
    plain = run_allocation(tmp_path, Policy.preset("norfolk"), ON)
    aware = run_allocation(tmp_path, Policy.preset("norfolk").replace(calendar_aware=True), ON)
    assert plain.facilitators_of("R1") == ("F1",)
    assert aware.facilitators_of("R1") == ("F2",)
    f1 = next(e for e in Explainer(aware.instance, aware.chosen).rows() if e.facilitator_id == "F1")
    assert (f1.code, f1.detail) == (
        "on_leave",
        "no free session slot in the expected window (calendar)",
    )


# Unchanged from the starting point -------------------------------------------------------

START = Path(__file__).parent / "data" / "start-31249b7"
SAMPLE = Path(__file__).parent.parent / "data" / "sample"


@pytest.mark.parametrize("policy", ["norfolk", "bedfordshire"])
def test_sample_allocations_are_unchanged_from_the_starting_point(policy: str) -> None:
    golden = START / f"sample-{policy}"
    result = run_allocation(SAMPLE, Policy.preset(policy), date(2026, 11, 23))
    files = materialise(allocation_files(result, explain="full"))
    assert files["explanations.csv"] == (golden / "explanations.csv").read_bytes()
    # allocations.csv: byte-identical once the corrected waiting clause is put back.
    old_waiting = json.loads((golden / "unblock.json").read_text("utf-8"))
    assert set(old_waiting) == set(result.unblock)
    header, *rows = csv.reader(io.StringIO((golden / "allocations.csv").read_text("utf-8")))
    for row in rows:
        if row[0] in old_waiting:
            row[5] = row[5].replace(
                f"Waiting: {old_waiting[row[0]]}", f"Waiting: {result.unblock[row[0]]}", 1
            )
    # The columns first released are unchanged; the added ones follow them.
    made = list(csv.reader(io.StringIO(files["allocations.csv"].decode("utf-8"))))
    assert made[0] == [*header, *ADDED_COLUMNS]
    assert csv_bytes(header, [row[: len(header)] for row in made[1:]]) == csv_bytes(header, rows)
