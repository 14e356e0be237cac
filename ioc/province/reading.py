"""Reading a province pack folder into a :class:`~ioc.province.pack.ProvincePack`.

``read_pack`` never raises on bad content: it returns what it could read and every problem
found, each naming the file, row (or feature) and column. Cross-references (an unknown agency
code, a rule for an unknown area…) are :mod:`ioc.province.checks`' business, which runs on
packs read from folders and on packs taken from the database alike.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from ioc.geo.boundaries import BoundaryFileError, PropertyMapping, parse_areas, read_geojson
from ioc.province.pack import (
    AGENCIES,
    ATTRIBUTES,
    CATEGORIES,
    COLUMNS,
    PROVINCE_FILE,
    RULES,
    USERS,
    AgencyRow,
    AreaRow,
    AreaSource,
    AttributeRow,
    CategoryRow,
    GroupRow,
    Origin,
    Problem,
    ProvinceInfo,
    ProvincePack,
    RuleRow,
    UserRow,
    ValueItem,
)
from ioc.province.tables import Cells, Table, error, find_table, read_table
from ioc.province.toml_text import toml_text

#: Used when ``province.toml`` names no time zone: Vietnam's (UTC+7, no daylight saving).
DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"

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

_PROVINCE_KEYS = ("code", "name_vi", "name_en", "time_zone", "sla_policy", "holidays", "areas")
_AREA_KEYS = (
    "file",
    "level",
    "code_prop",
    "name_prop",
    "name_en_prop",
    "parent_code_prop",
    "parent_code",
    "valid_from",
)
_BOUNDARY_SUFFIXES = (".geojson", ".json")

_Row = TypeVar("_Row")


def read_pack(folder: Path) -> tuple[ProvincePack, list[Problem]]:
    """Read every file of the pack in ``folder``; the problems are reading errors only."""
    problems: list[Problem] = []
    province, sources = _read_province(folder, problems)
    areas = [area for source in sources for area in _read_areas(folder, source, problems)]
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


# -- province.toml -------------------------------------------------------------------------


def _read_province(folder: Path, problems: list[Problem]) -> tuple[ProvinceInfo, list[AreaSource]]:
    origin = Origin(PROVINCE_FILE)
    empty = ProvinceInfo(code="", name_vi="", name_en=None, time_zone=DEFAULT_TIME_ZONE)
    path = folder / PROVINCE_FILE
    if not path.is_file():
        problems.append(
            error(
                origin,
                f"thiếu tệp {PROVINCE_FILE} (mã tỉnh, tên, múi giờ, ranh giới)",
                f"{PROVINCE_FILE} is missing (the province's code, names, time zone, boundaries)",
            )
        )
        return empty, []
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(
            error(origin, f"tệp TOML sai cú pháp: {exc}", f"the TOML is malformed: {exc}")
        )
        return empty, []
    _unknown_keys(document, _PROVINCE_KEYS, origin, problems, where="")
    keys = _Keys(document, origin, problems)
    policy_toml, policy_origin = _policy(folder, document.get("sla_policy"), origin, problems)
    holidays_toml, holidays_origin = _holidays(folder, document.get("holidays"), origin, problems)
    province = ProvinceInfo(
        code=keys.text("code", required=True) or "",
        name_vi=keys.text("name_vi", required=True) or "",
        name_en=keys.text("name_en"),
        time_zone=keys.text("time_zone") or DEFAULT_TIME_ZONE,
        sla_policy_toml=policy_toml,
        holidays_toml=holidays_toml,
        origin=origin,
        sla_policy_origin=policy_origin,
        holidays_origin=holidays_origin,
    )
    tables = document.get("areas", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        problems.append(
            error(
                origin.at("areas"),
                "areas phải là các bảng [[areas]], mỗi bảng một tệp ranh giới",
                "areas must be [[areas]] tables, one per boundary file",
            )
        )
        return province, []
    sources = [_area_source(number, table, problems) for number, table in enumerate(tables, 1)]
    return province, [source for source in sources if source is not None]


class _Keys:
    """The keys of one TOML table, read as text or dates with problems collected."""

    def __init__(self, table: dict[str, Any], origin: Origin, problems: list[Problem]) -> None:
        self.table = table
        self.origin = origin
        self.problems = problems
        self.prefix = origin.column + "." if origin.column else ""

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.table.get(key)
        where = self.origin.at(self.prefix + key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            self.problems.append(
                error(where, "phải là một chuỗi trong ngoặc kép", "must be a quoted string")
            )
            return None
        text = value.strip() if value else None
        if not text and required:
            self.problems.append(
                error(where, f"thiếu khóa bắt buộc {key}", f"the required key {key} is missing")
            )
        return text or None

    def day(self, key: str) -> date | None:
        value = self.table.get(key)
        if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problems.append(
            error(
                self.origin.at(self.prefix + key),
                f"{value!r} không phải ngày dạng YYYY-MM-DD",
                f"{value!r} is not a date written YYYY-MM-DD",
            )
        )
        return None


def _unknown_keys(
    table: dict[str, Any],
    allowed: Iterable[str],
    origin: Origin,
    problems: list[Problem],
    *,
    where: str,
) -> None:
    allowed = tuple(allowed)
    for key in table:
        if key not in allowed:
            problems.append(
                error(
                    origin.at(where + key),
                    f"khóa không có trong định dạng: {key!r}; "
                    f"các khóa hợp lệ: {', '.join(allowed)}",
                    f"unknown key {key!r}; the keys are: {', '.join(allowed)}",
                )
            )


def _pack_file(
    folder: Path, name: str, origin: Origin, problems: list[Problem], *, what_vi: str
) -> Path | None:
    """A file the pack names, which must lie inside the pack's folder."""
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        problems.append(
            error(
                origin,
                f"{what_vi} {name!r} phải nằm trong thư mục của gói cấu hình",
                f"{name!r} must lie inside the pack's folder",
            )
        )
        return None
    if not path.is_file():
        problems.append(
            error(
                origin,
                f"không tìm thấy tệp {what_vi} {name!r}",
                f"the file {name!r} does not exist",
            )
        )
        return None
    return path


def _read_text(path: Path, origin: Origin, problems: list[Problem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(
            error(
                origin,
                f"không đọc được tệp {path.name} (UTF-8): {exc}",
                f"cannot read {path.name} (UTF-8): {exc}",
            )
        )
        return None


def _policy(
    folder: Path, value: Any, origin: Origin, problems: list[Problem]
) -> tuple[str | None, Origin | None]:
    where = origin.at("sla_policy")
    if value is None:
        return None, None
    if isinstance(value, dict):
        return toml_text(value), where
    if isinstance(value, str):
        path = _pack_file(folder, value, where, problems, what_vi="chính sách thời hạn")
        text = _read_text(path, where, problems) if path else None
        return text, Origin(value)
    problems.append(
        error(
            where,
            "sla_policy phải là đường dẫn tới tệp TOML hoặc bảng [sla_policy]",
            "sla_policy must be the path of a TOML file or a [sla_policy] table",
        )
    )
    return None, None


def _holidays(
    folder: Path, value: Any, origin: Origin, problems: list[Problem]
) -> tuple[str | None, Origin | None]:
    where = origin.at("holidays")
    if value is None:
        return None, None
    if not isinstance(value, str):
        problems.append(
            error(
                where,
                "holidays phải là đường dẫn tới tệp ngày nghỉ lễ (TOML)",
                "holidays must be the path of a holidays file (TOML)",
            )
        )
        return None, None
    path = _pack_file(folder, value, where, problems, what_vi="ngày nghỉ lễ")
    text = _read_text(path, where, problems) if path else None
    return text, Origin(value)


def _area_source(number: int, table: dict[str, Any], problems: list[Problem]) -> AreaSource | None:
    origin = Origin(PROVINCE_FILE, column=f"areas[{number}]")
    before = len(problems)
    _unknown_keys(table, _AREA_KEYS, origin, problems, where=f"areas[{number}].")
    keys = _Keys(table, origin, problems)
    file = keys.text("file", required=True)
    level = keys.text("level", required=True)
    code_prop = keys.text("code_prop", required=True)
    name_prop = keys.text("name_prop", required=True)
    parent_code_prop = keys.text("parent_code_prop")
    parent_code = keys.text("parent_code")
    if parent_code_prop and parent_code:
        problems.append(
            error(
                origin.at(f"areas[{number}].parent_code"),
                "chỉ ghi một trong hai: parent_code_prop hoặc parent_code",
                "give parent_code_prop or parent_code, not both",
            )
        )
    source = AreaSource(
        file=file or "",
        level=level or "",
        code_prop=code_prop or "",
        name_prop=name_prop or "",
        name_en_prop=keys.text("name_en_prop"),
        parent_code_prop=parent_code_prop,
        parent_code=parent_code,
        valid_from=keys.day("valid_from"),
        origin=origin,
    )
    return source if len(problems) == before else None


def _read_areas(folder: Path, source: AreaSource, problems: list[Problem]) -> list[AreaRow]:
    origin = source.origin or Origin(PROVINCE_FILE, column="areas")
    where = origin.at(f"{origin.column}.file")
    if not source.file.lower().endswith(_BOUNDARY_SUFFIXES):
        problems.append(
            error(
                where,
                f"{source.file!r}: tệp ranh giới phải là GeoJSON (.geojson)",
                f"{source.file!r}: boundary files must be GeoJSON (.geojson)",
            )
        )
        return []
    path = _pack_file(folder, source.file, where, problems, what_vi="ranh giới")
    if path is None:
        return []
    mapping = PropertyMapping(
        level=source.level,
        code_prop=source.code_prop,
        name_prop=source.name_prop,
        name_en_prop=source.name_en_prop,
        parent_code_prop=source.parent_code_prop,
        parent_code=source.parent_code,
    )
    try:
        parsed = parse_areas(read_geojson(path), mapping, source=source.file)
    except BoundaryFileError as exc:
        problems.extend(
            error(
                Origin(source.file, feature=index),
                f"ranh giới không dùng được: {reason}",
                f"unusable boundary: {reason}",
            )
            for index, reason in exc.problems
        )
        return []
    return [
        AreaRow(
            code=area.code,
            level=area.level,
            name_vi=area.name_vi,
            name_en=area.name_en,
            parent_code=area.parent_code,
            parsed=area,
            origin=Origin(source.file, feature=area.index),
        )
        for area in parsed
    ]


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
