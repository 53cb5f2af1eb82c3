"""What the staff pages read: leads filtered as an officer asks (always within the provinces the
officer may see), one lead with its records, and the overview figures."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Mapping
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from bot.language.provinces import province_by_name
from bot.language.text import fold
from bot.leads.models import NEW, REGISTERED, STATUSES, Lead
from bot.leads.reference import normalise_reference
from bot.notify.working_days import calendar, day_start
from bot.privacy.erasure import Erasure
from bot.staff.accounts import Staff

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
PER_PAGE = 25


def local(at: datetime) -> datetime:
    """A stored moment in Vietnam's time."""
    return at.astimezone(VIETNAM)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), VIETNAM).astimezone(ZoneInfo("UTC"))


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@dataclass(frozen=True)
class LeadFilter:
    """The officer's filters. Unknown values are dropped; an office account's province is forced."""

    status: str | None = None
    province: str | None = None
    channel: str | None = None
    target_group: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str], staff: Staff) -> "LeadFilter":
        def value(name: str, limit: int = 60) -> str | None:
            raw = (args.get(name) or "").strip()[:limit]
            return raw or None

        status = value("status")
        province = province_by_name(value("province") or "")
        return cls(
            status=status if status in STATUSES else None,
            province=staff.province_scope or (province.name if province else None),
            channel=value("channel", 20),
            target_group=value("target_group", 40),
            date_from=_date(value("date_from", 10)),
            date_to=_date(value("date_to", 10)),
            q=value("q", 80),
        )

    def query_string(self, **changes: object) -> str:
        """These filters (with changes) as URL parameters, for links and exports."""
        chosen = replace(self, **changes) if changes else self
        pairs = [(f.name, getattr(chosen, f.name)) for f in fields(chosen)]
        return urlencode([(k, v.isoformat() if isinstance(v, date) else v) for k, v in pairs if v])

    def apply(self, query: Select) -> Select:
        if self.status:
            query = query.where(Lead.status == self.status)
        if self.province:
            query = query.where(Lead.province == self.province)
        if self.channel:
            query = query.where(Lead.channel == self.channel)
        if self.target_group:
            query = query.where(Lead.target_group == self.target_group)
        if self.date_from:
            query = query.where(Lead.created_at >= _day_start(self.date_from))
        if self.date_to:
            query = query.where(Lead.created_at < _day_start(self.date_to + timedelta(days=1)))
        if self.q:
            query = query.where(_search(self.q))
        return query


def _search(q: str):  # type: ignore[no-untyped-def]
    """Name without regard to case or diacritics, any run of digits of the phone number, or the
    citizen's reference code."""
    digits = re.sub(r"\D", "", q)
    if digits.startswith("84") and len(digits) > 9:
        digits = "0" + digits[2:]
    name = fold(q).strip()
    conditions = [Lead.name_folded.contains(name, autoescape=True)] if name and not name.isdigit() else []
    if len(digits) >= 3:
        conditions.append(Lead.phone.contains(digits))
    if code := normalise_reference(q):
        conditions.append(Lead.reference == code)
    return or_(*conditions) if conditions else Lead.id.is_(None)


@dataclass(frozen=True)
class LeadPage:
    leads: list[Lead]
    total: int
    page: int
    pages: int
    by_status: dict[str, int]


def leads_page(engine: Engine, chosen: LeadFilter, page: int = 1, per_page: int = PER_PAGE) -> LeadPage:
    with Session(engine, future=True) as session:
        total = session.execute(chosen.apply(select(func.count(Lead.id)))).scalar_one()
        pages = max(1, -(-total // per_page))
        page = min(max(page, 1), pages)
        leads = list(session.execute(
            chosen.apply(select(Lead)).order_by(Lead.created_at.desc(), Lead.id.desc())
            .offset((page - 1) * per_page).limit(per_page).options(selectinload(Lead.duplicate))
        ).scalars())
        unfiltered_status = replace(chosen, status=None)
        by_status = dict(session.execute(
            unfiltered_status.apply(select(Lead.status, func.count(Lead.id))).group_by(Lead.status)
        ).all())
        return LeadPage(leads, total, page, pages, by_status)


def all_leads(engine: Engine, chosen: LeadFilter) -> list[Lead]:
    """Every lead of the filter, newest first, for the exports."""
    with Session(engine, future=True) as session:
        return list(session.execute(
            chosen.apply(select(Lead)).order_by(Lead.created_at.desc(), Lead.id.desc())
        ).scalars())


def lead_for(engine: Engine, lead_id: int, staff: Staff) -> Lead | None:
    """The lead with its consents, history, assignments, notes and possible duplicate, if this
    officer may see it (the duplicate may be in another province: the page then names no id)."""
    with Session(engine, future=True) as session:
        lead = session.execute(
            select(Lead).where(Lead.id == lead_id).options(
                selectinload(Lead.consents), selectinload(Lead.history),
                selectinload(Lead.notes), selectinload(Lead.assignments), selectinload(Lead.duplicate))
        ).scalar_one_or_none()
        return lead if lead is not None and staff.may_see(lead.province) else None


def erasures(engine: Engine, conversation_ids: list[str]) -> list[Erasure]:
    """When and why these conversations were erased, oldest first."""
    with Session(engine, future=True) as session:
        return list(session.execute(
            select(Erasure).where(Erasure.conversation_id.in_(conversation_ids)).order_by(Erasure.erased_at, Erasure.id)
        ).scalars())


def choices(engine: Engine, staff: Staff) -> dict[str, list[str]]:
    """The values present in the officer's leads, for the filter menus."""
    scope = LeadFilter(province=staff.province_scope)
    with Session(engine, future=True) as session:
        def distinct(column) -> list[str]:  # type: ignore[no-untyped-def]
            rows = session.execute(scope.apply(select(column).distinct()).where(column.is_not(None)))
            return sorted(rows.scalars())
        return {"province": distinct(Lead.province), "channel": distinct(Lead.channel),
                "target_group": distinct(Lead.target_group)}


@dataclass(frozen=True)
class Overview:
    per_day: list[tuple[date, int]]  # the last 30 days, oldest first
    by_status: list[tuple[str, int]]
    by_province: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_target_group: list[tuple[str, int]]
    total: int
    registered: int
    overdue: list[tuple[str, int]]  # per province: new leads past the two-working-day deadline

    @property
    def conversion(self) -> float | None:
        return self.registered / self.total if self.total else None


def overview(engine: Engine, staff: Staff, today: date) -> Overview:
    scope = LeadFilter(province=staff.province_scope)
    first_day = today - timedelta(days=29)
    with Session(engine, future=True) as session:
        def counts(column) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
            rows = session.execute(scope.apply(select(column, func.count(Lead.id))).group_by(column)).all()
            return sorted(((value or "(chưa rõ)", n) for value, n in rows), key=lambda r: (-r[1], r[0]))

        by_status = dict(counts(Lead.status))
        recent = session.execute(
            scope.apply(select(Lead.created_at)).where(Lead.created_at >= _day_start(first_day))
        ).scalars()
        days = Counter(local(at).date() for at in recent)
        overdue = session.execute(
            scope.apply(select(Lead.province, func.count(Lead.id)))
            .where(Lead.status == NEW, Lead.anonymised_at.is_(None),
                   Lead.created_at < day_start(calendar().overdue_before(today)))
            .group_by(Lead.province)
        ).all()
        return Overview(
            per_day=[(first_day + timedelta(days=i), days[first_day + timedelta(days=i)]) for i in range(30)],
            by_status=[(s, by_status.get(s, 0)) for s in STATUSES],
            by_province=counts(Lead.province),
            by_channel=counts(Lead.channel),
            by_target_group=counts(Lead.target_group),
            total=sum(by_status.values()),
            registered=by_status.get(REGISTERED, 0),
            overdue=sorted(((province, n) for province, n in overdue), key=lambda r: (-r[1], r[0])),
        )
