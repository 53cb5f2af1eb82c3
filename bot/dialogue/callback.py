"""The callback request as the Rasa form `callback_form` asks it (actions/callback.py): consent
first, then name, phone, province, commune and a time to call (the last two may be skipped), then a
summary to confirm or correct; the lead is recorded for the provincial BHXH office. "thôi" abandons
it (nothing stored); "xóa thông tin của tôi" withdraws consent and erases the conversation at any
time; "thông tin của tôi" shows what is stored (actions/privacy.py).

Pure Python apart from the LeadDesk it is given, which stores."""
from __future__ import annotations

import hashlib
import math
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Mapping, Protocol

from bot.dialogue.calculations import ask_which_province, is_short
from bot.dialogue.replies import Reply, Step
from bot.language.phones import find_phones, normalise_phone
from bot.language.provinces import province_by_name, resolve_province
from bot.language.requests import EMPTY, SHOW_MY_DATA, STOP, TOO_LONG, WITHDRAW_CONSENT, special_request
from bot.language.target_groups import groups
from bot.language.text import fold
from bot.leads.checks import InvalidLead, LeadRequest, check
from bot.leads.follow_up import FollowUp, FollowUpUnavailable
from bot.policy.clock import VIETNAM
from bot.policy.formatting import money
from bot.privacy.retention import Retention
from bot.privacy.stored import StoredLead

FORM = "callback_form"
# The consent text: what is stored, why, who sees it, for how long, then the rights and the question.
CONSENT_NOTICE, CONSENT_RESPONSE = "utter_consent_notice", "utter_ask_consent"
# Bump when the consent text in domain.yml changes: each consent record names the version shown.
CONSENT_VERSION = "2026-11-v2"
CONSENT, CONFIRMED = "consent_at", "callback_confirmed"
FIELDS = ("full_name", "phone", "province", "commune", "preferred_time")
REQUIRED = (CONSENT, *FIELDS, CONFIRMED)  # the form's slots, asked in this order
# What belongs to one request and is forgotten when it ends; name, phone and province stay (the
# user said them of themselves: a later request does not ask them again).
REQUEST_SLOTS = (CONSENT, "commune", "preferred_time", CONFIRMED)
SKIPPED = ""  # an optional field the user chose not to give
LABELS = {"full_name": "Họ tên", "phone": "Số điện thoại", "province": "Tỉnh/thành phố",
          "commune": "Xã/phường", "preferred_time": "Thời gian gọi"}
TOPICS = {
    "ask_contribution": "mức đóng", "ask_state_support": "Nhà nước hỗ trợ", "ask_payment_method": "cách đóng",
    "ask_pension": "lương hưu", "ask_retirement_age": "tuổi nghỉ hưu", "ask_make_up_payment": "đóng bù",
    "ask_benefits": "quyền lợi", "ask_lump_sum": "rút một lần", "ask_survivor": "tử tuất",
    "ask_maternity": "thai sản", "ask_health_insurance": "BHYT", "ask_registration": "đăng ký tham gia",
    "ask_eligibility": "điều kiện tham gia", "ask_compare": "so sánh", "ask_pause": "tạm dừng đóng",
}
_YES = re.compile(r"^\W*(?:co|dong y|ok|oke|duoc|vang|u|uh|yes|dung|dung roi|chinh xac|gui|gui di|xac nhan)\b")
_NO = re.compile(r"^\W*(?:khong|ko|khong dong y|thoi|no)\b")
_SKIP = re.compile(r"^\W*(?:khong|ko|bo qua|khong can|luc nao cung duoc|sao cung duoc|gio nao cung duoc)\W*$")
_CORRECT = re.compile(r"\b(?:sua|doi|nham|sai)\b")
_FIELD_WORDS = [("phone", r"\b(?:so|sdt|dien thoai)\b"), ("full_name", r"\bten\b"),
                ("commune", r"\b(?:xa|phuong)\b"), ("province", r"\b(?:tinh|thanh pho)\b"),
                ("preferred_time", r"\b(?:gio|thoi gian|luc)\b")]
_NAME = re.compile(r"^[^\W\d_]+(?:[\s'-]+[^\W\d_]+){0,5}$")
MAX_FREE_TEXT = 120
# Income and target group come from earlier in the conversation, not from the form (any amount the
# citizen mentioned fills the income slot): one the law does not allow is left out of the lead.
CONTEXT = ("income", "target_group")
NOT_RECORDED = ("em chưa gửi được yêu cầu gọi lại lúc này. Anh/chị vui lòng thử lại sau, "
                "hoặc gọi tổng đài {hotline} ạ.")
PHONE_HELP = ("số điện thoại này chưa đúng. Anh/chị nhập số di động 10 số bắt đầu bằng 03, 05, 07, 08 "
              "hoặc 09 (ví dụ 0912 345 678), hoặc số cố định bắt đầu bằng 02.")
# A message is an answer when it is short or classified as one of these; a longer question is a new
# question, which the form leaves to the rules (they answer it, then the form asks again).
_NOT_A_NEW_QUESTION = {None, "inform", "affirm", "deny", "nlu_fallback", "out_of_scope"}
# Messages the rules handle whatever the form asked (bot/nlu/special.py sets these intents).
SPECIAL_INTENTS = {STOP, WITHDRAW_CONSENT, SHOW_MY_DATA, EMPTY, TOO_LONG}
# A bare name is read as a name only when the message was not classified as a question, or when it
# starts with a common family name ("Nguyễn Văn An" may look like a question to the classifier).
ANSWER_INTENTS = {None, "inform", "nlu_fallback", "out_of_scope", "affirm", "deny", "greet"}
_SURNAMES = {fold(n) for n in (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đinh Lò Hà Mai Trịnh "
    "Cao Lương Tô Lâm Quách Tạ Thái Chu Đoàn Vương Triệu Kiều La Phùng Tăng Lưu Nông Hứa Giáp Lục").split()}


class LeadDesk(Protocol):
    def record(self, request: LeadRequest) -> bool: ...  # InvalidLead: it cannot be recorded
    def withdraw(self, conversation_id: str) -> int | None: ...  # None: queued, the database is down
    def stored_about(self, conversation_id: str) -> list[StoredLead] | None: ...  # None: the database is down
    def follow_up(self, conversation_id: str) -> FollowUp | None: ...  # FollowUpUnavailable: the database is down


@dataclass(frozen=True)
class Conversation:
    id: str
    channel: str
    intents: list[str] = field(default_factory=list)  # the user's intents so far, oldest first


@dataclass(frozen=True)
class Message:
    intent: str | None
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def consent_sha256(responses: Mapping[str, list[dict[str, Any]]]) -> str:
    text = "\n".join(responses[name][0]["text"] for name in (CONSENT_NOTICE, CONSENT_RESPONSE))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the form: what a message answers, and the questions --------------------------------------

def start(known: Mapping[str, Any], candidates: Mapping[str, Any]) -> dict[str, Any]:
    """The slots to set when the form starts: a new request (consent asked again, commune and
    time forgotten), and what the user already said of themselves kept when it can be used."""
    slots = {name: None for name in REQUEST_SLOTS if known.get(name) is not None}
    for name, value in candidates.items():
        if name in ("full_name", "phone", "province"):
            slots[name] = _valid(name, value)[0]
    return slots


def read(requested: str | None, message: Message, candidates: Mapping[str, Any], known: Mapping[str, Any],
         consent_sha: str = "", conversation: Conversation | None = None, now: datetime | None = None) -> Step | None:
    """The slots an answer to the question `requested` sets (None asks a field again) and what to
    say first; None when the message is not an answer (a new question, "thôi", "thông tin của
    tôi"...): the rules answer it, then the form asks its question again. `candidates` are the
    slots Rasa filled from this message's entities; `known` all the slots, candidates included."""
    if _not_an_answer(message):
        return None
    if message.intent == "request_callback" and requested:
        return Step([], {requested: None})  # asked for again while it is in progress: the question again
    slots: dict[str, Any] = {}
    replies: list[Reply] = []
    for name, value in candidates.items():
        slots[name], problem = _valid(name, value)
        replies += [problem] if problem else []
    if requested == CONSENT:
        step = _consent(message, now)
    elif requested == CONFIRMED:
        step = _confirmation(message, slots, {**known, **slots}, consent_sha, conversation)
    elif requested in FIELDS:
        step = _field(requested, message, slots, bool(replies))
    else:
        step = Step([])
    return Step(replies + step.replies, {**slots, **step.slots})


def is_new_question(message: Message) -> bool:
    """A longer message classified as a question, or the payload of a question's button."""
    return message.intent not in _NOT_A_NEW_QUESTION | {"request_callback"} and (
        not is_short(message.text) or message.text.startswith("/"))


def _not_an_answer(message: Message) -> bool:
    return message.intent in SPECIAL_INTENTS or bool(special_request(message.text)) or is_new_question(message)


def _consent(message: Message, now: datetime | None) -> Step:
    folded = fold(message.text)
    if message.intent == "affirm" or _YES.match(folded):
        return Step([], {CONSENT: (now or datetime.now(timezone.utc)).isoformat()})
    if message.intent == "deny" or _NO.match(folded):
        return Step([], {CONSENT: None, "requested_slot": None})  # the form ends: nothing is recorded
    return Step([Reply("utter_flow_not_understood")], {CONSENT: None})


def _confirmation(message: Message, slots: dict[str, Any], state: Mapping[str, Any], consent_sha: str,
                  conversation: Conversation | None) -> Step:
    """A yes confirms (once the typed fields pass the lead's checks), a correction asks that field
    again; a new value (in `slots`) replaces the old one and the summary is shown again."""
    folded = fold(message.text)
    to_correct = _field_to_correct(folded, message.entities)
    if to_correct and to_correct not in slots:
        return Step([], {to_correct: None})
    if slots:
        return Step([])
    if message.intent == "affirm" or _YES.match(folded):
        typed = _typed_field_refused(state, consent_sha, conversation or Conversation("", "rest"))
        if typed:
            return Step([_refused(typed)], {typed: None})
        return Step([], {CONFIRMED: True})
    return Step([Reply("utter_flow_not_understood")], {CONFIRMED: None})


def _field(requested: str, message: Message, slots: Mapping[str, Any], had_problem: bool) -> Step:
    """The answer to a field's question: from this message's entities (already in `slots`) or
    its text. A province the user must choose among, or a problem already explained, is asked
    again without more ado."""
    if requested in slots:
        if slots[requested] is None and not had_problem and requested != "province":
            return Step([Reply("utter_flow_not_understood")], {})
        return Step([])
    value, problem = _read(requested, message)
    if problem:
        return Step([problem], {requested: None})
    if value is None:
        return Step([Reply("utter_flow_not_understood")], {requested: None})
    return Step([], {requested: value})


def _valid(name: str, value: Any) -> tuple[Any, Reply | None]:
    """A slot Rasa filled from an entity, as the request keeps it, or None and why."""
    if value is None:
        return None, None
    if name == "phone":
        phone = normalise_phone(str(value))
        return (phone, None) if phone else (None, Reply("utter_invalid_value", {"message": PHONE_HELP}))
    if name == "province":
        match = resolve_province(str(value))
        return (match.province.name, None) if match and match.province else (None, None)
    if name == "full_name":
        return " ".join(str(value).split()) or None, None
    return value, None


def _read(asked: str, message: Message) -> tuple[Any, Reply | None]:
    """The answer to `asked` read from the text (its entities went through `_valid`): (value, None),
    (None, a reply explaining the problem) or (None, None) when nothing was read."""
    text, intent = message.text, message.intent
    if asked == "full_name":
        name = text.strip(" .,!")
        place = resolve_province(name)
        if place and place.end - place.start == len(name):
            return None, None  # a province ("ha tay"), not a name
        plausible = intent in ANSWER_INTENTS or fold(name).split(" ", 1)[0] in _SURNAMES
        if plausible and 2 <= len(name) <= 60 and _NAME.match(name):
            return " ".join(w[:1].upper() + w[1:] for w in name.split()), None
        return None, None
    if asked == "phone":
        return None, Reply("utter_invalid_value", {"message": PHONE_HELP}) if re.search(r"\d", text) else None
    if asked == "province":
        return None, None  # a province is read from its entity
    if _SKIP.match(fold(text)):
        return SKIPPED, None
    if _answers_another_question(text):
        return None, None
    return " ".join(text.split())[:MAX_FREE_TEXT], None  # one line: the lead refuses control characters


def _answers_another_question(text: str) -> bool:
    """A phone number, bare digits or a province alone is no commune and no time to call: the
    citizen answered an earlier question again ("Phường 12", "sau 5 giờ" are answers)."""
    if find_phones(text) or not any(c.isalpha() for c in text):
        return True
    answer = text.strip(" .,!")
    place = resolve_province(answer)
    return bool(place and place.start == 0 and place.end == len(answer))


def _field_to_correct(folded: str, entities: list[dict[str, Any]]) -> str | None:
    for e in entities:
        if e.get("entity") == "field" and e.get("value") in FIELDS:
            return str(e["value"])
    if _CORRECT.search(folded):
        return next((name for name, words in _FIELD_WORDS if re.search(words, folded)), None)
    return None


def province_question(message: Message | None) -> Reply:
    """Which province, with one button per province when the user named an ambiguous one ("ĐN")."""
    said = next((str(e.get("value")) for e in (message.entities if message else []) if e.get("entity") == "province"), None)
    match = resolve_province(said) if said else None
    if match and match.province is None:
        return ask_which_province(match, {})
    return Reply("utter_ask_province")


def consent_question(asked_before: bool) -> list[Reply]:
    """The notice and the question; the question alone when asked again."""
    variables = Retention.from_env().figures()
    question = Reply(CONSENT_RESPONSE, variables)
    return [question] if asked_before else [Reply(CONSENT_NOTICE, variables), question]


def summary(state: Mapping[str, Any]) -> Reply:
    return Reply("utter_callback_summary", {"summary": _lines([(LABELS[name], state.get(name)) for name in FIELDS])})


# --- the request recorded ---------------------------------------------------------------------

def submit(state: Mapping[str, Any], conversation: Conversation, consent_sha: str, desk: LeadDesk,
           hotline: str) -> Step:
    """The form ended: record a confirmed request, or say that nothing was stored (consent
    refused). Either way the request's own slots are forgotten."""
    cleared = {name: None for name in REQUEST_SLOTS}
    if not (state.get(CONFIRMED) and state.get(CONSENT)):
        return Step([Reply("utter_no_consent")], cleared)
    request = _without_unlawful_context(lead_request(state, conversation, consent_sha))
    try:
        stored = desk.record(request)  # stored now, or durably queued: recorded either way
    except InvalidLead:
        return Step([Reply("utter_invalid_value", {"message": NOT_RECORDED.format(hotline=hotline)})], cleared)
    found = _follow_up(desk, conversation.id) if stored else None
    if found is None:  # queued: the code is drawn when it reaches the database
        return Step([Reply("utter_callback_recorded_queued", {"office": request.office})], cleared)
    return Step([Reply("utter_callback_recorded", {"office": request.office, "reference": found.reference})], cleared)


def _follow_up(desk: LeadDesk, conversation_id: str) -> FollowUp | None:
    try:
        return desk.follow_up(conversation_id)
    except FollowUpUnavailable:
        return None


def lead_request(state: Mapping[str, Any], conversation: Conversation, consent_sha: str) -> LeadRequest:
    province = province_by_name(str(state.get("province")))
    topics = list(dict.fromkeys(TOPICS[i] for i in conversation.intents if i in TOPICS))
    income = state.get("income")
    return LeadRequest(
        submission_id=uuid.uuid4().hex,
        full_name=str(state.get("full_name") or ""), phone=str(state.get("phone") or ""),
        province=province.name if province else str(state.get("province") or ""),
        office=province.office if province else "",
        commune=state.get("commune") or None, preferred_time=state.get("preferred_time") or None,
        channel=conversation.channel, conversation_id=conversation.id,
        consent_version=CONSENT_VERSION, consent_sha256=consent_sha,
        consent_given_at=str(state.get(CONSENT)),
        income=int(income) if isinstance(income, (int, float)) and math.isfinite(income) and income else None,
        target_group=state.get("target_group"), interests=topics,
    )


def _typed_field_refused(state: Mapping[str, Any], consent_sha: str, conversation: Conversation) -> str | None:
    """The first field the citizen typed that the lead's checks refuse, if any."""
    try:
        check(lead_request(state, conversation, consent_sha))
    except InvalidLead as error:
        return next((name for name in FIELDS if name in error.problems), None)
    return None


def _refused(typed: str) -> Reply:
    message = PHONE_HELP if typed == "phone" else f"{LABELS[typed].lower()} vừa nhập chưa đúng, anh/chị nhập lại giúp em ạ."
    return Reply("utter_invalid_value", {"message": message})


def _without_unlawful_context(request: LeadRequest) -> LeadRequest:
    try:
        check(request)
    except InvalidLead as error:
        return replace(request, **{name: None for name in CONTEXT if name in error.problems})
    return request


# --- the citizen's rights: what is stored, and its erasure -------------------------------------

def withdraw(conversation_id: str, desk: LeadDesk) -> Reply:
    """Erase what the conversation stored (the caller clears the slots too, so that nothing Rasa
    saves after this turn holds what was erased)."""
    withdrawn = desk.withdraw(conversation_id)
    if withdrawn is None:
        return Reply("utter_withdrawal_queued")
    return Reply("utter_consent_withdrawn" if withdrawn else "utter_nothing_to_withdraw")


def my_data(conversation_id: str, desk: LeadDesk) -> list[Reply]:
    """What is stored about this conversation, in the chat: the citizen owns it, so nothing is masked."""
    stored = desk.stored_about(conversation_id)
    variables = Retention.from_env().figures()
    if stored is None:
        return [Reply("utter_my_data_unavailable", variables)]
    if not stored:
        return [Reply("utter_my_data_none", variables)]
    return [reply for lead in stored for reply in (
        Reply("utter_my_data", {**variables, "stored_contact": _lines(_contact(lead))}),
        Reply("utter_my_data_2", {**variables, "stored_request": _lines(_request(lead))}))]


def _contact(lead: StoredLead) -> list[tuple[str, str | None]]:
    return [(LABELS[name], getattr(lead, name)) for name in FIELDS]


def _request(lead: StoredLead) -> list[tuple[str, str | None]]:
    group = groups().get(lead.target_group or "")
    consent = (f"{lead.consent_given_at.astimezone(VIETNAM):%d/%m/%Y %H:%M} (nội dung phiên bản {lead.consent_version})"
               if lead.consent_given_at else None)
    return [("Thu nhập", money(lead.income) if lead.income else None), ("Nhóm đối tượng", group.label if group else None),
            ("Chủ đề đã hỏi", ", ".join(lead.interests) or None), ("Trạng thái", lead.status),
            ("Đồng ý lúc", consent)]


def _lines(pairs: list[tuple[str, str | None]]) -> str:
    return "\n".join(f"• {label}: {value}" for label, value in pairs if value)
