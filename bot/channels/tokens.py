"""A provider's access/refresh token pair, kept in the database: Zalo's refresh token is single-use,
so the new pair must survive a restart and is written in one statement. The pair given in the
environment seeds the row, and seeds it again when the environment holds a new pair (after the OA
was authorised anew). A refresh is claimed in the row first, so that one process at a time refreshes
whatever the number of replicas: a second refresh with the spent refresh token would fail."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, String, Text, or_, update
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
    refreshing_until = Column(UtcDateTime)  # a process is refreshing the pair (its claim lapses then)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: datetime | None = None  # None: unknown, used until the provider refuses it


REFRESH_CLAIM = timedelta(seconds=30)  # longer than a refresh call takes (15 s timeout)


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

    def claim_refresh(self, stale_access_token: str) -> bool:
        """Whether this process may refresh the pair whose access token is `stale_access_token`: no
        other process holds the claim (or its claim lapsed: that process died) and the pair is the same."""
        table = ChannelToken.__table__
        with self.engine.begin() as connection:
            claimed = connection.execute(
                update(table).where(table.c.channel == self.channel, table.c.access_token == stale_access_token,
                                    or_(table.c.refreshing_until.is_(None), table.c.refreshing_until < now()))
                .values(refreshing_until=now() + REFRESH_CLAIM))
            return claimed.rowcount == 1

    def refreshing(self) -> bool:
        """Whether a process holds a refresh claim."""
        with Session(self.engine, future=True) as session:
            row = session.get(ChannelToken, self.channel)
            return row is not None and row.refreshing_until is not None and row.refreshing_until > now()

    def release_refresh(self) -> None:
        """The refresh failed: another process may try."""
        with Session(self.engine, future=True) as session, session.begin():
            row = session.get(ChannelToken, self.channel)
            if row is not None:
                row.refreshing_until = None

    def _write(self, session: Session, pair: TokenPair) -> ChannelToken:
        row = session.get(ChannelToken, self.channel) or ChannelToken(channel=self.channel)
        row.access_token, row.refresh_token, row.expires_at = pair.access_token, pair.refresh_token, pair.expires_at
        row.refreshing_until = None
        row.seed_sha256, row.updated_at = self._seed_sha256, now()
        session.add(row)
        return row
