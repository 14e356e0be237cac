"""Figures per local day of receipt × lead agency × category × leaf area × channel, kept
current in the report's own transaction.

Statistics, the public scorecard and the KPI tiles sum these rows over the days of a period
instead of reading reports. A report adds to the row of its key (``agency_id`` 0 while no
agency leads it, ``area_id`` 0 when it has no area) a contribution computed from its own
columns alone (:func:`report_contribution`); a return (chuyển trả) adds to the row of the
agency that returned it, under the keys the report had then (:func:`return_contribution`).
Every flush moves the difference between a report's contribution before and after, so the
rows are exactly the committed reports; :func:`rebuild_figure_rollups` recounts them after
writes that bypass the ORM, in the database, with the same two contributions written as SQL
(the rollup tests hold the two to the same rows on SQLite and PostgreSQL).

Handling time and receipt time are each kept as a histogram over the same buckets
(:data:`BUCKET_EDGES_MINUTES`, working minutes; the kinds are :data:`HISTOGRAMS`), handling time
with a sum as well, so a median over any period and grouping comes from adding bucket counts.
Receipt time is the receipt clock's working time when it last stopped (the report sent to an
agency, rejected or merged): the very interval whose verdict ``receipt_on_time`` counts.

Every row is kept in two grains (:data:`TIERS`): per day (``report_figure``,
``report_handling_bucket``, ``report_receipt_bucket``) and per local month
(``report_figure_month``, ``report_handling_bucket_month``, ``report_receipt_bucket_month``,
keyed by the month's first day), all moved by the same
deltas, so a year of figures sums twelve months instead of 365 days. Separate tables rather
than a grain column keep each primary key starting with its date, so a period is one
contiguous range of that index, and leave the daily rows as they were.

A third grain adds each month up per ONE dimension (``report_figure_month_total``,
``report_handling_bucket_month_total``, keyed by dimension — agency, category, area or
channel —, month and the group's key as text: "0" for the IOC and for no area), so a
period's figures grouped one way read a few rows per group and month instead of every
combination of the four keys. Each daily change adds to one row of each dimension.
Figures of one agency read the full monthly rows, through their (agency, month) index.

A fourth grain adds each ISO week (Monday to Sunday, local days) up per channel
(``report_figure_week``, ``report_handling_bucket_week``, keyed by the week's Monday), so a
year of weekly series reads a few hundred rows whatever the number of reports.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    case,
    cast,
    column,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
    union_all,
)
from sqlalchemy import (
    table as table_clause,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ioc.db import Base, on_stored_without_flush
from ioc.feedback.reads.counter_rows import add_to_rows, counter_table
from ioc.feedback.reads.figure_backfill import backfill_figure_columns
from ioc.feedback.reads.grouping import (
    bucket_number,
    month_start,
    round_half_up,
    week_start,
    whole_number,
)
from ioc.feedback.reads.rollups import value_before_flush
from ioc.feedback.report_models import Report, ReportReturn
from ioc.feedback.sla.policy import SlaPolicy, load_policy
from ioc.feedback.states import ReportStatus

#: Edges of the handling-time buckets, in working minutes. A median is exact to the bucket's
#: width: a quarter hour up to 8 h (one working day), an hour up to 40 h (a working week),
#: 8 h up to 200 h and 40 h up to 1,000 h; the last bucket holds everything longer.
BUCKET_EDGES_MINUTES: tuple[int, ...] = (
    tuple(range(0, 8 * 60, 15))
    + tuple(range(8 * 60, 40 * 60, 60))
    + tuple(range(40 * 60, 200 * 60, 8 * 60))
    + tuple(range(200 * 60, 1000 * 60 + 1, 40 * 60))
)

#: The integer counters of a figure row, in column order.
COUNTERS: tuple[str, ...] = (
    "received",
    "verified",
    "assigned",
    "rejected",
    "resolved",
    "resolved_on_time",
    "resolved_late",
    "reopened",
    "rated_satisfied",
    "rated_acceptable",
    "rated_unsatisfied",
    "receipt_on_time",
    "receipt_late",
    "returned",
    "returned_seconds",
    "handling_seconds",
    "extended",
)

#: The histograms kept beside the counters: time to resolve (from assignment or reopening)
#: and time to receive (the receipt clock, from filing or a return to its stop).
HISTOGRAMS: tuple[str, ...] = ("handling", "receipt")

#: (local day of receipt, agency id or 0, category id, leaf area id or 0, channel)
FigureKey = tuple[date, int, int, int, str]
#: A row's key, its counters and the (histogram kind, bucket) pairs it adds one to.
Contribution = tuple[FigureKey, dict[str, int], tuple[tuple[str, int], ...]]

#: A row of any grain: its key columns' values in :attr:`FigureTier.key_columns` order.
TierKey = tuple[Any, ...]

_KEY_COLUMNS = ("day", "agency_id", "category_id", "area_id", "channel")

_Counts = dict[FigureKey, dict[str, int]]
#: (histogram kind, daily key, bucket) → count
_Buckets = dict[tuple[str, FigureKey, int], int]

#: The dimensions of the month totals, in the order of their values in a :data:`FigureKey`.
DIMENSIONS: tuple[str, ...] = ("agency", "category", "area", "channel")


class _FigureCounters:
    """The counters of a figure row, in either grain (see :data:`COUNTERS`)."""

    received: Mapped[int] = mapped_column(Integer, default=0)
    verified: Mapped[int] = mapped_column(Integer, default=0)
    assigned: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    resolved_on_time: Mapped[int] = mapped_column(Integer, default=0)
    resolved_late: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    rated_satisfied: Mapped[int] = mapped_column(Integer, default=0)
    rated_acceptable: Mapped[int] = mapped_column(Integer, default=0)
    rated_unsatisfied: Mapped[int] = mapped_column(Integer, default=0)
    receipt_on_time: Mapped[int] = mapped_column(Integer, default=0)
    receipt_late: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    returned_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    handling_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    extended: Mapped[int] = mapped_column(Integer, default=0)


class ReportFigure(_FigureCounters, Base):
    """Counters of the reports received on ``day`` with these keys (see the module)."""

    __tablename__ = "report_figure"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)


class ReportFigureMonth(_FigureCounters, Base):
    """Counters of the reports received in the local month starting on ``month``: the sum
    of that month's :class:`ReportFigure` rows with these keys."""

    __tablename__ = "report_figure_month"
    __table_args__ = (Index("ix_report_figure_month_agency_month", "agency_id", "month"),)

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)


class ReportHandlingBucket(Base):
    """How many reports with these keys were resolved in handling-time bucket ``bucket``
    (an index into :data:`BUCKET_EDGES_MINUTES`)."""

    __tablename__ = "report_handling_bucket"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ReportHandlingBucketMonth(Base):
    """:class:`ReportHandlingBucket` summed over the local month starting on ``month``."""

    __tablename__ = "report_handling_bucket_month"
    __table_args__ = (Index("ix_report_handling_bucket_month_agency_month", "agency_id", "month"),)

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ReportReceiptBucket(Base):
    """How many reports with these keys had their receipt clock stop in receipt-time bucket
    ``bucket`` (an index into :data:`BUCKET_EDGES_MINUTES`)."""

    __tablename__ = "report_receipt_bucket"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ReportReceiptBucketMonth(Base):
    """:class:`ReportReceiptBucket` summed over the local month starting on ``month``."""

    __tablename__ = "report_receipt_bucket_month"
    __table_args__ = (Index("ix_report_receipt_bucket_month_agency_month", "agency_id", "month"),)

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ReportFigureMonthTotal(_FigureCounters, Base):
    """:class:`ReportFigureMonth` added up per one dimension: the counters of the reports
    received in the month whose ``dimension`` (agency, category, area or channel) has the
    value ``group_key`` (as text; "0" for the IOC and for no area)."""

    __tablename__ = "report_figure_month_total"
    # The dimension first: a period of one grouping is one contiguous range of the key.
    __table_args__ = (PrimaryKeyConstraint("dimension", "month", "group_key"),)

    month: Mapped[date] = mapped_column(Date)
    dimension: Mapped[str] = mapped_column(String(16))
    group_key: Mapped[str] = mapped_column(String(32))


class ReportHandlingBucketMonthTotal(Base):
    """:class:`ReportHandlingBucketMonth` added up per one dimension, as
    :class:`ReportFigureMonthTotal`."""

    __tablename__ = "report_handling_bucket_month_total"
    __table_args__ = (PrimaryKeyConstraint("dimension", "month", "group_key", "bucket"),)

    month: Mapped[date] = mapped_column(Date)
    dimension: Mapped[str] = mapped_column(String(16))
    group_key: Mapped[str] = mapped_column(String(32))
    bucket: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ReportReceiptBucketMonthTotal(Base):
    """:class:`ReportReceiptBucketMonth` added up per one dimension, as
    :class:`ReportFigureMonthTotal`."""

    __tablename__ = "report_receipt_bucket_month_total"
    __table_args__ = (PrimaryKeyConstraint("dimension", "month", "group_key", "bucket"),)

    month: Mapped[date] = mapped_column(Date)
    dimension: Mapped[str] = mapped_column(String(16))
    group_key: Mapped[str] = mapped_column(String(32))
    bucket: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ReportFigureWeek(_FigureCounters, Base):
    """The counters of the reports received in the ISO week starting on ``week`` (a Monday,
    local days) through ``channel``."""

    __tablename__ = "report_figure_week"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)


class ReportHandlingBucketWeek(Base):
    """:class:`ReportHandlingBucket` summed over the ISO week starting on ``week``, per
    channel."""

    __tablename__ = "report_handling_bucket_week"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ReportReceiptBucketWeek(Base):
    """:class:`ReportReceiptBucket` summed over the ISO week starting on ``week``, per
    channel."""

    __tablename__ = "report_receipt_bucket_week"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def monday_of(day: date) -> date:
    """The Monday that starts ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


_BucketTable = (
    type[ReportHandlingBucket]
    | type[ReportHandlingBucketMonth]
    | type[ReportHandlingBucketMonthTotal]
    | type[ReportHandlingBucketWeek]
    | type[ReportReceiptBucket]
    | type[ReportReceiptBucketMonth]
    | type[ReportReceiptBucketMonthTotal]
    | type[ReportReceiptBucketWeek]
)


@dataclass(frozen=True)
class FigureTier:
    """One grain of the figure rows: its tables (the counters and one per histogram kind),
    their key columns (the date first) and the rows of the grain a daily row adds to."""

    figures: (
        type[ReportFigure]
        | type[ReportFigureMonth]
        | type[ReportFigureMonthTotal]
        | type[ReportFigureWeek]
    )
    buckets: _BucketTable
    receipt_buckets: _BucketTable
    key_columns: tuple[str, ...]
    rows_of: Callable[[FigureKey], tuple[TierKey, ...]]
    #: What ``rows_of`` does, in SQL: the key expressions of the grain's rows over a daily
    #: table's columns (one tuple per row a daily row adds to), for the set-based recount.
    grouped_keys: Callable[[Any, str], tuple[tuple[ColumnElement[Any], ...], ...]]

    @property
    def date_column(self) -> str:
        return self.key_columns[0]

    @property
    def by_dimension(self) -> bool:
        """Whether the rows add up one dimension at a time (see :data:`DIMENSIONS`)."""
        return "dimension" in self.key_columns

    def histogram(self, kind: str) -> _BucketTable:
        """The table of the histogram ``kind`` (one of :data:`HISTOGRAMS`) in this grain."""
        return {"handling": self.buckets, "receipt": self.receipt_buckets}[kind]


def _in_month(key: FigureKey) -> tuple[TierKey, ...]:
    return ((first_of_month(key[0]), *key[1:]),)


def _per_dimension(key: FigureKey) -> tuple[TierKey, ...]:
    month = first_of_month(key[0])
    return tuple(
        (month, dimension, str(value)) for dimension, value in zip(DIMENSIONS, key[1:], strict=True)
    )


def _grouped_by_day(daily: Any, _dialect: str) -> tuple[tuple[ColumnElement[Any], ...], ...]:
    return (tuple(daily.c[n] for n in _KEY_COLUMNS),)


def _grouped_by_month(daily: Any, dialect: str) -> tuple[tuple[ColumnElement[Any], ...], ...]:
    return ((month_start(daily.c.day, dialect), *(daily.c[n] for n in _KEY_COLUMNS[1:])),)


def _grouped_per_dimension(daily: Any, dialect: str) -> tuple[tuple[ColumnElement[Any], ...], ...]:
    month = month_start(daily.c.day, dialect)
    return tuple(
        (month, literal(dimension, String), cast(daily.c[name], String))
        for dimension, name in zip(DIMENSIONS, _KEY_COLUMNS[1:], strict=True)
    )


def _grouped_by_week(daily: Any, dialect: str) -> tuple[tuple[ColumnElement[Any], ...], ...]:
    return ((week_start(daily.c.day, dialect), daily.c.channel),)


DAYS = FigureTier(
    ReportFigure,
    ReportHandlingBucket,
    ReportReceiptBucket,
    _KEY_COLUMNS,
    lambda key: (key,),
    _grouped_by_day,
)
MONTHS = FigureTier(
    ReportFigureMonth,
    ReportHandlingBucketMonth,
    ReportReceiptBucketMonth,
    ("month", *_KEY_COLUMNS[1:]),
    _in_month,
    _grouped_by_month,
)
MONTH_TOTALS = FigureTier(
    ReportFigureMonthTotal,
    ReportHandlingBucketMonthTotal,
    ReportReceiptBucketMonthTotal,
    ("month", "dimension", "group_key"),
    _per_dimension,
    _grouped_per_dimension,
)
WEEKS = FigureTier(
    ReportFigureWeek,
    ReportHandlingBucketWeek,
    ReportReceiptBucketWeek,
    ("week", "channel"),
    lambda key: ((monday_of(key[0]), key[4]),),
    _grouped_by_week,
)
#: Every grain the upkeep and the rebuild write, finest first.
TIERS: tuple[FigureTier, ...] = (DAYS, MONTHS, MONTH_TOTALS, WEEKS)


def bucket_of(hours: float) -> int:
    """The bucket of ``hours`` working hours (handling or receipt time)."""
    return max(bisect.bisect_right(BUCKET_EDGES_MINUTES, hours * 60) - 1, 0)


def bucket_bounds(bucket: int) -> tuple[float, float | None]:
    """The bucket's lower and upper edge in hours (None above the last edge)."""
    low = BUCKET_EDGES_MINUTES[bucket] / 60
    if bucket + 1 < len(BUCKET_EDGES_MINUTES):
        return low, BUCKET_EDGES_MINUTES[bucket + 1] / 60
    return low, None


def median_hours(buckets: Counter[int]) -> float | None:
    """The median of a histogram, interpolated within the bucket that holds it."""
    total = sum(buckets.values())
    if not total:
        return None
    half, seen = total / 2, 0
    for bucket in sorted(buckets):
        count = buckets[bucket]
        if count and seen + count >= half:
            low, high = bucket_bounds(bucket)
            if high is None:
                return low
            return low + (high - low) * (half - seen) / count
        seen += count
    return None  # unreachable: the counts add up to ``total``


# Report columns a contribution reads, in the order report_contribution takes them.
_REPORT_FIELDS = (
    "received_on",
    "lead_agency_id",
    "category_id",
    "area_id",
    "channel",
    "status",
    "is_verified",
    "is_assigned",
    "resolved_on_time",
    "reopen_count",
    "extension_count",
    "rating",
    "receipt_on_time",
    "handling_hours",
    "receipt_hours",
)
#: Report columns read for one counter alone: a rebuild for a schema older than the counter
#: has neither, and reads nothing in the column's place.
_COLUMN_OF_COUNTER = {"extended": "extension_count"}
#: Report columns read for one histogram alone, likewise.
_COLUMN_OF_HISTOGRAM = {"receipt": "receipt_hours"}
_RETURN_FIELDS = ("received_on", "agency_id", "category_id", "area_id", "channel", "hours_held")


def report_contribution(
    received_on: date | None,
    lead_agency_id: int | None,
    category_id: int | None,
    area_id: int | None,
    channel: str | None,
    status: str | None,
    is_verified: bool | None,
    is_assigned: bool | None,
    resolved_on_time: bool | None,
    reopen_count: int | None,
    extension_count: int | None,
    rating: str | None,
    receipt_on_time: bool | None,
    handling_hours: float | None,
    receipt_hours: float | None,
) -> Contribution | None:
    """What one report adds to its figure row (None before it has a day of receipt)."""
    if received_on is None or category_id is None or channel is None:
        return None
    key = (received_on, lead_agency_id or 0, category_id, area_id or 0, channel)
    counts = {
        "received": 1,
        "verified": int(bool(is_verified)),
        "assigned": int(bool(is_assigned)),
        "rejected": int(status == ReportStatus.REJECTED),
        "resolved": int(resolved_on_time is not None),
        "resolved_on_time": int(resolved_on_time is True),
        "resolved_late": int(resolved_on_time is False),
        "reopened": int(bool(reopen_count)),
        "extended": int(bool(extension_count)),
        "receipt_on_time": int(receipt_on_time is True),
        "receipt_late": int(receipt_on_time is False),
    }
    if rating in ("satisfied", "acceptable", "unsatisfied"):
        counts[f"rated_{rating}"] = 1
    buckets: list[tuple[str, int]] = []
    if resolved_on_time is not None and handling_hours is not None:
        counts["handling_seconds"] = round_half_up(handling_hours * 3600)
        buckets.append(("handling", bucket_of(handling_hours)))
    if receipt_on_time is not None and receipt_hours is not None:
        buckets.append(("receipt", bucket_of(receipt_hours)))
    return key, {name: n for name, n in counts.items() if n}, tuple(buckets)


def return_contribution(
    received_on: date | None,
    agency_id: int | None,
    category_id: int | None,
    area_id: int | None,
    channel: str | None,
    hours_held: float | None,
) -> Contribution | None:
    """What one return adds: to the returning agency's row, under the report's keys."""
    if received_on is None or agency_id is None or category_id is None or channel is None:
        return None
    key = (received_on, agency_id, category_id, area_id or 0, channel)
    return key, {"returned": 1, "returned_seconds": round_half_up((hours_held or 0.0) * 3600)}, ()


class FigureDeltas:
    """Counter changes per figure row, and per histogram kind, row and bucket."""

    def __init__(self) -> None:
        self.counts: dict[FigureKey, Counter[str]] = {}
        self.buckets: Counter[tuple[str, FigureKey, int]] = Counter()

    def add(self, contribution: Contribution | None, sign: int) -> None:
        if contribution is None:
            return
        key, counts, buckets = contribution
        row = self.counts.setdefault(key, Counter())
        for name, n in counts.items():
            row[name] += sign * n
        for kind, bucket in buckets:
            self.buckets[(kind, key, bucket)] += sign

    def nonzero(self) -> tuple[_Counts, _Buckets]:
        counts = {key: {n: d for n, d in row.items() if d} for key, row in self.counts.items()}
        return (
            {key: row for key, row in counts.items() if row},
            {key: d for key, d in self.buckets.items() if d},
        )


_Contributor = Callable[..., Contribution | None]
_TRACKED: tuple[tuple[type[Any], tuple[str, ...], _Contributor], ...] = (
    (Report, _REPORT_FIELDS, report_contribution),
    (ReportReturn, _RETURN_FIELDS, return_contribution),
)


def _changes(
    new: Iterable[object], deleted: Iterable[object] = (), dirty: Iterable[object] = ()
) -> FigureDeltas:
    deltas = FigureDeltas()
    for obj in new:
        for cls, fields, contribution in _TRACKED:
            if isinstance(obj, cls):
                deltas.add(contribution(*(getattr(obj, n) for n in fields)), +1)
    for obj in deleted:
        for cls, fields, contribution in _TRACKED:
            if isinstance(obj, cls):
                state = inspect(obj)
                deltas.add(contribution(*(value_before_flush(state, n) for n in fields)), -1)
    for obj in dirty:
        for cls, fields, contribution in _TRACKED:
            if not isinstance(obj, cls):
                continue
            state = inspect(obj)
            if not any(state.attrs[n].history.has_changes() for n in fields):
                continue
            deltas.add(contribution(*(value_before_flush(state, n) for n in fields)), -1)
            deltas.add(contribution(*(getattr(obj, n) for n in fields)), +1)
    return deltas


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)  # mapped to a plain table, not a join or a select
    return table


_TierCounts = dict[TierKey, dict[str, int]]
#: (histogram kind, row key, bucket) → count
_TierBuckets = dict[tuple[str, TierKey, int], int]


def _in_tier(
    tier: FigureTier, counts: _Counts, buckets: _Buckets
) -> tuple[_TierCounts, _TierBuckets]:
    """Daily changes added up under the tier's rows (the same rows for the daily tier)."""
    tier_counts: dict[TierKey, Counter[str]] = {}
    for key, row in counts.items():
        for moved in tier.rows_of(key):
            tier_counts.setdefault(moved, Counter()).update(row)
    tier_buckets: Counter[tuple[str, TierKey, int]] = Counter()
    for (kind, key, bucket), delta in buckets.items():
        for moved in tier.rows_of(key):
            tier_buckets[(kind, moved, bucket)] += delta
    nonzero = {key: {n: d for n, d in row.items() if d} for key, row in tier_counts.items()}
    return (
        {key: row for key, row in nonzero.items() if row},
        {key: d for key, d in tier_buckets.items() if d},
    )


_FIGURE_COUNTERS = {tier: counter_table(tier.figures, tier.key_columns, COUNTERS) for tier in TIERS}
_BUCKET_COUNTERS = {
    (tier, kind): counter_table(tier.histogram(kind), (*tier.key_columns, "bucket"), ("count",))
    for tier in TIERS
    for kind in HISTOGRAMS
}


def apply_figure_deltas(session: Session, deltas: FigureDeltas) -> None:
    """Add ``deltas`` to the rows of every tier when the transaction commits
    (:mod:`ioc.feedback.reads.counter_rows`)."""
    day_counts, day_buckets = deltas.nonzero()
    if not day_counts and not day_buckets:
        return
    zeros = dict.fromkeys(COUNTERS, 0)
    for tier in TIERS:
        counts, buckets = _in_tier(tier, day_counts, day_buckets)
        keys = tier.key_columns
        add_to_rows(
            session,
            _FIGURE_COUNTERS[tier],
            [dict(zip(keys, key, strict=True)) | zeros | row for key, row in counts.items()],
        )
        for kind in HISTOGRAMS:
            add_to_rows(session, _BUCKET_COUNTERS[tier, kind], _bucket_rows(keys, kind, buckets))


def _bucket_rows(keys: Sequence[str], kind: str, buckets: _TierBuckets) -> list[dict[str, Any]]:
    """The rows of the histogram ``kind``'s table."""
    return [
        dict(zip(keys, key, strict=True)) | {"bucket": bucket, "count": count}
        for (of_kind, key, bucket), count in buckets.items()
        if of_kind == kind
    ]


@event.listens_for(Session, "after_flush")
def _keep_figures_current(session: Session, _flush_context: Any) -> None:
    apply_figure_deltas(session, _changes(session.new, session.deleted, session.dirty))


@on_stored_without_flush
def _count_stored(session: Session, rows: list[Base]) -> None:
    apply_figure_deltas(session, _changes(rows))


def rebuild_figure_rollups(
    session: Session,
    policy: SlaPolicy | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    tiers: Sequence[FigureTier] = TIERS,
    counters: Sequence[str] = COUNTERS,
    histograms: Sequence[str] = HISTOGRAMS,
    backfill: bool = True,
) -> int:
    """Recount every figure row, daily, monthly and the month totals, from the reports and
    their returns (after bulk loads); returns the daily rows written.

    Report columns the figures read that a bulk load left empty are filled in from the
    history first (:mod:`ioc.feedback.reads.figure_backfill`; not with ``backfill`` False,
    for a caller that has filled them in its own transaction); ``policy`` gives the time
    zone and working calendar for that (the shipped policy in Vietnam's time zone when None).
    ``progress`` is called with the number of reports counted. ``tiers`` are the grains to
    write, the days first (a migration written before the monthly rows existed names the
    days alone), ``counters`` the counters their tables have (one written before a counter
    existed names those it knew: the report column only a missing counter reads is neither
    filled nor read) and ``histograms`` the histogram kinds whose tables exist, likewise.

    The counting is done by the database, one ``INSERT … SELECT … GROUP BY`` per table:
    the daily rows from the reports and returns, with the expressions of
    :func:`report_contribution` and :func:`return_contribution` written in SQL, and every
    other grain from the daily rows, grouped by :attr:`FigureTier.grouped_keys`.
    """
    if not tiers or tiers[0] is not DAYS:
        raise ValueError("the daily rows are recounted first: the other grains add them up")
    absent = frozenset(
        [c for n, c in _COLUMN_OF_COUNTER.items() if n not in counters]
        + [c for n, c in _COLUMN_OF_HISTOGRAM.items() if n not in histograms]
    )
    if backfill:
        backfill_figure_columns(
            session, policy or load_policy(ZoneInfo("Asia/Ho_Chi_Minh")), absent_columns=absent
        )
    for tier in tiers:
        session.execute(delete(tier.figures))
        for kind in histograms:
            session.execute(delete(tier.histogram(kind)))
    dialect = session.get_bind().dialect.name
    _recount_daily_figures(session, counters, absent, dialect)
    for kind in histograms:
        _recount_daily_buckets(session, kind, dialect)
    for tier in tiers[1:]:
        _add_up_daily_rows(session, tier, None, counters, dialect)
        for kind in histograms:
            _add_up_daily_rows(session, tier, kind, ("count",), dialect)
    if progress:
        progress(session.scalar(select(func.count()).select_from(Report)) or 0)
    return session.scalar(select(func.count()).select_from(ReportFigure)) or 0


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _report_counters(dialect: str) -> dict[str, ColumnElement[Any]]:
    """:func:`report_contribution`'s counters of one report, as SQL over its columns."""
    report = _table(Report).c
    handled = report.resolved_on_time.is_not(None) & report.handling_hours.is_not(None)
    counters: dict[str, ColumnElement[Any]] = {
        "received": literal(1, Integer),
        "verified": _flag(report.is_verified.is_(True)),
        "assigned": _flag(report.is_assigned.is_(True)),
        "rejected": _flag(report.status == ReportStatus.REJECTED.value),
        "resolved": _flag(report.resolved_on_time.is_not(None)),
        "resolved_on_time": _flag(report.resolved_on_time.is_(True)),
        "resolved_late": _flag(report.resolved_on_time.is_(False)),
        "reopened": _flag(func.coalesce(report.reopen_count, 0) != 0),
        "extended": _flag(func.coalesce(report.extension_count, 0) != 0),
        "receipt_on_time": _flag(report.receipt_on_time.is_(True)),
        "receipt_late": _flag(report.receipt_on_time.is_(False)),
        "returned": literal(0, Integer),
        "returned_seconds": literal(0, BigInteger),
        "handling_seconds": case(
            (handled, whole_number(report.handling_hours * 3600, dialect)), else_=0
        ),
    }
    for rating in ("satisfied", "acceptable", "unsatisfied"):
        counters[f"rated_{rating}"] = _flag(report.rating == rating)
    return counters


def _recount_daily_figures(
    session: Session, counters: Sequence[str], absent: frozenset[str], dialect: str
) -> None:
    report, returns = _table(Report).c, _table(ReportReturn).c
    of_report = _report_counters(dialect)
    if "extension_count" in absent:
        of_report["extended"] = literal(0, Integer)
    reports = select(
        report.received_on.label("day"),
        func.coalesce(report.lead_agency_id, 0).label("agency_id"),
        report.category_id.label("category_id"),
        func.coalesce(report.area_id, 0).label("area_id"),
        report.channel.label("channel"),
        *(of_report[n].label(n) for n in counters),
    ).where(
        report.received_on.is_not(None),
        report.category_id.is_not(None),
        report.channel.is_not(None),
    )
    of_return: dict[str, ColumnElement[Any]] = {
        "returned": literal(1, Integer),
        "returned_seconds": whole_number(func.coalesce(returns.hours_held, 0.0) * 3600, dialect),
    }
    returned = select(
        returns.received_on.label("day"),
        returns.agency_id.label("agency_id"),
        returns.category_id.label("category_id"),
        func.coalesce(returns.area_id, 0).label("area_id"),
        returns.channel.label("channel"),
        *(of_return.get(n, literal(0, Integer)).label(n) for n in counters),
    ).where(
        returns.received_on.is_not(None),
        returns.agency_id.is_not(None),
        returns.category_id.is_not(None),
        returns.channel.is_not(None),
    )
    _insert_grouped(
        session, _table(ReportFigure), union_all(reports, returned).subquery(), counters
    )


def _recount_daily_buckets(session: Session, kind: str, dialect: str) -> None:
    report = _table(Report).c
    hours, verdict = {
        "handling": (report.handling_hours, report.resolved_on_time),
        "receipt": (report.receipt_hours, report.receipt_on_time),
    }[kind]
    rows = select(
        report.received_on.label("day"),
        func.coalesce(report.lead_agency_id, 0).label("agency_id"),
        report.category_id.label("category_id"),
        func.coalesce(report.area_id, 0).label("area_id"),
        report.channel.label("channel"),
        bucket_number(hours * 60, BUCKET_EDGES_MINUTES).label("bucket"),
        literal(1, Integer).label("count"),
    ).where(
        report.received_on.is_not(None),
        report.category_id.is_not(None),
        report.channel.is_not(None),
        verdict.is_not(None),
        hours.is_not(None),
    )
    _insert_grouped(session, _table(DAYS.histogram(kind)), rows.subquery(), ("count",))


def _add_up_daily_rows(
    session: Session, tier: FigureTier, kind: str | None, summed: Sequence[str], dialect: str
) -> None:
    """Add the daily rows up under ``tier``'s keys: the counters (``kind`` None) or the
    buckets of the histogram ``kind``."""
    daily = _table(DAYS.figures if kind is None else DAYS.histogram(kind))
    target = _table(tier.figures if kind is None else tier.histogram(kind))
    bucket = [] if kind is None else ["bucket"]
    keys = [*tier.key_columns, *bucket]
    for key in tier.grouped_keys(daily, dialect):
        expressions = [*key, *(daily.c[n] for n in bucket)]
        rows = select(
            *(e.label(n) for e, n in zip(expressions, keys, strict=True)),
            *(daily.c[n].label(n) for n in summed),
        )
        _insert_grouped(session, target, rows.subquery(), summed)


def _insert_grouped(session: Session, target: Table, rows: Any, summed: Sequence[str]) -> None:
    """Insert ``rows`` (a subquery) into ``target`` grouped by their key columns (every
    column but ``summed``), ``summed`` added up."""
    keys = [c.name for c in rows.c if c.name not in summed]
    grouped = select(
        *(rows.c[n] for n in keys), *(func.sum(rows.c[n]).label(n) for n in summed)
    ).group_by(*(rows.c[n] for n in keys))
    # Exactly the columns given: a table of an older schema lacks the newer counters.
    given = table_clause(target.name, *(column(n, target.c[n].type) for n in [*keys, *summed]))
    session.execute(insert(given).from_select([*keys, *summed], grouped))
