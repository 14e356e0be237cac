"""The province pack in memory: what a province configures, whichever way it came in.

A pack is read from a folder of CSV/XLSX/TOML/GeoJSON files (:mod:`ioc.province.reading`),
or taken from the database (:mod:`ioc.province.current`); the same checks run on both
(:mod:`ioc.province.checks`), and loading applies the difference between the two
(:mod:`ioc.province.loading`). The admin console edits one row of the current pack and goes
through the same checks and the same loader, so the rules live in one place.

Rows compare by their content only: where a row came from (``origin``) never makes a
difference.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum

from ioc.errors import InvalidInput
from ioc.geo.boundaries import ParsedArea

#: The files of a pack, in the order they are read and reported; each ``.csv`` may be an
#: ``.xlsx`` with the same columns (first sheet, header row).
PROVINCE_FILE = "province.toml"
AGENCIES = "agencies"
CATEGORIES = "categories"
ATTRIBUTES = "attributes"
RULES = "rules"
USERS = "users"

#: The columns of each table, in the order an export writes them.
COLUMNS: dict[str, tuple[str, ...]] = {
    AGENCIES: (
        "code",
        "name_vi",
        "name_en",
        "parent_code",
        "area_code",
        "kind",
        "email",
        "phone",
        "active",
        "sign_off",
    ),
    CATEGORIES: (
        "code",
        "group_code",
        "group_name_vi",
        "group_name_en",
        "name_vi",
        "name_en",
        "description_vi",
        "description_en",
        "tier",
        "target_hours",
        "auto_dispatch",
        "photo_required",
        "after_photo_required",
        "private",
        "duplicate_radius_m",
    ),
    ATTRIBUTES: (
        "category_code",
        "code",
        "datatype",
        "required",
        "order",
        "description_vi",
        "description_en",
        "values",
    ),
    RULES: (
        "category_code",
        "area_code",
        "lead_agency_code",
        "supporting_agency_codes",
        "valid_from",
    ),
    USERS: ("username", "full_name", "role", "agency_code", "email"),
}

#: Open311 attribute datatypes (as :mod:`ioc.feedback.intake.attributes` checks them).
DATATYPES = ("string", "text", "number", "datetime", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")


class Severity(StrEnum):
    ERROR = "error"  # the pack is refused
    WARNING = "warning"  # the pack loads, but something will not work as the province expects


@dataclass(frozen=True)
class Origin:
    """Where a row or a value came from: a file, a data row (as a spreadsheet numbers it,
    the header being row 1) or a feature index, and a column. A row edited in the admin
    console has no file (``""``), only the column."""

    file: str
    row: int | None = None
    column: str | None = None
    feature: int | None = None

    def at(self, column: str) -> Origin:
        return Origin(self.file, self.row, column, self.feature)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pack, said in Vietnamese and English."""

    severity: Severity
    message_vi: str
    message_en: str
    origin: Origin | None = None

    def text(self, locale: str = "vi") -> str:
        """``agencies.csv, dòng 5, cột parent_code: …`` (or English with ``locale="en"``)."""
        message = self.message_en if locale == "en" else self.message_vi
        if self.origin is None or not self.origin.file:
            return message
        words = {"row": "row", "column": "column", "feature": "feature"}
        if locale != "en":
            words = {"row": "dòng", "column": "cột", "feature": "đối tượng"}
        parts = [self.origin.file]
        if self.origin.row is not None:
            parts.append(f"{words['row']} {self.origin.row}")
        if self.origin.feature is not None:
            parts.append(f"{words['feature']} {self.origin.feature}")
        if self.origin.column is not None:
            parts.append(f"{words['column']} {self.origin.column}")
        return f"{', '.join(parts)}: {message}"

    def to_dict(self) -> dict[str, object]:
        origin = self.origin
        return {
            "severity": self.severity.value,
            "file": (origin.file or None) if origin else None,
            "row": origin.row if origin else None,
            "column": origin.column if origin else None,
            "feature": origin.feature if origin else None,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


CHANNEL_KEYS = ("hotline", "email", "zalo_oa_name", "zalo_oa_url")


@dataclass(frozen=True)
class ChannelContacts:
    """The province's public contact points (each optional)."""

    hotline: str | None = None
    email: str | None = None
    zalo_oa_name: str | None = None
    zalo_oa_url: str | None = None

    @property
    def is_empty(self) -> bool:
        return not any(asdict(self).values())

    def as_dict(self) -> dict[str, str]:
        """The keys that are set (what the profile stores and the pages receive)."""
        return {key: value for key, value in asdict(self).items() if value}


@dataclass(frozen=True)
class ProvinceInfo:
    """``province.toml`` without its area tables. The policy and holidays are kept as the TOML
    text the province wrote (``None``: IOC's defaults, or the files named in the settings)."""

    code: str
    name_vi: str
    name_en: str | None
    time_zone: str
    sla_policy_toml: str | None = None
    holidays_toml: str | None = None
    #: How citizens reach the province besides the app (``[channels]``, optional).
    channels: ChannelContacts = field(default_factory=ChannelContacts)
    origin: Origin | None = field(default=None, compare=False)
    #: Where the policy and holidays were written (their own file, or province.toml's key).
    sla_policy_origin: Origin | None = field(default=None, compare=False)
    holidays_origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AreaSource:
    """One ``[[areas]]`` table of ``province.toml``: a boundary file and how to read it."""

    file: str
    level: str
    code_prop: str
    name_prop: str
    name_en_prop: str | None = None
    parent_code_prop: str | None = None
    parent_code: str | None = None
    valid_from: date | None = None
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name_vi: str
    name_en: str | None
    parent_code: str | None
    area_code: str | None
    kind: str  # ioc.feedback.states.AgencyKind
    email: str | None
    phone: str | None
    active: bool = True
    #: Officers' answers wait for a manager's approval (Agency.requires_sign_off).
    sign_off: bool = False
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ValueItem:
    """One choice of a list attribute: ``key:name_vi:name_en`` in the ``values`` column."""

    key: str
    name_vi: str
    name_en: str | None


@dataclass(frozen=True)
class AttributeRow:
    category_code: str
    code: str
    datatype: str
    required: bool
    order: int
    description_vi: str
    description_en: str | None
    values: tuple[ValueItem, ...] = ()
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class GroupRow:
    """A category group, written on each of its categories' rows in ``categories.csv``."""

    code: str
    name_vi: str
    name_en: str | None
    sort_order: int = 0
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class CategoryRow:
    code: str
    group_code: str
    name_vi: str
    name_en: str | None
    description_vi: str | None
    description_en: str | None
    tier: str  # ioc.feedback.states.SlaTier
    target_hours: int
    auto_dispatch: bool
    photo_required: bool
    after_photo_required: bool
    private: bool
    duplicate_radius_m: int
    #: The category's place in lists (its row's position in the file).
    sort_order: int = 0
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class RuleRow:
    """``category_code`` names a category or a whole group; ``area_code`` an area of any level.

    ``valid_from`` is a local date (the rule applies from 00:00 in the province's time zone);
    ``None`` on a new rule means it applies to every report, on a changed rule "from now".
    """

    category_code: str
    area_code: str
    lead_agency_code: str
    supporting_agency_codes: tuple[str, ...] = ()
    valid_from: date | None = None
    origin: Origin | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.category_code, self.area_code)


@dataclass(frozen=True)
class UserRow:
    """A staff account. Never a password: a new user gets a one-time set-password link."""

    username: str
    full_name: str
    role: str  # ioc.feedback.states.Role, never citizen
    agency_code: str | None
    email: str | None
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AreaRow:
    """An area as the pack sees it; ``geometry`` is absent when the pack was taken from the
    database without its shapes (the checks need only codes, levels and parents)."""

    code: str
    level: str
    name_vi: str
    name_en: str | None
    parent_code: str | None
    parsed: ParsedArea | None = field(default=None, compare=False)
    origin: Origin | None = field(default=None, compare=False)
    #: The stored shape's fingerprint when taken from the database (``geom_hash``); a read
    #: pack has it from ``parsed``.
    stored_fingerprint: str | None = field(default=None, compare=False)

    @property
    def fingerprint(self) -> str | None:
        return self.parsed.fingerprint if self.parsed is not None else self.stored_fingerprint


@dataclass(frozen=True)
class ProvincePack:
    province: ProvinceInfo
    area_sources: tuple[AreaSource, ...] = ()
    areas: tuple[AreaRow, ...] = ()
    agencies: tuple[AgencyRow, ...] = ()
    groups: tuple[GroupRow, ...] = ()
    categories: tuple[CategoryRow, ...] = ()
    attributes: tuple[AttributeRow, ...] = ()
    rules: tuple[RuleRow, ...] = ()
    users: tuple[UserRow, ...] = ()


class PackRefused(InvalidInput):
    """A pack (or a console edit) with errors: nothing was written. ``problems`` holds every
    error and warning; the HTTP answer is a 400 listing them."""

    code = "pack_refused"
    #: The admin API's contract answers a refused configuration with 400, not 422.
    status = 400

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity is Severity.ERROR]
        super().__init__(
            f"{len(errors)} error(s) in the province configuration",
            details={"problems": [problem.to_dict() for problem in problems]},
        )
