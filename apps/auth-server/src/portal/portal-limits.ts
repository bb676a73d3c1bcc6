import type { PortalLimits } from './consumer-portal.entity.js';

/** What a developer asks for when creating a key in the portal. */
export interface KeyRequest {
  environment: 'live' | 'test';
  grants: { resource: string; scopes: string[] }[];
  rateLimit: { requests: number; perSeconds: number } | null;
}

/**
 * Why a key request is beyond the provider's limits (empty when it is within them): an environment,
 * resource or scope not offered, too many active keys, or a rate above the ceiling (compared as
 * requests per second, so 100/60 s is within 2/1 s).
 */
export function beyondLimits(limits: PortalLimits, request: KeyRequest, activeKeys: number): string[] {
  const problems: string[] = [];
  if (!limits.environments.includes(request.environment))
    problems.push(`environment ${request.environment} is not offered (only ${limits.environments.join(', ')})`);
  for (const grant of request.grants) {
    const offered = limits.grants.find((candidate) => candidate.resource === grant.resource);
    const extra = grant.scopes.filter((scope) => !offered?.scopes.includes(scope));
    if (!offered) problems.push(`resource ${grant.resource} is not offered`);
    else if (extra.length > 0) problems.push(`scope ${extra.join(', ')} on ${grant.resource} is not offered`);
  }
  if (activeKeys >= limits.maxActiveKeys)
    problems.push(`at most ${limits.maxActiveKeys} active keys; revoke one first (${activeKeys} are active)`);
  const ceiling = limits.rateLimitCeiling;
  if (ceiling && request.rateLimit && rate(request.rateLimit) > rate(ceiling))
    problems.push(
      `rate limit ${request.rateLimit.requests} per ${request.rateLimit.perSeconds} s is above the ceiling of ${ceiling.requests} per ${ceiling.perSeconds} s`,
    );
  return problems;
}

function rate(limit: { requests: number; perSeconds: number }): number {
  return limit.requests / limit.perSeconds;
}
