"""The life of one benchmark report, from filing to closing or to wherever "now" finds it.

Each step follows the workflow's rules and the clock engine's arithmetic (working hours of the
province's calendar, wall hours for urgent reports): receipt and resolution deadlines,
``resolved_on_time``, returns with the time the wrong agency held the report, ratings,
reopenings, automatic closing. Steps that would happen after ``now`` do not happen, so the
report keeps the state it has reached, with its clock running (and overdue when it is late).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from scale_world import (
    CHANNEL_WEIGHTS,
    CITIZEN_CHANNELS,
    Kind,
    World,
    plausible_attributes,
    point_near,
)

from ioc.demo.catalogue import ADDRESS_STREETS
from ioc.events.audiences import AUDIENCE_OPS, agency_audience, citizen_audience
from ioc.feedback.sla.clock import ClockKind, add_hours
from ioc.feedback.sla.policy import SlaPolicy, runs_on_wall_clock
from ioc.feedback.states import ReportStatus as S
from ioc.geo.cells import cell_for

REJECT = 0.06
DUPLICATE = 0.03
#: Of the reports the IOC assigns by hand, how many first go to the wrong agency.
WRONG_AGENCY = 0.045
#: Of resolved reports with a reporter, how many get rated, and how.
RATED = 0.52
RATINGS = (("satisfied", 0.60), ("acceptable", 0.28), ("unsatisfied", 0.12))
#: Of "unsatisfied" ratings, how many the IOC reopens (the rest it declines).
REOPENED = 0.42
#: Recent reports that get stuck (an officer on leave, a case waiting for a budget): they
#: make most of the open and overdue reports a real province carries.
STUCK_DAYS = 60
STUCK = 0.6
ANSWERS = (
    "Đơn vị đã kiểm tra và xử lý xong.",
    "Đã cử tổ công tác khắc phục tại hiện trường.",
    "Đã phối hợp với địa phương xử lý dứt điểm.",
)
REJECT_REASON = "Nội dung không thuộc phạm vi tiếp nhận phản ánh hiện trường"
RETURN_REASON = "Không thuộc thẩm quyền của đơn vị"
REOPEN_REASON = "Người dân chưa hài lòng: đề nghị đơn vị xử lý lại"
DECLINE_REASON = "Kết quả xử lý đã đúng quy định"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CHANNELS = list(CHANNEL_WEIGHTS)
_CHANNEL_WEIGHTS = list(CHANNEL_WEIGHTS.values())


class _Stop(Exception):
    """The next step would happen after now."""


def bench_ref(report_id: int, received_at: datetime) -> str:
    """A unique reference shaped like intake's (``PA2611-7KQ4XM``): the id scrambled by a
    bijection of 32**6, so refs look random and never collide."""
    number = (report_id * 387_420_489) % (32**6)
    tail = "".join(_CROCKFORD[(number >> (5 * i)) & 31] for i in range(6))
    return f"PA{received_at:%y%m}-{tail}"


@dataclass
class Rows:
    """The rows of a batch of reports, per table."""

    report: list[dict[str, Any]] = field(default_factory=list)
    report_area: list[dict[str, Any]] = field(default_factory=list)
    report_supporting_agency: list[dict[str, Any]] = field(default_factory=list)
    report_history: list[dict[str, Any]] = field(default_factory=list)
    report_return: list[dict[str, Any]] = field(default_factory=list)
    report_follower: list[dict[str, Any]] = field(default_factory=list)
    event: list[dict[str, Any]] = field(default_factory=list)
    event_audience: list[dict[str, Any]] = field(default_factory=list)

    def count(self) -> int:
        return sum(len(rows) for _, rows in self.tables())

    def tables(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """In foreign-key order."""
        return [
            ("report", self.report),
            ("report_area", self.report_area),
            ("report_supporting_agency", self.report_supporting_agency),
            ("report_history", self.report_history),
            ("report_return", self.report_return),
            ("report_follower", self.report_follower),
            ("event", self.event),
            ("event_audience", self.event_audience),
        ]


class Life:
    """Builds one report's rows step by step."""

    def __init__(
        self,
        world: World,
        policy: SlaPolicy,
        rng: random.Random,
        *,
        report_id: int,
        history_id: int,
        event_seq: int,
        received_at: datetime,
        now: datetime,
    ) -> None:
        self.world, self.policy, self.rng = world, policy, rng
        self.now, self.id, self.history_id, self.event_seq = now, report_id, history_id, event_seq
        self.events: list[dict[str, Any]] = []
        self.kind: Kind = rng.choices(world.kinds, weights=world.kind_weights)[0]
        self.wall = runs_on_wall_clock(self.kind.tier)
        self.t = received_at
        self.history: list[dict[str, Any]] = []
        self.returns: list[dict[str, Any]] = []
        self.stuck = (now - received_at) < timedelta(days=STUCK_DAYS) and rng.random() < STUCK
        lon, lat, self.chain = point_near(world, rng, received_at)
        channel = rng.choices(_CHANNELS, weights=_CHANNEL_WEIGHTS)[0]
        reporter = (
            rng.choice(world.citizen_ids)
            if channel in CITIZEN_CHANNELS and world.citizen_ids
            else None
        )
        cell_x, cell_y = cell_for(lon, lat)
        self.row: dict[str, Any] = {
            "id": report_id,
            "ref": bench_ref(report_id, received_at),
            "category_id": self.kind.id,
            "status": S.PENDING_REVIEW.value,
            "sla_tier": self.kind.tier,
            "lon": lon,
            "lat": lat,
            "accuracy_m": round(rng.uniform(3, 25), 1),
            "cell_x": cell_x,
            "cell_y": cell_y,
            "address": f"{rng.randint(1, 250)} {rng.choice(ADDRESS_STREETS)}, "
            f"{self.chain[0].name_vi}",
            "description": rng.choice(self.kind.samples),
            "attributes": plausible_attributes(self.kind, rng, received_at),
            "channel": channel.value,
            "reporter_id": reporter,
            "lead_agency_id": None,
            "support_count": 0,
            "paused_hours": 0.0,
            "received_at": received_at,
            "receipt_due_at": None,
            "due_at": None,
            "clock_started_at": None,
            "resolved_on_time": None,
            "resolved_at": None,
            "closed_at": None,
            "rating": None,
            "rating_comment": None,
            "rated_at": None,
            "result_text": None,
            "duplicate_of_id": None,
            "overdue_announced_at": None,
            "updated_at": received_at,
            "version": 1,
        }
        self.supporting: tuple[int, ...] = ()

    # -- the steps -------------------------------------------------------------------------

    def live(self, duplicate_of: tuple[int, str] | None) -> Rows:
        """Run the report's life up to now; the rows to insert. ``duplicate_of`` is the id
        and ref of a report this one may be merged into."""
        try:
            self._file()
            self._triage(duplicate_of)
            self._handle()
            self._after_resolution()
        except _Stop:
            pass
        self._flag_overdue()
        return self._rows()

    def _file(self) -> None:
        row = self.row
        self._start_receipt(self.t)
        lead, supporting = self.world.route(self.kind, self.chain)
        self.route = (lead, supporting)
        dispatch = self.kind.is_auto_dispatch and lead is not None
        status = S.ASSIGNED if dispatch else S.PENDING_REVIEW
        self._record("submitted", None, status, row["reporter_id"])
        if dispatch:
            self._assign(lead, supporting)
        self._announce_filed()

    def _triage(self, duplicate_of: tuple[int, str] | None) -> None:
        if self.row["status"] != S.PENDING_REVIEW:
            return
        operator = self.world.operator_id
        self._wait(self._hours(2.0 if not self.wall else 0.7, stuck=15))
        self._record("verify", S.PENDING_REVIEW, S.PENDING_REVIEW, operator, public=False)
        self._wait(self._hours(0.5, stuck=5))
        draw = self.rng.random()
        lead, supporting = self.route
        if draw < DUPLICATE and duplicate_of is not None:
            self.row["duplicate_of_id"], original_ref = duplicate_of
            self._record(
                "mark_duplicate", S.PENDING_REVIEW, S.DUPLICATE, operator, note=original_ref
            )
            self.row["closed_at"] = self.t
            raise _Stop
        if draw < DUPLICATE + REJECT or lead is None:
            self._record("reject", S.PENDING_REVIEW, S.REJECTED, operator, note=REJECT_REASON)
            self.row["closed_at"] = self.t
            raise _Stop
        if self.rng.random() < WRONG_AGENCY:
            wrong = self.rng.choice([a for a in self.world.agency_ids if a != lead])
            self._assign(wrong, (), actor=operator, previous=S.PENDING_REVIEW)
            self._return()
            self._wait(self._hours(1.5, stuck=10))
            self._assign(lead, supporting, actor=operator, previous=S.RETURNED)
        else:
            self._assign(lead, supporting, actor=operator, previous=S.PENDING_REVIEW)

    def _handle(self) -> None:
        if self.row["status"] == S.ASSIGNED:
            self._accept()
            self._resolve()

    def _after_resolution(self) -> None:
        if self.row["status"] != S.RESOLVED:
            return
        row, rng = self.row, self.rng
        resolved_at = self.t
        closes_at = self.policy.calendar.add_working_days(
            resolved_at, self.policy.rules.closing.auto_close_working_days
        )
        rated_at = resolved_at + timedelta(hours=rng.expovariate(1 / 30))
        if row["reporter_id"] is None or rng.random() >= RATED or rated_at >= closes_at:
            self._auto_close(closes_at)
            return
        self._at(rated_at)
        rating = rng.choices([r for r, _ in RATINGS], weights=[w for _, w in RATINGS])[0]
        row["rating"], row["rated_at"] = rating, rated_at
        if rating != "unsatisfied":
            self._record("rated", S.RESOLVED, S.CLOSED, row["reporter_id"])
            row["closed_at"] = rated_at
            return
        self._record("reopen_requested", S.RESOLVED, S.RESOLVED, row["reporter_id"])
        row["rating_comment"] = "Chưa xử lý dứt điểm, đề nghị xem lại."
        self._wait(self._hours(3.0, stuck=1))
        operator = self.world.operator_id
        if rng.random() >= REOPENED:
            self._record("decline_reopen", S.RESOLVED, S.CLOSED, operator, note=DECLINE_REASON)
            row["closed_at"] = self.t
            return
        row["resolved_at"] = row["result_text"] = row["resolved_on_time"] = None
        row["rating"] = row["rating_comment"] = row["rated_at"] = None
        self._start_resolution(self.t)
        self._record("reopen", S.RESOLVED, S.ASSIGNED, operator, note=REOPEN_REASON)
        self._accept()
        self._resolve()
        self._auto_close(
            self.policy.calendar.add_working_days(
                self.t, self.policy.rules.closing.auto_close_working_days
            )
        )

    # -- pieces ----------------------------------------------------------------------------

    def _assign(
        self,
        lead: int | None,
        supporting: tuple[int, ...],
        *,
        actor: int | None = None,
        previous: S | None = None,
    ) -> None:
        self.row["lead_agency_id"], self.supporting = lead, supporting
        self._start_resolution(self.t)
        if previous is not None:
            self._record("assign", previous, S.ASSIGNED, actor)

    def _accept(self) -> None:
        self._wait(self._hours(4.0 if not self.wall else 0.5, stuck=15))
        self._record("accept", S.ASSIGNED, S.IN_PROGRESS, self._officer())

    def _resolve(self) -> None:
        row = self.row
        target = self._resolution_target()
        # Most cases take about half their time; one in six runs late.
        used = target * self.rng.lognormvariate(math.log(0.55), 0.6) * (4 if self.stuck else 1)
        resolved = add_hours(self.policy, self.wall, row["clock_started_at"], used)
        self._at(max(resolved, self.t + timedelta(minutes=10)))
        row["resolved_at"], row["resolved_on_time"] = self.t, self.t <= row["due_at"]
        row["result_text"] = self.rng.choice(ANSWERS)
        self._record("resolve", S.IN_PROGRESS, S.RESOLVED, self._officer(), note=row["result_text"])

    def _return(self) -> None:
        """The wrong agency sends it back within the policy's window (chuyển trả), which
        counts working hours whatever the tier."""
        row, calendar = self.row, self.policy.calendar
        window = self.policy.rules.returns.window_working_hours
        assigned_at = row["clock_started_at"]
        self._at(calendar.add_working_hours(self.t, min(self._hours(1.0, stuck=2), window / 3)))
        self._record("accept", S.ASSIGNED, S.IN_PROGRESS, self._officer())
        left = window * 0.95 - calendar.working_hours_between(assigned_at, self.t)
        self._at(
            calendar.add_working_hours(self.t, max(min(self._hours(2.0, stuck=1), left), 0.01))
        )
        self.returns.append(
            {
                "report_id": self.id,
                "agency_id": row["lead_agency_id"],
                "returned_by_id": self._officer(),
                "assigned_at": assigned_at,
                "returned_at": self.t,
                "hours_held": calendar.working_hours_between(assigned_at, self.t),
                "reason": RETURN_REASON,
            }
        )
        self._record("return", S.IN_PROGRESS, S.RETURNED, self._officer(), note=RETURN_REASON)
        row["lead_agency_id"], self.supporting, row["due_at"] = None, (), None
        self._start_receipt(self.t)

    def _auto_close(self, closes_at: datetime) -> None:
        self._at(closes_at)
        self._record("auto_closed", S.RESOLVED, S.CLOSED, None)
        self.row["closed_at"] = closes_at

    def _start_receipt(self, at: datetime) -> None:
        self.row["clock_started_at"] = at
        self.row["receipt_due_at"] = add_hours(
            self.policy, self.wall, at, self.policy.receipt_target(self.kind.tier)
        )

    def _start_resolution(self, at: datetime) -> None:
        self.row["clock_started_at"] = at
        self.row["due_at"] = add_hours(self.policy, self.wall, at, self._resolution_target())

    def _resolution_target(self) -> float:
        return self.policy.resolution_target(
            tier=self.kind.tier, category_tier=self.kind.tier, category_hours=self.kind.hours
        )

    def _hours(self, mean: float, *, stuck: float) -> float:
        return self.rng.expovariate(1 / mean) * (stuck if self.stuck else 1)

    def _wait(self, hours: float) -> None:
        self._at(add_hours(self.policy, self.wall, self.t, max(hours, 0.02)))

    def _at(self, moment: datetime) -> None:
        if moment > self.now:
            raise _Stop
        self.t = moment

    def _officer(self) -> int | None:
        lead = self.row["lead_agency_id"]
        return self.world.officer_ids.get(lead) if lead is not None else None

    def _record(
        self,
        action: str,
        before: S | None,
        after: S,
        actor: int | None,
        *,
        public: bool = True,
        note: str | None = None,
    ) -> None:
        self.history.append(
            {
                "id": self.history_id + len(self.history),
                "report_id": self.id,
                "occurred_at": self.t,
                "actor_id": actor,
                "action": action,
                "from_status": before.value if before else None,
                "to_status": after.value,
                "note": note,
                "is_public": public,
            }
        )
        self.row["status"], self.row["updated_at"] = after.value, self.t

    def _announce_filed(self) -> None:
        """The ``report.created`` event the intake wrote (the payload and audiences of
        :func:`ioc.feedback.announce.announce_filed`; a report is never public at filing),
        so that the event log is as long as a province's with these reports: its foreign
        keys, indexes and the publishers' reads are then measured at their real size, not on
        a table that starts empty."""
        row, codes = self.row, self.world.agency_codes
        lead = row["lead_agency_id"]
        audiences = [AUDIENCE_OPS]
        if lead is not None:
            audiences += [agency_audience(codes[a]) for a in (lead, *self.supporting)]
        if row["reporter_id"] is not None:
            audiences.append(citizen_audience(row["reporter_id"]))
        deadline = row["due_at"] or row["receipt_due_at"]
        payload = {
            "id": self.id,
            "ref": row["ref"],
            "lon": row["lon"],
            "lat": row["lat"],
            "category": self.kind.code,
            "status": row["status"],
            "area": self.chain[0].code,
            "agency": codes[lead] if lead is not None else None,
            "clock": (ClockKind.RESOLUTION if row["due_at"] else ClockKind.RECEIPT).value,
            "deadline": deadline.isoformat() if deadline else None,
            "received_at": row["received_at"].isoformat(),
            "support_count": 0,
        }
        self.events.append(
            {
                "seq": self.event_seq + len(self.events),
                "type": "report.created",
                "occurred_at": self.t,
                "report_id": self.id,
                "payload": payload,
                "audiences": audiences,
                "request_id": None,
            }
        )

    def _flag_overdue(self) -> None:
        """The sweep (every minute) has announced a running deadline that passed."""
        row = self.row
        status = S(row["status"])
        deadline = (
            row["receipt_due_at"]
            if status in (S.PENDING_REVIEW, S.RETURNED)
            else row["due_at"]
            if status in (S.ASSIGNED, S.IN_PROGRESS)
            else None
        )
        if deadline is not None and deadline < self.now:
            row["overdue_announced_at"] = deadline

    def _rows(self) -> Rows:
        rows = Rows(report=[self.row], report_history=self.history, report_return=self.returns)
        rows.event = self.events
        rows.event_audience = [
            {"audience": audience, "seq": event["seq"]}
            for event in self.events
            for audience in dict.fromkeys(event["audiences"])
        ]
        rows.report_area = [
            {"report_id": self.id, "depth": depth, "area_id": area.id}
            for depth, area in enumerate(self.chain)
        ]
        if self.row["lead_agency_id"] is not None:
            rows.report_supporting_agency = [
                {"report_id": self.id, "agency_id": agency} for agency in self.supporting
            ]
        if self.row["reporter_id"] is not None:
            rows.report_follower = [
                {
                    "report_id": self.id,
                    "user_id": self.row["reporter_id"],
                    "is_supporter": False,
                    "created_at": self.row["received_at"],
                }
            ]
        return rows
