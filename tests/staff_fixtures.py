"""A staff site on a fresh database (SQLite, or PostgreSQL where a server is reachable) with leads in
two provinces and one account per role, and a browser-like client (from a client address of its
own) that signs in and sends the CSRF token of its session with every form."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.leads.checks import LeadRequest
from bot.leads.models import Lead
from bot.leads.store import LeadStore
from bot.staff.accounts import ADMIN, OFFICE, TRAINER, Accounts
from bot.staff.app import create_app
from bot.staff.queries import local
from bot.storage import db
from bot.storage.orm import now
from db_fixtures import fresh_postgres, fresh_sqlite

PASSWORD = "mat-khau-du-dai"
ACCOUNTS = {"quantri": (ADMIN, None), "nghean": (OFFICE, "Nghệ An"), "nghean2": (OFFICE, "Nghệ An"),
            "hanoi": (OFFICE, "Hà Nội"), "huanluyen": (TRAINER, None)}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def lead_request(full_name: str, phone: str, province: str, **changes: object) -> LeadRequest:
    fields: dict = dict(
        submission_id=uuid.uuid4().hex, full_name=full_name, phone=phone, province=province,
        office=f"Bảo hiểm xã hội {province}", channel="rest", conversation_id="c-" + phone,
        consent_version="2026-11-v1", consent_sha256="ab" * 32, consent_given_at=now().isoformat(),
        interests=["Mức đóng"], income=5_000_000, target_group="farmer",
    )
    return LeadRequest(**{**fields, **changes})


@dataclass
class Site:
    engine: Engine
    store: LeadStore
    accounts: Accounts
    leads: dict[str, int]  # full name -> lead id

    def app(self, **settings: object) -> Flask:
        return create_app(self.engine, today=lambda: local(now()).date(), **settings)  # type: ignore[arg-type]

    def client(self, app: Flask | None = None, address: str = "192.0.2.10") -> "StaffClient":
        """A browser at this client address, on its own site (app) unless one is given."""
        http = (app or self.app()).test_client()
        http.environ_base["REMOTE_ADDR"] = address
        return StaffClient(http)

    def signed_in(self, username: str, password: str = PASSWORD) -> "StaffClient":
        client = self.client()
        response = client.sign_in(username, password)
        assert response.status_code == 303, response.text
        return client

    def backdate(self, lead_id: int, days: int) -> None:
        with Session(self.engine, future=True) as session, session.begin():
            session.execute(update(Lead).where(Lead.id == lead_id).values(created_at=now() - timedelta(days=days)))


class StaffClient:
    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.http = client
        self.csrf: str | None = None

    def sign_in(self, username: str, password: str, next: str = "/"):  # type: ignore[no-untyped-def]
        token = _CSRF.search(self.http.get("/login").text).group(1)
        response = self.http.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                                  "next": next})
        if response.status_code == 303:
            self.csrf = _CSRF.search(self.http.get("/password").text).group(1)
        return response

    def get(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.http.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, csrf: bool = True):  # type: ignore[no-untyped-def]
        data = dict(data or {})
        if csrf and self.csrf:
            data.setdefault("csrf_token", self.csrf)
        return self.http.post(url, data=data)


def build_site(url: str) -> Site:
    engine = db.make_engine(url)
    store, accounts = LeadStore(engine), Accounts(engine)
    for username, (role, province) in ACCOUNTS.items():
        accounts.create_user(username, PASSWORD, role, province)
    people = [("Phạm Văn Hùng", "0912345678", "Nghệ An", {}),
              ("Nguyễn Thị Lan", "0987654321", "Nghệ An", {"channel": "zalo", "target_group": "trader"}),
              ("Lê Thị Hồng Nhung", "0909123123", "Hà Nội", {"channel": "messenger"}),
              ("=HYPERLINK(\"http://x\")", "0333444555", "Nghệ An", {"target_group": None})]
    leads = {name: store.submit(lead_request(name, phone, province, **extra)) for name, phone, province, extra in people}
    return Site(engine, store, accounts, leads)


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, tmp_path):
    factory = fresh_sqlite(tmp_path) if request.param == "sqlite" else fresh_postgres()
    with factory as url:
        built = build_site(url)
        yield built
        built.engine.dispose()
