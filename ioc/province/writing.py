"""Writing a pack as a folder (or a zip) a province's IT staff can open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from shapely.geometry import mapping

from ioc.province.pack import (
    AGENCIES,
    ATTRIBUTES,
    CATEGORIES,
    COLUMNS,
    PROVINCE_FILE,
    RULES,
    USERS,
    ProvincePack,
    ValueItem,
)

POLICY_FILE = "sla_policy.toml"
HOLIDAYS_FILE = "holidays.toml"


def write_pack(pack: ProvincePack, folder: Path) -> list[Path]:
    """Write ``pack`` into ``folder`` (created if needed); returns the files written."""
    written = []
    for name, content in pack_files(pack).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written


def pack_zip(pack: ProvincePack) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in pack_files(pack).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def pack_files(pack: ProvincePack) -> dict[str, bytes]:
    """Every file of the pack by its path inside the folder. Boundary files are written only
    for areas that carry their shapes."""
    files = {PROVINCE_FILE: _province_toml(pack).encode()}
    info = pack.province
    if info.sla_policy_toml is not None:
        files[POLICY_FILE] = info.sla_policy_toml.encode()
    if info.holidays_toml is not None:
        files[HOLIDAYS_FILE] = info.holidays_toml.encode()
    files[f"{AGENCIES}.csv"] = _csv(
        AGENCIES,
        (
            (
                a.code,
                a.name_vi,
                a.name_en,
                a.parent_code,
                a.area_code,
                a.kind,
                a.email,
                a.phone,
                _bool(a.active),
                _bool(a.sign_off),
            )
            for a in pack.agencies
        ),
    )
    groups = {g.code: g for g in pack.groups}
    files[f"{CATEGORIES}.csv"] = _csv(
        CATEGORIES,
        (
            (
                c.code,
                c.group_code,
                groups[c.group_code].name_vi if c.group_code in groups else None,
                groups[c.group_code].name_en if c.group_code in groups else None,
                c.name_vi,
                c.name_en,
                c.description_vi,
                c.description_en,
                c.tier,
                str(c.target_hours),
                _bool(c.auto_dispatch),
                _bool(c.photo_required),
                _bool(c.after_photo_required),
                _bool(c.private),
                str(c.duplicate_radius_m),
            )
            for c in sorted(pack.categories, key=lambda c: (c.sort_order, c.code))
        ),
    )
    files[f"{ATTRIBUTES}.csv"] = _csv(
        ATTRIBUTES,
        (
            (
                a.category_code,
                a.code,
                a.datatype,
                _bool(a.required),
                str(a.order),
                a.description_vi,
                a.description_en,
                _values(a.values),
            )
            for a in pack.attributes
        ),
    )
    files[f"{RULES}.csv"] = _csv(
        RULES,
        (
            (
                r.category_code,
                r.area_code,
                r.lead_agency_code,
                ";".join(r.supporting_agency_codes),
                r.valid_from.isoformat() if r.valid_from else None,
            )
            for r in pack.rules
        ),
    )
    files[f"{USERS}.csv"] = _csv(
        USERS, ((u.username, u.full_name, u.role, u.agency_code, u.email) for u in pack.users)
    )
    files.update(_boundary_files(pack))
    return files


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _values(items: Sequence[ValueItem]) -> str:
    return "|".join(f"{v.key}:{v.name_vi}" + (f":{v.name_en}" if v.name_en else "") for v in items)


def _csv(table: str, rows: Iterable[Sequence[str | None]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS[table])
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode()


def _toml_string(value: str) -> str:
    # JSON's string escapes are a subset of TOML's basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def _province_toml(pack: ProvincePack) -> str:
    info = pack.province
    lines = [
        f"code = {_toml_string(info.code)}",
        f"name_vi = {_toml_string(info.name_vi)}",
    ]
    if info.name_en:
        lines.append(f"name_en = {_toml_string(info.name_en)}")
    lines.append(f"time_zone = {_toml_string(info.time_zone)}")
    if info.sla_policy_toml is not None:
        lines.append(f"sla_policy = {_toml_string(POLICY_FILE)}")
    if info.holidays_toml is not None:
        lines.append(f"holidays = {_toml_string(HOLIDAYS_FILE)}")
    if not info.channels.is_empty:
        lines += ["", "[channels]"]
        contacts = info.channels.as_dict()
        lines += [f"{key} = {_toml_string(value)}" for key, value in contacts.items()]
    levels_with_shapes = {a.level for a in pack.areas if a.parsed is not None}
    for source in pack.area_sources:
        if source.level not in levels_with_shapes:
            continue
        lines += ["", "[[areas]]"]
        for key in (
            "file",
            "level",
            "code_prop",
            "name_prop",
            "name_en_prop",
            "parent_code_prop",
            "parent_code",
        ):
            value = getattr(source, key)
            if value is not None:
                lines.append(f"{key} = {_toml_string(value)}")
        if source.valid_from is not None:
            lines.append(f"valid_from = {source.valid_from.isoformat()}")
    return "\n".join(lines) + "\n"


def _boundary_files(pack: ProvincePack) -> dict[str, bytes]:
    """One FeatureCollection per area source, with the properties the source names."""
    files = {}
    for source in pack.area_sources:
        features = []
        for area in pack.areas:
            if area.level != source.level or area.parsed is None:
                continue
            properties = {source.code_prop: area.code, source.name_prop: area.name_vi}
            if source.name_en_prop and area.name_en:
                properties[source.name_en_prop] = area.name_en
            if source.parent_code_prop and area.parent_code:
                properties[source.parent_code_prop] = area.parent_code
            features.append(
                {"type": "Feature", "properties": properties, "geometry": mapping(area.parsed.geom)}
            )
        if features:
            document = {"type": "FeatureCollection", "features": features}
            files[source.file] = json.dumps(document, ensure_ascii=False).encode()
    return files
