#!/usr/bin/env bash
# Installs kcat (librdkafka's command-line client) from Debian's packages.
# Idempotent: prints nothing and exits 0 when kcat is already on PATH.
set -euo pipefail

if command -v kcat >/dev/null 2>&1; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-kcat: apt-get not found; install kcat by hand" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale on a fresh machine; refresh once before installing.
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends kcat >/dev/null
command -v kcat >/dev/null
echo "install-kcat: $(kcat -V 2>&1 | head -n 1)"
