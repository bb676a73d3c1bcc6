import { decodeProtectedHeader } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, AuthServerHarness } from '../support/auth-server.harness.js';
import { generateClientKey } from '../support/jose-forge.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';
const BILLING = 'https://billing.tollgate.test/v1';

/**
 * A real third-party client (openid-client v6) against the auth-server, with oauth4webapi's
 * RFC 9068 validator as an independent oracle on every access token issued.
 */
describe.each(testDatabases())('openid-client and oauth4webapi on $name', ({ create }) => {
  let server: AuthServerHarness;
  let as: oauth.AuthorizationServer;

  /** oauth4webapi's resource-server validation of a token, as CRM (or another audience) would run it. */
  async function validateAtResourceServer(token: string, audience: string): Promise<oauth.JWTAccessTokenClaims> {
    const request = new Request(`${audience}/anything`, { headers: { authorization: `Bearer ${token}` } });
    return oauth.validateJwtAccessToken(as, request, audience, {
      [oauth.allowInsecureRequests]: true,
      signingAlgorithms: ['ES256', 'EdDSA'],
    });
  }

  function discover(clientId: string, auth: client.ClientAuth): Promise<client.Configuration> {
    return client.discovery(new URL(server.issuer), clientId, undefined, auth, {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    });
  }

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create() });
    await server.createResource(CRM, ['contacts:read', 'contacts:write'], { accessTokenTtl: 600 });
    await server.createResource(BILLING, ['invoices:read']);
    const admin = await discover(ADMIN_CLIENT_ID, client.ClientSecretBasic(ADMIN_CLIENT_SECRET));
    as = admin.serverMetadata();
  });
  afterAll(() => server.stop());

  it('discovers the server through RFC 8414 metadata with the exact issuer', async () => {
    const config = await discover(ADMIN_CLIENT_ID, client.ClientSecretBasic(ADMIN_CLIENT_SECRET));
    expect(config.serverMetadata()).toMatchObject({
      issuer: server.issuer,
      token_endpoint: `${server.issuer}/oauth/token`,
      introspection_endpoint: `${server.issuer}/oauth/introspect`,
      revocation_endpoint: `${server.issuer}/oauth/revoke`,
      jwks_uri: `${server.issuer}/.well-known/jwks.json`,
    });
  });

  it('obtains, introspects and revokes a token with client_secret_basic', async () => {
    const registered = await server.createClient({
      name: 'basic',
      grants: [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }],
    });
    const config = await discover(registered.id, client.ClientSecretBasic(registered.secret));

    const tokens = await client.clientCredentialsGrant(config, { scope: 'contacts:read', resource: CRM });
    expect(tokens).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 600,
      scope: 'contacts:read',
    });
    expect(tokens.refresh_token).toBeUndefined();
    const claims = await validateAtResourceServer(tokens.access_token, CRM);
    expect(claims).toEqual({
      iss: server.issuer,
      sub: registered.id,
      aud: CRM,
      client_id: registered.id,
      client_kind: 'service',
      scope: 'contacts:read',
      iat: expect.any(Number),
      exp: claims.iat + 600,
      jti: expect.any(String),
    });

    const info = await client.tokenIntrospection(config, tokens.access_token, { token_type_hint: 'access_token' });
    expect(info).toEqual({
      active: true,
      token_type: 'Bearer',
      scope: 'contacts:read',
      client_id: registered.id,
      sub: registered.id,
      aud: CRM,
      iss: server.issuer,
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
    });

    await expect(
      client.tokenRevocation(config, tokens.access_token, { token_type_hint: 'access_token' }),
    ).resolves.toBeUndefined();
    expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
  });

  it('obtains, introspects and revokes a token with client_secret_post', async () => {
    const registered = await server.createClient({
      name: 'post',
      tokenEndpointAuthMethod: 'client_secret_post',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    const config = await discover(registered.id, client.ClientSecretPost(registered.secret));

    const tokens = await client.clientCredentialsGrant(config);
    expect(tokens).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 600,
      scope: 'contacts:read',
    });
    const claims = await validateAtResourceServer(tokens.access_token, CRM);
    expect(claims).toMatchObject({ sub: registered.id, client_id: registered.id, aud: CRM, scope: 'contacts:read' });

    expect(await client.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: true,
      jti: claims.jti,
    });
    await client.tokenRevocation(config, tokens.access_token);
    expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
  });

  it.each(['ES256', 'EdDSA', 'RS256', 'PS256'] as const)(
    'obtains, introspects and revokes a token with private_key_jwt (%s)',
    async (alg) => {
      const key = await generateClientKey(alg);
      const registered = await server.createClient({
        name: `jwt ${alg}`,
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [key.publicJwk] },
        grants: [
          { resource: CRM, scopes: ['contacts:read'] },
          { resource: BILLING, scopes: ['invoices:read'] },
        ],
      });
      expect(registered.secret).toBeUndefined();
      const config = await discover(registered.id, client.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }));

      const tokens = await client.clientCredentialsGrant(config, { resource: BILLING });
      expect(tokens).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 900,
        scope: 'invoices:read',
      });
      const claims = await validateAtResourceServer(tokens.access_token, BILLING);
      expect(claims).toMatchObject({
        sub: registered.id,
        client_id: registered.id,
        aud: BILLING,
        scope: 'invoices:read',
      });
      await expect(validateAtResourceServer(tokens.access_token, CRM)).rejects.toThrow(/aud/);

      // Every call signs a fresh assertion (new jti), so the replay check does not get in the way.
      expect(await client.tokenIntrospection(config, tokens.access_token)).toMatchObject({
        active: true,
        aud: BILLING,
      });
      await client.tokenRevocation(config, tokens.access_token);
      expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
    },
  );

  it('issues management API tokens that oauth4webapi accepts for that audience only', async () => {
    const config = await discover(ADMIN_CLIENT_ID, client.ClientSecretBasic(ADMIN_CLIENT_SECRET));
    const tokens = await client.clientCredentialsGrant(config);
    expect(tokens.scope).toBe('admin');
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(await validateAtResourceServer(tokens.access_token, server.managementApi)).toMatchObject({
      aud: server.managementApi,
      scope: 'admin',
    });
    await expect(validateAtResourceServer(tokens.access_token, CRM)).rejects.toThrow(/aud/);
  });

  it('lets a resource server granted tokens:introspect introspect any token, and nobody revoke another client’s token', async () => {
    const owner = await server.createClient({ name: 'owner', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    const resourceServer = await server.createClient({
      name: 'crm rs',
      grants: [{ resource: server.managementApi, scopes: ['tokens:introspect'] }],
    });
    const ownerConfig = await discover(owner.id, client.ClientSecretBasic(owner.secret));
    const rsConfig = await discover(resourceServer.id, client.ClientSecretBasic(resourceServer.secret));
    const tokens = await client.clientCredentialsGrant(ownerConfig);

    expect(await client.tokenIntrospection(rsConfig, tokens.access_token)).toMatchObject({
      active: true,
      client_id: owner.id,
      scope: 'contacts:read',
    });
    await client.tokenRevocation(rsConfig, tokens.access_token);
    expect(await client.tokenIntrospection(rsConfig, tokens.access_token)).toMatchObject({ active: true });
    await validateAtResourceServer(tokens.access_token, CRM);
  });

  it('surfaces the server’s RFC 6749 errors to the client', async () => {
    const registered = await server.createClient({
      name: 'errors',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });

    const wrongSecret = await discover(registered.id, client.ClientSecretBasic(`${registered.secret}x`));
    const refused = await client.clientCredentialsGrant(wrongSecret).catch((error: unknown) => error);
    // A 401 with a challenge is reported as the challenge (RFC 6749 §5.2: Basic was used).
    expect(refused).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    expect(refused).toMatchObject({ status: 401, cause: [{ scheme: 'basic', parameters: { realm: 'tollgate' } }] });
    expect(await (refused as client.WWWAuthenticateChallengeError).response.json()).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
    });

    const config = await discover(registered.id, client.ClientSecretBasic(registered.secret));
    await expect(client.clientCredentialsGrant(config, { scope: 'contacts:write' })).rejects.toMatchObject({
      error: 'invalid_scope',
      status: 400,
    });
    await expect(client.clientCredentialsGrant(config, { resource: BILLING })).rejects.toMatchObject({
      error: 'invalid_target',
      status: 400,
    });
  });
});
