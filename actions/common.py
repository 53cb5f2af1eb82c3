"""What every action module shares."""
from __future__ import annotations

from typing import Iterable

from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.replies import Reply


def utter(dispatcher: CollectingDispatcher, replies: Iterable[Reply]) -> None:
    """Send the replies bot/ planned: each a response of the domain with its variables and buttons."""
    for reply in replies:
        dispatcher.utter_message(response=reply.response, buttons=reply.buttons or None, **reply.variables)
