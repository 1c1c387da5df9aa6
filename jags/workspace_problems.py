"""Problems found while reading a workspace, and what their messages may repeat.

A :class:`Problem` names the file (or workbook sheet), row and column at fault;
:class:`WorkspaceReadError` carries every problem found in every table. No
message ever repeats the value of a private column (case and family references,
names, free text), nor any value of a table about cases other than a well-formed
id: :func:`shown_value` decides how a message may refer to a cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from allocator.errors import InputError
from jags.cells import shown

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "ID_COLUMNS",
    "PRIVATE_COLUMNS",
    "PRIVATE_TABLES",
    "Problem",
    "WorkspaceReadError",
    "shown_value",
]

#: Columns whose values are never repeated in a message.
PRIVATE_COLUMNS = frozenset(
    {
        "case_ref",
        "family_ref",
        "topic",
        "preference_rationale",
        "note",
        "requester_name",
        "name",
        "email",
        "requester_email",
        "attendees",
    }
)
#: Columns holding ids: repeated in a message only when they match the id pattern.
ID_COLUMNS = frozenset({"facilitator_id", "request_id", "preferred_facilitator_id", "follow_up_of"})
#: Tables about cases: no cell value of theirs is repeated in a message, in case a
#: reference or free text was pasted into the wrong column.
PRIVATE_TABLES = frozenset({"requests", "participants", "involvements", "history"})


@dataclass(frozen=True)
class Problem:
    """One problem found while reading a workspace.

    Parameters
    ----------
    file
        File name (``"requests.csv"``) or workbook sheet (``"book.xlsx[requests]"``).
    row
        Spreadsheet row number (header = 1, first data row = 2), or ``None``
        when the problem concerns the whole file or column.
    column
        The column at fault, or ``""``.
    message
        Plain-English description; never contains a private value.
    """

    file: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class WorkspaceReadError(InputError):
    """A workspace that cannot be read; carries every :class:`Problem` found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __reduce__(self) -> tuple[type[WorkspaceReadError], tuple[tuple[Problem, ...]]]:
        return type(self), (self.problems,)


def shown_value(table: str, column: str, raw: str) -> str:
    """How a message may refer to a cell's value: quoted when safe, else ``value``.

    Never a value of a private column, nor any value of a table about cases
    other than a well-formed id (in case text was pasted into the wrong
    column); ids only when they match the id pattern.
    """
    if column in PRIVATE_COLUMNS or not raw:
        return "value"
    if column in ID_COLUMNS:
        return shown(raw, id_value=True)
    return "value" if table in PRIVATE_TABLES else shown(raw)
