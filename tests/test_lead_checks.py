"""A LeadRequest is checked before it reaches the database: hand-written cases, one problem each."""
from __future__ import annotations

import pytest

from bot.leads.checks import InvalidLead, LeadRequest, check

VALID = dict(
    submission_id="4f1c2b9e0d8a4c6b9e7f1a2b3c4d5e6f", full_name="Nguyễn Thị Lan", phone="0912345678",
    province="Tuyên Quang", office="Bảo hiểm xã hội tỉnh Tuyên Quang", channel="zalo", conversation_id="zalo-123",
    consent_version="2026-11-v1", consent_sha256="ab" * 32, consent_given_at="2026-11-24T10:00:00+07:00",
    commune="xã Tân Trào", preferred_time="buổi sáng", income=5_000_000, target_group="farmer",
    interests=["mức đóng", "lương hưu"],
)


def request(**changes: object) -> LeadRequest:
    return LeadRequest(**{**VALID, **changes})


@pytest.mark.parametrize("changes, stored", [
    ({}, {}),
    ({"phone": "+84 912.345.678"}, {"phone": "0912345678"}),
    ({"phone": "84-912-345-678"}, {"phone": "0912345678"}),
    ({"phone": "024 3824 4444"}, {"phone": "02438244444"}),
    ({"province": "nghe an"}, {"province": "Nghệ An"}),
    ({"full_name": "A" * 120}, {}),
    ({"income": 1_500_000}, {}),  # the floor on 24/11/2026
    ({"income": 50_600_000}, {}),  # the ceiling: 20 × 2 530 000
    ({"income": None, "target_group": None, "commune": None, "preferred_time": None, "interests": []}, {}),
    ({"target_group": "other"}, {}),
    ({"income": 2_000_000, "consent_given_at": "2026-12-31T23:30:00+07:00"}, {}),  # still 2026 in Vietnam
])
def test_a_valid_request_is_kept_with_its_phone_and_province_normalised(changes, stored):
    assert check(request(**changes)) == request(**{**changes, **stored})


@pytest.mark.parametrize("changes, field, problem", [
    ({"phone": "0123"}, "phone", "not a Vietnamese phone number"),
    ({"phone": "0" * 21}, "phone", "longer than 20 characters"),
    ({"phone": "0912345678 hoặc 0987654321"}, "phone", "longer than 20 characters"),
    ({"phone": "1912345678"}, "phone", "not a Vietnamese phone number"),
    ({"phone": ""}, "phone", "missing"),
    ({"phone": 912345678}, "phone", "not text"),
    ({"full_name": ""}, "full_name", "missing"),
    ({"full_name": "   "}, "full_name", "missing"),
    ({"full_name": "A" * 121}, "full_name", "longer than 120 characters"),
    ({"full_name": "Lan\x00"}, "full_name", "control characters"),
    ({"commune": "x" * 121}, "commune", "longer than 120 characters"),
    ({"preferred_time": "sáng\nchiều"}, "preferred_time", "control characters"),
    ({"province": "Hà Tây"}, "province", "not one of the 34 provinces"),  # merged in 2008: not current
    ({"province": "Atlantis"}, "province", "not one of the 34 provinces"),
    ({"office": ""}, "office", "missing"),
    ({"channel": "c" * 21}, "channel", "longer than 20 characters"),
    ({"conversation_id": "c" * 256}, "conversation_id", "longer than 255 characters"),
    ({"conversation_id": None}, "conversation_id", "missing"),
    ({"submission_id": "../../etc/passwd"}, "submission_id", "not letters, digits, - or _"),
    ({"submission_id": "a" * 65}, "submission_id", "longer than 64 characters"),
    ({"consent_sha256": "xyz"}, "consent_sha256", "not a SHA-256 in hexadecimal"),
    ({"consent_version": ""}, "consent_version", "missing"),
    ({"consent_given_at": "hôm qua"}, "consent_given_at", "not an ISO 8601 moment with its time zone"),
    ({"consent_given_at": "2026-11-24T10:00:00"}, "consent_given_at", "not an ISO 8601 moment with its time zone"),
    ({"income": 10 ** 26}, "income", "outside the law's range on the day of the consent"),
    ({"income": 1_499_999}, "income", "outside the law's range on the day of the consent"),
    ({"income": 50_600_001}, "income", "outside the law's range on the day of the consent"),
    ({"income": -5_000_000}, "income", "outside the law's range on the day of the consent"),
    ({"income": 2_000_000, "consent_given_at": "2027-01-01T00:30:00+07:00"}, "income",  # floor 2 200 000 from 2027
     "outside the law's range on the day of the consent"),
    ({"income": 5_000_000.0}, "income", "not a whole number"),
    ({"income": True}, "income", "not a whole number"),
    ({"income": 5_000_000, "consent_given_at": "2024-01-01T10:00:00+07:00"}, "income", "no rule for the day of the consent"),
    ({"target_group": "pirate"}, "target_group", "not a known target group"),
    ({"target_group": "f" * 41}, "target_group", "longer than 40 characters"),
    ({"interests": "mức đóng"}, "interests", "not a list of at most 20 topics"),
    ({"interests": ["x" * 61]}, "interests", "not a list of at most 20 topics"),
    ({"interests": ["mức đóng"] * 21}, "interests", "not a list of at most 20 topics"),
])
def test_a_request_that_must_not_be_stored_is_refused_naming_the_field(changes, field, problem):
    with pytest.raises(InvalidLead) as refused:
        check(request(**changes))
    assert refused.value.problems == {field: problem}


def test_every_problem_is_named_and_no_value_is_quoted():
    with pytest.raises(InvalidLead) as refused:
        check(request(phone="0999 999 99x", full_name="Bùi Thị Xuân" * 20, income=10 ** 26))
    assert set(refused.value.problems) == {"phone", "full_name", "income"}
    message = str(refused.value)
    assert "0999" not in message and "Xuân" not in message and "10000000" not in message
