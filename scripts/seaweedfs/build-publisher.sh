#!/usr/bin/env bash
# Builds bench/tools/smq-publisher (a plain SeaweedMQ publisher in Go, on SeaweedFS's own generated
# gRPC client) into a cache keyed by its sources, and prints the binary's path as the last line.
# The seaweedfs module it needs comes from the Go module proxy (the version go.mod names); nothing of
# SeaweedFS is kept in this repository. go.sum is written in a temporary copy, not committed.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
src="$repo_root/bench/tools/smq-publisher"
key="$(cat "$src/go.mod" "$src/main.go" | sha256sum | cut -c1-16)"
dest="$repo_root/.cache/bench/smq-publisher-$key/smq-publisher"
if [[ ! -x "$dest" ]]; then
  command -v go >/dev/null 2>&1 || { echo "build-publisher: no Go toolchain" >&2; exit 1; }
  mkdir -p "$(dirname "$dest")"
  tmp="$(mktemp -d "$(dirname "$dest")/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  cp "$src/go.mod" "$src/main.go" "$tmp/"
  echo "build-publisher: go build (minutes on a cold build cache)" >&2
  (cd "$tmp" && GOFLAGS=-mod=mod go mod tidy >&2 && GOFLAGS='-mod=mod -buildvcs=false' go build -trimpath -o "$tmp/smq-publisher" .) >&2
  mv "$tmp/smq-publisher" "$dest"
fi
echo "$dest"
