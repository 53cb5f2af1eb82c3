"""Run a command and print how long it took: `python scripts/timed.py LABEL CMD...`."""
import subprocess
import sys
import time

label, command = sys.argv[1], sys.argv[2:]
start = time.monotonic()
code = subprocess.call(command)
print(f"{label} took {time.monotonic() - start:.1f} s", flush=True)
sys.exit(code)
