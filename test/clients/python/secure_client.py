"""Produces --count records with confluent-kafka (librdkafka) over TLS and/or SASL, then reads them
back from the start without a group, for the security end-to-end tests. Prints one JSON line:
{"produced": N, "consumed": ["v0", ...]} or {"error": "..."} (exit 1)."""
import argparse
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def config(a):
    c = {"bootstrap.servers": a.bootstrap, "security.protocol": a.protocol}
    if a.ca:
        c["ssl.ca.location"] = a.ca
    if a.cert:
        c["ssl.certificate.location"] = a.cert
        c["ssl.key.location"] = a.key
    if a.mechanism:
        c.update({"sasl.mechanisms": a.mechanism, "sasl.username": a.user, "sasl.password": a.password})
    return c


def main():
    p = argparse.ArgumentParser()
    for flag in ("bootstrap", "protocol", "topic", "ca", "cert", "key", "mechanism", "user", "password"):
        p.add_argument("--" + flag, default="")
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--timeout", type=float, default=60)
    a = p.parse_args()
    deadline = time.monotonic() + a.timeout
    errors = []

    producer = Producer({**config(a), "error_cb": lambda e: errors.append(str(e))})
    failed = []
    for i in range(a.count):
        producer.produce(a.topic, value=f"v{i}".encode(), partition=0,
                         on_delivery=lambda err, _m: err and failed.append(str(err)))
    while len(producer) > 0 and time.monotonic() < deadline and not errors:
        producer.poll(0.2)
    if failed or errors or len(producer) > 0:
        print(json.dumps({"error": (failed + errors + ["delivery timed out"])[0]}))
        return 1

    consumer = Consumer({**config(a), "group.id": "sec-python", "enable.auto.commit": False,
                         "error_cb": lambda e: errors.append(str(e))})
    consumer.assign([TopicPartition(a.topic, 0, 0)])
    values = []
    while len(values) < a.count and time.monotonic() < deadline and not errors:
        m = consumer.poll(0.5)
        if m is None:
            continue
        if m.error():
            print(json.dumps({"error": str(m.error())}))
            return 1
        values.append(m.value().decode())
    consumer.close()
    if errors:
        print(json.dumps({"error": errors[0]}))
        return 1
    print(json.dumps({"produced": a.count, "consumed": values}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KafkaException as e:
        print(json.dumps({"error": str(e)}))
        sys.exit(1)
