"""The request form: a Microsoft Forms export read through a column mapping."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from allocator import InputError
from jags.cli import app
from jags.forms import FormMapping, load_form_mapping, read_form, read_inputs, sample_form_export
from jags.workspace import read_workspace
from jags.workspace_problems import WorkspaceReadError

FORM = "request-form.xlsx"


def titles() -> dict[str, str]:
    return load_form_mapping("sample").columns


def edited(sample_dir: Path, tmp_path: Path, changes: dict[tuple[int, str], object]) -> Path:
    """A copy of the sample export with cells changed: (row, column title) → value."""
    book = openpyxl.load_workbook(sample_dir / FORM)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for (row, title), value in changes.items():
        sheet.cell(row=row, column=header.index(title) + 1).value = value
    path = tmp_path / FORM
    book.save(path)
    return path


def test_the_sample_export_gives_the_sample_requests_and_participants(sample_dir: Path) -> None:
    files = read_workspace(sample_dir)
    read = read_form(sample_dir / FORM, load_form_mapping(None))
    assert read.requests == tuple(sorted(files.requests, key=lambda r: r.request_id))
    assert read.participants == files.participants
    assert read.rows["R-0001"] == 2


def test_the_bundled_export_is_the_generators_output(sample_dir: Path) -> None:
    assert (sample_dir / FORM).read_bytes() == sample_form_export(read_workspace(sample_dir))


def test_a_multi_select_topic_gives_its_first_choice(sample_dir: Path, tmp_path: Path) -> None:
    path = edited(
        sample_dir,
        tmp_path,
        {
            (2, titles()["topic"]): "neglect;exploitation;",
            (2, titles()["mode"]): "online (microsoft teams)",
        },
    )
    first = read_form(path, load_form_mapping(None)).requests[0]
    assert (first.topic, first.mode.value) == ("neglect", "online")


def test_the_export_saved_as_csv_reads_the_same(sample_dir: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(sample_dir / FORM, data_only=True)
    path = tmp_path / "requests-form.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        for row in book.worksheets[0].iter_rows(values_only=True):
            writer.writerow(
                [
                    ""
                    if v is None
                    else v.strftime("%d/%m/%Y %H:%M")
                    if hasattr(v, "strftime")
                    else v
                    for v in row
                ]
            )
    assert (
        read_form(path, load_form_mapping(None)).requests
        == read_form(sample_dir / FORM, load_form_mapping(None)).requests
    )


def test_bad_cells_name_the_export_row_and_question_never_the_value(
    sample_dir: Path, tmp_path: Path
) -> None:
    t = titles()
    path = edited(
        sample_dir,
        tmp_path,
        {
            (3, t["requester_email"]): "Jayden Smith DOB 01/02/2015",
            (4, t["case_ref"]): None,
            (5, "Professional 1: e-mail"): "not an address",
            (6, t["request_id"]): 2,  # response 2 again: R-0002 twice
        },
    )
    with pytest.raises(WorkspaceReadError) as info:
        read_form(path, load_form_mapping(None))
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {
        (3, t["requester_email"]),
        (4, t["case_ref"]),
        (5, "Professional 1: e-mail"),
        (6, t["request_id"]),
    }
    text = str(info.value)
    assert "Jayden" not in text and "not an address" not in text
    assert f"{FORM}, row 4, column {t['case_ref']}: value is empty" in text
    assert "request R-0002 appears twice (first in row 3)" in text


def test_a_question_missing_from_the_export_is_named(sample_dir: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(sample_dir / FORM)
    book.worksheets[0].delete_cols(9)  # "Case reference …"
    path = tmp_path / FORM
    book.save(path)
    with pytest.raises(WorkspaceReadError, match="column is missing from the export"):
        read_form(path, load_form_mapping(None))


def test_references_are_checked_against_the_workspace(sample_dir: Path, tmp_path: Path) -> None:
    t = titles()
    path = edited(
        sample_dir,
        tmp_path,
        {(2, t["preferred_facilitator_id"]): "F999", (3, t["follow_up_of"]): "H-9999"},
    )
    with pytest.raises(WorkspaceReadError) as info:
        read_inputs(sample_dir, form=path)
    assert {(p.row, p.column, p.message) for p in info.value.problems} == {
        (2, t["preferred_facilitator_id"], "unknown facilitator F999"),
        (3, t["follow_up_of"], "request H-9999 is not an earlier JAGS"),
    }


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("x = 1", r"needs a \[columns\] table"),
        ('[columns]\nrequest_id = "ID"', "must name received_at"),
        ('[columns]\nwho = "Name"', "unknown field"),
        (
            '[columns]\nrequest_id="ID"\nreceived_at="a"\nrequester_name="b"\nrequester_email="c"\n'
            'requester_organisation="d"\ncase_ref="e"\n[[participants]]\nname = "n"',
            "participants group 1 needs name, email and organisation",
        ),
    ],
)
def test_a_mapping_with_a_mistake_says_what(toml: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_form_mapping(str(path))


def test_response_numbers_become_request_ids() -> None:
    mapping = FormMapping({"request_id": "ID"}, "JAGS-", 3)
    assert mapping.request_id("7") == "JAGS-007"
    assert mapping.request_id("R-12") == "R-12"


def test_intake_and_allocate_from_the_form_with_a_ledger(sample_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    for name in ("facilitators", "leave", "involvements", "history", "organisations"):
        shutil.copy(sample_dir / f"{name}.csv", folder)
    runner = CliRunner()
    form = sample_dir / FORM
    assert runner.invoke(app, ["init", str(folder), "--on", "2026-11-16"]).exit_code == 0
    first = runner.invoke(app, ["intake", str(folder), "--on", "2026-11-16", "--form", str(form)])
    assert first.exit_code == 0, first.output
    assert "12 new request(s) imported" in first.stdout
    again = runner.invoke(app, ["intake", str(folder), "--on", "2026-11-16", "--form", str(form)])
    assert "0 new request(s) imported" in again.stdout
    day = runner.invoke(
        app, ["allocate", str(folder), "--on", "2026-11-17", "--commit", "--form", str(form)]
    )
    assert day.exit_code == 0, day.output
    assert "3 new request(s) imported" in day.stdout
