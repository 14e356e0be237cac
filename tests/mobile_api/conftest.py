"""Fixtures for the mobile API: emulator sign-in and a small province to report in.

Citizens sign in with unsigned Firebase Auth emulator tokens: firebase-admin accepts them only
while ``FIREBASE_AUTH_EMULATOR_HOST`` is set, and nothing needs to listen there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from ioc.feedback.models import Agency, Category
from tests.factories import make_agency, make_category, make_province_with_two_communes, make_rule
from tests.mobile_api.helpers import Citizen, citizen_of

EMULATOR_HOST = "127.0.0.1:9099"


@pytest.fixture(autouse=True)
def firebase_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", EMULATOR_HOST)


@pytest.fixture
def lan(app: Flask) -> Citizen:
    return citizen_of(app, "uid-lan-7Qx2", "Nguyễn Thị Lan", "+84905123456")


@pytest.fixture
def minh(app: Flask) -> Citizen:
    return citizen_of(app, "uid-minh-9Kp4", "Trần Văn Minh", "+84912987654")


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    """Where the ``app`` fixture stores photos."""
    return tmp_path / "media"


@dataclass(frozen=True)
class World:
    lighting: Category  # auto-dispatch: P ► SXD (+ DIEN-LUC), A ► UBND-A
    potholes: Category  # reviewed by the IOC first; needs a photo
    trees: Category  # has required attributes
    tips: Category  # private (public-order tips)
    sxd: Agency
    dien_luc: Agency
    ubnd_a: Agency


@pytest.fixture
def world(session: Session) -> World:
    """Province P (communes A and B), three agencies, categories and their routing rules."""
    make_province_with_two_communes(session)
    sxd = make_agency(session, "SXD", name_vi="Sở Xây dựng", name_en="Department of Construction")
    dien_luc = make_agency(session, "DIEN-LUC", name_vi="Công ty Điện lực")
    ubnd_a = make_agency(session, "UBND-A", name_vi="UBND xã An Hòa")
    lighting = make_category(
        session,
        "den_duong",
        name_vi="Đèn đường",
        name_en="Street lights",
        duplicate_radius_m=50,
        sort_order=1,
    )
    make_rule(session, lighting, "P", sxd, supporting=[dien_luc])
    make_rule(session, lighting, "A", ubnd_a)
    potholes = make_category(
        session,
        "o_ga",
        name_vi="Ổ gà",
        name_en="Potholes",
        is_auto_dispatch=False,
        is_photo_required=True,
        is_after_photo_required=True,
        sort_order=2,
    )
    trees = make_category(
        session,
        "cay_xanh",
        name_vi="Cây xanh",
        name_en="Trees",
        sort_order=3,
        attributes=[
            {
                "code": "kind",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "Loại sự cố",
                "description_en": "Kind of problem",
                "order": 1,
                "values": [
                    {"key": "fallen", "name": "Cây đổ", "name_en": "Fallen tree"},
                    {"key": "leaning", "name": "Cây nghiêng", "name_en": "Leaning tree"},
                ],
            },
            {"code": "height_m", "datatype": "number", "required": True, "description": "Cao"},
            {"code": "seen_at", "datatype": "datetime", "required": False, "description": "Lúc"},
        ],
    )
    tips = make_category(
        session, "an_ninh", name_vi="An ninh trật tự", is_private=True, sort_order=4
    )
    make_category(session, "da_ngung", name_vi="Đã ngừng tiếp nhận", is_active=False)
    return World(lighting, potholes, trees, tips, sxd, dien_luc, ubnd_a)
