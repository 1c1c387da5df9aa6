"""Errors raised by the engines; only ``jags.cli`` turns them into exit codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Issue:
    """One problem found in input data.

    Parameters
    ----------
    table
        The table (file stem, e.g. ``"requests"``) the problem is in.
    row
        0-based index of the record within its table, or ``None`` when the
        problem concerns the table as a whole.
    column
        The column at fault, or ``""``.
    message
        Short, plain-English description. Never contains a case reference,
        a family reference, a name or free text from a request.
    """

    table: str
    row: int | None
    column: str
    message: str


class InputError(ValueError):
    """Input that a user can fix: bad file, bad value, bad reference."""


class WorkspaceError(InputError):
    """Cross-reference or record problems in a workspace; carries every issue found."""

    def __init__(self, issues: list[Issue] | tuple[Issue, ...]) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        first = self.issues[0].message if self.issues else "invalid workspace"
        more = f" (and {len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
        super().__init__(first + more)


class PolicyError(InputError):
    """A policy file or preset that cannot be used."""


class SolverError(RuntimeError):
    """The solver rejected the model (MODEL_INVALID): a bug, never a user mistake."""


class DataWarning(UserWarning):
    """Data that is usable but worth a look (e.g. a facilitator with missing fields)."""
