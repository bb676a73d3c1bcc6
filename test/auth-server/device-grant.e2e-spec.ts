import { ClientCredentialsTokenProvider } from '@tollgate/m2m-client';
import { ManualClock } from '@tollgate/platform';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthServerHarness, type ConsoleSession, type JsonResponse } from '../support/auth-server.harness.js';

const CLI = 'tollgate-cli';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

/** Issue 17, point 5: the CLI's sign-in, the OAuth 2.0 Device Authorization Grant (RFC 8628). */
describe('device authorization grant', () => {
  let auth: AuthServerHarness;
  let clock: ManualClock;
  let admin: ConsoleSession;
  let reader: ConsoleSession;

  beforeAll(async () => {
    clock = new ManualClock();
    auth = await AuthServerHarness.start({ clock });
    await auth.createRole('administrators', [{ resource: auth.managementApi, scopes: ['admin'] }]);
    await auth.createRole('auditors', [{ resource: auth.managementApi, scopes: ['revocations:read'] }]);
    await auth.createUser({ email: 'ada@example.com', roles: ['administrators'] });
    await auth.createUser({ email: 'grace@example.com', roles: ['auditors'] });
    admin = await auth.login('ada@example.com');
    reader = await auth.login('grace@example.com');
  });

  afterAll(() => auth?.stop());

  const requestCodes = (params: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    auth.form('/oauth/device_authorization', { client_id: CLI, scope: 'admin', ...params }, undefined, headers);
  const poll = (deviceCode: string, params: Record<string, string> = {}) =>
    auth.form('/oauth/token', { grant_type: DEVICE_GRANT, client_id: CLI, device_code: deviceCode, ...params });
  const expectOAuthError = (response: JsonResponse, status: number, error: string) => {
    expect({ status: response.status, error: response.body.error }).toEqual({ status, error });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  };
  /** A poll after the interval the server asked for (the clock moves, the test does not wait). */
  const pollLater = (deviceCode: string, seconds = 11) => {
    clock.advance(seconds * 1000);
    return poll(deviceCode);
  };

  it('is advertised in the metadata', async () => {
    const metadata = await (await fetch(`${auth.issuer}/.well-known/oauth-authorization-server`)).json();
    expect(metadata.device_authorization_endpoint).toBe(`${auth.issuer}/oauth/device_authorization`);
    expect(metadata.grant_types_supported).toContain(DEVICE_GRANT);
  });

  it('signs the CLI in: codes, pending polls, slow_down, approval in the console, a PAT once, that PAT may mint and revoke itself', async () => {
    const started = await requestCodes();
    expect(started.status).toBe(200);
    expect(started.headers.get('cache-control')).toBe('no-store');
    expect(started.body).toMatchObject({
      verification_uri: `${auth.issuer}/console/device`,
      expires_in: 600,
      interval: 5,
    });
    expect(started.body.user_code).toMatch(USER_CODE);
    expect(started.body.verification_uri_complete).toBe(
      `${auth.issuer}/console/device?user_code=${started.body.user_code}`,
    );
    const deviceCode: string = started.body.device_code;
    expect(deviceCode.length).toBeGreaterThanOrEqual(43);

    expectOAuthError(await poll(deviceCode), 400, 'authorization_pending');
    // Polling again before the interval: slow down (RFC 8628 §3.5), and the interval grows by 5 s.
    expectOAuthError(await poll(deviceCode), 400, 'slow_down');
    clock.advance(6_000);
    expectOAuthError(await poll(deviceCode), 400, 'slow_down');
    expectOAuthError(await pollLater(deviceCode, 16), 400, 'authorization_pending');

    // The person types the code as they like: lower case, without the dash.
    const typed = started.body.user_code.replace('-', '').toLowerCase();
    const shown = await admin.request('POST', '/api/device/lookup', { userCode: typed });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      clientId: CLI,
      clientName: 'Tollgate CLI',
      resource: auth.managementApi,
      scopes: ['admin'],
      scopesNotHeld: [],
      requestedFrom: '127.0.0.1',
    });
    const approved = await admin.request('POST', '/api/device/approve', { userCode: started.body.user_code });
    expect(approved).toMatchObject({ status: 200, body: { scopes: ['admin'] } });

    const issued = await pollLater(deviceCode, 16);
    expect(issued.status).toBe(200);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    expect(issued.body).toMatchObject({ token_type: 'Bearer', scope: 'admin', expires_in: 30 * 24 * 3600 });
    const pat: string = issued.body.access_token;
    expect(pat).toMatch(/^tgp_/);
    // Single use: the device code is spent.
    expectOAuthError(await pollLater(deviceCode), 400, 'invalid_grant');

    // The sign-in acts for Ada: it may mint (an API key), as her console session may; an ordinary PAT may not.
    const consumer = await auth.api('POST', '/api/consumers', { name: 'Zapflow', contact: 'dev@zapflow.example' }, pat);
    expect(consumer.status).toBe(201);
    const key = await auth.api(
      'POST',
      `/api/consumers/${consumer.body.id}/keys`,
      {
        name: 'sync',
        environment: 'test',
        grants: [{ resource: auth.managementApi, scopes: ['admin'] }],
      },
      pat,
    );
    expect(key.status).toBe(201);
    const ordinary = await admin.createToken({ name: 'script', scopes: ['admin'], expiresInDays: 1 });
    const refused = await auth.api(
      'POST',
      `/api/consumers/${consumer.body.id}/keys`,
      { name: 'other', environment: 'test', grants: [{ resource: auth.managementApi, scopes: ['admin'] }] },
      ordinary.token,
    );
    expect(refused).toMatchObject({ status: 403, body: { type: 'urn:tollgate:problem:credential_not_allowed' } });

    const audit = await auth.api('GET', '/api/audit?action=device.*');
    expect(audit.body.items.map((event: { action: string }) => event.action)).toEqual(
      expect.arrayContaining([
        'device.authorization.requested',
        'device.authorization.approved',
        'device.authorization.issued',
      ]),
    );

    // Logout: the PAT revokes itself, and is refused from then on.
    expect((await auth.api('DELETE', '/api/me/token', undefined, pat)).status).toBe(204);
    expect((await auth.api('GET', '/api/me', undefined, pat)).status).toBe(401);
  });

  it('a denied request answers access_denied; an expired one expired_token', async () => {
    const denied = await requestCodes();
    expect((await admin.request('POST', '/api/device/deny', { userCode: denied.body.user_code })).status).toBe(204);
    expectOAuthError(await pollLater(denied.body.device_code), 400, 'access_denied');
    // Decided once: a second decision conflicts (the code no longer names a pending request).
    expect((await admin.request('POST', '/api/device/approve', { userCode: denied.body.user_code })).status).toBe(404);

    const late = await requestCodes();
    clock.advance(601_000);
    expectOAuthError(await poll(late.body.device_code), 400, 'expired_token');
    expect((await admin.request('POST', '/api/device/lookup', { userCode: late.body.user_code })).status).toBe(404);
  });

  it('approves no more than the person holds, and no scope the CLI did not ask for', async () => {
    const started = await requestCodes({ scope: 'admin revocations:read' });
    const tooMuch = await reader.request('POST', '/api/device/approve', { userCode: started.body.user_code });
    expect(tooMuch).toMatchObject({ status: 403, body: { type: 'urn:tollgate:problem:scope_not_held' } });
    const notAsked = await reader.request('POST', '/api/device/approve', {
      userCode: started.body.user_code,
      scopes: ['tokens:introspect'],
    });
    expect(notAsked).toMatchObject({ status: 400, body: { type: 'urn:tollgate:problem:scope_not_requested' } });
    const shown = await reader.request('POST', '/api/device/lookup', { userCode: started.body.user_code });
    expect(shown.body.scopesNotHeld).toEqual(['admin']);
    const narrowed = await reader.request('POST', '/api/device/approve', {
      userCode: started.body.user_code,
      scopes: ['revocations:read'],
    });
    expect(narrowed).toMatchObject({ status: 200, body: { scopes: ['revocations:read'] } });
    const issued = await pollLater(started.body.device_code);
    expect(issued.body.scope).toBe('revocations:read');
    expect((await auth.api('GET', '/api/revocations', undefined, issued.body.access_token)).status).toBe(200);
    expect((await auth.api('GET', '/api/clients', undefined, issued.body.access_token)).status).toBe(403);
  });

  it('under concurrency: two approvals decide once, two polls after approval get one credential', async () => {
    const started = await requestCodes();
    const approvals = await Promise.all(
      [admin, admin].map((session) =>
        session.request('POST', '/api/device/approve', { userCode: started.body.user_code }),
      ),
    );
    expect(approvals.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(approvals.find((answer) => answer.status !== 200)!.status).toBeGreaterThanOrEqual(400);
    clock.advance(11_000);
    const polls = await Promise.all([poll(started.body.device_code), poll(started.body.device_code)]);
    expect(polls.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(polls.find((answer) => answer.status !== 200)!.body.error).toBe('invalid_grant');
  });

  it('refuses what RFC 8628 and RFC 6749 refuse, with their error codes', async () => {
    // The CLI is a public client: a credential with it, another client id, or none at all is refused.
    expectOAuthError(await requestCodes({ client_secret: 'anything-at-all-0123456789' }), 401, 'invalid_client');
    expectOAuthError(
      await requestCodes({}, { authorization: `Basic ${Buffer.from(`${CLI}:x`).toString('base64')}` }),
      401,
      'invalid_client',
    );
    expectOAuthError(await requestCodes({ client_id: 'test-admin' }), 400, 'unauthorized_client');
    expectOAuthError(await auth.form('/oauth/device_authorization', { scope: 'admin' }), 401, 'invalid_client');
    expectOAuthError(await requestCodes({ scope: 'admin contacts:everything' }), 400, 'invalid_scope');
    expectOAuthError(await requestCodes({ scope: '' }), 400, 'invalid_scope');
    expectOAuthError(await requestCodes({ resource: 'https://nowhere.example' }), 400, 'invalid_target');
    const json = await fetch(`${auth.issuer}/oauth/device_authorization`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: CLI, scope: 'admin' }),
    });
    expect(json.status).toBe(400);
    expect((await fetch(`${auth.issuer}/oauth/device_authorization`)).status).toBe(405);

    // Polling: an unknown device code, none, or the grant from another client.
    expectOAuthError(await poll('not-a-device-code'), 400, 'invalid_grant');
    expectOAuthError(
      await auth.form('/oauth/token', { grant_type: DEVICE_GRANT, client_id: CLI }),
      400,
      'invalid_request',
    );
    const started = await requestCodes();
    expectOAuthError(await poll(started.body.device_code, { client_id: 'test-admin' }), 400, 'unauthorized_client');
  });

  it('only a console session decides, and wrong codes are throttled', async () => {
    const started = await requestCodes();
    const pat = await admin.createToken({ name: 'not a session', scopes: ['admin'], expiresInDays: 1 });
    const withPat = await auth.api('POST', '/api/device/approve', { userCode: started.body.user_code }, pat.token);
    expect(withPat).toMatchObject({ status: 403, body: { type: 'urn:tollgate:problem:session_required' } });
    const withoutCsrf = await admin.request(
      'POST',
      '/api/device/approve',
      { userCode: started.body.user_code },
      { csrf: false },
    );
    expect(withoutCsrf.status).toBe(403);
    expect((await admin.request('POST', '/api/device/lookup', {})).status).toBe(400);

    const guesser = await auth.login('grace@example.com');
    const guesses: number[] = [];
    for (const guess of ['BCDF-GHJK', 'ZZZZ-ZZZZ', 'not a code', 'BBBB-BBBB', 'CCCC-CCCC', 'DDDD-DDDD'])
      guesses.push((await guesser.request('POST', '/api/device/lookup', { userCode: guess })).status);
    expect(guesses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    const blocked = await guesser.request('POST', '/api/device/lookup', { userCode: started.body.user_code });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The request itself is untouched: its owner approves it.
    expect((await admin.request('POST', '/api/device/approve', { userCode: started.body.user_code })).status).toBe(200);
  });

  describe('device pairing (issue 17 point 6)', () => {
    const IOT = 'https://iot.tollgate.test';
    const PAIRING = 'tollgate-device-pairing';
    let hub: { id: string };

    beforeAll(async () => {
      await auth.createResource(IOT, ['device', 'devices:read:*']);
      hub = await auth.createClient({
        id: 'home-hub',
        name: 'Home hub',
        kind: 'device',
        grants: [{ resource: IOT, scopes: ['devices:read:*'] }],
      });
    });

    const pair = async (params: Record<string, string> = {}) => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const jwk = JSON.stringify(await exportJWK(publicKey));
      const started = await auth.form('/oauth/device_authorization', {
        client_id: PAIRING,
        scope: 'device',
        resource: IOT,
        device_id: 'thermostat-3',
        device_jwk: jwk,
        ...params,
      });
      return { started, privateKey, jwk };
    };

    it('registers a device that shows a code as its own private_key_jwt client, with only its topics, commanded by the hub an admin chose', async () => {
      const { started, privateKey } = await pair();
      expect(started.status).toBe(200);
      expect(started.body.user_code).toMatch(USER_CODE);
      expectOAuthError(await poll(started.body.device_code, { client_id: PAIRING }), 400, 'authorization_pending');

      // A person without admin sees it but may not approve it: pairing registers a client.
      await auth.createUser({ email: 'linus@example.com' });
      const nonAdmin = await auth.login('linus@example.com');
      const seen = await nonAdmin.request('POST', '/api/device/lookup', { userCode: started.body.user_code });
      expect(seen.body).toMatchObject({ kind: 'pairing', deviceId: 'thermostat-3', mayApprove: false });
      const refused = await nonAdmin.request('POST', '/api/device/approve', {
        userCode: started.body.user_code,
        controller: hub.id,
      });
      expect(refused).toMatchObject({ status: 403, body: { type: 'urn:tollgate:problem:admin_required' } });

      const shown = await admin.request('POST', '/api/device/lookup', { userCode: started.body.user_code });
      expect(shown.body).toMatchObject({
        kind: 'pairing',
        clientName: 'Device pairing',
        deviceId: 'thermostat-3',
        scopes: ['device'],
        resource: IOT,
        mayApprove: true,
      });
      expect(shown.body.controllers).toContain(hub.id);
      expect(shown.body.keyThumbprint).toMatch(/^[\w-]{43}$/);
      const approved = await admin.request('POST', '/api/device/approve', {
        userCode: started.body.user_code,
        controller: hub.id,
      });
      expect(approved).toMatchObject({ status: 200, body: { scopes: ['device'] } });

      clock.advance(11_000);
      const issued = await poll(started.body.device_code, { client_id: PAIRING });
      expect(issued.status).toBe(200);
      expect(issued.body).toMatchObject({ client_id: 'thermostat-3', token_type: 'Bearer', scope: 'device' });
      expect(decodeJwt(issued.body.access_token)).toMatchObject({
        sub: 'thermostat-3',
        aud: IOT,
        client_kind: 'device',
      });

      // From now on the device authenticates with its key alone: no secret was ever made.
      const client = (await auth.api('GET', '/api/clients/thermostat-3')).body;
      expect(client).toMatchObject({ kind: 'device', tokenEndpointAuthMethod: 'private_key_jwt', secrets: [] });
      expect(client.grants).toEqual([{ resource: IOT, scopes: ['device'] }]);
      const tokens = new ClientCredentialsTokenProvider({
        issuer: auth.issuer,
        clientId: 'thermostat-3',
        authMethod: 'private_key_jwt',
        clientAssertionKey: { key: privateKey, alg: 'ES256' },
        resource: IOT,
        // The server's clock has moved on in this suite: assertions are dated by it.
        now: () => clock.now().getTime(),
      });
      expect(decodeJwt((await tokens.getToken()).value).sub).toBe('thermostat-3');
      const hubGrants = (await auth.api('GET', `/api/clients/${hub.id}`)).body.grants;
      expect(hubGrants).toEqual([{ resource: IOT, scopes: ['devices:read:*', 'devices:control:thermostat-3'] }]);
      const audit = await auth.api('GET', '/api/audit?action=device.paired');
      expect(audit.body.items[0]).toMatchObject({ credential: { type: 'client', id: 'thermostat-3' } });

      // The id is taken now: a second device cannot pair as thermostat-3.
      expectOAuthError((await pair()).started, 400, 'invalid_request');
    });

    it('refuses a pairing request that is not a public key of its own, for its own topics, on one resource', async () => {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const privateJwk = JSON.stringify(await exportJWK(privateKey));
      const rsa = JSON.stringify(await exportJWK((await generateKeyPair('RS256', { extractable: true })).publicKey));
      expectOAuthError(
        (await pair({ device_id: 'thermostat-4', device_jwk: privateJwk })).started,
        400,
        'invalid_request',
      );
      expectOAuthError((await pair({ device_id: 'thermostat-4', device_jwk: rsa })).started, 400, 'invalid_request');
      expectOAuthError(
        (await pair({ device_id: 'thermostat-4', device_jwk: '{not json' })).started,
        400,
        'invalid_request',
      );
      expectOAuthError((await pair({ device_id: 'thermostat 4!' })).started, 400, 'invalid_request');
      expectOAuthError((await pair({ device_id: hub.id })).started, 400, 'invalid_request');
      expectOAuthError(
        (await pair({ device_id: 'thermostat-4', scope: 'devices:read:*' })).started,
        400,
        'invalid_scope',
      );
      expectOAuthError((await pair({ device_id: 'thermostat-4', resource: '' })).started, 400, 'invalid_target');
    });
  });
});
