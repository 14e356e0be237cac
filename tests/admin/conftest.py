"""The admin API's tests share the staff APIs' world: a province, three agencies and every
staff role signed in (``tests/staff_api/conftest.py``)."""

from __future__ import annotations

from tests.staff_api.conftest import firebase_emulator, world

__all__ = ["firebase_emulator", "world"]
