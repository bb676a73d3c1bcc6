import { problemBody, type ProblemBody } from '@tollgate/platform';
import { DPOP_ALGORITHMS } from '@tollgate/dpop';
import { VerificationError } from '../verification-error.js';

/** How a resource server names itself in its challenges. */
export interface ChallengeOptions {
  /** The `realm` of WWW-Authenticate challenges. */
  realm: string;
  /**
   * RFC 9728 §5.1: the URL of this resource's protected resource metadata, so that a client that
   * knows only the API's URL can find where to get a token.
   */
  resourceMetadata?: string;
}

/** A refusal as any HTTP framework sends it: status, headers and what its RFC 9457 problem body says. */
export interface RefusalAnswer {
  status: number;
  headers: Record<string, string>;
  /** The problem `type` is `urn:tollgate:problem:<code>`. */
  code: string;
  detail: string;
  /** Further members of the body: RFC 6750's `error`, `error_description` and `scope`. */
  extensions: Record<string, unknown>;
}

/** The RFC 9457 body of a refusal, for adapters that write it themselves. */
export function refusalBody({ status, detail, code, extensions }: RefusalAnswer): ProblemBody {
  return problemBody(status, detail, code, extensions);
}

/** The request carried no credential at all (RFC 6750 §3.1: the challenge then has no error code). */
export class CredentialRequired extends Error {
  override name = 'CredentialRequired';
  constructor() {
    super('A credential is required: send "Authorization: Bearer <token>" (or X-API-Key for API keys)');
  }
}

/** A scope the route needs that the credential does not grant (RFC 6750 §3.1 `insufficient_scope`). */
export class InsufficientScope extends VerificationError {
  constructor(readonly requiredScope: string) {
    super('insufficient_scope', `This request needs the scope ${requiredScope}`, 'insufficient_scope');
  }
}

/** A quoted-string for a challenge parameter: no quotes, backslashes or control characters can break out. */
function quoted(value: string): string {
  const safe = Array.from(value, (c) =>
    c === '"' || c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c,
  ).join('');
  return `"${safe}"`;
}

function challenge(options: ChallengeOptions, parameters: string[] = [], scheme: 'Bearer' | 'DPoP' = 'Bearer'): string {
  const all = [`realm=${quoted(options.realm)}`, ...parameters];
  // RFC 9449 §7.1: the DPoP challenge names the proof algorithms the resource accepts.
  if (scheme === 'DPoP') all.push(`algs=${quoted(DPOP_ALGORITHMS.join(' '))}`);
  if (options.resourceMetadata) all.push(`resource_metadata=${quoted(options.resourceMetadata)}`);
  return `${scheme} ${all.join(', ')}`;
}

/**
 * The answer to a refused request, the same in every adapter: RFC 6750 challenges (401 with no
 * error when no credential was sent, 400 `invalid_request`, 401 `invalid_token`, 403
 * `insufficient_scope`), 403/429/503 for the credential's own policy and outages, each with an
 * RFC 9457 problem body that also carries the RFC 6750 `error` and `error_description`.
 */
export function refusalAnswer(
  refusal: CredentialRequired | VerificationError,
  options: ChallengeOptions,
): RefusalAnswer {
  if (refusal instanceof CredentialRequired) {
    return {
      status: 401,
      headers: { 'WWW-Authenticate': challenge(options) },
      code: 'unauthenticated',
      detail: refusal.message,
      extensions: {},
    };
  }
  const headers: Record<string, string> = { ...refusal.headers };
  const requiredScope = refusal instanceof InsufficientScope ? refusal.requiredScope : undefined;
  if (refusal.code === 'temporarily_unavailable') headers['Retry-After'] ??= '5';
  else if (
    refusal.code === 'invalid_request' ||
    refusal.code === 'invalid_token' ||
    refusal.code === 'insufficient_scope' ||
    refusal.code === 'invalid_dpop_proof' ||
    refusal.code === 'use_dpop_nonce'
  ) {
    const parameters = [`error=${quoted(refusal.code)}`, `error_description=${quoted(refusal.description)}`];
    if (requiredScope) parameters.push(`scope=${quoted(requiredScope)}`);
    headers['WWW-Authenticate'] = challenge(options, parameters, refusal.scheme);
  }
  return {
    status: refusal.status,
    headers,
    code: refusal.code,
    detail: refusal.description,
    extensions: {
      error: refusal.code,
      error_description: refusal.description,
      ...(requiredScope ? { scope: requiredScope } : {}),
    },
  };
}
