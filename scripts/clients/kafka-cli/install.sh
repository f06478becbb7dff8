#!/usr/bin/env bash
# Downloads the Kafka CLI tools' classes (kafka_2.13 and kafka-tools, pinned in pom.xml) and their
# runtime dependencies from Maven Central into .cache/kafka-cli/lib and prints that directory.
# Idempotent and cached: does nothing when the jars are already there. Safe to run concurrently.
#
# Usage: scripts/clients/kafka-cli/install.sh [kafka version]   (default 3.9.2)
# Run:   java -cp "$LIB/*" org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
VERSION="${1:-${KAFKA_CLI_VERSION:-3.9.2}}"
LIB="$ROOT/.cache/kafka-cli/lib-$VERSION"
STAMP="$LIB/.complete"

for tool in java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "kafka-cli: '$tool' not found (need JDK 17+ and Maven 3.8+)" >&2
    exit 127
  fi
done

if [ -f "$STAMP" ]; then
  echo "$LIB"
  exit 0
fi

mkdir -p "$ROOT/.cache/kafka-cli"
exec 9>"$ROOT/.cache/kafka-cli/.lock"
flock -w 900 9
if [ -f "$STAMP" ]; then
  echo "$LIB"
  exit 0
fi

rm -rf "$LIB"
mkdir -p "$LIB"
MVN=(mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" -Dkafka.version="$VERSION"
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies
  -DoutputDirectory="$LIB" -DincludeScope=runtime)
# Offline first: once ~/.m2 holds everything, Maven need not touch the network.
if ! "${MVN[@]}" -o >/dev/null 2>&1; then
  "${MVN[@]}" >&2
fi
ls "$LIB/kafka-tools-$VERSION.jar" "$LIB/kafka_2.13-$VERSION.jar" >/dev/null
touch "$STAMP"
echo "$LIB"
