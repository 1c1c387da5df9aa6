"""Session feedback: read the feedback form's export through a column mapping.

The export is a Microsoft Forms workbook (.xlsx, as downloaded) or CSV. A
mapping (TOML; the ``sample`` preset ships with the package) names the
columns holding the response id, the request id, the role, the themes agreed
by the group (a multi-select answer comes as ``A;B;``) and the before/after
confidence scores. Only those columns are read: names, e-mails and free-text
comments in other columns are never stored. A theme longer than the mapping
allows is refused (it looks like free text). Every problem is reported with
the file, row and column, and nothing is imported until the file is clean.
"""

from __future__ import annotations

import io
import random
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from allocator import InputError
from jags.cells import parse_date, parse_datetime
from jags.exports import export_rows, mapped_columns, mapping_text
from jags.ledger.feedback import Response
from jags.workspace_problems import Problem, WorkspaceReadError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from allocator import PastSession

PRESETS = ("sample",)
FIELDS = (
    "response_id",
    "submitted_on",
    "request_id",
    "role",
    "themes",
    "confidence_before",
    "confidence_after",
)
REQUIRED = ("response_id", "request_id", "themes")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
ROLE_LIMIT = 40


@dataclass(frozen=True)
class Mapping:
    """How a feedback export's columns map to the ledger's fields.

    Attributes
    ----------
    form
        Prefix of the stored response ids (``<form>:<ID>``), so two forms never collide.
    columns
        Field → the export's column title (``submitted_on``, ``role`` and the two
        confidence scores are optional).
    score_min, score_max
        The confidence scale (default 1–5).
    themes_min, themes_max
        Themes per response (default 1–5).
    max_words
        Longest theme in words (default 6).
    """

    form: str
    columns: dict[str, str]
    score_min: int = 1
    score_max: int = 5
    themes_min: int = 1
    themes_max: int = 5
    max_words: int = 6

    @classmethod
    def from_toml(cls, text: str, source: str) -> Mapping:
        """Parse a mapping; :class:`InputError` names what is wrong."""
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{source}: not valid TOML ({exc})") from None
        return cls.from_raw(raw, source)

    @classmethod
    def from_raw(cls, raw: dict[str, Any], source: str) -> Mapping:
        """A mapping from parsed TOML; :class:`InputError` names what is wrong."""
        columns = mapped_columns(raw, source, FIELDS, REQUIRED)
        form = raw.get("form", "feedback")
        if not isinstance(form, str) or not _ID.fullmatch(form):
            raise InputError(f"{source}: form must be a short name (letters, digits, . _ -)")
        scores, themes = raw.get("scores", {}), raw.get("themes", {})
        try:
            mapping = cls(
                form=form,
                columns=columns,
                score_min=int(scores.get("min", 1)),
                score_max=int(scores.get("max", 5)),
                themes_min=int(themes.get("min", 1)),
                themes_max=int(themes.get("max", 5)),
                max_words=int(themes.get("max_words", 6)),
            )
        except (TypeError, ValueError, AttributeError):
            raise InputError(f"{source}: [scores] and [themes] hold whole numbers") from None
        if (
            mapping.score_min >= mapping.score_max
            or not 1 <= mapping.themes_min <= mapping.themes_max
            or mapping.max_words < 1
        ):
            raise InputError(f"{source}: the score scale or theme limits are inconsistent")
        return mapping


def load_mapping(name_or_path: str | None) -> Mapping:
    """A preset (``sample``, the default) or a mapping TOML file."""
    raw, source = mapping_text("feedback", name_or_path, PRESETS)
    return Mapping.from_raw(raw, source)


# Reading the export ------------------------------------------------------------------------


def read_export(path: Path, mapping: Mapping) -> list[Response]:
    """The responses in a feedback export, checked.

    Raises
    ------
    WorkspaceReadError
        Every problem, each naming the file, the row (header = 1) and the
        column; a value from a free-text column is never repeated.
    """
    rows = iter(export_rows(path))
    header = [h.strip() for h in next(rows, [])]
    index = {h.casefold(): i for i, h in enumerate(header)}
    problems: list[Problem] = []
    for field, title in mapping.columns.items():
        if title.casefold() not in index:
            problems.append(Problem(path.name, 1, title, f"column for {field} not found"))
    if problems:
        raise WorkspaceReadError(problems)
    where = {f: index[t.casefold()] for f, t in mapping.columns.items()}
    found: list[Response] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=2):
        if not any(str(c).strip() for c in raw):
            continue
        cells = {f: (raw[i].strip() if i < len(raw) else "") for f, i in where.items()}
        before = len(problems)

        def bad(field: str, message: str, number: int = number) -> None:
            problems.append(Problem(path.name, number, mapping.columns[field], message))

        response = _response(cells, mapping, bad)
        rid = cells["response_id"]
        if rid and rid in seen:
            bad("response_id", f"the same response id as row {seen[rid]}")
        seen.setdefault(rid, number)
        if len(problems) > before or response is None:
            continue
        found.append(Response(**{**response.__dict__, "where": f"{path.name}, row {number}"}))
    if problems:
        raise WorkspaceReadError(problems)
    return found


def _response(cells: dict[str, str], mapping: Mapping, bad: Any) -> Response | None:
    rid = cells["response_id"]
    if not _ID.fullmatch(rid):
        bad("response_id", "empty or not an id (letters, digits, . _ / -)")
    request = cells["request_id"]
    if not _ID.fullmatch(request):
        bad("request_id", "empty or not a request id (e.g. R-0012)")
    themes = [" ".join(t.split()) for t in cells["themes"].split(";") if t.strip()]
    if not mapping.themes_min <= len(themes) <= mapping.themes_max:
        bad(
            "themes",
            f"{len(themes)} theme(s): give {mapping.themes_min} to "
            f"{mapping.themes_max}, separated by ';'",
        )
    if any(len(t.split()) > mapping.max_words or len(t) > 80 for t in themes):
        bad(
            "themes",
            f"a theme is longer than {mapping.max_words} words: themes are short "
            f"words or phrases (free text is not imported)",
        )
    scores = [
        _score(cells.get(f, ""), f, mapping, bad) for f in ("confidence_before", "confidence_after")
    ]
    role = cells.get("role", "") or None
    if role is not None and len(role) > ROLE_LIMIT:
        bad("role", f"longer than {ROLE_LIMIT} characters (a role, such as Facilitator)")
    submitted: date | None = None
    if cells.get("submitted_on"):
        try:
            submitted = parse_datetime(cells["submitted_on"]).date()
        except ValueError:
            try:
                submitted = parse_date(cells["submitted_on"])
            except ValueError:
                bad("submitted_on", "not a date (use YYYY-MM-DD or dd/mm/yyyy)")
    if not (_ID.fullmatch(rid) and _ID.fullmatch(request)):
        return None
    return Response(
        response_id=f"{mapping.form}:{rid}",
        request_id=request,
        role=role,
        themes=tuple(themes),
        confidence_before=scores[0],
        confidence_after=scores[1],
        submitted_on=submitted,
    )


def _score(text: str, field: str, mapping: Mapping, bad: Any) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[+-]?\d+(?:\.0*)?", text):
        bad(field, f"not a whole number from {mapping.score_min} to {mapping.score_max}")
        return None
    value = int(float(text))
    if not mapping.score_min <= value <= mapping.score_max:
        bad(field, f"{value} is outside the scale {mapping.score_min}–{mapping.score_max}")
        return None
    return value


# The sample export -------------------------------------------------------------------------

SAMPLE_FILE = "feedback-form.xlsx"
SAMPLE_SEED = 58
SAMPLE_THEMES = (
    "Complexity",
    "Drift",
    "Professionals feeling stuck",
    "Professional disagreement",
    "Emotional impact on professionals",
    "Lived experience of the child",
    "Roles and responsibilities",
    "Communication between agencies",
    "Family voice",
    "Lack of direction",
    "Working together",
    "Risk and safety planning",
)
"""Theme choices on the sample form (words from the Norfolk procedure and evaluation)."""
SAMPLE_ROLES = ("Facilitator", "Requester", "Participant")
SAMPLE_COMMENTS = (
    "Helpful to hear other views.",
    "",
    "Would like a follow-up session.",
    "Good use of time.",
    "",
)


def sample_export(history: Sequence[PastSession], *, seed: int = SAMPLE_SEED) -> bytes:
    """A synthetic Microsoft Forms export of the sample form for the held sessions in
    ``history`` (no real people: anonymous responses, invented comments).

    Deterministic: the same history and seed give the same bytes.
    """
    from openpyxl import Workbook

    from jags.files import stable_zip

    mapping = load_mapping("sample")
    titles = mapping.columns
    rng = random.Random(seed)
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(
        [
            "ID",
            "Start time",
            titles["submitted_on"],
            "Email",
            "Name",
            "Last modified time",
            titles["request_id"],
            titles["role"],
            titles["themes"],
            titles["confidence_before"],
            titles["confidence_after"],
            "Anything else you would like to tell us?",
        ]
    )
    held = sorted({(h.held_on, h.request_id) for h in history if h.held_on is not None})
    number = 0
    for held_on, request_id in held:
        themes = rng.sample(SAMPLE_THEMES, rng.randint(3, 5))
        for role in SAMPLE_ROLES[: rng.randint(2, 3)]:
            number += 1
            before = rng.randint(1, 4)
            after = min(5, max(1, before + rng.choice((-1, 0, 1, 1, 2, 2, 3))))
            finished = datetime.combine(held_on, time(11, 25)) + timedelta(minutes=number % 7)
            sheet.append(
                [
                    number,
                    finished - timedelta(minutes=4),
                    finished,
                    "anonymous",
                    "",
                    None,
                    request_id,
                    role,
                    "".join(f"{t};" for t in themes),
                    before,
                    after,
                    rng.choice(SAMPLE_COMMENTS),
                ]
            )
    stamp = datetime(2026, 11, 23)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "JAGS Planner sample"
    buffer = io.BytesIO()
    book.save(buffer)
    return stable_zip(buffer.getvalue())


# The job behind ``jags feedback import`` ----------------------------------------------------


def import_file(
    workspace: Path,
    file: Path,
    mapping: str | None,
    *,
    on: date,
    by: str,
    db: str | None = None,
    partnership: str | None = None,
) -> tuple[int, int]:
    """Read a feedback export and add its new responses to the workspace's ledger.

    Returns
    -------
    tuple[int, int]
        Responses added, and responses already in the ledger (left as they are).
    """
    from jags.daily import open_ledger
    from jags.ledger.feedback import import_feedback
    from jags.locate import Where

    chosen = load_mapping(mapping)
    responses = read_export(file, chosen)
    ledger = open_ledger(Where(workspace, db, partnership))
    try:
        done = import_feedback(ledger, responses, on, by)
    finally:
        ledger.close()
    return done.added, done.already
