"""Idempotent submissions: a retry with the same ``Idempotency-Key`` gets the first answer.

Mobile networks drop responses, not only requests; the app retries with the same key and must
never create a second report.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ioc.db import insert_at_commit, utcnow
from ioc.errors import InvalidInput
from ioc.feedback.citizen_models import IdempotencyRecord

MAX_KEY_CHARS = 200


@dataclass(frozen=True)
class Caller:
    """Whose keys these are: a citizen or staff member, or another system's API client."""

    user_id: int | None = None
    api_client_id: int | None = None

    def owns(self) -> ColumnElement[bool]:
        if self.api_client_id is not None:
            return IdempotencyRecord.api_client_id == self.api_client_id
        return IdempotencyRecord.user_id == self.user_id


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: dict[str, Any]
    location: str | None


def request_fingerprint(body: Any, photo_digests: list[str]) -> str:
    """A digest of what was asked: the JSON body (key order ignored) and the photo bytes."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode())
    for photo in photo_digests:
        digest.update(b"\x00" + photo.encode())
    return digest.hexdigest()


def check_key(key: str | None) -> str:
    """Raises: InvalidInput when the header is missing or unusable."""
    key = (key or "").strip()
    if not key:
        raise InvalidInput(
            "the Idempotency-Key header is required",
            details={"fields": {"Idempotency-Key": "is required"}},
        )
    if len(key) > MAX_KEY_CHARS:
        raise InvalidInput(
            "the Idempotency-Key header is too long",
            details={"fields": {"Idempotency-Key": f"at most {MAX_KEY_CHARS} characters"}},
        )
    return key


def find_answer(
    session: Session,
    *,
    key: str,
    fingerprint: str,
    user_id: int | None = None,
    caller: Caller | None = None,
) -> StoredAnswer | None:
    """The answer already given to this key, or ``None`` for a new key.

    Raises:
        InvalidInput: the key was used before for a different request.
    """
    owner = caller or Caller(user_id=user_id)
    record = session.scalar(
        select(IdempotencyRecord).where(owner.owns(), IdempotencyRecord.key == key)
    )
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise InvalidInput(
            "this Idempotency-Key was already used for a different request",
            details={"fields": {"Idempotency-Key": "already used for a different request"}},
        )
    return StoredAnswer(record.status_code, record.response, record.location)


def remember_answer(
    session: Session,
    *,
    key: str,
    fingerprint: str,
    answer: StoredAnswer,
    user_id: int | None = None,
    caller: Caller | None = None,
) -> None:
    """Store the answer in the caller's transaction, so it exists only if the report does."""
    owner = caller or Caller(user_id=user_id)
    record = {
        "user_id": owner.user_id,
        "api_client_id": owner.api_client_id,
        "key": key,
        "request_hash": fingerprint,
        "status_code": answer.status_code,
        "response": answer.body,
        "location": answer.location,
        "created_at": utcnow(),
    }
    # Nothing reads it back before the commit: it goes with the COMMIT where it can. A
    # parallel retry that committed the key first makes the commit fail on the unique key.
    if not insert_at_commit(session, IdempotencyRecord, record):
        session.add(IdempotencyRecord(**record))
