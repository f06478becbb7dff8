#!/usr/bin/env bash
# Starts a real Apache Kafka broker (KRaft, broker+controller in one JVM) on 127.0.0.1 for development
# and differential testing against kafka-gateway. Not used by CI.
#
# Usage: scripts/kafka-reference/start.sh [port]        (default 19092; controller on port+1)
# Env:   KAFKA_REFERENCE_VERSION (default 3.9.2), KAFKA_REFERENCE_HEAP (default 768m),
#        KAFKA_REFERENCE_PARTITIONS (num.partitions for auto-created topics, default 1)
# Prints the bootstrap address (127.0.0.1:port) when the broker is ready. Stop with stop.sh [port].
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VERSION="${KAFKA_REFERENCE_VERSION:-3.9.2}"
PORT="${1:-19092}"
CPORT=$((PORT + 1))
STATE="$ROOT/.cache/kafka-reference/run-$PORT"

if [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
  echo "kafka-reference: already running on 127.0.0.1:$PORT (pid $(cat "$STATE/pid"))" >&2
  echo "127.0.0.1:$PORT"
  exit 0
fi

LIBS="$(bash "$HERE/fetch.sh" "$VERSION")"
rm -rf "$STATE"
mkdir -p "$STATE"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/kafka-reference-$PORT.XXXXXX")"
echo "$DATA" >"$STATE/data-dir"

cat >"$STATE/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA/logs
num.partitions=${KAFKA_REFERENCE_PARTITIONS:-1}
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS

cat >"$STATE/log4j.properties" <<PROPS
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$STATE/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
PROPS

JAVA_OPTS=(-Xmx"${KAFKA_REFERENCE_HEAP:-768m}" -XX:+UseG1GC -Djava.awt.headless=true
  -Dlog4j.configuration="file:$STATE/log4j.properties")

CLUSTER_ID="$(java -cp "$LIBS/*" "${JAVA_OPTS[@]}" kafka.tools.StorageTool random-uuid)"
java -cp "$LIBS/*" "${JAVA_OPTS[@]}" kafka.tools.StorageTool format \
  -t "$CLUSTER_ID" -c "$STATE/server.properties" >"$STATE/format.log" 2>&1

nohup java -cp "$LIBS/*" "${JAVA_OPTS[@]}" kafka.Kafka "$STATE/server.properties" \
  >"$STATE/stdout.log" 2>&1 </dev/null &
echo $! >"$STATE/pid"

# Ready when the broker logs that it started and its listener accepts connections (bounded wait).
for _ in $(seq 1 180); do
  if ! kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
    echo "kafka-reference: broker exited; see $STATE/server.log and $STATE/stdout.log" >&2
    tail -n 30 "$STATE/stdout.log" >&2 || true
    exit 1
  fi
  if grep -q "Kafka Server started" "$STATE/server.log" 2>/dev/null &&
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "127.0.0.1:$PORT"
    exit 0
  fi
  sleep 0.5
done
echo "kafka-reference: broker not ready after 90 s; see $STATE/server.log" >&2
exit 1
