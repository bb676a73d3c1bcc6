import { exportJWK, generateKeyPair, type JWK, SignJWT, type CryptoKey } from 'jose';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * TEST DOUBLE of Tollgate's authorization server: RFC 8414 metadata and an RFC 6749 §4.4 token
 * endpoint over real HTTP on 127.0.0.1 and port 0, issuing opaque tokens it remembers, so a fake
 * resource server can check them with `introspect()`. It counts and records every request and can
 * be scripted to fail. It also publishes an ES256 JWKS and signs RFC 9068 access tokens on
 * request (`accessToken()`), for what calls a resource server under test. Used by libs/m2m-client
 * and apps/service-a until their end-to-end tests run against the real apps/auth-server.
 */

export interface FakeClient {
  clientId: string;
  clientSecret: string;
  /** Scopes the client may obtain; all of them when it asks for none. */
  scopes?: string[];
  /** Resource indicators it may obtain tokens for (RFC 8707); any when omitted. */
  resources?: string[];
}

export interface IssuedToken {
  value: string;
  clientId: string;
  scope: string;
  resource?: string;
  expiresAt: number;
}

export interface RecordedTokenRequest {
  authorization?: string;
  contentType?: string;
  params: Record<string, string[]>;
  /** The client that authenticated, if one did. */
  clientId?: string;
  authMethod?: 'client_secret_basic' | 'client_secret_post';
}

export interface ScriptedResponse {
  status: number;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Claims of a signed access token; everything else is valid for five minutes. */
export interface AccessTokenOptions {
  audience: string;
  scope: string;
  subject?: string;
  expiresInSeconds?: number;
}

export interface FakeAuthorizationServerOptions {
  clients: FakeClient[];
  tokenLifetimeSeconds?: number;
  /** Clock for token expiry, in milliseconds (tests that move time inject one). */
  now?: () => number;
}

const TOKEN_PATH = '/oauth/token';

export class FakeAuthorizationServer {
  readonly tokenRequests: RecordedTokenRequest[] = [];
  metadataRequests = 0;
  tokenLifetimeSeconds: number;
  private readonly issued = new Map<string, IssuedToken>();
  private readonly scripted: ScriptedResponse[] = [];
  private gate?: Promise<void>;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    private readonly options: FakeAuthorizationServerOptions,
    private readonly signingKey: { privateKey: CryptoKey; publicJwk: JWK },
  ) {
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 300;
  }

  static async start(options: FakeAuthorizationServerOptions): Promise<FakeAuthorizationServer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = {
      ...(await exportJWK(publicKey)),
      kid: `fake-${randomUUID().slice(0, 8)}`,
      alg: 'ES256',
      use: 'sig',
    };
    let self: FakeAuthorizationServer | undefined;
    const server = createServer((req, res) => {
      self!.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new FakeAuthorizationServer(server, `http://127.0.0.1:${port}`, options, { privateKey, publicJwk });
    return self;
  }

  get tokenEndpoint(): string {
    return `${this.issuer}${TOKEN_PATH}`;
  }

  /** Number of requests that reached the token endpoint (scripted answers included). */
  get tokenRequestCount(): number {
    return this.tokenRequests.length;
  }

  /** The next token requests get these answers, in order, instead of a token. */
  respondNext(...responses: ScriptedResponse[]): void {
    this.scripted.push(...responses);
  }

  /** Holds token responses until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.gate = undefined;
      release();
    };
  }

  /** A signed RFC 9068 access token (`typ: at+jwt`, ES256) from this issuer, as the real auth-server issues them. */
  accessToken({ audience, scope, subject = 'caller', expiresInSeconds = 300 }: AccessTokenOptions): Promise<string> {
    const now = Math.floor(this.now() / 1000);
    return new SignJWT({ client_id: subject, scope })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: this.signingKey.publicJwk.kid })
      .setIssuer(this.issuer)
      .setSubject(subject)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + expiresInSeconds)
      .setJti(randomUUID())
      .sign(this.signingKey.privateKey);
  }

  /** What the server knows about a token it issued; undefined when unknown, revoked or expired. */
  introspect(value: string): IssuedToken | undefined {
    const token = this.issued.get(value);
    return token && token.expiresAt > this.now() ? token : undefined;
  }

  revoke(value: string): void {
    this.issued.delete(value);
  }

  revokeAll(): void {
    this.issued.clear();
  }

  /** Stops listening; the issuer's address then refuses connections. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.issuer).pathname;
    if (req.method === 'GET' && path === '/.well-known/oauth-authorization-server') {
      this.metadataRequests += 1;
      return send(res, 200, {
        issuer: this.issuer,
        token_endpoint: this.tokenEndpoint,
        jwks_uri: `${this.issuer}/.well-known/jwks.json`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    }
    if (req.method === 'GET' && path === '/.well-known/jwks.json')
      return send(res, 200, { keys: [this.signingKey.publicJwk] });
    if (req.method === 'POST' && path === TOKEN_PATH) return this.token(req, res);
    return send(res, 404, { error: 'not_found' });
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const form = new URLSearchParams(raw);
    const params: Record<string, string[]> = {};
    for (const [key, value] of form) (params[key] ??= []).push(value);
    const record: RecordedTokenRequest = {
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      params,
    };
    this.tokenRequests.push(record);
    if (this.gate) await this.gate;

    const scripted = this.scripted.shift();
    if (scripted) return send(res, scripted.status, scripted.body, scripted.headers);

    if (!record.contentType?.startsWith('application/x-www-form-urlencoded'))
      return oauthError(res, 400, 'invalid_request', 'The body must be form-encoded');
    const single = (name: string) => (params[name]?.length === 1 ? params[name][0] : undefined);
    if (Object.values(params).some((values) => values.length > 1))
      return oauthError(res, 400, 'invalid_request', 'A parameter is repeated');

    const basic = parseBasic(req.headers.authorization);
    if (basic === null)
      return oauthError(res, 401, 'invalid_client', 'Malformed Basic credentials', {
        'www-authenticate': 'Basic realm="fake"',
      });
    if (basic && single('client_secret') !== undefined)
      return oauthError(res, 400, 'invalid_request', 'Use one client authentication method');
    const credentials = basic ?? { clientId: single('client_id') ?? '', clientSecret: single('client_secret') ?? '' };
    const client = this.options.clients.find(
      (c) => c.clientId === credentials.clientId && c.clientSecret === credentials.clientSecret,
    );
    if (!client)
      return oauthError(res, 401, 'invalid_client', 'Client authentication failed', {
        'www-authenticate': 'Basic realm="fake"',
      });
    record.clientId = client.clientId;
    record.authMethod = basic ? 'client_secret_basic' : 'client_secret_post';

    if (single('grant_type') !== 'client_credentials')
      return oauthError(res, 400, 'unsupported_grant_type', 'Only client_credentials is supported');
    const resource = single('resource');
    if (resource !== undefined && client.resources && !client.resources.includes(resource)) {
      return oauthError(res, 400, 'invalid_target', `The client may not obtain tokens for ${resource}`);
    }
    const allowed = client.scopes ?? [];
    const requested = single('scope')?.split(' ').filter(Boolean);
    if (requested?.some((scope) => !allowed.includes(scope)))
      return oauthError(res, 400, 'invalid_scope', 'A requested scope is not granted to the client');
    const scope = (requested ?? allowed).join(' ');

    const token: IssuedToken = {
      value: `fake-at-${randomBytes(16).toString('hex')}`,
      clientId: client.clientId,
      scope,
      resource,
      expiresAt: this.now() + this.tokenLifetimeSeconds * 1000,
    };
    this.issued.set(token.value, token);
    return send(
      res,
      200,
      { access_token: token.value, token_type: 'Bearer', expires_in: this.tokenLifetimeSeconds, scope },
      { 'cache-control': 'no-store' },
    );
  }
}

/** Basic credentials per RFC 6749 §2.3.1: undefined when absent, null when malformed. */
function parseBasic(header: string | undefined): { clientId: string; clientSecret: string } | undefined | null {
  if (header === undefined) return undefined;
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const formDecode = (value: string) => new URLSearchParams(`v=${value}`).get('v') ?? '';
  return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
}

function oauthError(
  res: ServerResponse,
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): void {
  send(res, status, { error, error_description: description }, headers);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain' : 'application/json';
  res.writeHead(status, { 'content-type': type, ...headers }).end(text);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
