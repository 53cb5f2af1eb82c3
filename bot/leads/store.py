"""The lead store: a checked request becomes a lead (one per conversation; another conversation's
lead of the same phone is flagged, never changed), its follow-up (status, assignment, notes), the
withdrawal of consent, and a lead as the exports show it. SQLAlchemy 1.4 used in the 2.0 style."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any, Iterator

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.language.phones import mask_phone
from bot.language.text import fold
from bot.leads.checks import LeadRequest, check
from bot.leads.follow_up import FollowUp, stage_of
from bot.leads.models import (NEW, NEXT_STATUSES, OPEN_STATUSES, Assignment, Consent, Lead, Note, StatusChange,
                              Submission)
from bot.leads.reference import new_reference
from bot.storage.orm import now

log = logging.getLogger(__name__)
NOTE_MAX_CHARS = 2000
# A new request of the same conversation within this many days updates its open lead; another
# conversation's open lead of the same phone within it is flagged as a possible duplicate.
DEDUP_DAYS = 30
SYSTEM = "trợ lý"  # who made a change that no staff member made


class WorkflowError(ValueError):
    """A change the follow-up workflow does not allow; the message is for the officer."""


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
                lead = Lead(created_at=at, status=NEW, interests="[]", conversation_id=request.conversation_id,
                            reference=_free_reference(session))
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
        Returns how many leads. bot.privacy.erasure.withdraw erases the rest."""
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

    def follow_up(self, conversation_id: str) -> FollowUp | None:
        """Where the conversation's newest request stands, with its reference code; None when the
        conversation has none (or its data was erased)."""
        with Session(self.engine, future=True) as session:
            lead = session.execute(
                select(Lead).where(Lead.anonymised_at.is_(None), or_(
                    Lead.conversation_id == conversation_id,
                    Lead.id.in_(select(Consent.lead_id).where(Consent.conversation_id == conversation_id))))
                .order_by(Lead.id.desc()).limit(1)
            ).scalar_one_or_none()
            return FollowUp(lead.reference, stage_of(lead.status), lead.created_at, lead.office) if lead else None

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


def _free_reference(session: Session) -> str:
    """A reference code no lead has (the unique index stops the rare race of two processes)."""
    while True:
        code = new_reference()
        if session.execute(select(Lead.id).where(Lead.reference == code)).first() is None:
            return code


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
