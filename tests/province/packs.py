"""Province packs on disk for tests: the example pack, copied so that a test may break it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "province-pack"


def copy_example(folder: Path) -> Path:
    target = folder / "pack"
    shutil.copytree(EXAMPLE, target)
    return target


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def append_row(path: Path, values: dict[str, str]) -> int:
    """Add a row (by column name) and return its spreadsheet row number."""
    rows = rows_of(path)
    rows.append([values.get(column, "") for column in rows[0]])
    write_rows(path, rows)
    return len(rows)


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    rows = rows_of(path)
    rows[row - 1][rows[0].index(column)] = value
    write_rows(path, rows)


def to_xlsx(path: Path) -> Path:
    """Replace a CSV by a workbook with the same cells, typed as a spreadsheet user types them
    (whole numbers as numbers, true/false as booleans, dates as date cells)."""
    from datetime import date

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number, row in enumerate(rows_of(path)):
        cells: list[object] = []
        for text in row:
            value: object = text or None
            if number and text.isdigit() and not text.startswith("0"):
                value = int(text)
            elif number and text in ("true", "false"):
                value = text == "true"
            elif number and len(text) == 10 and text[4] == "-" and text[7] == "-":
                value = date.fromisoformat(text)
            cells.append(value)
        sheet.append(cells)
    target = path.with_suffix(".xlsx")
    workbook.save(target)
    path.unlink()
    return target
