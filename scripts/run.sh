#!/usr/bin/env bash
# Starts the action server, the Rasa server (REST channel and HTTP API) and the staff pages, and
# keeps them running until Ctrl-C, which stops them all. `run.sh shell` talks to the bot in this
# terminal instead; `run.sh interactive` runs `rasa interactive`.
# Environment: RASA_PORT (5005), ACTIONS_PORT (5055), STAFF_PORT (8000), BOT_DATABASE_URL (sqlite
# under var/), BOT_LOCK_STORE_URL (Rasa's conversation locks: BOT_DATABASE_URL, or redis://...; README,
# "Scaling"), SANIC_WORKERS (Rasa server processes on RASA_PORT: one per core with one replica, one per
# replica with several), RASA_INTERFACE, ACTIONS_INTERFACE and STAFF_INTERFACE (127.0.0.1: every server is
# reachable from this machine only unless told otherwise), BOT_ACTIONS_TOKEN and BOT_API_TOKEN
# (generated into var/ when not given; README, "Security"), BOT_LOG_FORMAT, BOT_LOG_MAX_BYTES and
# BOT_LOG_BACKUPS (each server logs to its own file var/<server>.log, rotated by size; what a process
# prints outside its log, e.g. a crash at start, goes to var/<server>.out; README, "Operations").
# The action server and the Rasa server keep their Prometheus metrics in an empty directory of their
# own, var/metrics/<server>-<port> (prometheus_client's multiprocess mode: README, "Operations").
# BOT_VAR_DIR: another directory than var/ for all of that (the database, outbox, logs, tokens).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
VAR=${BOT_VAR_DIR:-$PWD/var}  # the tests give each assistant they start a directory of its own
export BOT_OUTBOX_DIR=${BOT_OUTBOX_DIR:-$VAR/outbox}
MODEL=${MODEL:-models/current.tar.gz}
export RASA_PORT=${RASA_PORT:-5005} ACTIONS_PORT=${ACTIONS_PORT:-5055} STAFF_PORT=${STAFF_PORT:-8000}
export BOT_DATABASE_URL=${BOT_DATABASE_URL:-sqlite:///$VAR/bot.db}
export BOT_LOCK_STORE_URL=${BOT_LOCK_STORE_URL:-$BOT_DATABASE_URL}
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export RASA_INTERFACE=${RASA_INTERFACE:-127.0.0.1} ACTIONS_INTERFACE=${ACTIONS_INTERFACE:-127.0.0.1}
umask 077  # the database, logs, outbox and tokens the servers write under var/ are the owner's only
mkdir -p "$VAR" && chmod 700 "$VAR"
tokens=$("$BIN/bot" tokens env --dir "$VAR")  # a failure stops here (`eval "$(...)"` would hide it)
eval "$tokens"
"$BIN/bot" db upgrade >"$VAR/migrations.log" 2>&1 || { cat "$VAR/migrations.log" >&2; exit 1; }
"$BIN/bot" staff ensure-admin
"$BIN/bot" channels credentials --output "$VAR/credentials-$RASA_PORT.yml"

# Several replicas (RASA_REPLICAS, ACTIONS_REPLICAS > 1: `make run-prod`): HAProxy listens on
# RASA_PORT and ACTIONS_PORT and spreads the requests over the replicas, on RASA_REPLICA_PORTS and
# ACTIONS_REPLICA_PORTS (default: the ports after RASA_PORT and ACTIONS_PORT); a replica that stops is
# started again. The servers then log to var/<server>-<port>.log.
export RASA_REPLICAS=${RASA_REPLICAS:-1} ACTIONS_REPLICAS=${ACTIONS_REPLICAS:-1}
balanced=0
if [[ -z "${1:-}" ]] && (( RASA_REPLICAS > 1 || ACTIONS_REPLICAS > 1 )); then
  balanced=1
  command -v haproxy >/dev/null || { echo "HAProxy is missing: make haproxy (or apt-get install haproxy)" >&2; exit 1; }
  read -ra rasa_ports <<<"${RASA_REPLICA_PORTS:-$(seq -s ' ' $((RASA_PORT + 1)) $((RASA_PORT + RASA_REPLICAS)))}"
  read -ra actions_ports <<<"${ACTIONS_REPLICA_PORTS:-$(seq -s ' ' $((ACTIONS_PORT + 1)) $((ACTIONS_PORT + ACTIONS_REPLICAS)))}"
  export SANIC_WORKERS=${SANIC_WORKERS:-1}  # the replicas share the cores
else
  rasa_ports=("$RASA_PORT") actions_ports=("$ACTIONS_PORT")
  # One Rasa process per core (Sanic workers sharing the port; the lock store keeps a conversation
  # in one of them at a time): 19 to 24 messages a second at ten users on two cores, 14 with one
  # process (README, "Scaling")
  # in the terminal (`shell`, `interactive`) one process reads the keyboard
  if [[ -z "${1:-}" ]]; then export SANIC_WORKERS=${SANIC_WORKERS:-$(nproc)}; else export SANIC_WORKERS=1; fi
  # Without keep-alive each request goes to a worker that is free to accept it; with it, a client's
  # connection stays with the worker that took it, and one worker may hold every connection (it held
  # the benchmark's ten; README, "Scaling"). bot/servers/rasa_server.py applies it: Sanic 21.12 does not.
  if (( SANIC_WORKERS > 1 )); then export SANIC_KEEP_ALIVE=${SANIC_KEEP_ALIVE:-false}; fi
fi

# Several Rasa processes share the cores: TensorFlow runs on one thread in each (by default each
# process has a pool per core; the benchmark showed no difference within its noise, the pools would
# only contend)
if (( SANIC_WORKERS > 1 || RASA_REPLICAS > 1 )); then
  export TF_INTRA_OP_PARALLELISM_THREADS=${TF_INTRA_OP_PARALLELISM_THREADS:-1} TF_INTER_OP_PARALLELISM_THREADS=${TF_INTER_OP_PARALLELISM_THREADS:-1}
fi

# Each server's Prometheus metrics in a directory of its own, var/metrics/<server>-<port> (the port
# tells apart the assistants started side by side, e.g. by the tests), emptied at its start (values
# of processes that no longer run would be added up), removed at stop.
metrics_dirs=()
for port in "${rasa_ports[@]}"; do metrics_dirs+=("$VAR/metrics/rasa-$port"); done
for port in "${actions_ports[@]}"; do metrics_dirs+=("$VAR/metrics/actions-$port"); done

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # A server whose shutdown hangs would keep this script waiting (a Sanic worker stopped while loading
  # the model did, before bot/servers/rasa_server.py reset its TERM handler): 20 s, then KILL,
  # workers included.
  ( sleep 20
    for pid in "${pids[@]}"; do pkill -KILL -P "$pid" || true; kill -KILL "$pid" || true; done ) 2>/dev/null &
  local watchdog=$!
  wait "${pids[@]}" 2>/dev/null || true
  pkill -P "$watchdog" 2>/dev/null || true; kill "$watchdog" 2>/dev/null || true
  rm -rf "${metrics_dirs[@]}"
}
trap stop EXIT
trap 'exit 130' INT TERM

log_name() {  # server port
  if (( balanced )); then echo "$1-$2"; else echo "$1"; fi
}

actions_server() {  # port
  local name dir="$VAR/metrics/actions-$1"
  name=$(log_name actions "$1")
  rm -rf "$dir" && mkdir -p "$dir"
  # exec: the server takes the place of this function's subshell, so that stopping the pid kept in
  # `pids` stops the server itself and leaves no orphan
  ACTIONS_PORT=$1 BOT_LOG_FILE=$VAR/$name.log PROMETHEUS_MULTIPROC_DIR=$dir exec "$BIN/python" -m bot.servers.action_server \
    >"$VAR/$name.out" 2>&1
}

rasa_server() {  # port
  local name dir="$VAR/metrics/rasa-$1"
  name=$(log_name rasa "$1")
  rm -rf "$dir" && mkdir -p "$dir"
  BOT_LOG_FILE=$VAR/$name.log PROMETHEUS_MULTIPROC_DIR=$dir exec "$BIN/python" -m bot.servers.rasa_server run --enable-api \
    --interface "$RASA_INTERFACE" --port "$1" --model "$MODEL" --endpoints endpoints.yml \
    --credentials "$VAR/credentials-$RASA_PORT.yml" >"$VAR/$name.out" 2>&1
}

start() {  # server port: one replica of several is started again when it stops
  if (( balanced )); then
    ( trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
      while true; do
        "$@" & child=$!
        wait "$child" || true
        echo "$(date -Is) $1 on port $2 stopped; starting it again" >>"$VAR/restarts.log"
        sleep 1
      done ) &
  else
    "$@" &
  fi
  pids+=($!)
}

for port in "${actions_ports[@]}"; do start actions_server "$port"; done

if [[ "${1:-}" == "shell" ]]; then
  "$BIN/rasa" shell --interface "$RASA_INTERFACE" --port "$RASA_PORT" --model "$MODEL" --endpoints endpoints.yml \
    --credentials "$VAR/credentials-$RASA_PORT.yml"  # Rasa reads credentials.yml otherwise, unexpanded
  exit 0
fi
if [[ "${1:-}" == "interactive" ]]; then  # trainers write dialogues (TRAINING.md)
  "$BIN/python" -m bot.servers.rasa_server interactive --port "$RASA_PORT" --model "$MODEL" --endpoints endpoints.yml \
    --skip-visualization
  exit 0
fi

for port in "${rasa_ports[@]}"; do start rasa_server "$port"; done

if (( balanced )); then
  servers() {  # name port...
    local name=$1; shift
    for port; do echo "    server $name-$port 127.0.0.1:$port"; done
  }
  config=$(<deploy/haproxy.cfg)
  config=${config//@RASA_SERVERS@/$(servers rasa "${rasa_ports[@]}")}
  config=${config//@ACTIONS_SERVERS@/$(servers actions "${actions_ports[@]}")}
  printf '%s\n' "$config" >"$VAR/haproxy-$RASA_PORT.cfg"
  haproxy -f "$VAR/haproxy-$RASA_PORT.cfg" -db >"$VAR/haproxy.out" 2>&1 &
  pids+=($!)
fi

BOT_LOG_FILE=$VAR/staff.log "$BIN/bot" staff serve --port "$STAFF_PORT" >"$VAR/staff.out" 2>&1 &
pids+=($!)

# Every replica loaded and HAProxy passing requests (when there is one)
rasas=() others=("http://127.0.0.1:$STAFF_PORT/health/ready")
for port in "${rasa_ports[@]}"; do rasas+=("http://127.0.0.1:$port"); done
for port in "${actions_ports[@]}"; do others+=("http://127.0.0.1:$port/health/ready"); done
if (( balanced )); then others+=("http://127.0.0.1:$RASA_PORT/" "http://127.0.0.1:$ACTIONS_PORT/health/live"); fi
"$BIN/python" scripts/wait_ready.py "${rasas[@]}" -- "${others[@]}"
cat <<MSG
The assistant is running (logs in $VAR/). Staff pages: http://127.0.0.1:$STAFF_PORT/login
Talk to it over REST (unless BOT_REST_CHANNEL=off):
  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
       -d '{"sender": "test", "message": "bhxh tu nguyen dong bao nhieu"}'
Or in a terminal: make shell. Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
echo "A server stopped unexpectedly; see $VAR/*.log and $VAR/*.out." >&2
exit 1
