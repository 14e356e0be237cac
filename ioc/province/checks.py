"""Placeholder: the checks of a province pack."""

from __future__ import annotations

from ioc.province.pack import Problem, ProvincePack


def check_pack(pack: ProvincePack) -> list[Problem]:
    return []
