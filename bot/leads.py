"""The lead store: a citizen's consented request for a callback, routed to the provincial BHXH
office of their province. SQLAlchemy 1.4 used in the 2.0 style; the schema is created by the
Alembic migrations in bot/migrations (these classes mirror it)."""
from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, String, Text, func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, relationship
from sqlalchemy.sql import Select
from sqlalchemy.types import TypeDecorator

from bot.language.phones import mask_phone, normalise_phone
from bot.language.provinces import province_by_name
from bot.language.target_groups import groups
from bot.language.text import fold
from bot.policy.calculators import income_range
from bot.policy.clock import VIETNAM
from bot.policy.rules import PolicyDataError, params_on

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
# A new request of the same conversation within this many days updates its open lead; another
# conversation's open lead of the same phone within it is flagged as a possible duplicate.
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
    # An earlier open lead of the same phone from another conversation: perhaps the same person,
    # perhaps not, so the officer decides; neither lead is ever changed by the other.
    duplicate_of = Column(Integer, ForeignKey("leads.id"), index=True)
    duplicate = relationship("Lead", remote_side=[id])
    consents = relationship("Consent", back_populates="lead", order_by="Consent.id")
    history = relationship("StatusChange", order_by="StatusChange.id")
    notes = relationship("Note", order_by="Note.id")
    assignments = relationship("Assignment", order_by="Assignment.id")


class Consent(Base):
    __tablename__ = "consents"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id"), nullable=False, index=True)
    conversation_id = Column(String(255), nullable=False, index=True)
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


class InvalidLead(ValueError):
    """A request that must not reach the database. `problems` maps each wrong field to what is wrong
    with it, never to its value: the message goes to logs and dead letters."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in problems.items()))
        self.problems = problems


# The column each text field is stored in: its length is the field's limit.
_COLUMN_OF = {
    "submission_id": Submission.id, "full_name": Lead.full_name, "phone": Lead.phone, "province": Lead.province,
    "office": Lead.office, "channel": Lead.channel, "conversation_id": Lead.conversation_id,
    "consent_version": Consent.text_version, "consent_sha256": Consent.text_sha256,
    "commune": Lead.commune, "preferred_time": Lead.preferred_time, "target_group": Lead.target_group,
}
_REQUIRED = ("submission_id", "full_name", "phone", "province", "office", "channel", "conversation_id",
             "consent_version", "consent_sha256", "consent_given_at")
_SUBMISSION_ID = re.compile(r"[A-Za-z0-9_-]+")  # it also names the file of a queued request
_SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_INTERESTS, MAX_INTEREST_CHARS = 20, 60


def check(request: LeadRequest) -> LeadRequest:
    """The request as it may be stored (phone normalised, province by its current name), or
    InvalidLead naming every field that is wrong."""
    problems: dict[str, str] = {}
    for name in (*_COLUMN_OF, "consent_given_at"):
        if problem := _text_problem(name, getattr(request, name)):
            problems[name] = problem
    phone = normalise_phone(request.phone) if "phone" not in problems else None
    if phone is None:
        problems.setdefault("phone", "not a Vietnamese phone number")
    province = province_by_name(request.province) if "province" not in problems else None
    if province is None:
        problems.setdefault("province", "not one of the 34 provinces")
    if "submission_id" not in problems and not _SUBMISSION_ID.fullmatch(request.submission_id):
        problems["submission_id"] = "not letters, digits, - or _"
    if "consent_sha256" not in problems and not _SHA256.fullmatch(request.consent_sha256):
        problems["consent_sha256"] = "not a SHA-256 in hexadecimal"
    if "target_group" not in problems and request.target_group not in (None, *groups(), "other"):
        problems["target_group"] = "not a known target group"
    interests = request.interests
    if not (isinstance(interests, list) and len(interests) <= MAX_INTERESTS and all(
            isinstance(i, str) and 0 < len(i) <= MAX_INTEREST_CHARS for i in interests)):
        problems["interests"] = f"not a list of at most {MAX_INTERESTS} topics"
    day = _consent_day(request.consent_given_at) if "consent_given_at" not in problems else None
    if day is None:
        problems.setdefault("consent_given_at", "not an ISO 8601 moment with its time zone")
    elif request.income is not None and (problem := _income_problem(request.income, day)):
        problems["income"] = problem
    if problems:
        raise InvalidLead(problems)
    assert phone is not None and province is not None
    return replace(request, phone=phone, province=province.name)


def _text_problem(name: str, value: Any) -> str | None:
    if value is None or value == "":
        return "missing" if name in _REQUIRED else None
    if not isinstance(value, str):
        return "not text"
    if any(unicodedata.category(c) == "Cc" for c in value):
        return "control characters"
    limit = _COLUMN_OF[name].type.length if name in _COLUMN_OF else None
    if limit and len(value) > limit:
        return f"longer than {limit} characters"
    return "missing" if name in _REQUIRED and not value.strip() else None


def _consent_day(moment: str) -> date | None:
    """The day in Vietnam when the consent was given: the day whose law the income is checked by."""
    try:
        at = datetime.fromisoformat(moment)
    except ValueError:
        return None
    return at.astimezone(VIETNAM).date() if at.tzinfo else None


def _income_problem(income: Any, day: date) -> str | None:
    if isinstance(income, bool) or not isinstance(income, int):
        return "not a whole number"
    try:
        floor, ceiling = income_range(params_on(day))
    except PolicyDataError:
        return "no rule for the day of the consent"
    return None if floor <= income <= ceiling else "outside the law's range on the day of the consent"


def now() -> datetime:
    return datetime.now(timezone.utc)


class LeadStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def submit(self, request: LeadRequest) -> int:
        """Check and store the request; return its lead id. A lead belongs to the conversation that
        gave the consent: the same conversation again (within 30 days, lead still open) updates its
        lead; the same phone from another conversation makes a new lead flagged as a possible
        duplicate, and never changes the other person's lead. Submitting the same request twice
        stores it once. InvalidLead when the request may not be stored."""
        request = check(request)
        with Session(self.engine, future=True) as session, session.begin():
            self._lock(session, request)
            seen = session.get(Submission, request.submission_id)
            if seen:
                return seen.lead_id
            at = now()
            lead = session.execute(
                self._open_leads(at).where(Lead.conversation_id == request.conversation_id)
                .order_by(Lead.id.desc()).limit(1)
            ).scalar_one_or_none()
            created = lead is None
            if lead is None:
                lead = Lead(created_at=at, status=NEW, interests="[]", conversation_id=request.conversation_id)
                session.add(lead)
            _fill(lead, request, at)
            session.flush()
            if lead.duplicate_of is None:  # the first open lead of this phone from another conversation
                lead.duplicate_of = session.execute(
                    self._open_leads(at, Lead.id).where(
                        Lead.phone == request.phone, Lead.conversation_id != request.conversation_id,
                        Lead.id < lead.id).order_by(Lead.id).limit(1)
                ).scalar_one_or_none()
            if created:
                session.add(StatusChange(lead_id=lead.id, status=NEW, changed_at=at, changed_by=SYSTEM))
            session.add(Consent(
                lead_id=lead.id, conversation_id=request.conversation_id, channel=request.channel,
                text_version=request.consent_version, text_sha256=request.consent_sha256,
                given_at=datetime.fromisoformat(request.consent_given_at),
            ))
            session.add(Submission(id=request.submission_id, lead_id=lead.id, received_at=at))
            log.info("lead %s stored for %s (%s)%s", lead.id, mask_phone(request.phone), request.province,
                     f", possible duplicate of lead {lead.duplicate_of}" if lead.duplicate_of else "")
            return lead.id

    def withdraw(self, conversation_id: str) -> int:
        """Consent withdrawn: anonymise the leads this conversation consented to (found by the
        consent, so another conversation's lead of the same phone is untouched; the lead stays for
        the statistics), date the withdrawal and drop the duplicate links that the phone made.
        Returns how many leads. bot/privacy.withdraw erases the rest."""
        with Session(self.engine, future=True) as session, session.begin():
            consented = select(Consent.lead_id).where(Consent.conversation_id == conversation_id)
            leads = session.execute(
                select(Lead).where(Lead.id.in_(consented), Lead.anonymised_at.is_(None))
            ).scalars().all()
            at = now()
            for lead in leads:
                anonymise(lead, at)
                for consent in lead.consents:
                    if consent.conversation_id == conversation_id:
                        consent.withdrawn_at = consent.withdrawn_at or at
            if leads:
                session.execute(update(Lead).where(Lead.duplicate_of.in_([lead.id for lead in leads]))
                                .values(duplicate_of=None))
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

    @staticmethod
    def _open_leads(at: datetime, what: Any = Lead) -> Select:
        """Open leads of the last DEDUP_DAYS days."""
        return select(what).where(Lead.status.in_(OPEN_STATUSES), Lead.anonymised_at.is_(None),
                                  Lead.created_at >= at - timedelta(days=DEDUP_DAYS))

    @staticmethod
    def _lock(session: Session, request: LeadRequest) -> None:
        """Two requests of one conversation at once must not both create a lead, nor two of one
        phone both miss the other. PostgreSQL: transaction-level advisory locks, the conversation's
        then the phone's (always in that order, in two key spaces: no deadlock); SQLite: writes are
        serialised already."""
        if session.bind.dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(1, hashtext(:conversation))"),
                            {"conversation": request.conversation_id})
            session.execute(text("SELECT pg_advisory_xact_lock(2, hashtext(:phone))"), {"phone": request.phone})


def anonymise(lead: Lead, at: datetime) -> None:
    """Erase what identifies the citizen or was typed freely; province, office, income, target group,
    topics, status and channel stay for the statistics."""
    lead.full_name = lead.name_folded = lead.phone = lead.commune = lead.preferred_time = None
    lead.duplicate_of = None  # the link was the phone
    lead.anonymised_at = lead.updated_at = at


def _fill(lead: Lead, request: LeadRequest, at: datetime) -> None:
    lead.updated_at = at
    lead.full_name, lead.phone = request.full_name, request.phone
    lead.name_folded = fold(request.full_name)
    lead.province, lead.office, lead.channel = request.province, request.office, request.channel
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
