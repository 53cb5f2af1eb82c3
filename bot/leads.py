"""The lead store: a citizen's consented request for a callback, routed to the provincial BHXH
office of their province. SQLAlchemy 1.4 used in the 2.0 style; the schema is created by the
Alembic migrations in bot/migrations (these classes mirror it)."""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, String, Text, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from bot.phones import mask_phone
from bot.text import fold

log = logging.getLogger(__name__)
Base = declarative_base()


class UtcDateTime(TypeDecorator):
    """A moment, stored in UTC and always read back time-zone aware (SQLite returns it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value

NEW, CONTACTED = "mới", "đã liên hệ"
REGISTERED, NOT_INTERESTED, UNREACHABLE = "đã đăng ký tham gia", "không quan tâm", "không liên lạc được"
STATUSES = (NEW, CONTACTED, REGISTERED, NOT_INTERESTED, UNREACHABLE)
# The follow-up workflow: which status may follow which. "không liên lạc được" may also follow "mới"
# (the first call went unanswered) and lead back to "đã liên hệ" when a later call gets through;
# someone "không quan tâm" may change their mind. A registration is final.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    NEW: (CONTACTED, UNREACHABLE),
    CONTACTED: (REGISTERED, NOT_INTERESTED, UNREACHABLE),
    UNREACHABLE: (CONTACTED,),
    NOT_INTERESTED: (CONTACTED,),
    REGISTERED: (),
}
OPEN_STATUSES = (NEW, CONTACTED)
NOTE_MAX_CHARS = 2000
# A request from the same phone within this many days updates the open lead instead of adding one.
DEDUP_DAYS = 30
SYSTEM = "trợ lý"  # who made a change that no staff member made


class Lead(Base):
    __tablename__ = "leads"
    id = Column(Integer, primary_key=True)
    created_at = Column(UtcDateTime, nullable=False)
    updated_at = Column(UtcDateTime, nullable=False)
    status = Column(String(40), nullable=False)
    full_name = Column(String(120))
    name_folded = Column(String(120))  # lower case, no diacritics: what the search compares
    phone = Column(String(20), index=True)
    province = Column(String(60), nullable=False)
    office = Column(String(120), nullable=False)
    commune = Column(String(120))
    interests = Column(Text, nullable=False)  # JSON list of topics
    income = Column(BigInteger)
    target_group = Column(String(40))
    preferred_time = Column(String(120))
    channel = Column(String(20), nullable=False)
    conversation_id = Column(String(255), nullable=False, index=True)
    assigned_to = Column(String(80))
    anonymised_at = Column(UtcDateTime)
    consents = relationship("Consent", back_populates="lead", order_by="Consent.id")
    history = relationship("StatusChange", order_by="StatusChange.id")
    notes = relationship("Note", order_by="Note.id")
    assignments = relationship("Assignment", order_by="Assignment.id")


class Consent(Base):
    __tablename__ = "consents"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id"), nullable=False, index=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(20), nullable=False)
    text_version = Column(String(40), nullable=False)
    text_sha256 = Column(String(64), nullable=False)
    given_at = Column(UtcDateTime, nullable=False)
    withdrawn_at = Column(UtcDateTime)
    lead = relationship("Lead", back_populates="consents")


class StatusChange(Base):
    __tablename__ = "lead_status_history"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id"), nullable=False, index=True)
    status = Column(String(40), nullable=False)
    changed_at = Column(UtcDateTime, nullable=False)
    changed_by = Column(String(80), nullable=False)


class Note(Base):
    __tablename__ = "lead_notes"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id"), nullable=False, index=True)
    author = Column(String(80), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(UtcDateTime, nullable=False)


class Assignment(Base):
    __tablename__ = "lead_assignments"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id"), nullable=False, index=True)
    assigned_to = Column(String(40))  # a staff username; None: unassigned
    changed_at = Column(UtcDateTime, nullable=False)
    changed_by = Column(String(80), nullable=False)


class WorkflowError(ValueError):
    """A change the follow-up workflow does not allow; the message is for the officer."""


class Submission(Base):
    """Each completed form once: a retried or replayed submission is recognised by its id."""

    __tablename__ = "submissions"
    id = Column(String(64), primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id"), nullable=False)
    received_at = Column(UtcDateTime, nullable=False)


@dataclass(frozen=True)
class LeadRequest:
    """What the conversation collected, with the consent the user gave for it."""

    submission_id: str
    full_name: str
    phone: str
    province: str
    office: str
    channel: str
    conversation_id: str
    consent_version: str
    consent_sha256: str
    consent_given_at: str  # ISO 8601, when the user said yes
    commune: str | None = None
    preferred_time: str | None = None
    income: int | None = None
    target_group: str | None = None
    interests: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def now() -> datetime:
    return datetime.now(timezone.utc)


class LeadStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def submit(self, request: LeadRequest) -> int:
        """Store the request and return its lead id: a new lead, or the open lead of the same phone
        from the last 30 days, updated. Submitting the same request twice stores it once."""
        with Session(self.engine, future=True) as session, session.begin():
            self._lock_phone(session, request.phone)
            seen = session.get(Submission, request.submission_id)
            if seen:
                return seen.lead_id
            lead = session.execute(
                select(Lead)
                .where(Lead.phone == request.phone, Lead.status.in_(OPEN_STATUSES),
                       Lead.created_at >= now() - timedelta(days=DEDUP_DAYS))
                .order_by(Lead.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            at = now()
            created = lead is None
            if lead is None:
                lead = Lead(created_at=at, status=NEW, interests="[]")
                session.add(lead)
            _fill(lead, request, at)
            session.flush()
            if created:
                session.add(StatusChange(lead_id=lead.id, status=NEW, changed_at=at, changed_by=SYSTEM))
            session.add(Consent(
                lead_id=lead.id, conversation_id=request.conversation_id, channel=request.channel,
                text_version=request.consent_version, text_sha256=request.consent_sha256,
                given_at=datetime.fromisoformat(request.consent_given_at),
            ))
            session.add(Submission(id=request.submission_id, lead_id=lead.id, received_at=at))
            log.info("lead %s stored for %s (%s)", lead.id, mask_phone(request.phone), request.province)
            return lead.id

    def withdraw(self, conversation_id: str) -> int:
        """Consent withdrawn: anonymise this conversation's leads (they stay for the statistics) and
        date the withdrawal. Returns how many leads. bot/privacy.withdraw erases the rest."""
        with Session(self.engine, future=True) as session, session.begin():
            leads = session.execute(
                select(Lead).where(Lead.conversation_id == conversation_id, Lead.anonymised_at.is_(None))
            ).scalars().all()
            at = now()
            for lead in leads:
                anonymise(lead, at)
                for consent in lead.consents:
                    consent.withdrawn_at = consent.withdrawn_at or at
            return len(leads)

    def change_status(self, lead_id: int, status: str, by: str) -> None:
        with Session(self.engine, future=True) as session, session.begin():
            lead = session.get(Lead, lead_id, with_for_update=True)
            if lead is None:
                raise WorkflowError("Không tìm thấy yêu cầu này.")
            if status not in NEXT_STATUSES.get(lead.status, ()):
                raise WorkflowError(f"Không thể chuyển từ “{lead.status}” sang “{status}”.")
            at = now()
            lead.status, lead.updated_at = status, at
            session.add(StatusChange(lead_id=lead_id, status=status, changed_at=at, changed_by=by))
            log.info("lead %s: status %s by %s", lead_id, status, by)

    def assign(self, lead_id: int, username: str | None, by: str) -> None:
        with Session(self.engine, future=True) as session, session.begin():
            lead = session.get(Lead, lead_id, with_for_update=True)
            if lead is None:
                raise WorkflowError("Không tìm thấy yêu cầu này.")
            if lead.assigned_to == username:
                return
            at = now()
            lead.assigned_to, lead.updated_at = username, at
            session.add(Assignment(lead_id=lead_id, assigned_to=username, changed_at=at, changed_by=by))
            log.info("lead %s: assigned to %s by %s", lead_id, username or "nobody", by)

    def add_note(self, lead_id: int, body: str, by: str) -> None:
        body = body.strip()
        if not body:
            raise WorkflowError("Ghi chú đang để trống.")
        if len(body) > NOTE_MAX_CHARS:
            raise WorkflowError(f"Ghi chú dài quá {NOTE_MAX_CHARS} ký tự.")
        with Session(self.engine, future=True) as session, session.begin():
            if session.get(Lead, lead_id) is None:
                raise WorkflowError("Không tìm thấy yêu cầu này.")
            session.add(Note(lead_id=lead_id, author=by, text=body, created_at=now()))
            log.info("lead %s: note added by %s", lead_id, by)

    def leads(self) -> Iterator[Lead]:
        with Session(self.engine, future=True) as session:
            yield from session.execute(select(Lead).order_by(Lead.id.desc())).scalars()

    def count(self) -> int:
        with Session(self.engine, future=True) as session:
            return session.execute(select(func.count(Lead.id))).scalar_one()

    def _lock_phone(self, session: Session, phone: str) -> None:
        """Two requests for one phone at once must not both create a lead. PostgreSQL: a
        transaction-level advisory lock on the number; SQLite: writes are serialised already."""
        if session.bind.dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:phone))"), {"phone": phone})


def anonymise(lead: Lead, at: datetime) -> None:
    """Erase what identifies the citizen or was typed freely; province, office, income, target group,
    topics, status and channel stay for the statistics."""
    lead.full_name = lead.name_folded = lead.phone = lead.commune = lead.preferred_time = None
    lead.anonymised_at = lead.updated_at = at


def _fill(lead: Lead, request: LeadRequest, at: datetime) -> None:
    lead.updated_at = at
    lead.full_name, lead.phone = request.full_name, request.phone
    lead.name_folded = fold(request.full_name)
    lead.province, lead.office, lead.channel = request.province, request.office, request.channel
    lead.conversation_id = request.conversation_id
    lead.commune = request.commune or lead.commune
    lead.preferred_time = request.preferred_time or lead.preferred_time
    lead.income = request.income or lead.income
    lead.target_group = request.target_group or lead.target_group
    lead.interests = json.dumps(sorted(set(json.loads(lead.interests)) | set(request.interests)), ensure_ascii=False)


# Every column but the search helper.
EXPORT_FIELDS = tuple(c.name for c in Lead.__table__.columns if c.name != "name_folded")


def lead_as_dict(lead: Lead) -> dict[str, Any]:
    """A lead for exports: every field, dates in ISO 8601, interests as a list."""
    row = {name: getattr(lead, name) for name in EXPORT_FIELDS}
    row["interests"] = json.loads(row["interests"])
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
