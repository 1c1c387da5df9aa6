"""``jags scenarios run``: what a manager relies on at the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
from scenario_files import SAMPLE, scenario_file
from typer.testing import CliRunner

from jags.cli import app
from jags.scenarios.results import COLUMNS

RUNNER = CliRunner()
SCENARIOS = (
    '[[scenario]]\nname = "baseline"\n[[scenario]]\nname = "train 2 police"\n'
    'add_facilitators = {sector = "Police", count = 2, on = 2027-01-11}\n'
)


def test_run_writes_the_results_and_prints_a_summary(tmp_path: Path) -> None:
    plan = scenario_file(tmp_path, SAMPLE, rate=2.0, days=30, scenarios=SCENARIOS)
    out = tmp_path / "results" / "r.csv"
    result = RUNNER.invoke(
        app,
        [
            "scenarios",
            "run",
            str(plan),
            "-n",
            "2",
            "--seed",
            "3",
            "--out",
            str(out),
            "--daily",
            str(tmp_path / "d.parquet"),
        ],
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert tuple(frame.columns) == COLUMNS and len(frame) == 4
    assert "baseline (n=2)" in result.output and "train 2 police (n=2)" in result.output
    assert "Allocated by allocate-by" in result.output
    assert len(pd.read_parquet(tmp_path / "d.parquet")) == 2 * 2 * 30
    assert "Simulating" not in result.output  # no progress bar outside a terminal
    again = tmp_path / "again.csv"
    RUNNER.invoke(
        app,
        [
            "scenarios",
            "run",
            str(plan),
            "-n",
            "2",
            "--seed",
            "3",
            "--out",
            str(again),
            "--workers",
            "2",
        ],
    )
    assert again.read_bytes() == out.read_bytes()


def test_a_bad_scenario_file_exits_2_naming_file_key_and_value(tmp_path: Path) -> None:
    plan = scenario_file(
        tmp_path,
        SAMPLE,
        scenarios=(
            '[[scenario]]\nname = "x"\nremove_facilitators = {sector = "Health", count = 0, '
            "on = 2027-03-01}\n"
        ),
    )
    out = tmp_path / "r.csv"
    result = RUNNER.invoke(app, ["scenarios", "run", str(plan), "--out", str(out)])
    assert result.exit_code == 2
    assert (
        'what-if.toml: scenario 1 ("x"): remove_facilitators.count = 0: should be greater '
        "than or equal to 1"
    ) in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_bad_options_exit_2(tmp_path: Path) -> None:
    plan = scenario_file(tmp_path, SAMPLE, scenarios=SCENARIOS)
    for args, message in (
        (["--out", str(tmp_path / "r.txt")], "--out: 'r.txt' must end in .csv or .parquet"),
        (
            [
                "--out",
                str(tmp_path / "r.csv"),
                "--workers",
                "2",
                "--scheduler",
                "tcp://127.0.0.1:8786",
            ],
            "give --workers or --scheduler, not both",
        ),
        (["--out", str(tmp_path / "r.csv"), "-n", "0"], "--replications: 0 must be"),
    ):
        result = RUNNER.invoke(app, ["scenarios", "run", str(plan), *args])
        assert result.exit_code == 2, args
        assert message in result.output
    missing = RUNNER.invoke(
        app, ["scenarios", "run", str(tmp_path / "none.toml"), "--out", str(tmp_path / "r.csv")]
    )
    assert missing.exit_code == 2 and "none.toml: scenario file not found" in missing.output


def test_the_installed_command_runs_in_a_pipe(tmp_path: Path) -> None:
    plan = scenario_file(tmp_path, SAMPLE, rate=1.0, days=10, scenarios=SCENARIOS)
    jags = Path(sys.executable).parent / "jags"
    done = subprocess.run(
        [str(jags), "scenarios", "run", str(plan), "-n", "1", "--out", str(tmp_path / "r.parquet")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bar in a pipe
    assert len(pd.read_parquet(tmp_path / "r.parquet")) == 2


def test_a_terminal_gets_a_progress_bar(tmp_path: Path) -> None:
    plan = scenario_file(tmp_path, SAMPLE, rate=1.0, days=10, scenarios=SCENARIOS)
    jags = Path(sys.executable).parent / "jags"
    leader, follower = os.openpty()
    child = subprocess.Popen(
        [str(jags), "scenarios", "run", str(plan), "-n", "2", "--out", str(tmp_path / "r.csv")],
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    while True:  # read as it runs, so a full terminal buffer never blocks the command
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the command has closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert child.wait(timeout=120) == 0
    text = seen.decode("utf-8", "replace")
    assert "Simulating" in text and "4/4" in text and "replications" in text
