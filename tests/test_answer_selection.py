"""Which topic answers a message when the intent classifier (DIET) and the answer selector disagree
(bot/nlu/answers.py). Rankings are written by hand in the shape of Rasa's ResponseSelector output."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.answers import AnswerWithinIntent, selector_topic


def ranked(*answers: tuple[str, float]) -> dict:
    ranking = [{"intent_response_key": key, "confidence": confidence} for key, confidence in answers]
    return {"response": {"intent_response_key": answers[0][0]}, "ranking": ranking}


# The selector ranks every answer of every question intent; these are the ones that matter.
SURVIVOR_LETTER = ranked(("ask_survivor/prepaid_refund", 0.64), ("ask_payment_method/best_period", 0.12),
                         ("ask_payment_method/change_period", 0.06), ("ask_pause/general", 0.01))


def test_a_sure_specific_answer_of_another_topic_wins_over_the_classifier():
    assert selector_topic("ask_payment_method", SURVIVOR_LETTER) == ("ask_survivor", 0.64)


@pytest.mark.parametrize("intent, selected", [
    # the same topic: nothing to change
    ("ask_survivor", SURVIVOR_LETTER),
    # a general answer says only that the message is about a topic, which DIET knows better
    ("ask_survivor", ranked(("ask_benefits/general", 0.77), ("ask_survivor/general", 0.1))),
    # not sure enough
    ("ask_payment_method", ranked(("ask_survivor/prepaid_refund", 0.45), ("ask_payment_method/vssid", 0.05))),
    # DIET's topic has an answer near the selector's best: both topics fit, DIET's stays
    ("ask_pension", ranked(("ask_compare/years_add_up", 0.6), ("ask_pension/continue_after_company", 0.25))),
    # not a question intent: a figure, a request for a call are not answered from the FAQ
    ("inform", ranked(("ask_contribution/amount_for_income", 0.9), ("ask_pension/general", 0.01))),
    ("request_callback", ranked(("ask_contact/hotline", 0.8), ("ask_pension/general", 0.01))),
])
def test_the_classifiers_topic_stays(intent, selected):
    assert selector_topic(intent, selected) is None


def test_a_message_the_classifier_gave_up_on_gets_the_topic_the_selector_is_sure_of():
    selected = ranked(("ask_pause/general", 0.84), ("ask_pause/restart", 0.05), ("ask_contact/general", 0.02))
    assert selector_topic("nlu_fallback", selected) == ("ask_pause", 0.84)
    unsure = ranked(("ask_pause/general", 0.3), ("ask_contact/general", 0.2))
    assert selector_topic("nlu_fallback", unsure) is None


@pytest.mark.parametrize("intent, selected", [(None, SURVIVOR_LETTER), ("ask_survivor", None),
                                              ("ask_survivor", {"ranking": []}), ("nlu_fallback", {})])
def test_missing_parts_change_nothing(intent, selected):
    assert selector_topic(intent, selected) is None


def test_the_component_answers_under_the_selectors_topic():
    message = Message(data={"text": "…", "intent": {"name": "ask_payment_method", "confidence": 1.0},
                            "response_selector": {"default": SURVIVOR_LETTER}})
    (processed,) = AnswerWithinIntent().process([message])
    assert processed.get("intent")["name"] == "ask_survivor"
    chosen = processed.get("response_selector")["ask_survivor"]
    assert chosen["response"]["intent_response_key"] == "ask_survivor/prepaid_refund"
    assert chosen["response"]["utter_action"] == "utter_ask_survivor/prepaid_refund"
