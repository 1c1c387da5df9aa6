"""Tests of :mod:`jags.cli_base`, what every ``jags`` command shares: the ``--version``
option, and request ids given on the command line (``explain``, ``invite``), refused with
exit 2 and never repeated when unsafe."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import ON, SAMPLE, jags, snapshot

# Request ids on the command line ---------------------------------------------------------


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


# The --version option --------------------------------------------------------------------


def test_version() -> None:
    from importlib.metadata import version

    result = jags("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"jags-planner {version('jags-planner')}\n"
