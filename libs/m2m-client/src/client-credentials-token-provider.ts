import {
  type AuthorizationServerMetadata,
  DiscoveryError,
  discoverAuthorizationServer,
} from './authorization-server-metadata.js';
import { describeFetchFailure, isJsonObject, isTimeout, readJson } from './fetch-helpers.js';
import { DpopKey } from '@tollgate/dpop';
import { type ClientCertificate, clientCertificateFetch } from './client-certificate-fetch.js';
import { internalIssuerFetch } from './internal-issuer-url.js';
import { type CryptoKey, type KeyObject, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { AuthServerUnavailableError, InvalidTokenResponseError, TokenRequestError } from './token-errors.js';

/** An access token and what the authorization server said about it. */
export interface AccessToken {
  value: string;
  /** When the token expires (`expires_in` counted from the moment the request was sent). */
  expiresAt: Date;
  /** The granted scope: the server's `scope`, or the requested one when the server omits it (RFC 6749 §5.1). */
  scope?: string;
  /** `DPoP`: bound to the provider's DPoP key (RFC 9449), sent with a proof of it; `Bearer` (or absent) otherwise. */
  type?: 'Bearer' | 'DPoP';
}

/** One request a DPoP proof is made for (RFC 9449 §4.2). */
export interface DpopProofRequest {
  method: string;
  url: string;
  accessToken?: string;
}

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** The private key a `private_key_jwt` client signs its assertions with (RFC 7523 §2.2). */
export interface ClientAssertionKey {
  key: CryptoKey | KeyObject;
  alg: 'ES256' | 'EdDSA';
  /** The `kid` of the registered public key, when the client has several. */
  kid?: string;
}

/** An assertion is valid this long: long enough for clock skew, short enough to be worthless when copied. */
const ASSERTION_LIFETIME_SECONDS = 60;
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface ClientCredentialsOptions {
  /** Issuer URL; the token endpoint is found through its RFC 8414 metadata. */
  issuer: string;
  /**
   * Where this client reaches the issuer's origin when the issuer URL does not resolve here (a
   * container network): discovery and every endpoint on that origin go there. The metadata must
   * still name `issuer`, and DPoP proofs and client assertions still name the public endpoints.
   */
  internalUrl?: string;
  clientId: string;
  /** The secret, for client_secret_basic and client_secret_post. */
  clientSecret?: string;
  /** The signing key, for private_key_jwt (RFC 7523): no secret ever leaves the client. */
  clientAssertionKey?: ClientAssertionKey;
  /** RFC 8707 resource indicator: the API (the `aud`) the token is for. */
  resource?: string;
  /** Space-separated scopes to request (RFC 6749 §3.3); the server's default when omitted. */
  scope?: string;
  /** How the client authenticates at the token endpoint (RFC 6749 §2.3.1, RFC 7523); default `client_secret_basic`. */
  authMethod?: ClientAuthMethod;
  /**
   * A token is replaced this many seconds before it expires (default 30), so it does not expire on the
   * way to the resource server. Capped at half the token's lifetime, so short-lived tokens are still reused.
   */
  refreshSkewSeconds?: number;
  fetch?: typeof fetch;
  /** Clock in milliseconds since the epoch (tests inject one). */
  now?: () => number;
  /** Time allowed for discovery and for each token request, in milliseconds (default 10,000). */
  timeoutMs?: number;
  /**
   * Sender-constrained tokens (RFC 9449): `true` generates a DPoP key for this provider (kept in
   * memory), or give one. Tokens are then bound to it, and a stolen token is useless without it.
   */
  dpop?: true | DpopKey;
  /**
   * Certificate-bound tokens (RFC 8705): token requests go to the server's mTLS endpoint
   * (`mtls_endpoint_aliases.token_endpoint`) over TLS with this client certificate, and the tokens
   * are bound to it; a resource server that sees the certificate (the MQTT broker) requires it.
   */
  clientCertificate?: ClientCertificate;
}

interface CachedToken {
  token: AccessToken;
  refreshAt: number;
}

const DEFAULT_SKEW_SECONDS = 30;
const MAX_SKEW_FRACTION = 0.5;
const MAX_DESCRIPTION_LENGTH = 300;
const AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];

/** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 and Appendix B require before Basic's base64. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** Text from the server, made safe to put in a message or a log line. */
function sanitize(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > MAX_DESCRIPTION_LENGTH ? `${clean.slice(0, MAX_DESCRIPTION_LENGTH)}…` : clean;
}

function retryAfterSeconds(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

function parseExpiresIn(value: unknown): number | undefined {
  // A JSON number per RFC 6749 §5.1; digit strings are tolerated because some servers send them.
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/**
 * Obtains access tokens with the OAuth 2.0 client-credentials grant (RFC 6749 §4.4) and caches them:
 * one token is reused until shortly before it expires, concurrent callers share a single request,
 * and failures are never cached. The client secret is held in a private field and never appears in
 * an error message.
 *
 * `getToken()` rejects with {@link AuthServerUnavailableError} (unreachable, timeout, 5xx, 429),
 * {@link TokenRequestError} (an OAuth error such as `invalid_client`), {@link InvalidTokenResponseError}
 * (a malformed answer) or {@link DiscoveryError} (the issuer's metadata is missing or wrong).
 */
export class ClientCredentialsTokenProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly resource?: string;
  readonly scope?: string;
  readonly authMethod: ClientAuthMethod;
  readonly #clientSecret?: string;
  readonly #assertionKey?: ClientAssertionKey;
  readonly #skewMs: number;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  #metadata?: Promise<AuthorizationServerMetadata>;
  #cached?: CachedToken;
  #inflight?: Promise<AccessToken>;
  #dpopKey?: Promise<DpopKey>;
  readonly #certificateFetch?: typeof fetch;
  /** The last DPoP-Nonce each server gave (RFC 9449 §8), by origin. */
  readonly #dpopNonces = new Map<string, string>();

  constructor(options: ClientCredentialsOptions) {
    for (const name of ['issuer', 'clientId'] as const) {
      if (typeof options[name] !== 'string' || options[name].length === 0)
        throw new TypeError(`ClientCredentialsTokenProvider: ${name} is required`);
    }
    const skew = options.refreshSkewSeconds ?? DEFAULT_SKEW_SECONDS;
    if (!Number.isFinite(skew) || skew < 0)
      throw new TypeError('ClientCredentialsTokenProvider: refreshSkewSeconds must be a number ≥ 0');
    const authMethod = options.authMethod ?? 'client_secret_basic';
    if (!AUTH_METHODS.includes(authMethod))
      throw new TypeError(`ClientCredentialsTokenProvider: authMethod must be one of ${AUTH_METHODS.join(', ')}`);
    if (authMethod === 'private_key_jwt' && !options.clientAssertionKey)
      throw new TypeError('ClientCredentialsTokenProvider: private_key_jwt needs clientAssertionKey');
    if (authMethod !== 'private_key_jwt' && !options.clientSecret)
      throw new TypeError('ClientCredentialsTokenProvider: clientSecret is required');
    this.issuer = options.issuer;
    this.clientId = options.clientId;
    this.resource = options.resource;
    this.scope = options.scope;
    this.authMethod = authMethod;
    this.#clientSecret = options.clientSecret;
    this.#assertionKey = options.clientAssertionKey;
    this.#skewMs = skew * 1000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.internalUrl
      ? internalIssuerFetch(options.issuer, options.internalUrl, options.fetch)
      : (options.fetch ?? fetch);
    this.#now = options.now ?? Date.now;
    if (options.clientCertificate) this.#certificateFetch = clientCertificateFetch(options.clientCertificate);
    if (options.dpop) this.#dpopKey = Promise.resolve(options.dpop === true ? DpopKey.generate() : options.dpop);
  }

  /** Whether tokens are requested bound to a DPoP key. */
  get usesDpop(): boolean {
    return this.#dpopKey !== undefined;
  }

  /** A DPoP proof of this provider's key for one request (with the server's nonce when it gave one). */
  async dpopProof(request: DpopProofRequest): Promise<string> {
    if (!this.#dpopKey) throw new TypeError('ClientCredentialsTokenProvider: this provider has no DPoP key');
    const key = await this.#dpopKey;
    return key.proof({ ...request, nonce: this.#dpopNonces.get(new URL(request.url).origin) });
  }

  /** Remembers a server's DPoP-Nonce (from any answer of that server); true when it is new. */
  rememberDpopNonce(url: string, response: Response): boolean {
    const nonce = response.headers.get('dpop-nonce');
    const origin = new URL(url).origin;
    if (!nonce || this.#dpopNonces.get(origin) === nonce) return false;
    this.#dpopNonces.set(origin, nonce);
    return true;
  }

  /** A token valid for at least the refresh skew: the cached one, or a new one (one request for all concurrent callers). */
  getToken(): Promise<AccessToken> {
    const cached = this.#cached;
    if (cached && this.#now() < cached.refreshAt) return Promise.resolve(cached.token);
    this.#inflight ??= this.#refresh(cached).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /**
   * Forgets the cached token, so the next `getToken()` requests a new one (call it when a resource
   * server answers 401). Given the rejected token, forgets only that one: a token obtained meanwhile
   * by another caller is kept, so a burst of 401s causes one refresh, not one per request.
   */
  invalidate(rejected?: AccessToken | string): void {
    const value = typeof rejected === 'string' ? rejected : rejected?.value;
    if (value === undefined || this.#cached?.token.value === value) this.#cached = undefined;
  }

  async #refresh(stale: CachedToken | undefined): Promise<AccessToken> {
    try {
      const fresh = await this.#requestToken();
      this.#cached = fresh;
      return fresh.token;
    } catch (error) {
      // Refreshing ahead of expiry failed for a passing reason: the old token is still valid, so use it.
      if (error instanceof AuthServerUnavailableError && stale && this.#now() < stale.token.expiresAt.getTime())
        return stale.token;
      throw error;
    }
  }

  /** RFC 7523 §3: iss = sub = client_id, aud the token endpoint, a fresh jti, a short exp. */
  #clientAssertion(tokenEndpoint: string): Promise<string> {
    const { key, alg, kid } = this.#assertionKey!;
    const now = Math.floor(this.#now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg, ...(kid && { kid }) })
      .setIssuer(this.clientId)
      .setSubject(this.clientId)
      .setAudience(tokenEndpoint)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_LIFETIME_SECONDS)
      .sign(key);
  }

  async #requestToken(): Promise<CachedToken> {
    const metadata = await this.#discover();
    const attempt = await this.#sendTokenRequest(metadata);
    // RFC 9449 §8: the server wants its nonce in the proof; the request is made once more with it.
    if (
      this.#dpopKey &&
      attempt.response.status === 400 &&
      isJsonObject(attempt.json) &&
      attempt.json.error === 'use_dpop_nonce' &&
      attempt.response.headers.has('dpop-nonce')
    )
      return this.#interpret(await this.#sendTokenRequest(metadata));
    return this.#interpret(attempt);
  }

  async #sendTokenRequest(
    metadata: AuthorizationServerMetadata,
  ): Promise<{ response: Response; json: unknown; requestedAt: number }> {
    const tokenEndpoint = this.#tokenEndpoint(metadata);
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.scope) body.set('scope', this.scope);
    if (this.resource) body.set('resource', this.resource);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (this.authMethod === 'client_secret_basic') {
      headers.authorization = `Basic ${Buffer.from(`${formEncode(this.clientId)}:${formEncode(this.#clientSecret!)}`).toString('base64')}`;
    } else if (this.authMethod === 'client_secret_post') {
      body.set('client_id', this.clientId);
      body.set('client_secret', this.#clientSecret!);
    } else {
      body.set('client_id', this.clientId);
      body.set('client_assertion_type', JWT_BEARER);
      body.set('client_assertion', await this.#clientAssertion(metadata.token_endpoint));
    }
    if (this.#dpopKey) headers.dpop = await this.dpopProof({ method: 'POST', url: tokenEndpoint });

    const requestedAt = this.#now();
    let response: Response;
    let json: unknown;
    try {
      // Never follow a redirect: it would carry the client's credentials to another place.
      response = await (this.#certificateFetch ?? this.#fetch)(tokenEndpoint, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      json = await readJson(response);
      if (this.#dpopKey) this.rememberDpopNonce(tokenEndpoint, response);
    } catch (error) {
      this.#metadata = undefined;
      const reason = describeFetchFailure(error, this.#timeoutMs);
      throw new AuthServerUnavailableError(
        this.issuer,
        `The authorization server at ${this.issuer} is unreachable (${reason})`,
        { cause: error, timedOut: isTimeout(error) },
      );
    }
    return { response, json, requestedAt };
  }

  #interpret({ response, json, requestedAt }: { response: Response; json: unknown; requestedAt: number }): CachedToken {
    const { status } = response;
    const oauthError = isJsonObject(json) && typeof json.error === 'string' ? sanitize(json.error) : undefined;
    if (status >= 500 || status === 429) {
      this.#metadata = undefined;
      const what = status === 429 ? 'is rate limiting this client' : 'is unavailable';
      throw new AuthServerUnavailableError(
        this.issuer,
        `The authorization server at ${this.issuer} ${what} (HTTP ${status}${oauthError ? `, ${oauthError}` : ''})`,
        {
          status,
          retryAfterSeconds: retryAfterSeconds(response),
        },
      );
    }
    if (status !== 200) {
      if (oauthError && isJsonObject(json)) {
        throw new TokenRequestError(
          this.issuer,
          this.clientId,
          status,
          oauthError,
          sanitize(json.error_description),
          sanitize(json.error_uri),
        );
      }
      this.#metadata = undefined;
      const location =
        status >= 300 && status < 400 ? ` to ${sanitize(response.headers.get('location')) ?? 'nowhere'}` : '';
      throw new InvalidTokenResponseError(
        this.issuer,
        status,
        `expected a token or an OAuth error, got HTTP ${status}${location} without an "error" member`,
      );
    }
    if (!isJsonObject(json)) throw new InvalidTokenResponseError(this.issuer, status, 'the body is not a JSON object');
    if (typeof json.access_token !== 'string' || json.access_token.length === 0) {
      throw new InvalidTokenResponseError(this.issuer, status, 'access_token is missing or not a string');
    }
    // RFC 9449 §5: a DPoP token only when a proof was sent; a server without DPoP answers Bearer.
    const tokenType = typeof json.token_type === 'string' ? json.token_type.toLowerCase() : undefined;
    if (tokenType !== 'bearer' && !(tokenType === 'dpop' && this.#dpopKey)) {
      throw new InvalidTokenResponseError(
        this.issuer,
        status,
        `token_type ${JSON.stringify(sanitize(json.token_type) ?? null)} is not ${this.#dpopKey ? 'DPoP or Bearer' : 'Bearer'}`,
      );
    }
    const expiresIn = parseExpiresIn(json.expires_in);
    if (expiresIn === undefined)
      throw new InvalidTokenResponseError(this.issuer, status, 'expires_in is missing or not a positive number');
    if (json.scope !== undefined && typeof json.scope !== 'string')
      throw new InvalidTokenResponseError(this.issuer, status, 'scope is not a string');

    const lifetimeMs = expiresIn * 1000;
    const expiresAt = requestedAt + lifetimeMs;
    const token: AccessToken = {
      value: json.access_token,
      expiresAt: new Date(expiresAt),
      scope: json.scope ?? this.scope,
      type: tokenType === 'dpop' ? 'DPoP' : 'Bearer',
    };
    return { token, refreshAt: expiresAt - Math.min(this.#skewMs, lifetimeMs * MAX_SKEW_FRACTION) };
  }

  /** Where token requests go: the mTLS endpoint when the tokens are to be certificate-bound (RFC 8705 §5). */
  #tokenEndpoint(metadata: AuthorizationServerMetadata): string {
    if (!this.#certificateFetch) return metadata.token_endpoint;
    const aliases = metadata.mtls_endpoint_aliases as { token_endpoint?: unknown } | undefined;
    if (typeof aliases?.token_endpoint !== 'string')
      throw new DiscoveryError(
        `${this.issuer} offers no mTLS token endpoint (mtls_endpoint_aliases.token_endpoint): certificate-bound tokens are not available there`,
      );
    return aliases.token_endpoint;
  }

  /** The issuer's metadata, fetched once and fetched again after any failure to reach it or its token endpoint. */
  #discover(): Promise<AuthorizationServerMetadata> {
    this.#metadata ??= discoverAuthorizationServer(this.issuer, {
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
    }).catch((error: unknown) => {
      this.#metadata = undefined;
      if (error instanceof DiscoveryError && error.transient) {
        throw new AuthServerUnavailableError(this.issuer, error.message, {
          cause: error,
          status: error.status,
          timedOut: error.timedOut,
        });
      }
      throw error;
    });
    return this.#metadata;
  }
}
