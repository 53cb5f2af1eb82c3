"""What every action module shares: the lead store with its background jobs, and sending bot/'s
replies through Rasa's dispatcher (the NLG fills in the policy figures: bot/dialogue/nlg.py)."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Text

from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.replies import Reply
from bot.policy import clock
from bot.policy.figures import figures_on
from bot.notify.schedule import notify_every
from bot.notify.settings import MailSettings
from bot.outbox import Desk
from bot.privacy.retention import Retention, purge_daily

OUTBOX_REPLAY_SECONDS = 60
_desk: Desk | None = None


def desk() -> Desk:
    """One store per action server (BOT_DATABASE_URL), with its background jobs: the outbox replay,
    the daily retention run (bot/privacy/retention.py) and the mails to the offices (bot/notify/)."""
    global _desk
    if _desk is None:
        _desk = Desk()
        _desk.replay_every(OUTBOX_REPLAY_SECONDS)
        purge_daily(_desk.store.engine, Retention.from_env())  # a wrong setting stops the start
        notify_every(_desk.store.engine, MailSettings.from_env())  # new-lead mails and daily reminders
    return _desk


def utter(dispatcher: CollectingDispatcher, replies: Iterable[Reply]) -> None:
    """Each reply with its own variables. Those that are the figures of the day are left out: the NLG
    adds them itself, and Rasa keeps every variable an action sends in the bot event's metadata,
    which it stores, reads back and sends here again at every call (7 KB a message with them all)."""
    figures = figures_on(clock.today()).values
    for reply in replies:
        own = {name: value for name, value in reply.variables.items() if figures.get(name) != value}
        dispatcher.utter_message(response=reply.response, buttons=reply.buttons or None, **own)


def slot_values(tracker: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: tracker.get_slot(name) for name in names}


def replying_to_user(events: List[Dict[Text, Any]]) -> bool:
    """Whether a form's validation runs on the user's latest message (True), or as the form comes
    back after a rule answered that message (False): Rasa then validates nothing new. Counts the
    actions since the message; the last one is the form itself."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    ran = [e for e in events[last_user + 1:] if e.get("event") in ("action", "action_execution_rejected")]
    return len(ran) <= 1


desk()  # started with the action server, not at its first message: the retention runs without traffic too
