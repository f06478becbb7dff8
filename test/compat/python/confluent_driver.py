"""Drives confluent-kafka-python (librdkafka) for the compatibility matrix; see common.py."""

import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic, OffsetSpec
from confluent_kafka import ConsumerGroupTopicPartitions

import common

# Room for the dataset's 1 MiB value in produce requests and fetch responses.
SIZES = {
    "message.max.bytes": 8 * 1024 * 1024,
    "fetch.message.max.bytes": 8 * 1024 * 1024,
    "fetch.max.bytes": 16 * 1024 * 1024,
    "receive.message.max.bytes": 32 * 1024 * 1024,
}


def base(args):
    return {"bootstrap.servers": args.bootstrap, "client.id": "compat-confluent"}


def admin(args):
    return AdminClient(base(args))


def deadline(args):
    return time.monotonic() + args.timeout_ms / 1000


def metadata(args):
    a = admin(args)
    md = a.list_topics(timeout=args.timeout_ms / 1000)
    common.emit({
        "brokers": [{"id": b.id, "host": b.host, "port": b.port} for b in md.brokers.values()],
        "topics": {name: len(t.partitions) for name, t in md.topics.items() if t.error is None},
    })


def create_topic(args):
    t = NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1, config=common.configs(args))
    a = admin(args)  # the handle must outlive its futures
    for f in a.create_topics([t]).values():
        f.result(timeout=args.timeout_ms / 1000)
    common.emit({"created": True})


def delete_topic(args):
    a = admin(args)
    for f in a.delete_topics([args.topic]).values():
        f.result(timeout=args.timeout_ms / 1000)
    common.emit({"deleted": True})


def produce(args):
    records = common.read_dataset(args.input)
    conf = base(args)
    conf.update({
        "acks": "all",
        "compression.type": args.compression,
        "enable.idempotence": args.idempotent == "true",
        "linger.ms": 5,
        "message.max.bytes": SIZES["message.max.bytes"],
        "message.timeout.ms": args.timeout_ms,
    })
    p = Producer(conf)
    acks = [None] * len(records)
    errors = []

    def delivered(i):
        def cb(err, msg):
            if err is not None:
                errors.append(str(err))
            acks[i] = [msg.partition(), msg.offset()]
        return cb

    for i, r in enumerate(records):
        kwargs = {"partition": r.partition, "on_delivery": delivered(i)}
        if r.timestamp >= 0:
            kwargs["timestamp"] = r.timestamp
        if r.headers:
            kwargs["headers"] = r.headers
        while True:
            try:
                p.produce(args.topic, r.value, r.key, **kwargs)
                break
            except BufferError:
                p.poll(0.1)
    left = p.flush(args.timeout_ms / 1000)
    if left:
        raise TimeoutError(f"{left} messages not delivered")
    if errors:
        raise KafkaException(errors[0])
    common.emit({"count": len(records), "acks": acks})


def emit(msg):
    common.emit_record(msg.partition(), msg.offset(), msg.timestamp()[1], msg.key(), msg.value(), msg.headers())


def consumer(args, group, isolation=None):
    conf = base(args)
    conf.update(SIZES)
    conf.update({"group.id": group, "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    if isolation:
        conf["isolation.level"] = isolation
    return Consumer(conf)


def txn_producer(args):
    conf = base(args)
    conf.update({
        "transactional.id": args.transactional_id,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        # librdkafka requires message.timeout.ms <= transaction.timeout.ms (60 s by default).
        "message.timeout.ms": min(args.timeout_ms, 60000),
    })
    p = Producer(conf)
    p.init_transactions(args.timeout_ms / 1000)
    return p


def txn_produce(args):
    """One transactional producer; --plan c15,a20,c15 splits the records into committed/aborted transactions."""
    records = common.read_dataset(args.input)
    plan = common.parse_plan(args.plan, len(records))
    p = txn_producer(args)
    t = args.timeout_ms / 1000
    acks = [None] * len(records)
    errors = []

    def delivered(i):
        def cb(err, msg):
            if err is not None:
                errors.append(str(err))
            acks[i] = [msg.partition(), msg.offset()]
        return cb

    at = 0
    for count, commit in plan:
        p.begin_transaction()
        for i in range(at, at + count):
            r = records[i]
            kwargs = {"partition": r.partition, "on_delivery": delivered(i)}
            if r.timestamp >= 0:
                kwargs["timestamp"] = r.timestamp
            if r.headers:
                kwargs["headers"] = r.headers
            p.produce(args.topic, r.value, r.key, **kwargs)
        # Deliver (and so acknowledge) every record before ending, aborts included.
        left = p.flush(t)
        if left:
            raise TimeoutError(f"{left} messages not delivered")
        if errors:
            raise KafkaException(errors[0])
        if commit:
            p.commit_transaction(t)
        else:
            p.abort_transaction(t)
        at += count
    common.emit({"count": len(records), "acks": acks})


def txn_transform(args):
    """Consume-transform-produce: read --max records in the group, one transaction with the offsets."""
    c = consumer(args, args.group, "read_committed")
    p = txn_producer(args)
    t = args.timeout_ms / 1000
    prefix = (args.tag + ":").encode()
    taken = []
    c.subscribe([args.input_topic])
    try:
        poll_until(c, args, args.max, taken.append)
        p.begin_transaction()
        positions = {}
        for m in taken:
            p.produce(args.output_topic, prefix + (m.value() or b""), m.key(), partition=m.partition())
            positions[m.partition()] = m.offset() + 1
        # Written before the end either way, so an abort leaves aborted data in the log to skip.
        if p.flush(t):
            raise TimeoutError("transformed records not delivered")
        offsets = [TopicPartition(args.input_topic, part, o) for part, o in positions.items()]
        p.send_offsets_to_transaction(offsets, c.consumer_group_metadata(), t)
        if args.outcome == "commit":
            p.commit_transaction(t)
        else:
            p.abort_transaction(t)
    finally:
        c.close()
    for m in taken:
        emit(m)


def poll_until(c, args, want, on_message):
    end = deadline(args)
    got = 0
    while got < want:
        if time.monotonic() > end:
            raise TimeoutError(f"{got} of {want} records")
        msg = c.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            raise KafkaException(msg.error())
        on_message(msg)
        got += 1


def consume(args):
    # assign() reads without joining the group; librdkafka still wants a group.id in its config.
    c = consumer(args, "compat-confluent-assign", args.isolation)
    c.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in range(args.partitions)])
    try:
        poll_until(c, args, args.expect, emit)
    finally:
        c.close()


def group_consume(args):
    c = consumer(args, args.group)
    c.subscribe([args.topic])
    positions = {}

    def take(msg):
        emit(msg)
        positions[msg.partition()] = msg.offset() + 1

    try:
        poll_until(c, args, args.max, take)
        c.commit(offsets=[TopicPartition(args.topic, p, o) for p, o in positions.items()], asynchronous=False)
    finally:
        c.close()


def describe_group(args):
    a = admin(args)
    t = args.timeout_ms / 1000
    desc = a.describe_consumer_groups([args.group])[args.group].result(timeout=t)
    md = a.list_topics(topic=args.topic, timeout=t)
    tps = [TopicPartition(args.topic, p) for p in md.topics[args.topic].partitions]
    committed = a.list_consumer_group_offsets([ConsumerGroupTopicPartitions(args.group, tps)])
    offsets = {tp.partition: tp.offset for tp in committed[args.group].result(timeout=t).topic_partitions}
    ends = {tp.partition: f.result(timeout=t).offset
            for tp, f in a.list_offsets({tp: OffsetSpec.latest() for tp in tps}).items()}
    common.emit({
        "group": args.group,
        "state": desc.state.name,
        "members": len(desc.members),
        "offsets": {str(p): o for p, o in offsets.items()},
        "lag": {str(p): ends[p] - (o if o >= 0 else 0) for p, o in offsets.items()},
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
