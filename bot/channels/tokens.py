"""A provider's access/refresh token pair, kept in the database: Zalo's refresh token is single-use,
so the new pair must survive a restart and is written in one statement. The pair given in the
environment seeds the row, and seeds it again when the environment holds a new pair (after the OA
was authorised anew)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, String, Text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.storage.orm import Base, UtcDateTime, now


class ChannelToken(Base):
    __tablename__ = "channel_tokens"
    channel = Column(String(20), primary_key=True)
    access_token = Column(Text, nullable=False)
    refresh_token = Column(Text, nullable=False)
    expires_at = Column(UtcDateTime)
    seed_sha256 = Column(String(64), nullable=False)
    updated_at = Column(UtcDateTime, nullable=False)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: datetime | None = None  # None: unknown, used until the provider refuses it


class TokenStore:
    def __init__(self, engine: Engine, channel: str, seed: TokenPair) -> None:
        self.engine, self.channel, self.seed = engine, channel, seed
        self._seed_sha256 = hashlib.sha256(f"{seed.access_token}\n{seed.refresh_token}".encode()).hexdigest()

    def current(self) -> TokenPair:
        with Session(self.engine, future=True) as session, session.begin():
            row = session.get(ChannelToken, self.channel)
            if row is None or row.seed_sha256 != self._seed_sha256:
                row = self._write(session, self.seed)
            return TokenPair(row.access_token, row.refresh_token, row.expires_at)

    def save(self, pair: TokenPair) -> None:
        """Both tokens and their expiry in one write."""
        with Session(self.engine, future=True) as session, session.begin():
            self._write(session, pair)

    def _write(self, session: Session, pair: TokenPair) -> ChannelToken:
        row = session.get(ChannelToken, self.channel) or ChannelToken(channel=self.channel)
        row.access_token, row.refresh_token, row.expires_at = pair.access_token, pair.refresh_token, pair.expires_at
        row.seed_sha256, row.updated_at = self._seed_sha256, now()
        session.add(row)
        return row
