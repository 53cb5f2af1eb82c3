"""The notifications in the background of a long-running process (the action server): new-lead
mails every minute, and the day's overdue reminders from BOT_NOTIFY_REMINDER_HOUR on working days.
Cron can run the same with `bot notify send` and `bot notify reminders` instead."""
from __future__ import annotations

import logging
import threading

from sqlalchemy.engine import Engine

from bot.notify.sender import send_new_leads, send_reminders
from bot.notify.settings import MailSettings
from bot.policy.clock import VIETNAM
from bot.storage.orm import now

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 60


def notify_every(engine: Engine, settings: MailSettings, check_every: float = CHECK_EVERY_SECONDS) -> threading.Event:
    """Start the background loop (first round at once); set the event to stop it. Nothing starts
    when notifications are off."""
    stop = threading.Event()
    if not settings.enabled:
        log.info("mail notifications off (BOT_SMTP_HOST unset or BOT_NOTIFY_MODE=off)")
        return stop

    def loop() -> None:
        while True:
            at = now()
            try:
                send_new_leads(engine, settings, at)
                if at.astimezone(VIETNAM).hour >= settings.reminder_hour:
                    send_reminders(engine, settings, at)
            except Exception:  # never let the background loop die; the next round retries
                log.exception("notifications failed")
            if stop.wait(check_every):
                return

    threading.Thread(target=loop, name="notifications", daemon=True).start()
    return stop
