import {
  DPOP_ALGORITHMS,
  DpopProofError,
  type DpopReplayCache,
  MemoryDpopReplayCache,
  acceptDpopProof,
} from '@tollgate/dpop';
import type { Principal } from '../principal.js';
import { VerificationError } from '../verification-error.js';
import type { PresentedCredential } from './credential-location.js';
import type { HttpRequestLike } from './request-authentication.js';

export interface SenderConstraintOptions {
  /** Proofs seen (RFC 9449 §11.1); in memory by default, shared (Redis) when several instances serve one API. */
  replays?: DpopReplayCache;
  now?: () => number;
}

function refusal(code: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce', description: string, reason: string) {
  const error = new VerificationError(code, description, reason);
  error.scheme = 'DPoP';
  return error;
}

/**
 * RFC 9449 §7 at a resource server: a token bound to a DPoP key (`cnf.jkt`) is accepted only as
 * `Authorization: DPoP` with a fresh proof of that key for this very request (method, URL as the
 * client addressed it, `ath` = the token's hash), never as a bearer token; and a token that is not
 * bound is not accepted under the DPoP scheme.
 */
export class SenderConstraint {
  private readonly replays: DpopReplayCache;
  private readonly now: () => number;

  constructor(options: SenderConstraintOptions = {}) {
    this.now = options.now ?? Date.now;
    this.replays = options.replays ?? new MemoryDpopReplayCache({ now: this.now });
  }

  /** `algs` of the DPoP challenge. */
  get algorithms(): readonly string[] {
    return DPOP_ALGORITHMS;
  }

  async confirm(request: HttpRequestLike, presented: PresentedCredential, principal: Principal): Promise<void> {
    const bound = principal.confirmation;
    if (!bound) {
      if (presented.scheme === 'dpop')
        throw refusal(
          'invalid_token',
          'This access token is not DPoP-bound: send it as a Bearer token',
          'not_dpop_bound',
        );
      return;
    }
    // A certificate-bound token (RFC 8705) is for the broker's TLS connections: over HTTP the client
    // certificate ends at the proxy, so nothing here can prove it.
    if (!bound.jkt)
      throw refusal(
        'invalid_token',
        'This access token is bound to a certificate or key this resource cannot check',
        'unknown_cnf',
      );
    if (presented.scheme !== 'dpop')
      throw refusal(
        'invalid_token',
        'This access token is bound to a DPoP key: send it as "Authorization: DPoP <token>" with a DPoP proof',
        'dpop_bound_as_bearer',
      );
    const header = request.headers.dpop;
    if (typeof header !== 'string')
      throw refusal(
        'invalid_dpop_proof',
        header === undefined
          ? 'A DPoP proof (DPoP header) is required with a DPoP-bound token'
          : 'Send one DPoP header',
        header === undefined ? 'dpop_proof_missing' : 'repeated_header',
      );
    const now = this.now();
    try {
      await acceptDpopProof(
        header,
        {
          method: request.method,
          url: requestUrl(request),
          accessToken: presented.credential,
          expectedThumbprint: bound.jkt,
          now,
        },
        this.replays,
      );
    } catch (error) {
      if (error instanceof DpopProofError) throw refusal(error.code, error.description, error.reason);
      throw error;
    }
  }
}

/** The URL the client addressed (RFC 9449 §4.3 `htu`): behind a trusted proxy, the forwarded scheme and host. */
function requestUrl(request: HttpRequestLike): string {
  const host = request.host ?? headerValue(request.headers.host) ?? 'localhost';
  return `${request.protocol ?? 'http'}://${host}${request.url}`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
