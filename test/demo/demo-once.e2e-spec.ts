import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../support/free-port.js';

const DEMO = 'dist/tools/tools/src/demo/main.js';
const BUILT = ['auth-server', 'service-b', 'service-a', 'iot-broker', 'devices']
  .map((app) => `dist/apps/${app}/apps/${app}/src/main.js`)
  .concat(DEMO);
const built = BUILT.every((file) => existsSync(file));
if (!built)
  console.warn(
    `test/demo/demo-once.e2e-spec.ts skipped: ${BUILT.find((file) => !existsSync(file))} is missing. Run \`npm run build\` first (CI always builds before the tests).`,
  );

const PORT_VARIABLES = [
  'AUTH_SERVER_PORT',
  'SERVICE_B_PORT',
  'SERVICE_A_PORT',
  'MQTT_PORT',
  'MQTT_WS_PORT',
  'MQTTS_PORT',
  'MTLS_PORT',
  'THERMOSTAT_HEALTH_PORT',
  'HUB_HEALTH_PORT',
  'NEW_THERMOSTAT_HEALTH_PORT',
];

/** One line per step the demo must show passing, in order. */
const STEPS = [
  /API key: /,
  /✓ \d+\. the CRM issues Zapflow a live key restricted to contacts:read — tgk_live_/,
  /✓ \d+\. Zapflow reads contacts with the key in X-API-Key — GET \/contacts → 200, 3 contacts/,
  /✓ \d+\. the same key cannot write — POST \/contacts → 403 insufficient_scope/,
  /✓ \d+\. roll the key with a 1-minute overlap .* — old key → 200, new key tgk_live_\w+… → 200/,
  /✓ \d+\. Zapflow has switched: revoke the old key now .* — old key → 401 invalid_token \d+ ms later; new key → 200/,
  /✓ \d+\. the audit log holds the key’s history — GET \/api\/audit → api-key.created → api-key.rolled → api-key.revoked/,
  /Personal access token: /,
  /✓ \d+\. an admin gives ada@tollgate.demo the role crm-editor .* — (created|updated); password stored as an argon2id hash/,
  /✓ \d+\. Ada signs in to account settings .* — session cookie/,
  /✓ \d+\. Ada creates a token for her script: .* — tgp_\w+… \(shown once, stored hashed\)/,
  /✓ \d+\. her script lists contacts with the token, as Ada — GET \/contacts → 200, 3 contacts/,
  /✓ \d+\. and creates a contact, then deletes it .* — POST \/contacts → 201, DELETE → 204/,
  /✓ \d+\. account settings list the token without its secret — name, scopes contacts:read contacts:write/,
  /✓ \d+\. Ada revokes the token; her script is refused at once .* — GET \/contacts → 401 invalid_token \d+ ms later/,
  /M2M: /,
  /✓ \d+\. service-a gets a client-credentials token for the CRM, bound to its own DPoP key .* — JWT \(at\+jwt, ES256\): sub service-a, aud https:\/\/crm.tollgate.local, scope contacts:read, \d+ s; token_type DPoP, cnf.jkt/,
  /✓ \d+\. service-a’s own API refuses anonymous callers .* — 401 and 401 \(Bearer realm="tollgate", resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource"\); no contact shown/,
  /✓ \d+\. the campaign tool syncs service-a’s audience with a token for service-a’s API; .* — 3 contacts read .* with a DPoP-bound token; GET \/audience → 3/,
  /✓ \d+\. a copy of service-a’s token is worthless without its key: .* — with its key → 200; as Bearer → 401 invalid_token; with another key → 401 invalid_dpop_proof/,
  /✓ \d+\. service-b refuses a token for another audience .* — 401 invalid_token/,
  /IoT: /,
  /✓ \d+\. the dashboard \(devices:read:\*\) connects .* — CONNACK 0, SUBACK granted/,
  /✓ \d+\. thermostat-1 and hub-1 start .* — the broker lists .*thermostat-1/,
  /✓ \d+\. hub-1 applies the user’s schedule: 22 °C .* — thermostat-1 acknowledges command .*: applied, setpoint 22 °C/,
  /✓ \d+\. thermostat-1 heats toward it .* — heater on, [\d.]+ → [\d.]+ °C/,
  /✓ \d+\. a rogue device with a forged token .* — CONNACK 4 /,
  /✓ \d+\. thermostat-1’s token presented as hub-1 .* — CONNACK 5 /,
  /✓ \d+\. thermostat-2 \(scope device: itself only\) can neither watch nor command thermostat-1 — SUBACK 128; /,
  /✓ \d+\. thermostat-2 gets a token bound to its certificate at the mTLS endpoint \(RFC 8705\); .* — cnf.x5t#S256 \S+…; mqtts with its certificate → CONNACK 0; with another device’s certificate → 5; over plain MQTT → 5/,
  /✓ \d+\. disable thermostat-1 at the auth-server .* — the broker closed its session \d+ ms later/,
  /✓ \d+\. while disabled, thermostat-1 cannot get back in — token endpoint → 401 invalid_client/,
  /✓ \d+\. enable thermostat-1 again — it got a fresh token and reconnected by itself/,
  /✓ \d+\. thermostat-3, new and without any credential, starts and asks to be paired .* — its log and \/health show the code [A-Z]{4}-[A-Z]{4} for http:\/\/127\.0\.0\.1:\d+\/console\/device/,
  /✓ \d+\. grace@tollgate.demo \(admin\) enters the code in the console and approves thermostat-3, letting hub-1 command it — thermostat-3 registered as a device client \(private_key_jwt, no secret, scope device\); hub-1’s tokens now carry devices:control:thermostat-3/,
  /✓ \d+\. thermostat-3 receives its registration, connects with its own key and reports — the broker lists thermostat-3 \d+ ms after the approval \(its next poll\); the dashboard reads its telemetry/,
  /✓ All \d+ steps passed\./,
];

interface Run {
  code: number | null;
  output: string;
}

/** The demo as a child process, its output collected. */
class DemoProcess {
  output = '';
  readonly exited: Promise<Run>;
  private readonly child;

  constructor(args: string[], env: Record<string, string>) {
    // Only what the demo needs: no secret or database variable from the caller's shell leaks in.
    this.child = spawn(process.execPath, [DEMO, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve({ code, output: this.output })));
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async waitForOutput(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (Date.now() > deadline)
        throw new Error(`the demo did not print "${text}" within ${timeoutMs / 1000} s:\n${this.output}`);
      if (this.child.exitCode !== null)
        throw new Error(`the demo exited (${this.child.exitCode}) before printing "${text}":\n${this.output}`);
      await sleep(50);
    }
  }

  async finished(timeoutMs: number): Promise<Run> {
    const timer = sleep(timeoutMs).then(() => {
      this.signal('SIGKILL');
      throw new Error(`the demo did not finish within ${timeoutMs / 1000} s:\n${this.output}`);
    });
    return Promise.race([this.exited, timer]);
  }
}

function runOnce(env: Record<string, string>, timeoutMs = 150_000): Promise<Run> {
  return new DemoProcess(['--once'], env).finished(timeoutMs);
}

/** Seven distinct free ports, one per demo variable. */
async function freePorts(): Promise<Record<string, string>> {
  const ports = new Set<number>();
  while (ports.size < PORT_VARIABLES.length) ports.add(await freePort());
  return Object.fromEntries(PORT_VARIABLES.map((variable, i) => [variable, String([...ports][i])]));
}

function expectEveryStep(output: string): void {
  const lines = output.split('\n');
  let from = 0;
  for (const step of STEPS) {
    const index = lines.findIndex((line, i) => i >= from && step.test(line));
    expect(index, `no line matching ${step} after line ${from} in:\n${output}`).toBeGreaterThanOrEqual(0);
    from = index + 1;
  }
  expect(
    lines.filter((line) => line.includes('✗')),
    output,
  ).toEqual([]);
}

describe.skipIf(!built)('npm run demo -- --once (the built demo, every service a real process)', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tollgate-demo-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the whole story on a fresh data folder: every step ✓, exit 0, nothing left running', async () => {
    const ports = await freePorts();
    const run = await runOnce({ ...ports, DEMO_DATA_DIR: dataDir });
    expect(run.code, run.output).toBe(0);
    expectEveryStep(run.output);
    expect(run.output).toContain('All services stopped.');

    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dataDir, 'logs')).sort()).toEqual([
      'auth-server.log',
      'hub.log',
      'iot-broker.log',
      'service-a.log',
      'service-b.log',
      'thermostat-3.log',
      'thermostat.log',
    ]);
    // thermostat-3's key: generated by the device, readable by it only.
    expect(statSync(join(dataDir, 'thermostat-3', 'device-key.json')).mode & 0o777).toBe(0o600);
    for (const port of Object.values(ports))
      expect(await isFree(Number(port)), `port ${port} is still taken after the demo`).toBe(true);
  }, 180_000);

  it('runs again on the same data folder, keeps running with its URLs and credentials, and stops cleanly on Ctrl-C', async () => {
    const ports = await freePorts();
    const demo = new DemoProcess([], { ...ports, DEMO_DATA_DIR: dataDir });
    await demo.waitForOutput('Press Ctrl-C to stop everything.', 150_000);
    expect(demo.output).toContain('✓ client service-a: up to date');
    expect(demo.output).toContain('✓ client dashboard: up to date');
    expect(demo.output).toContain('✓ CRM sample data: 3 contacts (0 created now');
    expectEveryStep(demo.output);
    expect(demo.output).toContain(`auth-server API   http://127.0.0.1:${ports.AUTH_SERVER_PORT}/docs`);
    expect(demo.output).toContain(
      `MQTT              mqtt://127.0.0.1:${ports.MQTT_PORT}, ws://127.0.0.1:${ports.MQTT_WS_PORT}/mqtt`,
    );

    // The API key it prints works against the running CRM.
    const key = /API key\s+(tgk_live_\w+)/.exec(demo.output)?.[1];
    expect(key, demo.output).toBeDefined();
    const contacts = await fetch(`http://127.0.0.1:${ports.SERVICE_B_PORT}/contacts`, {
      headers: { 'x-api-key': key! },
    });
    expect(contacts.status).toBe(200);
    expect(await contacts.json()).toMatchObject({ total: 3 });

    // thermostat-3 paired again (the earlier run's registration and key were removed first), and the
    // console admin it prints signs in as an admin.
    expect(demo.output).toContain('✓ thermostat-3 from an earlier run removed (client and key), so it pairs afresh');
    const [, adminEmail, adminPassword] = /console admin\s+(\S+) \/ (\S+)/.exec(demo.output) ?? [];
    expect(adminPassword, demo.output).toBeDefined();
    const signIn = await fetch(`http://127.0.0.1:${ports.AUTH_SERVER_PORT}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: adminEmail, password: adminPassword }),
    });
    expect(signIn.status).toBe(200);
    expect((await signIn.json()).user).toMatchObject({ email: 'grace@tollgate.demo', roles: ['admin'] });

    // service-a answers the campaign tool it prints, with a token for its own API, and nobody without one.
    const [, toolId, toolSecret] = /campaign tool\s+(\S+) \/ (\S+)/.exec(demo.output) ?? [];
    expect(toolSecret, demo.output).toBeDefined();
    const tokenResponse = await fetch(`http://127.0.0.1:${ports.AUTH_SERVER_PORT}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${toolId}:${toolSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: 'https://marketing.tollgate.local' }),
    });
    const { access_token: toolToken } = (await tokenResponse.json()) as { access_token: string };
    const audience = await fetch(`http://127.0.0.1:${ports.SERVICE_A_PORT}/audience`, {
      headers: { authorization: `Bearer ${toolToken}` },
    });
    expect(audience.status).toBe(200);
    expect(await audience.json()).toMatchObject({ total: 3 });
    expect((await fetch(`http://127.0.0.1:${ports.SERVICE_A_PORT}/audience`)).status).toBe(401);

    demo.signal('SIGINT');
    const run = await demo.finished(30_000);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/Stopping every service…\nAll services stopped\.\n$/);
    for (const port of Object.values(ports))
      expect(await isFree(Number(port)), `port ${port} is still taken after Ctrl-C`).toBe(true);
  }, 180_000);

  it('leaves no service behind when the demo itself is killed (SIGKILL)', async () => {
    const ports = await freePorts();
    const demo = new DemoProcess([], { ...ports, DEMO_DATA_DIR: dataDir });
    await demo.waitForOutput('Starting the services', 60_000);
    await demo.waitForOutput('✓ service-b', 60_000);
    demo.signal('SIGKILL');
    await demo.exited;
    const deadline = Date.now() + 15_000;
    for (const port of Object.values(ports)) {
      while (!(await isFree(Number(port)))) {
        expect(Date.now() < deadline, `port ${port} is still taken 15 s after the demo was killed`).toBe(true);
        await sleep(100);
      }
    }
  }, 120_000);

  it('fails with the tail of its log when a service exits early', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'tollgate-demo-broken-'));
    // The auth-server's data folder is a file: it cannot start.
    writeFileSync(join(broken, 'auth-server'), 'not a folder');
    try {
      const run = await runOnce({ ...(await freePorts()), DEMO_DATA_DIR: broken }, 60_000);
      expect(run.code).toBe(1);
      expect(run.output).toContain(
        `✗ auth-server exited with code 1 before it was ready; last lines of ${join(broken, 'logs', 'auth-server.log')}:`,
      );
      expect(run.output).toMatch(
        / {4}│ Cannot write .*auth-server.*: a file is in the way of the folder\. Set DATA_DIR/,
      );
      expect(run.output).toContain('All services stopped.');
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  }, 90_000);

  it('starts nothing when a port is taken, and names the variable to change', async () => {
    const ports = await freePorts();
    const blocker = await occupy(Number(ports.SERVICE_B_PORT));
    const empty = mkdtempSync(join(tmpdir(), 'tollgate-demo-busy-'));
    try {
      const run = await runOnce({ ...ports, DEMO_DATA_DIR: empty }, 30_000);
      expect(run.code).toBe(1);
      expect(run.output).toContain(
        `✗ The demo cannot start: a port it needs is taken (nothing was started).\n  - port ${ports.SERVICE_B_PORT} on 127.0.0.1 is already in use: set SERVICE_B_PORT to a free port`,
      );
      expect(existsSync(join(empty, 'logs'))).toBe(false);
    } finally {
      blocker.close();
      rmSync(empty, { recursive: true, force: true });
    }
  }, 60_000);
});

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function isFree(port: number): Promise<boolean> {
  try {
    (await occupy(port)).close();
    return true;
  } catch {
    return false;
  }
}
