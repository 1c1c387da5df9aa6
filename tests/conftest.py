"""Shared fixtures: the bundled sample workspace (found the way the installed product finds
it), the command line's allocate and schedule runs on it (shared by the ``test_cli*`` modules)
and the ledger's databases (SQLite and a real PostgreSQL server, in ledger_fixtures)."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest

from allocator.policy import Policy
from jags.bundled import sample_folder
from jags.workspace import read_workspace

pytest_plugins = ["ledger_fixtures", "fake_graph"]

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from typer.testing import Result

    from allocator.models import Workspace


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The bundled sample workspace folder (read-only: copy it before changing anything)."""
    return sample_folder()


@pytest.fixture(scope="session")
def sample(sample_dir: Path) -> Workspace:
    """The bundled sample workspace, read and validated once per test session."""
    return read_workspace(sample_dir)


@pytest.fixture(scope="session", autouse=True)
def _session_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The runs shared by a whole session (``allocated``, ``scheduled``) keep calendar
    readings out of the user's ``~/.cache`` too."""
    folder = tmp_path_factory.mktemp("session-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


@pytest.fixture(autouse=True)
def _own_cache_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test (and every command it runs) keeps calendar readings in a folder of its own,
    never in the user's ``~/.cache``."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture(scope="session")
def norfolk() -> Policy:
    """The norfolk policy preset."""
    return Policy.preset("norfolk")


@pytest.fixture(scope="session")
def allocated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    """``jags allocate`` on the bundled sample: its result and output folder (read-only)."""
    from cli_helpers import ON, SAMPLE, jags

    out = tmp_path_factory.mktemp("allocate") / "out"
    result = jags("allocate", SAMPLE, "--on", ON, "--out", out)
    assert result.exit_code == 0, result.output
    return result, out


@pytest.fixture(scope="session")
def scheduled(
    allocated: tuple[Result, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Result, Path]:
    """``jags schedule`` of that allocation (the slow run, once per session): its result and
    output folder (read-only: use ``schedule_copy`` to change it)."""
    from cli_helpers import CONFIRMED, ON, SAMPLE, jags

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
