"""The action server: Rasa SDK's app serving actions/, on ACTIONS_INTERFACE (127.0.0.1) and
ACTIONS_PORT (5055), running an action only for a caller that presents BOT_ACTIONS_TOKEN.

    python -m bot.servers.action_server        (scripts/run.sh starts it)

The Rasa server sends the token in a header, `Authorization: Bearer <token>` (the `headers:` of the
action endpoint in endpoints.yml), rather than in the `?token=` query parameter Rasa also offers:
query strings end up in access logs, a header does not. Only /health answers without the token."""
from __future__ import annotations

import hmac
import logging
import os
import sys

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.servers.tokens import usable

OPEN_PATHS = frozenset({"/health"})
log = logging.getLogger(__name__)


def guarded_app(token: str) -> Sanic:
    # No CORS origin: the Rasa server calls this, never a browser.
    app = create_app("actions", cors_origins=None)
    expected = f"Bearer {token}".encode()

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

    return app


def main() -> None:
    token = os.environ.get("BOT_ACTIONS_TOKEN", "")
    if not usable(token):
        sys.exit("BOT_ACTIONS_TOKEN is missing or too short: start the servers with scripts/run.sh")
    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    host, port = os.environ.get("ACTIONS_INTERFACE", "127.0.0.1"), int(os.environ.get("ACTIONS_PORT", "5055"))
    log.info("Action server on http://%s:%s (token required)", host, port)
    guarded_app(token).run(host, port)


if __name__ == "__main__":
    main()
