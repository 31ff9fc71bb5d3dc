#!/usr/bin/env bash
# Installs the Debian packages the real-parts tests need (idempotent; skips apt when all are present).
# Run as root on Debian 12. Used by `npm run setup` and by .ci/run.
#
#   socat            pseudo-terminal pairs for the serial console and Modbus RTU
#   mosquitto(+clients) the real MQTT broker the tests start
#   nmap             reference port scanner
#   tshark           decodes the pcapng the harness writes
#   chromium         headless check of the HTML report (fonts-liberation: readable screenshots)
#   docker.io        Docker engine for container targets (started by scripts/docker-up.sh)
#   python3-pymodbus independent Modbus implementation for cross-checks (python3-serial, python3-serial-asyncio: its imports)
#   iproute2         `ip netns` / veth for the full-range port scan in a namespace
#   openssl          the simulator's throw-away TLS certificates (also copied into the sim image)
#   libmodbus-dev, gcc, libc6-dev, pkg-config: the benchmark's reference Modbus client (bench/ref/modbus-ref.c)
#   procps           ps/pgrep for the CI teardown's leftover check
#   login, libpam-modules, util-linux: the real Linux console test (login(1), pam_faillock/pam_faildelay, unshare)
set -euo pipefail

PACKAGES=(socat mosquitto mosquitto-clients nmap tshark chromium fonts-liberation docker.io python3-pymodbus python3-serial python3-serial-asyncio iproute2 openssl libmodbus-dev gcc libc6-dev pkg-config procps login libpam-modules util-linux)

if [[ "$(uname -s)" != Linux ]] || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup-system: needs a Debian/Ubuntu system with apt (found $(uname -s))" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup-system: all packages present (${PACKAGES[*]})"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "setup-system: missing packages ${missing[*]}; run this script as root" >&2
    exit 1
  fi
else
  SUDO=()
fi

echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer it up front so apt never blocks.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | "${SUDO[@]}" debconf-set-selections

# Package postinst scripts would start mosquitto/docker/containerd through init. The tests start
# their own broker and scripts/docker-up.sh starts dockerd, so forbid service starts during the
# install (policy-rc.d exit 101 = "action forbidden"), unless the machine already has a policy.
POLICY=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  own_policy=1
fi
cleanup() { if ((own_policy)); then "${SUDO[@]}" rm -f "$POLICY"; fi; }
trap cleanup EXIT

"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
echo "setup-system: done"
