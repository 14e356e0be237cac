"""The ``[channels]`` section of ``province.toml``: how citizens reach the province besides the
app — the hotline, the public e-mail address and the Zalo Official Account — shown on the
citizen page and the public portal.

Only public contact details belong here; the secrets of those channels (the OA's keys, the
mailbox password) stay in the settings (``IOC_ZALO_*``, ``IOC_IMAP_*``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from ioc.feedback.models import ProvinceProfile
from ioc.province.pack import CHANNEL_KEYS, ChannelContacts, Origin, Problem
from ioc.province.tables import error

KEYS = CHANNEL_KEYS
MAX_CHARS = 200
#: A number as people dial it: digits, spaces, dots or dashes, an optional leading "+"; short
#: service numbers (1022) and full ones (+84 236 3822 222) alike.
_PHONE = re.compile(r"^\+?[0-9][0-9 .\-]*[0-9]$")
_PHONE_DIGITS = range(3, 16)
#: One address, no display name; a check of shape, not of delivery.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[^@\s<>\"',;]+@{_LABEL}(?:\.{_LABEL})+$")


def province_contacts(session: Session) -> ChannelContacts:
    """The contacts the province's profile holds (none before a pack names them)."""
    profile = session.get(ProvinceProfile, 1)
    return contacts_from(profile.channels if profile is not None else None)


def contacts_from(stored: dict[str, Any] | None) -> ChannelContacts:
    """The contacts a profile stored (``None``: none)."""
    stored = stored or {}
    return ChannelContacts(**{key: stored.get(key) or None for key in KEYS})


def read_channels(value: Any, origin: Origin, problems: list[Problem]) -> ChannelContacts:
    """The ``[channels]`` table; each malformed key is a problem naming it (``channels.email``)
    and is left out."""
    if value is None:
        return ChannelContacts()
    if not isinstance(value, dict):
        problems.append(
            error(
                origin.at("channels"),
                "channels phải là bảng [channels] (hotline, email, zalo_oa_name, zalo_oa_url)",
                "channels must be a [channels] table (hotline, email, zalo_oa_name, zalo_oa_url)",
            )
        )
        return ChannelContacts()
    found: dict[str, str | None] = {}
    for key, raw in value.items():
        where = origin.at(f"channels.{key}")
        if key not in KEYS:
            problems.append(
                error(
                    where,
                    f"khóa không có trong định dạng: {key!r}; các khóa hợp lệ: {', '.join(KEYS)}",
                    f"unknown key {key!r}; the keys are: {', '.join(KEYS)}",
                )
            )
            continue
        if isinstance(raw, int) and not isinstance(raw, bool) and key == "hotline":
            raw = str(raw)
        if not isinstance(raw, str):
            problems.append(
                error(where, "phải là một chuỗi trong ngoặc kép", "must be a quoted string")
            )
            continue
        text = raw.strip()
        if not text:
            continue
        problem = check_contact(key, text)
        if problem is not None:
            problems.append(error(where, *problem))
            continue
        found[key] = text
    return ChannelContacts(**found)


def check_contact(key: str, text: str) -> tuple[str, str] | None:
    """What is wrong with ``text`` as the contact ``key`` (Vietnamese, English), or ``None``."""
    if len(text) > MAX_CHARS:
        return (f"dài quá {MAX_CHARS} ký tự", f"longer than {MAX_CHARS} characters")
    if key == "hotline":
        digits = sum(ch.isdigit() for ch in text)
        if not _PHONE.match(text) or digits not in _PHONE_DIGITS:
            return (
                f"{text!r} không phải số điện thoại (chữ số, có thể có dấu cách, '.', '-' "
                "hoặc '+' ở đầu; 3–15 chữ số)",
                f"{text!r} is not a phone number (digits, optionally spaces, '.', '-' or a "
                "leading '+'; 3 to 15 digits)",
            )
    if key == "email" and not _EMAIL.match(text):
        return (
            f"{text!r} không phải địa chỉ thư điện tử (dạng ten@ten-mien.vn)",
            f"{text!r} is not an e-mail address (name@domain.vn)",
        )
    if key == "zalo_oa_url":
        parts = urlsplit(text)
        if parts.scheme != "https" or not parts.hostname or " " in text:
            return (
                f"{text!r} không phải đường dẫn https:// (ví dụ https://zalo.me/<mã OA>)",
                f"{text!r} is not an https:// link (e.g. https://zalo.me/<OA id>)",
            )
    return None
