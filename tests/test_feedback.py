"""Tests for :mod:`jags.feedback`: the column mapping, reading Forms exports (.xlsx and
CSV), errors that name the file, row and column, and the bundled sample export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from allocator import InputError
from jags.feedback import SAMPLE_FILE, Mapping, load_mapping, read_export, sample_export
from jags.generate import sample_workspace
from jags.workspace_problems import WorkspaceReadError

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / SAMPLE_FILE
HEADER = (
    "ID,Completion time,Name,JAGS request number,Your role in the session,"
    "Themes agreed by the group,"
    '"Before the session, how confident did you feel about working with this family?",'
    '"After the session, how confident do you feel about working with this family?",'
    "Anything else you would like to tell us?\n"
)


def export(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_sample_preset_reads_the_bundled_forms_workbook() -> None:
    responses = read_export(SAMPLE, load_mapping(None))
    assert len(responses) > 40
    first = responses[0]
    assert first.response_id == "jags-feedback:1"
    assert first.request_id.startswith("H-")
    assert 3 <= len(first.themes) <= 5 and all(first.themes)
    assert first.confidence_before is not None and 1 <= first.confidence_before <= 5
    assert isinstance(first.submitted_on, date)
    assert first.where == f"{SAMPLE_FILE}, row 2"


def test_the_bundled_sample_matches_its_generator() -> None:
    assert SAMPLE.read_bytes() == sample_export(sample_workspace().history)


def test_csv_multi_select_and_dates(tmp_path: Path) -> None:
    path = export(
        tmp_path,
        "7,24/11/2026 10:15,Jo Bloggs,R-0001,Facilitator,"
        "Drift; Family  voice ;Complexity;,2,4,Private comment",
    )
    (response,) = read_export(path, load_mapping("sample"))
    assert response.themes == ("Drift", "Family voice", "Complexity")
    assert response.submitted_on == date(2026, 11, 24)  # UK date, never US
    assert (response.confidence_before, response.confidence_after) == (2, 4)
    assert "Jo Bloggs" not in repr(response) and "Private" not in repr(response)


def test_every_bad_cell_names_file_row_and_column(tmp_path: Path) -> None:
    path = export(
        tmp_path,
        "1,2026-11-24,,R-0001,Facilitator,Drift;Complexity,7,4,",
        "2,2026-11-24,,,Participant,Drift,2,x,",
        "3,2026-13-40,,R-0002,Participant,,2,3,",
        "1,2026-11-24,,R-0003,Participant,Drift,2,3,",
    )
    with pytest.raises(WorkspaceReadError) as caught:
        read_export(path, load_mapping(None))
    lines = str(caught.value).splitlines()
    before = "Before the session, how confident did you feel about working with this family?"
    after = "After the session, how confident do you feel about working with this family?"
    assert lines == [
        f"export.csv, row 2, column {before}: 7 is outside the scale 1–5",
        "export.csv, row 3, column JAGS request number: empty or not a request id (e.g. R-0012)",
        f"export.csv, row 3, column {after}: not a whole number from 1 to 5",
        "export.csv, row 4, column Themes agreed by the group: 0 theme(s): give 1 to 5, "
        "separated by ';'",
        "export.csv, row 4, column Completion time: not a date (use YYYY-MM-DD or dd/mm/yyyy)",
        "export.csv, row 5, column ID: the same response id as row 2",
    ]


def test_free_text_in_the_themes_is_refused_and_never_repeated(tmp_path: Path) -> None:
    story = "the family told us that the eldest child has been missing from school again"
    path = export(tmp_path, f"1,2026-11-24,,R-0001,Facilitator,Drift;{story},2,4,")
    with pytest.raises(WorkspaceReadError) as caught:
        read_export(path, load_mapping(None))
    assert "longer than 6 words" in str(caught.value)
    assert "missing from school" not in str(caught.value)


def test_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("ID,Something else\n1,2\n", encoding="utf-8")
    with pytest.raises(
        WorkspaceReadError,
        match=r"x.csv, row 1, column JAGS request number: "
        r"column for request_id not found",
    ):
        read_export(path, load_mapping(None))


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nothere\.csv: file not found"):
        read_export(tmp_path / "nothere.csv", load_mapping(None))
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(InputError, match=r"broken\.xlsx: not a readable \.xlsx workbook"):
        read_export(bad, load_mapping(None))


def test_mappings(tmp_path: Path) -> None:
    own = tmp_path / "ours.toml"
    own.write_text(
        'form = "ours"\n[columns]\nresponse_id = "Ref"\nrequest_id = "Request"\n'
        'themes = "Themes"\n[scores]\nmin = 0\nmax = 10\n',
        encoding="utf-8",
    )
    mapping = load_mapping(str(own))
    assert mapping == Mapping(
        form="ours",
        columns={"response_id": "Ref", "request_id": "Request", "themes": "Themes"},
        score_min=0,
        score_max=10,
    )
    (tmp_path / "e.csv").write_text("Ref,Request,Themes\nA1,R-1,Drift;\n", encoding="utf-8")
    (response,) = read_export(tmp_path / "e.csv", mapping)
    assert response.response_id == "ours:A1" and response.confidence_before is None
    for text, message in (
        ("[columns]\nresponse_id = 'ID'\n", "must name request_id, themes"),
        ("[columns]\nnope = 'x'\n", "unknown field"),
        ("columns = 3", "needs a"),
        ("[columns\n", "not valid TOML"),
        (
            "[columns]\nresponse_id='a'\nrequest_id='b'\nthemes='c'\n[scores]\nmin=5\nmax=1\n",
            "inconsistent",
        ),
    ):
        with pytest.raises(InputError, match=message):
            Mapping.from_toml(text, "m.toml")
    with pytest.raises(InputError, match="not a preset"):
        load_mapping(str(tmp_path / "missing.toml"))
