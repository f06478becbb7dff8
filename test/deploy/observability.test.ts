import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../support/gateway.js';
import { startGateway } from '../support/gateway.js';

// The Prometheus and Grafana services of docker-compose.yml, checked by reading their files (no
// Docker engine here): Prometheus scrapes the gateway's metrics port, Grafana is provisioned with
// that Prometheus and the dashboard, and every dashboard query parses as PromQL (Prometheus' own
// grammar) and names only metrics a running gateway exports.

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  image?: string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service>; volumes: object };
const services = compose.services;

/** Host path of a bind mount to this container path. */
function mountOf(s: Service, target: string): string {
  const v = (s.volumes ?? []).find((x) => x.split(':')[1] === target);
  if (v === undefined) throw new Error(`nothing mounted at ${target}`);
  return v.split(':')[0]!.replace(/^\.\//, '');
}

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
const dashboard = JSON.parse(read('deploy/grafana/dashboards/kafka-gateway.json')) as {
  uid: string;
  panels: Panel[];
};
const queries = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
);

/** Metric names a PromQL expression selects; throws on a syntax error. */
function metricNames(expr: string): string[] {
  const names: string[] = [];
  let error = false;
  promql.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) error = true;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        names.push(expr.slice(node.from, node.to));
      }
    },
  });
  if (error) throw new Error(`not valid PromQL: ${expr}`);
  return names;
}

describe('Prometheus and Grafana in docker-compose.yml', () => {
  const metricsPort = services['kafka-gateway']!.environment?.KAFKA_GATEWAY_METRICS_PORT;

  it('pins both images', () => {
    for (const name of ['prometheus', 'grafana']) {
      expect(services[name]?.image, name).toMatch(/^[a-z/-]+:v?\d+\.\d+\.\d+$/);
    }
  });

  it('has the gateway serve metrics and be checked through /readyz', () => {
    expect(metricsPort).toBe('9464');
    const gateway = services['kafka-gateway']!;
    expect(gateway.ports).toContain(`${metricsPort}:${metricsPort}`);
    expect(gateway.healthcheck?.test).toEqual(['CMD', 'node', 'bin/kafka-gateway-healthcheck.js', '/readyz']);
    // The healthcheck script exists and the image copies bin/.
    expect(read('bin/kafka-gateway-healthcheck.js')).toContain('KAFKA_GATEWAY_METRICS_PORT');
    expect(read('Dockerfile')).toMatch(
      /HEALTHCHECK[^\n]*\\\n\s*CMD \["node", "bin\/kafka-gateway-healthcheck\.js", "\/readyz"\]/,
    );
    expect(read('Dockerfile')).toContain(`ENV KAFKA_GATEWAY_METRICS_PORT=${metricsPort}`);
  });

  it('points Prometheus at the gateway metrics port', () => {
    const prometheus = services.prometheus!;
    const file = mountOf(prometheus, '/etc/prometheus/prometheus.yml');
    const config = parse(read(file)) as {
      scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    const job = config.scrape_configs.find((j) => j.job_name === 'kafka-gateway')!;
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job.static_configs.flatMap((c) => c.targets)).toEqual([`kafka-gateway:${metricsPort}`]);
    expect(prometheus.depends_on).toHaveProperty('kafka-gateway');
  });

  it('provisions Grafana with that Prometheus and the dashboard folder it mounts', () => {
    const grafana = services.grafana!;
    const provisioning = mountOf(grafana, '/etc/grafana/provisioning');
    const ds = parse(read(`${provisioning}/datasources/prometheus.yml`)) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    expect(ds.datasources).toEqual([
      expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    const providers = parse(read(`${provisioning}/dashboards/kafka-gateway.yml`)) as {
      providers: { options: { path: string } }[];
    };
    const dashboards = providers.providers[0]!.options.path;
    expect(mountOf(grafana, dashboards)).toBe('deploy/grafana/dashboards');
    expect(grafana.depends_on?.prometheus?.condition).toBe('service_healthy');
    for (const p of dashboard.panels.filter((x) => x.type !== 'row'))
      expect(p.datasource?.uid, p.title).toBe('prometheus');
  });

  it('has dashboard panels for throughput, latency, lag and errors', () => {
    const text = queries.map((q) => q.expr).join('\n');
    for (const metric of [
      'kafka_gateway_topic_bytes_in_total',
      'kafka_gateway_request_total_time_seconds_bucket',
      'kafka_gateway_consumer_group_lag',
      'kafka_gateway_request_errors_total',
    ]) {
      expect(text).toContain(metric);
    }
  });

  describe('dashboard queries against a running gateway', () => {
    let gw: RunningGateway;
    let exported: Set<string>;
    beforeAll(async () => {
      gw = await startGateway({ config: { metrics: { port: 0, host: '127.0.0.1' } } });
      // Families are exported from the start, before any series has a sample.
      const text = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
      exported = new Set(
        [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
          type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
        ),
      );
    });
    afterAll(async () => gw?.stop());

    it('parses every query and names only exported metrics', () => {
      expect(queries.length).toBeGreaterThan(15);
      expect(() => metricNames('sum(rate(kafka_gateway_requests_total[1m])')).toThrow(/not valid PromQL/);
      for (const q of queries) {
        const names = metricNames(q.expr);
        expect(names.length, q.panel).toBeGreaterThan(0);
        for (const n of names) expect(exported.has(n), `${q.panel}: ${n}`).toBe(true);
      }
    });
  });
});
