"""`make check-data`: each kind of fault in a small fixture is found, and the project's data is clean."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.training.datacheck import CALCULATED_PLACEHOLDERS, check_all, main

ROOT = __import__("conftest").ROOT


def write(folder: Path, name: str, intent: str, *examples: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = "\n".join(f"    - {e}" for e in examples)
    (folder / name).write_text(f'version: "3.1"\nnlu:\n- intent: {intent}\n  examples: |\n{lines}\n', encoding="utf-8")


@pytest.fixture
def project(tmp_path):
    data, tests = tmp_path / "data", tmp_path / "tests"
    write(data, "ask_pension.yml", "ask_pension", "lương hưu bao nhiêu", "bao giờ được lĩnh lương hưu")
    write(data, "ask_retirement_age.yml", "ask_retirement_age", "mấy tuổi nghỉ hưu", "tuổi nghỉ hưu của nữ")
    write(tests, "ask_pension.yml", "ask_pension", "lương hưu tính thế nào")
    (data / "rules.yml").write_text(textwrap.dedent("""\
        rules:
          - rule: answer ask_pension
            steps:
              - intent: ask_pension
              - action: utter_ask_pension
          - rule: answer ask_retirement_age
            steps:
              - intent: ask_retirement_age
              - action: utter_ask_retirement_age
        """), encoding="utf-8")
    domain = tmp_path / "domain.yml"
    domain.write_text(textwrap.dedent("""\
        intents: [ask_pension, ask_retirement_age]
        responses:
          utter_ask_pension:
            - text: "Dạ, tỷ lệ hưởng tối đa {pension_max} ạ."
          utter_ask_retirement_age:
            - text: "Dạ, tuổi nghỉ hưu theo lộ trình ạ."
        """), encoding="utf-8")
    return data, tests, domain


def kinds(project) -> list[str]:
    return sorted(p.kind for p in check_all(*project))


def test_a_clean_fixture_has_no_problem(project):
    assert kinds(project) == []


def test_the_same_example_twice_in_one_intent(project):
    data, _, _ = project
    write(data, "ask_pension.yml", "ask_pension", "lương hưu bao nhiêu", "Lương  hưu bao nhiêu")
    assert kinds(project) == ["duplicate"]


def test_one_example_in_two_intents(project):
    data, _, _ = project
    write(data, "ask_retirement_age.yml", "ask_retirement_age", "mấy tuổi nghỉ hưu", "lương hưu bao nhiêu")
    assert kinds(project) == ["conflict"]


def test_examples_of_two_intents_that_differ_only_by_diacritics(project):
    data, _, _ = project
    write(data, "ask_retirement_age.yml", "ask_retirement_age", "mấy tuổi nghỉ hưu", "luong huu bao nhieu?")
    problems = check_all(*project)
    assert [p.kind for p in problems] == ["diacritics-conflict"]
    assert "luong huu bao nhieu?" in problems[0].detail and "ask_pension" in problems[0].detail


def test_entity_annotations_do_not_hide_a_conflict(project):
    data, _, _ = project
    write(data, "inform.yml", "inform", "[lương hưu](topic) bao nhiêu")
    assert kinds(project) == ["conflict"]


def test_an_intent_that_no_rule_answers(project):
    _, _, domain = project
    domain.write_text(domain.read_text().replace("intents: [ask_pension, ask_retirement_age]",
                                                 "intents: [ask_pension, ask_retirement_age, ask_maternity]"))
    assert kinds(project) == ["unanswered-intent"]


def test_an_answer_of_a_retrieval_intent_without_its_response(project):
    data, _, _ = project
    write(data, "faq.yml", "ask_pension/min_years", "phải đóng mấy năm mới có lương hưu")
    assert kinds(project) == ["missing-response"]
    with (data / "faq.yml").open("a", encoding="utf-8") as faq:
        faq.write('responses:\n  utter_ask_pension/min_years:\n    - text: "Dạ, từ {pension_min_years} năm ạ.\\nCăn cứ: Điều 98 Luật BHXH 2024."\n')
    assert kinds(project) == []


def test_digits_of_the_legal_basis_are_allowed_only_on_a_faq_answer_s_last_line(project):
    data, _, _ = project
    write(data, "faq.yml", "ask_pension/min_years", "phải đóng mấy năm mới có lương hưu")
    with (data / "faq.yml").open("a", encoding="utf-8") as faq:
        faq.write('responses:\n  utter_ask_pension/min_years:\n    - text: "Dạ, từ 15 năm ạ.\\nCăn cứ: Điều 98 Luật BHXH 2024."\n')
    assert kinds(project) == ["literal-figure"]


@pytest.mark.parametrize("text, kind", [
    ("Dạ, mức đóng là 22% thu nhập ạ.", "literal-figure"),
    ("Dạ, tối thiểu {min_income_2025} ạ.", "unknown-placeholder"),
])
def test_figures_in_responses_must_come_from_the_policy_data(project, text, kind):
    _, _, domain = project
    domain.write_text(domain.read_text().replace("Dạ, tuổi nghỉ hưu theo lộ trình ạ.", text))
    assert kinds(project) == [kind]


def test_a_held_out_example_that_is_also_trained_on(project):
    _, tests, _ = project
    write(tests, "ask_pension.yml", "ask_pension", "lương hưu tính thế nào", "LUONG HUU bao nhieu")
    assert kinds(project) == ["test-leak"]


def test_the_command_exits_non_zero_with_each_problem_on_a_line(project, capsys):
    data, tests, domain = project
    write(data, "ask_retirement_age.yml", "ask_retirement_age", "lương hưu bao nhiêu")
    assert main(["--data", str(data), "--test-set", str(tests), "--domain", str(domain)]) == 1
    assert "[conflict]" in capsys.readouterr().out


def test_the_projects_data_is_clean():
    assert check_all(ROOT / "data", ROOT / "tests" / "nlu", ROOT / "domain.yml") == []


def test_the_calculated_placeholders_are_those_the_response_tests_fill():
    from test_responses import CALCULATED
    assert set(CALCULATED) == CALCULATED_PLACEHOLDERS


GOOD_SCENARIO = {"button": "Nông dân", "lead": "Dạ, đủ {pension_min_years} năm là có lương hưu.", "income": "floor",
                 "period": 6, "objection": "Thu nhập theo mùa vụ?", "answer": "Dạ, đóng sáu tháng một lần được ạ.",
                 "next": "Anh/chị đăng ký ở bưu điện ạ."}


def scenario_kinds(tmp_path, **changes) -> list[str]:
    import yaml
    from bot.training.datacheck import check_scenarios
    path = tmp_path / "scenarios.yml"
    path.write_text(yaml.safe_dump({"scenarios": {"farmer": {**GOOD_SCENARIO, **changes}}}, allow_unicode=True))
    return sorted(p.kind for p in check_scenarios(path, ["farmer"]))


@pytest.mark.parametrize("changes, kind", [
    ({}, None),
    ({"lead": "Dạ, đủ 15 năm là có lương hưu."}, "literal-figure"),
    ({"answer": "Dạ, hỗ trợ {support_farmer} ạ."}, "unknown-placeholder"),
    ({"income": 900000}, "scenario-income"),
    ({"income": "a lot"}, "scenario-income"),
    ({"period": 2}, "scenario-period"),
    ({"button": "Bà con nông dân làm ruộng"}, "button-title"),
    ({"next": ""}, "scenario-field"),
])
def test_each_fault_of_a_scenario_is_found(tmp_path, changes, kind):
    assert scenario_kinds(tmp_path, **changes) == ([kind] if kind else [])


def test_a_target_group_without_a_scenario(tmp_path):
    from bot.training.datacheck import check_scenarios
    path = tmp_path / "scenarios.yml"
    path.write_text("scenarios: {}\n")
    assert [p.kind for p in check_scenarios(path, ["farmer"])] == ["missing-scenario"]
