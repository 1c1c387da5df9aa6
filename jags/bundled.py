"""Data shipped inside the package: the synthetic sample workspace."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["sample_folder"]


def sample_folder() -> Path:
    """The bundled sample workspace (``data/sample/`` in the source tree).

    Found through the package's resources (``jags/sample_data``), so it is
    there after a regular, non-editable install too.
    """
    return Path(str(resources.files("jags").joinpath("sample_data")))
