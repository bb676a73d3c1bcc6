// `npm run compose:smoke`: the compose stack for real, on a Docker engine, and torn down again.
// Builds the image, starts the stack with the monitoring profile under its own project name and on
// ports of its own (so a stack you run is left alone), checks discovery and the console from the
// host, runs the demo service (the whole story; its ✓ lines are printed), checks that Prometheus
// scrapes every app and saw the story's revocations travel, then `down -v`. Exits 0 only if all passed.
//   npm run compose:smoke -- --keep      # leave the stack running afterwards (down -v it yourself)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { composeCommand } from './compose/compose-command.mjs';
import { readEnvFile, writeEnvFile } from './compose/env-file.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const PROJECT = 'tollgate-smoke';
// Host ports 10000 above the defaults: a stack started with compose:up keeps its own.
const ports = {
  AUTH_SERVER_HOST_PORT: 17400,
  MTLS_HOST_PORT: 17403,
  SERVICE_B_HOST_PORT: 17401,
  SERVICE_A_HOST_PORT: 17402,
  MQTT_HOST_PORT: 17883,
  MQTT_WS_HOST_PORT: 17884,
  MQTTS_HOST_PORT: 17885,
  GRAFANA_HOST_PORT: 17430,
  PROMETHEUS_HOST_PORT: 17490,
};
const issuer = `http://localhost:${ports.AUTH_SERVER_HOST_PORT}`;

let compose;
try {
  compose = composeCommand();
} catch (error) {
  console.error(`✗ ${error.message}`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'tollgate-smoke-'));
const envFile = join(dir, '.env');
writeEnvFile(envFile, join(root, '.env.example'), {
  overrides: {
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    AUTH_ISSUER: issuer,
  },
});
const env = readEnvFile(envFile);
const base = [...compose.args, '--project-name', PROJECT, '--env-file', envFile, '--profile', 'monitoring'];

function step(title, args, { allowFailure = false } = {}) {
  console.log(`\n▶ ${title}\n$ ${compose.command} ${args.join(' ')}`);
  const result = spawnSync(compose.command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0 && !allowFailure)
    throw new Error(`${title}: ${result.error?.message ?? `exit code ${result.status}`}`);
  return result.status;
}

async function eventually(what, check, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const detail = await check();
      if (detail) return detail;
    } catch (error) {
      last = error instanceof Error ? (error.cause?.message ?? error.message) : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s (last: ${last})`);
    await sleep(1_000);
  }
}

async function json(url, init) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

const results = [];
function passed(line) {
  results.push(line);
  console.log(`✓ ${line}`);
}

let failure;
try {
  console.log(
    `compose:smoke with ${compose.command} ${compose.args.join(' ')} ${compose.version} (project ${PROJECT}, .env in ${dir})`,
  );
  step('build the image and start the stack (monitoring profile)', [...base, 'up', '-d', '--build']);

  const metadata = await eventually('discovery from the host', () =>
    json(`${issuer}/.well-known/oauth-authorization-server`),
  );
  if (metadata.issuer !== issuer) throw new Error(`the metadata names issuer ${metadata.issuer}, not ${issuer}`);
  passed(`discovery from the host: ${issuer}/.well-known/oauth-authorization-server names issuer ${metadata.issuer}`);

  const signIn = await eventually('the console admin signing in', async () => {
    const page = await fetch(`${issuer}/console`, { signal: AbortSignal.timeout(5_000) });
    if (page.status !== 200) throw new Error(`/console answered ${page.status}`);
    const session = await json(`${issuer}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: env.CONSOLE_ADMIN_EMAIL, password: env.CONSOLE_ADMIN_PASSWORD }),
    });
    return session.user;
  });
  passed(
    `the web console answers, and ${signIn.email} (the seed's console admin) signs in with roles ${signIn.roles.join(', ')}`,
  );

  const demo = step(
    'the story against the stack (the demo service)',
    [...base, '--profile', 'demo', 'run', '--rm', 'demo'],
    {
      allowFailure: true,
    },
  );
  if (demo !== 0) throw new Error(`the demo service exited with ${demo}: see its ✗ lines above`);
  passed('the demo service ran every step of the story (exit 0)');

  const prometheus = `http://localhost:${ports.PROMETHEUS_HOST_PORT}`;
  const targets = await eventually('Prometheus scraping every app', async () => {
    const answer = await json(`${prometheus}/api/v1/targets?state=active`);
    const active = answer.data.activeTargets;
    return active.length === 4 && active.every((target) => target.health === 'up') && active;
  });
  passed(`Prometheus scrapes ${targets.map((target) => target.labels.instance).join(', ')}`);
  const lag = await eventually('revocations in tollgate_revocation_feed_lag_seconds', async () => {
    const answer = await json(
      `${prometheus}/api/v1/query?query=${encodeURIComponent('sum by (app) (tollgate_revocation_feed_lag_seconds_count)')}`,
    );
    const series = answer.data.result.filter((sample) => Number(sample.value[1]) > 0);
    return series.length > 0 && series;
  });
  passed(
    `the dashboard's revocation panels have data: revocations applied at ${lag.map((sample) => `${sample.metric.app} (${sample.value[1]})`).join(', ')}`,
  );
  const dashboard = await json(`http://localhost:${ports.GRAFANA_HOST_PORT}/api/dashboards/uid/tollgate-overview`);
  passed(
    `Grafana serves the provisioned dashboard "${dashboard.dashboard.title}" (${dashboard.dashboard.panels.length} panels)`,
  );
} catch (error) {
  failure = error;
  console.error(`\n✗ ${error instanceof Error ? error.message : String(error)}`);
  step('the logs of the stack', [...base, 'logs', '--no-color', '--tail', '40'], { allowFailure: true });
} finally {
  if (keep) console.log(`\nLeft running (--keep): ${compose.command} ${base.join(' ')} down -v`);
  else step('tear down', [...base, '--profile', 'demo', 'down', '-v', '--remove-orphans'], { allowFailure: true });
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
console.log(
  failure
    ? `\n✗ compose:smoke failed after ${results.length} checks`
    : `\n✓ compose:smoke: all ${results.length} checks passed`,
);
process.exit(failure ? 1 : 0);
