#!/usr/bin/env bash
# Tears down what the tests and scripts/docker-up.sh left in the Docker engine:
#  - removes containers labelled org.testcontainers=true (testcontainers' label; Ryuk is disabled
#    offline, so nothing else reaps them),
#  - with --images, removes the locally built images (label org.hil.image=true),
#  - stops dockerd only if scripts/docker-up.sh started it (pid file), and waits until it and the
#    containerd it manages are gone.
# Safe to run any number of times; never touches a daemon it did not start.
set -uo pipefail

STATE=${HIL_DOCKER_STATE:-/run/hil-docker}
PIDFILE=$STATE/dockerd.pid
STOP_TIMEOUT=${HIL_DOCKERD_STOP_TIMEOUT:-30}
DOCKER=${DOCKER:-docker}
command -v "$DOCKER" >/dev/null 2>&1 || DOCKER=/usr/bin/docker

remove_images=0
for a in "$@"; do
  case $a in
    --images) remove_images=1 ;;
    *) echo "usage: docker-down.sh [--images]" >&2; exit 2 ;;
  esac
done

if timeout 10 "$DOCKER" info >/dev/null 2>&1; then
  ids=$(timeout 10 "$DOCKER" ps -aq --filter label=org.testcontainers=true || true)
  if [[ -n $ids ]]; then
    echo "docker-down: removing test containers: $(echo $ids)"
    # shellcheck disable=SC2086
    timeout 60 "$DOCKER" rm -f $ids >/dev/null || echo "docker-down: WARNING: could not remove some containers" >&2
  fi
  if ((remove_images)); then
    imgs=$(timeout 10 "$DOCKER" images -q --filter label=org.hil.image=true | sort -u || true)
    # shellcheck disable=SC2086
    [[ -n $imgs ]] && { echo "docker-down: removing images: $(echo $imgs)"; timeout 60 "$DOCKER" rmi -f $imgs >/dev/null || true; }
  fi
fi

if [[ ! -f $PIDFILE ]]; then
  echo "docker-down: no dockerd started by docker-up.sh; nothing to stop"
  exit 0
fi
pid=$(cat "$PIDFILE")
if ! kill -0 "$pid" 2>/dev/null; then
  echo "docker-down: dockerd $pid already gone"
  rm -f "$PIDFILE"
  exit 0
fi
# Make sure the pid still is dockerd (pids get reused).
if [[ $(cat "/proc/$pid/comm" 2>/dev/null) != dockerd ]]; then
  echo "docker-down: pid $pid is no longer dockerd; not touching it"
  rm -f "$PIDFILE"
  exit 0
fi

# containerd that dockerd manages itself is its child; remember the children to wait for them too.
children=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ' || true)
echo "docker-down: stopping dockerd $pid"
kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
if kill -0 "$pid" 2>/dev/null; then
  echo "docker-down: dockerd $pid ignored SIGTERM for ${STOP_TIMEOUT}s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
fi
for c in $children; do
  deadline=$((SECONDS + 10))
  while kill -0 "$c" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  kill -0 "$c" 2>/dev/null && { echo "docker-down: killing leftover child $c ($(cat /proc/$c/comm 2>/dev/null))" >&2; kill -KILL "$c" 2>/dev/null || true; }
done
rm -f "$PIDFILE"
echo "docker-down: dockerd stopped"
