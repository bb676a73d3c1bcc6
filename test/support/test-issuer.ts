import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './fake-authorization-server.js';

/** A client the test issuer's token endpoint knows (RFC 6749 §4.4 client credentials). */
export interface TestClient {
  clientId: string;
  clientSecret: string;
  /** The RFC 8707 indicator its tokens are for. */
  resource: string;
  /** Scopes granted on that resource, space-separated. */
  scope: string;
  tokenTtlSeconds?: number;
}

/** Claims and header of a token signed by hand; everything has a sensible default. */
export interface TestTokenOptions {
  subject: string;
  audience?: string | string[];
  scope?: string;
  clientId?: string;
  /** Seconds from now; negative for an expired token. */
  expiresInSeconds?: number;
  issuedAt?: number;
  notBefore?: number;
  jti?: string;
  typ?: string;
  issuer?: string;
  /** Sign with a key the issuer never published, under the issuer's `kid` (a forged token). */
  forged?: boolean;
  /** Sign with HS256, using the issuer's public JWK as the HMAC secret (the algorithm-confusion attack). */
  hmacWithPublicKey?: boolean;
  /** Claims to leave out entirely. */
  omit?: Array<'exp' | 'iat' | 'jti' | 'sub' | 'client_id'>;
  /** Further claims, e.g. `client_kind`. */
  claims?: Record<string, unknown>;
}

/**
 * A small, real OAuth 2.0 authorization server for tests: an ES256 key, its JWKS, RFC 8414
 * metadata, and a client-credentials token endpoint issuing RFC 9068 JWT access tokens, on an
 * ephemeral port. Tokens are signed for real, so verifiers under test do real verification.
 */
export class TestIssuer {
  private server: Server;
  private port = 0;
  private readonly clients = new Map<string, TestClient>();
  /** Access tokens the token endpoint has issued, per client id. */
  readonly issuedTokens = new Map<string, number>();

  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
    private readonly foreignKey: CryptoKey,
    readonly kid: string,
    private readonly publicIssuer?: string,
  ) {
    this.server = this.createServer();
  }

  /** `publicIssuer`: the issuer it names (metadata, tokens) when that is not where it listens (see `url`). */
  static async start(options: { publicIssuer?: string } = {}): Promise<TestIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const foreign = await generateKeyPair('ES256');
    const kid = `test-${randomUUID().slice(0, 8)}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    const issuer = new TestIssuer(privateKey, publicJwk, foreign.privateKey, kid, options.publicIssuer);
    await issuer.resume();
    return issuer;
  }

  get issuer(): string {
    return this.publicIssuer ?? this.url;
  }

  /** Where it listens. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get tokenEndpoint(): string {
    return `${this.issuer}/token`;
  }

  get jwksUri(): string {
    return `${this.issuer}/jwks`;
  }

  registerClient(client: TestClient): TestClient {
    this.clients.set(client.clientId, client);
    return client;
  }

  /** Signs an RFC 9068 access token (or a deliberately broken one, per the options). */
  async token(options: TestTokenOptions): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const iat = options.issuedAt ?? now;
    const claims: Record<string, unknown> = {
      iss: options.issuer ?? this.issuer,
      sub: options.subject,
      aud: options.audience ?? 'https://iot.tollgate.local',
      client_id: options.clientId ?? options.subject,
      iat,
      exp: iat + (options.expiresInSeconds ?? 300),
      jti: options.jti ?? randomUUID(),
    };
    if (options.scope !== undefined) claims.scope = options.scope;
    if (options.notBefore !== undefined) claims.nbf = options.notBefore;
    Object.assign(claims, options.claims);
    for (const claim of options.omit ?? []) delete claims[claim];
    const jwt = new SignJWT(claims);
    if (options.hmacWithPublicKey) {
      return jwt
        .setProtectedHeader({ alg: 'HS256', typ: options.typ ?? 'at+jwt', kid: this.kid })
        .sign(new TextEncoder().encode(JSON.stringify(this.publicJwk)));
    }
    return jwt
      .setProtectedHeader({ alg: 'ES256', typ: options.typ ?? 'at+jwt', kid: this.kid })
      .sign(options.forged ? this.foreignKey : this.privateKey);
  }

  /** An unsigned token (`alg: none`, RFC 7519 §6) with valid-looking claims. */
  unsignedToken(options: TestTokenOptions): string {
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = {
      iss: this.issuer,
      sub: options.subject,
      aud: options.audience ?? 'https://iot.tollgate.local',
      client_id: options.subject,
      scope: options.scope,
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
    };
    return `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.`;
  }

  /** Stops answering (connections refused), as an auth-server that went down. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.server = this.createServer();
  }

  /** Starts (again) on the same port. */
  async resume(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  private createServer(): Server {
    return createServer((request, response) => {
      this.route(request, response).catch((error: unknown) =>
        send(response, 500, { error: 'server_error', error_description: String(error) }),
      );
    });
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', this.issuer).pathname;
    if (request.method === 'GET' && path === '/.well-known/oauth-authorization-server') {
      return send(response, 200, {
        issuer: this.issuer,
        token_endpoint: this.tokenEndpoint,
        jwks_uri: this.jwksUri,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    }
    if (request.method === 'GET' && path === '/jwks') return send(response, 200, { keys: [this.publicJwk] });
    if (request.method === 'POST' && path === '/token') return this.issue(request, response);
    send(response, 404, { error: 'not_found' });
  }

  /** RFC 6749 §4.4 with §2.3.1 client authentication and RFC 8707 `resource`. */
  private async issue(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(request));
    const credentials = basicCredentials(request.headers.authorization) ?? {
      id: form.get('client_id') ?? '',
      secret: form.get('client_secret') ?? '',
    };
    const client = this.clients.get(credentials.id);
    if (!client || client.clientSecret !== credentials.secret) {
      response.setHeader('www-authenticate', 'Basic realm="test-issuer"');
      return send(response, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    if (form.get('grant_type') !== 'client_credentials')
      return send(response, 400, { error: 'unsupported_grant_type' });
    const resource = form.get('resource') ?? client.resource;
    if (resource !== client.resource)
      return send(response, 400, { error: 'invalid_target', error_description: `No grant on ${resource}` });
    const granted = client.scope.split(' ').filter(Boolean);
    const requested = form.get('scope')?.split(' ').filter(Boolean) ?? granted;
    if (requested.some((scope) => !granted.includes(scope))) return send(response, 400, { error: 'invalid_scope' });
    const ttl = client.tokenTtlSeconds ?? 300;
    const accessToken = await this.token({
      subject: client.clientId,
      audience: resource,
      scope: requested.join(' '),
      expiresInSeconds: ttl,
    });
    this.issuedTokens.set(client.clientId, (this.issuedTokens.get(client.clientId) ?? 0) + 1);
    // `exp` is in whole seconds from a floored `iat`: announce no more than what is really left.
    const expiresIn = Math.max(1, Math.floor(Date.now() / 1000) + ttl - Math.ceil(Date.now() / 1000));
    response.setHeader('cache-control', 'no-store');
    send(response, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: expiresIn,
      scope: requested.join(' '),
    });
  }
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unescape = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
  return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
}

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
