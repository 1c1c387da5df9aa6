"""The files of a workspace as rows of text: CSV files in a folder, or sheets of one workbook.

:func:`csv_rows` reads a UTF-8 CSV file; a workbook's cells are turned into the
text the same value would have in a CSV file (dates ISO, whole numbers without
``.0``, booleans ``true``/``false``), so both kinds of workspace are read by the
same code afterwards. A :class:`Source` gives the rows of each table by name.
A file that cannot be read raises :class:`UnreadableFile` with a message that
never quotes the content.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from jags.workspace_problems import Problem, WorkspaceReadError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["MAX_FILE_BYTES", "Source", "UnreadableFile", "csv_rows"]


class UnreadableFile(Exception):
    """A file or sheet that exists but cannot be read (message is user-facing)."""


MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest input CSV file or workbook read (256 MiB)."""


def csv_rows(path: Path) -> Iterator[list[str]]:
    """The rows of a UTF-8 CSV file (lists of cell text).

    Raises
    ------
    UnreadableFile
        Not a regular file, larger than :data:`MAX_FILE_BYTES`, not UTF-8,
        binary, or not valid CSV; the message never quotes the content.
    """
    try:
        if not path.is_file():
            raise UnreadableFile("is not a regular file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UnreadableFile(f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("file is not UTF-8 text (save it as 'CSV UTF-8')") from None
    except OSError as exc:
        raise UnreadableFile(f"file cannot be opened ({exc.strerror or 'error'})") from None
    if "\x00" in text:
        raise UnreadableFile("file is not a text CSV file")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        yield from reader
    except csv.Error as exc:
        raise UnreadableFile(f"file is not valid CSV near line {reader.line_num} ({exc})") from None


def _sheet_rows(sheet: Any) -> Iterator[list[str]]:
    try:
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in row]
    except Exception:  # a damaged sheet can fail in many ways inside openpyxl
        raise UnreadableFile("sheet cannot be read (damaged workbook)") from None


def _cell_text(value: object) -> str:
    """A workbook cell as the text the same value would have in a CSV file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class Source:
    """Where tables come from: a folder of CSV files or an open workbook."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheets: dict[str, Any] | None = None
        self.book: Any = None
        if path.is_file():
            if path.stat().st_size > MAX_FILE_BYTES:
                raise WorkspaceReadError(
                    [
                        Problem(
                            path.name,
                            None,
                            "",
                            f"file is larger than {MAX_FILE_BYTES // 2**20} MiB",
                        )
                    ]
                )
            import openpyxl  # only for a workbook workspace

            try:
                self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            except Exception:  # any failure here means "not a usable workbook"
                raise WorkspaceReadError(
                    [Problem(path.name, None, "", "file is not a valid .xlsx workbook")]
                ) from None
            self.sheets = {
                name.strip().casefold(): self.book[name] for name in self.book.sheetnames
            }

    def label(self, table: str) -> str:
        return f"{table}.csv" if self.sheets is None else f"{self.path.name}[{table}]"

    def rows(self, table: str) -> Iterator[list[str]] | None:
        """The rows of ``table`` as text, or ``None`` when it is absent."""
        if self.sheets is None:
            file = self.path / f"{table}.csv"
            return csv_rows(file) if file.is_file() else None
        sheet = self.sheets.get(table)
        if sheet is None:
            return None
        return _sheet_rows(sheet)

    def close(self) -> None:
        if self.book is not None:
            self.book.close()
