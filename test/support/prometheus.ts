import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runProcess } from './clients/process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Family {
  name: string;
  type: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

let python: Promise<string> | undefined;

/** The Python of the client virtualenv, which has prometheus_client (installed once). */
function pythonWithParser(): Promise<string> {
  python ??= runProcess('bash', [`${root}/scripts/clients/install-python-clients.sh`], {
    timeoutMs: 900_000,
  }).then((r) => {
    if (r.code !== 0) throw new Error(`install-python-clients.sh failed: ${r.stderr.toString()}`);
    return r.stdout.toString().trim();
  });
  return python;
}

function parse(text: string, py: string): Promise<Family[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(py, [`${root}/test/support/parse-metrics.py`]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Family[]) : reject(new Error(`metrics do not parse: ${err}`)),
    );
    child.stdin.end(text);
  });
}

/**
 * A scrape of /metrics, parsed by the Prometheus project's own text-format parser (prometheus_client
 * for Python), not by the gateway's code. Families are named without the _total of counters.
 */
export class Scrape {
  private constructor(readonly families: Map<string, Family>) {}

  static async from(metricsUrl: string): Promise<Scrape> {
    const res = await fetch(`${metricsUrl}/metrics`);
    if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
    const families = await parse(await res.text(), await pythonWithParser());
    return new Scrape(new Map(families.map((f) => [f.name, f])));
  }

  type(family: string): string {
    const f = this.families.get(family);
    if (f === undefined) throw new Error(`no metric family ${family}`);
    return f.type;
  }

  private samples(sample: string, labels: Record<string, string>) {
    const family = [...this.families.values()].find((f) => f.samples.some((s) => s.name === sample));
    return (family?.samples ?? []).filter(
      (s) => s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
  }

  /** The value of the first sample of this name whose labels include these. */
  value(sample: string, labels: Record<string, string> = {}): number | undefined {
    return this.samples(sample, labels)[0]?.value;
  }

  /** Sum over every sample of this name whose labels include these. */
  sum(sample: string, labels: Record<string, string> = {}): number {
    return this.samples(sample, labels).reduce((n, s) => n + s.value, 0);
  }
}
