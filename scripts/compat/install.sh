#!/usr/bin/env bash
# Installs or builds every client of the compatibility matrix (all cached; a second run is quick),
# so CI can warm its caches in one step before `npm run test:compat`. The runner calls the same
# scripts itself for the clients it is asked to run.
#   Needs: python3 (venv), go, java 17 + mvn, apt-get (kcat), network access to the package registries.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAVA3="${COMPAT_JAVA3_VERSION:-3.9.2}"
JAVA4="${COMPAT_JAVA4_VERSION:-4.4.0}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

bash "$ROOT/scripts/clients/install-kcat.sh"
bash "$ROOT/scripts/clients/install-python-clients.sh" >/dev/null
for c in franz sarama kafkago; do bash "$HERE/build-go.sh" "$c" >/dev/null; done
# The Go module proxy may refuse kafkactl (exit 3): the matrix then reports it as not installed.
if ! bash "$ROOT/scripts/clients/install-kafkactl.sh" >/dev/null; then
  echo "compat: kafkactl not installed (see above); its column will be skipped" >&2
fi
bash "$ROOT/scripts/clients/build-java.sh" "$JAVA3" >/dev/null
bash "$ROOT/scripts/clients/build-java.sh" "$JAVA4" >/dev/null
bash "$ROOT/scripts/clients/kafka-cli/install.sh" "$JAVA3" >/dev/null
echo "compat: all clients installed"
