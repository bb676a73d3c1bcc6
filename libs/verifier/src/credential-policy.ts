import { rateLimitHeaders, type RateLimiter } from '@tollgate/rate-limit';
import { BlockList, isIP } from 'node:net';
import type { Principal } from './principal.js';
import { VerificationError } from './verification-error.js';

const allowlists = new WeakMap<readonly string[], BlockList>();

function blockListFor(entries: readonly string[]): BlockList {
  let list = allowlists.get(entries);
  if (!list) {
    list = new BlockList();
    for (const entry of entries) {
      const [address, prefix] = entry.split('/');
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) list.addAddress(address, type);
      else list.addSubnet(address, Number(prefix), type);
    }
    allowlists.set(entries, list);
  }
  return list;
}

/** True when `address` is in one of the CIDR blocks (IPv4-mapped IPv6 addresses count as IPv4). */
export function addressAllowed(address: string, allowlist: readonly string[]): boolean {
  const normalised = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const type = isIP(normalised) === 6 ? 'ipv6' : isIP(normalised) === 4 ? 'ipv4' : undefined;
  return type !== undefined && blockListFor(allowlist).check(normalised, type);
}

/**
 * Enforces a credential's own policy on every request: IP allowlist, then rate limit. Returns the
 * response headers the caller gets when allowed: the IETF RateLimit fields of its bucket, on every
 * answer and not only on the 429 (draft-ietf-httpapi-ratelimit-headers §1), from the same decision.
 */
export async function enforceConstraints(
  principal: Principal,
  address: string,
  limiter: RateLimiter | undefined,
): Promise<Record<string, string>> {
  const constraints = principal.constraints;
  if (!constraints) return {};
  if (
    constraints.ipAllowlist &&
    constraints.ipAllowlist.length > 0 &&
    !addressAllowed(address, constraints.ipAllowlist)
  ) {
    throw new VerificationError('access_denied', 'This credential may not be used from your address', 'ip_not_allowed');
  }
  const policy = constraints.rateLimit;
  if (!policy || !limiter) return {};
  // One bucket per key lineage: a rolled key and its predecessor share it during the overlap.
  const decision = await limiter.take(`credential:${policy.bucket ?? principal.credentialId}`, policy);
  const headers = rateLimitHeaders(policy, decision);
  if (!decision.allowed) {
    throw new VerificationError(
      'rate_limited',
      `Rate limit exceeded: ${policy.requests} requests per ${policy.perSeconds} s`,
      'rate_limited',
      headers,
    );
  }
  return headers;
}
