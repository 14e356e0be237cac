"""A screen's ``last_seq`` is a whole number of an event, or the connection is refused cleanly:
never an exception inside the connect handler."""

from __future__ import annotations

import math

import pytest

from ioc.feedback.models import User
from ioc.feedback.people.accounts import hash_password
from ioc.feedback.people.staff_sessions import sign_in
from ioc.realtime import socketio
from ioc.realtime.connections import Refused, catch_up

HOSTILE = [1e30, math.inf, -math.inf, math.nan, "abc", "1e30", -1, 2**64, True, [1], {"a": 1}, 1.5]


@pytest.mark.parametrize("last_seq", HOSTILE, ids=repr)
def test_catch_up_refuses_what_is_not_an_event_number(session, last_seq):
    with pytest.raises(Refused):
        catch_up(session, "ops", last_seq)


@pytest.mark.parametrize("last_seq", [0, 5, 5.0, "5"], ids=repr)
def test_catch_up_takes_a_whole_number_however_it_is_written(session, last_seq):
    assert catch_up(session, "ops", last_seq).events == []


@pytest.fixture
def operator_token(session):
    session.add(
        User(role="ioc_operator", username="dieuhanh", password_hash=hash_password("m" * 12))
    )
    session.flush()
    return sign_in(session, username="dieuhanh", password="m" * 12).token


@pytest.mark.parametrize("last_seq", [1e30, math.inf, math.nan, "abc", -1], ids=repr)
def test_a_connect_with_a_hostile_last_seq_is_refused(app, operator_token, last_seq):
    client = socketio.test_client(
        app, namespace="/ops", auth={"token": operator_token, "last_seq": last_seq}
    )

    assert not client.is_connected("/ops")


def test_a_connect_with_a_sane_last_seq_is_admitted(app, operator_token):
    client = socketio.test_client(
        app, namespace="/ops", auth={"token": operator_token, "last_seq": 0}
    )

    assert client.is_connected("/ops")
    client.disconnect(namespace="/ops")
