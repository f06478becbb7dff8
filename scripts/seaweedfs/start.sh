#!/usr/bin/env bash
# Starts a throw-away SeaweedFS (master, volume, filer in one `weed server`, plus a separate MQ broker)
# on 127.0.0.1 in a temporary directory. Prints shell assignments (SEAWEED_DIR, SEAWEED_MASTERS,
# SEAWEED_BROKER) on stdout; pass SEAWEED_DIR to stop.sh to stop it.
#
#   eval "$(scripts/seaweedfs/start.sh)"; ...; scripts/seaweedfs/stop.sh "$SEAWEED_DIR"
#
# Ports: SEAWEED_BASE_PORT (default: a free one picked at random) is the master's HTTP port; volume,
# filer and broker take the next three. gRPC listens on HTTP port + 10000, as SeaweedFS expects.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
weed="${WEED_BIN:-$("$here/install-weed.sh" | tail -n 1)}"
timeout_s="${SEAWEED_START_TIMEOUT:-90}"

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_base() {
  for _ in $(seq 1 50); do
    # Below the kernel's ephemeral range (32768+) for both P and P+10000.
    local p=$((10000 + RANDOM % 12000))
    if port_free "$p" && port_free $((p + 1)) && port_free $((p + 2)) && port_free $((p + 3)) &&
      port_free $((p + 10000)) && port_free $((p + 10001)) && port_free $((p + 10002)); then
      echo "$p"
      return 0
    fi
  done
  echo "start.sh: no free ports found" >&2
  return 1
}

base="${SEAWEED_BASE_PORT:-$(pick_base)}"
master=$base
volume=$((base + 1))
filer=$((base + 2))
broker=$((base + 3))
dir="${SEAWEED_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/seaweedfs.XXXXXX")}"
mkdir -p "$dir/data"

# setsid: each server in its own process group, so stop.sh can end it and everything it started.
setsid "$weed" server -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
  -master.port="$master" -volume.port="$volume" -filer -filer.port="$filer" \
  -master.volumeSizeLimitMB=64 -volume.max=0 >"$dir/server.log" 2>&1 &
echo $! >"$dir/server.pid"

deadline=$((SECONDS + timeout_s))
until grep -q . <(curl -sf "http://127.0.0.1:$filer/?pretty=y" 2>/dev/null || true); do
  if ((SECONDS > deadline)); then
    echo "start.sh: filer did not come up in ${timeout_s}s; see $dir/server.log" >&2
    exit 1
  fi
  sleep 0.5
done

setsid "$weed" mq.broker -master="127.0.0.1:$master" -ip=127.0.0.1 -port="$broker" \
  -logFlushInterval=0 >"$dir/broker.log" 2>&1 &
echo $! >"$dir/broker.pid"

# The broker is usable once it holds the balancer lock (before that, admin calls fail to find the
# balancer); its log is the one place that says so.
until grep -q "connects to balancer" "$dir/broker.log" 2>/dev/null; do
  if ((SECONDS > deadline)); then
    echo "start.sh: broker did not connect to a balancer in ${timeout_s}s; see $dir/broker.log" >&2
    exit 1
  fi
  sleep 0.5
done

echo "$master $volume $filer" >"$dir/ports"
cat >"$dir/env" <<ENV
SEAWEED_DIR=$dir
SEAWEED_MASTERS=127.0.0.1:$master
SEAWEED_FILER=127.0.0.1:$filer
SEAWEED_BROKER=127.0.0.1:$broker
ENV
cat "$dir/env"
