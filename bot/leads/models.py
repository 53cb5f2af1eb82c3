"""The leads' tables: a citizen's consented request for a callback, routed to the provincial BHXH
office of their province, its consents, its follow-up (status, notes, assignments) and the
submissions already stored. The schema is created by the Alembic migrations in
bot/storage/migrations (these classes mirror it)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from bot.storage.orm import Base, UtcDateTime

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


class Lead(Base):
    __tablename__ = "leads"
    id = Column(Integer, primary_key=True)
    reference = Column(String(6), nullable=False, unique=True, index=True)  # the citizen's code (reference.py)
    created_at = Column(UtcDateTime, nullable=False, index=True)  # the staff pages filter by period
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


class Submission(Base):
    """Each completed form once: a retried or replayed submission is recognised by its id."""

    __tablename__ = "submissions"
    id = Column(String(64), primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id"), nullable=False)
    received_at = Column(UtcDateTime, nullable=False)
