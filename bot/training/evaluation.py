"""NLU evaluation on the held-out test sets, as written and with every diacritic stripped: the
chat-style set (tests/nlu/*.yml) and the letter-style set (tests/nlu/letters/, questions written the
way citizens write to Q&A columns, background first).

Runs `rasa test nlu` on each and writes results/nlu-report.md (accuracy, macro-F1, per-intent
precision/recall/F1, top confusions, the misclassified examples, and what got better or worse since
the previous report), results/nlu-report.json (the same figures, read back by the next evaluation)
and results/nlu-confusion.png; exits non-zero when an accuracy is under its threshold, so
`make test` fails on a regression.

    python -m bot.training.evaluation --model models/current.tar.gz --min-accuracy 0.92 --min-stripped 0.90 \
        --min-letters 0.85 --min-letters-stripped 0.85 --max-letters-fallback 0.10
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.language.text import strip_diacritics

CONFIG = Path("config.yml")
TEST_SET = Path("tests/nlu")
LETTERS = TEST_SET / "letters"
RESULTS = Path("results")


@dataclass(frozen=True)
class Evaluation:
    name: str
    accuracy: float
    macro_f1: float
    per_intent: dict[str, dict[str, float]]
    confusions: list[tuple[str, str, int]]
    errors: list[dict]
    predictions: list[tuple[str, str]]  # (intent, predicted) for every example
    confidences: list[float] = ()  # the classifier's confidence in its prediction, for every example
    threshold: float = 0.0  # the fallback threshold

    def summary(self) -> dict:
        """What the next evaluation compares itself with."""
        return {"accuracy": self.accuracy, "macro_f1": self.macro_f1,
                "f1": {k: v["f1-score"] for k, v in self.per_intent.items()},
                "errors": sorted(e["text"] for e in self.errors)}


def write_copy(src: Path, dst: Path, strip: bool) -> Path:
    """The test set's files (not its subfolders: `rasa test` would read them too), with every
    example's diacritics removed ("đóng" -> "dong") when `strip`."""
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for path in sorted(src.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in data.get("nlu", []):
            if "examples" in block and strip:
                block["examples"] = strip_diacritics(block["examples"])
        (dst / path.name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dst


def run_rasa_test(model: Path, test_dir: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "rasa", "test", "nlu", "--nlu", str(test_dir), "--model", str(model),
           "--out", str(out), "--no-plot", "--successes"]
    out.mkdir(parents=True)
    with open(out / "rasa-test.log", "wb") as log:
        subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT)


def read_evaluation(name: str, out: Path, threshold: float = 0.0) -> Evaluation:
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    errors, successes = (
        json.loads(f.read_text(encoding="utf-8")) if f.exists() else []
        for f in (out / "intent_errors.json", out / "intent_successes.json")
    )
    per_intent = {
        k: {m: v[m] for m in ("precision", "recall", "f1-score", "support")}
        for k, v in report.items()
        if isinstance(v, dict) and k not in ("macro avg", "weighted avg", "micro avg")
    }
    pairs = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    confusions = [(a, b, n) for (a, b), n in pairs.most_common(10)]
    predictions = [(e["intent"], e["intent_prediction"]["name"]) for e in errors + successes]
    confidences = [e["intent_prediction"]["confidence"] for e in errors + successes]
    return Evaluation(name, report["accuracy"], report["macro avg"]["f1-score"], per_intent, confusions, errors,
                      predictions, confidences, threshold)


def fallback_threshold(config: Path = CONFIG) -> float:
    """The FallbackClassifier's threshold: under it the assistant answers "em chưa hiểu"."""
    pipeline = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("pipeline") or []
    return next((float(c.get("threshold", 0.3)) for c in pipeline if c.get("name") == "FallbackClassifier"), 0.0)


def fallback_rate(evaluation: Evaluation) -> float:
    """The share of the examples the assistant would answer with "em chưa hiểu": `rasa test nlu`
    scores the classifier's intent even where the FallbackClassifier replaced it, so the rate is read
    from the confidences."""
    return sum(c < evaluation.threshold for c in evaluation.confidences) / max(1, len(evaluation.confidences))


def _prf(scores: dict[str, float]) -> str:
    return " / ".join(f"{scores.get(m, 0):.2f}" for m in ("precision", "recall", "f1-score"))


def compare(previous: dict, evaluations: list[Evaluation]) -> list[str]:
    """What got better or worse since the previous report (its JSON)."""
    lines = ["", "## Compared with the previous report", "",
             "| test set | accuracy | macro-F1 |", "|---|---|---|"]
    changes = []
    for e in evaluations:
        before = previous.get(e.name)
        if not before:
            continue
        lines.append(f"| {e.name} | {before['accuracy']:.3f} → {e.accuracy:.3f} ({e.accuracy - before['accuracy']:+.3f}) "
                     f"| {before['macro_f1']:.3f} → {e.macro_f1:.3f} ({e.macro_f1 - before['macro_f1']:+.3f}) |")
        for intent, now_f1 in sorted(e.summary()["f1"].items()):
            was = before["f1"].get(intent)
            if was is None or abs(now_f1 - was) >= 0.005:
                changes.append(f"- {e.name}, {intent}: F1 {'new' if was is None else f'{was:.2f}'} → {now_f1:.2f}")
        errors_before, errors_now = set(before["errors"]), {x["text"] for x in e.errors}
        changes += [f"- {e.name}, now right: `{t}`" for t in sorted(errors_before - errors_now)]
        changes += [f"- {e.name}, now wrong: `{t}`" for t in sorted(errors_now - errors_before)]
    return lines + ["", *(changes or ["No intent's F1 and no example changed."])]


def plot_confusion(evaluation: Evaluation, path: Path) -> None:
    """The confusion matrix as an image: rows the true intent, columns the prediction."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    intents = sorted({i for pair in evaluation.predictions for i in pair})
    index = {name: i for i, name in enumerate(intents)}
    matrix = [[0] * len(intents) for _ in intents]
    for true, predicted in evaluation.predictions:
        matrix[index[true]][index[predicted]] += 1
    size = max(6, 0.38 * len(intents))
    figure, axes = plt.subplots(figsize=(size + 2, size))
    image = axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(intents)), intents, rotation=90, fontsize=8)
    axes.set_yticks(range(len(intents)), intents, fontsize=8)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                axes.text(j, i, count, ha="center", va="center", fontsize=7,
                          color="white" if count > max(map(max, matrix)) / 2 else "black")
    axes.set_xlabel("predicted")
    axes.set_ylabel("intent")
    axes.set_title(f"NLU confusion matrix ({evaluation.name}), accuracy {evaluation.accuracy:.3f}")
    figure.colorbar(image, fraction=0.03)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def render_report(evaluations: list[Evaluation], previous: dict | None = None) -> str:
    lines = ["# NLU evaluation on the held-out test sets (tests/nlu: chat style; tests/nlu/letters: letters)", ""]
    lines += ["| test set | accuracy | macro-F1 | errors | fallbacks |", "|---|---|---|---|---|"]
    lines += [f"| {e.name} | {e.accuracy:.3f} | {e.macro_f1:.3f} | {len(e.errors)} | {fallback_rate(e):.1%} |"
              for e in evaluations]
    if previous is not None:
        lines += compare(previous, evaluations)
    intents = sorted({intent for e in evaluations for intent in e.per_intent})
    lines += ["", "## Per intent", "", "precision / recall / F1", "",
              "| intent | " + " | ".join(e.name for e in evaluations) + " | support |",
              "|---|" + "---|" * (len(evaluations) + 1)]
    for intent in intents:
        scores = " | ".join(_prf(e.per_intent.get(intent, {})) for e in evaluations)
        support = " / ".join(str(int(e.per_intent.get(intent, {}).get("support", 0))) for e in evaluations[::2])
        lines.append(f"| {intent} | {scores} | {support} |")
    for e in evaluations:
        lines += ["", f"## Top confusions ({e.name})", "", "| intent | predicted | count |", "|---|---|---|"]
        lines += [f"| {a} | {b} | {n} |" for a, b, n in e.confusions]
        lines += ["", f"## Misclassified examples ({e.name})", ""]
        lines += [f"- `{x['text']}`: {x['intent']} → {x['intent_prediction']['name']} "
                  f"({x['intent_prediction']['confidence']:.2f})" for x in e.errors]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--test-set", type=Path, default=TEST_SET)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--min-accuracy", type=float, default=0.92)
    parser.add_argument("--min-stripped", type=float, default=0.90)
    parser.add_argument("--letters", type=Path, default=LETTERS)
    parser.add_argument("--min-letters", type=float, default=0.0)
    parser.add_argument("--min-letters-stripped", type=float, default=0.0)
    parser.add_argument("--max-letters-fallback", type=float, default=1.0)
    args = parser.parse_args(argv)

    work = args.results / "nlu"
    runs = [("as written", args.test_set, False), ("without diacritics", args.test_set, True)]
    if args.letters.is_dir():
        runs += [("letters as written", args.letters, False), ("letters without diacritics", args.letters, True)]
    evaluations = []
    for name, test_set, strip in runs:
        slug = name.replace(" ", "-")
        out = work / slug
        run_rasa_test(args.model, write_copy(test_set, work / f"{slug}-test-set", strip), out)
        evaluations.append(read_evaluation(name, out, fallback_threshold()))
    summary_file = args.results / "nlu-report.json"
    previous = json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.exists() else None
    (args.results / "nlu-report.md").write_text(render_report(evaluations, previous), encoding="utf-8")
    summary_file.write_text(json.dumps({e.name: e.summary() for e in evaluations}, ensure_ascii=False, indent=1)
                            + "\n", encoding="utf-8")
    plot_confusion(evaluations[0], args.results / "nlu-confusion.png")

    failed = False
    minimums = (args.min_accuracy, args.min_stripped, args.min_letters, args.min_letters_stripped)
    for e, minimum in zip(evaluations, minimums):
        ok = e.accuracy >= minimum
        failed |= not ok
        print(f"NLU intent accuracy {e.name}: {e.accuracy:.3f} (macro-F1 {e.macro_f1:.3f}, "
              f"fallbacks {fallback_rate(e):.1%}, threshold {minimum:.2f}) {'OK' if ok else 'FAILED'}")
    for e in evaluations[2:]:
        if fallback_rate(e) > args.max_letters_fallback:
            failed = True
            print(f"Fallbacks on {e.name}: {fallback_rate(e):.1%} over {args.max_letters_fallback:.0%} FAILED")
    print(f"Report: {args.results / 'nlu-report.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
