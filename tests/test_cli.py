"""Tests of :mod:`jags.cli`: the ``jags`` console script and the app it assembles (every
command module's commands, in the order of a day), ``jags policies``, and a start-up that
loads no heavy library.

Every command goes through the real Typer app (``jags.cli.app``). The other modules of the
command line have test modules of their own (test_cli_base, test_cli_batch,
test_cli_schedule, test_cli_ledger; their shared helpers are in cli_helpers); ``jags demo``
and ``jags generate`` are tested in test_demo and test_generate.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
from cli_helpers import ON, PROPERTY, ROOT, SAMPLE, assert_exit_0_or_2, jags, snapshot
from hypothesis import given
from hypothesis import strategies as st

from allocator import Policy
from allocator.presets import PRESETS
from jags.cli import app
from jags.policies import read_policy_file

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


# Property: whatever is in the files, the answer is success or exit 2, never a traceback ---


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
