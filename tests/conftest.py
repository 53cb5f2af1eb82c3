import hashlib
from datetime import date
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 24)
MODEL = ROOT / "models" / "current.tar.gz"


def pytest_configure(config):
    config.addinivalue_line("markers", "live: starts the real Rasa and action servers (slow)")


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def responses(domain) -> dict:
    return domain["responses"]


@pytest.fixture(scope="session")
def running(tmp_path_factory):
    """The whole assistant (scripts/run.sh: action server, Rasa server, staff pages) on free ports with
    a fresh SQLite database, started once for every conversation test of the session."""
    from launcher import running_assistant

    if not MODEL.exists():
        pytest.skip("no trained model: run `make train` (make test trains before running pytest)")
    db = tmp_path_factory.mktemp("db") / "bot.db"
    with running_assistant(f"sqlite:///{db}", {"BOT_TODAY": "2026-11-24"}) as started:
        started.db = db
        yield started


class Talk:
    """The session's assistant, talking as this test's own sender unless a test names another, so
    that no test inherits another's conversation."""

    def __init__(self, running, sender: str) -> None:
        self._running, self.sender = running, sender

    def __getattr__(self, name):
        return getattr(self._running, name)

    def say(self, text: str, sender: str | None = None) -> list[dict]:
        return self._running.say(text, sender=sender or self.sender)


@pytest.fixture
def assistant(running, request):
    return Talk(running, "t-" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16])
