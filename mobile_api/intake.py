"""Reading a report submission (JSON or multipart with photos) into checked parts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from flask import request
from pydantic import ValidationError

from ioc.errors import InvalidInput
from ioc.feedback.intake.filing import MAX_PHOTOS
from ioc.feedback.intake.photos import ProcessedPhoto, process_photos
from ioc.web.validated import validated_body, validated_form
from mobile_api.schemas import ReportForm, ReportIn


@dataclass(frozen=True)
class Upload:
    report: ReportIn
    photos: list[ProcessedPhoto]
    raw_digests: list[str]


def read_upload() -> Upload:
    """The report and its photos, each photo checked and stripped of metadata.

    Raises:
        InvalidInput: a bad report part, too many photos, or a photo that is not an image.
    """

    form = validated_form(ReportForm)
    if form is None:
        report = validated_body(ReportIn)
        uploads: list[Any] = []
    else:
        if form.report is None:
            raise InvalidInput("invalid request", details={"fields": {"report": "is required"}})
        report = _report_part(form.report)
        uploads = request.files.getlist("photos")
    if len(uploads) > MAX_PHOTOS:
        raise InvalidInput(
            "too many photos", details={"fields": {"photos": f"at most {MAX_PHOTOS}"}}
        )
    raws = [upload.read() for upload in uploads]
    photos = process_photos(raws)
    return Upload(report, photos, [hashlib.sha256(raw).hexdigest() for raw in raws])


def _report_part(text: str) -> ReportIn:
    try:
        return ReportIn.model_validate_json(text)
    except ValidationError as exc:
        fields = {
            ".".join(["report", *(str(part) for part in problem["loc"])]): problem["msg"]
            for problem in exc.errors()
        }
        raise InvalidInput("invalid request", details={"fields": fields}) from None
