import { Inject, Injectable } from '@nestjs/common';
import { hashCredential, hasCredentialPrefix, parseCredential } from '@tollgate/credentials';
import { CLOCK, type Clock } from '@tollgate/platform';
import { OAuthError } from '@tollgate/platform/http';
import { LRUCache } from 'lru-cache';
import { AuditService } from '../audit/audit.service.js';
import {
  type ClientEntity,
  type ClientGrant,
  ClientsRepository,
  type TokenEndpointAuthMethod,
} from '../clients/clients.repository.js';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import type { ThrottleDecision } from '../throttling/auth-failure-throttle.js';
import { type FailureThrottle, SharedAuthFailures } from '../throttling/shared-auth-failures.js';
import type { FormParameters } from './form-parameters.js';
import { registeredCertificateThumbprints } from '../clients/client-jwks.js';
import { certificateNamesSubject } from '../clients/certificate-subject.js';
import { CERTIFICATE_AUTH_METHODS } from '../clients/auth-methods.js';
import type { PresentedCertificate } from './mtls/mtls-endpoint.js';
import { ClientAssertionVerifier, JWT_BEARER_ASSERTION_TYPE } from './client-assertion.verifier.js';

export type { ClientGrant };

export interface AuthenticatedClient {
  client: ClientEntity;
  grants: ClientGrant[];
  method: TokenEndpointAuthMethod;
}

interface PresentedCredentials {
  method: TokenEndpointAuthMethod;
  clientId: string;
  secret?: string;
  assertion?: string;
  /**
   * The TLS client certificate, when it is what authenticates the client (RFC 8705 §2): the method is
   * then the client's own, tls_client_auth or self_signed_tls_client_auth, once the client is known.
   */
  certificate?: PresentedCertificate;
}

/**
 * A client authenticated with a secret is remembered this long under the secret's hash, so a client
 * asking for tokens again costs no query. Any revocation, here or on another instance (the feed
 * wakes every instance), and any change to the client clears the cache at once; other changes
 * (a resource's scopes or token lifetime) apply within this delay.
 */
const VERIFIED_SECRET_TTL_MS = 5_000;

interface VerifiedSecret {
  result: AuthenticatedClient;
  secretExpiresAt: Date | null;
  until: number;
}

/** A presented secret that matches no stored secret (for any client). */
const NO_SUCH_SECRET = Symbol('no such secret');

const MAX_CLIENT_ID_LENGTH = 128;
const MAX_SECRET_LENGTH = 512;

/** Decodes one half of a Basic header: form-urlencoded before base64 (RFC 6749 §2.3.1, Appendix B). */
function decodeFormComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError('invalid_request', 'The Basic authorization header is not correctly encoded');
  }
}

/** RFC 6749 §5.2 has no code for "slow down": temporarily_unavailable with 429 and Retry-After. */
function throttled({ retryAfterSeconds, busy }: ThrottleDecision & { busy?: boolean }): OAuthError {
  const why = busy ? 'Too many client authentications in progress' : 'Too many failed client authentications';
  return new OAuthError('temporarily_unavailable', `${why}; retry in ${retryAfterSeconds} s`, 429, {
    'Retry-After': String(retryAfterSeconds),
  });
}

function parseBasic(header: string): { clientId: string; secret: string } {
  const encoded = header.slice('basic '.length).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded))
    throw new OAuthError('invalid_request', 'The Basic authorization header is malformed');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1)
    throw new OAuthError('invalid_request', 'The Basic authorization header must carry client_id:client_secret');
  return {
    clientId: decodeFormComponent(decoded.slice(0, colon)),
    secret: decodeFormComponent(decoded.slice(colon + 1)),
  };
}

/** Which single client authentication method the request uses (RFC 6749 §2.3: exactly one). */
function presentedCredentials(
  authorization: string | undefined,
  params: FormParameters,
  certificate: PresentedCertificate | undefined,
): PresentedCredentials {
  const basic = authorization && /^basic /i.test(authorization) ? parseBasic(authorization) : undefined;
  const methods = [
    basic !== undefined,
    params.client_secret !== undefined,
    params.client_assertion !== undefined || params.client_assertion_type !== undefined,
  ].filter(Boolean).length;
  if (methods > 1) throw new OAuthError('invalid_request', 'Use exactly one client authentication method');
  if (basic) {
    if (params.client_id !== undefined && params.client_id !== basic.clientId)
      throw new OAuthError('invalid_request', 'client_id does not match the Basic authorization header');
    return { method: 'client_secret_basic', clientId: basic.clientId, secret: basic.secret };
  }
  if (params.client_secret !== undefined) {
    if (!params.client_id) throw new OAuthError('invalid_request', 'client_id is required with client_secret');
    return { method: 'client_secret_post', clientId: params.client_id, secret: params.client_secret };
  }
  if (params.client_assertion !== undefined || params.client_assertion_type !== undefined) {
    if (params.client_assertion_type !== JWT_BEARER_ASSERTION_TYPE)
      throw new OAuthError('invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`);
    if (!params.client_assertion) throw new OAuthError('invalid_request', 'client_assertion is required');
    const clientId = params.client_id ?? ClientAssertionVerifier.unverifiedIssuer(params.client_assertion);
    if (!clientId)
      throw new OAuthError('invalid_request', 'client_id is required (or an assertion whose iss names the client)');
    return { method: 'private_key_jwt', clientId, assertion: params.client_assertion };
  }
  // RFC 8705 §2: at the mTLS endpoint, the certificate itself authenticates a client that names itself.
  if (certificate && params.client_id) return { method: 'tls_client_auth', clientId: params.client_id, certificate };
  throw new OAuthError('invalid_client', 'Client authentication is required', 401, {
    'WWW-Authenticate': 'Basic realm="tollgate"',
  });
}

/**
 * Authenticates the client at the token, introspection and revocation endpoints:
 * client_secret_basic, client_secret_post and private_key_jwt (RFC 7523), with failures throttled
 * per client id and address (issue 11). A secret is cheap to check (checksum, then an indexed
 * SHA-256 lookup), so it is checked first and a right one is never throttled: only its failures
 * are counted. An assertion's signature is not cheap, so the attempt is counted before it is
 * verified and refused over the limit without reaching the verifier.
 */
@Injectable()
export class ClientAuthenticationService {
  private readonly throttle: FailureThrottle;
  private readonly verifiedSecrets = new LRUCache<string, VerifiedSecret>({ max: 10_000 });

  constructor(
    private readonly clients: ClientsRepository,
    private readonly assertions: ClientAssertionVerifier,
    private readonly audit: AuditService,
    feed: RevocationFeedService,
    failures: SharedAuthFailures,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    feed.onWake(() => this.verifiedSecrets.clear());
    // Client ids are public (device ids are printed on devices), so what knowing one allows matters.
    // Per client id and address, 10 failures a minute; per client id, 100 (a guess spread over many
    // addresses), waived from addresses where the client authenticated within 30 days, so that
    // forged assertions from elsewhere cannot lock it out where it runs; per address, 50 (one
    // address trying many ids), which also holds for the client's own address, since a guesser
    // behind the same NAT cannot be told apart by address. A right secret passes all of them.
    this.throttle = failures.throttle('client-authentication', {
      perPair: 10,
      perId: 100,
      perAddress: 50,
      windowMs: 60_000,
    });
  }

  /** `certificate`: the TLS client certificate, for requests at the mTLS endpoint. */
  async authenticate(
    authorization: string | undefined,
    params: FormParameters,
    address: string,
    certificate?: PresentedCertificate,
  ): Promise<AuthenticatedClient> {
    const presented = presentedCredentials(authorization, params, certificate);
    // RFC 6749 Appendix A.1: client_id = *VSCHAR. Anything else names no client (and a NUL would fail a PostgreSQL query).
    if (!/^[\x20-\x7e]+$/.test(presented.clientId)) throw new OAuthError('invalid_request', 'client_id is malformed');
    const attempt = { id: presented.clientId, address };
    if (presented.certificate !== undefined) {
      const verified = await this.verifyCertificate(presented, presented.certificate);
      if (typeof verified === 'object') return verified;
      const decision = await this.throttle.recordFailure(attempt);
      if (decision.blocked) throw throttled(decision);
      return this.refuse(presented, address, verified);
    }
    if (presented.secret !== undefined) {
      const verified = await this.verifySecret(presented, presented.secret);
      if (typeof verified === 'object') return verified;
      const decision = await this.throttle.recordFailure(attempt);
      if (decision.blocked) throw throttled(decision);
      return this.refuse(
        presented,
        address,
        verified === NO_SUCH_SECRET ? () => this.whyNoSecretMatched(presented) : verified,
      );
    }
    const reservation = await this.throttle.reserve(attempt);
    if (reservation.blocked) throw throttled(reservation);
    let verified: AuthenticatedClient | string;
    try {
      verified = await this.verifyAssertion(presented, presented.assertion!);
    } catch (error) {
      await reservation.abandoned();
      throw error;
    }
    if (typeof verified !== 'string') {
      await reservation.succeeded();
      return verified;
    }
    await reservation.failed();
    return this.refuse(presented, address, verified);
  }

  /** A failure within the limits: audited (throttled ones are not, so a flood cannot fill the audit log) and answered 401. */
  private async refuse(
    presented: PresentedCredentials,
    address: string,
    reason: string | (() => Promise<string>),
  ): Promise<never> {
    const why = typeof reason === 'string' ? reason : await reason();
    this.audit.recordInBackground({
      action: 'client.auth.failed',
      outcome: 'failure',
      actor: { type: 'anonymous' },
      credential: { type: 'client', id: presented.clientId.slice(0, 128) },
      address,
      reason: why,
      details: { method: presented.method },
    });
    const headers: Record<string, string> =
      presented.method === 'client_secret_basic' ? { 'WWW-Authenticate': 'Basic realm="tollgate"' } : {};
    throw new OAuthError('invalid_client', 'Client authentication failed', 401, headers);
  }

  /** Returns the authenticated client, or the reason authentication failed (for the audit log only). */
  private async verifySecret(
    presented: PresentedCredentials,
    presentedSecret: string,
  ): Promise<AuthenticatedClient | string | typeof NO_SUCH_SECRET> {
    if (presented.clientId.length > MAX_CLIENT_ID_LENGTH) return 'client_id too long';
    if (presentedSecret.length > MAX_SECRET_LENGTH) return 'secret too long';
    if (hasCredentialPrefix(presentedSecret) && !parseCredential(presentedSecret)) return 'secret checksum failed';
    const secretHash = hashCredential(presentedSecret);
    const now = this.clock.now();
    const remembered = this.verifiedSecrets.get(secretHash);
    if (
      remembered &&
      remembered.until > now.getTime() &&
      remembered.result.client.id === presented.clientId &&
      remembered.result.method === presented.method
    ) {
      if (remembered.secretExpiresAt && remembered.secretExpiresAt <= now) return 'secret expired';
      return remembered.result;
    }
    // A guess costs this one indexed lookup: why it failed is looked up only if the failure is audited.
    const secret = await this.clients.findSecretForAuthentication(secretHash);
    if (!secret) return NO_SUCH_SECRET;
    if (secret.clientId !== presented.clientId) return 'wrong secret';
    const client = await this.clientUsing(presented);
    if (typeof client === 'string') return client;
    if (secret.expiresAt && secret.expiresAt <= now) return 'secret expired';
    const result = { client, grants: await this.clients.grantsForAuthentication(client.id), method: presented.method };
    this.verifiedSecrets.set(secretHash, {
      result,
      secretExpiresAt: secret.expiresAt,
      until: now.getTime() + VERIFIED_SECRET_TTL_MS,
    });
    return result;
  }

  /** Returns the authenticated client, or the reason authentication failed (for the audit log only). */
  private async verifyAssertion(
    presented: PresentedCredentials,
    assertion: string,
  ): Promise<AuthenticatedClient | string> {
    if (presented.clientId.length > MAX_CLIENT_ID_LENGTH) return 'client_id too long';
    const client = await this.clientUsing(presented);
    if (typeof client === 'string') return client;
    const problem = await this.assertions.verify(assertion, client);
    if (problem) return problem;
    return { client, grants: await this.clients.grantsForAuthentication(client.id), method: presented.method };
  }

  /**
   * RFC 8705 §2.1: a certificate from a CA the auth-server trusts (checked in the handshake, validity
   * included) that names the client as it registered; §2.2: a certificate the client registered
   * itself (in its JWK set's x5c), whoever issued it.
   */
  private async verifyCertificate(
    presented: PresentedCredentials,
    certificate: PresentedCertificate,
  ): Promise<AuthenticatedClient | string> {
    if (presented.clientId.length > MAX_CLIENT_ID_LENGTH) return 'client_id too long';
    const client = await this.clientUsing(presented, CERTIFICATE_AUTH_METHODS);
    if (typeof client === 'string') return client;
    presented.method = client.tokenEndpointAuthMethod;
    if (client.tokenEndpointAuthMethod === 'tls_client_auth') {
      if (!certificate.issuedByTrustedCa) return `certificate not from a trusted CA (${certificate.notTrustedBecause})`;
      if (!client.tlsClientAuth || !certificateNamesSubject(certificate.der, client.tlsClientAuth))
        return `certificate does not carry the registered ${client.tlsClientAuth?.field ?? 'subject'}`;
    } else if (!registeredCertificateThumbprints(client.jwks).includes(certificate.thumbprint))
      return 'certificate not registered';
    return { client, grants: await this.clients.grantsForAuthentication(client.id), method: presented.method };
  }

  /** Why a secret that matches no stored secret failed for the client named. */
  private async whyNoSecretMatched(presented: PresentedCredentials): Promise<string> {
    const client = await this.clientUsing(presented);
    return typeof client === 'string' ? client : 'wrong secret';
  }

  /** The client named, if it exists, is enabled and uses the method presented (or one of `methods`); otherwise why not. */
  private async clientUsing(
    presented: PresentedCredentials,
    methods: readonly TokenEndpointAuthMethod[] = [presented.method],
  ): Promise<ClientEntity | string> {
    const client = await this.clients.findForAuthentication(presented.clientId);
    if (!client) return 'unknown client';
    if (client.disabled) return 'client disabled';
    if (!methods.includes(client.tokenEndpointAuthMethod))
      return `client uses ${client.tokenEndpointAuthMethod}, not ${methods.join(' or ')}`;
    return client;
  }
}
