"""The worker logs each delivery with the id of the request that wrote its event."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.orm import Session

from ioc.feedback.intake.filing import Intake
from ioc.integrations.worker import Round
from ioc.telemetry.context import request_id_bound
from ioc.telemetry.logs import log_handler
from tests.factories import make_agency, make_category, make_rule
from tests.integrations.conftest import Cast, make_device, submit


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = log_handler("json", stream)
    logger = logging.getLogger("ioc.integrations.deliveries")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_a_delivered_push_is_logged_with_the_request_id_of_its_event(
    session: Session,
    intake: Intake,
    cast: Cast,
    run_worker: Callable[..., Round],
    json_lines: io.StringIO,
) -> None:
    # Routed to an agency on arrival: the reporter hears at once.
    category = make_category(session, "den", is_auto_dispatch=True)
    make_rule(session, category, "P", make_agency(session, "DIEN", name_vi="Điện lực"))
    make_device(session, cast.reporter, "tok-lan")
    with request_id_bound("citizen-req-42abcdef"):
        submit(session, intake, reporter=cast.reporter, category="den")
    session.commit()

    outcome = run_worker()

    assert outcome.sent.delivered >= 1
    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    delivered = [line for line in lines if "delivered" in line["message"]]
    assert delivered
    assert {line["request_id"] for line in delivered} == {"citizen-req-42abcdef"}
    assert all(line["logger"] == "ioc.integrations.deliveries" for line in delivered)
    assert all(isinstance(line["event_seq"], int) for line in delivered)
