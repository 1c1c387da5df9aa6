"""Microsoft Forms exports as they come: the first sheet of an .xlsx download, or the
same saved as CSV, read as rows of text.

Forms writes its own column titles (the questions), a response number in
``ID``, the start and completion times, and multi-select answers as
``A;B;``. Column mappings (TOML) name which titles hold which field; only
those columns are ever read.
"""

from __future__ import annotations

import csv
import io
import tomllib
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocator import InputError

if TYPE_CHECKING:
    from collections.abc import Iterator


def cell_text(value: object) -> str:
    """A workbook cell as text (dates and times ISO, whole numbers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def export_rows(path: Path) -> Iterator[list[str]]:
    """The export's rows as text; :class:`InputError` names the file when it cannot be read."""
    if path.suffix.casefold() == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except FileNotFoundError:
            raise InputError(f"{path.name}: file not found") from None
        except Exception:  # openpyxl fails in many ways on a damaged file
            raise InputError(f"{path.name}: not a readable .xlsx workbook") from None
        try:
            sheet = book.worksheets[0]
            rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        except Exception:
            raise InputError(f"{path.name}: the first sheet cannot be read") from None
        finally:
            book.close()
        yield from rows
        return
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path.name}: file not found") from None
    except (OSError, UnicodeDecodeError):
        raise InputError(
            f"{path.name}: not a readable UTF-8 CSV file (save it as 'CSV UTF-8')"
        ) from None
    try:
        yield from csv.reader(io.StringIO(text, newline=""), strict=True)
    except csv.Error:
        raise InputError(f"{path.name}: not a readable CSV file") from None


def choices(text: str) -> list[str]:
    """A multi-select answer (``"A;B;"``) as its choices, in order, empties dropped."""
    return [part.strip() for part in text.split(";") if part.strip()]


def mapping_text(
    kind: str, name_or_path: str | None, presets: tuple[str, ...]
) -> tuple[dict[str, Any], str]:
    """A mapping's TOML as data: a shipped preset (``presets/<kind>-<name>.toml``; the first
    preset by default) or a file. Returns the data and its name for messages."""
    name = name_or_path or presets[0]
    if name in presets:
        text = resources.files("jags").joinpath(f"presets/{kind}-{name}.toml").read_text("utf-8")
        source = f"mapping preset {name}"
    else:
        path = Path(name)
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            raise InputError(
                f"--mapping: {path.name}: not a preset ({', '.join(presets)}) nor a file"
            ) from None
        except (OSError, UnicodeDecodeError):
            raise InputError(f"{path.name}: not a readable UTF-8 TOML file") from None
        source = path.name
    try:
        return tomllib.loads(text), source
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML ({exc})") from None


def mapped_columns(
    raw: dict[str, Any], source: str, fields: tuple[str, ...], required: tuple[str, ...]
) -> dict[str, str]:
    """A mapping's ``[columns]`` table checked: field → column title.

    Raises :class:`InputError` naming the mapping for a missing table, an
    unknown field, a required field not named, or a title that is not text.
    """
    columns = raw.get("columns")
    if not isinstance(columns, dict):
        raise InputError(f"{source}: needs a [columns] table")
    unknown = sorted(set(columns) - set(fields))
    if unknown:
        raise InputError(
            f"{source}: unknown field(s) in [columns]: {', '.join(unknown)} "
            f"(known: {', '.join(fields)})"
        )
    missing = [f for f in required if not columns.get(f)]
    if missing:
        raise InputError(f"{source}: [columns] must name {', '.join(missing)}")
    if not all(isinstance(v, str) and v.strip() for v in columns.values()):
        raise InputError(f"{source}: every [columns] value must be a column title")
    return {k: str(v).strip() for k, v in columns.items()}
