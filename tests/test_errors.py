"""Tests for allocator.errors: the error hierarchy the CLI relies on for exit codes."""

from __future__ import annotations

import dataclasses
import warnings

import pytest

from allocator.errors import (
    DataWarning,
    InputError,
    Issue,
    PolicyError,
    SolverError,
    WorkspaceError,
)


def issues(n: int) -> list[Issue]:
    """``n`` issues on consecutive rows of the leave table."""
    return [Issue("leave", i, "facilitator_id", f"unknown facilitator 'F{i}'") for i in range(n)]


def test_workspace_error_message_counts_the_rest() -> None:
    error = WorkspaceError(issues(3))
    assert str(error) == "unknown facilitator 'F0' (and 2 more)"
    assert error.issues == tuple(issues(3))


def test_workspace_error_with_one_issue_is_just_its_message() -> None:
    assert str(WorkspaceError(issues(1))) == "unknown facilitator 'F0'"


def test_workspace_error_without_issues_still_reads() -> None:
    error = WorkspaceError([])
    assert str(error) == "invalid workspace"
    assert error.issues == ()


def test_workspace_error_keeps_its_own_copy_of_the_issues() -> None:
    found = issues(2)
    error = WorkspaceError(found)
    found.append(Issue("requests", 0, "request_id", "duplicate request_id 'R1'"))
    assert len(error.issues) == 2


def test_issues_are_frozen() -> None:
    issue = issues(1)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        issue.row = 5  # type: ignore[misc]


def test_input_errors_are_value_errors() -> None:
    assert issubclass(InputError, ValueError)
    assert issubclass(WorkspaceError, InputError)
    assert issubclass(PolicyError, InputError)
    with pytest.raises(InputError):
        raise WorkspaceError(issues(1))


def test_solver_errors_are_not_input_errors() -> None:
    # A rejected model is a bug: the CLI must not report it as the user's mistake.
    assert not issubclass(SolverError, InputError)
    assert not issubclass(SolverError, ValueError)
    assert issubclass(SolverError, RuntimeError)
    caught: list[str] = []
    try:
        try:
            raise SolverError("MODEL_INVALID")
        except InputError:
            caught.append("input")
    except SolverError:
        caught.append("solver")
    assert caught == ["solver"]


def test_data_warning_is_a_user_warning() -> None:
    assert issubclass(DataWarning, UserWarning)
    with pytest.warns(DataWarning, match="missing"):
        warnings.warn("facilitator F1 is missing sector", DataWarning, stacklevel=1)
