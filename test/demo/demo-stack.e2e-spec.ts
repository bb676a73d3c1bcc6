import { generateCredential } from '@tollgate/credentials';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, appsAreBuilt } from '../support/app-process.js';
import { freePort } from '../support/free-port.js';
import { createPostgresDatabase, type TestDatabase } from '../support/test-databases.js';

const TOOLS = {
  certificates: 'dist/tools/tools/src/certificates/main.js',
  seed: 'dist/tools/tools/src/seed/main.js',
  demo: 'dist/tools/tools/src/demo/stack-main.js',
};
const runnable =
  appsAreBuilt('auth-server', 'service-b', 'service-a', 'iot-broker', 'devices') &&
  Object.values(TOOLS).every((file) => existsSync(file)) &&
  Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

/** RFC 2606: never resolves, as `localhost` from inside a container never reaches the published port. */
const PUBLIC_HOST = 'tollgate-public.invalid';

interface ToolRun {
  code: number | null;
  output: string;
}

/** A built tool as docker-compose runs it: only its environment (and PATH). */
function runTool(file: string, env: Record<string, string>, timeoutMs: number): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { env: { PATH: process.env.PATH ?? '', ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Issue 16 item 5: docker-compose's `demo` service, outside Docker. The built apps run as compose
 * configures them (PostgreSQL, Redis, the certificates service's CA, the mTLS endpoint and MQTT over
 * TLS, an issuer URL the processes cannot resolve and AUTH_INTERNAL_URL), the seed provisions them
 * and creates the console admin, then `npm run demo:stack` runs the whole story against them.
 */
describe.runIf(runnable)('the story against a running stack (docker-compose’s demo service)', () => {
  const processes: AppProcess[] = [];
  const databases: TestDatabase[] = [];
  let dir: string;
  let demoEnv: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-stack-demo-'));
    const [auth, mtls, crm, marketing, mqtt, ws, mqtts] = await Promise.all(Array.from({ length: 7 }, freePort));
    const issuer = `http://${PUBLIC_HOST}:${auth}`;
    const internal = { AUTH_ISSUER: issuer, AUTH_INTERNAL_URL: `http://127.0.0.1:${auth}` };
    const redis = { REDIS_URL: process.env.TEST_REDIS_URL! };
    const secrets = Object.fromEntries(
      ['BOOTSTRAP_ADMIN', 'SERVICE_A', 'SERVICE_B', 'IOT_BROKER', 'THERMOSTAT', 'HUB'].map((client) => [
        `${client}_CLIENT_SECRET`,
        generateCredential('client_secret'),
      ]),
    );
    const consoleAdmin = { CONSOLE_ADMIN_EMAIL: 'ops@example.com', CONSOLE_ADMIN_PASSWORD: 'a console password' };
    const tls = { TLS_DIR: join(dir, 'tls'), TLS_CA_KEY_DIR: join(dir, 'tls-ca') };
    const database = async () => {
      const created = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
      databases.push(created);
      return created.url;
    };

    const certificates = await runTool(
      TOOLS.certificates,
      { ...tls, TLS_SERVER_NAMES: `${PUBLIC_HOST},127.0.0.1` },
      60_000,
    );
    expect(certificates.code, certificates.output).toBe(0);
    const files = {
      ca: join(tls.TLS_DIR, 'ca.crt'),
      cert: join(tls.TLS_DIR, 'server.crt'),
      key: join(tls.TLS_DIR, 'server.key'),
    };

    processes.push(
      await AppProcess.start(
        'auth-server',
        'auth-server',
        {
          AUTH_ISSUER: issuer,
          PORT: String(auth),
          DATABASE_URL: await database(),
          ...redis,
          BOOTSTRAP_ADMIN_CLIENT_ID: 'admin',
          BOOTSTRAP_ADMIN_CLIENT_SECRET: secrets.BOOTSTRAP_ADMIN_CLIENT_SECRET,
          KEY_ENCRYPTION_SECRET: generateCredential('client_secret'),
          DATA_DIR: join(dir, 'auth-server'),
          MTLS_PORT: String(mtls),
          TLS_CERT_FILE: files.cert,
          TLS_KEY_FILE: files.key,
          IOT_BROKER_HEALTH_URL: `http://127.0.0.1:${ws}/health`,
        },
        `http://127.0.0.1:${auth}/health`,
      ),
    );
    const seed = await runTool(
      TOOLS.seed,
      { ...internal, BOOTSTRAP_ADMIN_CLIENT_ID: 'admin', ...secrets, ...consoleAdmin },
      60_000,
    );
    expect(seed.code, seed.output).toBe(0);
    expect(seed.output).toContain('✓ console admin ops@example.com: created (role admin');

    processes.push(
      await AppProcess.start(
        'service-b',
        'service-b',
        {
          ...internal,
          PORT: String(crm),
          CLIENT_ID: 'service-b',
          CLIENT_SECRET: secrets.SERVICE_B_CLIENT_SECRET,
          DATABASE_URL: await database(),
          ...redis,
        },
        `http://127.0.0.1:${crm}/health`,
      ),
      await AppProcess.start(
        'iot-broker',
        'iot-broker',
        {
          ...internal,
          CLIENT_ID: 'iot-broker',
          CLIENT_SECRET: secrets.IOT_BROKER_CLIENT_SECRET,
          ...redis,
          MQTT_PORT: String(mqtt),
          MQTT_WS_PORT: String(ws),
          MQTTS_PORT: String(mqtts),
          TLS_CERT_FILE: files.cert,
          TLS_KEY_FILE: files.key,
          TLS_CLIENT_CA_FILE: files.ca,
          HEALTH_SHOW_DEVICES: 'true',
        },
        `http://127.0.0.1:${ws}/health`,
      ),
    );
    processes.push(
      await AppProcess.start(
        'service-a',
        'service-a',
        {
          ...internal,
          PORT: String(marketing),
          CLIENT_ID: 'service-a',
          CLIENT_SECRET: secrets.SERVICE_A_CLIENT_SECRET,
          SERVICE_B_URL: `http://127.0.0.1:${crm}`,
          SERVICE_B_BINDING: 'dpop',
          DATABASE_URL: await database(),
        },
        `http://127.0.0.1:${marketing}/health`,
      ),
    );

    const [thermostatHealth, hubHealth, newThermostatHealth] = await Promise.all([freePort(), freePort(), freePort()]);
    demoEnv = {
      ...internal,
      BOOTSTRAP_ADMIN_CLIENT_SECRET: secrets.BOOTSTRAP_ADMIN_CLIENT_SECRET,
      SERVICE_A_CLIENT_SECRET: secrets.SERVICE_A_CLIENT_SECRET,
      ...consoleAdmin,
      SERVICE_B_URL: `http://127.0.0.1:${crm}`,
      SERVICE_A_URL: `http://127.0.0.1:${marketing}`,
      BROKER_URL: `mqtt://127.0.0.1:${mqtt}`,
      BROKER_TLS_URL: `mqtts://127.0.0.1:${mqtts}`,
      BROKER_HEALTH_URL: `http://127.0.0.1:${ws}/health`,
      AUTH_MTLS_URL: `https://127.0.0.1:${mtls}`,
      TLS_CA_CERT_FILE: files.ca,
      TLS_CA_KEY_FILE: join(tls.TLS_CA_KEY_DIR, 'ca.key'),
      THERMOSTAT_HEALTH_PORT: String(thermostatHealth),
      HUB_HEALTH_PORT: String(hubHealth),
      NEW_THERMOSTAT_HEALTH_PORT: String(newThermostatHealth),
      DEMO_DATA_DIR: join(dir, 'demo'),
    };
  }, 240_000);

  afterAll(async () => {
    for (const process of processes.reverse()) await process.stop();
    for (const database of databases) await database.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the CA key readable by its owner only, and the certificates as they are on a second start', async () => {
    expect(statSync(demoEnv.TLS_CA_KEY_FILE).mode & 0o777).toBe(0o600);
    const again = await runTool(
      TOOLS.certificates,
      { TLS_DIR: join(dir, 'tls'), TLS_CA_KEY_DIR: join(dir, 'tls-ca') },
      60_000,
    );
    expect(again).toMatchObject({ code: 0, output: expect.stringContaining(': kept') });
  });

  it('runs every step of the story and exits 0; again on the same stack', async () => {
    for (const run of [1, 2]) {
      const { code, output } = await runTool(TOOLS.demo, demoEnv, 180_000);
      expect(code, `run ${run}:\n${output}`).toBe(0);
      const steps = output.split('\n').filter((line) => /^ {2}[✓✗] \d+\. /.test(line));
      expect(
        steps.filter((line) => line.startsWith('  ✗')),
        output,
      ).toEqual([]);
      expect(output, output).toContain(`✓ All ${steps.length} steps passed.`);
      expect(steps.length).toBeGreaterThanOrEqual(30);
      // Its own devices, and the seeded console admin approving thermostat-3's pairing.
      expect(output).toMatch(/✓ \d+\. thermostat-demo and hub-demo start .* — the broker lists/);
      expect(output).toMatch(
        /✓ \d+\. ops@example\.com \(admin\) enters the code in the console and approves thermostat-3/,
      );
      expect(output).toMatch(
        new RegExp(
          `✓ \\d+\\. thermostat-3, new and without any credential, .* for http://${PUBLIC_HOST}:\\d+/console/device`,
        ),
      );
    }
  }, 420_000);
});
