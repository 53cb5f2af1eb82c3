from datetime import date
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 24)


def pytest_configure(config):
    config.addinivalue_line("markers", "live: starts the real Rasa and action servers (slow)")


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def responses(domain) -> dict:
    return domain["responses"]
