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

/** Enforces a credential's own policy on every request: IP allowlist, then rate limit. */
export async function enforceConstraints(principal: Principal, address: string, limiter: RateLimiter | undefined): Promise<void> {
  const constraints = principal.constraints;
  if (!constraints) return;
  if (constraints.ipAllowlist && constraints.ipAllowlist.length > 0 && !addressAllowed(address, constraints.ipAllowlist)) {
    throw new VerificationError('access_denied', 'This credential may not be used from your address', 'ip_not_allowed');
  }
  if (constraints.rateLimit && limiter) {
    const decision = await limiter.take(`credential:${principal.credentialId}`, constraints.rateLimit);
    if (!decision.allowed) {
      throw new VerificationError('rate_limited', `Rate limit exceeded: ${constraints.rateLimit.requests} requests per ${constraints.rateLimit.perSeconds} s`, 'rate_limited', rateLimitHeaders(constraints.rateLimit, decision));
    }
  }
}
