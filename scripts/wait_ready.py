"""Wait until the Rasa server has loaded its model and the action server answers.

`python scripts/wait_ready.py RASA_URL ACTIONS_URL [TIMEOUT_S]`; prints the start-up time."""
import json
import sys
import time
import urllib.request


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            body = response.read()
    except OSError:
        return False
    if url.endswith("/status"):
        return bool(json.loads(body).get("model_file"))
    return True


rasa, actions = sys.argv[1], sys.argv[2]
timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 300
start = time.monotonic()
while not (ready(f"{rasa}/status") and ready(f"{actions}/health")):
    if time.monotonic() - start > timeout:
        sys.exit(f"The servers did not start within {timeout:.0f} s; see var/rasa.log and var/actions.log.")
    time.sleep(0.5)
print(f"Servers ready in {time.monotonic() - start:.1f} s", flush=True)
