"""The callback request: consent first, then name, phone, province, commune and a time to call,
a summary to confirm or correct, and the lead recorded for the provincial BHXH office. "hủy"
abandons it (nothing stored); "xóa thông tin của tôi" withdraws consent and erases the conversation
at any time; "thông tin của tôi" shows what is stored (bot/privacy/).

State lives in Rasa slots (flow = "callback", the fields below, consent_at); pure Python apart from
the LeadDesk it is given, which stores."""
from __future__ import annotations

import hashlib
import math
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Mapping, Protocol

from bot.dialogue import scenarios
from bot.policy.clock import VIETNAM
from bot.dialogue.calculations import CALLBACK, FACTS, FLOW_SLOT, FLOW_STATE, Reply, Step, ask_which_province, is_cancel
from bot.policy.formatting import money
from bot.leads.checks import InvalidLead, LeadRequest, check
from bot.privacy.retention import Retention
from bot.privacy.stored import StoredLead
from bot.language.provinces import province_by_name, resolve_province
from bot.language.target_groups import groups
from bot.language.text import fold

# The consent text: what is stored, why, who sees it, for how long, then the rights and the question.
CONSENT_NOTICE, CONSENT_RESPONSE = "utter_consent_notice", "utter_ask_consent"
# Bump when the consent text in domain.yml changes: each consent record names the version shown.
CONSENT_VERSION = "2026-11-v2"
FIELDS = ("full_name", "phone", "province", "commune", "preferred_time")
OPTIONAL = ("commune", "preferred_time")
SLOTS = ("consent_at", *FIELDS)
SKIPPED = ""  # an optional field the user chose not to give
SLOT_OF_ENTITY = {"person_name": "full_name", "phone": "phone", "province": "province"}
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
_WITHDRAW = re.compile(
    r"\b(?:xoa|huy)\s+(?:het\s+)?(?:thong tin|du lieu|so dien thoai|sdt)\b"
    r"|\bkhong\s+muon\s+(?:duoc\s+|bi\s+)?(?:goi|lien lac)"
    r"|\b(?:rut lai|thu hoi)\s+(?:su\s+)?dong y\b|\bdung\s+goi\b"
)
# "thông tin của tôi" alone, or asking what is stored or to see one's data ("em đang lưu gì về tôi",
# "cho tôi xem dữ liệu của tôi"); never a correction ("sửa thông tin") nor a question about the scheme.
_MY_DATA = re.compile(
    r"^\W*(?:(?:cho\s+(?:toi|em|minh)\s+)?xem\s+)?(?:thong tin|du lieu)\s+(?:ca nhan\s+)?(?:cua\s+)?(?:toi|minh)\W*$"
    r"|\b(?:luu|giu)\s+(?:nhung\s+)?(?:(?:thong tin|du lieu)\s+)?(?:gi|j|nao)\s+(?:ve|cua)\s+(?:toi|minh)\b"
    r"|\bxem\s+(?:lai\s+)?(?:thong tin|du lieu)\s+(?:ca nhan\s+)?(?:cua\s+)?(?:toi|minh)\b"
)
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


@dataclass(frozen=True)
class Conversation:
    id: str
    channel: str
    intents: list[str] = field(default_factory=list)  # the user's intents so far, oldest first


def consent_sha256(responses: Mapping[str, list[dict[str, Any]]]) -> str:
    text = "\n".join(responses[name][0]["text"] for name in (CONSENT_NOTICE, CONSENT_RESPONSE))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def wants_withdrawal(text: str) -> bool:
    return bool(_WITHDRAW.search(fold(text)))


def withdraw(conversation: Conversation, desk: LeadDesk) -> Step:
    """Erase what the conversation stored; the slots too, so that nothing Rasa saves after this
    turn holds what was erased."""
    cleared = {name: None for name in (*SLOTS, *FACTS, *scenarios.SLOTS, *FLOW_STATE)}
    withdrawn = desk.withdraw(conversation.id)
    if withdrawn is None:
        return Step([Reply("utter_withdrawal_queued")], cleared)
    if withdrawn:
        return Step([Reply("utter_consent_withdrawn")], cleared)
    return Step([Reply("utter_nothing_to_withdraw")], cleared)


def wants_my_data(text: str) -> bool:
    return bool(_MY_DATA.search(fold(text)))


def my_data(conversation: Conversation, desk: LeadDesk, known: Mapping[str, Any], figures: dict[str, str]) -> Step:
    """What is stored about this conversation, in the chat: the citizen owns it, so nothing is
    masked. A callback request in progress is asked for again afterwards."""
    stored = desk.stored_about(conversation.id)
    variables = {**figures, **Retention.from_env().figures()}
    if stored is None:
        replies = [Reply("utter_my_data_unavailable", variables)]
    elif not stored:
        replies = [Reply("utter_my_data_none", variables)]
    else:
        replies = [reply for lead in stored for reply in (
            Reply("utter_my_data", {**variables, "stored_contact": _lines(_contact(lead))}),
            Reply("utter_my_data_2", {**variables, "stored_request": _lines(_request(lead))}))]
    if known.get(FLOW_SLOT) == CALLBACK:
        state = {name: known.get(name) for name in SLOTS}
        replies.append(Reply(CONSENT_RESPONSE, variables) if not state["consent_at"]
                       else _ask_next(state, {}, figures, []).replies[0])
    return Step(replies)


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


def start(figures: dict[str, str]) -> Step:
    variables = {**figures, **Retention.from_env().figures()}
    return Step([Reply(CONSENT_NOTICE, variables), Reply(CONSENT_RESPONSE, variables)],
                {FLOW_SLOT: CALLBACK, "consent_at": None})


def next_step(intent: str | None, text: str, entities: list[dict[str, Any]], known: Mapping[str, Any],
              figures: dict[str, str], conversation: Conversation, responses: Mapping[str, Any],
              desk: LeadDesk, now: datetime | None = None) -> Step:
    """The reply to a message while the callback request is in progress."""
    folded = fold(text)
    if is_cancel(text):
        return Step([Reply("utter_callback_cancelled", figures)], {FLOW_SLOT: None, "consent_at": None})
    state = {name: known.get(name) for name in SLOTS}
    slots: dict[str, Any] = {}
    if not state["consent_at"]:
        if intent == "affirm" or _YES.match(folded):
            at = (now or datetime.now(timezone.utc)).isoformat()
            state["consent_at"] = slots["consent_at"] = at
        elif intent == "deny" or _NO.match(folded):
            return Step([Reply("utter_no_consent", figures)], {FLOW_SLOT: None})
        else:
            return Step([Reply("utter_flow_not_understood", figures), Reply(CONSENT_RESPONSE, figures)])
        return _ask_next(state, slots, figures, [])
    # Rasa has already put this message's entities into the slots: the question it answers is
    # the first one missing without them.
    said_now = {SLOT_OF_ENTITY[e["entity"]] for e in entities if e.get("entity") in SLOT_OF_ENTITY}
    asked = _missing({**state, **{name: None for name in said_now}})
    if asked is None:  # the summary was shown: a yes records, a correction asks that field again
        to_correct = _field_to_correct(folded, entities)
        if to_correct:
            slots[to_correct] = state[to_correct] = None
            return _ask_next(state, slots, figures, [])
        if intent == "affirm" or _YES.match(folded):
            return _record(state, figures, conversation, responses, desk, known)
        return Step([Reply("utter_flow_not_understood", figures), _summary(state, figures)])
    value, problem = _read(asked, intent, text, folded, entities)
    if problem:
        return Step([problem, _question(asked, figures)] if problem.response != "utter_ask_which_province" else [problem])
    if value is None:
        return Step([Reply("utter_flow_not_understood", figures), _question(asked, figures)])
    state[asked] = slots[asked] = value
    return _ask_next(state, slots, figures, [])


def _missing(state: Mapping[str, Any]) -> str | None:
    return next((name for name in FIELDS if state.get(name) is None or (
        name == "province" and state[name] is not None and province_by_name(str(state[name])) is None)), None)


def _ask_next(state: Mapping[str, Any], slots: dict[str, Any], figures: dict[str, str], replies: list[Reply]) -> Step:
    asked = _missing(state)
    if asked is None:
        return Step(replies + [_summary(state, figures)], slots)
    return Step(replies + [_question(asked, figures)], slots)


def _question(asked: str, figures: dict[str, str]) -> Reply:
    return Reply(f"utter_ask_{asked}", figures)


def _summary(state: Mapping[str, Any], figures: dict[str, str]) -> Reply:
    summary = _lines([(LABELS[name], state.get(name)) for name in FIELDS])
    return Reply("utter_callback_summary", {**figures, "summary": summary})


def _read(asked: str, intent: str | None, text: str, folded: str,
          entities: list[dict[str, Any]]) -> tuple[Any, Reply | None]:
    """(value, None), (None, a reply explaining the problem) or (None, None) when nothing was read."""
    said = {e.get("entity"): e.get("value") for e in reversed(entities)}
    if asked == "full_name":
        if said.get("person_name"):
            return said["person_name"], None
        name = text.strip(" .,!")
        place = resolve_province(name)
        if place and place.end - place.start == len(name):
            return None, None  # a province ("ha tay"), not a name
        plausible = intent in ANSWER_INTENTS or fold(name).split(" ", 1)[0] in _SURNAMES
        if plausible and 2 <= len(name) <= 60 and _NAME.match(name):
            return " ".join(w[:1].upper() + w[1:] for w in name.split()), None
        return None, None
    if asked == "phone":
        if said.get("phone"):
            return said["phone"], None
        if re.search(r"\d", text):
            return None, Reply("utter_invalid_value", {"message": PHONE_HELP})
        return None, None
    if asked == "province":
        match = resolve_province(str(said.get("province") or text))
        if match is None:
            return None, None
        if match.province is None:
            return None, ask_which_province(match, {})
        return match.province.name, None
    if _SKIP.match(folded):
        return SKIPPED, None
    return " ".join(text.split())[:MAX_FREE_TEXT], None  # one line: the lead refuses control characters


def _field_to_correct(folded: str, entities: list[dict[str, Any]]) -> str | None:
    for e in entities:
        if e.get("entity") == "field" and e.get("value") in FIELDS:
            return str(e["value"])
    if _CORRECT.search(folded):
        return next((name for name, words in _FIELD_WORDS if re.search(words, folded)), None)
    return None


def _record(state: Mapping[str, Any], figures: dict[str, str], conversation: Conversation,
            responses: Mapping[str, Any], desk: LeadDesk, known: Mapping[str, Any]) -> Step:
    province = province_by_name(str(state["province"]))
    assert province is not None  # _missing guarantees it
    topics = list(dict.fromkeys(TOPICS[i] for i in conversation.intents if i in TOPICS))
    income = known.get("income")
    request = _without_unlawful_context(LeadRequest(
        submission_id=uuid.uuid4().hex,
        full_name=str(state["full_name"]), phone=str(state["phone"]),
        province=province.name, office=province.office,
        commune=state["commune"] or None, preferred_time=state["preferred_time"] or None,
        channel=conversation.channel, conversation_id=conversation.id,
        consent_version=CONSENT_VERSION, consent_sha256=consent_sha256(responses),
        consent_given_at=str(state["consent_at"]),
        income=int(income) if isinstance(income, (int, float)) and math.isfinite(income) and income else None,
        target_group=known.get("target_group"), interests=topics,
    ))
    try:
        desk.record(request)  # stored now, or durably queued: recorded either way
    except InvalidLead as error:
        return _not_recorded(error, figures)
    cleared = {name: None for name in ("consent_at", "commune", "preferred_time")} | {FLOW_SLOT: None}
    return Step([Reply("utter_callback_recorded", {**figures, "office": province.office})], cleared)


def _without_unlawful_context(request: LeadRequest) -> LeadRequest:
    try:
        check(request)
    except InvalidLead as error:
        return replace(request, **{name: None for name in CONTEXT if name in error.problems})
    return request


def _not_recorded(error: InvalidLead, figures: dict[str, str]) -> Step:
    """A field the citizen typed that cannot be stored is asked again; anything else is our
    problem: say so politely and end the request (nothing was stored)."""
    typed = next((name for name in FIELDS if name in error.problems), None)
    if typed:
        message = PHONE_HELP if typed == "phone" else f"{LABELS[typed].lower()} vừa nhập chưa đúng, anh/chị nhập lại giúp em ạ."
        return Step([Reply("utter_invalid_value", {**figures, "message": message}), _question(typed, figures)],
                    {typed: None})
    return Step([Reply("utter_invalid_value", {**figures, "message": NOT_RECORDED.format(hotline=figures["hotline"])})],
                {FLOW_SLOT: None, "consent_at": None})
