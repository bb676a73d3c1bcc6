// The baseline authorization server: oidc-provider configured like Tollgate's token endpoint
// (client_credentials, client_secret_basic, an RFC 8707 resource indicator, ES256 JWT access
// tokens). Its in-memory default adapter is left in place: JWT access tokens are not stored.
// Configuration comes from the benchmark through environment variables.
import { exportJWK, generateKeyPair } from 'jose';
import { Provider } from 'oidc-provider';

const { PORT, RESOURCE, SCOPE, CLIENT_ID, CLIENT_SECRET, ACCESS_TOKEN_TTL } = process.env;
if (!PORT || !RESOURCE || !SCOPE || !CLIENT_ID || !CLIENT_SECRET || !ACCESS_TOKEN_TTL) {
  throw new Error('PORT, RESOURCE, SCOPE, CLIENT_ID, CLIENT_SECRET and ACCESS_TOKEN_TTL are required');
}

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'bench-es256' };

const provider = new Provider(`http://127.0.0.1:${PORT}`, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      // Only ES256 is in the key set; the default (RS256) would make the client metadata invalid.
      id_token_signed_response_alg: 'ES256',
    },
  ],
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      getResourceServerInfo: () => ({
        scope: SCOPE,
        accessTokenFormat: 'jwt',
        accessTokenTTL: Number(ACCESS_TOKEN_TTL),
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  ttl: { ClientCredentials: Number(ACCESS_TOKEN_TTL) },
  jwks: { keys: [signingKey] },
});

// oidc-provider has no health route; the benchmark polls its discovery document instead.
provider.listen(Number(PORT), '127.0.0.1');
