"""The action server: Rasa SDK's app serving actions/, on ACTIONS_INTERFACE (127.0.0.1) and
ACTIONS_PORT (5055), running an action only for a caller that presents BOT_ACTIONS_TOKEN.

    python -m bot.servers.action_server        (scripts/run.sh starts it)

The Rasa server sends the token in a header, `Authorization: Bearer <token>` (the `headers:` of the
action endpoint in endpoints.yml), rather than in the `?token=` query parameter Rasa also offers:
query strings end up in access logs, a header does not. Only the health checks answer without the
token: /health (the Rasa SDK's), /health/live and /health/ready (bot.ops.health). Logging follows
the BOT_LOG_* variables (bot.ops.logs)."""
from __future__ import annotations

import asyncio
import hmac
import logging
import os
import sys
from pathlib import Path

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot.ops import health, logs
from bot.outbox import default_directory
from bot.servers.tokens import usable
from bot.storage import db

OPEN_PATHS = frozenset({"/health", "/health/live", "/health/ready"})
log = logging.getLogger("bot.servers.action_server")  # not __name__: run as __main__


def guarded_app(token: str, engine: Engine | None = None, outbox_dir: Path | None = None) -> Sanic:
    """The engine and the outbox the readiness check probes: BOT_DATABASE_URL's and BOT_OUTBOX_DIR's
    (those the actions use) unless given."""
    # No CORS origin: the Rasa server calls this, never a browser.
    app = create_app("actions", cors_origins=None)
    expected = f"Bearer {token}".encode()
    engine, outbox_dir = engine or db.make_engine(), outbox_dir or default_directory()

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get("Authorization")
        if given is None:
            return response.json({"error": "token required"}, status=401, headers={"WWW-Authenticate": "Bearer"})
        if not hmac.compare_digest(given.encode(), expected):
            return response.json({"error": "wrong token"}, status=403)
        return None

    @app.get("/health/live")
    async def live(_: Request) -> HTTPResponse:
        return response.json(health.LIVE)

    @app.get("/health/ready")
    async def ready(_: Request) -> HTTPResponse:
        # The checks block (a database round trip, an fsync): off the event loop.
        status, body = await asyncio.get_running_loop().run_in_executor(None, health.readiness, engine, outbox_dir)
        return response.json(body, status=status)

    return app


def main() -> None:
    token = os.environ.get("BOT_ACTIONS_TOKEN", "")
    if not usable(token):
        sys.exit("BOT_ACTIONS_TOKEN is missing or too short: start the servers with scripts/run.sh")
    utils.update_sanic_log_level()  # Sanic's own records: errors only, as the Rasa SDK sets them
    logs.configure(logging.INFO)  # before the actions are imported: they start background jobs that log
    app = guarded_app(token)
    host, port = os.environ.get("ACTIONS_INTERFACE", "127.0.0.1"), int(os.environ.get("ACTIONS_PORT", "5055"))
    log.info("Action server on http://%s:%s (token required)", host, port)
    app.run(host, port)


if __name__ == "__main__":
    main()
