#!/usr/bin/env bash
  [ -f "$STAMP" ] && [ -x "$BIN/franz-group" ] && [ -x "$BIN/sarama-group" ] && [ -x "$BIN/franz-secure" ] && [ -x "$BIN/franz-txn" ] &&
    [ -x "$BIN/kgo.test" ] &&
# binaries are newer than every source file. Safe to run concurrently (flock).
#
# Usage: scripts/clients/build-go-clients.sh
# Run:   "$BIN/franz-group" -brokers 127.0.0.1:9092 -topic T -group G -member m1
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SRC="$ROOT/test/clients/go"
BIN="$ROOT/.cache/go-clients/bin"
STAMP="$BIN/.built"

if ! command -v go >/dev/null 2>&1; then
  echo "build-go-clients: 'go' not found (need Go 1.24+; go.mod may ask for a newer toolchain)" >&2
  exit 127
fi

up_to_date() {
  [ -f "$STAMP" ] && [ -x "$BIN/franz-group" ] && [ -x "$BIN/sarama-group" ] && [ -x "$BIN/franz-secure" ] &&
    [ -x "$BIN/franz-txn" ] && [ -x "$BIN/kgo.test" ] &&
    [ -z "$(find "$SRC" -newer "$STAMP" -type f -print -quit)" ]
}

if up_to_date; then
  echo "$BIN"
  exit 0
fi
mkdir -p "$BIN"
exec 9>"$BIN/.lock"
flock -w 900 9
if up_to_date; then
  echo "$BIN"
  exit 0
fi
rm -f "$STAMP"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
# -mod=readonly: the pinned go.sum is the source of truth; a drifted go.mod fails instead of updating.
(cd "$SRC" && go build -mod=readonly -trimpath -o "$BIN/" ./cmd/franz-group ./cmd/sarama-group ./cmd/franz-secure ./cmd/franz-txn >&2)
(cd "$SRC" && go test -c -mod=readonly -trimpath -o "$BIN/kgo.test" github.com/twmb/franz-go/pkg/kgo >&2)
touch "$STAMP"
echo "$BIN"
