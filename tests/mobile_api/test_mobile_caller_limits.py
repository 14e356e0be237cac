"""Limits on what a signed-in citizen does besides filing (comments, "me too", devices), each
counted against the verified citizen, and never against a uid an unverified token claims."""

from __future__ import annotations

from ioc.feedback.report_models import Report
from ioc.identity import emulator_token
from tests.mobile_api.helpers import API, count, filed, submit

COMMENTS_PER_MINUTE = 10  # COMMENTS_PER_CITIZEN
SUPPORTS_PER_MINUTE = 30  # SUPPORT_PER_CITIZEN
DEVICES_PER_HOUR = 10  # DEVICES_PER_CALLER
SUBMISSIONS_PER_MINUTE = 10  # SUBMIT_PER_CITIZEN


def _from(ip: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": ip}}


def _comment(client, citizen, ref, **kwargs):
    return client.post(
        f"{API}/reports/{ref}/comments",
        json={"text": "Đèn vẫn tắt tối nay"},
        headers=citizen.headers,
        **kwargs,
    )


def _register(client, citizen, token: str):
    return client.post(f"{API}/devices", json={"token": token}, headers=citizen.headers)


def test_the_eleventh_comment_in_a_minute_is_refused_for_that_citizen_only(
    client, world, lan, minh
):
    mine, theirs = filed(client, lan), filed(client, minh)
    statuses = [
        _comment(client, lan, mine, **_from(f"10.0.0.{n}")).status_code
        for n in range(COMMENTS_PER_MINUTE)
    ]

    refused = _comment(client, lan, mine, **_from("10.0.1.1"))

    assert statuses == [204] * COMMENTS_PER_MINUTE
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert "Retry-After" in refused.headers
    assert _comment(client, minh, theirs, **_from("10.0.1.1")).status_code == 204


def test_me_too_is_limited_per_citizen(client, world, lan, minh, app):
    ref = filed(client, lan)
    statuses = {
        client.post(f"{API}/reports/{ref}/support", headers=minh.headers).status_code
        for _ in range(SUPPORTS_PER_MINUTE)
    }

    refused = client.post(f"{API}/reports/{ref}/support", headers=minh.headers)

    assert statuses == {200}
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    other = emulator_token(
        project_id=app.extensions["ioc"].settings.firebase_project_id, uid="uid-hoa-2Zt9"
    )
    answer = client.post(
        f"{API}/reports/{ref}/support", headers={"Authorization": f"Bearer {other}"}
    )
    assert answer.status_code == 200


def test_device_registrations_are_limited_per_citizen(client, world, lan, minh):
    statuses = {_register(client, lan, f"fcm-lan-{n}").status_code for n in range(DEVICES_PER_HOUR)}

    refused = _register(client, lan, "fcm-lan-extra")

    assert statuses == {201}
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert _register(client, minh, "fcm-minh-1").status_code == 201


def test_invalid_tokens_carrying_a_citizens_uid_do_not_spend_their_quota(
    client, world, session, lan
):
    # Tokens for another Firebase project naming Lan: refused, and counted against nobody.
    forged = emulator_token(project_id="someone-elses-project", uid=lan.uid)
    refused = [
        submit(client, lan, headers={"Authorization": f"Bearer {forged}"}).status_code
        for _ in range(SUBMISSIONS_PER_MINUTE + 1)
    ]

    assert refused == [401] * (SUBMISSIONS_PER_MINUTE + 1)
    assert submit(client, lan).status_code == 201
    assert count(session, Report) == 1
