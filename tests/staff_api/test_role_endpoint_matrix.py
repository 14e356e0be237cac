"""Every caller × every staff endpoint, against a hand-written table of expected statuses.

Callers: nobody signed in, a citizen (a Firebase token is no staff token), the four IOC roles,
an officer and a manager of SXD, and an officer of MTDT. Unless a row says otherwise the report
acted on is led by SXD, so MTDT's officer is guessing another agency's ref: 404, never 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from ioc.feedback.lifecycle import agency_work
from ioc.feedback.surges.detection import detect_surges
from tests.staff_api.conftest import CALLERS, World

OPS = "/api/ops/v1"
AGENCY = "/api/agency/v1"
UNKNOWN_REF = "PA2501-ZZZZZZ"


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # "{ref}" and other placeholders are filled from what ``setup`` returns
    setup: Callable[[World], dict[str, str]] | None = None
    body: dict[str, Any] | None = None


def _ref(make: Callable[[World], Any]) -> Callable[[World], dict[str, str]]:
    return lambda world: {"ref": make(world).ref}


def _duplicate_pair(world: World) -> dict[str, str]:
    original = world.new_report()
    return {"ref": world.new_report().ref, "of": original.ref}


def _extension_until(make: Callable[[World], Any]) -> Callable[[World], dict[str, str]]:
    def setup(world: World) -> dict[str, str]:
        report = make(world)
        return {"ref": report.ref, "until": (report.due_at + timedelta(days=3)).isoformat()}

    return setup


def _surge(*, dismissed: bool = False) -> Callable[[World], dict[str, str]]:
    """Three reports of one category in commune A within the hour: an open surge."""

    def setup(world: World) -> dict[str, str]:
        world.lighting.surge_threshold = 3
        for _ in range(3):
            world.new_report()
        [surge] = detect_surges(world.session)
        if dismissed:
            surge.status = "dismissed"
        return {"surge": str(surge.id)}

    return setup


def _draft_waiting(world: World) -> dict[str, str]:
    """SXD requires sign-off and its officer has resolved: a draft waits for the manager."""
    world.sxd.requires_sign_off = True
    report = world.in_progress("SXD")
    agency_work.resolve_report(
        world.session,
        policy=world.intake.policy,
        report=report,
        actor=world.officer_of("SXD"),
        answer="Đã thay bóng đèn",
        photos=[],
    )
    return {"ref": report.ref}


PENDING = _ref(lambda w: w.new_report())
ASSIGNED = _ref(lambda w: w.assigned("SXD"))
IN_PROGRESS = _ref(lambda w: w.in_progress("SXD"))
RESOLVED = _ref(lambda w: w.resolved("SXD"))
REJECTED = _ref(lambda w: w.rejected())
UNSATISFIED = _ref(lambda w: w.rated_unsatisfied("SXD"))
EXTENSION_WAITING = _ref(lambda w: w.with_extension_request("SXD"))
SUPPORTED_ASSIGNED = _ref(lambda w: w.assigned("CA", supporting=["SXD"]))
SUPPORTED_IN_PROGRESS = _ref(lambda w: w.in_progress("CA", supporting=["SXD"]))
LEAD_WITH_MTDT_SUPPORTING = _ref(lambda w: w.in_progress("SXD", supporting=["MTDT"]))
UNKNOWN = lambda _w: {"ref": UNKNOWN_REF}  # noqa: E731

ANSWER = {"answer": "Đã thay bóng đèn mới"}
NOTE = {"text": "Đã cử đội kiểm tra", "public": True}
REASON = {"reason": "Không thuộc thẩm quyền"}
EXTENSION = {"until": "{until}", "reason": "Chờ vật tư"}

CALLS: dict[str, Call] = {
    # the operations console
    "ops.queue": Call("GET", f"{OPS}/queue"),
    "ops.agencies": Call("GET", f"{OPS}/agencies"),
    "ops.report": Call("GET", f"{OPS}/reports/{{ref}}", PENDING),
    "ops.report.unknown_ref": Call("GET", f"{OPS}/reports/{{ref}}", UNKNOWN),
    "ops.verify": Call("POST", f"{OPS}/reports/{{ref}}/verify", PENDING, {"note": "Có ảnh"}),
    "ops.classify": Call("POST", f"{OPS}/reports/{{ref}}/classify", PENDING, {"tier": "urgent"}),
    "ops.assign": Call("POST", f"{OPS}/reports/{{ref}}/assign", PENDING, {"agency": "SXD"}),
    "ops.reject": Call("POST", f"{OPS}/reports/{{ref}}/reject", PENDING, {"reason": "Sai"}),
    "ops.duplicate": Call(
        "POST", f"{OPS}/reports/{{ref}}/duplicate", _duplicate_pair, {"of": "{of}"}
    ),
    "ops.extension.approve": Call(
        "POST", f"{OPS}/reports/{{ref}}/extension", EXTENSION_WAITING, {"approve": True}
    ),
    "ops.extension.deny": Call(
        "POST", f"{OPS}/reports/{{ref}}/extension", EXTENSION_WAITING, {"approve": False}
    ),
    "ops.reopen": Call("POST", f"{OPS}/reports/{{ref}}/reopen", UNSATISFIED, REASON),
    "ops.decline_reopen": Call(
        "POST", f"{OPS}/reports/{{ref}}/decline-reopen", UNSATISFIED, REASON
    ),
    "ops.close": Call("POST", f"{OPS}/reports/{{ref}}/close", RESOLVED, {"note": "Đã xong"}),
    "ops.verify.when_assigned": Call("POST", f"{OPS}/reports/{{ref}}/verify", ASSIGNED, {}),
    "ops.classify.when_rejected": Call(
        "POST", f"{OPS}/reports/{{ref}}/classify", REJECTED, {"tier": "urgent"}
    ),
    "ops.assign.when_in_progress": Call(
        "POST", f"{OPS}/reports/{{ref}}/assign", IN_PROGRESS, {"agency": "SXD"}
    ),
    "ops.reject.when_assigned": Call("POST", f"{OPS}/reports/{{ref}}/reject", ASSIGNED, REASON),
    "ops.duplicate.when_assigned": Call(
        "POST",
        f"{OPS}/reports/{{ref}}/duplicate",
        lambda w: {"ref": w.assigned("SXD").ref, "of": w.new_report().ref},
        {"of": "{of}"},
    ),
    "ops.duplicate.when_in_progress": Call(
        "POST",
        f"{OPS}/reports/{{ref}}/duplicate",
        lambda w: {"ref": w.in_progress("SXD").ref, "of": w.new_report().ref},
        {"of": "{of}"},
    ),
    "ops.extension.none_waiting": Call(
        "POST", f"{OPS}/reports/{{ref}}/extension", IN_PROGRESS, {"approve": True}
    ),
    "ops.reopen.when_pending": Call("POST", f"{OPS}/reports/{{ref}}/reopen", PENDING, REASON),
    "ops.reopen.when_resolved_unrated": Call(
        "POST", f"{OPS}/reports/{{ref}}/reopen", RESOLVED, REASON
    ),
    # the agency console
    "agency.inbox": Call("GET", f"{AGENCY}/inbox"),
    "agency.report": Call("GET", f"{AGENCY}/reports/{{ref}}", ASSIGNED),
    "agency.report.as_supporting": Call("GET", f"{AGENCY}/reports/{{ref}}", SUPPORTED_ASSIGNED),
    "agency.report.pending_review": Call("GET", f"{AGENCY}/reports/{{ref}}", PENDING),
    "agency.report.unknown_ref": Call("GET", f"{AGENCY}/reports/{{ref}}", UNKNOWN),
    "agency.accept": Call("POST", f"{AGENCY}/reports/{{ref}}/accept", ASSIGNED),
    "agency.notes": Call("POST", f"{AGENCY}/reports/{{ref}}/notes", IN_PROGRESS, NOTE),
    "agency.notes.as_supporting": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/notes", SUPPORTED_IN_PROGRESS, NOTE
    ),
    "agency.return": Call("POST", f"{AGENCY}/reports/{{ref}}/return", ASSIGNED, REASON),
    "agency.extension": Call(
        "POST",
        f"{AGENCY}/reports/{{ref}}/extension",
        _extension_until(lambda w: w.in_progress("SXD")),
        EXTENSION,
    ),
    "agency.contribution": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/contribution", SUPPORTED_IN_PROGRESS, {"text": "Xong"}
    ),
    "agency.resolve": Call("POST", f"{AGENCY}/reports/{{ref}}/resolve", IN_PROGRESS, ANSWER),
    "agency.accept.when_in_progress": Call("POST", f"{AGENCY}/reports/{{ref}}/accept", IN_PROGRESS),
    "agency.accept.as_supporting": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/accept", SUPPORTED_ASSIGNED
    ),
    "agency.notes.when_resolved": Call("POST", f"{AGENCY}/reports/{{ref}}/notes", RESOLVED, NOTE),
    "agency.return.when_resolved": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/return", RESOLVED, REASON
    ),
    "agency.return.as_supporting": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/return", SUPPORTED_IN_PROGRESS, REASON
    ),
    "agency.extension.when_assigned": Call(
        "POST",
        f"{AGENCY}/reports/{{ref}}/extension",
        _extension_until(lambda w: w.assigned("SXD")),
        EXTENSION,
    ),
    "agency.extension.already_waiting": Call(
        "POST",
        f"{AGENCY}/reports/{{ref}}/extension",
        _extension_until(lambda w: w.with_extension_request("SXD")),
        EXTENSION,
    ),
    "agency.contribution.as_lead": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/contribution", IN_PROGRESS, {"text": "Xong"}
    ),
    "agency.resolve.when_assigned": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/resolve", ASSIGNED, ANSWER
    ),
    "agency.resolve.as_supporting": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/resolve", SUPPORTED_IN_PROGRESS, ANSWER
    ),
    "agency.resolve.before_support_contributed": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/resolve", LEAD_WITH_MTDT_SUPPORTING, ANSWER
    ),
    # the agency's team: assignment inside the agency and the manager's sign-off
    "agency.assignee.take": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/assignee", ASSIGNED, {"username": "sxd_officer"}
    ),
    "agency.assignee.give": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/assignee", ASSIGNED, {"username": "sxd_manager"}
    ),
    "agency.assignee.unassign": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/assignee", ASSIGNED, {"username": None}
    ),
    "agency.assignee.as_supporting": Call(
        "POST",
        f"{AGENCY}/reports/{{ref}}/assignee",
        SUPPORTED_ASSIGNED,
        {"username": "sxd_officer"},
    ),
    "agency.approve": Call("POST", f"{AGENCY}/reports/{{ref}}/approve", _draft_waiting, {}),
    "agency.send_back": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/send-back", _draft_waiting, {"comment": "Bổ sung ảnh"}
    ),
    "agency.approve.none_waiting": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/approve", IN_PROGRESS, {}
    ),
    "agency.approve.as_supporting": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/approve", SUPPORTED_IN_PROGRESS, {}
    ),
    # figures, exports, moderation, filing for callers, waiting for the citizen
    "ops.snapshot": Call("GET", f"{OPS}/snapshot"),
    "ops.reports": Call("GET", f"{OPS}/reports?status=pending_review", PENDING),
    "ops.kpis": Call("GET", f"{OPS}/kpis"),
    "ops.candidates": Call("GET", f"{OPS}/reports/{{ref}}/candidates", PENDING),
    "ops.statistics": Call("GET", f"{OPS}/statistics?group_by=agency"),
    "ops.export.csv": Call("GET", f"{OPS}/exports/reports.csv"),
    "ops.export.xlsx": Call("GET", f"{OPS}/exports/reports.xlsx"),
    "ops.analytics.series": Call("GET", f"{OPS}/analytics/series?grain=month"),
    "ops.analytics.compare": Call(
        "GET",
        f"{OPS}/analytics/compare?a_since=2026-01-01&a_until=2026-02-01"
        "&b_since=2026-02-01&b_until=2026-03-01",
    ),
    "ops.analytics.agencies": Call("GET", f"{OPS}/analytics/agencies"),
    "ops.analytics.hotspots": Call("GET", f"{OPS}/analytics/hotspots"),
    "ops.analytics.distributions": Call("GET", f"{OPS}/analytics/distributions"),
    "ops.analytics.monthly_report": Call(
        "GET", f"{OPS}/analytics/monthly-report.xlsx?month=2026-01"
    ),
    "agency.statistics": Call("GET", f"{AGENCY}/statistics?group_by=category"),
    "agency.export.csv": Call("GET", f"{AGENCY}/exports/reports.csv"),
    "agency.export.xlsx": Call("GET", f"{AGENCY}/exports/reports.xlsx"),
    "ops.moderate": Call(
        "POST", f"{OPS}/reports/{{ref}}/moderate", PENDING, {"description": "Đèn đường tắt"}
    ),
    "ops.file_for_citizen": Call(
        "POST",
        f"{OPS}/reports",
        None,
        {"channel": "phone", "category": "den_duong", "lon": 108.05, "lat": 16.05},
    ),
    "ops.inbound": Call("GET", f"{OPS}/inbound"),
    "ops.inbound.photo": Call("GET", f"{OPS}/inbound/999999/photos/1"),
    "ops.inbound.place": Call(
        "POST",
        f"{OPS}/inbound/999999/place",
        None,
        {"lon": 108.05, "lat": 16.05, "category": "den_duong"},
    ),
    "ops.ask_citizen": Call(
        "POST", f"{OPS}/reports/{{ref}}/ask-citizen", PENDING, {"question": "Cột số mấy?"}
    ),
    "agency.ask_citizen": Call(
        "POST", f"{AGENCY}/reports/{{ref}}/ask-citizen", IN_PROGRESS, {"question": "Cột số mấy?"}
    ),
    "agency.snapshot": Call("GET", f"{AGENCY}/snapshot"),
    "agency.team": Call("GET", f"{AGENCY}/team"),
    "agency.statistics.officers": Call("GET", f"{AGENCY}/statistics/officers"),
    "ops.surges": Call("GET", f"{OPS}/surges?status=open"),
    "ops.surge.group": Call("POST", f"{OPS}/surges/{{surge}}/group", _surge(), {}),
    "ops.surge.dismiss": Call("POST", f"{OPS}/surges/{{surge}}/dismiss", _surge(), {}),
    "ops.surge.group.when_dismissed": Call(
        "POST", f"{OPS}/surges/{{surge}}/group", _surge(dismissed=True), {}
    ),
    "admin.audit": Call("GET", "/api/admin/v1/audit"),
    # Multipart routes: the table's JSON body is a 400 (not multipart) once the role passes.
    "admin.boundaries.preview": Call("POST", "/api/admin/v1/boundaries/preview", body={}),
    "admin.boundaries.apply": Call("POST", "/api/admin/v1/boundaries", body={}),
    # who am I
    "auth.me": Call("GET", "/api/auth/me"),
    # every staff member may receive their own push notifications
    "auth.devices": Call("POST", "/api/auth/devices", body={"token": "fcm-matrix"}),
}

# Written by hand from the issue, not from the code. Columns follow CALLERS.
#                                            anon  citz  admin sup   oper  view  sxd   sxdM  mtdt
EXPECTED: dict[str, tuple[int, ...]] = {
    "ops.queue":                              (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.agencies":                           (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.reports":                            (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.report":                             (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.report.unknown_ref":                 (401, 401, 404, 404, 404, 404, 403, 403, 403),
    "ops.verify":                             (401, 401, 200, 200, 200, 403, 403, 403, 403),
    "ops.classify":                           (401, 401, 200, 200, 200, 403, 403, 403, 403),
    "ops.assign":                             (401, 401, 200, 200, 200, 403, 403, 403, 403),
    "ops.reject":                             (401, 401, 200, 200, 200, 403, 403, 403, 403),
    "ops.duplicate":                          (401, 401, 200, 200, 200, 403, 403, 403, 403),
    # Extensions are decided by supervisors (and admins) under the shipped SLA policy.
    "ops.extension.approve":                  (401, 401, 200, 200, 403, 403, 403, 403, 403),
    "ops.extension.deny":                     (401, 401, 200, 200, 403, 403, 403, 403, 403),
    "ops.reopen":                             (401, 401, 200, 200, 200, 403, 403, 403, 403),
    "ops.decline_reopen":                     (401, 401, 200, 200, 200, 403, 403, 403, 403),
    "ops.close":                              (401, 401, 200, 200, 200, 403, 403, 403, 403),
    "ops.verify.when_assigned":               (401, 401, 409, 409, 409, 403, 403, 403, 403),
    "ops.classify.when_rejected":             (401, 401, 409, 409, 409, 403, 403, 403, 403),
    "ops.assign.when_in_progress":            (401, 401, 409, 409, 409, 403, 403, 403, 403),
    "ops.reject.when_assigned":               (401, 401, 409, 409, 409, 403, 403, 403, 403),
    "ops.duplicate.when_assigned":            (401, 401, 200, 200, 200, 403, 403, 403, 403),
    "ops.duplicate.when_in_progress":         (401, 401, 409, 409, 409, 403, 403, 403, 403),
    "ops.extension.none_waiting":             (401, 401, 409, 409, 403, 403, 403, 403, 403),
    "ops.reopen.when_pending":                (401, 401, 409, 409, 409, 403, 403, 403, 403),
    "ops.reopen.when_resolved_unrated":       (401, 401, 409, 409, 409, 403, 403, 403, 403),
    "agency.inbox":                           (401, 401, 403, 403, 403, 403, 200, 200, 200),
    "agency.report":                          (401, 401, 403, 403, 403, 403, 200, 200, 404),
    "agency.report.as_supporting":            (401, 401, 403, 403, 403, 403, 200, 200, 404),
    "agency.report.pending_review":           (401, 401, 403, 403, 403, 403, 404, 404, 404),
    "agency.report.unknown_ref":              (401, 401, 403, 403, 403, 403, 404, 404, 404),
    "agency.accept":                          (401, 401, 403, 403, 403, 403, 200, 200, 404),
    "agency.notes":                           (401, 401, 403, 403, 403, 403, 200, 200, 404),
    "agency.notes.as_supporting":             (401, 401, 403, 403, 403, 403, 200, 200, 404),
    "agency.return":                          (401, 401, 403, 403, 403, 403, 200, 200, 404),
    "agency.extension":                       (401, 401, 403, 403, 403, 403, 200, 200, 404),
    "agency.contribution":                    (401, 401, 403, 403, 403, 403, 200, 200, 404),
    "agency.resolve":                         (401, 401, 403, 403, 403, 403, 200, 200, 404),
    "agency.accept.when_in_progress":         (401, 401, 403, 403, 403, 403, 409, 409, 404),
    "agency.accept.as_supporting":            (401, 401, 403, 403, 403, 403, 409, 409, 404),
    "agency.notes.when_resolved":             (401, 401, 403, 403, 403, 403, 409, 409, 404),
    "agency.return.when_resolved":            (401, 401, 403, 403, 403, 403, 409, 409, 404),
    "agency.return.as_supporting":            (401, 401, 403, 403, 403, 403, 409, 409, 404),
    "agency.extension.when_assigned":         (401, 401, 403, 403, 403, 403, 409, 409, 404),
    "agency.extension.already_waiting":       (401, 401, 403, 403, 403, 403, 409, 409, 404),
    "agency.contribution.as_lead":            (401, 401, 403, 403, 403, 403, 409, 409, 404),
    "agency.resolve.when_assigned":           (401, 401, 403, 403, 403, 403, 409, 409, 404),
    "agency.resolve.as_supporting":           (401, 401, 403, 403, 403, 403, 409, 409, 404),
    "agency.resolve.before_support_contributed": (401, 401, 403, 403, 403, 403, 409, 409, 409),
    # The manager distributes the work; an officer may only take an unassigned report.
    "agency.assignee.take":                   (401, 401, 403, 403, 403, 403, 200, 200, 404),
    "agency.assignee.give":                   (401, 401, 403, 403, 403, 403, 403, 200, 404),
    "agency.assignee.unassign":               (401, 401, 403, 403, 403, 403, 403, 200, 404),
    "agency.assignee.as_supporting":          (401, 401, 403, 403, 403, 403, 403, 403, 404),
    # Only a manager of the lead agency signs off.
    "agency.approve":                         (401, 401, 403, 403, 403, 403, 403, 200, 404),
    "agency.send_back":                       (401, 401, 403, 403, 403, 403, 403, 200, 404),
    "agency.approve.none_waiting":            (401, 401, 403, 403, 403, 403, 403, 409, 404),
    "agency.approve.as_supporting":           (401, 401, 403, 403, 403, 403, 403, 403, 404),
    "ops.snapshot":                           (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.kpis":                               (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.candidates":                         (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.statistics":                         (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.export.csv":                         (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.export.xlsx":                        (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.analytics.series":                   (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.analytics.compare":                  (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.analytics.agencies":                 (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.analytics.hotspots":                 (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.analytics.distributions":            (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.analytics.monthly_report":           (401, 401, 200, 200, 200, 200, 403, 403, 403),
    # An agency's own figures and reports: the operations centre has its own endpoints.
    "agency.statistics":                      (401, 401, 403, 403, 403, 403, 200, 200, 200),
    "agency.export.csv":                      (401, 401, 403, 403, 403, 403, 200, 200, 200),
    "agency.export.xlsx":                     (401, 401, 403, 403, 403, 403, 200, 200, 200),
    "ops.moderate":                           (401, 401, 200, 200, 200, 403, 403, 403, 403),
    "ops.file_for_citizen":                   (401, 401, 201, 201, 201, 403, 403, 403, 403),
    # E-mails waiting for a place: readers see them, IOC staff place them (none by this id).
    "ops.inbound":                            (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.inbound.photo":                      (401, 401, 404, 404, 404, 404, 403, 403, 403),
    "ops.inbound.place":                      (401, 401, 404, 404, 404, 403, 403, 403, 403),
    "ops.ask_citizen":                        (401, 401, 200, 200, 200, 403, 403, 403, 403),
    "agency.ask_citizen":                     (401, 401, 403, 403, 403, 403, 200, 200, 404),
    "agency.snapshot":                        (401, 401, 403, 403, 403, 403, 200, 200, 200),
    "agency.team":                            (401, 401, 403, 403, 403, 403, 200, 200, 200),
    # Figures per officer are the manager's: an officer sees only the agency's totals.
    "agency.statistics.officers":             (401, 401, 403, 403, 403, 403, 403, 200, 403),
    "ops.surges":                             (401, 401, 200, 200, 200, 200, 403, 403, 403),
    "ops.surge.group":                        (401, 401, 200, 200, 200, 403, 403, 403, 403),
    "ops.surge.dismiss":                      (401, 401, 200, 200, 200, 403, 403, 403, 403),
    "ops.surge.group.when_dismissed":         (401, 401, 409, 409, 409, 403, 403, 403, 403),
    "admin.audit":                            (401, 401, 200, 403, 403, 403, 403, 403, 403),
    "admin.boundaries.preview":               (401, 401, 400, 403, 403, 403, 403, 403, 403),
    "admin.boundaries.apply":                 (401, 401, 400, 403, 403, 403, 403, 403, 403),
    "auth.me":                                (401, 401, 200, 200, 200, 200, 200, 200, 200),
    "auth.devices":                           (401, 401, 201, 201, 201, 201, 201, 201, 201),
}  # fmt: skip

ERROR_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict"}


def test_the_table_covers_every_call() -> None:
    assert set(EXPECTED) == set(CALLS)


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    return value


def _shape_problems(name: str, caller: str, status: int, body: Any) -> list[str]:
    """What is wrong with an answer whose status is right."""
    problems = []
    if status in ERROR_CODES and body["error"]["code"] != ERROR_CODES[status]:
        problems.append(f"error code {body['error']['code']}")
    if status == 404 and "details" in body["error"]:
        problems.append("a 404 with details (another agency's report must look unknown)")
    if status == 200 and isinstance(body, dict) and "reporter" in body:
        shown = (body["reporter"] or {}).get("phone")
        if name.startswith("ops.") and caller != "viewer" and not shown:
            problems.append("operators must see the reporter")
        if caller == "viewer" and body["reporter"] is not None:
            problems.append("viewers see the reporter only where the province grants it")
        if name.startswith("agency.") and body["reporter"] is not None:
            problems.append("agencies must never see the reporter")
    return problems


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_caller_gets_the_expected_status(client, world, name) -> None:
    """One row of the table: the same report, asked by each caller in turn; each request
    runs inside a savepoint rolled back before the next caller asks."""
    call = CALLS[name]
    values = call.setup(world) if call.setup else {}
    world.session.flush()
    path = call.path.format(**values)
    body = _fill(call.body, values) if call.method == "POST" else None

    statuses: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    for caller in CALLERS:
        attempt = world.session.begin_nested()
        world.session.connection()
        response = client.open(path, method=call.method, headers=world.headers[caller], json=body)
        attempt.rollback()
        world.session.expire_all()
        statuses[caller] = response.status_code
        if response.status_code == EXPECTED[name][CALLERS.index(caller)]:
            if wrong := _shape_problems(name, caller, response.status_code, response.get_json()):
                problems[caller] = wrong
        else:
            problems[caller] = [str(response.get_json())]

    assert statuses == dict(zip(CALLERS, EXPECTED[name], strict=True)), problems
    assert problems == {}
