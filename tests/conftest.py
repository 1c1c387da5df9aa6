"""Shared test set-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from allocator.policy import Policy

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test (and every command it runs) keeps calendar readings in a folder of its own,
    never in the user's ``~/.cache``."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture(scope="session")
def norfolk() -> Policy:
    """The norfolk policy preset."""
    return Policy.preset("norfolk")
