#!/usr/bin/env bash
# Builds the Java client harness (test/clients/java) into
#   test/clients/java/target/kafka-<version>/harness.jar  and its dependencies in  .../lib/
# and prints that directory. Skips Maven entirely when the build is newer than every source file,
# so calling it before each test run costs nothing. Safe to run concurrently (flock).
#
# Usage: scripts/clients/build-java.sh [kafka-clients version]
#        (default 3.9.2; env KAFKA_CLIENTS_VERSION works too, e.g. 4.1.1 for the compatibility matrix)
#        JAVA_HARNESS_PROJECT=java-streams builds test/clients/java-streams (Kafka Streams) the same way.
# Run:   java -cp "$DIR/harness.jar:$DIR/lib/*" dev.kafkagateway.harness.Main produce --bootstrap ...
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PROJECT="$ROOT/test/clients/${JAVA_HARNESS_PROJECT:-java}"
VERSION="${1:-${KAFKA_CLIENTS_VERSION:-3.9.2}}"
OUT="$PROJECT/target/kafka-$VERSION"
STAMP="$OUT/.built"

for tool in java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-java: '$tool' not found (need JDK 17+ and Maven 3.8+)" >&2
    exit 127
  fi
done

up_to_date() {
  [ -f "$STAMP" ] && [ -f "$OUT/harness.jar" ] &&
    [ -z "$(find "$PROJECT/src" "$PROJECT/pom.xml" -newer "$STAMP" -print -quit)" ]
}

if up_to_date; then
  echo "$OUT"
  exit 0
fi

mkdir -p "$PROJECT/target"
exec 9>"$PROJECT/target/.build-lock"
flock -w 900 9
# Another process may have finished the same build while this one waited for the lock.
if up_to_date; then
  echo "$OUT"
  exit 0
fi

MVN=(mvn -q -B -Dstyle.color=never -f "$PROJECT/pom.xml" -Dkafka.version="$VERSION")
rm -f "$STAMP"
# Offline first: after one online build everything is in ~/.m2 and Maven need not touch the network.
if ! "${MVN[@]}" -o package >/dev/null 2>&1; then
  "${MVN[@]}" package >&2
fi
test -f "$OUT/harness-build.jar"
test -n "$(ls "$OUT/lib/"kafka-clients-*.jar 2>/dev/null)"
# Tests may be running from harness.jar right now: replace it by rename (a new inode), never in place.
cp "$OUT/harness-build.jar" "$OUT/.harness.jar.$$"
mv -f "$OUT/.harness.jar.$$" "$OUT/harness.jar"
touch "$STAMP"
echo "$OUT"
