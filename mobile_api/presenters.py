"""Domain objects ► the dictionaries the mobile API answers with, in the asker's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import url_for

from ioc.feedback.models import Agency, Category, CategoryGroup
from ioc.feedback.reads.tracking import public_timeline
from ioc.feedback.report_models import Attachment, Report
from ioc.feedback.states import ReportStatus
from ioc.geo.index import AreaRef
from ioc.geo.models import Area
from ioc.i18n import translate
from ioc.web.clocks import current_clock


def _name(obj: Category | CategoryGroup | Agency | Area | AreaRef, language: str) -> str:
    return (obj.name_en if language == "en" and obj.name_en else None) or obj.name_vi


def _status_label(status: str, language: str) -> str:
    return status.replace("_", " ") if language == "en" else ReportStatus(status).label_vi


def category(cat: Category, language: str) -> dict[str, Any]:
    english = language == "en"
    return {
        "code": cat.code,
        "name": _name(cat, language),
        "group": {"code": cat.group.code, "name": _name(cat.group, language)},
        "description": (cat.description_en if english else None) or cat.description_vi,
        "photo_required": cat.is_photo_required,
        "duplicate_radius_m": cat.duplicate_radius_m,
        "attributes": [
            {
                "code": a["code"],
                "datatype": a["datatype"],
                "required": a["required"],
                "description": (a.get("description_en") if english else None) or a["description"],
                "order": a.get("order", 0),
                "values": [
                    {"key": v["key"], "name": (v.get("name_en") if english else None) or v["name"]}
                    for v in a.get("values", [])
                ],
            }
            for a in cat.attributes
        ],
    }


def summary(report: Report, language: str) -> dict[str, Any]:
    clock = current_clock(report)
    return {
        "ref": report.ref,
        "status": report.status,
        "status_label": _status_label(report.status, language),
        "category": {"code": report.category.code, "name": _name(report.category, language)},
        "lon": report.lon,
        "lat": report.lat,
        "address": report.address,
        "received_at": report.received_at,
        "clock": clock.to_dict(),
        "deadline": clock.deadline,
        "support_count": report.support_count,
    }


def report(
    report: Report,
    language: str,
    *,
    viewer_id: int | None,
    areas: Sequence[AreaRef] | None = None,
) -> dict[str, Any]:
    """The report as a citizen sees it; the reporter's identity only for the reporter.

    ``areas``: its areas, leaf first, when the caller has them at hand (a report just filed,
    from the in-process area index); otherwise they are read with the report.
    """
    is_mine = report.reporter_id is not None and report.reporter_id == viewer_id
    chain: Sequence[Area | AreaRef] = (
        areas if areas is not None else [ra.area for ra in report.areas]
    )
    return {
        **summary(report, language),
        "description": report.description,
        "accuracy_m": report.accuracy_m,
        "attributes": report.attributes,
        "areas": [
            {"code": area.code, "name": _name(area, language), "level": area.level}
            for area in chain
        ],
        "handled_by": _handled_by(report.lead_agency, language),
        "supporting_agencies": [_agency(a, language) for a in report.supporting_agencies],
        "photos": [
            _photo(a) for a in report.attachments if a.purpose == "before" and not a.is_hidden
        ],
        "is_mine": is_mine,
        "reporter": (
            {"name": report.reporter.display_name, "phone": report.reporter.phone}
            if is_mine and report.reporter
            else None
        ),
    }


def report_detail(rep: Report, language: str, *, viewer_id: int | None) -> dict[str, Any]:
    after = [_photo(a) for a in rep.attachments if a.purpose == "after" and not a.is_hidden]
    resolved = rep.resolved_at is not None or rep.result_text is not None
    return {
        **report(rep, language, viewer_id=viewer_id),
        "timeline": [
            {
                "at": entry.occurred_at,
                "action": entry.action,
                "status": entry.to_status,
                "status_label": _status_label(entry.to_status, language)
                if entry.to_status
                else None,
                "note": entry.note,
            }
            for entry in public_timeline(rep)
        ],
        "result": (
            {"text": rep.result_text, "resolved_at": rep.resolved_at, "photos": after}
            if resolved
            else None
        ),
        "rating": (
            {"rating": rep.rating, "comment": rep.rating_comment, "rated_at": rep.rated_at}
            if rep.rating and rep.rated_at
            else None
        ),
    }


def _handled_by(agency: Agency | None, language: str) -> dict[str, Any]:
    if agency is None:
        return {"kind": "ioc_review", "code": None, "name": translate("IOC review", language)}
    return {"kind": "agency", **_agency(agency, language)}


def _agency(agency: Agency, language: str) -> dict[str, str]:
    return {"code": agency.code, "name": _name(agency, language)}


def _photo(attachment: Attachment) -> dict[str, str | None]:
    return {
        "url": url_for("media.file", key=attachment.storage_key, _external=True),
        "thumbnail_url": (
            url_for("media.file", key=attachment.thumbnail_key, _external=True)
            if attachment.thumbnail_key
            else None
        ),
    }
