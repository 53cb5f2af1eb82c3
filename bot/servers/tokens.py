"""The shared secrets of the servers: BOT_ACTIONS_TOKEN (the Rasa server's calls to the action server)
and BOT_API_TOKEN (Rasa's HTTP API). Each is taken from the environment when set; otherwise it is
generated on the first start into var/ (a file only its owner can read) and reused on every later
start. Rotating one is deleting its file (or setting a new value) and restarting."""
from __future__ import annotations

import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Mapping

FILES = {"BOT_ACTIONS_TOKEN": "actions.token", "BOT_API_TOKEN": "api.token"}
# Characters that need no escaping in a URL (`?token=`), a header or a shell; long enough not to guess.
_USABLE = re.compile(r"[A-Za-z0-9._~-]{32,}")


class TokenError(ValueError):
    pass


def server_tokens(directory: Path, env: Mapping[str, str]) -> dict[str, str]:
    """Every token by its variable: the environment's, else the stored one, else a new stored one."""
    tokens = {}
    for variable, filename in FILES.items():
        given = env.get(variable)
        token = given or _stored(directory / filename)
        if not usable(token):
            where = variable if given else str(directory / filename)
            raise TokenError(f"{where}: a token needs at least 32 letters, digits or . _ ~ - "
                             "(e.g. `openssl rand -hex 32`)")
        tokens[variable] = token
    return tokens


def bearer_refusal(authorization: str | None, token: str) -> tuple[int, str] | None:
    """None when an `Authorization` header carries `Bearer <token>`; else the HTTP status (401: no
    header, 403: another value) and the error to answer. The comparison takes the same time
    wherever the values differ."""
    if authorization is None:
        return 401, "token required"
    if not hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return 403, "wrong token"
    return None


def usable(token: str) -> bool:
    return bool(_USABLE.fullmatch(token))


def _stored(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)  # a copy restored with looser permissions is tightened again
        return path.read_text(encoding="utf-8").strip()
    token = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(token + "\n")
    return token
