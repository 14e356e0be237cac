"""Citizen sign-in: Firebase ID tokens verified with firebase-admin, offline.

Tests use firebase-admin's documented emulator mode (FIREBASE_AUTH_EMULATOR_HOST set), in which
it accepts unsigned tokens and calls no network; every test runs behind a guard that fails any
attempt to open a connection or resolve a name.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import socket
import time
from collections.abc import Iterator
from typing import Any

import firebase_admin
import pytest

from ioc.errors import Unauthenticated
from ioc.identity import (
    CitizenIdentity,
    FirebaseTokenVerifier,
    TokenVerifier,
    bearer_token,
    emulator_token,
)

EMULATOR_HOST = "127.0.0.1:9099"  # nothing listens there; firebase-admin only checks it is set


@pytest.fixture(autouse=True)
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refuse (and record) every name lookup and connection, so nothing can reach Google."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args!r}")
            raise OSError(f"network blocked in tests: {what}")

        return blocked

    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    return attempts


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", EMULATOR_HOST)


@pytest.fixture
def project_id() -> Iterator[str]:
    """A project of this test alone, whose firebase-admin app is deleted afterwards."""
    project = f"ioc-test-{secrets.token_hex(4)}"
    yield project
    with contextlib.suppress(ValueError):
        firebase_admin.delete_app(firebase_admin.get_app(f"ioc-{project}"))


@pytest.fixture
def verifier(project_id: str) -> FirebaseTokenVerifier:
    return FirebaseTokenVerifier(project_id)


def _unsigned(header: dict[str, Any], payload: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}."


def _claims(project_id: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": f"https://securetoken.google.com/{project_id}",
        "aud": project_id,
        "sub": "citizen-1",
        "user_id": "citizen-1",
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def _refusal(verifier: TokenVerifier, token: str) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(token)
    return caught.value


# --- verifying ------------------------------------------------------------------------------


@pytest.mark.usefixtures("emulator")
def test_fresh_emulator_token_verifies_to_the_citizen(verifier, project_id, network_attempts):
    token = emulator_token(
        project_id=project_id, uid="citizen-1", name="Nguyễn Văn A", phone="+84912345678"
    )

    identity = verifier.verify(token)

    assert identity == CitizenIdentity(
        uid="citizen-1", name="Nguyễn Văn A", phone="+84912345678", email=None
    )
    assert network_attempts == []


@pytest.mark.usefixtures("emulator")
def test_email_claim_is_part_of_the_identity(verifier, project_id):
    token = emulator_token(project_id=project_id, uid="citizen-2", email="a@example.vn")

    identity = verifier.verify(token)

    assert identity == CitizenIdentity(uid="citizen-2", name=None, phone=None, email="a@example.vn")


@pytest.mark.usefixtures("emulator")
def test_token_of_another_project_is_refused(verifier):
    token = emulator_token(project_id="some-other-project", uid="citizen-1")

    error = _refusal(verifier, token)

    assert error.code == "unauthenticated"
    assert error.status == 401


@pytest.mark.usefixtures("emulator")
@pytest.mark.parametrize("claim", ["aud", "iss"], ids=["wrong-audience", "wrong-issuer"])
def test_token_with_one_claim_of_another_project_is_refused(verifier, project_id, claim):
    wrong = {"aud": "other", "iss": "https://securetoken.google.com/other"}[claim]
    token = _unsigned({"alg": "none", "typ": "JWT"}, _claims(project_id, **{claim: wrong}))

    _refusal(verifier, token)


@pytest.mark.usefixtures("emulator")
def test_expired_token_is_refused_although_emulator_mode_skips_expiry(verifier, project_id):
    two_hours_ago = time.time() - 2 * 3600
    token = emulator_token(
        project_id=project_id, uid="citizen-1", lifetime_seconds=3600, issued_at=two_hours_ago
    )

    error = _refusal(verifier, token)

    assert error.message == "token expired"


@pytest.mark.usefixtures("emulator")
def test_token_is_refused_the_second_it_expires(project_id):
    token = emulator_token(project_id=project_id, uid="citizen-1", issued_at=1_000_000)
    valid_until = 1_000_000 + 3600

    assert FirebaseTokenVerifier(project_id, now=lambda: valid_until - 1).verify(token)
    error = _refusal(FirebaseTokenVerifier(project_id, now=lambda: valid_until), token)
    assert error.message == "token expired"


@pytest.mark.usefixtures("emulator")
@pytest.mark.parametrize("exp", [None, "tomorrow", True], ids=["missing", "text", "boolean"])
def test_token_without_a_numeric_expiry_is_refused(verifier, project_id, exp):
    claims = _claims(project_id)
    claims.pop("exp")
    if exp is not None:
        claims["exp"] = exp
    token = _unsigned({"alg": "none", "typ": "JWT"}, claims)

    error = _refusal(verifier, token)

    assert error.message == "token has no expiry"


@pytest.mark.usefixtures("emulator")
@pytest.mark.parametrize("sub", ["", None], ids=["empty", "missing"])
def test_token_without_a_subject_is_refused(verifier, project_id, sub):
    token = _unsigned({"alg": "none", "typ": "JWT"}, _claims(project_id, sub=sub))

    _refusal(verifier, token)


@pytest.mark.usefixtures("emulator")
@pytest.mark.parametrize(
    "token",
    ["", "garbage-secret-xyz", "a.b.c", "e30.e30.", "😀.😀.😀", "Bearer abc"],
    ids=["empty", "word", "three-parts", "empty-json", "emoji", "header-not-token"],
)
def test_garbage_is_refused_without_echoing_it(verifier, token):
    error = _refusal(verifier, token)

    assert error.message == "invalid token"
    assert error.__cause__ is None
    assert error.__suppress_context__


def test_unsigned_token_is_refused_without_the_emulator_variable(
    monkeypatch, verifier, project_id, network_attempts
):
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    token = emulator_token(project_id=project_id, uid="citizen-1")

    started = time.monotonic()
    error = _refusal(verifier, token)

    # firebase-admin refuses a token with no "kid" header before fetching Google's keys, and the
    # verifier's anonymous credentials keep it from probing for Application Default Credentials.
    assert error.message == "invalid token"
    assert network_attempts == []
    assert time.monotonic() - started < 5


def test_signed_looking_token_is_refused_when_googles_keys_cannot_be_fetched(
    monkeypatch, verifier, project_id, network_attempts
):
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    token = _unsigned({"alg": "RS256", "kid": "k1", "typ": "JWT"}, _claims(project_id))

    error = _refusal(verifier, token)

    assert error.message == "token cannot be verified right now"
    assert network_attempts, "expected firebase-admin to try (and be blocked) fetching keys"


# --- the firebase-admin app -----------------------------------------------------------------


def test_no_firebase_app_exists_before_first_use(project_id):
    FirebaseTokenVerifier(project_id)

    with pytest.raises(ValueError, match="does not exist"):
        firebase_admin.get_app(f"ioc-{project_id}")


@pytest.mark.usefixtures("emulator")
def test_two_verifiers_of_one_project_share_the_app(project_id):
    first, second = FirebaseTokenVerifier(project_id), FirebaseTokenVerifier(project_id)
    token = emulator_token(project_id=project_id, uid="citizen-1")

    assert first.verify(token).uid == "citizen-1"
    assert second.verify(token).uid == "citizen-1"
    assert firebase_admin.get_app(f"ioc-{project_id}").project_id == project_id


def test_verifier_needs_a_project():
    with pytest.raises(ValueError, match="project id"):
        FirebaseTokenVerifier("")


# --- emulator tokens ------------------------------------------------------------------------


def test_emulator_token_has_the_documented_shape(project_id):
    token = emulator_token(project_id=project_id, uid="u1", phone="+84912345678", issued_at=100)

    header, payload, signature = token.split(".")
    decoded = [json.loads(base64.urlsafe_b64decode(part + "==")) for part in (header, payload)]
    assert "=" not in header + payload
    assert signature == ""
    assert decoded[0] == {"alg": "none", "typ": "JWT"}
    assert decoded[1] == {
        "iss": f"https://securetoken.google.com/{project_id}",
        "aud": project_id,
        "auth_time": 100,
        "user_id": "u1",
        "sub": "u1",
        "iat": 100,
        "exp": 3700,
        "phone_number": "+84912345678",
        "firebase": {"sign_in_provider": "phone", "identities": {}},
    }


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"uid": ""}, "uid"),
        ({"uid": "x" * 129}, "uid"),
        ({"project_id": ""}, "project id"),
        ({"lifetime_seconds": 0}, "lifetime"),
    ],
    ids=["empty-uid", "long-uid", "no-project", "no-lifetime"],
)
def test_emulator_token_refuses_what_firebase_would(arguments, problem):
    with pytest.raises(ValueError, match=problem):
        emulator_token(**{"project_id": "p", "uid": "u", **arguments})


# --- the Authorization header ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "token"),
    [
        ("Bearer abc.def.", "abc.def."),
        ("bearer abc", "abc"),
        ("BEARER abc", "abc"),
        ("  Bearer   abc  ", "abc"),
    ],
)
def test_bearer_token_is_taken_from_the_header(value, token):
    assert bearer_token(value) == token


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "Bearer", "Bearer   ", "Basic YWJjOmRlZg==", "abc", "Bearer a b", "Token a"],
)
def test_header_without_one_bearer_token_is_refused(value):
    with pytest.raises(Unauthenticated, match="missing bearer token"):
        bearer_token(value)
