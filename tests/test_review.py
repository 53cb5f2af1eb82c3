"""The review inbox on a fixture tracker store: what enters it, grouping, labelling, the YAML export
(read back by Rasa's own reader), the test story, and the trainer's pages."""
from __future__ import annotations

import re

import pytest
import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.leads.store import LeadStore
from bot.storage import db
from bot.dialogue.callback import FORM
from bot.training.review import CALLBACK_FORM, IGNORED, LABELLED, OUT_OF_SCOPE, Inbox, ReviewError, group_key
from db_fixtures import fresh_sqlite
from staff_fixtures import PASSWORD, build_site, lead_request
from tracker_fixtures import action, bot, slot, store_events, user

INTENTS = ["ask_pension", "ask_contribution", "out_of_scope", "inform"]


@pytest.fixture
def engine(tmp_path):
    with fresh_sqlite(tmp_path) as url:
        engine = db.make_engine(url)
        yield engine
        engine.dispose()


def conversation(engine, sender: str, *events: dict) -> None:
    store_events(engine, sender, [e for pair in ((e, action()) if e["event"] == "user" else (e,) for e in events)
                                  for e in pair])


def test_only_uncertain_free_text_outside_flows_enters_the_inbox(engine):
    conversation(engine, "c1",
                 user("lương hưu bao nhiêu", "ask_pension", 0.98),               # sure: not in the inbox
                 user("về già có đồng nào không", "ask_pension", 0.55),         # unsure
                 user("xyz abc", "nlu_fallback", 0.5, [("nlu_fallback", 0.5), ("out_of_scope", 0.31)]),
                 user("/ask_contribution", "ask_contribution", 1.0),            # a button
                 slot("flow", "callback"),
                 user("Trần Văn Ba 0912 345 678", "inform", 0.4),               # a form answer: personal
                 slot("flow", None),
                 user("gọi số 0987.654.321 hỏi được không", "inform", 0.6),
                 {"event": "active_loop", "name": "callback_form"},
                 user("Lò Văn Páo", "inform", 0.3),                              # a form's answer: personal
                 {"event": "active_loop", "name": None})
    inbox = Inbox(engine)
    assert inbox.scan() == 3
    assert inbox.scan() == 0, "each event is read once"
    groups = inbox.groups()
    assert [g.texts[0] for g in groups] == ["gọi số 0912345678 hỏi được không", "xyz abc", "về già có đồng nào không"]
    assert (groups[1].predicted, groups[1].confidence) == ("out_of_scope", 0.31), "the best intent under the fallback"


def test_answers_to_a_calculation_form_stay_out_of_the_inbox(engine):
    conversation(engine, "c1",
                 {"event": "active_loop", "name": "pension_form"},
                 user("dong chan 20 nam", "inform", 0.45),                      # an answer to the form
                 {"event": "active_loop", "name": None},
                 user("về già có đồng nào không", "ask_pension", 0.55))
    inbox = Inbox(engine)
    assert inbox.scan() == 1
    assert [g.texts[0] for g in inbox.groups()] == ["về già có đồng nào không"]


def test_similar_messages_are_one_group(engine):
    conversation(engine, "c1", user("Đóng bao nhiêu 1 tháng?", "ask_contribution", 0.6))
    conversation(engine, "c2", user("1 thang dong bao nhieu", "ask_contribution", 0.5))
    conversation(engine, "c3", user("bao nhiêu tiền một tháng", "ask_contribution", 0.4))
    inbox = Inbox(engine)
    inbox.scan()
    groups = inbox.groups()
    assert len(groups) == 2
    big = next(g for g in groups if g.count == 2)
    assert set(big.texts) == {"Đóng bao nhiêu 1 tháng?", "1 thang dong bao nhieu"} and big.confidence == 0.5
    assert group_key("dong bn 1 thang") == group_key("1 tháng đóng bao nhiêu")


def test_labelling_a_group_and_exporting_valid_rasa_yaml(engine):
    conversation(engine, "c1", user("về già có đồng nào không", "ask_pension", 0.55),
                 user("ve gia co dong nao khong", "ask_pension", 0.5),
                 user("giá vàng hôm nay", "ask_contribution", 0.4),
                 user("[thử] {ngoặc}", "inform", 0.3),
                 user("lương hưu bao nhiêu vậy", "inform", 0.3))
    inbox = Inbox(engine)
    inbox.scan()
    keys = {g.texts[0]: g.key for g in inbox.groups()}
    with pytest.raises(ReviewError):
        inbox.label(keys["giá vàng hôm nay"], "label", "not_an_intent", INTENTS, "tl")
    assert inbox.label(keys["ve gia co dong nao khong"], "label", "ask_pension", INTENTS, "tl") == 2
    assert inbox.label(keys["giá vàng hôm nay"], "out_of_scope", None, INTENTS, "tl") == 1
    assert inbox.label(keys["[thử] {ngoặc}"], "label", "inform", INTENTS, "tl") == 1
    assert inbox.label(keys["lương hưu bao nhiêu vậy"], "label", "ask_pension", INTENTS, "tl") == 1
    assert inbox.groups() == []
    assert inbox.counts() == {LABELLED: 4, OUT_OF_SCOPE: 1}
    exported = inbox.export_yaml(already_trained=["Lương hưu bao nhiêu vậy"])
    data = RasaYAMLReader().reads(exported)
    examples = {(m.get("intent"), m.get("text")) for m in data.intent_examples}
    assert examples == {("ask_pension", "về già có đồng nào không"), ("ask_pension", "ve gia co dong nao khong"),
                        ("out_of_scope", "giá vàng hôm nay"), ("inform", "thử ngoặc")}
    assert not data.entity_examples, "brackets typed by citizens are not entity annotations"


def test_ignored_messages_are_not_exported(engine):
    conversation(engine, "c1", user("ok ok", "affirm", 0.4))
    inbox = Inbox(engine)
    inbox.scan()
    inbox.label(inbox.groups()[0].key, "ignore", None, INTENTS, "tl")
    assert inbox.counts() == {IGNORED: 1}
    assert "nlu: []" in inbox.export_yaml()


def test_withdrawn_conversations_leave_the_inbox(engine):
    conversation(engine, "c-0912000111", user("tôi tên Lan ở xóm Đông", "inform", 0.4))
    LeadStore(engine).submit(lead_request("Lan", "0912000111", "Nghệ An"))
    inbox = Inbox(engine)
    inbox.scan()
    assert len(inbox.groups()) == 1
    LeadStore(engine).withdraw("c-0912000111")
    assert inbox.groups() == []


def test_a_conversation_as_a_test_story(engine):
    entity = {"entity": "amount", "start": 9, "end": 16, "value": 5000000}
    conversation(engine, "zalo:u1", user("/greet", "greet", 1.0), bot("Dạ em chào anh/chị"),
                 user("thu nhập 5 triệu đóng bao nhiêu", "ask_contribution", 0.99, entities=[entity]),
                 user("về già có đồng nào không", "inform", 0.5))
    inbox = Inbox(engine)
    inbox.scan()
    inbox.label(inbox.groups()[0].key, "label", "ask_pension", INTENTS, "tl")
    story = yaml.safe_load(inbox.story("zalo:u1"))
    steps = story["stories"][0]["steps"]
    assert steps == [
        {"intent": "greet"}, {"action": "action_answer"},
        {"user": 'thu nhập [5 triệu]{"entity": "amount", "value": 5000000} đóng bao nhiêu', "intent": "ask_contribution"},
        {"action": "action_answer"},
        {"user": "về già có đồng nào không", "intent": "ask_pension"}, {"action": "action_answer"},
    ]
    with pytest.raises(ReviewError):
        inbox.story("nobody")


def test_the_answers_inside_the_callback_form_keep_only_their_intent(engine):
    name = {"entity": "person_name", "start": 0, "end": 10, "value": "Lò Văn Páo"}
    conversation(engine, "zalo:u2", user("gọi lại cho tôi", "request_callback", 0.99),
                 {"event": "active_loop", "name": "callback_form"},
                 user("Lò Văn Páo", "inform", 0.9, entities=[name]), user("0912 345 678", "inform", 0.9),
                 {"event": "active_loop", "name": None}, user("lương hưu bao nhiêu", "ask_pension", 0.99))
    steps = yaml.safe_load(Inbox(engine).story("zalo:u2"))["stories"][0]["steps"]
    users = [s for s in steps if "intent" in s]
    assert users == [{"user": "gọi lại cho tôi", "intent": "request_callback"}, {"intent": "inform"},
                     {"intent": "inform"}, {"user": "lương hưu bao nhiêu", "intent": "ask_pension"}]
    assert CALLBACK_FORM == FORM


def test_the_trainers_inbox_page(tmp_path):
    with fresh_sqlite(tmp_path) as url:
        site = build_site(url)
        conversation(site.engine, "c1", user("về già có đồng nào không", "ask_pension", 0.55))
        trainer = site.signed_in("huanluyen")
        page = trainer.get("/review").text
        assert "về già có đồng nào không" in page and "ask_pension (55%)" in page
        key = re.search(r'name="key" value="([^"]+)"', page).group(1)
        assert trainer.post("/review/label", {"key": key, "action": "label", "intent": "bogus"}).status_code == 400
        assert trainer.post("/review/label", {"key": key, "action": "label", "intent": "ask_pension"}).status_code == 303
        assert "Không còn tin nhắn nào chờ duyệt" in trainer.get("/review").text
        exported = trainer.get("/review/export.yml")
        assert "attachment" in exported.headers["Content-Disposition"]
        assert "- về già có đồng nào không" in exported.text
        story = trainer.get("/review/story.yml?conversation=c1")
        assert story.status_code == 200 and "ask_pension" in story.text
        assert trainer.get("/review/story.yml?conversation=nobody").status_code == 404
        assert site.signed_in("nghean").get("/review").status_code == 403, "office staff do not review"
        assert trainer.post("/review/label", {"key": key, "action": "ignore"}, csrf=False).status_code == 400
        site.engine.dispose()
        assert PASSWORD
