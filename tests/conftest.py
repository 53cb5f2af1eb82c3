import hashlib
from datetime import date
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 24)
MODEL = ROOT / "models" / "current.tar.gz"


def pytest_configure(config):
    config.addinivalue_line("markers", "live: starts a server, trains a model or drives the browser; "
                                       "`make check` leaves these out, `make test` runs them")
    config.addinivalue_line("markers", "server: uses the PostgreSQL or Redis server; `make check` runs the same "
                                       "tests on SQLite only, `make test` runs them on every store")


# Fixtures that start servers (the session's assistant, tests/test_ops_*.py's action server) or the browser.
LIVE_FIXTURES = {"running", "action_server", "browser"}


# Parameters of the store fixtures (database_url and its likes) that need a server.
SERVER_STORES = {"postgresql", "redis"}


def pytest_collection_modifyitems(items):
    """A test using a live fixture is live whether or not its module says so; a test run on a
    PostgreSQL or Redis store is a server test."""
    for item in items:
        if LIVE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.live)
        callspec = getattr(item, "callspec", None)
        if callspec and SERVER_STORES & {v for v in callspec.params.values() if isinstance(v, str)}:
            item.add_marker(pytest.mark.server)


def pytest_sessionfinish(session):
    from db_fixtures import drop_templates
    drop_templates()


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """argon2 with the cheapest parameters in this process: the production parameters cost 0.25 s of
    CPU a hash, and the staff tests hash and verify some thousand passwords (lock-outs, rate limits,
    sign-ins). What the tests assert does not depend on the cost; the `bot` commands and the servers
    the tests start run as separate processes, with the production parameters."""
    from argon2 import PasswordHasher, profiles

    from bot.staff import accounts
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", cheap)
        patch.setattr(accounts, "_DUMMY_HASH", cheap.hash("dummy"))
        yield


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
    with running_assistant(f"sqlite:///{db}", {"BOT_TODAY": "2026-11-24"}, rasa_per_core=True) as started:
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
