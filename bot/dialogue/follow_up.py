""""Yêu cầu của tôi thế nào rồi": where the conversation's callback request stands, with its
reference code and when it was received. Only the requests of this conversation are looked up: a
code typed from another conversation gets the same neutral answer whether it exists or not, so
nobody learns anything of another person's request."""
from __future__ import annotations

from typing import Protocol

from bot.dialogue.replies import Reply
from bot.leads.follow_up import (CONTACTED_STAGE, NOT_REACHED_STAGE, RECEIVED_STAGE, REGISTERED_STAGE, FollowUp,
                                 FollowUpUnavailable)
from bot.leads.reference import typed_reference
from bot.policy.clock import VIETNAM

RESPONSES = {
    RECEIVED_STAGE: "utter_request_status_received",
    NOT_REACHED_STAGE: "utter_request_status_not_reached",
    CONTACTED_STAGE: "utter_request_status_contacted",
    REGISTERED_STAGE: "utter_request_status_registered",
}


class FollowUpDesk(Protocol):
    def follow_up(self, conversation_id: str) -> FollowUp | None: ...  # FollowUpUnavailable: database down


def request_status(conversation_id: str, text: str, desk: FollowUpDesk) -> list[Reply]:
    """The answer to a citizen asking about their request; `text` is their message, which may
    quote a reference code."""
    try:
        found = desk.follow_up(conversation_id)
    except FollowUpUnavailable:
        return [Reply("utter_request_status_unavailable")]
    typed = typed_reference(text)
    replies = []
    if typed and (found is None or typed != found.reference):
        replies.append(Reply("utter_request_status_other_code", {"code": typed}))
    elif found is None:
        replies.append(Reply("utter_request_status_none"))
    if found is None:
        return [*replies, Reply("utter_request_status_offer")]
    return [*replies, status_reply(found)]


def status_reply(found: FollowUp) -> Reply:
    received = found.received_at.astimezone(VIETNAM)
    return Reply(RESPONSES[found.stage], {"reference": found.reference, "office": found.office,
                                          "received_at": f"{received:%H:%M} ngày {received:%d/%m/%Y}"})
