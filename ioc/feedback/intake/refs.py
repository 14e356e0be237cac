"""Public reference codes for reports: short, unguessable, easy to read out on the phone."""

from __future__ import annotations

import secrets
from datetime import datetime

# Crockford's alphabet: no I, L, O or U, so a code read aloud is not misheard.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ref(received_at: datetime) -> str:
    """``PA`` + year and month + six random characters, e.g. ``PA2611-7KQ4XM``."""
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"PA{received_at:%y%m}-{tail}"
