"""The trainers' review inbox: the citizens' messages the assistant was unsure of (fallback, or an
intent below REVIEW_BELOW confidence), read from Rasa's tracker store, grouped by similar text; a
trainer gives each group its intent (or marks it out of scope, or ignores it), and the labelled
examples are exported as Rasa NLU YAML (data/nlu/reviewed.yml). A conversation can be exported as a
test story, unless the citizen withdrew their consent; the answers given inside a callback request
keep only their intent there.

Left out of the inbox: button payloads, answers given inside a calculation or a callback request
(names, phone numbers, provinces: the flow understood them, and they are personal), and the
conversations of citizens who withdrew their consent. Phone numbers are replaced by a sample."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import yaml
from sqlalchemy import Column, Float, Integer, String, Text, column, func, select, table
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from bot.dialogue.calculations import CALLBACK, FLOW_SLOT
from bot.language.phones import find_phones
from bot.language.text import expand_tokens, fold
from bot.leads.models import Consent, Lead
from bot.storage.db import ROOT
from bot.storage.orm import Base, UtcDateTime, now

CALLBACK_FORM = "callback_form"  # bot.dialogue.callback.FORM (which imports bot.privacy, which imports this module)
from bot.training.datacheck import load_examples

REVIEW_BELOW = 0.7
FALLBACK = "nlu_fallback"
WAITING, LABELLED, OUT_OF_SCOPE, IGNORED = "chờ xem", "đã gán", "ngoài phạm vi", "bỏ qua"
SAMPLE_PHONE = "0912345678"
OUT_OF_SCOPE_INTENT = "out_of_scope"
SCAN_BATCH = 1000
_EVENTS = table("events", column("id"), column("sender_id"), column("type_name"), column("timestamp"),
                column("data"))
_SKIPPED_ACTIONS = {"action_listen", "action_session_start", "action_unlikely_intent"}


class ReviewItem(Base):
    __tablename__ = "review_items"
    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, nullable=False, unique=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    text = Column(Text, nullable=False)
    group_key = Column(String(500), nullable=False, index=True)
    predicted = Column(String(80))
    confidence = Column(Float)
    said_at = Column(UtcDateTime, nullable=False)
    status = Column(String(20), nullable=False)
    label = Column(String(80))
    reviewed_by = Column(String(40))
    reviewed_at = Column(UtcDateTime)


class ReviewScan(Base):
    """How far the tracker store's events have been read."""

    __tablename__ = "review_scan"
    name = Column(String(20), primary_key=True)
    last_event_id = Column(Integer, nullable=False)


class ReviewError(ValueError):
    """Refused: the message says why, for the trainer."""


class Withdrawn(ReviewError):
    """The citizen withdrew their consent: nothing of the conversation leaves the database."""


@dataclass(frozen=True)
class Group:
    key: str
    texts: list[str]  # distinct, newest first
    count: int
    last_said: datetime
    predicted: str | None
    confidence: float | None
    conversation_id: str  # of the newest message


def group_key(text: str) -> str:
    """Messages with the same words, whatever their order, case, diacritics and abbreviations."""
    words = " ".join(expand_tokens(re.findall(r"\w+", fold(text)))).split()  # "bn" -> "bao nhieu"
    return " ".join(sorted(set(words)))[:500]


def uncertainty(parse_data: dict[str, Any]) -> tuple[str | None, float | None] | None:
    """(the best real intent, its confidence) when the assistant was unsure, else None."""
    intent = parse_data.get("intent") or {}
    ranking = [r for r in parse_data.get("intent_ranking") or [] if r.get("name") != FALLBACK]
    best = ranking[0] if ranking else {}
    if intent.get("name") == FALLBACK:
        return best.get("name"), best.get("confidence")
    confidence = intent.get("confidence")
    if confidence is not None and confidence < REVIEW_BELOW:
        return intent.get("name"), confidence
    return None


def mask_phones(text: str) -> str:
    for _, start, end in reversed(find_phones(text)):
        text = text[:start] + SAMPLE_PHONE + text[end:]
    return text


class Inbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def scan(self) -> int:
        """Read the events stored since the last scan; returns how many messages were added."""
        added = 0
        with self.engine.begin() as connection:
            if not _has_events(connection):
                return 0
            with Session(bind=connection, future=True) as session:
                scan = session.get(ReviewScan, "events") or ReviewScan(name="events", last_event_id=0)
                session.add(scan)
                while True:
                    rows = connection.execute(
                        select(_EVENTS.c.id, _EVENTS.c.sender_id, _EVENTS.c.timestamp, _EVENTS.c.data)
                        .where(_EVENTS.c.id > scan.last_event_id, _EVENTS.c.type_name == "user")
                        .order_by(_EVENTS.c.id).limit(SCAN_BATCH)
                    ).all()
                    for event_id, sender_id, timestamp, data in rows:
                        item = self._item(connection, event_id, sender_id, timestamp, json.loads(data or "{}"))
                        if item is not None:
                            session.add(item)
                            added += 1
                    if len(rows) < SCAN_BATCH:
                        if rows:
                            scan.last_event_id = rows[-1][0]
                        break
                    scan.last_event_id = rows[-1][0]
                session.flush()
        return added

    def _item(self, connection: Connection, event_id: int, sender_id: str, timestamp: float | None,
              event: dict[str, Any]) -> ReviewItem | None:
        text = (event.get("text") or "").strip()
        unsure = uncertainty(event.get("parse_data") or {})
        if not text or text.startswith("/") or unsure is None or _in_a_flow(connection, sender_id, event_id):
            return None
        text = mask_phones(" ".join(text.split()))[:500]
        return ReviewItem(event_id=event_id, conversation_id=sender_id, text=text, group_key=group_key(text) or text,
                          predicted=unsure[0], confidence=unsure[1], status=WAITING,
                          said_at=datetime.fromtimestamp(timestamp or 0, timezone.utc))

    def groups(self, status: str = WAITING) -> list[Group]:
        """The messages of this status, grouped, the group with the newest message first."""
        with Session(self.engine, future=True) as session:
            withdrawn = select(Lead.conversation_id).where(Lead.anonymised_at.is_not(None))
            items = session.execute(
                select(ReviewItem).where(ReviewItem.status == status,
                                         ReviewItem.conversation_id.not_in(withdrawn))
                .order_by(ReviewItem.said_at.desc(), ReviewItem.id.desc())
            ).scalars().all()
        grouped: dict[str, list[ReviewItem]] = {}
        for item in items:
            grouped.setdefault(item.group_key, []).append(item)
        return [Group(key, list(dict.fromkeys(i.text for i in same)), len(same), same[0].said_at,
                      same[0].predicted, min((i.confidence for i in same if i.confidence is not None), default=None),
                      same[0].conversation_id)
                for key, same in grouped.items()]

    def label(self, key: str, action: str, intent: str | None, known_intents: Iterable[str], by: str) -> int:
        """Give every waiting message of the group an intent ("label"), or mark it out of scope or
        ignored; returns how many messages."""
        if action == "label" and intent not in set(known_intents):
            raise ReviewError("Anh/chị chọn một ý định có trong danh sách.")
        status = {"label": LABELLED, "out_of_scope": OUT_OF_SCOPE, "ignore": IGNORED}.get(action)
        if status is None:
            raise ReviewError("Thao tác không hợp lệ.")
        label = intent if action == "label" else OUT_OF_SCOPE_INTENT if action == "out_of_scope" else None
        with Session(self.engine, future=True) as session, session.begin():
            items = session.execute(
                select(ReviewItem).where(ReviewItem.group_key == key, ReviewItem.status == WAITING)
            ).scalars().all()
            at = now()
            for item in items:
                item.status, item.label, item.reviewed_by, item.reviewed_at = status, label, by, at
            return len(items)

    def counts(self) -> dict[str, int]:
        with Session(self.engine, future=True) as session:
            return dict(session.execute(select(ReviewItem.status, func.count(ReviewItem.id))
                                        .group_by(ReviewItem.status)).all())

    def export_yaml(self, already_trained: Iterable[str] = ()) -> str:
        """The labelled and out-of-scope examples as Rasa NLU training data (YAML), leaving out
        those already in the training data."""
        known = {group_key(t) + "\n" + fold(t) for t in already_trained}
        by_intent: dict[str, list[str]] = {}
        with Session(self.engine, future=True) as session:
            rows = session.execute(
                select(ReviewItem.label, ReviewItem.text).where(ReviewItem.status.in_((LABELLED, OUT_OF_SCOPE)))
                .order_by(ReviewItem.label, ReviewItem.id)
            ).all()
        for intent, text in rows:
            example = _plain(text)
            if example and group_key(example) + "\n" + fold(example) not in known:
                by_intent.setdefault(intent, [])
                if example not in by_intent[intent]:
                    by_intent[intent].append(example)
        blocks = [f"- intent: {intent}\n  examples: |\n" + "".join(f"    - {e}\n" for e in examples)
                  for intent, examples in sorted(by_intent.items())]
        header = ("# Examples labelled by trainers in the review inbox (bot review export).\n"
                  'version: "3.1"\n')
        return header + ("nlu:\n" + "".join(blocks) if blocks else "nlu: []\n")

    def story(self, conversation_id: str) -> str:
        """The conversation as a Rasa test story: each message with its intent (the trainer's label
        where there is one) and entities, and the assistant's actions. An answer given inside a
        callback request (a name, a phone number, a commune, a time) keeps only its intent; a
        conversation whose consent was withdrawn is refused (Withdrawn)."""
        if _withdrawn(self.engine, conversation_id):
            raise Withdrawn("Người dân đã rút lại đồng ý trong cuộc trò chuyện này: "
                            "không xuất được thành kịch bản kiểm thử.")
        with Session(self.engine, future=True) as session:
            labels = dict(session.execute(
                select(ReviewItem.event_id, ReviewItem.label).where(ReviewItem.conversation_id == conversation_id,
                                                                    ReviewItem.label.is_not(None))
            ).all())
        steps: list[dict[str, Any]] = []
        with self.engine.connect() as connection:
            if not _has_events(connection):
                raise ReviewError("Chưa có cuộc trò chuyện nào.")
            rows = connection.execute(
                select(_EVENTS.c.id, _EVENTS.c.type_name, _EVENTS.c.data)
                .where(_EVENTS.c.sender_id == conversation_id, _EVENTS.c.type_name.in_(("user", "action")))
                .order_by(_EVENTS.c.id)
            ).all()
            for event_id, type_name, data in rows:
                event = json.loads(data or "{}")
                if type_name == "action" and event.get("name") not in _SKIPPED_ACTIONS:
                    steps.append({"action": event["name"]})
                elif type_name == "user":
                    personal = _flow_at(connection, conversation_id, event_id) in (CALLBACK, CALLBACK_FORM)
                    steps.append(_user_step(event, labels.get(event_id), personal))
        if not any("action" in s for s in steps):
            raise ReviewError("Không tìm thấy cuộc trò chuyện này.")
        story = {"version": "3.1", "stories": [{"story": f"hội thoại {conversation_id}", "steps": steps}]}
        return yaml.safe_dump(story, allow_unicode=True, sort_keys=False, width=120)


def domain_intents(domain_file: Path = ROOT / "domain.yml") -> list[str]:
    return list(yaml.safe_load(domain_file.read_text(encoding="utf-8"))["intents"])


def trained_texts(data: Path = ROOT / "data" / "nlu") -> list[str]:
    return [e.text for e in load_examples(data)]


def _has_events(connection: Connection) -> bool:
    return connection.dialect.has_table(connection, "events")


def _in_a_flow(connection: Connection, sender_id: str, event_id: int) -> bool:
    """Was a form (a calculation, a callback request) under way when this message came?"""
    return _flow_at(connection, sender_id, event_id) is not None


def _flow_at(connection: Connection, sender_id: str, event_id: int) -> str | None:
    """The form (Rasa's active loop, e.g. CALLBACK_FORM) or the flow (the older `flow` slot: a
    calculation, or CALLBACK) under way when this event came, or None."""
    rows = connection.execute(
        select(_EVENTS.c.type_name, _EVENTS.c.data)
        .where(_EVENTS.c.sender_id == sender_id, _EVENTS.c.type_name.in_(("slot", "active_loop")),
               _EVENTS.c.id < event_id).order_by(_EVENTS.c.id.desc())
    ).all()
    for type_name, data in rows:
        event = json.loads(data or "{}")
        if type_name == "active_loop":
            return event.get("name")
        if event.get("name") == FLOW_SLOT:
            return event.get("value")
    return None


def _withdrawn(engine: Engine, conversation_id: str) -> bool:
    """Did the citizen withdraw consent in this conversation? Its lead anonymised, or one of its
    consent records withdrawn (the consent names the conversation that gave it)."""
    with Session(engine, future=True) as session:
        lead = select(Lead.id).where(Lead.conversation_id == conversation_id, Lead.anonymised_at.is_not(None))
        consent = select(Consent.id).where(Consent.conversation_id == conversation_id,
                                           Consent.withdrawn_at.is_not(None))
        return session.execute(lead.union_all(consent).limit(1)).first() is not None


def _plain(text: str) -> str:
    """One line that Rasa's YAML reader cannot take for entity annotations."""
    return " ".join(re.sub(r"[\[\]{}]", " ", text).split())


def _user_step(event: dict[str, Any], label: str | None, personal: bool) -> dict[str, Any]:
    """`personal`: an answer to the callback request, whose words and entities are left out."""
    text = event.get("text") or ""
    parse = event.get("parse_data") or {}
    intent = label or (parse.get("intent") or {}).get("name")
    if intent == FALLBACK:
        intent = (uncertainty(parse) or (None, None))[0] or OUT_OF_SCOPE_INTENT
    if personal or text.startswith("/"):
        return {"intent": intent}
    return {"user": mask_phones(_annotated(text, parse.get("entities") or [])), "intent": intent}


def _annotated(text: str, entities: list[dict[str, Any]]) -> str:
    """The text with Rasa's entity annotations: [words]{"entity": "amount", "value": 5000000}."""
    spans = sorted((e for e in entities if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)),
                   key=lambda e: e["start"], reverse=True)
    for e in spans:
        said = text[e["start"]:e["end"]]
        if not said or "[" in said or "]" in said:
            continue
        spec = json.dumps({"entity": e["entity"], "value": e.get("value", said)}, ensure_ascii=False)
        text = text[:e["start"]] + f"[{said}]{spec}" + text[e["end"]:]
    return text
