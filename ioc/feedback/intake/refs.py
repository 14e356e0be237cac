"""Public reference codes for reports: short, unguessable, easy to read out on the phone."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.report_models import Report

# Crockford's alphabet: no I, L, O or U, so a code read aloud is not misheard.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ref(received_at: datetime) -> str:
    """``PA`` + year and month + six random characters, e.g. ``PA2611-7KQ4XM``."""
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"PA{received_at:%y%m}-{tail}"


def unused_ref(
    session: Session, received_at: datetime, *, draw: Callable[[datetime], str] = new_ref
) -> str:
    """A new reference code no report has yet.

    Six characters give about a billion codes a month: by the end of a month with a million
    reports, a fresh draw would collide with an earlier one about once in a thousand filings,
    and the insert fail on the unique ``ref``. A draw that is taken is drawn
    again. (Two filings drawing the same unused code in the same instant is the one case left:
    one in a billion per pair of concurrent filings.)
    """
    with session.no_autoflush:
        while True:
            ref = draw(received_at)
            if session.scalar(select(Report.id).where(Report.ref == ref)) is None:
                return ref
