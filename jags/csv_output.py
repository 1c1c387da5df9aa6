"""CSV output: deterministic CSV bytes in which no spreadsheet runs a cell as a formula."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["FORMULA_PREFIXES", "csv_bytes", "csv_line", "safe_text"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
"""A cell starting with one of these is read as a formula by spreadsheet programs."""


def safe_text(value: str) -> str:
    """``value`` with ``'`` in front when it starts with a formula character (OWASP).

    Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-``, ``@``,
    a tab or a line break as a formula; the leading apostrophe makes it text.
    """
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _text(value: str) -> str:
    """A text cell: line breaks as ``\\n`` (the csv module would leave a lone ``\\r``
    unquoted and break the row), then :func:`safe_text`."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return safe_text(value)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, str):  # str subclasses such as StrEnum
        return _text(str(value))
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Render a table as deterministic CSV that no spreadsheet runs as formulas.

    UTF-8 without BOM, ``"\\n"`` line endings, minimal quoting; ``None`` is an
    empty cell, booleans are ``true``/``false``, dates and date-times ISO 8601,
    line breaks inside a text value ``\\n``. Every text value that starts with a formula character
    (:data:`FORMULA_PREFIXES`) gets a leading ``'``; numbers, dates and
    booleans are written as they are (a negative number stays a number).

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
    writer.writerow([_text(h) for h in header])
    writer.writerows([_text(v) if type(v) is str else _cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def csv_line(row: Sequence[object]) -> bytes:
    """One line of CSV exactly as :func:`csv_bytes` writes it (with its ``"\n"``)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(
        [_text(v) if type(v) is str else _cell(v) for v in row]
    )
    return buffer.getvalue().encode("utf-8")
