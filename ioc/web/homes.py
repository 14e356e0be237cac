"""Where each staff role lands after signing in: one answer for the page shells and the login
API, so the login page never decides it again."""

from __future__ import annotations

from ioc.feedback.states import ADMINS, AGENCY_STAFF


def home_for(role: str) -> str:
    """The page a staff member of ``role`` starts on."""
    if role in ADMINS:
        return "/admin"
    if role in AGENCY_STAFF:
        return "/agency"
    return "/ops"
