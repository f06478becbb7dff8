"""Drives kafka-python for the compatibility matrix; see common.py."""

import logging
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

import common

logging.basicConfig(level=logging.CRITICAL)
BIG = 16 * 1024 * 1024


def admin(args):
    return KafkaAdminClient(bootstrap_servers=args.bootstrap, client_id="compat-kafka-python",
                            request_timeout_ms=args.timeout_ms)


def metadata(args):
    a = admin(args)
    try:
        cluster = a.describe_cluster()
        topics = a.describe_topics()
    finally:
        a.close()
    common.emit({
        "brokers": [{"id": b["broker_id"], "host": b["host"], "port": b["port"]} for b in cluster["brokers"]],
        "topics": {t["name"]: len(t["partitions"]) for t in topics if t["error_code"] == 0},
    })


def create_topic(args):
    a = admin(args)
    try:
        a.create_topics([NewTopic(args.topic, args.partitions, 1, topic_configs=common.configs(args))])
    finally:
        a.close()
    common.emit({"created": True})


def delete_topic(args):
    a = admin(args)
    try:
        a.delete_topics([args.topic])
    finally:
        a.close()
    common.emit({"deleted": True})


def produce(args):
    records = common.read_dataset(args.input)
    p = KafkaProducer(
        bootstrap_servers=args.bootstrap,
        client_id="compat-kafka-python",
        acks="all",
        compression_type=None if args.compression == "none" else args.compression,
        enable_idempotence=args.idempotent == "true",
        linger_ms=5,
        max_request_size=8 * 1024 * 1024,
        request_timeout_ms=30000,
    )
    futures = []
    for r in records:
        futures.append(p.send(args.topic, value=r.value, key=r.key, headers=r.headers, partition=r.partition,
                              timestamp_ms=r.timestamp if r.timestamp >= 0 else None))
    p.flush(timeout=args.timeout_ms / 1000)
    acks = []
    for f in futures:
        md = f.get(timeout=args.timeout_ms / 1000)
        acks.append([md.partition, md.offset])
    p.close()
    common.emit({"count": len(records), "acks": acks})


def consumer(args, **extra):
    return KafkaConsumer(
        bootstrap_servers=args.bootstrap,
        client_id="compat-kafka-python",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=BIG,
        fetch_max_bytes=BIG,
        **extra,
    )


def emit(r):
    common.emit_record(r.partition, r.offset, r.timestamp, r.key, r.value, r.headers)


def poll_until(c, args, want, on_record):
    end = time.monotonic() + args.timeout_ms / 1000
    got = 0
    while got < want:
        if time.monotonic() > end:
            raise TimeoutError(f"{got} of {want} records")
        batches = c.poll(timeout_ms=500, max_records=want - got)
        for records in batches.values():
            for r in records:
                on_record(r)
                got += 1


def consume(args):
    extra = {"isolation_level": args.isolation} if args.isolation else {}
    c = consumer(args, group_id=None, **extra)
    tps = [TopicPartition(args.topic, p) for p in range(args.partitions)]
    c.assign(tps)
    c.seek_to_beginning(*tps)
    try:
        poll_until(c, args, args.expect, emit)
    finally:
        c.close()


def group_consume(args):
    c = consumer(args, group_id=args.group)
    c.subscribe([args.topic])
    positions = {}

    def take(r):
        emit(r)
        positions[TopicPartition(r.topic, r.partition)] = OffsetAndMetadata(r.offset + 1, "", -1)

    try:
        poll_until(c, args, args.max, take)
        c.commit(positions)
    finally:
        c.close()


def txn_producer(args):
    p = KafkaProducer(
        bootstrap_servers=args.bootstrap,
        client_id="compat-kafka-python",
        transactional_id=args.transactional_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=30000,
    )
    p.init_transactions()
    return p


def txn_produce(args):
    """One transactional producer; --plan c15,a20,c15 splits the records into committed/aborted transactions."""
    records = common.read_dataset(args.input)
    plan = common.parse_plan(args.plan, len(records))
    p = txn_producer(args)
    t = args.timeout_ms / 1000
    acks = []
    at = 0
    try:
        for count, commit in plan:
            p.begin_transaction()
            futures = [p.send(args.topic, value=r.value, key=r.key, headers=r.headers, partition=r.partition,
                              timestamp_ms=r.timestamp if r.timestamp >= 0 else None)
                       for r in records[at:at + count]]
            p.flush(timeout=t)
            for f in futures:
                md = f.get(timeout=t)
                acks.append([md.partition, md.offset])
            if commit:
                p.commit_transaction()
            else:
                p.abort_transaction()
            at += count
    finally:
        p.close()
    common.emit({"count": len(records), "acks": acks})


def txn_transform(args):
    """Consume-transform-produce: read --max records in the group, one transaction with the offsets."""
    c = consumer(args, group_id=args.group, isolation_level="read_committed")
    p = txn_producer(args)
    prefix = (args.tag + ":").encode()
    taken = []
    c.subscribe([args.input_topic])
    try:
        poll_until(c, args, args.max, taken.append)
        p.begin_transaction()
        positions = {}
        for r in taken:
            p.send(args.output_topic, value=prefix + (r.value or b""), key=r.key, partition=r.partition)
            positions[TopicPartition(r.topic, r.partition)] = OffsetAndMetadata(r.offset + 1, "", -1)
        # Written before the end either way, so an abort leaves aborted data in the log to skip.
        p.flush(timeout=args.timeout_ms / 1000)
        p.send_offsets_to_transaction(positions, c.group_metadata())
        if args.outcome == "commit":
            p.commit_transaction()
        else:
            p.abort_transaction()
    finally:
        p.close()
        c.close()
    for r in taken:
        emit(r)


def describe_group(args):
    a = admin(args)
    try:
        desc = a.describe_groups([args.group])[args.group]
        committed = a.list_group_offsets({args.group: None})[args.group]
    finally:
        a.close()
    c = consumer(args, group_id=None)
    try:
        tps = [TopicPartition(args.topic, p) for p in sorted(c.partitions_for_topic(args.topic) or [])]
        ends = c.end_offsets(tps)
    finally:
        c.close()
    offsets, lag = {}, {}
    for tp in tps:
        om = committed.get(tp)
        o = om.offset if om is not None else -1
        offsets[str(tp.partition)] = o
        lag[str(tp.partition)] = ends[tp] - max(o, 0)
    common.emit({
        "group": args.group,
        "state": str(desc.get("group_state", desc.get("state"))),
        "members": len(desc.get("members", [])),
        "offsets": offsets,
        "lag": lag,
    })


common.run({
    "metadata": metadata,
    "create-topic": create_topic,
    "delete-topic": delete_topic,
    "produce": produce,
    "consume": consume,
    "group-consume": group_consume,
    "describe-group": describe_group,
    "txn-produce": txn_produce,
    "txn-transform": txn_transform,
})
