#!/usr/bin/env bash
# Installs the Python Kafka clients of the consumer-group tests and the compatibility matrix
# (test/clients/python/requirements.txt: confluent-kafka, whose binary wheel bundles librdkafka, and
# kafka-python with its compression codecs) into the git-ignored virtualenv
# .cache/python-clients/venv and prints the venv's python. Idempotent (the stamp names the
# requirements file's hash); safe to run concurrently (flock).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
REQS="$ROOT/test/clients/python/requirements.txt"
VENV="$ROOT/.cache/python-clients/venv"
STAMP="$VENV/.installed-$(sha256sum "$REQS" | cut -c1-16)"

if [ -f "$STAMP" ] && [ -x "$VENV/bin/python" ]; then
  echo "$VENV/bin/python"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "install-python-clients: 'python3' not found (need Python 3.9+ with venv)" >&2
  exit 127
fi

mkdir -p "$ROOT/.cache/python-clients"
exec 9>"$ROOT/.cache/python-clients/.lock"
flock -w 900 9
if [ -f "$STAMP" ] && [ -x "$VENV/bin/python" ]; then
  echo "$VENV/bin/python"
  exit 0
fi
rm -rf "$VENV"
python3 -m venv "$VENV"
# Binary wheels only: a source build would need librdkafka headers and a compiler.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --only-binary=:all: -r "$REQS" >&2
"$VENV/bin/python" -c 'import kafka, confluent_kafka, lz4, snappy, zstandard, prometheus_client' >&2
touch "$STAMP"
echo "$VENV/bin/python"
