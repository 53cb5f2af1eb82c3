"""The action server: Rasa SDK's app serving actions/, on ACTIONS_INTERFACE (127.0.0.1) and
ACTIONS_PORT (5055), running an action only for a caller that presents BOT_ACTIONS_TOKEN.

    python -m bot.servers.action_server        (scripts/run.sh starts it)

The Rasa server sends the token in a header, `Authorization: Bearer <token>` (the `headers:` of the
action endpoint in endpoints.yml), rather than in the `?token=` query parameter Rasa also offers:
query strings end up in access logs, a header does not. Only the health checks answer without the
token: /health (the Rasa SDK's), /health/live and /health/ready (bot.ops.health). /metrics (with the
token) gives Prometheus the action calls run, their errors and durations, the leads recorded and
the outbox's depth (bot.ops.metrics). Logging follows the BOT_LOG_* variables (bot.ops.logs)."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
import zlib
from pathlib import Path

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot.ops import health, logs, metrics
from bot.outbox import Outbox, default_directory
from bot.servers.tokens import bearer_refusal, usable
from bot.storage import db

OPEN_PATHS = frozenset({"/health", "/health/live", "/health/ready"})
log = logging.getLogger("bot.servers.action_server")  # not __name__: run as __main__


def guarded_app(token: str, engine: Engine | None = None, outbox_dir: Path | None = None) -> Sanic:
    """The engine and the outbox the readiness check probes: BOT_DATABASE_URL's and BOT_OUTBOX_DIR's
    (those the actions use) unless given."""
    # No CORS origin: the Rasa server calls this, never a browser.
    app = create_app("actions", cors_origins=None)
    engine, outbox_dir = engine or db.make_engine(), outbox_dir or default_directory()
    outbox_depth = metrics.OutboxCollector(Outbox(outbox_dir))

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        refused = bearer_refusal(request.headers.get("Authorization"), token)
        if refused is None:
            return None
        status, error = refused
        challenge = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return response.json({"error": error}, status=status, headers=challenge)

    # Runs after the token check, so that refused calls are not counted. Sanic runs the request
    # middleware again when the action raises: the first start time stays.
    @app.middleware("request")
    async def start_clock(request: Request) -> None:
        if request.path == "/webhook" and not hasattr(request.ctx, "action"):
            request.ctx.action = _action_name(request), time.perf_counter()

    @app.middleware("response")
    async def count_action(request: Request, answer: HTTPResponse) -> None:
        name, started = getattr(request.ctx, "action", (None, 0.0))
        if name is not None and answer.status != 404:  # 404: no such action (a name anyone could make up)
            metrics.action_ran(name, time.perf_counter() - started, failed=answer.status >= 500)

    @app.get("/metrics")
    async def serve_metrics(_: Request) -> HTTPResponse:
        # Reads files (the outbox, the other workers' values): off the event loop.
        body = await asyncio.get_running_loop().run_in_executor(None, metrics.exposition, outbox_depth)
        return response.raw(body, content_type=metrics.CONTENT_TYPE)

    @app.get("/health/live")
    async def live(_: Request) -> HTTPResponse:
        return response.json(health.LIVE)

    @app.get("/health/ready")
    async def ready(_: Request) -> HTTPResponse:
        # The checks block (a database round trip, an fsync): off the event loop.
        status, body = await asyncio.get_running_loop().run_in_executor(None, health.readiness, engine, outbox_dir)
        return response.json(body, status=status)

    return app


def _action_name(request: Request) -> str | None:
    """The action a call asks for, read as the Rasa SDK reads the call (a deflated body or JSON)."""
    try:
        if request.headers.get("Content-Encoding") == "deflate":
            call = json.loads(zlib.decompress(request.body))
        else:
            call = request.json  # parsed once: the SDK's handler reads the same
    except (InvalidUsage, ValueError, zlib.error):
        return None
    name = call.get("next_action") if isinstance(call, dict) else None
    return name if isinstance(name, str) else None


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
