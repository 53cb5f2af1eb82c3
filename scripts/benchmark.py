"""Benchmark of the assistant beside stock Rasa's `rasa init` assistant (moodbot), in one run on this
machine: closed-loop REST users (each sends its next message when the previous one is answered),
1 and 10 at a time for --seconds each; messages per second, p50/p95/p99 latency, the servers' memory
(RSS), the ratios; then the latency of one long conversation at its start (turns 1-8) and at its
200th turn (turns 193-200: the same eight messages). Prints the figures and the load average, and
writes results/benchmark.json.

    .venv/bin/python scripts/benchmark.py [--seconds 30] [--users 1 10] [--turns 200] [--no-stock]
    .venv/bin/python scripts/benchmark.py --url http://127.0.0.1:8080   # a running deployment (make run-prod)

Stock Rasa is created once into var/stock (`rasa init --no-prompt`, which trains its model) in the same
virtual environment, and runs as `rasa run` out of the box (in-memory tracker and lock store)."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

import aiohttp
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test harness starts the assistant
from launcher import ROOT, free_port, running_assistant  # noqa: E402

STOCK = ROOT / "var" / "stock"
# A cycle of questions people ask, eight messages: a long conversation repeats it.
PROJECT_MESSAGES = [
    "chào em",
    "bhxh tu nguyen dong bao nhieu 1 thang",
    "hộ nghèo được hỗ trợ bao nhiêu",
    "đóng bao nhiêu năm thì được lương hưu",
    "mấy tuổi thì được nghỉ hưu",
    "đăng ký ở đâu",
    "rút bhxh 1 lần được không",
    "cảm ơn em",
]
STOCK_MESSAGES = ["hello", "I am sad", "yes", "great", "are you a bot?", "very good", "no", "goodbye"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def closed_loop(url: str, messages: list[str], users: int, seconds: float, run: str) -> dict:
    """`users` senders, each with its own conversation, sending the cycle of messages for `seconds`."""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    async def user(number: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors
        turn = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                async with session.post(f"{url}/webhooks/rest/webhook",
                                        json={"sender": f"bench-{run}-{users}-{number}", "message": messages[turn % len(messages)]}) as reply:
                    await reply.read()
                    ok = reply.status == 200
            except aiohttp.ClientError:
                ok = False
            if ok:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors += 1
            turn += 1

    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        await asyncio.gather(*(user(n, session) for n in range(users)))
    elapsed = time.monotonic() - started
    return {"users": users, "messages": len(latencies), "errors": errors, "msg_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.50), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1)}


def long_conversation(url: str, messages: list[str], turns: int) -> dict:
    """One sender, `turns` messages in one session: the latency of the first cycle against the last."""
    latencies = []
    with requests.Session() as session:
        for turn in range(turns):
            started = time.perf_counter()
            session.post(f"{url}/webhooks/rest/webhook", json={"sender": "bench-long", "message": messages[turn % len(messages)]},
                         timeout=60).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
    cycle = len(messages)
    first, last = statistics.median(latencies[:cycle]), statistics.median(latencies[-cycle:])
    return {"turns": turns, f"turns_1_{cycle}_median_ms": round(first, 1),
            f"turns_{turns - cycle + 1}_{turns}_median_ms": round(last, 1), "growth": round(last / first, 2)}


def hostile(url: str) -> dict:
    """A 5,400-character message and a hostile 64 KB one, each answered "please ask briefly"."""
    figures = {}
    for name, text in (("long_message_ms", "bảo hiểm " * 600), ("hostile_64kb_message_ms", ("5 nam " * 11_000)[:64 * 1024])):
        started = time.perf_counter()
        requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "bench-hostile", "message": text}, timeout=60)
        figures[name] = round((time.perf_counter() - started) * 1000, 1)
    print(f"project  a 5,400-character message: {figures['long_message_ms']} ms; a hostile 64 KB message: "
          f"{figures['hostile_64kb_message_ms']} ms", flush=True)
    return figures


def rss_mb(root_pid: int) -> dict[str, float]:
    """The resident memory of the process tree under `root_pid`, per server (its command line)."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        children.setdefault(int(fields["PPid"]), []).append(int(fields["Pid"]))
    memory: dict[str, float] = {}
    todo = [root_pid]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if "VmRSS" in fields and int(fields["VmRSS"].split()[0]) > 20_000:  # a server, not a shell
            name = _server_name([part.decode(errors="replace") for part in command if part])
            memory[name] = round(memory.get(name, 0) + int(fields["VmRSS"].split()[0]) / 1024, 1)
    return memory


def _server_name(command: list[str]) -> str:
    for marker, name in (("action_server", "actions"), ("rasa_server", "rasa"), ("staff", "staff")):
        if any(marker in part for part in command):
            return name
    return "rasa" if any(part.endswith("rasa") for part in command) else Path(command[0]).name


def ensure_stock() -> Path:
    """Stock Rasa's starter assistant, created and trained once."""
    models = sorted((STOCK / "models").glob("*.tar.gz"))
    if not models:
        STOCK.mkdir(parents=True, exist_ok=True)
        print("Creating and training stock Rasa's assistant in var/stock (once)...", flush=True)
        subprocess.run([str(ROOT / ".venv" / "bin" / "rasa"), "init", "--no-prompt", "--init-dir", str(STOCK)],
                       check=True, stdout=subprocess.DEVNULL, env={**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})
        models = sorted((STOCK / "models").glob("*.tar.gz"))
    return models[-1]


@contextmanager
def running_stock() -> Iterator[tuple[str, int]]:
    model, port = ensure_stock(), free_port()
    log = open(ROOT / "var" / "stock.out", "w")
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "rasa"), "run", "--interface", "127.0.0.1", "--port", str(port),
                                "--model", str(model)], cwd=STOCK, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if requests.get(f"{url}/", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("stock Rasa did not start: see var/stock.out")
            time.sleep(0.5)
        yield url, process.pid
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def measure(name: str, url: str, pid: int | None, messages: list[str], args: argparse.Namespace) -> dict:
    for number in range(3):  # warm-up: the first messages load what Rasa loads lazily
        requests.post(f"{url}/webhooks/rest/webhook", json={"sender": f"warm-{number}", "message": messages[number]}, timeout=60)
    figures: dict = {"load": []}
    for users in args.users:
        result = asyncio.run(closed_loop(url, messages, users, args.seconds, name))
        figures["load"].append(result)
        print(f"{name:8} {users:3} user(s): {result['msg_per_s']:6.1f} msg/s  p50 {result['p50_ms']:6.1f}  "
              f"p95 {result['p95_ms']:6.1f}  p99 {result['p99_ms']:6.1f} ms  ({result['messages']} messages, "
              f"{result['errors']} errors)", flush=True)
    if pid is not None:
        figures["rss_mb"] = rss_mb(pid)
        print(f"{name:8} memory (RSS, MB): {figures['rss_mb']}", flush=True)
    if args.turns:
        figures["long_conversation"] = conversation = long_conversation(url, messages, args.turns)
        print(f"{name:8} one conversation: {conversation}", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--turns", type=int, default=200, help="the long conversation's length (0: none)")
    parser.add_argument("--no-stock", action="store_true", help="the project only")
    parser.add_argument("--url", help="a running assistant's REST base URL instead of starting one")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "benchmark.json")
    args = parser.parse_args()
    figures: dict = {"load_average_before": os.getloadavg(), "cores": os.cpu_count(), "seconds": args.seconds}
    print(f"Load average before: {figures['load_average_before']} on {figures['cores']} cores", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        project = nullcontext(None) if args.url else running_assistant(f"sqlite:///{tmp}/bot.db", rasa_per_core=True)
        with project as assistant:
            url = args.url or assistant.url
            figures["project"] = measure("project", url, assistant and assistant.process.pid, PROJECT_MESSAGES, args)
            if assistant:
                figures["project"].update(startup_seconds=round(assistant.startup_seconds, 1), **hostile(url))
    if not args.no_stock:
        with running_stock() as (url, pid):
            figures["stock"] = measure("stock", url, pid, STOCK_MESSAGES, args)
        for project, stock in zip(figures["project"]["load"], figures["stock"]["load"]):
            ratio = round(project["msg_per_s"] / stock["msg_per_s"], 2)
            project["throughput_vs_stock"] = ratio
            print(f"{project['users']:3} user(s): the project's throughput is {ratio} x stock's; "
                  f"p95 {project['p95_ms']} ms against {stock['p95_ms']} ms", flush=True)
    figures["load_average_after"] = os.getloadavg()
    print(f"Load average after: {figures['load_average_after']}")
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"Written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
