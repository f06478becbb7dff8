#!/usr/bin/env bash
# Installs the Python Kafka clients of the compatibility matrix (kafka-python and confluent-kafka, whose
# wheel bundles librdkafka) with their compression codecs into a git-ignored virtualenv under
# .cache/compat/venv, and prints the venv's python. Idempotent: does nothing when the pinned set is
# already installed (the stamp names the requirements file's hash). Safe to run concurrently (flock).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
REQS="$HERE/requirements.txt"
VENV="$ROOT/.cache/compat/venv"
STAMP="$VENV/.installed-$(sha256sum "$REQS" | cut -c1-16)"

if [ -f "$STAMP" ] && [ -x "$VENV/bin/python" ]; then
  echo "$VENV/bin/python"
  exit 0
fi

if ! command -v python3 >/dev/null 2>&1; then
  echo "install-python: 'python3' not found (need Python 3.9+ with venv)" >&2
  exit 127
fi

mkdir -p "$ROOT/.cache/compat"
exec 9>"$ROOT/.cache/compat/.python-lock"
flock -w 900 9
if [ -f "$STAMP" ] && [ -x "$VENV/bin/python" ]; then
  echo "$VENV/bin/python"
  exit 0
fi

rm -rf "$VENV"
python3 -m venv "$VENV"
# Binary wheels only: a source build would need librdkafka headers and a compiler.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --only-binary=:all: -r "$REQS" >&2
"$VENV/bin/python" -c 'import kafka, confluent_kafka, lz4, snappy, zstandard' >&2
touch "$STAMP"
echo "$VENV/bin/python"
