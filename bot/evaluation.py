"""NLU evaluation on the held-out test set, as written and with every diacritic stripped.

Runs `rasa test nlu` twice, writes results/nlu-report.md (accuracy, macro-F1, per-intent F1, top
confusions) next to Rasa's JSON reports, and exits non-zero when an accuracy is under its
threshold, so `make test` fails on a regression.

    python -m bot.evaluation --model models/current.tar.gz --min-accuracy 0.92 --min-stripped 0.90
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

from bot.text import strip_diacritics

TEST_SET = Path("tests/nlu")
RESULTS = Path("results")


@dataclass(frozen=True)
class Evaluation:
    name: str
    accuracy: float
    macro_f1: float
    per_intent: dict[str, dict[str, float]]
    confusions: list[tuple[str, str, int]]
    errors: list[dict]


def write_stripped_copy(src: Path, dst: Path) -> Path:
    """The test set with every example's diacritics removed ("đóng" -> "dong")."""
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for path in sorted(src.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in data.get("nlu", []):
            if "examples" in block:
                block["examples"] = strip_diacritics(block["examples"])
        (dst / path.name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dst


def run_rasa_test(model: Path, test_dir: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "rasa", "test", "nlu", "--nlu", str(test_dir), "--model", str(model),
           "--out", str(out), "--no-plot"]
    out.mkdir(parents=True)
    with open(out / "rasa-test.log", "wb") as log:
        subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT)


def read_evaluation(name: str, out: Path) -> Evaluation:
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    errors_file = out / "intent_errors.json"
    errors = json.loads(errors_file.read_text(encoding="utf-8")) if errors_file.exists() else []
    per_intent = {
        k: {m: v[m] for m in ("precision", "recall", "f1-score", "support")}
        for k, v in report.items()
        if isinstance(v, dict) and k not in ("macro avg", "weighted avg", "micro avg")
    }
    pairs = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    confusions = [(a, b, n) for (a, b), n in pairs.most_common(10)]
    return Evaluation(name, report["accuracy"], report["macro avg"]["f1-score"], per_intent, confusions, errors)


def render_report(evaluations: list[Evaluation]) -> str:
    lines = ["# NLU evaluation on the held-out test set (tests/nlu)", ""]
    lines += ["| test set | accuracy | macro-F1 | errors |", "|---|---|---|---|"]
    lines += [f"| {e.name} | {e.accuracy:.3f} | {e.macro_f1:.3f} | {len(e.errors)} |" for e in evaluations]
    intents = sorted(evaluations[0].per_intent)
    lines += ["", "## Per intent (F1)", "", "| intent | " + " | ".join(e.name for e in evaluations) + " | support |",
              "|---|" + "---|" * (len(evaluations) + 1)]
    for intent in intents:
        scores = " | ".join(f"{e.per_intent.get(intent, {}).get('f1-score', 0):.2f}" for e in evaluations)
        lines.append(f"| {intent} | {scores} | {int(evaluations[0].per_intent[intent]['support'])} |")
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
    args = parser.parse_args(argv)

    work = args.results / "nlu"
    stripped = write_stripped_copy(args.test_set, work / "stripped-test-set")
    evaluations = []
    for name, test_dir in (("as written", args.test_set), ("without diacritics", stripped)):
        out = work / ("as-written" if name == "as written" else "without-diacritics")
        run_rasa_test(args.model, test_dir, out)
        evaluations.append(read_evaluation(name, out))
    (args.results / "nlu-report.md").write_text(render_report(evaluations), encoding="utf-8")

    failed = False
    for e, minimum in zip(evaluations, (args.min_accuracy, args.min_stripped)):
        ok = e.accuracy >= minimum
        failed |= not ok
        print(f"NLU intent accuracy {e.name}: {e.accuracy:.3f} (macro-F1 {e.macro_f1:.3f}, "
              f"threshold {minimum:.2f}) {'OK' if ok else 'FAILED'}")
    print(f"Report: {args.results / 'nlu-report.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
