"""One confluent-kafka (librdkafka) group member for the consumer-group end-to-end tests.

Polls, "processes" (prints) each record, then commits exactly what it processed; partitions being
revoked get their processed offsets committed in the revocation callback, so clean rebalances
neither lose nor repeat records. Prints JSON-line events like the Java harness's GroupMember:
started, assigned, revoked, lost, rec, commit, commit-retry, commit-failed, closing, closed, error.
"stop" on stdin (or end of input) leaves the group cleanly; --stop-after N leaves after N records.
"""

import argparse
import json
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

OUT_LOCK = threading.Lock()
RETRIABLE = {KafkaError.REBALANCE_IN_PROGRESS, KafkaError._WAIT_COORD, KafkaError.COORDINATOR_NOT_AVAILABLE,
             KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_LOAD_IN_PROGRESS}


class Member:
    def __init__(self, args):
        self.args = args
        self.pending = {}
        self.owned = set()
        self.processed = 0
        self.stopping = threading.Event()
        conf = {
            "bootstrap.servers": args.bootstrap,
            "group.id": args.group,
            "client.id": args.member,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "partition.assignment.strategy": args.assignor,
            "session.timeout.ms": args.session_timeout_ms,
            "heartbeat.interval.ms": 1000,
            "error_cb": lambda err: self.emit("client-error", err=str(err)),
        }
        if args.instance_id:
            conf["group.instance.id"] = args.instance_id
        self.consumer = Consumer(conf)

    def emit(self, kind, **fields):
        event = {"t": int(time.time() * 1000), "ev": kind, "m": self.args.member}
        event.update(fields)
        with OUT_LOCK:
            sys.stdout.write(json.dumps(event, separators=(",", ":")) + "\n")

    @staticmethod
    def flush():
        with OUT_LOCK:
            sys.stdout.flush()

    def commit(self, offsets, why):
        """Commits {partition: next offset} synchronously; returns True when they need no retry."""
        if not offsets:
            return True
        self.flush()
        shown = {str(p): o for p, o in offsets.items()}
        tps = [TopicPartition(self.args.topic, p, o) for p, o in offsets.items()]
        try:
            self.consumer.commit(offsets=tps, asynchronous=False)
            self.emit("commit", why=why, offs=shown)
            return True
        except KafkaException as e:
            err = e.args[0]
            if err.code() in RETRIABLE:
                self.emit("commit-retry", why=why, err=str(err), offs=shown)
                return False
            self.emit("commit-failed", why=why, err=str(err), offs=shown)
            return True
        finally:
            self.flush()

    def on_assign(self, consumer, partitions):
        parts = sorted(tp.partition for tp in partitions)
        self.owned.update(parts)
        self.emit("assigned", parts=parts, owned=sorted(self.owned))
        self.flush()

    def on_revoke(self, consumer, partitions):
        parts = sorted(tp.partition for tp in partitions)
        mine = {p: self.pending[p] for p in parts if p in self.pending}
        self.commit(mine, "revoke")
        for p in parts:
            self.pending.pop(p, None)
            self.owned.discard(p)
        self.emit("revoked", parts=parts)
        self.flush()

    def on_lost(self, consumer, partitions):
        parts = sorted(tp.partition for tp in partitions)
        dropped = {str(p): self.pending.pop(p) for p in parts if p in self.pending}
        self.owned.difference_update(parts)
        self.emit("lost", parts=parts, uncommitted=dropped)
        self.flush()

    def run(self):
        a = self.args
        self.consumer.subscribe([a.topic], on_assign=self.on_assign, on_revoke=self.on_revoke, on_lost=self.on_lost)
        self.emit("started", instance=a.instance_id)
        self.flush()
        deadline = time.monotonic() + a.max_runtime_s
        while not self.stopping.is_set() and time.monotonic() < deadline:
            if a.stop_after and self.processed >= a.stop_after:
                break
            for msg in self.consumer.consume(num_messages=200, timeout=0.2):
                if msg.error():
                    if msg.error().code() != KafkaError._PARTITION_EOF:
                        self.emit("fetch-error", err=str(msg.error()))
                    continue
                if a.stop_after and self.processed >= a.stop_after:
                    break
                key = msg.key().decode() if msg.key() is not None else None
                value = msg.value().decode() if msg.value() is not None else None
                self.emit("rec", p=msg.partition(), o=msg.offset(), k=key, v=value)
                self.pending[msg.partition()] = msg.offset() + 1
                self.processed += 1
            if self.commit(dict(self.pending), "batch"):
                self.pending.clear()
        if self.commit(dict(self.pending), "close"):
            self.pending.clear()
        self.emit("closing", processed=self.processed)
        self.flush()
        self.consumer.close()
        self.emit("closed", processed=self.processed)
        self.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--member", default="rdkafka")
    parser.add_argument("--assignor", default="range", choices=["range", "roundrobin", "cooperative-sticky"])
    parser.add_argument("--instance-id", default=None)
    parser.add_argument("--stop-after", type=int, default=0)
    parser.add_argument("--session-timeout-ms", type=int, default=10000)
    parser.add_argument("--max-runtime-s", type=float, default=300)
    args = parser.parse_args()

    member = Member(args)

    def read_stdin():
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        member.stopping.set()

    threading.Thread(target=read_stdin, daemon=True).start()
    try:
        member.run()
    except Exception as e:  # noqa: BLE001 - reported as an event, then a failing exit code
        member.emit("error", err=repr(e))
        member.flush()
        sys.exit(1)


if __name__ == "__main__":
    main()
