"""Every rule a province pack must follow, checked on the whole pack at once.

The same checks run on a pack read from a folder (rows know their file, row and column) and
on a pack taken from the database for a console edit (rows have no origin: the message then
names the kind and code of the row, e.g. "cơ quan SXD: …"). Errors refuse the pack; warnings
say where the province will not get what it probably expects (reports going to the IOC queue,
agencies nobody can sign in for).
"""

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ioc.feedback.sla.calendar import DEFAULT_WEEK, load_calendar
from ioc.feedback.sla.policy import read_policy_file
from ioc.feedback.states import AGENCY_STAFF, AgencyKind, Role, SlaTier
from ioc.province.pack import (
    DATATYPES,
    LIST_DATATYPES,
    AreaRow,
    Origin,
    Problem,
    ProvinceInfo,
    ProvincePack,
    Severity,
)

#: The lengths of the model columns (ioc.feedback.models), so that a long value is refused
#: with its cell named instead of failing in the middle of a load on PostgreSQL.
CODE_LENGTH = 64
NAME_LENGTH = 200
EMAIL_LENGTH = 200
PHONE_LENGTH = 50
USERNAME_LENGTH = 64

_SPACE = re.compile(r"\s")
_ROLES = tuple(role.value for role in Role if role is not Role.CITIZEN)
_KINDS = tuple(kind.value for kind in AgencyKind)
_TIERS = tuple(tier.value for tier in SlaTier)


def check_pack(pack: ProvincePack) -> list[Problem]:
    """Every error and warning of ``pack``, in the order of its files."""
    found = _Found()
    _check_province(pack.province, found)
    _check_areas(pack, found)
    _check_agencies(pack, found)
    _check_groups_and_categories(pack, found)
    _check_attributes(pack, found)
    _check_rules(pack, found)
    _check_users(pack, found)
    _warn_about_gaps(pack, found)
    return found.problems


@dataclass(frozen=True)
class _Subject:
    """A row being checked: where it was written, and how to name it when it was not."""

    origin: Origin | None
    vi: str
    en: str


@dataclass
class _Found:
    problems: list[Problem] = field(default_factory=list)

    def error(self, subject: _Subject, column: str | None, vi: str, en: str) -> None:
        self._add(Severity.ERROR, subject, column, vi, en)

    def warning(self, subject: _Subject, column: str | None, vi: str, en: str) -> None:
        self._add(Severity.WARNING, subject, column, vi, en)

    def _add(
        self, severity: Severity, subject: _Subject, column: str | None, vi: str, en: str
    ) -> None:
        if subject.origin is None:
            where = f" ({column})" if column else ""
            # A row edited in the console has no file: the column still says which field.
            self.problems.append(
                Problem(
                    severity,
                    f"{subject.vi}{where}: {vi}",
                    f"{subject.en}{where}: {en}",
                    Origin("", column=column) if column else None,
                )
            )
            return
        origin = subject.origin.at(column) if column else subject.origin
        self.problems.append(Problem(severity, vi, en, origin))

    def code(
        self, subject: _Subject, column: str, value: str, *, length: int = CODE_LENGTH
    ) -> None:
        """A code (or username) is required, one word, and fits its column."""
        if not value:
            self.error(subject, column, "mã không được để trống", "the code must not be empty")
        elif _SPACE.search(value):
            self.error(
                subject,
                column,
                f"mã {value!r} có khoảng trắng: mã chỉ gồm chữ, số và dấu - _ .",
                f"the code {value!r} contains a space: codes are letters, digits and - _ .",
            )
        self.length(subject, column, value, length)

    def length(self, subject: _Subject, column: str, value: str | None, length: int) -> None:
        if value is not None and len(value) > length:
            self.error(
                subject,
                column,
                f"dài {len(value)} ký tự, tối đa {length}",
                f"{len(value)} characters long, at most {length}",
            )

    def name(self, subject: _Subject, column: str, value: str | None, *, required: bool) -> None:
        if required and not value:
            self.error(subject, column, "tên không được để trống", "the name must not be empty")
        self.length(subject, column, value, NAME_LENGTH)

    def repeats(self, subject: _Subject, column: str, value: str, first: _Subject) -> None:
        row = first.origin.row if first.origin else None
        where_vi, where_en = (
            (f"dòng {row}", f"row {row}") if row else ("một dòng khác", "another row")
        )
        self.error(
            subject,
            column,
            f"{value!r} trùng với {where_vi}: mỗi mã chỉ được dùng một lần",
            f"{value!r} repeats {where_en}: each code may be used once",
        )


def _agency(code: str, origin: Origin | None) -> _Subject:
    return _Subject(origin, f"cơ quan {code}", f"agency {code}")


# -- the province ---------------------------------------------------------------------------


def _check_province(province: ProvinceInfo, found: _Found) -> None:
    subject = _Subject(province.origin, "tỉnh", "province")
    found.code(subject, "code", province.code)
    found.name(subject, "name_vi", province.name_vi, required=True)
    found.name(subject, "name_en", province.name_en, required=False)
    zone = _zone(province.time_zone)
    if zone is None:
        found.error(
            subject,
            "time_zone",
            f"{province.time_zone!r} không phải múi giờ IANA (ví dụ Asia/Ho_Chi_Minh)",
            f"{province.time_zone!r} is not an IANA time zone (e.g. Asia/Ho_Chi_Minh)",
        )
        zone = ZoneInfo("Asia/Ho_Chi_Minh")
    week = DEFAULT_WEEK
    with tempfile.TemporaryDirectory() as folder:
        if province.sla_policy_toml is not None:
            policy_subject = _Subject(
                province.sla_policy_origin or province.origin,
                "chính sách thời hạn (SLA)",
                "the SLA policy",
            )
            path = Path(folder) / "sla_policy.toml"
            path.write_text(province.sla_policy_toml, encoding="utf-8")
            try:
                week = read_policy_file(path).office_hours.week()
            except ValueError as exc:
                detail = _detail(exc, path)
                found.error(
                    policy_subject,
                    _column(province.sla_policy_origin, "sla_policy"),
                    f"chính sách thời hạn không hợp lệ: {detail}",
                    f"the SLA policy is not valid: {detail}",
                )
        if province.holidays_toml is not None:
            holidays_subject = _Subject(
                province.holidays_origin or province.origin, "ngày nghỉ lễ", "the holidays"
            )
            path = Path(folder) / "holidays.toml"
            path.write_text(province.holidays_toml, encoding="utf-8")
            try:
                load_calendar(zone, path, week=week)
            except ValueError as exc:
                detail = _detail(exc, path)
                found.error(
                    holidays_subject,
                    _column(province.holidays_origin, "holidays"),
                    f"danh sách ngày nghỉ lễ không hợp lệ: {detail}",
                    f"the holidays are not valid: {detail}",
                )


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _detail(exc: ValueError, path: Path) -> str:
    """The parser's message without the temporary file's name."""
    return " ".join(str(exc).replace(f"{path}:", "").split())


def _column(origin: Origin | None, key: str) -> str | None:
    """The key of province.toml, unless the text came from a file of its own."""
    return None if origin is not None and origin.column is None else key


# -- areas ----------------------------------------------------------------------------------


def _area(area: AreaRow) -> _Subject:
    return _Subject(area.origin, f"khu vực {area.code}", f"area {area.code}")


def _check_areas(pack: ProvincePack, found: _Found) -> None:
    first: dict[str, AreaRow] = {}
    for area in pack.areas:
        if area.code in first:
            found.repeats(_area(area), "code", area.code, _area(first[area.code]))
        else:
            first[area.code] = area
    for area in pack.areas:
        if area.parent_code is not None and area.parent_code not in first:
            found.error(
                _area(area),
                None,
                f"khu vực cấp trên {area.parent_code!r} không có trong các tệp ranh giới",
                f"the parent area {area.parent_code!r} is in none of the boundary files",
            )


# -- agencies -------------------------------------------------------------------------------


def _check_agencies(pack: ProvincePack, found: _Found) -> None:
    area_codes = {area.code for area in pack.areas}
    first: dict[str, _Subject] = {}
    parents: dict[str, str | None] = {}
    for agency in pack.agencies:
        subject = _agency(agency.code, agency.origin)
        found.code(subject, "code", agency.code)
        if agency.code in first:
            found.repeats(subject, "code", agency.code, first[agency.code])
        else:
            first[agency.code] = subject
            parents[agency.code] = agency.parent_code
        found.name(subject, "name_vi", agency.name_vi, required=True)
        found.name(subject, "name_en", agency.name_en, required=False)
        found.length(subject, "email", agency.email, EMAIL_LENGTH)
        found.length(subject, "phone", agency.phone, PHONE_LENGTH)
        if agency.kind not in _KINDS:
            found.error(
                subject,
                "kind",
                f"loại cơ quan {agency.kind!r} không hợp lệ; chọn một trong: {_listed(AgencyKind)}",
                f"unknown kind {agency.kind!r}; choose one of: {_listed(AgencyKind)}",
            )
        if agency.area_code is not None and agency.area_code not in area_codes:
            found.error(
                subject,
                "area_code",
                f"khu vực {agency.area_code!r} không có trong các tệp ranh giới của gói",
                f"the area {agency.area_code!r} is in none of the pack's boundary files",
            )
    for agency in pack.agencies:
        subject = _agency(agency.code, agency.origin)
        if agency.parent_code is None:
            continue
        if agency.parent_code == agency.code:
            found.error(
                subject,
                "parent_code",
                "cơ quan không thể là cấp trên của chính nó",
                "an agency cannot be its own parent",
            )
        elif agency.parent_code not in first:
            found.error(
                subject,
                "parent_code",
                f"cơ quan cấp trên {agency.parent_code!r} không có trong danh sách cơ quan",
                f"the parent agency {agency.parent_code!r} is not in the agencies",
            )
        elif (cycle := _cycle(agency.code, parents)) is not None:
            found.error(
                subject,
                "parent_code",
                f"các cơ quan cấp trên tạo thành vòng lặp: {' → '.join(cycle)}",
                f"the parent agencies go round in a circle: {' → '.join(cycle)}",
            )


def _cycle(code: str, parents: dict[str, str | None]) -> list[str] | None:
    chain = [code]
    parent = parents.get(code)
    while parent is not None and parent in parents:
        chain.append(parent)
        if parent == code:
            return chain
        if parent in chain[:-1]:
            return None  # a circle above this agency, reported on its own members
        parent = parents.get(parent)
    return None


def _listed(values: Iterable[str]) -> str:
    return ", ".join(str(value) for value in values)


# -- groups, categories, attributes ---------------------------------------------------------


def _check_groups_and_categories(pack: ProvincePack, found: _Found) -> None:
    category_codes = {category.code for category in pack.categories}
    groups: dict[str, _Subject] = {}
    for group in pack.groups:
        subject = _Subject(group.origin, f"nhóm lĩnh vực {group.code}", f"group {group.code}")
        found.code(subject, "group_code", group.code)
        if group.code in groups:
            found.repeats(subject, "group_code", group.code, groups[group.code])
        groups[group.code] = subject
        found.name(subject, "group_name_vi", group.name_vi, required=True)
        found.name(subject, "group_name_en", group.name_en, required=False)
        if group.code in category_codes:
            found.error(
                subject,
                "group_code",
                f"{group.code!r} vừa là mã nhóm vừa là mã lĩnh vực: quy tắc chuyển xử lý "
                "không biết chỉ cái nào",
                f"{group.code!r} is both a group and a category code: a routing rule could "
                "not tell which it means",
            )
    first: dict[str, _Subject] = {}
    for category in pack.categories:
        subject = _Subject(
            category.origin, f"lĩnh vực {category.code}", f"category {category.code}"
        )
        found.code(subject, "code", category.code)
        if category.code in first:
            found.repeats(subject, "code", category.code, first[category.code])
        else:
            first[category.code] = subject
        if category.group_code not in groups:
            found.error(
                subject,
                "group_code",
                f"nhóm {category.group_code!r} không có",
                f"there is no group {category.group_code!r}",
            )
        found.name(subject, "name_vi", category.name_vi, required=True)
        found.name(subject, "name_en", category.name_en, required=False)
        if category.tier not in _TIERS:
            found.error(
                subject,
                "tier",
                f"mức độ {category.tier!r} không hợp lệ; chọn một trong: {_listed(SlaTier)} "
                "(khẩn, bình thường, phức tạp)",
                f"unknown tier {category.tier!r}; choose one of: {_listed(SlaTier)}",
            )
        if category.target_hours <= 0:
            found.error(
                subject,
                "target_hours",
                f"thời hạn xử lý phải lớn hơn 0 giờ, không phải {category.target_hours}",
                f"the target must be more than 0 hours, not {category.target_hours}",
            )
        if category.duplicate_radius_m < 0:
            found.error(
                subject,
                "duplicate_radius_m",
                "bán kính tìm phản ánh trùng không được âm",
                "the duplicate radius must not be negative",
            )


def _check_attributes(pack: ProvincePack, found: _Found) -> None:
    category_codes = {category.code for category in pack.categories}
    first: dict[tuple[str, str], _Subject] = {}
    for attribute in pack.attributes:
        name = f"{attribute.category_code}.{attribute.code}"
        subject = _Subject(attribute.origin, f"thuộc tính {name}", f"attribute {name}")
        if attribute.category_code not in category_codes:
            found.error(
                subject,
                "category_code",
                f"lĩnh vực {attribute.category_code!r} không có trong danh sách lĩnh vực",
                f"the category {attribute.category_code!r} is not in the categories",
            )
        found.code(subject, "code", attribute.code)
        key = (attribute.category_code, attribute.code)
        if key in first:
            found.repeats(subject, "code", attribute.code, first[key])
        else:
            first[key] = subject
        found.length(subject, "description_vi", attribute.description_vi, NAME_LENGTH)
        found.length(subject, "description_en", attribute.description_en, NAME_LENGTH)
        if attribute.datatype not in DATATYPES:
            found.error(
                subject,
                "datatype",
                f"kiểu dữ liệu {attribute.datatype!r} không hợp lệ; chọn một trong: "
                f"{_listed(DATATYPES)}",
                f"unknown datatype {attribute.datatype!r}; choose one of: {_listed(DATATYPES)}",
            )
        elif attribute.datatype in LIST_DATATYPES and not attribute.values:
            found.error(
                subject,
                "values",
                f"kiểu {attribute.datatype} cần danh sách lựa chọn (mã:tên tiếng Việt:tên "
                "tiếng Anh, cách nhau bởi |)",
                f"a {attribute.datatype} needs its choices (key:name_vi:name_en, separated by |)",
            )
        elif attribute.datatype not in LIST_DATATYPES and attribute.values:
            found.error(
                subject,
                "values",
                f"chỉ kiểu danh sách ({_listed(LIST_DATATYPES)}) mới có lựa chọn; kiểu "
                f"{attribute.datatype} thì để trống cột này",
                f"only lists ({_listed(LIST_DATATYPES)}) have choices; leave this empty for a "
                f"{attribute.datatype}",
            )
        keys = [value.key for value in attribute.values]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            found.error(
                subject,
                "values",
                f"mã lựa chọn bị lặp: {', '.join(repeated)}",
                f"choice keys repeated: {', '.join(repeated)}",
            )


# -- rules and users ------------------------------------------------------------------------


def _check_rules(pack: ProvincePack, found: _Found) -> None:
    targets = {category.code for category in pack.categories} | {g.code for g in pack.groups}
    areas = {area.code for area in pack.areas}
    agencies = {agency.code: agency for agency in pack.agencies}
    first: dict[tuple[str, str, object], _Subject] = {}
    for rule in pack.rules:
        name = f"{rule.category_code} / {rule.area_code}"
        subject = _Subject(rule.origin, f"quy tắc {name}", f"rule {name}")
        if rule.category_code not in targets:
            found.error(
                subject,
                "category_code",
                f"{rule.category_code!r} không phải mã lĩnh vực hay mã nhóm lĩnh vực nào",
                f"{rule.category_code!r} is neither a category nor a group code",
            )
        if rule.area_code not in areas:
            found.error(
                subject,
                "area_code",
                f"khu vực {rule.area_code!r} không có trong các tệp ranh giới của gói",
                f"the area {rule.area_code!r} is in none of the pack's boundary files",
            )
        key = (rule.category_code, rule.area_code, rule.valid_from)
        if key in first:
            earlier = first[key].origin
            row = earlier.row if earlier else None
            found.error(
                subject,
                "valid_from",
                f"quy tắc cho {name} từ ngày {rule.valid_from or '(không ghi)'} đã có"
                + (f" ở dòng {row}" if row else ""),
                f"a rule for {name} from {rule.valid_from or '(no date)'} already exists"
                + (f" on row {row}" if row else ""),
            )
        else:
            first[key] = subject
        columns = [("lead_agency_code", rule.lead_agency_code)]
        columns += [("supporting_agency_codes", code) for code in rule.supporting_agency_codes]
        for column, code in columns:
            agency = agencies.get(code)
            if agency is None:
                found.error(
                    subject,
                    column,
                    f"cơ quan {code!r} không có trong danh sách cơ quan",
                    f"the agency {code!r} is not in the agencies",
                )
            elif not agency.active:
                found.warning(
                    subject,
                    column,
                    f"cơ quan {code} đã ngừng hoạt động: phản ánh sẽ được giao cho một cơ quan "
                    "không còn làm việc",
                    f"the agency {code} is inactive: reports would go to an agency that no "
                    "longer works",
                )
        if rule.lead_agency_code in rule.supporting_agency_codes:
            found.error(
                subject,
                "supporting_agency_codes",
                f"cơ quan chủ trì {rule.lead_agency_code} không thể đồng thời là cơ quan phối hợp",
                f"the lead agency {rule.lead_agency_code} cannot also be a supporting agency",
            )


def _check_users(pack: ProvincePack, found: _Found) -> None:
    agencies = {agency.code: agency for agency in pack.agencies}
    first: dict[str, _Subject] = {}
    for user in pack.users:
        subject = _Subject(user.origin, f"người dùng {user.username}", f"user {user.username}")
        found.code(subject, "username", user.username, length=USERNAME_LENGTH)
        if user.username in first:
            found.repeats(subject, "username", user.username, first[user.username])
        else:
            first[user.username] = subject
        found.name(subject, "full_name", user.full_name, required=True)
        found.length(subject, "email", user.email, EMAIL_LENGTH)
        if user.role not in _ROLES:
            found.error(
                subject,
                "role",
                f"vai trò {user.role!r} không hợp lệ; chọn một trong: {_listed(_ROLES)}",
                f"unknown role {user.role!r}; choose one of: {_listed(_ROLES)}",
            )
        elif Role(user.role) in AGENCY_STAFF and user.agency_code is None:
            found.error(
                subject,
                "agency_code",
                f"vai trò {user.role} làm việc cho một cơ quan: ghi mã cơ quan",
                f"the role {user.role} works for an agency: give the agency code",
            )
        elif Role(user.role) not in AGENCY_STAFF and user.agency_code is not None:
            found.error(
                subject,
                "agency_code",
                f"vai trò {user.role} thuộc Trung tâm IOC: để trống mã cơ quan",
                f"the role {user.role} belongs to the IOC centre: leave the agency code empty",
            )
        if user.agency_code is not None:
            agency = agencies.get(user.agency_code)
            if agency is None:
                found.error(
                    subject,
                    "agency_code",
                    f"cơ quan {user.agency_code!r} không có trong danh sách cơ quan",
                    f"the agency {user.agency_code!r} is not in the agencies",
                )
            elif not agency.active:
                found.warning(
                    subject,
                    "agency_code",
                    f"cơ quan {user.agency_code} đã ngừng hoạt động",
                    f"the agency {user.agency_code} is inactive",
                )


# -- warnings: what will not work as the province expects -----------------------------------


def _warn_about_gaps(pack: ProvincePack, found: _Found) -> None:
    routed = {rule.category_code for rule in pack.rules}
    for category in pack.categories:
        if category.code not in routed and category.group_code not in routed:
            found.warning(
                _Subject(category.origin, f"lĩnh vực {category.code}", f"category {category.code}"),
                "code",
                "không có quy tắc chuyển xử lý nào cho lĩnh vực này hay nhóm của nó: mọi phản "
                "ánh sẽ nằm ở hàng đợi của Trung tâm IOC",
                "no routing rule names this category or its group: every report will wait in "
                "the IOC queue",
            )
    parents = {area.parent_code for area in pack.areas}
    committees = defaultdict(list)
    for agency in pack.agencies:
        if agency.active and agency.kind == AgencyKind.COMMUNE_COMMITTEE and agency.area_code:
            committees[agency.area_code].append(agency.code)
    for area in pack.areas:
        if area.code not in parents and not committees[area.code]:
            found.warning(
                _area(area),
                None,
                f"khu vực {area.code} ({area.name_vi}) chưa có Ủy ban nhân dân (cơ quan loại "
                f"commune_committee với area_code {area.code})",
                f"area {area.code} ({area.name_vi}) has no People's Committee (an agency of "
                f"kind commune_committee with area_code {area.code})",
            )
    staffed = {user.agency_code for user in pack.users}
    for agency in pack.agencies:
        # The IOC centre's staff hold IOC roles, which belong to no agency.
        if agency.active and agency.kind != AgencyKind.IOC and agency.code not in staffed:
            found.warning(
                _agency(agency.code, agency.origin),
                "code",
                "cơ quan chưa có người dùng nào: không ai nhận được phản ánh giao cho cơ quan này",
                "the agency has no user: nobody will see the reports assigned to it",
            )
