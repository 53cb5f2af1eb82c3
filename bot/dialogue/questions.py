"""A button payload that names a question intent alone ("/ask_contribution": older buttons, a Messenger
menu) as the question it stands for. Rasa does not run the NLU on a "/intent" payload, so the
ResponseSelector would choose no answer and the retrieval action would send nothing; the question's
words go through the NLU like a typed message. Each question is a training example of its intent
(tests/test_responses.py checks the buttons' own payloads the same way)."""
from __future__ import annotations

import re

QUESTIONS = {
    "ask_overview": "BHXH tự nguyện là gì?",
    "ask_eligibility": "Ai được tham gia BHXH tự nguyện?",
    "ask_contribution": "Đóng BHXH tự nguyện bao nhiêu tiền một tháng?",
    "ask_state_support": "Nhà nước hỗ trợ tiền đóng bao nhiêu?",
    "ask_payment_method": "Đóng tiền BHXH tự nguyện ở đâu, bằng cách nào?",
    "ask_make_up_payment": "Có được đóng bù những năm còn thiếu không?",
    "ask_benefits": "Tham gia BHXH tự nguyện được những quyền lợi gì?",
    "ask_pension": "Điều kiện để được hưởng lương hưu là gì?",
    "ask_retirement_age": "Bao nhiêu tuổi thì được nghỉ hưu?",
    "ask_lump_sum": "Khi nào được rút BHXH một lần?",
    "ask_survivor": "Người tham gia mất thì gia đình được hưởng gì?",
    "ask_maternity": "BHXH tự nguyện có chế độ thai sản không?",
    "ask_health_insurance": "BHXH tự nguyện có được thẻ BHYT không?",
    "ask_registration": "Đăng ký tham gia BHXH tự nguyện ở đâu?",
    "ask_compare": "BHXH tự nguyện khác BHXH bắt buộc thế nào?",
    "ask_pause": "Có được tạm dừng đóng BHXH tự nguyện không?",
    "ask_contact": "Liên hệ cơ quan BHXH ở đâu?",
}
_BARE_PAYLOAD = re.compile(r"^/(\w+)\s*$")


def as_question(text: str) -> str:
    """The question a bare question-intent payload stands for; any other text unchanged."""
    bare = _BARE_PAYLOAD.match(text or "")
    return QUESTIONS.get(bare.group(1), text) if bare else text
