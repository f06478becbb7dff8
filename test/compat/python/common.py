"""What both Python drivers of the compatibility matrix share: flags, the dataset file, JSON output.

The contract (commands, flags, output lines) is described in test/compat/README.md.
"""

import argparse
import base64
import json
import sys
from typing import List, NamedTuple, Optional, Tuple

EXIT_TIMEOUT = 4


class Record(NamedTuple):
    partition: int
    timestamp: int
    key: Optional[bytes]
    value: Optional[bytes]
    headers: List[Tuple[str, Optional[bytes]]]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("command")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic")
    p.add_argument("--partitions", type=int, default=1)
    p.add_argument("--config", action="append", default=[])
    p.add_argument("--input")
    p.add_argument("--compression", default="none")
    p.add_argument("--idempotent", default="false")
    p.add_argument("--expect", type=int, default=0)
    p.add_argument("--group")
    p.add_argument("--max", type=int, default=0)
    p.add_argument("--isolation")
    p.add_argument("--transactional-id")
    p.add_argument("--plan")
    p.add_argument("--input-topic")
    p.add_argument("--output-topic")
    p.add_argument("--tag")
    p.add_argument("--outcome", choices=["commit", "abort"])
    p.add_argument("--timeout-ms", type=int, default=120000)
    return p.parse_args()


def configs(args: argparse.Namespace) -> dict:
    return dict(kv.split("=", 1) for kv in args.config)


def _bytes(field: str) -> Optional[bytes]:
    return None if field == "-" else base64.b64decode(field)


def read_dataset(path: str) -> List[Record]:
    """Lines of partition, timestamp, key, value, headers separated by tabs; see common.go."""
    out = []
    with open(path, "r", encoding="ascii") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            partition, ts, key, value, headers = line.split("\t")
            hs = []
            if headers:
                for pair in headers.split(","):
                    name, v = pair.split(":", 1)
                    hs.append((base64.b64decode(name).decode("utf-8"), _bytes(v)))
            out.append(Record(int(partition), int(ts), _bytes(key), _bytes(value), hs))
    return out


def parse_plan(plan: str, total: int) -> List[Tuple[int, bool]]:
    """"c15,a20,c15": (count, commit) per transaction, covering exactly `total` records."""
    steps = []
    for s in plan.split(","):
        if len(s) < 2 or s[0] not in "ca" or not s[1:].isdigit():
            raise ValueError(f"bad --plan step {s!r}")
        steps.append((int(s[1:]), s[0] == "c"))
    if sum(n for n, _ in steps) != total:
        raise ValueError(f"--plan covers {sum(n for n, _ in steps)} of {total} records")
    return steps


def b64(b: Optional[bytes]) -> Optional[str]:
    return None if b is None else base64.b64encode(b).decode("ascii")


def emit(obj) -> None:
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")


def emit_record(partition, offset, timestamp, key, value, headers) -> None:
    emit({
        "partition": partition,
        "offset": offset,
        "timestamp": timestamp,
        "key": b64(key),
        "value": b64(value),
        "headers": [[k, b64(v)] for k, v in (headers or [])],
    })


def run(commands: dict) -> None:
    """Runs the named command; a failure prints to stderr and exits 1, a time-out exits 4."""
    args = parse_args()
    fn = commands.get(args.command)
    if fn is None:
        sys.stderr.write(f"driver: unknown command {args.command}\n")
        sys.exit(2)
    try:
        code = fn(args) or 0
    except TimeoutError as e:
        sys.stdout.flush()
        sys.stderr.write(f"driver: timed out: {e}\n")
        code = EXIT_TIMEOUT
    sys.stdout.flush()
    sys.exit(code)
