"""`bot handoff`: the staff pages' conversation actions on the command line (scripts, tests).

    bot handoff list [--province "Nghệ An"]                 the conversations waiting or taken
    bot handoff take CONVERSATION_ID [--officer NAME]       pause the assistant, tell the citizen
    bot handoff reply CONVERSATION_ID TEXT [--officer NAME] through the citizen's channel
    bot handoff release CONVERSATION_ID [--officer NAME]    back to the assistant

NAME is recorded as the officer (default "cli"); `reply` needs the officer who took it. The Rasa
server is reached as the staff pages reach it (BOT_RASA_URL or RASA_PORT, BOT_API_TOKEN or
var/api.token); the channels are those whose variables are set. Exit status 2 when refused, 1 when
done but the citizen was not reached (the reason is printed)."""
from __future__ import annotations

import argparse
import sys

from bot.handoff.queue import STATUS_LABELS, HandoffError, HandoffQueue
from bot.handoff.rasa_api import RasaApi, RasaUnavailable
from bot.handoff.takeover import Takeover
from bot.staff.queries import local
from bot.storage import db

DEFAULT_OFFICER = "cli"


def add_parsers(commands: argparse._SubParsersAction) -> None:
    listing = commands.add_parser("list")
    listing.add_argument("--province", help="only this province's conversations")
    for name in ("take", "reply", "release"):
        command = commands.add_parser(name)
        command.add_argument("conversation_id")
        if name == "reply":
            command.add_argument("text")
        command.add_argument("--officer", default=DEFAULT_OFFICER, help="who does it (default: cli)")


def make_takeover(queue: HandoffQueue) -> Takeover:
    from bot.handoff.senders import Senders  # imports Rasa's channel classes: not for the other commands
    return Takeover(queue, RasaApi.from_env(), Senders.from_env(queue.engine))


def run(args: argparse.Namespace) -> int:
    queue = HandoffQueue(db.make_engine())
    if args.what == "list":
        entries = queue.inbox(args.province)
        for e in entries:
            taken = f" · {e.taken_by} từ {local(e.taken_at):%H:%M}" if e.taken_at else ""
            print(f"#{e.id} {e.conversation_id} | {e.province} | {e.channel} | {STATUS_LABELS[e.status]} "
                  f"từ {local(e.requested_at):%d/%m %H:%M}{taken}")
        print(f"{len(entries)} cuộc trò chuyện")
        return 0
    takeover = make_takeover(queue)
    try:
        if args.what == "take":
            done = takeover.take(args.conversation_id, args.officer)
        elif args.what == "reply":
            done = takeover.reply(args.conversation_id, args.officer, args.text)
        else:
            done = takeover.release(args.conversation_id, args.officer, may_override=True)
    except (HandoffError, RasaUnavailable) as error:
        print(error, file=sys.stderr)
        return 2
    if done.problem:
        print(done.problem, file=sys.stderr)
        return 1
    print({"take": "Đã nhận", "reply": "Đã gửi", "release": "Đã trả lại cho trợ lý"}[args.what]
          + f": #{done.entry.id} {done.entry.conversation_id}")
    return 0
