"""Rasa's command line with two settings its options cannot give (scripts/run.sh uses it):

    python -m bot.servers.rasa_server run [rasa run options]          the HTTP API token from BOT_API_TOKEN
    python -m bot.servers.rasa_server interactive [options]           listening on RASA_INTERFACE

- `run` passes `--auth-token` itself, read from BOT_API_TOKEN: on the command line the token would
  be readable by every user of the machine (`ps`).
- `interactive` serves Rasa's HTTP API without a token (its own client sends none) on an address
  Rasa hard-codes, 0.0.0.0; here it listens on RASA_INTERFACE (127.0.0.1) instead.
- `run` logs as the BOT_LOG_* variables say (bot.ops.logs) instead of Rasa's coloured console log;
  Sanic's own error records (Rasa's Sanic app configures them when it is created) stay on standard
  error.
- `run` adds `GET /metrics` to Rasa's app for Prometheus (bot.ops.metrics: the messages received
  and sent, counted by the tracker store), for a caller that presents BOT_API_TOKEN in an
  `Authorization: Bearer` header (Rasa's own routes take it in the query string only).
- `run` answers a REST message the client named and sent again (bot.channels.rest) from the stored
  conversation when it was handled already: Rasa's processor looks, under the conversation's lock,
  before handling it.
- `run` honours SANIC_KEEP_ALIVE=false, which Sanic 21.12 ignores (each response closes its connection).
- `run` does once what Rasa repeats at every message for the same result (bot.servers.speedups)."""
from __future__ import annotations

import asyncio
import os
import signal
import sys

import rasa.core.run
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
import rasa.utils.io
from rasa.__main__ import main as rasa_main
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.rest import CLIENT_ID_PREFIX, answers_to
from bot.ops import logs, metrics
from bot.servers import speedups
from bot.servers.tokens import bearer_refusal, usable


def _listen_only_on(interface: str) -> None:
    run = Sanic.run

    def run_on_interface(app: Sanic, host: str | None = None, port: int | None = None, **kwargs) -> None:
        run(app, interface, port, **kwargs)

    Sanic.run = run_on_interface


def _log_as_configured() -> None:
    """Rasa sets up its console log by calling this function of rasa.utils.io, with the level of
    --verbose/--debug or LOG_LEVEL (None: INFO); our handler takes its place."""
    def configure(level: int | str | None) -> None:
        logs.configure(level or os.environ.get("LOG_LEVEL") or "INFO")

    logs.handler_from(os.environ).close()  # a wrong setting stops the start here, with its message
    rasa.utils.io.configure_colored_logging = configure


def _serve_metrics(token: str) -> None:
    """Rasa builds its Sanic app in rasa.core.run.configure_app, before it starts serving: the
    route is added to the app it returns."""
    configure = rasa.core.run.configure_app

    def configure_with_metrics(*args, **kwargs) -> Sanic:  # type: ignore[no-untyped-def]
        app = configure(*args, **kwargs)

        # Before Rasa's listener that loads the model (registered after this function returns): a
        # Sanic worker inherits its parent's SIGTERM handler, which signals the other workers and not
        # itself, until Sanic installs its own once started; a TERM while the model loads must stop it.
        @app.listener("before_server_start")
        async def stop_on_term_while_starting(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)

        @app.get("/metrics")
        async def serve_metrics(request: Request) -> HTTPResponse:
            refused = bearer_refusal(request.headers.get("Authorization"), token)
            if refused is not None:
                status, error = refused
                return response.json({"error": error}, status=status)
            body = await asyncio.get_running_loop().run_in_executor(None, metrics.exposition)  # reads files
            return response.raw(body, content_type=metrics.CONTENT_TYPE)

        _close_connections_unless_kept_alive(app)
        return app

    rasa.core.run.configure_app = configure_with_metrics


def _close_connections_unless_kept_alive(app: Sanic) -> None:
    """Sanic 21.12 reads SANIC_KEEP_ALIVE into its configuration but never applies it. Without
    keep-alive (scripts/run.sh, several workers on one port) each request is accepted by a worker that
    is free: a kept connection stays with the worker that took it, and one worker held the ten
    connections of the benchmark while the other idled."""
    if not app.config.KEEP_ALIVE:
        @app.on_response
        async def close_connection(request: Request, _: HTTPResponse) -> None:
            request.stream.keep_alive = False


def _answer_each_message_once() -> None:
    """Rasa's agent runs MessageProcessor.handle_message holding the conversation's lock."""
    handle = MessageProcessor.handle_message

    async def handle_once(self: MessageProcessor, message: UserMessage) -> list | None:
        if (message.message_id or "").startswith(CLIENT_ID_PREFIX):
            tracker = await self.tracker_store.retrieve(message.sender_id)
            answers = answers_to(tracker.events if tracker else [], message.message_id)
            if answers is not None:
                for answer in answers:
                    await message.output_channel.send_response(message.sender_id, answer)
                collector = message.output_channel
                return collector.messages if isinstance(collector, CollectingOutputChannel) else None
        return await handle(self, message)

    MessageProcessor.handle_message = handle_once


def main(argv: list[str]) -> None:
    if argv[:1] == ["run"]:
        token = os.environ.get("BOT_API_TOKEN", "")
        if not usable(token):
            sys.exit("BOT_API_TOKEN is missing or too short: start the servers with scripts/run.sh")
        argv = [*argv, f"--auth-token={token}"]  # one argument: a token may start with "-"
        _log_as_configured()
        _serve_metrics(token)
        _answer_each_message_once()
        speedups.install()
    elif argv[:1] == ["interactive"]:
        _listen_only_on(os.environ.get("RASA_INTERFACE", "127.0.0.1"))
    else:
        sys.exit(__doc__)
    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main(sys.argv[1:])
