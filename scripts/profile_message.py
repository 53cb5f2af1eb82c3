"""Profile of messages end to end in the Rasa server (NLU, policies, tracker store, NLG, the calls of
the action server, which runs as its own process as in production), early in a conversation and at
its 200th turn. Writes the cProfile figures (the top functions by cumulative time, then by own time) to --out.

    .venv/bin/python scripts/profile_message.py [--turns 200] [--out results/profile-after.txt]
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from launcher import ROOT, running_action_server  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from benchmark import PROJECT_MESSAGES  # noqa: E402


async def profile(turns: int, out: Path) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints

    try:  # what the project's Rasa server does (absent before it existed: the profile "before")
        from bot.servers import speedups
        speedups.install()
    except ImportError:
        pass

    agent = await load_agent(str(ROOT / "models" / "current.tar.gz"),
                             endpoints=AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")))
    cycle = len(PROJECT_MESSAGES)
    report = io.StringIO()

    async def turn(number: int) -> float:
        started = time.perf_counter()
        await agent.handle_message(UserMessage(PROJECT_MESSAGES[number % cycle], CollectingOutputChannel(), "profiled"))
        return (time.perf_counter() - started) * 1000

    done = 0
    for label, first in (("turns 1-8", 0), (f"turns {turns - cycle + 1}-{turns}", turns - cycle)):
        while done < first:  # the turns before this block, not profiled
            await turn(done)
            done += 1
        profiler = cProfile.Profile()
        profiler.enable()
        times = [await turn(number) for number in range(first, first + cycle)]
        profiler.disable()
        done = first + cycle
        report.write(f"=== {label}: {', '.join(f'{t:.0f}' for t in times)} ms (total {sum(times):.0f} ms)\n")
        stats = pstats.Stats(profiler, stream=report)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    out.parent.mkdir(exist_ok=True)
    out.write_text(report.getvalue())
    print("\n".join(line for line in report.getvalue().splitlines() if line.startswith("=== ")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "profile-after.txt")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bot.db"
        token = secrets.token_urlsafe(32)
        from bot.storage import db

        db.upgrade(url)
        with running_action_server({"BOT_ACTIONS_TOKEN": token, "BOT_DATABASE_URL": url}) as actions:
            os.environ.update(BOT_DATABASE_URL=url, BOT_LOCK_STORE_URL=url, BOT_ACTIONS_TOKEN=token,
                              ACTIONS_PORT=actions.rsplit(":", 1)[1])
            asyncio.run(profile(args.turns, args.out))


if __name__ == "__main__":
    main()
