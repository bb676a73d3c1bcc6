import { ClientCredentialsTokenProvider, TokenRequestError } from '@tollgate/m2m-client';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthServerHarness } from '../support/auth-server.harness.js';

const API = 'https://crm.tollgate.local';

/** libs/m2m-client authenticates with a key it holds (RFC 7523 private_key_jwt): no secret travels. */
describe('ClientCredentialsTokenProvider with private_key_jwt, against the auth-server', () => {
  let auth: AuthServerHarness;

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    await auth.createResource(API, ['contacts:read']);
  });
  afterAll(() => auth?.stop());

  async function registered(alg: 'ES256' | 'EdDSA') {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), alg, kid: `${alg}-key` };
    const client = await auth.createClient({
      name: `${alg} client`,
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [jwk] },
      grants: [{ resource: API, scopes: ['contacts:read'] }],
    });
    return { id: client.id, privateKey };
  }

  it.each(['ES256', 'EdDSA'] as const)('gets tokens signing %s assertions, a fresh one per request', async (alg) => {
    const { id, privateKey } = await registered(alg);
    const provider = new ClientCredentialsTokenProvider({
      issuer: auth.issuer,
      clientId: id,
      authMethod: 'private_key_jwt',
      clientAssertionKey: { key: privateKey, alg, kid: `${alg}-key` },
      resource: API,
      refreshSkewSeconds: 0,
    });
    const first = await provider.getToken();
    expect(decodeJwt(first.value)).toMatchObject({ sub: id, aud: API, scope: 'contacts:read' });
    provider.invalidate(first);
    // A second request needs a second assertion (the server refuses a replayed jti).
    expect((await provider.getToken()).value).not.toBe(first.value);
  });

  it('is refused with another key than the registered one (invalid_client)', async () => {
    const { id } = await registered('ES256');
    const { privateKey: other } = await generateKeyPair('ES256');
    const provider = new ClientCredentialsTokenProvider({
      issuer: auth.issuer,
      clientId: id,
      authMethod: 'private_key_jwt',
      clientAssertionKey: { key: other, alg: 'ES256' },
      resource: API,
    });
    await expect(provider.getToken()).rejects.toMatchObject({ name: TokenRequestError.name, error: 'invalid_client' });
  });

  it('needs a key for private_key_jwt and a secret otherwise', () => {
    expect(
      () => new ClientCredentialsTokenProvider({ issuer: auth.issuer, clientId: 'x', authMethod: 'private_key_jwt' }),
    ).toThrow(/clientAssertionKey/);
    expect(() => new ClientCredentialsTokenProvider({ issuer: auth.issuer, clientId: 'x' })).toThrow(/clientSecret/);
  });
});
