"""The review loop end to end: a message the real assistant was unsure of, in its tracker store,
reaches the trainer's inbox in the staff pages; labelled there, the downloaded YAML passes `rasa data
validate`, and a model trained with it classifies the message as the trainer said."""
from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import time

import pytest
import requests
import yaml

from bot.staff.accounts import Accounts
from bot.storage import db
from launcher import running_assistant

pytestmark = pytest.mark.live

ROOT = __import__("conftest").ROOT
# A trainer knows it compares with savings.
MESSAGE, RIGHT_INTENT = "bỏ tiền vô đây hay gửi ngân hàng thì hơn", "ask_compare"
# What the model of the day makes of MESSAGE is not this test's business (a better one may be sure of
# it): the turn is recorded through Rasa's HTTP API as Rasa records a message it was unsure of.
UNSURE = {"text": MESSAGE, "intent": {"name": "ask_contact", "confidence": 0.41},
          "intent_ranking": [{"name": "ask_contact", "confidence": 0.41}, {"name": "ask_compare", "confidence": 0.2}],
          "entities": []}
QUICK_EPOCHS = 40  # enough for the classifier to learn its training examples; the real model has 120


def sign_in(staff_url: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get(f"{staff_url}/login").text).group(1)
    session.post(f"{staff_url}/login", data={"username": username, "password": password, "csrf_token": token})
    return session


def test_a_labelled_message_teaches_the_model(tmp_path):
    if not (ROOT / "models" / "current.tar.gz").exists():
        pytest.skip("no trained model: run `make train` (make test trains before running pytest)")
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    with running_assistant(url) as assistant:
        assistant.api("POST", "/conversations/review-live/tracker/events",
                      json=[{"event": "user", "text": MESSAGE, "parse_data": UNSURE, "timestamp": time.time()}]
                      ).raise_for_status()
        Accounts(db.make_engine(url)).create_user("huanluyen", "mat-khau-du-dai", "trainer")
        trainer = sign_in(assistant.staff_url, "huanluyen", "mat-khau-du-dai")
        page = trainer.get(f"{assistant.staff_url}/review").text
        assert MESSAGE in page
        assert re.search(r"trợ lý đoán: (\w+)", page).group(1) == "ask_contact"
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        key = re.search(r'name="key" value="([^"]+)"', page).group(1)
        trainer.post(f"{assistant.staff_url}/review/label",
                     data={"csrf_token": csrf, "key": key, "action": "label", "intent": RIGHT_INTENT})
        reviewed = trainer.get(f"{assistant.staff_url}/review/export.yml").text
    assert f"- {MESSAGE}" in reviewed

    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data")
    (project / "data" / "nlu" / "reviewed.yml").write_text(reviewed, encoding="utf-8")
    shutil.copy(ROOT / "config.yml", project / "config.yml")
    rasa = [sys.executable, "-m", "rasa"]
    validate = subprocess.run([*rasa, "data", "validate", "--data", "data", "--domain", str(ROOT / "domain.yml"),
                               "--config", "config.yml"], cwd=project, capture_output=True, text=True)
    assert validate.returncode == 0, validate.stdout[-2000:]
    # What is asserted is the intent: the intent classifier, briefly trained; the ResponseSelector
    # (the answer within an intent) took most of this test's time and plays no part here.
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"] = [c for c in config["pipeline"] if c["name"] != "ResponseSelector"]
    next(c for c in config["pipeline"] if c["name"] == "DIETClassifier")["epochs"] = QUICK_EPOCHS
    (project / "quick.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    subprocess.run([*rasa, "train", "nlu", "--config", "quick.yml", "--nlu", "data/nlu", "--out", "models",
                    "--fixed-model-name", "reviewed"], cwd=project, check=True, capture_output=True)

    from rasa.core.agent import Agent
    agent = Agent.load(str(project / "models" / "reviewed.tar.gz"))
    parsed = asyncio.run(agent.parse_message(MESSAGE))
    assert parsed["intent"]["name"] == RIGHT_INTENT
