import { DpopKey } from '@tollgate/dpop';
import { CompactSign, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as client from 'openid-client';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';
const STRICT = 'https://strict.tollgate.test';

/**
 * RFC 9449 at the token endpoint: a proof binds the token to its key (token_type DPoP, cnf.jkt),
 * openid-client's DPoP works unchanged, and every malformed, replayed or misdirected proof is an
 * RFC 9449 error (400 invalid_dpop_proof), never a bearer token and never a 500.
 */
describe.each(testDatabases())('DPoP at the token endpoint on $name', ({ create }) => {
  let server: AuthServerHarness;
  let service: { id: string; secret: string };
  let strictClient: { id: string; secret: string };
  let tokenEndpoint: string;

  const requestWithProof = (proof: string | undefined, auth = service, params: Record<string, string> = {}) =>
    server.tokenRequest(
      { grant_type: 'client_credentials', resource: CRM, ...params },
      auth,
      proof === undefined ? {} : { dpop: proof },
    );

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create() });
    tokenEndpoint = `${server.issuer}/oauth/token`;
    await server.createResource(CRM, ['contacts:read']);
    await server.createResource(STRICT, ['read'], { requiredBinding: 'dpop' });
    service = await server.createClient({ name: 'service', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    strictClient = await server.createClient({
      name: 'strict',
      requiredBinding: 'dpop',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    await server.api('PATCH', `/api/clients/${service.id}`, {
      grants: [
        { resource: CRM, scopes: ['contacts:read'] },
        { resource: STRICT, scopes: ['read'] },
      ],
    });
  });
  afterAll(() => server?.stop());

  it('advertises its proof algorithms in the metadata', async () => {
    const metadata = await server.request('GET', '/.well-known/oauth-authorization-server');
    expect(metadata.body.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA']);
  });

  it('binds the token to the proof key: token_type DPoP, cnf.jkt, and introspection says so', async () => {
    const key = await DpopKey.generate();
    const response = await requestWithProof(await key.proof({ method: 'POST', url: tokenEndpoint }));
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('DPoP');
    expect(decodeJwt(response.body.access_token).cnf).toEqual({ jkt: await key.thumbprint() });

    const introspected = await server.introspect(response.body.access_token, service);
    expect(introspected.body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: await key.thumbprint() } });

    const audit = await server.api('GET', `/api/audit?action=token.issued&limit=5`);
    const record = audit.body.items.find(
      (item: any) => item.credential?.id === decodeJwt(response.body.access_token).jti,
    );
    expect(record.details.binding).toBe('dpop');
  });

  it('issues an EdDSA-proof-bound token too, and a bearer token without a proof', async () => {
    const key = await DpopKey.generate('EdDSA');
    const bound = await requestWithProof(await key.proof({ method: 'POST', url: tokenEndpoint }));
    expect(bound.body.token_type).toBe('DPoP');
    const bearer = await requestWithProof(undefined);
    expect(bearer.body.token_type).toBe('Bearer');
    expect(decodeJwt(bearer.body.access_token).cnf).toBeUndefined();
  });

  it('works with openid-client’s DPoP unchanged', async () => {
    const config = await client.discovery(
      new URL(server.issuer),
      service.id,
      undefined,
      client.ClientSecretBasic(service.secret),
      { algorithm: 'oauth2', execute: [client.allowInsecureRequests] },
    );
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const handle = client.getDPoPHandle(config, keyPair);
    const tokens = await client.clientCredentialsGrant(config, { resource: CRM }, { DPoP: handle });
    expect(tokens.token_type).toBe('dpop');
    const { calculateJwkThumbprint } = await import('jose');
    expect(decodeJwt(tokens.access_token).cnf).toEqual({
      jkt: await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)),
    });
  });

  it('binds a JWT exchanged for a PAT (RFC 8693) to the exchanging client’s key', async () => {
    await server.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    await server.createUser({ email: 'ada@example.com', roles: ['crm-reader'] });
    const pat = await (
      await server.login('ada@example.com')
    ).createToken({ name: 'script', scopes: ['contacts:read'] });
    const exchanger = await server.createClient({
      name: 'exchanger',
      allowTokenExchange: true,
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    const key = await DpopKey.generate();
    const exchanged = await server.tokenRequest(
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: pat.token,
        subject_token_type: 'urn:tollgate:params:oauth:token-type:pat',
        resource: CRM,
      },
      exchanger,
      { dpop: await key.proof({ method: 'POST', url: tokenEndpoint }) },
    );
    expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
    expect(exchanged.body.token_type).toBe('DPoP');
    expect(decodeJwt(exchanged.body.access_token)).toMatchObject({
      pat_id: pat.id,
      cnf: { jkt: await key.thumbprint() },
    });
  });

  it('never gives a bearer token to a client or for a resource that requires DPoP', async () => {
    const fromStrictClient = await requestWithProof(undefined, strictClient);
    expect(fromStrictClient.status).toBe(400);
    expect(fromStrictClient.body.error).toBe('invalid_dpop_proof');
    const forStrictResource = await requestWithProof(undefined, service, { resource: STRICT });
    expect(forStrictResource.status).toBe(400);
    expect(forStrictResource.body.error).toBe('invalid_dpop_proof');

    const key = await DpopKey.generate();
    const bound = await requestWithProof(await key.proof({ method: 'POST', url: tokenEndpoint }), service, {
      resource: STRICT,
    });
    expect(bound.status).toBe(200);
    expect(bound.body.token_type).toBe('DPoP');
  });

  it('lets an admin see and change the binding a client and a resource require (400 for an unknown one)', async () => {
    expect((await server.api('GET', `/api/clients/${strictClient.id}`)).body.requiredBinding).toBe('dpop');
    const changed = await server.api('PATCH', `/api/clients/${strictClient.id}`, { requiredBinding: 'none' });
    expect(changed.status).toBe(200);
    expect(changed.body.requiredBinding).toBe('none');
    expect((await requestWithProof(undefined, strictClient)).body.token_type).toBe('Bearer');
    await server.api('PATCH', `/api/clients/${strictClient.id}`, { requiredBinding: 'dpop' });
    const bad = await server.api('PATCH', `/api/clients/${strictClient.id}`, { requiredBinding: 'mtls-please' });
    expect(bad.status).toBe(400);
    const resources = await server.api('GET', '/api/resources');
    expect(resources.body.find((r: any) => r.indicator === STRICT).requiredBinding).toBe('dpop');
  });

  describe('refuses a hostile proof with 400 invalid_dpop_proof', () => {
    async function expectRefused(proof: string, reason: RegExp): Promise<void> {
      const response = await requestWithProof(proof);
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body.error).toBe('invalid_dpop_proof');
      expect(response.body.error_description).toMatch(reason);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }

    async function handMade(
      header: Record<string, unknown>,
      claims: Record<string, unknown>,
      signWith?: CryptoKey,
    ): Promise<string> {
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const jwk = await exportJWK(publicKey);
      const payload = {
        jti: crypto.randomUUID(),
        htm: 'POST',
        htu: tokenEndpoint,
        iat: Math.floor(Date.now() / 1000),
        ...claims,
      };
      return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header } as never)
        .sign(signWith ?? privateKey);
    }

    it('a replayed proof (same jti)', async () => {
      const key = await DpopKey.generate();
      const proof = await key.proof({ method: 'POST', url: tokenEndpoint });
      expect((await requestWithProof(proof)).status).toBe(200);
      await expectRefused(proof, /used before/);
      await eventually(async () => {
        const audit = await server.api('GET', `/api/audit?action=token.binding.refused&actor=${service.id}`);
        expect(audit.body.items[0]).toMatchObject({ outcome: 'denied', reason: expect.stringMatching(/used before/) });
      });
    });

    it('the same proof sent twice at once: exactly one token', async () => {
      const proof = await (await DpopKey.generate()).proof({ method: 'POST', url: tokenEndpoint });
      const answers = await Promise.all([requestWithProof(proof), requestWithProof(proof), requestWithProof(proof)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400]);
    });

    it('a proof for another URL or method', async () => {
      const key = await DpopKey.generate();
      await expectRefused(await key.proof({ method: 'POST', url: `${server.issuer}/oauth/introspect` }), /htu/);
      await expectRefused(await key.proof({ method: 'POST', url: `http://attacker.example/oauth/token` }), /htu/);
      await expectRefused(await key.proof({ method: 'GET', url: tokenEndpoint }), /htm/);
    });

    it('an expired or future iat', async () => {
      await expectRefused(await handMade({}, { iat: Math.floor(Date.now() / 1000) - 3600 }), /too old/);
      await expectRefused(await handMade({}, { iat: Math.floor(Date.now() / 1000) + 3600 }), /future/);
    });

    it('alg none, HS256, a private key in jwk, no jwk, the wrong typ, a bad signature, garbage', async () => {
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
      const claims = { jti: 'x1', htm: 'POST', htu: tokenEndpoint, iat: Math.floor(Date.now() / 1000) };
      const none = `${b64({ alg: 'none', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })}.${b64(claims)}.`;
      await expectRefused(none, /signed with ES256 or EdDSA/);
      const hs256 = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } } as never)
        .sign(new TextEncoder().encode('secret-secret-secret-secret-32by'));
      await expectRefused(hs256, /signed with ES256 or EdDSA/);
      await expectRefused(await handMade({ jwk: await exportJWK(privateKey) }, {}, privateKey as CryptoKey), /private/);
      await expectRefused(await handMade({ jwk: undefined }, {}), /jwk/);
      await expectRefused(await handMade({ typ: 'JWT' }, {}), /typ dpop\+jwt/);
      const valid = await (await DpopKey.generate()).proof({ method: 'POST', url: tokenEndpoint });
      const [header, , signature] = valid.split('.');
      await expectRefused(`${header}.${b64({ ...claims, jti: 'tampered' })}.${signature}`, /signature/);
      await expectRefused('not-a-proof', /compact JWS/);
      await expectRefused('a'.repeat(10_000), /too long/);
    });
  });

  it('asks for its nonce when nonces are required, and openid-client retries with it', async () => {
    const strict = await AuthServerHarness.start({ database: await create(), env: { DPOP_NONCE_REQUIRED: 'true' } });
    try {
      await strict.createResource(CRM, ['contacts:read']);
      const registered = await strict.createClient({
        name: 'n',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const key = await DpopKey.generate();
      const url = `${strict.issuer}/oauth/token`;
      const first = await strict.tokenRequest({ grant_type: 'client_credentials' }, registered, {
        dpop: await key.proof({ method: 'POST', url }),
      });
      expect(first.status).toBe(400);
      expect(first.body.error).toBe('use_dpop_nonce');
      const nonce = first.headers.get('dpop-nonce');
      expect(nonce).toBeTruthy();
      const second = await strict.tokenRequest({ grant_type: 'client_credentials' }, registered, {
        dpop: await key.proof({ method: 'POST', url, nonce: nonce! }),
      });
      expect(second.status).toBe(200);
      expect(second.body.token_type).toBe('DPoP');
      expect(second.headers.get('dpop-nonce')).toBeTruthy();
      const forged = await strict.tokenRequest({ grant_type: 'client_credentials' }, registered, {
        dpop: await key.proof({ method: 'POST', url, nonce: 'AAAAAAAAAAA.forged-nonce' }),
      });
      expect(forged.body.error).toBe('use_dpop_nonce');

      const config = await client.discovery(
        new URL(strict.issuer),
        registered.id,
        undefined,
        client.ClientSecretBasic(registered.secret),
        { algorithm: 'oauth2', execute: [client.allowInsecureRequests] },
      );
      const handle = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
      const tokens = await client.clientCredentialsGrant(config, {}, { DPoP: handle }).catch(async (error: unknown) => {
        // openid-client surfaces use_dpop_nonce once and keeps the nonce: the retry is the caller's.
        if (!(error instanceof client.ResponseBodyError) || error.error !== 'use_dpop_nonce') throw error;
        return client.clientCredentialsGrant(config, {}, { DPoP: handle });
      });
      expect(tokens.token_type).toBe('dpop');
    } finally {
      await strict.stop();
    }
  });
});
