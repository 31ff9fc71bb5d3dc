#!/usr/bin/env bash
# Builds the simulated gateway as a local container image (default local/hil-gw-sim:dev) from
# files on this machine only: nothing is pulled, no registry is needed.
#
# The image is FROM-scratch-like: the node binary, the programs the simulator runs (socat makes
# its console and Modbus RTU ptys, openssl its throw-away MQTT TLS certificate), the shared
# libraries `ldd` lists for them, the dynamic loader and a minimal /etc. The project directory (sources + node_modules) is NOT in the image: the target
# profile bind-mounts it read-only at /app, which keeps the image small and always current.
#
# It is assembled as a root filesystem tarball and loaded with `docker import` (no Dockerfile
# builder involved, so it works the same with the Debian 20.10 CLI and newer CLIs without buildx).
#
#   scripts/build-sim-image.sh [--if-missing] [TAG]
set -euo pipefail

if_missing=0
TAG=local/hil-gw-sim:dev
for a in "$@"; do
  case $a in
    --if-missing) if_missing=1 ;;
    -*) echo "usage: build-sim-image.sh [--if-missing] [TAG]" >&2; exit 2 ;;
    *) TAG=$a ;;
  esac
done

DOCKER=${DOCKER:-docker}
command -v "$DOCKER" >/dev/null 2>&1 || DOCKER=/usr/bin/docker
if ! "$DOCKER" info >/dev/null 2>&1; then
  echo "build-sim-image: no Docker engine answers; start one with scripts/docker-up.sh" >&2
  exit 1
fi
if ((if_missing)) && "$DOCKER" image inspect "$TAG" >/dev/null 2>&1; then
  echo "build-sim-image: $TAG present"
  exit 0
fi

NODE=$(readlink -f "$(command -v node)")
# Programs the simulator spawns (Debian packages socat and openssl).
HELPERS=()
for p in socat openssl; do
  path=$(command -v "$p" || true)
  if [[ -z $path ]]; then
    echo "build-sim-image: $p not found (the simulator needs it); run scripts/setup-system.sh" >&2
    exit 1
  fi
  HELPERS+=("$(readlink -f "$path")")
done

ROOT=$(mktemp -d /tmp/hil-sim-rootfs.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT

copy_with_libs() { # $1: executable; copies it to /usr/bin and its libraries to the paths ldd names
  local bin=$1
  install -D -m 0755 "$bin" "$ROOT/usr/bin/$(basename "$bin")"
  # ldd lines: "libx.so => /lib/x86_64-linux-gnu/libx.so (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
  ldd "$bin" | awk '/=>/ && $3 ~ /^\// {print $3} /^[[:space:]]*\// {print $1}' | while read -r lib; do
    [[ -e $ROOT$lib ]] && continue
    install -D -m 0755 "$(readlink -f "$lib")" "$ROOT$lib"
  done
}
copy_with_libs "$NODE"
for h in "${HELPERS[@]}"; do copy_with_libs "$h"; done
# openssl reads its config from /usr/lib/ssl/openssl.cnf (-> /etc/ssl/openssl.cnf on Debian).
if [[ -e /etc/ssl/openssl.cnf ]]; then
  install -D -m 0644 /etc/ssl/openssl.cnf "$ROOT/etc/ssl/openssl.cnf"
  mkdir -p "$ROOT/usr/lib/ssl"
  ln -s /etc/ssl/openssl.cnf "$ROOT/usr/lib/ssl/openssl.cnf"
fi

mkdir -p "$ROOT/etc" "$ROOT/tmp" "$ROOT/app" "$ROOT/proc" "$ROOT/dev" "$ROOT/sys"
chmod 1777 "$ROOT/tmp"
printf 'root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
printf 'hosts: files dns\n' >"$ROOT/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$ROOT/etc/hosts"

NODE_VERSION=$("$NODE" --version)
echo "build-sim-image: importing $TAG (node $NODE_VERSION, $(du -sh "$ROOT" | cut -f1))"
tar -C "$ROOT" --numeric-owner --owner=0 --group=0 -c . | "$DOCKER" import \
  --change 'ENTRYPOINT ["/usr/bin/node", "/app/bin/hil.js"]' \
  --change 'CMD ["sim", "--profile", "hardened", "--no-opcua", "--base-port", "19000"]' \
  --change 'WORKDIR /app' \
  --change 'ENV HOME=/tmp PATH=/usr/bin' \
  --change 'LABEL org.hil.image=true' \
  --change "LABEL org.hil.node-version=$NODE_VERSION" \
  --message "hil simulated gateway (node $NODE_VERSION + socat + openssl), project bind-mounted at /app" \
  - "$TAG" >/dev/null
echo "build-sim-image: built $TAG ($("$DOCKER" image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
