"""A stream of realistic citizen reports for the demo, so the operations centre has life."""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.demo.catalogue import ADDRESS_STREETS, REPORT_SAMPLES
from ioc.demo.progress import advance_one
from ioc.errors import IocError
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.models import Category
from ioc.feedback.report_models import Report
from ioc.feedback.sla.sweep import sweep_deadlines
from ioc.feedback.states import Channel
from ioc.feedback.surges.detection import detect_surges
from ioc.geo.models import Area
from ioc.geo.queries import valid_at

log = logging.getLogger(__name__)


#: How often a report of a category that can surge is followed by another from the same spot
#: (a flooded street brings several neighbours to their phones), so the demo shows surges.
FOLLOW_UP_CHANCE = 0.35


@dataclass(frozen=True)
class Spot:
    """Where and what a report was, for a neighbour's follow-up report."""

    category_code: str
    lon: float
    lat: float
    address: str | None


def simulate_report(
    session: Session, intake: Intake, rng: random.Random, *, near: Spot | None = None
) -> Report:
    """Submit one plausible report at a random place in a random commune or ward, or, given
    ``near``, a report of the same problem a few dozen metres from it.

    Raises:
        IocError: from the intake pipeline (e.g. no commune loaded yet).
    """

    communes = session.scalars(
        select(Area).where(valid_at(utcnow()), Area.parent_code.is_not(None)).order_by(Area.code)
    ).all()
    categories = session.scalars(
        select(Category).where(Category.is_active.is_(True)).order_by(Category.code)
    ).all()
    if not communes or not categories:
        raise IocError("the demo province is not loaded")
    # Wards hold most of the population (and most of the reports).
    weights = [4.0 if area.name_vi.startswith("Phường") else 1.0 for area in communes]
    area = rng.choices(communes, weights=weights)[0]
    lon, lat = _point_inside(area.geom, rng)
    category = rng.choice(categories)
    address = f"{rng.randint(1, 250)} {rng.choice(ADDRESS_STREETS)}, {area.name_vi}"
    if near is not None:
        category = next((c for c in categories if c.code == near.category_code), category)
        lon = round(near.lon + rng.uniform(-0.0003, 0.0003), 6)
        lat = round(near.lat + rng.uniform(-0.0003, 0.0003), 6)
        address = near.address or address
    samples = REPORT_SAMPLES.get(category.code) or (category.name_vi,)
    return submit_report(
        session,
        intake,
        category_code=category.code,
        lon=lon,
        lat=lat,
        accuracy_m=round(rng.uniform(3, 25), 1),
        address=address,
        description=rng.choice(samples),
        attributes=_plausible_attributes(category.attributes, rng),
        channel=Channel.SIMULATOR,
    )


def _plausible_attributes(definitions: list[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
    """Values for every required attribute and some optional ones, as a citizen would fill."""

    values: dict[str, Any] = {}
    for definition in definitions:
        if not definition.get("required") and rng.random() < 0.5:
            continue
        keys = [item["key"] for item in definition.get("values", [])]
        datatype = definition.get("datatype")
        if datatype == "singlevaluelist" and keys:
            values[definition["code"]] = rng.choice(keys)
        elif datatype == "multivaluelist" and keys:
            values[definition["code"]] = rng.sample(keys, rng.randint(1, len(keys)))
        elif datatype == "number":
            values[definition["code"]] = rng.randint(5, 80)
        elif datatype == "datetime":
            moment = utcnow() - timedelta(hours=rng.randint(1, 48))
            values[definition["code"]] = moment.isoformat(timespec="minutes")
        else:
            values[definition["code"]] = f"Số {rng.randint(1, 300)}"
    return values


def _point_inside(geom: Any, rng: random.Random) -> tuple[float, float]:
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    for _ in range(1000):
        lon = round(rng.uniform(min_lon, max_lon), 6)
        lat = round(rng.uniform(min_lat, max_lat), 6)
        if geom.covers(shapely.Point(lon, lat)):
            return lon, lat
    point = geom.representative_point()
    return point.x, point.y


def start_simulator(
    services: Any, *, every_seconds: float, seed: int | None = None
) -> threading.Event:
    """Run :func:`simulate_report` and one handling step (:func:`advance_one`) every
    ``every_seconds`` on a daemon thread.

    Returns the event that stops it.
    """
    stop = threading.Event()
    rng = random.Random(seed)

    def run() -> None:
        spot: Spot | None = None
        while not stop.wait(every_seconds):
            try:
                with services.unit_of_work() as session:
                    report = simulate_report(session, services.intake, rng, near=spot)
                    spot = None
                    if report.category.surge_threshold and rng.random() < FOLLOW_UP_CHANCE:
                        spot = Spot(report.category.code, report.lon, report.lat, report.address)
                log.info("simulated report %s (%s)", report.ref, report.status)
                # Staff work too: about one step on an open report per new report.
                moved = advance_one(services, rng)
                if moved:
                    log.info("simulated handling of %s", moved)
            except IocError as exc:
                log.warning("simulator: %s", exc.message)

    threading.Thread(target=run, name="ioc-demo-simulator", daemon=True).start()
    return stop


def start_deadline_sweeper(services: Any, *, every_seconds: float = 60.0) -> threading.Event:
    """Run the SLA sweep and surge detection every ``every_seconds`` on a daemon thread (the
    embedded mode has no separate worker). Returns the event that stops it."""

    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every_seconds):
            with services.unit_of_work() as session:
                result = sweep_deadlines(session, services.policy)
                surges = detect_surges(session)
            for surge in surges:
                log.info("surge %d: %d reports", surge.id, len(surge.report_ids))
            if not result.is_empty:
                log.info("deadline sweep: %s", result.describe())

    threading.Thread(target=run, name="ioc-deadline-sweeper", daemon=True).start()
    return stop
