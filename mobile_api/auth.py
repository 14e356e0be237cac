"""Who is calling: the citizen behind the Firebase ID token, and the language they read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, g, request
from sqlalchemy.orm import Session

from ioc.extensions import services
from ioc.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from ioc.identity import CitizenIdentity, bearer_token
from ioc.web.limits import remember_caller

_IDENTITY = "ioc_citizen_identity"


def _authenticate() -> CitizenIdentity:
    """The citizen behind this request's token, verified once per request.

    Raises: Unauthenticated (401) for a missing, malformed, expired or foreign token.
    """
    known = g.get(_IDENTITY)
    if isinstance(known, CitizenIdentity):
        return known
    identity = services().token_verifier.verify(bearer_token(request.headers.get("Authorization")))
    setattr(g, _IDENTITY, identity)
    return identity


def admit_citizens(blueprint: Blueprint, *, open_to_all: frozenset[str]) -> None:
    """Verify the citizen's token before anything else of the request is looked at: an
    anonymous caller gets 401, never a 422 describing the fields they sent. The verified
    citizen is the one rate limits count the request against (never a uid read from a token
    before its signature was checked). ``open_to_all`` names the views anyone may call."""
    open_endpoints = {f"{blueprint.name}.{view}" for view in open_to_all}

    def check() -> None:
        if request.method == "OPTIONS" or request.endpoint in open_endpoints:
            return
        remember_caller("citizen", _authenticate().uid)

    blueprint.before_request(check)


def _citizen_account_id(session: Session, identity: CitizenIdentity) -> int:
    """The citizen's account id, the account created on first use from the token's claims."""
    return services().citizen_accounts.account_id(
        session, uid=identity.uid, name=identity.name, phone=identity.phone, email=identity.email
    )


@contextmanager
def as_citizen() -> Iterator[tuple[Session, int]]:
    """A unit of work on behalf of the signed-in citizen: (session, their account id).

    Raises:
        Unauthenticated: no valid token.
    """
    identity = _authenticate()
    with services().unit_of_work() as session:
        yield session, _citizen_account_id(session, identity)


def signed_in_citizen_id() -> int:
    """The signed-in citizen's account id, the account created on first use.

    Raises:
        Unauthenticated: no valid token.
    """
    with as_citizen() as (_, citizen_id):
        return citizen_id


def language() -> str:
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES, default=DEFAULT_LANGUAGE)
