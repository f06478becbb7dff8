#!/usr/bin/env bash
# Installs kafkactl (deviceinsight/kafkactl, a Go CLI built on Sarama) into .cache/go-bin/kafkactl and
# prints the binary's path. Idempotent: does nothing when the pinned version is already there.
#
# `go install github.com/deviceinsight/kafkactl/v5@$KAFKACTL_VERSION`. Exits 3 when the module proxy
# will not serve kafkactl (the proxy reachable from our CI answers 403 for it); tests that need
# kafkactl then skip and say why.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VERSION="${KAFKACTL_VERSION:-v5.20.0}"
BIN_DIR="$ROOT/.cache/go-bin"
BIN="$BIN_DIR/kafkactl"
STAMP="$BIN_DIR/.kafkactl-$VERSION"

if [ -x "$BIN" ] && [ -f "$STAMP" ]; then
  echo "$BIN"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install-kafkactl: 'go' not found (need Go 1.24+)" >&2
  exit 127
fi

mkdir -p "$BIN_DIR"
exec 9>"$BIN_DIR/.kafkactl-lock"
flock -w 900 9
if [ -x "$BIN" ] && [ -f "$STAMP" ]; then
  echo "$BIN"
  exit 0
fi
rm -f "$BIN_DIR"/.kafkactl-v*

# Go may pick a newer toolchain named in kafkactl's go.mod; let it download one when needed.
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
LDFLAGS="-X github.com/deviceinsight/kafkactl/v5/cmd.Version=$VERSION"
if GOBIN="$BIN_DIR" go install -ldflags "$LDFLAGS" "github.com/deviceinsight/kafkactl/v5@$VERSION" >&2; then
  :
else
  echo "install-kafkactl: the Go module proxy did not serve github.com/deviceinsight/kafkactl/v5@$VERSION" >&2
  exit 3
fi

"$BIN" version >/dev/null
touch "$STAMP"
echo "$BIN"
