"""What the scale benchmark's reports are made of: the demo province's places, categories,
channels, routes and people, read once from the seeded database.

Everything here is cached per process: a million reports need a few hundred distinct routes
and a few dozen places, not a query each.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shapely.geometry import shape
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import make_session_factory, unit_of_work
from ioc.demo.catalogue import REPORT_SAMPLES
from ioc.demo.geography import province_geography
from ioc.demo.seed import DEMO_ACCOUNTS
from ioc.feedback.intake.routing import resolve_route
from ioc.feedback.models import Agency, Category, User
from ioc.feedback.states import Channel, Role
from ioc.geo.index import AreaIndex, AreaRef
from ioc.geo.models import Area
from ioc.geo.service import AreaLocator

#: How often citizens report each kind of problem, relative to each other (a city's mix:
#: rubbish, potholes and street lights lead; power and water cuts are rarer).
CATEGORY_WEIGHTS = {
    "garbage": 14.0,
    "pothole": 12.0,
    "street_light": 9.0,
    "sidewalk_encroachment": 8.0,
    "illegal_dumping": 7.0,
    "noise_pollution": 6.0,
    "open_drain": 5.0,
    "flooding": 5.0,
    "fallen_tree": 4.0,
    "illegal_construction": 4.0,
    "illegal_advertising": 4.0,
    "traffic_signage": 3.0,
    "traffic_light": 3.0,
    "public_order": 3.0,
    "water_supply": 3.0,
    "air_pollution": 2.0,
    "power_outage": 2.0,
}
#: The channels citizens file through (the simulator's own channel is left out).
CHANNEL_WEIGHTS = {
    Channel.MOBILE: 45.0,
    Channel.ZALO: 20.0,
    Channel.WEB: 12.0,
    Channel.PHONE: 12.0,
    Channel.EMAIL: 5.0,
    Channel.OPEN311: 6.0,
}
#: Channels where a signed-in citizen files (and may rate); the others are filed for them.
CITIZEN_CHANNELS = frozenset({Channel.MOBILE, Channel.ZALO, Channel.WEB})
#: Wards hold most of the population, and the provincial city most of the wards.
WARD_WEIGHT = 4.0
CITY_WEIGHT = 12.0


@dataclass(frozen=True)
class Kind:
    """A category as the loader needs it."""

    id: int
    code: str
    tier: str
    hours: float
    is_auto_dispatch: bool
    samples: tuple[str, ...]
    attributes: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Place:
    """A town or commune centre reports cluster around (a normal spread in degrees)."""

    lon: float
    lat: float
    spread: float


@dataclass
class World:
    """The seeded province as ids, plus the caches the loader fills."""

    index: AreaIndex
    kinds: list[Kind]
    kind_weights: list[float]
    places: list[Place]
    place_weights: list[float]
    agency_ids: list[int]
    #: Each agency's code by id (events name agencies by code).
    agency_codes: dict[int, str]
    operator_id: int
    officer_ids: dict[int, int]
    citizen_ids: list[int]
    earliest: datetime
    session_factory: sessionmaker[Session]
    _routes: dict[tuple[int, int], tuple[int | None, tuple[int, ...]]] = field(default_factory=dict)

    def route(self, kind: Kind, chain: list[AreaRef]) -> tuple[int | None, tuple[int, ...]]:
        """The lead and supporting agencies the demo's rules give (category, leaf area):
        asked once per pair through the intake's own routing, then cached."""
        key = (kind.id, chain[0].id)
        if key not in self._routes:
            # A short read of its own: SQLite's writer must not wait behind it.
            with self.session_factory() as session:
                category = session.get(Category, kind.id)
                assert category is not None
                found = resolve_route(session, category=category, chain=chain, at=self.earliest)
                self._routes[key] = (
                    found.lead.id if found.lead else None,
                    tuple(agency.id for agency in found.supporting),
                )
        return self._routes[key]


def read_world(engine: Engine, *, citizens: int, now: datetime) -> World:
    """Read the seeded province and add the people the reports need: one officer per agency
    (who accepts, returns and resolves) and ``citizens`` citizen accounts."""
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        index = AreaLocator(check_seconds=3600).index(session)
        categories = session.scalars(
            select(Category).where(Category.is_active.is_(True)).order_by(Category.id)
        ).all()
        kinds = [
            Kind(
                c.id,
                c.code,
                c.sla_tier,
                c.sla_target_hours,
                c.is_auto_dispatch,
                REPORT_SAMPLES.get(c.code) or (c.name_vi,),
                tuple(c.attributes),
            )
            for c in categories
        ]
        agencies = session.scalars(select(Agency).order_by(Agency.id)).all()
        operator = DEMO_ACCOUNTS[2].username
        operator_id = session.scalar(select(User.id).where(User.username == operator))
        assert operator_id is not None, "the demo province is not seeded"
        officer_ids = _officers(session, agencies)
        citizen_ids = _citizens(session, citizens, now)
        # Reports are filed under the boundaries in force: history starts with them.
        earliest = session.scalar(select(func.max(Area.valid_from)).where(Area.valid_to.is_(None)))
        assert earliest is not None
    places, weights = _places()
    return World(
        index=index,
        kinds=kinds,
        kind_weights=[CATEGORY_WEIGHTS.get(k.code, 2.0) for k in kinds],
        places=places,
        place_weights=weights,
        agency_ids=[a.id for a in agencies],
        agency_codes={a.id: a.code for a in agencies},
        operator_id=operator_id,
        officer_ids=officer_ids,
        citizen_ids=citizen_ids,
        earliest=earliest,
        session_factory=factory,
    )


def _places() -> tuple[list[Place], list[float]]:
    geography = province_geography()
    places: list[Place] = []
    weights: list[float] = []
    for feature in geography.communes["features"]:
        polygon = shape(feature["geometry"])
        centre = polygon.representative_point()
        places.append(Place(centre.x, centre.y, (polygon.area**0.5) / 4))
        is_ward = feature["properties"].get("kind") == "phường"
        weights.append(WARD_WEIGHT if is_ward else 1.0)
    city_lon, city_lat = geography.city_center
    places.append(Place(city_lon, city_lat, 0.012))
    weights.append(CITY_WEIGHT)
    return places, weights


def _officers(session: Session, agencies: Any) -> dict[int, int]:
    """One officer account per agency (no password: they cannot sign in)."""
    existing = {
        user.agency_id: user.id
        for user in session.scalars(select(User).where(User.username.like("bench.%")))
    }
    for agency in agencies:
        if agency.id in existing:
            continue
        user = User(
            role=Role.AGENCY_OFFICER,
            username=f"bench.{agency.code.lower()}",
            agency_id=agency.id,
            display_name=f"Cán bộ {agency.name_vi}",
        )
        session.add(user)
        session.flush()
        existing[agency.id] = user.id
    return {k: v for k, v in existing.items() if k is not None}


def _citizens(session: Session, wanted: int, now: datetime) -> list[int]:
    have = (
        session.scalar(
            select(func.count()).select_from(User).where(User.firebase_uid.like("bench-%"))
        )
        or 0
    )
    rows = [
        {
            "role": Role.CITIZEN,
            "firebase_uid": f"bench-{number:07d}",
            "display_name": f"Người dân {number}",
            "locale": "vi",
            "is_active": True,
            "created_at": now,
        }
        for number in range(have, wanted)
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(User), rows[start : start + 5000])
    return list(
        session.scalars(select(User.id).where(User.firebase_uid.like("bench-%")).order_by(User.id))
    )


def plausible_attributes(kind: Kind, rng: random.Random, received_at: datetime) -> dict[str, Any]:
    """Values for every required attribute and about half the optional ones, as a citizen
    fills them in (the shapes intake's attribute check accepts)."""
    values: dict[str, Any] = {}
    for definition in kind.attributes:
        if not definition.get("required") and rng.random() < 0.5:
            continue
        keys = [item["key"] for item in definition.get("values", [])]
        datatype, code = definition.get("datatype"), definition["code"]
        if datatype == "singlevaluelist" and keys:
            values[code] = rng.choice(keys)
        elif datatype == "multivaluelist" and keys:
            values[code] = rng.sample(keys, rng.randint(1, len(keys)))
        elif datatype == "number":
            values[code] = rng.randint(5, 80)
        elif datatype == "datetime":
            moment = received_at - timedelta(hours=rng.randint(1, 48))
            values[code] = moment.replace(second=0, microsecond=0).isoformat()
        else:
            values[code] = f"Số {rng.randint(1, 300)}"
    return values


def point_near(
    world: World, rng: random.Random, at: datetime
) -> tuple[float, float, list[AreaRef]]:
    """A point around a weighted town or commune centre, with its area chain (leaf first)."""
    while True:
        place = rng.choices(world.places, weights=world.place_weights)[0]
        lon = round(rng.gauss(place.lon, place.spread), 6)
        lat = round(rng.gauss(place.lat, place.spread), 6)
        chain = world.index.locate(lon, lat, at)
        if chain:
            return lon, lat, chain
