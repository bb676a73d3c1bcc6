import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';

/**
 * The issuer's JWKS, fetched on first use, cached, and refetched on an unknown `kid` at most once
 * per cooldown, so a flood of tokens with random `kid`s cannot turn into a flood of fetches.
 */
export function remoteKeySet(
  jwksUri: string,
  options: { cooldownMs?: number; maxAgeMs?: number; fetch?: typeof fetch } = {},
): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUri), {
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.maxAgeMs ?? 600_000,
    timeoutDuration: 5_000,
    ...(options.fetch && { [customFetch]: options.fetch }),
  });
}
