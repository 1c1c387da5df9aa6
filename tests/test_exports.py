"""Microsoft Forms exports read as text, whatever the cell types."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from allocator import InputError
from jags.exports import cell_text, choices, export_rows, mapping_text


def test_cells_read_as_the_text_a_csv_would_hold() -> None:
    assert cell_text(None) == ""
    assert cell_text(datetime(2026, 11, 10, 11, 34, 5, 999)) == "2026-11-10T11:34:05"
    assert cell_text(date(2026, 11, 10)) == "2026-11-10"
    assert cell_text(time(9, 30)) == "09:30:00"
    assert cell_text(7.0) == "7" and cell_text(2.5) == "2.5"
    assert cell_text("  text ") == "text"


def test_multi_select_answers_split_on_semicolons() -> None:
    assert choices("neglect;exploitation;") == ["neglect", "exploitation"]
    assert choices(" ; ") == []


def test_unreadable_exports_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"form\.xlsx: file not found"):
        list(export_rows(tmp_path / "form.xlsx"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(InputError, match=r"broken\.xlsx: not a readable \.xlsx workbook"):
        list(export_rows(broken))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="save it as 'CSV UTF-8'"):
        list(export_rows(latin))


def test_mappings_come_from_presets_or_files(tmp_path: Path) -> None:
    raw, source = mapping_text("request", None, ("sample",))
    assert source == "mapping preset sample" and raw["columns"]["request_id"] == "ID"
    bad = tmp_path / "m.toml"
    bad.write_text("= nonsense", encoding="utf-8")
    with pytest.raises(InputError, match=r"m\.toml: not valid TOML"):
        mapping_text("request", str(bad), ("sample",))
