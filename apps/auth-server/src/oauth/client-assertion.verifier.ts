import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from 'jose';
import type { ClientEntity } from '../clients/clients.repository.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { UsedClientAssertionsRepository } from './used-client-assertions.repository.js';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** What a client may sign its assertion with (RFC 7523): asymmetric only, never `none` or HMAC. The metadata advertises this list. */
export const CLIENT_ASSERTION_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
];
/** An assertion may not be valid for longer than this (its `exp` − now). */
const MAX_ASSERTION_LIFETIME_S = 600;

/**
 * RFC 9864: "Ed25519" is the fully specified name of "EdDSA" with an Ed25519 key, and current
 * clients (oauth4webapi, openid-client) sign with it; jose matches a JWK's `alg` exactly, so an
 * Ed25519 key registered under either name is offered under both.
 */
function withEd25519AlgAliases(jwks: JSONWebKeySet): JSONWebKeySet {
  return {
    keys: jwks.keys.flatMap((key) =>
      key.kty === 'OKP' && key.crv === 'Ed25519' && (key.alg === 'EdDSA' || key.alg === 'Ed25519')
        ? [
            { ...key, alg: 'EdDSA' },
            { ...key, alg: 'Ed25519' },
          ]
        : [key],
    ),
  };
}

/**
 * Verifies `private_key_jwt` client assertions (RFC 7523 §3, RFC 7521 §5.2): signed by one of the
 * client's registered keys with an asymmetric algorithm, iss = sub = client_id, aud naming this
 * server, a short `exp`, and a `jti` never seen before (stored until the assertion expires).
 */
@Injectable()
export class ClientAssertionVerifier {
  constructor(
    private readonly used: UsedClientAssertionsRepository,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  static unverifiedIssuer(assertion: string): string | undefined {
    try {
      const iss = decodeJwt(assertion).iss;
      return typeof iss === 'string' ? iss : undefined;
    } catch {
      return undefined;
    }
  }

  /** Returns null when the assertion is acceptable, otherwise why not (for the audit log). */
  async verify(assertion: string, client: ClientEntity): Promise<string | null> {
    if (!client.jwks || assertion.length > 8192) return 'assertion not acceptable';
    const now = this.clock.now();
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, createLocalJWKSet(withEd25519AlgAliases(client.jwks)), {
        algorithms: CLIENT_ASSERTION_ALGORITHMS,
        issuer: client.id,
        subject: client.id,
        audience: [this.config.issuer, `${this.config.issuer}/oauth/token`],
        requiredClaims: ['exp', 'jti'],
        currentDate: now,
        clockTolerance: 5,
      }));
    } catch (error) {
      return `assertion rejected: ${(error as Error).message}`;
    }
    if (payload.exp! - now.getTime() / 1000 > MAX_ASSERTION_LIFETIME_S) return 'assertion exp too far in the future';
    if (typeof payload.jti !== 'string' || payload.jti.length > 128) return 'assertion jti invalid';
    await this.used.deleteExpired(now);
    try {
      await this.used.insert(`${client.id} ${payload.jti}`, new Date(payload.exp! * 1000));
    } catch {
      return 'assertion replayed (jti already used)';
    }
    return null;
  }
}
