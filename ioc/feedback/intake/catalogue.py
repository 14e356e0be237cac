"""The catalogue in process: the categories, agencies and routing rules every filing reads.

Each report filed used to read its category, its routing rules and their agencies from the
database: three queries for rows that change a few times a year. The process keeps a copy
instead, and rebuilds it when the catalogue's revision stamp moves
(:mod:`ioc.feedback.catalogue_stamp`): it reads the stamp at most every ``check_seconds``, as
the area index does, so another process's change is picked up within that delay and this
process's own change as soon as it commits. A transaction that changed the catalogue (flushed
or not) and has not committed yet reads the database, so it sees its own changes.

The copy hands out categories and agencies as instances of the caller's session
(``Session.merge`` without a load: no query), so a report refers to them as to any other.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

from ioc.feedback.catalogue_stamp import catalogue_revision, changes_catalogue, local_changes
from ioc.feedback.intake.routing import Route, choose_rule, resolve_route
from ioc.feedback.models import Agency, Category, RoutingRule, routing_rule_support
from ioc.geo.index import AreaRef


@dataclass(frozen=True)
class CachedRule:
    """One routing rule version, as choosing between rules reads it."""

    id: int
    category_id: int | None
    group_id: int | None
    area_code: str
    lead_agency_id: int
    #: In the order the rule lists them (by agency code).
    supporting_ids: tuple[int, ...]
    valid_from: datetime
    valid_to: datetime | None

    def is_valid_at(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)


@dataclass(frozen=True)
class _Copy:
    revision: int
    local_changes: int
    #: Detached instances, by code and by id.
    categories: dict[str, Category]
    category_by_id: dict[int, Category]
    agencies: dict[int, Agency]
    #: Every version of every rule, by area code.
    rules: dict[str, list[CachedRule]]

    def lineage(self, category: Category) -> list[int]:
        """The category's id, then its parent's, and so on up."""
        ids = [category.id]
        parent_id = category.parent_id
        while parent_id is not None and parent_id not in ids:
            ids.append(parent_id)
            parent = self.category_by_id.get(parent_id)
            parent_id = parent.parent_id if parent is not None else None
        return ids


class Catalogue:
    """The process's copy of the catalogue (one per app, shared by its requests)."""

    def __init__(self, *, check_seconds: float = 2.0) -> None:
        self._check_seconds = check_seconds
        self._copy: _Copy | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def load(self, session: Session) -> None:
        """Read the copy now unless a fresh one is held (at a process's start, so its first
        filing does not wait for it)."""
        self._current(session)

    def active_category(self, session: Session, code: str) -> Category | None:
        """The active category ``code``, as an instance of ``session``; None: no such one."""
        copy = self._current(session)
        if copy is None:
            return session.scalar(
                select(Category).where(Category.code == code, Category.is_active.is_(True))
            )
        found = copy.categories.get(code)
        if found is None or not found.is_active:
            return None
        return session.merge(found, load=False)

    def public_category(self, session: Session, code: str) -> Category | None:
        """The active category ``code`` that is not private (Open311's services)."""
        category = self.active_category(session, code)
        return category if category is not None and not category.is_private else None

    def route(
        self, session: Session, *, category: Category, chain: Sequence[AreaRef], at: datetime
    ) -> Route:
        """:func:`ioc.feedback.intake.routing.resolve_route`, from the copy."""
        copy = self._current(session)
        if copy is None:
            return resolve_route(session, category=category, chain=chain, at=at)
        area_codes = [area.code for area in chain]
        if not area_codes:
            return Route()
        lineage = copy.lineage(category)
        valid = [
            rule
            for code in area_codes
            for rule in copy.rules.get(code, ())
            if rule.is_valid_at(at)
            and (rule.category_id in lineage or rule.group_id == category.group_id)
        ]
        found = choose_rule(
            valid, lineage=lineage, group_id=category.group_id, area_codes=area_codes
        )
        if found is None:
            return Route()
        return Route(
            lead=session.merge(copy.agencies[found.lead_agency_id], load=False),
            supporting=[
                session.merge(copy.agencies[agency_id], load=False)
                for agency_id in found.supporting_ids
            ],
            rule_id=found.id,
        )

    def _current(self, session: Session) -> _Copy | None:
        """The copy to read, fresh enough; None: read the database (this transaction changed
        the catalogue, so the copy would not show it, and handing out copied rows would
        overwrite its changes)."""
        if changes_catalogue(session):
            return None
        copy = self._copy
        now = time.monotonic()
        if (
            copy is not None
            and copy.local_changes == local_changes()
            and now - self._checked_at < self._check_seconds
        ):
            return copy
        with self._lock:
            changes = local_changes()  # before reading: a commit meanwhile reloads next time
            revision = catalogue_revision(session)
            copy = self._copy
            if copy is None or copy.revision != revision or copy.local_changes != changes:
                copy = _load(session, revision, changes)
                self._copy = copy
            self._checked_at = now
            return copy


def _load(session: Session, revision: int, changes: int) -> _Copy:
    """Read the whole catalogue as plain rows (the session's own instances are untouched)."""
    categories = _detached(session, Category)
    agencies = _detached(session, Agency)
    code_of = {agency.id: agency.code for agency in agencies}
    supporting: dict[int, list[int]] = {}
    for rule_id, agency_id in session.execute(
        select(routing_rule_support.c.rule_id, routing_rule_support.c.agency_id)
    ):
        supporting.setdefault(rule_id, []).append(agency_id)
    rules: dict[str, list[CachedRule]] = {}
    for row in session.execute(
        select(
            RoutingRule.id,
            RoutingRule.category_id,
            RoutingRule.group_id,
            RoutingRule.area_code,
            RoutingRule.lead_agency_id,
            RoutingRule.valid_from,
            RoutingRule.valid_to,
        )
    ):
        rules.setdefault(row.area_code, []).append(
            CachedRule(
                id=row.id,
                category_id=row.category_id,
                group_id=row.group_id,
                area_code=row.area_code,
                lead_agency_id=row.lead_agency_id,
                supporting_ids=tuple(
                    sorted(supporting.get(row.id, ()), key=lambda i: code_of.get(i, ""))
                ),
                valid_from=row.valid_from,
                valid_to=row.valid_to,
            )
        )
    return _Copy(
        revision=revision,
        local_changes=changes,
        categories={category.code: category for category in categories},
        category_by_id={category.id: category for category in categories},
        agencies={agency.id: agency for agency in agencies},
        rules=rules,
    )


M = TypeVar("M", Category, Agency)


def _detached(session: Session, model: type[M]) -> list[M]:
    """Every row of ``model`` as a detached instance with its columns loaded."""
    keys = [attribute.key for attribute in inspect(model).column_attrs]
    columns: list[Any] = [getattr(model, key) for key in keys]
    instances = []
    for row in session.execute(select(*columns)):
        instance = model(**dict(zip(keys, row, strict=True)))
        make_transient_to_detached(instance)
        instances.append(instance)
    return instances
