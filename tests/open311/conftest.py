"""Fixtures for the Open311 server: a province, two agencies, public and private services,
an integrating system with its key, and an operator to look at the IOC queue."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from ioc.feedback.models import Agency, Category, User
from ioc.feedback.people.staff_sessions import sign_in
from ioc.integrations.api_clients import create_api_client
from ioc.integrations.models import ApiClient
from tests.factories import make_agency, make_category, make_province_with_two_communes, make_rule

IN_A = (108.05, 16.05)
OUTSIDE = (105.80, 21.03)
PASSWORD = "x" * 10

ATTRIBUTES = [
    {
        "code": "pothole_size",
        "datatype": "singlevaluelist",
        "required": True,
        "variable": True,
        "order": 1,
        "description": "Kích thước ổ gà",
        "description_en": "Size of the pothole",
        "values": [
            {"key": "small", "name": "Nhỏ", "name_en": "Small"},
            {"key": "large", "name": "Lớn", "name_en": "Large"},
        ],
    },
    {
        "code": "depth_cm",
        "datatype": "number",
        "required": False,
        "order": 2,
        "description": "Độ sâu (cm)",
        "description_en": "Depth (cm)",
    },
    {
        "code": "hazards",
        "datatype": "multivaluelist",
        "required": False,
        "order": 3,
        "description": "Nguy hiểm",
        "description_en": "Hazards",
        "values": [
            {"key": "water", "name": "Đọng nước", "name_en": "Standing water"},
            {"key": "night", "name": "Tối", "name_en": "Unlit at night"},
        ],
    },
    {
        "code": "seen_at",
        "datatype": "datetime",
        "required": False,
        "order": 4,
        "description": "Thời điểm phát hiện",
        "description_en": "When it was seen",
    },
    {
        "code": "landmark",
        "datatype": "string",
        "required": False,
        "order": 5,
        "description": "Mốc gần nhất",
        "description_en": "Nearest landmark",
    },
    {
        "code": "details",
        "datatype": "text",
        "required": False,
        "order": 6,
        "description": "Chi tiết",
        "description_en": "Details",
    },
]


@dataclass
class World:
    session: Session
    sxd: Agency
    potholes: Category  # auto-dispatched to SXD, with every attribute datatype
    lighting: Category  # reviewed by the IOC first, no attributes
    tips: Category  # private: never seen through Open311
    client: ApiClient
    key: str
    operator_headers: dict[str, str]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def build_world(session: Session) -> World:
    """The province, agencies, services, key and operator, flushed in ``session``."""
    make_province_with_two_communes(session)
    sxd = make_agency(session, "SXD", name_vi="Sở Xây dựng", name_en="Department of Construction")
    potholes = make_category(
        session,
        "o_ga",
        name_vi="Ổ gà",
        name_en="Pothole",
        description_vi="Mặt đường hư hỏng, ổ gà",
        description_en="Damaged road surface",
        sla_tier="urgent",
        sla_target_hours=8,
        attributes=ATTRIBUTES,
        sort_order=1,
    )
    lighting = make_category(
        session,
        "den_duong",
        name_vi="Đèn đường",
        name_en="Street light",
        is_auto_dispatch=False,
        sort_order=2,
    )
    tips = make_category(session, "an_ninh", name_vi="An ninh trật tự", is_private=True)
    for category in (potholes, lighting, tips):
        make_rule(session, category, "P", sxd)
    created = create_api_client(session, name="lgsp-tinh")
    operator = User(
        role="ioc_operator",
        username="dieu.hanh",
        password_hash=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD),
    )
    session.add(operator)
    session.flush()
    token = sign_in(session, username="dieu.hanh", password=PASSWORD).token
    session.flush()
    return World(
        session=session,
        sxd=sxd,
        potholes=potholes,
        lighting=lighting,
        tips=tips,
        client=created.client,
        key=created.key,
        operator_headers={"Authorization": f"Bearer {token}"},
    )


def pothole_form(world: World, **overrides: str) -> dict[str, str]:
    """A POST requests form for a pothole in commune A, with the system's key and a phone."""
    return {
        "api_key": world.key,
        "service_code": "o_ga",
        "lat": str(IN_A[1]),
        "long": str(IN_A[0]),
        "description": "Ổ gà lớn giữa đường",
        "attribute[pothole_size]": "large",
        "phone": "+84913555666",
        **overrides,
    }
