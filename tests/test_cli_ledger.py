"""End-to-end tests of the ledger's commands (:mod:`jags.cli_ledger`) as QA uses them:
``jags report`` and ``jags feedback import`` on a copy of the bundled sample with a ledger
(``jags init``, one batch committed).

The ledger's day-by-day commands (init, intake, record, status, export, purge) are tested
through the daily job in test_daily, test_daily_status and test_forms.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from cli_helpers import SAMPLE, jags, read_csv

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
