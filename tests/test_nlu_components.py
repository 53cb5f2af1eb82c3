"""The project's two Rasa NLU components read at most the first MAX_INPUT_CHARS (2,000) characters
of a message, whatever reaches them (the channels cut first; the HTTP API and `rasa shell` do not)."""
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.extractor import VietnameseEntityExtractor
from bot.nlu.tokenizer import VietnameseTokenizer

HOSTILE = "5 nam " * 11_000  # 66,000 characters


def test_the_tokenizer_reads_the_first_two_thousand_characters_with_their_offsets():
    tokenizer = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    message = Message(data={TEXT: "Đóng  bảo hiểm " + HOSTILE})
    tokenizer.process([message])
    tokens = message.get("text_tokens")
    assert [(t.text, t.start, t.lemma) for t in tokens[:3]] == [("Đóng", 0, "dong"), ("bảo", 6, "bao"), ("hiểm", 10, "hiem")]
    assert tokens[-1].end == 2000 and len(tokens) == 3 + 331 * 2  # 15 + 331 * 6 - 1 = 2000 characters
    assert message.get(TEXT).endswith("5 nam "), "the message itself is kept whole"


def test_the_entity_extractor_reads_the_first_two_thousand_characters():
    message = Message(data={TEXT: "thu nhập 5 triệu " + HOSTILE})
    VietnameseEntityExtractor().process([message])
    entities = message.get(ENTITIES)
    assert entities[0]["value"] == 5_000_000
    assert max(e["end"] for e in entities) <= 2000
