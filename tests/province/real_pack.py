"""A province pack made from real district boundaries (Sơn La, GADM level 3), in a tmp folder.

The boundary files live beside the repository (``../shared/data/vn-districts``) and are never
copied into it; :func:`write_real_pack` skips the calling test when they are absent.

The pack has a province area (the union of the districts), one People's Committee per
district (kind ``commune_committee``), six departments and the IOC centre; twelve categories
in three groups; a province-wide rule per category, a group rule per district for public
order, and per-district overrides for waste and lighting. ``RealPack.expected_leads`` says,
for each district's representative point and each category, which agency must lead.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "vn-districts"
PROVINCE_FILE = "son_la.geojson"
PROVINCE_CODE = "SL"

DEPARTMENTS = [
    ("SXD", "Sở Xây dựng", "Department of Construction", "department"),
    (
        "SNNMT",
        "Sở Nông nghiệp và Môi trường",
        "Department of Agriculture and Environment",
        "department",
    ),
    ("SYT", "Sở Y tế", "Department of Health", "department"),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade", "department"),
    ("CA-SL", "Công an tỉnh Sơn La", "Son La Provincial Police", "police"),
    ("CTN-SL", "Công ty Cổ phần Cấp nước Sơn La", "Son La Water Supply JSC", "company"),
]
GROUPS = {
    "ha-tang": ("Hạ tầng", "Infrastructure"),
    "moi-truong": ("Môi trường", "Environment"),
    "trat-tu": ("Trật tự đô thị", "Public order"),
}
#: Category code, group, name, and the agency that leads province-wide (None: the group's
#: rules decide, as for every public-order category).
CATEGORIES: list[tuple[str, str, str, str | None]] = [
    ("o-ga", "ha-tang", "Ổ gà", "SXD"),
    ("den-duong", "ha-tang", "Đèn đường hỏng", "SXD"),
    ("cau-hu-hong", "ha-tang", "Cầu hư hỏng", "SXD"),
    ("vo-ong-nuoc", "ha-tang", "Vỡ ống nước", "CTN-SL"),
    ("mat-dien", "ha-tang", "Sự cố lưới điện", "SCT"),
    ("rac-thai", "moi-truong", "Rác thải", "SNNMT"),
    ("chay-rung", "moi-truong", "Nguy cơ cháy rừng", "SNNMT"),
    ("sat-lo", "moi-truong", "Sạt lở đất", "SNNMT"),
    ("ve-sinh-thuc-pham", "moi-truong", "Vệ sinh an toàn thực phẩm", "SYT"),
    ("lan-chiem", "trat-tu", "Lấn chiếm vỉa hè", None),
    ("tieng-on", "trat-tu", "Tiếng ồn", None),
    ("buon-ban-trai-phep", "trat-tu", "Buôn bán trái phép", None),
]
#: Categories that each district's People's Committee leads in its own district.
DISTRICT_LED = ("rac-thai", "den-duong")
#: The group whose rule each district's People's Committee leads (a group rule per district,
#: with the police leading province-wide and supporting in each district).
DISTRICT_GROUP = "trat-tu"
GROUP_LEAD = "CA-SL"


@dataclass(frozen=True)
class District:
    code: str
    name: str
    point: tuple[float, float]  # (lon, lat) of a representative point inside the district
    committee: str  # the code of its People's Committee


@dataclass
class RealPack:
    folder: Path
    province_code: str
    districts: list[District]
    categories: list[str]
    #: (district code, category code) → the agency code the pack's rules name as lead.
    expected_leads: dict[tuple[str, str], str] = field(default_factory=dict)


def district_file() -> Path:
    path = DATA_DIR / PROVINCE_FILE
    if not path.is_file():
        pytest.skip(f"real boundary files not found at {DATA_DIR} (present in CI)")
    return path


def write_real_pack(folder: Path) -> RealPack:
    """Write the pack into ``folder`` (created if needed) and say what its rules decide."""
    source = district_file()
    areas = folder / "areas"
    areas.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, areas / "districts.geojson")
    features = json.loads(source.read_text(encoding="utf-8"))["features"]
    shapes = [shape(feature["geometry"]) for feature in features]
    districts = [
        District(
            code=str(feature["properties"]["ID_3"]),
            name=feature["properties"]["NAME_3"],
            point=geom.representative_point().coords[0],
            committee=f"UBND-{feature['properties']['ID_3']}",
        )
        for feature, geom in zip(features, shapes, strict=True)
    ]
    outline = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": PROVINCE_CODE, "name": "Sơn La"},
                "geometry": mapping(unary_union(shapes)),
            }
        ],
    }
    (areas / "province.geojson").write_text(json.dumps(outline), encoding="utf-8")
    (folder / "province.toml").write_text(
        f'code = "{PROVINCE_CODE}"\nname_vi = "Tỉnh Sơn La"\nname_en = "Son La Province"\n'
        'time_zone = "Asia/Ho_Chi_Minh"\n\n'
        '[[areas]]\nfile = "areas/province.geojson"\nlevel = "province"\n'
        'code_prop = "code"\nname_prop = "name"\n\n'
        '[[areas]]\nfile = "areas/districts.geojson"\nlevel = "district"\n'
        f'code_prop = "ID_3"\nname_prop = "NAME_3"\nparent_code = "{PROVINCE_CODE}"\n',
        encoding="utf-8",
    )
    agencies = [("IOC-SL", "Trung tâm IOC tỉnh Sơn La", "Son La IOC", "", PROVINCE_CODE, "ioc")]
    agencies += [(code, vi, en, "", PROVINCE_CODE, kind) for code, vi, en, kind in DEPARTMENTS]
    agencies += [
        (
            d.committee,
            f"UBND {d.name}",
            f"People's Committee of {d.name}",
            "",
            d.code,
            "commune_committee",
        )
        for d in districts
    ]
    _write(
        folder / "agencies.csv",
        ["code", "name_vi", "name_en", "parent_code", "area_code", "kind"],
        agencies,
    )
    _write(
        folder / "categories.csv",
        ["code", "group_code", "group_name_vi", "group_name_en", "name_vi", "tier", "target_hours"],
        [(code, group, *GROUPS[group], name, "normal", 24) for code, group, name, _ in CATEGORIES],
    )
    rules = [(code, PROVINCE_CODE, lead, "") for code, _, _, lead in CATEGORIES if lead]
    rules.append((DISTRICT_GROUP, PROVINCE_CODE, GROUP_LEAD, ""))
    for district in districts:
        rules += [(code, district.code, district.committee, "") for code in DISTRICT_LED]
        rules.append((DISTRICT_GROUP, district.code, district.committee, "CA-SL"))
    _write(
        folder / "rules.csv",
        ["category_code", "area_code", "lead_agency_code", "supporting_agency_codes"],
        rules,
    )
    users = [("quantri", "Quản trị viên", "admin", "")]
    users += [
        (f"{code.lower()}.canbo", f"Cán bộ {code}", "agency_officer", code)
        for code, *_ in DEPARTMENTS
    ]
    users += [
        (f"{d.committee.lower()}.canbo", f"Cán bộ {d.committee}", "agency_officer", d.committee)
        for d in districts
    ]
    _write(folder / "users.csv", ["username", "full_name", "role", "agency_code"], users)

    pack = RealPack(folder, PROVINCE_CODE, districts, [code for code, *_ in CATEGORIES])
    for district in districts:
        for code, group, _, lead in CATEGORIES:
            # The category's rules first (the district's, then the province's), then its
            # group's rules, again the most specific area first.
            if code in DISTRICT_LED or group == DISTRICT_GROUP:
                lead = district.committee
            assert lead is not None
            pack.expected_leads[(district.code, code)] = lead
    return pack


def _write(path: Path, header: list[str], rows: list[tuple[object, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
