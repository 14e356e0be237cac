"""Seed the benchmark peer's database through its own models, as bench/http_load.py seeds
IOC's: one service (``traffic_light``), one API key, and 10,000 public requests over the last
90 days around Hà Nội, a quarter of them closed (so the peer's expected-date estimate, which
its create reads from every closed request, has data).

Request ``i`` lies inside its own slot of 90 days / 10,000 (777.6 s), so a window of whole
slots holds exactly as many requests as slots. The list scenario's query, a window of exactly
100 requests ending ten days ago (requests filed by the bench never enter it), is written to
``$PEER_HOME/list_query.txt``. Run by bench/peer/setup.sh; rerunning replaces the requests.
"""

from __future__ import annotations

import datetime
import os
import random
from pathlib import Path
from typing import Any

API_KEY = "peerbench0123456789abcdefghijkl"  # the peer's key field holds 32 characters
SERVICE_CODE = "traffic_light"
REQUESTS = 10_000
CLOSED = 2_500
DAYS = 90
CENTRE_LAT, CENTRE_LON = 21.03, 105.85
STREETS = ["Hàng Bài", "Tràng Tiền", "Lý Thường Kiệt", "Trần Hưng Đạo", "Bà Triệu", "Hàng Gai"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hoa", "Khánh", "Linh", "Minh", "Nam"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]


def main() -> None:
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone, translation

    random.seed(311)  # the peer's description generator draws from the global generator
    rng = random.Random(311)
    translation.activate("en")
    now = timezone.now().replace(microsecond=0)
    slot = datetime.timedelta(days=DAYS) / REQUESTS
    start = now - datetime.timedelta(days=DAYS)
    with transaction.atomic():
        _seed(rng, now, start, slot)
    window = (_iso(start + slot * 8800), _iso(start + slot * 8900))
    query = f"start_date={window[0]}&end_date={window[1]}"
    _check_window(*window)
    Path(os.environ.get("PEER_HOME", "/tmp/ioc-peer"), "list_query.txt").write_text(query + "\n")
    print(f"seeded {REQUESTS} requests ({CLOSED} closed); API key {API_KEY}; list query {query}")


def _seed(rng: random.Random, now: datetime.datetime, start: datetime.datetime, slot: Any) -> None:
    from cfh.management.commands.cfh_generate_random_issues import generate_description
    from django.contrib.gis.geos import Point
    from issues.models import Application, Issue, Jurisdiction, Service
    from issues.models.issues import ID_KEYSPACE

    Issue.objects.all().delete()
    jurisdiction = Jurisdiction.autodetermine()
    service = Service.objects.filter(service_code=SERVICE_CODE).first() or Service(
        service_code=SERVICE_CODE
    )
    service.metadata = False
    service.type = "realtime"
    service.location_req = "coords_or_address"
    service.set_current_language("en")
    service.service_name = "Traffic light"
    service.description = "Broken or malfunctioning traffic lights"
    service.group = "street"
    service.save()
    service.jurisdictions.add(jurisdiction)
    Application.objects.filter(key=API_KEY).delete()
    application = Application.objects.create(
        identifier="peer-bench", name="Benchmark", active=True, key=API_KEY
    )
    closed = set(rng.sample(range(REQUESTS), CLOSED))
    identifiers: set[str] = set()
    issues = []
    for i in range(REQUESTS):
        requested = start + slot * i + slot * rng.uniform(0.01, 0.99)
        lat = round(rng.gauss(CENTRE_LAT, 0.02), 6)
        lon = round(rng.gauss(CENTRE_LON, 0.02), 6)
        identifier = ""
        while not identifier or identifier in identifiers:
            identifier = "".join(rng.choice(ID_KEYSPACE) for _ in range(8))
        identifiers.add(identifier)
        updated, status = requested, "open"
        if i in closed:
            fixing = datetime.timedelta(minutes=rng.lognormvariate(7.6, 1.0))
            fixing = max(datetime.timedelta(minutes=30), min(fixing, datetime.timedelta(days=14)))
            updated, status = min(requested + fixing, now), "closed"
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        issues.append(
            Issue(
                application=application,
                jurisdiction=jurisdiction,
                service=service,
                service_code=SERVICE_CODE,
                identifier=identifier,
                description=generate_description(),
                status=status,
                agency_responsible="Sở Giao thông Vận tải",
                requested_datetime=requested,
                updated_datetime=updated,
                address=f"{rng.randint(1, 200)} {rng.choice(STREETS)}, Hoàn Kiếm, Hà Nội",
                submitter_email=f"reporter{i}@example.com",
                submitter_first_name=given,
                submitter_last_name=family,
                submitter_phone=f"+849{rng.randint(10000000, 99999999)}",
                location=Point(lon, lat, srid=4326),
                lat=lat,
                long=lon,
                moderation="public",
            )
        )
    # The estimate the peer's own save() computes: the median fixing time of closed requests.
    durations = sorted(
        i.updated_datetime - i.requested_datetime for i in issues if i.status == "closed"
    )
    median = durations[(len(durations) - 1) // 2]
    for issue in issues:
        issue.expected_datetime = issue.requested_datetime + median
    Issue.objects.bulk_create(issues, batch_size=1000)


def _check_window(start: str, end: str) -> None:
    from issues.models import Issue

    found = Issue.objects.filter(
        moderation="public", requested_datetime__gte=start, requested_datetime__lte=end
    ).count()
    if found != 100:
        raise SystemExit(f"the list window holds {found} requests, not 100")


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


if __name__ == "__main__":
    main()
