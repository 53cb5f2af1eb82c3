"""The short reference code a citizen is given for a callback request ("mã yêu cầu"), to quote when
following it up. Six characters from an alphabet without the look-alikes a phone screen or a voice
confuses (0/O, 1/I/L, 2/Z, 5/S, 8/B): 25 symbols, about 244 million codes."""
from __future__ import annotations

import re
import secrets

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 6
_SEPARATORS = re.compile(r"[\s.\-_]+")


def new_reference() -> str:
    """A random code (unique per lead: the store draws again when it is taken)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_reference(text: str) -> str | None:
    """A code as a citizen may type it ("k7m-pqx", " K7MPQX "), or None when it cannot be one."""
    code = _SEPARATORS.sub("", text or "").upper()
    return code if len(code) == LENGTH and all(c in ALPHABET for c in code) else None
