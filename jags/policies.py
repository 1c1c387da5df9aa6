"""Policy files: a preset name or a TOML file path, read into a :class:`Policy`."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from allocator import PRESETS, Policy, PolicyError


def read_policy_file(path: str | Path) -> Policy:
    """Read a policy TOML file (``base = "<preset>"`` starts from a preset)."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(
            f"{path.name}: cannot read policy file ({exc.__class__.__name__})"
        ) from None
    return Policy.from_toml(text, path.name)


def load_policy(name_or_path: str | Path) -> Policy:
    """A preset by name, else a TOML file by path (what ``--policy`` takes)."""
    if str(name_or_path) in PRESETS:
        return Policy.preset(str(name_or_path))
    path = Path(name_or_path)
    if not path.exists():
        raise PolicyError(
            f"no policy preset or file named {str(name_or_path)!r}; presets: {', '.join(PRESETS)}"
        )
    return read_policy_file(path)


def policy_toml(policy: Policy) -> str:
    """The policy as a TOML document that :meth:`Policy.from_toml` reads back to ``policy``.

    Every field is written, nested settings as tables; an unset optional
    field is left out (it reads back as unset).
    """
    lines = [
        f"# JAGS Planner policy: {policy.partnership}",
        "# Every field; edit and pass the file with --policy.",
    ]
    tables: list[tuple[str, BaseModel]] = []
    for name in type(policy).model_fields:
        value = getattr(policy, name)
        if isinstance(value, BaseModel):
            tables.append((name, value))
        elif value is not None:
            lines.append(f"{name} = {_toml_value(value)}")
    for name, table in tables:
        lines += ["", f"[{name}]"]
        lines += [
            f"{key} = {_toml_value(getattr(table, key))}"
            for key in type(table).model_fields
            if getattr(table, key) is not None
        ]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, time | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")  # pragma: no cover
