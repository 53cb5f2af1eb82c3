"""A bare question-intent payload reaches the NLU as its question (bot/dialogue/questions.py)."""
import re
from pathlib import Path

from bot.dialogue.questions import QUESTIONS, as_question
from bot.language.text import fold
from bot.training.datacheck import load_examples


def test_a_bare_question_payload_becomes_its_question():
    assert as_question("/ask_contribution") == "Đóng BHXH tự nguyện bao nhiêu tiền một tháng?"
    assert as_question("/ask_pension ") == "Điều kiện để được hưởng lương hưu là gì?"


def test_other_messages_are_left_alone():
    for text in ("/request_callback", '/ask_pension{"calculator": "pension"}', "/inform", "ask_pension",
                 "lương hưu bao nhiêu", ""):
        assert as_question(text) == text


def test_every_question_is_a_training_example_of_its_intent():
    def words(text):
        return " ".join(re.findall(r"\w+", fold(text)))
    intent_of = {words(e.text): e.intent.split("/")[0] for e in load_examples(Path(__file__).parents[1] / "data")}
    assert {intent: intent_of.get(words(q)) for intent, q in QUESTIONS.items()} == {i: i for i in QUESTIONS}
