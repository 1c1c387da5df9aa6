"""Shared fixtures: the bundled sample workspace (found the way the installed product finds
it) and the ledger's databases (SQLite and a real PostgreSQL server, in ledger_fixtures)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from allocator.policy import Policy
from jags.bundled import sample_folder
from jags.workspace import read_workspace

pytest_plugins = ["ledger_fixtures", "fake_graph"]

if TYPE_CHECKING:
    from pathlib import Path

    from allocator.models import Workspace


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The bundled sample workspace folder (read-only: copy it before changing anything)."""
    return sample_folder()


@pytest.fixture(scope="session")
def sample(sample_dir: Path) -> Workspace:
    """The bundled sample workspace, read and validated once per test session."""
    return read_workspace(sample_dir)


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
