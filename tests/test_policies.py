"""Policy files as ``--policy`` takes them: a preset name or a path."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocator import Policy, PolicyError
from jags.policies import load_policy, read_policy_file


def test_preset_name_or_path(tmp_path: Path) -> None:
    assert load_policy("cheshire-west") == Policy.preset("cheshire-west")
    path = tmp_path / "local.toml"
    path.write_text('base = "norfolk"\nname = "local"\nwindow_first_day = 5\n', "utf-8")
    assert load_policy(path) == load_policy(str(path)) == read_policy_file(path)
    assert load_policy(path).window_first_day == 5


def test_missing_or_unreadable_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="no policy preset or file named"):
        load_policy(tmp_path / "absent.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PolicyError, match=r"binary\.toml: "):
        read_policy_file(binary)
