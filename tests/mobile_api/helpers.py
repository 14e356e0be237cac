"""Helpers for the mobile API tests: citizens, report bodies, submissions, photos, counts."""

from __future__ import annotations

import io
import json
import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from ioc.feedback.report_models import Report
from ioc.identity import emulator_token

API = "/api/mobile/v1"
IN_A = (108.05, 16.05)  # commune A, west half of province P
IN_B = (108.15, 16.05)  # commune B, east half
OUTSIDE = (105.85, 21.03)  # Hà Nội, far outside province P
# Text that must never reach anyone but the reporter once it is inside a photo.
SECRET_MARKERS = (b"SecretCam", b"GPSDATA", b"secret-comment", b"secret-xmp")


@dataclass(frozen=True)
class Citizen:
    uid: str
    name: str
    phone: str
    headers: dict[str, str]


def citizen_of(app: Flask, uid: str, name: str, phone: str, **token_args: Any) -> Citizen:
    """A citizen signed in with an emulator ID token for the app's Firebase project."""
    project_id = app.extensions["ioc"].settings.firebase_project_id
    token = emulator_token(project_id=project_id, uid=uid, name=name, phone=phone, **token_args)
    return Citizen(uid, name, phone, {"Authorization": f"Bearer {token}"})


def report_body(
    category: str = "den_duong", at: tuple[float, float] = IN_A, **extra: Any
) -> dict[str, Any]:
    return {"category": category, "lon": at[0], "lat": at[1], **extra}


def submit(
    client: FlaskClient,
    citizen: Citizen,
    body: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    photos: list[bytes] | None = None,
    headers: dict[str, str] | None = None,
    **request_args: Any,
) -> TestResponse:
    """POST a report: a JSON body without ``photos``, multipart with them; a fresh key unless
    one is given."""
    all_headers = {**citizen.headers, "Idempotency-Key": key or uuid.uuid4().hex, **(headers or {})}
    body = report_body() if body is None else body
    if photos is None:
        return client.post(f"{API}/reports", json=body, headers=all_headers, **request_args)
    parts = MultiDict([("report", json.dumps(body))])
    for index, raw in enumerate(photos):
        parts.add("photos", FileStorage(io.BytesIO(raw), f"photo{index}.jpg", "photos"))
    # Encoded here: the test client spools a large body to a temporary file it never closes.
    boundary, data = encode_multipart(parts)
    return client.post(
        f"{API}/reports",
        data=data,
        headers=all_headers,
        content_type=f"multipart/form-data; boundary={boundary}",
        **request_args,
    )


def filed(client: FlaskClient, citizen: Citizen, body: dict[str, Any] | None = None) -> str:
    """Submit a report that must be accepted; its ref."""
    response = submit(client, citizen, body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["ref"]


def secret_exif() -> Image.Exif:
    """EXIF naming the camera, with a description and the GPS position of the photo."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x010E] = "GPSDATA near my house"  # ImageDescription
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (16.0, 3.0, 0.0)
    gps[3], gps[4] = "E", (108.0, 3.0, 0.0)
    return exif


def jpeg(size: tuple[int, int] = (64, 48), *, with_secrets: bool = False) -> bytes:
    """A small JPEG; ``with_secrets`` adds EXIF with GPS, a COM comment and XMP."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 40, 40))
    if with_secrets:
        image.save(
            buffer,
            "JPEG",
            exif=secret_exif(),
            comment=b"secret-comment",
            xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>",
        )
    else:
        image.save(buffer, "JPEG")
    return buffer.getvalue()


def encoded(image_format: str, size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 60)).save(buffer, image_format)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels, with next to no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def local_path(url: str) -> str:
    """The path of an absolute URL the app built for the test client (``http://localhost``)."""
    assert url.startswith("http://localhost/"), url
    return url.removeprefix("http://localhost")


def count(session: Session, model: Any) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def report_of(session: Session, ref: str) -> Report:
    session.expire_all()
    return session.scalars(select(Report).where(Report.ref == ref)).one()


def mark_resolved(session: Session, ref: str, text: str = "Đã vá") -> None:
    """What an agency will do through its console (not built yet): resolve with an answer."""
    report = report_of(session, ref)
    report.status = "resolved"
    report.result_text = text
    report.resolved_at = datetime.now(UTC)
    session.flush()


def files_under(root: Path) -> list[Path]:
    """Every file in the tree, temporary and hidden ones included."""
    return [path for path in root.rglob("*") if not path.is_dir()] if root.exists() else []
