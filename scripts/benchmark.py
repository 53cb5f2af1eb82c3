"""Benchmark of the running assistant on this machine: server start-up time and the response time
of REST messages (median and 95th percentile). Prints the figures and writes results/benchmark.json.

    .venv/bin/python scripts/benchmark.py [--messages 60]
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test harness starts the assistant
from launcher import ROOT, running_assistant  # noqa: E402

MESSAGES = [
    "bhxh tu nguyen dong bao nhieu 1 thang",
    "hộ nghèo được hỗ trợ bao nhiêu",
    "đóng bao nhiêu năm thì được lương hưu",
    "mấy tuổi thì được nghỉ hưu",
    "chào em",
    "tôi ở Hà Giang",
    "đăng ký ở đâu",
    "rút bhxh 1 lần được không",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_assistant(f"sqlite:///{tmp}/bot.db") as assistant:
        assistant.say("chào em", sender="warm-up")
        latencies = []
        for i in range(args.messages):
            start = time.perf_counter()
            assistant.say(MESSAGES[i % len(MESSAGES)], sender=f"bench-{i % 5}")
            latencies.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        assistant.say("bảo hiểm " * 600, sender="bench-long")
        long_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        assistant.say(("5 nam " * 11_000)[:64 * 1024], sender="bench-hostile")  # cut at the edge
        hostile_ms = (time.perf_counter() - start) * 1000
    figures = {
        "startup_seconds": round(assistant.startup_seconds, 1),
        "messages": len(latencies),
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(sorted(latencies)[int(0.95 * len(latencies)) - 1], 1),
        "long_message_ms": round(long_ms, 1),
        "hostile_64kb_message_ms": round(hostile_ms, 1),
    }
    out = ROOT / "results" / "benchmark.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"Start-up (both servers, model loaded): {figures['startup_seconds']} s")
    print(f"REST response time over {figures['messages']} messages: median {figures['median_ms']} ms, "
          f"p95 {figures['p95_ms']} ms; a 5,400-character message: {figures['long_message_ms']} ms; "
          f"a hostile 64 KB message: {figures['hostile_64kb_message_ms']} ms")


if __name__ == "__main__":
    main()
