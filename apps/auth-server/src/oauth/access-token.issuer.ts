import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { KeyObject, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { type ActiveSigningKey, type SigningAlg, SigningKeysService } from '../signing-keys/signing-keys.service.js';
import { newTokenId } from './token-id.js';

export interface AccessTokenRequest {
  /** `sub`: the client id, or the user id for a token exchanged for a PAT. */
  subject: string;
  clientId: string;
  audience: string;
  scopes: string[];
  ttlSeconds: number;
  /** Further claims, e.g. `pat_id` and `act` for exchanged tokens. */
  extraClaims?: Record<string, unknown>;
  /** The subject's "tokens issued before this are refused" instant: a new token must not fall before it. */
  validAfter?: Date | null;
  /** When what the token states was read (default: now). It is dated no later, so that a change announced after that refuses it. */
  issuedAt?: Date;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  issuedAt: Date;
  expiresAt: Date;
}

// jose signs through WebCrypto: per token, its argument checks, job and promise cost the event
// loop about as much again as the ES256 signature itself (43 µs of CPU against 22 µs, measured).
// The token endpoint signs on every request, so it builds the compact JWS (RFC 7515 §7.1) itself
// and signs with node:crypto; jose still verifies every token. It signs on the event loop: handing a
// 23 µs signature to the libuv pool and back costs more than the signature (at the token endpoint,
// 150 against 121–127 µs of CPU per token, for 108 against 117–123 µs on the event loop). Where a
// core sits idle, SIGN_ON_THREAD_POOL=true gets 6–10% more tokens a second out of one process.
type SignKey = KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' };
type Signer = (digest: string | null, data: Buffer, key: SignKey) => Promise<Buffer>;
const signOnThreadPool: Signer = promisify(sign);
const signOnEventLoop: Signer = async (digest, data, key) => sign(digest, data, key);
const keyObjects = new WeakMap<ActiveSigningKey, KeyObject>();

function keyObjectOf(active: ActiveSigningKey): KeyObject {
  let keyObject = keyObjects.get(active);
  if (!keyObject) {
    // SigningKeysService holds only asymmetric private keys, imported as CryptoKeys.
    keyObject = KeyObject.from(active.key as CryptoKey);
    keyObjects.set(active, keyObject);
  }
  return keyObject;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function compactJws(
  signer: Signer,
  alg: SigningAlg,
  header: object,
  payload: object,
  key: KeyObject,
): Promise<string> {
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  // RFC 7518 §3.4: ES256 signatures are R || S (IEEE P1363), not DER; EdDSA (RFC 8037) takes no digest.
  const signature =
    alg === 'ES256'
      ? await signer('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' })
      : await signer(null, Buffer.from(signingInput), key);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Signs RFC 9068 JWT access tokens (`typ: at+jwt`) with the current signing key. */
@Injectable()
export class AccessTokenIssuer {
  private readonly signer: Signer;

  constructor(
    private readonly keys: SigningKeysService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.signer = config.signOnThreadPool ? signOnThreadPool : signOnEventLoop;
  }

  async issue(request: AccessTokenRequest): Promise<IssuedAccessToken> {
    const key = this.keys.signingKey();
    // iat has whole seconds: a token issued in the same second as a "revoke all tokens" would be
    // dated before it and refused, so it is dated at the next second instead (within verifiers' skew).
    const iat = Math.max(
      Math.floor((request.issuedAt ?? this.clock.now()).getTime() / 1000),
      request.validAfter ? Math.ceil(request.validAfter.getTime() / 1000) : 0,
    );
    const exp = iat + request.ttlSeconds;
    const jti = newTokenId();
    const token = await compactJws(
      this.signer,
      key.alg,
      { alg: key.alg, kid: key.kid, typ: 'at+jwt' },
      {
        client_id: request.clientId,
        scope: request.scopes.join(' '),
        ...request.extraClaims,
        iss: this.config.issuer,
        sub: request.subject,
        aud: request.audience,
        iat,
        exp,
        jti,
      },
      keyObjectOf(key),
    );
    return { token, jti, issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) };
  }
}
