""""Yêu cầu của tôi thế nào rồi" with the real assistant over REST (the session's assistant:
tests/conftest.py): no request yet, the code given when the request is recorded, the status as the
office changes it, and a stranger quoting the code learns nothing."""
import os
import re
import subprocess

import pytest

from live_helpers import text_of
from test_live_callback import leads_of

pytestmark = pytest.mark.live
ROOT = __import__("conftest").ROOT


def test_the_citizen_follows_up_the_request_and_a_stranger_learns_nothing(assistant):
    chat = assistant.sender
    assert "chưa thấy yêu cầu gọi lại nào" in text_of(assistant.say("yêu cầu của tôi thế nào rồi"))
    for answer in ["gọi lại cho tôi", "đồng ý", "Phạm Thị Hoa", "0912 345 678", "ha giang", "bỏ qua", "bỏ qua"]:
        assistant.say(answer)
    recorded = text_of(assistant.say("đúng"))
    code = re.search(r"mã yêu cầu của anh/chị là ([A-Z0-9]{6})", recorded).group(1)
    (lead,) = leads_of(assistant, chat)
    assert lead["reference"] == code

    received = text_of(assistant.say("em đăng ký gọi lại hôm qua sao chưa thấy ai gọi"))
    assert code in received and "Bảo hiểm xã hội tỉnh Tuyên Quang" in received and "chưa gọi" in received
    subprocess.run([str(ROOT / ".venv" / "bin" / "bot"), "leads", "status", str(lead["id"]), "đã liên hệ"], check=True,
                   capture_output=True, env={**os.environ, "BOT_DATABASE_URL": f"sqlite:///{assistant.db}"})
    assert "đã liên hệ với anh/chị" in text_of(assistant.say(f"yêu cầu mã {code.lower()} của tôi thế nào rồi"))

    stranger = text_of(assistant.say(f"yêu cầu mã {code} thế nào rồi", sender=chat + "-stranger"))
    assert f"không tìm thấy yêu cầu mã {code}" in stranger
    assert "Tuyên Quang" not in stranger and "Phạm Thị Hoa" not in stranger
