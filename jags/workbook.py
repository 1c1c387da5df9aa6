"""Workbook output: byte-stable workbooks with a summary sheet and ready-to-use table sheets."""

from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING, TypeGuard

from jags.csv_output import FORMULA_PREFIXES
from jags.files import stable_zip

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet


def workbook_bytes(book: Workbook, on: date) -> bytes:
    """The saved workbook, stamped with ``on`` (never the clock), byte-stable."""
    stamp = datetime.combine(on, datetime.min.time())
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "JAGS Planner"
    buffer = io.BytesIO()
    book.save(buffer)
    return stable_zip(buffer.getvalue())


WIDEST = 80
"""Widest column (characters); longer text wraps in the cell when opened."""


def summary_sheet(book: Workbook, title: str, lines: Sequence[tuple[str, object]]) -> None:
    """A ``Summary`` sheet: a bold title, then label → value lines in plain English."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet("Summary")
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 110
    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.font = Font(bold=True, size=13)
    sheet.append([title_cell])
    wrap = Alignment(wrap_text=True, vertical="top")
    for label, value in lines:
        name = WriteOnlyCell(sheet, value=label)
        name.font = Font(bold=True)
        name.alignment = Alignment(vertical="top")
        cell = _cell(sheet, value)
        cell.alignment = wrap
        sheet.append([name, cell])


def table_sheet(
    book: Workbook,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    count: int | None = None,
    widths: Sequence[int] | None = None,
) -> None:
    """A table sheet an administrator can use as it is.

    The header is bold and frozen, with filters on every column; dates are
    date cells (``yyyy-mm-dd``); text that a spreadsheet would run as a
    formula is a text cell (:func:`_append`).

    Parameters
    ----------
    rows
        The rows; a list unless ``count`` is given (rows then stream).
    count
        The number of rows when ``rows`` streams (default: ``len(rows)``).
    widths
        Column widths in characters (default: fitted to the header and the
        first 1,000 rows, at most :data:`WIDEST`).
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if count is None:
        rows = list(rows)
        count = len(rows)
    sheet = book.create_sheet(title)
    if widths is None:
        assert isinstance(rows, list)
        widths = [
            min(WIDEST, max([len(h) + 3, *(len(_shown(row[i])) + 1 for row in rows[:1000])]))
            for i, h in enumerate(header)
        ]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    _append(sheet, rows)


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def _cell(sheet: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
    """One styled-able cell: text that looks like a formula typed as text."""
    from openpyxl.cell import WriteOnlyCell

    if _unsafe(value):
        return _text_cell(sheet, value)
    return WriteOnlyCell(sheet, value=value)


def _unsafe(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and (value.startswith(FORMULA_PREFIXES) or value.startswith("#"))


def _append(sheet: WriteOnlyWorksheet, rows: Iterable[Sequence[object]]) -> None:
    """Append rows; text that a spreadsheet would take for a formula or an error code
    (``=…``, ``#N/A``) goes into a cell typed as text, so it is never evaluated."""
    for row in rows:
        sheet.append([_text_cell(sheet, v) if _unsafe(v) else v for v in row])


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
