#!/usr/bin/env bash
# Starts the action server, the Rasa server (REST channel and HTTP API) and the staff pages, and
# keeps them running until Ctrl-C, which stops them all. `run.sh shell` talks to the bot in this
# terminal instead; `run.sh interactive` runs `rasa interactive`.
# Environment: RASA_PORT (5005), ACTIONS_PORT (5055), STAFF_PORT (8000), BOT_DATABASE_URL (sqlite
# under var/), BOT_LOCK_STORE_URL (Rasa's conversation locks: BOT_DATABASE_URL, or redis://...; README,
# "Scaling"), SANIC_WORKERS (Rasa server processes), RASA_INTERFACE, ACTIONS_INTERFACE and STAFF_INTERFACE (127.0.0.1: every server is
# reachable from this machine only unless told otherwise), BOT_ACTIONS_TOKEN and BOT_API_TOKEN
# (generated into var/ when not given; README, "Security"), BOT_LOG_FORMAT, BOT_LOG_MAX_BYTES and
# BOT_LOG_BACKUPS (each server logs to its own file var/<server>.log, rotated by size; what a process
# prints outside its log, e.g. a crash at start, goes to var/<server>.out; README, "Operations").
# The action server and the Rasa server keep their Prometheus metrics in an empty directory of their
# own, var/metrics/<server>-<port> (prometheus_client's multiprocess mode: README, "Operations").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
MODEL=${MODEL:-models/current.tar.gz}
export RASA_PORT=${RASA_PORT:-5005} ACTIONS_PORT=${ACTIONS_PORT:-5055} STAFF_PORT=${STAFF_PORT:-8000}
export BOT_DATABASE_URL=${BOT_DATABASE_URL:-sqlite:///$PWD/var/bot.db}
export BOT_LOCK_STORE_URL=${BOT_LOCK_STORE_URL:-$BOT_DATABASE_URL}
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export RASA_INTERFACE=${RASA_INTERFACE:-127.0.0.1} ACTIONS_INTERFACE=${ACTIONS_INTERFACE:-127.0.0.1}
umask 077  # the database, logs, outbox and tokens the servers write under var/ are the owner's only
mkdir -p var && chmod 700 var
tokens=$("$BIN/bot" tokens env)  # a failure stops here (`eval "$(...)"` would hide it)
eval "$tokens"
"$BIN/bot" db upgrade >var/migrations.log 2>&1 || { cat var/migrations.log >&2; exit 1; }
"$BIN/bot" staff ensure-admin
"$BIN/bot" channels credentials --output "var/credentials-$RASA_PORT.yml"

# One directory a server (the port tells apart the assistants started side by side, e.g. by the
# tests), emptied at start (values of processes that no longer run would be added up), removed at stop.
metrics_dir() {
  local dir="$PWD/var/metrics/$1"
  rm -rf "$dir" && mkdir -p "$dir" && echo "$dir"
}
actions_metrics=$(metrics_dir "actions-$ACTIONS_PORT")
rasa_metrics=$(metrics_dir "rasa-$RASA_PORT")

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$actions_metrics" "$rasa_metrics"
}
trap stop EXIT
trap 'exit 130' INT TERM

BOT_LOG_FILE=var/actions.log PROMETHEUS_MULTIPROC_DIR=$actions_metrics "$BIN/python" -m bot.servers.action_server >var/actions.out 2>&1 &
pids+=($!)

if [[ "${1:-}" == "shell" ]]; then
  "$BIN/rasa" shell --interface "$RASA_INTERFACE" --port "$RASA_PORT" --model "$MODEL" --endpoints endpoints.yml \
    --credentials "var/credentials-$RASA_PORT.yml"  # Rasa reads credentials.yml otherwise, unexpanded
  exit 0
fi
if [[ "${1:-}" == "interactive" ]]; then  # trainers write dialogues (TRAINING.md)
  "$BIN/python" -m bot.servers.rasa_server interactive --port "$RASA_PORT" --model "$MODEL" --endpoints endpoints.yml \
    --skip-visualization
  exit 0
fi

BOT_LOG_FILE=var/rasa.log PROMETHEUS_MULTIPROC_DIR=$rasa_metrics "$BIN/python" -m bot.servers.rasa_server run --enable-api --interface "$RASA_INTERFACE" \
  --port "$RASA_PORT" --model "$MODEL" --endpoints endpoints.yml --credentials "var/credentials-$RASA_PORT.yml" \
  >var/rasa.out 2>&1 &
pids+=($!)

BOT_LOG_FILE=var/staff.log "$BIN/bot" staff serve --port "$STAFF_PORT" >var/staff.out 2>&1 &
pids+=($!)

"$BIN/python" scripts/wait_ready.py "http://127.0.0.1:$RASA_PORT" "http://127.0.0.1:$ACTIONS_PORT/health/ready" \
  "http://127.0.0.1:$STAFF_PORT/health/ready"
cat <<MSG
The assistant is running (logs in var/). Staff pages: http://127.0.0.1:$STAFF_PORT/login
Talk to it over REST (unless BOT_REST_CHANNEL=off):
  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
       -d '{"sender": "test", "message": "bhxh tu nguyen dong bao nhieu"}'
Or in a terminal: make shell. Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
echo "A server stopped unexpectedly; see var/*.log and var/*.out." >&2
exit 1
