"""Where each audience of an event lives on the Socket.IO server."""

from __future__ import annotations

NAMESPACE_OPS = "/ops"
NAMESPACE_AGENCY = "/agency"
NAMESPACE_CITIZEN = "/citizen"
NAMESPACE_PUBLIC = "/public"

_PREFIXES = {"agency:": NAMESPACE_AGENCY, "citizen:": NAMESPACE_CITIZEN}


def namespace_of(audience: str) -> str:
    """``ops`` ► /ops, ``agency:SXD`` ► /agency, ``citizen:42`` ► /citizen, ``public`` ► /public.

    The room inside the namespace is the audience itself.
    """
    if audience == "ops":
        return NAMESPACE_OPS
    if audience == "public":
        return NAMESPACE_PUBLIC
    for prefix, namespace in _PREFIXES.items():
        if audience.startswith(prefix):
            return namespace
    raise ValueError(f"unknown audience {audience!r}")
