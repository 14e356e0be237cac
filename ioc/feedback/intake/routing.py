"""Routing rules: (category, area chain) ► lead agency + supporting agencies, or the IOC queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ioc.feedback.models import Agency, Category, RoutingRule
from ioc.geo.index import AreaRef


@dataclass(frozen=True)
class Route:
    """Where a report goes. No lead agency means the IOC review queue."""

    lead: Agency | None = None
    supporting: list[Agency] = field(default_factory=list)
    rule_id: int | None = None

    @property
    def is_ioc_queue(self) -> bool:
        return self.lead is None


def resolve_route(session: Session, *, category: Category, chain: Sequence[AreaRef]) -> Route:
    """Find the rule for a report of ``category`` filed in ``chain`` (leaf first).

    The most specific area with a rule for the category wins; failing that, the same search
    runs for the category's parent, and so on up; no rule at all sends it to the IOC queue.
    """
    categories = _category_lineage(category)
    area_codes = [area.code for area in chain]
    if not area_codes:
        return Route()
    rules = session.scalars(
        select(RoutingRule)
        .where(
            RoutingRule.category_id.in_([c.id for c in categories]),
            RoutingRule.area_code.in_(area_codes),
        )
        .options(
            selectinload(RoutingRule.lead_agency), selectinload(RoutingRule.supporting_agencies)
        )
    )
    by_key = {(rule.category_id, rule.area_code): rule for rule in rules}
    for candidate in categories:
        for code in area_codes:
            rule = by_key.get((candidate.id, code))
            if rule is not None:
                return Route(
                    lead=rule.lead_agency,
                    supporting=list(rule.supporting_agencies),
                    rule_id=rule.id,
                )
    return Route()


def _category_lineage(category: Category) -> list[Category]:
    lineage = [category]
    while lineage[-1].parent is not None and lineage[-1].parent not in lineage:
        lineage.append(lineage[-1].parent)
    return lineage
