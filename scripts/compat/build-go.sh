#!/usr/bin/env bash
# Builds one Go driver of the compatibility matrix (test/compat/go/<client>, with its own pinned
# go.mod/go.sum) into .cache/compat/go-bin/<client> and prints the binary's path. Modules come from
# the Go module proxy into the usual module cache. Skips the build when the binary is newer than
# every source file of the driver and of test/compat/go/common. Safe to run concurrently (flock).
#
# Usage: scripts/compat/build-go.sh franz|sarama|kafkago
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CLIENT="${1:?usage: build-go.sh CLIENT}"
SRC="$ROOT/test/compat/go/$CLIENT"
OUT_DIR="$ROOT/.cache/compat/go-bin"
BIN="$OUT_DIR/$CLIENT"
STAMP="$OUT_DIR/.$CLIENT.built"

if [ ! -f "$SRC/go.mod" ]; then
  echo "build-go: no driver at $SRC" >&2
  exit 2
fi
up_to_date() {
  [ -x "$BIN" ] && [ -f "$STAMP" ] &&
    [ -z "$(find "$SRC" "$ROOT/test/compat/go/common" -newer "$STAMP" -print -quit)" ]
}
if up_to_date; then
  echo "$BIN"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build-go: 'go' not found (need Go 1.24+)" >&2
  exit 127
fi

mkdir -p "$OUT_DIR"
exec 9>"$OUT_DIR/.$CLIENT.lock"
flock -w 900 9
if up_to_date; then
  echo "$BIN"
  exit 0
fi
rm -f "$STAMP"
# A go.mod may name a newer toolchain than the one installed; let Go fetch it through the proxy.
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
(cd "$SRC" && go build -mod=readonly -trimpath -o "$BIN" . >&2)
touch "$STAMP"
echo "$BIN"
