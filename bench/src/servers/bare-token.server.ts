// The bare limit of the token endpoint on this machine: node:http and nothing else around the work a
// client-credentials grant cannot skip (parse Basic, look the client up by the SHA-256 of its secret,
// check grant type, resource and scope, sign an ES256 JWT access token). No framework, no audit, no
// throttle, no database: what is left between it and the auth-server is what those cost. It signs
// with node:crypto's one-shot sign, the cheapest ES256 signature Node has (jose's WebCrypto path costs
// more per token), so the limit is not set by a library.
// Configuration comes from the benchmark through environment variables.
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const { PORT, RESOURCE, SCOPE, CLIENT_ID, CLIENT_SECRET, ACCESS_TOKEN_TTL } = process.env;
if (!PORT || !RESOURCE || !SCOPE || !CLIENT_ID || !CLIENT_SECRET || !ACCESS_TOKEN_TTL) {
  throw new Error('PORT, RESOURCE, SCOPE, CLIENT_ID, CLIENT_SECRET and ACCESS_TOKEN_TTL are required');
}
const issuer = `http://127.0.0.1:${PORT}`;
const resource: string = RESOURCE;
const defaultScope: string = SCOPE;
const ttl = Number(ACCESS_TOKEN_TTL);

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kid = 'bare-es256';
const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] });
const encodedHeader = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid })).toString('base64url');

/** A compact JWS (RFC 7515): the signature in the JOSE form (r ‖ s), not DER. */
function signJwt(claims: Record<string, unknown>): string {
  const input = `${encodedHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
const metadata = JSON.stringify({
  issuer,
  token_endpoint: `${issuer}/token`,
  jwks_uri: `${issuer}/jwks`,
  grant_types_supported: ['client_credentials'],
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
/** Clients by the hash of their secret, as the auth-server's indexed lookup finds them. */
const clients = new Map([[sha256(CLIENT_SECRET), { id: CLIENT_ID, scopes: new Set(SCOPE.split(' ')) }]]);

function answer(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(body);
}

const refuse = (response: ServerResponse, status: number, error: string) =>
  answer(response, status, JSON.stringify({ error }));

async function token(request: IncomingMessage, response: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of request) body += chunk;
  const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
  const [id, secret] = basic
    ? Buffer.from(basic[1], 'base64').toString('utf8').split(':').map(decodeURIComponent)
    : [undefined, undefined];
  const client = secret === undefined ? undefined : clients.get(sha256(secret));
  if (!client || client.id !== id) return refuse(response, 401, 'invalid_client');
  const params = new URLSearchParams(body);
  if (params.get('grant_type') !== 'client_credentials') return refuse(response, 400, 'unsupported_grant_type');
  if (params.get('resource') !== resource) return refuse(response, 400, 'invalid_target');
  const scope = params.get('scope') ?? defaultScope;
  if (!scope.split(' ').every((name) => client.scopes.has(name))) return refuse(response, 400, 'invalid_scope');
  const now = Math.floor(Date.now() / 1000);
  const accessToken = signJwt({
    iss: issuer,
    sub: client.id,
    aud: resource,
    iat: now,
    exp: now + ttl,
    jti: randomUUID(),
    client_id: client.id,
    scope,
  });
  answer(response, 200, JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope }));
}

createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/token') {
    token(request, response).catch(() => refuse(response, 500, 'server_error'));
  } else if (request.url === '/.well-known/oauth-authorization-server') answer(response, 200, metadata);
  else if (request.url === '/jwks') answer(response, 200, jwks);
  else refuse(response, 404, 'not_found');
}).listen(Number(PORT), '127.0.0.1');
