"""The routing tester: where a report of a category filed at a point would go, and why, step
by step in Vietnamese and English (the admin console shows it before a province goes live)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.errors import NotFound
from ioc.feedback.intake.routing import Route, resolve_route
from ioc.feedback.models import Category
from ioc.feedback.sla.policy import SlaPolicy, runs_on_wall_clock
from ioc.geo.index import AreaRef
from ioc.geo.service import AreaLocator


@dataclass(frozen=True)
class Step:
    vi: str
    en: str


@dataclass(frozen=True)
class Targets:
    tier: str
    receipt_hours: float
    resolution_hours: float
    unit: str  # "working_hours" or "hours" (urgent reports count every hour)


@dataclass(frozen=True)
class RouteExplanation:
    category: Category
    areas: list[AreaRef]  # leaf first
    route: Route
    ioc_queue: bool
    targets: Targets
    steps: list[Step] = field(default_factory=list)


def explain_route(
    session: Session,
    *,
    locator: AreaLocator,
    policy: SlaPolicy,
    category_code: str,
    lon: float,
    lat: float,
    at: datetime,
) -> RouteExplanation:
    """Route a would-be report exactly as filing does, and say why at each step.

    Raises:
        InvalidInput: coordinates out of range. NotFound: no such category.
    """
    category = session.scalar(select(Category).where(Category.code == category_code))
    if category is None:
        raise NotFound("unknown category", details={"fields": {"category_code": category_code}})
    chain = locator.locate(session, lon, lat, at) or []
    steps: list[Step] = []
    if not chain:
        steps.append(
            Step(
                f"Điểm ({lon:.6f}, {lat:.6f}) nằm ngoài mọi khu vực hành chính đang hiệu lực: "
                "phản ánh tại đây bị từ chối khi gửi.",
                f"The point ({lon:.6f}, {lat:.6f}) lies outside every area in force: a report "
                "here is refused when filed.",
            )
        )
    else:
        names_vi = " ► ".join(f"{a.name_vi} ({a.level}, {a.code})" for a in chain)
        names_en = " ► ".join(f"{a.name_en or a.name_vi} ({a.level}, {a.code})" for a in chain)
        steps.append(
            Step(
                f"Điểm thuộc các khu vực (từ nhỏ đến lớn): {names_vi}.",
                f"The point lies in these areas (smallest first): {names_en}.",
            )
        )
    route = resolve_route(session, category=category, chain=chain, at=at)
    steps.append(_rule_step(category, chain, route))
    ioc_queue = route.is_ioc_queue or not category.is_auto_dispatch
    if route.lead is not None:
        steps.append(_dispatch_step(category, route))
    targets = Targets(
        tier=category.sla_tier,
        receipt_hours=policy.receipt_target(category.sla_tier),
        resolution_hours=float(category.sla_target_hours),
        unit="hours" if runs_on_wall_clock(category.sla_tier) else "working_hours",
    )
    unit_vi = "giờ" if targets.unit == "hours" else "giờ làm việc"
    unit_en = "hours" if targets.unit == "hours" else "working hours"
    steps.append(
        Step(
            f"Mức độ {targets.tier}: tiếp nhận trong {targets.receipt_hours:g} {unit_vi}, "
            f"xử lý trong {targets.resolution_hours:g} {unit_vi}.",
            f"Tier {targets.tier}: receive within {targets.receipt_hours:g} {unit_en}, "
            f"resolve within {targets.resolution_hours:g} {unit_en}.",
        )
    )
    return RouteExplanation(category, list(chain), route, ioc_queue, targets, steps)


def _rule_step(category: Category, chain: list[AreaRef], route: Route) -> Step:
    rule = route.rule
    if rule is None:
        return Step(
            f"Không có quy tắc điều phối nào cho lĩnh vực {category.code} (kể cả lĩnh vực cha "
            "và nhóm) tại các khu vực này: phản ánh vào hàng chờ của Trung tâm IOC.",
            f"No routing rule for category {category.code} (nor its parents or group) in these "
            "areas: the report goes to the IOC queue.",
        )
    area = next((a for a in chain if a.code == rule.area_code), None)
    level = area.level if area else "?"
    if rule.category is not None and rule.category.id == category.id:
        owner_vi, owner_en = f"lĩnh vực {category.code}", f"category {category.code}"
    elif rule.category is not None:
        owner_vi = f"lĩnh vực cha {rule.category.code}"
        owner_en = f"parent category {rule.category.code}"
    else:
        code = rule.group.code if rule.group else "?"
        owner_vi, owner_en = f"nhóm {code}", f"group {code}"
    since = rule.valid_from.date().isoformat()
    return Step(
        f"Áp dụng quy tắc của {owner_vi} tại khu vực {rule.area_code} (cấp {level}), hiệu lực "
        f"từ {since}: khu vực cụ thể nhất có quy tắc được chọn.",
        f"The rule of {owner_en} at area {rule.area_code} (level {level}), valid from {since}, "
        "applies: the most specific area with a rule wins.",
    )


def _dispatch_step(category: Category, route: Route) -> Step:
    lead = route.lead
    assert lead is not None
    support = ", ".join(a.code for a in route.supporting)
    with_vi = f", phối hợp: {support}" if support else ""
    with_en = f", supported by {support}" if support else ""
    if category.is_auto_dispatch:
        return Step(
            f"Lĩnh vực tự động chuyển: phản ánh được giao ngay cho {lead.name_vi} "
            f"({lead.code}){with_vi}.",
            f"An auto-dispatch category: the report goes straight to {lead.name_en or lead.name_vi}"
            f" ({lead.code}){with_en}.",
        )
    return Step(
        f"Lĩnh vực cần xác minh: phản ánh vào hàng chờ IOC, và IOC sẽ chuyển cho {lead.name_vi} "
        f"({lead.code}){with_vi}.",
        f"A category that needs verification: the report waits in the IOC queue, which forwards "
        f"it to {lead.name_en or lead.name_vi} ({lead.code}){with_en}.",
    )
