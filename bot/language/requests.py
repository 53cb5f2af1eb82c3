"""Messages that are requests about the conversation itself rather than questions: leaving what is in
progress ("thôi", "hủy"), withdrawing consent ("xóa thông tin của tôi"), seeing what is stored
("thông tin của tôi"), an empty or emoji-only message, one too long to answer. They are read by
patterns, not by the classifier, because a mistake costs too much (erasing data, or missing a
request to erase it). bot/nlu/special.py turns them into intents."""
from __future__ import annotations

import re

from bot.language.text import MAX_QUESTION_CHARS, clean_message, fold, has_words

STOP, WITHDRAW_CONSENT, SHOW_MY_DATA, EMPTY, TOO_LONG = (
    "stop", "withdraw_consent", "show_my_data", "empty_message", "too_long")

# "thôi", "hủy", "thôi không cần nữa ạ": a cancel word and nothing but filler words.
_CANCEL = re.compile(r"^\W*(?:thoi|huy|huy bo|dung lai|khoi|stop|cancel|khong can nua|khong tinh nua)"
                     r"(?:\W+(?:a|nhe|nha|em|di|ban|oi|khong|can|nua|tinh|thoi|vay|roi|ok|cam|on|minh|toi|huy))*\W*$")
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


def is_cancel(text: str) -> bool:
    return bool(_CANCEL.match(fold(text)))


def wants_withdrawal(text: str) -> bool:
    return bool(_WITHDRAW.search(fold(text)))


def wants_my_data(text: str) -> bool:
    return bool(_MY_DATA.search(fold(text)))


def special_request(text: str | None) -> str | None:
    """The intent of a message that is a request about the conversation, or None for the classifier."""
    cleaned = clean_message(text, max_chars=MAX_QUESTION_CHARS + 1)
    if not has_words(cleaned):
        return EMPTY
    if len(cleaned) > MAX_QUESTION_CHARS:
        return TOO_LONG
    if wants_withdrawal(cleaned):
        return WITHDRAW_CONSENT
    if wants_my_data(cleaned):
        return SHOW_MY_DATA
    if is_cancel(cleaned):
        return STOP
    return None
