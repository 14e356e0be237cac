"""Routing rules: (category, area chain, moment) ► lead agency + supporting agencies, or the IOC
queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ioc.feedback.models import Agency, Category, RoutingRule
from ioc.geo.index import AreaRef


@dataclass(frozen=True)
class Route:
    """Where a report goes. No lead agency means the IOC review queue."""

    lead: Agency | None = None
    supporting: list[Agency] = field(default_factory=list)
    rule_id: int | None = None
    #: The rule that decided, for explaining the choice (the admin console's routing tester).
    rule: RoutingRule | None = None

    @property
    def is_ioc_queue(self) -> bool:
        return self.lead is None


def resolve_route(
    session: Session, *, category: Category, chain: Sequence[AreaRef], at: datetime
) -> Route:
    """Find the rule valid at ``at`` for a report of ``category`` filed in ``chain`` (leaf first).

    The most specific area with a rule for the category wins; failing that, the same search
    runs for the category's parent, and so on up, and last for the category's group; no rule
    at all sends it to the IOC queue. ``at`` is when the report was filed, so a report is
    routed by the rules of its day even after they change.
    """
    categories = _category_lineage(category)
    area_codes = [area.code for area in chain]
    if not area_codes:
        return Route()
    rules = session.scalars(
        select(RoutingRule)
        .where(
            or_(
                RoutingRule.category_id.in_([c.id for c in categories]),
                RoutingRule.group_id == category.group_id,
            ),
            RoutingRule.area_code.in_(area_codes),
            RoutingRule.valid_from <= at,
            or_(RoutingRule.valid_to.is_(None), RoutingRule.valid_to > at),
        )
        .options(
            # The lead in the same round trip; the supporting agencies are a collection.
            joinedload(RoutingRule.lead_agency),
            selectinload(RoutingRule.supporting_agencies),
        )
    )
    found = choose_rule(
        list(rules),
        lineage=[c.id for c in categories],
        group_id=category.group_id,
        area_codes=area_codes,
    )
    if found is None:
        return Route()
    return Route(
        lead=found.lead_agency,
        supporting=list(found.supporting_agencies),
        rule_id=found.id,
        rule=found,
    )


class RuleKeys(Protocol):
    """What choosing between rules reads: a stored rule or the in-process copy of one."""

    @property
    def category_id(self) -> int | None: ...
    @property
    def group_id(self) -> int | None: ...
    @property
    def area_code(self) -> str: ...


R = TypeVar("R", bound=RuleKeys)


def choose_rule(
    rules: Sequence[R], *, lineage: Sequence[int], group_id: int, area_codes: Sequence[str]
) -> R | None:
    """The rule that decides among ``rules`` (all valid at the moment): the most specific
    area (``area_codes`` leaf first) with a rule for the category, then for each of its
    ancestors (``lineage``, the category first), then for its group; None: the IOC queue."""
    by_key: dict[tuple[str, int | None, str], R] = {}
    for rule in rules:
        if rule.category_id is not None:
            by_key[("category", rule.category_id, rule.area_code)] = rule
        else:
            by_key[("group", rule.group_id, rule.area_code)] = rule
    candidates = [("category", c) for c in lineage] + [("group", group_id)]
    for kind, key in candidates:
        for code in area_codes:
            found = by_key.get((kind, key, code))
            if found is not None:
                return found
    return None


def _category_lineage(category: Category) -> list[Category]:
    lineage = [category]
    while lineage[-1].parent is not None and lineage[-1].parent not in lineage:
        lineage.append(lineage[-1].parent)
    return lineage
