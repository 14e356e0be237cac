"""Reading ``province.toml`` and the boundary files it names (part of :mod:`reading`)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from ioc.geo.boundaries import BoundaryFileError, PropertyMapping, parse_areas, read_geojson
from ioc.province.channels import read_channels
from ioc.province.pack import PROVINCE_FILE, AreaRow, AreaSource, Origin, Problem, ProvinceInfo
from ioc.province.tables import error
from ioc.province.toml_text import toml_text

#: Used when ``province.toml`` names no time zone: Vietnam's (UTC+7, no daylight saving).
DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"

_PROVINCE_KEYS = (
    "code",
    "name_vi",
    "name_en",
    "time_zone",
    "sla_policy",
    "holidays",
    "channels",
    "areas",
)
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


def read_province(folder: Path, problems: list[Problem]) -> tuple[ProvinceInfo, list[AreaSource]]:
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
        channels=read_channels(document.get("channels"), origin, problems),
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


def read_areas(folder: Path, source: AreaSource, problems: list[Problem]) -> list[AreaRow]:
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
