"""`bot` command for staff: the same calculators the assistant uses.

    bot [--on 2026-11-24] calc contribution|advance|pension|retirement|make-up|withdrawal|allowance|survivor|situation ...
                                       the calculators (examples in bot/cli/calc.py)
    bot db upgrade                     apply the database migrations (BOT_DATABASE_URL)
    bot db backup [--out PATH]         a copy of the running database (default: var/backups/bot-<UTC time>.db|.dump)
    bot leads list                     the leads, newest first (names and phones masked)
    bot leads export --format csv|json [--output FILE]   every field, UTF-8 (CSV with BOM for Excel)
    bot leads replay                   store the leads waiting in the outbox; report the dead letters
    bot leads status LEAD_ID STATUS [--by NAME]   the follow-up status ("đã liên hệ", "đã đăng ký tham gia", ...);
                                       "đã đăng ký tham gia" sends the citizen's thank-you (BOT_THANK_YOU)
    bot staff create-user --username U [--password P] --role admin|office|trainer [--province "Nghệ An"]
                                       (without --password, the password is read from standard input)
    bot staff ensure-admin             create "admin" with a one-time password when there is no admin
    bot staff serve [--host H] [--port 8000]   the staff pages (STAFF_PORT)
    bot channels credentials --output var/credentials.yml   the channels whose variables are set
    bot tokens env [--dir var]         `export` lines of the servers' tokens (given, or generated into var/)
    bot review export [--output data/nlu/reviewed.yml]   the examples labelled in the review inbox
    bot review story --conversation ID [--output FILE]   a conversation as a Rasa test story
    bot privacy purge                  apply the retention now (the action server does it daily)
    bot handoff list|take|reply|release ...   the conversations taken over by officers (bot/cli/handoff.py)
    bot notify send                    mail the offices their new leads (or the digests due); for cron
    bot notify reminders               mail today's reminders of overdue leads (working days); for cron
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections import Counter
from pathlib import Path

import yaml
from datetime import date

from bot.channels.credentials import enabled_channels
from bot.cli import calc, handoff
from bot.language.phones import mask_phone
from bot.handoff.queue import HandoffQueue
from bot.leads import thanks
from bot.leads.models import REGISTERED, STATUSES
from bot.leads.store import EXPORT_FIELDS, LeadStore, WorkflowError, lead_as_dict
from bot.notify.sender import send_new_leads, send_reminders
from bot.notify.settings import MailSettings
from bot.ops.backup import BackupError, backup
from bot.outbox import Desk
from bot.policy import clock
from bot.policy.calculators import InvalidInput
from bot.privacy.retention import Retention, purge
from bot.servers.tokens import TokenError, server_tokens
from bot.staff.accounts import ROLES, AccountError, Accounts
from bot.staff.exports import csv_text
from bot.storage import db
from bot.storage.orm import now
from bot.training.review import Inbox, ReviewError, trained_texts


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--on", type=date.fromisoformat, default=None, help="date of the rules (default: today)")
    commands = parser.add_subparsers(dest="command", required=True)
    database = commands.add_parser("db").add_subparsers(dest="what", required=True)
    database.add_parser("upgrade")
    database.add_parser("backup").add_argument("--out", type=Path, help="a new file, or a directory (default: var/backups)")
    leads = commands.add_parser("leads").add_subparsers(dest="what", required=True)
    leads.add_parser("list")
    leads.add_parser("replay")
    status = leads.add_parser("status")
    status.add_argument("lead_id", type=int)
    status.add_argument("status", choices=list(STATUSES))
    status.add_argument("--by", default="cli", help="who changes it (default: cli)")
    export = leads.add_parser("export")
    export.add_argument("--format", choices=["csv", "json"], required=True)
    export.add_argument("--output", help="file to write (default: standard output)")
    staff = commands.add_parser("staff").add_subparsers(dest="what", required=True)
    user = staff.add_parser("create-user")
    user.add_argument("--username", required=True)
    user.add_argument("--password", help="default: read from standard input")
    user.add_argument("--role", required=True, choices=list(ROLES))
    user.add_argument("--province", help="the province of an office account")
    staff.add_parser("ensure-admin")
    serve = staff.add_parser("serve")
    serve.add_argument("--host", default=os.environ.get("STAFF_INTERFACE", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("STAFF_PORT", "8000")))
    channels = commands.add_parser("channels").add_subparsers(dest="what", required=True)
    creds = channels.add_parser("credentials")
    creds.add_argument("--source", default="credentials.yml")
    creds.add_argument("--output", required=True)
    tokens = commands.add_parser("tokens").add_subparsers(dest="what", required=True)
    tokens.add_parser("env").add_argument("--dir", default="var", help="where generated tokens are kept")
    review = commands.add_parser("review").add_subparsers(dest="what", required=True)
    review.add_parser("export").add_argument("--output", help="file to write (default: standard output)")
    story = review.add_parser("story")
    story.add_argument("--conversation", required=True)
    story.add_argument("--output", help="file to write (default: standard output)")
    commands.add_parser("privacy").add_subparsers(dest="what", required=True).add_parser("purge")
    notify = commands.add_parser("notify").add_subparsers(dest="what", required=True)
    notify.add_parser("send")
    notify.add_parser("reminders")
    calc.add_parsers(commands.add_parser("calc").add_subparsers(dest="what", required=True))
    handoff.add_parsers(commands.add_parser("handoff").add_subparsers(dest="what", required=True))
    return parser


def _db(args: argparse.Namespace) -> int:
    if args.what == "upgrade":
        db.upgrade()
        return 0
    try:
        print(backup(db.database_url(), args.out))
    except BackupError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


def _leads(args: argparse.Namespace) -> int:
    desk = Desk()
    if args.what == "replay":
        return _replay(desk)
    if args.what == "status":
        return _status(desk.store, args)
    leads = [lead_as_dict(lead) for lead in desk.store.leads()]
    if args.what == "list":
        for lead in leads:
            print(_list_line(lead))
        print(f"{len(leads)} lead(s)")
        return 0
    if args.format == "json":
        data = json.dumps(leads, ensure_ascii=False, indent=2) + "\n"
    else:
        flat = [{**lead, "interests": "; ".join(lead["interests"])} for lead in leads]
        data = csv_text(EXPORT_FIELDS, ([lead[name] for name in EXPORT_FIELDS] for lead in flat))
    _write(data, args.output)
    return 0


def _replay(desk: Desk) -> int:
    """Counts and reasons only: the entries hold names and phone numbers. Exit status 1 while dead
    letters wait for a person."""
    outbox = desk.outbox
    print(f"{outbox.replay(desk.store)} entries applied from the outbox, {len(outbox.pending())} waiting")
    letters = outbox.dead_letters()
    print(f"{len(letters)} dead letter(s) in {outbox.dead}")
    for reason, count in Counter(letter.reason for letter in letters).most_common():
        print(f"  {count} × {reason}")
    return 1 if letters else 0


def _status(store: LeadStore, args: argparse.Namespace) -> int:
    """Exit status 2 when the workflow refuses the change."""
    try:
        store.change_status(args.lead_id, args.status, args.by)
    except WorkflowError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"#{args.lead_id}: {args.status}")
    if args.status == REGISTERED:
        note = thanks.thank(store, args.lead_id, args.by, lambda: handoff.make_takeover(HandoffQueue(store.engine)))
        if note:
            print(note)
    return 0


def _list_line(lead: dict) -> str:
    name = (lead["full_name"] or "")[:1] + "***" if lead["full_name"] else "(đã xóa)"
    phone = mask_phone(lead["phone"]) if lead["phone"] else "(đã xóa)"
    return f'#{lead["id"]} {lead["created_at"][:16]} {lead["status"]} | {name} {phone} | {lead["province"]} | {lead["channel"]}'


def _staff(args: argparse.Namespace) -> int:
    engine = db.make_engine()
    if args.what == "serve":
        from bot.staff.server import serve
        serve(engine, args.host, args.port)
        return 0
    accounts = Accounts(engine)
    try:
        if args.what == "ensure-admin":
            password = accounts.ensure_admin()
            if password:
                print(f"Tài khoản quản trị đầu tiên: admin, mật khẩu dùng một lần: {password}")
                print("(đổi mật khẩu ngay ở lần đăng nhập đầu tiên)")
            return 0
        password = args.password if args.password is not None else sys.stdin.readline().rstrip("\r\n")
        created = accounts.create_user(args.username, password, args.role, args.province)
    except AccountError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Đã tạo tài khoản {created.username} ({created.role_label}{', ' + created.province if created.province else ''})")
    return 0


def _review(args: argparse.Namespace) -> int:
    inbox = Inbox(db.make_engine())
    inbox.scan()
    try:
        data = inbox.export_yaml(trained_texts()) if args.what == "export" else inbox.story(args.conversation)
    except ReviewError as error:
        print(error, file=sys.stderr)
        return 2
    _write(data, args.output)
    return 0


def _write(data: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8", newline="") as f:
            f.write(data)
    else:
        sys.stdout.write(data)


def _channels(args: argparse.Namespace) -> int:
    with open(args.source, encoding="utf-8") as f:
        template = yaml.safe_load(f) or {}
    kept, notes = enabled_channels(template, os.environ)
    with open(args.output, "w", encoding="utf-8") as f:
        yaml.safe_dump(kept, f, allow_unicode=True, sort_keys=False)
    for note in notes:
        print(note, file=sys.stderr)
    print("Channels: " + (", ".join(c.rsplit(".", 1)[-1] for c in kept) or "none"))
    return 0


def _tokens(args: argparse.Namespace) -> int:
    try:
        tokens = server_tokens(Path(args.dir), os.environ)
    except TokenError as error:
        print(error, file=sys.stderr)
        return 2
    for variable, token in tokens.items():
        print(f"export {variable}={shlex.quote(token)}")
    return 0


def _notify(args: argparse.Namespace) -> int:
    """Exit status 1 when a mail failed (it is tried again at the next run), so cron tells someone."""
    try:
        settings = MailSettings.from_env()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    run = send_new_leads if args.what == "send" else send_reminders
    report = run(db.make_engine(), settings, now())
    print(report)
    return 1 if report.failed else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "db":
        return _db(args)
    if args.command == "leads":
        return _leads(args)
    if args.command == "staff":
        return _staff(args)
    if args.command == "channels":
        return _channels(args)
    if args.command == "review":
        return _review(args)
    if args.command == "tokens":
        return _tokens(args)
    if args.command == "handoff":
        return handoff.run(args)
    if args.command == "notify":
        return _notify(args)
    if args.command == "privacy":
        print(purge(db.make_engine(), Retention.from_env(), now()))
        return 0
    try:
        print(calc.run(args, args.on or clock.today()))
    except InvalidInput as error:
        print(error.message, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
