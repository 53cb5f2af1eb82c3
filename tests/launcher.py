"""Start the whole assistant (scripts/run.sh: action server + Rasa server) as a child process,
for the conversation tests and the benchmark, with fresh tokens and a var/ directory of its own
(logs, outbox, metrics), so that assistants started side by side (pytest-xdist) share nothing;
or the action server alone. Stops it the way a user does, with Ctrl-C."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningAssistant:
    url: str
    actions_url: str
    staff_url: str
    startup_seconds: float
    process: subprocess.Popen
    api_token: str
    actions_token: str
    var: Path

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call of the Rasa HTTP API with its token (Rasa reads it from the query string only)."""
        params = {**kwargs.pop("params", {}), "token": self.api_token}
        return requests.request(method, f"{self.url}{path}", params=params, timeout=60, **kwargs)

    def say(self, text: str, sender: str = "tester") -> list[dict]:
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
        response.raise_for_status()
        return response.json()


@contextmanager
def running_assistant(database_url: str, extra_env: dict[str, str] | None = None,
                      timeout: float = 300, rasa_per_core: bool = False) -> Iterator[RunningAssistant]:
    """One Rasa process, since each loads the model (most of a start's CPU); `rasa_per_core`: one per
    core, as `make run` starts it (scripts/run.sh's default)."""
    rasa_port, actions_port, staff_port = free_port(), free_port(), free_port()
    var = Path(tempfile.mkdtemp(prefix="assistant-")) / "var"  # made by scripts/run.sh, as var/ is
    env = {**os.environ, "RASA_PORT": str(rasa_port), "ACTIONS_PORT": str(actions_port), "STAFF_PORT": str(staff_port),
           "BOT_DATABASE_URL": database_url, "BOT_API_TOKEN": secrets.token_urlsafe(32),
           "BOT_ACTIONS_TOKEN": secrets.token_urlsafe(32), "BOT_VAR_DIR": str(var),
           **({} if rasa_per_core else {"SANIC_WORKERS": "1"}), **(extra_env or {})}
    start = time.monotonic()
    process = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("Servers ready"):
                break
        else:
            raise RuntimeError(f"the assistant did not start (exit code {process.wait()}): "
                               + "".join((var / f"{name}.out").read_text(errors="replace")[-2000:]
                                         for name in ("actions", "rasa", "staff") if (var / f"{name}.out").exists()))
        yield RunningAssistant(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{actions_port}",
                               f"http://127.0.0.1:{staff_port}", time.monotonic() - start, process,
                               env["BOT_API_TOKEN"], env["BOT_ACTIONS_TOKEN"], var)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        shutil.rmtree(var.parent, ignore_errors=True)


@contextmanager
def running_action_server(env: dict[str, str], timeout: float = 120) -> Iterator[str]:
    """The real action server (python -m bot.servers.action_server) on a free port, with `env` added
    to this environment (BOT_ACTIONS_TOKEN, BOT_DATABASE_URL...); yields its base URL."""
    port = free_port()
    env = {**os.environ, "ACTIONS_PORT": str(port), "PYTHONPATH": str(ROOT), **env}
    process = subprocess.Popen([sys.executable, "-m", "bot.servers.action_server"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                requests.get(f"{base}/health/live", timeout=2)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the action server did not start: {process.stdout.read()}")
                time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
