"""Reading a province pack folder into a :class:`~ioc.province.pack.ProvincePack`.

``read_pack`` never raises on bad content: it returns what it could read and every problem
found, each naming the file, row (or feature) and column. Cross-references (an unknown agency
code, a rule for an unknown area…) are :mod:`ioc.province.checks`' business, which runs on
packs read from folders and on packs taken from the database alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ioc.province.pack import (
    AGENCIES,
    ATTRIBUTES,
    CATEGORIES,
    COLUMNS,
    RULES,
    USERS,
    AgencyRow,
    AttributeRow,
    CategoryRow,
    GroupRow,
    Origin,
    Problem,
    ProvincePack,
    RuleRow,
    UserRow,
    ValueItem,
)
from ioc.province.province_file import read_areas, read_province
from ioc.province.tables import Cells, Table, error, find_table, read_table

#: Columns a table's header must have; the others may be left out (their defaults apply).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    AGENCIES: ("code", "name_vi", "kind"),
    CATEGORIES: ("code", "group_code", "group_name_vi", "name_vi", "tier", "target_hours"),
    ATTRIBUTES: ("category_code", "code", "datatype", "description_vi"),
    RULES: ("category_code", "area_code", "lead_agency_code"),
    USERS: ("username", "full_name", "role"),
}
#: Tables a pack cannot do without; a missing attributes, rules or users file is an empty table.
REQUIRED_TABLES = (AGENCIES, CATEGORIES)

#: Defaults of the optional columns (the same as a new row in the admin console).
DEFAULT_DUPLICATE_RADIUS_M = 50

_Row = TypeVar("_Row")


def read_pack(folder: Path) -> tuple[ProvincePack, list[Problem]]:
    """Read every file of the pack in ``folder``; the problems are reading errors only."""
    problems: list[Problem] = []
    province, sources = read_province(folder, problems)
    areas = [area for source in sources for area in read_areas(folder, source, problems)]
    tables = {name: _table(folder, name, problems) for name in COLUMNS}
    groups, categories = _categories(tables[CATEGORIES], problems)
    pack = ProvincePack(
        province=province,
        area_sources=tuple(sources),
        areas=tuple(areas),
        agencies=tuple(_rows(tables[AGENCIES], _agency, problems)),
        groups=tuple(groups),
        categories=tuple(categories),
        attributes=tuple(_attributes(tables[ATTRIBUTES], problems)),
        rules=tuple(_rows(tables[RULES], _rule, problems)),
        users=tuple(_rows(tables[USERS], _user, problems)),
    )
    return pack, problems


# -- the tables ----------------------------------------------------------------------------


def _table(folder: Path, name: str, problems: list[Problem]) -> Table:
    path, found = find_table(folder, name)
    problems.extend(found)
    if path is None:
        if not found and name in REQUIRED_TABLES:
            problems.append(
                error(
                    Origin(f"{name}.csv"),
                    f"thiếu tệp {name}.csv (hoặc {name}.xlsx)",
                    f"{name}.csv (or {name}.xlsx) is missing",
                )
            )
        return Table(f"{name}.csv")
    table, read = read_table(path, columns=COLUMNS[name], required=REQUIRED_COLUMNS[name])
    problems.extend(read)
    return table


def _rows(table: Table, build: Callable[[Cells], _Row], problems: list[Problem]) -> list[_Row]:
    rows: list[_Row] = []
    for number, values in table.rows:
        cells = Cells(table.file, number, values, problems)
        row = build(cells)
        if cells.ok:
            rows.append(row)
    return rows


def _agency(cells: Cells) -> AgencyRow:
    return AgencyRow(
        code=cells.required_text("code"),
        name_vi=cells.required_text("name_vi"),
        name_en=cells.text("name_en"),
        parent_code=cells.text("parent_code"),
        area_code=cells.text("area_code"),
        kind=cells.required_text("kind"),
        email=cells.text("email"),
        phone=cells.text("phone"),
        active=cells.flag("active", default=True),
        sign_off=cells.flag("sign_off", default=False),
        origin=cells.origin,
    )


def _categories(table: Table, problems: list[Problem]) -> tuple[list[GroupRow], list[CategoryRow]]:
    groups: dict[str, GroupRow] = {}
    categories: list[CategoryRow] = []
    for number, values in table.rows:
        cells = Cells(table.file, number, values, problems)
        group_code = cells.required_text("group_code")
        group = _group(cells, group_code, groups.get(group_code), len(groups))
        if group is not None and group_code not in groups:
            groups[group_code] = group
        category = CategoryRow(
            code=cells.required_text("code"),
            group_code=group_code,
            name_vi=cells.required_text("name_vi"),
            name_en=cells.text("name_en"),
            description_vi=cells.text("description_vi"),
            description_en=cells.text("description_en"),
            tier=cells.required_text("tier"),
            target_hours=cells.number("target_hours") or 0,
            auto_dispatch=cells.flag("auto_dispatch", default=False),
            photo_required=cells.flag("photo_required", default=True),
            after_photo_required=cells.flag("after_photo_required", default=True),
            private=cells.flag("private", default=False),
            duplicate_radius_m=cells.number(
                "duplicate_radius_m", default=DEFAULT_DUPLICATE_RADIUS_M
            )
            or 0,
            sort_order=len(categories),
            origin=cells.origin,
        )
        if cells.ok:
            categories.append(category)
    return list(groups.values()), categories


def _group(cells: Cells, code: str, seen: GroupRow | None, position: int) -> GroupRow | None:
    """The group a category row names; its names are needed on the group's first row and,
    when repeated on later rows, must be the same."""
    name_vi, name_en = cells.text("group_name_vi"), cells.text("group_name_en")
    if not code:
        return None
    if seen is None:
        if name_vi is None:
            cells.required_text("group_name_vi")
            return None
        return GroupRow(code, name_vi, name_en, sort_order=position, origin=cells.origin)
    first_row = seen.origin.row if seen.origin else None
    for column, name, first in (
        ("group_name_vi", name_vi, seen.name_vi),
        ("group_name_en", name_en, seen.name_en),
    ):
        if name is not None and name != first:
            cells.refuse(
                column,
                f"nhóm {code} đã mang tên {first!r} ở dòng {first_row}, ở đây lại là {name!r}",
                f"group {code} is named {first!r} on row {first_row} but {name!r} here",
            )
    return seen


def _attributes(table: Table, problems: list[Problem]) -> list[AttributeRow]:
    attributes: list[AttributeRow] = []
    counts: dict[str, int] = {}
    for number, values in table.rows:
        cells = Cells(table.file, number, values, problems)
        category_code = cells.required_text("category_code")
        counts[category_code] = counts.get(category_code, 0) + 1
        attribute = AttributeRow(
            category_code=category_code,
            code=cells.required_text("code"),
            datatype=cells.required_text("datatype"),
            required=cells.flag("required", default=False),
            order=cells.number("order", default=counts[category_code]) or 0,
            description_vi=cells.required_text("description_vi"),
            description_en=cells.text("description_en"),
            values=_values(cells),
            origin=cells.origin,
        )
        if cells.ok:
            attributes.append(attribute)
    return attributes


def _values(cells: Cells) -> tuple[ValueItem, ...]:
    """``key:name_vi:name_en`` items separated by ``|`` (the English name may be left out)."""
    text = cells.text("values")
    if text is None:
        return ()
    items: list[ValueItem] = []
    for number, item in enumerate(text.split("|"), start=1):
        if not item.strip():
            continue
        key, _, rest = item.partition(":")
        name_vi, _, name_en = rest.partition(":")
        key, name_vi, name_en = key.strip(), name_vi.strip(), name_en.strip()
        if not key or not name_vi:
            missing_vi, missing_en = (
                ("mã", "key") if not key else ("tên tiếng Việt", "Vietnamese name")
            )
            cells.refuse(
                "values",
                f"lựa chọn thứ {number} ({item.strip()!r}) thiếu {missing_vi}: "
                "viết mã:tên tiếng Việt:tên tiếng Anh, các lựa chọn cách nhau bởi |",
                f"choice {number} ({item.strip()!r}) has no {missing_en}: "
                "write key:name_vi:name_en, choices separated by |",
            )
            continue
        items.append(ValueItem(key, name_vi, name_en or None))
    return tuple(items)


def _rule(cells: Cells) -> RuleRow:
    return RuleRow(
        category_code=cells.required_text("category_code"),
        area_code=cells.required_text("area_code"),
        lead_agency_code=cells.required_text("lead_agency_code"),
        supporting_agency_codes=_supporting(cells),
        valid_from=cells.day("valid_from"),
        origin=cells.origin,
    )


def _supporting(cells: Cells) -> tuple[str, ...]:
    """Codes separated by ``;``, kept sorted so that the order written makes no difference."""
    text = cells.text("supporting_agency_codes")
    codes = [code.strip() for code in (text or "").split(";") if code.strip()]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        cells.refuse(
            "supporting_agency_codes",
            f"đơn vị phối hợp bị ghi lặp: {', '.join(repeated)}",
            f"supporting agencies listed twice: {', '.join(repeated)}",
        )
    return tuple(sorted(set(codes)))


def _user(cells: Cells) -> UserRow:
    return UserRow(
        username=cells.required_text("username"),
        full_name=cells.required_text("full_name"),
        role=cells.required_text("role"),
        agency_code=cells.text("agency_code"),
        email=cells.text("email"),
        origin=cells.origin,
    )
