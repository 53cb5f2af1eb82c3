"""Serve the staff pages with waitress (a production WSGI server in pure Python; it logs no
request lines, so no name or phone number from a search reaches a log)."""
from __future__ import annotations

import logging
import os

from sqlalchemy.engine import Engine
from waitress import serve as waitress_serve

from bot.staff.app import MAX_REQUEST_BYTES, create_app


def serve(engine: Engine, host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(engine, secure_cookies=os.environ.get("STAFF_SECURE_COOKIES") == "1")
    waitress_serve(app, host=host, port=port, threads=8, ident="",
                   max_request_body_size=MAX_REQUEST_BYTES, max_request_header_size=32 * 1024)
