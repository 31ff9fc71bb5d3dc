#!/usr/bin/env bash
# Starts a Docker engine for container-target tests when none is answering (no systemd here).
# Records in $HIL_DOCKER_STATE/dockerd.pid that WE started it, so scripts/docker-down.sh stops
# only a daemon this script started. Idempotent: an engine that already answers is left alone.
#
# Only host networking is used by the tests, so the daemon runs without the default bridge and
# without touching iptables (--bridge=none --iptables=false --ip6tables=false): it creates no
# networks and sends nothing anywhere. Storage: the default (overlay2) first; if the daemon cannot
# use it (nested containers, odd filesystems), it retries with vfs.
set -euo pipefail

STATE=${HIL_DOCKER_STATE:-/run/hil-docker}
LOG=${HIL_DOCKERD_LOG:-/tmp/hil-dockerd.log}
TIMEOUT=${HIL_DOCKERD_TIMEOUT:-60}
PIDFILE=$STATE/dockerd.pid

# The Debian docker.io CLI when present (a newer CLI on PATH also works: the API is negotiated).
DOCKER=${DOCKER:-docker}
command -v "$DOCKER" >/dev/null 2>&1 || DOCKER=/usr/bin/docker

if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker-up: dockerd not found; install docker.io with scripts/setup-system.sh" >&2
  exit 1
fi

if "$DOCKER" info >/dev/null 2>&1; then
  echo "docker-up: a Docker engine already answers; leaving it alone"
  exit 0
fi

mkdir -p "$STATE"
if [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "docker-up: dockerd $(cat "$PIDFILE") from an earlier start is alive but not answering; stopping it first"
  bash "$(dirname "$0")/docker-down.sh"
fi

start_daemon() { # $@: extra dockerd flags; returns 0 when `docker info` answers in time
  : >"$LOG"
  # setsid: own session/process group, so a Ctrl-C or job-control signal to the caller does not
  # hit it; stdin from /dev/null so it never holds the caller's terminal.
  # Without the CI run marker (.ci/run finds its leftovers by it; the daemon is stopped by
  # docker-down.sh, not killed as a leftover).
  setsid env -u HIL_CI_RUN_ID dockerd --host=unix:///var/run/docker.sock --bridge=none --iptables=false --ip6tables=false \
    --ip-masq=false --userland-proxy=false "$@" </dev/null >>"$LOG" 2>&1 &
  local pid=$!
  echo "$pid" >"$PIDFILE"
  local deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "docker-up: dockerd exited early (flags: ${*:-none}); last log lines:" >&2
      tail -n 15 "$LOG" >&2
      rm -f "$PIDFILE"
      return 1
    fi
    if "$DOCKER" info >/dev/null 2>&1; then
      # setsid/env exec into dockerd here; if a wrapper forked instead, record dockerd itself.
      if [[ $(cat "/proc/$pid/comm" 2>/dev/null) != dockerd ]]; then
        local real
        real=$(pgrep -x -P "$pid" dockerd || true)
        [[ -n $real ]] && echo "$real" >"$PIDFILE"
      fi
      return 0
    fi
    sleep 0.5
  done
  echo "docker-up: dockerd did not answer within ${TIMEOUT}s; last log lines:" >&2
  tail -n 15 "$LOG" >&2
  bash "$(dirname "$0")/docker-down.sh" >&2 || true
  return 1
}

if start_daemon; then
  :
elif grep -qiE 'overlay|storage[- ]driver|graphdriver' "$LOG" && start_daemon --storage-driver=vfs; then
  echo "docker-up: using the vfs storage driver (overlay2 unavailable here)"
else
  echo "docker-up: could not start dockerd; full log: $LOG" >&2
  exit 1
fi

echo "docker-up: dockerd $(cat "$PIDFILE") ready ($("$DOCKER" version --format 'server {{.Server.Version}}' 2>/dev/null || echo '?'), storage $("$DOCKER" info --format '{{.Driver}}' 2>/dev/null || echo '?'))"
