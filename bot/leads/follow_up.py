"""Where a citizen's callback request stands, in the words the conversation tells them: received
(no officer has spoken with them yet), not reached (an officer called, nobody answered: the office
tries again), contacted, or registered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.leads.models import CONTACTED, NEW, NOT_INTERESTED, REGISTERED, UNREACHABLE

RECEIVED_STAGE, NOT_REACHED_STAGE = "received", "not_reached"
CONTACTED_STAGE, REGISTERED_STAGE = "contacted", "registered"
STAGES = (RECEIVED_STAGE, NOT_REACHED_STAGE, CONTACTED_STAGE, REGISTERED_STAGE)
# Someone who said they were not interested was contacted: the citizen is told no more than that.
_STAGES = {NEW: RECEIVED_STAGE, UNREACHABLE: NOT_REACHED_STAGE, CONTACTED: CONTACTED_STAGE,
           NOT_INTERESTED: CONTACTED_STAGE, REGISTERED: REGISTERED_STAGE}


def stage_of(status: str) -> str:
    return _STAGES[status]


@dataclass(frozen=True)
class FollowUp:
    reference: str  # the code the citizen was given
    stage: str  # one of STAGES
    received_at: datetime
    office: str  # the provincial office that calls back


class FollowUpUnavailable(RuntimeError):
    """The database cannot be reached: where a request stands cannot be told now."""
