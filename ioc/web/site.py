"""The site's own address, for links people open later (set-password links)."""

from __future__ import annotations

from flask import request

from ioc.extensions import services


def site_url() -> str:
    """IOC_PUBLIC_URL, or the address this request came to."""
    return (services().settings.public_url or request.host_url).rstrip("/")
