"""Where a citizen's callback request stands, in the words the conversation tells them: received
(no officer has spoken with them yet), contacted, or registered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.leads.models import CONTACTED, NEW, NOT_INTERESTED, REGISTERED, UNREACHABLE

RECEIVED_STAGE, CONTACTED_STAGE, REGISTERED_STAGE = "received", "contacted", "registered"
# Calls that went unanswered leave the request received: the office is still trying. Someone who said
# they were not interested was contacted.
_STAGES = {NEW: RECEIVED_STAGE, UNREACHABLE: RECEIVED_STAGE, CONTACTED: CONTACTED_STAGE,
           NOT_INTERESTED: CONTACTED_STAGE, REGISTERED: REGISTERED_STAGE}


def stage_of(status: str) -> str:
    return _STAGES[status]


@dataclass(frozen=True)
class FollowUp:
    reference: str  # the code the citizen was given
    stage: str  # RECEIVED_STAGE, CONTACTED_STAGE or REGISTERED_STAGE
    received_at: datetime
