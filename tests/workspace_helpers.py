"""Workspace tables as CSV text, and writers and readers shared by the tests of
jags.workspace, jags.workspace_files, jags.workspace_tables and jags.workspace_problems."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from jags.workspace import read_workspace
from jags.workspace_problems import WorkspaceReadError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


FACILITATORS = (
    "facilitator_id,name,email,organisation,sector,locality,trained_on,training_expires,"
    "max_open,open_jags,can_lead,specialisms,active\n"
    "F1,Alice Smith, Alice.Smith@Health.example ,NHS Trust,Health,North,"
    "03/04/2026,2028-04-03,3.0,1,yes,neglect; ;exploitation,TRUE\n"
    "F2,Bob Jones,bob@police.example,,Police,,,,,,n,,\n"
)


REQUESTS = (
    "request_id,received_at,requester_name,requester_email,requester_organisation,case_ref,"
    "family_ref,locality,mode,topic,preferred_facilitator_id,preference_rationale,follow_up_of\n"
    "R1,2026-07-01 14:05,Carol Tate,carol@school.example,Hill School,CASE-11,FAM-9,North,"
    "in_person,sleep,,,\n"
    "R2,20/11/2026 09:30,Dan Ray,DAN@Council.example,Council,CASE-12,,,Online,,F1,"
    "knows network,H1\n"
    "R3,2026-07-01T13:05:00Z,Erin Fox,erin@x.example,Council,CASE-13,,,,,,,\n"
)


TABLES = {
    "facilitators": FACILITATORS,
    "requests": REQUESTS,
    "leave": "facilitator_id,start,end\nF1,2026-08-01,05/08/2026\n",
    "participants": "request_id,name,email,organisation,attendance,extra\n"
    "R1,Gail Hunt,Gail@Hill.example,Hill School,optional,ignored\n"
    "R1,Hal Ives,hal@gp.example,GP,,\n",
    "involvements": "facilitator_id,case_ref,family_ref,note\nF1,CASE-12,,met mother\n",
    "history": "request_id,facilitator_id,allocated_on,held_on,closed_on,attendees\n"
    "H1,F1,2026-01-02,2026-01-20,,A@x.example; b@y.example\n",
    "organisations": "organisation,sector,locality\nHill School,Education,North\n",
}


def write_folder(folder: Path, tables: Mapping[str, str | bytes]) -> Path:
    """Write each table as ``<name>.csv`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in tables.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / f"{name}.csv").write_bytes(data)
    return folder


def read_error(path: Path) -> WorkspaceReadError:
    with pytest.raises(WorkspaceReadError) as info:
        read_workspace(path)
    return info.value


def with_table(**changes: str | bytes) -> dict[str, str | bytes]:
    return {**TABLES, **changes}
