"""Transactions through confluent-kafka-python (librdkafka), for the transactions end-to-end tests.

  produce  --plan c4,a3,c5   one transactional producer runs the plan's transactions in order:
                             cN commits N records, aN aborts N (values "t<i><c|a>-<n>", spread over
                             --partitions); prints {"transactions":[{"label","outcome","values"}]}
  consume  --isolation read_committed|read_uncommitted
                             reads every partition from the start (no group) until each position
                             reaches the high watermark; prints {"values":[...]}
  eos      --in T --out T2 --group G --batch N
                             consume-transform-produce: each batch of N input records goes to --out
                             in upper case with its input offsets sent to the transaction; the second
                             transaction is aborted and the consumer restarted from the committed
                             offsets, as after a failure; prints {"transactions","aborted"}.
Exit 1 with a message on stderr on failure.
"""

import argparse
import json
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition


def producer(args, txn_id):
    p = Producer({"bootstrap.servers": args.bootstrap, "transactional.id": txn_id, "client.id": txn_id})
    p.init_transactions(30)
    return p


def cmd_produce(args):
    p = producer(args, args.transactional_id)
    out, n = [], 0
    for i, step in enumerate(args.plan.split(",")):
        outcome, count = step[0], int(step[1:])
        label = "t%d%s" % (i, outcome)
        p.begin_transaction()
        values = []
        for j in range(count):
            value = "%s-%d" % (label, j)
            values.append(value)
            p.produce(args.topic, value=value.encode(), key=value.encode(), partition=n % args.partitions)
            n += 1
        p.flush(30)
        if outcome == "c":
            p.commit_transaction(30)
        else:
            p.abort_transaction(30)
        out.append({"label": label, "outcome": outcome, "values": values})
    print(json.dumps({"transactions": out}))


def read_all(args, topic, isolation):
    c = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "unused", "enable.auto.commit": False,
                  "isolation.level": isolation, "enable.partition.eof": True})
    meta = c.list_topics(topic, timeout=10).topics[topic]
    tps = [TopicPartition(topic, p, 0) for p in sorted(meta.partitions)]
    c.assign(tps)
    ends = {tp.partition: c.get_watermark_offsets(tp, timeout=10)[1] for tp in tps}
    values, done = [], set(p for p, end in ends.items() if end == 0)
    deadline = time.time() + args.timeout_s
    while len(done) < len(tps):
        if time.time() > deadline:
            raise RuntimeError("timed out reading %s: %s" % (topic, ends))
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() == -191:  # _PARTITION_EOF
                pos = c.position([TopicPartition(topic, m.partition())])[0].offset
                if pos >= ends[m.partition()]:
                    done.add(m.partition())
                continue
            raise RuntimeError(str(m.error()))
        values.append(m.value().decode())
    c.close()
    return values


def cmd_consume(args):
    print(json.dumps({"values": read_all(args, args.topic, args.isolation)}))


def group_consumer(args):
    c = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
    c.subscribe([args.input])
    return c


def cmd_eos(args):
    p = producer(args, args.group + "-eos")
    c = group_consumer(args)
    txns, aborted, seen = 0, 0, 0
    deadline = time.time() + args.timeout_s
    while seen < args.expect:
        if time.time() > deadline:
            raise RuntimeError("timed out after %d of %d records" % (seen, args.expect))
        msgs = c.consume(args.batch, 1.0)
        msgs = [m for m in msgs if m.error() is None]
        if not msgs:
            continue
        p.begin_transaction()
        for m in msgs:
            p.produce(args.output, key=m.value(), value=m.value().upper())
        # Delivered before the transaction ends, so an aborted one leaves records behind in the log.
        p.flush(30)
        p.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(), 30)
        txns += 1
        if txns == 2:
            # A failure mid-stream: abort, and start over from the committed offsets.
            p.abort_transaction(30)
            aborted += 1
            c.close()
            c = group_consumer(args)
            continue
        p.commit_transaction(30)
        seen += len(msgs)
    c.close()
    print(json.dumps({"transactions": txns, "aborted": aborted}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["produce", "consume", "eos"])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic")
    ap.add_argument("--partitions", type=int, default=1)
    ap.add_argument("--transactional-id")
    ap.add_argument("--plan")
    ap.add_argument("--isolation", default="read_committed")
    ap.add_argument("--in", dest="input")
    ap.add_argument("--out", dest="output")
    ap.add_argument("--group")
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--expect", type=int, default=0)
    ap.add_argument("--timeout-s", type=float, default=120)
    args = ap.parse_args()
    try:
        {"produce": cmd_produce, "consume": cmd_consume, "eos": cmd_eos}[args.command](args)
    except Exception as e:  # noqa: BLE001 - the test reads the message
        print("txn_scenarios: %s" % e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
