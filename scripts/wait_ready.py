"""Wait until the Rasa server has loaded its model and the other servers answer their health check.

`python scripts/wait_ready.py RASA_URL [RASA_URL... --] HEALTH_URL...` (WAIT_TIMEOUT seconds,
default 300; a Rasa server's /status needs the HTTP API token, BOT_API_TOKEN); prints the start-up time."""
import json
import os
import sys
import time
import urllib.request


def ready(url: str, model_loaded: bool = False) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            body = response.read()
    except OSError:
        return False
    if model_loaded:
        return bool(json.loads(body).get("model_file"))
    return True


args = sys.argv[1:]
rasas, others = (args[:args.index("--")], args[args.index("--") + 1:]) if "--" in args else (args[:1], args[1:])
timeout = float(os.environ.get("WAIT_TIMEOUT", "300"))
start = time.monotonic()
statuses = [f"{rasa}/status?token={os.environ['BOT_API_TOKEN']}" for rasa in rasas]
while not (all(ready(status, model_loaded=True) for status in statuses) and all(ready(url) for url in others)):
    if time.monotonic() - start > timeout:
        sys.exit(f"The servers did not start within {timeout:.0f} s; see the logs in var/.")
    time.sleep(0.5)
print(f"Servers ready in {time.monotonic() - start:.1f} s", flush=True)
