"""The NLU report, built from a fixture of Rasa's `rasa test nlu` output: per-intent figures, the
misclassified examples, the comparison with the previous report, and the confusion matrix image."""
from __future__ import annotations

import json
from pathlib import Path

from bot.training.evaluation import plot_confusion, read_evaluation, render_report

# (text, intent, predicted)
PREDICTIONS = [
    ("lương hưu bao nhiêu", "ask_pension", "ask_pension"),
    ("bao giờ được lĩnh lương hưu", "ask_pension", "ask_retirement_age"),
    ("mấy tuổi nghỉ hưu", "ask_retirement_age", "ask_retirement_age"),
    ("tuổi nghỉ hưu của nữ", "ask_retirement_age", "ask_retirement_age"),
]


def rasa_output(folder: Path, predictions=PREDICTIONS) -> Path:
    folder.mkdir(parents=True)
    rows = [{"text": t, "intent": i, "intent_prediction": {"name": p, "confidence": 0.6}} for t, i, p in predictions]
    (folder / "intent_errors.json").write_text(json.dumps([r for r in rows if r["intent"] != r["intent_prediction"]["name"]]))
    (folder / "intent_successes.json").write_text(json.dumps([r for r in rows if r["intent"] == r["intent_prediction"]["name"]]))
    report = {
        "ask_pension": {"precision": 1.0, "recall": 0.5, "f1-score": 0.667, "support": 2},
        "ask_retirement_age": {"precision": 0.667, "recall": 1.0, "f1-score": 0.8, "support": 2},
        "accuracy": 0.75,
        "macro avg": {"precision": 0.833, "recall": 0.75, "f1-score": 0.733, "support": 4},
        "weighted avg": {"precision": 0.833, "recall": 0.75, "f1-score": 0.733, "support": 4},
    }
    (folder / "intent_report.json").write_text(json.dumps(report))
    return folder


def test_the_report_gives_per_intent_figures_and_the_errors(tmp_path):
    evaluation = read_evaluation("as written", rasa_output(tmp_path / "out"))
    report = render_report([evaluation])
    assert "| as written | 0.750 | 0.733 | 1 |" in report
    assert "| ask_pension | 1.00 / 0.50 / 0.67 | 2 |" in report
    assert "| ask_pension | ask_retirement_age | 1 |" in report
    assert "- `bao giờ được lĩnh lương hưu`: ask_pension → ask_retirement_age (0.60)" in report
    assert "previous report" not in report


def test_the_report_says_what_got_better_or_worse(tmp_path):
    evaluation = read_evaluation("as written", rasa_output(tmp_path / "out"))
    previous = {"as written": {"accuracy": 0.5, "macro_f1": 0.6,
                               "f1": {"ask_pension": 0.667, "ask_retirement_age": 0.5},
                               "errors": ["mấy tuổi nghỉ hưu", "tuổi nghỉ hưu của nữ"]}}
    report = render_report([evaluation], previous)
    assert "| as written | 0.500 → 0.750 (+0.250) | 0.600 → 0.733 (+0.133) |" in report
    assert "- as written, ask_retirement_age: F1 0.50 → 0.80" in report
    assert "ask_pension: F1" not in report, "an unchanged F1 is not listed"
    assert "- as written, now right: `mấy tuổi nghỉ hưu`" in report
    assert "- as written, now wrong: `bao giờ được lĩnh lương hưu`" in report
    assert json.dumps(evaluation.summary())  # what the next report compares with


def test_the_confusion_matrix_is_an_image(tmp_path):
    evaluation = read_evaluation("as written", rasa_output(tmp_path / "out"))
    plot_confusion(evaluation, tmp_path / "confusion.png")
    assert (tmp_path / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_fallback_rate_is_read_from_the_confidences_under_the_configured_threshold(tmp_path):
    from bot.training.evaluation import fallback_rate, fallback_threshold
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n  - name: DIETClassifier\n  - name: FallbackClassifier\n    threshold: 0.4\n")
    assert fallback_threshold(config) == 0.4
    out = rasa_output(tmp_path / "out")  # every prediction at confidence 0.6
    assert fallback_rate(read_evaluation("letters as written", out, 0.4)) == 0.0
    assert fallback_rate(read_evaluation("letters as written", out, 0.7)) == 1.0
