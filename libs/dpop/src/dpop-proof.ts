import { calculateJwkThumbprint, type JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';

/** The proof algorithms accepted and advertised (`dpop_signing_alg_values_supported`, RFC 9449 §5.1). */
export const DPOP_ALGORITHMS = ['ES256', 'EdDSA'] as const;

export type DpopErrorCode = 'invalid_dpop_proof' | 'use_dpop_nonce';

/** A DPoP proof that is refused; `description` is safe to send to the caller, `reason` is for audit and metrics. */
export class DpopProofError extends Error {
  override name = 'DpopProofError';

  constructor(
    readonly code: DpopErrorCode,
    readonly description: string,
    readonly reason: string,
  ) {
    super(description);
  }
}

export interface DpopProofExpectations {
  /** The method of this request (`htm`). */
  method: string;
  /** The absolute URL of this request as the client addressed it (`htu`, compared without query and fragment). */
  url: string;
  /** Given: the proof must carry `ath`, the hash of this access token (RFC 9449 §4.2). */
  accessToken?: string;
  /** Given: the proof's key must have this RFC 7638 thumbprint (the token's `cnf.jkt`). */
  expectedThumbprint?: string;
  /** Given: decides the proof's `nonce` (RFC 9449 §8); false asks the client for the server nonce. */
  nonce?: (nonce: string | undefined) => boolean;
  /** Milliseconds since the epoch (default: now). */
  now?: number;
  /** How old a proof's `iat` may be (default 300 s). */
  maxAgeSeconds?: number;
  /** How far in the future a proof's `iat` may be (default 5 s, for clock skew). */
  leewaySeconds?: number;
  /** The proof algorithms allowed (default `DPOP_ALGORITHMS`); any other than those two is never allowed. */
  algorithms?: readonly string[];
}

export interface VerifiedDpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: what `cnf.jkt` holds. */
  thumbprint: string;
  jti: string;
  iat: number;
  jwk: JWK;
}

const MAX_PROOF_LENGTH = 8 * 1024;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const KEY_TYPE: Record<string, { kty: string; crv: string }> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
};

const invalid = (description: string, reason: string) => new DpopProofError('invalid_dpop_proof', description, reason);

/** base64url SHA-256 of the access token: the proof's `ath` (RFC 9449 §4.2). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** RFC 7638 SHA-256 thumbprint of a public key. */
export function jwkThumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256');
}

/** RFC 9449 §4.3 step 9: `htu` compared without query and fragment, scheme and host in lower case, default port dropped. */
export function normalizeHtu(url: string): string {
  if (!URL.canParse(url)) throw invalid('The DPoP proof htu is not a URL', 'htu_malformed');
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/**
 * Verifies a DPoP proof JWT (RFC 9449 §4.3) for one request: its form (`typ: dpop+jwt`, an allowed
 * asymmetric `alg`, a public `jwk` of the matching type), its signature by that key, then `htm`,
 * `htu`, `iat`, `jti`, and where asked `ath`, the key's thumbprint and the server nonce. Anything
 * else than a valid proof is a `DpopProofError`, never another exception.
 */
export async function verifyDpopProof(proof: string, expectations: DpopProofExpectations): Promise<VerifiedDpopProof> {
  const algorithms = (expectations.algorithms ?? DPOP_ALGORITHMS).filter((alg) => Object.hasOwn(KEY_TYPE, alg));
  if (typeof proof !== 'string' || proof.length === 0 || proof.length > MAX_PROOF_LENGTH)
    throw invalid('The DPoP proof is empty or too long', 'malformed');
  if (!COMPACT_JWS.test(proof)) throw invalid('The DPoP proof is not a compact JWS', 'malformed');
  const [encodedHeader, encodedPayload, encodedSignature] = proof.split('.');
  const { alg, proofKey } = proofHeaders.get(encodedHeader) ?? (await readHeader(encodedHeader));
  if (!algorithms.includes(alg))
    throw invalid(`The DPoP proof must be signed with ${algorithms.join(' or ')}`, 'alg_not_allowed');

  // RFC 7515 §5.2 over the exact bytes sent; ES256 signatures are R || S (RFC 7518 §3.4).
  const signature = Buffer.from(encodedSignature, 'base64url');
  const signingInput = Buffer.from(`${encodedHeader}.${encodedPayload}`);
  const valid =
    alg === 'ES256'
      ? signature.length === 64 &&
        verify('sha256', signingInput, { key: proofKey.key, dsaEncoding: 'ieee-p1363' }, signature)
      : verify(null, signingInput, proofKey.key, signature);
  if (!valid) throw invalid('The DPoP proof signature does not verify with its jwk', 'bad_signature');
  const payload = jsonObject(encodedPayload, 'payload');

  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256)
    throw invalid('The DPoP proof needs a jti (1–256 characters)', 'jti');
  if (payload.htm !== expectations.method.toUpperCase())
    throw invalid('The DPoP proof is for another HTTP method (htm)', 'htm_mismatch');
  const expectedHtu = normalizeHtu(expectations.url);
  // A client that sends the URL already normalized (most do) costs no second parse.
  if (typeof payload.htu !== 'string' || (payload.htu !== expectedHtu && normalizeHtu(payload.htu) !== expectedHtu))
    throw invalid('The DPoP proof is for another URL (htu)', 'htu_mismatch');
  const now = Math.floor((expectations.now ?? Date.now()) / 1000);
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat))
    throw invalid('The DPoP proof needs a numeric iat', 'iat');
  if (payload.iat > now + (expectations.leewaySeconds ?? 5))
    throw invalid('The DPoP proof is dated in the future (iat)', 'iat_in_future');
  if (payload.iat < now - (expectations.maxAgeSeconds ?? 300) - (expectations.leewaySeconds ?? 5))
    throw invalid('The DPoP proof is too old (iat): make a new one for every request', 'iat_too_old');
  if (expectations.accessToken !== undefined) {
    if (typeof payload.ath !== 'string')
      throw invalid('The DPoP proof must carry ath, the hash of the access token', 'ath_missing');
    if (payload.ath !== accessTokenHash(expectations.accessToken))
      throw invalid('The DPoP proof is for another access token (ath)', 'ath_mismatch');
  }
  const { thumbprint, publicJwk } = proofKey;
  if (expectations.expectedThumbprint !== undefined && thumbprint !== expectations.expectedThumbprint)
    throw invalid('The DPoP proof is not signed with the key the access token is bound to', 'jkt_mismatch');
  if (expectations.nonce && !expectations.nonce(typeof payload.nonce === 'string' ? payload.nonce : undefined))
    throw new DpopProofError('use_dpop_nonce', 'Send a DPoP proof with the server nonce (DPoP-Nonce header)', 'nonce');
  return { thumbprint, jti: payload.jti, iat: payload.iat, jwk: publicJwk };
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function jsonObject(encoded: string, part: 'header' | 'payload'): Record<string, any> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw invalid(`The DPoP proof ${part} is not valid JSON`, 'malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`The DPoP proof ${part} is not a JSON object`, 'malformed');
  return value as Record<string, any>;
}

interface ProofKey {
  key: KeyObject;
  publicJwk: JWK;
  thumbprint: string;
}

interface ProofHeader {
  alg: keyof typeof KEY_TYPE;
  proofKey: ProofKey;
}

/**
 * A client's proofs all carry the same header (its key, `typ`, `alg`): a header that passed the
 * checks below once is remembered by its exact encoding, so a proof costs no header parsing.
 */
const proofHeaders = new LRUCache<string, ProofHeader>({ max: 10_000 });

/** RFC 9449 §4.3 steps 4–7 on the header: `typ`, an asymmetric `alg`, no `crit`, a public `jwk` of that type. */
async function readHeader(encodedHeader: string): Promise<ProofHeader> {
  const header = jsonObject(encodedHeader, 'header');
  if (header.typ !== 'dpop+jwt') throw invalid('The DPoP proof must have typ dpop+jwt', 'wrong_typ');
  if (typeof header.alg !== 'string' || !Object.hasOwn(KEY_TYPE, header.alg))
    throw invalid(`The DPoP proof must be signed with ${DPOP_ALGORITHMS.join(' or ')}`, 'alg_not_allowed');
  if (Array.isArray(header.crit)) throw invalid('The DPoP proof header has unsupported crit members', 'crit');
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    throw invalid('The DPoP proof must carry its public key in the jwk header', 'jwk_missing');
  if (PRIVATE_MEMBERS.some((member) => member in jwk))
    throw invalid('The DPoP proof jwk must be a public key, never a private one', 'private_key_in_jwk');
  const read = { alg: header.alg, proofKey: await keyOf(header.alg, jwk as JWK) };
  proofHeaders.set(encodedHeader, read);
  return read;
}

/**
 * A client sends the same key with every proof: its import and thumbprint are remembered (by the
 * public members only, so an entry cannot be reached with other key material).
 */
const proofKeys = new LRUCache<string, ProofKey>({ max: 10_000 });

async function keyOf(alg: string, jwk: JWK): Promise<ProofKey> {
  const expected = KEY_TYPE[alg];
  if (jwk.kty !== expected.kty || jwk.crv !== expected.crv)
    throw invalid(`The DPoP proof jwk must be an ${expected.kty} ${expected.crv} key for ${alg}`, 'jwk_type');
  if (typeof jwk.x !== 'string' || (jwk.kty === 'EC' && typeof jwk.y !== 'string'))
    throw invalid('The DPoP proof jwk is incomplete', 'jwk_type');
  const publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.kty === 'EC' && { y: jwk.y }) } as JWK;
  const cacheKey = `${publicJwk.kty}.${publicJwk.crv}.${publicJwk.x}.${publicJwk.y ?? ''}`;
  const known = proofKeys.get(cacheKey);
  if (known) return known;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { ...publicJwk } as Record<string, string>, format: 'jwk' });
  } catch {
    throw invalid('The DPoP proof jwk is not a valid public key', 'jwk_invalid');
  }
  const proofKey = { key, publicJwk, thumbprint: await jwkThumbprint(publicJwk) };
  proofKeys.set(cacheKey, proofKey);
  return proofKey;
}
