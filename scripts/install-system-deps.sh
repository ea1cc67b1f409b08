#!/usr/bin/env bash
# Installs the Debian packages the test suite uses, when they are missing: openssl (test certificates),
# bsdutils (`script`, a pseudo-terminal for the progress-bar tests), and the real peers of the peers suite
# (nginx, squid, tinyproxy, python3-httpbin with gunicorn). Needs root for apt-get; without root it only
# says what is missing (the peers tests then skip with that reason, except under CI=true where they fail).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v script >/dev/null 2>&1 || missing+=(bsdutils)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  else
    echo "missing Debian packages (install as root): ${missing[*]}" >&2
  fi
fi
node scripts/peers/peers.mjs install
