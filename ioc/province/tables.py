"""The tables of a province pack: one ``.csv`` or ``.xlsx`` file each, read into raw cells.

Reading never raises on bad content: every problem is collected with the file, the row as a
spreadsheet numbers it (the header is row 1) and the column, so a province's IT officer can
open the file and find the cell.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from ioc.province.pack import Origin, Problem, Severity

#: A raw cell: text from a CSV, or whatever a spreadsheet cell holds.
Cell = str | int | float | bool | date | datetime | None

_TRUE = {"true", "1", "yes", "có"}
_FALSE = {"false", "0", "no", "không"}


def error(origin: Origin | None, message_vi: str, message_en: str) -> Problem:
    return Problem(Severity.ERROR, message_vi, message_en, origin)


@dataclass
class Table:
    """One table file: its header and its data rows (``number`` counts the header as 1)."""

    file: str
    columns: tuple[str, ...] = ()
    rows: list[tuple[int, dict[str, Cell]]] = field(default_factory=list)


def find_table(folder: Path, name: str) -> tuple[Path | None, list[Problem]]:
    """``name.csv`` or ``name.xlsx`` in ``folder`` (None when neither); having both is an error."""
    found = [
        folder / f"{name}.{ext}" for ext in ("csv", "xlsx") if (folder / f"{name}.{ext}").is_file()
    ]
    if len(found) > 1:
        return None, [
            error(
                Origin(f"{name}.csv"),
                f"có cả {name}.csv và {name}.xlsx: chỉ giữ một trong hai tệp",
                f"both {name}.csv and {name}.xlsx are present: keep only one of them",
            )
        ]
    return (found[0] if found else None), []


def read_table(
    path: Path, *, columns: tuple[str, ...], required: tuple[str, ...]
) -> tuple[Table, list[Problem]]:
    """The header and rows of a table; unknown, repeated or missing required columns are errors
    (the rows are still read, minus the unknown columns)."""
    table = Table(path.name)
    try:
        raw = _read_xlsx(path) if path.suffix == ".xlsx" else _read_csv(path)
    except _Unreadable as exc:
        return table, [error(Origin(path.name), exc.message_vi, exc.message_en)]
    if not raw:
        return table, [
            error(
                Origin(path.name, row=1),
                "tệp trống: dòng đầu tiên phải là dòng tiêu đề (tên các cột)",
                "the file is empty: the first row must be the header (the column names)",
            )
        ]
    header = [_header_name(cell) for cell in raw[0]]
    problems: list[Problem] = []
    known: dict[int, str] = {}
    for index, name in enumerate(header):
        if not name:
            if any(_present(row[index]) for row in raw[1:] if index < len(row)):
                problems.append(
                    error(
                        Origin(path.name, row=1, column=f"#{index + 1}"),
                        f"cột thứ {index + 1} có dữ liệu nhưng không có tên cột",
                        f"column {index + 1} holds data but has no name in the header",
                    )
                )
            continue
        if name not in columns:
            problems.append(
                error(
                    Origin(path.name, row=1, column=name),
                    f"cột không có trong định dạng: {name!r}; các cột hợp lệ: {', '.join(columns)}",
                    f"unknown column {name!r}; the columns are: {', '.join(columns)}",
                )
            )
        elif name in known.values():
            problems.append(
                error(
                    Origin(path.name, row=1, column=name),
                    f"cột {name} xuất hiện hai lần",
                    f"column {name} appears twice",
                )
            )
        else:
            known[index] = name
    for name in required:
        if name not in known.values():
            problems.append(
                error(
                    Origin(path.name, row=1, column=name),
                    f"thiếu cột bắt buộc {name}",
                    f"the required column {name} is missing",
                )
            )
    table.columns = tuple(known.values())
    for number, row in enumerate(raw[1:], start=2):
        cells = {name: row[index] if index < len(row) else None for index, name in known.items()}
        # Spreadsheets keep formatted but empty rows at the end; they are not data.
        if any(_present(cell) for cell in cells.values()):
            table.rows.append((number, cells))
    return table, problems


def _header_name(cell: Cell) -> str:
    return str(cell).strip().lstrip("\ufeff").strip() if cell is not None else ""


def _present(cell: Cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


class _Unreadable(Exception):
    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


def _read_csv(path: Path) -> list[list[Cell]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unreadable(
            f"tệp không phải văn bản UTF-8 (byte {exc.start}): lưu lại với mã hóa UTF-8",
            f"the file is not UTF-8 text (byte {exc.start}): save it again as UTF-8",
        ) from exc
    except OSError as exc:
        raise _Unreadable(
            f"không đọc được tệp: {exc.strerror}", f"cannot read the file: {exc.strerror}"
        ) from exc
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise _Unreadable(
            f"tệp CSV sai định dạng: {exc}", f"the CSV file is malformed: {exc}"
        ) from exc


def _read_xlsx(path: Path) -> list[list[Cell]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _Unreadable(
            f"không mở được bảng tính Excel (.xlsx): {exc}",
            f"cannot open the Excel workbook (.xlsx): {exc}",
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | date):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


class Cells:
    """One data row's cells, parsed column by column; every bad value becomes a problem.

    ``ok`` turns False when a required value is missing or unreadable: the caller drops the
    row (its problem is reported) rather than guess.
    """

    def __init__(
        self, file: str, row: int, values: dict[str, Cell], problems: list[Problem]
    ) -> None:
        self.origin = Origin(file, row)
        self._values = values
        self._problems = problems
        self.ok = True

    def _bad(self, column: str, message_vi: str, message_en: str) -> None:
        self._problems.append(error(self.origin.at(column), message_vi, message_en))

    def refuse(self, column: str, message_vi: str, message_en: str) -> None:
        """Report a wrong value in ``column`` and drop the row."""
        self.ok = False
        self._bad(column, message_vi, message_en)

    def _missing(self, column: str) -> None:
        self.ok = False
        self._bad(column, "ô này bắt buộc nhưng đang trống", "this cell is required but empty")

    def text(self, column: str) -> str | None:
        """The trimmed text of a cell, None when empty (numbers typed as numbers become text)."""
        value = self._values.get(column)
        if value is None:
            return None
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, datetime):
            value = value.date() if value.time() == datetime.min.time() else value
        if isinstance(value, date | datetime):
            value = value.isoformat()
        text = str(value).strip()
        return text or None

    def required_text(self, column: str) -> str:
        text = self.text(column)
        if text is None:
            self._missing(column)
            return ""
        return text

    def flag(self, column: str, *, default: bool) -> bool:
        value = self._values.get(column)
        if isinstance(value, bool):
            return value
        text = self.text(column)
        if text is None:
            return default
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        self._bad(
            column,
            f"{text!r} không phải giá trị có/không: dùng true/false, 1/0, yes/no hoặc có/không",
            f"{text!r} is not a yes/no value: use true/false, 1/0, yes/no or có/không",
        )
        return default

    def number(self, column: str, *, default: int | None = None) -> int | None:
        """A whole number; ``default`` when empty (None with no default: the value is required)."""
        value = self._values.get(column)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and float(value).is_integer():  # type: ignore[arg-type]
            return int(value)  # type: ignore[arg-type]
        text = self.text(column)
        if text is None:
            if default is None:
                self._missing(column)
            return default
        try:
            return int(text)
        except ValueError:
            self.ok = self.ok and default is not None
            self._bad(
                column,
                f"{text!r} không phải số nguyên",
                f"{text!r} is not a whole number",
            )
            return default

    def day(self, column: str) -> date | None:
        """A date written ``YYYY-MM-DD`` (or a spreadsheet date cell); None when empty."""
        value = self._values.get(column)
        if isinstance(value, datetime) and value.time() == datetime.min.time():
            return value.date()
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        text = self.text(column)
        if text is None:
            return None
        try:
            return date.fromisoformat(text) if len(text) == 10 else _bad_date(text)
        except ValueError:
            self.ok = False
            self._bad(
                column,
                f"{text!r} không phải ngày dạng YYYY-MM-DD (ví dụ 2025-07-01)",
                f"{text!r} is not a date written YYYY-MM-DD (e.g. 2025-07-01)",
            )
            return None


def _bad_date(text: str) -> date:
    raise ValueError(text)
