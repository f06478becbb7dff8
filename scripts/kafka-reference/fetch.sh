#!/usr/bin/env bash
# Downloads Apache Kafka (server) jars and runtime dependencies from Maven Central into
# .cache/kafka-reference/<version>/libs. Idempotent: does nothing when the jars are already there.
# Usage: fetch.sh [version]   (default 3.9.2; env KAFKA_REFERENCE_VERSION also works)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VERSION="${1:-${KAFKA_REFERENCE_VERSION:-3.9.2}}"
LIBS="$ROOT/.cache/kafka-reference/$VERSION/libs"

if [ -f "$LIBS/.complete" ]; then
  echo "$LIBS"
  exit 0
fi

mkdir -p "$LIBS"
mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" -Dkafka.version="$VERSION" \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DoutputDirectory="$LIBS" -DincludeScope=runtime >&2
ls "$LIBS"/kafka_2.13-"$VERSION".jar >/dev/null
touch "$LIBS/.complete"
echo "$LIBS"
