"""What the notifications remember (created by the migrations, these classes mirror them): whether
each new lead's mail went out, each province's overdue reminder of the day, and the lease that lets
one process at a time send."""
from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Integer, String

from bot.storage.orm import Base, UtcDateTime

SENT, FAILED, NO_ADDRESS = "sent", "failed", "no_address"
BEFORE = "before"  # the lead existed before notifications did (set by the migration): never mailed
DONE = (SENT, BEFORE)  # the others are tried again at the next run


class LeadNotice(Base):
    """The mail that tells the province's office of a new lead (alone, or in a digest)."""

    __tablename__ = "lead_notices"
    lead_id = Column(Integer, ForeignKey("leads.id"), primary_key=True)
    state = Column(String(20), nullable=False)
    recipients = Column(String(500))  # the office's addresses, never a citizen's
    attempts = Column(Integer, nullable=False)
    last_error = Column(String(200))  # the error's class and SMTP code: no address, no personal data
    updated_at = Column(UtcDateTime, nullable=False)


class OverdueReminder(Base):
    """A province's reminder of its overdue leads, one per working day."""

    __tablename__ = "overdue_reminders"
    province = Column(String(60), primary_key=True)
    day = Column(Date, primary_key=True)  # in Vietnam
    state = Column(String(20), nullable=False)
    recipients = Column(String(500))
    attempts = Column(Integer, nullable=False)
    last_error = Column(String(200))
    updated_at = Column(UtcDateTime, nullable=False)


class JobLease(Base):
    """One process at a time holds a job until `held_until` (taken by a single UPDATE; a process that
    dies lets it lapse)."""

    __tablename__ = "job_leases"
    name = Column(String(40), primary_key=True)
    held_until = Column(UtcDateTime)
