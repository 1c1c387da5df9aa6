"""Output files: deterministic CSV bytes and an all-or-nothing write of several files."""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["Content", "csv_bytes", "csv_line", "write_outputs"]

Content = bytes | Iterable[bytes]
"""A file's content: bytes, or chunks of bytes streamed into the file as they come."""


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Render a table as deterministic CSV.

    UTF-8 without BOM, ``"\\n"`` line endings, minimal quoting; ``None`` is an
    empty cell, booleans are ``true``/``false``, dates and date-times ISO 8601.

    Parameters
    ----------
    header
        Column names, written as the first line.
    rows
        One sequence of cell values per line.

    Returns
    -------
    bytes
        The encoded CSV text.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows([v if type(v) is str else _cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def csv_line(row: Sequence[object]) -> bytes:
    """One line of CSV exactly as :func:`csv_bytes` writes it (with its ``"\n"``)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(
        [v if type(v) is str else _cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _parts(name: str) -> list[str]:
    """Check an output name: a file, or one subfolder then a file; nothing else."""
    parts = name.split("/")
    if "\\" in name or not 1 <= len(parts) <= 2 or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad output file name {name!r}")
    return parts


def write_outputs(out_dir: Path, files: Mapping[str, Content]) -> list[Path]:
    """Write several files into ``out_dir``: all of them, or none.

    Every file is first written into a temporary folder beside ``out_dir``
    (same parent, so each final move is an atomic rename); only when all are
    written are they moved into place. If anything fails before that, nothing
    in ``out_dir`` changes and the temporary folder is removed. Files in
    ``out_dir`` with other names are left alone; same-named ones are replaced.

    Parameters
    ----------
    out_dir
        Destination folder; created (with its parents) when missing.
    files
        File name → content: bytes, or an iterable of byte chunks written as
        they come (so a large file is never held in memory whole). A name may
        hold one subfolder level (``"invites/R-001.ics"``).

    Returns
    -------
    list[Path]
        The written paths, in the order of ``files``.

    Raises
    ------
    ValueError
        For a name that is absolute, empty, climbs out (``..``) or nests deeper.
    OSError
        When a file cannot be written; ``out_dir`` is then unchanged.
    """
    out_dir = Path(out_dir).absolute()
    names = {name: _parts(name) for name in files}
    targets = [out_dir.joinpath(*names[name]) for name in files]
    for target in [out_dir, *{t.parent for t in targets}]:
        if target.exists() and not target.is_dir():
            raise NotADirectoryError(f"{target} exists and is not a folder")
    for target in targets:
        if target.is_dir():
            raise IsADirectoryError(f"{target} is a folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", suffix=".tmp",
                                    dir=out_dir.parent))
    try:
        for name, content in files.items():
            staged = staging.joinpath(*names[name])
            staged.parent.mkdir(exist_ok=True)
            if isinstance(content, bytes):
                staged.write_bytes(content)
            else:
                with staged.open("wb") as handle:
                    for chunk in content:
                        handle.write(chunk)
        out_dir.mkdir(exist_ok=True)
        for name, target in zip(files, targets, strict=True):
            target.parent.mkdir(exist_ok=True)
            os.replace(staging.joinpath(*names[name]), target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return targets
