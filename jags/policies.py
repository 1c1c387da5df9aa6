"""Policy files: a preset name or a TOML file path, read into a :class:`Policy`."""

from __future__ import annotations

from pathlib import Path

from allocator import PRESETS, Policy, PolicyError


def read_policy_file(path: str | Path) -> Policy:
    """Read a policy TOML file (``base = "<preset>"`` starts from a preset)."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path.name}: cannot read policy file ({exc.__class__.__name__})") \
            from None
    return Policy.from_toml(text, path.name)


def load_policy(name_or_path: str | Path) -> Policy:
    """A preset by name, else a TOML file by path (what ``--policy`` takes)."""
    if str(name_or_path) in PRESETS:
        return Policy.preset(str(name_or_path))
    path = Path(name_or_path)
    if not path.exists():
        raise PolicyError(f"no policy preset or file named {str(name_or_path)!r}; "
                          f"presets: {', '.join(PRESETS)}")
    return read_policy_file(path)
