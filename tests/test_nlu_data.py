"""The training data and the held-out test set keep the promises the evaluation relies on."""
from collections import defaultdict

import yaml

from bot.language.text import fold, strip_diacritics
from conftest import ROOT


# Intents set by patterns (bot/nlu/special.py), never by the classifier: no examples.
PATTERN_INTENTS = {"stop", "withdraw_consent", "show_my_data", "empty_message", "too_long"}


def examples(*folders):
    """Examples by intent; a retrieval intent's answers (ask_pension/min_years) count for the intent
    the classifier learns (ask_pension)."""
    by_intent = defaultdict(list)
    for folder in folders:
        for path in sorted((ROOT / folder).glob("*.yml")):
            for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
                by_intent[block["intent"].split("/")[0]] += [
                    line[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")]
    return by_intent


def classified(domain):
    return [intent for intent in domain["intents"] if intent not in PATTERN_INTENTS]


def test_every_intent_has_enough_training_examples(domain):
    training = examples("data/nlu", "data/faq")
    for intent in classified(domain):
        assert len(training[intent]) >= 25, intent


def test_held_out_set_has_8_per_intent_a_third_without_diacritics(domain):
    test = examples("tests/nlu")
    for intent in classified(domain):
        assert len(test[intent]) >= 8, intent
        plain = [e for e in test[intent] if strip_diacritics(e) == e]
        assert len(plain) * 3 >= len(test[intent]), intent


def test_held_out_examples_are_not_in_the_training_data():
    seen = {fold(e) for values in examples("data/nlu", "data/faq").values() for e in values}
    leaked = [e for values in examples("tests/nlu").values() for e in values if fold(e) in seen]
    assert not leaked


def test_no_example_is_given_two_intents():
    owner = {}
    for folder in ("data/nlu", "data/faq", "tests/nlu"):
        for intent, values in examples(folder).items():
            for e in values:
                assert owner.setdefault(fold(e), intent) == intent, e
