import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsAreBuilt } from '../support/app-process.js';
import { startCli } from '../support/cli-process.js';
import { AuthServerHarness, type ConsoleSession } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';

const CRM = 'https://crm.tollgate.local';

/**
 * Issue 17, point 5: `tollgate`, the built CLI, as a person runs it against a real auth-server:
 * sign in with the device grant (approved here through the console's API; the console page itself
 * is tested in Chromium in test/console), then manage keys and clients, read the audit log, sign out.
 */
describe.skipIf(!appsAreBuilt('cli'))('the tollgate CLI', () => {
  let auth: AuthServerHarness;
  let ada: ConsoleSession;
  let configDir: string;

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    await auth.createResource(CRM, ['contacts:read', 'contacts:write']);
    await auth.createRole('administrators', [{ resource: auth.managementApi, scopes: ['admin'] }]);
    await auth.createUser({ email: 'ada@example.com', roles: ['administrators'] });
    ada = await auth.login('ada@example.com');
    configDir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
  });

  afterAll(async () => {
    await auth?.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  const start = (args: string[], env: Record<string, string> = {}) =>
    startCli(args, { TOLLGATE_CONFIG_DIR: configDir, TOLLGATE_ISSUER: auth.issuer, ...env });
  const tollgate = (...args: string[]) => start(args).done;
  const json = async (...args: string[]) => {
    const result = await tollgate(...args, '--json');
    expect(result, result.stderr).toMatchObject({ code: 0 });
    return JSON.parse(result.stdout);
  };

  // About twenty CLI processes, one after another, and a device-grant poll interval: give it room on a busy machine.
  it(
    'signs in with the device grant, manages keys and clients, reads the audit log, and signs out',
    { timeout: 120_000 },
    async () => {
      expect(await tollgate('keys', 'list', '--consumer', 'x')).toMatchObject({
        code: 3,
        stderr: expect.stringMatching(/Not signed in/),
      });

      const login = start(['login']);
      let code = '';
      await eventually(() => {
        code = /one-time code: ([A-Z]{4}-[A-Z]{4})/.exec(login.run.stderr)?.[1] ?? '';
        expect(code).not.toBe('');
      }, 10_000);
      expect(login.run.stderr).toContain(`${auth.issuer}/console/device`);
      expect((await ada.request('POST', '/api/device/approve', { userCode: code })).status).toBe(200);
      const signedIn = await login.done;
      expect(signedIn, signedIn.stderr).toMatchObject({ code: 0 });
      expect(signedIn.stdout).toContain(`as ada@example.com (scopes: admin;`);

      // The credential: in the config folder, readable by its owner only, never printed.
      const file = join(configDir, 'credentials.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(configDir).mode & 0o077).toBe(0);
      const stored = JSON.parse(readFileSync(file, 'utf8'));
      expect(stored).toMatchObject({ issuer: auth.issuer, scope: 'admin', user: 'ada@example.com' });
      expect(stored.token).toMatch(/^tgp_/);
      expect(signedIn.stdout + signedIn.stderr).not.toContain(stored.token);

      expect((await tollgate('whoami')).stdout).toContain(`ada@example.com at ${auth.issuer}`);

      // Her own tokens, as in account settings: a script's PAT, shown once, then listed without it, then revoked.
      const pat = await json('pat', 'create', '--name', 'deploy script', '--scope', 'admin', '--expires-in-days', '7');
      expect(pat.token).toMatch(/^tgp_/);
      const tokens = await json('pat', 'list');
      expect(tokens.map((token: { name: string }) => token.name)).toContain('deploy script');
      expect(JSON.stringify(tokens)).not.toContain(pat.token);
      expect((await tollgate('pat', 'revoke', pat.id)).code).toBe(0);
      expect((await auth.api('GET', '/api/me', undefined, pat.token)).status).toBe(401);

      const consumer = await json('consumers', 'create', '--name', 'Zapflow', '--contact', 'dev@zapflow.example');
      const created = await tollgate(
        'keys',
        'create',
        '--consumer',
        consumer.id,
        '--name',
        'sync',
        '--resource',
        CRM,
        '--scope',
        'contacts:read',
        '--env',
        'test',
      );
      expect(created.code, created.stderr).toBe(0);
      const key = /^\s+(tgk_test_\S+)$/m.exec(created.stdout)?.[1];
      expect(key).toBeDefined();
      expect(created.stdout).toContain('shown only this once');
      const listed = await json('keys', 'list', '--consumer', consumer.id);
      expect(listed).toEqual([expect.objectContaining({ name: 'sync', environment: 'test', status: 'active' })]);
      expect(JSON.stringify(listed)).not.toContain(key);
      const human = await tollgate('keys', 'list', '--consumer', consumer.id);
      expect(human.stdout.split('\n')[0]).toMatch(/^ID\s+PREFIX\s+NAME\s+ENV\s+STATUS/);

      const rolled = await json('keys', 'roll', listed[0].id, '--overlap-minutes', '0');
      expect(rolled.key).toMatch(/^tgk_test_/);
      expect((await json('keys', 'usage', rolled.id)).keyId).toBe(rolled.id);
      expect(await tollgate('keys', 'revoke', rolled.id)).toMatchObject({
        code: 0,
        stdout: `✓ Key ${rolled.id} revoked\n`,
      });

      const client = await json(
        'clients',
        'create',
        '--name',
        'Campaign tool',
        '--resource',
        CRM,
        '--scope',
        'contacts:read',
      );
      expect(client.clientSecret).toMatch(/^tgs_/);
      expect((await json('clients', 'list')).map((listedClient: { id: string }) => listedClient.id)).toContain(
        client.id,
      );
      const rotated = await json('clients', 'rotate-secret', client.id, '--overlap-minutes', '5');
      expect(rotated.clientSecret).toMatch(/^tgs_/);

      // tollgate token, for scripts: the client's credentials from the environment, the token alone on stdout.
      const token = await start(['token', '--resource', CRM], {
        TOLLGATE_CLIENT_ID: client.id,
        TOLLGATE_CLIENT_SECRET: rotated.clientSecret,
      }).done;
      expect(token.code, token.stderr).toBe(0);
      expect(token.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
      expect((await json('clients', 'disable', client.id)).disabled).toBe(true);

      const audit = await json('audit', '--action', 'api-key.*');
      expect(audit.map((event: { action: string }) => event.action)).toEqual(
        expect.arrayContaining(['api-key.created', 'api-key.rolled', 'api-key.revoked']),
      );
      expect(audit.every((event: { actor: { id: string } }) => event.actor.id === ada.user.id)).toBe(true);

      const out = await tollgate('logout');
      expect(out).toMatchObject({ code: 0, stdout: expect.stringContaining('credential is revoked and removed') });
      expect(() => statSync(file)).toThrow();
      expect((await auth.api('GET', '/api/me', undefined, stored.token)).status).toBe(401);
      expect((await tollgate('whoami')).code).toBe(3);
    },
  );

  it('verify says what a resource server would decide, with exit codes scripts can use', async () => {
    const introspector = await auth.createClient({
      name: 'introspector',
      grants: [{ resource: auth.managementApi, scopes: ['tokens:introspect'] }],
    });
    const env = { TOLLGATE_CLIENT_ID: introspector.id, TOLLGATE_CLIENT_SECRET: introspector.secret };
    const reader = await auth.createClient({ name: 'reader', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    const jwt = await auth.token(reader.id, reader.secret, { resource: CRM });

    const accepted = await start(['verify', jwt, '--resource', CRM], env).done;
    expect(accepted).toMatchObject({ code: 0, stdout: expect.stringContaining(`✓ accepted at ${CRM}`) });
    expect(accepted.stdout).toContain('scopes: contacts:read');
    const elsewhere = await start(['verify', jwt, '--resource', auth.managementApi], env).done;
    expect(elsewhere).toMatchObject({ code: 1, stdout: expect.stringContaining('not for this resource') });
    const garbage = await start(['verify', 'not-a-token', '--resource', CRM], env).done;
    expect(garbage).toMatchObject({ code: 1, stdout: expect.stringContaining('not active') });
    expect((await start(['verify', jwt, '--resource', CRM]).done).code).toBe(2);
  });

  it('exits 2 on wrong usage, 4 when the auth-server is unreachable, 1 with the reason when refused', async () => {
    expect((await tollgate('keys', 'create')).code).toBe(2);
    expect((await tollgate('no-such-command')).code).toBe(2);
    expect((await tollgate('--help')).code).toBe(0);
    const unreachable = await start(['login'], { TOLLGATE_ISSUER: 'http://127.0.0.1:1' }).done;
    expect(unreachable).toMatchObject({ code: 4, stderr: expect.stringMatching(/could not be reached/) });

    const pat = await ada.createToken({ name: 'cli script', scopes: ['admin'], expiresInDays: 1 });
    const missing = await start(['keys', 'revoke', '00000000-0000-4000-8000-000000000000'], {
      TOLLGATE_TOKEN: pat.token,
    }).done;
    expect(missing).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^✗ DELETE \/api\/keys\/0{8}-.* answered 404/),
    });
    const revoked = await start(['keys', 'list', '--consumer', 'x'], { TOLLGATE_TOKEN: 'tgp_notARealTokenAtAll' }).done;
    expect(revoked).toMatchObject({ code: 3, stderr: expect.stringMatching(/tollgate login/) });
  });
});
