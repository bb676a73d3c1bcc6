import { instrumentHttp, Metrics } from '@tollgate/platform';
import { VerificationMetrics } from '@tollgate/verifier';
import type { FastifyInstance } from 'fastify';
import { CORE_SCHEMA, load } from 'js-yaml';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Histogram } from 'prom-client';
import { TokenEndpointMetrics } from '../../apps/auth-server/src/oauth/token-endpoint-metrics.js';
import { BrokerMetrics } from '../../apps/iot-broker/src/observability/broker-metrics.js';
import type { BrokerSessions } from '../../apps/iot-broker/src/sessions/broker-sessions.js';
import { REPOSITORY_ROOT } from '../support/config-reference.js';
import { publishedPorts, readCompose, readRepositoryFile, serviceEnvironment } from './deployment-files.js';

const { services } = readCompose();
const yaml = (path: string) => load(readRepositoryFile(path), { schema: CORE_SCHEMA }) as any;
const prometheusConfig = yaml('docker/prometheus/prometheus.yml');
const datasources = yaml('docker/grafana/provisioning/datasources/prometheus.yml');
const providers = yaml('docker/grafana/provisioning/dashboards/tollgate.yml');
const dashboard = JSON.parse(readRepositoryFile('docker/grafana/dashboards/tollgate.json'));

/** The compose environment with placeholder secrets: only ports and addresses matter here. */
const environmentOf = (name: string) =>
  serviceEnvironment(services[name], new Proxy({}, { get: () => 'x'.repeat(32) }));

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
const panels: Panel[] = dashboard.panels.filter((panel: Panel) => panel.type !== 'row');
const expressions = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, expr: target.expr })));

/**
 * Every series the apps define, with its labels: the metric classes themselves, on one registry
 * (names and labels as the running apps export them), plus prom-client's runtime metrics.
 */
function definedSeries(): Map<string, Set<string>> {
  const metrics = new Metrics('dashboard-test');
  new VerificationMetrics(metrics);
  new TokenEndpointMetrics(metrics);
  new BrokerMetrics(metrics, { size: 0 } as BrokerSessions);
  instrumentHttp({ addHook: () => undefined } as unknown as FastifyInstance, metrics);
  const series = new Map<string, Set<string>>([['up', new Set(['job', 'instance'])]]);
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const { name, labelNames = [] } = metric as unknown as { name: string; labelNames?: string[] };
    const labels = new Set(['app', 'job', 'instance', ...labelNames]);
    if (metric instanceof Histogram) {
      series.set(`${name}_bucket`, new Set([...labels, 'le']));
      series.set(`${name}_count`, labels);
      series.set(`${name}_sum`, labels);
    } else series.set(name, labels);
  }
  return series;
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

/** Metric names a PromQL expression reads (functions, keywords, label names and numbers left out). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/"[^"]*"/g, ' ');
  return [...bare.matchAll(/(?<![\w.$])([A-Za-z_:][\w:]*)\b(?!\s*\()/g)]
    .map((match) => match[1])
    .filter((name) => !KEYWORDS.has(name) && !/^\d/.test(name) && !/^e\d+$/.test(name));
}

/** Label names an expression uses, in selectors and in by (…). */
function labelNames(expr: string): string[] {
  const inSelectors = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((match) =>
    [...match[1].matchAll(/([A-Za-z_]\w*)\s*(=~|!~|!=|=)/g)].map((label) => label[1]),
  );
  const grouped = [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((match) =>
    match[1].split(',').map((label) => label.trim()),
  );
  return [...inSelectors, ...grouped];
}

describe('monitoring profile: Prometheus', () => {
  const scraped = prometheusConfig.scrape_configs.flatMap((job: any) =>
    job.static_configs.flatMap((config: any) => config.targets),
  ) as string[];
  const exporting = Object.keys(services).filter((name) => environmentOf(name).METRICS_PORT !== undefined);

  it('scrapes every app that serves metrics, by compose name and METRICS_PORT, and nothing else', () => {
    expect(exporting.sort()).toEqual(['auth-server', 'iot-broker', 'service-a', 'service-b']);
    expect([...scraped].sort()).toEqual(exporting.map((name) => `${name}:${environmentOf(name).METRICS_PORT}`).sort());
  });

  it('reaches the metrics ports on the compose network only: bound to every interface there, never published', () => {
    for (const name of exporting) {
      const env = environmentOf(name);
      expect(env.METRICS_HOST, name).toBe('0.0.0.0');
      const published = publishedPorts(services[name], {}).map((port) => port.containerPort);
      expect(published, `${name} publishes its metrics port`).not.toContain(Number(env.METRICS_PORT));
    }
  });

  it('runs in the monitoring profile with this file as its configuration', () => {
    const { prometheus } = services;
    expect(prometheus.profiles).toEqual(['monitoring']);
    expect(prometheus.volumes).toContain('./docker/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
  });
});

describe('monitoring profile: Grafana and the Tollgate dashboard', () => {
  const series = definedSeries();
  const datasource = datasources.datasources[0];
  const mount = (from: string) =>
    (services.grafana.volumes ?? [])
      .map(String)
      .find((volume) => volume.startsWith(`${from}:`))
      ?.split(':')[1];

  it('provisions the Prometheus of the compose network as its data source, and the dashboard folder', () => {
    expect(services.grafana.profiles).toEqual(['monitoring']);
    expect(datasource).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', uid: 'tollgate-prometheus' });
    expect(mount('./docker/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    expect(providers.providers[0].options.path).toBe(mount('./docker/grafana/dashboards'));
    const home = environmentOf('grafana').GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(home.startsWith(`${mount('./docker/grafana/dashboards')}/`)).toBe(true);
    expect(existsSync(join(REPOSITORY_ROOT, 'docker/grafana/dashboards', home.split('/').at(-1)!))).toBe(true);
  });

  it('queries that data source in every panel', () => {
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) {
      expect(panel.datasource?.uid, panel.title).toBe(datasource.uid);
      for (const target of panel.targets ?? [])
        expect(target.datasource?.uid ?? datasource.uid, panel.title).toBe(datasource.uid);
    }
  });

  it('reads only series the apps export, with labels they have', () => {
    expect(expressions.length).toBeGreaterThan(15);
    for (const { panel, expr } of expressions) {
      const names = metricNames(expr);
      expect(names.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
      for (const name of names)
        expect(series.has(name), `${panel.title}: ${name} is not exported by any app`).toBe(true);
      const known = new Set(names.flatMap((name) => [...(series.get(name) ?? [])]));
      for (const label of labelNames(expr))
        expect(known.has(label), `${panel.title}: label ${label} is not on ${names.join(', ')}`).toBe(true);
    }
  });

  it('shows the four stories, the revocation feed’s lag, MQTT and the request rate, errors and latency', () => {
    const read = new Set(expressions.flatMap(({ expr }) => metricNames(expr)));
    for (const name of [
      'tollgate_tokens_issued_total',
      'tollgate_token_requests_refused_total',
      'tollgate_credential_decisions_total',
      'tollgate_revocation_feed_lag_seconds_bucket',
      'tollgate_revocation_feed_lag_seconds_count',
      'tollgate_mqtt_sessions',
      'tollgate_mqtt_connects_total',
      'tollgate_mqtt_acl_denials_total',
      'http_server_request_duration_seconds_count',
      'http_server_request_duration_seconds_bucket',
    ])
      expect(read.has(name), name).toBe(true);
    const credentialKinds = new Set(
      expressions.flatMap(({ expr }) => [...expr.matchAll(/credential_type="(\w+)"/g)].map((match) => match[1])),
    );
    expect([...credentialKinds].sort()).toEqual(['access_token', 'api_key', 'pat']);
    expect(panels.find((panel) => panel.type === 'heatmap')?.targets?.[0].expr).toContain(
      'tollgate_revocation_feed_lag_seconds_bucket',
    );
    expect(dashboard.uid).toBe('tollgate-overview');
  });

  it('catches a misspelt series or label (the checks above are not vacuous)', () => {
    expect(metricNames('sum by (app) (rate(tollgate_tokens_isued_total{grant_type="x"}[5m]))')).toEqual([
      'tollgate_tokens_isued_total',
    ]);
    expect(series.has('tollgate_tokens_isued_total')).toBe(false);
    expect(labelNames('sum by (app, grant) (rate(tollgate_tokens_issued_total{binding=~"dpop"}[5m]))')).toEqual([
      'binding',
      'app',
      'grant',
    ]);
    expect(series.get('tollgate_tokens_issued_total')?.has('grant')).toBe(false);
  });
});
